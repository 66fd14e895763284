//! Character references in attribute values, decoded the way browsers do
//! for the references that occur in URLs and alt text, and escaping of new
//! values for the quoting style of the attribute they replace.

use std::borrow::Cow;

/// Named references decoded when written with `;`. Article HTML uses these
/// in URLs and alt text; the full table (2000+ names) would be dead weight.
const NAMED: &[(&str, char)] = &[
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("nbsp", '\u{a0}'),
    ("copy", '©'),
    ("reg", '®'),
    ("trade", '™'),
    ("hellip", '…'),
    ("mdash", '—'),
    ("ndash", '–'),
    ("lsquo", '‘'),
    ("rsquo", '’'),
    ("ldquo", '“'),
    ("rdquo", '”'),
    ("laquo", '«'),
    ("raquo", '»'),
];
/// Legacy names browsers also accept without `;` (when not followed by an
/// alphanumeric or `=`, as in attribute values).
const LEGACY: &[&str] = &["amp", "lt", "gt", "quot"];

/// Decodes character references in an attribute value: numeric ones
/// (`&#38;`, `&#x26;`, `;` optional) and the common named ones. Unknown or
/// malformed references stay as written, as in browsers.
pub(crate) fn decode_attr(raw: &str) -> Cow<'_, str> {
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match reference(rest) {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The character of the reference at the start of `s` (which begins with
/// `&`) and how many bytes it spans.
fn reference(s: &str) -> Option<(char, usize)> {
    let body = &s[1..];
    if let Some(num) = body.strip_prefix('#') {
        return numeric(num).map(|(c, len)| (c, len + 2));
    }
    let name_len = body
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(body.len());
    let name = &body[..name_len];
    let next = body[name_len..].chars().next();
    if next == Some(';') {
        let c = NAMED.iter().find(|(n, _)| *n == name)?.1;
        return Some((c, name_len + 2));
    }
    // `&amp` without `;`, followed by something that cannot continue a name.
    let legacy = LEGACY.contains(&name) && next != Some('=');
    legacy.then(|| {
        (
            NAMED.iter().find(|(n, _)| *n == name).map_or('&', |e| e.1),
            name_len + 1,
        )
    })
}

/// `NN;` or `xHH;` after `&#`; the `;` is optional.
fn numeric(s: &str) -> Option<(char, usize)> {
    let (digits_at, radix) = match s.as_bytes().first() {
        Some(b'x' | b'X') => (1, 16),
        _ => (0, 10),
    };
    let digits = &s[digits_at..];
    let n = digits
        .find(|c: char| !c.is_digit(radix))
        .unwrap_or(digits.len());
    if n == 0 {
        return None;
    }
    let value = u32::from_str_radix(&digits[..n.min(8)], radix).unwrap_or(u32::MAX);
    // NUL, surrogates and out-of-range code points become U+FFFD, as in browsers.
    let c = char::from_u32(value)
        .filter(|&c| c != '\0')
        .unwrap_or('\u{FFFD}');
    let semi = usize::from(digits[n..].starts_with(';'));
    Some((c, digits_at + n + semi))
}

/// How an attribute value is delimited in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quote {
    Double,
    Single,
    Unquoted,
}

impl Quote {
    /// The quoting of the value at `span` in `html`.
    pub fn of(html: &str, span: &std::ops::Range<usize>) -> Quote {
        let before = span
            .start
            .checked_sub(1)
            .and_then(|i| html.as_bytes().get(i));
        let after = html.as_bytes().get(span.end);
        match (before, after) {
            (Some(b'"'), Some(b'"')) => Quote::Double,
            (Some(b'\''), Some(b'\'')) => Quote::Single,
            _ => Quote::Unquoted,
        }
    }
}

/// Escapes text to sit inside a value with this quoting: `&` always, and
/// the quote characters that could end it.
pub(crate) fn escape_in(value: &str, quote: Quote) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match (c, quote) {
            ('&', _) => out.push_str("&amp;"),
            ('"', Quote::Double | Quote::Unquoted) => out.push_str("&quot;"),
            ('\'', Quote::Single | Quote::Unquoted) => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A complete new value for the source: unquoted values that are empty or
/// hold characters an unquoted value cannot gain double quotes (their
/// `"` and `'` are already escaped by [`escape_in`]).
pub(crate) fn finish_value(escaped: String, quote: Quote) -> String {
    let unsafe_unquoted = |c: char| c.is_ascii_whitespace() || matches!(c, '=' | '<' | '>' | '`');
    if quote == Quote::Unquoted && (escaped.is_empty() || escaped.contains(unsafe_unquoted)) {
        format!("\"{escaped}\"")
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_what_urls_and_alt_text_use() {
        let cases = [
            ("a.png?x=1&amp;y=2", "a.png?x=1&y=2"),
            ("&#38;&#x26;&#X26&#38", "&&&&"),
            ("Tom &amp Jerry", "Tom & Jerry"),
            ("&copy; 2024 &hellip;", "© 2024 …"),
            ("?a=1&b=2&ampx=3", "?a=1&b=2&ampx=3"),
            ("&amp=1", "&amp=1"),
            ("&unknown; & &#; &#xZZ;", "&unknown; & &#; &#xZZ;"),
            ("&#0;&#xD800;&#99999999999;", "\u{FFFD}\u{FFFD}\u{FFFD}"),
        ];
        for (raw, want) in cases {
            assert_eq!(decode_attr(raw), want, "{raw}");
        }
    }

    #[test]
    fn escaping_fits_the_quotes() {
        let v = r#"a&b"c'd"#;
        assert_eq!(escape_in(v, Quote::Double), "a&amp;b&quot;c'd");
        assert_eq!(escape_in(v, Quote::Single), "a&amp;b\"c&#39;d");
        assert_eq!(
            finish_value(escape_in("x y", Quote::Unquoted), Quote::Unquoted),
            "\"x y\""
        );
        assert_eq!(finish_value("a.png".into(), Quote::Unquoted), "a.png");
    }

    #[test]
    fn quote_style_is_read_from_the_source() {
        let html = r#"<img a="x" b='y' c=z>"#;
        assert_eq!(Quote::of(html, &(8..9)), Quote::Double);
        assert_eq!(Quote::of(html, &(14..15)), Quote::Single);
        assert_eq!(Quote::of(html, &(19..20)), Quote::Unquoted);
    }
}
