//! `/buero/lotsen`: all Lotsen, active and inactive (a Büro login receives both); create a
//! Lotse, edit the base fields, deactivate and reactivate. Skills and learning wishes are the
//! Lotse's own (`/profil`); this screen keeps them as they are. `?neu` and `?bearbeiten={id}`
//! open the form; `?q=` filters by name or department, `?seite=` is the page of the list.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use lotsen_domain::model::{Lotse, MAX_TEXT};
use lotsen_domain::normalize::fold;
use lotsen_domain::protocol::FieldError;
use lotsen_domain::Collection;
use serde_json::{json, Value};

use super::{plural, BueroOnly, ErrorSummary, Mode, Notice, RecordForm, TextField};
use crate::components::{page_from_query, pager, portion_of, state};
use crate::forms::{messages, LotseContact};
use crate::pages::page_param;
use crate::state::{AppState, Records};

const PATH: &str = "/buero/lotsen";
/// Lotsen per page: 2,000 rows at once held 18,000 DOM nodes and took half a second to open.
const PER_PAGE: usize = 50;

/// The Büro's form of a Lotse: the contact fields (skills are the Lotse's own).
type Draft = LotseContact;

/// The Lotse as stored, as JSON, without skills and learning wishes on topics that are gone:
/// the server refuses a Lotse that names a deleted topic, and the Büro's edit must not fail on
/// something it did not touch.
fn stored(d: &Records, id: &str) -> Option<Value> {
    let mut lotse = d.lotsen.get(id)?.data.clone();
    lotse.skills.retain(|s| d.topics.contains_key(&s.topic));
    lotse.learning.retain(|t| d.topics.contains_key(t));
    serde_json::to_value(lotse).ok()
}

/// The Lotse to store: the stored one (a new, active one for `?neu`) with the form's fields,
/// checked as a whole.
fn check(d: &Draft, id: &str, refs: &Records) -> Result<Value, Vec<FieldError>> {
    let base = stored(refs, id).unwrap_or_else(|| {
        serde_json::to_value(Lotse {
            active: true,
            ..Lotse::default()
        })
        .unwrap_or_default()
    });
    refs.validate(Collection::Lotsen, id, &d.apply_to(base))
}

fn field_id(field: &str) -> String {
    format!("lotse-{}", field.split('.').next().unwrap_or(field))
}

#[component]
pub fn BueroLotsenPage() -> impl IntoView {
    crate::set_title("Lotsen verwalten");
    view! {
        <h1>"Lotsen verwalten"</h1>
        <BueroOnly path=PATH><LotsenAdmin/></BueroOnly>
    }
}

