//! Experiment arms: personalized or holdout, chosen on the device.
//!
//! Each browser draws one random number once ([`Assignment`]) and keeps it
//! for a sticky period; its arm is the draw compared with the holdout share.
//! Because the draw, not the arm, is kept, changing the share moves only the
//! browsers between the old and the new threshold, never the others.
//!
//! ```
//! use shelfwise_core::experiment::{Arm, Assignment};
//!
//! let day = 24 * 60 * 60 * 1000;
//! let first = Assignment::renew(None, u32::MAX / 20, 0, 30 * day);
//! assert_eq!(first.arm(0.1), Arm::Holdout); // a draw in the lowest tenth
//! // The next page keeps it, whatever it draws.
//! let kept = Assignment::renew(Some(first), 7, day, 30 * day);
//! assert_eq!(kept, first);
//! ```

use crate::profile::num;

/// Default share of browsers in the holdout arm.
pub const DEFAULT_HOLDOUT: f64 = 0.1;

/// Default time a browser stays in its arm: 30 days.
pub const DEFAULT_STICKY_MS: u64 = 30 * 24 * 60 * 60 * 1000;

/// An experiment arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Arm {
    /// Widgets reordered, pop-ups and banners shown.
    Personalized,
    /// The merchant's order, no pop-ups, default banners; same beacons.
    Holdout,
}

impl Arm {
    /// Both arms, in report order.
    pub const ALL: [Arm; 2] = [Arm::Personalized, Arm::Holdout];

    /// The arm's name on the wire and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Arm::Personalized => "personalized",
            Arm::Holdout => "holdout",
        }
    }

    /// The arm named `name`, if any.
    pub fn from_name(name: &str) -> Option<Arm> {
        Arm::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// A browser's draw and when it was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// A uniformly random number, made once per sticky period.
    pub draw: u32,
    /// When the draw was made (ms since the Unix epoch).
    pub since_ms: u64,
}

impl Assignment {
    /// Keeps `stored` while it is younger than `sticky_ms` (and not from the
    /// future); otherwise starts over with `fresh_draw` at `now_ms`.
    pub fn renew(
        stored: Option<Assignment>,
        fresh_draw: u32,
        now_ms: u64,
        sticky_ms: u64,
    ) -> Assignment {
        match stored {
            Some(a) if a.since_ms <= now_ms && now_ms - a.since_ms < sticky_ms => a,
            _ => Assignment {
                draw: fresh_draw,
                since_ms: now_ms,
            },
        }
    }

    /// The arm for a holdout share (clamped to 0..=1; not a number counts as
    /// the default).
    pub fn arm(&self, holdout: f64) -> Arm {
        let share = if holdout.is_nan() {
            DEFAULT_HOLDOUT
        } else {
            holdout.clamp(0.0, 1.0)
        };
        // 2^32 · share, compared in f64: exact for every u32 draw.
        if f64::from(self.draw) < share * 4_294_967_296.0 {
            Arm::Holdout
        } else {
            Arm::Personalized
        }
    }

    /// Parses the stored form, `draw|since_ms`; `None` when unreadable.
    pub fn parse(text: &str) -> Option<Assignment> {
        let (draw, since) = text.split_once('|')?;
        Some(Assignment {
            draw: draw.parse().ok()?,
            since_ms: since.parse().ok()?,
        })
    }

    /// The stored form (see [`Assignment::parse`]).
    pub fn to_text(&self) -> String {
        let mut out = num(u64::from(self.draw));
        out.push('|');
        out.push_str(&num(self.since_ms));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_share_sets_the_threshold() {
        let at = |draw| Assignment { draw, since_ms: 0 };
        assert_eq!(at(0).arm(0.1), Arm::Holdout);
        assert_eq!(at(429_496_729).arm(0.1), Arm::Holdout);
        assert_eq!(at(429_496_730).arm(0.1), Arm::Personalized);
        assert_eq!(at(0).arm(0.0), Arm::Personalized);
        assert_eq!(at(u32::MAX).arm(1.0), Arm::Holdout);
        assert_eq!(at(u32::MAX).arm(7.0), Arm::Holdout);
        assert_eq!(at(0).arm(f64::NAN), Arm::Holdout);
        assert_eq!(at(u32::MAX).arm(-1.0), Arm::Personalized);
    }

    #[test]
    fn a_draw_is_kept_for_the_sticky_period() {
        let first = Assignment::renew(None, 5, 100, 1_000);
        assert_eq!(Assignment::renew(Some(first), 6, 1_099, 1_000), first);
        let next = Assignment::renew(Some(first), 6, 1_100, 1_000);
        assert_eq!((next.draw, next.since_ms), (6, 1_100));
        // A clock that went backwards starts over rather than keeping forever.
        assert_eq!(Assignment::renew(Some(next), 7, 50, 1_000).draw, 7);
        assert_eq!(Assignment::parse(&next.to_text()), Some(next));
        assert_eq!(Assignment::parse("x|1"), None);
    }

    #[test]
    fn the_holdout_share_is_met_over_many_browsers() {
        // An evenly spread set of draws stands for random ones.
        let n = 10_000u32;
        let held = (0..n)
            .map(|i| Assignment {
                draw: i * (u32::MAX / n),
                since_ms: 0,
            })
            .filter(|a| a.arm(0.1) == Arm::Holdout)
            .count();
        assert!((999..=1_001).contains(&held), "{held}");
    }
}
