//! `shelfwise serve`: the collector (`POST /collect`, `GET /api/report`,
//! the dashboard at `/dashboard`) and, for the demo, a static directory —
//! on one address.
//!
//! The collector never looks at the peer's address or user agent, sets no
//! cookie and logs no request. A beacon batch is read with a 64 KiB cap,
//! checked against the schema (`shelfwise_core::beacon`) and the merchant's
//! plausibility bounds, its hours clamped to the last seven days, and
//! acknowledged (204) only once committed. Answers: 400 malformed, 403
//! without an `Origin` (unless `--allow-no-origin`) or from an origin not
//! allowed, 413 too large (the body drained, so that a kept-alive
//! connection stays usable), 429 over the origin's rate (with
//! `Retry-After`), 503 when the writer is behind. What is refused is counted
//! per reason and reaches the report's `anomalies`.
//!
//! Everything that reads data (`/api/…`) answers 401 without
//! `Authorization: Bearer TOKEN`, the admin token; the dashboard page holds
//! no data and asks for the token. Dashboard and API answers carry a strict
//! Content-Security-Policy and no-referrer, no-sniff, no-framing headers.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_server::tls_rustls::RustlsConfig;
use http_body_util::BodyExt as _;
use sha2::{Digest as _, Sha256};
use shelfwise_core::beacon::{Event, hour_of, parse_batch};
use tokio::sync::oneshot;
use tower_http::services::ServeDir;

use crate::store::{Batch, Db, Writer};

/// Largest body accepted at `/collect`.
pub const MAX_BODY: usize = 64 * 1024;

/// How much of a refused body is read and thrown away so that the
/// connection stays usable; past it the connection is closed.
const MAX_DRAIN: usize = 1024 * 1024;

/// Default bound on the events of one batch (the browser's outbox sends at
/// most 32 KiB of events, fewer than that).
pub const DEFAULT_MAX_BATCH_EVENTS: usize = 256;

/// Shortest admin token accepted.
pub const MIN_TOKEN_LEN: usize = 16;

/// Default bound on what one order may claim, in whole currency units.
pub const DEFAULT_MAX_ORDER_VALUE: u32 = 10_000;

