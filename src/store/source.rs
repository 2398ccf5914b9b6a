//! The interface a report's data source implements (docs/architecture.md: "the report
//! interpreter reads through one Record/Context trait so statements, letters and ad-hoc
//! reports share it"). It lives in the store, below the report layer, so a backend
//! implements it without depending on the report interpreter; `crate::report` re-exports
//! it unchanged.

use std::rc::Rc;

use chrono::NaiveDate;

use crate::catalog::{FieldDef, Form, Value};
use crate::Result;

/// A contact control's kind (`@CCLETTEROK`, `@CCCALLOK`, `@CCEMAILOK`, `@CCTEXTOK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CcKind {
    Letter,
    Call,
    Email,
    Text,
}

impl CcKind {
    /// The contact type counted by this control (README "Using it" `[[contact_control]] type`).
    pub fn type_name(self) -> &'static str {
        match self {
            CcKind::Letter => "letter",
            CcKind::Call => "phone",
            CcKind::Email => "email",
            CcKind::Text => "text",
        }
    }
}

/// One record of a form. `values[i]` belongs to the i-th field of `form.fields()`;
/// fields the report does not use may be left `Null` by a source.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub form: Form,
    /// Primary key: client and statement number, debtor file number, row id otherwise;
    /// the company record is 1.
    pub id: i64,
    /// The record this one belongs to: a debtor's client, a transaction's debtor, a
    /// client note's client, an invoice line's statement, a statement's client.
    pub owner: Option<(Form, i64)>,
    pub values: Vec<Value>,
}

impl Record {
    pub fn new(form: Form, id: i64) -> Record {
        Record {
            form,
            id,
            owner: None,
            values: vec![Value::Null; form.fields().count()],
        }
    }
    pub fn owned_by(mut self, form: Form, id: i64) -> Record {
        self.owner = Some((form, id));
        self
    }
    /// Set a field by its code within the form (`"na"`); false when there is no such field.
    pub fn set(&mut self, field: &str, v: Value) -> bool {
        match self
            .form
            .fields()
            .position(|f| f.field.eq_ignore_ascii_case(field))
        {
            Some(i) => {
                if self.values.len() <= i {
                    self.values.resize(i + 1, Value::Null);
                }
                self.values[i] = v;
                true
            }
            None => false,
        }
    }
    /// Builder form of [`Record::set`] for tests and generators; unknown fields are ignored.
    pub fn with(mut self, field: &str, v: impl Into<Value>) -> Record {
        self.set(field, v.into());
        self
    }
    pub fn get(&self, idx: usize) -> &Value {
        self.values.get(idx).unwrap_or(&Value::Null)
    }
    pub fn field(&self, field: &str) -> &Value {
        match self
            .form
            .fields()
            .position(|f| f.field.eq_ignore_ascii_case(field))
        {
            Some(i) => self.get(i),
            None => &Value::Null,
        }
    }
}

/// What a loop asks for: records of `form`, all or related to `parent`, with at least the
/// fields `need` (indices into `form.fields()`) filled. Records come in key order.
pub struct Query<'a> {
    pub form: Form,
    pub parent: Option<&'a Record>,
    pub need: &'a [usize],
}

/// `visit` returns `Ok(false)` to stop early (`max = n`).
pub type Visit<'v> = dyn FnMut(Rc<Record>) -> Result<bool> + 'v;

pub trait DataSource {
    /// Records of `q.form` in key order: all of them, or those related to `q.parent`:
    /// the parent's own records (`@cl.de`, `@de.tr`) or the record that owns the parent
    /// (`@de.cl`).
    fn each(&self, q: &Query, visit: &mut Visit) -> Result<()>;
    /// One record by key.
    fn get(&self, form: Form, id: i64, need: &[usize]) -> Result<Option<Rc<Record>>>;
    /// The pick list of a field as (key, text) pairs; empty when it has none.
    fn pick_list(&self, field: &FieldDef) -> Result<Vec<(String, String)>>;
    /// May this debtor be contacted this way today (`@CCLETTEROK` …)?
    fn contact_ok(&self, kind: CcKind, debtor: &Record, today: NaiveDate) -> Result<bool>;
    /// `@SQL(select …)` against the read-only views; rows of values.
    fn sql(&self, query: &str) -> Result<Vec<Vec<Value>>>;
}
