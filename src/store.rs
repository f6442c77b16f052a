//! The IndexedDB layer (SPEC §6). Four stores:
//! - `records`: what the user sees of each record, keyed `collection/id` — the server's envelope,
//!   or, while a local edit waits for transfer, that edit (`pending`);
//! - `outbox`: at most one pending mutation per record, with the server state it started from;
//! - `meta`: cursor, epoch, device key, time of the last sync;
//! - `conflicts`: local versions the server did not take (conflicting fields, refusals).
//!
//! Values are JSON strings and keys plain strings, so nothing depends on how a browser maps
//! numbers (a `u64` would become a BigInt, which IndexedDB rejects as a key).

use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{TransactionDurability, TransactionMode, TransactionOptions};
use indexed_db_futures::KeyRange;
use lotsen_domain::logout;
use lotsen_domain::protocol::{ChangesResponse, MutationResult, SessionUser};
use lotsen_domain::replica::{self, Pulled, Queue, Stamps};
pub use lotsen_domain::replica::{key, Change, Conflict, LocalRecord, OutboxEntry};
use lotsen_domain::Collection;
use serde::Serialize;
use serde_json::Value;

const RECORDS: &str = "records";
const OUTBOX: &str = "outbox";
const META: &str = "meta";
const CONFLICTS: &str = "conflicts";

pub const META_CURSOR: &str = "cursor";
pub const META_DEVICE_KEY: &str = "device_key";
pub const META_LAST_SYNC: &str = "last_sync";
/// The logged-in user (JSON), so that the app knows it offline too.
pub const META_USER: &str = "user";
/// The requests created on this device (JSON list of ids): a Lotse's device holds everyone's,
/// and "Meine Anliegen" shows only these.
pub const META_OWN_REQUESTS: &str = "own_requests";
/// A logout made offline: the server still has to end the session.
pub const META_LOGOUT_PENDING: &str = "logout_pending";

#[derive(Debug, Clone, PartialEq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lokaler Speicher: {}", self.0)
    }
}

impl From<indexed_db_futures::error::Error> for StoreError {
    fn from(e: indexed_db_futures::error::Error) -> Self {
        StoreError(e.to_string())
    }
}

impl From<indexed_db_futures::error::OpenDbError> for StoreError {
    fn from(e: indexed_db_futures::error::OpenDbError) -> Self {
        StoreError(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError(format!("unlesbarer Eintrag: {e}"))
    }
}

type Result<T> = std::result::Result<T, StoreError>;

fn now() -> f64 {
    js_sys::Date::now()
}

pub fn new_uuid() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| {
            // Only reached outside a window (never in the app); still unique enough for a key.
            format!(
                "00000000-0000-4000-8000-{:012x}",
                (now() as u64) & 0xffff_ffff_ffff
            )
        })
}

/// The browser's ids and clock for the domain's decisions.
struct DeviceStamps;

impl Stamps for DeviceStamps {
    fn new_id(&mut self) -> String {
        new_uuid()
    }
    fn now(&mut self) -> f64 {
        now()
    }
}

pub struct Store {
    db: Database,
}

impl Store {
    /// Opens (and on first use creates) the database `name`.
    pub async fn open(name: &str) -> Result<Store> {
        let db = Database::open(name)
            .with_version(1u32)
            .with_on_upgrade_needed(|event, db| {
                if event.old_version() < 1.0 {
                    for store in [RECORDS, OUTBOX, META, CONFLICTS] {
                        db.create_object_store(store).build()?;
                    }
                }
                Ok(())
            })
            .await?;
        Ok(Store { db })
    }

    /// The device key that identifies this browser profile's own requests; made once.
    pub async fn device_key(&self) -> Result<String> {
        if let Some(k) = self.meta(META_DEVICE_KEY).await? {
            return Ok(k);
        }
        let k = format!("{}{}", new_uuid(), new_uuid()).replace('-', "");
        self.set_meta(META_DEVICE_KEY, &k).await?;
        Ok(k)
    }

    pub async fn meta(&self, name: &str) -> Result<Option<String>> {
        let tx = self.db.transaction(META).build()?;
        let store = tx.object_store(META)?;
        let v: Option<String> = store.get(name.to_owned()).primitive()?.await?;
        Ok(v)
    }

