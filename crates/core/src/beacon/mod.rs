//! Outcome beacons: the only data that leaves the shopper's device.
//!
//! An [`Event`] is an allow-list by construction: a kind, the arm, the page
//! type, for widget events the widget kind and a position, for the
//! personalized arm's exposures whether the widget was shown personalized
//! (or, in one [`Shown`] token, why not), for targeted content the
//! merchant's [`Variant`] token, for orders a rounded value and a
//! currency, the hour, a random event id and a random visit id. There is no field in which an item id, a URL, a referrer, a user
//! agent, a segment or free text could travel. The browser writes events with
//! [`Event::write_json`]; the collector rebuilds them from the wire with
//! [`Event::from_wire`], which checks the same rules (with the `wire`
//! feature, `parse_batch` reads a whole JSON batch). `docs/beacons.md` is
//! the schema's prose.
//!
//! ```
//! use shelfwise_core::beacon::{Event, Outcome, Page};
//! use shelfwise_core::experiment::Arm;
//!
//! let event = Event::new(Outcome::PageView, Arm::Holdout, Page::Home, 7, 9, 3_600_000);
//! let mut json = String::new();
//! event.write_json(&mut json);
//! assert_eq!(
//!     json,
//!     r#"{"id":"00000000000000000000000000000007","visit":"0000000000000009","type":"page_view","arm":"holdout","page":"home","hour":1}"#
//! );
//! ```

use crate::experiment::Arm;
use crate::profile::num;

#[cfg(feature = "wire")]
mod wire;
#[cfg(feature = "wire")]
pub use wire::{MAX_AGE_HOURS, parse_batch};

/// The largest position a click may report.
pub const MAX_POSITION: u32 = 1000;

/// The largest order value accepted, in whole currency units.
pub const MAX_VALUE: u32 = 10_000_000;

const HOUR_MS: u64 = 60 * 60 * 1000;

/// An outcome a beacon reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// A page was loaded.
    PageView,
    /// A widget came into view (reordered, or in the holdout in the merchant's order).
    Exposure,
    /// An item in a widget was clicked, at a position.
    Click,
    /// Something was put in the cart.
    AddToCart,
    /// An order was completed, with its value.
    Order,
    /// An exit-intent prompt was shown (in the holdout: would have been).
    ExitShown,
    /// The prompt's call to action was followed.
    ExitCta,
    /// An order followed an exit-intent prompt in the same visit.
    ExitConverted,
}

impl Outcome {
    /// Every kind.
    pub const ALL: [Outcome; 8] = [
        Outcome::PageView,
        Outcome::Exposure,
        Outcome::Click,
        Outcome::AddToCart,
        Outcome::Order,
        Outcome::ExitShown,
        Outcome::ExitCta,
        Outcome::ExitConverted,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::PageView => "page_view",
            Outcome::Exposure => "exposure",
            Outcome::Click => "click",
            Outcome::AddToCart => "add_to_cart",
            Outcome::Order => "order",
            Outcome::ExitShown => "exit_shown",
            Outcome::ExitCta => "exit_cta",
            Outcome::ExitConverted => "exit_converted",
        }
    }

    /// The kind named `name`, if any.
    pub fn from_name(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether events of this kind name a widget (and clicks a position).
    pub fn has_widget(self) -> bool {
        matches!(self, Outcome::Exposure | Outcome::Click)
    }
}

/// The type of page an event happened on, as the merchant marks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Page {
    /// The store's front page.
    Home,
    /// A category or collection listing.
    Category,
    /// A product page.
    Product,
    /// Search results.
    Search,
    /// The cart.
    Cart,
    /// Checkout and order confirmation.
    Checkout,
    /// Anything else.
    Other,
}

