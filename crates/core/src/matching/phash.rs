//! Near search over perceptual hashes: "which images look like this one".
//!
//! The hash format belongs to `crate::imaging`; this module only needs a
//! Hamming distance between two hash strings ([`PhashMetric`]). When the
//! metric can also give a hash as bits (64-bit words), the index uses
//! multi-index hashing (Norouzi, Punjani, Fleet 2012): the bits are cut into
//! `m` chunks of 16 bits and each chunk position has its own table. Write
//! the radius as `r = q*m + a` (`a < m`): two hashes within `r` differ by at
//! most `q` bits on one of the first `a + 1` chunks or by at most `q - 1` on
//! one of the others (otherwise they would differ by at least
//! `(a+1)(q+1) + (m-a-1)q = r + 1`). So a query only probes the buckets
//! within that small radius of its own chunks and checks the few hashes it
//! finds there. With imaging's 256-bit hashes (16 chunks) and threshold 40:
//! 9 chunks at radius 2 and 7 at radius 1, 1,352 probes. A BK-tree was not
//! chosen: at such thresholds it visits a large part of the tree per query.

use std::collections::HashMap;

/// A Hamming distance between perceptual hashes in one string format.
pub trait PhashMetric: Send + Sync {
    /// The number of differing bits, or `None` when the two hashes cannot be
    /// compared (different sizes, not a hash of this format).
    fn distance(&self, a: &str, b: &str) -> Option<u32>;

    /// The hash as bits in 64-bit words, which enables the fast index. When
    /// two hashes decode to the same number of words, `distance` must equal
    /// the number of set bits of their XOR.
    fn words(&self, _hash: &str) -> Option<Vec<u64>> {
        None
    }
}

/// Any plain distance function is a metric (only the slow path is used).
impl<F> PhashMetric for F
where
    F: Fn(&str, &str) -> Option<u32> + Send + Sync,
{
    fn distance(&self, a: &str, b: &str) -> Option<u32> {
        self(a, b)
    }
}

/// Hashes written as hexadecimal digits (the format of
/// `imaging::perceptual_hash`: 256 bits as 64 digits). Equal lengths are
/// comparable; lengths that are a multiple of 16 digits use the fast index.
#[derive(Debug, Clone, Copy, Default)]
pub struct HexHamming;

impl PhashMetric for HexHamming {
    fn distance(&self, a: &str, b: &str) -> Option<u32> {
        let (a, b) = (a.trim(), b.trim());
        if a.len() != b.len() || a.is_empty() {
            return None;
        }
        a.chars().zip(b.chars()).try_fold(0u32, |acc, (x, y)| {
            Some(acc + (x.to_digit(16)? ^ y.to_digit(16)?).count_ones())
        })
    }

    fn words(&self, hash: &str) -> Option<Vec<u64>> {
        let hash = hash.trim();
        if hash.is_empty() || !hash.len().is_multiple_of(16) || !hash.is_ascii() {
            return None;
        }
        (0..hash.len() / 16)
            .map(|i| u64::from_str_radix(&hash[i * 16..(i + 1) * 16], 16).ok())
            .collect()
    }
}

/// Past this per-chunk probe radius probing costs more than reading every
/// hash, so the index scans instead.
const MAX_PROBE_RADIUS: u32 = 3;

/// One chunk position's table in compressed rows: the points whose chunk
/// value is `v` are `ids[starts[v]..starts[v + 1]]`.
struct ChunkTable {
    starts: Vec<u32>,
    ids: Vec<u32>,
}

