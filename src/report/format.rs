//! Printing values under modifiers (docs/report-language.md, Collect! help, Report Writer: formatting modifiers).
//!
//! Currency prints `$14,620.50` / `-$1,234.56`; a zero amount under a width modifier is
//! blank unless the modifier is `<n.0>`; `<0nn>` always prints digits. Widths count
//! characters; a number wider than its column widens it (digits are never lost) while
//! text is cut to the column, as the product's listings do.

use std::fmt::Write as _;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use super::ast::Modifier;
use crate::catalog::{FieldType, Value};

/// A value while the report runs (variables, arithmetic, conditions).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Val {
    #[default]
    Null,
    Text(String),
    Money(Decimal),
    Pct(Decimal),
    /// Integers and decimals of variables and arithmetic (`#`, `!`).
    Num(Decimal),
    Date(NaiveDate),
    Flag(bool),
}

impl Val {
    /// A catalogue value as a run-time value (Text N stays text: leading zeros matter).
    pub fn from_value(v: &Value, ty: FieldType) -> Val {
        match v {
            Value::Null => match ty {
                FieldType::Currency => Val::Money(Decimal::ZERO),
                FieldType::Percent => Val::Pct(Decimal::ZERO),
                FieldType::Flag => Val::Flag(false),
                _ => Val::Null,
            },
            Value::Text(s) => Val::Text(s.clone()),
            Value::Money(d) => Val::Money(*d),
            Value::Percent(d) => Val::Pct(*d),
            Value::Date(d) => Val::Date(*d),
            Value::Flag(b) => Val::Flag(*b),
        }
    }
    pub fn decimal(&self) -> Option<Decimal> {
        match self {
            Val::Null => Some(Decimal::ZERO),
            Val::Money(d) | Val::Pct(d) | Val::Num(d) => Some(*d),
            Val::Flag(b) => Some(Decimal::from(*b as i32)),
            Val::Text(s) if s.trim().is_empty() => Some(Decimal::ZERO),
            Val::Text(s) => crate::money::parse_amount(s),
            Val::Date(_) => None,
        }
    }
    pub fn is_blank(&self) -> bool {
        match self {
            Val::Null => true,
            Val::Text(s) => s.trim().is_empty(),
            Val::Money(d) | Val::Pct(d) | Val::Num(d) => d.is_zero(),
            Val::Flag(b) => !b,
            Val::Date(_) => false,
        }
    }
    /// The value as printed with no modifier.
    pub fn natural(&self) -> String {
        let mut s = String::new();
        write_val(&mut s, self, &Modifier::None, false);
        s
    }
}

pub fn spaces(out: &mut String, mut n: usize) {
    const BLANK: &str = "                                                                ";
    while n > 0 {
        let k = n.min(BLANK.len());
        out.push_str(&BLANK[..k]);
        n -= k;
    }
}

/// Put `s` in `width` columns. Text (`cut`) is truncated; numbers widen instead.
pub fn pad(out: &mut String, s: &str, width: usize, left: bool, cut: bool) {
    let n = s.chars().count();
    if n >= width {
        if cut && n > width {
            out.extend(s.chars().take(width));
        } else {
            out.push_str(s);
        }
        return;
    }
    if left {
        out.push_str(s);
        spaces(out, width - n);
    } else {
        spaces(out, width - n);
        out.push_str(s);
    }
}

/// `d` rounded half away from zero to `dp` places: (negative?, integer digits, fraction digits).
fn digits(d: Decimal, dp: u32) -> (bool, String, String) {
    let mut r = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(dp);
    let neg = r.is_sign_negative() && !r.is_zero();
    let m = r.mantissa().unsigned_abs().to_string();
    let dp = dp as usize;
    let m = if m.len() <= dp {
        format!("{}{m}", "0".repeat(dp + 1 - m.len()))
    } else {
        m
    };
    let (i, f) = m.split_at(m.len() - dp);
    (neg, i.to_string(), f.to_string())
}

/// A formatted amount on the stack (listings format millions of them).
pub struct Amount {
    buf: [u8; 72],
    len: usize,
}

