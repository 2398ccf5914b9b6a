//! A record definition run backwards: the text each field spec writes for one stored
//! record, so that importing it again stores the same values (docs/import-maps.md, export).
//!
//! - Specs that built one text field with `append` (S2:5384-5398, "Doe" + ", " +
//!   "John") split the stored value back into their columns; static pieces (`fill`
//!   text, `@d`) are matched and not written.
//! - `must_equal` specs write their `default` when the field holds their `fill`
//!   (101 → P); a value no spec translates cannot be written.
//! - `scan` runs backwards when it is literal text around its conversion (`D%d`);
//!   `strip`, `case`, other scans and `multiply = 0` cannot, and are reported once.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::dates::DateOptions;
use super::map::{Case, Condition, FieldSpec, Map, RecordDef, RecordKind, Source};
use crate::catalog::{FieldDef, FieldType, Value};
use crate::store::FieldValues;

/// A stored record and its owners (a transaction, its debtor, the debtor's client).
pub struct Row<'a> {
    pub recs: Vec<&'a FieldValues>,
}

impl Row<'_> {
    pub fn get(&self, f: &FieldDef) -> Option<&Value> {
        self.recs
            .iter()
            .find_map(|vals| vals.iter().find(|(g, _)| *g == f).map(|(_, v)| v))
    }
}

/// Warnings, each said once with how often it happened (and the first example).
#[derive(Default)]
pub struct Warnings {
    counts: BTreeMap<String, (u64, Option<String>)>,
    order: Vec<String>,
}

impl Warnings {
    pub fn add(&mut self, msg: String) {
        self.add_example(msg, None);
    }

    pub fn add_example(&mut self, msg: String, example: Option<String>) {
        let e = self.counts.entry(msg.clone()).or_insert((0, example));
        if e.0 == 0 {
            self.order.push(msg);
        }
        e.0 += 1;
    }

    pub fn into_lines(self) -> Vec<String> {
        self.order
            .into_iter()
            .map(|m| match self.counts.get(&m) {
                Some((n, Some(e))) => format!("{m} ({n}; the first: {e})"),
                Some((n, None)) if *n > 1 => format!("{m} ({n} times)"),
                _ => m,
            })
            .collect()
    }
}

/// Why a stored record cannot be written so that it imports back: the field and the
/// rule (said once per kind of record), and the value (the first one is shown).
#[derive(Debug, PartialEq, Eq)]
pub struct Unwritable {
    pub why: String,
    pub value: String,
}

fn unwritable(why: String, value: &str) -> Unwritable {
    Unwritable {
        why,
        value: shorten(value),
    }
}

/// The texts of one record's specs (index = spec index; None writes nothing), or why
/// the record cannot be written so that it imports back.
pub fn record_texts(
    map: &Map,
    def: &RecordDef,
    row: &Row,
    warn: &mut Warnings,
) -> Result<Vec<Option<String>>, Unwritable> {
    check_static_fills(def, row)?;
    let mut out: Vec<Option<String>> = vec![None; def.fields.len()];
    let mut done = vec![false; def.fields.len()];
    for i in 0..def.fields.len() {
        if done[i] {
            continue;
        }
        let spec = &def.fields[i];
        let Some(f) = spec.field else {
            out[i] = spec.default.clone().or_else(|| spec.fill.clone());
            done[i] = true;
            continue;
        };
        let group: Vec<usize> = (i..def.fields.len())
            .filter(|&j| def.fields[j].field == Some(f))
            .collect();
        for &j in &group {
            done[j] = true;
        }
        let v = row.get(f).cloned().unwrap_or(Value::Null);
        let specs: Vec<&FieldSpec> = group.iter().map(|&j| &def.fields[j]).collect();
        if specs.len() > 1 && specs[1..].iter().all(|s| s.append) {
            let text = v.plain();
            let pieces = split_pieces(&text, &specs).ok_or_else(|| {
                unwritable(
                    format!("{} is not built the way the map builds it", f.code()),
                    &text,
                )
            })?;
            for (&j, piece) in group.iter().zip(pieces) {
                out[j] = piece.map(|p| piece_text(&def.fields[j], p));
            }
            continue;
        }
        if specs.iter().any(|s| s.condition == Condition::MustEqual) {
            match must_equal_column(map, f, &specs, &v, warn) {
                Ok(Some((k, text))) => out[group[k]] = Some(text),
                Ok(None) => {}
                Err(why) if record_needs(def.kind, f, &specs) => return Err(why),
                Err(why) => warn.add_example(
                    format!("{}; written blank", why.why),
                    Some(format!("'{}'", why.value)),
                ),
            }
            continue;
        }
        for &j in &group {
            let s = &def.fields[j];
            if reads_text(s) {
                out[j] = Some(spec_text(map, s, f, &v, warn));
            }
        }
    }
    Ok(out)
}

