//! Every place in an article that names an image file: each URL of an
//! `<img>` (`src`, `data-src`, each `srcset` and `data-srcset` candidate),
//! each candidate of a `<picture>`'s `<source>`, and the `href` of a link
//! around an image. A rewrite changes exactly the places that name a
//! replaced image; [`places`] tells a person beforehand which places change
//! and which look related but stay (a 2x variant, a link to another file).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use serde::{Deserialize, Serialize};
use url::Url;

use super::entities::decode_attr;
use super::scan::{self, RawElement, Tag};
use super::{srcset, urls};
use crate::error::CoreError;
use crate::imaging::file_name_from_url;

/// The element a reference sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RefElement {
    Img,
    Source,
    Link,
}

impl RefElement {
    fn of(tag: Tag) -> RefElement {
        match tag {
            Tag::Img => RefElement::Img,
            Tag::Source => RefElement::Source,
            Tag::Link => RefElement::Link,
        }
    }

    /// The attributes of this element that name image files.
    fn attributes(self) -> &'static [&'static str] {
        match self {
            RefElement::Img => &["src", "data-src", "srcset", "data-srcset"],
            RefElement::Source => &["srcset", "data-srcset"],
            RefElement::Link => &["href"],
        }
    }
}

/// Whether an attribute holds a list of candidates (`srcset`) or one URL.
pub(crate) fn is_candidate_list(attribute: &str) -> bool {
    matches!(attribute, "srcset" | "data-srcset")
}

/// One URL as written in the article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Order among the document's references, 0-based.
    pub index: u32,
    pub element: RefElement,
    pub attribute: &'static str,
    /// Position in a srcset, 0-based; `None` for single-URL attributes.
    pub candidate: Option<u32>,
    /// The srcset descriptor (`2x`, `480w`); `""` when there is none.
    pub descriptor: String,
    /// The URL as written (character references not decoded).
    pub raw: String,
    /// The absolute URL, when it is one Shotkeeper handles.
    pub url: Option<String>,
    /// The `<img>` (position among the document's images) it belongs to.
    pub image: Option<u32>,
    /// Where `raw` is in the document, and where the whole attribute value
    /// is (`None`: lol_html could not locate it, so it is never rewritten).
    pub(crate) span: Option<Range<usize>>,
    pub(crate) attr_span: Option<Range<usize>>,
}

/// Every reference of `html` in document order, resolved against `base`.
pub(crate) fn references(html: &str, base: Option<&Url>) -> Result<Vec<Reference>, CoreError> {
    let mut out = Vec::new();
    for el in scan::scan_elements(html)? {
        push_element(&mut out, &el, base);
    }
    Ok(out)
}

fn push_element(out: &mut Vec<Reference>, el: &RawElement, base: Option<&Url>) {
    let element = RefElement::of(el.tag);
    for &attribute in element.attributes() {
        let Some(attr) = el.get(attribute) else {
            continue;
        };
        let pieces: Vec<(Range<usize>, String, Option<u32>)> = if is_candidate_list(attribute) {
            srcset::candidates(&attr.value)
                .into_iter()
                .zip(0u32..)
                .map(|((r, d), i)| (r, d, Some(i)))
                .collect()
        } else {
            vec![(0..attr.value.len(), String::new(), None)]
        };
        for (range, descriptor, candidate) in pieces {
            let raw = attr.value[range.clone()].to_string();
            let url = urls::resolve_with(&decode_attr(&raw), base);
            out.push(Reference {
                index: u32::try_from(out.len()).unwrap_or(u32::MAX),
                element,
                attribute,
                candidate,
                descriptor,
                url,
                image: el.image,
                span: attr
                    .span
                    .as_ref()
                    .map(|s| s.start + range.start..s.start + range.end),
                attr_span: attr.span.clone(),
                raw,
            });
        }
    }
}

/// Which references a rewrite with these (normalised) keys changes: every
/// one naming a key, except a link whose image does not show that URL
/// (a link is only rewritten as the lightbox of the image it wraps).
pub(crate) fn changing(refs: &[Reference], keys: &HashSet<&str>) -> Vec<bool> {
    let mut shown: HashMap<u32, HashSet<&str>> = HashMap::new();
    for r in refs.iter().filter(|r| r.element == RefElement::Img) {
        if let (Some(i), Some(u)) = (r.image, r.url.as_deref()) {
            shown.entry(i).or_default().insert(u);
        }
    }
    refs.iter()
        .map(|r| {
            let Some(url) = r.url.as_deref().filter(|u| keys.contains(u)) else {
                return false;
            };
            r.span.is_some()
                && (r.element != RefElement::Link
                    || r.image
                        .and_then(|i| shown.get(&i))
                        .is_some_and(|s| s.contains(url)))
        })
        .collect()
}

/// One place of an article that a replacement touches or leaves alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Place {
    pub element: RefElement,
    pub attribute: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub descriptor: String,
    pub url: String,
    /// The matched image URL this place is about: its own URL when it
    /// changes, else the replaced URL of the image it sits beside.
    pub replaces: String,
    /// Whether the update changes it.
    pub changes: bool,
    /// For a place left alone: why, for a person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The places a replacement of `matched` URLs changes, and beside them the
/// places of the same images (other srcset candidates, sources, links) that
/// look related but stay as they are, in document order.
pub fn places(html: &str, base_url: &str, matched: &[&str]) -> Result<Vec<Place>, CoreError> {
    let base = urls::parse_base(base_url)?;
    let keys_owned: Vec<String> = matched.iter().map(|k| urls::normalize_key(k)).collect();
    let keys: HashSet<&str> = keys_owned.iter().map(String::as_str).collect();
    let refs = references(html, base.as_ref())?;
    let change = changing(&refs, &keys);
    // Each touched image and the (first) replaced URL it shows.
    let mut touched: HashMap<u32, String> = HashMap::new();
    for (r, _) in refs.iter().zip(&change).filter(|(_, c)| **c) {
        if let (Some(i), Some(u)) = (r.image, &r.url) {
            touched.entry(i).or_insert_with(|| u.clone());
        }
    }
    let mut out = Vec::new();
    for (r, &changes) in refs.iter().zip(&change) {
        let Some(url) = r.url.clone() else { continue };
        let beside = r.image.and_then(|i| touched.get(&i));
        let replaces = match (changes, beside) {
            (true, _) => url.clone(),
            (false, Some(b)) if !urls::is_data_uri(&url) => b.clone(),
            _ => continue,
        };
        out.push(Place {
            replaces,
            element: r.element,
            attribute: r.attribute.to_string(),
            descriptor: r.descriptor.clone(),
            note: (!changes).then(|| left_alone(r, &url)),
            url,
            changes,
        });
    }
    Ok(out)
}

/// Why a place near a replaced image keeps its URL.
fn left_alone(r: &Reference, url: &str) -> String {
    let name = file_name_from_url(url);
    let name = if name.is_empty() { url } else { &name };
    match (r.element, r.descriptor.as_str()) {
        (RefElement::Link, _) => format!(
            "the link around the image opens {name}, another file: it is not replaced"
        ),
        (_, d) if d.ends_with('x') => format!(
            "a {d} variant, {name}, is not replaced: screens that pick it keep the old image until a {d} screenshot replaces it"
        ),
        (_, d) if !d.is_empty() => format!(
            "a {d} variant, {name}, is not replaced: browsers that pick it keep the old image"
        ),
        _ => format!("{} names {name}, another file: it is not replaced", r.attribute),
    }
}
