//! Turns untrusted JSON into a record's canonical `data`, or into the first problem found, with
//! a German message for the form and a machine code for clients. The server runs this on every
//! write; the app runs the same code before it stores a local edit, so a form shows the error at
//! the field before anything reaches the outbox.

use serde_json::{Map, Value};

use crate::error::FieldError;
use crate::model::*;
use crate::time::{is_date, is_local_datetime};

/// What validation needs to know about other records (references and uniqueness).
pub trait Refs {
    fn topic_exists(&self, id: &str) -> bool;
    fn lotse_exists(&self, id: &str) -> bool;
    fn request_exists(&self, id: &str) -> bool;
    /// Whether another topic than `except_id` already uses `slug`.
    fn slug_taken(&self, slug: &str, except_id: &str) -> bool;
}

pub fn validate(
    collection: Collection,
    id: &str,
    data: &Value,
    refs: &dyn Refs,
) -> Result<Value, FieldError> {
    let obj = Obj::root(data)?;
    let canonical = match collection {
        Collection::Topics => to_value(topic(&obj, id, refs)?),
        Collection::Lotsen => to_value(lotse(&obj, refs)?),
        Collection::Requests => to_value(request(&obj, refs)?),
        Collection::Notes => to_value(note(&obj, refs)?),
        Collection::Applications => to_value(application(&obj, refs)?),
        Collection::Events => to_value(event(&obj, refs)?),
    };
    if canonical.to_string().len() > MAX_RECORD_BYTES {
        return Err(FieldError::new(
            "record_too_large",
            "Der Eintrag ist zu groß (höchstens 64 KiB).",
            None,
        ));
    }
    Ok(canonical)
}

fn to_value<T: serde::Serialize>(t: T) -> Value {
    serde_json::to_value(t).unwrap_or(Value::Null)
}

fn topic(o: &Obj, id: &str, refs: &dyn Refs) -> Result<Topic, FieldError> {
    o.only(&["name", "slug", "category", "synonyms", "description"])?;
    let slug = o.text("slug", MAX_TEXT, true)?;
    if !is_slug(&slug) {
        return Err(o.err(
            "invalid_slug",
            "Nur Kleinbuchstaben a–z, Ziffern und Bindestriche, höchstens 80 Zeichen.",
            "slug",
        ));
    }
    if refs.slug_taken(&slug, id) {
        return Err(o.err(
            "slug_taken",
            "Diese Adresse benutzt schon ein anderes Thema.",
            "slug",
        ));
    }
    Ok(Topic {
        name: o.text("name", MAX_TEXT, true)?,
        slug,
        category: o.text("category", MAX_TEXT, true)?,
        synonyms: o.texts("synonyms")?,
        description: o.text("description", MAX_DESCRIPTION, false)?,
    })
}

