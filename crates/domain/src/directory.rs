//! Sign-in through the city's directory (LDAP / Active Directory): the rules that need no
//! network. Which role the groups give, and what the directory's entry makes of the Lotse's
//! profile. The server asks the directory; what it found is decided here.

use serde_json::{Map, Value};

use crate::model::MAX_TEXT;
use crate::validate::is_email;

/// The role a directory user gets in the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectoryRole {
    Buero,
    Lotse,
}

impl DirectoryRole {
    /// The account role of the same meaning (`accounts.role`).
    pub fn as_str(self) -> &'static str {
        match self {
            DirectoryRole::Buero => "buero",
            DirectoryRole::Lotse => "lotse",
        }
    }
}

/// A distinguished name compared as directories do: case and the spaces around `,` and `=`
/// do not count (`CN=Lotsen, OU=Gruppen` is `cn=lotsen,ou=gruppen`).
pub fn dn_key(dn: &str) -> String {
    let mut out = String::with_capacity(dn.len());
    let mut chars = dn.trim().chars().peekable();
    let mut escaped = false;
    while let Some(c) = chars.next() {
        if escaped {
            out.extend(c.to_lowercase());
            escaped = false;
            continue;
        }
        match c {
            '\\' => {
                out.push(c);
                escaped = true;
            }
            ',' | '=' => {
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push(c);
                while chars.peek() == Some(&' ') {
                    chars.next();
                }
            }
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The role that membership in `groups` (DNs, nested ones included) gives. The Projektbüro
/// wins over the Lotsen; a group that is not configured gives nothing.
pub fn role_of(
    groups: &[String],
    lotse_group: Option<&str>,
    buero_group: Option<&str>,
) -> Option<DirectoryRole> {
    let keys: Vec<String> = groups.iter().map(|g| dn_key(g)).collect();
    let member = |group: Option<&str>| group.is_some_and(|g| keys.contains(&dn_key(g)));
    if member(buero_group) {
        Some(DirectoryRole::Buero)
    } else if member(lotse_group) {
        Some(DirectoryRole::Lotse)
    } else {
        None
    }
}

/// What the directory says about a person: the four fields it keeps for the app.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirectoryProfile {
    pub name: String,
    pub department: String,
    pub phone: String,
    pub email: String,
}

/// The department a new profile gets when the directory names none (a Lotse profile needs
/// one; the Lotse can change it in `/profil`).
pub const UNKNOWN_DEPARTMENT: &str = "Nicht angegeben";

/// The Lotse record's data after a login from the directory: `existing` with the directory's
/// name, department, phone and e-mail, or a new profile (active, no skills yet) when there is
/// none. `None` when nothing changes, so that an unchanged login writes no new version.
///
/// A value the app would refuse (too long, an e-mail that is none) or an empty one is not taken:
/// the profile keeps what it had. Skills, availability and the rest stay the Lotse's own.
pub fn lotse_data(
    existing: Option<&Value>,
    profile: &DirectoryProfile,
    username: &str,
) -> Option<Value> {
    let usable = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s.chars().count() <= MAX_TEXT).then(|| s.to_owned())
    };
    let wanted = [
        ("name", usable(&profile.name)),
        ("department", usable(&profile.department)),
        ("phone", usable(&profile.phone)),
        ("email", usable(&profile.email).filter(|e| is_email(e))),
    ];
    let mut data = match existing {
        Some(Value::Object(o)) => o.clone(),
        _ => new_profile(username),
    };
    let mut changed = existing.is_none();
    for (field, value) in wanted {
        if let Some(value) = value {
            if data.get(field).and_then(Value::as_str) != Some(value.as_str()) {
                data.insert(field.to_owned(), Value::String(value));
                changed = true;
            }
        }
    }
    changed.then_some(Value::Object(data))
}

