//! Wire types of the sync protocol (SPEC §7), shared by the app and the server.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::error::FieldError;
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MutationResult {
    pub mutation_id: String,
    pub status: MutationStatus,
    pub record: Option<Envelope>,
    /// Why it was rejected: the first of `errors` (SPEC §7 names one; older apps read it).
    pub error: Option<FieldError>,
    /// Every problem of a rejected mutation, in the order of the record's fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl MutationResult {
    /// A rejection with every problem found (`errors` is never empty where this is called;
    /// an empty list gives a rejection without a reason rather than a panic).
    pub fn rejected(mutation_id: &str, errors: Vec<FieldError>) -> MutationResult {
        MutationResult {
            mutation_id: mutation_id.to_owned(),
            status: MutationStatus::Rejected,
            record: None,
            error: errors.first().cloned(),
            errors,
        }
    }
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
    /// Every problem of refused input (422), each at its field; `error` is the first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
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

/// The shortest password an account may have (the server refuses shorter ones; the app's form
/// says so before sending).
pub const MIN_PASSWORD_CHARS: usize = 10;

/// The longest password the server takes: hashing more would only be work for an attacker's
/// benefit.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// What is wrong with `username` as a new account's name.
pub fn username_problem(username: &str) -> Option<FieldError> {
    (!is_valid_username(username)).then(|| {
        FieldError::new(
            "invalid_username",
            "Der Benutzername hat 3 bis 64 Zeichen: Kleinbuchstaben a–z, Ziffern, Punkt, \
             Unterstrich oder Bindestrich.",
            Some("username"),
        )
    })
}

/// What is wrong with `password` as an account's password.
pub fn password_problem(password: &str) -> Option<FieldError> {
    let message = if password.chars().count() < MIN_PASSWORD_CHARS {
        format!("Das Passwort braucht mindestens {MIN_PASSWORD_CHARS} Zeichen.")
    } else if password.len() > MAX_PASSWORD_BYTES {
        format!("Das Passwort darf höchstens {MAX_PASSWORD_BYTES} Bytes lang sein.")
    } else {
        return None;
    };
    Some(FieldError::new("weak_password", message, Some("password")))
}

/// What is wrong with `role` (`lotse` or `buero`) and the Lotse linked to it, as far as it can
/// be told without looking the Lotse up.
pub fn role_problem(role: &str, lotse: Option<&str>) -> Option<FieldError> {
    if role != "lotse" && role != "buero" {
        return Some(FieldError::new(
            "invalid_role",
            "Die Rolle ist „lotse“ oder „buero“.",
            Some("role"),
        ));
    }
    (role != "lotse" && lotse.is_some_and(|l| !l.is_empty())).then(|| {
        FieldError::new(
            "invalid_lotse",
            "Nur ein Lotsen-Konto wird mit einem Lotsen-Profil verknüpft.",
            Some("lotse"),
        )
    })
}

/// An account as `/api/v1/accounts` shows it: never the password hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub username: String,
    /// `lotse` or `buero`.
    pub role: String,
    /// The Lotse record the account belongs to.
    pub lotse: Option<String>,
    pub disabled: bool,
    pub created_at: String,
    /// Failed logins of the last hour that still slow down further attempts (someone may be
    /// guessing the password); counted by the server in memory.
    #[serde(default)]
    pub failed_logins: u32,
    /// Signed in through the city's directory: role and Lotse come from there and cannot be
    /// changed here (the Büro may still lock it).
    #[serde(default)]
    pub directory: bool,
}

/// `POST /api/v1/accounts`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub username: String,
    pub password: String,
    pub role: String,
    #[serde(default)]
    pub lotse: Option<String>,
}

