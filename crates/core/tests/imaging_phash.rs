//! Perceptual hash behaviour on synthetic screenshots: the distances the
//! matching threshold (`PHASH_MATCH_MAX_DISTANCE`) is chosen from.

#[path = "fixtures/imaging/gen.rs"]
mod gen;

use image::imageops::FilterType;
use image::{DynamicImage, ImageFormat, RgbImage};
use shotkeeper_core::imaging::{self, ImageLimits, PHASH_BITS, PHASH_MATCH_MAX_DISTANCE};

fn hash(img: &RgbImage) -> String {
    imaging::perceptual_hash(&DynamicImage::ImageRgb8(img.clone()))
}

fn dist(a: &str, b: &str) -> u32 {
    imaging::phash_distance(a, b).expect("comparable hashes")
}

#[test]
fn hash_format() {
    let h = hash(&gen::screenshot(1, true));
    assert_eq!(h.len() as u32, PHASH_BITS / 4);
    assert!(h
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
}

#[test]
fn same_screenshot_resized_is_near() {
    let shot = DynamicImage::ImageRgb8(gen::screenshot(1, true));
    let h = imaging::perceptual_hash(&shot);
    for (w, h2) in [(600, 400), (300, 200), (1800, 1200)] {
        let resized = shot.resize_exact(w, h2, FilterType::Triangle);
        let d = dist(&h, &imaging::perceptual_hash(&resized));
        assert!(d <= 8, "resized to {w}x{h2}: distance {d}");
    }
}

#[test]
fn re_encoded_as_jpeg_is_near() {
    let shot = DynamicImage::ImageRgb8(gen::screenshot(1, true));
    let jpeg = gen::encode(&shot, ImageFormat::Jpeg);
    let a = imaging::analyse(&jpeg, &ImageLimits::default());
    let d = dist(&imaging::perceptual_hash(&shot), &a.phash.expect("phash"));
    assert!(d <= 16, "jpeg distance {d}");
}

#[test]
fn slightly_edited_screenshot_is_near_but_not_equal() {
    let shot = gen::screenshot(1, true);
    let mut button = shot.clone();
    gen::fill(&mut button, 600, 300, 160, 40, [200, 60, 60]);
    let mut text = shot.clone();
    for i in 0..6 {
        gen::fill(&mut text, 250, 200 + i * 60, 400, 10, [255, 255, 255]);
        gen::fill(&mut text, 250, 200 + i * 60, 300, 10, [60, 60, 60]);
    }
    let mut banner = shot.clone();
    gen::fill(&mut banner, 220, 56, 980, 60, [255, 230, 150]);
    let h = hash(&shot);
    for (name, edited) in [("button", button), ("text", text), ("banner", banner)] {
        let d = dist(&h, &hash(&edited));
        assert!((1..=16).contains(&d), "{name}: distance {d}");
    }
}

#[test]
fn different_screenshots_are_far() {
    let shots = [
        gen::screenshot(2, true),
        gen::screenshot(3, false),
        gen::screenshot(4, true),
        gen::screenshot(5, true),
    ];
    let hashes: Vec<String> = shots.iter().map(hash).collect();
    for (i, a) in hashes.iter().enumerate() {
        for b in &hashes[i + 1..] {
            let d = dist(a, b);
            // Well clear of the threshold (40), as documented: 64 and above.
            assert!(d >= 64, "distance {d}");
        }
    }
    // And a photo-like picture is far from any screenshot.
    let picture = imaging::perceptual_hash(&gen::picture(1200, 800));
    assert!(dist(&picture, &hashes[0]) > PHASH_MATCH_MAX_DISTANCE);
}

#[test]
fn hashes_of_other_sizes_are_incomparable() {
    let h = hash(&gen::screenshot(1, true));
    assert_eq!(imaging::phash_distance(&h, &h[..16]), None);
    assert_eq!(imaging::phash_distance(&h, &"g".repeat(64)), None);
    assert_eq!(imaging::phash_distance(&h, &h.to_uppercase()), Some(0));
}
