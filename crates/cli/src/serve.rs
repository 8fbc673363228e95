//! `shelfwise serve`: serves a static directory (the demo store, `dist/`)
//! on a loopback address, with caching headers suited to the SDK's assets.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use axum::Router;
use axum::http::{HeaderValue, Request, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::ServeDir;

/// Serves `dir` on `addr` until interrupted (Ctrl-C or SIGTERM).
pub fn run(addr: SocketAddr, dir: PathBuf) -> anyhow::Result<()> {
    anyhow::ensure!(
        dir.is_dir(),
        "--static {} is not a directory",
        dir.display()
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let app = Router::new()
            .fallback_service(ServeDir::new(&dir).append_index_html_on_directories(true))
            .layer(middleware::from_fn(cache_headers));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        eprintln!("shelfwise: serving {} on http://{addr}/", dir.display());
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown())
            .await
            .context("serving")
    })
}

/// Pages revalidate on every load; the SDK, its wasm and the model may be
/// used from cache for a minute and then while revalidating, so that a
/// returning shopper's widgets are ordered before the first paint.
async fn cache_headers(request: Request<axum::body::Body>, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let value = if [".wasm", ".js", ".swm"]
        .iter()
        .any(|ext| path.ends_with(ext))
    {
        "public, max-age=60, stale-while-revalidate=86400"
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
