//! Fax pages to PNG: every TIFF compression a fax server uses, made at test time with libtiff's
//! `tiffcp` (Debian `libtiff-tools`; those tests print SKIPPED and pass when it is missing) and
//! without any tool (TIFFs written here byte by byte, G4 strips from the `fax` crate's encoder),
//! plus PDF, damaged and oversized files.

use std::path::{Path, PathBuf};
use std::process::Command;

use tidings_voicemail::fax::{page_sizes, render_page, render_pages, FaxError, RenderedPage, MAX_PAGE_SIDE};
use tidings_voicemail::FaxPage;

const WIDTH: u32 = 1728;
const HEIGHT: u32 = 400;

/// The test page: a black 300 × 200 rectangle at (100, 100), a slanted band, a ring, a
/// checkerboard and a patch of speckle, so that CCITT 2-D coding uses every mode (pass,
/// horizontal, all vertical offsets) and both long and short runs.
fn is_ink(x: u32, y: u32) -> bool {
    let (xi, yi) = (i64::from(x), i64::from(y));
    let rectangle = (100..400).contains(&x) && (100..300).contains(&y);
    let band = (500..1300).contains(&x) && (0..7).contains(&(xi - 500 - 2 * yi).rem_euclid(97));
    let distance = (xi - 1400).pow(2) + (yi - 200).pow(2);
    let ring = (120 * 120..140 * 140).contains(&distance);
    let checker =
        (1560..1720).contains(&x) && (20..380).contains(&y) && ((x / 8) + (y / 8)).is_multiple_of(2);
    let speckle = (10..90).contains(&x)
        && (10..390).contains(&y)
        && (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)).is_multiple_of(7);
    rectangle || band || ring || checker || speckle
}

/// One TIFF page for [`tiff_file`]: its tags (besides the strip tags) and its single strip.
struct RawPage {
    width: u32,
    height: u32,
    /// (tag, value) pairs written as SHORT when they fit, else LONG.
    tags: Vec<(u16, u32)>,
    strip: Vec<u8>,
}

/// A little-endian TIFF with one IFD per page, each with one strip.
fn tiff_file(pages: &[RawPage]) -> Vec<u8> {
    let mut out = b"II*\0\0\0\0\0".to_vec();
    let mut strip_offsets = Vec::new();
    for page in pages {
        strip_offsets.push(out.len() as u32);
        out.extend(&page.strip);
    }
    let mut next_pointer_at = 4;
    for (page, offset) in pages.iter().zip(strip_offsets) {
        if out.len() % 2 == 1 {
            out.push(0);
        }
        let ifd_at = out.len() as u32;
        out[next_pointer_at..next_pointer_at + 4].copy_from_slice(&ifd_at.to_le_bytes());
        let mut tags = page.tags.clone();
        tags.extend([
            (256, page.width),
            (257, page.height),
            (273, offset),
            (278, page.height),
            (279, page.strip.len() as u32),
        ]);
        tags.sort_by_key(|(tag, _)| *tag);
        out.extend((tags.len() as u16).to_le_bytes());
        for (tag, value) in tags {
            out.extend(tag.to_le_bytes());
            if value <= u32::from(u16::MAX) && ![256, 257, 273, 278, 279].contains(&tag) {
                out.extend(3u16.to_le_bytes());
                out.extend(1u32.to_le_bytes());
                out.extend((value as u16).to_le_bytes());
                out.extend([0, 0]);
            } else {
                out.extend(4u16.to_le_bytes());
                out.extend(1u32.to_le_bytes());
                out.extend(value.to_le_bytes());
            }
        }
        next_pointer_at = out.len();
        out.extend([0, 0, 0, 0]);
    }
    out
}

