//! `/` and `/suche?q=…&bereich=…&stufe=…`: "Wobei brauchen Sie Hilfe?" — results while typing,
//! every state in the URL.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use lotsen_domain::model::Level;
use lotsen_domain::search::Query;

use super::{page_param, query_string, url_encode};
use crate::components::{page_from_query, pager, state, Loading, ShownSkill};
use lotsen_domain::paging::Portion;

const OWN_DEPARTMENT_KEY: &str = "lotsenfinder.mein-bereich";

/// Results per page: a screenful or two of cards, about 500 DOM nodes.
const PER_PAGE: usize = 20;

fn search_url(q: &str, bereich: &str, stufe: Option<u8>) -> String {
    paged_url(q, bereich, stufe, 1)
}

/// The address of one page of a search; the first page has no `seite`.
fn paged_url(q: &str, bereich: &str, stufe: Option<u8>, page: usize) -> String {
    let stufe = stufe.map(|s| s.to_string()).unwrap_or_default();
    let query = query_string(&[
        ("q", q),
        ("bereich", bereich),
        ("stufe", &stufe),
        ("seite", &page_param(page)),
    ]);
    if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/suche{query}")
    }
}

/// `/`, `/suche`, and any other single segment, which is no page of the app.
#[component]
pub fn SearchRoute() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let known = Memo::new(move |_| params.with(|p| p.get("suche").is_none_or(|s| s == "suche")));
    move || {
        if known.get() {
            view! { <SearchPage/> }.into_any()
        } else {
            view! { <super::NotFound/> }.into_any()
        }
    }
}

