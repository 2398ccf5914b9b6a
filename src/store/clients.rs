//! Client records: typed reads and writes of the client table and its owners.

/// The stored values of some client fields, in the order asked, or `None` when the
/// client is not on file.
pub fn client_values(
    conn: &super::Db,
    nu: i64,
    fields: &[&'static crate::catalog::FieldDef],
) -> crate::Result<Option<Vec<super::import_cache::SqlValue>>> {
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
pub fn all_client_ids(conn: &super::Db) -> crate::Result<Vec<i64>> {
    let mut stmt = conn.prepare("SELECT rowid FROM client ORDER BY rowid")?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(ids)
}

/// The ids of a client's own records of a sub-record form (its notes, contacts):
/// those tables hold the debtors' records too, and a client's own have no debtor.
pub fn client_record_ids(
    conn: &super::Db,
    form: crate::catalog::Form,
    cn: i64,
) -> crate::Result<Vec<i64>> {
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
