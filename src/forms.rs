//! Form pieces every form shares: the errors of a form (from the domain's `validate_all`, in
//! the order of the form) each at its field and together in a summary that gets the focus
//! (WCAG 3.3.1), and a labelled text field.

use crate::components::focus_soon;
use leptos::html;
use leptos::prelude::*;
use lotsen_domain::model::Lotse;
use lotsen_domain::protocol::FieldError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The errors of one form, each at its field. `field_id` maps a field's path from validation
/// (`synonyms.3`) to the id of its input, which also names the message (`err-{id}`) that the
/// input's `aria-describedby` points at.
#[derive(Clone, Copy)]
pub struct FormErrors {
    list: RwSignal<Vec<FieldError>>,
    field_id: fn(&str) -> String,
    /// Focused when errors are shown, so that screen readers start with the summary.
    anchor: NodeRef<html::Div>,
}

impl FormErrors {
    pub fn new(field_id: fn(&str) -> String) -> FormErrors {
        FormErrors {
            list: RwSignal::new(Vec::new()),
            field_id,
            anchor: NodeRef::new(),
        }
    }

    pub fn show(self, errors: Vec<FieldError>) {
        self.list.set(errors);
        if let Some(el) = self.anchor.get_untracked() {
            let _ = el.focus();
        }
    }

    pub fn clear(self) {
        self.list.set(Vec::new());
    }

    pub fn message(self, field: &str) -> Option<String> {
        let id = (self.field_id)(field);
        self.list.with(|es| {
            es.iter()
                .find(|e| e.field.as_deref().map(self.field_id).as_ref() == Some(&id))
                .map(|e| e.message.clone())
        })
    }
}

/// Every problem as one text, for a message where no form shows them at their fields.
pub fn messages(errors: &[FieldError]) -> String {
    let all: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    all.join(" ")
}

/// The list of all errors above the form, linking to each field.
#[component]
pub fn ErrorSummary(
    errors: FormErrors,
    first_field: &'static str,
    /// 2 for a form that is the page's main content, 3 (the default) for one in a section.
    #[prop(default = 3)]
    heading: u8,
) -> impl IntoView {
    view! {
        <div node_ref=errors.anchor tabindex="-1" class="error-summary-anchor">
            {move || {
                let es = errors.list.get();
                (!es.is_empty()).then(|| view! {
                    <div class="error-summary" role="alert">
                        {if heading == 2 {
                            view! { <h2>"Bitte prüfen Sie Ihre Angaben"</h2> }.into_any()
                        } else {
                            view! { <h3>"Bitte prüfen Sie Ihre Angaben"</h3> }.into_any()
                        }}
                        <ul>
                            {es.into_iter().map(|e| {
                                let id = (errors.field_id)(e.field.as_deref().unwrap_or(first_field));
                                let href = format!("#{id}");
                                // The router would take the link for a navigation; the field
                                // itself must get the focus, so one can correct it at once.
                                let focus_field = move |ev: leptos::ev::MouseEvent| {
                                    ev.prevent_default();
                                    let id = id.clone();
                                    focus_soon(move || document().get_element_by_id(&id));
                                };
                                view! { <li><a href=href on:click=focus_field>{e.message}</a></li> }
                            }).collect_view()}
                        </ul>
                    </div>
                })
            }}
        </div>
    }
}

/// A labelled text input (or textarea) with its hint and its error.
#[component]
pub fn TextField(
    errors: FormErrors,
    /// The field's path in the record (`name`, `requester.name`).
    field: &'static str,
    label: &'static str,
    value: Signal<String>,
    #[prop(into)] on_input: Callback<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] hint: Option<&'static str>,
    /// The id of a `<datalist>` with suggestions.
    #[prop(optional)]
    list: Option<&'static str>,
    /// Rows of a textarea; 0 for a one-line input.
    #[prop(optional)]
    rows: u8,
    #[prop(optional)] maxlength: Option<usize>,
    /// A name or address, not words: no spell check, no capital first letter on phones.
    #[prop(optional)]
    plain: bool,
) -> impl IntoView {
    let id = (errors.field_id)(field);
    let error_id = format!("err-{id}");
    let hint_id = format!("{id}-hint");
    let has_error = move || errors.message(field).is_some();
    let described = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if has_error() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    let input = if rows > 0 {
        view! {
            <textarea id=id.clone() rows=rows autocomplete=autocomplete prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
                aria-invalid=move || has_error().to_string() aria-describedby=described></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() type=kind autocomplete=autocomplete list=list
                maxlength=maxlength.map(|m| m.to_string())
                spellcheck=plain.then_some("false") autocapitalize=plain.then_some("none")
                prop:value=move || value.get() on:input=move |ev| on_input.run(event_target_value(&ev))
                aria-invalid=move || has_error().to_string() aria-describedby=described/>
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>
                {label}
                {required.then(|| view! { " " <span class="required">"(Pflichtfeld)"</span> })}
            </label>
            {input}
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            {move || errors.message(field).map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

/// The contact fields of a Lotse, as both the Büro's Lotse form and the Lotse's own profile
/// edit them (the draft in localStorage keeps these names).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LotseContact {
    pub name: String,
    pub department: String,
    pub phone: String,
    pub email: String,
    pub location: String,
    pub availability: String,
}

impl LotseContact {
    pub fn of(l: &Lotse) -> LotseContact {
        LotseContact {
            name: l.name.clone(),
            department: l.department.clone(),
            phone: l.phone.clone(),
            email: l.email.clone(),
            location: l.location.clone(),
            availability: l.availability.clone(),
        }
    }

    /// `stored` with these fields, trimmed; everything else (skills, confirmation, `active`,
    /// fields a newer app may know) stays.
    pub fn apply_to(&self, mut stored: Value) -> Value {
        if let Some(o) = stored.as_object_mut() {
            for (k, v) in [
                ("name", &self.name),
                ("department", &self.department),
                ("phone", &self.phone),
                ("email", &self.email),
                ("location", &self.location),
                ("availability", &self.availability),
            ] {
                o.insert(k.into(), Value::String(v.trim().to_owned()));
            }
        }
        stored
    }
}

/// The options of a topic `<select>`: a first, empty choice labelled `none`, then every topic
/// by name. An option's value is the topic's slug (`by_slug`, for addresses) or its id (for
/// records); `selected` is the current value.
#[component]
pub fn TopicOptions(
    none: &'static str,
    #[prop(optional)] by_slug: bool,
    #[prop(into)] selected: Signal<String>,
) -> impl IntoView {
    let state = crate::components::state();
    let topics = Memo::new(move |_| {
        state.data.with(|d| {
            d.topic_choices()
                .into_iter()
                .map(|t| {
                    if by_slug {
                        (t.slug, t.name)
                    } else {
                        (t.id, t.name)
                    }
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <option value="" selected=move || selected.with(String::is_empty)>{none}</option>
        {move || topics.get().into_iter().map(|(value, name)| {
            let current = value.clone();
            view! { <option value=value selected=move || selected.with(|s| *s == current)>{name}</option> }
        }).collect_view()}
    }
}