impl Page {
    /// Every page type.
    pub const ALL: [Page; 7] = [
        Page::Home,
        Page::Category,
        Page::Product,
        Page::Search,
        Page::Cart,
        Page::Checkout,
        Page::Other,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Page::Home => "home",
            Page::Category => "category",
            Page::Product => "product",
            Page::Search => "search",
            Page::Cart => "cart",
            Page::Checkout => "checkout",
            Page::Other => "other",
        }
    }

    /// The page type named `name`, if any.
    pub fn from_name(name: &str) -> Option<Page> {
        Page::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// The kind of widget an exposure or click happened in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Widget {
    /// `data-shelfwise-widget="reorder"`.
    Reorder,
    /// `data-shelfwise-widget="similar"`.
    Similar,
    /// `data-shelfwise-widget="bought-together"`.
    BoughtTogether,
    /// `data-shelfwise-widget="recently-viewed"`.
    RecentlyViewed,
    /// A `data-shelfwise-banner`.
    Banner,
    /// An element shown by a targeting rule (`data-shelfwise-when`).
    Targeted,
}

impl Widget {
    /// Every widget kind.
    pub const ALL: [Widget; 6] = [
        Widget::Reorder,
        Widget::Similar,
        Widget::BoughtTogether,
        Widget::RecentlyViewed,
        Widget::Banner,
        Widget::Targeted,
    ];

    /// The wire name (the markup's name).
    pub fn as_str(self) -> &'static str {
        match self {
            Widget::Reorder => "reorder",
            Widget::Similar => "similar",
            Widget::BoughtTogether => "bought-together",
            Widget::RecentlyViewed => "recently-viewed",
            Widget::Banner => "banner",
            Widget::Targeted => "targeted",
        }
    }

    /// The widget kind named `name`, if any.
    pub fn from_name(name: &str) -> Option<Widget> {
        Widget::ALL.into_iter().find(|w| w.as_str() == name)
    }
}

/// How a widget (or banner) in the personalized arm was shown: in the
/// shopper's order, or in the merchant's and why. Exposures carry it, so that
/// the report can tell a model that ranked badly from one that never ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shown {
    /// In the shopper's order.
    Personalized,
    /// Not decided in time: the hold expired first, or the widget was
    /// already on screen when Shelfwise started (a page without the
    /// anti-flicker rule).
    Timeout,
    /// No model: not configured, not loaded, or rejected.
    NoModel,
    /// Nothing personal to rank by: a new shopper, or history the model
    /// does not know.
    NoHistory,
    /// Personalization needs consent the shopper has not given.
    Consent,
    /// The widget was malformed or changed while it was reordered.
    Error,
}

impl Shown {
    /// Every value.
    pub const ALL: [Shown; 6] = [
        Shown::Personalized,
        Shown::Timeout,
        Shown::NoModel,
        Shown::NoHistory,
        Shown::Consent,
        Shown::Error,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Shown::Personalized => "personalized",
            Shown::Timeout => "timeout",
            Shown::NoModel => "no-model",
            Shown::NoHistory => "no-history",
            Shown::Consent => "consent",
            Shown::Error => "error",
        }
    }

    /// The value named `name`, if any.
    pub fn from_name(name: &str) -> Option<Shown> {
        Shown::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// The merchant's name for targeted content (`data-shelfwise-variant`): 1
/// to [`Variant::MAX_LEN`] lower-case ASCII letters, digits, `-` and `_` —
/// a campaign's token, never free text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Variant {
    bytes: [u8; Variant::MAX_LEN],
    len: u8,
}

impl Variant {
    /// The longest variant name.
    pub const MAX_LEN: usize = 32;

    /// The variant named `name`, if it is one (see [`Variant`]).
    pub fn new(name: &str) -> Option<Variant> {
        let ok = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-' || *b == b'_';
        if name.is_empty() || name.len() > Variant::MAX_LEN || !name.bytes().all(|b| ok(&b)) {
            return None;
        }
        let mut bytes = [0; Variant::MAX_LEN];
        for (to, from) in bytes.iter_mut().zip(name.bytes()) {
            *to = from;
        }
        Some(Variant {
            bytes,
            len: name.len() as u8,
        })
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        self.bytes
            .get(..usize::from(self.len))
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

/// An order's value, rounded to whole currency units, and its currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Order {
    /// Whole currency units, at most [`MAX_VALUE`].
    pub value: u32,
    /// ISO 4217 code: three ASCII capital letters.
    pub currency: [u8; 3],
}

impl Order {
    /// An order of `value` (rounded) in `currency`; `None` when the value is
    /// negative, not finite or too large, or the currency is not three
    /// letters (lower case is accepted and raised).
    pub fn new(value: f64, currency: &str) -> Option<Order> {
        if !(0.0..=f64::from(MAX_VALUE)).contains(&value) {
            return None;
        }
        let mut code = [0u8; 3];
        let bytes = currency.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return None;
        }
        for (to, from) in code.iter_mut().zip(bytes) {
            *to = from.to_ascii_uppercase();
        }
        Some(Order {
            value: (value + 0.5) as u32,
            currency: code,
        })
    }

