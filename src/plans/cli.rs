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
    Ok(())
}
