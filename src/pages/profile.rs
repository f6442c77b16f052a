//! `/profil`: a Lotse keeps their own profile current — contact, availability, the level per
//! topic, what they want to learn — and confirms it. Offline too: the edit waits in the outbox.

use lotsen_domain::notify::Notify;
use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use lotsen_domain::model::{Level, Lotse, MAX_TEXT};
use lotsen_domain::protocol::FieldError;
use lotsen_domain::Collection;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::components::{state, Loading};
use crate::drafts;
use crate::forms::{ErrorSummary, FormErrors, LotseContact, TextField};
use crate::pages::conflicts::ConflictList;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Form {
    /// Flattened, so that drafts kept before keep their shape.
    #[serde(flatten)]
    contact: LotseContact,
    /// Topic id → level 1–3 (absent: no skill).
    levels: BTreeMap<String, u8>,
    learning: BTreeSet<String>,
    /// How they hear of new requests in their topics (`Notify`); a draft from before has none.
    #[serde(default)]
    notify: Option<Notify>,
}

impl Form {
    fn of(l: &Lotse) -> Form {
        Form {
            contact: LotseContact::of(l),
            levels: l
                .skills
                .iter()
                .map(|s| (s.topic.clone(), s.level.get()))
                .collect(),
            learning: l.learning.iter().cloned().collect(),
            notify: Some(l.notify),
        }
    }

    /// The record as it will be pushed: what the form does not show (`active`, fields a newer
    /// app may know) stays as stored.
    fn apply_to(&self, stored: &Value, confirmed_at: Option<String>) -> Value {
        let mut data = self.contact.apply_to(stored.clone());
        if let Some(o) = data.as_object_mut() {
            let skills: Vec<Value> = self
                .levels
                .iter()
                .map(|(topic, level)| json!({"topic": topic, "level": level}))
                .collect();
            o.insert("skills".into(), json!(skills));
            o.insert("learning".into(), json!(self.learning));
            if let Some(n) = self.notify {
                o.insert("notify".into(), json!(n.as_str()));
            }
            if let Some(d) = confirmed_at {
                o.insert("confirmed_at".into(), json!(d));
            }
        }
        data
    }
}

const DRAFT_KEY: &str = "profil";

fn draft_key(lotse: &str) -> String {
    format!("{}{DRAFT_KEY}.{lotse}", drafts::PRIVATE_PREFIX)
}

