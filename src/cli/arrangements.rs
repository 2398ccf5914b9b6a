//! `recoup arrangement add` and `recoup promises`: arguments in, one transaction,
//! printing out.

use chrono::NaiveDate;
use clap::Subcommand;

use super::{parse_date, CliEnv};
use crate::arrangements::sweep;
use crate::arrangements::{Every, Request};
use crate::money::parse_amount;
use crate::store::Store;
use crate::{bail, Result};

/// `recoup arrangement add` as typed.
pub struct AddArgs {
    pub debtor: i64,
    pub amount: String,
    pub every: String,
    pub first: NaiveDate,
    pub count: Option<u32>,
    pub until_paid: bool,
    pub down: Option<String>,
    pub service_charge: Option<String>,
    pub discount: Option<String>,
    pub replace: bool,
}

fn amount(name: &str, text: &str) -> Result<rust_decimal::Decimal> {
    match parse_amount(text) {
        Some(d) => Ok(d),
        None => bail!(config, "--{name} '{text}' is not an amount"),
    }
}

/// An amount of at most two decimals that must not be negative (`--down`, …).
fn optional(name: &str, text: &Option<String>) -> Result<Option<rust_decimal::Decimal>> {
    let v = text.as_deref().map(|t| amount(name, t)).transpose()?;
    if let Some(v) = v {
        if v < rust_decimal::Decimal::ZERO {
            bail!(config, "--{name} must not be negative ({v})");
        }
        if v.round_dp(2) != v {
            bail!(config, "--{name} has more than two decimals ({v})");
        }
    }
    Ok(v)
}

/// The amount per period: more than 0.00, at most two decimals.
fn per_period(text: &str) -> Result<rust_decimal::Decimal> {
    let v = amount("amount", text)?;
    if v <= rust_decimal::Decimal::ZERO || v.round_dp(2) != v {
        bail!(
            config,
            "--amount must be more than 0.00 with at most two decimals ({v})"
        );
    }
    Ok(v)
}

pub fn add_cmd(env: &CliEnv, a: &AddArgs) -> Result<()> {
    let Some(every) = Every::parse(&a.every) else {
        bail!(config, "--every '{}' must be week or month", a.every);
    };
    let req = Request {
        debtor: a.debtor,
        amount: per_period(&a.amount)?,
        every,
        first: a.first,
        // --until-paid is the default; clap keeps it and --count apart.
        count: match (a.until_paid, a.count) {
            (true, _) => None,
            (false, Some(0)) => bail!(config, "--count must be at least 1"),
            (false, count) => count,
        },
        down: optional("down", &a.down)?,
        service_charge: optional("service-charge", &a.service_charge)?,
        discount: optional("discount", &a.discount)?,
        replace: a.replace,
    };
    let mut store = Store::open_existing(&env.db)?;
    let tx = store.begin()?;
    let arr = crate::arrangements::add(&tx, env, &req)?;
    tx.commit()?;
    crate::cli::stdio::committed(format_args!(
        "arrangement for debtor {}: {} promise(s)",
        arr.debtor,
        arr.promises.len()
    ));
    if env.json {
        crate::outln!("{}", super::json_line(&arr)?)?;
    } else {
        crate::out!("{arr}")?;
    }
    Ok(())
}

/// `recoup promises [--broken] [--as-of DATE] [--debtor N] [--sweep]`.
pub fn promises_cmd(
    env: &CliEnv,
    as_of: Option<NaiveDate>,
    broken: bool,
    debtor: Option<i64>,
    do_sweep: bool,
) -> Result<()> {
    let as_of = as_of.unwrap_or(env.today);
    let mut store = Store::open_existing(&env.db)?;
    if do_sweep {
        if debtor.is_some() || broken {
            bail!(
                config,
                "--sweep works on every debtor; it takes no --debtor or --broken"
            );
        }
        let tx = store.begin()?;
        let (summary, pending) = sweep::sweep(&tx, env, as_of, true)?;
        tx.commit()?;
        crate::cli::stdio::committed(format_args!("promise sweep as of {as_of}"));
        // ODBC events of the broken-promise plan run after the commit; a failure
        // fails the command once the summary is out, and its contacts stay pending.
        let odbc = crate::sync::run_pending(store.conn(), env, &pending);
        let printed = print_sweep(env, &summary);
        odbc.into_result()?;
        return printed;
    }
    let rows = sweep::list(store.conn(), as_of, broken, debtor)?;
    let list = sweep::PromiseList::new(as_of, &rows);
    if env.json {
        crate::outln!("{}", super::json_line(&list)?)?;
    } else {
        crate::out!("{list}")?;
    }
    Ok(())
}

fn print_sweep(env: &CliEnv, summary: &sweep::SweepSummary) -> Result<()> {
    if env.json {
        crate::outln!("{}", super::json_line(summary)?)
    } else {
        crate::out!("{summary}")
    }
}

#[derive(Subcommand)]
pub enum ArrangementCmd {
    /// Post the down payment, service charge and discount, and schedule the promises
    #[command(
        after_help = "Example:\n  recoup arrangement add --debtor 1000 --amount 100.00 --every month --first 2024-08-01 --down 250.00 --service-charge 25.00"
    )]
    Add {
        /// The debtor's file number
        #[arg(long)]
        debtor: i64,
        /// Amount per period
        #[arg(long)]
        amount: String,
        /// How often a promise falls due
        #[arg(long, value_parser = ["week", "month"])]
        every: String,
        /// Due date of the first promise
        #[arg(long, value_parser = parse_date)]
        first: NaiveDate,
        /// At most this many promises, the last taking the remainder
        #[arg(long, conflicts_with = "until_paid")]
        count: Option<u32>,
        /// As many promises as the balance needs (the default)
        #[arg(long = "until-paid")]
        until_paid: bool,
        /// Down payment posted now (type 150)
        #[arg(long)]
        down: Option<String>,
        /// Service charge posted now, raising what is owed (type 350)
        #[arg(long = "service-charge")]
        service_charge: Option<String>,
        /// Initial discount posted now (type 193, an adjustment)
        #[arg(long)]
        discount: Option<String>,
        /// Cancel the debtor's open promises instead of refusing
        #[arg(long)]
        replace: bool,
    },
}
