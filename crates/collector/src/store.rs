//! The collector's store: SQLite by default, PostgreSQL for stores that
//! outgrow one file (`--db postgres://…`). Both take the same SQL but for
//! the table definitions.
//!
//! One writer thread owns the connection and commits in groups: it takes
//! every batch waiting in its channel, inserts them in one transaction, and
//! only after the commit answers each sender. A batch is acknowledged only
//! once it is in the database, and a burst of requests costs one fsync-free
//! WAL commit, not one each. `INSERT OR IGNORE` on the event id makes every
//! retry of the same event land once.
//!
//! SQLite is in WAL mode with `synchronous=NORMAL`: a committed batch
//! survives the process being killed (it is in the WAL, in the OS's hands);
//! an OS crash or power cut may lose the last commits. `--durable` asks for
//! `synchronous=FULL`, an fsync per group. PostgreSQL commits as the server
//! is configured (`synchronous_commit`).

use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;

use anyhow::Context as _;
use shelfwise_core::beacon::Event;
use tokio::sync::{mpsc, oneshot};

/// Largest number of batches committed in one transaction.
const MAX_GROUP: usize = 1024;

/// Batches waiting for the writer before the collector answers 503.
pub const QUEUE: usize = 8192;

const SQLITE_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    id       BLOB PRIMARY KEY,   -- 16 random bytes: de-duplication
    visit    INTEGER NOT NULL,   -- random per visit
    type     TEXT NOT NULL,
    arm      TEXT NOT NULL,
    page     TEXT NOT NULL,
    widget   TEXT,
    position INTEGER,
    value    INTEGER,            -- whole currency units
    currency TEXT,
    hour     INTEGER NOT NULL,   -- hours since the Unix epoch, UTC
    shown    TEXT,               -- personalized-arm exposures: how the widget was shown
    variant  TEXT                -- targeted content's exposures and clicks: the merchant's variant
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    n    INTEGER NOT NULL
) WITHOUT ROWID;
";

const POSTGRES_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    id       BYTEA PRIMARY KEY,
    visit    BIGINT NOT NULL,
    type     TEXT NOT NULL,
    arm      TEXT NOT NULL,
    page     TEXT NOT NULL,
    widget   TEXT,
    position INTEGER,
    value    INTEGER,
    currency TEXT,
    hour     INTEGER NOT NULL,
    shown    TEXT,
    variant  TEXT
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    n    BIGINT NOT NULL
);
";

const INSERT: &str = "INSERT INTO events
    (id, visit, type, arm, page, widget, position, value, currency, hour, shown, variant)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
    ON CONFLICT (id) DO NOTHING";

/// Columns added since the first schema (`shown`, then `variant`): a
/// database made before gains them when opened (SQLite has no `ADD COLUMN
/// IF NOT EXISTS`: a column is added when a query of it fails).
const ADDED_COLUMNS: [&str; 2] = ["shown", "variant"];

const ADD_COUNTER: &str = "INSERT INTO counters (name, n) VALUES ($1, $2)
    ON CONFLICT (name) DO UPDATE SET n = counters.n + excluded.n";

/// Where the collector keeps its events: `--db` as given.
#[derive(Clone, Debug)]
pub enum Db {
    /// A SQLite file (created if missing).
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://…` or `postgresql://…`).
    Postgres(String),
}

impl Db {
    /// A connection string names PostgreSQL; anything else is a SQLite file.
    pub fn parse(text: &str) -> Db {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Db::Postgres(text.to_owned())
        } else {
            Db::Sqlite(PathBuf::from(text))
        }
    }

    /// For messages: the file, or the PostgreSQL host and database without
    /// credentials.
    pub fn describe(&self) -> String {
        match self {
            Db::Sqlite(path) => path.display().to_string(),
            Db::Postgres(url) => {
                let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
                let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
                format!("postgres://{}", host.split('?').next().unwrap_or(host))
            }
        }
    }

    /// Opens a connection with the collector's settings and schema.
    pub fn open(&self, durable: bool) -> anyhow::Result<Conn> {
        match self {
            Db::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path)
                    .with_context(|| format!("opening the database {}", path.display()))?;
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", if durable { "FULL" } else { "NORMAL" })?;
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                conn.execute_batch(SQLITE_SCHEMA)
                    .context("creating the collector's tables")?;
                for column in ADDED_COLUMNS {
                    let has = conn
                        .prepare(&format!("SELECT {column} FROM events LIMIT 0"))
                        .is_ok();
                    if !has {
                        conn.execute_batch(&format!("ALTER TABLE events ADD COLUMN {column} TEXT"))
                            .with_context(|| format!("adding the {column} column"))?;
                    }
                }
                Ok(Conn::Sqlite(conn))
            }
            Db::Postgres(url) => {
                let mut client = connect_postgres(url)
                    .with_context(|| format!("connecting to {}", self.describe()))?;
                client
                    .batch_execute(POSTGRES_SCHEMA)
                    .context("creating the collector's tables")?;
                for column in ADDED_COLUMNS {
                    client
                        .batch_execute(&format!(
                            "ALTER TABLE events ADD COLUMN IF NOT EXISTS {column} TEXT"
                        ))
                        .with_context(|| format!("adding the {column} column"))?;
                }
                Ok(Conn::Postgres(Box::new(client)))
            }
        }
    }
}

