//! Reading interaction logs: the sessions text format, CSV/TSV with named
//! columns, and JSON lines (Segment `track` calls, GA4 export rows).
//!
//! Every reader turns its input into [`Session`]s: an ordered list of item
//! interactions. Malformed rows are skipped and counted with their line
//! number, or fail the read with `strict`.

use std::collections::HashMap;
use std::io::BufRead;

use anyhow::{Context as _, bail};
use shelfwise_core::profile::EventKind;

/// Inactivity that cuts a user's events into sessions when the log has no
/// session ids (the web-analytics convention).
pub const SESSION_GAP_MS: i64 = 30 * 60 * 1000;

/// The input formats `shelfwise build` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One session per line, item ids separated by whitespace.
    Sessions,
    /// Delimited text with a header row naming the columns.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl Format {
    /// Parses a `--format` value.
    pub fn from_name(name: &str) -> anyhow::Result<Format> {
        Ok(match name {
            "sessions" => Format::Sessions,
            "csv" | "tsv" => Format::Csv,
            "jsonl" | "json" | "ndjson" => Format::Jsonl,
            other => bail!("unknown format {other:?} (expected csv, jsonl or sessions)"),
        })
    }

    /// Detects the format from the first non-empty line.
    pub fn detect(first_line: &str) -> Format {
        let line = first_line.trim_start_matches('\u{feff}').trim();
        if line.starts_with('{') {
            Format::Jsonl
        } else if Columns::from_header(line).is_some() {
            Format::Csv
        } else {
            Format::Sessions
        }
    }
}

/// One interaction read from a log.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The item id.
    pub item: String,
    /// The item's category, when the log has one.
    pub category: Option<String>,
}

/// A session: interactions in time order.
pub type Session = Vec<Event>;

/// What reading a log produced besides the sessions.
#[derive(Debug, Default)]
pub struct ReadReport {
    /// Rows read (non-empty lines, header excluded).
    pub rows: u64,
    /// Rows skipped as malformed.
    pub skipped: u64,
    /// The first few problems, with line numbers.
    pub problems: Vec<String>,
}

impl ReadReport {
    fn skip(&mut self, line: u64, why: &str, strict: bool) -> anyhow::Result<()> {
        if strict {
            bail!("line {line}: {why}");
        }
        self.skipped += 1;
        if self.problems.len() < 10 {
            self.problems.push(format!("line {line}: {why}"));
        }
        Ok(())
    }
}

/// Reads every session of `input`.
///
/// # Errors
///
/// I/O errors, a CSV header without an item column, and with `strict` the
/// first malformed row, named by its line number.
pub fn read_sessions(
    input: impl BufRead,
    format: Option<Format>,
    strict: bool,
) -> anyhow::Result<(Vec<Session>, ReadReport)> {
    let mut lines = input.lines();
    let mut report = ReadReport::default();
    let mut line_no = 0u64;
    let mut first = None;
    for line in lines.by_ref() {
        line_no += 1;
        let line = line.with_context(|| format!("reading line {line_no}"))?;
        if !line.trim().is_empty() {
            first = Some(line);
            break;
        }
    }
    let Some(first) = first else {
        return Ok((Vec::new(), report));
    };
    let format = format.unwrap_or_else(|| Format::detect(&first));
    let mut keyed = Keyed::default();
    let mut sessions = Vec::new();
    let mut rest = lines.map(|l| l.map_err(anyhow::Error::from));
    match format {
        Format::Sessions => {
            let mut line = Some(Ok(first));
            while let Some(text) = line.take().or_else(|| rest.next()) {
                let text = text.with_context(|| format!("reading line {line_no}"))?;
                if !text.trim().is_empty() {
                    report.rows += 1;
                    sessions.push(
                        text.split_whitespace()
                            .map(|item| Event {
                                kind: EventKind::View,
                                item: item.to_owned(),
                                category: None,
                            })
                            .collect(),
                    );
                }
                line_no += 1;
            }
        }
        Format::Csv => {
            let header = first.trim_start_matches('\u{feff}');
            let columns = Columns::from_header(header)
                .with_context(|| format!("line {line_no}: the header names no item column"))?;
            for text in rest {
                line_no += 1;
                let text = text.with_context(|| format!("reading line {line_no}"))?;
                if text.trim().is_empty() {
                    continue;
                }
                report.rows += 1;
                match columns.parse(&text) {
                    Ok(row) => keyed.push(row),
                    Err(why) => report.skip(line_no, why, strict)?,
                }
            }
        }
        Format::Jsonl => {
            let mut line = Some(Ok(first));
            while let Some(text) = line.take().or_else(|| rest.next()) {
                let text = text.with_context(|| format!("reading line {line_no}"))?;
                if !text.trim().is_empty() {
                    report.rows += 1;
                    match parse_json_row(&text) {
                        Ok(rows) => rows.into_iter().for_each(|r| keyed.push(r)),
                        Err(why) => report.skip(line_no, why, strict)?,
                    }
                }
                line_no += 1;
            }
        }
    }
    sessions.extend(keyed.into_sessions());
    Ok((sessions, report))
}

