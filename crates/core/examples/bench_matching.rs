//! Matching at scale: 1,000 screenshots against 100,000 images.
//!
//! `cargo run --release -p shotkeeper-core --example bench_matching [images] [screenshots]`
//!
//! Prints the index build time, the total match time, matches per second,
//! what each tier found against what was planted, and peak RSS (VmHWM).

use std::collections::BTreeMap;
use std::time::Instant;

use shotkeeper_core::matching::{
    ArticleUse, Candidate, MatchConfig, MatchIndex, MatchType, Screenshot,
};

/// xorshift64*: deterministic and dependency-free; quality is irrelevant here.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// 256 random bits as 64 hex digits: a SHA-256, or a perceptual hash
    /// in imaging's format.
    fn hex256(&mut self) -> String {
        (0..4).map(|_| format!("{:016x}", self.next())).collect()
    }
}

const SIZES: [(u32, u32); 4] = [(1280, 800), (890, 1444), (3152, 576), (1024, 768)];
const ARTICLES: u64 = 20_000;

fn candidate(rng: &mut Rng, i: usize) -> Candidate {
    let (width, height) = SIZES[rng.below(4) as usize];
    let mut metadata = BTreeMap::new();
    if i.is_multiple_of(3) {
        metadata.insert("screen".to_string(), format!("scr-{i}"));
        metadata.insert("Software".to_string(), "LaunchBrightly".to_string());
    }
    let articles = (0..1 + rng.below(3))
        .map(|_| {
            let a = rng.below(ARTICLES);
            ArticleUse {
                article_id: format!("art-{a}"),
                external_id: format!("{}", 3_000_000 + a),
                locale: Some("en".into()),
                title: format!("Article {a}"),
            }
        })
        .collect();
    Candidate {
        url: format!(
            "https://static.example.com/uploads/{i}/shot-{}.png",
            i % 60_000
        ),
        name: format!("shot-{}.png", i % 60_000),
        sha256: rng.hex256(),
        phash: Some(rng.hex256()),
        width,
        height,
        metadata,
        articles,
    }
}

/// A screenshot planted to be found by `tier` (Notfound: by nothing).
fn screenshot(rng: &mut Rng, cands: &[Candidate], tier: MatchType, n: usize) -> Screenshot {
    let c = &cands[rng.below(cands.len() as u64) as usize];
    let mut s = Screenshot {
        name: format!("new-{n}.png"),
        sha256: rng.hex256(),
        phash: Some(rng.hex256()),
        width: 1280,
        height: 800,
        metadata: BTreeMap::new(),
        source: format!("/shots/new-{n}.png"),
    };
    match tier {
        MatchType::Metadata => {
            let with_md = &cands[(rng.below(cands.len() as u64 / 3) * 3) as usize];
            s.metadata = with_md.metadata.clone();
            s.metadata.insert("Software".into(), "Other".into());
        }
        MatchType::Hash => s.sha256 = c.sha256.clone(),
        MatchType::Perceptual => {
            // Up to 32 of 256 bits changed: an edited screen (threshold 40).
            let hash = c.phash.as_deref().unwrap_or_default();
            let mut words: Vec<u64> = (0..4)
                .map(|i| u64::from_str_radix(&hash[i * 16..(i + 1) * 16], 16).unwrap_or(0))
                .collect();
            for _ in 0..rng.below(33) {
                let bit = rng.below(256);
                words[(bit / 64) as usize] ^= 1 << (bit % 64);
            }
            s.phash = Some(words.iter().map(|w| format!("{w:016x}")).collect());
            (s.width, s.height) = (c.width, c.height);
        }
        MatchType::Name => s.name = c.name.to_uppercase(),
        _ => {}
    }
    s
}

/// The same run with a threshold so high that the perceptual index cannot
/// prune (per-chunk radius 4) and scans every hash: the bound when real
/// hashes cluster so much that the buckets are as large as the import.
fn worst_case(screenshots: &[Screenshot], images: usize) {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let cands: Vec<Candidate> = (0..images).map(|i| candidate(&mut rng, i)).collect();
    let cfg = MatchConfig {
        perceptual_threshold: 64,
        ..MatchConfig::default()
    };
    let index = MatchIndex::build(cands, cfg);
    let t = Instant::now();
    let results = index.match_all(screenshots);
    let elapsed = t.elapsed();
    println!(
        "worst case, perceptual full scan (threshold 64): {elapsed:.2?} for {} screenshots",
        results.len()
    );
}

fn peak_rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        .unwrap_or_else(|| "unknown (no /proc/self/status)".into())
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let images = args.next().and_then(Result::ok).unwrap_or(100_000);
    let shots = args.next().and_then(Result::ok).unwrap_or(1_000);
    let mut rng = Rng(0x5eed_1234_abcd_ef01);

    let t = Instant::now();
    let cands: Vec<Candidate> = (0..images).map(|i| candidate(&mut rng, i)).collect();
    let tiers = [
        MatchType::Metadata,
        MatchType::Hash,
        MatchType::Perceptual,
        MatchType::Name,
        MatchType::Notfound,
    ];
    let planted: Vec<(MatchType, Screenshot)> = (0..shots)
        .map(|n| {
            let tier = tiers[n % tiers.len()];
            (tier, screenshot(&mut rng, &cands, tier, n))
        })
        .collect();
    println!(
        "generated {images} images and {shots} screenshots in {:.2?}",
        t.elapsed()
    );

    let t = Instant::now();
    let index = MatchIndex::build(cands, MatchConfig::default());
    let build = t.elapsed();
    println!("index build: {build:.2?}");

    let screenshots: Vec<Screenshot> = planted.iter().map(|(_, s)| s.clone()).collect();
    let t = Instant::now();
    let sequential: usize = screenshots
        .iter()
        .map(|s| index.match_one(s).targets.len())
        .sum();
    let one_core = t.elapsed();
    println!(
        "match {shots} screenshots one by one (1 core): {one_core:.2?} total, {:.1} µs each ({sequential} targets)",
        one_core.as_secs_f64() * 1e6 / shots as f64
    );
    let t = Instant::now();
    let results = index.match_all(&screenshots);
    let matching = t.elapsed();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "match_all {shots} screenshots ({cores} cores): {matching:.2?} total, {:.1} µs each, {:.0} matches/s",
        matching.as_secs_f64() * 1e6 / shots as f64,
        shots as f64 / matching.as_secs_f64()
    );

    for tier in tiers {
        let wanted = planted.iter().filter(|(t, _)| *t == tier).count();
        let found = planted
            .iter()
            .zip(&results)
            .filter(|((t, _), r)| *t == tier && r.match_type == tier)
            .count();
        println!("  {tier:?}: {found}/{wanted} found by the planted tier");
    }
    let targets: usize = results.iter().map(|r| r.targets.len()).sum();
    println!("targets reported: {targets}");
    drop(index);
    worst_case(&screenshots, images);
    println!("peak RSS (VmHWM): {}", peak_rss());
}
