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
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use lotsen_domain::protocol::{FieldError, SessionUser};
use lotsen_domain::Collection;
use serde_json::Value;

use crate::components::focus_soon;
use crate::components::{state, Loading};
use crate::forms::{ErrorSummary, FormErrors, TextField};
use crate::state::{AppState, Records};
use crate::store::new_uuid;

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

/// "1 Termin", "3 Terminen"; nothing for 0.
fn plural(n: usize, one: &str, many: &str) -> Option<String> {
    match n {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {many}")),
    }
}

/// What a Büro record screen shows, from its URL: the list, an empty form (`?neu`), or the
/// form of one record (`?bearbeiten={id}`).
#[derive(Clone, Debug, PartialEq)]
enum Mode {
    List,
    New,
    Edit(String),
    /// `?bearbeiten=` names a record this device does not hold (deleted, or not yet synced).
    Missing,
}

/// The router's navigation, kept for handlers that run after the component was built.
type Navigate = Box<dyn Fn(&str)>;

/// The state of a Büro record screen (topics, Lotsen, events): the mode from the URL and the
/// form that creates or edits one record.
struct RecordForm<D: Send + Sync + 'static> {
    state: AppState,
    /// The screen's own address: the list, where a saved form goes back to.
    path: &'static str,
    navigate: StoredValue<Navigate, LocalStorage>,
    mode: Memo<Mode>,
    draft: RwSignal<D>,
    errors: FormErrors,
    busy: RwSignal<bool>,
    notice: Notice,
    /// The form's heading, focused when a form opens.
    heading: NodeRef<html::H2>,
}

impl<D: Send + Sync + 'static> Clone for RecordForm<D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D: Send + Sync + 'static> Copy for RecordForm<D> {}

impl<D: Send + Sync + 'static> RecordForm<D> {
    /// The address of the list with `params` (a filter, a page) that keeps the open form (`neu`
    /// or `bearbeiten`): moving through the list below a form must not close it and lose what
    /// is typed. Reads the mode, so a link made with it follows the form.
    fn list_url(&self, params: &[(&str, &str)]) -> String {
        let form = match self.mode.get() {
            Mode::New => ("neu", "1".to_owned()),
            Mode::Edit(id) => ("bearbeiten", id),
            Mode::List | Mode::Missing => ("bearbeiten", String::new()),
        };
        let mut all = vec![(form.0, form.1.as_str())];
        all.extend_from_slice(params);
        format!("{}{}", self.path, crate::pages::query_string(&all))
    }
}

impl<D: Clone + Default + Send + Sync + 'static> RecordForm<D> {
    /// `draft_of` reads one record of this device into a form (None if it holds no such
    /// record). The form is filled once per record opened, so later syncs do not overwrite
    /// what is being typed.
    fn new(
        path: &'static str,
        field_id: fn(&str) -> String,
        draft_of: fn(&Records, &str) -> Option<D>,
    ) -> Self {
        let state = state();
        let navigate = use_navigate();
        let query = use_query_map();
        let mode = Memo::new(move |_| {
            let (edit, new) = query.with(|q| (q.get("bearbeiten"), q.get("neu").is_some()));
            match edit {
                Some(id) if state.data.with(|d| draft_of(d, &id).is_some()) => Mode::Edit(id),
                Some(_) => Mode::Missing,
                None if new => Mode::New,
                None => Mode::List,
            }
        });
        let form = RecordForm {
            state,
            path,
            navigate: StoredValue::new_local(Box::new(move |to: &str| {
                navigate(to, Default::default())
            })),
            mode,
            draft: RwSignal::new(D::default()),
            errors: FormErrors::new(field_id),
            busy: RwSignal::new(false),
            notice: Notice::new(),
            heading: NodeRef::new(),
        };
        let filled_for = StoredValue::new(Mode::List);
        Effect::new(move |_| {
            let m = mode.get();
            if filled_for.with_value(|f| *f == m) {
                return;
            }
            match &m {
                Mode::New => form.draft.set(D::default()),
                Mode::Edit(id) => {
                    if let Some(d) = state.data.with_untracked(|d| draft_of(d, id)) {
                        form.draft.set(d);
                    }
                }
                Mode::List | Mode::Missing => {}
            }
            form.errors.clear();
            if matches!(m, Mode::New | Mode::Edit(_)) {
                form.notice.clear();
                focus_soon(move || form.heading.get_untracked());
            }
            filled_for.set_value(m);
        });
        form
    }

    /// Back to the list (`path` without `?neu`/`?bearbeiten=`).
    fn to_list(self) {
        self.navigate.with_value(|n| n(self.path));
    }

    /// Checks the form and stores it in `collection` under the record's id (a new one for
    /// `?neu`): `check` gives the record to store or every problem of the form. Then back to
    /// the list, where the notice says `saved(draft, is_new)` and takes the focus; a problem
    /// goes to its field.
    fn save(
        self,
        collection: Collection,
        check: fn(&D, &str, &Records) -> Result<Value, Vec<FieldError>>,
        saved: fn(&D, bool) -> String,
    ) {
        if self.busy.get_untracked() {
            return;
        }
        let (id, is_new) = match self.mode.get_untracked() {
            Mode::New => (new_uuid(), true),
            Mode::Edit(id) => (id, false),
            Mode::List | Mode::Missing => return,
        };
        let d = self.draft.get_untracked();
        let data = match self.state.data.with_untracked(|refs| check(&d, &id, refs)) {
            Ok(data) => data,
            Err(found) => {
                self.errors.show(found);
                return;
            }
        };
        self.errors.clear();
        self.busy.set(true);
        spawn_local(async move {
            let stored = self.state.edit(collection, &id, data, false).await;
            self.busy.set(false);
            match stored {
                Ok(()) => {
                    self.to_list();
                    self.notice.say(saved(&d, is_new));
                    focus_soon(move || self.notice.node.get_untracked());
                }
                Err(e) => self.errors.show(vec![FieldError::new(
                    "store",
                    format!("Konnte nicht gespeichert werden: {e}"),
                    None,
                )]),
            }
        });
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

/// Asks before something that cannot be undone; without a window, nothing happens.
fn confirm(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}
