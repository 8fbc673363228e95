//! `shelfwise eval`: offline evaluation of a model on session data, scored by
//! the very ranking code the browser runs (`shelfwise_core::rank::recommend`).
//!
//! Each test case is a session prefix and the item viewed next. The prefix
//! becomes a profile of views one minute apart (as the SDK would record
//! them); the model's top `k` recommendations are compared with the target.

use std::collections::HashSet;
use std::hash::BuildHasher as _;
use std::io::BufRead;
use std::time::Instant;

use anyhow::{Context as _, bail};
use shelfwise_core::model::{Lookup, Model};
use shelfwise_core::profile::{EventKind, Profile};
use shelfwise_core::rank::{RankOptions, Recommendation, recommend};

use crate::shards::Shards;

/// Spacing of the prefix's views in the profile.
const STEP_MS: u64 = 60_000;
/// The profile's clock: any fixed time works, only differences matter.
const EPOCH_MS: u64 = 1_700_000_000_000;

/// The scores of one evaluation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scores {
    /// Test cases scored.
    pub cases: u64,
    /// Share of cases whose target is in the top `k`.
    pub hr: f64,
    /// Mean reciprocal rank of the target, 0 beyond `k`.
    pub mrr: f64,
    /// Share of the model's items recommended at least once.
    pub coverage: f64,
    /// Seconds spent scoring, per case.
    pub secs_per_case: f64,
    /// For a sharded model: what each case's prefix cost to load, from an
    /// empty cache (the mean, and the median and 95th percentile of gzip
    /// bytes).
    pub loading: Option<Loading>,
}

/// What the cases of a sharded model cost to load.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Loading {
    /// Mean gzip bytes of the files a case needed (manifest excluded).
    pub bytes_per_case: f64,
    /// Median of the same.
    pub bytes_median: u64,
    /// 95th percentile of the same.
    pub bytes_p95: u64,
    /// Mean files a case needed.
    pub files_per_case: f64,
}

/// The model `eval` scores: one file, or a sharded model loaded case by case.
#[derive(Clone, Copy, Debug)]
pub enum Scored<'a> {
    /// A whole model file.
    Whole(&'a Model<Vec<u8>>),
    /// A sharded model: each case starts from the manifest alone.
    Sharded(&'a Shards),
}

impl Scored<'_> {
    /// The model's items.
    pub fn item_count(&self) -> u32 {
        match self {
            Scored::Whole(m) => m.item_count(),
            Scored::Sharded(s) => s.whole().layout().items,
        }
    }

    /// The revisit share the model carries, if any.
    pub fn revisit_share(&self) -> Option<f32> {
        match self {
            Scored::Whole(m) => m.revisit_share(),
            Scored::Sharded(s) => Lookup::revisit_share(s.whole()),
        }
    }
}

/// One test case: the items viewed so far and the item viewed next.
pub type Case = (Vec<String>, String);

