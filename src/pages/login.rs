//! `/anmelden?weiter={path}`: login for Lotsen and the Projektbüro. Logging in needs the
//! server; once logged in, the app works offline with what the login may see.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::state;

/// Where to go after the login: only a path of this app, never another site.
fn next_path(raw: Option<String>) -> String {
    raw.filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.contains('\\'))
        .unwrap_or_else(|| "/arbeitsplatz".to_owned())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let state = state();
    crate::set_title("Anmelden");
    let query = use_query_map();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let alert = NodeRef::<leptos::html::Div>::new();

    let show_error = move |message: String| {
        error.set(Some(message));
        busy.set(false);
        if let Some(el) = alert.get_untracked() {
            let _ = el.focus();
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (name, secret) = (username.get_untracked(), password.get_untracked());
        if name.trim().is_empty() || secret.is_empty() {
            show_error("Bitte geben Sie Benutzername und Passwort ein.".to_owned());
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        let next = next_path(query.with_untracked(|q| q.get("weiter")));
        spawn_local(async move {
            match crate::session::login(state, name.trim(), &secret).await {
                Ok(_) => {
                    password.set(String::new());
                    busy.set(false);
                    navigate(&next, Default::default());
                }
                Err(e) => show_error(e.message()),
            }
        });
    };

    view! {
        <h1>"Anmelden"</h1>
        <p>"Für Digitale Lotsen und das Projektbüro. Zum Suchen und für Anliegen brauchen Sie keine Anmeldung."</p>
        <div node_ref=alert tabindex="-1" class="error-summary-anchor">
            {move || error.get().map(|e| view! {
                <div class="error-summary" role="alert" data-testid="login-error">
                    <h2>"Anmeldung nicht möglich"</h2>
                    <p>{e}</p>
                </div>
            })}
        </div>
        {move || state.user.get().map(|u| view! {
            <p class="notice" role="status">"Sie sind angemeldet als " <strong>{u.username}</strong> "."</p>
        })}
        <form class="login-form" on:submit=submit novalidate>
            <div class="field">
                <label for="username">"Benutzername"</label>
                <input id="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false"
                    prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="password">"Passwort"</label>
                <input id="password" type="password" autocomplete="current-password"
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
            </div>
            <button type="submit" class="button" aria-disabled=move || busy.get().to_string()>
                {move || if busy.get() { "Anmeldung läuft …" } else { "Anmelden" }}
            </button>
        </form>
        <p class="muted">"Passwort vergessen? Das Projektbüro setzt es Ihnen zurück."</p>
    }
}
