//! `recoup metro2 generate`: the Metro 2 file from the database (docs/metro2.md).
//!
//! One pass over the debtors in file-number order (a merge with their reported
//! cosigners), each mapped by `build::build_records`, checked with the collection
//! profile and written; the trailer is recomputed by the writer. Lookups that would
//! be one query per debtor (clients, the month's payments, the report history) are
//! loaded once into maps. The file is written beside `--out` and renamed into place
//! only when it is accepted. The database changes only with `--mark-done`.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use chrono::{Datelike, Months, NaiveDate};
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, Row};
use rust_decimal::Decimal;
use serde::Serialize;

use super::build::{
    build_header, build_records, AccountInput, BuildOptions, Bureau, ClientInput, CosignerInput,
    HeaderInput, Status,
};
use super::cbr::{col, plan_activation, record_activation, Activation, CbrSetup, ClientDelay};
use super::segment::Segment;
use super::validate::{check_record, validate, Finding};
use super::{LineEnding, Profile, Severity, Writer};
use crate::catalog::Form;
use crate::dates::{iso_date, parse_iso_exact};
use crate::money::from_cents;
use crate::store;
use crate::{Env, Error, Result};

/// The command's switches.
#[derive(Debug, Clone, Default)]
pub struct GenerateOptions {
    pub out: PathBuf,
    /// Default: today.
    pub as_of: Option<NaiveDate>,
    /// Keep only this bureau's program identifier in the header.
    pub bureau: Option<Bureau>,
    /// No line ending after the records (overrides setup's `line_ending`).
    pub no_newline: bool,
    /// Record the report history, complete and forward the Metro contacts.
    pub mark_done: bool,
    /// Write the file even when the header fails validation.
    pub force: bool,
    /// Keep every excluded account in the summary, not only the first of each reason
    /// (the command line sets it for `--json`).
    pub list_all_exclusions: bool,
}

/// Records written, by segment.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SegmentCounts {
    pub header: u64,
    pub base: u64,
    #[serde(rename = "J1")]
    pub j1: u64,
    #[serde(rename = "J2")]
    pub j2: u64,
    #[serde(rename = "K1")]
    pub k1: u64,
    pub trailer: u64,
}

/// What a run did (the `--json` summary).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub out: String,
    pub as_of: String,
    pub counts: SegmentCounts,
    pub reported: u64,
    /// Accounts reported, by status code.
    pub statuses: BTreeMap<String, u64>,
    /// Accounts not reported, by reason (a stderr warning per reason).
    pub excluded: BTreeMap<String, u64>,
    /// The accounts not reported, in file-number order: every one with `--json`,
    /// else only the first [`EXCLUSIONS_NAMED`] of each reason (a run can exclude
    /// hundreds of thousands).
    pub exclusions: Vec<ExcludedAccount>,
    /// Keep every excluded account in `exclusions` (set for `--json`).
    #[serde(skip)]
    pub list_all_exclusions: bool,
    /// Accounts whose final 62/DA/DF was reported before: no longer reported.
    pub finished: u64,
    /// Accounts activated by this run (auto_activate); kept only with --mark-done.
    pub activated: u64,
    /// Accounts recorded in the report history (--mark-done).
    pub marked_done: u64,
    /// Time-barred accounts reported, each with a warning (docs/money.md).
    pub time_barred: u64,
}

/// One account not reported, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExcludedAccount {
    pub file: i64,
    /// The summary key (`no_ssn_or_dob`, `under_minimum`, `validation`, …).
    pub reason: String,
    pub message: String,
}

/// File numbers named per reason in the stderr warning.
pub const EXCLUSIONS_NAMED: usize = 5;

