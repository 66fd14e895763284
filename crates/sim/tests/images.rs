//! The image host and the public article pages.

mod common;

use common::{client, header, sim_with};
use shotkeeper_sim::{Sim, SimProvider};

/// Every `/images/...` path named in a document, in order.
fn image_paths(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("/images/") {
        let end = i + rest[i..].find(['"', ' ']).unwrap();
        out.push(rest[i..end].to_string());
        rest = &rest[end..];
    }
    out
}

fn first_doc(sim: &Sim) -> String {
    sim.article_html("3844201", None).unwrap()
}

#[tokio::test]
async fn serves_types_dates_and_404() {
    let sim = sim_with(SimProvider::Helpjuice, |o| o.articles = 3).await;
    let c = client();
    let paths = image_paths(&first_doc(&sim));
    let png = paths
        .iter()
        .find(|p| p.ends_with(".png") && !p.contains("/archive/"))
        .unwrap();
    let jpg = paths.iter().find(|p| p.ends_with(".jpg")).unwrap();
    let broken = paths.iter().find(|p| p.contains("/archive/")).unwrap();

    let resp = c
        .get(format!("{}{png}", sim.site_base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-type").as_deref(), Some("image/png"));
    let lm = header(&resp, "last-modified").unwrap();
    assert!(lm.ends_with(" GMT") && lm.len() == 29, "{lm}");
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert!(bytes.windows(14).any(|w| w == b"shotkeeper-sim"));

    let resp = c
        .get(format!("{}{jpg}", sim.site_base))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&resp, "content-type").as_deref(), Some("image/jpeg"));
    let jpg_lm = header(&resp, "last-modified").unwrap();
    assert_ne!(jpg_lm, lm, "dates vary");
    assert_eq!(&resp.bytes().await.unwrap()[..2], &[0xFF, 0xD8]);

    assert_eq!(
        c.get(format!("{}{broken}", sim.site_base))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        c.get(format!("{}{png}", sim.site_base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(sim.image_requests(), 4);
    assert_eq!(sim.image_requests_for(png), 2);
    assert_eq!(sim.image_requests_for(broken), 1);
    assert_eq!(sim.api_requests(), 0, "image GETs are not API requests");
    sim.shutdown().await;
}

#[tokio::test]
async fn truncation_fault_halves_pngs_only() {
    let sim = sim_with(SimProvider::Helpjuice, |o| {
        o.articles = 3;
        o.faults.truncate_images = true;
    })
    .await;
    let whole = sim_with(SimProvider::Helpjuice, |o| o.articles = 3).await;
    let c = client();
    let paths = image_paths(&first_doc(&sim));
    let png = paths
        .iter()
        .find(|p| p.ends_with(".png") && !p.contains("/archive/"))
        .unwrap();
    let full = c
        .get(format!("{}{png}", whole.site_base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let resp = c
        .get(format!("{}{png}", sim.site_base))
        .send()
        .await
        .unwrap();
    let len: usize = header(&resp, "content-length").unwrap().parse().unwrap();
    let cut = resp.bytes().await.unwrap();
    assert_eq!(cut.len(), full.len() / 2);
    assert_eq!(len, cut.len());
    assert_eq!(&cut[..], &full[..cut.len()]);
    let jpg = paths.iter().find(|p| p.ends_with(".jpg")).unwrap();
    let a = c
        .get(format!("{}{jpg}", sim.site_base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let b = c
        .get(format!("{}{jpg}", whole.site_base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(a, b);
    sim.shutdown().await;
    whole.shutdown().await;
}

#[tokio::test]
async fn public_pages_show_published_documents_only() {
    let sim = sim_with(SimProvider::Helpcenterio, |o| o.articles = 3).await;
    let c = client();
    let (_, body) = common::json_of(
        c.get(format!("{}/articles", sim.api_base))
            .header("apikey", "sim-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    for a in body["articles"].as_array().unwrap() {
        for (lang, url) in a["url"].as_object().unwrap() {
            let resp = c.get(url.as_str().unwrap()).send().await.unwrap();
            if a["published"] == true {
                assert_eq!(resp.status(), 200);
                let page = resp.text().await.unwrap();
                assert!(page.contains(a["content"][lang].as_str().unwrap()));
            } else {
                assert_eq!(resp.status(), 404);
            }
        }
    }
    assert_eq!(
        c.get(format!("{}/kb/no-such-article", sim.site_base))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    sim.shutdown().await;
}

/// The benchmark shape: articles with images spread evenly, references
/// going round a pool of same-size screenshots, each at its own path, and
/// the image host answering late when asked to.
#[tokio::test]
async fn screenshot_pool_shape_and_image_latency() {
    use shotkeeper_sim::{Faults, ScreenshotPool};
    let sim = sim_with(SimProvider::Helpjuice, |o| {
        o.articles = 20;
        o.screenshot_pool = Some(ScreenshotPool {
            articles_with_images: 10,
            refs_per_article: 3,
            distinct: 6,
            width: 128,
            height: 80,
        });
        o.faults = Faults {
            slow_images_ms: 40,
            ..Faults::default()
        };
    })
    .await;
    let e = &sim.expected;
    assert_eq!(
        (e.documents, e.image_refs, e.unique_images, e.distinct_urls),
        (20, 30, 6, 6)
    );
    assert_eq!((e.duplicate, e.broken_urls), (24, 0));
    // Every other article carries three of them; the others none.
    let first = image_paths(&sim.article_html("3844201", None).unwrap());
    assert_eq!(first.len(), 3, "{first:?}");
    assert!(image_paths(&sim.article_html("3844202", None).unwrap()).is_empty());

    let c = client();
    let started = std::time::Instant::now();
    let resp = c
        .get(format!("{}{}", sim.site_base, first[0]))
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(40));
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap();
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (128, 80));
    assert!(bytes.windows(14).any(|w| w == b"bench-screen-0"));
}
