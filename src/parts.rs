//! The two parts of the app (see `lotsen_domain::routes`): the public build, which a first
//! visit loads, and the staff build with the screens of Lotsen and the Projektbüro, which the
//! service worker fetches in the background and keeps. A link from the public part to a staff
//! screen loads the staff part in its place (the server and the service worker answer that
//! path with `staff.html`); the staff part holds every screen, so from there on the app stays
//! in it.

use leptos::prelude::*;

/// Remembers, for this tab, the staff screen the public part has handed over: if the public
/// part comes back for it, the staff part could not be loaded, and the user is told instead of
/// being sent round in circles.
const HANDED_OVER: &str = "lotsenfinder.teil";

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Called at start by the staff part: it has been loaded.
pub fn staff_part_started() {
    if let Some(s) = session_storage() {
        let _ = s.remove_item(HANDED_OVER);
    }
}

/// In the public part, a staff screen: its address is loaded in full, which brings the staff
/// part. If that brought the public part back, a German message and a way to try again.
#[component]
pub fn StaffPart() -> impl IntoView {
    hand_over().unwrap_or_else(|| view! { <crate::pages::NotFound/> }.into_any())
}

fn hand_over() -> Option<AnyView> {
    // The router's location: on a link, the screen is chosen before the address bar changes.
    let routed = leptos_router::hooks::use_location();
    let path = routed.pathname.get_untracked();
    if !lotsen_domain::routes::is_staff_path(&path) {
        return None;
    }
    let location = web_sys::window()?.location();
    let search = routed.search.get_untracked();
    let href = format!(
        "{}{path}{}{search}{}",
        location.origin().ok()?,
        if search.is_empty() { "" } else { "?" },
        routed.hash.get_untracked()
    );
    let storage = session_storage();
    let tried = storage
        .as_ref()
        .and_then(|s| s.get_item(HANDED_OVER).ok().flatten())
        .is_some_and(|p| p == path);
    if !tried {
        if let Some(s) = &storage {
            let _ = s.set_item(HANDED_OVER, &path);
        }
        let _ = location.assign(&href);
        return Some(view! { <p class="loading">"Dieser Bereich wird geladen …"</p> }.into_any());
    }
    crate::set_title("Bereich nicht geladen");
    let retry = move |_| {
        if let Some(s) = session_storage() {
            let _ = s.remove_item(HANDED_OVER);
        }
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    };
    Some(
        view! {
            <h1>"Dieser Bereich konnte nicht geladen werden"</h1>
            <p>
                "Der Arbeitsbereich für Lotsen und das Projektbüro wird beim ersten Öffnen nachgeladen. "
                "Das hat nicht geklappt – vielleicht besteht gerade keine Verbindung."
            </p>
            <p><button type="button" class="button" on:click=retry>"Erneut versuchen"</button></p>
        }
        .into_any(),
    )
}
