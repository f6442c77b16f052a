//! SPEC §2 over real HTTP with real sessions: who may write what (every collection × create,
//! update, delete × anonymous owner device, other device, Lotse, Projektbüro) and what each
//! role receives in a pull.

mod common;

use common::*;
use lotsen_server::AuthConfig;
use serde_json::{json, Value};

const COLLECTIONS: [&str; 6] = [
    "topics",
    "lotsen",
    "requests",
    "notes",
    "applications",
    "events",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    /// Anonymous, the device that created the fixture request (KEY_A).
    Owner,
    /// Anonymous, another device (KEY_B).
    OtherDevice,
    /// Logged-in Lotse (no device key), linked to `World::own_lotse`.
    Lotse,
    Buero,
}

const EVERYONE: [Who; 4] = [Who::Owner, Who::OtherDevice, Who::Lotse, Who::Buero];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Create,
    Update,
    Delete,
}

struct World {
    _dirs: Dirs,
    s: TestServer,
    topic: String,
    own_lotse: String,
    lotse_cookie: String,
    buero_cookie: String,
    /// The directory the Lotse and the Büro signed in through, if they did.
    _directory: Option<ldap::Slapd>,
}

impl World {
    /// With local accounts.
    async fn new() -> World {
        let (dirs, s) = start_with(AuthConfig::default()).await;
        let (topic, own_lotse) = World::records(&s, "a.b@soest.de");
        s.add_account("buero", "buero-passwort", "buero", None);
        s.add_account("lotse", "lotse-passwort", "lotse", Some(&own_lotse));
        let lotse_cookie = s.cookie("lotse", "lotse-passwort").await;
        let buero_cookie = s.cookie("buero", "buero-passwort").await;
        World {
            _dirs: dirs,
            s,
            topic,
            own_lotse,
            lotse_cookie,
            buero_cookie,
            _directory: None,
        }
    }

    /// The same, with the Lotse and the Büro signed in through the city's directory: the
    /// Lotse's profile is found by the directory's e-mail address.
    async fn with_directory() -> World {
        let slapd = ldap::Slapd::start();
        let dirs = Dirs::new();
        let directory = lotsen_server::directory::Directory::new(slapd.config()).unwrap();
        let s = TestServer::start_custom(
            &dirs.data(),
            &dirs.dist(),
            AuthConfig::default(),
            lotsen_server::http::HttpLimits::default(),
            |state| state.with_directory(directory),
        )
        .await;
        let (topic, own_lotse) = World::records(&s, "anna.becker@soest.example");
        let lotse = s.login("abecker", "anna-pw").await;
        assert_eq!(lotse.body["lotse"], own_lotse.as_str(), "{}", lotse.body);
        let buero = s.login("pbuero", "buero-pw").await;
        assert_eq!(buero.body["role"], "buero", "{}", buero.body);
        World {
            _dirs: dirs,
            s,
            topic,
            own_lotse,
            lotse_cookie: lotse.cookie.unwrap(),
            buero_cookie: buero.cookie.unwrap(),
            _directory: Some(slapd),
        }
    }

    /// A topic and the Lotse's own profile (with this e-mail address).
    fn records(s: &TestServer, email: &str) -> (String, String) {
        let topic = uuid();
        let own_lotse = uuid();
        let mut own = lotse_data("Eva Eigen", &topic, true);
        own["email"] = json!(email);
        s.admin_push(vec![
            mutation("topics", &topic, 0, topic_data("dms")),
            mutation("lotsen", &own_lotse, 0, own),
        ]);
        (topic, own_lotse)
    }

