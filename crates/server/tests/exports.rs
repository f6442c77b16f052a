//! The Projektbüro's downloads over real HTTP (CSV, JSON backup, iCalendar) and retention
//! (anonymising closed requests, by function and by the command line).

mod common;

use std::collections::BTreeMap;

use common::*;
use lotsen_server::{ops, Store};
use reqwest::Method;
use serde_json::{json, Value};

const EXPORTS: [&str; 5] = [
    "requests.csv",
    "applications.csv",
    "lotsen.csv",
    "matrix.csv",
    "backup.json",
];

struct World {
    _dirs: Dirs,
    s: TestServer,
    dms: String,
    teams: String,
    lotse_cookie: String,
    buero_cookie: String,
}

async fn world() -> World {
    let (dirs, s) = start().await;
    let (dms, teams) = (uuid(), uuid());
    let (eva, jo) = (uuid(), uuid());
    let mut office = topic_data("teams");
    office["name"] = json!("Teams");
    office["category"] = json!("Zusammenarbeit");
    let mut dms_topic = topic_data("dms");
    dms_topic["name"] = json!("DMS/E-Akte");
    dms_topic["category"] = json!("Verwaltung digital");
    let mut jo_data = lotse_data("Jörg Müller", &dms, true);
    jo_data["department"] = json!("Bürgerbüro");
    jo_data["skills"] = json!([{"topic": dms, "level": 3}, {"topic": teams, "level": 1}]);
    let results = s.admin_push(vec![
        mutation("topics", &dms, 0, dms_topic),
        mutation("topics", &teams, 0, office),
        mutation("lotsen", &eva, 0, lotse_data("Eva Eigen", &teams, true)),
        mutation("lotsen", &jo, 0, jo_data),
    ]);
    assert!(results.iter().all(|r| r.error.is_none()), "{results:?}");
    s.add_account("buero", "buero-passwort", "buero", None);
    s.add_account("lotse", "lotse-passwort", "lotse", Some(&eva));
    let lotse_cookie = s.cookie("lotse", "lotse-passwort").await;
    let buero_cookie = s.cookie("buero", "buero-passwort").await;
    World {
        _dirs: dirs,
        s,
        dms,
        teams,
        lotse_cookie,
        buero_cookie,
    }
}

/// Status, headers and body text of a GET.
async fn download(
    s: &TestServer,
    path: &str,
    who: As<'_>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let res = s.send(Method::GET, path, None, who).await;
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.text().await.unwrap())
}

/// The rows of a CSV file as the Excel writer makes them (BOM, `;`, CRLF, quotes).
fn csv_rows(file: &str) -> Vec<Vec<String>> {
    let body = file.strip_prefix('\u{feff}').expect("BOM");
    let mut rows = vec![vec![String::new()]];
    let mut quoted = false;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        let row = rows.last_mut().unwrap();
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                row.last_mut().unwrap().push('"');
            }
            (_, '"') => quoted = !quoted,
            (false, ';') => row.push(String::new()),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF");
                rows.push(vec![String::new()]);
            }
            (_, c) => row.last_mut().unwrap().push(c),
        }
    }
    assert_eq!(rows.pop(), Some(vec![String::new()]), "ends with CRLF");
    rows
}

#[tokio::test]
async fn only_the_buero_downloads_exports() {
    let w = world().await;
    for name in EXPORTS {
        let path = format!("/api/v1/export/{name}");
        let (status, body) = w.s.call(Method::GET, &path, None, NOBODY).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (401, Some("unauthenticated")),
            "{name}"
        );
        let (status, _) = w.s.call(Method::GET, &path, None, with_key(KEY_A)).await;
        assert_eq!(status, 401, "{name}");
        let (status, body) =
            w.s.call(Method::GET, &path, None, with_cookie(&w.lotse_cookie))
                .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "{name}"
        );
        let (status, headers, _) = download(&w.s, &path, with_cookie(&w.buero_cookie)).await;
        assert_eq!(status, 200, "{name}");
        let disposition = headers["content-disposition"].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment; filename=\"lotsenfinder-"),
            "{disposition}"
        );
        assert_eq!(headers["cache-control"], "no-store");
    }
    for bad in ["notes.csv", "requests.json", "requests", "..%2Fetc.csv"] {
        let path = format!("/api/v1/export/{bad}");
        let (status, body) =
            w.s.call(Method::GET, &path, None, with_cookie(&w.buero_cookie))
                .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("unknown_export")),
            "{bad}"
        );
    }
    let (status, _) =
        w.s.call(
            Method::POST,
            "/api/v1/export/requests.csv",
            None,
            with_cookie(&w.buero_cookie),
        )
        .await;
    assert_eq!(status, 405);
}

