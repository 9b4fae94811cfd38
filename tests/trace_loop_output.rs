//! `examples/trace_loop.rs` prints plain text, without ANSI colour codes,
//! when its stdout is not a terminal (a pipe, a file).
//!
//! The example's own `main` is compiled into this test (`#[path]`) and run
//! in a child process (this test binary, re-run with `COOP_TRACE_LOOP_CHILD`
//! set) whose stdout is a pipe: the same code, the same subscriber setup,
//! without depending on a separately built example binary.

mod support;

#[path = "../examples/trace_loop.rs"]
#[allow(dead_code)]
mod trace_loop;

const CHILD_ENV: &str = "COOP_TRACE_LOOP_CHILD";
const TEST_NAME: &str = "piped_output_has_no_colour_codes";

#[test]
#[cfg_attr(miri, ignore)]
fn piped_output_has_no_colour_codes() {
    if std::env::var_os(CHILD_ENV).is_some() {
        trace_loop::main();
        return;
    }
    let stdout = support::run_as_child(
        TEST_NAME,
        CHILD_ENV,
        &[("RUST_LOG", None), ("NO_COLOR", None)],
    );
    // The trace really went to the pipe: the loop's steps are there...
    for step in [
        "spawn task.id=",
        "pick task.id=",
        "park timeout=",
        "timer fired",
        "wake (local",
        "complete task.id=",
    ] {
        assert!(
            stdout.contains(step),
            "no {step} in the piped output:\n{stdout}"
        );
    }
    assert!(stdout.contains("start") && stdout.contains("end"));
    // ...and not one escape sequence.
    assert!(
        !stdout.contains('\u{1b}'),
        "ANSI escape codes in piped output:\n{stdout}"
    );
}
