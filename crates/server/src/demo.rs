//! A believable, deterministic demo data set for the city of Soest (SPEC §8): the topics of
//! the programme's call, Lotsen from the departments of a city administration, requests,
//! notes, applications, events and two demo accounts. The data is a file, `data/demo.json`,
//! compiled into the server; this module derives the rest (ids, phone numbers, e-mail
//! addresses, times). Ids are UUID v5 of readable names, so every run (and every test) sees the
//! same ids. The records go through the same push path (permission, validation,
//! compare-and-swap) as any client write.

use std::sync::OnceLock;

use lotsen_domain::permission::Actor;
use lotsen_domain::protocol::{Mutation, MutationStatus};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::actor::Caller;
use crate::store::{Account, Store, StoreError, StoreResult};
use crate::sync;

/// Namespace of all demo ids (UUID v5 of the URL below).
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"https://lotsenfinder.soest.de/demo")
}

/// The id of the demo record `collection/key` (a topic's key is its slug, a Lotse's key their name).
pub fn demo_id(collection: &str, key: &str) -> String {
    Uuid::new_v5(&namespace(), format!("{collection}/{key}").as_bytes()).to_string()
}

fn topic_id(slug: &str) -> String {
    demo_id("topics", slug)
}

fn lotse_id(name: &str) -> String {
    demo_id("lotsen", name)
}

/// `data/demo.json`, as written by hand.
#[derive(Debug, Deserialize)]
pub struct DemoData {
    /// The departments of the demo's city administration.
    pub departments: Vec<String>,
    pub topics: Vec<DemoTopic>,
    pub lotsen: Vec<DemoLotse>,
    /// The Lotse the `lotse` demo account belongs to.
    pub demo_account_lotse: String,
    pub requests: Vec<DemoRequest>,
    pub notes: Vec<DemoNote>,
    pub applications: Vec<DemoApplication>,
    /// The day the events' dates were written for (`YYYY-MM-DD`): a demo seeded later moves
    /// them by whole weeks (same weekday, same time), so that it always shows upcoming trainings.
    pub events_written: String,
    pub events: Vec<DemoEvent>,
    /// Typical requests of the months before, repeated over the year.
    pub past_requests: Vec<PastRequest>,
    /// Names of the colleagues who handed in the past requests.
    pub first_names: Vec<String>,
    pub last_names: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct DemoTopic {
    pub slug: String,
    pub name: String,
    pub category: String,
    pub synonyms: Vec<String>,
    pub description: String,
}

#[derive(Debug, Deserialize)]
pub struct DemoLotse {
    pub name: String,
    pub department: String,
    pub location: String,
    pub availability: String,
    pub skills: Vec<DemoSkill>,
    /// Topic slugs.
    pub learning: Vec<String>,
    pub active: bool,
}

#[derive(Debug, Deserialize)]
pub struct DemoSkill {
    /// A topic's slug.
    pub topic: String,
    pub level: u8,
}

#[derive(Debug, Deserialize)]
pub struct DemoRequest {
    pub key: String,
    pub kind: String,
    /// A topic's slug.
    pub topic: Option<String>,
    pub title: String,
    pub description: String,
    pub requester: DemoRequester,
    pub status: String,
    /// A Lotse's name.
    pub assignee: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct DemoRequester {
    pub name: String,
    pub department: String,
}

#[derive(Debug, Deserialize)]
pub struct DemoNote {
    pub key: String,
    /// A request's key.
    pub request: String,
    pub text: String,
    pub author: String,
    pub internal: bool,
}

#[derive(Debug, Deserialize)]
pub struct DemoApplication {
    pub key: String,
    pub name: String,
    pub department: String,
    pub contact: String,
    /// Topic slugs.
    pub topics: Vec<String>,
    pub motivation: String,
}

#[derive(Debug, Deserialize)]
pub struct DemoEvent {
    pub key: String,
    pub title: String,
    /// A topic's slug.
    pub topic: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    pub location: String,
    pub description: String,
    pub seats: Option<u32>,
}

#[derive(Debug, Deserialize)]
pub struct PastRequest {
    pub kind: String,
    /// A topic's slug.
    pub topic: String,
    pub title: String,
}

/// The demo data set. The file is part of the binary and read once; a test reads it at every
/// build, so a broken file never reaches a server.
pub fn data() -> &'static DemoData {
    static DATA: OnceLock<DemoData> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(include_str!("../data/demo.json"))
            .expect("data/demo.json is checked by demo::tests::the_data_file_reads")
    })
}

