//! The money commands: `recoup post` and `recoup interest accrue` (docs/money.md);
//! the arrangement and promise commands are in `arrangements.rs`, the client payment
//! and cash report with the statements.

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use rust_decimal::Decimal;

use super::{parse_date, CliEnv};
use crate::dates::iso_date;
use crate::money::accrual::{accrue, Accrued};
use crate::money::{parse_amount, Ledger, NewTransaction};
use crate::store::Store;
use crate::{bail, Result};

/// `recoup interest accrue --through DATE [--debtor N]… [--json]`: posts in one
/// database transaction, then prints one line per accrual and the summary.
pub fn interest_accrue(env: &CliEnv, through: NaiveDate, debtors: &[i64]) -> Result<()> {
    let mut store = Store::open_existing(&env.db)?;
    let tx = store.begin()?;
    let mut ledger = Ledger::new(env.today);
    let mut lines: Vec<Accrued> = Vec::new();
    let order = crate::setup::interest::payment_order(&tx)?;
    let run = accrue(&tx, &mut ledger, through, debtors, order, |a| {
        lines.push(a.clone())
    })?;
    tx.commit()?;
    crate::cli::stdio::committed(format_args!(
        "interest through {}: {} posted",
        iso_date(through),
        run.posted
    ));
    for w in &run.warnings {
        crate::cli::stdio::stderr_fmt(format_args!("warning: {w}\n"));
    }
    let report = run.report(through, &lines);
    if env.json {
        crate::outln!("{}", super::json_line(&report)?)
    } else {
        crate::out!("{report}")
    }
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

/// `recoup post` as typed, the amounts still text.
pub struct PostRequest {
    pub debtor: i64,
    pub type_code: String,
    pub to_us: Option<String>,
    pub direct: Option<String>,
    pub date: Option<NaiveDate>,
    pub posted: Option<NaiveDate>,
    pub reverses: Option<i64>,
    pub description: Option<String>,
    pub external_id: Option<String>,
    /// `--percent P` for the percent-of types (money::accrual::percent_amount).
    pub percent: Option<String>,
}

fn amount_arg(name: &str, s: &Option<String>) -> Result<Option<Decimal>> {
    match s {
        None => Ok(None),
        Some(t) => match parse_amount(t) {
            Some(d) => Ok(Some(d)),
            None => bail!(config, "--{name}: '{t}' is not an amount"),
        },
    }
}

/// `recoup post --debtor N --type CODE --to-us X [--direct Y] [--date D] [--posted D]`
pub fn post(env: &CliEnv, req: &PostRequest) -> Result<()> {
    let mut to_us = amount_arg("to-us", &req.to_us)?;
    let direct = amount_arg("direct", &req.direct)?;
    let percent = amount_arg("percent", &req.percent)?;
    let mut store = Store::open_existing(&env.db)?;
    let tx = store.begin()?;
    if let Some(p) = percent {
        let on = req.date.unwrap_or(env.today);
        let order = crate::setup::interest::payment_order(&tx)?;
        match crate::money::accrual::percent_amount(&tx, req.debtor, &req.type_code, p, on, order)?
        {
            Some(amount) => to_us = Some(amount),
            None => bail!(
                config,
                "--percent: transaction type '{}' is not a percent-of type (161, 162, 163, 499)",
                req.type_code.trim()
            ),
        }
    }
    let mut ledger = Ledger::new(env.today);
    let posted = ledger.post(
        &tx,
        &NewTransaction {
            file_number: req.debtor,
            type_code: req.type_code.clone(),
            to_us,
            direct,
            payment_date: req.date,
            posted_date: req.posted,
            description: req.description.clone(),
            external_id: req.external_id.clone(),
            reverses: req.reverses,
            ..Default::default()
        },
    )?;
    crate::arrangements::after_posting(&tx, req.debtor, posted.id)?;
    // The type's contact plan runs after posting (S2:2101-2106).
    if let Some(plan) = &posted.plan {
        let mut runner = crate::plans::PlanRunner::new(&tx, env)?;
        runner.run(&tx, req.debtor, plan, env.today)?;
    }
    tx.commit()?;
    crate::cli::stdio::committed(format_args!(
        "transaction {} posted to debtor {}",
        posted.id, req.debtor
    ));
    let report = posted.report(req.debtor);
    if env.json {
        crate::outln!("{}", super::json_line(&report)?)?;
    } else {
        crate::outln!("{report}")?;
    }
    Ok(())
}

#[derive(Args)]
pub struct PostArgs {
    /// The debtor's file number
    #[arg(long)]
    pub debtor: i64,
    /// Transaction type code, e.g. 101 (payment to us) or 105 (NSF reversal)
    #[arg(long = "type")]
    pub type_code: String,
    /// Amount paid to the agency (negative for a reversal)
    #[arg(long = "to-us", allow_hyphen_values = true)]
    pub to_us: Option<String>,
    /// Amount paid directly to the client
    #[arg(long, allow_hyphen_values = true)]
    pub direct: Option<String>,
    /// Payment date (default today)
    #[arg(long, value_parser = parse_date)]
    pub date: Option<NaiveDate>,
    /// Posted date (default the payment date)
    #[arg(long, value_parser = parse_date)]
    pub posted: Option<NaiveDate>,
    /// The payment this reversal reverses (transaction number)
    #[arg(long)]
    pub reverses: Option<i64>,
    /// Free text kept with the transaction
    #[arg(long)]
    pub description: Option<String>,
    /// External transaction id, kept with the transaction (e.g. the payment file's reference)
    #[arg(long)]
    pub id: Option<String>,
    /// For the percent-of types (161, 162, 163, 499): To Us = PERCENT % of the debtor's
    /// figure, signed as typed (-35 adds 35 %)
    #[arg(long, allow_hyphen_values = true, conflicts_with = "to_us")]
    pub percent: Option<String>,
}
