//! The IndexedDB layer in a real browser (headless Chromium via wasm-bindgen-test-runner).

#![cfg(target_arch = "wasm32")]

use futures::future::{select, Either};
use lotsen_domain::protocol::{
    ChangesResponse, Envelope, FieldError, MutationResult, MutationStatus, SessionUser,
};
use lotsen_domain::Collection;
use lotsenfinder::clock::sleep;
use lotsenfinder::store::{new_uuid, Store};
use serde_json::{json, Value};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn fresh() -> Store {
    Store::open(&format!("test-{}", new_uuid()))
        .await
        .expect("open")
}

fn request(title: &str) -> Value {
    json!({"kind":"frage","topic":null,"title":title,"description":"","requester":{"name":"","department":"","contact":""},"status":"neu","assignee":null})
}

fn server(id: &str, version: u64, seq: u64, data: Value) -> Envelope {
    Envelope {
        collection: "requests".into(),
        id: id.into(),
        version,
        seq,
        updated_at: "2026-11-29T10:00:00Z".into(),
        updated_by: "anonym".into(),
        deleted: false,
        data,
    }
}

fn page(changes: Vec<Envelope>, cursor: &str) -> ChangesResponse {
    ChangesResponse {
        epoch: "e".into(),
        changes,
        cursor: cursor.into(),
        has_more: false,
    }
}

#[wasm_bindgen_test]
async fn local_edit_writes_record_and_outbox_together() {
    let store = fresh().await;
    let id = new_uuid();
    let view = store
        .local_edit(Collection::Requests, &id, request("Erste Frage"), false)
        .await
        .unwrap();
    assert!(view.pending);
    let records = store.load().await.unwrap();
    let outbox = store.outbox().await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].env.data["title"], "Erste Frage");
    assert_eq!(outbox.len(), 1);
    assert_eq!(store.pending_count().await.unwrap(), 1);
    assert_eq!(outbox[0].mutation().base_version, 0);
    assert_eq!(outbox[0].id, id);

    // A second edit before the push replaces the entry, keeps its base, and is a new attempt.
    let first_attempt = outbox[0].mutation_id.clone();
    store
        .local_edit(Collection::Requests, &id, request("Geänderte Frage"), false)
        .await
        .unwrap();
    let outbox = store.outbox().await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_ne!(outbox[0].mutation_id, first_attempt);
    assert_eq!(outbox[0].data["title"], "Geänderte Frage");
    assert_eq!(
        store.load().await.unwrap()[0].env.data["title"],
        "Geänderte Frage"
    );
}

#[wasm_bindgen_test]
async fn an_interrupted_edit_leaves_both_or_neither() {
    // Closing the tab drops the edit at any point; record and outbox entry must agree afterwards.
    for delay in [0, 0, 1, 1, 2, 3, 5, 8] {
        let store = fresh().await;
        let id = new_uuid();
        let edit = Box::pin(store.local_edit(Collection::Requests, &id, request("x"), false));
        let timer = Box::pin(sleep(delay));
        let finished = matches!(select(edit, timer).await, Either::Left(_));
        sleep(20).await;
        let has_record = !store.load().await.unwrap().is_empty();
        let has_entry = !store.outbox().await.unwrap().is_empty();
        assert_eq!(
            has_record, has_entry,
            "delay {delay}: record {has_record}, outbox {has_entry}"
        );
        if finished {
            assert!(has_record, "a finished edit is stored");
        }
    }
}

#[wasm_bindgen_test]
async fn device_key_is_made_once() {
    let store = fresh().await;
    let a = store.device_key().await.unwrap();
    let b = store.device_key().await.unwrap();
    assert_eq!(a, b);
    assert!(a.len() >= 32);
}

#[wasm_bindgen_test]
async fn pull_keeps_pending_edits_and_saves_the_cursor() {
    let store = fresh().await;
    let mine = new_uuid();
    store
        .local_edit(Collection::Requests, &mine, request("lokal"), false)
        .await
        .unwrap();
    let other = new_uuid();
    let changes = store
        .apply_pull(
            &page(
                vec![
                    server(&mine, 3, 10, request("Server")),
                    server(&other, 1, 11, request("neu vom Server")),
                ],
                "v1.e.11",
            ),
            false,
        )
        .await
        .unwrap();
    assert_eq!(changes.len(), 1, "the pending record is not overwritten");
    let records = store.load().await.unwrap();
    let title = |id: &str| {
        records
            .iter()
            .find(|r| r.env.id == id)
            .map(|r| r.env.data["title"].clone())
    };
    assert_eq!(title(&mine), Some(json!("lokal")));
    assert_eq!(title(&other), Some(json!("neu vom Server")));
    assert_eq!(
        store.meta("cursor").await.unwrap().as_deref(),
        Some("v1.e.11")
    );

    // A tombstone removes the record.
    let mut gone = server(&other, 2, 12, json!({}));
    gone.deleted = true;
    store
        .apply_pull(&page(vec![gone], "v1.e.12"), false)
        .await
        .unwrap();
    assert!(store
        .load()
        .await
        .unwrap()
        .iter()
        .all(|r| r.env.id != other));

    // After a server reset everything without a pending edit goes before the full pull.
    let third = new_uuid();
    store
        .apply_pull(
            &page(vec![server(&third, 1, 13, request("drei"))], "v1.e.13"),
            false,
        )
        .await
        .unwrap();
    store
        .apply_pull(&page(vec![], "v1.f.0"), true)
        .await
        .unwrap();
    let ids: Vec<String> = store
        .load()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.env.id)
        .collect();
    assert_eq!(ids, vec![mine]);
}

