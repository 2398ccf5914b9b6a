//! Month-end statements in the store: statements, their invoice lines, allocations of
//! charges to earlier statements, client payments and the daily cash report's rows.
//! `crate::statements` keeps the money rules (remit, aging, ownership); every SQL
//! statement it needs lives here, so a second backend implements these functions
//! without touching it (docs/architecture.md).

use std::sync::OnceLock;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};

use super::next_number;
use super::sql::cached;
use crate::Result;

/// An earlier statement of a client with something still open: number, date, open cents.
pub type OpenStatement = (i64, NaiveDate, i64);

/// Every client's number and its raw owned-by value (`cl.ob`).
pub fn client_owned_by(conn: &Connection) -> Result<Vec<(i64, Option<String>)>> {
    let mut stmt = conn.prepare(crate::sql!("SELECT {cl.nu}, {cl.ob} FROM client")?)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The client's statement settings: remit code, bill negative, sort by account number
/// (`cl.rm`, `cl.bn`, `cl.so`).
pub fn client_statement_settings(conn: &Connection, owner: i64) -> Result<(String, bool, bool)> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT COALESCE({cl.rm}, 'N'), COALESCE({cl.bn}, 0), COALESCE({cl.so}, 'N') = 'A'
             FROM client WHERE {cl.nu} = ?1"
        )?)?
        .query_row([owner], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?)
}

/// Open amount (charge less allocations) of each earlier statement of `owner`, oldest first.
pub fn open_charges(conn: &Connection, owner: i64) -> Result<Vec<OpenStatement>> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT s.{st.nu}, s.{st.dt},
                s.charge - COALESCE((SELECT SUM(amount) FROM allocation a WHERE a.target = s.{st.nu}), 0)
         FROM statement s WHERE s.{st.cl} = ?1"
    )?)?;
    let mut rows = stmt.query([owner])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let open: i64 = r.get(2)?;
        if open > 0 {
            let dt: String = r.get(1)?;
            out.push((
                r.get(0)?,
                crate::dates::parse_iso(&dt).unwrap_or(NaiveDate::MIN),
                open,
            ));
        }
    }
    out.sort_by_key(|(nu, dt, _)| (*dt, *nu));
    Ok(out)
}

/// Record that `amount` of statement `target` is paid, by a later statement or a payment.
pub fn allocate(
    conn: &Connection,
    target: i64,
    by_statement: Option<i64>,
    by_payment: Option<i64>,
    amount: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO allocation (target, by_statement, by_payment, amount) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![target, by_statement, by_payment, amount])?;
    Ok(())
}

/// A statement of `owner` other than `nu` whose period ends after `to`.
pub fn later_statement(
    conn: &Connection,
    owner: i64,
    to: NaiveDate,
    nu: i64,
) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT {st.nu} FROM statement
             WHERE {st.cl} = ?1 AND {st.to} > ?2 AND {st.nu} <> ?3 LIMIT 1"
        )?)?
        .query_row(params![owner, to, nu], |r| r.get(0))
        .optional()?)
}

/// How many client payments were applied to statement `nu`.
pub fn payments_applied_to(conn: &Connection, nu: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM allocation WHERE target = ?1 AND by_payment IS NOT NULL",
        [nu],
        |r| r.get(0),
    )?)
}

/// Remove statement `nu`, its lines and allocations; its transactions are uninvoiced.
pub fn delete_statement(conn: &Connection, nu: i64) -> Result<()> {
    conn.execute(
        crate::sql!("UPDATE trans SET {tr.iv} = NULL WHERE {tr.iv} = ?1")?,
        [nu.to_string()],
    )?;
    conn.execute("DELETE FROM invoice_line WHERE st = ?1", [nu])?;
    conn.execute(
        "DELETE FROM allocation WHERE by_statement = ?1 OR target = ?1",
        [nu],
    )?;
    conn.execute(
        crate::sql!("DELETE FROM statement WHERE {st.nu} = ?1")?,
        [nu],
    )?;
    Ok(())
}

