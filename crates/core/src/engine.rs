//! One page's engine: the shopper's profile, the model, the experiment arm,
//! beacons and exit intent — and every decision about them.
//!
//! The browser binding gives it a [`Host`] (storage, clock, randomness) and
//! what it read from the page, and converts what comes back; the decisions
//! are all here, tested natively:
//!
//! - **arm gating**: the holdout sees the merchant's order in widgets, no
//!   recommendations, the default banner and no pop-up (its prompts are
//!   counted, for a fair comparison);
//! - **sensitivity**: items of a category the merchant marks sensitive, or
//!   that the model flags, are never recorded, and are erased when learnt of;
//! - **beacons**: which outcomes become which events, in one visit;
//! - **one visit**: the profile's (30 idle minutes end it); the beacons'
//!   visit id follows it;
//! - **focus and affinity order** of each widget kind and banner;
//! - **retention and consent**: what is kept, for how long, and what
//!   withdrawal erases.
//!
//! ```
//! use shelfwise_core::engine::{Engine, MemoryHost};
//! use shelfwise_core::profile::EventKind;
//!
//! let mut engine = Engine::new(MemoryHost::new(1_700_000_000_000), true, 0);
//! engine.track(EventKind::View, &[("sku-1", Some("Tea"), 4.5)], None);
//! assert_eq!(engine.banner_categories(), ["Tea"]);
//! ```

use crate::beacon::{self, Event, Order, Outcome, Page, Variant, Visit, Widget};
use crate::context::Context;
use crate::exit::{Detector, Input, Policy, Sensitivity, Shown, Suppressed, Trigger, Viewport};
use crate::experiment::{Arm, Assignment, DEFAULT_HOLDOUT, DEFAULT_STICKY_MS};
use crate::model::sharded::{FileKind, Want};
use crate::model::{DecodeError, ITEM_SENSITIVE, Lookup, Source};
use crate::profile::{DEFAULT_RETENTION_MS, EventKind, Profile};
use crate::rank::{
    Exclusion, Focus, PREFERRED_CATEGORY, RankOptions, Ranked, Reason, Recommendation, arrange,
    merchant_order, recommend,
};
use crate::rule::{Rule, RuleError};
use crate::segment::Segments;

/// Where the profile is stored (every key is `shelfwise:`, version, name).
const PROFILE_KEY: &str = "shelfwise:v1:profile";
/// When exit-intent prompts were shown (the frequency caps' memory).
const EXIT_KEY: &str = "shelfwise:v1:exit";
/// The experiment draw and when it was made.
const ARM_KEY: &str = "shelfwise:v1:arm";
/// The beacons' visit: its random id and when it started.
const VISIT_KEY: &str = "shelfwise:v1:visit";
const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// What the page layer keeps on the device through the engine — under
/// Shelfwise's keys, in the host's storage, so that consent, `forget()` and
/// `export()` cover it like the profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    /// Beacon events not delivered yet (the outbox).
    Outbox,
    /// Product names seen, for a pop-up that names the cart's item.
    Names,
}

impl Kept {
    /// The name the page layer uses: `outbox`, `names`.
    pub fn from_name(name: &str) -> Option<Kept> {
        match name {
            "outbox" => Some(Kept::Outbox),
            "names" => Some(Kept::Names),
            _ => None,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Kept::Outbox => "shelfwise:v1:outbox",
            Kept::Names => "shelfwise:v1:names",
        }
    }
}

/// What the page gives the engine: storage, a clock and randomness.
///
/// Storage is the browser's `localStorage` when the shopper consented and
/// the browser allows it, memory otherwise; the host reports its own
/// failures (a refused write) to the developer.
pub trait Host {
    /// A stored value, absent when unreadable.
    fn get(&self, key: &str) -> Option<String>;
    /// Stores a value (a failure is the host's to report).
    fn set(&mut self, key: &str, value: &str);
    /// Removes one key.
    fn remove(&mut self, key: &str);
    /// Removes every key Shelfwise wrote.
    fn clear(&mut self);
    /// Every key Shelfwise holds, with its value.
    fn entries(&self) -> Vec<(String, String)>;
    /// Switches to persistent storage (when the browser allows it) or to
    /// memory.
    fn persist(&mut self, persistent: bool);
    /// Whether what is stored outlives the page.
    fn is_persistent(&self) -> bool;
    /// The current time, ms since the Unix epoch.
    fn now_ms(&self) -> u64;
    /// Fills `words` with uniformly random words (from a CSPRNG where the
    /// platform has one).
    fn random(&mut self, words: &mut [u32]);
}

