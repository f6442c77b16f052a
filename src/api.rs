//! The thin HTTP client of the sync protocol (SPEC §7).

pub use gloo_net::http::Method;
use gloo_net::http::RequestBuilder;
#[cfg(feature = "staff")]
use lotsen_domain::protocol::{AccountChange, AccountView, NewAccount};
use lotsen_domain::protocol::{
    ApiError, ChangesResponse, FieldError, Mutation, PushRequest, PushResponse, SessionUser,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, RequestCredentials};

/// A request gives up after this long, so a flaky connection cannot stall the sync loop.
const TIMEOUT_MS: i32 = 20_000;

#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// No answer: offline, server down, timeout.
    Network,
    /// The server answered with an error.
    Status {
        status: u16,
        code: String,
        message: String,
        /// Every problem of refused input (422), each at its field.
        errors: Vec<FieldError>,
    },
    /// The server answered with something that is not the protocol.
    Invalid(String),
}

impl FetchError {
    /// What to tell the user: the server's own German message, without the status code.
    pub fn message(&self) -> String {
        match self {
            FetchError::Network => {
                "Keine Verbindung zum Server. Bitte versuchen Sie es wieder, wenn Sie online sind."
                    .to_owned()
            }
            FetchError::Status { message, .. } => message.clone(),
            FetchError::Invalid(_) => self.to_string(),
        }
    }

    /// Before the app has opened its local database there is no client to ask with.
    pub fn not_ready() -> FetchError {
        FetchError::Status {
            status: 0,
            code: "not_ready".into(),
            message: "Der lokale Speicher ist noch nicht bereit. Bitte laden Sie die Seite neu."
                .into(),
            errors: Vec::new(),
        }
    }

    pub fn is_reset(&self) -> bool {
        matches!(self, FetchError::Status { status: 410, .. })
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Network => f.write_str("Server nicht erreichbar"),
            FetchError::Status {
                status, message, ..
            } => write!(f, "Server meldet Fehler {status}: {message}"),
            FetchError::Invalid(e) => write!(f, "Unerwartete Antwort des Servers: {e}"),
        }
    }
}

pub struct Api {
    device_key: String,
}

impl Api {
    pub fn new(device_key: String) -> Api {
        Api { device_key }
    }

    pub async fn changes(
        &self,
        since: Option<&str>,
        limit: u32,
    ) -> Result<ChangesResponse, FetchError> {
        let since = since
            .map(|s| format!("&since={}", lotsen_domain::routes::encode_uri_component(s)))
            .unwrap_or_default();
        self.call(
            Method::GET,
            &format!("/api/v1/changes?limit={limit}{since}"),
            None,
        )
        .await
    }

    pub async fn push(&self, mutations: Vec<Mutation>) -> Result<PushResponse, FetchError> {
        let body = serde_json::to_string(&PushRequest { mutations })
            .map_err(|e| FetchError::Invalid(e.to_string()))?;
        self.call(Method::POST, "/api/v1/push", Some(body)).await
    }

    /// Who the server takes this browser for (None: not logged in).
    pub async fn session(&self) -> Result<Option<SessionUser>, FetchError> {
        match self.call(Method::GET, "/api/v1/session", None).await {
            Ok(user) => Ok(Some(user)),
            Err(FetchError::Status { status: 401, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn login(&self, username: &str, password: &str) -> Result<SessionUser, FetchError> {
        #[derive(Serialize)]
        struct Login<'a> {
            username: &'a str,
            password: &'a str,
        }
        self.send(
            Method::POST,
            "/api/v1/session",
            &Login { username, password },
        )
        .await
    }

    pub async fn logout(&self) -> Result<(), FetchError> {
        self.call::<serde_json::Value>(Method::DELETE, "/api/v1/session", None)
            .await
            .map(drop)
    }

    /// Every account (Projektbüro only; `/buero/konten`).
    #[cfg(feature = "staff")]
    pub async fn accounts(&self) -> Result<Vec<AccountView>, FetchError> {
        #[derive(serde::Deserialize)]
        struct AccountList {
            accounts: Vec<AccountView>,
        }
        self.call::<AccountList>(Method::GET, "/api/v1/accounts", None)
            .await
            .map(|list| list.accounts)
    }

    #[cfg(feature = "staff")]
    pub async fn create_account(&self, new: &NewAccount) -> Result<AccountView, FetchError> {
        self.send(Method::POST, "/api/v1/accounts", new).await
    }

    #[cfg(feature = "staff")]
    pub async fn update_account(
        &self,
        username: &str,
        change: &AccountChange,
    ) -> Result<AccountView, FetchError> {
        let url = format!(
            "/api/v1/accounts/{}",
            lotsen_domain::routes::encode_uri_component(username)
        );
        self.send(Method::PATCH, &url, change).await
    }

    /// What waits in the server's mail outbox and what failed (Projektbüro only).
    #[cfg(feature = "staff")]
    pub async fn mail_status(&self) -> Result<lotsen_domain::protocol::MailStatus, FetchError> {
        self.call(Method::GET, "/api/v1/mail", None).await
    }

    /// Sends a failed mail again (Projektbüro only).
    #[cfg(feature = "staff")]
    pub async fn retry_mail(&self, id: i64) -> Result<(), FetchError> {
        self.call::<serde_json::Value>(Method::POST, &format!("/api/v1/mail/{id}/retry"), None)
            .await
            .map(drop)
    }

    /// A JSON body to `url`, the answer as `T`.
    pub async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: &B,
    ) -> Result<T, FetchError> {
        let body = serde_json::to_string(body).map_err(|e| FetchError::Invalid(e.to_string()))?;
        self.call(method, url, Some(body)).await
    }

    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: Option<String>,
    ) -> Result<T, FetchError> {
        let mut request = RequestBuilder::new(url)
            .method(method)
            .credentials(RequestCredentials::SameOrigin)
            .header("X-Device-Key", &self.device_key)
            .header("Accept", "application/json");
        let controller = AbortController::new().ok();
        if let Some(c) = &controller {
            request = request.abort_signal(Some(&c.signal()));
            let c = c.clone();
            let abort = wasm_bindgen::closure::Closure::once_into_js(move || c.abort());
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                    abort.unchecked_ref(),
                    TIMEOUT_MS,
                );
            }
        }
        let request = match body {
            Some(b) => request.header("Content-Type", "application/json").body(b),
            None => request.build(),
        }
        .map_err(|_| FetchError::Network)?;
        let resp = request.send().await.map_err(|_| FetchError::Network)?;
        let text = resp.text().await.map_err(|_| FetchError::Network)?;
        let status = resp.status();
        if resp.ok() {
            // 204 No Content (logout) has no body.
            let text = if text.is_empty() { "null" } else { &text };
            return serde_json::from_str(text).map_err(|e| FetchError::Invalid(e.to_string()));
        }
        match serde_json::from_str::<ApiError>(&text) {
            // Our own answer, also a 503 (storage full) or 429 (too many writes): its German
            // message is shown, and the outbox waits.
            Ok(e) => Err(FetchError::Status {
                status,
                code: e.error.code,
                message: e.error.message,
                errors: e.errors,
            }),
            // A proxy or a stopped server answering with a gateway error: that is being offline.
            Err(_) if matches!(status, 502..=504) => Err(FetchError::Network),
            Err(_) => Err(FetchError::Status {
                status,
                code: String::new(),
                message: format!("HTTP {status}"),
                errors: Vec::new(),
            }),
        }
    }
}
