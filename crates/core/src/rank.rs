//! Ranking: scores items for the shopper from the whole local profile.
//!
//! Each remembered interaction is a *seed* weighted by its kind (a view says
//! less than a cart add, a purchase's neighbours are what goes with it) and
//! its recency (position in the history and age). A seed spreads its weight
//! to its model neighbours, in proportion to their similarity; an item the
//! shopper already engaged with gets a revisit share; the model's category
//! metadata adds the shopper's category affinity, and a category the shopper
//! said they prefer (`setPreference("category", …)`) more. An item marked
//! "not for me" comes last, and its closest neighbours lose what its
//! similarity would give them. The personal score is then
//! blended with the merchant's own order, so that with no history the
//! merchant order is the result, unchanged.
//!
//! Ranking is deterministic (ties keep the merchant order) and explainable:
//! every result carries the [`Reason`] that contributed most.
//!
//! The model is asked only about the seeds and their neighbours — a
//! candidate no seed reaches keeps its merchant position, whatever the model
//! knows of it — so a [sharded](crate::model::sharded) model with the seeds'
//! parts loaded gives exactly the scores of the whole file.

use crate::experiment::Arm;
use crate::model::{ITEM_OUT_OF_STOCK, ITEM_SENSITIVE, Lookup, Model};
use crate::profile::{EventKind, Profile, decay};

/// Half-life of an interaction's weight by age (hyperbolic, see `decay`).
const AGE_HALF_MS: u64 = 6 * 60 * 60 * 1000;
/// Share of a seed's weight a candidate gets for being the seed itself,
/// when neither the options nor the model say (the builder learns it).
const DEFAULT_REVISIT_SHARE: f32 = 1.0;
/// Weight of the category affinity term, relative to a seed of weight 1.
const CATEGORY_SHARE: f32 = 0.5;
/// Weight of the anchor (similar widget) or cart lines (bought together).
const FOCUS_WEIGHT: f32 = 4.0;
/// Share of the general profile when a widget has a focus (anchor, cart).
const BACKGROUND_SHARE: f32 = 0.25;
/// Weight of a stated category preference, relative to a seed of weight 1.
const PREFERENCE_SHARE: f32 = 1.0;
/// Weight an item marked "not for me" takes from its neighbours.
const LESS_WEIGHT: f32 = FOCUS_WEIGHT;
/// How many of its closest neighbours an item marked "not for me" demotes.
const LESS_NEIGHBORS: usize = 5;

/// What drives a ranking: the widget kinds of the page markup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Focus<'a> {
    /// The whole profile (`reorder`, "recommended for you").
    #[default]
    Profile,
    /// Items similar to an anchor item (`similar`), profile in the background.
    Anchor(&'a str),
    /// Items that go with the cart (`bought-together`), profile in the background.
    Cart,
    /// Items the shopper viewed, most recent first (`recently-viewed`).
    RecentlyViewed,
}

/// Options of [`rank`] and [`recommend`].
#[derive(Clone, Debug)]
pub struct RankOptions<'a> {
    /// The current time, ms since the Unix epoch.
    pub now_ms: u64,
    /// What drives the scores.
    pub focus: Focus<'a>,
    /// Weight of the merchant's order in the blend, 0 (ignore) to 1 (merchant
    /// order only). Default 0.15.
    pub merchant_weight: f32,
    /// Push items the shopper already bought (default false: never pushed).
    pub push_purchased: bool,
    /// Weight of an item the shopper engaged with, on the scale of the
    /// model's similarity weights. Default `None`: the model's learned value.
    pub revisit_share: Option<f32>,
    /// The products the page is about (`data-shelfwise-view`): never
    /// recommended on their own page. Default: none.
    pub on_page: &'a [String],
}

