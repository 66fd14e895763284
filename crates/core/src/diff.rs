//! Visual diff of an old image and its replacement: the share of changed
//! pixels and the changed regions, computed here (not in the web layer) so
//! the CLI and the desktop app show the same numbers.
//!
//! Both images are scaled to a common size (the new image's, capped at
//! `MAX_SIDE` on its longer side), compared per pixel with a tolerance that
//! ignores compression noise, and changed pixels are grouped into regions on
//! a coarse grid of `CELL`-pixel cells joined by 8-connectivity.

use image::{imageops::FilterType, DynamicImage, GenericImageView, RgbaImage};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::imaging::ImageLimits;

/// Longest side of the comparison canvas.
const MAX_SIDE: u32 = 1024;
/// Per-channel difference (0-255) below which a pixel counts as unchanged:
/// JPEG re-encoding and resampling move values by a few levels.
const TOLERANCE: u8 = 24;
/// Side of the grid cells changed pixels are grouped in.
const CELL: u32 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffResult {
    /// Size of the comparison canvas; regions are in these coordinates.
    pub width: u32,
    pub height: u32,
    /// Share of changed pixels, 0.0 to 1.0.
    pub changed_share: f64,
    pub regions: Vec<Rect>,
    /// The images' sizes differed and were scaled to compare.
    pub scaled: bool,
    /// The pictures compared, as PNG files on the canvas (`width` ×
    /// `height`): what a person looks at in the compare modes (side by
    /// side, swipe, onion skin, highlighted difference). Only where asked
    /// for (`App::plan_diff`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub views: Option<DiffViews>,
}

/// Paths of the compared pictures, all `width` × `height` so that they lie
/// exactly over one another and over the regions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DiffViews {
    /// The old image, scaled to the canvas.
    pub before: String,
    /// The new image on the canvas.
    pub after: String,
    /// The highlighted difference: the new image faded to grey, every
    /// changed pixel (the same pixels `changed_share` counts) in magenta.
    pub highlight: String,
}

/// Colour of a changed pixel in the highlighted difference.
pub const HIGHLIGHT: [u8; 4] = [230, 0, 126, 255];

/// The pictures behind a [`DiffResult`], before they are written as files.
pub struct DiffPictures {
    pub before: RgbaImage,
    pub after: RgbaImage,
    pub highlight: RgbaImage,
}

fn decode(bytes: &[u8], limits: &ImageLimits) -> Result<DynamicImage> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| CoreError::Image(e.to_string()))?;
    let mut l = image::Limits::default();
    l.max_image_width = Some(limits.max_width);
    l.max_image_height = Some(limits.max_height);
    l.max_alloc = Some(limits.max_alloc);
    reader.limits(l);
    reader.decode().map_err(|e| CoreError::Image(e.to_string()))
}

/// Compares two encoded images.
pub fn diff_bytes(old: &[u8], new: &[u8]) -> Result<DiffResult> {
    let limits = ImageLimits::default();
    Ok(diff_images(&decode(old, &limits)?, &decode(new, &limits)?))
}

fn canvas_size(img: &DynamicImage) -> (u32, u32) {
    let (w, h) = img.dimensions();
    let longest = w.max(h).max(1);
    if longest <= MAX_SIDE {
        return (w.max(1), h.max(1));
    }
    let scale = MAX_SIDE as f64 / longest as f64;
    (
        ((w as f64 * scale).round() as u32).max(1),
        ((h as f64 * scale).round() as u32).max(1),
    )
}

fn to_canvas(img: &DynamicImage, w: u32, h: u32) -> RgbaImage {
    if img.dimensions() == (w, h) {
        img.to_rgba8()
    } else {
        img.resize_exact(w, h, FilterType::Triangle).to_rgba8()
    }
}

pub fn diff_images(old: &DynamicImage, new: &DynamicImage) -> DiffResult {
    compare(old, new).0
}

