//! Interest accrual over a debtor's history: exact decimal interest, day by day,
//! on the principal in force each day (docs/money.md; Collect! help, Transaction Types —
//! "Original Principal Sample": "interest is calculated on the resulting principal total
//! after each transaction's payment date", S2:2165-2168).
//!
//! The engine is pure: it takes the terms and the debtor's movements (already read
//! from the transactions) and returns the exact interest accrued from the start date
//! (exclusive) through each checkpoint (inclusive). Posting rounds the cumulative total
//! and posts the difference of rounded totals, so accruing a period in one run or in
//! several gives the same cents (docs/money.md, "Interest and judgments").

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::dates::month_end;
use crate::{bail, Result};

/// Day count: actual/365 (docs/money.md) — every calendar day counts, a year is 365 days,
/// leap years included.
const DAYS_PER_YEAR: i64 = 365;

/// How interest grows (`de.ity`; Collect! help, Debtor — Interest tab, S2:933-937).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterestKind {
    /// On the principal in force only.
    Simple,
    /// On principal plus the interest accrued, compounded at each calendar month end.
    Compound,
}

impl InterestKind {
    /// `de.ity` as the agency types it; `None` for `none`/blank, an error naming the
    /// value for anything else.
    pub fn parse(text: &str) -> std::result::Result<Option<InterestKind>, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "none" => Ok(None),
            "simple" => Ok(Some(InterestKind::Simple)),
            "compound" => Ok(Some(InterestKind::Compound)),
            _ => Err(format!(
                "de.ity '{}' is not none, simple or compound",
                text.trim()
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InterestKind::Simple => "simple",
            InterestKind::Compound => "compound",
        }
    }
}

/// What one transaction does to the balances interest depends on. Amounts are in the
/// debtor's display sense: positive raises that balance (a payment: positive = paid).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// A principal transaction (196, 194, 160, 162, 163): the interest-bearing base.
    Principal,
    /// Interest posted by hand or placed (197, 195, 401): owed, never compounded.
    Interest,
    /// Fees and legal charges.
    Charge,
    /// A payment (negative = a reversal such as 105).
    Payment,
    /// 161 Add Current Accrued Interest: moves accrued interest into principal.
    Capitalize,
    /// An accrual the engine posted (402, 495, 499) or 161: the engine's own exact
    /// accrual stands for it, so it changes no balance here.
    Accrual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Movement {
    pub date: NaiveDate,
    pub effect: Effect,
    pub amount: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    pub kind: InterestKind,
    /// What a payment pays first (`[interest] payment_order`).
    pub order: PaymentOrder,
    /// Annual rate in percent (`de.irt`, or `de.jrt` under a judgment).
    pub rate: Decimal,
    /// Interest runs from the day after this date.
    pub start: NaiveDate,
}

/// A balance a payment can pay (docs/money.md "Interest and judgments").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// Interest: posted interest first, then the engine's compounded and pending.
    Interest,
    /// Fees and legal charges.
    Fees,
    /// Principal, the interest-bearing base.
    Principal,
}

impl Bucket {
    pub fn parse(s: &str) -> Option<Bucket> {
        match s.trim().to_ascii_lowercase().as_str() {
            "interest" => Some(Bucket::Interest),
            "fees" => Some(Bucket::Fees),
            "principal" => Some(Bucket::Principal),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Bucket::Interest => "interest",
            Bucket::Fees => "fees",
            Bucket::Principal => "principal",
        }
    }
}

/// The order in which a payment pays the balances; a reversal puts back in the
/// opposite order.
pub type PaymentOrder = [Bucket; 3];

/// Interest first, then fees, then principal, unless setup.toml's
/// `[interest] payment_order` says otherwise.
pub const DEFAULT_PAYMENT_ORDER: PaymentOrder = [Bucket::Interest, Bucket::Fees, Bucket::Principal];

/// Round an accrued total to the cent, half-even (docs/money.md).
pub fn round_interest(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
}

