//! The client's half of sync (SPEC §6–7) as pure decisions: what a local edit queues, what a
//! pulled record changes, and how the answer to a push is taken in. The app's IndexedDB layer
//! only reads and writes what these functions decide, so the decisions can be tested natively,
//! with many replicas and a model server (`tests/sync_simulation.rs`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::merge::three_way;
use crate::model::Collection;
use crate::protocol::{Envelope, FieldError, Mutation, MutationResult, MutationStatus};

/// A record as the app shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalRecord {
    /// The server's envelope, with `data` replaced by the local edit while one is pending.
    pub env: Envelope,
    pub pending: bool,
}

impl LocalRecord {
    pub fn key(&self) -> String {
        key(&self.env.collection, &self.env.id)
    }
}

/// A local change waiting for transfer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// New for every local edit: a retry of the same edit reuses it, a later edit never does.
    pub mutation_id: String,
    pub collection: String,
    pub id: String,
    pub deleted: bool,
    pub data: Value,
    /// The server's record this edit started from (None for a new record).
    pub base: Option<Envelope>,
    /// When the user made the edit (ms since the epoch), for ordering the push.
    pub queued_at: f64,
    /// The newest server state a pull brought while this edit waited (pulls leave records with
    /// a pending edit alone); shown again if the server refuses the edit, and preferred to an
    /// older record in a replayed push answer.
    #[serde(default)]
    pub seen: Option<Envelope>,
    /// The data of earlier attempts this edit replaced before their answer came: one of them
    /// may have reached the server, and must then count as the base of this edit, not as
    /// someone else's change (or the user gets a conflict with their own typing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<Value>,
}

impl OutboxEntry {
    pub fn mutation(&self) -> Mutation {
        Mutation {
            mutation_id: self.mutation_id.clone(),
            collection: self.collection.clone(),
            id: self.id.clone(),
            base_version: self.base.as_ref().map_or(0, |b| b.version),
            deleted: self.deleted,
            data: self.data.clone(),
        }
    }
}

/// A local version the server did not take, kept so that nothing typed is lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    /// Its own key in the `conflicts` store: several refusals of one push share a timestamp.
    pub conflict_id: String,
    pub key: String,
    pub collection: String,
    pub id: String,
    pub local: Value,
    pub server: Option<Envelope>,
    /// The fields both sides changed; empty when the whole edit was refused.
    pub fields: Vec<String>,
    /// Why the edit was refused: the first of `errors`.
    pub error: Option<FieldError>,
    /// Every problem of a refused edit (kept beside `error`, which conflicts stored by older
    /// versions of the app have alone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    pub at: f64,
}

impl Conflict {
    /// Every reason the edit was refused, as one text; None for a conflict of two edits.
    pub fn refusal(&self) -> Option<String> {
        let messages: Vec<&str> = if self.errors.is_empty() {
            self.error.iter().map(|e| e.message.as_str()).collect()
        } else {
            self.errors.iter().map(|e| e.message.as_str()).collect()
        };
        (!messages.is_empty()).then(|| messages.join(" "))
    }
}

/// What changed in the local store, for the in-memory state to follow.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Put(LocalRecord),
    Remove { collection: String, id: String },
}

impl Change {
    /// Whether it changes what the search looks through (topics and Lotsen): the search
    /// index is then built again.
    pub fn changes_search(&self) -> bool {
        let collection = match self {
            Change::Put(record) => record.env.collection.as_str(),
            Change::Remove { collection, .. } => collection.as_str(),
        };
        collection == Collection::Topics.as_str() || collection == Collection::Lotsen.as_str()
    }
}

pub fn key(collection: &str, id: &str) -> String {
    format!("{collection}/{id}")
}

const MAX_EARLIER: usize = 5;

/// Fresh ids and the time: the domain has neither randomness nor a clock, so the app passes
/// the browser's and a test its own.
pub trait Stamps {
    fn new_id(&mut self) -> String;
    fn now(&mut self) -> f64;
}

