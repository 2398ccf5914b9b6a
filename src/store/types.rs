//! Transaction types, rate plans and tax settings: the tables setup writes and posting reads.

use rusqlite::{params, OptionalExtension};

use super::Db;
use crate::Result;

/// One `trans_type` row as stored: rates as their text, fixed amounts in cents; money
/// builds its `TransType` from it.
#[derive(Debug, Clone)]
pub struct TransTypeRow {
    pub code: String,
    pub description: String,
    pub fin_type: String,
    pub omit_statement: bool,
    pub omit_cash: bool,
    pub no_commission: bool,
    pub no_tax: bool,
    pub commission_rate: Option<String>,
    pub tax_rate: Option<String>,
    pub fixed_to_us: Option<i64>,
    pub fixed_commission: Option<i64>,
    pub fee_due_agency: bool,
    pub copy_description: bool,
    pub plan: Option<String>,
}

/// The transaction type `code` (trimmed), `None` when there is none.
pub fn trans_type(conn: &Db, code: &str) -> Result<Option<TransTypeRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, description, fin_type, omit_statement, omit_cash, no_commission, no_tax,
                commission_rate, tax_rate, fixed_to_us, fixed_commission, fee_due_agency,
                copy_description, plan
         FROM trans_type WHERE code = ?1",
    )?;
    Ok(stmt
        .query_row([code.trim()], |r| {
            Ok(TransTypeRow {
                code: r.get(0)?,
                description: r.get(1)?,
                fin_type: r.get(2)?,
                omit_statement: r.get(3)?,
                omit_cash: r.get(4)?,
                no_commission: r.get(5)?,
                no_tax: r.get(6)?,
                commission_rate: r.get(7)?,
                tax_rate: r.get(8)?,
                fixed_to_us: r.get(9)?,
                fixed_commission: r.get(10)?,
                fee_due_agency: r.get(11)?,
                copy_description: r.get(12)?,
                plan: r.get(13)?,
            })
        })
        .optional()?)
}

/// The kind of rate plan `code`, `None` when there is no such plan.
pub fn rate_plan_kind(conn: &Db, code: &str) -> Result<Option<String>> {
    let mut stmt = conn.prepare_cached("SELECT kind FROM rate_plan WHERE code = ?1")?;
    let mut rows = stmt.query([code])?;
    Ok(match rows.next()? {
        Some(r) => Some(r.get(0)?),
        None => None,
    })
}

