//! The exported engine: one per page, driven by the JS façade.

use shelfwise_core::beacon::{self, Event as Beacon, Kind as BeaconKind, Order, Page, Visit};
use shelfwise_core::context::{Context, DayPart, DeviceClass, ReferrerClass, primary_language};
use shelfwise_core::exit::{Detector, Input, Policy, Sensitivity, Shown, Viewport};
use shelfwise_core::experiment::{Arm, Assignment, DEFAULT_STICKY_MS};
use shelfwise_core::model::{ITEM_SENSITIVE, Model};
use shelfwise_core::profile::{DEFAULT_RETENTION_MS, EventKind, Profile};
use shelfwise_core::rank::{
    Exclusion, Focus, RankOptions, Reason, arrange, merchant_order, recommend,
};
use wasm_bindgen::prelude::*;

use crate::boundary::{ExitInput, ExitReason, ExitVerdict, Placement};
use crate::dom::{Kind, Widget};
use crate::storage::{Fallback, Store};
use crate::{clock, props};

/// Where the profile is stored (every key is `shelfwise:`, version, name).
const PROFILE_KEY: &str = "shelfwise:v1:profile";
/// When exit-intent prompts were shown (the frequency caps' memory).
const EXIT_KEY: &str = "shelfwise:v1:exit";
/// The experiment draw and when it was made.
const ARM_KEY: &str = "shelfwise:v1:arm";
/// The current visit's random id and last activity.
const VISIT_KEY: &str = "shelfwise:v1:visit";

/// Failure classes, each warned about at most once per page.
#[derive(Clone, Copy)]
#[repr(u32)]
enum Warning {
    StorageBlocked = 1,
    StorageFull = 2,
    Widget = 4,
    BadLimit = 8,
    WidgetChanged = 16,
    BadEvent = 32,
}

/// The Shelfwise engine: the local profile, the model and the widgets.
///
/// Created by the JS façade with [`Engine::new`]; every method but
/// [`Engine::load_model`] returns normally whatever the input.
#[wasm_bindgen]
pub struct Engine {
    profile: Profile,
    model: Option<Model<Vec<u8>>>,
    store: Store,
    retention_ms: u64,
    warned: u32,
    last_ids: String,
    last_because: String,
    exit: Option<ExitState>,
    arm: Arm,
    /// The experiment draw, saved again when storage becomes persistent.
    assignment: Option<Assignment>,
    /// Categories the merchant marked sensitive: never recorded.
    sensitive: Vec<String>,
    page: Page,
    /// Beacon events not yet taken by the JS outbox, one JSON object per
    /// line; `None` while beacons are off (no collector, no consent).
    beacons: Option<String>,
}

/// Exit-intent detection on this page.
struct ExitState {
    detector: Detector,
    policy: Policy,
    page_started_ms: u64,
    cart_lines: u32,
}

/// Separates ids in the packed `rank` input and outputs.
const SEPARATOR: char = '\u{1e}';

#[wasm_bindgen]
impl Engine {
    /// Opens the profile: from `localStorage` when `persistent` (consent
    /// granted) and the browser allows it, in memory otherwise. Entries older
    /// than `retention_days` (default 30 when 0) are purged.
    #[wasm_bindgen(constructor)]
    pub fn new(persistent: bool, retention_days: u32) -> Engine {
        let retention_ms = match retention_days {
            0 => DEFAULT_RETENTION_MS,
            days => u64::from(days) * 24 * 60 * 60 * 1000,
        };
        let (store, fallback) = Store::open(persistent);
        let stored = store.get(PROFILE_KEY).unwrap_or_default();
        let mut engine = Engine {
            profile: Profile::decode(&stored, clock::now_ms(), retention_ms),
            model: None,
            store,
            retention_ms,
            warned: 0,
            last_ids: String::new(),
            last_because: String::new(),
            exit: None,
            arm: Arm::Personalized,
            assignment: None,
            sensitive: Vec::new(),
            page: Page::Other,
            beacons: None,
        };
        if fallback == Some(Fallback::Blocked) {
            engine.warn_once(
                Warning::StorageBlocked,
                "shelfwise: localStorage is unavailable; personalization lasts for this page only",
            );
        }
        engine
    }

