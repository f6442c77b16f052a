//! The in-browser search of SPEC §5. An [`Index`] is built once from the topics and the active
//! Lotsen whenever they change; each keystroke runs [`Index::search`], which must stay well under
//! 2 ms at 2,000 Lotsen × 200 topics, so all folding of the records happens at build time.

use std::cmp::Reverse;

use crate::model::{Lotse, Topic};
use crate::normalize::{compact, fold, words};

/// How a query matched, weakest first, so that `Ord` ranks them as SPEC §5 demands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchKind {
    Fuzzy,
    Substring,
    Prefix,
    Synonym,
    Exact,
}

/// A searchable text: its folded words and their concatenation.
#[derive(Clone, Debug)]
struct Term {
    compact: String,
    words: Vec<String>,
    /// What a whole-word hit on this term counts as: `Exact` for names, `Synonym` for synonyms.
    base: MatchKind,
}

impl Term {
    fn new(text: &str, base: MatchKind) -> Term {
        let folded = fold(text);
        Term {
            compact: compact(&folded),
            words: words(&folded).map(str::to_owned).collect(),
            base,
        }
    }
}

#[derive(Clone, Debug)]
struct TopicEntry {
    id: String,
    sort_key: String,
    terms: Vec<Term>,
}

/// A person's name: its compact form and its words as indexes into [`Index::name_words`], so
/// that a query is matched against each distinct name word once, not once per Lotse.
#[derive(Clone, Debug)]
struct Name {
    compact: String,
    words: Vec<usize>,
}

#[derive(Clone, Debug)]
struct LotseEntry {
    id: String,
    sort_key: String,
    name: Name,
    department: usize,
    /// (topic index, level), best level first.
    skills: Vec<(usize, u8)>,
}

#[derive(Clone, Debug)]
struct Department {
    key: String,
    term: Term,
}

/// What the user asked for: the text typed and the filters of `/suche`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Query<'a> {
    pub text: &'a str,
    /// `bereich`: only Lotsen of this department.
    pub department: Option<&'a str>,
    /// `stufe`: only skills at this level or above.
    pub min_level: Option<u8>,
    /// The user's own department, ranked first among equals.
    pub own_department: Option<&'a str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopicMatch {
    pub topic: usize,
    pub level: u8,
    pub kind: MatchKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub lotse: usize,
    /// `None` when only filters were given and no text.
    pub kind: Option<MatchKind>,
    /// The level that ranks this hit: the best level among its best-matching topics.
    pub level: u8,
    /// The Lotse's skills that matched, strongest first.
    pub topics: Vec<TopicMatch>,
    /// Whether the name or the department matched.
    pub person: Option<MatchKind>,
}

#[derive(Clone, Debug, Default)]
pub struct Index {
    topics: Vec<TopicEntry>,
    lotsen: Vec<LotseEntry>,
    departments: Vec<Department>,
    name_words: Vec<String>,
}

/// One piece of the query to match: the whole query, or one of its words.
struct Unit {
    compact: String,
    budget: usize,
}

impl Unit {
    fn new(compact: String) -> Unit {
        // SPEC §5: one edit from 5 characters, two from 9.
        let n = compact.chars().count();
        let budget = match n {
            0..=4 => 0,
            5..=8 => 1,
            _ => 2,
        };
        Unit { compact, budget }
    }
}

