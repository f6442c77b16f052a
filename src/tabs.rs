//! Several tabs of one browser (SPEC §6): one tab syncs at a time, the others learn of every
//! change within moments.
//!
//! - The tab that holds the Web Lock `lotsenfinder-sync` runs the sync loop. When it is closed,
//!   the browser hands the lock to the next waiting tab, which starts syncing.
//! - Every tab writes its own edits to IndexedDB and tells the others on the BroadcastChannel
//!   `lotsenfinder` which records to re-read; the syncing tab does the same after each push and
//!   pull, and shares its status. Logins and logouts are applied by the syncing tab only, so
//!   that no pull under the old login can write after the switch.
//!
//! This module only carries the messages and the lock; what a message does is decided by the
//! sync (`sync::from_other_tab`).

use std::cell::RefCell;

use leptos::task::spawn_local;
use lotsen_domain::protocol::SessionUser;
use serde::{Deserialize, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent};

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

/// Opens the channel and hands every message of the other tabs to `receive` (what a message
/// does is decided there, by the sync). Without BroadcastChannel (very old browsers) each tab
/// stays on its own, which is still correct, only not live.
pub fn listen(receive: impl Fn(TabMessage) + 'static) {
    let Ok(channel) = BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
        let Some(text) = ev.data().as_string() else {
            return;
        };
        if let Ok(message) = serde_json::from_str::<TabMessage>(&text) {
            receive(message);
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // Lives as long as the page.
    on_message.forget();
    OPEN.with(|c| *c.borrow_mut() = Some(channel));
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
