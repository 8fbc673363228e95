//! The `shelfwise` command: builds, inspects and serves Shelfwise models.

#[cfg(feature = "collector")]
mod collector;
mod progress;

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead as _, BufReader, Read as _, Seek as _, SeekFrom, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context as _, bail};
use lexopt::prelude::*;
use shelfwise_core::model::sharded::Sharded;
use shelfwise_core::model::{ItemMeta, Lookup as _, Model, ModelBuilder};
use shelfwise_model::{baseline, build, cores, eval, events, log, shards, table};

// mimalloc: glibc's malloc and free took 5 % of a million-item build's CPU
// time (docs/benchmarks.md); its feature `no_thp` is in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "\
shelfwise — build, inspect and serve Shelfwise personalization models

USAGE:
    shelfwise --version | --help | COMMAND --help
    shelfwise build --events FILE (--out MODEL | --out-dir DIR) [OPTIONS]
    shelfwise build --pairs FILE (--out MODEL | --out-dir DIR) [--revisit-share X]
                    [--catalog FILE]
    shelfwise learn --events FILE [--json | --sql] [OPTIONS]
    shelfwise inspect MODEL [--json] [--item ID]
    shelfwise eval --train SESSIONS --test CASES [--k 20] [--json] [--neighbors K]
                   [--baseline pop|last-item] [--sharded [--items-per-part N]]
    shelfwise eval --model MODEL --test CASES [--k 20] [--json]
                   (a model built before: a file, or DIR/manifest.swm)
    shelfwise serve [--db FILE] [--static DIR] [--addr 127.0.0.1:8080]
                    [--allow-origin ORIGIN]... [--rate-limit N] [--dashboard DIR]
                    [--durable] [--admin-token-file FILE] [--allow-no-origin]
                    [--max-order-value N] [--max-batch-events N] [--max-orders-per-visit N]
                    [--max-events-per-visit N] [--retention-days N]
                    [--tls-cert PEM --tls-key PEM] [--notice TEXT]
    shelfwise report --db FILE [--json] [--max-orders-per-visit N]
                     [--max-events-per-visit N]