impl Summary {
    /// One warning line per exclusion reason: the count, the first file numbers and
    /// the first account's message (`--json` lists every account).
    pub fn exclusion_warnings(&self) -> Vec<String> {
        self.excluded
            .iter()
            .map(|(key, n)| {
                let named: Vec<&ExcludedAccount> = self
                    .exclusions
                    .iter()
                    .filter(|e| e.reason == *key)
                    .take(EXCLUSIONS_NAMED)
                    .collect();
                let mut files = named
                    .iter()
                    .map(|e| e.file.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                if *n > named.len() as u64 {
                    files.push_str(&format!(" and {} more", *n - named.len() as u64));
                }
                let example = named
                    .first()
                    .map(|e| format!("; file {}: {}", e.file, e.message))
                    .unwrap_or_default();
                format!("warning: {n} account(s) not reported ({key}): files {files}{example}")
            })
            .collect()
    }
}

/// A client as the run needs it.
struct ClientRow {
    input: ClientInput,
    delay: ClientDelay,
}

/// An account's earlier reports (as-of dates before this run's).
#[derive(Default)]
struct Past {
    months: Vec<NaiveDate>,
    final_reported: bool,
}

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

fn cents_of(v: ValueRef<'_>) -> Decimal {
    match v {
        ValueRef::Integer(i) => from_cents(i),
        _ => Decimal::ZERO,
    }
}

fn flag_of(v: ValueRef<'_>) -> Option<bool> {
    match v {
        ValueRef::Integer(i) => Some(i != 0),
        ValueRef::Text(t) => Some(!matches!(t, b"" | b"0")),
        _ => None,
    }
}

fn company_text(rec: &store::FieldValues, field: &str) -> String {
    rec.iter()
        .find(|(f, _)| f.field == field)
        .map(|(_, v)| v.plain())
        .unwrap_or_default()
}

fn load_clients(conn: &Connection) -> Result<ByFile<ClientRow>> {
    let sql = format!(
        "SELECT {}, {}, {}, {}, {}, {}, {}, {} FROM client",
        col("cl.nu")?,
        col("cl.na")?,
        col("cl.ty")?,
        col("cl.ou")?,
        col("cl.rb")?,
        col("cl.sd")?,
        col("cl.dd")?,
        col("cl.mb")?
    );
    let mut out = ByFile::default();
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    let mut s = String::new();
    while let Some(r) = rows.next()? {
        let nu: i64 = r.get(0)?;
        let mut input = ClientInput::default();
        text_of(r.get_ref(1)?, &mut input.name);
        text_of(r.get_ref(2)?, &mut input.classification);
        text_of(r.get_ref(3)?, &mut s);
        input.original_creditor_in_user = s.trim().parse().unwrap_or(0);
        input.reports_to_bureaus = flag_of(r.get_ref(4)?).unwrap_or(false);
        input.send_client_detail = flag_of(r.get_ref(5)?).unwrap_or(false);
        text_of(r.get_ref(6)?, &mut s);
        let delay = ClientDelay {
            delay_days: s.trim().parse().ok(),
            min_balance: match r.get_ref(7)? {
                ValueRef::Integer(c) => Some(from_cents(c)),
                _ => None,
            },
        };
        out.insert(nu, ClientRow { input, delay });
    }
    Ok(out)
}

/// An account's money as of the as-of date, from its transactions (docs/metro2.md: the
/// file reports the month, not the day it is made).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct AsOfMoney {
    /// What the transactions dated after the as-of date took off the owing (their
    /// To Us + Direct: payments positive, charges negative); added back to `de.ow`.
    after: Decimal,
    /// Payments dated from the 1st of the as-of month through the as-of date.
    paid_in_month: Decimal,
    /// The latest payment dated on or before the as-of date.
    last_payment: Option<NaiveDate>,
    /// The account has payment transactions at all (else `de.lpd`, e.g. imported, stands).
    has_payments: bool,
}

/// [`AsOfMoney`] per debtor, sorted by file number. A payment that was reversed
/// (105 / NSF: a negative payment whose `tr.rv` names it) and its reversal count
/// nowhere — not in the Actual Payment, not as the Date of Last Payment, and not
/// in the balance — whatever their dates: the money never arrived. Transactions
/// without a payment date are taken as before the as-of date.
fn load_as_of_money(conn: &Connection, as_of: NaiveDate) -> Result<Vec<(i64, AsOfMoney)>> {
    let first = as_of.with_day(1).unwrap_or(as_of);
    let sql = format!(
        "WITH reversed AS (SELECT {rv} AS id FROM trans WHERE {rv} IS NOT NULL)
         SELECT t.fi,
           SUM(CASE WHEN t.{py} > ?2
                     AND t.{ft} IN ('payment', 'principal', 'interest', 'fee', 'legal', 'adjustment')
                     AND NOT (t.{rv} IS NOT NULL AND EXISTS
                              (SELECT 1 FROM trans p WHERE p.id = t.{rv} AND p.{py} <= ?2))
                    THEN COALESCE(t.{tu}, 0) + COALESCE(t.{di}, 0) ELSE 0 END),
           SUM(CASE WHEN t.{ft} = 'payment' AND t.{py} >= ?1 AND t.{py} <= ?2
                     AND t.{rv} IS NULL AND t.id NOT IN (SELECT id FROM reversed)
                    THEN COALESCE(t.{tu}, 0) + COALESCE(t.{di}, 0) ELSE 0 END),
           MAX(CASE WHEN t.{ft} = 'payment' AND COALESCE(t.{tu}, 0) + COALESCE(t.{di}, 0) > 0
                     AND t.{py} <= ?2 AND t.id NOT IN (SELECT id FROM reversed)
                    THEN t.{py} END),
           MAX(t.{ft} = 'payment' AND COALESCE(t.{tu}, 0) + COALESCE(t.{di}, 0) > 0)
         FROM trans t WHERE t.{ft} = 'payment' OR t.{py} > ?2
         GROUP BY t.fi ORDER BY t.fi",
        tu = col("tr.tu")?,
        di = col("tr.di")?,
        ft = col("tr.ft")?,
        py = col("tr.py")?,
        rv = col("tr.rv")?,
    );
    let mut out = Vec::new();
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params![iso_date(first), iso_date(as_of)])?;
    while let Some(r) = rows.next()? {
        out.push((
            r.get::<_, i64>(0)?,
            AsOfMoney {
                after: from_cents(r.get::<_, i64>(1)?),
                paid_in_month: from_cents(r.get::<_, i64>(2)?),
                last_payment: date_of(r.get_ref(3)?),
                has_payments: r.get::<_, Option<i64>>(4)?.unwrap_or(0) != 0,
            },
        ));
    }
    Ok(out)
}

