//! PNG screenshots shrunk as they are decoded, one row at a time.
//!
//! Import needs two small images of each download: the 256 px one the
//! perceptual hash starts from and the 320 px thumbnail. Decoding a
//! 1280x800 screenshot whole writes 3 MB of pixels that both shrinks then
//! read back from memory; here each row goes from the `png` crate's
//! decoder into a ring of the last few rows, still in the CPU's cache,
//! and both shrinks take their blocks of rows from there. No full-size
//! buffer is allocated, zeroed or read.
//!
//! The pixels are the ones `image`'s PNG decoder gives (the same `png`
//! reader with `Transformations::EXPAND`, rows read the way its
//! `next_frame` reads them) and the shrinks are [`super::shrink`]'s, so the
//! hashes and thumbnails are the same bytes as from the whole image; the
//! tests below compare them. Anything this path does not cover (16-bit
//! samples, interlaced or animated files, images no larger than the
//! shrinks, a decoder error) returns `None`, and the caller decodes the
//! whole image as before: the same result, or the same problem text.

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use image::{DynamicImage, ImageBuffer, Pixel};

use super::shrink::{block_windows, fit, widest, BlockSums, Windows};
use super::ImageLimits;

/// A PNG's size and its two shrinks.
pub(super) struct Shrunk {
    pub width: u32,
    pub height: u32,
    /// Fits `hash_side` x `hash_side`: what the perceptual hash starts from.
    pub for_hash: DynamicImage,
    /// Fits `thumb_side` x `thumb_side`, when one was asked for: the
    /// thumbnail's pixels.
    pub for_thumbnail: Option<DynamicImage>,
}

/// Decodes `bytes` (a PNG) a row at a time into both shrinks; `None` when
/// this path does not apply (see the module documentation).
pub(super) fn shrink_png(
    bytes: &[u8],
    limits: &ImageLimits,
    hash_side: u32,
    thumb_side: Option<u32>,
) -> Option<Shrunk> {
    // A decoder panic on hostile input falls back like any other failure;
    // the whole-image path then reports it.
    catch_unwind(AssertUnwindSafe(|| {
        shrink_checked(bytes, limits, hash_side, thumb_side)
    }))
    .ok()
    .flatten()
}

/// The `png` reader, as `image`'s PNG decoder sets it up.
type Reader<'a> = png::Reader<Cursor<&'a [u8]>>;

fn shrink_checked(
    bytes: &[u8],
    limits: &ImageLimits,
    hash_side: u32,
    thumb_side: Option<u32>,
) -> Option<Shrunk> {
    let cap = usize::try_from(limits.max_alloc).unwrap_or(usize::MAX);
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(bytes), png::Limits { bytes: cap });
    // As `image` does: text chunks are parsed (a damaged one fails both paths alike).
    decoder.set_ignore_text_chunk(false);
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().ok()?;
    let info = reader.info();
    let (w, h) = (info.width, info.height);
    if info.interlaced || info.is_animated() || w > limits.max_width || h > limits.max_height {
        return None;
    }
    let (color, depth) = reader.output_color_type();
    let channels = color.samples();
    // The whole image must be within the allocation cap here too, so that
    // both paths accept and refuse the same files.
    let whole = u64::from(w) * u64::from(h) * channels as u64;
    if depth != png::BitDepth::Eight || whole > limits.max_alloc {
        return None;
    }
    // Images that fit a side are used as they are, not shrunk.
    if w.max(h) <= hash_side.max(thumb_side.unwrap_or(0)) {
        return None;
    }
    let mut targets = vec![Target::new(w, h, channels, hash_side)?];
    if let Some(side) = thumb_side {
        targets.push(Target::new(w, h, channels, side)?);
    }
    match channels {
        1 => read_rows::<1>(&mut reader, w, &mut targets)?,
        2 => read_rows::<2>(&mut reader, w, &mut targets)?,
        3 => read_rows::<3>(&mut reader, w, &mut targets)?,
        4 => read_rows::<4>(&mut reader, w, &mut targets)?,
        _ => return None,
    }
    let mut images = targets.into_iter().map(|t| t.finish(channels));
    Some(Shrunk {
        width: w,
        height: h,
        for_hash: images.next()??,
        for_thumbnail: images.next().flatten(),
    })
}