impl ChunkTable {
    fn build(n: usize, key: impl Fn(usize) -> usize) -> Self {
        let mut starts = vec![0u32; 65537];
        for p in 0..n {
            starts[key(p) + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut fill = starts.clone();
        let mut ids = vec![0u32; n];
        for p in 0..n {
            let slot = &mut fill[key(p)];
            ids[*slot as usize] = p as u32;
            *slot += 1;
        }
        ChunkTable { starts, ids }
    }

    fn range(&self, value: usize) -> std::ops::Range<usize> {
        self.starts[value] as usize..self.starts[value + 1] as usize
    }
}

/// Distinct hashes and the candidates that carry each.
#[derive(Default)]
struct Points<K> {
    keys: Vec<K>,
    members: Vec<Vec<u32>>,
    strings: Vec<String>,
}

impl<K: std::hash::Hash + Eq + Clone> Points<K> {
    fn add(&mut self, seen: &mut HashMap<K, usize>, key: K, text: &str, member: u32) {
        let at = *seen.entry(key.clone()).or_insert_with(|| {
            self.keys.push(key);
            self.members.push(Vec::new());
            self.strings.push(text.to_string());
            self.keys.len() - 1
        });
        self.members[at].push(member);
    }
}

/// Decoded hashes of one width, stored flat for cache-friendly scans.
struct Fast {
    width: usize,
    bits: Vec<u64>,
    points: Points<Vec<u64>>,
    tables: Vec<ChunkTable>,
    /// Per chunk, how many of `probe_masks` to XOR onto the query's chunk.
    probes: Vec<usize>,
    /// 16-bit masks of at most `q` set bits, fewest bits first.
    probe_masks: Vec<usize>,
}

impl Fast {
    fn chunk(words: &[u64], c: usize) -> usize {
        ((words[c / 4] >> (16 * (c % 4))) & 0xffff) as usize
    }

    fn point(&self, p: usize) -> &[u64] {
        &self.bits[p * self.width..(p + 1) * self.width]
    }

    fn build(points: Points<Vec<u64>>, width: usize, radius: u32) -> Self {
        let bits: Vec<u64> = points.keys.iter().flatten().copied().collect();
        let mut fast = Fast {
            width,
            bits,
            points,
            tables: Vec::new(),
            probes: Vec::new(),
            probe_masks: Vec::new(),
        };
        let chunks = width * 4;
        let (q, a) = (radius / chunks as u32, radius as usize % chunks);
        if q <= MAX_PROBE_RADIUS {
            let n = fast.points.keys.len();
            fast.tables = (0..chunks)
                .map(|c| ChunkTable::build(n, |p| Self::chunk(fast.point(p), c)))
                .collect();
            let mut masks: Vec<usize> = (0..=0xffff)
                .filter(|m: &usize| m.count_ones() <= q)
                .collect();
            masks.sort_by_key(|m| m.count_ones());
            let below_q = masks.iter().filter(|m| m.count_ones() < q).count();
            // Chunks past the first a + 1 need radius q - 1 (none when q = 0).
            fast.probes = (0..chunks)
                .map(|c| if c <= a { masks.len() } else { below_q })
                .collect();
            fast.probe_masks = masks;
        }
        fast
    }

    fn distance(&self, p: usize, q: &[u64]) -> u32 {
        self.point(p)
            .iter()
            .zip(q)
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }

    fn within(&self, q: &[u64], radius: u32, hits: &mut Vec<(u32, u32)>) {
        let push = |p: usize| {
            let d = self.distance(p, q);
            if d <= radius {
                hits.extend(self.points.members[p].iter().map(|&m| (m, d)));
            }
        };
        if self.tables.is_empty() {
            (0..self.points.keys.len()).for_each(push);
            return;
        }
        // Three passes rather than one nested loop: each pass's memory reads
        // are independent of one another, so the CPU overlaps their cache
        // misses instead of waiting on bucket -> id -> bits chains.
        let mut ranges = Vec::with_capacity(self.probes.iter().sum());
        for (c, table) in self.tables.iter().enumerate() {
            let chunk = Self::chunk(q, c);
            let masks = &self.probe_masks[..self.probes[c]];
            ranges.extend(masks.iter().map(|m| (c, table.range(chunk ^ m))));
        }
        // A bitmap of points already found: cheaper than sorting the ids.
        let mut seen = vec![0u64; self.points.keys.len().div_ceil(64)];
        let mut found = Vec::new();
        for (c, range) in ranges {
            for &p in &self.tables[c].ids[range] {
                let (word, bit) = (p as usize / 64, 1u64 << (p % 64));
                if seen[word] & bit == 0 {
                    seen[word] |= bit;
                    found.push(p as usize);
                }
            }
        }
        found.into_iter().for_each(push);
    }
}

/// The perceptual-hash index of one import.
pub(crate) struct NearIndex {
    radius: u32,
    fast: Option<Fast>,
    /// Hashes the metric cannot decode, or of another width than the
    /// first decoded one: compared one by one.
    slow: Points<String>,
}

impl NearIndex {
    /// `hashes` yields (candidate id, perceptual hash); `radius` is the
    /// threshold every query will use.
    pub(crate) fn build<'a>(
        hashes: impl Iterator<Item = (u32, &'a str)>,
        radius: u32,
        metric: &dyn PhashMetric,
    ) -> Self {
        let (mut fast, mut slow) = (Points::default(), Points::default());
        let (mut seen_fast, mut seen_slow) = (HashMap::new(), HashMap::new());
        let mut width = None;
        for (id, hash) in hashes {
            match metric.words(hash) {
                Some(w) if !w.is_empty() && *width.get_or_insert(w.len()) == w.len() => {
                    fast.add(&mut seen_fast, w, hash, id)
                }
                _ => slow.add(&mut seen_slow, hash.to_string(), hash, id),
            }
        }
        NearIndex {
            radius,
            fast: width.map(|w| Fast::build(fast, w, radius)),
            slow,
        }
    }

    /// Every candidate whose hash is within the radius of `hash`, with its
    /// distance, in no particular order.
    pub(crate) fn within(&self, hash: &str, metric: &dyn PhashMetric) -> Vec<(u32, u32)> {
        let mut hits = Vec::new();
        if let Some(fast) = &self.fast {
            match metric.words(hash) {
                Some(q) if q.len() == fast.width => fast.within(&q, self.radius, &mut hits),
                _ => Self::scan(&fast.points, hash, self.radius, metric, &mut hits),
            }
        }
        Self::scan(&self.slow, hash, self.radius, metric, &mut hits);
        hits
    }

    fn scan<K>(
        points: &Points<K>,
        hash: &str,
        radius: u32,
        metric: &dyn PhashMetric,
        hits: &mut Vec<(u32, u32)>,
    ) {
        for (text, members) in points.strings.iter().zip(&points.members) {
            if let Some(d) = metric.distance(hash, text).filter(|d| *d <= radius) {
                hits.extend(members.iter().map(|&m| (m, d)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift64*), enough for test data.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn hex(words: &[u64]) -> String {
        words.iter().map(|w| format!("{w:016x}")).collect()
    }

    fn brute(points: &[Vec<u64>], q: &[u64], r: u32) -> Vec<(u32, u32)> {
        let dist = |p: &Vec<u64>| {
            p.iter()
                .zip(q)
                .map(|(a, b)| (a ^ b).count_ones())
                .sum::<u32>()
        };
        let mut v: Vec<_> = points
            .iter()
            .enumerate()
            .map(|(i, p)| (i as u32, dist(p)))
            .filter(|(_, d)| *d <= r)
            .collect();
        v.sort_unstable();
        v
    }

    /// The index against a full scan, for 64- and 256-bit hashes, at radii
    /// that probe (per-chunk radius 0 to 3) and that fall back to scanning.
    #[test]
    fn index_finds_exactly_what_a_full_scan_finds() {
        let mut s = 0x9e37_79b9_7f4a_7c15;
        for (width, radii) in [
            (1, vec![0, 1, 2, 3, 4, 5, 10, 15, 16, 20]),
            (4, vec![0, 17, 20, 40, 63, 64, 80]),
        ] {
            let points: Vec<Vec<u64>> = (0..2000)
                .map(|_| (0..width).map(|_| next(&mut s)).collect())
                .collect();
            let texts: Vec<String> = points.iter().map(|p| hex(p)).collect();
            for radius in radii {
                let hashes = texts
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (i as u32, t.as_str()));
                let idx = NearIndex::build(hashes, radius, &HexHamming);
                for k in 0..100 {
                    // Queries near existing points (a few bits flipped) and random ones.
                    let q: Vec<u64> = (0..width)
                        .map(|w| {
                            let base = if k % 2 == 0 {
                                points[k * 7][w]
                            } else {
                                next(&mut s)
                            };
                            base ^ (next(&mut s) & next(&mut s) & next(&mut s) & next(&mut s))
                        })
                        .collect();
                    let mut got = idx.within(&hex(&q), &HexHamming);
                    got.sort_unstable();
                    assert_eq!(
                        got,
                        brute(&points, &q, radius),
                        "width {width} radius {radius}"
                    );
                }
            }
        }
    }

    #[test]
    fn hex_distance_handles_any_equal_length_and_rejects_mismatch() {
        assert_eq!(HexHamming.distance("ff00", "0f01"), Some(5));
        assert_eq!(HexHamming.distance("ff", "ff00"), None);
        assert_eq!(HexHamming.distance("zz", "00"), None);
        assert_eq!(HexHamming.words("00000000000000ff"), Some(vec![255]));
        assert_eq!(HexHamming.words(&"0".repeat(64)).map(|w| w.len()), Some(4));
        assert_eq!(HexHamming.words("ff"), None);
    }

    #[test]
    fn hashes_of_another_width_are_still_compared() {
        let short = "0f0f";
        let long = "00000000000000ff";
        let idx = NearIndex::build([(0, long), (1, short)].into_iter(), 4, &HexHamming);
        assert_eq!(idx.within("0f0e", &HexHamming), vec![(1, 1)]);
        assert_eq!(idx.within("00000000000000f0", &HexHamming), vec![(0, 4)]);
    }

    #[test]
    fn undecodable_hashes_use_the_metric_one_by_one() {
        let metric = |a: &str, b: &str| Some(a.len().abs_diff(b.len()) as u32);
        let idx = NearIndex::build(
            [(0, "aaa"), (1, "aaaaaaa"), (2, "aaa")].into_iter(),
            2,
            &metric,
        );
        let mut got = idx.within("aaaa", &metric);
        got.sort_unstable();
        assert_eq!(got, vec![(0, 1), (2, 1)]);
    }
}
