//! Which screens belong to which part of the app. The public part (search, topics, Lotsen,
//! requests, events, joining, the info pages) is what a colleague's first visit loads; the
//! screens of Lotsen and the Projektbüro are a second build (`staff.html`) that the server sends
//! for their paths and the service worker keeps for offline use.

/// The paths of the screens of Lotsen and the Projektbüro: these and everything below them.
pub const STAFF_PATHS: [&str; 4] = ["/anmelden", "/arbeitsplatz", "/profil", "/buero"];

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
