//! Debtor records: typed reads and writes of the debtor table beyond the generic
//! record functions in `records.rs` (totals, statuses, addresses, as-of reads).

use std::sync::OnceLock;

use chrono::NaiveDate;
use rusqlite::params;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, OptionalExtension};
use rust_decimal::Decimal;

use super::Db;
use crate::dates::{iso_date, parse_iso};
use crate::store::sql::cached;
use crate::Result;

/// Set a debtor's arrangement amount per period (`de.arr`, cents).
pub fn set_arrangement_amount(conn: &Db, fi: i64, amount: i64) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.arr} = ?2 WHERE {de.fi} = ?1"
    )?)?
    .execute(params![fi, amount])?;
    Ok(())
}

/// Clear a debtor's next promise due (`de.npd`) and arrangement amount (`de.arr`):
/// no promise is open.
pub fn clear_next_promise(conn: &Db, fi: i64) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.npd} = NULL, {de.arr} = NULL WHERE {de.fi} = ?1"
    )?)?
    .execute([fi])?;
    Ok(())
}

/// Set a debtor's next promise due (`de.npd`), and its arrangement amount (`de.arr`)
/// to `amount` cents only when it has none.
pub fn set_next_promise(conn: &Db, fi: i64, due: Option<&str>, amount: i64) -> Result<()> {
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
    conn: &Db,
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

/// The debtor's judgment date (`de.jd`), if set and readable.
pub fn judgment_date(conn: &Db, file_number: i64) -> Result<Option<NaiveDate>> {
    debtor_date(
        conn,
        crate::sql!("SELECT {de.jd} FROM debtor WHERE {de.fi} = ?1")?,
        file_number,
    )
}

/// The one date field `sql` reads of debtor `?1`, surrounding blanks ignored; None
/// when blank, not a date, or there is no such debtor.
fn debtor_date(conn: &Db, sql: &str, fi: i64) -> Result<Option<NaiveDate>> {
    let stored: Option<Option<String>> = conn
        .prepare_cached(sql)?
        .query_row([fi], |r| r.get(0))
        .optional()?;
    Ok(parse_date(stored.flatten()))
}

/// The computed financial fields of a debtor as stored, in cents (docs/store.md
/// "Computed debtor fields"); money's `Totals` is built from and written as this.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DebtorTotals {
    pub principal: i64,
    pub interest: i64,
    pub fees: i64,
    pub legal: i64,
    pub adjustments: i64,
    pub paid: i64,
    pub owing: i64,
    pub original_principal: i64,
    pub original_interest: i64,
    pub last_payment_date: Option<NaiveDate>,
    pub last_payment_amount: Option<i64>,
}

/// The field codes of [`DebtorTotals`], in the order of [`DebtorTotals::values`].
const TOTALS_CODES: [&str; 11] = [
    "de.pr", "de.in", "de.fe", "de.lg", "de.aj", "de.pa", "de.ow", "de.opr", "de.oi", "de.lpd",
    "de.lpa",
];

impl DebtorTotals {
    /// The debtor columns the totals are stored in, in the order of
    /// [`DebtorTotals::values`] (a new account writes them in its INSERT). Looked up
    /// once per process.
    pub fn columns() -> Result<&'static [&'static str; 11]> {
        static COLUMNS: OnceLock<[&'static str; 11]> = OnceLock::new();
        if let Some(c) = COLUMNS.get() {
            return Ok(c);
        }
        let mut cols = [""; 11];
        for (col, code) in cols.iter_mut().zip(TOTALS_CODES) {
            *col = super::sql::column(code)?;
        }
        Ok(COLUMNS.get_or_init(|| cols))
    }

    /// The values of [`DebtorTotals::columns`], in that order.
    pub fn values(&self) -> [SqlValue; 11] {
        [
            SqlValue::Integer(self.principal),
            SqlValue::Integer(self.interest),
            SqlValue::Integer(self.fees),
            SqlValue::Integer(self.legal),
            SqlValue::Integer(self.adjustments),
            SqlValue::Integer(self.paid),
            SqlValue::Integer(self.owing),
            SqlValue::Integer(self.original_principal),
            SqlValue::Integer(self.original_interest),
            self.last_payment_date.map_or(SqlValue::Null, |d| {
                SqlValue::Text(crate::dates::iso_date(d))
            }),
            self.last_payment_amount
                .map_or(SqlValue::Null, SqlValue::Integer),
        ]
    }
}