/// One shrink being filled: its windows, output size and the next output
/// row to make.
struct Target {
    size: (u32, u32),
    windows: Windows,
    next_row: usize,
    sums: BlockSums,
}

impl Target {
    fn new(w: u32, h: u32, channels: usize, side: u32) -> Option<Target> {
        let (nw, nh) = fit(w, h, side, side);
        let windows = block_windows(w, h, nw, nh)?;
        Some(Target {
            size: (nw, nh),
            sums: BlockSums::new(w as usize * channels, (nw * nh) as usize * channels),
            windows,
            next_row: 0,
        })
    }

    /// Makes every output row whose last source row is `y`.
    fn row_done<const C: usize>(&mut self, y: usize, ring: &Ring) {
        let (xs, ys) = &self.windows;
        while let Some(&(y0, y1)) = ys.get(self.next_row) {
            if y1 != y + 1 {
                break;
            }
            self.sums.push::<C>((y0..y1).map(|r| ring.row(r)), xs);
            self.next_row += 1;
        }
    }

    fn finish(self, channels: usize) -> Option<DynamicImage> {
        let (w, h) = self.size;
        let raw = self.sums.out;
        Some(match channels {
            1 => DynamicImage::ImageLuma8(buffer(w, h, raw)?),
            2 => DynamicImage::ImageLumaA8(buffer(w, h, raw)?),
            3 => DynamicImage::ImageRgb8(buffer(w, h, raw)?),
            4 => DynamicImage::ImageRgba8(buffer(w, h, raw)?),
            _ => return None,
        })
    }
}

fn buffer<P: Pixel<Subpixel = u8>>(
    w: u32,
    h: u32,
    raw: Vec<u8>,
) -> Option<ImageBuffer<P, Vec<u8>>> {
    ImageBuffer::from_raw(w, h, raw)
}

/// The last `rows` decoded rows, each `stride` bytes, row `y` in slot `y % rows`.
struct Ring {
    buf: Vec<u8>,
    stride: usize,
    rows: usize,
}

impl Ring {
    fn slot(&mut self, y: usize) -> &mut [u8] {
        let at = (y % self.rows) * self.stride;
        &mut self.buf[at..at + self.stride]
    }

    fn row(&self, y: usize) -> &[u8] {
        let at = (y % self.rows) * self.stride;
        &self.buf[at..at + self.stride]
    }
}

