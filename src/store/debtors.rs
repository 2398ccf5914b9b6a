//! Debtor records: typed reads and writes of the debtor table beyond the generic
//! record functions in `records.rs` (totals, statuses, addresses, as-of reads).

/// Stream the values one text key field (`de.ac`, …) holds among one client's
/// debtors, blanks left out, into `each`; `each` returning false stops the walk.
/// True when every value was passed on.
pub fn for_each_debtor_key(
    conn: &super::Db,
    client: i64,
    key: &'static crate::catalog::FieldDef,
    mut each: impl FnMut(&str) -> bool,
) -> crate::Result<bool> {
    if key.form != crate::catalog::Form::Debtor {
        crate::bail!(runtime, "store: {} is not a debtor field", key.code());
    }
    // Run once per import: the key column is the import's choice, so the text is built.
    let sql = super::sql::expand(&format!(
        "SELECT {col} FROM debtor WHERE {{de.cn}} = ?1 AND {col} IS NOT NULL",
        col = key.column
    ))?;
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([client])?;
    while let Some(r) = rows.next()? {
        if let rusqlite::types::ValueRef::Text(t) = r.get_ref(0)? {
            if !each(&String::from_utf8_lossy(t)) {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Whether a debtor has this phone number on file (a phone record).
pub fn debtor_has_phone(conn: &super::Db, fi: i64, number: &str) -> crate::Result<bool> {
    // `fi` is the phone table's owner key (store schema), not a phone field.
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT 1 FROM phone WHERE fi = ?1 AND {ph.nu} = ?2"
        )?)?
        .exists(rusqlite::params![fi, number])?)
}

/// Add an active phone record of a type (`Home`, `Work`, `Cell`) to a debtor.
pub fn add_debtor_phone(conn: &super::Db, fi: i64, number: &str, ty: &str) -> crate::Result<()> {
    // `fi` is the phone table's owner key (store schema), not a phone field.
    conn.prepare_cached(crate::sql!(
        "INSERT INTO phone (fi, {ph.nu}, {ph.ty}, {ph.ac}) VALUES (?1, ?2, ?3, ?4)"
    )?)?
    .execute(rusqlite::params![fi, number, ty, 1])?;
    Ok(())
}

/// Whether a debtor has this email address on file (case-insensitive).
pub fn debtor_has_email(conn: &super::Db, fi: i64, address: &str) -> crate::Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM email WHERE fi = ?1 AND address = ?2 COLLATE NOCASE")?
        .exists(rusqlite::params![fi, address])?)
}

/// Add an active `Home` email address to a debtor.
pub fn add_debtor_email(conn: &super::Db, fi: i64, address: &str) -> crate::Result<()> {
    conn.prepare_cached(
        "INSERT INTO email (fi, address, type, active) VALUES (?1, ?2, 'Home', 1)",
    )?
    .execute(rusqlite::params![fi, address])?;
    Ok(())
}

/// A postal address as the address table holds it; a blank line is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressLines {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub country: Option<String>,
}

/// Whether a debtor has exactly this address on file (blank lines match blank).
pub fn debtor_has_address(conn: &super::Db, fi: i64, a: &AddressLines) -> crate::Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM address WHERE fi = ?1 AND ad IS ?2 AND a1 IS ?3 AND ci IS ?4
               AND st IS ?5 AND zi IS ?6 AND cy IS ?7",
        )?
        .exists(rusqlite::params![
            fi, a.line1, a.line2, a.city, a.state, a.zip, a.country
        ])?)
}

/// Add an active `Placement` address to a debtor; `ok` is its address-ok flag.
pub fn add_debtor_address(
    conn: &super::Db,
    fi: i64,
    a: &AddressLines,
    ok: bool,
) -> crate::Result<()> {
    conn.prepare_cached(
        "INSERT INTO address (fi, type, ad, a1, ci, st, zi, cy, ok, active)
         VALUES (?1, 'Placement', ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)",
    )?
    .execute(rusqlite::params![
        fi, a.line1, a.line2, a.city, a.state, a.zip, a.country, ok
    ])?;
    Ok(())
}

/// The debtors an import batch wrote with a run plan (`de.rp` not blank), with the
/// plan, in file-number order.
pub fn debtors_with_plan_in_batch(
    conn: &super::Db,
    batch: i64,
) -> crate::Result<Vec<(i64, String)>> {
    let mut stmt = conn.prepare(crate::sql!(
        "SELECT {de.fi}, {de.rp} FROM debtor WHERE {de.ib} = ?1 AND COALESCE({de.rp}, '') <> '' ORDER BY {de.fi}"
    )?)?;
    let rows = stmt.query_map([batch.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// Every debtor's file number, ascending.
pub fn all_debtor_ids(conn: &super::Db) -> crate::Result<Vec<i64>> {
    let mut stmt = conn.prepare("SELECT rowid FROM debtor ORDER BY rowid")?;
    let ids = stmt
        .query_map([], |r| r.get::<_, i64>(0))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(ids)
}

/// The ids of a debtor's records of a sub-record form (transactions, notes,
/// contacts, …), in the order they were written.
pub fn debtor_record_ids(
    conn: &super::Db,
    form: crate::catalog::Form,
    fi: i64,
) -> crate::Result<Vec<i64>> {
    // `fi` is every sub-record table's owner key (store schema).
    let sql = format!(
        "SELECT rowid FROM {} WHERE fi = ?1 ORDER BY rowid",
        form.table()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let ids = stmt
        .query_map([fi], |r| r.get::<_, i64>(0))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(ids)
}
