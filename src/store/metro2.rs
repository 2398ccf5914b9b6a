//! Metro 2 history: what was reported to the bureaus, and the reads a Metro 2 file is
//! built from.

use std::ops::ControlFlow;

use chrono::NaiveDate;
use rusqlite::types::ValueRef;
use rusqlite::{params, OptionalExtension, Row};

use crate::dates::{iso_date, parse_iso_exact};
use crate::store::Db;
use crate::Result;

/// A column read as text into a reused buffer (numbers as their digits, blank for
/// NULL): the 1M-debtor run allocates nothing per row.
fn text_of(v: ValueRef<'_>, out: &mut String) {
    out.clear();
    match v {
        ValueRef::Text(t) => match std::str::from_utf8(t) {
            Ok(s) => out.push_str(s),
            Err(_) => out.push_str(&String::from_utf8_lossy(t)),
        },
        ValueRef::Integer(i) => out.push_str(&i.to_string()),
        ValueRef::Real(r) => out.push_str(&r.to_string()),
        ValueRef::Null | ValueRef::Blob(_) => {}
    }
}

fn date_of(v: ValueRef<'_>) -> Option<NaiveDate> {
    match v {
        ValueRef::Text(t) => std::str::from_utf8(t).ok().and_then(parse_iso_exact),
        _ => None,
    }
}

/// Cents of a money column; anything but an integer reads as 0.
fn cents_of(v: ValueRef<'_>) -> i64 {
    match v {
        ValueRef::Integer(i) => i,
        _ => 0,
    }
}

/// A flag column: `None` when blank, so "never set" differs from "off".
fn flag_of(v: ValueRef<'_>) -> Option<bool> {
    match v {
        ValueRef::Integer(i) => Some(i != 0),
        ValueRef::Text(t) => Some(!matches!(t, b"" | b"0")),
        _ => None,
    }
}

/// Switch reporting on or off for one debtor (`de.cbr`, start date `de.cbd`) and keep
/// the activation record; `excluded` is why it is off (the minimum test failed).
pub fn record_activation(
    conn: &Db,
    fi: i64,
    today: NaiveDate,
    start: NaiveDate,
    excluded: Option<&str>,
) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.cbr} = ?2, {de.cbd} = ?3 WHERE {de.fi} = ?1"
    )?)?
    .execute(params![fi, excluded.is_none(), iso_date(start)])?;
    conn.prepare_cached(
        "INSERT INTO metro2_activation (fi, date, start, excluded) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (fi) DO UPDATE SET date = excluded.date, start = excluded.start,
                                        excluded = excluded.excluded",
    )?
    .execute(params![fi, iso_date(today), iso_date(start), excluded])?;
    Ok(())
}

/// What activating one debtor reads: its listed date and owing, its client's delay
/// days (`cl.dd`, text as stored) and minimum balance (`cl.mb`, cents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationInputs {
    pub listed: Option<NaiveDate>,
    pub owing: i64,
    pub delay_days: Option<String>,
    pub min_balance: Option<i64>,
}

/// listed, owing cents, client delay days, client minimum cents.
type ActivationColumns = (Option<String>, i64, Option<String>, Option<i64>);