/// A local edit: the outbox entry to store for the record, and the record as the user now sees
/// it. `queued` is the entry already waiting for this record, `shown` what the user saw.
pub fn edit(
    queued: Option<OutboxEntry>,
    shown: Option<LocalRecord>,
    collection: &str,
    id: &str,
    data: Value,
    deleted: bool,
    stamps: &mut impl Stamps,
) -> (OutboxEntry, LocalRecord) {
    let (base, seen, earlier) = match queued {
        // Edited again before the first edit went out: it still starts from the same base.
        Some(q) => {
            let mut earlier = q.earlier;
            if !q.deleted {
                earlier.push(q.data);
            }
            // A few are enough: only an attempt whose answer was lost can have landed.
            let excess = earlier.len().saturating_sub(MAX_EARLIER);
            earlier.drain(..excess);
            (q.base, q.seen, earlier)
        }
        None => (shown.map(|v| v.env), None, Vec::new()),
    };
    let entry = OutboxEntry {
        mutation_id: stamps.new_id(),
        collection: collection.to_owned(),
        id: id.to_owned(),
        deleted,
        data: data.clone(),
        base: base.clone(),
        queued_at: stamps.now(),
        seen,
        earlier,
    };
    let mut env = base.unwrap_or_else(|| Envelope {
        collection: collection.to_owned(),
        id: id.to_owned(),
        version: 0,
        seq: 0,
        updated_at: String::new(),
        updated_by: String::new(),
        deleted: false,
        data: Value::Null,
    });
    env.data = data;
    env.deleted = deleted;
    (entry, LocalRecord { env, pending: true })
}

/// What a pulled record changes.
#[derive(Debug, Clone, PartialEq)]
pub enum Pulled {
    /// The record has an edit waiting: the user keeps seeing it, the push decides; the entry
    /// (to store again) remembers the server's state.
    Seen(Box<OutboxEntry>),
    /// Nothing waits: the server's state is what the user sees.
    Shown(Change),
}

pub fn pull(env: &Envelope, queued: Option<OutboxEntry>) -> Pulled {
    match queued {
        Some(mut entry) => {
            entry.seen = Some(env.clone());
            Pulled::Seen(Box::new(entry))
        }
        None => Pulled::Shown(shown(env.clone())),
    }
}

/// What becomes of a record's outbox slot.
#[derive(Debug, Clone, PartialEq)]
pub enum Queue {
    Keep,
    Put(Box<OutboxEntry>),
    Remove,
}

/// How a push result is taken in.
#[derive(Debug, Clone, PartialEq)]
pub struct Pushed {
    pub queue: Queue,
    /// The record as the user now sees it; None leaves it as it is.
    pub record: Option<Change>,
    /// A local version to keep because the server did not (fully) take it.
    pub conflict: Option<Conflict>,
}

impl Pushed {
    fn unchanged() -> Pushed {
        Pushed {
            queue: Queue::Keep,
            record: None,
            conflict: None,
        }
    }
}

/// Takes in the server's answer to the pushed entry `sent`. `queued` is what the outbox holds
/// for the record now: `sent` itself (perhaps with a newer `seen`), or a newer edit the user
/// made while the push was under way.
pub fn push_result(
    sent: &OutboxEntry,
    queued: Option<&OutboxEntry>,
    result: &MutationResult,
    stamps: &mut impl Stamps,
) -> Pushed {
    if sent.mutation_id != result.mutation_id {
        return Pushed::unchanged();
    }
    let newer = queued.filter(|q| q.mutation_id != sent.mutation_id);
    let seen = queued.and_then(|q| q.seen.clone());
    match result.status {
        MutationStatus::Applied => {
            let Some(server) = result.record.clone() else {
                return Pushed::unchanged();
            };
            match newer {
                Some(later) => {
                    // The later edit was made on top of the one just stored.
                    let later = OutboxEntry {
                        base: Some(server.clone()),
                        earlier: Vec::new(),
                        ..later.clone()
                    };
                    let view = LocalRecord {
                        env: Envelope {
                            data: later.data.clone(),
                            deleted: later.deleted,
                            ..server
                        },
                        pending: true,
                    };
                    Pushed {
                        queue: Queue::Put(Box::new(later)),
                        record: Some(Change::Put(view)),
                        conflict: None,
                    }
                }
                None => Pushed {
                    queue: Queue::Remove,
                    record: newest([Some(server), seen]).map(shown),
                    conflict: None,
                },
            }
        }
        MutationStatus::Conflict => {
            let local = newer.unwrap_or(sent);
            let base_data = local.base.as_ref().map_or(Value::Null, |b| b.data.clone());
            match newest([result.record.clone(), seen]) {
                Some(server) if !server.deleted && !local.deleted => {
                    // The server holds one of our own earlier attempts: build on it.
                    let base_data = if local.earlier.contains(&server.data) {
                        server.data.clone()
                    } else {
                        base_data
                    };
                    let merged = three_way(&base_data, &local.data, &server.data);
                    let conflict = (!merged.conflicts.is_empty()).then(|| {
                        conflict_of(
                            local,
                            Some(server.clone()),
                            merged.conflicts.clone(),
                            Vec::new(),
                            stamps,
                        )
                    });
                    if merged.data == server.data {
                        return Pushed {
                            queue: Queue::Remove,
                            record: Some(shown(server)),
                            conflict,
                        };
                    }
                    let again = OutboxEntry {
                        mutation_id: stamps.new_id(),
                        data: merged.data.clone(),
                        base: Some(server.clone()),
                        earlier: Vec::new(),
                        ..local.clone()
                    };
                    let view = LocalRecord {
                        env: Envelope {
                            data: merged.data,
                            ..server
                        },
                        pending: true,
                    };
                    Pushed {
                        queue: Queue::Put(Box::new(again)),
                        record: Some(Change::Put(view)),
                        conflict,
                    }
                }
                server => {
                    // Deleted on one side and changed on the other: the server's state stands,
                    // the local version is kept for the user.
                    let conflict = conflict_of(
                        local,
                        server.clone(),
                        vec!["deleted".into()],
                        Vec::new(),
                        stamps,
                    );
                    Pushed {
                        queue: Queue::Remove,
                        record: Some(server.map_or_else(|| removed(local), shown)),
                        conflict: Some(conflict),
                    }
                }
            }
        }
        MutationStatus::Rejected => {
            // A server before lists of errors sends only `error`.
            let errors = if result.errors.is_empty() {
                result.error.iter().cloned().collect()
            } else {
                result.errors.clone()
            };
            let conflict = conflict_of(sent, result.record.clone(), Vec::new(), errors, stamps);
            if newer.is_some() {
                return Pushed {
                    queue: Queue::Keep,
                    record: None,
                    conflict: Some(conflict),
                };
            }
            let fallback = newest([result.record.clone(), seen, sent.base.clone()]);
            Pushed {
                queue: Queue::Remove,
                record: Some(fallback.map_or_else(|| removed(sent), shown)),
                conflict: Some(conflict),
            }
        }
    }
}

