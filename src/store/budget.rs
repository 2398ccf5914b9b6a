//! A time budget for one query (docs/report-language.md `@SQL`): SQLite's progress handler, installed
//! on every store connection, interrupts the statement running on this thread once
//! the deadline set by [`within`] has passed. Without a deadline it does nothing.

use std::cell::Cell;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// Virtual-machine steps between two looks at the deadline: rare enough to cost
/// nothing measurable, often enough to stop within milliseconds.
const STEPS: i32 = 10_000;

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Install the handler on a connection (the store does, when it opens one).
pub fn install(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.progress_handler(STEPS, Some(past_deadline))
}

fn past_deadline() -> bool {
    DEADLINE.with(|d| d.get().is_some_and(|at| Instant::now() >= at))
}

/// Run `f` with statements on this thread interrupted after `budget`. The second
/// value says whether the budget ran out (the statement then failed "interrupted").
pub fn within<T>(budget: Duration, f: impl FnOnce() -> T) -> (T, bool) {
    let start = Instant::now();
    let previous = DEADLINE.with(|d| d.replace(Some(start + budget)));
    let out = f();
    DEADLINE.with(|d| d.set(previous));
    (out, start.elapsed() >= budget)
}

/// How long one `@SQL` query may run before it is stopped.
pub const DEFAULT_SQL_BUDGET: Duration = Duration::from_secs(10);

/// The `@SQL` budget: `RECOUP_SQL_BUDGET` (seconds, decimals allowed), else 10 s
/// (docs/limits.md).
pub fn sql_budget() -> crate::Result<Duration> {
    match std::env::var("RECOUP_SQL_BUDGET") {
        Ok(v) => super::busy::parse_seconds(&v).ok_or_else(|| {
            crate::Error::config(format!(
                "RECOUP_SQL_BUDGET '{v}' is not a number of seconds (e.g. 10 or 0.5)"
            ))
        }),
        Err(_) => Ok(DEFAULT_SQL_BUDGET),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_that_never_ends_is_interrupted_and_others_run() {
        let mut conn = Connection::open_in_memory().unwrap();
        install(&mut conn).unwrap();
        let endless =
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r";
        let (res, ran_out) = within(Duration::from_millis(100), || {
            conn.query_row(endless, [], |r| r.get::<_, i64>(0))
        });
        assert!(ran_out);
        assert_eq!(
            res.unwrap_err().sqlite_error_code(),
            Some(rusqlite::ErrorCode::OperationInterrupted)
        );
        // Outside a budget nothing is interrupted.
        let n: i64 = conn
            .query_row(
                "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 200000) SELECT count(*) FROM r",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 200_000);
    }
}
