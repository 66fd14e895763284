//! `html::rewrite_images`: only the matched attribute values change, every
//! other byte of the article stays as it was.

use std::collections::HashMap;

use proptest::prelude::*;
use shotkeeper_core::html;

const BASE: &str = "https://ex.com/img/article";

fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn rewrite(doc: &str, pairs: &[(&str, &str)]) -> (String, u32) {
    let out = html::rewrite_images(doc, BASE, &map(pairs)).expect("rewrite");
    (out.html, out.replaced)
}

#[test]
fn only_the_value_changes() {
    let doc =
        "<!DOCTYPE html>\n<!-- keep <img src=\"t1.png\"> -->\n<p class='x'>a &amp; b&nbsp;</p>\n\
        <IMG  ALT = \"Step 1\"\tSRC = \"t1.png\"   width=890 >\n<a href=\"t1.png\">t1.png</a>";
    let (out, n) = rewrite(
        doc,
        &[("https://ex.com/img/t1.png", "https://cdn.new/1.png")],
    );
    assert_eq!(n, 1);
    assert_eq!(
        out,
        doc.replacen("SRC = \"t1.png\"", "SRC = \"https://cdn.new/1.png\"", 1)
    );
}

#[test]
fn srcset_keeps_descriptors_and_other_candidates() {
    let doc = r#"<img src="a.png" srcset="a.png 1x,  a@2x.png 2x , b.png 480w">"#;
    let (out, n) = rewrite(
        doc,
        &[
            ("https://ex.com/img/a.png", "https://n/a.png"),
            ("https://ex.com/img/b.png", "https://n/b.png"),
        ],
    );
    assert_eq!(n, 2);
    assert_eq!(
        out,
        r#"<img src="https://n/a.png" srcset="https://n/a.png 1x,  a@2x.png 2x , https://n/b.png 480w">"#
    );
}

#[test]
fn new_values_are_escaped_for_their_quotes() {
    let new = r#"https://n/x.png?a=1&b='2'"#;
    let (out, _) = rewrite(
        r#"<img src='x.png'><img src="x.png"><img src=x.png><img data-src=x.png>"#,
        &[("https://ex.com/img/x.png", new)],
    );
    assert_eq!(
        out,
        "<img src='https://n/x.png?a=1&amp;b=&#39;2&#39;'>\
         <img src=\"https://n/x.png?a=1&amp;b='2'\">\
         <img src=\"https://n/x.png?a=1&amp;b=&#39;2&#39;\">\
         <img data-src=\"https://n/x.png?a=1&amp;b=&#39;2&#39;\">"
    );
    // And a browser reads back exactly the new URL (in its normal form).
    let normal = String::from(url::Url::parse(new).expect("url"));
    let refs = html::extract_images(&out, BASE).expect("extract");
    assert!(refs.iter().all(|r| r.url == normal), "{refs:?}");
}

#[test]
fn keys_match_however_they_are_written() {
    let doc = r#"<img src="//EX.com/img/a%20b.png?x=1&amp;y=2">"#;
    let (_, n) = rewrite(
        doc,
        &[("HTTPS://ex.COM/img/a b.png?x=1&y=2", "https://n/c.png")],
    );
    assert_eq!(n, 1);
}

#[test]
fn nothing_else_is_touched() {
    let doc = r#"<a href="a.png"><span data-src="a.png"></span></a><a href="a.png">a.png</a><img src="b.png">
        <a href="a.png"><img src="other.png"></a><video><source src="a.png"></video>
        <script>x='<img src="a.png">'</script><textarea><img src=a.png></textarea>"#;
    let (out, n) = rewrite(doc, &[("https://ex.com/img/a.png", "https://n/a.png")]);
    assert_eq!((out.as_str(), n), (doc, 0));
}

#[test]
fn malformed_html_is_rewritten_in_place() {
    let doc = "<div><p>Unclosed <b>1 < 2 <img src=a.png alt=x\n<p>text<IMG\nSRC='a.png'/><img src=\"a.png";
    let (out, n) = rewrite(doc, &[("https://ex.com/img/a.png", "https://n/a.png")]);
    // The last tag never ends: browsers drop it, and so does the rewrite.
    assert_eq!(n, 2);
    assert_eq!(
        out,
        "<div><p>Unclosed <b>1 < 2 <img src=https://n/a.png alt=x\n<p>text<IMG\nSRC='https://n/a.png'/><img src=\"a.png"
    );
}

