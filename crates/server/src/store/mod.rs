//! Storage: the only module that knows SQL. Everything else talks to [`Store`] and the
//! transaction handle [`Tx`], which run on SQLite (embedded, one process) or on PostgreSQL
//! (a provider's cluster, any number of server processes); see [`db`].
//!
//! SQLite runs in WAL mode with `synchronous=FULL`: once a write transaction has committed, it
//! survives a `kill -9` or a power cut, which is what "an answered push is never lost" needs.
//! One connection behind a mutex serialises all writes; that also makes `seq` strictly
//! increasing in commit order, so a pull can never skip a write that commits later with a
//! smaller `seq`.
//!
//! PostgreSQL gets the same guarantee across processes: every write transaction first takes
//! one transaction-scoped advisory lock ([`WRITE_LOCK`]), so writes are serialised by the
//! database itself, `seq` is handed out under that lock and released only with the commit, and
//! a reader (one REPEATABLE READ snapshot per read) sees a prefix of the `seq` order. A pull
//! cursor therefore never passes a record that commits later. Compare-and-swap, the mutation
//! log and the once-a-day jobs are decided under the same lock. One process at a time delivers
//! mails ([`Store::is_mail_sender`]).
//!
//! A record's JSON is text in both databases; PostgreSQL queries look inside it as `json`, not
//! `jsonb`, because `jsonb` refuses a `\u0000` that a client may have typed, and one such record
//! would then fail every query (and every insert, through the index) that reads the collection.

pub mod db;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use db::{vals, Conn, Dialect, PgPool, PgTx, Row};
use lotsen_domain::protocol::{Envelope, FieldError, MutationStatus};
use rusqlite::{params, Connection, TransactionBehavior};

const SCHEMA: &str = include_str!("../../migrations/0001_init.sql");
/// The version `SCHEMA` creates; later versions are reached by [`MIGRATIONS`].
const BASE_SCHEMA_VERSION: i64 = 1;
/// `(version, script)`: each script brings the database from `version - 1` to `version`.
const MIGRATIONS: &[(i64, &str)] = &[
    (2, include_str!("../../migrations/0002_sessions.sql")),
    (3, include_str!("../../migrations/0003_mutation_log.sql")),
    (4, include_str!("../../migrations/0004_audience.sql")),
    (
        5,
        include_str!("../../migrations/0005_directory_accounts.sql"),
    ),
    (6, include_str!("../../migrations/0006_mail_outbox.sql")),
    (7, include_str!("../../migrations/0007_login_throttle.sql")),
];

/// PostgreSQL starts at the schema SQLite had reached at version 6 (there are no older
/// PostgreSQL installations) and follows with its own scripts of the same versions.
const PG_SCHEMA: &str = include_str!("../../migrations/postgres/0006_schema.sql");
const PG_BASE_SCHEMA_VERSION: i64 = 6;
const PG_MIGRATIONS: &[(i64, &str)] = &[(
    7,
    include_str!("../../migrations/postgres/0007_login_throttle.sql"),
)];

/// The advisory lock every PostgreSQL write transaction holds (see the module's text): "Lots".
pub const WRITE_LOCK: i64 = 0x4c6f_7473;

/// The session-level advisory lock of the one process that delivers mails: "Post".
const SENDER_LOCK: i64 = 0x506f_7374;

/// How many connections one process keeps to PostgreSQL at most.
const PG_CONNECTIONS: usize = 8;

/// A storage failure. Its text is for the operator's log, never for API clients; the
/// underlying error stays attached (`source`).
#[derive(Debug)]
pub enum StoreError {
    Sqlite(rusqlite::Error),
    Postgres(postgres::Error),
    /// The database cannot be reached now (no connection, none free).
    Unavailable(String),
    Json(serde_json::Error),
    /// Anything else, said in words (a file that cannot be written, a record that does not
    /// import).
    Other(String),
}

impl StoreError {
    pub fn new(message: impl Into<String>) -> StoreError {
        StoreError::Other(message.into())
    }

    /// Whether the storage itself cannot take writes now (disk full, read-only, I/O error,
    /// locked for too long): a condition of the server that passes, not a fault of the data.
    pub fn is_unavailable(&self) -> bool {
        use rusqlite::ErrorCode;
        let e = match self {
            StoreError::Sqlite(e) => e,
            StoreError::Postgres(e) => return pg_unavailable(e),
            StoreError::Unavailable(_) => return true,
            StoreError::Json(_) | StoreError::Other(_) => return false,
        };
        e.sqlite_error_code().is_some_and(|code| {
            matches!(
                code,
                ErrorCode::DiskFull
                    | ErrorCode::ReadOnly
                    | ErrorCode::SystemIoFailure
                    | ErrorCode::CannotOpen
                    | ErrorCode::DatabaseBusy
                    | ErrorCode::DatabaseLocked
            )
        })
    }
}

/// A PostgreSQL error that passes: the connection is gone or the server is shutting down,
/// starting, out of resources, or read-only (a standby after a failover).
fn pg_unavailable(e: &postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.code() {
        Some(code) => {
            let code = code.code();
            code.starts_with("08")
                || code.starts_with("53")
                || code.starts_with("57P")
                || code == "25006"
        }
        // No SQLSTATE: the socket failed (refused, reset, timed out).
        None => std::error::Error::source(e)
            .is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some()),
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "sqlite: {e}"),
            StoreError::Postgres(e) => write!(f, "postgres: {e}"),
            StoreError::Unavailable(m) => write!(f, "database unavailable: {m}"),
            StoreError::Json(e) => write!(f, "json: {e}"),
            StoreError::Other(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Sqlite(e) => Some(e),
            StoreError::Postgres(e) => Some(e),
            StoreError::Json(e) => Some(e),
            StoreError::Other(_) | StoreError::Unavailable(_) => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        StoreError::Postgres(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Json(e)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An entry of the mutation log, a short-lived idempotency cache: a retry of the same
/// mutation by the same sender is answered from it instead of being applied twice. It holds
/// no record data, only which record the mutation touched (the answer shows that record as
/// the sender may see it now) and a refusal's errors.
#[derive(Clone, Debug, PartialEq)]
pub struct LoggedMutation {
    pub status: MutationStatus,
    /// (collection, id) of an applied or conflicting mutation.
    pub record: Option<(String, String)>,
    pub errors: Vec<FieldError>,
}

/// The `error` column: a JSON list of a refusal's errors; entries logged before lists were
/// kept hold one error as an object.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum LoggedErrors {
    All(Vec<FieldError>),
    One(FieldError),
}

/// A stored record with what only the server knows about it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredRecord {
    pub envelope: Envelope,
    /// SHA-256 (hex) of the device key that created it, for anonymous ownership.
    pub owner_hash: Option<String>,
}

/// A login account (SPEC §8). Only the hash of the password is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub password_hash: String,
    /// `lotse` or `buero` (the table checks it).
    pub role: String,
    pub lotse: Option<String>,
    pub disabled: bool,
    /// Set when the account is first stored; ignored by updates.
    pub created_at: String,
    /// Signed in through the city's directory: no password here, role and Lotse from there.
    pub directory: bool,
}

/// A stored session with the current state of its account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub account: Account,
    /// Unix milliseconds of the login.
    pub created_ms: i64,
    /// Unix milliseconds of the last (recorded) use.
    pub seen_ms: i64,
}