/// A sub-record is one of the map's when it holds what the map's static `fill` specs
/// write (a dialer map's contacts are `Phone` contacts): a letter contact the plan
/// scheduled is not written as a dialer call. Debtor and client rows are always
/// written (the map is a layout for them, whatever their status).
fn check_static_fills(def: &RecordDef, row: &Row) -> Result<(), Unwritable> {
    if matches!(def.kind, RecordKind::Debtor | RecordKind::Client) {
        return Ok(());
    }
    for spec in &def.fields {
        let (Some(f), Some(fill), false) = (spec.field, spec.fill.as_deref(), reads_text(spec))
        else {
            continue;
        };
        if f.form != def.kind.form() || spec.condition.is_comparison() || spec.append {
            continue;
        }
        let stored = row.get(f).cloned().unwrap_or(Value::Null);
        let holds = match &stored {
            // The import's yes/no words (pipeline.rs typed_value).
            Value::Flag(b) => {
                *b == matches!(
                    fill.trim().to_ascii_uppercase().as_str(),
                    "X" | "Y" | "YES" | "TRUE" | "1"
                )
            }
            v => same_value(f, v.plain().trim(), fill.trim()),
        };
        if !holds {
            return Err(unwritable(
                format!("{} is not the map's fill '{fill}'", f.code()),
                &stored.plain(),
            ));
        }
    }
    Ok(())
}

/// Does the spec read a column or position (as opposed to static data)?
fn reads_text(spec: &FieldSpec) -> bool {
    !matches!(spec.source, Source::Static | Source::StaticAdvance)
}

/// A record the import would reject without this field: any spec whose failed
/// comparison rejects the record, or a transaction's type ("a transaction without a
/// type is rejected", docs/import-maps.md).
fn record_needs(kind: RecordKind, f: &FieldDef, specs: &[&FieldSpec]) -> bool {
    specs
        .iter()
        .any(|s| s.condition.is_comparison() && !s.fail_cancels_field_only)
        || (kind == RecordKind::Transaction && f.code() == "tr.ty")
}

/// `must_equal` backwards: the spec whose written value (its `fill`, or the comparand
/// itself without one) the field holds writes its comparand `default`.
fn must_equal_column(
    map: &Map,
    f: &FieldDef,
    specs: &[&FieldSpec],
    v: &Value,
    warn: &mut Warnings,
) -> Result<Option<(usize, String)>, Unwritable> {
    let stored = v.plain();
    let stored = stored.trim();
    for (k, s) in specs.iter().enumerate() {
        if s.condition != Condition::MustEqual {
            continue;
        }
        let written = s.fill.as_deref().or(s.default.as_deref()).unwrap_or("");
        if same_value(f, stored, written.trim()) {
            return Ok(reads_text(s).then(|| (k, s.default.clone().unwrap_or_default())));
        }
    }
    if stored.is_empty() {
        return Ok(None);
    }
    // A plain spec for the same field (no comparison) writes the value as is.
    if let Some(k) = specs
        .iter()
        .position(|s| !s.condition.is_comparison() && reads_text(s))
    {
        return Ok(Some((k, spec_text(map, specs[k], f, v, warn))));
    }
    Err(unwritable(
        format!("{} holds a value no must_equal spec writes", f.code()),
        stored,
    ))
}

fn same_value(f: &FieldDef, a: &str, b: &str) -> bool {
    if f.ty.is_numeric() {
        if let (Ok(x), Ok(y)) = (a.parse::<Decimal>(), b.parse::<Decimal>()) {
            return x == y;
        }
    }
    a.eq_ignore_ascii_case(b)
}

/// One spec's text for a stored value: amounts ÷ `multiply`, dates per the spec's or
/// map's date options, flags Y/N, then `scan` and `trailing_overpunch` backwards.
pub fn spec_text(
    map: &Map,
    spec: &FieldSpec,
    f: &FieldDef,
    v: &Value,
    warn: &mut Warnings,
) -> String {
    let code = f.code();
    if spec.strip != Default::default() {
        warn.add(format!(
            "{code}: strip cannot run backwards; the stored value is written as is"
        ));
    }
    if spec.case != Case::None {
        warn.add(format!(
            "{code}: case cannot run backwards; the stored value is written as is"
        ));
    }
    if spec.multiply.is_some_and(|m| m.is_zero()) {
        warn.add(format!(
            "{code}: multiply = 0 cannot run backwards; the stored value is written undivided"
        ));
    }
    let mut text = plain(map, spec, f, v);
    if let Some(scan) = &spec.scan {
        if !text.is_empty() {
            match scan.reverse(&text) {
                Some(t) => text = t,
                None => warn.add(format!(
                    "{code}: scan cannot run backwards; the stored value is written as is"
                )),
            }
        }
    }
    if spec.trailing_overpunch {
        if let Some(o) = overpunch(&text) {
            return o;
        }
    }
    text
}

