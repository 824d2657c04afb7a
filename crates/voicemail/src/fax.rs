//! Fax pages for the app's fax viewer: every page of a TIFF fax as a PNG.
//!
//! Fax servers deliver TIFF (usually TIFF class F: bilevel, CCITT Group 3 or Group 4, often with
//! `FillOrder` 2) or PDF. [`render_pages`] turns each TIFF page into an 8-bit grayscale or RGB(A)
//! PNG with its size. PDF is not rasterised here: it is refused with [`FaxError::NotRaster`] and
//! the app hands the bytes to the system's PDF viewer unchanged.
//!
//! What decodes:
//! - CCITT Group 4 (compression 4) through the `fax` crate;
//! - CCITT Group 3, one- and two-dimensional, with or without byte-aligned EOLs (compression 3),
//!   and modified Huffman without EOLs (compression 2) through our own T.4 row loop (module `t4`) on
//!   the `fax` crate's code tables (the crate's Group 3 decoder reads 1-D rows only, and the
//!   `tiff` crate decodes none of these);
//! - for all three, `FillOrder` 2, `PhotometricInterpretation` 0 and 1, several strips per page;
//! - uncompressed, LZW, PackBits and Deflate TIFF (bilevel, gray, RGB, RGBA; 8 or 16 bits) through
//!   the `tiff` crate.
//!
//! What does not: Group 3 uncompressed mode (`T4Options` bit 1), tiled CCITT, JPEG-in-TIFF,
//! palette and CMYK pages: each is a [`FaxError::Unsupported`] that names it. Input is untrusted: a page larger than
//! [`MAX_PAGE_SIDE`] on a side, or pages adding up to more than [`MAX_TOTAL_PIXELS`], are refused
//! before any pixel buffer is allocated, and a damaged file is an error, never a panic.

use std::io::Cursor;

use tiff::decoder::{Decoder, DecodingResult, Limits};
use tiff::tags::Tag;
use tiff::ColorType;

use crate::model::FaxPage;

/// The longest page side accepted, in pixels (a fine-mode A4 fax is 1728 × 2292).
pub const MAX_PAGE_SIDE: u32 = 10_000;
/// The most pixels accepted for all pages of one document together.
pub const MAX_TOTAL_PIXELS: u64 = 200_000_000;

/// One page, ready for an `<img>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPage {
    /// 0-based page number in the document.
    pub index: usize,
    pub width: u32,
    pub height: u32,
    /// The page as a PNG file.
    pub png: Vec<u8>,
}

/// Why a fax document cannot be shown as pictures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FaxError {
    /// The document is a PDF (or another non-TIFF format the system viewer opens): show it there.
    #[error("this fax is a {content_type} document: open it with the system viewer")]
    NotRaster { content_type: String },
    /// The bytes are neither TIFF nor PDF.
    #[error("this fax is not a TIFF or PDF file")]
    NotFax,
    /// The TIFF is damaged.
    #[error("the fax TIFF is damaged: {0}")]
    Corrupt(String),
    /// The TIFF uses a feature this viewer does not decode.
    #[error("this fax uses {0}, which the viewer cannot show yet")]
    Unsupported(String),
    /// One page is too large to show safely.
    #[error("page {page} is {width} × {height} pixels; pages larger than {MAX_PAGE_SIDE} pixels on a side are not shown")]
    PageTooLarge { page: usize, width: u32, height: u32 },
    /// The pages together are too large to show safely.
    #[error("the fax has more than {MAX_TOTAL_PIXELS} pixels in all; it is not shown")]
    TooManyPixels,
    /// PNG encoding failed.
    #[error("could not make a picture of page {page}: {message}")]
    Png { page: usize, message: String },
}

/// Renders up to `max_pages` pages of a TIFF fax to PNG, in document order. A PDF is
/// [`FaxError::NotRaster`]; the first page that cannot be decoded fails the whole call, so the
/// viewer never shows a document with pages silently missing.
pub fn render_pages(page: &FaxPage, max_pages: usize) -> Result<Vec<RenderedPage>, FaxError> {
    let bytes = page.bytes.as_slice();
    let sizes = page_sizes(page, max_pages)?;
    let mut decoder = open(bytes)?;
    let mut pages = Vec::with_capacity(sizes.len());
    for (index, (width, height)) in sizes.into_iter().enumerate() {
        if index > 0 {
            decoder.next_image().map_err(corrupt)?;
        }
        pages.push(rendered(&mut decoder, bytes, index, width, height)?);
    }
    Ok(pages)
}

