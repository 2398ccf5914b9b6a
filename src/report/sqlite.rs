//! The report data source over the store (schema conventions: one table per form, one
//! column per catalogue field; money in cents, dates `YYYY-MM-DD`, flags 0/1).
//!
//! Loops stream rows straight from a prepared statement, so a listing over a million
//! debtors holds one row at a time. Only the fields the report uses are read.

use std::rc::Rc;

use chrono::NaiveDate;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::ast::CcKind;
use super::source::{DataSource, Query, Record, Visit};
use crate::catalog::{self, FieldDef, FieldType, Form, Value};
use crate::store::value_from_sql;
use crate::{bail, Error, Result};

pub struct SqliteSource<'c> {
    conn: &'c Connection,
}

fn key_column(form: Form) -> &'static str {
    match form {
        Form::Client | Form::Statement => "nu",
        Form::Debtor => "fi",
        _ => "id",
    }
}

/// Owner columns of a form's table, in the order they are tried.
fn owner_columns(form: Form) -> &'static [(&'static str, Form)] {
    match form {
        Form::Debtor => &[("cn", Form::Client)],
        Form::Cosigner | Form::Transaction => &[("fi", Form::Debtor)],
        Form::Contact | Form::Note | Form::Phone => &[("fi", Form::Debtor), ("cn", Form::Client)],
        Form::Statement => &[("cl", Form::Client)],
        Form::InvoiceLine => &[("st", Form::Statement)],
        _ => &[],
    }
}

/// The WHERE clause that selects `form` records belonging to a `parent` record.
fn child_filter(form: Form, parent: Form) -> Option<&'static str> {
    Some(match (form, parent) {
        (Form::Debtor, Form::Client) => "cn = ?1",
        (Form::Cosigner | Form::Transaction, Form::Debtor) => "fi = ?1",
        (Form::Contact | Form::Note | Form::Phone, Form::Debtor) => "fi = ?1",
        (Form::Contact | Form::Note | Form::Phone, Form::Client) => "cn = ?1 AND fi IS NULL",
        (Form::InvoiceLine, Form::Statement) => "st = ?1",
        (Form::Statement, Form::Client) => "cl = ?1",
        _ => return None,
    })
}

impl<'c> SqliteSource<'c> {
    pub fn new(conn: &'c Connection) -> Self {
        SqliteSource { conn }
    }

    fn select(form: Form, need: &[usize]) -> (String, Vec<&'static FieldDef>) {
        let fields: Vec<&'static FieldDef> =
            need.iter().filter_map(|i| form.fields().nth(*i)).collect();
        let mut cols = vec![key_column(form).to_string()];
        cols.extend(owner_columns(form).iter().map(|(c, _)| c.to_string()));
        cols.extend(fields.iter().map(|f| f.column.to_string()));
        (
            format!("SELECT {} FROM {}", cols.join(", "), form.table()),
            fields,
        )
    }

    fn record(
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
        let owners = owner_columns(form);
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
            if !form.fields().any(|f| f.column == key_column(form)) {
                cols.insert(
                    0,
                    format!(
                        "{}.{} AS \"{}\"",
                        form.table(),
                        key_column(form),
                        key_column(form)
                    ),
                );
            }
            for (c, _) in owner_columns(form) {
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
        let (mut sql, fields) = Self::select(q.form, q.need);
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
            let Some(filter) = child_filter(q.form, p.form) else {
                return Ok(());
            };
            sql.push_str(" WHERE ");
            sql.push_str(filter);
            arg = Some(p.id);
        }
        // Streamed in key order (flat memory).
        sql.push_str(&format!(" ORDER BY {}", key_column(q.form)));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = match arg {
            Some(a) => stmt.query([a])?,
            None => stmt.query([])?,
        };
        while let Some(row) = rows.next()? {
            let rec = Self::record(q.form, q.need, &fields, row)?;
            if !visit(Rc::new(rec))? {
                break;
            }
        }
        Ok(())
    }

