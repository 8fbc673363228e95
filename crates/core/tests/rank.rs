use shelfwise_core::experiment::Arm;
use shelfwise_core::model::{ItemMeta, Model, ModelBuilder};
use shelfwise_core::profile::{EventKind, Profile};
use shelfwise_core::rank::{Exclusion, Focus, RankOptions, Reason, arrange, rank, recommend};

const NOW: u64 = 1_700_000_000_000;

/// Two categories: shoes s1..s4 similar among themselves, hats h1..h4 too.
fn model() -> Vec<u8> {
    let mut b = ModelBuilder::new();
    for cat in ["s", "h"] {
        for i in 1..=4 {
            let id = format!("{cat}{i}");
            let category = if cat == "s" { "shoes" } else { "hats" };
            b.set_meta(
                &id,
                ItemMeta {
                    category: Some(category.into()),
                    ..ItemMeta::default()
                },
            );
            for j in 1..=4 {
                b.add_neighbor(
                    &id,
                    &format!("{cat}{j}"),
                    1.0 / (1 + i.max(j) - i.min(j)) as f32,
                );
            }
        }
    }
    b.set_meta(
        "h4",
        ItemMeta {
            category: Some("hats".into()),
            sensitive: true,
            ..ItemMeta::default()
        },
    );
    b.set_meta(
        "s4",
        ItemMeta {
            category: Some("shoes".into()),
            out_of_stock: true,
            ..ItemMeta::default()
        },
    );
    b.encode()
}

fn order(ranked: &[shelfwise_core::rank::Ranked], candidates: &[&str]) -> Vec<String> {
    ranked
        .iter()
        .map(|r| candidates[r.item].to_owned())
        .collect()
}

#[test]
fn no_history_keeps_the_merchant_order() {
    let bytes = model();
    let m = Model::decode(&bytes[..]).unwrap();
    // s4 is out of stock: without history it still keeps its merchant place.
    let candidates = ["h1", "s4", "s1", "zz", "h2", "s2"];
    let ranked = rank(&m, &Profile::new(), &candidates, &RankOptions::new(NOW));
    assert_eq!(order(&ranked, &candidates), candidates);
    assert!(ranked.iter().all(|r| r.reason == Reason::MerchantOrder));
}

#[test]
fn viewed_category_leads_and_the_reason_names_the_driver() {
    let bytes = model();
    let m = Model::decode(&bytes[..]).unwrap();
    let mut p = Profile::new();
    for (i, id) in ["s1", "s2", "s3"].iter().enumerate() {
        p.record(EventKind::View, id, Some("shoes"), 0.0, NOW + i as u64);
    }
    let candidates = ["h1", "h2", "h3", "s1", "s2", "zz"];
    let ranked = rank(&m, &p, &candidates, &RankOptions::new(NOW + 10));
    let got = order(&ranked, &candidates);
    assert!(got[..2].iter().all(|id| id.starts_with('s')), "{got:?}");
    // The largest single contribution is named: a viewed shoe, or the shoes category.
    match &ranked[0].reason {
        Reason::Similar { item, kind } => assert!(item.starts_with('s') && kind.is_some()),
        Reason::Revisit { kind } => assert_eq!(*kind, EventKind::View),
        Reason::Category { category } => assert_eq!(category, "shoes"),
        other => panic!("unexpected reason {other:?}"),
    }
    // Unknown item keeps merchant order relative to the other unpushed items.
    let tail: Vec<_> = got
        .iter()
        .filter(|id| !id.starts_with('s'))
        .cloned()
        .collect();
    assert_eq!(tail, ["h1", "h2", "h3", "zz"]);
}

#[test]
fn a_cart_add_outweighs_an_older_view() {
    let bytes = model();
    let m = Model::decode(&bytes[..]).unwrap();
    let mut p = Profile::new();
    p.record(EventKind::View, "s2", Some("shoes"), 0.0, NOW);
    p.record(EventKind::AddToCart, "h2", Some("hats"), 0.0, NOW - 1000);
    let candidates = ["s1", "h1"];
    let ranked = rank(&m, &p, &candidates, &RankOptions::new(NOW));
    assert_eq!(order(&ranked, &candidates), ["h1", "s1"]);
}

