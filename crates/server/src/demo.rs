//! A believable, deterministic demo data set for the city of Soest (SPEC §8): the topics of
//! the programme's call, Lotsen from the departments of a city administration, requests,
//! notes, applications, events and two demo accounts. Ids are UUID v5 of readable names, so
//! every run (and every test) sees the same ids. The records go through the same push path
//! (permission, validation, compare-and-swap) as any client write.

use lotsen_domain::permission::Actor;
use lotsen_domain::protocol::{Mutation, MutationStatus};
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

/// (slug, name, category, synonyms, description)
pub const TOPICS: &[(&str, &str, &str, &[&str], &str)] = &[
    ("dms", "Dokumentenmanagement (DMS)", "Fachverfahren",
     &["E-Akte", "Elektronische Akte", "DMS", "Ablage", "Aktenplan"],
     "Akten elektronisch anlegen, ablegen und wiederfinden: E-Akte, Aktenplan, Vorgänge und Wiedervorlagen."),
    ("ozg", "OZG-Onlinedienste", "E-Government",
     &["Onlinezugangsgesetz", "Online-Antrag", "Servicekonto"],
     "Verwaltungsleistungen online anbieten: Onlineanträge, Servicekonto NRW und die Bearbeitung im Fachamt."),
    ("videokonferenzen", "Videokonferenzen", "Zusammenarbeit",
     &["Webex", "Videocall", "Zoom", "Teams-Meeting"],
     "Besprechungen per Video planen, leiten und technisch sicher durchführen."),
    ("teams", "Microsoft Teams", "Zusammenarbeit",
     &["Chat", "Kanäle", "Teams"],
     "Chats, Kanäle und gemeinsame Dateien in Teams sinnvoll nutzen."),
    ("outlook", "Outlook und E-Mail", "Office",
     &["E-Mail", "Kalender", "Postfach", "Funktionspostfach"],
     "Postfach, Kalender, Regeln und Funktionspostfächer im Griff behalten."),
    ("excel", "Excel", "Office",
     &["Tabellenkalkulation", "Pivot", "Formeln"],
     "Tabellen, Formeln, Filter und Pivot-Tabellen für den Verwaltungsalltag."),
    ("word", "Word", "Office",
     &["Textverarbeitung", "Serienbrief", "Vorlagen"],
     "Briefe, Vorlagen und Serienbriefe mit Word erstellen."),
    ("powerpoint", "PowerPoint", "Office",
     &["Präsentation", "Folien"],
     "Verständliche Präsentationen für Ausschüsse und Bürgerversammlungen gestalten."),
    ("onenote", "OneNote", "Office",
     &["Notizbuch", "Notizen"],
     "Notizen, Protokolle und Wissen im Team mit OneNote sammeln."),
    ("passwoerter", "Passwörter und Sicherheit", "Sicherheit und Datenschutz",
     &["Passwort", "Passwort-Manager", "Phishing", "IT-Sicherheit"],
     "Sichere Passwörter, Passwort-Manager und wie man Phishing-Mails erkennt."),
    ("smartphone", "Diensthandy", "Arbeitsplatz",
     &["Smartphone", "Handy", "Mobiltelefon", "App"],
     "Das Diensthandy einrichten: Mail, Kalender, Apps und Sicherheit."),
    ("e-rechnung", "E-Rechnung", "E-Government",
     &["XRechnung", "Rechnungseingang", "ZUGFeRD"],
     "Elektronische Rechnungen empfangen, prüfen und im Workflow freigeben."),
    ("digitale-signatur", "Digitale Signatur", "E-Government",
     &["Elektronische Signatur", "Signaturkarte", "qualifizierte Signatur"],
     "Dokumente rechtssicher elektronisch unterschreiben."),
    ("smart-city", "Smart City", "Digitaler Wandel",
     &["Sensoren", "Digitale Modellregion", "Open Data"],
     "Projekte der Digitalen Modellregion: Sensorik, offene Daten und digitale Stadtentwicklung."),
    ("ki", "Künstliche Intelligenz", "Digitaler Wandel",
     &["KI", "ChatGPT", "Textassistent", "AI"],
     "Was KI-Werkzeuge können, wo ihre Grenzen liegen und was in der Verwaltung erlaubt ist."),
    ("datenschutz", "Datenschutz im Alltag", "Sicherheit und Datenschutz",
     &["DSGVO", "Datenschutzgrundverordnung", "personenbezogene Daten"],
     "Personenbezogene Daten im Arbeitsalltag richtig behandeln."),
    ("private-tools", "Private digitale Werkzeuge", "Digitaler Wandel",
     &["Apps", "Online-Banking", "Messenger", "Cloud"],
     "Hilfe bei privat genutzten Apps und Diensten – vom Messenger bis zum Online-Banking."),
    ("orientierung", "Orientierung Digitalisierung", "Digitaler Wandel",
     &["Digitalisierung", "Einstieg", "Grundlagen", "Digitale Modellregion"],
     "Einstieg und Überblick: Was bedeutet die Digitalisierung für meine Arbeit?"),
    ("barrierefreiheit", "Barrierefreie Dokumente", "Office",
     &["Barrierefreiheit", "barrierefreies PDF", "BITV"],
     "Dokumente und PDFs so gestalten, dass alle sie lesen können."),
    ("homeoffice", "Mobiles Arbeiten", "Arbeitsplatz",
     &["Homeoffice", "VPN", "Telearbeit", "Laptop"],
     "Von zu Hause und unterwegs arbeiten: VPN, Laptop und Erreichbarkeit."),
];

