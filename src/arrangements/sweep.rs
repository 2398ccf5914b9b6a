//! Kept, late and broken promises (docs/money.md): a promise with an unpaid amount more
//! than `grace_days` after its due date is broken. `recoup promises` lists them;
//! `--sweep` marks them broken, posts the 320 Payment Plan Late Fee when the setup
//! names an amount (the late fee "for a payment plan according to the settings",
//! Collect! help, "Late Fee Sample", S2:2944-2950) and runs the setup's plan.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::PromiseConfig;
use crate::dates::iso_date;
use crate::money::{from_cents, Ledger, NewTransaction};
use crate::plans::promises::{self, BROKEN};
use crate::store::{contacts, Db};
use crate::{Env, Result};

/// The late-fee transaction type (stock 320 Payment Plan Late Fee).
pub const LATE_FEE: &str = "320";

/// Where a promise stands on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Standing {
    /// Not yet due (due on or after the date).
    Open,
    /// Past due, unpaid, still within the grace days.
    Late,
    /// Unpaid more than the grace days after its due date, or marked broken.
    Broken,
}

impl Standing {
    /// The word the table and `--json` show.
    pub fn name(self) -> &'static str {
        match self {
            Standing::Open => "open",
            Standing::Late => "late",
            Standing::Broken => "broken",
        }
    }
}

/// One promise of `recoup promises`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PromiseRow {
    pub file: i64,
    pub contact: i64,
    pub due: Option<String>,
    pub amount: String,
    pub paid: String,
    pub unpaid: String,
    pub status: Standing,
}

/// Promises as the table `recoup promises` prints: a header line and one line each.
pub struct PromiseTable<'a>(pub &'a [PromiseRow]);

impl fmt::Display for PromiseTable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:>8}  {:>8}  {:<10}  {:>10}  {:>10}  {:>10}  status",
            "file", "contact", "due", "amount", "paid", "unpaid"
        )?;
        for r in self.0 {
            writeln!(
                f,
                "{:>8}  {:>8}  {:<10}  {:>10}  {:>10}  {:>10}  {}",
                r.file,
                r.contact,
                r.due.as_deref().unwrap_or(""),
                r.amount,
                r.paid,
                r.unpaid,
                r.status.name()
            )?;
        }
        Ok(())
    }
}

/// `recoup promises` without `--sweep`: `--json` is its serialisation, the text the
/// table and a count.
#[derive(Debug, serde::Serialize)]
pub struct PromiseList<'a> {
    pub as_of: String,
    pub count: usize,
    pub promises: &'a [PromiseRow],
}

impl<'a> PromiseList<'a> {
    pub fn new(as_of: NaiveDate, promises: &'a [PromiseRow]) -> PromiseList<'a> {
        PromiseList {
            as_of: iso_date(as_of),
            count: promises.len(),
            promises,
        }
    }
}

impl fmt::Display for PromiseList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", PromiseTable(self.promises))?;
        writeln!(f, "{} promise(s)", self.count)
    }
}

/// The last due date a promise unpaid on `as_of` may have and still not be broken:
/// broken when `as_of` is more than `grace` days after the due date, i.e. when
/// due < as_of − grace. (Due 2024-08-01, grace 10: late through 2024-08-11, broken
/// from 2024-08-12.)
pub fn cutoff(as_of: NaiveDate, grace: u32) -> NaiveDate {
    as_of
        .checked_sub_days(Days::new(grace.into()))
        .unwrap_or(NaiveDate::MIN)
}

fn standing(due: Option<NaiveDate>, marked_broken: bool, as_of: NaiveDate, grace: u32) -> Standing {
    match due {
        _ if marked_broken => Standing::Broken,
        Some(d) if d < cutoff(as_of, grace) => Standing::Broken,
        Some(d) if d < as_of => Standing::Late,
        _ => Standing::Open,
    }
}

