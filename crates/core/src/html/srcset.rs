//! `srcset` candidates, split as the HTML standard's "parse a srcset
//! attribute" does, keeping each URL's byte range in the raw value so a
//! rewrite can replace the URL and leave its descriptors alone.

use std::ops::Range;

/// Byte ranges (in `raw`) of each candidate's URL, in order.
pub(crate) fn candidate_urls(raw: &str) -> Vec<Range<usize>> {
    candidates(raw).into_iter().map(|(url, _)| url).collect()
}

/// Each candidate's URL range and its descriptor (`2x`, `480w`; `""` when
/// it has none), in order.
pub(crate) fn candidates(raw: &str) -> Vec<(Range<usize>, String)> {
    let b = raw.as_bytes();
    let is_space = |c: u8| c.is_ascii_whitespace();
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        while pos < b.len() && (is_space(b[pos]) || b[pos] == b',') {
            pos += 1;
        }
        if pos >= b.len() {
            return out;
        }
        let start = pos;
        while pos < b.len() && !is_space(b[pos]) {
            pos += 1;
        }
        let mut end = pos;
        let mut descriptor = String::new();
        if b[end - 1] == b',' {
            // "a.png," ends the candidate: no descriptors follow.
            while end > start && b[end - 1] == b',' {
                end -= 1;
            }
        } else {
            let from = pos;
            pos = skip_descriptors(b, pos);
            descriptor = raw[from..pos].trim_end_matches(',').trim().to_string();
        }
        if end > start {
            out.push((start..end, descriptor));
        }
    }
}

/// Skips descriptors up to and including the comma that ends the candidate;
/// commas inside parentheses do not count (future descriptor syntax).
fn skip_descriptors(b: &[u8], mut pos: usize) -> usize {
    let mut depth = 0usize;
    while pos < b.len() {
        match b[pos] {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => return pos + 1,
            _ => {}
        }
        pos += 1;
    }
    pos
}

/// Makes a URL safe as a srcset candidate: whitespace would split it and
/// trailing commas would be dropped, so both are percent-encoded.
pub(crate) fn candidate_safe(url: &str) -> String {
    let trimmed = url.trim_end_matches(',');
    let mut out = String::with_capacity(url.len());
    for c in trimmed.chars() {
        if c.is_ascii_whitespace() {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.push_str(&"%2C".repeat(url.len() - trimmed.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(raw: &str) -> Vec<&str> {
        candidate_urls(raw).into_iter().map(|r| &raw[r]).collect()
    }

    #[test]
    fn splits_like_browsers() {
        assert_eq!(urls("a.png 1x, b.png 2x"), ["a.png", "b.png"]);
        assert_eq!(
            urls(" a.png, b.png 2x ,, c.png"),
            ["a.png", "b.png", "c.png"]
        );
        // A URL runs to whitespace, commas included (the standard's rule).
        assert_eq!(urls("a.png,b.png 2x"), ["a.png,b.png"]);
        assert_eq!(urls("a,b.png 100w"), ["a,b.png"]);
        assert_eq!(urls("a.png (x, y) 1x, b.png"), ["a.png", "b.png"]);
        assert!(urls(" , ").is_empty());
    }

    #[test]
    fn descriptors_are_kept() {
        let d: Vec<String> = candidates("a.png 1x, b.png  2x ,c.png, d.png 480w")
            .into_iter()
            .map(|(_, d)| d)
            .collect();
        assert_eq!(d, ["1x", "2x", "", "480w"]);
    }

    #[test]
    fn unsafe_candidates_are_encoded() {
        assert_eq!(
            candidate_safe("https://x/a b.png,,"),
            "https://x/a%20b.png%2C%2C"
        );
    }
}
