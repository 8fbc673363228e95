//! The shopper's local profile: what Shelfwise learns, kept on the device.
//!
//! A [`Profile`] holds the recent item interactions (views, cart adds,
//! purchases), the cart, past purchases, category affinities, the page
//! context, when the previous visit was, and what the shopper said: stated
//! preferences and the items marked "not for me". Everything is bounded: lists have fixed caps, ids a maximum
//! length, and the stored form at most [`MAX_STORED_BYTES`]. Entries older
//! than the retention window are dropped when a stored profile is decoded.
//!
//! The stored form is a small line-based text format (see [`Profile::encode`])
//! rather than JSON: it needs no serializer in the wasm build, and a corrupt
//! or foreign value decodes to an empty profile instead of failing.

use crate::context::Context;
use crate::json;

/// Most recent item interactions kept.
pub const MAX_INTERACTIONS: usize = 50;
/// Most cart lines kept.
pub const MAX_CART: usize = 30;
/// Most purchased items remembered (never pushed again).
pub const MAX_PURCHASES: usize = 50;
/// Most categories with an affinity kept.
pub const MAX_CATEGORIES: usize = 20;
/// Most stated preferences kept.
pub const MAX_PREFERENCES: usize = 16;
/// Most items marked "not for me" kept.
pub const MAX_LESS: usize = 50;
/// Longest preference key: ASCII letters, digits, `_` and `-`.
pub const MAX_PREFERENCE_KEY: usize = 32;
/// Longest item id or category accepted, in characters; longer ones are
/// rejected rather than cut, so that a cut id never matches another item.
pub const MAX_ID_CHARS: usize = 200;
/// Upper bound of the stored form as browsers count it (UTF-16, 2 bytes a unit).
pub const MAX_STORED_BYTES: usize = 32 * 1024;
/// Default retention window: 30 days.
pub const DEFAULT_RETENTION_MS: u64 = 30 * DAY_MS;
/// A visit ends after this much inactivity (the web-analytics convention).
pub const VISIT_IDLE_MS: u64 = 30 * 60 * 1000;

const DAY_MS: u64 = 24 * 60 * 60 * 1000;
const HEADER: &str = "swp1";

/// What the shopper did, normalized from Segment or GA4 event names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A product page or quick view: `Product Viewed`, `view_item`.
    View,
    /// `Product Added`, `add_to_cart`.
    AddToCart,
    /// `Product Removed`, `remove_from_cart`.
    RemoveFromCart,
    /// `Cart Viewed`, `view_cart`.
    CartViewed,
    /// `Checkout Started`, `begin_checkout`.
    CheckoutStarted,
    /// `Order Completed`, `purchase`.
    Purchase,
}

impl EventKind {
    /// Maps a Segment e-commerce spec name or a GA4 recommended event name.
    ///
    /// ```
    /// use shelfwise_core::profile::EventKind;
    /// assert_eq!(EventKind::from_name("Product Viewed"), Some(EventKind::View));
    /// assert_eq!(EventKind::from_name("add_to_cart"), Some(EventKind::AddToCart));
    /// assert_eq!(EventKind::from_name("Signed Up"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<EventKind> {
        Some(match name {
            "Product Viewed" | "view_item" => EventKind::View,
            "Product Added" | "add_to_cart" => EventKind::AddToCart,
            "Product Removed" | "remove_from_cart" => EventKind::RemoveFromCart,
            "Cart Viewed" | "view_cart" => EventKind::CartViewed,
            "Checkout Started" | "begin_checkout" => EventKind::CheckoutStarted,
            "Order Completed" | "purchase" => EventKind::Purchase,
            _ => return None,
        })
    }

    /// The name in [`Profile::export_json`].
    pub fn export_name(self) -> &'static str {
        match self {
            EventKind::View => "view",
            EventKind::AddToCart => "add_to_cart",
            EventKind::RemoveFromCart => "remove_from_cart",
            EventKind::CartViewed => "cart_viewed",
            EventKind::CheckoutStarted => "checkout_started",
            EventKind::Purchase => "purchase",
        }
    }

    fn code(self) -> char {
        match self {
            EventKind::View => 'v',
            EventKind::AddToCart => 'a',
            EventKind::RemoveFromCart => 'r',
            EventKind::CartViewed => 'c',
            EventKind::CheckoutStarted => 'k',
            EventKind::Purchase => 'p',
        }
    }

    fn from_code(code: &str) -> Option<EventKind> {
        Some(match code {
            "v" => EventKind::View,
            "a" => EventKind::AddToCart,
            "p" => EventKind::Purchase,
            _ => return None,
        })
    }

    /// How much an interaction of this kind says about the shopper's intent:
    /// a view < a cart add < a purchase (whose neighbours are what goes with it).
    pub fn intent_weight(self) -> f32 {
        match self {
            EventKind::View => 1.0,
            EventKind::AddToCart => 2.0,
            EventKind::Purchase => 3.0,
            _ => 0.0,
        }
    }
}

