//! `recoup import` and `recoup export` (docs/import-maps.md).

use std::path::Path;

use super::CliEnv;
use crate::import::ImportOptions;
use crate::progress::Progress;
use crate::{Error, Result};

/// `recoup import`: run, print the summary (table or `--json`), exit 3 under
/// `--strict` when records were rejected.
pub fn import(env: &CliEnv, map: &str, file: &Path, opts: &ImportOptions) -> Result<()> {
    if opts.review && super::input::is_stdin(file) {
        // The review prompt reads its answers from standard input.
        return Err(Error::config(
            "--review reads answers from standard input, so the file cannot be '-'",
        ));
    }
    let opened = super::input::open(file)?;
    let input = crate::import::run::ImportInput {
        reader: opened.reader,
        size: opened.size,
        label: super::input::label(file),
        default_rejects: default_rejects_path(file),
    };
    let mut review = if opts.review {
        crate::import::Review::asking(std::io::stdin(), std::io::stderr())
    } else {
        crate::import::Review::off()
    };
    let bar = env.show_progress().then(Bar::bytes);
    let summary = crate::import::run::run(
        env,
        map,
        input,
        opts,
        &mut review,
        bar.as_ref().map(|b| b as &dyn Progress),
    )?;
    if let Some(bar) = bar {
        bar.0.finish_and_clear();
    }
    if summary.committed {
        crate::cli::stdio::committed(format_args!(
            "import of {} (batch {})",
            file.display(),
            summary.batch
        ));
    }
    if env.json {
        crate::outln!("{}", summary.to_json())?;
    } else {
        crate::out!("{summary}")?;
    }
    if opts.strict && summary.rejected > 0 {
        return Err(Error::validation(format!(
            "{} record(s) rejected; nothing committed (--strict){}",
            summary.rejected,
            summary
                .rejects_file
                .as_deref()
                .map(|f| format!("; see {f}"))
                .unwrap_or_default()
        )));
    }
    Ok(())
}

/// `FILE.rejects.csv` beside the input; `stdin.rejects.csv` in the current
/// directory when the input is standard input.
fn default_rejects_path(file: &Path) -> std::path::PathBuf {
    if super::input::is_stdin(file) {
        return std::path::PathBuf::from("stdin.rejects.csv");
    }
    let mut p = file.as_os_str().to_owned();
    p.push(".rejects.csv");
    std::path::PathBuf::from(p)
}

/// `recoup export MAP --out FILE [--where …]`.
pub fn export(env: &CliEnv, map: &str, out: &Path, filter: Option<&str>) -> Result<()> {
    let filter = filter.map(super::parse_where).transpose()?;
    let done = crate::import::export::run(env, map, out, filter.as_ref())?;
    for w in &done.warnings {
        crate::cli::stdio::stderr_fmt(format_args!("warning: {w}\n"));
    }
    let report = done.report(out);
    if env.json {
        crate::summaryln!(out, "{}", super::json_line(&report)?)?;
    } else {
        crate::summaryln!(out, "{report}")?;
    }
    Ok(())
}

/// The import's progress bar on the standard error: bytes read of the input's size.
struct Bar(indicatif::ProgressBar);

impl Bar {
    fn bytes() -> Bar {
        let pb = indicatif::ProgressBar::new(0);
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {per_sec} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Bar(pb)
    }
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }
    fn advance(&self, done: u64) {
        self.0.inc(done);
    }
}
