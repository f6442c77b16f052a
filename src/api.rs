//! The thin HTTP client of the sync protocol (SPEC §7).

use lotsen_domain::protocol::{
    ApiError, ChangesResponse, Mutation, PushRequest, PushResponse, SessionUser,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestCredentials, RequestInit, Response};

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
            "GET",
            &format!("/api/v1/changes?limit={limit}{since}"),
            None,
        )
        .await
    }

    pub async fn push(&self, mutations: Vec<Mutation>) -> Result<PushResponse, FetchError> {
        let body = serde_json::to_string(&PushRequest { mutations })
            .map_err(|e| FetchError::Invalid(e.to_string()))?;
        self.call("POST", "/api/v1/push", Some(body)).await
    }

    /// Who the server takes this browser for (None: not logged in).
    pub async fn session(&self) -> Result<Option<SessionUser>, FetchError> {
        match self.call("GET", "/api/v1/session", None).await {
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
        self.send("POST", "/api/v1/session", &Login { username, password })
            .await
    }

    pub async fn logout(&self) -> Result<(), FetchError> {
        self.call::<serde_json::Value>("DELETE", "/api/v1/session", None)
            .await
            .map(drop)
    }

    /// A JSON body to `url`, the answer as `T`.
    pub async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        url: &str,
        body: &B,
    ) -> Result<T, FetchError> {
        let body = serde_json::to_string(body).map_err(|e| FetchError::Invalid(e.to_string()))?;
        self.call(method, url, Some(body)).await
    }

    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        url: &str,
        body: Option<String>,
    ) -> Result<T, FetchError> {
        let window = web_sys::window().ok_or(FetchError::Network)?;
        let headers = Headers::new().map_err(|_| FetchError::Network)?;
        let _ = headers.set("X-Device-Key", &self.device_key);
        let _ = headers.set("Accept", "application/json");
        let init = RequestInit::new();
        init.set_method(method);
        init.set_credentials(RequestCredentials::SameOrigin);
        if let Some(b) = body {
            let _ = headers.set("Content-Type", "application/json");
            init.set_body(&JsValue::from_str(&b));
        }
        init.set_headers(&headers);
        let controller = AbortController::new().ok();
        if let Some(c) = &controller {
            init.set_signal(Some(&c.signal()));
            let c = c.clone();
            let abort = wasm_bindgen::closure::Closure::once_into_js(move || c.abort());
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                abort.unchecked_ref(),
                TIMEOUT_MS,
            );
        }
        let resp = JsFuture::from(window.fetch_with_str_and_init(url, &init))
            .await
            .map_err(|_| FetchError::Network)?;
        let resp: Response = resp.dyn_into().map_err(|_| FetchError::Network)?;
        let text = JsFuture::from(resp.text().map_err(|_| FetchError::Network)?)
            .await
            .map_err(|_| FetchError::Network)?
            .as_string()
            .unwrap_or_default();
        let status = resp.status();
        if resp.ok() {
            // 204 No Content (logout) has no body.
            let text = if text.is_empty() { "null" } else { &text };
            return serde_json::from_str(text).map_err(|e| FetchError::Invalid(e.to_string()));
        }
        // A proxy or a stopped server can answer with a gateway error: that is being offline.
        if matches!(status, 502..=504) {
            return Err(FetchError::Network);
        }
        match serde_json::from_str::<ApiError>(&text) {
            Ok(e) => Err(FetchError::Status {
                status,
                code: e.error.code,
                message: e.error.message,
            }),
            Err(_) => Err(FetchError::Status {
                status,
                code: String::new(),
                message: format!("HTTP {status}"),
            }),
        }
    }
}