/// `vorname.nachname@soest.de`, folded to ASCII as the city's mail addresses are.
pub fn email_for(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'ş' => out.push('s'),
            'ı' => out.push('i'),
            ' ' => out.push('.'),
            c if c.is_ascii_alphanumeric() || c == '-' => out.push(c),
            _ => {}
        }
    }
    format!("{out}@soest.de")
}

fn mutation(collection: &str, key: &str, data: Value) -> Mutation {
    Mutation {
        mutation_id: demo_id("mutations", &format!("{collection}/{key}")),
        collection: collection.into(),
        id: demo_id(collection, key),
        base_version: 0,
        deleted: false,
        data,
    }
}

/// All demo records as creating mutations, referenced records first.
pub fn mutations() -> Vec<Mutation> {
    let data = data();
    let mut out = Vec::new();
    for t in &data.topics {
        out.push(mutation(
            "topics",
            &t.slug,
            json!({"name": t.name, "slug": t.slug, "category": t.category,
                   "synonyms": t.synonyms, "description": t.description}),
        ));
    }
    for (i, lotse) in data.lotsen.iter().enumerate() {
        let skills: Vec<Value> = lotse
            .skills
            .iter()
            .map(|s| json!({"topic": topic_id(&s.topic), "level": s.level}))
            .collect();
        let learning: Vec<String> = lotse.learning.iter().map(|s| topic_id(s)).collect();
        // Inactive profiles were last confirmed long ago; the others within the last year.
        let confirmed_at = if lotse.active {
            format!("2025-{:02}-{:02}", 1 + i % 12, 1 + (i * 7) % 28)
        } else {
            format!("2023-{:02}-15", 1 + i % 12)
        };
        out.push(mutation(
            "lotsen",
            &lotse.name,
            json!({
                "name": lotse.name,
                "department": lotse.department,
                "phone": format!("02921 103-{}", 2104 + i * 17),
                "email": email_for(&lotse.name),
                "location": lotse.location,
                "availability": lotse.availability,
                "skills": skills,
                "learning": learning,
                "confirmed_at": confirmed_at,
                "active": lotse.active,
            }),
        ));
    }
    let now = time::OffsetDateTime::now_utc();
    for (i, r) in data.requests.iter().enumerate() {
        // The open requests came in during the last three weeks.
        let created = now - time::Duration::hours(20 + 61 * i as i64);
        let mut record = json!({
            "kind": r.kind,
            "topic": r.topic.as_deref().map(topic_id),
            "title": r.title,
            "description": r.description,
            "requester": {"name": r.requester.name, "department": r.requester.department,
                          "contact": email_for(&r.requester.name)},
            "status": r.status,
            "assignee": r.assignee.as_deref().map(lotse_id),
            "created_at": sync::format_utc(created),
        });
        if matches!(r.status.as_str(), "erledigt" | "abgelehnt") {
            record["closed_at"] = json!(sync::format_utc(created + time::Duration::hours(18)));
        }
        out.push(mutation("requests", &r.key, record));
    }
    out.extend(past_requests(now));
    for n in &data.notes {
        out.push(mutation(
            "notes",
            &n.key,
            json!({"request": demo_id("requests", &n.request), "text": n.text,
                   "author": n.author, "internal": n.internal}),
        ));
    }
    for a in &data.applications {
        let topics: Vec<String> = a.topics.iter().map(|s| topic_id(s)).collect();
        out.push(mutation(
            "applications",
            &a.key,
            json!({"name": a.name, "department": a.department, "contact": a.contact,
                   "topics": topics, "motivation": a.motivation, "status": "neu"}),
        ));
    }
    let weeks = weeks_since_written(time::OffsetDateTime::now_utc().date());
    for e in &data.events {
        let (starts_at, ends_at) = (later_by(&e.starts_at, weeks), later_by(&e.ends_at, weeks));
        out.push(mutation(
            "events",
            &e.key,
            json!({"title": e.title, "topic": e.topic.as_deref().map(topic_id),
                   "starts_at": starts_at, "ends_at": ends_at, "location": e.location,
                   "description": e.description, "seats": e.seats}),
        ));
    }
    out
}

