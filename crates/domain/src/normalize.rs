//! German-aware folding for search (SPEC §5): NFC, case-folding, umlauts and ß, and the "ae/oe/ue"
//! spellings of umlauts, so that "Buergerbuero", "Bürgerbüro" and "BÜRGERBÜRO" are one key.

use unicode_normalization::UnicodeNormalization;

/// Folds `s` into a search key. Folding is applied to both the query and the indexed text, so
/// "ue" in a word that never had an umlaut ("Dauer" → "daur") still matches itself.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfc().flat_map(char::to_lowercase) {
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