/// A row with its grouping key and time, before sessionization.
#[derive(Debug)]
struct Row {
    session: Option<String>,
    user: Option<String>,
    time: i64,
    event: Event,
}

/// Rows grouped by session id, or by user id (cut at [`SESSION_GAP_MS`]).
#[derive(Default)]
struct Keyed {
    by_session: HashMap<String, Vec<(i64, u64, Event)>>,
    by_user: HashMap<String, Vec<(i64, u64, Event)>>,
    order: u64,
}

impl Keyed {
    fn push(&mut self, row: Row) {
        self.order += 1;
        let entry = (row.time, self.order, row.event);
        if let Some(s) = row.session {
            self.by_session.entry(s).or_default().push(entry);
        } else if let Some(u) = row.user {
            self.by_user.entry(u).or_default().push(entry);
        }
    }

    fn into_sessions(self) -> Vec<Session> {
        let mut out: Vec<(u64, Session)> = Vec::new();
        for (_, mut events) in self.by_session {
            events.sort_by_key(|e| (e.0, e.1));
            let first = events.first().map_or(0, |e| e.1);
            out.push((first, events.into_iter().map(|e| e.2).collect()));
        }
        for (_, mut events) in self.by_user {
            events.sort_by_key(|e| (e.0, e.1));
            let mut current: Session = Vec::new();
            let mut started = 0;
            let mut last_time = i64::MIN;
            for (time, order, event) in events {
                if !current.is_empty() && time.saturating_sub(last_time) > SESSION_GAP_MS {
                    out.push((started, std::mem::take(&mut current)));
                }
                if current.is_empty() {
                    started = order;
                }
                last_time = time;
                current.push(event);
            }
            if !current.is_empty() {
                out.push((started, current));
            }
        }
        // File order of each session's first row: deterministic output.
        out.sort_by_key(|s| s.0);
        out.into_iter().map(|s| s.1).collect()
    }
}

/// Column positions of a delimited file, found by header names.
#[derive(Clone, Debug)]
struct Columns {
    separator: char,
    item: usize,
    session: Option<usize>,
    user: Option<usize>,
    time: Option<usize>,
    event: Option<usize>,
    category: Option<usize>,
}

