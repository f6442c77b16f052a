//! `/themen` (the catalogue by category) and `/themen/{slug}` (who helps, upcoming events).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use lotsen_domain::model::{Level, Lotse};
use lotsen_domain::paging::Portion;

use crate::components::{
    by_heading, lotse_card_item, page_from_query, pager, portion_of, state, Loading, ShownSkill,
};

/// Topics per page of the catalogue, under their category headings.
const CATALOGUE_PER_PAGE: usize = 60;
/// Helpers per page of a topic: a screenful of cards (a popular topic has hundreds).
const HELPERS_PER_PAGE: usize = 25;

#[component]
pub fn TopicsPage() -> impl IntoView {
    let state = state();
    crate::set_title("Themen");
    // Every topic in category order with its number of helpers; a page shows up to 60 of them
    // under their category headings.
    let entries = Memo::new(move |_| {
        state.data.with(|d| {
            let helpers = d.active_helpers();
            d.topics_by_category()
                .into_iter()
                .flat_map(|(cat, topics)| {
                    let helpers = &helpers;
                    topics.into_iter().map(move |(id, t)| {
                        let n = helpers.get(&id).copied().unwrap_or(0);
                        (cat.clone(), (t.slug, t.name, n))
                    })
                })
                .collect::<Vec<_>>()
        })
    });
    let (portion, shown) = portion_of(entries, page_from_query(), CATALOGUE_PER_PAGE);
    let groups = Memo::new(move |_| shown.with(|entries| by_heading(entries)));
    view! {
        <h1>"Themen"</h1>
        <p>"Alle Themen, zu denen Digitale Lotsen helfen, nach Bereich geordnet."</p>
        {move || {
            if !state.directory.get() {
                return view! { <Loading/> }.into_any();
            }
            view! {
                <p role="status" data-testid="list-count">{move || {
                    let p = portion.get();
                    (p.pages > 1).then(|| format!("{} Themen{}", p.total, p.range_de()))
                }}</p>
                <div class="catalogue" tabindex="-1" aria-label="Themen dieser Seite">
                    {move || groups.get().into_iter().map(|(cat, topics)| view! {
                        <section class="category">
                            <h2>{cat}</h2>
                            <ul class="topic-list">
                                {topics.into_iter().map(|(slug, name, helpers)| view! {
                                    <li>
                                        <A href=format!("/themen/{slug}")>{name}</A>
                                        <span class="muted">
                                            {match helpers { 0 => " – noch kein Lotse".to_owned(), 1 => " – 1 Lotse".to_owned(), n => format!(" – {n} Lotsen") }}
                                        </span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }).collect_view()}
                </div>
                {move || pager(portion.get(), |p| if p > 1 { format!("/themen?seite={p}") } else { "/themen".to_owned() }, "Seiten des Themenkatalogs", ".catalogue")}
            }.into_any()
        }}
    }
}

fn print() {
    if let Some(w) = web_sys::window() {
        // Printing can be refused (a sandboxed frame); the page then stays as it is.
        let _ = w.print();
    }
}

/// The QR code of the printed poster: the address of this topic page, so that a colleague
/// passing the notice board opens it on the phone. Only on paper (see the print styles).
fn poster_code(slug: &str) -> Option<impl IntoView> {
    let origin = web_sys::window()?.location().origin().ok()?;
    let url = format!("{origin}/themen/{slug}");
    let qr = lotsen_domain::qr::Qr::encode(&url)?;
    let quiet = lotsen_domain::qr::QUIET_ZONE;
    let (origin_at, side) = (format!("-{quiet}"), (qr.size() + 2 * quiet).to_string());
    Some(view! {
        <figure class="poster-code print-only" data-testid="poster-code">
            <svg viewBox=qr.view_box() role="img" aria-label="QR-Code mit der Adresse dieser Seite" shape-rendering="crispEdges">
                <rect x=origin_at.clone() y=origin_at width=side.clone() height=side fill="#fff"></rect>
                <path d=qr.svg_path() fill="#000"></path>
            </svg>
            <figcaption>"Diese Seite auf dem Handy öffnen: " <span class="poster-url">{url.clone()}</span></figcaption>
        </figure>
    })
}

#[component]
pub fn TopicPage() -> impl IntoView {
    let state = state();
    let params = use_params_map();
    let slug = Memo::new(move |_| params.with(|p| p.get("slug").unwrap_or_default()));
    let helper_page = page_from_query();
    let page = Memo::new(move |_| {
        let slug = slug.get();
        state.data.with(|d| {
            let (id, topic) = d.topic_by_slug(&slug)?;
            // All helpers are ranked (ids and levels only); the page shown gets the cards.
            let mut ranked: Vec<(&String, &Lotse, Level)> = d
                .lotsen
                .iter()
                .filter(|(_, l)| l.data.active)
                .filter_map(|(lid, l)| {
                    let s = l.data.skills.iter().find(|s| &s.topic == id)?;
                    Some((lid, &l.data, s.level))
                })
                .collect();
            ranked.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.1.name.cmp(&b.1.name)));
            let portion = Portion::of(ranked.len(), helper_page.get(), HELPERS_PER_PAGE);
            let helpers: Vec<(String, Lotse, ShownSkill)> = portion
                .slice(&ranked)
                .iter()
                .map(|(lid, l, level)| {
                    (
                        (*lid).clone(),
                        (*l).clone(),
                        ShownSkill {
                            topic_id: id.clone(),
                            name: topic.name.clone(),
                            slug: topic.slug.clone(),
                            level: *level,
                        },
                    )
                })
                .collect();
            let now = crate::clock::now_local();
            let events = super::events::upcoming(d, &now, Some(id.as_str()));
            Some((topic.clone(), helpers, portion, events))
        })
    });
    Effect::new(move |_| {
        let title = page
            .with(|p| p.as_ref().map(|(t, _, _, _)| t.name.clone()))
            .unwrap_or_else(|| "Thema".to_owned());
        crate::set_title(&title);
    });
    move || {
        if !state.directory.get() {
            return view! { <Loading/> }.into_any();
        }
        let Some((topic, helpers, portion, events)) = page.get() else {
            return view! {
                <h1>"Thema nicht gefunden"</h1>
                <p>"Dieses Thema gibt es (noch) nicht. " <A href="/themen">"Zur Themenliste"</A></p>
            }
            .into_any();
        };
        let slug = topic.slug.clone();
        view! {
            <article class="topic">
                <p class="breadcrumb"><A href="/themen">"Themen"</A> " › " {topic.category.clone()}</p>
                <p class="print-only poster-kicker">"Digitale Lotsen der Stadt Soest – Kolleginnen und Kollegen helfen Ihnen weiter"</p>
                <h1>{topic.name.clone()}</h1>
                {(!topic.description.is_empty()).then(|| view! { <p class="lead">{topic.description.clone()}</p> })}
                {(!topic.synonyms.is_empty()).then(|| view! {
                    <p class="muted">"Auch gesucht als: " {topic.synonyms.join(", ")}</p>
                })}
                <p class="topic-actions">
                    <A href=format!("/anliegen/neu?thema={slug}") attr:class="button">"Anliegen zu diesem Thema senden"</A>
                    " "
                    <button type="button" class="button secondary" data-testid="print-poster" on:click=|_| print()>"Als Aushang drucken"</button>
                </p>
                {poster_code(&slug)}
                <section>
                    <h2>"Wer hilft?"</h2>
                    <p role="status" data-testid="list-count">{match portion.total {
                        0 => String::new(),
                        1 => "1 Lotse hilft zu diesem Thema.".to_owned(),
                        n => format!("{n} Lotsen helfen zu diesem Thema{}.", portion.range_de()),
                    }}</p>
                    {if helpers.is_empty() {
                        view! { <p>"Zu diesem Thema gibt es noch keine Lotsin und keinen Lotsen. Senden Sie Ihr Anliegen trotzdem – das Projektbüro kümmert sich."</p> }.into_any()
                    } else {
                        let base = format!("/themen/{slug}");
                        view! {
                            <ul class="cards helpers" tabindex="-1" aria-label="Lotsen zu diesem Thema">
                                {helpers.into_iter().map(|(id, l, s)| view! {
                                    {lotse_card_item(&id, &l, &[s], 3)}
                                }).collect_view()}
                            </ul>
                            {pager(portion, move |p| if p > 1 { format!("{base}?seite={p}") } else { base.clone() }, "Seiten der Lotsen zu diesem Thema", ".helpers")}
                        }.into_any()
                    }}
                </section>
                <section>
                    <h2>"Nächste Termine"</h2>
                    {if events.is_empty() {
                        view! { <p>"Zurzeit sind keine Schulungen oder Vorträge zu diesem Thema geplant."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="events">
                                {events.into_iter().map(|shown| view! { <super::events::EventItem shown=shown/> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            </article>
        }
        .into_any()
    }
}
