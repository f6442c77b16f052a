//! Mails about requests against a real SMTP server on a socket (mailin-embedded, started here):
//! who gets what, a relay that is down and comes back, a 5xx for one recipient, no internal
//! note in any mail, `kill -9` between the push and the delivery, and the `.eml` files without
//! a relay.

mod common;

use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use lotsen_server::http::HttpLimits;
use lotsen_server::mail::{self, MailConfig, Mailer};
use lotsen_server::AuthConfig;
use mailin_embedded::response::{NO_MAILBOX, OK, START_DATA};
use mailin_embedded::{Handler, Response, Server, SslConfig};
use serde_json::{json, Value};

/// One message as the relay received it.
#[derive(Clone, Debug)]
struct Received {
    to: Vec<String>,
    text: String,
}

/// The relay's mailbox and how it behaves: addresses it refuses with 550.
#[derive(Clone, Default)]
struct Relay {
    received: Arc<Mutex<Vec<Received>>>,
    refused: Arc<Mutex<HashSet<String>>>,
    // Per connection: the message being received.
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Relay {
    fn rcpt(&mut self, to: &str) -> Response {
        let address = to.trim_matches(['<', '>']).to_owned();
        if self.refused.lock().unwrap().contains(&address) {
            NO_MAILBOX
        } else {
            OK
        }
    }
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        START_DATA
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> Response {
        let raw = String::from_utf8_lossy(&std::mem::take(&mut self.data)).into_owned();
        // Headers as sent, the body decoded from quoted-printable.
        let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let body = quoted_printable::decode(body, quoted_printable::ParseMode::Robust)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        self.received.lock().unwrap().push(Received {
            to: std::mem::take(&mut self.to),
            text: format!("{head}\n\n{body}"),
        });
        OK
    }
}

impl Relay {
    /// Serves on `port` in a thread of its own (for the rest of the test process).
    fn serve(&self, port: u16) {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let mut server = Server::new(self.clone());
        server
            .with_name("relay.test")
            .with_ssl(SslConfig::None)
            .unwrap()
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            if let Err(e) = server.serve() {
                eprintln!("test relay stopped: {e}");
            }
        });
    }

    fn mails(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn config(port: u16) -> MailConfig {
    MailConfig {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        from: Some("Lotsenfinder <lotsenfinder@soest.example>".into()),
        buero: Some("projektbuero@soest.example".into()),
        public_url: "https://lotsen.soest.example/".into(),
        retry_base: Duration::from_millis(20),
    }
}

struct World {
    _dirs: Dirs,
    s: TestServer,
    mailer: Arc<Mailer>,
    topic: String,
}

/// A server over `dirs` with a mail sender of this configuration (driven by the test).
async fn start_with_mailer(dirs: &Dirs, config: MailConfig) -> (TestServer, Arc<Mailer>) {
    let mailer = Arc::new(Mailer::new(config, &dirs.data()).unwrap());
    let m = mailer.clone();
    let s = TestServer::start_custom(
        &dirs.data(),
        &dirs.dist(),
        AuthConfig::default(),
        HttpLimits::default(),
        |state| state.with_mailer(m),
    )
    .await;
    (s, mailer)
}

/// A server whose mails go to the relay on `port` (running or not); the sender is driven by
/// the test with `deliver`.
async fn world(port: u16) -> World {
    let dirs = Dirs::new();
    let (s, mailer) = start_with_mailer(&dirs, config(port)).await;
    let topic = uuid();
    s.admin_push(vec![mutation("topics", &topic, 0, topic_data("dms"))]);
    World {
        _dirs: dirs,
        s,
        mailer,
        topic,
    }
}

impl World {
    fn lotse(&self, name: &str, email: &str, notify: &str) -> String {
        let id = uuid();
        let mut data = lotse_data(name, &self.topic, true);
        data["email"] = json!(email);
        data["notify"] = json!(notify);
        let r = self.s.admin_push(vec![mutation("lotsen", &id, 0, data)]);
        assert_eq!(
            r[0].status,
            lotsen_domain::MutationStatus::Applied,
            "{:?}",
            r[0].error
        );
        id
    }

    /// A colleague hands in a request from their device.
    async fn hand_in(&self, data: Value) -> String {
        let id = uuid();
        let r = self
            .s
            .push(vec![mutation("requests", &id, 0, data)], Some(KEY_A))
            .await;
        assert_eq!(r[0]["status"], "applied", "{}", r[0]);
        id
    }

    fn request(&self, title: &str, lotse: Option<&str>, notify: bool) -> Value {
        let mut r = request_data(title);
        r["topic"] = json!(self.topic);
        r["description"] = json!("Vertraulich: Personalakte Frau X");
        r["requester"] = json!({"name": "Eva Beispiel", "department": "Bürgerbüro",
                                "contact": "eva.beispiel@soest.example", "notify": notify});
        if let Some(l) = lotse {
            r["lotse"] = json!(l);
        }
        r
    }

    async fn deliver(&self) -> usize {
        mail::deliver_due(&self.s.store, &self.mailer)
            .await
            .unwrap()
    }

    fn status(&self) -> lotsen_domain::protocol::MailStatus {
        mail::status(&self.s.store).unwrap()
    }
}

fn recipients(mails: &[Received]) -> Vec<String> {
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    to
}

#[tokio::test]
async fn each_new_request_reaches_the_right_people_at_once() {
    let port = free_port();
    let relay = Relay::default();
    relay.serve(port);
    let w = world(port).await;
    let joerg = w.lotse("Jörg Müller", "joerg.mueller@soest.example", "nie");
    w.lotse("Anna Sofort", "anna@soest.example", "sofort");
    w.lotse("Tina Täglich", "tina@soest.example", "taeglich");

    // Addressed: that Lotse, whatever their setting for topics.
    let addressed = w.hand_in(w.request("An Jörg", Some(&joerg), false)).await;
    assert_eq!(w.deliver().await, 1);
    let mails = relay.mails();
    assert_eq!(recipients(&mails), ["joerg.mueller@soest.example"]);
    let text = &mails[0].text;
    assert!(
        text.contains("Subject: Neues Anliegen an Sie: An =?utf-8?")
            || text.contains("Subject: Neues Anliegen an Sie"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "https://lotsen.soest.example/arbeitsplatz/{addressed}"
        )),
        "{text}"
    );
    assert!(
        text.contains("List-Unsubscribe: <https://lotsen.soest.example/profil>"),
        "{text}"
    );
    assert!(text.contains("Message-ID: <"), "{text}");
    assert!(
        !text.contains("Vertraulich"),
        "no description in a mail: {text}"
    );
    assert!(
        !text.contains("eva.beispiel"),
        "no requester in a mail: {text}"
    );

    // A topic: the Lotsen who want it at once (the daily ones get the summary, `nie` nothing).
    w.hand_in(w.request("Für das Thema", None, false)).await;
    assert_eq!(w.deliver().await, 1);
    assert_eq!(recipients(&relay.mails()[1..]), ["anna@soest.example"]);

    // Without a topic: the Projektbüro.
    let mut no_topic = w.request("Ohne Thema", None, false);
    no_topic["topic"] = Value::Null;
    w.hand_in(no_topic).await;
    assert_eq!(w.deliver().await, 1);
    assert_eq!(
        recipients(&relay.mails()[2..]),
        ["projektbuero@soest.example"]
    );
    assert_eq!(w.deliver().await, 0, "each mail once");
}

