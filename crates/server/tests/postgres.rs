//! PostgreSQL with several server processes on one database (SPEC §8), against a real
//! PostgreSQL cluster that the tests start themselves (tests/common/pg.rs): concurrent writers
//! and a cursor that never skips, compare-and-swap and retries across processes, shared
//! sessions and login throttling, jobs that run once, the database lost and back, and the copy
//! of a SQLite installation.

mod common;

use std::collections::HashMap;
use std::process::Child;
use std::sync::Arc;

use common::*;
use lotsen_server::accounts::{self, NewAccount};
use lotsen_server::{ops, Store};
use serde_json::{json, Value};

const BUERO_PW: &str = "buero-passwort-1";

/// A real `lotsen-server serve` on the database `url`, killed when dropped.
struct Process {
    child: Child,
    base: String,
}

impl Process {
    async fn start(dirs: &Dirs, url: &str) -> Process {
        let (child, base) = spawn_binary(dirs, &["--database-url", url]);
        wait_up(&reqwest::Client::new(), &base).await;
        Process { child, base }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two server processes on one fresh database (and what must live as long as they do).
async fn two_processes() -> ((Dirs, Arc<pg::Cluster>), Process, Process) {
    let dirs = Dirs::new();
    let cluster = pg::cluster();
    let url = database(&cluster, &dirs);
    let (a, b) = (
        Process::start(&dirs, &url).await,
        Process::start(&dirs, &url).await,
    );
    ((dirs, cluster), a, b)
}

/// A fresh database on the shared cluster, with the Büro's account.
fn database(cluster: &pg::Cluster, dirs: &Dirs) -> String {
    let url = cluster.database_for(&dirs.data());
    let store = Store::connect(&url, None, &dirs.data()).unwrap();
    accounts::create(
        &store,
        NewAccount {
            username: "buero".into(),
            password: BUERO_PW.into(),
            role: "buero".into(),
            lotse: None,
        },
    )
    .unwrap();
    url
}

async fn login(client: &reqwest::Client, base: &str, password: &str) -> (u16, Option<String>) {
    let res = client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": "buero", "password": password}))
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .map(str::to_owned);
    (res.status().as_u16(), cookie)
}

async fn push(client: &reqwest::Client, base: &str, cookie: &str, m: &Value) -> (u16, Value) {
    let res = client
        .post(format!("{base}/api/v1/push"))
        .header("Cookie", cookie)
        .json(&json!({ "mutations": [m] }))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// One page of changes after `cursor`: the ids with versions, the next cursor, whether more wait.
async fn pull(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    cursor: &str,
) -> (Vec<(String, u64)>, String, bool) {
    let res = client
        .get(format!("{base}/api/v1/changes?since={cursor}&limit=50"))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    let changes = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["version"].as_u64().unwrap(),
            )
        })
        .collect();
    (
        changes,
        page["cursor"].as_str().unwrap().to_owned(),
        page["has_more"].as_bool().unwrap(),
    )
}

#[tokio::test]
async fn eight_writers_on_two_processes_and_a_cursor_that_misses_nothing() {
    let (_keep, a, b) = two_processes().await;
    let client = reqwest::Client::new();
    // A session made on one process is valid on the other: sessions live in the database.
    let (status, cookie) = login(&client, &a.base, BUERO_PW).await;
    assert_eq!(status, 200);
    let cookie = cookie.unwrap();
    let bases = [a.base.clone(), b.base.clone()];

    const WRITERS: usize = 8;
    const EACH: usize = 30;
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (client, cookie, bases, done) =
            (client.clone(), cookie.clone(), bases.clone(), done.clone());
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0..EACH {
                let id = uuid();
                let m = mutation("requests", &id, 0, request_data(&format!("W{w} N{i}")));
                let (status, body) = push(&client, &bases[(w + i) % 2], &cookie, &m).await;
                assert_eq!(status, 200, "{body}");
                assert_eq!(body["results"][0]["status"], "applied", "{body}");
                acknowledged.push(id);
            }
            done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            acknowledged
        }));
    }
    // The puller follows its cursor over both processes while the writers write, and once
    // more after they are done.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut cursor = "0".to_owned();
    let mut round = 0;
    loop {
        let finished = done.load(std::sync::atomic::Ordering::SeqCst) == WRITERS;
        loop {
            let (changes, next, more) = pull(&client, &bases[round % 2], &cookie, &cursor).await;
            round += 1;
            for (id, _) in changes {
                *seen.entry(id).or_default() += 1;
            }
            cursor = next;
            if !more {
                break;
            }
        }
        if finished {
            break;
        }
    }
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.extend(w.await.unwrap());
    }
    assert_eq!(acknowledged.len(), WRITERS * EACH);
    for id in &acknowledged {
        assert_eq!(seen.get(id), Some(&1), "record {id} seen once");
    }
    assert_eq!(seen.len(), acknowledged.len(), "nothing else was written");
    assert!(round > 2, "the puller pulled while the writers wrote");
}