impl<'a> RankOptions<'a> {
    /// Default options at time `now_ms`.
    pub fn new(now_ms: u64) -> RankOptions<'a> {
        RankOptions {
            now_ms,
            focus: Focus::Profile,
            merchant_weight: 0.15,
            push_purchased: false,
            revisit_share: None,
            on_page: &[],
        }
    }

    /// The same options with another focus.
    pub fn with_focus(mut self, focus: Focus<'a>) -> RankOptions<'a> {
        self.focus = focus;
        self
    }

    /// The same options on a page about `items`.
    pub fn with_on_page(mut self, items: &'a [String]) -> RankOptions<'a> {
        self.on_page = items;
        self
    }
}

/// Why an item got its place.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    /// No personal signal: the merchant's order.
    MerchantOrder,
    /// Similar to `item`, which the shopper interacted with (`kind`), or the
    /// widget's anchor (`kind` is `None`).
    Similar {
        /// The profile item (or anchor) that contributed most.
        item: String,
        /// How the shopper interacted with it; `None` for the anchor.
        kind: Option<EventKind>,
    },
    /// The shopper engaged with this very item.
    Revisit {
        /// Its strongest interaction.
        kind: EventKind,
    },
    /// The shopper's affinity to the item's category.
    Category {
        /// The category.
        category: String,
    },
    /// Never pushed: bought before, sensitive, or out of stock (demoted).
    Excluded(Exclusion),
}

/// Why an item is never pushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exclusion {
    /// The shopper bought it.
    Purchased,
    /// The merchant marked it sensitive.
    Sensitive,
    /// The merchant marked it out of stock: placed after everything else.
    OutOfStock,
    /// The product the page is about: placed after everything else (a
    /// widget hides it).
    OnPage,
    /// The shopper marked it "not for me": placed after everything else.
    NotForMe,
}

/// One ranked candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    /// Position of the candidate in the merchant's order (the input slice).
    pub item: usize,
    /// Final score, higher first: the blend of personal and merchant scores.
    pub score: f32,
    /// What contributed most.
    pub reason: Reason,
}

/// One recommended model item.
#[derive(Clone, Debug, PartialEq)]
pub struct Recommendation {
    /// The item's id.
    pub id: String,
    /// Personal score.
    pub score: f32,
    /// What contributed most.
    pub reason: Reason,
}

/// The order one list of `candidates` takes on a page of the `arm`: the
/// decision `rank()` and the widgets share. The holdout sees the merchant's
/// order (at the merchant's limit: the experiment measures the ordering, not
/// the widget's size); `recently-viewed` needs no model; any other list
/// without a model is `None`, to be left exactly as the merchant wrote it.
pub fn arrange<M: Lookup, S: AsRef<str>>(
    model: Option<&M>,
    profile: &Profile,
    arm: Arm,
    candidates: &[S],
    options: &RankOptions<'_>,
) -> Option<Vec<Ranked>> {
    match model {
        _ if arm == Arm::Holdout => Some(merchant_order(candidates.len())),
        _ if options.focus == Focus::RecentlyViewed => {
            Some(rank_recent(profile, candidates, options))
        }
        Some(model) => Some(rank(model, profile, candidates, options)),
        None => None,
    }
}

/// `n` candidates in the merchant's order, as ranked output.
pub fn merchant_order(n: usize) -> Vec<Ranked> {
    (0..n)
        .map(|item| Ranked {
            item,
            score: 0.0,
            reason: Reason::MerchantOrder,
        })
        .collect()
}