#[tokio::test]
async fn a_relay_that_is_down_gets_the_mail_once_it_is_back() {
    let port = free_port();
    let w = world(port).await;
    w.lotse("Anna Sofort", "anna@soest.example", "sofort");
    w.hand_in(w.request("Während der Störung", None, false))
        .await;
    assert_eq!(w.deliver().await, 0);
    let status = w.status();
    assert_eq!((status.waiting, status.failed), (1, 0));
    assert!(status.mails[0].last_error.is_some());
    assert_eq!(status.mails[0].attempts, 1);

    let relay = Relay::default();
    relay.serve(port);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(w.deliver().await, 1);
    assert_eq!(w.deliver().await, 0);
    assert_eq!(recipients(&relay.mails()), ["anna@soest.example"]);
    assert_eq!(w.status().waiting, 0);
}

#[tokio::test]
async fn a_refused_recipient_is_reported_and_the_others_get_theirs() {
    let port = free_port();
    let relay = Relay::default();
    relay
        .refused
        .lock()
        .unwrap()
        .insert("weg@soest.example".into());
    relay.serve(port);
    let w = world(port).await;
    w.lotse("Anna Sofort", "anna@soest.example", "sofort");
    w.lotse("Weg Gegangen", "weg@soest.example", "sofort");
    w.hand_in(w.request("Für zwei", None, false)).await;
    assert_eq!(w.deliver().await, 1);
    assert_eq!(recipients(&relay.mails()), ["anna@soest.example"]);
    let status = w.status();
    assert_eq!((status.waiting, status.failed), (0, 1));
    let failed = &status.mails[0];
    assert_eq!(failed.recipient, "Lotse Weg Gegangen");
    assert!(
        failed.failed.as_deref().unwrap().contains("550"),
        "{failed:?}"
    );

    // The Büro sees it and sends it again once the mailbox is back.
    let buero = {
        w.s.add_account("buero", "buero-passwort", "buero", None);
        w.s.cookie("buero", "buero-passwort").await
    };
    let (code, body) =
        w.s.call(
            reqwest::Method::GET,
            "/api/v1/mail",
            None,
            with_cookie(&buero),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["failed"], 1);
    let (code, _) =
        w.s.call(reqwest::Method::GET, "/api/v1/mail", None, with_key(KEY_A))
            .await;
    assert_eq!(code, 401);
    relay.refused.lock().unwrap().clear();
    let (code, body) =
        w.s.call(
            reqwest::Method::POST,
            &format!("/api/v1/mail/{}/retry", failed.id),
            None,
            with_cookie(&buero),
        )
        .await;
    assert_eq!(code, 204, "{body}");
    assert_eq!(w.deliver().await, 1);
    assert_eq!(
        recipients(&relay.mails()),
        ["anna@soest.example", "weg@soest.example"]
    );
    let (code, _) =
        w.s.call(
            reqwest::Method::POST,
            &format!("/api/v1/mail/{}/retry", failed.id),
            None,
            with_cookie(&buero),
        )
        .await;
    assert_eq!(code, 404, "a sent mail is not sent again");
}

