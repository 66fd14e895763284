//! Freshdesk Solutions client against the Freshdesk simulator.

mod common;
mod provider_common;
mod s3_server;

use shotkeeper_core::update::revisions::RollbackMode;
use shotkeeper_core::update::ArticleStatus;
use std::collections::HashMap;

use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use provider_common::*;
use shotkeeper_core::app_update::PlanRequest;
use shotkeeper_core::model::ProviderKind;
use shotkeeper_core::providers::{registry, ArticleRef};
use shotkeeper_core::App;
use shotkeeper_core::CoreError;
use shotkeeper_sim::SimProvider;
use tokio_util::sync::CancellationToken;

const P: SimProvider = SimProvider::Freshdesk;
const K: ProviderKind = ProviderKind::Freshdesk;
/// The first sample article; every fourth has a German translation.
const FIRST: &str = "43000500000";
/// Sample article `i` is `43000500000 + i`.
const BASE: u64 = 43_000_500_000;
/// Where the replacement test's uploads go in the bucket.
const S3_PREFIX: &str = "freshdesk";

/// The simulator's folder nesting: a top-level folder per sample category
/// (the first two in one solution category, the last two in the other),
/// each with a subfolder holding a sub-subfolder. Article `i` is in the
/// subfolder when `i % 5` is 1 or 3, the sub-subfolder when it is 2, else
/// the top-level folder; its category is `i % 4`.
fn level_of(id: &str) -> u64 {
    match (id.parse::<u64>().unwrap() - BASE) % 5 {
        1 | 3 => 1,
        2 => 2,
        _ => 0,
    }
}

#[tokio::test]
async fn lists_every_document_over_several_pages_folders_and_languages() {
    // 1200 articles over 4 top-level folders (2 categories) are 300 per
    // folder tree: 120 in the top-level folder and 120 in its subfolder (two
    // pages of at most 100 each, the second announced by a Link header), 60
    // in the sub-subfolder. The German translations (one in four, all in the
    // first folder tree) are 2 + 2 + 1 pages there and an empty page in each
    // of the 9 other folders.
    let sim = sim(P, |o| {
        o.articles = 1200;
        o.images_per_article = 1;
    })
    .await;
    let hc = client(&sim, K);
    let (docs, pages) = list_all(hc.as_ref()).await.unwrap();
    assert_eq!(pages, 4 * (2 + 2 + 1) + 5 + 9);
    assert_eq!(
        sim.api_requests(),
        1 + 1 + 2 + 12 + 34,
        "helpdesk settings, categories, folders of each, subfolders of each of the 12 folders, then every page"
    );
    assert_eq!(docs.len() as u64, sim.expected.documents);
    assert_eq!(distinct_ids(&docs) as u64, sim.expected.articles);
    let published = docs.iter().filter(|d| d.is_published).count() as u64;
    assert_eq!(published, sim.expected.published);
    let german: Vec<_> = docs
        .iter()
        .filter(|d| d.article.locale.as_deref() == Some("de"))
        .collect();
    assert_eq!(
        german.len() as u64,
        sim.expected.documents - sim.expected.articles
    );
    let mut seen = HashMap::new();
    for d in &docs {
        *seen.entry(d.article.clone()).or_insert(0) += 1;
        // The support portal's address, built from the domain and the id.
        let lang = d
            .article
            .locale
            .as_deref()
            .map(|l| format!("/{l}"))
            .unwrap_or_default();
        assert_eq!(
            d.url,
            format!(
                "{}{lang}/support/solutions/articles/{}",
                sim.site_base, d.article.id
            )
        );
        assert_eq!(
            d.html.as_deref(),
            sim.article_html(&d.article.id, d.article.locale.as_deref())
                .as_deref()
        );
    }
    assert!(seen.values().all(|n| *n == 1), "no document twice");
    assert_public_urls_work(&docs).await;
    sim.shutdown().await;
}

#[tokio::test]
async fn a_resumed_listing_continues_where_it_stopped() {
    let sim = sim(P, |o| {
        o.articles = 300;
        o.images_per_article = 1;
    })
    .await;
    let hc = client(&sim, K);
    let first = hc.list_articles(None).await.unwrap();
    let cursor = first.next.clone().expect("more pages");
    // A fresh client (a restarted app) picks up from the stored cursor.
    let again = client(&sim, K);
    let second = again.list_articles(Some(&cursor)).await.unwrap();
    assert!(!second.articles.is_empty());
    assert!(second
        .articles
        .iter()
        .all(|d| !first.articles.iter().any(|f| f.article == d.article)));
    let e = again.list_articles(Some("nonsense")).await.unwrap_err();
    assert!(e.to_string().contains("restart the import"), "{e}");
    sim.shutdown().await;
}

