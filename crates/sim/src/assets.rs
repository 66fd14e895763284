//! Drawing the sample images: UI-like PNG "screenshots" with text chunks,
//! JPEG "photos", and tiny PNG icons for inline `data:` URIs.
//!
//! Every spec renders to bytes that no other spec produces: screenshots carry
//! their unique file stem in a `screen` text chunk, photos carry it in a JPEG
//! COM segment, icons in a `tEXt` chunk. The generator relies on this to
//! count distinct images by construction (one spec = one distinct content).

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::ExtendedColorType;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Which PNG chunk type carries a screenshot's identifying `screen` pair, so
/// that an importer has to read all three kinds to recover it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextChunk {
    Text,
    Ztxt,
    Itxt,
}

/// What one distinct image looks like; rendered on demand.
#[derive(Clone, Debug)]
pub enum AssetSpec {
    Screenshot {
        stem: String,
        width: u32,
        height: u32,
        identity: TextChunk,
        seed: u64,
    },
    Photo {
        stem: String,
        width: u32,
        height: u32,
        seed: u64,
    },
    Icon {
        name: String,
        seed: u64,
    },
    /// A screenshot as dense as a real one: the flat screen of
    /// `Screenshot` with rows of glyph-like marks for text, so that its
    /// PNG weighs about 140 KB at 1280x800 (a flat drawing of that size
    /// deflates to a few KB, far lighter than what help centers host).
    /// Carries `Software`, `app` and `screen` tEXt chunks.
    DetailedScreenshot {
        stem: String,
        width: u32,
        height: u32,
        seed: u64,
    },
    /// A full-resolution export that nobody compressed: random RGB noise in
    /// a PNG, so its file is at least `width * height * 3` bytes (noise does
    /// not deflate) and "heavy" by construction.
    Noise {
        stem: String,
        width: u32,
        height: u32,
        seed: u64,
    },
}

/// The application name every screenshot claims in its `app` chunk.
pub const APP_NAME: &str = "Shotkeeper Demo";
/// The generic `Software` value, which matching must ignore.
pub const SOFTWARE: &str = "shotkeeper-sim";

impl AssetSpec {
    pub fn content_type(&self) -> &'static str {
        match self {
            AssetSpec::Photo { .. } => "image/jpeg",
            _ => "image/png",
        }
    }

    /// The file stem the asset was made for (its screen or subject).
    pub fn stem(&self) -> &str {
        match self {
            AssetSpec::Screenshot { stem, .. }
            | AssetSpec::DetailedScreenshot { stem, .. }
            | AssetSpec::Photo { stem, .. }
            | AssetSpec::Noise { stem, .. } => stem,
            AssetSpec::Icon { name, .. } => name,
        }
    }

    pub fn render(&self) -> Vec<u8> {
        match self {
            AssetSpec::Screenshot {
                stem,
                width,
                height,
                identity,
                seed,
            } => render_screenshot(stem, *width, *height, *identity, *seed),
            AssetSpec::Photo {
                stem,
                width,
                height,
                seed,
            } => render_photo(stem, *width, *height, *seed),
            AssetSpec::Icon { name, seed } => render_icon(name, *seed),
            AssetSpec::DetailedScreenshot {
                stem,
                width,
                height,
                seed,
            } => render_detailed_screenshot(stem, *width, *height, *seed),
            AssetSpec::Noise {
                stem,
                width,
                height,
                seed,
            } => render_noise(stem, *width, *height, *seed),
        }
    }

    /// Intrinsic width in pixels, as a decoder reports it.
    pub fn width(&self) -> u32 {
        match self {
            AssetSpec::Screenshot { width, .. }
            | AssetSpec::DetailedScreenshot { width, .. }
            | AssetSpec::Photo { width, .. }
            | AssetSpec::Noise { width, .. } => *width,
            AssetSpec::Icon { .. } => ICON_SIZE,
        }
    }

    /// A lower bound of the rendered file size: noise cannot be compressed,
    /// so a noise PNG holds at least its raw RGB bytes. Other kinds are flat
    /// drawings or small JPEGs, far below any size threshold (0: no bound).
    pub fn min_bytes(&self) -> u64 {
        match self {
            AssetSpec::Noise { width, height, .. } => u64::from(*width) * u64::from(*height) * 3,
            _ => 0,
        }
    }
}

