//! Every place that shows a replaced screenshot changes, nothing else does,
//! and a rollback puts back exactly those places: the article shapes help
//! centers really hold (picture sources, 2x variants, lightbox links,
//! entity-encoded URLs, any case and quoting).

use std::collections::HashMap;

use shotkeeper_core::html::{self, RefElement};

const BASE: &str = "https://help.example.com/en/articles/42";
const CDN: &str = "https://cdn.example.com/shots/";

fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (format!("{CDN}{k}"), v.to_string()))
        .collect()
}

#[test]
fn picture_sources_change_with_their_image_and_the_2x_variant_stays() {
    let doc = format!(
        r#"<p>Billing</p><picture><source srcset="{CDN}billing.png 1x, {CDN}billing@2x.png 2x"><img src="{CDN}billing.png" alt="Billing"></picture>"#
    );
    let out = html::rewrite_images(
        &doc,
        BASE,
        &map(&[("billing.png", "https://s3.example/new.png")]),
    )
    .expect("rewrite");
    assert_eq!(
        out.html,
        format!(
            r#"<p>Billing</p><picture><source srcset="https://s3.example/new.png 1x, {CDN}billing@2x.png 2x"><img src="https://s3.example/new.png" alt="Billing"></picture>"#
        )
    );
    assert_eq!(out.replaced, 2);
    let elements: Vec<RefElement> = out.changes.iter().map(|c| c.element).collect();
    assert_eq!(elements, [RefElement::Source, RefElement::Img]);

    let places = html::places(&doc, BASE, &[&format!("{CDN}billing.png")]).expect("places");
    let kept: Vec<&html::Place> = places.iter().filter(|p| !p.changes).collect();
    assert_eq!(places.iter().filter(|p| p.changes).count(), 2);
    assert_eq!(kept.len(), 1, "{places:?}");
    assert_eq!(kept[0].url, format!("{CDN}billing@2x.png"));
    let note = kept[0].note.as_deref().unwrap_or_default();
    assert!(
        note.starts_with("a 2x variant, billing@2x.png, is not replaced"),
        "{note}"
    );
}

#[test]
fn a_srcset_candidate_that_is_another_image_is_never_overwritten() {
    let doc = format!(
        r#"<img src="{CDN}settings.png" srcset="{CDN}settings.png 1x,{CDN}settings@2x.png   2x">"#
    );
    let out = html::rewrite_images(
        &doc,
        BASE,
        &map(&[("settings.png", "https://s3.example/s.png")]),
    )
    .expect("rewrite");
    assert_eq!(
        out.html,
        format!(
            r#"<img src="https://s3.example/s.png" srcset="https://s3.example/s.png 1x,{CDN}settings@2x.png   2x">"#
        )
    );
    assert!(out
        .changes
        .iter()
        .all(|c| c.old_url.ends_with("/settings.png")));
}

#[test]
fn lightbox_links_change_only_around_the_same_image() {
    let doc = format!(
        r#"<A HREF='{CDN}a.png'><IMG SRC='{CDN}a.png'></A><a href="{CDN}a-full.png"><img src="{CDN}a.png"></a><a href="{CDN}a.png">the file</a>"#
    );
    let out = html::rewrite_images(&doc, BASE, &map(&[("a.png", "https://s3.example/n.png")]))
        .expect("rewrite");
    assert_eq!(
        out.html,
        format!(
            r#"<A HREF='https://s3.example/n.png'><IMG SRC='https://s3.example/n.png'></A><a href="{CDN}a-full.png"><img src="https://s3.example/n.png"></a><a href="{CDN}a.png">the file</a>"#
        )
    );
    let places = html::places(&doc, BASE, &[&format!("{CDN}a.png")]).expect("places");
    let link_note: Vec<&str> = places
        .iter()
        .filter(|p| p.element == RefElement::Link && !p.changes)
        .filter_map(|p| p.note.as_deref())
        .collect();
    assert_eq!(
        link_note,
        ["the link around the image opens a-full.png, another file: it is not replaced"]
    );
}

