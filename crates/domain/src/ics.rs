//! One event as an iCalendar file (RFC 5545) for "In den Kalender".
//!
//! Events store local wall-clock times in Soest (`YYYY-MM-DDThh:mm`, see `validate`). They are
//! written with `TZID=Europe/Berlin` and the matching `VTIMEZONE` (CET/CEST, EU rules since
//! 1996), not as floating times: a floating 09:00 would show at 09:00 in whatever zone the
//! reader's calendar is set to, and a colleague's laptop left on UTC would move the training by
//! an hour or two. The `VTIMEZONE` is included because RFC 5545 requires one for every `TZID`
//! used, and Outlook ignores times whose zone it cannot resolve.
//!
//! Text values are escaped (`\`, `;`, `,`, line breaks); lines are folded at 75 octets without
//! splitting a UTF-8 character; every line ends with CRLF.

/// The facts of one event the calendar file needs.
#[derive(Clone, Debug)]
pub struct CalendarEvent<'a> {
    /// Globally unique and stable across downloads, so that a second download updates the
    /// entry instead of adding a copy.
    pub uid: &'a str,
    /// Bumped on each change of the event (the record's version), for the same reason.
    pub sequence: u64,
    /// When this version was written, UTC `YYYY-MM-DDThh:mm:ssZ`.
    pub stamp: &'a str,
    pub starts_at: &'a str,
    pub ends_at: &'a str,
    pub title: &'a str,
    pub location: &'a str,
    pub description: &'a str,
}

const MAX_LINE: usize = 75;

