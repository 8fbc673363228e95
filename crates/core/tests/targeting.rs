//! Segments from a profile, and the targeting rules that test them.

use shelfwise_core::context::{Context, DayPart, DeviceClass, ReferrerClass, Season};
use shelfwise_core::profile::{EventKind, Profile, VISIT_IDLE_MS};
use shelfwise_core::rule::{MAX_RULE_BYTES, MAX_TERMS, Rule};
use shelfwise_core::segment::Segments;

const NOW: u64 = 1_764_000_000_000;

fn holds(rule: &str, s: &Segments) -> bool {
    Rule::parse(rule)
        .unwrap_or_else(|e| panic!("{rule:?}: {e}"))
        .holds(s)
}

#[test]
fn a_first_visit_is_new_and_a_visit_after_the_idle_gap_returning() {
    let mut p = Profile::new();
    p.begin_page(Context::default(), NOW);
    p.begin_page(Context::default(), NOW + VISIT_IDLE_MS);
    let s = Segments::of(&p, NOW + VISIT_IDLE_MS);
    assert!(!s.returning, "one visit, pages 30 minutes apart");
    assert_eq!(s.terms()[0], "new");
    let later = NOW + 2 * VISIT_IDLE_MS + 1;
    p.begin_page(Context::default(), later);
    let s = Segments::of(&p, later);
    assert!(s.returning);
    assert_eq!(p.previous_visit_ms(), NOW + VISIT_IDLE_MS);
    assert!(holds("returning", &s) && !holds("new", &s));

    // The previous visit survives storage, and leaves with the retention window.
    let stored = Profile::decode(&p.encode(), later, 30 * 86_400_000);
    assert_eq!(stored.previous_visit_ms(), NOW + VISIT_IDLE_MS);
    let much_later = NOW + 31 * 86_400_000;
    let expired = Profile::decode(&p.encode(), much_later, 30 * 86_400_000);
    assert_eq!(expired.previous_visit_ms(), 0);
}

#[test]
fn buyer_cart_and_strongest_category_come_from_what_the_shopper_did() {
    let mut p = Profile::new();
    let s = Segments::of(&p, NOW);
    assert!(holds("new cart:empty !buyer", &s));
    assert!(!holds("category:tea", &s), "no category yet");
    p.record(EventKind::View, "t1", Some("tea"), 0.0, NOW);
    p.record(EventKind::View, "t2", Some("tea"), 0.0, NOW);
    p.record(EventKind::View, "c1", Some("coffee"), 0.0, NOW);
    let s = Segments::of(&p, NOW);
    assert!(holds("category:tea !category:coffee", &s));
    p.record(EventKind::AddToCart, "c1", Some("coffee"), 4.5, NOW);
    let s = Segments::of(&p, NOW);
    assert!(holds("cart:items", &s) && !holds("cart:empty", &s));
    p.record(EventKind::Purchase, "c1", Some("coffee"), 4.5, NOW);
    let s = Segments::of(&p, NOW);
    assert!(holds("buyer cart:empty", &s));
    assert!(
        holds("category:coffee", &s),
        "a purchase weighs more than two views"
    );
}

#[test]
fn context_terms_test_the_page_context() {
    let mut p = Profile::new();
    p.begin_page(
        Context {
            device: DeviceClass::Mobile,
            day_part: DayPart::Evening,
            weekday: 2,
            season: Season::Autumn,
            referrer: ReferrerClass::Email,
            language: "de".into(),
        },
        NOW,
    );
    let s = Segments::of(&p, NOW);
    assert_eq!(
        s.terms(),
        [
            "new",
            "cart:empty",
            "device:mobile",
            "from:email",
            "daypart:evening",
            "season:autumn",
            "lang:de"
        ]
    );
    for term in s.terms() {
        assert!(holds(&term, &s), "{term}");
        assert!(!holds(&format!("!{term}"), &s), "!{term}");
    }
    for other in [
        "device:desktop",
        "device:tablet",
        "from:search",
        "from:social",
        "from:ads",
        "from:direct",
        "from:referral",
        "from:campaign",
        "daypart:morning",
        "daypart:afternoon",
        "daypart:night",
        "season:spring",
        "season:summer",
        "season:winter",
        "lang:en",
        "returning",
        "buyer",
        "cart:items",
        "pref:diet=vegan",
    ] {
        assert!(!holds(other, &s), "{other}");
    }
}

#[test]
fn preferences_are_stated_replaced_cleared_and_kept() {
    let mut p = Profile::new();
    assert!(p.set_preference("Diet", "vegan"));
    assert!(p.set_preference("for", "young kids"));
    let s = Segments::of(&p, NOW);
    assert!(holds("pref:diet=vegan", &s));
    assert!(holds("pref:DIET=vegan", &s), "keys ignore case");
    assert!(!holds("pref:diet=Vegan", &s), "values do not");
    assert!(holds("pref:for=\"young kids\"", &s));
    assert!(holds("pref:for='young kids'", &s));
    assert!(s.terms().contains(&"pref:for=\"young kids\"".to_owned()));
    assert!(p.set_preference("diet", "vegetarian"));
    assert_eq!(p.preference("diet"), Some("vegetarian"));
    let stored = Profile::decode(&p.encode(), NOW, 86_400_000);
    assert_eq!(stored.preferences(), p.preferences());
    assert!(p.clear_preference("DIET"));
    assert!(!p.clear_preference("diet"));
    assert_eq!(p.preference("diet"), None);
    // Refused: bad keys and values.
    for (key, value) in [
        ("", "x"),
        ("has space", "x"),
        ("ключ", "x"),
        (&"k".repeat(33), "x"),
        ("k", ""),
        ("k", "line\nbreak"),
        ("k", &"v".repeat(201)),
    ] {
        assert!(!p.set_preference(key, value), "{key:?}={value:?}");
    }
    // Bounded: the oldest goes.
    for i in 0..20 {
        assert!(p.set_preference(&format!("k{i}"), "v"));
    }
    assert_eq!(p.preferences().len(), 16);
    assert_eq!(p.preferences()[0].0, "k4");
    // The export shows them.
    let export = p.export_json(NOW);
    assert!(export.contains("\"preferences\":{\"k4\":\"v\""), "{export}");
}