#[tokio::test]
async fn the_requester_hears_of_status_and_answers_but_never_of_internal_notes() {
    let port = free_port();
    let relay = Relay::default();
    relay.serve(port);
    let w = world(port).await;
    let joerg = w.lotse("Jörg Müller", "joerg.mueller@soest.example", "nie");
    w.s.add_account("lotse", "lotse-passwort-1", "lotse", Some(&joerg));
    let cookie = w.s.cookie("lotse", "lotse-passwort-1").await;
    let request = w
        .hand_in(w.request("Mit Benachrichtigung", Some(&joerg), true))
        .await;
    w.deliver().await;

    let (version, _, mut data) = w.s.stored("requests", &request).unwrap();
    data["status"] = json!("in_bearbeitung");
    data["assignee"] = json!(joerg);
    let r =
        w.s.push_as(
            vec![mutation("requests", &request, version, data)],
            with_cookie(&cookie),
        )
        .await;
    assert_eq!(r[0]["status"], "applied", "{}", r[0]);
    let note = |text: &str, internal: bool| {
        mutation(
            "notes",
            &uuid(),
            0,
            json!({"request": request, "text": text, "author": "Jörg Müller", "internal": internal}),
        )
    };
    let r =
        w.s.push_as(
            vec![
                note("GEHEIM: Kollegin überfordert", true),
                note("Die E-Akte legen Sie unter Neu an.", false),
            ],
            with_cookie(&cookie),
        )
        .await;
    assert!(r.iter().all(|r| r["status"] == "applied"), "{r:?}");
    assert_eq!(w.deliver().await, 2);
    let mails = relay.mails();
    let to_eva: Vec<&Received> = mails
        .iter()
        .filter(|m| m.to.contains(&"eva.beispiel@soest.example".to_owned()))
        .collect();
    assert_eq!(to_eva.len(), 2, "status and answer");
    assert!(
        to_eva[0].text.contains("in Bearbeitung"),
        "{}",
        to_eva[0].text
    );
    assert!(
        to_eva[1]
            .text
            .contains("Die E-Akte legen Sie unter Neu an."),
        "{}",
        to_eva[1].text
    );
    assert!(to_eva[1]
        .text
        .contains("https://lotsen.soest.example/anliegen"));
    for m in &mails {
        assert!(
            !m.text.contains("GEHEIM"),
            "an internal note in a mail: {}",
            m.text
        );
    }
}

