//! Transactions: posting rows, reversals, and the reads totals and reports are built from.

/// A transaction row written as given: no posting (no totals, commission or tax
/// computed), for loading a ledger's history and for tests that set one up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionRow<'a> {
    /// `tr.nu`; None takes the next number.
    pub id: Option<i64>,
    pub fi: i64,
    /// `tr.ty`.
    pub type_code: &'a str,
    /// `tr.py`.
    pub payment_date: Option<chrono::NaiveDate>,
    /// `tr.pd`.
    pub posted_date: Option<chrono::NaiveDate>,
    /// `tr.tu`, cents.
    pub to_us: i64,
    /// `tr.di`, cents.
    pub direct: i64,
    /// `tr.ft`: the type's financial type.
    pub fin_type: &'a str,
    /// `tr.rv`.
    pub reverses: Option<i64>,
}

/// Write one transaction row as given; returns its number. The owner key `fi` of a
/// transaction is the store's own column.
pub fn insert_transaction_row(conn: &crate::store::Db, t: &TransactionRow) -> crate::Result<i64> {
    conn.prepare_cached(crate::sql!(
        "INSERT INTO trans ({tr.nu}, fi, {tr.ty}, {tr.py}, {tr.pd}, {tr.tu}, {tr.di}, {tr.ft}, {tr.rv})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    )?)?
    .execute(rusqlite::params![
        t.id,
        t.fi,
        t.type_code,
        t.payment_date.map(crate::dates::iso_date),
        t.posted_date.map(crate::dates::iso_date),
        t.to_us,
        t.direct,
        t.fin_type,
        t.reverses,
    ])?;
    Ok(conn.last_insert_rowid())
}
