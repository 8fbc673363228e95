//! The model builder: windowed, weighted co-occurrence within sessions.
//!
//! For each session, every ordered pair of distinct items at most
//! `window` positions apart adds `w(a) * w(b) / distance` to `a → b` (and half
//! that to `b → a`: what follows an item says more than what precedes it),
//! where `w` is the event kind's intent weight. Pair weights are normalized
//! like a cosine, `c(a, b) / sqrt(n(a) * n(b))`, so that popular items do not
//! crowd out everything else, and each list is cut to the `k` strongest.

use std::collections::HashMap;

use crate::eval::{Case, score};
use crate::events::Session;
use shelfwise_core::model::{ItemMeta, Model, ModelBuilder};

/// Builder settings.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Neighbours kept per item.
    pub neighbors: usize,
    /// Largest position distance counted as co-occurrence.
    pub window: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            neighbors: 32,
            window: 5,
        }
    }
}

/// Dense ids for item strings.
#[derive(Default)]
struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.ids.insert(name.to_owned(), id);
        self.names.push(name.to_owned());
        id
    }
}

/// Revisit shares the builder chooses among (see [`learn_revisit_share`]).
const REVISIT_SHARES: [f32; 8] = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0];
/// One session in this many is held out to learn the revisit share.
const HOLD_OUT_EVERY: usize = 10;
/// Fewer held-out cases than this, and the share is left to the default.
const MIN_HELD_OUT_CASES: usize = 200;
/// At most this many held-out cases are scored per share.
const MAX_HELD_OUT_CASES: usize = 20_000;

/// Builds the model bytes from `sessions`, with `catalog` metadata merged
/// over the categories the events carried, and the revisit share learned
/// from the sessions themselves.
pub fn build(
    sessions: &[Session],
    catalog: &HashMap<String, ItemMeta>,
    settings: Settings,
) -> Vec<u8> {
    encode(
        sessions,
        catalog,
        settings,
        learn_revisit_share(sessions, catalog, settings),
    )
}

/// Learns how strongly ranking should favour items already in the session:
/// builds a model without every tenth session, then picks, among
/// [`REVISIT_SHARES`], the share with the best MRR@20 on those held-out
/// sessions' next items — scored by the same `recommend` the browser runs.
/// The answer comes from the data (how often shoppers go back to an item,
/// and how that competes with the neighbours), not from a constant.
pub fn learn_revisit_share(
    sessions: &[Session],
    catalog: &HashMap<String, ItemMeta>,
    settings: Settings,
) -> Option<f32> {
    let (mut train, mut held) = (Vec::new(), Vec::new());
    for (i, s) in sessions.iter().enumerate() {
        if i % HOLD_OUT_EVERY == HOLD_OUT_EVERY - 1 {
            held.push(s);
        } else {
            train.push(s.clone());
        }
    }
    let mut cases: Vec<Case> = Vec::new();
    for session in held {
        let items: Vec<&str> = session
            .iter()
            .filter(|e| e.kind.intent_weight() > 0.0)
            .map(|e| e.item.as_str())
            .collect();
        for next in 1..items.len() {
            if let (Some(prefix), Some(target)) = (items.get(..next), items.get(next)) {
                cases.push((
                    prefix.iter().map(|s| (*s).to_owned()).collect(),
                    (*target).to_owned(),
                ));
            }
        }
        if cases.len() >= MAX_HELD_OUT_CASES {
            break;
        }
    }
    if cases.len() < MIN_HELD_OUT_CASES {
        return None;
    }
    let model = Model::decode(encode(&train, catalog, settings, None)).ok()?;
    let mut best: Option<(f64, f32)> = None;
    for share in REVISIT_SHARES {
        let mrr = score(&model, &cases, 20, Some(share)).mrr;
        if best.is_none_or(|(b, _)| mrr > b) {
            best = Some((mrr, share));
        }
    }
    best.map(|(_, share)| share)
}

