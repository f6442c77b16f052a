//! Storage: the only module that knows SQL. Everything else talks to [`Store`] and the
//! transaction handle [`Tx`], so that another database (PostgreSQL for a multi-instance setup)
//! can later sit behind the same small surface (SPEC §8).
//!
//! SQLite runs in WAL mode with `synchronous=FULL`: once a write transaction has committed, it
//! survives a `kill -9` or a power cut, which is what "an answered push is never lost" needs.
//! One connection behind a mutex serialises all access; that also makes `seq` strictly
//! increasing in commit order, so a pull can never skip a write that commits later with a
//! smaller `seq`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use lotsen_domain::protocol::{Envelope, FieldError, MutationStatus};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

const SCHEMA: &str = include_str!("../migrations/0001_init.sql");
/// The version `SCHEMA` creates; later versions are reached by [`MIGRATIONS`].
const BASE_SCHEMA_VERSION: i64 = 1;
/// `(version, script)`: each script brings the database from `version - 1` to `version`.
const MIGRATIONS: &[(i64, &str)] = &[
    (2, include_str!("../migrations/0002_sessions.sql")),
    (3, include_str!("../migrations/0003_mutation_log.sql")),
    (4, include_str!("../migrations/0004_audience.sql")),
    (5, include_str!("../migrations/0005_directory_accounts.sql")),
    (6, include_str!("../migrations/0006_mail_outbox.sql")),
];

/// A storage failure. Its text is for the operator's log, never for API clients; the
/// underlying error stays attached (`source`).
#[derive(Debug)]
pub enum StoreError {
    Sqlite(rusqlite::Error),
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
        let StoreError::Sqlite(e) = self else {
            return false;
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

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Sqlite(e) => write!(f, "sqlite: {e}"),
            StoreError::Json(e) => write!(f, "json: {e}"),
            StoreError::Other(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Sqlite(e) => Some(e),
            StoreError::Json(e) => Some(e),
            StoreError::Other(_) => None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
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

pub struct Store {
    /// The one connection that writes.
    conn: Mutex<Connection>,
    /// Connections that only read (pulls, exports, session lookups). In WAL mode a reader
    /// works on its own snapshot and never holds up the writer: before, one connection for
    /// everything let a flood of cheap anonymous pulls delay every push by seconds.
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    epoch: String,
    /// The directory of the database file.
    dir: PathBuf,
}

/// Read connections; more readers than cores only queue on the CPU.
const READERS: usize = 4;

impl Store {
    /// Opens (and on first use creates) the database `lotsen.sqlite3` in `dir`.
    pub fn open(dir: &Path) -> StoreResult<Store> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StoreError::new(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join("lotsen.sqlite3");
        let conn = Connection::open(&path)?;
        let mut store = Store::init(conn, dir.to_owned())?;
        for _ in 0..READERS {
            let reader = Connection::open(&path)?;
            reader.busy_timeout(std::time::Duration::from_secs(5))?;
            reader.pragma_update(None, "query_only", "ON")?;
            store.readers.push(Mutex::new(reader));
        }
        Ok(store)
    }

    /// The directory of the database file.
    pub fn dir(&self) -> &Path {
        &self.dir
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
            conn: Mutex::new(conn),
            readers: Vec::new(),
            next_reader: AtomicUsize::new(0),
            epoch,
            dir,
        })
    }

    /// The random identity of this database; cursors of another epoch are refused.
    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    fn lock(&self) -> StoreResult<std::sync::MutexGuard<'_, Connection>> {
        // A panic while holding the lock cannot leave a half-written transaction behind
        // (SQLite rolls it back), so a poisoned lock is safe to take over.
        Ok(self.conn.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// A free read connection, or the next one in turn when all are busy.
    fn reader(&self) -> std::sync::MutexGuard<'_, Connection> {
        for r in &self.readers {
            match r.try_lock() {
                Ok(guard) => return guard,
                Err(std::sync::TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {}
            }
        }
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len().max(1);
        match self.readers.get(i) {
            Some(r) => r.lock().unwrap_or_else(|p| p.into_inner()),
            None => self.conn.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Runs `f` in one read transaction (a consistent snapshot), on a read connection.
    pub fn read<R>(&self, f: impl FnOnce(&Tx) -> StoreResult<R>) -> StoreResult<R> {
        let mut conn = self.reader();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&Tx { conn: &tx })?;
        tx.finish()?;
        Ok(out)
    }

    /// Runs `f` in one write transaction, committed (durably) only if `f` succeeds.
    pub fn write<R>(&self, f: impl FnOnce(&Tx) -> StoreResult<R>) -> StoreResult<R> {
        let mut conn = self.lock()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&Tx { conn: &tx })?;
        tx.commit()?;
        Ok(out)
    }

    /// Writes a consistent copy of the database to `out` (which must not exist yet).
    ///
    /// The copy gets a new epoch: once it is restored, clients that synced with the newer
    /// original must not continue from their cursors (they would keep records the copy
    /// does not have), so they are told to pull from the start.
    pub fn backup(&self, out: &Path) -> StoreResult<()> {
        let out_str = out
            .to_str()
            .ok_or_else(|| StoreError::new("backup path is not valid UTF-8"))?;
        self.lock()?.execute("VACUUM INTO ?1", params![out_str])?;
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
            Ok(tx.conn.execute(
                "DELETE FROM mutations WHERE created_at < ?1",
                params![cutoff],
            )?)
        })
    }

