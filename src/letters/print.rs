//! In-house batch letters (docs/plans-and-letters.md): every due Letter contact printed
//! through its report into one PDF (or text), a new page per letter, skipping closed
//! accounts and what contact controls forbid; `--mark-done` completes the contacts.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Serialize;

use super::{due_letters, Letters};
use crate::report::ast::CcKind;
use crate::report::pdf::PdfSink;
use crate::report::sink::LineBuf;
use crate::report::{RunOptions, Sink, StartOn, TextSink};
use crate::store::contacts::{self, contact_allowed};
use crate::store::report_source::SqliteSource;
use crate::store::{debtors, Db};
use crate::{Env, Result};

/// What `letters print` printed: `--json` keys `printed`, `skipped`; the text is the
/// count and one line per letter and skip reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PrintSummary {
    /// Letters printed, by letter name.
    pub printed: BTreeMap<String, usize>,
    pub skipped: BTreeMap<String, usize>,
}

impl fmt::Display for PrintSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "letters printed: {}",
            self.printed.values().sum::<usize>()
        )?;
        for (n, c) in &self.printed {
            writeln!(f, "  {n:<40} {c}")?;
        }
        for (why, c) in &self.skipped {
            writeln!(f, "  skipped: {why:<31} {c}")?;
        }
        Ok(())
    }
}

/// The printed summary with the file it went to (`out` first in `--json`, `file:` last
/// in the text).
#[derive(Debug, Serialize)]
pub struct PrintReport<'a> {
    pub out: String,
    #[serde(flatten)]
    pub summary: &'a PrintSummary,
}

impl fmt::Display for PrintReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary)?;
        writeln!(f, "file: {}", self.out)
    }
}

/// A sink that forwards to another and can force a page break between letters.
struct Batch<'a> {
    inner: &'a mut dyn Sink,
}

impl Sink for Batch<'_> {
    fn line(&mut self, line: &LineBuf) -> Result<()> {
        self.inner.line(line)
    }
    fn page_break(&mut self) -> Result<()> {
        self.inner.page_break()
    }
    fn page_length(&self) -> Option<u32> {
        self.inner.page_length()
    }
    fn loop_open(&mut self, code: &str) -> Result<()> {
        self.inner.loop_open(code)
    }
    fn loop_close(&mut self, code: &str) -> Result<()> {
        self.inner.loop_close(code)
    }
    // The batch finishes the inner sink once, after the last letter.
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

pub fn print_letters(
    env: &Env,
    conn: &Db,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    out: &Path,
    pdf: bool,
    mark_done: bool,
) -> Result<PrintSummary> {
    let letters = Letters::load(env)?;
    let mut file = crate::output::OutputFile::create(out)?;
    let mut sink: Box<dyn Sink + '_> = if pdf {
        Box::new(PdfSink::new(&mut file, "Batch letters", 66))
    } else {
        Box::new(TextSink::new(&mut file))
    };
    let src = SqliteSource::new(conn);
    let mut summary = PrintSummary::default();
    let mut due = due_letters(conn, from, to)?;
    due.sort_by(|a, b| {
        (&a.description, a.file_number, a.contact).cmp(&(&b.description, b.file_number, b.contact))
    });
    let mut this_run: BTreeMap<i64, i64> = BTreeMap::new();
    let mut first = true;
    for d in due {
        let Some(report) = letters.get(&d.description) else {
            *summary
                .skipped
                .entry(format!("no letter named '{}'", d.description))
                .or_default() += 1;
            continue;
        };
        if report.front.start_on != StartOn::Debtor {
            *summary
                .skipped
                .entry(format!(
                    "letter '{}' does not start on debtor",
                    report.front.name
                ))
                .or_default() += 1;
            continue;
        }
        let debtor = debtors::letter_address(conn, d.file_number)?;
        let (mode, address_ok) = (debtor.mode, debtor.ok);
        if mode.trim().eq_ignore_ascii_case("C") {
            *summary.skipped.entry("closed account".into()).or_default() += 1;
            continue;
        }
        // Address OK "needs to be checked for letters to go out in Batch Printing"
        // (Collect! help, Entering Debtor Identity And Demographic Information, S2:907-908),
        // as the letter service skips it; the contact stays due for the next run.
        if !address_ok {
            *summary.skipped.entry("address not OK".into()).or_default() += 1;
            continue;
        }
        let already = this_run.get(&d.file_number).copied().unwrap_or(0);
        if !contact_allowed(conn, CcKind::Letter, d.file_number, env.today, already)? {
            *summary
                .skipped
                .entry("contact controls".into())
                .or_default() += 1;
            continue;
        }
        if !first {
            if pdf {
                sink.page_break()?;
            } else {
                sink.line(&LineBuf {
                    text: "\u{c}".into(),
                    marks: vec![],
                })?;
            }
        }
        first = false;
        let mut opts = RunOptions::new(env.today);
        opts.now = env.now;
        opts.ids = vec![d.file_number];
        crate::report::run(
            &report,
            &src,
            &mut Batch {
                inner: sink.as_mut(),
            },
            &opts,
        )?;
        *summary
            .printed
            .entry(report.front.name.clone())
            .or_default() += 1;
        *this_run.entry(d.file_number).or_default() += 1;
        if mark_done {
            // A printed letter is done; its queued attachment is spent.
            contacts::mark_contact_done(conn, d.contact, env.today)?;
            contacts::set_attachment(conn, d.contact, None)?;
        }
    }
    sink.finish()?;
    drop(sink);
    file.commit()?;
    Ok(summary)
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn print_report_json_keys_in_order_and_display_lists_letters_skips_and_file() {
        let s = PrintSummary {
            printed: BTreeMap::from([("L1".to_string(), 2)]),
            skipped: BTreeMap::from([("closed".to_string(), 1)]),
        };
        let r = PrintReport {
            out: "letters.pdf".into(),
            summary: &s,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"out":"letters.pdf","printed":{"L1":2},"skipped":{"closed":1}}"#
        );
        assert_eq!(
            r.to_string(),
            format!(
                "letters printed: 2\n  {:<40} 2\n  skipped: {:<31} 1\nfile: letters.pdf\n",
                "L1", "closed"
            )
        );
    }
}
