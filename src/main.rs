//! The `recoup` binary: hands over to the command line, [`recoup::cli`].

use std::process::ExitCode;

/// mimalloc: the import reads on one thread and writes on another, and glibc's
/// allocator spent a sixth of an import's instructions on the records' small
/// strings moving between them (measured with callgrind).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    recoup::cli::main()
}
