//! The two databases behind [`super::Store`]: SQLite (embedded, the default) and PostgreSQL (a
//! provider's cluster, several server processes). The store's queries are written once with
//! `?1`-style parameters and read back as [`Row`]s of [`Val`]ues, so that both run the same
//! code; where the SQL itself differs (JSON, the meta counters), the query asks [`Dialect`].

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use postgres::types::{IsNull, ToSql, Type};

use super::{StoreError, StoreResult};

/// Which SQL a query must be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A parameter or a column value. The store keeps integers, text and NULL only (booleans are
/// 0 and 1, JSON is text), so that both databases hold exactly the same.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
}

impl From<i64> for Val {
    fn from(n: i64) -> Val {
        Val::Int(n)
    }
}

impl From<bool> for Val {
    fn from(b: bool) -> Val {
        Val::Int(i64::from(b))
    }
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::Text(s.to_owned())
    }
}

impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Text(s)
    }
}

impl From<&String> for Val {
    fn from(s: &String) -> Val {
        Val::Text(s.clone())
    }
}

impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Val {
        v.map_or(Val::Null, Into::into)
    }
}

/// `vals![a, b]`: the parameters of a query.
macro_rules! vals {
    ($($v:expr),* $(,)?) => { &[$($crate::store::db::Val::from($v)),*] };
}
pub(crate) use vals;

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Val::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Val::Int(n) => ToSqlOutput::Borrowed(ValueRef::Integer(*n)),
            Val::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

impl ToSql for Val {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Val::Null => Ok(IsNull::Yes),
            // PostgreSQL infers a parameter's type from where it stands; the schema uses BIGINT
            // for every integer, but a comparison with a literal may ask for less.
            Val::Int(n) if *ty == Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
            Val::Int(n) if *ty == Type::BOOL => (*n != 0).to_sql(ty, out),
            Val::Int(n) if *ty == Type::TEXT || *ty == Type::VARCHAR => {
                n.to_string().to_sql(ty, out)
            }
            Val::Int(n) => n.to_sql(ty, out),
            // PostgreSQL's text cannot hold a NUL and refuses the whole statement, where SQLite
            // simply finds nothing. Every id and name is checked before it is written, so a NUL
            // only ever arrives in a lookup (a login name, an account or record id in the
            // address): as U+FFFD it finds nothing either, and the client gets the same answer
            // on both databases instead of a 500.
            Val::Text(s) if s.contains('\0') => s.replace('\0', "\u{fffd}").to_sql(ty, out),
            Val::Text(s) => s.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        [
            Type::INT8,
            Type::INT4,
            Type::BOOL,
            Type::TEXT,
            Type::VARCHAR,
        ]
        .contains(ty)
    }

    postgres::types::to_sql_checked!();
}

/// One result row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row(pub(super) Vec<Val>);

impl Row {
    fn at(&self, i: usize) -> StoreResult<&Val> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::new(format!("no column {i}")))
    }

    pub fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        match self.at(i)? {
            Val::Null => Ok(None),
            Val::Int(n) => Ok(Some(*n)),
            // PostgreSQL's meta table keeps its counters as text (SQLite's has no type).
            Val::Text(s) => s
                .parse()
                .map(Some)
                .map_err(|_| StoreError::new(format!("column {i}: {s:?} is no number"))),
        }
    }

    pub fn int(&self, i: usize) -> StoreResult<i64> {
        self.opt_int(i)?
            .ok_or_else(|| StoreError::new(format!("column {i} is NULL")))
    }

    pub fn bool(&self, i: usize) -> StoreResult<bool> {
        Ok(self.int(i)? != 0)
    }

    pub fn opt_text(&self, i: usize) -> StoreResult<Option<String>> {
        match self.at(i)? {
            Val::Null => Ok(None),
            Val::Text(s) => Ok(Some(s.clone())),
            Val::Int(n) => Ok(Some(n.to_string())),
        }
    }

    /// A text column borrowed, for what is parsed rather than kept (a record's JSON).
    pub fn str(&self, i: usize) -> StoreResult<&str> {
        match self.at(i)? {
            Val::Text(s) => Ok(s),
            other => Err(StoreError::new(format!("column {i}: {other:?} is no text"))),
        }
    }

    pub fn text(&self, i: usize) -> StoreResult<String> {
        self.opt_text(i)?
            .ok_or_else(|| StoreError::new(format!("column {i} is NULL")))
    }
}

