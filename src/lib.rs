//! The Lotsenfinder app: Leptos, client-side rendered, offline-first.
//!
//! - `store`: IndexedDB (records, outbox, meta, conflicts)
//! - `api`: the HTTP client of the sync protocol
//! - `sync`: the loop that pushes the outbox and pulls changes
//! - `state`: the records in memory, the search index, the sync status, the user
//! - `tabs`: one syncing tab (Web Locks), live changes in all tabs (BroadcastChannel)
//! - `pages`: one module per screen; `components`: what several screens share; `clock`: time
//!   on the device and German dates

pub mod api;
pub mod clock;
pub mod components;
pub mod drafts;
pub mod forms;
pub mod pages;
pub mod parts;
pub mod session;
pub mod state;
pub mod store;
pub mod sync;
pub mod tabs;

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::any_nested_route::IntoAnyNestedRoute;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::components::{Footer, Header};
use crate::pages::*;
use crate::state::AppState;
use crate::store::Store;

/// The name of the app's IndexedDB database.
pub const DB_NAME: &str = "lotsenfinder";

pub fn mount() {
    console_error_panic_hook::set_once();
    #[cfg(feature = "staff")]
    parts::staff_part_started();
    register_service_worker();
    mount_to_body(App);
}

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    spawn_local(start(state));
    watch_connectivity(state);

    view! {
        <Router>
            <FocusOnNavigate/>
            // The router would treat "#main" as a navigation; the skip link must move the focus.
            <a class="skip-link" href="#main" on:click=|ev| {
                ev.prevent_default();
                focus_main();
            }>"Zum Inhalt springen"</a>
            <Header/>
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/themen") view=TopicsPage/>
                    <Route path=path!("/themen/:slug") view=TopicPage/>
                    <Route path=path!("/lotsen/:id") view=LotsePage/>
                    <Route path=path!("/anliegen/neu") view=NewRequestPage/>
                    <Route path=path!("/anliegen") view=RequestsPage/>
                    <Route path=path!("/mitmachen") view=JoinPage/>
                    <Route path=path!("/termine") view=EventsPage/>
                    <StaffRoutes/>
                    <Route path=path!("/barrierefreiheit") view=AccessibilityPage/>
                    <Route path=path!("/datenschutz") view=PrivacyPage/>
                    <Route path=path!("/impressum") view=ImprintPage/>
                    // `/` and `/suche` are one route, last: typing on `/` moves to `/suche`
                    // without mounting the search anew (that cost the first keystroke 80 ms).
                    <Route path=path!("/:suche?") view=SearchRoute/>
                </Routes>
            </main>
            <Footer/>
        </Router>
    }
}

/// The screens of Lotsen and the Projektbüro: only in the staff build (`staff.html`). The
/// public build is the first load; it hands these paths to the staff build (see `NotFound`).
#[cfg(feature = "staff")]
#[component(transparent)]
fn StaffRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <Route path=path!("/anmelden") view=LoginPage/>
        <Route path=path!("/profil") view=ProfilePage/>
        <Route path=path!("/arbeitsplatz") view=WorkplacePage/>
        <Route path=path!("/arbeitsplatz/:id") view=WorkItemPage/>
        <Route path=path!("/buero/themen") view=BueroTopicsPage/>
        <Route path=path!("/buero/lotsen") view=BueroLotsenPage/>
        <Route path=path!("/buero/konten") view=BueroAccountsPage/>
        <Route path=path!("/buero/bewerbungen") view=BueroApplicationsPage/>
        <Route path=path!("/buero/termine") view=BueroEventsPage/>
        <Route path=path!("/buero/matrix") view=BueroMatrixPage/>
        <Route path=path!("/buero/auswertung") view=BueroEvaluationPage/>
    }
    .into_inner()
    .into_any_nested_route()
}

/// In the public build, their paths load the staff build in place of the public one.
#[cfg(not(feature = "staff"))]
#[component(transparent)]
fn StaffRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use crate::parts::StaffPart;
    view! {
        <Route path=path!("/anmelden") view=StaffPart/>
        <Route path=path!("/profil") view=StaffPart/>
        <Route path=path!("/arbeitsplatz") view=StaffPart/>
        <Route path=path!("/arbeitsplatz/*any") view=StaffPart/>
        <Route path=path!("/buero/*any") view=StaffPart/>
    }
    .into_inner()
    .into_any_nested_route()
}

/// Moves the focus to the main content after a change of screen, so that keyboard and
/// screen-reader users start there (the new title alone is not announced). Typing on `/`,
/// which turns into `/suche`, is not a change of screen.
#[component]
fn FocusOnNavigate() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    Effect::new(move |previous: Option<String>| {
        let path = location.pathname.get();
        let search = |p: &str| p == "/" || p == "/suche";
        if let Some(previous) = previous {
            if previous != path && !(search(&previous) && search(&path)) {
                focus_main();
            }
        }
        path
    });
}

fn focus_main() {
    if let Some(main) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("main"))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = main.focus();
    }
}

/// Opens the local database, shows what it holds, and starts the sync loop.
async fn start(state: AppState) {
    let store = match Store::open(DB_NAME).await {
        Ok(s) => Rc::new(s),
        Err(e) => {
            state.sync.update(|s| {
                s.error = Some(format!(
                    "{e}. Dieser Browser erlaubt keinen lokalen Speicher (z. B. im privaten Fenster), ohne ihn kann der Lotsenfinder keine Daten laden. Bitte öffnen Sie ihn in einem normalen Browserfenster."
                ))
            });
            state.directory.set(true);
            state.loaded.set(true);
            return;
        }
    };
    if let Err(e) = state.load(&store).await {
        state.sync.update(|s| s.error = Some(e.to_string()));
    }
    let api = match store.device_key().await {
        Ok(k) => Rc::new(api::Api::new(k)),
        Err(e) => {
            state.sync.update(|s| s.error = Some(e.to_string()));
            return;
        }
    };
    // Edits are possible from here on, online or not; the sync loop starts once this tab may.
    let (tx, rx) = futures::channel::mpsc::unbounded();
    state.control.trigger.set_value(Some(tx));
    state.services.store.set_value(Some(store.clone()));
    state.services.api.set_value(Some(api.clone()));
    state.loaded.set(true);
    tabs::listen(move |message| spawn_local(sync::from_other_tab(state, message)));
    // While this tab waits for the lock, the syncing tab's messages keep it current.
    tabs::when_leader(async move {
        state.control.leader.set_value(true);
        sync::run(state, store, api, rx).await;
    });
}

fn watch_connectivity(state: AppState) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let online = Closure::<dyn Fn()>::new(move || {
        state.sync.update(|s| s.online = true);
        state.sync_now();
    });
    let offline = Closure::<dyn Fn()>::new(move || state.sync.update(|s| s.online = false));
    let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
    let _ = window.add_event_listener_with_callback("offline", offline.as_ref().unchecked_ref());
    // The listeners live as long as the page.
    online.forget();
    offline.forget();
}

fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    // Without a service worker (plain http on an intranet host, some policies) the app still
    // runs online; `navigator.serviceWorker` is then undefined and must not be touched.
    if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        return;
    }
    let promise = navigator.service_worker().register("/sw.js");
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = wasm_bindgen_futures::JsFuture::from(promise).await {
            web_sys::console::warn_2(&"Service Worker nicht registriert:".into(), &e);
        }
    });
}

/// Sets the document title, so each screen is announced by its name.
pub fn set_title(title: &str) {
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        doc.set_title(&format!("{title} – Lotsenfinder Soest"));
    }
}
