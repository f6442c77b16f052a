//! Turns untrusted JSON into a record's canonical `data`, or into every problem found, each with
//! a German message for the form, a machine code for clients and its field, in the order the
//! form shows the fields. The server runs this on every write and answers all the problems;
//! the app runs the same code before it stores a local edit, so a form shows every error at its
//! field before anything reaches the outbox.

use std::cell::RefCell;

use serde_json::{Map, Value};

use crate::error::FieldError;
use crate::model::*;
use crate::notify::Notify;
use crate::time::{is_date, is_local_datetime};

/// What validation needs to know about other records (references and uniqueness).
pub trait Refs {
    /// Why a lookup failed: a storage error on the server; nothing in the app, which looks in
    /// memory (`std::convert::Infallible`).
    type Error;
    fn topic_exists(&self, id: &str) -> Result<bool, Self::Error>;
    fn lotse_exists(&self, id: &str) -> Result<bool, Self::Error>;
    /// Whether the Lotse exists and is active (a new request may only be addressed to one).
    fn lotse_active(&self, id: &str) -> Result<bool, Self::Error>;
    fn request_exists(&self, id: &str) -> Result<bool, Self::Error>;
    /// Whether another topic than `except_id` already uses `slug`.
    fn slug_taken(&self, slug: &str, except_id: &str) -> Result<bool, Self::Error>;
}

/// The canonical data of a valid record, or every problem of an invalid one (never an empty
/// list): at most one per field, in the order of the collection's `FIELDS`, unknown fields
/// last. The outer `Err` is a failed lookup in `refs`, which is no verdict on the data.
pub fn validate_all<R: Refs>(
    collection: Collection,
    id: &str,
    data: &Value,
    refs: &R,
) -> Result<Result<Value, Vec<FieldError>>, R::Error> {
    let report = Report::default();
    let Some(obj) = Fields::root(data, &report) else {
        return Ok(Err(report.finish(&[])));
    };
    let (record, fields) = match collection {
        Collection::Topics => (topic(&obj, id, refs)?.map(to_value), Topic::FIELDS),
        Collection::Lotsen => (lotse(&obj, refs)?.map(to_value), Lotse::FIELDS),
        Collection::Requests => (request(&obj, refs)?.map(to_value), Request::FIELDS),
        Collection::Notes => (note(&obj, refs)?.map(to_value), Note::FIELDS),
        Collection::Applications => (application(&obj, refs)?.map(to_value), Application::FIELDS),
        Collection::Events => (event(&obj, refs)?.map(to_value), Event::FIELDS),
    };
    let errors = report.finish(fields);
    Ok(match record {
        Some(canonical) if errors.is_empty() => {
            if canonical.to_string().len() > MAX_RECORD_BYTES {
                Err(vec![FieldError::new(
                    "record_too_large",
                    "Der Eintrag ist zu groß (höchstens 64 KiB).",
                    None,
                )])
            } else {
                Ok(canonical)
            }
        }
        _ => Err(errors),
    })
}

fn to_value<T: serde::Serialize>(t: T) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

fn topic<R: Refs>(o: &Fields, id: &str, refs: &R) -> Result<Option<Topic>, R::Error> {
    o.only(Topic::FIELDS);
    let name = o.text("name", MAX_TEXT, true);
    let slug = o.text("slug", MAX_TEXT, true);
    if !o.has_error("slug") {
        if !is_slug(&slug) {
            o.fail(
                "invalid_slug",
                "Nur Kleinbuchstaben a–z, Ziffern und Bindestriche, höchstens 80 Zeichen.",
                "slug",
            );
        } else if refs.slug_taken(&slug, id)? {
            o.fail(
                "slug_taken",
                "Diese Adresse benutzt schon ein anderes Thema.",
                "slug",
            );
        }
    }
    Ok(Some(Topic {
        name,
        slug,
        category: o.text("category", MAX_TEXT, true),
        synonyms: o.texts("synonyms", "Synonym"),
        description: o.text("description", MAX_DESCRIPTION, false),
    }))
}

