//! Maps run backwards (SPEC §3 last bullets): one row per record of the map's record
//! types, in file-number order and, within a debtor, in posting order.
//!
//! Options run backwards where they can: values are divided by `multiply`; a
//! `must_equal` spec writes its `default` when the field holds its `fill` (101 → P);
//! static specs write their `default` or `fill`; `scan`, `strip` and `case` are ignored.

use std::io::Write;
use std::path::Path;

use rusqlite::Connection;
use rust_decimal::Decimal;

use super::map::{Condition, Delim, FieldSpec, Format, Map, RecordDef, RecordKind, Source};
use crate::catalog::{self, FieldDef, FieldType, Form, Value};
use crate::store::{self, read_record, FieldValues};
use crate::{Env, Error, Result};

/// One record's values plus its owner's, for owner-key fields (`de.ac` on a transaction).
struct Row<'a> {
    own: &'a FieldValues,
    owner: Option<&'a FieldValues>,
}

impl Row<'_> {
    fn get(&self, f: &FieldDef) -> Option<&Value> {
        fn find<'v>(vals: &'v FieldValues, f: &FieldDef) -> Option<&'v Value> {
            vals.iter().find(|(g, _)| *g == f).map(|(_, v)| v)
        }
        find(self.own, f).or_else(|| self.owner.and_then(|o| find(o, f)))
    }
}

/// A `--where` selection: `(@de.sta = NEW)`, several joined by `and`; ops
/// `= <> < > <= >=` and ranges `a .. b` (the report writer's syntax, SPEC §4).
#[derive(Debug, Clone)]
pub struct Filter {
    conds: Vec<(&'static FieldDef, String, String, Option<String>)>,
}

impl Filter {
    pub fn parse(text: &str) -> Result<Filter> {
        let mut conds = Vec::new();
        let mut rest = text.trim();
        while !rest.is_empty() {
            let Some(open) = rest.strip_prefix('(') else {
                return Err(Error::config(format!("--where: expected '(' at '{rest}'")));
            };
            let Some(close) = open.find(')') else {
                return Err(Error::config("--where: missing ')'"));
            };
            let inner = open[..close].trim();
            rest = open[close + 1..].trim_start();
            if let Some(r) = rest
                .strip_prefix("and")
                .or_else(|| rest.strip_prefix("AND"))
            {
                rest = r.trim_start();
            }
            let inner = inner.trim_start_matches('@');
            let op_pos = inner
                .find(['=', '<', '>'])
                .ok_or_else(|| Error::config(format!("--where: no operator in '({inner})'")))?;
            let code = inner[..op_pos].trim();
            let f = catalog::by_code(code).ok_or_else(|| {
                Error::config(format!(
                    "--where: unknown field code '{code}'{}",
                    catalog::did_you_mean(code)
                ))
            })?;
            let after = &inner[op_pos..];
            let op_len = after
                .chars()
                .take_while(|c| matches!(c, '=' | '<' | '>'))
                .count();
            let op = after[..op_len].to_string();
            if !matches!(op.as_str(), "=" | "<>" | "<" | ">" | "<=" | ">=") {
                return Err(Error::config(format!("--where: unknown operator '{op}'")));
            }
            let value = after[op_len..].trim();
            let (lo, hi) = match value.split_once("..") {
                Some((a, b)) => (a.trim().to_string(), Some(b.trim().to_string())),
                None => (value.to_string(), None),
            };
            conds.push((f, op, lo, hi));
        }
        Ok(Filter { conds })
    }

    /// Does a record (and the record that owns it: a debtor's client) meet the condition?
    pub fn accepts_record(&self, own: &FieldValues, owner: Option<&FieldValues>) -> bool {
        self.accepts(&Row { own, owner })
    }