/// Decodes every row into the ring and hands each to the shrinks, then
/// reads to the end of the image data as `next_frame` does (so that a
/// damaged end fails here as it fails there).
fn read_rows<const C: usize>(
    reader: &mut Reader<'_>,
    w: u32,
    targets: &mut [Target],
) -> Option<()> {
    let stride = w as usize * C;
    // Every window's rows are in the ring when its last row arrives.
    let rows = targets.iter().map(|t| widest(&t.windows.1)).max()?.max(1);
    let mut ring = Ring {
        buf: vec![0; rows * stride],
        stride,
        rows,
    };
    let height = reader.info().height as usize;
    for y in 0..height {
        reader.read_row(ring.slot(y)).ok()??;
        for t in targets.iter_mut() {
            t.row_done::<C>(y, &ring);
        }
    }
    if !matches!(reader.read_row(&mut []), Ok(None)) {
        return None;
    }
    let complete = targets.iter().all(|t| t.next_row == t.windows.1.len());
    complete.then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::{ExtendedColorType, GenericImageView, ImageEncoder};

    fn sample(x: u32, y: u32, k: u32) -> u8 {
        let ui = (x / 40 + y / 25 + k).is_multiple_of(3);
        if ui {
            (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503) ^ k) as u8
        } else {
            240 - (k * 30) as u8
        }
    }

    fn png_bytes(w: u32, h: u32, channels: u32) -> Vec<u8> {
        let raw: Vec<u8> = (0..h)
            .flat_map(|y| (0..w).flat_map(move |x| (0..channels).map(move |k| sample(x, y, k))))
            .collect();
        let color = match channels {
            1 => ExtendedColorType::L8,
            2 => ExtendedColorType::La8,
            3 => ExtendedColorType::Rgb8,
            _ => ExtendedColorType::Rgba8,
        };
        let mut out = Vec::new();
        PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Adaptive)
            .write_image(&raw, w, h, color)
            .unwrap();
        out
    }

    /// The same shrinks as decoding the whole image with `image` and
    /// shrinking it, for every 8-bit colour type and awkward sizes.
    #[test]
    fn same_pixels_as_the_whole_image() {
        let limits = ImageLimits::default();
        for (w, h) in [(1280, 800), (1281, 799), (400, 2000), (3000, 321), (700, 1)] {
            for channels in 1..=4 {
                let bytes = png_bytes(w, h, channels);
                let whole = image::load_from_memory(&bytes).unwrap();
                let got = shrink_png(&bytes, &limits, 256, Some(320)).expect("streamed");
                assert_eq!((got.width, got.height), (w, h));
                let thumb = got.for_thumbnail.expect("asked for");
                for (side, ours) in [(256, &got.for_hash), (320, &thumb)] {
                    let theirs = whole.thumbnail(side, side);
                    assert_eq!(ours.color(), theirs.color(), "{w}x{h}x{channels} to {side}");
                    assert_eq!(ours.dimensions(), theirs.dimensions(), "{w}x{h}x{channels}");
                    assert!(
                        ours.as_bytes() == theirs.as_bytes(),
                        "{w}x{h}x{channels} to {side}: pixels differ"
                    );
                }
            }
        }
    }

    /// What import stores, end to end: the analysis (streamed) has the
    /// perceptual hash and the thumbnail file of the whole decoded image.
    #[test]
    fn same_hash_and_thumbnail_as_the_whole_image() {
        let limits = ImageLimits::default();
        for channels in 1..=4 {
            let bytes = png_bytes(1366, 768, channels);
            let (analysis, thumb) = super::super::analyse_with_thumbnail(&bytes, &limits, 320);
            let whole = image::load_from_memory(&bytes).unwrap();
            assert_eq!(
                analysis.phash,
                Some(super::super::perceptual_hash(&whole)),
                "{channels}"
            );
            let theirs = super::super::thumbnail_png(&whole, 320).unwrap();
            assert!(
                thumb.expect("a thumbnail") == theirs,
                "{channels} channels: thumbnails differ"
            );
            assert_eq!((analysis.width, analysis.height), (1366, 768));
        }
    }

    #[test]
    fn what_it_does_not_cover_goes_to_the_whole_image_path() {
        let limits = ImageLimits::default();
        let streamed =
            |bytes: &[u8], limits: &ImageLimits| shrink_png(bytes, limits, 256, Some(320));
        // Small enough to be used as it is.
        assert!(streamed(&png_bytes(300, 200, 3), &limits).is_none());
        // Over the allocation cap as a whole image.
        let tight = ImageLimits {
            max_alloc: 1280 * 800 * 3 - 1,
            ..ImageLimits::default()
        };
        assert!(streamed(&png_bytes(1280, 800, 3), &tight).is_none());
        // Damaged and truncated files: this path gives up exactly when
        // `image` does, so that the problem text comes from one place.
        let good = png_bytes(1280, 800, 3);
        let mut damaged = Vec::new();
        for at in [40, good.len() / 2, good.len() - 20, good.len() - 10] {
            let mut b = good.clone();
            b[at] ^= 0x5A;
            damaged.push(b);
        }
        damaged.push(good[..good.len() / 2].to_vec());
        damaged.push(good[..good.len() - 12].to_vec());
        for (i, bytes) in damaged.iter().enumerate() {
            let image_decodes = image::load_from_memory(bytes).is_ok();
            assert_eq!(
                streamed(bytes, &limits).is_some(),
                image_decodes,
                "damaged file {i}"
            );
        }
    }
}