fn lotse<R: Refs>(o: &Fields, refs: &R) -> Result<Option<Lotse>, R::Error> {
    o.only(Lotse::FIELDS);
    let name = o.text("name", MAX_TEXT, true);
    let department = o.text("department", MAX_TEXT, true);
    let phone = o.text("phone", MAX_TEXT, false);
    let email = o.text("email", MAX_TEXT, false);
    if !email.is_empty() && !is_email(&email) {
        o.fail(
            "invalid_email",
            "Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. vorname.name@soest.de.",
            "email",
        );
    }
    let location = o.text("location", MAX_TEXT, false);
    let availability = o.text("availability", MAX_TEXT, false);
    let mut skills: Vec<Skill> = Vec::new();
    for (i, item) in o.list("skills").iter().enumerate() {
        let Some(s) = o.child("skills", i, item) else {
            continue;
        };
        s.only(&["topic", "level"]);
        let topic = s.text("topic", MAX_TEXT, true);
        if !s.has_error("topic") {
            if !refs.topic_exists(&topic)? {
                s.fail("unknown_topic", UNKNOWN_TOPIC, "topic");
            } else if skills.iter().any(|k| k.topic == topic) {
                s.fail(
                    "duplicate",
                    "Dieses Thema steht schon in der Liste.",
                    "topic",
                );
            }
        }
        let level = match s.get("level") {
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|n| u8::try_from(n).ok())
                .and_then(Level::new),
            _ => None,
        };
        match level {
            Some(level) => skills.push(Skill { topic, level }),
            None => s.fail(
                "invalid_level",
                "Die Stufe ist 1 (kennt sich aus), 2 (kann helfen) oder 3 (kann schulen).",
                "level",
            ),
        }
    }
    let learning = o.texts("learning", "Lernthema");
    for (i, t) in learning.iter().enumerate() {
        if !refs.topic_exists(t)? {
            o.fail("unknown_topic", UNKNOWN_TOPIC, &format!("learning.{i}"));
        }
    }
    let confirmed_at = o.opt_text("confirmed_at");
    if confirmed_at.as_deref().is_some_and(|d| !is_date(d)) {
        o.fail(
            "invalid_date",
            "Bitte ein Datum im Format JJJJ-MM-TT angeben.",
            "confirmed_at",
        );
    }
    let notify = match o.get("notify") {
        None | Some(Value::Null) => Some(Notify::default()),
        Some(v) => v.as_str().and_then(Notify::parse),
    };
    if notify.is_none() {
        o.fail(
            "invalid_choice",
            "Bitte wählen Sie: sofort, täglich oder nie.",
            "notify",
        );
    }
    Ok(Some(Lotse {
        name,
        department,
        phone,
        email,
        location,
        availability,
        skills,
        learning,
        confirmed_at,
        active: o.bool("active", true),
        notify: notify.unwrap_or_default(),
    }))
}

const UNKNOWN_TOPIC: &str =
    "Dieses Thema gibt es nicht (mehr). Bitte wählen Sie ein Thema aus der Liste.";

fn request<R: Refs>(o: &Fields, refs: &R) -> Result<Option<Request>, R::Error> {
    o.only(Request::FIELDS);
    let kind = o.choice(
        "kind",
        Kind::parse,
        "Bitte wählen Sie: Frage, Wunsch, Anregung oder Problem.",
    );
    let topic = o.opt_text("topic");
    if let Some(t) = &topic {
        if !refs.topic_exists(t)? {
            o.fail("unknown_topic", UNKNOWN_TOPIC, "topic");
        }
    }
    let lotse = o.opt_text("lotse");
    let title = o.text("title", MAX_TEXT, true);
    let description = o.text("description", MAX_DESCRIPTION, false);
    let requester = match o.get("requester") {
        None | Some(Value::Null) => Requester::default(),
        Some(v) => match o.nested("requester", v) {
            Some(r) => {
                r.only(&["name", "department", "contact", "notify"]);
                let requester = Requester {
                    name: r.text("name", MAX_TEXT, false),
                    department: r.text("department", MAX_TEXT, false),
                    contact: r.text("contact", MAX_TEXT, false),
                    notify: r.bool("notify", false),
                };
                if requester.notify && !is_email(&requester.contact) && !r.has_error("contact") {
                    r.fail(
                        "email_for_notify",
                        "Für Nachrichten per E-Mail geben Sie bitte eine E-Mail-Adresse als Kontakt an.",
                        "contact",
                    );
                }
                requester
            }
            None => Requester::default(),
        },
    };
    let status = o.choice("status", Status::parse, "Unbekannter Status.");
    let assignee = o.opt_text("assignee");
    if let Some(a) = &assignee {
        if !refs.lotse_exists(a)? {
            o.fail("unknown_lotse", "Diesen Lotsen gibt es nicht.", "assignee");
        }
    }
    let timestamp = |key: &str| -> Option<String> {
        let value = o.opt_text(key);
        if value
            .as_deref()
            .is_some_and(|t| crate::time::unix_seconds(t).is_none())
        {
            o.fail(
                "invalid_timestamp",
                "Bitte einen Zeitpunkt im Format JJJJ-MM-TTThh:mm:ssZ angeben.",
                key,
            );
        }
        value
    };
    let created_at = timestamp("created_at");
    let closed_at = timestamp("closed_at");
    if closed_at.is_some()
        && status.is_some_and(|s| !matches!(s, Status::Erledigt | Status::Abgelehnt))
    {
        o.fail(
            "not_closed",
            "Ein Abschlusszeitpunkt gehört nur zu einem erledigten oder abgelehnten Anliegen.",
            "closed_at",
        );
    }
    if let Some(l) = &lotse {
        // Addressed while new: to an active Lotse. Later the address stays as it was, even if
        // that Lotse has left meanwhile (their requests go to the Projektbüro).
        let known = if status == Some(Status::Neu) {
            refs.lotse_active(l)?
        } else {
            refs.lotse_exists(l)?
        };
        if !known {
            o.fail(
                "unknown_lotse",
                "An diese Lotsin oder diesen Lotsen kann kein Anliegen gehen (nicht oder nicht mehr aktiv).",
                "lotse",
            );
        }
    }
    let (Some(kind), Some(status)) = (kind, status) else {
        return Ok(None);
    };
    Ok(Some(Request {
        kind,
        topic,
        lotse,
        title,
        description,
        requester,
        status,
        assignee,
        created_at,
        closed_at,
    }))
}

