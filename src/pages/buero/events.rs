//! `/buero/termine`: the Projektbüro publishes trainings and talks. `?neu` and `?bearbeiten={id}`
//! open the form; everyone sees the events at `/termine` and on the topic pages.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use lotsen_domain::model::{Event, MAX_DESCRIPTION, MAX_TEXT};
use lotsen_domain::protocol::FieldError;
use lotsen_domain::Collection;
use serde_json::{json, Value};

use super::{confirm, BueroOnly, ErrorSummary, Mode, RecordForm, TextField};
use crate::clock::format_local;
use crate::components::state;
use crate::forms::TopicOptions;
use crate::state::Records;

const PATH: &str = "/buero/termine";

#[derive(Clone, Debug, Default, PartialEq)]
struct Draft {
    title: String,
    topic: String,
    starts_at: String,
    ends_at: String,
    location: String,
    seats: String,
    description: String,
}

impl Draft {
    fn of(e: &Event) -> Draft {
        Draft {
            title: e.title.clone(),
            topic: e.topic.clone().unwrap_or_default(),
            starts_at: e.starts_at.clone(),
            ends_at: e.ends_at.clone(),
            location: e.location.clone(),
            seats: e.seats.map(|n| n.to_string()).unwrap_or_default(),
            description: e.description.clone(),
        }
    }
}

fn field_id(field: &str) -> String {
    format!("termin-{}", field.split('.').next().unwrap_or(field))
}

/// Every problem of the form at once, in the order of the form; or the record to store.
fn check(d: &Draft, id: &str, refs: &Records) -> Result<Value, Vec<FieldError>> {
    // A number of seats that is not one goes as typed, so that validation names it.
    let seats = match d.seats.trim() {
        "" => Value::Null,
        text => text
            .parse::<u32>()
            .map_or_else(|_| json!(text), |n| json!(n)),
    };
    let data = json!({
        "title": d.title, "topic": (!d.topic.is_empty()).then_some(&d.topic),
        "starts_at": d.starts_at, "ends_at": d.ends_at, "location": d.location,
        "description": d.description, "seats": seats,
    });
    refs.validate(Collection::Events, id, &data)
}

#[component]
pub fn BueroEventsPage() -> impl IntoView {
    crate::set_title("Termine verwalten");
    view! {
        <h1>"Termine verwalten"</h1>
        <BueroOnly path=PATH><EventsAdmin/></BueroOnly>
    }
}

