//! Each generated file of the workspace root, `tests/random_programs.rs` and
//! `tests/random_programs_<n>.rs`, is exactly what the generator writes for the
//! command line recorded in its header: the files and the generator cannot drift
//! apart.

use std::path::Path;

/// The generated files under `tests/`, by name.
fn generated_files() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("random_programs") && n.ends_with(".rs"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn committed_files_are_what_the_generator_writes() {
    let files = generated_files();
    assert!(!files.is_empty(), "no tests/random_programs*.rs");
    for path in files {
        check_file(&path);
    }
}

fn check_file(path: &Path) {
    let committed = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let line = committed
        .lines()
        .find_map(|l| l.strip_prefix("//! cargo run -p progen -- "))
        .expect("the header names the command that generated the file");
    let mut parts = line.split(" > ");
    let args: Vec<String> = parts
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect();
    let target = parts.next().unwrap_or_default();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    assert_eq!(
        target,
        format!("tests/{name}"),
        "{name}: its header writes another file"
    );
    let opts = progen::Options::parse(&args).expect("the recorded arguments parse");
    let fresh = progen::generate(&opts);
    if fresh != committed {
        let at = fresh
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| fresh.lines().count().min(committed.lines().count()));
        panic!(
            "tests/{name} differs from the generator's output from line {}:\n  generator: {:?}\n  file:      {:?}\nregenerate it with: cargo run -p progen -- {line}",
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
fn construct_names_are_unique() {
    let mut names: Vec<&str> = progen::CONSTRUCTS.iter().map(|(n, _)| *n).collect();
    let all = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        all,
        "a name of progen::CONSTRUCTS is there twice"
    );
}

#[test]
fn unknown_constructs_and_arguments_are_rejected() {
    assert!(progen::Options::parse(&["--exclude".into(), "goto".into()]).is_err());
    assert!(progen::Options::parse(&["--frobnicate".into()]).is_err());
    assert!(progen::Options::parse(&["--seed".into()]).is_err());
    assert!(progen::Options::parse(&["--file".into(), "../x.rs".into()]).is_err());
}

#[test]
fn first_and_file_are_recorded_and_split_the_stream() {
    let args = |s: &str| -> Vec<String> { s.split_whitespace().map(String::from).collect() };
    let whole = progen::Options::parse(&args("--seed 3 --count 6")).expect("parse");
    let tail = progen::Options::parse(&args(
        "--seed 3 --first 4 --count 2 --file random_programs_9.rs",
    ))
    .expect("parse");
    assert_eq!(
        tail.args(),
        "--seed 3 --first 4 --count 2 --file random_programs_9.rs"
    );
    assert_eq!(whole.args(), "--seed 3 --count 6");
    let (w, t) = (progen::generate(&whole), progen::generate(&tail));
    // programs p4 and p5 of the stream, the same in both files
    let program = |s: &str, name: &str| -> String {
        let head = format!(
            "\n// ---------------------------------------------------------------- {name}\n"
        );
        let at = s.find(&head).expect("the program is in the file");
        let rest = &s[at + head.len()..];
        let end = ["\n// ------", "\nstatic PROGRAMS"]
            .iter()
            .filter_map(|m| rest.find(m))
            .min()
            .unwrap_or(rest.len());
        rest[..end].to_string()
    };
    assert_eq!(program(&w, "p4"), program(&t, "p4"));
    assert_eq!(program(&w, "p5"), program(&t, "p5"));
    assert!(!t.contains("fn p3("));
    // --skip leaves programs out and is recorded
    let skipped = progen::Options::parse(&args("--seed 3 --count 6 --skip p2,4")).expect("parse");
    assert_eq!(skipped.args(), "--seed 3 --count 6 --skip 2,4");
    let k = progen::generate(&skipped);
    assert!(!k.contains("fn p2(") && !k.contains("fn p4(") && k.contains("fn p5("));
    assert_eq!(program(&k, "p5"), program(&w, "p5"));
    assert!(t.contains("include_str!(\"random_programs_9.rs\")"));
}