fn note<R: Refs>(o: &Fields, refs: &R) -> Result<Option<Note>, R::Error> {
    o.only(Note::FIELDS);
    let request = o.text("request", MAX_TEXT, true);
    if !o.has_error("request") && !refs.request_exists(&request)? {
        o.fail(
            "unknown_request",
            "Dieses Anliegen gibt es nicht.",
            "request",
        );
    }
    Ok(Some(Note {
        request,
        text: o.text("text", MAX_DESCRIPTION, true),
        author: o.text("author", MAX_TEXT, false),
        internal: o.bool("internal", false),
    }))
}

fn application<R: Refs>(o: &Fields, refs: &R) -> Result<Option<Application>, R::Error> {
    o.only(Application::FIELDS);
    let name = o.text("name", MAX_TEXT, true);
    let department = o.text("department", MAX_TEXT, true);
    let contact = o.text("contact", MAX_TEXT, true);
    let topics = o.texts("topics", "Thema");
    for (i, t) in topics.iter().enumerate() {
        if !refs.topic_exists(t)? {
            o.fail("unknown_topic", UNKNOWN_TOPIC, &format!("topics.{i}"));
        }
    }
    let motivation = o.text("motivation", MAX_DESCRIPTION, false);
    let status = o.choice("status", ApplicationStatus::parse, "Unbekannter Status.");
    let lotse = o.opt_text("lotse");
    if let Some(l) = &lotse {
        if status.is_some_and(|s| s != ApplicationStatus::Angenommen) {
            o.fail(
                "not_accepted",
                "Ein Lotsen-Profil gehört nur zu einer angenommenen Bewerbung.",
                "lotse",
            );
        } else if !refs.lotse_exists(l)? {
            o.fail("unknown_lotse", "Diesen Lotsen gibt es nicht.", "lotse");
        }
    }
    let Some(status) = status else {
        return Ok(None);
    };
    Ok(Some(Application {
        name,
        department,
        contact,
        topics,
        motivation,
        status,
        lotse,
    }))
}

fn event<R: Refs>(o: &Fields, refs: &R) -> Result<Option<Event>, R::Error> {
    o.only(Event::FIELDS);
    let title = o.text("title", MAX_TEXT, true);
    let topic = o.opt_text("topic");
    if let Some(t) = &topic {
        if !refs.topic_exists(t)? {
            o.fail("unknown_topic", UNKNOWN_TOPIC, "topic");
        }
    }
    let starts_at = o.text("starts_at", MAX_TEXT, true);
    let ends_at = o.text("ends_at", MAX_TEXT, true);
    for (field, v) in [("starts_at", &starts_at), ("ends_at", &ends_at)] {
        if !o.has_error(field) && !is_local_datetime(v) {
            o.fail(
                "invalid_datetime",
                "Bitte Datum und Uhrzeit im Format JJJJ-MM-TTThh:mm angeben.",
                field,
            );
        }
    }
    if !o.has_error("starts_at") && !o.has_error("ends_at") && ends_at < starts_at {
        o.fail(
            "ends_before_start",
            "Das Ende liegt vor dem Beginn.",
            "ends_at",
        );
    }
    let location = o.text("location", MAX_TEXT, false);
    let seats = match o.get("seats") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let n = v.as_u64().and_then(|n| u32::try_from(n).ok());
            if n.is_none() {
                o.fail(
                    "invalid_number",
                    "Bitte eine ganze Zahl ab 0 angeben (oder leer lassen).",
                    "seats",
                );
            }
            n
        }
    };
    Ok(Some(Event {
        title,
        topic,
        starts_at,
        ends_at,
        location,
        description: o.text("description", MAX_DESCRIPTION, false),
        seats,
    }))
}

pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

pub fn is_email(s: &str) -> bool {
    let mut parts = s.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        _ => false,
    }
}

/// The problems found so far: at most one per field, the first found.
#[derive(Default)]
struct Report {
    errors: RefCell<Vec<FieldError>>,
}