/// A [`Host`] in memory, with a clock that moves only when told: for tests,
/// simulations and the native evaluator.
#[derive(Clone, Debug, Default)]
pub struct MemoryHost {
    entries: Vec<(String, String)>,
    persistent: bool,
    now_ms: u64,
    state: u64,
}

impl MemoryHost {
    /// An empty, persistent store at `now_ms`.
    pub fn new(now_ms: u64) -> MemoryHost {
        MemoryHost {
            entries: Vec::new(),
            persistent: true,
            now_ms,
            state: 0x9e37_79b9_7f4a_7c15,
        }
    }

    /// The same store with its randomness drawn from `seed` (every new
    /// host draws the same numbers otherwise: the same ids, the same arm).
    pub fn seeded(mut self, seed: u64) -> MemoryHost {
        self.state ^= seed;
        self
    }

    /// Moves the clock forward.
    pub fn advance(&mut self, ms: u64) {
        self.now_ms += ms;
    }
}

impl Host for MemoryHost {
    fn get(&self, key: &str) -> Option<String> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    fn set(&mut self, key: &str, value: &str) {
        self.remove(key);
        self.entries.push((key.to_owned(), value.to_owned()));
    }

    fn remove(&mut self, key: &str) {
        self.entries.retain(|(k, _)| k != key);
    }

    fn clear(&mut self) {
        self.entries.clear();
    }

    fn entries(&self) -> Vec<(String, String)> {
        self.entries.clone()
    }

    fn persist(&mut self, persistent: bool) {
        if !persistent {
            self.entries.clear();
        }
        self.persistent = persistent;
    }

    fn is_persistent(&self) -> bool {
        self.persistent
    }

    fn now_ms(&self) -> u64 {
        self.now_ms
    }

    fn random(&mut self, words: &mut [u32]) {
        for word in words {
            // splitmix64: deterministic, well spread.
            self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            *word = (z ^ (z >> 31)) as u32;
        }
    }
}

/// One product an event or a page names: id, category, price.
pub type Product<'a> = (&'a str, Option<&'a str>, f64);

/// What an exit-intent trigger led to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitOutcome {
    /// Show the prompt.
    Show,
    /// Nothing is shown, and why.
    Suppressed(Suppressed),
}

/// Exit-intent detection on this page.
struct ExitState {
    detector: Detector,
    policy: Policy,
    cart_lines: u32,
}

/// How a widget shows its items ([`Engine::place`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// Positions into the merchant's order, in the order to show them.
    pub order: Vec<usize>,
    /// Beside `order`: whether each is shown (the rest are hidden). The
    /// shown always come first, so that a page's CSS can give a widget its
    /// final size before Shelfwise runs by hiding the children past its
    /// limit.
    pub show: Vec<bool>,
    /// How the widget is shown, for its exposure; `None` in the holdout.
    pub shown: Option<beacon::Shown>,
}

impl Placement {
    /// The positions shown, in the order shown.
    pub fn visible(&self) -> impl Iterator<Item = usize> + '_ {
        self.order
            .iter()
            .zip(&self.show)
            .filter(|(_, show)| **show)
            .map(|(position, _)| *position)
    }
}

/// Where a file a sharded model needs may come from (see
/// [`Engine::wanted`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fetch {
    /// From the network (or any cache on the way).
    Network,
    /// Only from the device's own cache: asking the network would reveal an
    /// earlier visit's interest.
    Cached,
}

/// What [`Engine::when`] decides for a targeted element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Targeted {
    /// Its rule holds: shown.
    Show,
    /// Its rule does not hold (or the shopper has not consented): hidden.
    Hide,
    /// Its rule holds, but this browser is in the holdout: hidden, as
    /// without Shelfwise — and counted as if seen, for the experiment.
    HeldOut,
}

