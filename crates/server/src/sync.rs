//! The sync protocol of SPEC §7 on top of the store: pulling changes by cursor and applying
//! pushed mutations (permission, then validation, then compare-and-swap).

use std::collections::HashMap;

use lotsen_domain::model::Collection;
use lotsen_domain::permission::{self, Actor, Stored, Visibility, Write};
use lotsen_domain::protocol::{
    is_uuid, ChangesResponse, Envelope, FieldError, Mutation, MutationResult, MutationStatus,
    MAX_MUTATIONS, MAX_PAGE,
};
use lotsen_domain::validate::{validate_all, Refs};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use lotsen_domain::protocol::{PushRequest, PushResponse};

use crate::actor::{Caller, PeerAddr};
use crate::api::{blocking, ApiJson};
use crate::error::ApiError;
use crate::store::{LoggedMutation, StoreError, StoreResult, StoredRecord, Tx};
use crate::ServerState;

pub const DEFAULT_PAGE: usize = 500;
const CURSOR_PREFIX: &str = "v1";
/// How many rows one pull looks at at most. Without a bound, a caller who may see almost
/// nothing would make the server scan the whole table in one request; with it, the caller
/// gets a short page, an advanced cursor and `has_more`.
const MAX_SCAN: usize = 20_000;

/// A cursor names who it was made for: what a caller may see changes with the login, and a
/// cursor carried over a login, a logout or an expired session would leave the client with
/// records it may no longer see (or without ones it now may). Such a cursor gets `410`, and
/// the client pulls from the start.
pub fn encode_cursor(epoch: &str, seq: u64, viewer: Option<&str>) -> String {
    match viewer {
        Some(v) => format!("{CURSOR_PREFIX}.{epoch}.{seq}.u{v}"),
        None => format!("{CURSOR_PREFIX}.{epoch}.{seq}"),
    }
}

/// A short tag of a logged-in caller for the cursor (None: anonymous). Not a secret, only a
/// fingerprint: the username is not spelled out in URLs and logs.
pub fn viewer_tag(actor: &Actor) -> Option<String> {
    let (role, username) = match actor {
        Actor::Anonymous => return None,
        Actor::Lotse { username, .. } => ("lotse", username),
        Actor::Buero { username } => ("buero", username),
    };
    let digest = Sha256::digest(format!("{role}:{username}").as_bytes());
    Some(hex::encode(&digest[..8]))
}

/// A cursor as the client sent it, before it is checked against the database.
#[derive(Debug, PartialEq, Eq)]
pub struct Cursor {
    pub epoch: Option<String>,
    pub seq: u64,
    pub viewer: Option<String>,
}

/// Parses `since`: absent, empty or `0` mean "from the start".
pub fn parse_cursor(since: Option<&str>) -> Result<Cursor, ApiError> {
    let start = Cursor {
        epoch: None,
        seq: 0,
        viewer: None,
    };
    let Some(s) = since.filter(|s| !s.is_empty() && *s != "0") else {
        return Ok(start);
    };
    let bad = || ApiError::BadRequest("bad_cursor", "Unbekannter Sync-Stand (cursor).".into());
    let mut parts = s.split('.');
    let (Some(CURSOR_PREFIX), Some(epoch), Some(seq), viewer, None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(bad());
    };
    let viewer = match viewer.map(|v| v.strip_prefix('u')) {
        None => None,
        Some(Some(v)) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(v.to_owned())
        }
        Some(_) => return Err(bad()),
    };
    if epoch.is_empty() || !epoch.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    if seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let seq = seq.parse::<u64>().map_err(|_| bad())?;
    Ok(Cursor {
        epoch: Some(epoch.to_owned()),
        seq,
        viewer,
    })
}