impl Index {
    /// Builds the index. Inactive Lotsen and Lotsen without a skill on a known topic are left
    /// out; skills on unknown topics are ignored.
    pub fn build<'a>(
        topics: impl IntoIterator<Item = (&'a str, &'a Topic)>,
        lotsen: impl IntoIterator<Item = (&'a str, &'a Lotse)>,
    ) -> Index {
        let topics: Vec<TopicEntry> = topics
            .into_iter()
            .map(|(id, t)| {
                let mut terms = vec![Term::new(&t.name, MatchKind::Exact)];
                if !t.slug.is_empty() {
                    terms.push(Term::new(&t.slug, MatchKind::Exact));
                }
                terms.extend(t.synonyms.iter().map(|s| Term::new(s, MatchKind::Synonym)));
                TopicEntry {
                    id: id.to_owned(),
                    sort_key: fold(&t.name),
                    terms,
                }
            })
            .collect();
        let position: std::collections::HashMap<&str, usize> = topics
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.as_str(), i))
            .collect();
        let mut departments: Vec<Department> = Vec::new();
        let mut name_words: Vec<String> = Vec::new();
        let mut word_ids: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        let mut entries = Vec::new();
        for (id, l) in lotsen {
            if !l.active {
                continue;
            }
            let mut skills: Vec<(usize, u8)> = l
                .skills
                .iter()
                .filter_map(|s| position.get(s.topic.as_str()).map(|&t| (t, s.level.get())))
                .collect();
            // A profile that names no topic yet (made at a first login from the directory)
            // helps with nothing: it is found once it names a skill.
            if skills.is_empty() {
                continue;
            }
            let key = fold(l.department.trim());
            let department = match departments.iter().position(|d| d.key == key) {
                Some(i) => i,
                None => {
                    departments.push(Department {
                        term: Term::new(&l.department, MatchKind::Exact),
                        key,
                    });
                    departments.len() - 1
                }
            };
            skills.sort_by_key(|&(t, level)| (Reverse(level), t));
            let folded = fold(&l.name);
            let words = words(&folded)
                .map(|w| {
                    *word_ids.entry(w.to_owned()).or_insert_with(|| {
                        name_words.push(w.to_owned());
                        name_words.len() - 1
                    })
                })
                .collect();
            entries.push(LotseEntry {
                id: id.to_owned(),
                name: Name {
                    compact: compact(&folded),
                    words,
                },
                sort_key: folded,
                department,
                skills,
            });
        }
        Index {
            topics,
            lotsen: entries,
            departments,
            name_words,
        }
    }

    pub fn topic_count(&self) -> usize {
        self.topics.len()
    }

    pub fn lotse_count(&self) -> usize {
        self.lotsen.len()
    }

    pub fn topic_id(&self, i: usize) -> &str {
        &self.topics[i].id
    }

    pub fn lotse_id(&self, i: usize) -> &str {
        &self.lotsen[i].id
    }

    /// Topics matching `text`, strongest match first, then by name.
    pub fn topics(&self, text: &str) -> Vec<(usize, MatchKind)> {
        let unit = Unit::new(compact(&fold(text)));
        let mut found: Vec<(usize, MatchKind)> = self
            .topic_kinds(&unit)
            .into_iter()
            .enumerate()
            .filter_map(|(i, k)| k.map(|k| (i, k)))
            .collect();
        found.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| self.topics[a.0].sort_key.cmp(&self.topics[b.0].sort_key))
        });
        found
    }

    /// The Lotsen for a query, ranked: match kind, then level, then own department, then name.
    pub fn search(&self, q: &Query) -> Vec<Hit> {
        let folded = fold(q.text);
        let query_words: Vec<&str> = words(&folded).collect();
        let whole = Unit::new(query_words.concat());
        let department = q
            .department
            .map(|d| fold(d.trim()))
            .filter(|d| !d.is_empty());
        let own = q.own_department.map(|d| fold(d.trim()));
        let min_level = q.min_level.unwrap_or(0);

        if whole.compact.is_empty() {
            if department.is_none() && min_level == 0 {
                return Vec::new();
            }
            let mut hits: Vec<Hit> = self
                .lotsen
                .iter()
                .enumerate()
                .filter(|(_, l)| self.in_department(l, department.as_deref()))
                .filter_map(|(i, l)| {
                    let best = l.skills.first().map_or(0, |s| s.1);
                    (best >= min_level).then_some(Hit {
                        lotse: i,
                        kind: None,
                        level: best,
                        topics: Vec::new(),
                        person: None,
                    })
                })
                .collect();
            self.rank(&mut hits, own.as_deref());
            return hits;
        }

        let whole_topics = self.topic_kinds(&whole);
        let whole_words = self.word_kinds(&whole);
        let whole_departments: Vec<Option<MatchKind>> = self
            .departments
            .iter()
            .map(|d| match_term(&whole, &d.term))
            .collect();
        let parts: Vec<Unit> = if query_words.len() > 1 {
            query_words
                .iter()
                .map(|w| Unit::new((*w).to_owned()))
                .collect()
        } else {
            Vec::new()
        };
        let part_topics: Vec<Vec<Option<MatchKind>>> =
            parts.iter().map(|u| self.topic_kinds(u)).collect();
        let part_departments: Vec<Vec<Option<MatchKind>>> = parts
            .iter()
            .map(|u| {
                self.departments
                    .iter()
                    .map(|d| match_term(u, &d.term))
                    .collect()
            })
            .collect();

        let part_words: Vec<Vec<Option<MatchKind>>> =
            parts.iter().map(|u| self.word_kinds(u)).collect();

        let mut hits = Vec::new();
        for (i, l) in self.lotsen.iter().enumerate() {
            if !self.in_department(l, department.as_deref()) {
                continue;
            }
            // Most Lotsen match nothing: allocate only for those that do.
            let mut topics: Vec<TopicMatch> =
                if l.skills.iter().any(|&(t, _)| whole_topics[t].is_some()) {
                    l.skills
                        .iter()
                        .filter_map(|&(t, level)| {
                            whole_topics[t].map(|kind| TopicMatch {
                                topic: t,
                                level,
                                kind,
                            })
                        })
                        .collect()
                } else {
                    Vec::new()
                };
            let mut person = max_opt(
                match_name(&whole, &l.name, &whole_words),
                whole_departments[l.department],
            );
            if topics.is_empty() && person.is_none() && !parts.is_empty() {
                // Every word must match something of this Lotse ("Teams Bauamt").
                let mut weakest: Option<MatchKind> = Some(MatchKind::Exact);
                let mut person_parts: Option<MatchKind> = Some(MatchKind::Exact);
                for (p, unit) in parts.iter().enumerate() {
                    let by_person = max_opt(
                        match_name(unit, &l.name, &part_words[p]),
                        part_departments[p][l.department],
                    );
                    let mut best = by_person;
                    for &(t, level) in &l.skills {
                        if let Some(kind) = part_topics[p][t] {
                            best = max_opt(best, Some(kind));
                            match topics.iter_mut().find(|m| m.topic == t) {
                                Some(m) => m.kind = m.kind.max(kind),
                                None => topics.push(TopicMatch {
                                    topic: t,
                                    level,
                                    kind,
                                }),
                            }
                        }
                    }
                    weakest = min_opt(weakest, best);
                    person_parts = min_opt(person_parts, by_person);
                }
                if weakest.is_none() {
                    continue;
                }
                person = person_parts;
                // The hit is only as strong as its weakest word.
                for m in &mut topics {
                    m.kind = m.kind.min(weakest.unwrap_or(MatchKind::Fuzzy));
                }
                if topics.is_empty() && person.is_none() {
                    person = weakest;
                }
            }
            topics.retain(|m| m.level >= min_level);
            if topics.is_empty() {
                let qualifies =
                    person.is_some() && l.skills.first().is_some_and(|s| s.1 >= min_level);
                if !qualifies {
                    continue;
                }
            }
            topics.sort_by_key(|m| (Reverse(m.kind), Reverse(m.level), m.topic));
            let topic_kind = topics.first().map(|m| m.kind);
            let kind = max_opt(topic_kind, person);
            let level = match topics.first() {
                Some(best) if topic_kind >= person => best.level,
                _ => 0,
            };
            hits.push(Hit {
                lotse: i,
                kind,
                level,
                topics,
                person,
            });
        }
        self.rank(&mut hits, own.as_deref());
        hits
    }

    fn in_department(&self, l: &LotseEntry, department: Option<&str>) -> bool {
        department.is_none_or(|d| self.departments[l.department].key == d)
    }

    fn topic_kinds(&self, unit: &Unit) -> Vec<Option<MatchKind>> {
        self.topics
            .iter()
            .map(|t| {
                t.terms
                    .iter()
                    .filter_map(|term| match_term(unit, term))
                    .max()
            })
            .collect()
    }

    fn word_kinds(&self, unit: &Unit) -> Vec<Option<MatchKind>> {
        self.name_words
            .iter()
            .map(|w| match_word(unit, w))
            .collect()
    }

    fn rank(&self, hits: &mut [Hit], own: Option<&str>) {
        let is_own = |h: &Hit| {
            own.is_some_and(|o| self.departments[self.lotsen[h.lotse].department].key == o)
        };
        hits.sort_by(|a, b| {
            b.kind
                .cmp(&a.kind)
                .then(b.level.cmp(&a.level))
                .then(is_own(b).cmp(&is_own(a)))
                .then_with(|| {
                    self.lotsen[a.lotse]
                        .sort_key
                        .cmp(&self.lotsen[b.lotse].sort_key)
                })
        });
    }
}