/// The promises with an unpaid amount (open ones and broken ones), earliest due first;
/// only the broken ones with `broken_only`; only one debtor's with `debtor`.
pub fn list(
    conn: &Db,
    as_of: NaiveDate,
    broken_only: bool,
    debtor: Option<i64>,
) -> Result<Vec<PromiseRow>> {
    let grace = PromiseConfig::load(conn)?.grace_days;
    let mut out = Vec::new();
    contacts::for_each_unpaid_promise(conn, BROKEN, debtor, |p| {
        let due_date = p.due.as_deref().and_then(crate::dates::parse_iso);
        let (amount, paid) = (p.amount, p.paid);
        let status = standing(due_date, p.marked_broken, as_of, grace);
        if broken_only && status != Standing::Broken {
            return Ok(());
        }
        out.push(PromiseRow {
            file: p.fi,
            contact: p.id,
            due: p.due,
            amount: format!("{:.2}", from_cents(amount)),
            paid: format!("{:.2}", from_cents(paid)),
            unpaid: format!("{:.2}", from_cents(amount - paid)),
            status,
        });
        Ok(())
    })?;
    Ok(out)
}

/// ODBC events the plans left for after the commit.
pub type PendingOdbc = Vec<crate::sync::PendingOdbc>;

/// What a sweep did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SweepSummary {
    pub as_of: String,
    pub grace_days: u32,
    /// Promises marked broken by this sweep.
    pub broken: u64,
    /// Debtors they belong to.
    pub debtors: u64,
    pub late_fees: u64,
    pub late_fee_total: String,
    /// Plans run, by code: debtors each.
    pub plans: BTreeMap<String, u64>,
    pub promises: Vec<PromiseRow>,
}

/// The sweep's text: the promises it broke (when any), the totals, the plans run.
impl fmt::Display for SweepSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.promises.is_empty() {
            write!(f, "{}", PromiseTable(&self.promises))?;
        }
        writeln!(
            f,
            "{} promise(s) of {} debtor(s) broken on {} ({} grace days); {} late fee(s) {}",
            self.broken,
            self.debtors,
            self.as_of,
            self.grace_days,
            self.late_fees,
            self.late_fee_total
        )?;
        for (plan, n) in &self.plans {
            writeln!(f, "  plan {plan}: {n} debtor(s)")?;
        }
        Ok(())
    }
}