impl Report {
    fn add(&self, e: FieldError) {
        if !self.has_error(e.field.as_deref()) {
            self.errors.borrow_mut().push(e);
        }
    }

    fn has_error(&self, field: Option<&str>) -> bool {
        self.errors
            .borrow()
            .iter()
            .any(|e| e.field.as_deref() == field)
    }

    /// The problems in the order of `fields` (by the first part of the path; a stable sort, so
    /// the items of a list stay in their order), fields not in it last.
    fn finish(self, fields: &[&str]) -> Vec<FieldError> {
        let mut errors = self.errors.into_inner();
        errors.sort_by_key(|e| {
            e.field
                .as_deref()
                .and_then(|f| fields.iter().position(|x| f.split('.').next() == Some(*x)))
                .unwrap_or(fields.len())
        });
        errors
    }
}

/// A JSON object being read, with the path of its fields for error messages. A field that
/// does not pass is reported and read as empty, so that the rest is still checked.
struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
    report: &'a Report,
}

impl<'a> Fields<'a> {
    fn root(v: &'a Value, report: &'a Report) -> Option<Fields<'a>> {
        match v {
            Value::Object(map) => Some(Fields {
                map,
                prefix: String::new(),
                report,
            }),
            _ => {
                report.add(FieldError::new(
                    "invalid_data",
                    "Die Daten müssen ein JSON-Objekt sein.",
                    None,
                ));
                None
            }
        }
    }

    fn path(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn fail(&self, code: &str, message: &str, key: &str) {
        self.report
            .add(FieldError::new(code, message, Some(&self.path(key))));
    }

    fn has_error(&self, key: &str) -> bool {
        self.report.has_error(Some(&self.path(key)))
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    fn nested(&self, key: &str, v: &'a Value) -> Option<Fields<'a>> {
        match v {
            Value::Object(map) => Some(Fields {
                map,
                prefix: format!("{}.", self.path(key)),
                report: self.report,
            }),
            _ => {
                self.fail("invalid_type", "Ungültiger Wert.", key);
                None
            }
        }
    }

    fn child(&self, key: &str, i: usize, v: &'a Value) -> Option<Fields<'a>> {
        self.nested(&format!("{key}.{i}"), v)
    }

    fn only(&self, allowed: &[&str]) {
        for k in self.map.keys().filter(|k| !allowed.contains(&k.as_str())) {
            self.fail("unknown_field", "Dieses Feld ist unbekannt.", k);
        }
    }

    fn text(&self, key: &str, max: usize, required: bool) -> String {
        let s = match self.get(key) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(_) => {
                self.fail("invalid_type", "Hier wird ein Text erwartet.", key);
                return String::new();
            }
        };
        if let Err((code, msg)) = check_text(&s, max, required) {
            self.fail(code, &msg, key);
        }
        s
    }

    fn opt_text(&self, key: &str) -> Option<String> {
        let s = self.text(key, MAX_TEXT, false);
        (!s.is_empty()).then_some(s)
    }

    fn bool(&self, key: &str, default: bool) -> bool {
        match self.get(key) {
            None | Some(Value::Null) => default,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.fail("invalid_type", "Hier wird ja oder nein erwartet.", key);
                default
            }
        }
    }

    fn list(&self, key: &str) -> &'a [Value] {
        match self.get(key) {
            None | Some(Value::Null) => &[],
            Some(Value::Array(items)) if items.len() > MAX_LIST => {
                self.fail(
                    "too_many",
                    &format!("Höchstens {MAX_LIST} Einträge (jetzt {}).", items.len()),
                    key,
                );
                &[]
            }
            Some(Value::Array(items)) => items,
            Some(_) => {
                self.fail("invalid_type", "Hier wird eine Liste erwartet.", key);
                &[]
            }
        }
    }

    /// A list of texts, each trimmed and given once; a problem names the item (`label` and its
    /// number), since the form shows the list in one field.
    fn texts(&self, key: &str, label: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (i, item) in self.list(key).iter().enumerate() {
            let field = format!("{key}.{i}");
            let Value::String(s) = item else {
                self.fail(
                    "invalid_type",
                    &format!("{label} {}: Hier wird ein Text erwartet.", i + 1),
                    &field,
                );
                continue;
            };
            let s = s.trim().to_owned();
            match check_text(&s, MAX_TEXT, true) {
                Err((code, msg)) => self.fail(code, &format!("{label} {}: {msg}", i + 1), &field),
                Ok(()) if !out.contains(&s) => out.push(s),
                Ok(()) => {}
            }
        }
        out
    }

    fn choice<T>(&self, key: &str, parse: impl Fn(&str) -> Option<T>, message: &str) -> Option<T> {
        let parsed = match self.get(key) {
            Some(Value::String(s)) => parse(s),
            None | Some(Value::Null) => {
                self.fail("required", REQUIRED, key);
                return None;
            }
            Some(_) => None,
        };
        if parsed.is_none() {
            self.fail("invalid_choice", message, key);
        }
        parsed
    }
}

