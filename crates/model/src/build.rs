//! The model builder: windowed, weighted, directed co-occurrence within
//! sessions, with its free parameters learned from held-out sessions.
//!
//! For every occurrence of an item `a` in a session, each other item `b` at
//! most `window` positions away adds `w(a) · w(b) / distance^γ` to the pair
//! `a → b`, times `λ` when `b` came *before* `a`. `w` is the event kind's
//! intent weight (view 1, cart 2, purchase 3). A pair's sum is normalized by
//! the items' popularity, `c(a, b) / (n(a)^½ · n(b)^β)`, so that popular
//! items do not crowd out everything else, and each list is cut to the `k`
//! strongest.
//!
//! The pairs are never materialized: each item's row is accumulated in a
//! dense scratch array from an index of where the item occurs, cut to `k`,
//! and dropped. Memory is the packed log plus that index (8 bytes per event)
//! plus the kept lists; rows are computed on every core.
//!
//! Four numbers are learned from the data, not fixed in code: the distance
//! exponent γ, the backward weight λ, the popularity exponent β and the
//! revisit share ranking gives to items already in the session. [`learn`]
//! holds out the latest tenth of the sessions (the input is in time order,
//! and a model always serves sessions later than its data), builds on the
//! rest and keeps what gives the best MRR@20 on the held-out sessions' next
//! items, scored by the `recommend` the browser runs.

use std::collections::HashMap;

use crate::cores::on_every_core_with;
use crate::eval::{Case, score};
use crate::log::{self, Log, SEPARATOR};
use shelfwise_core::model::{ItemMeta, Model, ModelBuilder};

/// Builder settings.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Neighbours kept per item.
    pub neighbors: usize,
    /// Largest position distance counted as co-occurrence.
    pub window: usize,
    /// Candidates counted per item beyond `neighbors`, for an encoder that
    /// follows a previous build to choose among at the cut (see
    /// [`ModelBuilder::follow`]); 0 for a build that follows none.
    pub spare: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            neighbors: 32,
            window: 8,
            spare: 0,
        }
    }
}

/// Distance exponents γ the builder chooses among.
const DISTANCE_EXPONENTS: [f64; 2] = [0.5, 1.0];
/// Backward weights λ the builder chooses among (1: direction does not matter).
const BACKWARD_WEIGHTS: [f64; 2] = [0.5, 1.0];
/// Popularity exponents β the builder chooses among (½ is the cosine).
const POPULARITY_EXPONENTS: [f64; 4] = [0.2, 0.3, 0.4, 0.5];
/// Revisit shares the builder chooses among.
const REVISIT_SHARES: [f32; 8] = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0];
/// Learning counts at most about this many events.
const MAX_LEARNING_EVENTS: usize = 1_500_000;
/// The latest sessions, one in this many, are held out to learn the parameters.
const HOLD_OUT_ONE_IN: usize = 10;
/// Fewer held-out cases than this, and the defaults are kept.
const MIN_HELD_OUT_CASES: usize = 200;
/// Held-out cases are taken until their prefixes hold this many items (about
/// 60,000 cases of shopping sessions): small differences between candidates
/// need many cases to be told from noise, and scoring costs by the item.
const MAX_HELD_OUT_SEEDS: usize = 240_000;

/// The parameters learned from held-out sessions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Learned {
    /// γ of the distance weighting.
    pub distance_exponent: f64,
    /// λ, the weight of an item seen before the other relative to after it.
    pub backward_weight: f64,
    /// β of the popularity normalization.
    pub popularity_exponent: f64,
    /// The revisit share written into the model (`None`: ranking's default).
    pub revisit_share: Option<f32>,
}

impl Default for Learned {
    fn default() -> Learned {
        Learned {
            distance_exponent: 1.0,
            backward_weight: 1.0,
            popularity_exponent: 0.5,
            revisit_share: None,
        }
    }
}

/// Builds the model bytes from `log` with `learned` parameters, with
/// `catalog` metadata merged over the categories the events carried.
pub fn build(
    log: &Log,
    catalog: &HashMap<String, ItemMeta>,
    settings: Settings,
    learned: Learned,
) -> Vec<u8> {
    build_model(log, catalog, settings, learned).encode()
}