#[tokio::test]
async fn compare_and_swap_and_retries_hold_across_processes() {
    let (_keep, a, b) = two_processes().await;
    let client = reqwest::Client::new();
    let cookie = login(&client, &a.base, BUERO_PW).await.1.unwrap();
    for round in 0..10 {
        let id = uuid();
        let create = mutation("requests", &id, 0, request_data("Anfang"));
        assert_eq!(push(&client, &a.base, &cookie, &create).await.0, 200);
        // The same base version, from both processes at once: exactly one wins.
        let mine = mutation("requests", &id, 1, request_data(&format!("A{round}")));
        let theirs = mutation("requests", &id, 1, request_data(&format!("B{round}")));
        let (ra, rb) = tokio::join!(
            push(&client, &a.base, &cookie, &mine),
            push(&client, &b.base, &cookie, &theirs)
        );
        let statuses = [
            ra.1["results"][0]["status"].clone(),
            rb.1["results"][0]["status"].clone(),
        ];
        assert!(
            statuses.contains(&json!("applied")) && statuses.contains(&json!("conflict")),
            "{statuses:?}"
        );
        // The loser's answer shows the winner's record.
        let (winner, loser) = if statuses[0] == "applied" {
            (&ra.1, &rb.1)
        } else {
            (&rb.1, &ra.1)
        };
        assert_eq!(
            loser["results"][0]["record"]["data"]["title"],
            winner["results"][0]["record"]["data"]["title"]
        );
        assert_eq!(loser["results"][0]["record"]["version"], 2);
    }

    // A retry of a mutation on the other process is answered from the log, not applied again.
    let id = uuid();
    let m = mutation("requests", &id, 0, request_data("Einmal"));
    let first = push(&client, &a.base, &cookie, &m).await.1;
    let (_, cursor, _) = pull(&client, &a.base, &cookie, "0").await;
    let again = push(&client, &b.base, &cookie, &m).await.1;
    assert_eq!(first["results"], again["results"]);
    let (after, _, _) = pull(&client, &b.base, &cookie, &cursor).await;
    assert!(after.is_empty(), "the retry wrote nothing: {after:?}");
}

#[tokio::test]
async fn a_login_throttled_on_one_process_is_throttled_on_the_other() {
    let (_keep, a, b) = two_processes().await;
    let client = reqwest::Client::new();
    // Three free failures per account and address (the default), spread over both processes.
    for base in [&a.base, &b.base, &a.base] {
        assert_eq!(login(&client, base, "falsch-falsch").await.0, 401);
    }
    // The next attempt waits, on either process, even with the right password.
    assert_eq!(login(&client, &b.base, BUERO_PW).await.0, 429);
    assert_eq!(login(&client, &a.base, BUERO_PW).await.0, 429);
}

#[test]
fn daily_jobs_run_once_and_one_process_delivers_mails() {
    let dirs = Dirs::new();
    let cluster = pg::cluster();
    let url = database(&cluster, &dirs);
    // Two stores with their own connections: two processes, as far as the database can tell.
    let one = Store::connect(&url, None, &dirs.data()).unwrap();
    let two = Store::connect(&url, None, &dirs.data()).unwrap();
    assert_eq!(one.epoch(), two.epoch());
    let runs = std::thread::scope(|s| {
        let a = s.spawn(|| ops::daily_retention(&one, ops::Retention::default()).unwrap());
        let b = s.spawn(|| ops::daily_retention(&two, ops::Retention::default()).unwrap());
        [a.join().unwrap(), b.join().unwrap()]
    });
    assert_eq!(
        runs.iter().filter(|r| r.is_some()).count(),
        1,
        "one retention run a day"
    );
    assert!(ops::daily_retention(&one, ops::Retention::default())
        .unwrap()
        .is_none());

    // One process delivers mails; when it is gone, the next one that asks takes over.
    let senders = std::thread::scope(|s| {
        let a = s.spawn(|| one.is_mail_sender().unwrap());
        let b = s.spawn(|| two.is_mail_sender().unwrap());
        [a.join().unwrap(), b.join().unwrap()]
    });
    assert_eq!(senders.iter().filter(|s| **s).count(), 1, "{senders:?}");
    let (sender, other) = if senders[0] { (one, two) } else { (two, one) };
    assert!(sender.is_mail_sender().unwrap(), "it stays the sender");
    assert!(!other.is_mail_sender().unwrap());
    drop(sender);
    // The ended session's locks go as its server process exits, a moment later.
    let taken_over = (0..50).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        other.is_mail_sender().unwrap()
    });
    assert!(taken_over, "taken over");
}

