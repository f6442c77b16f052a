//! Search speed in the browser (wasm in headless Chromium) at 2,000 Lotsen × 200 topics. Ignored
//! in `cargo xtask test`; `cargo xtask bench` runs it and prints the figures to the console.

#![cfg(target_arch = "wasm32")]

use lotsen_domain::fixture::{directory, keystrokes};
use lotsen_domain::search::{Index, Query};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

#[wasm_bindgen_test]
#[ignore]
fn search_speed_in_the_browser() {
    let (topics, lotsen) = directory(2_000, 200);
    let t = now();
    let index = Index::build(
        topics.iter().map(|(id, t)| (id.as_str(), t)),
        lotsen.iter().map(|(id, l)| (id.as_str(), l)),
    );
    let build = now() - t;
    let keystrokes = keystrokes();
    let rounds = 10;
    let mut worst = 0f64;
    let start = now();
    for _ in 0..rounds {
        for k in &keystrokes {
            let t = now();
            let _ = index.search(&Query {
                text: k,
                ..Query::default()
            });
            worst = worst.max(now() - t);
        }
    }
    let mean = (now() - start) / (rounds * keystrokes.len()) as f64;
    console_log!(
        "BENCH wasm: index build {build:.1} ms; search per keystroke mean {mean:.3} ms, worst {worst:.3} ms ({} keystrokes x {rounds})",
        keystrokes.len()
    );
}
