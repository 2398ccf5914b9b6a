//! `recoup metro2 validate`, `print` and `generate` (docs/metro2.md).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use clap::Subcommand;

use super::{parse_date, CliEnv};
use crate::error::Place;
use crate::metro2::{generate, Profile};
use crate::{Error, Result};

/// `recoup metro2 validate FILE [--profile crrg|collection] [--json]`.
pub fn validate(env: &CliEnv, path: &Path, profile: Option<&str>) -> Result<()> {
    let profile = match profile {
        None => Profile::Crrg,
        Some(p) => Profile::parse(p)
            .ok_or_else(|| Error::config(format!("unknown profile '{p}' (crrg or collection)")))?,
    };
    let input = super::input::open(path)?;
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
    let report = crate::metro2::validate::validate(src, profile);
    bar.finish_and_clear();
    if let Some(e) = &report.io_error {
        return Err(Error::io(Path::new(&super::input::label(path)), e.clone()));
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if env.json {
        serde_json::to_writer(&mut out, &report).map_err(|e| Error::runtime(e.to_string()))?;
        writeln!(out)?;
    } else {
        write!(out, "{}", report.text(&super::input::label(path)))?;
    }
    out.flush()?;
    if report.has_errors() {
        return Err(Error::validation(format!(
            "{} error(s), {} warning(s)",
            report.counts.errors, report.counts.warnings
        ))
        .at(Place::file(super::input::label(path))));
    }
    Ok(())
}

/// `recoup metro2 print FILE [--json]`.
pub fn print(env: &CliEnv, path: &Path) -> Result<()> {
    let input = super::input::open(path)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    crate::metro2::print::print(std::io::BufReader::new(input.reader), env.json, &mut out)
        .map_err(|e| Error::io(Path::new(&super::input::label(path)), e))?;
    out.flush()?;
    Ok(())
}

/// `recoup metro2 generate`: open the database, generate, print the summary.
pub fn generate_command(env: &CliEnv, opts: &generate::GenerateOptions) -> Result<()> {
    let mut store = crate::store::Store::open_existing(&env.db)?;
    let mut warn = std::io::BufWriter::new(std::io::stderr());
    let summary = generate::generate(store.conn_mut(), env, opts, &mut warn);
    warn.flush()?;
    let summary = summary?;
    if opts.mark_done {
        crate::cli::stdio::committed(format_args!(
            "Metro 2 report history of {} account(s) as of {}",
            summary.marked_done, summary.as_of
        ));
    }
    // With --out - the file went to stdout: the summary goes to stderr.
    let mut out: Box<dyn Write> = if crate::output::is_stdout(&opts.out) {
        Box::new(std::io::stderr())
    } else {
        Box::new(BufWriter::new(std::io::stdout().lock()))
    };
    let printed = (|| -> std::io::Result<()> {
        if env.json {
            serde_json::to_writer(&mut out, &summary)?;
            writeln!(out)?;
        } else if !env.quiet {
            write!(out, "{summary}")?;
        }
        out.flush()
    })();
    printed.map_err(|e| Error::runtime(format!("standard output: {e}")))
}

#[derive(Subcommand)]
pub enum Metro2Cmd {
    /// Check a Metro 2 file; every finding is listed; exit 3 on any error
    #[command(after_help = "Example:\n  recoup metro2 validate metro2.txt --profile collection")]
    Validate {
        /// The Metro 2 file
        file: PathBuf,
        /// crrg (default) or collection (adds the collection-agency rules)
        #[arg(long)]
        profile: Option<String>,
    },
    /// Dump a Metro 2 file field by field
    #[command(after_help = "Example:\n  recoup metro2 print metro2.txt")]
    Print {
        /// The Metro 2 file
        file: PathBuf,
    },
    /// Build the Metro 2 file of the accounts reported to the bureaus
    #[command(
        after_help = "Example:\n  recoup metro2 generate --out metro2.txt --as-of 2024-07-31 --mark-done"
    )]
    Generate {
        /// The Metro 2 file to write
        #[arg(long)]
        out: PathBuf,
        /// Activity Date and Date of Account Information of open accounts (default today)
        #[arg(long = "as-of", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// Keep only this bureau's program identifier in the header
        #[arg(long, value_parser = ["equifax", "experian", "transunion"])]
        bureau: Option<String>,
        /// No line ending after the records
        #[arg(long)]
        no_newline: bool,
        /// Record the report history and forward each Metro contact
        #[arg(long)]
        mark_done: bool,
        /// Write the file even when the header fails validation
        #[arg(long)]
        force: bool,
    },
}
