//! Client records: typed reads and writes of the client table and its owners.

use super::Db;
use crate::Result;

/// The stored values of some client fields, in the order asked, or `None` when the
/// client is not on file.
pub fn client_values(
    conn: &Db,
    nu: i64,
    fields: &[&'static crate::catalog::FieldDef],
) -> Result<Option<Vec<super::import_cache::SqlValue>>> {
    use rusqlite::OptionalExtension;
    if let Some(f) = fields
        .iter()
        .find(|f| f.form != crate::catalog::Form::Client)
    {
        crate::bail!(runtime, "store: {} is not a client field", f.code());
    }
    let cols: Vec<&str> = fields.iter().map(|f| f.column).collect();
    let sql = super::sql::expand(&format!(
        "SELECT {} FROM client WHERE {{cl.nu}} = ?1",
        cols.join(", ")
    ))?;
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([nu], |r| {
            (0..fields.len())
                .map(|i| r.get(i))
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .optional()?)
}

/// Every client's number, ascending.
pub fn all_client_ids(conn: &Db) -> Result<Vec<i64>> {
    let mut stmt =
        conn.prepare_cached(crate::sql!("SELECT {cl.nu} FROM client ORDER BY {cl.nu}")?)?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(ids)
}

/// The ids of a client's own records of a sub-record form (its notes, contacts), in the
/// order written: those tables hold the debtors' records too, and a client's own have
/// no debtor.
pub fn client_record_ids(conn: &Db, form: crate::catalog::Form, cn: i64) -> Result<Vec<i64>> {
    // `cn` and `fi` are the sub-record tables' owner keys (store schema).
    let sql = format!(
        "SELECT rowid FROM {} WHERE cn = ?1 AND fi IS NULL ORDER BY rowid",
        form.table()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let ids = stmt
        .query_map([cn], |r| r.get::<_, i64>(0))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(ids)
}

// Paths are spelled in full here so that additions from other slices at the end of this
// file never collide on `use` lines.

/// Every client number, ascending.
pub fn client_numbers(conn: &Db) -> Result<Vec<i64>> {
    let mut stmt =
        conn.prepare_cached(crate::sql!("SELECT {cl.nu} FROM client ORDER BY {cl.nu}")?)?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A client as `setup show --json` lists it: number, name, remit type, commission and
/// tax rates as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSummary {
    pub number: i64,
    pub name: Option<String>,
    pub remit: Option<String>,
    pub rate: Option<String>,
    pub tax_rate: Option<String>,
}

/// Every client, by number.
pub fn client_summaries(conn: &Db) -> Result<Vec<ClientSummary>> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT {cl.nu}, {cl.na}, {cl.rm}, {cl.rt}, {cl.tx} FROM client ORDER BY {cl.nu}"
    )?)?;
    let rows = stmt.query_map([], |r| {
        Ok(ClientSummary {
            number: r.get(0)?,
            name: r.get(1)?,
            remit: r.get(2)?,
            rate: r.get(3)?,
            tax_rate: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A client's owned-by text as stored: `None` when no such client, `Some(None)` when
/// it has no owner.
pub fn client_owned_by(conn: &Db, client: i64) -> Result<Option<Option<String>>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT {cl.ob} FROM client WHERE {cl.nu} = ?1"
        )?)?
        .query_row([client], |r| r.get::<_, Option<String>>(0))
        .optional()?)
}

/// Insert one row of a catalogue form that hangs off a client rather than a debtor
/// (a client contact or note). `cn` is the store's owner key, not a catalogue field;
/// the other columns come from the catalogue fields given.
pub fn insert_client_row(
    conn: &Db,
    form: crate::catalog::Form,
    client: i64,
    values: &super::FieldValues,
) -> Result<()> {
    let mut cols = vec!["cn"];
    let mut args = vec![rusqlite::types::Value::Integer(client)];
    for (f, v) in values {
        cols.push(f.column);
        args.push(super::value_to_sql(f, v));
    }
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES ({})",
        form.table(),
        cols.join(", "),
        marks.join(", ")
    );
    conn.execute(&sql, rusqlite::params_from_iter(args))?;
    Ok(())
}
