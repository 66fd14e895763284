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

use image::{DynamicImage, GenericImageView, GrayImage, Rgba, RgbaImage};

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
pub(super) const PRESHRINK: u32 = 256;

/// The perceptual hash of decoded pixels (see the module docs).
pub fn perceptual_hash(img: &DynamicImage) -> String {
    if img.width() > PRESHRINK || img.height() > PRESHRINK {
        // `DynamicImage::thumbnail`, byte for byte, without its per-pixel cost.
        hash_of_preshrunk(&super::shrink::thumbnail(img, PRESHRINK, PRESHRINK))
    } else {
        hash_of_preshrunk(img)
    }
}

/// [`perceptual_hash`] of an image already fitting [`PRESHRINK`] (shrunk
/// by area averaging when it was larger).
pub(super) fn hash_of_preshrunk(small: &DynamicImage) -> String {
    let flat = flatten_on_white(small);
    hex::encode(gradient_hash(&flat.to_luma8()))
}

/// `image_hasher`'s `HashAlg::Gradient` at 16x16 (its defaults: Lanczos3,
/// least significant bit first) of an image already grey, bit for bit.
///
/// Why not call `image_hasher`: it resizes with `image::imageops::resize`,
/// which carries every pixel as four `f32` channels and reads them one
/// `get_pixel` at a time; on the 256 px grey image that was most of the
/// hash's cost. This is the same arithmetic on one channel, in the same
/// order for every output sample (so the same `f32` roundings and the same
/// bits; pinned by the tests against `image_hasher`), with the taps as the
/// outer loop so that the compiler vectorises the rows.
fn gradient_hash(grey: &GrayImage) -> Vec<u8> {
    let (w, h) = (HASH_SIDE + 1, HASH_SIDE);
    let small = lanczos3_grey(grey, w, h);
    let mut bits = vec![0u8; (HASH_SIDE * HASH_SIDE / 8) as usize];
    let comparisons = small
        .chunks_exact(w as usize)
        .flat_map(|row| row.windows(2).map(|p| p[0] < p[1]));
    for (i, brighter) in comparisons.enumerate() {
        bits[i / 8] |= u8::from(brighter) << (i % 8);
    }
    bits
}

/// `image::imageops::resize(grey, nw, nh, FilterType::Lanczos3)`'s bytes.
fn lanczos3_grey(src: &GrayImage, nw: u32, nh: u32) -> Vec<u8> {
    let (w, h) = src.dimensions();
    if w == 0 || h == 0 {
        return vec![0; (nw * nh) as usize];
    }
    if (w, h) == (nw, nh) {
        return src.as_raw().clone();
    }
    let (w, raw) = (w as usize, src.as_raw());
    // Columns first, as `image` does: nh rows of w samples, kept as f32.
    let mut columns = vec![0f32; w * nh as usize];
    for (row, (left, weights)) in columns.chunks_exact_mut(w).zip(lanczos3_taps(h, nh)) {
        for (i, &k) in weights.iter().enumerate() {
            let src_row = &raw[(left + i) * w..(left + i + 1) * w];
            for (t, &v) in row.iter_mut().zip(src_row) {
                *t += f32::from(v) * k;
            }
        }
    }
    let mut out = vec![0u8; (nw * nh) as usize];
    for (outx, (left, weights)) in lanczos3_taps(w as u32, nw).into_iter().enumerate() {
        for (y, row) in columns.chunks_exact(w).enumerate() {
            let mut t = 0f32;
            for (&v, &k) in row[left..].iter().zip(&weights) {
                t += v * k;
            }
            out[y * nw as usize + outx] = t.clamp(0.0, 255.0).round() as u8;
        }
    }
    out
}

/// For each output index, the first source index and the normalised
/// Lanczos3 weights of the sources from there, computed as `image`'s
/// `vertical_sample` and `horizontal_sample` do.
fn lanczos3_taps(src: u32, dst: u32) -> Vec<(usize, Vec<f32>)> {
    let ratio = src as f32 / dst as f32;
    let sratio = if ratio < 1.0 { 1.0 } else { ratio };
    let support = 3.0 * sratio;
    (0..dst)
        .map(|o| {
            let centre = (o as f32 + 0.5) * ratio;
            let left = ((centre - support).floor() as i64).clamp(0, i64::from(src) - 1);
            let right = ((centre + support).ceil() as i64).clamp(left + 1, i64::from(src));
            let centre = centre - 0.5;
            let mut weights: Vec<f32> = (left..right)
                .map(|i| lanczos3((i as f32 - centre) / sratio))
                .collect();
            let mut sum = 0.0;
            for &k in &weights {
                sum += k;
            }
            for k in &mut weights {
                *k /= sum;
            }
            (left as usize, weights)
        })
        .collect()
}