/// Renders page `index` (from 0) alone, for a viewer that shows one page at a time; the pages
/// before it are checked like [`render_pages`] does, but not decoded.
pub fn render_page(page: &FaxPage, index: usize) -> Result<RenderedPage, FaxError> {
    let bytes = page.bytes.as_slice();
    let sizes = page_sizes(page, index.saturating_add(1))?;
    let &(width, height) =
        sizes.get(index).ok_or_else(|| FaxError::Corrupt(format!("the fax has no page {}", index + 1)))?;
    let mut decoder = open(bytes)?;
    for _ in 0..index {
        decoder.next_image().map_err(corrupt)?;
    }
    rendered(&mut decoder, bytes, index, width, height)
}

/// The size of each of the first `max_pages` pages, from the TIFF directories alone (no pixel
/// is decoded): what a viewer needs to count pages. An oversized page or document is refused
/// here, before any pixel buffer exists.
pub fn page_sizes(page: &FaxPage, max_pages: usize) -> Result<Vec<(u32, u32)>, FaxError> {
    let bytes = page.bytes.as_slice();
    if bytes.starts_with(b"%PDF-") || page.content_type.contains("pdf") {
        return Err(FaxError::NotRaster { content_type: "PDF".to_owned() });
    }
    if !(bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") || is_bigtiff(bytes)) {
        return Err(FaxError::NotFax);
    }
    let mut decoder = open(bytes)?;
    let mut sizes = Vec::new();
    let mut total_pixels = 0u64;
    for index in 0..max_pages {
        if index > 0 {
            if !decoder.more_images() {
                break;
            }
            decoder.next_image().map_err(corrupt)?;
        }
        let (width, height) = decoder.dimensions().map_err(corrupt)?;
        if width == 0 || height == 0 {
            return Err(FaxError::Corrupt(format!("page {} has no pixels", index + 1)));
        }
        if width > MAX_PAGE_SIDE || height > MAX_PAGE_SIDE {
            return Err(FaxError::PageTooLarge { page: index + 1, width, height });
        }
        total_pixels += u64::from(width) * u64::from(height);
        if total_pixels > MAX_TOTAL_PIXELS {
            return Err(FaxError::TooManyPixels);
        }
        sizes.push((width, height));
    }
    Ok(sizes)
}

/// The decoder's current page as PNG.
fn rendered(
    decoder: &mut Decoder<Cursor<&[u8]>>,
    bytes: &[u8],
    index: usize,
    width: u32,
    height: u32,
) -> Result<RenderedPage, FaxError> {
    let image = decode_page(decoder, bytes, width, height)?;
    let png =
        encode_png(&image, width, height).map_err(|message| FaxError::Png { page: index + 1, message })?;
    Ok(RenderedPage { index, width, height, png })
}

/// A TIFF decoder whose buffers are capped at one largest page.
fn open(bytes: &[u8]) -> Result<Decoder<Cursor<&[u8]>>, FaxError> {
    let mut limits = Limits::default();
    limits.decoding_buffer_size = (u64::from(MAX_PAGE_SIDE) * u64::from(MAX_PAGE_SIDE) * 4) as usize;
    Ok(Decoder::new(Cursor::new(bytes)).map_err(corrupt)?.with_limits(limits))
}

/// BigTIFF magic (`II+\0` / `MM\0+`).
fn is_bigtiff(bytes: &[u8]) -> bool {
    bytes.starts_with(b"II+\0") || bytes.starts_with(b"MM\0+")
}

fn corrupt(error: tiff::TiffError) -> FaxError {
    match error {
        tiff::TiffError::UnsupportedError(what) => FaxError::Unsupported(what.to_string()),
        tiff::TiffError::LimitsExceeded => FaxError::TooManyPixels,
        other => FaxError::Corrupt(other.to_string()),
    }
}

/// Decoded pixels of one page.
struct PageImage {
    color: png::ColorType,
    pixels: Vec<u8>,
}

