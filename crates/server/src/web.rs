//! The built app (`dist/`) as a single-page application, and the headers every response gets:
//! security headers and cache rules that let hashed assets live forever while index.html and
//! the service worker are revalidated on every load, so a new build reaches users at once.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use lotsen_domain::routes::is_staff_path;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::ApiError;
use crate::ServerState;

pub const CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; manifest-src 'self'; worker-src 'self'; \
frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Serves a file of `dist`; an unknown path without a file extension is a deep link into the
/// app (`/themen/dms`, `/lotsen/<id>`) and gets index.html, so bookmarks work — or, for the
/// screens of Lotsen and the Projektbüro, staff.html, the part of the app that has them
/// (`lotsen_domain::routes`; index.html when a build has no staff.html).
pub async fn serve_static(State(state): State<ServerState>, req: Request) -> Response {
    // No file has such a name; the file system would answer "name too long", a 500.
    if req
        .uri()
        .path()
        .split('/')
        .any(|segment| segment.len() > MAX_NAME)
    {
        return not_found_text(StatusCode::NOT_FOUND.into_response());
    }
    let deep_link = matches!(*req.method(), Method::GET | Method::HEAD)
        && !last_segment(req.uri().path()).contains('.');
    let staff_path = is_staff_path(req.uri().path());
    let headers = req.headers().clone();
    let method = req.method().clone();
    let dir = ServeDir::new(&state.dist)
        .precompressed_br()
        .precompressed_gzip();
    let res = match dir.oneshot(req).await {
        Ok(res) => res.map(Body::new),
        Err(never) => match never {},
    };
    if res.status().is_server_error() {
        // A file that cannot be read is, for the browser, not there; the operator sees why.
        tracing::warn!(status = %res.status(), "static file could not be served");
        return not_found_text(StatusCode::NOT_FOUND.into_response());
    }
    if res.status() != StatusCode::NOT_FOUND || !deep_link {
        return not_found_text(res);
    }
    let mut index_req = Request::new(Body::empty());
    *index_req.method_mut() = method;
    *index_req.headers_mut() = headers;
    let staff = state.dist.join("staff.html");
    let shell = if staff_path && tokio::fs::metadata(&staff).await.is_ok_and(|m| m.is_file()) {
        "staff.html"
    } else {
        "index.html"
    };
    let index = ServeFile::new(state.dist.join(shell))
        .precompressed_br()
        .precompressed_gzip();
    match index.oneshot(index_req).await {
        Ok(res) => not_found_text(res.map(Body::new)),
        Err(never) => match never {},
    }
}

/// ServeDir answers a missing file with an empty body; say something a person can read.
fn not_found_text(res: Response) -> Response {
    if res.status() == StatusCode::NOT_FOUND {
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Seite nicht gefunden.",
        )
            .into_response()
    } else {
        res
    }
}

/// The longest file name most file systems allow (bytes).
const MAX_NAME: usize = 255;
/// The longest address the router takes (`414` beyond).
pub const MAX_URI: usize = 8 * 1024;
/// The most bytes of request headers the router takes (`431` beyond).
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Refuses too long addresses and too large headers before any handler runs, with the API's
/// JSON on `/api/` (the HTTP layer's own limits are higher and answer without a body).
pub async fn limits(req: Request, next: Next) -> Response {
    // The request target as sent (path and query), measured without building a string.
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI {
        return ApiError::Status(StatusCode::URI_TOO_LONG).into_response();
    }
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return ApiError::Status(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE).into_response();
    }
    next.run(req).await
}

/// Every error on `/api/` is the API's JSON (SPEC §7). axum's own rejections (a path segment
/// that is not UTF-8, `%FF`) are plain text; they get the code and German message of their
/// status, keeping `Allow` and `Retry-After`.
pub async fn api_errors_as_json(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let api = path == "/api" || path.starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let mut json = ApiError::Status(status).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = res.headers().get(&name) {
            json.headers_mut().insert(name, value.clone());
        }
    }
    json
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

/// Whether a file name carries trunk's content hash: `-` and 16 hex digits before `.` or `_`
/// (`app-1a2b3c4d5e6f7a8b_bg.wasm`, `style-0123456789abcdef.css`).
pub fn is_hashed(name: &str) -> bool {
    let b = name.as_bytes();
    (0..b.len()).any(|i| {
        b[i] == b'-'
            && b.len() > i + 17
            && b[i + 1..i + 17].iter().all(u8::is_ascii_hexdigit)
            && matches!(b[i + 17], b'.' | b'_')
    })
}

/// Adds security and cache headers to every response, API and static alike.
pub async fn headers(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    // A 304 revalidation of a hashed asset may be cached as long as the asset itself.
    let ok = res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let cache = if path == "/api" || path.starts_with("/api/") {
        // Sync answers depend on who asks and change all the time.
        "no-store"
    } else if ok && is_hashed(last_segment(&path)) {
        IMMUTABLE
    } else {
        "no-cache"
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names() {
        assert!(is_hashed("lotsenfinder-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(is_hashed("style-0123456789abcdef.css"));
        assert!(is_hashed("lotsenfinder-1a2b3c4d5e6f7a8b.js"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("sw.js"));
        assert!(!is_hashed("manifest.webmanifest"));
        assert!(!is_hashed("style-0123456789abcde.css"));
        assert!(!is_hashed("style-0123456789abcdefg.css"));
        assert!(!is_hashed("ä-0123456789abcdef"));
    }
}
