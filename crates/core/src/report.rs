//! Builds the views of a job from stored records: the LaunchBrightly import API's two dimensions,
//! broken images, and the richer rows the desktop grid and lists use.

use std::collections::{BTreeMap, HashMap};

use crate::db::Pool;
use serde::{Deserialize, Serialize};

use crate::db::jobs;
use crate::db::views::{self, ArticleRec, ImageRec, JobData, RefRec};
use crate::error::{CoreError, Result};
use crate::imaging;
use crate::model::{ArticleRefView, ArticleView, Dimension, ImageView, ImageWithArticles, JobView};

/// An image reference whose download has not happened yet reads as status 0.
fn image_view(r: &RefRec, img: Option<&ImageRec>) -> ImageView {
    match img {
        Some(i) => ImageView {
            url: i.url.clone(),
            cloud: None,
            name: i.name.clone(),
            alt: r.alt.clone(),
            kind: i.kind.clone(),
            width: i.width,
            height: i.height,
            status_code: i.status_code,
            size: i.size,
            hash: i.hash.clone(),
            metadata: i.metadata.clone(),
        },
        None => ImageView {
            url: r.url.clone(),
            cloud: None,
            name: imaging::file_name_from_url(&r.url),
            alt: r.alt.clone(),
            kind: String::new(),
            width: 0,
            height: 0,
            status_code: 0,
            size: 0,
            hash: String::new(),
            metadata: BTreeMap::new(),
        },
    }
}

fn article_ref_view(a: &ArticleRec) -> ArticleRefView {
    ArticleRefView {
        kbid: a.external_id.clone(),
        external_article_id: a.external_id.clone(),
        url: a.url.clone(),
        title: a.title.clone(),
        is_published: a.is_published,
    }
}

fn refs_by_article(data: &JobData) -> HashMap<&str, Vec<&RefRec>> {
    let mut map: HashMap<&str, Vec<&RefRec>> = HashMap::new();
    for r in &data.refs {
        map.entry(r.article_id.as_str()).or_default().push(r);
    }
    map
}

pub fn articles_dimension(data: &JobData) -> Vec<ArticleView> {
    let by_article = refs_by_article(data);
    data.articles
        .iter()
        .map(|a| ArticleView {
            id: a.id.clone(),
            external_article_id: a.external_id.clone(),
            kbid: a.external_id.clone(),
            locale: a.locale.clone(),
            title: a.title.clone(),
            is_published: a.is_published,
            url: a.url.clone(),
            status: a.status.clone(),
            images: by_article
                .get(a.id.as_str())
                .map(|refs| {
                    refs.iter()
                        .map(|r| image_view(r, data.images.get(&r.url)))
                        .collect()
                })
                .unwrap_or_default(),
            tags: a.tags.clone(),
            content: a.content.clone().unwrap_or_default(),
            created_at: a.created_at.clone(),
            updated_at: a.updated_at.clone(),
        })
        .collect()
}

/// Distinct URLs in first-seen order, each with the articles that use it.
pub fn images_dimension(data: &JobData) -> Vec<ImageWithArticles> {
    let articles: HashMap<&str, &ArticleRec> =
        data.articles.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut order: Vec<&str> = Vec::new();
    let mut users: HashMap<&str, (Vec<&str>, &RefRec)> = HashMap::new();
    for r in &data.refs {
        let entry = users.entry(r.url.as_str()).or_insert_with(|| {
            order.push(r.url.as_str());
            (Vec::new(), r)
        });
        if !entry.0.contains(&r.article_id.as_str()) {
            entry.0.push(r.article_id.as_str());
        }
    }
    order
        .into_iter()
        .map(|url| {
            let (ids, first) = &users[url];
            let v = image_view(first, data.images.get(url));
            let refs: Vec<ArticleRefView> = ids
                .iter()
                .filter_map(|id| articles.get(id).map(|a| article_ref_view(a)))
                .collect();
            ImageWithArticles {
                url: v.url,
                cloud: v.cloud,
                name: v.name,
                alt: v.alt,
                kind: v.kind,
                width: v.width,
                height: v.height,
                status_code: v.status_code,
                size: v.size,
                hash: v.hash,
                tags: Vec::new(),
                metadata: v.metadata,
                articles_count: refs.len() as u64,
                articles: refs,
            }
        })
        .collect()
}

pub async fn job_view(pool: &Pool, job_id: &str, dimension: Option<Dimension>) -> Result<JobView> {
    let job = jobs::get(pool, job_id).await?;
    let (summary, total) = views::totals(pool, job_id).await?;
    let mut view = JobView {
        id: job.id,
        name: job.name,
        summary,
        total,
        articles: None,
        images: None,
    };
    match dimension {
        None => {}
        Some(Dimension::Articles) => {
            view.articles = Some(articles_dimension(&views::job_data(pool, job_id).await?))
        }
        Some(Dimension::Images) => {
            let data = views::job_data_with(pool, job_id, views::Content::Without).await?;
            view.images = Some(images_dimension(&data))
        }
    }
    Ok(view)
}