#[tokio::test]
async fn articles_in_subfolders_and_sub_subfolders_are_listed() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    let (docs, _) = list_all(hc.as_ref()).await.unwrap();
    assert_eq!(docs.len() as u64, sim.expected.documents);
    assert_eq!(distinct_ids(&docs) as u64, sim.expected.articles);
    let mut per_level = [0u64; 3];
    for d in docs.iter().filter(|d| d.article.locale.is_none()) {
        per_level[level_of(&d.article.id) as usize] += 1;
    }
    // 30 articles: i % 5 in {0, 4} top-level, {1, 3} subfolder, 2 below.
    assert_eq!(per_level, [12, 12, 6]);
    // German translations (every fourth article) in subfolders too.
    let de_deep = docs
        .iter()
        .filter(|d| d.article.locale.as_deref() == Some("de") && level_of(&d.article.id) > 0)
        .count();
    assert!(de_deep > 0);
    // The walk is depth-first: a top-level folder's articles, then its
    // subfolder's, then the sub-subfolder's, then the next top-level folder.
    let first_levels: Vec<u64> = docs
        .iter()
        .filter(|d| d.article.locale.is_none())
        .map(|d| level_of(&d.article.id))
        .take(8)
        .collect();
    assert_eq!(first_levels, [0, 0, 0, 0, 1, 1, 1, 2]);
    sim.shutdown().await;
}

/// Pages from `cursor` (or the start) to the end: each page's cursor and
/// its documents' references.
async fn pages_from(
    hc: &dyn shotkeeper_core::providers::HelpCenter,
    mut cursor: Option<String>,
) -> Vec<(Option<String>, Vec<ArticleRef>)> {
    let mut out = Vec::new();
    for _ in 0..1000 {
        let p = hc.list_articles(cursor.as_deref()).await.unwrap();
        out.push((
            cursor.clone(),
            p.articles.into_iter().map(|d| d.article).collect(),
        ));
        match p.next {
            Some(next) => cursor = Some(next),
            None => return out,
        }
    }
    panic!("the listing did not end");
}