/// How to reach PostgreSQL besides its URL.
#[derive(Clone, Debug, Default)]
pub struct PgAccess {
    /// Replaces a password in the URL (read from `LOTSEN_DATABASE_PASSWORD_FILE`).
    pub password: Option<String>,
    /// The CA (PEM) that signed the database's certificate; the system's CAs without it. Used
    /// when the URL's `sslmode` is `prefer` (the default) or `require`.
    pub ca_file: Option<PathBuf>,
}

pub struct Store {
    backend: Backend,
    epoch: String,
    /// The data directory (the SQLite file; mail files; the free-space guard).
    dir: PathBuf,
}

enum Backend {
    Sqlite {
        /// The one connection that writes.
        conn: Mutex<Connection>,
        /// Connections that only read (pulls, exports, session lookups). In WAL mode a reader
        /// works on its own snapshot and never holds up the writer: before, one connection for
        /// everything let a flood of cheap anonymous pulls delay every push by seconds.
        readers: Vec<Mutex<Connection>>,
        next_reader: AtomicUsize,
    },
    Postgres(Box<PgPool>),
}

/// Read connections; more readers than cores only queue on the CPU.
const READERS: usize = 4;

impl Store {
    /// Opens (and on first use creates) the SQLite database `lotsen.sqlite3` in `dir`.
    pub fn open(dir: &Path) -> StoreResult<Store> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::new(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join("lotsen.sqlite3");
        let conn = Connection::open(&path)?;
        let mut store = Store::init(conn, dir.to_owned())?;
        if let Backend::Sqlite { readers, .. } = &mut store.backend {
            for _ in 0..READERS {
                let reader = Connection::open(&path)?;
                reader.busy_timeout(std::time::Duration::from_secs(5))?;
                reader.pragma_update(None, "query_only", "ON")?;
                readers.push(Mutex::new(reader));
            }
        }
        Ok(store)
    }

    /// Connects to PostgreSQL at `url` (`postgres://user:pass@host:5432/db`) and brings its
    /// schema up to date. `dir` still holds the server's files (mails written without a relay).
    pub fn connect(url: &str, password: Option<&str>, dir: &Path) -> StoreResult<Store> {
        let access = PgAccess {
            password: password.map(str::to_owned),
            ca_file: None,
        };
        Store::connect_with(url, &access, dir)
    }

    /// [`Store::connect`] with the password and CA of `access`.
    pub fn connect_with(url: &str, access: &PgAccess, dir: &Path) -> StoreResult<Store> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::new(format!("cannot create {}: {e}", dir.display())))?;
        let mut config: postgres::Config = url.parse()?;
        if let Some(password) = &access.password {
            config.password(password);
        }
        let roots = match &access.ca_file {
            Some(path) => crate::tls::roots_from_file(path, "LOTSEN_DATABASE_CA_FILE")
                .map_err(StoreError::Other)?,
            None => crate::tls::system_roots(),
        };
        let tls = crate::tls::client_config(roots).map_err(StoreError::Other)?;
        let pool = PgPool::new(config, tls, PG_CONNECTIONS);
        let epoch = init_pg(&pool)?;
        Ok(Store {
            backend: Backend::Postgres(Box::new(pool)),
            epoch,
            dir: dir.to_owned(),
        })
    }

    /// PostgreSQL when `database_url` is given, SQLite in `dir` otherwise.
    pub fn open_configured(
        database_url: Option<&str>,
        access: &PgAccess,
        dir: &Path,
    ) -> StoreResult<Store> {
        match database_url {
            Some(url) => Store::connect_with(url, access, dir),
            None => Store::open(dir),
        }
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite { .. } => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    fn init(mut conn: Connection, dir: PathBuf) -> StoreResult<Store> {
        // WAL lets readers of the file (backup) proceed while we write; FULL syncs the WAL on
        // every commit, the price of durability for answered pushes.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted and overwritten content is zeroed in the file, not left in free space:
        // anonymised names must not be recoverable from the database file.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        let epoch = new_epoch()?;
        // INSERT OR IGNORE: only the very first start of a database picks its epoch.
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('epoch', ?1), ('seq', 0), \
             ('purge_horizon', 0), ('schema_version', ?2)",
            params![epoch, BASE_SCHEMA_VERSION],
        )?;
        migrate(&mut conn)?;
        let epoch: String =
            conn.query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| {
                r.get(0)
            })?;
        Ok(Store {
            backend: Backend::Sqlite {
                conn: Mutex::new(conn),
                readers: Vec::new(),
                next_reader: AtomicUsize::new(0),
            },
            epoch,
            dir,
        })
    }

    /// The random identity of this database; cursors of another epoch are refused.
    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    /// Runs `f` in one read transaction (a consistent snapshot).
    pub fn read<R: Send>(&self, f: impl FnOnce(&Tx) -> StoreResult<R> + Send) -> StoreResult<R> {
        match &self.backend {
            Backend::Sqlite {
                conn,
                readers,
                next_reader,
            } => {
                let mut guard = sqlite_reader(conn, readers, next_reader);
                let tx = guard.transaction_with_behavior(TransactionBehavior::Deferred)?;
                let out = f(&Tx {
                    conn: Conn::Sqlite(&tx),
                })?;
                tx.finish()?;
                Ok(out)
            }
            Backend::Postgres(pool) => pg_transaction(pool, false, f),
        }
    }

    /// Runs `f` in one write transaction, committed (durably) only if `f` succeeds.
    pub fn write<R: Send>(&self, f: impl FnOnce(&Tx) -> StoreResult<R> + Send) -> StoreResult<R> {
        match &self.backend {
            Backend::Sqlite { conn, .. } => {
                // A panic while holding the lock cannot leave a half-written transaction
                // behind (SQLite rolls it back), so a poisoned lock is safe to take over.
                let mut conn = conn.lock().unwrap_or_else(|p| p.into_inner());
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let out = f(&Tx {
                    conn: Conn::Sqlite(&tx),
                })?;
                tx.commit()?;
                Ok(out)
            }
            Backend::Postgres(pool) => pg_transaction(pool, true, f),
        }
    }

    /// Whether this process is the one that delivers mails now. On SQLite there is only one
    /// process. On PostgreSQL the first process to ask takes a session-level advisory lock on a
    /// connection of its own and keeps it; if it dies, PostgreSQL ends its session and the next
    /// process that asks takes over at once.
    pub fn is_mail_sender(&self) -> StoreResult<bool> {
        match &self.backend {
            Backend::Sqlite { .. } => Ok(true),
            Backend::Postgres(pool) => off_async(|| pool.hold_session_lock(SENDER_LOCK)),
        }
    }

    /// Writes a consistent copy of the database to `out` (which must not exist yet).
    ///
    /// The copy gets a new epoch: once it is restored, clients that synced with the newer
    /// original must not continue from their cursors (they would keep records the copy
    /// does not have), so they are told to pull from the start.
    pub fn backup(&self, out: &Path) -> StoreResult<()> {
        let Backend::Sqlite { conn, .. } = &self.backend else {
            return Err(StoreError::new(
                "Auf PostgreSQL sichert der Betreiber die Datenbank mit pg_dump \
                 (siehe README, „Betrieb auf PostgreSQL“).",
            ));
        };
        let out_str = out
            .to_str()
            .ok_or_else(|| StoreError::new("backup path is not valid UTF-8"))?;
        conn.lock()
            .unwrap_or_else(|p| p.into_inner())
            .execute("VACUUM INTO ?1", params![out_str])?;
        let copy = Connection::open(out)?;
        copy.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'epoch'",
            params![new_epoch()?],
        )?;
        // A restored copy must not bring back sessions that were logged out since.
        copy.execute("DELETE FROM sessions", [])?;
        Ok(())
    }

    /// Forgets mutations logged before `cutoff` (a `created_at` timestamp): a retry after that
    /// is decided afresh by compare-and-swap. Returns how many went.
    pub fn expire_mutations(&self, cutoff: &str) -> StoreResult<usize> {
        self.write(|tx| {
            tx.conn
                .exec("DELETE FROM mutations WHERE created_at < ?1", vals![cutoff])
        })
    }

    /// Deletes tombstones last changed before `cutoff` (an `updated_at` timestamp) and moves
    /// the purge horizon past them, so that a cursor that has not yet seen them is answered
    /// with `reset_required` instead of silently missing a deletion. Returns how many went.
    pub fn purge_tombstones(&self, cutoff: &str) -> StoreResult<usize> {
        self.write(|tx| {
            let max = tx
                .conn
                .row(
                    "SELECT MAX(seq) FROM records WHERE deleted = 1 AND updated_at < ?1",
                    vals![cutoff],
                )?
                .map(|r| r.opt_int(0))
                .transpose()?
                .flatten();
            let Some(max) = max else { return Ok(0) };
            // The log's entries of a purged record go with it.
            tx.conn.exec(
                "DELETE FROM mutations WHERE EXISTS (SELECT 1 FROM records r \
                 WHERE r.collection = mutations.collection AND r.id = mutations.id \
                 AND r.deleted = 1 AND r.updated_at < ?1)",
                vals![cutoff],
            )?;
            let n = tx.conn.exec(
                "DELETE FROM records WHERE deleted = 1 AND updated_at < ?1",
                vals![cutoff],
            )?;
            tx.set_meta_int_at_least("purge_horizon", max)?;
            Ok(n)
        })
    }
}

