//! Finding and replacing images in article HTML.
//!
//! Help-center HTML is whatever editors produced over the years: unclosed
//! tags, unquoted attributes, uppercase tags, lazy-loading attributes. It is
//! parsed by lol_html (streaming, browser-tolerant), and a rewrite changes
//! only the bytes of the matched URLs: the output is the input with those
//! values spliced in, so nothing else can change ([`rewrite`]), and each
//! change is recorded so that it can be put back exactly.

mod entities;
mod refs;
mod rewrite;
mod scan;
mod srcset;
mod urls;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::CoreError;
use entities::decode_attr;
use scan::RawElement;

pub use refs::{places, Place, RefElement};
pub use rewrite::{restore_images, rewrite_images, RefChange, RestoreOutcome, RewriteOutcome};
pub use urls::resolve_url;

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
    /// and data-srcset candidates). Each is a file of its own: a rewrite
    /// changes only the ones that were matched.
    pub all_urls: Vec<String>,
    /// Decoded alt text; `""` if absent.
    pub alt: String,
    /// `width`/`height` attributes when they are pixel numbers.
    pub width_attr: Option<u32>,
    pub height_attr: Option<u32>,
    /// Whether `url` is a data: URI.
    pub is_inline: bool,
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

fn image_ref(position: usize, img: &RawElement, base: Option<&Url>) -> ImageRef {
    let raw = |name: &str| img.get(name).map(|a| a.value.clone());
    let resolve = |v: &str| urls::resolve_with(&decode_attr(v), base);
    let src_url = img.get("src").and_then(|a| resolve(&a.value));
    let data_src_url = img.get("data-src").and_then(|a| resolve(&a.value));
    let candidate_urls = |name: &str| -> Vec<String> {
        img.get(name).map_or_else(Vec::new, |a| {
            srcset::candidate_urls(&a.value)
                .into_iter()
                .filter_map(|r| resolve(&a.value[r]))
                .collect()
        })
    };
    let srcset_urls = candidate_urls("srcset");
    let data_srcset_urls = candidate_urls("data-srcset");
    let placeholder = src_url.as_deref().is_some_and(urls::is_data_uri)
        && data_src_url
            .as_deref()
            .is_some_and(|u| !urls::is_data_uri(u));
    let url = if placeholder { None } else { src_url.clone() }
        .or_else(|| data_src_url.clone())
        .or_else(|| srcset_urls.first().cloned())
        .or_else(|| data_srcset_urls.first().cloned())
        .unwrap_or_default();
    let mut all_urls: Vec<String> = Vec::new();
    for u in src_url
        .into_iter()
        .chain(data_src_url)
        .chain(srcset_urls)
        .chain(data_srcset_urls)
    {
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
