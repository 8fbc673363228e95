use proptest::prelude::*;
use shelfwise_core::context::Context;
use shelfwise_core::engine::{Engine, Fetch, MemoryHost};
use shelfwise_core::model::sharded::{FileKind, Sharded, Want};
use shelfwise_core::model::{
    Blocks, ItemMeta, Lookup as _, Model, ModelBuilder, ShardedFiles, Source,
};
use shelfwise_core::profile::{EventKind, Profile};
use shelfwise_core::rank::{Focus, RankOptions, rank, recommend};

const NOW: u64 = 1_700_000_000_000;

/// Loads into `state` what `ids` need, round after round, from `files`
/// (found by name: the digest check is the transport's).
fn load(files: &ShardedFiles, state: &mut Sharded, ids: &[&str]) -> usize {
    let mut rounds = 0;
    loop {
        let wanted = state.wanted(ids);
        if wanted.is_empty() {
            return rounds;
        }
        rounds += 1;
        for want in wanted {
            let bytes = file(files, &want).expect("every wanted file was written");
            state.add(&want, bytes).expect("a file the encoder wrote");
        }
    }
}

fn file(files: &ShardedFiles, want: &Want) -> Option<Vec<u8>> {
    let name = want.file_name();
    files
        .files
        .iter()
        .find(|f| f.0 == name)
        .map(|f| f.1.clone())
}

/// A catalogue of `n` items in `c` categories; item `i` neighbours the next
/// few; every seventh is out of stock, every eleventh sensitive.
fn catalogue(n: usize, c: usize) -> ModelBuilder {
    catalogue_scaled(n, c, 1.0)
}

/// [`catalogue`] with every weight times `factor`.
fn catalogue_scaled(n: usize, c: usize, factor: f32) -> ModelBuilder {
    let mut b = ModelBuilder::new();
    for i in 0..n {
        let id = format!("item-{i}");
        b.set_meta(
            &id,
            ItemMeta {
                category: Some(format!("cat-{}", i % c)),
                out_of_stock: i % 7 == 3,
                sensitive: i % 11 == 5,
            },
        );
        for d in 1..=4 {
            b.add_neighbor(&id, &format!("item-{}", (i + d * d) % n), factor / d as f32);
        }
    }
    b.revisit_share(0.7);
    b
}

#[test]
fn a_seed_costs_one_file_per_level_then_its_part() {
    // 128 parts: the manifest names them; 512: one level of index files
    // between; 8,192: two.
    for (items, levels) in [(100, 0), (500, 1), (5000, 2)] {
        let b = catalogue(items, 5);
        let files = b.encode_sharded(1);
        let mut state = Sharded::decode(files.manifest.clone()).unwrap();
        let layout = state.layout();
        assert_eq!((layout.items, layout.levels), (items as u32, levels));
        assert!(files.manifest.len() <= 48 + 256 * 32, "at most 256 rows");
        let first = state.wanted(&["item-1", "item-2"]);
        let expected = if levels == 0 {
            FileKind::Part
        } else {
            FileKind::Index(1)
        };
        assert!(first.iter().all(|w| w.kind == expected), "{first:?}");
        assert_eq!(
            load(&files, &mut state, &["item-1"]) as u32,
            levels + 1,
            "each level, then the part"
        );
        assert!(state.wanted(&["item-1"]).is_empty());
        assert_eq!(state.parts().count(), 1);
        assert!(state.parts().all(|p| p.external_count() > 0));
        // And the seed's part answers as the whole model.
        let whole = Model::decode(b.encode()).unwrap();
        let mut profile = Profile::new();
        profile.record(EventKind::View, "item-1", Some("cat-1"), 1.0, NOW);
        let candidates: Vec<String> = (0..30).map(|i| format!("item-{i}")).collect();
        let options = RankOptions::new(NOW + 1000);
        let ranked = rank(&state, &profile, &candidates, &options);
        assert_ne!(ranked[0].item, 0, "the seed's neighbours lead");
        assert_eq!(ranked, rank(&whole, &profile, &candidates, &options));
    }
}

