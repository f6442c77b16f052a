//! The client's sync decisions (`lotsen_domain::replica`, the very functions the app's
//! IndexedDB layer calls) against a model of the server of SPEC §7. Several replicas edit the
//! same records concurrently; pushes reach the server while their answers get lost, arrive after
//! further edits, or are retried with the same mutation ids. Once everything is delivered, every
//! replica must show exactly the server's records, and every value anyone typed must either have
//! been accepted by the server or be kept in that replica's conflicts.

use std::collections::{BTreeMap, HashMap};

use lotsen_domain::protocol::{Envelope, FieldError, Mutation, MutationResult, MutationStatus};
use lotsen_domain::replica::{
    self, key, Change, Conflict, LocalRecord, OutboxEntry, Pulled, Queue, Stamps,
};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

const COLLECTION: &str = "topics";
const FIELDS: [&str; 4] = ["a", "b", "c", "d"];
/// Records every replica can reach from the start (after a pull).
const SEEDED: usize = 3;
/// The server refuses any write carrying a value that starts with this (a stand-in for
/// validation and permission).
const INVALID: &str = "!";
/// Rounds of push-and-answer the final delivery may take per replica, with nobody else writing
/// meanwhile: a replayed (old) answer, a conflict merged against the current record, the merge.
const DELIVERY_ROUNDS: usize = 3;

/// The server of SPEC §7, reduced to what sync depends on.
#[derive(Default)]
struct Server {
    records: BTreeMap<String, Envelope>,
    seq: u64,
    /// Each mutation_id's result, returned again for a retry.
    results: HashMap<String, MutationResult>,
    /// Every accepted write: record id and the data the client sent.
    accepted: Vec<(String, Value)>,
}

impl Server {
    fn seeded() -> Server {
        let mut server = Server::default();
        for i in 0..SEEDED {
            let data = object(FIELDS.iter().map(|f| (*f, json!(format!("seed{i}.{f}")))));
            server.write(&format!("seed{i}"), false, data, "seed");
        }
        server
    }

    fn write(&mut self, id: &str, deleted: bool, data: Value, by: &str) -> Envelope {
        self.seq += 1;
        let env = Envelope {
            collection: COLLECTION.to_owned(),
            id: id.to_owned(),
            version: self.records.get(id).map_or(0, |r| r.version) + 1,
            seq: self.seq,
            updated_at: format!("t{}", self.seq),
            updated_by: by.to_owned(),
            deleted,
            data: if deleted { json!({}) } else { data.clone() },
        };
        self.accepted.push((id.to_owned(), data));
        self.records.insert(id.to_owned(), env.clone());
        env
    }

    fn push(&mut self, mutations: &[Mutation], by: &str) -> Vec<MutationResult> {
        mutations
            .iter()
            .map(|m| {
                if let Some(done) = self.results.get(&m.mutation_id) {
                    return done.clone();
                }
                let result = self.decide(m, by);
                self.results.insert(m.mutation_id.clone(), result.clone());
                result
            })
            .collect()
    }

    fn decide(&mut self, m: &Mutation, by: &str) -> MutationResult {
        let answer = |status, record| MutationResult {
            mutation_id: m.mutation_id.clone(),
            status,
            record,
            error: None,
            errors: Vec::new(),
        };
        // Like the real server: validation before the compare-and-swap.
        if !m.deleted && values(&m.data).any(|v| v.starts_with(INVALID)) {
            let error = FieldError::new("invalid", "Ungültiger Wert.", None);
            return MutationResult::rejected(&m.mutation_id, vec![error]);
        }
        let stored = self.records.get(&m.id);
        if m.base_version != stored.map_or(0, |r| r.version) {
            return answer(MutationStatus::Conflict, stored.cloned());
        }
        let record = self.write(&m.id, m.deleted, m.data.clone(), by);
        answer(MutationStatus::Applied, Some(record))
    }

    /// One pull from `since`, in seq order, tombstones included.
    fn changes(&self, since: u64) -> Vec<Envelope> {
        let mut changes: Vec<Envelope> = self
            .records
            .values()
            .filter(|r| r.seq > since)
            .cloned()
            .collect();
        changes.sort_by_key(|r| r.seq);
        changes
    }

    fn visible(&self) -> BTreeMap<String, LocalRecord> {
        self.records
            .values()
            .filter(|r| !r.deleted)
            .map(|r| {
                let view = LocalRecord {
                    env: r.clone(),
                    pending: false,
                };
                (view.key(), view)
            })
            .collect()
    }
}

struct Counter {
    prefix: String,
    n: u64,
}

impl Stamps for Counter {
    fn new_id(&mut self) -> String {
        self.n += 1;
        format!("{}-{}", self.prefix, self.n)
    }
    fn now(&mut self) -> f64 {
        self.n += 1;
        self.n as f64
    }
}

/// A value the user typed: it must reach the server or be kept, unless the user overwrote it.
struct Typed {
    id: String,
    field: &'static str,
    value: Value,
    overwritten: bool,
}

