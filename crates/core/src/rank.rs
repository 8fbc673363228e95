//! Ranking: scores items for the shopper from the whole local profile.
//!
//! Each remembered interaction is a *seed* weighted by its kind (a view says
//! less than a cart add, a purchase's neighbours are what goes with it) and
//! its recency (position in the history and age). A seed spreads its weight
//! to its model neighbours, in proportion to their similarity; an item the
//! shopper already engaged with gets a revisit share; the model's category
//! metadata adds the shopper's category affinity. The personal score is then
//! blended with the merchant's own order, so that with no history the
//! merchant order is the result, unchanged.
//!
//! Ranking is deterministic (ties keep the merchant order) and explainable:
//! every result carries the [`Reason`] that contributed most.

use crate::experiment::Arm;
use crate::model::{ITEM_OUT_OF_STOCK, ITEM_SENSITIVE, Model};
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
    /// Model index of the item.
    pub item: u32,
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
pub fn arrange<B: AsRef<[u8]>, S: AsRef<str>>(
    model: Option<&Model<B>>,
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
/// Returns every candidate once, best first. Candidates unknown to the model
/// keep their merchant position relative to each other.
pub fn rank<B: AsRef<[u8]>, S: AsRef<str>>(
    model: &Model<B>,
    profile: &Profile,
    candidates: &[S],
    options: &RankOptions<'_>,
) -> Vec<Ranked> {
    if options.focus == Focus::RecentlyViewed {
        return rank_recent(profile, candidates, options);
    }
    let ids: Vec<Option<u32>> = candidates
        .iter()
        .map(|c| model.item_index(c.as_ref()))
        .collect();
    let mut table = Table::with_capacity(candidates.len());
    for id in ids.iter().flatten() {
        table.insert(*id);
    }
    let seeds = seeds(model, profile, options);
    accumulate(model, profile, &seeds, options, &mut table, false);

    let max_personal = table.entries.iter().map(|e| e.score).fold(0f32, f32::max);
    let n = candidates.len().max(1) as f32;
    let lambda = options.merchant_weight.clamp(0.0, 1.0);
    let mut out: Vec<Ranked> = ids
        .iter()
        .enumerate()
        .map(|(pos, id)| {
            let merchant = 1.0 - pos as f32 / n;
            // No personal signal at all: the merchant's order, untouched
            // (out-of-stock items included: the merchant placed them) but
            // for the page's own product.
            if max_personal <= 0.0 {
                let on_page = candidates
                    .get(pos)
                    .is_some_and(|c| is_on_page(c.as_ref(), options));
                return Ranked {
                    item: pos,
                    score: if on_page { merchant - 2.0 } else { merchant },
                    reason: if on_page {
                        Reason::Excluded(Exclusion::OnPage)
                    } else {
                        Reason::MerchantOrder
                    },
                };
            }
            let (mut personal, mut reason) = id
                .and_then(|i| table.get(i))
                .filter(|e| e.score > 0.0)
                .map_or((0.0, Reason::MerchantOrder), |e| {
                    (e.score / max_personal, table.reason(e, &seeds))
                });
            let exclusion = candidates
                .get(pos)
                .and_then(|c| exclusion(model, profile, *id, c.as_ref(), options));
            if let Some(ex) = exclusion {
                personal = if matches!(ex, Exclusion::OutOfStock | Exclusion::OnPage) {
                    -1.0
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
    out.sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
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
    out.sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
    out
}

/// Picks up to `limit` items from the model for the shopper, best first.
///
/// Items the shopper bought (unless pushed), sensitive and out-of-stock items
/// are left out, as are the cart's items for [`Focus::Cart`] and the anchor
/// for [`Focus::Anchor`].
pub fn recommend<B: AsRef<[u8]>>(
    model: &Model<B>,
    profile: &Profile,
    options: &RankOptions<'_>,
    limit: usize,
) -> Vec<Recommendation> {
    if options.focus == Focus::RecentlyViewed {
        let mut seen = Vec::new();
        for (back, i) in profile.interactions().iter().rev().enumerate() {
            let Some(item) = model.item_index(&i.item) else {
                continue;
            };
            let excluded = exclusion(model, profile, Some(item), &i.item, options).is_some();
            if i.kind == EventKind::View
                && !excluded
                && !seen.iter().any(|r: &Recommendation| r.item == item)
            {
                let score = decay(back as u64, 2);
                seen.push(Recommendation {
                    item,
                    score,
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
    let mut ranked: Vec<Recommendation> = table
        .entries
        .iter()
        .filter(|e| e.score > 0.0)
        .map(|e| Recommendation {
            item: e.key,
            score: e.score,
            // Filled in for the picks only, below: reasons own strings.
            reason: Reason::MerchantOrder,
        })
        .collect();
    ranked.sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
    // Best first: exclusions are checked only until `limit` items are kept.
    let mut out = Vec::with_capacity(limit.min(ranked.len()));
    for mut pick in ranked {
        if out.len() >= limit {
            break;
        }
        let id = model.item_id(pick.item).unwrap_or("");
        let in_focus = match options.focus {
            Focus::Cart => profile.cart().iter().any(|l| l.item == id),
            Focus::Anchor(anchor) => anchor == id,
            _ => false,
        };
        if in_focus || exclusion(model, profile, Some(pick.item), id, options).is_some() {
            continue;
        }
        if let Some(e) = table.get(pick.item) {
            pick.reason = table.reason(e, &seeds);
        }
        out.push(pick);
    }
    out
}

fn exclusion<B: AsRef<[u8]>>(
    model: &Model<B>,
    profile: &Profile,
    index: Option<u32>,
    id: &str,
    options: &RankOptions<'_>,
) -> Option<Exclusion> {
    let flags = index.map_or(0, |i| model.flags(i));
    if is_on_page(id, options) {
        Some(Exclusion::OnPage)
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

/// A source of personal signal, borrowing its id from the profile.
#[derive(Clone, Debug)]
struct Seed<'a> {
    /// Model index, when the model knows the item.
    index: Option<u32>,
    item: &'a str,
    /// `None` for the anchor.
    kind: Option<EventKind>,
    weight: f32,
}

fn seeds<'a, B: AsRef<[u8]>>(
    model: &Model<B>,
    profile: &'a Profile,
    options: &RankOptions<'a>,
) -> Vec<Seed<'a>> {
    let history = profile.interactions();
    let background = match options.focus {
        Focus::Profile | Focus::RecentlyViewed => 1.0,
        Focus::Anchor(_) | Focus::Cart => BACKGROUND_SHARE,
    };
    let mut out: Vec<Seed> = history
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
                index: model.item_index(&i.item),
                item: &i.item,
                kind: Some(i.kind),
                weight: background * i.kind.intent_weight() * recency,
            }
        })
        .collect();
    match options.focus {
        Focus::Anchor(anchor) => out.push(Seed {
            index: model.item_index(anchor),
            item: anchor,
            kind: None,
            weight: FOCUS_WEIGHT,
        }),
        Focus::Cart => out.extend(profile.cart().iter().map(|l| Seed {
            index: model.item_index(&l.item),
            item: &l.item,
            kind: Some(EventKind::AddToCart),
            weight: FOCUS_WEIGHT,
        })),
        Focus::Profile | Focus::RecentlyViewed => {}
    }
    // Sensitive items are never used as a signal either.
    out.retain(|s| s.index.is_none_or(|i| model.flags(i) & ITEM_SENSITIVE == 0));
    out
}

/// Spreads the seeds' weight over the table's items. With `grow`, items not
/// yet in the table are added (recommend); otherwise only the pre-inserted
/// candidates are scored (rank).
fn accumulate<B: AsRef<[u8]>>(
    model: &Model<B>,
    profile: &Profile,
    seeds: &[Seed],
    options: &RankOptions<'_>,
    table: &mut Table,
    grow: bool,
) {
    let revisit = options
        .revisit_share
        .or(model.revisit_share())
        .unwrap_or(DEFAULT_REVISIT_SHARE);
    for (s, seed) in seeds.iter().enumerate() {
        let Some(index) = seed.index else { continue };
        // The seed itself: the shopper may come back to it.
        if let (Some(_), Some(e)) = (seed.kind, table.entry(index, grow)) {
            e.add(seed.weight * revisit, Driver::Revisit(s));
        }
        for n in model.neighbors(index) {
            if let Some(e) = table.entry(n.item, grow) {
                e.add(seed.weight * n.weight, Driver::Seed(s));
            }
        }
    }
    let total: f32 = profile.affinity_scores(options.now_ms).map(|a| a.1).sum();
    if total <= 0.0 {
        return;
    }
    // The category term needs each table item's category: one pass.
    let indices: Vec<(u16, f32)> = profile
        .affinity_scores(options.now_ms)
        .filter_map(|(name, a)| Some((model.category_index(name)?, a / total)))
        .collect();
    if indices.is_empty() {
        return;
    }
    for e in table.entries.iter_mut() {
        let Some(c) = model.category_of(e.key) else {
            continue;
        };
        if let Some(&(_, share)) = indices.iter().find(|(i, _)| *i == c) {
            e.add(CATEGORY_SHARE * share, Driver::Category(c));
        }
    }
    // Reasons name categories by name, resolved in `Table::reason`.
    table.category_names = indices
        .iter()
        .filter_map(|&(c, _)| Some((c, model.category_name(c)?.to_owned())))
        .collect();
}

#[derive(Clone, Copy, Debug)]
enum Driver {
    None,
    Seed(usize),
    Revisit(usize),
    Category(u16),
}

#[derive(Clone, Debug)]
struct Entry {
    key: u32,
    score: f32,
    best: f32,
    driver: Driver,
}

impl Entry {
    fn add(&mut self, contribution: f32, driver: Driver) {
        self.score += contribution;
        if contribution > self.best {
            self.best = contribution;
            self.driver = driver;
        }
    }
}

/// An open-addressing table of model items → entries, sized once: ranking
/// 100 candidates against 50 seeds costs a few thousand probes.
struct Table {
    slots: Vec<u32>,
    entries: Vec<Entry>,
    category_names: Vec<(u16, String)>,
}

const EMPTY: u32 = u32::MAX;

impl Table {
    fn with_capacity(n: usize) -> Table {
        let size = (n.max(8) * 2).next_power_of_two();
        Table {
            slots: vec![EMPTY; size],
            entries: Vec::with_capacity(n),
            category_names: Vec::new(),
        }
    }

    fn slot_of(&self, key: u32) -> (usize, Option<usize>) {
        let mask = self.slots.len() - 1;
        let mut at = (key.wrapping_mul(0x9e37_79b9) as usize) & mask;
        loop {
            match self.slots.get(at).copied() {
                Some(EMPTY) | None => return (at, None),
                Some(e) if self.entries.get(e as usize).is_some_and(|x| x.key == key) => {
                    return (at, Some(e as usize));
                }
                Some(_) => at = (at + 1) & mask,
            }
        }
    }

    fn insert(&mut self, key: u32) {
        if self.entries.len() * 2 >= self.slots.len() {
            self.rehash();
        }
        let (slot, existing) = self.slot_of(key);
        if existing.is_none() {
            if let Some(s) = self.slots.get_mut(slot) {
                *s = self.entries.len() as u32;
            }
            self.entries.push(Entry {
                key,
                score: 0.0,
                best: 0.0,
                driver: Driver::None,
            });
        }
    }

    fn rehash(&mut self) {
        self.slots = vec![EMPTY; self.slots.len() * 2];
        let mask = self.slots.len() - 1;
        for (i, e) in self.entries.iter().enumerate() {
            let mut at = (e.key.wrapping_mul(0x9e37_79b9) as usize) & mask;
            while self.slots.get(at).is_some_and(|&s| s != EMPTY) {
                at = (at + 1) & mask;
            }
            if let Some(s) = self.slots.get_mut(at) {
                *s = i as u32;
            }
        }
    }

    fn entry(&mut self, key: u32, grow: bool) -> Option<&mut Entry> {
        let (_, existing) = self.slot_of(key);
        let index = match existing {
            Some(i) => i,
            None if grow => {
                self.insert(key);
                self.entries.len() - 1
            }
            None => return None,
        };
        self.entries.get_mut(index)
    }

    fn get(&self, key: u32) -> Option<&Entry> {
        let (_, existing) = self.slot_of(key);
        existing.and_then(|i| self.entries.get(i))
    }

    /// The reason for an entry's score: its largest contribution.
    fn reason(&self, entry: &Entry, seeds: &[Seed]) -> Reason {
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
            Driver::Category(c) => self.category_names.iter().find(|(i, _)| *i == c).map_or(
                Reason::MerchantOrder,
                |(_, name)| Reason::Category {
                    category: name.clone(),
                },
            ),
        }
    }
}
