//! Errors and exit statuses (README "Using it"): 0 success; 1 runtime failure; 2 usage or
//! configuration error; 3 the data failed validation.
//!
//! An [`Error`] keeps its parts apart — where (a [`Place`]), what was read there
//! (the offending input, SSNs masked), what is wrong (the message) and the error
//! underneath (the source) — so code and tests look at fields, and the familiar
//! `file:line:col: message` text is built in one place: the `Display` below.
//!
//! Build one with a kind and the message proper, then add what is known:
//! `Error::config(format!("unknown key '{k}'")).at(Place::at(file, line, col))`,
//! `.with_input(raw)`, `.with_source(e)`; `Error::io(path, e)` for a file that
//! cannot be read or written; `bail!(validation, "…")` when there is no place.
//! A caller that knows more wraps with `.context("debtor 12")` or
//! `.within(Place::line(file, n))`. Never write the place into the message.

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

/// Where an error is: a file, optionally a line and a column in it (1-based).
///
/// Shown `file`, `file:line` or `file:line:col`. A place without a file (the
/// reader does not know the file's name; the caller adds it as context) is shown
/// `line 4`, `column 7` or `line 4, column 7`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub file: Option<String>,
    pub line: Option<u64>,
    pub column: Option<u64>,
}

impl Place {
    /// A whole file (an I/O failure, a check about the file as a whole).
    pub fn file(file: impl fmt::Display) -> Place {
        Place {
            file: Some(file.to_string()),
            ..Place::default()
        }
    }

    /// A line of a file (a CSV row, a transfer record).
    pub fn line(file: impl fmt::Display, line: u64) -> Place {
        Place {
            line: Some(line),
            ..Place::file(file)
        }
    }

    /// A line and column of a file (a TOML key, a report token).
    pub fn at(file: impl fmt::Display, line: u64, column: u64) -> Place {
        Place {
            column: Some(column),
            ..Place::line(file, line)
        }
    }

    /// A line of input whose file the caller names.
    pub fn line_only(line: u64) -> Place {
        Place {
            line: Some(line),
            ..Place::default()
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => {
                f.write_str(file)?;
                if let Some(line) = self.line {
                    write!(f, ":{line}")?;
                    if let Some(col) = self.column {
                        write!(f, ":{col}")?;
                    }
                }
                Ok(())
            }
            None => {
                let parts: Vec<String> = [("line", self.line), ("column", self.column)]
                    .into_iter()
                    .filter_map(|(what, n)| n.map(|n| format!("{what} {n}")))
                    .collect();
                f.write_str(&parts.join(", "))
            }
        }
    }
}

/// The error underneath (database, file system, CSV), kept for the chain.
pub type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error: its parts ([`ErrorDetails`], read through `Deref`: `e.kind`,
/// `e.place`) sit behind one box, so a `Result` stays a word wide on the paths
/// that never fail.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct Error(Box<ErrorDetails>);

#[derive(Debug, thiserror::Error)]
#[error("{}", Text(self))]
pub struct ErrorDetails {
    /// Decides the exit status.
    pub kind: ErrorKind,
    /// What the program was doing, outermost first (`debtor 12`, `letter 'x'`):
    /// each is shown before the place.
    pub context: Vec<String>,
    /// Where the error is.
    pub place: Option<Place>,
    /// The offending input, when there is one; anything written like an SSN is
    /// masked (README "Using it" PII). Already part of the message text where it is shown.
    pub input: Option<String>,
    /// What is wrong, without the place.
    pub message: String,
    /// The error underneath. The message already says what it said, so the text
    /// shown does not repeat it.
    #[source]
    pub source: Option<Source>,
    /// Further errors of the same failure (every parse error of a report), each
    /// shown on its own `error:` line after this one.
    pub more: Vec<Error>,
    /// What the caller can do about it, in the library's words; the command line
    /// says it with its own option names (`cli::remedy`), so library messages never
    /// name a flag. Not part of the text this error displays.
    pub remedy: Option<Remedy>,
}

/// A way out of a refusal that the caller chooses, not the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Remedy {
    /// Generate the statements again, replacing the ones that overlap.
    ReplaceStatements,
    /// Cancel the debtor's open promises and write the new arrangement's.
    ReplacePromises,
    /// Write the Metro 2 file although its header fails validation.
    WriteAnyway,
    /// Give the transferred clients the next free numbers.
    Renumber,
    /// Name the payment a reversal reverses.
    NameReversedPayment,
}

impl std::ops::Deref for Error {
    type Target = ErrorDetails;
    fn deref(&self) -> &ErrorDetails {
        &self.0
    }
}

impl std::ops::DerefMut for Error {
    fn deref_mut(&mut self) -> &mut ErrorDetails {
        &mut self.0
    }
}

/// The one place an error's text is built: `context: place: message`.
struct Text<'a>(&'a ErrorDetails);

impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        for c in &e.context {
            write!(f, "{c}: ")?;
        }
        if let Some(place) = &e.place {
            write!(f, "{place}: ")?;
        }
        f.write_str(&e.message)?;
        for more in &e.more {
            write!(f, "\nerror: {more}")?;
        }
        Ok(())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    fn new(kind: ErrorKind, message: String) -> Self {
        Error(Box::new(ErrorDetails {
            kind,
            context: Vec::new(),
            place: None,
            input: None,
            message,
            source: None,
            more: Vec::new(),
            remedy: None,
        }))
    }
    pub fn runtime(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Runtime, message.into())
    }
    pub fn config(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Config, message.into())
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Validation, message.into())
    }
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Runtime => 1,
            ErrorKind::Config => 2,
            ErrorKind::Validation => 3,
        }
    }

    /// Say where the error is.
    pub fn at(mut self, place: Place) -> Self {
        self.place = Some(place);
        self
    }

    /// Keep the offending input (SSN-shaped text masked).
    pub fn with_input(mut self, raw: &str) -> Self {
        self.input = Some(crate::pii::mask_ssn_shapes(raw));
        self
    }

    /// Keep the error underneath.
    pub fn with_source(mut self, source: impl Into<Source>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Say what the caller can do about it (shown by the command line in its words).
    pub fn with_remedy(mut self, remedy: Remedy) -> Self {
        self.remedy = Some(remedy);
        self
    }

    /// Add further errors of the same failure.
    pub fn with_more(mut self, more: Vec<Error>) -> Self {
        self.more = more;
        self
    }

    /// Say what the program was doing (a record, a command, a file): shown before
    /// everything the error already says.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.context.insert(0, what.to_string());
        self
    }

    /// The error happened within `place`: it becomes the error's place when the
    /// error has none, otherwise it is added as context.
    pub fn within(self, place: Place) -> Self {
        match (&self.place, self.context.is_empty()) {
            (None, true) => self.at(place),
            _ => self.context(place),
        }
    }

    /// An I/O failure on a file, named by its path (exit 1).
    pub fn io(path: &std::path::Path, e: impl Into<Source>) -> Self {
        let source = e.into();
        Error::runtime(source.to_string())
            .at(Place::file(path.display()))
            .with_source(source)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::runtime(e.to_string()).with_source(e)
    }
}

/// Shorthand: `bail!(config, "…")`.
#[macro_export]
macro_rules! bail {
    (runtime, $($arg:tt)*) => { return Err($crate::error::Error::runtime(format!($($arg)*))) };
    (config, $($arg:tt)*) => { return Err($crate::error::Error::config(format!($($arg)*))) };
    (validation, $($arg:tt)*) => { return Err($crate::error::Error::validation(format!($($arg)*))) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_is_context_place_message_and_more() {
        let e = Error::config("unknown key 'x'")
            .at(Place::at("m.toml", 3, 5))
            .context("import")
            .with_more(vec![Error::config("second").at(Place::at("m.toml", 4, 1))]);
        assert_eq!(
            e.to_string(),
            "import: m.toml:3:5: unknown key 'x'\nerror: m.toml:4:1: second"
        );
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn an_error_is_one_pointer_wide() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn places_without_a_file_name_the_line_and_column() {
        assert_eq!(Place::line_only(4).to_string(), "line 4");
        let col = Place {
            column: Some(7),
            ..Place::default()
        };
        assert_eq!(col.to_string(), "column 7");
        assert_eq!(Place::line("t.csv", 9).to_string(), "t.csv:9");
        assert_eq!(Place::file("t.csv").to_string(), "t.csv");
    }

    #[test]
    fn within_sets_the_place_once_then_adds_context() {
        let e = Error::runtime("database: locked").within(Place::line("in.csv", 12));
        assert_eq!(e.place, Some(Place::line("in.csv", 12)));
        assert_eq!(e.to_string(), "in.csv:12: database: locked");
        let inner = Error::config("bad").at(Place::at("r.rpt", 1, 2));
        let e = inner.within(Place::line("in.csv", 12));
        assert_eq!(e.place, Some(Place::at("r.rpt", 1, 2)));
        assert_eq!(e.to_string(), "in.csv:12: r.rpt:1:2: bad");
    }

    #[test]
    fn io_errors_keep_the_path_and_the_source() {
        use std::error::Error as _;
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let e = Error::io(std::path::Path::new("/x/y.csv"), io);
        assert_eq!(e.to_string(), "/x/y.csv: No such file");
        assert_eq!(e.place, Some(Place::file("/x/y.csv")));
        assert_eq!(e.exit_code(), 1);
        let src = e.source().expect("the io error is kept");
        assert_eq!(src.to_string(), "No such file");
    }

    #[test]
    fn the_offending_input_is_kept_with_ssns_masked() {
        let e = Error::validation("bad line").with_input("SMITH,123-45-6789,ACT");
        assert_eq!(e.input.as_deref(), Some("SMITH,***-**-6789,ACT"));
    }
}
