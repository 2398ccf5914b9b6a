//! `recoup interest accrue`: reads each debtor's interest terms and transactions, works
//! out the interest accrued since the last accrual with [`super::interest`], and posts
//! it as one 400-series transaction per debtor (docs/money.md). Also the percent-of bases of
//! the "percent of" transaction types (161, 162, 163, 499; Collect! help, Transaction
//! Types — "Add Percent Of Principal To Principal Sample" and the three that follow,
//! S2:2231-2378, and "Total Accrued Interest Sample", S2:2492-2524).

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::interest::{accrual_between, Effect, InterestKind, Movement, PaymentOrder, Terms};
use super::judgment::excluded;
use super::types::FinType;
use super::{from_cents, parse_amount, round_cents, Ledger, NewTransaction};
use crate::dates::iso_date;
use crate::store::debtors::InterestTerms as DebtorRow;
use crate::store::Db;
use crate::{bail, Result};

/// 499 Total Accrued Interest "captures the amount of outstanding accrued interest"
/// (S2:2492-2499): the accrual of simple interest.
pub const SIMPLE_ACCRUAL: &str = "499";
/// 402 Accrued Compound Interest (stock list, S2:1959): the accrual of compound interest.
pub const COMPOUND_ACCRUAL: &str = "402";
/// 495 Additional Judgement Interest (S2:1960): interest accrued after a judgment.
pub const JUDGMENT_ACCRUAL: &str = "495";
/// 161 Add Current Accrued Interest (S2:2342-2378): capitalizes the accrued interest.
pub const CAPITALIZE: &str = "161";

/// Transactions that end an accrual period: interest runs from the latest of them.
const ACCRUAL_MARKERS: [&str; 4] = [
    SIMPLE_ACCRUAL,
    COMPOUND_ACCRUAL,
    JUDGMENT_ACCRUAL,
    CAPITALIZE,
];

/// What one debtor's accrual posted; `--json` shows the rate as typed (no trailing
/// zeros) and the amount with two decimals, as strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accrued {
    pub file: i64,
    #[serde(rename = "type")]
    pub type_code: &'static str,
    #[serde(rename = "interest_type", serialize_with = "kind_name")]
    pub kind: InterestKind,
    /// Annual percent applied.
    #[serde(serialize_with = "rate_text")]
    pub rate: Decimal,
    /// Interest ran from the day after `from` through `through`.
    #[serde(serialize_with = "crate::dates::serialize_iso")]
    pub from: NaiveDate,
    #[serde(serialize_with = "crate::dates::serialize_iso")]
    pub through: NaiveDate,
    pub days: i64,
    #[serde(serialize_with = "two_decimals")]
    pub amount: Decimal,
    pub transaction: i64,
}

fn kind_name<S: serde::Serializer>(k: &InterestKind, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(k.as_str())
}

fn rate_text<S: serde::Serializer>(r: &Decimal, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(&r.normalize())
}

fn two_decimals<S: serde::Serializer>(d: &Decimal, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{d:.2}"))
}

/// A whole run: what was skipped and why (counts by reason), and the warnings.
#[derive(Debug, Default)]
pub struct AccrualRun {
    pub posted: usize,
    pub total: Decimal,
    pub skipped: BTreeMap<&'static str, usize>,
    pub warnings: Vec<String>,
}

impl AccrualRun {
    /// The run's output with the accruals it posted (in posting order): `--json` and
    /// the text. The warnings themselves go to the standard error; here they are counted.
    pub fn report<'a>(&'a self, through: NaiveDate, posted: &'a [Accrued]) -> AccrualReport<'a> {
        AccrualReport {
            through,
            posted,
            count: self.posted,
            total: self.total,
            skipped: &self.skipped,
            warnings: self.warnings.len(),
        }
    }
}

/// `recoup interest accrue` output: `--json` is its serialisation, the text a table of
/// the accruals (when any), the totals, the skip reasons and the warning count.
#[derive(Debug, Serialize)]
pub struct AccrualReport<'a> {
    #[serde(serialize_with = "crate::dates::serialize_iso")]
    pub through: NaiveDate,
    pub posted: &'a [Accrued],
    pub count: usize,
    #[serde(serialize_with = "two_decimals")]
    pub total: Decimal,
    pub skipped: &'a BTreeMap<&'static str, usize>,
    pub warnings: usize,
}

impl fmt::Display for AccrualReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.posted.is_empty() {
            writeln!(
                f,
                "{:>8}  {:<4}  {:<8}  {:>7}  {:<10}  {:<10}  {:>5}  {:>12}",
                "file", "type", "interest", "rate %", "from", "through", "days", "amount"
            )?;
        }
        for a in self.posted {
            writeln!(
                f,
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
        writeln!(
            f,
            "interest through {}: {} posted, total {:.2}",
            iso_date(self.through),
            self.count,
            self.total
        )?;
        for (reason, n) in self.skipped {
            writeln!(f, "skipped {reason}: {n}")?;
        }
        if self.warnings > 0 {
            writeln!(f, "warnings: {}", self.warnings)?;
        }
        Ok(())
    }
}