#[test]
fn a_file_s_integrity_is_its_digest_in_base64() {
    // SHA-256 of the empty string, as `openssl dgst -sha256 -binary | base64` gives it.
    let digest: Vec<u8> = (0..32)
        .map(|i| {
            let hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
            u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()
        })
        .collect();
    let want = Want {
        kind: FileKind::Part,
        number: 0,
        digest: digest.try_into().unwrap(),
    };
    assert_eq!(
        want.integrity(),
        "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    );
    assert_eq!(want.file_name(), "e3b0c44298fc1c149afbf4c8996fb924.swp");
}

#[test]
fn earlier_visits_seeds_come_only_from_the_cache() {
    const HOUR: u64 = 3_600_000;
    let files = catalogue(500, 5).encode_sharded(1);
    let mut engine = Engine::new(MemoryHost::new(NOW), true, 0);
    engine.begin_page(Context::default(), &[("item-1", None, 1.0)]);
    // A later visit: a new page, the earlier profile read back from storage.
    let mut host = engine.host().clone();
    host.advance(2 * HOUR);
    let mut engine = Engine::new(host, true, 0);
    engine.begin_page(Context::default(), &[("item-200", None, 1.0)]);
    engine.track(EventKind::AddToCart, &[("item-300", None, 1.0)], None);
    engine.install_model(Source::decode(files.manifest.clone()).unwrap());
    // Round after round, what may be fetched is; the device's cache is empty.
    let mut cached = 0;
    loop {
        let wanted = engine.wanted(&["item-400"], &[]);
        if wanted.is_empty() {
            break;
        }
        for (want, fetch) in wanted {
            let bytes = match fetch {
                Fetch::Network => file(&files, &want),
                Fetch::Cached => {
                    cached += 1;
                    None
                }
            };
            engine.add_file(&want, bytes).unwrap();
        }
    }
    assert_eq!(
        cached, 1,
        "the earlier visit's item, once, at its first file"
    );
    let part = |id: &str| match engine.model() {
        Some(Source::Sharded(s)) => s.find(id).is_some(),
        _ => unreachable!(),
    };
    assert!(part("item-200") && part("item-300") && part("item-400"));
    assert!(
        !part("item-1"),
        "never fetched: it would tell of the earlier visit"
    );
    // Ahead of the next page, the index files of what the page shows, not
    // their parts; nothing once the item's index file is there.
    let ahead = engine.prefetch(&["item-1", "item-2"], false);
    assert!(
        !ahead.is_empty(),
        "two levels of files: the index files come first"
    );
    assert!(
        ahead
            .iter()
            .all(|(w, f)| matches!(w.kind, FileKind::Index(_)) && *f == Fetch::Network)
    );
    assert_eq!(engine.prefetch(&["item-200"], false), []);
    // An item the shopper is opening: its next file, whichever it is — and
    // its part once the index files are there; nothing once it is loaded.
    let opening = engine.prefetch(&["item-2"], true);
    assert_eq!(opening, engine.prefetch(&["item-2"], false));
    for (want, _) in &ahead {
        engine.add_file(want, file(&files, want)).unwrap();
    }
    loop {
        let next = engine.prefetch(&["item-2"], false);
        if next.is_empty() {
            break;
        }
        for (want, _) in next {
            engine.add_file(&want, file(&files, &want)).unwrap();
        }
    }
    let opening = engine.prefetch(&["item-2"], true);
    assert!(matches!(
        opening[..],
        [(
            Want {
                kind: FileKind::Part,
                ..
            },
            Fetch::Network
        )]
    ));
    engine
        .add_file(&opening[0].0, file(&files, &opening[0].0))
        .unwrap();
    assert_eq!(engine.prefetch(&["item-2", "item-200"], true), []);
}

#[test]
fn files_that_fail_are_not_asked_for_again_and_wrong_files_are_refused() {
    let files = catalogue(500, 5).encode_sharded(1);
    let start = || Sharded::decode(files.manifest.clone()).unwrap();
    // The state with item-40's index file loaded, and the part it wants.
    let at_part = || {
        let mut state = start();
        let index = state.wanted(&["item-40"])[0];
        state.add(&index, file(&files, &index).unwrap()).unwrap();
        let part = state.wanted(&["item-40"])[0];
        assert_eq!(part.kind, FileKind::Part);
        (state, part)
    };

    // A fetch that failed: not asked for again.
    let mut state = start();
    let index = state.wanted(&["item-9"])[0];
    state.fail(&index);
    assert!(state.wanted(&["item-9"]).is_empty());

    // A truncated part: refused, not asked for again, its items unknown.
    let (mut state, part) = at_part();
    let mut truncated = file(&files, &part).unwrap();
    truncated.pop();
    assert!(state.add(&part, truncated).is_err());
    assert!(state.wanted(&["item-40"]).is_empty());
    assert!(state.find("item-40").is_none());

    // Another part's file, or an index file, in its place: refused.
    let (mut state, part) = at_part();
    let other = files
        .files
        .iter()
        .find(|(name, bytes)| {
            name.ends_with(".swp")
                && Model::decode(&bytes[..]).unwrap().part().number != part.number
        })
        .unwrap();
    assert!(state.add(&part, other.1.clone()).is_err());
    let (mut state, part) = at_part();
    let index = files
        .files
        .iter()
        .find(|(name, _)| name.ends_with(".swi"))
        .unwrap();
    assert!(state.add(&part, index.1.clone()).is_err());

    // The same part from another build (another revisit share): refused.
    let mut b = catalogue(500, 5);
    b.revisit_share(0.5);
    let theirs = b.encode_sharded(1);
    let (mut state, part) = at_part();
    let bytes = theirs
        .files
        .iter()
        .find_map(|(_, bytes)| {
            let m = Model::decode(&bytes[..]).ok()?;
            (m.part().number == part.number).then(|| bytes.clone())
        })
        .unwrap();
    assert!(state.add(&part, bytes).is_err());
}

#[test]
fn a_rebuild_that_follows_the_last_keeps_the_parts_that_barely_moved() {
    let before = catalogue(400, 4);
    let last = Model::decode(before.encode()).unwrap();
    let files_before = before.encode_sharded(4);
    let names = |files: &ShardedFiles| -> Vec<String> {
        files
            .files
            .iter()
            .map(|f| f.0.clone())
            .filter(|n| n.ends_with(".swp"))
            .collect()
    };
    let unchanged = |after: &ShardedFiles| {
        let old = names(&files_before);
        names(after).iter().filter(|n| old.contains(n)).count()
    };
    // A day later: every weight 4 % up, and item-7 with a new neighbour.
    let day_later = || {
        let mut b = catalogue_scaled(400, 4, 1.04);
        b.add_neighbor("item-7", "item-300", 0.5);
        b
    };
    let parts = names(&files_before).len();
    let fresh = unchanged(&day_later().encode_sharded(4));
    let mut following = day_later();
    following.follow(&last);
    let followed = following.encode_sharded(4);
    assert_eq!(unchanged(&followed), parts - 1, "all but item-7's part");
    assert!(
        fresh < parts / 2,
        "without following, most parts change: {fresh} of {parts}"
    );
    // What moved too far is written anew.
    let mut far = catalogue_scaled(400, 4, 1.5);
    far.follow(&last);
    assert_eq!(unchanged(&far.encode_sharded(4)), 0);
}

#[test]
fn a_rebuild_that_follows_the_last_keeps_a_neighbour_a_newcomer_barely_beats() {
    // item-a keeps one neighbour; `weights` are what the data gives it.
    let strongest = |weights: &[(&str, f32)], last: Option<&Model<Vec<u8>>>| {
        let mut b = ModelBuilder::new();
        b.max_neighbors(1);
        for &(to, w) in weights {
            b.add_neighbor("item-a", to, w);
        }
        if let Some(last) = last {
            b.follow(last);
        }
        let m = Model::decode(b.encode()).unwrap();
        let a = m.item_index("item-a").unwrap();
        let n = m.neighbors(a).next().unwrap();
        (m.item_id(n.item).unwrap().to_owned(), n.weight)
    };
    let last = {
        let mut b = ModelBuilder::new();
        b.max_neighbors(1);
        b.add_neighbor("item-a", "item-b", 1.0);
        b.add_neighbor("item-a", "item-c", 0.5);
        Model::decode(b.encode()).unwrap()
    };
    let (kept, kept_weight) = strongest(&[("item-b", 1.0)], None);
    // A day later item-c is a little stronger than item-b, which weakened.
    let day_later = [("item-b", 0.95), ("item-c", 1.1)];
    assert_eq!(strongest(&day_later, None).0, "item-c", "a fresh build");
    assert_eq!(
        strongest(&day_later, Some(&last)),
        (kept, kept_weight),
        "following: item-b, with its code"
    );
    // Much stronger, item-c takes the place.
    let (newcomer, _) = strongest(&[("item-b", 0.95), ("item-c", 1.3)], Some(&last));
    assert_eq!(newcomer, "item-c");
}

#[test]
fn one_part_is_a_whole_model_and_a_manifest_is_not_a_model() {
    let b = catalogue(20, 2);
    let files = b.encode_sharded(1000);
    assert_eq!(files.files.len(), 1, "one part, its digest in the manifest");
    assert!(
        Model::decode(&files.manifest[..])
            .unwrap_err()
            .is_not_a_model()
    );
    assert!(Sharded::decode(b.encode()).unwrap_err().is_not_a_model());
}

/// What a shopper did, over a catalogue of `n` items: `(kind, item)`.
fn arb_history(n: usize) -> impl Strategy<Value = Vec<(u8, usize)>> {
    prop::collection::vec((0u8..4, 0..n + 5), 0..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Ranking through the parts the seeds need gives exactly the whole
    /// model's answers: order, scores and reasons.
    #[test]
    fn the_seeds_parts_answer_exactly_as_the_whole_model(
        n in 1usize..300,
        c in 1usize..6,
        per_part in 1usize..40,
        history in arb_history(300),
        candidates in prop::collection::vec(0usize..310, 0..30),
        anchor in 0usize..310,
        less in prop::collection::vec(0usize..310, 0..3),
        preferred in prop::option::of(0usize..7),
    ) {
        let b = catalogue(n, c);
        let whole = Model::decode(b.encode()).unwrap();
        let files = b.encode_sharded(per_part);
        let mut profile = Profile::new();
        for (k, (kind, item)) in history.iter().enumerate() {
            let kind = [EventKind::View, EventKind::AddToCart, EventKind::Purchase, EventKind::View][usize::from(*kind)];
            let category = format!("cat-{}", item % c);
            profile.record(kind, &format!("item-{item}"), Some(&category), 1.0, NOW + k as u64 * 1000);
        }
        for item in &less {
            profile.set_less(&format!("item-{item}"), true, NOW);
        }
        if let Some(c) = preferred {
            profile.set_preference("category", &format!("cat-{c}"));
        }
        let candidates: Vec<String> = candidates.iter().map(|i| format!("item-{i}")).collect();
        let anchor = format!("item-{anchor}");
        let on_page = [anchor.clone()];
        // What `Engine::wanted` asks for: the history, the cart, the items
        // marked "not for me", the anchor; with a preferred category, the
        // candidates too.
        let mut seeds: Vec<&str> = profile.interactions().iter().map(|i| i.item.as_str()).collect();
        seeds.extend(profile.cart().iter().map(|l| l.item.as_str()));
        seeds.extend(profile.less().map(|(item, _)| item));
        seeds.push(&anchor);
        if preferred.is_some() {
            seeds.extend(candidates.iter().map(String::as_str));
        }
        let mut state = Sharded::decode(files.manifest.clone()).unwrap();
        load(&files, &mut state, &seeds);
        for focus in [Focus::Profile, Focus::Anchor(&anchor), Focus::Cart, Focus::RecentlyViewed] {
            let options = RankOptions::new(NOW + 60_000).with_focus(focus).with_on_page(&on_page);
            prop_assert_eq!(
                rank(&state, &profile, &candidates, &options),
                rank(&whole, &profile, &candidates, &options)
            );
            prop_assert_eq!(
                recommend(&state, &profile, &options, 20),
                recommend(&whole, &profile, &options, 20)
            );
        }
    }

    #[test]
    fn directory_files_and_parts_of_any_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..600),
        number in 0u32..64,
    ) {
        let files = catalogue(200, 3).encode_sharded(1);
        let _ = Sharded::decode(bytes.clone());
        let mut framed = files.manifest[..48].to_vec();
        framed.extend_from_slice(&bytes);
        let _ = Sharded::decode(framed);
        let mut state = Sharded::decode(files.manifest.clone()).unwrap();
        for kind in [FileKind::Index(1), FileKind::Index(2), FileKind::Part] {
            let want = Want { kind, number, digest: [1; 32] };
            let _ = state.add(&want, bytes.clone());
        }
        let _ = state.wanted(&["a", "item-1"]);
    }
}

