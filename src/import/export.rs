//! Maps run backwards (docs/import-maps.md last bullets): one row per record of the map's record
//! types, in file-number order and, within a debtor, in posting order, written so that
//! importing the file with the same map stores the same values ("Nothing lost on the
//! way out"). What each spec writes is `backwards.rs`; this module picks the records,
//! lays out rows and writes the file.
//!
//! A map whose record definitions have no identifiers reads several records from one
//! row (a placement row is a debtor and its note), so the export writes them back into
//! one row: per debtor (or client), row i carries the i-th record of each definition.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::backwards::{self, record_texts, Row, Warnings};
use super::map::{Delim, Direction, Format, Map, RecordDef, RecordKind, Source};
use crate::catalog::{FieldType, Form, Value};
use crate::store::{self, read_record, Db, FieldValues};
use crate::{Env, Error, Result};

/// `--where` is the report language's condition (docs/report-language.md,
/// Conditions), the one filter language of every command.
pub use crate::report::filter::Filter;
use crate::report::filter::Matcher;

/// Every condition applies to each row the map writes, so each of the map's record
/// types must be able to read its fields (`(@tr.ty = 101)` on a debtor map is exit 2).
pub fn check_readable(filter: &Filter, map: &Map) -> Result<()> {
    for def in &map.records {
        let readable = def.kind.readable_forms();
        if let Some(f) = filter.unreadable(&readable) {
            return Err(Error::config(format!(
                "condition: a {} record cannot read {} ({} form); the map's records read {}",
                def.kind.name(),
                f.code(),
                f.form.name(),
                readable
                    .iter()
                    .map(|f| format!("{}.*", f.code()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    Ok(())
}

/// What an export wrote.
#[derive(Debug, Default)]
pub struct Exported {
    pub rows: u64,
    /// Each said once (`warning: …` on stderr in the command).
    pub warnings: Vec<String>,
}

impl Exported {
    /// What `recoup export` says of the file it wrote to `out`.
    pub fn report(&self, out: &Path) -> ExportReport {
        ExportReport {
            file: out.display().to_string(),
            rows: self.rows,
        }
    }
}

/// An export as the command reports it: `--json` is its serialisation, the line its
/// `Display`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExportReport {
    pub file: String,
    pub rows: u64,
}

impl std::fmt::Display for ExportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exported {} row(s) to {}", self.rows, self.file)
    }
}

/// Writes rows in the map's format.
struct Writer<'m, W: Write> {
    map: &'m Map,
    out: W,
    rows: u64,
    unmappable: u64,
    eol: &'static [u8],
    delim: u8,
    /// Columns of the label line: every row has as many (docs/import-maps.md: one layout per file).
    width: usize,
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
            unmappable: 0,
            eol,
            delim,
            width: 0,
        }
    }

    fn encode(&mut self, text: &str) -> Vec<u8> {
        if self.map.encoding == encoding_rs::UTF_8 {
            return text.as_bytes().to_vec();
        }
        // Unmappable characters become '?' (encoding_rs would write `&#NNNN;`,
        // which breaks fixed widths).
        let mut out = Vec::with_capacity(text.len());
        for c in text.chars() {
            let mut buf = [0u8; 4];
            let s = c.encode_utf8(&mut buf);
            let (bytes, _, unmappable) = self.map.encoding.encode(s);
            if unmappable {
                out.push(b'?');
                self.unmappable += 1;
            } else {
                out.extend_from_slice(&bytes);
            }
        }
        out
    }

    fn write_line(&mut self, text: &str) -> Result<()> {
        let bytes = self.encode(text);
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

    fn join(&self, cols: &[String]) -> String {
        let line: Vec<String> = cols.iter().map(|c| self.quote(c)).collect();
        line.join(&(self.delim as char).to_string())
    }

    /// The label line: each column's `#comment` or catalogue name, over every record
    /// definition that shares the row (so a note's column has its label too).
    fn header(&mut self, defs: &[&RecordDef]) -> Result<()> {
        if self.map.format == Format::Fixed {
            return Ok(());
        }
        let mut cols = Vec::new();
        let mut ignore = Warnings::default();
        for def in defs {
            let labels: Vec<Option<String>> = def
                .fields
                .iter()
                .map(|spec| {
                    Some(spec.comment.clone().unwrap_or_else(|| {
                        spec.field.map_or_else(String::new, |f| f.name.to_string())
                    }))
                })
                .collect();
            place_delimited(def, &labels, &mut cols, &mut ignore);
        }
        self.width = cols.len();
        let line = self.join(&cols);
        self.write_line(&line)
    }

    /// One row from one or more records' spec texts.
    fn row(
        &mut self,
        parts: &[(&RecordDef, Vec<Option<String>>)],
        warn: &mut Warnings,
    ) -> Result<()> {
        if self.map.format == Format::Fixed {
            let mut lines: Vec<Vec<char>> = Vec::new();
            for (def, texts) in parts {
                place_fixed(def, texts, &mut lines, warn);
            }
            for l in lines {
                let s: String = l.into_iter().collect();
                self.write_line(s.trim_end())?;
            }
        } else {
            let mut cols = Vec::new();
            for (def, texts) in parts {
                place_delimited(def, texts, &mut cols, warn);
            }
            if cols.len() < self.width {
                cols.resize(self.width, String::new());
            }
            let line = self.join(&cols);
            self.write_line(&line)?;
        }
        self.rows += 1;
        Ok(())
    }
}

/// Fixed-length lines: the identifier at its offset, each spec's text padded to its
/// length (numbers right-aligned and zero-filled); a wider value is truncated, with a
/// warning.
fn place_fixed(
    def: &RecordDef,
    texts: &[Option<String>],
    lines: &mut Vec<Vec<char>>,
    warn: &mut Warnings,
) {
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
        put(lines, 0, def.identifier_offset, id);
    }
    for (spec, text) in def.fields.iter().zip(texts) {
        let (
            Source::Fixed {
                offset,
                length,
                line,
            },
            Some(v),
        ) = (spec.source, text)
        else {
            continue;
        };
        let numeric = spec.field.is_some_and(|f| {
            matches!(
                f.ty,
                FieldType::Currency | FieldType::Percent | FieldType::TextN
            )
        });
        let text = pad(v, length, numeric);
        if text.chars().count() > length {
            warn.add(format!(
                "{}: a value wider than {length} was truncated",
                spec.field.map_or(String::new(), |f| f.code())
            ));
        }
        let text: String = text.chars().take(length).collect();
        put(lines, line, offset, &text);
    }
}

/// Columns of a delimited row: each spec writes at its column (the cursor rules of
/// import); a spec that yields nothing leaves the column to another spec. Two specs
/// writing different text to one column keep the first, with a warning.
fn place_delimited(
    def: &RecordDef,
    texts: &[Option<String>],
    cols: &mut Vec<String>,
    warn: &mut Warnings,
) {
    let mut cursor = 0;
    let mut set = |cols: &mut Vec<String>, c: usize, v: Option<&String>, what: &str| {
        if cols.len() <= c {
            cols.resize(c + 1, String::new());
        }
        if let Some(v) = v {
            if cols[c].is_empty() {
                cols[c].clone_from(v);
            } else if !v.is_empty() && cols[c] != *v {
                warn.add(format!(
                    "column {}: {what} '{v}' differs from '{}' already written there; the first is kept",
                    c + 1,
                    cols[c]
                ));
            }
        }
    };
    if let Some(id) = &def.identifier {
        // Multi-record files: the row says which record it is.
        set(cols, def.identifier_offset, Some(id), "the identifier");
    }
    for (spec, text) in def.fields.iter().zip(texts) {
        let what = spec.field.map_or(String::new(), |f| f.code());
        match spec.source {
            Source::Next => {
                set(cols, cursor, text.as_ref(), &what);
                cursor += 1;
            }
            Source::Column(c) => set(cols, c, text.as_ref(), &what),
            Source::StaticAdvance => cursor += 1,
            Source::Static | Source::Fixed { .. } => {}
        }
    }
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

/// The stored records a root record owns: a debtor's sub-records, or a client's own.
fn owned_ids(conn: &Db, form: Form, root_form: Form, root: i64) -> Result<Vec<i64>> {
    match root_form {
        Form::Client => store::clients::client_record_ids(conn, form, root),
        _ => store::debtors::debtor_record_ids(conn, form, root),
    }
}

/// Every root record (debtor or client), in key order.
fn all_ids(conn: &Db, form: Form) -> Result<Vec<i64>> {
    match form {
        Form::Client => store::clients::all_client_ids(conn),
        _ => store::debtors::all_debtor_ids(conn),
    }
}

fn is_client_kind(k: RecordKind) -> bool {
    matches!(
        k,
        RecordKind::Client | RecordKind::ClientNote | RecordKind::ClientContact
    )
}

/// Does the definition write anything to the file? One made of static specs only (an
/// NCOA note stamped on import) has nothing to export.
fn writes_columns(def: &RecordDef) -> bool {
    def.fields
        .iter()
        .any(|s| s.field.is_some() && !matches!(s.source, Source::Static | Source::StaticAdvance))
}

/// The records an export walks: the root (a debtor or a client), its client, and per
/// record definition the stored records that pass the filter, with their texts.
struct Exporter<'a> {
    conn: &'a Db,
    map: &'a Map,
    filter: Option<&'a Matcher<'a>>,
    today: Option<NaiveDate>,
    clients: HashMap<i64, Option<FieldValues>>,
    warn: Warnings,
    totals: Vec<(String, Decimal)>,
}

impl<'a> Exporter<'a> {
    fn client(&mut self, nu: i64) -> Result<Option<FieldValues>> {
        if let Some(c) = self.clients.get(&nu) {
            return Ok(c.clone());
        }
        let c = read_record(self.conn, Form::Client, nu)?;
        self.clients.insert(nu, c.clone());
        Ok(c)
    }

    /// The texts of every record of `def` under this root, in posting order.
    fn records_of(
        &mut self,
        def: &RecordDef,
        root_form: Form,
        root: &FieldValues,
        root_id: i64,
        root_client: Option<&FieldValues>,
    ) -> Result<Vec<Vec<Option<String>>>> {
        let mut out = Vec::new();
        let kind = def.kind;
        if kind.form() == root_form && (kind == RecordKind::Debtor || kind == RecordKind::Client) {
            let mut recs = vec![root];
            recs.extend(root_client);
            self.one(def, &Row { recs }, root_id, &mut out)?;
            return Ok(out);
        }
        match root_form {
            Form::Debtor if kind.is_debtor_sub() => {}
            Form::Client if is_client_kind(kind) => {}
            _ => return Ok(out),
        }
        let form = kind.form();
        for id in owned_ids(self.conn, form, root_form, root_id)? {
            if let Some(rec) = read_record(self.conn, form, id)? {
                let mut recs = vec![&rec, root];
                recs.extend(root_client);
                self.one(def, &Row { recs }, root_id, &mut out)?;
            }
        }
        Ok(out)
    }

    fn one(
        &mut self,
        def: &RecordDef,
        row: &Row,
        root_id: i64,
        out: &mut Vec<Vec<Option<String>>>,
    ) -> Result<()> {
        if let Some(f) = self.filter {
            if !f.accepts(&row.recs)? {
                return Ok(());
            }
        }
        match record_texts(self.map, def, row, &mut self.warn) {
            Ok(texts) => {
                self.check_dates(def, row);
                self.add_totals(def, row);
                out.push(texts);
            }
            Err(u) => self.warn.add_example(
                format!("{} records not exported: {}", def.kind.name(), u.why),
                Some(format!(
                    "{} {root_id}, '{}'",
                    if is_client_kind(def.kind) {
                        "client"
                    } else {
                        "debtor"
                    },
                    u.value
                )),
            ),
        }
        Ok(())
    }

    /// Dates the import would read back differently (2-digit years outside its window,
    /// `J` outside the current year).
    fn check_dates(&mut self, def: &RecordDef, row: &Row) {
        let Some(today) = self.today else { return };
        for spec in &def.fields {
            let Some(f) = spec.field else { continue };
            if let Some(Value::Date(d)) = row.get(f) {
                let opts = spec.date.as_ref().unwrap_or(&self.map.dates);
                if !backwards::date_fits(opts, *d, today) {
                    self.warn.add(format!(
                        "{}: {d} cannot be written so that it reads back in the map's date format",
                        f.code()
                    ));
                }
            }
        }
    }

    /// Accumulator totals for the footer: the stored values of specs naming them.
    fn add_totals(&mut self, def: &RecordDef, row: &Row) {
        for spec in &def.fields {
            let (Some(a), Some(f)) = (spec.accumulator, spec.field) else {
                continue;
            };
            let v = row.get(f).and_then(|v| v.as_decimal());
            if let (Some(v), Some(t)) = (v, self.totals.get_mut(a)) {
                match t.1.checked_add(v) {
                    Some(sum) => t.1 = sum,
                    None => self
                        .warn
                        .add(format!("accumulator {}: total overflows", t.0)),
                }
            }
        }
    }
}

/// Write every selected record through the map (warnings returned, not printed).
pub fn export_records(
    conn: &Db,
    map: &Map,
    filter: Option<&Filter>,
    today: Option<NaiveDate>,
    out: impl Write,
) -> Result<Exported> {
    if let Some(f) = filter {
        check_readable(f, map)?;
    }
    let matcher = filter.map(|f| f.for_records(conn, today)).transpose()?;
    let mut w = Writer::new(map, out);
    let combined = map.records.len() > 1 && map.records.iter().all(|r| r.identifier.is_none());
    if map.first_line_labels {
        let defs: Vec<&RecordDef> = if combined {
            map.records.iter().collect()
        } else {
            map.records.iter().take(1).collect()
        };
        w.header(&defs)?;
    }
    let mut ex = Exporter {
        conn,
        map,
        filter: matcher.as_ref(),
        today,
        clients: HashMap::new(),
        warn: Warnings::default(),
        totals: map
            .accumulators
            .iter()
            .map(|a| (a.clone(), Decimal::ZERO))
            .collect(),
    };
    let root_form = if map.records.iter().all(|r| is_client_kind(r.kind)) {
        Form::Client
    } else {
        Form::Debtor
    };
    for id in all_ids(conn, root_form)? {
        let Some(root) = read_record(conn, root_form, id)? else {
            continue;
        };
        let client = match root_form {
            Form::Debtor => {
                let cn = root
                    .iter()
                    .find(|(f, _)| f.code() == "de.cn")
                    .and_then(|(_, v)| v.as_decimal())
                    .and_then(|d| i64::try_from(d.trunc().mantissa()).ok());
                match cn {
                    Some(cn) => ex.client(cn)?,
                    None => None,
                }
            }
            _ => None,
        };
        if combined {
            let mut per_def = Vec::new();
            for def in &map.records {
                let recs = if writes_columns(def) {
                    ex.records_of(def, root_form, &root, id, client.as_ref())?
                } else {
                    Vec::new()
                };
                per_def.push((def, recs));
            }
            let root_def = per_def.iter().find(|(d, _)| d.kind.form() == root_form);
            let rows = per_def.iter().map(|(_, r)| r.len()).max().unwrap_or(0);
            if root_def.is_some_and(|(_, r)| r.is_empty()) {
                continue; // the debtor itself is filtered out
            }
            for i in 0..rows {
                let parts: Vec<(&RecordDef, Vec<Option<String>>)> = per_def
                    .iter()
                    .map(|(def, recs)| {
                        // The root's fields repeat on each of its rows, so every row
                        // imports the same debtor (the key finds it again).
                        let texts = recs
                            .get(i)
                            .or_else(|| {
                                (def.kind.form() == root_form)
                                    .then(|| recs.first())
                                    .flatten()
                            })
                            .cloned()
                            .unwrap_or_else(|| vec![None; def.fields.len()]);
                        (*def, texts)
                    })
                    .collect();
                w.row(&parts, &mut ex.warn)?;
            }
        } else {
            for def in &map.records {
                for texts in ex.records_of(def, root_form, &root, id, client.as_ref())? {
                    w.row(&[(def, texts)], &mut ex.warn)?;
                }
            }
        }
    }
    if let Some(footer) = &map.footer {
        let line = footer.render(&super::footer::FooterValues {
            count: w.rows,
            totals: &ex.totals,
        });
        w.write_line(&line)?;
    }
    w.out.flush()?;
    if w.unmappable > 0 {
        ex.warn.add(format!(
            "{} character(s) cannot be written in {}; written as '?'",
            w.unmappable,
            map.encoding.name()
        ));
    }
    Ok(Exported {
        rows: w.rows,
        warnings: ex.warn.into_lines(),
    })
}

/// `recoup export MAP --out FILE [--where …]`.
pub fn run(env: &Env, map_arg: &str, out: &Path, filter: Option<&Filter>) -> Result<Exported> {
    let (map, _) = super::run::load_map_for(env, map_arg, Direction::Export)?;
    if let Some(f) = filter {
        check_readable(f, &map)?;
    }
    let store = store::Store::open_existing(&env.db)?;
    write_file(out, |w| {
        export_records(store.conn(), &map, filter, Some(env.today), w)
    })
}

/// The one place the export writes its file: a temporary file renamed over
/// `path` only when every row was written (`crate::output`).
fn write_file<T>(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<T>) -> Result<T> {
    let mut file = crate::output::OutputFile::create(path)?;
    let done = write(&mut file)?;
    file.commit()?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding() {
        assert_eq!(pad("-100.00", 11, true), "-0000100.00");
        assert_eq!(pad("12.5", 6, true), "0012.5");
        assert_eq!(pad("Doe", 5, false), "Doe  ");
        assert_eq!(backwards::overpunch("12340").as_deref(), Some("1234{"));
        assert_eq!(backwards::overpunch("-12349").as_deref(), Some("1234R"));
        assert_eq!(backwards::overpunch("431055").as_deref(), Some("43105E"));
    }
}
