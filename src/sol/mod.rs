//! Statute of limitations (Collect! help, "Statute Of Limitations", S2:1835-1866;
//! docs/money.md): per-state rules in `setup.toml` decide when a debt becomes time-barred.
//!
//! The time-barred date `de.tbd` = start + periods·unit, where the start is the
//! judgment date with the judgment pair when `de.jd` is set (and the rule has a
//! judgment pair); else the later of the itemization date `de.itd` and the last
//! payment's payment date — unless `exclude_payment_date`, which makes the date static
//! ("not to be updated when payments are posted", S2:1852-1854). Blank without a start
//! date or without a rule for the debtor's state (a blank state rule covers "all
//! States" without their own, S2:1843-1846).
//!
//! `de.tbd` is a stored computed column (like `de.ow`), so reports, exports and
//! `--where` read it as any field. [`refresh_debtor`] and [`refresh_all`] keep it;
//! `docs/money.md` ("Statute of limitations") lists when they run.

mod rules;

pub use rules::{
    apply_rules, apply_settings, check_rules, render as render_setup, to_json as setup_json,
    Statute, StatuteRule, TimeBarredSettings, Unit,
};

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::store::{debtors, settings, transactions, Db};
use crate::{Error, Result};

/// What the rule needs of one debtor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DebtorDates {
    pub state: String,
    pub itemization: Option<NaiveDate>,
    pub judgment: Option<NaiveDate>,
    /// The last payment that was not reversed in full.
    pub last_payment: Option<NaiveDate>,
}

/// The time-barred date of one debtor under the rules in force.
pub fn time_barred_date(statute: &Statute, d: &DebtorDates) -> Option<NaiveDate> {
    let rule = statute.rule_for(&d.state)?;
    if let (Some(jd), Some((n, unit))) = (d.judgment, rule.judgment_pair()) {
        return unit.add(jd, n);
    }
    let itd = d.itemization?;
    let start = match d.last_payment {
        Some(p) if !rule.exclude_payment_date && p > itd => p,
        _ => itd,
    };
    rule.unit.add(start, rule.periods)
}

/// Payments and reversals of debtors, folded into each debtor's last payment that was
/// not reversed in full. A payment is "a transaction of a payment type that is not
/// reversed" (docs/money.md); a partial reversal leaves money received, so the payment
/// still restarts the period.
#[derive(Default)]
struct LastPayments {
    /// Payment id → (debtor, payment date, amount in cents).
    payments: HashMap<i64, (i64, Option<NaiveDate>, i64)>,
    /// Payment id → cents reversed (positive).
    reversed: HashMap<i64, i64>,
}

impl LastPayments {
    fn add(&mut self, id: i64, fi: i64, py: Option<NaiveDate>, amount: i64, rv: Option<i64>) {
        if amount > 0 {
            self.payments.insert(id, (fi, py, amount));
        } else if let Some(rv) = rv {
            *self.reversed.entry(rv).or_default() -= amount;
        }
    }

    fn by_debtor(self) -> HashMap<i64, NaiveDate> {
        let mut last: HashMap<i64, NaiveDate> = HashMap::new();
        for (id, (fi, py, amount)) in self.payments {
            if self.reversed.get(&id).copied().unwrap_or(0) >= amount {
                continue;
            }
            if let Some(py) = py {
                let e = last.entry(fi).or_insert(py);
                if py > *e {
                    *e = py;
                }
            }
        }
        last
    }
}

/// The payments of one debtor, or of every debtor (`fi` = None).
fn last_payments(conn: &Db, fi: Option<i64>) -> Result<HashMap<i64, NaiveDate>> {
    let mut acc = LastPayments::default();
    transactions::for_each_payment(conn, fi, |p| {
        acc.add(p.id, p.fi, p.payment_date, p.amount, p.reverses)
    })?;
    Ok(acc.by_debtor())
}

/// One debtor's time-barred date as it is now and as the rules make it.
struct Computed {
    fi: i64,
    state: String,
    stored: Option<NaiveDate>,
    tbd: Option<NaiveDate>,
}

/// Compute the time-barred date of one debtor or of all (`fi` = None), without writing.
fn compute(conn: &Db, statute: &Statute, fi: Option<i64>) -> Result<Vec<Computed>> {
    let last = if statute.is_empty() {
        HashMap::new()
    } else {
        last_payments(conn, fi)?
    };
    let mut out = Vec::new();
    debtors::for_each_time_barred_input(conn, fi, |r| {
        let dates = DebtorDates {
            state: r.state,
            itemization: r.itemization,
            judgment: r.judgment,
            last_payment: last.get(&r.fi).copied(),
        };
        out.push(Computed {
            fi: r.fi,
            stored: r.stored,
            tbd: time_barred_date(statute, &dates),
            state: dates.state,
        });
    })?;
    Ok(out)
}