/// [`Blocks`] of `self.0` items, each on a thread of its own.
struct Threads(usize);

impl Blocks for Threads {
    fn map<T: Sync, R: Send>(&self, items: &[T], work: &(dyn Fn(&[T]) -> R + Sync)) -> Vec<R> {
        std::thread::scope(|s| {
            let threads: Vec<_> = items
                .chunks(self.0)
                .map(|block| s.spawn(move || work(block)))
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        })
    }
}

#[test]
fn lists_cut_in_blocks_and_parts_written_in_any_order_on_any_thread_give_the_same_model() {
    let b = catalogue(3000, 12);
    let whole = b.encode_sharded(4);
    let sharding = b.sharding(4, &Threads(37));
    let numbers: Vec<usize> = (0..sharding.parts()).collect();
    let (low, high) = numbers.split_at(numbers.len() / 2);
    let (low, mut high) = std::thread::scope(|s| {
        let sharding = &sharding;
        let a = s.spawn(move || low.iter().map(|&n| sharding.part(n)).collect::<Vec<_>>());
        let z = high
            .iter()
            .rev()
            .map(|&n| sharding.part(n))
            .collect::<Vec<_>>();
        (a.join().unwrap(), z)
    });
    high.reverse();
    let parts: Vec<_> = low.into_iter().chain(high).collect();
    assert!(sharding.part(sharding.parts()).is_none());
    let split = sharding.finish(parts);
    assert_eq!(split.manifest, whole.manifest);
    assert_eq!(split.files, whole.files);
    assert!(whole.files.iter().any(|(name, _)| name.ends_with(".swi")));
}
