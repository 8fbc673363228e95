//! `shelfwise-sim`: the simulated world's shoppers.
//!
//! ```text
//! shelfwise-sim native --model FILE [--shoppers N] [--seed S] [--threads T]
//! shelfwise-sim drive [--seed S] [--days D]
//! shelfwise-sim beacons --model FILE --post URL [--shoppers N] [--seed S] [--holdout X]
//! ```
//!
//! `native` runs the paired native experiment on the demo store with the
//! model in FILE and prints its JSON object on one line
//! (`../shared/DESIGN.md`, "Native simulation").
//!
//! `beacons` has N shoppers (each in one arm, the holdout X of the time)
//! shop natively over the last week and POSTs their beacons to the
//! collector at URL (`http://HOST:PORT/collect`, as a page of that origin
//! would), 256 events a batch; it prints how many it sent.
//!
//! `drive` is the mind of the browser simulator (`sim/simulate.mjs`): it
//! reads `{"shopper":N}` lines and, for each, plays shopper N of the world
//! against a store it cannot see, one JSON line per action on stdout, each
//! answered by one line on stdin:
//!
//! | asks | answer |
//! |---|---|
//! | `{"visit":OFFSET_MS}` — a visit starts (negative: in the past) | `{}` |
//! | `{"open":"/PATH"}` — open a page | `{"shown":[[WIDGET,"ID"],…]}` |
//! | `{"click":[WIDGET,"ID"]}` — click an item, which opens its page | `{"shown":…}` |
//! | `{"add":true}` — put the open product in the cart | `{"added":BOOL}` |
//! | `{"checkout":true}` — order the cart | `{}` |
//!
//! and ends each shopper with `{"done":ORDERS}`.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Instant;

use serde_json::{Value, json};
use shelfwise_core::model::Source;
use shelfwise_sim::native;
use shelfwise_sim::store::{CATEGORIES, Store};
use shelfwise_sim::world::{Destination, Shopper, Storefront};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("shelfwise-sim: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let number = |name: &str, default: u64| {
        value(name).map_or(Ok(default), |v| {
            v.parse::<u64>()
                .map_err(|_| format!("{name} takes a number, not {v:?}"))
        })
    };
    match args.first().map(String::as_str) {
        Some("native") => {
            let model = model(value("--model").ok_or("native needs --model FILE")?)?;
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            let threads = number("--threads", threads as u64)? as usize;
            let (shoppers, seed) = (number("--shoppers", 10_000)?, number("--seed", 1)?);
            let started = Instant::now();
            let result = native::experiment(&Store::demo(), &model, shoppers, seed, threads);
            let mut json = result.to_json();
            json["seconds"] = serde_json::json!(started.elapsed().as_secs_f64());
            println!("{json}");
            Ok(())
        }
        Some("beacons") => {
            let model = model(value("--model").ok_or("beacons needs --model FILE")?)?;
            let url = value("--post").ok_or("beacons needs --post URL")?;
            let holdout = value("--holdout").map_or(Ok(0.5), |v| {
                v.parse::<f64>()
                    .map_err(|_| format!("--holdout takes a share, not {v:?}"))
            })?;
            let now_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_err(|e| e.to_string())?
                .as_millis() as u64;
            let (shoppers, seed) = (number("--shoppers", 4000)?, number("--seed", 1)?);
            let events = native::beacons(&Store::demo(), &model, shoppers, seed, holdout, now_ms);
            let lines: Vec<&str> = events.lines().collect();
            for batch in lines.chunks(256) {
                let body = format!("{{\"v\":1,\"events\":[{}]}}", batch.join(","));
                let status = post(url, &body)?;
                if status != 204 {
                    return Err(format!("{url} answered {status}"));
                }
            }
            println!("{} events of {shoppers} shoppers sent to {url}", lines.len());
            Ok(())
        }
        Some("drive") => {
            let (seed, days) = (number("--seed", 1)?, number("--days", 7)?);
            drive(seed, days as u32)
        }
        _ => Err(
            "usage: shelfwise-sim native --model FILE [--shoppers N] [--seed S] [--threads T] | beacons --model FILE --post URL [--shoppers N] [--seed S] [--holdout X] | drive [--seed S] [--days D]"
                .into(),
        ),
    }
}

