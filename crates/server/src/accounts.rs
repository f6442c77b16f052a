//! Managing login accounts: the rules both the `/api/v1/accounts` endpoints (Projektbüro) and
//! the operator command line follow.

use lotsen_domain::model::Collection;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::Serialize;

use crate::actor::Caller;
use crate::api::{blocking, require_buero, ApiJson};
use crate::auth;
use crate::error::ApiError;
use crate::store::{Account, Store, StoreError};
use crate::sync;
use crate::ServerState;

use lotsen_domain::protocol::{password_problem, role_problem, FieldError};
pub use lotsen_domain::protocol::{AccountChange, AccountView, NewAccount, MIN_PASSWORD_CHARS};

impl From<&Account> for AccountView {
    fn from(a: &Account) -> Self {
        AccountView {
            username: a.username.clone(),
            role: a.role.clone(),
            lotse: a.lotse.clone(),
            disabled: a.disabled,
            created_at: a.created_at.clone(),
            failed_logins: 0,
            directory: a.directory,
        }
    }
}

#[derive(Debug)]
pub enum AccountError {
    /// Refused input: every problem, each at its field (never an empty list).
    Invalid(Vec<FieldError>),
    Exists(String),
    NotFound(String),
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        AccountError::Store(e)
    }
}

impl std::fmt::Display for AccountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AccountError::Invalid(errors) => {
                let all: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                f.write_str(&all.join(" "))
            }
            AccountError::Exists(u) => write!(f, "Das Konto „{u}“ gibt es schon."),
            AccountError::NotFound(u) => write!(f, "Das Konto „{u}“ gibt es nicht."),
            AccountError::Store(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for AccountError {}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        let msg = e.to_string();
        match e {
            AccountError::Invalid(errors) => ApiError::Invalid(errors),
            AccountError::Exists(_) => ApiError::Conflict("account_exists", msg),
            AccountError::NotFound(_) => ApiError::Missing("unknown_account", msg),
            AccountError::Store(e) => e.into(),
        }
    }
}

/// Refuses `problems` if there are any.
fn refuse(problems: Vec<FieldError>) -> Result<(), AccountError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AccountError::Invalid(problems))
    }
}

/// Checks the role/Lotse pair against the store: only Lotse accounts are linked, and a
/// linked Lotse must exist.
fn check_link(tx: &crate::store::Tx, role: &str, lotse: Option<&str>) -> Result<(), AccountError> {
    refuse(role_problem(role, lotse).into_iter().collect())?;
    match lotse {
        Some(id) if !tx.exists(Collection::Lotsen.as_str(), id)? => {
            Err(AccountError::Invalid(vec![FieldError::new(
                "unknown_lotse",
                "Dieses Lotsen-Profil gibt es nicht.",
                Some("lotse"),
            )]))
        }
        _ => Ok(()),
    }
}

pub fn list(store: &Store) -> Result<Vec<AccountView>, AccountError> {
    let all = store.read(|tx| tx.accounts())?;
    Ok(all.iter().map(AccountView::from).collect())
}

/// Creates an account (the password is hashed here: slow, call it off the async threads).
pub fn create(store: &Store, new: NewAccount) -> Result<AccountView, AccountError> {
    refuse(new.problems())?;
    let lotse = new.lotse.filter(|l| !l.is_empty());
    // Cheap check before the expensive hash.
    if store.read(|tx| Ok(tx.account(&new.username)?.is_some()))? {
        return Err(AccountError::Exists(new.username));
    }
    let hash = auth::hash_password(&new.password)?;
    let account = Account {
        username: new.username,
        password_hash: hash,
        role: new.role,
        lotse,
        disabled: false,
        created_at: sync::now_utc(),
        directory: false,
    };
    let outcome: Result<(), AccountError> = store
        .write(|tx| {
            if tx.account(&account.username)?.is_some() {
                return Ok(Err(AccountError::Exists(account.username.clone())));
            }
            if let Err(e) = check_link(tx, &account.role, account.lotse.as_deref()) {
                return match e {
                    AccountError::Store(s) => Err(s),
                    other => Ok(Err(other)),
                };
            }
            tx.put_account(&account)?;
            Ok(Ok(()))
        })
        .map_err(AccountError::Store)?;
    outcome?;
    Ok(AccountView::from(&account))
}