/// The computed fields as stored on the debtor, `None` without such a debtor.
pub fn stored_totals(conn: &Db, file_number: i64) -> Result<Option<DebtorTotals>> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT COALESCE({de.pr},0), COALESCE({de.in},0), COALESCE({de.fe},0),
                    COALESCE({de.lg},0), COALESCE({de.aj},0), COALESCE({de.pa},0),
                    COALESCE({de.ow},0), COALESCE({de.opr},0), COALESCE({de.oi},0),
                    {de.lpd}, {de.lpa}
             FROM debtor WHERE {de.fi} = ?1"
        )?)?
        .query_row([file_number], |r| {
            Ok(DebtorTotals {
                principal: r.get(0)?,
                interest: r.get(1)?,
                fees: r.get(2)?,
                legal: r.get(3)?,
                adjustments: r.get(4)?,
                paid: r.get(5)?,
                owing: r.get(6)?,
                original_principal: r.get(7)?,
                original_interest: r.get(8)?,
                last_payment_date: r
                    .get::<_, Option<String>>(9)?
                    .and_then(|s| crate::dates::parse_iso(&s)),
                last_payment_amount: r.get(10)?,
            })
        })
        .optional()?)
}

/// Write the computed fields of one debtor.
pub fn store_totals(conn: &Db, file_number: i64, t: &DebtorTotals) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.pr} = ?2, {de.in} = ?3, {de.fe} = ?4, {de.lg} = ?5,
                {de.aj} = ?6, {de.pa} = ?7, {de.ow} = ?8, {de.opr} = ?9, {de.oi} = ?10,
                {de.lpd} = ?11, {de.lpa} = ?12
         WHERE {de.fi} = ?1"
    )?)?
    .execute(params_from_iter(
        std::iter::once(SqlValue::Integer(file_number)).chain(t.values()),
    ))?;
    Ok(())
}

/// The debtor fields commission and tax depend on when a payment is posted: rate
/// levels, rate plan, tax (the client's too), the dates and amounts rate plans look at.
#[derive(Debug, Clone, Default)]
pub struct PostingTerms {
    pub rates: [Option<Decimal>; 4],
    pub rate_plan: Option<String>,
    pub tax_rate: Option<Decimal>,
    pub tax_exempt: Option<bool>,
    pub client_tax_rate: Option<Decimal>,
    pub client_tax_exempt: Option<bool>,
    pub listed: Option<NaiveDate>,
    pub charged: Option<NaiveDate>,
    pub delinquent: Option<NaiveDate>,
    /// Original principal + original interest, cents.
    pub list_amount: i64,
    pub paid: i64,
    pub owing: i64,
}

/// The posting terms of one debtor, `None` without such a debtor.
pub fn posting_terms(conn: &Db, file_number: i64) -> Result<Option<PostingTerms>> {
    let date = |s: Option<String>| s.and_then(|s| crate::dates::parse_iso(&s));
    let dec = |s: Option<String>| s.and_then(|s| s.trim().parse::<Decimal>().ok());
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT d.{de.rt}, d.{de.r2}, d.{de.r3}, d.{de.r4}, d.{de.rpl}, d.{de.tx}, d.{de.te},
                    (SELECT {cl.tx} FROM client WHERE {cl.nu} = d.{de.cn}),
                    (SELECT {cl.te} FROM client WHERE {cl.nu} = d.{de.cn}),
                    d.{de.li}, d.{de.ch}, d.{de.dq},
                    COALESCE(d.{de.opr}, 0) + COALESCE(d.{de.oi}, 0), COALESCE(d.{de.pa}, 0),
                    COALESCE(d.{de.ow}, 0)
             FROM debtor d WHERE d.{de.fi} = ?1"
        )?)?
        .query_row([file_number], |r| {
            Ok(PostingTerms {
                rates: [
                    dec(r.get(0)?),
                    dec(r.get(1)?),
                    dec(r.get(2)?),
                    dec(r.get(3)?),
                ],
                rate_plan: r
                    .get::<_, Option<String>>(4)?
                    .filter(|s| !s.trim().is_empty()),
                tax_rate: dec(r.get(5)?),
                tax_exempt: r.get(6)?,
                client_tax_rate: dec(r.get(7)?),
                client_tax_exempt: r.get(8)?,
                listed: date(r.get(9)?),
                charged: date(r.get(10)?),
                delinquent: date(r.get(11)?),
                list_amount: r.get(12)?,
                paid: r.get(13)?,
                owing: r.get(14)?,
            })
        })
        .optional()?)
}

