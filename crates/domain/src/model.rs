//! The records of SPEC §3 as typed Rust values. They are what the app renders and the server
//! seeds; `validate` turns untrusted JSON into them.

use crate::notify::Notify;
use serde::{Deserialize, Serialize};

/// Limits of SPEC §3.
pub const MAX_TEXT: usize = 2_000;
pub const MAX_DESCRIPTION: usize = 10_000;
pub const MAX_LIST: usize = 100;
pub const MAX_RECORD_BYTES: usize = 64 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Collection {
    Topics,
    Lotsen,
    Requests,
    Notes,
    Applications,
    Events,
}

impl Collection {
    pub const ALL: [Collection; 6] = [
        Collection::Topics,
        Collection::Lotsen,
        Collection::Requests,
        Collection::Notes,
        Collection::Applications,
        Collection::Events,
    ];

    /// What everyone may read: the directory a colleague searches.
    pub const DIRECTORY: [Collection; 3] =
        [Collection::Topics, Collection::Lotsen, Collection::Events];

    /// What only a logged-in Lotse or the Projektbüro may hold (SPEC §6), apart from a
    /// colleague's own requests and the public answers to them.
    pub const PRIVATE: [Collection; 3] = [
        Collection::Requests,
        Collection::Notes,
        Collection::Applications,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Collection::Topics => "topics",
            Collection::Lotsen => "lotsen",
            Collection::Requests => "requests",
            Collection::Notes => "notes",
            Collection::Applications => "applications",
            Collection::Events => "events",
        }
    }

    pub fn parse(s: &str) -> Option<Collection> {
        Collection::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl std::fmt::Display for Collection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Skill level: 1 = kennt sich aus, 2 = kann helfen, 3 = kann schulen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Level(u8);

impl Level {
    pub const KNOWS: Level = Level(1);
    pub const HELPS: Level = Level(2);
    pub const TRAINS: Level = Level(3);

    pub fn new(n: u8) -> Option<Level> {
        (1..=3).contains(&n).then_some(Level(n))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn label(self) -> &'static str {
        match self.0 {
            1 => "kennt sich aus",
            2 => "kann helfen",
            _ => "kann schulen",
        }
    }
}

impl TryFrom<u8> for Level {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Level::new(n).ok_or_else(|| format!("level {n} is not 1, 2 or 3"))
    }
}

