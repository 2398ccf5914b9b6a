//! Metro 2 (CDIA 426-character format): layout tables, reader, writer,
//! validator, printer and the collection-agency mapping (docs/metro2.md).
//!
//! ```text
//! layout  — one const table per record type; drives everything below
//! segment — a record/segment as bytes with typed put/get (refuses, never truncates)
//! write   — records → file, RDW computed, trailer totals recomputed
//! read    — tolerant streaming reader (lines, no breaks, 80-column wrap, BDW)
//! validate, rules, codes — every finding with record/segment/field/position/rule
//! build, text — AccountInput → base/J1/J2/K1; header from company details
//! cbr, generate — activation for reporting; the file from the database
//! ```

pub mod build;
pub mod cbr;
pub mod codes;
pub mod generate;
pub mod layout;
pub mod packed;
pub mod print;
pub mod read;
pub mod rules;
pub mod segment;
pub mod text;
pub mod validate;
pub mod write;

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::Place;
use crate::{Env, Error, Result};

pub use layout::SegKind;
pub use rules::{Profile, Severity};
pub use segment::Segment;
pub use validate::{Finding, Report};
pub use write::{LineEnding, Writer};

/// `recoup metro2 validate FILE [--profile crrg|collection] [--json]`.
pub fn validate_command(env: &Env, path: &Path, profile: Option<&str>) -> Result<()> {
    let profile = match profile {
        None => Profile::Crrg,
        Some(p) => Profile::parse(p)
            .ok_or_else(|| Error::config(format!("unknown profile '{p}' (crrg or collection)")))?,
    };
    let input = crate::input::open(path)?;
    let bar = if env.show_progress() {
        let bar = indicatif::ProgressBar::new(input.size.unwrap_or(0));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {bytes_per_sec}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let src = bar.wrap_read(std::io::BufReader::with_capacity(1 << 20, input.reader));
    let report = validate::validate(src, profile);
    bar.finish_and_clear();
    if let Some(e) = &report.io_error {
        return Err(Error::io(Path::new(&crate::input::label(path)), e.clone()));
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if env.json {
        serde_json::to_writer(&mut out, &report).map_err(|e| Error::runtime(e.to_string()))?;
        writeln!(out)?;
    } else {
        write_text_report(&mut out, path, &report)?;
    }
    out.flush()?;
    if report.has_errors() {
        return Err(Error::validation(format!(
            "{} error(s), {} warning(s)",
            report.counts.errors, report.counts.warnings
        ))
        .at(Place::file(crate::input::label(path))));
    }
    Ok(())
}

fn write_text_report(out: &mut dyn Write, path: &Path, r: &Report) -> std::io::Result<()> {
    for f in &r.findings {
        writeln!(
            out,
            "{}: record {} {f}",
            crate::input::label(path),
            f.record
        )?;
    }
    if !r.omitted.is_empty() {
        let more: u64 = r.omitted.values().sum();
        let per_rule: Vec<String> = r.omitted.iter().map(|(k, v)| format!("{k} {v}")).collect();
        writeln!(
            out,
            "{}: {more} more finding(s) not listed (only the first {} are): {}",
            crate::input::label(path),
            validate::MAX_FINDINGS,
            per_rule.join(", ")
        )?;
    }
    let c = &r.counts;
    writeln!(out, "{:<12} {:>10}", "record", "count")?;
    for (k, v) in [
        ("header", c.header),
        ("base", c.base),
        ("J1", c.j1),
        ("J2", c.j2),
        ("K1", c.k1),
        ("K2", c.k2),
        ("K3", c.k3),
        ("K4", c.k4),
        ("L1", c.l1),
        ("N1", c.n1),
        ("trailer", c.trailer),
        ("unreadable", c.unreadable),
        ("errors", c.errors),
        ("warnings", c.warnings),
    ] {
        writeln!(out, "{k:<12} {v:>10}")?;
    }
    Ok(())
}

/// `recoup metro2 print FILE [--json]`.
pub fn print_command(env: &Env, path: &Path) -> Result<()> {
    let input = crate::input::open(path)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    print::print(std::io::BufReader::new(input.reader), env.json, &mut out)
        .map_err(|e| Error::io(Path::new(&crate::input::label(path)), e))?;
    out.flush()?;
    Ok(())
}
