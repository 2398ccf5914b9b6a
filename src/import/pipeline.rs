//! The field pipeline (docs/import-maps.md): one input record → typed field assignments per
//! record definition, or a reject with its reason. Independent of the database.
//!
//! Per spec: source text → `@x0A` → scan → strip → trailing overpunch → case →
//! condition / default / fill → type (dates, amounts × multiply, flags) → stored,
//! replacing or appending within this record. After every spec has run: widths
//! are checked on the final values, `de.na` fills `de.ct` (and back), keys are
//! collected.

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;

use super::dates::DateOptions;
use super::map::{Case, Condition, FieldSpec, Format, Map, RecordDef, RecordKind, Source};
use super::source::RawRecord;
use crate::catalog::{self, FieldDef, FieldType, Form, Value};
use crate::money::parse_amount;

/// What the pipeline needs from outside: the reproducible clock and the client.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    pub today: NaiveDate,
    pub now: NaiveTime,
    pub client: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assign {
    pub field: &'static FieldDef,
    pub value: Value,
    /// `preserve`: write only when the stored value is blank (S2:5303).
    pub preserve: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyField {
    pub field: &'static FieldDef,
    pub value: Value,
    pub exact: bool,
    pub inhibit_autocreate: bool,
    pub skip_subrecords_if_not_found: bool,
    pub skip_if_found: bool,
    pub log_skipped: bool,
}

/// One record definition's result for one input record.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// Index of the record definition in the map.
    pub def: usize,
    pub kind: RecordKind,
    /// Fields of the record's own form, final values, in map order.
    pub values: Vec<Assign>,
    /// Key fields of the record's own form (find an existing record to update).
    pub keys: Vec<KeyField>,
    /// Key fields of another form: they find the owner (the debtor of a transaction).
    pub owner_keys: Vec<KeyField>,
    /// Accumulator contributions: (accumulator index, amount if numeric).
    pub accumulators: Vec<(usize, Option<Decimal>)>,
}

