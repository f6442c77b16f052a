//! The HTTP layer under abuse: connections that send too little too slowly are closed, a cap
//! bounds how many are served at once, and every error on `/api/` is the API's JSON — also
//! for addresses and headers the router refuses and for malformed paths.

mod common;

use std::time::{Duration, Instant};

use common::*;
use lotsen_server::http::HttpLimits;
use lotsen_server::AuthConfig;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SHORT: HttpLimits = HttpLimits {
    header_timeout: Duration::from_millis(800),
    body_timeout: Duration::from_millis(800),
    max_connections: 4,
};

async fn start_short() -> (Dirs, TestServer) {
    let dirs = Dirs::new();
    let s = TestServer::start_with_limits(&dirs.data(), &dirs.dist(), AuthConfig::default(), SHORT)
        .await;
    (dirs, s)
}

async fn connect(s: &TestServer) -> TcpStream {
    TcpStream::connect(s.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection; what it sent, and how long that took.
async fn read_until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let t0 = Instant::now();
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the server kept the connection open for 10 s");
    (String::from_utf8_lossy(&out).into_owned(), t0.elapsed())
}

#[tokio::test]
async fn idle_and_half_sent_connections_are_closed() {
    let (_d, s) = start_short().await;

    // Connected, never a byte.
    let mut idle = connect(&s).await;
    // A request line and one header, the blank line never comes (slow loris).
    let mut loris = connect(&s).await;
    loris
        .write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // One full request, then nothing more on the kept-alive connection.
    let mut kept = connect(&s).await;
    kept.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();

    for stream in [&mut idle, &mut loris] {
        let (_, took) = read_until_closed(stream).await;
        assert!(took < Duration::from_secs(5), "{took:?}");
    }
    let (answer, took) = read_until_closed(&mut kept).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn a_body_that_never_completes_gets_408() {
    let (_d, s) = start_short().await;
    let mut stream = connect(&s).await;
    stream
        .write_all(
            b"POST /api/v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"mutations\":",
        )
        .await
        .unwrap();
    let (answer, took) = read_until_closed(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"request_timeout\""), "{answer}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(s.record_count(), 0);
}

#[tokio::test]
async fn the_connection_cap_holds_and_frees_itself() {
    let (_d, s) = start_short().await;
    // Every slot taken by a connection that sends nothing.
    let mut hogs = Vec::new();
    for _ in 0..SHORT.max_connections {
        hogs.push(connect(&s).await);
    }
    // A colleague's request waits for a free slot, and gets one once the timeout has
    // closed the idle connections.
    let t0 = Instant::now();
    let (status, body) =
        tokio::time::timeout(Duration::from_secs(10), s.get("/api/v1/health", None))
            .await
            .expect("served once the idle connections were closed");
    assert_eq!(status, 200, "{body}");
    assert!(
        t0.elapsed() >= Duration::from_millis(300),
        "the cap did not hold"
    );
    drop(hogs);
}

async fn json_error(res: reqwest::Response) -> (u16, String, String) {
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(ct.starts_with("application/json"), "{status}: {ct}");
    let body: Value = res.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap_or("").to_owned();
    assert!(!message.is_empty(), "{body}");
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_owned(),
        message,
    )
}

#[tokio::test]
async fn every_error_on_the_api_is_json() {
    let (_d, s) = start().await;
    let c = &s.client;
    let buero = {
        s.add_account("buero", "geheim-geheim", "buero", None);
        s.cookie("buero", "geheim-geheim").await
    };

    // Path segments that are not UTF-8.
    for (method, path) in [
        ("GET", "/api/v1/export/%FF"),
        ("PATCH", "/api/v1/accounts/%FF"),
        ("GET", "/api/v1/events/%FF.ics"),
    ] {
        let req = c
            .request(method.parse().unwrap(), s.url(path))
            .header("Cookie", &buero)
            .header("Content-Type", "application/json")
            .body("{}");
        let (status, code, _) = json_error(req.send().await.unwrap()).await;
        assert_eq!(
            (status, code.as_str()),
            (400, "bad_request"),
            "{method} {path}"
        );
    }

    // Too long an address, too large headers.
    let long = format!("/api/v1/changes?since={}", "1".repeat(9 * 1024));
    let (status, code, _) = json_error(c.get(s.url(&long)).send().await.unwrap()).await;
    assert_eq!((status, code.as_str()), (414, "uri_too_long"));
    let (status, code, _) = json_error(
        c.get(s.url("/api/v1/health"))
            .header("X-Padding", "x".repeat(40 * 1024))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (431, "headers_too_large"));

    // A body of the wrong shape: German, without serde's English.
    let (status, code, message) = json_error(
        c.post(s.url("/api/v1/push"))
            .header("Content-Type", "application/json")
            .body(r#"{"mutations":[{"mutation_id":"x","collection":"requests","id":"y","base_version":-1,"deleted":false,"data":{}}]}"#)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "invalid_body"));
    assert!(
        message.starts_with("Die Anfrage hat nicht die erwartete Form"),
        "{message}"
    );
    assert!(!message.contains("expected"), "{message}");

    // A limit beyond any integer is clamped, not refused.
    let (status, body) = s
        .get("/api/v1/changes?limit=18446744073709551616", Some(KEY_A))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.record_count(), 0);
}

#[tokio::test]
async fn a_static_path_never_answers_500() {
    let (_d, s) = start().await;
    for path in [
        format!("/{}.js", "a".repeat(300)),
        format!("/{}", "b".repeat(300)),
        format!("/assets/{}/x.css", "c".repeat(4000)),
    ] {
        let res = s.client.get(s.url(&path)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404, "{}", &path[..20]);
        assert_eq!(res.text().await.unwrap(), "Seite nicht gefunden.");
    }
}
