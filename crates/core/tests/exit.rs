//! The exit-intent detector and policy: unit cases, and the labelled corpus.

#[path = "exit/corpus.rs"]
mod corpus;

use shelfwise_core::exit::{
    Detector, Input, Policy, Sensitivity, Shown, Suppressed, Trigger, Viewport,
};

const VIEWPORT: Viewport = Viewport {
    width: 1280.0,
    height: 800.0,
};

fn detector() -> Detector {
    Detector::new(Sensitivity::Medium.thresholds(), VIEWPORT, 0)
}

/// Moves up from y = 400 to y = 5 at `speed` px/ms from `start`, then leaves.
fn exit_upwards(d: &mut Detector, start: u64, speed: f32) -> Option<Trigger> {
    let mut at = start;
    let mut y = 400.0;
    while y > 5.0 {
        at += 16;
        y = (y - speed * 16.0).max(5.0);
        assert_eq!(d.input(at, Input::PointerMove { x: 300.0, y }), None);
    }
    d.input(at + 16, Input::PointerLeave { x: 300.0, y: -3.0 })
}

#[test]
fn a_fast_exit_through_the_top_fires_after_the_dwell_only() {
    assert_eq!(exit_upwards(&mut detector(), 1_000, 2.0), None, "too early");
    assert_eq!(
        exit_upwards(&mut detector(), 10_000, 2.0),
        Some(Trigger::PointerTop)
    );
    assert_eq!(Trigger::PointerTop.as_str(), "pointer-top");
}

#[test]
fn scrollbar_drags_focused_fields_and_typing_do_not_fire() {
    let mut d = detector();
    d.input(
        9_000,
        Input::PointerDown {
            x: 1275.0,
            y: 400.0,
        },
    );
    assert_eq!(exit_upwards(&mut d, 10_000, 2.0), None);
    d.input(12_000, Input::PointerUp);
    assert_eq!(exit_upwards(&mut d, 13_000, 2.0), Some(Trigger::PointerTop));

    let mut d = detector();
    d.input(9_000, Input::FieldFocus(true));
    assert_eq!(exit_upwards(&mut d, 10_000, 2.0), None);

    let mut d = detector();
    d.input(9_900, Input::Typing);
    assert_eq!(exit_upwards(&mut d, 10_000, 2.0), None);
    assert_eq!(exit_upwards(&mut d, 20_000, 2.0), Some(Trigger::PointerTop));
}

#[test]
fn a_pointer_hovering_at_the_edge_does_not_fire() {
    let mut d = detector();
    for i in 0..40 {
        let y = 8.0 + (i % 5) as f32;
        d.input(10_000 + i * 16, Input::PointerMove { x: 500.0, y });
    }
    assert_eq!(
        d.input(10_700, Input::PointerLeave { x: 500.0, y: -1.0 }),
        None
    );
}

#[test]
fn a_fast_scroll_up_after_reading_fires_a_slow_one_does_not() {
    let mobile = Viewport {
        width: 390.0,
        height: 844.0,
    };
    let flick = |speed: f32| {
        let mut d = Detector::new(Sensitivity::Medium.thresholds(), mobile, 0);
        d.input(5_000, Input::Scroll { y: 3_000.0 });
        let mut y = 3_000.0;
        let mut at = 10_000;
        let mut fired = None;
        while y > 1_000.0 && fired.is_none() {
            at += 16;
            y -= speed * 16.0;
            fired = d.input(at, Input::Scroll { y });
        }
        fired
    };
    assert_eq!(flick(3.0), Some(Trigger::ScrollUp));
    assert_eq!(flick(0.8), None);
}

#[test]
fn a_long_absence_fires_on_return_a_short_one_does_not() {
    let mut d = detector();
    d.input(10_000, Input::Hidden(true));
    assert_eq!(d.input(13_000, Input::Hidden(false)), None);
    d.input(20_000, Input::Hidden(true));
    assert_eq!(
        d.input(60_000, Input::Hidden(false)),
        Some(Trigger::TabReturn)
    );
}