/// Why a debtor posted nothing (the keys of the summary's `skipped`).
pub mod skip {
    /// `de.ity` is blank or `none` (only when the debtor was named).
    pub const NO_INTEREST: &str = "no_interest";
    /// Mode C: a closed account accrues no interest.
    pub const CLOSED: &str = "closed";
    /// `de.ifd` is blank.
    pub const NO_FROM_DATE: &str = "no_from_date";
    /// A type, rate or date that does not read (a warning names the debtor and field).
    pub const BAD_TERMS: &str = "bad_terms";
    /// An accrual dated on or after `--through` is already posted.
    pub const ALREADY_ACCRUED: &str = "already_accrued";
    /// No day to accrue yet, or the interest rounds to 0.00 (no principal, 0 % rate).
    pub const NOTHING_ACCRUED: &str = "nothing_accrued";
}

/// A debtor's terms worked out, or why there are none.
enum Plan {
    Accrue {
        terms: Terms,
        judgment: Option<NaiveDate>,
    },
    Skip(&'static str, Option<String>),
}

fn parse_date(
    field: &str,
    fi: i64,
    s: &Option<String>,
) -> std::result::Result<Option<NaiveDate>, String> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(t) => crate::dates::parse_iso(t)
            .map(Some)
            .ok_or_else(|| format!("debtor {fi}: {field} '{t}' is not a date (YYYY-MM-DD)")),
    }
}

fn parse_rate(
    field: &str,
    fi: i64,
    s: &Option<String>,
) -> std::result::Result<Option<Decimal>, String> {
    match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(t) => match parse_amount(t.trim_end_matches('%')) {
            Some(r) if r >= Decimal::ZERO => Ok(Some(r)),
            _ => Err(format!(
                "debtor {fi}: {field} '{t}' is not a rate (a percent of zero or more)"
            )),
        },
    }
}

/// The terms of one debtor. Under a judgment interest runs from the later of the
/// judgment date and `de.ifd`, at the judgment rate `de.jrt` when set (docs/money.md).
fn plan(row: &DebtorRow) -> Plan {
    let fi = row.file_number;
    let kind = match InterestKind::parse(row.interest_type.as_deref().unwrap_or("")) {
        Ok(Some(k)) => k,
        Ok(None) => return Plan::Skip(skip::NO_INTEREST, None),
        Err(why) => return Plan::Skip(skip::BAD_TERMS, Some(format!("debtor {fi}: {why}"))),
    };
    if row.mode.as_deref().map(str::trim) == Some("C") {
        return Plan::Skip(skip::CLOSED, None);
    }
    let parsed = (|| {
        let from = parse_date("de.ifd", fi, &row.from)?;
        let judgment = parse_date("de.jd", fi, &row.judgment_date)?;
        let rate = parse_rate("de.irt", fi, &row.rate)?;
        let judgment_rate = parse_rate("de.jrt", fi, &row.judgment_rate)?;
        Ok::<_, String>((from, judgment, rate, judgment_rate))
    })();
    let (from, judgment, rate, judgment_rate) = match parsed {
        Ok(p) => p,
        Err(w) => return Plan::Skip(skip::BAD_TERMS, Some(w)),
    };
    let Some(from) = from else {
        return Plan::Skip(
            skip::NO_FROM_DATE,
            Some(format!(
                "debtor {fi}: de.ity is {} but de.ifd is blank",
                kind.as_str()
            )),
        );
    };
    let rate = match (judgment, judgment_rate) {
        (Some(_), Some(r)) => Some(r),
        _ => rate,
    };
    let Some(rate) = rate else {
        return Plan::Skip(
            skip::BAD_TERMS,
            Some(format!(
                "debtor {fi}: de.ity is {} but de.irt is blank",
                kind.as_str()
            )),
        );
    };
    Plan::Accrue {
        terms: Terms {
            kind,
            order: super::interest::DEFAULT_PAYMENT_ORDER,
            rate,
            start: judgment.map_or(from, |j| j.max(from)),
        },
        judgment,
    }
}