/// Connects to PostgreSQL: over TLS when the URL asks for it
/// (`sslmode=require`, or `prefer`, which falls back to plain when the
/// server has no TLS), plain otherwise. Under TLS the server's certificate is
/// always verified — against the system's roots, or the CA file in
/// `sslrootcert=FILE` (read here; the driver does not know the option).
pub fn connect_postgres(url: &str) -> anyhow::Result<postgres::Client> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut ca = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslrootcert", file)) => ca = Some(file.to_owned()),
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let wants_tls = kept
        .iter()
        .any(|p| *p == "sslmode=require" || *p == "sslmode=prefer");
    if !wants_tls {
        anyhow::ensure!(ca.is_none(), "sslrootcert needs sslmode=require");
        return Ok(postgres::Client::connect(&url, postgres::NoTls)?);
    }
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    match ca {
        Some(file) => {
            let pem =
                std::fs::read(&file).with_context(|| format!("reading sslrootcert {file}"))?;
            for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&pem) {
                roots.add(cert.with_context(|| format!("a certificate in {file}"))?)?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(config);
    Ok(postgres::Client::connect(&url, tls)?)
}

/// An open connection to either database.
pub enum Conn {
    /// SQLite.
    Sqlite(rusqlite::Connection),
    /// PostgreSQL.
    Postgres(Box<postgres::Client>),
}

/// One value of a result row.
#[derive(Clone, Debug, PartialEq)]
pub enum Field {
    /// An integer (or a boolean, as 0 or 1).
    Int(i64),
    /// Text.
    Text(String),
    /// NULL.
    Null,
}

impl Field {
    /// The integer, 0 for anything else.
    pub fn int(&self) -> i64 {
        match self {
            Field::Int(n) => *n,
            _ => 0,
        }
    }

    /// The text, empty for anything else.
    pub fn text(&self) -> &str {
        match self {
            Field::Text(t) => t,
            _ => "",
        }
    }
}

impl Conn {
    /// Runs a query of integer and text columns with one text parameter
    /// (`$1`) or none.
    pub fn rows(&mut self, sql: &str, param: Option<&str>) -> anyhow::Result<Vec<Vec<Field>>> {
        match self {
            Conn::Sqlite(conn) => {
                let mut statement = conn.prepare(sql)?;
                let columns = statement.column_count();
                let mut rows = match param {
                    Some(p) => statement.query([p])?,
                    None => statement.query([])?,
                };
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    let mut fields = Vec::with_capacity(columns);
                    for i in 0..columns {
                        fields.push(match row.get_ref(i)? {
                            rusqlite::types::ValueRef::Integer(n) => Field::Int(n),
                            rusqlite::types::ValueRef::Text(t) => {
                                Field::Text(String::from_utf8_lossy(t).into_owned())
                            }
                            _ => Field::Null,
                        });
                    }
                    out.push(fields);
                }
                Ok(out)
            }
            Conn::Postgres(client) => {
                let rows = match param {
                    Some(p) => client.query(sql, &[&p])?,
                    None => client.query(sql, &[])?,
                };
                rows.iter()
                    .map(|row| {
                        (0..row.len())
                            .map(|i| {
                                Ok(match *row.columns()[i].type_() {
                                    postgres::types::Type::TEXT => row
                                        .try_get::<_, Option<String>>(i)?
                                        .map_or(Field::Null, Field::Text),
                                    _ => row
                                        .try_get::<_, Option<i64>>(i)?
                                        .map_or(Field::Null, Field::Int),
                                })
                            })
                            .collect()
                    })
                    .collect()
            }
        }
    }

    /// Deletes the events older than `hour` (hours since the Unix epoch); how many.
    pub fn delete_before(&mut self, hour: i64) -> anyhow::Result<u64> {
        const DELETE: &str = "DELETE FROM events WHERE hour < $1";
        Ok(match self {
            Conn::Sqlite(conn) => conn.execute(DELETE, [hour])? as u64,
            Conn::Postgres(client) => client.execute(DELETE, &[&(hour as i32)])?,
        })
    }

    /// Inserts a group of batches in one transaction; the new events per batch.
    fn commit(&mut self, group: &[Batch]) -> anyhow::Result<Vec<usize>> {
        let counters = Batch::counters(group);
        let mut new = Vec::with_capacity(group.len());
        match self {
            Conn::Sqlite(conn) => {
                let tx = conn.transaction()?;
                {
                    let mut insert = tx.prepare_cached(INSERT)?;
                    for batch in group {
                        let mut n = 0;
                        for e in &batch.events {
                            let c = Columns::of(e);
                            n += insert.execute(rusqlite::params![
                                c.id, c.visit, c.kind, c.arm, c.page, c.widget, c.position,
                                c.value, c.currency, c.hour, c.shown, c.variant
                            ])?;
                        }
                        new.push(n);
                    }
                    for (name, n) in &counters {
                        tx.execute(ADD_COUNTER, rusqlite::params![name, *n as i64])?;
                    }
                }
                tx.commit()?;
            }
            Conn::Postgres(client) => {
                let mut tx = client.transaction()?;
                let insert = tx.prepare(INSERT)?;
                for batch in group {
                    let mut n = 0;
                    for e in &batch.events {
                        let c = Columns::of(e);
                        n += tx.execute(
                            &insert,
                            &[
                                &c.id.as_slice(),
                                &c.visit,
                                &c.kind,
                                &c.arm,
                                &c.page,
                                &c.widget,
                                &c.position,
                                &c.value,
                                &c.currency,
                                &c.hour,
                                &c.shown,
                                &c.variant,
                            ],
                        )? as usize;
                    }
                    new.push(n);
                }
                for (name, n) in &counters {
                    tx.execute(ADD_COUNTER, &[name, &(*n as i64)])?;
                }
                tx.commit()?;
            }
        }
        Ok(new)
    }
}

