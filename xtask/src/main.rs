//! `cargo xtask`: Shelfwise's build orchestration.
//!
//! - `cargo xtask demo`  — install what is missing, build everything, build the
//!   demo model and serve the demo store on http://127.0.0.1:8080/
//! - `cargo xtask test`  — every check and test: fmt, clippy (host and wasm),
//!   native tests, browser tests, package tests, end-to-end tests
//! - `cargo xtask dist`  — build `dist/` (script tag, wasm, npm package)
//! - `cargo xtask bench` — size, speed and quality benchmarks
//! - `cargo xtask simulate` — simulated shoppers browse the demo store
//!   (personalized against holdout) and the collector's report is printed;
//!   with `--native [--shoppers N] [--seed S] [--json]`, the same world's
//!   shoppers shop natively through the core, each in both arms
//! - `cargo xtask fuzz [SECONDS] [TARGET]` — run the fuzz targets (the model
//!   decoder, the collector's beacon parser), each for SECONDS
//!
//! Every command installs the tools it needs first, idempotently: a second
//! run finds them and skips the installs.

mod bench;
mod demo;
mod dist;
mod picture;
mod setup;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

type Result<T = ()> = std::result::Result<T, String>;

const USAGE: &str = "usage: cargo xtask <demo | test | dist | bench | simulate [--url URL] [--shoppers N] [--days D] | simulate --native [--shoppers N] [--seed S] [--json] | fuzz [SECONDS] [TARGET] | site>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo::run(),
        Some("test") => test(),
        Some("dist") => setup::build_tools().and_then(|()| dist::run()),
        Some("bench") => bench::run(),
        Some("simulate") => demo::simulate(&args[1..]),
        Some("fuzz") => args
            .get(1)
            .map_or(Ok(60), |s| s.parse().map_err(|_| USAGE.to_owned()))
            .and_then(|seconds| fuzz(seconds, args.get(2).map(String::as_str))),
        Some("site") => setup::build_tools().and_then(|()| demo::build_site().map(|_| ())),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// A command run from the repository root with the project's tools on PATH.
fn cmd(program: &str) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(root())
        .env("PATH", setup::path_with_tools());
    command
}

/// The project's own `shelfwise` command (release build), as a command to
/// add arguments to.
fn shelfwise() -> Command {
    let mut command = cmd("cargo");
    command.args(["run", "--quiet", "--release", "-p", "shelfwise-cli", "--"]);
    command
}