fn lotse(o: &Obj, refs: &dyn Refs) -> Result<Lotse, FieldError> {
    o.only(&[
        "name",
        "department",
        "phone",
        "email",
        "location",
        "availability",
        "skills",
        "learning",
        "confirmed_at",
        "active",
    ])?;
    let email = o.text("email", MAX_TEXT, false)?;
    if !email.is_empty() && !is_email(&email) {
        return Err(o.err(
            "invalid_email",
            "Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. vorname.name@soest.de.",
            "email",
        ));
    }
    let mut skills: Vec<Skill> = Vec::new();
    for (i, item) in o.list("skills")?.iter().enumerate() {
        let s = o.child("skills", i, item)?;
        s.only(&["topic", "level"])?;
        let topic = s.text("topic", MAX_TEXT, true)?;
        if !refs.topic_exists(&topic) {
            return Err(s.err("unknown_topic", UNKNOWN_TOPIC, "topic"));
        }
        if skills.iter().any(|k| k.topic == topic) {
            return Err(s.err(
                "duplicate",
                "Dieses Thema steht schon in der Liste.",
                "topic",
            ));
        }
        let level = match s.get("level") {
            Some(Value::Number(n)) => n
                .as_u64()
                .and_then(|n| u8::try_from(n).ok())
                .and_then(Level::new),
            _ => None,
        };
        let Some(level) = level else {
            return Err(s.err(
                "invalid_level",
                "Die Stufe ist 1 (kennt sich aus), 2 (kann helfen) oder 3 (kann schulen).",
                "level",
            ));
        };
        skills.push(Skill { topic, level });
    }
    let learning = o.texts("learning")?;
    if let Some(i) = learning.iter().position(|t| !refs.topic_exists(t)) {
        return Err(o.err("unknown_topic", UNKNOWN_TOPIC, &format!("learning.{i}")));
    }
    let confirmed_at = o.opt_text("confirmed_at")?;
    if let Some(d) = &confirmed_at {
        if !is_date(d) {
            return Err(o.err(
                "invalid_date",
                "Bitte ein Datum im Format JJJJ-MM-TT angeben.",
                "confirmed_at",
            ));
        }
    }
    Ok(Lotse {
        name: o.text("name", MAX_TEXT, true)?,
        department: o.text("department", MAX_TEXT, true)?,
        phone: o.text("phone", MAX_TEXT, false)?,
        email,
        location: o.text("location", MAX_TEXT, false)?,
        availability: o.text("availability", MAX_TEXT, false)?,
        skills,
        learning,
        confirmed_at,
        active: o.bool("active", true)?,
    })
}

const UNKNOWN_TOPIC: &str =
    "Dieses Thema gibt es nicht (mehr). Bitte wählen Sie ein Thema aus der Liste.";

fn request(o: &Obj, refs: &dyn Refs) -> Result<Request, FieldError> {
    o.only(&[
        "kind",
        "topic",
        "title",
        "description",
        "requester",
        "status",
        "assignee",
        "created_at",
        "closed_at",
    ])?;
    let kind = o.choice(
        "kind",
        Kind::parse,
        "Bitte wählen Sie: Frage, Wunsch, Anregung oder Problem.",
    )?;
    let topic = o.opt_text("topic")?;
    if let Some(t) = &topic {
        if !refs.topic_exists(t) {
            return Err(o.err("unknown_topic", UNKNOWN_TOPIC, "topic"));
        }
    }
    let title = o.text("title", MAX_TEXT, true)?;
    let description = o.text("description", MAX_DESCRIPTION, false)?;
    let requester = match o.get("requester") {
        None | Some(Value::Null) => Requester::default(),
        Some(v) => {
            let r = o.nested("requester", v)?;
            r.only(&["name", "department", "contact"])?;
            Requester {
                name: r.text("name", MAX_TEXT, false)?,
                department: r.text("department", MAX_TEXT, false)?,
                contact: r.text("contact", MAX_TEXT, false)?,
            }
        }
    };
    let status = o.choice("status", Status::parse, "Unbekannter Status.")?;
    let assignee = o.opt_text("assignee")?;
    if let Some(a) = &assignee {
        if !refs.lotse_exists(a) {
            return Err(o.err("unknown_lotse", "Diesen Lotsen gibt es nicht.", "assignee"));
        }
    }
    let timestamp = |key: &str| -> Result<Option<String>, FieldError> {
        let value = o.opt_text(key)?;
        match value {
            Some(t) if crate::time::unix_seconds(&t).is_none() => Err(o.err(
                "invalid_timestamp",
                "Bitte einen Zeitpunkt im Format JJJJ-MM-TTThh:mm:ssZ angeben.",
                key,
            )),
            v => Ok(v),
        }
    };
    let created_at = timestamp("created_at")?;
    let closed_at = timestamp("closed_at")?;
    if closed_at.is_some() && !matches!(status, Status::Erledigt | Status::Abgelehnt) {
        return Err(o.err(
            "not_closed",
            "Ein Abschlusszeitpunkt gehört nur zu einem erledigten oder abgelehnten Anliegen.",
            "closed_at",
        ));
    }
    Ok(Request {
        kind,
        topic,
        title,
        description,
        requester,
        status,
        assignee,
        created_at,
        closed_at,
    })
}