fn normalize(name: &str) -> String {
    name.trim()
        .trim_matches('"')
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl Columns {
    fn from_header(line: &str) -> Option<Columns> {
        let separator = ['\t', ';', ',', '|']
            .into_iter()
            .max_by_key(|s| line.matches(*s).count())?;
        let names: Vec<String> = split_row(line, separator)
            .iter()
            .map(|n| normalize(n))
            .collect();
        let find = |wanted: &[&str]| {
            wanted
                .iter()
                .find_map(|w| names.iter().position(|n| n == w))
        };
        Some(Columns {
            separator,
            item: find(&["itemid", "item", "productid", "product", "sku", "itemids"])?,
            session: find(&["sessionid", "session", "visitid"]),
            user: find(&[
                "userid",
                "user",
                "anonymousid",
                "visitorid",
                "userpseudoid",
                "customerid",
            ]),
            time: find(&[
                "timestamp",
                "eventtimestamp",
                "eventtime",
                "time",
                "ts",
                "timeframe",
                "datetime",
            ]),
            event: find(&["event", "eventtype", "eventname", "type", "action"]),
            category: find(&["category", "categoryid", "itemcategory", "productcategory"]),
        })
    }

    fn parse(&self, line: &str) -> Result<Row, &'static str> {
        let fields = split_row(line, self.separator);
        let get = |i: Option<usize>| {
            i.and_then(|i| fields.get(i))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty() && *s != "NA")
        };
        let item = get(Some(self.item)).ok_or("missing item id")?;
        let session = get(self.session).map(str::to_owned);
        let user = get(self.user).map(str::to_owned);
        if session.is_none() && user.is_none() && (self.session.is_some() || self.user.is_some()) {
            return Err("missing session and user id");
        }
        let time = match get(self.time) {
            Some(t) => parse_time(t).ok_or("unreadable timestamp")?,
            None => 0,
        };
        let kind = match get(self.event) {
            Some(e) => event_kind(e).ok_or("unknown event type")?,
            None => EventKind::View,
        };
        // Without session or user columns, the whole file is one session.
        let session = session.or_else(|| user.is_none().then(String::new));
        Ok(Row {
            session,
            user,
            time,
            event: Event {
                kind,
                item: item.to_owned(),
                category: get(self.category).map(str::to_owned),
            },
        })
    }
}

/// Splits a delimited row, honouring double quotes (`""` inside quotes is a quote).
fn split_row(line: &str, separator: char) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == separator && !quoted => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Event names of Segment, GA4 and common public datasets.
fn event_kind(name: &str) -> Option<EventKind> {
    EventKind::from_name(name).or_else(|| match normalize(name).as_str() {
        "view" | "click" | "pageview" | "detail" | "productview" | "viewitem" => {
            Some(EventKind::View)
        }
        "addtocart" | "cart" | "add" | "productadded" => Some(EventKind::AddToCart),
        "removefromcart" | "remove" | "productremoved" => Some(EventKind::RemoveFromCart),
        "transaction" | "purchase" | "order" | "buy" | "ordercompleted" => {
            Some(EventKind::Purchase)
        }
        "checkout" | "begincheckout" | "checkoutstarted" => Some(EventKind::CheckoutStarted),
        _ => None,
    })
}

/// Integer timestamps (any unit, only order matters within a session; seconds
/// are told from milliseconds by size) and ISO 8601 date-times, in ms.
fn parse_time(text: &str) -> Option<i64> {
    if let Ok(v) = text.parse::<i64>() {
        // Seconds since 1970 are below 10^11 until the year 5138.
        return Some(if v.abs() < 100_000_000_000 && v.abs() > 100_000_000 {
            v * 1000
        } else {
            v
        });
    }
    if let Ok(v) = text.parse::<f64>() {
        return v.is_finite().then_some(v as i64);
    }
    parse_iso8601(text)
}