    /// Validates and installs a model file.
    ///
    /// # Errors
    ///
    /// Throws an `Error` saying what is wrong with the bytes (not a model,
    /// unsupported version, truncated, corrupt); the previous model, if any,
    /// stays in use.
    #[wasm_bindgen(js_name = loadModel)]
    pub fn load_model(&mut self, bytes: Vec<u8>) -> Result<u32, JsError> {
        let model = Model::decode(bytes).map_err(|e| JsError::new(e.as_str()))?;
        let items = model.item_count();
        self.model = Some(model);
        // Items the model flags sensitive may have been recorded before it
        // arrived: they go now.
        self.forget_sensitive();
        Ok(items)
    }

    /// Records a Segment or GA4 e-commerce event. Returns `false` when the
    /// event was not one Shelfwise learns from, or named no product.
    pub fn track(&mut self, name: &str, properties: JsValue) -> bool {
        let Some(kind) = EventKind::from_name(name) else {
            return false;
        };
        let now = clock::now_ms();
        let products = props::products(&properties);
        let recorded = if products.is_empty() {
            self.profile.record(kind, "", None, 0.0, now)
        } else {
            let mut any = false;
            for p in &products {
                // A sensitive product is taken as handled, and not kept.
                any |= self.is_sensitive(&p.id, p.category.as_deref())
                    || self
                        .profile
                        .record(kind, &p.id, p.category.as_deref(), p.price, now);
            }
            any
        };
        match kind {
            EventKind::AddToCart => self.emit(BeaconKind::AddToCart, None, None, None),
            EventKind::Purchase => {
                let order = props::order(&properties);
                self.emit(BeaconKind::Order, None, None, order);
                if self.exit_shown_in_visit() {
                    self.emit(BeaconKind::ExitConverted, None, None, order);
                }
            }
            _ => {}
        }
        if !recorded {
            self.warn_once(
                Warning::BadEvent,
                "shelfwise: an event named no usable product id; ignored",
            );
        }
        self.save();
        recorded
    }

    /// Records a `dataLayer` entry if it is a GA4 e-commerce event.
    #[wasm_bindgen(js_name = dataLayer)]
    pub fn data_layer(&mut self, entry: JsValue) -> bool {
        match props::data_layer_event(&entry) {
            Some((name, params)) if EventKind::from_name(&name).is_some() => {
                self.track(&name, params)
            }
            _ => false,
        }
    }

    /// Records the page: its context, and a view of every product it
    /// declares with `data-shelfwise-view`. Returns the number of views.
    #[wasm_bindgen(js_name = trackPage)]
    pub fn track_page(&mut self) -> u32 {
        let now = clock::now_ms();
        self.profile.begin_page(page_context(), now);
        let mut views = 0;
        for (id, category, price) in crate::dom::page_items() {
            if !self.is_sensitive(&id, category.as_deref())
                && self
                    .profile
                    .record(EventKind::View, &id, category.as_deref(), price, now)
            {
                views += 1;
            }
        }
        self.save();
        views
    }

    /// Ranks `ids` (the merchant's order, joined by U+001E) for the shopper.
    /// `kind` is a widget kind; `anchor` the item for `similar`.
    ///
    /// Returns `[position, reason, score]` triples, best first, the reason
    /// as a code ([`rank_reasons`] names them); [`Engine::last_because`] has
    /// the items behind them. Packed so that one call crosses the JS
    /// boundary twice, not once per item.
    pub fn rank(&mut self, ids: &str, kind: &str, anchor: Option<String>) -> Vec<f32> {
        let ids: Vec<&str> = if ids.is_empty() {
            Vec::new()
        } else {
            ids.split(SEPARATOR).collect()
        };
        let options = RankOptions::new(clock::now_ms())
            .with_focus(focus(Kind::from_name(kind), anchor.as_deref()));
        let ranked = arrange(self.model.as_ref(), &self.profile, self.arm, &ids, &options)
            .unwrap_or_else(|| merchant_order(ids.len()));
        self.last_because.clear();
        let mut out = Vec::with_capacity(ranked.len() * 3);
        for (i, r) in ranked.iter().enumerate() {
            let code = explain(i, &r.reason, ids.get(r.item), &mut self.last_because);
            out.extend([r.item as f32, f32::from(code), r.score]);
        }
        out
    }

