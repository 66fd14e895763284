//! The live, mutable help-center content the API handlers read and write,
//! seeded from the generator's model.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::data::{GenArticle, Model};

/// One language version of an article as it is now.
#[derive(Clone, Debug)]
pub struct Doc {
    pub locale: String,
    pub title: String,
    pub slug: String,
    /// Public path on the site, `/kb/...`.
    pub path: String,
    /// What a reader (and a GET) sees: the body (Helpjuice, HelpCenter.io);
    /// for Help.Center the live version, or the draft if never published.
    pub html: String,
    /// Help.Center only: unpublished edits of a published document.
    pub pending: Option<String>,
    pub published: bool,
    pub updated_at: DateTime<Utc>,
}

impl Doc {
    /// Help.Center's draft: pending edits, else the current version.
    pub fn draft(&self) -> &str {
        self.pending.as_deref().unwrap_or(&self.html)
    }

    /// Help.Center's draft status.
    pub fn status(&self) -> &'static str {
        match (self.published, self.pending.is_some()) {
            (false, _) => "unpublished",
            (true, false) => "published",
            (true, true) => "published_with_changes",
        }
    }

    /// Help.Center: a draft edit. Unpublished documents just change; a
    /// published one keeps its live version and records pending edits
    /// (none if the draft equals the live version again).
    pub fn set_draft(&mut self, html: String) {
        if !self.published {
            self.html = html;
        } else if html == self.html {
            self.pending = None;
        } else {
            self.pending = Some(html);
        }
        self.updated_at = Utc::now();
    }

    /// Help.Center: the draft goes live.
    pub fn publish(&mut self) {
        if let Some(p) = self.pending.take() {
            self.html = p;
        }
        self.published = true;
        self.updated_at = Utc::now();
    }

    /// Help.Center: back to draft only; the draft keeps pending edits.
    pub fn unpublish(&mut self) {
        if let Some(p) = self.pending.take() {
            self.html = p;
        }
        self.published = false;
        self.updated_at = Utc::now();
    }
}

#[derive(Clone, Debug)]
pub struct Article {
    pub id: String,
    pub category: usize,
    pub author: usize,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub views: u64,
    /// Default language first.
    pub docs: Vec<Doc>,
}

/// The default language of every simulated help center.
pub const DEFAULT_LOCALE: &str = "en";

impl Article {
    /// `None` or the default locale: the main document.
    pub fn doc(&self, locale: Option<&str>) -> Option<&Doc> {
        let locale = locale.unwrap_or(DEFAULT_LOCALE);
        self.docs.iter().find(|d| d.locale == locale)
    }

    pub fn doc_mut(&mut self, locale: Option<&str>) -> Option<&mut Doc> {
        let locale = locale.unwrap_or(DEFAULT_LOCALE);
        self.docs.iter_mut().find(|d| d.locale == locale)
    }

    pub fn main(&self) -> &Doc {
        &self.docs[0]
    }

    /// Adds an empty document for `locale` (a new translation), with the
    /// main document's title and slug until they are set.
    pub fn add_doc(&mut self, locale: &str, published: bool) -> &mut Doc {
        let main = self.main().clone();
        self.docs.push(Doc {
            locale: locale.to_string(),
            path: format!("/kb/{locale}/{}", main.slug),
            html: String::new(),
            pending: None,
            published,
            ..main
        });
        self.docs.last_mut().expect("just pushed")
    }

    pub fn touch(&mut self) {
        self.updated_at = Utc::now();
    }
}

pub struct Store {
    pub articles: Vec<Article>,
    index: HashMap<String, usize>,
}

impl Store {
    pub fn from_model(model: &Model) -> Self {
        let articles: Vec<Article> = model.articles.iter().map(article_of).collect();
        let index = articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        Store { articles, index }
    }

    pub fn get(&self, id: &str) -> Option<&Article> {
        self.index.get(id).map(|&i| &self.articles[i])
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Article> {
        self.index.get(id).map(|&i| &mut self.articles[i])
    }

    /// Adds an article at the end of the listing.
    pub fn push(&mut self, a: Article) {
        self.index.insert(a.id.clone(), self.articles.len());
        self.articles.push(a);
    }

    /// Position in the listing order.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The document published at a public path.
    pub fn by_path(&self, path: &str) -> Option<&Doc> {
        self.articles
            .iter()
            .flat_map(|a| a.docs.iter())
            .find(|d| d.path == path)
    }
}

fn article_of(g: &GenArticle) -> Article {
    let docs = g
        .docs
        .iter()
        .map(|d| Doc {
            locale: d.locale.clone(),
            title: d.title.clone(),
            slug: d.slug.clone(),
            path: d.path.clone(),
            html: d.html.clone(),
            pending: d.pending.clone(),
            published: d.published,
            updated_at: g.updated_at,
        })
        .collect();
    Article {
        id: g.id.clone(),
        category: g.category,
        author: g.author,
        created_at: g.created_at,
        updated_at: g.updated_at,
        views: g.views,
        docs,
    }
}

/// The timestamp format the providers use: `2020-07-29T09:37:03.529Z`.
pub fn ts(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}