#[test]
fn lazy_loading_data_srcset_and_unquoted_values() {
    let doc = format!(
        r#"<img src=data:image/gif;base64,R0lGOD data-src={CDN}lazy.png data-srcset="{CDN}lazy.png 1x, {CDN}lazy@2x.png 2x">"#
    );
    let out = html::rewrite_images(
        &doc,
        BASE,
        &map(&[("lazy.png", "https://s3.example/l.png?v=2")]),
    )
    .expect("rewrite");
    // An unquoted value that gains `=` gets quotes; the rest is kept.
    assert_eq!(
        out.html,
        format!(
            r#"<img src=data:image/gif;base64,R0lGOD data-src="https://s3.example/l.png?v=2" data-srcset="https://s3.example/l.png?v=2 1x, {CDN}lazy@2x.png 2x">"#
        )
    );
    let back = html::restore_images(&out.html, BASE, &out.changes).expect("restore");
    assert_eq!(back.html, doc);
}

#[test]
fn entity_encoded_urls_match_decoded_and_are_written_encoded() {
    let doc = format!(r#"<img src="{CDN}a.png?w=640&amp;h=400">"#);
    let out = html::rewrite_images(
        &doc,
        BASE,
        &map(&[("a.png?w=640&h=400", "https://s3.example/n.png?sig=1&exp=2")]),
    )
    .expect("rewrite");
    assert_eq!(
        out.html,
        r#"<img src="https://s3.example/n.png?sig=1&amp;exp=2">"#
    );
    let back = html::restore_images(&out.html, BASE, &out.changes).expect("restore");
    assert_eq!(back.html, doc, "the old value comes back as it was written");
}

#[test]
fn rollback_after_later_edits_puts_back_exactly_what_the_update_changed() {
    // Two different old images replaced by the same screenshot (duplicates
    // matched by hash): mapping new -> old cannot say which was where.
    let doc = format!(
        r#"<h1>Setup</h1><img src="{CDN}one.png" srcset="{CDN}one.png 1x, {CDN}one@2x.png 2x"><p>then</p><img src="{CDN}two.png">"#
    );
    let new = "https://s3.example/new.png";
    let out = html::rewrite_images(&doc, BASE, &map(&[("one.png", new), ("two.png", new)]))
        .expect("rewrite");
    assert_eq!(out.changes.len(), 3);
    // An editor then adds an intro image and pastes the new screenshot once
    // more at the end, and fixes a typo.
    let edited = format!(
        r#"<h1>Set up</h1><img src="{CDN}intro.png">{}<img src="{new}">"#,
        out.html.trim_start_matches("<h1>Setup</h1>")
    );
    let back = html::restore_images(&edited, BASE, &out.changes).expect("restore");
    assert!(back.missing.is_empty());
    assert_eq!(
        back.html,
        format!(
            r#"<h1>Set up</h1><img src="{CDN}intro.png"><img src="{CDN}one.png" srcset="{CDN}one.png 1x, {CDN}one@2x.png 2x"><p>then</p><img src="{CDN}two.png"><img src="{new}">"#
        ),
        "each old URL is back in its own place, the editor's copy is kept"
    );
    // And the restore records what it did, so it can be undone in turn.
    let again = html::restore_images(&back.html, BASE, &back.changes).expect("redo");
    assert_eq!(again.html, edited);
}

#[test]
fn a_place_removed_since_is_reported_not_guessed() {
    let doc = format!(r#"<img src="{CDN}a.png"><img src="{CDN}b.png">"#);
    let out = html::rewrite_images(&doc, BASE, &map(&[("a.png", "https://s3.example/n.png")]))
        .expect("rewrite");
    let edited = format!(r#"<img src="{CDN}b.png">"#);
    let back = html::restore_images(&edited, BASE, &out.changes).expect("restore");
    assert_eq!(back.html, edited);
    assert_eq!(back.missing.len(), 1);
}
