//! `/arbeitsplatz?status=&thema=&seite=`: the requests a Lotse works through, open ones for
//! their topics first; `/arbeitsplatz/{id}`: one request — take it over, forward it to the
//! Projektbüro, close it, write notes (public for the requester, or internal).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use lotsen_domain::model::{Request, Status, MAX_DESCRIPTION};
use lotsen_domain::protocol::FieldError;
use lotsen_domain::Collection;
use serde_json::json;

use crate::clock::{at_local, now_utc};
use crate::components::{page_from_query, state, Loading};
use crate::drafts;
use crate::forms::TopicOptions;
use crate::pages::conflicts::ConflictList;
use crate::pages::{page_param, query_string, url_encode};
use crate::state::{AppState, Records};
use crate::store::new_uuid;
use lotsen_domain::paging::Portion;

const PAGE: usize = 25;

fn is_open(s: Status) -> bool {
    matches!(
        s,
        Status::Neu | Status::InBearbeitung | Status::Weitergeleitet
    )
}

/// The topics the logged-in Lotse has a skill in.
fn my_topics(state: &AppState, d: &Records) -> Vec<String> {
    state
        .user
        .with(|u| u.as_ref().and_then(|u| u.lotse.clone()))
        .and_then(|id| d.lotsen.get(&id))
        .map(|l| l.data.skills.iter().map(|s| s.topic.clone()).collect())
        .unwrap_or_default()
}

/// Shown instead of the screen to someone not logged in.
fn login_first(path: &str) -> AnyView {
    view! {
        <p>"Der Arbeitsplatz ist für Digitale Lotsen und das Projektbüro. Bitte "
            <A href=format!("/anmelden?weiter={}", url_encode(path))>"melden Sie sich an"</A> "."</p>
    }
    .into_any()
}

/// Where a request stands in the logged-in person's queue: the higher, the earlier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Other,
    /// In one of the Lotse's topics.
    Topic,
    /// For the Projektbüro: addressed to a Lotse who is no longer active.
    Left,
    /// Addressed to this Lotse.
    Addressed,
}