/// [`build`], stopping before the encoding: the caller writes one file
/// ([`ModelBuilder::encode`]) or a sharded model
/// ([`ModelBuilder::encode_sharded`]).
pub fn build_model(
    log: &Log,
    catalog: &HashMap<String, ItemMeta>,
    settings: Settings,
    learned: Learned,
) -> ModelBuilder {
    let index = Occurrences::new(log, 0..log.session_count());
    let items: Vec<u32> = (0..log.item_count() as u32).collect();
    let shape = (learned.backward_weight, learned.popularity_exponent);
    let lists = index
        .lists(&items, settings, learned.distance_exponent, &[shape])
        .pop()
        .unwrap_or_default();
    encode(
        log,
        &index.counts,
        lists,
        catalog,
        settings,
        learned.revisit_share,
    )
}

/// Builds the model from a pair table computed elsewhere (the output
/// of `sql/cooccurrence.sql`): delimited text whose header names
/// `item_id`, `item_count`, `neighbor_id` and `weight`. Rows of an item come
/// in any order; an empty neighbour declares an item without neighbours.
///
/// # Errors
///
/// I/O errors, a header without those columns, and malformed rows, named
/// by their line number.
pub fn build_from_pairs(
    input: impl std::io::BufRead,
    catalog: &HashMap<String, ItemMeta>,
    settings: Settings,
    revisit_share: Option<f32>,
) -> anyhow::Result<ModelBuilder> {
    use anyhow::Context as _;
    let (header, mut rows) = crate::table::open(input).context("reading the pair table")?;
    let column = |name: &str| {
        header
            .find(&[&name.replace('_', "")])
            .with_context(|| format!("the pair table's header names no {name} column"))
    };
    let (item, count, neighbor, weight) = (
        column("item_id")?,
        column("item_count")?,
        column("neighbor_id")?,
        column("weight")?,
    );
    let mut log = Log::new();
    let mut counts: Vec<u32> = Vec::new();
    let mut rows_of: HashMap<u32, Vec<(u32, f32)>> = HashMap::new();
    while let Some((line_no, fields)) = rows.next_row()? {
        let field = |i: usize| {
            fields
                .get(i)
                .map_err(|why| anyhow::anyhow!("line {line_no}: {why}"))
        };
        let a = log
            .intern(field(item)?)
            .with_context(|| format!("line {line_no}: missing item id"))?;
        let n: u32 = field(count)?
            .parse()
            .with_context(|| format!("line {line_no}: unreadable item_count"))?;
        if counts.len() <= a as usize {
            counts.resize(a as usize + 1, 0);
        }
        if let Some(c) = counts.get_mut(a as usize) {
            *c = n;
        }
        if field(neighbor)?.is_empty() {
            continue;
        }
        let w: f64 = field(weight)?
            .parse()
            .with_context(|| format!("line {line_no}: unreadable weight"))?;
        let b = log
            .intern(field(neighbor)?)
            .with_context(|| format!("line {line_no}: unreadable neighbor_id"))?;
        rows_of.entry(a).or_default().push((b, w as f32));
    }
    let mut lists: Lists = rows_of.into_iter().collect();
    lists.sort_unstable_by_key(|l| l.0);
    counts.resize(log.item_count(), 0);
    Ok(encode(
        &log,
        &counts,
        lists,
        catalog,
        settings,
        revisit_share,
    ))
}

/// The model to write: the log's items with their counts, the catalogue's
/// metadata and other items, the lists and the revisit share.
fn encode(
    log: &Log,
    counts: &[u32],
    lists: Lists,
    catalog: &HashMap<String, ItemMeta>,
    settings: Settings,
    revisit_share: Option<f32>,
) -> ModelBuilder {
    let all = 0..log.item_count() as u32;
    let (mut builder, handles) = model_builder(log, counts, catalog, settings, all);
    add_lists(&mut builder, &handles, lists);
    if let Some(share) = revisit_share {
        builder.revisit_share(share);
    }
    // The catalogue's other items, in id order.
    let mut extra: Vec<(&String, &ItemMeta)> = catalog
        .iter()
        .filter(|(name, _)| log.find(name).is_none())
        .collect();
    extra.sort_unstable_by_key(|e| e.0);
    for (name, meta) in extra {
        builder.add_item(name).set_meta(name, meta.clone());
    }
    builder
}