/// Parses `limit`: default 500, above 1000 (however many digits) treated as 1000, 0 or not a
/// number refused.
pub fn parse_limit(limit: Option<&str>) -> Result<usize, ApiError> {
    let Some(s) = limit else {
        return Ok(DEFAULT_PAGE);
    };
    let digits = s.trim_start_matches('0');
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || digits.is_empty() {
        return Err(ApiError::BadRequest(
            "bad_limit",
            "limit muss eine Zahl von 1 bis 1000 sein.".into(),
        ));
    }
    Ok(digits
        .parse::<usize>()
        .map_or(MAX_PAGE, |n| n.min(MAX_PAGE)))
}

/// A pull refused before any data is read.
pub enum PullError {
    Reset,
    Store(StoreError),
}

impl From<StoreError> for PullError {
    fn from(e: StoreError) -> Self {
        PullError::Store(e)
    }
}

/// The records visible to `caller` after `cursor`, in `seq` order. An anonymous caller's
/// pull reads only the rows it may possibly see (the directory and its own requests, see
/// `Tx::scan_audience`); staff see nearly everything, so reading every row in order is their
/// index.
pub fn changes(
    tx: &Tx,
    epoch: &str,
    caller: &Caller,
    cursor: &Cursor,
    limit: usize,
) -> Result<ChangesResponse, PullError> {
    let by_audience = caller.actor == Actor::Anonymous;
    changes_reading(tx, epoch, caller, cursor, limit, by_audience)
}

/// [`changes`], reading every row whoever the caller is: what an anonymous pull must equal
/// (tested).
pub fn changes_scanning_all(
    tx: &Tx,
    epoch: &str,
    caller: &Caller,
    cursor: &Cursor,
    limit: usize,
) -> Result<ChangesResponse, PullError> {
    changes_reading(tx, epoch, caller, cursor, limit, false)
}

fn changes_reading(
    tx: &Tx,
    epoch: &str,
    caller: &Caller,
    cursor: &Cursor,
    limit: usize,
    by_audience: bool,
) -> Result<ChangesResponse, PullError> {
    let last = tx.last_seq()?;
    let viewer = viewer_tag(&caller.actor);
    if let Some(e) = &cursor.epoch {
        if cursor.viewer != viewer {
            return Err(PullError::Reset);
        }
        // Another epoch: a different (restored or reset) database. A seq beyond ours: a
        // backup of this database was restored, so the client saw writes we no longer have.
        // Below the purge horizon: tombstones it never saw are gone.
        if e != epoch || cursor.seq > last || cursor.seq < tx.purge_horizon()? {
            return Err(PullError::Reset);
        }
    }
    let mut pos = cursor.seq;
    let mut out = Vec::new();
    let mut has_more = false;
    let mut scanned = 0usize;
    let mut owners: HashMap<String, bool> = HashMap::new();
    'scan: loop {
        let n = (limit + 1).min(MAX_SCAN - scanned).max(1);
        let batch = if by_audience {
            tx.scan_audience(pos, caller.device_hash.as_deref(), n)?
        } else {
            tx.scan(pos, n)?
        };
        if batch.is_empty() {
            break;
        }
        for rec in batch {
            if out.len() == limit || scanned == MAX_SCAN {
                has_more = true;
                break 'scan;
            }
            scanned += 1;
            let seq = rec.envelope.seq;
            if let Some(env) = visible(tx, caller, rec, &mut owners)? {
                out.push(env);
            }
            // Advance past hidden rows too, so the next pull does not scan them again.
            pos = seq;
        }
    }
    if !has_more {
        // Everything up to `last` has been looked at: this is one snapshot, and writes are
        // serial and raise `seq` with their records in the same transaction, so no smaller
        // seq can still commit. Jumping there keeps idle clients ahead of purges.
        pos = pos.max(last);
    }
    Ok(ChangesResponse {
        epoch: epoch.to_owned(),
        changes: out,
        cursor: encode_cursor(epoch, pos, viewer.as_deref()),
        has_more,
    })
}

