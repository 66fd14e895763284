//! Everything Shotkeeper learns from image bytes: the real format (sniffed,
//! never taken from the URL or Content-Type), dimensions, SHA-256, a
//! perceptual hash, PNG text metadata and a thumbnail.
//!
//! All of it runs on untrusted downloads, so every entry point is bounded
//! ([`ImageLimits`]): the size of the file, the dimensions declared in the
//! header (checked *before* any pixel is decoded, so a decompression bomb
//! costs a header read), and the decoder's allocations. Nothing here panics
//! on bad input; a decoder panic is caught and reported as a problem.
//!
//! Import calls [`analyse_with_thumbnail`] so that each image is decoded once
//! for its dimensions, perceptual hash and thumbnail.

mod decode;
mod name;
mod phash;
mod png_rows;
mod pngtext;
mod shrink;
mod sniff;
mod svg;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::CoreError;

pub use decode::{decode, thumbnail_png};
pub use name::file_name_from_url;
pub use phash::{
    perceptual_hash, phash_distance, PHASH_ALGORITHM, PHASH_BITS, PHASH_MATCH_MAX_DISTANCE,
};
pub use pngtext::{png_text_chunks, write_png_text};
pub use sniff::{describe_unknown_file, sniff_kind};

/// The longest side of the thumbnails import stores, in pixels.
pub const DEFAULT_THUMBNAIL_SIDE: u32 = 320;

/// Bounds on the work and memory spent on one image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageLimits {
    /// Files larger than this are not decoded (default 25 MiB).
    pub max_bytes: usize,
    /// Images declaring a larger width or height are not decoded (default 16384).
    pub max_width: u32,
    pub max_height: u32,
    /// Cap on the decoder's allocations, output buffer included (default 512 MiB).
    pub max_alloc: u64,
}

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits {
            max_bytes: 25 * 1024 * 1024,
            max_width: 16_384,
            max_height: 16_384,
            max_alloc: 512 * 1024 * 1024,
        }
    }
}

/// What Shotkeeper knows about one image file (the LaunchBrightly import API's image fields plus
/// the perceptual hash and a problem description).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageAnalysis {
    /// LaunchBrightly's import API `type`: png jpeg gif webp svg bmp ico avif, or unknown.
    #[serde(rename = "type")]
    pub kind: String,
    /// Pixels; 0 when the image could not be decoded. SVG, ICO and AVIF
    /// report what their header declares.
    pub width: u32,
    pub height: u32,
    pub size: u64,
    /// Lowercase hex SHA-256 of the bytes, whatever they are.
    pub sha256: String,
    /// See [`perceptual_hash`]; `None` when no pixels were decoded.
    pub phash: Option<String>,
    /// PNG tEXt/zTXt/iTXt pairs; empty for other formats.
    pub metadata: BTreeMap<String, String>,
    /// Why the bytes are not a usable image, in words for the user.
    pub problem: Option<String>,
}

/// Lowercase hex SHA-256 (of empty input: `e3b0c442...b855`, as LaunchBrightly's import API shows
/// for broken images).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Analyses image bytes. Never fails: what cannot be learnt is left empty and
/// explained in `problem`.
pub fn analyse(bytes: &[u8], limits: &ImageLimits) -> ImageAnalysis {
    analyse_inner(bytes, limits, None).0
}

/// [`analyse`] plus a PNG thumbnail (longest side at most `max_side`, aspect
/// kept, never enlarged) made from the same decoded pixels. The thumbnail is
/// `None` whenever the analysis has no perceptual hash (SVG, undecodable).
pub fn analyse_with_thumbnail(
    bytes: &[u8],
    limits: &ImageLimits,
    max_side: u32,
) -> (ImageAnalysis, Option<Vec<u8>>) {
    analyse_inner(bytes, limits, Some(max_side))
}

/// Decodes raster bytes and returns a PNG thumbnail (see [`thumbnail_png`]).
/// SVG and anything that does not decode within `limits` is an error.
pub fn make_thumbnail(
    bytes: &[u8],
    max_side: u32,
    limits: &ImageLimits,
) -> Result<Vec<u8>, CoreError> {
    let img = decode(bytes, limits)?;
    thumbnail_png(&img, max_side)
}

