//! One tolerant streaming pass (lol_html) that finds every element that
//! shows or links an image, and where each of its attribute values sits in
//! the source. Nothing is rewritten here: [`super::rewrite_images`] splices
//! new values into the original string at these byte ranges, which is what
//! keeps every other byte (quoting, entities, whitespace, comments) exactly
//! as it was.
//!
//! Three elements count: `<img>`; `<source>` inside `<picture>` (browsers
//! pick a source before the `<img>`, so a stale source keeps showing the old
//! screenshot); and `<a href>` around an `<img>` (the lightbox link help
//! centers add, which opens the full-size file).

use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use lol_html::html_content::{Attribute, Element};
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

/// Which kind of element a [`RawElement`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Img,
    /// `<source>` inside `<picture>`.
    Source,
    /// `<a href>` (it counts only around an `<img>`: see `image`).
    Link,
}

/// One start tag's attributes, first occurrence of each name only
/// (browsers ignore repeats).
#[derive(Debug, Clone)]
pub(crate) struct RawElement {
    pub tag: Tag,
    pub attrs: Vec<RawAttr>,
    /// The `<img>` (its 0-based position among the document's images) this
    /// element belongs to: itself for an image, the picture's image for a
    /// source, the first image inside a link. `None` for a link around no
    /// image, or a source in a picture without one.
    pub image: Option<u32>,
}

impl RawElement {
    pub fn get(&self, name: &str) -> Option<&RawAttr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

/// Where the pass is: which link and picture are open, and the flags the
/// descendant selectors raise for the next `<img>`.
#[derive(Default)]
struct State {
    elements: Vec<RawElement>,
    images: u32,
    open_link: Option<usize>,
    picture_sources: Vec<usize>,
    img_in_link: bool,
    img_in_picture: bool,
}

/// Every image-bearing element in document order. Malformed HTML is parsed
/// the way browsers do; markup inside comments, scripts or textareas is not
/// an element and is not returned.
pub(crate) fn scan_elements(html: &str) -> Result<Vec<RawElement>, CoreError> {
    let state = Rc::new(RefCell::new(State::default()));
    let (s1, s2, s3, s4, s5, s6) = (
        state.clone(),
        state.clone(),
        state.clone(),
        state.clone(),
        state.clone(),
        state.clone(),
    );
    let settings = Settings {
        // The descendant handlers come first: lol_html runs the handlers of
        // one element in this order, so the flags are set before `img` reads them.
        element_content_handlers: vec![
            element!("a img", move |_| {
                s1.borrow_mut().img_in_link = true;
                Ok(())
            }),
            element!("picture img", move |_| {
                s2.borrow_mut().img_in_picture = true;
                Ok(())
            }),
            element!("img", move |el| {
                on_img(&mut s3.borrow_mut(), el, html);
                Ok(())
            }),
            element!("picture", move |_| {
                s4.borrow_mut().picture_sources.clear();
                Ok(())
            }),
            element!("picture source", move |el| {
                let mut s = s5.borrow_mut();
                let i = push(&mut s, Tag::Source, el, html);
                s.picture_sources.push(i);
                Ok(())
            }),
            element!("a", move |el| {
                let mut s = s6.borrow_mut();
                // Links do not nest: a new `<a>` closes the open one, as in browsers.
                s.open_link = None;
                if el.get_attribute("href").is_some() {
                    let i = push(&mut s, Tag::Link, el, html);
                    s.open_link = Some(i);
                    if let Some(end) = el.end_tag_handlers() {
                        let s = s6.clone();
                        end.push(Box::new(move |_| {
                            s.borrow_mut().open_link = None;
                            Ok(())
                        }));
                    }
                }
                Ok(())
            }),
        ],
        // Strict mode refuses documents whose parse is ambiguous without a
        // full tree builder; article HTML must never be refused.
        strict: false,
        ..Settings::new()
    };
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    rewriter
        .write(html.as_bytes())
        .and_then(|()| rewriter.end())
        .map_err(|e| CoreError::Internal(format!("the HTML parser stopped on an article: {e}")))?;
    let elements = std::mem::take(&mut state.borrow_mut().elements);
    Ok(elements)
}

/// Every `<img>` in document order.
pub(crate) fn scan_images(html: &str) -> Result<Vec<RawElement>, CoreError> {
    Ok(scan_elements(html)?
        .into_iter()
        .filter(|e| e.tag == Tag::Img)
        .collect())
}

fn on_img(s: &mut State, el: &mut Element<'_, '_>, html: &str) {
    let position = s.images;
    s.images += 1;
    let i = push(s, Tag::Img, el, html);
    s.elements[i].image = Some(position);
    if std::mem::take(&mut s.img_in_link) {
        if let Some(link) = s.open_link {
            let link = &mut s.elements[link];
            link.image = link.image.or(Some(position));
        }
    }
    if std::mem::take(&mut s.img_in_picture) {
        for source in std::mem::take(&mut s.picture_sources) {
            s.elements[source].image = Some(position);
        }
    }
}

fn push(s: &mut State, tag: Tag, el: &Element<'_, '_>, html: &str) -> usize {
    s.elements.push(RawElement {
        tag,
        attrs: read_attrs(el.attributes(), html),
        image: None,
    });
    s.elements.len() - 1
}

fn read_attrs(attrs: &[Attribute<'_>], html: &str) -> Vec<RawAttr> {
    let mut out: Vec<RawAttr> = Vec::new();
    for a in attrs {
        let name = a.name();
        if out.iter().any(|o| o.name == name) {
            continue;
        }
        let (value, span) = value_and_span(a, html);
        out.push(RawAttr { name, value, span });
    }
    out
}

/// The value as written in the source, and where. lol_html's own `value()`
/// drops a leading U+FEFF, so the source text is preferred whenever the
/// location points at that same value.
fn value_and_span(a: &Attribute<'_>, html: &str) -> (String, Option<Range<usize>>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(html: &str) -> Vec<(Tag, Option<u32>)> {
        scan_elements(html)
            .unwrap_or_default()
            .iter()
            .map(|e| (e.tag, e.image))
            .collect()
    }

    #[test]
    fn sources_and_links_belong_to_their_image() {
        let html = r#"<a href="big.png"><img src="a.png"></a><picture><source srcset="b.png"><source srcset="c.png"><img src="b.png"></picture><a href="x">text</a><img src="d.png">"#;
        assert_eq!(
            tags(html),
            [
                (Tag::Link, Some(0)),
                (Tag::Img, Some(0)),
                (Tag::Source, Some(1)),
                (Tag::Source, Some(1)),
                (Tag::Img, Some(1)),
                (Tag::Link, None),
                (Tag::Img, Some(2)),
            ]
        );
    }

    #[test]
    fn a_closed_link_does_not_reach_the_next_image() {
        let html = r#"<A HREF="a.png">see</A><img src="a.png"><video><source src="v.mp4"></video>"#;
        assert_eq!(tags(html), [(Tag::Link, None), (Tag::Img, Some(0))]);
    }
}
