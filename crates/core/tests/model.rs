use proptest::prelude::*;
use shelfwise_core::model::{HEADER_LEN, ItemMeta, MAGIC, Model, ModelBuilder};

fn sample() -> Vec<u8> {
    let mut b = ModelBuilder::new();
    b.add_neighbor("a", "b", 3.0)
        .add_neighbor("a", "c", 1.0)
        .add_neighbor("b", "a", 2.0);
    b.add_count("a", 10).add_count("b", 1);
    b.set_meta(
        "a",
        ItemMeta {
            category: Some("shoes".into()),
            ..ItemMeta::default()
        },
    );
    b.set_meta(
        "c",
        ItemMeta {
            category: Some("hats".into()),
            out_of_stock: true,
            sensitive: false,
        },
    );
    b.encode()
}

#[test]
fn decodes_what_it_encodes() {
    let bytes = sample();
    let m = Model::decode(&bytes[..]).unwrap();
    assert_eq!(m.item_count(), 3);
    let a = m.item_index("a").unwrap();
    let names: Vec<_> = m.neighbors(a).map(|n| m.item_id(n.item).unwrap()).collect();
    assert_eq!(names, ["b", "c"]);
    let w: Vec<f32> = m.neighbors(a).map(|n| n.weight).collect();
    // Within half a quantization step (2.2 %) of what was written.
    assert!(
        (w[0] / 3.0 - 1.0).abs() < 0.022 && (w[1] - 1.0).abs() < 0.022,
        "{w:?}"
    );
    assert_eq!(
        m.category_of(a).and_then(|c| m.category_name(c)),
        Some("shoes")
    );
    let c = m.item_index("c").unwrap();
    assert_eq!(m.flags(c), shelfwise_core::model::ITEM_OUT_OF_STOCK);
    assert!(m.popularity(a) > m.popularity(m.item_index("b").unwrap()));
    assert_eq!(m.item_index("zzz"), None);
}

#[test]
fn encoding_is_deterministic_whatever_the_call_order() {
    let mut x = ModelBuilder::new();
    x.add_neighbor("p", "q", 1.0)
        .add_neighbor("q", "r", 2.0)
        .add_item("s");
    let mut y = ModelBuilder::new();
    y.add_item("s")
        .add_neighbor("q", "r", 2.0)
        .add_neighbor("p", "q", 1.0);
    assert_eq!(x.encode(), y.encode());
}

#[test]
fn a_list_set_at_once_is_the_pairs_added_one_by_one() {
    let items = ["a", "b", "c", "d"];
    let declared = || {
        let mut b = ModelBuilder::new();
        let handles: Vec<u32> = items.iter().filter_map(|id| b.entry(id)).collect();
        (b, handles)
    };
    // A repeated pair, a self-pair, a weight that is not positive, one that
    // is not finite and an unknown item: added or set, the same model.
    let pairs = [
        (1, 2.0),
        (2, 1.0),
        (1, 0.5),
        (0, 4.0),
        (3, -1.0),
        (2, f32::NAN),
        (9, 1.0),
    ];
    let (mut added, handles) = declared();
    for &(to, w) in &pairs {
        added.add_neighbor_at(handles[0], to, w);
    }
    let (mut set, _) = declared();
    set.add_neighbor_at(handles[0], handles[3], 7.0);
    set.set_neighbors_at(handles[0], pairs.to_vec());
    assert_eq!(set.encode(), added.encode());
}

#[test]
fn the_revisit_share_round_trips_and_is_validated() {
    let mut b = ModelBuilder::new();
    b.add_neighbor("a", "b", 1.0);
    assert_eq!(Model::decode(b.encode()).unwrap().revisit_share(), None);
    b.revisit_share(1.5);
    let bytes = b.encode();
    assert_eq!(
        Model::decode(&bytes[..]).unwrap().revisit_share(),
        Some(1.5)
    );
}

#[test]
fn an_empty_model_is_valid() {
    let bytes = ModelBuilder::new().encode();
    let m = Model::decode(&bytes[..]).unwrap();
    assert_eq!(m.item_count(), 0);
    assert_eq!(m.item_index(""), None);
}

#[test]
fn every_truncation_is_rejected() {
    let bytes = sample();
    for len in 0..bytes.len() {
        let err = Model::decode(&bytes[..len]).unwrap_err();
        // Under four bytes there is no magic to recognise; from there on,
        // every prefix is missing bytes the header promised.
        assert!(
            err.is_truncated() || (len < 4 && err.is_not_a_model()),
            "{len} bytes: {err}"
        );
    }
}

#[test]
fn every_single_byte_corruption_is_rejected() {
    let bytes = sample();
    for i in 0..bytes.len() {
        let mut bad = bytes.clone();
        bad[i] ^= 0x5a;
        assert!(Model::decode(&bad[..]).is_err(), "byte {i} flipped");
    }
}

#[test]
fn errors_say_what_went_wrong() {
    let html = b"<!doctype html><html><body>Not Found</body></html>";
    assert!(Model::decode(&html[..]).unwrap_err().is_not_a_model());

    let mut v3 = sample();
    v3[8] = 3;
    let err = Model::decode(&v3[..]).unwrap_err();
    assert!(err.is_unsupported_version());
    assert!(err.to_string().contains("found 3"));

    let mut corrupt = sample();
    let last = corrupt.len() - 1;
    corrupt[last] ^= 1;
    assert!(
        Model::decode(&corrupt[..])
            .unwrap_err()
            .is_checksum_mismatch()
    );

    let mut long = sample();
    long.push(0);
    assert!(Model::decode(&long[..]).is_err());
}

#[test]
fn huge_counts_in_the_header_do_not_allocate_or_panic() {
    let mut bytes = sample();
    for field in [12usize, 16, 20, 24, 28] {
        let mut bad = bytes.clone();
        bad[field..field + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Model::decode(&bad[..]).is_err());
    }
    bytes.truncate(HEADER_LEN);
    assert!(Model::decode(&bytes[..]).is_err());
    assert_eq!(&sample()[..8], &MAGIC);
}

fn arb_model() -> impl Strategy<Value = Vec<(String, String, f32)>> {
    let id = "[a-zA-Z0-9 <>\"'é✓_-]{1,12}";
    prop::collection::vec((id, id, 0.001f32..1000.0), 0..60)
}

proptest! {
    #[test]
    fn encode_then_decode_keeps_every_neighbor(pairs in arb_model(), k in 1usize..8) {
        let mut b = ModelBuilder::new();
        b.max_neighbors(k);
        for (from, to, w) in &pairs {
            b.add_neighbor(from, to, *w);
            b.set_meta(from, ItemMeta { category: Some(to.clone()), ..ItemMeta::default() });
        }
        let bytes = b.encode();
        let m = Model::decode(&bytes[..]).unwrap();
        // Every id is found at its index; neighbour lists are bounded by k,
        // sorted by weight and point at real items.
        for i in 0..m.item_count() {
            let id = m.item_id(i).unwrap();
            prop_assert_eq!(m.item_index(id), Some(i));
            let ws: Vec<f32> = m.neighbors(i).map(|n| n.weight).collect();
            prop_assert!(ws.len() <= k);
            prop_assert!(ws.windows(2).all(|w| w[0] >= w[1]));
            for n in m.neighbors(i) {
                prop_assert!(n.item < m.item_count() && n.item != i);
            }
        }
        prop_assert_eq!(ModelBuilder::encode(&b), bytes);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = Model::decode(&bytes[..]);
        let mut framed = MAGIC.to_vec();
        framed.extend_from_slice(&bytes);
        let _ = Model::decode(&framed[..]);
    }
}