/// The debtor's movements in payment-date order (posting order within a day), without
/// those a judgment leaves out, and the date of the last accrual.
fn movements(
    conn: &Db,
    fi: i64,
    judgment: Option<NaiveDate>,
) -> Result<(Vec<Movement>, Option<NaiveDate>)> {
    let mut out = Vec::new();
    let mut last_accrual: Option<NaiveDate> = None;
    crate::store::transactions::for_each_transaction_by_payment_date(conn, fi, |t| {
        let Some(date) = t.payment_date else {
            return Ok(());
        };
        if excluded(judgment, Some(date)) {
            return Ok(());
        }
        let code = t.type_code;
        let fin = FinType::parse(&t.fin_type).unwrap_or(FinType::Internal);
        let posted = from_cents(t.amount);
        let marker = ACCRUAL_MARKERS.contains(&code.trim());
        if marker {
            last_accrual = last_accrual.max(Some(date));
        }
        // Charges are posted negative and payments positive (docs/store.md); movements
        // carry the balance each raises.
        let (effect, amount) = match fin {
            FinType::Principal if code.trim() == CAPITALIZE => (Effect::Capitalize, -posted),
            FinType::Principal => (Effect::Principal, -posted),
            FinType::Interest if marker => (Effect::Accrual, -posted),
            FinType::Interest => (Effect::Interest, -posted),
            FinType::Fee | FinType::Legal => (Effect::Charge, -posted),
            FinType::Payment => (Effect::Payment, posted),
            _ => return Ok(()),
        };
        // A 161 capitalizes the interest accrued through its date, so the principal it
        // adds bears interest from the next day (else that day would count twice).
        let date = match effect {
            Effect::Capitalize => date.succ_opt().unwrap_or(date),
            _ => date,
        };
        out.push(Movement {
            date,
            effect,
            amount,
        });
        Ok(())
    })?;
    out.sort_by_key(|m| m.date); // stable: posting order within a day is kept
    Ok((out, last_accrual))
}

/// An accrual worked out for one debtor, not yet posted.
struct Due {
    code: &'static str,
    terms: Terms,
    /// Interest runs from the day after this date.
    from: NaiveDate,
    amount: Decimal,
}

/// Why a debtor posts nothing, with the warning to show when there is one.
struct Skipped {
    reason: &'static str,
    warning: Option<String>,
}

fn skipped(reason: &'static str, warning: Option<String>) -> Skipped {
    Skipped { reason, warning }
}

/// What an accrual through `through` would post for one debtor, or why nothing.
fn work_out(
    conn: &Db,
    row: &DebtorRow,
    through: NaiveDate,
    order: PaymentOrder,
) -> Result<std::result::Result<Due, Skipped>> {
    let (terms, judgment) = match plan(row) {
        Plan::Accrue { terms, judgment } => (Terms { order, ..terms }, judgment),
        Plan::Skip(reason, warning) => return Ok(Err(skipped(reason, warning))),
    };
    let (moves, last_accrual) = movements(conn, row.file_number, judgment)?;
    let from = last_accrual.map_or(terms.start, |l| l.max(terms.start));
    if through <= from {
        let reason = if last_accrual.is_some_and(|l| l >= through) {
            skip::ALREADY_ACCRUED
        } else {
            skip::NOTHING_ACCRUED
        };
        return Ok(Err(skipped(reason, None)));
    }
    let amount = accrual_between(&terms, &moves, from, through)?;
    if amount.is_zero() {
        return Ok(Err(skipped(skip::NOTHING_ACCRUED, None)));
    }
    let code = match (judgment, terms.kind) {
        (Some(_), _) => JUDGMENT_ACCRUAL,
        (None, InterestKind::Compound) => COMPOUND_ACCRUAL,
        (None, InterestKind::Simple) => SIMPLE_ACCRUAL,
    };
    Ok(Ok(Due {
        code,
        terms,
        from,
        amount,
    }))
}