#[tokio::test]
async fn a_resumed_listing_continues_inside_a_subfolder() {
    // 1200 articles: each subfolder holds 120, two pages.
    let sim = sim(P, |o| {
        o.articles = 1200;
        o.images_per_article = 1;
    })
    .await;
    let full = pages_from(client(&sim, K).as_ref(), None).await;
    let path_of = |c: &str| c.split('|').nth(1).unwrap().to_string();
    let page_of = |c: &str| c.split('|').nth(2).unwrap().to_string();
    let at = |depth: usize, page: &str| {
        full.iter()
            .position(|(c, _)| {
                c.as_deref()
                    .is_some_and(|c| path_of(c).split('/').count() == depth && page_of(c) == page)
            })
            .unwrap_or_else(|| panic!("a cursor {depth} deep on page {page}"))
    };
    // Page 2 of a subfolder, and a sub-subfolder; each cursor names the
    // folders from the top-level one down.
    for start in [at(2, "2"), at(3, "1")] {
        let cursor = full[start].0.clone().unwrap();
        // A fresh client (a restarted app) picks up from the stored cursor.
        let resumed = pages_from(client(&sim, K).as_ref(), Some(cursor.clone())).await;
        assert_eq!(resumed, full[start..], "resumed from {cursor}");
        let subfolder = path_of(&cursor).rsplit('/').next().unwrap().to_string();
        let docs = &resumed[0].1;
        assert!(!docs.is_empty());
        let depth = path_of(&cursor).split('/').count() as u64;
        assert!(
            docs.iter().all(|a| level_of(&a.id) == depth - 1),
            "{cursor}"
        );
        // A cursor naming the subfolder by its id alone (as before
        // subfolders) finds it in the tree and goes on the same way.
        let bare = format!("|{subfolder}|{}", page_of(&cursor));
        let again = pages_from(client(&sim, K).as_ref(), Some(bare)).await;
        assert_eq!(
            again.iter().map(|p| &p.1).collect::<Vec<_>>(),
            full[start..].iter().map(|p| &p.1).collect::<Vec<_>>()
        );
    }
    // Resumed documents never repeat the ones before.
    let start = at(2, "2");
    let before: Vec<&ArticleRef> = full[..start].iter().flat_map(|p| &p.1).collect();
    assert!(full[start..]
        .iter()
        .flat_map(|p| &p.1)
        .all(|a| !before.contains(&a)));
    // A folder that is not in the knowledge base (any more) is named.
    let e = client(&sim, K)
        .list_articles(Some("|1/2|1"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("restart the import"), "{e}");
    sim.shutdown().await;
}

#[tokio::test]
async fn get_update_and_read_back_each_language() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    let en = ArticleRef::new(FIRST);
    let de = ArticleRef::with_locale(FIRST, Some("de".into()));

    let got_en = hc.get_article(&en).await.unwrap();
    let got_de = hc.get_article(&de).await.unwrap();
    assert_eq!(got_en.html, sim.article_html(FIRST, None));
    assert_eq!(got_de.html, sim.article_html(FIRST, Some("de")));
    assert_ne!(got_en.html, got_de.html);
    assert_eq!(got_de.article, de);

    // The German translation is written back to its own language only.
    let new_de = edited(got_de.html.as_deref().unwrap(), "shotkeeper-de");
    hc.update_article_html(&de, &new_de).await.unwrap();
    assert_eq!(sim.article_html(FIRST, Some("de")), Some(new_de.clone()));
    assert_eq!(sim.article_html(FIRST, None), got_en.html, "en untouched");
    let after = hc.get_article(&de).await.unwrap();
    assert_eq!(after.html.as_deref(), Some(new_de.as_str()));
    assert_eq!(
        (after.title.as_str(), after.is_published),
        (got_de.title.as_str(), got_de.is_published),
        "only the body changed"
    );

    let new_en = edited(got_en.html.as_deref().unwrap(), "shotkeeper-en");
    hc.update_article_html(&en, &new_en).await.unwrap();
    let after = hc.get_article(&en).await.unwrap();
    assert_eq!(after.html.as_deref(), Some(new_en.as_str()));
    assert_eq!(
        (after.title.as_str(), after.is_published),
        (got_en.title.as_str(), got_en.is_published)
    );
    assert_eq!(sim.article_html(FIRST, Some("de")), Some(new_de));

    let e = hc.get_article(&ArticleRef::new("1")).await.unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    let e = hc
        .get_article(&ArticleRef::with_locale(FIRST, Some("fr".into())))
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    assert!(e.to_string().contains("fr translation"), "{e}");
    // Article 1 (index 1) has no German translation.
    let e = hc
        .update_article_html(
            &ArticleRef::with_locale("43000500001", Some("de".into())),
            "<p>x</p>",
        )
        .await
        .unwrap_err();
    assert!(matches!(e, CoreError::NotFound { .. }), "{e:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn no_upload_of_its_own() {
    let sim = sim(P, |_| {}).await;
    let hc = client(&sim, K);
    assert!(!hc.supports_upload());
    let e = hc
        .upload_image(&ArticleRef::new(FIRST), "a.png", "image/png", vec![1])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("S3 or R2"), "{e}");
    assert_eq!(sim.api_requests(), 0, "nothing was sent");
    sim.shutdown().await;
}

