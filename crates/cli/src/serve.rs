//! `shelfwise serve`: the collector (`POST /collect`, `GET /api/report`,
//! the dashboard at `/dashboard`) and, for the demo, a static directory —
//! on one address.
//!
//! The collector never looks at the peer's address or user agent, sets no
//! cookie and logs no request. A beacon batch is read with a 64 KiB cap,
//! checked against the schema (`shelfwise_core::beacon`), its hours clamped
//! to the last seven days, and acknowledged (204) only once committed.
//! Answers: 400 malformed, 403 origin not allowed, 413 too large, 429 over
//! the origin's rate (with `Retry-After`), 503 when the writer is behind.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use shelfwise_core::beacon::{hour_of, parse_batch};
use tokio::sync::oneshot;
use tower_http::services::ServeDir;

use crate::store::{Batch, Db, Writer};

/// Largest body accepted at `/collect`.
pub const MAX_BODY: usize = 64 * 1024;

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
            limiter: Limiter::new(options.rate_limit),
        });
        let routes = Router::new()
            .route("/collect", post(collect).options(preflight))
            .route("/api/report", get(report))
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
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .with_context(|| format!("binding {}", options.addr))?;
    let addr = listener.local_addr()?;
    eprintln!("shelfwise: listening on http://{addr}/");
    if let Some(db) = &options.db {
        eprintln!(
            "shelfwise: collector at http://{addr}/collect, dashboard at http://{addr}/dashboard/, database {}",
            db.describe()
        );
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .context("serving")
}

struct Collector {
    writer: Writer,
    db: Db,
    allow: Vec<String>,
    limiter: Limiter,
}

impl Collector {
    /// Whether a page at `origin` may send beacons: listed, `*` listed, or
    /// the collector's own origin; requests without an `Origin` (not from a
    /// browser page) are allowed.
    fn allows(&self, headers: &HeaderMap) -> Result<Option<HeaderValue>, ()> {
        let Some(origin) = headers.get(header::ORIGIN) else {
            return Ok(None);
        };
        let text = origin.to_str().unwrap_or_default();
        let own = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|host| {
                text.strip_prefix("http://")
                    .or_else(|| text.strip_prefix("https://"))
                    == Some(host)
            });
        if own || self.allow.iter().any(|a| a == "*" || a == text) {
            Ok(Some(origin.clone()))
        } else {
            Err(())
        }
    }
}

async fn collect(State(c): State<Arc<Collector>>, request: Request) -> Response {
    let cors = match c.allows(request.headers()) {
        Ok(cors) => cors,
        Err(()) => return plain(StatusCode::FORBIDDEN, "origin not allowed", None),
    };
    let origin_key = cors
        .as_ref()
        .and_then(|o| o.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if !c.limiter.admit(&origin_key) {
        return retry_soon(StatusCode::TOO_MANY_REQUESTS, "slow down", cors);
    }
    let body = match read_capped(request.into_body()).await {
        Ok(body) => body,
        Err(status) => return plain(status, "body too large or unreadable", cors),
    };
    let (events, dropped) = match parse_batch(&body, hour_of(now_ms())) {
        Ok(parsed) => parsed,
        Err(why) => return plain(StatusCode::BAD_REQUEST, &why, cors),
    };
    let (done, acked) = oneshot::channel();
    let batch = Batch {
        events,
        dropped: u64::from(dropped),
        done,
    };
    if c.writer.try_send(batch).is_err() {
        return retry_soon(StatusCode::SERVICE_UNAVAILABLE, "busy", cors);
    }
    match acked.await {
        Ok(Ok(_)) => plain(StatusCode::NO_CONTENT, "", cors),
        _ => plain(StatusCode::SERVICE_UNAVAILABLE, "not stored", cors),
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

/// Reads a body, refusing it (413) as soon as it passes [`MAX_BODY`].
async fn read_capped(body: Body) -> Result<Bytes, StatusCode> {
    axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| StatusCode::PAYLOAD_TOO_LARGE)
}

async fn preflight(State(c): State<Arc<Collector>>, headers: HeaderMap) -> Response {
    match c.allows(&headers) {
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
        Err(()) => plain(StatusCode::FORBIDDEN, "origin not allowed", None),
    }
}

async fn report(State(c): State<Arc<Collector>>) -> Response {
    let db = c.db.clone();
    let built = tokio::task::spawn_blocking(move || {
        let mut conn = db.open(false)?;
        crate::report::build(&mut conn)
    })
    .await;
    match built {
        Ok(Ok(report)) => (
            [(header::CONTENT_TYPE, "application/json")],
            report.to_string(),
        )
            .into_response(),
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

/// Pages revalidate on every load; the SDK, its wasm and the model may be
/// used from cache for a minute and then while revalidating, so that a
/// returning shopper's widgets are ordered before the first paint. The
/// collector's answers are never cached.
async fn cache_headers(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let mut response = next.run(request).await;
    let value = if method == Method::GET
        && [".wasm", ".js", ".swm"]
            .iter()
            .any(|ext| path.ends_with(ext))
    {
        "public, max-age=60, stale-while-revalidate=86400"
    } else if path == "/collect" || path.starts_with("/api/") {
        "no-store"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
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