#[component]
fn LotsenAdmin() -> impl IntoView {
    let state = state();
    let form = RecordForm::new(PATH, field_id, |d, id| {
        d.lotsen.get(id).map(|r| Draft::of(&r.data))
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
        form.save(Collection::Lotsen, check, |d, is_new| {
            let name = d.name.trim();
            if is_new {
                format!("„{name}“ ist angelegt. Die Themen trägt die Person nach der Anmeldung selbst unter „Mein Profil“ ein; ein Konto dafür legen Sie unter „Konten“ an.")
            } else {
                format!("Die Angaben zu „{name}“ sind gespeichert.")
            }
        });
    };

    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(|q| q.get("q").unwrap_or_default()));
    let ids = Memo::new(move |_| {
        let wanted = fold(filter.get().trim());
        state.data.with(|d| {
            let mut v: Vec<(String, String)> = d
                .lotsen
                .iter()
                .filter(|(_, l)| {
                    wanted.is_empty()
                        || fold(&l.data.name).contains(&wanted)
                        || fold(&l.data.department).contains(&wanted)
                })
                .map(|(id, l)| (fold(&l.data.name), id.clone()))
                .collect();
            v.sort();
            v.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
        })
    });
    let (portion, shown) = portion_of(ids, page_from_query(), PER_PAGE);
    let navigate = use_navigate();
    let list_href =
        move |q: &str, page: usize| form.list_url(&[("q", q), ("seite", &page_param(page))]);
    let counts = Memo::new(move |_| {
        state.data.with(|d| {
            (
                d.lotsen.len(),
                d.lotsen.values().filter(|l| !l.data.active).count(),
            )
        })
    });
    let departments = Memo::new(move |_| state.data.with(Records::departments));
    let set =
        move |f: fn(&mut Draft, String)| Callback::new(move |v: String| draft.update(|d| f(d, v)));
    let get = move |f: fn(&Draft) -> String| Signal::derive(move || draft.with(f));

    view! {
        <p>
            "Inaktive Lotsen erscheinen nicht in der Suche, ihre Angaben bleiben erhalten. "
            "Ihre Themen pflegen die Lotsen selbst unter „Mein Profil“."
        </p>
        {notice.view()}
        {move || match mode.get() {
            Mode::List => view! {
                <p><A href=format!("{PATH}?neu") attr:class="button">"Neuen Lotsen anlegen"</A></p>
            }.into_any(),
            Mode::Missing => view! {
                <h2 class="buero-missing" tabindex="-1" node_ref=heading>"Lotse nicht gefunden"</h2>
                <p>"Diesen Lotsen gibt es auf diesem Gerät nicht (mehr). " <A href=PATH>"Zur Liste"</A></p>
            }.into_any(),
            m => {
                let title = if matches!(m, Mode::Edit(_)) { "Lotsen bearbeiten" } else { "Neuer Lotse" };
                view! {
                    <section class="buero-form" aria-labelledby="lotse-form-title">
                        <h2 id="lotse-form-title" tabindex="-1" node_ref=heading>{title}</h2>
                        <ErrorSummary errors=errors first_field="name"/>
                        <form on:submit=submit novalidate>
                            <TextField errors=errors field="name" label="Name" required=true maxlength=MAX_TEXT
                                value=get(|d| d.name.clone()) on_input=set(|d, v| d.name = v)/>
                            <TextField errors=errors field="department" label="Bereich" required=true maxlength=MAX_TEXT
                                list="lotse-departments" hint="Z. B. „Bürgerbüro“; vorhandene Bereiche werden vorgeschlagen."
                                value=get(|d| d.department.clone()) on_input=set(|d, v| d.department = v)/>
                            <datalist id="lotse-departments">
                                {move || departments.get().into_iter().map(|d| view! { <option value=d/> }).collect_view()}
                            </datalist>
                            <TextField errors=errors field="phone" label="Telefon" kind="tel" maxlength=MAX_TEXT
                                value=get(|d| d.phone.clone()) on_input=set(|d, v| d.phone = v)/>
                            <TextField errors=errors field="email" label="E-Mail" kind="email" maxlength=MAX_TEXT plain=true
                                value=get(|d| d.email.clone()) on_input=set(|d, v| d.email = v)/>
                            <TextField errors=errors field="location" label="Ort (Gebäude, Raum)" maxlength=MAX_TEXT
                                value=get(|d| d.location.clone()) on_input=set(|d, v| d.location = v)/>
                            <TextField errors=errors field="availability" label="Erreichbar" maxlength=MAX_TEXT
                                hint="Z. B. „Di+Do vormittags“."
                                value=get(|d| d.availability.clone()) on_input=set(|d, v| d.availability = v)/>
                            <div class="actions">
                                <button type="submit" class="button" aria-disabled=move || busy.get().to_string()>
                                    {move || if busy.get() { "Wird gespeichert …" } else { "Speichern" }}
                                </button>
                                <A href=PATH attr:class="button secondary">"Abbrechen"</A>
                            </div>
                        </form>
                    </section>
                }.into_any()
            }
        }}
        <section aria-labelledby="lotsen-liste">
            <h2 id="lotsen-liste">"Alle Lotsen"</h2>
            <p>{move || {
                let (all, inactive) = counts.get();
                let all = plural(all, "Lotse", "Lotsen").unwrap_or_else(|| "Noch keine Lotsen".to_owned());
                match inactive {
                    0 => format!("{all}, alle aktiv."),
                    n => format!("{all}, davon {n} inaktiv."),
                }
            }}</p>
            <form class="filters" role="search" aria-label="Lotsen filtern" on:submit=|ev: leptos::ev::SubmitEvent| ev.prevent_default()>
                <div class="field">
                    <label for="lotsen-filter">"Name oder Bereich enthält"</label>
                    <input id="lotsen-filter" type="search" autocomplete="off" prop:value=move || filter.get()
                        on:input=move |ev| {
                            let url = untrack(|| list_href(&event_target_value(&ev), 1));
                            navigate(&url, NavigateOptions { replace: true, scroll: false, ..Default::default() })
                        }/>
                </div>
            </form>
            <p role="status" data-testid="list-count">{move || {
                let p = portion.get();
                match p.total {
                    0 if !filter.get().trim().is_empty() => "Keine Lotsen mit diesem Namen oder Bereich.".to_owned(),
                    0 => String::new(),
                    1 => "1 Lotse".to_owned(),
                    n => format!("{n} Lotsen{}", p.range_de()),
                }
            }}</p>
            <ul class="buero-list" tabindex="-1" aria-label="Lotsen">
                <For each=move || shown.get() key=|id| id.clone() let:id>
                    <LotseRow id=id notice=notice/>
                </For>
            </ul>
            {move || {
                let q = filter.get();
                // The links follow the open form too (`list_url` reads the mode).
                pager(portion.get(), move |p| list_href(&q, p), "Seiten der Lotsenliste", ".buero-list")
            }}
        </section>
    }
}

