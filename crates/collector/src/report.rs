//! The experiment report: per arm and per day, the shop's metrics and the
//! lift of personalized over holdout with 95 % intervals.
//!
//! Visits are the unit: each visit's events are folded into one row
//! (pages, actions, cart, orders, revenue, exposure, click, exit prompt,
//! recovery), then rows are counted per arm. Cells of fewer than
//! [`MIN_VISITS`] visits show their visit count only.
//!
//! Whether personalization ran is counted apart, under `shown`: the
//! personalized arm's exposures by how their widget was shown —
//! `personalized`, or the fallback's reason (`timeout`, `no-model`,
//! `no-history`, `consent`, `error`; `unreported` from browsers too old to
//! say) — in all and per day, with the share shown personalized.
//!
//! Campaigns are counted apart too, under `campaigns`: for each variant of
//! targeted content (`data-shelfwise-variant`), the visits exposed to it in
//! each arm (the holdout's exposures are of what it would have seen) with the
//! same metrics, `widget_ctr` being the visits that clicked the campaign, and
//! the lift — suppressed below [`MIN_VISITS`] like every cell.
//!
//! Beacons are client-sent and so untrusted: a visit over the [`Bounds`]
//! (more orders or events than a shopper makes) is left out of every figure
//! and counted in `anomalies`, with what the collector refused. Money has a
//! robust companion besides: `revenue_per_visit_robust` and `aov_robust`
//! leave out the visits whose revenue lies beyond Tukey's far-out fence of
//! the period (Q3 + 3 IQR of the converting visits' revenue, both arms
//! pooled), so that a few forged large orders that pass the bounds cannot
//! decide the money figures; those visits are counted per arm.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use shelfwise_core::beacon::Shown;
use shelfwise_core::experiment::Arm;

use crate::stats::{Interval, Moments, newcombe, welch, wilson};
use crate::store::{Conn, Field};

/// Cells with fewer visits than this are suppressed.
pub const MIN_VISITS: u64 = 10;

/// What one visit may plausibly hold; visits beyond are left out of the
/// figures and counted in `anomalies.excluded_visits`.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// Orders in one visit (`--max-orders-per-visit`, default 5).
    pub orders_per_visit: u32,
    /// Events in one visit (`--max-events-per-visit`, default 1000).
    pub events_per_visit: u32,
}

impl Default for Bounds {
    fn default() -> Bounds {
        Bounds {
            orders_per_visit: 5,
            events_per_visit: 1000,
        }
    }
}

/// What one arm (or one arm on one day) adds up to.
#[derive(Clone, Debug, Default)]
struct Cell {
    visits: u64,
    bounces: u64,
    converted: u64,
    carted: u64,
    exposed: u64,
    clicked: u64,
    prompted: u64,
    recovered: u64,
    orders: u64,
    /// Revenue per visit (in the report's currency).
    revenue: Moments,
    /// Value per order.
    order_values: Moments,
    /// Revenue per visit, without the visits beyond the fence.
    revenue_robust: Moments,
    /// Value per order, without the visits beyond the fence.
    order_values_robust: Moments,
    events: BTreeMap<String, u64>,
}