/// The tables [`Store::copy_to`] moves, in an order that satisfies the foreign keys, with
/// their columns.
const COPIED_TABLES: &[(&str, &str)] = &[
    (
        "records",
        "collection, id, version, seq, updated_at, updated_by, deleted, data, owner_hash, audience",
    ),
    (
        "mutations",
        "mutation_id, actor, status, collection, id, error, created_at",
    ),
    (
        "accounts",
        "username, password_hash, role, lotse, created_at, disabled, directory",
    ),
    ("sessions", "token_hash, username, created_ms, seen_ms"),
    (
        "mail_outbox",
        "id, message_id, recipient, reason, request, note, digest, created_at, attempts, \
         next_attempt_ms, sent_at, failed, last_error",
    ),
    ("login_throttle", "key, count, last_ms"),
];

/// What [`Store::copy_to`] moved: rows per table.
pub type CopyReport = Vec<(&'static str, usize)>;

impl Store {
    /// Copies everything of this database into `target`, which must be empty (newly created):
    /// every record with its version and `seq`, the epoch and the counters, so that clients
    /// continue pulling from their cursors; accounts, sessions, the mutation log, the mail
    /// outbox and the login counters. One read snapshot here, one transaction there: a copy
    /// that fails leaves the target as empty as it was.
    pub fn copy_to(&self, target: &Store) -> StoreResult<CopyReport> {
        let (tables, meta) = self.read(|tx| {
            let mut tables = Vec::new();
            for (table, columns) in COPIED_TABLES {
                tables.push(
                    tx.conn
                        .rows(&format!("SELECT {columns} FROM {table}"), &[])?,
                );
            }
            let meta = tx.conn.rows(
                "SELECT key, value FROM meta WHERE key <> 'schema_version'",
                &[],
            )?;
            Ok((tables, meta))
        })?;
        target.write(|tx| {
            let used = tx
                .conn
                .row(
                    "SELECT (SELECT COUNT(*) FROM records) + (SELECT COUNT(*) FROM accounts)",
                    &[],
                )?
                .map(|r| r.int(0))
                .transpose()?
                .unwrap_or(0);
            if used > 0 || tx.last_seq()? > 0 {
                return Err(StoreError::new(
                    "Die Zieldatenbank ist nicht leer; kopiert wird nur in eine neue.",
                ));
            }
            let mut report = CopyReport::new();
            for ((table, columns), rows) in COPIED_TABLES.iter().zip(tables) {
                let n = columns.split(',').count();
                let marks = (1..=n).map(|i| format!("?{i}")).collect::<Vec<_>>();
                let sql = format!(
                    "INSERT INTO {table} ({columns}) VALUES ({})",
                    marks.join(", ")
                );
                for row in &rows {
                    tx.conn.exec(&sql, &row.0)?;
                }
                report.push((*table, rows.len()));
            }
            for row in &meta {
                tx.conn.exec(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    &row.0,
                )?;
            }
            if tx.pg() {
                // The copied ids were set explicitly; new mails continue after them.
                tx.conn.rows(
                    "SELECT setval(pg_get_serial_sequence('mail_outbox', 'id'), \
                     GREATEST((SELECT MAX(id) FROM mail_outbox), 1))",
                    &[],
                )?;
            }
            Ok(report)
        })
    }
}

/// Runs `f` in one PostgreSQL transaction: a read sees one snapshot (REPEATABLE READ, read
/// only); a write first takes [`WRITE_LOCK`] and is committed only if `f` succeeds.
fn pg_transaction<R: Send>(
    pool: &PgPool,
    write: bool,
    f: impl FnOnce(&Tx) -> StoreResult<R> + Send,
) -> StoreResult<R> {
    off_async(|| {
        let out = pg_transaction_on(pool, write, f);
        if out.as_ref().is_err_and(StoreError::is_unavailable) {
            // The database went away: the idle connections broke with this one. Dropped now,
            // the first requests after its return open fresh ones instead of failing on them.
            pool.forget_idle();
        }
        out
    })
}

fn pg_transaction_on<R>(
    pool: &PgPool,
    write: bool,
    f: impl FnOnce(&Tx) -> StoreResult<R>,
) -> StoreResult<R> {
    let mut guard = pool.get()?;
    let pg = guard.conn()?;
    let tx = if write {
        pg.client.transaction()?
    } else {
        pg.client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?
    };
    let t = Tx {
        conn: Conn::Postgres(RefCell::new(PgTx {
            tx,
            statements: &mut pg.statements,
        })),
    };
    if write {
        t.conn
            .rows("SELECT pg_advisory_xact_lock(?1)", vals![WRITE_LOCK])?;
    }
    let out = f(&t)?;
    t.finish_pg()?;
    Ok(out)
}

thread_local! {
    /// Set on the runtime's blocking threads by [`blocking`]: they never run async code, so
    /// PostgreSQL's client runs on them directly.
    static ON_BLOCKING_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// `tokio::task::spawn_blocking` for work with the store: the way the server calls it from
/// async code. The thread is marked, so that a PostgreSQL transaction runs right there instead
/// of on a thread of its own ([`off_async`]).
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    tokio::task::spawn_blocking(move || {
        ON_BLOCKING_THREAD.set(true);
        f()
    })
    .await
}

/// Runs `f` where PostgreSQL's blocking client may run: it drives its connection with a small
/// runtime of its own, which cannot start on a thread that is already inside the server's
/// runtime. The server calls the store through [`blocking`], where this is no concern, but a
/// caller on an async thread (a command, a test) must not make it panic; such calls, when a
/// runtime is about and the thread is not one of [`blocking`]'s, get a thread of their own.
fn off_async<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if ON_BLOCKING_THREAD.get() || tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|scope| match scope.spawn(f).join() {
        Ok(out) => out,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// A free SQLite read connection, or the next one in turn when all are busy.
fn sqlite_reader<'a>(
    conn: &'a Mutex<Connection>,
    readers: &'a [Mutex<Connection>],
    next_reader: &AtomicUsize,
) -> std::sync::MutexGuard<'a, Connection> {
    for r in readers {
        match r.try_lock() {
            Ok(guard) => return guard,
            Err(std::sync::TryLockError::Poisoned(p)) => return p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {}
        }
    }
    let i = next_reader.fetch_add(1, Ordering::Relaxed) % readers.len().max(1);
    match readers.get(i) {
        Some(r) => r.lock().unwrap_or_else(|p| p.into_inner()),
        None => conn.lock().unwrap_or_else(|p| p.into_inner()),
    }
}

