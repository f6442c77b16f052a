//! Login, sessions, throttling and the accounts endpoints (SPEC §7 session, §8) over real HTTP.

mod common;

use std::time::Duration;

use common::*;
use lotsen_server::{AuthConfig, ThrottleConfig};
use reqwest::Method;
use serde_json::{json, Value};

const BUERO_PW: &str = "buero-passwort-1";
const LOTSE_PW: &str = "lotse-passwort-1";

/// A server with a Büro account `buero` and a Lotse account `lotse` linked to a Lotse record,
/// whose id is returned.
async fn setup(auth: AuthConfig) -> (Dirs, TestServer, String) {
    let (d, s) = start_with(auth).await;
    let topic = uuid();
    let lotse = uuid();
    s.admin_push(vec![
        mutation("topics", &topic, 0, topic_data("dms")),
        mutation("lotsen", &lotse, 0, lotse_data("Eva Muster", &topic, true)),
    ]);
    s.add_account("buero", BUERO_PW, "buero", None);
    s.add_account("lotse", LOTSE_PW, "lotse", Some(&lotse));
    (d, s, lotse)
}

async fn session(s: &TestServer, cookie: Option<&str>) -> (u16, Value) {
    s.call(
        Method::GET,
        "/api/v1/session",
        None,
        As { key: None, cookie },
    )
    .await
}

fn assert_error(status: u16, body: &Value, want_status: u16, code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        !body["error"]["message"].as_str().unwrap_or("").is_empty(),
        "{body}"
    );
}

#[tokio::test]
async fn login_sets_a_safe_cookie_and_get_session_shows_the_user() {
    let (_d, s, lotse_id) = setup(AuthConfig::default()).await;

    let l = s.login("lotse", LOTSE_PW).await;
    assert_eq!(l.status, 200, "{}", l.body);
    assert_eq!(
        l.body,
        json!({"username": "lotse", "role": "lotse", "lotse": lotse_id})
    );
    let set_cookie = l.set_cookie.unwrap();
    let attrs: Vec<&str> = set_cookie.split(';').map(str::trim).collect();
    let token = attrs[0].strip_prefix("lotsen_session=").unwrap();
    assert_eq!(token.len(), 64, "256 bits, hex");
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    for want in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(attrs.contains(&want), "{want} missing in {set_cookie}");
    }
    assert!(
        !attrs.contains(&"Secure"),
        "plain http must work: {set_cookie}"
    );

    let cookie = l.cookie.unwrap();
    let (status, body) = session(&s, Some(&cookie)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"username": "lotse", "role": "lotse", "lotse": lotse_id})
    );

    let b = s.login("buero", BUERO_PW).await;
    assert_eq!(
        b.body,
        json!({"username": "buero", "role": "buero", "lotse": null})
    );
    // Usernames are not case sensitive at login.
    assert_eq!(s.login("Buero", BUERO_PW).await.status, 200);

    let (status, body) = session(&s, None).await;
    assert_error(status, &body, 401, "unauthenticated");
    let bogus = format!("lotsen_session={}", "0".repeat(64));
    let res = s
        .send(Method::GET, "/api/v1/session", None, with_cookie(&bogus))
        .await;
    assert_eq!(res.status(), 401);
    let cleared = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
}

#[tokio::test]
async fn the_database_keeps_only_the_hash_of_the_token() {
    let (d, s, _) = setup(AuthConfig::default()).await;
    let cookie = s.cookie("buero", BUERO_PW).await;
    let token = cookie.strip_prefix("lotsen_session=").unwrap().to_owned();
    assert!(
        every_stored_text(&d.data()).contains(&lotsen_server::auth::hash_token(&token)),
        "the test looks in the right place"
    );
    if pg::enabled() {
        assert!(
            !every_stored_text(&d.data()).contains(&token),
            "the raw token must not be stored"
        );
    } else {
        let bytes = std::fs::read(d.data().join("lotsen.sqlite3")).unwrap();
        let wal = std::fs::read(d.data().join("lotsen.sqlite3-wal")).unwrap_or_default();
        for file in [&bytes, &wal] {
            assert!(
                !file.windows(token.len()).any(|w| w == token.as_bytes()),
                "the raw token must not be stored"
            );
        }
    }
}

