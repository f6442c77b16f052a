//! The sync loop (SPEC §6–7): push the outbox, then pull pages until `has_more` is false. Runs at
//! start, on every local edit, when the browser comes back online, on the button, and every
//! 30 seconds; after a failure it retries with growing pauses.

use std::rc::Rc;

use futures::channel::mpsc::UnboundedReceiver;
use futures::{FutureExt, StreamExt};
use leptos::prelude::*;

use crate::api::{Api, FetchError};
use crate::session;
use crate::state::AppState;
use crate::store::{Change, Store, StoreError, META_CURSOR, META_LAST_SYNC, META_LOGOUT_PENDING};
use crate::tabs::{self, TabMessage};

const PAGE: u32 = 1000;
const IDLE_MS: i32 = 30_000;
const MAX_BACKOFF_MS: i32 = 60_000;
/// Merged edits are pushed again; this bounds how often one sync run tries.
const MAX_PUSH_ROUNDS: usize = 5;
/// A push body stays below this size (the server takes up to 1 MiB; a record is at most 64 KiB).
const MAX_PUSH_BYTES: usize = 768 * 1024;

#[derive(Debug)]
pub enum SyncError {
    Fetch(FetchError),
    Store(StoreError),
}

impl From<FetchError> for SyncError {
    fn from(e: FetchError) -> Self {
        SyncError::Fetch(e)
    }
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> Self {
        SyncError::Store(e)
    }
}

pub async fn run(state: AppState, store: Rc<Store>, api: Rc<Api>, mut wake: UnboundedReceiver<()>) {
    let mut failures: u32 = 0;
    // The session may have ended while the app was closed (timeouts), or begun in another tab.
    session::check(&state, &api).await;
    loop {
        if let Some(user) = state
            .control
            .session_change
            .try_update_value(Option::take)
            .flatten()
        {
            if let Err(e) = session::switch(&state, &store, user).await {
                state.sync.update(|s| s.error = Some(e.to_string()));
            }
        }
        state.sync.update(|s| s.running = true);
        share_status(&state);
        let outcome = sync_once(&state, &store, &api).await;
        let wait = match outcome {
            Ok(()) => {
                failures = 0;
                let now = js_sys::Date::now();
                let _ = store.set_meta(META_LAST_SYNC, &now.to_string()).await;
                state.sync.update(|s| {
                    s.online = true;
                    s.error = None;
                    s.last_sync = Some(now);
                });
                IDLE_MS
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                state.sync.update(|s| match &e {
                    SyncError::Fetch(FetchError::Network) => {
                        s.online = false;
                        s.error = None;
                    }
                    SyncError::Fetch(other) => {
                        s.online = true;
                        s.error = Some(other.to_string());
                    }
                    SyncError::Store(other) => s.error = Some(other.to_string()),
                });
                (1_000i32.saturating_mul(1 << failures.min(6))).min(MAX_BACKOFF_MS)
            }
        };
        state.refresh_outbox(&store).await;
        state.sync.update(|s| s.running = false);
        share_status(&state);
        if state.control.session_change.with_value(Option::is_some) {
            continue;
        }
        futures::select! {
            _ = wake.next().fuse() => {},
            _ = crate::clock::sleep(wait).fuse() => {},
        }
        // Several wake-ups while we were busy need one run, not several.
        while wake.try_recv().is_ok() {}
    }
}

/// What a message of another tab does here. Only the syncing tab (the leader) runs syncs and
/// switches users; every tab follows the changes and the leader's status.
pub async fn from_other_tab(state: AppState, message: TabMessage) {
    let leader = state.control.leader.get_value();
    let Some(store) = state.services.store.get_value() else {
        return;
    };
    match message {
        TabMessage::Changed { keys } => {
            let Ok(views) = store.views(&keys).await else {
                state.reload().await;
                return;
            };
            let changes: Vec<Change> = views
                .into_iter()
                .filter_map(|(k, v)| match v {
                    Some(v) => Some(Change::Put(v)),
                    None => k.split_once('/').map(|(collection, id)| Change::Remove {
                        collection: collection.to_owned(),
                        id: id.to_owned(),
                    }),
                })
                .collect();
            state.apply(&changes);
            state.refresh_outbox(&store).await;
        }
        TabMessage::Reload => state.reload().await,
        TabMessage::SyncNow if leader => state.sync_now(),
        TabMessage::SwitchUser { user } if leader => {
            state.control.session_change.set_value(Some(user));
            state.sync_now();
        }
        TabMessage::Status {
            online,
            running,
            pending,
            last_sync,
            error,
        } if !leader => state.sync.update(|s| {
            s.online = online;
            s.running = running;
            s.pending = pending;
            s.last_sync = last_sync;
            s.error = error;
        }),
        TabMessage::Conflicts => {
            if let Ok(c) = store.conflicts().await {
                state.conflicts.set(c);
            }
        }
        _ => {}
    }
}

