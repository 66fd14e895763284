//! Replacing image URLs, and putting them back. A rewrite changes exactly
//! the references that name a replaced image and records each change with
//! its position; a restore puts back exactly what those records say, so a
//! rollback neither misses a place nor touches one the update never
//! changed, even after later edits to the article.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::entities::{decode_attr, escape_in, finish_value, Quote};
use super::refs::{self, is_candidate_list, RefElement, Reference};
use super::{srcset, urls};
use crate::error::CoreError;

/// One URL the rewrite changed, where it was, and what it was as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefChange {
    /// The reference's order in the document it was written to.
    pub index: u32,
    pub element: RefElement,
    pub attribute: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate: Option<u32>,
    pub old_url: String,
    pub new_url: String,
    /// The URL exactly as it was written before (character references kept).
    pub old_value: String,
    /// The URL exactly as it was written by the change.
    pub new_value: String,
    /// The value was unquoted and the new one needed quotes: a restore
    /// takes them away again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub quoted: bool,
}

/// The result of [`rewrite_images`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewriteOutcome {
    pub html: String,
    /// How many attribute values changed (a srcset counts once however many
    /// of its candidates changed).
    pub replaced: u32,
    /// Every URL changed, in document order.
    pub changes: Vec<RefChange>,
}

/// The result of [`restore_images`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreOutcome {
    pub html: String,
    /// The URLs put back, as changes of the restored document (so that the
    /// restore itself can be undone).
    pub changes: Vec<RefChange>,
    /// Recorded changes whose place is no longer in the article (an editor
    /// removed the image since): nothing to put back there.
    pub missing: Vec<RefChange>,
}

/// Replaces image URLs. Every reference (see [`super::refs`]) whose URL
/// resolves (against `base_url`) to a key of `replacements` gets the key's
/// value: the whole value of `src`/`data-src`/`href`, only the candidate's
/// URL in a srcset (descriptors and other candidates kept). A link changes
/// only around an image that shows the same URL. The new value is escaped
/// for the attribute's quoting; an unquoted value that needs quotes gets
/// double quotes. Every other byte is unchanged, and with no replacements
/// the output is the input.
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
        return Ok(unchanged(html));
    }
    let refs = refs::references(html, base.as_ref())?;
    let keys: HashSet<&str> = map.keys().map(String::as_str).collect();
    let chosen: Vec<(&Reference, String)> = refs
        .iter()
        .zip(refs::changing(&refs, &keys))
        .filter(|(_, c)| *c)
        .filter_map(|(r, _)| {
            let new = map.get(r.url.as_deref()?)?;
            Some((r, (*new).to_string()))
        })
        .collect();
    Ok(apply(html, &chosen))
}

/// Puts back what `changes` (recorded by [`rewrite_images`] on an earlier
/// version of this article) replaced. Each change is found at its recorded
/// position when the article still has the new URL there, else at the
/// nearest reference of the same kind that still names the new URL and no
/// other change claimed; a reference the update never changed is never
/// touched, even when it names the same URL.
pub fn restore_images(
    html: &str,
    base_url: &str,
    changes: &[RefChange],
) -> Result<RestoreOutcome, CoreError> {
    let base = urls::parse_base(base_url)?;
    let refs = refs::references(html, base.as_ref())?;
    let mut claimed: HashMap<u32, &RefChange> = HashMap::new();
    let mut missing = Vec::new();
    // Exact positions first, so that a nearer but wrong place cannot take a
    // change's own place.
    let mut rest = Vec::new();
    for c in changes {
        match refs
            .get(c.index as usize)
            .filter(|r| same_place(r, c) && !claimed.contains_key(&r.index))
        {
            Some(r) => {
                claimed.insert(r.index, c);
            }
            None => rest.push(c),
        }
    }
    for c in rest {
        let nearest = refs
            .iter()
            .filter(|r| same_kind(r, c) && !claimed.contains_key(&r.index))
            .min_by_key(|r| r.index.abs_diff(c.index));
        match nearest {
            Some(r) => {
                claimed.insert(r.index, c);
            }
            None => missing.push(c.clone()),
        }
    }
    let chosen: Vec<(&Reference, &RefChange)> = refs
        .iter()
        .filter_map(|r| claimed.get(&r.index).map(|c| (r, *c)))
        .collect();
    let out = restore(html, &chosen);
    Ok(RestoreOutcome {
        html: out.html,
        changes: out.changes,
        missing,
    })
}

fn same_kind(r: &Reference, c: &RefChange) -> bool {
    r.span.is_some()
        && r.element == c.element
        && r.attribute == c.attribute
        && r.url.as_deref() == Some(c.new_url.as_str())
}

fn same_place(r: &Reference, c: &RefChange) -> bool {
    same_kind(r, c) && r.candidate == c.candidate
}

fn unchanged(html: &str) -> RewriteOutcome {
    RewriteOutcome {
        html: html.to_string(),
        replaced: 0,
        changes: Vec::new(),
    }
}

/// A new value for the byte range of an old one.
struct Edit {
    span: Range<usize>,
    text: String,
}