/// The interest fields of one debtor as stored (`de.ity`, `de.irt`, `de.ifd`, `de.jd`,
/// `de.jrt`, `de.mo`): text, read by the accrual, which reports what does not parse.
#[derive(Debug, Clone)]
pub struct InterestTerms {
    pub file_number: i64,
    pub interest_type: Option<String>,
    pub rate: Option<String>,
    pub from: Option<String>,
    pub judgment_date: Option<String>,
    pub judgment_rate: Option<String>,
    pub mode: Option<String>,
}

fn interest_terms_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<InterestTerms> {
    Ok(InterestTerms {
        file_number: r.get(0)?,
        interest_type: r.get(1)?,
        rate: r.get(2)?,
        from: r.get(3)?,
        judgment_date: r.get(4)?,
        judgment_rate: r.get(5)?,
        mode: r.get(6)?,
    })
}

/// The interest fields of one debtor, `None` without such a debtor.
pub fn interest_terms(conn: &Db, file_number: i64) -> Result<Option<InterestTerms>> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT {de.fi}, {de.ity}, {de.irt}, {de.ifd}, {de.jd}, {de.jrt}, {de.mo}
             FROM debtor WHERE {de.fi} = ?1"
        )?)?
        .query_row([file_number], interest_terms_row)
        .optional()?)
}

/// Debtors with an interest type and a file number above `after`, in file-number
/// order, at most `limit` of them: the accrual reads a page at a time, so a million
/// accounts never sit in memory together.
pub fn interest_terms_after(conn: &Db, after: i64, limit: i64) -> Result<Vec<InterestTerms>> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT {de.fi}, {de.ity}, {de.irt}, {de.ifd}, {de.jd}, {de.jrt}, {de.mo} FROM debtor
         WHERE {de.fi} > ?1 AND lower(trim(COALESCE({de.ity}, ''))) NOT IN ('', 'none')
         ORDER BY {de.fi} LIMIT ?2"
    )?)?;
    let rows = stmt.query_map([after, limit], interest_terms_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The debtor's stored Owing (`de.ow`, blank as 0) in cents, `None` without such a
/// debtor.
pub fn owing_cents(conn: &Db, file_number: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT COALESCE({de.ow}, 0) FROM debtor WHERE {de.fi} = ?1"
        )?)?
        .query_row([file_number], |r| r.get(0))
        .optional()?)
}

/// The debtor's stored Principal (`de.pr`, blank as 0) in cents, `None` without such
/// a debtor.
pub fn principal_cents(conn: &Db, file_number: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT COALESCE({de.pr}, 0) FROM debtor WHERE {de.fi} = ?1"
        )?)?
        .query_row([file_number], |r| r.get(0))
        .optional()?)
}

/// A debtor as a letter's addressee (text fields as stored, blank as None), with the
/// Address OK flag and the mode (blank as `A`).
#[derive(Debug, Clone)]
pub struct LetterAddress {
    pub name: Option<String>,
    pub address: Option<String>,
    pub address1: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub ok: bool,
    pub mode: String,
}

/// The letter address of a debtor; an error when there is no such debtor.
pub fn letter_address(conn: &Db, fi: i64) -> Result<LetterAddress> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT {de.na}, {de.ad}, {de.a1}, {de.ci}, {de.st}, {de.zi}, COALESCE({de.ok}, 0),
                    COALESCE({de.mo}, 'A') FROM debtor WHERE {de.fi} = ?1"
        )?)?
        .query_row([fi], |r| {
            Ok(LetterAddress {
                name: r.get(0)?,
                address: r.get(1)?,
                address1: r.get(2)?,
                city: r.get(3)?,
                state: r.get(4)?,
                zip: r.get(5)?,
                ok: r.get(6)?,
                mode: r.get(7)?,
            })
        })?)
}

/// A cosigner (related party) as a letter's addressee.
#[derive(Debug, Clone)]
pub struct CosignerAddress {
    /// The cosigner's row.
    pub id: i64,
    /// Class (blank as empty).
    pub class: String,
    pub name: Option<String>,
    pub address: Option<String>,
    pub address1: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub ok: bool,
    /// Same address as the debtor.
    pub same_as_debtor: bool,
}

