//! Fuzzes the collector's beacon parser: arbitrary bodies never panic, and
//! whatever it accepts survives a round trip — written back as the browser
//! writes events, it parses to the same events.
#![no_main]

#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| checks::beacons(data));