fn field_id(field: &str) -> String {
    match field.split('.').next() {
        Some("skills") | Some("learning") => "skills".into(),
        Some(f) => format!("profil-{f}"),
        None => "profil-name".into(),
    }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let state = state();
    crate::set_title("Mein Profil");
    let lotse_id = Memo::new(move |_| {
        state
            .user
            .with(|u| u.as_ref().and_then(|u| u.lotse.clone()))
    });
    let record = Memo::new(move |_| {
        let id = lotse_id.get()?;
        state
            .data
            .with(|d| d.lotsen.get(&id).map(|r| (r.data.clone(), r.pending)))
    });
    let form = RwSignal::new(None::<Form>);
    // The form starts from the stored profile once, or from what was typed before; later
    // syncs do not overwrite what the user is typing.
    Effect::new(move |_| {
        if form.with_untracked(Option::is_some) {
            return;
        }
        let (Some(id), Some((lotse, _))) = (lotse_id.get(), record.get()) else {
            return;
        };
        let draft = drafts::load::<Form>(&draft_key(&id));
        form.set(Some(draft.unwrap_or_else(|| Form::of(&lotse))));
    });
    let errors = FormErrors::new(field_id);
    let saved = RwSignal::new(None::<&'static str>);

    let change = move |f: Box<dyn Fn(&mut Form)>| {
        form.update(|fm| {
            if let Some(fm) = fm {
                f(fm);
            }
        });
        saved.set(None);
        if let (Some(id), Some(fm)) = (lotse_id.get_untracked(), form.get_untracked()) {
            drafts::save(&draft_key(&id), &fm);
        }
    };
    let save = move |confirm: bool| {
        let (Some(id), Some(fm), Some((lotse, _))) = (
            lotse_id.get_untracked(),
            form.get_untracked(),
            record.get_untracked(),
        ) else {
            return;
        };
        let stored = serde_json::to_value(&lotse).unwrap_or_default();
        // Topics deleted since the form was filled (a version taken back from a refusal, say)
        // go: the server refuses a profile that names one.
        let mut fm = fm;
        state.data.with_untracked(|d| {
            fm.levels.retain(|t, _| d.topics.contains_key(t));
            fm.learning.retain(|t| d.topics.contains_key(t));
        });
        let data = fm.apply_to(&stored, confirm.then(crate::clock::today));
        let data = match state
            .data
            .with_untracked(|d| d.validate(Collection::Lotsen, &id, &data))
        {
            Ok(canonical) => canonical,
            Err(found) => {
                errors.show(found);
                return;
            }
        };
        errors.clear();
        spawn_local(async move {
            match state.edit(Collection::Lotsen, &id, data, false).await {
                Ok(()) => {
                    drafts::clear(&draft_key(&id));
                    saved.set(Some(if confirm {
                        "Ihr Profil ist gespeichert und bestätigt."
                    } else {
                        "Ihr Profil ist gespeichert."
                    }));
                }
                Err(e) => errors.show(vec![FieldError::new(
                    "store",
                    format!("Konnte nicht gespeichert werden: {e}"),
                    None,
                )]),
            }
        });
    };

    // A refused version of the profile comes back into the form, to be corrected and saved.
    let take_into_form = Callback::new(move |local: Value| {
        let (Some(id), Ok(lotse)) = (
            lotse_id.get_untracked(),
            serde_json::from_value::<Lotse>(local),
        ) else {
            return;
        };
        let fm = Form::of(&lotse);
        drafts::save(&draft_key(&id), &fm);
        form.set(Some(fm));
        saved.set(None);
        errors.clear();
    });

    let topics = Memo::new(move |_| state.data.with(|d| d.topics_by_category()));
    // The form's parts as memos of their own: a keystroke in a contact field changes `form`,
    // and everything that read `form` directly ran again — the whole form (200 topics at city
    // scale, 1,900 nodes) was rebuilt on every key, 100–150 ms each.
    let has_form = Memo::new(move |_| form.with(Option::is_some));
    let levels =
        Memo::new(move |_| form.with(|f| f.as_ref().map(|f| f.levels.clone()).unwrap_or_default()));
    let learning = Memo::new(move |_| {
        form.with(|f| f.as_ref().map(|f| f.learning.clone()).unwrap_or_default())
    });
    let input = move |field: &'static str,
                      label: &'static str,
                      kind: &'static str,
                      autocomplete: &'static str,
                      get: fn(&Form) -> String,
                      set: fn(&mut Form, String)| {
        view! {
            <TextField errors=errors field=field label=label kind=kind autocomplete=autocomplete
                required=matches!(field, "name" | "department") maxlength=MAX_TEXT
                plain=matches!(field, "email" | "phone")
                value=Signal::derive(move || form.with(|f| f.as_ref().map(get).unwrap_or_default()))
                on_input=move |v: String| change(Box::new(move |f| set(f, v.clone())))/>
        }
    };

    view! {
        <h1>"Mein Profil"</h1>
        {move || {
            if !state.loaded.get() {
                return view! { <Loading/> }.into_any();
            }
            if state.user.with(Option::is_none) {
                return view! {
                    <p>"Ihr Profil bearbeiten Sie nach der " <A href="/anmelden?weiter=/profil">"Anmeldung"</A> "."</p>
                }.into_any();
            }
            if lotse_id.get().is_none() {
                return view! {
                    <p>"Ihr Konto ist mit keinem Lotsen-Profil verbunden. Das Projektbüro kann das unter „Konten“ ändern."</p>
                }.into_any();
            }
            let Some((lotse, pending)) = record.get() else {
                return view! { <p>"Ihr Profil ist noch nicht auf diesem Gerät. Es kommt mit dem nächsten Abgleich."</p> }.into_any();
            };
            view! {
                <p>
                    "So finden Kolleginnen und Kollegen Sie in der Suche. "
                    {match &lotse.confirmed_at {
                        Some(d) => format!("Zuletzt bestätigt am {}.", crate::clock::german_date(d)),
                        None => "Ihr Profil wurde noch nie bestätigt.".to_owned(),
                    }}
                    {pending.then_some(" Ihre letzte Änderung wartet auf Übertragung.")}
                </p>
                {(!lotse.active).then(|| view! {
                    <p class="notice warning">"Ihr Profil ist zurzeit nicht aktiv und wird in der Suche nicht gezeigt. Aktivieren kann es das Projektbüro."</p>
                })}
            }.into_any()
        }}
        {move || lotse_id.get().map(|id| view! { <ConflictList key=crate::store::key("lotsen", &id) take_into_form=take_into_form/> })}
        <ErrorSummary errors=errors first_field="name" heading=2/>
        <p role="status" class="save-status">
            {move || saved.get().map(|m| view! { <span class="notice success">{m}</span> })}
        </p>
        {move || has_form.get().then(|| view! {
            <form class="profile-form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); save(false); } novalidate>
                <fieldset>
                    <legend>"Kontakt"</legend>
                    {input("name", "Name", "text", "name", |f| f.contact.name.clone(), |f, v| f.contact.name = v)}
                    {input("department", "Bereich", "text", "organization", |f| f.contact.department.clone(), |f, v| f.contact.department = v)}
                    {input("phone", "Telefon", "tel", "tel", |f| f.contact.phone.clone(), |f, v| f.contact.phone = v)}
                    {input("email", "E-Mail", "email", "email", |f| f.contact.email.clone(), |f, v| f.contact.email = v)}
                    {input("location", "Ort (Gebäude, Raum)", "text", "off", |f| f.contact.location.clone(), |f, v| f.contact.location = v)}
                    {input("availability", "Erreichbar (z. B. „Di+Do vormittags“)", "text", "off", |f| f.contact.availability.clone(), |f, v| f.contact.availability = v)}
                </fieldset>
                <fieldset id="profil-notify" tabindex="-1" aria-describedby="notify-hint">
                    <legend>"E-Mail bei neuen Anliegen in Ihren Themen"</legend>
                    <p class="hint" id="notify-hint">"Anliegen, die direkt an Sie gerichtet sind, kommen immer sofort per E-Mail an die Adresse oben."</p>
                    <div class="choices">
                        {Notify::ALL.into_iter().map(|n| {
                            let id = format!("notify-{}", n.as_str());
                            let label_for = id.clone();
                            view! {
                                <label for=label_for class="choice">
                                    <input type="radio" id=id name="notify" value=n.as_str()
                                        prop:checked=move || form.with(|f| f.as_ref().and_then(|f| f.notify).unwrap_or_default() == n)
                                        on:change=move |_| change(Box::new(move |f| f.notify = Some(n)))/>
                                    {n.label()}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                    {move || errors.message("notify").map(|m| view! { <p class="field-error" id="err-profil-notify">{m}</p> })}
                </fieldset>
                <fieldset id="skills" tabindex="-1">
                    <legend>"Ihre Themen"</legend>
                    <p class="hint" id="levels-hint">"Stufe 1: kennt sich aus · Stufe 2: kann helfen · Stufe 3: kann schulen. „Möchte ich lernen“ zeigt dem Projektbüro, wo Sie wachsen möchten."</p>
                    {move || errors.message("skills").map(|m| view! { <p class="field-error" id="err-skills">{m}</p> })}
                    {move || topics.get().into_iter().map(|(category, list)| view! {
                        <h2 class="category">{category}</h2>
                        <ul class="skill-list">
                            {list.into_iter().map(|(topic_id, topic)| {
                                let select_id = format!("stufe-{topic_id}");
                                let learn_id = format!("lernen-{topic_id}");
                                let learn_for = learn_id.clone();
                                let (t1, t2, t3, t4) = (topic_id.clone(), topic_id.clone(), topic_id.clone(), topic_id.clone());
                                view! {
                                    <li class="skill-row">
                                        <label for=select_id.clone() class="skill-name">{topic.name.clone()}</label>
                                        <select id=select_id aria-describedby="levels-hint" on:change=move |ev| {
                                            let v: u8 = event_target_value(&ev).parse().unwrap_or(0);
                                            let t = t1.clone();
                                            change(Box::new(move |f| {
                                                if Level::new(v).is_some() { f.levels.insert(t.clone(), v); } else { f.levels.remove(&t); }
                                            }));
                                        }>
                                            {[(0u8, "keine Angabe"), (1, "1 – kennt sich aus"), (2, "2 – kann helfen"), (3, "3 – kann schulen")].into_iter().map(|(n, label)| {
                                                let t = t2.clone();
                                                view! {
                                                    <option value=n.to_string()
                                                        selected=move || levels.with(|l| l.get(&t).copied().unwrap_or(0)) == n>
                                                        {label}
                                                    </option>
                                                }
                                            }).collect_view()}
                                        </select>
                                        <label class="learn" for=learn_for>
                                            <input type="checkbox" id=learn_id
                                                prop:checked=move || learning.with(|l| l.contains(&t3))
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    let t = t4.clone();
                                                    change(Box::new(move |f| {
                                                        if on { f.learning.insert(t.clone()); } else { f.learning.remove(&t); }
                                                    }));
                                                }/>
                                            "möchte ich lernen"
                                        </label>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }).collect_view()}
                </fieldset>
                <div class="actions">
                    <button type="submit" class="button">"Speichern"</button>
                    <button type="button" class="button secondary" on:click=move |_| save(true)>"Profil bestätigen"</button>
                </div>
                <p class="hint">"„Profil bestätigen“ speichert und vermerkt, dass Ihre Angaben heute noch stimmen."</p>
            </form>
        })}
    }
}
