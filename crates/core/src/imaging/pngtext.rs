//! PNG text metadata (tEXt, zTXt, iTXt): the identity that screenshot tools
//! embed and the `metadata` tier of matching compares.

use std::collections::BTreeMap;
use std::io::Cursor;

use png::text_metadata::{EncodableTextChunk, ITXtChunk, TEXtChunk, ZTXtChunk};

use crate::error::CoreError;

const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// Budget for compressed text chunk bytes held while parsing.
const CHUNK_BYTES_LIMIT: usize = 8 * 1024 * 1024;
/// Largest inflated value of one chunk: zTXt/iTXt are zlib streams, and a
/// few hundred bytes can inflate to gigabytes.
const TEXT_LIMIT: usize = 1024 * 1024;
/// Largest inflated total over all chunks of one file.
const TOTAL_TEXT_LIMIT: usize = 4 * 1024 * 1024;
/// Values longer than this are written compressed (zTXt / compressed iTXt).
const COMPRESS_OVER: usize = 1024;

/// Every text pair of a PNG, keyword -> text, compressed ones inflated.
/// Pairs after the image data are included. When a keyword repeats, iTXt
/// beats zTXt beats tEXt, and a later chunk beats an earlier one. Chunks
/// that are damaged or inflate past the limits are skipped.
pub fn png_text_chunks(bytes: &[u8]) -> Result<BTreeMap<String, String>, CoreError> {
    let limits = png::Limits {
        bytes: CHUNK_BYTES_LIMIT,
    };
    let reader = png::Decoder::new_with_limits(Cursor::new(bytes), limits).read_info();
    let mut reader =
        reader.map_err(|e| CoreError::Image(format!("cannot read the PNG's chunks: {e}")))?;
    // Text may follow the image data; finish() walks to IEND without
    // inflating pixels. A damaged tail keeps whatever was read before it.
    let _ = reader.finish();
    Ok(collect_text(reader.info()))
}

fn collect_text(info: &png::Info<'_>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut budget = TOTAL_TEXT_LIMIT;
    for t in &info.uncompressed_latin1_text {
        out.insert(t.keyword.clone(), t.text.clone());
    }
    for z in &info.compressed_latin1_text {
        let mut z = z.clone();
        if z.decompress_text_with_limit(TEXT_LIMIT.min(budget)).is_ok() {
            if let Ok(text) = z.get_text() {
                budget = budget.saturating_sub(text.len());
                out.insert(z.keyword, text);
            }
        }
    }
    for i in &info.utf8_text {
        let mut i = i.clone();
        if i.decompress_text_with_limit(TEXT_LIMIT.min(budget)).is_ok() {
            if let Ok(text) = i.get_text() {
                budget = budget.saturating_sub(text.len());
                out.insert(i.keyword, text);
            }
        }
    }
    out
}

/// Returns `png_bytes` with `pairs` as text chunks, placed right after IHDR;
/// existing text chunks with the same keywords are dropped, every other
/// chunk is copied byte for byte (pixels are not re-encoded). Latin-1 values
/// become tEXt (zTXt over 1 KiB), others iTXt (compressed over 1 KiB).
/// Keywords must be 1-79 Latin-1 characters without NUL or edge spaces.
pub fn write_png_text(
    png_bytes: &[u8],
    pairs: &BTreeMap<String, String>,
) -> Result<Vec<u8>, CoreError> {
    let chunks = split_chunks(png_bytes)?;
    let mut out = Vec::with_capacity(png_bytes.len() + 64 * pairs.len());
    out.extend_from_slice(SIGNATURE);
    for (i, chunk) in chunks.iter().enumerate() {
        if is_text(chunk) && replaced(chunk, pairs) {
            continue;
        }
        out.extend_from_slice(chunk.raw);
        if i == 0 {
            for (k, v) in pairs {
                encode_text(k, v, &mut out)?;
            }
        }
    }
    Ok(out)
}

/// One chunk of a PNG: its type and its raw bytes (length, type, data, CRC).
struct Chunk<'a> {
    kind: [u8; 4],
    data: &'a [u8],
    raw: &'a [u8],
}