fn result(
    mutation_id: &str,
    status: MutationStatus,
    record: Option<Envelope>,
    error: Option<FieldError>,
) -> MutationResult {
    MutationResult {
        mutation_id: mutation_id.into(),
        status,
        record,
        errors: error.iter().cloned().collect(),
        error,
    }
}

#[wasm_bindgen_test]
async fn applied_push_clears_the_outbox() {
    let store = fresh().await;
    let id = new_uuid();
    store
        .local_edit(Collection::Requests, &id, request("a"), false)
        .await
        .unwrap();
    let sent = store.outbox().await.unwrap();
    let applied = server(&id, 1, 5, request("a"));
    store
        .apply_push(
            &sent,
            &[result(
                &sent[0].mutation_id,
                MutationStatus::Applied,
                Some(applied.clone()),
                None,
            )],
        )
        .await
        .unwrap();
    assert!(store.outbox().await.unwrap().is_empty());
    assert_eq!(store.pending_count().await.unwrap(), 0);
    let records = store.load().await.unwrap();
    assert_eq!(records[0].env, applied);
    assert!(!records[0].pending);
}

#[wasm_bindgen_test]
async fn an_edit_during_the_push_survives_and_is_rebased() {
    let store = fresh().await;
    let id = new_uuid();
    store
        .local_edit(Collection::Requests, &id, request("a"), false)
        .await
        .unwrap();
    let sent = store.outbox().await.unwrap();
    store
        .local_edit(Collection::Requests, &id, request("b"), false)
        .await
        .unwrap();
    let applied = server(&id, 1, 5, request("a"));
    store
        .apply_push(
            &sent,
            &[result(
                &sent[0].mutation_id,
                MutationStatus::Applied,
                Some(applied),
                None,
            )],
        )
        .await
        .unwrap();
    let outbox = store.outbox().await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].data["title"], "b");
    assert_eq!(outbox[0].mutation().base_version, 1);
    assert_eq!(store.load().await.unwrap()[0].env.data["title"], "b");
}

#[wasm_bindgen_test]
async fn conflicts_merge_and_keep_the_local_value() {
    let store = fresh().await;
    let id = new_uuid();
    let base = server(&id, 1, 1, request("Titel"));
    store
        .apply_pull(&page(vec![base], "v1.e.1"), false)
        .await
        .unwrap();
    let mut mine = request("Mein Titel");
    mine["description"] = json!("meine Beschreibung");
    store
        .local_edit(Collection::Requests, &id, mine, false)
        .await
        .unwrap();
    let sent = store.outbox().await.unwrap();
    let mut theirs = request("Ihr Titel");
    theirs["status"] = json!("in_bearbeitung");
    let current = server(&id, 2, 2, theirs);
    store
        .apply_push(
            &sent,
            &[result(
                &sent[0].mutation_id,
                MutationStatus::Conflict,
                Some(current),
                None,
            )],
        )
        .await
        .unwrap();
    let outbox = store.outbox().await.unwrap();
    assert_eq!(outbox.len(), 1, "the merged edit is queued again");
    assert_eq!(outbox[0].mutation().base_version, 2);
    assert_eq!(
        outbox[0].data["title"], "Ihr Titel",
        "same field: the server wins"
    );
    assert_eq!(
        outbox[0].data["description"], "meine Beschreibung",
        "different fields merge"
    );
    assert_eq!(outbox[0].data["status"], "in_bearbeitung");
    let conflicts = store.conflicts().await.unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].fields, vec!["title".to_string()]);
    assert_eq!(conflicts[0].local["title"], "Mein Titel");
}

