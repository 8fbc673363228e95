//! The collector's load benchmark (run by `cargo xtask bench`): an
//! open-loop generator of beacon requests against `shelfwise serve --db`
//! on loopback.
//!
//! ```text
//! cargo run --release -p shelfwise-collector --example load -- [--tls CA.pem] ADDR DB PHASE...
//! PHASE = RATE:SECONDS     e.g. 5000:30 25000:10 5000:20
//! ```
//!
//! With `--tls`, every connection is HTTPS, the collector's certificate
//! verified against `CA.pem` (TLS handshakes included in the latency of the
//! requests that open a connection).
//!
//! Requests are scheduled at fixed times (request `i` of a phase at
//! `start + i / rate`) and each latency is measured from its scheduled time,
//! so a stalled server shows as latency rather than as fewer requests
//! (no coordinated omission). Each request is one batch of one event with a
//! unique id, over keep-alive connections. Prints one JSON line per phase
//! and per second, then checks that every acknowledged event is in the
//! database.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Mutex;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls;

/// A connection to the collector: plain TCP or TLS.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A kept-alive connection, opened on first use.
type Conn = Option<BufReader<Box<dyn Io>>>;

/// Connections kept open to the collector.
const CONNECTIONS: usize = 128;

/// One answered (or failed) request.
#[derive(Clone, Copy)]
struct Sample {
    /// Seconds since the phase started (scheduled time).
    at: f64,
    /// Milliseconds from the scheduled time to the full response.
    latency_ms: f64,
    /// HTTP status, 0 for a transport error.
    status: u16,
    /// The event id sent.
    id: u64,
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let tls = (args.first().map(String::as_str) == Some("--tls")).then(|| {
        let ca = args.get(1).cloned().expect("--tls CA.pem");
        args.drain(..2);
        connector(&ca)
    });
    let (Some(addr), Some(db)) = (args.first(), args.get(1)) else {
        eprintln!("usage: load [--tls CA.pem] ADDR DB RATE:SECONDS...");
        std::process::exit(2);
    };
    let phases: Vec<(u64, u64)> = args[2..]
        .iter()
        .filter_map(|p| {
            let (rate, secs) = p.split_once(':')?;
            Some((rate.parse().ok()?, secs.parse().ok()?))
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let next_id = Arc::new(AtomicU64::new(1));
    let mut acked = Vec::new();
    let hour = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 3600;
    for (n, &(rate, seconds)) in phases.iter().enumerate() {
        let samples = runtime.block_on(phase(
            addr,
            tls.clone(),
            rate,
            seconds,
            hour,
            Arc::clone(&next_id),
        ));
        report(n, rate, seconds, &samples);
        acked.extend(samples.iter().filter(|s| s.status == 204).map(|s| s.id));
    }
    let conn = rusqlite::Connection::open(db).expect("the database opens");
    let mut lookup = conn
        .prepare("SELECT COUNT(*) FROM events WHERE id = ?1")
        .unwrap();
    let missing = acked
        .iter()
        .filter(|&&id| {
            let n: i64 = lookup
                .query_row([u128::from(id).to_be_bytes()], |r| r.get(0))
                .unwrap_or(0);
            n == 0
        })
        .count();
    println!(
        r#"{{"check":"acknowledged events in the database","acknowledged":{},"missing":{missing}}}"#,
        acked.len()
    );
}

/// A TLS connector trusting only the certificates in `ca` (PEM).
fn connector(ca: &str) -> TlsConnector {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).expect("the CA file") {
        roots
            .add(cert.expect("a certificate"))
            .expect("a usable CA");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

async fn phase(
    addr: &str,
    tls: Option<TlsConnector>,
    rate: u64,
    seconds: u64,
    hour: u64,
    ids: Arc<AtomicU64>,
) -> Vec<Sample> {
    let total = rate * seconds;
    let start = Instant::now() + Duration::from_millis(50);
    let slot = Arc::new(AtomicU64::new(0));
    let samples = Arc::new(Mutex::new(Vec::with_capacity(total as usize)));
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|_| {
            let (slot, samples, ids) = (Arc::clone(&slot), Arc::clone(&samples), Arc::clone(&ids));
            let (addr, tls) = (addr.to_owned(), tls.clone());
            tokio::spawn(async move {
                let mut conn: Conn = None;
                let mut mine = Vec::new();
                loop {
                    let i = slot.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    let due = start + Duration::from_nanos(i * 1_000_000_000 / rate);
                    tokio::time::sleep_until(due.into()).await;
                    let id = ids.fetch_add(1, Ordering::Relaxed) | 0xbe4c << 48;
                    let status = match send(&addr, tls.as_ref(), &mut conn, id, hour).await {
                        Ok(status) => status,
                        Err(_) => {
                            conn = None;
                            0
                        }
                    };
                    mine.push(Sample {
                        at: due.duration_since(start).as_secs_f64(),
                        latency_ms: due.elapsed().as_secs_f64() * 1000.0,
                        status,
                        id,
                    });
                }
                samples.lock().await.extend(mine);
            })
        })
        .collect();
    for w in workers {
        let _ = w.await;
    }
    Arc::try_unwrap(samples)
        .map(Mutex::into_inner)
        .unwrap_or_default()
}

/// One POST /collect over a kept-alive connection; the status.
async fn send(
    addr: &str,
    tls: Option<&TlsConnector>,
    conn: &mut Conn,
    id: u64,
    hour: u64,
) -> std::io::Result<u16> {
    if conn.is_none() {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let io: Box<dyn Io> = match tls {
            Some(tls) => {
                let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h).to_owned();
                let name =
                    rustls::pki_types::ServerName::try_from(host).map_err(std::io::Error::other)?;
                Box::new(tls.connect(name, stream).await?)
            }
            None => Box::new(stream),
        };
        *conn = Some(BufReader::new(io));
    }
    let stream = conn.as_mut().expect("connected above");
    let body = format!(
        r#"{{"v":1,"events":[{{"id":"{id:032x}","visit":"{:016x}","type":"page_view","arm":"{}","page":"product","hour":{hour}}}]}}"#,
        id / 3,
        if id.is_multiple_of(10) {
            "holdout"
        } else {
            "personalized"
        }
    );
    let scheme = if tls.is_some() { "https" } else { "http" };
    let request = format!(
        "POST /collect HTTP/1.1\r\nHost: {addr}\r\nOrigin: {scheme}://{addr}\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.get_mut().write_all(request.as_bytes()).await?;
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status: u16 = line
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut length = 0;
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok(status)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn report(n: usize, rate: u64, seconds: u64, samples: &[Sample]) {
    let summary = |set: &[&Sample]| {
        let mut latency: Vec<f64> = set.iter().map(|s| s.latency_ms).collect();
        latency.sort_by(f64::total_cmp);
        (
            set.len(),
            set.iter().filter(|s| s.status == 204).count(),
            set.iter().filter(|s| s.status == 429).count(),
            set.iter()
                .filter(|s| s.status != 204 && s.status != 429)
                .count(),
            percentile(&latency, 0.5),
            percentile(&latency, 0.99),
            latency.last().copied().unwrap_or(0.0),
        )
    };
    let all: Vec<&Sample> = samples.iter().collect();
    let (sent, ok, limited, errors, p50, p99, max) = summary(&all);
    let mut limited_latency: Vec<f64> = samples
        .iter()
        .filter(|s| s.status == 429)
        .map(|s| s.latency_ms)
        .collect();
    limited_latency.sort_by(f64::total_cmp);
    println!(
        r#"{{"phase":{n},"rate":{rate},"seconds":{seconds},"sent":{sent},"ok":{ok},"limited":{limited},"errors":{errors},"p50_ms":{p50:.2},"p99_ms":{p99:.2},"max_ms":{max:.2},"p99_429_ms":{:.2}}}"#,
        percentile(&limited_latency, 0.99)
    );
    for second in 0..seconds {
        let window: Vec<&Sample> = samples
            .iter()
            .filter(|s| s.at >= second as f64 && s.at < (second + 1) as f64)
            .collect();
        let (sent, ok, limited, errors, _, p99, _) = summary(&window);
        println!(
            r#"{{"phase":{n},"second":{second},"sent":{sent},"ok":{ok},"limited":{limited},"errors":{errors},"p99_ms":{p99:.2}}}"#
        );
    }
}
