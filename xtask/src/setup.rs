//! Installs the tools the project needs, each once: a later run checks and skips in a second.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tasks::{root, run_cmd, step, Result};

pub const TRUNK_VERSION: &str = "0.21.14";

/// `for_tests`: also what only the tests need (Chromium, OpenLDAP, PostgreSQL).
pub fn all(for_tests: bool) -> Result<()> {
    node()?;
    wasm_target()?;
    trunk()?;
    wasm_bindgen_cli()?;
    npm_packages()?;
    if for_tests {
        chromium()?;
        openldap()?;
        postgresql()?;
    }
    Ok(())
}

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    // Tools installed by `cargo install` live in $CARGO_HOME/bin, which need not be on PATH.
    let out = Command::new(cmd)
        .args(args)
        .env("PATH", path_with_tools())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

pub fn cargo_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
        .join("bin")
}

fn wasm_target() -> Result<()> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    step("Installing the Rust target wasm32-unknown-unknown");
    run_cmd(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn trunk() -> Result<()> {
    if output("trunk", &["--version"]).is_some_and(|v| v == format!("trunk {TRUNK_VERSION}")) {
        return Ok(());
    }
    step(&format!(
        "Installing trunk {TRUNK_VERSION} (takes about 13 minutes, once)"
    ));
    run_cmd(Command::new("cargo").args([
        "install",
        "trunk",
        "--version",
        TRUNK_VERSION,
        "--locked",
    ]))
}

/// The wasm-bindgen version the app is built with, read from Cargo.lock.
pub fn wasm_bindgen_version() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
            {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

fn wasm_bindgen_cli() -> Result<()> {
    let version = wasm_bindgen_version()?;
    if output("wasm-bindgen", &["--version"])
        .is_some_and(|v| v == format!("wasm-bindgen {version}"))
    {
        return Ok(());
    }
    step(&format!(
        "Installing wasm-bindgen-cli {version} (takes about 6 minutes, once)"
    ));
    // Without --locked: the CLI's own lockfile names a crate version the registry lacks.
    run_cmd(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &version]))
}

pub fn e2e_dir() -> PathBuf {
    root().join("e2e")
}

pub fn node_bin() -> PathBuf {
    e2e_dir().join("node_modules").join(".bin")
}

/// PATH with the project's tools first: npm's `node_modules/.bin` (wasm-opt) and cargo's bin.
pub fn path_with_tools() -> std::ffi::OsString {
    let mut paths = vec![node_bin(), cargo_bin()];
    if let Some(p) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(paths).unwrap_or_default()
}

fn apt_install(packages: &[&str]) -> Result<()> {
    let root_user = output("id", &["-u"]).is_some_and(|u| u == "0");
    let (program, prefix): (&str, &[&str]) = if root_user {
        ("apt-get", &[])
    } else {
        ("sudo", &["apt-get"])
    };
    run_cmd(Command::new(program).args(prefix).args(["update", "-q"]))?;
    run_cmd(
        Command::new(program)
            .args(prefix)
            .args(["install", "-y", "-q"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}

/// Node.js and npm run the end-to-end tests and bring binaryen's wasm-opt.
fn node() -> Result<()> {
    if output("npm", &["--version"]).is_some() && output("node", &["--version"]).is_some() {
        return Ok(());
    }
    step("Installing Node.js and npm from Debian");
    apt_install(&["nodejs", "npm"])
}

fn npm_packages() -> Result<()> {
    let ready = ["wasm-opt", "playwright"]
        .iter()
        .all(|b| node_bin().join(b).exists());
    let lock = e2e_dir().join("package-lock.json");
    let stamp = e2e_dir().join("node_modules").join(".package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&stamp)) {
        (Ok(l), Ok(s)) => match (l.modified(), s.modified()) {
            (Ok(l), Ok(s)) => s >= l,
            _ => false,
        },
        _ => false,
    };
    if ready && fresh {
        return Ok(());
    }
    step("Installing npm packages (binaryen's wasm-opt, Playwright, axe-core)");
    let mut cmd = Command::new("npm");
    cmd.args(["ci", "--no-audit", "--no-fund"])
        .current_dir(e2e_dir())
        // Playwright drives Debian's Chromium; it must not fetch a browser of its own.
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    run_cmd(&mut cmd)
}

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// OpenLDAP's server and tools: the tests of the directory sign-in start their own `slapd`.
fn openldap() -> Result<()> {
    if [
        "/usr/sbin/slapd",
        "/usr/sbin/slapadd",
        "/usr/bin/ldapadd",
        "/usr/bin/ldapmodify",
    ]
    .iter()
    .all(|p| Path::new(p).exists())
    {
        return Ok(());
    }
    step("Installing OpenLDAP (slapd, ldap-utils) from Debian for the directory tests");
    apt_install(&["slapd", "ldap-utils"])
}

/// PostgreSQL's server: the tests of the PostgreSQL backend make their own cluster with its
/// `initdb` (Debian keeps it out of PATH, under /usr/lib/postgresql/VERSION/bin).
fn postgresql() -> Result<()> {
    let installed = std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|versions| {
        versions
            .filter_map(|v| v.ok())
            .any(|v| v.path().join("bin/initdb").exists() && v.path().join("bin/pg_ctl").exists())
    });
    if installed {
        return Ok(());
    }
    step("Installing PostgreSQL from Debian for the tests of the PostgreSQL backend");
    apt_install(&["postgresql"])
}

/// The folder of the newest installed PostgreSQL's server programs.
pub fn postgres_bin() -> Result<PathBuf> {
    postgresql()?;
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| format!("/usr/lib/postgresql: {e}"))?
        .filter_map(|v| v.ok().map(|v| v.path().join("bin")))
        .filter(|b| b.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .ok_or_else(|| "no PostgreSQL with initdb".into())
}

/// `wrk` (Debian's), the load generator of the server bench.
pub fn wrk() -> Result<()> {
    if Path::new("/usr/bin/wrk").exists() {
        return Ok(());
    }
    step("Installing wrk from Debian for the server bench");
    apt_install(&["wrk"])
}

fn chromium() -> Result<()> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    step("Installing Chromium and ChromeDriver from Debian");
    apt_install(&["chromium", "chromium-driver"])
}