/// Runs `command` and returns what it printed, failing with its
/// description and its errors if it does not succeed.
fn capture(command: &mut Command) -> Result<String> {
    let out = command
        .output()
        .map_err(|e| format!("{}: {e}", describe(command)))?;
    if !out.status.success() {
        return Err(format!(
            "`{}` failed: {}",
            describe(command),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs `command`, failing with its description if it does not succeed.
fn exec(command: &mut Command) -> Result {
    eprintln!("xtask: $ {}", describe(command));
    let status = command
        .status()
        .map_err(|e| format!("{}: {e}", describe(command)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)))
    }
}

fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Every test, in order of cost: static checks, native tests, browser tests,
/// the built package, end to end.
fn test() -> Result {
    setup::build_tools()?;
    setup::browser()?;
    exec(cmd("cargo").args(["fmt", "--all", "--", "--check"]))?;
    exec(cmd("cargo").args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]))?;
    // The command without its collector: models only.
    exec(cmd("cargo").args([
        "clippy",
        "-p",
        "shelfwise-cli",
        "--no-default-features",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    for selection in [
        &["-p", "shelfwise", "--all-targets"][..],
        &["-p", "shelfwise-core", "--lib"],
    ] {
        let mut clippy = cmd("cargo");
        clippy
            .args(["clippy", "--target", "wasm32-unknown-unknown"])
            .args(selection);
        exec(clippy.args(["--", "-D", "warnings"]))?;
    }
    let postgres = setup::postgres()?;
    exec(
        cmd("cargo")
            .args(["test", "--workspace", "--all-features"])
            .env("SHELFWISE_TEST_POSTGRES", &postgres.url)
            .env("SHELFWISE_TEST_POSTGRES_TLS", &postgres.tls_url),
    )?;
    drop(postgres);
    exec(
        cmd("cargo")
            .args([
                "test",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                "shelfwise",
            ])
            .env("CHROMEDRIVER", "/usr/bin/chromedriver"),
    )?;
    dist::run()?;
    dist::check_glue()?;
    demo::build_site()?;
    // The browser simulator's mind (sim/simulate.mjs runs it), built once here.
    exec(cmd("cargo").args(["build", "--release", "--locked", "-p", "shelfwise-sim"]))?;
    let pyspark = setup::spark()?;
    exec(
        cmd("node")
            .args([
                "--test",
                "--test-concurrency=1",
                "tests/unit/",
                "tests/e2e/",
                "tests/sql/",
            ])
            .env("SHELFWISE_PYSPARK", pyspark),
    )
}

/// Seeds a target's corpus (`fuzz/corpus/TARGET`, not committed) with
/// valid inputs for the fuzzer to mutate: the demo store's model (when
/// built) for `decode`; a click and an order batch for `beacons`; a few
/// campaign rules for `rules`.
fn seed_corpus(target: &str) -> Result {
    let dir = root().join("fuzz/corpus").join(target);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let seeds: Vec<(&str, Vec<u8>)> = match target {
        "decode" => std::fs::read(root().join("target/demo-site/model.swm"))
            .map(|model| vec![("demo-model", model)])
            .unwrap_or_default(),
        "beacons" => vec![
            (
                "click",
                br#"{"v":1,"dropped":0,"events":[{"id":"0123456789abcdef0123456789abcdef","visit":"00000000000000ff","type":"click","arm":"personalized","page":"product","widget":"similar","position":3,"hour":494000}]}"#.to_vec(),
            ),
            (
                "order",
                br#"{"v":1,"events":[{"id":"0123456789abcdef0123456789abcde0","visit":"00000000000000fe","type":"order","arm":"holdout","page":"checkout","value":60,"currency":"EUR","hour":494000},{"id":"0123456789abcdef0123456789abcde1","visit":"00000000000000fe","type":"page_view","arm":"holdout","page":"home","hour":5}]}"#.to_vec(),
            ),
        ],
        "rules" => vec![
            ("greeting", b"returning !buyer".to_vec()),
            (
                "campaign",
                br#"from:email season:winter | category:"Green tea" pref:diet=vegan"#.to_vec(),
            ),
            ("context", b"device:mobile daypart:evening lang:de !cart:empty".to_vec()),
        ],
        _ => Vec::new(),
    };
    for (name, bytes) in seeds {
        let path = dir.join(format!("seed-{name}"));
        if !path.exists() {
            std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// The fuzz targets in `fuzz/fuzz_targets/`.
const FUZZ_TARGETS: [&str; 3] = ["decode", "beacons", "rules"];

/// Fuzzes `target` (or every target, one after the other) for `seconds`
/// each with cargo-fuzz (on the pinned nightly, [`setup::NIGHTLY`]).
fn fuzz(seconds: u64, target: Option<&str>) -> Result {
    setup::cargo_fuzz()?;
    let targets: Vec<&str> = match target {
        Some(t) if FUZZ_TARGETS.contains(&t) => vec![t],
        Some(t) => return Err(format!("no fuzz target {t:?}; there are {FUZZ_TARGETS:?}")),
        None => FUZZ_TARGETS.to_vec(),
    };
    for target in targets {
        seed_corpus(target)?;
        exec(cmd("cargo").args([
            &format!("+{}", setup::NIGHTLY),
            "fuzz",
            "run",
            target,
            "--",
            &format!("-max_total_time={seconds}"),
            "-rss_limit_mb=2048",
            "-timeout=10",
        ]))?;
    }
    Ok(())
}
