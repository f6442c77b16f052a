//! HTTP behaviour around the sync API: error bodies, static files, restart, demo data and the
//! operator commands.

mod common;

use common::*;
use lotsen_server::{demo, ops, web};
use serde_json::{json, Value};

async fn assert_json_error(res: reqwest::Response, status: u16, code: &str) {
    assert_eq!(res.status().as_u16(), status);
    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("application/json"), "{ct}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn malformed_requests_get_json_errors() {
    let (_d, s) = start().await;
    let push = s.url("/api/v1/push");
    let c = &s.client;
    let res = c
        .post(&push)
        .header("content-type", "application/json")
        .body("{\"mutations\": [")
        .send()
        .await
        .unwrap();
    assert_json_error(res, 400, "malformed_json").await;
    let res = c
        .post(&push)
        .header("content-type", "application/json")
        .body("{\"mutations\": 5}")
        .send()
        .await
        .unwrap();
    assert_json_error(res, 422, "invalid_body").await;
    let res = c
        .post(&push)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_json_error(res, 415, "unsupported_media_type").await;
    let res = c.post(&push).body("{}").send().await.unwrap();
    assert_json_error(res, 415, "unsupported_media_type").await;
    let big = format!(
        "{{\"mutations\": [], \"pad\": \"{}\"}}",
        "x".repeat(1024 * 1024 + 10)
    );
    let res = c
        .post(&push)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_json_error(res, 413, "payload_too_large").await;
    let res = c.get(s.url("/api/v1/nichts")).send().await.unwrap();
    assert_json_error(res, 404, "not_found").await;
    let res = c.get(s.url("/api")).send().await.unwrap();
    assert_json_error(res, 404, "not_found").await;
    let res = c.get(&push).send().await.unwrap();
    assert_json_error(res, 405, "method_not_allowed").await;
    let res = c
        .get(s.url("/api/v1/changes"))
        .header("X-Device-Key", "kurz")
        .send()
        .await
        .unwrap();
    assert_json_error(res, 400, "bad_device_key").await;
    let res = c
        .get(s.url("/api/v1/changes"))
        .header("X-Device-Key", "x".repeat(201))
        .send()
        .await
        .unwrap();
    assert_json_error(res, 400, "bad_device_key").await;
    assert_eq!(s.record_count(), 0);

    let (status, health) = s.get("/api/v1/health", None).await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["epoch"].as_str().unwrap(), s.store.epoch());
}