/// The latest of several states of one record. The answer to a retried mutation is the one
/// stored when it was first decided, so its record may be older than what a pull has brought
/// into `seen` since — and the pull's cursor has moved past that newer state: showing the
/// replayed record would leave the replica behind the server until the record changes again.
fn newest<const N: usize>(states: [Option<Envelope>; N]) -> Option<Envelope> {
    states
        .into_iter()
        .flatten()
        .fold(None, |best, s| match best {
            Some(b) if b.version >= s.version => Some(b),
            _ => Some(s),
        })
}

/// The server's state as the user sees it: a tombstone is no record at all.
fn shown(server: Envelope) -> Change {
    if server.deleted {
        return Change::Remove {
            collection: server.collection,
            id: server.id,
        };
    }
    Change::Put(LocalRecord {
        env: server,
        pending: false,
    })
}

fn removed(entry: &OutboxEntry) -> Change {
    Change::Remove {
        collection: entry.collection.clone(),
        id: entry.id.clone(),
    }
}

fn conflict_of(
    entry: &OutboxEntry,
    server: Option<Envelope>,
    fields: Vec<String>,
    errors: Vec<FieldError>,
    stamps: &mut impl Stamps,
) -> Conflict {
    Conflict {
        conflict_id: stamps.new_id(),
        key: key(&entry.collection, &entry.id),
        collection: entry.collection.clone(),
        id: entry.id.clone(),
        local: entry.data.clone(),
        server,
        fields,
        error: errors.first().cloned(),
        errors,
        at: stamps.now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Counter(u64);

    impl Stamps for Counter {
        fn new_id(&mut self) -> String {
            self.0 += 1;
            format!("id-{}", self.0)
        }
        fn now(&mut self) -> f64 {
            self.0 as f64
        }
    }

    fn server(version: u64, data: Value) -> Envelope {
        Envelope {
            collection: "topics".into(),
            id: "t".into(),
            version,
            seq: version,
            updated_at: String::new(),
            updated_by: String::new(),
            deleted: false,
            data,
        }
    }

    fn result(mutation_id: &str, status: MutationStatus, record: Envelope) -> MutationResult {
        MutationResult {
            mutation_id: mutation_id.into(),
            status,
            record: Some(record),
            error: None,
            errors: Vec::new(),
        }
    }

    /// Found by `tests/sync_simulation.rs`: the answer to a push got lost, another client wrote
    /// the record, a pull brought that (beside the waiting edit) and moved the cursor past it;
    /// the retried push then got the stored answer with the record as it was back then.
    #[test]
    fn a_refusal_keeps_every_reason() {
        let mut stamps = Counter(0);
        let (sent, _) = edit(
            None,
            None,
            "requests",
            "r",
            json!({"title": ""}),
            false,
            &mut stamps,
        );
        let problems = vec![
            FieldError::new(
                "unknown_topic",
                "Dieses Thema gibt es nicht.",
                Some("topic"),
            ),
            FieldError::new(
                "required",
                "Bitte füllen Sie dieses Feld aus.",
                Some("title"),
            ),
        ];
        let answer = MutationResult::rejected(&sent.mutation_id, problems.clone());
        let conflict = push_result(&sent, Some(&sent), &answer, &mut stamps)
            .conflict
            .expect("kept");
        assert_eq!(conflict.errors, problems);
        assert_eq!(conflict.error.as_ref(), problems.first());
        assert_eq!(
            conflict.refusal().as_deref(),
            Some("Dieses Thema gibt es nicht. Bitte füllen Sie dieses Feld aus.")
        );
        // A server before lists sends one error; a conflict stored before lists has one.
        let mut old = answer.clone();
        old.errors.clear();
        let conflict = push_result(&sent, Some(&sent), &old, &mut stamps)
            .conflict
            .expect("kept");
        assert_eq!(conflict.errors, problems[..1]);
        let stored = Conflict {
            errors: Vec::new(),
            ..conflict
        };
        assert_eq!(
            stored.refusal().as_deref(),
            Some("Dieses Thema gibt es nicht.")
        );
    }

    #[test]
    fn only_topics_and_lotsen_change_the_search() {
        let put = |collection: &str| {
            let mut env = server(1, json!({}));
            env.collection = collection.into();
            Change::Put(LocalRecord {
                env,
                pending: false,
            })
        };
        let remove = |collection: &str| Change::Remove {
            collection: collection.into(),
            id: "x".into(),
        };
        for c in Collection::ALL {
            let expected = matches!(c, Collection::Topics | Collection::Lotsen);
            assert_eq!(put(c.as_str()).changes_search(), expected, "{c}");
            assert_eq!(remove(c.as_str()).changes_search(), expected, "{c}");
        }
    }

    #[test]
    fn a_replayed_answer_does_not_undo_a_newer_pulled_state() {
        let stamps = &mut Counter(0);
        let before = LocalRecord {
            env: server(1, json!({"a": "0", "b": "0"})),
            pending: false,
        };
        let (sent, _) = edit(
            None,
            Some(before),
            "topics",
            "t",
            json!({"a": "mine", "b": "0"}),
            false,
            stamps,
        );
        let theirs = server(3, json!({"a": "mine", "b": "theirs"}));
        let Pulled::Seen(queued) = pull(&theirs, Some(sent.clone())) else {
            panic!("a record with a waiting edit keeps it");
        };
        let mine = server(2, json!({"a": "mine", "b": "0"}));

        let applied = result(&sent.mutation_id, MutationStatus::Applied, mine.clone());
        let pushed = push_result(&sent, Some(&queued), &applied, stamps);
        assert_eq!(pushed.queue, Queue::Remove);
        assert_eq!(pushed.record, Some(shown(theirs.clone())));

        // The same for a replayed conflict whose merge adds nothing to the newer state.
        let conflict = result(&sent.mutation_id, MutationStatus::Conflict, mine);
        let pushed = push_result(&sent, Some(&queued), &conflict, stamps);
        assert_eq!(pushed.queue, Queue::Remove);
        assert_eq!(pushed.record, Some(shown(theirs.clone())));
        assert_eq!(pushed.conflict, None);
    }

    /// An attempt reached the server but its answer was lost; the user edited the record again
    /// before the retry. The server's state is the user's own earlier attempt, so the newer
    /// edit builds on it without a conflict.
    #[test]
    fn an_own_earlier_attempt_is_not_a_conflict() {
        let stamps = &mut Counter(0);
        let before = LocalRecord {
            env: server(1, json!({"a": "0", "b": "0"})),
            pending: false,
        };
        let (first, view) = edit(
            None,
            Some(before),
            "topics",
            "t",
            json!({"a": "1", "b": "0"}),
            false,
            stamps,
        );
        let (second, _) = edit(
            Some(first.clone()),
            Some(view),
            "topics",
            "t",
            json!({"a": "2", "b": "0"}),
            false,
            stamps,
        );
        assert_eq!(second.earlier, vec![first.data.clone()]);
        let landed = server(2, first.data.clone());
        let answer = result(
            &second.mutation_id,
            MutationStatus::Conflict,
            landed.clone(),
        );
        let pushed = push_result(&second, Some(&second), &answer, stamps);
        assert_eq!(pushed.conflict, None);
        let Queue::Put(again) = pushed.queue else {
            panic!("the newer edit goes out again");
        };
        assert_eq!(again.data, json!({"a": "2", "b": "0"}));
        assert_eq!(again.base, Some(landed));
        assert!(again.earlier.is_empty());
    }
}