/// The activation inputs of one debtor; None when the debtor (or its client) does
/// not exist.
pub fn activation_inputs(conn: &Db, fi: i64) -> Result<Option<ActivationInputs>> {
    let row: Option<ActivationColumns> = conn
        .prepare_cached(crate::sql!(
            "SELECT d.{de.li}, COALESCE(d.{de.ow}, 0), c.{cl.dd}, c.{cl.mb} FROM debtor d
             JOIN client c ON c.{cl.nu} = d.{de.cn} WHERE d.{de.fi} = ?1"
        )?)?
        .query_row([fi], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    Ok(row.map(
        |(listed, owing, delay_days, min_balance)| ActivationInputs {
            listed: listed.as_deref().and_then(parse_iso_exact),
            owing,
            delay_days,
            min_balance,
        },
    ))
}

/// Debtors of reporting clients (`cl.rb`) whose `de.cbr` was never set, by file number.
pub fn never_activated_of_reporting_clients(conn: &Db) -> Result<Vec<i64>> {
    let files = conn
        .prepare_cached(crate::sql!(
            "SELECT d.{de.fi} FROM debtor d JOIN client c ON c.{cl.nu} = d.{de.cn}
             WHERE d.{de.cbr} IS NULL AND COALESCE(c.{cl.rb}, 0) = 1 ORDER BY d.{de.fi}"
        )?)?
        .query_map([], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    Ok(files)
}

/// A client as a Metro 2 file reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metro2Client {
    pub number: i64,
    /// `cl.na`.
    pub name: String,
    /// `cl.ty`.
    pub classification: String,
    /// `cl.ou` as stored (text).
    pub original_creditor_in_user: String,
    /// `cl.rb` (blank reads as off).
    pub reports_to_bureaus: bool,
    /// `cl.sd` (blank reads as off).
    pub send_client_detail: bool,
    /// `cl.dd` as stored (text).
    pub delay_days: String,
    /// `cl.mb` in cents.
    pub min_balance: Option<i64>,
}

/// Every client, as a Metro 2 file reads it.
pub fn metro2_clients(conn: &Db) -> Result<Vec<Metro2Client>> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT {cl.nu}, {cl.na}, {cl.ty}, {cl.ou}, {cl.rb}, {cl.sd}, {cl.dd}, {cl.mb} FROM client"
    )?)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut c = Metro2Client {
            number: r.get(0)?,
            ..Metro2Client::default()
        };
        text_of(r.get_ref(1)?, &mut c.name);
        text_of(r.get_ref(2)?, &mut c.classification);
        text_of(r.get_ref(3)?, &mut c.original_creditor_in_user);
        c.reports_to_bureaus = flag_of(r.get_ref(4)?).unwrap_or(false);
        c.send_client_detail = flag_of(r.get_ref(5)?).unwrap_or(false);
        text_of(r.get_ref(6)?, &mut c.delay_days);
        c.min_balance = match r.get_ref(7)? {
            ValueRef::Integer(c) => Some(c),
            _ => None,
        };
        out.push(c);
    }
    Ok(out)
}

/// One debtor's money as of a date, from its transactions (cents).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AsOfMoneyRow {
    /// What the transactions dated after the as-of date took off the owing (To Us +
    /// Direct: payments positive, charges negative).
    pub after: i64,
    /// Payments dated from `first` through the as-of date.
    pub paid_in_month: i64,
    /// The latest payment dated on or before the as-of date.
    pub last_payment: Option<NaiveDate>,
    /// The debtor has payment transactions at all.
    pub has_payments: bool,
}

/// [`AsOfMoneyRow`] of every debtor with payments or later transactions, in file-number
/// order, streamed to `f`. A payment that was reversed (a negative payment whose `tr.rv`
/// names it) and its reversal count nowhere, whatever their dates. Transactions without
/// a payment date are taken as before the as-of date. The owner key `fi` of a
/// transaction is the store's own column.
pub fn for_each_as_of_money(
    conn: &Db,
    first: NaiveDate,
    as_of: NaiveDate,
    mut f: impl FnMut(i64, AsOfMoneyRow),
) -> Result<()> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "WITH reversed AS (SELECT {tr.rv} AS id FROM trans WHERE {tr.rv} IS NOT NULL)
         SELECT t.fi,
           SUM(CASE WHEN t.{tr.py} > ?2
                     AND t.{tr.ft} IN ('payment', 'principal', 'interest', 'fee', 'legal', 'adjustment')
                     AND NOT (t.{tr.rv} IS NOT NULL AND EXISTS
                              (SELECT 1 FROM trans p WHERE p.{tr.nu} = t.{tr.rv} AND p.{tr.py} <= ?2))
                    THEN COALESCE(t.{tr.tu}, 0) + COALESCE(t.{tr.di}, 0) ELSE 0 END),
           SUM(CASE WHEN t.{tr.ft} = 'payment' AND t.{tr.py} >= ?1 AND t.{tr.py} <= ?2
                     AND t.{tr.rv} IS NULL AND t.{tr.nu} NOT IN (SELECT id FROM reversed)
                    THEN COALESCE(t.{tr.tu}, 0) + COALESCE(t.{tr.di}, 0) ELSE 0 END),
           MAX(CASE WHEN t.{tr.ft} = 'payment' AND COALESCE(t.{tr.tu}, 0) + COALESCE(t.{tr.di}, 0) > 0
                     AND t.{tr.py} <= ?2 AND t.{tr.nu} NOT IN (SELECT id FROM reversed)
                    THEN t.{tr.py} END),
           MAX(t.{tr.ft} = 'payment' AND COALESCE(t.{tr.tu}, 0) + COALESCE(t.{tr.di}, 0) > 0)
         FROM trans t WHERE t.{tr.ft} = 'payment' OR t.{tr.py} > ?2
         GROUP BY t.fi ORDER BY t.fi"
    )?)?;
    let mut rows = stmt.query(params![iso_date(first), iso_date(as_of)])?;
    while let Some(r) = rows.next()? {
        f(
            r.get(0)?,
            AsOfMoneyRow {
                after: r.get(1)?,
                paid_in_month: r.get(2)?,
                last_payment: date_of(r.get_ref(3)?),
                has_payments: r.get::<_, Option<i64>>(4)?.unwrap_or(0) != 0,
            },
        );
    }
    Ok(())
}