    /// Recommends up to `limit` items from the model, best first, as
    /// `[reason, score]` pairs; [`Engine::last_ids`] has their ids and
    /// [`Engine::last_because`] the items behind them.
    pub fn recommend(&mut self, kind: &str, anchor: Option<String>, limit: u32) -> Vec<f32> {
        self.last_ids.clear();
        self.last_because.clear();
        let Some(model) = self
            .model
            .as_ref()
            .filter(|_| self.arm == Arm::Personalized)
        else {
            return Vec::new();
        };
        let options = RankOptions::new(clock::now_ms())
            .with_focus(focus(Kind::from_name(kind), anchor.as_deref()));
        let picks = recommend(model, &self.profile, &options, limit as usize);
        let mut out = Vec::with_capacity(picks.len() * 2);
        for (i, r) in picks.iter().enumerate() {
            if i > 0 {
                self.last_ids.push(SEPARATOR);
            }
            let id = model.item_id(r.item).unwrap_or_default();
            self.last_ids.push_str(id);
            let code = explain(i, &r.reason, Some(&id), &mut self.last_because);
            out.extend([f32::from(code), r.score]);
        }
        out
    }

    /// The ids of the last [`Engine::recommend`] call, joined by U+001E.
    #[wasm_bindgen(js_name = lastIds)]
    pub fn last_ids(&self) -> String {
        self.last_ids.clone()
    }

    /// For the last `rank` or `recommend` call, the profile item (or
    /// category) behind each result, joined by U+001E (empty when none).
    #[wasm_bindgen(js_name = lastBecause)]
    pub fn last_because(&self) -> String {
        self.last_because.clone()
    }

    /// Reorders one widget container in place.
    pub fn reorder(&mut self, element: JsValue) -> Placement {
        let Some(element) = props::element(&element) else {
            return Placement::Untouched;
        };
        let (widget, bad_limit) = match Widget::read(&element) {
            Ok(read) => read,
            Err(malformed) => {
                self.warn_once(Warning::Widget, malformed.message());
                return Placement::Untouched;
            }
        };
        if bad_limit {
            self.warn_once(
                Warning::BadLimit,
                "shelfwise: data-shelfwise-limit is not a positive integer; ignored",
            );
        }
        let options = RankOptions::new(clock::now_ms())
            .with_focus(focus(Some(widget.kind), widget.anchor.as_deref()));
        // As `&str`s, like `rank()`'s: one copy of the ranking code in the wasm.
        let ids: Vec<&str> = widget.ids.iter().map(String::as_str).collect();
        let Some(ranked) = arrange(self.model.as_ref(), &self.profile, self.arm, &ids, &options)
        else {
            // No model: the widget stays exactly as the merchant wrote it.
            return Placement::Merchant;
        };
        let personal = ranked.iter().any(|r| r.reason != Reason::MerchantOrder);
        let order: Vec<usize> = ranked.iter().map(|r| r.item).collect();
        let outcome = if personal {
            Placement::Personalized
        } else {
            Placement::Merchant
        };
        if widget.apply(&order) {
            outcome
        } else {
            self.warn_once(
                Warning::WidgetChanged,
                "shelfwise: a widget changed while it was being reordered; left as it was",
            );
            Placement::Untouched
        }
    }

    /// Whether a model is installed.
    #[wasm_bindgen(js_name = hasModel)]
    pub fn has_model(&self) -> bool {
        self.model.is_some()
    }

    /// Whether the profile persists across pages (`localStorage` in use).
    #[wasm_bindgen(js_name = isPersistent)]
    pub fn is_persistent(&self) -> bool {
        self.store.is_persistent()
    }

