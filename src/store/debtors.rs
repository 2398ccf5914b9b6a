//! Debtor records: typed reads and writes of the debtor table beyond the generic
//! record functions in `records.rs` (totals, statuses, addresses, as-of reads).

use rusqlite::{params, Connection};

use crate::Result;

/// Set a debtor's arrangement amount per period (`de.arr`, cents).
pub fn set_arrangement_amount(conn: &Connection, fi: i64, amount: i64) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.arr} = ?2 WHERE {de.fi} = ?1"
    )?)?
    .execute(params![fi, amount])?;
    Ok(())
}

/// Clear a debtor's next promise due (`de.npd`) and arrangement amount (`de.arr`):
/// no promise is open.
pub fn clear_next_promise(conn: &Connection, fi: i64) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.npd} = NULL, {de.arr} = NULL WHERE {de.fi} = ?1"
    )?)?
    .execute([fi])?;
    Ok(())
}

/// Set a debtor's next promise due (`de.npd`), and its arrangement amount (`de.arr`)
/// to `amount` cents only when it has none.
pub fn set_next_promise(conn: &Connection, fi: i64, due: Option<&str>, amount: i64) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.npd} = ?2, {de.arr} = COALESCE({de.arr}, ?3) WHERE {de.fi} = ?1"
    )?)?
    .execute(params![fi, due, amount])?;
    Ok(())
}

/// One debtor's balances (cents), as the demo prints them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebtorBalance {
    pub fi: i64,
    pub client: i64,
    pub name: String,
    pub principal: i64,
    pub interest: i64,
    pub fees: i64,
    pub paid: i64,
    pub owing: i64,
}

/// Every debtor's balances by file number, streamed to `f`.
pub fn for_each_debtor_balance(
    conn: &Connection,
    mut f: impl FnMut(DebtorBalance) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT {de.fi}, {de.cn}, {de.na}, {de.pr}, {de.in}, {de.fe}, {de.pa}, {de.ow}
         FROM debtor ORDER BY {de.fi}"
    )?)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        f(DebtorBalance {
            fi: r.get(0)?,
            client: r.get(1)?,
            name: r.get(2)?,
            principal: r.get(3)?,
            interest: r.get(4)?,
            fees: r.get(5)?,
            paid: r.get(6)?,
            owing: r.get(7)?,
        })?;
    }
    Ok(())
}