pub const DEPARTMENTS: &[&str] = &[
    "Bürgerbüro",
    "Bauamt",
    "Ordnungsamt",
    "Personal und Organisation",
    "Kämmerei",
    "Jugendamt",
    "Sozialamt",
    "Stadtplanung",
    "Schule und Sport",
    "Kultur",
    "Projektbüro Digitale Modellregion",
    "IT-Abteilung",
    "Standesamt",
    "Tiefbau",
];

pub struct DemoLotse {
    pub name: &'static str,
    pub department: &'static str,
    pub location: &'static str,
    pub availability: &'static str,
    pub skills: &'static [(&'static str, u8)],
    pub learning: &'static [&'static str],
    pub active: bool,
}

const fn l(
    name: &'static str,
    department: &'static str,
    location: &'static str,
    availability: &'static str,
    skills: &'static [(&'static str, u8)],
    learning: &'static [&'static str],
    active: bool,
) -> DemoLotse {
    DemoLotse {
        name,
        department,
        location,
        availability,
        skills,
        learning,
        active,
    }
}

pub const LOTSEN: &[DemoLotse] = &[
    l(
        "Jörg Müller",
        "IT-Abteilung",
        "Rathaus II, Raum 2.14",
        "Mo–Do ganztägig",
        &[
            ("dms", 3),
            ("teams", 2),
            ("outlook", 2),
            ("passwoerter", 3),
            ("smartphone", 2),
        ],
        &["ki"],
        true,
    ),
    l(
        "Sabine Öztürk",
        "Bürgerbüro",
        "Rathaus I, Raum 0.05",
        "Di+Do vormittags",
        &[
            ("ozg", 3),
            ("dms", 2),
            ("videokonferenzen", 1),
            ("barrierefreiheit", 2),
        ],
        &[],
        true,
    ),
    l(
        "Katrin Schäfer",
        "Personal und Organisation",
        "Rathaus I, Raum 1.21",
        "Mo, Mi, Fr vormittags",
        &[("dms", 3), ("excel", 2), ("word", 3), ("onenote", 1)],
        &["powerpoint"],
        true,
    ),
    l(
        "Thomas Weißenberg",
        "Kämmerei",
        "Rathaus I, Raum 2.03",
        "Di–Do",
        &[
            ("e-rechnung", 3),
            ("excel", 3),
            ("digitale-signatur", 2),
            ("dms", 2),
        ],
        &[],
        true,
    ),
    l(
        "Ayşe Demir",
        "Jugendamt",
        "Rathaus II, Raum 1.08",
        "Mo+Mi nachmittags",
        &[("teams", 3), ("videokonferenzen", 3), ("datenschutz", 2)],
        &["onenote"],
        true,
    ),
    l(
        "Michael Hoffmann",
        "Bauamt",
        "Rathaus II, Raum 3.11",
        "Do vormittags",
        &[("dms", 2), ("ozg", 2), ("smart-city", 1), ("excel", 1)],
        &[],
        true,
    ),
    l(
        "Petra Lübke",
        "Sozialamt",
        "Rathaus II, Raum 0.12",
        "Di+Do vormittags",
        &[("datenschutz", 3), ("dms", 1), ("word", 2)],
        &[],
        true,
    ),
    l(
        "Stefan Krämer",
        "Ordnungsamt",
        "Rathaus I, Raum 0.17",
        "Mo–Fr 8–12 Uhr",
        &[
            ("smartphone", 3),
            ("outlook", 2),
            ("passwoerter", 2),
            ("homeoffice", 2),
        ],
        &[],
        true,
    ),
    l(
        "Nicole Brüggemann",
        "Stadtplanung",
        "Rathaus II, Raum 3.04",
        "Mi ganztägig",
        &[("smart-city", 3), ("powerpoint", 3), ("ki", 2)],
        &[],
        true,
    ),
    l(
        "Andreas Köhler",
        "Schule und Sport",
        "Am Vreithof 8, Raum 12",
        "Di nachmittags",
        &[
            ("powerpoint", 2),
            ("videokonferenzen", 2),
            ("private-tools", 3),
        ],
        &[],
        true,
    ),
    l(
        "Julia Große-Wördemann",
        "Kultur",
        "Rathaus I, Raum 3.02",
        "Mo+Do",
        &[("barrierefreiheit", 3), ("word", 2), ("powerpoint", 2)],
        &[],
        true,
    ),
    l(
        "Dirk Schröder",
        "Projektbüro Digitale Modellregion",
        "Rathaus I, Raum 1.02",
        "nach Absprache",
        &[
            ("orientierung", 3),
            ("ki", 3),
            ("smart-city", 3),
            ("ozg", 2),
            ("dms", 2),
        ],
        &[],
        true,
    ),
    l(
        "Martina Fuchs",
        "Standesamt",
        "Rathaus I, Raum 0.21",
        "Mi+Fr vormittags",
        &[("digitale-signatur", 3), ("ozg", 2), ("outlook", 1)],
        &[],
        true,
    ),
    l(
        "Frank Peters",
        "Tiefbau",
        "Technisches Rathaus, Raum 104",
        "Mo–Do 7–15 Uhr",
        &[("excel", 2), ("smartphone", 2), ("homeoffice", 1)],
        &["smart-city"],
        true,
    ),
    l(
        "Claudia Bäcker",
        "Bürgerbüro",
        "Rathaus I, Raum 0.06",
        "Mo, Di, Do",
        &[("ozg", 2), ("outlook", 3), ("teams", 1)],
        &[],
        true,
    ),
    l(
        "Markus Jäger",
        "IT-Abteilung",
        "Rathaus II, Raum 2.16",
        "Mo–Fr",
        &[
            ("teams", 3),
            ("homeoffice", 3),
            ("videokonferenzen", 2),
            ("passwoerter", 3),
            ("onenote", 2),
        ],
        &[],
        true,
    ),
    l(
        "Birgit Lohmann",
        "Kämmerei",
        "Rathaus I, Raum 2.05",
        "Di+Mi vormittags",
        &[("excel", 3), ("e-rechnung", 2), ("dms", 1)],
        &[],
        true,
    ),
    l(
        "Heike Günther",
        "Jugendamt",
        "Rathaus II, Raum 1.10",
        "Do nachmittags",
        &[("dms", 2), ("datenschutz", 2), ("onenote", 2)],
        &[],
        true,
    ),
    l(
        "Christian Sauerland",
        "Personal und Organisation",
        "Rathaus I, Raum 1.23",
        "Mo–Mi",
        &[
            ("homeoffice", 2),
            ("orientierung", 2),
            ("teams", 2),
            ("ki", 1),
        ],
        &[],
        true,
    ),
    l(
        "Elif Yılmaz",
        "Sozialamt",
        "Rathaus II, Raum 0.14",
        "Di+Do nachmittags",
        &[
            ("private-tools", 2),
            ("smartphone", 2),
            ("barrierefreiheit", 1),
        ],
        &["barrierefreiheit"],
        true,
    ),
    l(
        "Jürgen Wiese",
        "Bauamt",
        "Rathaus II, Raum 3.15",
        "Mo+Fr",
        &[("digitale-signatur", 2), ("dms", 3), ("e-rechnung", 1)],
        &[],
        true,
    ),
    l(
        "Anja Rüther",
        "Projektbüro Digitale Modellregion",
        "Rathaus I, Raum 1.03",
        "Mo–Do",
        &[
            ("ozg", 3),
            ("orientierung", 3),
            ("powerpoint", 2),
            ("videokonferenzen", 2),
        ],
        &[],
        true,
    ),
    l(
        "Tobias Brandt",
        "Ordnungsamt",
        "Rathaus I, Raum 0.19",
        "Mi vormittags",
        &[("ozg", 1), ("smartphone", 2), ("teams", 2)],
        &[],
        true,
    ),
    l(
        "Susanne Vogt",
        "Schule und Sport",
        "Am Vreithof 8, Raum 14",
        "Mo+Mi",
        &[("onenote", 3), ("word", 2), ("ki", 1)],
        &[],
        true,
    ),
    l(
        "Ralf Niggemeier",
        "Tiefbau",
        "Technisches Rathaus, Raum 110",
        "Di+Do",
        &[("smart-city", 2), ("excel", 2)],
        &[],
        true,
    ),
    l(
        "Monika Schütte",
        "Standesamt",
        "Rathaus I, Raum 0.22",
        "Do ganztägig",
        &[("word", 3), ("outlook", 2), ("barrierefreiheit", 2)],
        &[],
        true,
    ),
    l(
        "Kevin Başaran",
        "IT-Abteilung",
        "Rathaus II, Raum 2.18",
        "Mo–Fr nachmittags",
        &[
            ("ki", 3),
            ("private-tools", 2),
            ("passwoerter", 2),
            ("smartphone", 3),
        ],
        &[],
        true,
    ),
    l(
        "Gabriele Hünting",
        "Kultur",
        "Rathaus I, Raum 3.04",
        "Di vormittags",
        &[
            ("videokonferenzen", 1),
            ("private-tools", 2),
            ("orientierung", 1),
        ],
        &[],
        true,
    ),
    l(
        "Matthias Düllmann",
        "Stadtplanung",
        "Rathaus II, Raum 3.06",
        "Mo–Do",
        &[("smart-city", 2), ("dms", 2), ("powerpoint", 1)],
        &[],
        true,
    ),
    l(
        "Sandra Kleine",
        "Personal und Organisation",
        "Rathaus I, Raum 1.25",
        "Fr vormittags",
        &[("datenschutz", 3), ("passwoerter", 2), ("e-rechnung", 1)],
        &[],
        true,
    ),
    l(
        "Uwe Rademacher",
        "Kämmerei",
        "Rathaus I, Raum 2.07",
        "Mo+Di",
        &[("e-rechnung", 3), ("digitale-signatur", 2)],
        &[],
        true,
    ),
    l(
        "Laura Bergmann",
        "Bürgerbüro",
        "Rathaus I, Raum 0.07",
        "Mi+Fr",
        &[("ozg", 2), ("teams", 2), ("private-tools", 1)],
        &["ozg"],
        true,
    ),
    l(
        "Norbert Kaiser",
        "Bauamt",
        "Rathaus II, Raum 3.17",
        "Di",
        &[("dms", 1), ("outlook", 1)],
        &[],
        false,
    ),
    l(
        "Ingrid Potthoff",
        "Sozialamt",
        "Rathaus II, Raum 0.16",
        "Mo",
        &[("word", 2), ("outlook", 1)],
        &[],
        false,
    ),
    l(
        "Hendrik Stratmann",
        "Schule und Sport",
        "Am Vreithof 8, Raum 9",
        "Do",
        &[
            ("homeoffice", 2),
            ("videokonferenzen", 2),
            ("smartphone", 1),
        ],
        &[],
        true,
    ),
    l(
        "Melanie Wulf",
        "Jugendamt",
        "Rathaus II, Raum 1.12",
        "Mo–Mi vormittags",
        &[("barrierefreiheit", 2), ("word", 2), ("onenote", 1)],
        &[],
        true,
    ),
    l(
        "Sebastian Göbel",
        "Projektbüro Digitale Modellregion",
        "Rathaus I, Raum 1.04",
        "nach Absprache",
        &[
            ("dms", 3),
            ("ozg", 3),
            ("e-rechnung", 2),
            ("digitale-signatur", 3),
        ],
        &[],
        true,
    ),
    l(
        "Karin Nölle",
        "Standesamt",
        "Rathaus I, Raum 0.23",
        "Di+Do",
        &[("outlook", 2), ("excel", 1)],
        &[],
        false,
    ),
    l(
        "Oliver Rehbein",
        "Tiefbau",
        "Technisches Rathaus, Raum 112",
        "Mi",
        &[("smartphone", 2), ("homeoffice", 2), ("teams", 1)],
        &[],
        true,
    ),
    l(
        "Franziska Lütkehaus",
        "Kultur",
        "Rathaus I, Raum 3.06",
        "Mo+Do nachmittags",
        &[("ki", 2), ("powerpoint", 3), ("private-tools", 2)],
        &[],
        true,
    ),
];

