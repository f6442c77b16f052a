//! What a device keeps when its user changes (SPEC §6): a logout leaves only what the
//! colleague could see without a login; a login adopts what the device held as its own. The
//! app's store carries these answers out in one transaction.

use serde_json::Value;

use crate::model::Collection;
use crate::protocol::Envelope;
use crate::replica::OutboxEntry;

/// Whether a held record outlives a logout: what everyone may read, the colleague's own
/// requests, and the public answers to them. Everything else only the login could see.
pub fn keeps_record(own: &[String], env: &Envelope) -> bool {
    let is_own = |id: &str| own.iter().any(|o| o == id);
    match Collection::parse(&env.collection) {
        Some(Collection::Requests) => is_own(&env.id),
        Some(Collection::Notes) => {
            env.data.get("internal") == Some(&Value::Bool(false))
                && env
                    .data
                    .get("request")
                    .and_then(Value::as_str)
                    .is_some_and(is_own)
        }
        Some(c) => !Collection::PRIVATE.contains(&c),
        // Written by a newer version of the app: nobody here can tell who may see it.
        None => false,
    }
}

/// Whether an edit waiting in the outbox outlives a logout: only the colleague's own
/// requests. Any other edit was made with the login and could not be sent without it.
pub fn keeps_waiting(own: &[String], entry: &OutboxEntry) -> bool {
    entry.collection == Collection::Requests.as_str() && own.contains(&entry.id)
}

/// The device's own requests once a login starts: every request it held without one is its
/// own, since an anonymous device receives no others.
pub fn own_after_login<'a>(
    mut own: Vec<String>,
    held: impl IntoIterator<Item = &'a Envelope>,
) -> Vec<String> {
    for env in held {
        if env.collection == Collection::Requests.as_str() && !own.contains(&env.id) {
            own.push(env.id.clone());
        }
    }
    own
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(collection: &str, id: &str, data: Value) -> Envelope {
        Envelope {
            collection: collection.into(),
            id: id.into(),
            version: 1,
            seq: 1,
            updated_at: String::new(),
            updated_by: String::new(),
            deleted: false,
            data,
        }
    }

    fn waiting(collection: &str, id: &str) -> OutboxEntry {
        OutboxEntry {
            mutation_id: "m".into(),
            collection: collection.into(),
            id: id.into(),
            deleted: false,
            data: json!({}),
            base: None,
            queued_at: 0.0,
            seen: None,
            earlier: Vec::new(),
        }
    }

    #[test]
    fn a_logout_keeps_the_directory_and_the_own_requests_with_their_public_answers() {
        let own = vec!["mine".to_owned()];
        let kept = |e: Envelope| keeps_record(&own, &e);
        for c in Collection::DIRECTORY {
            assert!(kept(env(c.as_str(), "x", json!({}))), "{c}");
        }
        assert!(kept(env("requests", "mine", json!({}))));
        assert!(!kept(env("requests", "other", json!({}))));
        assert!(kept(env(
            "notes",
            "n",
            json!({"request": "mine", "internal": false})
        )));
        assert!(!kept(env(
            "notes",
            "n",
            json!({"request": "mine", "internal": true})
        )));
        // A note that does not say it is public is not taken for one.
        assert!(!kept(env("notes", "n", json!({"request": "mine"}))));
        assert!(!kept(env(
            "notes",
            "n",
            json!({"request": "other", "internal": false})
        )));
        assert!(!kept(env("applications", "a", json!({}))));
        assert!(!kept(env("neu", "x", json!({}))));
    }

    #[test]
    fn a_logout_keeps_only_the_own_requests_waiting() {
        let own = vec!["mine".to_owned()];
        assert!(keeps_waiting(&own, &waiting("requests", "mine")));
        assert!(!keeps_waiting(&own, &waiting("requests", "other")));
        assert!(!keeps_waiting(&own, &waiting("notes", "mine")));
        assert!(!keeps_waiting(&own, &waiting("lotsen", "mine")));
    }

    #[test]
    fn a_login_adopts_the_requests_held_without_one() {
        let held = [
            env("requests", "b", json!({})),
            env("requests", "a", json!({})),
            env("notes", "n", json!({})),
        ];
        assert_eq!(
            own_after_login(vec!["a".into()], &held),
            ["a".to_owned(), "b".to_owned()]
        );
    }
}
