//! The `arshjul` binary: a thin wrapper that turns the library's result into an exit code.

/// mimalloc instead of glibc's malloc: the morning tick allocates and frees millions of
/// small strings, where glibc spent most of the planning's time and held the most memory
/// (BENCHMARKS.md, "mimalloc, measured again at 1 M").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    arshjul::cli::main()
}