/// The CCITT codings of TIFF, from `Compression` and `T4Options`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    /// Compression 2: modified Huffman rows, each starting on a byte, no EOLs.
    ModifiedHuffman,
    /// Compression 3: T.4 rows after EOLs; `two_dimensional` is `T4Options` bit 0 (a tag bit
    /// after each EOL then says whether the row is 1-D or 2-D coded).
    Group3 { two_dimensional: bool },
    /// Compression 4: T.6 rows, each coded against the one above.
    Group4,
}

fn decode_page(
    decoder: &mut Decoder<Cursor<&[u8]>>,
    bytes: &[u8],
    width: u32,
    height: u32,
) -> Result<PageImage, FaxError> {
    let compression = decoder.find_tag_unsigned::<u16>(Tag::Compression).map_err(corrupt)?.unwrap_or(1);
    // Tag 292 is T4Options (Group3Options): bit 0 two-dimensional, bit 1 uncompressed mode.
    let t4_options = decoder.find_tag_unsigned::<u32>(Tag::Unknown(292)).map_err(corrupt)?.unwrap_or(0);
    let coding = match compression {
        2 => Coding::ModifiedHuffman,
        3 if t4_options & 2 != 0 => {
            return Err(FaxError::Unsupported("Group 3 uncompressed mode".to_owned()));
        }
        3 => Coding::Group3 { two_dimensional: t4_options & 1 != 0 },
        4 => Coding::Group4,
        _ => return decode_with_tiff(decoder, width, height),
    };
    decode_ccitt(decoder, bytes, coding, width, height)
}

/// CCITT strips: Group 4 through the `fax` crate, Group 3 and modified Huffman through [`t4`].
fn decode_ccitt(
    decoder: &mut Decoder<Cursor<&[u8]>>,
    bytes: &[u8],
    coding: Coding,
    width: u32,
    height: u32,
) -> Result<PageImage, FaxError> {
    if decoder.find_tag(Tag::TileOffsets).map_err(corrupt)?.is_some() {
        return Err(FaxError::Unsupported("tiled CCITT pages".to_owned()));
    }
    let white_is_zero =
        decoder.find_tag_unsigned::<u16>(Tag::PhotometricInterpretation).map_err(corrupt)?.unwrap_or(0) == 0;
    let reversed_bits = decoder.find_tag_unsigned::<u16>(Tag::FillOrder).map_err(corrupt)?.unwrap_or(1) == 2;
    let offsets =
        decoder.find_tag_unsigned_vec::<u64>(Tag::StripOffsets).map_err(corrupt)?.unwrap_or_default();
    let counts =
        decoder.find_tag_unsigned_vec::<u64>(Tag::StripByteCounts).map_err(corrupt)?.unwrap_or_default();
    if offsets.is_empty() || offsets.len() != counts.len() {
        return Err(FaxError::Corrupt("the strip offsets and sizes do not match".to_owned()));
    }
    let rows_per_strip = decoder
        .find_tag_unsigned::<u32>(Tag::RowsPerStrip)
        .map_err(corrupt)?
        .unwrap_or(height)
        .clamp(1, height);
    let line_width = u16::try_from(width)
        .map_err(|_| FaxError::Unsupported("CCITT pages wider than 65 535 pixels".to_owned()))?;
    let (ink, paper) = if white_is_zero { (0u8, 255u8) } else { (255, 0) };

    let mut pixels = Vec::with_capacity(width as usize * height as usize);
    for (strip, (&offset, &count)) in offsets.iter().zip(&counts).enumerate() {
        let first_row = strip as u64 * u64::from(rows_per_strip);
        if first_row >= u64::from(height) {
            break;
        }
        let rows = (u64::from(height) - first_row).min(u64::from(rows_per_strip)) as usize;
        let data = usize::try_from(offset)
            .ok()
            .zip(usize::try_from(count).ok())
            .and_then(|(start, len)| bytes.get(start..start.checked_add(len)?))
            .ok_or_else(|| FaxError::Corrupt(format!("strip {} lies outside the file", strip + 1)))?;
        let mut data: Vec<u8> =
            if reversed_bits { data.iter().map(|byte| byte.reverse_bits()).collect() } else { data.to_vec() };
        let mut decoded_rows = 0usize;
        let mut on_line = |transitions: &[u16]| {
            if decoded_rows < rows {
                pixels.extend(fax::decoder::pels(transitions, line_width).map(|color| match color {
                    fax::Color::Black => ink,
                    fax::Color::White => paper,
                }));
                decoded_rows += 1;
            }
        };
        match coding {
            Coding::Group4 => {
                let height = u16::try_from(rows).ok();
                fax::decoder::decode_g4(data.iter().copied(), line_width, height, &mut on_line);
            }
            Coding::ModifiedHuffman | Coding::Group3 { .. } => {
                // The code tables peek up to 13 bits ahead, more than the last code of a strip
                // may have after it: zero padding lets that code be read (and codes nothing).
                data.extend([0; 4]);
                t4::decode_strip(&data, coding, line_width, rows, &mut on_line);
            }
        }
        if decoded_rows < rows {
            return Err(FaxError::Corrupt(format!(
                "strip {} decodes to {decoded_rows} of its {rows} rows",
                strip + 1
            )));
        }
    }
    if pixels.len() != width as usize * height as usize {
        return Err(FaxError::Corrupt("the strips do not cover the page".to_owned()));
    }
    Ok(PageImage { color: png::ColorType::Grayscale, pixels })
}