#[component]
fn SearchPage() -> impl IntoView {
    let state = state();
    let query = use_query_map();
    let location = use_location();
    let q = Memo::new(move |_| query.with(|m| m.get("q").unwrap_or_default()));
    let bereich = Memo::new(move |_| query.with(|m| m.get("bereich").unwrap_or_default()));
    let stufe = Memo::new(move |_| {
        query.with(|m| {
            m.get("stufe")
                .and_then(|s| s.parse::<u8>().ok())
                .filter(|s| (1..=3).contains(s))
        })
    });
    let page = page_from_query();
    let own = RwSignal::new(crate::drafts::load_text(OWN_DEPARTMENT_KEY).unwrap_or_default());

    Effect::new(move |_| {
        crate::set_title(&match q.get().as_str() {
            "" => "Wobei brauchen Sie Hilfe?".to_owned(),
            text => format!("Suche: {text}"),
        })
    });

    let navigate = use_navigate();
    let search = move |q: String, bereich: String, stufe: Option<u8>, typing: bool| {
        // Typing refines one search: it replaces the history entry instead of adding one per key.
        // (`/` and `/suche` are one route: the field keeps the focus.)
        let on_search_page = location.pathname.get_untracked() == "/suche";
        let replace = typing && on_search_page;
        navigate(
            &search_url(q.trim_start(), &bereich, stufe),
            NavigateOptions {
                replace,
                scroll: false,
                ..Default::default()
            },
        );
    };
    let search_typed = search.clone();
    let search_in_department = search.clone();
    let search_from_level = search;

    // Per keystroke the whole directory is searched (a few milliseconds at city scale), but
    // only the page shown is turned into cards, and the parts around the list are separate
    // reactive pieces: a key press re-renders what changed, not the results as a whole.
    let hits = Memo::new(move |_| {
        let index = state.index.get();
        let own = own.get();
        let (text, bereich, stufe) = (q.get(), bereich.get(), stufe.get());
        index.search(&Query {
            text: &text,
            department: (!bereich.is_empty()).then_some(bereich.as_str()),
            min_level: stufe,
            own_department: (!own.is_empty()).then_some(own.as_str()),
        })
    });
    let chips = Memo::new(move |_| {
        let index = state.index.get();
        let text = q.get();
        state.data.with_untracked(|d| {
            index
                .topics(&text)
                .into_iter()
                .take(6)
                .filter_map(|(t, _)| {
                    d.topics
                        .get(index.topic_id(t))
                        .map(|t| (t.data.slug.clone(), t.data.name.clone()))
                })
                .collect::<Vec<_>>()
        })
    });
    let portion = Memo::new(move |_| Portion::of(hits.with(Vec::len), page.get(), PER_PAGE));
    // The cards of the page shown, as HTML (`lotsen_domain::card`).
    let cards = Memo::new(move |_| {
        let index = state.index.get();
        let portion = portion.get();
        hits.with(|hits| {
            state.data.with(|d| {
                portion
                    .slice(hits)
                    .iter()
                    .filter_map(|h| {
                        let id = index.lotse_id(h.lotse);
                        let lotse = &d.lotsen.get(id)?.data;
                        let skills: Vec<ShownSkill> = h
                            .topics
                            .iter()
                            .filter_map(|m| {
                                let tid = index.topic_id(m.topic);
                                d.topics.get(tid).map(|t| ShownSkill {
                                    topic_id: tid.to_owned(),
                                    name: t.data.name.clone(),
                                    slug: t.data.slug.clone(),
                                    level: Level::new(m.level).unwrap_or(Level::KNOWS),
                                })
                            })
                            .collect();
                        Some(lotsen_domain::card::lotse_card(id, lotse, &skills, 2))
                    })
                    .collect::<Vec<String>>()
            })
        })
    });

    let departments = Memo::new(move |_| state.data.with(|d| d.departments()));
    let has_query = Memo::new(move |_| {
        !q.get().trim().is_empty() || !bereich.get().is_empty() || stufe.get().is_some()
    });
    let nothing_found = Memo::new(move |_| portion.with(|p| p.total == 0));

    view! {
        <section class="search">
            <h1>"Wobei brauchen Sie Hilfe?"</h1>
            <form class="search-form" role="search" on:submit=|ev| ev.prevent_default()>
                <label for="q" class="search-label">"Thema, Stichwort, Name oder Bereich"</label>
                <input
                    id="q"
                    type="search"
                    name="q"
                    autocomplete="off"
                    placeholder="z. B. E-Akte, Videokonferenz, OZG"
                    prop:value=move || q.get()
                    on:input=move |ev| search_typed(event_target_value(&ev), bereich.get_untracked(), stufe.get_untracked(), true)
                />
                <div class="filters">
                    <div class="field">
                        <label for="bereich">"Bereich des Lotsen"</label>
                        <select id="bereich" on:change=move |ev| search_in_department(q.get_untracked(), event_target_value(&ev), stufe.get_untracked(), false)>
                            <option value="" selected=move || bereich.get().is_empty()>"alle Bereiche"</option>
                            {move || departments.get().into_iter().map(|d| {
                                let selected = bereich.get() == d;
                                view! { <option value=d.clone() selected=selected>{d.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="stufe">"Mindestens"</label>
                        <select id="stufe" on:change=move |ev| search_from_level(q.get_untracked(), bereich.get_untracked(), event_target_value(&ev).parse().ok(), false)>
                            <option value="" selected=move || stufe.get().is_none()>"jede Stufe"</option>
                            <option value="2" selected=move || stufe.get() == Some(2)>"kann helfen"</option>
                            <option value="3" selected=move || stufe.get() == Some(3)>"kann schulen"</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="mein-bereich">"Mein Bereich (zuerst zeigen)"</label>
                        <select id="mein-bereich" on:change=move |ev| {
                            let v = event_target_value(&ev);
                            crate::drafts::save_text(OWN_DEPARTMENT_KEY, &v);
                            own.set(v);
                        }>
                            <option value="" selected=move || own.get().is_empty()>"nicht gewählt"</option>
                            {move || departments.get().into_iter().map(|d| {
                                let selected = own.get() == d;
                                view! { <option value=d.clone() selected=selected>{d.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                </div>
            </form>

            // One live region that stays in place, so screen readers announce each new count
            // (a region inserted anew with every keystroke is often not read out).
            <p class="result-count" role="status" data-testid="result-count">
                {move || {
                    if !state.directory.get() || !has_query.get() {
                        return String::new();
                    }
                    let p = portion.get();
                    match p.total {
                        0 => "Keine Lotsen gefunden. Versuchen Sie ein anderes Wort oder schauen Sie in die Themenliste.".to_owned(),
                        1 => "1 Lotse gefunden".to_owned(),
                        n => format!("{n} Lotsen gefunden{}", p.range_de()),
                    }
                }}
            </p>
            {move || (!state.directory.get()).then(|| view! { <Loading/> })}
            {move || (state.directory.get() && !has_query.get()).then(|| view! { <Intro/> })}
            // Mounted once and hidden without a query: the first key of a search only fills
            // the slots, instead of building the whole block.
            <div class="results" hidden=move || !state.directory.get() || !has_query.get()>
                        {move || {
                            let topics = chips.get();
                            (!topics.is_empty()).then(|| view! {
                                <nav class="topic-chips" aria-label="Passende Themen">
                                    <span>"Passende Themen: "</span>
                                    <ul>
                                        {topics.into_iter().map(|(slug, name)| view! {
                                            <li><a href=format!("/themen/{slug}")>{name}</a></li>
                                        }).collect_view()}
                                    </ul>
                                </nav>
                            })
                        }}
                        // A slot per card of a page, each keeping its element: a keystroke sets
                        // the HTML of the slots whose card changed. Keyed items were built and
                        // removed with every key (most keys bring new cards), which was most of a
                        // keystroke's time at city scale.
                        <ol class="cards" aria-label="Gefundene Lotsen" tabindex="-1" data-testid="results">
                            {(0..PER_PAGE).map(|i| {
                                let card = Memo::new(move |_| cards.with(|c| c.get(i).cloned()));
                                view! {
                                    <li hidden=move || card.with(Option::is_none)
                                        inner_html=move || card.get().unwrap_or_default()></li>
                                }
                            }).collect_view()}
                        </ol>
                        {move || {
                            let (q, bereich, stufe) = (q.get(), bereich.get(), stufe.get());
                            pager(portion.get(), move |p| paged_url(&q, &bereich, stufe, p), "Seiten der Suchergebnisse", ".results .cards")
                        }}
                        {move || nothing_found.get().then(|| view! {
                            <p><A href="/anliegen/neu">"Anliegen trotzdem senden"</A> " – das Projektbüro leitet es weiter."</p>
                        })}
            </div>
        </section>
    }
}

#[component]
fn Intro() -> impl IntoView {
    let state = state();
    // The first twelve topics in category order: names only, not a copy of every topic.
    let first = Memo::new(move |_| {
        state.data.with(|d| {
            d.topics_by_category()
                .into_iter()
                .flat_map(|(_, topics)| topics)
                .take(12)
                .map(|(_, t)| t.name)
                .collect::<Vec<String>>()
        })
    });
    view! {
        <div class="intro">
            <p>
                "Die Digitalen Lotsen sind Kolleginnen und Kollegen aus allen Bereichen der Stadtverwaltung. "
                "Sie helfen bei DMS und E-Akte, OZG-Onlinediensten, Office, Videokonferenzen und anderen digitalen Fragen."
            </p>
            <h2>"Häufige Themen"</h2>
            {move || {
                let names = first.get();
                if names.is_empty() {
                    view! { <p>"Noch keine Themen geladen. Sobald eine Verbindung besteht, werden sie abgeglichen."</p> }.into_any()
                } else {
                    view! {
                        <ul class="topic-grid">
                            {names.into_iter().map(|name| {
                                let href = format!("/suche?q={}", url_encode(&name));
                                view! { <li><a href=href>{name}</a></li> }
                            }).collect_view()}
                        </ul>
                        <p><a href="/themen">"Alle Themen nach Bereich"</a></p>
                    }.into_any()
                }
            }}
        </div>
    }
}