/// The closed requests of the eleven months before this one, more each month as the programme
/// became known, so that `/buero/auswertung` shows a trend and a time to `erledigt`.
fn past_requests(now: time::OffsetDateTime) -> Vec<Mutation> {
    let data = data();
    let (past, first, last) = (&data.past_requests, &data.first_names, &data.last_names);
    let departments = &data.departments;
    let mut out = Vec::new();
    let mut n = 0usize;
    for months_back in (1..=11i64).rev() {
        let count = 14 - months_back as usize + (months_back as usize * 5) % 4;
        for _ in 0..count {
            let p = &past[(n * 7) % past.len()];
            let created = now
                - time::Duration::days(30 * months_back - (n as i64 * 11) % 28)
                - time::Duration::minutes((n as i64 * 97) % 600);
            // Most are answered within a few days; some wait for a training.
            let hours = 2 + (n as i64 * 37) % 90 + if n.is_multiple_of(5) { 240 } else { 0 };
            let name = format!("{} {}", first[n % first.len()], last[(n * 5) % last.len()]);
            out.push(mutation(
                "requests",
                &format!("verlauf-{n}"),
                json!({
                    "kind": p.kind,
                    "topic": topic_id(&p.topic),
                    "title": p.title,
                    "description": "",
                    "requester": {"name": name,
                                  "department": departments[(n * 3) % departments.len()],
                                  "contact": email_for(&name)},
                    "status": if n % 9 == 4 { "abgelehnt" } else { "erledigt" },
                    "assignee": null,
                    "created_at": sync::format_utc(created),
                    "closed_at": sync::format_utc(created + time::Duration::hours(hours)),
                }),
            ));
            n += 1;
        }
    }
    out
}

/// Whole weeks (rounded up) from the day the events were written for to `today`.
fn weeks_since_written(today: time::Date) -> i64 {
    let day = |unix_seconds: i64| unix_seconds.div_euclid(86_400);
    let written =
        lotsen_domain::time::unix_seconds(&format!("{}T00:00:00Z", data().events_written)).map(day);
    let today = day(today.midnight().assume_utc().unix_timestamp());
    match written {
        Some(w) if today > w => (today - w + 6) / 7,
        _ => 0,
    }
}

/// `YYYY-MM-DDThh:mm` moved by `weeks`; a string that is not such a time stays as it is.
fn later_by(local: &str, weeks: i64) -> String {
    let parse = || -> Option<String> {
        let (date, clock) = local.split_once('T')?;
        let mut p = date.split('-').map(|n| n.parse::<i32>().ok());
        let (y, m, d) = (p.next()??, p.next()??, p.next()??);
        let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
        let day = time::Date::from_calendar_date(y, month, u8::try_from(d).ok()?).ok()?;
        let moved = day.checked_add(time::Duration::weeks(weeks))?;
        Some(format!(
            "{:04}-{:02}-{:02}T{clock}",
            moved.year(),
            u8::from(moved.month()),
            moved.day()
        ))
    };
    parse().unwrap_or_else(|| local.to_owned())
}

pub use crate::auth::hash_password;

