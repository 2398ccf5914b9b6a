//! The report data source over the store (schema conventions: one table per form, one
//! column per catalogue field; money in cents, dates `YYYY-MM-DD`, flags 0/1). This is
//! the report query compiler, kept specialised behind the store: it builds each
//! form's SELECT from the catalogue and the fields a report uses.
//!
//! Loops stream rows straight from a prepared statement, so a listing over a million
//! debtors holds one row at a time. Only the fields the report uses are read.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::OnceLock;

use chrono::NaiveDate;
use rusqlite::types::ValueRef;

use super::source::{CcKind, DataSource, Query, Record, Visit};
use super::sql::column;
use super::{value_from_sql, Db};
use crate::catalog::{self, FieldDef, FieldType, Form, Value};
use crate::{bail, Error, Result};

pub struct SqliteSource<'c> {
    conn: &'c Db,
}

/// How the report reads the catalogue tables: each form's key column, the columns that
/// name its owner and the WHERE clause of a parent's records. Looked up in the catalogue
/// once per process, so no loop looks a column up per record.
struct Layout {
    key: HashMap<Form, &'static str>,
    owners: HashMap<Form, Vec<(&'static str, Form)>>,
    children: HashMap<(Form, Form), String>,
}

fn layout() -> Result<&'static Layout> {
    static LAYOUT: OnceLock<Layout> = OnceLock::new();
    if let Some(l) = LAYOUT.get() {
        return Ok(l);
    }
    let client = column("cl.nu")?;
    let debtor = column("de.fi")?;
    let debtor_client = column("de.cn")?;
    let statement = column("st.nu")?;
    let statement_client = column("st.cl")?;
    // `id` (a row's own key), `fi` and `cn` on cosigner, transaction, contact, note and
    // phone, and an invoice line's `st` are the store's key columns, which the catalogue
    // does not describe (schema.rs `key_columns`).
    let mut key = HashMap::new();
    let mut owners = HashMap::new();
    for form in Form::ALL {
        key.insert(
            form,
            match form {
                Form::Client => client,
                Form::Statement => statement,
                Form::Debtor => debtor,
                _ => "id",
            },
        );
        let of: Vec<(&'static str, Form)> = match form {
            Form::Debtor => vec![(debtor_client, Form::Client)],
            Form::Cosigner | Form::Transaction => vec![("fi", Form::Debtor)],
            Form::Contact | Form::Note | Form::Phone => {
                vec![("fi", Form::Debtor), ("cn", Form::Client)]
            }
            Form::Statement => vec![(statement_client, Form::Client)],
            Form::InvoiceLine => vec![("st", Form::Statement)],
            _ => vec![],
        };
        owners.insert(form, of);
    }
    let mut children = HashMap::new();
    children.insert(
        (Form::Debtor, Form::Client),
        format!("{debtor_client} = ?1"),
    );
    for form in [Form::Cosigner, Form::Transaction] {
        children.insert((form, Form::Debtor), "fi = ?1".to_string());
    }
    for form in [Form::Contact, Form::Note, Form::Phone] {
        children.insert((form, Form::Debtor), "fi = ?1".to_string());
        children.insert((form, Form::Client), "cn = ?1 AND fi IS NULL".to_string());
    }
    children.insert((Form::InvoiceLine, Form::Statement), "st = ?1".to_string());
    children.insert(
        (Form::Statement, Form::Client),
        format!("{statement_client} = ?1"),
    );
    Ok(LAYOUT.get_or_init(|| Layout {
        key,
        owners,
        children,
    }))
}

impl Layout {
    fn key_column(&self, form: Form) -> &'static str {
        self.key.get(&form).copied().unwrap_or("id")
    }

    /// Owner columns of a form's table, in the order they are tried.
    fn owner_columns(&self, form: Form) -> &[(&'static str, Form)] {
        self.owners.get(&form).map_or(&[], |v| v.as_slice())
    }

    /// The WHERE clause that selects `form` records belonging to a `parent` record.
    fn child_filter(&self, form: Form, parent: Form) -> Option<&str> {
        self.children.get(&(form, parent)).map(|s| s.as_str())
    }
}