    /// The currency code as text.
    pub fn currency_str(&self) -> &str {
        core::str::from_utf8(&self.currency).unwrap_or("XXX")
    }
}

/// One outcome beacon event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Random, for de-duplication: the same on every retry.
    pub id: u128,
    /// Random per visit, forgotten when the visit ends.
    pub visit: u64,
    /// What happened.
    pub kind: Outcome,
    /// The browser's arm.
    pub arm: Arm,
    /// The page type.
    pub page: Page,
    /// For exposures and clicks: the widget kind.
    pub widget: Option<Widget>,
    /// For clicks: the item's position in the widget as shown, from 1.
    pub position: Option<u32>,
    /// For orders and exit conversions, when the page told them: value and currency.
    pub order: Option<Order>,
    /// For the personalized arm's exposures: how the widget was shown
    /// (absent from older browsers' beacons).
    pub shown: Option<Shown>,
    /// For exposures and clicks of targeted content (a targeted element, a
    /// banner's targeted variant): the merchant's variant — shown, or in the
    /// holdout the one that would have been.
    pub variant: Option<Variant>,
    /// Hours since the Unix epoch (UTC): the time, coarsened.
    pub hour: u32,
}

/// Why an event was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// `id` is not 32 lower-case hex digits, or `visit` not 16.
    Id,
    /// An unknown `type`, `arm`, `page`, `widget` or `shown`, or a malformed `variant`.
    Name,
    /// A field that this kind must have is missing, or one it must not have is present.
    Fields,
    /// A position or a value out of range, or a malformed currency.
    Range,
}

impl Invalid {
    /// A short description.
    pub fn as_str(self) -> &'static str {
        match self {
            Invalid::Id => "malformed id or visit",
            Invalid::Name => "unknown type, arm, page, widget or shown, or a malformed variant",
            Invalid::Fields => "fields do not match the event type",
            Invalid::Range => "position, value or currency out of range",
        }
    }
}

/// An event's fields as they arrive on the wire, before validation.
#[derive(Clone, Copy, Debug, Default)]
pub struct Wire<'a> {
    /// `id`.
    pub id: &'a str,
    /// `visit`.
    pub visit: &'a str,
    /// `type`.
    pub kind: &'a str,
    /// `arm`.
    pub arm: &'a str,
    /// `page`.
    pub page: &'a str,
    /// `widget`.
    pub widget: Option<&'a str>,
    /// `position`.
    pub position: Option<u64>,
    /// `value`.
    pub value: Option<u64>,
    /// `currency`.
    pub currency: Option<&'a str>,
    /// `shown`.
    pub shown: Option<&'a str>,
    /// `variant`.
    pub variant: Option<&'a str>,
    /// `hour`.
    pub hour: u64,
}

impl Event {
    /// An event with no widget, position or order; `now_ms` is coarsened to
    /// the hour.
    pub fn new(kind: Outcome, arm: Arm, page: Page, id: u128, visit: u64, now_ms: u64) -> Event {
        Event {
            id,
            visit,
            kind,
            arm,
            page,
            widget: None,
            position: None,
            order: None,
            shown: None,
            variant: None,
            hour: hour_of(now_ms),
        }
    }