#[test]
fn replacing_with_the_same_url_changes_nothing() {
    let doc = r#"<img src="https://ex.com/img/a.png">"#;
    let (out, n) = rewrite(
        doc,
        &[("https://ex.com/img/a.png", "https://ex.com/img/a.png")],
    );
    assert_eq!((out.as_str(), n), (doc, 0));
}

#[test]
fn long_documents() {
    let mut doc = String::new();
    for i in 0..10_000 {
        doc.push_str(&format!("<p>step {i}</p><img src=\"s{}.png\">\n", i % 7));
    }
    let (out, n) = rewrite(&doc, &[("https://ex.com/img/s3.png", "https://n/s3.png")]);
    assert_eq!(n, (0..10_000).filter(|i| i % 7 == 3).count() as u32);
    assert_eq!(out, doc.replace("\"s3.png\"", "\"https://n/s3.png\""));
}

#[test]
fn bad_base_is_an_error() {
    let r = html::rewrite_images("<img src=a.png>", "::", &map(&[("a", "b")]));
    assert!(r.is_err());
}

// ---------------------------------------------------------------------------
// Property: output = input with exactly the matched values substituted.
// ---------------------------------------------------------------------------

/// Image URLs as written, and which target (if any) each resolves to
/// against `BASE`.
const URLS: &[(&str, Option<usize>)] = &[
    ("t1.png", Some(0)),
    ("/img/t1.png", Some(0)),
    ("//ex.com/img/t1.png", Some(0)),
    ("https://ex.com/img/t1.png", Some(0)),
    ("HTTPS://EX.COM/img/t1.png", Some(0)),
    ("../img/t1.png", Some(0)),
    ("t2.png?a=1&amp;b=2", Some(1)),
    ("t2.png?a=1&#38;b=2", Some(1)),
    ("t3.png", Some(2)),
    ("other.png", None),
    ("https://ex.com/img/T1.png", None),
    ("data:image/png;base64,AAAA", None),
    ("t1.png?v", None),
    ("javascript:t1", None),
];
/// Replacement keys (one deliberately not normalised) and new URLs that
/// need escaping (`&`, quotes) or encoding (a space, in srcset).
const KEYS: [&str; 3] = [
    "https://ex.com/img/t1.png",
    "https://ex.com/img/t2.png?a=1&b=2",
    "HTTPS://EX.COM/img/t3.png",
];
const NEW: [&str; 3] = [
    "https://cdn.new/t1-v2.png?sig=a&b=c",
    "https://cdn.new/t2'v\"2.png",
    "https://cdn.new/t 3.png",
];
const DESCRIPTORS: [&str; 4] = ["", " 1x", " 2x", " 480w"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Q {
    Double,
    Single,
    Unquoted,
}

/// The escaping the rewrite promises, written independently.
fn esc(v: &str, q: Q) -> String {
    v.chars()
        .map(|c| match (c, q) {
            ('&', _) => "&amp;".to_string(),
            ('"', Q::Double | Q::Unquoted) => "&quot;".to_string(),
            ('\'', Q::Single | Q::Unquoted) => "&#39;".to_string(),
            _ => c.to_string(),
        })
        .collect()
}

fn finish(v: String, q: Q) -> String {
    let needs_quotes = v.is_empty()
        || v.chars()
            .any(|c| c.is_ascii_whitespace() || "=<>`".contains(c));
    if q == Q::Unquoted && needs_quotes {
        format!("\"{v}\"")
    } else {
        v
    }
}

fn quoted(v: &str, q: Q) -> String {
    match q {
        Q::Double => format!("\"{v}\""),
        Q::Single => format!("'{v}'"),
        Q::Unquoted => v.to_string(),
    }
}

/// A generated piece of document: its text, the text expected after the
/// rewrite, and how many attribute values it changes.
#[derive(Debug, Clone)]
struct Piece {
    input: String,
    expected: String,
    replaced: u32,
    /// The targets an image piece shows (for the link around it).
    shows: Vec<usize>,
}

impl Piece {
    fn same(s: &str) -> Piece {
        Piece {
            input: s.into(),
            expected: s.into(),
            replaced: 0,
            shows: Vec::new(),
        }
    }

    fn push(&mut self, other: &Piece) {
        self.input.push_str(&other.input);
        self.expected.push_str(&other.expected);
        self.replaced += other.replaced;
    }
}

fn other_piece() -> impl Strategy<Value = Piece> {
    prop::sample::select(vec![
        "Hello ",
        "a &amp; b ",
        "x &lt; y &#169; ",
        "1 < 2 ",
        "caf\u{e9} \u{1F600} ",
        "\n  \t",
        "<!-- <img src=\"t1.png\"> -->",
        "<!---->",
        "<p>",
        "</p>",
        "<div class='note'>",
        "</div>",
        "<br/>",
        "<a href=\"https://ex.com/img/t1.png\">t1</a>",
        "<script>var s='<img src=\"t1.png\">';</script>",
        "<textarea><img src=t1.png></textarea>",
        "<span data-src=t1.png>",
        "</span>",
    ])
    .prop_map(Piece::same)
}

#[derive(Debug, Clone)]
struct AttrSpec {
    kind: usize,
    case: usize,
    quote: Q,
    candidates: Vec<(usize, usize)>,
    sep: &'static str,
}

fn attr_spec() -> impl Strategy<Value = AttrSpec> {
    (
        0..7usize,
        0..3usize,
        prop::sample::select(vec![Q::Double, Q::Single, Q::Unquoted]),
        prop::collection::vec((0..URLS.len(), 0..DESCRIPTORS.len()), 1..4),
        prop::sample::select(vec![" ", "\n", "  ", "\t "]),
    )
        .prop_map(|(kind, case, quote, candidates, sep)| AttrSpec {
            kind,
            case,
            quote,
            candidates,
            sep,
        })
}

fn img_piece() -> impl Strategy<Value = Piece> {
    (
        prop::sample::select(vec!["img", "IMG", "Img"]),
        prop::collection::vec(attr_spec(), 0..5),
        prop::sample::select(vec![">", " />", "\n>"]),
    )
        .prop_map(|(tag, attrs, close)| build_img(tag, &attrs, close))
}

/// `<picture>` with sources (their srcset candidates are replaced like an
/// image's) and usually an image.
fn picture_piece() -> impl Strategy<Value = Piece> {
    (
        prop::collection::vec(attr_spec(), 1..3),
        prop::option::of(img_piece()),
    )
        .prop_map(|(sources, img)| {
            let mut p = Piece::same("<picture>");
            for mut a in sources {
                a.kind = 2 + 4 * (a.kind % 2); // srcset or data-srcset
                p.push(&build_element("source", &[a], ">"));
            }
            if let Some(img) = img {
                p.push(&img);
            }
            p.push(&Piece::same("</picture>"));
            p
        })
}

/// `<a href>` around an image: the href changes only when it names a target
/// the image shows (the lightbox link), never otherwise.
fn link_piece() -> impl Strategy<Value = Piece> {
    (
        0..URLS.len(),
        prop::sample::select(vec![Q::Double, Q::Single, Q::Unquoted]),
        img_piece(),
    )
        .prop_map(|(u, quote, img)| {
            let (url, target) = URLS[u];
            let new = target
                .filter(|t| img.shows.contains(t))
                .map(|t| finish(esc(NEW[t], quote), quote));
            let mut p = Piece {
                input: format!("<a href={}>", quoted(url, quote)),
                expected: match &new {
                    Some(v) if quote == Q::Unquoted => format!("<a href={v}>"),
                    Some(v) => format!("<a href={}>", quoted(v, quote)),
                    None => format!("<a href={}>", quoted(url, quote)),
                },
                replaced: u32::from(new.is_some()),
                shows: Vec::new(),
            };
            p.push(&img);
            p.push(&Piece::same("</a>"));
            p
        })
}

fn build_img(tag: &str, attrs: &[AttrSpec], close: &str) -> Piece {
    build_element(tag, attrs, close)
}

fn build_element(tag: &str, attrs: &[AttrSpec], close: &str) -> Piece {
    let mut p = Piece {
        input: format!("<{tag}"),
        expected: format!("<{tag}"),
        replaced: 0,
        shows: Vec::new(),
    };
    let mut seen: Vec<&str> = Vec::new();
    for a in attrs {
        let name = [
            "src",
            "data-src",
            "srcset",
            "alt",
            "width",
            "class",
            "data-srcset",
        ][a.kind];
        let written = match a.case {
            0 => name.to_string(),
            1 => name.to_ascii_uppercase(),
            _ => format!("{}{}", name[..1].to_ascii_uppercase(), &name[1..]),
        };
        let (raw, new) = attr_value(a);
        // Browsers (and the rewrite) use the first of repeated attributes.
        let first = !seen.contains(&name);
        let new = if first { new } else { None };
        if first && [0, 1, 2, 6].contains(&a.kind) {
            p.shows.extend(shown_targets(a));
        }
        seen.push(name);
        p.input
            .push_str(&format!("{}{written}={}", a.sep, quoted(&raw, a.quote)));
        let value = match &new {
            Some(v) => {
                p.replaced += 1;
                match a.quote {
                    Q::Unquoted => v.clone(),
                    q => quoted(v, q),
                }
            }
            None => quoted(&raw, a.quote),
        };
        p.expected.push_str(&format!("{}{written}={value}", a.sep));
    }
    p.input.push_str(close);
    p.expected.push_str(close);
    p
}

/// The raw value of an attribute and, when the rewrite must change it,
/// the new value as it must appear in the source (without its quotes,
/// except quotes added to an unquoted value).
fn attr_value(a: &AttrSpec) -> (String, Option<String>) {
    let (url, target) = URLS[a.candidates[0].0];
    match a.kind {
        0 | 1 => (
            url.to_string(),
            target.map(|t| finish(esc(NEW[t], a.quote), a.quote)),
        ),
        2 | 6 => srcset_value(a),
        3 if a.quote == Q::Unquoted => ("t1.png".into(), None),
        3 => ("see t1.png &amp; more".into(), None),
        4 => ("100".into(), None),
        _ if a.quote == Q::Unquoted => ("shot".into(), None),
        _ => ("shot big".into(), None),
    }
}

/// The targets a URL attribute of an image names.
fn shown_targets(a: &AttrSpec) -> Vec<usize> {
    srcset_candidates(a)
        .iter()
        .filter_map(|&(u, _)| URLS[u].1)
        .take(if matches!(a.kind, 0 | 1) {
            1
        } else {
            usize::MAX
        })
        .collect()
}

fn srcset_candidates(a: &AttrSpec) -> &[(usize, usize)] {
    // An unquoted value cannot hold spaces: one candidate, no descriptor.
    if a.quote == Q::Unquoted || matches!(a.kind, 0 | 1) {
        &a.candidates[..1]
    } else {
        &a.candidates
    }
}

fn srcset_value(a: &AttrSpec) -> (String, Option<String>) {
    let candidates = srcset_candidates(a);
    let mut raw = Vec::new();
    let mut new = Vec::new();
    let mut changed = false;
    for &(u, d) in candidates {
        let (url, target) = URLS[u];
        let desc = if a.quote == Q::Unquoted {
            ""
        } else {
            DESCRIPTORS[d]
        };
        raw.push(format!("{url}{desc}"));
        match target {
            Some(t) => {
                changed = true;
                new.push(format!(
                    "{}{desc}",
                    esc(&NEW[t].replace(' ', "%20"), a.quote)
                ));
            }
            None => new.push(format!("{url}{desc}")),
        }
    }
    let new = changed.then(|| finish(new.join(", "), a.quote));
    (raw.join(", "), new)
}

fn document() -> impl Strategy<Value = Vec<Piece>> {
    prop::collection::vec(
        prop_oneof![4 => other_piece(), 2 => img_piece(), 1 => picture_piece(), 1 => link_piece()],
        0..24,
    )
}

fn replacements() -> HashMap<String, String> {
    KEYS.iter()
        .zip(NEW)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn rewrite_substitutes_exactly_the_matched_values(pieces in document()) {
        let input: String = pieces.iter().map(|p| p.input.as_str()).collect();
        let expected: String = pieces.iter().map(|p| p.expected.as_str()).collect();
        let replaced: u32 = pieces.iter().map(|p| p.replaced).sum();
        let out = html::rewrite_images(&input, BASE, &replacements()).expect("rewrite");
        prop_assert_eq!(&out.html, &expected);
        prop_assert_eq!(out.replaced, replaced);
    }

    #[test]
    fn rollback_of_a_rewrite_is_the_identity(pieces in document()) {
        let input: String = pieces.iter().map(|p| p.input.as_str()).collect();
        let out = html::rewrite_images(&input, BASE, &replacements()).expect("rewrite");
        let back = html::restore_images(&out.html, BASE, &out.changes).expect("restore");
        prop_assert!(back.missing.is_empty());
        prop_assert_eq!(back.changes.len(), out.changes.len());
        prop_assert_eq!(back.html, input);
    }

    #[test]
    fn empty_map_is_byte_identical(pieces in document()) {
        let input: String = pieces.iter().map(|p| p.input.as_str()).collect();
        let out = html::rewrite_images(&input, BASE, &HashMap::new()).expect("rewrite");
        prop_assert_eq!(out.html, input);
        prop_assert_eq!(out.replaced, 0);
    }

    #[test]
    fn rewritten_documents_point_at_the_new_urls(pieces in document()) {
        // Every image that pointed at a target now resolves to its new URL.
        let input: String = pieces.iter().map(|p| p.input.as_str()).collect();
        let out = html::rewrite_images(&input, BASE, &replacements()).expect("rewrite");
        let before = html::extract_images(&input, BASE).expect("extract");
        let after = html::extract_images(&out.html, BASE).expect("extract");
        prop_assert_eq!(before.len(), after.len());
        let targets: Vec<String> = KEYS.iter().map(|k| k.replace("HTTPS://EX.COM", "https://ex.com")).collect();
        for (b, a) in before.iter().zip(&after) {
            if let Some(t) = targets.iter().position(|k| *k == b.url) {
                let want = url::Url::parse(&NEW[t].replace(' ', "%20")).map(String::from).unwrap_or_default();
                let got_src_or_srcset = a.url == want || a.url == NEW[t];
                prop_assert!(got_src_or_srcset, "{} -> {}", b.url, a.url);
            }
        }
    }

    #[test]
    fn arbitrary_attribute_values_never_fail(v in "[^\"]{0,60}", w in "[^\"]{0,20}") {
        let doc = format!("<img src=\"{v}\" srcset=\"{v} 1x, {w}\" data-src=\"{w}\" alt=\"{v}\" width=\"{w}\">");
        let refs = html::extract_images(&doc, BASE).expect("extract");
        prop_assert_eq!(refs.len(), 1);
        let mut map = HashMap::new();
        for u in &refs[0].all_urls {
            map.insert(u.clone(), "https://n/x.png".to_string());
        }
        let out = html::rewrite_images(&doc, BASE, &map).expect("rewrite");
        let after = html::extract_images(&out.html, BASE).expect("extract");
        prop_assert!(after[0].all_urls.iter().all(|u| u == "https://n/x.png"));
    }

    #[test]
    fn arbitrary_text_never_fails(s in ".{0,400}") {
        let out = html::rewrite_images(&s, BASE, &replacements());
        prop_assert!(out.is_ok());
        prop_assert!(html::extract_images(&s, BASE).is_ok());
    }
}

#[test]
fn the_generator_builds_what_the_property_expects() {
    // Guards the property above against a generator that never replaces.
    let spec = |kind, quote, candidates: Vec<(usize, usize)>| AttrSpec {
        kind,
        case: 1,
        quote,
        candidates,
        sep: " ",
    };
    let piece = build_img(
        "img",
        &[
            spec(0, Q::Unquoted, vec![(0, 0)]),
            spec(2, Q::Single, vec![(9, 1), (8, 2)]),
            spec(0, Q::Double, vec![(0, 0)]),
        ],
        ">",
    );
    assert_eq!(
        piece.input,
        "<img SRC=t1.png SRCSET='other.png 1x, t3.png 2x' SRC=\"t1.png\">"
    );
    assert_eq!(
        piece.expected,
        "<img SRC=\"https://cdn.new/t1-v2.png?sig=a&amp;b=c\" SRCSET='other.png 1x, https://cdn.new/t%203.png 2x' SRC=\"t1.png\">"
    );
    assert_eq!(piece.replaced, 2);
    let out = html::rewrite_images(&piece.input, BASE, &replacements()).expect("rewrite");
    assert_eq!((out.html, out.replaced), (piece.expected, 2));
}

#[test]
fn values_starting_with_a_bom_are_rewritten() {
    // Found by the property above: lol_html drops one leading U+FEFF from
    // attribute values; the source text must still be matched and replaced.
    let doc = "<img src=\"\u{feff}\u{feff}\" srcset=\"\u{feff} 1x\">";
    let refs = html::extract_images(doc, BASE).expect("extract");
    let map: HashMap<String, String> = refs[0]
        .all_urls
        .iter()
        .map(|u| (u.clone(), "https://n/x.png".to_string()))
        .collect();
    let out = html::rewrite_images(doc, BASE, &map).expect("rewrite");
    assert_eq!(out.replaced, 2);
    assert_eq!(
        out.html,
        "<img src=\"https://n/x.png\" srcset=\"https://n/x.png 1x\">"
    );
}
