//! Several tabs of one browser (SPEC §6): one tab syncs at a time, the others learn of every
//! change within moments.
//!
//! - The tab that holds the Web Lock `lotsenfinder-sync` runs the sync loop. When it is closed,
//!   the browser hands the lock to the next waiting tab, which starts syncing.
//! - Every tab writes its own edits to IndexedDB and tells the others on the BroadcastChannel
//!   `lotsenfinder` which records to re-read; the syncing tab does the same after each push and
//!   pull, and shares its status. Logins and logouts are applied by the syncing tab only, so
//!   that no pull under the old login can write after the switch.

use std::cell::RefCell;

use leptos::prelude::*;
use leptos::task::spawn_local;
use lotsen_domain::protocol::SessionUser;
use serde::{Deserialize, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent};

use crate::state::AppState;
use crate::store::Change;

const CHANNEL: &str = "lotsenfinder";
const LOCK: &str = "lotsenfinder-sync";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t")]
pub enum TabMessage {
    /// These records (`collection/id`) changed in IndexedDB.
    Changed { keys: Vec<String> },
    /// Much changed, or the user: re-read everything.
    Reload,
    /// A tab made an edit: the syncing tab should push it now.
    SyncNow,
    /// A tab logged in or out: the syncing tab switches the device.
    SwitchUser { user: Option<SessionUser> },
    /// The syncing tab's status, for the sync bar of the others.
    Status {
        online: bool,
        running: bool,
        pending: usize,
        last_sync: Option<f64>,
        error: Option<String>,
    },
    /// The kept conflicts changed.
    Conflicts,
}

thread_local! {
    static OPEN: RefCell<Option<BroadcastChannel>> = const { RefCell::new(None) };
}

/// Tells the other tabs (a tab does not receive its own messages).
pub fn post(message: &TabMessage) {
    let Ok(text) = serde_json::to_string(message) else {
        return;
    };
    OPEN.with(|c| {
        if let Some(channel) = c.borrow().as_ref() {
            let _ = channel.post_message(&JsValue::from_str(&text));
        }
    });
}

/// Opens the channel and handles what the other tabs say. Without BroadcastChannel (very old
/// browsers) each tab stays on its own, which is still correct, only not live.
pub fn listen(state: AppState) {
    let Ok(channel) = BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
        let Some(text) = ev.data().as_string() else {
            return;
        };
        if let Ok(message) = serde_json::from_str::<TabMessage>(&text) {
            spawn_local(handle(state, message));
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // Lives as long as the page.
    on_message.forget();
    OPEN.with(|c| *c.borrow_mut() = Some(channel));
}

async fn handle(state: AppState, message: TabMessage) {
    let leader = state.leader.get_value();
    let Some(store) = state.store.get_value() else {
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
            if let Ok(own) = store.own_requests().await {
                state.own.set(own);
            }
            let pending = store.pending_count().await.unwrap_or(0);
            state.sync.update(|s| s.pending = pending);
        }
        TabMessage::Reload => state.reload().await,
        TabMessage::SyncNow if leader => state.sync_now(),
        TabMessage::SwitchUser { user } if leader => {
            state.session_change.set_value(Some(user));
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
pub fn share_status(state: &AppState) {
    let s = state.sync.get_untracked();
    post(&TabMessage::Status {
        online: s.online,
        running: s.running,
        pending: s.pending,
        last_sync: s.last_sync,
        error: s.error,
    });
}

/// Runs `work` once this tab holds the sync lock, which it then keeps while `work` runs (the
/// sync loop never ends, so: until the tab is closed). Without Web Locks, at once.
pub fn when_leader<F>(work: F)
where
    F: std::future::Future<Output = ()> + 'static,
{
    let locks = web_sys::window()
        .map(|w| w.navigator())
        .and_then(|n| js_sys::Reflect::get(&n, &"locks".into()).ok())
        .filter(|l| l.is_object());
    let request = locks.as_ref().and_then(|l| {
        js_sys::Reflect::get(l, &"request".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()
    });
    let (Some(locks), Some(request)) = (locks, request) else {
        spawn_local(work);
        return;
    };
    // If the browser refuses the request (a sandboxed frame, a policy), this tab must still
    // sync: the work is taken by whichever comes first, the lock or the refusal.
    let work = std::rc::Rc::new(RefCell::new(Some(work)));
    let for_lock = work.clone();
    let granted = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        let work = for_lock.borrow_mut().take();
        wasm_bindgen_futures::future_to_promise(async move {
            if let Some(work) = work {
                work.await;
            }
            Ok(JsValue::UNDEFINED)
        })
        .into()
    });
    let run_here = move || {
        if let Some(work) = work.borrow_mut().take() {
            web_sys::console::warn_1(
                &"Web Lock nicht verfügbar; dieser Tab gleicht selbst ab".into(),
            );
            spawn_local(work);
        }
    };
    match request.call2(&locks, &JsValue::from_str(LOCK), &granted) {
        // The promise settles when the lock is released (never while the tab lives), or is
        // rejected when the browser refuses the lock.
        Ok(promise) => match promise.dyn_into::<js_sys::Promise>() {
            Ok(promise) => spawn_local(async move {
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_err() {
                    run_here();
                }
            }),
            Err(_) => run_here(),
        },
        Err(_) => run_here(),
    }
}
