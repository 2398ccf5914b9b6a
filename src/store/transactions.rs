//! Transactions: posting rows, reversals, and the reads totals and reports are built from.

use std::sync::OnceLock;

use chrono::NaiveDate;
use rusqlite::params;
use rusqlite::OptionalExtension;

use super::sql::cached;
use super::Db;
use crate::dates::iso_date;
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
pub fn transaction_payment(conn: &Db, id: i64) -> Result<TransactionPayment> {
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
pub fn commission_and_tax_posted_since(conn: &Db, since: NaiveDate) -> Result<(i64, i64)> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT COALESCE(SUM({tr.cm}), 0), COALESCE(SUM({tr.tx}), 0) FROM trans
             WHERE {tr.pd} >= ?1"
        )?)?
        .query_row(params![since], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

// `fi` on trans is the store's own key column (schema.rs `key_columns`), not a
// catalogue field, so it is spelled as it is.

/// One transaction row to write: amounts in cents, rates as their text.
#[derive(Debug, Clone)]
pub struct NewTransRow<'a> {
    pub file_number: i64,
    pub type_code: &'a str,
    pub description: Option<&'a str>,
    pub payment_date: NaiveDate,
    pub posted_date: NaiveDate,
    pub to_us: i64,
    pub direct: i64,
    pub commission_rate: Option<String>,
    pub commission: i64,
    pub tax_rate: Option<String>,
    pub tax: i64,
    pub tax_exempt: Option<bool>,
    pub omit_statement: bool,
    pub omit_cash: bool,
    pub external_id: Option<&'a str>,
    pub operator: Option<&'a str>,
    pub reverses: Option<i64>,
    pub breakdown_principal: Option<i64>,
    pub breakdown_interest: Option<i64>,
    pub breakdown_fees: Option<i64>,
    /// The financial type at posting (`tr.ft`).
    pub fin_type: &'a str,
}

/// Write transaction rows, one statement per row (a multi-row INSERT needs a statement
/// journal, measured slower on the import). Returns the id of the last row written
/// (0 when there is none). A row of a debtor that does not exist is refused naming it.
pub fn insert_transactions<'a>(
    conn: &Db,
    rows: impl IntoIterator<Item = NewTransRow<'a>>,
) -> Result<i64> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "INSERT INTO trans (fi, {tr.ty}, {tr.de}, {tr.py}, {tr.pd}, {tr.tu}, {tr.di}, {tr.cr},
                            {tr.cm}, {tr.tr}, {tr.tx}, {tr.te}, {tr.os}, {tr.oc}, {tr.id},
                            {tr.op}, {tr.rv}, {tr.bpr}, {tr.bin}, {tr.bfe}, {tr.ft})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 ?19, ?20, ?21)"
    )?)?;
    let mut last = 0;
    for row in rows {
        let file_number = row.file_number;
        last = stmt
            .insert(params![
                row.file_number,
                row.type_code,
                row.description,
                iso_date(row.payment_date),
                iso_date(row.posted_date),
                row.to_us,
                row.direct,
                row.commission_rate,
                row.commission,
                row.tax_rate,
                row.tax,
                row.tax_exempt,
                row.omit_statement,
                row.omit_cash,
                row.external_id,
                row.operator,
                row.reverses,
                row.breakdown_principal,
                row.breakdown_interest,
                row.breakdown_fees,
                row.fin_type,
            ])
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    crate::Error::runtime(format!("debtor {file_number} does not exist"))
                }
                e => e.into(),
            })?;
    }
    Ok(last)
}

/// One transaction as the debtor's totals and interest see it.
#[derive(Debug, Clone)]
pub struct TransAmount {
    pub type_code: String,
    /// The financial type (`internal` when unknown).
    pub fin_type: String,
    /// To Us + Direct, cents.
    pub amount: i64,
    pub payment_date: Option<NaiveDate>,
}

fn trans_amount(r: &rusqlite::Row<'_>) -> rusqlite::Result<TransAmount> {
    Ok(TransAmount {
        type_code: r.get(0)?,
        fin_type: r.get(1)?,
        amount: r.get(2)?,
        payment_date: r
            .get::<_, Option<String>>(3)?
            .and_then(|s| crate::dates::parse_iso(&s)),
    })
}

