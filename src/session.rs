//! The session of the device's user: login, logout, the check with the server, and the switch
//! of the device from one user to another. The screens ask for a login or logout here; the
//! switch itself is carried out by the syncing tab between two sync runs
//! (`switch` via `ask_switch`), so that no pull under the old login writes after it. What a
//! device keeps on a switch is `lotsen_domain::logout`.

use leptos::prelude::*;
use lotsen_domain::protocol::SessionUser;

use crate::api::{Api, FetchError};
use crate::state::AppState;
use crate::store::{Store, StoreError, META_LOGOUT_PENDING};
use crate::tabs::{self, TabMessage};

/// Logs in and has the device switched to the user.
pub async fn login(
    state: AppState,
    username: &str,
    password: &str,
) -> Result<SessionUser, FetchError> {
    let api = state
        .services
        .api
        .get_value()
        .ok_or_else(FetchError::not_ready)?;
    let user = api.login(username, password).await?;
    if let Some(store) = state.services.store.get_value() {
        // A logout made offline is overtaken by this login.
        let _ = store.delete_meta(META_LOGOUT_PENDING).await;
    }
    state.user.set(Some(user.clone()));
    ask_switch(state, Some(user.clone()));
    Ok(user)
}

/// Logs out: ends the session on the server (or later, if offline) and has the device cleared
/// of everything only the login could see. Returns false if the user chose to stay.
pub async fn logout(state: AppState) -> bool {
    let (Some(store), Some(api)) = (
        state.services.store.get_value(),
        state.services.api.get_value(),
    ) else {
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
    ask_switch(state, None);
    true
}

/// Asks the syncing tab to switch the device to `user` (a login, a logout); it applies the
/// switch between two runs, so that no pull made under the old login writes after it.
fn ask_switch(state: AppState, user: Option<SessionUser>) {
    if state.control.leader.get_value() {
        state.control.session_change.set_value(Some(user));
        state.sync_now();
    } else {
        tabs::post(&TabMessage::SwitchUser { user });
    }
}

/// Asks the server who this browser is logged in as, and switches the device if that is not
/// who it thought (an expired session, a login in another tab). Offline, nothing changes.
pub async fn check(state: &AppState, api: &Api) {
    if let Ok(user) = api.session().await {
        // A switch the user asked for meanwhile comes first; an equal user changes nothing.
        state.control.session_change.update_value(|pending| {
            if pending.is_none() {
                *pending = Some(user);
            }
        });
    }
}

/// Switches the device to `user`: leaving a login clears what only it could see (SPEC §6);
/// the next pull starts from the start.
pub async fn switch(
    state: &AppState,
    store: &Store,
    user: Option<SessionUser>,
) -> Result<(), StoreError> {
    // The store, not the screen, knows who the device holds data for: the login screen shows
    // the new user before the switch is done.
    let before = store.user().await?;
    if before == user {
        return Ok(());
    }
    store.switch_user(user.as_ref(), before.is_some()).await?;
    state.reload().await;
    tabs::post(&TabMessage::Reload);
    Ok(())
}