/// The interest to post for the days after `last` through `through`: the rounded
/// cumulative total through `through` less the rounded total through `last` (both from
/// the start date), so successive runs add up to the cent to one run over the whole
/// period. Zero when `through` is not after `last`.
pub fn accrual_between(
    terms: &Terms,
    movements: &[Movement],
    last: NaiveDate,
    through: NaiveDate,
) -> Result<Decimal> {
    if through <= last {
        return Ok(Decimal::ZERO);
    }
    let totals = cumulative(terms, movements, &[last, through])?;
    Ok(round_interest(totals[1]) - round_interest(totals[0]))
}

/// The exact interest accrued on days in (terms.start, checkpoint] for each checkpoint
/// (ascending). `movements` are sorted by date, in posting order within a day; a
/// movement changes the balances from its date on (that day's interest uses them).
pub fn cumulative(
    terms: &Terms,
    movements: &[Movement],
    checkpoints: &[NaiveDate],
) -> Result<Vec<Decimal>> {
    let mut sim = Simulation::new(terms);
    let mut next = 0;
    let mut out = Vec::with_capacity(checkpoints.len());
    for &checkpoint in checkpoints {
        while let Some(m) = movements.get(next).filter(|m| m.date <= checkpoint) {
            if let Some(day_before) = m.date.pred_opt() {
                sim.advance_to(day_before)?;
            }
            sim.apply(m);
            next += 1;
        }
        sim.advance_to(checkpoint)?;
        out.push(sim.total);
    }
    Ok(out)
}

/// The balances on the day being accrued. Payments pay the balances in the terms'
/// order (default interest, fees, principal); interest is paid oldest first: posted
/// interest, then the engine's compounded and pending interest.
#[derive(Debug, Default)]
struct Balances {
    principal: Decimal,
    posted_interest: Decimal,
    /// Engine interest already compounded into the base (compound only).
    compounded: Decimal,
    /// Engine interest accrued since the last month end.
    pending: Decimal,
    charges: Decimal,
    /// What payments took from each balance, so a reversal can put it back
    /// (principal first, the last thing a payment paid).
    paid_principal: Decimal,
    paid_charges: Decimal,
    paid_posted_interest: Decimal,
    paid_engine_interest: Decimal,
}

struct Simulation {
    kind: InterestKind,
    order: PaymentOrder,
    rate: Decimal,
    /// The last day accrued.
    cursor: NaiveDate,
    balances: Balances,
    total: Decimal,
}

/// Take up to `want` from `from` (never below zero); returns what was taken.
fn take(from: &mut Decimal, want: Decimal) -> Decimal {
    let taken = want.min(*from).max(Decimal::ZERO);
    *from -= taken;
    taken
}

impl Simulation {
    fn new(terms: &Terms) -> Simulation {
        Simulation {
            kind: terms.kind,
            order: terms.order,
            rate: terms.rate,
            cursor: terms.start,
            balances: Balances::default(),
            total: Decimal::ZERO,
        }
    }

    fn base(&self) -> Decimal {
        let b = &self.balances;
        let base = match self.kind {
            InterestKind::Simple => b.principal,
            InterestKind::Compound => b.principal + b.compounded,
        };
        base.max(Decimal::ZERO)
    }

    /// Accrue every day after the cursor through `day`.
    fn advance_to(&mut self, day: NaiveDate) -> Result<()> {
        while self.cursor < day {
            let first = self.cursor.succ_opt().unwrap_or(day);
            let piece_end = match self.kind {
                InterestKind::Simple => day,
                InterestKind::Compound => day.min(month_end(first)),
            };
            let days = (piece_end - self.cursor).num_days();
            let interest = self
                .base()
                .checked_mul(self.rate)
                .and_then(|x| x.checked_mul(Decimal::from(days)))
                .and_then(|x| x.checked_div(Decimal::from(100 * DAYS_PER_YEAR)));
            let Some(interest) = interest else {
                bail!(
                    runtime,
                    "interest on {} is too large to compute",
                    self.base()
                )
            };
            let b = &mut self.balances;
            b.pending += interest;
            self.total = match self.total.checked_add(interest) {
                Some(t) => t,
                None => bail!(runtime, "accrued interest is too large to compute"),
            };
            if self.kind == InterestKind::Compound && piece_end == month_end(piece_end) {
                b.compounded += b.pending;
                b.pending = Decimal::ZERO;
            }
            self.cursor = piece_end;
        }
        Ok(())
    }