/// The transactions that count towards a debtor's totals, in posting order: all but
/// those paid before its judgment date (money::judgment). The financial type is the
/// type's own.
pub fn for_each_counted_transaction(
    conn: &Db,
    file_number: i64,
    mut f: impl FnMut(TransAmount) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT t.{tr.ty}, COALESCE(y.fin_type, 'internal'),
                COALESCE(t.{tr.tu}, 0) + COALESCE(t.{tr.di}, 0), t.{tr.py}
         FROM trans t LEFT JOIN trans_type y ON y.code = t.{tr.ty}
         WHERE t.fi = ?1
           -- a judgment leaves out what was paid before it (money::judgment)
           AND (t.{tr.py} IS NULL
                OR t.{tr.py} >= COALESCE((SELECT {de.jd} FROM debtor WHERE {de.fi} = ?1), ''))
         ORDER BY t.{tr.nu}"
    )?)?;
    let mut rows = stmt.query([file_number])?;
    while let Some(r) = rows.next()? {
        f(trans_amount(r)?)?;
    }
    Ok(())
}

/// All of a debtor's transactions in payment-date order (posting order within a
/// day), for interest: the financial type stored at posting, else the type's own.
pub fn for_each_transaction_by_payment_date(
    conn: &Db,
    file_number: i64,
    mut f: impl FnMut(TransAmount) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT t.{tr.ty}, COALESCE(t.{tr.ft}, y.fin_type, 'internal'),
                COALESCE(t.{tr.tu}, 0) + COALESCE(t.{tr.di}, 0), t.{tr.py}
         FROM trans t LEFT JOIN trans_type y ON y.code = t.{tr.ty}
         WHERE t.fi = ?1 ORDER BY t.{tr.py}, t.{tr.nu}"
    )?)?;
    let mut rows = stmt.query([file_number])?;
    while let Some(r) = rows.next()? {
        f(trans_amount(r)?)?;
    }
    Ok(())
}

/// A payment as a reversal sees it, amounts in cents.
#[derive(Debug, Clone)]
pub struct PaymentRow {
    pub id: i64,
    pub file_number: i64,
    pub type_code: String,
    /// The financial type stored at posting (`tr.ft`), else the type's own, else "".
    pub fin_type: String,
    /// To Us + Direct.
    pub amount: i64,
    pub commission: i64,
    /// The tax rate as stored (text).
    pub tax_rate: Option<String>,
}

fn payment_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PaymentRow> {
    Ok(PaymentRow {
        id: r.get(0)?,
        file_number: r.get(1)?,
        type_code: r.get(2)?,
        fin_type: r.get(3)?,
        amount: r.get(4)?,
        commission: r.get(5)?,
        tax_rate: r.get(6)?,
    })
}

/// Transaction `id` as a payment a reversal may reverse, `None` when there is none.
pub fn payment(conn: &Db, id: i64) -> Result<Option<PaymentRow>> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT t.{tr.nu}, t.fi, t.{tr.ty},
                    COALESCE(t.{tr.ft}, (SELECT fin_type FROM trans_type WHERE code = t.{tr.ty}), ''),
                    COALESCE(t.{tr.tu}, 0) + COALESCE(t.{tr.di}, 0), COALESCE(t.{tr.cm}, 0),
                    t.{tr.tr}
             FROM trans t WHERE t.{tr.nu} = ?1"
        )?)?
        .query_row([id], payment_row)
        .optional()?)
}

/// What earlier reversals took back of payment `id` of debtor `file_number`, cents
/// (≥ 0). Reversals belong to the payment's debtor, so the debtor's index finds them.
pub fn reversed_so_far(conn: &Db, file_number: i64, id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT COALESCE(-SUM(COALESCE({tr.tu}, 0) + COALESCE({tr.di}, 0)), 0) FROM trans
             WHERE fi = ?1 AND {tr.rv} = ?2 AND COALESCE({tr.tu}, 0) + COALESCE({tr.di}, 0) < 0"
        )?)?
        .query_row([file_number, id], |r| r.get(0))?)
}

