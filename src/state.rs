//! The app's in-memory state: the records from IndexedDB as typed values, the search index built
//! from them, and the sync status the header shows. Pages read it through signals; all writes go
//! through [`AppState::edit`], which stores first and shows second.

use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use futures::channel::mpsc::UnboundedSender;
use leptos::prelude::*;
use lotsen_domain::model::{Application, Event, Lotse, Note, Request, Topic};
use lotsen_domain::permission::Actor;
use lotsen_domain::protocol::FieldError;
use lotsen_domain::protocol::SessionUser;
use lotsen_domain::search::Index;
use lotsen_domain::validate::{validate_all, Refs};
use lotsen_domain::Collection;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::Api;
use crate::store::{Change, Conflict, LocalRecord, Store, StoreError, META_LAST_SYNC};
use crate::tabs::{self, TabMessage};

#[derive(Clone, Debug, PartialEq)]
pub struct Record<T> {
    pub data: T,
    /// A local edit waits for transfer.
    pub pending: bool,
    pub version: u64,
    pub updated_at: String,
}

/// One topic as a `<select>` offers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicChoice {
    pub id: String,
    pub slug: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Records {
    pub topics: BTreeMap<String, Record<Topic>>,
    pub lotsen: BTreeMap<String, Record<Lotse>>,
    pub requests: BTreeMap<String, Record<Request>>,
    pub notes: BTreeMap<String, Record<Note>>,
    pub events: BTreeMap<String, Record<Event>>,
    /// Only the Projektbüro receives applications; a colleague's own stays until it is sent.
    pub applications: BTreeMap<String, Record<Application>>,
}

fn put<T: DeserializeOwned>(map: &mut BTreeMap<String, Record<T>>, view: &LocalRecord) {
    if view.env.deleted {
        map.remove(&view.env.id);
        return;
    }
    // A record this version of the app cannot read is left out rather than shown wrongly.
    if let Ok(data) = T::deserialize(&view.env.data) {
        map.insert(
            view.env.id.clone(),
            Record {
                data,
                pending: view.pending,
                version: view.env.version,
                updated_at: view.env.updated_at.clone(),
            },
        );
    }
}

impl Records {
    /// Applies a change (`Change::changes_search` tells whether the search index must follow).
    pub fn apply(&mut self, change: &Change) {
        let (collection, id) = match change {
            Change::Put(view) => (view.env.collection.as_str(), view.env.id.as_str()),
            Change::Remove { collection, id } => (collection.as_str(), id.as_str()),
        };
        let Some(collection) = Collection::parse(collection) else {
            return;
        };
        match (collection, change) {
            (Collection::Topics, Change::Put(v)) => put(&mut self.topics, v),
            (Collection::Lotsen, Change::Put(v)) => put(&mut self.lotsen, v),
            (Collection::Requests, Change::Put(v)) => put(&mut self.requests, v),
            (Collection::Notes, Change::Put(v)) => put(&mut self.notes, v),
            (Collection::Events, Change::Put(v)) => put(&mut self.events, v),
            (Collection::Topics, Change::Remove { .. }) => drop(self.topics.remove(id)),
            (Collection::Lotsen, Change::Remove { .. }) => drop(self.lotsen.remove(id)),
            (Collection::Requests, Change::Remove { .. }) => drop(self.requests.remove(id)),
            (Collection::Notes, Change::Remove { .. }) => drop(self.notes.remove(id)),
            (Collection::Events, Change::Remove { .. }) => drop(self.events.remove(id)),
            (Collection::Applications, Change::Put(v)) => put(&mut self.applications, v),
            (Collection::Applications, Change::Remove { .. }) => drop(self.applications.remove(id)),
        }
    }

    /// Takes in the records of `other` (read apart, see [`read_data`]).
    pub fn absorb(&mut self, other: Records) {
        self.topics.extend(other.topics);
        self.lotsen.extend(other.lotsen);
        self.requests.extend(other.requests);
        self.notes.extend(other.notes);
        self.events.extend(other.events);
        self.applications.extend(other.applications);
    }

    pub fn index(&self) -> Index {
        Index::build(
            self.topics.iter().map(|(id, t)| (id.as_str(), &t.data)),
            self.lotsen.iter().map(|(id, l)| (id.as_str(), &l.data)),
        )
    }