    pub async fn set_meta(&self, name: &str, value: &str) -> Result<()> {
        let tx = self
            .db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(META)?;
        store
            .put(value.to_owned())
            .with_key(name.to_owned())
            .primitive()?
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every record, as the app shows it.
    pub async fn load(&self) -> Result<Vec<LocalRecord>> {
        self.read_all(RECORDS).await
    }

    /// The stored JSON of the records of `collections` (keys are `collection/id`, so each is
    /// one key range), unparsed: the caller parses them in slices (see `state::read_data`).
    pub async fn raw_records(&self, collections: &[Collection]) -> Result<Vec<String>> {
        let tx = self.db.transaction(RECORDS).build()?;
        let store = tx.object_store(RECORDS)?;
        let mut out = Vec::new();
        for c in collections {
            out.extend(get_collection(&store, *c).await?);
        }
        Ok(out)
    }

    /// The waiting edits, oldest first (the order in which the user made them).
    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        let mut entries: Vec<OutboxEntry> = self.read_all(OUTBOX).await?;
        entries.sort_by(|a, b| a.queued_at.total_cmp(&b.queued_at));
        Ok(entries)
    }

    /// How many edits wait to be sent, without reading them (the header shows it after every
    /// edit).
    pub async fn pending_count(&self) -> Result<usize> {
        let tx = self.db.transaction(OUTBOX).build()?;
        let n = tx.object_store(OUTBOX)?.count().primitive()?.await?;
        Ok(n as usize)
    }

    /// The kept conflicts and refusals, newest first.
    pub async fn conflicts(&self) -> Result<Vec<Conflict>> {
        let mut out: Vec<Conflict> = self.read_all(CONFLICTS).await?;
        out.sort_by(|a, b| b.at.total_cmp(&a.at));
        Ok(out)
    }

    async fn read_all<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Vec<T>> {
        let tx = self.db.transaction(name).build()?;
        let store = tx.object_store(name)?;
        let all: Vec<String> = store
            .get_all()
            .primitive()?
            .await?
            .collect::<std::result::Result<_, _>>()?;
        all.iter().map(|s| Ok(serde_json::from_str(s)?)).collect()
    }