/// Every cosigner of a debtor, in row order. `id` and `fi` are the store's keys on
/// cosigner.
pub fn cosigner_addresses(conn: &Db, fi: i64) -> Result<Vec<CosignerAddress>> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT id, COALESCE({cs.cl}, ''), {cs.na}, {cs.ad}, {cs.a1}, {cs.ci}, {cs.st}, {cs.zi},
                COALESCE({cs.ok}, 0), COALESCE({cs.sm}, 0) FROM cosigner WHERE fi = ?1 ORDER BY id"
    )?)?;
    let rows = stmt
        .query_map([fi], |r| {
            Ok(CosignerAddress {
                id: r.get(0)?,
                class: r.get(1)?,
                name: r.get(2)?,
                address: r.get(3)?,
                address1: r.get(4)?,
                city: r.get(5)?,
                state: r.get(6)?,
                zip: r.get(7)?,
                ok: r.get(8)?,
                same_as_debtor: r.get(9)?,
            })
        })?
        .collect::<std::result::Result<_, _>>()?;
    Ok(rows)
}

/// A debtor's street address, city and status (blank as empty), or None when there is
/// no such debtor.
pub fn address_city_status(conn: &Db, fi: i64) -> Result<Option<(String, String, String)>> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT COALESCE({de.ad}, ''), COALESCE({de.ci}, ''), COALESCE({de.sta}, '') FROM debtor WHERE {de.fi} = ?1"
    )?)?;
    let row = stmt.query_row([fi], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)));
    Ok(rusqlite::OptionalExtension::optional(row)?)
}

/// A verified mailing address (an NCOA return): a blank second line is stored as NULL.
#[derive(Debug, Clone, Copy)]
pub struct VerifiedAddress<'a> {
    pub address: &'a str,
    pub address1: &'a str,
    pub city: &'a str,
    pub state: &'a str,
    pub zip: &'a str,
}

/// Give a debtor a verified address and set Address OK.
pub fn set_verified_address(conn: &Db, fi: i64, a: &VerifiedAddress) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.ad} = ?2, {de.a1} = NULLIF(?3, ''), {de.ci} = ?4, {de.st} = ?5, {de.zi} = ?6, {de.ok} = 1 WHERE {de.fi} = ?1"
    )?)?
    .execute(params![fi, a.address, a.address1, a.city, a.state, a.zip])?;
    Ok(())
}

/// The first cosigner of a debtor (lowest row) with its name (blank as empty).
pub fn first_cosigner(conn: &Db, fi: i64) -> Result<Option<(i64, String)>> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT id, COALESCE({cs.na}, '') FROM cosigner WHERE fi = ?1 ORDER BY id LIMIT 1"
    )?)?;
    let row = stmt.query_row([fi], |r| Ok((r.get(0)?, r.get(1)?)));
    Ok(rusqlite::OptionalExtension::optional(row)?)
}

/// Give a cosigner a verified address of its own: Address OK set, Same Address As
/// Debtor cleared.
pub fn set_cosigner_verified_address(conn: &Db, id: i64, a: &VerifiedAddress) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE cosigner SET {cs.ad} = ?2, {cs.a1} = NULLIF(?3, ''), {cs.ci} = ?4, {cs.st} = ?5, {cs.zi} = ?6, {cs.ok} = 1, {cs.sm} = 0 WHERE id = ?1"
    )?)?
    .execute(params![id, a.address, a.address1, a.city, a.state, a.zip])?;
    Ok(())
}

