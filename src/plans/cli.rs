//! `recoup plan run` and `recoup batch contacts`.

use chrono::NaiveDate;
use serde_json::json;

use super::engine::{PlanRunner, PlanSummary};
use crate::store::Store;
use crate::{bail, Env, Result};

fn print_summary(env: &Env, title: &str, debtors: usize, s: &PlanSummary) {
    if env.json {
        println!(
            "{}",
            json!({
                "debtors": debtors,
                "runs": s.runs,
                "executed": s.executed,
                "scheduled": s.scheduled,
                "skipped": { "schedule_if": s.skipped_by_condition },
                "deleted_contacts": s.deleted_contacts,
            })
        );
        return;
    }
    println!("{title}: {debtors} debtor(s)");
    for (plan, n) in &s.runs {
        println!("  plan {plan:<8} ran {n} time(s)");
    }
    for (ty, n) in &s.executed {
        println!("  done now   {ty:<12} {n}");
    }
    for (ty, n) in &s.scheduled {
        println!("  scheduled  {ty:<12} {n}");
    }
    if s.skipped_by_condition > 0 {
        println!("  skipped by schedule_if: {}", s.skipped_by_condition);
    }
    if s.deleted_contacts > 0 {
        println!("  pending contacts deleted: {}", s.deleted_contacts);
    }
}

/// `recoup plan run CODE [--debtor N]… [--client N] [--start-date D]`
pub fn plan_run(
    env: &Env,
    code: &str,
    debtors: &[i64],
    client: Option<i64>,
    start: Option<NaiveDate>,
) -> Result<()> {
    let mut store = Store::open_existing(&env.db)?;
    let tx = store.conn_mut().transaction()?;
    let mut runner = PlanRunner::new(&tx, env)?;
    runner.plan(code)?; // a bad plan is exit 2 before anything runs
    let mut targets: Vec<i64> = debtors.to_vec();
    if let Some(c) = client {
        let mut stmt = tx.prepare("SELECT fi FROM debtor WHERE cn = ?1")?;
        let rows = stmt.query_map([c], |r| r.get(0))?;
        for r in rows {
            targets.push(r?);
        }
    }
    if debtors.is_empty() && client.is_none() {
        let mut stmt = tx.prepare("SELECT fi FROM debtor")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        for r in rows {
            targets.push(r?);
        }
    }
    targets.sort_unstable();
    targets.dedup();
    if targets.is_empty() {
        bail!(runtime, "no debtors selected");
    }
    let reference = start.unwrap_or(env.today);
    for fi in &targets {
        runner.run(&tx, *fi, code, reference)?;
    }
    tx.commit()?;
    print_summary(env, &format!("plan {code}"), targets.len(), &runner.summary);
    // ODBC events run after the local commit; a failure fails the command (exit 1).
    crate::sync::run_pending(
        store.conn(),
        &env.home,
        &runner.pending_odbc,
        env.odbc_log.as_deref(),
    )?;
    Ok(())
}

/// `recoup batch contacts [--through D]`
pub fn batch_contacts(env: &Env, through: Option<NaiveDate>) -> Result<()> {
    let mut store = Store::open_existing(&env.db)?;
    let tx = store.conn_mut().transaction()?;
    let mut runner = PlanRunner::new(&tx, env)?;
    let n = runner.process_due(&tx, through.unwrap_or(env.today))?;
    tx.commit()?;
    print_summary(env, "automatic contacts processed", n, &runner.summary);
    crate::sync::run_pending(
        store.conn(),
        &env.home,
        &runner.pending_odbc,
        env.odbc_log.as_deref(),
    )?;
    Ok(())
}

/// `recoup sync NAME --op insert|update|delete (--debtor N… | --client N)`
pub fn sync_cmd(
    env: &Env,
    name: &str,
    op: &str,
    debtors: &[i64],
    client: Option<i64>,
) -> Result<()> {
    if !crate::sync::AVAILABLE {
        return Err(crate::sync::unavailable());
    }
    let Some(op) = crate::sync::Op::parse(op) else {
        bail!(config, "--op must be insert, update or delete")
    };
    let store = Store::open_existing(&env.db)?;
    let mut targets: Vec<i64> = debtors.to_vec();
    if let Some(c) = client {
        let mut stmt = store
            .conn()
            .prepare("SELECT fi FROM debtor WHERE cn = ?1 ORDER BY fi")?;
        let rows = stmt.query_map([c], |r| r.get(0))?;
        for r in rows {
            targets.push(r?);
        }
    }
    if targets.is_empty() {
        bail!(config, "select debtors with --debtor or --client");
    }
    let pending: Vec<(i64, String, crate::sync::Op)> = targets
        .iter()
        .map(|fi| (*fi, name.to_string(), op))
        .collect();
    let n = crate::sync::run_pending(store.conn(), &env.home, &pending, env.odbc_log.as_deref())?;
    if env.json {
        println!(
            "{}",
            json!({ "pair": name, "op": op.name(), "statements": n })
        );
    } else {
        println!("ODBC sync {name}: {} {n} row(s)", op.name());
    }
    Ok(())
}
