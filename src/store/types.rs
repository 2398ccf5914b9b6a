//! Transaction types, rate plans and tax settings: the tables setup writes and posting reads.

use rusqlite::OptionalExtension;

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

/// One range of a rate plan as stored: bounds and rate as their text, min and max in
/// cents.
#[derive(Debug, Clone)]
pub struct RatePlanBracketRow {
    pub upto: String,
    pub rate: String,
    pub min_cents: Option<i64>,
    pub max_cents: Option<i64>,
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
pub fn rate_plan_brackets(conn: &Db, code: &str) -> Result<Vec<RatePlanBracketRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT upto, rate, min_cents, max_cents FROM rate_plan_bracket WHERE plan = ?1 ORDER BY ord",
    )?;
    let mut brackets = Vec::new();
    let mut rows = stmt.query([code])?;
    while let Some(r) = rows.next()? {
        brackets.push(RatePlanBracketRow {
            upto: r.get(0)?,
            rate: r.get(1)?,
            min_cents: r.get(2)?,
            max_cents: r.get(3)?,
        });
    }
    Ok(brackets)
}
