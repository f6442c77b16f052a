//! `/anliegen/neu?thema={slug}&lotse={id}`: hand in a Frage, Wunsch, Anregung or Problem —
//! offline too; addressed to a Lotse when it comes from their card.
//! What is typed is kept as a draft in the browser until it is handed in.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use lotsen_domain::model::{Kind, MAX_DESCRIPTION};
use lotsen_domain::protocol::FieldError;
use lotsen_domain::validate::group;
use lotsen_domain::Collection;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::components::{state, Loading};
use crate::drafts;
use crate::forms::{ErrorSummary, FormErrors, TopicOptions};
use crate::store::new_uuid;

const DRAFT_KEY: &str = "lotsenfinder.entwurf-anliegen";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct Draft {
    kind: String,
    topic: String,
    /// The Lotse it is addressed to (id), or empty.
    lotse: String,
    title: String,
    description: String,
    name: String,
    department: String,
    contact: String,
    /// "Per E-Mail über Antworten informieren".
    notify: bool,
}

/// Makes a refused request the form's draft again (the user finds it at `/anliegen/neu`).
pub fn restore_draft(local: &serde_json::Value) {
    let text = |v: &serde_json::Value, k: &str| {
        v.get(k)
            .and_then(|t| t.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let requester = local.get("requester").cloned().unwrap_or_default();
    drafts::save(
        DRAFT_KEY,
        &Draft {
            kind: text(local, "kind"),
            topic: text(local, "topic"),
            lotse: text(local, "lotse"),
            title: text(local, "title"),
            description: text(local, "description"),
            name: text(&requester, "name"),
            department: text(&requester, "department"),
            contact: text(&requester, "contact"),
            notify: requester.get("notify").and_then(|n| n.as_bool()) == Some(true),
        },
    );
}

/// Every problem of the form at once, each at its field, in the order of the form; or the
/// request to hand in.
fn check(d: &Draft, refs: &crate::state::Records) -> Result<serde_json::Value, Vec<FieldError>> {
    refs.validate(Collection::Requests, "new", &to_data(d))
}

fn to_data(d: &Draft) -> serde_json::Value {
    json!({
        "kind": if d.kind.is_empty() { "frage" } else { d.kind.as_str() },
        "topic": if d.topic.is_empty() { serde_json::Value::Null } else { json!(d.topic) },
        "lotse": if d.lotse.is_empty() { serde_json::Value::Null } else { json!(d.lotse) },
        "title": d.title,
        "description": d.description,
        "requester": {"name": d.name, "department": d.department, "contact": d.contact, "notify": d.notify},
        "status": "neu",
        "assignee": null,
        "created_at": crate::clock::now_utc(),
    })
}

fn field_id(field: &str) -> String {
    match field {
        "requester.name" => "name".into(),
        "requester.department" => "department".into(),
        "requester.contact" => "contact".into(),
        "kind" => "kind-frage".into(),
        other => other.to_owned(),
    }
}

#[component]
pub fn NewRequestPage() -> impl IntoView {
    let state = state();
    crate::set_title("Anliegen senden");
    let query = use_query_map();
    let navigate = use_navigate();
    let draft = RwSignal::new(drafts::load::<Draft>(DRAFT_KEY).unwrap_or_default());
    let errors = FormErrors::new(field_id);
    let saving = RwSignal::new(false);

    // The topic from `?thema=slug` is applied once, when the topics are known; after that the
    // user's own choice stands, whatever later syncs bring.
    let topic_applied = StoredValue::new(false);
    Effect::new(move |_| {
        if topic_applied.get_value() {
            return;
        }
        let slug = query.with_untracked(|q| q.get("thema")).unwrap_or_default();
        if slug.is_empty() {
            topic_applied.set_value(true);
            return;
        }
        // Tracks the data only until the topic is known (on a new device, after the first sync).
        if let Some(id) = state
            .data
            .with(|d| d.topic_by_slug(&slug).map(|(id, _)| id.clone()))
        {
            topic_applied.set_value(true);
            draft.update(|d| d.topic = id);
        }
    });

    // The same for `?lotse=id` (from a Lotse's card): addressed to them while they are active.
    let lotse_applied = StoredValue::new(false);
    Effect::new(move |_| {
        if lotse_applied.get_value() {
            return;
        }
        let id = query.with_untracked(|q| q.get("lotse")).unwrap_or_default();
        if id.is_empty() {
            lotse_applied.set_value(true);
            return;
        }
        if state
            .data
            .with(|d| d.lotsen.get(&id).is_some_and(|l| l.data.active))
        {
            lotse_applied.set_value(true);
            draft.update(|d| d.lotse = id);
            draft.with_untracked(|d| drafts::save(DRAFT_KEY, d));
        }
    });
    let addressee = move || {
        let id = draft.with(|d| d.lotse.clone());
        (!id.is_empty()).then(|| {
            state
                .data
                .with(|d| d.lotsen.get(&id).map(|l| l.data.name.clone()))
                .unwrap_or_else(|| "eine Lotsin oder einen Lotsen, die es nicht mehr gibt".into())
        })
    };
    let remove_addressee = move |_| {
        draft.update(|d| d.lotse.clear());
        draft.with_untracked(|d| drafts::save(DRAFT_KEY, d));
        crate::components::focus_soon(|| {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("kind-frage"))
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        });
    };

    let set = move |f: fn(&mut Draft, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            draft.update(|d| f(d, v));
            draft.with_untracked(|d| drafts::save(DRAFT_KEY, d));
        }
    };
    // The message's id comes from `field_id`, like the `aria-describedby` that points at it.
    let field_error = move |field: &'static str| {
        let id = format!("err-{}", field_id(field));
        move || {
            errors
                .message(field)
                .map(|m| view! { <p class="field-error" id=id.clone()>{m}</p> })
        }
    };
    let invalid = move |field: &'static str| move || errors.message(field).is_some().to_string();
    let described = move |field: &'static str, hint: Option<&'static str>| {
        move || {
            let mut ids: Vec<String> = hint.map(|h| vec![h.to_owned()]).unwrap_or_default();
            if errors.message(field).is_some() {
                ids.push(format!("err-{}", field_id(field)));
            }
            ids.join(" ")
        }
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let d = draft.get_untracked();
        let data = match state.data.with_untracked(|refs| check(&d, refs)) {
            Ok(data) => data,
            Err(found) => {
                errors.show(found);
                return;
            }
        };
        errors.clear();
        saving.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let id = new_uuid();
            match state.edit(Collection::Requests, &id, data, false).await {
                Ok(()) => {
                    drafts::clear(DRAFT_KEY);
                    navigate(&format!("/anliegen?gesendet={id}"), Default::default());
                }
                Err(e) => {
                    errors.show(vec![FieldError::new(
                        "store",
                        format!("Konnte nicht gespeichert werden: {e}"),
                        None,
                    )]);
                    saving.set(false);
                }
            }
        });
    };

    let departments = Memo::new(move |_| state.data.with(|d| d.departments()));
    let description_len = move || draft.with(|d| d.description.chars().count());

    view! {
        <h1>"Anliegen senden"</h1>
        <p>
            "Stellen Sie eine Frage, äußern Sie einen Wunsch oder eine Anregung oder melden Sie ein Problem mit der Digitalisierung. "
            "Ihr Anliegen wird sofort auf diesem Gerät gespeichert – auch ohne Verbindung – und übertragen, sobald das Netz da ist."
        </p>
        <ErrorSummary errors=errors first_field="title" heading=2/>
        {move || (!state.loaded.get()).then(|| view! { <Loading/> })}
        <form class="request-form" on:submit=submit novalidate>
            {move || addressee().map(|name| view! {
                <div class="notice addressee" data-testid="addressee">
                    <p id="lotse" tabindex="-1">"An: " <strong>{name.clone()}</strong></p>
                    <button type="button" class="link-button" on:click=remove_addressee>
                        "Nicht an " {name} " richten"
                    </button>
                    {field_error("lotse")}
                </div>
            })}
            <fieldset>
                <legend>"Art des Anliegens"</legend>
                <div class="choices">
                    {Kind::ALL.into_iter().map(|k| {
                        let value = k.as_str();
                        let id = format!("kind-{value}");
                        let label_for = id.clone();
                        view! {
                            <label for=label_for class="choice">
                                <input type="radio" id=id name="kind" value=value
                                    prop:checked=move || draft.with(|d| d.kind == value || (d.kind.is_empty() && value == "frage"))
                                    on:change=set(|d, v| d.kind = v)/>
                                {k.label()}
                            </label>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            <div class="field">
                <label for="topic">"Thema " <span class="optional">"(wenn bekannt)"</span></label>
                <select id="topic" on:change=set(|d, v| d.topic = v) aria-invalid=invalid("topic") aria-describedby=described("topic", None)>
                    <TopicOptions none="– kein bestimmtes Thema –" selected=Signal::derive(move || draft.with(|d| d.topic.clone()))/>
                </select>
                {field_error("topic")}
            </div>
            <div class="field">
                <label for="title">"Worum geht es? " <span class="required">"(Pflichtfeld)"</span></label>
                <input id="title" type="text" required maxlength="2000" prop:value=move || draft.with(|d| d.title.clone())
                    on:input=set(|d, v| d.title = v) aria-invalid=invalid("title") aria-describedby=described("title", Some("title-hint"))/>
                <p class="hint" id="title-hint">"Ein kurzer Satz, z. B. „Wie lege ich eine E-Akte an?“"</p>
                {field_error("title")}
            </div>
            <div class="field">
                <label for="description">"Beschreibung " <span class="optional">"(freiwillig)"</span></label>
                <textarea id="description" rows="6" prop:value=move || draft.with(|d| d.description.clone())
                    on:input=set(|d, v| d.description = v) aria-invalid=invalid("description")
                    aria-describedby=described("description", Some("description-count"))></textarea>
                <p id="description-count" class=move || { if description_len() > MAX_DESCRIPTION { "hint over" } else { "hint" } }>
                    {move || format!("{} von {} Zeichen", group(description_len()), group(MAX_DESCRIPTION))}
                </p>
                {field_error("description")}
            </div>
            <fieldset>
                <legend>"Wer fragt? " <span class="optional">"(freiwillig, damit die Lotsen Sie erreichen)"</span></legend>
                <div class="field">
                    <label for="name">"Ihr Name"</label>
                    <input id="name" type="text" autocomplete="name" prop:value=move || draft.with(|d| d.name.clone())
                        on:input=set(|d, v| d.name = v) aria-invalid=invalid("requester.name") aria-describedby=described("requester.name", None)/>
                    {field_error("requester.name")}
                </div>
                <div class="field">
                    <label for="department">"Ihr Bereich"</label>
                    <input id="department" type="text" list="departments" autocomplete="organization"
                        prop:value=move || draft.with(|d| d.department.clone())
                        on:input=set(|d, v| d.department = v) aria-invalid=invalid("requester.department")
                        aria-describedby=described("requester.department", None)/>
                    <datalist id="departments">
                        {move || departments.get().into_iter().map(|d| view! { <option value=d/> }).collect_view()}
                    </datalist>
                    {field_error("requester.department")}
                </div>
                <div class="field">
                    <label for="contact">"Telefon oder E-Mail"</label>
                    <input id="contact" type="text" autocomplete="email" prop:value=move || draft.with(|d| d.contact.clone())
                        on:input=set(|d, v| d.contact = v) aria-invalid=invalid("requester.contact")
                        aria-describedby=described("requester.contact", None)/>
                    {field_error("requester.contact")}
                </div>
                <div class="field">
                    <label for="notify" class="choice">
                        <input id="notify" type="checkbox" prop:checked=move || draft.with(|d| d.notify)
                            aria-describedby="notify-hint"
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                draft.update(|d| d.notify = on);
                                draft.with_untracked(|d| drafts::save(DRAFT_KEY, d));
                            }/>
                        "Per E-Mail über Antworten informieren"
                    </label>
                    <p class="hint" id="notify-hint">"Dafür geben Sie oben Ihre E-Mail-Adresse an. Sie erfahren dann, wenn sich der Status ändert oder eine Antwort da ist."</p>
                </div>
            </fieldset>
            <button type="submit" class="button" disabled=move || saving.get() || !state.loaded.get()>"Anliegen senden"</button>
        </form>
    }
}
