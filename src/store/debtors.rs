//! Debtor records: typed reads and writes of the debtor table beyond the generic
//! record functions in `records.rs` (totals, statuses, addresses, as-of reads).

use std::sync::OnceLock;

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};

use crate::dates::{iso_date, parse_iso};
use crate::store::sql::cached;
use crate::store::Db;
use crate::Result;

/// A stored date as the statute of limitations reads it (surrounding blanks ignored).
fn parse_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| parse_iso(s.trim()))
}

/// A transaction of financial type payment, as the time-barred date reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: i64,
    pub fi: i64,
    /// `tr.py`.
    pub payment_date: Option<NaiveDate>,
    /// To Us + Direct, in cents (negative for a reversal).
    pub amount: i64,
    /// `tr.rv`: the payment this one reverses.
    pub reverses: Option<i64>,
}

/// The payment transactions of one debtor, or of every debtor (`fi` = None), streamed
/// to `f`. The owner key `fi` of a transaction is the store's own column.
pub fn for_each_payment(conn: &Db, fi: Option<i64>, mut f: impl FnMut(PaymentRow)) -> Result<()> {
    macro_rules! payments {
        () => {
            "SELECT {tr.nu}, fi, {tr.py}, COALESCE({tr.tu}, 0) + COALESCE({tr.di}, 0),
                    CAST({tr.rv} AS INTEGER) FROM trans
             WHERE {tr.ft} = 'payment'"
        };
    }
    static ALL: OnceLock<String> = OnceLock::new();
    static ONE: OnceLock<String> = OnceLock::new();
    let mut stmt;
    let mut rows = match fi {
        Some(fi) => {
            stmt = conn.prepare_cached(cached(&ONE, concat!(payments!(), " AND fi = ?1"))?)?;
            stmt.query([fi])?
        }
        None => {
            stmt = conn.prepare_cached(cached(&ALL, payments!())?)?;
            stmt.query([])?
        }
    };
    while let Some(r) = rows.next()? {
        f(PaymentRow {
            id: r.get(0)?,
            fi: r.get(1)?,
            payment_date: parse_date(r.get(2)?),
            amount: r.get(3)?,
            reverses: r.get(4)?,
        });
    }
    Ok(())
}

/// What the time-barred date of one debtor is computed from, and its stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeBarredInputs {
    pub fi: i64,
    /// `de.st`, blank when not set.
    pub state: String,
    /// `de.itd`.
    pub itemization: Option<NaiveDate>,
    /// `de.jd`.
    pub judgment: Option<NaiveDate>,
    /// `de.tbd` as stored.
    pub stored: Option<NaiveDate>,
}

/// The debtors with an itemization, judgment or time-barred date (one debtor, or all
/// with `fi` = None), in file-number order, streamed to `f`.
pub fn for_each_time_barred_input(
    conn: &Db,
    fi: Option<i64>,
    mut f: impl FnMut(TimeBarredInputs),
) -> Result<()> {
    macro_rules! debtors {
        ($filter:literal) => {
            concat!(
                "SELECT {de.fi}, COALESCE({de.st}, ''), {de.itd}, {de.jd}, {de.tbd} FROM debtor
                 WHERE ({de.itd} IS NOT NULL OR {de.jd} IS NOT NULL OR {de.tbd} IS NOT NULL)",
                $filter,
                " ORDER BY {de.fi}"
            )
        };
    }
    static ALL: OnceLock<String> = OnceLock::new();
    static ONE: OnceLock<String> = OnceLock::new();
    let mut stmt;
    let mut rows = match fi {
        Some(fi) => {
            stmt = conn.prepare_cached(cached(&ONE, debtors!(" AND {de.fi} = ?1"))?)?;
            stmt.query([fi])?
        }
        None => {
            stmt = conn.prepare_cached(cached(&ALL, debtors!(""))?)?;
            stmt.query([])?
        }
    };
    while let Some(r) = rows.next()? {
        f(TimeBarredInputs {
            fi: r.get(0)?,
            state: r.get(1)?,
            itemization: parse_date(r.get(2)?),
            judgment: parse_date(r.get(3)?),
            stored: parse_date(r.get(4)?),
        });
    }
    Ok(())
}

/// Write time-barred dates (`de.tbd`, computed), one statement prepared for all.
pub fn set_time_barred_dates(
    conn: &Db,
    dates: impl IntoIterator<Item = (i64, Option<NaiveDate>)>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.tbd} = ?2 WHERE {de.fi} = ?1"
    )?)?;
    for (fi, tbd) in dates {
        stmt.execute(params![fi, tbd.map(iso_date)])?;
    }
    Ok(())
}

/// The stored time-barred date of one debtor (None too when the debtor does not exist).
pub fn time_barred_date(conn: &Db, fi: i64) -> Result<Option<NaiveDate>> {
    let stored: Option<Option<String>> = conn
        .prepare_cached(crate::sql!(
            "SELECT {de.tbd} FROM debtor WHERE {de.fi} = ?1"
        )?)?
        .query_row([fi], |r| r.get(0))
        .optional()?;
    Ok(parse_date(stored.flatten()))
}
