//! Integration tests of shelfwise-core: model wire format and ranking.

mod model;
mod rank;
