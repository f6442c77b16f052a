//! Dates and times as the records hold them: `YYYY-MM-DD`, local `YYYY-MM-DDThh:mm` (Soest)
//! and UTC `YYYY-MM-DDThh:mm:ssZ` (the server's). Read byte by byte, without allocating: the
//! evaluation reads every request's times on each change, and the server checks what clients
//! send. One module, so that validation, statistics, coverage and calendar files need no
//! import of each other.

/// `YYYY-MM-DD` with a plausible month and day.
pub fn is_date(s: &str) -> bool {
    date_parts(s.as_bytes()).is_some()
}

/// `YYYY-MM-DDThh:mm`, local time in Soest.
pub fn is_local_datetime(s: &str) -> bool {
    datetime_parts(s.as_bytes()).is_some()
}

/// The number written in `b`, if it is all ASCII digits (at most 4 of them here).
pub(crate) fn number(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
}

/// (year, month, day) of `YYYY-MM-DD` with a plausible month and day. Byte by byte, without
/// allocating: the evaluation reads every request's times on each change.
pub(crate) fn date_parts(b: &[u8]) -> Option<(i64, i64, i64)> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (number(&b[0..4])?, number(&b[5..7])?, number(&b[8..10])?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then_some((y, m, d))
}

/// (year, month, day, hour, minute) of `YYYY-MM-DDThh:mm`.
pub(crate) fn datetime_parts(b: &[u8]) -> Option<(i64, i64, i64, i64, i64)> {
    if b.len() != 16 || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    let (y, m, d) = date_parts(&b[..10])?;
    let (hh, mm) = (number(&b[11..13])?, number(&b[14..16])?);
    (hh < 24 && mm < 60).then_some((y, m, d, hh, mm))
}

/// Seconds since 1970 of a UTC timestamp `YYYY-MM-DDThh:mm:ssZ` (as the server writes them).
pub fn unix_seconds(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 20 || b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let (y, m, d, hh, mm) = datetime_parts(&b[..16])?;
    let ss = number(&b[17..19])?;
    if ss > 60 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400 + hh * 3_600 + mm * 60 + ss)
}

/// The UTC timestamp `YYYY-MM-DDThh:mm:ssZ` of `seconds` since 1970: the inverse of
/// [`unix_seconds`], and the fixed-width form the server writes (text order is time order).
pub fn utc_stamp(seconds: i64) -> String {
    let (y, m, d) = civil_from_days(seconds.div_euclid(86_400));
    let s = seconds.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day number of [`days_from_civil`].
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
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
    // Soest is one or two hours ahead of UTC, so before the 28th the local date is still in the
    // UTC month: the month is read off the stamp (the evaluation does this for every request).
    if utc
        .get(8..10)
        .and_then(|d| d.parse::<u8>().ok())
        .is_some_and(|d| d < 28)
    {
        return utc.get(0..7).map(str::to_owned);
    }
    Some(local_month_of(t))
}

/// Seconds Soest's clock is ahead of UTC at Unix time `t`: summer time (UTC+2) from the last
/// Sunday of March to the last Sunday of October, both at 01:00 UTC, else UTC+1.
fn soest_offset(t: i64) -> i64 {
    let year = civil_from_days(t.div_euclid(86_400)).0;
    // 1970-01-01 was a Thursday; day 3 after it (a Sunday) has (days - 3) % 7 == 0.
    let last_sunday = |month: i64| {
        let last = days_from_civil(year, month + 1, 1) - 1;
        last - (last - 3).rem_euclid(7)
    };
    let summer = (last_sunday(3) * 86_400 + 3_600)..(last_sunday(10) * 86_400 + 3_600);
    if summer.contains(&t) {
        7_200
    } else {
        3_600
    }
}

/// [`local_month`] of Unix seconds, with the summer-time rule.
fn local_month_of(t: i64) -> String {
    let (y, m, _) = civil_from_days((t + soest_offset(t)).div_euclid(86_400));
    format!("{y:04}-{m:02}")
}

/// A moment on a clock in Soest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoestTime {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub hour: u8,
    /// Monday is 0, Sunday 6.
    pub weekday: u8,
}

/// What a clock in Soest shows at Unix time `t`.
pub fn soest_time(t: i64) -> SoestTime {
    let local = t + soest_offset(t);
    let days = local.div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    SoestTime {
        date: format!("{y:04}-{m:02}-{d:02}"),
        hour: u8::try_from(local.rem_euclid(86_400) / 3_600).unwrap_or(0),
        // 1970-01-01 was a Thursday (3 with Monday as 0).
        weekday: u8::try_from((days + 3).rem_euclid(7)).unwrap_or(0),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    proptest! {
        /// Any text, whatever its characters, is a time or None; never a panic (the server
        /// checks `closed_at` of what clients send with it).
        #[test]
        fn any_text_is_read_without_panic(s in "\\PC{0,24}", cut in 0usize..19) {
            let _ = unix_seconds(&s);
            let _ = is_date(&s);
            let _ = is_local_datetime(&s);
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
        fn reading_the_month_off_the_stamp_agrees_with_the_summer_time_rule(t in 0i64..4_000_000_000) {
            prop_assert_eq!(local_month(&utc_stamp(t)), Some(local_month_of(t)));
        }

        #[test]
        fn local_month_is_utc_month_or_the_next(t in 0i64..4_000_000_000) {
            let (y, m, _) = civil_from_days(t.div_euclid(86_400));
            let s = t.rem_euclid(86_400);
            let utc = utc_stamp(t);
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
            // A round trip of both, and their texts order as their times do.
            prop_assert_eq!(unix_seconds(&utc_stamp(a)), Some(a));
            prop_assert_eq!(unix_seconds(&utc_stamp(b)), Some(b));
            prop_assert_eq!(utc_stamp(a).cmp(&utc_stamp(b)), a.cmp(&b));
        }
    }
}
