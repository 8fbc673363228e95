//! Reading interaction logs: the sessions text format, CSV/TSV with named
//! columns, and JSON lines (Segment `track` calls, GA4 export rows).
//!
//! Every reader turns its input into [`Session`]s: an ordered list of item
//! interactions. Malformed rows are skipped and counted with their line
//! number, or fail the read with `strict`.

use std::borrow::Cow;
use std::io::BufRead;

use anyhow::{Context as _, bail};
use compact_str::CompactString;
use foldhash::HashMap as FastMap;
use shelfwise_core::profile::EventKind;

use crate::log::{Log, pack};
use crate::table::{self, Header};

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

/// What reading a log produced besides the sessions.
#[derive(Debug, Default)]
pub struct ReadReport {
    /// Rows read (non-empty lines, header excluded).
    pub rows: u64,
    /// Rows skipped as malformed.
    pub skipped: u64,
    /// The first few problems.
    pub problems: Vec<Problem>,
    /// Lines read, empty ones included (by the sessions and JSON-lines
    /// readers: the CSV reader counts its own).
    lines: u64,
}

/// A malformed row: where, and what is wrong with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Its line number, from 1.
    pub line: u64,
    /// What is wrong.
    pub why: &'static str,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.why)
    }
}

/// How many problems a report keeps.
const PROBLEMS_KEPT: usize = 10;

impl ReadReport {
    fn skip(&mut self, line: u64, why: &'static str, strict: bool) -> anyhow::Result<()> {
        let problem = Problem { line, why };
        if strict {
            bail!("{problem}");
        }
        self.skipped += 1;
        if self.problems.len() < PROBLEMS_KEPT {
            self.problems.push(problem);
        }
        Ok(())
    }

    /// Adds the report of the input read after this one.
    fn append(&mut self, next: ReadReport) {
        self.rows += next.rows;
        self.skipped += next.skipped;
        let room = PROBLEMS_KEPT.saturating_sub(self.problems.len());
        self.problems
            .extend(next.problems.iter().take(room).map(|p| Problem {
                line: self.lines + p.line,
                why: p.why,
            }));
        self.lines += next.lines;
    }
}

/// Reads every session of `input` into a [`Log`], one row at a time: the
/// input is never held in memory, only its packed events.
///
/// # Errors
///
/// I/O errors, a CSV header without an item column, and with `strict` the
/// first malformed row, named by its line number.
pub fn read_log(
    mut input: impl BufRead,
    format: Option<Format>,
    strict: bool,
) -> anyhow::Result<(Log, ReadReport)> {
    let mut log = Log::new();
    let mut report = ReadReport::default();
    let mut keyed = Keyed::default();
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    let mut found: Option<Format> = None;
    let mut session = Vec::new();
    loop {
        buf.clear();
        let read = input
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("reading line {}", line_no + 1))?;
        if read == 0 {
            break;
        }
        line_no += 1;
        report.lines = line_no;
        let Ok(text) = std::str::from_utf8(&buf) else {
            report.rows += 1;
            report.skip(line_no, "not UTF-8", strict)?;
            continue;
        };
        let text = text.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        let format = *found.get_or_insert_with(|| format.unwrap_or_else(|| Format::detect(text)));
        if format == Format::Csv {
            // The first non-empty line is the header; the csv crate reads the rest.
            let columns = Columns::from_header(text)
                .with_context(|| format!("line {line_no}: the header names no item column"))?;
            let mut rows = table::Rows::new(&mut input, &columns.header, line_no);
            while let Some((line, fields)) = rows.next_row()? {
                report.rows += 1;
                match columns.parse(&fields) {
                    Ok(row) => keyed.push(&mut log, row),
                    Err(why) => report.skip(line, why, strict)?,
                }
            }
            break;
        }
        report.rows += 1;
        read_line(format, text, &mut log, &mut keyed, &mut session)
            .or_else(|why| report.skip(line_no, why, strict))?;
    }
    keyed.into_sessions(&mut log);
    Ok((log, report))
}