#[tokio::test]
async fn without_a_relay_mails_are_files() {
    let dirs = Dirs::new();
    let config = MailConfig {
        smtp_url: None,
        from: None,
        ..config(0)
    };
    let (s, mailer) = start_with_mailer(&dirs, config).await;
    s.push(
        vec![mutation("requests", &uuid(), 0, request_data("Als Datei"))],
        Some(KEY_A),
    )
    .await;
    assert_eq!(mail::deliver_due(&s.store, &mailer).await.unwrap(), 1);
    let dir = dirs.data().join("mail").join("outbox-sent");
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert_eq!(files.len(), 1);
    let text = std::fs::read_to_string(files[0].path()).unwrap();
    assert!(text.contains("To: projektbuero@soest.example"), "{text}");
}

#[test]
fn bad_configuration_stops_the_server_with_a_german_message() {
    let dir = tempfile::tempdir().unwrap();
    for (config, names) in [
        (
            MailConfig {
                smtp_url: Some("http://relay".into()),
                ..config(25)
            },
            "LOTSEN_SMTP_URL",
        ),
        (
            MailConfig {
                from: None,
                ..config(25)
            },
            "LOTSEN_MAIL_FROM",
        ),
        (
            MailConfig {
                from: Some("kein absender".into()),
                ..config(25)
            },
            "LOTSEN_MAIL_FROM",
        ),
        (
            MailConfig {
                buero: Some("projektbüro".into()),
                ..config(25)
            },
            "LOTSEN_BUERO_MAIL",
        ),
        (
            MailConfig {
                public_url: "lotsen.soest".into(),
                ..config(25)
            },
            "LOTSEN_PUBLIC_URL",
        ),
    ] {
        let err = Mailer::new(config, dir.path()).unwrap_err();
        assert!(err.contains(names), "{err}");
    }
}