/// What of `rec` the caller receives, if anything.
fn visible(
    tx: &Tx,
    caller: &Caller,
    rec: StoredRecord,
    owners: &mut HashMap<String, bool>,
) -> StoreResult<Option<Envelope>> {
    let mut env = rec.envelope;
    let Some(collection) = Collection::parse(&env.collection) else {
        return Ok(None);
    };
    let owned = owned(
        tx,
        caller,
        collection,
        &env.data,
        rec.owner_hash.as_deref(),
        owners,
    )?;
    match permission::visibility(&caller.actor, collection, &env.data, env.deleted, owned) {
        Visibility::Hidden => Ok(None),
        Visibility::Full => Ok(Some(env)),
        Visibility::Tombstone => {
            env.deleted = true;
            env.data = json!({});
            Ok(Some(env))
        }
    }
}

/// Whether the caller's device owns a record: a request it created, or a note on such a
/// request. A note's tombstone has no data left to name its request; it carries the
/// request's owner instead (see [`note_owner`]). `owners` caches request lookups within one
/// call.
fn owned(
    tx: &Tx,
    caller: &Caller,
    collection: Collection,
    data: &Value,
    owner_hash: Option<&str>,
    owners: &mut HashMap<String, bool>,
) -> StoreResult<bool> {
    if caller.device_hash.is_none() {
        return Ok(false);
    }
    match collection {
        Collection::Requests => Ok(caller.owns(owner_hash)),
        Collection::Notes => {
            let Some(request) = data.get("request").and_then(Value::as_str) else {
                return Ok(caller.owns(owner_hash));
            };
            if let Some(o) = owners.get(request) {
                return Ok(*o);
            }
            let o = match tx.get(Collection::Requests.as_str(), request)? {
                Some(r) => caller.owns(r.owner_hash.as_deref()),
                None => false,
            };
            owners.insert(request.to_owned(), o);
            Ok(o)
        }
        _ => Ok(false),
    }
}

/// Validation's view of the store: a storage failure is passed out as such (a 500), never
/// mistaken for "not found".
struct StoreRefs<'a, 'b>(&'a Tx<'b>);

impl Refs for StoreRefs<'_, '_> {
    type Error = StoreError;
    fn topic_exists(&self, id: &str) -> StoreResult<bool> {
        self.0.exists(Collection::Topics.as_str(), id)
    }
    fn lotse_exists(&self, id: &str) -> StoreResult<bool> {
        self.0.exists(Collection::Lotsen.as_str(), id)
    }
    fn lotse_active(&self, id: &str) -> StoreResult<bool> {
        Ok(self
            .0
            .get(Collection::Lotsen.as_str(), id)?
            .is_some_and(|r| {
                !r.envelope.deleted
                    && r.envelope.data.get("active") == Some(&serde_json::Value::Bool(true))
            }))
    }
    fn request_exists(&self, id: &str) -> StoreResult<bool> {
        self.0.exists(Collection::Requests.as_str(), id)
    }
    fn slug_taken(&self, slug: &str, except_id: &str) -> StoreResult<bool> {
        self.0.slug_taken(slug, except_id)
    }
}

/// Applies `mutations` in order inside the caller's transaction and stores each result under
/// its mutation_id before returning.
pub fn push(
    tx: &Tx,
    caller: &Caller,
    mutations: &[Mutation],
    now: &str,
) -> StoreResult<Vec<MutationResult>> {
    mutations
        .iter()
        .map(|m| push_one(tx, caller, m, now))
        .collect()
}

