//! Where a report's records come from (docs/architecture.md: "the report interpreter reads through
//! one Record/Context trait so statements, letters and ad-hoc reports share it").
//!
//! The trait and the record it serves live in the store ([`crate::store::source`]), below
//! the report layer, so a backend implements them without knowing the interpreter.
//! [`MemorySource`] serves tests and callers that already hold records;
//! [`crate::store::report_source::SqliteSource`] reads the store.

use std::collections::HashMap;
use std::rc::Rc;

use chrono::NaiveDate;

use super::ast::CcKind;
use crate::catalog::{FieldDef, Form, Value};
use crate::Result;

pub use crate::store::source::{DataSource, Query, Record, Visit};

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_string())
    }
}

/// Records held in memory, with relation indexes.
#[derive(Default)]
pub struct MemorySource {
    by_form: HashMap<Form, Vec<Rc<Record>>>,
    by_key: HashMap<(Form, i64), Rc<Record>>,
    children: HashMap<(Form, Form, i64), Vec<Rc<Record>>>,
    picks: HashMap<String, Vec<(String, String)>>,
    /// `(kind, debtor) → allowed`; debtors not listed are allowed.
    contact: HashMap<(&'static str, i64), bool>,
    sql_rows: HashMap<String, Vec<Vec<Value>>>,
}

impl MemorySource {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a record; records of a form are served in the order of their keys.
    pub fn insert(&mut self, rec: Record) {
        let rec = Rc::new(rec);
        if let Some((of, oid)) = rec.owner {
            push_sorted(
                self.children.entry((rec.form, of, oid)).or_default(),
                rec.clone(),
            );
        }
        push_sorted(self.by_form.entry(rec.form).or_default(), rec.clone());
        self.by_key.insert((rec.form, rec.id), rec);
    }

    pub fn add_pick(&mut self, code: &str, key: &str, text: &str) {
        self.picks
            .entry(code.to_ascii_lowercase())
            .or_default()
            .push((key.to_string(), text.to_string()));
    }

    pub fn set_contact_ok(&mut self, kind: CcKind, debtor: i64, ok: bool) {
        self.contact.insert((kind.type_name(), debtor), ok);
    }

    /// The rows `@SQL(query)` returns (exact query text).
    pub fn set_sql(&mut self, query: &str, rows: Vec<Vec<Value>>) {
        self.sql_rows.insert(query.trim().to_string(), rows);
    }
}

fn push_sorted(v: &mut Vec<Rc<Record>>, r: Rc<Record>) {
    if v.last().is_none_or(|l| l.id <= r.id) {
        v.push(r);
    } else {
        let at = v.partition_point(|x| x.id <= r.id);
        v.insert(at, r);
    }
}

impl DataSource for MemorySource {
    fn each(&self, q: &Query, visit: &mut Visit) -> Result<()> {
        let list: &[Rc<Record>] = match q.parent {
            None => self
                .by_form
                .get(&q.form)
                .map(|v| v.as_slice())
                .unwrap_or(&[]),
            Some(p) => {
                if p.owner.map(|(f, _)| f) == Some(q.form) {
                    let Some((f, id)) = p.owner else {
                        return Ok(());
                    };
                    if let Some(r) = self.by_key.get(&(f, id)) {
                        visit(r.clone())?;
                    }
                    return Ok(());
                }
                self.children
                    .get(&(q.form, p.form, p.id))
                    .map(|v| v.as_slice())
                    .unwrap_or(&[])
            }
        };
        for r in list {
            if !visit(r.clone())? {
                break;
            }
        }
        Ok(())
    }

    fn get(&self, form: Form, id: i64, _need: &[usize]) -> Result<Option<Rc<Record>>> {
        Ok(self.by_key.get(&(form, id)).cloned())
    }

    fn pick_list(&self, field: &FieldDef) -> Result<Vec<(String, String)>> {
        Ok(self.picks.get(&field.code()).cloned().unwrap_or_default())
    }

    fn contact_ok(&self, kind: CcKind, debtor: &Record, _today: NaiveDate) -> Result<bool> {
        Ok(*self
            .contact
            .get(&(kind.type_name(), debtor.id))
            .unwrap_or(&true))
    }

    fn sql(&self, query: &str) -> Result<Vec<Vec<Value>>> {
        match self.sql_rows.get(query.trim()) {
            Some(rows) => Ok(rows.clone()),
            None => crate::bail!(runtime, "@SQL: no data for this query in memory"),
        }
    }
}

/// Every catalogue field index of a form (for sources asked for "everything").
pub fn all_fields(form: Form) -> Vec<usize> {
    (0..form.fields().count()).collect()
}

/// The catalogue definition of field `idx` of `form`.
pub fn field_def(form: Form, idx: usize) -> Option<&'static FieldDef> {
    form.fields().nth(idx)
}
