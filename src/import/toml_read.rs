//! Reading a TOML map with positions: every error names `file:line:column`.
//!
//! toml_edit's immutable `Document` keeps the byte span of every key and value,
//! which is what lets "unknown field code 'de.zz'" point at the offending line.

use std::ops::Range;

use rust_decimal::Decimal;
use toml_edit::{Item, TableLike, Value};

use crate::error::Place;
use crate::Error;

/// The text being read, for turning byte offsets into `line:column`.
pub struct Doc<'a> {
    pub path: &'a str,
    pub src: &'a str,
}

impl Doc<'_> {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        let before = &self.src.as_bytes()[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let col = self
            .src
            .get(line_start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }

    pub fn place(&self, span: Option<Range<usize>>) -> Place {
        match span {
            Some(r) => {
                let (l, c) = self.line_col(r.start);
                Place::at(self.path, l as u64, c as u64)
            }
            None => Place::file(self.path),
        }
    }

    pub fn err(&self, span: Option<Range<usize>>, msg: impl std::fmt::Display) -> Error {
        Error::config(msg.to_string()).at(self.place(span))
    }

    /// The line number of a span (for records and specs that remember where they were written).
    pub fn line_of(&self, span: Option<Range<usize>>) -> usize {
        span.map_or(0, |r| self.line_col(r.start).0)
    }
}

/// One table being read: looked-up keys are ticked off so the leftovers can be
/// reported as unknown.
pub struct Tbl<'a, 'd> {
    pub doc: &'d Doc<'d>,
    pub t: &'a dyn TableLike,
    pub span: Option<Range<usize>>,
    pub what: &'static str,
}

/// A string with where it was written.
pub type Spanned<'a> = (&'a str, Option<Range<usize>>);

pub fn item_span(item: &Item) -> Option<Range<usize>> {
    match item {
        Item::Value(v) => value_span(v),
        other => other.span(),
    }
}

pub fn value_span(v: &Value) -> Option<Range<usize>> {
    v.span()
}

impl<'a, 'd> Tbl<'a, 'd> {
    pub fn new(doc: &'d Doc<'d>, item: &'a Item, what: &'static str) -> crate::Result<Self> {
        let t = item
            .as_table_like()
            .ok_or_else(|| doc.err(item_span(item), format!("{what} must be a table")))?;
        Ok(Tbl {
            doc,
            t,
            span: item_span(item),
            what,
        })
    }

    /// Reject any key not in `known`.
    pub fn check_keys(&self, known: &[&str]) -> crate::Result<()> {
        for (k, _) in self.t.iter() {
            if !known.contains(&k) {
                let span = self.t.key(k).and_then(|k| k.span());
                return Err(self
                    .doc
                    .err(span, format!("unknown key '{k}' in {}", self.what)));
            }
        }
        Ok(())
    }

    pub fn get(&self, key: &str) -> Option<&'a Item> {
        self.t.get(key)
    }

    pub fn key_span(&self, key: &str) -> Option<Range<usize>> {
        self.t
            .get(key)
            .and_then(item_span)
            .or_else(|| self.t.key(key).and_then(|k| k.span()))
    }

    pub fn err(&self, key: &str, msg: impl std::fmt::Display) -> Error {
        self.doc.err(self.key_span(key), msg)
    }

    fn value(&self, key: &str) -> crate::Result<Option<&'a Value>> {
        match self.t.get(key) {
            None => Ok(None),
            Some(Item::Value(v)) => Ok(Some(v)),
            Some(_) => Err(self.err(key, format!("'{key}' must be a value, not a table"))),
        }
    }

    pub fn str(&self, key: &str) -> crate::Result<Option<&'a str>> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.value().as_str())),
            Some(_) => Err(self.err(key, format!("'{key}' must be a string"))),
        }
    }

    pub fn bool(&self, key: &str) -> crate::Result<Option<bool>> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::Boolean(b)) => Ok(Some(*b.value())),
            Some(_) => Err(self.err(key, format!("'{key}' must be true or false"))),
        }
    }

    pub fn int(&self, key: &str) -> crate::Result<Option<i64>> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::Integer(i)) => Ok(Some(*i.value())),
            Some(Value::String(s)) => match s.value().trim().parse::<i64>() {
                Ok(i) => Ok(Some(i)),
                Err(_) => Err(self.err(key, format!("'{key}' must be a whole number"))),
            },
            Some(_) => Err(self.err(key, format!("'{key}' must be a whole number"))),
        }
    }

    pub fn usize(&self, key: &str) -> crate::Result<Option<usize>> {
        match self.int(key)? {
            None => Ok(None),
            Some(i) if i >= 0 && i <= u32::MAX as i64 => Ok(Some(i as usize)),
            Some(_) => Err(self.err(key, format!("'{key}' must not be negative"))),
        }
    }

    /// A decimal written as a string (`"0.01"`, exact) or a number (`0.01`, read from its
    /// source text so no binary float rounding creeps in). README "Using it".
    pub fn decimal(&self, key: &str) -> crate::Result<Option<Decimal>> {
        let text = match self.value(key)? {
            None => return Ok(None),
            Some(Value::String(s)) => s.value().trim().to_string(),
            Some(Value::Float(f)) => f.display_repr().replace('_', ""),
            Some(Value::Integer(i)) => i.display_repr().replace('_', ""),
            Some(_) => return Err(self.err(key, format!("'{key}' must be a decimal"))),
        };
        let parsed = text
            .parse::<Decimal>()
            .or_else(|_| Decimal::from_scientific(&text));
        match parsed {
            Ok(d) => Ok(Some(d)),
            Err(_) => Err(self.err(key, format!("'{key}' = {text} is not a decimal"))),
        }
    }

    /// A string or a number, as text (defaults and fill values may be either).
    pub fn text(&self, key: &str) -> crate::Result<Option<String>> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.value().clone())),
            Some(Value::Integer(i)) => Ok(Some(i.value().to_string())),
            Some(Value::Float(f)) => Ok(Some(f.display_repr().into_owned())),
            Some(Value::Boolean(b)) => Ok(Some(if *b.value() { "X" } else { "" }.to_string())),
            Some(_) => Err(self.err(key, format!("'{key}' must be a string or a number"))),
        }
    }

    pub fn str_list(&self, key: &str) -> crate::Result<Option<Vec<Spanned<'a>>>> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(vec![(s.value().as_str(), s.span())])),
            Some(Value::Array(a)) => {
                let mut out = Vec::new();
                for v in a.iter() {
                    match v {
                        Value::String(s) => out.push((s.value().as_str(), s.span())),
                        other => {
                            return Err(self
                                .doc
                                .err(other.span(), format!("'{key}' entries must be strings")))
                        }
                    }
                }
                Ok(Some(out))
            }
            Some(_) => Err(self.err(key, format!("'{key}' must be a list of strings"))),
        }
    }
}