impl NewAccount {
    /// Every problem that needs no lookup, in the order of the form (user name, password, role
    /// and Lotse): the server answers them all at once, and the app's form shows them before
    /// sending.
    pub fn problems(&self) -> Vec<FieldError> {
        [
            username_problem(&self.username),
            password_problem(&self.password),
            role_problem(&self.role, self.lotse.as_deref()),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// The rule for user names: 3 to 64 characters of `a–z`, `0–9`, `.`, `_` and `-` (no spaces or
/// umlauts, so that a name reads the same on every keyboard and in every log).
pub fn is_valid_username(username: &str) -> bool {
    (3..=64).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// A user name made from a person's name the way the city writes addresses: "Ayşe Demir-Öz" →
/// "ayse.demir-oez". Empty if nothing usable is left (the Büro then types one).
pub fn suggest_username(name: &str) -> String {
    let mut words = Vec::new();
    for word in name.split_whitespace() {
        let mut w = String::new();
        for c in word.chars().flat_map(char::to_lowercase) {
            match c {
                'ä' => w.push_str("ae"),
                'ö' => w.push_str("oe"),
                'ü' => w.push_str("ue"),
                'ß' => w.push_str("ss"),
                '-' if !w.is_empty() && !w.ends_with('-') => w.push('-'),
                // Other letters lose their accents (ş → s, é → e); what has no plain form goes.
                c => w.extend(
                    crate::normalize::nfd(c.encode_utf8(&mut [0; 4]))
                        .chars()
                        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                ),
            }
        }
        let w = w.trim_end_matches('-').to_owned();
        if !w.is_empty() {
            words.push(w);
        }
    }
    let mut out = words.join(".");
    while out.len() > 64 {
        out.pop();
    }
    let out = out.trim_end_matches(['.', '-']).to_owned();
    if is_valid_username(&out) {
        out
    } else {
        String::new()
    }
}

/// `PATCH /api/v1/accounts/{username}`: absent fields stay as they are, `"lotse": null` unlinks.
/// Serialized, a `None` is left out, so a client sends only what it changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub lotse: Option<Option<String>>,
}

/// Tells a field sent as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[cfg(test)]
mod account_tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn user_names_from_names() {
        assert_eq!(suggest_username("Jörg Müller"), "joerg.mueller");
        assert_eq!(suggest_username("  Ayşe  Demir-Öz "), "ayse.demir-oez");
        assert_eq!(suggest_username("Thomas Weißenberg"), "thomas.weissenberg");
        assert_eq!(suggest_username("José García"), "jose.garcia");
        assert_eq!(suggest_username("李"), "");
        assert_eq!(suggest_username("A"), "");
        assert!(is_valid_username("eva.schmidt") && !is_valid_username("Eva Schmidt"));
    }

    proptest! {
        #[test]
        fn a_suggestion_is_valid_or_empty(name in "\\PC{0,90}") {
            let u = suggest_username(&name);
            prop_assert!(u.is_empty() || is_valid_username(&u), "{:?} -> {:?}", name, u);
        }
    }

    #[test]
    fn account_change_sends_only_what_changes() {
        let lock = AccountChange {
            disabled: Some(true),
            ..AccountChange::default()
        };
        assert_eq!(
            serde_json::to_value(&lock).unwrap(),
            json!({"disabled": true})
        );
        let unlink = AccountChange {
            lotse: Some(None),
            ..AccountChange::default()
        };
        assert_eq!(
            serde_json::to_value(&unlink).unwrap(),
            json!({"lotse": null})
        );
        for change in [lock, unlink] {
            let back: AccountChange =
                serde_json::from_value(serde_json::to_value(&change).unwrap()).unwrap();
            assert_eq!(back, change);
        }
        let absent: AccountChange = serde_json::from_value(json!({})).unwrap();
        assert_eq!(absent.lotse, None);
    }
}

/// A mail not sent yet, as the Büro sees it: who (a role and a name, no address), why, for
/// which request, and what went wrong.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingMail {
    pub id: i64,
    pub recipient: String,
    pub reason: String,
    pub request: String,
    pub created_at: String,
    pub attempts: i64,
    /// Set when delivery was given up: why.
    pub failed: Option<String>,
    pub last_error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MailStatus {
    /// Waiting for (another) attempt.
    pub waiting: usize,
    /// Given up; each can be sent again.
    pub failed: usize,
    pub mails: Vec<PendingMail>,
}