    /// Deletes tombstones last changed before `cutoff` (an `updated_at` timestamp) and moves
    /// the purge horizon past them, so that a cursor that has not yet seen them is answered
    /// with `reset_required` instead of silently missing a deletion. Returns how many went.
    pub fn purge_tombstones(&self, cutoff: &str) -> StoreResult<usize> {
        self.write(|tx| {
            let max: Option<i64> = tx.conn.query_row(
                "SELECT MAX(seq) FROM records WHERE deleted = 1 AND updated_at < ?1",
                params![cutoff],
                |r| r.get(0),
            )?;
            let Some(max) = max else { return Ok(0) };
            // The log's entries of a purged record go with it.
            tx.conn.execute(
                "DELETE FROM mutations WHERE EXISTS (SELECT 1 FROM records r \
                 WHERE r.collection = mutations.collection AND r.id = mutations.id \
                 AND r.deleted = 1 AND r.updated_at < ?1)",
                params![cutoff],
            )?;
            let n = tx.conn.execute(
                "DELETE FROM records WHERE deleted = 1 AND updated_at < ?1",
                params![cutoff],
            )?;
            tx.conn.execute(
                "UPDATE meta SET value = MAX(value, ?1) WHERE key = 'purge_horizon'",
                params![max],
            )?;
            Ok(n)
        })
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

fn new_epoch() -> StoreResult<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| StoreError::new(format!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

/// One open transaction. Reads see a consistent snapshot; writes become visible at commit.
pub struct Tx<'a> {
    conn: &'a Connection,
}

const RECORD_COLUMNS: &str =
    "collection, id, version, seq, updated_at, updated_by, deleted, data, owner_hash";

fn record_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredRecord> {
    let data: String = row.get(7)?;
    // A stored document that no longer parses is a server bug; show it as an empty object
    // rather than failing every pull of every client.
    let data = serde_json::from_str(&data).unwrap_or_else(|_| serde_json::json!({}));
    Ok(StoredRecord {
        envelope: Envelope {
            collection: row.get(0)?,
            id: row.get(1)?,
            version: to_u64(row.get(2)?),
            seq: to_u64(row.get(3)?),
            updated_at: row.get(4)?,
            updated_by: row.get(5)?,
            deleted: row.get(6)?,
            data,
        },
        owner_hash: row.get(8)?,
    })
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn to_i64(n: u64) -> StoreResult<i64> {
    i64::try_from(n).map_err(|_| StoreError::new(format!("number {n} out of range")))
}

impl Tx<'_> {
    fn meta_int(&self, key: &str) -> StoreResult<u64> {
        let v: i64 =
            self.conn
                .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                    r.get(0)
                })?;
        Ok(to_u64(v))
    }

