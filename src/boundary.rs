//! The enumerations that cross the JS/wasm boundary, defined once here and
//! typed for the TypeScript by wasm-bindgen: no number or name means
//! something on one side only (see `docs/ARCHITECTURE.md`, "The boundary").

// wasm-bindgen adds an undocumented variant and functions to each string
// enum; every item written here is documented.
#![allow(missing_docs)]

use shelfwise_core::beacon;
use shelfwise_core::engine::Targeted;
use shelfwise_core::exit::{Suppressed, Trigger};
use wasm_bindgen::prelude::*;

/// How a widget or banner is shown: in the shopper's order, or in the
/// merchant's and why. `Engine.reorder` answers it (every value but
/// `timeout` and `consent`, which the page layer knows of), the widget's
/// `data-shelfwise-state` is `personalized` or else `merchant`, and its
/// exposure beacon (`Engine.beacon`) reports it.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    // In `beacon::Shown`'s order, so that converting costs nothing.
    /// In the shopper's order.
    Personalized = "personalized",
    /// The merchant's order: not decided in time (or already on screen).
    Timeout = "timeout",
    /// The merchant's order: no model.
    NoModel = "no-model",
    /// The merchant's order: nothing personal to rank by.
    NoHistory = "no-history",
    /// The merchant's order: no consent to personalize.
    Consent = "consent",
    /// Left as it was: malformed, or changed while it was reordered.
    Error = "error",
    /// The merchant's order, as the holdout arm always sees it.
    Holdout = "holdout",
}

impl From<beacon::Shown> for Shown {
    fn from(shown: beacon::Shown) -> Shown {
        match shown {
            beacon::Shown::Personalized => Shown::Personalized,
            beacon::Shown::Timeout => Shown::Timeout,
            beacon::Shown::NoModel => Shown::NoModel,
            beacon::Shown::NoHistory => Shown::NoHistory,
            beacon::Shown::Consent => Shown::Consent,
            beacon::Shown::Error => Shown::Error,
        }
    }
}

impl Shown {
    /// The beacon's token; the holdout's exposures carry none.
    pub fn on_wire(self) -> Option<beacon::Shown> {
        Some(match self {
            Shown::Personalized => beacon::Shown::Personalized,
            Shown::Holdout | Shown::__Invalid => return None,
            Shown::Timeout => beacon::Shown::Timeout,
            Shown::NoModel => beacon::Shown::NoModel,
            Shown::NoHistory => beacon::Shown::NoHistory,
            Shown::Consent => beacon::Shown::Consent,
            Shown::Error => beacon::Shown::Error,
        })
    }
}

/// A page input for the exit-intent detector (`Engine.exitInput`) and
/// what its two numbers `a`, `b` are.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitInput {
    /// The pointer moved to (`a`, `b`).
    PointerMove,
    /// The pointer left the document at (`a`, `b`).
    PointerLeave,
    /// A button went down at (`a`, `b`).
    PointerDown,
    /// The button went up.
    PointerUp,
    /// The page scrolled to offset `a`.
    Scroll,
    /// The shopper typed.
    Typing,
    /// A form field gained (`a` ≠ 0) or lost the focus.
    FieldFocus,
    /// The tab was hidden (`a` ≠ 0) or shown again.
    Hidden,
    /// A clock tick, about once a second.
    Tick,
    /// The viewport is now `a` × `b`.
    Resize,
}

/// Why exit intent triggered, as `onExitIntent` callbacks receive it.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitReason {
    /// The pointer left through the top edge.
    PointerTop = "pointer-top",
    /// A fast scroll back up.
    ScrollUp = "scroll-up",
    /// The tab came back after a while hidden.
    TabReturn = "tab-return",
    /// Idle with a non-empty cart.
    Idle = "idle",
}

impl From<Trigger> for ExitReason {
    fn from(reason: Trigger) -> ExitReason {
        match reason {
            Trigger::PointerTop => ExitReason::PointerTop,
            Trigger::ScrollUp => ExitReason::ScrollUp,
            Trigger::TabReturn => ExitReason::TabReturn,
            Trigger::Idle => ExitReason::Idle,
        }
    }
}

/// Whether a detected exit intent shows a prompt (`Engine.exitShow`),
/// and if not, why.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitVerdict {
    /// Show it.
    Shown = "shown",
    /// Too early on the page.
    TooEarly = "too-early",
    /// The visit's cap is reached.
    VisitCap = "visit-cap",
    /// The week's cap is reached.
    WeekCap = "week-cap",
    /// Suppressed: by the caller (consent, merchant), by a purchase in this
    /// visit, or by the holdout arm.
    Suppressed = "suppressed",
}

impl From<Suppressed> for ExitVerdict {
    fn from(why: Suppressed) -> ExitVerdict {
        match why {
            Suppressed::TooEarly => ExitVerdict::TooEarly,
            Suppressed::VisitCap => ExitVerdict::VisitCap,
            Suppressed::PeriodCap => ExitVerdict::WeekCap,
            Suppressed::ByCaller => ExitVerdict::Suppressed,
        }
    }
}

/// What `Engine.whenAll` decides for a targeted element: `show`; `hide`;
/// `held-out` — hidden, as in the holdout arm, whose exposure beacon still
/// counts what it would have seen; or `invalid` — hidden, its rule does not
/// parse.
#[wasm_bindgen]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Its rule holds: shown.
    Show = "show",
    /// Its rule does not hold, or no consent: hidden.
    Hide = "hide",
    /// Its rule holds, in the holdout arm: hidden, counted as seen.
    HeldOut = "held-out",
    /// Its rule does not parse: hidden.
    Invalid = "invalid",
}

impl From<Targeted> for Target {
    fn from(targeted: Targeted) -> Target {
        match targeted {
            Targeted::Show => Target::Show,
            Targeted::Hide => Target::Hide,
            Targeted::HeldOut => Target::HeldOut,
        }
    }
}