    /// What Shelfwise keeps on this device, as readable JSON: the profile
    /// (decoded), the experiment arm, whether storage persists
    /// (`localStorage`) or lasts for the page, and every key it holds with
    /// its value.
    #[wasm_bindgen(js_name = exportData)]
    pub fn export_data(&self) -> String {
        let mut out = String::from("{\"profile\":");
        out.push_str(&self.profile.export_json(clock::now_ms()));
        out.push_str(",\"arm\":\"");
        out.push_str(self.arm.as_str());
        out.push_str("\",\"persistent\":");
        out.push_str(if self.store.is_persistent() {
            "true"
        } else {
            "false"
        });
        out.push_str(",\"stored\":{");
        for (i, (key, value)) in self.store.entries().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            shelfwise_core::json::push_string(&mut out, key);
            out.push(':');
            shelfwise_core::json::push_string(&mut out, value);
        }
        out.push_str("}}");
        out
    }

    /// Erases everything Shelfwise keeps on this device: every
    /// `shelfwise:` key and the in-memory profile.
    pub fn forget(&mut self) {
        self.store.clear();
        self.profile = Profile::new();
    }

    /// Switches between persistent and in-memory storage (consent granted or
    /// not). Leaving persistence erases the stored keys and the profile at
    /// once; entering it saves the profile learned so far.
    #[wasm_bindgen(js_name = setPersistent)]
    pub fn set_persistent(&mut self, persistent: bool) {
        if persistent == self.store.is_persistent() {
            return;
        }
        if !persistent {
            // Withdrawal forgets: the stored keys and what this page learned.
            self.forget();
        }
        let (store, fallback) = Store::open(persistent);
        self.store = store;
        if fallback == Some(Fallback::Blocked) {
            self.warn_once(
                Warning::StorageBlocked,
                "shelfwise: localStorage is unavailable; personalization lasts for this page only",
            );
        }
        if persistent {
            self.save();
            if let Some(a) = self.assignment {
                let _ = self.store.set(ARM_KEY, &a.to_text());
            }
        }
    }

    fn save(&mut self) {
        self.profile.purge(clock::now_ms(), self.retention_ms);
        let text = self.profile.encode();
        if self.store.set(PROFILE_KEY, &text) == Some(Fallback::WriteFailed) {
            self.warn_once(
                Warning::StorageFull,
                "shelfwise: localStorage refused a write (full?); personalization lasts for this page only",
            );
        }
    }

    /// Queues one beacon event for this page's arm and page type, in the
    /// current visit (renewed after 30 idle minutes).
    fn emit(
        &mut self,
        kind: BeaconKind,
        widget: Option<beacon::Widget>,
        position: Option<u32>,
        order: Option<Order>,
    ) {
        if self.beacons.is_none() {
            return;
        }
        let now = clock::now_ms();
        let [a, b, c, d, e, f] = random_words::<6>();
        let stored = self.store.get(VISIT_KEY).and_then(|t| Visit::parse(&t));
        let visit = Visit::resume(stored, u64::from(e) << 32 | u64::from(f), now);
        let _ = self.store.set(VISIT_KEY, &visit.to_text());
        let id = u128::from(a) << 96 | u128::from(b) << 64 | u128::from(c) << 32 | u128::from(d);
        let mut event = Beacon::new(kind, self.arm, self.page, id, visit.id, now);
        event.widget = widget;
        event.position = position;
        event.order = order;
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

    /// Whether an item is sensitive (see [`is_sensitive`]).
    fn is_sensitive(&self, item: &str, category: Option<&str>) -> bool {
        is_sensitive(&self.sensitive, self.model.as_ref(), item, category)
    }

    /// Whether an exit-intent prompt was shown (or, in the holdout, would
    /// have been) in this visit.
    fn exit_shown_in_visit(&self) -> bool {
        let shown = Shown::parse(&self.store.get(EXIT_KEY).unwrap_or_default());
        shown.count_since(self.profile.visit_started_ms()) > 0
    }

    fn warn_once(&mut self, class: Warning, message: &str) {
        if self.warned & class as u32 == 0 {
            self.warned |= class as u32;
            web_sys::console::warn_1(&JsValue::from_str(message));
        }
    }
}