/// Rewrites the chosen references (each with its new absolute URL).
fn apply(html: &str, chosen: &[(&Reference, String)]) -> RewriteOutcome {
    let mut edits = Vec::new();
    let mut changes = Vec::new();
    for group in by_attribute(chosen.iter().map(|(r, n)| (*r, n))) {
        let Some(span) = group[0].0.attr_span.clone() else {
            continue;
        };
        let quote = Quote::of(html, &span);
        let value = &html[span.clone()];
        let mut text = String::with_capacity(value.len() + 32);
        let mut last = 0;
        let mut group_changes = Vec::new();
        for (r, new) in &group {
            let Some(at) = within(r, &span) else {
                continue;
            };
            let written = if is_candidate_list(r.attribute) {
                escape_in(&srcset::candidate_safe(new), quote)
            } else {
                escape_in(new, quote)
            };
            if written == r.raw {
                continue;
            }
            text.push_str(&value[last..at.start]);
            text.push_str(&written);
            last = at.end;
            group_changes.push(change_of(r, new, written));
        }
        if group_changes.is_empty() {
            continue;
        }
        text.push_str(&value[last..]);
        let finished = finish_value(text.clone(), quote);
        let quoted = finished != text;
        for c in &mut group_changes {
            c.quoted = quoted;
        }
        edits.push(Edit {
            span,
            text: finished,
        });
        changes.extend(group_changes);
    }
    RewriteOutcome {
        html: splice(html, &edits),
        replaced: u32::try_from(edits.len()).unwrap_or(u32::MAX),
        changes,
    }
}

fn change_of(r: &Reference, new_url: &str, written: String) -> RefChange {
    RefChange {
        index: r.index,
        element: r.element,
        attribute: r.attribute.to_string(),
        candidate: r.candidate,
        old_url: r.url.clone().unwrap_or_default(),
        // In the form the reference resolves to, so a restore finds it.
        new_url: urls::normalize_key(new_url),
        old_value: r.raw.clone(),
        new_value: written,
        quoted: false,
    }
}

/// Puts each chosen reference's recorded old value back.
fn restore(html: &str, chosen: &[(&Reference, &RefChange)]) -> RestoreOutcome {
    let mut edits = Vec::new();
    let mut changes = Vec::new();
    for group in by_attribute(chosen.iter().map(|(r, c)| (*r, *c))) {
        let Some(mut span) = group[0].0.attr_span.clone() else {
            continue;
        };
        let quote = Quote::of(html, &span);
        let value = &html[span.clone()];
        let mut text = String::with_capacity(value.len());
        let mut last = 0;
        for (r, c) in &group {
            let Some(at) = within(r, &span) else {
                continue;
            };
            let written = old_value_for(&c.old_value, quote);
            text.push_str(&value[last..at.start]);
            text.push_str(&written);
            last = at.end;
            changes.push(RefChange {
                index: r.index,
                element: r.element,
                attribute: r.attribute.to_string(),
                candidate: r.candidate,
                old_url: c.new_url.clone(),
                new_url: c.old_url.clone(),
                old_value: r.raw.clone(),
                new_value: written,
                quoted: false,
            });
        }
        text.push_str(&value[last..]);
        // Quotes the rewrite added around an unquoted value go again, so a
        // restore of an untouched rewrite gives back the original bytes.
        let drop_quotes =
            quote == Quote::Double && group.iter().all(|(_, c)| c.quoted) && fits_unquoted(&text);
        if drop_quotes && span.start > 0 && html.as_bytes().get(span.end) == Some(&b'"') {
            span = span.start - 1..span.end + 1;
        }
        edits.push(Edit { span, text });
    }
    RestoreOutcome {
        html: splice(html, &edits),
        changes,
        missing: Vec::new(),
    }
}

/// The old value as written, or re-escaped when the attribute's quoting
/// changed since and the old text would not fit in it.
fn old_value_for(old: &str, quote: Quote) -> String {
    let fits = match quote {
        Quote::Double => !old.contains('"'),
        Quote::Single => !old.contains('\''),
        Quote::Unquoted => fits_unquoted(old),
    };
    if fits {
        old.to_string()
    } else {
        escape_in(&decode_attr(old), quote)
    }
}

/// Where a reference sits inside its attribute's value.
fn within(r: &Reference, attr: &Range<usize>) -> Option<Range<usize>> {
    r.span
        .as_ref()
        .map(|s| s.start - attr.start..s.end - attr.start)
}

/// Whether text that stood unquoted in an article can stand unquoted again:
/// what ends an unquoted value (whitespace, `>`) or would start a quoted
/// one is absent. `=` and the like are kept: the article had them so.
fn fits_unquoted(text: &str) -> bool {
    !text.is_empty()
        && !text.contains(|c: char| c.is_ascii_whitespace() || matches!(c, '"' | '\'' | '>'))
}

/// Groups (reference, payload) pairs by the attribute they are in, in
/// document order.
fn by_attribute<'r, T>(
    items: impl Iterator<Item = (&'r Reference, T)>,
) -> Vec<Vec<(&'r Reference, T)>> {
    let mut groups: BTreeMap<usize, Vec<(&Reference, T)>> = BTreeMap::new();
    for (r, t) in items {
        if let Some(span) = &r.attr_span {
            groups.entry(span.start).or_default().push((r, t));
        }
    }
    groups.into_values().collect()
}

/// The document with each edit's range replaced (edits never overlap: they
/// are distinct attribute values).
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