fn max_opt(a: Option<MatchKind>, b: Option<MatchKind>) -> Option<MatchKind> {
    a.max(b)
}

fn min_opt(a: Option<MatchKind>, b: Option<MatchKind>) -> Option<MatchKind> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        _ => None,
    }
}

/// A name matches as its best word does, or as a whole ("annamuller" for "Anna Müller").
fn match_name(unit: &Unit, name: &Name, word_kinds: &[Option<MatchKind>]) -> Option<MatchKind> {
    let q = unit.compact.as_str();
    let whole = if q.is_empty() {
        None
    } else if name.compact == q {
        Some(MatchKind::Exact)
    } else if name.compact.starts_with(q) {
        Some(MatchKind::Prefix)
    } else if q.len() >= 3 && name.compact.contains(q) {
        Some(MatchKind::Substring)
    } else {
        None
    };
    name.words
        .iter()
        .map(|&w| word_kinds[w])
        .fold(whole, max_opt)
}

/// One word of a name against the query.
fn match_word(unit: &Unit, word: &str) -> Option<MatchKind> {
    let q = unit.compact.as_str();
    if q.is_empty() {
        None
    } else if word == q {
        Some(if q.len() >= 3 {
            MatchKind::Exact
        } else {
            MatchKind::Prefix
        })
    } else if word.starts_with(q) {
        Some(MatchKind::Prefix)
    } else if q.len() >= 3 && word.contains(q) {
        Some(MatchKind::Substring)
    } else if unit.budget > 0 && fuzzy(q.as_bytes(), word.as_bytes(), unit.budget) {
        Some(MatchKind::Fuzzy)
    } else {
        None
    }
}

