//! What every command shares: the database path, the home directory for maps,
//! reports and plans, the reproducible clock, and output switches (SPEC §1).

use chrono::{NaiveDate, NaiveTime};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Env {
    pub db: PathBuf,
    /// Where `maps/`, `reports/`, `plans/` and `odbcsync/` are looked up.
    pub home: PathBuf,
    pub today: NaiveDate,
    pub now: NaiveTime,
    pub quiet: bool,
    pub json: bool,
    /// `--odbc-log FILE`: each ODBC statement with its values (never the password).
    pub odbc_log: Option<PathBuf>,
}

impl Env {
    /// An environment for tests and library callers: today pinned, quiet.
    pub fn for_db(db: impl Into<PathBuf>, today: NaiveDate) -> Env {
        Env {
            db: db.into(),
            home: PathBuf::from("."),
            today,
            now: NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default(),
            quiet: true,
            json: false,
            odbc_log: None,
        }
    }

    /// True when a progress bar may be drawn (stderr is a terminal and not `--quiet`).
    pub fn show_progress(&self) -> bool {
        use std::io::IsTerminal;
        !self.quiet && std::io::stderr().is_terminal()
    }

    /// A path under the home directory (`maps/acme.toml`), or the path itself when it
    /// names an existing file.
    pub fn home_path(&self, dir: &str, name: &str) -> PathBuf {
        let direct = PathBuf::from(name);
        if direct.is_file() {
            return direct;
        }
        self.home.join(dir).join(name)
    }
}
