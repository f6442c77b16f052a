//! Demand against coverage per topic, for `/buero/auswertung`: where colleagues ask most while
//! few Lotsen can help — "hier fehlen Lotsen oder Schulungen". Aggregated by topic only.
//!
//! The score of a topic is
//!
//! ```text
//! (1 + requests + open requests) × (1 + departments with a gap) / (1 + Lotsen at level ≥ 2)
//! ```
//!
//! - open requests (neu, in Bearbeitung, weitergeleitet) count twice: they are still waiting;
//! - the `1 +` lets a topic nobody has asked about yet still rank by its gaps, and keeps a
//!   topic without any helper from dividing by zero;
//! - every department without two helpers multiplies the need; every helper shares the load.
//!
//! Ties go to more requests, then to the topic order given.

use std::collections::HashMap;

use crate::coverage::Coverage;
use crate::model::{Kind, Status};
use crate::time::{local_month, unix_seconds};

/// One request as the statistics need it (no names, no text).
#[derive(Clone, Copy, Debug)]
pub struct RequestFact<'a> {
    pub topic: Option<&'a str>,
    pub kind: Kind,
    pub status: Status,
    /// When it was handed in, UTC `YYYY-MM-DDThh:mm:ssZ`, if known.
    pub created_at: Option<&'a str>,
    /// When it became `erledigt` or `abgelehnt`, same format, if known.
    pub closed_at: Option<&'a str>,
}

/// Whether a request is still waiting for someone.
pub fn is_open(status: Status) -> bool {
    !matches!(status, Status::Erledigt | Status::Abgelehnt)
}

/// One line of the ranking.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicDemand {
    pub topic: String,
    pub requests: usize,
    pub open: usize,
    /// Requests by kind, in the order of [`Kind::ALL`].
    pub by_kind: [usize; 4],
    pub gap_departments: usize,
    pub helpers: usize,
    pub score: f64,
}

/// Every topic of `coverage`, most needed first. Requests without a topic, or on a topic not
/// in `coverage`, are not counted.
pub fn rank(requests: &[RequestFact], coverage: &Coverage) -> Vec<TopicDemand> {
    let mut lines: Vec<TopicDemand> = coverage
        .topics
        .iter()
        .map(|t| TopicDemand {
            topic: t.clone(),
            requests: 0,
            open: 0,
            by_kind: [0; 4],
            gap_departments: coverage.gap_departments(t),
            helpers: coverage.total_helpers(t),
            score: 0.0,
        })
        .collect();
    let index: std::collections::HashMap<&str, usize> = coverage
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    for r in requests {
        let Some(&i) = r.topic.and_then(|t| index.get(t)) else {
            continue;
        };
        let line = &mut lines[i];
        line.requests += 1;
        line.open += usize::from(is_open(r.status));
        if let Some(k) = Kind::ALL.iter().position(|k| *k == r.kind) {
            line.by_kind[k] += 1;
        }
    }
    for l in &mut lines {
        l.score = score(l.requests, l.open, l.gap_departments, l.helpers);
    }
    // A stable sort keeps the given topic order for full ties.
    lines.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| b.requests.cmp(&a.requests))
    });
    lines
}

/// The score of the module documentation.
pub fn score(requests: usize, open: usize, gap_departments: usize, helpers: usize) -> f64 {
    (1 + requests + open) as f64 * (1 + gap_departments) as f64 / (1 + helpers) as f64
}

/// Requests handed in during one month, by kind in the order of [`Kind::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthCount {
    pub month: String,
    pub by_kind: [usize; 4],
}

impl MonthCount {
    pub fn total(&self) -> usize {
        self.by_kind.iter().sum()
    }
}

/// Requests per month and kind over `months` (see [`months_until`]), optionally of one topic.
/// Requests without a time, or outside the months, are not counted.
pub fn per_month(
    requests: &[RequestFact],
    months: &[String],
    topic: Option<&str>,
) -> Vec<MonthCount> {
    let mut out: Vec<MonthCount> = months
        .iter()
        .map(|m| MonthCount {
            month: m.clone(),
            by_kind: [0; 4],
        })
        .collect();
    for r in requests {
        if topic.is_some() && r.topic != topic {
            continue;
        }
        let Some(month) = r.created_at.and_then(local_month) else {
            continue;
        };
        let (Some(i), Some(k)) = (
            months.iter().position(|m| *m == month),
            Kind::ALL.iter().position(|k| *k == r.kind),
        ) else {
            continue;
        };
        out[i].by_kind[k] += 1;
    }
    out
}

/// The median time from hand-in to `erledigt` and how many requests it is taken over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Median {
    pub seconds: i64,
    pub count: usize,
}

