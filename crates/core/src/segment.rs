//! Segments: what holds for the shopper now, computed on the device from
//! the profile and the page's context.
//!
//! A [`Segments`] value is a snapshot of the facts targeting rules (see
//! [`rule`](crate::rule)) test: a first or a returning visit, a buyer, the
//! cart, the strongest category, the device, where the visit came from, the
//! day-part and season, the language and the stated preferences. Nothing here
//! leaves the device: the terms are for rules and for the page's own code
//! (`shelfwise.segments()`), never for a beacon.

use crate::context::{DayPart, DeviceClass, ReferrerClass, Season};
use crate::profile::Profile;

/// The facts about the shopper now, borrowed from the profile. See the
/// [module docs](self).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Segments<'a> {
    /// The shopper had a visit before this one (within the retention window).
    pub returning: bool,
    /// The shopper has bought something (within the retention window).
    pub buyer: bool,
    /// Lines in the cart.
    pub cart_lines: usize,
    /// The category with the strongest affinity, if any.
    pub category: Option<&'a str>,
    /// Device class.
    pub device: DeviceClass,
    /// Where this visit came from.
    pub from: ReferrerClass,
    /// Local day-part.
    pub day_part: DayPart,
    /// Season in the shopper's hemisphere.
    pub season: Season,
    /// Primary language subtag, lower case.
    pub language: &'a str,
    /// Stated preferences: (key in lower case, value).
    pub preferences: &'a [(String, String)],
}

impl<'a> Segments<'a> {
    /// The segments of `profile` at `now_ms` (its context is the latest
    /// page's).
    pub fn of(profile: &'a Profile, now_ms: u64) -> Segments<'a> {
        let context = profile.context();
        Segments {
            returning: profile.previous_visit_ms() != 0,
            buyer: !profile.purchases().is_empty(),
            cart_lines: profile.cart().len(),
            category: profile.strongest_category(now_ms),
            device: context.device,
            from: context.referrer,
            day_part: context.day_part,
            season: context.season,
            language: &context.language,
            preferences: profile.preferences(),
        }
    }

    /// The terms that hold, in the rule syntax (`returning`,
    /// `category:tea`, `pref:diet=vegan`); a value with a space or a quote
    /// mark is quoted as a rule writes it. Unknown facts give no term.
    ///
    /// ```
    /// use shelfwise_core::segment::Segments;
    /// let s = Segments { buyer: true, language: "de", ..Segments::default() };
    /// assert_eq!(s.terms(), ["new", "buyer", "cart:empty", "from:direct", "lang:de"]);
    /// ```
    pub fn terms(&self) -> Vec<String> {
        let mut out = vec![String::from(if self.returning {
            "returning"
        } else {
            "new"
        })];
        if self.buyer {
            out.push("buyer".into());
        }
        let cart = if self.cart_lines > 0 {
            "items"
        } else {
            "empty"
        };
        out.push(String::from("cart:") + cart);
        if let Some(category) = self.category {
            out.push(quoted("category:", category));
        }
        for (name, value) in [
            ("device:", self.device.as_str()),
            ("from:", self.from.as_str()),
            ("daypart:", self.day_part.as_str()),
            ("season:", self.season.as_str()),
            ("lang:", self.language),
        ] {
            if !value.is_empty() {
                out.push(String::from(name) + value);
            }
        }
        for (key, value) in self.preferences {
            out.push(quoted(&(String::from("pref:") + key + "="), value));
        }
        out
    }
}

/// `prefix` and `value` as a rule writes it: bare, or quoted when the value
/// holds a space, a `|`, a quote mark or nothing (in `"…"`, or in `'…'`
/// when it holds `"`).
fn quoted(prefix: &str, value: &str) -> String {
    let bare = !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '|' | '"' | '\''));
    let mark = if bare {
        ""
    } else if value.contains('"') {
        "'"
    } else {
        "\""
    };
    String::from(prefix) + mark + value + mark
}
