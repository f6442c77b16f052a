//! Starts the real server on 127.0.0.1:0 over a temp data dir and talks to it over HTTP.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use lotsen_domain::permission::Actor;
use lotsen_domain::protocol::{Mutation, MutationResult};
use lotsen_server::actor::Caller;
use lotsen_server::http::{self, HttpLimits};
use lotsen_server::writes::WriteBudgetConfig;
use lotsen_server::{app, sync, AuthConfig, ServerState, Store};
use serde_json::{json, Value};
use tokio::sync::oneshot;

pub mod ldap;
pub mod pg;

pub const KEY_A: &str = "device-key-aaaaaaaaaaaaaaaa";
pub const KEY_B: &str = "device-key-bbbbbbbbbbbbbbbb";

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<Store>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// The PostgreSQL cluster, kept running while the server uses it.
    _pg: Option<Arc<pg::Cluster>>,
}

/// The store of a test's data directory: SQLite in it, or (`LOTSEN_TEST_DATABASE=postgres`) a
/// PostgreSQL database of its own, the same one again for the same directory.
pub fn open_store(data_dir: &Path) -> (Store, Option<Arc<pg::Cluster>>) {
    if pg::enabled() {
        let cluster = pg::cluster();
        let url = cluster.database_for(data_dir);
        let store = Store::connect(&url, None, data_dir).expect("connect to PostgreSQL");
        (store, Some(cluster))
    } else {
        (Store::open(data_dir).expect("open store"), None)
    }
}

/// The environment that points a command of the real binary on `data_dir` at the test's
/// database (`LOTSEN_DATABASE_URL`, as an operator would set it), when testing PostgreSQL.
pub fn database_env(data_dir: &Path) -> Vec<(String, String)> {
    if pg::enabled() {
        vec![(
            "LOTSEN_DATABASE_URL".into(),
            pg::cluster().database_for(data_dir),
        )]
    } else {
        Vec::new()
    }
}

/// Every text stored in any table of the database of `data_dir`, one value (SQLite) or one
/// row (PostgreSQL) a line: for tests that personal data is gone from everywhere.
pub fn every_stored_text(data_dir: &Path) -> String {
    if pg::enabled() {
        let url = pg::cluster().database_for(data_dir);
        return std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            let tables: Vec<String> = client
                .query(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = 'public'",
                    &[],
                )
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            let mut all = String::new();
            for table in tables {
                for row in client
                    .query(&format!("SELECT t::text FROM \"{table}\" t"), &[])
                    .unwrap()
                {
                    all.push_str(row.get::<_, &str>(0));
                    all.push('\n');
                }
            }
            all
        })
        .join()
        .unwrap();
    }
    let conn = rusqlite::Connection::open(data_dir.join("lotsen.sqlite3")).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut all = String::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                if let rusqlite::types::ValueRef::Text(t) = row.get_ref(i).unwrap() {
                    all.push_str(&String::from_utf8_lossy(t));
                    all.push('\n');
                }
            }
        }
    }
    all
}

/// `SELECT COUNT(*) …` with one text parameter `?1`, on the database of `data_dir`.
pub fn count(data_dir: &Path, sql: &str, param: &str) -> i64 {
    if pg::enabled() {
        let url = pg::cluster().database_for(data_dir);
        let (sql, param) = (sql.replace("?1", "$1"), param.to_owned());
        return std::thread::spawn(move || {
            let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            client.query_one(&sql, &[&param]).unwrap().get(0)
        })
        .join()
        .unwrap();
    }
    rusqlite::Connection::open(data_dir.join("lotsen.sqlite3"))
        .unwrap()
        .query_row(sql, [param], |r| r.get(0))
        .unwrap()
}

/// `--database-url …` for a command of the real binary on `data_dir`, when testing PostgreSQL.
pub fn database_args(data_dir: &Path) -> Vec<String> {
    if pg::enabled() {
        vec![
            "--database-url".into(),
            pg::cluster().database_for(data_dir),
        ]
    } else {
        Vec::new()
    }
}