#[wasm_bindgen]
impl Engine {
    /// Starts exit-intent detection with a named sensitivity (`low`,
    /// `medium`, `high`) for a viewport of `width` × `height`, and the
    /// default policy. An unknown name starts nothing and returns `false`.
    #[wasm_bindgen(js_name = exitStart)]
    pub fn exit_start(&mut self, sensitivity: &str, width: f32, height: f32) -> bool {
        let Some(preset) = Sensitivity::from_name(sensitivity) else {
            return false;
        };
        let now = clock::now_ms();
        self.exit = Some(ExitState {
            detector: Detector::new(preset.thresholds(), Viewport { width, height }, now),
            policy: Policy::default(),
            page_started_ms: now,
            cart_lines: 0,
        });
        true
    }

    /// Feeds one page input to the detector (see [`ExitInput`] for `a` and
    /// `b`). Returns why exit intent triggered, if it did.
    #[wasm_bindgen(js_name = exitInput)]
    pub fn exit_input(&mut self, input: ExitInput, a: f32, b: f32) -> Option<ExitReason> {
        let now = clock::now_ms();
        let cart = self.profile.cart().len() as u32;
        let exit = self.exit.as_mut()?;
        if exit.cart_lines != cart {
            exit.cart_lines = cart;
            exit.detector.input(now, Input::Cart(cart));
        }
        let input = match input {
            ExitInput::PointerMove => Input::PointerMove { x: a, y: b },
            ExitInput::PointerLeave => Input::PointerLeave { x: a, y: b },
            ExitInput::PointerDown => Input::PointerDown { x: a, y: b },
            ExitInput::PointerUp => Input::PointerUp,
            ExitInput::Scroll => Input::Scroll { y: a },
            ExitInput::Typing => Input::Typing,
            ExitInput::FieldFocus => Input::FieldFocus(a != 0.0),
            ExitInput::Hidden => Input::Hidden(a != 0.0),
            ExitInput::Tick => Input::Tick,
            ExitInput::Resize => {
                exit.detector.resize(Viewport {
                    width: a,
                    height: b,
                });
                return None;
            }
        };
        exit.detector.input(now, input).map(ExitReason::from)
    }

    /// Shows a prompt if the policy allows it now, and records it for the
    /// frequency caps; `suppressed` is the caller's veto (consent, merchant).
    /// The holdout arm records the prompt and its beacon all the same, and
    /// is told [`ExitVerdict::Suppressed`].
    #[wasm_bindgen(js_name = exitShow)]
    pub fn exit_show(&mut self, suppressed: bool) -> ExitVerdict {
        let Some(exit) = &self.exit else {
            return ExitVerdict::Suppressed;
        };
        let now = clock::now_ms();
        let visit = self.profile.visit_started_ms();
        let bought = self.profile.purchases().iter().any(|p| p.1 >= visit);
        let mut shown = Shown::parse(&self.store.get(EXIT_KEY).unwrap_or_default());
        let verdict = exit.policy.check(
            &shown,
            now,
            exit.page_started_ms,
            visit,
            suppressed || bought,
        );
        if let Err(why) = verdict {
            return why.into();
        }
        // The holdout counts the prompt it would have seen, caps included,
        // so that recovery compares like with like; it sees nothing.
        shown.record(now);
        let _ = self.store.set(EXIT_KEY, &shown.to_text());
        self.emit(BeaconKind::ExitShown, None, None, None);
        match self.arm {
            Arm::Personalized => ExitVerdict::Shown,
            Arm::Holdout => ExitVerdict::Suppressed,
        }
    }