/// Reads a log in the sessions format from `parts` — consecutive pieces of
/// one input, each ending at the end of a line — each part on a core of its
/// own, and joins them in order: the log and report [`read_log`] gives for
/// the whole input. With `strict`, the first malformed line fails the read
/// once every part is read.
///
/// # Errors
///
/// I/O errors (named by the part and its line), and with `strict` the
/// first malformed line.
pub fn read_sessions<R: BufRead + Send>(
    parts: Vec<R>,
    strict: bool,
) -> anyhow::Result<(Log, ReadReport)> {
    let count = parts.len();
    let read: Vec<anyhow::Result<(Log, ReadReport)>> = std::thread::scope(|scope| {
        let readers: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || read_log(part, Some(Format::Sessions), false)))
            .collect();
        readers.into_iter().map(crate::cores::joined).collect()
    });
    let mut joined: Option<(Log, ReadReport)> = None;
    for (i, part) in read.into_iter().enumerate() {
        let (log, report) = part.with_context(|| format!("part {} of {count}", i + 1))?;
        match &mut joined {
            None => joined = Some((log, report)),
            Some((all, all_report)) => {
                all.append(&log);
                all_report.append(report);
            }
        }
    }
    let (log, report) = joined.unwrap_or_default();
    if let Some(problem) = report.problems.first().filter(|_| strict) {
        bail!("{problem}");
    }
    Ok((log, report))
}

/// Reads one line of the sessions text (into `log`) or of JSON lines (into `keyed`).
fn read_line(
    format: Format,
    text: &str,
    log: &mut Log,
    keyed: &mut Keyed,
    session: &mut Vec<u32>,
) -> Result<(), &'static str> {
    match format {
        Format::Sessions => {
            session.clear();
            session.extend(
                text.split_whitespace()
                    .filter_map(|name| pack(log.intern(name)?, EventKind::View)),
            );
            log.push_session(session.drain(..));
        }
        Format::Jsonl => {
            for row in parse_json_row(text)? {
                keyed.push(log, row);
            }
        }
        Format::Csv => return Err("no header"),
    }
    Ok(())
}

/// A row with its grouping key and time, before sessionization.
#[derive(Debug)]
struct Row<'a> {
    session: Option<Cow<'a, str>>,
    user: Option<Cow<'a, str>>,
    time: i64,
    kind: EventKind,
    item: Cow<'a, str>,
    category: Option<Cow<'a, str>>,
}

/// A keyed row, packed: 24 bytes whatever the ids.
#[derive(Clone, Copy, Debug)]
struct Packed {
    key: u32,
    order: u32,
    time: i64,
    event: u32,
}

/// Rows grouped by session id, or by user id (cut at [`SESSION_GAP_MS`]).
#[derive(Default)]
struct Keyed {
    sessions: FastMap<CompactString, u32>,
    users: FastMap<CompactString, u32>,
    /// The last row's key: rows of a session mostly come together.
    last: Option<(bool, CompactString, u32)>,
    /// Per key: a user id, whose events are cut by inactivity.
    is_user: Vec<bool>,
    rows: Vec<Packed>,
}

impl Keyed {
    fn push(&mut self, log: &mut Log, row: Row<'_>) {
        // Rows without intent (cart removals, checkout steps) add nothing.
        if pack(0, row.kind).is_none() {
            return;
        }
        let (map, id, is_user) = match (&row.session, &row.user) {
            (Some(s), _) => (&mut self.sessions, s, false),
            (None, Some(u)) => (&mut self.users, u, true),
            (None, None) => return,
        };
        let key = match &self.last {
            Some((u, last, k)) if *u == is_user && last == id.as_ref() => *k,
            _ => {
                let k = match map.get(id.as_ref()) {
                    Some(&k) => k,
                    None => {
                        let k = self.is_user.len() as u32;
                        map.insert(CompactString::new(id), k);
                        self.is_user.push(is_user);
                        k
                    }
                };
                self.last = Some((is_user, CompactString::new(id), k));
                k
            }
        };
        let Some(item) = log.intern(&row.item) else {
            return;
        };
        if let Some(c) = &row.category {
            log.set_category(item, c);
        }
        if let Some(event) = pack(item, row.kind) {
            let order = self.rows.len() as u32;
            self.rows.push(Packed {
                key,
                order,
                time: row.time,
                event,
            });
        }
    }

