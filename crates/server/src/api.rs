//! The HTTP handlers of `/api/v1` and the JSON body extractor that turns every malformed body
//! into a JSON error (axum's own rejections are plain text).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use lotsen_domain::permission::Actor;
use lotsen_domain::protocol::{
    is_uuid, ChangesResponse, PushRequest, PushResponse, SessionUser, MAX_MUTATIONS,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::accounts::{self, AccountChange, AccountView, NewAccount};
use crate::actor::{Caller, PeerAddr};
use crate::auth;
use crate::error::ApiError;
use crate::export::{self, CsvExport, MatrixFilter};
use crate::http::{BodyTimeout, HttpLimits};
use crate::ops;
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
    PeerAddr(addr): PeerAddr,
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
    if caller.actor == Actor::Anonymous && !body.mutations.is_empty() {
        // Nothing of a refused push is applied: the device keeps its outbox and retries.
        if !state.writes.has_room() {
            return Err(ApiError::StorageLow);
        }
        let n = u32::try_from(body.mutations.len()).unwrap_or(u32::MAX);
        state
            .writes
            .budget
            .take(caller.device_hash.as_deref(), addr, n)
            .map_err(|wait| ApiError::TooManyWrites {
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            })?;
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

#[derive(Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

fn unauthenticated() -> ApiError {
    ApiError::Unauthorized(
        "unauthenticated",
        "Sie sind nicht angemeldet (oder die Anmeldung ist abgelaufen).".into(),
    )
}

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized(
        "invalid_credentials",
        "Benutzername oder Passwort ist falsch.".into(),
    )
}

enum LoginOutcome {
    Ok(SessionUser, String),
    Wrong,
    Disabled,
}

/// `POST /api/v1/session`: checks the password (Argon2id; an unknown user is checked against
/// a dummy hash, so both failures look and take alike), throttles failures, and starts a
/// session in an HttpOnly SameSite=Strict cookie.
pub async fn login(
    State(state): State<AppState>,
    PeerAddr(addr): PeerAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let username = body.username.trim().to_lowercase();
    let throttle_name: String = username.chars().take(64).collect();
    if let Err(wait) = state.auth.throttle.check(&throttle_name, addr) {
        return Err(ApiError::TooManyAttempts {
            retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        });
    }
    let permit = state
        .auth
        .hashing
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::Internal(format!("hashing closed: {e}")))?;
    let old_session = auth::session_token(&headers).map(|t| auth::hash_token(&t));
    let (store, auth_state) = (state.store.clone(), state.auth.clone());
    let outcome = blocking(move || {
        let _permit = permit;
        let account = if username.len() <= 64 {
            store.read(|tx| tx.account(&username))?
        } else {
            None
        };
        let password_ok = body.password.len() <= auth::MAX_PASSWORD_BYTES
            && auth::verify_password(
                account.as_ref().map(|a| a.password_hash.as_str()),
                &body.password,
            );
        let Some(account) = account.filter(|_| password_ok) else {
            return Ok(LoginOutcome::Wrong);
        };
        if account.disabled {
            return Ok(LoginOutcome::Disabled);
        }
        if let Some(old) = old_session {
            // A new login replaces whatever session this browser had.
            store.write(|tx| tx.delete_session(&old))?;
        }
        let token = auth_state.start_session(&store, &account.username)?;
        let user = SessionUser::of_actor(&auth::actor_of(&account))
            .ok_or_else(|| ApiError::Internal("account without role".into()))?;
        Ok(LoginOutcome::Ok(user, token))
    })
    .await?;
    match outcome {
        LoginOutcome::Ok(user, token) => {
            state.auth.throttle.record_success(&throttle_name, addr);
            tracing::info!(username = %user.username, "login");
            Ok((
                [(header::SET_COOKIE, state.auth.session_cookie(&token))],
                Json(user),
            )
                .into_response())
        }
        LoginOutcome::Wrong => {
            if state.auth.throttle.record_failure(&throttle_name, addr) {
                // Someone may be guessing: the operator's log says so, and the Büro sees the
                // count at the account (`/buero/konten`).
                tracing::warn!(username = %throttle_name, ?addr, "failed logins: further attempts are slowed down");
            } else {
                tracing::info!(username = %throttle_name, ?addr, "failed login");
            }
            Err(invalid_credentials())
        }
        LoginOutcome::Disabled => Err(ApiError::Forbidden(
            "account_disabled",
            "Dieses Konto ist gesperrt. Bitte wenden Sie sich an das Projektbüro.".into(),
        )),
    }
}

/// `GET /api/v1/session`: the logged-in user, or 401 (and the stale cookie cleared).
pub async fn current_session(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
) -> Response {
    match SessionUser::of_actor(&caller.actor) {
        Some(user) => Json(user).into_response(),
        None if auth::session_token(&headers).is_some() => (
            [(header::SET_COOKIE, state.auth.clear_cookie())],
            unauthenticated(),
        )
            .into_response(),
        None => unauthenticated().into_response(),
    }
}

/// `DELETE /api/v1/session`: ends the session on the server and clears the cookie; 204 even
/// without a session, so that logging out twice is harmless.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = auth::session_token(&headers) {
        let hash = auth::hash_token(&token);
        let store = state.store.clone();
        blocking(move || Ok(store.write(|tx| tx.delete_session(&hash))?)).await?;
    }
    // The browser's HTTP cache may hold nothing of the session either (BSI CON.10); the app
    // itself clears its IndexedDB, keeping the public directory and the colleague's own requests.
    Ok((
        StatusCode::NO_CONTENT,
        [
            (header::SET_COOKIE, state.auth.clear_cookie()),
            (
                header::HeaderName::from_static("clear-site-data"),
                HeaderValue::from_static("\"cache\""),
            ),
        ],
    )
        .into_response())
}