/// The ranges of rate plan `code`, in their stored order.
pub fn rate_plan_brackets(conn: &Db, code: &str) -> Result<Vec<RatePlanBracket>> {
    let mut stmt = conn.prepare_cached(
        "SELECT upto, rate, min_cents, max_cents FROM rate_plan_bracket WHERE plan = ?1 ORDER BY ord",
    )?;
    let brackets = stmt
        .query_map([code], |r| {
            Ok(RatePlanBracket {
                upto: r.get(0)?,
                rate: r.get(1)?,
                min_cents: r.get(2)?,
                max_cents: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(brackets)
}

// Types, plans and codes as `setup apply` writes them and `setup show` reads them.
// Paths are spelled in full here so that additions from other aggregates at the end of
// this file never collide on `use` lines.

/// A holiday (no contact is scheduled on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: chrono::NaiveDate,
    pub description: String,
}

/// Replace every holiday by `list` (a date given twice keeps the last description).
pub fn replace_holidays(conn: &Db, list: &[Holiday]) -> Result<()> {
    conn.execute("DELETE FROM holiday", [])?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO holiday (date, description) VALUES (?1, ?2)
         ON CONFLICT (date) DO UPDATE SET description = excluded.description",
    )?;
    for h in list {
        stmt.execute(params![h.date, h.description])?;
    }
    Ok(())
}

/// Every holiday, by date.
pub fn holidays(conn: &Db) -> Result<Vec<Holiday>> {
    let mut stmt = conn.prepare_cached("SELECT date, description FROM holiday ORDER BY date")?;
    let rows = stmt.query_map([], |r| {
        Ok(Holiday {
            date: r.get(0)?,
            description: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A debtor status code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCode {
    pub code: String,
    pub description: String,
    pub priority: i64,
    /// The plan run when a debtor takes the status; `None` for none.
    pub plan: Option<String>,
    pub listing_reversal: bool,
}

/// Replace every status code by `list`.
pub fn replace_status_codes(conn: &Db, list: &[StatusCode]) -> Result<()> {
    conn.execute("DELETE FROM status_code", [])?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO status_code (code, description, priority, plan, listing_reversal)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for s in list {
        stmt.execute(params![
            s.code,
            s.description,
            s.priority,
            s.plan,
            s.listing_reversal
        ])?;
    }
    Ok(())
}

/// Every status code, by code.
pub fn status_codes(conn: &Db) -> Result<Vec<StatusCode>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, description, priority, plan, listing_reversal FROM status_code ORDER BY code",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(StatusCode {
            code: r.get(0)?,
            description: r.get(1)?,
            priority: r.get(2)?,
            plan: r.get(3)?,
            listing_reversal: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The pick list of one field: its entries in order, each a key and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickList {
    /// The field code the list belongs to (`de.st`).
    pub field: String,
    pub entries: Vec<(String, String)>,
}

/// Replace every pick list by `lists`.
pub fn replace_pick_lists(conn: &Db, lists: &[PickList]) -> Result<()> {
    conn.execute("DELETE FROM pick_list", [])?;
    let mut stmt = conn
        .prepare_cached("INSERT INTO pick_list (field, ord, key, text) VALUES (?1, ?2, ?3, ?4)")?;
    for pl in lists {
        for (i, (key, text)) in pl.entries.iter().enumerate() {
            stmt.execute(params![pl.field, i as i64, key, text])?;
        }
    }
    Ok(())
}

/// Every pick list by field code, its entries in order.
pub fn pick_lists(conn: &Db) -> Result<Vec<PickList>> {
    let mut stmt =
        conn.prepare_cached("SELECT field, key, text FROM pick_list ORDER BY field, ord")?;
    let mut rows = stmt.query([])?;
    let mut out: Vec<PickList> = Vec::new();
    while let Some(r) = rows.next()? {
        let field: String = r.get(0)?;
        let entry = (r.get(1)?, r.get(2)?);
        match out.last_mut() {
            Some(last) if last.field == field => last.entries.push(entry),
            _ => out.push(PickList {
                field,
                entries: vec![entry],
            }),
        }
    }
    Ok(out)
}

/// A contact control: at most `max_times` contacts of a type per `period_days`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactControl {
    /// letter, phone, text or email.
    pub kind: String,
    pub description: String,
    pub state: String,
    pub country: String,
    pub max_times: i64,
    pub period_days: i64,
}

/// Replace every contact control by `list`, kept in the order given.
pub fn replace_contact_controls(conn: &Db, list: &[ContactControl]) -> Result<()> {
    conn.execute("DELETE FROM contact_control", [])?;
    let mut stmt = conn.prepare_cached(
        "INSERT INTO contact_control (type, description, state, country, max_times, period_days)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for c in list {
        stmt.execute(params![
            c.kind,
            c.description,
            c.state,
            c.country,
            c.max_times,
            c.period_days
        ])?;
    }
    Ok(())
}

/// Every contact control in the order written.
pub fn contact_controls(conn: &Db) -> Result<Vec<ContactControl>> {
    let mut stmt = conn.prepare_cached(
        "SELECT type, description, state, country, max_times, period_days
         FROM contact_control ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ContactControl {
            kind: r.get(0)?,
            description: r.get(1)?,
            state: r.get(2)?,
            country: r.get(3)?,
            max_times: r.get(4)?,
            period_days: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One bracket of a rate plan as stored: `upto` and `rate` are kept as the decimal text
/// they were written as (normalised), so `setup show` gives them back unchanged; min and
/// max are cents. Money builds its brackets from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatePlanBracket {
    pub upto: String,
    pub rate: String,
    pub min_cents: Option<i64>,
    pub max_cents: Option<i64>,
}

/// A commission rate plan with its brackets in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatePlanRow {
    pub code: String,
    pub kind: String,
    pub description: String,
    pub brackets: Vec<RatePlanBracket>,
}

/// Replace every rate plan (and its brackets) by `list`.
pub fn replace_rate_plans(conn: &Db, list: &[RatePlanRow]) -> Result<()> {
    conn.execute("DELETE FROM rate_plan_bracket", [])?;
    conn.execute("DELETE FROM rate_plan", [])?;
    let mut plan =
        conn.prepare_cached("INSERT INTO rate_plan (code, kind, description) VALUES (?1, ?2, ?3)")?;
    let mut bracket = conn.prepare_cached(
        "INSERT INTO rate_plan_bracket (plan, ord, upto, rate, min_cents, max_cents)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for p in list {
        plan.execute(params![p.code, p.kind, p.description])?;
        for (i, b) in p.brackets.iter().enumerate() {
            bracket.execute(params![
                p.code,
                i as i64,
                b.upto,
                b.rate,
                b.min_cents,
                b.max_cents
            ])?;
        }
    }
    Ok(())
}

/// Every rate plan by code, each with its brackets in order.
pub fn rate_plans_with_brackets(conn: &Db) -> Result<Vec<RatePlanRow>> {
    let mut stmt =
        conn.prepare_cached("SELECT code, kind, description FROM rate_plan ORDER BY code")?;
    let mut plans: Vec<RatePlanRow> = stmt
        .query_map([], |r| {
            Ok(RatePlanRow {
                code: r.get(0)?,
                kind: r.get(1)?,
                description: r.get(2)?,
                brackets: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    for p in &mut plans {
        p.brackets = rate_plan_brackets(conn, &p.code)?;
    }
    Ok(plans)
}

/// A transaction type as `setup apply` overrides it: `None` keeps what is stored.
/// Rates are decimal text, amounts cents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransTypeOverride {
    pub code: String,
    pub description: Option<String>,
    pub fin_type: Option<String>,
    pub omit_statement: Option<bool>,
    pub omit_cash: Option<bool>,
    pub no_commission: Option<bool>,
    pub no_tax: Option<bool>,
    pub commission_rate: Option<String>,
    pub tax_rate: Option<String>,
    pub fixed_to_us: Option<i64>,
    pub fixed_commission: Option<i64>,
    pub fee_due_agency: Option<bool>,
    pub copy_description: Option<bool>,
    pub plan: Option<String>,
}

/// Create the type when its code is new (blank description, `internal` unless given),
/// then write the values given over what is stored.
pub fn upsert_trans_type(conn: &Db, t: &TransTypeOverride) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO trans_type (code, description, fin_type) VALUES (?1, ?2, ?3)
         ON CONFLICT (code) DO NOTHING",
    )?
    .execute(params![
        t.code,
        t.description.clone().unwrap_or_default(),
        t.fin_type.as_deref().unwrap_or("internal")
    ])?;
    conn.prepare_cached(
        "UPDATE trans_type SET
            description = COALESCE(?2, description),
            fin_type = COALESCE(?3, fin_type),
            omit_statement = COALESCE(?4, omit_statement),
            omit_cash = COALESCE(?5, omit_cash),
            no_commission = COALESCE(?6, no_commission),
            no_tax = COALESCE(?7, no_tax),
            commission_rate = COALESCE(?8, commission_rate),
            tax_rate = COALESCE(?9, tax_rate),
            fixed_to_us = COALESCE(?10, fixed_to_us),
            fixed_commission = COALESCE(?11, fixed_commission),
            fee_due_agency = COALESCE(?12, fee_due_agency),
            copy_description = COALESCE(?13, copy_description),
            plan = COALESCE(?14, plan)
         WHERE code = ?1",
    )?
    .execute(params![
        t.code,
        t.description,
        t.fin_type,
        t.omit_statement,
        t.omit_cash,
        t.no_commission,
        t.no_tax,
        t.commission_rate,
        t.tax_rate,
        t.fixed_to_us,
        t.fixed_commission,
        t.fee_due_agency,
        t.copy_description,
        t.plan,
    ])?;
    Ok(())
}

/// A transaction type as `setup show --json` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransTypeSummary {
    pub code: String,
    pub description: String,
    pub fin_type: String,
    pub omit_statement: i64,
    pub omit_cash: i64,
    pub no_commission: i64,
    pub no_tax: i64,
    pub commission_rate: Option<String>,
}

/// Every transaction type, numeric codes in numeric order first.
pub fn trans_type_summaries(conn: &Db) -> Result<Vec<TransTypeSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, description, fin_type, omit_statement, omit_cash, no_commission, no_tax,
                commission_rate
         FROM trans_type ORDER BY CAST(code AS INTEGER), code",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(TransTypeSummary {
            code: r.get(0)?,
            description: r.get(1)?,
            fin_type: r.get(2)?,
            omit_statement: r.get(3)?,
            omit_cash: r.get(4)?,
            no_commission: r.get(5)?,
            no_tax: r.get(6)?,
            commission_rate: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