impl TestServer {
    pub async fn start(data_dir: &Path, dist: &Path) -> TestServer {
        TestServer::start_with(data_dir, dist, AuthConfig::default()).await
    }

    /// Like `start`, with the given session and throttling settings.
    pub async fn start_with(data_dir: &Path, dist: &Path, auth: AuthConfig) -> TestServer {
        TestServer::start_with_limits(data_dir, dist, auth, HttpLimits::default()).await
    }

    /// Like `start_with`, with the given limits of the HTTP layer.
    pub async fn start_with_limits(
        data_dir: &Path,
        dist: &Path,
        auth: AuthConfig,
        limits: HttpLimits,
    ) -> TestServer {
        TestServer::start_custom(data_dir, dist, auth, limits, |state| state).await
    }

    /// Like `start_with_limits`, with the app state changed by `adapt` (write budgets).
    pub async fn start_custom(
        data_dir: &Path,
        dist: &Path,
        auth: AuthConfig,
        limits: HttpLimits,
        adapt: impl FnOnce(ServerState) -> ServerState,
    ) -> TestServer {
        let (store, pg) = open_store(data_dir);
        TestServer::serve(store, pg, dist, auth, limits, adapt).await
    }

    /// A server on SQLite in `data_dir`, whichever database the run tests.
    pub async fn start_sqlite(data_dir: &Path, dist: &Path) -> TestServer {
        let store = Store::open(data_dir).expect("open store");
        TestServer::serve(
            store,
            None,
            dist,
            AuthConfig::default(),
            HttpLimits::default(),
            |state| state,
        )
        .await
    }

    async fn serve(
        store: Store,
        pg: Option<Arc<pg::Cluster>>,
        dist: &Path,
        auth: AuthConfig,
        limits: HttpLimits,
        adapt: impl FnOnce(ServerState) -> ServerState,
    ) -> TestServer {
        let store = Arc::new(store);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        // Anonymous writes keep no free-space reserve here: a test machine's temp directory may
        // be small, and the guard has tests of its own.
        let state = ServerState::with_auth(store.clone(), dist, auth)
            .with_writes(WriteBudgetConfig::default(), 0);
        let router = app(adapt(state));
        let task = tokio::spawn(async move {
            http::serve(listener, router, limits, async {
                let _ = stopped.await;
            })
            .await;
        });
        TestServer {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            store,
            stop: Some(stop),
            task: Some(task),
            _pg: pg,
        }
    }

