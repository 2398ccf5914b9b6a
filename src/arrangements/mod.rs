//! Payment arrangements (Collect! help, transaction type samples "Down Payment",
//! "Payment Plan Payment", "Payment Plan Service Charge", "Payment Plan Initial
//! Discount", S2:2608-2699, 3113-3186; docs/money.md).
//!
//! `recoup arrangement add` posts the down payment (150), the service charge (350, a
//! fee that raises owing) and the initial discount (193, an adjustment that lowers it)
//! at once, then writes the schedule: one Promise contact per due date for the amount
//! per period, the last taking what remains of the balance. Payments then keep or
//! break the promises (`plans::promises`, [`sweep`]).

mod settings;
pub mod sweep;

pub use settings::{render as render_setup, to_json as setup_json, PromiseConfig, PromiseSettings};

use chrono::{Days, Months, NaiveDate};
use rust_decimal::Decimal;

use crate::money::{from_cents, to_cents, Ledger, NewTransaction};
use crate::plans::promises::{self, CANCELLED};
use crate::store::{self, contacts, Db};
use crate::{bail, Env, Error, Remedy, Result};

/// Transaction types an arrangement posts (stock types, S2:2608-2699, 3113-3186).
pub const DOWN_PAYMENT: &str = "150";
pub const SERVICE_CHARGE: &str = "350";
pub const INITIAL_DISCOUNT: &str = "193";

/// A schedule longer than this is a typing mistake (100 years of monthly payments).
pub const MAX_PROMISES: usize = 1200;

/// How often a promised payment falls due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    Week,
    Month,
}

impl Every {
    pub fn parse(s: &str) -> Option<Every> {
        match s {
            "week" => Some(Every::Week),
            "month" => Some(Every::Month),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Every::Week => "week",
            Every::Month => "month",
        }
    }

    /// The `i`-th due date from `first` (0 = first). Monthly dates keep the first
    /// date's day, clamped to shorter months (Jan 31 → Feb 29 → Mar 31). Dates are
    /// not moved off weekends and holidays: a promise is due when the debtor said.
    pub fn due(self, first: NaiveDate, i: u32) -> Option<NaiveDate> {
        match self {
            Every::Week => first.checked_add_days(Days::new(u64::from(i) * 7)),
            Every::Month => first.checked_add_months(Months::new(i)),
        }
    }
}

/// What `recoup arrangement add` asks for. Amounts are decimals as typed.
#[derive(Debug, Clone)]
pub struct Request {
    pub debtor: i64,
    pub amount: Decimal,
    pub every: Every,
    pub first: NaiveDate,
    /// At most this many promises, the last taking the remainder; None = until paid.
    pub count: Option<u32>,
    pub down: Option<Decimal>,
    pub service_charge: Option<Decimal>,
    pub discount: Option<Decimal>,
    /// Cancel the debtor's open promises instead of refusing.
    pub replace: bool,
}

/// One promised payment written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Promise {
    pub contact: i64,
    pub due: String,
    pub amount: String,
}

/// What `arrangement add` did: `--json` is its serialisation, the text its `Display`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Arrangement {
    pub debtor: i64,
    pub every: &'static str,
    pub amount: String,
    /// Transaction numbers posted (down payment, service charge, discount).
    pub transactions: Vec<i64>,
    pub down: String,
    pub service_charge: String,
    pub discount: String,
    /// Promises the arrangement replaced (`--replace`).
    pub cancelled: usize,
    /// Owing after the three postings: what the promises add up to.
    pub owing: String,
    pub promises: Vec<Promise>,
}

impl std::fmt::Display for Arrangement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "arrangement for debtor {}: {} a {}; down {}, service charge {}, discount {}; owing {}",
            self.debtor,
            self.amount,
            self.every,
            self.down,
            self.service_charge,
            self.discount,
            self.owing
        )?;
        if self.cancelled > 0 {
            writeln!(f, "  cancelled {} earlier promise(s)", self.cancelled)?;
        }
        match (self.promises.first(), self.promises.last()) {
            (Some(first), Some(last)) => writeln!(
                f,
                "  {} promise(s) from {} to {}; the last {}",
                self.promises.len(),
                first.due,
                last.due,
                last.amount
            ),
            _ => writeln!(f, "  nothing left to promise"),
        }
    }
}

