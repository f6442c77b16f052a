//! Who is calling. Every request gets a [`Caller`]: the domain's [`Actor`] plus the hash of the
//! anonymous device key, if one was sent. Sessions (Lotse/Büro login) plug in here later: the
//! extractor looks up the session cookie and replaces `Actor::Anonymous`; nothing downstream
//! needs to change because permissions already take the domain `Actor`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use lotsen_domain::permission::Actor;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::AppState;

pub const DEVICE_KEY_HEADER: &str = "x-device-key";
const MIN_KEY: usize = 16;
const MAX_KEY: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub actor: Actor,
    /// SHA-256 (hex) of the `X-Device-Key`; the key itself is never stored.
    pub device_hash: Option<String>,
}

impl Caller {
    pub fn anonymous(device_hash: Option<String>) -> Caller {
        Caller {
            actor: Actor::Anonymous,
            device_hash,
        }
    }

    /// Whether a record created with `owner_hash` belongs to this caller's device.
    pub fn owns(&self, owner_hash: Option<&str>) -> bool {
        matches!((self.device_hash.as_deref(), owner_hash), (Some(a), Some(b)) if a == b)
    }
}

pub fn hash_device_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Checks and hashes a device key. Too short keys are guessable, which would let one device
/// read another's requests; too long ones only cost us.
pub fn device_hash(parts: &Parts) -> Result<Option<String>, ApiError> {
    let Some(value) = parts.headers.get(DEVICE_KEY_HEADER) else {
        return Ok(None);
    };
    let bad = || {
        ApiError::BadRequest(
            "bad_device_key",
            format!("X-Device-Key muss {MIN_KEY} bis {MAX_KEY} ASCII-Zeichen lang sein."),
        )
    };
    let key = value.to_str().map_err(|_| bad())?;
    if !(MIN_KEY..=MAX_KEY).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(bad());
    }
    Ok(Some(hash_device_key(key)))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let device_hash = device_hash(parts)?;
        // The session login (SPEC §7 /api/v1/session) hooks in here: look up the session
        // cookie in `state.store` and return `Actor::Lotse`/`Actor::Buero` instead. The device
        // hash stays, so a logged-in colleague still sees the requests of their device.
        Ok(Caller::anonymous(device_hash))
    }
}
