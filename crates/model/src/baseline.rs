//! Reference recommenders for `shelfwise eval --baseline`, so that every
//! quality figure can be reported next to the classic baselines computed on
//! the same files in the same run:
//!
//! - `pop`: the most viewed training items, the same list for every case;
//! - `last-item`: item-kNN on the last item of the prefix, with cosine
//!   similarity of session co-occurrence, `|S(a) ∩ S(b)| / sqrt(|S(a)| |S(b)|)`.
//!
//! They are deliberately plain and live only in the CLI: the SDK never runs them.

use std::collections::{HashMap, HashSet};

use crate::eval::Case;

/// The baselines `--baseline` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Baseline {
    /// Most popular items.
    Pop,
    /// Item-kNN on the last item.
    LastItem,
}

impl Baseline {
    /// Parses a `--baseline` value.
    pub fn from_name(name: &str) -> anyhow::Result<Baseline> {
        match name {
            "pop" => Ok(Baseline::Pop),
            "last-item" => Ok(Baseline::LastItem),
            other => anyhow::bail!("unknown baseline {other:?} (expected pop or last-item)"),
        }
    }
}

/// HR@k and MRR@k of `baseline` trained on `sessions`, scored on `cases`.
pub fn score(baseline: Baseline, sessions: &[Vec<String>], cases: &[Case], k: usize) -> (f64, f64) {
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut counts: Vec<u64> = Vec::new();
    let sets: Vec<Vec<u32>> = sessions
        .iter()
        .map(|s| {
            let mut set: Vec<u32> = s
                .iter()
                .map(|item| {
                    let next = ids.len() as u32;
                    *ids.entry(item.as_str()).or_insert(next)
                })
                .collect();
            set.sort_unstable();
            set.dedup();
            set
        })
        .collect();
    counts.resize(ids.len(), 0);
    for set in &sets {
        for &i in set {
            counts[i as usize] += 1;
        }
    }
    let mut popular: Vec<u32> = (0..ids.len() as u32).collect();
    popular.sort_unstable_by(|a, b| counts[*b as usize].cmp(&counts[*a as usize]).then(a.cmp(b)));
    popular.truncate(k);

    // Co-occurrence, only for the items that end a test prefix.
    let wanted: HashSet<u32> = match baseline {
        Baseline::Pop => HashSet::new(),
        Baseline::LastItem => cases
            .iter()
            .filter_map(|(p, _)| ids.get(p.last()?.as_str()).copied())
            .collect(),
    };
    let mut together: HashMap<u32, HashMap<u32, u32>> = HashMap::new();
    for set in &sets {
        for &a in set.iter().filter(|a| wanted.contains(a)) {
            let row = together.entry(a).or_default();
            for &b in set.iter().filter(|&&b| b != a) {
                *row.entry(b).or_insert(0) += 1;
            }
        }
    }
    let neighbors: HashMap<u32, Vec<u32>> = together
        .into_iter()
        .map(|(a, row)| {
            let mut list: Vec<(f64, u32)> = row
                .into_iter()
                .map(|(b, c)| {
                    (
                        f64::from(c) / ((counts[a as usize] * counts[b as usize]) as f64).sqrt(),
                        b,
                    )
                })
                .collect();
            list.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            (a, list.into_iter().take(k).map(|(_, b)| b).collect())
        })
        .collect();

    let (mut hits, mut reciprocal) = (0u64, 0f64);
    for (prefix, target) in cases {
        let Some(&target) = ids.get(target.as_str()) else {
            continue;
        };
        let list: &[u32] = match baseline {
            Baseline::Pop => &popular,
            Baseline::LastItem => prefix
                .last()
                .and_then(|last| ids.get(last.as_str()))
                .and_then(|i| neighbors.get(i))
                .map_or(&[], Vec::as_slice),
        };
        if let Some(rank) = list.iter().position(|&i| i == target) {
            hits += 1;
            reciprocal += 1.0 / (rank + 1) as f64;
        }
    }
    let n = cases.len().max(1) as f64;
    (hits as f64 / n, reciprocal / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions(list: &[&[&str]]) -> Vec<Vec<String>> {
        list.iter()
            .map(|s| s.iter().map(|i| (*i).to_owned()).collect())
            .collect()
    }

    fn case(prefix: &[&str], target: &str) -> Case {
        (
            prefix.iter().map(|i| (*i).to_owned()).collect(),
            target.to_owned(),
        )
    }

    #[test]
    fn pop_recommends_the_most_viewed() {
        let train = sessions(&[&["a", "b"], &["a", "c"], &["a"], &["b"]]);
        let (hr, mrr) = score(
            Baseline::Pop,
            &train,
            &[case(&["x"], "a"), case(&["x"], "b"), case(&["x"], "c")],
            2,
        );
        assert!(
            (hr - 2.0 / 3.0).abs() < 1e-9 && (mrr - 0.5).abs() < 1e-9,
            "{hr} {mrr}"
        );
    }

    #[test]
    fn last_item_knn_uses_cosine_co_occurrence() {
        // b co-occurs with a in 2 of a's 3 sessions (cos 2/sqrt(3*2)), c in 1 (1/sqrt(3*1)).
        let train = sessions(&[&["a", "b"], &["a", "b"], &["a", "c"]]);
        let (hr, mrr) = score(Baseline::LastItem, &train, &[case(&["q", "a"], "c")], 20);
        assert!(
            (hr - 1.0).abs() < 1e-9 && (mrr - 0.5).abs() < 1e-9,
            "{hr} {mrr}"
        );
    }
}
