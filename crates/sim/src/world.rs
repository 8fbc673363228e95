//! The simulated shoppers: who they are, what they like, and how they
//! browse. The one definition of the world both simulators use — natively
//! through the core ([`crate::native`]) and in Chromium through the real SDK
//! (`sim/simulate.mjs`, driven by `shelfwise-sim drive`).
//!
//! Shoppers come from the same world as the store's sample log (the one its
//! model is built from, [`Store::sample_events`]): each likes the items of
//! one category near one item of it (within three places, as the log's
//! sessions wander). A shopper scans the page's widgets top to bottom with
//! attention that fades along the list: at the k-th item shown, a liked item
//! is clicked with probability 0.9 · 0.75^k, another item of the category
//! 0.1 · 0.75^k, anything else 0.01. Without a click, a shopper goes to the
//! category through the menu three times in ten and leaves otherwise. A
//! liked product goes into the cart three times in ten; a cart goes to
//! checkout seven times in ten. Half the shoppers come back a day later.
//!
//! Nothing here knows a shopper's arm: any difference between arms comes
//! from what the store shows. Every random choice is a draw keyed by the
//! shopper, the visit, the step and what is decided ([`Draw`]), not the
//! next number of a stream: run in both arms, a shopper meets the same luck
//! at the same point, whatever happened before it (common random numbers),
//! which makes the paired comparison far tighter than two samples.

use crate::store::{CATEGORIES, PER_CATEGORY, Store, mix, unit};

/// Steps of a visit: clicks or menu visits after landing.
const STEPS: u32 = 6;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Where a shopper lands or goes by the menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    /// The home page.
    Home,
    /// A category's page.
    Category(usize),
}

/// The store as a shopper meets it: pages that show items, a cart, a
/// checkout. Natively it is the core's engine; in Chromium, the real pages.
pub trait Storefront {
    /// A visit starts, `offset_ms` from now (negative: in the past).
    fn begin_visit(&mut self, offset_ms: i64);
    /// Opens a page; the products it shows, in page order, each with its
    /// widget's position on the page.
    fn open(&mut self, to: Destination) -> Vec<(usize, usize)>;
    /// Clicks `item` in widget `widget` of the open page, which opens the
    /// item's page; what that page shows.
    fn click(&mut self, widget: usize, item: usize) -> Vec<(usize, usize)>;
    /// Puts the open product in the cart; `false` when it cannot be (out of
    /// stock).
    fn add_to_cart(&mut self) -> bool;
    /// Orders what is in the cart.
    fn checkout(&mut self);
}

/// What a draw decides; with the visit and the step, its key.
#[derive(Clone, Copy, Debug)]
enum Draw {
    TasteCategory,
    TasteIndex,
    Returning,
    FirstVisit,
    Landing,
    LandingCategory,
    /// Whether the k-th item shown catches the eye.
    Click(u32),
    AddToCart,
    Menu,
    Checkout,
}

impl Draw {
    fn slot(self) -> u64 {
        match self {
            Draw::TasteCategory => 0,
            Draw::TasteIndex => 1,
            Draw::Returning => 2,
            Draw::FirstVisit => 3,
            Draw::Landing => 4,
            Draw::LandingCategory => 5,
            Draw::AddToCart => 6,
            Draw::Menu => 7,
            Draw::Checkout => 8,
            Draw::Click(k) => 16 + u64::from(k),
        }
    }
}

/// One simulated shopper.
#[derive(Clone, Debug)]
pub struct Shopper {
    key: u64,
    /// The liked category (never the sensitive one).
    pub category: usize,
    /// The liked place in it: items within three places (around the
    /// category's end) are liked.
    pub index: usize,
    /// When each visit starts, in ms from now (negative: the past).
    pub visits: Vec<i64>,
}