/// Stream the values one text key field (`de.ac`, …) holds among one client's
/// debtors, blanks left out, into `each`; `each` returning false stops the walk.
/// True when every value was passed on.
pub fn for_each_debtor_key(
    conn: &Db,
    client: i64,
    key: &'static crate::catalog::FieldDef,
    mut each: impl FnMut(&str) -> bool,
) -> Result<bool> {
    if key.form != crate::catalog::Form::Debtor {
        crate::bail!(runtime, "store: {} is not a debtor field", key.code());
    }
    // Run once per import: the key column is the import's choice, so the text is built.
    let sql = super::sql::expand(&format!(
        "SELECT {col} FROM debtor WHERE {{de.cn}} = ?1 AND {col} IS NOT NULL",
        col = key.column
    ))?;
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([client])?;
    while let Some(r) = rows.next()? {
        if let rusqlite::types::ValueRef::Text(t) = r.get_ref(0)? {
            if !each(&String::from_utf8_lossy(t)) {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Whether a debtor has this phone number on file (a phone record).
pub fn debtor_has_phone(conn: &Db, fi: i64, number: &str) -> Result<bool> {
    // `fi` is the phone table's owner key (store schema), not a phone field.
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT 1 FROM phone WHERE fi = ?1 AND {ph.nu} = ?2"
        )?)?
        .exists(params![fi, number])?)
}

/// Add an active phone record of a type (`Home`, `Work`, `Cell`) to a debtor.
pub fn add_debtor_phone(conn: &Db, fi: i64, number: &str, ty: &str) -> Result<()> {
    // `fi` is the phone table's owner key (store schema), not a phone field.
    conn.prepare_cached(crate::sql!(
        "INSERT INTO phone (fi, {ph.nu}, {ph.ty}, {ph.ac}) VALUES (?1, ?2, ?3, ?4)"
    )?)?
    .execute(params![fi, number, ty, 1])?;
    Ok(())
}

/// Whether a debtor has this email address on file (case-insensitive).
pub fn debtor_has_email(conn: &Db, fi: i64, address: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM email WHERE fi = ?1 AND address = ?2 COLLATE NOCASE")?
        .exists(params![fi, address])?)
}

/// Add an active `Home` email address to a debtor.
pub fn add_debtor_email(conn: &Db, fi: i64, address: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO email (fi, address, type, active) VALUES (?1, ?2, 'Home', 1)",
    )?
    .execute(params![fi, address])?;
    Ok(())
}

/// A postal address as the address table holds it; a blank line is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressLines {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub country: Option<String>,
}

/// Whether a debtor has exactly this address on file (blank lines match blank).
pub fn debtor_has_address(conn: &Db, fi: i64, a: &AddressLines) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM address WHERE fi = ?1 AND ad IS ?2 AND a1 IS ?3 AND ci IS ?4
               AND st IS ?5 AND zi IS ?6 AND cy IS ?7",
        )?
        .exists(params![
            fi, a.line1, a.line2, a.city, a.state, a.zip, a.country
        ])?)
}

/// Add an active `Placement` address to a debtor; `ok` is its address-ok flag.
pub fn add_debtor_address(conn: &Db, fi: i64, a: &AddressLines, ok: bool) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO address (fi, type, ad, a1, ci, st, zi, cy, ok, active)
         VALUES (?1, 'Placement', ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)",
    )?
    .execute(params![
        fi, a.line1, a.line2, a.city, a.state, a.zip, a.country, ok
    ])?;
    Ok(())
}

/// The debtors an import batch wrote with a run plan (`de.rp` not blank), with the
/// plan, in file-number order.
pub fn debtors_with_plan_in_batch(conn: &Db, batch: i64) -> Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare(crate::sql!(
        "SELECT {de.fi}, {de.rp} FROM debtor WHERE {de.ib} = ?1 AND COALESCE({de.rp}, '') <> '' ORDER BY {de.fi}"
    )?)?;
    let rows = stmt.query_map([batch.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Every debtor's file number, ascending.
pub fn all_debtor_ids(conn: &Db) -> Result<Vec<i64>> {
    let mut stmt =
        conn.prepare_cached(crate::sql!("SELECT {de.fi} FROM debtor ORDER BY {de.fi}")?)?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(ids)
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

/// The ids of a debtor's records of a sub-record form (transactions, notes,
/// contacts, …), in the order they were written.
pub fn debtor_record_ids(conn: &Db, form: crate::catalog::Form, fi: i64) -> Result<Vec<i64>> {
    // `fi` is every sub-record table's owner key (store schema).
    let sql = format!(
        "SELECT rowid FROM {} WHERE fi = ?1 ORDER BY rowid",
        form.table()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let ids = stmt
        .query_map([fi], |r| r.get::<_, i64>(0))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(ids)
}

/// A stored date as the statute of limitations and judgments read it (surrounding
/// blanks ignored).
fn parse_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| parse_iso(s.trim()))
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
    debtor_date(
        conn,
        crate::sql!("SELECT {de.tbd} FROM debtor WHERE {de.fi} = ?1")?,
        fi,
    )
}
