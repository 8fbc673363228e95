//! The properties the fuzz targets check, shared with the regression test
//! that replays `fuzz/regressions/` in `cargo test`
//! (`crates/core/tests/fuzz_regressions.rs`).

use shelfwise_core::beacon::parse_batch;
use shelfwise_core::model::Model;
use shelfwise_core::model::sharded::Sharded;

/// A fixed "now" (hours since the epoch), so that clamping is repeatable.
pub const NOW: u32 = 494_000;

/// Whatever decodes — a model, a part, a manifest — can be read in full
/// (every id, neighbour, external and category) without panicking, and
/// agrees with itself.
pub fn decode(bytes: &[u8]) {
    if let Ok(sharded) = Sharded::decode(bytes.to_vec()) {
        let _ = (
            sharded.layout(),
            sharded.unloaded(),
            sharded.wanted(&["a", "b"]),
        );
    }
    let Ok(model) = Model::decode(bytes) else {
        return;
    };
    let summary = model.summary();
    assert_eq!(summary.bytes, bytes.len());
    let named = model.item_count() + model.external_count();
    for external in model.item_count()..named {
        let id = model.item_id(external).expect("every external has an id");
        assert_eq!(model.item_index(id), None, "an external is not an item");
        let _ = (model.category_of(external), model.flags(external));
    }
    for item in 0..model.item_count() {
        let id = model.item_id(item).expect("every index has an id");
        assert_eq!(model.item_index(id), Some(item));
        for n in model.neighbors(item) {
            assert!(n.item < named && n.weight.is_finite());
        }
        if let Some(c) = model.category_of(item) {
            let name = model.category_name(c).expect("every category has a name");
            assert_eq!(model.category_index(name), Some(c));
        }
        let _ = (model.popularity(item), model.flags(item));
    }
}

/// Whatever the collector accepts, written back as the browser writes
/// events, parses to the same events.
pub fn beacons(body: &[u8]) {
    let Ok((events, dropped)) = parse_batch(body, NOW) else {
        return;
    };
    let mut json = format!("{{\"v\":1,\"dropped\":{dropped},\"events\":[");
    for (i, event) in events.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        assert!(event.check().is_ok());
        event.write_json(&mut json);
    }
    json.push_str("]}");
    let again =
        parse_batch(json.as_bytes(), NOW).expect("what was accepted, written back, is accepted");
    assert_eq!(again, (events, dropped));
}

/// Any text given as a rule parses or is refused without panicking, with
/// the error inside the text on a character boundary; a rule that parses
/// holds or not the same way every time. And every term a shopper's
/// segments list, whatever category or preference value the text makes,
/// is a rule that holds for that shopper.
pub fn rules(data: &[u8]) {
    use shelfwise_core::rule::Rule;
    use shelfwise_core::segment::Segments;

    let text = String::from_utf8_lossy(data);
    let preferences = [("k".to_owned(), text.to_string())];
    let shopper = Segments {
        returning: data.first().is_some_and(|b| b & 1 == 1),
        cart_lines: data.len() % 3,
        category: Some(&text),
        preferences: &preferences,
        ..Segments::default()
    };
    match Rule::parse(&text) {
        Ok(rule) => assert_eq!(rule.holds(&shopper), rule.holds(&shopper)),
        Err(error) => assert!(text.is_char_boundary(error.at.min(text.len()))),
    }
    let both_marks = text.contains('"') && text.contains('\'');
    let writable = !text.is_empty() && !both_marks && text.len() < 900;
    if writable {
        for term in shopper.terms() {
            let rule = Rule::parse(&term).unwrap_or_else(|e| panic!("{term:?}: {e}"));
            assert!(rule.holds(&shopper), "{term:?}");
        }
    }
}
