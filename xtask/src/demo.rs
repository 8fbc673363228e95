//! The demo store: a small shop generated from a seeded catalogue, with a
//! model built by `shelfwise build` from generated sample sessions.
//!
//! `target/demo-site/` gets the pages (home, one page per category and per
//! product, cart, checkout), the products' pictures ([`picture`]) under
//! `/img/`, `www/assets/`, the hostile pages ([`HOSTILE`], with
//! `www/hostile/setup/`) under `/hostile/`, `dist/` as `/dist/`, the sample
//! events, the catalogue, `model.swm` and the same model in parts under
//! `sharded/`.
//! Everything is generated from fixed seeds: the same commit gives the same
//! site and the same model.

use std::fmt::Write as _;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use shelfwise_sim::store::{CATEGORIES, Layout, PER_CATEGORY, Product, Store};

use crate::{Result, dist, exec, picture, root, shelfwise};

fn slug(category: usize) -> String {
    CATEGORIES[category].0.to_ascii_lowercase()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn price(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// A store page of `kind` (its `data-shelfwise-page`). Its script tag holds
/// nobody out: the demo's own visitors always see personalization; the
/// shopper simulator sets its own split (`--holdout`).
fn page(kind: &str, title: &str, body: &str) -> String {
    let nav: String = (0..CATEGORIES.len())
        .map(|c| {
            format!(
                r#"<a href="/category/{}.html">{}</a>"#,
                slug(c),
                CATEGORIES[c].0
            )
        })
        .collect();
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Shelfwise Demo Store</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/style.css">
<script async src="/dist/shelfwise.js" data-model="/model.swm" data-collector="/collect" data-holdout="0"
  data-popup-title="Before you go" data-popup-cart-title="Still thinking about {{item}}?"
  data-popup-body="Your cart is kept on this device for 30 days." data-popup-cta="Go to your cart" data-popup-url="/cart.html"></script>
<script defer src="/assets/shop.js"></script>
</head>
<body data-shelfwise-page="{kind}">
<header class="top"><a class="brand" href="/">Shelfwise Demo Store</a><span class="greeting" data-shelfwise-when="returning">Welcome back</span><a class="cart-link" href="/cart.html">Cart (<span id="cart-count">0</span>)</a></header>
<nav class="cats">{nav}</nav>
<main>
{body}
</main>
<footer>A demo store for Shelfwise. Everything it learns about you stays in this browser.</footer>
</body>
</html>
"#,
        title = escape(title)
    )
}

/// A product's picture in a box of class `class`, loaded lazily unless
/// `eager` (as a store loads what its first screen shows at once).
fn picture_box(p: &Product, class: &str, eager: bool) -> String {
    format!(
        r#"<div class="{class} c{c}"><img src="/img/{id}.png" alt="" width="{w}" height="{h}"{loading}></div>"#,
        c = p.category,
        id = escape(&p.id),
        w = picture::WIDTH,
        h = picture::HEIGHT,
        loading = if eager { "" } else { r#" loading="lazy""# },
    )
}

fn card(p: &Product, eager: bool) -> String {
    format!(
        r#"<article class="card" data-item-id="{id}"><a href="/product/{id}.html">{picture}<h3>{name}</h3></a><p class="meta">{cat} · ${price}{oos}</p></article>"#,
        id = escape(&p.id),
        picture = picture_box(p, "thumb", eager),
        name = escape(&p.name),
        cat = p.category_name(),
        price = price(p.price_cents),
        oos = if p.out_of_stock {
            " · out of stock"
        } else {
            ""
        },
    )
}

/// A page's banner (if it has one) and widgets, as the store's layout says.
/// The first widget's pictures load at once (on the home and listing pages
/// it is the first screen), the others' lazily; `first_screen` says whether
/// the first widget is on it.
fn shelves(store: &Store, layout: &Layout, first_screen: bool) -> String {
    let mut html = if layout.banner {
        banner()
    } else {
        String::new()
    };
    for (n, shelf) in layout.shelves.iter().enumerate() {
        let eager = first_screen && n == 0;
        let cards: String = shelf
            .items
            .iter()
            .map(|&i| card(&store.products[i], eager))
            .collect();
        let mut attributes = String::new();
        if let Some(anchor) = shelf.anchor {
            let _ = write!(
                attributes,
                r#" data-shelfwise-anchor="{}""#,
                escape(&store.products[anchor].id)
            );
        }
        if let Some(limit) = shelf.limit {
            let _ = write!(attributes, r#" data-shelfwise-limit="{limit}""#);
        }
        let _ = write!(
            html,
            r#"<section class="shelf"><h2>{}</h2><div class="grid" data-shelfwise-widget="{}"{attributes}>{cards}</div></section>"#,
            escape(&shelf.title),
            shelf.kind.as_str()
        );
    }
    html
}

/// The home page's campaign banner: a newsletter offer for visits from an
/// email or an ad (a targeting rule), one variant per category, the
/// merchant's default shown until Shelfwise picks. The sensitive category
/// gets no campaign.
fn banner() -> String {
    let variants: String = CATEGORIES
        .iter()
        .take(CATEGORIES.len() - 1)
        .map(|(name, _)| {
            format!(
                r#"<p data-shelfwise-category="{name}" hidden>This week: new {} arrivals</p>"#,
                name.to_lowercase()
            )
        })
        .collect();
    format!(
        r#"<section class="banner" data-shelfwise-banner><p data-shelfwise-default>Free delivery on orders over $50</p><p data-shelfwise-when="from:email | from:ads" data-shelfwise-variant="newsletter" hidden>Newsletter week: 10% off with code HELLO10</p>{variants}</section>"#
    )
}

/// The home page's preference control: which category the shopper wants
/// first (one at a time: the key is `category`), kept on the device.
fn preferences() -> String {
    let chips: String = CATEGORIES
        .iter()
        .take(CATEGORIES.len() - 1)
        .map(|(name, _)| {
            format!(
                r#"<button type="button" data-shelfwise-preference="category={name}" aria-pressed="false">{name}</button>"#
            )
        })
        .collect();
    format!(r#"<p class="prefs"><span>Show first:</span>{chips}</p>"#)
}

/// Writes the site into `target/demo-site` and builds its model; returns the directory.
pub fn build_site() -> Result<PathBuf> {
    let root = root();
    let site = root.join("target/demo-site");
    let _ = std::fs::remove_dir_all(&site);
    for dir in ["category", "product", "img", "assets", "dist/npm"] {
        std::fs::create_dir_all(site.join(dir)).map_err(|e| e.to_string())?;
    }
    let store = Store::demo();
    let write_bytes = |path: &str, bytes: &[u8]| -> Result {
        std::fs::write(site.join(path), bytes).map_err(|e| format!("writing {path}: {e}"))
    };
    let write = |path: &str, text: &str| write_bytes(path, text.as_bytes());

    write(
        "index.html",
        &page(
            "home",
            "Home",
            &format!(
                "<h1>Welcome</h1><p class=\"lead\">Browse a few products: this page reorders itself for you, in your browser.</p>{}{}",
                preferences(),
                shelves(&store, &store.home(), true)
            ),
        ),
    )?;
    for (c, (name, _)) in CATEGORIES.iter().enumerate() {
        write(
            &format!("category/{}.html", slug(c)),
            &page(
                "category",
                name,
                &format!(
                    "<h1>{name}</h1>{}",
                    shelves(&store, &store.category(c), true)
                ),
            ),
        )?;
    }
    for (i, p) in store.products.iter().enumerate() {
        let place = i - p.category * PER_CATEGORY;
        write_bytes(
            &format!("img/{}.png", p.id),
            &picture::product_png(p.category, place),
        )?;
        let body = format!(
            r#"<div class="product" data-shelfwise-view="{id}" data-shelfwise-category="{cat}" data-shelfwise-price="{price}">
{picture}
<div><h1>{name}</h1><p class="meta">{cat}</p><p class="price">${price}</p>
<button class="add" data-shelfwise-add-to-cart="{id}" data-shelfwise-category="{cat}" data-shelfwise-price="{price}" data-shelfwise-name="{name}" data-name="{name}" {disabled}>{label}</button>
<button class="less" type="button" data-shelfwise-less="{id}" aria-pressed="false">Not for me</button></div>
</div>{shelves}"#,
            id = escape(&p.id),
            cat = p.category_name(),
            picture = picture_box(p, "thumb big", true),
            name = escape(&p.name),
            price = price(p.price_cents),
            disabled = if p.out_of_stock { "disabled" } else { "" },
            label = if p.out_of_stock {
                "Out of stock"
            } else {
                "Add to cart"
            },
            shelves = shelves(&store, &store.product(i), false),
        );
        write(
            &format!("product/{}.html", p.id),
            &page("product", &p.name, &body),
        )?;
    }
    write(
        "cart.html",
        &page(
            "cart",
            "Cart",
            &format!(
                "<h1>Your cart</h1><div id=\"cart\" class=\"cart\"></div><p><a class=\"button\" href=\"/checkout.html\">Checkout</a></p>{}",
                shelves(&store, &store.cart(), false)
            ),
        ),
    )?;
    write(
        "checkout.html",
        &page(
            "checkout",
            "Checkout",
            "<h1>Checkout</h1><div id=\"cart\" class=\"cart\"></div><form id=\"checkout\"><label>Name <input name=\"name\" autocomplete=\"name\"></label><button class=\"add\" type=\"submit\">Place order</button></form><p id=\"thanks\" hidden>Thank you! Your order is placed.</p>",
        ),
    )?;
    for asset in ["style.css", "shop.js"] {
        copy(
            &root.join("www/assets").join(asset),
            &site.join("assets").join(asset),
        )?;
    }
    // The hostile pages, with their setup scripts and style sheet from www/hostile/.
    let setup = site.join("hostile/setup");
    std::fs::create_dir_all(&setup).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(root.join("www/hostile/setup")).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        copy(&path, &setup.join(path.file_name().unwrap_or_default()))?;
    }
    for page in &HOSTILE {
        write(&format!("hostile/{}.html", page.name), &page.html())?;
    }
    let chunks = dist::CHUNKS.iter().map(|(file, ..)| *file);
    for file in ["shelfwise.js", "shelfwise_bg.wasm"]
        .into_iter()
        .chain(chunks)
    {
        copy(&root.join("dist").join(file), &site.join("dist").join(file))?;
    }

    write_model(&store, &site)?;
    // The same model in parts, one item each (256 parts: the manifest names
    // them all), for the browser tests of sharded loading.
    let _ = std::fs::remove_dir_all(site.join("sharded"));
    build_model(&site, &["--items-per-part", "1", "--out-dir"], "sharded")?;
    eprintln!(
        "xtask: demo store with {} products in {} categories in {}",
        store.products.len(),
        CATEGORIES.len(),
        site.display()
    );
    Ok(site)
}

/// Writes the store's catalogue and sample sessions into `dir`, and the
/// model `shelfwise build` makes of them (`model.swm`); returns the model.
pub fn write_model(store: &Store, dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    for (file, text) in [
        ("catalog.csv", store.catalog_csv()),
        ("sample-events.csv", store.sample_events()),
    ] {
        std::fs::write(dir.join(file), text).map_err(|e| format!("writing {file}: {e}"))?;
    }
    build_model(dir, &["--out"], "model.swm")?;
    Ok(dir.join("model.swm"))
}

/// `shelfwise build` from the sessions and catalogue in `dir` into
/// `dir/to`, with `output` (the options before it).
fn build_model(dir: &Path, output: &[&str], to: &str) -> Result {
    exec(
        shelfwise()
            .args(["build", "--events"])
            .arg(dir.join("sample-events.csv"))
            .arg("--catalog")
            .arg(dir.join("catalog.csv"))
            .args(output)
            .arg(dir.join(to)),
    )
}

/// Where a hostile page runs its own script (`www/hostile/setup/NAME.js`).
#[derive(Clone, Copy, PartialEq)]
enum Setup {
    /// It has none.
    None,
    /// In the `<head>`, before Shelfwise's script tag.
    First,
    /// At the end of the `<body>`, after the widget.
    Last,
}

/// A page where a third-party script is not welcome
/// (`/hostile/NAME.html`, tested by `tests/e2e/hostile.test.mjs`).
struct Hostile {
    name: &'static str,
    title: &'static str,
    /// A `Content-Security-Policy` in a `<meta>`, or "".
    csp: &'static str,
    setup: Setup,
    /// More attributes on the script tag.
    attributes: &'static str,
    /// Whether the script tag is there twice.
    twice: bool,
}

impl Hostile {
    const fn new(name: &'static str, title: &'static str, setup: Setup) -> Hostile {
        Hostile {
            name,
            title,
            csp: "",
            setup,
            attributes: "",
            twice: false,
        }
    }

    /// The page: one `similar` widget in view (the merchant's order is
    /// sku-01001, sku-09004, sku-03006, sku-03004), with the README's
    /// anti-flicker rule (`setup/hold.css`).
    fn html(&self) -> String {
        let tag = |src: &str| {
            format!(
                "<script async src=\"{src}\" data-model=\"/model.swm\" data-hold-timeout=\"2000\"{}></script>\n",
                self.attributes
            )
        };
        let own = |when: Setup| {
            if self.setup == when {
                format!(
                    "<script src=\"/hostile/setup/{}.js\"></script>\n",
                    self.name
                )
            } else {
                String::new()
            }
        };
        let csp = if self.csp.is_empty() {
            String::new()
        } else {
            format!(
                "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n",
                self.csp
            )
        };
        format!(
            r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Hostile: {title}</title>
<link rel="stylesheet" href="/hostile/setup/hold.css">
{csp}{first}{tag}{again}</head>
<body>
<main><h1>Hats</h1><div data-shelfwise-view="sku-03005" data-shelfwise-category="Hats"></div>
<div id="w" data-shelfwise-widget="similar" data-shelfwise-anchor="sku-03005"><div data-item-id="sku-01001">A</div><div data-item-id="sku-09004">B</div><div data-item-id="sku-03006">C</div><div data-item-id="sku-03004">D</div></div>
<p id="host">The merchant's own content.</p></main>
{last}</body>
</html>
"#,
            title = self.title,
            first = own(Setup::First),
            tag = tag("/dist/shelfwise.js"),
            again = if self.twice {
                tag("/dist/shelfwise.js?again")
            } else {
                String::new()
            },
            last = own(Setup::Last),
        )
    }
}

/// The hostile pages; what each must end in is in `tests/e2e/hostile.test.mjs`.
const HOSTILE: [Hostile; 11] = [
    Hostile::new(
        "storage-getter-throws",
        "localStorage getter throws",
        Setup::First,
    ),
    Hostile::new(
        "storage-quota",
        "setItem throws QuotaExceededError",
        Setup::First,
    ),
    Hostile::new(
        "storage-corrupt",
        "corrupted and prototype-polluting stored values",
        Setup::First,
    ),
    Hostile {
        csp: "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'",
        ..Hostile::new("csp-wasm", "strict CSP with wasm-unsafe-eval", Setup::None)
    },
    Hostile {
        csp: "default-src 'self'; script-src 'self'; style-src 'self'",
        ..Hostile::new(
            "csp-no-wasm",
            "strict CSP without wasm-unsafe-eval",
            Setup::None,
        )
    },
    Hostile {
        csp: "script-src 'self' 'wasm-unsafe-eval'; require-trusted-types-for 'script'; trusted-types 'none'",
        ..Hostile::new("trusted-types", "Trusted Types required", Setup::None)
    },
    // With a collector, nobody held out: the widget's state must not depend on the draw.
    Hostile {
        attributes: " data-collector=\"/collect\" data-holdout=\"0\"",
        ..Hostile::new(
            "network-blocked",
            "fetch and sendBeacon blocked",
            Setup::First,
        )
    },
    Hostile {
        attributes: " data-collector=\"/collect\" data-holdout=\"0\"",
        ..Hostile::new(
            "network-patched",
            "fetch and sendBeacon wrapped by another script",
            Setup::First,
        )
    },
    Hostile {
        twice: true,
        ..Hostile::new("twice", "the script included twice", Setup::None)
    },
    Hostile::new("track-loop", "10,000 track calls in a loop", Setup::Last),
    Hostile::new(
        "children-removed",
        "a widget's children removed while it is reordered",
        Setup::Last,
    ),
];

fn copy(from: &Path, to: &Path) -> Result {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copying {}: {e}", from.display()))
}

/// Where the demo store and collector listen.
const DEMO_ADDR: &str = "127.0.0.1:8080";

/// The native shoppers whose week `cargo xtask demo` loads at its start.
const NATIVE_SHOPPERS: u32 = 6000;

/// `cargo xtask demo`: builds everything and serves the store, the collector
/// and its dashboard on 127.0.0.1:8080, while simulated shoppers browse it
/// so that the dashboard shows an experiment filling up.
pub fn run() -> Result {
    let notice = format!(
        "Demo data, all simulated: {NATIVE_SHOPPERS} shoppers of the simulated world (shelfwise-sim, natively, over the past week) loaded at start, then the browser simulator's shoppers as they come. No real shopper."
    );
    let (mut server, _, token) = start_store(&notice)?;
    // The token travels in the fragment, which the browser never sends; the
    // dashboard keeps it for its tab and takes it out of the address.
    eprintln!(
        "xtask: the store is at http://{DEMO_ADDR}/ and the dashboard at http://{DEMO_ADDR}/dashboard/#token={token} (Ctrl-C stops)"
    );
    // An experiment large enough to tell the arms apart, at once: the
    // world's shoppers over the past week, natively, through the
    // collector's front door.
    let loaded = exec(
        sim("beacons")
            .args(["--shoppers", &NATIVE_SHOPPERS.to_string(), "--model"])
            .arg(root().join("target/demo-site/model.swm"))
            .args(["--post", &format!("http://{DEMO_ADDR}/collect")]),
    );
    if let Err(e) = loaded {
        eprintln!(
            "xtask: the simulated week was not loaded ({e}); the dashboard fills from the browser shoppers only"
        );
    }
    // The browser simulation runs beside the server; its end is not the demo's.
    let simulation = simulator(&format!("http://{DEMO_ADDR}"), 200, 7).spawn();
    if let Err(e) = &simulation {
        eprintln!("xtask: the shopper simulator did not start ({e}); the store runs without it");
    }
    let status = server.wait().map_err(|e| e.to_string())?;
    if let Ok(mut child) = simulation {
        let _ = child.kill();
        let _ = child.wait();
    }
    if status.success() {
        Ok(())
    } else {
        Err(format!("shelfwise serve stopped ({status})"))
    }
}

/// `cargo xtask simulate [--url URL] [--shoppers N] [--days D]`: simulated
/// shoppers browse the store at URL — or, without one, a store and
/// collector started for the purpose on 127.0.0.1:8080, whose report is
/// printed at the end.
pub fn simulate(args: &[String]) -> Result {
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let number = |name: &str, default: u32| {
        value(name).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| format!("{name} takes a number, not {v:?}"))
        })
    };
    if args.iter().any(|a| a == "--native") {
        // The demo store's model, built from its sessions without the site.
        let model = write_model(&Store::demo(), &root().join("target/sim"))?;
        let json = native(&model, number("--shoppers", 10_000)?, number("--seed", 1)?)?;
        if args.iter().any(|a| a == "--json") {
            println!("{json}");
        } else {
            print!("{}", native_text(&json));
        }
        return Ok(());
    }
    let (shoppers, days) = (number("--shoppers", 200)?, number("--days", 7)?);
    crate::setup::browser()?;
    if let Some(url) = value("--url") {
        return exec(&mut simulator(&url, shoppers, days));
    }
    let (mut server, db, _) =
        start_store("Simulated shoppers of the browser simulator. No real shopper.")?;
    let simulated = exec(&mut simulator(
        &format!("http://{DEMO_ADDR}"),
        shoppers,
        days,
    ));
    let _ = server.kill();
    let _ = server.wait();
    simulated?;
    exec(shelfwise().args(["report", "--db"]).arg(db))
}