#[derive(Clone, Debug, PartialEq)]
struct RowData {
    lotse: Lotse,
    pending: bool,
}

/// One Lotse in the list. Its parts follow the record, so the button keeps the keyboard focus
/// when it turns from "Deaktivieren" into "Reaktivieren".
#[component]
fn LotseRow(id: String, notice: Notice) -> impl IntoView {
    let state = state();
    let row = {
        let id = id.clone();
        Memo::new(move |_| {
            state.data.with(|d| {
                d.lotsen.get(&id).map(|l| RowData {
                    lotse: l.data.clone(),
                    pending: l.pending,
                })
            })
        })
    };
    let busy = RwSignal::new(false);
    let field = move |f: fn(&RowData) -> String| {
        move || row.with(|r| r.as_ref().map(f).unwrap_or_default())
    };
    let active = move || row.with(|r| r.as_ref().is_some_and(|r| r.lotse.active));
    let toggle = {
        let id = id.clone();
        move |_| {
            if busy.get_untracked() {
                return;
            }
            let Some(name) = row.with_untracked(|r| r.as_ref().map(|r| r.lotse.name.clone()))
            else {
                return;
            };
            let now_active = !active();
            let id = id.clone();
            busy.set(true);
            spawn_local(async move {
                match set_active(state, &id, now_active).await {
                    Ok(()) if now_active => notice.say(format!(
                        "„{name}“ ist wieder aktiv und erscheint in der Suche."
                    )),
                    Ok(()) => notice.say(format!(
                        "„{name}“ ist jetzt inaktiv und erscheint nicht mehr in der Suche."
                    )),
                    Err(e) => notice.warn(format!("„{name}“ konnte nicht geändert werden: {e}")),
                }
                busy.set(false);
            });
        }
    };
    let profile = format!("/lotsen/{id}");
    view! {
        <li class="buero-item" data-testid="buero-lotse">
            <div class="buero-item-main">
                <p class="buero-item-title">
                    {move || if active() {
                        view! { <A href=profile.clone()>{field(|r| r.lotse.name.clone())}</A> }.into_any()
                    } else {
                        view! { <strong>{field(|r| r.lotse.name.clone())}</strong> }.into_any()
                    }}
                    {move || (!active()).then(|| view! { " " <span class="buero-badge">"inaktiv"</span> })}
                    {move || row.with(|r| r.as_ref().is_some_and(|r| r.pending)).then(|| view! {
                        " " <span class="status pending">"wartet auf Übertragung"</span>
                    })}
                </p>
                <p class="muted">
                    {field(|r| r.lotse.department.clone())} " · "
                    {field(|r| plural(r.lotse.skills.len(), "Thema", "Themen").unwrap_or_else(|| "noch keine Themen".to_owned()))} " · "
                    {field(|r| match &r.lotse.confirmed_at {
                        Some(d) => format!("Profil bestätigt am {}", crate::clock::german_date(d)),
                        None => "Profil noch nie bestätigt".to_owned(),
                    })} " · "
                    // Set by the Lotse in /profil; the Büro sees it, it does not change it.
                    {field(|r| format!("E-Mail bei neuen Anliegen: {}", r.lotse.notify.short_label()))}
                </p>
            </div>
            <div class="buero-actions">
                <A href=format!("{PATH}?bearbeiten={id}")>
                    "Bearbeiten" <span class="visually-hidden">" „" {field(|r| r.lotse.name.clone())} "“"</span>
                </A>
                <button type="button" class="link-button" aria-disabled=move || busy.get().to_string() on:click=toggle>
                    {move || if active() { "Deaktivieren" } else { "Reaktivieren" }}
                    <span class="visually-hidden">" „" {field(|r| r.lotse.name.clone())} "“"</span>
                </button>
            </div>
        </li>
    }
}

/// Sets `active`, keeping everything else as stored.
async fn set_active(state: AppState, id: &str, active: bool) -> Result<(), String> {
    let data = state.data.with_untracked(|d| {
        let mut data = stored(d, id).ok_or("Diesen Lotsen gibt es nicht (mehr).")?;
        if let Some(o) = data.as_object_mut() {
            o.insert("active".into(), json!(active));
        }
        d.validate(Collection::Lotsen, id, &data)
            .map_err(|errors| messages(&errors))
    })?;
    state.edit(Collection::Lotsen, id, data, false).await
}