    /// A record's data as JSON, as an edit sends it.
    pub fn json(&self, collection: Collection, id: &str) -> Option<Value> {
        fn of<T: serde::Serialize>(map: &BTreeMap<String, Record<T>>, id: &str) -> Option<Value> {
            map.get(id).and_then(|r| serde_json::to_value(&r.data).ok())
        }
        match collection {
            Collection::Topics => of(&self.topics, id),
            Collection::Lotsen => of(&self.lotsen, id),
            Collection::Requests => of(&self.requests, id),
            Collection::Notes => of(&self.notes, id),
            Collection::Events => of(&self.events, id),
            Collection::Applications => of(&self.applications, id),
        }
    }

    /// How many active Lotsen name each topic among their skills, in one pass over the Lotsen
    /// (per topic, it would be topics × Lotsen at every change).
    pub fn active_helpers(&self) -> std::collections::HashMap<String, usize> {
        let mut counts = std::collections::HashMap::new();
        for l in self.lotsen.values().filter(|l| l.data.active) {
            for s in &l.data.skills {
                *counts.entry(s.topic.clone()).or_insert(0) += 1;
            }
        }
        counts
    }

    pub fn topic_by_slug(&self, slug: &str) -> Option<(&String, &Topic)> {
        self.topics
            .iter()
            .find(|(_, t)| t.data.slug == slug)
            .map(|(id, t)| (id, &t.data))
    }

    pub fn topic_name(&self, id: &str) -> Option<&str> {
        self.topics.get(id).map(|t| t.data.name.as_str())
    }

    /// The departments of the active Lotsen, for suggestions and the `bereich` filter.
    pub fn departments(&self) -> Vec<String> {
        // Each name once before sorting: 2,000 Lotsen are two dozen departments, and the sort
        // key (folding) is made once per name, not at every comparison.
        let mut d: Vec<String> = self
            .lotsen
            .values()
            .filter(|l| l.data.active)
            .map(|l| l.data.department.trim())
            .filter(|d| !d.is_empty())
            .collect::<std::collections::BTreeSet<&str>>()
            .into_iter()
            .map(str::to_owned)
            .collect();
        d.sort_by_cached_key(|s| lotsen_domain::normalize::fold(s));
        d
    }

    /// Every topic as (id, slug, name), sorted by name as people read it — the choices of a
    /// topic `<select>`.
    pub fn topic_choices(&self) -> Vec<TopicChoice> {
        let mut list: Vec<TopicChoice> = self
            .topics
            .iter()
            .map(|(id, t)| TopicChoice {
                id: id.clone(),
                slug: t.data.slug.clone(),
                name: t.data.name.clone(),
            })
            .collect();
        list.sort_by_cached_key(|t| lotsen_domain::normalize::fold(&t.name));
        list
    }

    /// Topics sorted by category, then name, both folded as people read them ("Öffentlich"
    /// beside "Office", not after "Zusammenarbeit"): the order of the matrix and its CSV too.
    pub fn topics_by_category(&self) -> Vec<(String, Vec<(String, Topic)>)> {
        let mut groups: BTreeMap<String, Vec<(String, Topic)>> = BTreeMap::new();
        for (id, t) in &self.topics {
            groups
                .entry(t.data.category.clone())
                .or_default()
                .push((id.clone(), t.data.clone()));
        }
        for list in groups.values_mut() {
            list.sort_by_cached_key(|(_, t)| lotsen_domain::normalize::fold(&t.name));
        }
        let mut out: Vec<_> = groups.into_iter().collect();
        out.sort_by_cached_key(|(category, _)| lotsen_domain::normalize::fold(category));
        out
    }
}

impl Records {
    /// The server's validation of a record against what this device holds: the canonical
    /// data, or every problem in the order of the form (`validate_all`).
    pub fn validate(
        &self,
        collection: Collection,
        id: &str,
        data: &Value,
    ) -> Result<Value, Vec<FieldError>> {
        match validate_all(collection, id, data, self) {
            Ok(verdict) => verdict,
            Err(never) => match never {},
        }
    }
}

impl Refs for Records {
    type Error = std::convert::Infallible;
    fn topic_exists(&self, id: &str) -> Result<bool, Self::Error> {
        Ok(self.topics.contains_key(id))
    }
    fn lotse_exists(&self, id: &str) -> Result<bool, Self::Error> {
        Ok(self.lotsen.contains_key(id))
    }
    fn lotse_active(&self, id: &str) -> Result<bool, Self::Error> {
        Ok(self.lotsen.get(id).is_some_and(|l| l.data.active))
    }
    fn request_exists(&self, id: &str) -> Result<bool, Self::Error> {
        Ok(self.requests.contains_key(id))
    }
    fn slug_taken(&self, slug: &str, except_id: &str) -> Result<bool, Self::Error> {
        Ok(self
            .topics
            .iter()
            .any(|(id, t)| id != except_id && t.data.slug == slug))
    }
}

