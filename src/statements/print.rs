//! `recoup statements print`: each statement through its remit type's report body
//! (Statement, GStatement, CStatement; S2:482-517) as PDF, text or a CSV of its lines,
//! plus `cheques.csv` for the statements with a cheque.

use std::path::{Path, PathBuf};

use crate::store::Db;
use chrono::NaiveDate;

use crate::money::from_cents;
use crate::output::OutputFile;
use crate::report::pdf::PdfSink;
use crate::report::{RunOptions, Sink, TextSink};
use crate::store::report_source::SqliteSource;
use crate::store::statements::{self as store, StatementHeader as Row};
use crate::{bail, Env, Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintFormat {
    Pdf,
    Text,
    Csv,
}

impl PrintFormat {
    pub fn parse(s: &str) -> Option<PrintFormat> {
        Some(match s {
            "pdf" => PrintFormat::Pdf,
            "text" | "txt" => PrintFormat::Text,
            "csv" => PrintFormat::Csv,
            _ => return None,
        })
    }
    fn extension(self) -> &'static str {
        match self {
            PrintFormat::Pdf => "pdf",
            PrintFormat::Text => "txt",
            PrintFormat::Csv => "csv",
        }
    }
}

/// Which statements: one by number, or those whose period lies in a date range.
pub enum Selection {
    Number(i64),
    Period(NaiveDate, NaiveDate),
}

/// The report body of a remit type.
pub fn body_for(remit: &str) -> &'static str {
    match remit {
        "G" => "gstatement",
        "C" => "cstatement",
        _ => "statement",
    }
}

fn select(conn: &Db, sel: &Selection) -> Result<Vec<Row>> {
    match sel {
        Selection::Number(n) => store::statement_headers_by_number(conn, *n),
        Selection::Period(f, t) => store::statement_headers_in_period(conn, *f, *t),
    }
}

/// Finish a CSV file: flush the csv writer and put the file in place.
fn commit_csv(w: csv::Writer<OutputFile>, path: &Path) -> Result<()> {
    w.into_inner()
        .map_err(|e| Error::io(path, e.into_error()))?
        .commit()
}

/// The invoice lines of a statement as CSV, in invoice-line order.
fn write_lines_csv(conn: &Db, nu: i64, path: &Path) -> Result<()> {
    let mut w = csv::Writer::from_writer(OutputFile::create(path)?);
    let io = |e: csv::Error| Error::io(path, e);
    w.write_record([
        "file",
        "name",
        "acct",
        "date",
        "summary",
        "type",
        "payment_date",
        "posted_date",
        "to_us",
        "direct",
        "commission",
        "tax",
        "return",
    ])
    .map_err(io)?;
    for line in store::invoice_lines(conn, nu)? {
        let mut rec: Vec<String> = Vec::with_capacity(13);
        for text in line.texts {
            rec.push(text.unwrap_or_default());
        }
        for cents in line.cents {
            rec.push(format!("{:.2}", from_cents(cents.unwrap_or(0))));
        }
        w.write_record(&rec).map_err(io)?;
    }
    commit_csv(w, path)
}

/// The files `recoup statements print` wrote: `--json` is its serialisation, one path a
/// line its `Display`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PrintedFiles {
    pub files: Vec<String>,
}

impl PrintedFiles {
    pub fn new(files: &[PathBuf]) -> PrintedFiles {
        PrintedFiles {
            files: files.iter().map(|p| p.display().to_string()).collect(),
        }
    }
}

impl std::fmt::Display for PrintedFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.files.iter().try_for_each(|file| writeln!(f, "{file}"))
    }
}

/// Print the selected statements into `out`; returns the files written.
pub fn print(
    env: &Env,
    conn: &Db,
    sel: &Selection,
    out: &Path,
    format: PrintFormat,
) -> Result<Vec<PathBuf>> {
    let rows = select(conn, sel)?;
    if rows.is_empty() {
        bail!(runtime, "no statements match");
    }
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let src = SqliteSource::new(conn);
    let mut written = Vec::new();
    for row in &rows {
        let path = out.join(format!("{}-{}.{}", row.client, row.nu, format.extension()));
        if format == PrintFormat::Csv {
            write_lines_csv(conn, row.nu, &path)?;
        } else {
            let report = crate::report::locate::load(env, body_for(&row.remit))?;
            let mut opts = RunOptions::new(env.today);
            opts.now = env.now;
            opts.ids = vec![row.nu];
            let mut file = OutputFile::create(&path)?;
            let mut sink: Box<dyn Sink + '_> = match format {
                PrintFormat::Pdf => Box::new(PdfSink::new(
                    &mut file,
                    &format!("{} {}", report.front.name, row.nu),
                    report.front.page_length,
                )),
                _ => Box::new(TextSink::new(&mut file)),
            };
            crate::report::run(&report, &src, sink.as_mut(), &opts)?;
            drop(sink);
            file.commit()?;
        }
        written.push(path);
    }
    // The cheque register: one row per statement with a cheque.
    let cheques = out.join("cheques.csv");
    let mut w = csv::Writer::from_writer(OutputFile::create(&cheques)?);
    let io = |e: csv::Error| Error::io(&cheques, e);
    w.write_record(["statement", "client", "payee", "date", "amount"])
        .map_err(io)?;
    for row in rows.iter().filter(|r| r.cheque > 0) {
        w.write_record([
            row.nu.to_string(),
            row.client.to_string(),
            row.client_name.clone(),
            row.date.clone(),
            format!("{:.2}", from_cents(row.cheque)),
        ])
        .map_err(io)?;
    }
    commit_csv(w, &cheques)?;
    written.push(cheques);
    Ok(written)
}