fn analyse_inner(
    bytes: &[u8],
    limits: &ImageLimits,
    thumb_side: Option<u32>,
) -> (ImageAnalysis, Option<Vec<u8>>) {
    let kind = sniff_kind(bytes);
    let mut out = ImageAnalysis {
        kind: kind.to_string(),
        width: 0,
        height: 0,
        size: bytes.len() as u64,
        sha256: tracing::debug_span!("import.sha256").in_scope(|| sha256_hex(bytes)),
        phash: None,
        metadata: BTreeMap::new(),
        problem: None,
    };
    if let Some(problem) = precheck(bytes, kind, limits) {
        out.problem = Some(problem);
        return (out, None);
    }
    if kind == "png" {
        // Metadata is worth having even when the pixels are damaged.
        out.metadata = tracing::debug_span!("import.metadata")
            .in_scope(|| png_text_chunks(bytes).unwrap_or_default());
    }
    let thumbnail = match kind {
        "svg" => {
            (out.width, out.height) = svg::dimensions(bytes).unwrap_or((0, 0));
            None
        }
        "ico" | "avif" => {
            // No decoder is built in for these; the header still gives a size.
            (out.width, out.height) = sniff::header_dimensions(bytes, kind).unwrap_or((0, 0));
            None
        }
        _ => fill_from_pixels(bytes, kind, limits, thumb_side, &mut out),
    };
    (out, thumbnail)
}

/// Problems visible before any decoding: empty, too big, or not an image.
pub(crate) fn precheck(bytes: &[u8], kind: &str, limits: &ImageLimits) -> Option<String> {
    if bytes.is_empty() {
        return Some("the file is empty (0 bytes)".into());
    }
    if bytes.len() > limits.max_bytes {
        return Some(format!(
            "the file is {}, over the {} limit for images",
            human_bytes(bytes.len() as u64),
            human_bytes(limits.max_bytes as u64)
        ));
    }
    if kind == "unknown" {
        return Some(sniff::describe_unknown(bytes));
    }
    None
}

/// Decodes once and derives dimensions, perceptual hash and thumbnail.
fn fill_from_pixels(
    bytes: &[u8],
    kind: &str,
    limits: &ImageLimits,
    thumb_side: Option<u32>,
    out: &mut ImageAnalysis,
) -> Option<Vec<u8>> {
    if kind == "png" {
        // Most help-center images: shrunk row by row as they decode.
        let streamed = tracing::debug_span!("import.decode").in_scope(|| {
            png_rows::shrink_png(
                bytes,
                limits,
                phash::PRESHRINK,
                thumb_side.filter(|&s| s > 0),
            )
        });
        if let Some(shrunk) = streamed {
            return fill_from_shrunk(shrunk, out);
        }
    }
    let decoded =
        tracing::debug_span!("import.decode").in_scope(|| decode::decode_kind(bytes, kind, limits));
    let img = match decoded {
        Ok(img) => img,
        Err(problem) => {
            out.problem = Some(problem);
            return None;
        }
    };
    out.width = img.width();
    out.height = img.height();
    out.phash = Some(tracing::debug_span!("import.phash").in_scope(|| perceptual_hash(&img)));
    thumb_side.and_then(|side| {
        tracing::debug_span!("import.thumbnail").in_scope(|| thumbnail_png(&img, side).ok())
    })
}

/// [`fill_from_pixels`] from a PNG's streamed shrinks: the same hash and
/// thumbnail as from the whole image.
fn fill_from_shrunk(shrunk: png_rows::Shrunk, out: &mut ImageAnalysis) -> Option<Vec<u8>> {
    out.width = shrunk.width;
    out.height = shrunk.height;
    out.phash = Some(
        tracing::debug_span!("import.phash")
            .in_scope(|| phash::hash_of_preshrunk(&shrunk.for_hash)),
    );
    let small = shrunk.for_thumbnail?;
    tracing::debug_span!("import.thumbnail").in_scope(|| decode::encode_thumbnail(small).ok())
}

/// "1.5 MiB", "812 KiB", "73 bytes": sizes in messages people read.
pub(crate) fn human_bytes(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let f = n as f64;
    if f >= KIB * KIB * KIB {
        format!("{:.1} GiB", f / (KIB * KIB * KIB))
    } else if f >= KIB * KIB {
        format!("{:.1} MiB", f / (KIB * KIB))
    } else if f >= KIB {
        format!("{:.0} KiB", f / KIB)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_empty_input_matches_seed() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn human_bytes_picks_a_unit() {
        assert_eq!(human_bytes(73), "73 bytes");
        assert_eq!(human_bytes(2048), "2 KiB");
        assert_eq!(human_bytes(25 * 1024 * 1024), "25.0 MiB");
    }

    #[test]
    fn oversized_files_are_not_decoded() {
        let limits = ImageLimits {
            max_bytes: 4,
            ..ImageLimits::default()
        };
        let a = analyse(b"\x89PNG\r\n\x1a\nmore", &limits);
        assert_eq!(a.kind, "png");
        assert!(a.problem.unwrap().contains("over the 4 bytes limit"));
    }
}
