//! The HTTP handlers of `/api/v1` and the JSON body extractor that turns every malformed body
//! into a JSON error (axum's own rejections are plain text).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::Json;
use lotsen_domain::protocol::{ChangesResponse, PushRequest, PushResponse, MAX_MUTATIONS};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::actor::Caller;
use crate::error::ApiError;
use crate::sync::{self, PullError};
use crate::AppState;

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
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
                _ => ApiError::BadRequest(
                    "bad_body",
                    "Die Anfrage konnte nicht gelesen werden.".into(),
                ),
            }
        })?;
        serde_json::from_slice(&bytes).map(ApiJson).map_err(|e| {
            use serde_json::error::Category;
            match e.classify() {
                Category::Data => ApiError::Unprocessable(
                    "invalid_body",
                    format!("Die Anfrage hat nicht die erwartete Form: {e}"),
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
async fn blocking<R: Send + 'static>(
    f: impl FnOnce() -> Result<R, ApiError> + Send + 'static,
) -> Result<R, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("worker failed: {e}")))?
}

pub async fn health(State(state): State<AppState>) -> Json<Value> {
    Json(json!({"status": "ok", "epoch": state.store.epoch()}))
}

pub async fn changes(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<ChangesResponse>, ApiError> {
    let cursor = sync::parse_cursor(query.get("since").map(String::as_str))?;
    let limit = sync::parse_limit(query.get("limit").map(String::as_str))?;
    blocking(move || {
        let store = &state.store;
        store
            .read(|tx| Ok(sync::changes(tx, store.epoch(), &caller, &cursor, limit)))
            .map_err(ApiError::from)?
            .map_err(|e| match e {
                PullError::Reset => ApiError::ResetRequired,
                PullError::Store(e) => e.into(),
            })
    })
    .await
    .map(Json)
}

pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if body.mutations.len() > MAX_MUTATIONS {
        return Err(ApiError::Unprocessable(
            "too_many_mutations",
            format!(
                "Höchstens {MAX_MUTATIONS} Änderungen je Übertragung (jetzt {}).",
                body.mutations.len()
            ),
        ));
    }
    blocking(move || {
        let now = sync::now_utc();
        // One transaction for the whole push, committed before we answer: an answered
        // push is on disk.
        let results = state
            .store
            .write(|tx| sync::push(tx, &caller, &body.mutations, &now))?;
        Ok(PushResponse { results })
    })
    .await
    .map(Json)
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
