//! Printing for the command line: [`outln!`](crate::outln), [`out!`](crate::out) and
//! [`summaryln!`](crate::summaryln) return an error on a failed standard output
//! (`> /dev/full`, a closed pipe) instead of panicking as `println!` does; the
//! standard error is written without panicking either.

use std::io::{self, Write};

use crate::{Error, Result};

/// Write formatted text to the standard output; a failure is an error (exit 1).
pub fn stdout_fmt(args: std::fmt::Arguments<'_>) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.flush())
        .map_err(|e| Error::runtime(format!("standard output: {e}")))
}

/// Write a line to the standard error, ignoring a failure (there is nowhere left to
/// report it; `eprintln!` would panic).
pub fn stderr_fmt(args: std::fmt::Arguments<'_>) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// Print a command's summary line: on the standard output, unless the command's
/// data went there (`--out -`), when the summary goes to the standard error so a
/// pipe carries data only.
pub fn summary_fmt(data_on_stdout: bool, args: std::fmt::Arguments<'_>) -> Result<()> {
    if data_on_stdout {
        stderr_fmt(args);
        Ok(())
    } else {
        stdout_fmt(args)
    }
}

/// `outln!` for a summary that follows data written to `out`: [`summary_fmt`].
#[macro_export]
macro_rules! summaryln {
    ($out:expr, $($arg:tt)*) => {
        $crate::cli::stdio::summary_fmt(
            $crate::output::is_stdout($out),
            format_args!("{}\n", format_args!($($arg)*)),
        )
    };
}

/// `println!` that returns `Result<()>` instead of panicking on a failed stdout.
#[macro_export]
macro_rules! outln {
    () => { $crate::cli::stdio::stdout_fmt(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::stdio::stdout_fmt(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `print!` that returns `Result<()>` instead of panicking on a failed stdout.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::stdio::stdout_fmt(format_args!($($arg)*)) };
}

/// Tell the standard error that the database changed (`committed: …`), before any
/// summary is printed: a script whose stdout fails then still knows not to retry.
pub fn committed(what: std::fmt::Arguments<'_>) {
    stderr_fmt(format_args!("committed: {what}\n"));
}
