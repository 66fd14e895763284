//! The area-averaging downscale of `image`'s `DynamicImage::thumbnail`,
//! computed over the raw 8-bit samples instead of pixel by pixel.
//!
//! Why by hand and not with a SIMD resizer such as `fast_image_resize`:
//! the perceptual hashes already stored (and compared by matching) were made
//! from `thumbnail`'s exact output, and a resizer with other rounding shifts
//! them. This module gives the same bytes, pinned by the tests below against
//! `image` itself, in one pass that sums each block of source rows into
//! column totals (a loop the compiler vectorises) and then each block of
//! columns: about ten times faster on a 1280x800 screenshot than the generic
//! per-pixel path, so that both the hash's 256 px image and the 320 px
//! thumbnail cost less than decoding.
//!
//! `image`'s algorithm: output pixel (ox, oy) averages source columns
//! `ceil(ox*rx) .. ceil(ox*rx + rx)` and rows likewise (`f32` ratios,
//! clamped to the image), rounding half up. When a window holds no whole
//! source pixel (enlarging), `image` blends neighbours instead; such
//! sizes, and sample types other than 8 bits, go to `image` unchanged.

use image::{DynamicImage, ImageBuffer, Pixel};

/// `DynamicImage::thumbnail(max_w, max_h)`, byte for byte, fast for 8-bit
/// grey, grey+alpha, RGB and RGBA.
pub fn thumbnail(img: &DynamicImage, max_w: u32, max_h: u32) -> DynamicImage {
    let (w, h) = fit(img.width(), img.height(), max_w, max_h);
    let fast = match img {
        DynamicImage::ImageLuma8(b) => shrink_buffer(b, w, h).map(DynamicImage::ImageLuma8),
        DynamicImage::ImageLumaA8(b) => shrink_buffer(b, w, h).map(DynamicImage::ImageLumaA8),
        DynamicImage::ImageRgb8(b) => shrink_buffer(b, w, h).map(DynamicImage::ImageRgb8),
        DynamicImage::ImageRgba8(b) => shrink_buffer(b, w, h).map(DynamicImage::ImageRgba8),
        _ => None,
    };
    fast.unwrap_or_else(|| img.thumbnail_exact(w, h))
}

/// The size `DynamicImage::thumbnail` picks: the largest that fits, aspect
/// kept (may enlarge; callers check first).
pub(super) fn fit(width: u32, height: u32, max_w: u32, max_h: u32) -> (u32, u32) {
    let ratio = f64::min(
        f64::from(max_w) / f64::from(width),
        f64::from(max_h) / f64::from(height),
    );
    let nw = ((f64::from(width) * ratio).round() as u64).max(1);
    let nh = ((f64::from(height) * ratio).round() as u64).max(1);
    (
        nw.min(u64::from(u32::MAX)) as u32,
        nh.min(u64::from(u32::MAX)) as u32,
    )
}

/// Source windows `(start, end)` of each output index, as `image` computes
/// them; `None` when one holds no whole source sample.
fn windows(src: u32, dst: u32) -> Option<Vec<(usize, usize)>> {
    if src == 0 || dst == 0 {
        return None;
    }
    let ratio = src as f32 / dst as f32;
    (0..dst)
        .map(|o| {
            let startf = o as f32 * ratio;
            let endf = startf + ratio;
            let start = (startf.ceil() as u32).clamp(0, src - 1);
            let end = (endf.ceil() as u32).clamp(start, src);
            (start < end).then_some((start as usize, end as usize))
        })
        .collect()
}

/// The column and row windows of a `w`x`h` to `nw`x`nh` shrink, or `None`
/// when this module does not compute it (a window with no whole source
/// pixel, or sums that could overflow).
pub(super) fn block_windows(w: u32, h: u32, nw: u32, nh: u32) -> Option<Windows> {
    let xs = windows(w, nw)?;
    let ys = windows(h, nh)?;
    // Sums are u32: refuse windows whose total could overflow (never for
    // images within the decode limits, whose windows are a few dozen wide).
    if (widest(&xs) as u64) * (widest(&ys) as u64) * 255 > u64::from(u32::MAX) {
        return None;
    }
    Some((xs, ys))
}

/// Column windows and row windows, `(start, end)` source indices.
pub(super) type Windows = (Vec<(usize, usize)>, Vec<(usize, usize)>);