/// Orders `candidates` (the merchant's order) for the shopper.
///
/// Returns every candidate once, best first. Candidates no seed reaches keep
/// their merchant position relative to each other.
pub fn rank<M: Lookup, S: AsRef<str>>(
    model: &M,
    profile: &Profile,
    candidates: &[S],
    options: &RankOptions<'_>,
) -> Vec<Ranked> {
    if options.focus == Focus::RecentlyViewed {
        return rank_recent(profile, candidates, options);
    }
    let mut table = Table::with_capacity(candidates.len());
    for c in candidates {
        table.insert(c.as_ref().as_bytes());
    }
    let seeds = seeds(model, profile, options);
    if profile.preference(PREFERRED_CATEGORY).is_some() {
        // A stated category needs the candidates' own categories, not only
        // those a seed reaches.
        for c in candidates {
            if let (Some((part, index)), Some(e)) = (
                model.find(c.as_ref()),
                table.entry(c.as_ref().as_bytes(), false),
            ) {
                e.describe(part, index);
            }
        }
    }
    accumulate(model, profile, &seeds, options, &mut table, false);

    let max_personal = table.entries.iter().map(|e| e.score).fold(0f32, f32::max);
    // Demotions alone (no seed pulls anything up) are scaled to [-1, 0].
    let scale = if max_personal > 0.0 {
        max_personal
    } else {
        table.entries.iter().map(|e| -e.score).fold(0f32, f32::max)
    };
    let n = candidates.len().max(1) as f32;
    let lambda = options.merchant_weight.clamp(0.0, 1.0);
    let mut out: Vec<Ranked> = candidates
        .iter()
        .enumerate()
        .map(|(pos, c)| {
            let id = c.as_ref();
            let merchant = 1.0 - pos as f32 / n;
            // No personal signal at all: the merchant's order, untouched
            // (out-of-stock items included: the merchant placed them) but
            // for the page's own product and what the shopper said is not
            // for them.
            if scale <= 0.0 {
                let last = exclusion(profile, 0, id, options)
                    .filter(|ex| matches!(ex, Exclusion::OnPage | Exclusion::NotForMe));
                return Ranked {
                    item: pos,
                    score: if last.is_some() {
                        merchant - 2.0
                    } else {
                        merchant
                    },
                    reason: last.map_or(Reason::MerchantOrder, Reason::Excluded),
                };
            }
            let entry = table.get(id.as_bytes());
            // A demotion may outweigh what lifted an item: nothing lifts it
            // then, and it sinks no further than -1.
            let (mut personal, mut reason) = match entry {
                Some(e) if e.score > 0.0 => (e.score / scale, table.reason(e, &seeds)),
                Some(e) if e.score < 0.0 => ((e.score / scale).max(-1.0), Reason::MerchantOrder),
                _ => (0.0, Reason::MerchantOrder),
            };
            let flags = entry.map_or(0, |e| e.flags);
            if let Some(ex) = exclusion(profile, flags, id, options) {
                // Last, below whatever a demotion reaches (personal scores
                // are in [-1, 1]).
                personal = if matches!(
                    ex,
                    Exclusion::OutOfStock | Exclusion::OnPage | Exclusion::NotForMe
                ) {
                    -2.0
                } else {
                    0.0
                };
                reason = Reason::Excluded(ex);
            }
            Ranked {
                item: pos,
                score: (1.0 - lambda) * personal + lambda * merchant,
                reason,
            }
        })
        .collect();
    sort_best_first(&mut out);
    out
}

/// Orders `candidates` by how recently the shopper viewed them, most recent
/// first; the rest keep the merchant's order after them. Needs no model:
/// recency is about the shopper's own history, whatever the model knows.
/// Purchased items are not pushed (unless `push_purchased`).
pub fn rank_recent<S: AsRef<str>>(
    profile: &Profile,
    candidates: &[S],
    options: &RankOptions<'_>,
) -> Vec<Ranked> {
    let views = profile.interactions();
    let mut out: Vec<Ranked> = candidates
        .iter()
        .enumerate()
        .map(|(pos, c)| {
            let id = c.as_ref();
            let merchant = -(pos as f32) / candidates.len().max(1) as f32;
            if is_on_page(id, options) {
                return Ranked {
                    item: pos,
                    score: merchant - 2.0,
                    reason: Reason::Excluded(Exclusion::OnPage),
                };
            }
            let last_view = views
                .iter()
                .rposition(|i| i.kind == EventKind::View && i.item == id);
            match last_view {
                Some(_) if !options.push_purchased && profile.has_purchased(id) => Ranked {
                    item: pos,
                    score: merchant,
                    reason: Reason::Excluded(Exclusion::Purchased),
                },
                Some(k) => Ranked {
                    item: pos,
                    score: 1.0 + k as f32,
                    reason: Reason::Revisit {
                        kind: EventKind::View,
                    },
                },
                None => Ranked {
                    item: pos,
                    score: merchant,
                    reason: Reason::MerchantOrder,
                },
            }
        })
        .collect();
    sort_best_first(&mut out);
    out
}

