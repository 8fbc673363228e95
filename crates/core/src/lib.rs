//! The pure core of Shelfwise, a client-side e-commerce personalization SDK.
//!
//! This crate holds everything Shelfwise decides: the shopper's local
//! [`profile`], the compact item-similarity [`model`] and its wire format, the
//! [`rank`]ing of candidate items, [`exit`]-intent detection, the classification of page
//! [`context`], the shopper's [`segment`]s and the targeting [`rule`]s that test them, the
//! [`experiment`] arms and the anonymous outcome [`beacon`]s — and, in
//! [`engine`], one page's decisions over all of them. The same code runs in the shopper's browser
//! (through the `shelfwise` wasm binding) and in the native CLI's evaluator.
//!
//! # What this crate does not do
//!
//! It has no DOM, no clock, no randomness and no network. Time arrives as
//! `now_ms` arguments (milliseconds since the Unix epoch), storage as strings
//! the caller reads and writes; the [`engine`] asks its [`Host`](engine::Host)
//! for all three. It never panics on untrusted input: model bytes
//! and stored profiles are validated before use and rejected with an error.
//!
//! # Example
//!
//! ```
//! use shelfwise_core::model::{Model, ModelBuilder};
//! use shelfwise_core::profile::{EventKind, Profile};
//! use shelfwise_core::rank::{rank, RankOptions};
//!
//! // A model where "shoe" is similar to "sock".
//! let mut builder = ModelBuilder::new();
//! builder.add_neighbor("shoe", "sock", 1.0);
//! builder.add_neighbor("sock", "shoe", 1.0);
//! let bytes = builder.encode();
//! let model = Model::decode(&bytes)?;
//!
//! let mut profile = Profile::new();
//! profile.record(EventKind::View, "shoe", None, 0.0, 1_000);
//!
//! let ranked = rank(&model, &profile, &["hat", "sock"], &RankOptions::new(2_000));
//! assert_eq!(ranked[0].item, 1); // "sock" now leads the merchant's "hat"
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod beacon;
pub mod context;
pub mod engine;
pub mod exit;
pub mod experiment;
mod hash;
pub mod json;
pub mod model;
pub mod profile;
pub mod rank;
pub mod rule;
pub mod segment;
