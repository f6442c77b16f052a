//! The commands: run, test, bench — and the small helpers they share.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{build, setup};

pub type Result<T> = std::result::Result<T, String>;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

pub fn step(what: &str) {
    println!("\n==> {what}");
    let _ = std::io::stdout().flush();
}

pub fn run_cmd(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .map_err(|e| format!("{:?}: {e}", cmd.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "{:?} {:?} failed ({status})",
            cmd.get_program(),
            cmd.get_args().collect::<Vec<_>>()
        ))
    }
}

fn cargo(args: &[&str]) -> Result<()> {
    run_cmd(Command::new("cargo").args(args).current_dir(root()))
}

/// `cargo xtask run`: build what is missing, then serve the app with demo data.
pub fn run() -> Result<()> {
    build::release()?;
    let addr = std::env::var("LOTSEN_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let data_dir = std::env::var("LOTSEN_DATA_DIR").unwrap_or_else(|_| "data".into());
    step(&format!("Starting the Lotsenfinder with demo data on http://{addr} (data in {data_dir}; Ctrl-C stops)"));
    run_cmd(
        Command::new(root().join("target/release/lotsen-server"))
            .args([
                "serve",
                "--demo",
                "--addr",
                &addr,
                "--data-dir",
                &data_dir,
                "--dist",
            ])
            .arg(build::dist())
            .current_dir(root()),
    )
}

/// `cargo xtask test`: every check and test of the project.
pub fn test(args: &[String]) -> Result<()> {
    let e2e = !args.iter().any(|a| a == "--no-e2e");
    setup::all(true)?;
    step("Formatting (cargo fmt --check)");
    cargo(&["fmt", "--all", "--", "--check"])?;
    step("Lints (clippy, native crates and the wasm app)");
    cargo(&[
        "clippy",
        "-p",
        "lotsen-domain",
        "-p",
        "lotsen-server",
        "-p",
        "xtask",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    // The app as a whole (staff.html, with its tests) and its public part (index.html), which
    // is built without the staff screens.
    for part in [&["--all-targets"][..], &["--no-default-features", "--lib"]] {
        let mut args = vec![
            "clippy",
            "-p",
            "lotsenfinder",
            "--target",
            "wasm32-unknown-unknown",
        ];
        args.extend_from_slice(part);
        args.extend_from_slice(&["--", "-D", "warnings"]);
        cargo(&args)?;
    }
    step("Native tests: domain (search, validation, merge, permissions), server over HTTP, xtask");
    cargo(&[
        "test",
        "-p",
        "lotsen-domain",
        "-p",
        "lotsen-server",
        "-p",
        "xtask",
    ])?;
    step("The server's test suites again, on PostgreSQL (a cluster of the tests' own)");
    let mut args = vec!["test", "-p", "lotsen-server"];
    for suite in PG_SUITES {
        args.extend_from_slice(&["--test", suite]);
    }
    run_cmd(
        Command::new("cargo")
            .args(&args)
            .current_dir(root())
            .env("LOTSEN_TEST_DATABASE", "postgres"),
    )?;
    step("wasm tests in headless Chromium (IndexedDB store, outbox)");
    wasm_tests(&[])?;
    if e2e {
        build::app()?;
        end_to_end()?;
    }
    step("All tests passed");
    Ok(())
}

/// The server's integration suites that run on both databases (the rest test routing, or are
/// PostgreSQL's own: `tests/postgres.rs` runs in the first pass).
const PG_SUITES: &[&str] = &[
    "auth",
    "directory",
    "exports",
    "hardening",
    "mail",
    "permissions",
    "privacy",
    "server",
    "sync_api",
];

fn wasm_tests(extra: &[&str]) -> Result<()> {
    let mut cmd = Command::new("cargo");
    cmd.args([
        "test",
        "-p",
        "lotsenfinder",
        "--target",
        "wasm32-unknown-unknown",
    ])
    .args(extra)
    .current_dir(root())
    .env("PATH", setup::path_with_tools())
    .env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        "wasm-bindgen-test-runner",
    )
    .env("CHROMEDRIVER", setup::CHROMEDRIVER)
    .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    run_cmd(&mut cmd)
}

pub fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

/// A server holding the city-scale data set (`lotsen-server city`: 200 topics, 2,000 Lotsen,
/// 10,000 requests) and the demo accounts `buero` and `lotse` (linked to the first Lotse).
pub fn city_server(bin: &std::path::Path) -> Result<TestServer> {
    let data_dir = std::env::temp_dir().join(format!("lotsen-city-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let file = data_dir.with_extension("json");
    let cli = |args: &[&str]| {
        run_cmd(
            Command::new(bin)
                .args(args)
                .arg("--data-dir")
                .arg(&data_dir)
                .stdout(Stdio::null()),
        )
    };
    run_cmd(Command::new(bin).args(["city", "--out"]).arg(&file))?;
    cli(&["import", "--in", &file.to_string_lossy()])?;
    let _ = std::fs::remove_file(&file);
    cli(&[
        "account",
        "add",
        "buero",
        "--role",
        "buero",
        "--password",
        "demo-buero",
    ])?;
    cli(&[
        "account",
        "add",
        "lotse",
        "--role",
        "lotse",
        "--lotse",
        CITY_FIRST_LOTSE,
        "--password",
        "demo-lotse",
    ])?;
    TestServer::start_in(bin, data_dir, false, &[])
}

/// The id of the city data set's first Lotse (`lotsen-server city`, UUID v5 of its name).
pub const CITY_FIRST_LOTSE: &str = "a36fa06a-870d-5624-a0d6-3f772b845f8a";

/// A server on a free port with a fresh data dir, stopped when dropped.
pub struct TestServer {
    child: Child,
    pub url: String,
    data_dir: PathBuf,
}

impl TestServer {
    pub fn start(bin: &std::path::Path, demo: bool) -> Result<TestServer> {
        TestServer::start_with(bin, demo, &[])
    }

    /// Like `start`, with more `serve` flags.
    pub fn start_with(bin: &std::path::Path, demo: bool, flags: &[&str]) -> Result<TestServer> {
        let data_dir = std::env::temp_dir().join(format!(
            "lotsen-xtask-{}-{}",
            std::process::id(),
            free_port()?
        ));
        let _ = std::fs::remove_dir_all(&data_dir);
        TestServer::start_in(bin, data_dir, demo, flags)
    }

    /// A server on a free port over `data_dir`, which goes when the server is dropped.
    pub fn start_in(
        bin: &std::path::Path,
        data_dir: PathBuf,
        demo: bool,
        flags: &[&str],
    ) -> Result<TestServer> {
        let port = free_port()?;
        let addr = format!("127.0.0.1:{port}");
        let mut cmd = Command::new(bin);
        cmd.args(["serve", "--addr", &addr, "--data-dir"])
            .arg(&data_dir)
            .arg("--dist")
            .arg(build::dist())
            .args(flags);
        if demo {
            cmd.arg("--demo");
        }
        let child = cmd
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", bin.display()))?;
        let server = TestServer {
            child,
            url: format!("http://{addr}"),
            data_dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if health(&addr) {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!("the server did not answer on {addr} within 30 s"))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

fn health(addr: &str) -> bool {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(
        format!("GET /api/v1/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
    .is_err()
    {
        return false;
    }
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf.starts_with("HTTP/1.1 200")
}

fn server_bin() -> Result<PathBuf> {
    // The debug binary is already built by the server's tests; the e2e tests need no release one.
    cargo(&["build", "-p", "lotsen-server"])?;
    Ok(root().join("target/debug/lotsen-server"))
}

fn end_to_end() -> Result<()> {
    let bin = server_bin()?;
    let server = TestServer::start(&bin, true)?;
    step(&format!(
        "End-to-end tests in Chromium against {}",
        server.url
    ));
    run_cmd(
        Command::new(setup::node_bin().join("playwright"))
            .args(["test"])
            .current_dir(setup::e2e_dir())
            .env("BASE_URL", &server.url)
            .env("CHROMIUM", setup::CHROMIUM),
    )?;
    drop(server);
    let city = city_server(&bin)?;
    step(&format!(
        "End-to-end tests at city scale (200 topics, 2,000 Lotsen, 10,000 requests) against {}",
        city.url
    ));
    run_cmd(
        Command::new(setup::node_bin().join("playwright"))
            .args(["test", "--config", "city.config.js"])
            .current_dir(setup::e2e_dir())
            .env("BASE_URL", &city.url)
            .env("CHROMIUM", setup::CHROMIUM),
    )
}

/// `cargo xtask bench`: the figures for the closing note.
pub fn bench() -> Result<()> {
    setup::all(true)?;
    step("Search speed, native (2,000 Lotsen x 200 topics)");
    cargo(&["bench", "-p", "lotsen-domain", "--bench", "search"])?;
    step("Search speed in the browser (wasm, headless Chromium)");
    wasm_tests(&[
        "--release",
        "--test",
        "bench",
        "--",
        "--include-ignored",
        "--nocapture",
    ])?;
    build::release()?;
    step("First-load size (brotli, quality 11)");
    run_cmd(
        Command::new("node")
            .arg(setup::e2e_dir().join("bench/size.mjs"))
            .arg(build::dist()),
    )?;
    // One anonymous device seeds its 10,000 requests: far beyond the budget of anonymous
    // writes, which this bench is not about.
    let server = TestServer::start_with(
        &root().join("target/release/lotsen-server"),
        false,
        &[
            "--anonymous-writes-per-device",
            "20000",
            "--anonymous-writes-per-address",
            "20000",
        ],
    )?;
    step("First sync of 10,000 records in the browser (release server)");
    run_cmd(
        Command::new("node")
            .arg(setup::e2e_dir().join("bench/first-sync.mjs"))
            .current_dir(setup::e2e_dir())
            .env("BASE_URL", &server.url)
            .env("CHROMIUM", setup::CHROMIUM),
    )?;
    drop(server);
    let server = city_server(&root().join("target/release/lotsen-server"))?;
    step("The app at city scale: keystrokes, screens, cold and warm start, a Büro's first sync (release server)");
    run_cmd(
        Command::new("node")
            .arg(setup::e2e_dir().join("bench/city.mjs"))
            .current_dir(setup::e2e_dir())
            .env("BASE_URL", &server.url)
            .env("CHROMIUM", setup::CHROMIUM),
    )?;
    drop(server);
    let server = TestServer::start(&root().join("target/release/lotsen-server"), true)?;
    step("Skills matrix at 40 x 25 and 2,000 x 200, export of 10,000 requests (release server)");
    run_cmd(
        Command::new("node")
            .arg(setup::e2e_dir().join("bench/matrix.mjs"))
            .current_dir(setup::e2e_dir())
            .env("BASE_URL", &server.url)
            .env("CHROMIUM", setup::CHROMIUM),
    )?;
    drop(server);
    crate::serverbench::run()
}
