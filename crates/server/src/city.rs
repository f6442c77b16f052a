//! A deterministic data set of city size (SPEC §10: 200 topics, 2,000 Lotsen, 10,000 requests)
//! in the import format, for benchmarks and the end-to-end run at scale:
//! `lotsen-server city --out city.json`, then `lotsen-server import --in city.json`.
//!
//! It grows the demo: the 20 topics of the programme's call plus the city's specialised
//! procedures, Lotsen with German names in the departments of a city administration, and a year
//! of requests. Skills follow what a real programme sees: a few topics (DMS, Office, video calls)
//! are known by many, most specialised procedures by a handful, and few Lotsen train. The same
//! sizes give the same bytes on every machine (fixed seed, UUID v5 ids, a fixed reference day).

use lotsen_domain::fixture::Lcg;
use lotsen_domain::protocol::Envelope;
use serde_json::{json, Value};

use crate::demo::{self, demo_id, email_for};
use crate::ops::{Export, ExportRecord, EXPORT_FORMAT};
use crate::sync::format_utc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    pub topics: usize,
    pub lotsen: usize,
    pub requests: usize,
}

impl Size {
    /// The size SPEC §10 measures at.
    pub const CITY: Size = Size {
        topics: 200,
        lotsen: 2_000,
        requests: 10_000,
    };

    /// The most topics there are names for: the call's and every procedure × aspect.
    pub fn max_topics() -> usize {
        demo::data().topics.len() + SUBJECTS.len() * ASPECTS.len()
    }

    /// A size the generator can fill: at least one topic (every Lotse knows one, most requests
    /// have one) and no more than there are topic names.
    pub fn new(topics: usize, lotsen: usize, requests: usize) -> Result<Size, String> {
        if !(1..=Size::max_topics()).contains(&topics) {
            return Err(format!(
                "Die Zahl der Themen muss zwischen 1 und {} liegen.",
                Size::max_topics()
            ));
        }
        Ok(Size {
            topics,
            lotsen,
            requests,
        })
    }
}

/// The day the data set is written for; requests reach a year back from it.
const REFERENCE_DAY: (i32, u8, u8) = (2026, 11, 30);

const MORE_DEPARTMENTS: &[&str] = &[
    "Feuerwehr",
    "Stadtkasse",
    "Umweltamt",
    "Grünflächen",
    "Stadtarchiv",
    "Rechtsamt",
    "Rechnungsprüfung",
    "Wirtschaftsförderung",
    "Bibliothek",
    "Bauordnung",
];

/// The city's specialised procedures: with [`ASPECTS`] they give the topics beyond the call's.
const SUBJECTS: &[(&str, &str)] = &[
    ("Gewerbe", "Gewerbeanmeldung"),
    ("Wohngeld", "Mietzuschuss"),
    ("Elterngeld", "Elternzeit"),
    ("Meldewesen", "Einwohnermeldeamt"),
    ("Kfz-Zulassung", "Zulassungsstelle"),
    ("Baugenehmigung", "Bauantrag"),
    ("Friedhofsverwaltung", "Grabstelle"),
    ("Kita-Anmeldung", "Kindergarten"),
    ("Hundesteuer", "Hundemarke"),
    ("Grundsteuer", "Grundbesitzabgaben"),
    ("Ratsinformation", "Sitzungsdienst"),
    ("Vergabe", "Ausschreibung"),
    ("Personalakte", "Personalwesen"),
    ("Zeiterfassung", "Gleitzeit"),
    ("Reisekosten", "Dienstreise"),
    ("Haushaltsplanung", "Doppik"),
    ("Geodaten", "GIS"),
    ("Straßenbeleuchtung", "Laternen"),
    ("Parkraum", "Anwohnerparken"),
    ("Bußgeldstelle", "Verwarngeld"),
    ("Fundbüro", "Fundsachen"),
    ("Personenstand", "Beurkundung"),
    ("Schulverwaltung", "Schülerakte"),
    ("Stadtbücherei", "Ausleihe"),
    ("Museum", "Sammlung"),
    ("Veranstaltungen", "Sondernutzung"),
    ("Sozialhilfe", "Grundsicherung"),
    ("Jugendhilfe", "Hilfeplan"),
    ("Integration", "Ausländerbehörde"),
    ("Wahlen", "Wahlhelfer"),
    ("Beschwerdemanagement", "Mängelmelder"),
    ("Fuhrpark", "Dienstwagen"),
    ("Gebäudemanagement", "Facility"),
    ("Abfallwirtschaft", "Müllabfuhr"),
    ("Baumkataster", "Baumschutz"),
    ("Sportstätten", "Hallenbelegung"),
];