    /// Whether the fields suit the kind: widgets only on exposures and
    /// clicks, positions (1..=[`MAX_POSITION`]) only and always on clicks,
    /// order values only on orders and exit conversions (where the page
    /// gave none, an order still counts for conversion, not for value),
    /// `shown` only on the personalized arm's exposures, a variant only on
    /// exposures and clicks of banners and targeted elements.
    pub fn check(&self) -> Result<(), Invalid> {
        let widget_ok = self.widget.is_some() == self.kind.has_widget();
        let position_ok = self.position.is_some() == (self.kind == Outcome::Click);
        let order_ok =
            matches!(self.kind, Outcome::Order | Outcome::ExitConverted) || self.order.is_none();
        let shown_ok = self.shown.is_none()
            || (self.kind == Outcome::Exposure && self.arm == Arm::Personalized);
        let variant_ok = self.variant.is_none()
            || matches!(self.widget, Some(Widget::Banner | Widget::Targeted));
        if !(widget_ok && position_ok && order_ok && shown_ok && variant_ok) {
            return Err(Invalid::Fields);
        }
        let position_in_range = self
            .position
            .is_none_or(|p| (1..=MAX_POSITION).contains(&p));
        let order_in_range = self
            .order
            .is_none_or(|o| o.value <= MAX_VALUE && o.currency.iter().all(u8::is_ascii_uppercase));
        if position_in_range && order_in_range {
            Ok(())
        } else {
            Err(Invalid::Range)
        }
    }

    /// Rebuilds an event from the wire and checks it.
    pub fn from_wire(wire: &Wire<'_>) -> Result<Event, Invalid> {
        let id = parse_hex(wire.id, 32).ok_or(Invalid::Id)?;
        let visit = parse_hex(wire.visit, 16).ok_or(Invalid::Id)? as u64;
        let widget = match wire.widget {
            Some(w) => Some(Widget::from_name(w).ok_or(Invalid::Name)?),
            None => None,
        };
        let order = match (wire.value, wire.currency) {
            (None, None) => None,
            (Some(value), Some(currency)) if value <= u64::from(MAX_VALUE) => {
                let order = Order::new(value as f64, currency).ok_or(Invalid::Range)?;
                (order.currency_str() == currency)
                    .then_some(order)
                    .ok_or(Invalid::Range)
                    .map(Some)?
            }
            (Some(_), Some(_)) => return Err(Invalid::Range),
            _ => return Err(Invalid::Fields),
        };
        let shown = match wire.shown {
            Some(s) => Some(Shown::from_name(s).ok_or(Invalid::Name)?),
            None => None,
        };
        let variant = match wire.variant {
            Some(v) => Some(Variant::new(v).ok_or(Invalid::Name)?),
            None => None,
        };
        let event = Event {
            id,
            visit,
            kind: Outcome::from_name(wire.kind).ok_or(Invalid::Name)?,
            arm: Arm::from_name(wire.arm).ok_or(Invalid::Name)?,
            page: Page::from_name(wire.page).ok_or(Invalid::Name)?,
            widget,
            position: match wire.position {
                Some(p) => Some(u32::try_from(p).map_err(|_| Invalid::Range)?),
                None => None,
            },
            order,
            shown,
            variant,
            hour: u32::try_from(wire.hour).map_err(|_| Invalid::Range)?,
        };
        event.check()?;
        Ok(event)
    }

    /// Appends the event as one JSON object (fields in a fixed order,
    /// absent ones left out).
    pub fn write_json(&self, out: &mut String) {
        out.push_str("{\"id\":\"");
        push_hex(out, self.id, 32);
        out.push_str("\",\"visit\":\"");
        push_hex(out, u128::from(self.visit), 16);
        out.push('"');
        let mut field = |name: &str, value: &str, quoted: bool| {
            out.push_str(",\"");
            out.push_str(name);
            out.push_str(if quoted { "\":\"" } else { "\":" });
            out.push_str(value);
            if quoted {
                out.push('"');
            }
        };
        field("type", self.kind.as_str(), true);
        field("arm", self.arm.as_str(), true);
        field("page", self.page.as_str(), true);
        if let Some(widget) = self.widget {
            field("widget", widget.as_str(), true);
        }
        if let Some(position) = self.position {
            field("position", &num(u64::from(position)), false);
        }
        if let Some(order) = &self.order {
            field("value", &num(u64::from(order.value)), false);
            field("currency", order.currency_str(), true);
        }
        if let Some(shown) = self.shown {
            field("shown", shown.as_str(), true);
        }
        if let Some(variant) = &self.variant {
            field("variant", variant.as_str(), true);
        }
        field("hour", &num(u64::from(self.hour)), false);
        out.push('}');
    }

