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
use lotsen_domain::protocol::SessionUser;

use crate::components::{state, Loading};
use crate::forms::{
    add_unless_reported, focus_soon, in_form_order, ErrorSummary, FormErrors, TextField,
};

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
