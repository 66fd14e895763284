//! `imaging::analyse` on every format and on the bad input help centers
//! really serve: truncated files, HTML pages, empty bodies, bombs.

#[path = "fixtures/imaging/gen.rs"]
mod gen;

use std::time::{Duration, Instant};

use image::{DynamicImage, ImageFormat};
use proptest::prelude::*;
use shotkeeper_core::imaging::{self, ImageLimits};

const EMPTY_SHA: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn limits() -> ImageLimits {
    ImageLimits::default()
}

#[test]
fn every_raster_format_is_sniffed_and_decoded() {
    let pic = gen::picture(64, 48);
    let formats = [
        (ImageFormat::Png, "png"),
        (ImageFormat::Jpeg, "jpeg"),
        (ImageFormat::Gif, "gif"),
        (ImageFormat::WebP, "webp"),
        (ImageFormat::Bmp, "bmp"),
    ];
    for (format, kind) in formats {
        let bytes = gen::encode(&pic, format);
        assert_eq!(imaging::sniff_kind(&bytes), kind);
        let a = imaging::analyse(&bytes, &limits());
        assert_eq!(a.kind, kind);
        assert_eq!((a.width, a.height), (64, 48), "{kind}");
        assert_eq!(a.size, bytes.len() as u64);
        assert_eq!(a.sha256, imaging::sha256_hex(&bytes));
        assert_eq!(a.sha256.len(), 64);
        assert!(a.phash.is_some(), "{kind}");
        assert_eq!(a.problem, None, "{kind}");
    }
}

#[test]
fn formats_without_a_decoder_report_header_sizes() {
    let a = imaging::analyse(&gen::ico(), &limits());
    assert_eq!((a.kind.as_str(), a.width, a.height), ("ico", 48, 48));
    let a = imaging::analyse(&gen::avif_head(1920, 1080), &limits());
    assert_eq!((a.kind.as_str(), a.width, a.height), ("avif", 1920, 1080));
    assert_eq!(a.phash, None);
    assert_eq!(a.problem, None);
}

#[test]
fn svg_has_declared_size_and_no_phash() {
    let svg = br#"<?xml version="1.0" encoding="UTF-8"?>
<!-- Generator: hand -->
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 360"><rect width="10" height="10"/></svg>"#;
    let a = imaging::analyse(svg, &limits());
    assert_eq!((a.kind.as_str(), a.width, a.height), ("svg", 640, 360));
    assert_eq!(a.phash, None);
    assert_eq!(a.problem, None);
    assert!(imaging::make_thumbnail(svg, 100, &limits()).is_err());
    let (_, thumb) = imaging::analyse_with_thumbnail(svg, &limits(), 100);
    assert!(thumb.is_none());
}

#[test]
fn truncated_png_is_a_problem_not_a_panic() {
    let full = gen::png(300, 200);
    let cut = &full[..full.len() / 2];
    let a = imaging::analyse(cut, &limits());
    assert_eq!(a.kind, "png");
    let problem = a.problem.expect("problem");
    assert!(problem.starts_with("truncated PNG"), "{problem}");
    assert_eq!(a.sha256, imaging::sha256_hex(cut));
    assert_eq!(a.size, cut.len() as u64);
    assert_eq!((a.width, a.height, a.phash), (0, 0, None));
}

#[test]
fn every_prefix_of_every_format_is_handled() {
    // Cuts at every length of small files: no panic, and every cut is
    // either decoded or explained.
    let pic = gen::picture(24, 16);
    for format in [
        ImageFormat::Png,
        ImageFormat::Jpeg,
        ImageFormat::Gif,
        ImageFormat::WebP,
        ImageFormat::Bmp,
    ] {
        let bytes = gen::encode(&pic, format);
        for len in 0..bytes.len() {
            let a = imaging::analyse(&bytes[..len], &limits());
            assert!(
                a.problem.is_some() || a.phash.is_some(),
                "{format:?} cut at {len}"
            );
        }
    }
}

#[test]
fn html_served_as_an_image() {
    let page =
        b"\n<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>...</body></html>";
    let a = imaging::analyse(page, &limits());
    assert_eq!(a.kind, "unknown");
    assert_eq!(
        a.problem
            .as_deref()
            .map(|p| p.starts_with("HTML page served as an image")),
        Some(true)
    );
    assert_eq!((a.width, a.height, a.phash), (0, 0, None));
    assert_eq!(a.sha256, imaging::sha256_hex(page));
}

