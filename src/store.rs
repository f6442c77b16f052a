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
use indexed_db_futures::transaction::TransactionMode;
use lotsen_domain::protocol::{ChangesResponse, MutationResult};
use lotsen_domain::replica::{self, Pulled, Queue, Stamps};
pub use lotsen_domain::replica::{key, Change, Conflict, OutboxEntry, View};
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
struct Browser;

impl Stamps for Browser {
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
    pub async fn load(&self) -> Result<Vec<View>> {
        self.read_all(RECORDS).await
    }

    /// The waiting edits, oldest first (the order in which the user made them).
    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        let mut entries: Vec<OutboxEntry> = self.read_all(OUTBOX).await?;
        entries.sort_by(|a, b| a.queued_at.total_cmp(&b.queued_at));
        Ok(entries)
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
    ) -> Result<View> {
        let k = key(collection.as_str(), id);
        let tx = self
            .db
            .transaction([RECORDS, OUTBOX])
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let records = tx.object_store(RECORDS)?;
        let outbox = tx.object_store(OUTBOX)?;
        let previous: Option<String> = outbox.get(k.clone()).primitive()?.await?;
        let current: Option<String> = records.get(k.clone()).primitive()?.await?;
        let current: Option<View> = current.map(|s| serde_json::from_str(&s)).transpose()?;
        let previous: Option<OutboxEntry> =
            previous.map(|p| serde_json::from_str(&p)).transpose()?;
        let (entry, view) = replica::edit(
            previous,
            current,
            collection.as_str(),
            id,
            data,
            deleted,
            &mut Browser,
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
            let pushed = replica::push_result(entry, queued.as_ref(), result, &mut Browser);
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
        let tx = self
            .db
            .transaction([RECORDS, OUTBOX, META])
            .with_mode(TransactionMode::Readwrite)
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
            let existing: Vec<String> = records
                .get_all_keys()
                .primitive()?
                .await?
                .collect::<std::result::Result<_, _>>()?;
            for k in existing.into_iter().filter(|k| !pending.contains(k)) {
                records.delete(k.clone()).primitive()?.await?;
                if let Some((collection, id)) = k.split_once('/') {
                    changes.push(Change::Remove {
                        collection: collection.to_owned(),
                        id: id.to_owned(),
                    });
                }
            }
        }
        // Every write of the page goes out at once; waiting for each in turn would cost one trip
        // through the event loop per record (seconds for a first sync of 10,000 records).
        let mut puts = Vec::new();
        let mut deletes = Vec::new();
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
                        Change::Put(view) => puts.push(
                            records
                                .put(serde_json::to_string(view)?)
                                .with_key(k)
                                .primitive()?,
                        ),
                        Change::Remove { .. } => deletes.push(records.delete(k).primitive()?),
                    }
                    changes.push(change);
                }
            }
        }
        for r in futures::future::join_all(puts).await {
            r?;
        }
        for r in futures::future::join_all(deletes).await {
            r?;
        }
        meta.put(page.cursor.clone())
            .with_key(META_CURSOR.to_owned())
            .primitive()?
            .await?;
        tx.commit().await?;
        Ok(changes)
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