#[tokio::test]
async fn csv_files_are_excel_ready_and_neutralise_formulas() {
    let w = world().await;
    let mut req = request_data("=HYPERLINK(\"http://böse.example\";\"Klick\")");
    req["topic"] = json!(w.dms);
    req["description"] = json!("Zeile 1\nZeile 2; mit \"Zitat\"");
    req["requester"] =
        json!({"name": "Jürgen Öztürk-Weiß", "department": "Straßenverkehr", "contact": "-4711"});
    let results =
        w.s.push(vec![mutation("requests", &uuid(), 0, req)], Some(KEY_A))
            .await;
    assert_eq!(results[0]["status"], "applied", "{results:?}");
    let application = json!({"name": "Bea Bewerberin", "department": "Kämmerei", "contact": "@bea",
        "topics": [w.dms, w.teams], "motivation": "Gern; sofort", "status": "neu"});
    let results =
        w.s.push(
            vec![mutation("applications", &uuid(), 0, application)],
            Some(KEY_B),
        )
        .await;
    assert_eq!(results[0]["status"], "applied", "{results:?}");
    let buero = with_cookie(&w.buero_cookie);

    let (_, headers, file) = download(&w.s, "/api/v1/export/requests.csv", buero).await;
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(file.starts_with('\u{feff}'));
    let rows = csv_rows(&file);
    assert_eq!(rows[0][..4], ["ID", "Zuletzt geändert", "Art", "Thema"]);
    let r = &rows[1];
    assert_eq!(r[2], "Frage");
    assert_eq!(r[3], "DMS/E-Akte");
    assert_eq!(r[4], "'=HYPERLINK(\"http://böse.example\";\"Klick\")");
    assert_eq!(r[5], "Zeile 1\nZeile 2; mit \"Zitat\"");
    assert_eq!(r[6], "neu");
    assert_eq!(r[8..], ["Jürgen Öztürk-Weiß", "Straßenverkehr", "'-4711"]);

    let (_, _, file) = download(&w.s, "/api/v1/export/applications.csv", buero).await;
    let rows = csv_rows(&file);
    assert_eq!(
        rows[1][1..],
        [
            "Bea Bewerberin",
            "Kämmerei",
            "'@bea",
            "DMS/E-Akte, Teams",
            "Gern; sofort",
            "neu"
        ]
    );

    let (_, _, file) = download(&w.s, "/api/v1/export/lotsen.csv", buero).await;
    let rows = csv_rows(&file);
    let jo = rows.iter().find(|r| r[1] == "Jörg Müller").unwrap();
    assert_eq!(jo[9], "DMS/E-Akte: kann schulen, Teams: kennt sich aus");

    // An inactive Lotse helps nobody: not in the matrix, as on the screen.
    w.s.admin_push(vec![mutation(
        "lotsen",
        &uuid(),
        0,
        lotse_data("Ina Inaktiv", &w.dms, false),
    )]);
    let (_, _, file) = download(&w.s, "/api/v1/export/matrix.csv", buero).await;
    let rows = csv_rows(&file);
    assert_eq!(rows.len(), 3, "{rows:?}");
    // Topic columns sorted by category, active Lotsen by department: the screen's matrix.
    assert_eq!(
        rows[0],
        [
            "Name",
            "Bereich",
            "DMS/E-Akte (Verwaltung digital)",
            "Teams (Zusammenarbeit)"
        ]
    );
    assert_eq!(rows[1], ["Eva Eigen", "Bauamt", "", "2"]);
    assert_eq!(rows[2], ["Jörg Müller", "Bürgerbüro", "3", "1"]);

    let (_, _, file) = download(
        &w.s,
        "/api/v1/export/matrix.csv?bereich=buergerbuero&kategorie=Zusammenarbeit",
        buero,
    )
    .await;
    assert_eq!(
        csv_rows(&file),
        [
            vec!["Name", "Bereich", "Teams (Zusammenarbeit)"],
            vec!["Jörg Müller", "Bürgerbüro", "1"]
        ]
    );
    let (_, _, file) = download(
        &w.s,
        "/api/v1/export/matrix.csv?bereich=Gibt%20es%20nicht",
        buero,
    )
    .await;
    assert_eq!(csv_rows(&file).len(), 1);
}

