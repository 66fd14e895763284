//! Image URLs: resolution against the article URL, and the one rule for
//! what may ever be fetched (http and https only; data: URIs are images
//! already in hand).

use url::Url;

use crate::error::CoreError;

/// The absolute URL of an image attribute value (with character references
/// already decoded), or `None` when it cannot be an image Shotkeeper
/// handles: empty, a bare `#fragment`, unparsable, or a scheme other than
/// http, https and data (`javascript:`, `file:`, `ftp:`, `blob:`...).
/// Relative, `../` and protocol-relative (`//host/x`) values are resolved
/// against `base`; data: URIs are returned as written (trimmed).
pub fn resolve_url(raw: &str, base: &Url) -> Option<String> {
    resolve_with(raw, Some(base))
}

pub(crate) fn resolve_with(raw: &str, base: Option<&Url>) -> Option<String> {
    // Browsers strip leading/trailing ASCII whitespace from URL attributes.
    let s = raw.trim_matches(|c: char| c.is_ascii_whitespace());
    if s.is_empty() || s.starts_with('#') {
        return None;
    }
    if is_data_uri(s) {
        return Some(s.to_string());
    }
    let url = match base {
        Some(base) => base.join(s).ok()?,
        None => Url::parse(s).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.into())
}

pub(crate) fn is_data_uri(s: &str) -> bool {
    // Compared as bytes: slicing the str at 5 could split a character.
    s.as_bytes()
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"data:"))
}

/// The article URL as a base: `None` when empty (only absolute image URLs
/// then resolve), an error when present but not an absolute http(s) URL.
pub(crate) fn parse_base(base_url: &str) -> Result<Option<Url>, CoreError> {
    let trimmed = base_url.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    match Url::parse(trimmed) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(Some(u)),
        _ => Err(CoreError::Invalid(format!(
            "the article URL '{trimmed}' is not an absolute http(s) URL, so its relative image URLs cannot be resolved"
        ))),
    }
}

/// A caller's replacement key in the form `resolve_url` produces, so that
/// `HTTPS://Example.com/a b.png` and `https://example.com/a%20b.png` match.
pub(crate) fn normalize_key(key: &str) -> String {
    let k = key.trim();
    if is_data_uri(k) {
        return k.to_string();
    }
    Url::parse(k).map_or_else(|_| k.to_string(), String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution() {
        let base = Url::parse("https://help.example.com/en/articles/42-setup?x=1").ok();
        let base = base.as_ref();
        let cases = [
            (
                "img/a.png",
                Some("https://help.example.com/en/articles/img/a.png"),
            ),
            ("../b.png", Some("https://help.example.com/en/b.png")),
            ("/c.png", Some("https://help.example.com/c.png")),
            (
                "//cdn.example.net/d.png",
                Some("https://cdn.example.net/d.png"),
            ),
            ("  http://x.org/e.png\n", Some("http://x.org/e.png")),
            (
                "data:image/png;base64,AAAA",
                Some("data:image/png;base64,AAAA"),
            ),
            ("javascript:alert(1)", None),
            ("file:///etc/passwd", None),
            ("ftp://x.org/a.png", None),
            ("", None),
            ("#top", None),
            ("http://[oops/a.png", None),
            (
                "abcd\u{20ac}.png",
                Some("https://help.example.com/en/articles/abcd%E2%82%AC.png"),
            ),
        ];
        for (raw, want) in cases {
            assert_eq!(resolve_with(raw, base).as_deref(), want, "{raw}");
        }
        assert_eq!(resolve_with("a.png", None), None);
    }

    #[test]
    fn keys_are_normalised() {
        assert_eq!(
            normalize_key("HTTPS://Example.com/a b.png"),
            "https://example.com/a%20b.png"
        );
        assert_eq!(normalize_key("data:x"), "data:x");
    }

    #[test]
    fn bad_bases() {
        assert!(matches!(parse_base(""), Ok(None)));
        assert!(parse_base("not a url").is_err());
        assert!(parse_base("file:///x").is_err());
    }
}