/// Put the account back as it stood on the as-of date: the owing before later
/// transactions, the month's payments and the last payment up to that date.
/// `None` when the owing overflows (a corrupt amount; the account is excluded).
fn apply_as_of(a: &mut AccountInput, money: Option<&AsOfMoney>, as_of: NaiveDate) -> Option<()> {
    let m = money.copied().unwrap_or_default();
    a.owing = a.owing.checked_add(m.after)?;
    // A reversal of an earlier month's payment makes no negative Actual Payment.
    a.paid_in_month = m.paid_in_month.max(Decimal::ZERO);
    if m.has_payments {
        a.last_payment = m.last_payment;
    }
    a.last_payment = a.last_payment.filter(|d| *d <= as_of);
    Some(())
}

fn load_history(conn: &Connection, as_of: NaiveDate) -> Result<Vec<(i64, Past)>> {
    let mut out: Vec<(i64, Past)> = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT fi, as_of, status FROM metro2_report WHERE as_of < ?1 ORDER BY fi, as_of",
    )?;
    let mut rows = stmt.query([iso_date(as_of)])?;
    while let Some(r) = rows.next()? {
        let fi: i64 = r.get(0)?;
        let date = date_of(r.get_ref(1)?);
        let status: String = r.get(2)?;
        if out.last().is_none_or(|(f, _)| *f != fi) {
            out.push((fi, Past::default()));
        }
        let Some((_, p)) = out.last_mut() else {
            continue;
        };
        if let Some(d) = date {
            if matches!(status.as_str(), "93" | "62") {
                p.months.push(d);
            }
        }
        if matches!(status.as_str(), "62" | "DA" | "DF") {
            p.final_reported = true;
        }
    }
    Ok(out)
}