    fn who(&self, who: Who) -> As<'_> {
        match who {
            Who::Owner => with_key(KEY_A),
            Who::OtherDevice => with_key(KEY_B),
            Who::Lotse => with_cookie(&self.lotse_cookie),
            Who::Buero => with_cookie(&self.buero_cookie),
        }
    }

    /// Valid data for a new record of `collection`.
    fn data(&self, collection: &str, request: &str) -> Value {
        let n = uuid();
        match collection {
            "topics" => topic_data(&format!("t-{}", &n[..8])),
            "lotsen" => lotse_data(&format!("Lotse {}", &n[..8]), &self.topic, true),
            "requests" => request_data("Anliegen"),
            "notes" => {
                json!({"request": request, "text": "Notiz", "author": "x", "internal": true})
            }
            "applications" => json!({"name": "Bea Bewerberin", "department": "Kämmerei",
                                     "contact": "-2345", "topics": [self.topic],
                                     "motivation": "Gern", "status": "neu"}),
            "events" => {
                json!({"title": "Kurs", "topic": self.topic, "starts_at": "2027-01-01T09:00",
                               "ends_at": "2027-01-01T10:00", "location": "Rathaus",
                               "description": "", "seats": 10})
            }
            other => panic!("{other}"),
        }
    }

    /// A stored record to update or delete: requests and applications come from the owner
    /// device, everything else from the Büro. Returns its id and data.
    async fn fixture(&self, collection: &str) -> (String, Value) {
        let id = uuid();
        let request = if collection == "notes" {
            self.fixture_request().await
        } else {
            String::new()
        };
        let data = self.data(collection, &request);
        let m = mutation(collection, &id, 0, data.clone());
        if matches!(collection, "requests" | "applications") {
            let r = self.s.push(vec![m], Some(KEY_A)).await;
            assert_eq!(r[0]["status"], "applied", "{r:?}");
        } else {
            let r = self.s.admin_push(vec![m]);
            assert_eq!(
                r[0].status,
                lotsen_domain::protocol::MutationStatus::Applied
            );
        }
        let data = self.s.stored(collection, &id).unwrap().2;
        (id, data)
    }

    async fn fixture_request(&self) -> String {
        let id = uuid();
        let r = self
            .s
            .push(
                vec![mutation("requests", &id, 0, request_data("Basis"))],
                Some(KEY_A),
            )
            .await;
        assert_eq!(r[0]["status"], "applied");
        id
    }
}

/// A content change that is not a status change.
fn changed(collection: &str, old: &Value) -> Value {
    let mut d = old.clone();
    let (field, value) = match collection {
        "topics" | "events" => ("description", "geändert"),
        "lotsen" => ("availability", "Fr vormittags"),
        "requests" => ("title", "Geänderter Titel"),
        "notes" => ("text", "Geänderte Notiz"),
        "applications" => ("motivation", "Geändert"),
        other => panic!("{other}"),
    };
    d[field] = json!(value);
    d
}

/// SPEC §2: `None` = applied, `Some(code)` = rejected with that code.
fn expected(who: Who, collection: &str, op: Op) -> Option<&'static str> {
    use Op::*;
    use Who::*;
    if who == Buero {
        // Notes are append-only even for the Büro; it may only delete them.
        return (collection == "notes" && op == Update).then_some("append_only");
    }
    match (collection, op) {
        ("requests" | "applications", Create) => None,
        ("requests", Update | Delete) if who == Owner => None,
        ("notes", Create) if who == Lotse => None,
        ("notes", Update | Delete) => Some("append_only"),
        _ => Some("forbidden"),
    }
}

/// Pushes one mutation as `who` and checks the outcome; a refusal must change nothing.
async fn attempt(w: &World, who: Who, collection: &str, m: Value, want: Option<&str>) {
    let id = m["id"].as_str().unwrap().to_owned();
    let before = w.s.stored(collection, &id);
    let seq = w.s.last_seq();
    let r = w.s.push_as(vec![m.clone()], w.who(who)).await;
    let label = format!("{who:?} {collection} {m}");
    match want {
        None => {
            assert_eq!(r[0]["status"], "applied", "{label}: {}", r[0]);
            let version = before.map_or(0, |b| b.0) + 1;
            assert_eq!(r[0]["record"]["version"], version, "{label}");
            let (v, deleted, _) = w.s.stored(collection, &id).unwrap();
            assert_eq!((v, deleted), (version, m["deleted"] == true), "{label}");
        }
        Some(code) => {
            assert_eq!(r[0]["status"], "rejected", "{label}: {}", r[0]);
            assert_eq!(r[0]["error"]["code"], code, "{label}: {}", r[0]);
            assert!(r[0]["record"].is_null(), "{label}");
            assert_eq!(w.s.stored(collection, &id), before, "{label}: data changed");
            assert_eq!(w.s.last_seq(), seq, "{label}: seq moved");
        }
    }
}

#[tokio::test]
async fn write_permission_matrix() {
    write_matrix(&World::new().await).await;
}

/// Directory users have exactly the rights of local accounts of their role.
#[tokio::test]
async fn write_permission_matrix_for_directory_users() {
    write_matrix(&World::with_directory().await).await;
}