fn note(o: &Obj, refs: &dyn Refs) -> Result<Note, FieldError> {
    o.only(&["request", "text", "author", "internal"])?;
    let request = o.text("request", MAX_TEXT, true)?;
    if !refs.request_exists(&request) {
        return Err(o.err(
            "unknown_request",
            "Dieses Anliegen gibt es nicht.",
            "request",
        ));
    }
    Ok(Note {
        request,
        text: o.text("text", MAX_DESCRIPTION, true)?,
        author: o.text("author", MAX_TEXT, false)?,
        internal: o.bool("internal", false)?,
    })
}

fn application(o: &Obj, refs: &dyn Refs) -> Result<Application, FieldError> {
    o.only(&[
        "name",
        "department",
        "contact",
        "topics",
        "motivation",
        "status",
        "lotse",
    ])?;
    let topics = o.texts("topics")?;
    if let Some(i) = topics.iter().position(|t| !refs.topic_exists(t)) {
        return Err(o.err("unknown_topic", UNKNOWN_TOPIC, &format!("topics.{i}")));
    }
    let status = o.choice("status", ApplicationStatus::parse, "Unbekannter Status.")?;
    let lotse = o.opt_text("lotse")?;
    if let Some(l) = &lotse {
        if status != ApplicationStatus::Angenommen {
            return Err(o.err(
                "not_accepted",
                "Ein Lotsen-Profil gehört nur zu einer angenommenen Bewerbung.",
                "lotse",
            ));
        }
        if !refs.lotse_exists(l) {
            return Err(o.err("unknown_lotse", "Diesen Lotsen gibt es nicht.", "lotse"));
        }
    }
    Ok(Application {
        name: o.text("name", MAX_TEXT, true)?,
        department: o.text("department", MAX_TEXT, true)?,
        contact: o.text("contact", MAX_TEXT, true)?,
        topics,
        motivation: o.text("motivation", MAX_DESCRIPTION, false)?,
        status,
        lotse,
    })
}

fn event(o: &Obj, refs: &dyn Refs) -> Result<Event, FieldError> {
    o.only(&[
        "title",
        "topic",
        "starts_at",
        "ends_at",
        "location",
        "description",
        "seats",
    ])?;
    let topic = o.opt_text("topic")?;
    if let Some(t) = &topic {
        if !refs.topic_exists(t) {
            return Err(o.err("unknown_topic", UNKNOWN_TOPIC, "topic"));
        }
    }
    let starts_at = o.text("starts_at", MAX_TEXT, true)?;
    let ends_at = o.text("ends_at", MAX_TEXT, true)?;
    for (field, v) in [("starts_at", &starts_at), ("ends_at", &ends_at)] {
        if !is_local_datetime(v) {
            return Err(o.err(
                "invalid_datetime",
                "Bitte Datum und Uhrzeit im Format JJJJ-MM-TTThh:mm angeben.",
                field,
            ));
        }
    }
    if ends_at < starts_at {
        return Err(o.err(
            "ends_before_start",
            "Das Ende liegt vor dem Beginn.",
            "ends_at",
        ));
    }
    let seats = match o.get("seats") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Some(n),
            None => {
                return Err(o.err(
                    "invalid_number",
                    "Bitte eine ganze Zahl ab 0 angeben.",
                    "seats",
                ))
            }
        },
        Some(_) => {
            return Err(o.err(
                "invalid_number",
                "Bitte eine ganze Zahl ab 0 angeben.",
                "seats",
            ))
        }
    };
    Ok(Event {
        title: o.text("title", MAX_TEXT, true)?,
        topic,
        starts_at,
        ends_at,
        location: o.text("location", MAX_TEXT, false)?,
        description: o.text("description", MAX_DESCRIPTION, false)?,
        seats,
    })
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

/// A JSON object being read, with the path of its fields for error messages.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
}