/// Broken images (download failed) with the articles that use them.
pub async fn broken_images(pool: &Pool, job_id: &str) -> Result<Vec<ImageWithArticles>> {
    jobs::get(pool, job_id).await?;
    let data = views::job_data_with(pool, job_id, views::Content::Without).await?;
    Ok(images_dimension(&data)
        .into_iter()
        .filter(|i| data.images.get(&i.url).is_some_and(ImageRec::is_broken))
        .collect())
}

// ---------------------------------------------------------------------------
// Rows for the desktop UI
// ---------------------------------------------------------------------------

/// One tile of the images grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImageRow {
    pub url: String,
    pub name: String,
    pub alt: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub width: u32,
    pub height: u32,
    pub size: u64,
    pub status_code: u16,
    pub hash: String,
    pub metadata: BTreeMap<String, String>,
    pub articles_count: u64,
    /// The same bytes are also stored at another URL.
    pub is_duplicate: bool,
    pub is_broken: bool,
    /// Why the bytes are not a usable image, when they are not.
    pub problem: Option<String>,
    /// Absolute path of the thumbnail file.
    pub thumbnail: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticleUseView {
    pub article_id: String,
    pub external_article_id: String,
    pub locale: Option<String>,
    pub title: String,
    pub url: String,
    pub is_published: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ImageDetail {
    #[serde(flatten)]
    pub image: ImageRow,
    pub articles: Vec<ArticleUseView>,
    /// Other URLs holding the same bytes.
    pub duplicate_urls: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StripImage {
    pub url: String,
    pub thumbnail: Option<String>,
    pub status_code: u16,
    /// Core's one definition ([`crate::model::is_broken_status`]); an image
    /// not downloaded yet is not broken.
    pub is_broken: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ArticleRow {
    pub id: String,
    pub external_article_id: String,
    pub locale: Option<String>,
    pub title: String,
    pub url: String,
    pub is_published: bool,
    pub status: String,
    pub error: Option<String>,
    pub image_count: u64,
    pub broken_count: u64,
    pub images: Vec<StripImage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ArticleDetail {
    pub id: String,
    pub external_article_id: String,
    pub locale: Option<String>,
    pub title: String,
    pub url: String,
    pub is_published: bool,
    pub status: String,
    pub error: Option<String>,
    pub content: String,
    pub created_at: String,
    pub updated_at: String,
    /// In document order; an image used twice appears twice.
    pub images: Vec<ImageRow>,
}

/// Precomputed facts about a job's images shared by every row builder.
pub struct RowContext<'a> {
    data: &'a JobData,
    data_dir: &'a std::path::Path,
    urls_by_hash: HashMap<&'a str, Vec<&'a str>>,
    uses: HashMap<&'a str, Vec<&'a str>>,
    first_ref: HashMap<&'a str, &'a RefRec>,
}

impl<'a> RowContext<'a> {
    pub fn new(data: &'a JobData, data_dir: &'a std::path::Path) -> Self {
        let mut urls_by_hash: HashMap<&str, Vec<&str>> = HashMap::new();
        for i in data
            .images
            .values()
            .filter(|i| !i.is_broken() && i.size > 0)
        {
            urls_by_hash
                .entry(i.hash.as_str())
                .or_default()
                .push(i.url.as_str());
        }
        let mut uses: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut first_ref = HashMap::new();
        for r in &data.refs {
            first_ref.entry(r.url.as_str()).or_insert(r);
            let v = uses.entry(r.url.as_str()).or_default();
            if !v.contains(&r.article_id.as_str()) {
                v.push(r.article_id.as_str());
            }
        }
        RowContext {
            data,
            data_dir,
            urls_by_hash,
            uses,
            first_ref,
        }
    }

    fn thumbnail(&self, img: Option<&ImageRec>) -> Option<String> {
        img.and_then(|i| i.thumbnail.as_ref())
            .map(|t| self.data_dir.join(t).to_string_lossy().into_owned())
    }

    fn duplicates_of(&self, img: &ImageRec) -> Vec<String> {
        if img.is_broken() || img.size == 0 {
            return Vec::new();
        }
        self.urls_by_hash
            .get(img.hash.as_str())
            .map(|urls| {
                urls.iter()
                    .filter(|u| **u != img.url)
                    .map(|u| u.to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn image_row(&self, url: &str, alt: Option<&str>) -> ImageRow {
        let img = self.data.images.get(url);
        let first = self.first_ref.get(url);
        let alt = alt
            .map(str::to_owned)
            .or_else(|| first.map(|r| r.alt.clone()))
            .unwrap_or_default();
        let count = self.uses.get(url).map_or(0, |v| v.len() as u64);
        match img {
            Some(i) => ImageRow {
                url: i.url.clone(),
                name: i.name.clone(),
                alt,
                kind: i.kind.clone(),
                width: i.width,
                height: i.height,
                size: i.size,
                status_code: i.status_code,
                hash: i.hash.clone(),
                metadata: i.metadata.clone(),
                articles_count: count,
                is_duplicate: !self.duplicates_of(i).is_empty(),
                is_broken: i.is_broken(),
                problem: i.problem.clone(),
                thumbnail: self.thumbnail(Some(i)),
                last_modified: i.last_modified.clone(),
            },
            None => ImageRow {
                url: url.to_owned(),
                name: imaging::file_name_from_url(url),
                alt,
                kind: String::new(),
                width: 0,
                height: 0,
                size: 0,
                status_code: 0,
                hash: String::new(),
                metadata: BTreeMap::new(),
                articles_count: count,
                is_duplicate: false,
                is_broken: false,
                problem: Some("not downloaded yet".into()),
                thumbnail: None,
                last_modified: None,
            },
        }
    }

    pub fn image_rows(&self) -> Vec<ImageRow> {
        let mut seen = std::collections::HashSet::new();
        self.data
            .refs
            .iter()
            .filter(|r| seen.insert(r.url.as_str()))
            .map(|r| self.image_row(&r.url, None))
            .collect()
    }

    pub fn image_detail(&self, url: &str) -> Result<ImageDetail> {
        if !self.first_ref.contains_key(url) {
            return Err(CoreError::NotFound {
                what: format!("image {url} in this import"),
            });
        }
        let articles: HashMap<&str, &ArticleRec> = self
            .data
            .articles
            .iter()
            .map(|a| (a.id.as_str(), a))
            .collect();
        let uses = self
            .uses
            .get(url)
            .into_iter()
            .flatten()
            .filter_map(|id| articles.get(id))
            .map(|a| ArticleUseView {
                article_id: a.id.clone(),
                external_article_id: a.external_id.clone(),
                locale: a.locale.clone(),
                title: a.title.clone(),
                url: a.url.clone(),
                is_published: a.is_published,
            })
            .collect();
        Ok(ImageDetail {
            image: self.image_row(url, None),
            articles: uses,
            duplicate_urls: self
                .data
                .images
                .get(url)
                .map(|i| self.duplicates_of(i))
                .unwrap_or_default(),
        })
    }

    pub fn article_rows(&self) -> Vec<ArticleRow> {
        let by_article = refs_by_article(self.data);
        self.data
            .articles
            .iter()
            .map(|a| {
                let refs = by_article.get(a.id.as_str()).cloned().unwrap_or_default();
                let images: Vec<StripImage> = refs
                    .iter()
                    .map(|r| {
                        let img = self.data.images.get(&r.url);
                        StripImage {
                            url: r.url.clone(),
                            thumbnail: self.thumbnail(img),
                            status_code: img.map_or(0, |i| i.status_code),
                            is_broken: img.is_some_and(ImageRec::is_broken),
                        }
                    })
                    .collect();
                ArticleRow {
                    id: a.id.clone(),
                    external_article_id: a.external_id.clone(),
                    locale: a.locale.clone(),
                    title: a.title.clone(),
                    url: a.url.clone(),
                    is_published: a.is_published,
                    status: a.status.clone(),
                    error: a.error.clone(),
                    image_count: images.len() as u64,
                    broken_count: images
                        .iter()
                        .filter(|i| i.status_code != 0 && !(200..300).contains(&i.status_code))
                        .count() as u64,
                    images,
                }
            })
            .collect()
    }

    pub fn article_detail(&self, article_id: &str) -> Result<ArticleDetail> {
        let a = self
            .data
            .articles
            .iter()
            .find(|a| a.id == article_id)
            .ok_or_else(|| CoreError::NotFound {
                what: format!("article {article_id} in this import"),
            })?;
        let images = self
            .data
            .refs
            .iter()
            .filter(|r| r.article_id == a.id)
            .map(|r| self.image_row(&r.url, Some(&r.alt)))
            .collect();
        Ok(ArticleDetail {
            id: a.id.clone(),
            external_article_id: a.external_id.clone(),
            locale: a.locale.clone(),
            title: a.title.clone(),
            url: a.url.clone(),
            is_published: a.is_published,
            status: a.status.clone(),
            error: a.error.clone(),
            content: a.content.clone().unwrap_or_default(),
            created_at: a.created_at.clone(),
            updated_at: a.updated_at.clone(),
            images,
        })
    }
}
