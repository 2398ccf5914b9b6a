//! Commission rate plans (S2:4146-4527): a sliding scale chosen by the account's age,
//! list amount, payment amount, paid-to-date total, remaining balance, or days from a
//! date to the payment, with optional minimum and maximum commission per range.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::{from_cents, round_cents};
use crate::store::Db;
use crate::{bail, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    /// Days between the Listed date and the Charged date (S2:4201-4233).
    AgeCharged,
    /// Days between the Listed date and the Delinquency date (S2:4234-4266).
    AgeDelinquent,
    /// Original principal + original interest (S2:4267-4294).
    ListAmount,
    /// The payment itself (S2:4295-4327).
    PaymentAmount,
    /// Progressive: each part of a payment at the rate of the range it falls in (S2:4328-4393).
    PaidToDate,
    /// Owing before the payment is posted (S2:4394-4422).
    RemainingBalance,
    /// Days from the Listed / Charged / Delinquency date to the payment date (S2:4423-4527).
    DaysFromListing,
    DaysFromCharged,
    DaysFromDelinquent,
}

impl PlanKind {
    pub const NAMES: [&'static str; 9] = [
        "age_charged",
        "age_delinquent",
        "list_amount",
        "payment_amount",
        "paid_to_date",
        "remaining_balance",
        "days_from_listing",
        "days_from_charged",
        "days_from_delinquent",
    ];

    pub fn parse(s: &str) -> Option<PlanKind> {
        Some(match s {
            "age_charged" => PlanKind::AgeCharged,
            "age_delinquent" => PlanKind::AgeDelinquent,
            "list_amount" => PlanKind::ListAmount,
            "payment_amount" => PlanKind::PaymentAmount,
            "paid_to_date" => PlanKind::PaidToDate,
            "remaining_balance" => PlanKind::RemainingBalance,
            "days_from_listing" => PlanKind::DaysFromListing,
            "days_from_charged" => PlanKind::DaysFromCharged,
            "days_from_delinquent" => PlanKind::DaysFromDelinquent,
            _ => return None,
        })
    }