/// Splits a PNG into chunks, from IHDR to IEND included.
fn split_chunks(b: &[u8]) -> Result<Vec<Chunk<'_>>, CoreError> {
    let mut rest = b
        .strip_prefix(SIGNATURE)
        .ok_or_else(|| CoreError::Invalid("not a PNG file (no PNG signature)".into()))?;
    let mut chunks = Vec::new();
    loop {
        let chunk = next_chunk(rest).ok_or_else(|| {
            CoreError::Image("truncated PNG: a chunk runs past the end of the file".into())
        })?;
        rest = &rest[chunk.raw.len()..];
        let end = &chunk.kind == b"IEND";
        chunks.push(chunk);
        if end {
            break;
        }
    }
    match chunks.first() {
        Some(c) if &c.kind == b"IHDR" => Ok(chunks),
        _ => Err(CoreError::Image(
            "damaged PNG: IHDR is not the first chunk".into(),
        )),
    }
}

fn next_chunk(b: &[u8]) -> Option<Chunk<'_>> {
    let len = u32::from_be_bytes(b.get(0..4)?.try_into().ok()?) as usize;
    let kind: [u8; 4] = b.get(4..8)?.try_into().ok()?;
    let total = len.checked_add(12)?;
    Some(Chunk {
        kind,
        data: b.get(8..8 + len)?,
        raw: b.get(..total)?,
    })
}

fn is_text(c: &Chunk<'_>) -> bool {
    matches!(&c.kind, b"tEXt" | b"zTXt" | b"iTXt")
}

/// Whether a text chunk's keyword (Latin-1, up to the first NUL) is in `pairs`.
fn replaced(c: &Chunk<'_>, pairs: &BTreeMap<String, String>) -> bool {
    let raw = c.data.split(|&b| b == 0).next().unwrap_or(&[]);
    let keyword: String = raw.iter().map(|&b| char::from(b)).collect();
    pairs.contains_key(&keyword)
}

fn encode_text(keyword: &str, value: &str, out: &mut Vec<u8>) -> Result<(), CoreError> {
    check_keyword(keyword)?;
    let latin1 = value.chars().all(|c| (c as u32) < 256 && c != '\0');
    let long = value.len() > COMPRESS_OVER;
    let written = match (latin1, long) {
        (true, false) => TEXtChunk::new(keyword, value).encode(out),
        (true, true) => ZTXtChunk::new(keyword, value).encode(out),
        (false, _) => {
            let mut chunk = ITXtChunk::new(keyword, value);
            // encode() deflates the text when the flag is set.
            chunk.compressed = long;
            chunk.encode(out)
        }
    };
    written.map_err(|e| CoreError::Invalid(format!("cannot write PNG text '{keyword}': {e}")))
}

fn check_keyword(k: &str) -> Result<(), CoreError> {
    let chars = k.chars().count();
    let ok = (1..=79).contains(&chars)
        && k.chars().all(|c| (c as u32) < 256 && c != '\0')
        && !k.starts_with(' ')
        && !k.ends_with(' ');
    if ok {
        Ok(())
    } else {
        Err(CoreError::Invalid(format!(
            "PNG text keyword '{k}' must be 1 to 79 Latin-1 characters, without leading or trailing spaces"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_png() -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image::DynamicImage::new_rgb8(2, 2)
            .write_to(&mut out, image::ImageFormat::Png)
            .map(|_| out.into_inner())
            .unwrap_or_default()
    }

    #[test]
    fn bad_keywords_are_refused() {
        let png = tiny_png();
        for k in ["", " lead", &"k".repeat(80), "名前"] {
            let pairs = BTreeMap::from([(k.to_string(), "v".to_string())]);
            assert!(write_png_text(&png, &pairs).is_err(), "{k:?}");
        }
    }

    #[test]
    fn rewriting_a_keyword_replaces_it() {
        let one = BTreeMap::from([("name".to_string(), "John".to_string())]);
        let two = BTreeMap::from([("name".to_string(), "Jane".to_string())]);
        let png = write_png_text(&tiny_png(), &one).and_then(|p| write_png_text(&p, &two));
        let text = png
            .and_then(|p| png_text_chunks(&p))
            .map_err(|e| e.to_string());
        assert_eq!(text, Ok(two));
    }

    #[test]
    fn not_a_png_is_invalid() {
        let err = write_png_text(b"GIF89a", &BTreeMap::new());
        assert!(matches!(err, Err(CoreError::Invalid(_))));
    }
}