#[test]
fn purchased_sensitive_and_out_of_stock_are_never_pushed() {
    let bytes = model();
    let m = Model::decode(&bytes[..]).unwrap();
    let mut p = Profile::new();
    p.record(EventKind::View, "h1", Some("hats"), 0.0, NOW);
    p.record(EventKind::Purchase, "h2", Some("hats"), 0.0, NOW);
    p.record(EventKind::View, "s3", Some("shoes"), 0.0, NOW);
    let candidates = ["s4", "s1", "h4", "h2", "h3"];
    let ranked = rank(&m, &p, &candidates, &RankOptions::new(NOW));
    let got = order(&ranked, &candidates);
    assert_eq!(got.last().unwrap(), "s4", "{got:?}"); // out of stock: last
    let reason = |id: &str| {
        ranked
            .iter()
            .find(|r| candidates[r.item] == id)
            .unwrap()
            .reason
            .clone()
    };
    assert_eq!(reason("h4"), Reason::Excluded(Exclusion::Sensitive));
    assert_eq!(reason("h2"), Reason::Excluded(Exclusion::Purchased));
    assert_eq!(reason("s4"), Reason::Excluded(Exclusion::OutOfStock));
    let recs = recommend(&m, &p, &RankOptions::new(NOW), 10);
    let ids: Vec<_> = recs.iter().map(|r| r.id.as_str()).collect();
    assert!(
        !ids.iter().any(|id| ["h2", "h4", "s4"].contains(id)),
        "{ids:?}"
    );
}

#[test]
fn anchor_and_cart_focus_change_what_leads() {
    let bytes = model();
    let m = Model::decode(&bytes[..]).unwrap();
    let mut p = Profile::new();
    p.record(EventKind::View, "h1", Some("hats"), 0.0, NOW);
    let candidates = ["h2", "s2"];
    let similar = rank(
        &m,
        &p,
        &candidates,
        &RankOptions::new(NOW).with_focus(Focus::Anchor("s1")),
    );
    assert_eq!(order(&similar, &candidates), ["s2", "h2"]);

    p.record(EventKind::AddToCart, "s3", Some("shoes"), 0.0, NOW);
    let recs = recommend(&m, &p, &RankOptions::new(NOW).with_focus(Focus::Cart), 3);
    let ids: Vec<_> = recs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids[0], "s2");
    assert!(
        !ids.contains(&"s3"),
        "the cart's own items are not suggested"
    );
}

#[test]
fn recently_viewed_orders_by_recency() {
    let bytes = model();
    let m = Model::decode(&bytes[..]).unwrap();
    let mut p = Profile::new();
    for (i, id) in ["s1", "h3", "s2"].iter().enumerate() {
        p.record(EventKind::View, id, None, 0.0, NOW + i as u64 * 1000);
    }
    let candidates = ["h1", "s1", "h3", "s2"];
    let ranked = rank(
        &m,
        &p,
        &candidates,
        &RankOptions::new(NOW + 5000).with_focus(Focus::RecentlyViewed),
    );
    assert_eq!(order(&ranked, &candidates), ["s2", "h3", "s1", "h1"]);
}

#[test]
fn a_page_arranges_by_its_arm_its_focus_and_whether_a_model_is_there() {
    let bytes = model();
    let m = Model::decode(&bytes[..]).unwrap();
    let mut p = Profile::new();
    for (i, id) in ["s1", "s2", "s3"].iter().enumerate() {
        p.record(EventKind::View, id, Some("shoes"), 0.0, NOW + i as u64);
    }
    let candidates = ["h1", "h2", "s3", "s1"];
    let profile = RankOptions::new(NOW + 10);
    let recent = RankOptions::new(NOW + 10).with_focus(Focus::RecentlyViewed);
    let arranged = |model: Option<&Model<&[u8]>>, arm, options: &RankOptions<'_>| {
        arrange(model, &p, arm, &candidates, options).map(|r| order(&r, &candidates))
    };
    // Personalized: what rank() gives, with or without the model for recently-viewed.
    assert_eq!(
        arranged(Some(&m), Arm::Personalized, &profile),
        Some(order(&rank(&m, &p, &candidates, &profile), &candidates))
    );
    assert_eq!(
        arranged(None, Arm::Personalized, &recent),
        Some(["s3", "s1", "h1", "h2"].map(String::from).to_vec())
    );
    // No model, any other focus: left as written.
    assert_eq!(arranged(None, Arm::Personalized, &profile), None);
    // The holdout: the merchant's order, whatever the history, model or focus.
    for (model, options) in [(Some(&m), &profile), (None, &recent), (None, &profile)] {
        let held = arrange(model, &p, Arm::Holdout, &candidates, options).unwrap();
        assert_eq!(order(&held, &candidates), candidates);
        assert!(held.iter().all(|r| r.reason == Reason::MerchantOrder));
    }
}

#[test]
fn ranking_is_deterministic() {
    let bytes = model();
    let m = Model::decode(&bytes[..]).unwrap();
    let mut p = Profile::new();
    p.record(EventKind::View, "s2", Some("shoes"), 0.0, NOW);
    let candidates: Vec<String> = (0..40)
        .map(|i| ["s1", "s2", "h1", "h3", "x"][i % 5].to_owned())
        .collect();
    let a = rank(&m, &p, &candidates, &RankOptions::new(NOW));
    let b = rank(&m, &p, &candidates, &RankOptions::new(NOW));
    assert_eq!(a, b);
    let mut seen: Vec<usize> = a.iter().map(|r| r.item).collect();
    seen.sort();
    assert_eq!(seen, (0..40).collect::<Vec<_>>(), "a permutation");
}