    fn accepts(&self, row: &Row) -> bool {
        self.conds.iter().all(|(f, op, lo, hi)| {
            let v = row.get(f).cloned().unwrap_or(Value::Null);
            let c = |b: &str| compare(f, &v, b);
            match hi {
                Some(h) => {
                    let inside = c(lo).is_ge() && c(h).is_le();
                    if op == "<>" {
                        !inside
                    } else {
                        inside
                    }
                }
                None => {
                    let o = c(lo);
                    match op.as_str() {
                        "=" => o.is_eq(),
                        "<>" => o.is_ne(),
                        "<" => o.is_lt(),
                        ">" => o.is_gt(),
                        "<=" => o.is_le(),
                        _ => o.is_ge(),
                    }
                }
            }
        })
    }
}

fn compare(f: &FieldDef, v: &Value, b: &str) -> std::cmp::Ordering {
    match f.ty {
        FieldType::Date => {
            let other = chrono::NaiveDate::parse_from_str(b, "%Y-%m-%d")
                .or_else(|_| chrono::NaiveDate::parse_from_str(b, "%m/%d/%Y"))
                .ok();
            v.as_date().cmp(&other)
        }
        FieldType::Currency | FieldType::Percent => {
            let a = v.as_decimal().unwrap_or_default();
            a.cmp(&crate::money::parse_amount(b).unwrap_or_default())
        }
        _ => {
            let a = v.plain();
            match (a.trim().parse::<Decimal>(), b.parse::<Decimal>()) {
                (Ok(x), Ok(y)) if f.ty == FieldType::TextN => x.cmp(&y),
                _ => a.trim().to_lowercase().cmp(&b.trim().to_lowercase()),
            }
        }
    }
}

/// Writes rows in the map's format.
struct Writer<'m, W: Write> {
    map: &'m Map,
    out: W,
    rows: u64,
    pub warnings: u64,
    eol: &'static [u8],
    delim: u8,
}

impl<'m, W: Write> Writer<'m, W> {
    fn new(map: &'m Map, out: W) -> Self {
        let eol: &'static [u8] = match map.record_delimiters.as_deref() {
            Some([Delim::Byte(b'\n'), ..]) => b"\n",
            Some([Delim::Byte(b'\r'), ..]) => b"\r",
            _ => b"\r\n",
        };
        let delim = match map.field_delimiters.first() {
            Some(Delim::Byte(b)) => *b,
            _ => b',',
        };
        Writer {
            map,
            out,
            rows: 0,
            warnings: 0,
            eol,
            delim,
        }
    }

    fn encode(&mut self, text: &str) -> Result<Vec<u8>> {
        if self.map.encoding == encoding_rs::UTF_8 {
            return Ok(text.as_bytes().to_vec());
        }
        // Unmappable characters become '?' (encoding_rs would write `&#NNNN;`,
        // which breaks fixed widths: crates-and-speed.md §1).
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            let mut buf = [0u8; 4];
            let s = c.encode_utf8(&mut buf);
            let (bytes, _, unmappable) = self.map.encoding.encode(s);
            if unmappable {
                out.push(b'?');
                self.warnings += 1;
            } else {
                out.extend_from_slice(&bytes);
            }
        }
        Ok(out)
    }

    fn write_line(&mut self, text: &str) -> Result<()> {
        let bytes = self.encode(text)?;
        self.out.write_all(&bytes)?;
        self.out.write_all(self.eol)?;
        Ok(())
    }

    fn quote(&self, s: &str) -> String {
        let d = self.delim as char;
        if s.contains(d) || s.contains('"') || s.contains('\n') || s.contains('\r') {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    }

    fn header(&mut self, def: &RecordDef) -> Result<()> {
        if self.map.format == Format::Fixed {
            return Ok(());
        }
        let cols = place_delimited(def, |spec| {
            Some(
                spec.comment
                    .clone()
                    .unwrap_or_else(|| spec.field.map_or_else(String::new, |f| f.name.to_string())),
            )
        });
        let line: Vec<String> = cols.iter().map(|c| self.quote(c)).collect();
        self.write_line(&line.join(&(self.delim as char).to_string()))
    }

    fn row(&mut self, def: &RecordDef, row: &Row) -> Result<()> {
        let map = self.map;
        let value = |spec: &FieldSpec| export_value(map, spec, row);
        if map.format == Format::Fixed {
            let mut lines: Vec<Vec<char>> = Vec::new();
            let put = |lines: &mut Vec<Vec<char>>, line: usize, offset: usize, text: &str| {
                while lines.len() <= line {
                    lines.push(Vec::new());
                }
                let l = &mut lines[line];
                let chars: Vec<char> = text.chars().collect();
                if l.len() < offset + chars.len() {
                    l.resize(offset + chars.len(), ' ');
                }
                l[offset..offset + chars.len()].copy_from_slice(&chars);
            };
            if let Some(id) = &def.identifier {
                put(&mut lines, 0, def.identifier_offset, id);
            }
            for spec in &def.fields {
                if let Source::Fixed {
                    offset,
                    length,
                    line,
                } = spec.source
                {
                    let Some(v) = value(spec) else { continue };
                    let numeric = spec.field.is_some_and(|f| {
                        matches!(
                            f.ty,
                            FieldType::Currency | FieldType::Percent | FieldType::TextN
                        )
                    });
                    let text = pad(&v, length, numeric);
                    if text.chars().count() > length {
                        self.warnings += 1;
                        eprintln!(
                            "warning: {}: '{}' is wider than {length}; truncated",
                            spec.field.map_or(String::new(), |f| f.code()),
                            v
                        );
                    }
                    let text: String = text.chars().take(length).collect();
                    put(&mut lines, line, offset, &text);
                }
            }
            for l in lines {
                let s: String = l.into_iter().collect();
                self.write_line(s.trim_end())?;
            }
        } else {
            let cols = place_delimited(def, value);
            let line: Vec<String> = cols.iter().map(|c| self.quote(c)).collect();
            self.write_line(&line.join(&(self.delim as char).to_string()))?;
        }
        self.rows += 1;
        Ok(())
    }
}

