//! One module per screen (SPEC §4).

mod buero;
mod conflicts;
mod events;
mod info;
mod join;
mod login;
mod lotse;
mod profile;
mod request_new;
mod requests;
mod search;
pub(crate) mod topics;
mod workplace;

pub use buero::{
    BueroAccountsPage, BueroApplicationsPage, BueroEvaluationPage, BueroEventsPage,
    BueroLotsenPage, BueroMatrixPage, BueroTopicsPage,
};
pub use events::EventsPage;
pub use info::{AccessibilityPage, ImprintPage, NotFound, PrivacyPage};
pub use join::JoinPage;
pub use login::{logout, LoginPage};
pub use lotse::LotsePage;
pub use profile::ProfilePage;
pub use request_new::NewRequestPage;
pub use requests::RequestsPage;
pub use search::SearchRoute;
pub use topics::{TopicPage, TopicsPage};
pub use workplace::{WorkItemPage, WorkplacePage};

/// Encodes a value for a query string.
pub(crate) fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}