impl Amount {
    /// `d` rounded half away from zero to `dp` places, with an optional `$` and thousands
    /// separators: `$14,620.50`, `-$1,234.56`, `-1234.56`.
    pub fn new(d: Decimal, dp: u32, dollar: bool, commas: bool) -> Amount {
        let dp = dp.min(20);
        let mut r = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
        r.rescale(dp);
        let neg = r.is_sign_negative() && !r.is_zero();
        let mut m = r.mantissa().unsigned_abs();
        // u128 division is a library call; most amounts fit in u64.
        let mut small = u64::try_from(m).ok();
        let mut buf = [0u8; 72];
        let mut n = 0;
        let mut i = 0u32;
        loop {
            if i == dp && dp > 0 {
                buf[n] = b'.';
                n += 1;
            }
            if commas && i > dp && (i - dp).is_multiple_of(3) {
                buf[n] = b',';
                n += 1;
            }
            let digit = match small.as_mut() {
                Some(v) => {
                    let d = *v % 10;
                    *v /= 10;
                    d as u8
                }
                None => {
                    let d = (m % 10) as u8;
                    m /= 10;
                    d
                }
            };
            buf[n] = b'0' + digit;
            n += 1;
            i += 1;
            let done = match small {
                Some(v) => v == 0,
                None => m == 0,
            };
            if done && i > dp {
                break;
            }
        }
        if dollar {
            buf[n] = b'$';
            n += 1;
        }
        if neg {
            buf[n] = b'-';
            n += 1;
        }
        buf[..n].reverse();
        Amount { buf, len: n }
    }
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, `.`, `,`, `$` and `-` are ever written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

/// `$14,620.50`, `-$1,234.56` (dp decimals).
pub fn money_str(d: Decimal, dp: u32) -> String {
    Amount::new(d, dp, true, true).as_str().to_string()
}

/// A plain number: fixed decimals, or natural (`max_dp` places, trailing zeros trimmed).
pub fn number_str(d: Decimal, dp: Option<u32>, max_dp: u32) -> String {
    match dp {
        Some(dp) => Amount::new(d, dp, false, false).as_str().to_string(),
        None => {
            let r = d
                .round_dp_with_strategy(max_dp, RoundingStrategy::MidpointAwayFromZero)
                .normalize();
            if r.is_zero() {
                "0".into()
            } else {
                r.to_string()
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum NumKind {
    Money,
    Pct,
    Num,
}

fn write_num(out: &mut String, d: Decimal, kind: NumKind, m: &Modifier) {
    let natural = |dp: Option<u32>| match kind {
        NumKind::Money => money_str(d, dp.unwrap_or(2)),
        NumKind::Pct => number_str(d, dp, 3),
        NumKind::Num => number_str(d, dp, 10),
    };
    match m {
        Modifier::None | Modifier::Natural | Modifier::Date(_) if kind == NumKind::Money => {
            out.push_str(Amount::new(d, 2, true, true).as_str())
        }
        Modifier::Width {
            width,
            decimals,
            left,
            show_zero,
        } if kind == NumKind::Money => {
            if d.is_zero() && !show_zero {
                spaces(out, *width);
            } else {
                let a = Amount::new(d, decimals.unwrap_or(2), true, true);
                pad(out, a.as_str(), *width, *left, false);
            }
        }
        Modifier::None | Modifier::Natural | Modifier::Date(_) | Modifier::Csv => {
            out.push_str(&natural(None))
        }
        Modifier::Width {
            width,
            decimals,
            left,
            show_zero,
        } => {
            // The product prints a zero amount as blanks unless `<n.0>` (S: numeric formats).
            if d.is_zero() && !show_zero && kind != NumKind::Num {
                spaces(out, *width);
            } else {
                pad(out, &natural(*decimals), *width, *left, false);
            }
        }
        Modifier::Words => out.push_str(&cheque_words(d)),
        Modifier::Fraction(n) => {
            let (_, _, f) = digits(d, 2);
            match n {
                Some(n) => pad(out, &f, *n, false, false),
                None => out.push_str(&f),
            }
        }
        Modifier::Whole(n) => {
            let (neg, i, _) = digits(d.trunc(), 0);
            let s = if neg { format!("-{i}") } else { i };
            match n {
                Some(n) => {
                    let len = s.chars().count();
                    if len > *n {
                        out.extend(s.chars().skip(len - n));
                    } else {
                        pad(out, &s, *n, false, false);
                    }
                }
                None => out.push_str(&s),
            }
        }
        Modifier::ZeroFill(n) => {
            let (neg, i, f) = match kind {
                NumKind::Money => digits(d, 2),
                _ => {
                    let s = number_str(d.abs(), None, 3);
                    let (i, f) = s.split_once('.').unwrap_or((&s, ""));
                    (
                        d.is_sign_negative() && !d.is_zero(),
                        i.to_string(),
                        f.to_string(),
                    )
                }
            };
            let all = format!("{i}{f}");
            let room = if neg { n.saturating_sub(1) } else { *n };
            if neg {
                out.push('-');
            }
            let len = all.len();
            if len >= room {
                out.push_str(&all[len - room..]);
            } else {
                out.extend(std::iter::repeat_n('0', room - len));
                out.push_str(&all);
            }
        }
    }
}

fn write_text(out: &mut String, s: &str, m: &Modifier, right: bool) {
    match m {
        Modifier::Width { width, left, .. } => {
            let left = *left || !right;
            pad(out, s, *width, left, !right);
        }
        Modifier::Fraction(_) | Modifier::Whole(_) | Modifier::ZeroFill(_) | Modifier::Words
            if right =>
        {
            match crate::money::parse_amount(s) {
                Some(d) => write_num(out, d, NumKind::Num, m),
                None => out.push_str(s),
            }
        }
        _ => out.push_str(s),
    }
}

fn write_date(out: &mut String, d: Option<NaiveDate>, m: &Modifier) {
    let s = match (d, m) {
        (None, _) => String::new(),
        (Some(d), Modifier::Date(p)) => {
            let mut s = String::new();
            // Patterns are validated by the lexer; a failure prints nothing rather than panic.
            if write!(s, "{}", d.format(p)).is_err() {
                s.clear();
            }
            s
        }
        (Some(d), _) => d.format("%m/%d/%Y").to_string(),
    };
    match m.width() {
        Some(w) => pad(out, &s, w, true, true),
        None => out.push_str(&s),
    }
}

/// One CSV field: quoted when needed, inner quotes doubled.
pub fn csv_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Print a run-time value. `right` = align right in a width (numbers, Text N).
pub fn write_val(out: &mut String, v: &Val, m: &Modifier, right: bool) {
    if *m == Modifier::Csv {
        let mut s = String::new();
        write_val(&mut s, v, &Modifier::None, right);
        return csv_field(out, &s);
    }
    match v {
        Val::Null => {
            if let Some(w) = m.width() {
                spaces(out, w)
            }
        }
        Val::Text(s) => write_text(out, s, m, right),
        Val::Money(d) => write_num(out, *d, NumKind::Money, m),
        Val::Pct(d) => write_num(out, *d, NumKind::Pct, m),
        Val::Num(d) => write_num(out, *d, NumKind::Num, m),
        Val::Date(d) => write_date(out, Some(*d), m),
        Val::Flag(b) => write_text(out, if *b { "Yes" } else { "No" }, m, false),
    }
}

/// Print a catalogue field value without copying it (the hot path of listings).
pub fn write_field(out: &mut String, v: &Value, ty: FieldType, m: &Modifier) {
    if *m == Modifier::Csv {
        let mut s = String::new();
        write_field(&mut s, v, ty, &Modifier::None);
        return csv_field(out, &s);
    }
    match (v, ty) {
        (Value::Text(s), FieldType::TextN) => write_text(out, s, m, true),
        (Value::Text(s), _) => write_text(out, s, m, false),
        (Value::Null, FieldType::Date) => write_date(out, None, m),
        (Value::Null, FieldType::TextAn | FieldType::TextN) => write_text(out, "", m, false),
        (Value::Money(d), _) => write_num(out, *d, NumKind::Money, m),
        _ => write_val(out, &Val::from_value(v, ty), m, true),
    }
}

const ONES: [&str; 20] = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
];
const TENS: [&str; 10] = [
    "", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety",
];
const SCALES: [&str; 7] = [
    "",
    "Thousand",
    "Million",
    "Billion",
    "Trillion",
    "Quadrillion",
    "Quintillion",
];

fn hundreds(n: u64, out: &mut Vec<&'static str>) {
    let h = n / 100;
    let r = n % 100;
    if h > 0 {
        out.push(ONES[h as usize]);
        out.push("Hundred");
    }
    if r >= 20 {
        out.push(TENS[(r / 10) as usize]);
        if !r.is_multiple_of(10) {
            out.push(ONES[(r % 10) as usize]);
        }
    } else if r > 0 {
        out.push(ONES[r as usize]);
    }
}

/// An amount as a cheque writes it: the whole dollars in words and the cents as a
/// fraction, 1056.13 → `One Thousand Fifty Six and 13/100` (Collect! help, "How To
/// Format Numeric Fields And Numeric Variables", `<t>` for cheque writing). The cents
/// are rounded half away from zero first, so 5.999 is `Six and 00/100`.
pub fn cheque_words(d: Decimal) -> String {
    let rounded = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let amount = rounded.abs();
    let cents = ((amount - amount.trunc()) * Decimal::ONE_HUNDRED).trunc();
    // The sign is written here, not by `words`, so -0.50 keeps its `Minus`.
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "Minus "
    } else {
        ""
    };
    format!("{sign}{} and {cents:02}/100", words(amount))
}

/// The whole part of an amount in words: 1056.13 → `One Thousand Fifty Six`
/// (Collect! help, Report Writer: formatting modifiers); [`cheque_words`] adds the cents.
pub fn words(d: Decimal) -> String {
    use rust_decimal::prelude::ToPrimitive;
    let whole = d.trunc().abs().to_u64().unwrap_or(u64::MAX);
    let mut parts: Vec<&str> = Vec::new();
    if d.is_sign_negative() && !d.trunc().is_zero() {
        parts.push("Minus");
    }
    if whole == 0 {
        parts.push("Zero");
    } else {
        let mut groups = Vec::new();
        let mut n = whole;
        while n > 0 {
            groups.push(n % 1000);
            n /= 1000;
        }
        for (i, g) in groups.iter().enumerate().rev() {
            if *g > 0 {
                hundreds(*g, &mut parts);
                if i > 0 {
                    parts.push(SCALES[i]);
                }
            }
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn w(width: usize) -> Modifier {
        Modifier::Width {
            width,
            decimals: None,
            left: false,
            show_zero: false,
        }
    }
    fn m(v: Val, m: &Modifier) -> String {
        let mut s = String::new();
        write_val(&mut s, &v, m, true);
        s
    }

    #[test]
    fn currency() {
        assert_eq!(money_str(dec!(14620.5), 2), "$14,620.50");
        assert_eq!(money_str(dec!(-1234.56), 2), "-$1,234.56");
        assert_eq!(money_str(dec!(0), 2), "$0.00");
        assert_eq!(money_str(dec!(999.995), 2), "$1,000.00");
        assert_eq!(money_str(dec!(1234567.891), 3), "$1,234,567.891");
        assert_eq!(money_str(dec!(0.05), 2), "$0.05");
        assert_eq!(money_str(dec!(-0.004), 2), "$0.00");
        assert_eq!(money_str(dec!(123), 0), "$123");
        assert_eq!(money_str(dec!(100000), 2), "$100,000.00");
        assert_eq!(number_str(dec!(-1234.5), Some(2), 2), "-1234.50");
        // Extremes print without panicking.
        assert!(money_str(Decimal::MAX, 2).starts_with('$'));
        assert!(money_str(Decimal::MIN, 2).starts_with("-$"));
        assert_eq!(m(Val::Money(dec!(14620.50)), &w(12)), "  $14,620.50");
        let w132 = Modifier::Width {
            width: 13,
            decimals: Some(2),
            left: false,
            show_zero: false,
        };
        assert_eq!(m(Val::Money(dec!(5000)), &w132), "    $5,000.00");
        assert_eq!(m(Val::Money(dec!(0)), &w132), " ".repeat(13));
        let z = Modifier::Width {
            width: 8,
            decimals: None,
            left: false,
            show_zero: true,
        };
        assert_eq!(m(Val::Money(dec!(0)), &z), "   $0.00");
        // Wider than the column: widen, never lose digits.
        assert_eq!(m(Val::Money(dec!(1234567.00)), &w(5)), "$1,234,567.00");
        let left = Modifier::Width {
            width: 12,
            decimals: None,
            left: true,
            show_zero: false,
        };
        assert_eq!(m(Val::Money(dec!(1.5)), &left), "$1.50       ");
        assert_eq!(m(Val::Money(dec!(0)), &Modifier::None), "$0.00");
    }

    #[test]
    fn numeric_modifiers() {
        let v = Val::Money(dec!(1056.13));
        assert_eq!(
            m(v.clone(), &Modifier::Words),
            "One Thousand Fifty Six and 13/100"
        );
        assert_eq!(
            m(Val::Money(dec!(5.55)), &Modifier::Words),
            "Five and 55/100"
        );
        assert_eq!(
            m(Val::Money(dec!(15000)), &Modifier::Words),
            "Fifteen Thousand and 00/100"
        );
        assert_eq!(
            m(Val::Money(dec!(5.999)), &Modifier::Words),
            "Six and 00/100"
        );
        assert_eq!(
            m(Val::Money(dec!(0.07)), &Modifier::Words),
            "Zero and 07/100"
        );
        assert_eq!(
            m(Val::Money(dec!(-5.55)), &Modifier::Words),
            "Minus Five and 55/100"
        );
        assert_eq!(
            m(Val::Money(dec!(-0.5)), &Modifier::Words),
            "Minus Zero and 50/100"
        );
        assert_eq!(m(v.clone(), &Modifier::Fraction(None)), "13");
        assert_eq!(m(v.clone(), &Modifier::Fraction(Some(4))), "  13");
        assert_eq!(m(v.clone(), &Modifier::Whole(None)), "1056");
        assert_eq!(m(v.clone(), &Modifier::Whole(Some(3))), "056");
        assert_eq!(
            m(Val::Money(dec!(1234.56)), &Modifier::ZeroFill(10)),
            "0000123456"
        );
        assert_eq!(
            m(Val::Money(dec!(1776.13)), &Modifier::ZeroFill(5)),
            "77613"
        );
        assert_eq!(m(Val::Money(dec!(0)), &Modifier::ZeroFill(4)), "0000");
        assert_eq!(m(Val::Text("42".into()), &Modifier::ZeroFill(5)), "00042");
    }

    #[test]
    fn words_cover_scales() {
        assert_eq!(words(dec!(0.99)), "Zero");
        assert_eq!(words(dec!(19)), "Nineteen");
        assert_eq!(words(dec!(1000000)), "One Million");
        assert_eq!(words(dec!(-2_000_015)), "Minus Two Million Fifteen");
        assert_eq!(words(dec!(999)), "Nine Hundred Ninety Nine");
    }

    #[test]
    fn percent_flags_dates_text() {
        assert_eq!(m(Val::Pct(dec!(30.000)), &Modifier::None), "30");
        assert_eq!(m(Val::Pct(dec!(33.3333)), &Modifier::None), "33.333");
        assert_eq!(m(Val::Pct(dec!(12.50)), &Modifier::None), "12.5");
        assert_eq!(m(Val::Flag(true), &Modifier::None), "Yes");
        assert_eq!(m(Val::Flag(false), &w(4)), "No  ");
        let d = NaiveDate::from_ymd_opt(2024, 7, 4).unwrap();
        assert_eq!(m(Val::Date(d), &Modifier::None), "07/04/2024");
        assert_eq!(
            m(Val::Date(d), &Modifier::Date("%Y%m%d".into())),
            "20240704"
        );
        let mut s = String::new();
        write_val(&mut s, &Val::Text("Émile Zola".into()), &w(5), false);
        assert_eq!(s, "Émile");
        s.clear();
        write_val(&mut s, &Val::Text("Bo".into()), &w(4), false);
        assert_eq!(s, "Bo  ");
        s.clear();
        write_field(&mut s, &Value::Text("1001".into()), FieldType::TextN, &w(6));
        assert_eq!(s, "  1001");
        s.clear();
        write_field(
            &mut s,
            &Value::Text("Said \"hi\", left".into()),
            FieldType::TextAn,
            &Modifier::Csv,
        );
        assert_eq!(s, "\"Said \"\"hi\"\", left\"");
        s.clear();
        write_val(&mut s, &Val::Money(dec!(1234.5)), &Modifier::Csv, true);
        assert_eq!(s, "\"$1,234.50\"");
    }
}