/// (name suffix, slug suffix, category, synonym suffix)
const ASPECTS: &[(&str, &str, &str, &str)] = &[
    (
        "Fachverfahren",
        "fachverfahren",
        "Fachverfahren",
        "Software",
    ),
    ("Onlinedienst", "online", "E-Government", "Online-Antrag"),
    (
        "Auswertungen",
        "auswertung",
        "Daten und Berichte",
        "Statistik",
    ),
    (
        "Schnittstellen",
        "schnittstellen",
        "Fachverfahren",
        "Datenaustausch",
    ),
    ("Archivierung", "archiv", "Fachverfahren", "Aussonderung"),
];

const FIRST_NAMES: &[&str] = &[
    "Anna",
    "Jörg",
    "Sabine",
    "Peter",
    "Katrin",
    "Ayşe",
    "Thomas",
    "Ute",
    "Mehmet",
    "Birgit",
    "Jonas",
    "Maria",
    "Michael",
    "Julia",
    "Andreas",
    "Claudia",
    "Markus",
    "Petra",
    "Frank",
    "Nadine",
    "Kemal",
    "Elena",
    "Stefan",
    "Heike",
    "Dirk",
    "Monika",
    "Lukas",
    "Sophie",
    "Bernd",
    "Renate",
    "Tobias",
    "Lena",
    "Uwe",
    "Gabriele",
    "Fatma",
    "Christian",
    "Miriam",
    "Karl",
    "Tanja",
    "Jan",
];

const LAST_NAMES: &[&str] = &[
    "Müller",
    "Öztürk",
    "Schäfer",
    "Becker",
    "Demir",
    "Schulte",
    "Hoffmann",
    "Nölle",
    "Krüger",
    "Wagner",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Hartmann",
    "Özdemir",
    "Brinkmann",
    "Hellweg",
    "Vorwerk",
    "Rosenbaum",
    "Overhoff",
    "Klute",
    "Deppe",
    "Schmitz",
    "Krämer",
    "Schröder",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagener",
    "Kaiser",
    "Lange",
    "Sommer",
    "Winkler",
    "Busch",
    "Stratmann",
    "Fromme",
    "Kleine",
    "Brüggemann",
    "Tillmann",
    "Hüsken",
    "Schmidt",
    "Lübke",
    "Vogt",
    "Ostermann",
    "Rüther",
    "Pieper",
];

const AVAILABILITY: &[&str] = &[
    "Mo–Fr vormittags",
    "Di+Do vormittags",
    "Mo, Mi nachmittags",
    "nach Absprache",
    "Do ganztags",
    "Mo–Do 8–12 Uhr",
    "Fr vormittags",
    "",
];

const BUILDINGS: &[&str] = &[
    "Rathaus I",
    "Rathaus II",
    "Rathaus III",
    "Technisches Rathaus",
    "Bürgerbüro am Markt",
    "Feuerwache",
];

const TITLES: &[(&str, &str)] = &[
    ("frage", "Wie finde ich in {t} meine Vorgänge wieder?"),
    ("frage", "Wer kann mir {t} kurz am Arbeitsplatz zeigen?"),
    ("problem", "{t} startet nach dem Update nicht mehr"),
    ("problem", "Fehlermeldung beim Speichern in {t}"),
    ("wunsch", "Schulung zu {t} für unser Team"),
    ("wunsch", "Kurze Anleitung zu {t} als PDF"),
    ("anregung", "{t}: Vorlagen für häufige Fälle"),
    ("anregung", "Sprechstunde zu {t} einmal im Monat"),
];