/// A typo in the whole word, or in what has been typed of it so far.
fn fuzzy(q: &[u8], w: &[u8], budget: usize) -> bool {
    within(q, w, budget) || (w.len() > q.len() && within(q, &w[..q.len()], budget))
}

fn match_term(unit: &Unit, term: &Term) -> Option<MatchKind> {
    let q = unit.compact.as_str();
    if q.is_empty() || term.compact.is_empty() {
        return None;
    }
    if term.compact == q || (q.len() >= 3 && term.words.iter().any(|w| w == q)) {
        return Some(term.base);
    }
    if term.compact.starts_with(q) || term.words.iter().any(|w| w.starts_with(q)) {
        return Some(MatchKind::Prefix);
    }
    if q.len() >= 3 && term.compact.contains(q) {
        return Some(MatchKind::Substring);
    }
    if unit.budget > 0 {
        let q = q.as_bytes();
        let candidates = term
            .words
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(term.compact.as_str()));
        for w in candidates {
            let w = w.as_bytes();
            // A typo in the whole word, or in what has been typed of it so far.
            if within(q, w, unit.budget)
                || (w.len() > q.len() && within(q, &w[..q.len()], unit.budget))
            {
                return Some(MatchKind::Fuzzy);
            }
        }
    }
    None
}

