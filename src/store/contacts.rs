//! Contact records: the typed writes and reads the contact plan engine, promises,
//! letters and ODBC sync share. Column names come from the catalogue (Collect! help,
//! record layouts (data dictionary) sub 29); `id` and `fi` are the store's own keys.

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};

use crate::catalog;
use crate::{Error, Result};

/// The SQL column of a contact field code (`co.do` → `done`); an unknown code is an
/// error, never a guessed column.
pub(crate) fn column(code: &str) -> Result<&'static str> {
    catalog::by_code(code)
        .filter(|f| f.form == catalog::Form::Contact)
        .map(|f| f.column)
        .ok_or_else(|| {
            Error::runtime(format!(
                "contact store: unknown contact field code '{code}'{}",
                catalog::did_you_mean(code)
            ))
        })
}

/// Mark a contact done on `date` with status Completed (S2:1291-1329: a carried-out
/// automatic contact stays as history). The one statement for "mark contact done".
pub fn mark_contact_done(conn: &Connection, id: i64, date: NaiveDate) -> Result<()> {
    let sql = format!(
        "UPDATE contact SET {done} = 1, {dd} = ?2, {st} = 'Completed' WHERE id = ?1",
        done = column("co.do")?,
        dd = column("co.dd")?,
        st = column("co.st")?,
    );
    conn.prepare_cached(&sql)?.execute(params![id, date])?;
    Ok(())
}

/// Whether a contact still exists and is not done.
pub fn contact_is_pending(conn: &Connection, id: i64) -> Result<bool> {
    let sql = format!(
        "SELECT COALESCE({done}, 0) = 0 FROM contact WHERE id = ?1",
        done = column("co.do")?
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], |r| r.get(0))
        .optional()?
        .unwrap_or(false))
}

/// A contact to write: one row of the contact form (S2:1237-1329).
#[derive(Debug, Clone)]
pub struct NewContact<'a> {
    pub fi: i64,
    pub kind: &'a str,
    pub description: &'a str,
    pub due: NaiveDate,
    /// `HH:MM`, or none for an untimed contact.
    pub time: Option<String>,
    pub priority: String,
    pub operator: &'a str,
    pub attachment: &'a str,
    /// Amount in cents.
    pub amount: Option<i64>,
    /// Done on this date (status Completed), or pending (In Progress).
    pub done_on: Option<NaiveDate>,
}

/// Write a contact; returns its id.
pub fn insert_contact(conn: &Connection, c: &NewContact) -> Result<i64> {
    let columns = [
        "co.ty", "co.de", "co.du", "co.ti", "co.pr", "co.op", "co.at", "co.am", "co.do", "co.dd",
        "co.st",
    ]
    .iter()
    .map(|code| column(code))
    .collect::<Result<Vec<_>>>()?
    .join(", ");
    let sql = format!(
        "INSERT INTO contact (fi, {columns})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    );
    let done = c.done_on.is_some();
    conn.prepare_cached(&sql)?.execute(params![
        c.fi,
        c.kind,
        c.description,
        c.due,
        c.time,
        c.priority,
        c.operator,
        c.attachment,
        c.amount,
        done,
        c.done_on,
        if done { "Completed" } else { "In Progress" },
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Which pending contacts of a debtor to delete (S2:1249-1258).
#[derive(Debug, Clone, Copy)]
pub enum PendingContacts<'a> {
    /// Every pending contact except Metro contacts, which are never deleted.
    AllButMetro,
    /// Pending contacts of one type.
    OfType(&'a str),
    /// Pending contacts of one type and description.
    OfTypeAndDescription(&'a str, &'a str),
}

/// Delete a debtor's pending (not done) contacts; returns how many went.
pub fn delete_pending(conn: &Connection, fi: i64, which: PendingContacts) -> Result<usize> {
    let pending = format!("fi = ?1 AND COALESCE({}, 0) = 0", column("co.do")?);
    let ty = column("co.ty")?;
    let deleted = match which {
        PendingContacts::AllButMetro => conn
            .prepare_cached(&format!(
                "DELETE FROM contact WHERE {pending} AND COALESCE({ty}, '') <> 'Metro'"
            ))?
            .execute([fi])?,
        PendingContacts::OfType(kind) => conn
            .prepare_cached(&format!(
                "DELETE FROM contact WHERE {pending} AND {ty} = ?2"
            ))?
            .execute(params![fi, kind])?,
        PendingContacts::OfTypeAndDescription(kind, description) => conn
            .prepare_cached(&format!(
                "DELETE FROM contact WHERE {pending} AND {ty} = ?2 AND {de} = ?3",
                de = column("co.de")?
            ))?
            .execute(params![fi, kind, description])?,
    };
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn db() -> Store {
        let store = Store::open_in_memory().unwrap();
        store
            .conn()
            .execute_batch(
                "INSERT INTO client (nu) VALUES (1);
                 INSERT INTO debtor (fi, cn) VALUES (1, 1);
                 INSERT INTO contact (id, fi, ty, de, done) VALUES (1, 1, 'Review', 'a', 0);
                 INSERT INTO contact (id, fi, ty, de, done) VALUES (2, 1, 'Review', 'b', NULL);
                 INSERT INTO contact (id, fi, ty, de, done) VALUES (3, 1, 'Metro', 'a', 0);
                 INSERT INTO contact (id, fi, ty, de, done) VALUES (4, 1, 'Review', 'a', 1);",
            )
            .unwrap();
        store
    }

    fn ids(c: &Connection) -> Vec<i64> {
        c.prepare("SELECT id FROM contact ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    #[test]
    fn mark_contact_done_sets_done_date_and_status() {
        let store = db();
        let c = store.conn();
        let date = NaiveDate::from_ymd_opt(2024, 7, 10).unwrap();
        assert!(contact_is_pending(c, 1).unwrap());
        mark_contact_done(c, 1, date).unwrap();
        let row: (i64, String, String) = c
            .query_row("SELECT done, dd, st FROM contact WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(row, (1, "2024-07-10".into(), "Completed".into()));
        assert!(!contact_is_pending(c, 1).unwrap());
        assert!(!contact_is_pending(c, 99).unwrap());
    }

    #[test]
    fn delete_pending_keeps_metro_and_done_contacts() {
        let store = db();
        let c = store.conn();
        assert_eq!(
            delete_pending(c, 1, PendingContacts::AllButMetro).unwrap(),
            2
        );
        assert_eq!(ids(c), vec![3, 4]);
    }

    #[test]
    fn delete_pending_by_type_and_description() {
        let store = db();
        let c = store.conn();
        let which = PendingContacts::OfTypeAndDescription("Review", "b");
        assert_eq!(delete_pending(c, 1, which).unwrap(), 1);
        assert_eq!(ids(c), vec![1, 3, 4]);
        assert_eq!(
            delete_pending(c, 1, PendingContacts::OfType("Review")).unwrap(),
            1
        );
        assert_eq!(ids(c), vec![3, 4]);
    }

    #[test]
    fn unknown_contact_code_is_an_error() {
        let err = column("co.zz").unwrap_err().to_string();
        assert!(err.contains("unknown contact field code 'co.zz'"), "{err}");
        assert!(column("de.na").is_err());
        assert_eq!(column("co.do").unwrap(), "done");
    }
}