/// An event as the tables' columns.
struct Columns {
    id: [u8; 16],
    visit: i64,
    kind: &'static str,
    arm: &'static str,
    page: &'static str,
    widget: Option<&'static str>,
    position: Option<i32>,
    value: Option<i32>,
    currency: Option<String>,
    hour: i32,
    shown: Option<&'static str>,
    variant: Option<String>,
}

impl Columns {
    fn of(e: &Event) -> Columns {
        Columns {
            id: e.id.to_be_bytes(),
            visit: e.visit as i64,
            kind: e.kind.as_str(),
            arm: e.arm.as_str(),
            page: e.page.as_str(),
            widget: e.widget.map(|w| w.as_str()),
            // Both bounded well inside i32 by the schema's checks.
            position: e.position.map(|p| p as i32),
            value: e.order.map(|o| o.value as i32),
            currency: e.order.as_ref().map(|o| o.currency_str().to_owned()),
            hour: e.hour.min(i32::MAX as u32) as i32,
            shown: e.shown.map(|s| s.as_str()),
            variant: e.variant.map(|v| v.as_str().to_owned()),
        }
    }
}

/// A validated batch on its way to the database.
pub struct Batch {
    /// The events (hours already clamped).
    pub events: Vec<Event>,
    /// Counters to add (name, amount): the events the browser reports having
    /// dropped from a full outbox (`client_dropped`), what the collector
    /// refused meanwhile.
    pub counters: Vec<(&'static str, u64)>,
    /// Told the number of new events once committed, or the error.
    pub done: oneshot::Sender<Result<usize, String>>,
}

impl Batch {
    /// The counter deltas of a group, each name once.
    fn counters(group: &[Batch]) -> Vec<(&'static str, u64)> {
        let mut sums: Vec<(&'static str, u64)> = Vec::new();
        for &(name, n) in group.iter().flat_map(|b| &b.counters) {
            match sums.iter_mut().find(|(k, _)| *k == name) {
                Some((_, sum)) => *sum += n,
                None if n > 0 => sums.push((name, n)),
                None => {}
            }
        }
        sums
    }
}

/// The sending side of the writer.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Batch>,
}

impl Writer {
    /// Opens (creating if needed) the database and starts the writer thread.
    pub fn start(db: &Db, durable: bool) -> anyhow::Result<Writer> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let (ready_tx, ready_rx) = std_mpsc::channel();
        let db = db.clone();
        std::thread::Builder::new()
            .name("shelfwise-writer".into())
            .spawn(move || match db.open(durable) {
                Ok(conn) => {
                    let _ = ready_tx.send(Ok(()));
                    write_loop(&db, durable, conn, rx);
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                }
            })
            .context("starting the writer thread")?;
        ready_rx.recv().context("the writer thread stopped")??;
        Ok(Writer { tx })
    }

    /// Queues a batch; `Err` gives it back when the queue is full (overload).
    pub fn try_send(&self, batch: Batch) -> Result<(), Batch> {
        self.tx.try_send(batch).map_err(|e| match e {
            mpsc::error::TrySendError::Full(b) | mpsc::error::TrySendError::Closed(b) => b,
        })
    }
}

fn write_loop(db: &Db, durable: bool, mut conn: Conn, mut rx: mpsc::Receiver<Batch>) {
    let mut group = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = rx.blocking_recv() {
        group.push(first);
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(batch) => group.push(batch),
                Err(_) => break,
            }
        }
        match conn.commit(&group) {
            Ok(new) => {
                for (batch, n) in group.drain(..).zip(new) {
                    let _ = batch.done.send(Ok(n));
                }
            }
            Err(error) => {
                let message = error.to_string();
                for batch in group.drain(..) {
                    let _ = batch.done.send(Err(message.clone()));
                }
                // A lost PostgreSQL connection is opened again for the next
                // group (its senders were told to retry).
                if let Conn::Postgres(client) = &conn
                    && client.is_closed()
                    && let Ok(fresh) = db.open(durable)
                {
                    conn = fresh;
                }
            }
        }
    }
}
