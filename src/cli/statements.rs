//! Command entry points for month-end: output as a readable table or `--json`.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Subcommand;

use super::{parse_date, CliEnv};
use crate::money::{parse_amount, to_cents};
use crate::statements::cash::cash_report;
use crate::statements::generate::{client_payment, generate, ClientPaymentReport, Generated};
use crate::store::Store;
use crate::{bail, Result};

/// `recoup statements generate --from D --to D [--client N] [--replace]`
pub fn statements_generate(
    env: &CliEnv,
    from: NaiveDate,
    to: NaiveDate,
    client: Option<i64>,
    replace: bool,
) -> Result<()> {
    if to < from {
        bail!(config, "--to {to} is before --from {from}");
    }
    let mut store = Store::open_existing(&env.db)?;
    let tx = store.begin()?;
    let list = generate(&tx, from, to, client, replace)?;
    tx.commit()?;
    if !list.is_empty() {
        crate::cli::stdio::committed(format_args!(
            "{} statement(s) for {from} to {to}",
            list.len()
        ));
    }
    let generated = Generated {
        statements: &list,
        from,
        to,
    };
    if env.json {
        crate::outln!("{}", super::json_line(&generated)?)?;
    } else {
        crate::out!("{generated}")?;
    }
    Ok(())
}

/// `recoup client-payment --client N --amount X [--date D]`
pub fn client_payment_cmd(
    env: &CliEnv,
    client: i64,
    amount: &str,
    date: Option<NaiveDate>,
) -> Result<()> {
    let Some(amount) = parse_amount(amount) else {
        bail!(config, "--amount: '{amount}' is not an amount")
    };
    if amount <= rust_decimal::Decimal::ZERO {
        bail!(config, "--amount must be positive");
    }
    let mut store = Store::open_existing(&env.db)?;
    let tx = store.begin()?;
    let (id, left) = client_payment(&tx, client, to_cents(amount), date.unwrap_or(env.today))?;
    tx.commit()?;
    crate::cli::stdio::committed(format_args!("client payment {id} for client {client}"));
    let report = ClientPaymentReport {
        payment: id,
        client,
        amount: to_cents(amount),
        still_owed: left,
    };
    if env.json {
        crate::outln!("{}", super::json_line(&report)?)?;
    } else {
        crate::outln!("{report}")?;
    }
    Ok(())
}

/// `recoup cash-report --from D --to D [--client N]`
pub fn cash_report_cmd(
    env: &CliEnv,
    from: NaiveDate,
    to: NaiveDate,
    client: Option<i64>,
) -> Result<()> {
    let store = Store::open_existing(&env.db)?;
    let r = cash_report(store.conn(), from, to, client)?;
    if env.json {
        crate::outln!("{}", super::json_line(&r)?)?;
    } else {
        crate::out!("{r}")?;
    }
    Ok(())
}

/// `recoup statements print [--from D --to D | --statement N] --out DIR [--format pdf|text|csv]`
pub fn statements_print(
    env: &CliEnv,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    statement: Option<i64>,
    out: &std::path::Path,
    format: &str,
) -> Result<()> {
    use crate::statements::print::{print, PrintFormat, PrintedFiles, Selection};
    let Some(format) = PrintFormat::parse(format) else {
        bail!(config, "--format must be pdf, text or csv")
    };
    let sel = match (statement, from, to) {
        (Some(n), _, _) => Selection::Number(n),
        (None, Some(f), Some(t)) => Selection::Period(f, t),
        _ => bail!(config, "give --statement N or --from D --to D"),
    };
    let store = Store::open_existing(&env.db)?;
    let files = PrintedFiles::new(&print(env, store.conn(), &sel, out, format)?);
    if env.json {
        crate::outln!("{}", super::json_line(&files)?)?;
    } else {
        crate::out!("{files}")?;
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum StatementsCmd {
    /// One statement per client for the period, dated the day after --to
    #[command(
        after_help = "Example:\n  recoup statements generate --from 2024-07-01 --to 2024-07-31"
    )]
    Generate {
        /// First day of the period (YYYY-MM-DD)
        #[arg(long, value_parser = parse_date)]
        from: NaiveDate,
        /// Last day of the period (YYYY-MM-DD)
        #[arg(long, value_parser = parse_date)]
        to: NaiveDate,
        /// Only this client
        #[arg(long)]
        client: Option<i64>,
        /// Generate a period again (refused when a later statement exists)
        #[arg(long)]
        replace: bool,
    },
    /// Print statements through their report bodies, one file per statement, plus cheques.csv
    #[command(
        after_help = "Example:\n  recoup statements print --from 2024-07-01 --to 2024-07-31 --out statements/"
    )]
    Print {
        /// Statements of the period starting on this day (with --to)
        #[arg(long, value_parser = parse_date, requires = "to", conflicts_with = "statement")]
        from: Option<NaiveDate>,
        /// Statements of the period ending on this day (with --from)
        #[arg(long, value_parser = parse_date, requires = "from")]
        to: Option<NaiveDate>,
        /// One statement by its number
        #[arg(long)]
        statement: Option<i64>,
        /// Directory for the statement files and cheques.csv
        #[arg(long)]
        out: PathBuf,
        /// File format of each statement
        #[arg(long, default_value = "pdf", value_parser = ["pdf", "text", "csv"])]
        format: String,
    },
}