impl<'c> SqliteSource<'c> {
    pub fn new(conn: &'c Db) -> Self {
        SqliteSource { conn }
    }

    fn select(l: &Layout, form: Form, need: &[usize]) -> (String, Vec<&'static FieldDef>) {
        let fields: Vec<&'static FieldDef> =
            need.iter().filter_map(|i| form.fields().nth(*i)).collect();
        let mut cols = vec![l.key_column(form).to_string()];
        cols.extend(l.owner_columns(form).iter().map(|(c, _)| c.to_string()));
        cols.extend(fields.iter().map(|f| f.column.to_string()));
        (
            format!("SELECT {} FROM {}", cols.join(", "), form.table()),
            fields,
        )
    }

    fn record(
        l: &Layout,
        form: Form,
        need: &[usize],
        fields: &[&FieldDef],
        row: &rusqlite::Row,
    ) -> Result<Record> {
        let id: i64 = row.get(0)?;
        // Only the slots up to the last field read: `Record::get` treats the rest as blank.
        let len = need.iter().max().map(|m| m + 1).unwrap_or(0);
        let mut rec = Record {
            form,
            id,
            owner: None,
            values: vec![Value::Null; len],
        };
        let owners = l.owner_columns(form);
        for (i, (_, of)) in owners.iter().enumerate() {
            if let Some(oid) = row.get::<_, Option<i64>>(i + 1)? {
                rec.owner = Some((*of, oid));
                break;
            }
        }
        let base = 1 + owners.len();
        for (k, (idx, f)) in need.iter().zip(fields).enumerate() {
            rec.values[*idx] = value_from_sql(f, row.get_ref(base + k)?);
        }
        Ok(rec)
    }

    /// Read-only views named by form code with columns named by field code (docs/report-language.md
    /// `@SQL`): currency in dollars, percent as a number, dates `YYYY-MM-DD`.
    fn create_views(&self) -> Result<()> {
        let l = layout()?;
        let mut sql = String::new();
        for form in Form::ALL {
            let mut cols = Vec::new();
            for f in form.fields() {
                let col = match f.ty {
                    FieldType::Currency => format!("{}.{} / 100.0", form.table(), f.column),
                    FieldType::Percent => format!("CAST({}.{} AS REAL)", form.table(), f.column),
                    _ => format!("{}.{}", form.table(), f.column),
                };
                cols.push(format!("{col} AS \"{}\"", f.field));
            }
            let key = l.key_column(form);
            if !form.fields().any(|f| f.column == key) {
                cols.insert(0, format!("{}.{key} AS \"{key}\"", form.table()));
            }
            for (c, _) in l.owner_columns(form) {
                if !form.fields().any(|f| f.field == *c) {
                    cols.push(format!("{}.{c} AS \"{c}\"", form.table()));
                }
            }
            sql.push_str(&format!(
                "CREATE TEMP VIEW IF NOT EXISTS \"{}\" AS SELECT {} FROM main.{};\n",
                form.code(),
                cols.join(", "),
                form.table()
            ));
        }
        self.conn.execute_batch(&sql)?;
        Ok(())
    }
}

