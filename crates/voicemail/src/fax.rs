//! Fax pages for the app's fax viewer: every page of a TIFF fax as a PNG.
//!
//! Fax servers deliver TIFF (usually TIFF class F: bilevel, CCITT Group 3 or Group 4, often with
//! `FillOrder` 2) or PDF. [`render_pages`] turns each TIFF page into an 8-bit grayscale or RGB(A)
//! PNG with its size. PDF is not rasterised here: it is refused with [`FaxError::NotRaster`] and
//! the app hands the bytes to the system's PDF viewer unchanged.
//!
//! What decodes:
//! - CCITT Group 4 (compression 4) and Group 3 one-dimensional with EOLs (compression 3,
//!   `T4Options` bit 0 clear) through the `fax` crate, strip by strip, with `FillOrder` 2 and
//!   `PhotometricInterpretation` 0/1 honoured (our own loop: the `tiff` crate decodes only G4 and
//!   ignores `FillOrder`);
//! - uncompressed, LZW, PackBits and Deflate TIFF (bilevel, gray, RGB, RGBA; 8 or 16 bits) through
//!   the `tiff` crate.
//!
//! What does not: Group 3 two-dimensional (`T4Options` bit 0), CCITT modified Huffman without
//! EOLs (compression 2), tiled CCITT, JPEG-in-TIFF, palette and CMYK pages: each is a
//! [`FaxError::Unsupported`] that names it. Input is untrusted: a page larger than
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
    if bytes.starts_with(b"%PDF-") || page.content_type.contains("pdf") {
        return Err(FaxError::NotRaster { content_type: "PDF".to_owned() });
    }
    if !(bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") || is_bigtiff(bytes)) {
        return Err(FaxError::NotFax);
    }
    // First every page's size, so that an oversized document is refused before any pixel
    // buffer exists; then the pixels, page by page.
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
    let mut decoder = open(bytes)?;
    let mut pages = Vec::with_capacity(sizes.len());
    for (index, (width, height)) in sizes.into_iter().enumerate() {
        if index > 0 {
            decoder.next_image().map_err(corrupt)?;
        }
        let image = decode_page(&mut decoder, bytes, width, height)?;
        let png = encode_png(&image, width, height)
            .map_err(|message| FaxError::Png { page: index + 1, message })?;
        pages.push(RenderedPage { index, width, height, png });
    }
    Ok(pages)
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

/// TIFF `Compression` values decoded by our own CCITT loop.
const CCITT_HUFFMAN: u16 = 2;
const CCITT_GROUP3: u16 = 3;
const CCITT_GROUP4: u16 = 4;

fn decode_page(
    decoder: &mut Decoder<Cursor<&[u8]>>,
    bytes: &[u8],
    width: u32,
    height: u32,
) -> Result<PageImage, FaxError> {
    let compression = decoder.find_tag_unsigned::<u16>(Tag::Compression).map_err(corrupt)?.unwrap_or(1);
    let white_is_zero =
        decoder.find_tag_unsigned::<u16>(Tag::PhotometricInterpretation).map_err(corrupt)?.unwrap_or(0) == 0;
    match compression {
        CCITT_HUFFMAN => Err(FaxError::Unsupported(
            "CCITT modified Huffman coding without EOLs (TIFF compression 2)".to_owned(),
        )),
        CCITT_GROUP3 | CCITT_GROUP4 => {
            decode_ccitt(decoder, bytes, compression, white_is_zero, width, height)
        }
        _ => decode_with_tiff(decoder, width, height),
    }
}

/// Group 3 (1-D) and Group 4 strips through the `fax` crate.
fn decode_ccitt(
    decoder: &mut Decoder<Cursor<&[u8]>>,
    bytes: &[u8],
    compression: u16,
    white_is_zero: bool,
    width: u32,
    height: u32,
) -> Result<PageImage, FaxError> {
    if decoder.find_tag(Tag::TileOffsets).map_err(corrupt)?.is_some() {
        return Err(FaxError::Unsupported("tiled CCITT pages".to_owned()));
    }
    // Tag 292 is T4Options (Group3Options); bit 0 set means two-dimensional coding.
    let t4_options = decoder.find_tag_unsigned::<u32>(Tag::Unknown(292)).map_err(corrupt)?.unwrap_or(0);
    if compression == CCITT_GROUP3 && t4_options & 1 == 1 {
        return Err(FaxError::Unsupported("two-dimensional Group 3 coding".to_owned()));
    }
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
        if compression == CCITT_GROUP4 {
            let height = u16::try_from(rows).ok();
            fax::decoder::decode_g4(data.iter().copied(), line_width, height, &mut on_line);
        } else {
            // TIFF writers put an EOL before each row and none after the last, and the decoder
            // emits a row only once it has seen the next EOL: an RTC (six EOLs, each byte-aligned
            // with fill bits) closes the strip so that its last row is kept.
            data.extend([0x00, 0x01].repeat(6));
            fax::decoder::decode_g3(data.iter().copied(), &mut on_line);
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
