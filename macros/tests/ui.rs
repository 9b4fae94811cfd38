//! The macros' compile-time contract, checked with `trybuild`: the
//! `tests/ui/pass_*.rs` programs compile and run (exit 0), and every
//! `tests/ui/fail_*.rs` fails to compile with exactly the error in its
//! `.stderr` file, pointing at the offending tokens.
//!
//! After changing an error message: `TRYBUILD=overwrite cargo test -p
//! coop-macros --test ui`, then review the new `.stderr` files.
//!
//! The cases live in this crate, not in `coop`'s `tests/`, because trybuild
//! builds a project with the tested package's dev-dependencies: here that
//! is `coop` (and trybuild), not the benchmark peers (tokio, smol,
//! proptest, ...) that `coop` itself has as dev-dependencies.
#![cfg(not(miri))]

#[test]
fn macro_compile_pass_and_compile_fail_cases() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass_*.rs");
    cases.compile_fail("tests/ui/fail_*.rs");
}