/// `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH:MM]` to ms since the epoch.
fn parse_iso8601(text: &str) -> Option<i64> {
    let num = |s: &str| s.parse::<i64>().ok();
    let (date, time) = text.split_once(['T', ' ']).unwrap_or((text, ""));
    let mut d = date.splitn(3, '-');
    let (y, m, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let (clock, offset) = match time.find(['Z', '+']).or_else(|| time.rfind('-')) {
        Some(i) => time.split_at(i),
        None => (time, ""),
    };
    let mut parts = clock.split(':');
    let h = parts
        .next()
        .filter(|s| !s.is_empty())
        .map_or(Some(0), num)?;
    let min = parts.next().map_or(Some(0), num)?;
    let sec: f64 = parts.next().map_or(Some(0.0), |s| s.parse().ok())?;
    let offset_min = match offset.get(..1) {
        Some(sign @ ("+" | "-")) => {
            let (oh, om) = offset
                .get(1..)?
                .split_once(':')
                .unwrap_or((offset.get(1..3)?, offset.get(3..).unwrap_or("0")));
            let v = num(oh)? * 60 + num(om).unwrap_or(0);
            if sign == "-" { -v } else { v }
        }
        _ => 0,
    };
    Some(
        ((days * 86_400 + h * 3600 + min * 60 - offset_min * 60) as f64 * 1000.0 + sec * 1000.0)
            as i64,
    )
}

/// Parses one JSON line: a Segment `track` call or a GA4 export row (whose
/// `items` array gives one row per item).
fn parse_json_row(line: &str) -> Result<Vec<Row>, &'static str> {
    let v: serde_json::Value = serde_json::from_str(line).map_err(|_| "not valid JSON")?;
    let obj = v.as_object().ok_or("not a JSON object")?;
    let text = |v: Option<&serde_json::Value>| -> Option<String> {
        match v? {
            serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    let time = |v: Option<&serde_json::Value>| -> Result<i64, &'static str> {
        match v {
            None | Some(serde_json::Value::Null) => Ok(0),
            Some(serde_json::Value::Number(n)) => {
                // GA4 exports event_timestamp in microseconds.
                let raw = n.as_f64().ok_or("unreadable timestamp")? as i64;
                Ok(if raw > 10_000_000_000_000 {
                    raw / 1000
                } else {
                    parse_time(&raw.to_string()).unwrap_or(raw)
                })
            }
            Some(serde_json::Value::String(s)) => parse_time(s).ok_or("unreadable timestamp"),
            Some(_) => Err("unreadable timestamp"),
        }
    };
    if let Some(name) = text(obj.get("event_name")) {
        // GA4 BigQuery export shape.
        let kind = event_kind(&name).ok_or("unknown event type")?;
        let user = text(obj.get("user_pseudo_id")).or_else(|| text(obj.get("user_id")));
        let session = text(obj.get("ga_session_id"))
            .map(|s| format!("{}:{s}", user.as_deref().unwrap_or("")));
        let t = time(obj.get("event_timestamp"))?;
        let items = obj
            .get("items")
            .and_then(|i| i.as_array())
            .ok_or("GA4 row without items")?;
        let rows: Vec<Row> = items
            .iter()
            .filter_map(|item| {
                Some(Row {
                    session: session.clone(),
                    user: user.clone(),
                    time: t,
                    event: Event {
                        kind,
                        item: text(item.get("item_id"))?,
                        category: text(item.get("item_category")),
                    },
                })
            })
            .collect();
        if rows.is_empty() || (rows.iter().all(|r| r.session.is_none() && r.user.is_none())) {
            return Err("GA4 row without item ids or user");
        }
        return Ok(rows);
    }
    // Segment track call.
    let name = text(obj.get("event")).ok_or("no event or event_name field")?;
    let kind = event_kind(&name).ok_or("unknown event type")?;
    let props = obj.get("properties").and_then(|p| p.as_object());
    let prop = |k: &str| props.and_then(|p| text(p.get(k)));
    let user = text(obj.get("userId")).or_else(|| text(obj.get("anonymousId")));
    let session = prop("session_id").or_else(|| text(obj.get("sessionId")));
    if user.is_none() && session.is_none() {
        return Err("no userId, anonymousId or session id");
    }
    let t = time(obj.get("timestamp"))?;
    let single = prop("product_id")
        .or_else(|| prop("sku"))
        .or_else(|| prop("id"));
    let products: Vec<(String, Option<String>)> = match single {
        Some(id) => vec![(id, prop("category"))],
        None => props
            .and_then(|p| p.get("products"))
            .and_then(|p| p.as_array())
            .map(|list| {
                list.iter()
                    .filter_map(|p| {
                        Some((
                            text(p.get("product_id")).or_else(|| text(p.get("sku")))?,
                            text(p.get("category")),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    if products.is_empty() {
        return Err("no product_id in properties");
    }
    Ok(products
        .into_iter()
        .map(|(item, category)| Row {
            session: session.clone(),
            user: user.clone(),
            time: t,
            event: Event {
                kind,
                item,
                category,
            },
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Vec<Vec<String>>, ReadReport) {
        let (sessions, report) = read_sessions(text.as_bytes(), None, false).unwrap();
        (
            sessions
                .into_iter()
                .map(|s| s.into_iter().map(|e| e.item).collect())
                .collect(),
            report,
        )
    }

    #[test]
    fn sessions_format() {
        let (s, _) = read("1 2 3\n\n4 5\n");
        assert_eq!(s, [vec!["1", "2", "3"], vec!["4", "5"]]);
    }

    #[test]
    fn csv_with_session_ids_and_semicolons_is_ordered_by_time() {
        let (s, r) = read(
            "session_id;user_id;item_id;timeframe;eventdate\n1;NA;81;526;2016-05-09\n1;NA;9;200;2016-05-09\n2;NA;7;1;2016-05-09\n",
        );
        assert_eq!(s, [vec!["9", "81"], vec!["7"]]);
        assert_eq!(r.rows, 3);
    }

    #[test]
    fn csv_with_user_ids_is_cut_after_30_minutes() {
        let text = "user,timestamp,item,event\nu,2024-01-01T10:00:00Z,a,view\nu,2024-01-01T10:10:00Z,b,addtocart\nu,2024-01-01T11:00:00Z,c,transaction\n";
        let (s, _) = read(text);
        assert_eq!(s, [vec!["a", "b"], vec!["c"]]);
    }

    #[test]
    fn malformed_rows_are_counted_with_line_numbers_or_fail_in_strict_mode() {
        let text = "session,item,timestamp\n1,a,5\n1,,6\n1,b,x\n1,c,7\n";
        let (s, r) = read(text);
        assert_eq!(s, [vec!["a", "c"]]);
        assert_eq!(r.skipped, 2);
        assert_eq!(r.problems[0], "line 3: missing item id");
        let err = read_sessions(text.as_bytes(), None, true).unwrap_err();
        assert_eq!(err.to_string(), "line 3: missing item id");
    }

    #[test]
    fn quoted_csv_fields() {
        assert_eq!(
            split_row(r#"a,"b,c","say ""hi""""#, ','),
            ["a", "b,c", "say \"hi\""]
        );
    }

    #[test]
    fn segment_and_ga4_json_lines() {
        let text = concat!(
            r#"{"event":"Product Viewed","anonymousId":"x","timestamp":"2024-01-01T10:00:00Z","properties":{"product_id":"p1","category":"shoes"}}"#,
            "\n",
            r#"{"event":"Order Completed","anonymousId":"x","timestamp":"2024-01-01T10:05:00Z","properties":{"products":[{"product_id":"p2"},{"sku":"p3"}]}}"#,
            "\n",
            r#"{"event_name":"add_to_cart","user_pseudo_id":"y","event_timestamp":1704103200000000,"items":[{"item_id":"g1","item_category":"hats"}]}"#,
            "\n",
            r#"{"event":"Signed Up","anonymousId":"x"}"#,
            "\n",
            "not json\n",
        );
        let (sessions, report) = read_sessions(text.as_bytes(), None, false).unwrap();
        let ids: Vec<Vec<&str>> = sessions
            .iter()
            .map(|s| s.iter().map(|e| e.item.as_str()).collect())
            .collect();
        assert_eq!(ids, [vec!["p1", "p2", "p3"], vec!["g1"]]);
        assert_eq!(sessions[0][0].category.as_deref(), Some("shoes"));
        assert_eq!(sessions[0][1].kind, EventKind::Purchase);
        assert_eq!(report.skipped, 2);
        assert_eq!(
            report.problems,
            ["line 4: unknown event type", "line 5: not valid JSON"]
        );
    }

    #[test]
    fn iso_times() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_iso8601("2000-03-01"), Some(951_868_800_000));
        assert_eq!(
            parse_iso8601("2000-03-01T01:00:00+01:00"),
            Some(951_868_800_000)
        );
        assert_eq!(parse_iso8601("yesterday"), None);
    }

    #[test]
    fn empty_input_gives_no_sessions() {
        let (s, r) = read("");
        assert!(s.is_empty() && r.rows == 0);
    }
}
