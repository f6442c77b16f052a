//! Sign-in through the city's directory against a real OpenLDAP server (`common::ldap`).

mod common;

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::ldap::{uid, Slapd, BASE, BUERO, LOTSEN, SERVICE_DN, SERVICE_PW};
use common::{with_cookie, Dirs, TestServer};
use lotsen_server::directory::{Directory, DirectoryConfig};
use lotsen_server::http::HttpLimits;
use lotsen_server::{AuthConfig, ThrottleConfig};
use serde_json::{json, Value};

async fn server_with(config: DirectoryConfig, auth: AuthConfig) -> (Dirs, TestServer) {
    let dirs = Dirs::new();
    let directory = Directory::new(config).expect("a valid directory configuration");
    let server = TestServer::start_custom(
        &dirs.data(),
        &dirs.dist(),
        auth,
        HttpLimits::default(),
        |state| state.with_directory(directory),
    )
    .await;
    (dirs, server)
}

async fn server(slapd: &Slapd) -> (Dirs, TestServer) {
    server_with(slapd.config(), AuthConfig::default()).await
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn roles_come_from_the_groups() {
    let slapd = Slapd::start();
    let (_dirs, s) = server(&slapd).await;

    let buero = s.login("pbuero", "buero-pw").await;
    assert_eq!(buero.status, 200, "{}", buero.body);
    assert_eq!(buero.body["role"], "buero");
    assert!(buero.cookie.is_some());

    let lotse = s.login("abecker", "anna-pw").await;
    assert_eq!(lotse.status, 200, "{}", lotse.body);
    assert_eq!(lotse.body["role"], "lotse");

    // In both groups: the Büro wins. Only through a nested group: a Lotse.
    assert_eq!(s.login("kbeide", "karin-pw").await.body["role"], "buero");
    assert_eq!(s.login("nbau", "nils-pw").await.body["role"], "lotse");
    // The login name is not case-sensitive, as in Windows.
    assert_eq!(s.login("ABecker", "anna-pw").await.status, 200);

    let staff = s.login("sschulz", "sven-pw").await;
    assert_eq!(staff.status, 403);
    assert_eq!(error_code(&staff.body), "not_a_member");
    assert_eq!(
        staff.body["error"]["message"],
        "Ihr Konto gehört weder zu den Digitalen Lotsen noch zum Projektbüro."
    );
    assert!(staff.cookie.is_none());
}

#[tokio::test]
async fn wrong_unknown_empty_and_injected_all_look_alike() {
    let slapd = Slapd::start();
    let (_dirs, s) = server(&slapd).await;
    let wrong = s.login("abecker", "falsch").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(error_code(&wrong.body), "invalid_credentials");
    for (user, pw) in [
        ("niemand", "anna-pw"),
        // An empty password would be an anonymous bind that "succeeds"; it never reaches the
        // directory (OpenLDAP would refuse it with a different answer).
        ("abecker", ""),
        // Filter injection: escaped, these names match nobody.
        ("*", "anna-pw"),
        ("abeck*", "anna-pw"),
        ("*)(uid=*", "anna-pw"),
        ("abecker)(|(uid=*", "anna-pw"),
        ("abecker\0", "anna-pw"),
        ("\\2a", "anna-pw"),
    ] {
        let l = s.login(user, pw).await;
        assert_eq!(
            (l.status, l.body.clone()),
            (wrong.status, wrong.body.clone()),
            "{user:?}"
        );
        assert!(l.cookie.is_none());
    }
}

#[tokio::test]
async fn directory_logins_are_throttled_like_local_ones() {
    let slapd = Slapd::start();
    let auth = AuthConfig {
        throttle: ThrottleConfig {
            free_per_pair: 2,
            first_delay: Duration::from_secs(60),
            ..ThrottleConfig::default()
        },
        ..AuthConfig::default()
    };
    let (_dirs, s) = server_with(slapd.config(), auth).await;
    assert_eq!(s.login("abecker", "falsch").await.status, 401);
    assert_eq!(s.login("abecker", "falsch").await.status, 401);
    let throttled = s.login("abecker", "anna-pw").await;
    assert_eq!(throttled.status, 429, "{}", throttled.body);
    assert!(throttled.headers.get("retry-after").is_some());
}

#[tokio::test]
async fn a_directory_that_is_down_stops_directory_logins_only() {
    let mut slapd = Slapd::start();
    let (_dirs, s) = server(&slapd).await;
    s.add_account("notfall", "notfall-passwort-1", "buero", None);
    assert_eq!(s.login("abecker", "anna-pw").await.status, 200);

    slapd.stop();
    let down = s.login("abecker", "anna-pw").await;
    assert_eq!(down.status, 503, "{}", down.body);
    assert_eq!(error_code(&down.body), "directory_unavailable");
    assert_eq!(
        down.body["error"]["message"],
        "Die Anmeldung über das Verzeichnis ist gerade nicht möglich."
    );
    // Local accounts (break-glass access) still log in.
    assert_eq!(s.login("notfall", "notfall-passwort-1").await.status, 200);

    slapd.run();
    assert_eq!(s.login("abecker", "anna-pw").await.status, 200);
}

#[tokio::test]
async fn a_directory_that_does_not_answer_times_out() {
    // A socket that accepts and never answers: the login must not hang.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let slapd = Slapd::start();
    let config = DirectoryConfig {
        url: format!("ldap://127.0.0.1:{}", silent.local_addr().unwrap().port()),
        timeout: Duration::from_secs(1),
        ..slapd.config()
    };
    let (_dirs, s) = server_with(config, AuthConfig::default()).await;
    let started = Instant::now();
    let l = s.login("abecker", "anna-pw").await;
    assert_eq!(l.status, 503, "{}", l.body);
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn tls_with_the_city_ca_and_refusal_of_an_untrusted_certificate() {
    let slapd = Slapd::start();
    let starttls = DirectoryConfig {
        starttls: true,
        ca_file: Some(slapd.pki.ca.clone()),
        url: format!("ldap://localhost:{}", slapd.port),
        ..slapd.config()
    };
    let (_d1, s) = server_with(starttls.clone(), AuthConfig::default()).await;
    let l = s.login("abecker", "anna-pw").await;
    assert_eq!(l.status, 200, "StartTLS: {}", l.body);

    let ldaps = DirectoryConfig {
        starttls: false,
        url: format!("ldaps://localhost:{}", slapd.tls_port),
        ..starttls.clone()
    };
    let (_d2, s) = server_with(ldaps.clone(), AuthConfig::default()).await;
    assert_eq!(s.login("abecker", "anna-pw").await.status, 200, "ldaps");

    for untrusted in [
        DirectoryConfig {
            ca_file: Some(slapd.pki.other_ca.clone()),
            ..starttls
        },
        DirectoryConfig {
            ca_file: Some(slapd.pki.other_ca.clone()),
            ..ldaps
        },
    ] {
        let (_d, s) = server_with(untrusted, AuthConfig::default()).await;
        let l = s.login("abecker", "anna-pw").await;
        assert_eq!(
            l.status, 503,
            "an untrusted certificate is refused: {}",
            l.body
        );
        assert!(l.cookie.is_none());
    }
}

#[tokio::test]
async fn bad_configuration_is_refused_with_a_german_message() {
    let slapd = Slapd::start();
    let broken = [
        DirectoryConfig {
            url: "http://verzeichnis".into(),
            ..slapd.config()
        },
        DirectoryConfig {
            base_dn: " ".into(),
            ..slapd.config()
        },
        DirectoryConfig {
            user_filter: "(uid=*)".into(),
            ..slapd.config()
        },
        DirectoryConfig {
            bind_password: None,
            ..slapd.config()
        },
        DirectoryConfig {
            lotse_group: None,
            buero_group: None,
            ..slapd.config()
        },
        DirectoryConfig {
            ca_file: Some(slapd.pki.key.with_file_name("fehlt.pem")),
            ..slapd.config()
        },
        DirectoryConfig {
            ca_file: Some(slapd.pki.key.clone()),
            ..slapd.config()
        },
    ];
    for config in broken {
        let err = Directory::new(config.clone()).expect_err(&format!("{config:?}"));
        assert!(err.contains("LOTSEN_LDAP_"), "{err}");
    }
}

#[tokio::test]
async fn the_first_login_makes_the_profile_and_later_ones_refresh_it() {
    let slapd = Slapd::start();
    let (_dirs, s) = server(&slapd).await;
    let first = s.login("abecker", "anna-pw").await;
    assert_eq!(first.status, 200, "{}", first.body);
    let lotse = first.body["lotse"]
        .as_str()
        .expect("a linked profile")
        .to_owned();
    let (version, deleted, data) = s.stored("lotsen", &lotse).expect("the profile");
    assert!(!deleted);
    assert_eq!(data["name"], "Anna Becker");
    assert_eq!(data["department"], "Bürgerbüro");
    assert_eq!(data["phone"], "02921 103-1234");
    assert_eq!(data["email"], "anna.becker@soest.example");
    assert_eq!(data["skills"], json!([]));

    // The same login again changes nothing: no new version.
    s.login("abecker", "anna-pw").await;
    assert_eq!(s.stored("lotsen", &lotse).unwrap().0, version);

    // Another device has pulled the directory; the Lotse adds a skill of their own.
    let (_, cursor) = s.pull_all("", Some(common::KEY_B)).await;
    let cookie = s.cookie("abecker", "anna-pw").await;
    let topic = "4b1f3c1e-0000-4000-8000-000000000001";
    let pushed = s.admin_push(vec![json!({"mutation_id": "4b1f3c1e-0000-4000-8000-0000000000a1",
        "collection": "topics", "id": topic, "base_version": 0,
        "data": {"name": "E-Akte", "slug": "e-akte", "category": "Verwaltung digital", "description": "", "synonyms": []}})]);
    assert_eq!(
        pushed[0].status,
        lotsen_domain::MutationStatus::Applied,
        "{:?}",
        pushed[0].error
    );
    let mut mine = data.clone();
    mine["skills"] = json!([{"topic": topic, "level": 2}]);
    let r = s
        .push_as(
            vec![
                json!({"mutation_id": "4b1f3c1e-0000-4000-8000-0000000000a2",
                "collection": "lotsen", "id": lotse, "base_version": version, "data": mine}),
            ],
            with_cookie(&cookie),
        )
        .await;
    assert_eq!(r[0]["status"], "applied", "{}", r[0]);

    // The directory has a new phone number; the next login takes it, the skill stays.
    slapd.ldap_tool(
        "ldapmodify",
        &format!(
            "dn: {}\nchangetype: modify\nreplace: telephoneNumber\ntelephoneNumber: 02921 103-9876\n",
            uid("abecker")
        ),
    );
    assert_eq!(s.login("abecker", "anna-pw").await.status, 200);
    let (after, _, data) = s.stored("lotsen", &lotse).unwrap();
    assert_eq!(after, version + 2);
    assert_eq!(data["phone"], "02921 103-9876");
    assert_eq!(data["skills"], json!([{"topic": topic, "level": 2}]));

    // The other device pulls the change like any other.
    let changes = s.pull(&cursor, 500, Some(common::KEY_B)).await;
    let pulled: Vec<&Value> = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == lotse.as_str())
        .collect();
    assert_eq!(pulled.len(), 1, "{changes}");
    assert_eq!(pulled[0]["data"]["phone"], "02921 103-9876");
    assert_eq!(pulled[0]["updated_by"], "verzeichnis");
}

#[tokio::test]
async fn a_profile_with_the_directory_address_is_found_not_duplicated() {
    let slapd = Slapd::start();
    let (_dirs, s) = server(&slapd).await;
    let existing = "4b1f3c1e-0000-4000-8000-000000000042";
    let pushed = s.admin_push(vec![
        json!({"mutation_id": "4b1f3c1e-0000-4000-8000-0000000000b1",
        "collection": "lotsen", "id": existing, "base_version": 0,
        "data": {"name": "Jörg Müller", "department": "Bauamt", "phone": "02921 103-3100",
                 "email": "Joerg.Mueller@soest.example", "location": "Rathaus, Raum 3",
                 "availability": "", "skills": [], "learning": [], "active": true}}),
    ]);
    assert_eq!(pushed[0].status, lotsen_domain::MutationStatus::Applied);
    let before = s.record_count();
    let l = s.login("jmueller", "joerg-pw").await;
    assert_eq!(l.status, 200, "{}", l.body);
    assert_eq!(l.body["lotse"], existing);
    assert_eq!(s.record_count(), before, "no second profile");
    assert_eq!(
        s.stored("lotsen", existing).unwrap().2["location"],
        "Rathaus, Raum 3"
    );
}

#[tokio::test]
async fn a_local_account_of_the_same_name_wins() {
    let slapd = Slapd::start();
    let (_dirs, s) = server(&slapd).await;
    s.add_account("abecker", "lokales-passwort-1", "buero", None);
    let local = s.login("abecker", "lokales-passwort-1").await;
    assert_eq!(local.status, 200);
    assert_eq!(local.body["role"], "buero");
    // The directory's password is not asked for this name.
    assert_eq!(s.login("abecker", "anna-pw").await.status, 401);
}

#[tokio::test]
async fn the_buero_sees_directory_accounts_and_cannot_change_their_role() {
    let slapd = Slapd::start();
    let (_dirs, s) = server(&slapd).await;
    let buero = s.cookie("pbuero", "buero-pw").await;
    s.cookie("abecker", "anna-pw").await;
    let (status, list) = s
        .call(
            reqwest::Method::GET,
            "/api/v1/accounts",
            None,
            with_cookie(&buero),
        )
        .await;
    assert_eq!(status, 200, "{list}");
    let accounts = list["accounts"].as_array().unwrap();
    let anna = accounts
        .iter()
        .find(|a| a["username"] == "abecker")
        .unwrap();
    assert_eq!(anna["directory"], true);
    assert_eq!(anna["role"], "lotse");

    for change in [
        json!({"role": "buero"}),
        json!({"password": "ein-neues-passwort"}),
    ] {
        let (status, body) = s
            .call(
                reqwest::Method::PATCH,
                "/api/v1/accounts/abecker",
                Some(change.clone()),
                with_cookie(&buero),
            )
            .await;
        assert_eq!(status, 422, "{change}: {body}");
        assert_eq!(error_code(&body), "directory_account");
    }
    // Locking works as for every account, and holds against the directory's password.
    let (status, body) = s
        .call(
            reqwest::Method::PATCH,
            "/api/v1/accounts/abecker",
            Some(json!({"disabled": true})),
            with_cookie(&buero),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let locked = s.login("abecker", "anna-pw").await;
    assert_eq!(locked.status, 403);
    assert_eq!(error_code(&locked.body), "account_disabled");
}

#[test]
fn ldap_check_shows_the_groups_and_the_role_without_a_password() {
    let slapd = Slapd::start();
    let pw_file = slapd.dir.path().join("dienst.pw");
    std::fs::write(&pw_file, format!("{SERVICE_PW}\n")).unwrap();
    let check = |user: &str| {
        Command::new(env!("CARGO_BIN_EXE_lotsen-server"))
            .args(["ldap-check", user])
            .env("LOTSEN_LDAP_URL", slapd.url())
            .env("LOTSEN_LDAP_BIND_DN", SERVICE_DN)
            .env("LOTSEN_LDAP_BIND_PASSWORD_FILE", &pw_file)
            .env("LOTSEN_LDAP_BASE_DN", BASE)
            .env(
                "LOTSEN_LDAP_USER_FILTER",
                "(&(objectClass=inetOrgPerson)(uid={username}))",
            )
            .env("LOTSEN_LDAP_LOTSE_GROUP", LOTSEN)
            .env("LOTSEN_LDAP_BUERO_GROUP", BUERO)
            .env("LOTSEN_LDAP_DEPARTMENT_ATTR", "departmentNumber")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = check("nbau");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(&uid("nbau")), "{text}");
    assert!(text.contains("Bereich: Bauamt"), "{text}");
    assert!(text.contains("cn=Lotsen-Bauamt"), "{text}");
    assert!(text.contains(LOTSEN), "the nested group: {text}");
    assert!(text.contains("Rolle: Lotse"), "{text}");

    let out = check("sschulz");
    assert!(String::from_utf8_lossy(&out.stdout).contains("Rolle: keine"));
    let out = check("niemand");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nicht gefunden"));
}