const VTIMEZONE_BERLIN: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Berlin",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// `YYYY-MM-DDThh:mm` → `YYYYMMDDThhmm00`.
fn local_time(s: &str) -> Option<String> {
    if !crate::time::is_local_datetime(s) {
        return None;
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    Some(format!("{}T{}00", &digits[..8], &digits[8..12]))
}

/// `YYYY-MM-DDThh:mm:ssZ` → `YYYYMMDDThhmmssZ`.
fn utc_time(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let shaped = s.len() == 20 && s.ends_with('Z') && digits.len() == 14;
    (shaped && crate::time::is_local_datetime(&s[..16]))
        .then(|| format!("{}T{}Z", &digits[..8], &digits[8..14]))
}

/// Escapes a TEXT value (RFC 5545 §3.3.11). Line breaks of any style become `\n`; other
/// control characters are not allowed in TEXT and are dropped.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded into pieces of at most 75 octets, each continuation starting with a
/// space (which counts towards its 75).
fn push_folded(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > MAX_LINE {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// The calendar file, or None if a time is not in the stored format (validation keeps such
/// events out of the store).
pub fn calendar(e: &CalendarEvent) -> Option<String> {
    let start = local_time(e.starts_at)?;
    let end = local_time(e.ends_at)?;
    let stamp = utc_time(e.stamp)?;
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Stadt Soest//Lotsenfinder//DE".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
    ];
    lines.extend(VTIMEZONE_BERLIN.iter().map(|l| (*l).to_owned()));
    lines.extend([
        "BEGIN:VEVENT".into(),
        format!("UID:{}", escape_text(e.uid)),
        format!("SEQUENCE:{}", e.sequence),
        format!("DTSTAMP:{stamp}"),
        format!("DTSTART;TZID=Europe/Berlin:{start}"),
        format!("DTEND;TZID=Europe/Berlin:{end}"),
        format!("SUMMARY:{}", escape_text(e.title)),
    ]);
    if !e.location.trim().is_empty() {
        lines.push(format!("LOCATION:{}", escape_text(e.location)));
    }
    if !e.description.trim().is_empty() {
        lines.push(format!("DESCRIPTION:{}", escape_text(e.description)));
    }
    lines.extend(["END:VEVENT".into(), "END:VCALENDAR".into()]);
    let mut out = String::new();
    for l in &lines {
        push_folded(&mut out, l);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A content line as RFC 5545 defines it: name, parameters, value.
    #[derive(Debug)]
    struct Line {
        name: String,
        params: Vec<(String, String)>,
        value: String,
    }

    /// Unfolds and splits a calendar file, checking CRLF and the 75-octet limit on the way.
    fn parse(file: &str) -> Vec<Line> {
        assert!(file.ends_with("\r\n"));
        let physical: Vec<&str> = file[..file.len() - 2].split("\r\n").collect();
        let mut logical: Vec<String> = Vec::new();
        for p in physical {
            assert!(
                !p.contains('\n') && !p.contains('\r'),
                "bare line break in {p:?}"
            );
            assert!(p.len() <= MAX_LINE, "line of {} octets: {p:?}", p.len());
            match p.strip_prefix(' ') {
                Some(rest) => logical.last_mut().expect("fold at start").push_str(rest),
                None => logical.push(p.to_owned()),
            }
        }
        logical
            .into_iter()
            .map(|l| {
                let (head, value) = l.split_once(':').expect("a colon");
                let mut parts = head.split(';');
                let name = parts.next().unwrap_or_default().to_owned();
                let params = parts
                    .map(|p| {
                        let (k, v) = p.split_once('=').expect("param=value");
                        (k.to_owned(), v.to_owned())
                    })
                    .collect();
                Line {
                    name,
                    params,
                    value: value.to_owned(),
                }
            })
            .collect()
    }

    fn unescape(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n' | 'N') => out.push('\n'),
                    Some(c @ ('\\' | ';' | ',')) => out.push(c),
                    other => panic!("bad escape \\{other:?} in {s:?}"),
                }
            } else {
                assert!(c != ';' && c != ',', "unescaped {c:?} in {s:?}");
                out.push(c);
            }
        }
        out
    }

    /// The VEVENT's properties by name.
    fn vevent(lines: &[Line]) -> Vec<&Line> {
        let start = lines
            .iter()
            .position(|l| l.name == "BEGIN" && l.value == "VEVENT")
            .expect("VEVENT");
        let end = lines
            .iter()
            .position(|l| l.name == "END" && l.value == "VEVENT")
            .expect("END:VEVENT");
        lines[start + 1..end].iter().collect()
    }

    fn prop<'a>(lines: &[&'a Line], name: &str) -> &'a Line {
        lines
            .iter()
            .find(|l| l.name == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    }

    fn event<'a>(title: &'a str, location: &'a str, description: &'a str) -> CalendarEvent<'a> {
        CalendarEvent {
            uid: "0f8e-1@lotsenfinder",
            sequence: 3,
            stamp: "2026-05-09T07:30:05Z",
            starts_at: "2026-12-01T09:00",
            ends_at: "2026-12-01T12:30",
            title,
            location,
            description,
        }
    }

    #[test]
    fn fields_round_trip() {
        let description = "Bitte mitbringen: Laptop, Ladekabel; Zugangsdaten.\nRaum 1.\\2\r\nEnde";
        let file = calendar(&event(
            "DMS-Schulung: E-Akte für Einsteiger*innen, Teil 1",
            "Rathaus I, Großer Sitzungssaal",
            description,
        ))
        .unwrap();
        let lines = parse(&file);
        assert_eq!(lines[0].value, "VCALENDAR");
        assert_eq!(
            prop(&lines.iter().collect::<Vec<_>>(), "VERSION").value,
            "2.0"
        );
        let ev = vevent(&lines);
        assert_eq!(prop(&ev, "UID").value, "0f8e-1@lotsenfinder");
        assert_eq!(prop(&ev, "SEQUENCE").value, "3");
        assert_eq!(prop(&ev, "DTSTAMP").value, "20260509T073005Z");
        let start = prop(&ev, "DTSTART");
        assert_eq!(start.value, "20261201T090000");
        assert_eq!(start.params, [("TZID".into(), "Europe/Berlin".into())]);
        assert_eq!(prop(&ev, "DTEND").value, "20261201T123000");
        assert_eq!(
            unescape(&prop(&ev, "SUMMARY").value),
            "DMS-Schulung: E-Akte für Einsteiger*innen, Teil 1"
        );
        assert_eq!(
            unescape(&prop(&ev, "LOCATION").value),
            "Rathaus I, Großer Sitzungssaal"
        );
        assert_eq!(
            unescape(&prop(&ev, "DESCRIPTION").value),
            "Bitte mitbringen: Laptop, Ladekabel; Zugangsdaten.\nRaum 1.\\2\nEnde"
        );
        // The zone the times refer to is defined in the file.
        assert!(lines
            .iter()
            .any(|l| l.name == "TZID" && l.value == "Europe/Berlin"));
    }

    #[test]
    fn empty_location_and_description_are_left_out() {
        let lines = parse(&calendar(&event("Vortrag", " ", "")).unwrap());
        let ev = vevent(&lines);
        assert!(ev
            .iter()
            .all(|l| l.name != "LOCATION" && l.name != "DESCRIPTION"));
    }

    #[test]
    fn long_lines_fold_between_characters() {
        let title = "Ü".repeat(100);
        let file = calendar(&event(&title, "", "")).unwrap();
        let lines = parse(&file);
        assert_eq!(unescape(&prop(&vevent(&lines), "SUMMARY").value), title);
        assert!(file.lines().filter(|l| l.starts_with(' ')).count() >= 2);
    }

    #[test]
    fn bad_times_give_nothing() {
        let mut e = event("x", "", "");
        e.starts_at = "1.12.2026 9 Uhr";
        assert!(calendar(&e).is_none());
        let mut e = event("x", "", "");
        e.stamp = "2026-05-09";
        assert!(calendar(&e).is_none());
    }

    proptest! {
        #[test]
        fn any_text_round_trips(
            title in "\\PC{0,120}",
            location in "[a-zäöü ,;\\\\\n]{0,90}",
            description in "(\\PC|\r\n|\n|[,;\\\\]){0,300}",
        ) {
            let file = calendar(&event(&title, &location, &description)).unwrap();
            let lines = parse(&file);
            let ev = vevent(&lines);
            prop_assert_eq!(unescape(&prop(&ev, "SUMMARY").value), title.replace("\r\n", "\n"));
            if !location.trim().is_empty() {
                prop_assert_eq!(unescape(&prop(&ev, "LOCATION").value), location);
            }
            if !description.trim().is_empty() {
                prop_assert_eq!(
                    unescape(&prop(&ev, "DESCRIPTION").value),
                    description.replace("\r\n", "\n")
                );
            }
        }
    }
}