/// Columns of a delimited row: each spec writes at its column (the cursor rules of
/// import); a spec that yields nothing leaves the column to another spec.
fn place_delimited(
    def: &RecordDef,
    mut value: impl FnMut(&FieldSpec) -> Option<String>,
) -> Vec<String> {
    let mut cols: Vec<String> = Vec::new();
    let mut cursor = 0;
    let set = |cols: &mut Vec<String>, c: usize, v: Option<String>| {
        if cols.len() <= c {
            cols.resize(c + 1, String::new());
        }
        if let Some(v) = v {
            if cols[c].is_empty() {
                cols[c] = v;
            }
        }
    };
    if let Some(id) = &def.identifier {
        // Multi-record files: the row says which record it is.
        set(&mut cols, def.identifier_offset, Some(id.clone()));
    }
    for spec in &def.fields {
        match spec.source {
            Source::Next => {
                set(&mut cols, cursor, value(spec));
                cursor += 1;
            }
            Source::Column(c) => set(&mut cols, c, value(spec)),
            Source::StaticAdvance => cursor += 1,
            Source::Static | Source::Fixed { .. } => {}
        }
    }
    cols
}

/// Fixed-length padding: numbers right-aligned and zero-padded (`-0000100.00`), text
/// left-aligned with spaces.
fn pad(v: &str, length: usize, numeric: bool) -> String {
    let n = v.chars().count();
    if n >= length {
        return v.to_string();
    }
    if numeric && !v.is_empty() {
        let (sign, digits) = match v.strip_prefix('-') {
            Some(d) => ("-", d),
            None => ("", v),
        };
        format!("{sign}{}{digits}", "0".repeat(length - n))
    } else {
        format!("{v}{}", " ".repeat(length - n))
    }
}

/// One spec's output text, or None when it writes nothing.
fn export_value(map: &Map, spec: &FieldSpec, row: &Row) -> Option<String> {
    let static_src = matches!(spec.source, Source::Static | Source::StaticAdvance);
    let Some(f) = spec.field else {
        return spec.default.clone().or_else(|| spec.fill.clone());
    };
    if static_src {
        return spec.default.clone().or_else(|| spec.fill.clone());
    }
    let v = row.get(f).cloned().unwrap_or(Value::Null);
    if spec.condition == Condition::MustEqual {
        // Backwards: the stored fill (101) becomes the file's code (P).
        let fill = spec.fill.as_deref()?;
        return (v.plain().trim().eq_ignore_ascii_case(fill.trim()))
            .then(|| spec.default.clone().unwrap_or_default());
    }
    Some(plain(map, spec, f, &v))
}

fn plain(map: &Map, spec: &FieldSpec, f: &FieldDef, v: &Value) -> String {
    let divide = |d: Decimal| match spec.multiply {
        Some(m) if !m.is_zero() => d / m,
        _ => d,
    };
    let text = match v {
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
    };
    if spec.trailing_overpunch {
        if let Some(o) = overpunch(&text) {
            return o;
        }
    }
    text
}