#[tokio::test]
async fn the_database_lost_and_back_answers_503_and_recovers_by_itself() {
    let cluster = pg::private_cluster();
    let dirs = Dirs::new();
    database(&cluster, &dirs);
    let url = cluster.database_for(&dirs.data());
    let p = Process::start(&dirs, &url).await;
    let client = reqwest::Client::new();
    let cookie = login(&client, &p.base, BUERO_PW).await.1.unwrap();
    let before = uuid();
    let m = mutation("requests", &before, 0, request_data("Vorher"));
    assert_eq!(push(&client, &p.base, &cookie, &m).await.0, 200);

    // Several requests at once leave several connections in the pool.
    eight_pulls_at_once(&client, &p.base, &cookie).await;
    // The database goes away (an immediate stop, as a crash or failover) for a while.
    let restart = std::thread::spawn(move || {
        cluster.restart(std::time::Duration::from_secs(4));
        cluster
    });
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let during = mutation("requests", &uuid(), 0, request_data("Währenddessen"));
    let (status, body) = push(&client, &p.base, &cookie, &during).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "storage_unavailable");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("bleiben auf diesem Gerät"));
    let cluster = restart.join().unwrap();

    // Back: the same process serves again at once, with what it acknowledged before. The
    // connections it held before the loss are not handed out again.
    let (status, body) = push(&client, &p.base, &cookie, &during).await;
    assert_eq!(
        status, 200,
        "recovered without a restart of the server: {body}"
    );
    let pages = eight_pulls_at_once(&client, &p.base, &cookie).await;
    assert!(pages.iter().all(|n| *n > 0), "{pages:?}");
    let (changes, _, _) = pull(&client, &p.base, &cookie, "0").await;
    let ids: Vec<&str> = changes.iter().map(|(id, _)| id.as_str()).collect();
    assert!(ids.contains(&before.as_str()));
    assert!(ids.contains(&during["id"].as_str().unwrap()));
    drop(p);
    drop(cluster);
}