/// The most source indices one window holds.
pub(super) fn widest(ws: &[(usize, usize)]) -> usize {
    ws.iter().map(|(a, b)| b - a).max().unwrap_or(0)
}

fn shrink_buffer<P>(
    src: &ImageBuffer<P, Vec<u8>>,
    nw: u32,
    nh: u32,
) -> Option<ImageBuffer<P, Vec<u8>>>
where
    P: Pixel<Subpixel = u8>,
{
    let (w, h) = src.dimensions();
    let (xs, ys) = block_windows(w, h, nw, nh)?;
    let out = match P::CHANNEL_COUNT {
        1 => shrink_raw::<1>(src.as_raw(), w as usize, &xs, &ys),
        2 => shrink_raw::<2>(src.as_raw(), w as usize, &xs, &ys),
        3 => shrink_raw::<3>(src.as_raw(), w as usize, &xs, &ys),
        4 => shrink_raw::<4>(src.as_raw(), w as usize, &xs, &ys),
        _ => return None,
    };
    ImageBuffer::from_raw(nw, nh, out)
}

/// The block averages of `C`-channel rows `w` pixels wide.
fn shrink_raw<const C: usize>(
    raw: &[u8],
    w: usize,
    xs: &[(usize, usize)],
    ys: &[(usize, usize)],
) -> Vec<u8> {
    let stride = w * C;
    let mut block = BlockSums::new(stride, xs.len() * ys.len() * C);
    for &(y0, y1) in ys {
        block.push::<C>(raw[y0 * stride..y1 * stride].chunks_exact(stride), xs);
    }
    block.out
}

/// One output row at a time: each block of source rows is first summed
/// into per-column totals (u16 while a block has at most 257 rows, so that
/// twice as many lanes fit a vector register), then each block of columns
/// is summed per channel and rounded half up.
pub(super) struct BlockSums {
    narrow: Vec<u16>,
    wide: Vec<u32>,
    pub(super) out: Vec<u8>,
}

impl BlockSums {
    pub(super) fn new(stride: usize, out_len: usize) -> Self {
        BlockSums {
            narrow: vec![0; stride],
            wide: vec![0; stride],
            out: Vec::with_capacity(out_len),
        }
    }

    /// Appends the output row averaging `rows` over the column windows `xs`.
    pub(super) fn push<'a, const C: usize>(
        &mut self,
        rows: impl ExactSizeIterator<Item = &'a [u8]>,
        xs: &[(usize, usize)],
    ) {
        let n_rows = rows.len() as u32;
        let columns: &[u32] = if n_rows <= 257 {
            self.narrow.fill(0);
            for row in rows {
                for (sum, &v) in self.narrow.iter_mut().zip(row) {
                    *sum += u16::from(v);
                }
            }
            for (d, &s) in self.wide.iter_mut().zip(&self.narrow) {
                *d = u32::from(s);
            }
            &self.wide
        } else {
            self.wide.fill(0);
            for row in rows {
                for (sum, &v) in self.wide.iter_mut().zip(row) {
                    *sum += u32::from(v);
                }
            }
            &self.wide
        };
        // Windows take one or two widths (a ratio between integers), so a
        // few reciprocals serve the whole row.
        let mut means = [RoundedMean::new(1); 4];
        for &(x0, x1) in xs {
            let mut acc = [0u32; C];
            for px in columns[x0 * C..x1 * C].chunks_exact(C) {
                for (a, &v) in acc.iter_mut().zip(px) {
                    *a += v;
                }
            }
            let n = (x1 - x0) as u32 * n_rows;
            let mean = match means.iter().position(|m| m.n == n) {
                Some(i) => means[i],
                None => {
                    means.rotate_right(1);
                    means[0] = RoundedMean::new(n);
                    means[0]
                }
            };
            self.out.extend(acc.iter().map(|&s| mean.of(s)));
        }
    }
}

/// `((s + n / 2) / n).min(255)`, `image`'s rounded mean of `n` samples
/// summing to `s`, with the division done as a multiplication.
///
/// Why: one integer division per output sample was the largest single
/// cost of a shrink (a 32-bit `div` has a throughput of several cycles).
/// Windows take a few sizes, so each reciprocal is computed once a row.
/// Exact: with `m = ceil(2^40 / n)` and `x = s + n/2 < 256 n` (the sum of
/// `n` bytes plus half), `x * m / 2^40` differs from `x / n` by
/// `x * (m * n - 2^40) / (n * 2^40) < 256 n * n / (n * 2^40)`, less than
/// the `1/n` that separates `x / n` from the next integer while
/// `n < 2^16`; larger windows divide.
#[derive(Clone, Copy)]
struct RoundedMean {
    n: u32,
    half: u32,
    magic: u64,
}

