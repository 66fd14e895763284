//! `html::extract_images` on the HTML help centers really hold.

use std::time::{Duration, Instant};

use shotkeeper_core::html::{self, ImageRef};

const BASE: &str = "https://help.example.com/en/articles/42-getting-started";

fn urls(html: &str) -> Vec<String> {
    extract(html).into_iter().map(|r| r.url).collect()
}

fn extract(html: &str) -> Vec<ImageRef> {
    html::extract_images(html, BASE).expect("extract")
}

#[test]
fn relative_urls_resolve_against_the_article() {
    let doc = r#"
        <img src="shot.png">
        <img src="../img/up.png">
        <img src="/static/root.png">
        <img src="//cdn.example.net/p.png">
        <img src="https://other.example.org/abs.png?x=1&amp;y=2">
        <img src="  spaced.png  ">"#;
    assert_eq!(
        urls(doc),
        [
            "https://help.example.com/en/articles/shot.png",
            "https://help.example.com/en/img/up.png",
            "https://help.example.com/static/root.png",
            "https://cdn.example.net/p.png",
            "https://other.example.org/abs.png?x=1&y=2",
            "https://help.example.com/en/articles/spaced.png",
        ]
    );
}

#[test]
fn unusable_urls_are_empty_but_elements_are_counted() {
    let doc = r##"<img src="javascript:alert(1)"><img src="file:///etc/passwd"><img src="ftp://x/a.png">
        <img src=""><img><img src="#">"##;
    let refs = extract(doc);
    assert_eq!(refs.len(), 6);
    assert!(refs
        .iter()
        .all(|r| r.url.is_empty() && r.all_urls.is_empty()));
    assert_eq!(
        refs.iter().map(|r| r.position).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5]
    );
    assert_eq!(refs[0].src.as_deref(), Some("javascript:alert(1)"));
    assert_eq!(refs[4].src, None);
}

#[test]
fn data_uris_are_inline() {
    let doc = r#"<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot">"#;
    let r = &extract(doc)[0];
    assert!(r.is_inline);
    assert_eq!(r.url, "data:image/png;base64,iVBORw0KGgo=");
    assert_eq!(r.alt, "dot");
}

#[test]
fn fallbacks_data_src_then_srcset() {
    let doc = r#"
        <img data-src="/lazy.png">
        <img srcset="small.png 480w, large.png 1080w" sizes="50vw">
        <img src="main.png" srcset="main.png 1x, main@2x.png 2x" data-src="main-lazy.png">
        <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="real.png">"#;
    let refs = extract(doc);
    let abs = |p: &str| format!("https://help.example.com/en/articles/{p}");
    assert_eq!(refs[0].url, "https://help.example.com/lazy.png");
    assert_eq!(refs[1].url, abs("small.png"));
    assert_eq!(refs[1].all_urls, [abs("small.png"), abs("large.png")]);
    assert_eq!(refs[2].url, abs("main.png"));
    assert_eq!(
        refs[2].all_urls,
        [abs("main.png"), abs("main-lazy.png"), abs("main@2x.png")]
    );
    assert_eq!(
        refs[2].srcset.as_deref(),
        Some("main.png 1x, main@2x.png 2x")
    );
    assert_eq!(refs[2].data_src.as_deref(), Some("main-lazy.png"));
    // A data: placeholder with a real data-src is lazy loading.
    assert_eq!(refs[3].url, abs("real.png"));
    assert!(!refs[3].is_inline);
}

#[test]
fn alt_and_dimensions() {
    let doc = r#"<img src=a.png alt="Tom &amp; Jerry&#39;s &quot;menu&quot;" width="890" height=1444>
        <img src=b.png width="100%" height="auto"><img src=c.png WIDTH=" 320px ">"#;
    let refs = extract(doc);
    assert_eq!(refs[0].alt, r#"Tom & Jerry's "menu""#);
    assert_eq!(
        (refs[0].width_attr, refs[0].height_attr),
        (Some(890), Some(1444))
    );
    assert_eq!((refs[1].width_attr, refs[1].height_attr), (None, None));
    assert_eq!(refs[1].alt, "");
    assert_eq!(refs[2].width_attr, Some(320));
}

#[test]
fn malformed_html_is_read_like_a_browser() {
    let doc = "<div><p>Unclosed <b>bold <img src=one.png>\n\
        1 < 2 and 3 > 2 <IMG SRC='two.png' ALT=Two>\n\
        <img src=three.png alt=unterminated\n<p>text<img\nsrc=\"four.png\"\n/>\n\
        <table><tr><td><img src=five.png></table></div";
    let names: Vec<String> = urls(doc)
        .iter()
        .map(|u| u.rsplit('/').next().unwrap_or("").to_string())
        .collect();
    // `<p` after an unquoted value becomes an attribute of the third image
    // and its `>` closes that tag, as in browsers.
    assert_eq!(
        names,
        ["one.png", "two.png", "three.png", "four.png", "five.png"]
    );
    assert_eq!(extract(doc)[1].alt, "Two");
}

#[test]
fn img_inside_picture_and_links_is_found() {
    let doc = r#"<picture><source srcset="wide.webp" media="(min-width: 800px)"><img src="narrow.png"></picture>
        <a href="full.png"><img src="thumb.png"></a>"#;
    let names: Vec<String> = urls(doc)
        .iter()
        .map(|u| u.rsplit('/').next().unwrap_or("").to_string())
        .collect();
    assert_eq!(names, ["narrow.png", "thumb.png"]);
}

#[test]
fn img_text_in_comments_scripts_and_textareas_is_not_an_image() {
    let doc = r#"<!-- <img src="c.png"> --><script>document.write('<img src="s.png">')</script>
        <textarea><img src="t.png"></textarea><style>/* <img src="y.png"> */</style><img src="real.png">"#;
    assert_eq!(urls(doc), ["https://help.example.com/en/articles/real.png"]);
}

#[test]
fn no_base_url_keeps_only_absolute_urls() {
    let refs = html::extract_images(r#"<img src="rel.png"><img src="https://x.io/a.png">"#, "")
        .expect("extract");
    assert_eq!(refs[0].url, "");
    assert_eq!(refs[1].url, "https://x.io/a.png");
    assert!(html::extract_images("<img src=a.png>", "not a url").is_err());
    assert!(html::extract_images("<img src=a.png>", "ftp://x.io/").is_err());
}

#[test]
fn resolve_url_rules() {
    let base = url::Url::parse(BASE).expect("base");
    assert_eq!(
        html::resolve_url("../x.png", &base).as_deref(),
        Some("https://help.example.com/en/x.png")
    );
    assert_eq!(html::resolve_url("javascript:void(0)", &base), None);
    assert_eq!(html::resolve_url("   ", &base), None);
    assert_eq!(html::resolve_url("mailto:a@b.c", &base), None);
}

#[test]
fn very_long_documents() {
    let mut doc = String::from("<html><body>");
    for i in 0..20_000 {
        doc.push_str(&format!("<p>Step {i}: click <b>Save</b> &amp; wait.</p><img src=\"/s/{i}.png\" alt=\"step {i}\">\n"));
    }
    doc.push_str(&"x".repeat(2_000_000));
    let started = Instant::now();
    let refs = extract(&doc);
    assert_eq!(refs.len(), 20_000);
    assert_eq!(refs[19_999].url, "https://help.example.com/s/19999.png");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn empty_and_binary_input() {
    assert!(extract("").is_empty());
    assert!(extract("just text, no markup").is_empty());
    assert_eq!(extract("\u{0}<img src=a.png>\u{FFFD}").len(), 1);
}
