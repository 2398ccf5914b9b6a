//! Finding a report by name: a path, `home/reports/NAME.rpt`, or a shipped report
//! embedded in the binary. The command line and the statements both load reports.

use std::path::PathBuf;

use crate::report::Report;
use crate::{bail, Env, Result};

/// A report given as a path is read from there; a bare name from `home/reports/NAME.rpt`.
pub fn locate(env: &Env, name: &str) -> PathBuf {
    let direct = PathBuf::from(name);
    if direct.is_file() || name.contains('/') || name.contains('\\') {
        return direct;
    }
    let file = if name.ends_with(".rpt") {
        name.to_string()
    } else {
        format!("{name}.rpt")
    };
    env.home.join("reports").join(file)
}

/// Shipped reports other commands rely on, embedded so they work from any directory
/// (README "Using it"); a file in `reports/` takes precedence.
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "export-client-notes",
        include_str!("../../reports/export-client-notes.rpt"),
    ),
    ("statement", include_str!("../../reports/statement.rpt")),
    ("gstatement", include_str!("../../reports/gstatement.rpt")),
    ("cstatement", include_str!("../../reports/cstatement.rpt")),
];

/// Load a report by path or name, falling back to the embedded copy of a shipped one.
pub fn load(env: &Env, name: &str) -> Result<Report> {
    let path = locate(env, name);
    if !path.is_file() {
        let stem = name.trim_end_matches(".rpt");
        if let Some((n, text)) = EMBEDDED.iter().find(|(n, _)| *n == stem) {
            return Ok(Report::parse(text, &format!("(embedded) reports/{n}.rpt")));
        }
        let mut known = crate::suggest::names_in(&env.home.join("reports"), "rpt");
        known.extend(EMBEDDED.iter().map(|(n, _)| n.to_string()));
        bail!(
            config,
            "{}: no such report{}",
            path.display(),
            crate::suggest::did_you_mean(stem, known.iter().map(String::as_str))
        );
    }
    Report::load(&path)
}