/// The model file at `path`, decoded.
fn model(path: &str) -> Result<Source, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("reading {path}: {e}"))?;
    Source::decode(bytes).map_err(|e| format!("{path}: {}", e.as_str()))
}

/// POSTs `body` to `url` (`http://HOST:PORT/PATH`) with the origin of the
/// URL, as a page of the store would; the response's status.
fn post(url: &str, body: &str) -> Result<u16, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url}: only http:// URLs"))?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream =
        std::net::TcpStream::connect(host).map_err(|e| format!("connecting to {host}: {e}"))?;
    write!(
        stream,
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(|e| format!("sending to {url}: {e}"))?;
    let mut status = String::new();
    std::io::BufReader::new(stream)
        .read_line(&mut status)
        .map_err(|e| format!("reading {url}'s answer: {e}"))?;
    status
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("{url} answered {status:?}"))
}

/// Plays the shoppers stdin names against the store at the other end.
fn drive(seed: u64, days: u32) -> Result<(), String> {
    let store = Store::demo();
    let mut remote = Remote {
        store: &store,
        input: std::io::stdin().lock(),
    };
    while let Some(line) = remote.read()? {
        let n = line["shopper"]
            .as_u64()
            .ok_or_else(|| format!("expected {{\"shopper\":N}}, read {line}"))?;
        let orders = Shopper::new(seed, n, days).shop(&store, &mut remote);
        remote.say(&json!({ "done": orders }));
    }
    Ok(())
}

/// The store at the other end of stdin and stdout.
struct Remote<'a, R> {
    store: &'a Store,
    input: R,
}

impl<R: BufRead> Remote<'_, R> {
    /// The next line, `None` at the end of input.
    fn read(&mut self) -> Result<Option<Value>, String> {
        let mut line = String::new();
        match self.input.read_line(&mut line) {
            Ok(0) => Ok(None),
            Ok(_) => serde_json::from_str(&line)
                .map(Some)
                .map_err(|e| format!("reading {line:?}: {e}")),
            Err(e) => Err(e.to_string()),
        }
    }

    fn say(&self, message: &Value) {
        let mut out = std::io::stdout().lock();
        // The other end gone, the next read ends the run.
        let _ = writeln!(out, "{message}").and_then(|()| out.flush());
    }

    /// Says `message` and returns the answer (`null` once the other end
    /// is gone: the shopper then meets empty pages and leaves).
    fn ask(&mut self, message: &Value) -> Value {
        self.say(message);
        self.read().ok().flatten().unwrap_or(Value::Null)
    }

    /// The products a page's answer says it shows; ids the store does not
    /// sell are left out.
    fn shown(&mut self, message: &Value) -> Vec<(usize, usize)> {
        let answer = self.ask(message);
        let Some(shown) = answer["shown"].as_array() else {
            return Vec::new();
        };
        shown
            .iter()
            .filter_map(|pair| {
                let widget = pair[0].as_u64()? as usize;
                Some((widget, self.store.find(pair[1].as_str()?)?))
            })
            .collect()
    }
}

impl<R: BufRead> Storefront for Remote<'_, R> {
    fn begin_visit(&mut self, offset_ms: i64) {
        self.ask(&json!({ "visit": offset_ms }));
    }

    fn open(&mut self, to: Destination) -> Vec<(usize, usize)> {
        let path = match to {
            Destination::Home => "/".to_owned(),
            Destination::Category(c) => {
                format!("/category/{}.html", CATEGORIES[c].0.to_ascii_lowercase())
            }
        };
        self.shown(&json!({ "open": path }))
    }

    fn click(&mut self, widget: usize, item: usize) -> Vec<(usize, usize)> {
        let id = &self.store.products[item].id;
        self.shown(&json!({ "click": [widget, id] }))
    }

    fn add_to_cart(&mut self) -> bool {
        self.ask(&json!({ "add": true }))["added"] == true
    }

    fn checkout(&mut self) {
        self.ask(&json!({ "checkout": true }));
    }
}