/// Write the computed dates that changed; returns how many.
fn store(conn: &Db, computed: &[Computed]) -> Result<u64> {
    let changed = computed.iter().filter(|c| c.stored != c.tbd);
    let count = changed.clone().count() as u64;
    debtors::set_time_barred_dates(conn, changed.map(|c| (c.fi, c.tbd)))?;
    Ok(count)
}

/// Recompute one debtor's `de.tbd` (after a payment is posted or reversed).
pub fn refresh_debtor(conn: &Db, fi: i64) -> Result<()> {
    let statute = Statute::load(conn)?;
    store(conn, &compute(conn, &statute, Some(fi))?)?;
    Ok(())
}

/// Recompute every debtor's `de.tbd` (after the rules change, an import, or before a
/// check); returns how many changed.
pub fn refresh_all(conn: &Db) -> Result<u64> {
    let statute = Statute::load(conn)?;
    store(conn, &compute(conn, &statute, None)?)
}

/// After an import: its itemization dates, judgment dates, states and payments may
/// move time-barred dates. Nothing to do (and no scan) while no rule is set.
pub fn refresh_after_import(conn: &Db) -> Result<u64> {
    let statute = Statute::load(conn)?;
    if statute.is_empty() {
        return Ok(0);
    }
    store(conn, &compute(conn, &statute, None)?)
}

/// One line of `recoup sol check`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SolRow {
    pub file: i64,
    pub tbd: String,
    pub state: String,
    pub barred: bool,
}

/// What `recoup sol check` found: `--json` is its serialisation, the text its
/// `Display` (the table and a count line).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SolCheck {
    #[serde(serialize_with = "crate::dates::serialize_iso")]
    pub as_of: NaiveDate,
    pub within: Option<u32>,
    /// Accounts time-barred on `as_of`.
    pub barred: usize,
    /// Accounts that become time-barred within `within` days.
    pub soon: usize,
    pub accounts: Vec<SolRow>,
}

impl SolCheck {
    pub fn new(as_of: NaiveDate, within: Option<u32>, accounts: Vec<SolRow>) -> SolCheck {
        let barred = accounts.iter().filter(|r| r.barred).count();
        SolCheck {
            as_of,
            within,
            barred,
            soon: accounts.len() - barred,
            accounts,
        }
    }
}

impl std::fmt::Display for SolCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{:>8}  {:<10}  {:<5}  barred", "file", "tbd", "state")?;
        for r in &self.accounts {
            writeln!(
                f,
                "{:>8}  {:<10}  {:<5}  {}",
                r.file,
                r.tbd,
                r.state,
                if r.barred { "yes" } else { "no" }
            )?;
        }
        match self.within {
            Some(days) => writeln!(
                f,
                "{} time-barred on {}, {} more within {days} days",
                self.barred, self.as_of, self.soon
            ),
            None => writeln!(f, "{} time-barred on {}", self.barred, self.as_of),
        }
    }
}

/// Refresh every `de.tbd`, then list the accounts time-barred on `as_of` (time-barred
/// date on or before it) and, with `within`, those that will be within that many days
/// (`barred` false); earliest first.
pub fn check(conn: &Db, as_of: NaiveDate, within: Option<u32>) -> Result<Vec<SolRow>> {
    let statute = Statute::load(conn)?;
    let computed = compute(conn, &statute, None)?;
    store(conn, &computed)?;
    let limit = match within {
        Some(days) => as_of
            .checked_add_days(chrono::Days::new(days.into()))
            .ok_or_else(|| {
                Error::config(format!("{days} days after {as_of} run past the calendar"))
            })?,
        None => as_of,
    };
    let mut rows: Vec<SolRow> = computed
        .into_iter()
        .filter_map(|c| {
            let tbd = c.tbd.filter(|d| *d <= limit)?;
            Some(SolRow {
                file: c.fi,
                tbd: crate::dates::iso_date(tbd),
                state: c.state,
                barred: tbd <= as_of,
            })
        })
        .collect();
    rows.sort_by(|a, b| a.tbd.cmp(&b.tbd).then(a.file.cmp(&b.file)));
    Ok(rows)
}

