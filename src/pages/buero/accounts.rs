//! `/buero/konten`: the login accounts, over the server's `/api/v1/accounts`. Accounts (and
//! their password hashes) never sit on a device, so this screen works only online and says so
//! when the server cannot be reached or refuses.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use lotsen_domain::card::escape;
use lotsen_domain::normalize::fold;
use lotsen_domain::protocol::{
    password_problem, suggest_username, AccountChange, AccountView, FieldError, NewAccount,
};

use super::{confirm, focus_soon, BueroOnly, ErrorSummary, FormErrors, Notice, TextField};
use std::rc::Rc;

use crate::api::{Api, FetchError};
use crate::components::state;
use crate::state::AppState;

const PATH: &str = "/buero/konten";
const LOGIN_NEEDED: &str = "Nur für das Projektbüro. Bitte melden Sie sich an.";

/// The HTTP client, once the app has started.
fn api(state: AppState) -> Result<Rc<Api>, FetchError> {
    state
        .services
        .api
        .get_value()
        .ok_or_else(FetchError::not_ready)
}

/// What the Büro reads at an account someone may be guessing the password of.
fn failed_logins_text(n: u32) -> String {
    let times = if n == 1 {
        "1 Fehlversuch".to_owned()
    } else {
        format!("{n} Fehlversuche")
    };
    format!(
        "{times} beim Anmelden in der letzten Stunde. Wer weiter falsch rät, muss immer länger \
         warten. War es nicht die Kollegin oder der Kollege selbst: Passwort neu setzen."
    )
}

fn needs_login(e: &FetchError) -> bool {
    matches!(
        e,
        FetchError::Status {
            status: 401 | 403,
            ..
        }
    )
}

/// What to tell the user when the server could not be asked, or refused.
fn refusal(e: &FetchError) -> String {
    match e {
        FetchError::Network => "Keine Verbindung zum Server. Konten lassen sich nur online verwalten; bitte versuchen Sie es wieder, wenn Sie online sind.".to_owned(),
        e if needs_login(e) => LOGIN_NEEDED.to_owned(),
        e => e.message(),
    }
}

/// The server's refusal at the fields it concerns: its list of problems (422), else the one
/// error placed by its machine code.
fn field_errors(e: &FetchError) -> Vec<FieldError> {
    match e {
        FetchError::Status { errors, .. } if !errors.is_empty() && !needs_login(e) => {
            errors.clone()
        }
        FetchError::Status { code, message, .. } if !needs_login(e) => {
            let field = match code.as_str() {
                "account_exists" => Some("username"),
                _ => None,
            };
            vec![FieldError::new(code, message.clone(), field)]
        }
        e => vec![FieldError::new("refused", refusal(e), None)],
    }
}

fn role_label(role: &str) -> &'static str {
    match role {
        "buero" => "Projektbüro",
        "lotse" => "Lotse",
        _ => "unbekannte Rolle",
    }
}

fn sorted(mut accounts: Vec<AccountView>) -> Vec<AccountView> {
    accounts.sort_by(|a, b| a.username.cmp(&b.username));
    accounts
}

fn replace(accounts: RwSignal<Vec<AccountView>>, changed: AccountView) {
    accounts.update(|list| {
        list.retain(|a| a.username != changed.username);
        list.push(changed);
        list.sort_by(|a, b| a.username.cmp(&b.username));
    });
}