/// A statement of `owner` whose period overlaps `from..=to`.
pub fn overlapping_statement(
    conn: &Connection,
    owner: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT {st.nu} FROM statement
             WHERE {st.cl} = ?1 AND {st.fr} <= ?3 AND {st.to} >= ?2 LIMIT 1"
        )?)?
        .query_row(params![owner, from, to], |r| r.get(0))
        .optional()?)
}

/// The number the next new statement gets.
pub fn next_statement_number(conn: &Connection) -> Result<i64> {
    next_number(conn, "statement", "nu", 1)
}

/// A statement's header row, amounts in cents.
pub struct NewStatement<'a> {
    pub nu: i64,
    pub client: i64,
    pub date: NaiveDate,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub remit: &'a str,
    pub to_us: i64,
    pub direct: i64,
    pub commission: i64,
    pub tax: i64,
    pub fees: i64,
    pub balance_forward: i64,
    pub cheque: i64,
    pub due_from_client: i64,
    pub charge: i64,
}

pub fn insert_statement(conn: &Connection, s: &NewStatement) -> Result<()> {
    // `charge` (what the statement adds to the client's balance) is bookkeeping of
    // the store, not a catalogue field.
    conn.prepare_cached(crate::sql!(
        "INSERT INTO statement ({st.nu}, {st.cl}, {st.dt}, {st.fr}, {st.to}, {st.rm}, {st.tu},
                                {st.di}, {st.cm}, {st.tx}, {st.fe}, {st.bf}, {st.ck}, {st.du},
                                charge)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
    )?)?
    .execute(params![
        s.nu,
        s.client,
        s.date,
        s.from,
        s.to,
        s.remit,
        s.to_us,
        s.direct,
        s.commission,
        s.tax,
        s.fees,
        s.balance_forward,
        s.cheque,
        s.due_from_client,
        s.charge
    ])?;
    Ok(())
}

/// The 30/60/90 aging of statement `nu`.
pub fn set_statement_aging(conn: &Connection, nu: i64, a30: i64, a60: i64, a90: i64) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE statement SET {st.a30} = ?2, {st.a60} = ?3, {st.a90} = ?4 WHERE {st.nu} = ?1"
    )?)?
    .execute(params![nu, a30, a60, a90])?;
    Ok(())
}

/// The catalogue fields of an invoice line, in the order they are written and read.
macro_rules! invoice_line_fields {
    () => {
        "{il.fi}, {il.na}, {il.ac}, {il.dt}, {il.su}, {il.ty}, {il.py}, {il.pd}, {il.tu}, {il.di},
         {il.cm}, {il.tx}, {il.rt}"
    };
}

/// A transaction that goes on a statement, amounts in cents.
pub struct StatementLine {
    pub trans: i64,
    pub fi: i64,
    pub name: String,
    pub acct: String,
    pub ty: String,
    pub description: Option<String>,
    pub py: Option<String>,
    pub pd: String,
    pub tu: i64,
    pub di: i64,
    pub cm: i64,
    pub tx: i64,
    pub client_fee: bool,
}

