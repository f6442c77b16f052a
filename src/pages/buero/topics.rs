//! `/buero/themen`: the topic catalogue by category; create, edit and delete topics.
//! `?neu` opens the form for a new topic and `?bearbeiten={id}` for an existing one, so that
//! both can be bookmarked and shared.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use lotsen_domain::model::{Topic, MAX_DESCRIPTION, MAX_TEXT};
use lotsen_domain::protocol::FieldError;
use lotsen_domain::validate::group;
use lotsen_domain::Collection;
use serde_json::{json, Value};

use super::{confirm, plural, BueroOnly, ErrorSummary, Mode, RecordForm, TextField};
use std::collections::HashMap;

use crate::components::{by_heading, page_from_query, pager, portion_of, state};
use crate::pages::page_param;
use crate::state::{AppState, Records};

const PATH: &str = "/buero/themen";
/// Topics per page, under their category headings.
const PER_PAGE: usize = 50;

#[derive(Clone, Debug, Default, PartialEq)]
struct Draft {
    name: String,
    slug: String,
    category: String,
    /// As typed: one per line or separated by commas.
    synonyms: String,
    description: String,
    /// The slug was typed by hand, or is an existing topic's: it no longer follows the name,
    /// because changing a known address would break bookmarks.
    slug_fixed: bool,
}

impl Draft {
    fn of(t: &Topic) -> Draft {
        Draft {
            name: t.name.clone(),
            slug: t.slug.clone(),
            category: t.category.clone(),
            synonyms: t.synonyms.join("\n"),
            description: t.description.clone(),
            slug_fixed: true,
        }
    }

    fn synonyms(&self) -> Vec<String> {
        self.synonyms
            .split([',', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn to_data(&self) -> Value {
        json!({
            "name": self.name.trim(),
            "slug": self.slug.trim(),
            "category": self.category.trim(),
            "synonyms": self.synonyms(),
            "description": self.description.trim(),
        })
    }
}

/// An address from a topic's name, as German readers spell it without umlauts:
/// "Barrierefreie Dokumente (PDF)" → "barrierefreie-dokumente-pdf".
fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().to_lowercase().chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'a'..='z' | '0'..='9' => out.push(c),
            _ if !out.is_empty() && !out.ends_with('-') => out.push('-'),
            _ => {}
        }
    }
    // Only ASCII is left, so any byte is a char boundary.
    out.truncate(80);
    out.trim_end_matches('-').to_owned()
}

fn field_id(field: &str) -> String {
    format!("thema-{}", field.split('.').next().unwrap_or(field))
}

/// Every problem of the form at once, in the order of the form; or the record as it is stored.
fn check(d: &Draft, id: &str, refs: &Records) -> Result<Value, Vec<FieldError>> {
    refs.validate(Collection::Topics, id, &d.to_data())
}

/// The records that name topic `id`, each without it: the server refuses a write that refers to
/// a topic that is gone, so a Lotse who kept it could no longer save their profile, nor the
/// Büro decide on an application that names it.
fn without_topic(d: &Records, id: &str) -> Vec<(Collection, String, Value)> {
    let mut out = Vec::new();
    for (lid, l) in &d.lotsen {
        if l.data.skills.iter().any(|s| s.topic == id) || l.data.learning.iter().any(|t| t == id) {
            let mut lotse = l.data.clone();
            lotse.skills.retain(|s| s.topic != id);
            lotse.learning.retain(|t| t != id);
            if let Ok(v) = serde_json::to_value(&lotse) {
                out.push((Collection::Lotsen, lid.clone(), v));
            }
        }
    }
    for (rid, r) in &d.requests {
        if r.data.topic.as_deref() == Some(id) {
            let mut request = r.data.clone();
            request.topic = None;
            if let Ok(v) = serde_json::to_value(&request) {
                out.push((Collection::Requests, rid.clone(), v));
            }
        }
    }
    for (aid, a) in &d.applications {
        if a.data.topics.iter().any(|t| t == id) {
            let mut application = a.data.clone();
            application.topics.retain(|t| t != id);
            if let Ok(v) = serde_json::to_value(&application) {
                out.push((Collection::Applications, aid.clone(), v));
            }
        }
    }
    for (eid, e) in &d.events {
        if e.data.topic.as_deref() == Some(id) {
            let mut event = e.data.clone();
            event.topic = None;
            if let Ok(v) = serde_json::to_value(&event) {
                out.push((Collection::Events, eid.clone(), v));
            }
        }
    }
    out
}

/// Takes the topic out of the records that name it, then deletes it (a tombstone). The edits
/// are queued in this order, so the server never holds a reference to a deleted topic.
async fn delete_topic(state: AppState, id: &str) -> Result<(), String> {
    let (references, topic) = state
        .data
        .with_untracked(|d| (without_topic(d, id), d.json(Collection::Topics, id)));
    let Some(topic) = topic else {
        return Ok(());
    };
    for (collection, rid, data) in references {
        state.edit(collection, &rid, data, false).await?;
    }
    state.edit(Collection::Topics, id, topic, true).await
}