#[tokio::test]
async fn secure_flag_when_configured() {
    let (_d, s, _) = setup(AuthConfig {
        secure_cookies: true,
        ..AuthConfig::default()
    })
    .await;
    let l = s.login("buero", BUERO_PW).await;
    let c = l.set_cookie.unwrap();
    assert!(c.split(';').any(|a| a.trim() == "Secure"), "{c}");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let (_d, s, _) = setup(AuthConfig::default()).await;
    let wrong = s.login("buero", "falsches-passwort").await;
    let unknown = s.login("niemand", "falsches-passwort").await;
    for l in [&wrong, &unknown] {
        assert_error(l.status, &l.body, 401, "invalid_credentials");
        assert!(l.set_cookie.is_none());
    }
    assert_eq!(wrong.body, unknown.body, "no user enumeration");
    // Malformed logins are JSON errors too.
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/session",
            Some(json!({"username": "buero"})),
            NOBODY,
        )
        .await;
    assert_error(status, &body, 422, "invalid_body");
}

#[tokio::test]
async fn disabled_account_cannot_log_in_and_its_sessions_end() {
    let (_d, s, _) = setup(AuthConfig::default()).await;
    let buero = s.cookie("buero", BUERO_PW).await;
    let lotse = s.cookie("lotse", LOTSE_PW).await;
    assert_eq!(session(&s, Some(&lotse)).await.0, 200);

    let (status, body) = s
        .call(
            Method::PATCH,
            "/api/v1/accounts/lotse",
            Some(json!({"disabled": true})),
            with_cookie(&buero),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["disabled"], true);

    let (status, body) = session(&s, Some(&lotse)).await;
    assert_error(status, &body, 401, "unauthenticated");
    let l = s.login("lotse", LOTSE_PW).await;
    assert_error(l.status, &l.body, 403, "account_disabled");
    assert!(l.set_cookie.is_none());
    // A wrong password on a disabled account says nothing about the account.
    let l = s.login("lotse", "falsches-passwort").await;
    assert_error(l.status, &l.body, 401, "invalid_credentials");

    let (status, _) = s
        .call(
            Method::PATCH,
            "/api/v1/accounts/lotse",
            Some(json!({"disabled": false})),
            with_cookie(&buero),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(s.login("lotse", LOTSE_PW).await.status, 200);
    // The old session stays ended.
    assert_eq!(session(&s, Some(&lotse)).await.0, 401);
}

#[tokio::test]
async fn idle_timeout_ends_unused_sessions_and_use_extends_them() {
    let (_d, s, _) = setup(AuthConfig {
        idle_timeout: Duration::from_millis(1500),
        touch_interval: Duration::ZERO,
        ..AuthConfig::default()
    })
    .await;
    let cookie = s.cookie("buero", BUERO_PW).await;
    // Used every second: stays alive past the idle timeout.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(900)).await;
        assert_eq!(session(&s, Some(&cookie)).await.0, 200);
    }
    tokio::time::sleep(Duration::from_millis(1700)).await;
    let (status, body) = session(&s, Some(&cookie)).await;
    assert_error(status, &body, 401, "unauthenticated");
    // And it is anonymous for pulls: no applications, no requests.
    let seen = s.pull_all_as(with_cookie(&cookie)).await;
    assert!(seen.iter().all(|c| c["collection"] != "applications"));
}

#[tokio::test]
async fn touch_interval_spares_writes_but_bounds_idle_precision() {
    // With a touch interval longer than the idle timeout, use does not extend the session.
    let (_d, s, _) = setup(AuthConfig {
        idle_timeout: Duration::from_millis(1500),
        touch_interval: Duration::from_secs(60),
        ..AuthConfig::default()
    })
    .await;
    let cookie = s.cookie("buero", BUERO_PW).await;
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(session(&s, Some(&cookie)).await.0, 200);
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(session(&s, Some(&cookie)).await.0, 401);
}

