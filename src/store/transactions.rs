//! Transactions: posting rows, reversals, and the reads totals and reports are built from.

// Paths are spelled in full here so that additions from other slices at the end of this
// file never collide on `use` lines.

/// A payment a client made to the agency (`client_payment`), amount in cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPayment {
    pub date: chrono::NaiveDate,
    pub cents: i64,
    /// Blank when none.
    pub note: String,
}

/// A client's payments by date, in the order written within a day.
pub fn client_payments(conn: &super::Db, client: i64) -> crate::Result<Vec<ClientPayment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT date, amount, COALESCE(note, '') FROM client_payment WHERE cn = ?1 ORDER BY date, id",
    )?;
    let mut rows = stmt.query([client])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let date: String = r.get(0)?;
        let date = crate::dates::parse_iso(&date).ok_or_else(|| {
            crate::Error::runtime(format!(
                "client {client} has a payment dated '{date}', not a date"
            ))
        })?;
        out.push(ClientPayment {
            date,
            cents: r.get(1)?,
            note: r.get(2)?,
        });
    }
    Ok(out)
}

/// Record a client payment; it arrives unallocated. A blank note is stored as none.
pub fn insert_client_payment(
    conn: &super::Db,
    client: i64,
    date: chrono::NaiveDate,
    cents: i64,
    note: &str,
) -> crate::Result<()> {
    let note = (!note.is_empty()).then_some(note);
    conn.prepare_cached(
        "INSERT INTO client_payment (cn, date, amount, note) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(rusqlite::params![
        client,
        crate::dates::iso_date(date),
        cents,
        note
    ])?;
    Ok(())
}