    /// Assigns this browser's experiment arm — `holdout` is the share of
    /// browsers held out (0..=1), kept for `sticky_days` (default 30 when
    /// 0) — and notes the page type (`data-shelfwise-page`; unknown names
    /// count as `other`). Returns `true` for the holdout.
    #[wasm_bindgen(js_name = startExperiment)]
    pub fn start_experiment(&mut self, holdout: f64, sticky_days: u32, page: &str) -> bool {
        let sticky_ms = match sticky_days {
            0 => DEFAULT_STICKY_MS,
            days => u64::from(days) * 24 * 60 * 60 * 1000,
        };
        let stored = self.store.get(ARM_KEY).and_then(|t| Assignment::parse(&t));
        let [draw, ..] = random_words::<1>();
        let assignment = Assignment::renew(stored, draw, clock::now_ms(), sticky_ms);
        if stored != Some(assignment) {
            let _ = self.store.set(ARM_KEY, &assignment.to_text());
        }
        self.arm = assignment.arm(holdout);
        self.assignment = Some(assignment);
        self.page = Page::from_name(page).unwrap_or(Page::Other);
        self.arm == Arm::Holdout
    }

    /// Ends this browser's experiment: it is nobody's arm, is personalized,
    /// and its stored draw is erased. For a page where measurement is not
    /// allowed (no consent to it, Global Privacy Control): a holdout nobody
    /// measures would only cost the shopper personalization.
    #[wasm_bindgen(js_name = endExperiment)]
    pub fn end_experiment(&mut self) {
        self.arm = Arm::Personalized;
        self.assignment = None;
        self.store.remove(ARM_KEY);
    }

    /// The categories the merchant marks sensitive (joined by U+001E): their
    /// items are never recorded, and what was recorded of them is erased.
    #[wasm_bindgen(js_name = setSensitiveCategories)]
    pub fn set_sensitive_categories(&mut self, categories: &str) {
        self.sensitive = categories
            .split(SEPARATOR)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        self.forget_sensitive();
    }

    /// Turns beacons on (a collector is configured and consent granted) or
    /// off, discarding what was not taken yet.
    #[wasm_bindgen(js_name = setBeacons)]
    pub fn set_beacons(&mut self, on: bool) {
        self.beacons = on.then(String::new);
    }

    /// Queues a beacon the page layer observes: `page_view`, `exposure` or
    /// `click` (of a `widget` kind, at a 1-based `position`), `exit_cta`.
    /// Anything malformed is dropped.
    pub fn beacon(&mut self, kind: &str, widget: &str, position: u32) {
        let Some(kind) = BeaconKind::from_name(kind) else {
            return;
        };
        let widget = beacon::Widget::from_name(widget);
        self.emit(kind, widget, (position > 0).then_some(position), None);
    }

    /// The beacon events queued since the last call, one JSON object per line.
    #[wasm_bindgen(js_name = takeBeacons)]
    pub fn take_beacons(&mut self) -> String {
        self.beacons
            .as_mut()
            .map(core::mem::take)
            .unwrap_or_default()
    }

    /// The item most recently put in the cart, if any.
    #[wasm_bindgen(js_name = lastCartItem)]
    pub fn last_cart_item(&self) -> Option<String> {
        self.profile.cart().last().map(|l| l.item.clone())
    }

    /// The shopper's categories, strongest affinity first, joined by U+001E.
    pub fn affinities(&self) -> String {
        // At most 20 categories: an insertion keeps the wasm free of a
        // sort routine for these pairs.
        let mut scores: Vec<(&str, f32)> = Vec::new();
        for (name, score) in self.profile.affinity_scores(clock::now_ms()) {
            let at = scores
                .iter()
                .position(|s| score > s.1 || (score == s.1 && name < s.0))
                .unwrap_or(scores.len());
            scores.insert(at, (name, score));
        }
        let names: Vec<&str> = scores.iter().map(|s| s.0).collect();
        names.join("\u{1e}")
    }
}

/// Whether an item is sensitive: its category is one the merchant marked,
/// or the model flags it.
fn is_sensitive(
    categories: &[String],
    model: Option<&Model<Vec<u8>>>,
    item: &str,
    category: Option<&str>,
) -> bool {
    category.is_some_and(|c| categories.iter().any(|s| s == c))
        || model.is_some_and(|m| {
            m.item_index(item)
                .is_some_and(|i| m.flags(i) & ITEM_SENSITIVE != 0)
        })
}