/// Picks up to `limit` items from the model for the shopper, best first.
///
/// Items the shopper bought (unless pushed), sensitive and out-of-stock items
/// are left out, as are the cart's items for [`Focus::Cart`] and the anchor
/// for [`Focus::Anchor`].
pub fn recommend<M: Lookup>(
    model: &M,
    profile: &Profile,
    options: &RankOptions<'_>,
    limit: usize,
) -> Vec<Recommendation> {
    if options.focus == Focus::RecentlyViewed {
        let mut seen: Vec<Recommendation> = Vec::new();
        for (back, i) in profile.interactions().iter().rev().enumerate() {
            let Some((part, index)) = model.find(&i.item) else {
                continue;
            };
            let excluded = exclusion(profile, part.flags(index), &i.item, options).is_some();
            if i.kind == EventKind::View && !excluded && !seen.iter().any(|r| r.id == i.item) {
                seen.push(Recommendation {
                    id: i.item.clone(),
                    score: decay(back as u64, 2),
                    reason: Reason::Revisit { kind: i.kind },
                });
            }
        }
        seen.truncate(limit);
        return seen;
    }
    let seeds = seeds(model, profile, options);
    let mut table = Table::with_capacity(seeds.len().saturating_mul(32).min(1 << 16));
    accumulate(model, profile, &seeds, options, &mut table, true);
    // Ties go to the item a seed reached first: the seeds' order and their
    // lists' are the same in every form of the model.
    let mut ranked: Vec<Ranked> = (table.entries.iter().enumerate())
        .filter(|(_, e)| e.score > 0.0)
        .map(|(item, e)| Ranked {
            item,
            score: e.score,
            reason: Reason::MerchantOrder,
        })
        .collect();
    sort_best_first(&mut ranked);
    // Best first: exclusions are checked only until `limit` items are kept.
    let mut out = Vec::with_capacity(limit.min(ranked.len()));
    for pick in ranked.iter().filter_map(|r| table.entries.get(r.item)) {
        if out.len() >= limit {
            break;
        }
        // Ids were checked when the model was decoded.
        let id = core::str::from_utf8(pick.id).unwrap_or_default();
        let in_focus = match options.focus {
            Focus::Cart => profile.cart().iter().any(|l| l.item == id),
            Focus::Anchor(anchor) => anchor == id,
            _ => false,
        };
        if in_focus || exclusion(profile, pick.flags, id, options).is_some() {
            continue;
        }
        out.push(Recommendation {
            id: id.to_owned(),
            score: pick.score,
            reason: table.reason(pick, &seeds),
        });
    }
    out
}

/// Higher scores first, ties in the input's order: a total order, so any
/// sort gives the one result.
fn best_first(a: &Ranked, b: &Ranked) -> core::cmp::Ordering {
    b.score.total_cmp(&a.score).then(a.item.cmp(&b.item))
}

/// Sorts `list` [`best_first`]: a Shell sort with Ciura's gaps, a few
/// dozen instructions in the wasm where the standard library's sort takes
/// about 1.5 KB. The lists sorted here are a page's candidates or the
/// seeds' neighbours: hundreds, a few thousand at most.
fn sort_best_first(list: &mut [Ranked]) {
    for gap in [1750, 701, 301, 132, 57, 23, 10, 4, 1] {
        for i in gap..list.len() {
            let mut j = i;
            while j >= gap
                && matches!((list.get(j - gap), list.get(j)),
                    (Some(a), Some(b)) if best_first(a, b).is_gt())
            {
                list.swap(j - gap, j);
                j -= gap;
            }
        }
    }
}

/// Why an item with model flags `flags` is never pushed, if it is not.
fn exclusion(
    profile: &Profile,
    flags: u8,
    id: &str,
    options: &RankOptions<'_>,
) -> Option<Exclusion> {
    if is_on_page(id, options) {
        Some(Exclusion::OnPage)
    } else if profile.less().any(|(l, _)| l == id) {
        Some(Exclusion::NotForMe)
    } else if flags & ITEM_SENSITIVE != 0 {
        Some(Exclusion::Sensitive)
    } else if flags & ITEM_OUT_OF_STOCK != 0 {
        Some(Exclusion::OutOfStock)
    } else if !options.push_purchased && profile.has_purchased(id) {
        Some(Exclusion::Purchased)
    } else {
        None
    }
}