/// Compares two encoded images and also returns the pictures compared,
/// for a person to look at.
pub fn diff_bytes_with_pictures(old: &[u8], new: &[u8]) -> Result<(DiffResult, DiffPictures)> {
    let limits = ImageLimits::default();
    let (result, before, after, changed) = compare(&decode(old, &limits)?, &decode(new, &limits)?);
    let highlight = highlight(&after, &changed);
    Ok((
        result,
        DiffPictures {
            before,
            after,
            highlight,
        },
    ))
}

/// The diff, the two images on the canvas, and which pixels changed.
fn compare(
    old: &DynamicImage,
    new: &DynamicImage,
) -> (DiffResult, RgbaImage, RgbaImage, Vec<bool>) {
    let (w, h) = canvas_size(new);
    let scaled = old.dimensions() != new.dimensions();
    let a = to_canvas(old, w, h);
    let b = to_canvas(new, w, h);
    let (cols, rows) = (w.div_ceil(CELL), h.div_ceil(CELL));
    let mut cells = vec![false; (cols * rows) as usize];
    let mut mask = vec![false; (w * h) as usize];
    let mut changed: u64 = 0;
    for (x, y, pb) in b.enumerate_pixels() {
        let pa = a.get_pixel(x, y);
        let differs =
            pa.0.iter()
                .zip(pb.0.iter())
                .any(|(p, q)| p.abs_diff(*q) > TOLERANCE);
        if differs {
            changed += 1;
            cells[((y / CELL) * cols + x / CELL) as usize] = true;
            mask[(y * w + x) as usize] = true;
        }
    }
    let result = DiffResult {
        width: w,
        height: h,
        changed_share: changed as f64 / (w as u64 * h as u64) as f64,
        regions: regions(&cells, cols, rows, w, h),
        scaled,
        views: None,
    };
    (result, a, b, mask)
}

/// The new image faded to a light grey, changed pixels in [`HIGHLIGHT`].
fn highlight(after: &RgbaImage, changed: &[bool]) -> RgbaImage {
    let w = after.width();
    RgbaImage::from_fn(w, after.height(), |x, y| {
        if changed[(y * w + x) as usize] {
            return image::Rgba(HIGHLIGHT);
        }
        let p = after.get_pixel(x, y).0;
        let luma = (0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64) as u8;
        // A quarter of the contrast, on white: context without competing.
        let faded = 255 - (255 - luma) / 4;
        image::Rgba([faded, faded, faded, 255])
    })
}