/// Reads `prefix<TAB>target` lines.
///
/// # Errors
///
/// I/O errors and malformed lines (named by line number).
pub fn read_cases(input: impl BufRead) -> anyhow::Result<Vec<Case>> {
    let mut cases = Vec::new();
    for (n, line) in input.lines().enumerate() {
        let line = line.with_context(|| format!("reading line {}", n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let Some((prefix, target)) = line.split_once('\t') else {
            bail!("line {}: expected prefix<TAB>target", n + 1);
        };
        let prefix: Vec<String> = prefix.split_whitespace().map(str::to_owned).collect();
        let target = target.trim();
        if target.is_empty() || prefix.is_empty() {
            bail!("line {}: empty prefix or target", n + 1);
        }
        cases.push((prefix, target.to_owned()));
    }
    Ok(cases)
}

/// Scores `model` on `cases`, with the model's own revisit share unless
/// `revisit_share` overrides it. Cases are scored on every core; the time
/// per case is the CPU time of one core.
pub fn score(model: Scored<'_>, cases: &[Case], k: usize, revisit_share: Option<f32>) -> Scores {
    let parts =
        crate::cores::on_every_core(cases, |part| score_part(model, part, k, revisit_share));
    let mut scores = Scores {
        cases: cases.len() as u64,
        ..Scores::default()
    };
    let mut recommended = HashSet::new();
    let (mut hits, mut reciprocal, mut secs) = (0u64, 0f64, 0f64);
    let (mut bytes, mut files) = (Vec::new(), 0u64);
    for part in parts {
        hits += part.hits;
        reciprocal += part.reciprocal;
        secs += part.secs;
        recommended.extend(part.recommended);
        bytes.extend(part.bytes);
        files += part.files;
    }
    if matches!(model, Scored::Sharded(_)) && !bytes.is_empty() {
        bytes.sort_unstable();
        let n = bytes.len();
        let at = |q: f64| {
            bytes
                .get(((n as f64 * q) as usize).min(n - 1))
                .copied()
                .unwrap_or(0)
        };
        scores.loading = Some(Loading {
            bytes_per_case: bytes.iter().sum::<u64>() as f64 / n as f64,
            bytes_median: at(0.5),
            bytes_p95: at(0.95),
            files_per_case: files as f64 / n as f64,
        });
    }
    if scores.cases > 0 {
        let n = scores.cases as f64;
        scores.hr = hits as f64 / n;
        scores.mrr = reciprocal / n;
        scores.secs_per_case = secs / n;
    }
    scores.coverage = recommended.len() as f64 / f64::from(model.item_count().max(1));
    scores
}

/// What one core found.
struct Part {
    hits: u64,
    reciprocal: f64,
    secs: f64,
    /// The recommended ids' 64-bit hashes: coverage counts them without
    /// keeping a string per pick (a collision, at 2^-64, would undercount).
    recommended: HashSet<u64>,
    /// Gzip bytes each case loaded (sharded models).
    bytes: Vec<u64>,
    files: u64,
}

fn score_part(model: Scored<'_>, cases: &[Case], k: usize, revisit_share: Option<f32>) -> Part {
    let started = Instant::now();
    let mut part = Part {
        hits: 0,
        reciprocal: 0.0,
        secs: 0.0,
        recommended: HashSet::new(),
        bytes: Vec::new(),
        files: 0,
    };
    let hasher = foldhash::fast::FixedState::with_seed(0);
    for (prefix, target) in cases {
        let mut profile = Profile::new();
        let mut now = EPOCH_MS;
        for item in prefix {
            now += STEP_MS;
            profile.record(EventKind::View, item, None, 0.0, now);
        }
        let mut options = RankOptions::new(now + STEP_MS);
        options.revisit_share = revisit_share;
        let picks: Vec<Recommendation> = match model {
            Scored::Whole(m) => recommend(m, &profile, &options, k),
            Scored::Sharded(shards) => {
                let mut state = shards.start();
                let ids: Vec<&str> = prefix.iter().map(String::as_str).collect();
                let cost = shards.load(&mut state, &ids);
                part.bytes.push(cost.gzip_bytes);
                part.files += cost.files;
                recommend(&state, &profile, &options, k)
            }
        };
        if let Some(rank) = picks.iter().position(|r| r.id == *target) {
            part.hits += 1;
            part.reciprocal += 1.0 / (rank + 1) as f64;
        }
        part.recommended
            .extend(picks.iter().map(|r| hasher.hash_one(r.id.as_str())));
    }
    part.secs = started.elapsed().as_secs_f64();
    part
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::{Learned, Settings, build};
    use crate::log::Log;

    fn sessions(list: &[&[&str]]) -> Log {
        let list: Vec<Vec<&str>> = list.iter().map(|s| s.to_vec()).collect();
        Log::of_views(&list)
    }

    #[test]
    fn scores_hits_and_reciprocal_ranks() {
        let train = sessions(&[&["a", "b"], &["a", "b"], &["a", "c"], &["x", "y"]]);
        let bytes = build(
            &train,
            &Default::default(),
            Settings::default(),
            Learned::default(),
        );
        let model = Model::decode(bytes).unwrap();
        // The default parameters (cosine weights), and the test fixes the
        // revisit share at 0.6. For
        // the prefix "a": b scores 2/sqrt(3*2) = 0.82, a's own revisit 0.6,
        // c 1/sqrt(3*1) = 0.58 (times the same recency factor). So b is at
        // rank 1, c at rank 3, and q (unknown) is missed.
        let cases = "a\tb\na\tc\nx\tq\n";
        let cases = read_cases(cases.as_bytes()).unwrap();
        let s = score(Scored::Whole(&model), &cases, 20, Some(0.6));
        assert_eq!(s.cases, 3);
        assert!((s.hr - 2.0 / 3.0).abs() < 1e-9, "{s:?}");
        assert!((s.mrr - (1.0 + 1.0 / 3.0) / 3.0).abs() < 1e-9, "{s:?}");
        let top1 = score(Scored::Whole(&model), &cases, 1, Some(0.6));
        assert!((top1.hr - 1.0 / 3.0).abs() < 1e-9, "{top1:?}");
    }

    #[test]
    fn malformed_cases_name_their_line() {
        let err = read_cases("a\tb\nno tab here\n".as_bytes()).unwrap_err();
        assert_eq!(err.to_string(), "line 2: expected prefix<TAB>target");
    }
}