/// Seeds the demo data set if the database holds no records yet; returns how many records
/// were written (0 if it was not empty).
pub fn seed_if_empty(store: &Store) -> StoreResult<usize> {
    if store.read(|tx| tx.count_records())? > 0 {
        return Ok(0);
    }
    // Hash before the write transaction: Argon2 is deliberately slow.
    let accounts = [
        Account {
            username: "buero".into(),
            password_hash: hash_password("demo-buero")?,
            role: "buero".into(),
            lotse: None,
            disabled: false,
            created_at: sync::now_utc(),
            directory: false,
        },
        Account {
            username: "lotse".into(),
            password_hash: hash_password("demo-lotse")?,
            role: "lotse".into(),
            lotse: Some(lotse_id(&data().demo_account_lotse)),
            disabled: false,
            created_at: sync::now_utc(),
            directory: false,
        },
    ];
    let caller = Caller::acting_as(Actor::Buero {
        username: "demo".into(),
    });
    let mutations = mutations();
    let now = sync::now_utc();
    store.write(|tx| {
        if tx.count_records()? > 0 {
            return Ok(0);
        }
        let results = sync::push(tx, &caller, &mutations, &now)?;
        if let Some((m, r)) = mutations
            .iter()
            .zip(&results)
            .find(|(_, r)| r.status != MutationStatus::Applied)
        {
            // Returning an error rolls the whole seed back.
            return Err(StoreError::new(format!(
                "demo record {}/{} not applied: {:?} {:?}",
                m.collection, m.id, r.status, r.error
            )));
        }
        for a in &accounts {
            tx.put_account(a)?;
        }
        Ok(results.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_reads() {
        let d = data();
        assert!(!d.topics.is_empty() && !d.lotsen.is_empty() && !d.events.is_empty());
        assert!(d.lotsen.iter().any(|l| l.name == d.demo_account_lotse));
    }

    #[test]
    fn demo_events_move_by_whole_weeks_into_the_future() {
        let day = |y, m, d| time::Date::from_calendar_date(y, m, d).unwrap();
        assert_eq!(weeks_since_written(day(2026, time::Month::November, 1)), 0);
        assert_eq!(weeks_since_written(day(2026, time::Month::November, 29)), 0);
        assert_eq!(weeks_since_written(day(2026, time::Month::November, 30)), 1);
        assert_eq!(weeks_since_written(day(2026, time::Month::December, 6)), 1);
        assert_eq!(weeks_since_written(day(2027, time::Month::December, 6)), 54);
        assert_eq!(later_by("2026-12-08T09:00", 0), "2026-12-08T09:00");
        assert_eq!(later_by("2026-12-29T09:00", 1), "2027-01-05T09:00");
        assert_eq!(later_by("kein Datum", 3), "kein Datum");
    }

    #[test]
    fn emails_are_ascii() {
        assert_eq!(email_for("Jörg Müller"), "joerg.mueller@soest.de");
        assert_eq!(
            email_for("Julia Große-Wördemann"),
            "julia.grosse-woerdemann@soest.de"
        );
        assert_eq!(email_for("Ayşe Demir"), "ayse.demir@soest.de");
        assert_eq!(email_for("Elif Yılmaz"), "elif.yilmaz@soest.de");
        for l in &data().lotsen {
            assert!(email_for(&l.name).is_ascii(), "{}", l.name);
        }
    }

    #[test]
    fn every_topic_has_an_active_lotse_and_dms_has_trainers() {
        let d = data();
        let teaches = |l: &DemoLotse, slug: &str| l.skills.iter().any(|s| s.topic == slug);
        for t in &d.topics {
            assert!(
                d.lotsen.iter().any(|l| l.active && teaches(l, &t.slug)),
                "{}",
                t.slug
            );
        }
        let dms: Vec<_> = d
            .lotsen
            .iter()
            .filter(|l| l.active && teaches(l, "dms"))
            .collect();
        assert!(dms.len() >= 4);
        assert!(dms
            .iter()
            .any(|l| l.skills.iter().any(|s| s.topic == "dms" && s.level == 3)));
        for l in &d.lotsen {
            assert!((2..=6).contains(&l.skills.len()), "{}", l.name);
            assert!(d.departments.contains(&l.department), "{}", l.department);
            for s in &l.skills {
                assert!(d.topics.iter().any(|t| t.slug == s.topic), "{}", s.topic);
                assert!((1..=3).contains(&s.level));
            }
        }
    }

    #[test]
    fn ids_are_stable() {
        assert_eq!(topic_id("dms"), topic_id("dms"));
        assert_ne!(topic_id("dms"), topic_id("ozg"));
        assert!(lotsen_domain::protocol::is_uuid(&lotse_id("Jörg Müller")));
    }
}