/// Learns γ, λ, β and the revisit share: builds on the earlier nine tenths
/// of the sessions and keeps what scores the best MRR@20 on the latest
/// tenth's next items. With too little data, the defaults.
pub fn learn(log: &Log, catalog: &HashMap<String, ItemMeta>, settings: Settings) -> Learned {
    // Sessions come in time order: the model is always used on sessions
    // after the ones it was built from, so it learns on the latest tenth.
    let sessions = log.session_count();
    let split = sessions - sessions / HOLD_OUT_ONE_IN;
    let mut cases: Vec<Case> = Vec::new();
    let mut seeds_taken = 0;
    for session in log.sessions(split..sessions) {
        for next in 1..session.len() {
            seeds_taken += next;
            if let (Some(prefix), Some(&target)) = (session.get(..next), session.get(next)) {
                let prefix = prefix
                    .iter()
                    .map(|&e| log.name(log::item(e)).to_owned())
                    .collect();
                cases.push((prefix, log.name(log::item(target)).to_owned()));
            }
        }
        if seeds_taken >= MAX_HELD_OUT_SEEDS {
            break;
        }
    }
    if cases.len() < MIN_HELD_OUT_CASES {
        return Learned::default();
    }
    // Past a few million events, more data changes the choice little and
    // costs time: learning counts the latest sessions before the held-out.
    let mut first = split;
    let mut events = 0;
    while first > 0 && events < MAX_LEARNING_EVENTS {
        first -= 1;
        events += log.events(first..first + 1).len();
    }
    let index = Occurrences::new(log, first..split);
    // Ranking reads only the lists of the shopper's items: the candidate
    // models need no others.
    let mut seeds: Vec<u32> = cases
        .iter()
        .flat_map(|(prefix, _)| prefix.iter().filter_map(|name| log.find(name)))
        .collect();
    seeds.sort_unstable();
    seeds.dedup();
    // Successive halving: every candidate on the earliest quarter of the
    // cases, the best few on all of them.
    let quick = cases.get(..cases.len() / 4).unwrap_or(&cases);
    let mrr = |m: &Model<Vec<u8>>, cases: &[Case], share| {
        score(crate::eval::Scored::Whole(m), cases, 20, share).mrr
    };
    let shapes: Vec<(f64, f64)> = BACKWARD_WEIGHTS
        .iter()
        .flat_map(|&b| POPULARITY_EXPONENTS.iter().map(move |&p| (b, p)))
        .collect();
    let mut structures: Vec<Scored> = Vec::new();
    let rounds: Vec<Vec<(Learned, Lists)>> = DISTANCE_EXPONENTS
        .iter()
        .map(|&distance_exponent| {
            let lists = index.lists(&seeds, settings, distance_exponent, &shapes);
            shapes
                .iter()
                .zip(lists)
                .map(|(&(backward_weight, popularity_exponent), lists)| {
                    let learned = Learned {
                        distance_exponent,
                        backward_weight,
                        popularity_exponent,
                        revisit_share: None,
                    };
                    (learned, lists)
                })
                .collect()
        })
        .collect();
    // The candidate models hold the seeds and the items their lists name,
    // nothing else: ranking reaches no other item, and a million-item
    // catalogue would otherwise be encoded once per candidate.
    let mut reached = seeds.clone();
    for (_, lists) in rounds.iter().flatten() {
        reached.extend(
            lists
                .iter()
                .flat_map(|(_, list)| list.iter().map(|&(b, _)| b)),
        );
    }
    reached.sort_unstable();
    reached.dedup();
    let (builder, handles) = model_builder(
        log,
        &index.counts,
        catalog,
        settings,
        reached.iter().copied(),
    );
    for candidates in rounds {
        // Encoding is the slow part: one builder per core.
        let scored = on_every_core_with(
            &candidates,
            || builder.clone(),
            |builder, part| {
                let mut out = Vec::new();
                for (learned, lists) in part {
                    // Ranking reads the seeds' lists and nothing else: the
                    // candidate models hold only those.
                    builder.clear_neighbors();
                    add_lists(builder, &handles, lists.clone());
                    if let Ok(m) = Model::decode(builder.encode()) {
                        out.push((mrr(&m, quick, None), (*learned, m)));
                    }
                }
                out
            },
        );
        structures.extend(scored.into_iter().flatten());
        best_few(&mut structures);
    }
    let Some((_, (structure, m))) = structures
        .into_iter()
        .map(|(_, (c, m))| (mrr(&m, &cases, None), (c, m)))
        .reduce(|best, c| if c.0 > best.0 { c } else { best })
    else {
        return Learned::default();
    };
    let mut shares: Vec<(f64, f32)> = REVISIT_SHARES
        .iter()
        .map(|&share| (mrr(&m, quick, Some(share)), share))
        .collect();
    best_few(&mut shares);
    let share = shares
        .into_iter()
        .map(|(_, share)| (mrr(&m, &cases, Some(share)), share))
        .reduce(|best, c| if c.0 > best.0 { c } else { best });
    Learned {
        revisit_share: share.map(|s| s.1),
        ..structure
    }
}

