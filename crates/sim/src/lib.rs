//! The simulated world of the demo store, defined once: the store
//! ([`store`]: catalogue, sample sessions, pages) and its shoppers
//! ([`world`]: tastes, attention, cart and checkout), who shop natively
//! through the core ([`native`], paired, thousands a second) or in Chromium
//! through the real SDK (`sim/simulate.mjs`, whose every decision comes
//! from [`world`] through `shelfwise-sim drive`).

pub mod native;
pub mod stats;
pub mod store;
pub mod world;
