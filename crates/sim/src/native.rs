//! The world's shoppers in the store natively: each page is what the core
//! makes of it — [`Engine::place`] for every widget, the page's product
//! viewed, the cart and the order tracked — as the browser's engine does,
//! without the browser. Thousands of shoppers a second.
//!
//! Paired: every shopper shops once in each arm, with the same draws
//! ([`crate::world`]), so the lift is measured shopper by shopper.
//!
//! The same shoppers can also send the beacons the browser would
//! ([`beacons`]): a page view a page, an exposure a widget showing items
//! (with how it was shown), clicks at their position, carts and orders —
//! for the demo's collector, so that its dashboard shows an experiment of a
//! size that can tell the arms apart within its first minute.

use shelfwise_core::beacon::{Order, Outcome, Shown, Widget};
use shelfwise_core::context::Context;
use shelfwise_core::engine::{Engine, Host as _, MemoryHost};
use shelfwise_core::experiment::Arm;
use shelfwise_core::model::Source;
use shelfwise_core::profile::EventKind;

use crate::stats::{Paired, Ratio};
use crate::store::{Layout, Store, mix, unit};
use crate::world::{Destination, Shopper, Storefront};

/// When the paired simulation's "now" is: visits happen up to a week before.
const NOW_MS: u64 = 1_795_000_000_000;
const WEEK_MS: u64 = 7 * 24 * 60 * 60 * 1000;
/// The days over which shoppers' visits are spread.
const DAYS: u32 = 7;
/// Time between two pages of a visit.
const PAGE_MS: u64 = 30_000;

/// What one shopper's visits add up to, in one arm.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Tally {
    /// Visits.
    pub visits: u32,
    /// Visits that ended in an order.
    pub converted: u32,
    /// Orders' value.
    pub revenue: f64,
    /// Visits in which a widget showed at least one item.
    pub exposed: u32,
    /// Visits with a click on a widget's item.
    pub clicked: u32,
    /// Widgets shown, by how (only the personalized arm's count).
    pub shown_personalized: u32,
    /// Widgets shown in the merchant's order for want of history.
    pub shown_no_history: u32,
}

/// One arm's storefront: the shopper's engine on the store's pages.
struct Native<'a> {
    store: &'a Store,
    engine: Engine<MemoryHost>,
    /// The open product page's product.
    product: Option<usize>,
    cart: Vec<usize>,
    tally: Tally,
    /// This visit's flags, folded into the tally when the next begins.
    visit: Visit,
    /// The open page's widgets: kind and the products shown.
    widgets: Vec<(Widget, Vec<usize>)>,
    now_ms: u64,
    /// The holdout share that puts this browser in its arm.
    share: f64,
    /// The ceiling's shopper, whose tastes order the widgets (see
    /// [`Experiment::ceiling`]).
    ceiling: Option<&'a Shopper>,
}

#[derive(Clone, Copy, Debug, Default)]
struct Visit {
    exposed: bool,
    clicked: bool,
}

impl<'a> Native<'a> {
    /// A fresh browser in `arm`, its clock at `now_ms`, its randomness
    /// (event and visit ids) from `seed`; `beacons` turns its outcome
    /// beacons on.
    fn new(
        store: &'a Store,
        model: &Source,
        arm: Arm,
        now_ms: u64,
        seed: u64,
        beacons: bool,
    ) -> Native<'a> {
        // Its clock starts before the first visit (a week ago at most),
        // which moves it forward.
        let host = MemoryHost::new(now_ms - WEEK_MS).seeded(seed);
        let mut engine = Engine::new(host, true, 0);
        engine.install_model(model.clone());
        let share = match arm {
            Arm::Personalized => 0.0,
            Arm::Holdout => 1.0,
        };
        engine.set_beacons(beacons);
        Native {
            store,
            engine,
            product: None,
            cart: Vec::new(),
            tally: Tally::default(),
            visit: Visit::default(),
            widgets: Vec::new(),
            now_ms,
            share,
            ceiling: None,
        }
    }

    fn end_visit(&mut self) {
        self.tally.exposed += u32::from(self.visit.exposed);
        self.tally.clicked += u32::from(self.visit.clicked);
        self.visit = Visit::default();
    }

    /// Loads a page: its product viewed, every widget placed; what it shows.
    fn load(&mut self, layout: Layout) -> Vec<(usize, usize)> {
        self.engine.host_mut().advance(PAGE_MS);
        let store = self.store;
        let product = layout.product.map(|i| product(store, i));
        self.engine
            .begin_page(Context::default(), product.as_slice());
        self.engine
            .start_experiment(Some(self.share), 0, layout.page);
        self.engine
            .beacon(Outcome::PageView, None, None, None, None);
        self.product = layout.product;
        self.widgets.clear();
        let mut shown = Vec::new();
        // Before any interaction no ranking can know the shopper.
        let cold = self.engine.profile().interactions().is_empty();
        for (w, shelf) in layout.shelves.iter().enumerate() {
            let ids: Vec<&str> = shelf
                .items
                .iter()
                .map(|&i| store.products[i].id.as_str())
                .collect();
            let anchor = shelf.anchor.map(|i| store.products[i].id.as_str());
            let placement = self
                .engine
                .place(&ids, shelf.kind, anchor, shelf.limit, false);
            let visible: Vec<usize> = match self.ceiling {
                // The shopper's own tastes, best first, once they have done
                // anything: every candidate but the page's product (what a
                // recently-viewed widget shows is the holdout's), at the
                // limit.
                Some(shopper) if shelf.kind != Widget::RecentlyViewed && !cold => {
                    let mut best: Vec<usize> = shelf
                        .items
                        .iter()
                        .copied()
                        .filter(|&i| Some(i) != layout.product)
                        .collect();
                    best.sort_by_key(|&i| std::cmp::Reverse(shopper.appeal(store, i)));
                    best.truncate(shelf.limit.unwrap_or(usize::MAX));
                    best
                }
                _ => placement.visible().map(|p| shelf.items[p]).collect(),
            };
            shown.extend(visible.iter().map(|&item| (w, item)));
            let exposed = !visible.is_empty();
            self.widgets.push((shelf.kind, visible));
            if exposed {
                self.visit.exposed = true;
                self.engine.beacon(
                    Outcome::Exposure,
                    Some(shelf.kind),
                    None,
                    placement.shown,
                    None,
                );
                match placement.shown {
                    Some(Shown::Personalized) => self.tally.shown_personalized += 1,
                    Some(Shown::NoHistory) => self.tally.shown_no_history += 1,
                    _ => {}
                }
            }
        }
        shown
    }
}