/// Runs the migrations the database has not seen yet, each in its own write transaction (so
/// that a second process opening the same file at the same time waits and then skips them).
fn migrate(conn: &mut Connection) -> StoreResult<()> {
    for (version, script) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: i64 = tx.query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )?;
        if current < *version {
            tx.execute_batch(script)?;
            tx.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'schema_version'",
                params![version],
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}

/// Creates or migrates the PostgreSQL schema in one transaction under the write lock (so that
/// processes starting together wait for the first and then find the work done); returns the
/// epoch.
fn init_pg(pool: &PgPool) -> StoreResult<String> {
    off_async(|| init_pg_schema(pool))
}

fn init_pg_schema(pool: &PgPool) -> StoreResult<String> {
    let mut guard = pool.get()?;
    let pg = guard.conn()?;
    let mut tx = pg.client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&WRITE_LOCK])?;
    // Asked first, not CREATE … IF NOT EXISTS: that logs a notice at every start.
    let has_meta: bool = tx
        .query_one("SELECT to_regclass('meta') IS NOT NULL", &[])?
        .try_get(0)?;
    if !has_meta {
        tx.batch_execute(
            "CREATE TABLE meta (key TEXT COLLATE \"C\" PRIMARY KEY, value TEXT NOT NULL)",
        )?;
    }
    let version = tx
        .query_opt("SELECT value FROM meta WHERE key = 'schema_version'", &[])?
        .map(|r| r.try_get::<_, String>(0))
        .transpose()?;
    let mut current = match version {
        Some(v) => v
            .parse::<i64>()
            .map_err(|_| StoreError::new(format!("schema version {v:?}")))?,
        None => {
            tx.batch_execute(PG_SCHEMA)?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('epoch', $1), ('seq', '0'), \
                 ('purge_horizon', '0'), ('schema_version', $2), ('digest_date', ''), \
                 ('digest_at', '')",
                &[&new_epoch()?, &PG_BASE_SCHEMA_VERSION.to_string()],
            )?;
            PG_BASE_SCHEMA_VERSION
        }
    };
    for (version, script) in PG_MIGRATIONS {
        if current < *version {
            tx.batch_execute(script)?;
            current = *version;
        }
    }
    tx.execute(
        "UPDATE meta SET value = $1 WHERE key = 'schema_version'",
        &[&current.to_string()],
    )?;
    let epoch: String = tx
        .query_one("SELECT value FROM meta WHERE key = 'epoch'", &[])?
        .try_get(0)?;
    tx.commit()?;
    Ok(epoch)
}

fn new_epoch() -> StoreResult<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::new(format!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

/// One open transaction. Reads see a consistent snapshot; writes become visible at commit.
pub struct Tx<'a> {
    conn: Conn<'a>,
}

const RECORD_COLUMNS: &str =
    "collection, id, version, seq, updated_at, updated_by, deleted, data, owner_hash";

fn record_from_row(row: &Row) -> StoreResult<StoredRecord> {
    // A stored document that no longer parses is a server bug; show it as an empty object
    // rather than failing every pull of every client.
    let data = serde_json::from_str(row.str(7)?).unwrap_or_else(|_| serde_json::json!({}));
    Ok(StoredRecord {
        envelope: Envelope {
            collection: row.text(0)?,
            id: row.text(1)?,
            version: to_u64(row.int(2)?),
            seq: to_u64(row.int(3)?),
            updated_at: row.text(4)?,
            updated_by: row.text(5)?,
            deleted: row.bool(6)?,
            data,
        },
        owner_hash: row.opt_text(8)?,
    })
}