/// One remembered interaction with an item.
#[derive(Clone, Debug, PartialEq)]
pub struct Interaction {
    /// View, cart add or purchase.
    pub kind: EventKind,
    /// The merchant's item id.
    pub item: String,
    /// The item's category, when the page said.
    pub category: Option<String>,
    /// When it happened, in ms since the Unix epoch.
    pub at_ms: u64,
}

/// One line of the cart.
#[derive(Clone, Debug, PartialEq)]
pub struct CartLine {
    /// The merchant's item id.
    pub item: String,
    /// The item's category, when known.
    pub category: Option<String>,
    /// Unit price, when known (0 otherwise).
    pub price: f64,
    /// When it was (last) added.
    pub added_ms: u64,
}

/// The shopper's affinity to a category, decaying with time.
#[derive(Clone, Debug, PartialEq)]
pub struct Affinity {
    /// Category name.
    pub category: String,
    /// Accumulated intent weight, as of `updated_ms`.
    pub score: f32,
    /// When the score was last raised.
    pub updated_ms: u64,
}

/// The local profile. See the [module docs](self).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    interactions: Vec<Interaction>,
    cart: Vec<CartLine>,
    purchases: Vec<(String, u64)>,
    affinities: Vec<Affinity>,
    preferences: Vec<(String, String)>,
    less: Vec<(String, u64)>,
    visit_started_ms: u64,
    last_active_ms: u64,
    previous_visit_ms: u64,
    context: Context,
}

impl Profile {
    /// An empty profile (cold start).
    pub fn new() -> Profile {
        Profile::default()
    }

    /// Records an event. `item` may be empty for cart-level events.
    ///
    /// Returns `false` when the event was rejected: an item event without an
    /// item, or an id or category over [`MAX_ID_CHARS`].
    pub fn record(
        &mut self,
        kind: EventKind,
        item: &str,
        category: Option<&str>,
        price: f64,
        now_ms: u64,
    ) -> bool {
        let category = category.filter(|c| !c.is_empty());
        if too_long(item) || category.is_some_and(too_long) {
            return false;
        }
        let needs_item = matches!(
            kind,
            EventKind::View
                | EventKind::AddToCart
                | EventKind::RemoveFromCart
                | EventKind::Purchase
        );
        if needs_item && item.is_empty() {
            return false;
        }
        self.touch(now_ms);
        match kind {
            EventKind::View | EventKind::AddToCart | EventKind::Purchase => {
                self.push_interaction(kind, item, category, now_ms);
                if let Some(c) = category {
                    self.raise_affinity(c, kind.intent_weight(), now_ms);
                }
            }
            _ => {}
        }
        match kind {
            EventKind::AddToCart => {
                self.cart.retain(|l| l.item != item);
                push_bounded(
                    &mut self.cart,
                    CartLine {
                        item: item.to_owned(),
                        category: category.map(str::to_owned),
                        price: if price.is_finite() && price > 0.0 {
                            price
                        } else {
                            0.0
                        },
                        added_ms: now_ms,
                    },
                    MAX_CART,
                );
            }
            EventKind::RemoveFromCart => self.cart.retain(|l| l.item != item),
            EventKind::Purchase => {
                self.cart.retain(|l| l.item != item);
                self.purchases.retain(|(p, _)| p != item);
                push_bounded(
                    &mut self.purchases,
                    (item.to_owned(), now_ms),
                    MAX_PURCHASES,
                );
            }
            _ => {}
        }
        true
    }

    /// Marks activity at `now_ms`, starting a new visit after
    /// [`VISIT_IDLE_MS`] of inactivity.
    pub fn touch(&mut self, now_ms: u64) {
        if now_ms.saturating_sub(self.last_active_ms) > VISIT_IDLE_MS || self.visit_started_ms == 0
        {
            if self.visit_started_ms != 0 {
                self.previous_visit_ms = self.last_active_ms;
            }
            self.visit_started_ms = now_ms;
        }
        self.last_active_ms = self.last_active_ms.max(now_ms);
    }

    /// Starts a page view at `now_ms` with its context. The referrer class
    /// is the visit's: it is taken from the visit's landing page and kept for
    /// the rest of the visit, whatever later pages' referrers say.
    pub fn begin_page(&mut self, context: Context, now_ms: u64) {
        self.touch(now_ms);
        let referrer = self.context.referrer;
        let landing = self.visit_started_ms == now_ms;
        self.context = context;
        if !landing {
            self.context.referrer = referrer;
        }
    }