    fn apply(&mut self, m: &Movement) {
        let b = &mut self.balances;
        match m.effect {
            Effect::Principal => b.principal += m.amount,
            Effect::Interest => b.posted_interest += m.amount,
            Effect::Charge => b.charges += m.amount,
            Effect::Accrual => {}
            Effect::Capitalize => {
                b.principal += m.amount;
                let rest = m.amount - take(&mut b.pending, m.amount);
                let rest = rest - take(&mut b.compounded, rest);
                take(&mut b.posted_interest, rest);
            }
            Effect::Payment if m.amount >= Decimal::ZERO => {
                let mut rest = m.amount;
                for bucket in self.order {
                    match bucket {
                        Bucket::Interest => {
                            let posted = take(&mut b.posted_interest, rest);
                            rest -= posted;
                            let compounded = take(&mut b.compounded, rest);
                            let engine = compounded + take(&mut b.pending, rest - compounded);
                            rest -= engine;
                            b.paid_posted_interest += posted;
                            b.paid_engine_interest += engine;
                        }
                        Bucket::Fees => {
                            let charges = take(&mut b.charges, rest);
                            rest -= charges;
                            b.paid_charges += charges;
                        }
                        Bucket::Principal => {
                            let principal = take(&mut b.principal, rest);
                            rest -= principal;
                            b.paid_principal += principal;
                        }
                    }
                }
            }
            Effect::Payment => {
                // A reversal puts back what payments took, the last-paid balance first.
                let mut rest = -m.amount;
                for bucket in self.order.iter().rev() {
                    match bucket {
                        Bucket::Principal => {
                            let p = take(&mut b.paid_principal, rest);
                            b.principal += p;
                            rest -= p;
                        }
                        Bucket::Fees => {
                            let c = take(&mut b.paid_charges, rest);
                            b.charges += c;
                            rest -= c;
                        }
                        Bucket::Interest => {
                            let e = take(&mut b.paid_engine_interest, rest);
                            b.compounded += e;
                            rest -= e;
                            let i = take(&mut b.paid_posted_interest, rest);
                            b.posted_interest += i;
                            rest -= i;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        crate::dates::parse_iso(s).unwrap()
    }

    fn principal(date: &str, amount: Decimal) -> Movement {
        Movement {
            date: d(date),
            effect: Effect::Principal,
            amount,
        }
    }

    fn payment(date: &str, amount: Decimal) -> Movement {
        Movement {
            date: d(date),
            effect: Effect::Payment,
            amount,
        }
    }

    fn moved(date: &str, effect: Effect, amount: Decimal) -> Movement {
        Movement {
            date: d(date),
            effect,
            amount,
        }
    }

    fn terms(kind: InterestKind, rate: Decimal, start: &str) -> Terms {
        Terms {
            kind,
            order: DEFAULT_PAYMENT_ORDER,
            rate,
            start: d(start),
        }
    }

    fn through(t: &Terms, m: &[Movement], to: &str) -> Decimal {
        round_interest(cumulative(t, m, &[d(to)]).unwrap()[0])
    }

    #[test]
    fn spec_example_simple_182_days() {
        // docs/money.md: 1,000.00 at 10 % from 2024-01-01 through 2024-07-01: Jan 2–31 = 30,
        // Feb 29, Mar 31, Apr 30, May 31, Jun 30, Jul 1 = 182 days;
        // 1000 × 0.10 × 182 / 365 = 49.8630… → 49.86.
        let t = terms(InterestKind::Simple, dec!(10), "2024-01-01");
        let m = [principal("2023-12-15", dec!(1000))];
        assert_eq!(through(&t, &m, "2024-07-01"), dec!(49.86));
    }

    #[test]
    fn principal_change_applies_from_its_payment_date() {
        // 1,000.00 at 10 % from 2024-01-01; 500.00 more principal dated 2024-01-11.
        // Jan 2–10: 9 days on 1,000 = 1000 × 0.1 × 9/365 = 2.46575…
        // Jan 11–31: 21 days on 1,500 = 1500 × 0.1 × 21/365 = 8.63013…
        // total 11.09589… → 11.10.
        let t = terms(InterestKind::Simple, dec!(10), "2024-01-01");
        let m = [
            principal("2024-01-01", dec!(1000)),
            principal("2024-01-11", dec!(500)),
        ];
        assert_eq!(through(&t, &m, "2024-01-31"), dec!(11.10));
    }

    #[test]
    fn payments_pay_interest_then_fees_then_principal() {
        // 1,000.00 at 36.5 % (0.10 a day per 100) from 2024-01-01, a 25.00 fee.
        // Jan 2–10: 9 days × 1.00 = 9.00 interest accrued.
        // 2024-01-11 payment 134.00: 9.00 interest, 25.00 fee, 100.00 principal → 900.
        // Jan 11–20: 10 days × 0.90 = 9.00. Total 18.00.
        let t = terms(InterestKind::Simple, dec!(36.5), "2024-01-01");
        let m = [
            principal("2024-01-01", dec!(1000)),
            moved("2024-01-01", Effect::Charge, dec!(25)),
            payment("2024-01-11", dec!(134)),
        ];
        assert_eq!(through(&t, &m, "2024-01-20"), dec!(18.00));
    }

    #[test]
    fn a_declared_order_pays_principal_first() {
        // As above with payment_order principal, interest, fees: the 134.00 payment
        // pays 134.00 principal → 866.00. Jan 2–10: 9.00; Jan 11–20: 10 × 0.866 = 8.66.
        // Total 17.66.
        let t = Terms {
            order: [Bucket::Principal, Bucket::Interest, Bucket::Fees],
            ..terms(InterestKind::Simple, dec!(36.5), "2024-01-01")
        };
        let m = [
            principal("2024-01-01", dec!(1000)),
            moved("2024-01-01", Effect::Charge, dec!(25)),
            payment("2024-01-11", dec!(134)),
        ];
        assert_eq!(through(&t, &m, "2024-01-20"), dec!(17.66));
        // Fees first: 25.00 fee, 9.00 interest, 100.00 principal → as the default (18.00).
        let fees_first = Terms {
            order: [Bucket::Fees, Bucket::Interest, Bucket::Principal],
            ..t
        };
        assert_eq!(through(&fees_first, &m, "2024-01-20"), dec!(18.00));
        // A reversal under principal-first puts the principal back last-paid first:
        // Jan 16 reverses the 134.00 → 1,000.00 again. Jan 11–15: 5 × 0.866 = 4.33;
        // Jan 16–20: 5 × 1.00 = 5.00. Total 9.00 + 4.33 + 5.00 = 18.33.
        let reversed = [
            principal("2024-01-01", dec!(1000)),
            payment("2024-01-11", dec!(134)),
            payment("2024-01-16", dec!(-134)),
        ];
        assert_eq!(through(&t, &reversed, "2024-01-20"), dec!(18.33));
    }

    #[test]
    fn a_reversal_puts_the_principal_back() {
        // As above without the fee: 9.00 accrued by Jan 10; the 109.00 payment of
        // Jan 11 pays 9.00 interest and 100.00 principal; its NSF reversal on Jan 16
        // restores the 100.00. Jan 11–15: 5 × 0.90 = 4.50; Jan 16–20: 5 × 1.00 = 5.00.
        // Total 9.00 + 4.50 + 5.00 = 18.50.
        let t = terms(InterestKind::Simple, dec!(36.5), "2024-01-01");
        let m = [
            principal("2024-01-01", dec!(1000)),
            payment("2024-01-11", dec!(109)),
            payment("2024-01-16", dec!(-109)),
        ];
        assert_eq!(through(&t, &m, "2024-01-20"), dec!(18.50));
    }

    #[test]
    fn compound_adds_interest_to_the_base_at_month_end() {
        // 1,000.00 at 36.5 % compound from 2024-01-30.
        // Jan 31: 1 day on 1,000 = 1.00, compounded at month end → base 1,001.00.
        // Feb 1–2: 2 days on 1,001 = 2.002. Total 3.002 → 3.00.
        let t = terms(InterestKind::Compound, dec!(36.5), "2024-01-30");
        let m = [principal("2024-01-01", dec!(1000))];
        let exact = cumulative(&t, &m, &[d("2024-02-02")]).unwrap()[0];
        assert_eq!(exact, dec!(3.002));
        // Simple on the same terms: 3 days on 1,000 = 3.00 exactly.
        let s = terms(InterestKind::Simple, dec!(36.5), "2024-01-30");
        assert_eq!(cumulative(&s, &m, &[d("2024-02-02")]).unwrap()[0], dec!(3));
    }

    #[test]
    fn capitalizing_moves_interest_into_principal_without_double_counting() {
        // Compound at 36.5 % from 2024-01-01 on 1,000: Jan 2–11 accrues 10.00 pending.
        // A 161 dated Jan 12 capitalizes the 10.00: principal 1,010, pending 0, so the base
        // from Jan 12 is 1,010 (not 1,020): Jan 12–21 = 10 × 1.01 = 10.10. Total 20.10.
        let t = terms(InterestKind::Compound, dec!(36.5), "2024-01-01");
        let m = [
            principal("2024-01-01", dec!(1000)),
            moved("2024-01-12", Effect::Capitalize, dec!(10)),
        ];
        assert_eq!(through(&t, &m, "2024-01-21"), dec!(20.10));
    }

    #[test]
    fn nothing_before_the_start_and_accrual_markers_change_nothing() {
        let t = terms(InterestKind::Simple, dec!(10), "2024-07-01");
        let m = [
            principal("2024-01-01", dec!(1000)),
            moved("2024-03-01", Effect::Accrual, dec!(500)),
        ];
        assert_eq!(through(&t, &m, "2024-06-30"), dec!(0));
        assert_eq!(through(&t, &m, "2024-07-01"), dec!(0)); // start is exclusive
                                                            // 1 day: 1000 × 0.1 / 365 = 0.27397… → 0.27
        assert_eq!(through(&t, &m, "2024-07-02"), dec!(0.27));
    }

    #[test]
    fn half_even_rounding() {
        assert_eq!(round_interest(dec!(0.125)), dec!(0.12));
        assert_eq!(round_interest(dec!(0.135)), dec!(0.14));
        assert_eq!(round_interest(dec!(49.8630)), dec!(49.86));
    }

    #[test]
    fn interest_types_parse() {
        assert_eq!(
            InterestKind::parse(" Simple "),
            Ok(Some(InterestKind::Simple))
        );
        assert_eq!(
            InterestKind::parse("COMPOUND"),
            Ok(Some(InterestKind::Compound))
        );
        assert_eq!(InterestKind::parse(""), Ok(None));
        assert_eq!(InterestKind::parse("none"), Ok(None));
        assert_eq!(
            InterestKind::parse("daily"),
            Err("de.ity 'daily' is not none, simple or compound".into())
        );
    }

    mod property {
        use super::*;
        use proptest::prelude::*;

        fn date_from(offset: i64) -> NaiveDate {
            d("2023-01-01") + chrono::Duration::days(offset)
        }

        proptest! {
            /// Simple interest posted as the difference of rounded cumulative totals: one
            /// run over a period posts exactly the sum of runs over its sub-periods.
            #[test]
            fn accrual_is_additive_over_sub_periods(
                rate_bp in 1u32..3000,
                changes in proptest::collection::vec((0i64..700, -50_000i64..500_000), 1..6),
                mut cuts in proptest::collection::vec(1i64..700, 1..6),
            ) {
                let t = Terms {
                    kind: InterestKind::Simple,
                    order: DEFAULT_PAYMENT_ORDER,
                    rate: Decimal::new(rate_bp as i64, 2),
                    start: date_from(0),
                };
                let mut m: Vec<Movement> = changes
                    .iter()
                    .map(|&(day, cents)| Movement {
                        date: date_from(day),
                        effect: Effect::Principal,
                        amount: Decimal::new(cents, 2),
                    })
                    .collect();
                m.sort_by_key(|x| x.date);
                cuts.sort_unstable();
                cuts.dedup();
                let end = date_from(700);
                let whole = accrual_between(&t, &m, t.start, end).unwrap();
                let mut points: Vec<NaiveDate> = cuts.iter().map(|&c| date_from(c)).collect();
                points.push(end);
                let mut posted = Decimal::ZERO;
                let mut last = t.start;
                for p in points {
                    posted += accrual_between(&t, &m, last, p).unwrap();
                    last = p;
                }
                prop_assert_eq!(posted, whole);
            }
        }
    }
}
