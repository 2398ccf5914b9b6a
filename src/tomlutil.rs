//! Helpers shared by every TOML file recoup reads (setup, maps, reports, plans):
//! positions for errors, and decimals written as strings or numbers (README "Using it").

use std::fmt;
use std::path::Path;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use crate::error::Place;
use crate::Error;

/// 1-based line and column of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.chars().count(), |i| before[i + 1..].chars().count())
        + 1;
    (line, col)
}

/// `file:line:col: message` (exit 2) for an error at a byte offset.
pub fn config_error_at(path: &Path, src: &str, offset: usize, message: impl fmt::Display) -> Error {
    let (line, col) = line_col(src, offset);
    Error::config(message.to_string()).at(Place::at(path.display(), line as u64, col as u64))
}

/// A TOML deserialisation error as `file:line:col: message`.
pub fn toml_error(path: &Path, src: &str, e: &toml::de::Error) -> Error {
    let msg = e.message().trim().to_string();
    match e.span() {
        Some(span) => config_error_at(path, src, span.start, msg),
        None => Error::config(msg).at(Place::file(path.display())),
    }
}

/// A decimal that may be written `"0.01"` (exact) or `0.01` in TOML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Dec(pub Decimal);

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Dec, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Dec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal number or a string holding one")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Dec, E> {
                crate::amount::parse_amount(s)
                    .map(Dec)
                    .ok_or_else(|| E::custom(format!("'{s}' is not a decimal number")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dec, E> {
                Ok(Dec(Decimal::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dec, E> {
                Ok(Dec(Decimal::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dec, E> {
                // The shortest text that reads back as this float is what was written.
                v.to_string()
                    .parse()
                    .map(Dec)
                    .map_err(|_| E::custom(format!("{v} is not a decimal number")))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[derive(Deserialize)]
    struct T {
        a: Dec,
        b: Dec,
        c: Dec,
    }

    #[test]
    fn decimals_as_strings_or_numbers() {
        let t: T = toml::from_str("a = \"0.01\"\nb = 0.1\nc = 30").unwrap();
        assert_eq!((t.a.0, t.b.0, t.c.0), (dec!(0.01), dec!(0.1), dec!(30)));
    }

    #[test]
    fn positions() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}
