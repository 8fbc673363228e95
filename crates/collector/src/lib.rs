//! The Shelfwise collector: the server behind `shelfwise serve` ([`serve`]:
//! outcome beacons in, checked against the core's schema; the dashboard and
//! its report out), its databases ([`store`]: SQLite, PostgreSQL) and the
//! experiment's report ([`report`], with the intervals of [`stats`]).
//!
//! It never sees an item, a URL or an identifier: only the anonymous
//! beacons of `shelfwise_core::beacon`.

pub mod report;
pub mod serve;
pub mod stats;
pub mod store;
