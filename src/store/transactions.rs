//! Transactions: posting rows, reversals, and the reads totals and reports are built from.

use chrono::NaiveDate;
use rusqlite::{params, Connection};

use crate::Result;

/// What a posted transaction pays, for the promises it keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionPayment {
    /// Financial type (`tr.ft`: `payment`, `fee`, …), as stored.
    pub fin_type: Option<String>,
    /// To us plus direct (cents, blanks as 0).
    pub amount: i64,
    /// Payment date as stored (`YYYY-MM-DD`).
    pub payment_date: Option<String>,
}

/// A transaction's financial type, amount and payment date; an error when it does
/// not exist.
pub fn transaction_payment(conn: &Connection, id: i64) -> Result<TransactionPayment> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT {tr.ft}, COALESCE({tr.tu}, 0) + COALESCE({tr.di}, 0), {tr.py}
             FROM trans WHERE {tr.nu} = ?1"
        )?)?
        .query_row([id], |r| {
            Ok(TransactionPayment {
                fin_type: r.get(0)?,
                amount: r.get(1)?,
                payment_date: r.get(2)?,
            })
        })?)
}

/// The commission and tax (cents) of the transactions posted on or after `since`.
pub fn commission_and_tax_posted_since(conn: &Connection, since: NaiveDate) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT COALESCE(SUM({tr.cm}), 0), COALESCE(SUM({tr.tx}), 0) FROM trans
             WHERE {tr.pd} >= ?1"
        )?)?
        .query_row(params![since], |r| Ok((r.get(0)?, r.get(1)?)))?)
}
