//! `recoup plan run` and `recoup batch contacts`.

use chrono::NaiveDate;
use clap::Subcommand;

use super::{parse_date, CliEnv};
use crate::catalog::Form;
use crate::plans::engine::{PlanReport, PlanRunner, PlanSummary};
use crate::store::Store;
use crate::{bail, Result};

fn print_summary(env: &CliEnv, title: &str, debtors: usize, s: &PlanSummary) -> Result<()> {
    let report = PlanReport {
        title,
        debtors,
        summary: s,
    };
    if env.json {
        return crate::outln!("{}", super::json_line(&report)?);
    }
    crate::out!("{report}")
}

/// ODBC plan events are counted as executed only once their statement has run.
fn count_odbc_done(summary: &mut PlanSummary, done: usize) {
    if done > 0 {
        *summary
            .executed
            .entry(crate::plans::model::EventType::Odbc.name().to_string())
            .or_default() += done;
    }
}

/// Debtors chosen by `--debtor`, `--client` and `--where` (all when none is given),
/// ascending.
pub fn select_debtors(
    conn: &crate::store::Db,
    debtors: &[i64],
    client: Option<i64>,
    filter: Option<&str>,
    today: NaiveDate,
) -> Result<Vec<i64>> {
    let mut targets: Vec<i64> = debtors.to_vec();
    if let Some(c) = client {
        targets.extend(crate::store::debtors::client_debtors(conn, c)?);
    }
    if debtors.is_empty() && client.is_none() {
        targets.extend(crate::store::debtors::all_debtor_ids(conn)?);
    }
    targets.sort_unstable();
    targets.dedup();
    if let Some(text) = filter {
        let f = super::parse_where(text)?;
        // The condition is tested on the debtor and its client (docs/plans.md).
        let readable = [Form::Debtor, Form::Client];
        if let Some(field) = f.unreadable(&readable) {
            bail!(
                config,
                "--where: a debtor record cannot read {} ({} form); it reads de.*, cl.*",
                field.code(),
                field.form.name()
            );
        }
        let m = f.for_records(conn, Some(today))?;
        let mut kept = Vec::new();
        for fi in targets {
            let Some(d) = crate::store::read_record(conn, Form::Debtor, fi)? else {
                continue;
            };
            let cn = crate::store::debtor_client(conn, fi)?.unwrap_or_default();
            let c = crate::store::read_record(conn, Form::Client, cn)?;
            let mut recs = vec![&d];
            recs.extend(c.as_ref());
            if m.accepts(&recs)? {
                kept.push(fi);
            }
        }
        targets = kept;
    }
    Ok(targets)
}

/// `recoup plan run CODE [--debtor N]… [--client N] [--where …] [--start-date D]`
pub fn plan_run(
    env: &CliEnv,
    code: &str,
    debtors: &[i64],
    client: Option<i64>,
    filter: Option<&str>,
    start: Option<NaiveDate>,
) -> Result<()> {
    let mut store = Store::open_existing(&env.db)?;
    let tx = store.begin()?;
    let mut runner = PlanRunner::new(&tx, env)?;
    runner.plan(code)?; // a bad plan is exit 2 before anything runs
    let targets = select_debtors(&tx, debtors, client, filter, env.today)?;
    if targets.is_empty() {
        bail!(runtime, "no debtors selected");
    }
    let reference = start.unwrap_or(env.today);
    for fi in &targets {
        runner.run(&tx, *fi, code, reference)?;
    }
    tx.commit()?;
    crate::cli::stdio::committed(format_args!("plan {code} on {} debtor(s)", targets.len()));
    // ODBC events run after the local commit, even when the summary cannot be
    // printed; a failure fails the command (exit 1) and only the statements that
    // ran are reported done.
    let odbc = crate::sync::run_pending(store.conn(), env, &runner.pending_odbc);
    count_odbc_done(&mut runner.summary, odbc.done);
    let printed = print_summary(env, &format!("plan {code}"), targets.len(), &runner.summary);
    odbc.into_result()?;
    printed
}

/// `recoup batch contacts [--through D]`
pub fn batch_contacts(env: &CliEnv, through: Option<NaiveDate>) -> Result<()> {
    let mut store = Store::open_existing(&env.db)?;
    let tx = store.begin()?;
    let mut runner = PlanRunner::new(&tx, env)?;
    let n = runner.process_due(&tx, through.unwrap_or(env.today))?;
    tx.commit()?;
    crate::cli::stdio::committed(format_args!("batch contacts ({n} processed)"));
    let odbc = crate::sync::run_pending(store.conn(), env, &runner.pending_odbc);
    count_odbc_done(&mut runner.summary, odbc.done);
    let n = n + odbc.done;
    let printed = print_summary(env, "automatic contacts processed", n, &runner.summary);
    odbc.into_result()?;
    printed
}

/// `recoup sync NAME --op insert|update|delete (--debtor N… | --client N | --where …)`
pub fn sync_cmd(
    env: &CliEnv,
    name: &str,
    op: &str,
    debtors: &[i64],
    client: Option<i64>,
    filter: Option<&str>,
) -> Result<()> {
    if !crate::sync::AVAILABLE {
        return Err(crate::sync::unavailable());
    }
    let Some(op) = crate::sync::Op::parse(op) else {
        bail!(config, "--op must be insert, update or delete")
    };
    if debtors.is_empty() && client.is_none() && filter.is_none() {
        bail!(config, "select debtors with --debtor, --client or --where");
    }
    let store = Store::open_existing(&env.db)?;
    let targets = select_debtors(store.conn(), debtors, client, filter, env.today)?;
    let pending: Vec<crate::sync::PendingOdbc> = targets
        .iter()
        .map(|fi| crate::sync::PendingOdbc {
            contact: None,
            file_number: *fi,
            pair: name.to_string(),
            op,
        })
        .collect();
    let n = crate::sync::run_pending(store.conn(), env, &pending).into_result()?;
    let report = crate::sync::SyncReport {
        pair: name.to_string(),
        op,
        statements: n,
    };
    if env.json {
        crate::outln!("{}", super::json_line(&report)?)
    } else {
        crate::out!("{report}")
    }
}

#[derive(Subcommand)]
pub enum PlanCmd {
    /// Run a contact plan on debtors (all of them unless selected)
    #[command(
        after_help = "Example:\n  recoup plan run NEW --client 1001 --start-date 2024-07-01"
    )]
    Run {
        /// Plan code, looked up as plans/CODE.toml
        code: String,
        /// These debtors (file numbers; repeatable)
        #[arg(long = "debtor")]
        debtors: Vec<i64>,
        /// Only this client's debtors
        #[arg(long)]
        client: Option<i64>,
        /// Only debtors meeting the condition, e.g. "(@de.sta = NEW) and (@de.ow > 100)"
        #[arg(long = "where")]
        filter: Option<String>,
        /// Reference date the events count from (default today)
        #[arg(long = "start-date", value_parser = parse_date)]
        start_date: Option<NaiveDate>,
    },
}

#[derive(Subcommand)]
pub enum BatchCmd {
    /// Process automatic contacts previously scheduled, due on or before --through
    #[command(after_help = "Example:\n  recoup batch contacts --through 2024-08-01")]
    Contacts {
        /// Last due date to process (default today)
        #[arg(long, value_parser = parse_date)]
        through: Option<NaiveDate>,
    },
}
