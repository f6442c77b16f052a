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
pub(crate) fn url_encode(s: &str) -> String {
    lotsen_domain::routes::encode_uri_component(s)
}

/// The query string of `params` with its `?`, leaving out empty and blank values (`""` when
/// none is left): every screen keeps its state in the URL this way. Values go in as they are
/// (a search typed so far may end in a space before the next word).
pub(crate) fn query_string(params: &[(&str, &str)]) -> String {
    let parts: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// A page number for [`query_string`]: empty for the first page, which needs none.
pub(crate) fn page_param(page: usize) -> String {
    if page > 1 {
        page.to_string()
    } else {
        String::new()
    }
}
