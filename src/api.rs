//! The exported engine: one per page, driven by the JS façade. It converts
//! what crosses from JS and the page, and calls the core's
//! [`Engine`](shelfwise_core::engine::Engine), which decides.

use shelfwise_core::beacon::{Outcome, Page, Variant, Widget as WidgetKind};
use shelfwise_core::context::{
    Context, DayPart, DeviceClass, ReferrerClass, Season, primary_language,
};
use shelfwise_core::engine::{Engine as Core, ExitOutcome, Fetch, Host as _, Kept};
use shelfwise_core::exit::{Input, Sensitivity, Viewport};
use shelfwise_core::model::Source;
use shelfwise_core::model::sharded::Want;
use shelfwise_core::profile::EventKind;
use shelfwise_core::rank::{Exclusion, Reason, merchant_order};
use shelfwise_core::rule::Rule;
use wasm_bindgen::prelude::*;

use crate::boundary::{ExitInput, ExitReason, ExitVerdict, Shown, Target};
use crate::dom::{self, Widget};
use crate::host::{Browser, Warning};
use crate::{clock, props};

/// The Shelfwise engine: the local profile, the model and the widgets.
///
/// Created by the JS façade with [`Engine::new`]; every method but
/// [`Engine::load_model`] returns normally whatever the input.
#[wasm_bindgen]
pub struct Engine {
    core: Core<Browser>,
    last_ids: String,
    last_because: String,
    /// The files the last [`Engine::wanted_files`] listed, by position.
    wanted: Vec<Want>,
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
        Engine {
            core: Core::new(Browser::new(), persistent, retention_days),
            last_ids: String::new(),
            last_because: String::new(),
            wanted: Vec::new(),
        }
    }

    /// Validates and installs a model file: a whole model, or the manifest
    /// of a sharded one (whose files [`Engine::wanted_files`] then lists).
    /// Returns the model's item count.
    ///
    /// # Errors
    ///
    /// Throws an `Error` saying what is wrong with the bytes (not a model,
    /// unsupported version, truncated, corrupt); the previous model, if any,
    /// stays in use.
    #[wasm_bindgen(js_name = loadModel)]
    pub fn load_model(&mut self, bytes: Vec<u8>) -> Result<u32, JsError> {
        let model = Source::decode(bytes).map_err(|e| JsError::new(e.as_str()))?;
        self.wanted.clear();
        Ok(self.core.install_model(model))
    }

    /// The files a sharded model still needs, to fetch beside the manifest
    /// and hand to [`Engine::add_file`] by position: for this page's seeds
    /// (its products, its widgets' anchors, the shopper's history) or, with
    /// `prefetch`, the index files of every item the page's widgets show
    /// (what the next page is likely to be about). Joined by U+001E, each is `NAME INTEGRITY
    /// FROM`: the file name, its Subresource Integrity metadata, and
    /// `network`, or `cache` when only the device's cache may answer (an
    /// earlier visit's item: a request would reveal it). Empty when nothing
    /// is missing.
    #[wasm_bindgen(js_name = wantedFiles)]
    pub fn wanted_files(&mut self, prefetch: bool) -> String {
        let named = dom::named_items(prefetch);
        let named: Vec<&str> = named.iter().map(String::as_str).collect();
        let wanted = if prefetch {
            self.core.prefetch(&named, false)
        } else if self.core.needs_candidates() {
            let candidates = dom::named_items(true);
            let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
            self.core.wanted(&named, &candidates)
        } else {
            self.core.wanted(&named, &[])
        };
        let out = listed(&wanted);
        self.wanted = wanted.into_iter().map(|(want, _)| want).collect();
        out
    }

    /// The next file the product page of `item` will need (a card the
    /// shopper is opening), as [`Engine::wanted_files`] lists them, without
    /// changing that list: the page asks for it before it goes.
    #[wasm_bindgen(js_name = wantedFor)]
    pub fn wanted_for(&self, item: &str) -> String {
        listed(&self.core.prefetch(&[item], true))
    }

    /// Takes the file at `index` of the last [`Engine::wanted_files`] list,
    /// its integrity already checked, or records that it could not be had
    /// (`undefined`: it is not asked for again on this page). Returns
    /// `false` when the bytes were refused (not a file of this model).
    #[wasm_bindgen(js_name = addFile)]
    pub fn add_file(&mut self, index: u32, bytes: Option<Vec<u8>>) -> bool {
        match self.wanted.get(index as usize) {
            Some(want) => self.core.add_file(want, bytes).is_ok(),
            None => false,
        }
    }

    /// Records a Segment or GA4 e-commerce event. Returns `false` when the
    /// event was not one Shelfwise learns from, or named no product.
    pub fn track(&mut self, name: &str, properties: JsValue) -> bool {
        let Some(kind) = EventKind::from_name(name) else {
            return false;
        };
        let products = props::products(&properties);
        let products = props::borrowed(&products);
        let order = if kind == EventKind::Purchase {
            props::order(&properties)
        } else {
            None
        };
        let recorded = self.core.track(kind, &products, order);
        if !recorded {
            self.warn_once(
                Warning::BadEvent,
                "shelfwise: an event named no usable product id; ignored",
            );
        }
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

    /// Records the page: its context (`time_zone` is the IANA zone the
    /// browser reports, for the season; it is not kept), and a view of every
    /// product it declares with `data-shelfwise-view`. Returns the number of
    /// views.
    #[wasm_bindgen(js_name = trackPage)]
    pub fn track_page(&mut self, time_zone: &str) -> u32 {
        let items = dom::page_items();
        self.core
            .begin_page(page_context(time_zone), &props::borrowed(&items))
    }

    /// The segment terms that hold for the shopper now (`returning`,
    /// `category:tea`, …), joined by U+001E.
    pub fn segments(&self) -> String {
        let terms = self.core.segments().terms();
        joined(&terms.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// Whether the elements targeted with a page's rules, joined by U+001E,
    /// show on this page (see the core's `Engine::when_all`), in order;
    /// `invalid` for a rule that does not parse (see [`Engine::rule_error`]).
    #[wasm_bindgen(js_name = whenAll)]
    pub fn when_all(&self, rules: &str) -> Vec<Target> {
        self.core
            .when_all(rules.split(SEPARATOR))
            .map(|decided| decided.map_or(Target::Invalid, Target::from))
            .collect()
    }

    /// What is wrong with `rule`, and where; nothing for a rule that parses.
    #[wasm_bindgen(js_name = ruleError)]
    pub fn rule_error(&self, rule: &str) -> Option<String> {
        Rule::parse(rule).err().map(|e| e.message())
    }

    /// States a preference of the shopper's; `false` when the key or value
    /// is refused.
    #[wasm_bindgen(js_name = setPreference)]
    pub fn set_preference(&mut self, key: &str, value: &str) -> bool {
        self.core.set_preference(key, value)
    }

    /// Withdraws a stated preference; `false` when there was none.
    #[wasm_bindgen(js_name = clearPreference)]
    pub fn clear_preference(&mut self, key: &str) -> bool {
        self.core.clear_preference(key)
    }

    /// The value of the stated preference `key`, if any.
    pub fn preference(&self, key: &str) -> Option<String> {
        self.core.profile().preference(key).map(str::to_owned)
    }

    /// Whether `item` is marked "not for me".
    #[wasm_bindgen(js_name = isLess)]
    pub fn is_less(&self, item: &str) -> bool {
        self.core.profile().less().any(|(marked, _)| marked == item)
    }

    /// Marks `item` "not for me" (`less`) or takes the mark back; `false`
    /// for an unusable id.
    #[wasm_bindgen(js_name = setLess)]
    pub fn set_less(&mut self, item: &str, less: bool) -> bool {
        self.core.set_less(item, less)
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
        let ranked = self
            .core
            .arrange(&ids, dom::widget_kind(kind), anchor.as_deref())
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
    /// `[reason, score]` pairs, leaving out the page's own products unless
    /// `include_page`; [`Engine::last_ids`] has their ids and
    /// [`Engine::last_because`] the items behind them.
    pub fn recommend(
        &mut self,
        kind: &str,
        anchor: Option<String>,
        limit: u32,
        include_page: bool,
    ) -> Vec<f32> {
        self.last_ids.clear();
        self.last_because.clear();
        let picks = self.core.recommend(
            dom::widget_kind(kind),
            anchor.as_deref(),
            limit as usize,
            include_page,
        );
        let mut out = Vec::with_capacity(picks.len() * 2);
        for (i, r) in picks.iter().enumerate() {
            if i > 0 {
                self.last_ids.push(SEPARATOR);
            }
            self.last_ids.push_str(&r.id);
            let code = explain(i, &r.reason, Some(&r.id.as_str()), &mut self.last_because);
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

    /// Reorders one widget container in place; says how it is shown
    /// (`personalized`, or the merchant's order and why).
    pub fn reorder(&mut self, element: JsValue) -> Shown {
        let Some(element) = props::element(&element) else {
            return Shown::Error;
        };
        let (widget, bad_limit) = match Widget::read(&element) {
            Ok(read) => read,
            Err(malformed) => {
                self.warn_once(Warning::Widget, malformed.message());
                return Shown::Error;
            }
        };
        if bad_limit {
            self.warn_once(
                Warning::BadLimit,
                "shelfwise: data-shelfwise-limit is not a positive integer; ignored",
            );
        }
        // As `&str`s, like `rank()`'s: one copy of the ranking code in the wasm.
        let ids: Vec<&str> = widget.ids.iter().map(String::as_str).collect();
        let placement = self.core.place(
            &ids,
            widget.kind,
            widget.anchor.as_deref(),
            widget.limit,
            widget.fill,
        );
        let outcome = match placement.shown {
            None => Shown::Holdout,
            Some(shown) => Shown::from(shown),
        };
        if widget.apply(&placement.order, &placement.show) {
            outcome
        } else {
            self.warn_once(
                Warning::WidgetChanged,
                "shelfwise: a widget changed while it was being reordered; left as it was",
            );
            Shown::Error
        }
    }

    /// Whether the profile persists across pages (`localStorage` in use).
    #[wasm_bindgen(js_name = isPersistent)]
    pub fn is_persistent(&self) -> bool {
        self.core.host().is_persistent()
    }

    /// What Shelfwise keeps on this device, as readable JSON: the profile
    /// (decoded), the experiment arm, whether storage persists
    /// (`localStorage`) or lasts for the page, and every key it holds with
    /// its value.
    #[wasm_bindgen(js_name = exportData)]
    pub fn export_data(&self) -> String {
        self.core.export_json()
    }

    /// Erases everything Shelfwise keeps on this device: every
    /// `shelfwise:` key and the in-memory profile.
    pub fn forget(&mut self) {
        self.core.forget();
    }

    /// Consent granted (`true`: storage persists when the browser allows
    /// it) or not. Withdrawal erases the stored keys and the profile at
    /// once; a grant saves the profile learned so far.
    #[wasm_bindgen(js_name = setPersistent)]
    pub fn set_persistent(&mut self, persistent: bool) {
        self.core.set_consent(persistent);
    }

    /// Starts exit-intent detection with a named sensitivity (`low`,
    /// `medium`, `high`) for a viewport of `width` × `height`, and the
    /// default policy. An unknown name starts nothing and returns `false`.
    #[wasm_bindgen(js_name = exitStart)]
    pub fn exit_start(&mut self, sensitivity: &str, width: f32, height: f32) -> bool {
        let Some(preset) = Sensitivity::from_name(sensitivity) else {
            return false;
        };
        self.core.exit_start(preset, Viewport { width, height });
        true
    }

    /// Feeds one page input to the detector (see [`ExitInput`] for `a` and
    /// `b`). Returns why exit intent triggered, if it did.
    #[wasm_bindgen(js_name = exitInput)]
    pub fn exit_input(&mut self, input: ExitInput, a: f32, b: f32) -> Option<ExitReason> {
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
                self.core.exit_resize(Viewport {
                    width: a,
                    height: b,
                });
                return None;
            }
        };
        self.core.exit_input(input).map(ExitReason::from)
    }

    /// Shows a prompt if the policy allows it now, and records it for the
    /// frequency caps; `suppressed` is the caller's veto (consent, merchant).
    /// The holdout arm records the prompt and its beacon all the same, and
    /// is told [`ExitVerdict::Suppressed`].
    #[wasm_bindgen(js_name = exitShow)]
    pub fn exit_show(&mut self, suppressed: bool) -> ExitVerdict {
        match self.core.exit_show(suppressed) {
            ExitOutcome::Show => ExitVerdict::Shown,
            ExitOutcome::Suppressed(why) => why.into(),
        }
    }

    /// Assigns this browser's experiment arm — `holdout` is the share of
    /// browsers held out (0..=1, default 10 % when absent), kept for
    /// `sticky_days` (default 30 when 0) — and notes the page type
    /// (`data-shelfwise-page`; unknown names count as `other`). Returns
    /// `true` for the holdout.
    #[wasm_bindgen(js_name = startExperiment)]
    pub fn start_experiment(&mut self, holdout: Option<f64>, sticky_days: u32, page: &str) -> bool {
        let page = Page::from_name(page).unwrap_or(Page::Other);
        self.core.start_experiment(holdout, sticky_days, page)
    }

    /// Ends this browser's experiment: it is nobody's arm, is personalized,
    /// and its stored draw is erased. For a page where measurement is not
    /// allowed (no consent to it, Global Privacy Control): a holdout nobody
    /// measures would only cost the shopper personalization.
    #[wasm_bindgen(js_name = endExperiment)]
    pub fn end_experiment(&mut self) {
        self.core.end_experiment();
    }

    /// The categories the merchant marks sensitive (joined by U+001E): their
    /// items are never recorded, and what was recorded of them is erased.
    #[wasm_bindgen(js_name = setSensitiveCategories)]
    pub fn set_sensitive_categories(&mut self, categories: &str) {
        self.core
            .set_sensitive_categories(categories.split(SEPARATOR));
    }

    /// Turns beacons on (a collector is configured and consent granted) or
    /// off, discarding what was not taken yet.
    #[wasm_bindgen(js_name = setBeacons)]
    pub fn set_beacons(&mut self, on: bool) {
        self.core.set_beacons(on);
    }

    /// Queues a beacon the page layer observes: `page_view`, `click` (of a
    /// `widget` kind, at a 1-based `position`), `exit_cta`, `exposure` (of
    /// a `widget` kind, and how it is `shown`); for a banner's or targeted
    /// element's, the merchant's `variant`. Anything malformed is dropped.
    pub fn beacon(
        &mut self,
        kind: &str,
        widget: &str,
        position: u32,
        shown: Option<Shown>,
        variant: Option<String>,
    ) {
        if let Some(kind) = Outcome::from_name(kind) {
            let shown = shown.and_then(Shown::on_wire);
            let variant = variant.as_deref().and_then(Variant::new);
            self.core.beacon(
                kind,
                WidgetKind::from_name(widget),
                Some(position),
                shown,
                variant,
            );
        }
    }

    /// The beacon events queued since the last call, one JSON object per line.
    #[wasm_bindgen(js_name = takeBeacons)]
    pub fn take_beacons(&mut self) -> String {
        self.core.take_beacons()
    }

    /// The item most recently put in the cart, if any.
    #[wasm_bindgen(js_name = lastCartItem)]
    pub fn last_cart_item(&self) -> Option<String> {
        self.core.last_cart_item().map(str::to_owned)
    }

    /// Keeps a value for the page layer on the device (`outbox`, `names`;
    /// empty removes it): stored like the profile — in `localStorage` with
    /// consent, in memory otherwise — and erased by `forget()`. Other names
    /// are ignored.
    pub fn keep(&mut self, name: &str, value: &str) {
        if let Some(what) = Kept::from_name(name) {
            self.core.keep(what, value);
        }
    }

    /// What [`Engine::keep`] kept under `name`, if anything.
    pub fn kept(&self, name: &str) -> Option<String> {
        Kept::from_name(name).and_then(|what| self.core.kept(what))
    }

    /// The categories a personalized banner may show, the shopper's
    /// strongest first, joined by U+001E; empty in the holdout and without
    /// consent (the merchant's default then).
    #[wasm_bindgen(js_name = bannerCategories)]
    pub fn banner_categories(&self) -> String {
        joined(&self.core.banner_categories())
    }
}

impl Engine {
    fn warn_once(&mut self, class: Warning, message: &str) {
        self.core.host_mut().warn_once(class, message);
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
    OnPage,
    NotForMe,
}

/// The names of [`Why`]'s variants, in their order.
const WHY: [&str; 9] = [
    "merchant",
    "similar",
    "revisit",
    "category",
    "purchased",
    "sensitive",
    "out-of-stock",
    "on-page",
    "not-for-me",
];

/// Files as [`Engine::wanted_files`] lists them: `NAME INTEGRITY FROM`,
/// joined by U+001E.
fn listed(wanted: &[(Want, Fetch)]) -> String {
    let mut out = String::new();
    for (want, fetch) in wanted {
        if !out.is_empty() {
            out.push(SEPARATOR);
        }
        let from = match fetch {
            Fetch::Network => "network",
            Fetch::Cached => "cache",
        };
        out.extend([&want.file_name(), " ", &want.integrity(), " ", from]);
    }
    out
}

/// The names of the reason codes in the output of `rank` and `recommend`,
/// joined by U+001E: code `i` is name `i`.
#[wasm_bindgen(js_name = rankReasons)]
pub fn rank_reasons() -> String {
    joined(&WHY)
}

/// `items` joined by [`SEPARATOR`] (a loop: `[T]::join` is 0.9 KB of wasm).
fn joined(items: &[&str]) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(SEPARATOR);
        }
        out.push_str(item);
    }
    out
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
        Reason::Excluded(Exclusion::OnPage) => (Why::OnPage, None),
        Reason::Excluded(Exclusion::NotForMe) => (Why::NotForMe, None),
    };
    because.push_str(behind.unwrap_or_default());
    why as u8
}

/// The context of the current page, read from the browser.
fn page_context(time_zone: &str) -> Context {
    let Some(window) = crate::host::window() else {
        return Context::default();
    };
    let navigator = window.navigator();
    let width = window
        .inner_width()
        .ok()
        .and_then(|w| w.as_f64())
        .unwrap_or(0.0);
    let (hour, weekday, month) = clock::local_time();
    let location = window.location();
    let referrer = window.document().map(|d| d.referrer()).unwrap_or_default();
    Context {
        device: DeviceClass::classify(width, navigator.max_touch_points() > 0),
        day_part: DayPart::from_hour(hour),
        weekday,
        season: Season::classify(time_zone, month),
        referrer: ReferrerClass::classify(
            &referrer,
            &location.search().unwrap_or_default(),
            &location.hostname().unwrap_or_default(),
        ),
        language: primary_language(&navigator.language().unwrap_or_default()),
    }
}