#[component]
pub fn BueroTopicsPage() -> impl IntoView {
    crate::set_title("Themen verwalten");
    view! {
        <h1>"Themen verwalten"</h1>
        <BueroOnly path=PATH><TopicsAdmin/></BueroOnly>
    }
}

#[component]
fn TopicsAdmin() -> impl IntoView {
    let state = state();
    let form = RecordForm::new(PATH, field_id, |d, id| {
        d.topics.get(id).map(|r| Draft::of(&r.data))
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
        form.save(Collection::Topics, check, |d, _| {
            format!("Das Thema „{}“ ist gespeichert.", d.name.trim())
        });
    };

    let delete = Callback::new(move |id: String| {
        let Some((name, references)) = state.data.with_untracked(|d| {
            d.topics
                .get(&id)
                .map(|t| (t.data.name.clone(), without_topic(d, &id)))
        }) else {
            return;
        };
        let count = |c: Collection| references.iter().filter(|r| r.0 == c).count();
        let used: Vec<String> = [
            plural(
                count(Collection::Lotsen),
                "Lotsen-Profil",
                "Lotsen-Profilen",
            ),
            plural(count(Collection::Requests), "Anliegen", "Anliegen"),
            plural(count(Collection::Events), "Termin", "Terminen"),
            plural(count(Collection::Applications), "Bewerbung", "Bewerbungen"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let mut question = format!(
            "Möchten Sie das Thema „{name}“ wirklich löschen? Es verschwindet aus der Suche und dem Themenkatalog."
        );
        if !used.is_empty() {
            question.push_str(&format!(" Es wird auch entfernt aus {}.", used.join(", ")));
        }
        if !confirm(&question) {
            return;
        }
        spawn_local(async move {
            match delete_topic(state, &id).await {
                Ok(()) => {
                    if mode.get_untracked() == Mode::Edit(id.clone()) {
                        form.to_list();
                    }
                    notice.say(format!("Das Thema „{name}“ ist gelöscht."));
                }
                Err(e) => notice.warn(format!(
                    "Das Thema „{name}“ konnte nicht gelöscht werden: {e}"
                )),
            }
            // Its row is gone: the focus goes to the message instead of the page's start.
            notice.focus();
        });
    });

    // The list in category order, then paged: a page holds up to 50 topics under their
    // category headings.
    let entries = Memo::new(move |_| {
        state.data.with(|d| {
            d.topics_by_category()
                .into_iter()
                .flat_map(|(category, topics)| {
                    topics
                        .into_iter()
                        .map(move |(id, _)| (category.clone(), id))
                })
                .collect::<Vec<_>>()
        })
    });
    let (portion, shown) = portion_of(entries, page_from_query(), PER_PAGE);
    let groups = Memo::new(move |_| shown.with(|entries| by_heading(entries)));
    let helpers = Memo::new(move |_| state.data.with(Records::active_helpers));
    let category_names = Memo::new(move |_| {
        state.data.with(|d| {
            d.topics_by_category()
                .into_iter()
                .map(|(c, _)| c)
                .collect::<Vec<_>>()
        })
    });
    let topic_count = Memo::new(move |_| state.data.with(|d| d.topics.len()));
    let set =
        move |f: fn(&mut Draft, String)| Callback::new(move |v: String| draft.update(|d| f(d, v)));
    let get = move |f: fn(&Draft) -> String| Signal::derive(move || draft.with(f));
    let description_len = move || draft.with(|d| d.description.chars().count());

    view! {
        <p>
            "Themen erscheinen in der Suche, im Themenkatalog und in den Profilen der Lotsen. "
            "Änderungen werden auf diesem Gerät gespeichert und übertragen, sobald eine Verbindung besteht."
        </p>
        {notice.view()}
        {move || match mode.get() {
            Mode::List => view! {
                <p><A href=format!("{PATH}?neu") attr:class="button">"Neues Thema anlegen"</A></p>
            }.into_any(),
            Mode::Missing => view! {
                <h2 class="buero-missing" tabindex="-1" node_ref=heading>"Thema nicht gefunden"</h2>
                <p>"Dieses Thema gibt es auf diesem Gerät nicht (mehr). " <A href=PATH>"Zur Themenliste"</A></p>
            }.into_any(),
            m => {
                let title = match &m {
                    Mode::Edit(_) => "Thema bearbeiten",
                    _ => "Neues Thema",
                };
                view! {
                    <section class="buero-form" aria-labelledby="thema-form-title">
                        <h2 id="thema-form-title" tabindex="-1" node_ref=heading>{title}</h2>
                        <ErrorSummary errors=errors first_field="name"/>
                        <form on:submit=submit novalidate>
                            <TextField errors=errors field="name" label="Name" required=true maxlength=MAX_TEXT
                                value=get(|d| d.name.clone())
                                on_input=Callback::new(move |v: String| draft.update(|d| {
                                    if !d.slug_fixed {
                                        d.slug = slugify(&v);
                                    }
                                    d.name = v;
                                }))/>
                            <TextField errors=errors field="slug" label="Adresse (Kurzname)" required=true maxlength=80 plain=true
                                hint="Kleinbuchstaben a–z, Ziffern und Bindestriche; das Thema ist dann unter /themen/… zu finden. Wird aus dem Namen vorgeschlagen."
                                value=get(|d| d.slug.clone())
                                on_input=Callback::new(move |v: String| draft.update(|d| {
                                    d.slug = v;
                                    d.slug_fixed = true;
                                }))/>
                            <TextField errors=errors field="category" label="Kategorie" required=true maxlength=MAX_TEXT list="thema-categories"
                                hint="Eine vorhandene Kategorie wählen oder eine neue eingeben."
                                value=get(|d| d.category.clone()) on_input=set(|d, v| d.category = v)/>
                            <datalist id="thema-categories">
                                {move || category_names.get().into_iter().map(|c| view! { <option value=c/> }).collect_view()}
                            </datalist>
                            <TextField errors=errors field="synonyms" label="Andere Wörter dafür (Synonyme)" rows=4
                                hint="Ein Wort pro Zeile oder durch Kommas getrennt. Wer eines davon sucht, findet dieses Thema."
                                value=get(|d| d.synonyms.clone()) on_input=set(|d, v| d.synonyms = v)/>
                            <TextField errors=errors field="description" label="Beschreibung" rows=5
                                value=get(|d| d.description.clone()) on_input=set(|d, v| d.description = v)/>
                            <p class=move || { if description_len() > MAX_DESCRIPTION { "hint over" } else { "hint" } }>
                                {move || format!("Beschreibung: {} von {} Zeichen", group(description_len()), group(MAX_DESCRIPTION))}
                            </p>
                            <div class="actions">
                                <button type="submit" class="button" aria-disabled=move || busy.get().to_string()>
                                    {move || if busy.get() { "Wird gespeichert …" } else { "Thema speichern" }}
                                </button>
                                <A href=PATH attr:class="button secondary">"Abbrechen"</A>
                            </div>
                        </form>
                    </section>
                }.into_any()
            }
        }}
        <section aria-labelledby="themen-liste">
            <h2 id="themen-liste">{move || format!("Alle Themen ({})", topic_count.get())}</h2>
            <p role="status" data-testid="list-count">{move || {
                let p = portion.get();
                (p.pages > 1).then(|| format!("Themen{}", p.range_de()))
            }}</p>
            <div class="buero-topic-groups" tabindex="-1" aria-label="Themen dieser Seite">
                {move || groups.get().into_iter().map(|(category, ids)| view! {
                    <h3>{category}</h3>
                    <ul class="buero-list">
                        <For each=move || ids.clone() key=|id| id.clone() let:id>
                            <TopicRow id=id helpers=helpers on_delete=delete/>
                        </For>
                    </ul>
                }).collect_view()}
            </div>
            {move || pager(portion.get(), move |p| form.list_url(&[("seite", &page_param(p))]), "Seiten der Themenliste", ".buero-topic-groups")}
        </section>
    }
}

#[component]
fn TopicRow(
    id: String,
    helpers: Memo<HashMap<String, usize>>,
    on_delete: Callback<String>,
) -> impl IntoView {
    let state = state();
    let row = {
        let id = id.clone();
        Memo::new(move |_| {
            let count = helpers.with(|h| h.get(&id).copied().unwrap_or(0));
            state.data.with(|d| {
                d.topics
                    .get(&id)
                    .map(|t| (t.data.clone(), t.pending, count))
            })
        })
    };
    move || {
        let (topic, pending, helpers) = row.get()?;
        let id = id.clone();
        let (edit_name, delete_name) = (topic.name.clone(), topic.name.clone());
        Some(view! {
            <li class="buero-item" data-testid="buero-topic">
                <div class="buero-item-main">
                    <p class="buero-item-title">
                        <A href=format!("/themen/{}", topic.slug)>{topic.name.clone()}</A>
                        {pending.then(|| view! { " " <span class="status pending">"wartet auf Übertragung"</span> })}
                    </p>
                    <p class="muted">
                        "/themen/" {topic.slug.clone()} " · "
                        {match helpers { 0 => "noch kein aktiver Lotse".to_owned(), 1 => "1 aktiver Lotse".to_owned(), n => format!("{n} aktive Lotsen") }}
                    </p>
                    {(!topic.synonyms.is_empty()).then(|| view! { <p class="muted">"Auch: " {topic.synonyms.join(", ")}</p> })}
                </div>
                <div class="buero-actions">
                    <A href=format!("{PATH}?bearbeiten={id}")>"Bearbeiten" <span class="visually-hidden">" „" {edit_name} "“"</span></A>
                    <button type="button" class="link-button" on:click=move |_| on_delete.run(id.clone())>
                        "Löschen" <span class="visually-hidden">" „" {delete_name} "“"</span>
                    </button>
                </div>
            </li>
        })
    }
}
