//! The report writer: the product's `@de.na` printable-code language (docs/report-language.md).
//!
//! `front` (TOML front matter) → `lexer` + `parser` (a tree with a span on every node,
//! `ast`) → `eval` over a [`source::DataSource`] → a [`sink::Sink`] (text or PDF).
//! Statements, letters and ad-hoc reports all run through [`run`].

pub mod ast;
pub mod cond;
pub mod eval;
pub mod filter;
pub mod format;
pub mod front;
pub mod lexer;
pub mod locate;
pub mod parser;
pub mod pdf;
pub mod sink;
pub mod source;
mod sql_check;
pub mod values;

use std::path::Path;

pub use eval::{RunOptions, RunReport, RunStats};
pub use front::{Front, StartOn};
pub use lexer::Diag;
pub use sink::{LineBuf, LinesSink, Sink, TextSink};
pub use source::{DataSource, MemorySource, Record};

use crate::{Error, Result};

/// A parsed report: front matter, body, header and footer, and every problem found.
#[derive(Debug, Clone)]
pub struct Report {
    /// Where it came from (the path as given), used in every message.
    pub origin: String,
    pub front: Front,
    pub body: Vec<ast::Node>,
    pub header: Vec<ast::Node>,
    pub footer: Vec<ast::Node>,
    /// Number of currency slots (loop totals).
    pub slots: usize,
    pub diags: Vec<Diag>,
}

impl Report {
    /// Parse report text. Problems are collected in `diags`, never fatal here.
    pub fn parse(text: &str, origin: &str) -> Report {
        let mut diags = Vec::new();
        let mut slots = 0;
        let mut front = Front::default();
        let (body_text, body_line) = match front::split(text) {
            Ok(s) => {
                if let Some((src, line)) = s.front {
                    match front::parse_front(src, line) {
                        Ok(f) => front = f,
                        Err((line, col, message)) => diags.push(Diag {
                            span: ast::Span { line, col },
                            message,
                            warning: false,
                        }),
                    }
                    if front.page_length == 0 {
                        diags.push(Diag {
                            span: ast::Span {
                                line: front::key_line(src, line, "page_length"),
                                col: 1,
                            },
                            message: "page_length must be at least 1".into(),
                            warning: false,
                        });
                    }
                }
                (s.body, s.body_line)
            }
            Err((line, message)) => {
                diags.push(Diag {
                    span: ast::Span { line, col: 1 },
                    message,
                    warning: false,
                });
                ("", 1)
            }
        };
        let front_src = front::split(text).ok().and_then(|s| s.front);
        let hf_line = |key: &str| match front_src {
            Some((src, l)) => front::key_line(src, l, key),
            None => 1,
        };
        let body = parser::parse_body(body_text, body_line, &mut diags, &mut slots);
        let header = if front.header.is_empty() {
            vec![]
        } else {
            parser::parse_body(&front.header, hf_line("header"), &mut diags, &mut slots)
        };
        let footer = if front.footer.is_empty() {
            vec![]
        } else {
            parser::parse_body(&front.footer, hf_line("footer"), &mut diags, &mut slots)
        };
        if front.name.is_empty() {
            front.name = Path::new(origin)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
        }
        diags.sort_by_key(|d| (d.span.line, d.span.col));
        Report {
            origin: origin.to_string(),
            front,
            body,
            header,
            footer,
            slots,
            diags,
        }
    }

    /// Read and parse a report file.
    pub fn load(path: &Path) -> Result<Report> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Ok(Report::parse(&text, &path.display().to_string()))
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diag> {
        self.diags.iter().filter(|d| !d.warning)
    }

    /// One diagnostic as an error (exit 2) at its place in the report.
    pub fn error_of(&self, d: &Diag) -> Error {
        Error::config(d.message.clone()).at(d.span.place(&self.origin))
    }

    /// `file:line:col: message` for one diagnostic.
    pub fn describe(&self, d: &Diag) -> String {
        self.error_of(d).to_string()
    }

    /// Fail with every error (exit 2) when the report does not parse: the first
    /// error, the others as its `more`.
    pub fn ensure_valid(&self) -> Result<()> {
        let mut errs = self.errors().map(|d| self.error_of(d));
        match errs.next() {
            None => Ok(()),
            Some(first) => Err(first.with_more(errs.collect())),
        }
    }
}

/// Parse a `--where` condition (`@de.sta = ACT and @de.ow > 100`); every command's
/// `--where` goes through here via [`filter::Filter::parse`].
pub fn parse_condition(text: &str) -> Result<ast::Cond> {
    let mut diags = Vec::new();
    let mut slots = 0;
    let mut lx = lexer::Lexer::new(text, 1, &mut diags, &mut slots);
    let c = lx.cond();
    lx.skip_ws();
    let trailing = !lx.at_end();
    match c {
        Ok(c) if diags.iter().all(|d| d.warning) && !trailing => Ok(c),
        _ => {
            let msg = diags
                .iter()
                .find(|d| !d.warning)
                .map(|d| format!("column {}: {}", d.span.col, d.message))
                .unwrap_or_else(|| "unexpected text after the condition".into());
            Err(Error::config(format!("condition '{text}': {msg}")))
        }
    }
}

/// Run a parsed report over a source into a sink.
pub fn run(
    report: &Report,
    src: &dyn DataSource,
    sink: &mut dyn Sink,
    opts: &RunOptions,
) -> Result<RunStats> {
    report.ensure_valid()?;
    eval::Eval::new(report, src, sink, opts)?.run(opts)
}

#[cfg(test)]
mod tests;