/// One page's engine (see the [module](self) documentation).
pub struct Engine<H> {
    host: H,
    profile: Profile,
    model: Option<Source>,
    retention_ms: u64,
    /// The shopper allows personalization (consent granted).
    consented: bool,
    arm: Arm,
    /// The experiment draw, saved again when storage becomes persistent.
    assignment: Option<Assignment>,
    /// Categories the merchant marked sensitive: never recorded.
    sensitive: Vec<String>,
    page: Page,
    page_started_ms: u64,
    /// The products this page is about: never recommended on it.
    on_page: Vec<String>,
    /// Beacon events not yet taken, one JSON object per line; `None` while
    /// beacons are off (no collector, no consent to measurement).
    beacons: Option<String>,
    exit: Option<ExitState>,
}

impl<H: Host> Engine<H> {
    /// Opens the profile the host stores. `consented`: the shopper allows
    /// personalization (the host then persists when it can). Entries older
    /// than `retention_days` (default 30 when 0) are purged.
    pub fn new(mut host: H, consented: bool, retention_days: u32) -> Engine<H> {
        let retention_ms = days_ms(retention_days, DEFAULT_RETENTION_MS);
        host.persist(consented);
        let now = host.now_ms();
        let stored = host.get(PROFILE_KEY).unwrap_or_default();
        Engine {
            profile: Profile::decode(&stored, now, retention_ms),
            host,
            model: None,
            retention_ms,
            consented,
            arm: Arm::Personalized,
            assignment: None,
            sensitive: Vec::new(),
            page: Page::Other,
            page_started_ms: now,
            on_page: Vec::new(),
            beacons: None,
            exit: None,
        }
    }

    /// The host.
    pub fn host(&self) -> &H {
        &self.host
    }

    /// The host, to change.
    pub fn host_mut(&mut self) -> &mut H {
        &mut self.host
    }

    /// The shopper's profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The installed model.
    pub fn model(&self) -> Option<&Source> {
        self.model.as_ref()
    }

    /// This browser's arm.
    pub fn arm(&self) -> Arm {
        self.arm
    }

    /// Installs a model; returns its item count. Items it flags sensitive
    /// may have been recorded before it arrived: they go now.
    pub fn install_model(&mut self, model: Source) -> u32 {
        let items = model.item_count();
        self.model = Some(model);
        self.forget_sensitive();
        items
    }

    /// The files a sharded model still needs for this page, each with where
    /// it may come from (see [`Fetch`]); nothing for a whole model or none
    /// at all. Seeds that this visit's pages already named — the page's own
    /// products, `anchors` from its markup, what was viewed or put in the
    /// cart since the visit began — may be fetched: their requests tell the
    /// server nothing the page requests did not. Earlier visits' items may
    /// come only from the device's cache, so that no request reveals a past
    /// interest. Each file once, the fetchable first (see
    /// [`Sharded::wanted`](crate::model::sharded::Sharded::wanted)).
    ///
    /// `candidates`, the items the page's widgets show, are wanted only when
    /// [`Engine::needs_candidates`] says so.
    pub fn wanted(&self, anchors: &[&str], candidates: &[&str]) -> Vec<(Want, Fetch)> {
        let Some(Source::Sharded(sharded)) = &self.model else {
            return Vec::new();
        };
        let profile = &self.profile;
        let since = profile.visit_started_ms();
        let mut visit: Vec<&str> = self.on_page.iter().map(String::as_str).collect();
        visit.extend(anchors);
        if self.needs_candidates() {
            visit.extend(candidates);
        }
        let mut earlier: Vec<&str> = Vec::new();
        let history = profile
            .interactions()
            .iter()
            .rev()
            .map(|i| (i.item.as_str(), i.at_ms));
        let cart = profile.cart().iter().map(|l| (l.item.as_str(), l.added_ms));
        for (item, at_ms) in history.chain(cart).chain(profile.less()) {
            let seeds = if at_ms >= since {
                &mut visit
            } else {
                &mut earlier
            };
            seeds.push(item);
        }
        let mut out: Vec<(Want, Fetch)> = Vec::new();
        for (ids, fetch) in [(&visit, Fetch::Network), (&earlier, Fetch::Cached)] {
            for want in sharded.wanted(ids) {
                if !out.iter().any(|(w, _)| w == &want) {
                    out.push((want, fetch));
                }
            }
        }
        out
    }

    /// Whether ranking needs the model to know the page's candidates
    /// themselves, not only the seeds' neighbours: when the shopper states a
    /// preferred category, every candidate's category counts (see
    /// [`rank`](crate::rank)). A sharded model then loads the candidates'
    /// parts too — they are on the page, so their requests reveal nothing.
    pub fn needs_candidates(&self) -> bool {
        self.profile.preference(PREFERRED_CATEGORY).is_some()
    }