/// The app's four IndexedDB stores and cursor, kept in memory.
struct Replica {
    name: String,
    records: BTreeMap<String, LocalRecord>,
    outbox: BTreeMap<String, OutboxEntry>,
    conflicts: Vec<Conflict>,
    cursor: u64,
    /// A push the server has handled whose answer has not arrived yet.
    in_flight: Option<(Vec<OutboxEntry>, Vec<MutationResult>)>,
    typed: Vec<Typed>,
    stamps: Counter,
    values: u64,
}

impl Replica {
    fn new(i: usize) -> Replica {
        let name = format!("r{i}");
        Replica {
            stamps: Counter {
                prefix: name.clone(),
                n: 0,
            },
            name,
            records: BTreeMap::new(),
            outbox: BTreeMap::new(),
            conflicts: Vec::new(),
            cursor: 0,
            in_flight: None,
            typed: Vec::new(),
            values: 0,
        }
    }

    fn fresh_value(&mut self, invalid: bool) -> Value {
        self.values += 1;
        let prefix = if invalid { INVALID } else { "" };
        json!(format!("{prefix}{}.v{}", self.name, self.values))
    }

    /// The records the user can open: not deleted, not waiting to be deleted.
    fn editable(&self, pick: usize) -> Option<LocalRecord> {
        let open: Vec<&LocalRecord> = self.records.values().filter(|v| !v.env.deleted).collect();
        (!open.is_empty()).then(|| open[pick % open.len()].clone())
    }

    fn type_values(&mut self, id: &str, data: &mut Value, fields: &[(usize, bool)]) {
        for &(f, invalid) in fields {
            let field = FIELDS[f % FIELDS.len()];
            let before = data.get(field).cloned();
            // What the user saw and typed over is theirs to drop; anything else must survive.
            for t in &mut self.typed {
                if t.id == id && t.field == field && before.as_ref() == Some(&t.value) {
                    t.overwritten = true;
                }
            }
            let value = self.fresh_value(invalid);
            self.typed.push(Typed {
                id: id.to_owned(),
                field,
                value: value.clone(),
                overwritten: false,
            });
            if let Some(map) = data.as_object_mut() {
                map.insert(field.to_owned(), value);
            }
        }
    }

    fn local_edit(&mut self, id: &str, shown: Option<LocalRecord>, data: Value, deleted: bool) {
        let k = key(COLLECTION, id);
        let queued = self.outbox.get(&k).cloned();
        let (entry, view) = replica::edit(
            queued,
            shown,
            COLLECTION,
            id,
            data,
            deleted,
            &mut self.stamps,
        );
        self.outbox.insert(k.clone(), entry);
        self.records.insert(k, view);
    }

    fn edit(&mut self, pick: usize, fields: &[(usize, bool)]) {
        let Some(view) = self.editable(pick) else {
            return;
        };
        let id = view.env.id.clone();
        let mut data = view.env.data.clone();
        self.type_values(&id, &mut data, fields);
        self.local_edit(&id, Some(view), data, false);
    }

    fn create(&mut self, invalid: &[bool]) {
        let id = format!("{}-new{}", self.name, self.values);
        let mut data = json!({});
        let fields: Vec<(usize, bool)> = invalid.iter().copied().enumerate().collect();
        self.type_values(&id, &mut data, &fields);
        self.local_edit(&id, None, data, false);
    }

    fn delete(&mut self, pick: usize) {
        let Some(view) = self.editable(pick) else {
            return;
        };
        let (id, data) = (view.env.id.clone(), view.env.data.clone());
        self.local_edit(&id, Some(view), data, true);
    }

    /// Sends the outbox; the answer waits in `in_flight`. An answer still waiting is lost: the
    /// sync run that sent it failed, and this one retries the same mutation ids.
    fn send(&mut self, server: &mut Server, twice: bool) {
        let mut batch: Vec<OutboxEntry> = self.outbox.values().cloned().collect();
        batch.sort_by(|a, b| a.queued_at.total_cmp(&b.queued_at));
        if batch.is_empty() {
            self.in_flight = None;
            return;
        }
        let mutations: Vec<Mutation> = batch.iter().map(OutboxEntry::mutation).collect();
        let mut results = server.push(&mutations, &self.name);
        if twice {
            // The request reached the server twice (a retry by the network); one answer comes.
            results = server.push(&mutations, &self.name);
        }
        self.in_flight = Some((batch, results));
    }

    fn deliver(&mut self) {
        let Some((sent, results)) = self.in_flight.take() else {
            return;
        };
        for (entry, result) in sent.iter().zip(&results) {
            let k = key(&entry.collection, &entry.id);
            let queued = self.outbox.get(&k).cloned();
            let pushed = replica::push_result(entry, queued.as_ref(), result, &mut self.stamps);
            self.conflicts.extend(pushed.conflict);
            match pushed.queue {
                Queue::Keep => {}
                Queue::Put(again) => {
                    self.outbox.insert(k.clone(), *again);
                }
                Queue::Remove => {
                    self.outbox.remove(&k);
                }
            }
            if let Some(change) = pushed.record {
                self.show(k, change);
            }
        }
    }

