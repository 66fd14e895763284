//! Finding and replacing images in article HTML.
//!
//! Help-center HTML is whatever editors produced over the years: unclosed
//! tags, unquoted attributes, uppercase tags, lazy-loading attributes. It is
//! parsed by lol_html (streaming, browser-tolerant), and a rewrite changes
//! only the bytes of the matched attribute values: the output is the input
//! with those values spliced in, so nothing else can change.

mod entities;
mod scan;
mod srcset;
mod urls;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::CoreError;
use entities::{decode_attr, escape_in, finish_value, Quote};
use scan::{RawAttr, RawImg};

pub use urls::resolve_url;

/// The attributes that name an image's file, in order of preference.
const URL_ATTRS: [&str; 3] = ["src", "data-src", "srcset"];

/// One `<img>` element of an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageRef {
    /// Order in the document, 0-based, one per `<img>` element.
    pub position: u32,
    /// Attribute values exactly as written (character references not decoded).
    pub src: Option<String>,
    pub srcset: Option<String>,
    pub data_src: Option<String>,
    /// The image's absolute URL: `src` if usable, else `data-src`, else the
    /// first usable `srcset` candidate; `""` when the element has none.
    /// Exception: a data: URI `src` beside an http(s) `data-src` is a
    /// lazy-loading placeholder, and `data-src` is chosen.
    pub url: String,
    /// Every distinct usable URL of the element (src, data-src, then srcset
    /// candidates). Replacing an image everywhere in an article means
    /// mapping each of these, or retina screens keep the old srcset file.
    pub all_urls: Vec<String>,
    /// Decoded alt text; `""` if absent.
    pub alt: String,
    /// `width`/`height` attributes when they are pixel numbers.
    pub width_attr: Option<u32>,
    pub height_attr: Option<u32>,
    /// Whether `url` is a data: URI.
    pub is_inline: bool,
}

/// The result of [`rewrite_images`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewriteOutcome {
    pub html: String,
    /// How many attribute values changed (a srcset counts once however many
    /// of its candidates changed).
    pub replaced: u32,
}

/// Every `<img>` of `html`, with URLs resolved against `base_url` (the
/// article's URL; `""` when unknown, in which case only absolute URLs
/// resolve). Malformed HTML never fails; a non-empty `base_url` that is not
/// an absolute http(s) URL does.
pub fn extract_images(html: &str, base_url: &str) -> Result<Vec<ImageRef>, CoreError> {
    let base = urls::parse_base(base_url)?;
    let imgs = scan::scan_images(html)?;
    Ok(imgs
        .iter()
        .enumerate()
        .map(|(i, img)| image_ref(i, img, base.as_ref()))
        .collect())
}

/// Replaces image URLs. For every `<img>` whose `src`, `data-src` or a
/// `srcset` candidate resolves (against `base_url`) to a key of
/// `replacements`, that URL is replaced by the key's value: whole value for
/// `src`/`data-src`, only the candidate's URL in `srcset` (descriptors kept).
/// The new value is escaped for the attribute's quoting; an unquoted value
/// that needs quotes gets double quotes. Every other byte is unchanged, and
/// with no replacements the output is the input.
pub fn rewrite_images(
    html: &str,
    base_url: &str,
    replacements: &HashMap<String, String>,
) -> Result<RewriteOutcome, CoreError> {
    let base = urls::parse_base(base_url)?;
    let map: HashMap<String, &str> = replacements
        .iter()
        .map(|(k, v)| (urls::normalize_key(k), v.as_str()))
        .collect();
    if map.is_empty() {
        return Ok(RewriteOutcome {
            html: html.to_string(),
            replaced: 0,
        });
    }
    let ctx = Rewrite {
        html,
        base: base.as_ref(),
        map: &map,
    };
    let edits: Vec<Edit> = scan::scan_images(html)?
        .iter()
        .flat_map(|img| img.attrs.iter())
        .filter_map(|attr| ctx.edit(attr))
        .collect();
    Ok(RewriteOutcome {
        html: splice(html, &edits),
        replaced: edits.len() as u32,
    })
}