/// Whether `id` is a product the page is about.
fn is_on_page(id: &str, options: &RankOptions<'_>) -> bool {
    options.on_page.iter().any(|p| p == id)
}

/// A source of personal signal, borrowing its id from the profile and its
/// entry from the model.
struct Seed<'a, B> {
    /// The model file holding the item and its index there, when the model
    /// knows the item.
    entry: Option<(&'a Model<B>, u32)>,
    item: &'a str,
    /// `None` for the anchor.
    kind: Option<EventKind>,
    weight: f32,
}

fn seeds<'a, M: Lookup>(
    model: &'a M,
    profile: &'a Profile,
    options: &RankOptions<'a>,
) -> Vec<Seed<'a, M::Bytes>> {
    let history = profile.interactions();
    let background = match options.focus {
        Focus::Profile | Focus::RecentlyViewed => 1.0,
        Focus::Anchor(_) | Focus::Cart => BACKGROUND_SHARE,
    };
    let mut out: Vec<Seed<'a, M::Bytes>> = history
        .iter()
        .rev()
        .enumerate()
        .filter(|(_, i)| {
            !matches!(options.focus, Focus::RecentlyViewed) || i.kind == EventKind::View
        })
        .map(|(back, i)| {
            let recency =
                decay(back as u64, 1) * decay(options.now_ms.saturating_sub(i.at_ms), AGE_HALF_MS);
            Seed {
                entry: model.find(&i.item),
                item: &i.item,
                kind: Some(i.kind),
                weight: background * i.kind.intent_weight() * recency,
            }
        })
        .collect();
    match options.focus {
        Focus::Anchor(anchor) => out.push(Seed {
            entry: model.find(anchor),
            item: anchor,
            kind: None,
            weight: FOCUS_WEIGHT,
        }),
        Focus::Cart => out.extend(profile.cart().iter().map(|l| Seed {
            entry: model.find(&l.item),
            item: &l.item,
            kind: Some(EventKind::AddToCart),
            weight: FOCUS_WEIGHT,
        })),
        Focus::Profile | Focus::RecentlyViewed => {}
    }
    out.extend(profile.less().map(|(item, _)| Seed {
        entry: model.find(item),
        item,
        kind: None,
        weight: -LESS_WEIGHT,
    }));
    // Sensitive items are never used as a signal either.
    out.retain(|s| {
        s.entry
            .is_none_or(|(part, i)| part.flags(i) & ITEM_SENSITIVE == 0)
    });
    out
}

