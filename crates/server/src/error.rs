//! Every failure of the API as one enum, rendered as `{"error":{"code","message"}}` with a
//! fitting status (SPEC §7). Internal details go to the log, never to the client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use lotsen_domain::protocol::{ApiError as ErrorEnvelope, ErrorBody, FieldError};

use crate::store::StoreError;

#[derive(Debug)]
pub enum ApiError {
    /// 400 with a machine code (bad_cursor, bad_limit, malformed_json, bad_device_key …).
    BadRequest(&'static str, String),
    /// 401: not logged in (`unauthenticated`) or wrong login (`invalid_credentials`).
    Unauthorized(&'static str, String),
    /// 403 with a machine code (`forbidden`, `account_disabled`).
    Forbidden(&'static str, String),
    NotFound,
    /// 404 of a thing named in an otherwise valid address (`unknown_account`).
    Missing(&'static str, String),
    MethodNotAllowed,
    /// 409 with a machine code (`account_exists`).
    Conflict(&'static str, String),
    /// 429 after too many failed logins; the client may try again after this many seconds.
    TooManyAttempts {
        retry_after_secs: u64,
    },
    /// 410: the client must pull from the start.
    ResetRequired,
    PayloadTooLarge,
    UnsupportedMediaType,
    /// 422 with a machine code.
    Unprocessable(&'static str, String),
    /// 422 with every problem of the input, each at its field (never an empty list); the
    /// first is also the `error`.
    Invalid(Vec<FieldError>),
    /// 429 for anonymous writes beyond their budget (`writes::WriteBudget`).
    TooManyWrites {
        retry_after_secs: u64,
    },
    /// 503: anonymous writes paused while the disk runs out of space.
    StorageLow,
    /// 503: the storage cannot write now (disk full, read-only, I/O error); logged.
    Unavailable(String),
    /// 503: the city's directory cannot be asked now; local accounts still log in.
    DirectoryUnavailable,
    /// 408: the body did not arrive in time (`http::HttpLimits::body_timeout`).
    RequestTimeout,
    /// An error status the router or the HTTP layer produced without our JSON (a path that
    /// is not UTF-8, a too long address); answered with its own code and message.
    Status(StatusCode),
    /// 500; the text is logged, not sent.
    Internal(String),
}

impl ApiError {
    pub fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::BadRequest(code, msg) => (StatusCode::BAD_REQUEST, code, msg.clone()),
            ApiError::Unauthorized(code, msg) => (StatusCode::UNAUTHORIZED, code, msg.clone()),
            ApiError::Forbidden(code, msg) => (StatusCode::FORBIDDEN, code, msg.clone()),
            ApiError::Missing(code, msg) => (StatusCode::NOT_FOUND, code, msg.clone()),
            ApiError::Conflict(code, msg) => (StatusCode::CONFLICT, code, msg.clone()),
            ApiError::TooManyAttempts { retry_after_secs } => {
                let minutes = retry_after_secs.div_ceil(60).max(1);
                let unit = if minutes == 1 { "Minute" } else { "Minuten" };
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    format!("Zu viele Fehlversuche. Bitte warten Sie {minutes} {unit}."),
                )
            }
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "Diese Adresse gibt es nicht.".into(),
            ),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Diese Methode ist hier nicht erlaubt.".into(),
            ),
            ApiError::ResetRequired => (
                StatusCode::GONE,
                "reset_required",
                "Der Datenstand des Servers hat sich geändert; bitte von vorn synchronisieren."
                    .into(),
            ),
            ApiError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Die Anfrage ist zu groß (höchstens 1 MiB).".into(),
            ),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Bitte senden Sie JSON (Content-Type: application/json).".into(),
            ),
            ApiError::Unprocessable(code, msg) => {
                (StatusCode::UNPROCESSABLE_ENTITY, code, msg.clone())
            }
            ApiError::Invalid(errors) => match errors.first() {
                Some(first) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_input",
                    first.message.clone(),
                ),
                None => status_parts(StatusCode::UNPROCESSABLE_ENTITY),
            },
            ApiError::TooManyWrites { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_writes",
                "Zu viele Änderungen in kurzer Zeit von diesem Gerät oder Netz. Ihre Eingaben bleiben \
                 auf diesem Gerät gespeichert und werden später gesendet."
                    .into(),
            ),
            ApiError::StorageLow => (
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_low",
                "Der Server nimmt gerade keine neuen Einträge an, weil sein Speicher knapp wird. Ihre \
                 Eingaben bleiben auf diesem Gerät gespeichert und werden später gesendet."
                    .into(),
            ),
            ApiError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_unavailable",
                "Der Server kann gerade nichts speichern. Ihre Eingaben bleiben auf diesem Gerät \
                 gespeichert und werden später gesendet."
                    .into(),
            ),
            ApiError::DirectoryUnavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "directory_unavailable",
                "Die Anmeldung über das Verzeichnis ist gerade nicht möglich.".into(),
            ),
            ApiError::RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                "Die Anfrage kam nicht rechtzeitig vollständig an. Bitte versuchen Sie es noch einmal."
                    .into(),
            ),
            ApiError::Status(status) => status_parts(*status),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Interner Fehler. Bitte versuchen Sie es später noch einmal.".into(),
            ),
        }
    }
}

