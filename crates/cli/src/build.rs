//! The model builder: windowed, weighted co-occurrence within sessions,
//! with its two free parameters learned from held-out sessions.
//!
//! For each session, every pair of distinct items at most `window`
//! positions apart adds `w(a) * w(b) / distance^γ` to both `a → b` and
//! `b → a`, where `w` is the event kind's intent weight (view 1, cart 2,
//! purchase 3). A pair's weight is then normalized by the items'
//! popularity, `c(a, b) / (n(a)^½ · n(b)^β)`, so that popular items do not
//! crowd out everything else, and each list is cut to the `k` strongest.
//!
//! Three numbers are not fixed in code but learned from the data: the
//! distance exponent γ, the popularity exponent β and the revisit share
//! ranking gives to items already in the session. [`build`] holds out the
//! latest tenth of the sessions (the input is in time order, and a model
//! always serves sessions later than its data), builds on the rest and keeps
//! the combination with the best MRR@20 on the held-out sessions' next
//! items, scored by the `recommend` the browser runs.

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
            window: 8,
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

/// Revisit shares the builder chooses among.
const REVISIT_SHARES: [f32; 8] = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0];
/// Popularity exponents β the builder chooses among (½ is the cosine).
const POPULARITY_EXPONENTS: [f64; 3] = [0.3, 0.4, 0.5];
/// Distance exponents γ the builder chooses among.
const DISTANCE_EXPONENTS: [f64; 2] = [0.5, 1.0];
/// The latest sessions, one in this many, are held out to learn the parameters.
const HOLD_OUT_ONE_IN: usize = 10;
/// Fewer held-out cases than this, and the defaults are kept.
const MIN_HELD_OUT_CASES: usize = 200;
/// At most this many held-out cases are scored per candidate.
const MAX_HELD_OUT_CASES: usize = 20_000;

/// The parameters learned from held-out sessions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Learned {
    /// γ of the distance weighting.
    pub distance_exponent: f64,
    /// β of the popularity normalization.
    pub popularity_exponent: f64,
    /// The revisit share written into the model (`None`: ranking's default).
    pub revisit_share: Option<f32>,
}

impl Default for Learned {
    fn default() -> Learned {
        Learned {
            distance_exponent: 1.0,
            popularity_exponent: 0.5,
            revisit_share: None,
        }
    }
}

/// Builds the model bytes from `sessions`, with `catalog` metadata merged
/// over the categories the events carried, and the parameters learned from
/// the sessions themselves.
pub fn build(
    sessions: &[Session],
    catalog: &HashMap<String, ItemMeta>,
    settings: Settings,
) -> Vec<u8> {
    let learned = learn(sessions, catalog, settings);
    Counts::new(sessions, settings, learned.distance_exponent).write(catalog, settings, learned)
}

/// Learns γ, β and the revisit share: builds on the earlier nine tenths of
/// the sessions and keeps the combination with the best MRR@20 on the latest
/// tenth's next items.
pub fn learn(
    sessions: &[Session],
    catalog: &HashMap<String, ItemMeta>,
    settings: Settings,
) -> Learned {
    // Sessions come in time order: the model is always used on sessions
    // after the ones it was built from, so it learns on the latest tenth.
    let split = sessions.len() - sessions.len() / HOLD_OUT_ONE_IN;
    let (train, held) = sessions.split_at(split);
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
        return Learned::default();
    }
    let mut best: Option<(f64, Learned)> = None;
    for distance_exponent in DISTANCE_EXPONENTS {
        let counts = Counts::new(train, settings, distance_exponent);
        for popularity_exponent in POPULARITY_EXPONENTS {
            let candidate = Learned {
                distance_exponent,
                popularity_exponent,
                revisit_share: None,
            };
            let Ok(model) = Model::decode(counts.write(catalog, settings, candidate)) else {
                continue;
            };
            for share in REVISIT_SHARES {
                let mrr = score(&model, &cases, 20, Some(share)).mrr;
                if best.is_none_or(|(b, _)| mrr > b) {
                    best = Some((
                        mrr,
                        Learned {
                            revisit_share: Some(share),
                            ..candidate
                        },
                    ));
                }
            }
        }
    }
    best.map(|(_, learned)| learned).unwrap_or_default()
}

