//! Who hears of a request by e-mail, and what the mail says: the rules without I/O. The server
//! writes the mails a push causes in the same transaction as the push (its outbox) and a
//! sender delivers them; what goes into that outbox is decided here.

use serde::{Deserialize, Serialize};

use crate::model::{Lotse, Note, Request, Status, Topic};
use crate::validate::is_email;

/// How a Lotse hears of new requests in their topics (`Lotse.notify`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Notify {
    /// A mail for each new request, at once.
    Sofort,
    /// One summary on working days at 7:00 (Soest's clock), if something new is still `neu`.
    #[default]
    Taeglich,
    Nie,
}

impl Notify {
    pub const ALL: [Notify; 3] = [Notify::Sofort, Notify::Taeglich, Notify::Nie];

    pub fn as_str(self) -> &'static str {
        match self {
            Notify::Sofort => "sofort",
            Notify::Taeglich => "taeglich",
            Notify::Nie => "nie",
        }
    }

    pub fn parse(s: &str) -> Option<Notify> {
        Notify::ALL.into_iter().find(|n| n.as_str() == s)
    }

    pub fn is_default(&self) -> bool {
        *self == Notify::default()
    }

    /// The setting in a word, for lists.
    pub fn short_label(self) -> &'static str {
        match self {
            Notify::Sofort => "sofort",
            Notify::Taeglich => "täglich",
            Notify::Nie => "nie",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Notify::Sofort => "sofort, bei jedem neuen Anliegen",
            Notify::Taeglich => "einmal täglich um 7 Uhr (werktags), wenn etwas Neues da ist",
            Notify::Nie => "gar nicht (ich schaue selbst in den Arbeitsplatz)",
        }
    }
}

/// Who a mail goes to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Recipient {
    /// A Lotse, by record id (their address is read when the mail is written).
    Lotse(String),
    /// The Projektbüro's mailbox.
    Buero,
    /// The colleague who handed the request in, at this address.
    Requester(String),
}

/// Why a mail is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// A new request addressed to this Lotse.
    Addressed,
    /// A new request in a topic of this Lotse (setting `sofort`).
    Topic,
    /// A new request the Projektbüro takes: without a topic, addressed to a Lotse who is no
    /// longer active, in a topic nobody helps with, or forwarded.
    Buero,
    /// The request's status changed (to the requester).
    Status,
    /// A public answer was written (to the requester).
    Answer,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Planned {
    pub to: Recipient,
    pub reason: Reason,
}

/// The requester's address for mails about their request, if they asked for them and gave one.
pub fn requester_address(r: &Request) -> Option<String> {
    let contact = r.requester.contact.trim();
    (r.requester.notify && is_email(contact)).then(|| contact.to_owned())
}

/// Who helps with a topic, as far as mails are concerned.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopicHelp {
    /// Some active Lotse names the topic as a skill.
    pub helped: bool,
    /// The active Lotsen naming it who want each new request at once (`sofort`), by id.
    pub at_once: Vec<String>,
}

impl TopicHelp {
    /// From the active Lotsen who name the topic.
    pub fn of<'a>(helpers: impl IntoIterator<Item = (&'a str, &'a Lotse)>) -> TopicHelp {
        let mut help = TopicHelp::default();
        for (id, l) in helpers.into_iter().filter(|(_, l)| l.active) {
            help.helped = true;
            if l.notify == Notify::Sofort {
                help.at_once.push(id.to_owned());
            }
        }
        help
    }
}

/// The mails a write of a request causes. `before` is the stored request (None: created now);
/// `lotse` finds a Lotse by id, `help` says who helps with a topic.
pub fn on_request<'a>(
    before: Option<&Request>,
    after: &Request,
    lotse: impl Fn(&str) -> Option<&'a Lotse>,
    help: impl Fn(&str) -> TopicHelp,
) -> Vec<Planned> {
    let mut out = Vec::new();
    match before {
        None => out.extend(for_new(after, lotse, help)),
        Some(before) if before.status != after.status => {
            if after.status == Status::Weitergeleitet {
                out.push(Planned {
                    to: Recipient::Buero,
                    reason: Reason::Buero,
                });
            }
            if let Some(address) = requester_address(after) {
                out.push(Planned {
                    to: Recipient::Requester(address),
                    reason: Reason::Status,
                });
            }
        }
        Some(_) => {}
    }
    out
}

