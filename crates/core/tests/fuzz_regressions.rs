//! Replays every input kept in `fuzz/regressions/<target>/` through the
//! checks its fuzz target makes, so that a crash once found stays fixed.

#[path = "../../../fuzz/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("the regressions directory") {
        let path = entry.unwrap().path();
        check(&std::fs::read(&path).unwrap());
        replayed += 1;
    }
    replayed
}

#[test]
fn model_decoder_regressions() {
    assert!(replay("decode", checks::decode) >= 2);
}

#[test]
fn beacon_parser_regressions() {
    assert!(replay("beacons", checks::beacons) >= 3);
}

#[test]
fn rule_parser_regressions() {
    assert!(replay("rules", checks::rules) >= 3);
}