/// `N` random words from the browser's CSPRNG (`Math.random` where
/// `crypto` is missing): beacon ids and the experiment draw.
fn random_words<const N: usize>() -> [u32; N] {
    let mut bytes = [0u8; 64];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    let mut words = [0u32; N];
    for (i, word) in words.iter_mut().enumerate() {
        *word = if filled {
            bytes
                .get(4 * i..4 * i + 4)
                .and_then(|b| b.try_into().ok())
                .map_or(0, u32::from_le_bytes)
        } else {
            (js_sys::Math::random() * 4_294_967_296.0) as u32
        };
    }
    words
}

/// What drives the ranking of a widget kind; an unknown kind name (from
/// `rank()`) ranks by the whole profile.
fn focus(kind: Option<Kind>, anchor: Option<&str>) -> Focus<'_> {
    match (kind, anchor) {
        (Some(Kind::Similar), Some(anchor)) => Focus::Anchor(anchor),
        (Some(Kind::BoughtTogether), _) => Focus::Cart,
        (Some(Kind::RecentlyViewed), _) => Focus::RecentlyViewed,
        _ => Focus::Profile,
    }
}

/// Why a ranked item is where it is. In the packed output of
/// [`Engine::rank`] and [`Engine::recommend`] it travels as its index in
/// [`WHY`], the names the JS API shows ([`rank_reasons`]).
#[derive(Clone, Copy)]
enum Why {
    Merchant,
    Similar,
    Revisit,
    Category,
    Purchased,
    Sensitive,
    OutOfStock,
}

/// The names of [`Why`]'s variants, in their order.
const WHY: [&str; 7] = [
    "merchant",
    "similar",
    "revisit",
    "category",
    "purchased",
    "sensitive",
    "out-of-stock",
];

/// The names of the reason codes in the output of `rank` and `recommend`,
/// joined by U+001E: code `i` is name `i`.
#[wasm_bindgen(js_name = rankReasons)]
pub fn rank_reasons() -> String {
    WHY.join(&SEPARATOR.to_string())
}

/// Appends the item behind the `index`-th result's `reason` to `because`
/// (separated from the previous one) and returns the reason's code (see
/// [`Why`]).
fn explain(index: usize, reason: &Reason, id: Option<&&str>, because: &mut String) -> u8 {
    if index > 0 {
        because.push(SEPARATOR);
    }
    let (why, behind) = match reason {
        Reason::MerchantOrder => (Why::Merchant, None),
        Reason::Similar { item, .. } => (Why::Similar, Some(item.as_str())),
        Reason::Revisit { .. } => (Why::Revisit, id.copied()),
        Reason::Category { category } => (Why::Category, Some(category.as_str())),
        Reason::Excluded(Exclusion::Purchased) => (Why::Purchased, None),
        Reason::Excluded(Exclusion::Sensitive) => (Why::Sensitive, None),
        Reason::Excluded(Exclusion::OutOfStock) => (Why::OutOfStock, None),
    };
    because.push_str(behind.unwrap_or_default());
    why as u8
}

/// The context of the current page, read from the browser.
fn page_context() -> Context {
    let Some(window) = web_sys::window() else {
        return Context::default();
    };
    let navigator = window.navigator();
    let width = window
        .inner_width()
        .ok()
        .and_then(|w| w.as_f64())
        .unwrap_or(0.0);
    let (hour, weekday) = clock::local_hour_and_weekday();
    let location = window.location();
    let referrer = window.document().map(|d| d.referrer()).unwrap_or_default();
    Context {
        device: DeviceClass::classify(width, navigator.max_touch_points() > 0),
        day_part: DayPart::from_hour(hour),
        weekday,
        referrer: ReferrerClass::classify(
            &referrer,
            &location.search().unwrap_or_default(),
            &location.hostname().unwrap_or_default(),
        ),
        language: primary_language(&navigator.language().unwrap_or_default()),
    }
}