/// The median time from hand-in to `erledigt`, over the requests whose both times are known
/// and in order (clocks of two devices can disagree; a request closed "before" it was handed
/// in is left out); None if there are none. With an even count, the mean of the two middle
/// values, rounded down.
pub fn median_to_done(requests: &[RequestFact]) -> Option<Median> {
    median(requests.iter().filter_map(duration_to_done).collect())
}

/// [`median_to_done`] over all `requests` and over each topic's, with each request's times
/// read once (the evaluation shows both; per topic it read 10,000 requests' times twice).
pub fn medians_to_done<'a>(
    requests: &[RequestFact<'a>],
) -> (Option<Median>, HashMap<&'a str, Median>) {
    let mut all = Vec::new();
    let mut by_topic: HashMap<&str, Vec<i64>> = HashMap::new();
    for r in requests {
        if let Some(d) = duration_to_done(r) {
            all.push(d);
            if let Some(t) = r.topic {
                by_topic.entry(t).or_default().push(d);
            }
        }
    }
    let by_topic = by_topic
        .into_iter()
        .filter_map(|(t, d)| Some((t, median(d)?)))
        .collect();
    (median(all), by_topic)
}

/// Seconds from hand-in to `erledigt`, if both times are known and in order (clocks of two
/// devices can disagree).
fn duration_to_done(r: &RequestFact) -> Option<i64> {
    if r.status != Status::Erledigt {
        return None;
    }
    let d = unix_seconds(r.closed_at?)? - unix_seconds(r.created_at?)?;
    (d >= 0).then_some(d)
}

fn median(mut durations: Vec<i64>) -> Option<Median> {
    if durations.is_empty() {
        return None;
    }
    durations.sort_unstable();
    let n = durations.len();
    let seconds = if n % 2 == 1 {
        durations[n / 2]
    } else {
        (durations[n / 2 - 1] + durations[n / 2]).div_euclid(2)
    };
    Some(Median { seconds, count: n })
}

/// A duration as people say it: "40 Minuten", "5 Stunden", "3,5 Tage" (rounded; days from
/// two days on, so that a day and a half still reads in hours).
pub fn duration_de(seconds: i64) -> String {
    let seconds = seconds.max(0);
    // Rounded first, then the unit chosen, so that 59 min 45 s reads "1 Stunde".
    let minutes = ((seconds + 30) / 60).max(1);
    if minutes < 60 {
        return if minutes == 1 {
            "1 Minute".into()
        } else {
            format!("{minutes} Minuten")
        };
    }
    let hours = (seconds + 1_800) / 3_600;
    if hours < 48 {
        return if hours == 1 {
            "1 Stunde".into()
        } else {
            format!("{hours} Stunden")
        };
    }
    let tenths = (seconds * 10 + 43_200) / 86_400;
    if tenths % 10 == 0 {
        format!("{} Tage", tenths / 10)
    } else {
        format!("{},{} Tage", tenths / 10, tenths % 10)
    }
}

/// One line of the evaluation: a topic's demand, coverage and median time to `erledigt`.
#[derive(Clone, Debug, PartialEq)]
pub struct EvaluationLine {
    pub name: String,
    pub demand: TopicDemand,
    /// Median seconds from hand-in to `erledigt`, if any request of the topic has both times.
    pub median: Option<i64>,
}

/// The figures of `/buero/auswertung`: every topic, most needed first, and the totals.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub lines: Vec<EvaluationLine>,
    /// Departments with at least one active Lotse.
    pub departments: usize,
    pub requests: usize,
    pub open: usize,
    pub median: Option<Median>,
}

impl Evaluation {
    /// Over `topics` (id and name, in the order ties are ranked in), the Lotsen and the
    /// requests.
    pub fn build<'a>(
        topics: &[(&'a str, &'a str)],
        lotsen: impl IntoIterator<Item = &'a crate::model::Lotse> + Clone,
        requests: &[RequestFact<'a>],
    ) -> Evaluation {
        let coverage = Coverage::compute(topics.iter().map(|(id, _)| *id), lotsen);
        let names: HashMap<&str, &str> = topics.iter().copied().collect();
        let (median, by_topic) = medians_to_done(requests);
        let lines = rank(requests, &coverage)
            .into_iter()
            .map(|demand| EvaluationLine {
                name: names
                    .get(demand.topic.as_str())
                    .map_or_else(|| demand.topic.clone(), |n| (*n).to_owned()),
                median: by_topic.get(demand.topic.as_str()).map(|m| m.seconds),
                demand,
            })
            .collect();
        Evaluation {
            lines,
            departments: coverage.departments.len(),
            requests: requests.len(),
            open: requests.iter().filter(|r| is_open(r.status)).count(),
            median,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Level, Lotse, Skill};
    use crate::time::{months_until, utc_stamp};
    use proptest::prelude::*;

    fn fact(topic: &str, kind: Kind, status: Status) -> RequestFact<'_> {
        RequestFact {
            topic: Some(topic),
            kind,
            status,
            created_at: None,
            closed_at: None,
        }
    }