const ICON_SIZE: u32 = 16;

/// A plain RGB raster with just enough drawing for flat UI shapes.
struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

type Rgb = [u8; 3];

impl Canvas {
    fn new(width: u32, height: u32, background: Rgb) -> Self {
        let pixels = background.repeat((width * height) as usize);
        Canvas {
            width,
            height,
            pixels,
        }
    }

    fn rect(&mut self, x: u32, y: u32, w: u32, h: u32, color: Rgb) {
        let x_end = (x + w).min(self.width);
        let y_end = (y + h).min(self.height);
        for row in y.min(self.height)..y_end {
            let start = ((row * self.width + x.min(x_end)) * 3) as usize;
            let end = ((row * self.width + x_end) * 3) as usize;
            for px in self.pixels[start..end].chunks_exact_mut(3) {
                px.copy_from_slice(&color);
            }
        }
    }

    fn disc(&mut self, cx: i64, cy: i64, r: i64, color: Rgb) {
        for y in (cy - r).max(0)..(cy + r).min(self.height as i64) {
            for x in (cx - r).max(0)..(cx + r).min(self.width as i64) {
                if (x - cx).pow(2) + (y - cy).pow(2) <= r * r {
                    let i = ((y as u32 * self.width + x as u32) * 3) as usize;
                    self.pixels[i..i + 3].copy_from_slice(&color);
                }
            }
        }
    }
}

const ACCENTS: [Rgb; 6] = [
    [37, 99, 235],
    [22, 163, 74],
    [147, 51, 234],
    [234, 88, 12],
    [8, 145, 178],
    [219, 39, 119],
];

/// A flat app screen: top bar, sidebar with nav items, a title, lines of
/// "text", a card and a button; the layout varies with the seed so that
/// perceptual hashes differ between screenshots.
fn draw_screen(width: u32, height: u32, seed: u64) -> Canvas {
    let mut rng = StdRng::seed_from_u64(seed);
    let accent = ACCENTS[rng.gen_range(0..ACCENTS.len())];
    let mut c = Canvas::new(width, height, [248, 249, 251]);
    let bar = height / 10;
    c.rect(0, 0, width, bar, accent);
    c.rect(12, bar / 3, width / 6, bar / 3, [255, 255, 255]);
    let side = width / rng.gen_range(4..7);
    c.rect(0, bar, side, height - bar, [229, 233, 240]);
    let mut y = bar + 14;
    while y + 10 < height - 10 {
        let w = rng.gen_range(side / 3..side - 16);
        c.rect(12, y, w, 8, [148, 163, 184]);
        y += rng.gen_range(18..30);
    }
    draw_content(&mut c, side + 20, bar + 18, accent, &mut rng);
    c
}

fn draw_content(c: &mut Canvas, left: u32, top: u32, accent: Rgb, rng: &mut StdRng) {
    let avail = c.width.saturating_sub(left + 20).max(40);
    c.rect(
        left,
        top,
        rng.gen_range(avail / 3..avail * 2 / 3),
        14,
        [30, 41, 59],
    );
    let mut y = top + 30;
    for _ in 0..rng.gen_range(3..7) {
        c.rect(left, y, rng.gen_range(avail / 2..avail), 7, [100, 116, 139]);
        y += 16;
    }
    let card_h = (c.height.saturating_sub(y + 60)).clamp(20, 120);
    c.rect(left, y + 8, avail, card_h, [255, 255, 255]);
    c.rect(left + 10, y + 18, avail / 3, 8, accent);
    let button_y = (y + card_h + 20).min(c.height.saturating_sub(30));
    c.rect(left, button_y, rng.gen_range(70..120), 22, accent);
}