impl From<Level> for u8 {
    fn from(l: Level) -> u8 {
        l.0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Frage,
    Wunsch,
    Anregung,
    Problem,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Frage, Kind::Wunsch, Kind::Anregung, Kind::Problem];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Frage => "frage",
            Kind::Wunsch => "wunsch",
            Kind::Anregung => "anregung",
            Kind::Problem => "problem",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Frage => "Frage",
            Kind::Wunsch => "Wunsch",
            Kind::Anregung => "Anregung",
            Kind::Problem => "Problem",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Neu,
    InBearbeitung,
    Weitergeleitet,
    Erledigt,
    Abgelehnt,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Neu,
        Status::InBearbeitung,
        Status::Weitergeleitet,
        Status::Erledigt,
        Status::Abgelehnt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Neu => "neu",
            Status::InBearbeitung => "in_bearbeitung",
            Status::Weitergeleitet => "weitergeleitet",
            Status::Erledigt => "erledigt",
            Status::Abgelehnt => "abgelehnt",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Neu => "neu",
            Status::InBearbeitung => "in Bearbeitung",
            Status::Weitergeleitet => "an das Projektbüro weitergeleitet",
            Status::Erledigt => "erledigt",
            Status::Abgelehnt => "abgelehnt",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApplicationStatus {
    Neu,
    Angenommen,
    Abgelehnt,
}

impl ApplicationStatus {
    pub fn parse(s: &str) -> Option<ApplicationStatus> {
        match s {
            "neu" => Some(ApplicationStatus::Neu),
            "angenommen" => Some(ApplicationStatus::Angenommen),
            "abgelehnt" => Some(ApplicationStatus::Abgelehnt),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ApplicationStatus::Neu => "neu",
            ApplicationStatus::Angenommen => "angenommen",
            ApplicationStatus::Abgelehnt => "abgelehnt",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Topic {
    pub name: String,
    pub slug: String,
    pub category: String,
    pub synonyms: Vec<String>,
    pub description: String,
}

impl Topic {
    /// The fields of a topic, in the order the Büro's form shows them (and validation reports).
    pub const FIELDS: &'static [&'static str] =
        &["name", "slug", "category", "synonyms", "description"];
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Skill {
    pub topic: String,
    pub level: Level,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Lotse {
    pub name: String,
    pub department: String,
    pub phone: String,
    pub email: String,
    pub location: String,
    pub availability: String,
    pub skills: Vec<Skill>,
    pub learning: Vec<String>,
    pub confirmed_at: Option<String>,
    pub active: bool,
    /// How they hear of new requests in their topics; only the Lotse sets it. Left out of the
    /// JSON while it is the default, so records from before it round-trip unchanged.
    #[serde(skip_serializing_if = "Notify::is_default")]
    pub notify: Notify,
}

impl Lotse {
    /// The fields of a Lotse, in the order the Büro's form and the own profile show them (and
    /// validation reports).
    pub const FIELDS: &'static [&'static str] = &[
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
        "notify",
    ];
}

#[cfg(test)]
impl Lotse {
    /// A Lotse for tests: name, department, whether active, and (topic, level) skills.
    pub(crate) fn for_test(
        name: &str,
        department: &str,
        active: bool,
        skills: &[(&str, u8)],
    ) -> Lotse {
        Lotse {
            name: name.into(),
            department: department.into(),
            active,
            skills: skills
                .iter()
                .map(|(topic, level)| Skill {
                    topic: (*topic).into(),
                    level: Level::new(*level).expect("a level from 1 to 3"),
                })
                .collect(),
            ..Lotse::default()
        }
    }
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Requester {
    pub name: String,
    pub department: String,
    pub contact: String,
    /// "Per E-Mail über Antworten informieren": mails about status and public answers go to
    /// `contact`, which must then be an e-mail address.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub notify: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub kind: Kind,
    pub topic: Option<String>,
    /// The Lotse the request is addressed to ("Anliegen senden" on their card), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lotse: Option<String>,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub requester: Requester,
    pub status: Status,
    #[serde(default)]
    pub assignee: Option<String>,
    /// When it was handed in (UTC `YYYY-MM-DDThh:mm:ssZ`), set by the device it was typed on,
    /// so a request written offline counts from when it was written. Older records lack it;
    /// it is left out of the JSON then, so they round-trip unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it was last closed (`erledigt` or `abgelehnt`), same format; cleared on reopening.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
}

impl Request {
    /// The fields of a request, in the order the form `/anliegen/neu` shows them (and validation
    /// reports).
    pub const FIELDS: &'static [&'static str] = &[
        "kind",
        "topic",
        "lotse",
        "title",
        "description",
        "requester",
        "status",
        "assignee",
        "created_at",
        "closed_at",
    ];

    /// Sets the status and keeps `closed_at` in step: a request closed now gets `now`; one
    /// that stays closed keeps its first time; a reopened one loses it.
    pub fn set_status(&mut self, status: Status, now: &str) {
        let closed = |s: Status| matches!(s, Status::Erledigt | Status::Abgelehnt);
        if !closed(status) {
            self.closed_at = None;
        } else if !closed(self.status) || self.closed_at.is_none() {
            self.closed_at = Some(now.to_owned());
        }
        self.status = status;
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub request: String,
    pub text: String,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub internal: bool,
}

impl Note {
    /// The fields of a note, in the order validation reports them.
    pub const FIELDS: &'static [&'static str] = &["request", "text", "author", "internal"];
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub name: String,
    pub department: String,
    pub contact: String,
    #[serde(default)]
    pub topics: Vec<String>,
    #[serde(default)]
    pub motivation: String,
    pub status: ApplicationStatus,
    /// The Lotse profile made when it was accepted, so that a login can be linked to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lotse: Option<String>,
}

impl Application {
    /// The fields of an application, in the order the form `/mitmachen` shows them (and validation
    /// reports).
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "department",
        "contact",
        "topics",
        "motivation",
        "status",
        "lotse",
    ];
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Event {
    pub title: String,
    pub topic: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    pub location: String,
    pub description: String,
    pub seats: Option<u32>,
}

impl Event {
    /// The fields of an event, in the order the Büro's form shows them (and validation reports).
    pub const FIELDS: &'static [&'static str] = &[
        "title",
        "topic",
        "starts_at",
        "ends_at",
        "location",
        "seats",
        "description",
    ];
}
