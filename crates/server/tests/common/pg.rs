//! A real PostgreSQL for the tests: Debian's server, a cluster made with `initdb` in a temporary
//! folder and started on a free port, shared by the tests of one test binary while any of them
//! holds it, and stopped when the last lets go. `LOTSEN_TEST_PG_URL` (a superuser's URL) uses a
//! running server instead. Every data directory of a test gets a database of its own, found again
//! when the test restarts its server on the same directory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, Weak};

use sha2::{Digest, Sha256};

/// Whether this run tests the PostgreSQL backend (`LOTSEN_TEST_DATABASE=postgres`).
pub fn enabled() -> bool {
    std::env::var("LOTSEN_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

pub struct Cluster {
    /// `postgres://lotsen@127.0.0.1:PORT` (no database).
    base: String,
    own: Option<OwnCluster>,
}

struct OwnCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// The server's options (port, socket folder, settings), for a restart.
    options: String,
}

static SHARED: Mutex<Weak<Cluster>> = Mutex::new(Weak::new());

/// The cluster of this test binary, started if none runs.
pub fn cluster() -> Arc<Cluster> {
    let mut shared = SHARED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(c) = shared.upgrade() {
        return c;
    }
    let c = Arc::new(match std::env::var("LOTSEN_TEST_PG_URL") {
        Ok(url) => Cluster {
            base: url.trim_end_matches('/').to_owned(),
            own: None,
        },
        Err(_) => Cluster::start(),
    });
    *shared = Arc::downgrade(&c);
    c
}

/// A cluster for one test alone (one that stops and restarts it).
pub fn private_cluster() -> Cluster {
    Cluster::start()
}

/// A cluster of its own that speaks TLS with `cert` and `key` (PEM files).
pub fn tls_cluster(cert: &Path, key: &Path) -> Cluster {
    Cluster::start_with(Some((cert, key)))
}

/// Debian's server binaries, newest version first.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (cargo xtask setup)")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect("a PostgreSQL version with initdb")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// `initdb` and the server refuse to run as root: as root, they run as the `postgres` user.
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

impl Cluster {
    fn start() -> Cluster {
        Cluster::start_with(None)
    }

    fn start_with(tls: Option<(&Path, &Path)>) -> Cluster {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("lotsen-pg-")
            .tempdir()
            .unwrap();
        let data = dir.path().join("data");
        let mut tls_options = String::new();
        if let Some((cert, key)) = tls {
            use std::os::unix::fs::PermissionsExt;
            let (c, k) = (dir.path().join("server.pem"), dir.path().join("server.key"));
            std::fs::copy(cert, &c).unwrap();
            std::fs::copy(key, &k).unwrap();
            // The server refuses a key that others may read.
            std::fs::set_permissions(&k, std::fs::Permissions::from_mode(0o600)).unwrap();
            tls_options = format!(
                " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                c.display(),
                k.display()
            );
        }
        if is_root() {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown of the cluster folder");
        }
        let out = as_server_user(&bin.join("initdb"))
            .args(["-D"])
            .arg(&data)
            .args([
                "-U",
                "lotsen",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = super::free_port();
        // Durability of the test cluster itself is not under test (the server's is: its
        // answered writes are committed transactions); without fsync the suite runs faster.
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300{tls_options}",
            dir.path().display()
        );
        let out = as_server_user(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.path().join("log"))
            .args(["-o", &options, "-w", "start"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "pg_ctl start: {} {}",
            String::from_utf8_lossy(&out.stdout),
            std::fs::read_to_string(dir.path().join("log")).unwrap_or_default()
        );
        Cluster {
            base: format!("postgres://lotsen@127.0.0.1:{port}"),
            own: Some(OwnCluster { dir, bin, options }),
        }
    }

    /// The URL of database `name` (created if it does not exist yet).
    pub fn database(&self, name: &str) -> String {
        // The tests' own connections need no TLS, also where the server offers it.
        let admin = format!("{}/postgres?sslmode=disable", self.base);
        let url = format!("{}/{name}", self.base);
        let name = name.to_owned();
        // The blocking client must not run on the test's async thread.
        std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
            let exists = client
                .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
                .unwrap()
                .is_some();
            if !exists {
                client
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap();
            }
        })
        .join()
        .unwrap();
        url
    }

    /// The database belonging to a test's data directory.
    pub fn database_for(&self, data_dir: &Path) -> String {
        let hash = Sha256::digest(data_dir.to_string_lossy().as_bytes());
        self.database(&format!("t_{}", &hex::encode(hash)[..24]))
    }

    /// Stops the server abruptly and starts it again on the same port (the database "lost and
    /// back"); only for a cluster of our own.
    pub fn restart(&self, down_for: std::time::Duration) {
        let own = self.own.as_ref().expect("a cluster of our own");
        let data = own.dir.path().join("data");
        let ctl = |args: &[&str]| {
            let out = as_server_user(&own.bin.join("pg_ctl"))
                .arg("-D")
                .arg(&data)
                .args(args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "pg_ctl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        ctl(&["-m", "immediate", "-w", "stop"]);
        std::thread::sleep(down_for);
        let log = own.dir.path().join("log");
        ctl(&[
            "-l",
            &log.to_string_lossy(),
            "-o",
            &own.options,
            "-w",
            "start",
        ]);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(own) = &self.own {
            let _ = as_server_user(&own.bin.join("pg_ctl"))
                .arg("-D")
                .arg(own.dir.path().join("data"))
                .args(["-m", "immediate", "-w", "stop"])
                .output();
        }
    }
}
