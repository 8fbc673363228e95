//! `shelfwise-sim`: the simulated world's shoppers.
//!
//! ```text
//! shelfwise-sim native --model FILE [--shoppers N] [--seed S] [--threads T]
//! ```
//!
//! runs the paired native experiment on the demo store with the model in
//! FILE and prints its JSON object on one line (`../shared/DESIGN.md`,
//! "Native simulation").

use std::process::ExitCode;
use std::time::Instant;

use shelfwise_core::model::Source;
use shelfwise_sim::native;
use shelfwise_sim::store::Store;

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
            let path = value("--model").ok_or("native needs --model FILE")?;
            let bytes = std::fs::read(path).map_err(|e| format!("reading {path}: {e}"))?;
            let model = Source::decode(bytes).map_err(|e| format!("{path}: {}", e.as_str()))?;
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
        _ => Err(
            "usage: shelfwise-sim native --model FILE [--shoppers N] [--seed S] [--threads T]"
                .into(),
        ),
    }
}
