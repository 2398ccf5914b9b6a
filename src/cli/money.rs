//! `recoup interest accrue`: the command-line side (printing) of [`crate::money::accrual`].

use super::parse_date;
use clap::Subcommand;

use chrono::NaiveDate;
use serde_json::json;

use super::CliEnv;
use crate::dates::iso_date;
use crate::money::accrual::{accrue, Accrued};
use crate::money::Ledger;
use crate::store::Store;
use crate::Result;

/// `recoup interest accrue --through DATE [--debtor N]… [--json]`: posts in one
/// database transaction, then prints one line per accrual and the summary.
pub fn interest_accrue(env: &CliEnv, through: NaiveDate, debtors: &[i64]) -> Result<()> {
    let mut store = Store::open_existing(&env.db)?;
    let tx = store.conn_mut().transaction()?;
    let mut ledger = Ledger::new(env.today);
    let mut lines: Vec<Accrued> = Vec::new();
    let order = crate::setup::interest::payment_order(&tx)?;
    let run = accrue(&tx, &mut ledger, through, debtors, order, |a| {
        lines.push(a.clone())
    })?;
    tx.commit()?;
    crate::output::committed(format_args!(
        "interest through {}: {} posted",
        iso_date(through),
        run.posted
    ));
    for w in &run.warnings {
        crate::output::stderr_fmt(format_args!("warning: {w}\n"));
    }
    if env.json {
        let posted: Vec<_> = lines
            .iter()
            .map(|a| {
                json!({
                    "file": a.file,
                    "type": a.type_code,
                    "interest_type": a.kind.as_str(),
                    "rate": a.rate.normalize().to_string(),
                    "from": iso_date(a.from),
                    "through": iso_date(a.through),
                    "days": a.days,
                    "amount": format!("{:.2}", a.amount),
                    "transaction": a.transaction,
                })
            })
            .collect();
        crate::outln!(
            "{}",
            json!({
                "through": iso_date(through),
                "posted": posted,
                "count": run.posted,
                "total": format!("{:.2}", run.total),
                "skipped": run.skipped,
                "warnings": run.warnings.len(),
            })
        )?;
        return Ok(());
    }
    if !lines.is_empty() {
        crate::outln!(
            "{:>8}  {:<4}  {:<8}  {:>7}  {:<10}  {:<10}  {:>5}  {:>12}",
            "file",
            "type",
            "interest",
            "rate %",
            "from",
            "through",
            "days",
            "amount"
        )?;
    }
    for a in &lines {
        crate::outln!(
            "{:>8}  {:<4}  {:<8}  {:>7}  {:<10}  {:<10}  {:>5}  {:>12.2}",
            a.file,
            a.type_code,
            a.kind.as_str(),
            a.rate.normalize().to_string(),
            iso_date(a.from),
            iso_date(a.through),
            a.days,
            a.amount
        )?;
    }
    crate::outln!(
        "interest through {}: {} posted, total {:.2}",
        iso_date(through),
        run.posted,
        run.total
    )?;
    for (reason, n) in &run.skipped {
        crate::outln!("skipped {reason}: {n}")?;
    }
    if !run.warnings.is_empty() {
        crate::outln!("warnings: {}", run.warnings.len())?;
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum InterestCmd {
    /// Post the interest accrued through DATE (one 400-series transaction per debtor)
    #[command(
        after_help = "Examples:\n  recoup interest accrue --through 2024-07-31\n  recoup interest accrue --through 2024-07-31 --debtor 1000 --json"
    )]
    Accrue {
        /// Last day of interest to post (YYYY-MM-DD); running it again for it posts nothing
        #[arg(long, value_parser = parse_date)]
        through: NaiveDate,
        /// Only these debtors (default: every debtor with an interest type)
        #[arg(long = "debtor")]
        debtors: Vec<i64>,
    },
}
