//! Pieces several screens share: the header with the sync status, the footer, the Lotse card.

use leptos::prelude::*;
use leptos_router::components::A;
use lotsen_domain::model::{Level, Lotse};
use lotsen_domain::paging::Portion;

use wasm_bindgen::JsCast;

use crate::state::AppState;

pub fn state() -> AppState {
    expect_context::<AppState>()
}

/// Moves the focus to what `target` finds once it is in the page (after the next render).
pub fn focus_soon<T: JsCast + 'static>(target: impl FnOnce() -> Option<T> + 'static) {
    request_animation_frame(move || {
        if let Some(el) = target() {
            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
}

#[component]
pub fn Header() -> impl IntoView {
    let state = state();
    view! {
        <header class="site-header">
            <div class="bar">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"⚓"</span>
                    " Lotsenfinder "
                    <span class="brand-city">"Stadt Soest"</span>
                </A>
                <nav aria-label="Hauptnavigation">
                    <ul>
                        <li><A href="/" exact=true>"Suche"</A></li>
                        <li><A href="/themen" exact=true>"Themen"</A></li>
                        <li><A href="/termine" exact=true>"Termine"</A></li>
                        <li><A href="/anliegen" exact=true>"Meine Anliegen"</A></li>
                        <li><A href="/anliegen/neu" exact=true>"Anliegen senden"</A></li>
                    </ul>
                </nav>
            </div>
            <UserBar state=state/>
            <SyncBar state=state/>
        </header>
    }
}

/// Who is logged in, and the screens of their role; or the way to log in.
#[component]
fn UserBar(state: AppState) -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    let logout = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            if crate::session::logout(state).await {
                navigate("/", Default::default());
            }
        });
    };
    view! {
        {move || match state.user.get() {
            None => view! {
                <div class="user-bar">
                    <A href="/anmelden" attr:class="login-link">"Anmelden"</A>
                    <span class="muted">" (für Lotsen und Projektbüro)"</span>
                </div>
            }.into_any(),
            Some(user) => {
                let buero = user.is_buero();
                let own_profile = user.lotse.is_some();
                let logout = logout.clone();
                view! {
                    <div class="user-bar">
                        <nav aria-label="Arbeitsbereich">
                            <ul>
                                <li><A href="/arbeitsplatz" exact=true>"Arbeitsplatz"</A></li>
                                {own_profile.then(|| view! { <li><A href="/profil" exact=true>"Mein Profil"</A></li> })}
                                {buero.then(|| view! {
                                    <li><A href="/buero/themen" exact=true>"Themen verwalten"</A></li>
                                    <li><A href="/buero/lotsen" exact=true>"Lotsen verwalten"</A></li>
                                    <li><A href="/buero/konten" exact=true>"Konten"</A></li>
                                    <li><A href="/buero/bewerbungen" exact=true>"Bewerbungen"</A></li>
                                    <li><A href="/buero/termine" exact=true>"Termine verwalten"</A></li>
                                    <li><A href="/buero/matrix" exact=true>"Matrix"</A></li>
                                    <li><A href="/buero/auswertung" exact=true>"Auswertung"</A></li>
                                })}
                            </ul>
                        </nav>
                        <span class="who" data-testid="user">
                            "Angemeldet: " {user.username.clone()}
                            {if buero { " (Projektbüro)" } else { " (Lotse)" }}
                        </span>
                        <button type="button" class="link-button" on:click=logout>"Abmelden"</button>
                    </div>
                }.into_any()
            }
        }}
    }
}

#[component]
fn SyncBar(state: AppState) -> impl IntoView {
    let status = state.sync;
    let online = move || status.with(|s| s.online);
    let pending = move || status.with(|s| s.pending);
    let last = move || status.with(|s| s.last_sync).map(crate::clock::format_time);
    let error = move || status.with(|s| s.error.clone());
    let running = move || status.with(|s| s.running);
    view! {
        <div class="sync-bar">
            // Only what a user must hear about is a live region; the time of the last sync
            // changes every 30 seconds and would interrupt a screen reader each time.
            <span class="sync-live" role="status">
                <span class=move || if online() { "conn online" } else { "conn offline" } data-testid="connection">
                    {move || if online() { "Online" } else { "Offline – Sie arbeiten mit den gespeicherten Daten" }}
                </span>
                {move || (pending() > 0).then(|| view! {
                    <span class="pending" data-testid="pending">
                        {match pending() {
                            1 => "1 Änderung wartet auf Übertragung".to_owned(),
                            n => format!("{n} Änderungen warten auf Übertragung"),
                        }}
                    </span>
                })}
                {move || error().map(|e| view! { <span class="sync-error">"Fehler beim Abgleich: " {e}</span> })}
            </span>
            <span class="last-sync">
                {move || match last() {
                    Some(t) => format!("Zuletzt abgeglichen: {t}"),
                    None => "Noch nicht abgeglichen".to_owned(),
                }}
            </span>
            // aria-disabled, not disabled: a disabled button would drop the keyboard focus.
            <button type="button" class="link-button" aria-disabled=move || running().to_string()
                on:click=move |_| if !running() { state.sync_now() }>
                "Jetzt abgleichen"
            </button>
        </div>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <p>"Ein Angebot des Projektbüros Digitale Modellregion der Stadt Soest."</p>
            <ul>
                <li><A href="/barrierefreiheit">"Barrierefreiheit"</A></li>
                <li><A href="/datenschutz">"Datenschutz"</A></li>
                <li><A href="/mitmachen">"Lotse werden"</A></li>
                <li><A href="/impressum">"Impressum"</A></li>
            </ul>
        </footer>
    }
}