    /// The id as 32 hex digits.
    pub fn id_hex(&self) -> String {
        let mut out = String::with_capacity(32);
        push_hex(&mut out, self.id, 32);
        out
    }

    /// The visit as 16 hex digits.
    pub fn visit_hex(&self) -> String {
        let mut out = String::with_capacity(16);
        push_hex(&mut out, u128::from(self.visit), 16);
        out
    }
}

/// Hours since the Unix epoch at `now_ms`.
pub fn hour_of(now_ms: u64) -> u32 {
    u32::try_from(now_ms / HOUR_MS).unwrap_or(u32::MAX)
}

/// The visit an event belongs to: a random id for the profile's visit
/// (which 30 idle minutes end, see [`Profile::touch`](crate::profile::Profile::touch)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visit {
    /// Random; never reused after the visit.
    pub id: u64,
    /// When the visit started (ms since the Unix epoch), as the profile has it.
    pub started_ms: u64,
}

impl Visit {
    /// The id of the visit that started at `started_ms`: `stored`'s if it is
    /// that visit, else `fresh_id`.
    pub fn resume(stored: Option<Visit>, fresh_id: u64, started_ms: u64) -> Visit {
        match stored {
            Some(v) if v.started_ms == started_ms => v,
            _ => Visit {
                id: fresh_id,
                started_ms,
            },
        }
    }

    /// Parses the stored form, `id-hex|started_ms`.
    pub fn parse(text: &str) -> Option<Visit> {
        let (id, last) = text.split_once('|')?;
        Some(Visit {
            id: parse_hex(id, 16)? as u64,
            started_ms: last.parse().ok()?,
        })
    }

    /// The stored form (see [`Visit::parse`]).
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(32);
        push_hex(&mut out, u128::from(self.id), 16);
        out.push('|');
        out.push_str(&num(self.started_ms));
        out
    }
}

fn push_hex(out: &mut String, value: u128, digits: u32) {
    for i in (0..digits).rev() {
        let nibble = (value >> (4 * i)) as u8 & 0xf;
        out.push(char::from(if nibble < 10 {
            b'0' + nibble
        } else {
            b'a' + nibble - 10
        }));
    }
}

