//! Near search over perceptual hashes: "which images look like this one".
//!
//! The hash format belongs to `crate::imaging`; this module only needs a
//! Hamming distance between two hash strings ([`PhashMetric`]). When the
//! metric can also expose a hash as 64 bits, the index uses multi-index
//! hashing (Norouzi et al.): the 64 bits are cut into 4 chunks of 16 bits and
//! each chunk has its own table. By pigeonhole, two hashes within distance `r`
//! agree to within `r / 4` bits on at least one chunk, so a query only probes
//! the table buckets within that small radius and checks the few hashes it
//! finds. A BK-tree was not chosen: at the radius screenshots need (about 10
//! of 64 bits) it visits a large part of the tree for every query.

use std::collections::HashMap;

/// A Hamming distance between perceptual hashes in one string format.
pub trait PhashMetric: Send + Sync {
    /// The number of differing bits, or `None` when the two hashes cannot be
    /// compared (different sizes, not a hash of this format).
    fn distance(&self, a: &str, b: &str) -> Option<u32>;

    /// The hash as exactly 64 bits, when the format has 64 bits. Enables the
    /// fast index; when both sides decode, `distance(a, b)` must equal
    /// `(bits64(a) ^ bits64(b)).count_ones()`.
    fn bits64(&self, _hash: &str) -> Option<u64> {
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

/// Hashes written as hexadecimal digits of any equal length; 16 digits
/// (64 bits) use the fast index. The format used by tests and the bench until
/// `crate::imaging` supplies its own metric.
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

    fn bits64(&self, hash: &str) -> Option<u64> {
        let hash = hash.trim();
        if hash.len() != 16 {
            return None;
        }
        u64::from_str_radix(hash, 16).ok()
    }
}

const CHUNKS: u32 = 4;
/// Past this per-chunk probe radius (thresholds of 16 bits and more) probing
/// costs more than reading every hash, so the index scans instead.
const MAX_PROBE_RADIUS: u32 = 3;

/// One 16-bit chunk's table in compressed rows: the points whose chunk value
/// is `v` are `ids[starts[v]..starts[v + 1]]`.
struct ChunkTable {
    starts: Vec<u32>,
    ids: Vec<u32>,
}

impl ChunkTable {
    fn build(points: &[u64], chunk: u32) -> Self {
        let key = |p: u64| ((p >> (16 * chunk)) & 0xffff) as usize;
        let mut starts = vec![0u32; 65537];
        for &p in points {
            starts[key(p) + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut fill = starts.clone();
        let mut ids = vec![0u32; points.len()];
        for (i, &p) in points.iter().enumerate() {
            let slot = &mut fill[key(p)];
            ids[*slot as usize] = i as u32;
            *slot += 1;
        }
        ChunkTable { starts, ids }
    }

    fn bucket(&self, value: u16) -> &[u32] {
        let v = value as usize;
        &self.ids[self.starts[v] as usize..self.starts[v + 1] as usize]
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

/// The perceptual-hash index of one import.
pub(crate) struct NearIndex {
    radius: u32,
    fast: Points<u64>,
    tables: Vec<ChunkTable>,
    /// Chunk values within the probe radius of 0, XORed onto a query chunk.
    probe_masks: Vec<u16>,
    /// Hashes the metric cannot give as 64 bits: compared one by one.
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
        for (id, hash) in hashes {
            match metric.bits64(hash) {
                Some(bits) => fast.add(&mut seen_fast, bits, hash, id),
                None => slow.add(&mut seen_slow, hash.to_string(), hash, id),
            }
        }
        let probe_radius = radius / CHUNKS;
        let tables = if probe_radius <= MAX_PROBE_RADIUS {
            (0..CHUNKS)
                .map(|c| ChunkTable::build(&fast.keys, c))
                .collect()
        } else {
            Vec::new()
        };
        let probe_masks = (0..=u16::MAX)
            .filter(|m| m.count_ones() <= probe_radius)
            .collect();
        NearIndex {
            radius,
            fast,
            tables,
            probe_masks,
            slow,
        }
    }

    /// Every candidate whose hash is within the radius of `hash`, with its
    /// distance, in no particular order.
    pub(crate) fn within(&self, hash: &str, metric: &dyn PhashMetric) -> Vec<(u32, u32)> {
        let mut hits = Vec::new();
        match metric.bits64(hash) {
            Some(q) => self.fast_within(q, &mut hits),
            None => Self::scan(&self.fast, hash, self.radius, metric, &mut hits),
        }
        Self::scan(&self.slow, hash, self.radius, metric, &mut hits);
        hits
    }

    fn fast_within(&self, q: u64, hits: &mut Vec<(u32, u32)>) {
        let mut push = |point: usize| {
            let d = (self.fast.keys[point] ^ q).count_ones();
            if d <= self.radius {
                hits.extend(self.fast.members[point].iter().map(|&m| (m, d)));
            }
        };
        if self.tables.is_empty() {
            (0..self.fast.keys.len()).for_each(push);
            return;
        }
        let mut found: Vec<u32> = Vec::new();
        for (c, table) in self.tables.iter().enumerate() {
            let chunk = ((q >> (16 * c)) & 0xffff) as u16;
            for mask in &self.probe_masks {
                found.extend_from_slice(table.bucket(chunk ^ mask));
            }
        }
        found.sort_unstable();
        found.dedup();
        found.into_iter().for_each(|p| push(p as usize));
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

    fn brute(points: &[u64], q: u64, r: u32) -> Vec<(u32, u32)> {
        let mut v: Vec<_> = points
            .iter()
            .enumerate()
            .map(|(i, p)| (i as u32, (p ^ q).count_ones()))
            .filter(|(_, d)| *d <= r)
            .collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn index_finds_exactly_what_a_full_scan_finds() {
        let mut s = 0x9e37_79b9_7f4a_7c15;
        let points: Vec<u64> = (0..3000).map(|_| next(&mut s)).collect();
        let texts: Vec<String> = points.iter().map(|p| format!("{p:016x}")).collect();
        for radius in [0, 3, 4, 10, 12, 15, 16, 20] {
            let idx = NearIndex::build(
                texts
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (i as u32, t.as_str())),
                radius,
                &HexHamming,
            );
            for k in 0..200 {
                // Queries near existing points (flip a few bits) and random ones.
                let base = if k % 2 == 0 {
                    points[k * 7]
                } else {
                    next(&mut s)
                };
                let q = base ^ (next(&mut s) & next(&mut s) & next(&mut s) & next(&mut s));
                let mut got = idx.within(&format!("{q:016x}"), &HexHamming);
                got.sort_unstable();
                assert_eq!(got, brute(&points, q, radius), "radius {radius}");
            }
        }
    }

    #[test]
    fn hex_distance_handles_any_equal_length_and_rejects_mismatch() {
        assert_eq!(HexHamming.distance("ff00", "0f01"), Some(5));
        assert_eq!(HexHamming.distance("ff", "ff00"), None);
        assert_eq!(HexHamming.distance("zz", "00"), None);
        assert_eq!(HexHamming.bits64("00000000000000ff"), Some(255));
        assert_eq!(HexHamming.bits64("ff"), None);
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