/// The schedule: (due date, cents) for a balance paid `amount` per period from
/// `first`. Every promise is `amount` except the last, which takes what remains —
/// less than `amount` when the balance runs out, more when `count` ends it first.
/// Nothing when the balance is paid already.
pub fn schedule(
    balance: i64,
    amount: i64,
    every: Every,
    first: NaiveDate,
    count: Option<u32>,
) -> Result<Vec<(NaiveDate, i64)>> {
    if amount <= 0 {
        bail!(config, "the amount per period must be more than 0.00");
    }
    if count == Some(0) {
        bail!(config, "the number of promises must be at least 1");
    }
    let mut out = Vec::new();
    let mut left = balance;
    let mut i = 0u32;
    while left > 0 {
        let last = count.is_some_and(|k| i + 1 >= k);
        let part = if last { left } else { left.min(amount) };
        if out.len() >= MAX_PROMISES {
            bail!(
                config,
                "{} a {} would need more than {MAX_PROMISES} promises to pay {:.2}",
                format_args!("{:.2}", from_cents(amount)),
                every.name(),
                from_cents(balance)
            );
        }
        let Some(due) = every.due(first, i) else {
            bail!(config, "the schedule runs past the calendar's end");
        };
        out.push((due, part));
        left -= part;
        i += 1;
    }
    Ok(out)
}

fn non_negative(what: &str, v: Option<Decimal>) -> Result<Decimal> {
    let v = v.unwrap_or_default();
    if v < Decimal::ZERO {
        bail!(config, "the {what} must not be negative ({v})");
    }
    if v.round_dp(2) != v {
        bail!(config, "the {what} has more than two decimals ({v})");
    }
    Ok(v)
}

/// Set up an arrangement in the caller's transaction: post, schedule, run the posted
/// types' plans.
pub fn add(conn: &Db, env: &Env, req: &Request) -> Result<Arrangement> {
    let down = non_negative("down payment", req.down)?;
    let charge = non_negative("service charge", req.service_charge)?;
    let discount = non_negative("discount", req.discount)?;
    if req.amount <= Decimal::ZERO || req.amount.round_dp(2) != req.amount {
        bail!(
            config,
            "the amount per period must be more than 0.00 with at most two decimals ({})",
            req.amount
        );
    }
    if store::debtor_client(conn, req.debtor)?.is_none() {
        bail!(runtime, "debtor {} does not exist", req.debtor);
    }
    let open = contacts::count_open_promises(conn, req.debtor)?;
    let mut cancelled = 0;
    if open > 0 {
        if !req.replace {
            return Err(
                Error::config(format!("debtor {} has {open} open promise(s)", req.debtor))
                    .with_remedy(Remedy::ReplacePromises),
            );
        }
        cancelled = contacts::close_open_promises(conn, req.debtor, env.today, CANCELLED)?;
    }
    // The new arrangement's amount per period replaces any earlier one.
    store::debtors::set_arrangement_amount(conn, req.debtor, to_cents(req.amount))?;

    let mut ledger = Ledger::new(env.today);
    let mut transactions = Vec::new();
    let mut plans = Vec::new();
    let mut owing = None;
    // Fees are posted negative and raise owing (S2:3113-3138); payments and
    // adjustments positive (S2:2608-2653, 3161-3186).
    for (code, to_us) in [
        (DOWN_PAYMENT, down),
        (SERVICE_CHARGE, -charge),
        (INITIAL_DISCOUNT, discount),
    ] {
        if to_us.is_zero() {
            continue;
        }
        let posted = ledger.post(
            conn,
            &NewTransaction {
                file_number: req.debtor,
                type_code: code.to_string(),
                to_us: Some(to_us),
                payment_date: Some(env.today),
                ..Default::default()
            },
        )?;
        transactions.push(posted.id);
        owing = Some(posted.totals.owing());
        plans.extend(posted.plan);
    }
    let owing = match owing {
        Some(o) => o,
        None => crate::money::recalc::stored_totals(conn, req.debtor)?.owing(),
    };
    let due = schedule(owing, to_cents(req.amount), req.every, req.first, req.count)?;
    let total = due.len();
    let mut promises_written = Vec::with_capacity(total);
    for (i, (date, cents)) in due.into_iter().enumerate() {
        let description = format!("Arrangement payment {} of {total}", i + 1);
        let contact = contacts::insert_promise(conn, req.debtor, &description, date, cents)?;
        promises_written.push(Promise {
            contact,
            due: crate::dates::iso_date(date),
            amount: format!("{:.2}", from_cents(cents)),
        });
    }
    promises::refresh(conn, req.debtor)?;
    if !down.is_zero() {
        crate::sol::refresh_debtor(conn, req.debtor)?;
    }
    // The posted types' contact plans run after posting (S2:2101-2106).
    if !plans.is_empty() {
        let mut runner = crate::plans::PlanRunner::new(conn, env)?;
        for plan in &plans {
            runner.run(conn, req.debtor, plan, env.today)?;
        }
    }
    Ok(Arrangement {
        debtor: req.debtor,
        every: req.every.name(),
        amount: format!("{:.2}", req.amount),
        transactions,
        down: format!("{down:.2}"),
        service_charge: format!("{charge:.2}"),
        discount: format!("{discount:.2}"),
        cancelled,
        owing: format!("{:.2}", from_cents(owing)),
        promises: promises_written,
    })
}