/// A product as the engine's events name it.
fn product(store: &Store, i: usize) -> (&str, Option<&str>, f64) {
    let p = &store.products[i];
    (p.id.as_str(), Some(p.category_name()), p.price())
}

impl Storefront for Native<'_> {
    fn begin_visit(&mut self, offset_ms: i64) {
        if self.tally.visits > 0 {
            self.end_visit();
        }
        self.tally.visits += 1;
        let at = self.now_ms.saturating_add_signed(offset_ms);
        let now = self.engine.host().now_ms();
        self.engine.host_mut().advance(at.saturating_sub(now));
    }

    fn open(&mut self, to: Destination) -> Vec<(usize, usize)> {
        let layout = match to {
            Destination::Home => self.store.home(),
            Destination::Category(c) => self.store.category(c),
        };
        self.load(layout)
    }

    fn click(&mut self, widget: usize, item: usize) -> Vec<(usize, usize)> {
        self.visit.clicked = true;
        if let Some((kind, visible)) = self.widgets.get(widget) {
            let position = visible
                .iter()
                .position(|&i| i == item)
                .map(|p| p as u32 + 1);
            self.engine
                .beacon(Outcome::Click, Some(*kind), position, None, None);
        }
        self.load(self.store.product(item))
    }

    fn add_to_cart(&mut self) -> bool {
        let Some(i) = self
            .product
            .filter(|&i| !self.store.products[i].out_of_stock)
        else {
            return false;
        };
        let store = self.store;
        self.engine
            .track(EventKind::AddToCart, &[product(store, i)], None);
        self.cart.push(i);
        true
    }

    fn checkout(&mut self) {
        let store = self.store;
        let lines: Vec<_> = self.cart.drain(..).map(|i| product(store, i)).collect();
        let value: f64 = lines.iter().map(|l| l.2).sum();
        self.engine
            .track(EventKind::Purchase, &lines, Order::new(value, "USD"));
        self.tally.converted += 1;
        self.tally.revenue += value;
    }
}

/// Shopper `n`'s visits in `arm`; with `ceiling`, widgets ordered by the
/// shopper's own tastes once they have done anything (in the holdout's
/// browser).
pub fn shop(store: &Store, model: &Source, shopper: &Shopper, arm: Arm, ceiling: bool) -> Tally {
    let mut front = Native::new(store, model, arm, NOW_MS, 0, false);
    front.ceiling = ceiling.then_some(shopper);
    shopper.shop(store, &mut front);
    front.end_visit();
    front.tally
}

/// The beacon events (JSON lines) of `shoppers` shoppers of the world
/// seeded `seed` whose visits end by `now_ms`, each in one arm: the
/// holdout `holdout` of the time, by a draw of its own.
pub fn beacons(
    store: &Store,
    model: &Source,
    shoppers: u64,
    seed: u64,
    holdout: f64,
    now_ms: u64,
) -> String {
    let mut out = String::new();
    for n in 0..shoppers {
        let shopper = Shopper::new(seed, n, DAYS);
        let arm = if unit(seed ^ mix(n ^ 0x4152_4d00)) < holdout {
            Arm::Holdout
        } else {
            Arm::Personalized
        };
        let mut front = Native::new(store, model, arm, now_ms, mix(seed ^ mix(n)), true);
        shopper.shop(store, &mut front);
        out.push_str(&front.engine.take_beacons());
    }
    out
}

