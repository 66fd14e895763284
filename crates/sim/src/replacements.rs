//! New screenshots for a generated help center, one per matching tier, as a
//! docs writer would drop them: the next version of a screen (same `screen`
//! text chunk, new pixels), an existing screen with one panel changed (no
//! metadata: found by its perceptual hash), and a new picture saved under an
//! existing file name. Used by the desktop end-to-end test, which drops them
//! on the app's built-in demo (the same generator, options and seed give the
//! same images).
//!
//! Each one replaces an image used only by articles without a colleague's
//! pending draft, so an update of them is expected to succeed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::{ImageFormat, Rgb, RgbImage};

use crate::assets::AssetSpec;
use crate::data::{self, Model};
use crate::html::Target;
use crate::options::SimOptions;

/// One written screenshot and the image (hosted path) it should replace.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Replacement {
    pub file: PathBuf,
    /// `metadata`, `perceptual` or `name`: the tier that should find it.
    pub tier: &'static str,
    /// The path of the image it replaces, e.g. `/images/billing-settings.png`.
    pub replaces: String,
}

/// Writes the three screenshots into `dir` (created if missing).
pub fn write_replacements(opts: &SimOptions, dir: &Path) -> std::io::Result<Vec<Replacement>> {
    std::fs::create_dir_all(dir)?;
    let model = data::generate(opts, "http://127.0.0.1");
    let candidates = safe_single_path_assets(&model);
    let mut screens = candidates
        .iter()
        .filter(|(_, a)| matches!(model.assets[*a], AssetSpec::Screenshot { .. }));
    let not_enough = || std::io::Error::other("the help center is too small: use more articles");
    let (meta_path, meta_asset) = screens.next().ok_or_else(not_enough)?;
    let (near_path, near_asset) = screens.next().ok_or_else(not_enough)?;
    let names = file_name_counts(&model);
    let (name_path, name_asset) = candidates
        .iter()
        .find(|(p, a)| {
            matches!(model.assets[*a], AssetSpec::Photo { .. }) && names[file_name(p)] == 1
        })
        .ok_or_else(not_enough)?;

    let mut out = Vec::new();
    let spec = &model.assets[*meta_asset];
    let file = dir.join(format!("{}-v2.png", spec.stem()));
    std::fs::write(&file, next_version(spec).render())?;
    out.push(Replacement {
        file,
        tier: "metadata",
        replaces: meta_path.clone(),
    });

    let file = dir.join("edited-capture.png");
    std::fs::write(
        &file,
        with_changed_panel(&model.assets[*near_asset].render())?,
    )?;
    out.push(Replacement {
        file,
        tier: "perceptual",
        replaces: near_path.clone(),
    });

    let (w, h) = photo_size(&model.assets[*name_asset]);
    let file = dir.join(file_name(name_path));
    std::fs::write(&file, fresh_photo(w, h)?)?;
    out.push(Replacement {
        file,
        tier: "name",
        replaces: name_path.clone(),
    });
    Ok(out)
}

/// Hosted paths (in first-use order) whose asset is served at that path
/// only, and used only by documents without a pending draft.
fn safe_single_path_assets(model: &Model) -> Vec<(String, usize)> {
    let mut paths_per_asset: HashMap<usize, usize> = HashMap::new();
    for h in model.hosted.values() {
        *paths_per_asset.entry(h.asset).or_default() += 1;
    }
    let mut order = Vec::new();
    let mut unsafe_paths = HashSet::new();
    for doc in model.articles.iter().flat_map(|a| &a.docs) {
        for r in &doc.refs {
            if let Target::Hosted(p) = &r.target {
                if doc.pending.is_some() {
                    unsafe_paths.insert(p.clone());
                }
                if !order.contains(p) {
                    order.push(p.clone());
                }
            }
        }
    }
    order
        .into_iter()
        .filter(|p| !unsafe_paths.contains(p))
        .map(|p| {
            let asset = model.hosted[&p].asset;
            (p, asset)
        })
        .filter(|(_, a)| paths_per_asset[a] == 1)
        .collect()
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// How many referenced paths (hosted or broken) have each file name.
fn file_name_counts(model: &Model) -> BTreeMap<String, usize> {
    let mut paths = HashSet::new();
    for r in model
        .articles
        .iter()
        .flat_map(|a| &a.docs)
        .flat_map(|d| &d.refs)
    {
        match &r.target {
            Target::Hosted(p) | Target::Broken(p) => {
                paths.insert(p.clone());
            }
            Target::Inline(_) => {}
        }
    }
    let mut counts = BTreeMap::new();
    for p in &paths {
        *counts.entry(file_name(p).to_owned()).or_insert(0) += 1;
    }
    counts
}

/// The same screen, drawn again from another seed: new pixels, same `screen`.
fn next_version(spec: &AssetSpec) -> AssetSpec {
    match spec.clone() {
        AssetSpec::Screenshot {
            stem,
            width,
            height,
            identity,
            seed,
        } => AssetSpec::Screenshot {
            stem,
            width,
            height,
            identity,
            seed: seed.wrapping_add(7_919),
        },
        other => other,
    }
}

/// The picture with one panel repainted (a new banner), saved as a PNG
/// without text chunks: only its perceptual hash can find the original.
fn with_changed_panel(png: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut img = image::load_from_memory(png)
        .map_err(std::io::Error::other)?
        .to_rgb8();
    let (w, h) = img.dimensions();
    let (x0, y0, pw, ph) = (w * 55 / 100, h * 30 / 100, w / 5, h / 8);
    for y in y0..(y0 + ph).min(h) {
        for x in x0..(x0 + pw).min(w) {
            let edge = y == y0 || x == x0 || y + 1 == y0 + ph || x + 1 == x0 + pw;
            let c = if edge { [180, 40, 40] } else { [250, 226, 120] };
            img.put_pixel(x, y, Rgb(c));
        }
    }
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)
        .map_err(std::io::Error::other)?;
    Ok(out.into_inner())
}

fn photo_size(spec: &AssetSpec) -> (u32, u32) {
    match spec {
        AssetSpec::Photo { width, height, .. } | AssetSpec::Screenshot { width, height, .. } => {
            (*width, *height)
        }
        _ => (320, 200),
    }
}

/// A new photo unlike anything generated (diagonal stripes), as JPEG.
fn fresh_photo(w: u32, h: u32) -> std::io::Result<Vec<u8>> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        let band = ((x + 2 * y) / 24) % 3;
        match band {
            0 => Rgb([30, 60, 90]),
            1 => Rgb([220, 200, 160]),
            _ => Rgb([90, 150, 110]),
        }
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(Cursor::new(&mut out), 85)
        .encode_image(&img)
        .map_err(std::io::Error::other)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::SimProvider;

    #[test]
    fn three_distinct_files_for_three_distinct_images() {
        let dir = std::env::temp_dir().join(format!("sk-repl-{}", std::process::id()));
        let mut o = SimOptions::new(SimProvider::Helpcenter);
        o.articles = 40;
        let r = write_replacements(&o, &dir).unwrap();
        assert_eq!(r.len(), 3);
        let targets: HashSet<&str> = r.iter().map(|x| x.replaces.as_str()).collect();
        assert_eq!(targets.len(), 3, "{r:?}");
        for x in &r {
            let bytes = std::fs::read(&x.file).unwrap();
            assert!(image::load_from_memory(&bytes).is_ok(), "{x:?}");
        }
        assert_eq!(
            r[2].file.file_name().unwrap().to_str().unwrap(),
            file_name(&r[2].replaces)
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
