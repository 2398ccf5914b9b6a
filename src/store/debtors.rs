//! Debtor records: typed reads and writes of the debtor table beyond the generic
//! record functions in `records.rs` (totals, statuses, addresses, as-of reads).

/// A debtor as a letter's addressee (text fields as stored, blank as None), with the
/// Address OK flag and the mode (blank as `A`).
#[derive(Debug, Clone)]
pub struct LetterAddress {
    pub name: Option<String>,
    pub address: Option<String>,
    pub address1: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub ok: bool,
    pub mode: String,
}

/// The letter address of a debtor; an error when there is no such debtor.
pub fn letter_address(conn: &super::Db, fi: i64) -> crate::Result<LetterAddress> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT {de.na}, {de.ad}, {de.a1}, {de.ci}, {de.st}, {de.zi}, COALESCE({de.ok}, 0),
                    COALESCE({de.mo}, 'A') FROM debtor WHERE {de.fi} = ?1"
        )?)?
        .query_row([fi], |r| {
            Ok(LetterAddress {
                name: r.get(0)?,
                address: r.get(1)?,
                address1: r.get(2)?,
                city: r.get(3)?,
                state: r.get(4)?,
                zip: r.get(5)?,
                ok: r.get(6)?,
                mode: r.get(7)?,
            })
        })?)
}

/// A cosigner (related party) as a letter's addressee.
#[derive(Debug, Clone)]
pub struct CosignerAddress {
    /// The cosigner's row.
    pub id: i64,
    /// Class (blank as empty).
    pub class: String,
    pub name: Option<String>,
    pub address: Option<String>,
    pub address1: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub ok: bool,
    /// Same address as the debtor.
    pub same_as_debtor: bool,
}

/// Every cosigner of a debtor, in row order. `id` and `fi` are the store's keys on
/// cosigner.
pub fn cosigner_addresses(conn: &super::Db, fi: i64) -> crate::Result<Vec<CosignerAddress>> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT id, COALESCE({cs.cl}, ''), {cs.na}, {cs.ad}, {cs.a1}, {cs.ci}, {cs.st}, {cs.zi},
                COALESCE({cs.ok}, 0), COALESCE({cs.sm}, 0) FROM cosigner WHERE fi = ?1 ORDER BY id"
    )?)?;
    let rows = stmt
        .query_map([fi], |r| {
            Ok(CosignerAddress {
                id: r.get(0)?,
                class: r.get(1)?,
                name: r.get(2)?,
                address: r.get(3)?,
                address1: r.get(4)?,
                city: r.get(5)?,
                state: r.get(6)?,
                zip: r.get(7)?,
                ok: r.get(8)?,
                same_as_debtor: r.get(9)?,
            })
        })?
        .collect::<std::result::Result<_, _>>()?;
    Ok(rows)
}

/// A debtor's street address, city and status (blank as empty), or None when there is
/// no such debtor.
pub fn address_city_status(
    conn: &super::Db,
    fi: i64,
) -> crate::Result<Option<(String, String, String)>> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT COALESCE({de.ad}, ''), COALESCE({de.ci}, ''), COALESCE({de.sta}, '') FROM debtor WHERE {de.fi} = ?1"
    )?)?;
    let row = stmt.query_row([fi], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)));
    Ok(rusqlite::OptionalExtension::optional(row)?)
}

/// A verified mailing address (an NCOA return): a blank second line is stored as NULL.
#[derive(Debug, Clone, Copy)]
pub struct VerifiedAddress<'a> {
    pub address: &'a str,
    pub address1: &'a str,
    pub city: &'a str,
    pub state: &'a str,
    pub zip: &'a str,
}

/// Give a debtor a verified address and set Address OK.
pub fn set_verified_address(conn: &super::Db, fi: i64, a: &VerifiedAddress) -> crate::Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE debtor SET {de.ad} = ?2, {de.a1} = NULLIF(?3, ''), {de.ci} = ?4, {de.st} = ?5, {de.zi} = ?6, {de.ok} = 1 WHERE {de.fi} = ?1"
    )?)?
    .execute(rusqlite::params![fi, a.address, a.address1, a.city, a.state, a.zip])?;
    Ok(())
}

/// The first cosigner of a debtor (lowest row) with its name (blank as empty).
pub fn first_cosigner(conn: &super::Db, fi: i64) -> crate::Result<Option<(i64, String)>> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT id, COALESCE({cs.na}, '') FROM cosigner WHERE fi = ?1 ORDER BY id LIMIT 1"
    )?)?;
    let row = stmt.query_row([fi], |r| Ok((r.get(0)?, r.get(1)?)));
    Ok(rusqlite::OptionalExtension::optional(row)?)
}

/// Give a cosigner a verified address of its own: Address OK set, Same Address As
/// Debtor cleared.
pub fn set_cosigner_verified_address(
    conn: &super::Db,
    id: i64,
    a: &VerifiedAddress,
) -> crate::Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE cosigner SET {cs.ad} = ?2, {cs.a1} = NULLIF(?3, ''), {cs.ci} = ?4, {cs.st} = ?5, {cs.zi} = ?6, {cs.ok} = 1, {cs.sm} = 0 WHERE id = ?1"
    )?)?
    .execute(rusqlite::params![id, a.address, a.address1, a.city, a.state, a.zip])?;
    Ok(())
}

/// A debtor's operator (blank as empty); an error when there is no such debtor.
pub fn debtor_operator(conn: &super::Db, fi: i64) -> crate::Result<String> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT COALESCE({de.op}, '') FROM debtor WHERE {de.fi} = ?1"
        )?)?
        .query_row([fi], |r| r.get(0))?)
}