/// One rate metric: its name, and its successes and trials in a cell.
type Rate = (&'static str, fn(&Cell) -> (u64, u64));

const RATES: [Rate; 6] = [
    ("conversion_rate", |c| (c.converted, c.visits)),
    ("bounce_rate", |c| (c.bounces, c.visits)),
    ("add_to_cart_rate", |c| (c.carted, c.visits)),
    ("cart_abandonment", |c| {
        (c.carted - c.converted.min(c.carted), c.carted)
    }),
    ("widget_ctr", |c| (c.clicked, c.exposed)),
    ("exit_recovery", |c| (c.recovered, c.prompted)),
];

/// One mean metric: its name and its sample in a cell.
type Mean = (&'static str, fn(&Cell) -> &Moments);

const MEANS: [Mean; 4] = [
    ("aov", |c| &c.order_values),
    ("revenue_per_visit", |c| &c.revenue),
    ("aov_robust", |c| &c.order_values_robust),
    ("revenue_per_visit_robust", |c| &c.revenue_robust),
];

/// Converting visits needed before the fence is drawn.
const MIN_FENCE_VISITS: usize = 20;

/// The most common currency among orders.
const CURRENCY: &str = "SELECT currency FROM events WHERE type = 'order' AND currency IS NOT NULL
    GROUP BY currency ORDER BY COUNT(*) DESC, currency LIMIT 1";

/// One row per visit: arm, day, page views, actions, and 0/1 flags, then
/// its visit id and event count. The SQL runs unchanged on SQLite and
/// PostgreSQL (CASE sums, CASTs to BIGINT).
const VISITS: &str = "SELECT arm,
    CAST(MIN(hour) / 24 AS BIGINT),
    CAST(SUM(CASE WHEN type = 'page_view' THEN 1 ELSE 0 END) AS BIGINT),
    CAST(SUM(CASE WHEN type IN ('click', 'add_to_cart', 'order', 'exit_cta') THEN 1 ELSE 0 END) AS BIGINT),
    CAST(MAX(CASE WHEN type = 'add_to_cart' THEN 1 ELSE 0 END) AS BIGINT),
    CAST(SUM(CASE WHEN type = 'order' THEN 1 ELSE 0 END) AS BIGINT),
    CAST(COALESCE(SUM(CASE WHEN type = 'order' AND COALESCE(currency, '') = $1 THEN value END), 0) AS BIGINT),
    CAST(MAX(CASE WHEN type = 'exposure' THEN 1 ELSE 0 END) AS BIGINT),
    CAST(MAX(CASE WHEN type = 'click' THEN 1 ELSE 0 END) AS BIGINT),
    CAST(MAX(CASE WHEN type = 'exit_shown' THEN 1 ELSE 0 END) AS BIGINT),
    CAST(MAX(CASE WHEN type = 'exit_converted' THEN 1 ELSE 0 END) AS BIGINT),
    CAST(visit AS BIGINT),
    CAST(COUNT(*) AS BIGINT)
    FROM events GROUP BY arm, visit";

/// Order values in the report's currency, with their arm, day and visit.
const VALUES: &str =
    "SELECT arm, CAST(hour / 24 AS BIGINT), CAST(value AS BIGINT), CAST(visit AS BIGINT)
    FROM events WHERE type = 'order' AND value IS NOT NULL AND COALESCE(currency, '') = $1";

/// The personalized arm's exposures per visit, day and `shown` ('' when
/// the browser did not say).
const SHOWN: &str = "SELECT CAST(visit AS BIGINT), CAST(hour / 24 AS BIGINT),
    COALESCE(shown, ''), CAST(COUNT(*) AS BIGINT)
    FROM events WHERE type = 'exposure' AND arm = 'personalized'
    GROUP BY visit, hour / 24, shown";

/// Exposures and clicks of targeted content, per arm, visit and variant:
/// whether the visit clicked it (a click counts as seen).
const VARIANTS: &str = "SELECT arm, CAST(visit AS BIGINT), variant,
    CAST(MAX(CASE WHEN type = 'click' THEN 1 ELSE 0 END) AS BIGINT)
    FROM events WHERE variant IS NOT NULL AND type IN ('exposure', 'click')
    GROUP BY arm, visit, variant";

const COUNTS: &str = "SELECT arm, type, CAST(COUNT(*) AS BIGINT) FROM events GROUP BY arm, type";

const PERIOD: &str =
    "SELECT CAST(MIN(hour) / 24 AS BIGINT), CAST(MAX(hour) / 24 AS BIGINT) FROM events";

const COUNTERS: &str = "SELECT name, CAST(n AS BIGINT) FROM counters ORDER BY name";

/// Builds the report from the collector's database, leaving out the visits
/// over `bounds`.
pub fn build(conn: &mut Conn, bounds: Bounds) -> anyhow::Result<Value> {
    let currency = conn
        .rows(CURRENCY, None)?
        .first()
        .and_then(|r| r.first())
        .map(|f| f.text().to_owned())
        .filter(|c| !c.is_empty());
    let code = currency.as_deref().unwrap_or("");
    let mut total: BTreeMap<Arm, Cell> = BTreeMap::new();
    let mut daily: BTreeMap<(u32, Arm), Cell> = BTreeMap::new();
    // Visits beyond the bounds are left out of everything below.
    let mut excluded = std::collections::HashSet::new();
    let (mut over_orders, mut over_events) = (0u64, 0u64);
    let mut visits = Vec::new();
    for row in conn.rows(VISITS, Some(code))? {
        let Some(v) = Visit::read(&row) else {
            continue;
        };
        if v.orders > u64::from(bounds.orders_per_visit) {
            over_orders += 1;
            excluded.insert((v.arm, v.id));
        } else if v.events > i64::from(bounds.events_per_visit) {
            over_events += 1;
            excluded.insert((v.arm, v.id));
        } else {
            visits.push(v);
        }
    }
    let fence = far_out(
        visits
            .iter()
            .map(|v| v.revenue)
            .filter(|&revenue| revenue > 0)
            .collect(),
    );
    let mut outliers = std::collections::HashSet::new();
    let mut beyond: BTreeMap<Arm, u64> = Arm::ALL.into_iter().map(|a| (a, 0)).collect();
    for v in &visits {
        let outlier = fence.is_some_and(|f| v.revenue as f64 > f);
        if outlier {
            outliers.insert((v.arm, v.id));
            *beyond.entry(v.arm).or_default() += 1;
        }
        for cell in [
            total.entry(v.arm).or_default(),
            daily.entry((v.day, v.arm)).or_default(),
        ] {
            cell.add(v, outlier, v.exposed, v.clicked);
        }
    }
    let by_id: std::collections::HashMap<(Arm, i64), &Visit> =
        visits.iter().map(|v| ((v.arm, v.id), v)).collect();
    let mut campaigns: BTreeMap<String, BTreeMap<Arm, Cell>> = BTreeMap::new();
    for r in conn.rows(VARIANTS, None)? {
        let [arm, visit, variant, clicked] = r.as_slice() else {
            continue;
        };
        // Visits beyond the bounds are not in `visits`.
        let Some(v) = Arm::from_name(arm.text()).and_then(|arm| by_id.get(&(arm, visit.int())))
        else {
            continue;
        };
        campaigns
            .entry(variant.text().to_owned())
            .or_default()
            .entry(v.arm)
            .or_default()
            .add(
                v,
                outliers.contains(&(v.arm, v.id)),
                true,
                clicked.int() > 0,
            );
    }
    for r in conn.rows(VALUES, Some(code))? {
        let [arm, day, value, visit] = r.as_slice() else {
            continue;
        };
        let Some(arm) = Arm::from_name(arm.text()) else {
            continue;
        };
        if excluded.contains(&(arm, visit.int())) {
            continue;
        }
        let day = u32::try_from(day.int()).unwrap_or(0);
        let outlier = outliers.contains(&(arm, visit.int()));
        for cell in [
            total.entry(arm).or_default(),
            daily.entry((day, arm)).or_default(),
        ] {
            cell.order_values.push(value.int() as f64);
            if !outlier {
                cell.order_values_robust.push(value.int() as f64);
            }
        }
    }
    let mut shown_total = ShownCounts::default();
    let mut shown_daily: BTreeMap<u32, ShownCounts> = BTreeMap::new();
    for r in conn.rows(SHOWN, None)? {
        let [visit, day, shown, n] = r.as_slice() else {
            continue;
        };
        if excluded.contains(&(Arm::Personalized, visit.int())) {
            continue;
        }
        let day = u32::try_from(day.int()).unwrap_or(0);
        let shown = Shown::from_name(shown.text());
        let n = n.int().max(0) as u64;
        shown_total.add(shown, n);
        shown_daily.entry(day).or_default().add(shown, n);
    }
    for r in conn.rows(COUNTS, None)? {
        if let [arm, kind, n] = r.as_slice()
            && let Some(arm) = Arm::from_name(arm.text())
        {
            let n = n.int().max(0) as u64;
            total
                .entry(arm)
                .or_default()
                .events
                .insert(kind.text().to_owned(), n);
        }
    }
    let period = match conn.rows(PERIOD, None)?.first().map(Vec::as_slice) {
        Some([Field::Int(first), Field::Int(last)]) => json!({
            "first_day": date(u32::try_from(*first).unwrap_or(0)),
            "last_day": date(u32::try_from(*last).unwrap_or(0)),
        }),
        _ => Value::Null,
    };
    let mut dropped = 0;
    let mut refused = serde_json::Map::new();
    for r in conn.rows(COUNTERS, None)? {
        if let [name, n] = r.as_slice() {
            if name.text() == "client_dropped" {
                dropped = n.int();
            } else if let Some(reason) = name.text().strip_prefix("refused_") {
                refused.insert(reason.to_owned(), json!(n.int()));
            }
        }
    }

    let mut days: BTreeMap<u32, BTreeMap<Arm, Cell>> = BTreeMap::new();
    for ((day, arm), cell) in daily {
        days.entry(day).or_default().insert(arm, cell);
    }
    let empty = Cell::default();
    let series: Vec<Value> = days
        .iter()
        .map(|(day, arms)| {
            let get = |arm| arms.get(&arm).unwrap_or(&empty);
            let shown = shown_daily
                .get(day)
                .unwrap_or(&ShownCounts::default())
                .to_json(get(Arm::Personalized));
            json!({
                "day": date(*day),
                "arms": arms_json(get),
                "lift": lift(get(Arm::Personalized), get(Arm::Holdout)),
                "shown": shown,
            })
        })
        .collect();
    let get = |arm| total.get(&arm).unwrap_or(&empty);
    let mut arms = arms_json(get);
    for arm in Arm::ALL {
        arms[arm.as_str()]["events"] = json!(get(arm).events);
    }
    Ok(json!({
        "currency": currency,
        "min_visits": MIN_VISITS,
        "client_dropped": dropped,
        "period": period,
        "anomalies": {
            "refused": refused,
            "excluded_visits": { "orders": over_orders, "events": over_events },
            "beyond_fence": {
                "fence": fence,
                "visits": beyond.iter().map(|(arm, n)| (arm.as_str(), *n)).collect::<BTreeMap<_, _>>(),
            },
            "bounds": {
                "orders_per_visit": bounds.orders_per_visit,
                "events_per_visit": bounds.events_per_visit,
            },
            "client_dropped": dropped,
        },
        "arms": arms,
        "lift": lift(get(Arm::Personalized), get(Arm::Holdout)),
        "shown": shown_total.to_json(get(Arm::Personalized)),
        "campaigns": campaigns
            .iter()
            .map(|(variant, arms)| {
                let get = |arm| arms.get(&arm).unwrap_or(&empty);
                let json = json!({
                    "arms": arms_json(get),
                    "lift": lift(get(Arm::Personalized), get(Arm::Holdout)),
                });
                (variant.clone(), json)
            })
            .collect::<serde_json::Map<_, _>>(),
        "days": series,
    }))
}

impl Cell {
    /// Counts visit `v` (`outlier`: beyond the revenue fence), `exposed` to
    /// what the cell is about and whether it `clicked` it.
    fn add(&mut self, v: &Visit, outlier: bool, exposed: bool, clicked: bool) {
        self.visits += 1;
        self.bounces += u64::from(v.pages <= 1 && v.actions == 0);
        self.converted += u64::from(v.orders > 0);
        self.orders += v.orders;
        self.carted += u64::from(v.carted);
        self.exposed += u64::from(exposed);
        self.clicked += u64::from(clicked);
        self.prompted += u64::from(v.prompted);
        self.recovered += u64::from(v.prompted && v.recovered);
        self.revenue.push(v.revenue as f64);
        if !outlier {
            self.revenue_robust.push(v.revenue as f64);
        }
    }
}

/// The personalized arm's exposures by how their widget was shown.
#[derive(Clone, Debug, Default)]
struct ShownCounts {
    /// By [`Shown`], in its order.
    reported: BTreeMap<Shown, u64>,
    /// Exposures that did not say (browsers from before `shown`).
    unreported: u64,
}

impl ShownCounts {
    fn add(&mut self, shown: Option<Shown>, n: u64) {
        match shown {
            Some(shown) => *self.reported.entry(shown).or_default() += n,
            None => self.unreported += n,
        }
    }

    /// Each reason's count (every one, zeros included), `unreported`, and
    /// `personalized_share` of those reported; `null` when the arm's
    /// `cell` is suppressed (a fallback such as `consent` on a day of few
    /// visits would say too much about them).
    fn to_json(&self, cell: &Cell) -> Value {
        if cell.visits < MIN_VISITS {
            return Value::Null;
        }
        let mut out = serde_json::Map::new();
        for shown in Shown::ALL {
            let n = self.reported.get(&shown).copied().unwrap_or(0);
            out.insert(shown.as_str().into(), json!(n));
        }
        out.insert("unreported".into(), json!(self.unreported));
        let reported: u64 = self.reported.values().sum();
        let personalized = self
            .reported
            .get(&Shown::Personalized)
            .copied()
            .unwrap_or(0);
        let share = (reported > 0).then(|| personalized as f64 / reported as f64);
        out.insert("personalized_share".into(), json!(share));
        Value::Object(out)
    }
}

/// One row of [`VISITS`], read.
struct Visit {
    arm: Arm,
    /// The UTC day of its first event.
    day: u32,
    id: i64,
    pages: i64,
    actions: i64,
    carted: bool,
    orders: u64,
    revenue: i64,
    exposed: bool,
    clicked: bool,
    prompted: bool,
    recovered: bool,
    events: i64,
}

impl Visit {
    /// The visit a row describes; `None` for a row of another shape or arm.
    fn read(row: &[Field]) -> Option<Visit> {
        let [
            arm,
            day,
            pages,
            actions,
            carted,
            orders,
            revenue,
            exposed,
            clicked,
            prompted,
            recovered,
            id,
            events,
        ] = row
        else {
            return None;
        };
        let flag = |f: &Field| f.int() > 0;
        Some(Visit {
            arm: Arm::from_name(arm.text())?,
            day: u32::try_from(day.int()).unwrap_or(0),
            id: id.int(),
            pages: pages.int(),
            actions: actions.int(),
            carted: flag(carted),
            orders: orders.int().max(0) as u64,
            revenue: revenue.int(),
            exposed: flag(exposed),
            clicked: flag(clicked),
            prompted: flag(prompted),
            recovered: flag(recovered),
            events: events.int(),
        })
    }
}

/// Tukey's far-out fence, Q3 + 3 IQR (nearest-rank quartiles), of
/// `values`; `None` with fewer than [`MIN_FENCE_VISITS`].
fn far_out(mut values: Vec<i64>) -> Option<f64> {
    if values.len() < MIN_FENCE_VISITS {
        return None;
    }
    values.sort_unstable();
    let rank = |p: f64| {
        values[((p * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1] as f64
    };
    let (q1, q3) = (rank(0.25), rank(0.75));
    Some(q3 + 3.0 * (q3 - q1))
}

fn arms_json<'a>(get: impl Fn(Arm) -> &'a Cell) -> Value {
    let mut arms = serde_json::Map::new();
    for arm in Arm::ALL {
        arms.insert(arm.as_str().to_owned(), cell_json(get(arm)));
    }
    Value::Object(arms)
}

/// A cell's metrics, each with its interval; only the visit count when
/// the cell is too small.
fn cell_json(cell: &Cell) -> Value {
    let mut out = serde_json::Map::new();
    out.insert("visits".into(), json!(cell.visits));
    let suppressed = cell.visits < MIN_VISITS;
    out.insert("suppressed".into(), json!(suppressed));
    if suppressed {
        return Value::Object(out);
    }
    out.insert("orders".into(), json!(cell.orders));
    out.insert("revenue".into(), json!(cell.revenue.sum));
    let mut intervals = serde_json::Map::new();
    for (name, of) in RATES {
        let (s, n) = of(cell);
        put(&mut out, &mut intervals, name, wilson(s, n));
    }
    for (name, of) in MEANS {
        put(&mut out, &mut intervals, name, of(cell).interval());
    }
    out.insert("intervals".into(), Value::Object(intervals));
    Value::Object(out)
}

fn put(
    out: &mut serde_json::Map<String, Value>,
    intervals: &mut serde_json::Map<String, Value>,
    name: &str,
    interval: Option<Interval>,
) {
    out.insert(name.into(), json!(interval.map(|i| i.value)));
    if let Some(i) = interval {
        intervals.insert(name.into(), json!([i.low, i.high]));
    }
}

/// Personalized minus holdout for every metric, with its interval and the
/// relative lift; `null` when either arm is suppressed.
fn lift(personalized: &Cell, holdout: &Cell) -> Value {
    if personalized.visits < MIN_VISITS || holdout.visits < MIN_VISITS {
        return Value::Null;
    }
    let mut out = serde_json::Map::new();
    let mut entry = |name: &str, d: Option<Interval>, base: Option<f64>| {
        let relative = match (d, base) {
            (Some(d), Some(b)) if b != 0.0 => Some(d.value / b),
            _ => None,
        };
        out.insert(
            name.into(),
            d.map_or(Value::Null, |d| {
                json!({ "difference": d.value, "low": d.low, "high": d.high, "relative": relative })
            }),
        );
    };
    for (name, of) in RATES {
        let ((s1, n1), (s0, n0)) = (of(personalized), of(holdout));
        let base = (n0 > 0).then(|| s0 as f64 / n0 as f64);
        entry(name, newcombe(s1, n1, s0, n0), base);
    }
    for (name, of) in MEANS {
        entry(
            name,
            welch(of(personalized), of(holdout)),
            of(holdout).mean(),
        );
    }
    Value::Object(out)
}

/// The report as a table for the terminal: each arm's metrics, then the lift.
pub fn to_text(report: &Value) -> String {
    let mut out = String::new();
    if let Some(first) = report["period"]["first_day"].as_str() {
        let last = report["period"]["last_day"].as_str().unwrap_or(first);
        out.push_str(&format!("events from {first} to {last} (UTC)\n"));
    }
    let names = ["visits", "orders", "revenue"]
        .into_iter()
        .chain(RATES.iter().map(|r| r.0))
        .chain(MEANS.iter().map(|m| m.0));
    out.push_str(&format!(
        "{:<20}{:>16}{:>16}{:>34}\n",
        "metric", "personalized", "holdout", "lift (95% interval)"
    ));
    for name in names {
        let cell = |arm: &str| match &report["arms"][arm][name] {
            Value::Number(n) if n.is_u64() => n.to_string(),
            Value::Number(n) => format!("{:.4}", n.as_f64().unwrap_or(0.0)),
            Value::Null if report["arms"][arm]["suppressed"] == true => "<10 visits".to_owned(),
            _ => "-".to_owned(),
        };
        let lift = match &report["lift"][name] {
            Value::Object(l) => format!(
                "{:+.4} [{:+.4}, {:+.4}]",
                l["difference"].as_f64().unwrap_or(0.0),
                l["low"].as_f64().unwrap_or(0.0),
                l["high"].as_f64().unwrap_or(0.0)
            ),
            _ => String::new(),
        };
        out.push_str(&format!(
            "{name:<20}{:>16}{:>16}{lift:>34}\n",
            cell("personalized"),
            cell("holdout")
        ));
    }
    if let Some(shown) = report["shown"].as_object() {
        let share = shown["personalized_share"]
            .as_f64()
            .map_or("-".to_owned(), |s| format!("{:.1} %", 100.0 * s));
        let fallbacks: Vec<String> = Shown::ALL
            .iter()
            .filter(|s| **s != Shown::Personalized)
            .map(|s| format!("{} {}", s.as_str(), shown[s.as_str()]))
            .chain([format!("unreported {}", shown["unreported"])])
            .collect();
        out.push_str(&format!(
            "personalized arm's widgets shown personalized: {share} of exposures; fallbacks: {}\n",
            fallbacks.join(", ")
        ));
    }
    for (variant, campaign) in report["campaigns"].as_object().into_iter().flatten() {
        let arm = |name: &str| {
            let cell = &campaign["arms"][name];
            let pct = |metric: &str| {
                cell[metric]
                    .as_f64()
                    .map_or("-".to_owned(), |r| format!("{:.1} %", 100.0 * r))
            };
            format!(
                "{name} {} visits, click-through {}, conversion {}",
                cell["visits"],
                pct("widget_ctr"),
                pct("conversion_rate")
            )
        };
        let lift = campaign["lift"]["conversion_rate"]["difference"]
            .as_f64()
            .map_or("-".to_owned(), |d| format!("{:+.1} pp", 100.0 * d));
        out.push_str(&format!(
            "campaign {variant}: {}; {}; conversion lift {lift}\n",
            arm("personalized"),
            arm("holdout")
        ));
    }
    let anomalies = &report["anomalies"];
    let refused: Vec<String> = anomalies["refused"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(reason, n)| format!("{reason} {n}"))
        .collect();
    out.push_str(&format!(
        "anomalies: refused {}; visits left out: {} over the order bound, {} over the event bound\n",
        if refused.is_empty() { "none".to_owned() } else { refused.join(", ") },
        anomalies["excluded_visits"]["orders"],
        anomalies["excluded_visits"]["events"],
    ));
    out
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01).
fn date(day: u32) -> String {
    // Howard Hinnant's civil-from-days algorithm.
    let z = i64::from(day) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fence_sits_far_out_and_needs_enough_visits() {
        let values: Vec<i64> = (1..=100).collect();
        // Q1 = 25, Q3 = 75: 75 + 3 × 50.
        assert_eq!(far_out(values.clone()), Some(225.0));
        assert_eq!(far_out(values[..19].to_vec()), None);
        let mut forged = values;
        forged.extend([9_000; 8]);
        assert!(
            far_out(forged).is_some_and(|f| f < 9_000.0),
            "a few forged values stay outside"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(20_415), "2025-11-23");
        assert_eq!(date(11_016), "2000-02-29");
    }
}
