//! Command implementations called by the binary.

use super::parse_date;
use clap::{Args, Subcommand};
use std::path::PathBuf;

use std::path::Path;

use chrono::NaiveDate;

use rust_decimal::Decimal;

use super::CliEnv;
use crate::catalog::{Form, Value};
use crate::money::{from_cents, parse_amount, Ledger, NewTransaction};
use crate::store::{self, FieldValues, Store};
use crate::{bail, setup, Result};

/// `recoup fields [FORM]`: the catalogue, one field per line.
pub fn fields(env: &CliEnv, form: Option<&str>) -> Result<()> {
    let forms: Vec<Form> = match form {
        None => Form::ALL.to_vec(),
        Some(code) => match Form::from_code(code.trim_start_matches('@')) {
            Some(f) => vec![f],
            None => bail!(
                config,
                "unknown form '{code}' (forms: {})",
                Form::ALL.map(|f| f.code()).join(", ")
            ),
        },
    };
    if env.json {
        let list: Vec<_> = forms
            .iter()
            .flat_map(|f| f.fields())
            .map(|f| {
                serde_json::json!({
                    "code": f.code(), "name": f.name, "type": f.ty.label(),
                    "width": f.width, "computed": f.computed,
                })
            })
            .collect();
        crate::outln!("{}", serde_json::json!({ "fields": list }))?;
        return Ok(());
    }
    crate::outln!(
        "{:<8} {:<32} {:<9} {:>5}  computed",
        "code",
        "name",
        "type",
        "width"
    )?;
    for form in forms {
        for f in form.fields() {
            crate::outln!(
                "{:<8} {:<32} {:<9} {:>5}  {}",
                f.code(),
                f.name,
                f.ty.label(),
                f.width,
                if f.computed { "yes" } else { "no" }
            )?;
        }
    }
    Ok(())
}

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

/// `recoup setup apply FILE`
pub fn setup_apply(env: &CliEnv, file: &Path) -> Result<()> {
    // Parse first, so a bad file never creates an empty database.
    setup::parse(file)?;
    let mut store = Store::open(&env.db)?;
    let applied = setup::apply(store.conn_mut(), file)?;
    crate::output::committed(format_args!("setup {}", file.display()));
    if env.json {
        crate::outln!("{}", serde_json::json!({ "applied": applied }))?;
    } else {
        crate::outln!("applied {}: {}", file.display(), applied.join(", "))?;
    }
    Ok(())
}

/// `recoup setup show`
pub fn setup_show(env: &CliEnv) -> Result<()> {
    let store = Store::open_existing(&env.db)?;
    if env.json {
        crate::outln!("{}", setup::show::to_json(store.conn())?)?;
    } else {
        crate::out!("{}", setup::render(store.conn())?)?;
    }
    Ok(())
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
    let tx = store.conn_mut().transaction()?;
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
    crate::output::committed(format_args!(
        "transaction {} posted to debtor {}",
        posted.id, req.debtor
    ));
    let owing = from_cents(posted.totals.owing());
    if env.json {
        crate::outln!(
            "{}",
            serde_json::json!({
                "transaction": posted.id,
                "debtor": req.debtor,
                "commission": format!("{:.2}", posted.commission),
                "commission_rate": posted.commission_rate.map(|r| r.normalize().to_string()),
                "tax": format!("{:.2}", posted.tax),
                "owing": format!("{owing:.2}"),
            })
        )?;
    } else {
        crate::outln!(
            "posted transaction {} to debtor {}: commission {:.2}, tax {:.2}, owing {owing:.2}",
            posted.id,
            req.debtor,
            posted.commission,
            posted.tax
        )?;
    }
    Ok(())
}

fn record_json(values: &FieldValues) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (f, v) in values {
        let j = match v {
            _ if v.is_null() => serde_json::Value::Null,
            Value::Flag(b) => serde_json::Value::Bool(*b),
            other => serde_json::Value::String(other.plain()),
        };
        map.insert(f.code(), j);
    }
    serde_json::Value::Object(map)
}

fn print_record(env: &CliEnv, values: &FieldValues) -> Result<()> {
    if env.json {
        return crate::outln!("{}", record_json(values));
    }
    for (f, v) in values {
        let text = match v {
            _ if v.is_null() => String::new(),
            Value::Flag(b) => if *b { "Yes" } else { "No" }.to_string(),
            _ if f.field == "ss" => crate::pii::mask_ssn(&v.plain()),
            other => other.plain(),
        };
        crate::outln!("{:<8} {:<32} {}", f.code(), f.name, text)?;
    }
    Ok(())
}

/// `recoup show debtor FILE_NUMBER`
pub fn show_debtor(env: &CliEnv, file_number: i64) -> Result<()> {
    let store = Store::open_existing(&env.db)?;
    match store::read_record(store.conn(), Form::Debtor, file_number)? {
        Some(values) => print_record(env, &values),
        None => bail!(runtime, "no debtor with file number {file_number}"),
    }
}

/// `recoup show client NUMBER`
pub fn show_client(env: &CliEnv, number: i64) -> Result<()> {
    let store = Store::open_existing(&env.db)?;
    match store::read_record(store.conn(), Form::Client, number)? {
        Some(values) => print_record(env, &values),
        None => bail!(runtime, "no client with number {number}"),
    }
}

/// `recoup find --acct ACCT [--client N]`: file numbers, bare, ascending.
pub fn find(env: &CliEnv, acct: &str, client: Option<i64>) -> Result<()> {
    let store = Store::open_existing(&env.db)?;
    let found = store::find_debtors_by_acct(store.conn(), acct, client)?;
    if found.is_empty() {
        match client {
            Some(c) => bail!(
                runtime,
                "no debtor of client {c} has acct '{}'",
                acct.trim()
            ),
            None => bail!(runtime, "no debtor has acct '{}'", acct.trim()),
        }
    }
    for fi in found {
        crate::outln!("{fi}")?;
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum SetupCmd {
    /// Load setup.toml into the database (each section present replaces that section)
    #[command(after_help = "Example:\n  recoup setup apply setup.toml")]
    Apply {
        /// The settings file
        file: PathBuf,
    },
    /// Print the settings in force
    #[command(after_help = "Example:\n  recoup setup show > setup-in-force.toml")]
    Show,
}

#[derive(Subcommand)]
pub enum ShowCmd {
    /// Every field of one debtor
    #[command(after_help = "Example:\n  recoup show debtor 1000 --json")]
    Debtor {
        /// The debtor's file number
        file_number: i64,
    },
    /// Every field of one client
    #[command(after_help = "Example:\n  recoup show client 1001")]
    Client {
        /// The client number
        number: i64,
    },
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
