//! Local versions the server did not take (SPEC §7): both versions side by side, and the user
//! chooses — "meine Version übernehmen" re-applies theirs on top of the current record, or the
//! current state stays. Nothing is dropped without the user's word.

use leptos::prelude::*;
use leptos::task::spawn_local;
use lotsen_domain::model::Status;
use lotsen_domain::Collection;
use serde_json::Value;

use crate::clock::format_time;
use crate::components::state;
use crate::state::{AppState, Records};
use crate::store::Conflict;

fn field_label(field: &str) -> String {
    match field {
        "status" => "Status",
        "assignee" => "Zuständig",
        "title" => "Worum geht es",
        "description" => "Beschreibung",
        "topic" => "Thema",
        "kind" => "Art",
        "requester" => "Anfragende Person",
        "name" => "Name",
        "department" => "Bereich",
        "phone" => "Telefon",
        "email" => "E-Mail",
        "location" => "Ort",
        "availability" => "Erreichbar",
        "skills" => "Themen und Stufen",
        "learning" => "Möchte lernen",
        "confirmed_at" => "Bestätigt am",
        "active" => "Aktiv",
        "deleted" => "Gelöscht",
        "slug" => "Adresse (Slug)",
        "category" => "Kategorie",
        "synonyms" => "Andere Begriffe",
        other => other,
    }
    .to_owned()
}

/// A value as a person reads it: names instead of ids, labels instead of codes.
fn show(field: &str, v: Option<&Value>, d: &Records) -> String {
    match (field, v) {
        (_, None | Some(Value::Null)) => "– leer –".into(),
        ("status", Some(Value::String(s))) => Status::parse(s)
            .map(|s| s.label().to_owned())
            .unwrap_or_else(|| s.clone()),
        ("assignee", Some(Value::String(id))) => d
            .lotsen
            .get(id)
            .map(|l| l.data.name.clone())
            .unwrap_or_else(|| id.clone()),
        ("topic", Some(Value::String(id))) => d.topic_name(id).unwrap_or(id).to_owned(),
        ("skills", Some(Value::Array(skills))) => skills
            .iter()
            .map(|s| {
                let topic = s.get("topic").and_then(Value::as_str).unwrap_or_default();
                let level = s.get("level").and_then(Value::as_u64).unwrap_or_default();
                format!("{} ({level})", d.topic_name(topic).unwrap_or(topic))
            })
            .collect::<Vec<_>>()
            .join(", "),
        ("learning", Some(Value::Array(ids))) => ids
            .iter()
            .filter_map(Value::as_str)
            .map(|t| d.topic_name(t).unwrap_or(t).to_owned())
            .collect::<Vec<_>>()
            .join(", "),
        (_, Some(Value::String(s))) => s.clone(),
        (_, Some(Value::Bool(b))) => if *b { "ja" } else { "nein" }.into(),
        (_, Some(other)) => other.to_string(),
    }
}