/// The transactions of client `client` posted in `from..=to`, not omitted from
/// statements and not yet on one.
pub fn statement_lines_for_client(
    conn: &Connection,
    client: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<StatementLine>> {
    // `t.fi` is the store's link from a transaction to its debtor, not a catalogue field.
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT t.{tr.nu}, t.fi, COALESCE(d.{de.na}, ''), COALESCE(d.{de.ac}, ''), t.{tr.ty},
                t.{tr.de}, t.{tr.py}, t.{tr.pd}, COALESCE(t.{tr.tu}, 0), COALESCE(t.{tr.di}, 0),
                COALESCE(t.{tr.cm}, 0), COALESCE(t.{tr.tx}, 0),
                COALESCE(t.{tr.ft}, '') = 'client_fee'
         FROM trans t JOIN debtor d ON d.{de.fi} = t.fi
         WHERE d.{de.cn} = ?1 AND t.{tr.pd} >= ?2 AND t.{tr.pd} <= ?3
           AND COALESCE(t.{tr.os}, 0) = 0 AND t.{tr.iv} IS NULL"
    )?)?;
    let mut lines = Vec::new();
    let mut rows = stmt.query(params![client, from, to])?;
    while let Some(r) = rows.next()? {
        lines.push(StatementLine {
            trans: r.get(0)?,
            fi: r.get(1)?,
            name: r.get(2)?,
            acct: r.get(3)?,
            ty: r.get(4)?,
            description: r.get(5)?,
            py: r.get(6)?,
            pd: r.get(7)?,
            tu: r.get(8)?,
            di: r.get(9)?,
            cm: r.get(10)?,
            tx: r.get(11)?,
            client_fee: r.get(12)?,
        });
    }
    Ok(lines)
}

/// The invoice lines of statement `nu`, each with its return to the client (`ret`),
/// and their transactions marked as invoiced on `nu`. One call per statement: the two
/// statements are prepared once for all its lines (a month-end run writes a million).
pub fn insert_invoice_lines<'a>(
    conn: &Connection,
    nu: i64,
    lines: impl IntoIterator<Item = (&'a StatementLine, i64)>,
) -> Result<()> {
    // `st` and `trans` link the line to its statement and transaction; they are keys
    // of the store, not catalogue fields.
    static INSERT: OnceLock<String> = OnceLock::new();
    let insert = cached(
        &INSERT,
        concat!(
            "INSERT INTO invoice_line (st, trans, ",
            invoice_line_fields!(),
            ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
        ),
    )?;
    let mut insert = conn.prepare_cached(insert)?;
    let mut mark = conn.prepare_cached(crate::sql!(
        "UPDATE trans SET {tr.iv} = ?2 WHERE {tr.nu} = ?1"
    )?)?;
    let invoice = nu.to_string();
    for (l, ret) in lines {
        insert.execute(params![
            nu,
            l.trans,
            l.fi.to_string(),
            l.name,
            l.acct,
            l.pd,
            l.description,
            l.ty,
            l.py,
            l.pd,
            l.tu,
            l.di,
            l.cm,
            l.tx,
            ret
        ])?;
        mark.execute(params![l.trans, invoice])?;
    }
    Ok(())
}

/// Record a client's payment; returns its id.
pub fn insert_client_payment(
    conn: &Connection,
    client: i64,
    date: NaiveDate,
    amount: i64,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO client_payment (cn, date, amount) VALUES (?1, ?2, ?3)",
        params![client, date, amount],
    )?;
    Ok(conn.last_insert_rowid())
}

/// One transaction of the daily cash report, amounts in cents, with its type's
/// description (empty when the type is not in the type table).
pub struct CashRow {
    pub posted: String,
    pub file_number: i64,
    pub client: i64,
    pub name: String,
    pub type_code: String,
    pub description: String,
    pub to_us: i64,
    pub direct: i64,
    pub type_description: String,
}