/// Mark the promises broken on `as_of`, post a late fee for each when the setup names
/// one, then run the setup's plan once per debtor — in the caller's transaction.
/// Returns the summary and the ODBC events the plans left for after the commit.
/// A second sweep on the same date finds nothing more.
pub fn sweep(
    conn: &Db,
    env: &Env,
    as_of: NaiveDate,
    keep_rows: bool,
) -> Result<(SweepSummary, PendingOdbc)> {
    let cfg = PromiseConfig::load(conn)?;
    let mut summary = SweepSummary {
        as_of: iso_date(as_of),
        grace_days: cfg.grace_days,
        ..Default::default()
    };
    // By debtor: the index on (done, du) finds the candidates among all contacts.
    let due = contacts::promises_due_before(conn, cutoff(as_of, cfg.grace_days))?;
    let mut ledger = Ledger::new(env.today);
    let mut fee_total = Decimal::ZERO;
    let mut type_plans: Vec<(i64, String)> = Vec::new();
    let mut last_debtor = None;
    let mut debtors = Vec::new();
    for contacts::DuePromise {
        fi,
        id,
        due: du,
        amount,
        paid,
    } in due
    {
        contacts::close_contact(conn, id, as_of, BROKEN)?;
        summary.broken += 1;
        if let Some(fee) = cfg.late_fee {
            let posted = ledger.post(
                conn,
                &NewTransaction {
                    file_number: fi,
                    type_code: LATE_FEE.to_string(),
                    // A fee is posted negative: it raises owing (S2:2956-2958).
                    to_us: Some(-fee),
                    payment_date: Some(as_of),
                    description: Some(format!("Late fee: promise due {du} broken")),
                    ..Default::default()
                },
            )?;
            summary.late_fees += 1;
            fee_total = fee_total.checked_add(fee).ok_or_else(|| {
                crate::Error::runtime("the late fees' total overflows".to_string())
            })?;
            type_plans.extend(posted.plan.map(|p| (fi, p)));
        }
        if keep_rows {
            summary.promises.push(PromiseRow {
                file: fi,
                contact: id,
                due: Some(du),
                amount: format!("{:.2}", from_cents(amount)),
                paid: format!("{:.2}", from_cents(paid)),
                unpaid: format!("{:.2}", from_cents(amount - paid)),
                status: Standing::Broken,
            });
        }
        if last_debtor != Some(fi) {
            last_debtor = Some(fi);
            debtors.push(fi);
        }
    }
    summary.late_fee_total = format!("{fee_total:.2}");
    summary.debtors = debtors.len() as u64;
    for &fi in &debtors {
        promises::refresh(conn, fi)?;
    }
    let mut pending = Vec::new();
    if cfg.broken_plan.is_some() || !type_plans.is_empty() {
        let mut runner = crate::plans::PlanRunner::new(conn, env)?;
        for (fi, plan) in &type_plans {
            runner.run(conn, *fi, plan, env.today)?;
        }
        if let Some(plan) = &cfg.broken_plan {
            for &fi in &debtors {
                runner.run(conn, fi, plan, env.today)?;
                *summary.plans.entry(plan.clone()).or_default() += 1;
            }
        }
        pending = std::mem::take(&mut runner.pending_odbc);
    }
    Ok((summary, pending))
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    fn row() -> PromiseRow {
        PromiseRow {
            file: 1000,
            contact: 8,
            due: Some("2024-08-01".into()),
            amount: "100.00".into(),
            paid: "0.00".into(),
            unpaid: "100.00".into(),
            status: Standing::Broken,
        }
    }

    #[test]
    fn promise_list_json_keys_in_order_and_display_is_the_table_and_count() {
        let rows = [row()];
        let l = PromiseList::new(NaiveDate::from_ymd_opt(2024, 8, 20).unwrap(), &rows);
        assert_eq!(
            serde_json::to_string(&l).unwrap(),
            concat!(
                r#"{"as_of":"2024-08-20","count":1,"promises":[{"file":1000,"contact":8,"#,
                r#""due":"2024-08-01","amount":"100.00","paid":"0.00","unpaid":"100.00","status":"broken"}]}"#
            )
        );
        assert_eq!(
            l.to_string(),
            "    file   contact  due             amount        paid      unpaid  status\n    1000         8  2024-08-01      100.00        0.00      100.00  broken\n1 promise(s)\n"
        );
    }

    #[test]
    fn sweep_json_keys_in_order_and_display_is_the_table_totals_and_plans() {
        let s = SweepSummary {
            as_of: "2024-08-20".into(),
            grace_days: 10,
            broken: 1,
            debtors: 1,
            late_fees: 0,
            late_fee_total: "0.00".into(),
            plans: BTreeMap::from([("BRK".to_string(), 1)]),
            promises: vec![row()],
        };
        let json = serde_json::to_value(&s).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "as_of",
                "grace_days",
                "broken",
                "debtors",
                "late_fees",
                "late_fee_total",
                "plans",
                "promises"
            ]
        );
        let text = s.to_string();
        assert!(text.starts_with("    file   contact  due"), "{text}");
        assert!(
            text.ends_with("  broken\n1 promise(s) of 1 debtor(s) broken on 2024-08-20 (10 grace days); 0 late fee(s) 0.00\n  plan BRK: 1 debtor(s)\n"),
            "{text}"
        );
        let quiet = SweepSummary {
            promises: vec![],
            ..s
        };
        assert!(quiet.to_string().starts_with("1 promise(s) of"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::dates::parse_iso(s).unwrap()
    }

    #[test]
    fn broken_more_than_grace_days_after_the_due_date() {
        let due = Some(d("2024-08-01"));
        // due 2024-08-01 + 10 grace days = 2024-08-11: late through it, broken after
        assert_eq!(standing(due, false, d("2024-08-01"), 10), Standing::Open);
        assert_eq!(standing(due, false, d("2024-08-02"), 10), Standing::Late);
        assert_eq!(standing(due, false, d("2024-08-11"), 10), Standing::Late);
        assert_eq!(standing(due, false, d("2024-08-12"), 10), Standing::Broken);
        assert_eq!(standing(due, true, d("2024-07-01"), 10), Standing::Broken);
        assert_eq!(standing(None, false, d("2024-08-12"), 10), Standing::Open);
        assert_eq!(cutoff(d("2024-08-12"), 10), d("2024-08-02"));
    }
}