impl Shopper {
    /// Shopper `n` of the world seeded `seed`, with visits spread over the
    /// last `days` days.
    pub fn new(seed: u64, n: u64, days: u32) -> Shopper {
        let key = mix(mix(seed ^ 0x5348_4f50) ^ n);
        let mut shopper = Shopper {
            key,
            category: 0,
            index: 0,
            visits: Vec::new(),
        };
        let pick = |draw, n: usize| (shopper.draw(u32::MAX, 0, draw) * n as f64) as usize;
        let category = pick(Draw::TasteCategory, CATEGORIES.len() - 1);
        let index = pick(Draw::TasteIndex, PER_CATEGORY);
        let returning = shopper.draw(u32::MAX, 0, Draw::Returning) < 0.5;
        let span = i64::from(days.max(1)) - i64::from(returning);
        let first = -((shopper.draw(u32::MAX, 0, Draw::FirstVisit) * (span * DAY_MS) as f64)
            as i64)
            - if returning { DAY_MS } else { 0 };
        shopper.category = category;
        shopper.index = index;
        shopper.visits = if returning {
            vec![first, first + DAY_MS]
        } else {
            vec![first]
        };
        shopper
    }

    /// Uniform in [0, 1): the draw for `what` at `step` of visit `visit`.
    fn draw(&self, visit: u32, step: u32, what: Draw) -> f64 {
        let at = u64::from(visit) << 40 | u64::from(step) << 32 | what.slot();
        unit(self.key ^ mix(at))
    }

    /// How much the shopper wants `item`: 2 liked, 1 same category, 0 other.
    pub fn appeal(&self, store: &Store, item: usize) -> u8 {
        if store.products[item].category != self.category {
            return 0;
        }
        let place = item % PER_CATEGORY;
        let distance = place.abs_diff(self.index);
        if distance.min(PER_CATEGORY - distance) <= 3 {
            2
        } else {
            1
        }
    }

    /// Runs every visit in `front`; the number of orders.
    pub fn shop(&self, store: &Store, front: &mut impl Storefront) -> u32 {
        let mut orders = 0;
        for (v, &offset) in self.visits.iter().enumerate() {
            front.begin_visit(offset);
            orders += u32::from(self.visit(store, v as u32, front));
        }
        orders
    }

    /// One visit; whether it ended in an order.
    fn visit(&self, store: &Store, v: u32, front: &mut impl Storefront) -> bool {
        let landing = if self.draw(v, 0, Draw::Landing) < 0.6 {
            Destination::Home
        } else {
            let c = self.draw(v, 0, Draw::LandingCategory) * CATEGORIES.len() as f64;
            Destination::Category(c as usize)
        };
        let mut shown = front.open(landing);
        let mut added = false;
        for step in 0..STEPS {
            let chosen = shown.iter().enumerate().find(|(k, (_, item))| {
                let attention = 0.75f64.powi(*k as i32);
                let chance = match self.appeal(store, *item) {
                    2 => 0.9 * attention,
                    1 => 0.1 * attention,
                    _ => 0.01,
                };
                self.draw(v, step, Draw::Click(*k as u32)) < chance
            });
            if let Some((_, &(widget, item))) = chosen {
                shown = front.click(widget, item);
                let liked = self.appeal(store, item) == 2;
                if liked && self.draw(v, step, Draw::AddToCart) < 0.3 && front.add_to_cart() {
                    added = true;
                }
            } else if self.draw(v, step, Draw::Menu) < 0.3 {
                shown = front.open(Destination::Category(self.category));
            } else {
                break;
            }
        }
        if added && self.draw(v, 0, Draw::Checkout) < 0.7 {
            front.checkout();
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shopper_is_the_same_for_the_same_seed_and_never_likes_the_sensitive_category() {
        let store = Store::demo();
        for n in 0..2000 {
            let a = Shopper::new(7, n, 7);
            let b = Shopper::new(7, n, 7);
            assert_eq!(
                (a.category, a.index, &a.visits),
                (b.category, b.index, &b.visits)
            );
            assert!(!Store::is_sensitive(a.category));
            assert!(a.visits.iter().all(|&o| (-7 * DAY_MS..=0).contains(&o)));
            let liked = (0..store.products.len())
                .filter(|&i| a.appeal(&store, i) == 2)
                .count();
            assert_eq!(liked, 7, "three places either side of one item");
        }
        let returning = (0..2000).filter(|&n| Shopper::new(7, n, 7).visits.len() == 2);
        assert!((900..1100).contains(&returning.count()));
    }
}