#[component]
pub fn BueroAccountsPage() -> impl IntoView {
    crate::set_title("Konten verwalten");
    view! {
        <h1>"Konten verwalten"</h1>
        <BueroOnly path=PATH><AccountsAdmin/></BueroOnly>
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Load {
    Loading,
    Ready,
    Failed { message: String, login: bool },
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Panel {
    Password,
    Role,
}

/// What the forms and rows of this screen share.
#[derive(Clone, Copy)]
struct Shared {
    state: AppState,
    accounts: RwSignal<Vec<AccountView>>,
    /// A request is under way: the other actions wait (their buttons say so).
    busy: RwSignal<bool>,
    /// The one account whose password or role form is open.
    open: RwSignal<Option<(String, Panel)>>,
    notice: Notice,
    /// The Lotsen to link an account to: id and "Name (Bereich)".
    lotsen: Memo<Vec<(String, String)>>,
}

#[component]
fn AccountsAdmin() -> impl IntoView {
    let state = state();
    let accounts = RwSignal::new(Vec::<AccountView>::new());
    let load = RwSignal::new(Load::Loading);
    let lotsen = Memo::new(move |_| {
        state.data.with(|d| {
            let mut v: Vec<(String, String, String)> = d
                .lotsen
                .iter()
                .map(|(id, l)| {
                    let label = if l.data.active {
                        format!("{} ({})", l.data.name, l.data.department)
                    } else {
                        format!("{} ({}, inaktiv)", l.data.name, l.data.department)
                    };
                    (fold(&l.data.name), id.clone(), label)
                })
                .collect();
            v.sort();
            v.into_iter()
                .map(|(_, id, label)| (id, label))
                .collect::<Vec<_>>()
        })
    });
    let shared = Shared {
        state,
        accounts,
        busy: RwSignal::new(false),
        open: RwSignal::new(None),
        notice: Notice::new(),
        lotsen,
    };

    let fetch = move || {
        spawn_local(async move {
            match async { api(state)?.accounts().await }.await {
                Ok(list) => {
                    accounts.set(sorted(list));
                    // Setting it again would rebuild the form and lose what is typed in it.
                    if load.get_untracked() != Load::Ready {
                        load.set(Load::Ready);
                    }
                }
                Err(e) => load.set(Load::Failed {
                    message: refusal(&e),
                    login: needs_login(&e),
                }),
            }
        });
    };
    // Asked again when the connection comes back.
    let online = Memo::new(move |_| state.sync.with(|s| s.online));
    Effect::new(move |_| {
        if online.get() {
            fetch();
        } else if load.get_untracked() != Load::Ready {
            load.set(Load::Failed {
                message: refusal(&FetchError::Network),
                login: false,
            });
        }
    });

    view! {
        <p>
            "Mit einem Konto melden sich Lotsen und das Projektbüro an. Ein Lotsen-Konto wird mit dem Profil "
            "der Person verknüpft, damit sie es selbst pflegen kann. Konten lassen sich nur mit Verbindung zum Server verwalten."
        </p>
        {move || shared.accounts.with(|list| list.iter().any(|a| a.directory)).then(|| view! {
            <p>
                "Konten „aus dem Verzeichnis“ entstehen bei der ersten Anmeldung mit dem Windows-Konto. Passwort, "
                "Rolle und die Angaben zur Person werden im Verzeichnis der Stadt gepflegt; hier lassen sie sich nur sperren."
            </p>
        })}
        {shared.notice.view()}
        {move || (!online.get() && load.with(|l| *l == Load::Ready)).then(|| view! {
            <p class="notice warning">"Sie sind offline. Die Liste zeigt den letzten Stand; Änderungen sind erst wieder mit Verbindung möglich."</p>
        })}
        {move || match load.get() {
            Load::Loading => view! { <p class="loading">"Konten werden geladen …"</p> }.into_any(),
            Load::Failed { message, login } => view! {
                <div class="notice warning" data-testid="accounts-error">
                    <p>{message}</p>
                    {if login {
                        view! { <p><A href=format!("/anmelden?weiter={PATH}")>"Zur Anmeldung"</A></p> }.into_any()
                    } else {
                        view! {
                            <p><button type="button" class="link-button" on:click=move |_| fetch()>"Erneut versuchen"</button></p>
                        }.into_any()
                    }}
                </div>
            }.into_any(),
            Load::Ready => view! {
                <NewAccountForm shared=shared/>
                <section aria-labelledby="konten-liste">
                    <h2 id="konten-liste">{move || format!("Alle Konten ({})", accounts.with(Vec::len))}</h2>
                    <ul class="buero-list">
                        <For each=move || accounts.with(|a| a.iter().map(|a| a.username.clone()).collect::<Vec<_>>())
                            key=|u| u.clone() let:username>
                            <AccountRow username=username shared=shared/>
                        </For>
                    </ul>
                </section>
            }.into_any(),
        }}
    }
}

fn new_field_id(field: &str) -> String {
    match field {
        "role" => "konto-role-lotse".to_owned(),
        f => format!("konto-{f}"),
    }
}

#[component]
fn NewAccountForm(shared: Shared) -> impl IntoView {
    // `?lotse={id}` (the link after accepting an application) fills in the Lotse and suggests
    // a user name from their name.
    let linked = use_query_map()
        .with_untracked(|q| q.get("lotse"))
        .and_then(|id| {
            let name = shared
                .state
                .data
                .with_untracked(|d| d.lotsen.get(&id).map(|l| l.data.name.clone()))?;
            Some((id, name))
        });
    let username = RwSignal::new(
        linked
            .as_ref()
            .map(|(_, name)| suggest_username(name))
            .unwrap_or_default(),
    );
    let password = RwSignal::new(String::new());
    let role = RwSignal::new("lotse".to_owned());
    let lotse = RwSignal::new(linked.map(|(id, _)| id).unwrap_or_default());
    let errors = FormErrors::new(new_field_id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if shared.busy.get_untracked() {
            return;
        }
        let new = NewAccount {
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            role: role.get_untracked(),
            lotse: Some(lotse.get_untracked())
                .filter(|l| !l.is_empty() && role.get_untracked() == "lotse"),
        };
        // The server's own rules, all at once (the unknown Lotse and a taken name it finds).
        let found = new.problems();
        if !found.is_empty() {
            errors.show(found);
            return;
        }
        errors.clear();
        shared.busy.set(true);
        spawn_local(async move {
            match async { api(shared.state)?.create_account(&new).await }.await {
                Ok(created) => {
                    shared.notice.say(format!(
                        "Das Konto „{}“ ist angelegt. Bitte geben Sie der Person das Passwort auf sicherem Weg weiter, nicht per E-Mail.",
                        created.username
                    ));
                    replace(shared.accounts, created);
                    username.set(String::new());
                    password.set(String::new());
                    lotse.set(String::new());
                }
                Err(e) => errors.show(field_errors(&e)),
            }
            shared.busy.set(false);
        });
    };
    view! {
        <section class="buero-form" aria-labelledby="konto-neu-title">
            <h2 id="konto-neu-title">"Neues Konto"</h2>
            <ErrorSummary errors=errors first_field="username"/>
            <form on:submit=submit novalidate>
                <TextField errors=errors field="username" label="Benutzername" required=true maxlength=64 plain=true
                    hint="3 bis 64 Zeichen: Kleinbuchstaben a–z, Ziffern, Punkt, Unterstrich oder Bindestrich, z. B. „eva.schmidt“."
                    value=username.into() on_input=move |v: String| username.set(v)/>
                <TextField errors=errors field="password" label="Anfangspasswort" kind="password" autocomplete="new-password" required=true
                    hint="Mindestens 10 Zeichen. Die Person kann es nach der Anmeldung nicht selbst ändern; das Projektbüro setzt es bei Bedarf zurück."
                    value=password.into() on_input=move |v: String| password.set(v)/>
                <RoleFields prefix="konto" role=role lotse=lotse errors=errors lotsen=shared.lotsen/>
                <div class="actions">
                    <button type="submit" class="button" aria-disabled=move || shared.busy.get().to_string()>"Konto anlegen"</button>
                </div>
            </form>
        </section>
    }
}

fn panel_field_id(field: &str) -> String {
    match field {
        "role" => "aendern-role-lotse".to_owned(),
        f => format!("aendern-{f}"),
    }
}

/// One account, its actions, and the form for a new password or another role when open.
#[component]
fn AccountRow(username: String, shared: Shared) -> impl IntoView {
    let state = shared.state;
    let account = {
        let username = username.clone();
        Memo::new(move |_| {
            shared
                .accounts
                .with(|list| list.iter().find(|a| a.username == username).cloned())
        })
    };
    let mine = {
        let username = username.clone();
        Memo::new(move |_| {
            state
                .user
                .with(|u| u.as_ref().is_some_and(|u| u.username == username))
        })
    };
    let open_panel = {
        let username = username.clone();
        Memo::new(move |_| {
            shared
                .open
                .with(|o| o.as_ref().filter(|(u, _)| *u == username).map(|(_, p)| *p))
        })
    };
    let disabled = move || account.with(|a| a.as_ref().is_some_and(|a| a.disabled));
    // Password, role and profile of a directory account are kept in the directory.
    let directory = move || account.with(|a| a.as_ref().is_some_and(|a| a.directory));
    let password_button = NodeRef::<leptos::html::Button>::new();
    let role_button = NodeRef::<leptos::html::Button>::new();
    let new_password = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let lotse = RwSignal::new(String::new());
    let errors = FormErrors::new(panel_field_id);

    let send = {
        let name = username.clone();
        move |change: AccountChange, done: String, back: Option<NodeRef<leptos::html::Button>>| {
            if shared.busy.get_untracked() {
                return;
            }
            shared.busy.set(true);
            let name = name.clone();
            spawn_local(async move {
                match async { api(state)?.update_account(&name, &change).await }.await {
                    Ok(changed) => {
                        replace(shared.accounts, changed);
                        shared.notice.say(done);
                        if let Some(back) = back {
                            shared.open.set(None);
                            focus_soon(move || back.get_untracked());
                        }
                    }
                    Err(e) if back.is_some() => errors.show(field_errors(&e)),
                    Err(e) => shared.notice.warn(refusal(&e)),
                }
                shared.busy.set(false);
            });
        }
    };
    let toggle = {
        let (send, username) = (send.clone(), username.clone());
        move |_| {
            let lock = !disabled();
            if lock
                && !confirm(&format!(
                    "Möchten Sie das Konto „{username}“ sperren? Wer damit angemeldet ist, wird abgemeldet und kann sich nicht mehr anmelden."
                ))
            {
                return;
            }
            let done = if lock {
                format!("Das Konto „{username}“ ist gesperrt.")
            } else {
                format!("Das Konto „{username}“ ist wieder freigegeben.")
            };
            send(
                AccountChange {
                    disabled: Some(lock),
                    ..AccountChange::default()
                },
                done,
                None,
            );
        }
    };
    let open = {
        let username = username.clone();
        move |panel: Panel| {
            if open_panel.get_untracked() == Some(panel) {
                shared.open.set(None);
                return;
            }
            errors.clear();
            new_password.set(String::new());
            if let Some(a) = account.get_untracked() {
                role.set(a.role.clone());
                lotse.set(a.lotse.clone().unwrap_or_default());
            }
            shared.open.set(Some((username.clone(), panel)));
            let first = match panel {
                Panel::Password => "aendern-password",
                Panel::Role => "aendern-role-lotse",
            };
            focus_soon(move || document().get_element_by_id(first));
        }
    };
    let save_password = {
        let (send, username) = (send.clone(), username.clone());
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let password = new_password.get_untracked();
            if let Some(e) = password_problem(&password) {
                errors.show(vec![e]);
                return;
            }
            send(
                AccountChange {
                    password: Some(password),
                    ..AccountChange::default()
                },
                format!("Das Passwort von „{username}“ ist geändert. Bestehende Anmeldungen dieses Kontos sind beendet."),
                Some(password_button),
            );
        }
    };
    let save_role = {
        let username = username.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let r = role.get_untracked();
            let link = Some(lotse.get_untracked()).filter(|l| !l.is_empty() && r == "lotse");
            send(
                AccountChange {
                    role: Some(r),
                    lotse: Some(link),
                    ..AccountChange::default()
                },
                format!("Rolle und Profil von „{username}“ sind gespeichert."),
                Some(role_button),
            );
        }
    };
    let open_password = open.clone();
    let open_role = open;
    let cancel = move |back: NodeRef<leptos::html::Button>| {
        shared.open.set(None);
        focus_soon(move || back.get_untracked());
    };
    let lotse_name = move || {
        let id = account.with(|a| a.as_ref().and_then(|a| a.lotse.clone()))?;
        Some(
            state
                .data
                .with(|d| d.lotsen.get(&id).map(|l| (id.clone(), l.data.name.clone()))),
        )
    };
    let busy = move || shared.busy.get().to_string();
    let who = username.clone();

    view! {
        <li class="buero-item" data-testid="buero-account">
            <div class="buero-item-main">
                <p class="buero-item-title">
                    <strong>{username.clone()}</strong>
                    " · " {move || account.with(|a| a.as_ref().map(|a| role_label(&a.role)).unwrap_or_default())}
                    {move || directory().then(|| view! { " " <span class="buero-badge">"aus dem Verzeichnis"</span> })}
                    {move || disabled().then(|| view! { " " <span class="buero-badge">"gesperrt"</span> })}
                    {move || mine.get().then(|| view! { " " <span class="muted">"(Ihr Konto)"</span> })}
                </p>
                {move || {
                    let n = account.with(|a| a.as_ref().map_or(0, |a| a.failed_logins));
                    (n > 0).then(|| view! {
                        <p class="notice warning" data-testid="failed-logins">{failed_logins_text(n)}</p>
                    })
                }}
                <p class="muted">
                    {move || match lotse_name() {
                        None => "kein Lotsen-Profil".into_any(),
                        Some(Some((id, name))) => view! { "Profil: " <A href=format!("/buero/lotsen?bearbeiten={id}")>{name}</A> }.into_any(),
                        Some(None) => "Profil: nicht (mehr) vorhanden".into_any(),
                    }}
                    " · angelegt am "
                    {move || account.with(|a| a.as_ref().map(|a| crate::clock::german_date(&a.created_at)).unwrap_or_default())}
                </p>
            </div>
            <div class="buero-actions">
                {move || (!directory()).then(|| {
                    let who = who.clone();
                    let open_password = open_password.clone();
                    view! {
                        <button type="button" class="link-button" node_ref=password_button aria-disabled=busy
                            aria-expanded=move || (open_panel.get() == Some(Panel::Password)).to_string()
                            on:click=move |_| open_password(Panel::Password)>
                            "Passwort zurücksetzen" <span class="visually-hidden">" „" {who} "“"</span>
                        </button>
                    }
                })}
                {move || (!mine.get()).then(|| {
                    let who = username.clone();
                    let who2 = username.clone();
                    let open_role = open_role.clone();
                    let toggle = toggle.clone();
                    view! {
                        <Show when=move || !directory()>
                            <button type="button" class="link-button" node_ref=role_button aria-disabled=busy
                                aria-expanded=move || (open_panel.get() == Some(Panel::Role)).to_string()
                                on:click={
                                    let open_role = open_role.clone();
                                    move |_| open_role(Panel::Role)
                                }>
                                "Rolle und Profil ändern" <span class="visually-hidden">" „" {who.clone()} "“"</span>
                            </button>
                        </Show>
                        <button type="button" class="link-button" aria-disabled=busy on:click=toggle>
                            {move || if disabled() { "Entsperren" } else { "Sperren" }}
                            <span class="visually-hidden">" „" {who2} "“"</span>
                        </button>
                    }
                })}
            </div>
            {move || match open_panel.get() {
                None => None,
                Some(Panel::Password) => Some(view! {
                    <form class="buero-panel" on:submit=save_password.clone() novalidate>
                        <ErrorSummary errors=errors first_field="password"/>
                        <TextField errors=errors field="password" label="Neues Passwort" kind="password" autocomplete="new-password"
                            required=true hint="Mindestens 10 Zeichen. Wer mit diesem Konto angemeldet ist, wird abgemeldet."
                            value=new_password.into() on_input=move |v: String| new_password.set(v)/>
                        <div class="actions">
                            <button type="submit" class="button" aria-disabled=busy>"Passwort speichern"</button>
                            <button type="button" class="button secondary" on:click=move |_| cancel(password_button)>"Abbrechen"</button>
                        </div>
                    </form>
                }.into_any()),
                Some(Panel::Role) => Some(view! {
                    <form class="buero-panel" on:submit=save_role.clone() novalidate>
                        <ErrorSummary errors=errors first_field="role"/>
                        <RoleFields prefix="aendern" role=role lotse=lotse errors=errors lotsen=shared.lotsen/>
                        <div class="actions">
                            <button type="submit" class="button" aria-disabled=busy>"Speichern"</button>
                            <button type="button" class="button secondary" on:click=move |_| cancel(role_button)>"Abbrechen"</button>
                        </div>
                    </form>
                }.into_any()),
            }}
        </li>
    }
}

/// The options of the Lotse choice as one piece of HTML, the chosen one selected: at city scale
/// 2,000 options, which built one by one, each watching the choice, took a long task whenever
/// the form opened or the choice changed.
fn lotse_options(lotsen: &[(String, String)], chosen: &str) -> String {
    let mut html = String::from(r#"<option value="">– kein Profil –</option>"#);
    for (id, label) in lotsen {
        let selected = if id == chosen { " selected" } else { "" };
        html.push_str(&format!(
            r#"<option value="{}"{selected}>{}</option>"#,
            escape(id),
            escape(label)
        ));
    }
    html
}

/// The role of an account and, for a Lotse, the profile it is linked to. `prefix` makes the ids
/// unique: `{prefix}-role-lotse`, `{prefix}-lotse`, as the form's `field_id` names them.
#[component]
fn RoleFields(
    prefix: &'static str,
    role: RwSignal<String>,
    lotse: RwSignal<String>,
    errors: FormErrors,
    lotsen: Memo<Vec<(String, String)>>,
) -> impl IntoView {
    let role_error_id = format!("err-{prefix}-role-lotse");
    let select_id = format!("{prefix}-lotse");
    let hint_id = format!("{prefix}-lotse-hint");
    let lotse_error_id = format!("err-{prefix}-lotse");
    let has_error = move |field: &'static str| errors.message(field).is_some();
    let role_described = {
        let id = role_error_id.clone();
        move || has_error("role").then(|| id.clone())
    };
    view! {
        <fieldset aria-describedby=role_described>
            <legend>"Rolle"</legend>
            <div class="choices">
                {[("lotse", "Lotse"), ("buero", "Projektbüro")].into_iter().map(|(value, label)| {
                    let id = format!("{prefix}-role-{value}");
                    view! {
                        <label class="choice" for=id.clone()>
                            <input type="radio" id=id.clone() name=format!("{prefix}-role") value=value
                                prop:checked=move || role.with(|r| r == value)
                                on:change=move |_| role.set(value.to_owned())/>
                            {label}
                        </label>
                    }
                }).collect_view()}
            </div>
            {move || errors.message("role").map(|m| view! { <p class="field-error" id=role_error_id.clone()>{m}</p> })}
        </fieldset>
        // Only the role rebuilds this part: the select must keep the focus while choosing.
        {move || {
            if role.with(|r| r != "lotse") {
                return view! { <p class="hint">"Konten des Projektbüros sind mit keinem Lotsen-Profil verknüpft."</p> }.into_any();
            }
            let (hint_id, lotse_error_id) = (hint_id.clone(), lotse_error_id.clone());
            let described = {
                let (hint_id, lotse_error_id) = (hint_id.clone(), lotse_error_id.clone());
                move || if has_error("lotse") { format!("{hint_id} {lotse_error_id}") } else { hint_id.clone() }
            };
            view! {
                <div class="field">
                    <label for=select_id.clone()>"Lotsen-Profil " <span class="optional">"(freiwillig)"</span></label>
                    <select id=select_id.clone() on:change=move |ev| lotse.set(event_target_value(&ev))
                        aria-invalid=move || has_error("lotse").to_string() aria-describedby=described
                        inner_html=move || lotsen.with(|all| lotse_options(all, &lotse.get_untracked()))
                        prop:value=move || lotse.get()>
                    </select>
                    <p class="hint" id=hint_id>"Mit dem Profil verknüpft, pflegt die Person ihre Themen selbst unter „Mein Profil“."</p>
                    {move || errors.message("lotse").map(|m| view! { <p class="field-error" id=lotse_error_id.clone()>{m}</p> })}
                </div>
            }.into_any()
        }}
    }
}