/// Records parsed between two yields to the browser while reading: a few milliseconds each.
const READ_SLICE: usize = 500;

/// Reads the records of `collections` from IndexedDB, parsing them in slices with a pause for
/// the browser between slices: a device holding 12,000 records (a Lotse's, the Büro's) would
/// otherwise block the page for a tenth of a second at every start and reload. A record this
/// version cannot read is left out (see `put`).
pub async fn read_data(store: &Store, collections: &[Collection]) -> Result<Records, StoreError> {
    let raw = store.raw_records(collections).await?;
    let mut data = Records::default();
    for (i, slice) in raw.chunks(READ_SLICE).enumerate() {
        if i > 0 {
            crate::clock::sleep(0).await;
        }
        for s in slice {
            if let Ok(view) = serde_json::from_str::<LocalRecord>(s) {
                data.apply(&Change::Put(view));
            }
        }
    }
    Ok(data)
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncStatus {
    pub online: bool,
    pub running: bool,
    pub pending: usize,
    /// ms since the epoch.
    pub last_sync: Option<f64>,
    pub error: Option<String>,
}

/// What the screens read and what runs behind them, handed to every component as one context
/// (`components::state()`): the reactive data, the services, and the control of the sync.
#[derive(Clone, Copy)]
pub struct AppState {
    pub data: RwSignal<Records>,
    pub index: RwSignal<Arc<Index>>,
    pub sync: RwSignal<SyncStatus>,
    pub conflicts: RwSignal<Vec<Conflict>>,
    /// The local database has been read (before that, an empty result means nothing).
    pub loaded: RwSignal<bool>,
    /// Topics, Lotsen and events have been read: the directory screens can show, while
    /// requests and notes are still being read back.
    pub directory: RwSignal<bool>,
    /// The logged-in user (None: anonymous), as this device last knew it.
    pub user: RwSignal<Option<SessionUser>>,
    /// The ids of the requests created on this device.
    pub own_requests: RwSignal<Vec<String>>,
    pub services: Services,
    pub control: SyncControl,
}

/// The local database and the server, once the app has started (none before, or when the
/// browser allows no local storage).
#[derive(Clone, Copy)]
pub struct Services {
    pub store: StoredValue<Option<Rc<Store>>, LocalStorage>,
    pub api: StoredValue<Option<Rc<Api>>, LocalStorage>,
}

/// How the sync loop is steered: woken, led by one tab, told of a switch of user.
#[derive(Clone, Copy)]
pub struct SyncControl {
    /// Wakes the sync loop of this tab.
    pub trigger: StoredValue<Option<UnboundedSender<()>>, LocalStorage>,
    /// This tab runs the sync loop (it holds the Web Lock); the others ask it by message.
    pub leader: StoredValue<bool>,
    /// A login or logout waiting to be applied by the sync loop, between two runs.
    pub session_change: StoredValue<Option<Option<SessionUser>>>,
}

impl AppState {
    pub fn new() -> AppState {
        let online = web_sys::window()
            .map(|w| w.navigator().on_line())
            .unwrap_or(true);
        AppState {
            data: RwSignal::new(Records::default()),
            index: RwSignal::new(Arc::new(Index::default())),
            sync: RwSignal::new(SyncStatus {
                online,
                ..SyncStatus::default()
            }),
            conflicts: RwSignal::new(Vec::new()),
            loaded: RwSignal::new(false),
            directory: RwSignal::new(false),
            user: RwSignal::new(None),
            own_requests: RwSignal::new(Vec::new()),
            services: Services {
                store: StoredValue::new_local(None),
                api: StoredValue::new_local(None),
            },
            control: SyncControl {
                trigger: StoredValue::new_local(None),
                leader: StoredValue::new(false),
                session_change: StoredValue::new(None),
            },
        }
    }

    /// Who the app acts as, for what the screens offer (the server decides what counts).
    pub fn actor(&self) -> Actor {
        self.user
            .with(|u| u.as_ref().map_or(Actor::Anonymous, SessionUser::actor))
    }

    /// Applies changes this tab wrote and tells the other tabs which records to re-read.
    pub fn apply_and_share(&self, changes: &[Change]) {
        self.apply(changes);
        if changes.is_empty() {
            return;
        }
        // Beyond a few hundred records, re-reading everything is cheaper than naming each.
        if changes.len() > 300 {
            tabs::post(&TabMessage::Reload);
            return;
        }
        let keys = changes
            .iter()
            .map(|c| match c {
                Change::Put(v) => v.key(),
                Change::Remove { collection, id } => crate::store::key(collection, id),
            })
            .collect();
        tabs::post(&TabMessage::Changed { keys });
    }

    /// Reads what the device holds into the state: at start-up, and again after a switch of
    /// user or when another tab changed much. On the first load the directory is shown as soon
    /// as it is read, since a bookmarked search needs nothing else (at city scale a Lotse's
    /// device also holds 10,000 requests); later loads replace what is shown in one step, so no
    /// screen flickers to a half-read state.
    pub async fn load(&self, store: &Store) -> Result<(), StoreError> {
        let first = !self.directory.get_untracked();
        // Who is logged in first: the header and the screens for Lotsen and the Büro must not
        // show the anonymous view while the records are read.
        self.user.set(store.user().await.ok().flatten());
        let mut failed = None;
        let mut data = read_data(store, &Collection::DIRECTORY)
            .await
            .unwrap_or_else(|e| {
                failed = Some(e);
                Records::default()
            });
        if first {
            self.index.set(Arc::new(data.index()));
            self.data.set(data);
            self.directory.set(true);
            data = Records::default();
        }
        match read_data(store, &Collection::PRIVATE).await {
            Ok(private) => data.absorb(private),
            Err(e) => failed = Some(e),
        }
        if first {
            // Nothing else writes the state before the first load ends (no sync, no edits,
            // no other tab's messages yet), so the rest joins what is shown in one step.
            self.data.update(|d| d.absorb(data));
        } else {
            self.index.set(Arc::new(data.index()));
            self.data.set(data);
        }
        self.conflicts
            .set(store.conflicts().await.unwrap_or_default());
        let last_sync = store
            .meta(META_LAST_SYNC)
            .await
            .ok()
            .flatten()
            .and_then(|s| s.parse().ok());
        self.sync.update(|s| s.last_sync = last_sync);
        self.refresh_outbox(store).await;
        failed.map_or(Ok(()), Err)
    }

    /// Re-reads everything from IndexedDB (after a login or logout, or another tab's).
    pub async fn reload(&self) {
        let Some(store) = self.services.store.get_value() else {
            return;
        };
        if let Err(e) = self.load(&store).await {
            self.sync.update(|s| s.error = Some(e.to_string()));
        }
    }

    /// Re-reads the own requests and how many edits wait in the outbox (the sync bar's
    /// count), after an edit, a sync run or another tab's change may have changed them.
    pub async fn refresh_outbox(&self, store: &Store) {
        if let Ok(own) = store.own_requests().await {
            self.own_requests.set(own);
        }
        let pending = store.pending_count().await.unwrap_or(0);
        self.sync.update(|s| s.pending = pending);
    }

    pub fn apply(&self, changes: &[Change]) {
        if changes.is_empty() {
            return;
        }
        self.data.update(|d| {
            for c in changes {
                d.apply(c);
            }
        });
        if changes.iter().any(Change::changes_search) {
            self.index
                .set(Arc::new(self.data.with_untracked(Records::index)));
        }
    }

    /// Asks the sync loop to run now, in this tab or in the one that syncs.
    pub fn sync_now(&self) {
        if !self.control.leader.get_value() {
            tabs::post(&TabMessage::SyncNow);
            return;
        }
        self.control.trigger.with_value(|t| {
            if let Some(t) = t {
                let _ = t.unbounded_send(());
            }
        });
    }

    /// Stores a local edit (record and outbox entry together), shows it, and starts a sync.
    pub async fn edit(
        &self,
        collection: Collection,
        id: &str,
        data: Value,
        deleted: bool,
    ) -> Result<(), String> {
        let store = self
            .services
            .store
            .get_value()
            .ok_or("Der lokale Speicher ist noch nicht bereit.")?;
        let view = store
            .local_edit(collection, id, data, deleted)
            .await
            .map_err(|e| e.to_string())?;
        self.apply_and_share(&[Change::Put(view)]);
        self.refresh_outbox(&store).await;
        self.sync_now();
        Ok(())
    }
}

impl Default for AppState {
    fn default() -> Self {
        AppState::new()
    }
}
