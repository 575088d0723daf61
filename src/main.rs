//! The `arshjul` binary: a thin wrapper that turns the library's result into an exit code.

fn main() -> std::process::ExitCode {
    arshjul::cli::main()
}