/// Every record as a comparable value: what it is, not when it was written.
fn records(store: &Store) -> BTreeMap<(String, String), (bool, Value, Option<String>)> {
    let export = ops::export(store).unwrap();
    export
        .records
        .into_iter()
        .map(|r| {
            let e = r.envelope;
            ((e.collection, e.id), (e.deleted, e.data, r.owner_hash))
        })
        .collect()
}

#[tokio::test]
async fn backup_download_restores_into_an_empty_data_dir() {
    let (dirs, s) = start().await;
    lotsen_server::demo::seed_if_empty(&s.store).unwrap();
    let buero_cookie = s.cookie("buero", "demo-buero").await;
    let mine = uuid();
    s.push(
        vec![mutation("requests", &mine, 0, request_data("Meins"))],
        Some(KEY_A),
    )
    .await;
    let gone = uuid();
    s.admin_push(vec![mutation("topics", &gone, 0, topic_data("weg"))]);
    s.admin_push(vec![delete("topics", &gone, 1)]);

    let (status, headers, body) =
        download(&s, "/api/v1/export/backup.json", with_cookie(&buero_cookie)).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json");
    let file = dirs.root.path().join("sicherung.json");
    std::fs::write(&file, body).unwrap();

    let target = dirs.root.path().join("restored");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lotsen-server"))
        .args([
            "import",
            "--in",
            file.to_str().unwrap(),
            "--data-dir",
            target.to_str().unwrap(),
        ])
        .envs(database_env(&target))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let original = records(&s.store);
    let restored = records(&open_store(&target).0);
    assert!(original.len() > 60, "{}", original.len());
    assert_eq!(restored, original);
    assert!(
        restored[&("topics".to_owned(), gone)].0,
        "the tombstone came along"
    );
    assert!(
        restored[&("requests".to_owned(), mine)].2.is_some(),
        "the device still owns it"
    );
}

/// Sets a record's last change back in time, as if it had been written then.
fn age(s: &TestServer, collection: &str, id: &str, updated_at: &str) {
    s.store
        .write(|tx| {
            let mut r = tx.get(collection, id)?.unwrap();
            r.envelope.updated_at = updated_at.to_owned();
            tx.put(&r)
        })
        .unwrap();
}

/// (topic, kind, status) of every live request, sorted: what the statistics count.
fn statistics(s: &TestServer) -> Vec<(Value, Value, Value)> {
    let mut out: Vec<_> = s
        .store
        .read(|tx| tx.all("requests"))
        .unwrap()
        .into_iter()
        .filter(|r| !r.envelope.deleted)
        .map(|r| {
            let d = r.envelope.data;
            (d["topic"].clone(), d["kind"].clone(), d["status"].clone())
        })
        .collect();
    out.sort_by_key(|t| format!("{t:?}"));
    out
}

