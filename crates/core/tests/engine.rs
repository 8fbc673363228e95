//! One page's decisions, through [`Engine`] and a [`MemoryHost`].

use shelfwise_core::beacon::{Order, Outcome, Page, Shown, Variant, Widget};
use shelfwise_core::context::Context;
use shelfwise_core::engine::{
    Engine, ExitOutcome, Host, Kept, MemoryHost, Placement, Targeted, focus,
};
use shelfwise_core::exit::{Sensitivity, Suppressed, Viewport};
use shelfwise_core::model::{ItemMeta, ModelBuilder, Source};
use shelfwise_core::profile::EventKind;
use shelfwise_core::rank::{Exclusion, Focus, Reason};

const NOW: u64 = 1_700_000_000_000;
const MINUTE: u64 = 60_000;

/// Shoes s1..s3 similar among themselves; h1 a hat flagged sensitive when
/// `flag_h1`.
fn model(flag_h1: bool) -> Source {
    let mut b = ModelBuilder::new();
    for id in ["s1", "s2", "s3"] {
        b.set_meta(id, meta("shoes", false));
        for other in ["s1", "s2", "s3"] {
            if other != id {
                b.add_neighbor(id, other, 1.0);
            }
        }
    }
    b.set_meta("h1", meta("hats", flag_h1));
    b.add_neighbor("h1", "s1", 0.1);
    Source::decode(b.encode()).expect("a model the builder wrote")
}

fn meta(category: &str, sensitive: bool) -> ItemMeta {
    ItemMeta {
        category: Some(category.into()),
        sensitive,
        ..ItemMeta::default()
    }
}

/// Whether every item of a placement is shown.
fn visible_all(show: &[bool]) -> bool {
    show.iter().all(|&s| s)
}

fn fresh() -> Engine<MemoryHost> {
    Engine::new(MemoryHost::new(NOW), true, 0)
}

