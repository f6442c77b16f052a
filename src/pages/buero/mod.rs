//! The Projektbüro's screens (SPEC §2, §4): `/buero/themen`, `/buero/lotsen`, `/buero/konten`.
//! The server decides what a caller may write; these screens show their forms only to a Büro
//! login, so that nobody fills in a form the server would refuse.

mod accounts;
mod applications;
mod evaluation;
mod events;
mod lotsen;
mod matrix;
mod topics;

pub use accounts::BueroAccountsPage;
pub use applications::BueroApplicationsPage;
pub use evaluation::BueroEvaluationPage;
pub use events::BueroEventsPage;
pub use lotsen::BueroLotsenPage;
pub use matrix::BueroMatrixPage;
pub use topics::BueroTopicsPage;

use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use lotsen_domain::protocol::{FieldError, SessionUser};
use wasm_bindgen::JsCast;

use crate::components::{state, Loading};

/// The screen's content for a Büro login; for everyone else, the way to log in.
#[component]
fn BueroOnly(path: &'static str, children: ChildrenFn) -> impl IntoView {
    let state = state();
    // Memos: the user signal is set again, unchanged, after every reload of the device, and
    // rebuilding the screen would throw away what is being typed.
    let loaded = Memo::new(move |_| state.loaded.get());
    let buero = Memo::new(move |_| {
        state
            .user
            .with(|u| u.as_ref().is_some_and(SessionUser::is_buero))
    });
    move || {
        if !loaded.get() {
            return view! { <Loading/> }.into_any();
        }
        if buero.get() {
            return children().into_any();
        }
        view! {
            <p class="notice warning" data-testid="buero-only">"Diese Seite ist dem Projektbüro vorbehalten."</p>
            <p><A href=format!("/anmelden?weiter={path}")>"Als Projektbüro anmelden"</A></p>
        }
        .into_any()
    }
}

/// The errors of one form, each at its field. `field_id` maps a field's path from validation
/// (`synonyms.3`) to the id of its input, which also names the message (`err-{id}`) that the
/// input's `aria-describedby` points at.
#[derive(Clone, Copy)]
struct FormErrors {
    list: RwSignal<Vec<FieldError>>,
    field_id: fn(&str) -> String,
    /// Focused when errors are shown, so that screen readers start with the summary.
    anchor: NodeRef<html::Div>,
}

impl FormErrors {
    fn new(field_id: fn(&str) -> String) -> FormErrors {
        FormErrors {
            list: RwSignal::new(Vec::new()),
            field_id,
            anchor: NodeRef::new(),
        }
    }

    fn show(self, errors: Vec<FieldError>) {
        self.list.set(errors);
        if let Some(el) = self.anchor.get_untracked() {
            let _ = el.focus();
        }
    }

    fn clear(self) {
        self.list.set(Vec::new());
    }

    fn message(self, field: &str) -> Option<String> {
        let id = (self.field_id)(field);
        self.list.with(|es| {
            es.iter()
                .find(|e| e.field.as_deref().map(self.field_id).as_ref() == Some(&id))
                .map(|e| e.message.clone())
        })
    }
}

/// Adds `found` (the first problem the full validation reports) unless its field already has
/// an error from the single-field checks, which run first so that every field is reported.
fn add_unless_reported(errors: &mut Vec<FieldError>, found: FieldError) {
    if !errors.iter().any(|e| e.field == found.field) {
        errors.push(found);
    }
}

/// Sorts errors as their fields stand in the form (`fields`, by the first part of the path).
fn in_form_order(errors: &mut [FieldError], fields: &[&str]) {
    errors.sort_by_key(|e| {
        e.field
            .as_deref()
            .and_then(|f| fields.iter().position(|x| f.split('.').next() == Some(*x)))
            .unwrap_or(fields.len())
    });
}

/// "1 Termin", "3 Terminen"; nothing for 0.
fn plural(n: usize, one: &str, many: &str) -> Option<String> {
    match n {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {many}")),
    }
}

/// The list of all errors above the form, linking to each field.
#[component]
fn ErrorSummary(errors: FormErrors, first_field: &'static str) -> impl IntoView {
    view! {
        <div node_ref=errors.anchor tabindex="-1" class="error-summary-anchor">
            {move || {
                let es = errors.list.get();
                (!es.is_empty()).then(|| view! {
                    <div class="error-summary" role="alert">
                        <h3>"Bitte prüfen Sie Ihre Angaben"</h3>
                        <ul>
                            {es.into_iter().map(|e| {
                                let id = (errors.field_id)(e.field.as_deref().unwrap_or(first_field));
                                let href = format!("#{id}");
                                // The router would take the link for a navigation; the field
                                // itself must get the focus, so one can correct it at once.
                                let go = move |ev: leptos::ev::MouseEvent| {
                                    ev.prevent_default();
                                    let id = id.clone();
                                    focus_soon(move || document().get_element_by_id(&id));
                                };
                                view! { <li><a href=href on:click=go>{e.message}</a></li> }
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
fn TextField(
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

/// A status line that announces what just happened; it takes the focus when the control that
/// was used has gone (a closed form), so keyboard users are not left at the top of the page.
#[derive(Clone, Copy)]
struct Notice {
    /// The text, and whether it reports a failure.
    text: RwSignal<Option<(String, bool)>>,
    node: NodeRef<html::P>,
}

impl Notice {
    fn new() -> Notice {
        Notice {
            text: RwSignal::new(None),
            node: NodeRef::new(),
        }
    }

    fn say(self, text: impl Into<String>) {
        self.text.set(Some((text.into(), false)));
    }

    fn warn(self, text: impl Into<String>) {
        self.text.set(Some((text.into(), true)));
    }

    fn clear(self) {
        self.text.set(None);
    }

    fn focus(self) {
        if let Some(el) = self.node.get_untracked() {
            let _ = el.focus();
        }
    }

    fn view(self) -> impl IntoView {
        view! {
            <p class="buero-status" role="status" tabindex="-1" node_ref=self.node data-testid="buero-notice">
                {move || self.text.get().map(|(t, failed)| {
                    let class = if failed { "notice warning" } else { "notice success" };
                    view! { <span class=class>{t}</span> }
                })}
            </p>
        }
    }
}

/// Moves the focus to what `target` finds once it is in the page (after the next render).
fn focus_soon<T: JsCast + 'static>(target: impl FnOnce() -> Option<T> + 'static) {
    request_animation_frame(move || {
        if let Some(el) = target() {
            let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });
}

/// Asks before something that cannot be undone; without a window, nothing happens.
fn confirm(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}