/// The transactions posted in `from..=to` and not omitted from the daily cash report,
/// of one client or of all.
pub fn cash_report_rows(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    client: Option<i64>,
) -> Result<Vec<CashRow>> {
    // `t.fi` links a transaction to its debtor; `trans_type` is the store's type table.
    let mut stmt = conn.prepare(crate::sql!(
        "SELECT t.{tr.pd}, t.fi, d.{de.cn}, COALESCE(d.{de.na}, ''), t.{tr.ty},
                COALESCE(t.{tr.de}, ''), COALESCE(t.{tr.tu}, 0), COALESCE(t.{tr.di}, 0),
                COALESCE((SELECT description FROM trans_type WHERE code = t.{tr.ty}), '')
         FROM trans t JOIN debtor d ON d.{de.fi} = t.fi
         WHERE t.{tr.pd} >= ?1 AND t.{tr.pd} <= ?2 AND COALESCE(t.{tr.oc}, 0) = 0
           AND (?3 IS NULL OR d.{de.cn} = ?3)"
    )?)?;
    let rows = stmt
        .query_map(params![from, to, client], |r| {
            Ok(CashRow {
                posted: r.get(0)?,
                file_number: r.get(1)?,
                client: r.get(2)?,
                name: r.get(3)?,
                type_code: r.get(4)?,
                description: r.get(5)?,
                to_us: r.get(6)?,
                direct: r.get(7)?,
                type_description: r.get(8)?,
            })
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// What the cheque register and the statement files need of a statement.
pub struct StatementHeader {
    pub nu: i64,
    pub client: i64,
    pub client_name: String,
    pub date: String,
    pub remit: String,
    pub cheque: i64,
}

/// The statement header read of [`statement_headers`], with its `WHERE` condition.
macro_rules! statement_headers {
    ($condition:literal) => {
        concat!(
            "SELECT s.{st.nu}, s.{st.cl},
                    COALESCE((SELECT {cl.na} FROM client WHERE {cl.nu} = s.{st.cl}), ''), s.{st.dt},
                    COALESCE(s.{st.rm}, 'N'), COALESCE(s.{st.ck}, 0)
             FROM statement s WHERE ",
            $condition,
            " ORDER BY s.{st.nu}"
        )
    };
}

/// Statement `nu`, if it exists (as a one-row list, like a period's).
pub fn statement_headers_by_number(conn: &Connection, nu: i64) -> Result<Vec<StatementHeader>> {
    static SQL: OnceLock<String> = OnceLock::new();
    let sql = cached(&SQL, statement_headers!("s.{st.nu} = ?1"))?;
    statement_headers(conn, sql, [nu])
}

/// The statements whose period lies within `from..=to`, in number order.
pub fn statement_headers_in_period(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<StatementHeader>> {
    static SQL: OnceLock<String> = OnceLock::new();
    let sql = cached(
        &SQL,
        statement_headers!("s.{st.fr} >= ?1 AND s.{st.to} <= ?2"),
    )?;
    statement_headers(conn, sql, params![from, to])
}

fn statement_headers(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<StatementHeader>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt
        .query_map(args, |r| {
            Ok(StatementHeader {
                nu: r.get(0)?,
                client: r.get(1)?,
                client_name: r.get(2)?,
                date: r.get(3)?,
                remit: r.get(4)?,
                cheque: r.get(5)?,
            })
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// One invoice line as printed: file, name, acct, date, summary, type, payment date and
/// posted date as stored, then to us, direct, commission, tax and return in cents.
pub struct InvoiceLineRow {
    pub texts: [Option<String>; 8],
    pub cents: [Option<i64>; 5],
}

/// The invoice lines of statement `nu`, in the order they were written.
pub fn invoice_lines(conn: &Connection, nu: i64) -> Result<Vec<InvoiceLineRow>> {
    static SQL: OnceLock<String> = OnceLock::new();
    let sql = cached(
        &SQL,
        concat!(
            "SELECT ",
            invoice_line_fields!(),
            " FROM invoice_line WHERE st = ?1 ORDER BY id"
        ),
    )?;
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([nu])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut texts: [Option<String>; 8] = Default::default();
        for (i, t) in texts.iter_mut().enumerate() {
            *t = r.get(i)?;
        }
        let mut cents = [None; 5];
        for (i, c) in cents.iter_mut().enumerate() {
            *c = r.get(8 + i)?;
        }
        out.push(InvoiceLineRow { texts, cents });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn period_end_column_comes_from_the_catalogue() {
        assert_eq!(
            crate::store::sql::expand("{st.fr}, {st.to}").unwrap(),
            "fr, pto"
        );
    }
}