fn records(rows: Vec<Row>) -> StoreResult<Vec<StoredRecord>> {
    rows.iter().map(record_from_row).collect()
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn to_i64(n: u64) -> StoreResult<i64> {
    i64::try_from(n).map_err(|_| StoreError::new(format!("number {n} out of range")))
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Tx<'_> {
    /// Ends a PostgreSQL transaction: commits it (a read transaction has nothing to keep, but
    /// ending it cleanly returns the connection ready for the next one).
    fn finish_pg(self) -> StoreResult<()> {
        if let Conn::Postgres(cell) = self.conn {
            cell.into_inner().tx.commit()?;
        }
        Ok(())
    }

    pub fn dialect(&self) -> Dialect {
        self.conn.dialect()
    }

    fn pg(&self) -> bool {
        self.dialect() == Dialect::Postgres
    }

    fn exists_row(&self, sql: &str, params: &[db::Val]) -> StoreResult<bool> {
        Ok(self.conn.row(sql, params)?.is_some())
    }

    fn meta_int(&self, key: &str) -> StoreResult<u64> {
        let row = self
            .conn
            .row("SELECT value FROM meta WHERE key = ?1", vals![key])?
            .ok_or_else(|| StoreError::new(format!("meta {key} missing")))?;
        Ok(to_u64(row.int(0)?))
    }

    /// Raises the counter `key` in `meta` to `value` unless it is already higher.
    fn set_meta_int_at_least(&self, key: &str, value: i64) -> StoreResult<()> {
        let sql = if self.pg() {
            "UPDATE meta SET value = GREATEST(value::bigint, ?2)::text WHERE key = ?1"
        } else {
            "UPDATE meta SET value = MAX(value, ?2) WHERE key = ?1"
        };
        self.conn.exec(sql, vals![key, value])?;
        Ok(())
    }

    /// The highest `seq` ever handed out and committed (writes are serialised).
    pub fn last_seq(&self) -> StoreResult<u64> {
        self.meta_int("seq")
    }

    /// Cursors below this `seq` may have missed purged tombstones.
    pub fn purge_horizon(&self) -> StoreResult<u64> {
        self.meta_int("purge_horizon")
    }

    /// Hands out the next `seq`; only meaningful inside a write transaction.
    pub fn next_seq(&self) -> StoreResult<u64> {
        let sql = if self.pg() {
            "UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'seq' RETURNING value"
        } else {
            "UPDATE meta SET value = value + 1 WHERE key = 'seq' RETURNING value"
        };
        let row = self
            .conn
            .row(sql, &[])?
            .ok_or_else(|| StoreError::new("meta seq missing"))?;
        Ok(to_u64(row.int(0)?))
    }

    pub fn get(&self, collection: &str, id: &str) -> StoreResult<Option<StoredRecord>> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE collection = ?1 AND id = ?2");
        self.conn
            .row(&sql, vals![collection, id])?
            .as_ref()
            .map(record_from_row)
            .transpose()
    }

    /// Up to `n` records with `seq` greater than `after`, in `seq` order.
    pub fn scan(&self, after: u64, n: usize) -> StoreResult<Vec<StoredRecord>> {
        let sql =
            format!("SELECT {RECORD_COLUMNS} FROM records WHERE seq > ?1 ORDER BY seq LIMIT ?2");
        records(self.conn.rows(&sql, vals![to_i64(after)?, limit(n)])?)
    }

    /// Up to `n` records after `after` that an anonymous caller with device hash `device` may
    /// possibly see (the directory, and the requests of the device with their notes), in
    /// `seq` order: the cost follows what the caller may see, not what it may not.
    pub fn scan_audience(
        &self,
        after: u64,
        device: Option<&str>,
        n: usize,
    ) -> StoreResult<Vec<StoredRecord>> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM records \
             WHERE audience IN ('public', ?2) AND seq > ?1 ORDER BY seq LIMIT ?3"
        );
        records(
            self.conn
                .rows(&sql, vals![to_i64(after)?, device, limit(n)])?,
        )
    }

    /// Every record of `collection`, tombstones included, in `seq` order.
    pub fn all(&self, collection: &str) -> StoreResult<Vec<StoredRecord>> {
        let sql =
            format!("SELECT {RECORD_COLUMNS} FROM records WHERE collection = ?1 ORDER BY seq");
        records(self.conn.rows(&sql, vals![collection])?)
    }

    pub fn count_records(&self) -> StoreResult<u64> {
        let row = self
            .conn
            .row("SELECT COUNT(*) FROM records", &[])?
            .ok_or_else(|| StoreError::new("no count"))?;
        Ok(to_u64(row.int(0)?))
    }

    /// Whether a live (not deleted) record exists.
    pub fn exists(&self, collection: &str, id: &str) -> StoreResult<bool> {
        self.exists_row(
            "SELECT 1 FROM records WHERE collection = ?1 AND id = ?2 AND deleted = 0",
            vals![collection, id],
        )
    }

    /// Whether a live topic other than `except_id` uses `slug`.
    pub fn slug_taken(&self, slug: &str, except_id: &str) -> StoreResult<bool> {
        let sql = if self.pg() {
            "SELECT 1 FROM records WHERE collection = 'topics' AND deleted = 0 \
             AND id <> ?2 AND data::json ->> 'slug' = ?1"
        } else {
            "SELECT 1 FROM records WHERE collection = 'topics' AND deleted = 0 \
             AND id <> ?2 AND json_extract(data, '$.slug') = ?1"
        };
        self.exists_row(sql, vals![slug, except_id])
    }

    /// Which anonymous callers may possibly see `rec` (see migration 4): "public", a device
    /// hash, or nobody.
    fn audience(&self, rec: &StoredRecord) -> StoreResult<Option<String>> {
        let e = &rec.envelope;
        Ok(match e.collection.as_str() {
            "topics" | "lotsen" | "events" => Some("public".to_owned()),
            "requests" => rec.owner_hash.clone(),
            "notes" if e.deleted => rec.owner_hash.clone(),
            "notes" => match e.data.get("request").and_then(serde_json::Value::as_str) {
                Some(request) => self.get("requests", request)?.and_then(|r| r.owner_hash),
                None => None,
            },
            _ => None,
        })
    }

    /// Inserts or replaces a record as given (version, seq and all).
    pub fn put(&self, rec: &StoredRecord) -> StoreResult<()> {
        let e = &rec.envelope;
        let audience = self.audience(rec)?;
        self.conn.exec(
            "INSERT INTO records (collection, id, version, seq, updated_at, updated_by, deleted, data, owner_hash, audience) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
             ON CONFLICT (collection, id) DO UPDATE SET version = excluded.version, seq = excluded.seq, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by, deleted = excluded.deleted, \
             data = excluded.data, owner_hash = excluded.owner_hash, audience = excluded.audience",
            vals![
                &e.collection,
                &e.id,
                to_i64(e.version)?,
                to_i64(e.seq)?,
                &e.updated_at,
                &e.updated_by,
                e.deleted,
                serde_json::to_string(&e.data)?,
                rec.owner_hash.as_deref(),
                audience,
            ],
        )?;
        Ok(())
    }

    /// What the mutation log holds for `mutation_id` sent by `actor` (see [`LoggedMutation`]).
    pub fn logged_mutation(
        &self,
        mutation_id: &str,
        actor: &str,
    ) -> StoreResult<Option<LoggedMutation>> {
        let Some(row) = self.conn.row(
            "SELECT status, collection, id, error FROM mutations \
             WHERE mutation_id = ?1 AND actor = ?2",
            vals![mutation_id, actor],
        )?
        else {
            return Ok(None);
        };
        let status = match row.text(0)?.as_str() {
            "applied" => MutationStatus::Applied,
            "conflict" => MutationStatus::Conflict,
            _ => MutationStatus::Rejected,
        };
        Ok(Some(LoggedMutation {
            status,
            record: row.opt_text(1)?.zip(row.opt_text(2)?),
            errors: match row.opt_text(3)? {
                None => Vec::new(),
                Some(text) => match serde_json::from_str(&text)? {
                    LoggedErrors::All(errors) => errors,
                    LoggedErrors::One(error) => vec![error],
                },
            },
        }))
    }

    /// Logs the outcome of a mutation for retries by the same `actor`: no record data.
    pub fn log_mutation(
        &self,
        mutation_id: &str,
        actor: &str,
        logged: &LoggedMutation,
        now: &str,
    ) -> StoreResult<()> {
        let status = match logged.status {
            MutationStatus::Applied => "applied",
            MutationStatus::Conflict => "conflict",
            MutationStatus::Rejected => "rejected",
        };
        let (collection, id) = logged.record.clone().unzip();
        let error = if logged.errors.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&logged.errors)?)
        };
        self.conn.exec(
            "INSERT INTO mutations (mutation_id, actor, status, collection, id, error, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            vals![mutation_id, actor, status, collection, id, error, now],
        )?;
        Ok(())
    }

    /// The SQL that finds active Lotsen naming the topic `?1` as a skill. The plain text search
    /// for the id comes first: it skips the JSON of every Lotse who does not mention the topic
    /// at all (a push of a new request asks this, at city scale over 2,000 Lotsen).
    fn helps_with_topic(&self) -> &'static str {
        if self.pg() {
            "strpos(data, ?1) > 0 AND data::json ->> 'active' = 'true' \
             AND json_typeof(data::json -> 'skills') = 'array' AND EXISTS \
             (SELECT 1 FROM json_array_elements(data::json -> 'skills') s WHERE s ->> 'topic' = ?1)"
        } else {
            "instr(data, ?1) > 0 AND json_extract(data, '$.active') = 1 AND EXISTS \
             (SELECT 1 FROM json_each(records.data, '$.skills') \
             WHERE json_extract(value, '$.topic') = ?1)"
        }
    }

    /// Whether an active Lotse names `topic` as a skill; the first one found ends it.
    pub fn topic_helped(&self, topic: &str) -> StoreResult<bool> {
        let sql = format!(
            "SELECT 1 FROM records WHERE collection = 'lotsen' AND deleted = 0 AND {} LIMIT 1",
            self.helps_with_topic()
        );
        self.exists_row(&sql, vals![topic])
    }

    /// The active Lotsen naming `topic` who want each new request at once (`sofort`), by id;
    /// the few who chose it are found through an index on the setting (migration 6).
    pub fn topic_helpers_at_once(&self, topic: &str) -> StoreResult<Vec<String>> {
        let notify = if self.pg() {
            "data::json ->> 'notify'"
        } else {
            "json_extract(data, '$.notify')"
        };
        let sql = format!(
            "SELECT id FROM records WHERE collection = 'lotsen' AND {notify} = 'sofort' \
             AND deleted = 0 AND {}",
            self.helps_with_topic()
        );
        // Sorted here: an ORDER BY would make SQLite walk every Lotse by id instead.
        let mut ids = self
            .conn
            .rows(&sql, vals![topic])?
            .iter()
            .map(|r| r.text(0))
            .collect::<StoreResult<Vec<_>>>()?;
        ids.sort();
        Ok(ids)
    }

    /// Puts a mail into the outbox, due at once.
    pub fn enqueue_mail(&self, mail: &NewMail, now: &str, now_ms: i64) -> StoreResult<()> {
        self.conn.exec(
            "INSERT INTO mail_outbox (message_id, recipient, reason, request, note, created_at, next_attempt_ms, digest) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            vals![
                &mail.message_id,
                &mail.recipient,
                &mail.reason,
                &mail.request,
                mail.note.as_deref(),
                now,
                now_ms,
                (!mail.digest.is_empty())
                    .then(|| serde_json::to_string(&mail.digest))
                    .transpose()?,
            ],
        )?;
        Ok(())
    }

    /// A text setting in `meta` ('' if never set).
    pub fn meta_text(&self, key: &str) -> StoreResult<String> {
        Ok(self
            .conn
            .row("SELECT value FROM meta WHERE key = ?1", vals![key])?
            .map(|r| r.text(0))
            .transpose()?
            .unwrap_or_default())
    }

    pub fn set_meta_text(&self, key: &str, value: &str) -> StoreResult<()> {
        self.conn.exec(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            vals![key, value],
        )?;
        Ok(())
    }

    /// Claims the job `job` for the period `period` (a date, say): true for the one caller
    /// that gets it, false for every later one, in this process or another.
    pub fn claim(&self, job: &str, period: &str) -> StoreResult<bool> {
        let key = format!("job:{job}");
        self.conn.exec(
            "INSERT INTO meta (key, value) VALUES (?1, '') ON CONFLICT (key) DO NOTHING",
            vals![&key],
        )?;
        Ok(self.conn.exec(
            "UPDATE meta SET value = ?2 WHERE key = ?1 AND value < ?2",
            vals![&key, period],
        )? == 1)
    }

    /// A field of a record's JSON as text, in this database's SQL.
    fn json_text(&self, field: &str) -> String {
        if self.pg() {
            format!("(data::json ->> '{field}')")
        } else {
            format!("json_extract(data, '$.{field}')")
        }
    }

    /// Requests created after `after` (UTC stamp) that are still `neu` (by the data, which the
    /// daily summary then judges).
    pub fn new_requests_since(&self, after: &str) -> StoreResult<Vec<StoredRecord>> {
        let (status, created) = (self.json_text("status"), self.json_text("created_at"));
        let collate = if self.pg() { " COLLATE \"C\"" } else { "" };
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE collection = 'requests' AND deleted = 0 \
             AND {status} = 'neu' AND {created}{collate} > ?1 ORDER BY {created}{collate}"
        );
        records(self.conn.rows(&sql, vals![after])?)
    }

    /// Requests still `neu` that are addressed to Lotse `lotse`.
    pub fn new_requests_addressed_to(&self, lotse: &str) -> StoreResult<Vec<StoredRecord>> {
        let (status, to) = (self.json_text("status"), self.json_text("lotse"));
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE collection = 'requests' AND deleted = 0 \
             AND {to} = ?1 AND {status} = 'neu' ORDER BY id"
        );
        records(self.conn.rows(&sql, vals![lotse])?)
    }

    /// Active Lotsen who chose the daily summary (or never chose: it is the default).
    pub fn lotsen_with_digest(&self) -> StoreResult<Vec<StoredRecord>> {
        let notify = self.json_text("notify");
        let active = if self.pg() {
            "data::json ->> 'active' = 'true'"
        } else {
            "json_extract(data, '$.active') = 1"
        };
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE collection = 'lotsen' AND deleted = 0 \
             AND {active} AND COALESCE({notify}, 'taeglich') = 'taeglich' ORDER BY id"
        );
        records(self.conn.rows(&sql, &[])?)
    }

    /// Up to `n` mails due at `now_ms`, oldest first.
    pub fn due_mails(&self, now_ms: i64, n: usize) -> StoreResult<Vec<OutboxMail>> {
        let sql = format!(
            "SELECT {MAIL_COLUMNS} FROM mail_outbox WHERE sent_at IS NULL AND failed IS NULL \
             AND next_attempt_ms <= ?1 ORDER BY next_attempt_ms, id LIMIT ?2"
        );
        self.conn
            .rows(&sql, vals![now_ms, limit(n)])?
            .iter()
            .map(mail_from_row)
            .collect()
    }

    /// When the next waiting mail is due (Unix ms), if one waits.
    pub fn next_mail_due(&self) -> StoreResult<Option<i64>> {
        self.conn
            .row(
                "SELECT MIN(next_attempt_ms) FROM mail_outbox WHERE sent_at IS NULL AND failed IS NULL",
                &[],
            )?
            .map(|r| r.opt_int(0))
            .transpose()
            .map(Option::flatten)
    }

    /// How many mails wait for an attempt and how many were given up.
    pub fn mail_counts(&self) -> StoreResult<(usize, usize)> {
        let row = self
            .conn
            .row(
                "SELECT COUNT(*) FILTER (WHERE failed IS NULL), COUNT(*) FILTER (WHERE failed IS NOT NULL) \
                 FROM mail_outbox WHERE sent_at IS NULL",
                &[],
            )?
            .ok_or_else(|| StoreError::new("no count"))?;
        let count = |n: i64| usize::try_from(n).unwrap_or(0);
        Ok((count(row.int(0)?), count(row.int(1)?)))
    }

    /// The newest mails not sent yet (waiting or given up), at most `n`.
    pub fn unsent_mails(&self, n: usize) -> StoreResult<Vec<OutboxMail>> {
        let sql = format!(
            "SELECT {MAIL_COLUMNS} FROM mail_outbox WHERE sent_at IS NULL ORDER BY id DESC LIMIT ?1"
        );
        self.conn
            .rows(&sql, vals![limit(n)])?
            .iter()
            .map(mail_from_row)
            .collect()
    }

    pub fn mail_sent(&self, id: i64, now: &str) -> StoreResult<()> {
        self.conn.exec(
            "UPDATE mail_outbox SET sent_at = ?2, attempts = attempts + 1, last_error = NULL WHERE id = ?1",
            vals![id, now],
        )?;
        Ok(())
    }

    /// A failed attempt: tried again at `next_attempt_ms`, or given up when `give_up` says why.
    pub fn mail_attempt_failed(
        &self,
        id: i64,
        error: &str,
        next_attempt_ms: i64,
        give_up: Option<&str>,
    ) -> StoreResult<()> {
        self.conn.exec(
            "UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_ms = ?3, \
             failed = ?4 WHERE id = ?1",
            vals![id, error, next_attempt_ms, give_up],
        )?;
        Ok(())
    }

    /// A given-up mail is tried again at once; false if there is no such mail or it was sent.
    pub fn retry_mail(&self, id: i64, now_ms: i64) -> StoreResult<bool> {
        Ok(self.conn.exec(
            "UPDATE mail_outbox SET failed = NULL, next_attempt_ms = ?2 WHERE id = ?1 AND sent_at IS NULL",
            vals![id, now_ms],
        )? == 1)
    }

    /// Forgets sent mails older than `cutoff` (UTC stamp); returns how many.
    pub fn expire_sent_mails(&self, cutoff: &str) -> StoreResult<usize> {
        self.conn.exec(
            "DELETE FROM mail_outbox WHERE sent_at IS NOT NULL AND sent_at < ?1",
            vals![cutoff],
        )
    }

    pub fn account(&self, username: &str) -> StoreResult<Option<Account>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.username = ?1");
        self.conn
            .row(&sql, vals![username])?
            .as_ref()
            .map(account_from_row)
            .transpose()
    }

    /// All accounts, by username.
    pub fn accounts(&self) -> StoreResult<Vec<Account>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.username");
        self.conn
            .rows(&sql, &[])?
            .iter()
            .map(account_from_row)
            .collect()
    }

    /// Creates the account or replaces its password, role, Lotse link and disabled flag.
    pub fn put_account(&self, account: &Account) -> StoreResult<()> {
        self.conn.exec(
            "INSERT INTO accounts (username, password_hash, role, lotse, disabled, created_at, directory) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (username) DO UPDATE SET \
             password_hash = excluded.password_hash, role = excluded.role, lotse = excluded.lotse, \
             disabled = excluded.disabled, directory = excluded.directory",
            vals![
                &account.username,
                &account.password_hash,
                &account.role,
                account.lotse.as_deref(),
                account.disabled,
                &account.created_at,
                account.directory,
            ],
        )?;
        Ok(())
    }

    /// Stores a new session for `username`, created and last seen at `now_ms`.
    pub fn insert_session(&self, token_hash: &str, username: &str, now_ms: i64) -> StoreResult<()> {
        self.conn.exec(
            "INSERT INTO sessions (token_hash, username, created_ms, seen_ms) VALUES (?1, ?2, ?3, ?3)",
            vals![token_hash, username, now_ms],
        )?;
        Ok(())
    }

    /// The session with this token hash and its account.
    pub fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRow>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, s.created_ms, s.seen_ms FROM sessions s \
             JOIN accounts a ON a.username = s.username WHERE s.token_hash = ?1"
        );
        self.conn
            .row(&sql, vals![token_hash])?
            .map(|r| {
                Ok(SessionRow {
                    account: account_from_row(&r)?,
                    created_ms: r.int(7)?,
                    seen_ms: r.int(8)?,
                })
            })
            .transpose()
    }

    pub fn touch_session(&self, token_hash: &str, now_ms: i64) -> StoreResult<()> {
        self.conn.exec(
            "UPDATE sessions SET seen_ms = ?2 WHERE token_hash = ?1",
            vals![token_hash, now_ms],
        )?;
        Ok(())
    }

    pub fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        self.conn.exec(
            "DELETE FROM sessions WHERE token_hash = ?1",
            vals![token_hash],
        )?;
        Ok(())
    }

    /// Ends every session of `username` but `keep` (a token hash); returns how many ended.
    pub fn delete_sessions_of(&self, username: &str, keep: Option<&str>) -> StoreResult<usize> {
        // COALESCE: the parameter needs a type PostgreSQL can see when it is NULL.
        self.conn.exec(
            "DELETE FROM sessions WHERE username = ?1 AND token_hash <> COALESCE(?2, '')",
            vals![username, keep],
        )
    }

    /// Removes sessions last seen before `idle_cutoff_ms` or created before
    /// `absolute_cutoff_ms`; returns how many went.
    pub fn purge_sessions(
        &self,
        idle_cutoff_ms: i64,
        absolute_cutoff_ms: i64,
    ) -> StoreResult<usize> {
        self.conn.exec(
            "DELETE FROM sessions WHERE seen_ms < ?1 OR created_ms < ?2",
            vals![idle_cutoff_ms, absolute_cutoff_ms],
        )
    }

    /// The failed-login counter `key` (see `auth::Throttle`): count and last failure (Unix ms).
    pub fn throttle_entry(&self, key: &str) -> StoreResult<Option<(u32, i64)>> {
        self.conn
            .row(
                "SELECT count, last_ms FROM login_throttle WHERE key = ?1",
                vals![key],
            )?
            .map(|r| Ok((u32::try_from(r.int(0)?).unwrap_or(u32::MAX), r.int(1)?)))
            .transpose()
    }

    pub fn set_throttle_entry(&self, key: &str, count: u32, last_ms: i64) -> StoreResult<()> {
        self.conn.exec(
            "INSERT INTO login_throttle (key, count, last_ms) VALUES (?1, ?2, ?3) \
             ON CONFLICT (key) DO UPDATE SET count = excluded.count, last_ms = excluded.last_ms",
            vals![key, i64::from(count), last_ms],
        )?;
        Ok(())
    }

    pub fn delete_throttle_entry(&self, key: &str) -> StoreResult<()> {
        self.conn
            .exec("DELETE FROM login_throttle WHERE key = ?1", vals![key])?;
        Ok(())
    }

    /// Forgets failure counters last changed before `failures_ms` and known addresses last
    /// used before `known_ms`: the table names accounts and addresses, and keeps them no longer
    /// than they matter.
    pub fn sweep_throttle(&self, failures_ms: i64, known_ms: i64) -> StoreResult<usize> {
        self.conn.exec(
            "DELETE FROM login_throttle WHERE (key LIKE 'known:%' AND last_ms < ?2) \
             OR (key NOT LIKE 'known:%' AND last_ms < ?1)",
            vals![failures_ms, known_ms],
        )
    }
}