/// The acting Büro user's name, or 401 (anonymous) / 403 with `refusal` (a Lotse).
fn require_buero(caller: &Caller, refusal: &str) -> Result<String, ApiError> {
    match &caller.actor {
        Actor::Buero { username } => Ok(username.clone()),
        Actor::Anonymous => Err(unauthenticated()),
        Actor::Lotse { .. } => Err(ApiError::Forbidden("forbidden", refusal.into())),
    }
}

const ACCOUNTS_REFUSAL: &str = "Konten verwaltet das Projektbüro.";

#[derive(Serialize)]
pub struct AccountList {
    pub accounts: Vec<AccountView>,
}

/// `GET /api/v1/accounts` (Büro): every account, without password hashes.
pub async fn list_accounts(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<AccountList>, ApiError> {
    require_buero(&caller, ACCOUNTS_REFUSAL)?;
    let store = state.store.clone();
    let mut accounts = blocking(move || Ok(accounts::list(&store)?)).await?;
    for a in &mut accounts {
        a.failed_logins = state.auth.throttle.failures_of(&a.username);
    }
    Ok(Json(AccountList { accounts }))
}

/// `POST /api/v1/accounts` (Büro): creates an account; 201 with it.
pub async fn create_account(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewAccount>,
) -> Result<(StatusCode, Json<AccountView>), ApiError> {
    let acting = require_buero(&caller, ACCOUNTS_REFUSAL)?;
    let view = blocking(move || Ok(accounts::create(&state.store, body)?)).await?;
    tracing::info!(by = %acting, username = %view.username, role = %view.role, "account created");
    Ok((StatusCode::CREATED, Json(view)))
}

/// `PATCH /api/v1/accounts/{username}` (Büro): new password, (un)lock, role, Lotse link.
pub async fn update_account(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
    ApiJson(body): ApiJson<AccountChange>,
) -> Result<Json<AccountView>, ApiError> {
    let acting = require_buero(&caller, ACCOUNTS_REFUSAL)?;
    let session = caller.session.clone();
    let by = acting.clone();
    let view = blocking(move || {
        Ok(accounts::update(
            &state.store,
            &username,
            body,
            Some(&acting),
            session.as_deref(),
        )?)
    })
    .await?;
    tracing::info!(%by, username = %view.username, "account changed");
    Ok(Json(view))
}

/// A download: the body with its type and an attachment file name.
fn attachment(
    body: impl Into<axum::body::Body>,
    content_type: &'static str,
    file: &str,
) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                // File names are built from ASCII letters, digits and dashes only.
                HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
                    .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body.into(),
    )
        .into_response()
}

/// `GET /api/v1/export/{name}` (Büro): `requests.csv`, `applications.csv`, `lotsen.csv`,
/// `matrix.csv` (with `?bereich=` and `?kategorie=`) and `backup.json` (the format of the
/// `export` command, for `import`).
pub async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let acting = require_buero(&caller, "Exporte sind dem Projektbüro vorbehalten.")?;
    let unknown = || {
        ApiError::Missing(
            "unknown_export",
            "Diesen Export gibt es nicht (requests.csv, applications.csv, lotsen.csv, matrix.csv, backup.json)."
                .into(),
        )
    };
    let today = sync::now_utc()[..10].to_owned();
    if name == "backup.json" {
        let body = blocking(move || {
            let backup = ops::export(&state.store)?;
            serde_json::to_vec_pretty(&backup).map_err(|e| ApiError::Internal(e.to_string()))
        })
        .await?;
        tracing::info!(by = %acting, "backup downloaded");
        return Ok(attachment(
            body,
            "application/json",
            &format!("lotsenfinder-sicherung-{today}.json"),
        ));
    }
    let which = name
        .strip_suffix(".csv")
        .and_then(CsvExport::parse)
        .ok_or_else(unknown)?;
    let filter = MatrixFilter {
        department: query.get("bereich").cloned().unwrap_or_default(),
        category: query.get("kategorie").cloned().unwrap_or_default(),
    };
    let body =
        blocking(move || Ok(state.store.read(|tx| export::csv(tx, which, &filter))?)).await?;
    tracing::info!(by = %acting, export = %name, "export downloaded");
    Ok(attachment(
        body,
        "text/csv; charset=utf-8",
        &format!("lotsenfinder-{}-{today}.csv", which.file_stem()),
    ))
}

/// `GET /api/v1/events/{id}.ics` (everyone, like events themselves): the event for a calendar.
pub async fn event_ics(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let unknown = || ApiError::Missing("unknown_event", "Diesen Termin gibt es nicht.".into());
    let id = name
        .strip_suffix(".ics")
        .filter(|id| is_uuid(id))
        .ok_or_else(unknown)?
        .to_owned();
    let (body, stem) = blocking(move || Ok(state.store.read(|tx| export::event_ics(tx, &id))?))
        .await?
        .ok_or_else(unknown)?;
    Ok(attachment(
        body,
        "text/calendar; charset=utf-8",
        &format!("{stem}.ics"),
    ))
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
