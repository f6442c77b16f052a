//! `cargo xtask …`: everything the project needs, on a fresh machine with only the Rust toolchain.
//!
//! - `setup`  installs what is missing (wasm target, trunk, wasm-bindgen-cli, npm packages with
//!   binaryen's wasm-opt and Playwright, Debian's Chromium and OpenLDAP); each step is skipped when present
//! - `build`  builds the release app into `dist/` and the release server
//! - `run`    builds, then serves the app with demo data on `LOTSEN_ADDR` (default 127.0.0.1:8080)
//! - `test`   formatting, clippy, native tests, wasm tests in headless Chromium, end-to-end tests
//! - `bench`  search speed, first-load size, first-sync time, matrix render and CSV export, and
//!   the server under load on SQLite and PostgreSQL (`bench server`: only that)

mod build;
mod serverbench;
mod setup;
mod tasks;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::all(true),
        Some("build") => build::release(),
        Some("run") => tasks::run(),
        Some("test") => tasks::test(&args[1..]),
        Some("bench") if args.get(1).is_some_and(|a| a == "server") => serverbench::run(),
        Some("bench") => tasks::bench(),
        _ => {
            eprintln!("usage: cargo xtask <setup|build|run|test|bench>\n\n  run    build and start the app with demo data\n  test   every test (add --no-e2e to skip the browser tests)");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}