/// The report history before `as_of` (file number, as-of date, status), in file-number
/// then date order, streamed to `f`.
pub fn for_each_report_before(
    conn: &Db,
    as_of: NaiveDate,
    mut f: impl FnMut(i64, Option<NaiveDate>, &str),
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT fi, as_of, status FROM metro2_report WHERE as_of < ?1 ORDER BY fi, as_of",
    )?;
    let mut rows = stmt.query([iso_date(as_of)])?;
    let mut status = String::new();
    while let Some(r) = rows.next()? {
        let fi: i64 = r.get(0)?;
        let date = date_of(r.get_ref(1)?);
        text_of(r.get_ref(2)?, &mut status);
        f(fi, date, &status);
    }
    Ok(())
}

/// Debtors that failed the minimum test at activation and are still switched off,
/// with the reason recorded, by file number.
pub fn excluded_under_minimum(conn: &Db) -> Result<Vec<(i64, String)>> {
    let rows = conn
        .prepare_cached(crate::sql!(
            "SELECT a.fi, a.excluded FROM metro2_activation a JOIN debtor d ON d.{de.fi} = a.fi
             WHERE a.excluded IS NOT NULL AND d.{de.cbr} = 0 ORDER BY a.fi"
        )?)?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The due date of each debtor's earliest pending Metro contact, by file number
/// (contacts without a debtor or a valid due date left out).
pub fn pending_metro_contacts(conn: &Db) -> Result<Vec<(i64, NaiveDate)>> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT fi, MIN({co.du}) FROM contact WHERE {co.ty} = 'Metro' AND COALESCE({co.do}, 0) = 0
         AND fi IS NOT NULL GROUP BY fi ORDER BY fi"
    )?)?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        if let Some(d) = date_of(r.get_ref(1)?) {
            out.push((r.get(0)?, d));
        }
    }
    Ok(out)
}

/// A debtor as a Metro 2 file reads it (`de.*`, money in cents). The text fields are
/// buffers the store refills for each debtor: a reader may swap them out.
#[derive(Debug, Clone, Default)]
pub struct ReportableDebtor {
    pub file_number: i64,
    pub client: i64,
    pub name: String,
    pub generation: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
    pub ssn: String,
    pub dob: Option<NaiveDate>,
    pub phone: String,
    pub listed: Option<NaiveDate>,
    pub delinquency: Option<NaiveDate>,
    pub charged: Option<NaiveDate>,
    pub closed: Option<NaiveDate>,
    pub last_payment: Option<NaiveDate>,
    pub original_principal: i64,
    pub owing: i64,
    pub mode: String,
    pub status_override: String,
    pub ecoa: String,
    pub start_reporting: Option<NaiveDate>,
    /// `de.cbr`: `None` when never set.
    pub report: Option<bool>,
    pub user1: String,
    pub user2: String,
}