/// A mail to put into the outbox (see migration 6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMail {
    pub message_id: String,
    pub recipient: String,
    pub reason: String,
    /// Empty for a daily summary.
    pub request: String,
    pub note: Option<String>,
    /// A daily summary's requests.
    pub digest: Vec<String>,
}

/// A mail in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxMail {
    pub id: i64,
    pub mail: NewMail,
    pub created_at: String,
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub sent_at: Option<String>,
    pub failed: Option<String>,
    pub last_error: Option<String>,
}

const MAIL_COLUMNS: &str =
    "id, message_id, recipient, reason, request, note, created_at, attempts, \
     next_attempt_ms, sent_at, failed, last_error, digest";

fn mail_from_row(r: &Row) -> StoreResult<OutboxMail> {
    Ok(OutboxMail {
        id: r.int(0)?,
        mail: NewMail {
            message_id: r.text(1)?,
            recipient: r.text(2)?,
            reason: r.text(3)?,
            request: r.text(4)?,
            note: r.opt_text(5)?,
            digest: r
                .opt_text(12)?
                .and_then(|d| serde_json::from_str(&d).ok())
                .unwrap_or_default(),
        },
        created_at: r.text(6)?,
        attempts: r.int(7)?,
        next_attempt_ms: r.int(8)?,
        sent_at: r.opt_text(9)?,
        failed: r.opt_text(10)?,
        last_error: r.opt_text(11)?,
    })
}