/// Whether the edit distance of `a` and `b` is at most `k`. Only a band of width 2k+1 around the
/// diagonal is computed, with an early exit once every cell of a row exceeds `k`.
fn within(a: &[u8], b: &[u8], k: usize) -> bool {
    if a.len().abs_diff(b.len()) > k {
        return false;
    }
    let far = k + 1;
    // Rows on the stack: this runs for thousands of words per keystroke.
    const STACK: usize = 64;
    let (mut prev_buf, mut cur_buf) = ([0usize; STACK], [0usize; STACK]);
    let (mut prev_heap, mut cur_heap) = (Vec::new(), Vec::new());
    let (mut prev, mut cur): (&mut [usize], &mut [usize]) = if b.len() < STACK {
        (&mut prev_buf[..=b.len()], &mut cur_buf[..=b.len()])
    } else {
        prev_heap.resize(b.len() + 1, 0);
        cur_heap.resize(b.len() + 1, 0);
        (&mut prev_heap[..], &mut cur_heap[..])
    };
    for (j, v) in prev.iter_mut().enumerate() {
        *v = j.min(far);
    }
    for i in 1..=a.len() {
        let lo = i.saturating_sub(k).max(1);
        let hi = (i + k).min(b.len());
        cur.fill(far);
        cur[0] = i.min(far);
        let mut row_min = cur[0];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let v = (prev[j - 1] + cost)
                .min(prev[j] + 1)
                .min(cur[j - 1] + 1)
                .min(far);
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > k {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] <= k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Level, Skill};
    use proptest::prelude::*;

    fn topic(name: &str, slug: &str, synonyms: &[&str]) -> Topic {
        Topic {
            name: name.into(),
            slug: slug.into(),
            category: "Allgemein".into(),
            synonyms: synonyms.iter().map(|s| s.to_string()).collect(),
            description: String::new(),
        }
    }

    fn lotse(name: &str, department: &str, skills: &[(&str, u8)]) -> Lotse {
        Lotse {
            name: name.into(),
            department: department.into(),
            skills: skills
                .iter()
                .map(|(t, l)| Skill {
                    topic: t.to_string(),
                    level: Level::new(*l).unwrap(),
                })
                .collect(),
            active: true,
            ..Lotse::default()
        }
    }

    struct Fixture {
        topics: Vec<(String, Topic)>,
        lotsen: Vec<(String, Lotse)>,
    }

    impl Fixture {
        fn soest() -> Fixture {
            let topics = vec![
                (
                    "dms".into(),
                    topic(
                        "Dokumentenmanagement (DMS)",
                        "dms",
                        &["E-Akte", "Elektronische Akte", "Ablage"],
                    ),
                ),
                (
                    "ozg".into(),
                    topic(
                        "OZG-Onlinedienste",
                        "ozg",
                        &["Onlinezugangsgesetz", "Online-Antrag"],
                    ),
                ),
                (
                    "video".into(),
                    topic(
                        "Videokonferenzen",
                        "videokonferenzen",
                        &["Webex", "Teams-Meeting", "Zoom"],
                    ),
                ),
                (
                    "excel".into(),
                    topic("Excel", "excel", &["Tabellenkalkulation"]),
                ),
                (
                    "teams".into(),
                    topic("Microsoft Teams", "teams", &["Chat", "Zusammenarbeit"]),
                ),
            ];
            let lotsen = vec![
                (
                    "l1".into(),
                    lotse("Anna Becker", "Bürgerbüro", &[("dms", 1), ("excel", 3)]),
                ),
                (
                    "l2".into(),
                    lotse("Jörg Müller", "Bauamt", &[("dms", 3), ("teams", 2)]),
                ),
                (
                    "l3".into(),
                    lotse("Sabine Öztürk", "Ordnungsamt", &[("ozg", 2), ("video", 3)]),
                ),
                (
                    "l4".into(),
                    lotse("Peter Schulte", "Bürgerbüro", &[("dms", 3)]),
                ),
                ("l5".into(), lotse("Inaktiv Ina", "Bauamt", &[("dms", 3)])),
            ];
            let mut f = Fixture { topics, lotsen };
            f.lotsen[4].1.active = false;
            f
        }

        fn index(&self) -> Index {
            Index::build(
                self.topics.iter().map(|(id, t)| (id.as_str(), t)),
                self.lotsen.iter().map(|(id, l)| (id.as_str(), l)),
            )
        }
    }

    fn names(index: &Index, q: &Query) -> Vec<String> {
        index
            .search(q)
            .iter()
            .map(|h| index.lotse_id(h.lotse).to_owned())
            .collect()
    }

    fn text(t: &str) -> Query<'_> {
        Query {
            text: t,
            ..Query::default()
        }
    }

    #[test]
    fn synonym_finds_topic_in_any_spelling() {
        let idx = Fixture::soest().index();
        for q in ["e-akte", "E Akte", "EAKTE", "e-Akte "] {
            let hits = idx.search(&text(q));
            assert_eq!(hits.len(), 3, "{q}");
            assert!(
                hits.iter().all(|h| h.kind == Some(MatchKind::Synonym)),
                "{q}"
            );
            assert_eq!(idx.topic_id(hits[0].topics[0].topic), "dms");
        }
    }

    #[test]
    fn level_then_own_department_then_name() {
        let idx = Fixture::soest().index();
        assert_eq!(names(&idx, &text("DMS")), ["l2", "l4", "l1"]);
        let own = Query {
            text: "DMS",
            own_department: Some("Buergerbuero"),
            ..Query::default()
        };
        assert_eq!(names(&idx, &own), ["l4", "l2", "l1"]);
    }

    #[test]
    fn typos_are_forgiven_by_length() {
        let idx = Fixture::soest().index();
        assert_eq!(
            names(&idx, &text("dokumentenmanagment")),
            ["l2", "l4", "l1"]
        );
        assert_eq!(
            idx.search(&text("dokumentenmanagment"))[0].kind,
            Some(MatchKind::Fuzzy)
        );
        // Two edits are allowed from nine characters on ...
        assert_eq!(names(&idx, &text("Vidoekonferenz")), ["l3"]);
        // ... one from five, none below.
        assert_eq!(names(&idx, &text("Exel")), Vec::<String>::new());
        assert_eq!(names(&idx, &text("Exxcel")), ["l1"]);
    }

    #[test]
    fn prefix_substring_and_kinds_rank() {
        let idx = Fixture::soest().index();
        let hits = idx.search(&text("Videokonferenz"));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].kind, Some(MatchKind::Prefix));
        // "akte" is inside the compound "E-Akte" and "Elektronische Akte".
        assert!(idx
            .search(&text("akte"))
            .iter()
            .all(|h| idx.topic_id(h.topics[0].topic) == "dms"));
        let hits = idx.search(&text("onlinedienst"));
        assert_eq!(idx.lotse_id(hits[0].lotse), "l3");
        assert_eq!(idx.topics("zugangsgesetz"), vec![(1, MatchKind::Substring)]);
        assert_eq!(idx.topics("OZG")[0], (1, MatchKind::Exact));
    }

    #[test]
    fn people_and_departments_are_searchable() {
        let idx = Fixture::soest().index();
        assert_eq!(names(&idx, &text("Müller")), ["l2"]);
        assert_eq!(names(&idx, &text("mueller")), ["l2"]);
        assert_eq!(names(&idx, &text("Oeztuerk")), ["l3"]);
        assert_eq!(names(&idx, &text("bürgerbüro")), ["l1", "l4"]);
        assert_eq!(names(&idx, &text("Bauamt Teams")), ["l2"]);
        assert_eq!(
            names(&idx, &text("Ina")),
            Vec::<String>::new(),
            "inactive Lotsen are not found"
        );
    }

    #[test]
    fn a_profile_without_a_skill_is_found_once_it_names_one() {
        let mut f = Fixture::soest();
        f.lotsen
            .push(("l6".into(), lotse("Neu Nadine", "Kämmerei", &[])));
        assert_eq!(names(&f.index(), &text("Nadine")), Vec::<String>::new());
        assert_eq!(names(&f.index(), &text("Kämmerei")), Vec::<String>::new());
        f.lotsen[5].1 = lotse("Neu Nadine", "Kämmerei", &[("teams", 1)]);
        assert_eq!(names(&f.index(), &text("Nadine")), ["l6"]);
    }

    #[test]
    fn filters() {
        let idx = Fixture::soest().index();
        let q = Query {
            text: "dms",
            department: Some("Bürgerbüro"),
            ..Query::default()
        };
        assert_eq!(names(&idx, &q), ["l4", "l1"]);
        let q = Query {
            text: "dms",
            min_level: Some(3),
            ..Query::default()
        };
        assert_eq!(names(&idx, &q), ["l2", "l4"]);
        let q = Query {
            text: "",
            department: Some("bauamt"),
            ..Query::default()
        };
        assert_eq!(names(&idx, &q), ["l2"]);
        assert!(idx.search(&text("  ")).is_empty());
    }

    #[test]
    fn edit_distance() {
        assert!(within(b"kitten", b"sitten", 1));
        assert!(!within(b"kitten", b"sitting", 2) || within(b"kitten", b"sitting", 3));
        assert!(within(b"kitten", b"sitting", 3));
        assert!(!within(b"kitten", b"sitting", 2));
        assert!(within(b"", b"ab", 2));
        assert!(!within(b"abc", b"", 2));
    }

    fn levenshtein(a: &[u8], b: &[u8]) -> usize {
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for i in 1..=a.len() {
            let mut cur = vec![i; b.len() + 1];
            for j in 1..=b.len() {
                cur[j] = (prev[j - 1] + usize::from(a[i - 1] != b[j - 1]))
                    .min(prev[j] + 1)
                    .min(cur[j - 1] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }

    proptest! {
        #[test]
        fn banded_distance_agrees_with_full(a in "[abc]{0,12}", b in "[abc]{0,12}", k in 0usize..4) {
            prop_assert_eq!(within(a.as_bytes(), b.as_bytes(), k), levenshtein(a.as_bytes(), b.as_bytes()) <= k);
        }

        #[test]
        fn search_is_total_and_ranked(q in "\\PC{0,20}", level in proptest::option::of(0u8..4)) {
            let idx = Fixture::soest().index();
            let hits = idx.search(&Query { text: &q, min_level: level, ..Query::default() });
            for pair in hits.windows(2) {
                prop_assert!((pair[0].kind, pair[0].level) >= (pair[1].kind, pair[1].level));
            }
            for h in &hits {
                prop_assert!(h.topics.iter().all(|m| m.level >= level.unwrap_or(0)));
            }
        }

        #[test]
        fn every_skill_is_found_by_its_topic_name(pick in 0usize..5) {
            let f = Fixture::soest();
            let idx = f.index();
            let (tid, t) = &f.topics[pick];
            let hits = idx.search(&text(&t.name));
            for (lid, l) in f.lotsen.iter().filter(|(_, l)| l.active) {
                let has = l.skills.iter().any(|s| &s.topic == tid);
                let found = hits.iter().any(|h| idx.lotse_id(h.lotse) == lid
                    && h.topics.iter().any(|m| idx.topic_id(m.topic) == tid && m.kind == MatchKind::Exact));
                prop_assert_eq!(has, found, "{} / {}", lid, tid);
            }
        }
    }
}
