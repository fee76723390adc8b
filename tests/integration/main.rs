//! The one integration-test binary (STYLE.md "Tests"): the `ddbsim` command line as a user
//! runs it, determinism across processes, every shipped scenario, bad input and a fuzzer of
//! the scenario parser.

mod advise;
mod alloc;
mod bad_input;
mod bad_language;
mod capacity;
mod check;
mod cli;
mod compare;
mod cost;
mod determinism;
mod fuzz;
mod fuzz_trace;
mod language;
mod operations;
mod preload;
mod scenarios;
mod support;
mod trace;
mod variants;
