//! `cargo xtask dist`: builds `dist/`.
//!
//! ```text
//! dist/shelfwise.js        script-tag build (IIFE), loads shelfwise_bg.wasm beside it
//! dist/shelfwise_bg.wasm
//! dist/npm/                the npm package: ESM + wasm + TypeScript types
//! ```
//!
//! Steps: cargo (release, wasm32) → wasm-bindgen `--target web` →
//! wasm-opt `-Oz` (npm binaryen, never Debian's) → esbuild bundles the
//! TypeScript façade around the generated glue twice (IIFE and ESM) → tsc
//! emits the declarations.

use std::io::Write;
use std::path::Path;

use crate::{Result, cmd, exec, root};

/// Size budget of wasm + script-tag JS, gzip, in bytes (issue: ≤ 60 KB).
pub const BUDGET_GZIP: usize = 60 * 1000;

/// Post-MVP features Rust's wasm32 target emits by default; wasm-opt must
/// be told it may keep them.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
];

pub fn run() -> Result {
    let root = root();
    let build = root.join("target/js-build");
    let src = build.join("src");
    let dist = root.join("dist");
    exec(cmd("cargo").args([
        "build",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "shelfwise",
    ]))?;
    let _ = std::fs::remove_dir_all(&build);
    exec(
        cmd("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--out-name",
                "shelfwise",
                "--remove-name-section",
                "--remove-producers-section",
                "--out-dir",
            ])
            .arg(src.join("wasm"))
            .arg(root.join("target/wasm32-unknown-unknown/release/shelfwise.wasm")),
    )?;
    let wasm = src.join("wasm/shelfwise_bg.wasm");
    exec(
        cmd("wasm-opt")
            .args(["-Oz", "--converge"])
            .args(WASM_FEATURES)
            .arg(&wasm)
            .arg("-o")
            .arg(&wasm),
    )?;
    for entry in std::fs::read_dir(root.join("pkg-templates/src")).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        copy(&path, &src.join(path.file_name().unwrap_or_default()))?;
    }
    copy(
        &root.join("pkg-templates/tsconfig.json"),
        &build.join("tsconfig.json"),
    )?;

    let _ = std::fs::remove_dir_all(&dist);
    std::fs::create_dir_all(dist.join("npm")).map_err(|e| e.to_string())?;
    let esbuild = |entry: &str, format: &str, out: &Path| {
        exec(
            cmd("esbuild")
                .arg(src.join(entry))
                .args([
                    "--bundle",
                    "--minify",
                    "--target=es2020",
                    "--legal-comments=none",
                    "--log-level=warning",
                ])
                // The glue's default wasm URL uses import.meta, empty in an IIFE;
                // the façade always passes the URL, so that path never runs.
                .arg("--log-override:empty-import-meta=silent")
                .arg(format!("--format={format}"))
                .arg(format!("--outfile={}", out.display())),
        )
    };
    esbuild("standalone.ts", "iife", &dist.join("shelfwise.js"))?;
    // The script tag fetches the exit-intent pop-up only when it shows.
    esbuild("popup.ts", "esm", &dist.join("shelfwise-popup.js"))?;
    esbuild("index.ts", "esm", &dist.join("npm/shelfwise.js"))?;
    exec(
        cmd("tsc")
            .arg("-p")
            .arg(build.join("tsconfig.json"))
            .arg("--outDir")
            .arg(dist.join("npm/types")),
    )?;
    // Only the public declarations ship; the runtime's reach into the glue.
    for entry in std::fs::read_dir(dist.join("npm/types")).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let keep = ["index.d.ts", "types.d.ts"]
            .iter()
            .any(|k| path.ends_with(k));
        if !keep {
            let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
        }
    }
    copy(&wasm, &dist.join("shelfwise_bg.wasm"))?;
    copy(&wasm, &dist.join("npm/shelfwise_bg.wasm"))?;
    copy(
        &root.join("pkg-templates/package.json"),
        &dist.join("npm/package.json"),
    )?;
    copy(
        &root.join("pkg-templates/README.md"),
        &dist.join("npm/README.md"),
    )?;

    let sizes = sizes()?;
    for (name, raw, gzip) in &sizes {
        eprintln!("xtask: {name:<28} {raw:>7} B raw {gzip:>7} B gzip");
    }
    let total: usize = sizes.iter().map(|s| s.2).sum();
    eprintln!("xtask: script tag total {total} B gzip (budget {BUDGET_GZIP} B)");
    Ok(())
}

/// (file, raw bytes, gzip bytes) of what a script-tag page downloads.
pub fn sizes() -> Result<Vec<(String, usize, usize)>> {
    ["dist/shelfwise.js", "dist/shelfwise_bg.wasm"]
        .iter()
        .map(|name| {
            let bytes = std::fs::read(root().join(name)).map_err(|e| format!("{name}: {e}"))?;
            Ok(((*name).to_owned(), bytes.len(), gzip_len(&bytes)?))
        })
        .collect()
}

/// Length of `bytes` gzipped at the best level.
pub fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    Ok(encoder.finish().map_err(|e| e.to_string())?.len())
}

/// The CI gate on the built glue: no `eval`, no `new Function`, no string
/// timers (they fail under a strict CSP), and the size budget.
pub fn check_glue() -> Result {
    for name in ["dist/shelfwise.js", "dist/npm/shelfwise.js"] {
        let text =
            std::fs::read_to_string(root().join(name)).map_err(|e| format!("{name}: {e}"))?;
        for banned in [
            "eval(",
            "new Function",
            "Function(",
            "setTimeout(\"",
            "setTimeout('",
            "setInterval(\"",
            "setInterval('",
            ".innerHTML",
            "document.write",
        ] {
            if text.contains(banned) {
                return Err(format!("{name} contains `{banned}`"));
            }
        }
    }
    let total: usize = sizes()?.iter().map(|s| s.2).sum();
    if total > BUDGET_GZIP {
        return Err(format!(
            "dist/ is {total} B gzip, over the {BUDGET_GZIP} B budget"
        ));
    }
    eprintln!("xtask: glue checks passed (no eval, no Function, no string timers; {total} B gzip)");
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copying {} to {}: {e}", from.display(), to.display()))
}
