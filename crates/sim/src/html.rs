//! Writing article HTML from the generator's model: text blocks, and `<img>`
//! elements in every URL form an importer must handle.

use std::collections::HashMap;

/// How an `<img>` element spells its (one) image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `src="http://127.0.0.1:PORT/images/x.png"`
    Absolute,
    /// `src="/images/x.png"`
    RootRelative,
    /// `src="../images/x.png"`, relative to the document's public URL.
    DotRelative,
    /// `src="//127.0.0.1:PORT/images/x.png"`
    ProtocolRelative,
    /// `src` plus a `srcset` whose 1x candidate is the same image and whose
    /// 2x candidate is another file (`@2x`).
    Srcset,
    /// Lazy loading: only `data-src`, no `src` at all.
    DataSrc,
}

/// The form a document without a public URL uses instead: relative forms
/// (and `srcset`, whose `src` is root-relative) become absolute; `data-src`
/// already is.
pub fn absolute(form: Form) -> Form {
    match form {
        Form::DataSrc => Form::DataSrc,
        _ => Form::Absolute,
    }
}

/// What an `<img>` points at.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A path the image host serves (200).
    Hosted(String),
    /// A path the image host answers 404 for.
    Broken(String),
    /// An inline `data:image/png;base64,...` image: the asset index.
    Inline(usize),
}

/// One `<img>` element of a document.
#[derive(Clone, Debug)]
pub struct ImgRef {
    pub target: Target,
    pub form: Form,
    /// `None`: no `alt` attribute at all; `Some("")`: `alt=""`.
    pub alt: Option<String>,
    /// A `width` attribute (pixels the page shows the image at), if any.
    pub width: Option<u32>,
}

impl ImgRef {
    /// Whether a screen reader gets nothing: no alt, or an empty one.
    pub fn lacks_alt(&self) -> bool {
        self.alt.as_deref().is_none_or(|a| a.trim().is_empty())
    }
}

/// A piece of article body.
#[derive(Clone, Debug)]
pub enum Block {
    Heading(String),
    Paragraph(String),
    Steps(Vec<String>),
    Table(Vec<(String, String)>),
    /// Index into the document's `refs`.
    Image(usize),
}

/// Where a document lives, to spell its image URLs.
pub struct UrlCtx<'a> {
    /// `http://127.0.0.1:PORT`
    pub site: &'a str,
    /// Directory depth of the document's public path: `/kb/x` is 1,
    /// `/kb/es/x` is 2; `../` is repeated that often to reach the root.
    pub depth: usize,
    /// `data:` URIs by inline asset index.
    pub inline: &'a HashMap<usize, String>,
    /// Hosted paths whose URLs name another host for the same server
    /// (`localhost`, `0.0.0.0`) instead of the site's; always spelled
    /// absolute, since a relative URL can only name the site.
    pub other_hosts: &'a HashMap<String, &'static str>,
}

pub fn render(blocks: &[Block], refs: &[ImgRef], ctx: &UrlCtx) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(h) => out.push_str(&format!("<h2>{}</h2>\n", escape(h))),
            Block::Paragraph(p) => out.push_str(&format!("<p>{}</p>\n", escape(p))),
            Block::Steps(items) => {
                out.push_str("<ol>\n");
                for item in items {
                    out.push_str(&format!("  <li>{}</li>\n", escape(item)));
                }
                out.push_str("</ol>\n");
            }
            Block::Table(rows) => out.push_str(&table(rows)),
            Block::Image(i) => {
                out.push_str(&format!("<figure>{}</figure>\n", img_tag(&refs[*i], ctx)))
            }
        }
    }
    out
}

fn table(rows: &[(String, String)]) -> String {
    let mut out = String::from("<table>\n  <tr><th>Option</th><th>Description</th></tr>\n");
    for (k, v) in rows {
        out.push_str(&format!(
            "  <tr><td>{}</td><td>{}</td></tr>\n",
            escape(k),
            escape(v)
        ));
    }
    out.push_str("</table>\n");
    out
}

fn img_tag(r: &ImgRef, ctx: &UrlCtx) -> String {
    let mut attrs = match &r.alt {
        Some(alt) => format!(" alt=\"{}\"", escape(alt)),
        None => String::new(),
    };
    if let Some(w) = r.width {
        attrs.push_str(&format!(" width=\"{w}\""));
    }
    let path = match &r.target {
        Target::Hosted(p) | Target::Broken(p) => p.as_str(),
        Target::Inline(i) => return format!("<img src=\"{}\"{attrs}>", ctx.inline[i]),
    };
    if let Some(host) = ctx.other_hosts.get(path) {
        let port = ctx.site.rsplit(':').next().unwrap_or_default();
        let absolute = format!("http://{host}:{port}{path}");
        return match r.form {
            Form::DataSrc => format!("<img class=\"lazyload\" data-src=\"{absolute}\"{attrs}>"),
            _ => format!("<img src=\"{absolute}\"{attrs}>"),
        };
    }
    let absolute = format!("{}{path}", ctx.site);
    match r.form {
        Form::Absolute => format!("<img src=\"{absolute}\"{attrs}>"),
        Form::RootRelative => format!("<img src=\"{path}\"{attrs}>"),
        Form::DotRelative => {
            let up = "../".repeat(ctx.depth);
            format!("<img src=\"{up}{}\"{attrs}>", &path[1..])
        }
        Form::ProtocolRelative => {
            let no_scheme = absolute.trim_start_matches("http:");
            format!("<img src=\"{no_scheme}\"{attrs}>")
        }
        // The 2x candidate is another file (help centers serve retina
        // variants beside the original): a replacement of the 1x image must
        // leave it alone.
        Form::Srcset => format!(
            "<img src=\"{path}\" srcset=\"{absolute} 1x, {} 2x\" sizes=\"(max-width: 640px) 100vw, 640px\"{attrs}>",
            retina_variant(&absolute)
        ),
        Form::DataSrc => {
            format!("<img class=\"lazyload\" data-src=\"{absolute}\"{attrs}>")
        }
    }
}

/// `…/shot.png` -> `…/shot@2x.png`: the 2x file name help centers use.
fn retina_variant(url: &str) -> String {
    match url
        .rfind('.')
        .filter(|&dot| dot > url.rfind('/').unwrap_or(0))
    {
        Some(dot) => format!("{}@2x{}", &url[..dot], &url[dot..]),
        None => format!("{url}@2x"),
    }
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Plain text of an HTML body (tags dropped, whitespace collapsed): the
/// `body_txt` / `content.text` the providers return next to the HTML.
pub fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let collapsed: Vec<&str> = out.split_whitespace().collect();
    collapsed
        .join(" ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// What Help.Center's "HTML content is automatically sanitized" does here:
/// `<script>` elements are dropped; everything else is kept byte for byte.
pub fn sanitize(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = find_ci(rest, "<script") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        rest = match find_ci(after, "</script>") {
            Some(end) => &after[end + "</script>".len()..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// Byte offset of an ASCII `needle` in `hay`, ignoring ASCII case.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..h.len().saturating_sub(n.len() - 1)).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_drops_scripts_only() {
        let html = "<p>a</p><SCRIPT>x()</script><img src=\"/i.png\">";
        assert_eq!(sanitize(html), "<p>a</p><img src=\"/i.png\">");
        assert_eq!(sanitize("<p>é</p>"), "<p>é</p>");
    }

    #[test]
    fn text_of_strips_tags() {
        assert_eq!(text_of("<h2>A &amp; B</h2>\n<p>c</p>"), "A & B c");
    }
}