/// Uncompressed, LZW, PackBits and Deflate pages through the `tiff` crate.
/// The `tiff` crate already turns `WhiteIsZero` samples into ordinary gray levels.
fn decode_with_tiff(
    decoder: &mut Decoder<Cursor<&[u8]>>,
    width: u32,
    height: u32,
) -> Result<PageImage, FaxError> {
    let color_type = decoder.colortype().map_err(corrupt)?;
    let result = decoder.read_image().map_err(corrupt)?;
    let (color, channels) = match color_type {
        ColorType::Gray(_) => (png::ColorType::Grayscale, 1usize),
        ColorType::GrayA(_) => (png::ColorType::GrayscaleAlpha, 2),
        ColorType::RGB(_) => (png::ColorType::Rgb, 3),
        ColorType::RGBA(_) => (png::ColorType::Rgba, 4),
        other => return Err(FaxError::Unsupported(format!("{other:?} pixels"))),
    };
    let samples = width as usize * height as usize * channels;
    let mut pixels = match (color_type, result) {
        (ColorType::Gray(1), DecodingResult::U8(packed)) => {
            // One bit per pixel, each row padded to a whole byte.
            let row_bytes = (width as usize).div_ceil(8);
            if packed.len() < row_bytes * height as usize {
                return Err(FaxError::Corrupt("the page has fewer rows than it declares".to_owned()));
            }
            let mut pixels = Vec::with_capacity(samples);
            for row in packed.chunks_exact(row_bytes).take(height as usize) {
                pixels.extend((0..width as usize).map(|x| {
                    if row[x / 8] & (0x80 >> (x % 8)) != 0 {
                        255
                    } else {
                        0
                    }
                }));
            }
            pixels
        }
        (
            ColorType::Gray(8) | ColorType::GrayA(8) | ColorType::RGB(8) | ColorType::RGBA(8),
            DecodingResult::U8(samples),
        ) => samples,
        (_, DecodingResult::U16(wide)) => wide.iter().map(|sample| (sample >> 8) as u8).collect(),
        (other, _) => return Err(FaxError::Unsupported(format!("{other:?} pixels"))),
    };
    if pixels.len() < samples {
        return Err(FaxError::Corrupt("the page has fewer pixels than it declares".to_owned()));
    }
    pixels.truncate(samples);
    Ok(PageImage { color, pixels })
}