/// Accounts time-barred on `as_of`, sorted by file number, computed from the rules in
/// force without writing (for `metro2 generate`, which reads only).
pub fn barred_accounts(conn: &Db, as_of: NaiveDate) -> Result<Vec<(i64, NaiveDate)>> {
    let statute = Statute::load(conn)?;
    if statute.is_empty() {
        return Ok(Vec::new());
    }
    Ok(compute(conn, &statute, None)?
        .into_iter()
        .filter_map(|c| c.tbd.filter(|d| *d <= as_of).map(|d| (c.fi, d)))
        .collect())
}

/// What `metro2 generate` does with a time-barred account (`[time_barred] metro2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metro2Policy {
    /// Report it and warn (the default: the agency decides, the file stays complete).
    Warn,
    /// Leave it out of the file (counted under `excluded.time_barred`).
    Exclude,
}

pub fn metro2_policy(conn: &Db) -> Result<Metro2Policy> {
    Ok(
        match settings::get(conn, rules::SETTINGS_SECTION, "metro2")?.as_deref() {
            Some("exclude") => Metro2Policy::Exclude,
            _ => Metro2Policy::Warn,
        },
    )
}

/// What `metro2 generate` needs: the policy and the accounts time-barred on its as-of
/// date, by file number.
#[derive(Debug, Clone)]
pub struct Metro2Check {
    pub policy: Metro2Policy,
    barred: Vec<(i64, NaiveDate)>,
}

impl Metro2Check {
    pub fn load(conn: &Db, as_of: NaiveDate) -> Result<Metro2Check> {
        Ok(Metro2Check {
            policy: metro2_policy(conn)?,
            barred: barred_accounts(conn, as_of)?,
        })
    }

    /// The date an account became time-barred, if it is.
    pub fn barred_since(&self, fi: i64) -> Option<NaiveDate> {
        self.barred
            .binary_search_by_key(&fi, |(f, _)| *f)
            .ok()
            .map(|i| self.barred[i].1)
    }

    /// Why an account is left out of the file under `exclude`, if it is.
    pub fn exclusion(&self, fi: i64) -> Option<String> {
        if self.policy != Metro2Policy::Exclude {
            return None;
        }
        self.barred_since(fi)
            .map(|d| format!("time-barred since {d} (statute of limitations); not reported"))
    }

    /// The warning for an account reported under `warn`, if it is time-barred.
    pub fn warning(&self, fi: i64) -> Option<String> {
        if self.policy != Metro2Policy::Warn {
            return None;
        }
        self.barred_since(fi)
            .map(|d| format!("reported though time-barred since {d} (statute of limitations)"))
    }
}

/// The stored time-barred date of one debtor.
pub fn stored_tbd(conn: &Db, fi: i64) -> Result<Option<NaiveDate>> {
    debtors::time_barred_date(conn, fi)
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn check_json_keys_in_order_and_display_is_the_table_and_count() {
        let rows = vec![
            SolRow {
                file: 1000,
                tbd: "2024-01-02".into(),
                state: "NY".into(),
                barred: true,
            },
            SolRow {
                file: 1001,
                tbd: "2024-09-01".into(),
                state: "CA".into(),
                barred: false,
            },
        ];
        let c = SolCheck::new(
            NaiveDate::from_ymd_opt(2024, 7, 31).unwrap(),
            Some(90),
            rows,
        );
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            concat!(
                r#"{"as_of":"2024-07-31","within":90,"barred":1,"soon":1,"accounts":["#,
                r#"{"file":1000,"tbd":"2024-01-02","state":"NY","barred":true},"#,
                r#"{"file":1001,"tbd":"2024-09-01","state":"CA","barred":false}]}"#
            )
        );
        assert_eq!(
            c.to_string(),
            "    file  tbd         state  barred\n    1000  2024-01-02  NY     yes\n    1001  2024-09-01  CA     no\n1 time-barred on 2024-07-31, 1 more within 90 days\n"
        );
        let plain = SolCheck {
            within: None,
            accounts: vec![],
            soon: 0,
            barred: 0,
            ..c
        };
        assert_eq!(
            serde_json::to_string(&plain).unwrap(),
            r#"{"as_of":"2024-07-31","within":null,"barred":0,"soon":0,"accounts":[]}"#
        );
        assert!(plain
            .to_string()
            .ends_with("barred\n0 time-barred on 2024-07-31\n"));
    }
}

#[cfg(test)]
mod tests;