/// The test page as uncompressed 1-bit rows (1 = ink when `white_is_zero`, else 1 = paper).
fn bilevel_page(white_is_zero: bool) -> RawPage {
    let row_bytes = WIDTH.div_ceil(8) as usize;
    let mut strip = vec![0u8; row_bytes * HEIGHT as usize];
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            if is_ink(x, y) == white_is_zero {
                strip[y as usize * row_bytes + x as usize / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    // BitsPerSample 1, Compression 1, Photometric 0 or 1, SamplesPerPixel 1.
    let tags = vec![(258, 1), (259, 1), (262, u32::from(!white_is_zero)), (277, 1)];
    RawPage { width: WIDTH, height: HEIGHT, tags, strip }
}

/// The test page as one Group 4 strip, from the `fax` crate's encoder.
fn g4_page(fill_order_reversed: bool) -> RawPage {
    let mut encoder = fax::encoder::Encoder::new(fax::VecWriter::new());
    for y in 0..HEIGHT {
        let pels = (0..WIDTH).map(|x| if is_ink(x, y) { fax::Color::Black } else { fax::Color::White });
        encoder.encode_line(pels, WIDTH as u16).unwrap();
    }
    let mut strip = encoder.finish().unwrap().finish();
    let mut tags = vec![(258, 1), (259, 4), (262, 0), (277, 1)];
    if fill_order_reversed {
        strip.iter_mut().for_each(|byte| *byte = byte.reverse_bits());
        tags.push((266, 2));
    }
    RawPage { width: WIDTH, height: HEIGHT, tags, strip }
}

fn fax(bytes: Vec<u8>) -> FaxPage {
    FaxPage { content_type: "image/tiff".to_owned(), filename: None, size: bytes.len(), bytes }
}

/// Decodes a rendered page and checks that it shows the test page.
fn assert_shows_test_page(page: &RenderedPage, what: &str) {
    assert_eq!((page.width, page.height), (WIDTH, HEIGHT), "{what}");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(&page.png));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).expect("PNG pixels");
    let channels = info.color_type.samples();
    let luma = |x: u32, y: u32| buffer[(y as usize * WIDTH as usize + x as usize) * channels];
    let mut wrong = 0;
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let expected = if is_ink(x, y) { 0 } else { 255 };
            if luma(x, y) != expected {
                wrong += 1;
            }
        }
    }
    assert_eq!(
        wrong,
        0,
        "{what}: {wrong} pixels differ from the test page (ink at (200, 200) is {})",
        luma(200, 200)
    );
}

#[test]
fn uncompressed_bilevel_both_photometrics_without_tools() {
    for white_is_zero in [true, false] {
        let pages = render_pages(&fax(tiff_file(&[bilevel_page(white_is_zero)])), 10).expect("renders");
        assert_eq!(pages.len(), 1);
        assert_shows_test_page(&pages[0], &format!("uncompressed, white is zero: {white_is_zero}"));
    }
}

#[test]
fn group4_without_tools_both_fill_orders_and_several_pages() {
    let file = tiff_file(&[g4_page(false), g4_page(true), bilevel_page(true)]);
    let pages = render_pages(&fax(file.clone()), 10).expect("renders");
    assert_eq!(pages.len(), 3);
    for (index, page) in pages.iter().enumerate() {
        assert_eq!(page.index, index);
        assert_shows_test_page(page, &format!("page {}", index + 1));
    }
    assert_eq!(render_pages(&fax(file.clone()), 2).unwrap().len(), 2, "max_pages is honoured");
    // One page at a time, as the viewer asks: the same pictures; the count needs no decoding.
    let sizes = page_sizes(&fax(file.clone()), 10).unwrap();
    assert_eq!(sizes, pages.iter().map(|page| (page.width, page.height)).collect::<Vec<_>>());
    for page in &pages {
        assert_eq!(&render_page(&fax(file.clone()), page.index).unwrap(), page);
    }
    assert!(matches!(render_page(&fax(file), 3), Err(FaxError::Corrupt(_))), "there is no fourth page");
}

#[test]
fn gray_and_rgb_from_the_tiff_encoder() {
    let mut bytes = std::io::Cursor::new(Vec::new());
    let mut encoder = tiff::encoder::TiffEncoder::new(&mut bytes).unwrap();
    let gray: Vec<u8> =
        (0..WIDTH * HEIGHT).map(|i| if is_ink(i % WIDTH, i / WIDTH) { 0 } else { 255 }).collect();
    encoder.write_image::<tiff::encoder::colortype::Gray8>(WIDTH, HEIGHT, &gray).unwrap();
    let rgb: Vec<u8> = gray.iter().flat_map(|&v| [v, v, v]).collect();
    encoder.write_image::<tiff::encoder::colortype::RGB8>(WIDTH, HEIGHT, &rgb).unwrap();
    let pages = render_pages(&fax(bytes.into_inner()), 10).expect("renders");
    assert_eq!(pages.len(), 2);
    assert_shows_test_page(&pages[0], "gray8");
    assert_shows_test_page(&pages[1], "rgb8");
}

#[test]
fn pdf_is_for_the_system_viewer_and_garbage_is_refused() {
    let pdf = FaxPage {
        content_type: "application/pdf".into(),
        filename: None,
        size: 9,
        bytes: b"%PDF-1.4\n".to_vec(),
    };
    assert_eq!(render_pages(&pdf, 10), Err(FaxError::NotRaster { content_type: "PDF".into() }));
    assert_eq!(render_pages(&fax(b"hello".to_vec()), 10), Err(FaxError::NotFax));
    assert_eq!(render_pages(&fax(Vec::new()), 10), Err(FaxError::NotFax));
}