impl DataSource for SqliteSource<'_> {
    fn each(&self, q: &Query, visit: &mut Visit) -> Result<()> {
        let l = layout()?;
        let (mut sql, fields) = Self::select(l, q.form, q.need);
        let mut arg = None;
        if let Some(p) = q.parent {
            if let Some((of, oid)) = p.owner {
                if of == q.form {
                    if let Some(r) = self.get(of, oid, q.need)? {
                        visit(r)?;
                    }
                    return Ok(());
                }
            }
            let Some(filter) = l.child_filter(q.form, p.form) else {
                return Ok(());
            };
            sql.push_str(" WHERE ");
            sql.push_str(filter);
            arg = Some(p.id);
        }
        // Streamed in key order (flat memory).
        sql.push_str(&format!(" ORDER BY {}", l.key_column(q.form)));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = match arg {
            Some(a) => stmt.query([a])?,
            None => stmt.query([])?,
        };
        while let Some(row) = rows.next()? {
            let rec = Self::record(l, q.form, q.need, &fields, row)?;
            if !visit(Rc::new(rec))? {
                break;
            }
        }
        Ok(())
    }

    fn get(&self, form: Form, id: i64, need: &[usize]) -> Result<Option<Rc<Record>>> {
        let l = layout()?;
        let (mut sql, fields) = Self::select(l, form, need);
        sql.push_str(&format!(" WHERE {} = ?1", l.key_column(form)));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([id])?;
        match rows.next()? {
            Some(row) => Ok(Some(Rc::new(Self::record(l, form, need, &fields, row)?))),
            None => Ok(None),
        }
    }

    fn pick_list(&self, field: &FieldDef) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, text FROM pick_list WHERE field = ?1 ORDER BY ord")?;
        let rows = stmt.query_map([field.code()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// docs/plans-and-letters.md: a control applies when its type matches and its state is blank or the
    /// debtor's; it allows a contact when fewer than `max_times` completed contacts of that
    /// type fall in the `period_days` days up to today (S2:1671-1809).
    fn contact_ok(&self, kind: CcKind, debtor: &Record, today: NaiveDate) -> Result<bool> {
        super::contacts::contact_allowed(self.conn, kind, debtor.id, today, 0)
    }

    fn sql(&self, query: &str) -> Result<Vec<Vec<Value>>> {
        let q = query.trim();
        let head = q
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if head != "select" && head != "with" {
            bail!(runtime, "only SELECT queries are allowed");
        }
        self.create_views()?;
        let budget = super::budget::sql_budget()?;
        self.conn.execute_batch("PRAGMA query_only = ON")?;
        // Past the budget the store's progress handler interrupts the query (a
        // recursive CTE with no stop never ends on its own).
        let (result, ran_out) = super::budget::within(budget, || -> Result<Vec<Vec<Value>>> {
            let mut stmt = self.conn.prepare(q)?;
            if !stmt.readonly() {
                bail!(runtime, "only read-only queries are allowed");
            }
            let n = stmt.column_count();
            // A REAL column named like a currency (percent) field reads back as one.
            let kinds: Vec<Option<FieldType>> = (0..n)
                .map(|i| {
                    let name = stmt.column_name(i).unwrap_or("").to_ascii_lowercase();
                    catalog::FIELDS
                        .iter()
                        .find(|f| {
                            f.field == name
                                && matches!(f.ty, FieldType::Currency | FieldType::Percent)
                        })
                        .map(|f| f.ty)
                })
                .collect();
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            let mut cells = 0usize;
            while let Some(row) = rows.next()? {
                cells = cells.saturating_add(n.max(1));
                if cells > SQL_MAX_CELLS {
                    bail!(
                        validation,
                        "the query returns more than {SQL_MAX_CELLS} cells (the array limit)"
                    );
                }
                let mut r = Vec::with_capacity(n);
                for (i, kind) in kinds.iter().enumerate() {
                    r.push(match row.get_ref(i)? {
                        ValueRef::Null => Value::Null,
                        ValueRef::Integer(i) => Value::Text(i.to_string()),
                        // Currency views divide cents by 100; read the decimal back from
                        // SQLite's shortest round-trip text, never computing with floats.
                        ValueRef::Real(f) => match (f.to_string().parse(), kind) {
                            (Ok(d), Some(FieldType::Currency)) => {
                                Value::Money(crate::amount::round_cents(d))
                            }
                            (Ok(d), Some(_)) => Value::Percent(d),
                            _ => Value::Text(f.to_string()),
                        },
                        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                        ValueRef::Blob(_) => Value::Null,
                    });
                }
                out.push(r);
            }
            Ok(out)
        });
        self.conn.execute_batch("PRAGMA query_only = OFF")?;
        result.map_err(|e| {
            if ran_out {
                Error::validation(format!(
                    "the query ran longer than its budget of {} s and was stopped (RECOUP_SQL_BUDGET)",
                    budget.as_secs_f64()
                ))
            } else {
                e
            }
        })
    }
}

/// At most as many values as an array may hold (`eval.rs`: 1,000,000 cells).
const SQL_MAX_CELLS: usize = 1_000_000;