/// `shelfwise-sim MODE` (release build), as a command to add arguments to.
fn sim(mode: &str) -> Command {
    let mut command = crate::cmd("cargo");
    command.args([
        "run",
        "--quiet",
        "--release",
        "-p",
        "shelfwise-sim",
        "--",
        mode,
    ]);
    command
}

/// The paired native simulation (`shelfwise-sim native`) of `shoppers`
/// shoppers of the world seeded `seed`, on the demo store's `model`: its
/// JSON object.
pub fn native(model: &Path, shoppers: u32, seed: u32) -> Result<serde_json::Value> {
    let mut command = sim("native");
    command.arg("--model").arg(model).args([
        "--shoppers",
        &shoppers.to_string(),
        "--seed",
        &seed.to_string(),
    ]);
    let out = crate::capture(&mut command)?;
    let line = out.lines().last().unwrap_or_default();
    serde_json::from_str(line).map_err(|e| format!("shelfwise-sim native printed {line:?}: {e}"))
}

/// The native simulation's JSON as a table: each arm, and the lift with
/// its 95 % interval.
fn native_text(json: &serde_json::Value) -> String {
    let mut out = format!(
        "{} shoppers (seed {}), each in both arms, in {:.2} s\n{:<20}{:>14}{:>14}{:>36}\n",
        json["shoppers"],
        json["seed"],
        json["seconds"].as_f64().unwrap_or(0.0),
        "metric",
        "personalized",
        "holdout",
        "lift (95% interval)"
    );
    for metric in ["conversion_rate", "widget_ctr", "revenue_per_visit"] {
        let arm = |a: &str| json[a][metric].as_f64().unwrap_or(0.0);
        let lift: Vec<f64> = (0..3)
            .map(|i| json["lift"][metric][i].as_f64().unwrap_or(0.0))
            .collect();
        let _ = writeln!(
            out,
            "{metric:<20}{:>14.4}{:>14.4}{:>36}",
            arm("personalized"),
            arm("holdout"),
            format!("{:+.4} [{:+.4}, {:+.4}]", lift[0], lift[1], lift[2])
        );
    }
    out
}

