//! `docs/TOUR.md` cites the code it walks through as `` `runtime/x.rs` ``
//! (a file) and `` `runtime/x.rs::name` `` (a function in it). This test
//! keeps the tour honest: every cited file exists and holds `fn name`, so
//! a rename or a move fails here until the tour follows.

use std::path::Path;

/// A citation: the file, and the function if one is named.
#[derive(Debug, PartialEq)]
struct Cite {
    path: String,
    function: Option<String>,
}

/// Every `` `runtime/...rs` `` and `` `runtime/...rs::name` `` in `text`
/// (inside backticks, possibly followed by `()`).
fn citations(text: &str) -> Vec<Cite> {
    let mut cites = Vec::new();
    for (i, span) in text.split('`').enumerate() {
        // Odd pieces are inside backticks.
        if i % 2 == 0 || !span.starts_with("runtime/") {
            continue;
        }
        let span = span.trim_end_matches("()");
        let (path, function) = match span.split_once(".rs::") {
            Some((path, function)) => (format!("{path}.rs"), Some(function.to_owned())),
            None if span.ends_with(".rs") || span.ends_with('/') => (span.to_owned(), None),
            None => continue,
        };
        cites.push(Cite { path, function });
    }
    cites
}

/// What is wrong with a citation, checked against the crate at `root`.
fn check(root: &Path, cite: &Cite) -> Option<String> {
    let file = root.join(&cite.path);
    if cite.path.ends_with('/') {
        return (!file.is_dir()).then(|| format!("{}: no such directory", cite.path));
    }
    let Ok(source) = std::fs::read_to_string(&file) else {
        return Some(format!("{}: no such file", cite.path));
    };
    let function = cite.function.as_ref()?;
    let name_ok = !function.is_empty()
        && function
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    let defined = name_ok
        && source
            .match_indices(&format!("fn {function}"))
            .any(|(at, m)| {
                // `fn run` must not match `fn run_task`.
                source[at + m.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c == '(' || c == '<')
            });
    (!defined).then(|| format!("{}: no `fn {function}`", cite.path))
}

#[test]
fn every_file_and_function_the_tour_cites_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tour = std::fs::read_to_string(root.join("docs/TOUR.md")).expect("docs/TOUR.md exists");
    let cites = citations(&tour);
    let functions = cites.iter().filter(|c| c.function.is_some()).count();
    assert!(
        functions >= 20,
        "the tour cites only {functions} functions: did the convention change?"
    );
    let wrong: Vec<String> = cites.iter().filter_map(|c| check(root, c)).collect();
    assert!(
        wrong.is_empty(),
        "docs/TOUR.md cites code that is not there (update the tour):\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn the_checker_finds_citations_and_rejects_what_is_not_there() {
    let text = "see `runtime/executor/mod.rs::run_task()` and `runtime/time/` and \
                `runtime/park.rs`, not `Runtime::new` nor `runtime/nope.rs::x`, \
                nor `runtime/executor/mod.rs::run_tas` (a prefix of run_task)";
    let cites = citations(text);
    assert_eq!(
        cites,
        [
            Cite {
                path: "runtime/executor/mod.rs".into(),
                function: Some("run_task".into())
            },
            Cite {
                path: "runtime/time/".into(),
                function: None
            },
            Cite {
                path: "runtime/park.rs".into(),
                function: None
            },
            Cite {
                path: "runtime/nope.rs".into(),
                function: Some("x".into())
            },
            Cite {
                path: "runtime/executor/mod.rs".into(),
                function: Some("run_tas".into())
            },
        ]
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let verdicts: Vec<bool> = cites.iter().map(|c| check(root, c).is_none()).collect();
    assert_eq!(verdicts, [true, true, true, false, false]);
}
