//! Errors and exit statuses (SPEC §1): 0 success; 1 runtime failure; 2 usage or
//! configuration error; 3 the data failed validation.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// I/O, database, an unknown record: exit 1.
    Runtime,
    /// A file that does not parse, an unknown field, a bad argument: exit 2.
    Config,
    /// The data failed validation: exit 3.
    Validation,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn runtime(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Runtime,
            message: message.into(),
        }
    }
    pub fn config(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Config,
            message: message.into(),
        }
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Error {
            kind: ErrorKind::Validation,
            message: message.into(),
        }
    }
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Runtime => 1,
            ErrorKind::Config => 2,
            ErrorKind::Validation => 3,
        }
    }
    /// Prefix the message with a place (`file:line:col`, a record, a command).
    pub fn context(mut self, place: impl fmt::Display) -> Self {
        self.message = format!("{place}: {}", self.message);
        self
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        // Busy past the timeout: say who holds the database, not SQLite's bare words.
        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
            return Error::runtime(crate::store::busy::locked_message());
        }
        Error::runtime(format!("database: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::runtime(e.to_string())
    }
}

/// Shorthand: `bail!(config, "…")`.
#[macro_export]
macro_rules! bail {
    (runtime, $($arg:tt)*) => { return Err($crate::error::Error::runtime(format!($($arg)*))) };
    (config, $($arg:tt)*) => { return Err($crate::error::Error::config(format!($($arg)*))) };
    (validation, $($arg:tt)*) => { return Err($crate::error::Error::validation(format!($($arg)*))) };
}

impl Error {
    /// An I/O failure on a file, named by its path (exit 1).
    pub fn io(path: &std::path::Path, e: impl fmt::Display) -> Self {
        Error::runtime(format!("{}: {e}", path.display()))
    }
}