    /// The context of the latest page.
    pub fn context(&self) -> &Context {
        &self.context
    }

    fn push_interaction(
        &mut self,
        kind: EventKind,
        item: &str,
        category: Option<&str>,
        now_ms: u64,
    ) {
        // A repeated view of the same item refreshes it instead of filling
        // the list with copies; different kinds are kept apart.
        self.interactions
            .retain(|i| !(i.item == item && i.kind == kind));
        push_bounded(
            &mut self.interactions,
            Interaction {
                kind,
                item: item.to_owned(),
                category: category.map(str::to_owned),
                at_ms: now_ms,
            },
            MAX_INTERACTIONS,
        );
    }

    fn raise_affinity(&mut self, category: &str, weight: f32, now_ms: u64) {
        let current = self
            .affinities
            .iter()
            .position(|a| a.category == category)
            .map(|i| self.affinities.remove(i));
        let score = current.map_or(0.0, |a| {
            a.score * decay(now_ms.saturating_sub(a.updated_ms), DAY_MS)
        });
        push_bounded(
            &mut self.affinities,
            Affinity {
                category: category.to_owned(),
                score: score + weight,
                updated_ms: now_ms,
            },
            MAX_CATEGORIES,
        );
    }

    /// Recent interactions, oldest first.
    pub fn interactions(&self) -> &[Interaction] {
        &self.interactions
    }

    /// The cart, oldest line first.
    pub fn cart(&self) -> &[CartLine] {
        &self.cart
    }

    /// Whether the shopper bought `item` (within the retention window).
    pub fn has_purchased(&self, item: &str) -> bool {
        self.purchases.iter().any(|(p, _)| p == item)
    }

    /// Purchased items with their time, oldest first.
    pub fn purchases(&self) -> &[(String, u64)] {
        &self.purchases
    }

    /// When the current visit started (30 minutes of inactivity end a visit).
    pub fn visit_started_ms(&self) -> u64 {
        self.visit_started_ms
    }

    /// The cart was filled in an earlier visit and not bought: an abandoned
    /// cart, remembered across visits.
    pub fn cart_abandoned(&self) -> bool {
        self.cart.iter().any(|l| l.added_ms < self.visit_started_ms)
    }

    /// Category affinities as of `now_ms`, in no particular order.
    pub fn affinity_scores(&self, now_ms: u64) -> impl Iterator<Item = (&str, f32)> + Clone {
        self.affinities.iter().map(move |a| {
            let age = now_ms.saturating_sub(a.updated_ms);
            (a.category.as_str(), a.score * decay(age, DAY_MS))
        })
    }

    /// Category affinities as of `now_ms`, strongest first.
    pub fn affinities(&self, now_ms: u64) -> Vec<(&str, f32)> {
        let mut out: Vec<(&str, f32)> = self.affinity_scores(now_ms).collect();
        out.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        out
    }

    /// The category with the strongest affinity as of `now_ms` (the first
    /// of [`Profile::affinities`]), without sorting them all.
    pub fn strongest_category(&self, now_ms: u64) -> Option<&str> {
        self.affinity_scores(now_ms)
            .fold(None, |best: Option<(&str, f32)>, (c, s)| match best {
                Some((b, bs)) if bs > s || (bs == s && b <= c) => Some((b, bs)),
                _ => Some((c, s)),
            })
            .map(|(c, _)| c)
    }

    /// The last activity of the shopper's previous visit (0: this is the
    /// first visit within the retention window).
    pub fn previous_visit_ms(&self) -> u64 {
        self.previous_visit_ms
    }

    /// States a preference (`diet` = `vegan`), replacing the key's earlier
    /// value. Returns `false` when refused: a key that is empty, longer than
    /// [`MAX_PREFERENCE_KEY`] or not made of ASCII letters, digits, `_` and
    /// `-`; a value that is empty, over [`MAX_ID_CHARS`] or holds a control
    /// character. Keys are kept in lower case. At most [`MAX_PREFERENCES`]
    /// are kept (the oldest goes).
    pub fn set_preference(&mut self, key: &str, value: &str) -> bool {
        let key_ok = !key.is_empty()
            && key.len() <= MAX_PREFERENCE_KEY
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        let value_ok =
            !value.is_empty() && !too_long(value) && !value.chars().any(char::is_control);
        if !key_ok || !value_ok {
            return false;
        }
        let key = key.to_ascii_lowercase();
        self.preferences.retain(|(k, _)| *k != key);
        push_bounded(
            &mut self.preferences,
            (key, value.to_owned()),
            MAX_PREFERENCES,
        );
        true
    }

    /// Withdraws a stated preference; returns whether there was one.
    pub fn clear_preference(&mut self, key: &str) -> bool {
        let before = self.preferences.len();
        self.preferences
            .retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        before != self.preferences.len()
    }