fn image_ref(position: usize, img: &RawImg, base: Option<&Url>) -> ImageRef {
    let raw = |name: &str| img.get(name).map(|a| a.value.clone());
    let resolve = |v: &str| urls::resolve_with(&decode_attr(v), base);
    let src_url = img.get("src").and_then(|a| resolve(&a.value));
    let data_src_url = img.get("data-src").and_then(|a| resolve(&a.value));
    let srcset_urls: Vec<String> = img.get("srcset").map_or_else(Vec::new, |a| {
        let candidates = srcset::candidate_urls(&a.value);
        candidates
            .into_iter()
            .filter_map(|r| resolve(&a.value[r]))
            .collect()
    });
    let placeholder = src_url.as_deref().is_some_and(urls::is_data_uri)
        && data_src_url
            .as_deref()
            .is_some_and(|u| !urls::is_data_uri(u));
    let url = if placeholder { None } else { src_url.clone() }
        .or_else(|| data_src_url.clone())
        .or_else(|| srcset_urls.first().cloned())
        .unwrap_or_default();
    let mut all_urls: Vec<String> = Vec::new();
    for u in src_url.into_iter().chain(data_src_url).chain(srcset_urls) {
        if !all_urls.contains(&u) {
            all_urls.push(u);
        }
    }
    let dimension = |name: &str| img.get(name).and_then(|a| pixels(&decode_attr(&a.value)));
    ImageRef {
        position: u32::try_from(position).unwrap_or(u32::MAX),
        src: raw("src"),
        srcset: raw("srcset"),
        data_src: raw("data-src"),
        is_inline: urls::is_data_uri(&url),
        url,
        all_urls,
        alt: img
            .get("alt")
            .map(|a| decode_attr(&a.value).into_owned())
            .unwrap_or_default(),
        width_attr: dimension("width"),
        height_attr: dimension("height"),
    }
}

/// `width`/`height` as browsers read them: leading digits (an optional
/// fraction and `px` ignored); percentages and garbage are not pixels.
fn pixels(v: &str) -> Option<u32> {
    let v = v.trim();
    let digits = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    if digits == 0 {
        return None;
    }
    let rest = v[digits..].trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
    if rest.trim_start().starts_with('%') {
        return None;
    }
    v[..digits].parse().ok()
}

/// A new value for the byte range of an old one.
struct Edit {
    span: std::ops::Range<usize>,
    text: String,
}

struct Rewrite<'a> {
    html: &'a str,
    base: Option<&'a Url>,
    map: &'a HashMap<String, &'a str>,
}

impl Rewrite<'_> {
    /// The edit for one attribute, if it names a replaced URL.
    fn edit(&self, attr: &RawAttr) -> Option<Edit> {
        if !URL_ATTRS.contains(&attr.name.as_str()) {
            return None;
        }
        let span = attr.span.clone()?;
        let quote = Quote::of(self.html, &span);
        let escaped = if attr.name == "srcset" {
            self.new_srcset(&attr.value, quote)?
        } else {
            escape_in(self.lookup(&attr.value)?, quote)
        };
        let text = finish_value(escaped, quote);
        (text != attr.value).then_some(Edit { span, text })
    }

    /// The replacement of a raw URL value, if it has one.
    fn lookup(&self, raw: &str) -> Option<&str> {
        let url = urls::resolve_with(&decode_attr(raw), self.base)?;
        self.map.get(&url).copied()
    }

    /// The srcset with replaced candidate URLs, or `None` when none matched.
    fn new_srcset(&self, raw: &str, quote: Quote) -> Option<String> {
        let mut out = String::with_capacity(raw.len());
        let mut last = 0;
        for r in srcset::candidate_urls(raw) {
            if let Some(new) = self.lookup(&raw[r.clone()]) {
                out.push_str(&raw[last..r.start]);
                out.push_str(&escape_in(&srcset::candidate_safe(new), quote));
                last = r.end;
            }
        }
        if last == 0 {
            return None;
        }
        out.push_str(&raw[last..]);
        Some(out)
    }
}

/// The document with each edit's range replaced (edits are in source order
/// and never overlap: they are distinct attribute values).
fn splice(html: &str, edits: &[Edit]) -> String {
    let mut edits: Vec<&Edit> = edits.iter().collect();
    edits.sort_by_key(|e| e.span.start);
    let extra: usize = edits.iter().map(|e| e.text.len()).sum();
    let mut out = String::with_capacity(html.len() + extra);
    let mut last = 0;
    for e in edits {
        out.push_str(&html[last..e.span.start]);
        out.push_str(&e.text);
        last = e.span.end;
    }
    out.push_str(&html[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pixel_attributes() {
        assert_eq!(pixels("890"), Some(890));
        assert_eq!(pixels(" 640px"), Some(640));
        assert_eq!(pixels("99.6"), Some(99));
        assert_eq!(pixels("50%"), None);
        assert_eq!(pixels("auto"), None);
        assert_eq!(pixels(""), None);
    }

    #[test]
    fn placeholder_src_yields_to_data_src() {
        let html = r#"<img src="data:image/gif;base64,R0lGOD" data-src="/real.png">"#;
        let refs = extract_images(html, "https://h.example/a/b").map_err(|e| e.to_string());
        let refs = refs.as_deref().unwrap_or_default();
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].url, "https://h.example/real.png");
        assert!(!refs[0].is_inline);
    }
}