/// Applies `change` to `username`. `acting` is the Büro user making the change over HTTP
/// (None for the operator's command line) and `keep_session` that user's current session
/// (token hash), which survives their own password change. A new password or disabling ends
/// the account's other sessions.
pub fn update(
    store: &Store,
    username: &str,
    change: AccountChange,
    acting: Option<&str>,
    keep_session: Option<&str>,
) -> Result<AccountView, AccountError> {
    let mut problems: Vec<FieldError> = change
        .password
        .as_deref()
        .and_then(password_problem)
        .into_iter()
        .collect();
    if let Some(r) = &change.role {
        problems.extend(role_problem(r, None));
    }
    if acting == Some(username) {
        if change.disabled == Some(true) {
            problems.push(FieldError::new(
                "cannot_disable_self",
                "Das eigene Konto können Sie nicht sperren.",
                Some("disabled"),
            ));
        }
        if change.role.as_deref().is_some_and(|r| r != "buero") {
            problems.push(FieldError::new(
                "cannot_demote_self",
                "Die eigene Rolle können Sie nicht ändern.",
                Some("role"),
            ));
        }
    }
    refuse(problems)?;
    let Some(current) = store.read(|tx| tx.account(username))? else {
        return Err(AccountError::NotFound(username.to_owned()));
    };
    if current.directory {
        refuse(directory_account_problems(&change))?;
    }
    let new_hash = match &change.password {
        Some(p) => Some(auth::hash_password(p)?),
        None => None,
    };
    let result: Result<Account, AccountError> = store
        .write(|tx| {
            let Some(mut account) = tx.account(username)? else {
                return Ok(Err(AccountError::NotFound(username.to_owned())));
            };
            if let Some(r) = &change.role {
                account.role.clone_from(r);
            }
            match &change.lotse {
                Some(l) => account.lotse = l.clone().filter(|l| !l.is_empty()),
                // Becoming a Büro account drops the link unless one is asked for.
                None if account.role == "buero" => account.lotse = None,
                None => {}
            }
            if let Err(e) = check_link(tx, &account.role, account.lotse.as_deref()) {
                return match e {
                    AccountError::Store(s) => Err(s),
                    other => Ok(Err(other)),
                };
            }
            if let Some(d) = change.disabled {
                account.disabled = d;
            }
            if let Some(h) = &new_hash {
                account.password_hash.clone_from(h);
            }
            tx.put_account(&account)?;
            if account.disabled {
                tx.delete_sessions_of(username, None)?;
            } else if new_hash.is_some() {
                let keep = if acting == Some(username) {
                    keep_session
                } else {
                    None
                };
                tx.delete_sessions_of(username, keep)?;
            }
            Ok(Ok(account))
        })
        .map_err(AccountError::Store)?;
    Ok(AccountView::from(&result?))
}
/// A directory account's password, role and Lotse come from the directory; here it can only be
/// locked and unlocked.
fn directory_account_problems(change: &AccountChange) -> Vec<FieldError> {
    let message =
        "Dieses Konto kommt aus dem Verzeichnis: Passwort, Rolle und Lotse werden dort gepflegt.";
    [
        ("password", change.password.is_some()),
        ("role", change.role.is_some()),
        ("lotse", change.lotse.is_some()),
    ]
    .into_iter()
    .filter(|(_, asked)| *asked)
    .map(|(field, _)| FieldError::new("directory_account", message, Some(field)))
    .collect()
}

/// The routes of the accounts resource (Projektbüro only).
pub fn router() -> Router<ServerState> {
    Router::new()
        .route("/api/v1/accounts", get(list_accounts).post(create_account))
        .route("/api/v1/accounts/{username}", patch(update_account))
}

const ACCOUNTS_REFUSAL: &str = "Konten verwaltet das Projektbüro.";

#[derive(Serialize)]
pub struct AccountList {
    pub accounts: Vec<AccountView>,
}

/// `GET /api/v1/accounts` (Büro): every account, without password hashes.
async fn list_accounts(
    State(state): State<ServerState>,
    caller: Caller,
) -> Result<Json<AccountList>, ApiError> {
    require_buero(&caller, ACCOUNTS_REFUSAL)?;
    let (store, auth) = (state.store.clone(), state.auth.clone());
    let accounts = blocking(move || {
        let mut accounts = list(&store)?;
        store.read(|tx| {
            let now = crate::auth::now_ms();
            for a in &mut accounts {
                a.failed_logins = auth.throttle.failures_of(tx, &a.username, now)?;
            }
            Ok(())
        })?;
        Ok(accounts)
    })
    .await?;
    Ok(Json(AccountList { accounts }))
}

/// `POST /api/v1/accounts` (Büro): creates an account; 201 with it.
async fn create_account(
    State(state): State<ServerState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewAccount>,
) -> Result<(StatusCode, Json<AccountView>), ApiError> {
    let acting = require_buero(&caller, ACCOUNTS_REFUSAL)?;
    let view = blocking(move || Ok(create(&state.store, body)?)).await?;
    tracing::info!(by = %acting, username = %view.username, role = %view.role, "account created");
    Ok((StatusCode::CREATED, Json(view)))
}

/// `PATCH /api/v1/accounts/{username}` (Büro): new password, (un)lock, role, Lotse link.
async fn update_account(
    State(state): State<ServerState>,
    caller: Caller,
    Path(username): Path<String>,
    ApiJson(body): ApiJson<AccountChange>,
) -> Result<Json<AccountView>, ApiError> {
    let acting = require_buero(&caller, ACCOUNTS_REFUSAL)?;
    let session = caller.session.clone();
    let by = acting.clone();
    let view = blocking(move || {
        Ok(update(
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