#[test]
fn items_marked_not_for_me_are_kept_exported_and_retracted() {
    let mut p = Profile::new();
    assert!(p.set_less("hat", true, NOW));
    assert!(p.set_less("scarf", true, NOW));
    assert!(!p.set_less("", true, NOW));
    assert_eq!(p.less().map(|l| l.0).collect::<Vec<_>>(), ["hat", "scarf"]);
    let stored = Profile::decode(&p.encode(), NOW, 86_400_000);
    assert_eq!(
        stored.less().map(|l| l.0).collect::<Vec<_>>(),
        ["hat", "scarf"]
    );
    assert!(p.set_less("hat", false, NOW));
    assert_eq!(p.less().map(|l| l.0).collect::<Vec<_>>(), ["scarf"]);
    assert!(
        p.export_json(NOW)
            .contains("\"not_for_me\":[{\"item\":\"scarf\"")
    );
    // Retention drops them like everything else.
    let expired = Profile::decode(&p.encode(), NOW + 2 * 86_400_000, 86_400_000);
    assert_eq!(expired.less().count(), 0);
}

#[test]
fn groups_are_or_and_terms_within_a_group_are_and() {
    let s = Segments {
        returning: true,
        buyer: false,
        cart_lines: 2,
        ..Segments::default()
    };
    assert!(holds("returning cart:items", &s));
    assert!(!holds("returning buyer", &s));
    assert!(holds("buyer | returning", &s));
    assert!(holds("buyer|returning", &s), "no spaces needed around '|'");
    assert!(!holds("buyer | new", &s));
    assert!(holds("  returning\t!buyer  ", &s), "any white space");
    assert!(holds("NEW | Returning Cart:Items", &s), "names ignore case");
}

#[test]
fn categories_may_be_quoted_and_are_compared_exactly() {
    let s = Segments {
        category: Some("Green tea | loose"),
        ..Segments::default()
    };
    assert!(holds("category:\"Green tea | loose\"", &s));
    assert!(holds("category:'Green tea | loose'", &s));
    assert!(!holds("category:\"green tea | loose\"", &s));
    assert_eq!(s.terms()[2], "category:\"Green tea | loose\"");
    let s = Segments {
        category: Some("say \"hi\""),
        ..Segments::default()
    };
    assert_eq!(s.terms()[2], "category:'say \"hi\"'");
    assert!(
        holds(&s.terms()[2], &s),
        "every term the shopper has is a rule that holds"
    );
    let s = Segments {
        category: Some("Teeküche"),
        ..Segments::default()
    };
    assert!(holds("category:Teeküche", &s));
}

#[test]
fn invalid_rules_are_refused_with_where_and_what() {
    let cases = [
        ("", 0, "a group without terms"),
        ("   ", 3, "a group without terms"),
        ("returning |", 11, "a group without terms"),
        ("| returning", 0, "a group without terms"),
        ("new || buyer", 5, "a group without terms"),
        ("vip", 0, "a known term"),
        ("!", 1, "a known term"),
        ("!!new", 1, "a known term"),
        ("device", 6, "':' after the term's name"),
        ("device:phone", 7, "a known value after ':'"),
        ("cart:", 5, "a known value after ':'"),
        ("category:", 9, "a value"),
        ("category:\"\"", 9, "a value"),
        ("category:\"open", 14, "a closing quote mark"),
        ("category:a\"b\"", 10, "a space or '|' after a term"),
        ("newbuyer", 0, "a known term"),
        ("new,buyer", 3, "a space or '|' after a term"),
        ("lang:", 5, "a language of 1 to 8 letters"),
        ("lang:abcdefghi", 5, "a language of 1 to 8 letters"),
        ("lang:de-CH", 7, "a space or '|' after a term"),
        ("pref:=x", 5, "a preference key"),
        ("pref:diet", 9, "'=' after the preference key"),
        ("pref:diet=", 10, "a value"),
        ("season:monsoon", 7, "a known value after ':'"),
    ];
    for (rule, at, what) in cases {
        let error = Rule::parse(rule).expect_err(rule);
        assert_eq!((error.at, error.what), (at, what), "{rule:?}");
    }
    assert_eq!(
        Rule::parse("vip").unwrap_err().to_string(),
        "a known term at byte 0"
    );
}

#[test]
fn rules_are_bounded() {
    let terms = vec!["new"; MAX_TERMS].join(" ");
    assert!(Rule::parse(&terms).is_ok());
    let error = Rule::parse(&format!("{terms} | new")).unwrap_err();
    assert_eq!(error.what, "too many terms");
    let long = format!("category:{}", "x".repeat(MAX_RULE_BYTES));
    assert_eq!(Rule::parse(&long).unwrap_err().what, "rule too long");
}

#[test]
fn a_rule_too_long_is_refused_where_a_character_starts() {
    // 'é' is two bytes: byte 1024 falls inside one.
    let rule = format!("category:{}", "é".repeat(600));
    let error = Rule::parse(&rule).unwrap_err();
    assert_eq!((error.at, error.what), (1023, "rule too long"));
    assert!(rule.is_char_boundary(error.at));
}