#[wasm_bindgen_test]
async fn a_refused_edit_is_kept_not_lost() {
    let store = fresh().await;
    let id = new_uuid();
    store
        .local_edit(Collection::Requests, &id, request(""), false)
        .await
        .unwrap();
    let sent = store.outbox().await.unwrap();
    let error = FieldError::new(
        "required",
        "Bitte füllen Sie dieses Feld aus.",
        Some("title"),
    );
    store
        .apply_push(
            &sent,
            &[result(
                &sent[0].mutation_id,
                MutationStatus::Rejected,
                None,
                Some(error.clone()),
            )],
        )
        .await
        .unwrap();
    assert!(store.outbox().await.unwrap().is_empty());
    assert!(
        store.load().await.unwrap().is_empty(),
        "a refused new record is not shown as stored"
    );
    let conflicts = store.conflicts().await.unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].error, Some(error));
    store
        .dismiss_conflict(&conflicts[0].conflict_id)
        .await
        .unwrap();
    assert!(store.conflicts().await.unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn a_refused_edit_falls_back_to_the_newest_server_state() {
    let store = fresh().await;
    let id = new_uuid();
    store
        .apply_pull(
            &page(vec![server(&id, 1, 1, request("Frage"))], "v1.e.1"),
            false,
        )
        .await
        .unwrap();
    // The requester withdraws while offline; meanwhile a Lotse takes the request over.
    store
        .local_edit(Collection::Requests, &id, request("Frage"), true)
        .await
        .unwrap();
    let sent = store.outbox().await.unwrap();
    let mut taken = request("Frage");
    taken["status"] = json!("in_bearbeitung");
    store
        .apply_pull(&page(vec![server(&id, 2, 2, taken)], "v1.e.2"), false)
        .await
        .unwrap();
    assert!(
        store.load().await.unwrap()[0].pending,
        "the waiting edit still shows"
    );
    let error = FieldError::new("forbidden", "Dieses Anliegen wird schon bearbeitet.", None);
    store
        .apply_push(
            &sent,
            &[result(
                &sent[0].mutation_id,
                MutationStatus::Rejected,
                None,
                Some(error),
            )],
        )
        .await
        .unwrap();
    let records = store.load().await.unwrap();
    assert!(!records[0].pending);
    assert_eq!(records[0].env.version, 2, "not the stale base");
    assert_eq!(records[0].env.data["status"], "in_bearbeitung");
    assert_eq!(
        store.conflicts().await.unwrap().len(),
        1,
        "the refused withdrawal is kept"
    );
}

fn envelope(collection: &str, id: &str, seq: u64, data: Value) -> Envelope {
    Envelope {
        collection: collection.into(),
        ..server(id, 1, seq, data)
    }
}

#[wasm_bindgen_test]
async fn requests_created_here_are_remembered_as_own() {
    let store = fresh().await;
    let id = new_uuid();
    store
        .local_edit(Collection::Requests, &id, request("meins"), false)
        .await
        .unwrap();
    // A second edit of the same request is no new request.
    store
        .local_edit(Collection::Requests, &id, request("meins, geändert"), false)
        .await
        .unwrap();
    assert_eq!(store.own_requests().await.unwrap(), vec![id]);
}

#[wasm_bindgen_test]
async fn logout_leaves_only_the_public_directory_and_own_requests() {
    let store = fresh().await;
    let user = SessionUser {
        username: "lotse".into(),
        role: "lotse".into(),
        lotse: Some("l-1".into()),
    };
    let mine = new_uuid();
    store
        .local_edit(Collection::Requests, &mine, request("meins"), false)
        .await
        .unwrap();
    store.switch_user(Some(&user), false).await.unwrap();
    assert_eq!(store.user().await.unwrap(), Some(user.clone()));

    let (other, topic, answer, internal) = (new_uuid(), new_uuid(), new_uuid(), new_uuid());
    store
        .apply_pull(
            &page(
                vec![
                    envelope("topics", &topic, 1, json!({"name": "DMS"})),
                    envelope("requests", &other, 2, request("fremd")),
                    envelope(
                        "notes",
                        &answer,
                        3,
                        json!({"request": mine, "text": "Antwort", "internal": false}),
                    ),
                    envelope(
                        "notes",
                        &internal,
                        4,
                        json!({"request": mine, "text": "intern", "internal": true}),
                    ),
                ],
                "v1.e.4.u0f",
            ),
            true,
        )
        .await
        .unwrap();
    // A status change of someone else's request, not yet sent.
    store
        .local_edit(
            Collection::Requests,
            &other,
            request("fremd, geändert"),
            false,
        )
        .await
        .unwrap();
    assert_eq!(store.private_outbox().await.unwrap(), 1);

    store.switch_user(None, true).await.unwrap();
    let mut kept: Vec<String> = store
        .load()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.env.id)
        .collect();
    kept.sort();
    let mut want = vec![mine.clone(), topic, answer];
    want.sort();
    assert_eq!(kept, want);
    let outbox: Vec<String> = store
        .outbox()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(outbox, vec![mine], "the own request still waits to be sent");
    assert_eq!(store.user().await.unwrap(), None);
    assert_eq!(store.meta("cursor").await.unwrap(), None);
    assert!(store.conflicts().await.unwrap().is_empty());
}
