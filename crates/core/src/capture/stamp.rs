//! What is done to a captured PNG before it is written: masked regions
//! painted over, and the text chunks that give it its identity.

use std::collections::BTreeMap;

use crate::error::{CoreError, Result};
use crate::imaging::write_png_text;

/// The PNG text key the `metadata` tier of matching compares
/// (`crate::matching`): the scenario id.
pub const ID_KEY: &str = "screenshot-id";
/// Where the screenshot was taken. `Source` is one of matching's generic
/// keys (`MatchConfig::generic_metadata_keys`), so a page that moves to
/// another URL still matches by its id.
pub const SOURCE_KEY: &str = "Source";
/// The tool that wrote it; generic too.
pub const SOFTWARE_KEY: &str = "Software";
pub const SOFTWARE: &str = "Shotkeeper";

/// A rectangle in the PNG's pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelRect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// Paints `rects` with a solid colour (clipped to the image). Returns the
/// PNG unchanged when there is nothing to paint.
pub fn paint_masks(png: Vec<u8>, rects: &[PixelRect], color: [u8; 3]) -> Result<Vec<u8>> {
    if rects.is_empty() {
        return Ok(png);
    }
    let mut img = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
        .map_err(|e| CoreError::Image(format!("the browser's screenshot cannot be decoded: {e}")))?
        .to_rgba8();
    let (w, h) = img.dimensions();
    for r in rects {
        let x_end = r.x.saturating_add(r.width).min(w);
        let y_end = r.y.saturating_add(r.height).min(h);
        for y in r.y.min(h)..y_end {
            for x in r.x.min(w)..x_end {
                img.put_pixel(x, y, image::Rgba([color[0], color[1], color[2], 255]));
            }
        }
    }
    let mut out = std::io::Cursor::new(Vec::with_capacity(png.len()));
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| CoreError::Internal(format!("re-encoding a masked screenshot failed: {e}")))?;
    Ok(out.into_inner())
}

/// The PNG with its three text chunks (`screenshot-id`, `Source`,
/// `Software`) right after IHDR; pixels are copied byte for byte.
pub fn stamp(png: &[u8], scenario_id: &str, url: &str) -> Result<Vec<u8>> {
    let pairs = BTreeMap::from([
        (ID_KEY.to_string(), scenario_id.to_string()),
        (SOURCE_KEY.to_string(), url.to_string()),
        (SOFTWARE_KEY.to_string(), SOFTWARE.to_string()),
    ]);
    write_png_text(png, &pairs)
}
