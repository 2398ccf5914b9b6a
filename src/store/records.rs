//! Typed reads and writes of catalogue records. Columns come from the catalogue;
//! values cross the SQL boundary through `value_to_sql` / `value_from_sql` only.

use chrono::NaiveDate;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{params, Connection, OptionalExtension};

use crate::amount::{from_cents, to_cents};
use crate::catalog::{FieldDef, FieldType, Form, Value};
use crate::{bail, Result};

/// A record's fields in catalogue order.
pub type FieldValues = Vec<(&'static FieldDef, Value)>;

/// Catalogue value → SQL value (blank → NULL; money → cents).
pub fn value_to_sql(f: &FieldDef, v: &Value) -> SqlValue {
    if v.is_null() {
        return SqlValue::Null;
    }
    match (f.ty, v) {
        (FieldType::Currency, v) => match v.as_decimal() {
            Some(d) => SqlValue::Integer(to_cents(d)),
            None => SqlValue::Null,
        },
        (FieldType::Flag, Value::Flag(b)) => SqlValue::Integer(*b as i64),
        (FieldType::Flag, v) => {
            SqlValue::Integer(v.as_decimal().is_some_and(|d| !d.is_zero()) as i64)
        }
        (_, v) => SqlValue::Text(v.plain()),
    }
}

/// SQL value → catalogue value of the field's type.
pub fn value_from_sql(f: &FieldDef, v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => match f.ty {
            FieldType::Currency => Value::Money(from_cents(i)),
            FieldType::Flag => Value::Flag(i != 0),
            FieldType::Percent => Value::Percent(i.into()),
            _ => Value::Text(i.to_string()),
        },
        ValueRef::Text(t) => {
            let s = String::from_utf8_lossy(t);
            match f.ty {
                FieldType::Date => crate::dates::parse_iso(&s)
                    .map(Value::Date)
                    .unwrap_or(Value::Text(s.into_owned())),
                FieldType::Percent => s
                    .parse()
                    .map(Value::Percent)
                    .unwrap_or(Value::Text(s.into_owned())),
                _ => Value::Text(s.into_owned()),
            }
        }
        ValueRef::Real(r) => Value::Text(r.to_string()),
        ValueRef::Blob(_) => Value::Null,
    }
}

/// The key column of a form's table.
fn key_column(form: Form) -> &'static str {
    match form {
        Form::Client | Form::Statement => "nu",
        Form::Debtor => "fi",
        _ => "id",
    }
}

/// Every catalogue field of one record, or None when it does not exist.
pub fn read_record(conn: &Connection, form: Form, key: i64) -> Result<Option<FieldValues>> {
    let fields: Vec<&'static FieldDef> = form.fields().collect();
    let cols: Vec<&str> = fields.iter().map(|f| f.column).collect();
    let sql = format!(
        "SELECT {} FROM {} WHERE {} = ?1",
        cols.join(", "),
        form.table(),
        key_column(form)
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let row = stmt
        .query_row([key], |row| {
            let mut out = Vec::with_capacity(fields.len());
            for (i, f) in fields.iter().enumerate() {
                out.push((*f, value_from_sql(f, row.get_ref(i)?)));
            }
            Ok(out)
        })
        .optional()?;
    Ok(row)
}

/// Write the given fields of one record (computed fields included: callers decide).
pub fn update_fields(
    conn: &Connection,
    form: Form,
    key: i64,
    values: &[(&FieldDef, Value)],
) -> Result<()> {
    if values.is_empty() {
        return Ok(());
    }
    let sets: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(i, (f, _))| format!("{} = ?{}", f.column, i + 2))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE {} = ?1",
        form.table(),
        sets.join(", "),
        key_column(form)
    );
    let mut args: Vec<SqlValue> = vec![SqlValue::Integer(key)];
    args.extend(values.iter().map(|(f, v)| value_to_sql(f, v)));
    conn.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(args))?;
    Ok(())
}

pub fn client_exists(conn: &Connection, number: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(crate::sql!("SELECT 1 FROM client WHERE {cl.nu} = ?1")?)?
        .exists([number])?)
}