fn for_new<'a>(
    request: &Request,
    lotse: impl Fn(&str) -> Option<&'a Lotse>,
    help: impl Fn(&str) -> TopicHelp,
) -> Vec<Planned> {
    let buero = || {
        vec![Planned {
            to: Recipient::Buero,
            reason: Reason::Buero,
        }]
    };
    if request.status != Status::Neu {
        return Vec::new();
    }
    if let Some(id) = request.lotse.as_deref() {
        return match lotse(id) {
            Some(l) if l.active => vec![Planned {
                to: Recipient::Lotse(id.to_owned()),
                reason: Reason::Addressed,
            }],
            _ => buero(),
        };
    }
    let Some(topic) = request.topic.as_deref() else {
        return buero();
    };
    let help = help(topic);
    if !help.helped {
        return buero();
    }
    help.at_once
        .into_iter()
        .map(|id| Planned {
            to: Recipient::Lotse(id),
            reason: Reason::Topic,
        })
        .collect()
}

/// The mail a new note causes: a public answer to a requester who asked for mails.
pub fn on_note(note: &Note, request: &Request) -> Option<Planned> {
    if note.internal {
        return None;
    }
    requester_address(request).map(|address| Planned {
        to: Recipient::Requester(address),
        reason: Reason::Answer,
    })
}

/// A plain-text mail: subject and body. Never an internal note, and for a whole topic group
/// nothing but kind, topic, title and the link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub subject: String,
    pub body: String,
}

/// What a mail about `request` says. `link` opens it in the app (the workplace for Lotsen and
/// the Büro, the own requests for the requester); `answer` is the public answer's text.
pub fn text(
    reason: Reason,
    request: &Request,
    topic: Option<&Topic>,
    link: &str,
    answer: Option<&str>,
) -> Text {
    let topic = topic.map_or("ohne Thema".to_owned(), |t| format!("Thema {}", t.name));
    let what = format!("{} „{}“ ({topic})", request.kind.label(), request.title);
    let (subject, lead) = match reason {
        Reason::Addressed => (
            format!("Neues Anliegen an Sie: {}", request.title),
            "ein Anliegen ist direkt an Sie gerichtet worden:".to_owned(),
        ),
        Reason::Topic => (
            format!("Neues Anliegen in Ihrem Thema: {}", request.title),
            "zu einem Ihrer Themen ist ein neues Anliegen eingegangen:".to_owned(),
        ),
        Reason::Buero => (
            format!("Anliegen für das Projektbüro: {}", request.title),
            if request.status == Status::Weitergeleitet {
                "ein Anliegen wurde an das Projektbüro weitergeleitet:".to_owned()
            } else {
                "ein neues Anliegen wartet auf das Projektbüro:".to_owned()
            },
        ),
        Reason::Status => (
            format!(
                "Ihr Anliegen ist {}: {}",
                request.status.label(),
                request.title
            ),
            format!(
                "Ihr Anliegen hat jetzt den Status „{}“:",
                request.status.label()
            ),
        ),
        Reason::Answer => (
            format!("Antwort auf Ihr Anliegen: {}", request.title),
            "auf Ihr Anliegen gibt es eine Antwort:".to_owned(),
        ),
    };
    let mut body = format!("Guten Tag,\n\n{lead}\n\n{what}\n");
    if let Some(answer) = answer {
        body.push_str(&format!("\n{}\n", answer.trim()));
    }
    body.push_str(&format!("\nIm Lotsenfinder ansehen:\n{link}\n"));
    body.push_str(FOOTER);
    Text { subject, body }
}

/// The hour (Soest's clock) of the daily summary for Lotsen who chose `täglich`.
pub const DIGEST_HOUR: u8 = 7;

/// Whether the daily summary is due at `now`: on working days (Monday to Friday) from 7:00,
/// once a day (`last` is the date of the last one).
pub fn digest_due(now: &crate::time::SoestTime, last: Option<&str>) -> bool {
    now.weekday < 5 && now.hour >= DIGEST_HOUR && last != Some(now.date.as_str())
}

/// Whether `request` belongs in the daily summary of a Lotse with skills on `topics`: new in one
/// of their topics, still `neu`, not addressed to someone (those were mailed at once).
pub fn in_digest(request: &Request, topics: &[String]) -> bool {
    request.status == Status::Neu
        && request.lotse.is_none()
        && request
            .topic
            .as_ref()
            .is_some_and(|t| topics.iter().any(|k| k == t))
}

/// The daily summary: each request with kind, topic, title and its link; nothing more.
pub fn digest_text(items: &[(&Request, Option<&Topic>, String)], workplace: &str) -> Text {
    let n = items.len();
    let subject = if n == 1 {
        "1 neues Anliegen in Ihren Themen".to_owned()
    } else {
        format!("{n} neue Anliegen in Ihren Themen")
    };
    let mut body = format!(
        "Guten Tag,\n\nseit der letzten Übersicht {} in Ihren Themen eingegangen und noch offen:\n\n",
        if n == 1 { "ist ein Anliegen" } else { "sind diese Anliegen" }
    );
    for (request, topic, link) in items {
        let topic = topic.map_or("ohne Thema".to_owned(), |t| format!("Thema {}", t.name));
        body.push_str(&format!(
            "- {} „{}“ ({topic})\n  {link}\n",
            request.kind.label(),
            request.title
        ));
    }
    body.push_str(&format!("\nAlle offenen Anliegen: {workplace}\n"));
    body.push_str(FOOTER);
    Text { subject, body }
}

