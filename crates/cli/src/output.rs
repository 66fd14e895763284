//! Presentation: human-readable tables by default, exact JSON with `--json`.

use serde::Serialize;
use shotkeeper_core::app::JobListItem;
use shotkeeper_core::integrations::IntegrationView;
use shotkeeper_core::model::{Dimension, ImageWithArticles, JobView, RetrievedArticle, VerifyResult};

use crate::commands::{CliError, CliResult};

fn print_json<T: Serialize>(value: &T) -> CliResult {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError {
        message: format!("could not format JSON: {e}"),
        code: 1,
    })?;
    println!("{text}");
    Ok(())
}

/// A plain left-aligned table; the last column is not padded.
fn table(headers: &[&str], rows: Vec<Vec<String>>) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let last = cells.len().saturating_sub(1);
        let parts: Vec<String> = cells
            .into_iter()
            .enumerate()
            .map(|(i, c)| if i == last { c } else { format!("{c:<w$}", w = widths[i]) })
            .collect();
        println!("{}", parts.join("  ").trim_end());
    };
    line(headers.iter().map(|h| h.to_string()).collect());
    for row in rows {
        line(row);
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

pub fn integration(i: &IntegrationView, json: bool) -> CliResult {
    if json {
        return print_json(i);
    }
    let it = &i.integration;
    println!("id:        {}", it.id);
    println!("label:     {}", it.label);
    println!("provider:  {} ({})", it.provider.display_name(), it.provider);
    if let Some(b) = &it.base_url {
        println!("base URL:  {b}");
    }
    for (k, v) in &it.settings {
        println!("{:<10} {v}", format!("{k}:"));
    }
    let secret = match (&it.secret_source, i.has_secret) {
        (shotkeeper_core::model::SecretSource::Keychain, true) => "stored in the OS keychain".to_owned(),
        (shotkeeper_core::model::SecretSource::Keychain, false) => "missing from the keychain: update it".to_owned(),
        (shotkeeper_core::model::SecretSource::Env(n), true) => format!("read from ${n}"),
        (shotkeeper_core::model::SecretSource::Env(n), false) => format!("read from ${n} (not set now)"),
    };
    println!("secret:    {secret}");
    Ok(())
}

pub fn integrations(list: &[IntegrationView], json: bool) -> CliResult {
    if json {
        return print_json(&list);
    }
    if list.is_empty() {
        println!("No integrations yet. Add one with `shotkeeper integration add PROVIDER --label TEXT ...`.");
        return Ok(());
    }
    let rows = list
        .iter()
        .map(|i| {
            vec![
                i.integration.id.clone(),
                i.integration.provider.display_name().to_owned(),
                i.integration.label.clone(),
                i.integration.base_url.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(&["ID", "PROVIDER", "LABEL", "BASE URL"], rows);
    Ok(())
}

pub fn verify(r: &VerifyResult, json: bool) -> CliResult {
    if json {
        return print_json(r);
    }
    let mark = if r.is_connection_successful { "ok" } else { "FAILED" };
    println!("{mark}: {}", r.message);
    Ok(())
}

pub fn deleted(id: &str, json: bool) -> CliResult {
    if json {
        return print_json(&serde_json::json!({ "id": id, "deleted": true }));
    }
    println!("deleted integration {id}");
    Ok(())
}

fn print_totals(v: &JobView) {
    let a = &v.total.articles;
    let i = &v.total.images;
    println!("job:      {} ({})", v.id, v.name);
    println!(
        "articles: {} discovered, {} processed, {} success, {} failed, {} skipped, {} pending",
        a.discovered, a.processed, a.success, a.failed, a.skipped, a.pending
    );
    println!("images:   {} references, {} unique, {} duplicate", i.total, i.unique, i.duplicate);
    println!("authors:  {}", v.total.authors);
}

pub fn job_summary(v: &JobView, json: bool) -> CliResult {
    if json {
        return print_json(v);
    }
    print_totals(v);
    Ok(())
}

pub fn jobs(list: &[JobListItem], json: bool) -> CliResult {
    if json {
        return print_json(&list);
    }
    if list.is_empty() {
        println!("No import jobs yet. Start one with `shotkeeper import INTEGRATION_ID`.");
        return Ok(());
    }
    let rows = list
        .iter()
        .map(|j| {
            vec![
                j.id.clone(),
                j.status.clone(),
                j.total.articles.discovered.to_string(),
                j.total.images.total.to_string(),
                j.created_at.clone(),
                j.integration_label.clone(),
            ]
        })
        .collect();
    table(&["JOB", "STATUS", "ARTICLES", "IMAGES", "STARTED", "INTEGRATION"], rows);
    Ok(())
}

pub fn job(v: &JobView, dim: Dimension, json: bool) -> CliResult {
    if json {
        return print_json(v);
    }
    print_totals(v);
    println!();
    match dim {
        Dimension::Images => images_table(v.images.as_deref().unwrap_or_default()),
        Dimension::Articles => {
            let rows = v
                .articles
                .iter()
                .flatten()
                .map(|a| {
                    let broken = a.images.iter().filter(|i| i.status_code != 200).count();
                    vec![
                        a.external_article_id.clone() + &a.locale.as_ref().map(|l| format!("@{l}")).unwrap_or_default(),
                        a.status.clone(),
                        if a.is_published { "yes" } else { "no" }.into(),
                        a.images.len().to_string(),
                        broken.to_string(),
                        shorten(&a.title, 60),
                    ]
                })
                .collect();
            table(&["ARTICLE", "STATUS", "PUBLISHED", "IMAGES", "BROKEN", "TITLE"], rows);
        }
    }
    Ok(())
}

fn images_table(images: &[ImageWithArticles]) {
    let rows = images
        .iter()
        .map(|i| {
            vec![
                i.status_code.to_string(),
                i.kind.clone(),
                format!("{}x{}", i.width, i.height),
                i.size.to_string(),
                i.articles_count.to_string(),
                i.hash.chars().take(12).collect(),
                shorten(&i.url, 90),
            ]
        })
        .collect();
    table(&["STATUS", "TYPE", "SIZE(PX)", "BYTES", "ARTICLES", "SHA-256", "URL"], rows);
}

pub fn article(a: &RetrievedArticle, json: bool) -> CliResult {
    if json {
        return print_json(a);
    }
    println!("{} — {}", a.id, a.title);
    println!("{}", a.url);
    println!("published: {}   images: {}", if a.is_published { "yes" } else { "no" }, a.images_count);
    println!();
    let rows = a
        .images
        .iter()
        .map(|i| {
            vec![
                i.status_code.to_string(),
                i.kind.clone(),
                format!("{}x{}", i.width, i.height),
                i.size.to_string(),
                shorten(&i.alt, 30),
                shorten(&i.url, 90),
            ]
        })
        .collect();
    table(&["STATUS", "TYPE", "SIZE(PX)", "BYTES", "ALT", "URL"], rows);
    Ok(())
}

pub fn broken(images: &[ImageWithArticles], json: bool) -> CliResult {
    if json {
        return print_json(&images);
    }
    if images.is_empty() {
        println!("No broken images.");
        return Ok(());
    }
    for i in images {
        println!("{}  {}", i.status_code, i.url);
        for a in &i.articles {
            println!("      used in {} — {} ({})", a.external_article_id, a.title, a.url);
        }
    }
    println!();
    println!("{} broken image(s).", images.len());
    Ok(())
}