#[test]
fn idle_fires_once_with_a_cart_and_again_after_activity() {
    let mut d = detector();
    assert_eq!(d.input(60_000, Input::Tick), None, "empty cart");
    d.input(61_000, Input::Cart(1));
    d.input(62_000, Input::PointerMove { x: 1.0, y: 1.0 });
    assert_eq!(d.input(100_000, Input::Tick), None);
    assert_eq!(d.input(107_000, Input::Tick), Some(Trigger::Idle));
    assert_eq!(d.input(108_000, Input::Tick), None, "once per idle spell");
    d.input(109_000, Input::Scroll { y: 10.0 });
    assert_eq!(d.input(160_000, Input::Tick), Some(Trigger::Idle));
}

#[test]
fn the_policy_caps_per_visit_and_per_period_and_suppresses() {
    let policy = Policy::default();
    let day = 86_400_000;
    let mut shown = Shown::default();
    let now = 100 * day;
    assert_eq!(
        policy.check(&shown, now, now - 1_000, now - 1_000, false),
        Err(Suppressed::TooEarly)
    );
    assert_eq!(
        policy.check(&shown, now, now - 10_000, now - 60_000, true),
        Err(Suppressed::ByCaller)
    );
    assert_eq!(
        policy.check(&shown, now, now - 10_000, now - 60_000, false),
        Ok(())
    );
    shown.record(now);
    assert_eq!(
        policy.check(&shown, now + 20_000, now, now - 60_000, false),
        Err(Suppressed::VisitCap)
    );
    // A later visit: allowed once more within the week, then capped.
    let later = now + day;
    assert_eq!(
        policy.check(&shown, later, later - 10_000, later - 10_000, false),
        Ok(())
    );
    shown.record(later);
    let next = later + day;
    assert_eq!(
        policy.check(&shown, next, next - 10_000, next - 10_000, false),
        Err(Suppressed::PeriodCap)
    );
    // Survives a reload: the stored form round-trips.
    let reloaded = Shown::parse(&shown.to_text());
    assert_eq!(reloaded, shown);
    assert_eq!(Shown::parse("x,,3,12"), Shown::parse("3,12"));
    let eight_days = next + 8 * day;
    assert_eq!(
        policy.check(
            &reloaded,
            eight_days,
            eight_days - 10_000,
            eight_days - 10_000,
            false
        ),
        Ok(())
    );
}

#[test]
fn the_corpus_has_enough_labelled_traces() {
    let traces = corpus::traces();
    assert!(traces.len() >= 60, "{} traces", traces.len());
    assert!(traces.iter().filter(|t| t.exit).count() >= 30);
    assert!(traces.iter().filter(|t| !t.exit).count() >= 30);
    assert!(traces.iter().filter(|t| t.mobile).count() >= 25);
}

/// The acceptance line: the default preset catches at least 90 % of the
/// exits and fires on at most 5 % of the traces that are not exits.
#[test]
fn the_default_preset_catches_exits_without_false_alarms() {
    let traces = corpus::traces();
    let s = corpus::score(&traces, Sensitivity::Medium.thresholds(), |_| true);
    assert!(
        s.recall() >= 0.9,
        "recall {:.3}, missed {:?}",
        s.recall(),
        s.missed
    );
    assert!(s.precision() >= 0.95, "precision {:.3}", s.precision());
    assert!(
        s.false_alarm_rate() <= 0.05,
        "false alarms {:.3}: {:?}",
        s.false_alarm_rate(),
        s.alarmed
    );
}

/// Presets are ordered: a more sensitive one catches at least as much.
#[test]
fn presets_are_ordered_by_sensitivity() {
    let traces = corpus::traces();
    let recall = |p: Sensitivity| corpus::score(&traces, p.thresholds(), |_| true).recall();
    assert!(recall(Sensitivity::Low) <= recall(Sensitivity::Medium));
    assert!(recall(Sensitivity::Medium) <= recall(Sensitivity::High));
}
