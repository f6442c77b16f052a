//! `/buero/bewerbungen?status=`: the applications from "Ein Digi werden?". Accepting one creates
//! the Lotse record prefilled from it (active, the chosen topics at level 1, which the new Lotse
//! adjusts at `/profil`); a login for the new Lotse is made at `/buero/konten`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use lotsen_domain::model::{Application, ApplicationStatus};
use lotsen_domain::validate::is_email;
use lotsen_domain::Collection;
use serde_json::json;

use super::{confirm, BueroOnly, Notice};
use crate::components::{page_from_query, pager, state};
use crate::pages::{page_param, query_string};
use crate::state::AppState;
use crate::store::new_uuid;
use lotsen_domain::paging::Portion;

const PATH: &str = "/buero/bewerbungen";

#[component]
pub fn BueroApplicationsPage() -> impl IntoView {
    crate::set_title("Bewerbungen");
    view! {
        <h1>"Bewerbungen"</h1>
        <p>"Wer über „Ein Digi werden?“ mitmachen möchte. Beim Annehmen entsteht das Lotsen-Profil mit den gewählten Themen (Stufe 1); die neue Lotsin oder der neue Lotse passt es unter „Mein Profil“ an."</p>
        <BueroOnly path=PATH><ApplicationsAdmin/></BueroOnly>
    }
}

/// Applications per page.
const PER_PAGE: usize = 25;

fn applications_url(status: &str, page: usize) -> String {
    let status = if status == "neu" { "" } else { status };
    let query = query_string(&[("status", status), ("seite", &page_param(page))]);
    format!("{PATH}{query}")
}

#[component]
fn ApplicationsAdmin() -> impl IntoView {
    let state = state();
    let query = use_query_map();
    let navigate = use_navigate();
    let status = Memo::new(move |_| {
        query
            .with(|q| q.get("status"))
            .unwrap_or_else(|| "neu".into())
    });
    let notice = Notice::new();
    let page = page_from_query();
    let list = Memo::new(move |_| {
        let status = status.get();
        state.data.with(|d| {
            let mut l: Vec<(String, Application, String)> = d
                .applications
                .iter()
                .filter(|(_, a)| {
                    status == "alle" || ApplicationStatus::parse(&status) == Some(a.data.status)
                })
                .map(|(id, a)| (id.clone(), a.data.clone(), a.updated_at.clone()))
                .collect();
            l.sort_by(|a, b| b.2.cmp(&a.2));
            l
        })
    });
    view! {
        <form class="filters" role="search" aria-label="Bewerbungen filtern" on:submit=|ev: leptos::ev::SubmitEvent| ev.prevent_default()>
            <div class="field">
                <label for="bewerbungen-status">"Status"</label>
                <select id="bewerbungen-status" on:change=move |ev| {
                    navigate(&applications_url(&event_target_value(&ev), 1), Default::default());
                }>
                    {[("neu", "Neu"), ("angenommen", "Angenommen"), ("abgelehnt", "Abgelehnt"), ("alle", "Alle")].into_iter().map(|(v, label)| view! {
                        <option value=v selected=move || status.get() == v>{label}</option>
                    }).collect_view()}
                </select>
            </div>
            <p><a href="/api/v1/export/applications.csv" download>"Alle Bewerbungen als CSV herunterladen"</a></p>
        </form>
        {notice.view()}
        {move || {
            let portion = Portion::of(list.with(Vec::len), page.get(), PER_PAGE);
            if portion.total == 0 {
                return view! { <p>"Keine Bewerbungen mit diesem Status."</p> }.into_any();
            }
            let shown = list.with(|l| portion.slice(l).to_vec());
            let status = status.get();
            view! {
                <p role="status" data-testid="list-count">{match portion.total {
                    1 => "1 Bewerbung".to_owned(),
                    n => format!("{n} Bewerbungen{}", portion.range_de()),
                }}</p>
                <ul class="requests applications" tabindex="-1" aria-label="Bewerbungen">
                    {shown.into_iter().map(|(id, a, at)| view! { <ApplicationItem id=id application=a at=at notice=notice/> }).collect_view()}
                </ul>
                {pager(portion, move |p| applications_url(&status, p), "Seiten der Bewerbungen", ".applications")}
            }.into_any()
        }}
    }
}