/// A fresh admin token: 32 random bytes from the OS, in hex.
fn admin_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
        .map_err(|e| format!("reading /dev/urandom: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The simulator's command line.
fn simulator(url: &str, shoppers: u32, days: u32) -> Command {
    let mut command = crate::cmd("node");
    command
        .arg("sim/simulate.mjs")
        .args(["--url", url, "--holdout", "0.5"])
        .args(["--shoppers", &shoppers.to_string()])
        .args(["--days", &days.to_string()]);
    command
}

/// Builds everything and starts `shelfwise serve` for the demo store with a
/// fresh collector database and a fresh admin token, its dashboard saying
/// `notice`; returns once it answers, with the database and the token.
fn start_store(notice: &str) -> Result<(Child, PathBuf, String)> {
    crate::setup::build_tools()?;
    crate::setup::browser()?;
    dist::run()?;
    let site = build_site()?;
    let db = root().join("target/demo-collector.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let mut command = shelfwise();
    command
        .args(["serve", "--notice", notice, "--addr", DEMO_ADDR, "--static"])
        .arg(&site)
        .arg("--db")
        .arg(&db)
        .arg("--dashboard")
        .arg(root().join("dist/dashboard"));
    let token = admin_token()?;
    command.env("SHELFWISE_ADMIN_TOKEN", &token);
    eprintln!("xtask: $ {}", crate::describe(&command));
    let mut server = command.spawn().map_err(|e| e.to_string())?;
    for _ in 0..600 {
        if TcpStream::connect(DEMO_ADDR).is_ok() {
            return Ok((server, db, token));
        }
        if let Ok(Some(status)) = server.try_wait() {
            return Err(format!(
                "shelfwise serve stopped ({status}); is {DEMO_ADDR} in use?"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = server.kill();
    Err(format!(
        "shelfwise serve did not answer on {DEMO_ADDR} within a minute"
    ))
}
