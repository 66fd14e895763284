//! One tolerant streaming pass (lol_html) that finds every `<img>` element
//! and where each of its attribute values sits in the source. Nothing is
//! rewritten here: [`super::rewrite_images`] splices new values into the
//! original string at these byte ranges, which is what keeps every other
//! byte (quoting, entities, whitespace, comments) exactly as it was.

use std::ops::Range;

use lol_html::{element, HtmlRewriter, Settings};

use crate::error::CoreError;

/// An attribute as written: lowercase name, raw value (entities not
/// decoded) and the byte range of that value in the document (`None` when
/// lol_html's location does not point at exactly this value: such an
/// attribute is reported but never rewritten).
#[derive(Debug, Clone)]
pub(crate) struct RawAttr {
    pub name: String,
    pub value: String,
    pub span: Option<Range<usize>>,
}

/// One `<img>` start tag's attributes, first occurrence of each name only
/// (browsers ignore repeats).
#[derive(Debug, Clone, Default)]
pub(crate) struct RawImg {
    pub attrs: Vec<RawAttr>,
}

impl RawImg {
    pub fn get(&self, name: &str) -> Option<&RawAttr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

/// Every `<img>` in document order. Malformed HTML is parsed the way
/// browsers do; `<img>` text inside comments, scripts or textareas is not
/// an element and is not returned.
pub(crate) fn scan_images(html: &str) -> Result<Vec<RawImg>, CoreError> {
    let mut found = Vec::new();
    let settings = Settings {
        element_content_handlers: vec![element!("img", |el| {
            found.push(read_img(el.attributes(), html));
            Ok(())
        })],
        // Strict mode refuses documents whose parse is ambiguous without a
        // full tree builder; article HTML must never be refused.
        strict: false,
        ..Settings::new()
    };
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    rewriter
        .write(html.as_bytes())
        .and_then(|()| rewriter.end())
        .map_err(|e| CoreError::Invalid(format!("the article HTML could not be read: {e}")))?;
    Ok(found)
}

fn read_img(attrs: &[lol_html::html_content::Attribute<'_>], html: &str) -> RawImg {
    let mut img = RawImg::default();
    for a in attrs {
        let name = a.name();
        if img.get(&name).is_some() {
            continue;
        }
        let (value, span) = value_and_span(a, html);
        img.attrs.push(RawAttr { name, value, span });
    }
    img
}

/// The value as written in the source, and where. lol_html's own `value()`
/// drops a leading U+FEFF, so the source text is preferred whenever the
/// location points at that same value.
fn value_and_span(
    a: &lol_html::html_content::Attribute<'_>,
    html: &str,
) -> (String, Option<Range<usize>>) {
    let value = a.value();
    let located = a.value_source_location().map(|l| l.bytes());
    let source = located
        .clone()
        .and_then(|r| html.get(r))
        .filter(|t| *t == value || t.strip_prefix('\u{feff}') == Some(value.as_str()));
    match source {
        Some(text) => (text.to_string(), located),
        None => (value, None),
    }
}
