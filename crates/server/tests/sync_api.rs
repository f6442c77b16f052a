//! The sync protocol (SPEC §7) over real HTTP.

mod common;

use common::*;
use serde_json::{json, Value};

fn seqs(changes: &[Value]) -> Vec<u64> {
    changes.iter().map(|c| c["seq"].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn paging_exactly_at_the_limit_and_with_writes_between_pages() {
    let (_d, s) = start().await;
    let ids: Vec<String> = (0..6).map(|_| uuid()).collect();
    let ms = ids
        .iter()
        .enumerate()
        .map(|(i, id)| mutation("topics", id, 0, topic_data(&format!("t{i}"))))
        .collect();
    s.admin_push(ms);

    // 6 changes, pages of 3: the second page is full yet nothing is left.
    let p1 = s.pull("0", 3, None).await;
    assert_eq!(p1["changes"].as_array().unwrap().len(), 3);
    assert_eq!(p1["has_more"], true);
    let c1 = p1["cursor"].as_str().unwrap().to_owned();
    let p2 = s.pull(&c1, 3, None).await;
    assert_eq!(p2["changes"].as_array().unwrap().len(), 3);
    assert_eq!(p2["has_more"], false);
    let c2 = p2["cursor"].as_str().unwrap().to_owned();
    let p3 = s.pull(&c2, 3, None).await;
    assert_eq!(p3["changes"].as_array().unwrap().len(), 0);
    assert_eq!(p3["has_more"], false);

    // All six in one page of exactly six: has_more false.
    let all = s.pull("", 6, None).await;
    assert_eq!(all["changes"].as_array().unwrap().len(), 6);
    assert_eq!(all["has_more"], false);

    // Writes landing between pages: page 1, then an update of a record already pulled and a
    // new record, then the rest. Nothing is skipped and seq only grows.
    let first = s.pull("0", 4, None).await;
    let mut got: Vec<Value> = first["changes"].as_array().unwrap().clone();
    let cursor = first["cursor"].as_str().unwrap().to_owned();
    let mut renamed = topic_data("t0");
    renamed["name"] = json!("Umbenannt");
    let newcomer = uuid();
    let r = s.admin_push(vec![
        mutation("topics", &ids[0], 1, renamed),
        mutation("topics", &newcomer, 0, topic_data("neu")),
    ]);
    assert!(r.iter().all(|r| r.record.is_some()));
    let (rest, _) = s.pull_all(&cursor, None).await;
    got.extend(rest);
    let sq = seqs(&got);
    assert!(sq.windows(2).all(|w| w[0] < w[1]), "{sq:?}");
    assert_eq!(sq, (1..=8).collect::<Vec<u64>>());
    let last_t0 = got
        .iter()
        .rev()
        .find(|c| c["id"] == ids[0].as_str())
        .unwrap();
    assert_eq!(last_t0["data"]["name"], "Umbenannt");
    assert!(got.iter().any(|c| c["id"] == newcomer.as_str()));
}

#[tokio::test]
async fn limit_and_cursor_errors() {
    let (_d, s) = start().await;
    for q in [
        "limit=0",
        "limit=abc",
        "limit=-3",
        "since=garbage",
        "since=v1.zz.1",
        "since=v1.abc",
    ] {
        let (status, body) = s.get(&format!("/api/v1/changes?{q}"), None).await;
        assert_eq!(status, 400, "{q}: {body}");
        assert!(body["error"]["code"].is_string(), "{q}");
    }
    let (status, body) = s.get("/api/v1/changes?since=nonsense", None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_cursor"))
    );
    let (status, _) = s.get("/api/v1/changes?limit=5000", None).await;
    assert_eq!(status, 200);

    // A cursor of another database.
    let (status, body) = s
        .get(
            "/api/v1/changes?since=v1.00112233445566778899aabbccddeeff.0",
            None,
        )
        .await;
    assert_eq!(status, 410);
    assert_eq!(body["error"]["code"], "reset_required");
    // A cursor from the future of this epoch (a restored backup).
    let (_, health) = s.get("/api/v1/health", None).await;
    let epoch = health["epoch"].as_str().unwrap().to_owned();
    let (status, _) = s
        .get(&format!("/api/v1/changes?since=v1.{epoch}.999"), None)
        .await;
    assert_eq!(status, 410);
}

#[tokio::test]
async fn purged_tombstones_make_older_cursors_reset() {
    let (_d, s) = start().await;
    let id = uuid();
    s.push(
        vec![mutation("requests", &id, 0, request_data("Weg damit"))],
        Some(KEY_A),
    )
    .await;
    let before = s.pull("0", 100, Some(KEY_A)).await;
    let old_cursor = before["cursor"].as_str().unwrap().to_owned();
    let r = s.push(vec![delete("requests", &id, 1)], Some(KEY_A)).await;
    assert_eq!(r[0]["status"], "applied", "{r:?}");
    let after = s.pull(&old_cursor, 100, Some(KEY_A)).await;
    assert_eq!(after["changes"][0]["deleted"], true);
    assert_eq!(after["changes"][0]["data"], json!({}));
    let new_cursor = after["cursor"].as_str().unwrap().to_owned();

    // Purge everything deleted "before the end of time".
    assert_eq!(s.store.purge_tombstones("9999-12-31T00:00:00Z").unwrap(), 1);
    let (status, body) = s
        .get(&format!("/api/v1/changes?since={old_cursor}"), Some(KEY_A))
        .await;
    assert_eq!(status, 410);
    assert_eq!(body["error"]["code"], "reset_required");
    let (status, _) = s
        .get(&format!("/api/v1/changes?since={new_cursor}"), Some(KEY_A))
        .await;
    assert_eq!(status, 200);
    let (status, _) = s.get("/api/v1/changes?since=0", Some(KEY_A)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn conflict_carries_the_current_record() {
    let (_d, s) = start().await;
    let id = uuid();
    let r = s
        .push(
            vec![mutation("requests", &id, 0, request_data("Erste Fassung"))],
            Some(KEY_A),
        )
        .await;
    assert_eq!(r[0]["status"], "applied");
    assert_eq!(r[0]["record"]["version"], 1);
    let r = s
        .push(
            vec![mutation("requests", &id, 1, request_data("Zweite Fassung"))],
            Some(KEY_A),
        )
        .await;
    assert_eq!(r[0]["status"], "applied");
    assert_eq!(r[0]["record"]["version"], 2);
    // A second tab still editing version 1.
    let r = s
        .push(
            vec![mutation("requests", &id, 1, request_data("Andere Fassung"))],
            Some(KEY_A),
        )
        .await;
    assert_eq!(r[0]["status"], "conflict", "{r:?}");
    assert_eq!(r[0]["record"]["version"], 2);
    assert_eq!(r[0]["record"]["data"]["title"], "Zweite Fassung");
    assert!(r[0]["error"].is_null());
}

#[tokio::test]
async fn replayed_mutation_id_returns_the_same_result_and_changes_nothing() {
    let (_d, s) = start().await;
    let id = uuid();
    let m = mutation("requests", &id, 0, request_data("Einmal bitte"));
    let first = s.push(vec![m.clone()], Some(KEY_A)).await;
    assert_eq!(first[0]["status"], "applied");
    let seq = s.last_seq();
    let again = s.push(vec![m.clone()], Some(KEY_A)).await;
    assert_eq!(first, again);
    assert_eq!(s.last_seq(), seq);
    // Even with different content, the stored result stands.
    let mut altered = m.clone();
    altered["data"]["title"] = json!("Anders");
    let again = s.push(vec![altered], Some(KEY_A)).await;
    assert_eq!(first, again);
    assert_eq!(s.last_seq(), seq);

    // A rejected result is final too.
    let bad = mutation("requests", &uuid(), 0, request_data(""));
    let r1 = s.push(vec![bad.clone()], Some(KEY_A)).await;
    assert_eq!(r1[0]["status"], "rejected");
    let r2 = s.push(vec![bad], Some(KEY_A)).await;
    assert_eq!(r1, r2);

    // The same create retried under a new mutation_id: a conflict with the stored record.
    let retry = mutation("requests", &id, 0, request_data("Einmal bitte"));
    let r = s.push(vec![retry], Some(KEY_A)).await;
    assert_eq!(r[0]["status"], "conflict");
    assert_eq!(r[0]["record"]["version"], 1);
    assert_eq!(s.last_seq(), seq);

    // Ids must be UUIDs.
    let mut bad_mid = mutation("requests", &uuid(), 0, request_data("x"));
    bad_mid["mutation_id"] = json!("nope");
    let mut bad_id = mutation("requests", "nope", 0, request_data("x"));
    bad_id["id"] = json!("nope");
    let mut bad_coll = mutation("gibtsnicht", &uuid(), 0, json!({}));
    bad_coll["collection"] = json!("gibtsnicht");
    let r = s.push(vec![bad_mid, bad_id, bad_coll], Some(KEY_A)).await;
    assert_eq!(r[0]["error"]["code"], "invalid_id");
    assert_eq!(r[1]["error"]["code"], "invalid_id");
    assert_eq!(r[2]["error"]["code"], "unknown_collection");
    assert!(r.iter().all(|r| r["status"] == "rejected"));
    assert_eq!(s.last_seq(), seq);
}

#[tokio::test]
async fn anonymous_permission_refusals_change_nothing() {
    let (_d, s) = start().await;
    let topic = uuid();
    s.admin_push(vec![mutation("topics", &topic, 0, topic_data("dms"))]);
    let mine = uuid();
    s.push(
        vec![mutation("requests", &mine, 0, request_data("Meins"))],
        Some(KEY_A),
    )
    .await;
    let count = s.record_count();
    let seq = s.last_seq();

    let lotse = lotse_data("Eva Muster", &topic, true);
    let event = json!({"title": "Kurs", "topic": null, "starts_at": "2027-01-01T09:00",
                       "ends_at": "2027-01-01T10:00", "location": "", "description": "", "seats": 10});
    let note = json!({"request": mine, "text": "Hallo", "author": "x", "internal": false});
    let mut promoted = request_data("Meins");
    promoted["status"] = json!("erledigt");
    let mut other = request_data("Fremd bearbeitet");
    other["title"] = json!("Fremd bearbeitet");
    let r = s
        .push(
            vec![
                mutation("topics", &uuid(), 0, topic_data("neu")),
                mutation("topics", &topic, 1, topic_data("dms")),
                mutation("lotsen", &uuid(), 0, lotse),
                mutation("events", &uuid(), 0, event),
                mutation("notes", &uuid(), 0, note),
                mutation("requests", &mine, 1, promoted),
                delete("topics", &topic, 1),
            ],
            Some(KEY_A),
        )
        .await;
    for (i, r) in r.iter().enumerate() {
        assert_eq!(r["status"], "rejected", "{i}: {r}");
        assert_eq!(r["error"]["code"], "forbidden", "{i}: {r}");
    }
    // Someone else's request, from another device and from no device; also with a wrong
    // base_version: permission is judged first.
    for key in [Some(KEY_B), None] {
        let r = s
            .push(vec![mutation("requests", &mine, 1, other.clone())], key)
            .await;
        assert_eq!(r[0]["status"], "rejected", "{r:?}");
        let r = s
            .push(vec![mutation("requests", &mine, 7, other.clone())], key)
            .await;
        assert_eq!(r[0]["status"], "rejected", "{r:?}");
        let r = s.push(vec![delete("requests", &mine, 1)], key).await;
        assert_eq!(r[0]["status"], "rejected", "{r:?}");
    }
    // Creating a request that is not fresh.
    let mut taken = request_data("Schon erledigt");
    taken["status"] = json!("erledigt");
    let r = s
        .push(vec![mutation("requests", &uuid(), 0, taken)], Some(KEY_A))
        .await;
    assert_eq!(r[0]["status"], "rejected");
    assert_eq!(r[0]["error"]["field"], "status");

    assert_eq!(s.record_count(), count);
    assert_eq!(s.last_seq(), seq);
    let (changes, _) = s.pull_all("0", Some(KEY_A)).await;
    let me = changes.iter().find(|c| c["id"] == mine.as_str()).unwrap();
    assert_eq!(me["version"], 1);
    assert_eq!(me["data"]["title"], "Meins");
}

#[tokio::test]
async fn validation_rejections_store_nothing() {
    let (_d, s) = start().await;
    let seq = s.last_seq();
    let mut long = request_data("Lang");
    long["description"] = json!("x".repeat(20_000));
    let mut unknown = request_data("Thema?");
    unknown["topic"] = json!(uuid());
    let r = s
        .push(
            vec![
                mutation("requests", &uuid(), 0, request_data("")),
                mutation("requests", &uuid(), 0, long),
                mutation("requests", &uuid(), 0, unknown),
            ],
            Some(KEY_A),
        )
        .await;
    let codes: Vec<(&str, &str)> = r
        .iter()
        .map(|r| {
            assert_eq!(r["status"], "rejected");
            assert!(r["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()));
            (
                r["error"]["code"].as_str().unwrap(),
                r["error"]["field"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("required", "title"),
            ("too_long", "description"),
            ("unknown_topic", "topic")
        ]
    );

    // Several problems in one request: all of them, in the order of the form, each at its
    // field; `error` is the first. A retry gets the same list back from the mutation log.
    let mut all = request_data("");
    all["description"] = json!("x".repeat(20_000));
    all["topic"] = json!(uuid());
    let m = mutation("requests", &uuid(), 0, all);
    let r = s.push(vec![m.clone()], Some(KEY_A)).await;
    assert_eq!(
        error_fields(&r[0]),
        [
            ("unknown_topic".into(), "topic".into()),
            ("required".into(), "title".into()),
            ("too_long".into(), "description".into()),
        ]
    );
    assert_eq!(r[0]["error"], r[0]["errors"][0]);
    assert_eq!(s.push(vec![m], Some(KEY_A)).await, r);
    assert_eq!(s.record_count(), 0);
    assert_eq!(s.last_seq(), seq);
}

#[tokio::test]
async fn anonymous_pull_sees_only_what_it_may() {
    let (_d, s) = start().await;
    let topic = uuid();
    let active = uuid();
    let inactive = uuid();
    s.admin_push(vec![
        mutation("topics", &topic, 0, topic_data("dms")),
        mutation(
            "lotsen",
            &active,
            0,
            lotse_data("Jörg Müller", &topic, true),
        ),
        mutation(
            "lotsen",
            &inactive,
            0,
            lotse_data("Ruth Ruhestand", &topic, false),
        ),
    ]);
    let mine = uuid();
    s.push(
        vec![mutation("requests", &mine, 0, request_data("Nur für mich"))],
        Some(KEY_A),
    )
    .await;
    // A note on my request: the public one reaches me, the internal one does not.
    let public = uuid();
    let internal = uuid();
    s.admin_push(vec![
        mutation("notes", &public, 0, json!({"request": mine, "text": "Wir kümmern uns.", "author": "Büro", "internal": false})),
        mutation("notes", &internal, 0, json!({"request": mine, "text": "intern", "author": "Büro", "internal": true})),
    ]);

    let (a, cursor_a) = s.pull_all("0", Some(KEY_A)).await;
    let (b, cursor_b) = s.pull_all("0", Some(KEY_B)).await;
    let (none, _) = s.pull_all("0", None).await;
    let has = |v: &[Value], id: &str| v.iter().any(|c| c["id"] == id);
    assert!(has(&a, &mine));
    assert!(!has(&b, &mine));
    assert!(!has(&none, &mine));
    assert!(has(&a, &public));
    assert!(!has(&a, &internal));
    assert!(!has(&b, &public));
    // Hidden rows still move the cursor on.
    assert_eq!(cursor_a, cursor_b);

    for v in [&a, &b, &none] {
        let l = v.iter().find(|c| c["id"] == inactive.as_str()).unwrap();
        assert_eq!(l["deleted"], true);
        assert_eq!(l["data"], json!({}));
        let l = v.iter().find(|c| c["id"] == active.as_str()).unwrap();
        assert_eq!(l["deleted"], false);
        assert_eq!(l["data"]["name"], "Jörg Müller");
    }

    // A page of 1 for device B: only hidden rows after the topic, so the cursor races ahead.
    let p = s.pull("0", 1, Some(KEY_B)).await;
    assert_eq!(p["changes"].as_array().unwrap().len(), 1);

    // Owner may edit and withdraw while new; the withdrawal arrives as a tombstone.
    let mut edit = request_data("Nur für mich, präziser");
    edit["description"] = json!("Mehr Text");
    let r = s
        .push(vec![mutation("requests", &mine, 1, edit)], Some(KEY_A))
        .await;
    assert_eq!(r[0]["status"], "applied", "{r:?}");
    let r = s
        .push(vec![delete("requests", &mine, 2)], Some(KEY_A))
        .await;
    assert_eq!(r[0]["status"], "applied", "{r:?}");
    let p = s.pull(&cursor_a, 100, Some(KEY_A)).await;
    let gone = p["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == mine.as_str())
        .unwrap()
        .clone();
    assert_eq!(gone["deleted"], true);
    assert_eq!(gone["data"], json!({}));
    assert_eq!(gone["updated_by"], "anonym");
}

#[tokio::test]
async fn too_many_mutations_apply_nothing() {
    let (_d, s) = start().await;
    let ms: Vec<Value> = (0..101)
        .map(|i| mutation("requests", &uuid(), 0, request_data(&format!("Nr. {i}"))))
        .collect();
    let (status, body) = s.push_raw(json!({ "mutations": ms }), Some(KEY_A)).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "too_many_mutations");
    assert_eq!(s.record_count(), 0);
    // 100 is fine.
    let r = s.push(ms_of(100), Some(KEY_A)).await;
    assert_eq!(r.len(), 100);
    assert!(r.iter().all(|r| r["status"] == "applied"));
}

fn ms_of(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| mutation("requests", &uuid(), 0, request_data(&format!("Nr. {i}"))))
        .collect()
}

/// An anonymous pull reads only rows it may possibly see (`Tx::scan_audience`), where it used
/// to read every row: it must bring exactly what reading every row brings, for every device,
/// in pages of any size — requests of others, staff's requests, internal and deleted notes,
/// inactive Lotsen and applications included.
#[tokio::test]
async fn anonymous_pulls_by_audience_equal_reading_every_row() {
    use lotsen_domain::permission::Actor;
    use lotsen_server::actor::{hash_device_key, Caller};
    use lotsen_server::sync::{self, Cursor};

    let (_d, s) = start().await;
    let topic = uuid();
    s.admin_push(vec![mutation("topics", &topic, 0, topic_data("dms"))]);
    let (active, inactive) = (uuid(), uuid());
    s.admin_push(vec![
        mutation("lotsen", &active, 0, lotse_data("Aktiv", &topic, true)),
        mutation("lotsen", &inactive, 0, lotse_data("Inaktiv", &topic, true)),
    ]);
    s.admin_push(vec![mutation(
        "lotsen",
        &inactive,
        1,
        lotse_data("Inaktiv", &topic, false),
    )]);
    s.admin_push(vec![mutation(
        "events",
        &uuid(),
        0,
        json!({"title": "Kurs", "topic": topic,
        "starts_at": "2027-01-01T09:00", "ends_at": "2027-01-01T10:00", "location": "Rathaus",
        "description": "", "seats": 10}),
    )]);
    let (of_a, of_b, of_staff) = (uuid(), uuid(), uuid());
    s.push(
        vec![mutation("requests", &of_a, 0, request_data("von A"))],
        Some(KEY_A),
    )
    .await;
    s.push(
        vec![mutation("requests", &of_b, 0, request_data("von B"))],
        Some(KEY_B),
    )
    .await;
    s.admin_push(vec![mutation(
        "requests",
        &of_staff,
        0,
        request_data("vom Büro"),
    )]);
    s.push(
        vec![mutation(
            "applications",
            &uuid(),
            0,
            json!({"name": "Bea", "department": "Kämmerei",
            "contact": "-2345", "topics": [topic], "motivation": "Gern", "status": "neu"}),
        )],
        Some(KEY_A),
    )
    .await;
    let note = |request: &str, internal: bool| json!({"request": request, "text": "Notiz", "author": "Büro", "internal": internal});
    let mut notes = Vec::new();
    for request in [&of_a, &of_b, &of_staff] {
        for internal in [false, true] {
            let id = uuid();
            s.admin_push(vec![mutation("notes", &id, 0, note(request, internal))]);
            notes.push(id);
        }
    }
    // A public and an internal note on A's request are deleted; A's request is closed.
    s.admin_push(vec![
        delete("notes", &notes[0], 1),
        delete("notes", &notes[1], 1),
    ]);
    let mut closed = request_data("von A");
    closed["status"] = json!("erledigt");
    s.admin_push(vec![mutation("requests", &of_a, 1, closed)]);
    s.admin_push(vec![delete("requests", &of_b, 1)]);

    let epoch = s.store.epoch().to_owned();
    let pull_all = |caller: &Caller, limit: usize, by_audience: bool| -> Vec<Value> {
        let mut cursor = Cursor {
            epoch: None,
            seq: 0,
            viewer: None,
        };
        let mut out = Vec::new();
        loop {
            let page = s
                .store
                .read(|tx| {
                    Ok(if by_audience {
                        sync::changes(tx, &epoch, caller, &cursor, limit)
                    } else {
                        sync::changes_scanning_all(tx, &epoch, caller, &cursor, limit)
                    })
                })
                .unwrap()
                .ok()
                .unwrap();
            out.extend(
                page.changes
                    .iter()
                    .map(|e| serde_json::to_value(e).unwrap()),
            );
            if !page.has_more {
                return out;
            }
            cursor = sync::parse_cursor(Some(&page.cursor)).unwrap();
        }
    };
    let callers = [
        Caller::anonymous(None),
        Caller::anonymous(Some(hash_device_key(KEY_A))),
        Caller::anonymous(Some(hash_device_key(KEY_B))),
        Caller::anonymous(Some(hash_device_key("device-key-unknownunknown"))),
    ];
    for caller in &callers {
        assert_eq!(caller.actor, Actor::Anonymous);
        let everything = pull_all(caller, 1000, false);
        for limit in [1, 2, 3, 1000] {
            assert_eq!(pull_all(caller, limit, true), everything, "limit {limit}");
        }
    }
    // What device A sees: the directory, its request and the one public note left on it.
    let a = pull_all(&callers[1], 1000, true);
    let ids: Vec<&str> = a.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&of_a.as_str()) && !ids.contains(&of_b.as_str()));
    assert!(!ids.contains(&of_staff.as_str()));
    assert!(
        ids.contains(&notes[0].as_str()),
        "the deleted public note comes as a tombstone"
    );
    assert!(
        !ids.contains(&notes[1].as_str()),
        "the deleted internal note does not"
    );
    assert!(!ids.contains(&notes[3].as_str()) && !ids.contains(&notes[2].as_str()));
}