/// An index in `0..n`, small ones much more often: popular topics and large departments
/// (seven times in ten the least of eight draws, else any).
fn popular(rng: &mut Lcg, n: usize) -> usize {
    if rng.below(10) < 3 {
        return rng.below(n);
    }
    (0..8).map(|_| rng.below(n)).min().unwrap_or(0)
}

/// One of `list`, which is not empty.
fn pick<'a, T>(rng: &mut Lcg, list: &'a [T]) -> &'a T {
    &list[rng.below(list.len())]
}

fn id(collection: &str, key: &str) -> String {
    demo_id(collection, &format!("stadt/{key}"))
}

fn record(collection: &str, key: &str, updated_at: &str, data: Value) -> ExportRecord {
    ExportRecord {
        envelope: Envelope {
            collection: collection.into(),
            id: id(collection, key),
            version: 1,
            seq: 0,
            updated_at: updated_at.into(),
            updated_by: "import".into(),
            deleted: false,
            data,
        },
        owner_hash: None,
    }
}

fn departments() -> Vec<&'static str> {
    demo::data()
        .departments
        .iter()
        .map(String::as_str)
        .chain(MORE_DEPARTMENTS.iter().copied())
        .collect()
}

fn reference_time() -> time::OffsetDateTime {
    let (y, m, d) = REFERENCE_DAY;
    time::Date::from_calendar_date(
        y,
        time::Month::try_from(m).unwrap_or(time::Month::January),
        d,
    )
    .map(|d| d.with_hms(12, 0, 0).unwrap_or(d.midnight()).assume_utc())
    .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// (key, name, slug, category, synonyms): the call's topics first, then procedure × aspect.
fn topics(n: usize) -> Vec<(String, String, String, String, Vec<String>, String)> {
    let mut out: Vec<_> = demo::data()
        .topics
        .iter()
        .map(|t| {
            (
                t.slug.clone(),
                t.name.clone(),
                t.slug.clone(),
                t.category.clone(),
                t.synonyms.clone(),
                t.description.clone(),
            )
        })
        .take(n)
        .collect();
    'outer: for (aspect, aspect_slug, category, synonym) in ASPECTS {
        for (subject, other) in SUBJECTS {
            if out.len() >= n {
                break 'outer;
            }
            let slug = format!(
                "{}-{aspect_slug}",
                email_for(subject).trim_end_matches("@soest.de")
            );
            out.push((
                slug.clone(),
                format!("{subject}: {aspect}"),
                slug,
                (*category).to_owned(),
                vec![format!("{other} {synonym}"), (*other).to_owned()],
                format!("{aspect} für {subject} in der Stadtverwaltung Soest."),
            ));
        }
    }
    out
}

