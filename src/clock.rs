//! Time on the device: now in the server's UTC format and on the local clock, and dates and
//! times written the German way. Everything that reads `js_sys::Date` lives here.

use js_sys::Date;
use wasm_bindgen::JsCast;

/// Now in UTC, in the server's format (`2026-11-29T08:15:00Z`).
pub fn now_utc() -> String {
    let d = Date::new_0();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        d.get_utc_full_year(),
        d.get_utc_month() + 1,
        d.get_utc_date(),
        d.get_utc_hours(),
        d.get_utc_minutes(),
        d.get_utc_seconds()
    )
}

/// Now as `YYYY-MM-DDThh:mm` in local time, comparable with event times.
pub fn now_local() -> String {
    let d = Date::new_0();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// Today as `YYYY-MM-DD` in local time.
pub fn today() -> String {
    now_local()[..10].to_owned()
}

/// This month as `YYYY-MM` in local time.
pub fn this_month() -> String {
    now_local()[..7].to_owned()
}

/// A moment (ms since 1970) as local "14:32" today, else "28.11.2026, 14:32".
pub fn format_time(ms: f64) -> String {
    let d = Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    let today = Date::new_0();
    let time = format!("{:02}:{:02}", d.get_hours(), d.get_minutes());
    if d.to_date_string() == today.to_date_string() {
        time
    } else {
        format!(
            "{}.{}.{}, {time}",
            d.get_date(),
            d.get_month() + 1,
            d.get_full_year()
        )
    }
}

/// The server's UTC time (`2026-11-28T13:32:00Z`) as [`format_time`] writes it; unreadable
/// text stays as it is.
pub fn at_local(utc: &str) -> String {
    let ms = Date::parse(utc);
    if ms.is_nan() {
        return utc.to_owned();
    }
    format_time(ms)
}

/// "28.11.2026" from "2026-11-28" (or from a longer timestamp starting so).
pub fn german_date(iso: &str) -> String {
    let date = iso.get(..10).unwrap_or(iso);
    let mut parts = date.splitn(3, '-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) => format!("{d}.{m}.{y}"),
        _ => iso.to_owned(),
    }
}

/// "2026-12-01T09:00" → "1.12.2026, 09:00 Uhr".
pub fn format_local(s: &str) -> String {
    let Some((date, time)) = s.split_once('T') else {
        return s.to_owned();
    };
    let p: Vec<&str> = date.split('-').collect();
    match p.as_slice() {
        [y, m, d] => format!(
            "{}.{}.{y}, {time} Uhr",
            d.trim_start_matches('0'),
            m.trim_start_matches('0')
        ),
        _ => s.to_owned(),
    }
}

/// Waits `ms` milliseconds (0: until the browser has had its turn).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w
                .set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