/// Under every mail: who sends it and how to change it.
pub const FOOTER: &str = "\n-- \nDigitale Lotsen der Stadt Soest · Lotsenfinder\n\
Diese Nachricht wurde automatisch versandt. Wie Sie benachrichtigt werden, stellen Sie im \
Lotsenfinder unter „Mein Profil“ ein.\n";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Requester, Skill};
    use crate::Level;

    fn request(topic: Option<&str>, lotse: Option<&str>) -> Request {
        Request {
            kind: Kind::Frage,
            topic: topic.map(str::to_owned),
            lotse: lotse.map(str::to_owned),
            title: "E-Akte anlegen".into(),
            description: "Vertraulich: Personalakte von Frau X".into(),
            requester: Requester {
                name: "Eva".into(),
                department: "Bürgerbüro".into(),
                contact: "eva@soest.de".into(),
                notify: true,
            },
            status: Status::Neu,
            assignee: None,
            created_at: None,
            closed_at: None,
        }
    }

    fn lotse(active: bool, notify: Notify, topic: &str) -> Lotse {
        Lotse {
            name: "Jörg Müller".into(),
            active,
            notify,
            skills: vec![Skill {
                topic: topic.into(),
                level: Level::new(2).unwrap(),
            }],
            ..Lotse::default()
        }
    }

    struct People(Vec<(String, Lotse)>);
    impl People {
        fn plan(&self, before: Option<&Request>, after: &Request) -> Vec<Planned> {
            on_request(
                before,
                after,
                |id| self.0.iter().find(|(i, _)| i == id).map(|(_, l)| l),
                |topic| {
                    TopicHelp::of(
                        self.0
                            .iter()
                            .filter(|(_, l)| l.skills.iter().any(|s| s.topic == topic))
                            .map(|(id, l)| (id.as_str(), l)),
                    )
                },
            )
        }
    }

    fn to(planned: &[Planned]) -> Vec<(Recipient, Reason)> {
        planned.iter().map(|p| (p.to.clone(), p.reason)).collect()
    }

    fn people() -> People {
        People(vec![
            ("l-sofort".into(), lotse(true, Notify::Sofort, "dms")),
            ("l-taeglich".into(), lotse(true, Notify::Taeglich, "dms")),
            ("l-nie".into(), lotse(true, Notify::Nie, "dms")),
            ("l-weg".into(), lotse(false, Notify::Sofort, "dms")),
            ("l-ozg".into(), lotse(true, Notify::Sofort, "ozg")),
        ])
    }

    #[test]
    fn a_new_request_reaches_the_right_people() {
        let p = people();
        assert_eq!(
            to(&p.plan(None, &request(Some("dms"), Some("l-nie")))),
            [(Recipient::Lotse("l-nie".into()), Reason::Addressed)],
            "addressed: that Lotse at once, whatever their setting for topics"
        );
        assert_eq!(
            to(&p.plan(None, &request(Some("dms"), Some("l-weg")))),
            [(Recipient::Buero, Reason::Buero)],
            "addressed to a Lotse who left: the Projektbüro"
        );
        assert_eq!(
            to(&p.plan(None, &request(Some("dms"), None))),
            [(Recipient::Lotse("l-sofort".into()), Reason::Topic)],
            "a topic: only those who want it at once (the daily ones get the summary)"
        );
        assert_eq!(
            to(&p.plan(None, &request(None, None))),
            [(Recipient::Buero, Reason::Buero)]
        );
        assert_eq!(
            to(&p.plan(None, &request(Some("video"), None))),
            [(Recipient::Buero, Reason::Buero)],
            "a topic nobody helps with: the Projektbüro"
        );
    }

    #[test]
    fn the_requester_hears_of_status_changes_and_answers_if_they_asked() {
        let p = people();
        let before = request(Some("dms"), None);
        let mut taken = before.clone();
        taken.status = Status::InBearbeitung;
        taken.assignee = Some("l-sofort".into());
        assert_eq!(
            to(&p.plan(Some(&before), &taken)),
            [(Recipient::Requester("eva@soest.de".into()), Reason::Status)],
            "taken over: the requester hears of it, no Lotse is mailed again"
        );
        let mut forwarded = taken.clone();
        forwarded.status = Status::Weitergeleitet;
        assert_eq!(
            to(&p.plan(Some(&taken), &forwarded)),
            [
                (Recipient::Buero, Reason::Buero),
                (Recipient::Requester("eva@soest.de".into()), Reason::Status)
            ]
        );
        let mut retitled = taken.clone();
        retitled.title = "Neu".into();
        assert!(p.plan(Some(&taken), &retitled).is_empty());

        let mut quiet = taken.clone();
        quiet.requester.notify = false;
        let mut closed = quiet.clone();
        closed.status = Status::Erledigt;
        assert!(p.plan(Some(&quiet), &closed).is_empty(), "not asked for");

        let answer = Note {
            request: "r".into(),
            text: "So geht es".into(),
            author: "Jörg".into(),
            internal: false,
        };
        assert_eq!(
            on_note(&answer, &taken).map(|p| (p.to, p.reason)),
            Some((Recipient::Requester("eva@soest.de".into()), Reason::Answer))
        );
        let internal = Note {
            internal: true,
            ..answer.clone()
        };
        assert_eq!(on_note(&internal, &taken), None);
        assert_eq!(on_note(&answer, &quiet), None);
    }

    #[test]
    fn the_summary_is_due_once_on_working_days_from_seven() {
        use crate::time::{soest_time, unix_seconds};
        let at = |utc: &str| soest_time(unix_seconds(utc).unwrap());
        // Wednesday 2 December 2026, winter time (UTC+1).
        assert_eq!(
            at("2026-12-02T06:00:00Z"),
            crate::time::SoestTime {
                date: "2026-12-02".into(),
                hour: 7,
                weekday: 2
            }
        );
        assert!(!digest_due(&at("2026-12-02T05:59:59Z"), None), "6:59");
        assert!(digest_due(&at("2026-12-02T06:00:00Z"), None));
        assert!(digest_due(&at("2026-12-02T06:00:00Z"), Some("2026-12-01")));
        assert!(
            !digest_due(&at("2026-12-02T15:00:00Z"), Some("2026-12-02")),
            "once a day"
        );
        assert!(!digest_due(&at("2026-12-05T09:00:00Z"), None), "Saturday");
        assert!(!digest_due(&at("2026-12-06T09:00:00Z"), None), "Sunday");
        // Summer time (UTC+2): 7:00 is 5:00 UTC.
        assert_eq!(at("2026-07-01T05:00:00Z").hour, 7);
        assert_eq!(at("2026-07-01T04:59:59Z").hour, 6);
        // Late on Sunday in UTC is already Monday in Soest.
        assert_eq!(at("2026-12-06T23:30:00Z").weekday, 0);
    }

    #[test]
    fn the_summary_holds_what_is_new_open_and_not_addressed() {
        let topics = vec!["dms".to_owned()];
        let r = request(Some("dms"), None);
        assert!(in_digest(&r, &topics));
        assert!(!in_digest(&request(Some("ozg"), None), &topics));
        assert!(!in_digest(&request(None, None), &topics));
        assert!(!in_digest(&request(Some("dms"), Some("l-1")), &topics));
        let mut taken = r.clone();
        taken.status = Status::InBearbeitung;
        assert!(
            !in_digest(&taken, &topics),
            "taken over: nobody is told again"
        );
        let t = digest_text(
            &[(&r, None, "https://x/arbeitsplatz/1".into())],
            "https://x/arbeitsplatz",
        );
        assert_eq!(t.subject, "1 neues Anliegen in Ihren Themen");
        assert!(t
            .body
            .contains("- Frage „E-Akte anlegen“ (ohne Thema)\n  https://x/arbeitsplatz/1"));
        assert!(!t.body.contains("Vertraulich") && !t.body.contains("Eva"));
    }

    #[test]
    fn a_mail_to_a_topic_group_names_no_more_than_kind_topic_title_and_link() {
        let topic = Topic {
            name: "DMS/E-Akte".into(),
            slug: "dms".into(),
            category: "Fachverfahren".into(),
            synonyms: vec![],
            description: String::new(),
        };
        let r = request(Some("dms"), None);
        let t = text(
            Reason::Topic,
            &r,
            Some(&topic),
            "https://lotsen.soest.de/arbeitsplatz/r",
            None,
        );
        assert_eq!(t.subject, "Neues Anliegen in Ihrem Thema: E-Akte anlegen");
        assert!(t.body.contains("Frage „E-Akte anlegen“ (Thema DMS/E-Akte)"));
        assert!(t.body.contains("https://lotsen.soest.de/arbeitsplatz/r"));
        for private in ["Vertraulich", "Eva", "eva@soest.de", "Bürgerbüro"] {
            assert!(!t.body.contains(private), "{private} in {}", t.body);
        }
        let a = text(
            Reason::Answer,
            &r,
            None,
            "https://x/anliegen",
            Some("So geht es."),
        );
        assert!(a.body.contains("So geht es."));
        assert!(a.body.contains("ohne Thema"));
    }
}