    /// The stated preferences, oldest first: (key in lower case, value).
    pub fn preferences(&self) -> &[(String, String)] {
        &self.preferences
    }

    /// The value of the preference `key`, if stated.
    pub fn preference(&self, key: &str) -> Option<&str> {
        self.preferences
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// Marks an item "not for me" (it and its closest neighbours are
    /// demoted in every ranking), or with `less` false takes the mark back.
    /// Returns `false` for an empty or too long id.
    pub fn set_less(&mut self, item: &str, less: bool, now_ms: u64) -> bool {
        if item.is_empty() || too_long(item) {
            return false;
        }
        self.less.retain(|(i, _)| i != item);
        if less {
            push_bounded(&mut self.less, (item.to_owned(), now_ms), MAX_LESS);
        }
        true
    }

    /// The items marked "not for me" and when, oldest first.
    pub fn less(&self) -> impl Iterator<Item = (&str, u64)> + '_ {
        self.less
            .iter()
            .map(|(item, at_ms)| (item.as_str(), *at_ms))
    }

    /// True when nothing has been learned yet.
    pub fn is_empty(&self) -> bool {
        self.interactions.is_empty() && self.cart.is_empty() && self.purchases.is_empty()
    }

    /// Drops everything older than `retention_ms` before `now_ms`.
    pub fn purge(&mut self, now_ms: u64, retention_ms: u64) {
        let cutoff = now_ms.saturating_sub(retention_ms);
        self.interactions.retain(|i| i.at_ms >= cutoff);
        self.cart.retain(|l| l.added_ms >= cutoff);
        self.purchases.retain(|(_, t)| *t >= cutoff);
        self.affinities.retain(|a| a.updated_ms >= cutoff);
        self.less.retain(|(_, t)| *t >= cutoff);
        if self.previous_visit_ms < cutoff {
            self.previous_visit_ms = 0;
        }
    }

    /// The stored form: a versioned, line-based text of at most
    /// [`MAX_STORED_BYTES`] (the oldest entries are dropped to fit).
    ///
    /// Lines are `kind<TAB>field…`, fields percent-escaped (`%`, tab, CR, LF):
    /// `t` visit start, last activity and the previous visit's last activity,
    /// `i` interaction, `c` cart line (price in cents), `p` purchase, `g`
    /// category affinity (score in thousandths), `r` stated preference, `l`
    /// item marked "not for me", `x` context. Only integers are written, so neither
    /// side needs float formatting or parsing.
    pub fn encode(&self) -> String {
        let mut trimmed = self.clone();
        loop {
            let text = trimmed.encode_untrimmed();
            if text.encode_utf16().count() * 2 <= MAX_STORED_BYTES || !trimmed.drop_oldest() {
                return text;
            }
        }
    }

    fn drop_oldest(&mut self) -> bool {
        // Interactions are the cheapest to lose; what the shopper said, the
        // dearest (stated preferences are few and short: never dropped).
        if !self.interactions.is_empty() {
            self.interactions.remove(0);
        } else if !self.purchases.is_empty() {
            self.purchases.remove(0);
        } else if !self.cart.is_empty() {
            self.cart.remove(0);
        } else if !self.affinities.is_empty() {
            self.affinities.remove(0);
        } else if !self.less.is_empty() {
            self.less.remove(0);
        } else {
            return false;
        }
        true
    }

