//! The matching tiers (metadata, SHA-256, perceptual hash, name), one behaviour per test.

use std::collections::BTreeMap;

use shotkeeper_core::matching::{
    ArticleUse, Candidate, MatchConfig, MatchIndex, MatchScope, MatchStatus, MatchType, Screenshot,
};

fn use_(article: &str) -> ArticleUse {
    ArticleUse {
        article_id: article.into(),
        external_id: format!("ext-{article}"),
        locale: None,
        title: format!("Article {article}"),
    }
}

fn meta(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A 256-bit perceptual hash in imaging's form (64 hex digits): a fixed
/// pattern with the given bit positions (0..256) flipped.
fn ph(flipped: impl IntoIterator<Item = u32>) -> Option<String> {
    let mut words = [
        0x0123_4567_89ab_cdefu64,
        0xfedc_ba98_7654_3210,
        0x0f0f_0f0f_f0f0_f0f0,
        0xdead_beef_cafe_f00d,
    ];
    for bit in flipped {
        words[(bit / 64) as usize] ^= 1 << (bit % 64);
    }
    Some(words.iter().map(|w| format!("{w:016x}")).collect())
}

const NONE: [u32; 0] = [];

fn image(url: &str, sha: &str, articles: &[&str]) -> Candidate {
    Candidate {
        url: url.into(),
        name: String::new(),
        sha256: sha.into(),
        phash: None,
        width: 800,
        height: 600,
        metadata: BTreeMap::new(),
        articles: articles.iter().map(|a| use_(a)).collect(),
    }
}

fn shot(name: &str, sha: &str) -> Screenshot {
    Screenshot {
        name: name.into(),
        sha256: sha.into(),
        width: 800,
        height: 600,
        source: format!("/tmp/{name}"),
        ..Screenshot::default()
    }
}

fn index(cands: Vec<Candidate>) -> MatchIndex {
    MatchIndex::build(cands, MatchConfig::default())
}

fn urls(r: &shotkeeper_core::matching::MatchResult) -> Vec<&str> {
    r.targets.iter().map(|t| t.url.as_str()).collect()
}

#[test]
fn metadata_tier_needs_every_identifying_pair() {
    let mut a = image("https://h/a.png", "aa", &["1"]);
    a.metadata = meta(&[("screen", "billing"), ("product", "app"), ("Software", "x")]);
    let mut b = image("https://h/b.png", "bb", &["2"]);
    b.metadata = meta(&[("screen", "billing")]);
    let idx = index(vec![a, b]);

    let mut s = shot("new.png", "ff");
    s.metadata = meta(&[
        ("screen", "billing"),
        ("product", "app"),
        ("Software", "other"),
    ]);
    let r = idx.match_one(&s);
    assert_eq!(
        (r.match_type, r.status),
        (MatchType::Metadata, MatchStatus::Matched)
    );
    assert_eq!(urls(&r), ["https://h/a.png"]);
    assert!(r.reason.contains("screen=billing"), "{}", r.reason);

    s.metadata = meta(&[("screen", "billing")]);
    assert_eq!(
        urls(&idx.match_one(&s)),
        ["https://h/a.png", "https://h/b.png"]
    );

    s.metadata = meta(&[("screen", "billing"), ("product", "web")]);
    assert_eq!(idx.match_one(&s).match_type, MatchType::Notfound);
}

#[test]
fn generic_keys_alone_never_match_by_metadata() {
    let mut a = image("https://h/a.png", "aa", &["1"]);
    a.metadata = meta(&[("Software", "Snagit"), ("date:create", "2024")]);
    let idx = index(vec![a]);
    let mut s = shot("other.png", "ff");
    s.metadata = meta(&[
        ("software", "Snagit"),
        ("Date:Create", "2024"),
        ("screen", ""),
    ]);
    let r = idx.match_one(&s);
    assert_eq!(r.match_type, MatchType::Notfound);
    assert!(r.reason.contains("no identifying metadata"), "{}", r.reason);
}

#[test]
fn early_exit_metadata_wins_over_name() {
    let mut a = image("https://h/billing.png", "aa", &["1"]);
    a.metadata = meta(&[("screen", "billing")]);
    let other = image("https://h/x/Billing.png", "bb", &["2"]);
    let idx = index(vec![a, other]);
    let mut s = shot("billing.png", "ff");
    s.metadata = meta(&[("screen", "billing")]);
    let r = idx.match_one(&s);
    assert_eq!(r.match_type, MatchType::Metadata);
    assert_eq!(urls(&r), ["https://h/billing.png"]);
}

#[test]
fn identical_bytes_are_unchanged() {
    let idx = index(vec![image("https://h/a.png", "ABCD", &["1", "2"])]);
    let r = idx.match_one(&shot("whatever.png", "abcd"));
    assert_eq!(
        (r.match_type, r.status),
        (MatchType::Hash, MatchStatus::Unchanged)
    );
    assert!(r.targets[0].unchanged);
    assert_eq!(r.targets[0].articles.len(), 2);
    assert!(r.reason.contains("nothing to update"), "{}", r.reason);
}

#[test]
fn a_metadata_match_flags_targets_that_are_already_current() {
    let mut current = image("https://h/a.png", "same", &["1"]);
    current.metadata = meta(&[("screen", "s")]);
    let mut old = image("https://h/b.png", "old", &["2"]);
    old.metadata = meta(&[("screen", "s")]);
    let idx = index(vec![current.clone(), old]);
    let mut s = shot("s.png", "same");
    s.metadata = meta(&[("screen", "s")]);
    let r = idx.match_one(&s);
    assert_eq!(r.status, MatchStatus::Matched);
    let flags: Vec<bool> = r.targets.iter().map(|t| t.unchanged).collect();
    assert_eq!(flags, [true, false]);

    let only_current = index(vec![current]).match_one(&s);
    assert_eq!(
        (only_current.match_type, only_current.status),
        (MatchType::Metadata, MatchStatus::Unchanged)
    );
}

#[test]
fn perceptual_threshold_edges() {
    // Default threshold 40 (of 256 bits): 40 away matches, 41 away does not.
    let mut at = image("https://h/at.png", "aa", &["1"]);
    at.phash = ph(0..40);
    let mut past = image("https://h/past.png", "bb", &["2"]);
    past.phash = ph(100..141);
    let idx = index(vec![at, past]);
    let mut s = shot("new.png", "ff");
    s.phash = ph(NONE);
    let r = idx.match_one(&s);
    assert_eq!(
        (r.match_type, r.status),
        (MatchType::Perceptual, MatchStatus::Matched)
    );
    assert_eq!(r.distance, Some(40));
    assert_eq!(urls(&r), ["https://h/at.png"]);
    assert_eq!(r.targets[0].distance, Some(40));
    assert_eq!(
        r.match_type.seed_match_type(),
        shotkeeper_core::update::SeedMatchType::Hash
    );

    let strict = MatchIndex::build(
        vec![image_with_phash("https://h/at.png", ph(0..40))],
        MatchConfig {
            perceptual_threshold: 39,
            ..MatchConfig::default()
        },
    );
    assert_eq!(strict.match_one(&s).match_type, MatchType::Notfound);
}

fn image_with_phash(url: &str, phash: Option<String>) -> Candidate {
    Candidate {
        phash,
        ..image(url, url, &["1"])
    }
}

#[test]
fn perceptual_reports_only_the_nearest_and_all_ties() {
    let idx = index(vec![
        image_with_phash("https://h/two-a.png", ph([0, 1])),
        image_with_phash("https://h/two-b.png", ph([70, 200])),
        image_with_phash("https://h/five.png", ph(10..15)),
    ]);
    let mut s = shot("n.png", "ff");
    s.phash = ph(NONE);
    let r = idx.match_one(&s);
    assert_eq!(r.distance, Some(2));
    assert_eq!(urls(&r), ["https://h/two-a.png", "https://h/two-b.png"]);
}

#[test]
fn perceptual_needs_the_same_aspect_ratio() {
    let mut wide = image_with_phash("https://h/wide.png", ph(NONE));
    (wide.width, wide.height) = (1600, 600);
    let mut near_enough = image_with_phash("https://h/ok.png", ph([3]));
    (near_enough.width, near_enough.height) = (1000, 770); // 1.299 vs 1.333: 2.6 %
    let idx = index(vec![wide, near_enough]);
    let mut s = shot("n.png", "ff");
    (s.width, s.height, s.phash) = (1200, 900, ph(NONE));
    let r = idx.match_one(&s);
    assert_eq!(urls(&r), ["https://h/ok.png"], "{}", r.reason);
    assert_eq!(r.distance, Some(1));

    (s.width, s.height) = (0, 0); // unknown size cannot agree
    assert_eq!(idx.match_one(&s).match_type, MatchType::Notfound);
}

#[test]
fn name_tier_decodes_ignores_case_and_queries() {
    let idx = index(vec![image(
        "https://cdn.h/img/My%20Billing.PNG?v=3",
        "aa",
        &["1"],
    )]);
    let r = idx.match_one(&shot("my billing.png", "ff"));
    assert_eq!(
        (r.match_type, r.status),
        (MatchType::Name, MatchStatus::Matched)
    );
    assert_eq!(r.targets[0].name, "My%20Billing.PNG");

    let from_source = Screenshot {
        name: String::new(),
        source: "C:\\shots\\MY BILLING.png".into(),
        ..shot("", "ff")
    };
    assert_eq!(idx.match_one(&from_source).match_type, MatchType::Name);
}

#[test]
fn a_name_shared_by_different_images_in_one_article_is_ambiguous_there_only() {
    let idx = index(vec![
        image("https://h/v1/billing.png", "aa", &["1", "2"]),
        image("https://h/v2/billing.png", "bb", &["1"]),
        image("https://h/v3/billing.png", "aa", &["3"]),
    ]);
    let r = idx.match_one(&shot("billing.png", "ff"));
    assert_eq!(
        (r.match_type, r.status),
        (MatchType::Name, MatchStatus::Matched)
    );
    let matched: Vec<(&str, Vec<&str>)> = r
        .targets
        .iter()
        .map(|t| {
            (
                t.url.as_str(),
                t.articles.iter().map(|a| a.article_id.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        matched,
        [
            ("https://h/v1/billing.png", vec!["2"]),
            ("https://h/v3/billing.png", vec!["3"])
        ]
    );
    assert_eq!(r.ambiguous.len(), 2);
    assert!(
        r.reason
            .contains("2 different images in article 'Article 1'"),
        "{}",
        r.reason
    );

    let only_article_1 =
        idx.match_one_in(&shot("billing.png", "ff"), &MatchScope::Article("1".into()));
    assert_eq!(only_article_1.status, MatchStatus::Ambiguous);
    assert!(only_article_1.targets.is_empty());
    assert!(
        only_article_1.reason.contains("ambiguous"),
        "{}",
        only_article_1.reason
    );
}

#[test]
fn the_same_image_twice_in_an_article_is_not_ambiguous() {
    let idx = index(vec![
        image("https://h/a/billing.png", "aa", &["1"]),
        image("https://h/b/billing.png", "aa", &["1"]),
    ]);
    let r = idx.match_one(&shot("billing.png", "ff"));
    assert_eq!(r.status, MatchStatus::Matched);
    assert_eq!(r.targets.len(), 2);
}

#[test]
fn one_screenshot_replaces_an_image_in_many_articles() {
    let mut a = image("https://h/a.png", "aa", &["1", "2", "3"]);
    a.metadata = meta(&[("screen", "home")]);
    let mut b = image("https://h/b.png", "bb", &["4"]);
    b.metadata = meta(&[("screen", "home")]);
    let idx = index(vec![a, b]);
    let mut s = shot("home.png", "ff");
    s.metadata = meta(&[("screen", "home")]);
    let r = idx.match_one(&s);
    let articles: usize = r.targets.iter().map(|t| t.articles.len()).sum();
    assert_eq!((r.targets.len(), articles), (2, 4));
    assert!(
        r.reason.contains("2 image(s) in 4 article(s)"),
        "{}",
        r.reason
    );
}

#[test]
fn article_scope_limits_targets_and_every_tier() {
    let mut elsewhere = image("https://h/x.png", "aa", &["2"]);
    elsewhere.metadata = meta(&[("screen", "home")]);
    let here = image("https://h/home.png", "bb", &["1", "2"]);
    let idx = index(vec![elsewhere, here]);
    let mut s = shot("home.png", "ff");
    s.metadata = meta(&[("screen", "home")]);

    assert_eq!(idx.match_one(&s).match_type, MatchType::Metadata);
    let scoped = idx.match_one_in(&s, &MatchScope::Article("1".into()));
    assert_eq!(scoped.match_type, MatchType::Name, "{}", scoped.reason);
    assert_eq!(urls(&scoped), ["https://h/home.png"]);
    let ids: Vec<&str> = scoped.targets[0]
        .articles
        .iter()
        .map(|a| a.article_id.as_str())
        .collect();
    assert_eq!(ids, ["1"]);

    let nowhere = idx.match_one_in(&s, &MatchScope::Article("9".into()));
    assert_eq!(nowhere.match_type, MatchType::Notfound);
}

#[test]
fn manual_match_targets_the_chosen_image() {
    let idx = index(vec![
        image("https://h/a.png", "aa", &["1", "2"]),
        image("https://h/b.png", "bb", &["2"]),
    ]);
    let s = shot("anything.png", "ff");
    let r = idx.manual_match(&s, "https://h/b.png").unwrap();
    assert_eq!(
        (r.match_type, r.status),
        (MatchType::Manual, MatchStatus::Matched)
    );
    assert_eq!(urls(&r), ["https://h/b.png"]);

    let scoped = idx
        .manual_match_in(&s, "https://h/a.png", &MatchScope::Article("2".into()))
        .unwrap();
    assert_eq!(scoped.targets[0].articles.len(), 1);

    let err = idx.manual_match(&s, "https://h/missing.png").unwrap_err();
    assert!(err.to_string().contains("https://h/missing.png"), "{err}");
    assert!(idx
        .manual_match_in(&s, "https://h/b.png", &MatchScope::Article("1".into()))
        .is_err());
    let same = idx
        .manual_match(&shot("x.png", "aa"), "https://h/a.png")
        .unwrap();
    assert_eq!(same.status, MatchStatus::Unchanged);
}

#[test]
fn notfound_explains_what_was_tried_and_match_all_keeps_order() {
    let idx = index(vec![image("https://h/a.png", "aa", &["1"])]);
    let results = idx.match_all(&[shot("zzz.png", "ff"), shot("a.png", "ff")]);
    assert_eq!(results[0].match_type, MatchType::Notfound);
    assert_eq!(results[0].status, MatchStatus::Notfound);
    assert!(
        results[0].reason.contains("no image named zzz.png"),
        "{}",
        results[0].reason
    );
    assert_eq!(results[1].match_type, MatchType::Name);
    let json = serde_json::to_value(&results[1]).unwrap();
    assert_eq!(json["matchType"], "name");
    assert_eq!(json["status"], "matched");
}

#[test]
fn a_custom_distance_function_can_stand_in_for_imaging() {
    // Any Fn(&str, &str) -> Option<u32> is a metric: here, "hashes" are
    // words and the distance counts differing letters.
    fn letters(a: &str, b: &str) -> Option<u32> {
        (a.len() == b.len())
            .then(|| a.chars().zip(b.chars()).filter(|(x, y)| x != y).count() as u32)
    }
    let mut c = image("https://h/a.png", "aa", &["1"]);
    c.phash = Some("kitten".into());
    let idx = MatchIndex::build_with_metric(
        vec![c],
        MatchConfig::default(),
        std::sync::Arc::new(letters),
    );
    let mut s = shot("n.png", "ff");
    s.phash = Some("sitten".into());
    let r = idx.match_one(&s);
    assert_eq!((r.match_type, r.distance), (MatchType::Perceptual, Some(1)));
}

#[test]
fn match_all_keeps_order_across_threads() {
    let cands = (0..50)
        .map(|i| image(&format!("https://h/{i}.png"), &format!("sha{i}"), &["1"]))
        .collect();
    let idx = index(cands);
    let shots: Vec<Screenshot> = (0..500)
        .map(|i| shot(&format!("{}.png", i % 100), "ff"))
        .collect();
    let results = idx.match_all(&shots);
    assert_eq!(results.len(), 500);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.screenshot, format!("{}.png", i % 100));
        let expected = if i % 100 < 50 {
            MatchType::Name
        } else {
            MatchType::Notfound
        };
        assert_eq!(r.match_type, expected, "screenshot {i}");
    }
}
