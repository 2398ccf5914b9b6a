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
            Value::Money(d) => format!("{:.2}", crate::amount::round_cents(*d)),
            Value::Percent(d) => d.normalize().to_string(),
            Value::Date(d) => crate::dates::iso_date(*d),
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
            FieldType::Date => Value::Date(crate::dates::parse_iso(s)?),
            FieldType::Flag => Value::Flag(matches!(s, "1" | "true" | "Y" | "y" | "X" | "x")),
        })
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.plain())
    }
}
