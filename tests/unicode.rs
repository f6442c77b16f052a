//! The app normalises with the browser's `String.prototype.normalize` instead of shipping the
//! Unicode tables (crates/domain/Cargo.toml): folding and user names must come out as they do
//! with the tables (the domain crate's native tests hold the same cases).

use lotsen_domain::normalize::{fold, nfc, nfd};
use lotsen_domain::protocol::suggest_username;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn combining_marks_fold_like_precomposed_letters() {
    assert_eq!(fold("Bu\u{0308}ro"), fold("Büro"));
    assert_eq!(fold("Bu\u{0308}rgerbu\u{0308}ro"), "burgerburo");
    assert_eq!(fold("A\u{030A}ngstro\u{0308}m"), "angstrom");
    assert_eq!(fold("Ays\u{0327}e"), "ayşe");
    assert_eq!(nfd("ş"), "s\u{0327}");
    assert_eq!(nfc("Büro"), "Büro");
    assert_eq!(fold("Straße"), "strasse");
}

#[wasm_bindgen_test]
fn user_names_lose_their_accents() {
    assert_eq!(suggest_username("Jörg Müller"), "joerg.mueller");
    assert_eq!(suggest_username("  Ayşe  Demir-Öz "), "ayse.demir-oez");
    assert_eq!(suggest_username("José García"), "jose.garcia");
    assert_eq!(suggest_username("李"), "");
}