/// The demo Lotse the `lotse` demo account belongs to.
pub const DEMO_ACCOUNT_LOTSE: &str = "Jörg Müller";

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

/// Requests: (key, kind, topic slug, title, description, requester (name, department), status, assignee).
type DemoRequest = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    (&'static str, &'static str),
    &'static str,
    Option<&'static str>,
);

const REQUESTS: &[DemoRequest] = &[
    ("e-akte-bauantrag", "frage", Some("dms"), "Wie lege ich eine E-Akte für einen Bauantrag an?",
     "Wir sollen ab nächstem Monat Bauanträge nur noch elektronisch führen. Welche Aktenplan-Nummer nehme ich und wie hänge ich die Pläne an?",
     ("Peter Brinkmann", "Bauamt"), "neu", None),
    ("kalender-diensthandy", "problem", Some("outlook"), "Kalender erscheint nicht auf dem Diensthandy",
     "Seit dem Update sehe ich meine Termine nur noch am PC, nicht mehr auf dem Diensthandy.",
     ("Renate Hellweg", "Ordnungsamt"), "in_bearbeitung", Some("Stefan Krämer")),
    ("pivot-schulung", "wunsch", Some("excel"), "Schulung zu Pivot-Tabellen",
     "Im Team werten wir viele Listen aus. Eine kurze Schulung zu Pivot-Tabellen würde uns sehr helfen.",
     ("Bernd Schulte", "Kämmerei"), "weitergeleitet", None),
    ("headsets-besprechungsraum", "anregung", Some("videokonferenzen"), "Headsets für Besprechungsraum 1.12",
     "Bei Videokonferenzen im Raum 1.12 hört man die Teilnehmenden schlecht. Ein Konferenzmikrofon wäre gut.",
     ("Lena Vorwerk", "Jugendamt"), "erledigt", Some("Ayşe Demir")),
    ("ozg-antraege", "frage", Some("ozg"), "Welche Anträge gehen schon online?",
     "Bürgerinnen und Bürger fragen am Schalter oft, was sie online erledigen können. Gibt es eine aktuelle Liste?",
     ("Tanja Rosenbaum", "Bürgerbüro"), "erledigt", Some("Sabine Öztürk")),
    ("teamtresor", "problem", Some("passwoerter"), "Kein Zugang zum Team-Tresor im Passwort-Manager",
     "Ich bin neu im Team und sehe die gemeinsamen Zugänge im Passwort-Manager nicht.",
     ("Jan Overhoff", "Sozialamt"), "in_bearbeitung", Some("Jörg Müller")),
    ("ki-einfuehrung", "wunsch", Some("ki"), "Einführung in KI-Textassistenten",
     "Was dürfen wir mit KI-Textassistenten machen und was nicht? Eine Einführung für unser Team wäre toll.",
     ("Miriam Klute", "Kultur"), "neu", None),
    ("digitale-sprechstunde", "anregung", None, "Digitale Sprechstunde im Standesamt",
     "Vorgespräche zur Eheschließung könnten auch per Video stattfinden.",
     ("Karl Deppe", "Standesamt"), "abgelehnt", None),
];

