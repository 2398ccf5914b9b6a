//! Key/value settings by section (`credit_bureau`, `letter_service`, `scheduling`,
//! `company` extras), written by `recoup setup apply`.

use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;

use super::Db;
use crate::Result;

pub fn get(conn: &Db, section: &str, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM setting WHERE section = ?1 AND key = ?2")?
        .query_row(params![section, key], |r| r.get(0))
        .optional()?)
}

pub fn get_i64(conn: &Db, section: &str, key: &str) -> Result<Option<i64>> {
    Ok(get(conn, section, key)?.and_then(|v| v.parse().ok()))
}

pub fn get_bool(conn: &Db, section: &str, key: &str) -> Result<Option<bool>> {
    Ok(get(conn, section, key)?.map(|v| v == "true"))
}

pub fn get_decimal(conn: &Db, section: &str, key: &str) -> Result<Option<Decimal>> {
    Ok(get(conn, section, key)?.and_then(|v| v.parse().ok()))
}

pub fn set(conn: &Db, section: &str, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO setting (section, key, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (section, key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![section, key, value])?;
    Ok(())
}

pub fn clear_section(conn: &Db, section: &str) -> Result<()> {
    conn.execute("DELETE FROM setting WHERE section = ?1", [section])?;
    Ok(())
}

/// Every setting of a section, sorted by key.
pub fn section(conn: &Db, section: &str) -> Result<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare_cached("SELECT key, value FROM setting WHERE section = ?1 ORDER BY key")?;
    let rows = stmt
        .query_map([section], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The key of a pick-list entry of field `code` (`de.sta`) whose text is `text`,
/// compared case-insensitively.
pub fn pick_list_key(conn: &Db, code: &str, text: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT key FROM pick_list WHERE field = ?1 AND (text = ?2 COLLATE NOCASE)",
        )?
        .query_row(params![code, text], |r| r.get(0))
        .optional()?)
}

/// The company record (`[company]` of setup.toml): every field is written, `None` as
/// blank. The tax rate is decimal text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyDetails {
    pub name: Option<String>,
    pub address: Option<String>,
    pub address2: Option<String>,
    pub address3: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub phone: Option<String>,
    pub representative: Option<String>,
    pub email: Option<String>,
    pub tax_rate: Option<String>,
}

/// Replace the company record's details. `id` is the store's key of the one company
/// row, not a catalogue field.
pub fn set_company_details(conn: &Db, c: &CompanyDetails) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE company SET {cd.na} = ?1, {cd.ad} = ?2, {cd.a1} = ?3, {cd.a2} = ?4,
            {cd.ci} = ?5, {cd.st} = ?6, {cd.zi} = ?7, {cd.ph} = ?8, {cd.re} = ?9,
            {cd.em} = ?10, {cd.tr} = ?11 WHERE id = 1"
    )?)?
    .execute(params![
        c.name,
        c.address,
        c.address2,
        c.address3,
        c.city,
        c.state,
        c.zip,
        c.phone,
        c.representative,
        c.email,
        c.tax_rate
    ])?;
    Ok(())
}