#[test]
fn damaged_files_are_errors_not_panics() {
    let good = tiff_file(&[g4_page(false)]);
    // Every truncation, and every byte flipped in the header and IFD region.
    for len in (0..good.len()).step_by(97) {
        let _ = render_pages(&fax(good[..len].to_vec()), 10);
    }
    let ifd_at = u32::from_le_bytes(good[4..8].try_into().unwrap()) as usize;
    for at in (4..8).chain(ifd_at..good.len()) {
        for flip in [0x01, 0x80, 0xff] {
            let mut bad = good.clone();
            bad[at] ^= flip;
            let _ = render_pages(&fax(bad), 10);
        }
    }
    // A G4 strip cut short: its rows fall short, which is an error, not a half-white page.
    let mut cut = g4_page(false);
    cut.strip.truncate(cut.strip.len() / 3);
    let result = render_pages(&fax(tiff_file(&[cut])), 10).map(|pages| pages.len());
    assert!(
        matches!(&result, Err(FaxError::Corrupt(what)) if what.contains("of its 400 rows")),
        "{result:?}"
    );
    // Zeros and noise may or may not decode to rows; they must not panic.
    for strip in [vec![0; 2000], (0..2000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect()]
    {
        let mut page = g4_page(false);
        page.strip = strip;
        let _ = render_pages(&fax(tiff_file(&[page])), 10);
    }
    // A strip that points outside the file.
    let mut file = tiff_file(&[g4_page(false)]);
    file.truncate(file.len() - 1);
    assert!(render_pages(&fax(file), 10).is_err());
}

#[test]
fn huge_pages_are_refused_before_decoding() {
    let huge = RawPage {
        width: 20_000,
        height: 20_000,
        tags: vec![(258, 8), (259, 1), (262, 1), (277, 1)],
        strip: vec![0; 16],
    };
    assert_eq!(
        render_pages(&fax(tiff_file(&[huge])), 10),
        Err(FaxError::PageTooLarge { page: 1, width: 20_000, height: 20_000 })
    );
    let big = || RawPage {
        width: MAX_PAGE_SIDE,
        height: MAX_PAGE_SIDE,
        tags: vec![(258, 1), (259, 4), (262, 0), (277, 1)],
        strip: vec![0; 16],
    };
    // Three 100-megapixel pages exceed the 200-megapixel total: refused before any page is
    // decoded (their 16-byte strips would otherwise fail as damaged first).
    assert_eq!(render_pages(&fax(tiff_file(&[big(), big(), big()])), 10), Err(FaxError::TooManyPixels));
    // Only the pages asked for count.
    let pages = render_pages(&fax(tiff_file(&[g4_page(false), big(), big(), big()])), 1).expect("first page");
    assert_eq!(pages.len(), 1);
    assert_shows_test_page(&pages[0], "the page before the big ones");
    let message = FaxError::PageTooLarge { page: 2, width: 20_000, height: 30 }.to_string();
    assert!(message.contains("page 2") && message.contains("10000"), "{message}");
}

/// The test page as modified Huffman runs: compression 2 (rows byte-aligned, no EOL) or
/// compression 3 one-dimensional (an EOL before each row).
fn huffman_page(with_eols: bool) -> RawPage {
    use fax::BitWriter as _;
    let mut writer = fax::VecWriter::new();
    for y in 0..HEIGHT {
        if with_eols {
            writer.write(fax::maps::EOL).unwrap();
        }
        let mut x = 0;
        let mut black = false;
        while x < WIDTH {
            let run = (x..WIDTH).take_while(|&at| is_ink(at, y) == black).count() as u16;
            let code = |length: u16| {
                if black {
                    fax::maps::black::encode(length)
                } else {
                    fax::maps::white::encode(length)
                }
            };
            if run >= 64 {
                writer.write(code(run / 64 * 64).unwrap()).unwrap();
            }
            writer.write(code(run % 64).unwrap()).unwrap();
            x += u32::from(run);
            black = !black;
        }
        if !with_eols {
            writer.pad();
        }
    }
    let compression = if with_eols { 3 } else { 2 };
    RawPage {
        width: WIDTH,
        height: HEIGHT,
        tags: vec![(258, 1), (259, compression), (262, 0), (277, 1)],
        strip: writer.finish(),
    }
}

#[test]
fn modified_huffman_and_group3_without_tools() {
    let pages =
        render_pages(&fax(tiff_file(&[huffman_page(false), huffman_page(true)])), 10).expect("renders");
    assert_eq!(pages.len(), 2);
    assert_shows_test_page(&pages[0], "compression 2");
    assert_shows_test_page(&pages[1], "compression 3, 1-D");
}

#[test]
fn unsupported_codings_are_named() {
    let mut page = huffman_page(true);
    page.tags.push((292, 2));
    let error = render_pages(&fax(tiff_file(&[page])), 10).unwrap_err();
    assert!(matches!(&error, FaxError::Unsupported(what) if what.contains("uncompressed mode")), "{error:?}");
    let mut page = bilevel_page(true);
    page.tags.retain(|(tag, _)| *tag != 259);
    page.tags.push((259, 7));
    let error = render_pages(&fax(tiff_file(&[page])), 10).unwrap_err();
    assert!(
        matches!(error, FaxError::Unsupported(_) | FaxError::Corrupt(_)),
        "JPEG is not built in: {error:?}"
    );
}

/// A fresh directory for this test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tidings-fax-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tiffcp(dir: &Path, args: &[&str]) -> Vec<u8> {
    let status = Command::new("tiffcp").current_dir(dir).args(args).status().expect("tiffcp runs");
    assert!(status.success(), "tiffcp {args:?}");
    std::fs::read(dir.join(args[args.len() - 1])).unwrap()
}