fn sqlite_row(row: &rusqlite::Row<'_>) -> StoreResult<Row> {
    use rusqlite::types::ValueRef;
    let n = row.as_ref().column_count();
    let mut vals = Vec::with_capacity(n);
    for i in 0..n {
        vals.push(match row.get_ref(i)? {
            ValueRef::Null => Val::Null,
            ValueRef::Integer(n) => Val::Int(n),
            // Only counts and MIN/MAX of integers come back as reals; none has a fraction.
            #[allow(clippy::cast_possible_truncation)]
            ValueRef::Real(f) => Val::Int(f as i64),
            ValueRef::Text(t) | ValueRef::Blob(t) => Val::Text(
                std::str::from_utf8(t)
                    .map_err(|e| StoreError::new(format!("column {i}: {e}")))?
                    .to_owned(),
            ),
        });
    }
    Ok(Row(vals))
}

fn pg_row(row: &postgres::Row) -> StoreResult<Row> {
    let mut vals = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let ty = column.type_();
        let v = if *ty == Type::VOID {
            // What a function called for its effect returns (the advisory lock).
            Val::Null
        } else if *ty == Type::INT8 {
            row.try_get::<_, Option<i64>>(i)?.into()
        } else if *ty == Type::INT4 {
            row.try_get::<_, Option<i32>>(i)?.map(i64::from).into()
        } else if *ty == Type::INT2 {
            row.try_get::<_, Option<i16>>(i)?.map(i64::from).into()
        } else if *ty == Type::BOOL {
            row.try_get::<_, Option<bool>>(i)?.into()
        } else {
            row.try_get::<_, Option<String>>(i)?.into()
        };
        vals.push(v);
    }
    Ok(Row(vals))
}

/// `?1` → `$1`: the store's queries are written for SQLite; PostgreSQL numbers its parameters
/// with a dollar. No query has a question mark in a string literal (PostgreSQL's JSON operators
/// that are spelt with one are not used).
pub fn pg_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '?' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// An open transaction of either database.
pub enum Conn<'a> {
    Sqlite(&'a rusqlite::Connection),
    Postgres(RefCell<PgTx<'a>>),
}

pub struct PgTx<'a> {
    pub tx: postgres::Transaction<'a>,
    /// Prepared statements of this connection, by the query's SQLite text.
    pub statements: &'a mut HashMap<String, postgres::Statement>,
}

impl Conn<'_> {
    pub fn dialect(&self) -> Dialect {
        match self {
            Conn::Sqlite(_) => Dialect::Sqlite,
            Conn::Postgres(_) => Dialect::Postgres,
        }
    }

    pub fn rows(&self, sql: &str, params: &[Val]) -> StoreResult<Vec<Row>> {
        match self {
            Conn::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    out.push(sqlite_row(row)?);
                }
                Ok(out)
            }
            Conn::Postgres(cell) => {
                let mut pg = cell.borrow_mut();
                let stmt = pg.statement(sql)?;
                pg.tx
                    .query(&stmt, &pg_params(params))?
                    .iter()
                    .map(pg_row)
                    .collect()
            }
        }
    }

    pub fn row(&self, sql: &str, params: &[Val]) -> StoreResult<Option<Row>> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }

    pub fn exec(&self, sql: &str, params: &[Val]) -> StoreResult<usize> {
        match self {
            Conn::Sqlite(conn) => Ok(conn
                .prepare_cached(sql)?
                .execute(rusqlite::params_from_iter(params))?),
            Conn::Postgres(cell) => {
                let mut pg = cell.borrow_mut();
                let stmt = pg.statement(sql)?;
                let n = pg.tx.execute(&stmt, &pg_params(params))?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            }
        }
    }
}

fn pg_params(params: &[Val]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl PgTx<'_> {
    fn statement(&mut self, sql: &str) -> StoreResult<postgres::Statement> {
        if let Some(stmt) = self.statements.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.tx.prepare(&pg_sql(sql))?;
        self.statements.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }
}

// ---- PostgreSQL connections ----

/// A connection with its prepared statements.
pub struct PgConn {
    pub client: postgres::Client,
    pub statements: HashMap<String, postgres::Statement>,
}

/// A small pool of PostgreSQL connections. A connection that broke (the database restarted,
/// the network dropped) is not given out again; the next caller opens a fresh one, so the
/// server recovers by itself once the database is back.
pub struct PgPool {
    config: postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
    idle: Mutex<Vec<PgConn>>,
    /// How many connections are out or being opened.
    busy: Mutex<usize>,
    freed: Condvar,
    max: usize,
    /// A connection of its own holding a session-level advisory lock, while this process holds
    /// one (see [`PgPool::hold_session_lock`]).
    holder: Mutex<Option<(postgres::Client, bool)>>,
}

/// How long a caller waits for a free connection before the request is answered with 503.
const CHECKOUT_WAIT: Duration = Duration::from_secs(10);