/// (key, request key, text, author, internal)
const NOTES: &[(&str, &str, &str, &str, bool)] = &[
    (
        "kalender-1",
        "kalender-diensthandy",
        "Ich melde mich am Donnerstag bei Ihnen und schaue mir das Handy gemeinsam mit Ihnen an.",
        "Stefan Krämer",
        false,
    ),
    (
        "teamtresor-1",
        "teamtresor",
        "Freigabe für den Team-Tresor ist bei der IT beantragt (Ticket 4711).",
        "Jörg Müller",
        true,
    ),
    (
        "pivot-1",
        "pivot-schulung",
        "An das Projektbüro weitergegeben; eine Excel-Schulung ist für März geplant.",
        "Birgit Lohmann",
        false,
    ),
];

/// (key, name, department, contact, topic slugs, motivation)
type DemoApplication = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
);

const APPLICATIONS: &[DemoApplication] = &[
    (
        "bewerbung-wessel",
        "Carina Wessel",
        "Schule und Sport",
        "carina.wessel@soest.de",
        &["teams", "onenote"],
        "Ich zeige Kolleginnen gern, wie wir im Team mit OneNote arbeiten.",
    ),
    (
        "bewerbung-hageboeck",
        "Ludger Hageböck",
        "Tiefbau",
        "02921 103-3312",
        &["smartphone", "smart-city"],
        "Draußen auf der Baustelle nutzen wir viel das Diensthandy – da kann ich helfen.",
    ),
];