fn fill_debtor(r: &Row<'_>, d: &mut ReportableDebtor) -> rusqlite::Result<()> {
    d.file_number = r.get(0)?;
    d.client = r.get(1)?;
    text_of(r.get_ref(2)?, &mut d.name);
    text_of(r.get_ref(3)?, &mut d.generation);
    text_of(r.get_ref(4)?, &mut d.address1);
    text_of(r.get_ref(5)?, &mut d.address2);
    text_of(r.get_ref(6)?, &mut d.city);
    text_of(r.get_ref(7)?, &mut d.state);
    text_of(r.get_ref(8)?, &mut d.zip);
    text_of(r.get_ref(9)?, &mut d.country);
    text_of(r.get_ref(10)?, &mut d.ssn);
    d.dob = date_of(r.get_ref(11)?);
    text_of(r.get_ref(12)?, &mut d.phone);
    d.listed = date_of(r.get_ref(13)?);
    d.delinquency = date_of(r.get_ref(14)?);
    d.charged = date_of(r.get_ref(15)?);
    d.closed = date_of(r.get_ref(16)?);
    d.last_payment = date_of(r.get_ref(17)?);
    d.original_principal = cents_of(r.get_ref(18)?);
    d.owing = cents_of(r.get_ref(19)?);
    text_of(r.get_ref(20)?, &mut d.mode);
    text_of(r.get_ref(21)?, &mut d.status_override);
    text_of(r.get_ref(22)?, &mut d.ecoa);
    d.start_reporting = date_of(r.get_ref(23)?);
    d.report = flag_of(r.get_ref(24)?);
    text_of(r.get_ref(25)?, &mut d.user1);
    text_of(r.get_ref(26)?, &mut d.user2);
    Ok(())
}

/// A reported cosigner (`cs.cbr = 1`) as a Metro 2 file reads it.
#[derive(Debug, Clone, Default)]
pub struct ReportableCosigner {
    pub class: String,
    pub name: String,
    pub generation: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
    pub ssn: String,
    pub dob: Option<NaiveDate>,
    pub phone: String,
    /// `cs.sm` (blank reads as off).
    pub same_address: bool,
    pub ecoa: String,
}

/// The cosigner's owner key `fi` is the store's own column, then the fields.
fn read_cosigner(r: &Row<'_>) -> rusqlite::Result<(i64, ReportableCosigner)> {
    let mut c = ReportableCosigner::default();
    text_of(r.get_ref(1)?, &mut c.class);
    text_of(r.get_ref(2)?, &mut c.name);
    text_of(r.get_ref(3)?, &mut c.generation);
    text_of(r.get_ref(4)?, &mut c.address1);
    text_of(r.get_ref(5)?, &mut c.address2);
    text_of(r.get_ref(6)?, &mut c.city);
    text_of(r.get_ref(7)?, &mut c.state);
    text_of(r.get_ref(8)?, &mut c.zip);
    text_of(r.get_ref(9)?, &mut c.country);
    text_of(r.get_ref(10)?, &mut c.ssn);
    c.dob = date_of(r.get_ref(11)?);
    text_of(r.get_ref(12)?, &mut c.phone);
    c.same_address = flag_of(r.get_ref(13)?).unwrap_or(false);
    text_of(r.get_ref(14)?, &mut c.ecoa);
    Ok((r.get(0)?, c))
}

