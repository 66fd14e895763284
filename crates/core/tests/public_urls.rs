//! Every provider's documents have a public URL that opens: the address
//! the desktop opens, the article dimension links to, and relative image
//! URLs resolve against. Each simulator serves the pages its documents
//! name, as the help center's site does.

mod provider_common;

use provider_common::*;
use shotkeeper_sim::SimProvider;

async fn public_urls_open(p: SimProvider) {
    let sim = sim(p, |o| o.articles = 12).await;
    let hc = client(&sim, kind_of(p));
    let (docs, _) = list_all(hc.as_ref()).await.expect("list every page");
    assert_public_urls_work(&docs).await;
    sim.shutdown().await;
}

#[tokio::test]
async fn helpjuice_documents_open() {
    public_urls_open(SimProvider::Helpjuice).await;
}

#[tokio::test]
async fn helpcenter_documents_open() {
    public_urls_open(SimProvider::Helpcenter).await;
}

#[tokio::test]
async fn helpscout_documents_open() {
    public_urls_open(SimProvider::Helpscout).await;
}

#[tokio::test]
async fn zendesk_documents_open() {
    public_urls_open(SimProvider::Zendesk).await;
}

#[tokio::test]
async fn intercom_documents_open() {
    public_urls_open(SimProvider::Intercom).await;
}