impl<'a> Obj<'a> {
    fn root(v: &'a Value) -> Result<Obj<'a>, FieldError> {
        match v {
            Value::Object(map) => Ok(Obj {
                map,
                prefix: String::new(),
            }),
            _ => Err(FieldError::new(
                "invalid_data",
                "Die Daten müssen ein JSON-Objekt sein.",
                None,
            )),
        }
    }

    fn path(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn err(&self, code: &str, message: &str, key: &str) -> FieldError {
        FieldError::new(code, message, Some(&self.path(key)))
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    fn nested(&self, key: &str, v: &'a Value) -> Result<Obj<'a>, FieldError> {
        match v {
            Value::Object(map) => Ok(Obj {
                map,
                prefix: format!("{}.", self.path(key)),
            }),
            _ => Err(self.err("invalid_type", "Ungültiger Wert.", key)),
        }
    }

    fn child(&self, key: &str, i: usize, v: &'a Value) -> Result<Obj<'a>, FieldError> {
        self.nested(&format!("{key}.{i}"), v)
    }

    fn only(&self, allowed: &[&str]) -> Result<(), FieldError> {
        match self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(self.err("unknown_field", "Dieses Feld ist unbekannt.", k)),
            None => Ok(()),
        }
    }

    fn text(&self, key: &str, max: usize, required: bool) -> Result<String, FieldError> {
        let s = match self.get(key) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(_) => return Err(self.err("invalid_type", "Hier wird ein Text erwartet.", key)),
        };
        check_text(&s, max, required).map_err(|(code, msg)| self.err(code, &msg, key))?;
        Ok(s)
    }

    fn opt_text(&self, key: &str) -> Result<Option<String>, FieldError> {
        let s = self.text(key, MAX_TEXT, false)?;
        Ok((!s.is_empty()).then_some(s))
    }

    fn bool(&self, key: &str, default: bool) -> Result<bool, FieldError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(self.err("invalid_type", "Hier wird ja oder nein erwartet.", key)),
        }
    }

    fn list(&self, key: &str) -> Result<&'a [Value], FieldError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(items)) if items.len() > MAX_LIST => Err(self.err(
                "too_many",
                &format!("Höchstens {MAX_LIST} Einträge (jetzt {}).", items.len()),
                key,
            )),
            Some(Value::Array(items)) => Ok(items),
            Some(_) => Err(self.err("invalid_type", "Hier wird eine Liste erwartet.", key)),
        }
    }

    fn texts(&self, key: &str) -> Result<Vec<String>, FieldError> {
        let mut out: Vec<String> = Vec::new();
        for (i, item) in self.list(key)?.iter().enumerate() {
            let field = format!("{key}.{i}");
            let Value::String(s) = item else {
                return Err(self.err("invalid_type", "Hier wird ein Text erwartet.", &field));
            };
            let s = s.trim().to_owned();
            check_text(&s, MAX_TEXT, true).map_err(|(code, msg)| self.err(code, &msg, &field))?;
            if !out.contains(&s) {
                out.push(s);
            }
        }
        Ok(out)
    }

    fn choice<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Option<T>,
        message: &str,
    ) -> Result<T, FieldError> {
        match self.get(key) {
            Some(Value::String(s)) => {
                parse(s).ok_or_else(|| self.err("invalid_choice", message, key))
            }
            None | Some(Value::Null) => Err(self.err("required", REQUIRED, key)),
            Some(_) => Err(self.err("invalid_choice", message, key)),
        }
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
        fn topic_exists(&self, id: &str) -> bool {
            id == "t-dms" || id == "t-ozg"
        }
        fn lotse_exists(&self, id: &str) -> bool {
            id == "l-1"
        }
        fn request_exists(&self, id: &str) -> bool {
            id == "r-1"
        }
        fn slug_taken(&self, slug: &str, except_id: &str) -> bool {
            slug == "dms" && except_id != "t-dms"
        }
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
                    if let Ok(canonical) = validate(c, "id", v, &World) {
                        // Canonical data is a fixed point: validating it again yields itself.
                        prop_assert_eq!(validate(c, "id", &canonical, &World).unwrap(), canonical);
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
