//! Leaving a login: every screen's header offers it, in both parts of the app (the public
//! screens and the screens of Lotsen and the Projektbüro).

use leptos::prelude::*;

use crate::state::AppState;
use crate::store::META_LOGOUT_PENDING;

/// Logs out: ends the session on the server (or later, if offline) and has the device cleared
/// of everything only the login could see. Returns false if the user chose to stay.
pub async fn logout(state: AppState) -> bool {
    let (Some(store), Some(api)) = (state.store.get_value(), state.api.get_value()) else {
        return false;
    };
    let lost = store.private_outbox().await.unwrap_or(0);
    if lost > 0 {
        let question = match lost {
            1 => "Eine Änderung ist noch nicht übertragen. Wenn Sie sich jetzt abmelden, geht sie verloren. Trotzdem abmelden?".to_owned(),
            n => format!("{n} Änderungen sind noch nicht übertragen. Wenn Sie sich jetzt abmelden, gehen sie verloren. Trotzdem abmelden?"),
        };
        let confirmed = web_sys::window()
            .and_then(|w| w.confirm_with_message(&question).ok())
            .unwrap_or(false);
        if !confirmed {
            return false;
        }
    }
    if api.logout().await.is_err() {
        // Offline: the sync loop ends the session before it sends anything else.
        let _ = store.set_meta(META_LOGOUT_PENDING, "1").await;
    }
    crate::drafts::clear_private();
    state.user.set(None);
    state.switch_user(None);
    true
}