/// Code and German message of an error status nobody gave a more precise one.
fn status_parts(status: StatusCode) -> (StatusCode, &'static str, String) {
    let (code, message) = match status.as_u16() {
        400 => ("bad_request", "Die Anfrage ist fehlerhaft."),
        401 => ("unauthenticated", "Bitte melden Sie sich an."),
        403 => ("forbidden", "Das dürfen Sie nicht."),
        404 => return ApiError::NotFound.parts(),
        405 => return ApiError::MethodNotAllowed.parts(),
        408 => return ApiError::RequestTimeout.parts(),
        413 => return ApiError::PayloadTooLarge.parts(),
        414 => ("uri_too_long", "Die Adresse ist zu lang."),
        415 => return ApiError::UnsupportedMediaType.parts(),
        422 => ("invalid_body", "Die Anfrage hat nicht die erwartete Form."),
        429 => (
            "too_many_requests",
            "Zu viele Anfragen. Bitte warten Sie kurz.",
        ),
        431 => (
            "headers_too_large",
            "Die Kopfzeilen der Anfrage sind zu groß.",
        ),
        503 => (
            "unavailable",
            "Der Server ist gerade nicht verfügbar. Bitte versuchen Sie es gleich noch einmal.",
        ),
        s if s >= 500 => (
            "internal",
            "Interner Fehler. Bitte versuchen Sie es später noch einmal.",
        ),
        _ => ("bad_request", "Die Anfrage ist fehlerhaft."),
    };
    (status, code, message.to_owned())
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        if e.is_unavailable() {
            ApiError::Unavailable(e.to_string())
        } else {
            ApiError::Internal(e.to_string())
        }
    }
}

/// How long a client waits before trying a paused write again.
const UNAVAILABLE_RETRY_SECS: u64 = 30;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(detail) => tracing::error!(%detail, "internal error"),
            ApiError::Unavailable(detail) => tracing::error!(%detail, "storage unavailable"),
            ApiError::StorageLow => tracing::warn!("anonymous write refused: little free space"),
            _ => {}
        }
        let (status, code, message) = self.parts();
        let errors = match &self {
            ApiError::Invalid(errors) => errors.clone(),
            _ => Vec::new(),
        };
        // A list's `error` is its first problem, code included, as clients read it before
        // lists were sent.
        let code = match errors.first() {
            Some(first) => first.code.clone(),
            None => code.to_owned(),
        };
        let body = ErrorEnvelope {
            error: ErrorBody { code, message },
            errors,
        };
        let mut res = (status, Json(body)).into_response();
        let retry_after = match self {
            ApiError::TooManyAttempts { retry_after_secs }
            | ApiError::TooManyWrites { retry_after_secs } => Some(retry_after_secs),
            ApiError::StorageLow | ApiError::Unavailable(_) | ApiError::DirectoryUnavailable => {
                Some(UNAVAILABLE_RETRY_SECS)
            }
            ApiError::Status(StatusCode::SERVICE_UNAVAILABLE) => Some(UNAVAILABLE_RETRY_SECS),
            _ => None,
        };
        if let Some(secs) = retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        res
    }
}