/// The conflicts the user should see here: those of `key` (a record), or all but requests
/// from this device, which `/anliegen` shows.
#[component]
pub fn ConflictList(
    #[prop(optional, into)] key: Option<String>,
    /// Where a refused version can go back to be corrected: the screen's form. With it, a
    /// refusal offers "In das Formular übernehmen" (the user's values, nothing retyped).
    #[prop(optional)]
    take_into_form: Option<Callback<Value>>,
) -> impl IntoView {
    let state = state();
    let shown = Memo::new(move |_| {
        state.conflicts.with(|cs| {
            cs.iter()
                .filter(|c| match &key {
                    Some(k) => &c.key == k,
                    None => true,
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    view! {
        {move || {
            let cs = shown.get();
            (!cs.is_empty()).then(|| view! {
                <section class="conflicts" aria-labelledby="conflicts-heading">
                    <h2 id="conflicts-heading">"Nicht übernommene Änderungen"</h2>
                    <p>"Jemand anderes hat dieselben Angaben gleichzeitig geändert, oder der Server hat Ihre Änderung nicht angenommen. Ihre Version ist hier aufbewahrt."</p>
                    {cs.into_iter().map(|c| view! { <ConflictItem conflict=c take_into_form=take_into_form/> }).collect_view()}
                </section>
            })
        }}
    }
}

#[component]
fn ConflictItem(conflict: Conflict, take_into_form: Option<Callback<Value>>) -> impl IntoView {
    let state = state();
    let server = conflict.server.clone().filter(|s| !s.deleted);
    let fields: Vec<String> = if conflict.fields.is_empty() {
        // A refusal: show every field the local version has different from the server's.
        let empty = serde_json::Map::new();
        let local = conflict.local.as_object().unwrap_or(&empty);
        let current = server.as_ref().and_then(|s| s.data.as_object());
        local
            .keys()
            .filter(|k| current.and_then(|c| c.get(*k)) != local.get(*k))
            .cloned()
            .collect()
    } else {
        conflict.fields.clone()
    };
    let rows = state.data.with_untracked(|d| {
        fields
            .iter()
            .map(|f| {
                (
                    field_label(f),
                    show(f, conflict.local.get(f), d),
                    show(f, server.as_ref().and_then(|s| s.data.get(f)), d),
                )
            })
            .collect::<Vec<_>>()
    });
    let why = conflict
        .refusal()
        .map(|reasons| format!("Nicht angenommen: {reasons}"))
        .unwrap_or_else(|| "Gleichzeitig geändert".to_owned());
    let can_reapply = server.is_some() && conflict.error.is_none();
    let take = take_into_form.filter(|_| conflict.error.is_some());
    let c = StoredValue::new(conflict.clone());
    let busy = RwSignal::new(false);
    let reapply = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            reapply_local(state, c.get_value()).await;
            busy.set(false);
        });
    };
    view! {
        <article class="conflict notice warning" data-testid="conflict">
            <p><strong>{why}</strong> " (" {format_time(conflict.at)} ")"</p>
            <table>
                <caption class="visually-hidden">"Ihre Version und der aktuelle Stand"</caption>
                <thead><tr><th scope="col">"Angabe"</th><th scope="col">"Ihre Version"</th><th scope="col">"Aktueller Stand"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(label, mine, theirs)| view! {
                        <tr><th scope="row">{label}</th><td data-testid="mine">{mine}</td><td data-testid="theirs">{theirs}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <div class="actions">
                {take.map(|take| view! {
                    <button type="button" class="button" on:click=move |_| {
                        let c = c.get_value();
                        take.run(c.local.clone());
                        dismiss(state, c.conflict_id);
                    }>
                        "In das Formular übernehmen"
                    </button>
                })}
                {can_reapply.then(|| view! {
                    <button type="button" class="button" aria-disabled=move || busy.get().to_string() on:click=reapply>
                        "Meine Version übernehmen"
                    </button>
                })}
                <button type="button" class="button secondary" on:click=move |_| dismiss(state, c.get_value().conflict_id)>
                    "Aktuellen Stand behalten"
                </button>
            </div>
        </article>
    }
}

/// Puts the user's values of the conflicting fields on top of the record as it is now, as a
/// new edit (which goes through the server's checks like any other).
async fn reapply_local(state: AppState, conflict: Conflict) {
    let Some(collection) = Collection::parse(&conflict.collection) else {
        return;
    };
    let Some(mut data) = state
        .data
        .with_untracked(|d| d.json(collection, &conflict.id))
    else {
        return;
    };
    if let (Some(o), Some(local)) = (data.as_object_mut(), conflict.local.as_object()) {
        for f in &conflict.fields {
            match local.get(f) {
                Some(v) => o.insert(f.clone(), v.clone()),
                None => o.remove(f),
            };
        }
    }
    if state
        .edit(collection, &conflict.id, data, false)
        .await
        .is_ok()
    {
        dismiss(state, conflict.conflict_id);
    }
}

pub fn dismiss(state: AppState, conflict_id: String) {
    spawn_local(async move {
        if let Some(store) = state.services.store.get_value() {
            let _ = store.dismiss_conflict(&conflict_id).await;
            if let Ok(c) = store.conflicts().await {
                state.conflicts.set(c);
                crate::tabs::post(&crate::tabs::TabMessage::Conflicts);
            }
        }
    });
}