/// Accounts that failed the minimum test at activation and are still switched off.
fn load_under_minimum(conn: &Connection) -> Result<Vec<(i64, String)>> {
    let sql = format!(
        "SELECT a.fi, a.excluded FROM metro2_activation a JOIN debtor d ON d.{fi} = a.fi
         WHERE a.excluded IS NOT NULL AND d.{cbr} = 0 ORDER BY a.fi",
        fi = col("de.fi")?,
        cbr = col("de.cbr")?,
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Client numbers hashed as they are (SipHash showed in profiles of the 1M-debtor run).
#[derive(Default, Clone, Copy)]
struct FileNumberHasher(u64);

impl std::hash::Hasher for FileNumberHasher {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_i64(&mut self, n: i64) {
        self.0 = n as u64;
    }
}

type ByFile<V> = HashMap<i64, V, std::hash::BuildHasherDefault<FileNumberHasher>>;

/// Credit-grantor mode: the due date of each account's pending Metro contact.
fn load_metro_contacts(conn: &Connection) -> Result<Vec<(i64, NaiveDate)>> {
    let sql = format!(
        "SELECT fi, MIN({du}) FROM contact WHERE {ty} = 'Metro' AND COALESCE({done}, 0) = 0
         AND fi IS NOT NULL GROUP BY fi ORDER BY fi",
        du = col("co.du")?,
        ty = col("co.ty")?,
        done = col("co.do")?,
    );
    let mut out = Vec::new();
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        if let Some(d) = date_of(r.get_ref(1)?) {
            out.push((r.get(0)?, d));
        }
    }
    Ok(out)
}

/// Debtor columns, in the order `fill_debtor` reads them.
const DEBTOR_COLS: &[&str] = &[
    "de.fi", "de.cn", "de.na", "de.ge", "de.ad", "de.a1", "de.ci", "de.st", "de.zi", "de.cy",
    "de.ss", "de.dob", "de.hp", "de.li", "de.dq", "de.ch", "de.cld", "de.lpd", "de.opr", "de.ow",
    "de.mo", "de.cbs", "de.ecoa", "de.cbd", "de.cbr", "de.u1", "de.u2",
];

fn fill_debtor(r: &Row<'_>, a: &mut AccountInput) -> rusqlite::Result<()> {
    a.file_number = r.get(0)?;
    text_of(r.get_ref(2)?, &mut a.name);
    text_of(r.get_ref(3)?, &mut a.generation);
    text_of(r.get_ref(4)?, &mut a.address1);
    text_of(r.get_ref(5)?, &mut a.address2);
    text_of(r.get_ref(6)?, &mut a.city);
    text_of(r.get_ref(7)?, &mut a.state);
    text_of(r.get_ref(8)?, &mut a.zip);
    text_of(r.get_ref(9)?, &mut a.country);
    text_of(r.get_ref(10)?, &mut a.ssn);
    a.dob = date_of(r.get_ref(11)?);
    text_of(r.get_ref(12)?, &mut a.phone);
    a.listed = date_of(r.get_ref(13)?);
    a.delinquency = date_of(r.get_ref(14)?);
    a.charged = date_of(r.get_ref(15)?);
    a.closed = date_of(r.get_ref(16)?);
    a.last_payment = date_of(r.get_ref(17)?);
    a.original_principal = cents_of(r.get_ref(18)?);
    a.owing = cents_of(r.get_ref(19)?);
    text_of(r.get_ref(20)?, &mut a.mode);
    text_of(r.get_ref(21)?, &mut a.status_override);
    text_of(r.get_ref(22)?, &mut a.ecoa);
    a.start_reporting = date_of(r.get_ref(23)?);
    text_of(r.get_ref(25)?, &mut a.client.debtor_user1);
    text_of(r.get_ref(26)?, &mut a.client.debtor_user2);
    Ok(())
}

/// Cosigner columns (`cs.cbr = 1` only), in the order `read_cosigner` reads them.
const COSIGNER_COLS: &[&str] = &[
    "cs.cl", "cs.na", "cs.ge", "cs.ad", "cs.a1", "cs.ci", "cs.st", "cs.zi", "cs.cy", "cs.ss",
    "cs.dob", "cs.hp", "cs.sm", "cs.ecoa",
];

fn read_cosigner(r: &Row<'_>) -> rusqlite::Result<(i64, CosignerInput)> {
    let mut c = CosignerInput {
        report: true,
        ..CosignerInput::default()
    };
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

fn columns(codes: &[&str]) -> Result<String> {
    Ok(codes
        .iter()
        .map(|c| col(c))
        .collect::<Result<Vec<_>>>()?
        .join(", "))
}

/// The header findings (file-level): the header written alone with an empty
/// trailer and validated with the collection profile.
fn header_findings(header: &Segment) -> Result<Vec<Finding>> {
    let mut w = Writer::new(Vec::new(), LineEnding::Lf);
    let shape = |e: super::write::WriteError| Error::validation(format!("header: {e}"));
    w.header(header).map_err(shape)?;
    let bytes = w.finish().map_err(shape)?;
    let report = validate(&bytes[..], Profile::Collection);
    Ok(report
        .findings
        .into_iter()
        .filter(|f| f.record == 1 && f.severity != Severity::Info)
        .collect())
}

/// The next reporting period's date: a month later (month end stays month end).
fn next_period(as_of: NaiveDate) -> NaiveDate {
    let month_end = as_of.succ_opt().is_none_or(|n| n.month() != as_of.month());
    let next = as_of.checked_add_months(Months::new(1)).unwrap_or(as_of);
    if month_end {
        let first_after = next
            .with_day(1)
            .and_then(|d| d.checked_add_months(Months::new(1)));
        first_after.and_then(|d| d.pred_opt()).unwrap_or(next)
    } else {
        next
    }
}

/// The run's bookkeeping for `--mark-done`.
#[derive(Default)]
struct Done {
    activations: Vec<(i64, Activation)>,
    reported: Vec<(i64, Status)>,
}

/// Set-based: the reported accounts go to a temporary table, then one statement each
/// records the history, completes the Metro contacts and forwards them (one statement
/// per account took 12 s for 1M accounts).
fn mark_done(conn: &Connection, as_of: NaiveDate, today: NaiveDate, done: &Done) -> Result<u64> {
    for (fi, a) in &done.activations {
        record_activation(conn, *fi, today, a)?;
    }
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS metro2_marked (fi INTEGER PRIMARY KEY, status TEXT NOT NULL);
         DELETE FROM temp.metro2_marked;",
    )?;
    {
        let mut ins =
            conn.prepare("INSERT INTO temp.metro2_marked (fi, status) VALUES (?1, ?2)")?;
        for (fi, status) in &done.reported {
            ins.execute(params![fi, status.code()])?;
        }
    }
    let (ty, de, du, dcol, dd, st) = (
        col("co.ty")?,
        col("co.de")?,
        col("co.du")?,
        col("co.do")?,
        col("co.dd")?,
        col("co.st")?,
    );
    let (today_s, as_of_s) = (iso_date(today), iso_date(as_of));
    // A re-run of the same as-of date replaces its rows.
    conn.execute(
        "INSERT INTO metro2_report (fi, as_of, status, run_date)
         SELECT fi, ?1, status, ?2 FROM temp.metro2_marked WHERE true
         ON CONFLICT (fi, as_of) DO UPDATE SET status = excluded.status,
                                               run_date = excluded.run_date",
        params![as_of_s, today_s],
    )?;
    conn.execute(
        &format!(
            "UPDATE contact SET {dcol} = 1, {dd} = ?1, {st} = 'Completed'
             WHERE {ty} = 'Metro' AND COALESCE({dcol}, 0) = 0 AND ({du} IS NULL OR {du} <= ?2)
               AND fi IN (SELECT fi FROM temp.metro2_marked)"
        ),
        params![today_s, as_of_s],
    )?;
    // The next period's contact, unless the status was final (62/DA/DF: docs/metro2.md) or
    // one is already pending after the as-of date (S2:5549-5555).
    conn.execute(
        &format!(
            "INSERT INTO contact (fi, {ty}, {de}, {du}, {dcol}, {st})
             SELECT m.fi, 'Metro', ?3, ?1, 0, 'In Progress' FROM temp.metro2_marked m
             WHERE m.status NOT IN ('62', 'DA', 'DF')
               AND NOT EXISTS (SELECT 1 FROM contact c WHERE c.fi = m.fi AND c.{ty} = 'Metro'
                               AND COALESCE(c.{dcol}, 0) = 0 AND c.{du} > ?2)
             ORDER BY m.fi"
        ),
        params![
            iso_date(next_period(as_of)),
            as_of_s,
            super::cbr::METRO_DESCRIPTION
        ],
    )?;
    conn.execute_batch("DROP TABLE temp.metro2_marked")?;
    Ok(done.reported.len() as u64)
}

/// The Metro 2 file from the database. Warnings (`warning: file N: reason`) go to
/// `warn`. The database changes only with `mark_done` (in one transaction, after
/// the file is in place).
pub fn generate(
    conn: &mut Connection,
    env: &Env,
    opts: &GenerateOptions,
    warn: &mut (dyn Write + Send),
) -> Result<Summary> {
    let setup = CbrSetup::load(conn)?;
    let as_of = opts.as_of.unwrap_or(env.today);
    let today = env.today;
    let ending = if opts.no_newline {
        LineEnding::None
    } else {
        LineEnding::parse(&setup.line_ending).ok_or_else(|| {
            Error::config(format!(
                "[credit_bureau] line_ending '{}' must be crlf, lf or none",
                setup.line_ending
            ))
        })?
    };
    let company = store::read_record(conn, Form::Company, 1)?.unwrap_or_default();
    let (header, header_warnings) = build_header(&HeaderInput {
        reporter_name: company_text(&company, "na"),
        address: company_text(&company, "ad"),
        address2: company_text(&company, "a1"),
        city: company_text(&company, "ci"),
        state: company_text(&company, "st"),
        zip: company_text(&company, "zi"),
        phone: company_text(&company, "ph"),
        equifax_id: setup.equifax_id.clone(),
        experian_id: setup.experian_id.clone(),
        transunion_id: setup.transunion_id.clone(),
        innovis_id: setup.innovis_id.clone(),
        bureau: opts.bureau,
        activity_date: as_of,
        date_created: today,
    })
    .map_err(|e| Error::validation(format!("header: {e}")))?;
    for m in header_warnings {
        writeln!(warn, "warning: header: {m}")?;
    }
    let findings = header_findings(&header)?;
    let header_errors: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    if !header_errors.is_empty() && !opts.force {
        let list: Vec<String> = findings
            .iter()
            .map(|f| format!("  record 1 {}", f))
            .collect();
        return Err(Error::validation(format!(
            "{}: refused: the header fails validation ({} error(s); --force writes it anyway):\n{}",
            opts.out.display(),
            header_errors.len(),
            list.join("\n")
        )));
    }
    for f in &findings {
        writeln!(warn, "warning: header: {}", f)?;
    }

    let clients = load_clients(conn)?;
    let money = load_as_of_money(conn, as_of)?;
    let history = load_history(conn, as_of)?;
    let under_minimum = load_under_minimum(conn)?;
    let grantor_dates = if setup.credit_grantor {
        load_metro_contacts(conn)?
    } else {
        Vec::new()
    };
    let time_barred = crate::sol::Metro2Check::load(conn, as_of)?;
    let options = BuildOptions {
        as_of,
        now: today.and_time(env.now),
        identification_number: setup.identification_number.clone(),
        medical_rules: setup.medical_rules,
    };

    // A temporary file renamed over --out (a link writes its target): crate::output.
    let mut file = crate::output::OutputFile::create(&opts.out)?;
    let result = write_records(
        conn,
        &header,
        &mut file,
        ending,
        &Lookups {
            setup: &setup,
            clients: &clients,
            money: &money,
            history: &history,
            under_minimum: &under_minimum,
            grantor_dates: &grantor_dates,
            list_all_exclusions: opts.list_all_exclusions,
            time_barred: &time_barred,
        },
        &options,
        warn,
    );
    let (mut summary, done) = result?;
    for line in summary.exclusion_warnings() {
        writeln!(warn, "{line}")?;
    }
    // A file without a base record fails the bureaus' checks (and our own: the
    // trailer's Total Base Records is required); sending none is what is meant.
    if summary.reported == 0 {
        // Not committed: the temporary file goes, nothing appears under --out.
        drop(file);
        // Activations of this run are still recorded: the client's minimum is
        // tested once, at activation (S2:580-590), not again at the next run.
        if opts.mark_done {
            let tx = conn.transaction()?;
            mark_done(&tx, as_of, today, &done)?;
            tx.commit()?;
        }
        let excluded: u64 = summary.excluded.values().sum();
        return Err(Error::validation(format!(
            "{}: nothing to report ({excluded} account(s) excluded, {} finished earlier); no file written",
            opts.out.display(),
            summary.finished
        )));
    }
    file.commit()?;
    summary.out = opts.out.display().to_string();
    summary.as_of = iso_date(as_of);
    summary.activated = done
        .activations
        .iter()
        .filter(|(_, a)| a.under_minimum.is_none())
        .count() as u64;
    if opts.mark_done {
        let tx = conn.transaction()?;
        summary.marked_done = mark_done(&tx, as_of, today, &done)?;
        tx.commit()?;
    }
    Ok(summary)
}

struct Lookups<'a> {
    setup: &'a CbrSetup,
    clients: &'a ByFile<ClientRow>,
    /// These sorted by file number, read with `seek` as the debtors go by.
    money: &'a [(i64, AsOfMoney)],
    history: &'a [(i64, Past)],
    under_minimum: &'a [(i64, String)],
    grantor_dates: &'a [(i64, NaiveDate)],
    /// `--json`: keep every excluded account for the summary.
    list_all_exclusions: bool,
    time_barred: &'a crate::sol::Metro2Check,
}

