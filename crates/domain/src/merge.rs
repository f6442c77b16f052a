//! Three-way merge of a record's `data` (SPEC §7): the base the local edit started from, the
//! local edit, and the server's current record. Different fields merge; where both sides changed
//! the same field differently, the server wins and the field is reported so that the local value
//! can be kept in `conflicts` and offered to the user again.

use serde_json::{Map, Value};

/// Bookkeeping fields no one types: when both sides set one differently, the server's value
/// stands without troubling the user (two Lotsen closing the same request a minute apart both
/// closed it; the first time recorded is the one kept).
const QUIET: &[&str] = &["closed_at"];

#[derive(Clone, Debug, PartialEq)]
pub struct Merged {
    pub data: Value,
    /// Top-level fields both sides changed to different values, sorted.
    pub conflicts: Vec<String>,
}

pub fn three_way(base: &Value, local: &Value, server: &Value) -> Merged {
    let empty = Map::new();
    let as_map = |v: &'_ Value| -> Map<String, Value> { v.as_object().unwrap_or(&empty).clone() };
    let (base, local, server) = (as_map(base), as_map(local), as_map(server));
    let mut keys: Vec<&String> = base
        .keys()
        .chain(local.keys())
        .chain(server.keys())
        .collect();
    keys.sort();
    keys.dedup();
    let mut data = Map::new();
    let mut conflicts = Vec::new();
    for key in keys {
        let (b, l, s) = (base.get(key), local.get(key), server.get(key));
        let chosen = if l == b || l == s {
            s
        } else if s == b {
            l
        } else {
            if !QUIET.contains(&key.as_str()) {
                conflicts.push(key.clone());
            }
            s
        };
        if let Some(v) = chosen {
            data.insert(key.clone(), v.clone());
        }
    }
    // A closing time belongs to the status it was set with: when the merge keeps an open
    // status (the other side's, say) beside a closing time from this side, the time goes.
    let open_status = data
        .get("status")
        .and_then(Value::as_str)
        .is_some_and(|s| !matches!(s, "erledigt" | "abgelehnt"));
    if open_status {
        data.remove("closed_at");
    }
    Merged {
        data: Value::Object(data),
        conflicts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn different_fields_merge() {
        let base = json!({"status":"neu","assignee":null,"title":"A"});
        let local = json!({"status":"in_bearbeitung","assignee":null,"title":"A"});
        let server = json!({"status":"neu","assignee":null,"title":"B"});
        let m = three_way(&base, &local, &server);
        assert_eq!(
            m.data,
            json!({"status":"in_bearbeitung","assignee":null,"title":"B"})
        );
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn same_field_server_wins_and_is_reported() {
        let base = json!({"status":"neu"});
        let local = json!({"status":"erledigt"});
        let server = json!({"status":"abgelehnt"});
        let m = three_way(&base, &local, &server);
        assert_eq!(m.data, json!({"status":"abgelehnt"}));
        assert_eq!(m.conflicts, vec!["status".to_string()]);
    }

    #[test]
    fn same_change_on_both_sides_is_no_conflict() {
        let m = three_way(&json!({"a":1}), &json!({"a":2}), &json!({"a":2}));
        assert_eq!(m.data, json!({"a":2}));
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn closing_twice_keeps_the_server_time_quietly() {
        let base = json!({"status":"in_bearbeitung"});
        let local = json!({"status":"erledigt","closed_at":"2026-11-29T10:02:00Z"});
        let server = json!({"status":"erledigt","closed_at":"2026-11-29T10:00:00Z"});
        let m = three_way(&base, &local, &server);
        assert_eq!(m.data, server);
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn a_closing_time_never_outlives_its_status() {
        // Closed here, forwarded on the server: the server's status wins, the time goes.
        let base = json!({"status":"in_bearbeitung"});
        let local = json!({"status":"erledigt","closed_at":"2026-11-29T10:02:00Z"});
        let server = json!({"status":"weitergeleitet"});
        let m = three_way(&base, &local, &server);
        assert_eq!(m.data, json!({"status":"weitergeleitet"}));
        assert_eq!(m.conflicts, vec!["status".to_string()]);
    }

    fn field() -> impl Strategy<Value = Option<u8>> {
        proptest::option::of(0u8..3)
    }

    fn obj(fields: &[Option<u8>]) -> Value {
        let mut m = Map::new();
        for (i, f) in fields.iter().enumerate() {
            if let Some(v) = f {
                m.insert(format!("f{i}"), json!(v));
            }
        }
        Value::Object(m)
    }

    proptest! {
        #[test]
        fn merge_laws(b in proptest::collection::vec(field(), 4), l in proptest::collection::vec(field(), 4), s in proptest::collection::vec(field(), 4)) {
            let (base, local, server) = (obj(&b), obj(&l), obj(&s));
            let m = three_way(&base, &local, &server);
            // Nothing changed locally: the server's record stands.
            prop_assert_eq!(three_way(&base, &base, &server).data, server.clone());
            // Nothing changed on the server: the local edit stands.
            prop_assert_eq!(three_way(&base, &local, &base).data, local.clone());
            for i in 0..4 {
                let key = format!("f{i}");
                let got = m.data.get(&key).cloned();
                let (bv, lv, sv) = (base.get(&key).cloned(), local.get(&key).cloned(), server.get(&key).cloned());
                if m.conflicts.contains(&key) {
                    prop_assert!(lv != bv && sv != bv && lv != sv);
                    prop_assert_eq!(got, sv);
                } else if lv != bv {
                    // Every local change that is not a conflict survives.
                    prop_assert_eq!(got, lv);
                } else {
                    prop_assert_eq!(got, sv);
                }
            }
        }
    }
}