    fn encode_untrimmed(&self) -> String {
        let mut out = String::with_capacity(1024);
        out.push_str(HEADER);
        out.push('\n');
        line(
            &mut out,
            't',
            &[
                &num(self.visit_started_ms),
                &num(self.last_active_ms),
                &num(self.previous_visit_ms),
            ],
        );
        for i in &self.interactions {
            let kind = String::from(i.kind.code());
            line(
                &mut out,
                'i',
                &[
                    &kind,
                    &num(i.at_ms),
                    &i.item,
                    i.category.as_deref().unwrap_or(""),
                ],
            );
        }
        for l in &self.cart {
            let cents = if l.price > 0.0 {
                num((l.price * 100.0).round() as u64)
            } else {
                String::new()
            };
            line(
                &mut out,
                'c',
                &[
                    &num(l.added_ms),
                    &l.item,
                    l.category.as_deref().unwrap_or(""),
                    &cents,
                ],
            );
        }
        for (item, at) in &self.purchases {
            line(&mut out, 'p', &[&num(*at), item]);
        }
        for a in &self.affinities {
            let milli = num((a.score * 1000.0).round() as u64);
            line(&mut out, 'g', &[&num(a.updated_ms), &milli, &a.category]);
        }
        for (key, value) in &self.preferences {
            line(&mut out, 'r', &[key, value]);
        }
        for (item, at) in &self.less {
            line(&mut out, 'l', &[&num(*at), item]);
        }
        line(
            &mut out,
            'x',
            &self
                .context
                .to_fields()
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        out
    }

    /// Reads a stored profile, dropping entries older than `retention_ms`.
    ///
    /// Never fails: an unknown version or a corrupt value gives an empty
    /// profile, and a malformed line is skipped. Caps are re-applied, so a
    /// tampered value cannot grow the profile past its bounds.
    pub fn decode(text: &str, now_ms: u64, retention_ms: u64) -> Profile {
        let mut p = Profile::new();
        let mut lines = text.split('\n');
        if lines.next() != Some(HEADER) {
            return p;
        }
        for raw in lines {
            let fields: Vec<String> = raw.split('\t').map(unescape).collect();
            let f = |i: usize| fields.get(i).map(String::as_str).unwrap_or("");
            let t = |i: usize| {
                f(i).parse::<u64>()
                    .ok()
                    .filter(|&t| t <= now_ms.saturating_add(DAY_MS))
            };
            let cat = |i: usize| {
                Some(f(i))
                    .filter(|c| !c.is_empty() && !too_long(c))
                    .map(str::to_owned)
            };
            let id = |i: usize| {
                Some(f(i))
                    .filter(|c| !c.is_empty() && !too_long(c))
                    .map(str::to_owned)
            };
            match f(0) {
                "t" => {
                    if let (Some(a), Some(b)) = (t(1), t(2)) {
                        p.visit_started_ms = a;
                        p.last_active_ms = b;
                        p.previous_visit_ms = t(3).filter(|&c| c <= a).unwrap_or(0);
                    }
                }
                "i" => {
                    if let (Some(kind), Some(at_ms), Some(item)) =
                        (EventKind::from_code(f(1)), t(2), id(3))
                    {
                        push_bounded(
                            &mut p.interactions,
                            Interaction {
                                kind,
                                item,
                                category: cat(4),
                                at_ms,
                            },
                            MAX_INTERACTIONS,
                        );
                    }
                }
                "c" => {
                    if let (Some(added_ms), Some(item)) = (t(1), id(2)) {
                        let price = f(4)
                            .parse::<u64>()
                            .map_or(0.0, |cents| cents as f64 / 100.0);
                        push_bounded(
                            &mut p.cart,
                            CartLine {
                                item,
                                category: cat(3),
                                price,
                                added_ms,
                            },
                            MAX_CART,
                        );
                    }
                }
                "p" => {
                    if let (Some(at), Some(item)) = (t(1), id(2)) {
                        push_bounded(&mut p.purchases, (item, at), MAX_PURCHASES);
                    }
                }
                "g" => {
                    let score = f(2).parse::<u32>().ok().map(|milli| milli as f32 / 1000.0);
                    if let (Some(updated_ms), Some(score), Some(category)) = (t(1), score, cat(3)) {
                        push_bounded(
                            &mut p.affinities,
                            Affinity {
                                category,
                                score,
                                updated_ms,
                            },
                            MAX_CATEGORIES,
                        );
                    }
                }
                "r" => {
                    p.set_preference(f(1), f(2));
                }
                "l" => {
                    if let (Some(at), Some(item)) = (t(1), id(2)) {
                        push_bounded(&mut p.less, (item, at), MAX_LESS);
                    }
                }
                "x" => p.context = Context::from_fields(fields.get(1..).unwrap_or_default()),
                _ => {}
            }
        }
        p.purge(now_ms, retention_ms);
        p
    }
}

/// Hyperbolic decay: 1 at age 0, 1/2 at `half_ms`, 1/3 at twice that. Needs
/// no `exp`, so the wasm build carries no libm.
pub(crate) fn decay(age_ms: u64, half_ms: u64) -> f32 {
    1.0 / (1.0 + age_ms as f32 / half_ms.max(1) as f32)
}

fn too_long(s: &str) -> bool {
    s.chars().nth(MAX_ID_CHARS).is_some()
}

fn push_bounded<T>(list: &mut Vec<T>, value: T, cap: usize) {
    if list.len() >= cap {
        list.remove(0);
    }
    list.push(value);
}

/// An exported record's `item` and, when known, its `category`.
fn push_item(out: &mut String, item: &str, category: Option<&str>) {
    json::push_key(out, "item");
    json::push_string(out, item);
    if let Some(c) = category {
        json::push_key(out, "category");
        json::push_string(out, c);
    }
}

/// An exported list `name` of `{"item", "at_ms"}` records.
fn push_timed(out: &mut String, name: &str, list: &[(String, u64)]) {
    json::push_key(out, name);
    out.push('[');
    for (item, at_ms) in list {
        json::open_item(out);
        json::push_key(out, "item");
        json::push_string(out, item);
        json::push_key(out, "at_ms");
        out.push_str(&num(*at_ms));
        out.push('}');
    }
    out.push(']');
}

/// Decimal digits of `v`, without the formatting machinery.
pub(crate) fn num(mut v: u64) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || at == 0 {
            break;
        }
    }
    digits
        .get(at..)
        .map(|d| d.iter().map(|&b| b as char).collect())
        .unwrap_or_default()
}