    fn helper(department: &str, topic: &str) -> Lotse {
        Lotse {
            department: department.into(),
            active: true,
            skills: vec![Skill {
                topic: topic.into(),
                level: Level::HELPS,
            }],
            ..Lotse::default()
        }
    }

    #[test]
    fn asked_for_and_uncovered_comes_first() {
        let lotsen = [
            helper("Bauamt", "teams"),
            helper("Bauamt", "teams"),
            helper("Kämmerei", "teams"),
            helper("Kämmerei", "teams"),
            helper("Bauamt", "ozg"),
        ];
        let c = Coverage::compute(["teams", "dms", "ozg", "ki"], lotsen.iter());
        let requests = [
            fact("dms", Kind::Frage, Status::Neu),
            fact("dms", Kind::Problem, Status::Erledigt),
            fact("dms", Kind::Wunsch, Status::InBearbeitung),
            fact("teams", Kind::Frage, Status::Neu),
            fact("teams", Kind::Frage, Status::Neu),
            fact("teams", Kind::Frage, Status::Neu),
            fact("ozg", Kind::Frage, Status::Erledigt),
            fact("unbekannt", Kind::Frage, Status::Neu),
            RequestFact {
                topic: None,
                ..fact("", Kind::Anregung, Status::Neu)
            },
        ];
        let ranked = rank(&requests, &c);
        let order: Vec<&str> = ranked.iter().map(|l| l.topic.as_str()).collect();
        // dms: (1+3+2)×3/1 = 18; ozg: (1+1+0)×3/2 = 3 and ki: 1×3/1 = 3, ozg first for its
        // request; teams: (1+3+3)×1/5 = 1.4.
        assert_eq!(order, ["dms", "ozg", "ki", "teams"]);
        let dms = &ranked[0];
        assert_eq!((dms.requests, dms.open), (3, 2));
        assert_eq!(dms.by_kind, [1, 1, 0, 1]);
        assert_eq!((dms.gap_departments, dms.helpers), (2, 0));
        assert_eq!(dms.score, 18.0);
        assert_eq!(ranked[1].score, ranked[2].score);
    }

    #[test]
    fn requests_per_month_and_kind() {
        let months = months_until("2026-11", 3);
        let at = |t: &'static str, kind: Kind, topic: &'static str| RequestFact {
            created_at: Some(t),
            ..fact(topic, kind, Status::Neu)
        };
        let requests = [
            at("2026-11-02T08:00:00Z", Kind::Frage, "a"),
            at("2026-11-03T08:00:00Z", Kind::Frage, "b"),
            at("2026-10-03T08:00:00Z", Kind::Problem, "a"),
            at("2026-06-03T08:00:00Z", Kind::Problem, "a"),
            fact("a", Kind::Wunsch, Status::Neu),
        ];
        let all = per_month(&requests, &months, None);
        assert_eq!(
            all.iter().map(MonthCount::total).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        assert_eq!(all[2].by_kind, [2, 0, 0, 0]);
        assert_eq!(all[1].by_kind, [0, 0, 0, 1]);
        let a = per_month(&requests, &months, Some("a"));
        assert_eq!(
            a.iter().map(MonthCount::total).collect::<Vec<_>>(),
            vec![0, 1, 1]
        );
    }

    #[test]
    fn the_evaluation_names_ranks_and_counts() {
        let topics = [("dms", "DMS/E-Akte"), ("teams", "Teams")];
        let eva = helper("Bauamt", "teams");
        let mut done = fact("dms", Kind::Frage, Status::Erledigt);
        done.created_at = Some("2026-11-02T08:00:00Z");
        done.closed_at = Some("2026-11-02T10:00:00Z");
        let requests = [
            done,
            fact("dms", Kind::Frage, Status::Neu),
            fact("teams", Kind::Frage, Status::Neu),
            fact("gone", Kind::Frage, Status::Neu),
        ];
        let e = Evaluation::build(&topics, [&eva], &requests);
        assert_eq!((e.requests, e.open, e.departments), (4, 3, 1));
        assert_eq!(e.median.map(|m| (m.seconds, m.count)), Some((7_200, 1)));
        let lines: Vec<(&str, usize, Option<i64>)> = e
            .lines
            .iter()
            .map(|l| (l.name.as_str(), l.demand.requests, l.median))
            .collect();
        assert_eq!(lines, [("DMS/E-Akte", 2, Some(7_200)), ("Teams", 1, None)]);
    }

    #[test]
    fn durations_in_words() {
        assert_eq!(duration_de(0), "1 Minute");
        assert_eq!(duration_de(40 * 60), "40 Minuten");
        assert_eq!(duration_de(3_600), "1 Stunde");
        assert_eq!(duration_de(5 * 3_600 + 1_700), "5 Stunden");
        assert_eq!(duration_de(36 * 3_600), "36 Stunden");
        assert_eq!(duration_de(2 * 86_400), "2 Tage");
        assert_eq!(duration_de(3 * 86_400 + 12 * 3_600), "3,5 Tage");
        // At the edges the rounded value picks the unit.
        assert_eq!(duration_de(59 * 60 + 45), "1 Stunde");
        assert_eq!(duration_de(47 * 3_600 + 50 * 60), "2 Tage");
    }

    #[test]
    fn median_time_to_done() {
        let done = |c: &'static str, d: &'static str| RequestFact {
            created_at: Some(c),
            closed_at: Some(d),
            ..fact("dms", Kind::Frage, Status::Erledigt)
        };
        let one_hour = done("2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
        let three_days = done("2026-01-01T10:00:00Z", "2026-01-04T10:00:00Z");
        let two_hours = done("2026-01-31T23:00:00Z", "2026-02-01T01:00:00Z");
        let rejected = RequestFact {
            status: Status::Abgelehnt,
            ..done("2026-01-01T10:00:00Z", "2027-01-01T10:00:00Z")
        };
        let unknown = RequestFact {
            created_at: None,
            ..one_hour
        };
        let backwards = done("2026-01-02T10:00:00Z", "2026-01-01T10:00:00Z");
        let median = |r: &[RequestFact]| median_to_done(r).map(|m| (m.seconds, m.count));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[rejected, unknown, backwards]), None);
        assert_eq!(
            median(&[three_days, one_hour, two_hours, rejected, backwards]),
            Some((7_200, 3))
        );
        assert_eq!(
            median(&[three_days, one_hour]),
            Some(((3_600 + 3 * 86_400) / 2, 2))
        );
    }

