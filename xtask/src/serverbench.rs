//! `cargo xtask bench server`: pushes per second and their p99 at 16 and 64 connections, and
//! full directory pulls per second, on SQLite (one process) and on PostgreSQL with one and with
//! two processes, each over the city-scale data set. The load comes from `wrk` (Debian's), one
//! instance per server process; a PostgreSQL cluster of the bench's own runs with the default
//! (durable) settings.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::setup;
use crate::tasks::{root, run_cmd, step, Result, TestServer};

/// Seconds of load per measurement.
const SECONDS: u32 = 10;

pub fn run() -> Result<()> {
    setup::wrk()?;
    let bin = root().join("target/release/lotsen-server");
    run_cmd(
        Command::new("cargo")
            .args(["build", "--release", "-p", "lotsen-server"])
            .current_dir(root()),
    )?;
    let city = std::env::temp_dir().join(format!("lotsen-bench-city-{}.json", std::process::id()));
    run_cmd(
        Command::new(&bin)
            .args(["city", "--out"])
            .arg(&city)
            .stdout(Stdio::null()),
    )?;
    let cluster = Cluster::start()?;
    let mut rows = Vec::new();
    for (name, url, processes) in [
        ("SQLite, 1 process", None, 1),
        (
            "PostgreSQL, 1 process",
            Some(cluster.database("bench_one")?),
            1,
        ),
        (
            "PostgreSQL, 2 processes",
            Some(cluster.database("bench_two")?),
            2,
        ),
    ] {
        step(&format!("Server load: {name}"));
        rows.push((name, measure(&bin, &city, url.as_deref(), processes)?));
    }
    let _ = std::fs::remove_file(&city);
    println!("\n| backend | pushes/s (16 conn.) | p99 ms | pushes/s (64 conn.) | p99 ms | full directory pulls/s |");
    println!("|---|---|---|---|---|---|");
    for (name, m) in rows {
        println!(
            "| {name} | {:.0} | {:.1} | {:.0} | {:.1} | {:.1} |",
            m.pushes[0].0, m.pushes[0].1, m.pushes[1].0, m.pushes[1].1, m.pulls
        );
    }
    Ok(())
}

struct Measured {
    /// (pushes per second, p99 ms) at 16 and at 64 connections.
    pushes: [(f64, f64); 2],
    pulls: f64,
}

fn measure(bin: &Path, city: &Path, url: Option<&str>, processes: usize) -> Result<Measured> {
    let data_dir = std::env::temp_dir().join(format!(
        "lotsen-bench-{}-{}",
        std::process::id(),
        url.map_or("sqlite", |u| u.rsplit('/').next().unwrap_or("pg"))
    ));
    let _ = std::fs::remove_dir_all(&data_dir);
    let mut import = Command::new(bin);
    import
        .args(["import", "--in"])
        .arg(city)
        .arg("--data-dir")
        .arg(&data_dir)
        .stdout(Stdio::null());
    if let Some(url) = url {
        import.args(["--database-url", url]);
    }
    run_cmd(&mut import)?;
    let mut flags = vec![
        "--anonymous-writes-per-device",
        "100000000",
        "--anonymous-writes-per-address",
        "100000000",
    ];
    if let Some(url) = url {
        flags.extend_from_slice(&["--database-url", url]);
    }
    let servers = (0..processes)
        .map(|_| TestServer::start_in(bin, data_dir.clone(), false, &flags))
        .collect::<Result<Vec<_>>>()?;
    let mut pushes = [(0.0, 0.0); 2];
    for (slot, connections) in [16, 64].into_iter().enumerate() {
        let results = wrk_all(&servers, "push.lua", connections)?;
        let rate: f64 = results
            .iter()
            .map(|r| value(r, "pushes") / value(r, "seconds"))
            .sum();
        let p99 = results
            .iter()
            .map(|r| value(r, "p99_ms"))
            .fold(0.0, f64::max);
        let refused: f64 = results.iter().map(|r| value(r, "not_applied")).sum();
        if refused > 0.0 {
            return Err(format!("{refused} pushes were not applied"));
        }
        println!("  {connections} connections: {rate:.0} pushes/s, p99 {p99:.1} ms");
        pushes[slot] = (rate, p99);
    }
    let results = wrk_all(&servers, "pull.lua", 4)?;
    let pulls: f64 = results
        .iter()
        .map(|r| value(r, "pulls") / value(r, "seconds"))
        .sum();
    if results.iter().any(|r| value(r, "errors") > 0.0) {
        return Err("pulls failed".into());
    }
    println!("  full directory pulls: {pulls:.1}/s");
    drop(servers);
    let _ = std::fs::remove_dir_all(&data_dir);
    Ok(Measured { pushes, pulls })
}

/// `wrk` against every server at once, the connections split between them; each one's RESULT.
fn wrk_all(servers: &[TestServer], script: &str, connections: usize) -> Result<Vec<String>> {
    let script = root().join("xtask/wrk").join(script);
    let per = (connections / servers.len()).max(1);
    let threads = per.min(2);
    let nonce = format!("{:08x}", rand_u32());
    let children = servers
        .iter()
        .map(|s| {
            Command::new("wrk")
                .args([
                    "-t",
                    &threads.to_string(),
                    "-c",
                    &per.to_string(),
                    "-d",
                    &format!("{SECONDS}s"),
                    "--timeout",
                    "10s",
                    "-s",
                ])
                .arg(&script)
                .arg(&s.url)
                .args(["--", &nonce])
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|e| format!("wrk: {e}"))
        })
        .collect::<Result<Vec<_>>>()?;
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().map_err(|e| e.to_string())?;
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.lines()
                .find(|l| l.starts_with("RESULT "))
                .map(str::to_owned)
                .ok_or_else(|| format!("wrk printed no result:\n{text}"))
        })
        .collect()
}

fn value(result: &str, key: &str) -> f64 {
    result
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

fn rand_u32() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    nanos ^ std::process::id().rotate_left(16)
}

/// A PostgreSQL cluster in a temporary folder (Debian's binaries; as root, run as `postgres`,
/// since `initdb` refuses root), stopped and removed when dropped.
struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
}

impl Cluster {
    fn start() -> Result<Cluster> {
        let bin = setup::postgres_bin()?;
        let dir = std::env::temp_dir().join(format!("lotsen-bench-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        if is_root() {
            run_cmd(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&dir),
            )?;
        }
        run_cmd(
            as_server_user(&bin.join("initdb"))
                .arg("-D")
                .arg(dir.join("data"))
                .args([
                    "-U",
                    "lotsen",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ])
                .stdout(Stdio::null()),
        )?;
        let port = crate::tasks::free_port()?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            dir.display()
        );
        run_cmd(
            as_server_user(&bin.join("pg_ctl"))
                .arg("-D")
                .arg(dir.join("data"))
                .arg("-l")
                .arg(dir.join("log"))
                .args(["-o", &options, "-w", "start"])
                .stdout(Stdio::null()),
        )?;
        Ok(Cluster { dir, bin, port })
    }

    fn database(&self, name: &str) -> Result<String> {
        run_cmd(Command::new(self.bin.join("createdb")).args([
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "lotsen",
            name,
        ]))?;
        Ok(format!("postgres://lotsen@127.0.0.1:{}/{name}", self.port))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_server_user(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "fast", "-w", "stop"])
            .stdout(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}