/// The data set of `size`, in the format of `lotsen-server import`.
pub fn generate(size: Size) -> Export {
    let mut rng = Lcg::new(0x5045_5354);
    let now = reference_time();
    let stamp = format_utc(now);
    let departments = departments();
    let mut records = Vec::new();

    let topics = topics(size.topics);
    let topic_ids: Vec<String> = topics.iter().map(|t| id("topics", &t.0)).collect();
    for (key, name, slug, category, synonyms, description) in &topics {
        records.push(record(
            "topics",
            key,
            &stamp,
            json!({"name": name, "slug": slug, "category": category,
                   "synonyms": synonyms, "description": description}),
        ));
    }

    // Every pair of first and last name once, in a shuffled order, then numbered if the city
    // is larger than the pairs.
    let pairs = FIRST_NAMES.len() * LAST_NAMES.len();
    let stride = 977; // coprime with 40 × 50, so i ↦ i·stride mod pairs is a permutation
    let mut lotse_ids = Vec::with_capacity(size.lotsen);
    let mut lotse_topics: Vec<Vec<usize>> = Vec::with_capacity(size.lotsen);
    for i in 0..size.lotsen {
        let p = (i * stride) % pairs;
        let mut name = format!(
            "{} {}",
            FIRST_NAMES[p % FIRST_NAMES.len()],
            LAST_NAMES[p / FIRST_NAMES.len()]
        );
        if i >= pairs {
            name = format!("{name} ({})", i / pairs + 1);
        }
        let department = departments[popular(&mut rng, departments.len())];
        let mut skills: Vec<(usize, u8)> = Vec::new();
        for _ in 0..2 + rng.below(9) {
            let t = popular(&mut rng, topic_ids.len());
            if skills.iter().any(|(x, _)| *x == t) {
                continue;
            }
            // Most know a topic or can help; about one in eight can train.
            let level = match rng.below(8) {
                0 => 3,
                1..=4 => 2,
                _ => 1,
            };
            skills.push((t, level));
        }
        let learning: Vec<&String> = (0..rng.below(3))
            .map(|_| &topic_ids[rng.below(topic_ids.len())])
            .filter(|t| !skills.iter().any(|(s, _)| topic_ids[*s] == **t))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let active = rng.below(20) != 0;
        let confirmed =
            now - time::Duration::days(rng.below(if active { 400 } else { 900 }) as i64);
        let key = format!("lotse-{i}");
        let email = email_for(&name.replace(['(', ')'], ""));
        records.push(record(
            "lotsen",
            &key,
            &stamp,
            json!({
                "name": name,
                "department": department,
                "phone": format!("02921 103-{:04}", 1000 + (i * 37) % 9000),
                "email": email,
                "location": format!("{}, Raum {}.{:02}", pick(&mut rng, BUILDINGS), rng.below(4), 1 + rng.below(40)),
                "availability": pick(&mut rng, AVAILABILITY),
                "skills": skills.iter().map(|(t, l)| json!({"topic": topic_ids[*t], "level": l})).collect::<Vec<_>>(),
                "learning": learning,
                "confirmed_at": confirmed.date().to_string(),
                "active": active,
            }),
        ));
        lotse_ids.push(id("lotsen", &key));
        lotse_topics.push(skills.iter().map(|(t, _)| *t).collect());
    }

    // Who can take a request of a topic: the Lotsen who know it.
    let mut helpers: Vec<Vec<usize>> = vec![Vec::new(); topic_ids.len()];
    for (l, ts) in lotse_topics.iter().enumerate() {
        for t in ts {
            helpers[*t].push(l);
        }
    }
    let topic_names: Vec<&str> = topics.iter().map(|t| t.1.as_str()).collect();
    for i in 0..size.requests {
        let topic = (rng.below(20) != 0).then(|| popular(&mut rng, topic_ids.len()));
        let (kind, template) = pick(&mut rng, TITLES);
        let title = template.replace("{t}", topic.map_or("die Fachanwendung", |t| topic_names[t]));
        // Spread over the year before the reference day; the newest are still open.
        let age_hours = (i as i64 * 8760) / size.requests.max(1) as i64;
        let created = now - time::Duration::hours(8760 - age_hours)
            + time::Duration::minutes(rng.below(600) as i64);
        let created = created.min(now);
        let recent = 8760 - age_hours < 24 * 21;
        let status = if recent {
            *pick(
                &mut rng,
                &["neu", "neu", "in_bearbeitung", "weitergeleitet", "erledigt"],
            )
        } else {
            *pick(
                &mut rng,
                &["erledigt", "erledigt", "erledigt", "erledigt", "abgelehnt"],
            )
        };
        let assignee = match (status, topic) {
            ("neu" | "weitergeleitet", _) | (_, None) => None,
            (_, Some(t)) if helpers[t].is_empty() => None,
            (_, Some(t)) => Some(lotse_ids[*pick(&mut rng, &helpers[t])].clone()),
        };
        let closed_at = matches!(status, "erledigt" | "abgelehnt")
            .then(|| format_utc(created + time::Duration::hours(2 + rng.below(200) as i64)));
        let name = format!(
            "{} {}",
            pick(&mut rng, FIRST_NAMES),
            pick(&mut rng, LAST_NAMES)
        );
        let mut data = json!({
            "kind": kind,
            "topic": topic.map(|t| topic_ids[t].clone()),
            "title": title,
            "description": "Bitte melden Sie sich bei mir, am besten vormittags. Danke!",
            "requester": {"name": name, "department": pick(&mut rng, &departments), "contact": email_for(&name)},
            "status": status,
            "assignee": assignee,
            "created_at": format_utc(created),
        });
        if let Some(closed) = closed_at {
            data["closed_at"] = json!(closed);
        }
        records.push(record("requests", &format!("anliegen-{i}"), &stamp, data));
    }

    Export {
        format: EXPORT_FORMAT.into(),
        epoch: "stadt".into(),
        exported_at: stamp,
        records,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Size = Size {
        topics: 60,
        lotsen: 300,
        requests: 900,
    };

    #[test]
    fn sizes_the_generator_cannot_fill_are_refused() {
        assert!(Size::new(0, 10, 10).is_err());
        assert!(Size::new(Size::max_topics() + 1, 10, 10).is_err());
        assert_eq!(Size::new(200, 2_000, 10_000), Ok(Size::CITY));
        assert_eq!(Size::max_topics(), 200);
        let tiny = generate(Size::new(1, 3, 4).unwrap());
        assert_eq!(tiny.records.len(), 8);
    }

    #[test]
    fn the_same_size_gives_the_same_bytes() {
        let a = serde_json::to_vec(&generate(SMALL)).unwrap();
        let b = serde_json::to_vec(&generate(SMALL)).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn counts_and_unique_names_ids_and_slugs() {
        let city = generate(Size::CITY);
        let of = |c: &'static str| {
            city.records
                .iter()
                .filter(move |r| r.envelope.collection == c)
        };
        assert_eq!(of("topics").count(), 200);
        assert_eq!(of("lotsen").count(), 2_000);
        assert_eq!(of("requests").count(), 10_000);
        let unique = |c: &'static str, field: &str| {
            let all: Vec<&Value> = of(c).map(|r| &r.envelope.data[field]).collect();
            let set: std::collections::HashSet<String> =
                all.iter().map(|v| v.to_string()).collect();
            set.len() == all.len()
        };
        assert!(unique("topics", "slug"));
        assert!(unique("topics", "name"));
        assert!(unique("lotsen", "name"));
        let ids: std::collections::HashSet<&str> = city
            .records
            .iter()
            .map(|r| r.envelope.id.as_str())
            .collect();
        assert_eq!(ids.len(), city.records.len());
    }

    #[test]
    fn skills_are_spread_like_a_real_programme() {
        let city = generate(Size::CITY);
        let mut per_topic = std::collections::HashMap::<String, usize>::new();
        let mut trainers = 0;
        let mut skills = 0;
        for r in city
            .records
            .iter()
            .filter(|r| r.envelope.collection == "lotsen")
        {
            for s in r.envelope.data["skills"].as_array().unwrap() {
                *per_topic.entry(s["topic"].to_string()).or_default() += 1;
                skills += 1;
                trainers += usize::from(s["level"] == 3);
            }
        }
        let mut counts: Vec<usize> = per_topic.values().copied().collect();
        counts.sort_unstable();
        // Popular topics are known by hundreds, the rarest by a few.
        assert!(*counts.last().unwrap() > 200, "{counts:?}");
        assert!(counts[0] < 20, "{counts:?}");
        assert!(trainers * 20 > skills && trainers * 5 < skills);
    }

    /// `cargo xtask` links the city's demo login `lotse` to this Lotse by its id.
    #[test]
    fn the_first_lotse_has_the_id_xtask_links_the_demo_login_to() {
        let city = generate(SMALL);
        let first = city
            .records
            .iter()
            .find(|r| r.envelope.collection == "lotsen")
            .unwrap();
        assert_eq!(first.envelope.id, "a36fa06a-870d-5624-a0d6-3f772b845f8a");
    }

    #[test]
    fn imports_into_a_fresh_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(dir.path()).unwrap();
        let n = crate::ops::import(&store, generate(SMALL)).unwrap();
        assert_eq!(n, 60 + 300 + 900);
    }
}