#[tokio::test]
async fn verify_and_refused_credentials() {
    let sim = sim(P, |_| {}).await;
    let msg = client(&sim, K).verify().await.unwrap();
    assert!(
        msg.contains("Freshdesk") && msg.contains("Maya Chen"),
        "{msg}"
    );
    let e = client_with_token(&sim, K, "wrong-api-key")
        .verify()
        .await
        .unwrap_err();
    assert!(
        matches!(e, CoreError::BadCredentials { status: 401, .. }),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(text.contains("refused the credentials"), "{text}");
    assert!(!text.contains("wrong-api-key"), "{text}");
    sim.shutdown().await;
}

#[tokio::test]
async fn domain_setting_and_base_url() {
    let sim = sim(P, |_| {}).await;
    let mut i = integration(&sim, K);
    // An explicit base URL makes the domain optional...
    i.settings.remove("domain");
    assert!(registry::build(&i, "k").is_ok());
    // ...without one it is needed, as a name or an address.
    i.base_url = None;
    assert!(registry::build(&i, "k").is_err());
    i.settings
        .insert("domain".into(), "demo.freshdesk.com".into());
    assert!(registry::build(&i, "k").is_ok());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_list_that_is_not_json_is_named() {
    let sim = sim(P, |o| o.faults.garbage_list = true).await;
    let e = list_all(client(&sim, K).as_ref()).await.unwrap_err();
    assert!(matches!(e, CoreError::Garbage { .. }), "{e:?}");
    sim.shutdown().await;
}

fn png_bytes(img: &DynamicImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn full_import_counts_equal_the_known_answers_and_update_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await.unwrap();
    let sim = common::start_sim(P, 30, |_| {}).await;
    let id = common::connect(&app, P, &sim).await;
    let view = app
        .run_import(&id, None, common::no_progress(), CancellationToken::new())
        .await
        .expect("import");
    // 30 articles, 18 of them in subfolders and sub-subfolders: all counted.
    assert_eq!(sim.expected.articles, 30);
    common::assert_counts_are_the_known_answers(&app, &view, &sim).await;

    // The round trip through the same integration: read, write, read back.
    let hc = client(&sim, K);
    let de = ArticleRef::with_locale("43000500004", Some("de".into()));
    let html = hc.get_article(&de).await.unwrap().html.unwrap();
    let new_html = edited(&html, "round-trip");
    hc.update_article_html(&de, &new_html).await.unwrap();
    assert_eq!(
        hc.get_article(&de).await.unwrap().html.as_deref(),
        Some(new_html.as_str())
    );

    // Replacing a screenshot needs a linked S3/R2 integration: without one
    // the update is refused before anything is written.
    let rows = app.image_rows(&view.id).await.unwrap();
    let target = common::uniquely_named(&rows, |_| true);
    let shots = tempfile::tempdir().unwrap();
    let shot = shots.path().join(&target.name);
    let picture = DynamicImage::ImageRgba8(RgbaImage::from_fn(97, 41, |x, y| {
        Rgba([(x * 3) as u8, (y * 5) as u8, 77, 255])
    }));
    std::fs::write(&shot, png_bytes(&picture)).unwrap();
    let plan = app
        .plan_update(PlanRequest {
            job_id: view.id.clone(),
            paths: vec![shot],
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        plan.selected_changes() > 0,
        "the screenshot matched by name"
    );
    let before: Vec<_> = (0..30)
        .map(|i| sim.article_html(&(43_000_500_000u64 + i).to_string(), None))
        .collect();
    let e = app
        .apply_plan(
            &plan.id,
            false,
            std::sync::Arc::new(|_| {}),
            CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("Freshdesk") && e.to_string().contains("S3 or R2"),
        "{e}"
    );
    let after: Vec<_> = (0..30)
        .map(|i| sim.article_html(&(43_000_500_000u64 + i).to_string(), None))
        .collect();
    assert_eq!(before, after, "nothing was written");
    sim.shutdown().await;
}

// ---------------------------------------------------------------------------
// Replacing a screenshot end to end: Freshdesk has no image upload, so the
// new file goes to a real S3-compatible server (`s3s-fs`, see `s3_server`),
// and each document, the German translation
// included, is written back to its own language and rolled back.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_screenshot_replaced_through_s3_in_both_languages_and_rolled_back() {
    use std::collections::BTreeMap;

    use shotkeeper_core::imaging;
    use shotkeeper_core::matching::{MatchStatus, MatchType};
    use shotkeeper_core::storage::{Storage, StorageSettings};

    let server = s3_server::S3Server::start();
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).await.unwrap();
    let sim = common::start_sim(P, 30, |_| {}).await;
    let hc = common::connect(&app, P, &sim).await;
    let storage = server.connect(&app, S3_PREFIX).await;
    let job = app
        .run_import(&hc, None, common::no_progress(), CancellationToken::new())
        .await
        .unwrap();

    // A PNG screenshot (identified by its text chunks) that a German
    // translation shows too.
    let translated: Vec<String> = (0..30u64)
        .step_by(4)
        .filter_map(|i| sim.article_html(&(43_000_500_000 + i).to_string(), Some("de")))
        .collect();
    let rows = app.image_rows(&job.id).await.unwrap();
    let target = rows
        .iter()
        .find(|r| {
            r.status_code == 200
                && !r.is_duplicate
                && r.kind == "png"
                && r.metadata.contains_key("screen")
                && translated.iter().any(|h| h.contains(r.url.as_str()))
        })
        .expect("a screenshot in a translated article");
    let mut pairs = BTreeMap::new();
    pairs.insert("screen".to_owned(), target.metadata["screen"].clone());
    if let Some(a) = target.metadata.get("app") {
        pairs.insert("app".to_owned(), a.clone());
    }
    let picture =
        DynamicImage::ImageRgba8(RgbaImage::from_fn(target.width, target.height, |x, y| {
            Rgba([(x * 7) as u8, (y * 3) as u8, 200, 255])
        }));
    let bytes = imaging::write_png_text(&png_bytes(&picture), &pairs).unwrap();
    let shots = tempfile::tempdir().unwrap();
    let shot = shots.path().join("new-screen.png");
    std::fs::write(&shot, &bytes).unwrap();

    let plan = app
        .plan_update(PlanRequest {
            job_id: job.id.clone(),
            paths: vec![shot],
            storage_integration_id: Some(storage),
            ..Default::default()
        })
        .await
        .unwrap();
    let p = &plan.screenshots[0];
    assert_eq!(p.result.status, MatchStatus::Matched, "{}", p.result.reason);
    assert_eq!(p.result.match_type, MatchType::Metadata);
    assert!(
        plan.articles
            .iter()
            .any(|a| a.locale.as_deref() == Some("de")),
        "a German document is in the plan"
    );
    let before: Vec<(String, Option<String>, String)> = plan
        .articles
        .iter()
        .map(|a| {
            let html = sim
                .article_html(&a.external_id, a.locale.as_deref())
                .unwrap();
            (a.external_id.clone(), a.locale.clone(), html)
        })
        .collect();

    let result = app
        .apply_plan(
            &plan.id,
            false,
            std::sync::Arc::new(|_| {}),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    // The summary of LaunchBrightly's import API counts screenshots; the documents are listed.
    assert_eq!(
        (
            result.summary.total,
            result.summary.success,
            result.summary.failed
        ),
        (1, 1, 0),
        "{:?}",
        result.articles
    );
    assert_eq!(result.articles.len(), plan.articles_to_update());
    assert!(result
        .articles
        .iter()
        .any(|a| a.locale.as_deref() == Some("de")));
    let base = format!("{}/{}/", server.public_base_url(), S3_PREFIX);
    for a in &result.articles {
        assert_eq!(a.status, ArticleStatus::Updated, "{a:?}");
        let html = sim
            .article_html(&a.external_id, a.locale.as_deref())
            .unwrap();
        let (old, new) = a.replacements.iter().next().expect("a replacement");
        assert!(new.starts_with(&base), "{new} under {base}");
        assert!(html.contains(new.as_str()) && !html.contains(old.as_str()));
        // The other language of the article was not overwritten with this one.
        let other = match a.locale {
            Some(_) => None,
            None => Some("de"),
        };
        if let Some(o) = sim.article_html(&a.external_id, other) {
            assert_ne!(o, html);
        }
        // What the client reads back is what was written.
        let doc = client(&sim, K)
            .get_article(&ArticleRef::with_locale(&a.external_id, a.locale.clone()))
            .await
            .unwrap();
        assert_eq!(doc.html.as_deref(), Some(html.as_str()));
    }
    // The object in the bucket is the screenshot file (s3s-fs serves no
    // anonymous reads: read it back signed).
    let new_url = result.articles[0].replacements.values().next().unwrap();
    let key = new_url
        .strip_prefix(&format!("{}/", server.public_base_url()))
        .unwrap();
    let store = Storage::new(
        StorageSettings::from_settings(
            ProviderKind::S3,
            None,
            &server.integration_settings(S3_PREFIX),
        )
        .unwrap(),
        s3_server::SECRET_KEY,
    )
    .unwrap();
    let stored = store.get_object(key).await.unwrap();
    assert_eq!(stored.bytes, bytes);
    assert_eq!(stored.content_type.as_deref(), Some("image/png"));

    // Every updated document rolls back to its previous content exactly.
    for a in &result.articles {
        let rb = app
            .rollback(a.revision_id.as_deref().unwrap(), false)
            .await
            .unwrap();
        assert_eq!(rb.mode, RollbackMode::Exact);
        let original = &before
            .iter()
            .find(|b| b.0 == a.external_id && b.1 == a.locale)
            .unwrap()
            .2;
        assert_eq!(
            &sim.article_html(&a.external_id, a.locale.as_deref())
                .unwrap(),
            original
        );
    }
    sim.shutdown().await;
}