/// A piece of an appended text field: a date read into text (a note's stamp) goes
/// back to the spec's date format; an `insert_comma` comma is dropped.
fn piece_text(spec: &FieldSpec, piece: String) -> String {
    let mut p = piece;
    if spec.insert_comma {
        if let Some(s) = p.strip_suffix(',') {
            p = s.to_string();
        }
    }
    if let Some(opts) = &spec.date {
        if let Ok(d) = chrono::NaiveDate::parse_from_str(&p, "%m/%d/%Y") {
            return opts.format(d);
        }
    }
    p
}

fn plain(map: &Map, spec: &FieldSpec, f: &FieldDef, v: &Value) -> String {
    let divide = |d: Decimal| match spec.multiply {
        Some(m) if !m.is_zero() => d / m,
        _ => d,
    };
    match v {
        // The import reads a blank flag as No (pipeline.rs typed_value), so a flag
        // never set is written as No: exported again, the file is the same.
        Value::Null if f.ty == FieldType::Flag => "N".to_string(),
        Value::Null => String::new(),
        // Two places, unless `multiply` says the file counts in other units (cents).
        Value::Money(d) if spec.multiply.is_some() => divide(*d).normalize().to_string(),
        Value::Money(d) => format!("{:.2}", crate::money::round_cents(divide(*d))),
        Value::Percent(d) => divide(*d).normalize().to_string(),
        Value::Date(d) => spec.date.as_ref().unwrap_or(&map.dates).format(*d),
        Value::Flag(b) => if *b { "Y" } else { "N" }.to_string(),
        Value::Text(s) => match (f.ty, spec.multiply) {
            (FieldType::TextN, Some(_)) => s
                .parse::<Decimal>()
                .map(|d| divide(d).normalize().to_string())
                .unwrap_or_else(|_| s.clone()),
            _ => s.clone(),
        },
    }
}

/// The last digit and the sign in one character (the import's trailing overpunch).
pub fn overpunch(text: &str) -> Option<String> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text),
    };
    let last = digits.chars().last()?.to_digit(10)? as u8;
    if !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let c = match (neg, last) {
        (false, 0) => '{',
        (true, 0) => '}',
        (false, n) => (b'A' + n - 1) as char,
        (true, n) => (b'J' + n - 1) as char,
    };
    Some(format!("{}{c}", &digits[..digits.len() - 1]))
}

fn shorten(s: &str) -> String {
    let mut t: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        t.push('…');
    }
    t
}

enum Piece<'s> {
    /// Read from the file.
    Column,
    /// Static text the import writes (`fill`, or a `default` without printable codes).
    Constant(&'s str),
    /// Static data with printable codes (`@d`, `@t`): matched, not written.
    Dynamic,
}

fn piece_kind(spec: &FieldSpec) -> Piece<'_> {
    if reads_text(spec) {
        return Piece::Column;
    }
    match (spec.fill.as_deref(), spec.default.as_deref()) {
        (Some(f), _) => Piece::Constant(f),
        (None, Some(d)) if d.contains('@') => Piece::Dynamic,
        (None, Some(d)) => Piece::Constant(d),
        (None, None) => Piece::Constant(""),
    }
}

/// What the import puts between the value built so far and an appended piece.
fn separator(spec: &FieldSpec) -> &'static str {
    match (spec.prepend_comma, spec.add_space) {
        (true, true) => ", ",
        (true, false) => ",",
        (false, true) => " ",
        (false, false) => "",
    }
}