/// Count an account not reported; keep it for the warning (or the JSON list).
fn exclude(summary: &mut Summary, fi: i64, key: &str, reason: &str) {
    let n = summary.excluded.entry(key.to_string()).or_default();
    *n += 1;
    if summary.list_all_exclusions || *n <= EXCLUSIONS_NAMED as u64 {
        summary.exclusions.push(ExcludedAccount {
            file: fi,
            reason: key.to_string(),
            message: reason.to_string(),
        });
    }
}

/// The entry for `fi` in a list sorted by file number, moving `pos` forward only
/// (the debtors come in file-number order: sequential reads, no hashing).
fn seek<'a, T>(items: &'a [(i64, T)], pos: &mut usize, fi: i64) -> Option<&'a T> {
    while items.get(*pos).is_some_and(|(k, _)| *k < fi) {
        *pos += 1;
    }
    items.get(*pos).filter(|(k, _)| *k == fi).map(|(_, v)| v)
}

/// What the reading thread hands the writing thread, in file-number order.
enum Job {
    Account(Box<AccountInput>),
    Excluded {
        fi: i64,
        key: &'static str,
        reason: String,
    },
}

/// Jobs per batch sent between the threads.
const BATCH: usize = 256;

/// Read the debtors (this thread) and build, check and write their records (a
/// second thread): on the 1M-debtor benchmark the two halves cost about the same.
/// Every warning is written by the second thread, so stderr keeps file-number order.
fn write_records(
    conn: &Connection,
    header: &Segment,
    file: &mut crate::output::OutputFile,
    ending: LineEnding,
    l: &Lookups<'_>,
    options: &BuildOptions,
    warn: &mut (dyn Write + Send),
) -> Result<(Summary, Done)> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Job>>(8);
    let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<Job>>();
    std::thread::scope(|scope| {
        let list_all = l.list_all_exclusions;
        let barred = l.time_barred;
        let worker = scope.spawn(move || {
            consume(
                rx, back_tx, header, file, ending, options, list_all, barred, warn,
            )
        });
        let read = produce(conn, l, options, &tx, &back_rx);
        drop(tx);
        let written = worker
            .join()
            .map_err(|_| Error::runtime("metro2 writer thread failed"))?;
        let (mut done, finished) = read?;
        let (mut summary, reported) = written?;
        summary.finished = finished;
        done.reported = reported;
        Ok((summary, done))
    })
}

