//! `recoup letters service`, `recoup letters print`, `recoup ncoa import`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Subcommand;

use super::{parse_date, CliEnv};
use crate::letters::service::{run, Format, ServiceOptions};
use crate::store::{settings, Store};
use crate::{bail, Result};

#[allow(clippy::too_many_arguments)]
pub fn service(
    env: &CliEnv,
    from: NaiveDate,
    to: NaiveDate,
    out: &Path,
    format: Option<&str>,
    k03: bool,
    print_unverified: bool,
    cosigners: bool,
    mark_done: bool,
    summary_file: Option<&Path>,
) -> Result<()> {
    let mut store = Store::open_existing(&env.db)?;
    let tx = store.begin()?;
    let format = match format
        .map(str::to_string)
        .or(settings::get(&tx, "letter_service", "format")?)
        .as_deref()
    {
        None | Some("ontario") => Format::Ontario,
        Some("csv") => Format::Csv,
        Some(f) => bail!(config, "--format '{f}': ontario or csv"),
    };
    let k03 = k03 || settings::get_bool(&tx, "letter_service", "k03")?.unwrap_or(false);
    let opts = ServiceOptions {
        from,
        to,
        format,
        k03,
        print_unverified,
        cosigners,
        mark_done,
    };
    let (bytes, summary) = run(env, &tx, &opts)?;
    crate::output::write_file(out, &bytes)?;
    // Without --mark-done the transaction is dropped: nothing changes.
    if mark_done {
        tx.commit()?;
        crate::cli::stdio::committed(format_args!("letters service contacts marked done"));
    }
    for w in &summary.warnings {
        crate::cli::stdio::stderr_fmt(format_args!("warning: {w}\n"));
    }
    if let Some(p) = summary_file {
        crate::output::write_file(p, summary.to_string().as_bytes())?;
    }
    let report = summary.report(out.display().to_string());
    if env.json {
        crate::summaryln!(out, "{}", super::json_line(&report)?)?;
    } else {
        crate::cli::stdio::summary_fmt(crate::output::is_stdout(out), format_args!("{report}"))?;
    }
    Ok(())
}

pub fn print(
    env: &CliEnv,
    from: NaiveDate,
    to: NaiveDate,
    out: &Path,
    mark_done: bool,
) -> Result<()> {
    let pdf = !out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"));
    let mut store = Store::open_existing(&env.db)?;
    let tx = store.begin()?;
    let s = crate::letters::print::print_letters(env, &tx, from, to, out, pdf, mark_done)?;
    if mark_done {
        tx.commit()?;
        crate::cli::stdio::committed(format_args!("printed letters' contacts marked done"));
    }
    let report = crate::letters::print::PrintReport {
        out: out.display().to_string(),
        summary: &s,
    };
    if env.json {
        crate::summaryln!(out, "{}", super::json_line(&report)?)?;
    } else {
        crate::cli::stdio::summary_fmt(crate::output::is_stdout(out), format_args!("{report}"))?;
    }
    Ok(())
}

pub fn ncoa_import(env: &CliEnv, file: &Path, map: Option<&Path>) -> Result<()> {
    if let Some(map) = map {
        // A site's own NCOA layout runs as an ordinary import map.
        let map = map.to_string_lossy();
        return super::import::import(env, &map, file, &crate::import::ImportOptions::default());
    }
    let mut store = Store::open_existing(&env.db)?;
    let tx = store.begin()?;
    let bytes = super::input::read_all(file)?;
    let s = crate::letters::ncoa::import(env, &tx, &bytes)?;
    tx.commit()?;
    crate::cli::stdio::committed(format_args!("NCOA returns from {}", file.display()));
    for (line, why) in &s.rejected {
        crate::cli::stdio::stderr_fmt(format_args!("warning: {}:{line}: {why}\n", file.display()));
    }
    if env.json {
        crate::outln!("{}", super::json_line(&s)?)?;
    } else {
        crate::out!("{s}")?;
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum LettersCmd {
    /// Write the due letters to a letter-service file for the mail house
    #[command(
        after_help = "Example:\n  recoup letters service --from 2024-07-01 --to 2024-07-31 --out ls.txt --mark-done"
    )]
    Service {
        /// First due date of the letters (YYYY-MM-DD)
        #[arg(long, value_parser = parse_date)]
        from: NaiveDate,
        /// Last due date of the letters (YYYY-MM-DD)
        #[arg(long, value_parser = parse_date)]
        to: NaiveDate,
        /// The letter-service file to write
        #[arg(long)]
        out: PathBuf,
        /// Layout (default: the setup's letter service format)
        #[arg(long, value_parser = ["ontario", "csv"])]
        format: Option<String>,
        /// Precede good addresses with #K#03 and the id too
        #[arg(long)]
        k03: bool,
        /// Write letters to unverified addresses without NCOA instead of skipping them
        #[arg(long = "print-unverified")]
        print_unverified: bool,
        /// Each reportable cosigner gets its own letter
        #[arg(long)]
        cosigners: bool,
        /// Complete the contacts written (skipped ones stay In Progress with 0/1)
        #[arg(long = "mark-done")]
        mark_done: bool,
        /// Also write the batch summary (letters written, skipped and why) to this file
        #[arg(long)]
        summary: Option<PathBuf>,
    },
    /// Print the due letters in-house into one PDF (or .txt)
    #[command(
        after_help = "Example:\n  recoup letters print --from 2024-07-01 --to 2024-07-31 --out letters.pdf"
    )]
    Print {
        /// First due date of the letters (YYYY-MM-DD)
        #[arg(long, value_parser = parse_date)]
        from: NaiveDate,
        /// Last due date of the letters (YYYY-MM-DD)
        #[arg(long, value_parser = parse_date)]
        to: NaiveDate,
        /// The file to write (.pdf, or .txt for text)
        #[arg(long)]
        out: PathBuf,
        /// Complete the letter contacts printed
        #[arg(long = "mark-done")]
        mark_done: bool,
    },
}

#[derive(Subcommand)]
pub enum NcoaCmd {
    /// Apply a returned NCOA file (id,address,address1,city,state,zip; id D1400 or C1400)
    #[command(after_help = "Example:\n  recoup ncoa import returned.coa")]
    Import {
        /// The returned NCOA file
        file: PathBuf,
        /// Read the file through this import map instead
        #[arg(long)]
        map: Option<PathBuf>,
    },
}