    /// Records a local edit: the record as the user now sees it and its outbox entry, in one
    /// transaction, so that neither exists without the other.
    pub async fn local_edit(
        &self,
        collection: Collection,
        id: &str,
        data: Value,
        deleted: bool,
    ) -> Result<LocalRecord> {
        let k = key(collection.as_str(), id);
        let tx = self
            .db
            .transaction([RECORDS, OUTBOX, META])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let records = tx.object_store(RECORDS)?;
        let outbox = tx.object_store(OUTBOX)?;
        let meta = tx.object_store(META)?;
        let previous: Option<String> = outbox.get(k.clone()).primitive()?.await?;
        let current: Option<String> = records.get(k.clone()).primitive()?.await?;
        let current: Option<LocalRecord> = current.map(|s| serde_json::from_str(&s)).transpose()?;
        let previous: Option<OutboxEntry> =
            previous.map(|p| serde_json::from_str(&p)).transpose()?;
        if collection == Collection::Requests && previous.is_none() && current.is_none() {
            let mut own = read_own(&meta).await?;
            own.push(id.to_owned());
            put_json(&meta, META_OWN_REQUESTS, &own).await?;
        }
        let (entry, view) = replica::edit(
            previous,
            current,
            collection.as_str(),
            id,
            data,
            deleted,
            &mut DeviceStamps,
        );
        put_json(&records, &k, &view).await?;
        put_json(&outbox, &k, &entry).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Applies the server's answers to pushed entries: accepted edits leave the outbox, conflicts
    /// are merged (and a merged edit queued again), refusals are kept in `conflicts`.
    pub async fn apply_push(
        &self,
        sent: &[OutboxEntry],
        results: &[MutationResult],
    ) -> Result<Vec<Change>> {
        let tx = self
            .db
            .transaction([RECORDS, OUTBOX, CONFLICTS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let records = tx.object_store(RECORDS)?;
        let outbox = tx.object_store(OUTBOX)?;
        let conflicts = tx.object_store(CONFLICTS)?;
        let mut changes = Vec::new();
        for (entry, result) in sent.iter().zip(results) {
            let k = key(&entry.collection, &entry.id);
            // The user may have edited the record again while the push was under way.
            let queued: Option<String> = outbox.get(k.clone()).primitive()?.await?;
            let queued: Option<OutboxEntry> =
                queued.map(|s| serde_json::from_str(&s)).transpose()?;
            let pushed = replica::push_result(entry, queued.as_ref(), result, &mut DeviceStamps);
            if let Some(c) = &pushed.conflict {
                put_json(&conflicts, &c.conflict_id, c).await?;
            }
            match &pushed.queue {
                Queue::Keep => {}
                Queue::Put(again) => put_json(&outbox, &k, again).await?,
                Queue::Remove => outbox.delete(k.clone()).primitive()?.await?,
            }
            if let Some(change) = pushed.record {
                match &change {
                    Change::Put(view) => put_json(&records, &k, view).await?,
                    Change::Remove { .. } => records.delete(k).primitive()?.await?,
                }
                changes.push(change);
            }
        }
        tx.commit().await?;
        Ok(changes)
    }

    /// Saves one page of pulled changes together with the cursor that follows it. Records with a
    /// local edit pending keep that edit: the push resolves them. `restart` (after a reset of the
    /// server) first drops every record that has no pending edit, since the full pull that
    /// follows brings back all that still exist.
    pub async fn apply_pull(&self, page: &ChangesResponse, restart: bool) -> Result<Vec<Change>> {
        // What a pull writes can always be pulled again, and its cursor is committed with it:
        // the browser need not flush each page to disk before the next (`relaxed`), which is
        // most of a first sync's time. Local edits keep the default.
        let tx = self
            .db
            .transaction([RECORDS, OUTBOX, META])
            .with_mode(TransactionMode::Readwrite)
            .with_options(TransactionOptions::new().with_durability(TransactionDurability::Relaxed))
            .build()?;
        let records = tx.object_store(RECORDS)?;
        let outbox = tx.object_store(OUTBOX)?;
        let meta = tx.object_store(META)?;
        let pending: std::collections::HashSet<String> = outbox
            .get_all_keys()
            .primitive()?
            .await?
            .collect::<std::result::Result<_, _>>()?;
        let mut changes = Vec::new();
        if restart {
            // One clear instead of a delete per record (thousands after a login), then the
            // records with a waiting edit go back as they were.
            let existing: Vec<String> = records
                .get_all_keys()
                .primitive()?
                .await?
                .collect::<std::result::Result<_, _>>()?;
            let mut kept = Vec::new();
            for k in existing.iter().filter(|k| pending.contains(*k)) {
                let v: Option<String> = records.get(k.clone()).primitive()?.await?;
                kept.extend(v.map(|v| (k.clone(), v)));
            }
            records.clear()?.await?;
            for (k, v) in kept {
                records.put(v).with_key(k).primitive()?.await?;
            }
            for k in existing.into_iter().filter(|k| !pending.contains(k)) {
                if let Some((collection, id)) = k.split_once('/') {
                    changes.push(Change::Remove {
                        collection: collection.to_owned(),
                        id: id.to_owned(),
                    });
                }
            }
        }
        // Every write of the page goes out at once and nobody waits for one of them: a request
        // that fails aborts the transaction, and `commit` reports that. A listener per request
        // (what awaiting it sets up) was a fifth of a first sync of 10,000 records.
        for env in &page.changes {
            let k = key(&env.collection, &env.id);
            let waiting: Option<OutboxEntry> = if pending.contains(&k) {
                let w: Option<String> = outbox.get(k.clone()).primitive()?.await?;
                w.map(|w| serde_json::from_str(&w)).transpose()?
            } else {
                None
            };
            match replica::pull(env, waiting) {
                // Kept beside the waiting edit; the push decides what the user sees.
                Pulled::Seen(entry) => put_json(&outbox, &k, &entry).await?,
                Pulled::Shown(change) => {
                    match &change {
                        Change::Put(view) => drop(
                            records
                                .put(serde_json::to_string(view)?)
                                .with_key(k)
                                .primitive()?,
                        ),
                        Change::Remove { .. } => drop(records.delete(k).primitive()?),
                    }
                    changes.push(change);
                }
            }
        }
        meta.put(page.cursor.clone())
            .with_key(META_CURSOR.to_owned())
            .primitive()?
            .await?;
        tx.commit().await?;
        Ok(changes)
    }

    /// The records under `keys` as they are now (None: no longer there), for another tab's
    /// changes.
    pub async fn views(&self, keys: &[String]) -> Result<Vec<(String, Option<LocalRecord>)>> {
        let tx = self.db.transaction(RECORDS).build()?;
        let records = tx.object_store(RECORDS)?;
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            let v: Option<String> = records.get(k.clone()).primitive()?.await?;
            out.push((k.clone(), v.map(|v| serde_json::from_str(&v)).transpose()?));
        }
        Ok(out)
    }

    /// The ids of the requests created on this device.
    pub async fn own_requests(&self) -> Result<Vec<String>> {
        let tx = self.db.transaction(META).build()?;
        read_own(&tx.object_store(META)?).await
    }

    /// The logged-in user this device last knew of.
    pub async fn user(&self) -> Result<Option<SessionUser>> {
        Ok(self
            .meta(META_USER)
            .await?
            .and_then(|u| serde_json::from_str(&u).ok()))
    }

    /// The waiting edits a logout would throw away: everything but the user's own requests,
    /// which stay theirs without a login.
    pub async fn private_outbox(&self) -> Result<usize> {
        let own = self.own_requests().await?;
        Ok(self
            .outbox()
            .await?
            .iter()
            .filter(|e| !logout::keeps_waiting(&own, e))
            .count())
    }

    /// Switches the device to another user (or to none) in one transaction: the cursor goes,
    /// so the next pull starts from the start with what the new user may see. On a logout
    /// (`clear_private`) everything only a Lotse or the Büro may hold is removed at once,
    /// including waiting edits and kept conflicts, except the user's own requests and the
    /// public answers to them. On a login the requests held so far are adopted as the user's
    /// own, since an anonymous device holds only those. The rules are `lotsen_domain::logout`.
    pub async fn switch_user(&self, user: Option<&SessionUser>, clear_private: bool) -> Result<()> {
        let tx = self
            .db
            .transaction([RECORDS, OUTBOX, META, CONFLICTS])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let records = tx.object_store(RECORDS)?;
        let outbox = tx.object_store(OUTBOX)?;
        let meta = tx.object_store(META)?;
        let conflicts = tx.object_store(CONFLICTS)?;
        let own = read_own(&meta).await?;
        // Only what a login may hold is looked at; the directory stays as it is.
        let mut views: Vec<LocalRecord> = Vec::new();
        for c in Collection::PRIVATE {
            for v in get_collection(&records, c).await? {
                views.push(serde_json::from_str(&v)?);
            }
        }
        if clear_private {
            for v in views.iter().filter(|v| !logout::keeps_record(&own, &v.env)) {
                records.delete(v.key()).primitive()?.await?;
            }
            let waiting: Vec<String> = outbox
                .get_all()
                .primitive()?
                .await?
                .collect::<std::result::Result<_, _>>()?;
            for w in waiting {
                let entry: OutboxEntry = serde_json::from_str(&w)?;
                if !logout::keeps_waiting(&own, &entry) {
                    outbox
                        .delete(key(&entry.collection, &entry.id))
                        .primitive()?
                        .await?;
                }
            }
            conflicts.clear()?.await?;
        } else {
            let own = logout::own_after_login(own, views.iter().map(|v| &v.env));
            put_json(&meta, META_OWN_REQUESTS, &own).await?;
        }
        match user {
            Some(u) => put_json(&meta, META_USER, u).await?,
            None => meta.delete(META_USER.to_owned()).primitive()?.await?,
        }
        meta.delete(META_CURSOR.to_owned()).primitive()?.await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_meta(&self, name: &str) -> Result<()> {
        let tx = self
            .db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(META)?
            .delete(name.to_owned())
            .primitive()?
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a kept conflict once the user has dealt with it.
    pub async fn dismiss_conflict(&self, conflict_id: &str) -> Result<()> {
        let tx = self
            .db
            .transaction(CONFLICTS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(CONFLICTS)?;
        store.delete(conflict_id.to_owned()).primitive()?.await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The stored JSON of one collection's records: keys are `collection/id`, so a collection is
/// one key range.
async fn get_collection(
    records: &indexed_db_futures::object_store::ObjectStore<'_>,
    collection: Collection,
) -> Result<Vec<String>> {
    let range = KeyRange::Bound(
        format!("{}/", collection.as_str()),
        false,
        format!("{}/\u{ffff}", collection.as_str()),
        false,
    );
    Ok(records
        .get_all()
        .with_query::<String, _>(range)
        .primitive()?
        .await?
        .collect::<std::result::Result<_, _>>()?)
}

async fn read_own(meta: &indexed_db_futures::object_store::ObjectStore<'_>) -> Result<Vec<String>> {
    let own: Option<String> = meta.get(META_OWN_REQUESTS.to_owned()).primitive()?.await?;
    Ok(own
        .map(|o| serde_json::from_str(&o))
        .transpose()?
        .unwrap_or_default())
}

/// Stores `value` as JSON under `key`, within the store's transaction.
async fn put_json<T: Serialize>(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    key: &str,
    value: &T,
) -> Result<()> {
    store
        .put(serde_json::to_string(value)?)
        .with_key(key.to_owned())
        .primitive()?
        .await?;
    Ok(())
}