#[tokio::test]
async fn anonymisation_blanks_old_closed_requests_only() {
    let w = world().await;
    let old = "2020-01-01T00:00:00Z";
    let mut ids = BTreeMap::new();
    for (name, status, when) in [
        ("old_done", "erledigt", Some(old)),
        ("old_rejected", "abgelehnt", Some(old)),
        ("old_open", "in_bearbeitung", Some(old)),
        ("young_done", "erledigt", None),
    ] {
        let id = uuid();
        let mut data = request_data(name);
        data["topic"] = json!(w.dms);
        data["created_at"] = json!("2019-12-02T08:00:00Z");
        w.s.push(
            vec![mutation("requests", &id, 0, data.clone())],
            Some(KEY_A),
        )
        .await;
        data["status"] = json!(status);
        if status != "in_bearbeitung" {
            data["closed_at"] = json!("2019-12-20T08:00:00Z");
        }
        let r = w.s.admin_push(vec![mutation("requests", &id, 1, data)]);
        assert!(r[0].error.is_none(), "{r:?}");
        if let Some(t) = when {
            age(&w.s, "requests", &id, t);
        }
        ids.insert(name, id);
    }
    // Applications: a decided one long ago, an accepted one lately, and one still open.
    let mut applications = BTreeMap::new();
    for (name, status, when) in [
        ("old_accepted", "angenommen", Some(old)),
        ("young_accepted", "angenommen", None),
        ("old_waiting", "neu", Some(old)),
    ] {
        let id = uuid();
        let mut data = json!({"name": name, "department": "Kämmerei", "contact": "-4711",
            "topics": [w.dms], "motivation": "Ich erkläre gern.", "status": "neu"});
        w.s.push(
            vec![mutation("applications", &id, 0, data.clone())],
            Some(KEY_B),
        )
        .await;
        if status != "neu" {
            data["status"] = json!(status);
            let r = w.s.admin_push(vec![mutation("applications", &id, 1, data)]);
            assert!(r[0].error.is_none(), "{r:?}");
        }
        if let Some(t) = when {
            age(&w.s, "applications", &id, t);
        }
        applications.insert(name, id);
    }
    let before = statistics(&w.s);
    let (_, cursor) = w.s.pull_all("0", Some(KEY_A)).await;

    assert_eq!(
        ops::anonymise(&w.s.store, 365).unwrap(),
        ops::Anonymised {
            requests: 2,
            applications: 1
        }
    );
    let (_, _, data) =
        w.s.stored("applications", &applications["old_accepted"])
            .unwrap();
    assert_eq!(
        (&data["name"], &data["contact"], &data["motivation"]),
        (&json!(""), &json!(""), &json!(""))
    );
    assert_eq!(data["department"], "Kämmerei", "what stays is not personal");
    assert_eq!(data["topics"], json!([w.dms]));
    for name in ["young_accepted", "old_waiting"] {
        let (_, _, data) = w.s.stored("applications", &applications[name]).unwrap();
        assert_eq!(data["name"], name);
    }
    assert_eq!(
        statistics(&w.s),
        before,
        "counts by topic, kind and status survive"
    );
    for name in ["old_done", "old_rejected"] {
        let (version, _, data) = w.s.stored("requests", &ids[name]).unwrap();
        assert_eq!(version, 3);
        assert_eq!(
            data["requester"],
            json!({"name": "", "department": "", "contact": ""})
        );
        assert_eq!(data["title"], name);
        // The times stay, so the time to `erledigt` and the trend survive as well.
        assert_eq!(data["created_at"], "2019-12-02T08:00:00Z");
        assert_eq!(data["closed_at"], "2019-12-20T08:00:00Z");
    }
    for name in ["old_open", "young_done"] {
        let (version, _, data) = w.s.stored("requests", &ids[name]).unwrap();
        assert_eq!(version, 2, "{name}");
        assert_eq!(data["requester"]["name"], "Eva Beispiel", "{name}");
    }
    // The requester's device receives the blanked version with its next pull.
    let (changes, _) = w.s.pull_all(&cursor, Some(KEY_A)).await;
    let mut changed: Vec<&str> = changes
        .iter()
        .map(|c| c["data"]["title"].as_str().unwrap())
        .collect();
    changed.sort();
    assert_eq!(changed, ["old_done", "old_rejected"]);
    assert!(changes
        .iter()
        .all(|c| c["updated_by"] == ops::RETENTION_ACTOR));
    // A second run finds nothing left to do.
    assert_eq!(
        ops::anonymise(&w.s.store, 365).unwrap(),
        ops::Anonymised::default()
    );

    // The daily run does the same and purges old tombstones.
    let gone = uuid();
    w.s.admin_push(vec![mutation("topics", &gone, 0, topic_data("weg"))]);
    w.s.admin_push(vec![delete("topics", &gone, 1)]);
    age(&w.s, "topics", &gone, old);
    age(&w.s, "requests", &ids["young_done"], old);
    let run = ops::retention_run(&w.s.store, ops::Retention::default()).unwrap();
    assert_eq!(
        run,
        ops::RetentionReport {
            anonymised: ops::Anonymised {
                requests: 1,
                applications: 0
            },
            tombstones_purged: 1,
            mutations_expired: 0,
            mails_expired: 0,
        }
    );
    assert!(w.s.stored("topics", &gone).is_none());
}

