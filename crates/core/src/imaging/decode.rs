//! Bounded decoding. The header is read first and the declared size checked
//! against [`ImageLimits`] before a single pixel buffer is allocated, so a
//! 100000x100000 PNG of a few hundred bytes is refused in microseconds.

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageError, ImageFormat, ImageReader};

use super::{human_bytes, sniff, sniff_kind, ImageLimits};
use crate::error::CoreError;

/// Decodes raster image bytes within `limits` (first frame of animations).
/// The error says why, in the same words `analyse` puts in `problem`.
pub fn decode(bytes: &[u8], limits: &ImageLimits) -> Result<DynamicImage, CoreError> {
    let kind = sniff_kind(bytes);
    if let Some(problem) = super::precheck(bytes, kind, limits) {
        return Err(CoreError::Image(problem));
    }
    decode_kind(bytes, kind, limits).map_err(CoreError::Image)
}

/// A PNG of the image scaled to fit `max_side` x `max_side` (aspect kept,
/// never enlarged), 8 bits per channel, alpha kept. PNG because help-center
/// images are mostly screenshots, whose text JPEG would blur; written with
/// the PNG encoder's fast deflate and the Paeth filter (one filter, not the
/// five that adaptive filtering tries per row), which on screenshots costs
/// a fraction of the default level for files a little larger.
pub fn thumbnail_png(img: &DynamicImage, max_side: u32) -> Result<Vec<u8>, CoreError> {
    if max_side == 0 {
        return Err(CoreError::Invalid(
            "thumbnail size must be at least 1 px".into(),
        ));
    }
    let small = if img.width() <= max_side && img.height() <= max_side {
        img.clone()
    } else {
        // Area averaging (`DynamicImage::thumbnail`'s, computed faster).
        super::shrink::thumbnail(img, max_side, max_side)
    };
    encode_thumbnail(small)
}

/// The thumbnail PNG of pixels already shrunk (see [`thumbnail_png`]).
pub(super) fn encode_thumbnail(small: DynamicImage) -> Result<Vec<u8>, CoreError> {
    let small = if small.color().has_alpha() {
        DynamicImage::ImageRgba8(small.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(small.into_rgb8())
    };
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, PngFilter::Paeth)
        .write_image(
            small.as_bytes(),
            small.width(),
            small.height(),
            small.color().into(),
        )
        .map_err(|e| CoreError::Image(format!("could not encode the thumbnail: {e}")))?;
    Ok(out)
}

/// Decodes bytes already sniffed as `kind`; the error is `problem` text.
pub(crate) fn decode_kind(
    bytes: &[u8],
    kind: &str,
    limits: &ImageLimits,
) -> Result<DynamicImage, String> {
    let format = match kind {
        "png" => ImageFormat::Png,
        "jpeg" => ImageFormat::Jpeg,
        "gif" => ImageFormat::Gif,
        "webp" => ImageFormat::WebP,
        "bmp" => ImageFormat::Bmp,
        other => {
            let upper = other.to_ascii_uppercase();
            return Err(format!("{upper} images are not decoded by Shotkeeper"));
        }
    };
    // Third-party decoders on hostile input: a panic must become a problem,
    // not take the import down.
    catch_unwind(AssertUnwindSafe(|| decode_checked(bytes, format, limits)))
        .unwrap_or(Err(Failure::Panicked))
        .map_err(|f| describe_failure(bytes, kind, limits, f))
}

/// Header, then limits, then pixels.
fn decode_checked(
    bytes: &[u8],
    format: ImageFormat,
    limits: &ImageLimits,
) -> Result<DynamicImage, Failure> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    // Dimensions are checked below with a clearer message than the decoder's.
    reader.limits(image_limits(limits, false));
    let mut decoder = reader.into_decoder()?;
    let (w, h) = decoder.dimensions();
    if w > limits.max_width || h > limits.max_height {
        return Err(Failure::TooLarge(w, h));
    }
    let output = decoder.total_bytes();
    let need = if format == ImageFormat::Jpeg && jpeg_is_progressive(bytes) {
        // The JPEG decoder ignores the allocation cap, and a progressive
        // file keeps every coefficient (2 bytes a sample) beside the output.
        output.saturating_mul(3)
    } else {
        output
    };
    if need > limits.max_alloc {
        return Err(Failure::TooMuchMemory(w, h, need));
    }
    // As ImageReader::decode does: the output buffer counts against the cap.
    let mut decoder_limits = image_limits(limits, true);
    decoder_limits.reserve(output)?;
    decoder.set_limits(decoder_limits)?;
    Ok(DynamicImage::from_decoder(decoder)?)
}

