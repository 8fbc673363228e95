//! Fuzzes the model decoder: arbitrary bytes never panic, and whatever
//! decodes can be read in full (every id, neighbour and category) without
//! panicking either.
#![no_main]

#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;
use shelfwise_core::model::MAGIC;

fuzz_target!(|data: &[u8]| {
    checks::decode(data);
    // Most random inputs fail at the magic; also try them behind a valid one.
    let mut framed = MAGIC.to_vec();
    framed.extend_from_slice(data);
    checks::decode(&framed);
});