fn new_profile(username: &str) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("name".into(), Value::String(username.to_owned()));
    data.insert(
        "department".into(),
        Value::String(UNKNOWN_DEPARTMENT.to_owned()),
    );
    data.insert("phone".into(), Value::String(String::new()));
    data.insert("email".into(), Value::String(String::new()));
    data.insert("location".into(), Value::String(String::new()));
    data.insert("availability".into(), Value::String(String::new()));
    data.insert("skills".into(), Value::Array(Vec::new()));
    data.insert("learning".into(), Value::Array(Vec::new()));
    data.insert("active".into(), Value::Bool(true));
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{validate_all, Refs};
    use serde_json::json;
    use std::convert::Infallible;

    const LOTSEN: &str = "cn=Lotsen,ou=Gruppen,dc=soest,dc=example";
    const BUERO: &str = "cn=Projektbuero,ou=Gruppen,dc=soest,dc=example";

    fn groups(g: &[&str]) -> Vec<String> {
        g.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn dns_compare_without_case_and_spaces() {
        assert_eq!(
            dn_key(" CN=Lotsen, OU = Gruppen,DC=soest , dc=example "),
            "cn=lotsen,ou=gruppen,dc=soest,dc=example"
        );
        // An escaped comma is part of the value, not a separator.
        assert_eq!(dn_key(r"CN=Müller\, Jörg ,OU=X"), r"cn=müller\, jörg,ou=x");
    }

    #[test]
    fn the_buero_wins_and_strangers_get_nothing() {
        let lotse = |g: &[&str]| role_of(&groups(g), Some(LOTSEN), Some(BUERO));
        assert_eq!(lotse(&[LOTSEN]), Some(DirectoryRole::Lotse));
        assert_eq!(lotse(&[BUERO]), Some(DirectoryRole::Buero));
        assert_eq!(lotse(&[LOTSEN, BUERO]), Some(DirectoryRole::Buero));
        assert_eq!(
            lotse(&["CN=LOTSEN, OU=Gruppen, DC=Soest, DC=Example"]),
            Some(DirectoryRole::Lotse)
        );
        assert_eq!(lotse(&["cn=Alle,dc=soest,dc=example"]), None);
        assert_eq!(lotse(&[]), None);
        // A group that is not configured gives no role, however the user's groups look.
        assert_eq!(role_of(&groups(&[BUERO]), Some(LOTSEN), None), None);
        assert_eq!(role_of(&groups(&[""]), None, None), None);
    }

    fn profile() -> DirectoryProfile {
        DirectoryProfile {
            name: "Anna Becker".into(),
            department: "Bürgerbüro".into(),
            phone: "02921 103-1234".into(),
            email: "anna.becker@soest.example".into(),
        }
    }

    struct NoTopics;
    impl Refs for NoTopics {
        type Error = Infallible;
        fn topic_exists(&self, _: &str) -> Result<bool, Infallible> {
            Ok(false)
        }
        fn lotse_exists(&self, _: &str) -> Result<bool, Infallible> {
            Ok(false)
        }
        fn lotse_active(&self, _: &str) -> Result<bool, Infallible> {
            Ok(false)
        }
        fn request_exists(&self, _: &str) -> Result<bool, Infallible> {
            Ok(false)
        }
        fn slug_taken(&self, _: &str, _: &str) -> Result<bool, Infallible> {
            Ok(false)
        }
    }

    fn valid(data: &Value) -> bool {
        matches!(
            validate_all(crate::Collection::Lotsen, "l-1", data, &NoTopics),
            Ok(Ok(_))
        )
    }

    #[test]
    fn a_first_login_makes_a_valid_profile_from_the_directory() {
        let data = lotse_data(None, &profile(), "abecker").expect("a new profile");
        assert_eq!(data["name"], "Anna Becker");
        assert_eq!(data["department"], "Bürgerbüro");
        assert_eq!(data["phone"], "02921 103-1234");
        assert_eq!(data["email"], "anna.becker@soest.example");
        assert_eq!(data["skills"], json!([]));
        assert_eq!(data["active"], true);
        assert!(valid(&data), "{data}");
    }

    #[test]
    fn a_directory_without_name_or_department_still_gives_a_valid_profile() {
        let data = lotse_data(None, &DirectoryProfile::default(), "abecker").expect("new");
        assert_eq!(data["name"], "abecker");
        assert_eq!(data["department"], UNKNOWN_DEPARTMENT);
        assert!(valid(&data), "{data}");
    }

    #[test]
    fn a_later_login_changes_only_the_four_fields_and_only_when_they_differ() {
        let existing = json!({
            "name": "Anna Becker", "department": "Bürgerbüro", "phone": "02921 103-1234",
            "email": "anna.becker@soest.example", "location": "Raum 12",
            "availability": "Mo–Do", "skills": [{"topic": "t-dms", "level": 3}],
            "learning": [], "active": true,
        });
        assert_eq!(lotse_data(Some(&existing), &profile(), "abecker"), None);
        let moved = DirectoryProfile {
            phone: "02921 103-9999".into(),
            ..profile()
        };
        let data = lotse_data(Some(&existing), &moved, "abecker").expect("changed");
        assert_eq!(data["phone"], "02921 103-9999");
        assert_eq!(data["skills"], existing["skills"]);
        assert_eq!(data["location"], "Raum 12");
        assert_eq!(data["availability"], "Mo–Do");
    }

    #[test]
    fn values_the_app_would_refuse_are_not_taken() {
        let existing = json!({"name": "Anna Becker", "department": "Bürgerbüro",
            "phone": "1", "email": "anna.becker@soest.example"});
        let odd = DirectoryProfile {
            name: "  ".into(),
            department: "x".repeat(MAX_TEXT + 1),
            phone: String::new(),
            email: "keine Adresse".into(),
        };
        assert_eq!(lotse_data(Some(&existing), &odd, "abecker"), None);
    }
}
