//! Shelfwise's model side, native: reading merchants' logs (sessions text,
//! CSV with named columns, Segment and GA4 JSON lines), counting
//! co-occurrence and learning its parameters ([`build`]), reading a sharded
//! model as the browser does ([`shards`]), and scoring a model offline with
//! the ranking code the browser runs ([`eval`]).
//!
//! The `shelfwise` command (`crates/cli`) is its front end; the browser's
//! side of the model — decoding and ranking — is `shelfwise-core`.

pub mod baseline;
pub mod build;
pub mod cores;
pub mod eval;
pub mod events;
pub mod log;
pub mod shards;
pub mod table;