fn push_one(tx: &Tx, caller: &Caller, m: &Mutation, now: &str) -> StoreResult<MutationResult> {
    if !is_uuid(&m.mutation_id) {
        // Not storable under a usable id; refused every time it comes.
        return Ok(rejected(
            m,
            FieldError::new(
                "invalid_id",
                "mutation_id muss eine UUID sein.",
                Some("mutation_id"),
            ),
        ));
    }
    // Without a sender to tell apart (no login, no device key) nothing is logged: a replay
    // must never answer someone else.
    let actor = log_actor(caller);
    if let Some(actor) = &actor {
        if let Some(logged) = tx.logged_mutation(&m.mutation_id, actor)? {
            return replay(tx, caller, &m.mutation_id, logged);
        }
    }
    let before = crate::mail::before_push(tx, m)?;
    let result = decide(tx, caller, m, now)?;
    crate::mail::after_push(tx, caller, m, before.as_ref(), &result, now)?;
    if let Some(actor) = &actor {
        let logged = LoggedMutation {
            status: result.status,
            record: (result.status != MutationStatus::Rejected)
                .then(|| (m.collection.clone(), m.id.clone())),
            errors: result.errors.clone(),
        };
        tx.log_mutation(&m.mutation_id, actor, &logged, now)?;
    }
    Ok(result)
}

/// Whose retries a logged result answers: the account when logged in, else the device. Both
/// hashed, so the log names nobody.
fn log_actor(caller: &Caller) -> Option<String> {
    match &caller.actor {
        Actor::Lotse { username, .. } | Actor::Buero { username } => Some(format!(
            "account:{}",
            hex::encode(Sha256::digest(username.as_bytes()))
        )),
        Actor::Anonymous => caller.device_hash.as_ref().map(|h| format!("device:{h}")),
    }
}

/// The answer to a retry: the logged outcome, with the record as the sender may see it now
/// (anonymised since, changed by others, or gone — never the copy of the time).
fn replay(
    tx: &Tx,
    caller: &Caller,
    mutation_id: &str,
    logged: LoggedMutation,
) -> StoreResult<MutationResult> {
    let record = match &logged.record {
        Some((collection, id)) => match tx.get(collection, id)? {
            Some(rec) => visible(tx, caller, rec, &mut HashMap::new())?,
            None => None,
        },
        None => None,
    };
    Ok(MutationResult {
        mutation_id: mutation_id.to_owned(),
        status: logged.status,
        record,
        error: logged.errors.first().cloned(),
        errors: logged.errors,
    })
}

fn rejected(m: &Mutation, error: FieldError) -> MutationResult {
    MutationResult::rejected(&m.mutation_id, vec![error])
}

fn decide(tx: &Tx, caller: &Caller, m: &Mutation, now: &str) -> StoreResult<MutationResult> {
    if !is_uuid(&m.id) {
        return Ok(rejected(
            m,
            FieldError::new("invalid_id", "Die id muss eine UUID sein.", Some("id")),
        ));
    }
    let Some(collection) = Collection::parse(&m.collection) else {
        return Ok(rejected(
            m,
            FieldError::new(
                "unknown_collection",
                "Diese Sammlung gibt es nicht.",
                Some("collection"),
            ),
        ));
    };
    let stored = tx.get(collection.as_str(), &m.id)?;
    let mut owners = HashMap::new();
    // A create is judged against the new data, an update against what is stored (SPEC §2).
    let ownership_data = stored.as_ref().map_or(&m.data, |s| &s.envelope.data);
    let owned = owned(
        tx,
        caller,
        collection,
        ownership_data,
        stored.as_ref().and_then(|s| s.owner_hash.as_deref()),
        &mut owners,
    )?;
    let write = Write {
        collection,
        id: &m.id,
        deleted: m.deleted,
        data: &m.data,
    };
    let stored_view = stored.as_ref().map(|s| Stored {
        data: &s.envelope.data,
        deleted: s.envelope.deleted,
        owned,
    });
    if let Err(e) = permission::check_write(&caller.actor, stored_view, write) {
        return Ok(rejected(m, e));
    }
    let data = if m.deleted {
        json!({})
    } else {
        match validate_all(collection, &m.id, &m.data, &StoreRefs(tx))? {
            Ok(data) => data,
            Err(errors) => return Ok(MutationResult::rejected(&m.mutation_id, errors)),
        }
    };
    let current = stored.as_ref().map_or(0, |s| s.envelope.version);
    if m.base_version != current {
        return Ok(MutationResult {
            mutation_id: m.mutation_id.clone(),
            status: MutationStatus::Conflict,
            record: stored.map(|s| s.envelope),
            error: None,
            errors: Vec::new(),
        });
    }
    let owner_hash = match &stored {
        Some(s) if collection == Collection::Notes => {
            if m.deleted {
                note_owner(tx, s)?
            } else {
                None
            }
        }
        Some(s) => s.owner_hash.clone(),
        // Only requests need an owner (SPEC §2); keep no device trace on anything else.
        None if collection == Collection::Requests => caller.device_hash.clone(),
        None => None,
    };
    let rec = StoredRecord {
        envelope: Envelope {
            collection: collection.as_str().to_owned(),
            id: m.id.clone(),
            version: current + 1,
            seq: tx.next_seq()?,
            updated_at: now.to_owned(),
            updated_by: caller.actor.label().to_owned(),
            deleted: m.deleted,
            data,
        },
        owner_hash,
    };
    tx.put(&rec)?;
    Ok(MutationResult {
        mutation_id: m.mutation_id.clone(),
        status: MutationStatus::Applied,
        record: Some(rec.envelope),
        error: None,
        errors: Vec::new(),
    })
}