impl Part {
    pub fn get(&self, code: &str) -> Option<&Value> {
        self.values
            .iter()
            .find(|a| super::is_code(a.field, code))
            .map(|a| &a.value)
    }
    pub fn value_of(&self, f: &FieldDef) -> Option<&Value> {
        self.values
            .iter()
            .find(|a| std::ptr::eq(a.field, f) || a.field == f)
            .map(|a| &a.value)
    }
    fn any_key(&self, pick: impl Fn(&KeyField) -> bool) -> bool {
        self.keys.iter().chain(&self.owner_keys).any(pick)
    }
    pub fn inhibit_autocreate(&self) -> bool {
        self.keys.iter().any(|k| k.inhibit_autocreate)
    }
    pub fn owner_inhibit_autocreate(&self) -> bool {
        self.owner_keys.iter().any(|k| k.inhibit_autocreate)
    }
    pub fn skip_subrecords_if_not_found(&self) -> bool {
        self.any_key(|k| k.skip_subrecords_if_not_found)
    }
    pub fn skip_if_found(&self) -> bool {
        self.keys.iter().any(|k| k.skip_if_found)
    }
    pub fn log_skipped(&self) -> bool {
        self.any_key(|k| k.log_skipped)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The record as typed parts, in map order.
    Parsed(Vec<Part>),
    /// Rejected, with the reason (written to the rejects file with line and raw text).
    Rejected(String),
    /// No record definition's identifier matched: skipped and counted.
    NoMatch,
}

/// Per record definition: the distinct target fields, so state is indexed, not hashed.
struct Compiled {
    targets: Vec<&'static FieldDef>,
    /// Per spec: index into `targets` (None for a spec with no field).
    target_of: Vec<Option<usize>>,
    /// Per target: some spec preserves it.
    preserve: Vec<bool>,
    /// Per target: the index of `de.ct` / `de.na` partner when the map does not set it.
    name_contact: Option<(usize, &'static FieldDef)>,
}

pub struct Pipeline<'m> {
    map: &'m Map,
    compiled: Vec<Compiled>,
    // Reused per-record state.
    text: Vec<String>,
    typed: Vec<Option<Value>>,
    set: Vec<bool>,
    done: Vec<bool>,
}

/// Why a record cannot be imported.
type Reject = String;

impl<'m> Pipeline<'m> {
    pub fn new(map: &'m Map) -> Pipeline<'m> {
        let compiled = map.records.iter().map(compile).collect();
        Pipeline {
            map,
            compiled,
            text: Vec::new(),
            typed: Vec::new(),
            set: Vec::new(),
            done: Vec::new(),
        }
    }

    pub fn map(&self) -> &Map {
        self.map
    }

    /// Run every matching record definition over one input record.
    pub fn process(&mut self, rec: &RawRecord, ctx: &Ctx) -> Outcome {
        if let Some(p) = &rec.problem {
            return Outcome::Rejected(p.clone());
        }
        let mut parts = Vec::new();
        for (i, def) in self.map.records.iter().enumerate() {
            if !self.matches(def, rec) {
                continue;
            }
            match self.run_def(i, def, rec, ctx) {
                Ok(part) => parts.push(part),
                Err(reason) => return Outcome::Rejected(reason),
            }
        }
        if parts.is_empty() {
            Outcome::NoMatch
        } else {
            Outcome::Parsed(parts)
        }
    }

    fn matches(&self, def: &RecordDef, rec: &RawRecord) -> bool {
        let Some(id) = &def.identifier else {
            return true;
        };
        if self.map.format == Format::Fixed {
            let line = rec.get(0).unwrap_or("");
            line.char_indices()
                .nth(def.identifier_offset)
                .is_some_and(|(i, _)| line[i..].starts_with(id.as_str()))
        } else {
            // Delimited: the identifier is a column (the first unless an offset says which).
            rec.get(def.identifier_offset)
                .is_some_and(|c| c.trim() == id.trim())
        }
    }

    fn run_def(
        &mut self,
        di: usize,
        def: &RecordDef,
        rec: &RawRecord,
        ctx: &Ctx,
    ) -> Result<Part, Reject> {
        let n = self.compiled[di].targets.len();
        self.text.iter_mut().for_each(String::clear);
        self.text.resize(n, String::new());
        self.typed.clear();
        self.typed.resize(n, None);
        self.set.clear();
        self.set.resize(n, false);
        self.done.clear();
        self.done.resize(n, false);
        let mut accumulators = Vec::new();
        let mut cursor = 0usize;
        let mut keys_seen: Vec<(usize, usize)> = Vec::new(); // (spec index, target)

        for (si, spec) in def.fields.iter().enumerate() {
            // Where the text comes from; the cursor moves even for specs that do nothing.
            let src: Option<&str> = match spec.source {
                Source::Next => {
                    cursor += 1;
                    rec.get(cursor - 1).map(str::trim)
                }
                Source::Column(c) => rec.get(c).map(str::trim),
                Source::Static => None,
                Source::StaticAdvance => {
                    cursor += 1;
                    None
                }
                Source::Fixed {
                    offset,
                    length,
                    line,
                } => rec.get(line).map(|l| fixed_slice(l, offset, length)),
            };
            let Some(field) = spec.field else { continue };
            let Some(t) = self.compiled[di].target_of[si] else {
                continue;
            };
            if self.done[t] {
                // skip_remaining: an earlier spec's condition held for this field.
                continue;
            }
            if spec.key {
                keys_seen.push((si, t));
            }
            let value_text = match self.spec_text(spec, field, src, t, di, ctx)? {
                Some(v) => v,
                None => continue, // condition failed, fail_cancels_field_only
            };
            if let Some(a) = spec.accumulator {
                if !value_text.is_empty() {
                    let amount = amount(value_text.trim());
                    accumulators.push((a, amount.map(|d| spec.multiply.map_or(d, |m| d * m))));
                }
            }
            self.store(spec, field, t, value_text, ctx)?;
        }

        let c = &self.compiled[di];
        // Name fills contact when the map does not set it, and back (S2:5397-5398).
        let mut extra: Option<Assign> = None;
        if let Some((from, partner)) = c.name_contact {
            if self.set[from] {
                let v = self.final_value(from, c.targets[from])?;
                extra = Some(Assign {
                    field: partner,
                    value: v,
                    preserve: c.preserve[from],
                });
            }
        }
        let mut part = Part {
            def: di,
            kind: def.kind,
            values: Vec::with_capacity(n + 1),
            keys: Vec::new(),
            owner_keys: Vec::new(),
            accumulators,
        };
        for (t, &field) in c.targets.iter().enumerate() {
            if !self.set[t] {
                continue;
            }
            let value = self.final_value(t, field)?;
            if field.form == def.kind.form() {
                part.values.push(Assign {
                    field,
                    value,
                    preserve: c.preserve[t],
                });
            }
        }
        if let Some(e) = extra {
            part.values.push(e);
        }
        for (si, t) in keys_seen {
            let spec = &def.fields[si];
            let field = c.targets[t];
            if part
                .keys
                .iter()
                .chain(&part.owner_keys)
                .any(|k| k.field == field)
            {
                continue;
            }
            let value = if self.set[t] {
                self.final_value(t, field)?
            } else {
                Value::Null
            };
            let k = KeyField {
                field,
                value,
                exact: spec.exact,
                inhibit_autocreate: spec.inhibit_autocreate,
                skip_subrecords_if_not_found: spec.skip_subrecords_if_not_found,
                skip_if_found: spec.skip_if_found,
                log_skipped: spec.log_skipped,
            };
            if field.form == def.kind.form() {
                part.keys.push(k);
            } else {
                part.owner_keys.push(k);
            }
        }
        Ok(part)
    }

    /// The spec's value as text before typing, or None when its condition failed
    /// and only the field is cancelled. Borrows the source when nothing changes it
    /// (the common case), so a plain column costs no allocation.
    fn spec_text<'s>(
        &mut self,
        spec: &FieldSpec,
        field: &'static FieldDef,
        src: Option<&'s str>,
        t: usize,
        di: usize,
        ctx: &Ctx,
    ) -> Result<Option<Cow<'s, str>>, Reject> {
        let mut text: Cow<'s, str> = match src {
            Some(s) if s.contains("@x0A") => Cow::Owned(s.replace("@x0A", "\n")), // S2:5049-5058
            Some(s) => Cow::Borrowed(s),
            None => Cow::Borrowed(""),
        };
        if let Some(scan) = &spec.scan {
            text = match text {
                Cow::Borrowed(b) => Cow::Borrowed(scan.apply(b)),
                Cow::Owned(o) => Cow::Owned(scan.apply(&o).to_string()),
            };
        }
        if spec.strip.non_numeric || spec.strip.spaces || spec.strip.decimal_point {
            text.to_mut().retain(|c| {
                !(spec.strip.spaces && c.is_whitespace()
                    || spec.strip.decimal_point && c == '.'
                    || spec.strip.non_numeric && !(c.is_ascii_digit() || c == '.'))
            });
        }
        if spec.trailing_overpunch && !text.is_empty() {
            text = Cow::Owned(overpunch(&text).ok_or_else(|| {
                format!(
                    "{}: '{}' is not a trailing-overpunch number",
                    field.code(),
                    text
                )
            })?);
        }
        if spec.case != Case::None {
            text = Cow::Owned(apply_case(spec.case, text.into_owned()));
        }

