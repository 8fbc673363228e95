//! `shelfwise serve` and `shelfwise report`: the command line of the
//! collector (`shelfwise-collector`), left out of a build without the
//! `collector` feature.

use std::path::PathBuf;

use anyhow::{Context as _, bail};
use lexopt::prelude::*;
use shelfwise_collector::{report, serve, store};

/// `shelfwise serve`: the collector, the dashboard and a static directory on one address.
pub fn cmd_serve(parser: &mut lexopt::Parser) -> anyhow::Result<()> {
    let mut options = serve::Options {
        addr: "127.0.0.1:8080".parse()?,
        db: None,
        static_dir: None,
        dashboard: PathBuf::from("dist/dashboard"),
        allow_origins: Vec::new(),
        rate_limit: 6000,
        durable: false,
        admin_token: std::env::var("SHELFWISE_ADMIN_TOKEN")
            .ok()
            .filter(|t| !t.is_empty()),
        allow_no_origin: false,
        max_order_value: serve::DEFAULT_MAX_ORDER_VALUE,
        max_batch_events: serve::DEFAULT_MAX_BATCH_EVENTS,
        bounds: report::Bounds::default(),
        retention_days: None,
        tls: None,
        notice: None,
    };
    let (mut cert, mut key) = (None, None);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("help") | Short('h') => {
                print!("{}", crate::help("serve"));
                return Ok(());
            }
            Long("addr") => options.addr = parser.value()?.parse()?,
            Long("db") => options.db = Some(store::Db::parse(&parser.value()?.string()?)),
            Long("static") => options.static_dir = Some(PathBuf::from(parser.value()?)),
            Long("dashboard") => options.dashboard = PathBuf::from(parser.value()?),
            Long("allow-origin") => options.allow_origins.push(parser.value()?.string()?),
            Long("rate-limit") => options.rate_limit = parser.value()?.parse()?,
            Long("durable") => options.durable = true,
            Long("admin-token-file") => {
                let path = PathBuf::from(parser.value()?);
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading the admin token from {}", path.display()))?;
                options.admin_token = Some(text.trim().to_owned());
            }
            Long("allow-no-origin") => options.allow_no_origin = true,
            Long("max-order-value") => options.max_order_value = parser.value()?.parse()?,
            Long("max-batch-events") => options.max_batch_events = parser.value()?.parse()?,
            Long("retention-days") => options.retention_days = Some(parser.value()?.parse()?),
            Long("notice") => options.notice = Some(parser.value()?.string()?),
            Long("tls-cert") => cert = Some(PathBuf::from(parser.value()?)),
            Long("tls-key") => key = Some(PathBuf::from(parser.value()?)),
            Long("max-orders-per-visit") => {
                options.bounds.orders_per_visit = parser.value()?.parse()?;
            }
            Long("max-events-per-visit") => {
                options.bounds.events_per_visit = parser.value()?.parse()?;
            }
            _ => bail!(arg.unexpected()),
        }
    }
    options.tls = match (cert, key) {
        (Some(cert), Some(key)) => Some((cert, key)),
        (None, None) => None,
        _ => bail!("--tls-cert and --tls-key go together"),
    };
    serve::run(options)
}

/// `shelfwise report`: the experiment's report from a collector's database.
pub fn cmd_report(parser: &mut lexopt::Parser) -> anyhow::Result<()> {
    let mut db = None;
    let mut as_json = false;
    let mut bounds = report::Bounds::default();
    while let Some(arg) = parser.next()? {
        match arg {
            Long("help") | Short('h') => {
                print!("{}", crate::help("report"));
                return Ok(());
            }
            Long("db") => db = Some(store::Db::parse(&parser.value()?.string()?)),
            Long("json") => as_json = true,
            Long("max-orders-per-visit") => bounds.orders_per_visit = parser.value()?.parse()?,
            Long("max-events-per-visit") => bounds.events_per_visit = parser.value()?.parse()?,
            _ => bail!(arg.unexpected()),
        }
    }
    let db = db.context("--db FILE is required")?;
    if let store::Db::Sqlite(path) = &db {
        anyhow::ensure!(path.is_file(), "no database at {}", path.display());
    }
    let report = report::build(&mut db.open(false)?, bounds)?;
    if as_json {
        println!("{report}");
    } else {
        print!("{}", report::to_text(&report));
    }
    Ok(())
}