/// How many candidates of a quick round go on to the full round.
const FULL_ROUND: usize = 3;

/// Keeps the [`FULL_ROUND`] best-scoring candidates, best first; ties keep
/// the earlier candidate.
fn best_few<T>(scored: &mut Vec<(f64, T)>) {
    // A stable sort: equal scores keep the candidates' order.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.truncate(FULL_ROUND);
}

/// Where each item occurs in a range of sessions, and how often. An item
/// repeated in a row (a reload, the back button) counts once, with the
/// strongest intent.
struct Occurrences<'a> {
    /// The sessions' packed events, repeats in a row merged.
    events: Vec<u32>,
    /// Occurrences per item.
    counts: Vec<u32>,
    /// `positions[starts[a]..starts[a + 1]]`: where item `a` occurs in `events`.
    starts: Vec<u32>,
    positions: Vec<u32>,
    /// Each item's place in id order: equal weights are ordered by id, as
    /// in the model file (and in `sql/cooccurrence.sql`).
    id_order: &'a [u32],
}

impl<'a> Occurrences<'a> {
    fn new(log: &'a Log, sessions: std::ops::Range<usize>) -> Occurrences<'a> {
        let mut events: Vec<u32> = Vec::with_capacity(log.events(sessions.clone()).len());
        for &e in log.events(sessions) {
            match events.last_mut() {
                Some(last)
                    if *last != SEPARATOR && e != SEPARATOR && log::item(*last) == log::item(e) =>
                {
                    *last = (*last).max(e);
                }
                _ => events.push(e),
            }
        }
        let mut counts = vec![0u32; log.item_count()];
        for &e in events.iter().filter(|&&e| e != SEPARATOR) {
            if let Some(c) = counts.get_mut(log::item(e) as usize) {
                *c += 1;
            }
        }
        let mut starts = Vec::with_capacity(counts.len() + 1);
        let mut sum = 0u32;
        starts.push(0);
        for &c in &counts {
            sum += c;
            starts.push(sum);
        }
        let mut fill = starts.clone();
        let mut positions = vec![0u32; sum as usize];
        for (p, &e) in events.iter().enumerate() {
            if e == SEPARATOR {
                continue;
            }
            if let Some(at) = fill.get_mut(log::item(e) as usize)
                && let Some(slot) = positions.get_mut(*at as usize)
            {
                *slot = p as u32;
                *at += 1;
            }
        }
        Occurrences {
            events,
            counts,
            starts,
            positions,
            id_order: log.id_order(),
        }
    }

    /// The neighbour lists of `items`, strongest first, computed on every
    /// core, for each `(backward weight, popularity exponent)` of `shapes`:
    /// one `(item, list)` vector per shape, in `items`' order.
    fn lists(
        &self,
        items: &[u32],
        settings: Settings,
        distance_exponent: f64,
        shapes: &[(f64, f64)],
    ) -> Vec<Lists> {
        let by_distance: Vec<f64> = (1..=settings.window)
            .map(|d| (d as f64).powf(distance_exponent).recip())
            .collect();
        let norms: Vec<Vec<f64>> = shapes
            .iter()
            .map(|&(_, beta)| {
                self.counts
                    .iter()
                    .map(|&c| f64::from(c.max(1)).powf(beta))
                    .collect()
            })
            .collect();
        let kept = settings.neighbors.saturating_add(settings.spare);
        let parts = on_every_core_with(items, Row::new, |row, part| {
            let mut out: Vec<Lists> = vec![Vec::with_capacity(part.len()); shapes.len()];
            for &a in part {
                self.accumulate(a, &by_distance, row);
                let count = self.counts.get(a as usize).copied().unwrap_or(1);
                for ((lists, &(backward, _)), norms) in out.iter_mut().zip(shapes).zip(&norms) {
                    let top = row.top(count, norms, self.id_order, backward, kept);
                    lists.push((a, top));
                }
                row.clear();
            }
            out
        });
        let mut out: Vec<Lists> = vec![Vec::with_capacity(items.len()); shapes.len()];
        for part in parts {
            for (all, lists) in out.iter_mut().zip(part) {
                all.extend(lists);
            }
        }
        out
    }

    /// Adds up item `a`'s co-occurrences into `row`.
    fn accumulate(&self, a: u32, by_distance: &[f64], row: &mut Row) {
        let (from, to) = (
            self.starts.get(a as usize).copied().unwrap_or(0) as usize,
            self.starts.get(a as usize + 1).copied().unwrap_or(0) as usize,
        );
        let reach = by_distance.len();
        for batch in self.positions.get(from..to).unwrap_or(&[]).chunks(BATCH) {
            // The occurrences lie anywhere in the log, a cache miss each (two
            // when a window spans lines): the batch's windows are read first
            // — their first, middle and last events — so that their fetches
            // from memory overlap rather than each waiting for the one before.
            for &p in batch {
                let p = p as usize;
                for i in [p.saturating_sub(reach), p, p + reach] {
                    std::hint::black_box(self.events.get(i).copied());
                }
            }
            for &p in batch {
                let p = p as usize;
                let wa = self.events.get(p).map_or(0.0, |&e| log::weight(e));
                let after = self.events.get(p + 1..).unwrap_or(&[]).iter();
                let before = self.events.get(..p).unwrap_or(&[]).iter().rev();
                side(a, after, wa, by_distance, row, 0);
                side(a, before, wa, by_distance, row, 1);
            }
        }
    }
}

/// Occurrences whose windows are read together (see `Occurrences::accumulate`).
const BATCH: usize = 8;

/// Adds the items of one side of an occurrence of `a`, nearest first, up to
/// the session's end or the window's.
fn side<'e>(
    a: u32,
    others: impl Iterator<Item = &'e u32>,
    factor: f64,
    by_distance: &[f64],
    row: &mut Row,
    direction: usize,
) {
    for (&e, &d) in others.take_while(|&&e| e != SEPARATOR).zip(by_distance) {
        let b = log::item(e);
        if b != a {
            row.add(b, direction, factor * log::weight(e) * d);
        }
    }
}

