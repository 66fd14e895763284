//! Format detection from the bytes themselves. Help centers and CDNs serve
//! login pages, error JSON and S3 XML errors with image URLs and image
//! content types, so nothing but the bytes is trusted.

/// How far into a text file we look for the root element. Bounded so a huge
/// text file costs nothing; real SVG prologs are far shorter.
const PROLOG_SCAN: usize = 8 * 1024;

/// The image format of `bytes`: `png jpeg gif webp svg bmp ico avif`, or
/// `unknown` (HTML, JSON, text, truncated headers, other formats).
pub fn sniff_kind(bytes: &[u8]) -> &'static str {
    let b = bytes;
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        "png"
    } else if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "jpeg"
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        "gif"
    } else if b.len() >= 12 && b.starts_with(b"RIFF") && &b[8..12] == b"WEBP" {
        "webp"
    } else if is_bmp(b) {
        "bmp"
    } else if is_ico(b) {
        "ico"
    } else if is_avif(b) {
        "avif"
    } else if matches!(markup_root(b), Some(Root::Svg)) {
        "svg"
    } else {
        "unknown"
    }
}

/// "BM" alone is common text ("BMW..."), so the DIB header size must be one
/// of the sizes the format defines.
fn is_bmp(b: &[u8]) -> bool {
    if b.len() < 26 || !b.starts_with(b"BM") {
        return false;
    }
    let dib = u32::from_le_bytes([b[14], b[15], b[16], b[17]]);
    matches!(dib, 12 | 16 | 40 | 52 | 56 | 64 | 108 | 124)
}

fn is_ico(b: &[u8]) -> bool {
    b.len() >= 22 && b.starts_with(&[0, 0, 1, 0]) && u16::from_le_bytes([b[4], b[5]]) > 0
}

/// An ISO-BMFF `ftyp` box whose major or compatible brands name AVIF.
fn is_avif(b: &[u8]) -> bool {
    if b.len() < 16 || &b[4..8] != b"ftyp" {
        return false;
    }
    let box_len = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let end = box_len.clamp(16, b.len().min(256));
    b[8..end]
        .chunks_exact(4)
        .any(|brand| brand == b"avif" || brand == b"avis")
}

/// What a text document starts with, after its prolog.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Root {
    Svg,
    Html,
    OtherXml,
}

/// Finds the root element of a markup document, skipping a BOM, whitespace,
/// `<?xml ...?>`, comments and a non-HTML doctype.
pub(crate) fn markup_root(bytes: &[u8]) -> Option<Root> {
    let mut s = &bytes[..bytes.len().min(PROLOG_SCAN)];
    s = s.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(s);
    loop {
        s = trim_start(s);
        if s.starts_with(b"<?") {
            s = after(s, b"?>")?;
        } else if s.starts_with(b"<!--") {
            s = after(s, b"-->")?;
        } else if starts_with_ci(s, b"<!doctype") {
            if starts_with_ci(trim_start(&s[9..]), b"html") {
                return Some(Root::Html);
            }
            s = after(s, b">")?;
        } else if s.starts_with(b"<") {
            return Some(classify_tag(&s[1..]));
        } else {
            return None;
        }
    }
}

fn classify_tag(s: &[u8]) -> Root {
    let name_len = s
        .iter()
        .position(|c| c.is_ascii_whitespace() || *c == b'>' || *c == b'/')
        .unwrap_or(s.len());
    let name = s[..name_len].to_ascii_lowercase();
    // `svg:svg` is the namespace-prefixed form some editors write.
    match name.as_slice() {
        b"svg" | b"svg:svg" => Root::Svg,
        b"html" | b"head" | b"body" | b"meta" | b"title" | b"script" | b"link" | b"div" | b"p" => {
            Root::Html
        }
        _ => Root::OtherXml,
    }
}

/// What a local file that is no known image format is, for a person who
/// picked it: `None` when it is an image format after all.
pub fn describe_unknown_file(bytes: &[u8]) -> Option<String> {
    if sniff_kind(bytes) != "unknown" || bytes.is_empty() {
        return None;
    }
    let head = trim_start(&bytes[..bytes.len().min(1024)]);
    Some(
        match markup_root(bytes) {
            Some(Root::Html) => "is an HTML file, not an image",
            Some(Root::OtherXml) => "is an XML file, not an image",
            _ if head.starts_with(b"{") || head.starts_with(b"[") => "is a JSON file, not an image",
            _ if looks_like_text(head) => "is a text file, not an image",
            _ => "is not an image: its bytes match no known image format",
        }
        .to_string(),
    )
}

