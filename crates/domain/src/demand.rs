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

/// Seconds since 1970 of a UTC timestamp `YYYY-MM-DDThh:mm:ssZ` (as the server writes them).
pub fn unix_seconds(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 20 || b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let (y, m, d, hh, mm) = crate::validate::datetime_parts(&b[..16])?;
    let ss = crate::validate::number(&b[17..19])?;
    if ss > 60 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3_600 + mm * 60 + ss)
}

/// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day number of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The month (`YYYY-MM`) a UTC timestamp falls in on a clock in Soest: summer time (UTC+2)
/// from the last Sunday of March to the last Sunday of October, both at 01:00 UTC, else UTC+1.
/// A request handed in at 00:30 on the 1st counts for the new month, as its writer saw it.
pub fn local_month(utc: &str) -> Option<String> {
    let t = unix_seconds(utc)?;
    let year = civil_from_days(t.div_euclid(86_400)).0;
    // 1970-01-01 was a Thursday; day 3 after it (a Sunday) has (days - 3) % 7 == 0.
    let last_sunday = |month: i64| {
        let last = days_from_civil(year, month + 1, 1) - 1;
        last - (last - 3).rem_euclid(7)
    };
    let summer = (last_sunday(3) * 86_400 + 3_600)..(last_sunday(10) * 86_400 + 3_600);
    let offset = if summer.contains(&t) { 7_200 } else { 3_600 };
    let (y, m, _) = civil_from_days((t + offset).div_euclid(86_400));
    Some(format!("{y:04}-{m:02}"))
}

/// The `count` months ending with `last` (`YYYY-MM`), oldest first.
pub fn months_until(last: &str, count: usize) -> Vec<String> {
    let (Some(y), Some(m)) = (
        last.get(0..4).and_then(|y| y.parse::<i64>().ok()),
        last.get(5..7).and_then(|m| m.parse::<i64>().ok()),
    ) else {
        return Vec::new();
    };
    let end = y * 12 + (m - 1);
    (0..count as i64)
        .rev()
        .map(|back| {
            let n = end - back;
            format!("{:04}-{:02}", n.div_euclid(12), n.rem_euclid(12) + 1)
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Level, Lotse, Skill};
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
    fn timestamps() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_seconds("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(unix_seconds("2026-05-09T07:30:05Z"), Some(1_778_311_805));
        assert_eq!(unix_seconds("2026-05-09T07:30Z"), None);
        assert_eq!(unix_seconds("2026-05-09 07:30:05Z"), None);
    }

    #[test]
    fn months_follow_the_clock_in_soest() {
        // Winter: UTC+1, so 23:30 UTC on the last day is already the next month.
        assert_eq!(
            local_month("2026-11-30T23:30:00Z").as_deref(),
            Some("2026-12")
        );
        assert_eq!(
            local_month("2026-11-30T22:59:59Z").as_deref(),
            Some("2026-11")
        );
        // Summer: UTC+2.
        assert_eq!(
            local_month("2026-06-30T22:00:00Z").as_deref(),
            Some("2026-07")
        );
        assert_eq!(
            local_month("2026-06-30T21:59:59Z").as_deref(),
            Some("2026-06")
        );
        // New year's eve in winter.
        assert_eq!(
            local_month("2026-12-31T23:00:00Z").as_deref(),
            Some("2027-01")
        );
        // Summer time 2026 runs from 29 March 01:00 UTC to 25 October 01:00 UTC; 31 March 22:30
        // UTC is 1 April 00:30 in Soest, while 31 October 23:30 UTC is 1 November 00:30.
        assert_eq!(
            local_month("2026-03-31T22:30:00Z").as_deref(),
            Some("2026-04")
        );
        assert_eq!(
            local_month("2026-10-31T23:30:00Z").as_deref(),
            Some("2026-11")
        );
        assert_eq!(
            local_month("2026-10-31T22:30:00Z").as_deref(),
            Some("2026-10")
        );
        assert_eq!(local_month("kaputt"), None);
    }

    #[test]
    fn months_run_back_over_the_year() {
        assert_eq!(
            months_until("2027-02", 4),
            vec!["2026-11", "2026-12", "2027-01", "2027-02"]
        );
        assert!(months_until("x", 3).is_empty());
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
            let stamp = |t: i64| {
                let (y, m, d) = civil_from_days(t.div_euclid(86_400));
                let s = t.rem_euclid(86_400);
                format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
            };
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

        /// Any text, whatever its characters, is a time or None; never a panic (the server
        /// checks `closed_at` of what clients send with it).
        #[test]
        fn any_text_is_read_without_panic(s in "\\PC{0,24}", cut in 0usize..19) {
            let _ = unix_seconds(&s);
            let _ = crate::validate::is_date(&s);
            let _ = crate::validate::is_local_datetime(&s);
            // A real stamp's length in bytes, with a character of two bytes anywhere in it.
            let mut stamp = String::from("2025-01-01T10:00:00Z");
            stamp.replace_range(cut..cut + 2, "ü");
            prop_assert_eq!(unix_seconds(&stamp), None);
        }

        #[test]
        fn days_round_trip(days in -1_000_000i64..1_000_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert_eq!(days_from_civil(y, m, d), days);
            prop_assert!((1..=12).contains(&m) && (1..=31).contains(&d));
        }

        #[test]
        fn local_month_is_utc_month_or_the_next(t in 0i64..4_000_000_000) {
            let (y, m, d) = civil_from_days(t.div_euclid(86_400));
            let s = t.rem_euclid(86_400);
            let utc = format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60);
            let local = local_month(&utc).unwrap();
            let next = months_until(&format!("{y:04}-{m:02}"), 1)[0].clone();
            let after = {
                let n = y * 12 + m;
                format!("{:04}-{:02}", n.div_euclid(12), n.rem_euclid(12) + 1)
            };
            prop_assert!(local == next || (local == after && s >= 22 * 3600), "{} -> {}", utc, local);
        }

        #[test]
        fn timestamps_order_like_text(a in 0i64..4_000_000_000, b in 0i64..4_000_000_000) {
            let fmt = |t: i64| {
                let days = t.div_euclid(86_400);
                let secs = t.rem_euclid(86_400);
                // Civil from days (Hinnant), only to build inputs.
                let z = days + 719_468;
                let era = z.div_euclid(146_097);
                let doe = z - era * 146_097;
                let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
                let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
                let mp = (5 * doy + 2) / 153;
                let d = doy - (153 * mp + 2) / 5 + 1;
                let m = if mp < 10 { mp + 3 } else { mp - 9 };
                let y = yoe + era * 400 + i64::from(m <= 2);
                format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
            };
            prop_assert_eq!(unix_seconds(&fmt(a)), Some(a));
            prop_assert_eq!(unix_seconds(&fmt(b)), Some(b));
        }
    }
}