    /// Appends the sessions to `log`, ordered by their first row in the file.
    fn into_sessions(mut self, log: &mut Log) {
        // Exports usually come sorted by session and time already.
        if !self.rows.is_sorted_by_key(|r| (r.key, r.time, r.order)) {
            self.rows.sort_unstable_by_key(|r| (r.key, r.time, r.order));
        }
        // (first row, start, end in `rows`) of each session.
        let mut spans: Vec<(u32, usize, usize)> = Vec::new();
        let mut start = 0;
        for (i, pair) in self.rows.windows(2).enumerate() {
            let [a, b] = pair else { continue };
            let cut = a.key != b.key
                || (self.is_user.get(a.key as usize) == Some(&true)
                    && b.time.saturating_sub(a.time) > SESSION_GAP_MS);
            if cut {
                spans.push((first_order(&self.rows, start..i + 1), start, i + 1));
                start = i + 1;
            }
        }
        if start < self.rows.len() {
            let end = self.rows.len();
            spans.push((first_order(&self.rows, start..end), start, end));
        }
        spans.sort_unstable();
        for (_, from, to) in spans {
            if let Some(rows) = self.rows.get(from..to) {
                log.push_session(rows.iter().map(|r| r.event));
            }
        }
    }
}

fn first_order(rows: &[Packed], span: std::ops::Range<usize>) -> u32 {
    rows.get(span)
        .and_then(|r| r.iter().map(|r| r.order).min())
        .unwrap_or(u32::MAX)
}

/// Column positions of a delimited file, found by header names.
struct Columns {
    header: Header,
    item: usize,
    session: Option<usize>,
    user: Option<usize>,
    time: Option<usize>,
    event: Option<usize>,
    category: Option<usize>,
}

impl Columns {
    fn from_header(line: &str) -> Option<Columns> {
        let header = Header::parse(line);
        let find = |wanted: &[&str]| header.find(wanted);
        Some(Columns {
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
            header,
        })
    }

    fn parse<'a>(&self, fields: &table::Fields<'a>) -> Result<Row<'a>, &'static str> {
        let take = |i: Option<usize>| -> Result<Option<Cow<'a, str>>, &'static str> {
            let Some(i) = i else { return Ok(None) };
            let field = fields.get(i)?;
            Ok((!field.is_empty() && field != "NA").then_some(Cow::Borrowed(field)))
        };
        let item = take(Some(self.item))?.ok_or("missing item id")?;
        let session = take(self.session)?;
        let user = take(self.user)?;
        if session.is_none() && user.is_none() && (self.session.is_some() || self.user.is_some()) {
            return Err("missing session and user id");
        }
        let time = match take(self.time)? {
            Some(t) => parse_time(&t).ok_or("unreadable timestamp")?,
            None => 0,
        };
        let kind = match take(self.event)? {
            Some(e) => event_kind(&e).ok_or("unknown event type")?,
            None => EventKind::View,
        };
        // Without session or user columns, the whole file is one session.
        let session = session.or_else(|| user.is_none().then_some(Cow::Borrowed("")));
        Ok(Row {
            session,
            user,
            time,
            kind,
            item,
            category: take(self.category)?,
        })
    }
}

