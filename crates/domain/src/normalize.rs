//! German-aware folding for search (SPEC §5): NFC, case-folding, umlauts and ß, and the "ae/oe/ue"
//! spellings of umlauts, so that "Buergerbuero", "Bürgerbüro" and "BÜRGERBÜRO" are one key.

use std::borrow::Cow;

#[cfg(all(not(feature = "unicode-tables"), not(target_arch = "wasm32")))]
compile_error!("outside the browser, lotsen-domain needs its `unicode-tables` feature");

/// `s` in Unicode normal form C: "ü" typed as one character or as "u" with a combining
/// diaeresis becomes the same.
pub fn nfc(s: &str) -> Cow<'_, str> {
    // Every character below U+0300 is a starter with NFC_Quick_Check = Yes (tested below), so
    // text made of them only is already NFC: German text never needs the tables or the browser.
    if s.chars().all(|c| c < '\u{300}') {
        return Cow::Borrowed(s);
    }
    normal_form(s, Form::C)
}

/// `s` in Unicode normal form D: letters and their accents apart ("ş" → "s" + cedilla).
pub fn nfd(s: &str) -> Cow<'_, str> {
    normal_form(s, Form::D)
}

#[derive(Clone, Copy)]
enum Form {
    C,
    D,
}

#[cfg(feature = "unicode-tables")]
fn normal_form(s: &str, form: Form) -> Cow<'_, str> {
    use unicode_normalization::UnicodeNormalization;
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    Cow::Owned(match form {
        Form::C => s.nfc().collect(),
        Form::D => s.nfd().collect(),
    })
}

#[cfg(all(not(feature = "unicode-tables"), target_arch = "wasm32"))]
fn normal_form(s: &str, form: Form) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let form = match form {
        Form::C => "NFC",
        Form::D => "NFD",
    };
    // `normalize` throws only for a form name other than these four.
    js_sys::JsString::from(s)
        .normalize(form)
        .as_string()
        .map_or(Cow::Borrowed(s), Cow::Owned)
}

/// Folds `s` into a search key. Folding is applied to both the query and the indexed text, so
/// "ue" in a word that never had an umlaut ("Dauer" → "daur") still matches itself.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in nfc(s).chars().flat_map(char::to_lowercase) {
        let mapped = match c {
            'ä' | 'á' | 'à' | 'â' | 'å' => 'a',
            'ö' | 'ó' | 'ò' | 'ô' => 'o',
            'ü' | 'ú' | 'ù' | 'û' => 'u',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ç' => 'c',
            'ñ' => 'n',
            'ß' => {
                out.push_str("ss");
                continue;
            }
            other => other,
        };
        // "ae", "oe", "ue" are how umlauts are typed without a German keyboard.
        if mapped == 'e' && matches!(out.as_bytes().last(), Some(b'a' | b'o' | b'u')) {
            continue;
        }
        out.push(mapped);
    }
    out
}

/// The words of a folded key: runs of letters and digits.
pub fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// The words of a folded key joined without separators: "e-akte", "E Akte" and "EAkte" all
/// become "eakte".
pub fn compact(folded: &str) -> String {
    words(folded).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn umlauts_and_spellings_meet() {
        assert_eq!(fold("Bürgerbüro"), fold("Buergerbuero"));
        assert_eq!(fold("BÜRGERBÜRO"), fold("bürgerbüro"));
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(
            fold("Öffentlichkeitsarbeit"),
            fold("Oeffentlichkeitsarbeit")
        );
        assert_eq!(fold("Ämter"), fold("aemter"));
    }

    #[test]
    fn nfc_first() {
        // "u" followed by a combining diaeresis is the same as "ü".
        assert_eq!(fold("Bu\u{0308}ro"), fold("Büro"));
        // The same cases as the app's test of the browser's normalisation (tests/unicode.rs).
        assert_eq!(fold("Bu\u{0308}rgerbu\u{0308}ro"), "burgerburo");
        assert_eq!(fold("A\u{030A}ngstro\u{0308}m"), "angstrom");
        assert_eq!(fold("Ays\u{0327}e"), "ayşe");
        assert_eq!(nfd("ş"), "s\u{0327}");
        assert_eq!(nfc("Büro"), "Büro");
    }

    #[test]
    fn below_u0300_text_is_already_nfc() {
        use unicode_normalization::char::canonical_combining_class;
        use unicode_normalization::{is_nfc_quick, IsNormalized};
        for c in (0..0x300).filter_map(char::from_u32) {
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
        }
    }

    #[test]
    fn compact_forms() {
        assert_eq!(compact(&fold("E-Akte")), "eakte");
        assert_eq!(compact(&fold("e akte")), "eakte");
        assert_eq!(
            words("ozg-onlinedienste 2024").collect::<Vec<_>>(),
            ["ozg", "onlinedienste", "2024"]
        );
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
        }

        #[test]
        fn case_does_not_matter(s in "[a-zA-ZäöüÄÖÜß -]{0,30}") {
            prop_assert_eq!(fold(&s.to_uppercase()), fold(&s.to_lowercase()));
        }
    }
}