/// Shares the syncing tab's status with the others.
fn share_status(state: &AppState) {
    let s = state.sync.get_untracked();
    tabs::post(&TabMessage::Status {
        online: s.online,
        running: s.running,
        pending: s.pending,
        last_sync: s.last_sync,
        error: s.error,
    });
}

async fn sync_once(state: &AppState, store: &Store, api: &Api) -> Result<(), SyncError> {
    // A logout made offline: the session must end before anything else is sent with it.
    if store.meta(META_LOGOUT_PENDING).await?.is_some() {
        api.logout().await?;
        store.delete_meta(META_LOGOUT_PENDING).await?;
    }
    // A push the server refuses as a whole (a 4xx) must not stop the pull: the user still gets
    // everything new, and sees the error. Only an unreachable server ends the run here.
    let pushed = push(state, store, api).await;
    if let Err(SyncError::Fetch(FetchError::Network)) = pushed {
        return pushed;
    }
    // Requests and notes a page brings are shown once at the end (or on failure, as far as it
    // got): every update of the state re-renders the open screen, and a Lotse's first sync has
    // many pages. The directory is shown page by page, so that a first search has results
    // from the first page on.
    let mut pulled = Vec::new();
    let outcome = pull(state, store, api, &mut pulled).await;
    state.apply_and_share(&pulled);
    if let Ok(true) = outcome {
        // What we may see changed on the server's side: perhaps the session ended.
        session::check(state, api).await;
    }
    pushed.and(outcome.map(drop))
}

async fn push(state: &AppState, store: &Store, api: &Api) -> Result<(), SyncError> {
    for _ in 0..MAX_PUSH_ROUNDS {
        let outbox = store.outbox().await?;
        if outbox.is_empty() {
            break;
        }
        // At most 100 mutations, and well below the server's 1 MiB body limit: a hundred
        // long descriptions typed offline would otherwise be refused as a whole, forever.
        let mut batch = Vec::new();
        let mut bytes = 0;
        for entry in outbox
            .into_iter()
            .take(lotsen_domain::protocol::MAX_MUTATIONS)
        {
            let size = entry.data.to_string().len() + 300;
            if !batch.is_empty() && bytes + size > MAX_PUSH_BYTES {
                break;
            }
            bytes += size;
            batch.push(entry);
        }
        let response = api
            .push(batch.iter().map(|e| e.mutation()).collect())
            .await?;
        if response.results.len() != batch.len() {
            return Err(FetchError::Invalid("Anzahl der Ergebnisse passt nicht".into()).into());
        }
        let changes = store.apply_push(&batch, &response.results).await?;
        state.apply_and_share(&changes);
        if let Ok(c) = store.conflicts().await {
            if c != state.conflicts.get_untracked() {
                state.conflicts.set(c);
                tabs::post(&TabMessage::Conflicts);
            }
        }
    }
    Ok(())
}

/// Pulls until the server has nothing more; returns whether the server demanded a pull from
/// the start (410).
async fn pull(
    state: &AppState,
    store: &Store,
    api: &Api,
    pulled: &mut Vec<Change>,
) -> Result<bool, SyncError> {
    let cursor = store.meta(META_CURSOR).await?;
    // From the start (first sync, or after a switch of user) the pull replaces what is held.
    let mut restart = cursor.is_none();
    let mut was_reset = false;
    let mut next = api.changes(cursor.as_deref(), PAGE).await;
    loop {
        match next {
            Ok(page) => {
                // While one page is written to IndexedDB, the next is already on its way.
                let (applied, following) = if page.has_more {
                    let (applied, following) = futures::join!(
                        store.apply_pull(&page, restart),
                        api.changes(Some(&page.cursor), PAGE)
                    );
                    (applied, Some(following))
                } else {
                    (store.apply_pull(&page, restart).await, None)
                };
                let (directory, rest): (Vec<Change>, Vec<Change>) =
                    applied?.into_iter().partition(is_directory);
                state.apply_and_share(&directory);
                pulled.extend(rest);
                restart = false;
                match following {
                    Some(f) => next = f,
                    None => return Ok(was_reset),
                }
            }
            // The server was reset or restored, or our login changed: pull everything again,
            // keep the outbox.
            Err(e) if e.is_reset() && !was_reset => {
                restart = true;
                was_reset = true;
                next = api.changes(None, PAGE).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn is_directory(change: &Change) -> bool {
    let collection = match change {
        Change::Put(view) => view.env.collection.as_str(),
        Change::Remove { collection, .. } => collection.as_str(),
    };
    lotsen_domain::Collection::parse(collection)
        .is_some_and(|c| lotsen_domain::Collection::DIRECTORY.contains(&c))
}
