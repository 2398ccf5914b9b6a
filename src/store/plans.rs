//! Contact plan runs: the debtors a plan runs over and the state it keeps.

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;

use super::Db;
use crate::Result;

/// Every debtor's file number, in no particular order.
pub fn all_debtors(conn: &Db) -> Result<Vec<i64>> {
    let rows = conn
        .prepare_cached(crate::sql!("SELECT {de.fi} FROM debtor")?)?
        .query_map([], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    Ok(rows)
}

/// The file numbers of a client's debtors, in no particular order.
pub fn client_debtors(conn: &Db, client: i64) -> Result<Vec<i64>> {
    let rows = conn
        .prepare_cached(crate::sql!(
            "SELECT {de.fi} FROM debtor WHERE {de.cn} = ?1"
        )?)?
        .query_map([client], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    Ok(rows)
}

/// A debtor's status and operator (blank read as empty); an error when the debtor
/// does not exist.
pub fn debtor_status_operator(conn: &Db, fi: i64) -> Result<(String, String)> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT COALESCE({de.sta}, ''), COALESCE({de.op}, '') FROM debtor WHERE {de.fi} = ?1"
        )?)?
        .query_row([fi], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// An Activate event: mode A, no closed date.
pub fn activate_debtor(conn: &Db, fi: i64) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.mo} = 'A', {de.cld} = NULL WHERE {de.fi} = ?1"
    )?)?
    .execute([fi])?;
    Ok(())
}

/// A Close event: mode C, closed on `date`.
pub fn close_debtor(conn: &Db, fi: i64, date: NaiveDate) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.mo} = 'C', {de.cld} = ?2 WHERE {de.fi} = ?1"
    )?)?
    .execute(params![fi, date])?;
    Ok(())
}

/// A Status event: the debtor's new status.
pub fn set_debtor_status(conn: &Db, fi: i64, status: &str) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.sta} = ?2 WHERE {de.fi} = ?1"
    )?)?
    .execute(params![fi, status])?;
    Ok(())
}

/// A Sales event: the debtor's new sales person.
pub fn set_debtor_sales(conn: &Db, fi: i64, sales: &str) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.sa} = ?2 WHERE {de.fi} = ?1"
    )?)?
    .execute(params![fi, sales])?;
    Ok(())
}

/// A Rate event: the debtor's commission rate in percent, stored normalized
/// (`25.50` → `25.5`).
pub fn set_debtor_rate(conn: &Db, fi: i64, rate: Decimal) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.rt} = ?2 WHERE {de.fi} = ?1"
    )?)?
    .execute(params![fi, rate.normalize().to_string()])?;
    Ok(())
}

/// A Rate Plan event: the debtor's new rate plan code.
pub fn set_debtor_rate_plan(conn: &Db, fi: i64, plan: &str) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.rpl} = ?2 WHERE {de.fi} = ?1"
    )?)?
    .execute(params![fi, plan])?;
    Ok(())
}

/// An Operator event: the debtor's new operator.
pub fn set_debtor_operator(conn: &Db, fi: i64, operator: &str) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.op} = ?2 WHERE {de.fi} = ?1"
    )?)?
    .execute(params![fi, operator])?;
    Ok(())
}

/// The contact plan a status code runs when a debtor takes it (blank when it names
/// none); none for an unknown status.
pub fn status_plan(conn: &Db, status: &str) -> Result<Option<String>> {
    let plan: Option<Option<String>> = conn
        .prepare_cached("SELECT plan FROM status_code WHERE code = ?1")?
        .query_row([status], |r| r.get(0))
        .optional()?;
    Ok(plan.flatten())
}
