//! Who is calling. Every request gets a [`Caller`]: the domain's [`Actor`] plus the hash of the
//! anonymous device key, if one was sent. A valid session cookie makes the actor the logged-in
//! Lotse or Projektbüro; a missing, unknown or expired one leaves the caller anonymous.
//! Permissions downstream only ever look at the domain `Actor`.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use lotsen_domain::permission::Actor;
use sha2::{Digest, Sha256};

use crate::auth;
use crate::error::ApiError;
use crate::ServerState;

pub const DEVICE_KEY_HEADER: &str = "x-device-key";
const MIN_KEY: usize = 16;
const MAX_KEY: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub actor: Actor,
    /// SHA-256 (hex) of the `X-Device-Key`; the key itself is never stored.
    pub device_hash: Option<String>,
    /// SHA-256 (hex) of the session token, when the caller is logged in.
    pub session: Option<String>,
}

impl Caller {
    pub fn anonymous(device_hash: Option<String>) -> Caller {
        Caller {
            actor: Actor::Anonymous,
            device_hash,
            session: None,
        }
    }

    /// A caller acting as `actor` without a session (operator tools, demo seeding, tests).
    pub fn acting_as(actor: Actor) -> Caller {
        Caller {
            actor,
            device_hash: None,
            session: None,
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

impl FromRequestParts<ServerState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ServerState,
    ) -> Result<Self, Self::Rejection> {
        let device_hash = device_hash(parts)?;
        let Some(token) = auth::session_token(&parts.headers) else {
            return Ok(Caller::anonymous(device_hash));
        };
        let hash = auth::hash_token(&token);
        let (auth, store, lookup) = (state.auth.clone(), state.store.clone(), hash.clone());
        let actor = crate::store::blocking(move || auth.resolve(&store, &lookup))
            .await
            .map_err(|e| ApiError::Internal(format!("worker failed: {e}")))??;
        // The device hash stays, so a logged-in colleague still sees the requests of their
        // device.
        Ok(match actor {
            Some(actor) => Caller {
                actor,
                device_hash,
                session: Some(hash),
            },
            None => Caller::anonymous(device_hash),
        })
    }
}

/// The client's address as the TCP connection shows it (None if the server was not started
/// with connect info). Behind a reverse proxy this is the proxy's address.
pub struct PeerAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}