        let cond = spec.condition;
        if cond.is_comparison() {
            // The default is only the comparand; when the condition holds, fill is written.
            let comparand = self.expand(spec.default.as_deref().unwrap_or(""), spec, di, ctx);
            let holds = compare(cond, &text, &comparand);
            if !holds {
                return if spec.fail_cancels_field_only {
                    Ok(None)
                } else {
                    Err(format!(
                        "{}: condition {} '{}' failed for '{}'",
                        field.code(),
                        cond_name(cond),
                        comparand,
                        text
                    ))
                };
            }
            if spec.skip_remaining {
                self.done[t] = true;
            }
            return Ok(Some(match &spec.fill {
                Some(f) => Cow::Owned(self.expand(f, spec, di, ctx)),
                None => text,
            }));
        }
        let value = if let Some(fill) = &spec.fill {
            Cow::Owned(fill.replace("@x0A", "\n"))
        } else if text.trim().is_empty() {
            match &spec.default {
                Some(d) => Cow::Owned(self.expand(d, spec, di, ctx)),
                None => text,
            }
        } else {
            text
        };
        let holds = match cond {
            Condition::MustBeFilled => !value.trim().is_empty(),
            Condition::MustBeNonZero => parse_amount(&value).is_some_and(|d| !d.is_zero()),
            _ => true,
        };
        if !holds {
            return if spec.fail_cancels_field_only {
                Ok(None)
            } else {
                Err(format!(
                    "{}: condition {} failed for '{}'",
                    field.code(),
                    cond_name(cond),
                    value
                ))
            };
        }
        if spec.skip_remaining && cond != Condition::BlankPermitted {
            self.done[t] = true;
        }
        Ok(Some(value))
    }

    /// Printable codes in defaults: `@d` today, `@t` now, `@cl.nu` the client, other
    /// `@form.field` codes the value built so far in this record; `@x0A` a newline.
    fn expand(&mut self, s: &str, spec: &FieldSpec, di: usize, ctx: &Ctx) -> String {
        if !s.contains('@') {
            return s.to_string();
        }
        let mut out = String::with_capacity(s.len() + 8);
        let mut rest = s;
        while let Some(p) = rest.find('@') {
            out.push_str(&rest[..p]);
            let tail = &rest[p + 1..];
            if let Some(t) = tail.strip_prefix("x0A") {
                out.push('\n');
                rest = t;
                continue;
            }
            // The longest code: form.field (letters/digits), else @d / @t.
            let code_len = tail
                .char_indices()
                .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '.'))
                .map_or(tail.len(), |(i, _)| i);
            let word = tail[..code_len].trim_end_matches('.');
            if let Some(f) = catalog::by_code(word) {
                if f.form == Form::Client && f.field == "nu" && !self.has_target(di, f) {
                    if let Some(c) = ctx.client {
                        out.push_str(&c.to_string());
                    }
                } else if let Some(t) = self.target_index(di, f) {
                    if let Some(v) = &self.typed[t] {
                        out.push_str(&v.plain());
                    } else {
                        out.push_str(&self.text[t]);
                    }
                }
                rest = &tail[word.len()..];
                continue;
            }
            if tail.starts_with('d') && !tail[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
                let opts = spec.date.as_ref().unwrap_or(&self.map.dates);
                out.push_str(&opts.format(ctx.today));
                rest = &tail[1..];
                continue;
            }
            if tail.starts_with('t') && !tail[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
                out.push_str(&ctx.now.format("%H:%M").to_string());
                rest = &tail[1..];
                continue;
            }
            out.push('@');
            rest = tail;
        }
        out.push_str(rest);
        out
    }

    fn has_target(&self, di: usize, f: &FieldDef) -> bool {
        self.target_index(di, f).is_some()
    }
    fn target_index(&self, di: usize, f: &FieldDef) -> Option<usize> {
        self.compiled[di].targets.iter().position(|t| *t == f)
    }

    /// Type the spec's value and store it: replace, or append within this record.
    fn store(
        &mut self,
        spec: &FieldSpec,
        field: &'static FieldDef,
        t: usize,
        value: Cow<'_, str>,
        ctx: &Ctx,
    ) -> Result<(), Reject> {
        match field.ty {
            FieldType::TextAn | FieldType::TextN => {
                let mut v = value;
                if let Some(opts) = &spec.date {
                    if !v.trim().is_empty() {
                        // A date into a text field (a note's stamp, S2:5039-5042).
                        let d = opts
                            .parse(&v, ctx.today)
                            .ok_or_else(|| format!("{}: '{v}' is not a date", field.code()))?;
                        v = Cow::Owned(DateOptions::default().format(d));
                    }
                }
                if field.ty == FieldType::TextN && !v.is_empty() {
                    v = text_n(v, spec.multiply)
                        .map_err(|v| format!("{}: '{v}' is not a whole number", field.code()))?;
                }
                if spec.insert_comma && !v.is_empty() {
                    v.to_mut().push(',');
                }
                let cur = &mut self.text[t];
                if self.set[t] && spec.append {
                    if !v.is_empty() {
                        if !cur.is_empty() {
                            if spec.prepend_comma && !cur.ends_with(',') {
                                cur.push(',');
                            }
                            if spec.add_space {
                                cur.push(' ');
                            }
                        }
                        cur.push_str(&v);
                    }
                } else {
                    cur.clear();
                    cur.push_str(&v);
                }
            }
            _ => {
                let typed = typed_value(field, spec, &value, &self.map.dates, ctx.today)?;
                self.typed[t] = Some(typed);
            }
        }
        self.set[t] = true;
        Ok(())
    }

    /// The final value of a target, width-checked (docs/import-maps.md: never truncated silently).
    fn final_value(&self, t: usize, field: &'static FieldDef) -> Result<Value, Reject> {
        if let Some(v) = &self.typed[t] {
            return Ok(v.clone());
        }
        let s = &self.text[t];
        if s.is_empty() {
            return Ok(Value::Null);
        }
        let len = s.chars().count();
        if len > field.width as usize {
            return Err(format!(
                "{}: {len} characters, the field holds {}",
                field.code(),
                field.width
            ));
        }
        if crate::plans::code::is_plan_code_field(field) {
            if let Some(problem) = crate::plans::code::code_problem(s) {
                return Err(format!("{}: {problem}", field.code()));
            }
        }
        Ok(Value::Text(s.clone()))
    }
}

