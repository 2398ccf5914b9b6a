//! Contact plan runs: what a plan reads beyond the debtor (its fields are read and set
//! in `debtors.rs`).

use rusqlite::OptionalExtension;

use super::Db;
use crate::Result;

/// The contact plan a status code runs when a debtor takes it (blank when it names
/// none); none for an unknown status.
pub fn status_plan(conn: &Db, status: &str) -> Result<Option<String>> {
    let plan: Option<Option<String>> = conn
        .prepare_cached("SELECT plan FROM status_code WHERE code = ?1")?
        .query_row([status], |r| r.get(0))
        .optional()?;
    Ok(plan.flatten())
}