    /// Age and list-amount plans set a rate for the account; the seed says their
    /// min/max values are ignored (S2:4201-4294).
    fn uses_min_max(self) -> bool {
        !matches!(
            self,
            PlanKind::AgeCharged | PlanKind::AgeDelinquent | PlanKind::ListAmount
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bracket {
    /// Inclusive upper bound of the range (an amount or a number of days).
    pub upto: Decimal,
    /// Percent.
    pub rate: Decimal,
    pub min: Option<Decimal>,
    pub max: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RatePlan {
    pub code: String,
    pub kind: PlanKind,
    /// Ascending by `upto`.
    pub brackets: Vec<Bracket>,
}

/// What a plan may look at when a payment is posted.
#[derive(Debug, Clone, Default)]
pub struct PlanInputs {
    pub payment: Decimal,
    pub payment_date: Option<NaiveDate>,
    pub listed: Option<NaiveDate>,
    pub charged: Option<NaiveDate>,
    pub delinquent: Option<NaiveDate>,
    /// Original principal + original interest.
    pub list_amount: Decimal,
    /// Payments posted before this one.
    pub paid_to_date: Decimal,
    /// Owing before this payment.
    pub owing_before: Decimal,
}

/// A computed commission: the amount (cents) and the effective rate in percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commission {
    pub amount: Decimal,
    pub rate: Decimal,
}

impl Commission {
    /// Commission at a flat percent of `amount`.
    pub fn at_rate(amount: Decimal, rate: Decimal) -> Commission {
        Commission {
            amount: round_cents(amount * rate / Decimal::ONE_HUNDRED),
            rate,
        }
    }
}

/// The effective percent an amount represents of a payment, to three places
/// (S2:4196-4200: "reset the commission rate percent accordingly").
pub fn effective_rate(commission: Decimal, payment: Decimal) -> Decimal {
    if payment.is_zero() {
        return Decimal::ZERO;
    }
    (commission * Decimal::ONE_HUNDRED / payment)
        .round_dp(3)
        .normalize()
}

fn days_between(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Decimal {
    match (from, to) {
        (Some(a), Some(b)) => Decimal::from((b - a).num_days().abs()),
        // A missing date counts as age 0: the first range applies.
        _ => Decimal::ZERO,
    }
}

impl RatePlan {
    fn bracket_for(&self, value: Decimal) -> Option<&Bracket> {
        self.brackets
            .iter()
            .find(|b| value <= b.upto)
            .or(self.brackets.last())
    }

    /// Commission on one payment (positive amount) under this plan.
    pub fn commission(&self, inp: &PlanInputs) -> Commission {
        let payment = inp.payment;
        let (raw, bracket) = match self.kind {
            PlanKind::PaidToDate => {
                // Split the payment across the ranges it spans (S2:4328-4393).
                let start = inp.paid_to_date;
                let end = start + payment;
                let mut lo = Decimal::ZERO;
                let mut total = Decimal::ZERO;
                for b in &self.brackets {
                    let part = end.min(b.upto) - start.max(lo);
                    if part > Decimal::ZERO {
                        total += part * b.rate / Decimal::ONE_HUNDRED;
                    }
                    lo = b.upto;
                }
                if end > lo {
                    if let Some(last) = self.brackets.last() {
                        total += (end - lo.max(start)) * last.rate / Decimal::ONE_HUNDRED;
                    }
                }
                (round_cents(total), self.bracket_for(end))
            }
            kind => {
                let value = match kind {
                    PlanKind::AgeCharged => days_between(inp.charged, inp.listed),
                    PlanKind::AgeDelinquent => days_between(inp.delinquent, inp.listed),
                    PlanKind::ListAmount => inp.list_amount,
                    PlanKind::PaymentAmount => payment,
                    PlanKind::RemainingBalance => inp.owing_before,
                    PlanKind::DaysFromListing => days_between(inp.listed, inp.payment_date),
                    PlanKind::DaysFromCharged => days_between(inp.charged, inp.payment_date),
                    PlanKind::DaysFromDelinquent => days_between(inp.delinquent, inp.payment_date),
                    PlanKind::PaidToDate => inp.paid_to_date, // handled above
                };
                let b = self.bracket_for(value);
                let rate = b.map_or(Decimal::ZERO, |b| b.rate);
                (round_cents(payment * rate / Decimal::ONE_HUNDRED), b)
            }
        };
        let mut amount = raw;
        if self.kind.uses_min_max() {
            if let Some(b) = bracket {
                if let Some(min) = b.min {
                    // "$25 minimum ... unless the payment is $15: Collect! would then take
                    // the complete $15" (S2:4185-4187)
                    if amount < min {
                        amount = min.min(payment);
                    }
                }
                if let Some(max) = b.max {
                    if amount > max {
                        amount = max;
                    }
                }
            }
        }
        Commission {
            amount,
            rate: effective_rate(amount, payment),
        }
    }
}

/// Load a plan by code.
pub fn load_plan(conn: &Db, code: &str) -> Result<Option<RatePlan>> {
    let Some(kind) = crate::store::types::rate_plan_kind(conn, code)? else {
        return Ok(None);
    };
    let Some(kind) = PlanKind::parse(&kind) else {
        bail!(config, "rate plan {code}: unknown kind '{kind}'")
    };
    let mut brackets: Vec<Bracket> = crate::store::types::rate_plan_brackets(conn, code)?
        .into_iter()
        .map(|r| Bracket {
            upto: r.upto.parse().unwrap_or(Decimal::MAX),
            rate: r.rate.parse().unwrap_or(Decimal::ZERO),
            min: r.min_cents.map(from_cents),
            max: r.max_cents.map(from_cents),
        })
        .collect();
    brackets.sort_by_key(|b| b.upto);
    Ok(Some(RatePlan {
        code: code.to_string(),
        kind,
        brackets,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn plan(kind: PlanKind, b: &[(Decimal, Decimal)]) -> RatePlan {
        RatePlan {
            code: "T".into(),
            kind,
            brackets: b
                .iter()
                .map(|(u, r)| Bracket {
                    upto: *u,
                    rate: *r,
                    min: None,
                    max: None,
                })
                .collect(),
        }
    }

    fn ptd() -> RatePlan {
        // S2:4328-4393
        plan(
            PlanKind::PaidToDate,
            &[
                (dec!(2000), dec!(25)),
                (dec!(5000), dec!(20)),
                (dec!(10000), dec!(15)),
                (dec!(20000), dec!(13)),
                (dec!(50000), dec!(11)),
                (dec!(99999999), dec!(10)),
            ],
        )
    }

    #[test]
    fn paid_to_date_worked_example_to_the_cent() {
        // $500→$125, $1,000→$250, $1,000→$225 (22.50%), $2,000→$400 (20%), $2,000→$325 (16.25%)
        let p = ptd();
        let mut paid = Decimal::ZERO;
        let expect = [
            (dec!(500), dec!(125.00), dec!(25)),
            (dec!(1000), dec!(250.00), dec!(25)),
            (dec!(1000), dec!(225.00), dec!(22.5)),
            (dec!(2000), dec!(400.00), dec!(20)),
            (dec!(2000), dec!(325.00), dec!(16.25)),
        ];
        for (pay, cm, rate) in expect {
            let c = p.commission(&PlanInputs {
                payment: pay,
                paid_to_date: paid,
                ..Default::default()
            });
            assert_eq!(c.amount, cm, "payment {pay} after {paid}");
            assert_eq!(c.rate, rate, "rate of payment {pay}");
            paid += pay;
        }
    }

    #[test]
    fn payment_amount_with_minimum_and_maximum() {
        // S2:4179-4200: $50 at 35% = $17.50 → min $25 → rate 50%; a $15 payment gives $15.
        let mut p = plan(
            PlanKind::PaymentAmount,
            &[
                (dec!(100), dec!(35)),
                (dec!(500), dec!(40)),
                (dec!(999999), dec!(15)),
            ],
        );
        p.brackets[0].min = Some(dec!(25));
        p.brackets[2].max = Some(dec!(100));
        let c = p.commission(&PlanInputs {
            payment: dec!(50),
            ..Default::default()
        });
        assert_eq!((c.amount, c.rate), (dec!(25), dec!(50)));
        let c = p.commission(&PlanInputs {
            payment: dec!(15),
            ..Default::default()
        });
        assert_eq!((c.amount, c.rate), (dec!(15), dec!(100)));
        let c = p.commission(&PlanInputs {
            payment: dec!(300),
            ..Default::default()
        });
        assert_eq!((c.amount, c.rate), (dec!(120.00), dec!(40)));
        let c = p.commission(&PlanInputs {
            payment: dec!(2000),
            ..Default::default()
        });
        assert_eq!((c.amount, c.rate), (dec!(100), dec!(5)));
    }

    #[test]
    fn age_plans_ignore_min_max_and_use_dates() {
        let d = |s: &str| crate::dates::parse_iso(s);
        // S2:4201-4233
        let mut p = plan(
            PlanKind::AgeCharged,
            &[
                (dec!(60), dec!(10)),
                (dec!(90), dec!(15)),
                (dec!(120), dec!(20)),
                (dec!(150), dec!(30)),
                (dec!(365), dec!(40)),
                (dec!(9999999), dec!(50)),
            ],
        );
        p.brackets[3].min = Some(dec!(1000));
        let inp = PlanInputs {
            payment: dec!(100),
            listed: d("2024-06-01"),
            charged: d("2024-01-20"), // 133 days → 30%
            ..Default::default()
        };
        assert_eq!(p.commission(&inp).amount, dec!(30.00));
        p.kind = PlanKind::AgeDelinquent;
        let inp = PlanInputs {
            delinquent: d("2023-01-01"),
            ..inp
        }; // > 365 days → 50%
        assert_eq!(p.commission(&inp).amount, dec!(50.00));
    }

    #[test]
    fn list_remaining_and_days_plans() {
        let d = |s: &str| crate::dates::parse_iso(s);
        // S2:4267-4294 list amount
        let p = plan(
            PlanKind::ListAmount,
            &[
                (dec!(100), dec!(50)),
                (dec!(500), dec!(45)),
                (dec!(1000), dec!(40)),
                (dec!(5000), dec!(30)),
            ],
        );
        let inp = PlanInputs {
            payment: dec!(200),
            list_amount: dec!(500.01),
            ..Default::default()
        };
        assert_eq!(p.commission(&inp).amount, dec!(80.00));
        // S2:4394-4422 remaining balance: owing before posting
        let p = plan(
            PlanKind::RemainingBalance,
            &[
                (dec!(50), dec!(40)),
                (dec!(500), dec!(35)),
                (dec!(1000), dec!(30)),
                (dec!(99999), dec!(15)),
            ],
        );
        let inp = PlanInputs {
            payment: dec!(100),
            owing_before: dec!(1000.00),
            ..Default::default()
        };
        assert_eq!(p.commission(&inp).amount, dec!(30.00));
        // S2:4423-4527 days from listing to payment
        for (kind, field) in [
            (PlanKind::DaysFromListing, 0),
            (PlanKind::DaysFromCharged, 1),
            (PlanKind::DaysFromDelinquent, 2),
        ] {
            let p = plan(
                kind,
                &[
                    (dec!(14), dec!(10)),
                    (dec!(30), dec!(15)),
                    (dec!(60), dec!(20)),
                ],
            );
            let mut inp = PlanInputs {
                payment: dec!(100),
                payment_date: d("2024-03-01"),
                ..Default::default()
            };
            let start = d("2024-02-10"); // 20 days → 15%
            match field {
                0 => inp.listed = start,
                1 => inp.charged = start,
                _ => inp.delinquent = start,
            }
            assert_eq!(p.commission(&inp).amount, dec!(15.00), "{kind:?}");
        }
    }
}
