//! What a user types is kept in `localStorage` while they type, so that closing the tab, a
//! crash or a reload loses nothing; a form reads it back when it opens and removes it once the
//! edit is saved. Small settings (the search's "Mein Bereich") use the same text helpers.
//! Without storage (a locked-down browser) the form still works, only without
//! that safety net.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Drafts that may hold what only a login could see (notes on requests, a Lotse's profile):
/// a logout removes them with [`clear_private`].
pub const PRIVATE_PREFIX: &str = "lotsenfinder.privat.";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The draft under `key`, if there is one and it still reads as a `T` (a draft of an older
/// version of the form that no longer fits is ignored, not an error).
pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    serde_json::from_str(&load_text(key)?).ok()
}

pub fn save<T: Serialize>(key: &str, draft: &T) {
    if let Ok(json) = serde_json::to_string(draft) {
        save_text(key, &json);
    }
}

pub fn load_text(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

pub fn save_text(key: &str, text: &str) {
    if let Some(s) = storage() {
        // A full or refused storage keeps only the safety net from working; the form goes on.
        let _ = s.set_item(key, text);
    }
}

pub fn clear(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// Removes every draft under [`PRIVATE_PREFIX`].
pub fn clear_private() {
    let Some(storage) = storage() else {
        return;
    };
    let keys: Vec<String> = (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(PRIVATE_PREFIX))
        .collect();
    for k in keys {
        let _ = storage.remove_item(&k);
    }
}