/// The `problem` text for bytes that are no known image format.
pub(crate) fn describe_unknown(bytes: &[u8]) -> String {
    match markup_root(bytes) {
        Some(Root::Html) => {
            return "HTML page served as an image (often a login, error or \
                    cookie page)"
                .into()
        }
        Some(Root::OtherXml) => {
            return "XML document served as an image (often a storage error \
                    such as AccessDenied)"
                .into()
        }
        _ => {}
    }
    let head = trim_start(&bytes[..bytes.len().min(1024)]);
    if head.starts_with(b"{") || head.starts_with(b"[") {
        return "JSON served as an image (often an API error message)".into();
    }
    if looks_like_text(head) {
        return "text served as an image, not image data".into();
    }
    "not an image: the bytes match no known image format".into()
}

fn looks_like_text(b: &[u8]) -> bool {
    // A UTF-8 sequence cut at the window's end is still text.
    let valid = match std::str::from_utf8(b) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    valid
        && !b.is_empty()
        && b.iter()
            .all(|&c| c >= 0x20 || matches!(c, b'\n' | b'\r' | b'\t'))
}

/// Dimensions of formats Shotkeeper does not decode, read from their headers.
pub(crate) fn header_dimensions(b: &[u8], kind: &str) -> Option<(u32, u32)> {
    match kind {
        "ico" => ico_dimensions(b),
        "avif" => avif_dimensions(b),
        _ => None,
    }
}

/// The largest entry of the icon directory (a 0 byte means 256 px).
fn ico_dimensions(b: &[u8]) -> Option<(u32, u32)> {
    let count = usize::from(u16::from_le_bytes([*b.get(4)?, *b.get(5)?]));
    (0..count.min(256))
        .filter_map(|i| {
            let e = b.get(6 + 16 * i..6 + 16 * i + 2)?;
            let side = |v: u8| if v == 0 { 256 } else { u32::from(v) };
            Some((side(e[0]), side(e[1])))
        })
        .max_by_key(|(w, h)| w * h)
}

/// The first `ispe` (image spatial extents) property: version/flags, then
/// width and height as big-endian u32. Searched in the first 64 KiB only,
/// where the `meta` box lives in files written by common encoders.
fn avif_dimensions(b: &[u8]) -> Option<(u32, u32)> {
    let window = &b[..b.len().min(64 * 1024)];
    let at = find(window, b"ispe")?;
    let p = window.get(at + 8..at + 16)?;
    let w = u32::from_be_bytes([p[0], p[1], p[2], p[3]]);
    let h = u32::from_be_bytes([p[4], p[5], p[6], p[7]]);
    (w > 0 && h > 0).then_some((w, h))
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn after<'a>(s: &'a [u8], end: &[u8]) -> Option<&'a [u8]> {
    find(s, end).map(|i| &s[i + end.len()..])
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &s[n..]
}

fn starts_with_ci(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_after_prolog_is_svg() {
        let doc = b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- by hand -->\n\
            <!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"x\">\n<svg width=\"2\"/>";
        assert_eq!(sniff_kind(doc), "svg");
    }

    #[test]
    fn html_with_inline_svg_is_not_svg() {
        assert_eq!(sniff_kind(b"<!DOCTYPE html><svg></svg>"), "unknown");
        assert_eq!(markup_root(b"<html><svg/>"), Some(Root::Html));
    }

    #[test]
    fn bmp_needs_a_real_dib_header() {
        assert_eq!(
            sniff_kind(b"BMW owners club: a text file of some length"),
            "unknown"
        );
    }

    #[test]
    fn ico_reports_its_largest_entry() {
        let mut b = vec![0, 0, 1, 0, 2, 0];
        b.extend([16, 16, 0, 0, 1, 0, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        b.extend([0, 0, 0, 0, 1, 0, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(sniff_kind(&b), "ico");
        assert_eq!(header_dimensions(&b, "ico"), Some((256, 256)));
    }

    #[test]
    fn text_descriptions() {
        assert!(describe_unknown(b"{\"error\":\"nope\"}").starts_with("JSON"));
        assert!(
            describe_unknown(b"<?xml version=\"1.0\"?><Error><Code>AccessDenied")
                .starts_with("XML")
        );
        assert!(describe_unknown(b"Not Found").starts_with("text"));
        assert!(describe_unknown(&[0, 1, 2, 3, 250]).starts_with("not an image"));
        assert_eq!(
            describe_unknown_file(b"Release notes\n").as_deref(),
            Some("is a text file, not an image")
        );
        assert_eq!(describe_unknown_file(b"\x89PNG\r\n\x1a\n"), None);
    }
}
