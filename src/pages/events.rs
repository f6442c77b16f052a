//! `/termine?thema={slug}`: upcoming trainings and talks, each downloadable for the calendar
//! (.ics, made in the browser, so it works offline too).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use lotsen_domain::model::Event;
use wasm_bindgen::JsCast;

use crate::clock::{format_local, now_local, now_utc};
use crate::components::{page_from_query, pager, state, Loading};
use crate::forms::TopicOptions;
use crate::pages::{page_param, query_string};
use crate::state::Records;
use lotsen_domain::paging::Portion;

/// Offers `text` as a file download without a server round trip.
fn download(filename: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(filename);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// A file name from the title: letters, digits and dashes only.
fn file_name(title: &str) -> String {
    let folded = lotsen_domain::normalize::fold(title);
    let mut name: String = folded
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let name = name.trim_matches('-');
    if name.is_empty() {
        "termin.ics".to_owned()
    } else {
        format!("{}.ics", &name[..name.len().min(60)])
    }
}

/// An event as the list shows it: the record's id, version and time of its last change make
/// the calendar entry's identity, so a second download updates the entry instead of copying it.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub id: String,
    pub event: Event,
    pub version: u64,
    pub updated_at: String,
    /// Slug and name.
    pub topic: Option<(String, String)>,
}

/// One event as a list item, with the calendar download.
#[component]
pub fn EventItem(shown: Shown) -> impl IntoView {
    let Shown {
        id,
        event,
        version,
        updated_at,
        topic,
    } = shown;
    let title = event.title.clone();
    let ics_event = event.clone();
    let add = move |_| {
        let uid = format!("{id}@lotsenfinder.soest.de");
        // A record not yet synced has no server time; the download still needs one.
        let stamp = if updated_at.is_empty() {
            now_utc()
        } else {
            updated_at.clone()
        };
        let Some(ics) = lotsen_domain::ics::calendar(&lotsen_domain::ics::CalendarEvent {
            uid: &uid,
            sequence: version,
            stamp: &stamp,
            starts_at: &ics_event.starts_at,
            ends_at: &ics_event.ends_at,
            title: &ics_event.title,
            location: &ics_event.location,
            description: &ics_event.description,
        }) else {
            return;
        };
        download(
            &file_name(&ics_event.title),
            "text/calendar;charset=utf-8",
            &ics,
        );
    };
    view! {
        <li data-testid="event">
            <h3>{title.clone()}</h3>
            <p>
                {format_local(&event.starts_at)} " bis " {format_local(&event.ends_at)}
                {(!event.location.is_empty()).then(|| format!(", {}", event.location))}
            </p>
            {topic.map(|(slug, name)| view! { <p>"Thema: " <A href=format!("/themen/{slug}")>{name}</A></p> })}
            {event.seats.map(|n| view! { <p>{format!("{n} Plätze")}</p> })}
            {(!event.description.is_empty()).then(|| view! { <p>{event.description.clone()}</p> })}
            <button type="button" class="link-button" on:click=add>
                "In den Kalender übernehmen" <span class="visually-hidden">": " {title}</span> " (.ics)"
            </button>
        </li>
    }
}

/// The events not yet over (of one topic, if given), soonest first.
pub fn upcoming(d: &Records, now: &str, topic: Option<&str>) -> Vec<Shown> {
    let mut list: Vec<Shown> = d
        .events
        .iter()
        .filter(|(_, e)| e.data.ends_at.as_str() >= now)
        .filter(|(_, e)| topic.is_none() || e.data.topic.as_deref() == topic)
        .map(|(id, e)| Shown {
            id: id.clone(),
            event: e.data.clone(),
            version: e.version,
            updated_at: e.updated_at.clone(),
            topic: e
                .data
                .topic
                .as_ref()
                .and_then(|t| d.topics.get(t))
                .map(|t| (t.data.slug.clone(), t.data.name.clone())),
        })
        .collect();
    list.sort_by(|a, b| a.event.starts_at.cmp(&b.event.starts_at));
    list
}

/// Events per page.
const PER_PAGE: usize = 25;

fn events_url(topic_slug: &str, page: usize) -> String {
    let query = query_string(&[("thema", topic_slug), ("seite", &page_param(page))]);
    format!("/termine{query}")
}

#[component]
pub fn EventsPage() -> impl IntoView {
    let state = state();
    crate::set_title("Termine");
    let query = use_query_map();
    let navigate = use_navigate();
    let topic = Memo::new(move |_| query.with(|q| q.get("thema")).unwrap_or_default());
    let page = page_from_query();
    let events = Memo::new(move |_| {
        let now = now_local();
        let slug = topic.get();
        state.data.with(|d| {
            // An unknown slug shows nothing rather than everything.
            let topic_id = if slug.is_empty() {
                None
            } else {
                Some(
                    d.topic_by_slug(&slug)
                        .map(|(id, _)| id.clone())
                        .unwrap_or_default(),
                )
            };
            upcoming(d, &now, topic_id.as_deref())
        })
    });
    view! {
        <h1>"Termine: Schulungen und Vorträge"</h1>
        <p>"Das Projektbüro und die Digitalen Lotsen laden ein. Mit „In den Kalender übernehmen“ speichern Sie einen Termin in Outlook oder einem anderen Kalender."</p>
        <form class="filters" role="search" aria-label="Termine filtern" on:submit=|ev: leptos::ev::SubmitEvent| ev.prevent_default()>
            <div class="field">
                <label for="termine-thema">"Thema"</label>
                <select id="termine-thema" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    navigate(&events_url(&v, 1), Default::default());
                }>
                    <TopicOptions none="Alle Themen" by_slug=true selected=topic/>
                </select>
            </div>
        </form>
        {move || {
            if !state.directory.get() {
                return view! { <Loading/> }.into_any();
            }
            let portion = Portion::of(events.with(Vec::len), page.get(), PER_PAGE);
            if portion.total == 0 {
                return view! { <p>"Zurzeit sind keine Termine geplant."</p> }.into_any();
            }
            let shown = events.with(|l| portion.slice(l).to_vec());
            let slug = topic.get();
            view! {
                <p role="status" data-testid="list-count">{match portion.total {
                    1 => "1 Termin".to_owned(),
                    n => format!("{n} Termine{}", portion.range_de()),
                }}</p>
                <ul class="events" tabindex="-1" aria-label="Termine">
                    {shown.into_iter().map(|shown| view! { <EventItem shown=shown/> }).collect_view()}
                </ul>
                {pager(portion, move |p| events_url(&slug, p), "Seiten der Termine", "ul.events")}
            }.into_any()
        }}
    }
}
