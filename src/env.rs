//! What every command shares: the database path, the home directory for maps,
//! reports and plans, the reproducible clock (README "Using it"). How results are shown
//! (`--json`, `--quiet`) is the command line's business: `cli::CliEnv`.

use chrono::{NaiveDate, NaiveTime};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Env {
    pub db: PathBuf,
    /// Where `maps/`, `reports/`, `plans/` and `odbcsync/` are looked up.
    pub home: PathBuf,
    pub today: NaiveDate,
    pub now: NaiveTime,
    /// `--odbc-log FILE`: each ODBC statement with its values (never the password).
    pub odbc_log: Option<PathBuf>,
}

impl Env {
    /// An environment for tests and library callers: today pinned.
    pub fn for_db(db: impl Into<PathBuf>, today: NaiveDate) -> Env {
        Env {
            db: db.into(),
            home: PathBuf::from("."),
            today,
            now: NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default(),
            odbc_log: None,
        }
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

/// Measurements the benchmarks print (docs/architecture.md: figures, never timed assertions).
pub mod measure {
    fn status_kb(key: &str) -> Option<f64> {
        let s = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = s.lines().find(|l| l.starts_with(key))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Peak resident memory of this process in MB (VmHWM; 0 where /proc is absent).
    pub fn peak_rss_mb() -> f64 {
        status_kb("VmHWM:").map_or(0.0, |kb| kb / 1024.0)
    }

    /// CPU seconds (user + system) this process has used, from /proc/self/stat.
    pub fn cpu_seconds() -> f64 {
        let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
            return 0.0;
        };
        // Fields after the command name (which may hold spaces) start after ')'.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| {
            fields
                .get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        // utime and stime are fields 14 and 15 of stat, 11 and 12 after the state field.
        (ticks(11) + ticks(12)) / 100.0
    }
}
