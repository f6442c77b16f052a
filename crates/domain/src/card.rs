//! The Lotse card of the search results and topic pages as one piece of HTML.
//!
//! A page of results is twenty cards of about thirty elements each. Built element by element
//! from WebAssembly that is some two thousand calls into the browser, and at city scale a
//! keystroke that brings a new page of Lotsen spent most of its time there (60–120 ms); one
//! `innerHTML` per card is one call. Every text and attribute goes through [`escape`], so
//! nothing in a record can become markup.

use std::fmt::Write;

use crate::model::{Level, Lotse};
use crate::routes::encode_uri_component;

/// One matched or listed skill on a card: the topic and the level.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ShownSkill {
    pub topic_id: String,
    pub name: String,
    pub slug: String,
    pub level: Level,
}

/// `s` as HTML text or attribute value: `&`, `<`, `>`, `"` and `'` escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A `tel:` link of a phone number as people write it ("02921 103-1234" → "tel:029211031234").
pub fn tel_href(phone: &str) -> String {
    let digits: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    format!("tel:{digits}")
}

/// A `mailto:` link with a subject.
pub fn mailto_href(email: &str, subject: &str) -> String {
    format!("mailto:{email}?subject={}", encode_uri_component(subject))
}

/// The level as the cards show it: the label, with "Stufe n:" for screen readers.
pub fn level_badge(level: Level) -> String {
    format!(
        r#"<span class="level level-{n}"><span class="visually-hidden">Stufe {n}: </span>{label}</span>"#,
        n = level.get(),
        label = escape(level.label())
    )
}