fn line(out: &mut String, kind: char, fields: &[&str]) {
    out.push(kind);
    for f in fields {
        out.push('\t');
        for ch in f.chars() {
            match ch {
                '%' => out.push_str("%25"),
                '\t' => out.push_str("%09"),
                '\n' => out.push_str("%0A"),
                '\r' => out.push_str("%0D"),
                c => out.push(c),
            }
        }
    }
    out.push('\n');
}

/// Reverses `line`'s escaping in one pass; an unknown escape stays as it is.
fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(at) = rest.find('%') {
        out.push_str(rest.get(..at).unwrap_or_default());
        let code = rest.get(at + 1..at + 3);
        let decoded = match code {
            Some("09") => Some('\t'),
            Some("0A") => Some('\n'),
            Some("0D") => Some('\r'),
            Some("25") => Some('%'),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = rest.get(at + 3..).unwrap_or_default();
            }
            None => {
                out.push('%');
                rest = rest.get(at + 1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod export_tests {
    use super::*;

    #[test]
    fn sensitive_items_and_categories_are_forgotten() {
        let mut p = Profile::new();
        p.record(EventKind::View, "pill", Some("Pharmacy"), 0.0, 1_000);
        p.record(EventKind::AddToCart, "pill", Some("Pharmacy"), 5.0, 1_100);
        p.record(EventKind::Purchase, "pill", Some("Pharmacy"), 5.0, 1_200);
        p.record(EventKind::View, "hat", Some("Hats"), 0.0, 1_300);
        let sensitive =
            |item: &str, category: Option<&str>| item == "pill" || category == Some("Pharmacy");
        assert!(p.forget_sensitive(sensitive));
        assert!(p.interactions().iter().all(|i| i.item == "hat"));
        assert!(p.cart().is_empty() && p.purchases().is_empty());
        assert_eq!(
            p.affinities(1_300).iter().map(|a| a.0).collect::<Vec<_>>(),
            ["Hats"]
        );
        assert!(!p.forget_sensitive(sensitive), "nothing left to remove");
    }

    #[test]
    fn the_export_is_json_with_everything_kept() {
        let mut p = Profile::new();
        p.record(EventKind::View, "say \"hi\"\n", Some("Hats"), 12.5, 1_000);
        p.record(EventKind::AddToCart, "sku-2", None, 9.99, 2_000);
        p.record(EventKind::Purchase, "sku-3", Some("Bags"), 0.0, 3_000);
        let json: serde_json::Value = serde_json::from_str(&p.export_json(3_000)).unwrap();
        assert_eq!(json["interactions"][0]["item"], "say \"hi\"\n");
        assert_eq!(json["interactions"][0]["kind"], "view");
        assert_eq!(json["interactions"][0]["at_ms"], 1_000);
        assert_eq!(json["cart"][0]["price_cents"], 999);
        assert_eq!(json["purchases"][0]["item"], "sku-3");
        let categories: Vec<&str> = json["categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["category"].as_str().unwrap())
            .collect();
        assert!(
            categories.contains(&"Hats") && categories.contains(&"Bags"),
            "{categories:?}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000_000;

    #[test]
    fn segment_and_ga4_names_map_to_the_same_kinds() {
        let pairs = [
            ("Product Viewed", "view_item"),
            ("Product Added", "add_to_cart"),
            ("Product Removed", "remove_from_cart"),
            ("Cart Viewed", "view_cart"),
            ("Checkout Started", "begin_checkout"),
            ("Order Completed", "purchase"),
        ];
        for (segment, ga4) in pairs {
            assert!(EventKind::from_name(segment).is_some());
            assert_eq!(EventKind::from_name(segment), EventKind::from_name(ga4));
        }
    }

    #[test]
    fn cart_follows_adds_removes_and_purchases() {
        let mut p = Profile::new();
        assert!(p.record(EventKind::AddToCart, "a", Some("shoes"), 10.0, NOW));
        assert!(p.record(EventKind::AddToCart, "b", None, 0.0, NOW + 1));
        assert!(p.record(EventKind::RemoveFromCart, "a", None, 0.0, NOW + 2));
        assert_eq!(
            p.cart().iter().map(|l| l.item.as_str()).collect::<Vec<_>>(),
            ["b"]
        );
        assert!(p.record(EventKind::Purchase, "b", None, 0.0, NOW + 3));
        assert!(p.cart().is_empty());
        assert!(p.has_purchased("b"));
    }

    #[test]
    fn a_cart_left_in_an_earlier_visit_is_abandoned() {
        let mut p = Profile::new();
        p.record(EventKind::AddToCart, "a", None, 0.0, NOW);
        assert!(!p.cart_abandoned());
        p.touch(NOW + VISIT_IDLE_MS + 1);
        assert!(p.cart_abandoned());
        let restored = Profile::decode(&p.encode(), NOW + VISIT_IDLE_MS + 2, DEFAULT_RETENTION_MS);
        assert!(restored.cart_abandoned());
    }

    #[test]
    fn lists_stay_bounded_and_repeat_views_do_not_duplicate() {
        let mut p = Profile::new();
        for i in 0..500u64 {
            p.record(
                EventKind::View,
                &format!("item-{}", i % 120),
                Some("c"),
                0.0,
                NOW + i,
            );
        }
        assert_eq!(p.interactions().len(), MAX_INTERACTIONS);
        assert_eq!(p.interactions().last().unwrap().item, "item-19");
    }

    #[test]
    fn stored_form_round_trips_awkward_ids() {
        let mut p = Profile::new();
        let ids = [
            "plain",
            "tab\there",
            "new\nline",
            "100%",
            "<img src=x onerror=alert(1)>",
            "\"quoted\"",
            "ünïcødé ✓",
            "__proto__",
        ];
        for (i, id) in ids.iter().enumerate() {
            assert!(p.record(EventKind::AddToCart, id, Some(id), 1.5, NOW + i as u64));
        }
        let text = p.encode();
        assert_eq!(Profile::decode(&text, NOW + 10, DEFAULT_RETENTION_MS), p);
    }

    #[test]
    fn stored_form_is_capped_at_32_kib() {
        let mut p = Profile::new();
        let long = "é".repeat(MAX_ID_CHARS);
        for i in 0..200u64 {
            let id = format!("{i}{}", &long[..long.len() - 8]);
            p.record(EventKind::AddToCart, &id, Some(&id), 1.0, NOW + i);
            p.record(EventKind::Purchase, &id, None, 1.0, NOW + i);
        }
        let text = p.encode();
        assert!(text.encode_utf16().count() * 2 <= MAX_STORED_BYTES);
        let restored = Profile::decode(&text, NOW + 1000, DEFAULT_RETENTION_MS);
        assert!(!restored.is_empty());
    }

    #[test]
    fn entries_past_retention_are_purged_on_load() {
        let mut p = Profile::new();
        p.record(EventKind::View, "old", None, 0.0, NOW);
        p.record(EventKind::View, "new", None, 0.0, NOW + 20 * DAY_MS);
        let restored = Profile::decode(&p.encode(), NOW + 31 * DAY_MS, DEFAULT_RETENTION_MS);
        let items: Vec<_> = restored
            .interactions()
            .iter()
            .map(|i| i.item.as_str())
            .collect();
        assert_eq!(items, ["new"]);
    }

    #[test]
    fn garbage_and_unknown_versions_decode_to_empty() {
        for text in [
            "",
            "{\"__proto__\":{\"polluted\":1}}",
            "swp9\ni\tv\t1\tx\t",
            "\u{0}\u{ffff}",
        ] {
            assert!(
                Profile::decode(text, NOW, DEFAULT_RETENTION_MS).is_empty(),
                "{text:?}"
            );
        }
        // Malformed lines are skipped, good ones kept.
        let text = "swp1\ni\tv\tnot-a-time\tx\t\ni\tz\t1\tx\t\ni\tv\t5\tkept\t\n";
        let p = Profile::decode(text, NOW, u64::MAX);
        assert_eq!(p.interactions().len(), 1);
    }

    #[test]
    fn the_referrer_class_is_the_landing_pages() {
        use crate::context::ReferrerClass;
        let mut p = Profile::new();
        let with = |referrer| Context {
            referrer,
            ..Context::default()
        };
        p.begin_page(with(ReferrerClass::Search), NOW);
        p.begin_page(with(ReferrerClass::Direct), NOW + 1000);
        assert_eq!(p.context().referrer, ReferrerClass::Search);
        p.begin_page(with(ReferrerClass::Email), NOW + 1000 + VISIT_IDLE_MS + 1);
        assert_eq!(p.context().referrer, ReferrerClass::Email);
    }

    #[test]
    fn oversized_ids_are_rejected_not_cut() {
        let mut p = Profile::new();
        assert!(!p.record(
            EventKind::View,
            &"x".repeat(MAX_ID_CHARS + 1),
            None,
            0.0,
            NOW
        ));
        assert!(!p.record(EventKind::View, "", None, 0.0, NOW));
        assert!(p.is_empty());
    }

    #[test]
    fn affinities_rank_the_most_engaged_category_first() {
        let mut p = Profile::new();
        p.record(EventKind::View, "a", Some("shoes"), 0.0, NOW);
        p.record(EventKind::View, "b", Some("hats"), 0.0, NOW);
        p.record(EventKind::AddToCart, "c", Some("hats"), 0.0, NOW);
        assert_eq!(p.affinities(NOW)[0].0, "hats");
    }
}

impl Profile {
    /// Removes every trace of the items for which `sensitive(item,
    /// category)` holds — interactions, cart lines, purchases — and the
    /// weight of every category for which `sensitive("", Some(category))`
    /// holds. For categories the merchant marks sensitive after the fact
    /// (a model that flags them arrives after the page was recorded).
    /// Returns whether anything was removed.
    pub fn forget_sensitive(&mut self, sensitive: impl Fn(&str, Option<&str>) -> bool) -> bool {
        let before = self.interactions.len()
            + self.cart.len()
            + self.purchases.len()
            + self.less.len()
            + self.affinities.len();
        self.interactions
            .retain(|i| !sensitive(&i.item, i.category.as_deref()));
        self.cart
            .retain(|l| !sensitive(&l.item, l.category.as_deref()));
        self.purchases.retain(|(item, _)| !sensitive(item, None));
        self.less.retain(|(item, _)| !sensitive(item, None));
        self.affinities
            .retain(|a| !sensitive("", Some(&a.category)));
        before
            != self.interactions.len()
                + self.cart.len()
                + self.purchases.len()
                + self.less.len()
                + self.affinities.len()
    }

    /// Everything the profile holds, as readable JSON — the shopper's right
    /// of access, answered on the device. Times are ms since the Unix epoch;
    /// category weights are in thousandths, as of `now_ms`; prices in cents.
    pub fn export_json(&self, now_ms: u64) -> String {
        let mut out = String::from("{");
        json::push_key(&mut out, "interactions");
        out.push('[');
        for i in &self.interactions {
            json::open_item(&mut out);
            json::push_key(&mut out, "kind");
            json::push_string(&mut out, i.kind.export_name());
            push_item(&mut out, &i.item, i.category.as_deref());
            json::push_key(&mut out, "at_ms");
            out.push_str(&num(i.at_ms));
            out.push('}');
        }
        out.push(']');
        json::push_key(&mut out, "cart");
        out.push('[');
        for line in &self.cart {
            json::open_item(&mut out);
            push_item(&mut out, &line.item, line.category.as_deref());
            json::push_key(&mut out, "price_cents");
            out.push_str(&num((line.price.max(0.0) * 100.0 + 0.5) as u64));
            json::push_key(&mut out, "added_ms");
            out.push_str(&num(line.added_ms));
            out.push('}');
        }
        out.push(']');
        push_timed(&mut out, "purchases", &self.purchases);
        json::push_key(&mut out, "categories");
        out.push('[');
        for (category, score) in self.affinity_scores(now_ms) {
            json::open_item(&mut out);
            json::push_key(&mut out, "category");
            json::push_string(&mut out, category);
            json::push_key(&mut out, "weight_thousandths");
            out.push_str(&num((score.max(0.0) * 1000.0 + 0.5) as u64));
            out.push('}');
        }
        out.push(']');
        json::push_key(&mut out, "preferences");
        out.push('{');
        for (key, value) in &self.preferences {
            json::push_key(&mut out, key);
            json::push_string(&mut out, value);
        }
        out.push('}');
        push_timed(&mut out, "not_for_me", &self.less);
        let c = &self.context;
        json::push_key(&mut out, "context");
        out.push('{');
        json::push_key(&mut out, "device");
        json::push_string(&mut out, c.device.as_str());
        json::push_key(&mut out, "day_part");
        json::push_string(&mut out, c.day_part.as_str());
        json::push_key(&mut out, "weekday");
        out.push_str(&num(u64::from(c.weekday)));
        json::push_key(&mut out, "referrer");
        json::push_string(&mut out, c.referrer.as_str());
        json::push_key(&mut out, "language");
        json::push_string(&mut out, &c.language);
        json::push_key(&mut out, "season");
        json::push_string(&mut out, c.season.as_str());
        out.push('}');
        json::push_key(&mut out, "visit_started_ms");
        out.push_str(&num(self.visit_started_ms));
        json::push_key(&mut out, "previous_visit_ms");
        out.push_str(&num(self.previous_visit_ms));
        out.push('}');
        out
    }
}