/// Spreads the seeds' weight over the table's items. With `grow`, items not
/// yet in the table are added (recommend); otherwise only the pre-inserted
/// candidates are scored (rank). Every item a seed reaches takes its
/// category and flags from the seed's model file.
fn accumulate<'a, M: Lookup>(
    model: &M,
    profile: &'a Profile,
    seeds: &[Seed<'a, M::Bytes>],
    options: &RankOptions<'_>,
    table: &mut Table<'a>,
    grow: bool,
) {
    let revisit = options
        .revisit_share
        .or(model.revisit_share())
        .unwrap_or(DEFAULT_REVISIT_SHARE);
    for (s, seed) in seeds.iter().enumerate() {
        let Some((part, index)) = seed.entry else {
            continue;
        };
        if seed.weight < 0.0 {
            // Marked "not for me": its closest neighbours lose its pull.
            for n in part.neighbors(index).take(LESS_NEIGHBORS) {
                // Demotes what other seeds reached; adds nothing new.
                if let Some(e) = part
                    .name_bytes(n.item)
                    .and_then(|id| table.entry(id, false))
                {
                    e.add(seed.weight * n.weight, Driver::None);
                }
            }
            continue;
        }
        // The seed itself: the shopper may come back to it.
        if let (Some(_), Some(e)) = (seed.kind, table.entry(seed.item.as_bytes(), grow)) {
            e.describe(part, index);
            e.add(seed.weight * revisit, Driver::Revisit(s));
        }
        for n in part.neighbors(index) {
            let Some(id) = part.name_bytes(n.item) else {
                continue;
            };
            if let Some(e) = table.entry(id, grow) {
                e.describe(part, n.item);
                e.add(seed.weight * n.weight, Driver::Seed(s));
            }
        }
    }
    let total: f32 = profile.affinity_scores(options.now_ms).map(|a| a.1).sum();
    if total > 0.0 {
        table.categories = profile
            .affinity_scores(options.now_ms)
            .map(|(name, a)| (name, CATEGORY_SHARE * a / total))
            .collect();
    }
    if let Some(preferred) = profile.preference(PREFERRED_CATEGORY) {
        match table
            .categories
            .iter_mut()
            .find(|(name, _)| *name == preferred)
        {
            Some((_, share)) => *share += PREFERENCE_SHARE,
            None => table.categories.push((preferred, PREFERENCE_SHARE)),
        }
    }
    let Table {
        entries,
        categories,
        ..
    } = table;
    for e in entries.iter_mut() {
        let Some(category) = e.category else { continue };
        if let Some(c) = categories
            .iter()
            .position(|(name, _)| name.as_bytes() == category)
        {
            let share = categories.get(c).map_or(0.0, |c| c.1);
            e.add(share, Driver::Category(c));
        }
    }
}

/// The preference key whose value is a category the shopper prefers.
pub const PREFERRED_CATEGORY: &str = "category";

#[derive(Clone, Copy, Debug)]
enum Driver {
    None,
    Seed(usize),
    Revisit(usize),
    /// An index into [`Table::categories`].
    Category(usize),
}

/// An item's score as it builds up, with what the model says of it.
#[derive(Clone, Debug)]
struct Entry<'a> {
    id: &'a [u8],
    hash: u32,
    score: f32,
    best: f32,
    driver: Driver,
    /// Whether a seed reached the item: its category and flags are known.
    described: bool,
    category: Option<&'a [u8]>,
    flags: u8,
}

impl<'a> Entry<'a> {
    fn add(&mut self, contribution: f32, driver: Driver) {
        self.score += contribution;
        if contribution > self.best {
            self.best = contribution;
            self.driver = driver;
        }
    }

    /// Takes the category and flags of `item` of `part`, the first time a
    /// seed reaches the entry (every file says the same of an item).
    fn describe<B: AsRef<[u8]>>(&mut self, part: &'a Model<B>, item: u32) {
        if !self.described {
            self.described = true;
            self.category = part.category_of(item).and_then(|c| part.category_bytes(c));
            self.flags = part.flags(item);
        }
    }
}

/// An open-addressing table of item ids → entries, sized once: ranking 100
/// candidates against 50 seeds costs a few thousand probes.
struct Table<'a> {
    /// `(hash, entry index)`: a probe reads the entry only when the hashes
    /// match.
    slots: Vec<(u32, u32)>,
    entries: Vec<Entry<'a>>,
    /// The shopper's categories and what each adds to an item of it: its
    /// share of the affinity, plus a stated preference's.
    categories: Vec<(&'a str, f32)>,
}

const EMPTY: (u32, u32) = (0, u32::MAX);

/// The table's hash of an id. Short ids, the common case, cost two loads
/// that may overlap (first and last four or eight bytes) and no loop over
/// bytes; longer ones take eight bytes a step.
fn hash_id(id: &[u8]) -> u32 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let n = id.len();
    let read8 = |at: usize| {
        id.get(at..at + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(0, u64::from_le_bytes)
    };
    let read4 = |at: usize| {
        id.get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map_or(0, |b| u64::from(u32::from_le_bytes(b)))
    };
    let byte = |at: usize| id.get(at).map_or(0, |&b| u64::from(b));
    let (mut a, b) = match n {
        0..=3 => (
            byte(0) << 16 | byte(n / 2) << 8 | byte(n.wrapping_sub(1)),
            0,
        ),
        4..=8 => (read4(0), read4(n - 4)),
        _ => (read8(0), read8(n - 8)),
    };
    let mut at = 8;
    while at + 8 < n {
        a = (a ^ read8(at)).wrapping_mul(K).rotate_left(29);
        at += 8;
    }
    let h = (a ^ b.rotate_left(32) ^ n as u64).wrapping_mul(K);
    ((h ^ h >> 29) >> 32) as u32
}