    /// The files a sharded model needs next to reach `items`, which the page
    /// itself shows (its widgets' candidates), all fetchable: with `parts`,
    /// the first missing file of each, index file or part — for an item the
    /// shopper is opening; without, the index files only — loaded while the
    /// browser is idle, they leave whichever of them the shopper opens next
    /// one round trip from its part. None for a whole model.
    pub fn prefetch(&self, items: &[&str], parts: bool) -> Vec<(Want, Fetch)> {
        match &self.model {
            Some(Source::Sharded(sharded)) => sharded
                .wanted(items)
                .into_iter()
                .filter(|w| parts || w.kind != FileKind::Part)
                .map(|w| (w, Fetch::Network))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Takes a file [`Engine::wanted`] asked for (its digest checked by the
    /// caller), or records that it failed (`None`). Items the new part flags
    /// sensitive may have been recorded before: they go now.
    ///
    /// # Errors
    ///
    /// Why the file was refused; it is not asked for again.
    pub fn add_file(&mut self, want: &Want, bytes: Option<Vec<u8>>) -> Result<(), DecodeError> {
        let Some(Source::Sharded(sharded)) = &mut self.model else {
            return Ok(());
        };
        match bytes {
            Some(bytes) => sharded.add(want, bytes)?,
            None => sharded.fail(want),
        }
        self.forget_sensitive();
        Ok(())
    }

    /// Records an e-commerce event naming `products` (none for an event
    /// about the whole cart), with the order it completed. Queues its
    /// beacons: `add_to_cart`; `order`, and `exit_converted` after a prompt
    /// in this visit. Returns `false` when no product was usable.
    pub fn track(
        &mut self,
        kind: EventKind,
        products: &[Product<'_>],
        order: Option<Order>,
    ) -> bool {
        let now = self.host.now_ms();
        let recorded = if products.is_empty() {
            self.profile.record(kind, "", None, 0.0, now)
        } else {
            let mut any = false;
            for &(id, category, price) in products {
                // A sensitive product is taken as handled, and not kept.
                any |= self.is_sensitive(id, category)
                    || self.profile.record(kind, id, category, price, now);
            }
            any
        };
        match kind {
            EventKind::AddToCart => self.emit(Outcome::AddToCart, None, None, None, None, None),
            EventKind::Purchase => {
                self.emit(Outcome::Order, None, None, order, None, None);
                if self.exit_shown_in_visit() {
                    self.emit(Outcome::ExitConverted, None, None, order, None, None);
                }
            }
            _ => {}
        }
        self.save();
        recorded
    }

    /// Starts the page: its context, and a view of every product it
    /// declares (which widgets and recommendations then leave out). Returns
    /// the number of views recorded.
    pub fn begin_page(&mut self, context: Context, products: &[Product<'_>]) -> u32 {
        let now = self.host.now_ms();
        self.page_started_ms = now;
        self.on_page = products.iter().map(|p| p.0.to_owned()).collect();
        self.profile.begin_page(context, now);
        let mut views = 0;
        for &(id, category, price) in products {
            if !self.is_sensitive(id, category)
                && self
                    .profile
                    .record(EventKind::View, id, category, price, now)
            {
                views += 1;
            }
        }
        self.save();
        views
    }

    /// Orders `candidates` (the merchant's order) for a widget of kind
    /// `widget` (`None`: the whole profile) about `anchor`; `None` when they
    /// stay in the merchant's order as written (no model). The page's own
    /// products come last, as [`Exclusion::OnPage`](crate::rank::Exclusion::OnPage).
    pub fn arrange<S: AsRef<str>>(
        &self,
        candidates: &[S],
        widget: Option<Widget>,
        anchor: Option<&str>,
    ) -> Option<Vec<Ranked>> {
        let options = RankOptions::new(self.host.now_ms())
            .with_focus(focus(widget, anchor))
            .with_on_page(&self.on_page);
        arrange(
            self.model.as_ref(),
            &self.profile,
            self.arm,
            candidates,
            &options,
        )
    }

    /// How a widget of kind `widget` shows `candidates` (the merchant's
    /// order): the widget policy on top of [`Engine::arrange`]. The page's
    /// own products are never shown in a widget on their page; a
    /// `recently-viewed` widget shows only what the shopper viewed, unless
    /// the merchant lets their items `fill` it; at most `limit` are shown
    /// (the holdout's too: the experiment measures the ordering, not the
    /// widget's size). Without a model a widget stays as written.
    pub fn place<S: AsRef<str>>(
        &self,
        candidates: &[S],
        widget: Widget,
        anchor: Option<&str>,
        limit: Option<usize>,
        fill: bool,
    ) -> Placement {
        let arranged = self.arrange(candidates, Some(widget), anchor);
        let as_written = arranged.is_none();
        let ranked = arranged.unwrap_or_else(|| merchant_order(candidates.len()));
        let mut room = match limit {
            Some(limit) if !as_written => limit,
            _ => usize::MAX,
        };
        let mut trimmed = false;
        let show = ranked
            .iter()
            .map(|r| {
                let allowed = as_written
                    || match r.reason {
                        Reason::Excluded(Exclusion::OnPage) => false,
                        Reason::Revisit { .. } => true,
                        _ => widget != Widget::RecentlyViewed || fill,
                    };
                trimmed |= !allowed;
                let show = allowed && room > 0;
                room -= usize::from(show);
                show
            })
            .collect();
        let personal = trimmed || ranked.iter().any(|r| r.reason != Reason::MerchantOrder);
        let shown = match self.arm {
            _ if as_written => Some(beacon::Shown::NoModel),
            Arm::Holdout => None,
            Arm::Personalized if personal => Some(beacon::Shown::Personalized),
            Arm::Personalized => Some(beacon::Shown::NoHistory),
        };
        Placement {
            order: ranked.iter().map(|r| r.item).collect(),
            show,
            shown,
        }
    }

    /// Up to `limit` items from the model, best first; none in the holdout
    /// or without a model. The page's own products are left out unless
    /// `include_page`.
    pub fn recommend(
        &self,
        widget: Option<Widget>,
        anchor: Option<&str>,
        limit: usize,
        include_page: bool,
    ) -> Vec<Recommendation> {
        match &self.model {
            Some(model) if self.arm == Arm::Personalized => {
                let on_page: &[String] = if include_page { &[] } else { &self.on_page };
                let options = RankOptions::new(self.host.now_ms())
                    .with_focus(focus(widget, anchor))
                    .with_on_page(on_page);
                recommend(model, &self.profile, &options, limit)
            }
            _ => Vec::new(),
        }
    }

    /// The categories a banner may show, the shopper's strongest first;
    /// none in the holdout or without consent (the merchant's default then).
    pub fn banner_categories(&self) -> Vec<&str> {
        if self.arm == Arm::Holdout || !self.consented {
            return Vec::new();
        }
        // At most 20 categories: an insertion keeps the wasm free of a
        // sort routine for these pairs.
        let mut scores: Vec<(&str, f32)> = Vec::new();
        for (name, score) in self.profile.affinity_scores(self.host.now_ms()) {
            let at = scores
                .iter()
                .position(|s| score > s.1 || (score == s.1 && name < s.0))
                .unwrap_or(scores.len());
            scores.insert(at, (name, score));
        }
        scores.into_iter().map(|s| s.0).collect()
    }

    /// The item most recently put in the cart, if any.
    pub fn last_cart_item(&self) -> Option<&str> {
        self.profile.cart().last().map(|l| l.item.as_str())
    }

    /// What Shelfwise keeps on this device, as readable JSON: the profile
    /// (decoded), the experiment arm, whether storage persists, and every
    /// key it holds with its value.
    pub fn export_json(&self) -> String {
        let mut out = String::from("{\"profile\":");
        out.push_str(&self.profile.export_json(self.host.now_ms()));
        out.push_str(",\"arm\":\"");
        out.push_str(self.arm.as_str());
        out.push_str("\",\"persistent\":");
        out.push_str(if self.host.is_persistent() {
            "true"
        } else {
            "false"
        });
        out.push_str(",\"stored\":{");
        for (i, (key, value)) in self.host.entries().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            crate::json::push_string(&mut out, key);
            out.push(':');
            crate::json::push_string(&mut out, value);
        }
        out.push_str("}}");
        out
    }

    /// The shopper's segments now (see [`segment`](crate::segment)).
    pub fn segments(&self) -> Segments<'_> {
        Segments::of(&self.profile, self.host.now_ms())
    }

    /// Whether an element targeted with `rule` shows on this page: when
    /// the rule holds for the shopper — in the personalized arm, with
    /// consent. The holdout, and a shopper who has not consented, see the
    /// page as the merchant would show it without Shelfwise: targeted
    /// elements hidden. The holdout's [`Targeted::HeldOut`] says the
    /// element would have shown (for its exposure beacon: the experiment
    /// compares like with like).
    ///
    /// # Errors
    ///
    /// The rule does not parse (in any arm): the element stays hidden.
    pub fn when(&self, rule: &str) -> Result<Targeted, RuleError> {
        self.targeted(rule, &self.segments())
    }

    /// [`Engine::when`] for each of a page's `rules`, in order, with the
    /// shopper's segments worked out once for them all.
    pub fn when_all<'r>(
        &self,
        rules: impl IntoIterator<Item = &'r str>,
    ) -> impl Iterator<Item = Result<Targeted, RuleError>> {
        let segments = self.segments();
        rules
            .into_iter()
            .map(move |rule| self.targeted(rule, &segments))
    }

    /// What `rule` decides, given the shopper's `segments` (see
    /// [`Engine::when`]).
    fn targeted(&self, rule: &str, segments: &Segments) -> Result<Targeted, RuleError> {
        let rule = Rule::parse(rule)?;
        Ok(match (self.consented && rule.holds(segments), self.arm) {
            (false, _) => Targeted::Hide,
            (true, Arm::Personalized) => Targeted::Show,
            (true, Arm::Holdout) => Targeted::HeldOut,
        })
    }

    /// States a preference (see
    /// [`Profile::set_preference`](crate::profile::Profile::set_preference)),
    /// kept with the profile; `false` when refused.
    pub fn set_preference(&mut self, key: &str, value: &str) -> bool {
        let set = self.profile.set_preference(key, value);
        if set {
            self.save();
        }
        set
    }

    /// Withdraws a stated preference; `false` when there was none.
    pub fn clear_preference(&mut self, key: &str) -> bool {
        let cleared = self.profile.clear_preference(key);
        if cleared {
            self.save();
        }
        cleared
    }

    /// Marks `item` "not for me" (`less`), or takes the mark back. A
    /// sensitive item is taken as handled, and not kept. `false` for an
    /// unusable id.
    pub fn set_less(&mut self, item: &str, less: bool) -> bool {
        if self.is_sensitive(item, None) {
            return !item.is_empty();
        }
        let set = self.profile.set_less(item, less, self.host.now_ms());
        if set {
            self.save();
        }
        set
    }

    /// Keeps `value` for the page layer (empty: removes it).
    pub fn keep(&mut self, what: Kept, value: &str) {
        if value.is_empty() {
            self.host.remove(what.key());
        } else {
            self.host.set(what.key(), value);
        }
    }

    /// What the page layer kept, if anything.
    pub fn kept(&self, what: Kept) -> Option<String> {
        self.host.get(what.key())
    }

    /// Erases everything Shelfwise keeps on this device: every stored key
    /// and the profile.
    pub fn forget(&mut self) {
        self.host.clear();
        self.profile = Profile::new();
    }

    /// Consent granted (`true`) or withdrawn. Withdrawal erases the stored
    /// keys and what this page learned at once; a grant saves the profile
    /// learned so far, and the arm.
    pub fn set_consent(&mut self, consented: bool) {
        if consented == self.consented {
            return;
        }
        self.consented = consented;
        if !consented {
            self.forget();
        }
        self.host.persist(consented);
        if consented {
            self.save();
            if let Some(a) = self.assignment {
                self.host.set(ARM_KEY, &a.to_text());
            }
        }
    }

    /// Assigns this browser's experiment arm — `holdout` is the share of
    /// browsers held out (0..=1, default 10 %), kept for `sticky_days`
    /// (default 30 when 0) — and the page type. Returns `true` for the
    /// holdout.
    pub fn start_experiment(&mut self, holdout: Option<f64>, sticky_days: u32, page: Page) -> bool {
        let sticky_ms = days_ms(sticky_days, DEFAULT_STICKY_MS);
        let stored = self.host.get(ARM_KEY).and_then(|t| Assignment::parse(&t));
        let mut draw = [0];
        self.host.random(&mut draw);
        let assignment = Assignment::renew(stored, draw[0], self.host.now_ms(), sticky_ms);
        if stored != Some(assignment) {
            self.host.set(ARM_KEY, &assignment.to_text());
        }
        self.arm = assignment.arm(holdout.unwrap_or(DEFAULT_HOLDOUT));
        self.assignment = Some(assignment);
        self.page = page;
        self.arm == Arm::Holdout
    }

    /// Ends this browser's experiment: it is nobody's arm, is personalized,
    /// and its stored draw is erased. For a page where measurement is not
    /// allowed: a holdout nobody measures would only cost the shopper
    /// personalization.
    pub fn end_experiment(&mut self) {
        self.arm = Arm::Personalized;
        self.assignment = None;
        self.host.remove(ARM_KEY);
    }

    /// The categories the merchant marks sensitive: their items are never
    /// recorded, and what was recorded of them is erased.
    pub fn set_sensitive_categories<'a>(&mut self, categories: impl IntoIterator<Item = &'a str>) {
        self.sensitive = categories
            .into_iter()
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        self.forget_sensitive();
    }

    /// Turns beacons on (the page is measured) or off, discarding what was
    /// not taken yet.
    pub fn set_beacons(&mut self, on: bool) {
        self.beacons = on.then(String::new);
    }

    /// Queues a beacon the page observes: a page view, an exposure or a
    /// click (of a `widget`, at a 1-based `position`), a pop-up's call to
    /// action. An exposure in the personalized arm says how the widget was
    /// `shown` (the holdout's says nothing: it always shows the merchant's
    /// order); other kinds never do.
    pub fn beacon(
        &mut self,
        kind: Outcome,
        widget: Option<Widget>,
        position: Option<u32>,
        shown: Option<beacon::Shown>,
        variant: Option<Variant>,
    ) {
        let shown = shown.filter(|_| kind == Outcome::Exposure && self.arm == Arm::Personalized);
        let position = position.filter(|&p| p > 0);
        self.emit(kind, widget, position, None, shown, variant);
    }

    /// The beacon events queued since the last call, one JSON object per line.
    pub fn take_beacons(&mut self) -> String {
        self.beacons
            .as_mut()
            .map(core::mem::take)
            .unwrap_or_default()
    }

    /// Starts exit-intent detection with a sensitivity for a viewport, and
    /// the default policy. Dwell counts from the page's start, however late
    /// detection starts (when the page first asks for exit intent).
    pub fn exit_start(&mut self, sensitivity: Sensitivity, viewport: Viewport) {
        self.exit = Some(ExitState {
            detector: Detector::new(sensitivity.thresholds(), viewport, self.page_started_ms),
            policy: Policy::default(),
            cart_lines: 0,
        });
    }

    /// Feeds one page input to the detector (`None` before
    /// [`Engine::exit_start`]); says whether it shows exit intent.
    pub fn exit_input(&mut self, input: Input) -> Option<Trigger> {
        let now = self.host.now_ms();
        let cart = self.profile.cart().len() as u32;
        let exit = self.exit.as_mut()?;
        if exit.cart_lines != cart {
            exit.cart_lines = cart;
            exit.detector.input(now, Input::Cart(cart));
        }
        exit.detector.input(now, input)
    }

    /// Changes the viewport exit intent is detected in.
    pub fn exit_resize(&mut self, viewport: Viewport) {
        if let Some(exit) = &mut self.exit {
            exit.detector.resize(viewport);
        }
    }

    /// Whether a prompt may show now; records it for the frequency caps if
    /// so. `suppressed` is the caller's veto (consent, merchant); a visit
    /// with an order shows none. The holdout records the prompt and its
    /// beacon all the same, and is told [`Suppressed::ByCaller`].
    pub fn exit_show(&mut self, suppressed: bool) -> ExitOutcome {
        let Some(exit) = &self.exit else {
            return ExitOutcome::Suppressed(Suppressed::ByCaller);
        };
        let now = self.host.now_ms();
        let visit = self.profile.visit_started_ms();
        let bought = self.profile.purchases().iter().any(|p| p.1 >= visit);
        let mut shown = Shown::parse(&self.host.get(EXIT_KEY).unwrap_or_default());
        let verdict = exit.policy.check(
            &shown,
            now,
            self.page_started_ms,
            visit,
            suppressed || bought,
        );
        if let Err(why) = verdict {
            return ExitOutcome::Suppressed(why);
        }
        // The holdout counts the prompt it would have seen, caps included,
        // so that recovery compares like with like; it sees nothing.
        shown.record(now);
        self.host.set(EXIT_KEY, &shown.to_text());
        self.emit(Outcome::ExitShown, None, None, None, None, None);
        match self.arm {
            Arm::Personalized => ExitOutcome::Show,
            Arm::Holdout => ExitOutcome::Suppressed(Suppressed::ByCaller),
        }
    }

    fn save(&mut self) {
        self.profile.purge(self.host.now_ms(), self.retention_ms);
        let text = self.profile.encode();
        self.host.set(PROFILE_KEY, &text);
    }

    /// Queues one beacon event for this page's arm and page type, in the
    /// profile's visit, with the fields its kind carries (the event is
    /// dropped if they do not suit it).
    fn emit(
        &mut self,
        kind: Outcome,
        widget: Option<Widget>,
        position: Option<u32>,
        order: Option<Order>,
        shown: Option<beacon::Shown>,
        variant: Option<Variant>,
    ) {
        if self.beacons.is_none() {
            return;
        }
        let now = self.host.now_ms();
        // An outcome is activity: it keeps the visit alive, or starts one.
        self.profile.touch(now);
        let started = self.profile.visit_started_ms();
        let mut words = [0u32; 6];
        self.host.random(&mut words);
        let [a, b, c, d, e, f] = words.map(u128::from);
        let stored = self.host.get(VISIT_KEY).and_then(|t| Visit::parse(&t));
        let visit = Visit::resume(stored, (e << 32 | f) as u64, started);
        if stored != Some(visit) {
            self.host.set(VISIT_KEY, &visit.to_text());
        }
        let id = a << 96 | b << 64 | c << 32 | d;
        let mut event = Event::new(kind, self.arm, self.page, id, visit.id, now);
        event.widget = widget;
        event.position = position;
        event.order = order;
        event.shown = shown;
        event.variant = variant;
        if let (Some(out), Ok(())) = (self.beacons.as_mut(), event.check()) {
            event.write_json(out);
            out.push('\n');
        }
    }

    /// Erases what the profile holds of sensitive items (saving only if
    /// there was any).
    fn forget_sensitive(&mut self) {
        let sensitive = &self.sensitive;
        let model = self.model.as_ref();
        let removed = self
            .profile
            .forget_sensitive(|item, category| is_sensitive(sensitive, model, item, category));
        if removed {
            self.save();
        }
    }

    fn is_sensitive(&self, item: &str, category: Option<&str>) -> bool {
        is_sensitive(&self.sensitive, self.model.as_ref(), item, category)
    }

    /// Whether an exit-intent prompt was shown (or, in the holdout, would
    /// have been) in this visit.
    fn exit_shown_in_visit(&self) -> bool {
        let shown = Shown::parse(&self.host.get(EXIT_KEY).unwrap_or_default());
        shown.count_since(self.profile.visit_started_ms()) > 0
    }
}

/// `days` in milliseconds; 0 means `default_ms`.
fn days_ms(days: u32, default_ms: u64) -> u64 {
    match days {
        0 => default_ms,
        days => u64::from(days) * DAY_MS,
    }
}

/// Whether an item is sensitive: its category is one the merchant marked,
/// or the model flags it.
fn is_sensitive(
    categories: &[String],
    model: Option<&Source>,
    item: &str,
    category: Option<&str>,
) -> bool {
    category.is_some_and(|c| categories.iter().any(|s| s == c))
        || model
            .and_then(|m| m.find(item))
            .is_some_and(|(part, i)| part.flags(i) & ITEM_SENSITIVE != 0)
}

/// What drives the ranking of a widget kind; no kind (a `rank()` call
/// without one) or a banner ranks by the whole profile.
pub fn focus(widget: Option<Widget>, anchor: Option<&str>) -> Focus<'_> {
    match (widget, anchor) {
        (Some(Widget::Similar), Some(anchor)) => Focus::Anchor(anchor),
        (Some(Widget::BoughtTogether), _) => Focus::Cart,
        (Some(Widget::RecentlyViewed), _) => Focus::RecentlyViewed,
        _ => Focus::Profile,
    }
}
