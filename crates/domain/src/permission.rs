//! Who may read and write what (SPEC §2). The server asks these functions for every record of
//! every push and pull; they only see the facts the server hands them, so they are pure.

use crate::notify::Notify;
use serde_json::Value;

use crate::error::FieldError;
use crate::model::Collection;

/// Who is calling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A colleague without login, known only by the hash of their device key (if sent).
    Anonymous,
    Lotse {
        username: String,
        /// The Lotse record this account belongs to.
        lotse: Option<String>,
    },
    Buero {
        username: String,
    },
}

impl Actor {
    /// What `updated_by` records for this caller.
    pub fn label(&self) -> &str {
        match self {
            Actor::Anonymous => "anonym",
            Actor::Lotse { username, .. } | Actor::Buero { username } => username,
        }
    }
}

/// The stored state of the record being written, as far as permissions care.
#[derive(Clone, Copy, Debug)]
pub struct Stored<'a> {
    pub data: &'a Value,
    pub deleted: bool,
    /// The record (a request) was created with the caller's device key.
    pub owned: bool,
}

/// A proposed write.
#[derive(Clone, Copy, Debug)]
pub struct Write<'a> {
    pub collection: Collection,
    pub id: &'a str,
    pub deleted: bool,
    pub data: &'a Value,
}

fn forbidden(message: &str) -> FieldError {
    FieldError::new("forbidden", message, None)
}

fn field_is(data: &Value, key: &str, value: &str) -> bool {
    data.get(key).and_then(Value::as_str) == Some(value)
}

fn is_null(data: &Value, key: &str) -> bool {
    data.get(key).is_none_or(Value::is_null)
}

/// Fields other than `allowed` are the same in both.
fn only_changed(old: &Value, new: &Value, allowed: &[&str]) -> bool {
    let empty = serde_json::Map::new();
    let (o, n) = (
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    o.keys()
        .chain(n.keys())
        .filter(|k| !allowed.contains(&k.as_str()))
        .all(|k| o.get(k) == n.get(k))
}

/// Whether `actor` may make `write`, judged against the stored record (None: it does not exist
/// yet, so this is a create). Judged before the version check, as SPEC §2 demands.
pub fn check_write(actor: &Actor, stored: Option<Stored>, write: Write) -> Result<(), FieldError> {
    let live = stored.filter(|s| !s.deleted);
    if stored.is_some_and(|s| s.deleted) && !matches!(actor, Actor::Buero { .. }) {
        return Err(forbidden("Dieser Eintrag wurde gelöscht."));
    }
    if write.collection == Collection::Notes && live.is_some() {
        if write.deleted && matches!(actor, Actor::Buero { .. }) {
            return Ok(());
        }
        return Err(FieldError::new(
            "append_only",
            "Notizen werden nicht geändert; schreiben Sie bitte eine neue.",
            None,
        ));
    }
    match actor {
        Actor::Buero { .. } => match (write.collection, live) {
            (Collection::Lotsen, Some(s)) if notify_of(s.data) != notify_of(write.data) => {
                Err(FieldError::new(
                    "forbidden",
                    "Wie eine Lotsin oder ein Lotse von neuen Anliegen erfährt, stellt sie oder er selbst ein.",
                    Some("notify"),
                ))
            }
            _ => Ok(()),
        },
        Actor::Anonymous => anonymous(live, write),
        Actor::Lotse { lotse, .. } => match (write.collection, live) {
            // Status and assignee (and the closing time that goes with the status) are a
            // Lotse's on every request, also on one they handed in themselves from this device;
            // anything more only while it is their own and new.
            (Collection::Requests, Some(s))
                if !write.deleted
                    && only_changed(s.data, write.data, &["status", "assignee", "closed_at"]) =>
            {
                Ok(())
            }
            (Collection::Requests, Some(s)) if !s.owned || !field_is(s.data, "status", "neu") => {
                if write.deleted {
                    Err(forbidden("Anliegen löscht nur das Projektbüro."))
                } else {
                    Err(forbidden(
                        "Als Lotse ändern Sie bei Anliegen nur Status und Zuständigkeit.",
                    ))
                }
            }
            (Collection::Lotsen, Some(s))
                if lotse.as_deref() == Some(write.id) && !write.deleted =>
            {
                if s.data.get("active") == write.data.get("active") {
                    Ok(())
                } else {
                    Err(FieldError::new(
                        "forbidden",
                        "Ob ein Profil aktiv ist, entscheidet das Projektbüro.",
                        Some("active"),
                    ))
                }
            }
            (Collection::Notes, None) if !write.deleted => Ok(()),
            _ => anonymous(live, write),
        },
    }
}

/// A Lotse's notification setting; records from before it have the default.
fn notify_of(data: &Value) -> Notify {
    data.get("notify")
        .and_then(Value::as_str)
        .and_then(Notify::parse)
        .unwrap_or_default()
}

fn anonymous(live: Option<Stored>, write: Write) -> Result<(), FieldError> {
    let new_is_fresh = field_is(write.data, "status", "neu") && is_null(write.data, "assignee");
    match (write.collection, live) {
        (Collection::Requests, None) if !write.deleted => {
            if new_is_fresh {
                Ok(())
            } else {
                Err(FieldError::new(
                    "forbidden",
                    "Ein neues Anliegen beginnt mit dem Status „neu“.",
                    Some("status"),
                ))
            }
        }
        (Collection::Requests, Some(s)) if s.owned && field_is(s.data, "status", "neu") => {
            if write.deleted || new_is_fresh {
                Ok(())
            } else {
                Err(FieldError::new(
                    "forbidden",
                    "Den Status ändern die Lotsen.",
                    Some("status"),
                ))
            }
        }
        (Collection::Requests, Some(s)) if s.owned => Err(forbidden(
            "Dieses Anliegen wird schon bearbeitet und kann nicht mehr geändert werden.",
        )),
        (Collection::Applications, None) if !write.deleted => {
            if field_is(write.data, "status", "neu") {
                Ok(())
            } else {
                Err(FieldError::new(
                    "forbidden",
                    "Eine Bewerbung beginnt mit dem Status „neu“.",
                    Some("status"),
                ))
            }
        }
        _ => Err(forbidden("Dafür fehlt Ihnen die Berechtigung.")),
    }
}

/// How a stored record reaches a caller's pull.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    Full,
    /// The caller may know it is gone (or no longer visible) but not see its data.
    Tombstone,
    Hidden,
}