#[tokio::test]
async fn copy_moves_a_sqlite_installation_and_clients_keep_their_cursors() {
    let dirs = Dirs::new();
    // SQLite in the data directory, as every installation starts.
    let s = TestServer::start_sqlite(&dirs.data(), &dirs.dist()).await;
    s.add_account("buero", BUERO_PW, "buero", None);
    let kept = uuid();
    s.push(
        vec![mutation("requests", &kept, 0, request_data("Bleibt"))],
        Some(KEY_A),
    )
    .await;
    let changed = uuid();
    s.admin_push(vec![mutation("topics", &changed, 0, topic_data("alt"))]);
    s.admin_push(vec![mutation("topics", &changed, 1, topic_data("neu"))]);
    let gone = uuid();
    s.admin_push(vec![mutation("topics", &gone, 0, topic_data("weg"))]);
    s.admin_push(vec![delete("topics", &gone, 1)]);
    let (_, cursor) = s.pull_all("0", Some(KEY_A)).await;
    let epoch = s.store.epoch().to_owned();
    let before = all_records(&s.store);
    s.stop().await;

    let cluster = pg::cluster();
    let url = cluster.database(&format!("copy_{}", &uuid()[..8]));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lotsen-server"))
        .args(["copy", "--to", &url, "--data-dir"])
        .arg(dirs.data())
        .env_remove("LOTSEN_DATABASE_URL")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("records: 3"), "{text}");
    // A second copy into the same database is refused: it is not empty any more.
    let again = std::process::Command::new(env!("CARGO_BIN_EXE_lotsen-server"))
        .args(["copy", "--to", &url, "--data-dir"])
        .arg(dirs.data())
        .env_remove("LOTSEN_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("nicht leer"));

    let pg_store = Store::connect(&url, None, &dirs.data()).unwrap();
    assert_eq!(pg_store.epoch(), epoch);
    assert_eq!(all_records(&pg_store), before);
    drop(pg_store);

    // The device continues with its old cursor against a server on PostgreSQL: nothing new,
    // then exactly what is written next.
    let p = Process::start(&dirs, &url).await;
    let client = reqwest::Client::new();
    let page = |cursor: String| {
        let (client, base) = (client.clone(), p.base.clone());
        async move {
            let res = client
                .get(format!("{base}/api/v1/changes?since={cursor}&limit=100"))
                .header("X-Device-Key", KEY_A)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()
        }
    };
    let first = page(cursor.clone()).await;
    assert_eq!(first["changes"], json!([]), "{first}");
    let cookie = login(&client, &p.base, BUERO_PW).await.1.unwrap();
    let next = uuid();
    push(
        &client,
        &p.base,
        &cookie,
        &mutation("topics", &next, 0, topic_data("danach")),
    )
    .await;
    let second = page(cursor).await;
    let ids: Vec<&str> = second["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [next.as_str()]);
}

/// Eight pulls at once; how many changes each saw.
async fn eight_pulls_at_once(client: &reqwest::Client, base: &str, cookie: &str) -> Vec<usize> {
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (client, base, cookie) = (client.clone(), base.to_owned(), cookie.to_owned());
        tasks.push(tokio::spawn(async move {
            pull(&client, &base, &cookie, "0").await.0.len()
        }));
    }
    let mut seen = Vec::new();
    for t in tasks {
        seen.push(t.await.unwrap());
    }
    seen
}

/// Every record with its version, `seq`, deletion flag and data, by `seq`.
fn all_records(store: &Store) -> Vec<(String, String, u64, u64, bool, Value)> {
    let mut out = Vec::new();
    for collection in [
        "topics",
        "lotsen",
        "events",
        "requests",
        "notes",
        "applications",
    ] {
        for r in store.read(|tx| tx.all(collection)).unwrap() {
            let e = r.envelope;
            out.push((e.collection, e.id, e.version, e.seq, e.deleted, e.data));
        }
    }
    out.sort_by_key(|r| r.3);
    out
}

#[test]
fn tls_to_the_database_with_the_citys_ca_and_no_connection_without_it() {
    let pki_dir = tempfile::tempdir().unwrap();
    let pki = ldap::make_pki(pki_dir.path());
    let cluster = pg::tls_cluster(&pki.cert, &pki.key);
    let dirs = Dirs::new();
    let url = format!(
        "{}?sslmode=require",
        cluster.database(&format!("tls_{}", &uuid()[..8]))
    );
    let access = |ca: &std::path::Path| lotsen_server::store::PgAccess {
        password: None,
        ca_file: Some(ca.to_owned()),
    };
    // With the CA that signed the server's certificate: connected, and encrypted.
    let store = Store::connect_with(&url, &access(&pki.ca), &dirs.data()).unwrap();
    assert_eq!(store.read(|tx| tx.count_records()).unwrap(), 0);
    let admin = format!("{}?sslmode=disable", cluster.database("postgres"));
    let encrypted = std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).unwrap();
        let row = client
            .query_one(
                "SELECT count(*) FILTER (WHERE s.ssl), count(*) FROM pg_stat_ssl s \
                 JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'lotsen-server'",
                &[],
            )
            .unwrap();
        (row.get::<_, i64>(0), row.get::<_, i64>(1))
    })
    .join()
    .unwrap();
    assert!(encrypted.1 > 0, "the store is connected");
    assert_eq!(encrypted.0, encrypted.1, "every connection encrypted");
    drop(store);
    // Trusting another CA, or only the system's: no connection to a server it cannot verify.
    let other = Store::connect_with(&url, &access(&pki.other_ca), &dirs.data());
    let err = other.err().expect("refused").to_string();
    assert!(
        err.contains("certificate") || err.contains("Zertifikat"),
        "{err}"
    );
    assert!(Store::connect(&url, None, &dirs.data()).is_err());
}