async fn write_matrix(w: &World) {
    for collection in COLLECTIONS {
        for who in EVERYONE {
            // Create.
            let request = w.fixture_request().await;
            let data = w.data(collection, &request);
            let want = expected(who, collection, Op::Create);
            attempt(
                w,
                who,
                collection,
                mutation(collection, &uuid(), 0, data),
                want,
            )
            .await;

            // Update (a content field, not a status).
            let (id, old) = w.fixture(collection).await;
            let version = w.s.stored(collection, &id).unwrap().0;
            let m = mutation(collection, &id, version, changed(collection, &old));
            attempt(w, who, collection, m, expected(who, collection, Op::Update)).await;

            // Delete.
            let (id, _) = w.fixture(collection).await;
            let version = w.s.stored(collection, &id).unwrap().0;
            let m = delete(collection, &id, version);
            attempt(w, who, collection, m, expected(who, collection, Op::Delete)).await;
        }
    }
}

#[tokio::test]
async fn a_refusal_ignores_the_base_version() {
    let w = World::new().await;
    let (id, old) = w.fixture("topics").await;
    for who in [Who::Owner, Who::OtherDevice, Who::Lotse] {
        for base in [0, 1, 7] {
            let m = mutation("topics", &id, base, changed("topics", &old));
            attempt(&w, who, "topics", m, Some("forbidden")).await;
        }
    }
}

#[tokio::test]
async fn lotse_edits_own_profile_but_not_others_nor_active() {
    let w = World::new().await;
    let own = w.own_lotse.clone();
    let (v, _, data) = w.s.stored("lotsen", &own).unwrap();
    // Own profile: content yes.
    let m = mutation("lotsen", &own, v, changed("lotsen", &data));
    attempt(&w, Who::Lotse, "lotsen", m, None).await;
    // Own profile: `active` is the Büro's decision.
    let (v, _, data) = w.s.stored("lotsen", &own).unwrap();
    let mut off = data.clone();
    off["active"] = json!(false);
    attempt(
        &w,
        Who::Lotse,
        "lotsen",
        mutation("lotsen", &own, v, off),
        Some("forbidden"),
    )
    .await;
    // Own profile: no deleting.
    attempt(
        &w,
        Who::Lotse,
        "lotsen",
        delete("lotsen", &own, v),
        Some("forbidden"),
    )
    .await;
    // Someone else's profile: nothing.
    let (other, data) = w.fixture("lotsen").await;
    let m = mutation("lotsen", &other, 1, changed("lotsen", &data));
    attempt(&w, Who::Lotse, "lotsen", m, Some("forbidden")).await;
    // The Büro may switch a profile off.
    let mut off = data.clone();
    off["active"] = json!(false);
    attempt(
        &w,
        Who::Buero,
        "lotsen",
        mutation("lotsen", &other, 1, off),
        None,
    )
    .await;
}

#[tokio::test]
async fn request_status_and_assignee_belong_to_lotsen() {
    let w = World::new().await;
    let (id, data) = w.fixture("requests").await;
    let mut took = data.clone();
    took["status"] = json!("in_bearbeitung");
    took["assignee"] = json!(w.own_lotse);
    // The requester cannot promote their own request, nor can another device.
    for who in [Who::Owner, Who::OtherDevice] {
        let m = mutation("requests", &id, 1, took.clone());
        attempt(&w, who, "requests", m, Some("forbidden")).await;
    }
    // A Lotse can.
    attempt(
        &w,
        Who::Lotse,
        "requests",
        mutation("requests", &id, 1, took.clone()),
        None,
    )
    .await;
    // Once in progress, the requester can neither edit nor withdraw it.
    let mut retitled = took.clone();
    retitled["title"] = json!("Doch anders");
    attempt(
        &w,
        Who::Owner,
        "requests",
        mutation("requests", &id, 2, retitled.clone()),
        Some("forbidden"),
    )
    .await;
    attempt(
        &w,
        Who::Owner,
        "requests",
        delete("requests", &id, 2),
        Some("forbidden"),
    )
    .await;
    // A Lotse changes status, not the content.
    attempt(
        &w,
        Who::Lotse,
        "requests",
        mutation("requests", &id, 2, retitled.clone()),
        Some("forbidden"),
    )
    .await;
    let mut done = took.clone();
    done["status"] = json!("erledigt");
    attempt(
        &w,
        Who::Lotse,
        "requests",
        mutation("requests", &id, 2, done),
        None,
    )
    .await;
    // The Büro may edit anything.
    attempt(
        &w,
        Who::Buero,
        "requests",
        mutation("requests", &id, 3, retitled),
        None,
    )
    .await;
}

