//! The macros' compile-time contract, checked with `trybuild`: the
//! `tests/ui/pass_*.rs` programs compile and run (exit 0), and every
//! `tests/ui/fail_*.rs` fails to compile with exactly the error in its
//! `.stderr` file, pointing at the offending tokens.
//!
//! After changing an error message: `TRYBUILD=overwrite cargo test --test
//! macros_ui`, then review the new `.stderr` files.
#![cfg(all(feature = "macros", not(any(loom, miri))))]

#[test]
fn macro_compile_pass_and_compile_fail_cases() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass_*.rs");
    cases.compile_fail("tests/ui/fail_*.rs");
}