/// The `type` and `visit` of each queued beacon.
fn beacons(engine: &mut Engine<MemoryHost>) -> Vec<(String, String)> {
    let field = |line: &str, name: &str| {
        let start = line.find(&format!("\"{name}\":\"")).expect(name) + name.len() + 4;
        line[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    engine
        .take_beacons()
        .lines()
        .map(|l| (field(l, "type"), field(l, "visit")))
        .collect()
}

#[test]
fn the_holdout_sees_the_merchant_order_no_recommendations_and_the_default_banner() {
    for (holdout, held) in [(1.0, true), (0.0, false)] {
        let mut engine = fresh();
        engine.install_model(model(false));
        assert_eq!(engine.start_experiment(Some(holdout), 0, Page::Home), held);
        engine.track(EventKind::View, &[("s1", Some("shoes"), 10.0)], None);
        let candidates = ["h1", "s3", "s2"];
        let order: Vec<usize> = engine
            .arrange(&candidates, Some(Widget::Reorder), None)
            .expect("a model is installed")
            .iter()
            .map(|r| r.item)
            .collect();
        if held {
            assert_eq!(order, [0, 1, 2]);
            assert!(engine.recommend(None, None, 5, false).is_empty());
            assert!(engine.banner_categories().is_empty());
        } else {
            assert_ne!(order[0], 0, "a shoe leads for a shoe shopper: {order:?}");
            assert!(!engine.recommend(None, None, 5, false).is_empty());
            assert_eq!(engine.banner_categories(), ["shoes"]);
        }
    }
}

#[test]
fn without_a_model_a_widget_stays_as_written_and_without_consent_banners_do_too() {
    let mut engine = Engine::new(MemoryHost::new(NOW), false, 0);
    engine.track(EventKind::View, &[("s1", Some("shoes"), 10.0)], None);
    assert!(
        engine
            .arrange(&["a", "b"], Some(Widget::Reorder), None)
            .is_none()
    );
    assert!(
        engine.banner_categories().is_empty(),
        "no consent, no personal banner"
    );
    engine.set_consent(true);
    assert_eq!(engine.banner_categories(), ["shoes"]);
}

#[test]
fn sensitive_items_are_never_recorded_and_are_erased_once_the_model_flags_them() {
    let mut engine = fresh();
    engine.set_sensitive_categories(["pharmacy"]);
    assert!(engine.track(EventKind::View, &[("pill-7", Some("pharmacy"), 5.0)], None));
    assert!(engine.profile().interactions().is_empty());
    engine.track(EventKind::View, &[("h1", Some("hats"), 5.0)], None);
    engine.track(EventKind::View, &[("s1", Some("shoes"), 5.0)], None);
    assert_eq!(engine.profile().interactions().len(), 2);
    engine.install_model(model(true));
    let kept: Vec<&str> = engine
        .profile()
        .interactions()
        .iter()
        .map(|i| i.item.as_str())
        .collect();
    assert_eq!(kept, ["s1"]);
    // Stored and exported, nothing of either item, nor the sensitive
    // category (a flagged item's category is not itself sensitive).
    let stored = engine.export_json();
    for gone in ["h1", "pill-7", "pharmacy"] {
        assert!(!stored.contains(gone), "{gone} in {stored}");
    }
}

#[test]
fn outcomes_become_beacons_in_the_profiles_visit() {
    let mut engine = fresh();
    engine.start_experiment(Some(0.0), 0, Page::Product);
    engine.track(EventKind::AddToCart, &[("s1", None, 10.0)], None);
    assert!(
        engine.take_beacons().is_empty(),
        "beacons are off until the page is measured"
    );

    engine.set_beacons(true);
    engine.begin_page(Context::default(), &[("s2", None, 10.0)]);
    engine.beacon(Outcome::PageView, None, None, None, None);
    engine.track(EventKind::AddToCart, &[("s2", None, 10.0)], None);
    engine.beacon(Outcome::Click, Some(Widget::Similar), Some(2), None, None);
    let first = beacons(&mut engine);
    let kinds: Vec<&str> = first.iter().map(|b| b.0.as_str()).collect();
    assert_eq!(kinds, ["page_view", "add_to_cart", "click"]);
    assert!(
        first.iter().all(|b| b.1 == first[0].1),
        "one visit: {first:?}"
    );
    let started = engine.profile().visit_started_ms();

    engine.host_mut().advance(29 * MINUTE);
    engine.beacon(
        Outcome::Exposure,
        Some(Widget::Reorder),
        None,
        Some(Shown::Personalized),
        None,
    );
    assert_eq!(
        beacons(&mut engine)[0].1,
        first[0].1,
        "29 minutes later: the same visit"
    );
    assert_eq!(engine.profile().visit_started_ms(), started);

    engine.host_mut().advance(31 * MINUTE);
    engine.beacon(Outcome::PageView, None, None, None, None);
    let later = beacons(&mut engine);
    assert_ne!(later[0].1, first[0].1, "31 idle minutes end the visit");
    assert!(
        engine.profile().visit_started_ms() > started,
        "for the profile too"
    );

    engine.set_beacons(false);
    engine.beacon(Outcome::PageView, None, None, None, None);
    assert!(engine.take_beacons().is_empty());
}

#[test]
fn the_personalized_arms_exposures_say_how_the_widget_was_shown_and_the_holdouts_do_not() {
    for (holdout, expected) in [(0.0, Some("\"shown\":\"timeout\"")), (1.0, None)] {
        let mut engine = fresh();
        engine.start_experiment(Some(holdout), 0, Page::Home);
        engine.set_beacons(true);
        engine.beacon(
            Outcome::Exposure,
            Some(Widget::Similar),
            None,
            Some(Shown::Timeout),
            None,
        );
        // Only exposures say how.
        engine.beacon(
            Outcome::Click,
            Some(Widget::Similar),
            Some(1),
            Some(Shown::Timeout),
            None,
        );
        let lines = engine.take_beacons();
        let [exposure, click] = lines.lines().collect::<Vec<_>>()[..] else {
            panic!("two beacons: {lines}");
        };
        assert!(
            exposure.contains("\"type\":\"exposure\",") && click.contains("\"type\":\"click\",")
        );
        match expected {
            Some(shown) => assert!(exposure.contains(shown), "{exposure}"),
            None => assert!(!exposure.contains("shown"), "{exposure}"),
        }
        assert!(!click.contains("shown"), "{click}");
    }
}

#[test]
fn a_prompt_shows_once_a_visit_and_an_order_after_it_is_a_conversion() {
    let viewport = Viewport {
        width: 1280.0,
        height: 720.0,
    };
    let mut engine = fresh();
    engine.start_experiment(Some(0.0), 0, Page::Cart);
    engine.set_beacons(true);
    engine.begin_page(Context::default(), &[]);
    engine.exit_start(Sensitivity::Medium, viewport);
    assert_eq!(
        engine.exit_show(false),
        ExitOutcome::Suppressed(Suppressed::TooEarly)
    );
    engine.host_mut().advance(6_000);
    assert_eq!(
        engine.exit_show(true),
        ExitOutcome::Suppressed(Suppressed::ByCaller)
    );
    assert_eq!(engine.exit_show(false), ExitOutcome::Show);
    assert_eq!(
        engine.exit_show(false),
        ExitOutcome::Suppressed(Suppressed::VisitCap)
    );
    let order = Order::new(42.0, "EUR");
    engine.track(EventKind::Purchase, &[("s1", None, 42.0)], order);
    let kinds: Vec<String> = beacons(&mut engine).into_iter().map(|b| b.0).collect();
    assert_eq!(kinds, ["exit_shown", "order", "exit_converted"]);

    // The holdout counts the prompt it would have seen, and sees nothing.
    let mut held = fresh();
    held.start_experiment(Some(1.0), 0, Page::Cart);
    held.set_beacons(true);
    held.begin_page(Context::default(), &[]);
    held.exit_start(Sensitivity::Medium, viewport);
    held.host_mut().advance(6_000);
    assert_eq!(
        held.exit_show(false),
        ExitOutcome::Suppressed(Suppressed::ByCaller)
    );
    assert_eq!(beacons(&mut held)[0].0, "exit_shown");
}

#[test]
fn withdrawal_erases_at_once_and_a_grant_keeps_what_the_page_learned() {
    let mut engine = fresh();
    engine.start_experiment(Some(0.5), 0, Page::Home);
    engine.track(EventKind::View, &[("s1", Some("shoes"), 10.0)], None);
    assert!(engine.host().entries().len() >= 2, "profile and arm stored");

    engine.set_consent(false);
    assert!(engine.host().entries().is_empty());
    assert!(engine.profile().interactions().is_empty());
    assert!(!engine.host().is_persistent());

    engine.track(EventKind::View, &[("s2", Some("shoes"), 10.0)], None);
    engine.keep(Kept::Outbox, "0|0\n{}");
    engine.set_consent(true);
    let keys: Vec<String> = engine.host().entries().into_iter().map(|e| e.0).collect();
    assert!(
        keys.contains(&"shelfwise:v1:profile".to_owned()),
        "{keys:?}"
    );
    assert!(keys.contains(&"shelfwise:v1:arm".to_owned()), "{keys:?}");
}

#[test]
fn the_profile_outlives_the_page_until_its_retention_ends() {
    let mut first = fresh();
    first.track(EventKind::View, &[("s1", Some("shoes"), 10.0)], None);
    let mut host = first.host().clone();
    assert_eq!(
        Engine::new(host.clone(), true, 0)
            .profile()
            .interactions()
            .len(),
        1
    );
    host.advance(8 * 24 * 60 * MINUTE);
    assert_eq!(
        Engine::new(host.clone(), true, 0)
            .profile()
            .interactions()
            .len(),
        1
    );
    assert!(
        Engine::new(host, true, 7)
            .profile()
            .interactions()
            .is_empty(),
        "7 days kept"
    );
}

#[test]
fn each_widget_kind_has_its_focus() {
    assert_eq!(focus(Some(Widget::Similar), Some("x")), Focus::Anchor("x"));
    assert_eq!(focus(Some(Widget::Similar), None), Focus::Profile);
    assert_eq!(focus(Some(Widget::BoughtTogether), None), Focus::Cart);
    assert_eq!(
        focus(Some(Widget::RecentlyViewed), None),
        Focus::RecentlyViewed
    );
    assert_eq!(focus(Some(Widget::Banner), None), Focus::Profile);
    assert_eq!(focus(None, Some("x")), Focus::Profile);
    let mut engine = fresh();
    engine.install_model(model(false));
    engine.track(EventKind::View, &[("s1", Some("shoes"), 10.0)], None);
    let ranked = engine
        .arrange(&["h1", "s2"], Some(Widget::Similar), Some("s1"))
        .expect("a model is installed");
    assert!(matches!(&ranked[0].reason, Reason::Similar { item, .. } if item == "s1"));
}

#[test]
fn export_shows_the_profile_the_arm_and_every_stored_key() {
    let mut engine = fresh();
    engine.start_experiment(Some(0.0), 0, Page::Home);
    engine.track(EventKind::AddToCart, &[("s1", Some("shoes"), 10.0)], None);
    let json = engine.export_json();
    for part in [
        "\"arm\":\"personalized\"",
        "\"persistent\":true",
        "shelfwise:v1:profile",
        "shelfwise:v1:arm",
        "s1",
    ] {
        assert!(json.contains(part), "{part} in {json}");
    }
    assert_eq!(engine.last_cart_item(), Some("s1"));
}

#[test]
fn what_the_page_layer_keeps_follows_consent_and_forget() {
    let mut engine = fresh();
    engine.keep(Kept::Names, "[[\"s1\",\"Red shoe\"]]");
    assert_eq!(
        engine.kept(Kept::Names).as_deref(),
        Some("[[\"s1\",\"Red shoe\"]]")
    );
    assert!(engine.export_json().contains("shelfwise:v1:names"));
    engine.keep(Kept::Names, "");
    assert_eq!(engine.kept(Kept::Names), None);
    engine.keep(Kept::Outbox, "0|0\n{}");
    engine.forget();
    assert_eq!(engine.kept(Kept::Outbox), None);
    engine.keep(Kept::Outbox, "0|0\n{}");
    engine.set_consent(false);
    assert_eq!(engine.kept(Kept::Outbox), None, "withdrawal erases it");
    assert_eq!(Kept::from_name("names"), Some(Kept::Names));
    assert_eq!(
        Kept::from_name("profile"),
        None,
        "the profile is the engine's own"
    );
}

#[test]
fn the_pages_own_product_is_never_recommended_on_its_page_unless_asked() {
    let mut engine = fresh();
    engine.install_model(model(false));
    engine.track(EventKind::View, &[("s1", Some("shoes"), 10.0)], None);
    engine.begin_page(Context::default(), &[("s2", Some("shoes"), 10.0)]);
    let ids = |picks: Vec<shelfwise_core::rank::Recommendation>| {
        picks.into_iter().map(|r| r.id).collect::<Vec<String>>()
    };
    let picks = ids(engine.recommend(None, None, 10, false));
    assert!(!picks.contains(&"s2".to_owned()), "{picks:?}");
    let asked = ids(engine.recommend(None, None, 10, true));
    assert!(asked.contains(&"s2".to_owned()), "{asked:?}");
    // In a widget it comes last, excluded, even for a widget with no
    // personal signal (the holdout aside).
    for widget in [
        Widget::BoughtTogether,
        Widget::Reorder,
        Widget::RecentlyViewed,
    ] {
        let ranked = engine
            .arrange(&["s2", "s3", "h1"], Some(widget), None)
            .expect("a model is installed");
        let last = ranked.last().expect("three candidates");
        assert_eq!(last.item, 0, "{widget:?}: {ranked:?}");
        assert_eq!(last.reason, Reason::Excluded(Exclusion::OnPage));
    }
    let mut cold = fresh();
    cold.install_model(model(false));
    cold.begin_page(Context::default(), &[("s2", None, 0.0)]);
    let ranked = cold
        .arrange(&["s2", "h1"], Some(Widget::BoughtTogether), None)
        .expect("model");
    assert_eq!(
        ranked.iter().map(|r| r.item).collect::<Vec<_>>(),
        [1, 0],
        "no signal, still last"
    );
}

#[test]
fn a_widget_shows_its_limit_never_the_pages_product_and_says_how_it_is_shown() {
    // The shown come first, so that a page's CSS can hide the children past
    // the limit before Shelfwise runs.
    let visible = |p: &Placement| {
        assert!(p.show.windows(2).all(|w| w[0] >= w[1]), "{p:?}");
        p.visible().collect::<Vec<_>>()
    };
    // No model: as written, every item.
    let bare = fresh();
    let p = bare.place(&["a", "b", "c"], Widget::Reorder, None, Some(2), false);
    assert_eq!(
        (visible(&p), p.shown),
        (vec![0, 1, 2], Some(Shown::NoModel))
    );

    // A new shopper: the merchant's order, at the limit.
    let mut engine = fresh();
    engine.install_model(model(false));
    let p = engine.place(&["h1", "s2", "s3"], Widget::Reorder, None, Some(2), false);
    assert_eq!((visible(&p), p.shown), (vec![0, 1], Some(Shown::NoHistory)));
    // So on a page about no product, for every kind without an anchor but
    // recently-viewed: what the script tag decides before the wasm has
    // loaded (`historyOnly` in pkg-templates/src/runtime.ts).
    let mut first = fresh();
    first.install_model(model(false));
    first.begin_page(Context::default(), &[]);
    for kind in [Widget::Reorder, Widget::Similar, Widget::BoughtTogether] {
        let p = first.place(&["h1", "s2", "s3"], kind, None, None, false);
        assert_eq!(
            (p.order, visible_all(&p.show), p.shown),
            (vec![0, 1, 2], true, Some(Shown::NoHistory)),
            "{kind:?}"
        );
    }
    // Nothing viewed: a recently-viewed widget shows nothing, unless it may be filled.
    let p = engine.place(&["h1", "s2"], Widget::RecentlyViewed, None, None, false);
    assert_eq!(visible(&p), Vec::<usize>::new());
    let p = engine.place(&["h1", "s2"], Widget::RecentlyViewed, None, None, true);
    assert_eq!(visible(&p), [0, 1]);

    // A shoe shopper on the page of s2: shoes first, s2 never, two at most.
    engine.track(EventKind::View, &[("s1", Some("shoes"), 10.0)], None);
    engine.begin_page(Context::default(), &[("s2", None, 0.0)]);
    let p = engine.place(
        &["h1", "s2", "s3", "s1"],
        Widget::Reorder,
        None,
        Some(2),
        false,
    );
    assert_eq!(p.shown, Some(Shown::Personalized));
    let shown = visible(&p);
    assert_eq!(shown.len(), 2, "{p:?}");
    assert!(!shown.contains(&1) && shown[0] != 0, "{p:?}");
    let p = engine.place(
        &["h1", "s2", "s1"],
        Widget::RecentlyViewed,
        None,
        None,
        false,
    );
    assert_eq!(visible(&p), [2], "only what was viewed");

    // The holdout: the merchant's order at the same limit, and no word on how.
    let mut held = fresh();
    held.install_model(model(false));
    held.start_experiment(Some(1.0), 0, Page::Home);
    held.track(EventKind::View, &[("s1", Some("shoes"), 10.0)], None);
    let p = held.place(&["h1", "s2", "s3"], Widget::Reorder, None, Some(2), false);
    assert_eq!((visible(&p), p.shown), (vec![0, 1], None));
}

#[test]
fn a_targeted_element_shows_when_its_rule_holds_in_the_personalized_arm_with_consent() {
    let mut engine = fresh();
    engine.start_experiment(Some(0.0), 0, Page::Home);
    assert_eq!(engine.when("new"), Ok(Targeted::Show));
    assert_eq!(engine.when("returning"), Ok(Targeted::Hide));
    engine.track(EventKind::AddToCart, &[("s1", Some("shoes"), 10.0)], None);
    assert_eq!(engine.when("cart:items category:shoes"), Ok(Targeted::Show));
    assert!(engine.when("cart:items vip").is_err(), "invalid in any arm");
    assert!(engine.segments().terms().contains(&"cart:items".to_owned()));
    // A page's rules at once decide as each alone, an invalid one in its place.
    let rules = [
        "new",
        "returning",
        "cart:items vip",
        "cart:items category:shoes",
    ];
    let one_by_one: Vec<_> = rules.iter().map(|rule| engine.when(rule)).collect();
    let at_once: Vec<_> = engine.when_all(rules).collect();
    assert_eq!(at_once, one_by_one);
    assert!(at_once[2].is_err());

    // The holdout sees what the merchant shows without Shelfwise: nothing
    // targeted; what would have shown is told apart, for its beacons.
    let mut held = Engine::new(engine.host().clone(), true, 0);
    held.start_experiment(Some(1.0), 0, Page::Home);
    assert_eq!(held.when("cart:items"), Ok(Targeted::HeldOut));
    assert_eq!(held.when("!cart:items"), Ok(Targeted::Hide));
    assert!(held.when("cart:items |").is_err());

    // No consent: hidden, and not counted either.
    let mut unconsented = Engine::new(MemoryHost::new(NOW), false, 0);
    unconsented.start_experiment(Some(1.0), 0, Page::Home);
    assert_eq!(unconsented.when("new"), Ok(Targeted::Hide));
}

#[test]
fn targeted_content_s_beacons_carry_the_merchant_s_variant_and_nothing_else_does() {
    let mut engine = fresh();
    engine.start_experiment(Some(1.0), 0, Page::Home);
    engine.set_beacons(true);
    let newsletter = Variant::new("newsletter-week_2");
    assert!(newsletter.is_some());
    engine.beacon(
        Outcome::Exposure,
        Some(Widget::Targeted),
        None,
        None,
        newsletter,
    );
    engine.beacon(
        Outcome::Click,
        Some(Widget::Banner),
        Some(1),
        None,
        newsletter,
    );
    // Refused: on a widget, on a page view.
    engine.beacon(
        Outcome::Exposure,
        Some(Widget::Reorder),
        None,
        None,
        newsletter,
    );
    engine.beacon(Outcome::PageView, None, None, None, newsletter);
    let sent = engine.take_beacons();
    let lines: Vec<&str> = sent.lines().collect();
    assert_eq!(lines.len(), 2, "{sent}");
    assert!(
        lines
            .iter()
            .all(|l| l.contains(r#""variant":"newsletter-week_2""#))
    );
    assert!(
        lines[0].contains(r#""arm":"holdout""#),
        "the holdout's counterfactual exposure"
    );
    for name in [
        "",
        "Newsletter",
        "has space",
        "ünï",
        &"x".repeat(33),
        "a\"b",
    ] {
        assert_eq!(Variant::new(name), None, "{name:?}");
    }
}

#[test]
fn a_stated_category_lifts_its_items_and_not_for_me_sinks_an_item_and_its_neighbours() {
    let order = |engine: &Engine<MemoryHost>, candidates: &[&str]| -> Vec<String> {
        engine
            .arrange(candidates, Some(Widget::Reorder), None)
            .expect("a model is installed")
            .iter()
            .map(|r| candidates[r.item].to_owned())
            .collect()
    };
    let mut engine = fresh();
    engine.install_model(model(false));
    engine.start_experiment(Some(0.0), 0, Page::Home);
    let candidates = ["h1", "s1", "s2", "s3"];
    assert_eq!(order(&engine, &candidates), candidates, "nothing known yet");
    assert!(engine.set_preference("category", "shoes"));
    assert!(engine.needs_candidates());
    assert_eq!(order(&engine, &candidates), ["s1", "s2", "s3", "h1"]);
    assert!(engine.clear_preference("category"));
    assert!(!engine.needs_candidates());
    assert_eq!(order(&engine, &candidates), candidates);

    // Not for me: the item goes last even with no other signal...
    assert!(engine.set_less("s1", true));
    assert_eq!(order(&engine, &candidates), ["h1", "s2", "s3", "s1"]);
    let ranked = engine
        .arrange(&candidates, Some(Widget::Reorder), None)
        .unwrap();
    assert_eq!(ranked[3].reason, Reason::Excluded(Exclusion::NotForMe));
    // ...and its neighbours lose to an item a view lifts as much.
    engine.track(EventKind::View, &[("h1", Some("hats"), 10.0)], None);
    let shown = order(&engine, &["s2", "x", "s3"]);
    assert_eq!(shown, ["x", "s2", "s3"], "s2 and s3 are s1's neighbours");
    assert!(engine.set_less("s1", false));
    assert_eq!(
        order(&engine, &["s2", "x", "s3"])[0],
        "s2",
        "the view of h1 reaches s1 only"
    );

    // Kept with the profile, exported, forgotten.
    engine.set_preference("diet", "vegan");
    engine.set_less("s3", true);
    let reopened = Engine::new(engine.host().clone(), true, 0);
    assert_eq!(reopened.profile().preference("diet"), Some("vegan"));
    assert!(
        reopened
            .export_json()
            .contains("\"not_for_me\":[{\"item\":\"s3\"")
    );
    engine.forget();
    let reopened = Engine::new(engine.host().clone(), true, 0);
    assert_eq!(reopened.profile().preference("diet"), None);
    assert_eq!(reopened.profile().less().count(), 0);
}