/// The real binary: a mail written with a push and not yet delivered when the process is
/// killed goes out after the restart.
#[tokio::test]
async fn a_mail_survives_kill_9_between_the_push_and_the_delivery() {
    let dirs = Dirs::new();
    let relay_port = free_port();
    let relay_url = format!("smtp://127.0.0.1:{relay_port}");
    let flags = [
        "--smtp-url",
        relay_url.as_str(),
        "--mail-from",
        "lotsenfinder@soest.example",
        "--buero-mail",
        "projektbuero@soest.example",
        "--mail-retry-secs",
        "1",
    ];
    let client = reqwest::Client::new();
    // The relay is down: the mail waits in the outbox when the process dies.
    let (mut child, base) = spawn_binary(&dirs, &flags);
    wait_up(&client, &base).await;
    let body = json!({"mutations": [mutation("requests", &uuid(), 0, request_data("Überlebt"))]});
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

    let relay = Relay::default();
    relay.serve(relay_port);
    let (mut child, base) = spawn_binary(&dirs, &flags);
    wait_up(&client, &base).await;
    for _ in 0..100 {
        if !relay.mails().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(recipients(&relay.mails()), ["projektbuero@soest.example"]);
}

#[tokio::test]
async fn the_daily_summary_goes_out_on_working_days_at_seven_with_what_is_still_new() {
    let port = free_port();
    let relay = Relay::default();
    relay.serve(port);
    let w = world(port).await;
    w.lotse("Tina Täglich", "tina@soest.example", "taeglich");
    w.lotse("Anna Sofort", "anna@soest.example", "sofort");
    w.lotse("Nils Nie", "nils@soest.example", "nie");
    let at = |utc: &str| lotsen_domain::time::unix_seconds(utc).unwrap();
    let handed_in = |title: &str, when: &str| {
        let mut r = w.request(title, None, false);
        r["created_at"] = json!(when);
        r
    };
    w.hand_in(handed_in("Am Dienstag", "2026-12-08T14:00:00Z"))
        .await;
    let taken = w
        .hand_in(handed_in("Schon übernommen", "2026-12-08T15:00:00Z"))
        .await;
    w.deliver().await; // Anna's mails at once
    let at_once = relay.mails().len();

    // Wednesday 9 December 2026: not at 6:59, once from 7:00 (Soest, UTC+1).
    assert_eq!(
        mail::digest(&w.s.store, at("2026-12-09T05:59:00Z")).unwrap(),
        0
    );
    assert_eq!(
        mail::digest(&w.s.store, at("2026-12-09T06:05:00Z")).unwrap(),
        1
    );
    assert_eq!(
        mail::digest(&w.s.store, at("2026-12-09T09:00:00Z")).unwrap(),
        0
    );

    // Taken over before the summary goes out: it is left out of it.
    let (version, _, mut data) = w.s.stored("requests", &taken).unwrap();
    data["status"] = json!("in_bearbeitung");
    w.s.admin_push(vec![mutation("requests", &taken, version, data)]);
    assert_eq!(w.deliver().await, 1);
    let mails = relay.mails();
    let summary = &mails[at_once];
    assert_eq!(summary.to, ["tina@soest.example"]);
    assert!(
        summary.text.contains("1 neues Anliegen in Ihren Themen"),
        "{}",
        summary.text
    );
    assert!(summary.text.contains("Am Dienstag"), "{}", summary.text);
    assert!(
        !summary.text.contains("Schon übernommen"),
        "{}",
        summary.text
    );
    assert!(!summary.text.contains("Vertraulich"), "{}", summary.text);

    // Saturday: none; Monday with nothing new since Wednesday: none either.
    w.hand_in(handed_in("Am Freitag", "2026-12-11T10:00:00Z"))
        .await;
    assert_eq!(
        mail::digest(&w.s.store, at("2026-12-12T08:00:00Z")).unwrap(),
        0
    );
    assert_eq!(
        mail::digest(&w.s.store, at("2026-12-14T06:30:00Z")).unwrap(),
        1,
        "Friday's request on Monday"
    );
    assert_eq!(
        mail::digest(&w.s.store, at("2026-12-15T06:30:00Z")).unwrap(),
        0,
        "nothing new on Tuesday"
    );
}

#[tokio::test]
async fn requests_to_a_lotse_who_leaves_go_to_the_buero() {
    let port = free_port();
    let relay = Relay::default();
    relay.serve(port);
    let w = world(port).await;
    let joerg = w.lotse("Jörg Müller", "joerg.mueller@soest.example", "nie");
    let waiting = w
        .hand_in(w.request("Wartet auf Jörg", Some(&joerg), false))
        .await;
    let taken = w
        .hand_in(w.request("Schon bei Jörg", Some(&joerg), false))
        .await;
    let (version, _, mut data) = w.s.stored("requests", &taken).unwrap();
    data["status"] = json!("in_bearbeitung");
    w.s.admin_push(vec![mutation("requests", &taken, version, data)]);
    assert_eq!(w.deliver().await, 2);

    w.s.add_account("buero", "buero-passwort", "buero", None);
    let buero = w.s.cookie("buero", "buero-passwort").await;
    let (version, _, mut data) = w.s.stored("lotsen", &joerg).unwrap();
    data["active"] = json!(false);
    let r =
        w.s.push_as(
            vec![mutation("lotsen", &joerg, version, data)],
            with_cookie(&buero),
        )
        .await;
    assert_eq!(r[0]["status"], "applied", "{}", r[0]);
    assert_eq!(w.deliver().await, 1, "only the one still new");
    let mails = relay.mails();
    assert_eq!(recipients(&mails[2..]), ["projektbuero@soest.example"]);
    assert!(
        mails[2].text.contains(&format!("/arbeitsplatz/{waiting}")),
        "{}",
        mails[2].text
    );
}

#[tokio::test]
async fn the_counts_cover_every_waiting_mail_not_only_the_listed_ones() {
    let w = world(free_port()).await;
    for i in 0..120 {
        let mut r = w.request(&format!("Ohne Thema {i}"), None, false);
        r["topic"] = Value::Null;
        w.hand_in(r).await;
    }
    let status = w.status();
    assert_eq!((status.waiting, status.failed), (120, 0));
    assert_eq!(status.mails.len(), 100, "the list is the newest only");
}
