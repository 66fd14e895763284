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