pub fn level_badge(level: Level) -> impl IntoView {
    view! {
        <span class=format!("level level-{}", level.get())>
            <span class="visually-hidden">"Stufe " {level.get()} ": "</span>
            {level.label()}
        </span>
    }
}

pub use lotsen_domain::card::{mailto_href, tel_href, ShownSkill};

/// The card of a Lotse in a list item (see `lotsen_domain::card` for why it is one piece of
/// HTML): `heading_level` 2 in the search, 3 under a topic's heading.
pub fn lotse_card_item(
    id: &str,
    lotse: &Lotse,
    skills: &[ShownSkill],
    heading_level: u8,
) -> impl IntoView {
    view! { <li inner_html=lotsen_domain::card::lotse_card(id, lotse, skills, heading_level)></li> }
}

/// The skills of a Lotse to show on a card, best level first.
pub fn all_skills(lotse: &Lotse, state: &AppState) -> Vec<ShownSkill> {
    state.data.with(|d| {
        let mut out: Vec<ShownSkill> = lotse
            .skills
            .iter()
            .filter_map(|s| {
                d.topics.get(&s.topic).map(|t| ShownSkill {
                    topic_id: s.topic.clone(),
                    name: t.data.name.clone(),
                    slug: t.data.slug.clone(),
                    level: s.level,
                })
            })
            .collect();
        out.sort_by(|a, b| b.level.cmp(&a.level).then_with(|| a.name.cmp(&b.name)));
        out
    })
}

/// Shown while the local database is still being read.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading">"Daten werden geladen …"</p> }
}

/// The page of a list from the URL (`seite=`), 1 when absent or not a page number.
pub fn page_from_query() -> Memo<usize> {
    let query = leptos_router::hooks::use_query_map();
    Memo::new(move |_| query.with(|q| lotsen_domain::paging::parse_page(q.get("seite").as_deref())))
}

/// The page of `list` that the URL asks for: its place in the whole list, and its items. Only
/// these are rendered, so a screen's DOM is bounded by the portion, not by the city.
pub fn portion_of<T>(
    list: Memo<Vec<T>>,
    page: Memo<usize>,
    per_page: usize,
) -> (Memo<Portion>, Memo<Vec<T>>)
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let portion = Memo::new(move |_| Portion::of(list.with(Vec::len), page.get(), per_page));
    let shown = Memo::new(move |_| {
        let p = portion.get();
        list.with(|l| p.slice(l).to_vec())
    });
    (portion, shown)
}

/// Items under headings (a category, say), in list order: each run of one heading becomes one
/// group, so a page that starts inside a category repeats its heading.
pub fn by_heading<T: Clone>(entries: &[(String, T)]) -> Vec<(String, Vec<T>)> {
    let mut groups: Vec<(String, Vec<T>)> = Vec::new();
    for (heading, item) in entries {
        match groups.last_mut() {
            Some((h, items)) if h == heading => items.push(item.clone()),
            _ => groups.push((heading.clone(), vec![item.clone()])),
        }
    }
    groups
}

/// The links to the previous and next page of a long list, with "Seite x von y". After a page
/// link the focus moves to `focus` (a CSS selector of the list), so keyboard and screen-reader
/// users go on at the new items instead of at the top of the page.
pub fn pager(
    portion: Portion,
    href: impl Fn(usize) -> String,
    label: &'static str,
    focus: &'static str,
) -> impl IntoView {
    let focus_list = move |_| {
        focus_soon(move || document().query_selector(focus).ok().flatten());
    };
    (portion.pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label=label>
                {portion.has_previous().then(|| view! {
                    <a href=href(portion.page - 1) rel="prev" on:click=focus_list>"Vorherige Seite"</a>
                })}
                <span>{portion.page_de()}</span>
                {portion.has_next().then(|| view! {
                    <a href=href(portion.page + 1) rel="next" on:click=focus_list>"Nächste Seite"</a>
                })}
            </nav>
        }
    })
}