/// The card of Lotse `id`: name (a heading of `heading_level`, 2 or 3, linking to the Lotse's
/// page), department, the skills shown, how to reach them, and "Anliegen senden" addressed to
/// them, prefilled with the first skill's topic.
pub fn lotse_card(id: &str, lotse: &Lotse, skills: &[ShownSkill], heading_level: u8) -> String {
    let h = if heading_level == 3 { 3 } else { 2 };
    let first = skills.first();
    let subject = match first {
        Some(s) => format!("Digitale Lotsen: Frage zu {}", s.name),
        None => "Digitale Lotsen: Frage".to_owned(),
    };
    // Addressed to this Lotse (`?lotse=`), with the first skill's topic.
    let lotse_param = format!("lotse={}", encode_uri_component(id));
    let request_href = match first {
        Some(s) => format!(
            "/anliegen/neu?{lotse_param}&thema={}",
            encode_uri_component(&s.slug)
        ),
        None => format!("/anliegen/neu?{lotse_param}"),
    };
    let mut html = String::with_capacity(1024);
    let _ = write!(
        html,
        r#"<article class="card lotse-card" data-testid="lotse-card"><h{h} class="card-title"><a href="/lotsen/{}">{}</a></h{h}><p class="department">{}</p><ul class="skills" aria-label="Themen">"#,
        escape(&encode_uri_component(id)),
        escape(&lotse.name),
        escape(&lotse.department),
    );
    for s in skills {
        let _ = write!(
            html,
            r#"<li><a href="/themen/{}">{}</a> {}</li>"#,
            escape(&encode_uri_component(&s.slug)),
            escape(&s.name),
            level_badge(s.level)
        );
    }
    html.push_str(r#"</ul><dl class="contact">"#);
    if !lotse.phone.is_empty() {
        let _ = write!(
            html,
            r#"<dt>Telefon</dt><dd><a href="{}">{}</a></dd>"#,
            escape(&tel_href(&lotse.phone)),
            escape(&lotse.phone)
        );
    }
    if !lotse.email.is_empty() {
        let _ = write!(
            html,
            r#"<dt>E-Mail</dt><dd><a href="{}">{}</a></dd>"#,
            escape(&mailto_href(&lotse.email, &subject)),
            escape(&lotse.email)
        );
    }
    for (label, value) in [
        ("Ort", &lotse.location),
        ("Erreichbar", &lotse.availability),
    ] {
        if !value.is_empty() {
            let _ = write!(html, "<dt>{label}</dt><dd>{}</dd>", escape(value));
        }
    }
    let _ = write!(
        html,
        r#"</dl><a href="{}" class="button secondary">Anliegen senden</a></article>"#,
        escape(&request_href)
    );
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lotse() -> Lotse {
        Lotse {
            name: "Jörg Müller".into(),
            department: "Bürgerbüro".into(),
            phone: "02921 103-1234".into(),
            email: "joerg.mueller@soest.de".into(),
            location: "Rathaus I, Raum 1.12".into(),
            availability: "Di+Do vormittags".into(),
            active: true,
            ..Lotse::default()
        }
    }

    fn dms() -> ShownSkill {
        ShownSkill {
            topic_id: "t1".into(),
            name: "Dokumentenmanagement (DMS)".into(),
            slug: "dms".into(),
            level: Level::TRAINS,
        }
    }

    #[test]
    fn a_card_links_the_lotse_the_topic_and_the_request_form() {
        let html = lotse_card("abc-1", &lotse(), &[dms()], 2);
        assert!(html.starts_with(r#"<article class="card lotse-card" data-testid="lotse-card"><h2 class="card-title"><a href="/lotsen/abc-1">Jörg Müller</a></h2>"#));
        assert!(html.contains(r#"<li><a href="/themen/dms">Dokumentenmanagement (DMS)</a> <span class="level level-3"><span class="visually-hidden">Stufe 3: </span>kann schulen</span></li>"#));
        assert!(html.contains(r#"<a href="tel:029211031234">02921 103-1234</a>"#));
        assert!(html.contains(r#"href="mailto:joerg.mueller@soest.de?subject=Digitale%20Lotsen%3A%20Frage%20zu%20Dokumentenmanagement%20(DMS)""#));
        assert!(html.contains(
            "<dt>Ort</dt><dd>Rathaus I, Raum 1.12</dd><dt>Erreichbar</dt><dd>Di+Do vormittags</dd>"
        ));
        assert!(html.ends_with(r#"<a href="/anliegen/neu?lotse=abc-1&amp;thema=dms" class="button secondary">Anliegen senden</a></article>"#));
    }

    #[test]
    fn empty_contact_fields_are_left_out_and_the_heading_level_is_kept() {
        let bare = Lotse {
            name: "Ute Nölle".into(),
            ..Lotse::default()
        };
        let html = lotse_card("x", &bare, &[], 3);
        assert!(html.contains(r#"<h3 class="card-title">"#));
        assert!(html.contains(r#"<dl class="contact"></dl>"#));
        assert!(html.contains(r#"href="/anliegen/neu?lotse=x""#));
        assert!(!html.contains("Telefon") && !html.contains("E-Mail"));
    }

    proptest! {
        /// Whatever a record holds, it stays text: no tag, attribute or entity of its own.
        #[test]
        fn record_text_never_becomes_markup(name in ".{0,40}", place in ".{0,40}", slug in ".{0,20}") {
            // Non-empty, so that the same fields are shown as in the scaffold.
            let (name, place, slug) = (format!("N{name}"), format!("P{place}"), format!("S{slug}"));
            let l = Lotse { name: name.clone(), location: place.clone(), ..lotse() };
            let skill = ShownSkill { slug: slug.clone(), name: name.clone(), ..dms() };
            let html = lotse_card(&name, &l, &[skill], 2);
            let scaffold = lotse_card("I", &Lotse { name: "N".into(), location: "P".into(), ..lotse() },
                &[ShownSkill { slug: "S".into(), name: "N".into(), ..dms() }], 2);
            // The markup is the scaffold's: as many tags and quotes, whatever the text.
            for c in ['<', '>', '"'] {
                prop_assert_eq!(html.matches(c).count(), scaffold.matches(c).count());
            }
            let escaped = escape(&name);
            prop_assert!(!escaped.contains(['<', '>', '"', '\'']));
        }
    }
}