/// The owner a note's tombstone keeps: the device of its request if the note was public, so
/// that the requester who saw it learns it is gone; none for an internal note, whose
/// existence the requester must not learn.
fn note_owner(tx: &Tx, stored: &StoredRecord) -> StoreResult<Option<String>> {
    let data = &stored.envelope.data;
    if stored.envelope.deleted {
        return Ok(stored.owner_hash.clone());
    }
    if data.get("internal") == Some(&Value::Bool(true)) {
        return Ok(None);
    }
    let Some(request) = data.get("request").and_then(Value::as_str) else {
        return Ok(None);
    };
    Ok(tx
        .get(Collection::Requests.as_str(), request)?
        .and_then(|r| r.owner_hash))
}

/// Stores an imported record after the same validation a push gets. The version never goes
/// backwards, so clients holding the old record see the import as a newer write.
pub fn import_record(tx: &Tx, rec: &StoredRecord) -> StoreResult<()> {
    let e = &rec.envelope;
    let fail = |msg: String| StoreError::new(format!("record {}/{}: {msg}", e.collection, e.id));
    let collection =
        Collection::parse(&e.collection).ok_or_else(|| fail("unknown collection".into()))?;
    if !is_uuid(&e.id) {
        return Err(fail("id is not a UUID".into()));
    }
    let data = if e.deleted {
        json!({})
    } else {
        validate_all(collection, &e.id, &e.data, &StoreRefs(tx))?.map_err(|errors| {
            let problems: Vec<String> = errors.iter().map(FieldError::to_string).collect();
            fail(problems.join("; "))
        })?
    };
    let existing = tx.get(collection.as_str(), &e.id)?;
    let version = match existing {
        Some(x) => e.version.max(x.envelope.version + 1),
        None => e.version.max(1),
    };
    tx.put(&StoredRecord {
        envelope: Envelope {
            version,
            seq: tx.next_seq()?,
            data,
            ..e.clone()
        },
        owner_hash: rec.owner_hash.clone(),
    })
}

/// Current UTC time as `YYYY-MM-DDThh:mm:ssZ`: fixed width, so that text comparison in SQL
/// (tombstone purge) orders like time.
pub fn now_utc() -> String {
    format_utc(time::OffsetDateTime::now_utc())
}

pub fn format_utc(t: time::OffsetDateTime) -> String {
    lotsen_domain::time::utc_stamp(t.unix_timestamp())
}

/// The routes of the sync protocol: `GET /api/v1/changes`, `POST /api/v1/push`.
pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/api/v1/changes", get(changes_handler))
        .route("/api/v1/push", post(push_handler))
}