#[component]
fn ApplicationItem(
    id: String,
    application: Application,
    at: String,
    notice: Notice,
) -> impl IntoView {
    let state = state();
    let topics = state.data.with_untracked(|d| {
        application
            .topics
            .iter()
            .filter_map(|t| d.topic_name(t).map(str::to_owned))
            .collect::<Vec<_>>()
            .join(", ")
    });
    let is_new = application.status == ApplicationStatus::Neu;
    let name = application.name.clone();
    let (accept_id, reject_id, accept_app, reject_app) = (
        id.clone(),
        id.clone(),
        application.clone(),
        application.clone(),
    );
    let accept = move |_| {
        let (id, a) = (accept_id.clone(), accept_app.clone());
        spawn_local(async move {
            match accept_application(state, &id, &a).await {
                Ok(()) => notice.say(format!(
                    "„{}“ ist angenommen, das Lotsen-Profil ist angelegt. Einen Zugang legen Sie bei Bedarf über den Link an der Bewerbung an.",
                    a.name
                )),
                Err(e) => notice.warn(format!("„{}“ konnte nicht angenommen werden: {e}", a.name)),
            }
            notice.focus();
        });
    };
    let reject = move |_| {
        let (id, a) = (reject_id.clone(), reject_app.clone());
        if !confirm(&format!("Die Bewerbung von „{}“ ablehnen?", a.name)) {
            return;
        }
        spawn_local(async move {
            let data = with_status(&a, "abgelehnt");
            match state.edit(Collection::Applications, &id, data, false).await {
                Ok(()) => notice.say(format!("Die Bewerbung von „{}“ ist abgelehnt.", a.name)),
                Err(e) => notice.warn(format!("Konnte nicht gespeichert werden: {e}")),
            }
            notice.focus();
        });
    };
    view! {
        <li class="card request" data-testid="application">
            <h2 class="card-title">{name.clone()}</h2>
            <dl class="facts">
                <dt>"Bereich"</dt><dd>{application.department.clone()}</dd>
                <dt>"Kontakt"</dt><dd>{application.contact.clone()}</dd>
                <dt>"Themen"</dt><dd>{if topics.is_empty() { "keine angegeben".to_owned() } else { topics }}</dd>
                <dt>"Status"</dt><dd data-testid="application-status">{application.status.label()}</dd>
                {(!at.is_empty()).then(|| view! { <dt>"Eingegangen oder geändert"</dt><dd>{crate::clock::german_date(&at)}</dd> })}
            </dl>
            {(!application.motivation.is_empty()).then(|| view! { <p class="description">{application.motivation.clone()}</p> })}
            {is_new.then(|| view! {
                <div class="actions">
                    <button type="button" class="button" on:click=accept>
                        "Annehmen und Profil anlegen" <span class="visually-hidden">": " {name.clone()}</span>
                    </button>
                    <button type="button" class="button secondary" on:click=reject>
                        "Ablehnen" <span class="visually-hidden">": " {name.clone()}</span>
                    </button>
                </div>
            })}
            // The link to a login for the new profile, while the application still names the
            // person (retention blanks the name after a year).
            {(application.status == ApplicationStatus::Angenommen && !application.name.is_empty()).then(|| {
                let href = match &application.lotse {
                    Some(id) => format!("/buero/konten?lotse={}", crate::pages::url_encode(id)),
                    None => "/buero/konten".to_owned(),
                };
                view! {
                    <p><A href=href>"Zugang (Konto) für " {name.clone()} " anlegen"</A> " (optional, nur mit Verbindung)"</p>
                }
            })}
        </li>
    }
}

fn with_status(a: &Application, status: &str) -> serde_json::Value {
    let mut data = serde_json::to_value(a).unwrap_or_default();
    if let Some(o) = data.as_object_mut() {
        o.insert("status".into(), json!(status));
    }
    data
}

/// Creates the Lotse from the application and marks it accepted, naming the new profile: two
/// edits, the Lotse first, so that an accepted application always has its profile.
async fn accept_application(state: AppState, id: &str, a: &Application) -> Result<(), String> {
    let contact = a.contact.trim();
    let (email, phone) = if is_email(contact) {
        (contact, "")
    } else {
        ("", contact)
    };
    let lotse_id = new_uuid();
    let skills: Vec<_> = state.data.with_untracked(|d| {
        a.topics
            .iter()
            .filter(|t| d.topics.contains_key(*t))
            .map(|t| json!({"topic": t, "level": 1}))
            .collect()
    });
    let lotse = json!({
        "name": a.name, "department": a.department, "phone": phone, "email": email,
        "location": "", "availability": "", "skills": skills, "learning": [],
        "confirmed_at": null, "active": true,
    });
    let lotse = state
        .data
        .with_untracked(|d| d.validate(Collection::Lotsen, &lotse_id, &lotse))
        .map_err(|errors| crate::forms::messages(&errors))?;
    state
        .edit(Collection::Lotsen, &lotse_id, lotse, false)
        .await?;
    let mut accepted = with_status(a, "angenommen");
    if let Some(o) = accepted.as_object_mut() {
        o.insert("lotse".into(), json!(lotse_id));
    }
    state
        .edit(Collection::Applications, id, accepted, false)
        .await
}