/// Event names of Segment, GA4 and common public datasets.
fn event_kind(name: &str) -> Option<EventKind> {
    let plain = name.bytes().all(|b| b.is_ascii_lowercase());
    let normalized = if plain {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(table::normalize(name))
    };
    EventKind::from_name(name).or_else(|| match normalized.as_ref() {
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
fn parse_json_row(line: &str) -> Result<Vec<Row<'static>>, &'static str> {
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
                    session: session.clone().map(Cow::Owned),
                    user: user.clone().map(Cow::Owned),
                    time: t,
                    kind,
                    item: Cow::Owned(text(item.get("item_id"))?),
                    category: text(item.get("item_category")).map(Cow::Owned),
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
            session: session.clone().map(Cow::Owned),
            user: user.clone().map(Cow::Owned),
            time: t,
            kind,
            item: Cow::Owned(item),
            category: category.map(Cow::Owned),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(log: &Log) -> Vec<Vec<&str>> {
        log.sessions(0..log.session_count())
            .map(|s| s.iter().map(|&e| log.name(crate::log::item(e))).collect())
            .collect()
    }

    fn read(text: &str) -> (Vec<Vec<String>>, ReadReport) {
        let (log, report) = read_log(text.as_bytes(), None, false).unwrap();
        let sessions = names(&log)
            .into_iter()
            .map(|s| s.into_iter().map(str::to_owned).collect())
            .collect();
        (sessions, report)
    }

    fn texts(problems: &[Problem]) -> Vec<String> {
        problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn sessions_format() {
        let (s, _) = read("1 2 3\n\n4 5\n");
        assert_eq!(s, [vec!["1", "2", "3"], vec!["4", "5"]]);
    }

    #[test]
    fn sessions_read_in_parts_are_the_sessions_read_whole() {
        let text: &[u8] = b"a b c\n\nb d\n\xff\nd e a\n\nc f\n\xfe x\ng a\n";
        let (whole, whole_report) = read_log(text, None, false).unwrap();
        // Every way of cutting the input at line ends into three parts.
        let ends: Vec<usize> = (0..text.len())
            .filter(|&i| text[i] == b'\n')
            .map(|i| i + 1)
            .collect();
        for (i, &one) in ends.iter().enumerate() {
            for &two in &ends[i..] {
                let parts = vec![&text[..one], &text[one..two], &text[two..]];
                let (log, report) = read_sessions(parts, false).unwrap();
                assert_eq!(names(&log), names(&whole));
                let ids: Vec<u32> = ["a", "b", "c", "d", "e", "f", "g"]
                    .iter()
                    .map(|n| log.find(n).unwrap())
                    .collect();
                assert_eq!(ids, [0, 1, 2, 3, 4, 5, 6]);
                assert_eq!((report.rows, report.skipped), (whole_report.rows, 2));
                assert_eq!(
                    texts(&report.problems),
                    ["line 4: not UTF-8", "line 8: not UTF-8"]
                );
                let err = read_sessions(vec![&text[..one], &text[one..]], true).unwrap_err();
                assert_eq!(err.to_string(), "line 4: not UTF-8");
            }
        }
        assert_eq!(
            read_sessions(Vec::<&[u8]>::new(), true)
                .unwrap()
                .0
                .session_count(),
            0
        );
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
        assert_eq!(r.problems[0].to_string(), "line 3: missing item id");
        let err = read_log(text.as_bytes(), None, true).unwrap_err();
        assert_eq!(err.to_string(), "line 3: missing item id");
    }

    #[test]
    fn quoted_csv_fields_with_separators_and_line_breaks() {
        let text =
            "session,item,timestamp,category\n1,a,5,\"Pots, pans\"\n1,b,6,\"two\nlines\"\n1,,7,x\n";
        let (log, report) = read_log(text.as_bytes(), None, false).unwrap();
        assert_eq!(names(&log), [vec!["a", "b"]]);
        assert_eq!(log.category(log.find("a").unwrap()), Some("Pots, pans"));
        assert_eq!(texts(&report.problems), ["line 5: missing item id"]);
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
        let (log, report) = read_log(text.as_bytes(), None, false).unwrap();
        assert_eq!(names(&log), [vec!["p1", "p2", "p3"], vec!["g1"]]);
        assert_eq!(log.category(log.find("p1").unwrap()), Some("shoes"));
        let first: Vec<f64> = log
            .sessions(0..1)
            .next()
            .unwrap()
            .iter()
            .map(|&e| crate::log::weight(e))
            .collect();
        assert_eq!(first, [1.0, 3.0, 3.0]);
        assert_eq!(report.skipped, 2);
        assert_eq!(
            texts(&report.problems),
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