/// Exactly `digits` lower-case hex digits.
fn parse_hex(text: &str, digits: usize) -> Option<u128> {
    if text.len() != digits {
        return None;
    }
    text.bytes().try_fold(0u128, |acc, b| {
        let nibble = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            _ => return None,
        };
        Some(acc << 4 | u128::from(nibble))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire() -> Wire<'static> {
        Wire {
            id: "0123456789abcdef0123456789abcdef",
            visit: "00000000000000ff",
            kind: "click",
            arm: "personalized",
            page: "product",
            widget: Some("similar"),
            position: Some(3),
            hour: 490_000,
            ..Wire::default()
        }
    }

    #[test]
    fn wire_round_trip() {
        let event = Event::from_wire(&wire()).unwrap();
        let mut json = String::new();
        event.write_json(&mut json);
        assert_eq!(
            json,
            r#"{"id":"0123456789abcdef0123456789abcdef","visit":"00000000000000ff","type":"click","arm":"personalized","page":"product","widget":"similar","position":3,"hour":490000}"#
        );
        assert_eq!(event.id_hex(), wire().id);
        assert_eq!(event.visit_hex(), wire().visit);
    }

    #[test]
    fn refuses_what_the_schema_does_not_allow() {
        let cases: [(Wire<'static>, Invalid); 9] = [
            (
                Wire {
                    id: "ABC",
                    ..wire()
                },
                Invalid::Id,
            ),
            (
                Wire {
                    id: "0123456789ABCDEF0123456789ABCDEF",
                    ..wire()
                },
                Invalid::Id,
            ),
            (
                Wire {
                    kind: "purchase",
                    ..wire()
                },
                Invalid::Name,
            ),
            (
                Wire {
                    arm: "control",
                    ..wire()
                },
                Invalid::Name,
            ),
            (
                Wire {
                    widget: None,
                    ..wire()
                },
                Invalid::Fields,
            ),
            (
                Wire {
                    position: Some(0),
                    ..wire()
                },
                Invalid::Range,
            ),
            (
                Wire {
                    kind: "page_view",
                    widget: None,
                    ..wire()
                },
                Invalid::Fields,
            ),
            (
                Wire {
                    value: Some(5),
                    currency: Some("EUR"),
                    ..wire()
                },
                Invalid::Fields,
            ),
            (
                Wire {
                    hour: u64::MAX,
                    ..wire()
                },
                Invalid::Range,
            ),
        ];
        for (wire, expected) in cases {
            assert_eq!(Event::from_wire(&wire), Err(expected), "{wire:?}");
        }
    }

    #[test]
    fn only_the_personalized_arms_exposures_say_how_they_were_shown() {
        let exposure = Wire {
            kind: "exposure",
            position: None,
            shown: Some("timeout"),
            ..wire()
        };
        let event = Event::from_wire(&exposure).unwrap();
        assert_eq!(event.shown, Some(Shown::Timeout));
        let mut json = String::new();
        event.write_json(&mut json);
        assert!(json.ends_with(r#""widget":"similar","shown":"timeout","hour":490000}"#));
        for shown in Shown::ALL {
            assert_eq!(Shown::from_name(shown.as_str()), Some(shown));
        }
        // Older browsers send none; the holdout and other kinds never may.
        assert!(
            Event::from_wire(&Wire {
                shown: None,
                ..exposure
            })
            .is_ok()
        );
        for (wire, expected) in [
            (
                Wire {
                    shown: Some("slow"),
                    ..exposure
                },
                Invalid::Name,
            ),
            (
                Wire {
                    arm: "holdout",
                    ..exposure
                },
                Invalid::Fields,
            ),
            (
                Wire {
                    shown: Some("timeout"),
                    ..wire()
                },
                Invalid::Fields,
            ),
        ] {
            assert_eq!(Event::from_wire(&wire), Err(expected), "{wire:?}");
        }
    }

    #[test]
    fn orders_carry_a_rounded_value_and_a_currency() {
        assert_eq!(
            Order::new(59.5, "eur"),
            Some(Order {
                value: 60,
                currency: *b"EUR"
            })
        );
        for (value, currency) in [
            (-1.0, "EUR"),
            (f64::NAN, "EUR"),
            (1e12, "EUR"),
            (1.0, "EURO"),
        ] {
            assert_eq!(Order::new(value, currency), None);
        }
        let order = Wire {
            kind: "order",
            page: "checkout",
            widget: None,
            position: None,
            value: Some(60),
            currency: Some("EUR"),
            ..wire()
        };
        assert!(Event::from_wire(&order).is_ok());
        let lower = Wire {
            currency: Some("eur"),
            ..order
        };
        assert_eq!(Event::from_wire(&lower), Err(Invalid::Range));
        let no_value = Wire {
            value: None,
            currency: None,
            ..order
        };
        assert!(Event::from_wire(&no_value).is_ok());
        let half = Wire {
            currency: None,
            ..order
        };
        assert_eq!(Event::from_wire(&half), Err(Invalid::Fields));
    }

    #[test]
    fn a_visit_keeps_its_id_until_the_profile_starts_another() {
        let v = Visit::resume(None, 1, 1_000);
        let same = Visit::resume(Some(v), 2, 1_000);
        assert_eq!(same, v);
        let next = Visit::resume(Some(same), 3, 2_000);
        assert_eq!((next.id, next.started_ms), (3, 2_000));
        assert_eq!(Visit::parse(&next.to_text()), Some(next));
        assert_eq!(Visit::parse("zz|1"), None);
    }
}
