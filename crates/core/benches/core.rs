//! Native benchmarks of the core: model decode + validation throughput and
//! ranking latency. `cargo bench -p shelfwise-core --features encode`
//! prints one JSON object per line (read by `cargo xtask bench`).
//!
//! Inputs are synthetic and seeded: a 50,000-item model with 32 neighbours
//! per item, a 50-event profile, 100 candidates; for the exit-intent
//! detector, the labelled traces of `tests/exit/traces.jsonl`.

use std::hint::black_box;
use std::time::Instant;

#[path = "../tests/exit/corpus.rs"]
mod corpus;

use shelfwise_core::exit::{Detector, Sensitivity};
use shelfwise_core::model::{ItemMeta, Model, ModelBuilder};
use shelfwise_core::profile::{EventKind, Profile};
use shelfwise_core::rank::{RankOptions, rank, recommend};

const ITEMS: u32 = 50_000;
const NEIGHBORS: u32 = 32;
const NOW: u64 = 1_800_000_000_000;

fn lcg(state: &mut u64) -> u32 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*state >> 33) as u32
}

fn model() -> Vec<u8> {
    let mut b = ModelBuilder::new();
    let mut s = 7;
    for i in 0..ITEMS {
        let id = format!("item-{i}");
        b.set_meta(
            &id,
            ItemMeta {
                category: Some(format!("cat-{}", i % 200)),
                ..ItemMeta::default()
            },
        );
        for k in 0..NEIGHBORS {
            let j = (i + 1 + lcg(&mut s) % 500) % ITEMS;
            b.add_neighbor(&id, &format!("item-{j}"), 1.0 / (1 + k) as f32);
        }
    }
    b.encode()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let bytes = model();
    // The Chromium benchmark reads the same model (cargo xtask bench sets this).
    if let Some(path) = std::env::var_os("SHELFWISE_BENCH_MODEL") {
        std::fs::write(path, &bytes).unwrap();
    }
    // Decode + full validation, repeated.
    let runs: Vec<f64> = (0..15)
        .map(|_| {
            let t = Instant::now();
            black_box(Model::decode(black_box(&bytes[..])).unwrap());
            t.elapsed().as_secs_f64()
        })
        .collect();
    let secs = median(runs);
    println!(
        "{{\"bench\":\"decode_native\",\"bytes\":{},\"median_ms\":{:.3},\"mb_per_s\":{:.0}}}",
        bytes.len(),
        secs * 1e3,
        bytes.len() as f64 / secs / 1e6
    );

    let m = Model::decode(&bytes[..]).unwrap();
    let mut s = 11;
    let mut profile = Profile::new();
    for e in 0..50u64 {
        let i = lcg(&mut s) % ITEMS;
        let kind = if e % 10 == 0 {
            EventKind::AddToCart
        } else {
            EventKind::View
        };
        profile.record(
            kind,
            &format!("item-{i}"),
            Some(&format!("cat-{}", i % 200)),
            0.0,
            NOW - (50 - e) * 60_000,
        );
    }
    let candidates: Vec<String> = (0..100)
        .map(|_| format!("item-{}", lcg(&mut s) % ITEMS))
        .collect();
    let options = RankOptions::new(NOW);
    for _ in 0..1000 {
        black_box(rank(&m, &profile, &candidates, &options));
    }
    let samples: Vec<f64> = (0..200)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..100 {
                black_box(rank(
                    &m,
                    black_box(&profile),
                    black_box(&candidates),
                    &options,
                ));
            }
            t.elapsed().as_secs_f64() / 100.0
        })
        .collect();
    println!(
        "{{\"bench\":\"rank_native\",\"candidates\":100,\"profile_events\":50,\"items\":{ITEMS},\"median_us\":{:.2}}}",
        median(samples) * 1e6
    );
    let samples: Vec<f64> = (0..50)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..20 {
                black_box(recommend(&m, black_box(&profile), &options, 20));
            }
            t.elapsed().as_secs_f64() / 20.0
        })
        .collect();
    println!(
        "{{\"bench\":\"recommend_native\",\"limit\":20,\"profile_events\":50,\"items\":{ITEMS},\"median_us\":{:.2}}}",
        median(samples) * 1e6
    );
    exit_intent();
}

/// The detector's cost per input over the whole corpus, and each preset's
/// precision and recall on it (all traces, desktop, mobile).
fn exit_intent() {
    let traces = corpus::traces();
    let inputs: usize = traces.iter().map(|t| t.inputs.len()).sum();
    let thresholds = Sensitivity::Medium.thresholds();
    let samples: Vec<f64> = (0..30)
        .map(|_| {
            let t = Instant::now();
            for trace in &traces {
                let mut d = Detector::new(thresholds, trace.viewport, 0);
                for &(at, input) in &trace.inputs {
                    black_box(d.input(at, black_box(input)));
                }
            }
            t.elapsed().as_secs_f64() / inputs as f64
        })
        .collect();
    println!(
        "{{\"bench\":\"exit_detector_native\",\"inputs\":{inputs},\"median_ns_per_input\":{:.1}}}",
        median(samples) * 1e9
    );
    for (name, preset) in [
        ("low", Sensitivity::Low),
        ("medium", Sensitivity::Medium),
        ("high", Sensitivity::High),
    ] {
        for (device, keep) in [
            ("all", None),
            ("desktop", Some(false)),
            ("mobile", Some(true)),
        ] {
            let s = corpus::score(&traces, preset.thresholds(), |t| {
                keep.is_none_or(|mobile| t.mobile == mobile)
            });
            println!(
                "{{\"bench\":\"exit_corpus\",\"preset\":\"{name}\",\"device\":\"{device}\",\"exits\":{},\"stays\":{},\"recall\":{:.3},\"precision\":{:.3},\"false_alarm_rate\":{:.3}}}",
                s.exits,
                s.stays,
                s.recall(),
                s.precision(),
                s.false_alarm_rate()
            );
        }
    }
}