/// The paired experiment's result.
#[derive(Clone, Debug)]
pub struct Experiment {
    /// Shoppers (each in both arms).
    pub shoppers: u64,
    /// The world's seed.
    pub seed: u64,
    /// Each arm's totals.
    pub personalized: Tally,
    /// The holdout's.
    pub holdout: Tally,
    /// Conversion rate: personalized, holdout, and the paired lift.
    pub conversion_rate: Paired,
    /// Widget click-through (visits with a click per visit with a widget shown).
    pub widget_ctr: Paired,
    /// Revenue per visit.
    pub revenue_per_visit: Paired,
    /// The ceiling: the holdout's browser with every widget ordered by the
    /// shopper's own tastes (which no model knows) from their first
    /// interaction on — what a perfect ranking from history could earn in
    /// this world, within the merchant's widgets.
    pub ceiling: Tally,
    /// The ceiling's lifts over the holdout: conversion, click-through,
    /// revenue per visit.
    pub ceiling_lift: [Paired; 3],
}

/// Runs `shoppers` shoppers of the world seeded `seed` in both arms, on
/// `threads` threads (the result does not depend on them).
pub fn experiment(
    store: &Store,
    model: &Source,
    shoppers: u64,
    seed: u64,
    threads: usize,
) -> Experiment {
    // Each thread a run of consecutive shoppers, joined back in order.
    let chunk = shoppers.div_ceil(threads.max(1) as u64).max(1);
    let pairs: Vec<[Tally; 3]> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..shoppers)
            .step_by(chunk as usize)
            .map(|first| {
                scope.spawn(move || {
                    (first..(first + chunk).min(shoppers))
                        .map(|n| {
                            let shopper = Shopper::new(seed, n, DAYS);
                            [
                                shop(store, model, &shopper, Arm::Personalized, false),
                                shop(store, model, &shopper, Arm::Holdout, false),
                                shop(store, model, &shopper, Arm::Holdout, true),
                            ]
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a simulation thread panicked"))
            .collect()
    });
    let total = |arm: usize| {
        pairs
            .iter()
            .map(|p| &p[arm])
            .fold(Tally::default(), |mut sum, t| {
                sum.visits += t.visits;
                sum.converted += t.converted;
                sum.revenue += t.revenue;
                sum.exposed += t.exposed;
                sum.clicked += t.clicked;
                sum.shown_personalized += t.shown_personalized;
                sum.shown_no_history += t.shown_no_history;
                sum
            })
    };
    let ratio = |treated: usize, num: fn(&Tally) -> f64, den: fn(&Tally) -> f64| {
        let side = |t: &Tally| Ratio {
            num: num(t),
            den: den(t),
        };
        let samples: Vec<(Ratio, Ratio)> = pairs
            .iter()
            .map(|p| (side(&p[treated]), side(&p[1])))
            .collect();
        Paired::of(&samples)
    };
    let conversion = |t: &Tally| f64::from(t.converted);
    let visits = |t: &Tally| f64::from(t.visits);
    let clicks = |t: &Tally| f64::from(t.clicked);
    let exposed = |t: &Tally| f64::from(t.exposed);
    let revenue = |t: &Tally| t.revenue;
    Experiment {
        shoppers,
        seed,
        personalized: total(0),
        holdout: total(1),
        conversion_rate: ratio(0, conversion, visits),
        widget_ctr: ratio(0, clicks, exposed),
        revenue_per_visit: ratio(0, revenue, visits),
        ceiling: total(2),
        ceiling_lift: [
            ratio(2, conversion, visits),
            ratio(2, clicks, exposed),
            ratio(2, revenue, visits),
        ],
    }
}

impl Experiment {
    /// The result as the contract's JSON object (`../shared/DESIGN.md`,
    /// "Native simulation").
    pub fn to_json(&self) -> serde_json::Value {
        let arm = |t: &Tally, pick: fn(&Paired) -> f64| {
            serde_json::json!({
                "visits": t.visits,
                "orders": t.converted,
                "conversion_rate": pick(&self.conversion_rate),
                "widget_ctr": pick(&self.widget_ctr),
                "revenue_per_visit": pick(&self.revenue_per_visit),
                "revenue": t.revenue,
                "exposed_visits": t.exposed,
                "clicked_visits": t.clicked,
                "widgets_personalized": t.shown_personalized,
                "widgets_no_history": t.shown_no_history,
            })
        };
        let lift = |p: &Paired| serde_json::json!([p.lift, p.low, p.high]);
        let [conversion, ctr, revenue] = &self.ceiling_lift;
        serde_json::json!({
            "shoppers": self.shoppers,
            "seed": self.seed,
            "personalized": arm(&self.personalized, |p| p.treated),
            "holdout": arm(&self.holdout, |p| p.control),
            "lift": {
                "conversion_rate": lift(&self.conversion_rate),
                "widget_ctr": lift(&self.widget_ctr),
                "revenue_per_visit": lift(&self.revenue_per_visit),
            },
            "ceiling": {
                "visits": self.ceiling.visits,
                "orders": self.ceiling.converted,
                "conversion_rate": conversion.treated,
                "widget_ctr": ctr.treated,
                "revenue_per_visit": revenue.treated,
                "lift": {
                    "conversion_rate": lift(conversion),
                    "widget_ctr": lift(ctr),
                    "revenue_per_visit": lift(revenue),
                },
            },
        })
    }
}