impl PgPool {
    pub fn new(mut config: postgres::Config, tls: rustls::ClientConfig, max: usize) -> PgPool {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        // A database that vanished without closing the connection (a failover, a cable) is
        // noticed within seconds rather than after the kernel's default of hours.
        config.keepalives(true);
        config.keepalives_idle(Duration::from_secs(10));
        config.tcp_user_timeout(Duration::from_secs(15));
        config.application_name("lotsen-server");
        PgPool {
            config,
            tls: tokio_postgres_rustls::MakeRustlsConnect::new(tls),
            idle: Mutex::new(Vec::new()),
            busy: Mutex::new(0),
            freed: Condvar::new(),
            max: max.max(1),
            holder: Mutex::new(None),
        }
    }

    /// Closes the idle connections (after one broke: they are most likely broken too).
    pub fn forget_idle(&self) {
        let idle = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|p| p.into_inner()));
        drop(idle);
    }

    /// Whether this process holds the session-level advisory lock `key`, taking it if it is
    /// free. The lock lives as long as its connection: when the process dies, or its connection
    /// breaks, PostgreSQL frees it for the next process that asks. A process that does not get
    /// it keeps the connection for asking again.
    pub fn hold_session_lock(&self, key: i64) -> StoreResult<bool> {
        let mut holder = self.holder.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((client, held)) = holder.as_mut() {
            if !client.is_closed() {
                if !*held {
                    *held = client
                        .query_one("SELECT pg_try_advisory_lock($1)", &[&key])?
                        .try_get(0)?;
                }
                return Ok(*held);
            }
        }
        *holder = None;
        let mut client = self
            .config
            .connect(self.tls.clone())
            .map_err(|e| StoreError::Unavailable(format!("postgres: {}", chain(&e))))?;
        let held: bool = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&key])?
            .try_get(0)?;
        *holder = Some((client, held));
        Ok(held)
    }

    /// A connection, opened if none is idle. Blocks (never on an async thread: the store is
    /// used from `spawn_blocking`) until one is free or [`CHECKOUT_WAIT`] has passed.
    pub fn get(&self) -> StoreResult<PgGuard<'_>> {
        {
            let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
            let deadline = std::time::Instant::now() + CHECKOUT_WAIT;
            while *busy >= self.max {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                if left.is_zero() {
                    return Err(StoreError::Unavailable(
                        "no free database connection".into(),
                    ));
                }
                busy = self
                    .freed
                    .wait_timeout(busy, left)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            *busy += 1;
        }
        let mut guard = PgGuard {
            pool: self,
            conn: None,
        };
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        guard.conn = match idle {
            Some(conn) if !conn.client.is_closed() => Some(conn),
            _ => Some(PgConn {
                client: self
                    .config
                    .connect(self.tls.clone())
                    .map_err(|e| StoreError::Unavailable(format!("postgres: {}", chain(&e))))?,
                statements: HashMap::new(),
            }),
        };
        Ok(guard)
    }
}

/// An error with its causes ("error performing TLS handshake: invalid peer certificate: …").
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl Drop for PgPool {
    fn drop(&mut self) {
        // Closing a `postgres::Client` runs its own small runtime, which must not happen on a
        // thread of the server's runtime (the store may be dropped there at shutdown).
        let idle = std::mem::take(self.idle.get_mut().unwrap_or_else(|p| p.into_inner()));
        let holder = self
            .holder
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if tokio::runtime::Handle::try_current().is_ok() {
            let _ = std::thread::spawn(move || drop((idle, holder))).join();
        } else {
            drop((idle, holder));
        }
    }
}

pub struct PgGuard<'a> {
    pool: &'a PgPool,
    conn: Option<PgConn>,
}

impl PgGuard<'_> {
    pub fn conn(&mut self) -> StoreResult<&mut PgConn> {
        self.conn
            .as_mut()
            .ok_or_else(|| StoreError::new("connection already returned"))
    }
}

impl Drop for PgGuard<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            if !conn.client.is_closed() {
                self.pool
                    .idle
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(conn);
            }
        }
        let mut busy = self.pool.busy.lock().unwrap_or_else(|p| p.into_inner());
        *busy = busy.saturating_sub(1);
        self.pool.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_renumbered_with_dollars() {
        assert_eq!(
            pg_sql("SELECT a FROM t WHERE b = ?1 AND c IN ('x', ?12) AND d = '?'"),
            "SELECT a FROM t WHERE b = $1 AND c IN ('x', $12) AND d = '?'"
        );
    }

    #[test]
    fn rows_read_numbers_kept_as_text() {
        let row = Row(vec![
            Val::Text("42".into()),
            Val::Null,
            Val::Int(1),
            Val::Text("x".into()),
        ]);
        assert_eq!(row.int(0).unwrap(), 42);
        assert_eq!(row.opt_int(1).unwrap(), None);
        assert!(row.bool(2).unwrap());
        assert!(row.int(3).is_err());
        assert!(row.text(1).is_err());
        assert!(row.int(9).is_err());
    }
}
