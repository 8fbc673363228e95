//! Installs the tools the build needs, each only when missing: the wasm
//! target, the wasm-bindgen CLI at exactly the crate's version, the npm
//! tools (wasm-opt, esbuild, TypeScript, Vite, Playwright), Chromium and
//! ChromeDriver from Debian, PostgreSQL from Debian (for a throwaway
//! cluster the collector's tests use), Apache Spark (Java 17 from Debian,
//! `pyspark` from PyPI) for the SQL tests, and cargo-fuzz.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Result, cmd, exec, root};

/// Where installed binaries are cached, shared by every checkout on the
/// machine (`SHELFWISE_TOOLS` overrides).
pub fn tools_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SHELFWISE_TOOLS") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| root().join(".tools"), PathBuf::from);
    home.join(".cache/shelfwise/tools")
}

/// PATH with the tools directory and `node_modules/.bin` in front.
pub fn path_with_tools() -> String {
    let mut path = format!(
        "{}:{}",
        tools_dir().join("bin").display(),
        root().join("node_modules/.bin").display()
    );
    if let Ok(rest) = std::env::var("PATH") {
        path.push(':');
        path.push_str(&rest);
    }
    path
}

/// Everything `dist` needs.
pub fn build_tools() -> Result {
    wasm_target()?;
    nightly()?;
    wasm_bindgen()?;
    npm()
}

/// The one nightly toolchain, pinned by date, for what only nightly can do:
/// rebuilding the standard library for the script tag's wasm (`dist.rs`)
/// and cargo-fuzz. Everything else builds on the stable toolchain of
/// `rust-toolchain.toml`. Moving it is one line, then `cargo xtask dist`
/// and `cargo xtask fuzz` to check.
pub const NIGHTLY: &str = "nightly-2026-05-19";

/// Installs [`NIGHTLY`] with `rust-src` (which `-Z build-std` compiles) when missing.
pub fn nightly() -> Result {
    let components =
        output(cmd("rustup").args(["component", "list", "--installed", "--toolchain", NIGHTLY]))
            .unwrap_or_default();
    if components.lines().any(|l| l.trim().starts_with("rust-src")) {
        return Ok(());
    }
    exec(cmd("rustup").args([
        "toolchain",
        "install",
        NIGHTLY,
        "--profile",
        "minimal",
        "--component",
        "rust-src",
    ]))
}

fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn wasm_target() -> Result {
    let installed =
        output(cmd("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    exec(cmd("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The `wasm-bindgen` version pinned in Cargo.lock: the CLI must match it
/// exactly (TOOLCHAIN.md, pitfall 4).
fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line != "name = \"wasm-bindgen\"" {
            continue;
        }
        if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
            return Ok(v.trim_end_matches('"').to_owned());
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

fn wasm_bindgen() -> Result {
    let version = wasm_bindgen_version()?;
    let have = output(cmd("wasm-bindgen").arg("--version")).unwrap_or_default();
    let runner = tools_dir().join("bin/wasm-bindgen-test-runner");
    if have.trim() == format!("wasm-bindgen {version}") && runner.exists() {
        return Ok(());
    }
    // Without --locked: its lockfile names a crate release the registry
    // mirror here does not have (TOOLCHAIN.md, pitfall 1).
    exec(
        cmd("cargo")
            .args([
                "install",
                "wasm-bindgen-cli",
                "--version",
                &version,
                "--root",
            ])
            .arg(tools_dir()),
    )
}

fn npm() -> Result {
    let stamp = root().join("node_modules/.package-lock.json");
    let lock = root().join("package-lock.json");
    let fresh = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(s), Ok(l)) => s.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    exec(cmd("npm").args(["ci", "--no-audit", "--no-fund"]))
}

/// The `pyspark` release the SQL tests run `sql/cooccurrence.sql` on:
/// Spark 3.5, which runs on Debian's Java 17.
const PYSPARK: &str = "3.5.3";

/// Apache Spark in local mode, for the SQL tests: Java 17 from Debian when
/// there is no `java`, and `pyspark` ([`PYSPARK`]) from PyPI into the tools
/// directory. Returns the directory to put on `PYTHONPATH`.
pub fn spark() -> Result<PathBuf> {
    let apt = |packages: &[&str]| -> Result {
        exec(cmd("apt-get").arg("update"))?;
        exec(
            cmd("apt-get")
                .args(["install", "-y", "--no-install-recommends"])
                .args(packages)
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )
    };
    if output(cmd("java").arg("-version")).is_none() {
        apt(&["openjdk-17-jre-headless"])?;
    }
    let dir = tools_dir().join(format!("pyspark-{PYSPARK}"));
    if !dir.join("pyspark/__init__.py").exists() {
        if output(cmd("python3").args(["-m", "pip", "--version"])).is_none() {
            apt(&["python3", "python3-pip"])?;
        }
        exec(
            cmd("python3")
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .arg("--target")
                .arg(&dir)
                .arg(format!("pyspark=={PYSPARK}")),
        )?;
    }
    Ok(dir)
}

/// Chromium and ChromeDriver from Debian (never a downloaded browser).
pub fn browser() -> Result {
    if std::path::Path::new("/usr/bin/chromium").exists()
        && std::path::Path::new("/usr/bin/chromedriver").exists()
    {
        return Ok(());
    }
    exec(cmd("apt-get").arg("update"))?;
    exec(
        cmd("apt-get")
            .args([
                "install",
                "-y",
                "--no-install-recommends",
                "chromium",
                "chromium-driver",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// A throwaway PostgreSQL cluster on a free loopback port, stopped and
/// removed when dropped.
pub struct Postgres {
    /// `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication).
    pub url: String,
    /// The same server as the `tls` role, which it accepts over TLS only,
    /// with the CA to verify it by:
    /// `postgres://tls@127.0.0.1:PORT/postgres?sslmode=require&sslrootcert=FILE`.
    pub tls_url: String,
    dir: PathBuf,
}

/// A self-signed server certificate for 127.0.0.1, valid two days, made with
/// openssl (in Debian's base image) in `dir`: `(cert.pem, key.pem)`, the
/// key readable by its owner only. An end entity, not a CA: webpki refuses
/// a CA certificate as the server's.
pub fn self_signed_cert(dir: &Path) -> Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    exec(
        cmd("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            ])
            .args([
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
            ])
            .args(["-addext", "basicConstraints=critical,CA:FALSE"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stderr(std::process::Stdio::null()),
    )?;
    exec(Command::new("chmod").arg("600").arg(&key))?;
    Ok((cert, key))
}

/// Starts a throwaway PostgreSQL cluster, installing the server from Debian
/// if it is missing. As root, the cluster runs as the `postgres` user
/// (PostgreSQL refuses to run as root).
pub fn postgres() -> Result<Postgres> {
    let find = || -> Option<PathBuf> {
        let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|bin| bin.join("pg_ctl").exists() && bin.join("initdb").exists())
            .collect();
        versions.sort();
        versions.pop()
    };
    let bin = match find() {
        Some(bin) => bin,
        None => {
            exec(cmd("apt-get").arg("update"))?;
            exec(
                cmd("apt-get")
                    .args(["install", "-y", "--no-install-recommends", "postgresql"])
                    .env("DEBIAN_FRONTEND", "noninteractive"),
            )?;
            find().ok_or("PostgreSQL's server binaries are missing after installing it")?
        }
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    // A short path: the server's Unix socket lives here too.
    let dir = PathBuf::from(format!("/tmp/shelfwise-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let root_user = output(Command::new("id").arg("-u")).is_some_and(|id| id.trim() == "0");
    // TLS with a certificate made for the run, and a `tls` role that pg_hba
    // admits over TLS only, so that a test connecting as it proves the
    // connection is encrypted.
    let (cert, key) = self_signed_cert(&dir)?;
    if root_user {
        exec(
            Command::new("chown")
                .arg("postgres")
                .arg(&dir)
                .arg(&cert)
                .arg(&key),
        )?;
    }
    let script = format!(
        "{bin}/initdb -D {dir}/data --auth=trust -U postgres >{dir}/initdb.log 2>&1 && \
         {{ printf 'hostnossl all tls all reject\\nhostssl all tls all trust\\n'; cat {dir}/data/pg_hba.conf; }} \
           >{dir}/pg_hba.conf && mv {dir}/pg_hba.conf {dir}/data/pg_hba.conf && \
         {bin}/pg_ctl -D {dir}/data -l {dir}/server.log -w -o '-p {port} -k {dir} -c listen_addresses=127.0.0.1 \
           -c ssl=on -c ssl_cert_file={cert} -c ssl_key_file={key}' start && \
         {bin}/psql -h {dir} -p {port} -U postgres -q -c 'CREATE ROLE tls LOGIN SUPERUSER' postgres",
        bin = bin.display(),
        dir = dir.display(),
        cert = cert.display(),
        key = key.display(),
    );
    let mut start = if root_user {
        let mut su = Command::new("su");
        su.args(["postgres", "-s", "/bin/sh", "-c", &script]);
        su
    } else {
        let mut sh = Command::new("sh");
        sh.args(["-c", &script]);
        sh
    };
    let cluster = Postgres {
        url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
        tls_url: format!(
            "postgres://tls@127.0.0.1:{port}/postgres?sslmode=require&sslrootcert={}",
            cert.display()
        ),
        dir,
    };
    exec(&mut start)?;
    Ok(cluster)
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // pg_ctl stop refuses root like the server does; the postmaster's
        // pid is in the data directory's postmaster.pid.
        let pid_file = self.dir.join("data/postmaster.pid");
        if let Ok(text) = std::fs::read_to_string(&pid_file)
            && let Some(pid) = text.lines().next()
        {
            let _ = Command::new("kill").args(["-INT", pid.trim()]).status();
            for _ in 0..100 {
                if !pid_file.exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// cargo-fuzz, run on [`NIGHTLY`], from its own lock file.
pub fn cargo_fuzz() -> Result {
    nightly()?;
    if output(cmd("cargo").args([&format!("+{NIGHTLY}"), "fuzz", "--version"])).is_some() {
        return Ok(());
    }
    exec(
        cmd("cargo")
            .args(["install", "cargo-fuzz", "--locked", "--root"])
            .arg(tools_dir()),
    )
}
