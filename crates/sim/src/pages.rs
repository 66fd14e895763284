//! Public article pages at `/kb/<slug>` and `/kb/<locale>/<slug>`: the
//! URLs the APIs report and the base that relative image URLs resolve
//! against. Unpublished documents are not public (404).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::html::escape;
use crate::state::Shared;

pub fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/kb/{*path}", get(page))
}

/// Freshdesk's support portal: an article is at
/// `/support/solutions/articles/ID`, a translation at
/// `/LANG/support/solutions/articles/ID`.
pub fn portal_routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/support/solutions/articles/{id}", get(portal_article))
        .route(
            "/{lang}/support/solutions/articles/{id}",
            get(portal_translation),
        )
}

async fn portal_article(State(s): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    portal(&s, &id, None)
}

async fn portal_translation(
    State(s): State<Arc<Shared>>,
    Path((lang, id)): Path<(String, String)>,
) -> Response {
    portal(&s, &id, Some(&lang))
}

/// A published document of a Freshdesk article on the support portal.
fn portal(s: &Shared, id: &str, lang: Option<&str>) -> Response {
    // Freshdesk ids may carry a `-title-slug` after the number.
    let id = id.split('-').next().unwrap_or(id);
    let page = {
        let store = s.store.lock().expect("store lock");
        store
            .get(id)
            .and_then(|a| a.doc(lang))
            .filter(|d| d.published)
            .map(|d| render(&d.title, &d.locale, &d.html))
    };
    match page {
        Some(html) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        None => (StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}

async fn page(State(s): State<Arc<Shared>>, Path(path): Path<String>) -> Response {
    let full = format!("/kb/{path}");
    let page = {
        let store = s.store.lock().expect("store lock");
        store
            .by_path(&full)
            .filter(|d| d.published)
            .map(|d| render(&d.title, &d.locale, &d.html))
    };
    match page {
        Some(html) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        None => (StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}

fn render(title: &str, locale: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{locale}\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\n<body><article><h1>{t}</h1>\n{body}</article></body></html>\n",
        t = escape(title)
    )
}
