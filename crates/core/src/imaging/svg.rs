//! SVG size from the root element's attributes. SVG is never rasterised
//! (no renderer is worth its weight here); the declared size is enough for
//! the image list and the aspect-ratio check of matching.

use super::sniff::find;

/// Only the start of the file is searched for the root tag.
const SCAN: usize = 64 * 1024;
/// Declared sizes above this are nonsense and reported as unknown.
const MAX_SIDE: f64 = 1_000_000.0;

/// `(width, height)` from `width`/`height` (px or absolute units), falling
/// back to the `viewBox` size; one side given with a `viewBox` keeps its
/// aspect ratio. `None` when nothing usable is declared.
pub(crate) fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(SCAN)]);
    let tag = root_tag(text.as_bytes())?;
    let attrs = attributes(tag);
    let get = |name: &str| {
        attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let w = get("width").and_then(length_px);
    let h = get("height").and_then(length_px);
    let vb = get("viewBox").and_then(view_box);
    let (w, h) = match (w, h, vb) {
        (Some(w), Some(h), _) => (w, h),
        (Some(w), None, Some((vw, vh))) => (w, w * vh / vw),
        (None, Some(h), Some((vw, vh))) => (h * vw / vh, h),
        (None, None, Some(size)) => size,
        _ => return None,
    };
    let side = |v: f64| (v.is_finite() && v > 0.0 && v <= MAX_SIDE).then(|| v.round() as u32);
    Some((side(w)?, side(h)?))
}

/// The bytes of the first `<svg ...>` start tag, up to its `>` (quotes respected).
fn root_tag(s: &[u8]) -> Option<&[u8]> {
    let start = find(s, b"<svg")?;
    let rest = &s[start + 4..];
    let mut quote = None;
    for (i, &c) in rest.iter().enumerate() {
        match (quote, c) {
            (None, b'"' | b'\'') => quote = Some(c),
            (Some(q), _) if q == c => quote = None,
            (None, b'>') => return Some(&rest[..i]),
            _ => {}
        }
    }
    None
}

/// `name="value"` pairs of a start tag (names case-sensitive, as in SVG).
fn attributes(tag: &[u8]) -> Vec<(String, String)> {
    let s = String::from_utf8_lossy(tag);
    let mut out = Vec::new();
    let mut rest = s.as_ref();
    while let Some(eq) = rest.find('=') {
        let name = rest[..eq]
            .split_whitespace()
            .last()
            .unwrap_or("")
            .to_string();
        let after = rest[eq + 1..].trim_start();
        let (value, tail) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => match after[1..].find(q) {
                Some(end) => (&after[1..1 + end], &after[end + 2..]),
                None => (&after[1..], ""),
            },
            _ => {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        out.push((name, value.to_string()));
        rest = tail;
    }
    out
}

/// A CSS length in px; relative units (%, em) have no intrinsic size.
fn length_px(v: &str) -> Option<f64> {
    let v = v.trim();
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e'))
        .unwrap_or(v.len());
    let (num, unit) = v.split_at(split);
    let n: f64 = num.parse().ok()?;
    let scale = match unit.trim() {
        "" | "px" => 1.0,
        "pt" => 96.0 / 72.0,
        "pc" => 16.0,
        "in" => 96.0,
        "cm" => 96.0 / 2.54,
        "mm" => 96.0 / 25.4,
        _ => return None,
    };
    Some(n * scale)
}

/// `min-x min-y width height`, separated by spaces and/or commas.
fn view_box(v: &str) -> Option<(f64, f64)> {
    let nums: Vec<f64> = v
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|p| !p.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    match nums[..] {
        [_, _, w, h] if w > 0.0 && h > 0.0 => Some((w, h)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_and_height_win() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="120px" height='80' viewBox="0 0 10 10">"#;
        assert_eq!(dimensions(svg), Some((120, 80)));
    }

    #[test]
    fn view_box_fills_in() {
        assert_eq!(
            dimensions(br#"<svg viewBox="0,0,300,150">"#),
            Some((300, 150))
        );
        assert_eq!(
            dimensions(br#"<svg width="600" viewBox="0 0 300 150">"#),
            Some((600, 300))
        );
    }

    #[test]
    fn relative_sizes_are_unknown() {
        assert_eq!(dimensions(br#"<svg width="100%" height="100%">"#), None);
        assert_eq!(
            dimensions(br#"<svg width="1in" height="2cm">"#),
            Some((96, 76))
        );
    }

    #[test]
    fn quoted_gt_does_not_end_the_tag() {
        assert_eq!(
            dimensions(br#"<svg data-x="a>b" width="5" height="6">"#),
            Some((5, 6))
        );
    }
}