/// The debtor's most recent positive payment dated on or before `on` with at least
/// `wanted` cents left un-reversed. With `no_commission` as the reversal's type has it,
/// payments whose types agree come first.
pub fn latest_reversible_payment(
    conn: &Db,
    file_number: i64,
    on: NaiveDate,
    wanted: i64,
    no_commission: bool,
) -> Result<Option<PaymentRow>> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT t.{tr.nu}, t.fi, t.{tr.ty},
                    COALESCE(t.{tr.ft}, (SELECT fin_type FROM trans_type WHERE code = t.{tr.ty}), ''),
                    COALESCE(t.{tr.tu}, 0) + COALESCE(t.{tr.di}, 0), COALESCE(t.{tr.cm}, 0),
                    t.{tr.tr}
             FROM trans t
             WHERE t.fi = ?1 AND COALESCE(t.{tr.tu}, 0) + COALESCE(t.{tr.di}, 0) > 0
               AND t.{tr.py} <= ?2
               AND COALESCE(t.{tr.ft}, (SELECT fin_type FROM trans_type WHERE code = t.{tr.ty}))
                   = 'payment'
               AND COALESCE(t.{tr.tu}, 0) + COALESCE(t.{tr.di}, 0) - ?3 >= (
                   SELECT COALESCE(-SUM(COALESCE(r.{tr.tu}, 0) + COALESCE(r.{tr.di}, 0)), 0)
                   FROM trans r
                   WHERE r.fi = t.fi AND r.{tr.rv} = t.{tr.nu}
                     AND COALESCE(r.{tr.tu}, 0) + COALESCE(r.{tr.di}, 0) < 0)
             ORDER BY COALESCE((SELECT no_commission FROM trans_type WHERE code = t.{tr.ty}), 0)
                      <> ?4,
                      t.{tr.py} DESC, t.{tr.nu} DESC
             LIMIT 1"
        )?)?
        .query_row(params![file_number, on, wanted, no_commission], payment_row)
        .optional()?)
}

/// A transaction of financial type payment, as the statute of limitations reads it
/// (its payment date with surrounding blanks ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatedPayment {
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
pub fn for_each_payment(conn: &Db, fi: Option<i64>, mut f: impl FnMut(DatedPayment)) -> Result<()> {
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
        f(DatedPayment {
            id: r.get(0)?,
            fi: r.get(1)?,
            payment_date: r
                .get::<_, Option<String>>(2)?
                .and_then(|s| crate::dates::parse_iso(s.trim())),
            amount: r.get(3)?,
            reverses: r.get(4)?,
        });
    }
    Ok(())
}

// Paths are spelled in full here so that additions from other slices at the end of this
// file never collide on `use` lines.

/// A payment a client made to the agency (`client_payment`), amount in cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPayment {
    pub date: chrono::NaiveDate,
    pub cents: i64,
    /// Blank when none.
    pub note: String,
}

/// A client's payments by date, in the order written within a day.
pub fn client_payments(conn: &Db, client: i64) -> Result<Vec<ClientPayment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT date, amount, COALESCE(note, '') FROM client_payment WHERE cn = ?1 ORDER BY date, id",
    )?;
    let mut rows = stmt.query([client])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let date: String = r.get(0)?;
        let date = crate::dates::parse_iso(&date).ok_or_else(|| {
            crate::Error::runtime(format!(
                "client {client} has a payment dated '{date}', not a date"
            ))
        })?;
        out.push(ClientPayment {
            date,
            cents: r.get(1)?,
            note: r.get(2)?,
        });
    }
    Ok(out)
}

/// Record a client payment; it arrives unallocated. A blank note is stored as none.
pub fn insert_client_payment(
    conn: &Db,
    client: i64,
    date: chrono::NaiveDate,
    cents: i64,
    note: &str,
) -> Result<()> {
    let note = (!note.is_empty()).then_some(note);
    conn.prepare_cached(
        "INSERT INTO client_payment (cn, date, amount, note) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![client, crate::dates::iso_date(date), cents, note])?;
    Ok(())
}