#[tokio::test]
async fn static_files_spa_fallback_and_headers() {
    let dirs = Dirs::new();
    let dist = dirs.dist();
    let index =
        "<!doctype html><html lang=\"de\"><title>Lotsenfinder</title><body>App</body></html>";
    std::fs::write(dist.join("index.html"), index).unwrap();
    std::fs::write(
        dist.join("lotsenfinder-1a2b3c4d5e6f7a8b_bg.wasm"),
        vec![0u8; 4096],
    )
    .unwrap();
    std::fs::write(
        dist.join("style-0123456789abcdef.css"),
        "body{color:#000}".repeat(50),
    )
    .unwrap();
    std::fs::write(
        dist.join("sw.js"),
        "self.addEventListener('fetch', () => {});",
    )
    .unwrap();
    let s = TestServer::start(&dirs.data(), &dist).await;
    let c = &s.client;

    let check_security = |h: &reqwest::header::HeaderMap| {
        assert_eq!(h["content-security-policy"], web::CSP);
        assert!(
            web::CSP.contains("'wasm-unsafe-eval'") && web::CSP.contains("frame-ancestors 'none'")
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
    };

    let res = c
        .get(s.url("/lotsenfinder-1a2b3c4d5e6f7a8b_bg.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    check_security(res.headers());
    assert_eq!(res.headers()["content-type"], "application/wasm");
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    let res = c
        .get(s.url("/style-0123456789abcdef.css"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(res.headers()["content-encoding"], "br");
    let res = c
        .get(s.url("/style-0123456789abcdef.css"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");

    for path in [
        "/",
        "/index.html",
        "/suche?q=e-akte&stufe=3",
        "/themen/dms",
        &format!("/lotsen/{}", uuid()),
    ] {
        let res = c.get(s.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        check_security(res.headers());
        assert_eq!(res.headers()["cache-control"], "no-cache", "{path}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert_eq!(res.text().await.unwrap(), index, "{path}");
    }
    let res = c.get(s.url("/sw.js")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-cache");

    // The screens of Lotsen and the Projektbüro are in the staff part of the app, when the
    // build has one; until then (and for every other path) index.html.
    let res = c.get(s.url("/buero/matrix")).send().await.unwrap();
    assert_eq!(res.text().await.unwrap(), index);
    let staff =
        "<!doctype html><html lang=\"de\"><title>Lotsenfinder</title><body>Staff</body></html>";
    std::fs::write(dist.join("staff.html"), staff).unwrap();
    for path in [
        "/anmelden",
        "/anmelden?weiter=%2Fprofil",
        "/arbeitsplatz",
        &format!("/arbeitsplatz/{}", uuid()),
        "/profil",
        "/buero/matrix?bereich=Bauamt",
    ] {
        let res = c.get(s.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        check_security(res.headers());
        assert_eq!(res.headers()["cache-control"], "no-cache", "{path}");
        assert_eq!(res.text().await.unwrap(), staff, "{path}");
    }
    for path in ["/", "/themen/buero", "/profile", "/anliegen"] {
        let res = c.get(s.url(path)).send().await.unwrap();
        assert_eq!(res.text().await.unwrap(), index, "{path}");
    }

    // A missing file with an extension is a real 404, not the app.
    let res = c
        .get(s.url("/fehlt-0123456789abcdef.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["cache-control"], "no-cache");
    // Path traversal stays inside dist.
    let res = c
        .get(s.url("/../data/lotsen.sqlite3"))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 200);
    let res = c
        .get(s.url("/%2e%2e/data/lotsen.sqlite3"))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 200);

    // API answers carry the security headers too and are never cached.
    let res = c.get(s.url("/api/v1/health")).send().await.unwrap();
    check_security(res.headers());
    assert_eq!(res.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn restart_keeps_records_and_cursors() {
    let dirs = Dirs::new();
    let s = TestServer::start(&dirs.data(), &dirs.dist()).await;
    let id = uuid();
    let r = s
        .push(
            vec![mutation("requests", &id, 0, request_data("Bleibt"))],
            Some(KEY_A),
        )
        .await;
    assert_eq!(r[0]["status"], "applied");
    let page = s.pull("0", 100, Some(KEY_A)).await;
    let cursor = page["cursor"].as_str().unwrap().to_owned();
    let epoch = s.store.epoch().to_owned();
    s.stop().await;

    let s = TestServer::start(&dirs.data(), &dirs.dist()).await;
    assert_eq!(s.store.epoch(), epoch);
    let (all, _) = s.pull_all("0", Some(KEY_A)).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["data"]["title"], "Bleibt");
    let p = s.pull(&cursor, 100, Some(KEY_A)).await;
    assert_eq!(p["changes"], json!([]));
    // Still the owner after the restart, and the version goes on.
    let r = s
        .push(
            vec![mutation(
                "requests",
                &id,
                1,
                request_data("Bleibt, geändert"),
            )],
            Some(KEY_A),
        )
        .await;
    assert_eq!(r[0]["status"], "applied", "{r:?}");
    let p = s.pull(&cursor, 100, Some(KEY_A)).await;
    assert_eq!(p["changes"][0]["version"], 2);
    s.stop().await;
}

#[tokio::test]
async fn demo_seed_is_valid_complete_and_idempotent() {
    let (_d, s) = start().await;
    let store = s.store.clone();
    let n = tokio::task::spawn_blocking(move || demo::seed_if_empty(&store))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(n, demo::mutations().len());
    let store = s.store.clone();
    let again = tokio::task::spawn_blocking(move || demo::seed_if_empty(&store))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again, 0);

    let (all, _) = s.pull_all("0", None).await;
    let of = |c: &str| {
        all.iter()
            .filter(|r| r["collection"] == c)
            .collect::<Vec<_>>()
    };
    let topics = of("topics");
    assert_eq!(topics.len(), 20);
    let dms = topics.iter().find(|t| t["data"]["slug"] == "dms").unwrap();
    assert_eq!(dms["data"]["name"], "Dokumentenmanagement (DMS)");
    assert!(dms["data"]["synonyms"]
        .as_array()
        .unwrap()
        .contains(&json!("E-Akte")));
    let lotsen = of("lotsen");
    assert_eq!(lotsen.len(), 40);
    assert_eq!(lotsen.iter().filter(|l| l["deleted"] == true).count(), 3);
    let joerg = lotsen
        .iter()
        .find(|l| l["data"]["name"] == "Jörg Müller")
        .unwrap();
    assert_eq!(joerg["data"]["email"], "joerg.mueller@soest.de");
    assert_eq!(joerg["data"]["department"], "IT-Abteilung");
    assert!(joerg["data"]["skills"]
        .as_array()
        .unwrap()
        .contains(&json!({"topic": dms["id"], "level": 3})));
    assert_eq!(of("events").len(), 6);
    // Requests, notes and applications are not for anonymous eyes.
    assert!(of("requests").is_empty() && of("notes").is_empty() && of("applications").is_empty());
    let requests = s.store.read(|tx| tx.all("requests")).unwrap();
    // 8 current requests and the closed ones of the eleven months before, each with its times.
    assert!(requests.len() > 80, "{}", requests.len());
    assert!(requests
        .iter()
        .all(|r| r.envelope.data["created_at"].is_string()));
    let closed = requests.iter().filter(|r| {
        matches!(
            r.envelope.data["status"].as_str(),
            Some("erledigt" | "abgelehnt")
        )
    });
    assert!(closed.clone().count() > 70);
    assert!(closed
        .clone()
        .all(|r| r.envelope.data["closed_at"].is_string()
            && r.envelope.data["closed_at"].as_str() > r.envelope.data["created_at"].as_str()));
    assert!(requests.iter().all(|r| r.owner_hash.is_none()));

    let account = s.store.read(|tx| tx.account("lotse")).unwrap().unwrap();
    assert_eq!(account.role, "lotse");
    assert_eq!(account.lotse.as_deref(), joerg["id"].as_str());
    assert!(account.password_hash.starts_with("$argon2id$"));
    assert!(s.store.read(|tx| tx.account("buero")).unwrap().is_some());
}

#[tokio::test]
async fn export_import_backup_roundtrip() {
    let (d, s) = start().await;
    let store = s.store.clone();
    tokio::task::spawn_blocking(move || demo::seed_if_empty(&store))
        .await
        .unwrap()
        .unwrap();
    let mine = uuid();
    s.push(
        vec![mutation("requests", &mine, 0, request_data("Export mich"))],
        Some(KEY_A),
    )
    .await;

    let file = d.root.path().join("export.json");
    let n = ops::export_to_file(&s.store, &file).unwrap();
    assert_eq!(n as u64, s.record_count());
    let backup = d.root.path().join("backup.sqlite3");
    if pg::enabled() {
        // On PostgreSQL the provider's pg_dump makes backups; the command says so.
        let refused = s.store.backup(&backup).unwrap_err().to_string();
        assert!(refused.contains("pg_dump"), "{refused}");
    } else {
        s.store.backup(&backup).unwrap();
        assert!(std::fs::metadata(&backup).unwrap().len() > 0);
    }

    // Into a fresh server: same records, ownership kept.
    let (_d2, s2) = start().await;
    assert_eq!(ops::import_from_file(&s2.store, &file).unwrap(), n);
    assert_eq!(s2.record_count(), s.record_count());
    let (a, _) = s2.pull_all("0", Some(KEY_A)).await;
    assert!(a.iter().any(|c| c["id"] == mine.as_str()));
    // Importing again bumps versions instead of going backwards.
    ops::import_from_file(&s2.store, &file).unwrap();
    let rec = s2
        .store
        .read(|tx| tx.get("requests", &mine))
        .unwrap()
        .unwrap();
    assert_eq!(rec.envelope.version, 2);

    // An invalid record aborts the whole import.
    let mut bad = ops::export(&s.store).unwrap();
    let len = bad.records.len();
    bad.records[len - 1].envelope.data = json!({"title": 5});
    bad.records[len - 1].envelope.deleted = false;
    let (_d3, s3) = start().await;
    assert!(ops::import(&s3.store, bad).is_err());
    assert_eq!(s3.record_count(), 0);
}

/// The real binary: an answered push survives `kill -9`, and the CLI honours its flags.
#[tokio::test]
async fn answered_push_survives_kill_9() {
    let dirs = Dirs::new();
    let client = reqwest::Client::new();
    let (mut child, base) = spawn_binary(&dirs, &[]);
    wait_up(&client, &base).await;
    let id = uuid();
    let body = json!({"mutations": [mutation("requests", &id, 0, request_data("Überlebt"))]});
    let res: Value = client
        .post(format!("{base}/api/v1/push"))
        .header("X-Device-Key", KEY_A)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(res["results"][0]["status"], "applied");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let (mut child, base) = spawn_binary(&dirs, &[]);
    wait_up(&client, &base).await;
    let page: Value = client
        .get(format!("{base}/api/v1/changes"))
        .header("X-Device-Key", KEY_A)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(page["changes"][0]["id"], id.as_str());
    assert_eq!(page["changes"][0]["data"]["title"], "Überlebt");
}