/// After a transaction is posted by hand: a payment (or its reversal) pays the
/// debtor's promises and may move the time-barred date.
pub fn after_posting(conn: &Db, fi: i64, transaction: i64) -> Result<()> {
    let t = store::transactions::transaction_payment(conn, transaction)?;
    if t.fin_type.as_deref() != Some(crate::money::FinType::Payment.as_str()) {
        return Ok(());
    }
    let date = t.payment_date.as_deref().and_then(crate::dates::parse_iso);
    if let Some(date) = date {
        promises::apply_payment(conn, fi, t.amount, date)?;
    }
    crate::sol::refresh_debtor(conn, fi)
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn arrangement_json_keys_in_order_and_display_is_the_three_lines() {
        let a = Arrangement {
            debtor: 1000,
            every: "month",
            amount: "100.00".into(),
            transactions: vec![5],
            down: "250.00".into(),
            service_charge: "25.00".into(),
            discount: "0.00".into(),
            cancelled: 1,
            owing: "150.00".into(),
            promises: vec![
                Promise {
                    contact: 8,
                    due: "2024-08-01".into(),
                    amount: "100.00".into(),
                },
                Promise {
                    contact: 9,
                    due: "2024-09-01".into(),
                    amount: "50.00".into(),
                },
            ],
        };
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            concat!(
                r#"{"debtor":1000,"every":"month","amount":"100.00","transactions":[5],"#,
                r#""down":"250.00","service_charge":"25.00","discount":"0.00","cancelled":1,"owing":"150.00","#,
                r#""promises":[{"contact":8,"due":"2024-08-01","amount":"100.00"},{"contact":9,"due":"2024-09-01","amount":"50.00"}]}"#
            )
        );
        assert_eq!(
            a.to_string(),
            "arrangement for debtor 1000: 100.00 a month; down 250.00, service charge 25.00, discount 0.00; owing 150.00\n  cancelled 1 earlier promise(s)\n  2 promise(s) from 2024-08-01 to 2024-09-01; the last 50.00\n"
        );
        let none = Arrangement {
            cancelled: 0,
            promises: vec![],
            ..a
        };
        assert!(none
            .to_string()
            .ends_with("owing 150.00\n  nothing left to promise\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::dates::parse_iso(s).unwrap()
    }

    #[test]
    fn until_paid_the_last_promise_takes_the_remainder() {
        // 975.00 at 100.00 a month: 9 × 100.00 + 75.00 = 975.00, ten promises
        let s = schedule(97500, 10000, Every::Month, d("2024-08-01"), None).unwrap();
        assert_eq!(s.len(), 10);
        assert!(s[..9].iter().all(|(_, c)| *c == 10000));
        assert_eq!(s[9], (d("2025-05-01"), 7500));
    }

    #[test]
    fn a_count_ends_with_the_balance() {
        // 975.00 in 6: 5 × 100.00 + 475.00
        let s = schedule(97500, 10000, Every::Month, d("2024-08-01"), Some(6)).unwrap();
        assert_eq!(s.len(), 6);
        assert_eq!(s[5], (d("2025-01-01"), 47500));
        // a count longer than needed stops when the balance is paid: 250.00 in 3
        let s = schedule(25000, 10000, Every::Week, d("2024-08-01"), Some(12)).unwrap();
        assert_eq!(
            s,
            vec![
                (d("2024-08-01"), 10000),
                (d("2024-08-08"), 10000),
                (d("2024-08-15"), 5000)
            ]
        );
    }

    #[test]
    fn monthly_dates_keep_the_day_and_clamp() {
        let s = schedule(30000, 10000, Every::Month, d("2024-01-31"), None).unwrap();
        let dates: Vec<_> = s.iter().map(|(d, _)| *d).collect();
        assert_eq!(
            dates,
            vec![d("2024-01-31"), d("2024-02-29"), d("2024-03-31")]
        );
    }

    #[test]
    fn nothing_to_schedule_and_bad_terms() {
        assert!(schedule(0, 10000, Every::Week, d("2024-08-01"), None)
            .unwrap()
            .is_empty());
        assert!(schedule(-500, 10000, Every::Week, d("2024-08-01"), None)
            .unwrap()
            .is_empty());
        let e = schedule(100_000_000, 1, Every::Month, d("2024-08-01"), None).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.message.contains("more than 1200 promises"),
            "{}",
            e.message
        );
        assert_eq!(
            schedule(1000, 0, Every::Week, d("2024-08-01"), None)
                .unwrap_err()
                .exit_code(),
            2
        );
        assert_eq!(
            schedule(1000, 10, Every::Week, d("2024-08-01"), Some(0))
                .unwrap_err()
                .exit_code(),
            2
        );
    }
}
