//! Integration tests of shelfwise-core: model wire format, sharded models,
//! ranking, segments and targeting rules, and one page's engine.

mod engine;
mod model;
mod rank;
mod sharded;
mod targeting;