/// The reading half: which debtors, activation, history, the month's payments.
/// Returns the activations and the count of finished accounts.
fn produce(
    conn: &Connection,
    l: &Lookups<'_>,
    options: &BuildOptions,
    tx: &std::sync::mpsc::SyncSender<Vec<Job>>,
    back: &std::sync::mpsc::Receiver<Vec<Job>>,
) -> Result<(Done, u64)> {
    let mut done = Done::default();
    let mut finished = 0u64;
    let mut spare: Vec<Box<AccountInput>> = Vec::new();
    let mut batch: Vec<Job> = Vec::with_capacity(BATCH);
    // A closed channel means the writer stopped with an error; it reports it.
    let send = |batch: &mut Vec<Job>| -> bool {
        tx.send(std::mem::replace(batch, Vec::with_capacity(BATCH)))
            .is_ok()
    };

    // Switched off after a failed minimum test: logged every run (docs/metro2.md).
    for (fi, reason) in l.under_minimum {
        batch.push(Job::Excluded {
            fi: *fi,
            key: "under_minimum",
            reason: reason.clone(),
        });
    }
    let dsql = format!(
        "SELECT {} FROM debtor WHERE {cbr} IS NOT 0 ORDER BY {fi}",
        columns(DEBTOR_COLS)?,
        cbr = col("de.cbr")?,
        fi = col("de.fi")?,
    );
    let csql = format!(
        "SELECT fi, {} FROM cosigner WHERE {} = 1 ORDER BY fi, id",
        columns(COSIGNER_COLS)?,
        col("cs.cbr")?
    );
    let mut dstmt = conn.prepare(&dsql)?;
    let mut cstmt = conn.prepare(&csql)?;
    let mut drows = dstmt.query([])?;
    let mut crows = cstmt.query([])?;
    let mut next_cosigner: Option<(i64, CosignerInput)> = match crows.next()? {
        Some(r) => Some(read_cosigner(r)?),
        None => None,
    };
    let mut last_client: Option<(i64, &ClientRow)> = None;
    let mut at = (0usize, 0usize, 0usize); // positions in payments, history, grantor dates
    while let Some(r) = drows.next()? {
        let fi: i64 = r.get(0)?;
        let cn: i64 = r.get(1)?;
        // Inputs come back from the writer to be refilled (no allocation per debtor).
        while let Ok(used) = back.try_recv() {
            spare.extend(used.into_iter().filter_map(|j| match j {
                Job::Account(a) => Some(a),
                Job::Excluded { .. } => None,
            }));
        }
        let mut a = spare.pop().unwrap_or_default();
        // This debtor's reported cosigners (both queries run in file-number order).
        a.cosigners.clear();
        while let Some((cfi, _)) = &next_cosigner {
            if *cfi > fi {
                break;
            }
            let Some((cfi, c)) = next_cosigner.take() else {
                break;
            };
            if cfi == fi {
                a.cosigners.push(c);
            }
            next_cosigner = match crows.next()? {
                Some(r) => Some(read_cosigner(r)?),
                None => None,
            };
        }
        // Debtors of one client usually come together: look the client up on a change only.
        let client = match last_client {
            Some((n, c)) if n == cn => c,
            _ => {
                let Some(c) = l.clients.get(&cn) else {
                    spare.push(a);
                    continue;
                };
                last_client = Some((cn, c));
                c
            }
        };
        let cl = &client.input;
        a.client.name.clone_from(&cl.name);
        a.client.classification.clone_from(&cl.classification);
        a.client.original_creditor_in_user = cl.original_creditor_in_user;
        a.client.send_client_detail = cl.send_client_detail;
        a.client.reports_to_bureaus = cl.reports_to_bureaus;
        fill_debtor(r, &mut a)?;
        // Activation (docs/metro2.md): auto-activation of a blank `de.cbr` for reporting
        // clients, and the missing start date of an account switched on by hand or by
        // import. In memory here; written by --mark-done.
        let activate = match flag_of(r.get_ref(24)?) {
            Some(true) => a.start_reporting.is_none(),
            None if l.setup.auto_activate && cl.reports_to_bureaus => true,
            Some(false) | None => {
                spare.push(a);
                continue;
            }
        };
        if activate {
            let act = plan_activation(a.listed, options.now.date(), a.owing, client.delay, l.setup);
            a.start_reporting = Some(act.start);
            let under = act.under_minimum.clone();
            done.activations.push((fi, act));
            if let Some(reason) = under {
                spare.push(a);
                batch.push(Job::Excluded {
                    fi,
                    key: "under_minimum",
                    reason,
                });
                continue;
            }
        }
        let past = seek(l.history, &mut at.1, fi);
        if past.is_some_and(|p| p.final_reported) {
            finished += 1;
            spare.push(a);
            continue;
        }
        a.history.reported_before = past.is_some();
        a.history.months_at_93_or_62.clear();
        if let Some(p) = past {
            a.history.months_at_93_or_62.extend_from_slice(&p.months);
        }
        if apply_as_of(&mut a, seek(l.money, &mut at.0, fi), options.as_of).is_none() {
            spare.push(a);
            batch.push(Job::Excluded {
                fi,
                key: "invalid",
                reason: "the owing as of the as-of date does not fit a money amount".into(),
            });
            continue;
        }
        a.grantor_occurrence = if l.setup.credit_grantor {
            Some(
                seek(l.grantor_dates, &mut at.2, fi)
                    .copied()
                    .unwrap_or(options.as_of),
            )
        } else {
            None
        };
        if let Some(reason) = l.time_barred.exclusion(fi) {
            spare.push(a);
            batch.push(Job::Excluded {
                fi,
                key: "time_barred",
                reason,
            });
            continue;
        }
        batch.push(Job::Account(a));
        if batch.len() >= BATCH && !send(&mut batch) {
            return Ok((done, finished));
        }
    }
    if !batch.is_empty() {
        send(&mut batch);
    }
    Ok((done, finished))
}