/// Item counts and pair weights of a set of sessions.
struct Counts {
    items: Interner,
    counts: Vec<f64>,
    categories: HashMap<u32, String>,
    /// `(a << 32 | b, weight)`, sorted by key.
    pairs: Vec<(u64, f64)>,
}

impl Counts {
    fn new(sessions: &[Session], settings: Settings, distance_exponent: f64) -> Counts {
        // 1 / distance^γ for each distance the window allows.
        let by_distance: Vec<f64> = (1..=settings.window)
            .map(|d| (d as f64).powf(distance_exponent).recip())
            .collect();
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
                    if a != b {
                        let w = wa * wb * by_distance.get(d).copied().unwrap_or(0.0);
                        *pairs.entry(key(a, b)).or_insert(0.0) += w;
                        *pairs.entry(key(b, a)).or_insert(0.0) += w;
                    }
                }
            }
        }
        // Sorted for a deterministic float summation order in the builder.
        let mut pairs: Vec<(u64, f64)> = pairs.into_iter().collect();
        pairs.sort_unstable_by_key(|p| p.0);
        Counts {
            items,
            counts,
            categories,
            pairs,
        }
    }

    /// Writes the model file.
    fn write(
        &self,
        catalog: &HashMap<String, ItemMeta>,
        settings: Settings,
        learned: Learned,
    ) -> Vec<u8> {
        let mut builder = ModelBuilder::new();
        builder.max_neighbors(settings.neighbors);
        if let Some(share) = learned.revisit_share {
            builder.revisit_share(share);
        }
        for (id, name) in self.items.names.iter().enumerate() {
            builder.add_count(name, self.counts.get(id).copied().unwrap_or(0.0) as u64);
            let mut meta = catalog.get(name).cloned().unwrap_or_default();
            if meta.category.is_none() {
                meta.category = self.categories.get(&(id as u32)).cloned();
            }
            if meta != ItemMeta::default() {
                builder.set_meta(name, meta);
            }
        }
        for (name, meta) in catalog {
            builder.add_item(name).set_meta(name, meta.clone());
        }
        for &(k, c) in &self.pairs {
            let (a, b) = ((k >> 32) as usize, (k & 0xffff_ffff) as usize);
            let count = |i: usize| self.counts.get(i).copied().unwrap_or(1.0).max(1.0);
            let norm = count(a).sqrt() * count(b).powf(learned.popularity_exponent);
            if let (Some(na), Some(nb)) = (self.items.names.get(a), self.items.names.get(b)) {
                builder.add_neighbor(na, nb, (c / norm) as f32);
            }
        }
        builder.encode()
    }
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

    /// 3,000 sessions over 300 items in clusters of ten; with `revisits`,
    /// shoppers keep going back to the session's first item.
    fn clustered(revisits: bool) -> Vec<Session> {
        let mut state = 1u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) % n
        };
        (0..3000)
            .map(|_| {
                let cluster = next(30) * 10;
                let first = format!("i{}", cluster + next(10));
                let ids: Vec<String> = (0..6)
                    .map(|k| {
                        if revisits && k % 2 == 0 {
                            first.clone()
                        } else {
                            format!("i{}", cluster + next(10))
                        }
                    })
                    .collect();
                let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
                session(&refs)
            })
            .collect()
    }

    #[test]
    fn the_revisit_share_is_learned_from_the_data() {
        let settings = Settings::default();
        let with = learn(&clustered(true), &HashMap::new(), settings)
            .revisit_share
            .unwrap();
        let without = learn(&clustered(false), &HashMap::new(), settings)
            .revisit_share
            .unwrap();
        assert!(
            with > without,
            "revisiting shoppers: {with}, others: {without}"
        );
        let model = Model::decode(build(&clustered(true), &HashMap::new(), settings)).unwrap();
        assert_eq!(model.revisit_share(), Some(with));
    }

    #[test]
    fn empty_and_single_item_inputs_give_valid_models() {
        for sessions in [vec![], vec![session(&["only"])]] {
            let bytes = build(&sessions, &HashMap::new(), Settings::default());
            assert!(Model::decode(&bytes[..]).is_ok());
        }
    }
}
