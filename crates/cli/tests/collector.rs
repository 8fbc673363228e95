//! The collector as a browser and an attacker meet it: `shelfwise serve
//! --db` on a loopback port, spoken to over raw HTTP/1.1, its database read
//! back afterwards.
//!
//! Tests that touch the store run twice: on a SQLite file and on
//! PostgreSQL, a fresh database per test on the server named by
//! `SHELFWISE_TEST_POSTGRES` (`cargo xtask test` starts a throwaway cluster
//! and sets it; without it the PostgreSQL runs say so and pass).

#![cfg(feature = "collector")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The admin token of the test servers.
const ADMIN_TOKEN: &str = "collector-test-token-7c1e";

/// Which store a test runs on.
#[derive(Clone, Copy, Debug)]
enum Store {
    Sqlite,
    Postgres,
}

/// The database a test server uses.
enum Db {
    Sqlite(PathBuf),
    Postgres(String),
}

/// The PostgreSQL server for the tests, if one is configured.
fn postgres_server() -> Option<String> {
    std::env::var("SHELFWISE_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Runs `test` on SQLite, then on PostgreSQL when one is configured.
fn on_both(test: impl Fn(Store)) {
    test(Store::Sqlite);
    if postgres_server().is_some() {
        test(Store::Postgres);
    } else {
        eprintln!("PostgreSQL run skipped: SHELFWISE_TEST_POSTGRES is not set");
    }
}

/// A running collector with a fresh database.
struct Server {
    child: Child,
    port: u16,
    db: Db,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start(name: &str, extra: &[&str]) -> Server {
        Server::start_on(Store::Sqlite, name, extra)
    }

    fn start_on(store: Store, name: &str, extra: &[&str]) -> Server {
        Server::spawn(Server::fresh(store, name), extra)
    }

    /// An empty database named `name` on `store`.
    fn fresh(store: Store, name: &str) -> Db {
        match store {
            Store::Sqlite => {
                let dir = std::env::temp_dir()
                    .join(format!("shelfwise-collector-{}", std::process::id()));
                std::fs::create_dir_all(&dir).unwrap();
                let db = dir.join(format!("{name}.db"));
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
                }
                Db::Sqlite(db)
            }
            Store::Postgres => {
                let admin = postgres_server().expect("SHELFWISE_TEST_POSTGRES");
                let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
                let database = format!("shelfwise_{name}");
                for sql in [
                    format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
                    format!("CREATE DATABASE {database}"),
                ] {
                    client.batch_execute(&sql).unwrap();
                }
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
                Db::Postgres(format!("{base}/{database}"))
            }
        }
    }

    /// Starts a collector on `db` as it is.
    fn spawn(db: Db, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_shelfwise"))
            .env("SHELFWISE_ADMIN_TOKEN", ADMIN_TOKEN)
            .args(["serve", "--addr", "127.0.0.1:0", "--db"])
            .arg(match &db {
                Db::Sqlite(path) => path.display().to_string(),
                Db::Postgres(url) => url.clone(),
            })
            .args(extra)
            .stderr(Stdio::piped())
            .spawn()
            .expect("shelfwise serve starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let port = first
            .rsplit(':')
            .next()
            .and_then(|p| p.trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| panic!("no port in {first:?}"));
        let second = lines.next().unwrap().unwrap();
        let log = Arc::new(Mutex::new(format!("{first}\n{second}\n")));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        Server {
            child,
            port,
            db,
            log,
        }
    }

    /// Sends one request; the status and the raw response head.
    fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.port,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        // A server refusing a large body may close before reading it all.
        let _ = stream.write_all(body);
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response).into_owned();
        let status = text
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {text:?}"));
        (status, text)
    }

    /// The collector's own origin, as its pages send it.
    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// POSTs a batch as a page of the collector's own origin would.
    fn post(&self, body: &str) -> u16 {
        self.request(
            "POST",
            "/collect",
            &[
                ("Content-Type", "text/plain;charset=UTF-8"),
                ("Origin", &self.origin()),
            ],
            body.as_bytes(),
        )
        .0
    }

    /// POSTs `events` in batches of `size`, each stored (204).
    fn post_in_batches(&self, events: &[String], size: usize) {
        for chunk in events.chunks(size) {
            assert_eq!(self.post(&batch(chunk)), 204);
        }
    }

    fn report(&self) -> serde_json::Value {
        let bearer = format!("Bearer {ADMIN_TOKEN}");
        let (status, text) = self.request("GET", "/api/report", &[("Authorization", &bearer)], b"");
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap()).unwrap()
    }

    /// A number the database computes (`sql` yields one BIGINT).
    fn rows(&self, sql: &str) -> i64 {
        match &self.db {
            Db::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.query_row(sql, [], |r| r.get(0)).unwrap()
            }
            Db::Postgres(url) => {
                let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
                client.query_one(sql, &[]).unwrap().get(0)
            }
        }
    }

    /// Which of `ids` are not stored.
    fn missing(&self, ids: &[u64]) -> usize {
        let key = |id: u64| u128::from(id).to_be_bytes();
        let sql = "SELECT COUNT(*) FROM events WHERE id = $1";
        match &self.db {
            Db::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                let mut lookup = conn.prepare(sql).unwrap();
                ids.iter()
                    .filter(|&&id| {
                        lookup.query_row([key(id)], |r| r.get::<_, i64>(0)).unwrap() == 0
                    })
                    .count()
            }
            Db::Postgres(url) => {
                let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
                let lookup = client.prepare(sql).unwrap();
                ids.iter()
                    .filter(|&&id| {
                        let n: i64 = client
                            .query_one(&lookup, &[&key(id).as_slice()])
                            .unwrap()
                            .get(0);
                        n == 0
                    })
                    .count()
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn now_hour() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 3600
}

/// An event with a distinct id, of `kind` in `arm`, in visit `visit`.
fn event(n: u64, visit: u64, kind: &str, arm: &str) -> String {
    let extra = match kind {
        "order" => r#","value":60,"currency":"EUR""#.to_owned(),
        "click" => r#","widget":"similar","position":2"#.to_owned(),
        "exposure" => r#","widget":"similar""#.to_owned(),
        _ => String::new(),
    };
    format!(
        r#"{{"id":"{n:032x}","visit":"{visit:016x}","type":"{kind}","arm":"{arm}","page":"product"{extra},"hour":{}}}"#,
        now_hour()
    )
}

fn batch(events: &[String]) -> String {
    format!(r#"{{"v":1,"events":[{}]}}"#, events.join(","))
}

#[test]
fn malformed_bodies_are_refused_and_the_server_lives_on() {
    on_both(malformed);
}

fn malformed(store: Store) {
    let s = Server::start_on(store, "malformed", &[]);
    let good = event(1, 1, "page_view", "holdout");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let cases = [
        "not json".to_owned(),
        "[]".to_owned(),
        "\"a string\"".to_owned(),
        r#"{"v":1}"#.to_owned(),
        r#"{"v":2,"events":[]}"#.to_owned(),
        r#"{"v":1,"events":[{"id":1}]}"#.to_owned(),
        batch(&[good.replace("page_view", "purchase")]),
        batch(&[good.replace("holdout", "control")]),
        batch(&[good.replace(
            r#""page":"product""#,
            r#""page":"product","url":"https://x/"#,
        )]),
        batch(&[good.replace(r#""hour":"#, r#""item":"sku-1","hour":"#)]),
        batch(&[good.replace(&format!("{:032x}", 1), "ABCDEF")]),
        batch(&[good.replace(r#""hour":"#, r#""position":NaN,"hour":"#)]),
        batch(&[good.replace(r#""hour":"#, r#""position":-1,"hour":"#)]),
        batch(&[event(2, 1, "click", "holdout").replace(r#""position":2"#, r#""position":0"#)]),
        deep,
    ];
    for body in &cases {
        let status = s.post(body);
        assert_eq!(status, 400, "{}", &body[..body.len().min(120)]);
    }
    assert_eq!(s.rows("SELECT COUNT(*) FROM events"), 0);
    // Still serving, and a good batch goes in.
    assert_eq!(s.post(&batch(&[good])), 204);
    assert_eq!(s.rows("SELECT COUNT(*) FROM events"), 1);
}

#[test]
fn oversized_bodies_are_refused_while_reading() {
    let s = Server::start("oversized", &[]);
    let body = vec![b' '; 70 * 1024];
    let (status, _) = s.request("POST", "/collect", &[("Origin", &s.origin())], &body);
    assert_eq!(status, 413);
    // A body whose length is not announced is cut at the same cap.
    let mut stream = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "POST /collect HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nOrigin: {}\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n",
        s.port,
        s.origin()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let chunk = vec![b' '; 8192];
    for _ in 0..16 {
        if stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .is_err()
            || stream.write_all(&chunk).is_err()
            || stream.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
}

#[test]
fn duplicates_are_stored_once_sequential_and_concurrent() {
    on_both(duplicates);
}

fn duplicates(store: Store) {
    let s = Arc::new(Server::start_on(store, "duplicates", &[]));
    let body = batch(&[
        event(10, 7, "page_view", "personalized"),
        event(11, 7, "add_to_cart", "personalized"),
        event(12, 7, "order", "personalized"),
    ]);
    assert_eq!(s.post(&body), 204);
    assert_eq!(s.post(&body), 204);
    assert_eq!(s.rows("SELECT COUNT(*) FROM events"), 3);
    let other = batch(&[
        event(20, 8, "page_view", "holdout"),
        event(21, 8, "order", "holdout"),
    ]);
    let threads: Vec<_> = (0..50)
        .map(|_| {
            let s = Arc::clone(&s);
            let body = other.clone();
            std::thread::spawn(move || s.post(&body))
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 204);
    }
    assert_eq!(s.rows("SELECT COUNT(*) FROM events"), 5);
    let report = s.report();
    assert_eq!(report["arms"]["holdout"]["events"]["order"], 1);
    assert_eq!(report["arms"]["personalized"]["events"]["order"], 1);
}

#[test]
fn hours_are_clamped_to_the_last_week() {
    on_both(clamped);
}

fn clamped(store: Store) {
    let s = Server::start_on(store, "clamped", &[]);
    let now = now_hour();
    let future = event(30, 9, "page_view", "holdout").replace(
        &format!("\"hour\":{now}"),
        &format!("\"hour\":{}", now + 10_000),
    );
    let ancient =
        event(31, 9, "page_view", "holdout").replace(&format!("\"hour\":{now}"), "\"hour\":5");
    assert_eq!(s.post(&batch(&[future, ancient])), 204);
    let max = s.rows("SELECT CAST(MAX(hour) AS BIGINT) FROM events") as u64;
    let min = s.rows("SELECT CAST(MIN(hour) AS BIGINT) FROM events") as u64;
    assert!(max == now || max == now + 1, "{max} vs {now}");
    assert!(
        min + 7 * 24 >= now && min + 7 * 24 <= now + 1,
        "{min} vs {now}"
    );
}

#[test]
fn a_kill_right_after_acknowledgements_loses_nothing_acknowledged() {
    on_both(killed);
}

fn killed(store: Store) {
    let mut s = Server::start_on(store, "killed", &[]);
    let port = s.port;
    let acked = Arc::new(Mutex::new(Vec::new()));
    let senders: Vec<_> = (0..4u64)
        .map(|t| {
            let acked = Arc::clone(&acked);
            std::thread::spawn(move || {
                for i in 0..10_000u64 {
                    let id = t << 32 | i;
                    let body = batch(&[event(id, id, "page_view", "holdout")]);
                    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
                        return;
                    };
                    let head = format!(
                        "POST /collect HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if stream.write_all(head.as_bytes()).is_err() {
                        return;
                    }
                    let mut response = String::new();
                    let _ = stream.read_to_string(&mut response);
                    if response.starts_with("HTTP/1.1 204") {
                        acked.lock().unwrap().push(id);
                    } else {
                        return;
                    }
                }
            })
        })
        .collect();
    // Let acknowledgements flow, then SIGKILL mid-stream.
    while acked.lock().unwrap().len() < 300 {
        std::thread::sleep(Duration::from_millis(5));
    }
    s.child.kill().unwrap();
    s.child.wait().unwrap();
    for t in senders {
        t.join().unwrap();
    }
    let acked = acked.lock().unwrap();
    let missing = s.missing(&acked);
    assert_eq!(
        missing,
        0,
        "{missing} of {} acknowledged events lost",
        acked.len()
    );
}

#[test]
fn no_address_user_agent_or_cookie_is_kept_or_sent() {
    let s = Server::start("audit", &["--allow-origin", "https://shop.example"]);
    let agent = "Mozilla/5.0 (AuditAgent 4.2)";
    let headers = [
        ("User-Agent", agent),
        ("Origin", "https://shop.example"),
        ("X-Forwarded-For", "203.0.113.9"),
        ("Cookie", "session=abc"),
    ];
    let body = batch(&[event(40, 4, "page_view", "holdout")]);
    let (status, head) = s.request("POST", "/collect", &headers, body.as_bytes());
    assert_eq!(status, 204);
    assert!(
        head.contains("access-control-allow-origin: https://shop.example"),
        "{head}"
    );
    let (status, preflight) = s.request(
        "OPTIONS",
        "/collect",
        &[
            ("Origin", "https://shop.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    );
    assert_eq!(status, 204);
    let (status, _) = s.request(
        "POST",
        "/collect",
        &[("Origin", "https://evil.example")],
        body.as_bytes(),
    );
    assert_eq!(status, 403);
    for h in [&head, &preflight] {
        assert!(!h.to_ascii_lowercase().contains("set-cookie"), "{h}");
    }
    let mut stored = Vec::new();
    for suffix in ["", "-wal"] {
        let Db::Sqlite(path) = &s.db else {
            unreachable!("the audit reads the SQLite file")
        };
        if let Ok(bytes) = std::fs::read(format!("{}{suffix}", path.display())) {
            stored.extend(bytes);
        }
    }
    let log = s.log.lock().unwrap().clone();
    for needle in [
        "AuditAgent",
        "203.0.113.9",
        "127.0.0.1",
        "session=abc",
        "shop.example",
    ] {
        let in_db = stored.windows(needle.len()).any(|w| w == needle.as_bytes());
        assert!(!in_db, "{needle} is in the database");
    }
    for needle in ["AuditAgent", "203.0.113.9", "session=abc"] {
        assert!(!log.contains(needle), "{needle} is in the log:\n{log}");
    }
    // The log has the startup lines and nothing per request.
    assert_eq!(log.lines().count(), 2, "{log}");
}

#[test]
fn over_the_rate_the_answer_is_a_fast_429() {
    let s = Server::start("limited", &["--rate-limit", "5"]);
    let body = batch(&[event(50, 5, "page_view", "holdout")]);
    let answers: Vec<(u16, String)> = (0..20)
        .map(|_| {
            s.request(
                "POST",
                "/collect",
                &[("Origin", &s.origin())],
                body.as_bytes(),
            )
        })
        .collect();
    let statuses: Vec<u16> = answers.iter().map(|a| a.0).collect();
    assert!(
        statuses.iter().filter(|&&c| c == 204).count() >= 5,
        "{statuses:?}"
    );
    let (_, slow_down) = answers
        .iter()
        .find(|a| a.0 == 429)
        .unwrap_or_else(|| panic!("no 429 in {statuses:?}"));
    assert!(
        slow_down.to_ascii_lowercase().contains("retry-after: 1"),
        "{slow_down}"
    );
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(s.post(&body), 204, "recovers after a second");
}

#[test]
fn the_report_suppresses_small_cells_and_shows_lift_with_intervals() {
    on_both(report);
}

fn report(store: Store) {
    let s = Server::start_on(store, "report", &[]);
    let mut events = Vec::new();
    let mut n = 1000;
    // 40 visits per arm; personalized converts 20, holdout 8.
    for (arm, converting) in [("personalized", 20), ("holdout", 8)] {
        for v in 0..40u64 {
            let visit = n;
            for kind in ["page_view", "page_view", "exposure"] {
                n += 1;
                events.push(event(n, visit, kind, arm));
            }
            if v < converting {
                for kind in ["add_to_cart", "order"] {
                    n += 1;
                    events.push(event(n, visit, kind, arm));
                }
            }
        }
    }
    s.post_in_batches(&events, 100);
    let report = s.report();
    let p = &report["arms"]["personalized"];
    assert_eq!(p["visits"], 40);
    assert_eq!(p["orders"], 20);
    assert_eq!(p["conversion_rate"], 0.5);
    assert_eq!(p["aov"], 60.0);
    assert_eq!(p["revenue_per_visit"], 30.0);
    assert_eq!(p["bounce_rate"], 0.0);
    let lift = &report["lift"]["conversion_rate"];
    assert!((lift["difference"].as_f64().unwrap() - 0.3).abs() < 1e-9);
    assert!(
        lift["low"].as_f64().unwrap() > 0.0 && lift["high"].as_f64().unwrap() < 0.6,
        "{lift}"
    );
    assert_eq!(report["days"].as_array().unwrap().len(), 1);
    // A cell of fewer than ten visits shows its visit count only.
    let small = Server::start_on(store, "small", &[]);
    assert_eq!(small.post(&batch(&[event(1, 1, "order", "holdout")])), 204);
    let report = small.report();
    assert_eq!(report["arms"]["holdout"]["suppressed"], true);
    assert!(report["arms"]["holdout"]["conversion_rate"].is_null());
    assert!(report["lift"].is_null());
}

#[test]
fn the_report_says_how_the_personalized_arms_widgets_were_shown() {
    on_both(shown);
}

fn shown(store: Store) {
    // A database from before `shown`: the collector adds the column.
    let db = Server::fresh(store, "shown");
    let columns = "visit BIGINT NOT NULL, type TEXT NOT NULL, arm TEXT NOT NULL,
        page TEXT NOT NULL, widget TEXT, position INTEGER, value INTEGER, currency TEXT,
        hour INTEGER NOT NULL";
    match &db {
        Db::Sqlite(path) => {
            let conn = rusqlite::Connection::open(path).unwrap();
            let sql = format!("CREATE TABLE events (id BLOB PRIMARY KEY, {columns}) WITHOUT ROWID");
            conn.execute_batch(&sql).unwrap();
        }
        Db::Postgres(url) => {
            let mut client = postgres::Client::connect(url, postgres::NoTls).unwrap();
            let sql = format!("CREATE TABLE events (id BYTEA PRIMARY KEY, {columns})");
            client.batch_execute(&sql).unwrap();
        }
    }
    let s = Server::spawn(db, &[]);
    let exposure = |n: u64, visit: u64, arm: &str, shown: Option<&str>| {
        let event = event(n, visit, "exposure", arm);
        match shown {
            Some(shown) => event.replace(r#","hour""#, &format!(r#","shown":"{shown}","hour""#)),
            None => event,
        }
    };
    let mut events = Vec::new();
    // 20 personalized visits: 12 shown personalized, 3 timeouts, 2 without
    // history, 1 without consent, 2 from browsers that do not say.
    let personalized = [
        (12, Some("personalized")),
        (3, Some("timeout")),
        (2, Some("no-history")),
        (1, Some("consent")),
        (2, None),
    ];
    let mut visit = 0;
    for (count, shown) in personalized {
        for _ in 0..count {
            visit += 1;
            events.push(exposure(visit, visit, "personalized", shown));
        }
    }
    for _ in 0..15 {
        visit += 1;
        events.push(exposure(visit, visit, "holdout", None));
    }
    s.post_in_batches(&events, 50);
    // The holdout's exposures never say.
    let holdout = exposure(9_999, 9_999, "holdout", Some("timeout"));
    assert_eq!(s.post(&batch(&[holdout])), 400);

    let report = s.report();
    let expected = serde_json::json!({
        "personalized": 12, "timeout": 3, "no-model": 0, "no-history": 2,
        "consent": 1, "error": 0, "unreported": 2, "personalized_share": 12.0 / 18.0,
    });
    assert_eq!(report["shown"], expected);
    assert_eq!(report["days"][0]["shown"], expected);
    assert_eq!(
        s.rows("SELECT COUNT(*) FROM events WHERE shown IS NOT NULL"),
        18
    );
    // The later `variant` column was added too.
    assert_eq!(
        s.rows("SELECT COUNT(*) FROM events WHERE variant IS NULL"),
        35
    );

    // Fewer than ten visits in the arm: nothing about them.
    let small = Server::start_on(store, "shown_small", &[]);
    assert_eq!(
        small.post(&batch(&[exposure(1, 1, "personalized", Some("consent"))])),
        204
    );
    assert!(small.report()["shown"].is_null());
}

#[test]
fn the_report_gives_each_campaign_s_click_through_and_lift_per_arm() {
    on_both(campaigns);
}

fn campaigns(store: Store) {
    let s = Server::start_on(store, "campaigns", &[]);
    // Targeted content's exposure or click, of `variant`.
    let targeted = |n: u64, visit: u64, kind: &str, arm: &str, variant: &str| {
        let widget = if kind == "click" {
            r#""widget":"targeted","position":1"#
        } else {
            r#""widget":"targeted""#
        };
        format!(
            r#"{{"id":"{n:032x}","visit":"{visit:016x}","type":"{kind}","arm":"{arm}","page":"home",{widget},"variant":"{variant}","hour":{}}}"#,
            now_hour()
        )
    };
    let mut events = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    // The newsletter offer: 30 personalized visits saw it, 12 clicked it, 10
    // ordered; 25 holdout visits would have seen it, 5 ordered.
    for visit in 1..=30 {
        events.push(targeted(
            next(),
            visit,
            "exposure",
            "personalized",
            "newsletter",
        ));
        if visit <= 12 {
            events.push(targeted(
                next(),
                visit,
                "click",
                "personalized",
                "newsletter",
            ));
        }
        if visit <= 10 {
            events.push(event(next(), visit, "order", "personalized"));
        }
    }
    for visit in 101..=125 {
        events.push(targeted(next(), visit, "exposure", "holdout", "newsletter"));
        if visit <= 105 {
            events.push(event(next(), visit, "order", "holdout"));
        }
    }
    // A small campaign: suppressed.
    for visit in 201..=205 {
        events.push(targeted(
            next(),
            visit,
            "exposure",
            "personalized",
            "winter",
        ));
    }
    s.post_in_batches(&events, 40);
    // A variant on a widget, or not a token: refused.
    let on_widget = event(9_000, 9_000, "exposure", "personalized")
        .replace(r#","hour""#, r#","variant":"newsletter","hour""#);
    let free_text = targeted(9_001, 9_001, "exposure", "personalized", "Hello World");
    for body in [on_widget, free_text] {
        assert_eq!(s.post(&batch(&[body])), 400);
    }

    let report = s.report();
    let newsletter = &report["campaigns"]["newsletter"];
    let arm = |name: &str, metric: &str| newsletter["arms"][name][metric].as_f64().unwrap();
    assert_eq!(newsletter["arms"]["personalized"]["visits"], 30);
    assert_eq!(newsletter["arms"]["holdout"]["visits"], 25);
    assert!((arm("personalized", "widget_ctr") - 12.0 / 30.0).abs() < 1e-9);
    assert!((arm("personalized", "conversion_rate") - 10.0 / 30.0).abs() < 1e-9);
    assert!((arm("holdout", "conversion_rate") - 5.0 / 25.0).abs() < 1e-9);
    assert_eq!(arm("holdout", "widget_ctr"), 0.0, "hidden in the holdout");
    let lift = newsletter["lift"]["conversion_rate"]["difference"]
        .as_f64()
        .unwrap();
    assert!((lift - (10.0 / 30.0 - 5.0 / 25.0)).abs() < 1e-9);
    let winter = &report["campaigns"]["winter"];
    assert_eq!(winter["arms"]["personalized"]["suppressed"], true);
    assert!(winter["arms"]["personalized"]["conversion_rate"].is_null());
    assert!(winter["lift"].is_null());
}

#[test]
fn beacons_without_an_origin_are_refused_unless_allowed_and_counted() {
    let s = Server::start("no-origin", &[]);
    let body = batch(&[event(60, 6, "page_view", "holdout")]);
    let (status, _) = s.request("POST", "/collect", &[], body.as_bytes());
    assert_eq!(status, 403);
    assert_eq!(s.rows("SELECT COUNT(*) FROM events"), 0);
    // The refusal reaches the report with the next batch committed.
    assert_eq!(s.post(&body), 204);
    assert_eq!(s.report()["anomalies"]["refused"]["no_origin"], 1);

    let forwarder = Server::start("forwarder", &["--allow-no-origin"]);
    let (status, _) = forwarder.request("POST", "/collect", &[], body.as_bytes());
    assert_eq!(status, 204);
}

#[test]
fn the_report_needs_the_admin_token() {
    let s = Server::start("token", &[]);
    let get = |headers: &[(&str, &str)]| s.request("GET", "/api/report", headers, b"");
    let (none, head) = get(&[]);
    assert_eq!(none, 401);
    assert!(
        head.to_ascii_lowercase()
            .contains("www-authenticate: bearer"),
        "{head}"
    );
    assert_eq!(
        get(&[("Authorization", "Bearer collector-test-token-7c1f")]).0,
        401
    );
    assert_eq!(get(&[("Authorization", ADMIN_TOKEN)]).0, 401);
    let bearer = format!("Bearer {ADMIN_TOKEN}");
    let (ok, head) = get(&[("Authorization", &bearer)]);
    assert_eq!(ok, 200);
    let head = head.to_ascii_lowercase();
    for header in [
        "content-security-policy: default-src 'self'",
        "x-content-type-options: nosniff",
        "referrer-policy: no-referrer",
        "cache-control: no-store",
    ] {
        assert!(head.contains(header), "{header} missing in {head}");
    }
    assert!(
        !s.log.lock().unwrap().contains(ADMIN_TOKEN),
        "the token is never logged"
    );
}

#[test]
fn serving_beyond_loopback_needs_a_token() {
    let dir = std::env::temp_dir().join(format!("shelfwise-open-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |token: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_shelfwise"));
        command
            .env_remove("SHELFWISE_ADMIN_TOKEN")
            .args(["serve", "--addr", "0.0.0.0:0", "--db"])
            .arg(dir.join("open.db"))
            .stderr(Stdio::piped());
        if let Some(token) = token {
            command.env("SHELFWISE_ADMIN_TOKEN", token);
        }
        command.spawn().unwrap()
    };
    let refused = run(None).wait_with_output().unwrap();
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("without an admin token"), "{message}");
    let short = run(Some("short")).wait_with_output().unwrap();
    assert!(
        !short.status.success(),
        "a token under 16 characters is refused"
    );
    // With a token it starts (and is stopped here).
    let mut child = run(Some(ADMIN_TOKEN));
    let mut first = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("listening on http://0.0.0.0:"), "{first}");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Reads one HTTP/1.1 response (head, then a `Content-Length` body) from a
/// kept-alive connection; the status and the head.
fn read_response(reader: &mut BufReader<TcpStream>) -> (u16, String) {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "closed after {head:?}"
        );
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let length = head
        .to_ascii_lowercase()
        .lines()
        .find_map(|l| l.strip_prefix("content-length: ")?.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (head[9..12].parse().unwrap(), head)
}

#[test]
fn a_refused_body_leaves_a_kept_alive_connection_usable() {
    let s = Server::start("keep-alive", &[]);
    let stream = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut send = |body: &[u8]| {
        let head = format!(
            "POST /collect HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nOrigin: {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
            s.port,
            s.origin(),
            body.len()
        );
        writer.write_all(head.as_bytes()).unwrap();
        writer.write_all(body).unwrap();
    };
    send(&vec![b' '; 200 * 1024]);
    let (status, head) = read_response(&mut reader);
    assert_eq!(status, 413, "{head}");
    assert!(
        !head.to_ascii_lowercase().contains("connection: close"),
        "{head}"
    );
    send(batch(&[event(70, 7, "page_view", "holdout")]).as_bytes());
    assert_eq!(
        read_response(&mut reader).0,
        204,
        "the same connection goes on"
    );
    assert_eq!(s.rows("SELECT COUNT(*) FROM events"), 1);
}

#[test]
fn implausible_orders_and_visits_stay_out_of_the_figures_and_are_counted() {
    on_both(implausible);
}

fn implausible(store: Store) {
    let s = Server::start_on(
        store,
        "implausible",
        &["--max-order-value", "500", "--max-batch-events", "50"],
    );
    let mut events = Vec::new();
    let mut n = 5000;
    // 20 ordinary visits per arm, one order of 60 each.
    for arm in ["personalized", "holdout"] {
        for v in 0..20 {
            let visit = if arm == "holdout" { 100 + v } else { v };
            for kind in ["page_view", "order"] {
                n += 1;
                events.push(event(n, visit, kind, arm));
            }
        }
    }
    s.post_in_batches(&events, 50);
    let honest = s.report();
    // A batch over the bound is refused whole.
    let big: Vec<String> = (0..51)
        .map(|i| event(8000 + i, 400 + i, "page_view", "holdout"))
        .collect();
    assert_eq!(s.post(&batch(&big)), 400);
    // Forged: an order of 10,000,000 (over the bound: dropped) and a visit
    // of six orders of 60 (each plausible, together not).
    let huge = event(9000, 500, "order", "holdout").replace(r#""value":60"#, r#""value":10000000"#);
    let six: Vec<String> = (0..6)
        .map(|i| event(9100 + i, 501, "order", "holdout"))
        .collect();
    assert_eq!(s.post(&batch(&[huge])), 204);
    assert_eq!(s.post(&batch(&six)), 204);
    let report = s.report();
    for field in ["visits", "orders", "revenue", "conversion_rate"] {
        assert_eq!(
            report["arms"]["holdout"][field], honest["arms"]["holdout"][field],
            "{field}"
        );
    }
    let anomalies = &report["anomalies"];
    assert_eq!(anomalies["refused"]["order_value"], 1, "{anomalies}");
    assert_eq!(anomalies["refused"]["batch_events"], 1, "{anomalies}");
    assert_eq!(anomalies["excluded_visits"]["orders"], 1, "{anomalies}");
    assert_eq!(s.rows("SELECT COUNT(*) FROM events WHERE value > 500"), 0);
}

#[test]
fn retention_deletes_old_events_and_keeps_new_ones() {
    let s = Server::start("retention", &[]);
    let now = now_hour();
    let old = event(80, 8, "page_view", "holdout").replace(
        &format!("\"hour\":{now}"),
        &format!("\"hour\":{}", now - 72),
    );
    let new = event(81, 9, "page_view", "holdout");
    assert_eq!(s.post(&batch(&[old, new])), 204);
    assert!(s.report()["period"]["first_day"].is_string());
    let Db::Sqlite(path) = &s.db else {
        unreachable!("SQLite")
    };
    // The same database under a collector keeping one day.
    let mut kept = Command::new(env!("CARGO_BIN_EXE_shelfwise"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--retention-days",
            "1",
            "--db",
        ])
        .arg(path)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut left = s.rows("SELECT COUNT(*) FROM events");
    for _ in 0..100 {
        if left == 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        left = s.rows("SELECT COUNT(*) FROM events");
    }
    kept.kill().unwrap();
    kept.wait().unwrap();
    assert_eq!(left, 1, "the old event is deleted at start");
    assert_eq!(
        s.rows("SELECT COUNT(*) FROM events WHERE id = x'00000000000000000000000000000051'"),
        1,
        "the new one stays"
    );
}

#[test]
fn over_tls_a_beacon_goes_in_and_the_report_comes_out() {
    let certified =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).expect("a certificate");
    let dir = std::env::temp_dir().join(format!("shelfwise-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
    let s = Server::start(
        "tls",
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(s.log.lock().unwrap().contains("listening on https://"));
    let mut roots = rustls::RootCertStore::empty();
    roots.add(certified.cert.der().clone()).unwrap();
    let config = Arc::new(
        rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth(),
    );
    // One request over a verified TLS connection; the raw response.
    let https = |head: String, body: &str| {
        let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
        let mut tls = rustls::ClientConnection::new(Arc::clone(&config), name).unwrap();
        let mut socket = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut stream = rustls::Stream::new(&mut tls, &mut socket);
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body.as_bytes()).unwrap();
        let mut response = Vec::new();
        // The server may close without close_notify after `Connection: close`.
        let _ = stream.read_to_end(&mut response);
        String::from_utf8_lossy(&response).into_owned()
    };
    let body = batch(&[event(90, 9, "page_view", "holdout")]);
    let post = format!(
        "POST /collect HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: https://127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len(),
        port = s.port
    );
    let answer = https(post, &body);
    assert!(answer.starts_with("HTTP/1.1 204"), "{answer}");
    let get = format!(
        "GET /api/report HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\nConnection: close\r\n\r\n",
        s.port
    );
    let answer = https(get, "");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""page_view":1"#), "{answer}");
    // Plain HTTP gets no HTTP answer from the TLS port.
    let (status, _) = std::panic::catch_unwind(|| s.request("GET", "/api/report", &[], b""))
        .unwrap_or((0, String::new()));
    assert_eq!(status, 0, "no plain HTTP on the TLS port");
}

#[test]
fn postgres_over_tls_verified() {
    let (Some(admin), Some(tls)) = (
        postgres_server(),
        std::env::var("SHELFWISE_TEST_POSTGRES_TLS")
            .ok()
            .filter(|u| !u.is_empty()),
    ) else {
        eprintln!("PostgreSQL TLS run skipped: SHELFWISE_TEST_POSTGRES_TLS is not set");
        return;
    };
    let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
    for sql in [
        "DROP DATABASE IF EXISTS shelfwise_tls WITH (FORCE)",
        "CREATE DATABASE shelfwise_tls",
    ] {
        client.batch_execute(sql).unwrap();
    }
    // postgres://tls@HOST/postgres?sslmode=require&sslrootcert=CA → the new database.
    let (base, query) = tls.split_once('?').unwrap();
    let base = base.rsplit_once('/').unwrap().0;
    let url = format!("{base}/shelfwise_tls?{query}");
    // The server admits the `tls` role over TLS only: a plain connection fails.
    let plain = format!("{base}/shelfwise_tls");
    assert!(postgres::Client::connect(&plain, postgres::NoTls).is_err());
    let s = Server::spawn(Db::Postgres(url.clone()), &[]);
    assert_eq!(s.post(&batch(&[event(95, 9, "page_view", "holdout")])), 204);
    assert_eq!(s.report()["arms"]["holdout"]["events"]["page_view"], 1);
    drop(s);
    // Verified: against a CA that did not sign the server's certificate, refused.
    let other = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let ca = std::env::temp_dir().join(format!("shelfwise-other-ca-{}.pem", std::process::id()));
    std::fs::write(&ca, other.cert.pem()).unwrap();
    let (before, _) = url.split_once("sslrootcert=").unwrap();
    let wrong = format!("{before}sslrootcert={}", ca.display());
    let refused = Command::new(env!("CARGO_BIN_EXE_shelfwise"))
        .args(["report", "--db", &wrong])
        .output()
        .unwrap();
    assert!(!refused.status.success());
}

#[test]
fn forged_large_orders_within_the_bounds_cannot_decide_the_robust_revenue() {
    let s = Server::start("forged", &[]);
    // 5,000 visits per arm alike: a page view each, and one in ten an order
    // of a log-normal value (median 60, σ 0.5), from a seeded generator.
    let mut state = 0x5eed_u64;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let order = |n: u64, visit: u64, arm: &str, value: u64| {
        event(n, visit, "order", arm).replace(r#""value":60"#, &format!(r#""value":{value}"#))
    };
    let mut events = Vec::new();
    let mut n = 100_000;
    for (a, arm) in ["personalized", "holdout"].into_iter().enumerate() {
        for v in 0..5_000u64 {
            let visit = (a as u64) << 32 | v;
            n += 1;
            events.push(event(n, visit, "page_view", arm));
            if uniform() < 0.1 {
                let z = (-2.0 * uniform().ln()).sqrt() * (std::f64::consts::TAU * uniform()).cos();
                n += 1;
                events.push(order(
                    n,
                    visit,
                    arm,
                    (60.0 * (0.5 * z).exp()).round() as u64,
                ));
            }
        }
    }
    s.post_in_batches(&events, 200);
    let honest = s.report();
    // 100 forged orders of 9,000 — under the default bound of 10,000 — each
    // in a visit of its own with a page view, into the holdout.
    let mut forged = Vec::new();
    for i in 0..100u64 {
        let visit = 9 << 40 | i;
        n += 1;
        forged.push(event(n, visit, "page_view", "holdout"));
        n += 1;
        forged.push(order(n, visit, "holdout", 9_000));
    }
    s.post_in_batches(&forged, 200);
    let attacked = s.report();
    let lift = |report: &serde_json::Value, metric: &str| {
        let l = &report["lift"][metric];
        let (low, high) = (l["low"].as_f64().unwrap(), l["high"].as_f64().unwrap());
        (l["difference"].as_f64().unwrap(), high - low)
    };
    let (before, width) = lift(&honest, "revenue_per_visit_robust");
    let (after, _) = lift(&attacked, "revenue_per_visit_robust");
    assert!(
        (after - before).abs() < width / 2.0,
        "robust lift {before:.3} → {after:.3}, interval width {width:.3}"
    );
    let (raw_before, raw_width) = lift(&honest, "revenue_per_visit");
    let (raw_after, _) = lift(&attacked, "revenue_per_visit");
    assert!(
        (raw_after - raw_before).abs() > raw_width,
        "the raw lift shows the attack: {raw_before:.2} → {raw_after:.2} (width {raw_width:.2})"
    );
    // The anomaly count shows it: every forged visit lies beyond the fence.
    let fence = attacked["anomalies"]["beyond_fence"]["fence"]
        .as_f64()
        .unwrap();
    let beyond = &attacked["anomalies"]["beyond_fence"]["visits"];
    assert!(
        fence < 9_000.0 && beyond["holdout"].as_u64().unwrap() >= 100,
        "{fence} {beyond}"
    );
    eprintln!(
        "robust lift {before:.3} → {after:.3} (width {width:.3}); raw {raw_before:.2} → {raw_after:.2} (width {raw_width:.2}); beyond the fence {beyond}"
    );
}