fn compile(def: &RecordDef) -> Compiled {
    let mut targets: Vec<&'static FieldDef> = Vec::new();
    let mut target_of = Vec::new();
    let mut preserve = Vec::new();
    for spec in &def.fields {
        match spec.field {
            None => target_of.push(None),
            Some(f) => {
                let i = match targets.iter().position(|t| *t == f) {
                    Some(i) => i,
                    None => {
                        targets.push(f);
                        preserve.push(false);
                        targets.len() - 1
                    }
                };
                preserve[i] |= spec.preserve;
                target_of.push(Some(i));
            }
        }
    }
    let find = |code: &str| targets.iter().position(|t| t.code() == code);
    let name_contact = if def.kind == RecordKind::Debtor {
        match (find("de.na"), find("de.ct")) {
            (Some(na), None) => catalog::by_code("de.ct").map(|ct| (na, ct)),
            (None, Some(ct)) => catalog::by_code("de.na").map(|na| (ct, na)),
            _ => None,
        }
    } else {
        None
    };
    Compiled {
        targets,
        target_of,
        preserve,
        name_contact,
    }
}

/// Characters `offset .. offset+length` of a fixed-length line, trailing blanks dropped
/// (S2:5288-5297).
fn fixed_slice(line: &str, offset: usize, length: usize) -> &str {
    let s = if line.is_ascii() {
        let a = offset.min(line.len());
        let b = offset.saturating_add(length).min(line.len());
        &line[a..b]
    } else {
        let mut idx = line.char_indices().map(|(i, _)| i).chain([line.len()]);
        let a = idx.nth(offset).unwrap_or(line.len());
        let b = line
            .char_indices()
            .map(|(i, _)| i)
            .chain([line.len()])
            .nth(offset.saturating_add(length))
            .unwrap_or(line.len());
        &line[a..b.max(a)]
    };
    s.trim_end()
}