/// A soft gradient with a few blobs: looks like a photo at thumbnail size.
fn draw_photo(width: u32, height: u32, seed: u64) -> Canvas {
    let mut rng = StdRng::seed_from_u64(seed);
    let (a, b) = (rng.gen_range(40..200u32), rng.gen_range(40..200u32));
    let mut c = Canvas::new(width, height, [0, 0, 0]);
    for y in 0..height {
        let t = y * 255 / height.max(1);
        let color = [
            ((a * (255 - t) + 230 * t) / 255) as u8,
            ((b * (255 - t) + 180 * t) / 255) as u8,
            (120 + t / 3) as u8,
        ];
        c.rect(0, y, width, 1, color);
    }
    for _ in 0..rng.gen_range(3..8) {
        let color = [rng.gen(), rng.gen(), rng.gen()];
        let r = rng.gen_range(10..(height as i64 / 3).max(11));
        c.disc(
            rng.gen_range(0..width as i64),
            rng.gen_range(0..height as i64),
            r,
            color,
        );
    }
    c
}

fn encode_png(canvas: &Canvas, chunks: &[(TextChunk, &str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, canvas.width, canvas.height);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        for (kind, key, value) in chunks {
            let (key, value) = (key.to_string(), value.to_string());
            let added = match kind {
                TextChunk::Text => enc.add_text_chunk(key, value),
                TextChunk::Ztxt => enc.add_ztxt_chunk(key, value),
                TextChunk::Itxt => enc.add_itxt_chunk(key, value),
            };
            added.expect("valid PNG text chunk");
        }
        let mut writer = enc.write_header().expect("PNG header");
        writer
            .write_image_data(&canvas.pixels)
            .expect("PNG image data");
    }
    out
}

fn render_screenshot(stem: &str, w: u32, h: u32, identity: TextChunk, seed: u64) -> Vec<u8> {
    let canvas = draw_screen(w, h, seed);
    let created = format!("2024-{:02}-{:02}T10:00:00Z", seed % 12 + 1, seed % 28 + 1);
    let mut chunks = vec![
        (TextChunk::Text, "Software", SOFTWARE),
        (TextChunk::Text, "Creation Time", created.as_str()),
        (TextChunk::Text, "app", APP_NAME),
        (identity, "screen", stem),
    ];
    if identity == TextChunk::Itxt {
        // Non-ASCII text is what iTXt exists for.
        chunks.push((TextChunk::Itxt, "caption", "Réglages — aperçu"));
    }
    encode_png(&canvas, &chunks)
}

/// Glyph-like marks on the text rows of a flat screen: strokes of random
/// widths and heights with letter and word gaps, each stroke one ink with
/// lighter top and bottom rows, as anti-aliased text looks to a compressor.
fn draw_text_rows(c: &mut Canvas, left: u32, top: u32, rng: &mut StdRng) {
    let right = c.width.saturating_sub(16);
    let mut y = top;
    while y + 12 < c.height {
        let mut x = left + rng.gen_range(0..8);
        let line_end = rng.gen_range((left + right) / 2..right.max(left + 2));
        while x + 8 < line_end {
            let word = rng.gen_range(3..10);
            for _ in 0..word {
                let w = rng.gen_range(1..4);
                let h = rng.gen_range(5..9);
                let ink: u8 = rng.gen_range(20..120);
                let soft = ink.saturating_add(90);
                c.rect(x, y + 9 - h, w, 1, [soft, soft, soft]);
                c.rect(x, y + 10 - h, w, h - 2, [ink, ink, ink.saturating_add(8)]);
                c.rect(x, y + 8, w, 1, [soft, soft, soft]);
                x += w + rng.gen_range(1..3);
            }
            x += rng.gen_range(4..8);
        }
        y += rng.gen_range(18..25);
    }
}