    /// The highest `seq` ever handed out (committed, since we hold the only connection).
    pub fn last_seq(&self) -> StoreResult<u64> {
        self.meta_int("seq")
    }

    /// Cursors below this `seq` may have missed purged tombstones.
    pub fn purge_horizon(&self) -> StoreResult<u64> {
        self.meta_int("purge_horizon")
    }

    /// Hands out the next `seq`; only meaningful inside a write transaction.
    pub fn next_seq(&self) -> StoreResult<u64> {
        let v: i64 = self.conn.query_row(
            "UPDATE meta SET value = value + 1 WHERE key = 'seq' RETURNING value",
            [],
            |r| r.get(0),
        )?;
        Ok(to_u64(v))
    }

    pub fn get(&self, collection: &str, id: &str) -> StoreResult<Option<StoredRecord>> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE collection = ?1 AND id = ?2");
        Ok(self
            .conn
            .query_row(&sql, params![collection, id], record_from_row)
            .optional()?)
    }

    /// Up to `n` records with `seq` greater than `after`, in `seq` order.
    pub fn scan(&self, after: u64, n: usize) -> StoreResult<Vec<StoredRecord>> {
        let sql =
            format!("SELECT {RECORD_COLUMNS} FROM records WHERE seq > ?1 ORDER BY seq LIMIT ?2");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![to_i64(after)?, n], record_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
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
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![to_i64(after)?, device, n], record_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Every record of `collection`, tombstones included, in `seq` order.
    pub fn all(&self, collection: &str) -> StoreResult<Vec<StoredRecord>> {
        let sql =
            format!("SELECT {RECORD_COLUMNS} FROM records WHERE collection = ?1 ORDER BY seq");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params![collection], record_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn count_records(&self) -> StoreResult<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))?;
        Ok(to_u64(n))
    }

    /// Whether a live (not deleted) record exists.
    pub fn exists(&self, collection: &str, id: &str) -> StoreResult<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM records WHERE collection = ?1 AND id = ?2 AND deleted = 0",
                params![collection, id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Whether a live topic other than `except_id` uses `slug`.
    pub fn slug_taken(&self, slug: &str, except_id: &str) -> StoreResult<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM records WHERE collection = 'topics' AND deleted = 0 \
                 AND id <> ?2 AND json_extract(data, '$.slug') = ?1",
                params![slug, except_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Inserts or replaces a record as given (version, seq and all).
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

    pub fn put(&self, rec: &StoredRecord) -> StoreResult<()> {
        let e = &rec.envelope;
        let audience = self.audience(rec)?;
        self.conn.execute(
            "INSERT INTO records (collection, id, version, seq, updated_at, updated_by, deleted, data, owner_hash, audience) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
             ON CONFLICT (collection, id) DO UPDATE SET version = excluded.version, seq = excluded.seq, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by, deleted = excluded.deleted, \
             data = excluded.data, owner_hash = excluded.owner_hash, audience = excluded.audience",
            params![
                e.collection,
                e.id,
                to_i64(e.version)?,
                to_i64(e.seq)?,
                e.updated_at,
                e.updated_by,
                e.deleted,
                serde_json::to_string(&e.data)?,
                rec.owner_hash,
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
        let row = self
            .conn
            .query_row(
                "SELECT status, collection, id, error FROM mutations \
                 WHERE mutation_id = ?1 AND actor = ?2",
                params![mutation_id, actor],
                |r| {
                    let status: String = r.get(0)?;
                    let record: Option<(String, String)> =
                        r.get::<_, Option<String>>(1)?.zip(r.get(2)?);
                    let error: Option<String> = r.get(3)?;
                    Ok((status, record, error))
                },
            )
            .optional()?;
        let Some((status, record, error)) = row else {
            return Ok(None);
        };
        let status = match status.as_str() {
            "applied" => MutationStatus::Applied,
            "conflict" => MutationStatus::Conflict,
            _ => MutationStatus::Rejected,
        };
        Ok(Some(LoggedMutation {
            status,
            record,
            errors: match error {
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
        self.conn.execute(
            "INSERT INTO mutations (mutation_id, actor, status, collection, id, error, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![mutation_id, actor, status, collection, id, error, now],
        )?;
        Ok(())
    }

    /// Whether an active Lotse names `topic` as a skill. The plain text search for the id comes
    /// first: it skips the JSON of every Lotse who does not mention the topic at all (a push of
    /// a new request asks this, at city scale over 2,000 Lotsen), and the first one found ends it.
    pub fn topic_helped(&self, topic: &str) -> StoreResult<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM records WHERE collection = 'lotsen' AND deleted = 0 \
                 AND instr(data, ?1) > 0 AND json_extract(data, '$.active') = 1 AND EXISTS \
                 (SELECT 1 FROM json_each(records.data, '$.skills') \
                 WHERE json_extract(value, '$.topic') = ?1) LIMIT 1",
                params![topic],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// The active Lotsen naming `topic` who want each new request at once (`sofort`), by id;
    /// the few who chose it are found through an index on the setting (migration 6).
    pub fn topic_helpers_at_once(&self, topic: &str) -> StoreResult<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM records WHERE collection = 'lotsen' \
             AND json_extract(data, '$.notify') = 'sofort' AND deleted = 0 AND instr(data, ?1) > 0 \
             AND json_extract(data, '$.active') = 1 \
             AND EXISTS (SELECT 1 FROM json_each(records.data, '$.skills') \
             WHERE json_extract(value, '$.topic') = ?1)",
        )?;
        let rows = stmt.query_map(params![topic], |r| r.get::<_, String>(0))?;
        // Sorted here: an ORDER BY would make SQLite walk every Lotse by id instead.
        let mut ids = rows.collect::<Result<Vec<_>, _>>()?;
        ids.sort();
        Ok(ids)
    }

    /// Puts a mail into the outbox, due at once.
    pub fn enqueue_mail(&self, mail: &NewMail, now: &str, now_ms: i64) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO mail_outbox (message_id, recipient, reason, request, note, created_at, next_attempt_ms, digest) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                mail.message_id,
                mail.recipient,
                mail.reason,
                mail.request,
                mail.note,
                now,
                now_ms,
                (!mail.digest.is_empty()).then(|| serde_json::to_string(&mail.digest)).transpose()?,
            ],
        )?;
        Ok(())
    }

    /// A text setting in `meta` ('' if never set).
    pub fn meta_text(&self, key: &str) -> StoreResult<String> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .unwrap_or_default())
    }

    pub fn set_meta_text(&self, key: &str, value: &str) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Requests created after `after` (UTC stamp) that are still `neu` (by the data, which the
    /// daily summary then judges).
    pub fn new_requests_since(&self, after: &str) -> StoreResult<Vec<StoredRecord>> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE collection = 'requests' AND deleted = 0 \
             AND json_extract(data, '$.status') = 'neu' AND json_extract(data, '$.created_at') > ?1 \
             ORDER BY json_extract(data, '$.created_at')"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params![after], record_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Requests still `neu` that are addressed to Lotse `lotse`.
    pub fn new_requests_addressed_to(&self, lotse: &str) -> StoreResult<Vec<StoredRecord>> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE collection = 'requests' AND deleted = 0 \
             AND json_extract(data, '$.lotse') = ?1 AND json_extract(data, '$.status') = 'neu' ORDER BY id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params![lotse], record_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Active Lotsen who chose the daily summary (or never chose: it is the default).
    pub fn lotsen_with_digest(&self) -> StoreResult<Vec<StoredRecord>> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM records WHERE collection = 'lotsen' AND deleted = 0 \
             AND json_extract(data, '$.active') = 1 \
             AND COALESCE(json_extract(data, '$.notify'), 'taeglich') = 'taeglich' ORDER BY id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], record_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Up to `n` mails due at `now_ms`, oldest first.
    pub fn due_mails(&self, now_ms: i64, n: usize) -> StoreResult<Vec<OutboxMail>> {
        let sql = format!(
            "SELECT {MAIL_COLUMNS} FROM mail_outbox WHERE sent_at IS NULL AND failed IS NULL \
             AND next_attempt_ms <= ?1 ORDER BY next_attempt_ms, id LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![now_ms, n], mail_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// When the next waiting mail is due (Unix ms), if one waits.
    pub fn next_mail_due(&self) -> StoreResult<Option<i64>> {
        Ok(self.conn.query_row(
            "SELECT MIN(next_attempt_ms) FROM mail_outbox WHERE sent_at IS NULL AND failed IS NULL",
            [],
            |r| r.get(0),
        )?)
    }

    /// How many mails wait for an attempt and how many were given up.
    pub fn mail_counts(&self) -> StoreResult<(usize, usize)> {
        let (waiting, failed): (i64, i64) = self.conn.query_row(
            "SELECT COUNT(*) FILTER (WHERE failed IS NULL), COUNT(*) FILTER (WHERE failed IS NOT NULL) \
             FROM mail_outbox WHERE sent_at IS NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let count = |n: i64| usize::try_from(n).unwrap_or(0);
        Ok((count(waiting), count(failed)))
    }

    /// The newest mails not sent yet (waiting or given up), at most `n`.
    pub fn unsent_mails(&self, n: usize) -> StoreResult<Vec<OutboxMail>> {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT {MAIL_COLUMNS} FROM mail_outbox WHERE sent_at IS NULL ORDER BY id DESC LIMIT {n}"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], mail_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    pub fn mail_sent(&self, id: i64, now: &str) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE mail_outbox SET sent_at = ?2, attempts = attempts + 1, last_error = NULL WHERE id = ?1",
            params![id, now],
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
        self.conn.execute(
            "UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_ms = ?3, \
             failed = ?4 WHERE id = ?1",
            params![id, error, next_attempt_ms, give_up],
        )?;
        Ok(())
    }

    /// A given-up mail is tried again at once; false if there is no such mail or it was sent.
    pub fn retry_mail(&self, id: i64, now_ms: i64) -> StoreResult<bool> {
        Ok(self.conn.execute(
            "UPDATE mail_outbox SET failed = NULL, next_attempt_ms = ?2 WHERE id = ?1 AND sent_at IS NULL",
            params![id, now_ms],
        )? == 1)
    }

    /// Forgets sent mails older than `cutoff` (UTC stamp); returns how many.
    pub fn expire_sent_mails(&self, cutoff: &str) -> StoreResult<usize> {
        Ok(self.conn.execute(
            "DELETE FROM mail_outbox WHERE sent_at IS NOT NULL AND sent_at < ?1",
            params![cutoff],
        )?)
    }

    pub fn account(&self, username: &str) -> StoreResult<Option<Account>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.username = ?1");
        Ok(self
            .conn
            .query_row(&sql, params![username], account_from_row)
            .optional()?)
    }

    /// All accounts, by username.
    pub fn accounts(&self) -> StoreResult<Vec<Account>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.username");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], account_from_row)?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Creates the account or replaces its password, role, Lotse link and disabled flag.
    pub fn put_account(&self, account: &Account) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO accounts (username, password_hash, role, lotse, disabled, created_at, directory) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (username) DO UPDATE SET \
             password_hash = excluded.password_hash, role = excluded.role, lotse = excluded.lotse, \
             disabled = excluded.disabled, directory = excluded.directory",
            params![
                account.username,
                account.password_hash,
                account.role,
                account.lotse,
                account.disabled,
                account.created_at,
                account.directory,
            ],
        )?;
        Ok(())
    }

    /// Stores a new session for `username`, created and last seen at `now_ms`.
    pub fn insert_session(&self, token_hash: &str, username: &str, now_ms: i64) -> StoreResult<()> {
        self.conn.execute(
            "INSERT INTO sessions (token_hash, username, created_ms, seen_ms) VALUES (?1, ?2, ?3, ?3)",
            params![token_hash, username, now_ms],
        )?;
        Ok(())
    }

    /// The session with this token hash and its account.
    pub fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRow>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, s.created_ms, s.seen_ms FROM sessions s \
             JOIN accounts a ON a.username = s.username WHERE s.token_hash = ?1"
        );
        Ok(self
            .conn
            .query_row(&sql, params![token_hash], |r| {
                Ok(SessionRow {
                    account: account_from_row(r)?,
                    created_ms: r.get(7)?,
                    seen_ms: r.get(8)?,
                })
            })
            .optional()?)
    }

    pub fn touch_session(&self, token_hash: &str, now_ms: i64) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE sessions SET seen_ms = ?2 WHERE token_hash = ?1",
            params![token_hash, now_ms],
        )?;
        Ok(())
    }

    pub fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        self.conn.execute(
            "DELETE FROM sessions WHERE token_hash = ?1",
            params![token_hash],
        )?;
        Ok(())
    }

    /// Ends every session of `username` but `keep` (a token hash); returns how many ended.
    pub fn delete_sessions_of(&self, username: &str, keep: Option<&str>) -> StoreResult<usize> {
        Ok(self.conn.execute(
            "DELETE FROM sessions WHERE username = ?1 AND token_hash IS NOT ?2",
            params![username, keep],
        )?)
    }

    /// Removes sessions last seen before `idle_cutoff_ms` or created before
    /// `absolute_cutoff_ms`; returns how many went.
    pub fn purge_sessions(
        &self,
        idle_cutoff_ms: i64,
        absolute_cutoff_ms: i64,
    ) -> StoreResult<usize> {
        Ok(self.conn.execute(
            "DELETE FROM sessions WHERE seen_ms < ?1 OR created_ms < ?2",
            params![idle_cutoff_ms, absolute_cutoff_ms],
        )?)
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

fn mail_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxMail> {
    Ok(OutboxMail {
        id: r.get(0)?,
        mail: NewMail {
            message_id: r.get(1)?,
            recipient: r.get(2)?,
            reason: r.get(3)?,
            request: r.get(4)?,
            note: r.get(5)?,
            digest: r
                .get::<_, Option<String>>(12)?
                .and_then(|d| serde_json::from_str(&d).ok())
                .unwrap_or_default(),
        },
        created_at: r.get(6)?,
        attempts: r.get(7)?,
        next_attempt_ms: r.get(8)?,
        sent_at: r.get(9)?,
        failed: r.get(10)?,
        last_error: r.get(11)?,
    })
}

const ACCOUNT_COLUMNS: &str =
    "a.username, a.password_hash, a.role, a.lotse, a.disabled, a.created_at, a.directory";

fn account_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        username: r.get(0)?,
        password_hash: r.get(1)?,
        role: r.get(2)?,
        lotse: r.get(3)?,
        disabled: r.get(4)?,
        created_at: r.get(5)?,
        directory: r.get(6)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        s.lock()
            .unwrap()
            .execute(
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
                .lock()
                .unwrap()
                .query_row(
                    "SELECT value FROM meta WHERE key = 'schema_version'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(v, 6);
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
                .lock()
                .unwrap()
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