/// Trailing overpunch: the last character carries the last digit and the sign
/// (`{`/`A`-`I` positive 0-9, `}`/`J`-`R` negative 0-9).
fn overpunch(s: &str) -> Option<String> {
    let s = s.trim();
    let last = s.chars().last()?;
    let head = &s[..s.len() - last.len_utf8()];
    if !head.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let (neg, digit) = match last {
        '0'..='9' => (false, last),
        '{' => (false, '0'),
        '}' => (true, '0'),
        'A'..='I' => (false, (b'1' + (last as u8 - b'A')) as char),
        'J'..='R' => (true, (b'1' + (last as u8 - b'J')) as char),
        _ => return None,
    };
    Some(format!("{}{head}{digit}", if neg { "-" } else { "" }))
}

fn apply_case(case: Case, s: String) -> String {
    match case {
        Case::None => s,
        Case::Upper => s.to_uppercase(),
        Case::Lower => s.to_lowercase(),
        Case::Capitalize => {
            let mut out = String::with_capacity(s.len());
            let mut start = true;
            for c in s.chars() {
                if start {
                    out.extend(c.to_uppercase());
                } else {
                    out.extend(c.to_lowercase());
                }
                start = !c.is_alphanumeric();
            }
            out
        }
    }
}

fn cond_name(c: Condition) -> &'static str {
    match c {
        Condition::BlankPermitted => "blank_permitted",
        Condition::MustBeFilled => "must_be_filled",
        Condition::MustBeNonZero => "must_be_non_zero",
        Condition::MustEqual => "must_equal",
        Condition::MustNotEqual => "must_not_equal",
        Condition::GreaterThan => "greater_than",
        Condition::LessThan => "less_than",
    }
}

/// Compare the source with the comparand: numerically when both are numbers, else as
/// trimmed text, case-insensitively.
fn compare(c: Condition, text: &str, comparand: &str) -> bool {
    use std::cmp::Ordering;
    let ord = match (parse_amount(text), parse_amount(comparand)) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => text
            .trim()
            .to_lowercase()
            .cmp(&comparand.trim().to_lowercase()),
    };
    match c {
        Condition::MustEqual => ord == Ordering::Equal,
        Condition::MustNotEqual => ord != Ordering::Equal,
        Condition::GreaterThan => ord == Ordering::Greater,
        Condition::LessThan => ord == Ordering::Less,
        _ => true,
    }
}

/// Text N: whole numbers kept as text so leading zeros survive; `multiply` applies.
/// The unreadable text comes back as the error.
fn text_n(v: Cow<'_, str>, multiply: Option<Decimal>) -> Result<Cow<'_, str>, String> {
    if let Some(m) = multiply {
        return match parse_amount(&v) {
            Some(d) => Ok(Cow::Owned((d * m).normalize().to_string())),
            None => Err(v.into_owned()),
        };
    }
    let t = v.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if t.len() == v.len() {
            Ok(v)
        } else {
            Ok(Cow::Owned(t.to_string()))
        }
    } else {
        Err(v.into_owned())
    }
}

/// An amount: plain decimals go straight to `Decimal`; anything else (thousands
/// separators, `$`, parentheses, trailing minus) through `money::parse_amount`.
fn amount(t: &str) -> Option<Decimal> {
    let plain = !t.is_empty()
        && t.bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_digit() || b == b'.' || (i == 0 && b == b'-'));
    if plain {
        if let Ok(d) = t.parse::<Decimal>() {
            return Some(d);
        }
    }
    parse_amount(t)
}

