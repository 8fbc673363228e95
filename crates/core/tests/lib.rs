//! Integration tests of shelfwise-core: model wire format, ranking and one
//! page's engine.

mod engine;
mod model;
mod rank;
