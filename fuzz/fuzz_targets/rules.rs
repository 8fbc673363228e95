//! Fuzzes the targeting rule parser: any text parses or is refused without
//! a panic, and every term a shopper's segments list is a rule that holds.
#![no_main]

#[path = "../checks.rs"]
mod checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| checks::rules(data));