/// The writing half: build, check with the collection profile, write; the trailer.
/// Returns the summary (without `finished`) and the accounts reported.
#[allow(clippy::too_many_arguments)]
fn consume(
    rx: std::sync::mpsc::Receiver<Vec<Job>>,
    back: std::sync::mpsc::Sender<Vec<Job>>,
    header: &Segment,
    file: &mut crate::output::OutputFile,
    ending: LineEnding,
    options: &BuildOptions,
    list_all_exclusions: bool,
    time_barred: &crate::sol::Metro2Check,
    warn: &mut (dyn Write + Send),
) -> Result<(Summary, Vec<(i64, Status)>)> {
    let io = |e: super::write::WriteError| Error::runtime(e.to_string());
    let mut w = Writer::new(BufWriter::with_capacity(1 << 20, file), ending);
    w.header(header).map_err(io)?;
    let mut summary = Summary {
        list_all_exclusions,
        ..Summary::default()
    };
    summary.counts.header = 1;
    let mut reported = Vec::new();
    let mut record_number: u64 = 1; // the header
    for batch in rx {
        for job in &batch {
            let a = match job {
                Job::Account(a) => a,
                Job::Excluded { fi, key, reason } => {
                    exclude(&mut summary, *fi, key, reason);
                    continue;
                }
            };
            let fi = a.file_number;
            let built = match build_records(a, options) {
                Ok(b) => b,
                Err(e) => {
                    exclude(&mut summary, fi, e.key(), &e.to_string());
                    continue;
                }
            };
            for m in &built.warnings {
                writeln!(warn, "warning: file {fi}: {m}")?;
            }
            let findings = check_record(
                &built.segments,
                Profile::Collection,
                record_number + 1,
                Some(options.now.date()),
            );
            let errors: Vec<String> = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| f.to_string())
                .collect();
            if !errors.is_empty() {
                let reason = format!("fails validation: {}", errors.join("; "));
                exclude(&mut summary, fi, "validation", &reason);
                continue;
            }
            w.record(&built.segments).map_err(io)?;
            record_number += 1;
            summary.reported += 1;
            summary.counts.base += 1;
            for s in &built.segments[1..] {
                match s.kind {
                    super::SegKind::J1 => summary.counts.j1 += 1,
                    super::SegKind::J2 => summary.counts.j2 += 1,
                    super::SegKind::K1 => summary.counts.k1 += 1,
                    _ => {}
                }
            }
            *summary
                .statuses
                .entry(built.status.code().to_string())
                .or_default() += 1;
            reported.push((fi, built.status));
            if let Some(m) = time_barred.warning(fi) {
                writeln!(warn, "warning: file {fi}: {m}")?;
                summary.time_barred += 1;
            }
        }
        let _ = back.send(batch); // the reader may have finished
    }
    // The trailer's totals must fit their fields: a file-level error, never cut.
    w.finish().map_err(|e| match e {
        super::write::WriteError::Field(f) => {
            Error::validation(format!("trailer: {f}; the file is refused"))
        }
        other => Error::runtime(other.to_string()),
    })?;
    summary.counts.trailer = 1;
    Ok((summary, reported))
}

