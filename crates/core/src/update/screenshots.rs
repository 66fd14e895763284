//! Loading new screenshots: dropped files, paths given to the CLI, or the
//! API form of LaunchBrightly's import API (`{metadata, hash, name, url}`). A file is analysed
//! once and copied into the data directory, so a plan keeps working even if
//! the original file is moved.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::imaging::{self, ImageLimits};
use crate::matching::Screenshot;

/// Extensions accepted when a folder is dropped.
const IMAGE_EXTENSIONS: [&str; 6] = ["png", "jpg", "jpeg", "gif", "webp", "svg"];

/// The LaunchBrightly import API's screenshot object in an update request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ApiScreenshot {
    pub metadata: BTreeMap<String, String>,
    pub hash: String,
    pub name: String,
    pub url: String,
}

impl From<ApiScreenshot> for Screenshot {
    fn from(a: ApiScreenshot) -> Self {
        Screenshot {
            name: if a.name.is_empty() {
                imaging::file_name_from_url(&a.url)
            } else {
                a.name
            },
            sha256: a.hash.to_ascii_lowercase(),
            phash: None,
            width: 0,
            height: 0,
            metadata: a.metadata,
            source: a.url,
        }
    }
}

/// Expands dropped paths: files as they are, folders to the images directly in them.
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)?
                .flatten()
                .map(|e| e.path())
                .filter(|f| f.is_file() && has_image_extension(f))
                .collect();
            found.sort();
            out.extend(found);
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(CoreError::Invalid(format!(
                "{} does not exist or is not a file",
                p.display()
            )));
        }
    }
    Ok(out)
}

fn has_image_extension(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads, analyses and stores one screenshot file.
pub fn load_file(data_dir: &Path, path: &Path) -> Result<Screenshot> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        // A path that names nothing is the user's input to fix.
        std::io::ErrorKind::NotFound => {
            CoreError::Invalid(format!("{} does not exist: check the path", path.display()))
        }
        _ => CoreError::file("read", path.display(), e),
    })?;
    let analysis = imaging::analyse(&bytes, &ImageLimits::default());
    if let Some(problem) = &analysis.problem {
        return Err(CoreError::Invalid(
            match imaging::describe_unknown_file(&bytes) {
                Some(what) => format!("{} {what}", path.display()),
                None => format!("{} is not a usable image: {problem}", path.display()),
            },
        ));
    }
    let ext = extension_for(&analysis.kind);
    let dir = data_dir.join("screenshots");
    std::fs::create_dir_all(&dir)?;
    let stored = dir.join(format!("{}.{ext}", analysis.sha256));
    if !stored.exists() {
        std::fs::write(&stored, &bytes)?;
    }
    Ok(Screenshot {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        sha256: analysis.sha256,
        phash: analysis.phash,
        width: analysis.width,
        height: analysis.height,
        metadata: analysis.metadata,
        source: stored.to_string_lossy().into_owned(),
    })
}

pub fn extension_for(kind: &str) -> &'static str {
    match kind {
        "png" => "png",
        "jpeg" => "jpg",
        "gif" => "gif",
        "webp" => "webp",
        "svg" => "svg",
        "bmp" => "bmp",
        _ => "bin",
    }
}

pub fn content_type_for(kind: &str) -> &'static str {
    match kind {
        "png" => "image/png",
        "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "bmp" => "image/bmp",
        _ => "application/octet-stream",
    }
}

/// Reads a JSON file holding a list of LaunchBrightly's import API screenshot objects.
pub fn load_api_list(path: &Path) -> Result<Vec<Screenshot>> {
    let text = std::fs::read_to_string(path)?;
    let list: Vec<ApiScreenshot> = serde_json::from_str(&text).map_err(|e| {
        CoreError::Invalid(format!(
            "{} is not a JSON list of {{metadata, hash, name, url}}: {e}",
            path.display()
        ))
    })?;
    Ok(list.into_iter().map(Screenshot::from).collect())
}