const ACCOUNT_COLUMNS: &str =
    "a.username, a.password_hash, a.role, a.lotse, a.disabled, a.created_at, a.directory";

fn account_from_row(r: &Row) -> StoreResult<Account> {
    Ok(Account {
        username: r.text(0)?,
        password_hash: r.text(1)?,
        role: r.text(2)?,
        lotse: r.opt_text(3)?,
        disabled: r.bool(4)?,
        created_at: r.text(5)?,
        directory: r.bool(6)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Store {
        fn sqlite(&self) -> std::sync::MutexGuard<'_, Connection> {
            match &self.backend {
                Backend::Sqlite { conn, .. } => conn.lock().unwrap(),
                Backend::Postgres(_) => panic!("not SQLite"),
            }
        }
    }

    #[test]
    fn epoch_is_kept_and_seq_grows() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let epoch = s.epoch().to_owned();
        assert_eq!(s.write(|tx| tx.next_seq()).unwrap(), 1);
        assert_eq!(s.write(|tx| tx.next_seq()).unwrap(), 2);
        drop(s);
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.epoch(), epoch);
        assert_eq!(s.read(|tx| tx.last_seq()).unwrap(), 2);
    }

    #[test]
    fn a_refusal_logged_with_one_error_is_read_as_a_list() {
        // Entries logged before the log kept every problem hold one error as an object.
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let one = FieldError::new(
            "required",
            "Bitte füllen Sie dieses Feld aus.",
            Some("title"),
        );
        s.sqlite().execute(
                "INSERT INTO mutations (mutation_id, actor, status, collection, id, error, created_at) \
                 VALUES ('m', 'device:x', 'rejected', NULL, NULL, ?1, 'x')",
                params![serde_json::to_string(&one).unwrap()],
            )
            .unwrap();
        let logged = s.read(|tx| tx.logged_mutation("m", "device:x")).unwrap();
        assert_eq!(logged.map(|l| l.errors), Some(vec![one.clone()]));
        // Written now, a list round-trips.
        let two = vec![
            one.clone(),
            FieldError::new("too_long", "Zu lang.", Some("description")),
        ];
        let entry = LoggedMutation {
            status: MutationStatus::Rejected,
            record: None,
            errors: two.clone(),
        };
        s.write(|tx| tx.log_mutation("n", "device:x", &entry, "x"))
            .unwrap();
        let logged = s.read(|tx| tx.logged_mutation("n", "device:x")).unwrap();
        assert_eq!(logged, Some(entry));
    }

    #[test]
    fn backup_is_a_copy_with_a_new_epoch() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("a")).unwrap();
        s.write(|tx| tx.next_seq()).unwrap();
        std::fs::create_dir_all(dir.path().join("b")).unwrap();
        s.backup(&dir.path().join("b/lotsen.sqlite3")).unwrap();
        let b = Store::open(&dir.path().join("b")).unwrap();
        assert_ne!(b.epoch(), s.epoch());
        assert_eq!(b.read(|tx| tx.last_seq()).unwrap(), 1);
    }

    #[test]
    fn a_version_1_database_is_migrated() {
        // Each migration runs once, in order, up to the newest version.
        let dir = tempfile::tempdir().unwrap();
        {
            let conn = Connection::open(dir.path().join("lotsen.sqlite3")).unwrap();
            conn.execute_batch(SCHEMA).unwrap();
            conn.execute_batch(
                "INSERT INTO meta (key, value) VALUES ('epoch', 'ab'), ('seq', 0), \
                 ('purge_horizon', 0), ('schema_version', 1); \
                 INSERT INTO accounts (username, password_hash, role, lotse, created_at) \
                 VALUES ('alt', 'h', 'buero', NULL, '2025-01-01T00:00:00Z'); \
                 INSERT INTO mutations (mutation_id, result, created_at) \
                 VALUES ('m', '{\"record\":{\"data\":{\"requester\":{\"name\":\"Eva\"}}}}', 'x'); \
                 INSERT INTO records (collection, id, version, seq, updated_at, updated_by, deleted, data, owner_hash) VALUES \
                 ('topics', 't', 1, 1, 'x', 'x', 0, '{}', NULL), \
                 ('requests', 'r', 1, 2, 'x', 'x', 0, '{}', 'h1'), \
                 ('notes', 'n', 1, 3, 'x', 'x', 0, '{\"request\":\"r\",\"internal\":true}', NULL), \
                 ('notes', 'gone', 2, 4, 'x', 'x', 1, '{}', 'h1'), \
                 ('applications', 'a', 1, 5, 'x', 'x', 0, '{}', NULL);",
            )
            .unwrap();
        }
        for round in 0..2 {
            // Opened twice: the second open must not run the migration again.
            let s = Store::open(dir.path()).unwrap();
            let a = s.read(|tx| tx.account("alt")).unwrap().unwrap();
            assert!(!a.disabled);
            if round == 0 {
                s.write(|tx| tx.insert_session("t", "alt", 5)).unwrap();
            }
            let row = s.read(|tx| tx.session("t")).unwrap().unwrap();
            assert_eq!((row.created_ms, row.seen_ms), (5, 5));
            let v: i64 = s
                .sqlite()
                .query_row(
                    "SELECT value FROM meta WHERE key = 'schema_version'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(v, 7);
            // Version 5: an old account is a local one.
            assert!(!a.directory);
            // Version 4: the audience of existing records, for anonymous pulls.
            let seen = |device: Option<&str>| -> Vec<String> {
                s.read(|tx| tx.scan_audience(0, device, 100))
                    .unwrap()
                    .into_iter()
                    .map(|r| r.envelope.id)
                    .collect()
            };
            assert_eq!(seen(Some("h1")), ["t", "r", "n", "gone"]);
            assert_eq!(seen(Some("h2")), ["t"]);
            assert_eq!(seen(None), ["t"]);
            // Version 3: the old log, full copies of records, is gone.
            let logged: i64 = s
                .sqlite()
                .query_row("SELECT COUNT(*) FROM mutations", [], |r| r.get(0))
                .unwrap();
            assert_eq!(logged, 0);
        }
    }

    #[test]
    fn failed_write_rolls_back() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let r: StoreResult<()> = s.write(|tx| {
            tx.next_seq()?;
            Err(StoreError::new("boom"))
        });
        assert!(r.is_err());
        assert_eq!(s.read(|tx| tx.last_seq()).unwrap(), 0);
    }
}
