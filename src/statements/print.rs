//! `recoup statements print`: each statement through its remit type's report body
//! (Statement, GStatement, CStatement; S2:482-517) as PDF, text or a CSV of its lines,
//! plus `cheques.csv` for the statements with a cheque.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rusqlite::{params, Connection};

use crate::money::from_cents;
use crate::output::OutputFile;
use crate::report::pdf::PdfSink;
use crate::report::sqlite::SqliteSource;
use crate::report::{RunOptions, Sink, TextSink};
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

struct Row {
    nu: i64,
    client: i64,
    client_name: String,
    date: String,
    remit: String,
    cheque: i64,
}

fn select(conn: &Connection, sel: &Selection) -> Result<Vec<Row>> {
    let (sql, a, b) = match sel {
        Selection::Number(n) => ("s.nu = ?1 AND ?2 IS NULL".to_string(), n.to_string(), None),
        Selection::Period(f, t) => (
            "s.fr >= ?1 AND s.pto <= ?2".to_string(),
            f.format("%Y-%m-%d").to_string(),
            Some(t.format("%Y-%m-%d").to_string()),
        ),
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT s.nu, s.cl, COALESCE((SELECT na FROM client WHERE nu = s.cl), ''), s.dt, COALESCE(s.rm, 'N'), COALESCE(s.ck, 0)
         FROM statement s WHERE {sql} ORDER BY s.nu"
    ))?;
    let rows = stmt
        .query_map(params![a, b], |r| {
            Ok(Row {
                nu: r.get(0)?,
                client: r.get(1)?,
                client_name: r.get(2)?,
                date: r.get(3)?,
                remit: r.get(4)?,
                cheque: r.get(5)?,
            })
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Finish a CSV file: flush the csv writer and put the file in place.
fn commit_csv(w: csv::Writer<OutputFile>, path: &Path) -> Result<()> {
    w.into_inner()
        .map_err(|e| Error::io(path, e.into_error()))?
        .commit()
}

/// The invoice lines of a statement as CSV, in invoice-line order.
fn write_lines_csv(conn: &Connection, nu: i64, path: &Path) -> Result<()> {
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
    let mut stmt = conn.prepare(
        "SELECT fi, na, ac, dt, su, ty, py, pd, tu, di, cm, tx, rt FROM invoice_line WHERE st = ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([nu])?;
    while let Some(r) = rows.next()? {
        let mut rec: Vec<String> = Vec::with_capacity(13);
        for i in 0..8 {
            rec.push(r.get::<_, Option<String>>(i)?.unwrap_or_default());
        }
        for i in 8..13 {
            rec.push(format!(
                "{:.2}",
                from_cents(r.get::<_, Option<i64>>(i)?.unwrap_or(0))
            ));
        }
        w.write_record(&rec).map_err(io)?;
    }
    commit_csv(w, path)
}

/// Print the selected statements into `out`; returns the files written.
pub fn print(
    env: &Env,
    conn: &Connection,
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
