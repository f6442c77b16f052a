//! Search speed at the size SPEC §5 sets: 2,000 Lotsen × 200 topics, every keystroke of typical
//! queries. Run with `cargo bench -p lotsen-domain --bench search` (or `cargo xtask bench`).

use std::time::Instant;

use lotsen_domain::fixture::{directory, keystrokes, QUERIES};
use lotsen_domain::search::{Index, Query};

fn main() {
    let (topics, lotsen) = directory(2_000, 200);
    let start = Instant::now();
    let index = Index::build(
        topics.iter().map(|(id, t)| (id.as_str(), t)),
        lotsen.iter().map(|(id, l)| (id.as_str(), l)),
    );
    println!("index build: {:.2} ms", start.elapsed().as_secs_f64() * 1e3);

    let keystrokes = keystrokes();
    let rounds = 20;
    let mut worst = 0f64;
    let mut hits = 0usize;
    let start = Instant::now();
    for _ in 0..rounds {
        for k in &keystrokes {
            let t = Instant::now();
            hits += index
                .search(&Query {
                    text: k,
                    ..Query::default()
                })
                .len();
            worst = worst.max(t.elapsed().as_secs_f64());
        }
    }
    let per = start.elapsed().as_secs_f64() / (rounds * keystrokes.len()) as f64;
    println!(
        "search per keystroke: mean {:.3} ms, worst {:.3} ms ({} keystrokes x {rounds} rounds, {} hits)",
        per * 1e3,
        worst * 1e3,
        keystrokes.len(),
        hits / rounds
    );
    for q in QUERIES {
        let t = Instant::now();
        let n = index
            .search(&Query {
                text: q,
                ..Query::default()
            })
            .len();
        println!(
            "  {q:<22} {:>7.3} ms  {n:>5} Lotsen",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
}