/// A candidate's held-out MRR, the candidate and its model.
type Scored = (f64, (Learned, Model<Vec<u8>>));

/// Neighbour lists: `(item, [(neighbour, weight)])`.
type Lists = Vec<(u32, Vec<(u32, f32)>)>;

/// One item's co-occurrence sums — of items seen after it, and before it —
/// in a small open-addressing table: an item has a few hundred neighbours
/// among a catalogue's million, and a table of those stays in the core's
/// cache, where a dense row over every item (16 MB for a million) missed it
/// on almost every addition.
struct Row {
    /// `(item, sums)`, [`FREE`] for an unused slot; a power of two long, at
    /// most half full.
    slots: Vec<(u32, [f64; 2])>,
    /// The slots in use, in the order their items came.
    touched: Vec<u32>,
    /// Every entry's weight, for [`Row::top`]: kept from item to item, so
    /// that a list is allocated at its final length only.
    entries: Vec<(u32, f32)>,
}

/// The item of an unused slot of a [`Row`] (no item has this index).
const FREE: u32 = u32::MAX;

impl Row {
    fn new() -> Row {
        Row {
            slots: vec![(FREE, [0.0; 2]); 256],
            touched: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// The slot of item `b`, or the free slot where it goes.
    fn slot(&self, b: u32) -> usize {
        let mask = self.slots.len() - 1;
        // Fibonacci hashing: consecutive indexes land far apart.
        let mut i = (u64::from(b).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & mask;
        while let Some(&(item, _)) = self.slots.get(i) {
            if item == b || item == FREE {
                break;
            }
            i = (i + 1) & mask;
        }
        i
    }

    fn add(&mut self, b: u32, direction: usize, w: f64) {
        if 2 * (self.touched.len() + 1) > self.slots.len() {
            self.grow();
        }
        let i = self.slot(b);
        if let Some((item, sums)) = self.slots.get_mut(i) {
            if *item == FREE {
                *item = b;
                self.touched.push(i as u32);
            }
            if let Some(side) = sums.get_mut(direction) {
                *side += w;
            }
        }
    }

    /// Doubles the table, keeping the items' order in `touched`.
    fn grow(&mut self) {
        let size = 2 * self.slots.len();
        let old = std::mem::replace(&mut self.slots, vec![(FREE, [0.0; 2]); size]);
        let mut touched = std::mem::take(&mut self.touched);
        for at in &mut touched {
            if let Some(&(b, sums)) = old.get(*at as usize) {
                let i = self.slot(b);
                if let Some(slot) = self.slots.get_mut(i) {
                    *slot = (b, sums);
                }
                *at = i as u32;
            }
        }
        self.touched = touched;
    }

    fn clear(&mut self) {
        for i in self.touched.drain(..) {
            if let Some(slot) = self.slots.get_mut(i as usize) {
                *slot = (FREE, [0.0; 2]);
            }
        }
    }

    /// The `k` strongest entries, `(after + backward · before) / (n(a)^½ ·
    /// norms[b])`, ties by `id_order`.
    fn top(
        &mut self,
        count: u32,
        norms: &[f64],
        id_order: &[u32],
        backward: f64,
        k: usize,
    ) -> Vec<(u32, f32)> {
        let own = f64::from(count.max(1)).sqrt();
        let Row {
            slots,
            touched,
            entries,
        } = self;
        entries.clear();
        entries.extend(touched.iter().filter_map(|&i| slots.get(i as usize)).map(
            |&(b, [after, before])| {
                let norm = own * norms.get(b as usize).copied().unwrap_or(1.0);
                (b, ((after + backward * before) / norm) as f32)
            },
        ));
        let place = |i: u32| id_order.get(i as usize).copied().unwrap_or(u32::MAX);
        let order =
            |x: &(u32, f32), y: &(u32, f32)| y.1.total_cmp(&x.1).then(place(x.0).cmp(&place(y.0)));
        if entries.len() > k && k > 0 {
            entries.select_nth_unstable_by(k - 1, order);
        }
        let kept = k.min(entries.len());
        let top = entries.get_mut(..kept).unwrap_or_default();
        top.sort_unstable_by(order);
        top.to_vec()
    }
}

/// A model builder holding the log's `items` with their popularity and
/// metadata, and the builder's index of each log item (`None` for those
/// left out).
fn model_builder(
    log: &Log,
    counts: &[u32],
    catalog: &HashMap<String, ItemMeta>,
    settings: Settings,
    items: impl IntoIterator<Item = u32>,
) -> (ModelBuilder, Vec<Option<u32>>) {
    let mut builder = ModelBuilder::new();
    builder.max_neighbors(settings.neighbors);
    let mut handles = vec![None; log.item_count()];
    for item in items {
        let name = log.name(item);
        let Some(handle) = builder.entry(name) else {
            continue;
        };
        if let Some(slot) = handles.get_mut(item as usize) {
            *slot = Some(handle);
        }
        builder.add_count_at(
            handle,
            counts.get(item as usize).copied().map_or(0, u64::from),
        );
        let mut meta = catalog.get(name).cloned().unwrap_or_default();
        if meta.category.is_none() {
            meta.category = log.category(item).map(str::to_owned);
        }
        if meta != ItemMeta::default() {
            builder.set_meta_at(handle, meta);
        }
    }
    (builder, handles)
}

/// Gives the builder from [`model_builder`] the neighbour lists of log
/// items, each list moved in, its items turned into the builder's.
fn add_lists(builder: &mut ModelBuilder, handles: &[Option<u32>], lists: Lists) {
    let handle = |i: u32| handles.get(i as usize).copied().flatten();
    for (a, mut list) in lists {
        let Some(from) = handle(a) else { continue };
        list.retain_mut(|(b, _)| match handle(*b) {
            Some(to) => {
                *b = to;
                true
            }
            None => false,
        });
        builder.set_neighbors_at(from, list);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shelfwise_core::model::Model;

    fn log_of(sessions: &[Vec<String>]) -> Log {
        Log::of_views(sessions)
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn build_default(log: &Log) -> Vec<u8> {
        let learned = learn(log, &HashMap::new(), Settings::default());
        build(log, &HashMap::new(), Settings::default(), learned)
    }

    #[test]
    fn items_seen_together_become_neighbours() {
        let log = log_of(&[
            strings(&["a", "b", "c"]),
            strings(&["a", "b"]),
            strings(&["x", "y"]),
        ]);
        let m = Model::decode(build_default(&log)).unwrap();
        let a = m.item_index("a").unwrap();
        let first = m.neighbors(a).next().unwrap();
        assert_eq!(m.item_id(first.item), Some("b"));
        assert!(m.neighbors(a).all(|n| m.item_id(n.item) != Some("x")));
    }

    #[test]
    fn a_row_keeps_every_sum_in_order_as_it_grows() {
        let mut row = Row::new();
        for _ in 0..2 {
            // Far more items than the first table holds, each added twice.
            for b in (0..1000u32).chain(0..1000) {
                row.add(b * 7919, (b % 2) as usize, f64::from(b));
            }
            let sums: Vec<(u32, [f64; 2])> =
                row.touched.iter().map(|&i| row.slots[i as usize]).collect();
            let expected: Vec<(u32, [f64; 2])> = (0..1000u32)
                .map(|b| {
                    let mut s = [0.0; 2];
                    s[(b % 2) as usize] = 2.0 * f64::from(b);
                    (b * 7919, s)
                })
                .collect();
            assert_eq!(sums, expected);
            row.clear();
            assert!(row.slots.iter().all(|&(b, _)| b == FREE));
        }
    }

    #[test]
    fn weights_follow_the_formula() {
        // a b c: with γ = 1, λ = ½, β = ½ and n = 1 for all, a → c is
        // 1/2 (distance 2, forward) and c → a is ½ · 1/2 (backward).
        let log = log_of(&[strings(&["a", "b", "c"])]);
        let learned = Learned {
            backward_weight: 0.5,
            ..Learned::default()
        };
        let m = Model::decode(build(&log, &HashMap::new(), Settings::default(), learned)).unwrap();
        let weight = |from: &str, to: &str| {
            let i = m.item_index(from).unwrap();
            m.neighbors(i)
                .find(|n| m.item_id(n.item) == Some(to))
                .map(|n| n.weight)
                .unwrap()
        };
        let close = |x: f32, y: f32| (x / y - 1.0).abs() < 0.05;
        assert!(close(weight("a", "b"), 1.0), "{}", weight("a", "b"));
        assert!(close(weight("a", "c"), 0.5));
        assert!(close(weight("c", "a"), 0.25));
        assert!(close(weight("b", "a"), 0.5));
    }

    #[test]
    fn the_same_input_gives_the_same_bytes() {
        let sessions: Vec<Vec<String>> = (0..50)
            .map(|i| {
                vec![
                    format!("i{}", i % 7),
                    format!("i{}", i % 5),
                    format!("i{}", i % 3),
                ]
            })
            .collect();
        let log = log_of(&sessions);
        assert_eq!(build_default(&log), build_default(&log));
    }

    /// 3,000 sessions over 300 items in clusters of ten; with `revisits`,
    /// shoppers keep going back to the session's first item.
    fn clustered(revisits: bool) -> Log {
        let mut state = 1u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) % n
        };
        // Without revisits, a session's items are six distinct items of its
        // cluster (random draws would repeat some by chance).
        let sessions: Vec<Vec<String>> = (0..3000)
            .map(|_| {
                let cluster = next(30) * 10;
                let start = next(10);
                let first = format!("i{}", cluster + start);
                (0..6)
                    .map(|k| {
                        if revisits && k % 2 == 0 {
                            first.clone()
                        } else if revisits {
                            format!("i{}", cluster + next(10))
                        } else {
                            format!("i{}", cluster + (start + 3 * k) % 10)
                        }
                    })
                    .collect()
            })
            .collect();
        log_of(&sessions)
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
        let model = Model::decode(build_default(&clustered(true))).unwrap();
        assert_eq!(model.revisit_share(), Some(with));
    }

    #[test]
    fn empty_and_single_item_inputs_give_valid_models() {
        for sessions in [vec![], vec![strings(&["only"])]] {
            let bytes = build_default(&log_of(&sessions));
            assert!(Model::decode(&bytes[..]).is_ok());
        }
    }
}