#[tokio::test]
async fn creates_must_start_fresh_and_deleted_records_stay_deleted() {
    let w = World::new().await;
    let mut taken = request_data("Schon in Arbeit");
    taken["status"] = json!("in_bearbeitung");
    let mut accepted = w.data("applications", "");
    accepted["status"] = json!("angenommen");
    for who in [Who::Owner, Who::OtherDevice, Who::Lotse] {
        let m = mutation("requests", &uuid(), 0, taken.clone());
        attempt(&w, who, "requests", m, Some("forbidden")).await;
        let m = mutation("applications", &uuid(), 0, accepted.clone());
        attempt(&w, who, "applications", m, Some("forbidden")).await;
    }
    // A withdrawn request cannot be brought back by its device; the Büro can restore it.
    let (id, data) = w.fixture("requests").await;
    attempt(&w, Who::Owner, "requests", delete("requests", &id, 1), None).await;
    for who in [Who::Owner, Who::Lotse] {
        let m = mutation("requests", &id, 2, data.clone());
        attempt(&w, who, "requests", m, Some("forbidden")).await;
    }
    attempt(
        &w,
        Who::Buero,
        "requests",
        mutation("requests", &id, 2, data),
        None,
    )
    .await;
}

/// The session decides the role; a Lotse session without device key is not the owner of
/// requests made on some device, and an expired or logged-out session is anonymous.
#[tokio::test]
async fn a_replayed_session_after_logout_writes_nothing() {
    let w = World::new().await;
    let cookie = w.lotse_cookie.clone();
    let res =
        w.s.send(
            reqwest::Method::DELETE,
            "/api/v1/session",
            None,
            with_cookie(&cookie),
        )
        .await;
    assert_eq!(res.status(), 204);
    let request = w.fixture_request().await;
    let seq = w.s.last_seq();
    let r =
        w.s.push_as(
            vec![mutation("notes", &uuid(), 0, w.data("notes", &request))],
            with_cookie(&cookie),
        )
        .await;
    assert_eq!(r[0]["status"], "rejected");
    assert_eq!(r[0]["error"]["code"], "forbidden");
    assert_eq!(w.s.last_seq(), seq);
}

/// What each role receives in a pull (SPEC §2 "may read").
#[tokio::test]
async fn pull_visibility_per_role() {
    pull_visibility(World::new().await).await;
}

#[tokio::test]
async fn pull_visibility_for_directory_users() {
    pull_visibility(World::with_directory().await).await;
}

async fn pull_visibility(w: World) {
    let s = &w.s;
    let inactive = uuid();
    let event = uuid();
    s.admin_push(vec![
        mutation(
            "lotsen",
            &inactive,
            0,
            lotse_data("Ina Inaktiv", &w.topic, false),
        ),
        mutation("events", &event, 0, w.data("events", "")),
    ]);
    let (application, _) = w.fixture("applications").await;
    let mine = w.fixture_request().await;
    let theirs = uuid();
    s.push(
        vec![mutation("requests", &theirs, 0, request_data("Fremd"))],
        Some(KEY_B),
    )
    .await;
    let note = |request: &str, internal: bool| json!({"request": request, "text": "Antwort", "author": "Eva", "internal": internal});
    let (public_mine, internal_mine, public_theirs) = (uuid(), uuid(), uuid());
    let r = s
        .push_as(
            vec![
                mutation("notes", &public_mine, 0, note(&mine, false)),
                mutation("notes", &internal_mine, 0, note(&mine, true)),
                mutation("notes", &public_theirs, 0, note(&theirs, false)),
            ],
            with_cookie(&w.lotse_cookie),
        )
        .await;
    assert!(r.iter().all(|r| r["status"] == "applied"), "{r:?}");

    // (id, full, tombstone) per role.
    let ids = |changes: &[Value]| -> (Vec<String>, Vec<String>) {
        let full = changes
            .iter()
            .filter(|c| c["deleted"] == false)
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        let gone = changes
            .iter()
            .filter(|c| c["deleted"] == true)
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        (full, gone)
    };
    let has = |list: &[String], id: &str| list.iter().any(|x| x == id);
    let bogus = format!("lotsen_session={}", "ab".repeat(32));

    // Anonymous, without a device key or with a dead session: the public parts only.
    for who in [NOBODY, with_cookie(&bogus)] {
        let changes = s.pull_all_as(who).await;
        let (full, gone) = ids(&changes);
        assert!(has(&full, &w.topic) && has(&full, &event) && has(&full, &w.own_lotse));
        assert!(has(&gone, &inactive), "inactive Lotse only as a tombstone");
        for hidden in [
            &mine,
            &theirs,
            &public_mine,
            &internal_mine,
            &public_theirs,
            &application,
        ] {
            assert!(!has(&full, hidden) && !has(&gone, hidden), "{hidden}");
        }
        assert!(changes.iter().all(|c| !matches!(
            c["collection"].as_str(),
            Some("requests" | "notes" | "applications")
        )));
    }

    // Anonymous with the device that made `mine`: it and its public note, nothing else.
    let (full, gone) = ids(&s.pull_all_as(with_key(KEY_A)).await);
    assert!(has(&full, &mine) && has(&full, &public_mine));
    for hidden in [&theirs, &internal_mine, &public_theirs, &application] {
        assert!(!has(&full, hidden) && !has(&gone, hidden), "{hidden}");
    }
    let (full, _) = ids(&s.pull_all_as(with_key(KEY_B)).await);
    assert!(has(&full, &theirs) && has(&full, &public_theirs));
    assert!(!has(&full, &mine) && !has(&full, &internal_mine));

    // Lotse: all requests and notes, inactive Lotsen in full, no applications.
    let (full, gone) = ids(&s.pull_all_as(with_cookie(&w.lotse_cookie)).await);
    for seen in [
        &mine,
        &theirs,
        &public_mine,
        &internal_mine,
        &public_theirs,
        &inactive,
        &event,
        &w.topic,
    ] {
        assert!(has(&full, seen), "{seen}");
    }
    assert!(!has(&full, &application) && !has(&gone, &application));

    // Büro: everything.
    let (full, _) = ids(&s.pull_all_as(with_cookie(&w.buero_cookie)).await);
    for seen in [
        &mine,
        &theirs,
        &public_mine,
        &internal_mine,
        &public_theirs,
        &inactive,
        &event,
        &w.topic,
        &application,
    ] {
        assert!(has(&full, seen), "{seen}");
    }
}