/// Writes the model for `sessions` with the given revisit share.
fn encode(
    sessions: &[Session],
    catalog: &HashMap<String, ItemMeta>,
    settings: Settings,
    revisit_share: Option<f32>,
) -> Vec<u8> {
    let mut items = Interner::default();
    let mut counts: Vec<f64> = Vec::new();
    let mut categories: HashMap<u32, String> = HashMap::new();
    let mut pairs: HashMap<u64, f64> = HashMap::new();
    let mut sequence: Vec<(u32, f64)> = Vec::new();
    for session in sessions {
        sequence.clear();
        for event in session {
            let weight = f64::from(event.kind.intent_weight());
            if weight == 0.0 || event.item.is_empty() {
                continue;
            }
            let id = items.intern(&event.item);
            if let Some(c) = &event.category {
                categories.entry(id).or_insert_with(|| c.clone());
            }
            // A repeated item (reload, back button) counts once in a row.
            match sequence.last_mut() {
                Some(last) if last.0 == id => last.1 = last.1.max(weight),
                _ => sequence.push((id, weight)),
            }
        }
        if counts.len() < items.names.len() {
            counts.resize(items.names.len(), 0.0);
        }
        for &(id, _) in &sequence {
            if let Some(c) = counts.get_mut(id as usize) {
                *c += 1.0;
            }
        }
        for (i, &(a, wa)) in sequence.iter().enumerate() {
            for (d, &(b, wb)) in sequence
                .iter()
                .skip(i + 1)
                .take(settings.window)
                .enumerate()
            {
                if a == b {
                    continue;
                }
                let w = wa * wb / (d + 1) as f64;
                *pairs.entry(key(a, b)).or_insert(0.0) += w;
                *pairs.entry(key(b, a)).or_insert(0.0) += w * 0.5;
            }
        }
    }

    let mut builder = ModelBuilder::new();
    builder.max_neighbors(settings.neighbors);
    if let Some(share) = revisit_share {
        builder.revisit_share(share);
    }
    for (id, name) in items.names.iter().enumerate() {
        builder.add_count(name, counts.get(id).copied().unwrap_or(0.0) as u64);
        let mut meta = catalog.get(name).cloned().unwrap_or_default();
        if meta.category.is_none() {
            meta.category = categories.get(&(id as u32)).cloned();
        }
        if meta != ItemMeta::default() {
            builder.set_meta(name, meta);
        }
    }
    for (name, meta) in catalog {
        builder.add_item(name).set_meta(name, meta.clone());
    }
    // Sorted for a deterministic float summation order in the builder.
    let mut pairs: Vec<(u64, f64)> = pairs.into_iter().collect();
    pairs.sort_unstable_by_key(|p| p.0);
    for (k, c) in pairs {
        let (a, b) = ((k >> 32) as usize, (k & 0xffff_ffff) as usize);
        let norm =
            (counts.get(a).copied().unwrap_or(1.0) * counts.get(b).copied().unwrap_or(1.0)).sqrt();
        if let (Some(na), Some(nb)) = (items.names.get(a), items.names.get(b)) {
            builder.add_neighbor(na, nb, (c / norm.max(1.0)) as f32);
        }
    }
    builder.encode()
}

fn key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Event;
    use shelfwise_core::model::Model;
    use shelfwise_core::profile::EventKind;

    fn session(items: &[&str]) -> Session {
        items
            .iter()
            .map(|i| Event {
                kind: EventKind::View,
                item: (*i).into(),
                category: None,
            })
            .collect()
    }

    #[test]
    fn items_seen_together_become_neighbours() {
        let sessions = vec![
            session(&["a", "b", "c"]),
            session(&["a", "b"]),
            session(&["x", "y"]),
        ];
        let bytes = build(&sessions, &HashMap::new(), Settings::default());
        let m = Model::decode(&bytes[..]).unwrap();
        let a = m.item_index("a").unwrap();
        let first = m.neighbors(a).next().unwrap();
        assert_eq!(m.item_id(first.item), Some("b"));
        assert!(m.neighbors(a).all(|n| m.item_id(n.item) != Some("x")));
    }

    #[test]
    fn the_same_input_gives_the_same_bytes() {
        let sessions: Vec<Session> = (0..50)
            .map(|i| {
                session(&[
                    &format!("i{}", i % 7),
                    &format!("i{}", i % 5),
                    &format!("i{}", i % 3),
                ])
            })
            .collect();
        let a = build(&sessions, &HashMap::new(), Settings::default());
        let b = build(&sessions, &HashMap::new(), Settings::default());
        assert_eq!(a, b);
    }

    #[test]
    fn empty_and_single_item_inputs_give_valid_models() {
        for sessions in [vec![], vec![session(&["only"])]] {
            let bytes = build(&sessions, &HashMap::new(), Settings::default());
            assert!(Model::decode(&bytes[..]).is_ok());
        }
    }
}