#[test]
fn storage_errors_and_json_are_named() {
    let xml =
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code></Error>";
    let a = imaging::analyse(xml, &limits());
    assert!(a
        .problem
        .as_deref()
        .is_some_and(|p| p.starts_with("XML document")));
    let a = imaging::analyse(br#"{"message":"Not Found"}"#, &limits());
    assert!(a.problem.as_deref().is_some_and(|p| p.starts_with("JSON")));
}

#[test]
fn zero_bytes() {
    let a = imaging::analyse(&[], &limits());
    assert_eq!(a.kind, "unknown");
    assert_eq!(a.size, 0);
    assert_eq!(a.sha256, EMPTY_SHA);
    assert!(a.problem.is_some());
    assert!(imaging::make_thumbnail(&[], 64, &limits()).is_err());
}

#[test]
fn huge_dimensions_are_refused_from_the_header() {
    let bomb = gen::png_claiming(100_000, 100_000);
    let started = Instant::now();
    let a = imaging::analyse(&bomb, &limits());
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(a.kind, "png");
    assert_eq!(
        a.problem.as_deref(),
        Some("image is 100000x100000, over the 16384 px limit")
    );
    assert_eq!((a.width, a.height, a.phash), (0, 0, None));
    assert!(imaging::make_thumbnail(&bomb, 64, &limits()).is_err());
}

#[test]
fn allocation_cap_is_checked_before_decoding() {
    // 16000x16000 RGBA is within the pixel limits but needs ~1 GiB.
    let a = imaging::analyse(&gen::png_claiming(16_000, 16_000), &limits());
    let problem = a.problem.expect("problem");
    assert!(
        problem.contains("needs 976.6 MiB to decode, over the 512.0 MiB limit"),
        "{problem}"
    );

    let small_cap = ImageLimits {
        max_alloc: 64 * 1024,
        ..limits()
    };
    let a = imaging::analyse(&gen::png(200, 200), &small_cap);
    assert!(a
        .problem
        .is_some_and(|p| p.contains("over the 64 KiB limit")));
}

#[test]
fn file_size_limit() {
    let tight = ImageLimits {
        max_bytes: 100,
        ..limits()
    };
    let a = imaging::analyse(&gen::png(64, 64), &tight);
    assert!(a
        .problem
        .is_some_and(|p| p.contains("over the 100 bytes limit")));
}

#[test]
fn thumbnails_keep_aspect_ratio() {
    let cases = [
        ((1200, 800), (320, 213)),
        ((100, 1000), (32, 320)),
        ((50, 40), (50, 40)),
    ];
    for ((w, h), want) in cases {
        let thumb = imaging::make_thumbnail(&gen::png(w, h), 320, &limits()).expect("thumbnail");
        assert_eq!(imaging::sniff_kind(&thumb), "png");
        let img = image::load_from_memory(&thumb).expect("thumbnail decodes");
        assert_eq!((img.width(), img.height()), want, "{w}x{h}");
    }
    assert!(imaging::make_thumbnail(&gen::png(10, 10), 0, &limits()).is_err());
}

#[test]
fn analyse_with_thumbnail_decodes_once_and_agrees() {
    let bytes = gen::encode(&gen::picture(640, 480), ImageFormat::Jpeg);
    let plain = imaging::analyse(&bytes, &limits());
    let (a, thumb) = imaging::analyse_with_thumbnail(&bytes, &limits(), 160);
    assert_eq!(a, plain);
    let img = image::load_from_memory(&thumb.expect("thumbnail")).expect("png");
    assert_eq!((img.width(), img.height()), (160, 120));
    let decoded = imaging::decode(&bytes, &limits()).expect("decode");
    assert_eq!(a.phash, Some(imaging::perceptual_hash(&decoded)));
}

#[test]
fn alpha_images_keep_alpha_in_thumbnails() {
    let rgba = DynamicImage::ImageRgba8(gen::picture(40, 20).to_rgba8());
    let thumb = imaging::make_thumbnail(&gen::encode(&rgba, ImageFormat::Png), 10, &limits());
    let img = image::load_from_memory(&thumb.expect("thumbnail")).expect("png");
    assert!(img.color().has_alpha());
}

#[test]
fn file_names() {
    let cases = [
        (
            "https://static.helpjuice.com/up/34907/direct/1781098199552/billing.png",
            "billing.png",
        ),
        (
            "https://x.io/i/o/upload_1.png?expires=1&sig=abc#frag",
            "upload_1.png",
        ),
        (
            "https://x.io/a/Screen%20Shot%202024.PNG",
            "Screen Shot 2024.PNG",
        ),
        ("data:image/jpeg;base64,/9j/4AAQ", "inline-image.jpg"),
        ("https://x.io/", ""),
    ];
    for (url, want) in cases {
        assert_eq!(imaging::file_name_from_url(url), want);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Arbitrary bytes, with and without an image signature in front.
    #[test]
    fn analyse_never_panics(
        prefix in prop::sample::select(vec![
            b"".to_vec(), b"\x89PNG\r\n\x1a\n".to_vec(), vec![0xFF, 0xD8, 0xFF], b"GIF89a".to_vec(),
            b"RIFF\x10\0\0\0WEBPVP8L".to_vec(), b"BM".to_vec(), vec![0, 0, 1, 0], b"<svg ".to_vec(),
        ]),
        body in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut bytes = prefix;
        bytes.extend(body);
        let a = imaging::analyse(&bytes, &ImageLimits::default());
        prop_assert_eq!(a.size, bytes.len() as u64);
        prop_assert_eq!(a.sha256, imaging::sha256_hex(&bytes));
    }

    #[test]
    fn file_names_never_panic(url in ".{0,60}") {
        // Any string, any character boundary: a name or "", never a panic.
        let name = imaging::file_name_from_url(&url);
        let inline = url.trim().to_ascii_lowercase().starts_with("data:");
        prop_assert!(inline || name.chars().count() <= url.chars().count());
    }

    /// A valid PNG with a few bytes flipped: decoded or explained, never a panic.
    #[test]
    fn damaged_png_never_panics(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)) {
        let mut bytes = gen::png(32, 24);
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let a = imaging::analyse(&bytes, &ImageLimits::default());
        prop_assert!(a.problem.is_some() || a.phash.is_some());
    }
}