/// Bounding boxes of 8-connected groups of changed cells, in pixels.
fn regions(cells: &[bool], cols: u32, rows: u32, w: u32, h: u32) -> Vec<Rect> {
    let mut seen = vec![false; cells.len()];
    let mut out = Vec::new();
    for start in 0..cells.len() {
        if !cells[start] || seen[start] {
            continue;
        }
        let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(i) = stack.pop() {
            let (cx, cy) = (i as u32 % cols, i as u32 / cols);
            (x0, y0, x1, y1) = (x0.min(cx), y0.min(cy), x1.max(cx), y1.max(cy));
            for (dx, dy) in [
                (-1i64, -1i64),
                (0, -1),
                (1, -1),
                (-1, 0),
                (1, 0),
                (-1, 1),
                (0, 1),
                (1, 1),
            ] {
                let (nx, ny) = (cx as i64 + dx, cy as i64 + dy);
                if nx < 0 || ny < 0 || nx >= cols as i64 || ny >= rows as i64 {
                    continue;
                }
                let j = (ny as u32 * cols + nx as u32) as usize;
                if cells[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
        let x = x0 * CELL;
        let y = y0 * CELL;
        out.push(Rect {
            x,
            y,
            width: ((x1 + 1) * CELL).min(w) - x,
            height: ((y1 + 1) * CELL).min(h) - y,
        });
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.width as u64 * r.height as u64));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;

    fn screen(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| {
            if y < 40 {
                Rgba([30, 60, 120, 255])
            } else if (x / 20 + y / 20) % 7 == 0 {
                Rgba([220, 220, 225, 255])
            } else {
                Rgba([250, 250, 250, 255])
            }
        })
    }

    #[test]
    fn identical_images_differ_by_nothing() {
        let img = DynamicImage::ImageRgba8(screen(300, 200));
        let d = diff_images(&img, &img);
        assert_eq!(d.changed_share, 0.0);
        assert!(d.regions.is_empty());
        assert!(!d.scaled);
    }

    #[test]
    fn a_changed_rectangle_is_found_where_it_is() {
        let old = screen(400, 300);
        let mut new = old.clone();
        for y in 120..170 {
            for x in 200..280 {
                new.put_pixel(x, y, Rgba([200, 30, 30, 255]));
            }
        }
        let d = diff_images(
            &DynamicImage::ImageRgba8(old),
            &DynamicImage::ImageRgba8(new),
        );
        assert_eq!(d.regions.len(), 1, "{:?}", d.regions);
        let r = d.regions[0];
        // The region covers the rectangle, within one grid cell.
        assert!(r.x <= 200 && r.x + CELL > 200, "{r:?}");
        assert!(r.y <= 120 && r.y + CELL > 120, "{r:?}");
        assert!(r.x + r.width >= 280 && r.x + r.width < 280 + CELL, "{r:?}");
        assert!(
            r.y + r.height >= 170 && r.y + r.height < 170 + CELL,
            "{r:?}"
        );
        let expected = (80.0 * 50.0) / (400.0 * 300.0);
        assert!(
            (d.changed_share - expected).abs() < 0.002,
            "{} vs {expected}",
            d.changed_share
        );
    }

    #[test]
    fn two_separate_changes_are_two_regions_largest_first() {
        let old = screen(400, 300);
        let mut new = old.clone();
        for (x0, y0, w, h) in [(10, 250, 20, 20), (300, 60, 60, 60)] {
            for y in y0..y0 + h {
                for x in x0..x0 + w {
                    new.put_pixel(x, y, Rgba([0, 0, 0, 255]));
                }
            }
        }
        let d = diff_images(
            &DynamicImage::ImageRgba8(old),
            &DynamicImage::ImageRgba8(new),
        );
        assert_eq!(d.regions.len(), 2);
        assert!(d.regions[0].x >= 296 && d.regions[0].y >= 56);
    }

    #[test]
    fn different_sizes_are_scaled_to_the_new_image() {
        let old =
            DynamicImage::ImageRgba8(screen(800, 600)).resize_exact(400, 300, FilterType::Triangle);
        let new = DynamicImage::ImageRgba8(screen(800, 600));
        let d = diff_images(&old, &new);
        assert!(d.scaled);
        assert_eq!((d.width, d.height), (800, 600));
        assert!(
            d.changed_share < 0.1,
            "a resized copy is nearly unchanged: {}",
            d.changed_share
        );
    }

    #[test]
    fn large_images_are_compared_on_a_capped_canvas() {
        let img = DynamicImage::ImageRgba8(screen(2048, 1024));
        let d = diff_images(&img, &img);
        assert_eq!((d.width, d.height), (1024, 512));
    }

    fn png(img: RgbaImage) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        DynamicImage::ImageRgba8(img)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn the_highlighted_difference_marks_exactly_the_changed_pixels() {
        let old = screen(200, 100);
        let mut new = old.clone();
        for y in 10..20 {
            for x in 30..50 {
                new.put_pixel(x, y, Rgba([0, 0, 0, 255]));
            }
        }
        let (d, pics) = diff_bytes_with_pictures(&png(old.clone()), &png(new)).unwrap();
        assert_eq!(pics.highlight.dimensions(), (d.width, d.height));
        assert_eq!(pics.before.dimensions(), (d.width, d.height));
        assert_eq!(pics.after.dimensions(), (d.width, d.height));
        let marked = pics.highlight.pixels().filter(|p| p.0 == HIGHLIGHT).count() as f64;
        assert_eq!(marked / (200.0 * 100.0), d.changed_share);
        assert_eq!(marked, 200.0);
        assert_eq!(pics.highlight.get_pixel(35, 15).0, HIGHLIGHT);
        assert_ne!(pics.highlight.get_pixel(100, 60).0, HIGHLIGHT);
        assert_eq!(pics.before, old);
    }

    #[test]
    fn undecodable_bytes_are_an_error_not_a_panic() {
        assert!(diff_bytes(b"not an image", b"nor this").is_err());
    }
}