/// The last digit and the sign in one character (the import's trailing overpunch).
fn overpunch(text: &str) -> Option<String> {
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

fn rowids(conn: &Connection, form: Form, owner_col: &str, owner: i64) -> Result<Vec<i64>> {
    let sql = format!(
        "SELECT rowid FROM {} WHERE {owner_col} = ?1 ORDER BY rowid",
        form.table()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let ids = stmt
        .query_map([owner], |r| r.get::<_, i64>(0))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(ids)
}

fn all_ids(conn: &Connection, form: Form) -> Result<Vec<i64>> {
    let sql = format!("SELECT rowid FROM {} ORDER BY rowid", form.table());
    let mut stmt = conn.prepare(&sql)?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(ids)
}

fn col(code: &str) -> &'static str {
    super::field_by_code(code).map_or("rowid", |f| f.column)
}

/// Write every selected record through the map; the number of rows written.
pub fn export_to(
    conn: &Connection,
    map: &Map,
    filter: Option<&Filter>,
    out: impl Write,
) -> Result<u64> {
    let mut w = Writer::new(map, out);
    if map.first_line_labels {
        if let Some(def) = map.records.first() {
            w.header(def)?;
        }
    }
    let client_map = map.records.iter().all(|r| {
        matches!(
            r.kind,
            RecordKind::Client | RecordKind::ClientNote | RecordKind::ClientContact
        )
    });
    if client_map {
        for nu in all_ids(conn, Form::Client)? {
            let Some(client) = read_record(conn, Form::Client, nu)? else {
                continue;
            };
            let row = Row {
                own: &client,
                owner: None,
            };
            if filter.is_some_and(|f| !f.accepts(&row)) {
                continue;
            }
            for def in &map.records {
                if def.kind == RecordKind::Client {
                    w.row(def, &row)?;
                    continue;
                }
                let form = def.kind.form();
                for id in rowids(conn, form, col("de.cn"), nu)? {
                    if let Some(rec) = read_record(conn, form, id)? {
                        w.row(
                            def,
                            &Row {
                                own: &rec,
                                owner: Some(&client),
                            },
                        )?;
                    }
                }
            }
        }
    } else {
        for fi in all_ids(conn, Form::Debtor)? {
            let Some(debtor) = read_record(conn, Form::Debtor, fi)? else {
                continue;
            };
            let row = Row {
                own: &debtor,
                owner: None,
            };
            if filter.is_some_and(|f| !f.accepts(&row)) {
                continue;
            }
            for def in &map.records {
                if def.kind == RecordKind::Debtor {
                    w.row(def, &row)?;
                    continue;
                }
                if !def.kind.is_debtor_sub() {
                    continue;
                }
                let form = def.kind.form();
                for id in rowids(conn, form, col("de.fi"), fi)? {
                    if let Some(rec) = read_record(conn, form, id)? {
                        w.row(
                            def,
                            &Row {
                                own: &rec,
                                owner: Some(&debtor),
                            },
                        )?;
                    }
                }
            }
        }
    }
    w.out.flush()?;
    if w.warnings > 0 {
        eprintln!(
            "warning: {} value(s) could not be written exactly",
            w.warnings
        );
    }
    Ok(w.rows)
}

/// `recoup export MAP --out FILE [--where …]`.
pub fn run(env: &Env, map_arg: &str, out: &Path, filter: Option<&str>) -> Result<u64> {
    let (map, _) = super::run::load_map(env, map_arg)?;
    let filter = filter.map(Filter::parse).transpose()?;
    let store = store::Store::open_existing(&env.db)?;
    let file = std::fs::File::create(out).map_err(|e| Error::io(out, e))?;
    export_to(
        store.conn(),
        &map,
        filter.as_ref(),
        std::io::BufWriter::new(file),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding() {
        assert_eq!(pad("-100.00", 11, true), "-0000100.00");
        assert_eq!(pad("12.5", 6, true), "0012.5");
        assert_eq!(pad("Doe", 5, false), "Doe  ");
        assert_eq!(overpunch("12340").as_deref(), Some("1234{"));
        assert_eq!(overpunch("-12349").as_deref(), Some("1234R"));
        assert_eq!(overpunch("431055").as_deref(), Some("43105E"));
    }

    #[test]
    fn where_parses() {
        let f = Filter::parse("(@de.sta = NEW) and (@de.fi = 1000 .. 1500)").unwrap();
        assert_eq!(f.conds.len(), 2);
        assert!(Filter::parse("(@de.zz = 1)").is_err());
        assert!(Filter::parse("de.sta = NEW").is_err());
    }
}