/// (key, title, topic slug, starts_at, ends_at, location, description, seats)
type DemoEvent = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<u32>,
);

const EVENTS: &[DemoEvent] = &[
    (
        "e-akte-kompakt",
        "E-Akte kompakt: Ablage und Aktenplan",
        Some("dms"),
        "2026-12-08T09:00",
        "2026-12-08T11:00",
        "Rathaus I, Sitzungssaal",
        "Grundlagen der E-Akte für alle, die bald elektronisch ablegen.",
        Some(16),
    ),
    (
        "teams-alltag",
        "Microsoft Teams im Arbeitsalltag",
        Some("teams"),
        "2027-01-12T13:30",
        "2027-01-12T15:00",
        "Online (Teams-Besprechung)",
        "Kanäle, Chats und Dateien: Tipps für die tägliche Zusammenarbeit.",
        Some(40),
    ),
    (
        "ozg-onlinedienste",
        "OZG: Die Onlinedienste der Stadt Soest",
        Some("ozg"),
        "2027-02-09T10:00",
        "2027-02-09T12:00",
        "Rathaus II, Raum 0.01",
        "Welche Leistungen online gehen und wie Anträge im Fachamt ankommen.",
        Some(25),
    ),
    (
        "excel-pivot",
        "Excel: Pivot-Tabellen für Einsteiger*innen",
        Some("excel"),
        "2027-03-02T09:00",
        "2027-03-02T12:00",
        "Rathaus I, Schulungsraum 1.30",
        "Listen auswerten ohne Formelakrobatik.",
        Some(12),
    ),
    (
        "vortrag-ki",
        "Vortrag: Künstliche Intelligenz in der Verwaltung",
        Some("ki"),
        "2027-04-20T14:00",
        "2027-04-20T15:30",
        "Rathaus I, Sitzungssaal",
        "Chancen, Grenzen und Regeln für KI-Werkzeuge – mit Gästen aus der Digitalen Modellregion.",
        Some(80),
    ),
    (
        "barrierefreie-dokumente",
        "Barrierefreie Dokumente mit Word",
        Some("barrierefreiheit"),
        "2027-05-25T09:00",
        "2027-05-25T11:30",
        "Rathaus I, Schulungsraum 1.30",
        "Überschriften, Alternativtexte und Tabellen so anlegen, dass alle sie lesen können.",
        Some(14),
    ),
];

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
    let mut out = Vec::new();
    for (slug, name, category, synonyms, description) in TOPICS {
        out.push(mutation(
            "topics",
            slug,
            json!({"name": name, "slug": slug, "category": category,
                   "synonyms": synonyms, "description": description}),
        ));
    }
    for (i, lotse) in LOTSEN.iter().enumerate() {
        let skills: Vec<Value> = lotse
            .skills
            .iter()
            .map(|(slug, level)| json!({"topic": topic_id(slug), "level": level}))
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
            lotse.name,
            json!({
                "name": lotse.name,
                "department": lotse.department,
                "phone": format!("02921 103-{}", 2104 + i * 17),
                "email": email_for(lotse.name),
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
    for (i, (key, kind, topic, title, description, (name, department), status, assignee)) in
        REQUESTS.iter().enumerate()
    {
        // The open requests came in during the last three weeks.
        let created = now - time::Duration::hours(20 + 61 * i as i64);
        let mut data = json!({
            "kind": kind,
            "topic": topic.map(topic_id),
            "title": title,
            "description": description,
            "requester": {"name": name, "department": department,
                          "contact": email_for(name)},
            "status": status,
            "assignee": assignee.map(lotse_id),
            "created_at": sync::format_utc(created),
        });
        if matches!(*status, "erledigt" | "abgelehnt") {
            data["closed_at"] = json!(sync::format_utc(created + time::Duration::hours(18)));
        }
        out.push(mutation("requests", key, data));
    }
    out.extend(past_requests(now));
    for (key, request, text, author, internal) in NOTES {
        out.push(mutation(
            "notes",
            key,
            json!({"request": demo_id("requests", request), "text": text,
                   "author": author, "internal": internal}),
        ));
    }
    for (key, name, department, contact, topics, motivation) in APPLICATIONS {
        let topics: Vec<String> = topics.iter().map(|s| topic_id(s)).collect();
        out.push(mutation(
            "applications",
            key,
            json!({"name": name, "department": department, "contact": contact,
                   "topics": topics, "motivation": motivation, "status": "neu"}),
        ));
    }
    let weeks = weeks_since_written(time::OffsetDateTime::now_utc().date());
    for (key, title, topic, starts_at, ends_at, location, description, seats) in EVENTS {
        let (starts_at, ends_at) = (later_by(starts_at, weeks), later_by(ends_at, weeks));
        out.push(mutation(
            "events",
            key,
            json!({"title": title, "topic": topic.map(topic_id), "starts_at": starts_at,
                   "ends_at": ends_at, "location": location,
                   "description": description, "seats": seats}),
        ));
    }
    out
}

/// Typical requests of the months before (kind, topic slug, title), repeated over the year.
const PAST: &[(&str, &str, &str)] = &[
    ("frage", "dms", "Wie finde ich eine Akte im DMS wieder?"),
    ("frage", "dms", "Wiedervorlage im DMS einrichten"),
    (
        "problem",
        "dms",
        "Dokument lässt sich nicht zur E-Akte hinzufügen",
    ),
    ("frage", "ozg", "Wo sehe ich eingegangene Onlineanträge?"),
    ("wunsch", "ozg", "Schulung zum Servicekonto NRW"),
    (
        "problem",
        "videokonferenzen",
        "Kein Ton in der Videokonferenz",
    ),
    (
        "frage",
        "videokonferenzen",
        "Wie teile ich meinen Bildschirm?",
    ),
    ("frage", "teams", "Kanal für unser Team anlegen"),
    (
        "anregung",
        "teams",
        "Gemeinsame Dateiablage statt E-Mail-Anhängen",
    ),
    (
        "problem",
        "outlook",
        "Funktionspostfach wird nicht angezeigt",
    ),
    ("frage", "outlook", "Abwesenheitsnotiz einrichten"),
    ("wunsch", "excel", "Einführung in Formeln und Filter"),
    ("frage", "excel", "Liste nach zwei Spalten sortieren"),
    ("frage", "word", "Serienbrief mit Adressliste"),
    (
        "frage",
        "powerpoint",
        "Vorlage der Stadt für Präsentationen",
    ),
    ("frage", "passwoerter", "Passwort-Manager für das Team"),
    (
        "problem",
        "smartphone",
        "Diensthandy synchronisiert keine Kontakte",
    ),
    ("frage", "e-rechnung", "Wie prüfe ich eine E-Rechnung?"),
    (
        "wunsch",
        "e-rechnung",
        "Schulung XRechnung für die Sachbearbeitung",
    ),
    (
        "frage",
        "digitale-signatur",
        "PDF elektronisch unterschreiben",
    ),
    (
        "anregung",
        "ki",
        "KI-Assistent für Textentwürfe ausprobieren",
    ),
    (
        "frage",
        "ki",
        "Darf ich Texte mit KI zusammenfassen lassen?",
    ),
    (
        "frage",
        "datenschutz",
        "Personenbezogene Daten per E-Mail versenden?",
    ),
    ("frage", "homeoffice", "VPN-Verbindung von zu Hause"),
    ("problem", "homeoffice", "Drucken im Homeoffice geht nicht"),
    (
        "frage",
        "barrierefreiheit",
        "Barrierefreie PDF-Dokumente erstellen",
    ),
];

const FIRST_NAMES: &[&str] = &[
    "Anna", "Jonas", "Maria", "Thomas", "Sabine", "Michael", "Julia", "Andreas", "Claudia",
    "Markus", "Petra", "Frank", "Nadine", "Kemal", "Elena",
];
const LAST_NAMES: &[&str] = &[
    "Becker",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Krüger",
    "Hartmann",
    "Özdemir",
];
/// The closed requests of the eleven months before this one, more each month as the programme
/// became known, so that `/buero/auswertung` shows a trend and a time to `erledigt`.
fn past_requests(now: time::OffsetDateTime) -> Vec<Mutation> {
    let mut out = Vec::new();
    let mut n = 0usize;
    for months_back in (1..=11i64).rev() {
        let count = 14 - months_back as usize + (months_back as usize * 5) % 4;
        for _ in 0..count {
            let (kind, topic, title) = PAST[(n * 7) % PAST.len()];
            let created = now
                - time::Duration::days(30 * months_back - (n as i64 * 11) % 28)
                - time::Duration::minutes((n as i64 * 97) % 600);
            // Most are answered within a few days; some wait for a training.
            let hours = 2 + (n as i64 * 37) % 90 + if n.is_multiple_of(5) { 240 } else { 0 };
            let name = format!(
                "{} {}",
                FIRST_NAMES[n % FIRST_NAMES.len()],
                LAST_NAMES[(n * 5) % LAST_NAMES.len()]
            );
            out.push(mutation(
                "requests",
                &format!("verlauf-{n}"),
                json!({
                    "kind": kind,
                    "topic": topic_id(topic),
                    "title": title,
                    "description": "",
                    "requester": {"name": name,
                                  "department": DEPARTMENTS[(n * 3) % DEPARTMENTS.len()],
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

/// The day the demo events' dates were written for. A demo seeded later moves them by whole
/// weeks (same weekday, same time), so that it always shows upcoming trainings.
const EVENTS_WRITTEN: (i32, u8, u8) = (2026, 11, 29);

fn weeks_since_written(today: time::Date) -> i64 {
    let (y, m, d) = EVENTS_WRITTEN;
    let written = time::Month::try_from(m)
        .ok()
        .and_then(|m| time::Date::from_calendar_date(y, m, d).ok());
    match written {
        Some(w) if today > w => ((today - w).whole_days() + 6) / 7,
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
        },
        Account {
            username: "lotse".into(),
            password_hash: hash_password("demo-lotse")?,
            role: "lotse".into(),
            lotse: Some(lotse_id(DEMO_ACCOUNT_LOTSE)),
            disabled: false,
            created_at: sync::now_utc(),
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
        for l in LOTSEN {
            assert!(email_for(l.name).is_ascii(), "{}", l.name);
        }
    }

    #[test]
    fn every_topic_has_an_active_lotse_and_dms_has_trainers() {
        for (slug, ..) in TOPICS {
            assert!(
                LOTSEN
                    .iter()
                    .any(|l| l.active && l.skills.iter().any(|(s, _)| s == slug)),
                "{slug}"
            );
        }
        let dms: Vec<_> = LOTSEN
            .iter()
            .filter(|l| l.active && l.skills.iter().any(|(s, _)| *s == "dms"))
            .collect();
        assert!(dms.len() >= 4);
        assert!(dms.iter().any(|l| l.skills.contains(&("dms", 3))));
        for l in LOTSEN {
            assert!((2..=6).contains(&l.skills.len()), "{}", l.name);
            assert!(DEPARTMENTS.contains(&l.department), "{}", l.department);
            for (slug, level) in l.skills {
                assert!(TOPICS.iter().any(|t| t.0 == *slug), "{slug}");
                assert!((1..=3).contains(level));
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
