//! The session resource (SPEC §7 `/api/v1/session`): log in, who is logged in, log out. The
//! rules (passwords, sessions, throttling) are `auth`'s; this is their HTTP side.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use lotsen_domain::protocol::SessionUser;
use serde::Deserialize;

use crate::actor::{Caller, PeerAddr};
use crate::api::{blocking, unauthenticated, ApiJson};
use crate::auth::{self, LoginOutcome};
use crate::directory::{self, Directory, DirectoryError, SignIn};
use crate::error::ApiError;
use crate::ServerState;

pub fn router() -> Router<ServerState> {
    Router::new().route(
        "/api/v1/session",
        get(current_session).post(login).delete(logout),
    )
}

#[derive(Deserialize)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized(
        "invalid_credentials",
        "Benutzername oder Passwort ist falsch.".into(),
    )
}

/// `POST /api/v1/session`: checks the password (Argon2id; an unknown user is checked against
/// a dummy hash, so both failures look and take alike), throttles failures, and starts a
/// session in an HttpOnly SameSite=Strict cookie.
async fn login(
    State(state): State<ServerState>,
    PeerAddr(addr): PeerAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    let username = body.username.trim().to_lowercase();
    let throttle_name: String = username.chars().take(64).collect();
    let (store, auth_state, name) = (
        state.store.clone(),
        state.auth.clone(),
        throttle_name.clone(),
    );
    let throttled =
        blocking(move || Ok(auth_state.throttle.check_in(&store, &name, addr)?)).await?;
    if let Err(wait) = throttled {
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
    let outcome = match &state.directory {
        Some(directory) if !has_local_account(&state, &username).await? => {
            drop(permit);
            directory_login(&state, directory, &username, &body.password, old_session).await?
        }
        _ => {
            let (store, auth_state) = (state.store.clone(), state.auth.clone());
            blocking(move || {
                let _permit = permit;
                Ok(auth_state.login(&store, &username, &body.password, old_session.as_deref())?)
            })
            .await?
        }
    };
    match outcome {
        LoginOutcome::Ok(user, token) => {
            record_success(&state, &throttle_name, addr).await?;
            tracing::info!(username = %user.username, "login");
            Ok((
                [(header::SET_COOKIE, state.auth.session_cookie(&token))],
                Json(user),
            )
                .into_response())
        }
        LoginOutcome::Wrong => {
            let (store, auth_state, name) = (
                state.store.clone(),
                state.auth.clone(),
                throttle_name.clone(),
            );
            let started =
                blocking(move || Ok(auth_state.throttle.record_failure_in(&store, &name, addr)?))
                    .await?;
            if started {
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
        LoginOutcome::NotAMember => {
            // The password was right: no failure to count, and no session either.
            record_success(&state, &throttle_name, addr).await?;
            tracing::info!(username = %throttle_name, "directory login without a Lotsen or Büro group");
            Err(ApiError::Forbidden(
                "not_a_member",
                "Ihr Konto gehört weder zu den Digitalen Lotsen noch zum Projektbüro.".into(),
            ))
        }
        LoginOutcome::DirectoryUnavailable(reason) => {
            tracing::warn!(%reason, "the directory cannot be asked");
            Err(ApiError::DirectoryUnavailable)
        }
    }
}

/// A correct password: the throttle forgives the account's failures (see `auth::Throttle`).
async fn record_success(
    state: &ServerState,
    name: &str,
    addr: Option<std::net::IpAddr>,
) -> Result<(), ApiError> {
    let (store, auth_state, name) = (state.store.clone(), state.auth.clone(), name.to_owned());
    blocking(move || Ok(auth_state.throttle.record_success_in(&store, &name, addr)?)).await
}

/// A local account of that name wins over the directory (break-glass access, small setups).
async fn has_local_account(state: &ServerState, username: &str) -> Result<bool, ApiError> {
    let (store, username) = (state.store.clone(), username.to_owned());
    blocking(move || {
        Ok(username.len() <= 64
            && store
                .read(|tx| tx.account(&username))?
                .is_some_and(|a| !a.directory))
    })
    .await
}

/// Search-then-bind against the directory, then the account, the Lotse profile and the session
/// on our side.
async fn directory_login(
    state: &ServerState,
    directory: &Directory,
    username: &str,
    password: &str,
    old_session: Option<String>,
) -> Result<LoginOutcome, ApiError> {
    if username.chars().count() > 64 || password.len() > auth::MAX_PASSWORD_BYTES {
        return Ok(LoginOutcome::Wrong);
    }
    let user = match directory.login(username, password).await {
        Ok(user) => user,
        Err(DirectoryError::WrongCredentials) => return Ok(LoginOutcome::Wrong),
        Err(DirectoryError::Unavailable(reason)) => {
            return Ok(LoginOutcome::DirectoryUnavailable(reason))
        }
    };
    let Some(role) = user.role else {
        return Ok(LoginOutcome::NotAMember);
    };
    let (store, auth_state, username) =
        (state.store.clone(), state.auth.clone(), username.to_owned());
    blocking(move || {
        let account = match directory::sign_in(&store, &username, role, &user.profile)? {
            SignIn::Account(account) => account,
            SignIn::Disabled => return Ok(LoginOutcome::Disabled),
        };
        Ok(auth_state.open_session(&store, &account, old_session.as_deref())?)
    })
    .await
}

/// `GET /api/v1/session`: the logged-in user, or 401 (and the stale cookie cleared).
async fn current_session(
    State(state): State<ServerState>,
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
async fn logout(
    State(state): State<ServerState>,
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