/// `GET /api/v1/changes?since=&limit=`.
async fn changes_handler(
    State(state): State<ServerState>,
    caller: Caller,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<ChangesResponse>, ApiError> {
    let cursor = parse_cursor(query.get("since").map(String::as_str))?;
    let limit = parse_limit(query.get("limit").map(String::as_str))?;
    blocking(move || {
        let store = &state.store;
        store
            .read(|tx| Ok(changes(tx, store.epoch(), &caller, &cursor, limit)))
            .map_err(ApiError::from)?
            .map_err(|e| match e {
                PullError::Reset => ApiError::ResetRequired,
                PullError::Store(e) => e.into(),
            })
    })
    .await
    .map(Json)
}

/// `POST /api/v1/push`: anonymous senders within their budget (`writes`), every mutation in
/// one transaction.
async fn push_handler(
    State(state): State<ServerState>,
    caller: Caller,
    PeerAddr(addr): PeerAddr,
    ApiJson(body): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if body.mutations.len() > MAX_MUTATIONS {
        return Err(ApiError::Unprocessable(
            "too_many_mutations",
            format!(
                "Höchstens {MAX_MUTATIONS} Änderungen je Übertragung (jetzt {}).",
                body.mutations.len()
            ),
        ));
    }
    if caller.actor == Actor::Anonymous && !body.mutations.is_empty() {
        // Nothing of a refused push is applied: the device keeps its outbox and retries.
        if !state.writes.has_room() {
            return Err(ApiError::StorageLow);
        }
        let n = u32::try_from(body.mutations.len()).unwrap_or(u32::MAX);
        state
            .writes
            .budget
            .take(caller.device_hash.as_deref(), addr, n)
            .map_err(|wait| ApiError::TooManyWrites {
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            })?;
    }
    blocking(move || {
        let now = now_utc();
        // One transaction for the whole push, committed before we answer: an answered
        // push is on disk.
        let results = state
            .store
            .write(|tx| push(tx, &caller, &body.mutations, &now))?;
        // Mails the push wrote into the outbox go out now, not at the next look.
        if let Some(mailer) = &state.mailer {
            mailer.wake.notify_one();
        }
        Ok(PushResponse { results })
    })
    .await
    .map(Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors() {
        assert_eq!(parse_cursor(None).unwrap().seq, 0);
        assert_eq!(parse_cursor(Some("0")).unwrap().seq, 0);
        let c = parse_cursor(Some("v1.abc123.42")).unwrap();
        assert_eq!(c.seq, 42);
        assert_eq!(c.epoch.as_deref(), Some("abc123"));
        assert_eq!(c.viewer, None);
        let c = parse_cursor(Some("v1.abc123.42.u0f")).unwrap();
        assert_eq!(c.viewer.as_deref(), Some("0f"));
        for bad in [
            "x",
            "v1.abc",
            "v2.abc.1",
            "v1.xyz.1",
            "v1.abc.-1",
            "v1.abc.1.2",
            "v1..1",
            "v1.abc.1.u",
            "v1.abc.1.uxy",
            "v1.abc.1.u1.2",
        ] {
            assert!(parse_cursor(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn limits() {
        assert_eq!(parse_limit(None).unwrap(), 500);
        assert_eq!(parse_limit(Some("5000")).unwrap(), 1000);
        assert_eq!(parse_limit(Some("7")).unwrap(), 7);
        assert_eq!(parse_limit(Some("0007")).unwrap(), 7);
        assert_eq!(parse_limit(Some("18446744073709551616")).unwrap(), 1000);
        assert_eq!(parse_limit(Some(&"9".repeat(400))).unwrap(), 1000);
        assert!(parse_limit(Some("")).is_err());
        assert!(parse_limit(Some("000")).is_err());
        assert!(parse_limit(Some("+5")).is_err());
        assert!(parse_limit(Some("0")).is_err());
        assert!(parse_limit(Some("abc")).is_err());
        assert!(parse_limit(Some("-1")).is_err());
    }

    #[test]
    fn time_format_is_fixed_width() {
        let t = time::OffsetDateTime::from_unix_timestamp(0).unwrap();
        assert_eq!(format_utc(t), "1970-01-01T00:00:00Z");
    }
}