impl<'a> Table<'a> {
    fn with_capacity(n: usize) -> Table<'a> {
        let size = (n.max(8) * 2).next_power_of_two();
        Table {
            slots: vec![EMPTY; size],
            entries: Vec::with_capacity(n),
            categories: Vec::new(),
        }
    }

    fn slot_of(&self, id: &[u8], hash: u32) -> (usize, Option<usize>) {
        let mask = self.slots.len() - 1;
        let mut at = (hash as usize) & mask;
        loop {
            match self.slots.get(at).copied() {
                Some(EMPTY) | None => return (at, None),
                // The same bytes of the same file, or equal bytes.
                Some((h, e))
                    if h == hash
                        && self
                            .entries
                            .get(e as usize)
                            .is_some_and(|x| core::ptr::eq(x.id, id) || x.id == id) =>
                {
                    return (at, Some(e as usize));
                }
                Some(_) => at = (at + 1) & mask,
            }
        }
    }

    /// Adds `id` unless present.
    fn insert(&mut self, id: &'a [u8]) {
        self.entry(id, true);
    }

    /// A new entry for `id`, in the empty slot `slot`.
    fn push(&mut self, slot: usize, id: &'a [u8], hash: u32) -> usize {
        if let Some(s) = self.slots.get_mut(slot) {
            *s = (hash, self.entries.len() as u32);
        }
        self.entries.push(Entry {
            id,
            hash,
            score: 0.0,
            best: 0.0,
            driver: Driver::None,
            described: false,
            category: None,
            flags: 0,
        });
        self.entries.len() - 1
    }

    fn rehash(&mut self) {
        self.slots = vec![EMPTY; self.slots.len() * 2];
        let mask = self.slots.len() - 1;
        for (i, e) in self.entries.iter().enumerate() {
            let mut at = (e.hash as usize) & mask;
            while self.slots.get(at).is_some_and(|&s| s != EMPTY) {
                at = (at + 1) & mask;
            }
            if let Some(s) = self.slots.get_mut(at) {
                *s = (e.hash, i as u32);
            }
        }
    }

    /// The entry of `id`; with `grow`, added when missing (one probe).
    fn entry(&mut self, id: &'a [u8], grow: bool) -> Option<&mut Entry<'a>> {
        // Grown first, so that the empty slot found stays the one to fill.
        if grow && self.entries.len() * 2 >= self.slots.len() {
            self.rehash();
        }
        let hash = hash_id(id);
        let index = match self.slot_of(id, hash) {
            (_, Some(i)) => i,
            (slot, None) if grow => self.push(slot, id, hash),
            (_, None) => return None,
        };
        self.entries.get_mut(index)
    }

    fn get(&self, id: &[u8]) -> Option<&Entry<'a>> {
        let (_, existing) = self.slot_of(id, hash_id(id));
        existing.and_then(|i| self.entries.get(i))
    }

    /// The reason for an entry's score: its largest contribution.
    fn reason<B>(&self, entry: &Entry<'_>, seeds: &[Seed<'_, B>]) -> Reason {
        match entry.driver {
            Driver::None => Reason::MerchantOrder,
            Driver::Seed(s) => seeds
                .get(s)
                .map_or(Reason::MerchantOrder, |seed| Reason::Similar {
                    item: seed.item.to_owned(),
                    kind: seed.kind,
                }),
            Driver::Revisit(s) => seeds
                .get(s)
                .and_then(|seed| seed.kind)
                .map_or(Reason::MerchantOrder, |kind| Reason::Revisit { kind }),
            Driver::Category(c) => {
                self.categories
                    .get(c)
                    .map_or(Reason::MerchantOrder, |(name, _)| Reason::Category {
                        category: (*name).to_owned(),
                    })
            }
        }
    }
}