/// SPEC §2: a Lotse may change "request status and assignee" of any request. When the Lotse
/// happens to use the device that created a still-new request, `check_write` treats them as
/// the anonymous owner and refuses the status change (see the report on the domain crate).
#[tokio::test]
async fn lotse_on_the_requesters_device_may_still_change_status() {
    let w = World::new().await;
    let (id, data) = w.fixture("requests").await;
    let mut took = data.clone();
    took["status"] = json!("in_bearbeitung");
    let who = As {
        key: Some(KEY_A),
        cookie: Some(&w.lotse_cookie),
    };
    let r =
        w.s.push_as(vec![mutation("requests", &id, 1, took)], who)
            .await;
    assert_eq!(r[0]["status"], "applied", "{}", r[0]);
}

/// A requester who saw a public note on their request must learn that it was deleted, or
/// their device shows it forever; an internal note's deletion tells them nothing.
#[tokio::test]
async fn deleted_notes_reach_the_requester_as_tombstones() {
    let w = World::new().await;
    let s = &w.s;
    let mine = w.fixture_request().await;
    let (public, internal) = (uuid(), uuid());
    let note = |internal: bool| json!({"request": mine, "text": "Antwort", "author": "Eva", "internal": internal});
    let r = s
        .push_as(
            vec![
                mutation("notes", &public, 0, note(false)),
                mutation("notes", &internal, 0, note(true)),
            ],
            with_cookie(&w.lotse_cookie),
        )
        .await;
    assert!(r.iter().all(|r| r["status"] == "applied"), "{r:?}");
    let (seen, cursor) = s.pull_all("0", Some(KEY_A)).await;
    assert!(seen.iter().any(|c| c["id"] == public.as_str()));
    assert!(!seen.iter().any(|c| c["id"] == internal.as_str()));

    let r = s
        .push_as(
            vec![delete("notes", &public, 1), delete("notes", &internal, 1)],
            with_cookie(&w.buero_cookie),
        )
        .await;
    assert!(r.iter().all(|r| r["status"] == "applied"), "{r:?}");
    let (later, _) = s.pull_all(&cursor, Some(KEY_A)).await;
    let gone: Vec<&Value> = later
        .iter()
        .filter(|c| c["id"] == public.as_str())
        .collect();
    assert_eq!(gone.len(), 1, "{later:?}");
    assert_eq!(gone[0]["deleted"], true);
    assert_eq!(gone[0]["data"], json!({}));
    assert!(
        !later.iter().any(|c| c["id"] == internal.as_str()),
        "{later:?}"
    );
    // Nobody else hears of either.
    let (other, _) = s.pull_all("0", Some(KEY_B)).await;
    assert!(!other
        .iter()
        .any(|c| c["id"] == public.as_str() || c["id"] == internal.as_str()));
}