/// A value of a non-text type from its text (docs/import-maps.md "Values by type").
pub fn typed_value(
    field: &FieldDef,
    spec: &FieldSpec,
    text: &str,
    global: &DateOptions,
    today: NaiveDate,
) -> Result<Value, Reject> {
    let code = || field.code();
    let t = text.trim();
    if t.is_empty() && field.ty != FieldType::Flag {
        return Ok(Value::Null);
    }
    Ok(match field.ty {
        FieldType::Currency | FieldType::Percent => {
            let t = t.strip_suffix('%').unwrap_or(t);
            let d = amount(t).ok_or_else(|| format!("{}: '{text}' is not an amount", code()))?;
            let d = spec.multiply.map_or(d, |m| d * m);
            if field.ty == FieldType::Currency {
                Value::Money(d)
            } else {
                Value::Percent(d.normalize())
            }
        }
        FieldType::Date => {
            let opts = spec.date.as_ref().unwrap_or(global);
            // Also take ISO dates, which is what our own exports and `@d` may write.
            let d = opts
                .parse(t, today)
                .or_else(|| crate::dates::parse_iso(t))
                .ok_or_else(|| format!("{}: '{text}' is not a date", code()))?;
            Value::Date(d)
        }
        FieldType::Flag => match t.to_ascii_uppercase().as_str() {
            "X" | "Y" | "YES" | "TRUE" | "1" => Value::Flag(true),
            "" | "N" | "NO" | "FALSE" | "0" => Value::Flag(false),
            _ => return Err(format!("{}: '{text}' is not a yes/no value", code())),
        },
        FieldType::TextAn | FieldType::TextN => Value::Text(t.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::source::Source;
    use rust_decimal_macros::dec;

    fn ctx() -> Ctx {
        Ctx {
            today: NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
            now: NaiveTime::from_hms_opt(15, 30, 0).unwrap(),
            client: Some(1001),
        }
    }

    /// Run a map over input text; each record's outcome with its line.
    fn run(map_src: &str, input: &str) -> Vec<(u64, Outcome)> {
        let map = Map::parse("t", map_src).unwrap();
        let mut src = Source::new(&map, input.as_bytes());
        let mut p = Pipeline::new(&map);
        let mut rec = RawRecord::default();
        let mut out = Vec::new();
        while src.next_record(&mut rec).unwrap() {
            out.push((rec.line, p.process(&rec, &ctx())));
        }
        out
    }

    fn parts(o: &Outcome) -> &Vec<Part> {
        match o {
            Outcome::Parsed(p) => p,
            other => panic!("not parsed: {other:?}"),
        }
    }

    fn txt(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn spec_payment_map() {
        let map = include_str!("../../maps/payments.toml");
        let input = "acct,name,id,code,amount,date\nA1,x,T1,P,$89.99,01/02/24\nA2,x,T2,R,(100.00),01/03/24\nA3,x,T3,Q,5,01/03/24\n";
        let out = run(map, input);
        let p = &parts(&out[0].1)[0];
        assert_eq!(out[0].0, 2);
        assert_eq!(p.get("tr.ty"), Some(&txt("101")));
        assert_eq!(p.get("tr.tu"), Some(&Value::Money(dec!(89.99))));
        let d = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        assert_eq!(p.get("tr.py"), Some(&Value::Date(d)));
        assert_eq!(p.get("tr.pd"), Some(&Value::Date(d)));
        assert_eq!(p.owner_keys[0].field.code(), "de.ac");
        assert_eq!(p.owner_keys[0].value, txt("A1"));
        assert!(p.owner_inhibit_autocreate());
        assert_eq!(p.keys[0].field.code(), "tr.id");
        assert!(p.skip_if_found());
        assert!(p.get("de.ac").is_none(), "owner keys are never written");
        let p = &parts(&out[1].1)[0];
        assert_eq!(p.get("tr.ty"), Some(&txt("105")));
        assert_eq!(p.get("tr.tu"), Some(&Value::Money(dec!(-100.00))));
        // Neither P nor R: both specs cancel only the field; tr.ty stays unset
        // (the apply step rejects a transaction without a type).
        let p = &parts(&out[2].1)[0];
        assert_eq!(p.get("tr.ty"), None);
        assert_eq!(p.accumulators, vec![(0, Some(dec!(5)))]);
    }

    const DEBTOR: &str = "format = \"csv\"\n[[record]]\ntype = \"debtor\"\n";

    #[test]
    fn append_builds_last_first_once() {
        let map = format!(
            "{DEBTOR}[[record.field]]\nfield = \"de.na\"\nsource = \"@A\"\n\
             [[record.field]]\nfield = \"de.na\"\nsource = \"@B\"\nappend = true\nprepend_comma = true\nadd_space = true\n"
        );
        let out = run(&map, "Doe,John\nCher,\n");
        let p = &parts(&out[0].1)[0];
        assert_eq!(p.get("de.na"), Some(&txt("Doe, John")));
        assert_eq!(
            p.get("de.ct"),
            Some(&txt("Doe, John")),
            "name fills contact"
        );
        assert_eq!(parts(&out[1].1)[0].get("de.na"), Some(&txt("Cher")));
    }

    #[test]
    fn cursor_rules() {
        // No source: the column at the cursor; @X does not move it; "@ " reads nothing;
        // "@>" reads nothing and advances (S2:5280-5286).
        let map = format!(
            "{DEBTOR}[[record.field]]\nfield = \"de.ac\"\n\
             [[record.field]]\nfield = \"de.u1\"\nsource = \"@D\"\n\
             [[record.field]]\nfield = \"de.na\"\n\
             [[record.field]]\nfield = \"de.mo\"\nsource = \"@ \"\nfill = \"A\"\n\
             [[record.field]]\nfield = \"de.ok\"\nsource = \"@>\"\nfill = \"X\"\n\
             [[record.field]]\nfield = \"de.ci\"\n"
        );
        let out = run(&map, "acct,name,skipped,city\n");
        let p = &parts(&out[0].1)[0];
        assert_eq!(p.get("de.ac"), Some(&txt("acct")));
        assert_eq!(p.get("de.u1"), Some(&txt("city")));
        assert_eq!(p.get("de.na"), Some(&txt("name")));
        assert_eq!(p.get("de.mo"), Some(&txt("A")));
        assert_eq!(p.get("de.ok"), Some(&Value::Flag(true)));
        assert_eq!(p.get("de.ci"), Some(&txt("city")));
    }

    #[test]
    fn values_by_type() {
        let map = format!(
            "{DEBTOR}[[record.field]]\nfield = \"de.rt\"\n\
             [[record.field]]\nfield = \"de.cbr\"\n\
             [[record.field]]\nfield = \"de.fi\"\n\
             [[record.field]]\nfield = \"de.dob\"\n"
        );
        let out = run(
            &map,
            "\"15,000.00\",YES,007,4/9/2001\n(1.5),no,12,\n50,maybe,1,\n1,1,1a,\n1,1,1,2/30/2001\n",
        );
        let p = &parts(&out[0].1)[0];
        assert_eq!(p.get("de.rt"), Some(&Value::Percent(dec!(15000))));
        assert_eq!(p.get("de.cbr"), Some(&Value::Flag(true)));
        assert_eq!(p.get("de.fi"), Some(&txt("007")), "Text N keeps zeros");
        assert_eq!(
            p.get("de.dob"),
            Some(&Value::Date(NaiveDate::from_ymd_opt(2001, 4, 9).unwrap()))
        );
        let p = &parts(&out[1].1)[0];
        assert_eq!(p.get("de.rt"), Some(&Value::Percent(dec!(-1.5))));
        assert_eq!(p.get("de.cbr"), Some(&Value::Flag(false)));
        assert_eq!(p.get("de.dob"), Some(&Value::Null));
        assert_eq!(
            out[2].1,
            Outcome::Rejected("de.cbr: 'maybe' is not a yes/no value".into())
        );
        assert_eq!(
            out[3].1,
            Outcome::Rejected("de.fi: '1a' is not a whole number".into())
        );
        assert_eq!(
            out[4].1,
            Outcome::Rejected("de.dob: '2/30/2001' is not a date".into())
        );
    }

    #[test]
    fn width_on_final_value() {
        let map = format!(
            "{DEBTOR}[[record.field]]\nfield = \"de.mo\"\n\
             [[record.field]]\nfield = \"de.mo\"\nsource = \"@B\"\nappend = true\n"
        );
        let out = run(&map, "A,\nA,B\n");
        assert_eq!(parts(&out[0].1)[0].get("de.mo"), Some(&txt("A")));
        assert_eq!(
            out[1].1,
            Outcome::Rejected("de.mo: 2 characters, the field holds 1".into())
        );
    }

    #[test]
    fn conditions() {
        let map = format!(
            "{DEBTOR}[[record.field]]\nfield = \"de.na\"\ncondition = \"must_be_filled\"\n\
             [[record.field]]\nfield = \"de.sta\"\nsource = \"@B\"\ncondition = \"must_not_equal\"\ndefault = \"X\"\nfail_cancels_field_only = true\n\
             [[record.field]]\nfield = \"de.u1\"\nsource = \"@C\"\ncondition = \"greater_than\"\ndefault = \"100\"\nfill = \"BIG\"\nfail_cancels_field_only = true\n"
        );
        let out = run(&map, "Doe,NEW,1000.50\n,NEW,5\nDoe,X,99\n");
        let p = &parts(&out[0].1)[0];
        assert_eq!(p.get("de.sta"), Some(&txt("NEW")));
        assert_eq!(p.get("de.u1"), Some(&txt("BIG")));
        assert!(matches!(&out[1].1, Outcome::Rejected(r) if r.contains("must_be_filled")));
        let p = &parts(&out[2].1)[0];
        assert_eq!(
            p.get("de.sta"),
            None,
            "failed condition cancels the field only"
        );
        assert_eq!(p.get("de.u1"), None);
        assert_eq!(p.get("de.na"), Some(&txt("Doe")));
    }

    #[test]
    fn skip_remaining_only_same_field() {
        let map = format!(
            "{DEBTOR}[[record.field]]\nfield = \"de.sta\"\ncondition = \"must_equal\"\ndefault = \"N\"\nfill = \"NEW\"\nfail_cancels_field_only = true\nskip_remaining = true\n\
             [[record.field]]\nfield = \"de.sta\"\nsource = \"@A\"\ncondition = \"must_not_equal\"\ndefault = \"Z\"\nfill = \"OTH\"\nfail_cancels_field_only = true\n\
             [[record.field]]\nfield = \"de.u1\"\nsource = \"@A\"\ncondition = \"must_equal\"\ndefault = \"N\"\nfill = \"seen\"\nfail_cancels_field_only = true\n"
        );
        let out = run(&map, "N\nQ\n");
        let p = &parts(&out[0].1)[0];
        assert_eq!(p.get("de.sta"), Some(&txt("NEW")));
        assert_eq!(
            p.get("de.u1"),
            Some(&txt("seen")),
            "other fields still evaluated"
        );
        assert_eq!(parts(&out[1].1)[0].get("de.sta"), Some(&txt("OTH")));
    }

    #[test]
    fn defaults_fill_and_printable_codes() {
        let map = "format = \"csv\"\n[[record]]\ntype = \"note\"\n\
             [[record.field]]\nfield = \"de.ac\"\nkey = true\n\
             [[record.field]]\nfield = \"no.te\"\nsource = \"@ \"\ndefault = \"@d\"\n\
             [[record.field]]\nfield = \"no.te\"\nsource = \"@ \"\ndefault = \"@t\"\nappend = true\nadd_space = true\n\
             [[record.field]]\nfield = \"no.te\"\nsource = \"@ \"\nfill = \"NEW OWN :\"\nappend = true\nadd_space = true\n\
             [[record.field]]\nfield = \"no.te\"\nsource = \"@B\"\nappend = true\nadd_space = true\n\
             [[record.field]]\nfield = \"no.dt\"\nsource = \"@ \"\ndefault = \"@d\"\n";
        let out = run(map, "A1,Review@x0Aline two\n");
        let p = &parts(&out[0].1)[0];
        assert_eq!(p.kind, RecordKind::Note);
        assert_eq!(
            p.get("no.te"),
            Some(&txt("06/01/2024 15:30 NEW OWN : Review\nline two"))
        );
        assert_eq!(
            p.get("no.dt"),
            Some(&Value::Date(NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()))
        );
        let map = format!("{DEBTOR}[[record.field]]\nfield = \"de.cn\"\nsource = \"@ \"\ndefault = \"@cl.nu\"\n[[record.field]]\nfield = \"de.u2\"\nsource = \"@ \"\ndefault = \"mail@example.com\"\n");
        let out = run(&map, "x\n");
        assert_eq!(parts(&out[0].1)[0].get("de.cn"), Some(&txt("1001")));
        assert_eq!(
            parts(&out[0].1)[0].get("de.u2"),
            Some(&txt("mail@example.com"))
        );
    }

    #[test]
    fn scan_strip_case_overpunch_multiply() {
        let map = format!(
            "{DEBTOR}[[record.field]]\nfield = \"de.na\"\nscan = \"%*[^,], %[^\\n]\"\ncase = \"capitalize\"\n\
             [[record.field]]\nfield = \"de.ss\"\nstrip = [\"non_numeric\"]\n\
             [[record.field]]\nfield = \"de.rt\"\ntrailing_overpunch = true\nmultiply = \"0.01\"\n\
             [[record.field]]\nfield = \"de.ci\"\ncase = \"upper\"\n"
        );
        let out = run(&map, "\"DOE, JOHN O'BRIEN\",123-45-6789,125},sacramento\n");
        let p = &parts(&out[0].1)[0];
        assert_eq!(p.get("de.na"), Some(&txt("John O'Brien")));
        assert_eq!(p.get("de.ss"), Some(&txt("123456789")));
        assert_eq!(p.get("de.rt"), Some(&Value::Percent(dec!(-12.5))));
        assert_eq!(p.get("de.ci"), Some(&txt("SACRAMENTO")));
    }

    #[test]
    fn fixed_and_multi_line() {
        let map = "format = \"fixed\"\n[[record]]\ntype = \"debtor\"\nidentifier = \"RECORD\"\n\
             [[record.field]]\nfield = \"de.ac\"\noffset = 7\nlength = 6\nkey = true\n\
             [[record.field]]\nfield = \"de.na\"\nline = 1\nlength = 20\n\
             [[record.field]]\nfield = \"de.ci\"\nline = 2\noffset = 2\nlength = 10\n";
        let input = "junk before\r\nRECORD A00001\r\nDoe, John           X\r\n  Sacramento\r\nRECORD A00002\r\nRoe, Jane\r\n";
        let out = run(map, input);
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].1, Outcome::NoMatch);
        assert_eq!(out[1].0, 2);
        let p = &parts(&out[1].1)[0];
        assert_eq!(p.get("de.ac"), Some(&txt("A00001")));
        assert_eq!(p.get("de.na"), Some(&txt("Doe, John")));
        assert_eq!(p.get("de.ci"), Some(&txt("Sacramento")));
        assert_eq!(out[2].0, 5);
        assert_eq!(parts(&out[2].1)[0].get("de.ci"), Some(&Value::Null));
    }

    #[test]
    fn overpunch_table() {
        assert_eq!(overpunch("1234{").as_deref(), Some("12340"));
        assert_eq!(overpunch("1234A").as_deref(), Some("12341"));
        assert_eq!(overpunch("1234R").as_deref(), Some("-12349"));
        assert_eq!(overpunch("12x4R"), None);
    }
}