#[component]
fn EventsAdmin() -> impl IntoView {
    let state = state();
    let form = RecordForm::new(PATH, field_id, |d, id| {
        d.events.get(id).map(|r| Draft::of(&r.data))
    });
    let RecordForm {
        mode,
        draft,
        errors,
        busy,
        notice,
        heading,
        ..
    } = form;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.save(Collection::Events, check, |d, _| {
            format!("Der Termin „{}“ ist gespeichert.", d.title.trim())
        });
    };
    let delete = move |id: String, title: String| {
        if !confirm(&format!("Den Termin „{title}“ wirklich löschen?")) {
            return;
        }
        spawn_local(async move {
            let data = state
                .data
                .with_untracked(|d| d.json(Collection::Events, &id))
                .unwrap_or(Value::Null);
            match state.edit(Collection::Events, &id, data, true).await {
                Ok(()) => notice.say(format!("Der Termin „{title}“ ist gelöscht.")),
                Err(e) => notice.warn(format!("Konnte nicht gelöscht werden: {e}")),
            }
            notice.focus();
        });
    };

    let events = Memo::new(move |_| {
        state.data.with(|d| {
            let mut l: Vec<(String, Event, Option<String>)> = d
                .events
                .iter()
                .map(|(id, e)| {
                    let topic = e
                        .data
                        .topic
                        .as_ref()
                        .and_then(|t| d.topic_name(t))
                        .map(str::to_owned);
                    (id.clone(), e.data.clone(), topic)
                })
                .collect();
            // The newest first: the coming ones are what the Büro works on.
            l.sort_by(|a, b| b.1.starts_at.cmp(&a.1.starts_at));
            l
        })
    });
    let get = move |f: fn(&Draft) -> String| Signal::derive(move || draft.with(f));
    let topic_error = move || errors.message("topic");

    view! {
        <p>"Termine erscheinen unter „Termine“ und auf der Seite ihres Themas; alle können sie in ihren Kalender übernehmen."</p>
        {notice.view()}
        {move || match mode.get() {
            Mode::List => view! {
                <p><A href=format!("{PATH}?neu") attr:class="button">"Neuen Termin anlegen"</A></p>
            }.into_any(),
            Mode::Missing => view! {
                <h2 tabindex="-1" node_ref=heading>"Termin nicht gefunden"</h2>
                <p>"Diesen Termin gibt es auf diesem Gerät nicht (mehr). " <A href=PATH>"Zur Terminliste"</A></p>
            }.into_any(),
            m => {
                let title = if matches!(m, Mode::Edit(_)) { "Termin bearbeiten" } else { "Neuer Termin" };
                view! {
                    <section class="buero-form" aria-labelledby="termin-form-title">
                        <h2 id="termin-form-title" tabindex="-1" node_ref=heading>{title}</h2>
                        <ErrorSummary errors=errors first_field="title"/>
                        <form on:submit=submit novalidate>
                            <TextField errors=errors field="title" label="Titel" required=true maxlength=MAX_TEXT
                                value=get(|d| d.title.clone())
                                on_input=Callback::new(move |v: String| draft.update(|d| d.title = v))/>
                            <div class="field">
                                <label for="termin-topic">"Thema " <span class="optional">"(freiwillig)"</span></label>
                                <select id="termin-topic" aria-invalid=move || topic_error().is_some().to_string()
                                    aria-describedby=move || topic_error().map(|_| "err-termin-topic")
                                    on:change=move |ev| { let v = event_target_value(&ev); draft.update(|d| d.topic = v) }>
                                    <TopicOptions none="– kein bestimmtes Thema –" selected=Signal::derive(move || draft.with(|d| d.topic.clone()))/>
                                </select>
                                {move || topic_error().map(|m| view! { <p class="field-error" id="err-termin-topic">{m}</p> })}
                            </div>
                            <TextField errors=errors field="starts_at" label="Beginn" required=true kind="datetime-local"
                                value=get(|d| d.starts_at.clone())
                                on_input=Callback::new(move |v: String| draft.update(|d| d.starts_at = v))/>
                            <TextField errors=errors field="ends_at" label="Ende" required=true kind="datetime-local"
                                value=get(|d| d.ends_at.clone())
                                on_input=Callback::new(move |v: String| draft.update(|d| d.ends_at = v))/>
                            <TextField errors=errors field="location" label="Ort" maxlength=MAX_TEXT
                                hint="z. B. „Rathaus I, Sitzungssaal“ oder „Videokonferenz (Link folgt per Mail)“"
                                value=get(|d| d.location.clone())
                                on_input=Callback::new(move |v: String| draft.update(|d| d.location = v))/>
                            <TextField errors=errors field="seats" label="Plätze" kind="number" hint="Leer lassen, wenn es keine Grenze gibt."
                                value=get(|d| d.seats.clone())
                                on_input=Callback::new(move |v: String| draft.update(|d| d.seats = v))/>
                            <TextField errors=errors field="description" label="Beschreibung" rows=5 maxlength=MAX_DESCRIPTION
                                value=get(|d| d.description.clone())
                                on_input=Callback::new(move |v: String| draft.update(|d| d.description = v))/>
                            <div class="actions">
                                <button type="submit" class="button" aria-disabled=move || busy.get().to_string()>"Termin speichern"</button>
                                <A href=PATH>"Abbrechen"</A>
                            </div>
                        </form>
                    </section>
                }.into_any()
            }
        }}
        <h2>"Alle Termine"</h2>
        {move || {
            let l = events.get();
            if l.is_empty() {
                return view! { <p>"Noch keine Termine."</p> }.into_any();
            }
            view! {
                <ul class="events">
                    {l.into_iter().map(|(id, e, topic)| {
                        let (edit_id, del_id, del_title) = (id.clone(), id.clone(), e.title.clone());
                        let (edit_label, del_label) = (e.title.clone(), e.title.clone());
                        view! {
                            <li data-testid="buero-event">
                                <h3>{e.title.clone()}</h3>
                                <p>{format_local(&e.starts_at)} " bis " {format_local(&e.ends_at)}
                                    {(!e.location.is_empty()).then(|| format!(", {}", e.location))}
                                    {topic.map(|t| format!(" · {t}"))}</p>
                                <div class="actions">
                                    <A href=format!("{PATH}?bearbeiten={edit_id}")>"Bearbeiten" <span class="visually-hidden">": " {edit_label}</span></A>
                                    <button type="button" class="link-button" on:click=move |_| delete(del_id.clone(), del_title.clone())>
                                        "Löschen" <span class="visually-hidden">": " {del_label}</span>
                                    </button>
                                </div>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}
