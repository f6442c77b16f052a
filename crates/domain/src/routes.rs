//! The app's addresses: how values are written into them, and which screens belong to which
//! part of the app. The public part (search, topics, Lotsen, requests, events, joining, the
//! info pages) is what a colleague's first visit loads; the screens of Lotsen and the
//! Projektbüro are a second build (`staff.html`) that the server sends for their paths and the
//! service worker keeps for offline use.

use std::fmt::Write;

/// The paths of the screens of Lotsen and the Projektbüro: these and everything below them.
pub const STAFF_PATHS: [&str; 4] = ["/anmelden", "/arbeitsplatz", "/profil", "/buero"];

/// Percent-encodes `s` as JavaScript's `encodeURIComponent` does: everything but
/// `A–Z a–z 0–9 - _ . ! ~ * ' ( )`, byte by byte of its UTF-8.
pub fn encode_uri_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Whether `path` (without query) is a screen of Lotsen or the Projektbüro.
pub fn is_staff_path(path: &str) -> bool {
    STAFF_PATHS.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_encode_uri_component() {
        assert_eq!(encode_uri_component("a b/c?d=e&f"), "a%20b%2Fc%3Fd%3De%26f");
        assert_eq!(
            encode_uri_component("Müller (DMS)!"),
            "M%C3%BCller%20(DMS)!"
        );
        assert_eq!(encode_uri_component("-_.!~*'()"), "-_.!~*'()");
    }

    #[test]
    fn staff_paths_and_only_those() {
        for p in [
            "/anmelden",
            "/arbeitsplatz",
            "/arbeitsplatz/7c1e",
            "/profil",
            "/buero",
            "/buero/matrix",
            "/buero/lotsen/",
        ] {
            assert!(is_staff_path(p), "{p}");
        }
        for p in [
            "/",
            "/suche",
            "/themen/buero",
            "/bueros",
            "/profile",
            "/anliegen",
            "/anmeldenx",
            "",
        ] {
            assert!(!is_staff_path(p), "{p}");
        }
    }
}