fn render_detailed_screenshot(stem: &str, w: u32, h: u32, seed: u64) -> Vec<u8> {
    let mut canvas = draw_screen(w, h, seed);
    let mut rng = StdRng::seed_from_u64(seed ^ 0x7e47);
    draw_text_rows(&mut canvas, w / 4 + 24, h / 10 + 120, &mut rng);
    encode_png(
        &canvas,
        &[
            (TextChunk::Text, "Software", SOFTWARE),
            (TextChunk::Text, "app", APP_NAME),
            (TextChunk::Text, "screen", stem),
        ],
    )
}

fn render_icon(name: &str, seed: u64) -> Vec<u8> {
    let mut c = Canvas::new(ICON_SIZE, ICON_SIZE, [255, 255, 255]);
    c.disc(8, 8, 7, ACCENTS[(seed % ACCENTS.len() as u64) as usize]);
    c.rect(7, 4, 2, 8, [255, 255, 255]);
    encode_png(&c, &[(TextChunk::Text, "icon", name)])
}

fn render_noise(stem: &str, w: u32, h: u32, seed: u64) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut pixels = vec![0u8; (w * h * 3) as usize];
    rng.fill(&mut pixels[..]);
    let canvas = Canvas {
        width: w,
        height: h,
        pixels,
    };
    encode_png(
        &canvas,
        &[
            (TextChunk::Text, "Software", SOFTWARE),
            (TextChunk::Text, "export", stem),
        ],
    )
}

fn render_photo(stem: &str, w: u32, h: u32, seed: u64) -> Vec<u8> {
    let canvas = draw_photo(w, h, seed);
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(Cursor::new(&mut jpeg), 82)
        .encode(&canvas.pixels, w, h, ExtendedColorType::Rgb8)
        .expect("JPEG encoding");
    insert_jpeg_comment(jpeg, &format!("{SOFTWARE} {stem}"))
}

/// Puts a COM segment right after SOI, which keeps the file valid and makes
/// its bytes unique to this asset.
fn insert_jpeg_comment(jpeg: Vec<u8>, text: &str) -> Vec<u8> {
    let len = (text.len() + 2) as u16;
    let mut out = Vec::with_capacity(jpeg.len() + text.len() + 4);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn screenshot_decodes_and_keeps_its_size() {
        let spec = AssetSpec::Screenshot {
            stem: "billing-settings".into(),
            width: 320,
            height: 200,
            identity: TextChunk::Ztxt,
            seed: 7,
        };
        let bytes = spec.render();
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (320, 200));
        assert!(bytes.windows(4).any(|w| w == b"zTXt"));
    }

    #[test]
    fn noise_is_heavy_and_drawings_are_light() {
        let noise = AssetSpec::Noise {
            stem: "export".into(),
            width: 640,
            height: 400,
            seed: 1,
        };
        let bytes = noise.render();
        assert!(bytes.len() as u64 >= noise.min_bytes(), "{}", bytes.len());
        assert!(noise.min_bytes() > 500 * 1024);
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!(img.width(), noise.width());
        // The largest screenshot the generator draws stays far below 500 KiB.
        let shot = AssetSpec::Screenshot {
            stem: "wide".into(),
            width: 1280,
            height: 720,
            identity: TextChunk::Text,
            seed: 9,
        };
        assert!(shot.render().len() < 100 * 1024);
    }

    #[test]
    fn detailed_screenshot_weighs_like_a_real_one() {
        let spec = AssetSpec::DetailedScreenshot {
            stem: "bench-screen-1".into(),
            width: 1280,
            height: 800,
            seed: 5,
        };
        let bytes = spec.render();
        eprintln!("detailed screenshot: {} bytes", bytes.len());
        assert!(
            (100_000..200_000).contains(&bytes.len()),
            "{} bytes",
            bytes.len()
        );
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (1280, 800));
    }

    #[test]
    fn photo_is_a_valid_jpeg_with_comment() {
        let spec = AssetSpec::Photo {
            stem: "team-invite".into(),
            width: 400,
            height: 300,
            seed: 3,
        };
        let bytes = spec.render();
        assert_eq!(&bytes[..4], &[0xFF, 0xD8, 0xFF, 0xFE]);
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (400, 300));
    }
}
