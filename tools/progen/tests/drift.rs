//! `tests/random_programs.rs` of the workspace root is exactly what the
//! generator writes for the command line recorded in its header: the file and
//! the generator cannot drift apart.

use std::path::Path;

#[test]
fn committed_file_is_what_the_generator_writes() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/random_programs.rs");
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let line = committed
        .lines()
        .find_map(|l| l.strip_prefix("//! cargo run -p progen -- "))
        .expect("the header names the command that generated the file");
    let args: Vec<String> = line
        .split(" > ")
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect();
    let opts = progen::Options::parse(&args).expect("the recorded arguments parse");
    let fresh = progen::generate(&opts);
    if fresh != committed {
        let at = fresh
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| fresh.lines().count().min(committed.lines().count()));
        panic!(
            "tests/random_programs.rs differs from the generator's output from line {}:\n  generator: {:?}\n  file:      {:?}\nregenerate it with: cargo run -p progen -- {line}",
            at + 1,
            fresh.lines().nth(at),
            committed.lines().nth(at),
        );
    }
}

#[test]
fn generation_is_deterministic_and_seeded() {
    let opts = progen::Options::parse(&["--seed".into(), "7".into(), "--count".into(), "5".into()])
        .expect("parse");
    assert_eq!(progen::generate(&opts), progen::generate(&opts));
    let other = progen::Options {
        seed: 8,
        ..opts.clone()
    };
    assert_ne!(progen::generate(&opts), progen::generate(&other));
}

#[test]
fn unknown_constructs_and_arguments_are_rejected() {
    assert!(progen::Options::parse(&["--exclude".into(), "goto".into()]).is_err());
    assert!(progen::Options::parse(&["--frobnicate".into()]).is_err());
    assert!(progen::Options::parse(&["--seed".into()]).is_err());
}