/// What of a stored record `actor` may see. For a note, `owned` means the caller owns the
/// request the note belongs to.
pub fn visibility(
    actor: &Actor,
    collection: Collection,
    data: &Value,
    deleted: bool,
    owned: bool,
) -> Visibility {
    let full = match (actor, collection) {
        (_, Collection::Topics | Collection::Events) => true,
        (Actor::Buero { .. }, _) => true,
        (Actor::Lotse { .. }, Collection::Applications) => false,
        (Actor::Lotse { .. }, _) => true,
        (Actor::Anonymous, Collection::Lotsen) => {
            if deleted || data.get("active") == Some(&Value::Bool(true)) {
                true
            } else {
                return Visibility::Tombstone;
            }
        }
        (Actor::Anonymous, Collection::Requests) => owned,
        (Actor::Anonymous, Collection::Notes) => {
            owned && data.get("internal") != Some(&Value::Bool(true))
        }
        (Actor::Anonymous, Collection::Applications) => false,
    };
    match (full, deleted) {
        (false, _) => Visibility::Hidden,
        (true, true) => Visibility::Tombstone,
        (true, false) => Visibility::Full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lotse() -> Actor {
        Actor::Lotse {
            username: "lotse".into(),
            lotse: Some("l-1".into()),
        }
    }

    fn buero() -> Actor {
        Actor::Buero {
            username: "buero".into(),
        }
    }

    fn write<'a>(collection: Collection, id: &'a str, data: &'a Value) -> Write<'a> {
        Write {
            collection,
            id,
            deleted: false,
            data,
        }
    }

    fn stored(data: &Value, owned: bool) -> Stored<'_> {
        Stored {
            data,
            deleted: false,
            owned,
        }
    }

    #[test]
    fn anonymous_creates_only_fresh_requests_and_applications() {
        let fresh = json!({"status":"neu","assignee":null,"title":"x"});
        let taken = json!({"status":"in_bearbeitung","assignee":null,"title":"x"});
        assert!(check_write(
            &Actor::Anonymous,
            None,
            write(Collection::Requests, "r", &fresh)
        )
        .is_ok());
        assert!(check_write(
            &Actor::Anonymous,
            None,
            write(Collection::Requests, "r", &taken)
        )
        .is_err());
        assert!(check_write(
            &Actor::Anonymous,
            None,
            write(Collection::Applications, "a", &fresh)
        )
        .is_ok());
        for c in [
            Collection::Topics,
            Collection::Lotsen,
            Collection::Events,
            Collection::Notes,
        ] {
            let e = check_write(&Actor::Anonymous, None, write(c, "x", &fresh)).unwrap_err();
            assert_eq!(e.code, "forbidden", "{c}");
        }
    }

    #[test]
    fn anonymous_edits_own_request_only_while_new() {
        let fresh = json!({"status":"neu","assignee":null,"title":"x"});
        let edited = json!({"status":"neu","assignee":null,"title":"y"});
        let taken = json!({"status":"in_bearbeitung","assignee":null,"title":"x"});
        let w = write(Collection::Requests, "r", &edited);
        assert!(check_write(&Actor::Anonymous, Some(stored(&fresh, true)), w).is_ok());
        assert!(check_write(&Actor::Anonymous, Some(stored(&fresh, false)), w).is_err());
        assert!(check_write(&Actor::Anonymous, Some(stored(&taken, true)), w).is_err());
        let withdraw = Write { deleted: true, ..w };
        assert!(check_write(&Actor::Anonymous, Some(stored(&fresh, true)), withdraw).is_ok());
        assert!(check_write(&Actor::Anonymous, Some(stored(&fresh, false)), withdraw).is_err());
        let self_promoted = json!({"status":"erledigt","assignee":null,"title":"x"});
        let w = write(Collection::Requests, "r", &self_promoted);
        assert!(check_write(&Actor::Anonymous, Some(stored(&fresh, true)), w).is_err());
    }

    #[test]
    fn lotse_changes_status_and_assignee_and_own_profile() {
        let old = json!({"status":"neu","assignee":null,"title":"x"});
        let took = json!({"status":"in_bearbeitung","assignee":"l-1","title":"x"});
        let retitled = json!({"status":"neu","assignee":null,"title":"y"});
        let closed = json!({"status":"erledigt","assignee":"l-1","title":"x",
                            "closed_at":"2026-11-29T10:00:00Z"});
        assert!(check_write(
            &lotse(),
            Some(stored(&took, false)),
            write(Collection::Requests, "r", &closed)
        )
        .is_ok());
        assert!(check_write(
            &lotse(),
            Some(stored(&old, false)),
            write(Collection::Requests, "r", &took)
        )
        .is_ok());
        assert!(check_write(
            &lotse(),
            Some(stored(&old, false)),
            write(Collection::Requests, "r", &retitled)
        )
        .is_err());
        let mine_new = json!({"status":"neu","assignee":null,"title":"x"});
        let w = write(Collection::Requests, "r", &took);
        assert!(
            check_write(&lotse(), Some(stored(&mine_new, true)), w).is_ok(),
            "a Lotse takes over a request handed in from their own device"
        );
        let me = json!({"name":"A","active":true});
        let me2 = json!({"name":"B","active":true});
        let off = json!({"name":"A","active":false});
        assert!(check_write(
            &lotse(),
            Some(stored(&me, false)),
            write(Collection::Lotsen, "l-1", &me2)
        )
        .is_ok());
        assert!(check_write(
            &lotse(),
            Some(stored(&me, false)),
            write(Collection::Lotsen, "l-1", &off)
        )
        .is_err());
        assert!(check_write(
            &lotse(),
            Some(stored(&me, false)),
            write(Collection::Lotsen, "l-2", &me2)
        )
        .is_err());
        let note = json!({"request":"r","text":"t"});
        assert!(check_write(&lotse(), None, write(Collection::Notes, "n", &note)).is_ok());
        let e = check_write(
            &lotse(),
            Some(stored(&note, false)),
            write(Collection::Notes, "n", &note),
        )
        .unwrap_err();
        assert_eq!(e.code, "append_only");
        assert!(check_write(&buero(), None, write(Collection::Topics, "t", &note)).is_ok());
    }

    #[test]
    fn the_lotse_sets_how_they_hear_of_requests_and_the_buero_does_not() {
        let old = json!({"name":"A","active":true});
        let daily = json!({"name":"A","active":true,"notify":"taeglich"});
        let at_once = json!({"name":"A","active":true,"notify":"sofort"});
        let renamed = json!({"name":"B","active":true,"notify":"sofort"});
        let lotse_writes = |stored_data: &Value, data: &Value| {
            check_write(
                &lotse(),
                Some(stored(stored_data, false)),
                write(Collection::Lotsen, "l-1", data),
            )
        };
        assert!(lotse_writes(&old, &at_once).is_ok());
        let buero_writes = |stored_data: &Value, data: &Value| {
            check_write(
                &buero(),
                Some(stored(stored_data, false)),
                write(Collection::Lotsen, "l-1", data),
            )
        };
        let refused = buero_writes(&old, &at_once).unwrap_err();
        assert_eq!(refused.field.as_deref(), Some("notify"));
        // A record from before the setting has the default: writing it out is no change.
        assert!(buero_writes(&old, &daily).is_ok());
        assert!(buero_writes(&at_once, &renamed).is_ok());
        assert!(check_write(&buero(), None, write(Collection::Lotsen, "l-9", &at_once)).is_ok());
    }

    #[test]
    fn a_requester_addresses_a_request_only_while_it_is_new() {
        let new = json!({"status":"neu","assignee":null,"title":"x"});
        let addressed = json!({"status":"neu","assignee":null,"title":"x","lotse":"l-1"});
        let anon = Actor::Anonymous;
        assert!(check_write(&anon, None, write(Collection::Requests, "r", &addressed)).is_ok());
        assert!(check_write(
            &anon,
            Some(stored(&new, true)),
            write(Collection::Requests, "r", &addressed)
        )
        .is_ok());
        let taken = json!({"status":"in_bearbeitung","assignee":"l-2","title":"x"});
        let readdressed =
            json!({"status":"in_bearbeitung","assignee":"l-2","title":"x","lotse":"l-1"});
        assert!(check_write(
            &anon,
            Some(stored(&taken, true)),
            write(Collection::Requests, "r", &readdressed)
        )
        .is_err());
        // A Lotse changes status and assignee, not the address.
        assert!(check_write(
            &lotse(),
            Some(stored(&taken, false)),
            write(Collection::Requests, "r", &readdressed)
        )
        .is_err());
    }

    #[test]
    fn what_anonymous_sees() {
        let inactive = json!({"active":false});
        let active = json!({"active":true});
        let internal = json!({"internal":true});
        let public = json!({"internal":false});
        let a = Actor::Anonymous;
        assert_eq!(
            visibility(&a, Collection::Lotsen, &active, false, false),
            Visibility::Full
        );
        assert_eq!(
            visibility(&a, Collection::Lotsen, &inactive, false, false),
            Visibility::Tombstone
        );
        assert_eq!(
            visibility(&a, Collection::Requests, &active, false, false),
            Visibility::Hidden
        );
        assert_eq!(
            visibility(&a, Collection::Requests, &active, false, true),
            Visibility::Full
        );
        assert_eq!(
            visibility(&a, Collection::Requests, &active, true, true),
            Visibility::Tombstone
        );
        assert_eq!(
            visibility(&a, Collection::Notes, &internal, false, true),
            Visibility::Hidden
        );
        assert_eq!(
            visibility(&a, Collection::Notes, &public, false, true),
            Visibility::Full
        );
        assert_eq!(
            visibility(&a, Collection::Notes, &public, false, false),
            Visibility::Hidden
        );
        assert_eq!(
            visibility(&a, Collection::Applications, &public, false, false),
            Visibility::Hidden
        );
        assert_eq!(
            visibility(&lotse(), Collection::Applications, &public, false, false),
            Visibility::Hidden
        );
        assert_eq!(
            visibility(&buero(), Collection::Applications, &public, false, false),
            Visibility::Full
        );
        assert_eq!(
            visibility(&a, Collection::Topics, &public, true, false),
            Visibility::Tombstone
        );
    }
}
