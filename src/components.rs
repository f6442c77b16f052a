//! Pieces several screens share: the header with the sync status, the footer, the Lotse card.

use leptos::prelude::*;
use leptos_router::components::A;
use lotsen_domain::model::{Level, Lotse};
use lotsen_domain::paging::Portion;

use crate::state::AppState;

pub fn state() -> AppState {
    expect_context::<AppState>()
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
            if crate::pages::logout(state).await {
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

pub fn tel_href(phone: &str) -> String {
    let digits: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{digits}")
}

pub fn mailto_href(email: &str, subject: &str) -> String {
    format!(
        "mailto:{email}?subject={}",
        String::from(js_sys::encode_uri_component(subject))
    )
}

/// One matched or listed skill on a card: the topic and the level.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ShownSkill {
    pub topic_id: String,
    pub name: String,
    pub slug: String,
    pub level: Level,
}

/// A Lotse as search results and topic pages show them: who, where, how to reach, what they know.
#[component]
pub fn LotseCard(
    id: String,
    lotse: Lotse,
    skills: Vec<ShownSkill>,
    #[prop(optional)] heading_level: u8,
) -> impl IntoView {
    let first_topic = skills.first().cloned();
    let subject = match &first_topic {
        Some(s) => format!("Digitale Lotsen: Frage zu {}", s.name),
        None => "Digitale Lotsen: Frage".to_owned(),
    };
    let request_href = match &first_topic {
        Some(s) => format!("/anliegen/neu?thema={}", s.slug),
        None => "/anliegen/neu".to_owned(),
    };
    // Plain links (the router still takes their clicks): an `<A>` follows the location to mark
    // itself current, and twenty cards of them would all re-check at every keystroke.
    let name_link = view! { <a href=format!("/lotsen/{id}")>{lotse.name.clone()}</a> };
    let heading = if heading_level == 3 {
        view! { <h3 class="card-title">{name_link}</h3> }.into_any()
    } else {
        view! { <h2 class="card-title">{name_link}</h2> }.into_any()
    };
    view! {
        <article class="card lotse-card" data-testid="lotse-card">
            {heading}
            <p class="department">{lotse.department.clone()}</p>
            <ul class="skills" aria-label="Themen">
                {skills.into_iter().map(|s| view! {
                    <li><a href=format!("/themen/{}", s.slug)>{s.name}</a> " " {level_badge(s.level)}</li>
                }).collect_view()}
            </ul>
            <dl class="contact">
                {(!lotse.phone.is_empty()).then(|| view! {
                    <dt>"Telefon"</dt><dd><a href=tel_href(&lotse.phone)>{lotse.phone.clone()}</a></dd>
                })}
                {(!lotse.email.is_empty()).then(|| view! {
                    <dt>"E-Mail"</dt><dd><a href=mailto_href(&lotse.email, &subject)>{lotse.email.clone()}</a></dd>
                })}
                {(!lotse.location.is_empty()).then(|| view! { <dt>"Ort"</dt><dd>{lotse.location.clone()}</dd> })}
                {(!lotse.availability.is_empty()).then(|| view! {
                    <dt>"Erreichbar"</dt><dd>{lotse.availability.clone()}</dd>
                })}
            </dl>
            <a href=request_href class="button secondary">"Anliegen senden"</a>
        </article>
    }
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
        crate::forms::focus_soon(move || document().query_selector(focus).ok().flatten());
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
