//! Initials avatars: a square PNG with a colour and up to two letters, the same bytes for the
//! same sender every time.
//!
//! Letters are drawn from a built-in 5×7 pixel font (Latin letters and digits; other scripts get
//! a neutral dot), so no font file is needed and output never depends on the system. The colour
//! comes from a fixed hash of the sender key. This module does not decide who the sender is.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use base64::Engine as _;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{Rgba, RgbaImage};

/// Smallest and largest avatar sizes produced, in pixels.
pub(crate) const SIZE_RANGE: std::ops::RangeInclusive<u32> = 8..=256;

/// Background colours, picked by hash; all dark enough for white letters.
const PALETTE: [[u8; 3]; 12] = [
    [0x1e, 0x88, 0xe5],
    [0x43, 0xa0, 0x47],
    [0xe5, 0x39, 0x35],
    [0x8e, 0x24, 0xaa],
    [0xf4, 0x51, 0x1e],
    [0x00, 0x89, 0x7b],
    [0x3f, 0x51, 0xb5],
    [0x6d, 0x4c, 0x41],
    [0xc2, 0x18, 0x5b],
    [0x54, 0x6e, 0x7a],
    [0x7c, 0xb3, 0x42],
    [0x5e, 0x35, 0xb1],
];

/// Rows of a 5-pixel-wide glyph, top to bottom; bit 4 is the leftmost pixel.
fn glyph(c: char) -> [u8; 7] {
    match c {
        'A' => [0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
        'B' => [0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e],
        'C' => [0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e],
        'D' => [0x1e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1e],
        'E' => [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f],
        'F' => [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10],
        'G' => [0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f],
        'H' => [0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
        'I' => [0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e],
        'J' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f],
        'M' => [0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'O' => [0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
        'P' => [0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10],
        'Q' => [0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d],
        'R' => [0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11],
        'S' => [0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e],
        'T' => [0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a],
        'X' => [0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x11, 0x0a, 0x04, 0x04, 0x04],
        'Z' => [0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f],
        '0' => [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e],
        '1' => [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
        '2' => [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f],
        '3' => [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
        '4' => [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02],
        '5' => [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
        '6' => [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e],
        '7' => [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e],
        '9' => [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
        // Letters outside the font get a centred dot rather than a wrong letter.
        _ => [0x00, 0x00, 0x0e, 0x0e, 0x0e, 0x00, 0x00],
    }
}

/// FNV-1a: a fixed, documented hash, so colours do not change between builds or platforms.
fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Up to two upper-case initials: first and last word of a name, else the address's first letter.
pub(crate) fn initials(name: Option<&str>, email: Option<&str>) -> String {
    let words: Vec<&str> = name
        .unwrap_or_default()
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .collect();
    let first_letter =
        |word: &str| word.chars().find(|c| c.is_alphanumeric()).into_iter().flat_map(char::to_uppercase);
    match words.as_slice() {
        [] => email
            .and_then(|email| email.chars().find(|c| c.is_alphanumeric()))
            .into_iter()
            .flat_map(char::to_uppercase)
            .collect(),
        [only] => first_letter(only).collect(),
        [first, .., last] => first_letter(first).chain(first_letter(last)).collect(),
    }
}

/// Most avatars kept in the process-wide cache; it is emptied when full.
const CACHE_LIMIT: usize = 4096;

/// The avatar for `key` as a `data:` URL, from a process-wide cache.
///
/// Avatars depend only on (key, initials, size), so a cache shared by all renderings returns
/// exactly the bytes a fresh encoding would; it only saves the PNG encoder's time.
pub(crate) fn data_url(key: &str, initials: &str, size: u32) -> String {
    type Cache = HashMap<(String, String, u32), String>;
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    let cache_key = (key.to_string(), initials.to_string(), size);
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Ok(cache) = cache.lock() {
        if let Some(url) = cache.get(&cache_key) {
            return url.clone();
        }
    }
    let url = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png(key, initials, size))
    );
    // A poisoned lock only means another thread panicked mid-insert; the cache is optional.
    if let Ok(mut cache) = cache.lock() {
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(cache_key, url.clone());
    }
    url
}

/// Draws the avatar for `key` (the sender's lowercased address or normalised name) as PNG bytes.
pub(crate) fn png(key: &str, initials: &str, size: u32) -> Vec<u8> {
    let size = size.clamp(*SIZE_RANGE.start(), *SIZE_RANGE.end());
    let [red, green, blue] = PALETTE[(fnv1a(key) % PALETTE.len() as u64) as usize];
    let mut image = RgbaImage::from_pixel(size, size, Rgba([red, green, blue, 255]));

    let letters: Vec<char> = initials.chars().take(2).collect();
    if !letters.is_empty() {
        // Glyphs are 5×7 with one pixel between them; scale to about half the avatar width.
        let columns = letters.len() as u32 * 6 - 1;
        let scale = (size / 2 / columns).max(1);
        let text_width = columns * scale;
        let text_height = 7 * scale;
        let left = size.saturating_sub(text_width) / 2;
        let top = size.saturating_sub(text_height) / 2;
        for (position, letter) in letters.iter().enumerate() {
            let rows = glyph(*letter);
            let glyph_left = left + position as u32 * 6 * scale;
            for (row, bits) in rows.iter().enumerate() {
                for column in 0..5u32 {
                    if bits & (0x10 >> column) == 0 {
                        continue;
                    }
                    for dy in 0..scale {
                        for dx in 0..scale {
                            let x = glyph_left + column * scale + dx;
                            let y = top + row as u32 * scale + dy;
                            if x < size && y < size {
                                image.put_pixel(x, y, Rgba([255, 255, 255, 255]));
                            }
                        }
                    }
                }
            }
        }
    }
    let mut bytes = Vec::new();
    // Flat colour and a few glyphs: with row filtering even the fastest deflate gives a PNG of a
    // few hundred bytes.
    let encoder = PngEncoder::new_with_quality(&mut bytes, CompressionType::Fast, FilterType::Adaptive);
    // Encoding an in-memory RGBA image to PNG cannot fail short of running out of memory; an
    // empty result only costs the avatar, never the rendering.
    if image.write_with_encoder(encoder).is_err() {
        return Vec::new();
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_sender_same_bytes_other_sender_other_colour() {
        let first = png("john.doe@acme.com", "JD", 40);
        assert_eq!(first, png("john.doe@acme.com", "JD", 40));
        assert_ne!(first, png("someone.else@acme.com", "SE", 40));
        let decoded = image::load_from_memory(&first).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (40, 40));
    }

    #[test]
    fn initials_come_from_first_and_last_word_or_the_address() {
        assert_eq!(initials(Some("John Doe"), None), "JD");
        assert_eq!(initials(Some("Andrew P."), Some("a@b.c")), "AP");
        assert_eq!(initials(Some("Doe, John"), None), "DJ");
        assert_eq!(initials(None, Some("john.doe@acme.com")), "J");
        assert_eq!(initials(Some("андрей"), None), "А");
        assert_eq!(initials(None, None), "");
    }

    #[test]
    fn sizes_are_clamped() {
        let tiny = image::load_from_memory(&png("k", "K", 1)).unwrap();
        assert_eq!(tiny.width(), *SIZE_RANGE.start());
    }
}