/// The dashboard's and the API's security headers: only the collector's own
/// scripts, styles and data; never framed; no referrer; no sniffing.
const SECURITY_HEADERS: [(&str, &str); 4] = [
    (
        "content-security-policy",
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
];

/// What `shelfwise serve` was asked to do.
pub struct Options {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The collector's database; no collector without it.
    pub db: Option<Db>,
    /// A static directory served at `/` (the demo store, `dist/`).
    pub static_dir: Option<PathBuf>,
    /// The built dashboard (default `dist/dashboard`).
    pub dashboard: PathBuf,
    /// Origins whose pages may send beacons (besides the collector's own).
    pub allow_origins: Vec<String>,
    /// Beacon requests per second per origin before 429.
    pub rate_limit: u32,
    /// `synchronous=FULL` instead of NORMAL.
    pub durable: bool,
    /// The admin token that data-reading routes ask for.
    pub admin_token: Option<String>,
    /// Accept beacons without an `Origin` header (server-side forwarding).
    pub allow_no_origin: bool,
    /// Orders claiming more than this (whole currency units) are refused.
    pub max_order_value: u32,
    /// Batches with more events than this are refused.
    pub max_batch_events: usize,
    /// How the report bounds a visit.
    pub bounds: crate::report::Bounds,
    /// Events older than this many days are deleted, at start and hourly.
    pub retention_days: Option<u32>,
    /// A PEM certificate chain and its private key: HTTPS instead of HTTP.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// A line the report (as `notice`) and its dashboard show above the
    /// figures: e.g. that they come from simulated shoppers.
    pub notice: Option<String>,
}

/// Serves until interrupted (Ctrl-C or SIGTERM).
pub fn run(options: Options) -> anyhow::Result<()> {
    if let Some(dir) = &options.static_dir {
        anyhow::ensure!(
            dir.is_dir(),
            "--static {} is not a directory",
            dir.display()
        );
    }
    anyhow::ensure!(
        options.db.is_some() || options.static_dir.is_some(),
        "nothing to serve: give --db FILE (collector) and/or --static DIR"
    );
    anyhow::ensure!(
        options.addr.ip().is_loopback() || options.admin_token.is_some(),
        "refusing to listen on {} without an admin token: the report would be readable by anyone \
         who can reach it. Set SHELFWISE_ADMIN_TOKEN (or --admin-token-file FILE), or listen on \
         127.0.0.1 behind a reverse proxy (docs/deploy.md)",
        options.addr
    );
    if let Some(token) = &options.admin_token {
        anyhow::ensure!(
            token.chars().count() >= MIN_TOKEN_LEN && !token.chars().any(char::is_whitespace),
            "the admin token must be at least {MIN_TOKEN_LEN} characters without spaces \
             (for example: openssl rand -hex 32)"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(options))
}

async fn serve(options: Options) -> anyhow::Result<()> {
    let mut app = Router::new();
    if let Some(db) = &options.db {
        let collector = Arc::new(Collector {
            writer: Writer::start(db, options.durable)?,
            db: db.clone(),
            allow: options.allow_origins.clone(),
            allow_no_origin: options.allow_no_origin,
            limiter: Limiter::new(options.rate_limit),
            admin: options.admin_token.as_deref().map(digest),
            max_order_value: options.max_order_value,
            max_batch_events: options.max_batch_events,
            bounds: options.bounds,
            refused: Refused::default(),
            notice: options.notice.clone(),
        });
        tokio::spawn(flush_refusals(Arc::clone(&collector)));
        if let Some(days) = options.retention_days {
            tokio::spawn(expire(db.clone(), days));
        }
        let api = Router::new().route("/api/report", get(report)).route_layer(
            middleware::from_fn_with_state(Arc::clone(&collector), admin_only),
        );
        let routes = Router::new()
            .route("/collect", post(collect).options(preflight))
            .merge(api)
            .with_state(collector);
        app = app.merge(routes).nest_service(
            "/dashboard",
            ServeDir::new(&options.dashboard).append_index_html_on_directories(true),
        );
    }
    if let Some(dir) = &options.static_dir {
        app = app.fallback_service(ServeDir::new(dir).append_index_html_on_directories(true));
    }
    let app = app.layer(middleware::from_fn(cache_headers));
    let tls = match &options.tls {
        Some((cert, key)) => {
            // The one crypto provider this build uses, whatever else the
            // dependency graph enables.
            let _ = rustls::crypto::ring::default_provider().install_default();
            let config = RustlsConfig::from_pem_file(cert, key)
                .await
                .with_context(|| {
                    format!(
                        "reading the TLS certificate {} and key {}",
                        cert.display(),
                        key.display()
                    )
                })?;
            Some(config)
        }
        None => None,
    };
    let listener = std::net::TcpListener::bind(options.addr)
        .with_context(|| format!("binding {}", options.addr))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    eprintln!("shelfwise: listening on {scheme}://{addr}/");
    if let Some(db) = &options.db {
        eprintln!(
            "shelfwise: collector at {scheme}://{addr}/collect, dashboard at {scheme}://{addr}/dashboard/, database {}",
            db.describe()
        );
    }
    match tls {
        None => axum::serve(tokio::net::TcpListener::from_std(listener)?, app)
            .with_graceful_shutdown(shutdown())
            .await
            .context("serving"),
        Some(config) => {
            let handle = axum_server::Handle::new();
            let stop = handle.clone();
            tokio::spawn(async move {
                shutdown().await;
                stop.graceful_shutdown(Some(Duration::from_secs(10)));
            });
            axum_server::from_tcp_rustls(listener, config)?
                .handle(handle)
                .serve(app.into_make_service())
                .await
                .context("serving")
        }
    }
}

struct Collector {
    writer: Writer,
    db: Db,
    allow: Vec<String>,
    allow_no_origin: bool,
    limiter: Limiter,
    /// SHA-256 of the admin token; without one, data routes always answer 401.
    admin: Option<[u8; 32]>,
    max_order_value: u32,
    max_batch_events: usize,
    bounds: crate::report::Bounds,
    refused: Refused,
    notice: Option<String>,
}

/// Why a request or an event was refused: the name in the report's
/// `anomalies.refused` and the counter's in the database (`refused_NAME`).
#[derive(Clone, Copy, Debug)]
enum Refusal {
    /// `POST /collect` without an `Origin` header.
    NoOrigin,
    /// From an origin not allowed.
    Origin,
    /// Over the origin's rate.
    Rate,
    /// Body over [`MAX_BODY`].
    TooLarge,
    /// Not a valid batch.
    Malformed,
    /// More events than `--max-batch-events`.
    BatchEvents,
    /// An order over `--max-order-value` (the event is dropped).
    OrderValue,
}

impl Refusal {
    const ALL: [Refusal; 7] = [
        Refusal::NoOrigin,
        Refusal::Origin,
        Refusal::Rate,
        Refusal::TooLarge,
        Refusal::Malformed,
        Refusal::BatchEvents,
        Refusal::OrderValue,
    ];

    /// The counter's name in the database.
    fn counter(self) -> &'static str {
        match self {
            Refusal::NoOrigin => "refused_no_origin",
            Refusal::Origin => "refused_origin",
            Refusal::Rate => "refused_rate",
            Refusal::TooLarge => "refused_too_large",
            Refusal::Malformed => "refused_malformed",
            Refusal::BatchEvents => "refused_batch_events",
            Refusal::OrderValue => "refused_order_value",
        }
    }
}

/// Refusals not yet in the database, counted in memory (a flood of forged
/// requests costs no write each) and added to the next committed group.
#[derive(Default)]
struct Refused([AtomicU64; Refusal::ALL.len()]);

impl Refused {
    fn add(&self, why: Refusal, n: u64) {
        self.0[why as usize].fetch_add(n, Ordering::Relaxed);
    }

    /// Takes the counts so far, as counter deltas.
    fn take(&self) -> Vec<(&'static str, u64)> {
        Refusal::ALL
            .into_iter()
            .map(|why| {
                (
                    why.counter(),
                    self.0[why as usize].swap(0, Ordering::Relaxed),
                )
            })
            .filter(|&(_, n)| n > 0)
            .collect()
    }

    /// Whether any refusal waits to be stored.
    fn pending(&self) -> bool {
        self.0.iter().any(|n| n.load(Ordering::Relaxed) > 0)
    }

    /// Puts back the refusals among counts a failed commit did not store
    /// (the browser's own count comes back with its retry).
    fn restore(&self, counts: &[(&'static str, u64)]) {
        for &(name, n) in counts {
            if let Some(why) = Refusal::ALL.into_iter().find(|w| w.counter() == name) {
                self.add(why, n);
            }
        }
    }
}

impl Collector {
    /// Whether a page at `origin` may send beacons: listed, `*` listed, or
    /// the collector's own origin; requests without an `Origin` (not from a
    /// browser page) only with `--allow-no-origin`.
    fn allows(&self, headers: &HeaderMap, uri: &Uri) -> Result<Option<HeaderValue>, Refusal> {
        let Some(origin) = headers.get(header::ORIGIN) else {
            return if self.allow_no_origin {
                Ok(None)
            } else {
                Err(Refusal::NoOrigin)
            };
        };
        let text = origin.to_str().unwrap_or_default();
        // HTTP/1.1 names the host in `Host`, HTTP/2 in the `:authority`.
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let own = host
            .or_else(|| uri.authority().map(|a| a.as_str()))
            .is_some_and(|host| {
                text.strip_prefix("http://")
                    .or_else(|| text.strip_prefix("https://"))
                    == Some(host)
            });
        if own || self.allow.iter().any(|a| a == "*" || a == text) {
            Ok(Some(origin.clone()))
        } else {
            Err(Refusal::Origin)
        }
    }

    /// Drops the orders over the bound, counting them.
    fn keep_plausible(&self, events: &mut Vec<Event>) {
        let before = events.len();
        events.retain(|e| e.order.is_none_or(|o| o.value <= self.max_order_value));
        let refused = before - events.len();
        if refused > 0 {
            self.refused.add(Refusal::OrderValue, refused as u64);
        }
    }

    /// Commits `events`, the count the browser dropped, and the refusals
    /// counted so far; `Err` when the writer is behind (`true`) or the
    /// commit failed (`false`).
    async fn store(&self, events: Vec<Event>, dropped: u64) -> Result<(), bool> {
        let (done, acked) = oneshot::channel();
        let mut counters = self.refused.take();
        counters.push(("client_dropped", dropped));
        let batch = Batch {
            events,
            counters,
            done,
        };
        if let Err(batch) = self.writer.try_send(batch) {
            self.refused.restore(&batch.counters);
            return Err(true);
        }
        match acked.await {
            Ok(Ok(_)) => Ok(()),
            _ => Err(false),
        }
    }
}

async fn collect(State(c): State<Arc<Collector>>, request: Request) -> Response {
    let refuse = |why: Refusal, status: StatusCode, text: &str, cors: Option<HeaderValue>| {
        c.refused.add(why, 1);
        plain(status, text, cors)
    };
    let cors = match c.allows(request.headers(), request.uri()) {
        Ok(cors) => cors,
        Err(why) => {
            let text = match why {
                Refusal::NoOrigin => "no Origin header (server-side senders: --allow-no-origin)",
                _ => "origin not allowed",
            };
            return refuse(why, StatusCode::FORBIDDEN, text, None);
        }
    };
    let origin_key = cors
        .as_ref()
        .and_then(|o| o.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if !c.limiter.admit(&origin_key) {
        c.refused.add(Refusal::Rate, 1);
        return retry_soon(StatusCode::TOO_MANY_REQUESTS, "slow down", cors);
    }
    let body = match read_capped(request.into_body()).await {
        Ok(body) => body,
        Err(drained) => {
            let mut response = refuse(
                Refusal::TooLarge,
                StatusCode::PAYLOAD_TOO_LARGE,
                "body too large",
                cors,
            );
            if !drained {
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            return response;
        }
    };
    let (mut events, dropped) = match parse_batch(&body, hour_of(now_ms())) {
        Ok(parsed) => parsed,
        Err(why) => return refuse(Refusal::Malformed, StatusCode::BAD_REQUEST, &why, cors),
    };
    if events.len() > c.max_batch_events {
        let text = format!("more than {} events", c.max_batch_events);
        return refuse(Refusal::BatchEvents, StatusCode::BAD_REQUEST, &text, cors);
    }
    c.keep_plausible(&mut events);
    match c.store(events, u64::from(dropped)).await {
        Ok(()) => plain(StatusCode::NO_CONTENT, "", cors),
        Err(true) => retry_soon(StatusCode::SERVICE_UNAVAILABLE, "busy", cors),
        Err(false) => plain(StatusCode::SERVICE_UNAVAILABLE, "not stored", cors),
    }
}

/// Deletes the events older than `days` days now and every hour after.
async fn expire(db: Db, days: u32) {
    let mut tick = tokio::time::interval(Duration::from_secs(60 * 60));
    loop {
        tick.tick().await;
        let oldest = i64::from(hour_of(now_ms())) - i64::from(days) * 24;
        let db = db.clone();
        let deleted =
            tokio::task::spawn_blocking(move || db.open(false)?.delete_before(oldest)).await;
        if let Ok(Err(error)) = deleted {
            eprintln!("shelfwise: deleting events older than {days} days failed: {error:#}");
        }
    }
}

/// Every ten seconds, stores the refusals counted meanwhile, so that a flood
/// of refused requests shows in the report even when no batch is accepted.
async fn flush_refusals(c: Arc<Collector>) {
    let mut tick = tokio::time::interval(Duration::from_secs(10));
    loop {
        tick.tick().await;
        if c.refused.pending() {
            let _ = c.store(Vec::new(), 0).await;
        }
    }
}

/// A [`plain`] answer asking the browser to come back in a second.
fn retry_soon(status: StatusCode, text: &str, cors: Option<HeaderValue>) -> Response {
    let mut response = plain(status, text, cors);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// Reads a body of at most [`MAX_BODY`] bytes. Past it, or unreadable,
/// the body is refused: `Err(true)` once the rest was read and thrown away
/// (up to [`MAX_DRAIN`]; the connection stays usable), `Err(false)` when
/// the connection must close.
async fn read_capped(mut body: Body) -> Result<Bytes, bool> {
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(false);
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen += data.len();
        if seen > MAX_DRAIN {
            return Err(false);
        }
        if seen <= MAX_BODY {
            kept.extend_from_slice(&data);
        }
    }
    if seen > MAX_BODY {
        Err(true)
    } else {
        Ok(Bytes::from(kept))
    }
}

async fn preflight(State(c): State<Arc<Collector>>, headers: HeaderMap, uri: Uri) -> Response {
    match c.allows(&headers, &uri) {
        Ok(cors) => {
            let mut response = plain(StatusCode::NO_CONTENT, "", cors);
            let h = response.headers_mut();
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("POST"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("content-type"),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("86400"),
            );
            response
        }
        Err(_) => plain(StatusCode::FORBIDDEN, "origin not allowed", None),
    }
}

/// Data routes answer only a request with `Authorization: Bearer TOKEN`.
/// The token is compared by its SHA-256, in time independent of where it
/// differs, and never logged.
async fn admin_only(State(c): State<Arc<Collector>>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let allowed = match (&c.admin, given) {
        (Some(expected), Some(given)) => same(expected, &digest(given)),
        _ => false,
    };
    if allowed {
        return next.run(request).await;
    }
    let text = if c.admin.is_some() {
        "this route needs Authorization: Bearer ADMIN_TOKEN"
    } else {
        "no admin token is configured: start shelfwise serve with SHELFWISE_ADMIN_TOKEN set"
    };
    let mut response = plain(StatusCode::UNAUTHORIZED, text, None);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"shelfwise\""),
    );
    response
}

/// SHA-256 of a token.
fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Whether two digests are equal, looking at every byte whatever differs.
fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

async fn report(State(c): State<Arc<Collector>>) -> Response {
    let db = c.db.clone();
    let bounds = c.bounds;
    let built = tokio::task::spawn_blocking(move || {
        let mut conn = db.open(false)?;
        crate::report::build(&mut conn, bounds)
    })
    .await;
    match built {
        Ok(Ok(mut report)) => {
            report["notice"] = serde_json::json!(c.notice);
            (
                [(header::CONTENT_TYPE, "application/json")],
                report.to_string(),
            )
                .into_response()
        }
        _ => plain(StatusCode::INTERNAL_SERVER_ERROR, "report failed", None),
    }
}

fn plain(status: StatusCode, text: &str, cors: Option<HeaderValue>) -> Response {
    let mut response = (status, text.to_owned()).into_response();
    if let Some(origin) = cors {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

/// A token bucket per origin: `rate` requests a second, bursts of one
/// second's worth.
struct Limiter {
    rate: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Limiter {
    /// Origins remembered at most; beyond, the idlest are forgotten.
    const MAX_ORIGINS: usize = 10_000;

    fn new(rate: u32) -> Limiter {
        Limiter {
            rate: f64::from(rate.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn admit(&self, origin: &str) -> bool {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        if buckets.len() >= Limiter::MAX_ORIGINS && !buckets.contains_key(origin) {
            let rate = self.rate;
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < rate
            });
        }
        let (tokens, at) = buckets.entry(origin.to_owned()).or_insert((self.rate, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.rate);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Pages revalidate on every load; the SDK, its wasm, the model and the
/// pictures may be used from cache for a minute and then while revalidating, so that a
/// returning shopper's widgets are ordered before the first paint. The
/// collector's answers are never cached. Every answer is `nosniff`; the
/// dashboard's and the API's carry the [`SECURITY_HEADERS`].
async fn cache_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if path.starts_with("/dashboard") || path.starts_with("/api/") {
        for (name, value) in SECURITY_HEADERS {
            headers.insert(name, HeaderValue::from_static(value));
        }
    } else {
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
    }
    let value = if method == Method::GET
        && [".wasm", ".js", ".swm", ".png"]
            .iter()
            .any(|ext| path.ends_with(ext))
    {
        "public, max-age=60, stale-while-revalidate=86400"
    } else if path == "/collect" || path.starts_with("/api/") || path.starts_with("/dashboard") {
        "no-store"
    } else {
        "no-cache"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