/// Create a client with the given fields. Company tax rate seeds a new client's
/// tax rate when not given (S2:217-221).
pub fn create_client(conn: &Connection, number: i64, values: &[(&FieldDef, Value)]) -> Result<()> {
    if client_exists(conn, number)? {
        bail!(runtime, "client {number} already exists");
    }
    // `id` is the store's key of the one company row, not a catalogue field.
    conn.prepare_cached(crate::sql!(
        "INSERT INTO client ({cl.nu}, {cl.rm}, {cl.so}, {cl.tx})
         VALUES (?1, 'N', 'N', (SELECT {cd.tr} FROM company WHERE id = 1))"
    )?)?
    .execute([number])?;
    let rest: Vec<(&FieldDef, Value)> = values
        .iter()
        .filter(|(f, _)| f.field != "nu")
        .map(|(f, v)| (*f, v.clone()))
        .collect();
    update_fields(conn, Form::Client, number, &rest)
}

/// The client of a debtor.
pub fn debtor_client(conn: &Connection, file_number: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT {de.cn} FROM debtor WHERE {de.fi} = ?1"
        )?)?
        .query_row([file_number], |r| r.get(0))
        .optional()?)
}

/// Create a debtor under `client` with the next file number: mode A, listed today,
/// and — when `apply_client_settings` — the client's operator, sales, commission
/// rates and plan, tax rate and exemption (S2:464-466, 704-715).
pub fn create_debtor(
    conn: &Connection,
    client: i64,
    values: &[(&FieldDef, Value)],
    today: NaiveDate,
    apply_client_settings: bool,
) -> Result<i64> {
    if !client_exists(conn, client)? {
        bail!(runtime, "client {client} does not exist");
    }
    let fi = super::next_file_number(conn)?;
    conn.prepare_cached(crate::sql!(
        "INSERT INTO debtor ({de.fi}, {de.cn}, {de.mo}, {de.li}, {de.ok})
         VALUES (?1, ?2, 'A', ?3, 0)"
    )?)?
    .execute(params![fi, client, today])?;
    if apply_client_settings {
        conn.prepare_cached(crate::sql!(
            "UPDATE debtor
             SET ({de.op}, {de.sa}, {de.rt}, {de.r2}, {de.r3}, {de.r4}, {de.rpl}, {de.tx}, {de.te}) =
                 (SELECT {cl.op}, {cl.sa}, {cl.rt}, {cl.r2}, {cl.r3}, {cl.r4}, {cl.rpl}, {cl.tx},
                         {cl.te}
                  FROM client WHERE {cl.nu} = ?2)
             WHERE {de.fi} = ?1"
        )?)?
        .execute(params![fi, client])?;
    }
    let rest: Vec<(&FieldDef, Value)> = values
        .iter()
        .filter(|(f, _)| !matches!(f.field, "fi" | "cn"))
        .map(|(f, v)| (*f, v.clone()))
        .collect();
    update_fields(conn, Form::Debtor, fi, &rest)?;
    // Setting the name also fills the contact when not given (S2:5397-5398).
    if values.iter().any(|(f, _)| f.field == "na") && !values.iter().any(|(f, _)| f.field == "ct") {
        conn.prepare_cached(crate::sql!(
            "UPDATE debtor SET {de.ct} = {de.na} WHERE {de.fi} = ?1"
        )?)?
        .execute([fi])?;
    }
    Ok(fi)
}

/// File numbers whose acct matches exactly after trimming, case-insensitively,
/// optionally within one client; ascending.
pub fn find_debtors_by_acct(
    conn: &Connection,
    acct: &str,
    client: Option<i64>,
) -> Result<Vec<i64>> {
    let acct = acct.trim();
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT {de.fi} FROM debtor
         WHERE TRIM({de.ac}) = ?1 COLLATE NOCASE AND (?2 IS NULL OR {de.cn} = ?2) ORDER BY {de.fi}"
    )?)?;
    let mut rows = stmt.query(params![acct, client])?;
    while let Some(r) = rows.next()? {
        out.push(r.get(0)?);
    }
    Ok(out)
}
