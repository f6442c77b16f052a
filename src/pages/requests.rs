//! `/anliegen`: the requests handed in from this device, with their status and public notes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use lotsen_domain::model::{Request, Status};
use lotsen_domain::Collection;

use crate::clock::format_time;
use crate::components::{page_from_query, pager, state, Loading};
use lotsen_domain::paging::Portion;

/// Requests per page.
const PER_PAGE: usize = 25;

#[derive(Clone, Debug, PartialEq)]
struct Row {
    id: String,
    request: Request,
    topic: Option<(String, String)>,
    pending: bool,
    updated_at: String,
    notes: Vec<(String, String)>,
}

#[component]
pub fn RequestsPage() -> impl IntoView {
    let state = state();
    crate::set_title("Meine Anliegen");
    let query = use_query_map();
    let just_sent = Memo::new(move |_| query.with(|q| q.get("gesendet")));
    let page = page_from_query();
    let rows = Memo::new(move |_| {
        // A Lotse's device holds everyone's requests; theirs are the ones made here.
        let logged_in = state.user.with(Option::is_some);
        let own = state.own_requests.get();
        state.data.with(|d| {
            let mut rows: Vec<Row> = d
                .requests
                .iter()
                .filter(|(id, _)| !logged_in || own.contains(id))
                .map(|(id, r)| Row {
                    id: id.clone(),
                    request: r.data.clone(),
                    topic: r
                        .data
                        .topic
                        .as_ref()
                        .and_then(|t| d.topics.get(t))
                        .map(|t| (t.data.slug.clone(), t.data.name.clone())),
                    pending: r.pending,
                    updated_at: r.updated_at.clone(),
                    notes: d
                        .notes
                        .values()
                        .filter(|n| n.data.request == *id && !n.data.internal)
                        .map(|n| (n.data.author.clone(), n.data.text.clone()))
                        .collect(),
                })
                .collect();
            // Waiting ones first, then the newest.
            rows.sort_by(|a, b| {
                b.pending
                    .cmp(&a.pending)
                    .then_with(|| b.updated_at.cmp(&a.updated_at))
            });
            rows
        })
    });
    let conflicts = state.conflicts;

    view! {
        <h1>"Meine Anliegen"</h1>
        <p>"Hier sehen Sie die Anliegen, die Sie von diesem Gerät aus gesendet haben, und was daraus geworden ist."</p>
        {move || just_sent.get().map(|_| view! {
            <p class="notice success" role="status">
                "Ihr Anliegen ist gespeichert. "
                {move || if state.sync.with(|s| s.online) { "Es wird jetzt übertragen." } else { "Es wird übertragen, sobald wieder eine Verbindung besteht." }}
            </p>
        })}
        {move || {
            // A Lotse's conflicts from the workplace are shown there, not among their own requests.
            let logged_in = state.user.with(Option::is_some);
            let own = state.own_requests.get();
            let cs: Vec<_> = conflicts
                .get()
                .into_iter()
                .filter(|c| !logged_in || (c.collection == "requests" && own.contains(&c.id)))
                .collect();
            (!cs.is_empty()).then(|| view! {
                <section class="conflicts">
                    <h2>"Nicht übernommene Änderungen"</h2>
                    <ul>
                        {cs.into_iter().map(|c| {
                            let at = c.at;
                            let title = c.local.get("title").and_then(|t| t.as_str()).unwrap_or("Eintrag").to_owned();
                            let description = c.local.get("description").and_then(|t| t.as_str()).unwrap_or_default().to_owned();
                            let why = c.refusal()
                                .unwrap_or_else(|| format!("Gleichzeitig geändert: {}", c.fields.join(", ")));
                            let is_request = c.collection == "requests";
                            let local = c.local.clone();
                            let dismiss_id = c.conflict_id.clone();
                            let reuse_id = c.conflict_id.clone();
                            let navigate = use_navigate();
                            view! {
                                <li class="notice warning">
                                    <p><strong>{title}</strong> ": " {why} " (" {format_time(at)} ")"</p>
                                    {(!description.is_empty()).then(|| view! { <p class="description">{description}</p> })}
                                    {is_request.then(|| view! {
                                        <button type="button" class="link-button" on:click=move |_| {
                                            // Nothing typed is lost: the refused text becomes the form's draft again.
                                            super::request_new::restore_draft(&local);
                                            forget(state, reuse_id.clone());
                                            navigate("/anliegen/neu", Default::default());
                                        }>"Als Entwurf übernehmen und erneut senden"</button>
                                        " · "
                                    })}
                                    <button type="button" class="link-button" on:click=move |_| forget(state, dismiss_id.clone())>
                                        "Ausblenden"
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            })
        }}
        {move || {
            if !state.loaded.get() {
                return view! { <Loading/> }.into_any();
            }
            let portion = Portion::of(rows.with(Vec::len), page.get(), PER_PAGE);
            if portion.total == 0 {
                return view! {
                    <p>"Sie haben von diesem Gerät aus noch kein Anliegen gesendet. " <A href="/anliegen/neu">"Anliegen senden"</A></p>
                }.into_any();
            }
            let shown = rows.with(|r| portion.slice(r).to_vec());
            view! {
                {(portion.pages > 1).then(|| view! {
                    <p role="status" data-testid="list-count">{format!("{} Anliegen{}", portion.total, portion.range_de())}</p>
                })}
                <ul class="requests" tabindex="-1" aria-label="Anliegen">
                    {shown.into_iter().map(|r| view! { <RequestItem row=r/> }).collect_view()}
                </ul>
                {pager(portion, |p| if p > 1 { format!("/anliegen?seite={p}") } else { "/anliegen".to_owned() }, "Seiten meiner Anliegen", "ul.requests")}
            }.into_any()
        }}
    }
}

fn forget(state: crate::state::AppState, conflict_id: String) {
    spawn_local(async move {
        if let Some(store) = state.services.store.get_value() {
            let _ = store.dismiss_conflict(&conflict_id).await;
            if let Ok(c) = store.conflicts().await {
                state.conflicts.set(c);
            }
        }
    });
}

#[component]
fn RequestItem(row: Row) -> impl IntoView {
    let state = state();
    let can_withdraw = !row.pending && row.request.status == Status::Neu;
    let status_text = if row.pending {
        "wartet auf Übertragung".to_owned()
    } else {
        row.request.status.label().to_owned()
    };
    let status_class = if row.pending {
        "status pending".to_owned()
    } else {
        format!("status status-{}", row.request.status.as_str())
    };
    let id = row.id.clone();
    let data = serde_json::to_value(&row.request).unwrap_or_default();
    let withdraw = move |_| {
        let (id, data) = (id.clone(), data.clone());
        if let Some(w) = web_sys::window() {
            if !w
                .confirm_with_message("Möchten Sie dieses Anliegen wirklich zurückziehen?")
                .unwrap_or(false)
            {
                return;
            }
        }
        spawn_local(async move {
            let _ = state.edit(Collection::Requests, &id, data, true).await;
        });
    };
    view! {
        <li class="card request" data-testid="request">
            <h2 class="card-title">{row.request.title.clone()}</h2>
            <p>
                <span class="kind">{row.request.kind.label()}</span>
                {row.topic.map(|(slug, name)| view! { " zu " <A href=format!("/themen/{slug}")>{name}</A> })}
            </p>
            <p>"Status: " <span class=status_class data-testid="request-status">{status_text}</span></p>
            {(!row.request.description.is_empty()).then(|| view! { <p class="description">{row.request.description.clone()}</p> })}
            {(!row.notes.is_empty()).then(|| view! {
                <section class="notes">
                    <h3>"Antworten"</h3>
                    <ul>
                        {row.notes.into_iter().map(|(author, text)| view! {
                            <li><p>{text}</p>{(!author.is_empty()).then(|| view! { <p class="muted">"– " {author}</p> })}</li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
            {can_withdraw.then(|| view! {
                <button type="button" class="link-button" on:click=withdraw>"Zurückziehen"</button>
            })}
        </li>
    }
}