/// Every debtor whose `de.cbr` is not off (on, or never set), in file-number order,
/// each with its reported cosigners, streamed to `f` until it breaks. Two queries in
/// file-number order merged as they go: one pass, no lookup per debtor. `f` gets the
/// debtor's row (buffers reused for the next debtor) and its cosigners (to take).
pub fn for_each_reportable_debtor(
    conn: &Db,
    mut f: impl FnMut(&mut ReportableDebtor, &mut Vec<ReportableCosigner>) -> Result<ControlFlow<()>>,
) -> Result<()> {
    let mut dstmt = conn.prepare_cached(crate::sql!(
        "SELECT {de.fi}, {de.cn}, {de.na}, {de.ge}, {de.ad}, {de.a1}, {de.ci}, {de.st}, {de.zi},
                {de.cy}, {de.ss}, {de.dob}, {de.hp}, {de.li}, {de.dq}, {de.ch}, {de.cld}, {de.lpd},
                {de.opr}, {de.ow}, {de.mo}, {de.cbs}, {de.ecoa}, {de.cbd}, {de.cbr}, {de.u1}, {de.u2}
         FROM debtor WHERE {de.cbr} IS NOT 0 ORDER BY {de.fi}"
    )?)?;
    let mut cstmt = conn.prepare_cached(crate::sql!(
        "SELECT fi, {cs.cl}, {cs.na}, {cs.ge}, {cs.ad}, {cs.a1}, {cs.ci}, {cs.st}, {cs.zi},
                {cs.cy}, {cs.ss}, {cs.dob}, {cs.hp}, {cs.sm}, {cs.ecoa}
         FROM cosigner WHERE {cs.cbr} = 1 ORDER BY fi, id"
    )?)?;
    let mut drows = dstmt.query([])?;
    let mut crows = cstmt.query([])?;
    let mut next_cosigner = match crows.next()? {
        Some(r) => Some(read_cosigner(r)?),
        None => None,
    };
    let mut debtor = ReportableDebtor::default();
    let mut cosigners = Vec::new();
    while let Some(r) = drows.next()? {
        fill_debtor(r, &mut debtor)?;
        let fi = debtor.file_number;
        cosigners.clear();
        while let Some((cfi, _)) = &next_cosigner {
            if *cfi > fi {
                break;
            }
            let Some((cfi, c)) = next_cosigner.take() else {
                break;
            };
            if cfi == fi {
                cosigners.push(c);
            }
            next_cosigner = match crows.next()? {
                Some(r) => Some(read_cosigner(r)?),
                None => None,
            };
        }
        if f(&mut debtor, &mut cosigners)?.is_break() {
            break;
        }
    }
    Ok(())
}

/// Record a run's reported accounts (file number, status code): the report history
/// for `as_of` (a re-run of the same date replaces its rows), the Metro contacts due
/// by `as_of` completed on `today`, and the next period's contact due `next_due`
/// unless the status was final (62/DA/DF) or one is already pending after `as_of`.
/// Set-based through a temporary table: one statement per account took 12 s for 1M
/// accounts. The contact's owner key `fi` is the store's own column.
pub fn record_reported<'a>(
    conn: &Db,
    as_of: NaiveDate,
    today: NaiveDate,
    next_due: NaiveDate,
    description: &str,
    reported: impl IntoIterator<Item = (i64, &'a str)>,
) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS metro2_marked (fi INTEGER PRIMARY KEY, status TEXT NOT NULL);
         DELETE FROM temp.metro2_marked;",
    )?;
    {
        // Not cached: the temporary table is dropped at the end of each run.
        let mut ins =
            conn.prepare("INSERT INTO temp.metro2_marked (fi, status) VALUES (?1, ?2)")?;
        for (fi, status) in reported {
            ins.execute(params![fi, status])?;
        }
    }
    let (today_s, as_of_s) = (iso_date(today), iso_date(as_of));
    conn.execute(
        "INSERT INTO metro2_report (fi, as_of, status, run_date)
         SELECT fi, ?1, status, ?2 FROM temp.metro2_marked WHERE true
         ON CONFLICT (fi, as_of) DO UPDATE SET status = excluded.status,
                                               run_date = excluded.run_date",
        params![as_of_s, today_s],
    )?;
    conn.execute(
        crate::sql!(
            "UPDATE contact SET {co.do} = 1, {co.dd} = ?1, {co.st} = 'Completed'
             WHERE {co.ty} = 'Metro' AND COALESCE({co.do}, 0) = 0
               AND ({co.du} IS NULL OR {co.du} <= ?2)
               AND fi IN (SELECT fi FROM temp.metro2_marked)"
        )?,
        params![today_s, as_of_s],
    )?;
    conn.execute(
        crate::sql!(
            "INSERT INTO contact (fi, {co.ty}, {co.de}, {co.du}, {co.do}, {co.st})
             SELECT m.fi, 'Metro', ?3, ?1, 0, 'In Progress' FROM temp.metro2_marked m
             WHERE m.status NOT IN ('62', 'DA', 'DF')
               AND NOT EXISTS (SELECT 1 FROM contact c WHERE c.fi = m.fi AND c.{co.ty} = 'Metro'
                               AND COALESCE(c.{co.do}, 0) = 0 AND c.{co.du} > ?2)
             ORDER BY m.fi"
        )?,
        params![iso_date(next_due), as_of_s, description],
    )?;
    conn.execute_batch("DROP TABLE temp.metro2_marked")?;
    Ok(())
}
