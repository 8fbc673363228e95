//! The paired native simulation on a model built from the store's own
//! sample sessions, as `shelfwise build` builds the demo's.

use std::collections::HashMap;

use shelfwise_core::model::{ItemMeta, Source};
use shelfwise_model::{build, events};
use shelfwise_sim::native::experiment;
use shelfwise_sim::store::Store;

fn model(store: &Store) -> Source {
    let (log, _) = events::read_log(store.sample_events().as_bytes(), None, true).unwrap();
    let catalog: HashMap<String, ItemMeta> = store
        .products
        .iter()
        .map(|p| {
            let meta = ItemMeta {
                category: Some(p.category_name().to_owned()),
                out_of_stock: p.out_of_stock,
                sensitive: Store::is_sensitive(p.category),
            };
            (p.id.clone(), meta)
        })
        .collect();
    let settings = build::Settings::default();
    let learned = build::learn(&log, &catalog, settings);
    Source::decode(build::build(&log, &catalog, settings, learned)).unwrap()
}

#[test]
fn the_same_seed_gives_the_same_figures_on_any_number_of_threads() {
    let store = Store::demo();
    let model = model(&store);
    let one = experiment(&store, &model, 600, 5, 1).to_json();
    assert_eq!(experiment(&store, &model, 600, 5, 3).to_json(), one);
    assert_ne!(experiment(&store, &model, 600, 6, 1).to_json(), one);
    // Paired: both arms see the same shoppers, visit for visit.
    assert_eq!(one["personalized"]["visits"], one["holdout"]["visits"]);
}

#[test]
fn in_this_world_personalization_earns_clicks_orders_and_revenue() {
    let store = Store::demo();
    let result = experiment(&store, &model(&store), 2000, 1, 2);
    for lift in [
        &result.conversion_rate,
        &result.widget_ctr,
        &result.revenue_per_visit,
    ] {
        assert!(lift.low > 0.0, "{result:#?}");
    }
    assert_eq!(
        result.holdout.shown_personalized, 0,
        "the holdout is never personalized"
    );
}