/// Split a value built by appending back into its pieces (None for static pieces), or
/// None when the value was not built by these specs. Greedy from the left: a column
/// piece ends where the next piece's separator (and constant text) starts; the last
/// takes the rest. The pieces are checked by building the value again.
pub fn split_pieces(value: &str, specs: &[&FieldSpec]) -> Option<Vec<Option<String>>> {
    let mut rest = value;
    let mut out = Vec::with_capacity(specs.len());
    let mut seen: Vec<String> = Vec::with_capacity(specs.len());
    let mut started = false;
    for (i, spec) in specs.iter().enumerate() {
        let sep = if i == 0 { "" } else { separator(spec) };
        match piece_kind(spec) {
            Piece::Constant("") => {
                out.push(None);
                seen.push(String::new());
            }
            Piece::Constant(c) => {
                let with = format!("{sep}{c}");
                if started && rest.starts_with(&with) {
                    rest = &rest[with.len()..];
                } else if !started && rest.starts_with(c) {
                    rest = &rest[c.len()..];
                } else {
                    return None;
                }
                started = true;
                out.push(None);
                seen.push(c.to_string());
            }
            kind @ (Piece::Column | Piece::Dynamic) => {
                if started && !sep.is_empty() {
                    match rest.strip_prefix(sep) {
                        Some(r) => rest = r,
                        None => {
                            // A blank piece adds nothing, not even its separator.
                            out.push(matches!(kind, Piece::Column).then(String::new));
                            seen.push(String::new());
                            continue;
                        }
                    }
                }
                let end = match specs.get(i + 1) {
                    None => rest.len(),
                    Some(next) => {
                        let nsep = separator(next);
                        let stop = match piece_kind(next) {
                            Piece::Constant(c) => format!("{nsep}{c}"),
                            _ => nsep.to_string(),
                        };
                        if stop.is_empty() {
                            rest.len()
                        } else {
                            rest.find(&stop).unwrap_or(rest.len())
                        }
                    }
                };
                let piece = &rest[..end];
                rest = &rest[end..];
                started |= !piece.is_empty();
                out.push(matches!(kind, Piece::Column).then(|| piece.to_string()));
                seen.push(piece.to_string());
            }
        }
    }
    if !rest.is_empty() || rebuild(specs, &seen) != value {
        return None;
    }
    Some(out)
}

/// The import's append rule (`pipeline.rs` store): the first piece replaces, later
/// non-blank pieces are added after the separator when something is already there.
fn rebuild(specs: &[&FieldSpec], pieces: &[String]) -> String {
    let mut cur = String::new();
    for (i, (spec, p)) in specs.iter().zip(pieces).enumerate() {
        if i == 0 {
            cur.clone_from(p);
        } else if !p.is_empty() {
            if !cur.is_empty() {
                if spec.prepend_comma && !cur.ends_with(',') {
                    cur.push(',');
                }
                if spec.add_space {
                    cur.push(' ');
                }
            }
            cur.push_str(p);
        }
    }
    cur
}

/// A date the import would read back in another century (2-digit years land within
/// [today − 90 years, today + 10 years]) or another year (`J`).
pub fn date_fits(opts: &DateOptions, d: chrono::NaiveDate, today: chrono::NaiveDate) -> bool {
    match opts.parse(&opts.format(d), today) {
        Some(back) => back == d,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(src: &str) -> Map {
        Map::parse("t", src).unwrap()
    }

    #[test]
    fn last_first_splits_back() {
        let m = specs("[[record]]\ntype = \"debtor\"\n[[record.field]]\nfield = \"de.na\"\nsource = \"@B\"\n[[record.field]]\nfield = \"de.na\"\nsource = \"@C\"\nappend = true\nprepend_comma = true\nadd_space = true\n");
        let s: Vec<&FieldSpec> = m.records[0].fields.iter().collect();
        let got = |v: &str| split_pieces(v, &s).unwrap();
        assert_eq!(got("Doe, John"), [Some("Doe".into()), Some("John".into())]);
        assert_eq!(got("Doe"), [Some("Doe".into()), Some(String::new())]);
        assert_eq!(
            got("Van Dyke, Mary Ann"),
            [Some("Van Dyke".into()), Some("Mary Ann".into())]
        );
    }

    #[test]
    fn stamped_note_splits_around_static_text() {
        let m = specs("[[record]]\ntype = \"note\"\n[[record.field]]\nfield = \"no.te\"\nsource = \"@ \"\ndefault = \"@d\"\n[[record.field]]\nfield = \"no.te\"\nsource = \"@ \"\ndefault = \"@t\"\nappend = true\nadd_space = true\n[[record.field]]\nfield = \"no.te\"\nsource = \"@ \"\nfill = \"NEW IMP :\"\nappend = true\nadd_space = true\n[[record.field]]\nfield = \"no.te\"\nsource = \"@O\"\nappend = true\nadd_space = true\n");
        let s: Vec<&FieldSpec> = m.records[0].fields.iter().collect();
        assert_eq!(
            split_pieces("07/31/2024 15:30 NEW IMP : Placed by Acme", &s).unwrap(),
            [None, None, None, Some("Placed by Acme".into())]
        );
        assert_eq!(
            split_pieces("07/31/2024 15:30 NEW IMP :", &s).unwrap()[3],
            Some(String::new())
        );
        assert_eq!(split_pieces("Called, left a message", &s), None);
    }
}