    proptest! {
        /// More demand never lowers a score; more helpers never raise it.
        #[test]
        fn score_is_monotonic(r in 0usize..500, o in 0usize..500, g in 0usize..50, h in 0usize..100) {
            let o = o.min(r);
            prop_assert!(score(r + 1, o, g, h) >= score(r, o, g, h));
            prop_assert!(score(r + 1, o + 1, g, h) >= score(r, o, g, h));
            prop_assert!(score(r, o, g + 1, h) >= score(r, o, g, h));
            prop_assert!(score(r, o, g, h + 1) <= score(r, o, g, h));
        }

        /// The ranking is sorted and counts every request on a known topic exactly once.
        #[test]
        fn ranking_counts_every_request(picks in prop::collection::vec((0usize..5, 0usize..4, 0usize..5), 0..60)) {
            let topics = ["a", "b", "c", "d"];
            let c = Coverage::compute(topics, std::iter::empty());
            let requests: Vec<RequestFact> = picks
                .iter()
                .map(|&(t, k, s)| fact(["a", "b", "c", "d", "x"][t], Kind::ALL[k], Status::ALL[s]))
                .collect();
            let ranked = rank(&requests, &c);
            prop_assert_eq!(ranked.len(), 4);
            let known = picks.iter().filter(|p| p.0 < 4).count();
            prop_assert_eq!(ranked.iter().map(|l| l.requests).sum::<usize>(), known);
            for l in &ranked {
                prop_assert_eq!(l.by_kind.iter().sum::<usize>(), l.requests);
            }
            prop_assert!(ranked.windows(2).all(|w| w[0].score >= w[1].score));
        }

        /// Each topic's median and the overall one, taken in one pass, are what
        /// `median_to_done` gives over the same requests.
        #[test]
        fn medians_in_one_pass_agree(picks in prop::collection::vec(
            (0usize..4, 0usize..5, 0i64..2_000_000_000, -100_000i64..10_000_000, any::<bool>()), 0..60)
        ) {
            let stamp = utc_stamp;
            let times: Vec<(String, String)> =
                picks.iter().map(|p| (stamp(p.2), stamp((p.2 + p.3).max(0)))).collect();
            let topics = ["a", "b", "c"];
            let requests: Vec<RequestFact> = picks
                .iter()
                .zip(&times)
                .map(|(p, (created, closed))| RequestFact {
                    topic: topics.get(p.0).copied(),
                    kind: Kind::ALL[0],
                    status: Status::ALL[p.1],
                    created_at: Some(created),
                    closed_at: p.4.then_some(closed.as_str()),
                })
                .collect();
            let (all, by_topic) = medians_to_done(&requests);
            prop_assert_eq!(all, median_to_done(&requests));
            for t in topics {
                let own: Vec<RequestFact> =
                    requests.iter().filter(|r| r.topic == Some(t)).copied().collect();
                prop_assert_eq!(by_topic.get(t).copied(), median_to_done(&own));
            }
        }

    }
}