/// The text summary (also printed by the demo).
pub fn print_summary(out: &mut dyn Write, s: &Summary) -> std::io::Result<()> {
    let c = &s.counts;
    writeln!(out, "metro2: {} (as of {})", s.out, s.as_of)?;
    writeln!(
        out,
        "  records: header {}, base {}, J1 {}, J2 {}, K1 {}, trailer {}",
        c.header, c.base, c.j1, c.j2, c.k1, c.trailer
    )?;
    let statuses: Vec<String> = s.statuses.iter().map(|(k, v)| format!("{k} {v}")).collect();
    writeln!(
        out,
        "  reported {}{}",
        s.reported,
        if statuses.is_empty() {
            String::new()
        } else {
            format!(" ({})", statuses.join(", "))
        }
    )?;
    let total: u64 = s.excluded.values().sum();
    let reasons: Vec<String> = s.excluded.iter().map(|(k, v)| format!("{k} {v}")).collect();
    writeln!(
        out,
        "  excluded {total}{}",
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join(", "))
        }
    )?;
    if s.finished > 0 {
        writeln!(
            out,
            "  finished earlier (final status reported): {}",
            s.finished
        )?;
    }
    if s.time_barred > 0 {
        writeln!(out, "  time-barred (warned): {}", s.time_barred)?;
    }
    if s.activated > 0 {
        writeln!(out, "  activated: {}", s.activated)?;
    }
    if s.marked_done > 0 {
        writeln!(out, "  marked done: {}", s.marked_done)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seek_walks_forward_through_a_sorted_list() {
        let items = [(2, 'a'), (5, 'b'), (9, 'c')];
        let mut pos = 0;
        assert_eq!(seek(&items, &mut pos, 1), None);
        assert_eq!(seek(&items, &mut pos, 2), Some(&'a'));
        assert_eq!(seek(&items, &mut pos, 3), None);
        assert_eq!(seek(&items, &mut pos, 5), Some(&'b'));
        assert_eq!(seek(&items, &mut pos, 9), Some(&'c'));
        assert_eq!(seek(&items, &mut pos, 10), None);
        assert_eq!(pos, 3);
    }

    #[test]
    fn next_period_keeps_month_ends() {
        let d = |s| parse_iso_exact(s).unwrap();
        assert_eq!(next_period(d("2024-07-31")), d("2024-08-31"));
        assert_eq!(next_period(d("2024-06-30")), d("2024-07-31"));
        assert_eq!(next_period(d("2024-01-31")), d("2024-02-29"));
        assert_eq!(next_period(d("2024-07-15")), d("2024-08-15"));
        assert_eq!(next_period(d("2024-12-31")), d("2025-01-31"));
    }
}
