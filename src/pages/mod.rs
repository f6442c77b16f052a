//! One module per screen (SPEC §4).

mod info;
mod lotse;
mod request_new;
mod requests;
mod search;
mod topics;

pub use info::{AccessibilityPage, ImprintPage, NotFound, PrivacyPage};
pub use lotse::LotsePage;
pub use request_new::NewRequestPage;
pub use requests::RequestsPage;
pub use search::SearchPage;
pub use topics::{TopicPage, TopicsPage};

/// Encodes a value for a query string.
pub(crate) fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}
