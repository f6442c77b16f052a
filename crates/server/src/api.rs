//! What every resource's handlers share: the JSON body extractor that turns every malformed
//! body into a JSON error (axum's own rejections are plain text), the Büro guard, running store
//! work off the async threads, the health check and the API's fallbacks. The handlers live with
//! their resource: `sync` (changes, push), `session` (login), `accounts`, `export` (downloads,
//! calendar files); `lib.rs::app` merges their routers.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, StatusCode};
use axum::Json;
use lotsen_domain::permission::Actor;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::actor::Caller;
use crate::error::ApiError;
use crate::http::{BodyTimeout, HttpLimits};
use crate::ServerState;

/// A JSON request body. Unlike `axum::Json` it answers every problem (wrong content type,
/// too large, not JSON, wrong shape) with our JSON error format.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        // A body trickling in would hold a connection (and a worker) for good.
        let timeout = req
            .extensions()
            .get::<BodyTimeout>()
            .map_or(HttpLimits::default().body_timeout, |t| t.0);
        let bytes = tokio::time::timeout(timeout, Bytes::from_request(req, state))
            .await
            .map_err(|_| ApiError::RequestTimeout)?
            .map_err(|rejection| match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
                _ => ApiError::BadRequest(
                    "bad_body",
                    "Die Anfrage konnte nicht gelesen werden.".into(),
                ),
            })?;
        serde_json::from_slice(&bytes).map(ApiJson).map_err(|e| {
            use serde_json::error::Category;
            match e.classify() {
                // serde's own text is English and names Rust types: say where, in German.
                Category::Data => ApiError::Unprocessable(
                    "invalid_body",
                    format!(
                        "Die Anfrage hat nicht die erwartete Form (Zeile {}, Spalte {}).",
                        e.line(),
                        e.column()
                    ),
                ),
                Category::Syntax | Category::Eof | Category::Io => ApiError::BadRequest(
                    "malformed_json",
                    "Die Anfrage ist kein gültiges JSON.".into(),
                ),
            }
        })
    }
}

/// Runs blocking store work off the async threads.
pub(crate) async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> Result<R, ApiError> + Send + 'static,
) -> Result<R, ApiError> {
    crate::store::blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("worker failed: {e}")))?
}

pub async fn health(State(state): State<ServerState>) -> Json<Value> {
    Json(json!({"status": "ok", "epoch": state.store.epoch()}))
}

pub(crate) fn unauthenticated() -> ApiError {
    ApiError::Unauthorized(
        "unauthenticated",
        "Sie sind nicht angemeldet (oder die Anmeldung ist abgelaufen).".into(),
    )
}

/// The acting Büro user's name, or 401 (anonymous) / 403 with `refusal` (a Lotse).
pub(crate) fn require_buero(caller: &Caller, refusal: &str) -> Result<String, ApiError> {
    match &caller.actor {
        Actor::Buero { username } => Ok(username.clone()),
        Actor::Anonymous => Err(unauthenticated()),
        Actor::Lotse { .. } => Err(ApiError::Forbidden("forbidden", refusal.into())),
    }
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
