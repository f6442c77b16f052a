//! Personal data really goes: the mutation log answers retries of the sender only, holds no
//! record data, and expires; nothing of an anonymised request is left in any table or backup.

mod common;

use common::*;
use lotsen_server::ops;
use serde_json::{json, Value};

const NAME: &str = "Friederike Unverwechselbar";
const CONTACT: &str = "f.unverwechselbar@privat.example";

fn personal_request() -> Value {
    json!({"kind": "frage", "topic": null, "title": "Wie geht die E-Akte?", "description": "",
           "requester": {"name": NAME, "department": "Bürgerbüro", "contact": CONTACT},
           "status": "neu", "assignee": null})
}

/// Every text of every row of every table of the database in `dir`.

#[tokio::test]
async fn a_replay_by_another_device_is_a_new_mutation() {
    let (_d, s) = start().await;
    let id = uuid();
    let m = mutation("requests", &id, 0, personal_request());
    let first = s.push(vec![m.clone()], Some(KEY_A)).await;
    assert_eq!(first[0]["status"], "applied");

    // The same mutation_id and body from another device: judged afresh, so B may not
    // overwrite A's request, and learns nothing of it.
    let seq = s.last_seq();
    let replay = s.push(vec![m.clone()], Some(KEY_B)).await;
    assert_eq!(replay[0]["status"], "rejected", "{replay:?}");
    assert!(replay[0]["record"].is_null());
    assert!(!replay[0].to_string().contains(NAME));
    assert_eq!(s.last_seq(), seq);
    // Without any device key: the same.
    let replay = s.push(vec![m.clone()], None).await;
    assert_ne!(replay[0]["status"], "applied");
    assert!(!replay[0].to_string().contains(NAME));

    // A's own retry still gets its result, with the record as it is now.
    assert_eq!(s.push(vec![m], Some(KEY_A)).await, first);
}

#[tokio::test]
async fn a_replayed_internal_note_is_not_handed_out() {
    let (_d, s) = start().await;
    let request = uuid();
    s.push(
        vec![mutation("requests", &request, 0, personal_request())],
        Some(KEY_A),
    )
    .await;
    let note = mutation(
        "notes",
        &uuid(),
        0,
        json!({"request": request, "text": "Intern: Rückruf erst nächste Woche", "author": "Büro", "internal": true}),
    );
    let written = s.admin_push(vec![note.clone()]);
    assert_eq!(
        written[0].status,
        lotsen_domain::protocol::MutationStatus::Applied
    );
    // The requester's own device resends the Büro's mutation_id.
    let replay = s.push(vec![note], Some(KEY_A)).await;
    assert_eq!(replay[0]["status"], "rejected", "{replay:?}");
    assert!(!replay[0].to_string().contains("Rückruf"));
}

#[tokio::test]
async fn an_anonymised_request_leaves_nothing_in_any_table_or_backup() {
    let (d, s) = start().await;
    let id = uuid();
    let create = mutation("requests", &id, 0, personal_request());
    s.push(vec![create.clone()], Some(KEY_A)).await;
    let mut done = personal_request();
    done["status"] = json!("erledigt");
    s.admin_push(vec![mutation("requests", &id, 1, done)]);
    assert!(
        every_stored_text(&d.data()).contains(NAME),
        "the test looks in the right place"
    );

    let n = ops::anonymise_before(
        &s.store,
        "9999-12-31T00:00:00Z",
        &lotsen_server::sync::now_utc(),
    )
    .unwrap();
    assert_eq!(n.requests, 1);
    let stored = every_stored_text(&d.data());
    assert!(
        !stored.contains(NAME) && !stored.contains(CONTACT),
        "{stored}"
    );
    // The file and the backup are SQLite's: on PostgreSQL, dead row versions are the cluster's
    // VACUUM and backups the provider's pg_dump (README).
    if !pg::enabled() {
        // Not in the file's free space either, once the write-ahead log is folded in.
        let db = d.data().join("lotsen.sqlite3");
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        let raw = std::fs::read(&db).unwrap();
        assert!(!String::from_utf8_lossy(&raw).contains(NAME));
        let backup = d.root.path().join("backup.sqlite3");
        s.store.backup(&backup).unwrap();
        let bytes = std::fs::read(&backup).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(NAME) && !text.contains(CONTACT));
    }

    // The requester's retry of the create answers with the record as it is now: anonymised.
    let replay = s.push(vec![create], Some(KEY_A)).await;
    assert_eq!(replay[0]["status"], "applied");
    assert_eq!(replay[0]["record"]["data"]["requester"]["name"], "");
    assert_eq!(replay[0]["record"]["version"], 3);
}

#[tokio::test]
async fn logged_mutations_expire_and_a_late_retry_is_decided_afresh() {
    let (_d, s) = start().await;
    let id = uuid();
    let m = mutation("requests", &id, 0, personal_request());
    assert_eq!(
        s.push(vec![m.clone()], Some(KEY_A)).await[0]["status"],
        "applied"
    );
    // Nothing is old enough yet.
    assert_eq!(ops::expire_mutations(&s.store, 30).unwrap(), 0);
    assert_eq!(s.store.expire_mutations("9999-12-31T00:00:00Z").unwrap(), 1);
    // The retry is now a create of an existing record: a conflict showing the stored one,
    // never a second record.
    let seq = s.last_seq();
    let late = s.push(vec![m], Some(KEY_A)).await;
    assert_eq!(late[0]["status"], "conflict", "{late:?}");
    assert_eq!(late[0]["record"]["version"], 1);
    assert_eq!(s.last_seq(), seq);
}

#[tokio::test]
async fn purging_a_tombstone_takes_its_log_entries_along() {
    let (d, s) = start().await;
    let id = uuid();
    s.push(
        vec![mutation("requests", &id, 0, personal_request())],
        Some(KEY_A),
    )
    .await;
    s.push(vec![delete("requests", &id, 1)], Some(KEY_A)).await;
    let logged = || {
        count(
            &d.data(),
            "SELECT COUNT(*) FROM mutations WHERE id = ?1",
            &id,
        )
    };
    assert_eq!(logged(), 2);
    s.store.purge_tombstones("9999-12-31T00:00:00Z").unwrap();
    assert_eq!(logged(), 0);
}