/// `image`'s Lanczos kernel with a window of 3.
fn lanczos3(x: f32) -> f32 {
    let sinc = |t: f32| {
        let a = t * std::f32::consts::PI;
        if t == 0.0 {
            1.0
        } else {
            a.sin() / a
        }
    };
    if x.abs() < 3.0 {
        sinc(x) * sinc(x / 3.0)
    } else {
        0.0
    }
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
    fn same_bits_as_image_hasher() {
        use image_hasher::{HashAlg, HasherConfig};
        let hasher = HasherConfig::new()
            .hash_alg(HashAlg::Gradient)
            .hash_size(HASH_SIDE, HASH_SIDE)
            .to_hasher();
        // Busy noise, smooth ramps and flat areas with edges, at the
        // pre-shrunk sizes screenshots reach and at sizes the resize
        // enlarges (ratio under 1) or leaves alone (17x16).
        let sizes = [
            (256, 160),
            (256, 256),
            (160, 256),
            (255, 7),
            (17, 16),
            (5, 3),
            (1, 1),
            (40, 300),
        ];
        for (w, h) in sizes {
            let noise = GrayImage::from_fn(w, h, |x, y| {
                image::Luma([(x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) as u8])
            });
            let ramp =
                GrayImage::from_fn(w, h, |x, y| image::Luma([((x * 3 + y * 5) % 256) as u8]));
            let ui = GrayImage::from_fn(w, h, |x, y| {
                let edge = x % 37 < 3 || (y / 11) % 4 == 0;
                image::Luma([if edge { 40 } else { 250 }])
            });
            for grey in [noise, ramp, ui] {
                let theirs = hasher.hash_image(&grey);
                assert_eq!(gradient_hash(&grey), theirs.as_bytes(), "{w}x{h}");
            }
        }
    }

    /// The whole pipeline against the one it replaced (pre-shrink,
    /// flatten, then `image_hasher` on the `DynamicImage`), on a
    /// screenshot-sized image of every 8-bit colour type.
    #[test]
    fn same_hash_as_image_hasher_on_screenshots() {
        use image_hasher::{HashAlg, HasherConfig};
        let hasher = HasherConfig::new()
            .hash_alg(HashAlg::Gradient)
            .hash_size(HASH_SIDE, HASH_SIDE)
            .to_hasher();
        let px = |x: u32, y: u32, k: u32| -> u8 {
            let panel = x < 240 || y < 60;
            let text = (y % 18 < 9) && !(x / 7 + y / 18 + k).is_multiple_of(5);
            match (panel, text) {
                (true, _) => 30 + (k * 40) as u8,
                (false, true) => ((x * 7 + y * 3 + k * 50) % 256) as u8,
                (false, false) => 250,
            }
        };
        let (w, h) = (1280, 800);
        let images = [
            DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
                image::Rgb([px(x, y, 0), px(x, y, 1), px(x, y, 2)])
            })),
            DynamicImage::ImageRgba8(RgbaImage::from_fn(w, h, |x, y| {
                Rgba([
                    px(x, y, 0),
                    px(x, y, 1),
                    px(x, y, 2),
                    if x % 100 < 10 { 0 } else { 200 },
                ])
            })),
            DynamicImage::ImageLuma8(GrayImage::from_fn(w, h, |x, y| image::Luma([px(x, y, 1)]))),
            DynamicImage::ImageLumaA8(image::GrayAlphaImage::from_fn(w, h, |x, y| {
                image::LumaA([px(x, y, 2), (y % 256) as u8])
            })),
        ];
        for img in images {
            let small = super::super::shrink::thumbnail(&img, PRESHRINK, PRESHRINK);
            let theirs = hex::encode(hasher.hash_image(&flatten_on_white(&small)).as_bytes());
            assert_eq!(perceptual_hash(&img), theirs, "{:?}", img.color());
        }
    }

    #[test]
    fn transparent_pixels_count_as_white() {
        let clear = DynamicImage::ImageRgba8(RgbaImage::from_pixel(20, 20, Rgba([0, 0, 0, 0])));
        let white = DynamicImage::new_rgb8(20, 20).brighten(255);
        assert_eq!(perceptual_hash(&clear), perceptual_hash(&white));
    }
}