#[tokio::test]
async fn anonymise_command() {
    let d = Dirs::new();
    let id = uuid();
    {
        let s = TestServer::start(&d.data(), &d.dist()).await;
        let mut data = request_data("Alt");
        data["status"] = json!("erledigt");
        assert!(s.admin_push(vec![mutation("requests", &id, 0, data)])[0]
            .error
            .is_none());
        age(&s, "requests", &id, "2024-01-01T00:00:00Z");
        s.stop().await;
    }
    let run = |days: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_lotsen-server"))
            .args([
                "anonymise",
                "--older-than-days",
                days,
                "--data-dir",
                d.data().to_str().unwrap(),
            ])
            .envs(database_env(&d.data()))
            .output()
            .unwrap()
    };
    let out = run("100000");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "0 abgeschlossene Anliegen und 0 entschiedene Bewerbungen anonymisiert."
    );
    let out = run("365");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "1 abgeschlossene Anliegen und 0 entschiedene Bewerbungen anonymisiert."
    );
    let (store, _pg) = open_store(&d.data());
    let r = store.read(|tx| tx.get("requests", &id)).unwrap().unwrap();
    assert_eq!(r.envelope.data["requester"]["name"], "");
    assert_eq!(r.envelope.updated_by, "aufbewahrung");
}

#[tokio::test]
async fn events_download_as_ics_for_everyone() {
    let w = world().await;
    let id = uuid();
    let event = json!({"title": "E-Akte kompakt, Teil 1", "topic": w.dms,
        "starts_at": "2027-03-02T09:00", "ends_at": "2027-03-02T11:30",
        "location": "Rathaus I; Raum 101", "description": "Für alle.\nOhne Anmeldung.", "seats": 12});
    assert!(w.s.admin_push(vec![mutation("events", &id, 0, event)])[0]
        .error
        .is_none());

    let (status, headers, file) = download(&w.s, &format!("/api/v1/events/{id}.ics"), NOBODY).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/calendar; charset=utf-8");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"e-akte-kompakt-teil-1.ics\""
    );
    assert!(file.starts_with("BEGIN:VCALENDAR\r\n") && file.ends_with("END:VCALENDAR\r\n"));
    for line in [
        format!("UID:{id}@lotsenfinder"),
        "SEQUENCE:1".into(),
        "DTSTART;TZID=Europe/Berlin:20270302T090000".into(),
        "DTEND;TZID=Europe/Berlin:20270302T113000".into(),
        "SUMMARY:E-Akte kompakt\\, Teil 1".into(),
        "LOCATION:Rathaus I\\; Raum 101".into(),
        "DESCRIPTION:Für alle.\\nOhne Anmeldung.".into(),
    ] {
        assert!(file.split("\r\n").any(|l| l == line), "{line} in {file}");
    }

    for bad in [
        format!("{}.ics", uuid()),
        "kein-termin.ics".into(),
        id.clone(),
    ] {
        let (status, body) =
            w.s.call(Method::GET, &format!("/api/v1/events/{bad}"), None, NOBODY)
                .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("unknown_event")),
            "{bad}"
        );
    }
    w.s.admin_push(vec![delete("events", &id, 1)]);
    let (status, _) =
        w.s.call(
            Method::GET,
            &format!("/api/v1/events/{id}.ics"),
            None,
            NOBODY,
        )
        .await;
    assert_eq!(status, 404);
}

/// The figure for the closing note: exporting 10,000 requests.
#[tokio::test]
async fn export_of_10000_requests() {
    let w = world().await;
    for _ in 0..100 {
        let batch = (0..100)
            .map(|i| {
                let mut r = request_data(&format!("Anliegen {i}"));
                r["topic"] = json!(w.dms);
                mutation("requests", &uuid(), 0, r)
            })
            .collect();
        w.s.admin_push(batch);
    }
    let started = std::time::Instant::now();
    let (status, _, file) = download(
        &w.s,
        "/api/v1/export/requests.csv",
        with_cookie(&w.buero_cookie),
    )
    .await;
    let took = started.elapsed();
    assert_eq!(status, 200);
    assert_eq!(file.matches("\r\n").count(), 10_001);
    println!(
        "export of 10,000 requests: {} ms, {} KiB",
        took.as_millis(),
        file.len() / 1024
    );
}