fn encode_png(image: &PageImage, width: u32, height: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(image.color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(|error| error.to_string())?;
    writer.write_image_data(&image.pixels).map_err(|error| error.to_string())?;
    writer.finish().map_err(|error| error.to_string())?;
    Ok(out)
}

/// ITU-T T.4 rows (modified Huffman and modified READ) with the `fax` crate's code tables: the
/// crate's own Group 3 decoder reads only 1-D rows that follow an EOL.
mod t4 {
    use fax::maps::{black, mode, white, Mode};
    use fax::BitReader;

    use super::Coding;

    /// Decodes up to `rows` rows of one strip, handing each row's colour changes (positions
    /// where the colour flips, starting from white) to `on_row`; stops at the first damaged row.
    pub(super) fn decode_strip(
        data: &[u8],
        coding: Coding,
        width: u16,
        rows: usize,
        on_row: &mut impl FnMut(&[u16]),
    ) {
        let mut reader = fax::slice_reader(data);
        let mut reference: Vec<u16> = Vec::new();
        for _ in 0..rows {
            let row = match coding {
                Coding::ModifiedHuffman => {
                    let row = one_dimensional(&mut reader, width);
                    // Each row starts on a byte boundary.
                    let _ = reader.consume(reader.bits_to_byte_boundary());
                    row
                }
                Coding::Group3 { two_dimensional } => {
                    skip_eol(&mut reader);
                    let one_d = !two_dimensional || {
                        let tag = reader.peek(1);
                        let _ = reader.consume(1);
                        tag == Some(1)
                    };
                    if one_d {
                        one_dimensional(&mut reader, width)
                    } else {
                        two_dimensional_row(&mut reader, &reference, width)
                    }
                }
                Coding::Group4 => two_dimensional_row(&mut reader, &reference, width),
            };
            let Some(row) = row else { return };
            on_row(&row);
            reference = row;
        }
    }

    /// Skips fill bits and one EOL (`000000000001`) when they come next; EOLs are optional.
    fn skip_eol(reader: &mut impl BitReader) {
        if reader.peek(11) != Some(0) {
            return;
        }
        while reader.peek(1) == Some(0) {
            if reader.consume(1).is_err() {
                return;
            }
        }
        let _ = reader.consume(1);
    }

    /// One run length: make-up codes (64 and more) until a terminating code (below 64).
    fn run(reader: &mut impl BitReader, black_run: bool) -> Option<u16> {
        let mut total: u16 = 0;
        loop {
            let length = if black_run { black::decode(reader)? } else { white::decode(reader)? };
            total = total.checked_add(length)?;
            if length < 64 {
                return Some(total);
            }
        }
    }

    /// A modified Huffman row: alternating white and black runs that fill the width.
    fn one_dimensional(reader: &mut impl BitReader, width: u16) -> Option<Vec<u16>> {
        let mut changes = Vec::new();
        let mut position: u16 = 0;
        let mut black_run = false;
        while position < width {
            position = position.checked_add(run(reader, black_run)?)?;
            if position > width {
                return None;
            }
            if position < width {
                changes.push(position);
            }
            black_run = !black_run;
        }
        Some(changes)
    }

    /// A modified READ row, coded against `reference` (the row above; empty for all white).
    fn two_dimensional_row(reader: &mut impl BitReader, reference: &[u16], width: u16) -> Option<Vec<u16>> {
        let width32 = i32::from(width);
        let mut changes: Vec<u16> = Vec::new();
        // a0 starts on an imaginary white pixel before the row.
        let mut a0: i32 = -1;
        let mut black = false;
        while a0 < width32 {
            // b1: the first change on the reference row right of a0 to the colour opposite a0's
            // (changes at even indices turn black, at odd indices white); b2: the change after it.
            let first = reference
                .iter()
                .enumerate()
                .position(|(index, &at)| i32::from(at) > a0 && (index % 2 == 1) == black)
                .unwrap_or(reference.len());
            let b1 = reference.get(first).map_or(width32, |&at| i32::from(at));
            let b2 = reference.get(first + 1).map_or(width32, |&at| i32::from(at));
            match mode::decode(reader)? {
                Mode::Pass => a0 = b2,
                Mode::Horizontal => {
                    let start = a0.max(0);
                    let a1 = start + i32::from(run(reader, black)?);
                    let a2 = a1 + i32::from(run(reader, !black)?);
                    if a2 > width32 {
                        return None;
                    }
                    for change in [a1, a2] {
                        if change < width32 {
                            changes.push(change as u16);
                        }
                    }
                    a0 = a2;
                }
                Mode::Vertical(delta) => {
                    let a1 = b1 + i32::from(delta);
                    if a1 < a0.max(0) || a1 > width32 {
                        return None;
                    }
                    if a1 < width32 {
                        changes.push(a1 as u16);
                    }
                    a0 = a1;
                    black = !black;
                }
                Mode::Extension | Mode::EOF => return None,
            }
        }
        Some(changes)
    }
}
