//! `/mitmachen`: "Ein Digi werden?" — colleagues apply to become a Digitale Lotse. Offline too:
//! the application waits in the outbox like any edit; what is typed is kept as a draft.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use lotsen_domain::protocol::FieldError;
use lotsen_domain::Collection;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::components::state;
use crate::drafts;
use crate::forms::{ErrorSummary, FormErrors};
use crate::store::new_uuid;

const DRAFT_KEY: &str = "lotsenfinder.entwurf-bewerbung";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Draft {
    name: String,
    department: String,
    contact: String,
    topics: BTreeSet<String>,
    motivation: String,
}

fn field_id(field: &str) -> String {
    match field.split('.').next() {
        Some("topics") => "bewerbung-themen".into(),
        Some(f) => format!("bewerbung-{f}"),
        None => "bewerbung-name".into(),
    }
}

#[component]
pub fn JoinPage() -> impl IntoView {
    let state = state();
    crate::set_title("Digitale Lotsin oder Digitaler Lotse werden");
    let draft = RwSignal::new(drafts::load::<Draft>(DRAFT_KEY).unwrap_or_default());
    let errors = FormErrors::new(field_id);
    let sent = RwSignal::new(false);
    let busy = RwSignal::new(false);

    let update = move |f: Box<dyn FnOnce(&mut Draft)>| {
        draft.update(|d| f(d));
        draft.with_untracked(|d| drafts::save(DRAFT_KEY, d));
    };
    let text = move |set: fn(&mut Draft, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            update(Box::new(move |d| set(d, v)));
        }
    };
    let error_for = move |field: &'static str| {
        move || {
            errors.message(field).map(
                |m| view! { <p class="field-error" id=format!("err-{}", field_id(field))>{m}</p> },
            )
        }
    };
    let has_error = move |field: &'static str| errors.message(field).is_some();
    let invalid = move |field: &'static str| move || has_error(field).to_string();
    let described = move |field: &'static str| {
        move || has_error(field).then(|| format!("err-{}", field_id(field)))
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let d = draft.get_untracked();
        let data = json!({
            "name": d.name, "department": d.department, "contact": d.contact,
            "topics": d.topics, "motivation": d.motivation, "status": "neu",
        });
        let id = new_uuid();
        // Every problem at once, in the order of the form.
        let checked = state
            .data
            .with_untracked(|refs| refs.validate(Collection::Applications, &id, &data));
        let data = match checked {
            Ok(data) => data,
            Err(found) => {
                errors.show(found);
                return;
            }
        };
        errors.clear();
        busy.set(true);
        spawn_local(async move {
            match state.edit(Collection::Applications, &id, data, false).await {
                Ok(()) => {
                    drafts::clear(DRAFT_KEY);
                    draft.set(Draft::default());
                    sent.set(true);
                }
                Err(e) => errors.show(vec![FieldError::new(
                    "store",
                    format!("Konnte nicht gespeichert werden: {e}"),
                    None,
                )]),
            }
            busy.set(false);
        });
    };
    let topics = Memo::new(move |_| state.data.with(|d| d.topics_by_category()));
    let departments = Memo::new(move |_| state.data.with(|d| d.departments()));

    view! {
        <h1>"Ein Digi werden?"</h1>
        <div class="prose">
            <p>"Als Digitale Lotsin oder Digitaler Lotse helfen Sie Kolleginnen und Kollegen in Ihrem Bereich bei digitalen Themen – bei der E-Akte, bei Online-Diensten, in Office und Videokonferenzen. Sie müssen keine Expertin und kein Experte sein: Freude an digitalen Themen und Lust, anderen zu helfen, genügen."</p>
            <p>"Das Projektbüro Digitale Modellregion begleitet Sie mit Schulungen und Austausch. Schreiben Sie uns, wir melden uns bei Ihnen."</p>
        </div>
        {move || sent.get().then(|| view! {
            <p class="notice success" role="status" data-testid="application-sent">
                "Danke! Ihre Bewerbung ist gespeichert. "
                {move || if state.sync.with(|s| s.online) { "Sie wird jetzt an das Projektbüro übertragen." } else { "Sie wird übertragen, sobald wieder eine Verbindung besteht." }}
            </p>
        })}
        <ErrorSummary errors=errors first_field="name" heading=2/>
        <form class="join-form" on:submit=submit novalidate>
            <div class="field">
                <label for="bewerbung-name">"Ihr Name " <span class="required">"(Pflichtfeld)"</span></label>
                <input id="bewerbung-name" type="text" autocomplete="name" prop:value=move || draft.with(|d| d.name.clone())
                    on:input=text(|d, v| d.name = v) aria-invalid=invalid("name") aria-describedby=described("name")/>
                {error_for("name")}
            </div>
            <div class="field">
                <label for="bewerbung-department">"Ihr Bereich " <span class="required">"(Pflichtfeld)"</span></label>
                <input id="bewerbung-department" type="text" list="bewerbung-departments" autocomplete="organization"
                    prop:value=move || draft.with(|d| d.department.clone())
                    on:input=text(|d, v| d.department = v) aria-invalid=invalid("department") aria-describedby=described("department")/>
                <datalist id="bewerbung-departments">
                    {move || departments.get().into_iter().map(|d| view! { <option value=d/> }).collect_view()}
                </datalist>
                {error_for("department")}
            </div>
            <div class="field">
                <label for="bewerbung-contact">"Telefon oder E-Mail " <span class="required">"(Pflichtfeld)"</span></label>
                <input id="bewerbung-contact" type="text" autocomplete="email" prop:value=move || draft.with(|d| d.contact.clone())
                    on:input=text(|d, v| d.contact = v) aria-invalid=invalid("contact") aria-describedby=described("contact")/>
                {error_for("contact")}
            </div>
            <fieldset id="bewerbung-themen" tabindex="-1">
                <legend>"Bei welchen Themen möchten Sie helfen? " <span class="optional">"(freiwillig)"</span></legend>
                {error_for("topics")}
                <ul class="topic-checks">
                    {move || topics.get().into_iter().flat_map(|(_, list)| list).map(|(id, topic)| {
                        let box_id = format!("bewerbung-thema-{id}");
                        let label_for = box_id.clone();
                        let (checked_id, change_id) = (id.clone(), id.clone());
                        view! {
                            <li>
                                <label class="choice" for=label_for>
                                    <input type="checkbox" id=box_id
                                        prop:checked=move || draft.with(|d| d.topics.contains(&checked_id))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            let id = change_id.clone();
                                            update(Box::new(move |d| { if on { d.topics.insert(id); } else { d.topics.remove(&id); } }));
                                        }/>
                                    {topic.name.clone()}
                                </label>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </fieldset>
            <div class="field">
                <label for="bewerbung-motivation">"Was reizt Sie daran? " <span class="optional">"(freiwillig)"</span></label>
                <textarea id="bewerbung-motivation" rows="5" prop:value=move || draft.with(|d| d.motivation.clone())
                    on:input=text(|d, v| d.motivation = v) aria-invalid=invalid("motivation") aria-describedby=described("motivation")></textarea>
                {error_for("motivation")}
            </div>
            <button type="submit" class="button" aria-disabled=move || busy.get().to_string()>"Bewerbung senden"</button>
        </form>
    }
}