impl RoundedMean {
    const SHIFT: u32 = 40;

    fn new(n: u32) -> Self {
        let n = n.max(1);
        let magic = if n < 1 << 16 {
            (1u64 << Self::SHIFT).div_ceil(u64::from(n))
        } else {
            0
        };
        RoundedMean {
            n,
            half: n / 2,
            magic,
        }
    }

    #[inline]
    fn of(&self, sum: u32) -> u8 {
        let x = sum + self.half;
        let q = if self.magic != 0 {
            ((u64::from(x) * self.magic) >> Self::SHIFT) as u32
        } else {
            x / self.n
        };
        q.min(255) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayAlphaImage, GrayImage, RgbImage, RgbaImage};

    /// Deterministic busy pixels: every sample differs from its neighbours.
    fn sample(x: u32, y: u32, k: u32) -> u8 {
        (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503) ^ k.wrapping_mul(97)) as u8
    }

    fn images(w: u32, h: u32) -> Vec<DynamicImage> {
        vec![
            DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| {
                image::Rgb([sample(x, y, 0), sample(x, y, 1), sample(x, y, 2)])
            })),
            DynamicImage::ImageRgba8(RgbaImage::from_fn(w, h, |x, y| {
                image::Rgba([sample(x, y, 3), sample(x, y, 4), 9, sample(x, y, 5)])
            })),
            DynamicImage::ImageLuma8(GrayImage::from_fn(w, h, |x, y| {
                image::Luma([sample(x, y, 6)])
            })),
            DynamicImage::ImageLumaA8(GrayAlphaImage::from_fn(w, h, |x, y| {
                image::LumaA([sample(x, y, 7), sample(x, y, 8)])
            })),
        ]
    }

    #[test]
    fn same_bytes_as_image_thumbnail() {
        // Screenshot sizes, odd ratios, one side already small, a strip.
        let sizes = [
            (1280, 800),
            (1281, 799),
            (640, 400),
            (1000, 100),
            (300, 7),
            (257, 256),
            (2000, 3000),
            (333, 1),
            (10, 6),
        ];
        for (w, h) in sizes {
            for img in images(w, h) {
                for side in [256, 320, 17] {
                    let ours = thumbnail(&img, side, side);
                    let theirs = img.thumbnail(side, side);
                    assert_eq!(
                        (ours.width(), ours.height()),
                        (theirs.width(), theirs.height()),
                        "{w}x{h} {:?} to {side}",
                        img.color()
                    );
                    assert!(
                        ours.as_bytes() == theirs.as_bytes(),
                        "{w}x{h} {:?} to {side}: pixels differ",
                        img.color()
                    );
                }
            }
        }
    }

    /// Every sum a window of `n` bytes can have, for every window up to
    /// 300 samples, and the ends of the range up to the largest multiplied.
    #[test]
    fn rounded_mean_is_the_division() {
        let check = |n: u32, s: u32| {
            let want = ((s + n / 2) / n).min(255) as u8;
            assert_eq!(RoundedMean::new(n).of(s), want, "n={n} s={s}");
        };
        for n in 1..=300 {
            for s in 0..=255 * n {
                check(n, s);
            }
        }
        for n in [301, 1000, 4097, 65_535, 65_536, 1 << 20] {
            for s in (0..64).chain((255 * n - 64)..=255 * n) {
                check(n, s);
            }
            for k in 0..=255 {
                for d in [0, 1, n / 2, n - 1] {
                    check(n, (k * n + d).min(255 * n));
                }
            }
        }
    }

    #[test]
    fn sixteen_bit_images_go_to_image() {
        let img = DynamicImage::ImageRgb16(ImageBuffer::from_fn(600, 400, |x, y| {
            image::Rgb([x as u16 * 99, y as u16 * 7, 3])
        }));
        assert_eq!(
            thumbnail(&img, 256, 256).as_bytes(),
            img.thumbnail(256, 256).as_bytes()
        );
    }
}
