//! A synthetic directory of the size SPEC §5 sets for search speed (2,000 Lotsen × 200 topics),
//! shared by the native benchmark and the one in the browser.

use crate::model::{Level, Lotse, Skill, Topic};

const SYLLABLES: [&str; 24] = [
    "akte",
    "daten",
    "online",
    "dienst",
    "video",
    "konferenz",
    "tabelle",
    "post",
    "rechnung",
    "signatur",
    "karte",
    "portal",
    "netz",
    "termin",
    "antrag",
    "archiv",
    "bild",
    "druck",
    "mail",
    "chat",
    "plan",
    "wissen",
    "sicher",
    "mobil",
];
const DEPARTMENTS: [&str; 14] = [
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
const FIRST: [&str; 10] = [
    "Anna", "Jörg", "Sabine", "Peter", "Katrin", "Ayşe", "Thomas", "Ute", "Mehmet", "Birgit",
];
const LAST: [&str; 10] = [
    "Müller", "Öztürk", "Schäfer", "Becker", "Demir", "Schulte", "Hoffmann", "Nölle", "Krüger",
    "Wagner",
];

/// Deterministic pseudo-random numbers, so every run measures the same data (here and in the
/// server's city-scale data set).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// Records with their ids, as the app holds them.
pub type Records<T> = Vec<(String, T)>;

pub fn directory(lotsen: usize, topics: usize) -> (Records<Topic>, Records<Lotse>) {
    let mut rng = Lcg::new(42);
    let topics: Vec<(String, Topic)> = (0..topics)
        .map(|i| {
            let a = SYLLABLES[i % SYLLABLES.len()];
            let b = SYLLABLES[(i / SYLLABLES.len() + i) % SYLLABLES.len()];
            let name = format!("{}{b} {i}", a[..1].to_uppercase() + &a[1..]);
            (
                format!("topic-{i}"),
                Topic {
                    slug: format!("thema-{i}"),
                    category: format!("Bereich {}", i % 8),
                    synonyms: vec![format!("{b}-{a}"), format!("{a} {b} hilfe")],
                    description: String::new(),
                    name,
                },
            )
        })
        .collect();
    let lotsen = (0..lotsen)
        .map(|i| {
            let skills = (0..4 + rng.below(5))
                .map(|k| Skill {
                    topic: format!(
                        "topic-{}",
                        (i * 7 + k * 13 + rng.below(topics.len())) % topics.len()
                    ),
                    level: Level::new(1 + rng.below(3) as u8).unwrap_or(Level::KNOWS),
                })
                .fold(Vec::<Skill>::new(), |mut acc, s| {
                    if !acc.iter().any(|x| x.topic == s.topic) {
                        acc.push(s);
                    }
                    acc
                });
            (
                format!("lotse-{i}"),
                Lotse {
                    name: format!(
                        "{} {} {i}",
                        FIRST[rng.below(FIRST.len())],
                        LAST[rng.below(LAST.len())]
                    ),
                    department: DEPARTMENTS[rng.below(DEPARTMENTS.len())].to_owned(),
                    skills,
                    active: true,
                    ..Lotse::default()
                },
            )
        })
        .collect();
    (topics, lotsen)
}

/// What people type, keystroke by keystroke: each prefix of these is one search.
pub const QUERIES: [&str; 8] = [
    "e-akte",
    "Videokonferenz",
    "dokumentenmanagment",
    "OZG",
    "Müller",
    "Bürgerbüro",
    "tabelle post",
    "signatur",
];

/// Every prefix of every query in [`QUERIES`]: one search per keystroke.
pub fn keystrokes() -> Vec<String> {
    QUERIES
        .iter()
        .flat_map(|q| {
            q.char_indices()
                .map(|(i, c)| q[..i + c.len_utf8()].to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}