/// Post the interest accrued through `through` for `debtors` (every debtor with an
/// interest type when empty), calling `on_posted` for each accrual. Running it again
/// for the same date posts nothing more. An unknown debtor named is an error.
pub fn accrue(
    conn: &Db,
    ledger: &mut Ledger,
    through: NaiveDate,
    debtors: &[i64],
    order: PaymentOrder,
    mut on_posted: impl FnMut(&Accrued),
) -> Result<AccrualRun> {
    let mut run = AccrualRun::default();
    let mut one = |row: &DebtorRow, run: &mut AccrualRun| -> Result<()> {
        match work_out(conn, row, through, order)? {
            Err(Skipped { reason, warning }) => {
                *run.skipped.entry(reason).or_default() += 1;
                run.warnings.extend(warning);
            }
            Ok(Due {
                code,
                terms,
                from,
                amount,
            }) => {
                let posted = ledger.post(
                    conn,
                    &NewTransaction {
                        file_number: row.file_number,
                        type_code: code.into(),
                        to_us: Some(-amount),
                        payment_date: Some(through),
                        description: Some(format!(
                            "Interest {} to {} at {}% {}",
                            iso_date(from.succ_opt().unwrap_or(from)),
                            iso_date(through),
                            terms.rate.normalize(),
                            terms.kind.as_str()
                        )),
                        ..Default::default()
                    },
                )?;
                run.posted += 1;
                run.total = match run.total.checked_add(amount) {
                    Some(t) => t,
                    None => bail!(runtime, "the run's interest total is too large"),
                };
                on_posted(&Accrued {
                    file: row.file_number,
                    type_code: code,
                    kind: terms.kind,
                    rate: terms.rate,
                    from,
                    through,
                    days: (through - from).num_days(),
                    amount,
                    transaction: posted.id,
                });
            }
        }
        Ok(())
    };
    if debtors.is_empty() {
        let mut after = 0;
        loop {
            let page = crate::store::debtors::interest_terms_after(conn, after, 10_000)?;
            let Some(last) = page.last() else { break };
            after = last.file_number;
            for row in &page {
                one(row, &mut run)?;
            }
        }
    } else {
        for &fi in debtors {
            let Some(row) = crate::store::debtors::interest_terms(conn, fi)? else {
                bail!(runtime, "debtor {fi} does not exist")
            };
            one(&row, &mut run)?;
        }
    }
    Ok(run)
}

/// The transaction types whose amount can be a percent of the debtor's figures, and
/// what the percent is of.
pub fn percent_basis_name(code: &str) -> Option<&'static str> {
    match code.trim() {
        "161" | "499" => Some("accrued interest"),
        "162" => Some("owing"),
        "163" => Some("principal"),
        _ => None,
    }
}

/// The To Us amount of a "percent of" transaction posted on `on`: `percent` % of the
/// debtor's current figure, signed as typed — as in the product, −35 % of a 1,000.00
/// principal fills −350.00 into To Us and so adds 350.00 (S2:2240-2245). Rounded half-up
/// to the cent like every stored amount (README "Using it"). `None` when the type has no basis.
pub fn percent_amount(
    conn: &Db,
    fi: i64,
    code: &str,
    percent: Decimal,
    on: NaiveDate,
    order: PaymentOrder,
) -> Result<Option<Decimal>> {
    let basis = match code.trim() {
        "161" | "499" => {
            let Some(row) = crate::store::debtors::interest_terms(conn, fi)? else {
                bail!(runtime, "debtor {fi} does not exist")
            };
            match work_out(conn, &row, on, order)? {
                Ok(due) => due.amount,
                Err(_) => Decimal::ZERO,
            }
        }
        "162" | "163" => {
            let cents = if code.trim() == "162" {
                crate::store::debtors::owing_cents(conn, fi)?
            } else {
                crate::store::debtors::principal_cents(conn, fi)?
            };
            let Some(cents) = cents else {
                bail!(runtime, "debtor {fi} does not exist")
            };
            from_cents(cents)
        }
        _ => return Ok(None),
    };
    match percent.checked_mul(basis).map(|x| x / Decimal::ONE_HUNDRED) {
        Some(a) => Ok(Some(round_cents(a))),
        None => bail!(runtime, "{percent}% of {basis} is too large"),
    }
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn report_json_keys_in_order_and_display_is_the_table_totals_and_skips() {
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
        let posted = [Accrued {
            file: 1000,
            type_code: SIMPLE_ACCRUAL,
            kind: InterestKind::Simple,
            rate: Decimal::new(18000, 3),
            from: d(6, 30),
            through: d(7, 31),
            days: 31,
            amount: Decimal::new(1529, 2),
            transaction: 12,
        }];
        let run = AccrualRun {
            posted: 1,
            total: Decimal::new(1529, 2),
            skipped: BTreeMap::from([(skip::CLOSED, 2)]),
            warnings: vec!["w".into()],
        };
        let r = run.report(d(7, 31), &posted);
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            concat!(
                r#"{"through":"2024-07-31","posted":[{"file":1000,"type":"499","interest_type":"simple","#,
                r#""rate":"18","from":"2024-06-30","through":"2024-07-31","days":31,"amount":"15.29","transaction":12}],"#,
                r#""count":1,"total":"15.29","skipped":{"closed":2},"warnings":1}"#
            )
        );
        assert_eq!(
            r.to_string(),
            concat!(
                "    file  type  interest   rate %  from        through      days        amount\n",
                "    1000  499   simple         18  2024-06-30  2024-07-31     31         15.29\n",
                "interest through 2024-07-31: 1 posted, total 15.29\n",
                "skipped closed: 2\n",
                "warnings: 1\n"
            )
        );
        let none = AccrualRun::default();
        assert_eq!(
            none.report(d(7, 31), &[]).to_string(),
            "interest through 2024-07-31: 0 posted, total 0.00\n"
        );
    }
}