SERVE OPTIONS:
    --db FILE|URL       the collector's database: a SQLite file (created if
                        missing) or postgres://user:pass@host/db;
                        POST /collect, GET /api/report, /dashboard/
    --static DIR        also serve a static directory at / (the demo store)
    --allow-origin O    an origin whose pages may send beacons (repeatable;
                        \"*\" for any); the collector's own origin always may
    --rate-limit N      beacon requests per second per origin (default 6000)
    --dashboard DIR     the built dashboard (default dist/dashboard)
    --durable           fsync every commit (synchronous=FULL)
    --admin-token-file F  the admin token (else SHELFWISE_ADMIN_TOKEN): /api/…
                        answers 401 without Authorization: Bearer TOKEN;
                        required to listen beyond loopback
    --allow-no-origin   accept beacons without an Origin header (a server
                        forwarding them); refused with 403 otherwise
    --max-order-value N orders claiming more are refused (default 10000)
    --max-batch-events N
                        batches of more events are refused (default 256)
    --max-orders-per-visit N, --max-events-per-visit N
                        visits beyond are left out of the report and counted
                        in its anomalies (defaults 5 and 1000; report too)
    --retention-days N  delete events older than N days, at start and hourly
    --tls-cert F, --tls-key F
                        serve HTTPS with this PEM certificate chain and key
    --notice TEXT       a line the report and its dashboard show above the
                        figures (e.g. that they come from simulated shoppers)

BUILD OPTIONS:
    --events FILE       interaction log: CSV/TSV with a header, JSON lines
                        (Segment track calls, GA4 export rows) or sessions text
    --out MODEL         write the model as one file
    --out-dir DIR       write a sharded model: DIR/manifest.swm and the
                        content-named parts it references (docs/model-format.md)
    --items-per-part N  items per part of a sharded model (default 16)
    --previous MODEL    the last build (a file or DIR/manifest.swm): weights
                        that moved little (by less than 24 %, or than a tenth
                        of their list's strongest) keep their codes, and
                        lists their neighbours unless a newcomer outweighs
                        one by 24 %, so that most parts stay byte-identical
                        and cached
    --pairs FILE        a pair table computed elsewhere (sql/cooccurrence.sql):
                        item_id, item_count, neighbor_id, weight
    --format FORMAT     csv | jsonl | sessions (default: detected)
    --catalog FILE      CSV of item metadata: item id, category, out_of_stock,
                        sensitive (columns found by name)
    --neighbors K       neighbours kept per item (default 32)
    --window N          co-occurrence window in positions (default 8)
    --strict            fail on the first malformed row instead of skipping it
    --json              also print a summary as one JSON line on stdout,
                        with each phase's seconds

PARAMETERS (learned from the events unless one is given; the others then
take their defaults):
    --distance-exponent G    pairs weigh 1 / distance^G (default 1)
    --backward-weight L      an item seen before weighs L (default 1)
    --popularity-exponent B  weights are divided by n(neighbour)^B (default 0.5)
    --revisit-share S        weight of the shopper's own items (default: ranking's)
";

/// The help of one command: its `USAGE` entries and the option sections it
/// takes, cut from [`USAGE`] so that there is one text to keep true.
pub(crate) fn help(command: &str) -> String {
    let sections: &[&str] = match command {
        "build" | "learn" => &["BUILD OPTIONS:", "PARAMETERS"],
        "serve" => &["SERVE OPTIONS:"],
        _ => &[],
    };
    let entry = format!("    shelfwise {command} ");
    let mut out = String::from("USAGE:\n");
    let mut in_entry = false;
    let mut in_section = false;
    for line in USAGE.lines() {
        if line.starts_with("    shelfwise ") {
            in_entry = line.starts_with(&entry);
        } else if !line.starts_with("     ") {
            in_entry = false;
        }
        if in_entry {
            out.push_str(line);
            out.push('\n');
        }
        if !line.starts_with(' ') {
            in_section = sections.iter().any(|s| line.starts_with(s));
            if in_section {
                out.push('\n');
            }
        }
        if in_section {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("shelfwise: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<()> {
    let mut parser = lexopt::Parser::from_env();
    let command = match parser.next()? {
        Some(Value(v)) => v.string()?,
        Some(Long("help") | Short('h')) | None => {
            print!("{USAGE}");
            return Ok(());
        }
        Some(Long("version") | Short('V')) => {
            println!("shelfwise {}", env!("CARGO_PKG_VERSION"));
            return Ok(());
        }
        Some(other) => bail!("{}\n\n{USAGE}", other.unexpected()),
    };
    match command.as_str() {
        "build" => cmd_build(&mut parser),
        "learn" => cmd_learn(&mut parser),
        "inspect" => cmd_inspect(&mut parser),
        "eval" => cmd_eval(&mut parser),
        #[cfg(feature = "collector")]
        "serve" => collector::cmd_serve(&mut parser),
        #[cfg(feature = "collector")]
        "report" => collector::cmd_report(&mut parser),
        #[cfg(not(feature = "collector"))]
        "serve" | "report" => {
            bail!("this shelfwise was built without the collector (the `collector` feature)")
        }
        "help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command {other:?}\n\n{USAGE}"),
    }
}

/// What `build` and `learn` read besides their own flags.
#[derive(Default)]
struct BuildArgs {
    events: Option<PathBuf>,
    format: Option<events::Format>,
    catalog: Option<PathBuf>,
    settings: build::Settings,
    strict: bool,
    json: bool,
    /// Parameters given on the command line instead of learned.
    fixed: Fixed,
}

/// `--distance-exponent` and friends: any of them turns learning off.
#[derive(Default)]
struct Fixed {
    distance_exponent: Option<f64>,
    backward_weight: Option<f64>,
    popularity_exponent: Option<f64>,
    revisit_share: Option<f32>,
}

impl Fixed {
    fn any(&self) -> bool {
        self.distance_exponent.is_some()
            || self.backward_weight.is_some()
            || self.popularity_exponent.is_some()
            || self.revisit_share.is_some()
    }

    /// The given values over the defaults.
    fn learned(&self) -> build::Learned {
        let d = build::Learned::default();
        build::Learned {
            distance_exponent: self.distance_exponent.unwrap_or(d.distance_exponent),
            backward_weight: self.backward_weight.unwrap_or(d.backward_weight),
            popularity_exponent: self.popularity_exponent.unwrap_or(d.popularity_exponent),
            revisit_share: self.revisit_share.or(d.revisit_share),
        }
    }
}

impl BuildArgs {
    /// Takes the long flag `name` if it is one of the shared flags.
    fn take(&mut self, name: &str, parser: &mut lexopt::Parser) -> anyhow::Result<bool> {
        match name {
            "events" => self.events = Some(PathBuf::from(parser.value()?)),
            "format" => self.format = Some(events::Format::from_name(&parser.value()?.string()?)?),
            "catalog" => self.catalog = Some(PathBuf::from(parser.value()?)),
            "neighbors" => self.settings.neighbors = parser.value()?.parse()?,
            "window" => self.settings.window = parser.value()?.parse()?,
            "strict" => self.strict = true,
            "json" => self.json = true,
            "distance-exponent" => self.fixed.distance_exponent = Some(parser.value()?.parse()?),
            "backward-weight" => self.fixed.backward_weight = Some(parser.value()?.parse()?),
            "popularity-exponent" => {
                self.fixed.popularity_exponent = Some(parser.value()?.parse()?)
            }
            "revisit-share" => self.fixed.revisit_share = Some(parser.value()?.parse()?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn catalog(&self) -> anyhow::Result<HashMap<String, ItemMeta>> {
        match &self.catalog {
            Some(path) => read_catalog(path),
            None => Ok(HashMap::new()),
        }
    }

    /// Reads the events and learns the parameters (or takes the given ones).
    fn read_and_learn(
        &self,
        catalog: &HashMap<String, ItemMeta>,
    ) -> anyhow::Result<(log::Log, events::ReadReport, build::Learned)> {
        let events = self.events.as_ref().context("--events FILE is required")?;
        let (log, report) =
            progress::timed("reading", || read_log(events, self.format, self.strict))?;
        for problem in &report.problems {
            eprintln!("shelfwise: skipped {problem}");
        }
        let learned = if self.fixed.any() {
            self.fixed.learned()
        } else {
            progress::phase("learning the parameters", || {
                build::learn(&log, catalog, self.settings)
            })
        };
        Ok((log, report, learned))
    }
}

fn cmd_build(parser: &mut lexopt::Parser) -> anyhow::Result<()> {
    let mut args = BuildArgs::default();
    let (mut out, mut out_dir, mut pairs, mut previous) = (None, None, None, None);
    let mut per_part = ITEMS_PER_PART;
    while let Some(arg) = parser.next()? {
        match arg {
            Long("help") | Short('h') => {
                print!("{}", help("build"));
                return Ok(());
            }
            Long("out") => out = Some(PathBuf::from(parser.value()?)),
            Long("out-dir") => out_dir = Some(PathBuf::from(parser.value()?)),
            Long("items-per-part") => per_part = parser.value()?.parse()?,
            Long("previous") => previous = Some(PathBuf::from(parser.value()?)),
            Long("pairs") => pairs = Some(PathBuf::from(parser.value()?)),
            Long(name) => {
                let name = name.to_owned();
                if !args.take(&name, parser)? {
                    bail!("invalid option '--{name}'");
                }
            }
            _ => bail!(arg.unexpected()),
        }
    }
    let out = match (out, out_dir) {
        (Some(file), None) => Output::File(file),
        (None, Some(dir)) => Output::Dir(dir, per_part),
        _ => bail!("one of --out MODEL and --out-dir DIR is required"),
    };
    let catalog = args.catalog()?;
    let started = Instant::now();
    if let Some(pairs) = pairs {
        let file = File::open(&pairs).with_context(|| format!("opening {}", pairs.display()))?;
        let mut builder = build::build_from_pairs(
            BufReader::new(file),
            &catalog,
            args.settings,
            args.fixed.revisit_share,
        )
        .with_context(|| format!("reading {}", pairs.display()))?;
        follow(&mut builder, previous.as_deref())?;
        let s = out.write(&builder)?;
        eprintln!(
            "shelfwise: {} items, {} neighbours, {} bytes from {} in {:.2?} -> {}",
            s.items,
            s.edges,
            s.bytes,
            pairs.display(),
            started.elapsed(),
            out
        );
        return Ok(());
    }
    let (log, report, learned) = args.read_and_learn(&catalog)?;
    let (mut settings, json) = (args.settings, args.json);
    if previous.is_some() {
        // As many candidates again, for the cut to keep last night's.
        settings.spare = settings.neighbors;
    }
    let mut builder = progress::phase("counting co-occurrences", || {
        build::build_model(&log, &catalog, settings, learned)
    });
    follow(&mut builder, previous.as_deref())?;
    let s = progress::phase("writing the model", || out.write(&builder))?;
    let secs = started.elapsed().as_secs_f64();
    let rate = report.rows as f64 / secs.max(1e-9);
    let peak = peak_memory_bytes();
    eprintln!(
        "shelfwise: {} rows ({} skipped), {} sessions -> {} items, {} neighbours, {} bytes -> {}",
        report.rows,
        report.skipped,
        log.session_count(),
        s.items,
        s.edges,
        s.bytes,
        out
    );
    eprintln!(
        "shelfwise: {secs:.2} s ({rate:.0} rows/s){}; learned distance exponent {}, backward weight {}, popularity exponent {}, revisit share {}",
        peak.map_or(String::new(), |p| format!(
            ", peak memory {:.0} MiB",
            p as f64 / 1048576.0
        )),
        learned.distance_exponent,
        learned.backward_weight,
        learned.popularity_exponent,
        learned
            .revisit_share
            .map_or("default".to_owned(), |v| v.to_string()),
    );
    if json {
        let v = serde_json::json!({
            "rows": report.rows, "skipped": report.skipped, "sessions": log.session_count(),
            "events": log.event_count(), "items": s.items, "edges": s.edges, "bytes": s.bytes,
            "secs": secs, "rows_per_sec": rate, "peak_memory_bytes": peak,
            "distance_exponent": learned.distance_exponent, "backward_weight": learned.backward_weight,
            "popularity_exponent": learned.popularity_exponent, "revisit_share": learned.revisit_share,
            "phases": progress::times()
                .into_iter()
                .map(|(what, secs)| (what.to_owned(), secs.into()))
                .collect::<serde_json::Map<_, _>>(),
        });
        println!("{v}");
    }
    Ok(())
}

/// Makes `builder` keep the codes of the previous build at `previous` (a
/// model file or a sharded model's manifest), if given.
fn follow(builder: &mut ModelBuilder, previous: Option<&std::path::Path>) -> anyhow::Result<()> {
    let Some(path) = previous else {
        return Ok(());
    };
    progress::phase("following the previous build", || {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        if Sharded::is_manifest(&bytes) {
            builder.follow(&shards::Shards::open_whole(path)?);
        } else {
            let model = Model::decode(bytes)
                .with_context(|| format!("{} is not a valid model", path.display()))?;
            builder.follow(&model);
        }
        Ok(())
    })
}

/// Items per part of a sharded model unless `--items-per-part` says.
const ITEMS_PER_PART: usize = 16;

/// Where `shelfwise build` writes the model.
enum Output {
    /// One file.
    File(PathBuf),
    /// A sharded model in a directory, about this many items per part.
    Dir(PathBuf, usize),
}

/// What was written: counts over the whole model, bytes over every file.
struct Written {
    items: u32,
    edges: u32,
    bytes: usize,
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Output::File(path) => write!(f, "{}", path.display()),
            Output::Dir(dir, _) => write!(f, "{}", dir.join(MANIFEST).display()),
        }
    }
}

/// The sharded model's entry file in its directory.
const MANIFEST: &str = "manifest.swm";

/// Writes the content-named file `name` in `dir`, unless it is there: a file
/// of that name holds these bytes.
fn save(dir: &std::path::Path, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let path = dir.join(name);
    if !path.exists() {
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

impl Output {
    /// Encodes and writes the model, and checks it by reading it back.
    fn write(&self, builder: &ModelBuilder) -> anyhow::Result<Written> {
        match self {
            Output::File(path) => {
                let bytes = builder.encode();
                std::fs::write(path, &bytes)
                    .with_context(|| format!("writing {}", path.display()))?;
                let s = Model::decode(&bytes[..])
                    .context("the model just built does not decode")?
                    .summary();
                Ok(Written {
                    items: s.items,
                    edges: s.edges,
                    bytes: s.bytes,
                })
            }
            Output::Dir(dir, per_part) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                // Each part written, saved and checked on whichever core is
                // free; checked in memory (a read-back from disk, hashing
                // and decoding every file again, took as long as the build
                // on a million items; `inspect` does that).
                let sharding = builder.sharding(*per_part, &cores::EveryCore);
                let numbers: Vec<usize> = (0..sharding.parts()).collect();
                let parts = cores::on_every_core(&numbers, |block| {
                    block
                        .iter()
                        .map(|&n| {
                            let Some(part) = sharding.part(n) else {
                                return Ok((None, 0, 0));
                            };
                            save(dir, &part.name, &part.bytes)?;
                            let s = Model::decode(&part.bytes[..])
                                .with_context(|| {
                                    format!("the part {} just built does not decode", part.name)
                                })?
                                .summary();
                            Ok((Some(part), s.items, s.edges))
                        })
                        .collect::<anyhow::Result<Vec<_>>>()
                });
                let mut written = Written {
                    items: 0,
                    edges: 0,
                    bytes: 0,
                };
                let mut kept = Vec::with_capacity(numbers.len());
                for block in parts {
                    for (part, items, edges) in block? {
                        written.items += items;
                        written.edges += edges;
                        kept.push(part);
                    }
                }
                let files = sharding.finish(kept);
                for (name, bytes) in &files.files {
                    if name.ends_with(".swi") {
                        save(dir, name, bytes)?;
                    }
                    written.bytes += bytes.len();
                }
                Sharded::decode(files.manifest.clone())
                    .context("the manifest just built does not decode")?;
                let manifest = dir.join(MANIFEST);
                std::fs::write(&manifest, &files.manifest)
                    .with_context(|| format!("writing {}", manifest.display()))?;
                written.bytes += files.manifest.len();
                Ok(written)
            }
        }
    }
}

fn cmd_learn(parser: &mut lexopt::Parser) -> anyhow::Result<()> {
    let mut args = BuildArgs::default();
    let mut sql = false;
    while let Some(arg) = parser.next()? {
        match arg {
            Long("help") | Short('h') => {
                print!("{}", help("learn"));
                return Ok(());
            }
            Long("sql") => sql = true,
            Long(name) => {
                let name = name.to_owned();
                if !args.take(&name, parser)? {
                    bail!("invalid option '--{name}'");
                }
            }
            _ => bail!(arg.unexpected()),
        }
    }
    let catalog = args.catalog()?;
    let (_, _, learned) = args.read_and_learn(&catalog)?;
    let share = learned
        .revisit_share
        .map_or("default".to_owned(), |v| v.to_string());
    if sql {
        // The parameter table sql/cooccurrence.sql reads (Spark SQL and DuckDB).
        // Numbers as strings: a decimal literal may pass through a DECIMAL
        // type on its way to DOUBLE and lose the last bit; a string is
        // parsed to the nearest double, which is the value printed.
        println!(
            "CREATE OR REPLACE TEMPORARY VIEW shelfwise_params AS SELECT {} AS window_size, \
             CAST('{:?}' AS DOUBLE) AS distance_exponent, CAST('{:?}' AS DOUBLE) AS backward_weight, \
             CAST('{:?}' AS DOUBLE) AS popularity_exponent, {} AS neighbors;",
            args.settings.window,
            learned.distance_exponent,
            learned.backward_weight,
            learned.popularity_exponent,
            args.settings.neighbors
        );
        println!("-- then: shelfwise build --pairs PAIRS.csv --out MODEL --revisit-share {share}");
    } else if args.json {
        let v = serde_json::json!({
            "distance_exponent": learned.distance_exponent, "backward_weight": learned.backward_weight,
            "popularity_exponent": learned.popularity_exponent, "revisit_share": learned.revisit_share,
            "window": args.settings.window, "neighbors": args.settings.neighbors,
        });
        println!("{v}");
    } else {
        println!(
            "--distance-exponent {} --backward-weight {} --popularity-exponent {} --revisit-share {share}",
            learned.distance_exponent, learned.backward_weight, learned.popularity_exponent
        );
    }
    Ok(())
}

/// The process's peak resident memory, where the system tells it (Linux).
fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Reads an interaction log with a progress bar on stderr. The sessions
/// format is read in parts, one per core (its lines stand alone); the others
/// group rows by key across the whole file, in one pass.
fn read_log(
    path: &PathBuf,
    format: Option<events::Format>,
    strict: bool,
) -> anyhow::Result<(log::Log, events::ReadReport)> {
    let open = || File::open(path).with_context(|| format!("opening {}", path.display()));
    let file = open()?;
    let len = file.metadata()?.len();
    let bar = progress::bar(len)?;
    let format = match format {
        Some(format) => Some(format),
        None => first_line(&file)?.map(|line| events::Format::detect(&line)),
    };
    if format == Some(events::Format::Sessions) {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let parts = line_parts(&file, len, cores)?
            .into_iter()
            .map(|range| {
                let mut file = open()?;
                file.seek(SeekFrom::Start(range.start))?;
                let part = bar.wrap(file.take(range.end - range.start));
                Ok(BufReader::with_capacity(READ_BUFFER, part))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        events::read_sessions(parts, strict)
    } else {
        events::read_log(
            BufReader::with_capacity(READ_BUFFER, bar.wrap(file)),
            format,
            strict,
        )
    }
    .with_context(|| format!("reading {}", path.display()))
}

/// The buffer of a log's reader.
const READ_BUFFER: usize = 1 << 20;

/// The first line of `file` that is not blank, if any.
fn first_line(mut file: &File) -> std::io::Result<Option<String>> {
    let mut lines = BufReader::new(&mut file).lines();
    let line = loop {
        match lines.next().transpose() {
            Ok(Some(line)) if line.trim().is_empty() => continue,
            Ok(line) => break line,
            // Not UTF-8: the reader says where.
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => break None,
            Err(e) => return Err(e),
        }
    };
    file.seek(SeekFrom::Start(0))?;
    Ok(line)
}

/// `file`, `len` bytes long, cut into `count` consecutive byte ranges (some
/// perhaps empty), each ending at the end of a line or of the file.
fn line_parts(
    mut file: &File,
    len: u64,
    count: usize,
) -> std::io::Result<Vec<std::ops::Range<u64>>> {
    let mut ends = Vec::with_capacity(count);
    let mut line = Vec::new();
    for i in 1..count as u64 {
        let at = (len * i / count as u64).max(ends.last().copied().unwrap_or(0));
        file.seek(SeekFrom::Start(at))?;
        line.clear();
        let rest = BufReader::new(&mut file).read_until(b'\n', &mut line)?;
        ends.push(at + rest as u64);
    }
    ends.push(len);
    file.seek(SeekFrom::Start(0))?;
    let mut start = 0;
    Ok(ends
        .into_iter()
        .map(|end| {
            let range = start..end;
            start = end;
            range
        })
        .collect())
}

/// Reads item metadata: a delimited file whose header names an item column
/// and any of category, out_of_stock, sensitive.
fn read_catalog(path: &PathBuf) -> anyhow::Result<HashMap<String, ItemMeta>> {
    let file = File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let (header, mut rows) =
        table::open(BufReader::new(file)).with_context(|| format!("reading {}", path.display()))?;
    let col = |wanted: &[&str]| header.find(wanted);
    let item = col(&["itemid", "item", "productid", "sku", "id"])
        .context("the catalog header names no item column")?;
    let (category, oos, sensitive) = (
        col(&["category", "categoryid"]),
        col(&["outofstock"]),
        col(&["sensitive"]),
    );
    let mut out = HashMap::new();
    while let Some((line, fields)) = rows.next_row()? {
        let field = |i: Option<usize>| -> anyhow::Result<&str> {
            let Some(i) = i else { return Ok("") };
            fields
                .get(i)
                .map_err(|why| anyhow::anyhow!("{} line {line}: {why}", path.display()))
        };
        let id = field(Some(item))?;
        if id.is_empty() {
            bail!("{} line {line}: missing item id", path.display());
        }
        let truthy = |v: &str| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes");
        out.insert(
            id.to_owned(),
            ItemMeta {
                category: Some(field(category)?)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned),
                out_of_stock: truthy(field(oos)?),
                sensitive: truthy(field(sensitive)?),
            },
        );
    }
    Ok(out)
}

fn cmd_inspect(parser: &mut lexopt::Parser) -> anyhow::Result<()> {
    let (mut path, mut json, mut item) = (None, false, None);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("help") | Short('h') => {
                print!("{}", help("inspect"));
                return Ok(());
            }
            Value(v) if path.is_none() => path = Some(PathBuf::from(v)),
            Long("json") => json = true,
            Long("item") => item = Some(parser.value()?.string()?),
            _ => bail!(arg.unexpected()),
        }
    }
    let path = path.context("a MODEL file is required")?;
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    if Sharded::is_manifest(&bytes) {
        return inspect_sharded(&path, json, item.as_deref());
    }
    let model = Model::decode(&bytes[..])
        .with_context(|| format!("{} is not a valid model", path.display()))?;
    let s = model.summary();
    let gzip = shards::gzip_len(&bytes)?;
    let per_item = |n: usize| {
        if s.items == 0 {
            0.0
        } else {
            n as f64 / f64::from(s.items)
        }
    };
    let mut out = std::io::stdout().lock();
    if json {
        let v = serde_json::json!({
            "version": s.version, "items": s.items, "edges": s.edges, "categories": s.categories,
            "metadata": s.has_metadata, "bytes": s.bytes, "gzip_bytes": gzip,
            "bytes_per_item": per_item(s.bytes), "gzip_bytes_per_item": per_item(gzip),
            "max_neighbors": s.max_neighbors, "checksum": format!("{:016x}", s.checksum),
        });
        writeln!(out, "{v}")?;
    } else {
        writeln!(
            out,
            "{}: valid Shelfwise model, format version {}",
            path.display(),
            s.version
        )?;
        writeln!(out, "  items        {}", s.items)?;
        writeln!(
            out,
            "  neighbours   {} (at most {} per item)",
            s.edges, s.max_neighbors
        )?;
        writeln!(
            out,
            "  categories   {}{}",
            s.categories,
            if s.has_metadata { "" } else { " (no metadata)" }
        )?;
        writeln!(
            out,
            "  size         {} bytes, {} gzip ({:.1} / {:.1} bytes per item)",
            s.bytes,
            gzip,
            per_item(s.bytes),
            per_item(gzip)
        )?;
        writeln!(out, "  checksum     {:016x}", s.checksum)?;
    }
    if let Some(id) = item {
        inspect_item(&model, &id, &mut out)?;
    }
    Ok(())
}

/// Validates a sharded model whole — every file present, matching its
/// digest and valid — and summarizes it.
fn inspect_sharded(path: &std::path::Path, json: bool, item: Option<&str>) -> anyhow::Result<()> {
    let shards = shards::Shards::open(path)?;
    let whole = shards.whole();
    let layout = whole.layout();
    let (manifest, manifest_gzip) = shards.manifest_len()?;
    let (files, raw, gzip) = shards.files_len();
    let summaries: Vec<_> = whole.parts().map(Model::summary).collect();
    let edges: u64 = summaries.iter().map(|s| u64::from(s.edges)).sum();
    let externals: u64 = summaries.iter().map(|s| u64::from(s.externals)).sum();
    let mut out = std::io::stdout().lock();
    if json {
        let v = serde_json::json!({
            "sharded": true, "items": layout.items, "edges": edges, "externals": externals,
            "parts": summaries.len(), "part_bits": layout.part_bits, "index_bits": layout.index_bits,
            "levels": layout.levels, "files": files, "bytes": raw, "gzip_bytes": gzip,
            "manifest_bytes": manifest, "manifest_gzip_bytes": manifest_gzip,
            "max_part_items": summaries.iter().map(|s| s.items).max(),
        });
        writeln!(out, "{v}")?;
    } else {
        writeln!(
            out,
            "{}: valid sharded Shelfwise model, every file present and matching its digest",
            path.display()
        )?;
        writeln!(out, "  items        {}", layout.items)?;
        writeln!(
            out,
            "  neighbours   {edges} ({externals} naming items of other parts)"
        )?;
        writeln!(
            out,
            "  parts        {} of 2^{} (at most {} items); {} levels of index files between",
            summaries.len(),
            layout.part_bits,
            summaries.iter().map(|s| s.items).max().unwrap_or(0),
            layout.levels
        )?;
        writeln!(out, "  manifest     {manifest} bytes, {manifest_gzip} gzip")?;
        writeln!(out, "  files        {files}: {raw} bytes, {gzip} gzip")?;
    }
    if let Some(id) = item {
        let (part, _) = whole
            .find(id)
            .with_context(|| format!("no item {id:?} in the model"))?;
        writeln!(out, "part {}:", part.part().number)?;
        inspect_item(part, id, &mut out)?;
    }
    Ok(())
}

/// Prints what `model` holds of item `id`.
fn inspect_item(
    model: &Model<impl AsRef<[u8]>>,
    id: &str,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    {
        let index = model
            .item_index(id)
            .with_context(|| format!("no item {id:?} in the model"))?;
        let category = model
            .category_of(index)
            .and_then(|c| model.category_name(c))
            .unwrap_or("-");
        writeln!(
            out,
            "item {id:?}: category {category}, flags {}, popularity {}",
            model.flags(index),
            model.popularity(index)
        )?;
        for n in model.neighbors(index) {
            writeln!(
                out,
                "  {:>10.4}  {}",
                n.weight,
                model.item_id(n.item).unwrap_or("?")
            )?;
        }
    }
    Ok(())
}

/// Scores `baseline`, trained on `log`, on `cases`.
fn eval_baseline(
    log: &log::Log,
    baseline: baseline::Baseline,
    cases: &[eval::Case],
    k: usize,
    json: bool,
) -> anyhow::Result<()> {
    let items: Vec<Vec<String>> = log
        .sessions(0..log.session_count())
        .map(|s| {
            s.iter()
                .map(|&e| log.name(log::item(e)).to_owned())
                .collect()
        })
        .collect();
    let (hr, mrr) = baseline::score(baseline, &items, cases, k);
    println!(
        "HR@{k}      {:.2} %\nMRR@{k}     {:.2} %",
        hr * 100.0,
        mrr * 100.0
    );
    if json {
        println!(
            "{}",
            serde_json::json!({ "hr": hr, "mrr": mrr, "k": k, "cases": cases.len(), "baseline": format!("{baseline:?}") })
        );
    }
    Ok(())
}

fn cmd_eval(parser: &mut lexopt::Parser) -> anyhow::Result<()> {
    let (mut train, mut test, mut k, mut json) = (None, None, 20usize, false);
    let mut built = None;
    let (mut baseline, mut sharded, mut per_part) = (None, false, ITEMS_PER_PART);
    let mut settings = build::Settings::default();
    while let Some(arg) = parser.next()? {
        match arg {
            Long("help") | Short('h') => {
                print!("{}", help("eval"));
                return Ok(());
            }
            Long("train") => train = Some(PathBuf::from(parser.value()?)),
            Long("model") => built = Some(PathBuf::from(parser.value()?)),
            Long("test") => test = Some(PathBuf::from(parser.value()?)),
            Long("k") => k = parser.value()?.parse()?,
            Long("json") => json = true,
            Long("baseline") => {
                baseline = Some(baseline::Baseline::from_name(&parser.value()?.string()?)?)
            }
            Long("neighbors") => settings.neighbors = parser.value()?.parse()?,
            Long("window") => settings.window = parser.value()?.parse()?,
            Long("sharded") => sharded = true,
            Long("items-per-part") => per_part = parser.value()?.parse()?,
            _ => bail!(arg.unexpected()),
        }
    }
    let test = test.context("--test CASES is required")?;
    let file = File::open(&test).with_context(|| format!("opening {}", test.display()))?;
    let cases = eval::read_cases(BufReader::new(file))
        .with_context(|| format!("reading {}", test.display()))?;
    let started = Instant::now();
    let stage = if built.is_some() { "read" } else { "build" };
    // The model scored as one file with its size (raw, gzip), or sharded.
    let (model, size, shards) = match (train, built) {
        (Some(train), None) => {
            let (log, _) = read_log(&train, Some(events::Format::Sessions), true)?;
            if let Some(baseline) = baseline {
                return eval_baseline(&log, baseline, &cases, k, json);
            }
            let learned = build::learn(&log, &HashMap::new(), settings);
            let builder = build::build_model(&log, &HashMap::new(), settings, learned);
            let bytes = builder.encode();
            let size = (bytes.len(), shards::gzip_len(&bytes)?);
            let model = Model::decode(bytes).context("the model just built does not decode")?;
            let shards = if sharded {
                Some(shards::Shards::from_files(
                    builder.encode_sharded(per_part),
                )?)
            } else {
                None
            };
            (Some(model), Some(size), shards)
        }
        (None, Some(path)) => {
            let bytes =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            if Sharded::is_manifest(&bytes) {
                (None, None, Some(shards::Shards::open(&path)?))
            } else {
                let size = (bytes.len(), shards::gzip_len(&bytes)?);
                let model = Model::decode(bytes)
                    .with_context(|| format!("{} is not a valid model", path.display()))?;
                (Some(model), Some(size), None)
            }
        }
        _ => bail!("one of --train SESSIONS and --model MODEL is required"),
    };
    let build_secs = started.elapsed().as_secs_f64();
    let scored = match (&shards, &model) {
        (Some(shards), _) => eval::Scored::Sharded(shards),
        (None, Some(model)) => eval::Scored::Whole(model),
        (None, None) => bail!("no model to score"),
    };
    let s = eval::score(scored, &cases, k, None);
    let (model_bytes, gzip) = (size.map(|s| s.0), size.map(|s| s.1));
    let (items, revisit_share) = (scored.item_count(), scored.revisit_share());
    let per_item = |n: usize| {
        if items == 0 {
            0.0
        } else {
            n as f64 / f64::from(items)
        }
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "HR@{k}      {:.2} %", s.hr * 100.0)?;
    writeln!(out, "MRR@{k}     {:.2} %", s.mrr * 100.0)?;
    writeln!(
        out,
        "coverage   {:.2} % of {items} items",
        s.coverage * 100.0
    )?;
    if let Some((model_bytes, gzip)) = size {
        writeln!(
            out,
            "model      {model_bytes} bytes, {gzip} gzip ({:.1} / {:.1} bytes per item)",
            per_item(model_bytes),
            per_item(gzip)
        )?;
    }
    let sharding = match (&shards, &s.loading) {
        (Some(shards), Some(loading)) => {
            let (manifest, manifest_gzip) = shards.manifest_len()?;
            let (files, raw, gzip) = shards.files_len();
            let layout = shards.whole().layout();
            writeln!(
                out,
                "sharded    manifest {manifest} bytes ({manifest_gzip} gzip); {files} files, {raw} bytes ({gzip} gzip); 2^{} parts, {} levels of index files",
                layout.part_bits, layout.levels
            )?;
            writeln!(
                out,
                "per case   {:.0} gzip bytes (median {}, p95 {}), {:.1} files, manifest aside",
                loading.bytes_per_case,
                loading.bytes_median,
                loading.bytes_p95,
                loading.files_per_case
            )?;
            serde_json::json!({
                "bytes_per_case": loading.bytes_per_case, "bytes_per_case_median": loading.bytes_median,
                "bytes_per_case_p95": loading.bytes_p95, "files_per_case": loading.files_per_case,
                "manifest_bytes": manifest, "manifest_gzip_bytes": manifest_gzip,
                "part_bits": layout.part_bits, "index_bits": layout.index_bits, "levels": layout.levels,
                "sharded_files": files, "sharded_gzip_bytes": gzip,
            })
        }
        _ => serde_json::json!({}),
    };
    writeln!(
        out,
        "{stage:<10} {build_secs:.2} s; {:.1} us per case over {} cases",
        s.secs_per_case * 1e6,
        s.cases
    )?;
    if json {
        let mut v = serde_json::json!({
            "hr": s.hr, "mrr": s.mrr, "k": k, "revisit_share": revisit_share, "cases": s.cases, "items": items,
            "coverage": s.coverage, "model_bytes": model_bytes, "model_gzip_bytes": gzip,
            "bytes_per_item": model_bytes.map(per_item), "gzip_bytes_per_item": gzip.map(per_item),
            "build_secs": build_secs, "secs_per_case": s.secs_per_case,
        });
        if let (Some(v), serde_json::Value::Object(sharding)) = (v.as_object_mut(), sharding) {
            v.extend(sharding);
        }
        writeln!(out, "{v}")?;
    }
    Ok(())
}