#[tokio::test]
async fn absolute_timeout_ends_even_busy_sessions() {
    let (_d, s, _) = setup(AuthConfig {
        absolute_timeout: Duration::from_secs(2),
        touch_interval: Duration::ZERO,
        ..AuthConfig::default()
    })
    .await;
    let l = s.login("buero", BUERO_PW).await;
    assert!(l.set_cookie.unwrap().contains("Max-Age=2"));
    let cookie = l.cookie.unwrap();
    for _ in 0..3 {
        assert_eq!(session(&s, Some(&cookie)).await.0, 200);
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(session(&s, Some(&cookie)).await.0, 401);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let (_d, s, _) = setup(AuthConfig::default()).await;
    let mine = uuid();
    s.push(
        vec![mutation("requests", &mine, 0, request_data("Von Gerät A"))],
        Some(KEY_A),
    )
    .await;
    let cookie = s.cookie("lotse", LOTSE_PW).await;
    let seen = s.pull_all_as(with_cookie(&cookie)).await;
    assert!(seen.iter().any(|c| c["id"] == mine.as_str()));

    let res = s
        .send(
            Method::DELETE,
            "/api/v1/session",
            None,
            with_cookie(&cookie),
        )
        .await;
    assert_eq!(res.status(), 204);
    let cleared = res.headers()["set-cookie"].to_str().unwrap();
    assert!(cleared.starts_with("lotsen_session=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(res.headers()["clear-site-data"], "\"cache\"");

    // Replaying the old cookie: anonymous everywhere.
    let (status, _) = session(&s, Some(&cookie)).await;
    assert_eq!(status, 401);
    let seen = s.pull_all_as(with_cookie(&cookie)).await;
    assert!(!seen.iter().any(|c| c["id"] == mine.as_str()));
    let r = s
        .push_as(
            vec![mutation(
                "notes",
                &uuid(),
                0,
                json!({"request": mine, "text": "x"}),
            )],
            with_cookie(&cookie),
        )
        .await;
    assert_eq!(r[0]["status"], "rejected");
    // Logging out twice is harmless.
    let res = s
        .send(
            Method::DELETE,
            "/api/v1/session",
            None,
            with_cookie(&cookie),
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = s
        .send(Method::DELETE, "/api/v1/session", None, NOBODY)
        .await;
    assert_eq!(res.status(), 204);
}

/// What a caller may see changes with the login, so a cursor does not carry over: the client
/// must pull from the start, and with it drops what it may no longer hold.
#[tokio::test]
async fn a_cursor_is_only_valid_for_whom_it_was_made() {
    let (_d, s, _) = setup(AuthConfig::default()).await;
    let cursor_of = |page: &Value| page["cursor"].as_str().unwrap().to_owned();
    let pull = |since: String, cookie: Option<String>| {
        let s = &s;
        async move {
            let who = As {
                key: Some(KEY_A),
                cookie: cookie.as_deref(),
            };
            s.call(
                Method::GET,
                &format!("/api/v1/changes?since={since}"),
                None,
                who,
            )
            .await
        }
    };
    let (status, anonymous) = pull("0".into(), None).await;
    assert_eq!(status, 200);
    let anonymous = cursor_of(&anonymous);
    let lotse = s.cookie("lotse", LOTSE_PW).await;
    let buero = s.cookie("buero", BUERO_PW).await;

    let (status, body) = pull(anonymous.clone(), Some(lotse.clone())).await;
    assert_error(status, &body, 410, "reset_required");
    let (status, page) = pull("0".into(), Some(lotse.clone())).await;
    assert_eq!(status, 200);
    let as_lotse = cursor_of(&page);
    let (status, _) = pull(as_lotse.clone(), Some(lotse.clone())).await;
    assert_eq!(status, 200, "the same caller goes on from its cursor");
    let (status, body) = pull(as_lotse.clone(), Some(buero)).await;
    assert_error(status, &body, 410, "reset_required");
    // Logged out (or the session expired): the Lotse's cursor is no longer good.
    let (status, body) = pull(as_lotse.clone(), None).await;
    assert_error(status, &body, 410, "reset_required");
    let (status, _) = pull(anonymous, None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_new_login_replaces_the_browsers_old_session() {
    let (_d, s, _) = setup(AuthConfig::default()).await;
    let old = s.cookie("lotse", LOTSE_PW).await;
    let res = s
        .client
        .post(s.url("/api/v1/session"))
        .header("Cookie", &old)
        .json(&json!({"username": "buero", "password": BUERO_PW}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(session(&s, Some(&old)).await.0, 401);
}

/// Login delays short enough for a test: free failures per (account, address), per account
/// and per address, then waits of 1, 2, 4 … s.
fn throttle(per_pair: u32, per_account: u32, per_address: u32) -> AuthConfig {
    AuthConfig {
        throttle: ThrottleConfig {
            free_per_pair: per_pair,
            free_per_account: per_account,
            free_per_address: per_address,
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            forget_after: Duration::from_secs(600),
            known_for: Duration::from_secs(600),
        },
        ..AuthConfig::default()
    }
}

/// A client whose connections come from `ip` (any 127.x address reaches the server).
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(Some(ip.parse().unwrap()))
        .build()
        .unwrap()
}

#[tokio::test]
async fn wrong_passwords_slow_down_their_source_and_never_lock_the_colleague_out() {
    let (_d, s, _) = setup(throttle(3, 5, 100)).await;
    let desk = client_from("127.0.0.1");
    assert_eq!(s.login_from(&desk, "buero", BUERO_PW).await.status, 200);

    // Someone elsewhere guesses the Büro's password.
    let attacker = client_from("127.0.0.2");
    for _ in 0..3 {
        assert_eq!(
            s.login_from(&attacker, "buero", "raten-raten").await.status,
            401
        );
    }
    // Their next try waits, even with the right password.
    let l = s.login_from(&attacker, "buero", BUERO_PW).await;
    assert_error(l.status, &l.body, 429, "too_many_attempts");
    let msg = l.body["error"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("Zu viele Fehlversuche. Bitte warten Sie"),
        "{msg}"
    );
    let retry: u64 = l.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(retry, 1);
    assert!(l.set_cookie.is_none());

    // The colleague at her own desk logs in as always: wrong guesses elsewhere do not lock her
    // out (before, five of them locked the account for everyone for 15 minutes).
    assert_eq!(s.login_from(&desk, "buero", BUERO_PW).await.status, 200);

    // Guessing from ever new addresses: the account-wide counter (which her login reset)
    // slows the unknown ones.
    for ip in [
        "127.0.0.3",
        "127.0.0.4",
        "127.0.0.5",
        "127.0.0.6",
        "127.0.0.7",
    ] {
        let l = s.login_from(&client_from(ip), "buero", "raten-raten").await;
        assert_eq!(l.status, 401);
    }
    let l = s
        .login_from(&client_from("127.0.0.8"), "buero", "raten-raten")
        .await;
    assert_error(l.status, &l.body, 429, "too_many_attempts");
    assert_eq!(s.login_from(&desk, "buero", BUERO_PW).await.status, 200);

    // The delay passes by itself.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        s.login_from(&attacker, "buero", "raten-raten").await.status,
        401
    );
    // … and the next one waits twice as long.
    let l = s.login_from(&attacker, "buero", BUERO_PW).await;
    let retry: u64 = l.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(retry, 2);
}

#[tokio::test]
async fn a_success_forgives_the_own_typos() {
    let (_d, s, _) = setup(throttle(3, 100, 100)).await;
    for _ in 0..2 {
        assert_eq!(s.login("buero", "falsch-falsch").await.status, 401);
    }
    assert_eq!(s.login("buero", BUERO_PW).await.status, 200);
    for _ in 0..2 {
        assert_eq!(s.login("buero", "falsch-falsch").await.status, 401);
    }
    assert_eq!(s.login("buero", BUERO_PW).await.status, 200);
    for _ in 0..3 {
        assert_eq!(s.login("buero", "falsch-falsch").await.status, 401);
    }
    assert_eq!(s.login("buero", BUERO_PW).await.status, 429);
}

#[tokio::test]
async fn spraying_from_one_address_slows_new_names_not_known_colleagues() {
    let (_d, s, _) = setup(throttle(100, 100, 3)).await;
    let proxy = client_from("127.0.0.3");
    // The Büro has logged in through the city's proxy before.
    assert_eq!(s.login_from(&proxy, "buero", BUERO_PW).await.status, 200);
    for name in ["anna", "bert", "carl"] {
        assert_eq!(s.login_from(&proxy, name, "raten-raten").await.status, 401);
    }
    let l = s.login_from(&proxy, "dora", "raten-raten").await;
    assert_error(l.status, &l.body, 429, "too_many_attempts");
    assert!(l.headers.contains_key("retry-after"));
    let l = s.login_from(&proxy, "lotse", LOTSE_PW).await;
    assert_eq!(
        l.status, 429,
        "an account never used from this address waits"
    );
    // A colleague known at this address is not held up; another address is not affected.
    assert_eq!(s.login_from(&proxy, "buero", BUERO_PW).await.status, 200);
    let elsewhere = client_from("127.0.0.4");
    assert_eq!(
        s.login_from(&elsewhere, "lotse", LOTSE_PW).await.status,
        200
    );
}

#[tokio::test]
async fn accounts_endpoints_are_for_the_buero_only() {
    let (_d, s, lotse_id) = setup(AuthConfig::default()).await;
    let buero = s.cookie("buero", BUERO_PW).await;
    let lotse = s.cookie("lotse", LOTSE_PW).await;
    let new = json!({"username": "neu.er", "password": "ein-langes-passwort", "role": "lotse", "lotse": null});
    let change = json!({"disabled": true});

    for (who, status, code) in [
        (NOBODY, 401, "unauthenticated"),
        (with_key(KEY_A), 401, "unauthenticated"),
        (with_cookie(&lotse), 403, "forbidden"),
    ] {
        let (st, body) = s.call(Method::GET, "/api/v1/accounts", None, who).await;
        assert_error(st, &body, status, code);
        let (st, body) = s
            .call(Method::POST, "/api/v1/accounts", Some(new.clone()), who)
            .await;
        assert_error(st, &body, status, code);
        let (st, body) = s
            .call(
                Method::PATCH,
                "/api/v1/accounts/buero",
                Some(change.clone()),
                who,
            )
            .await;
        assert_error(st, &body, status, code);
    }
    // Nothing changed.
    assert_eq!(s.login("buero", BUERO_PW).await.status, 200);
    assert!(s.store.read(|tx| tx.account("neu.er")).unwrap().is_none());

    // The Büro lists accounts, never their hashes.
    let res = s
        .send(Method::GET, "/api/v1/accounts", None, with_cookie(&buero))
        .await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(!text.contains("argon2"), "{text}");
    assert!(!text.contains("password"), "{text}");
    let list: Value = serde_json::from_str(&text).unwrap();
    let accounts = list["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0]["username"], "buero");
    assert_eq!(accounts[0]["role"], "buero");
    assert_eq!(accounts[0]["disabled"], false);
    assert!(accounts[0]["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(accounts[1]["username"], "lotse");
    assert_eq!(accounts[1]["lotse"], lotse_id.as_str());
}

#[tokio::test]
async fn buero_creates_and_changes_accounts_with_validation() {
    let (_d, s, lotse_id) = setup(AuthConfig::default()).await;
    let buero = s.cookie("buero", BUERO_PW).await;
    let who = with_cookie(&buero);
    let post = |body: Value| s.call(Method::POST, "/api/v1/accounts", Some(body), who);

    let (st, body) = post(
        json!({"username": "kai.lotse", "password": "ein-langes-passwort",
                                 "role": "lotse", "lotse": lotse_id}),
    )
    .await;
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["username"], "kai.lotse");
    assert_eq!(body["lotse"], lotse_id.as_str());
    let l = s.login("kai.lotse", "ein-langes-passwort").await;
    assert_eq!(
        l.body,
        json!({"username": "kai.lotse", "role": "lotse", "lotse": lotse_id})
    );

    for (body, status, code) in [
        (
            json!({"username": "kai.lotse", "password": "ein-langes-passwort", "role": "lotse"}),
            409,
            "account_exists",
        ),
        (
            json!({"username": "Kai", "password": "ein-langes-passwort", "role": "lotse"}),
            422,
            "invalid_username",
        ),
        (
            json!({"username": "ab", "password": "ein-langes-passwort", "role": "lotse"}),
            422,
            "invalid_username",
        ),
        (
            json!({"username": "a".repeat(65), "password": "ein-langes-passwort", "role": "lotse"}),
            422,
            "invalid_username",
        ),
        (
            json!({"username": "kurz", "password": "123456789", "role": "lotse"}),
            422,
            "weak_password",
        ),
        (
            json!({"username": "rolle", "password": "ein-langes-passwort", "role": "admin"}),
            422,
            "invalid_role",
        ),
        (
            json!({"username": "fremd", "password": "ein-langes-passwort", "role": "lotse",
                   "lotse": uuid()}),
            422,
            "unknown_lotse",
        ),
        (
            json!({"username": "fremd", "password": "ein-langes-passwort", "role": "buero",
                   "lotse": lotse_id}),
            422,
            "invalid_lotse",
        ),
        (
            json!({"username": "fremd", "password": "ein-langes-passwort", "role": "lotse",
                   "admin": true}),
            422,
            "invalid_body",
        ),
    ] {
        let (st, b) = post(body.clone()).await;
        assert_error(st, &b, status, code);
    }
    // Every problem at once, each at its field, in the order of the form.
    let (st, b) = post(json!({"username": "Kai Lotse", "password": "kurz", "role": "admin"})).await;
    assert_error(st, &b, 422, "invalid_username");
    assert_eq!(
        error_fields(&b),
        [
            ("invalid_username".into(), "username".into()),
            ("weak_password".into(), "password".into()),
            ("invalid_role".into(), "role".into()),
        ]
    );
    assert_eq!(b["error"]["message"], b["errors"][0]["message"]);
    assert_eq!(
        s.store.read(|tx| tx.accounts()).unwrap().len(),
        3,
        "nothing else created"
    );

    // A new password ends the account's sessions; the old password stops working.
    let kai = l.cookie.unwrap();
    let patch = |name: &str, body: Value| {
        let path = format!("/api/v1/accounts/{name}");
        let s = &s;
        async move { s.call(Method::PATCH, &path, Some(body), who).await }
    };
    let (st, b) = patch("kai.lotse", json!({"password": "ein-neues-passwort"})).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(session(&s, Some(&kai)).await.0, 401);
    assert_eq!(
        s.login("kai.lotse", "ein-langes-passwort").await.status,
        401
    );
    assert_eq!(s.login("kai.lotse", "ein-neues-passwort").await.status, 200);

    // Role and link.
    let (st, b) = patch("kai.lotse", json!({"role": "buero"})).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["role"], "buero");
    assert_eq!(b["lotse"], Value::Null, "a Büro account is not linked");
    let (st, b) = patch("kai.lotse", json!({"role": "lotse", "lotse": lotse_id})).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["lotse"], lotse_id.as_str());
    let (st, b) = patch("kai.lotse", json!({"lotse": null})).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["lotse"], Value::Null);

    for (name, body, status, code) in [
        (
            "buero",
            json!({"disabled": true}),
            422,
            "cannot_disable_self",
        ),
        ("buero", json!({"role": "lotse"}), 422, "cannot_demote_self"),
        ("niemand", json!({"disabled": true}), 404, "unknown_account"),
        (
            "kai.lotse",
            json!({"password": "kurz"}),
            422,
            "weak_password",
        ),
        ("kai.lotse", json!({"role": "chef"}), 422, "invalid_role"),
        ("kai.lotse", json!({"lotse": uuid()}), 422, "unknown_lotse"),
        ("kai.lotse", json!({"disable": true}), 422, "invalid_body"),
    ] {
        let (st, b) = patch(name, body).await;
        assert_error(st, &b, status, code);
    }
    // The Büro's own session survives its own password change.
    let (st, _) = patch("buero", json!({"password": "noch-ein-passwort"})).await;
    assert_eq!(st, 200);
    assert_eq!(session(&s, Some(&buero)).await.0, 200);
    assert_eq!(s.login("buero", "noch-ein-passwort").await.status, 200);
}

#[tokio::test]
async fn demo_accounts_log_in() {
    let (_d, s) = start().await;
    lotsen_server::demo::seed_if_empty(&s.store).unwrap();
    let b = s.login("buero", "demo-buero").await;
    assert_eq!(b.body["role"], "buero", "{}", b.body);
    let l = s.login("lotse", "demo-lotse").await;
    assert_eq!(l.body["role"], "lotse", "{}", l.body);
    let linked = l.body["lotse"].as_str().unwrap();
    assert!(s.stored("lotsen", linked).is_some());
}

/// Runs the real binary with `args` (and `stdin`); returns success and stdout+stderr.
fn cli(args: &[&str], stdin: Option<&str>) -> (bool, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let data_dir = args
        .iter()
        .position(|a| *a == "--data-dir")
        .and_then(|i| args.get(i + 1))
        .expect("--data-dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_lotsen-server"))
        .args(args)
        .envs(database_env(std::path::Path::new(data_dir)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn account_command_line() {
    let d = Dirs::new();
    let data = d.data();
    let dir = data.to_str().unwrap();
    let (ok, out) = cli(
        &[
            "account",
            "add",
            "chefin",
            "--role",
            "buero",
            "--password",
            "chefin-passwort",
            "--data-dir",
            dir,
        ],
        None,
    );
    assert!(ok, "{out}");
    // Password from stdin (one line).
    let (ok, out) = cli(
        &[
            "account",
            "add",
            "kai",
            "--role",
            "lotse",
            "--data-dir",
            dir,
        ],
        Some("kai-passwort-1\n"),
    );
    assert!(ok, "{out}");
    let (ok, out) = cli(
        &[
            "account",
            "add",
            "kurz",
            "--role",
            "lotse",
            "--data-dir",
            dir,
        ],
        Some("zu-kurz\n"),
    );
    assert!(!ok && out.contains("mindestens 10 Zeichen"), "{out}");
    let (ok, out) = cli(
        &[
            "account",
            "add",
            "geist",
            "--role",
            "lotse",
            "--lotse",
            &uuid(),
            "--password",
            "geist-passwort",
            "--data-dir",
            dir,
        ],
        None,
    );
    assert!(!ok && out.contains("Lotsen-Profil"), "{out}");
    let (ok, out) = cli(&["account", "disable", "kai", "--data-dir", dir], None);
    assert!(ok, "{out}");
    let (ok, out) = cli(&["account", "list", "--data-dir", dir], None);
    assert!(ok, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with("chefin") && lines[0].contains("aktiv"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("kai") && lines[1].contains("gesperrt"),
        "{out}"
    );
    assert!(!out.contains("argon2"));

    let s = TestServer::start(&data, &d.dist()).await;
    assert_eq!(s.login("kai", "kai-passwort-1").await.status, 403);
    let chefin = s.cookie("chefin", "chefin-passwort").await;
    s.stop().await;

    let (ok, out) = cli(&["account", "enable", "kai", "--data-dir", dir], None);
    assert!(ok, "{out}");
    let (ok, out) = cli(
        &["account", "reset-password", "chefin", "--data-dir", dir],
        Some("neues-chefin-passwort\r\n"),
    );
    assert!(ok, "{out}");
    let (ok, out) = cli(&["account", "enable", "niemand", "--data-dir", dir], None);
    assert!(!ok && out.contains("gibt es nicht"), "{out}");

    let s = TestServer::start(&data, &d.dist()).await;
    assert_eq!(s.login("kai", "kai-passwort-1").await.status, 200);
    assert_eq!(s.login("chefin", "chefin-passwort").await.status, 401);
    assert_eq!(s.login("chefin", "neues-chefin-passwort").await.status, 200);
    // The reset ended the old session.
    assert_eq!(session(&s, Some(&chefin)).await.0, 401);
    s.stop().await;
}
