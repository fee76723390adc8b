//! The `ddbsim` binary: see the library's `cli` module.

fn main() -> std::process::ExitCode {
    ddbsim::cli::main()
}
