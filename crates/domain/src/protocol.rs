//! Wire types of the sync protocol (SPEC §7), shared by the app and the server.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::permission::Actor;

/// The most mutations one push may carry.
pub const MAX_MUTATIONS: usize = 100;
/// The largest page of changes the server returns.
pub const MAX_PAGE: usize = 1000;

/// A record as the server stores and returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub collection: String,
    pub id: String,
    pub version: u64,
    pub seq: u64,
    pub updated_at: String,
    pub updated_by: String,
    pub deleted: bool,
    pub data: Value,
}

/// One attempt at a change. `collection` stays a string so that an unknown one is rejected per
/// mutation instead of failing the whole push.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    pub mutation_id: String,
    pub collection: String,
    pub id: String,
    pub base_version: u64,
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub data: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub mutations: Vec<Mutation>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MutationStatus {
    Applied,
    Conflict,
    Rejected,
}

/// Why a mutation was refused: a machine code, a German message for people, and the field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl FieldError {
    pub fn new(code: &str, message: impl Into<String>, field: Option<&str>) -> FieldError {
        FieldError {
            code: code.to_owned(),
            message: message.into(),
            field: field.map(str::to_owned),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {} ({})", self.message, self.code),
            None => write!(f, "{} ({})", self.message, self.code),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MutationResult {
    pub mutation_id: String,
    pub status: MutationStatus,
    pub record: Option<Envelope>,
    pub error: Option<FieldError>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    pub results: Vec<MutationResult>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangesResponse {
    pub epoch: String,
    pub changes: Vec<Envelope>,
    pub cursor: String,
    pub has_more: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

/// Every error response of the API: `{"error":{"code","message"}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: ErrorBody,
}

/// True for the canonical textual form of a UUID (any version), as `crypto.randomUUID()` makes it.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shape() {
        assert!(is_uuid("0b5c8a3e-2f7a-4c1e-9d2b-1a2b3c4d5e6f"));
        assert!(!is_uuid("0b5c8a3e-2f7a-4c1e-9d2b-1a2b3c4d5e6"));
        assert!(!is_uuid("0b5c8a3e_2f7a-4c1e-9d2b-1a2b3c4d5e6f"));
        assert!(!is_uuid("zb5c8a3e-2f7a-4c1e-9d2b-1a2b3c4d5e6f"));
        assert!(!is_uuid(""));
    }
}

/// The logged-in user as `/api/v1/session` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub username: String,
    /// `lotse` or `buero`.
    pub role: String,
    /// The Lotse record the account belongs to.
    pub lotse: Option<String>,
}

impl SessionUser {
    /// The user of a logged-in actor (None for anonymous callers).
    pub fn of_actor(actor: &Actor) -> Option<SessionUser> {
        match actor {
            Actor::Anonymous => None,
            Actor::Lotse { username, lotse } => Some(SessionUser {
                username: username.clone(),
                role: "lotse".into(),
                lotse: lotse.clone(),
            }),
            Actor::Buero { username } => Some(SessionUser {
                username: username.clone(),
                role: "buero".into(),
                lotse: None,
            }),
        }
    }

    /// The actor the server treats this user as; an unknown role gets no more than anonymous.
    pub fn actor(&self) -> Actor {
        match self.role.as_str() {
            "lotse" => Actor::Lotse {
                username: self.username.clone(),
                lotse: self.lotse.clone(),
            },
            "buero" => Actor::Buero {
                username: self.username.clone(),
            },
            _ => Actor::Anonymous,
        }
    }

    pub fn is_buero(&self) -> bool {
        self.role == "buero"
    }
}
