//! The `shelfwise` command as users run it: golden output, determinism,
//! malformed input and degenerate logs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn shelfwise(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shelfwise"))
        .args(args)
        .output()
        .expect("the shelfwise binary runs")
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shelfwise-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn build(events: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", "--events", events, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    shelfwise(&args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The fixture's model, pinned: 24 visits of 12 shoppers (cut from user ids
/// at 30 minutes), categories from the log. A change here is a change of
/// every merchant's model: it must be deliberate.
#[test]
fn the_golden_fixture_gives_the_same_model() {
    let (a, b) = (temp("golden-a.swm"), temp("golden-b.swm"));
    for out in [&a, &b] {
        let o = build(&fixture("events.csv"), out, &["--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(report["rows"], 106);
        assert_eq!(report["sessions"], 24, "{report}");
    }
    let (bytes_a, bytes_b) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_eq!(
        bytes_a, bytes_b,
        "the same input gives byte-identical models"
    );
    let o = shelfwise(&["inspect", "--json", a.to_str().unwrap()]);
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["items"], 18);
    assert_eq!(summary["categories"], 3);
    assert_eq!(summary["edges"], 84, "{summary}");
    assert_eq!(summary["checksum"], "7a4748ca7ca452ec", "{summary}");
    assert_eq!(summary["version"], 2, "{summary}");
}

#[test]
fn malformed_rows_are_named_by_line_or_fail_the_build_with_strict() {
    let events = temp("malformed.csv");
    std::fs::write(
        &events,
        "session_id,timestamp,item_id\ns1,1,a\ns1,2,b\ns1,yesterday,c\ns2,3,\ns2,4,a\ns2,5,c\n",
    )
    .unwrap();
    let out = temp("malformed.swm");
    let o = build(events.to_str().unwrap(), &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("skipped line 4: unreadable timestamp"),
        "{err}"
    );
    assert!(err.contains("skipped line 5: missing item id"), "{err}");
    assert!(err.contains("6 rows (2 skipped)"), "{err}");

    let o = build(events.to_str().unwrap(), &out, &["--strict"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("line 4: unreadable timestamp"),
        "{}",
        stderr(&o)
    );
}

/// The sessions format is read in parts, one per core; the same sessions
/// as CSV are read in one pass. Both give the same model, and a bad line
/// late in the file is named by its line in the whole file.
#[test]
fn sessions_read_in_parts_build_what_the_same_csv_builds() {
    let sessions: Vec<Vec<String>> = (0..400u32)
        .map(|s| {
            (0..2 + s % 5)
                .map(|i| format!("p{}", (s * 7 + i * 3) % 90))
                .collect()
        })
        .collect();
    let mut text: Vec<u8> = Vec::new();
    let mut csv = String::from("session_id,timestamp,item_id\n");
    for (s, items) in sessions.iter().enumerate() {
        text.extend_from_slice(items.join(" ").as_bytes());
        text.push(b'\n');
        for (t, item) in items.iter().enumerate() {
            csv += &format!("s{s},{t},{item}\n");
        }
    }
    // Line 391 is not UTF-8: skipped, like a malformed CSV row.
    let at = text.len()
        - sessions[390..]
            .iter()
            .map(|s| s.join(" ").len() + 1)
            .sum::<usize>();
    text.splice(at..at, b"\xff\n".iter().copied());
    let (sessions_file, csv_file) = (temp("parts.txt"), temp("parts.csv"));
    std::fs::write(&sessions_file, &text).unwrap();
    std::fs::write(&csv_file, &csv).unwrap();
    let (a, b) = (temp("parts-a.swm"), temp("parts-b.swm"));
    let o = build(
        sessions_file.to_str().unwrap(),
        &a,
        &["--format", "sessions"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("skipped line 391: not UTF-8"),
        "{}",
        stderr(&o)
    );
    let o = build(csv_file.to_str().unwrap(), &b, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let o = build(sessions_file.to_str().unwrap(), &a, &["--strict"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("line 391: not UTF-8"), "{}", stderr(&o));
}

#[test]
fn empty_and_single_item_logs_give_valid_models() {
    for (name, text) in [
        ("empty.csv", ""),
        ("header-only.csv", "session_id,item_id\n"),
        ("single.csv", "session_id,item_id\ns1,only\n"),
    ] {
        let events = temp(name);
        std::fs::write(&events, text).unwrap();
        let out = temp(&format!("{name}.swm"));
        let o = build(events.to_str().unwrap(), &out, &[]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let o = shelfwise(&["inspect", out.to_str().unwrap()]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
    }
}

#[test]
fn a_catalog_with_quoted_fields_keeps_its_categories_and_flags() {
    let events = temp("catalog-events.csv");
    std::fs::write(
        &events,
        "session_id,item_id\ns1,mug\ns1,pan\ns2,mug\ns2,pan\n",
    )
    .unwrap();
    let catalog = temp("catalog.csv");
    std::fs::write(
        &catalog,
        "item_id,name,category,out_of_stock\nmug,\"Mug, \"\"large\"\"\",\"Cups; mugs\",0\npan,\"Pan\nwith a note\",Pans,TRUE\n",
    )
    .unwrap();
    let out = temp("catalog.swm");
    let o = build(
        events.to_str().unwrap(),
        &out,
        &["--catalog", catalog.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for (item, expected) in [
        ("mug", "category Cups; mugs, flags 0"),
        ("pan", "category Pans, flags 1"),
    ] {
        let o = shelfwise(&["inspect", out.to_str().unwrap(), "--item", item]);
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains(expected), "{item}: {text}");
    }
}

#[test]
fn a_malformed_pair_table_names_its_line() {
    let pairs = temp("pairs.csv");
    std::fs::write(
        &pairs,
        "item_id,item_count,neighbor_id,weight\na,3,b,0.5\nb,2,,\nc,x,a,1\n",
    )
    .unwrap();
    let out = temp("pairs.swm");
    let o = shelfwise(&[
        "build",
        "--pairs",
        pairs.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("line 4: unreadable item_count"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn given_parameters_turn_learning_off() {
    let o = shelfwise(&[
        "learn",
        "--events",
        &fixture("events.csv"),
        "--popularity-exponent",
        "0.3",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["popularity_exponent"], 0.3);
    assert_eq!(v["distance_exponent"], 1.0);
    assert_eq!(v["revisit_share"], serde_json::Value::Null);
}

#[test]
fn the_command_says_its_version() {
    let out = shelfwise(&["--version"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("shelfwise {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn every_command_answers_help_with_its_own_usage_and_options() {
    for (command, option) in [
        ("build", "--events"),
        ("learn", "--sql"),
        ("inspect", "--item"),
        ("eval", "--baseline"),
        ("serve", "--admin-token-file"),
        ("report", "--max-orders-per-visit"),
    ] {
        for flag in ["--help", "-h"] {
            let out = shelfwise(&[command, flag]);
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{command} {flag}: {out:?}");
            assert!(
                text.contains(&format!("shelfwise {command} ")),
                "{command}: {text}"
            );
            assert!(
                text.contains(option),
                "{command} help names {option}: {text}"
            );
            let others = ["build", "eval", "serve"].iter().filter(|c| **c != command);
            for other in others {
                assert!(
                    !text.contains(&format!("shelfwise {other} ")),
                    "{command}: {text}"
                );
            }
        }
    }
}

/// The fixture built as a sharded model into `dir`.
fn build_sharded(dir: &Path, per_part: &str, extra: &[&str]) -> Output {
    let events = fixture("events.csv");
    let mut args = vec![
        "build",
        "--events",
        &events,
        "--out-dir",
        dir.to_str().unwrap(),
        "--items-per-part",
        per_part,
    ];
    args.extend_from_slice(extra);
    shelfwise(&args)
}

#[test]
fn a_sharded_build_is_deterministic_and_inspect_validates_every_file() {
    let (a, b) = (temp("sharded-a"), temp("sharded-b"));
    for dir in [&a, &b] {
        let o = build_sharded(dir, "2", &[]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let listing = |dir: &Path| {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .map(|e| {
                (
                    e.file_name().into_string().unwrap(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    assert_eq!(
        listing(&a),
        listing(&b),
        "the same input gives the same files"
    );
    let manifest = a.join("manifest.swm");
    let o = shelfwise(&["inspect", "--json", manifest.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["items"], 18, "{summary}");
    assert_eq!(
        summary["edges"], 84,
        "the whole model's neighbours: {summary}"
    );
    assert_eq!(summary["part_bits"], 4, "{summary}");
    let o = shelfwise(&["inspect", manifest.to_str().unwrap(), "--item", "sku-4"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // A part missing, or changed: the set is refused, naming the file.
    let part = listing(&a)
        .into_iter()
        .find(|(name, _)| name.ends_with(".swp"))
        .unwrap();
    let path = a.join(&part.0);
    let mut changed = part.1.clone();
    *changed.last_mut().unwrap() ^= 1;
    std::fs::write(&path, &changed).unwrap();
    let o = shelfwise(&["inspect", manifest.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains(&part.0), "{}", stderr(&o));
    std::fs::remove_file(&path).unwrap();
    let o = shelfwise(&["inspect", manifest.to_str().unwrap()]);
    assert!(stderr(&o).contains(&part.0), "{}", stderr(&o));
}

#[test]
fn a_build_following_the_last_on_the_same_data_writes_the_same_files() {
    let (last, next) = (temp("follow-last"), temp("follow-next"));
    let o = build_sharded(&last, "2", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest = last.join("manifest.swm");
    let o = build_sharded(&next, "2", &["--previous", manifest.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let names = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(&last), names(&next));
    // A previous build that does not check out is refused, naming the file.
    let part = names(&last)
        .into_iter()
        .find(|n| n.ends_with(".swp"))
        .unwrap();
    std::fs::remove_file(last.join(&part)).unwrap();
    let o = build_sharded(
        &temp("follow-refused"),
        "2",
        &["--previous", manifest.to_str().unwrap()],
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains(&part), "{}", stderr(&o));
}

#[test]
fn eval_through_parts_scores_exactly_as_the_whole_file_and_counts_bytes() {
    let (train, test) = (temp("eval-train.txt"), temp("eval-test.tsv"));
    let sessions: Vec<String> = (0..60)
        .map(|s| {
            (0..5)
                .map(|k| format!("i{}", (s * 7 + k * k) % 40))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    std::fs::write(&train, sessions.join("\n")).unwrap();
    let cases: Vec<String> = (0..30)
        .map(|s| format!("i{} i{}\ti{}", s % 40, (s * 3) % 40, (s * 7 + 1) % 40))
        .collect();
    std::fs::write(&test, cases.join("\n")).unwrap();
    let eval = |extra: &[&str]| {
        let mut args = vec![
            "eval",
            "--train",
            train.to_str().unwrap(),
            "--test",
            test.to_str().unwrap(),
            "--json",
        ];
        args.extend_from_slice(extra);
        let o = shelfwise(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = String::from_utf8(o.stdout).unwrap();
        serde_json::from_str::<serde_json::Value>(out.lines().last().unwrap()).unwrap()
    };
    let whole = eval(&[]);
    let sharded = eval(&["--sharded", "--items-per-part", "2"]);
    assert!(whole["hr"].as_f64().unwrap() > 0.0, "{whole}");
    assert_eq!(whole["hr"], sharded["hr"]);
    assert_eq!(whole["mrr"], sharded["mrr"]);
    assert_eq!(whole["coverage"], sharded["coverage"]);
    assert!(whole.get("bytes_per_case").is_none());
    let per_case = sharded["bytes_per_case"].as_f64().unwrap();
    let files = sharded["files_per_case"].as_f64().unwrap();
    assert!(per_case > 0.0 && files >= 1.0, "{sharded}");
    assert!(
        per_case < whole["model_gzip_bytes"].as_f64().unwrap(),
        "a case loads less than the whole file: {sharded}"
    );

    // The same model built by `build`, then scored: as one file, as parts.
    let (file, dir) = (temp("eval-built.swm"), temp("eval-built"));
    for out in [
        ["--out", file.to_str().unwrap()],
        ["--out-dir", dir.to_str().unwrap()],
    ] {
        let mut args = vec![
            "build",
            "--events",
            train.to_str().unwrap(),
            "--format",
            "sessions",
        ];
        args.extend_from_slice(&out);
        let o = shelfwise(&args);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let manifest = dir.join("manifest.swm");
    for model in [&file, &manifest] {
        let o = shelfwise(&[
            "eval",
            "--model",
            model.to_str().unwrap(),
            "--test",
            test.to_str().unwrap(),
            "--json",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = String::from_utf8(o.stdout).unwrap();
        let built: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
        assert_eq!(whole["hr"], built["hr"], "{built}");
        assert_eq!(whole["mrr"], built["mrr"], "{built}");
        assert_eq!(
            built.get("bytes_per_case").is_some(),
            model == &manifest,
            "{built}"
        );
    }
}
