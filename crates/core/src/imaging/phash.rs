//! Perceptual hash: "does this look like that screenshot".
//!
//! Algorithm: difference hash (image_hasher `HashAlg::Gradient`), 16x16 =
//! 256 bits, written as 64 lowercase hex digits. The image is first shrunk
//! to fit 256x256 by area averaging (cheap, and makes the hash independent of
//! the source resolution), composited over white when it has transparency
//! (transparent pixels carry arbitrary colour), converted to grey, resized
//! to 17x16 (Lanczos3), and each bit says whether a pixel is brighter than
//! its right neighbour.
//!
//! Why this one: screenshots are large flat areas with sharp UI edges. Mean
//! hashes saturate on mostly-white images and DCT hashes at 8x8 cannot tell
//! two pages of the same app apart; a 16x16 gradient hash separates them
//! well while staying stable under resizing and re-encoding. On synthetic
//! 1200x800 screenshots (see `tests/imaging_phash.rs`): the same image
//! resized 2-8 bits, re-encoded as JPEG ~3, with a changed button, a few
//! changed lines of text or a new banner 10-13; different pages of the same
//! app (same header and sidebar) 72-98.
//!
//! Distance scale (of 256 bits): 0 same look; 1-16 same screenshot with
//! small edits or re-encoding; 17-40 same screenshot, visibly changed;
//! above 64 a different image (two unrelated images average 128).

use image::{DynamicImage, GenericImageView, Rgba, RgbaImage};
use image_hasher::{HashAlg, HasherConfig};

/// Name of the algorithm, for logs and stored settings.
pub const PHASH_ALGORITHM: &str = "dhash-gradient-16x16";
/// Bits in a hash; hashes are `PHASH_BITS / 4` hex digits.
pub const PHASH_BITS: u32 = 256;
/// Default matching threshold: at most this distance means "the same
/// screenshot, changed". See the module documentation for the scale.
pub const PHASH_MATCH_MAX_DISTANCE: u32 = 40;

const HASH_SIDE: u32 = 16;
/// Pre-shrink target: hashing a 4K screenshot with Lanczos3 directly costs
/// ~100 ms; area-averaging first costs a few.
const PRESHRINK: u32 = 256;

/// The perceptual hash of decoded pixels (see the module docs).
pub fn perceptual_hash(img: &DynamicImage) -> String {
    let small = if img.width() > PRESHRINK || img.height() > PRESHRINK {
        // `DynamicImage::thumbnail`, byte for byte, without its per-pixel cost.
        super::shrink::thumbnail(img, PRESHRINK, PRESHRINK)
    } else {
        img.clone()
    };
    let flat = flatten_on_white(&small);
    let hasher = HasherConfig::new()
        .hash_alg(HashAlg::Gradient)
        .hash_size(HASH_SIDE, HASH_SIDE)
        .to_hasher();
    hex::encode(hasher.hash_image(&flat).as_bytes())
}

/// Hamming distance between two hashes of [`perceptual_hash`]; `None` when
/// they are not comparable (different lengths, not hex, empty).
pub fn phash_distance(a: &str, b: &str) -> Option<u32> {
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() || a.len() != b.len() {
        return None;
    }
    let (a, b) = (hex::decode(a).ok()?, hex::decode(b).ok()?);
    Some(a.iter().zip(&b).map(|(x, y)| (x ^ y).count_ones()).sum())
}

fn flatten_on_white(img: &DynamicImage) -> DynamicImage {
    if !img.color().has_alpha() {
        return img.clone();
    }
    let (w, h) = img.dimensions();
    let rgba = img.to_rgba8();
    let flat = RgbaImage::from_fn(w, h, |x, y| {
        let Rgba([r, g, b, a]) = *rgba.get_pixel(x, y);
        let over = |c: u8| ((u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a))) / 255) as u8;
        Rgba([over(r), over(g), over(b), 255])
    });
    DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(flat).to_rgb8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_has_documented_size() {
        let img = DynamicImage::new_rgb8(40, 30);
        let h = perceptual_hash(&img);
        assert_eq!(h.len() as u32, PHASH_BITS / 4);
        assert_eq!(phash_distance(&h, &h), Some(0));
    }

    #[test]
    fn incomparable_hashes() {
        assert_eq!(phash_distance("ab", "abcd"), None);
        assert_eq!(phash_distance("zz", "00"), None);
        assert_eq!(phash_distance("", ""), None);
        assert_eq!(phash_distance("ff", "0f"), Some(4));
    }

    #[test]
    fn transparent_pixels_count_as_white() {
        let clear = DynamicImage::ImageRgba8(RgbaImage::from_pixel(20, 20, Rgba([0, 0, 0, 0])));
        let white = DynamicImage::new_rgb8(20, 20).brighten(255);
        assert_eq!(perceptual_hash(&clear), perceptual_hash(&white));
    }
}
