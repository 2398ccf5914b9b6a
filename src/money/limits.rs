//! Bounds on money and rates (docs/money.md "Limits", docs/limits.md "Money").
//!
//! Every amount a person or a file gives — a transaction's To Us, Direct, commission,
//! a placement's principal, a client payment, a setup amount — is at most
//! [`MAX_AMOUNT`] either way. Every total the system keeps or prints — a debtor's
//! principal, paid and owing, a statement's or the cash report's sums — is at most
//! [`MAX_TOTAL`] either way and is added with [`add_to_total`], so an overflow is an
//! error (exit 3), never a wrap or a saturated value. With every total under
//! `MAX_TOTAL` (10^17 cents), a handful of them combined (owing, a remit formula) is
//! far inside `i64` (9.2 × 10^18 cents), so those formulas need no further checks.
//!
//! Commission and tax rates are percentages from 0 to 100 inclusive.

use rust_decimal::Decimal;

use super::round_cents;
use crate::catalog::{FieldDef, Value};
use crate::{Error, Result};

/// The largest amount, either sign: 999,999,999,999.99 (just under a trillion).
pub const MAX_AMOUNT_CENTS: i64 = 99_999_999_999_999;
/// The largest total, either sign: 999,999,999,999,999.99.
pub const MAX_TOTAL_CENTS: i64 = 99_999_999_999_999_999;

/// [`MAX_AMOUNT_CENTS`] as a decimal.
pub fn max_amount() -> Decimal {
    Decimal::new(MAX_AMOUNT_CENTS, 2)
}

/// The lowest and highest rate, in percent.
pub const RATE_RANGE: (Decimal, Decimal) = (Decimal::ZERO, Decimal::ONE_HUNDRED);

/// An amount within the ceiling, or why not.
pub fn check_amount(d: Decimal) -> std::result::Result<(), String> {
    if round_cents(d).abs() <= max_amount() {
        Ok(())
    } else {
        Err(format!(
            "amount {d} is beyond the ceiling of {} per amount",
            max_amount()
        ))
    }
}

/// An amount within the ceiling as cents, or why not.
pub fn amount_cents(d: Decimal) -> std::result::Result<i64, String> {
    check_amount(d)?;
    Ok(super::to_cents(d))
}

/// A commission or tax rate within 0–100 %, or why not.
pub fn check_rate(d: Decimal) -> std::result::Result<(), String> {
    if d >= RATE_RANGE.0 && d <= RATE_RANGE.1 {
        Ok(())
    } else {
        Err(format!("rate {d} is outside 0 to 100 %"))
    }
}

/// A catalogue value within its bounds: currency fields within the amount ceiling,
/// percent fields (all of them commission or tax rates) within 0–100 %.
pub fn check_value(field: &FieldDef, v: &Value) -> std::result::Result<(), String> {
    check_bounds(v).map_err(|m| format!("{}: {m}", field.code()))
}

/// [`check_value`] without naming the field.
pub fn check_bounds(v: &Value) -> std::result::Result<(), String> {
    match v {
        Value::Money(d) => check_amount(*d),
        Value::Percent(d) => check_rate(*d),
        _ => Ok(()),
    }
}

/// `total + amount`, refused (exit 3) when the result leaves ±[`MAX_TOTAL_CENTS`].
pub fn add_to_total(total: i64, amount: i64) -> Result<i64> {
    match total.checked_add(amount) {
        Some(t) if t.unsigned_abs() <= MAX_TOTAL_CENTS as u64 => Ok(t),
        _ => Err(Error::validation(format!(
            "a total would exceed {} (adding {} to {})",
            super::from_cents(MAX_TOTAL_CENTS),
            super::from_cents(amount),
            super::from_cents(total)
        ))),
    }
}

/// `total - amount` under the same bound as [`add_to_total`].
pub fn sub_from_total(total: i64, amount: i64) -> Result<i64> {
    match amount.checked_neg() {
        Some(neg) => add_to_total(total, neg),
        None => add_to_total(total, i64::MAX), // i64::MIN: out of bounds either way
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn the_amount_ceiling_is_inclusive() {
        assert!(check_amount(dec!(999999999999.99)).is_ok());
        assert!(check_amount(dec!(-999999999999.99)).is_ok());
        assert!(check_amount(dec!(999999999999.995)).is_err()); // rounds to a trillion
        assert!(check_amount(dec!(1000000000000)).is_err());
        assert!(check_amount(dec!(-99999999999999999999999)).is_err());
        assert_eq!(amount_cents(dec!(12.345)), Ok(1235));
    }

    #[test]
    fn rates_run_from_0_to_100() {
        assert!(check_rate(dec!(0)).is_ok());
        assert!(check_rate(dec!(100)).is_ok());
        assert!(check_rate(dec!(33.333)).is_ok());
        assert!(check_rate(dec!(100.001)).is_err());
        assert!(check_rate(dec!(-0.5)).is_err());
    }

    #[test]
    fn totals_refuse_to_overflow() {
        assert_eq!(add_to_total(1, 2).unwrap(), 3);
        assert_eq!(
            add_to_total(MAX_TOTAL_CENTS - 1, 1).unwrap(),
            MAX_TOTAL_CENTS
        );
        assert!(add_to_total(MAX_TOTAL_CENTS, 1).is_err());
        assert!(add_to_total(-MAX_TOTAL_CENTS, -1).is_err());
        assert!(add_to_total(i64::MAX, i64::MAX).is_err());
        assert!(sub_from_total(0, i64::MIN).is_err());
        assert_eq!(sub_from_total(5, 7).unwrap(), -2);
        let e = add_to_total(MAX_TOTAL_CENTS, 1).unwrap_err();
        assert_eq!(e.exit_code(), 3);
    }
}
