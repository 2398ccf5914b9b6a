//! A typed field value, shared by the store, import, export, reports and plans.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::fmt;

use super::FieldType;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Blank / not set.
    Null,
    /// Text AN and Text N (Text N keeps leading zeros, so it stays text).
    Text(String),
    /// Currency: exact decimal (stored as cents).
    Money(Decimal),
    /// Percent: exact decimal, up to three places.
    Percent(Decimal),
    Date(NaiveDate),
    Flag(bool),
}

impl Value {
    pub fn is_null(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Text(s) => s.is_empty(),
            _ => false,
        }
    }

    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Value::Money(d) | Value::Percent(d) => Some(*d),
            Value::Text(s) => s.trim().parse().ok(),
            Value::Flag(b) => Some(Decimal::from(*b as i32)),
            _ => None,
        }
    }

    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The value in its canonical plain form: money with two decimals, percent trimmed,
    /// dates `YYYY-MM-DD`, flags `1`/`0`, blank for null. Used by exports, JSON and keys.
    pub fn plain(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Text(s) => s.clone(),
            Value::Money(d) => format!("{:.2}", crate::money::round_cents(*d)),
            Value::Percent(d) => d.normalize().to_string(),
            Value::Date(d) => iso_date(*d),
            Value::Flag(b) => if *b { "1" } else { "0" }.to_string(),
        }
    }

    /// Read a canonical plain string back as a value of type `ty`.
    pub fn from_plain(ty: FieldType, s: &str) -> Option<Value> {
        if s.is_empty() {
            return Some(Value::Null);
        }
        Some(match ty {
            FieldType::TextAn | FieldType::TextN => Value::Text(s.to_string()),
            FieldType::Currency => Value::Money(s.parse().ok()?),
            FieldType::Percent => Value::Percent(s.parse().ok()?),
            FieldType::Date => Value::Date(NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?),
            FieldType::Flag => Value::Flag(matches!(s, "1" | "true" | "Y" | "y" | "X" | "x")),
        })
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.plain())
    }
}

/// `YYYY-MM-DD`, as dates are stored. chrono's `format` interprets its pattern on
/// every call; imports and postings write two or three dates per row.
pub fn iso_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    let (y, m, day) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        return d.format("%Y-%m-%d").to_string();
    }
    let y = y as u32;
    let digits = [
        y / 1000,
        y / 100 % 10,
        y / 10 % 10,
        y % 10,
        m / 10,
        m % 10,
        day / 10,
        day % 10,
    ];
    let mut s = String::with_capacity(10);
    for (i, n) in digits.iter().enumerate() {
        if i == 4 || i == 6 {
            s.push('-');
        }
        s.push(char::from(b'0' + *n as u8));
    }
    s
}

#[cfg(test)]
mod iso_date_tests {
    use super::*;

    #[test]
    fn iso_date_matches_chrono() {
        for (y, m, d) in [
            (2024, 2, 29),
            (1999, 12, 31),
            (1, 1, 1),
            (9999, 9, 9),
            (-5, 3, 4),
            (10000, 1, 1),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).expect("date");
            assert_eq!(iso_date(date), date.format("%Y-%m-%d").to_string());
        }
    }
}
