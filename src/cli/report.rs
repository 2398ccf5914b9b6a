//! `recoup report run` and `recoup report check` (docs/report-language.md).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::CliEnv;
use crate::output::OutputFile;
use crate::report::front::StartOn;
use crate::report::locate::load;
use crate::report::pdf::PdfSink;
use crate::report::sink::{Sink, TextSink};
use crate::report::RunOptions;
use crate::store::report_source::SqliteSource;
use crate::store::Store;
use crate::{bail, Error, Result};

/// Arguments of `recoup report run`.
#[derive(Debug, Default, Clone)]
pub struct RunArgs {
    pub report: String,
    pub debtors: Vec<i64>,
    pub clients: Vec<i64>,
    pub filter: Option<String>,
    pub out: Option<PathBuf>,
    /// `text` or `pdf`; default from the `--out` extension, else text.
    pub format: Option<String>,
    /// `name=value`
    pub vars: Vec<String>,
}

/// `recoup report check REPORT`: every problem with line:column; exit 2 on errors.
pub fn check(env: &CliEnv, name: &str) -> Result<()> {
    let rep = load(env, name)?;
    let errors = rep.errors().count();
    let warnings = rep.diags.len() - errors;
    if env.json {
        let list = |w: bool| -> Vec<serde_json::Value> {
            rep.diags
                .iter()
                .filter(|d| d.warning == w)
                .map(|d| {
                    serde_json::json!({"line": d.span.line, "column": d.span.col, "message": d.message})
                })
                .collect()
        };
        crate::outln!(
            "{}",
            serde_json::json!({"report": rep.origin, "name": rep.front.name, "errors": list(false), "warnings": list(true)})
        )?;
    } else {
        for d in &rep.diags {
            let tag = if d.warning { "warning" } else { "error" };
            crate::cli::stdio::stderr_fmt(format_args!("{tag}: {}\n", rep.describe(d)));
        }
    }
    if errors > 0 {
        return Err(Error::config(format!(
            "{}: {errors} error(s), {warnings} warning(s)",
            rep.origin
        )));
    }
    if !env.json {
        crate::outln!("{}: ok ({warnings} warning(s))", rep.origin)?;
    }
    Ok(())
}

/// `recoup report run REPORT …`
pub fn run(env: &CliEnv, args: &RunArgs) -> Result<()> {
    let rep = load(env, &args.report)?;
    rep.ensure_valid()?;
    for d in rep.diags.iter().filter(|d| d.warning) {
        crate::cli::stdio::stderr_fmt(format_args!("warning: {}\n", rep.describe(d)));
    }
    let mut opts = RunOptions::new(env.today);
    opts.now = env.now;
    opts.ids = match rep.front.start_on {
        StartOn::Debtor if args.clients.is_empty() => args.debtors.clone(),
        StartOn::Client if args.debtors.is_empty() => args.clients.clone(),
        StartOn::Anywhere | StartOn::Statement
            if args.debtors.is_empty() && args.clients.is_empty() =>
        {
            vec![]
        }
        s => bail!(
            config,
            "{}: the report starts on {}; --debtor/--client do not apply",
            rep.origin,
            format!("{s:?}").to_lowercase()
        ),
    };
    if let Some(w) = &args.filter {
        if rep.front.start_on == StartOn::Anywhere {
            bail!(
                config,
                "{}: --where needs a report that starts on a record",
                rep.origin
            );
        }
        opts.filter = Some(super::parse_where(w)?.into_cond());
    }
    for v in &args.vars {
        let Some((k, val)) = v.split_once('=') else {
            bail!(config, "--var '{v}': expected name=value");
        };
        opts.vars.push((k.trim().to_string(), val.to_string()));
    }
    let pdf = match args.format.as_deref() {
        Some("pdf") => true,
        Some("text") => false,
        Some(f) => bail!(config, "--format '{f}': expected text or pdf"),
        None => args
            .out
            .as_ref()
            .and_then(|p| p.extension())
            .is_some_and(|e| e.eq_ignore_ascii_case("pdf")),
    };
    let store = Store::open_existing(&env.db)?;
    let src = SqliteSource::new(store.conn());
    let mut file = args.out.as_deref().map(OutputFile::create).transpose()?;
    let writer: Box<dyn Write + '_> = match file.as_mut() {
        Some(f) => Box::new(f),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut sink: Box<dyn Sink + '_> = if pdf {
        Box::new(PdfSink::new(writer, &rep.front.name, rep.front.page_length))
    } else {
        Box::new(
            TextSink::new(writer)
                .crlf(rep.front.line_ending == crate::report::front::LineEnding::Crlf),
        )
    };
    let stats = if env.show_progress() {
        let mut p = Progress::new(sink.as_mut());
        let r = crate::report::run(&rep, &src, &mut p, &opts);
        p.bar.finish_and_clear();
        r?
    } else {
        crate::report::run(&rep, &src, sink.as_mut(), &opts)?
    };
    drop(sink);
    if let Some(f) = file {
        f.commit()?;
    }
    if let Some(p) = &args.out {
        let warnings = rep.diags.iter().filter(|d| d.warning).count();
        summary(env, p, &stats, pdf, warnings)?;
    }
    Ok(())
}

fn summary(
    env: &CliEnv,
    out: &Path,
    s: &crate::report::RunStats,
    pdf: bool,
    warnings: usize,
) -> Result<()> {
    let report = s.report(out, pdf, warnings);
    if env.json {
        crate::summaryln!(out, "{}", super::json_line(&report)?)?;
    } else {
        crate::summaryln!(out, "{report}")?;
    }
    Ok(())
}

/// A spinner on stderr counting output lines (README "Using it": long work shows progress).
struct Progress<'s> {
    inner: &'s mut dyn Sink,
    bar: indicatif::ProgressBar,
    lines: u64,
}

impl<'s> Progress<'s> {
    fn new(inner: &'s mut dyn Sink) -> Self {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} report: {pos} lines {per_sec}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        Progress {
            inner,
            bar,
            lines: 0,
        }
    }
}

impl Sink for Progress<'_> {
    fn line(&mut self, line: &crate::report::LineBuf) -> Result<()> {
        self.lines += 1;
        if self.lines.is_multiple_of(4096) {
            self.bar.set_position(self.lines);
        }
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
    fn finish(&mut self) -> Result<()> {
        self.inner.finish()
    }
}

#[derive(Subcommand)]
pub enum ReportCmd {
    /// Run a report to text or PDF
    #[command(
        after_help = "Examples:\n  recoup report run debtor-listing --client 1001\n  recoup report run reports/collection-letter.rpt --debtor 1000 --out letter.pdf"
    )]
    Run {
        /// A report file, or a name looked up as reports/NAME.rpt
        report: String,
        /// Start on these debtors (file numbers)
        #[arg(long = "debtor")]
        debtors: Vec<i64>,
        /// Start on these clients (client numbers)
        #[arg(long = "client")]
        clients: Vec<i64>,
        /// Start only on records meeting this condition (`@de.sta = ACT`)
        #[arg(long = "where")]
        filter: Option<String>,
        /// Write here instead of standard output
        #[arg(long)]
        out: Option<PathBuf>,
        /// text | pdf (default: from --out's extension, else text)
        #[arg(long)]
        format: Option<String>,
        /// Set a variable: --var Name=value sets @varName
        #[arg(long = "var")]
        vars: Vec<String>,
    },
    /// Parse and type-check a report; every problem with line:column (exit 2)
    #[command(after_help = "Example:\n  recoup report check reports/collection-letter.rpt")]
    Check {
        /// A report file, or a name looked up as reports/NAME.rpt
        report: String,
    },
}