#[test]
fn every_compression_tiffcp_writes() {
    if Command::new("tiffcp").arg("-h").output().is_err() {
        println!(
            "SKIPPED every_compression_tiffcp_writes: tiffcp not installed (apt-get install libtiff-tools)"
        );
        return;
    }
    let dir = scratch("tiffcp");
    for (name, white_is_zero) in [("miniswhite.tif", true), ("minisblack.tif", false)] {
        std::fs::write(dir.join(name), tiff_file(&[bilevel_page(white_is_zero)])).unwrap();
    }
    let mut report = Vec::new();
    for base in ["miniswhite.tif", "minisblack.tif"] {
        for options in [
            &["-c", "none"][..],
            &["-c", "lzw"],
            &["-c", "packbits"],
            &["-c", "zip"],
            &["-c", "g3"],
            &["-c", "g3:fill"],
            &["-c", "g3:2d"],
            &["-c", "g3:2d:fill"],
            &["-f", "lsb2msb", "-c", "g3:2d"],
            &["-r", "5", "-c", "g3:2d"],
            &["-c", "g4"],
            &["-f", "lsb2msb", "-c", "g3"],
            &["-f", "lsb2msb", "-c", "g4"],
            &["-r", "16", "-c", "g4"],
            &["-r", "7", "-c", "g3"],
        ] {
            let mut args = options.to_vec();
            args.extend([base, "out.tif"]);
            let bytes = tiffcp(&dir, &args);
            let pages =
                render_pages(&fax(bytes), 10).unwrap_or_else(|error| panic!("{base} {options:?}: {error}"));
            assert_eq!(pages.len(), 1);
            assert_shows_test_page(&pages[0], &format!("{base} {options:?}"));
            report.push(format!("{options:?}"));
        }
    }
    tiffcp(&dir, &["-c", "g4", "miniswhite.tif", "a.tif"]);
    tiffcp(&dir, &["-c", "g3:2d", "minisblack.tif", "b.tif"]);
    let multi = tiffcp(&dir, &["a.tif", "b.tif", "miniswhite.tif", "multi.tif"]);
    let pages = render_pages(&fax(multi), 10).expect("three pages");
    assert_eq!(pages.len(), 3);
    for page in &pages {
        assert_shows_test_page(page, &format!("multi-page, page {}", page.index + 1));
    }
    println!("rendered: {}", report.join(", "));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn demo_fax_renders() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/demo/19-fax-delivery-note.eml");
    let raw = std::fs::read(path).expect("demo fax");
    let voicemail = tidings_voicemail::Voicemail::parse(&raw).expect("a fax");
    let pages = render_pages(&voicemail.fax_pages[0], 10).expect("renders");
    assert_eq!(pages.len(), voicemail.declared_pages.unwrap_or(1) as usize);
    assert!(pages[0].width >= 100 && pages[0].height >= 100, "{}x{}", pages[0].width, pages[0].height);
    if let Ok(dir) = std::env::var("TIDINGS_FAX_PNG_DIR") {
        std::fs::write(Path::new(&dir).join("demo-fax-page-1.png"), &pages[0].png).unwrap();
    }
}

#[test]
fn random_ccitt_strips_never_panic() {
    // A small xorshift generator: reproducible noise without a dependency.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..300 {
        let (compression, options) = [(2, 0), (3, 0), (3, 1), (3, 5), (4, 0)][round % 5];
        let length = (next() % 600) as usize;
        let strip: Vec<u8> = (0..length).map(|_| next() as u8).collect();
        let width = 1 + (next() % 3000) as u32;
        let height = 1 + (next() % 300) as u32;
        let mut tags = vec![(258, 1), (259, compression), (262, (next() % 2) as u32), (277, 1)];
        if options != 0 {
            tags.push((292, options));
        }
        if round % 3 == 0 {
            tags.push((266, 2));
        }
        let page = RawPage { width, height, tags, strip };
        if let Ok(pages) = render_pages(&fax(tiff_file(&[page])), 1) {
            assert_eq!((pages[0].width, pages[0].height), (width, height));
        }
    }
}
