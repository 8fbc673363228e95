//! Reading beacon batches as the collector receives them (feature `wire`):
//! JSON, strictly — an unknown field anywhere refuses the batch — into
//! borrowed strings, then every event through [`Event::from_wire`].

use std::borrow::Cow;

use serde::Deserialize;

use super::{Event, Wire};

/// How far back an event's hour may be; older ones are clamped to it.
pub const MAX_AGE_HOURS: u32 = 7 * 24;

/// The beacon batch on the wire.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireBatch<'a> {
    v: u32,
    #[serde(default)]
    dropped: u32,
    #[serde(borrow)]
    events: Vec<WireEvent<'a>>,
}

/// One event on the wire; [`Event::from_wire`] decides what is valid.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireEvent<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    visit: Cow<'a, str>,
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    arm: Cow<'a, str>,
    #[serde(borrow)]
    page: Cow<'a, str>,
    #[serde(default, borrow)]
    widget: Option<Cow<'a, str>>,
    #[serde(default)]
    position: Option<u64>,
    #[serde(default)]
    value: Option<u64>,
    #[serde(default, borrow)]
    currency: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    shown: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    variant: Option<Cow<'a, str>>,
    hour: u64,
}

/// Parses and validates a batch: its events, with hours clamped into
/// `[now_hour − 7 days, now_hour]`, and the count of events the browser
/// dropped. The error says what is wrong, for a 400.
pub fn parse_batch(body: &[u8], now_hour: u32) -> Result<(Vec<Event>, u32), String> {
    let batch: WireBatch<'_> = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if batch.v != 1 {
        return Err(format!("unsupported version {}", batch.v));
    }
    let oldest = now_hour.saturating_sub(MAX_AGE_HOURS);
    let events = batch
        .events
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let wire = Wire {
                id: &w.id,
                visit: &w.visit,
                kind: &w.kind,
                arm: &w.arm,
                page: &w.page,
                widget: w.widget.as_deref(),
                position: w.position,
                value: w.value,
                currency: w.currency.as_deref(),
                shown: w.shown.as_deref(),
                variant: w.variant.as_deref(),
                hour: w.hour,
            };
            let mut event =
                Event::from_wire(&wire).map_err(|e| format!("event {i}: {}", e.as_str()))?;
            event.hour = event.hour.clamp(oldest, now_hour);
            Ok(event)
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok((events, batch.dropped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_browser_writes_the_collector_reads() {
        let mut event = Event::new(
            super::super::Outcome::Click,
            crate::experiment::Arm::Personalized,
            super::super::Page::Product,
            u128::MAX - 5,
            42,
            500_000 * 3_600_000,
        );
        event.widget = Some(super::super::Widget::Similar);
        event.position = Some(4);
        let mut banner = event.clone();
        banner.widget = Some(super::super::Widget::Banner);
        banner.variant = super::super::Variant::new("spring-sale");
        let mut json = String::from("{\"v\":1,\"dropped\":3,\"events\":[");
        event.write_json(&mut json);
        json.push(',');
        banner.write_json(&mut json);
        json.push_str("]}");
        let (events, dropped) = parse_batch(json.as_bytes(), 500_000).unwrap();
        assert_eq!((events, dropped), (vec![event, banner], 3));
    }

    #[test]
    fn escaped_strings_are_read_and_then_refused_by_the_schema() {
        let body = br#"{"v":1,"events":[{"id":"\u0030","visit":"","type":"","arm":"","page":"","hour":1}]}"#;
        assert_eq!(
            parse_batch(body, 10),
            Err("event 0: malformed id or visit".to_owned())
        );
    }
}