    fn get(&self, form: Form, id: i64, need: &[usize]) -> Result<Option<Rc<Record>>> {
        let (mut sql, fields) = Self::select(form, need);
        sql.push_str(&format!(" WHERE {} = ?1", key_column(form)));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([id])?;
        match rows.next()? {
            Some(row) => Ok(Some(Rc::new(Self::record(form, need, &fields, row)?))),
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
        contact_allowed(self.conn, kind, debtor.id, today, 0)
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
        let budget = sql_budget()?;
        self.conn.execute_batch("PRAGMA query_only = ON")?;
        // Past the budget the store's progress handler interrupts the query (a
        // recursive CTE with no stop never ends on its own).
        let (result, ran_out) =
            crate::store::budget::within(budget, || -> Result<Vec<Vec<Value>>> {
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
                                    Value::Money(crate::money::round_cents(d))
                                }
                                (Ok(d), Some(_)) => Value::Percent(d),
                                _ => Value::Text(f.to_string()),
                            },
                            ValueRef::Text(t) => {
                                Value::Text(String::from_utf8_lossy(t).into_owned())
                            }
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

/// How long one `@SQL` query may run before it is stopped.
pub const DEFAULT_SQL_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// The `@SQL` budget: `RECOUP_SQL_BUDGET` (seconds, decimals allowed), else 10 s
/// (docs/limits.md).
pub fn sql_budget() -> Result<std::time::Duration> {
    match std::env::var("RECOUP_SQL_BUDGET") {
        Ok(v) => crate::store::busy::parse_seconds(&v).ok_or_else(|| {
            Error::config(format!(
                "RECOUP_SQL_BUDGET '{v}' is not a number of seconds (e.g. 10 or 0.5)"
            ))
        }),
        Err(_) => Ok(DEFAULT_SQL_BUDGET),
    }
}

/// Contact controls (S2:1671-1809): a control applies when its type matches and its
/// state is blank or the debtor's; it allows a contact when fewer than `max_times`
/// completed contacts of that type fall in the `period_days` days up to `today`,
/// counting `already` more made in the current run (letters written but not yet saved).
pub fn contact_allowed(
    conn: &Connection,
    kind: CcKind,
    fi: i64,
    today: NaiveDate,
    already: i64,
) -> Result<bool> {
    let col = |code: &str| catalog::by_code(code).map(|f| f.column).unwrap_or("");
    let state: Option<String> = conn
        .prepare_cached(&format!(
            "SELECT {} FROM debtor WHERE fi = ?1",
            col("de.st")
        ))?
        .query_row([fi], |r| r.get(0))
        .unwrap_or(None);
    let state = state.unwrap_or_default();
    let mut stmt = conn.prepare_cached(
        "SELECT max_times, period_days FROM contact_control
         WHERE lower(type) = ?1 AND (state = '' OR upper(state) = upper(?2))",
    )?;
    let controls: Vec<(i64, i64)> = stmt
        .query_map(rusqlite::params![kind.type_name(), state], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<std::result::Result<_, _>>()?;
    let aliases: &[&str] = match kind {
        CcKind::Letter => &["letter", "l"],
        CcKind::Call => &["phone", "call", "p"],
        CcKind::Email => &["email", "e-mail", "e"],
        CcKind::Text => &["text", "sms", "t"],
    };
    let count_sql = format!(
        "SELECT count(*) FROM contact WHERE fi = ?1 AND {done} = 1 AND {dd} >= ?2 AND {dd} <= ?3
         AND lower(trim({ty})) IN ({list})",
        done = col("co.do"),
        dd = col("co.dd"),
        ty = col("co.ty"),
        list = aliases
            .iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (max_times, period_days) in controls {
        let from = today - chrono::Days::new(period_days.max(1) as u64 - 1);
        let n: i64 = conn.prepare_cached(&count_sql)?.query_row(
            rusqlite::params![fi, from.to_string(), today.to_string()],
            |r| r.get(0),
        )?;
        if n + already >= max_times {
            return Ok(false);
        }
    }
    Ok(true)
}