    /// Stops the server and waits until it has let go of the database.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            t.await.unwrap();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str, key: Option<&str>) -> (u16, Value) {
        let mut req = self.client.get(self.url(path));
        if let Some(k) = key {
            req = req.header("X-Device-Key", k);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    pub async fn pull(&self, since: &str, limit: usize, key: Option<&str>) -> Value {
        let (status, body) = self
            .get(&format!("/api/v1/changes?since={since}&limit={limit}"), key)
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Pulls everything visible from `since`, page by page.
    pub async fn pull_all(&self, since: &str, key: Option<&str>) -> (Vec<Value>, String) {
        let mut cursor = since.to_owned();
        let mut out = Vec::new();
        loop {
            let page = self.pull(&cursor, 1000, key).await;
            out.extend(page["changes"].as_array().unwrap().iter().cloned());
            cursor = page["cursor"].as_str().unwrap().to_owned();
            if !page["has_more"].as_bool().unwrap() {
                return (out, cursor);
            }
        }
    }

    pub async fn push_raw(&self, body: Value, key: Option<&str>) -> (u16, Value) {
        let mut req = self.client.post(self.url("/api/v1/push")).json(&body);
        if let Some(k) = key {
            req = req.header("X-Device-Key", k);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Pushes and returns the results (asserting 200).
    pub async fn push(&self, mutations: Vec<Value>, key: Option<&str>) -> Vec<Value> {
        let (status, body) = self.push_raw(json!({ "mutations": mutations }), key).await;
        assert_eq!(status, 200, "{body}");
        body["results"].as_array().unwrap().clone()
    }

    /// Writes as the Projektbüro directly through the sync code (there is no login yet).
    pub fn admin_push(&self, mutations: Vec<Value>) -> Vec<MutationResult> {
        let ms: Vec<Mutation> = mutations
            .into_iter()
            .map(|m| serde_json::from_value(m).unwrap())
            .collect();
        let caller = Caller::acting_as(Actor::Buero {
            username: "buero".into(),
        });
        let now = sync::now_utc();
        self.store
            .write(|tx| sync::push(tx, &caller, &ms, &now))
            .unwrap()
    }

    /// Sends a request as `who` (device key and/or session cookie).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        who: As<'_>,
    ) -> reqwest::Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(k) = who.key {
            req = req.header("X-Device-Key", k);
        }
        if let Some(c) = who.cookie {
            req = req.header("Cookie", c);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    /// `send`, then status and JSON body (Null if none).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        who: As<'_>,
    ) -> (u16, Value) {
        let res = self.send(method, path, body, who).await;
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Logs in: status, body, and the `name=value` pair of the session cookie (if one was
    /// set) together with the whole `Set-Cookie` header.
    pub async fn login(&self, username: &str, password: &str) -> Login {
        self.login_from(&self.client, username, password).await
    }

    pub async fn login_from(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> Login {
        let res = client
            .post(self.url("/api/v1/session"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let set_cookie = headers
            .get("set-cookie")
            .map(|v| v.to_str().unwrap().to_owned());
        let cookie = set_cookie
            .as_deref()
            .and_then(|c| c.split(';').next())
            .filter(|pair| pair.len() > "lotsen_session=".len())
            .map(str::to_owned);
        Login {
            status,
            body: res.json().await.unwrap_or(Value::Null),
            cookie,
            set_cookie,
            headers,
        }
    }

    /// Logs in and returns the cookie, asserting success.
    pub async fn cookie(&self, username: &str, password: &str) -> String {
        let l = self.login(username, password).await;
        assert_eq!(l.status, 200, "{}", l.body);
        l.cookie.expect("session cookie")
    }

    pub async fn push_as(&self, mutations: Vec<Value>, who: As<'_>) -> Vec<Value> {
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                "/api/v1/push",
                Some(json!({ "mutations": mutations })),
                who,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["results"].as_array().unwrap().clone()
    }

    /// Everything `who` may see, from the start.
    pub async fn pull_all_as(&self, who: As<'_>) -> Vec<Value> {
        let mut cursor = "0".to_owned();
        let mut out = Vec::new();
        loop {
            let path = format!("/api/v1/changes?since={cursor}&limit=1000");
            let (status, page) = self.call(reqwest::Method::GET, &path, None, who).await;
            assert_eq!(status, 200, "{page}");
            out.extend(page["changes"].as_array().unwrap().iter().cloned());
            cursor = page["cursor"].as_str().unwrap().to_owned();
            if !page["has_more"].as_bool().unwrap() {
                return out;
            }
        }
    }

    /// Creates an account directly in the store (as the command line does).
    pub fn add_account(&self, username: &str, password: &str, role: &str, lotse: Option<&str>) {
        lotsen_server::accounts::create(
            &self.store,
            lotsen_server::accounts::NewAccount {
                username: username.into(),
                password: password.into(),
                role: role.into(),
                lotse: lotse.map(str::to_owned),
            },
        )
        .unwrap();
    }

    /// The stored record (version, deleted, data) or None.
    pub fn stored(&self, collection: &str, id: &str) -> Option<(u64, bool, Value)> {
        self.store
            .read(|tx| tx.get(collection, id))
            .unwrap()
            .map(|r| (r.envelope.version, r.envelope.deleted, r.envelope.data))
    }

    pub fn record_count(&self) -> u64 {
        self.store.read(|tx| tx.count_records()).unwrap()
    }

    pub fn last_seq(&self) -> u64 {
        self.store.read(|tx| tx.last_seq()).unwrap()
    }
}

/// Who sends a request: a device key, a session cookie (`lotsen_session=…`), both or neither.
#[derive(Clone, Copy, Debug, Default)]
pub struct As<'a> {
    pub key: Option<&'a str>,
    pub cookie: Option<&'a str>,
}

pub const NOBODY: As<'static> = As {
    key: None,
    cookie: None,
};

pub fn with_key(key: &str) -> As<'_> {
    As {
        key: Some(key),
        cookie: None,
    }
}

pub fn with_cookie(cookie: &str) -> As<'_> {
    As {
        key: None,
        cookie: Some(cookie),
    }
}

pub struct Login {
    pub status: u16,
    pub body: Value,
    /// `lotsen_session=<token>`, ready for a `Cookie` header.
    pub cookie: Option<String>,
    pub set_cookie: Option<String>,
    pub headers: reqwest::header::HeaderMap,
}

/// A fresh data dir and dist dir for one test.
pub struct Dirs {
    pub root: tempfile::TempDir,
    /// The PostgreSQL cluster, kept running for the whole test (servers come and go).
    pub pg: Option<Arc<pg::Cluster>>,
}

impl Dirs {
    pub fn new() -> Dirs {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("dist")).unwrap();
        Dirs {
            root,
            pg: pg::enabled().then(pg::cluster),
        }
    }
    pub fn data(&self) -> PathBuf {
        self.root.path().join("data")
    }
    pub fn dist(&self) -> PathBuf {
        self.root.path().join("dist")
    }
}

pub async fn start() -> (Dirs, TestServer) {
    start_with(AuthConfig::default()).await
}

pub async fn start_with(auth: AuthConfig) -> (Dirs, TestServer) {
    let dirs = Dirs::new();
    let server = TestServer::start_with(&dirs.data(), &dirs.dist(), auth).await;
    (dirs, server)
}

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// A fresh UUID-shaped id.
/// The (code, field) pairs of an answer's `errors` list, in its order.
pub fn error_fields(answer: &Value) -> Vec<(String, String)> {
    answer["errors"]
        .as_array()
        .expect("a list of errors")
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (text("code"), text("field"))
        })
        .collect()
}

pub fn uuid() -> String {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!(
        "{:08x}-{:04x}-4{:03x}-8000-{:012x}",
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_be_bytes([b[4], b[5]]),
        n & 0xfff,
        n
    )
}

pub fn mutation(collection: &str, id: &str, base_version: u64, data: Value) -> Value {
    json!({"mutation_id": uuid(), "collection": collection, "id": id,
           "base_version": base_version, "deleted": false, "data": data})
}

pub fn delete(collection: &str, id: &str, base_version: u64) -> Value {
    json!({"mutation_id": uuid(), "collection": collection, "id": id,
           "base_version": base_version, "deleted": true, "data": {}})
}

pub fn request_data(title: &str) -> Value {
    json!({"kind": "frage", "topic": null, "title": title, "description": "",
           "requester": {"name": "Eva Beispiel", "department": "Bürgerbüro", "contact": "-1234"},
           "status": "neu", "assignee": null})
}

pub fn topic_data(slug: &str) -> Value {
    json!({"name": format!("Thema {slug}"), "slug": slug, "category": "Office",
           "synonyms": [], "description": ""})
}

pub fn lotse_data(name: &str, topic: &str, active: bool) -> Value {
    json!({"name": name, "department": "Bauamt", "phone": "02921 103-1000",
           "email": "a.b@soest.de", "location": "Rathaus I", "availability": "Mo",
           "skills": [{"topic": topic, "level": 2}], "learning": [],
           "confirmed_at": "2025-01-01", "active": active})
}

/// A free port on 127.0.0.1 (bound and released: free a moment later, as tests need it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The real `lotsen-server serve` on a free port over `dirs`, with `extra` flags; its address.
pub fn spawn_binary(dirs: &Dirs, extra: &[&str]) -> (std::process::Child, String) {
    let port = free_port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_lotsen-server"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dirs.data())
        .arg("--dist")
        .arg(dirs.dist())
        .args(database_args(&dirs.data()))
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    (child, format!("http://127.0.0.1:{port}"))
}

/// Waits until the server at `base` answers its health check (10 s at most).
pub async fn wait_up(client: &reqwest::Client, base: &str) {
    for _ in 0..100 {
        if let Ok(r) = client.get(format!("{base}/api/v1/health")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("server did not come up");
}
