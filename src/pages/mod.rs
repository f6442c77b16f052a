//! One module per screen (SPEC §4).

#[cfg(feature = "staff")]
mod buero;
#[cfg(feature = "staff")]
mod conflicts;
mod events;
mod info;
mod join;
#[cfg(feature = "staff")]
mod login;
mod lotse;
#[cfg(feature = "staff")]
mod profile;
mod request_new;
mod requests;
mod search;
pub(crate) mod topics;
#[cfg(feature = "staff")]
mod workplace;

#[cfg(feature = "staff")]
pub use buero::{
    BueroAccountsPage, BueroApplicationsPage, BueroEvaluationPage, BueroEventsPage,
    BueroLotsenPage, BueroMatrixPage, BueroTopicsPage,
};
pub use events::EventsPage;
pub use info::{AccessibilityPage, ImprintPage, NotFound, PrivacyPage};
pub use join::JoinPage;
#[cfg(feature = "staff")]
pub use login::LoginPage;
pub use lotse::LotsePage;
#[cfg(feature = "staff")]
pub use profile::ProfilePage;
pub use request_new::NewRequestPage;
pub use requests::RequestsPage;
pub use search::SearchRoute;
pub use topics::{TopicPage, TopicsPage};
#[cfg(feature = "staff")]
pub use workplace::{WorkItemPage, WorkplacePage};

/// Encodes a value for a query string.
pub(crate) fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}