/// Whether the first start-of-frame marker is a progressive one (SOF2,
/// SOF6, SOF10, SOF14). Walks the marker segments of the header only.
fn jpeg_is_progressive(b: &[u8]) -> bool {
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return false;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1; // fill byte
            continue;
        }
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            return matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
        }
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        i += 2 + len;
    }
    false
}

fn image_limits(limits: &ImageLimits, with_dimensions: bool) -> image::Limits {
    let mut l = image::Limits::default();
    l.max_alloc = Some(limits.max_alloc);
    if with_dimensions {
        l.max_image_width = Some(limits.max_width);
        l.max_image_height = Some(limits.max_height);
    }
    l
}

/// Why decoding stopped.
enum Failure {
    TooLarge(u32, u32),
    TooMuchMemory(u32, u32, u64),
    Decoder(ImageError),
    Panicked,
}

impl From<ImageError> for Failure {
    fn from(e: ImageError) -> Self {
        Failure::Decoder(e)
    }
}

fn describe_failure(bytes: &[u8], kind: &str, limits: &ImageLimits, f: Failure) -> String {
    let upper = kind.to_ascii_uppercase();
    match f {
        Failure::TooLarge(w, h) => format!(
            "image is {w}x{h}, over the {} px limit",
            limits.max_width.max(limits.max_height)
        ),
        Failure::TooMuchMemory(w, h, need) => format!(
            "image is {w}x{h} and needs {} to decode, over the {} limit",
            human_bytes(need),
            human_bytes(limits.max_alloc)
        ),
        Failure::Decoder(_) | Failure::Panicked if looks_truncated(bytes, kind) => format!(
            "truncated {upper}: the file ends after {} before the image does \
             (an interrupted download or a damaged upload)",
            human_bytes(bytes.len() as u64)
        ),
        Failure::Decoder(ImageError::Limits(e)) => {
            format!("{upper} needs more memory to decode than allowed: {e}")
        }
        Failure::Decoder(e) => format!("damaged {upper}: {e}"),
        Failure::Panicked => format!("damaged {upper}: the decoder gave up on this file"),
    }
}

/// Whether the file stops before its format's end marker.
fn looks_truncated(b: &[u8], kind: &str) -> bool {
    let le32 = |at: usize| {
        b.get(at..at + 4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
    };
    match kind {
        "png" => sniff::find(b, b"IEND\xAE\x42\x60\x82").is_none(),
        // Some writers pad after EOI; only look at the end without padding.
        "jpeg" => {
            let end = b.len() - b.iter().rev().take_while(|&&c| c == 0).count();
            !b[..end].ends_with(&[0xFF, 0xD9])
        }
        "gif" => b.last() != Some(&0x3B),
        "webp" => le32(4).is_some_and(|n| n.saturating_add(8) > b.len()),
        "bmp" => le32(2).is_some_and(|n| n > b.len()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SOI, a quantisation table, then a start-of-frame `sof` marker for a
    /// `side`x`side` 3-component image, a scan header and EOI.
    fn jpeg_header(sof: u8, side: u16) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43, 0x00];
        b.extend([1u8; 64]);
        b.extend([0xFF, sof, 0x00, 0x11, 8]);
        b.extend(side.to_be_bytes());
        b.extend(side.to_be_bytes());
        b.extend([3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
        b.extend([0xFF, 0xDA, 0x00, 0x08, 1, 1, 0x00, 0, 0, 0]);
        b.extend([0xFF, 0xD9]);
        b
    }

    #[test]
    fn progressive_jpeg_is_detected() {
        assert!(jpeg_is_progressive(&jpeg_header(0xC2, 16)));
        assert!(!jpeg_is_progressive(&jpeg_header(0xC0, 16)));
        assert!(!jpeg_is_progressive(&[0xFF, 0xD8, 0xFF]));
    }

    #[test]
    fn progressive_jpeg_counts_its_coefficients() {
        // 12000x12000 RGB: 412 MiB of output fits 512 MiB, but not with
        // the coefficients a progressive decode keeps.
        let err = decode_kind(&jpeg_header(0xC2, 12_000), "jpeg", &ImageLimits::default());
        let err = err.err().unwrap_or_default();
        assert!(err.contains("needs 1.2 GiB to decode"), "{err}");
    }
}