/// The rank of `r` for the Lotse `me` (None: the Projektbüro or a Lotse without profile).
fn rank(r: &Request, me: Option<&str>, my_topics: &[String], d: &Records) -> Rank {
    match (r.lotse.as_deref(), me) {
        (Some(to), Some(me)) if to == me => return Rank::Addressed,
        (Some(to), None) if !d.lotsen.get(to).is_some_and(|l| l.data.active) => return Rank::Left,
        _ => {}
    }
    if r.topic.as_ref().is_some_and(|t| my_topics.contains(t)) {
        Rank::Topic
    } else {
        Rank::Other
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Row {
    id: String,
    request: Request,
    topic: Option<String>,
    rank: Rank,
    assignee: Option<String>,
    pending: bool,
}

#[component]
pub fn WorkplacePage() -> impl IntoView {
    let state = state();
    crate::set_title("Arbeitsplatz");
    let query = use_query_map();
    let navigate = use_navigate();
    let status = Memo::new(move |_| {
        query
            .with(|q| q.get("status"))
            .unwrap_or_else(|| "offen".into())
    });
    let topic = Memo::new(move |_| query.with(|q| q.get("thema")).unwrap_or_default());
    let page = page_from_query();
    let href = move |status: &str, topic: &str, page: usize| {
        let status = if status == "offen" { "" } else { status };
        let query = query_string(&[
            ("status", status),
            ("thema", topic),
            ("seite", &page_param(page)),
        ]);
        format!("/arbeitsplatz{query}")
    };
    // All matching requests are ranked by id and sort keys only; the page shown gets its rows.
    // (A Lotse's device holds every request: 10,000 clones at every change took too long.)
    let ranked = Memo::new(move |_| {
        let (status, topic) = (status.get(), topic.get());
        state.data.with(|d| {
            let mine = my_topics(&state, d);
            let me = state
                .user
                .with(|u| u.as_ref().and_then(|u| u.lotse.clone()));
            let topic_id = d.topic_by_slug(&topic).map(|(id, _)| id.clone());
            let mut ranked: Vec<(Rank, &str, &String)> = d
                .requests
                .iter()
                .filter(|(_, r)| match status.as_str() {
                    "offen" => is_open(r.data.status),
                    "alle" => true,
                    s => r.data.status.as_str() == s,
                })
                .filter(|(_, r)| topic.is_empty() || r.data.topic == topic_id)
                .map(|(id, r)| {
                    (
                        rank(&r.data, me.as_deref(), &mine, d),
                        r.updated_at.as_str(),
                        id,
                    )
                })
                .collect();
            // What is addressed to the Lotse first, then their own topics, then the newest; the
            // server's time is the same fixed-width format everywhere, so comparing strings
            // orders by time.
            ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(a.1)));
            ranked
                .into_iter()
                .map(|(rank, _, id)| (id.clone(), rank))
                .collect::<Vec<_>>()
        })
    });
    let portion = Memo::new(move |_| Portion::of(ranked.with(Vec::len), page.get(), PAGE));
    let rows = Memo::new(move |_| {
        let portion = portion.get();
        ranked.with(|ranked| {
            state.data.with(|d| {
                portion
                    .slice(ranked)
                    .iter()
                    .filter_map(|(id, rank)| {
                        let r = d.requests.get(id)?;
                        Some(Row {
                            id: id.clone(),
                            topic: r
                                .data
                                .topic
                                .as_ref()
                                .and_then(|t| d.topic_name(t))
                                .map(str::to_owned),
                            rank: *rank,
                            assignee: r.data.assignee.as_ref().map(|a| {
                                d.lotsen
                                    .get(a)
                                    .map(|l| l.data.name.clone())
                                    .unwrap_or_default()
                            }),
                            request: r.data.clone(),
                            pending: r.pending,
                        })
                    })
                    .collect::<Vec<_>>()
            })
        })
    });
    let open_status = move |url: String| navigate(&url, Default::default());
    let open_topic = open_status.clone();

    view! {
        <h1>"Arbeitsplatz"</h1>
        {move || {
            if state.user.with(Option::is_none) {
                return login_first("/arbeitsplatz");
            }
            if !state.loaded.get() {
                return view! { <Loading/> }.into_any();
            }
            ().into_any()
        }}
        <ConflictList/>
        <form class="filters" role="search" aria-label="Anliegen filtern" on:submit=|ev: leptos::ev::SubmitEvent| ev.prevent_default()>
            <div class="field">
                <label for="filter-status">"Status"</label>
                <select id="filter-status" on:change=move |ev| open_status(href(&event_target_value(&ev), &topic.get_untracked(), 1))>
                    {[("offen", "Offen (neu, in Bearbeitung, weitergeleitet)"), ("neu", "Neu"), ("in_bearbeitung", "In Bearbeitung"),
                      ("weitergeleitet", "Weitergeleitet"), ("erledigt", "Erledigt"), ("abgelehnt", "Abgelehnt"), ("alle", "Alle")]
                        .into_iter().map(|(v, label)| view! {
                            <option value=v selected=move || status.get() == v>{label}</option>
                        }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="filter-topic">"Thema"</label>
                <select id="filter-topic" on:change=move |ev| open_topic(href(&status.get_untracked(), &event_target_value(&ev), 1))>
                    <TopicOptions none="Alle Themen" by_slug=true selected=topic/>
                </select>
            </div>
        </form>
        {move || {
            if state.user.with(Option::is_none) {
                return ().into_any();
            }
            let Portion { total, page, pages, .. } = portion.get();
            let shown = rows.get();
            let (status, topic) = (status.get(), topic.get());
            view! {
                <p role="status" data-testid="workplace-count">
                    {match total { 0 => "Keine Anliegen mit diesen Filtern.".to_owned(), 1 => "1 Anliegen".to_owned(), n => format!("{n} Anliegen") }}
                    {(pages > 1).then(|| format!(", Seite {page} von {pages}"))}
                </p>
                <ul class="requests" aria-label="Anliegen">
                    {shown.into_iter().map(|r| view! { <WorkItem row=r/> }).collect_view()}
                </ul>
                {(pages > 1).then(|| view! {
                    <nav class="pager" aria-label="Seiten">
                        {(page > 1).then(|| view! { <A href=href(&status, &topic, page - 1)>"Vorherige Seite"</A> })}
                        {(page < pages).then(|| view! { <A href=href(&status, &topic, page + 1)>"Nächste Seite"</A> })}
                    </nav>
                })}
            }.into_any()
        }}
    }
}

#[component]
fn WorkItem(row: Row) -> impl IntoView {
    view! {
        <li class="card request" data-testid="work-item">
            <h2 class="card-title"><A href=format!("/arbeitsplatz/{}", row.id)>{row.request.title.clone()}</A></h2>
            <p>
                <span class="kind">{row.request.kind.label()}</span>
                {row.topic.map(|t| view! { " zu " {t} })}
                {match row.rank {
                    Rank::Addressed => Some(view! { " " <span class="badge addressed">"an Sie gerichtet"</span> }.into_any()),
                    Rank::Left => Some(view! { " " <span class="badge addressed">"an eine Lotsin oder einen Lotsen gerichtet, die nicht mehr aktiv sind"</span> }.into_any()),
                    Rank::Topic => Some(view! { " " <span class="badge">"Ihr Thema"</span> }.into_any()),
                    Rank::Other => None,
                }}
            </p>
            <p>
                "Status: " <span class=format!("status status-{}", row.request.status.as_str())>{row.request.status.label()}</span>
                {row.assignee.map(|a| view! { " · Zuständig: " {a} })}
                {row.pending.then(|| view! { " · " <span class="status pending">"Änderung wartet auf Übertragung"</span> })}
            </p>
        </li>
    }
}

#[component]
pub fn WorkItemPage() -> impl IntoView {
    let state = state();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let record = Memo::new(move |_| {
        let id = id.get();
        state
            .data
            .with(|d| d.requests.get(&id).map(|r| (r.data.clone(), r.pending)))
    });
    Effect::new(move |_| {
        let title = record.with(|r| r.as_ref().map(|(r, _)| r.title.clone()));
        crate::set_title(&title.unwrap_or_else(|| "Anliegen".into()));
    });
    let error = RwSignal::new(None::<String>);

    let set_status = move |status: Status, take_over: bool| {
        let Some((mut request, _)) = record.get_untracked() else {
            return;
        };
        request.set_status(status, &now_utc());
        if take_over {
            request.assignee = state
                .user
                .with_untracked(|u| u.as_ref().and_then(|u| u.lotse.clone()));
        }
        let id = id.get_untracked();
        let data = serde_json::to_value(&request).unwrap_or_default();
        spawn_local(async move {
            if let Err(e) = state.edit(Collection::Requests, &id, data, false).await {
                error.set(Some(format!("Konnte nicht gespeichert werden: {e}")));
            }
        });
    };

    view! {
        <p><A href="/arbeitsplatz">"← Zurück zum Arbeitsplatz"</A></p>
        {move || {
            if state.user.with(Option::is_none) {
                return view! { <h1>"Anliegen"</h1> {login_first(&format!("/arbeitsplatz/{}", id.get()))} }.into_any();
            }
            if !state.loaded.get() {
                return view! { <Loading/> }.into_any();
            }
            let Some((request, pending)) = record.get() else {
                return view! { <h1>"Anliegen nicht gefunden"</h1><p>"Dieses Anliegen gibt es (auf diesem Gerät) nicht."</p> }.into_any();
            };
            let name_of = |d: &Records, id: &String| d.lotsen.get(id).map(|l| l.data.name.clone()).unwrap_or_else(|| "unbekannt".into());
            let (topic, assignee, addressed) = state.data.with(|d| (
                request.topic.as_ref().and_then(|t| d.topic_name(t)).map(str::to_owned),
                request.assignee.as_ref().map(|a| name_of(d, a)),
                request.lotse.as_ref().map(|a| name_of(d, a)),
            ));
            let can_take = state.user.with(|u| u.as_ref().is_some_and(|u| u.lotse.is_some()))
                && (request.assignee.is_none() || request.status != Status::InBearbeitung);
            let open = is_open(request.status);
            let requester = request.requester.clone();
            view! {
                <h1>{request.title.clone()}</h1>
                <dl class="facts">
                    <dt>"Art"</dt><dd>{request.kind.label()}</dd>
                    <dt>"Thema"</dt><dd>{topic.unwrap_or_else(|| "kein bestimmtes Thema".into())}</dd>
                    <dt>"Status"</dt>
                    <dd><span class=format!("status status-{}", request.status.as_str()) data-testid="work-status">{request.status.label()}</span>
                        {pending.then_some(" (Änderung wartet auf Übertragung)")}</dd>
                    {addressed.map(|name| view! { <dt>"Gerichtet an"</dt><dd data-testid="work-addressed">{name}</dd> })}
                    <dt>"Zuständig"</dt><dd data-testid="work-assignee">{assignee.unwrap_or_else(|| "noch niemand".into())}</dd>
                    {request.created_at.as_deref().map(|t| view! { <dt>"Eingegangen"</dt><dd>{at_local(t)}</dd> })}
                    {request.closed_at.as_deref().filter(|_| !open).map(|t| view! { <dt>"Abgeschlossen"</dt><dd>{at_local(t)}</dd> })}
                    <dt>"Anfragende Person"</dt>
                    <dd>
                        {[requester.name, requester.department, requester.contact].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", ")}
                    </dd>
                </dl>
                {(!request.description.is_empty()).then(|| view! { <p class="description">{request.description.clone()}</p> })}
                <div class="actions" role="group" aria-label="Status ändern">
                    {can_take.then(|| view! {
                        <button type="button" class="button" on:click=move |_| set_status(Status::InBearbeitung, true)>"Übernehmen"</button>
                    })}
                    {(open && request.status != Status::Weitergeleitet).then(|| view! {
                        <button type="button" class="button secondary" on:click=move |_| set_status(Status::Weitergeleitet, false)>"An das Projektbüro weiterleiten"</button>
                    })}
                    {open.then(|| view! {
                        <button type="button" class="button secondary" on:click=move |_| set_status(Status::Erledigt, false)>"Als erledigt abschließen"</button>
                        <button type="button" class="button secondary" on:click=move |_| set_status(Status::Abgelehnt, false)>"Ablehnen"</button>
                    })}
                    {(!open).then(|| view! {
                        <button type="button" class="button secondary" on:click=move |_| set_status(Status::InBearbeitung, false)>"Wieder aufnehmen"</button>
                    })}
                </div>
            }.into_any()
        }}
        {move || error.get().map(|e| view! { <p class="notice warning" role="alert">{e}</p> })}
        {move || record.with(Option::is_some).then(|| view! {
            <ConflictList key=crate::store::key("requests", &id.get())/>
            <Notes request=id.get()/>
        })}
    }
}

fn note_draft_key(request: &str) -> String {
    format!("{}notiz.{request}", drafts::PRIVATE_PREFIX)
}

#[component]
fn Notes(request: String) -> impl IntoView {
    let state = state();
    let draft_key = note_draft_key(&request);
    let text = RwSignal::new(drafts::load_text(&draft_key).unwrap_or_default());
    let internal = RwSignal::new(true);
    let error = RwSignal::new(None::<FieldError>);
    let request_id = request.clone();
    let notes = Memo::new(move |_| {
        state.data.with(|d| {
            let mut n: Vec<(String, lotsen_domain::model::Note, String, bool)> = d
                .notes
                .iter()
                .filter(|(_, n)| n.data.request == request_id)
                .map(|(id, n)| (id.clone(), n.data.clone(), n.updated_at.clone(), n.pending))
                .collect();
            // Notes waiting for transfer have no server time yet: they are the newest.
            n.sort_by(|a, b| a.3.cmp(&b.3).then_with(|| a.2.cmp(&b.2)));
            n
        })
    });
    let key_for_input = draft_key.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let author = state.data.with_untracked(|d| {
            state.user.with_untracked(|u| {
                u.as_ref()
                    .map(|u| {
                        u.lotse
                            .as_ref()
                            .and_then(|l| d.lotsen.get(l))
                            .map(|l| l.data.name.clone())
                            .unwrap_or_else(|| u.username.clone())
                    })
                    .unwrap_or_default()
            })
        });
        let data = json!({
            "request": request,
            "text": text.get_untracked(),
            "author": author,
            "internal": internal.get_untracked(),
        });
        let id = new_uuid();
        let checked = state
            .data
            .with_untracked(|d| d.validate(Collection::Notes, &id, &data));
        let data = match checked {
            Ok(d) => d,
            // The form has one field: its first problem is the one to show there.
            Err(errors) => {
                error.set(errors.into_iter().next());
                focus_note();
                return;
            }
        };
        error.set(None);
        let key = draft_key.clone();
        spawn_local(async move {
            match state.edit(Collection::Notes, &id, data, false).await {
                Ok(()) => {
                    text.set(String::new());
                    drafts::clear(&key);
                }
                Err(e) => error.set(Some(FieldError::new(
                    "store",
                    format!("Konnte nicht gespeichert werden: {e}"),
                    None,
                ))),
            }
        });
    };
    view! {
        <section class="notes" aria-labelledby="notes-heading">
            <h2 id="notes-heading">"Notizen und Antworten"</h2>
            {move || {
                let list = notes.get();
                if list.is_empty() {
                    return view! { <p>"Noch keine Notizen."</p> }.into_any();
                }
                view! {
                    <ul>
                        {list.into_iter().map(|(_, n, at, pending)| view! {
                            <li class=if n.internal { "note internal" } else { "note public" } data-testid="note">
                                <p class="muted">
                                    {if n.internal { "Intern" } else { "Antwort an die anfragende Person" }}
                                    " · " {n.author.clone()}
                                    {if pending { " · wartet auf Übertragung".to_owned() } else { format!(" · {}", at_local(&at)) }}
                                </p>
                                <p>{n.text.clone()}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <form class="note-form" on:submit=submit novalidate>
                <div class="field">
                    <label for="note-text">"Neue Notiz"</label>
                    <textarea id="note-text" rows="4" maxlength=MAX_DESCRIPTION.to_string()
                        aria-invalid=move || error.with(Option::is_some).to_string()
                        aria-describedby=move || error.with(Option::is_some).then_some("err-note-text")
                        prop:value=move || text.get()
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            drafts::save_text(&key_for_input, &v);
                            text.set(v);
                        }></textarea>
                    {move || error.get().map(|e| view! { <p class="field-error" id="err-note-text" role="alert">{e.message}</p> })}
                </div>
                <fieldset>
                    <legend>"Wer darf die Notiz sehen?"</legend>
                    <label class="choice" for="note-internal">
                        <input type="radio" id="note-internal" name="note-visibility" prop:checked=move || internal.get()
                            on:change=move |_| internal.set(true)/>
                        "Intern – nur Lotsen und Projektbüro"
                    </label>
                    <label class="choice" for="note-public">
                        <input type="radio" id="note-public" name="note-visibility" prop:checked=move || !internal.get()
                            on:change=move |_| internal.set(false)/>
                        "Antwort – auch die anfragende Person sieht sie unter „Meine Anliegen“"
                    </label>
                </fieldset>
                <button type="submit" class="button">"Notiz speichern"</button>
            </form>
        </section>
    }
}

fn focus_note() {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("note-text"))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
    {
        let _ = el.focus();
    }
}