const REQUIRED: &str = "Bitte füllen Sie dieses Feld aus.";

/// The rules for one text field, also used by the app's forms while typing.
pub fn check_text(s: &str, max: usize, required: bool) -> Result<(), (&'static str, String)> {
    if required && s.trim().is_empty() {
        return Err(("required", REQUIRED.to_owned()));
    }
    let n = s.chars().count();
    if n > max {
        return Err((
            "too_long",
            format!(
                "Der Text ist zu lang: höchstens {} Zeichen, jetzt {}.",
                group(max),
                group(n)
            ),
        ));
    }
    Ok(())
}

/// 10000 → "10.000", as German readers expect.
pub fn group(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    struct World;
    impl Refs for World {
        type Error = std::convert::Infallible;
        fn topic_exists(&self, id: &str) -> Result<bool, Self::Error> {
            Ok(id == "t-dms" || id == "t-ozg")
        }
        fn lotse_exists(&self, id: &str) -> Result<bool, Self::Error> {
            Ok(id == "l-1" || id == "l-inaktiv")
        }
        fn lotse_active(&self, id: &str) -> Result<bool, Self::Error> {
            Ok(id == "l-1")
        }
        fn request_exists(&self, id: &str) -> Result<bool, Self::Error> {
            Ok(id == "r-1")
        }
        fn slug_taken(&self, slug: &str, except_id: &str) -> Result<bool, Self::Error> {
            Ok(slug == "dms" && except_id != "t-dms")
        }
    }

    /// All problems, as the World knows the references.
    fn all(c: Collection, id: &str, v: &Value) -> Result<Value, Vec<FieldError>> {
        match validate_all(c, id, v, &World) {
            Ok(verdict) => verdict,
            Err(never) => match never {},
        }
    }

    /// The first problem (the one of the first field), or the canonical data.
    fn validate(c: Collection, id: &str, v: &Value, _: &World) -> Result<Value, FieldError> {
        all(c, id, v).map_err(|errors| errors[0].clone())
    }

    fn req() -> Value {
        json!({"kind":"frage","topic":"t-dms","title":"Wie lege ich eine E-Akte an?",
               "description":"","requester":{"name":"Eva","department":"Bürgerbüro","contact":"-123"},
               "status":"neu","assignee":null})
    }

    fn field_of(r: Result<Value, FieldError>) -> (String, Option<String>) {
        let e = r.expect_err("should be refused");
        (e.code, e.field)
    }

    #[test]
    fn valid_request_is_canonical() {
        let v = validate(Collection::Requests, "r", &req(), &World).unwrap();
        assert_eq!(v["title"], "Wie lege ich eine E-Akte an?");
        assert_eq!(v["status"], "neu");
    }

    #[test]
    fn request_times_are_utc_timestamps() {
        let mut r = req();
        r["created_at"] = json!("2026-11-29T09:15:00Z");
        r["closed_at"] = json!(null);
        let v = validate(Collection::Requests, "r", &r, &World).unwrap();
        assert_eq!(v["created_at"], "2026-11-29T09:15:00Z");
        assert!(
            v.get("closed_at").is_none(),
            "an unknown time is left out: {v}"
        );
        for (field, bad) in [
            ("created_at", "29.11.2026"),
            ("closed_at", "2026-11-29T25:00:00Z"),
            // 20 bytes, the 16th inside "ü": reading it by character position once panicked.
            ("closed_at", "2026-11-29T09:1ü00Z"),
        ] {
            let mut r = req();
            r[field] = json!(bad);
            assert_eq!(
                field_of(validate(Collection::Requests, "r", &r, &World)),
                ("invalid_timestamp".into(), Some(field.into()))
            );
        }
    }

    #[test]
    fn closing_and_reopening_keep_the_closing_time() {
        let mut r: Request = serde_json::from_value(req()).unwrap();
        r.set_status(Status::InBearbeitung, "2026-11-01T08:00:00Z");
        assert_eq!(r.closed_at, None);
        r.set_status(Status::Erledigt, "2026-11-02T08:00:00Z");
        assert_eq!(r.closed_at.as_deref(), Some("2026-11-02T08:00:00Z"));
        // Rejecting a request already closed does not move the time it was closed.
        r.set_status(Status::Abgelehnt, "2026-11-03T08:00:00Z");
        assert_eq!(r.closed_at.as_deref(), Some("2026-11-02T08:00:00Z"));
        r.set_status(Status::Neu, "2026-11-04T08:00:00Z");
        assert_eq!(r.closed_at, None);
        r.set_status(Status::Abgelehnt, "2026-11-05T08:00:00Z");
        assert_eq!(r.closed_at.as_deref(), Some("2026-11-05T08:00:00Z"));
    }

    #[test]
    fn an_accepted_application_names_its_new_profile() {
        let mut a = json!({"name":"Bea","department":"Kämmerei","contact":"-1","topics":["t-dms"],
                           "motivation":"","status":"angenommen","lotse":"l-1"});
        assert!(validate(Collection::Applications, "a", &a, &World).is_ok());
        a["lotse"] = json!("l-2");
        assert_eq!(
            field_of(validate(Collection::Applications, "a", &a, &World)),
            ("unknown_lotse".into(), Some("lotse".into()))
        );
        a["lotse"] = json!("l-1");
        a["status"] = json!("neu");
        assert_eq!(
            field_of(validate(Collection::Applications, "a", &a, &World)),
            ("not_accepted".into(), Some("lotse".into()))
        );
    }

    #[test]
    fn a_closing_time_needs_a_closed_status() {
        let mut r = req();
        r["closed_at"] = json!("2026-11-29T09:15:00Z");
        assert_eq!(
            field_of(validate(Collection::Requests, "r", &r, &World)),
            ("not_closed".into(), Some("closed_at".into()))
        );
        r["status"] = json!("erledigt");
        assert!(validate(Collection::Requests, "r", &r, &World).is_ok());
    }

    #[test]
    fn empty_title_is_required() {
        let mut r = req();
        r["title"] = json!("   ");
        assert_eq!(
            field_of(validate(Collection::Requests, "r", &r, &World)),
            ("required".into(), Some("title".into()))
        );
    }

    #[test]
    fn long_description_is_too_long() {
        let mut r = req();
        r["description"] = json!("x".repeat(20_000));
        let e = validate(Collection::Requests, "r", &r, &World).unwrap_err();
        assert_eq!(e.code, "too_long");
        assert_eq!(e.field.as_deref(), Some("description"));
        assert!(e.message.contains("10.000"), "{}", e.message);
    }

    #[test]
    fn unknown_topic_is_refused() {
        let mut r = req();
        r["topic"] = json!("t-nope");
        assert_eq!(
            field_of(validate(Collection::Requests, "r", &r, &World)),
            ("unknown_topic".into(), Some("topic".into()))
        );
    }

    #[test]
    fn unknown_field_and_bad_types() {
        let mut r = req();
        r["extra"] = json!(1);
        assert_eq!(
            field_of(validate(Collection::Requests, "r", &r, &World)).0,
            "unknown_field"
        );
        let mut r = req();
        r["title"] = json!(5);
        assert_eq!(
            field_of(validate(Collection::Requests, "r", &r, &World)).0,
            "invalid_type"
        );
        let mut r = req();
        r["kind"] = json!("beschwerde");
        assert_eq!(
            field_of(validate(Collection::Requests, "r", &r, &World)).0,
            "invalid_choice"
        );
        let mut r = req();
        r["requester"] = json!({"name": 1});
        assert_eq!(
            field_of(validate(Collection::Requests, "r", &r, &World)),
            ("invalid_type".into(), Some("requester.name".into()))
        );
        assert_eq!(
            field_of(validate(Collection::Requests, "r", &json!([1]), &World)).0,
            "invalid_data"
        );
    }

    #[test]
    fn lotse_skills_are_checked() {
        let base =
            json!({"name":"Anna","department":"Bauamt","skills":[{"topic":"t-dms","level":3}]});
        let v = validate(Collection::Lotsen, "l", &base, &World).unwrap();
        assert_eq!(v["active"], true);
        let mut bad = base.clone();
        bad["skills"][0]["level"] = json!(4);
        assert_eq!(
            field_of(validate(Collection::Lotsen, "l", &bad, &World)),
            ("invalid_level".into(), Some("skills.0.level".into()))
        );
        let mut dup = base.clone();
        dup["skills"] = json!([{"topic":"t-dms","level":1},{"topic":"t-dms","level":2}]);
        assert_eq!(
            field_of(validate(Collection::Lotsen, "l", &dup, &World)).0,
            "duplicate"
        );
        let mut many = base.clone();
        many["learning"] = json!(vec!["t-dms"; 101]);
        assert_eq!(
            field_of(validate(Collection::Lotsen, "l", &many, &World)).0,
            "too_many"
        );
        let mut mail = base;
        mail["email"] = json!("anna at soest");
        assert_eq!(
            field_of(validate(Collection::Lotsen, "l", &mail, &World)).0,
            "invalid_email"
        );
    }

    #[test]
    fn topic_slug_rules() {
        let t = json!({"name":"DMS","slug":"dms","category":"Fachverfahren"});
        assert!(validate(Collection::Topics, "t-dms", &t, &World).is_ok());
        assert_eq!(
            field_of(validate(Collection::Topics, "t-x", &t, &World)).0,
            "slug_taken"
        );
        let bad = json!({"name":"DMS","slug":"Dms!","category":"x"});
        assert_eq!(
            field_of(validate(Collection::Topics, "t-x", &bad, &World)).0,
            "invalid_slug"
        );
    }

    #[test]
    fn events_and_notes() {
        let e = json!({"title":"DMS-Schulung","starts_at":"2026-12-01T09:00","ends_at":"2026-12-01T12:00","seats":12});
        assert!(validate(Collection::Events, "e", &e, &World).is_ok());
        let mut bad = e.clone();
        bad["ends_at"] = json!("2026-11-30T09:00");
        assert_eq!(
            field_of(validate(Collection::Events, "e", &bad, &World)).0,
            "ends_before_start"
        );
        let mut bad = e;
        bad["starts_at"] = json!("1.12.2026");
        assert_eq!(
            field_of(validate(Collection::Events, "e", &bad, &World)).0,
            "invalid_datetime"
        );
        let n = json!({"request":"r-2","text":"Hallo"});
        assert_eq!(
            field_of(validate(Collection::Notes, "n", &n, &World)).0,
            "unknown_request"
        );
    }

    #[test]
    fn record_size_limit() {
        let mut r = req();
        r["description"] = json!("ü".repeat(10_000));
        r["requester"] = json!({"name":"x".repeat(2000),"department":"y".repeat(2000),"contact":"z".repeat(2000)});
        r["title"] = json!("ö".repeat(2000));
        // Every field within its limit, the record as a whole too (about 34 KB).
        assert!(validate(Collection::Requests, "r", &r, &World).is_ok());
        let many: Vec<String> = (0..100)
            .map(|i| format!("{i}{}", "s".repeat(1990)))
            .collect();
        let t = json!({"name":"x","slug":"x","category":"y","synonyms":many});
        assert_eq!(
            field_of(validate(Collection::Topics, "t", &t, &World)).0,
            "record_too_large"
        );
    }

    fn codes(errors: &[FieldError]) -> Vec<(&str, &str)> {
        errors
            .iter()
            .map(|e| (e.code.as_str(), e.field.as_deref().unwrap_or("")))
            .collect()
    }

    #[test]
    fn every_problem_at_once_in_form_order() {
        let r = json!({"extra": 1, "requester": {"name": 1, "contact": "x".repeat(2001)},
                       "description": "x".repeat(10_001), "title": " ", "topic": "t-nope",
                       "kind": "beschwerde", "status": "neu"});
        let errors = all(Collection::Requests, "r", &r).unwrap_err();
        assert_eq!(
            codes(&errors),
            [
                ("invalid_choice", "kind"),
                ("unknown_topic", "topic"),
                ("required", "title"),
                ("too_long", "description"),
                ("invalid_type", "requester.name"),
                ("too_long", "requester.contact"),
                ("unknown_field", "extra"),
            ]
        );
        let e = json!({"seats": "zwölf", "ends_at": "", "starts_at": "morgen", "title": ""});
        assert_eq!(
            codes(&all(Collection::Events, "e", &e).unwrap_err()),
            [
                ("required", "title"),
                ("invalid_datetime", "starts_at"),
                ("required", "ends_at"),
                ("invalid_number", "seats"),
            ]
        );
    }

    #[test]
    fn a_field_is_reported_once_and_list_items_by_number() {
        let l = json!({"name": "Anna", "department": "Bauamt", "email": 5,
                       "skills": [{"topic": "t-nope", "level": 9}, {"topic": "t-dms", "level": 1},
                                  {"topic": "t-dms", "level": 2}],
                       "learning": ["t-ozg", "t-weg"]});
        assert_eq!(
            codes(&all(Collection::Lotsen, "l", &l).unwrap_err()),
            [
                ("invalid_type", "email"),
                ("unknown_topic", "skills.0.topic"),
                ("invalid_level", "skills.0.level"),
                ("duplicate", "skills.2.topic"),
                ("unknown_topic", "learning.1"),
            ]
        );
        let t = json!({"name": "DMS", "slug": "", "category": "x", "synonyms": ["ok", "y".repeat(2001)]});
        let errors = all(Collection::Topics, "t", &t).unwrap_err();
        assert_eq!(
            codes(&errors),
            [("required", "slug"), ("too_long", "synonyms.1")]
        );
        assert!(
            errors[1].message.starts_with("Synonym 2: "),
            "{}",
            errors[1].message
        );
    }

    #[test]
    fn a_new_request_goes_only_to_an_active_lotse() {
        let mut r = req();
        r["lotse"] = json!("l-1");
        assert_eq!(all(Collection::Requests, "r", &r).unwrap()["lotse"], "l-1");
        r["lotse"] = json!("l-inaktiv");
        assert_eq!(
            codes(&all(Collection::Requests, "r", &r).unwrap_err()),
            [("unknown_lotse", "lotse")]
        );
        // Once taken, the address stays valid when that Lotse leaves.
        r["status"] = json!("in_bearbeitung");
        assert!(all(Collection::Requests, "r", &r).is_ok());
        r["lotse"] = json!("l-weg");
        assert!(all(Collection::Requests, "r", &r).is_err());
        // Without an address the field is not written at all.
        assert!(all(Collection::Requests, "r", &req())
            .unwrap()
            .get("lotse")
            .is_none());
    }

    #[test]
    fn mails_about_answers_need_an_address() {
        let mut r = req();
        r["requester"] = json!({"name": "Eva", "contact": "02921 103-1", "notify": true});
        assert_eq!(
            codes(&all(Collection::Requests, "r", &r).unwrap_err()),
            [("email_for_notify", "requester.contact")]
        );
        r["requester"]["contact"] = json!("eva@soest.de");
        let ok = all(Collection::Requests, "r", &r).unwrap();
        assert_eq!(ok["requester"]["notify"], true);
        r["requester"]["notify"] = json!(false);
        assert!(all(Collection::Requests, "r", &r).unwrap()["requester"]
            .get("notify")
            .is_none());
    }

    #[test]
    fn a_lotse_chooses_how_to_hear_of_requests() {
        let l = json!({"name": "Anna", "department": "Bauamt"});
        assert!(all(Collection::Lotsen, "l", &l)
            .unwrap()
            .get("notify")
            .is_none());
        for (value, stored) in [
            ("sofort", Some("sofort")),
            ("nie", Some("nie")),
            ("taeglich", None),
        ] {
            let mut l = l.clone();
            l["notify"] = json!(value);
            let ok = all(Collection::Lotsen, "l", &l).unwrap();
            assert_eq!(ok.get("notify").and_then(Value::as_str), stored);
        }
        let mut l = l.clone();
        l["notify"] = json!("stündlich");
        assert_eq!(
            codes(&all(Collection::Lotsen, "l", &l).unwrap_err()),
            [("invalid_choice", "notify")]
        );
    }

    #[test]
    fn a_failed_lookup_is_no_verdict() {
        struct Broken;
        impl Refs for Broken {
            type Error = &'static str;
            fn topic_exists(&self, _: &str) -> Result<bool, Self::Error> {
                Err("disk gone")
            }
            fn lotse_exists(&self, _: &str) -> Result<bool, Self::Error> {
                Err("disk gone")
            }
            fn lotse_active(&self, _: &str) -> Result<bool, Self::Error> {
                Err("disk gone")
            }
            fn request_exists(&self, _: &str) -> Result<bool, Self::Error> {
                Err("disk gone")
            }
            fn slug_taken(&self, _: &str, _: &str) -> Result<bool, Self::Error> {
                Err("disk gone")
            }
        }
        assert_eq!(
            validate_all(Collection::Requests, "r", &req(), &Broken),
            Err("disk gone")
        );
        // Without a reference to look up, the verdict needs no lookup.
        let mut r = req();
        r["topic"] = json!(null);
        assert!(matches!(
            validate_all(Collection::Requests, "r", &r, &Broken),
            Ok(Ok(_))
        ));
    }

    proptest! {
        #[test]
        fn any_json_never_panics(s in ".{0,64}", n in any::<i64>(), b in any::<bool>()) {
            for c in Collection::ALL {
                let candidates = [
                    json!({"title": s, "kind": s, "status": s, "name": s, "slug": s}),
                    json!({"skills": [{"topic": s, "level": n}], "name": s, "department": s}),
                    json!({"seats": n, "starts_at": s, "ends_at": s, "title": s, "active": b}),
                    json!(s), json!(n), json!(null),
                ];
                for v in &candidates {
                    match all(c, "id", v) {
                        // Canonical data is a fixed point: validating it again yields itself.
                        Ok(canonical) => prop_assert_eq!(all(c, "id", &canonical).unwrap(), canonical),
                        // Never an empty list; each field once.
                        Err(errors) => {
                            prop_assert!(!errors.is_empty());
                            let mut fields: Vec<_> = errors.iter().map(|e| e.field.clone()).collect();
                            fields.sort();
                            fields.dedup();
                            prop_assert_eq!(fields.len(), errors.len());
                        }
                    }
                }
            }
        }

        #[test]
        fn text_limits_hold(len in 0usize..2100) {
            let mut r = req();
            r["title"] = json!("a".repeat(len));
            let ok = validate(Collection::Requests, "r", &r, &World).is_ok();
            prop_assert_eq!(ok, (1..=MAX_TEXT).contains(&len));
        }
    }
}
