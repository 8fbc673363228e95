//! Fuzzes the model decoder: arbitrary bytes never panic, and whatever
//! decodes can be read in full (every id, neighbour and category) without
//! panicking either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shelfwise_core::model::{MAGIC, Model};

fuzz_target!(|data: &[u8]| {
    read_all(data);
    // Most random inputs fail at the magic; also try them behind a valid one.
    let mut framed = MAGIC.to_vec();
    framed.extend_from_slice(data);
    read_all(&framed);
});

fn read_all(bytes: &[u8]) {
    let Ok(model) = Model::decode(bytes) else { return };
    let summary = model.summary();
    assert_eq!(summary.bytes, bytes.len());
    for item in 0..model.item_count() {
        let id = model.item_id(item).expect("every index has an id");
        assert_eq!(model.item_index(id), Some(item));
        for n in model.neighbors(item) {
            assert!(n.item < model.item_count() && n.weight.is_finite());
        }
        if let Some(c) = model.category_of(item) {
            let name = model.category_name(c).expect("every category has a name");
            assert_eq!(model.category_index(name), Some(c));
        }
        let _ = (model.popularity(item), model.flags(item));
    }
}
