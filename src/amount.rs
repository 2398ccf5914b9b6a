//! Money amounts as numbers: rounding to cents, cents in the store, amounts as people
//! type them. The lowest money layer: the catalogue formats values with it, the store
//! keeps cents with it, and `money` (posting, recalculation, rate plans) builds on it.
//! Nothing here knows about fields, transactions or the database.

use rust_decimal::{Decimal, RoundingStrategy};

/// Round to cents, half away from zero (README "Using it": "amounts round half-up to cents";
/// rust_decimal's default `round_dp` is banker's rounding, which we never want here).
pub fn round_cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Decimal amount → integer cents (rounded half away from zero). Money is stored as cents.
/// Callers check the amount against the ceiling first (`limits::check_amount`); beyond
/// `i64` this saturates rather than panic, which the ceiling keeps from happening.
pub fn to_cents(d: Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    round_cents(d)
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|c| c.to_i64())
        .unwrap_or(if d.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        })
}

/// Integer cents → Decimal with two places.
pub fn from_cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

/// Read a money or percent amount as people type it: thousands separators, a leading `$`,
/// a leading or trailing `-`, parentheses for negatives (`"15,000.00"`, `$89.99`, `(100.00)`).
pub fn parse_amount(text: &str) -> Option<Decimal> {
    let mut s = text.trim();
    if s.is_empty() {
        return None;
    }
    let mut negative = false;
    if s.starts_with('(') && s.ends_with(')') {
        negative = true;
        s = s[1..s.len() - 1].trim();
    }
    if let Some(rest) = s.strip_prefix('-') {
        negative = !negative;
        s = rest.trim_start();
    } else if let Some(rest) = s.strip_suffix('-') {
        negative = !negative;
        s = rest.trim_end();
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest.trim_start();
    }
    if let Some(rest) = s.strip_prefix('$') {
        s = rest.trim_start();
    }
    if let Some(rest) = s.strip_prefix('-') {
        // "$-5.00" style
        negative = !negative;
        s = rest;
    }
    if s.is_empty() || s.starts_with(',') || s.ends_with(',') {
        return None;
    }
    let mut clean = String::with_capacity(s.len());
    let mut seen_point = false;
    for c in s.chars() {
        match c {
            '0'..='9' => clean.push(c),
            '.' if !seen_point => {
                seen_point = true;
                clean.push('.')
            }
            ',' if !seen_point => {}
            _ => return None,
        }
    }
    if clean == "." {
        return None;
    }
    let d: Decimal = clean.parse().ok()?;
    Some(if negative { -d } else { d })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounding_is_half_up_not_bankers() {
        assert_eq!(round_cents(dec!(1137.985)), dec!(1137.99));
        assert_eq!(round_cents(dec!(0.125)), dec!(0.13));
        assert_eq!(round_cents(dec!(-0.125)), dec!(-0.13));
    }

    #[test]
    fn cents_round_trip() {
        assert_eq!(to_cents(dec!(14620.50)), 1_462_050);
        assert_eq!(to_cents(dec!(-0.005)), -1);
        assert_eq!(to_cents(dec!(7)), 700);
        assert_eq!(from_cents(-10050), dec!(-100.50));
    }

    #[test]
    fn amounts_as_typed() {
        assert_eq!(parse_amount("15,000.00"), Some(dec!(15000.00)));
        assert_eq!(parse_amount("$89.99"), Some(dec!(89.99)));
        assert_eq!(parse_amount("(100.00)"), Some(dec!(-100.00)));
        assert_eq!(parse_amount("100.00-"), Some(dec!(-100.00)));
        assert_eq!(parse_amount("-$5"), Some(dec!(-5)));
        assert_eq!(parse_amount("12a"), None);
        assert_eq!(parse_amount(""), None);
        assert_eq!(parse_amount("1.2.3"), None);
    }
}