    fn pull(&mut self, server: &Server) {
        // A sync run pushes before it pulls: an answer still waiting here was lost.
        self.in_flight = None;
        for env in server.changes(self.cursor) {
            let k = key(&env.collection, &env.id);
            match replica::pull(&env, self.outbox.get(&k).cloned()) {
                Pulled::Seen(entry) => {
                    self.outbox.insert(k, *entry);
                }
                Pulled::Shown(change) => self.show(k, change),
            }
        }
        self.cursor = server.seq;
    }

    fn show(&mut self, k: String, change: Change) {
        match change {
            Change::Put(view) => {
                self.records.insert(k, view);
            }
            Change::Remove { .. } => {
                self.records.remove(&k);
            }
        }
    }

    fn kept(&self, id: &str, field: &str, value: &Value) -> bool {
        self.conflicts
            .iter()
            .any(|c| c.id == id && c.local.get(field) == Some(value))
    }
}

fn object<'a>(fields: impl Iterator<Item = (&'a str, Value)>) -> Value {
    Value::Object(
        fields
            .map(|(f, v)| (f.to_owned(), v))
            .collect::<Map<_, _>>(),
    )
}

fn values(data: &Value) -> impl Iterator<Item = &str> {
    data.as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .filter_map(Value::as_str)
}

#[derive(Clone, Debug)]
enum Op {
    /// Type new values (some of them invalid) into fields of a record the replica shows.
    Edit {
        replica: usize,
        pick: usize,
        fields: Vec<(usize, bool)>,
    },
    Create {
        replica: usize,
        invalid: Vec<bool>,
    },
    Delete {
        replica: usize,
        pick: usize,
    },
    Send {
        replica: usize,
        twice: bool,
    },
    Deliver {
        replica: usize,
    },
    Pull {
        replica: usize,
    },
}

fn invalid() -> impl Strategy<Value = bool> {
    prop::bool::weighted(0.1)
}

fn op(replicas: usize) -> impl Strategy<Value = Op> {
    let r = 0..replicas;
    prop_oneof![
        5 => (r.clone(), any::<usize>(), prop::collection::vec((0..FIELDS.len(), invalid()), 1..=2))
            .prop_map(|(replica, pick, fields)| Op::Edit { replica, pick, fields }),
        1 => (r.clone(), prop::collection::vec(invalid(), FIELDS.len()))
            .prop_map(|(replica, invalid)| Op::Create { replica, invalid }),
        1 => (r.clone(), any::<usize>()).prop_map(|(replica, pick)| Op::Delete { replica, pick }),
        3 => (r.clone(), prop::bool::weighted(0.2))
            .prop_map(|(replica, twice)| Op::Send { replica, twice }),
        3 => r.clone().prop_map(|replica| Op::Deliver { replica }),
        2 => r.prop_map(|replica| Op::Pull { replica }),
    ]
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Op>)> {
    (2..=4usize).prop_flat_map(|n| (Just(n), prop::collection::vec(op(n), 1..80)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn replicas_converge_and_keep_every_typed_value((n, ops) in scenario()) {
        let mut server = Server::seeded();
        let mut replicas: Vec<Replica> = (0..n).map(Replica::new).collect();
        for op in &ops {
            match op {
                Op::Edit { replica, pick, fields } => replicas[*replica].edit(*pick, fields),
                Op::Create { replica, invalid } => replicas[*replica].create(invalid),
                Op::Delete { replica, pick } => replicas[*replica].delete(*pick),
                Op::Send { replica, twice } => replicas[*replica].send(&mut server, *twice),
                Op::Deliver { replica } => replicas[*replica].deliver(),
                Op::Pull { replica } => replicas[*replica].pull(&server),
            }
        }

        // Deliver everything: answers still on their way are lost, then each replica pushes
        // until its outbox is empty, and finally everyone pulls.
        for r in &mut replicas {
            r.in_flight = None;
            for _ in 0..DELIVERY_ROUNDS {
                if r.outbox.is_empty() {
                    break;
                }
                r.send(&mut server, false);
                r.deliver();
            }
            prop_assert!(r.outbox.is_empty(), "{}: outbox not empty: {:?}", r.name, r.outbox);
        }
        for r in &mut replicas {
            r.pull(&server);
        }

        let expected = server.visible();
        for r in &replicas {
            prop_assert_eq!(&r.records, &expected, "{} differs from the server", &r.name);
            for t in r.typed.iter().filter(|t| !t.overwritten) {
                let accepted = server
                    .accepted
                    .iter()
                    .any(|(id, data)| *id == t.id && data.get(t.field) == Some(&t.value));
                prop_assert!(
                    accepted || r.kept(&t.id, t.field, &t.value),
                    "{}: {}.{} = {} vanished", r.name, t.id, t.field, t.value
                );
            }
        }
    }
}
