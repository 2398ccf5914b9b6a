//! Contact records: the typed writes and reads the contact plan engine, promises,
//! letters and ODBC sync share. Column names come from the catalogue (Collect! help,
//! record layouts (data dictionary) sub 29); `id` and `fi` are the store's own keys.

use std::sync::OnceLock;

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};

use super::sql::cached;
use super::Db;
use crate::Result;

/// Mark a contact done on `date` with status Completed (S2:1291-1329: a carried-out
/// automatic contact stays as history). "Mark contact done" is [`close_contact`].
pub fn mark_contact_done(conn: &Db, id: i64, date: NaiveDate) -> Result<()> {
    close_contact(conn, id, date, "Completed")
}

/// Set (or, with `None`, clear) a contact's Attachment.
pub fn set_attachment(conn: &Db, id: i64, attachment: Option<&str>) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE contact SET {co.at} = ?2 WHERE id = ?1"
    )?)?
    .execute(params![id, attachment])?;
    Ok(())
}

/// Whether a contact still exists and is not done.
pub fn contact_is_pending(conn: &Db, id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT COALESCE({co.do}, 0) = 0 FROM contact WHERE id = ?1"
        )?)?
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
pub fn insert_contact(conn: &Db, c: &NewContact) -> Result<i64> {
    let done = c.done_on.is_some();
    conn.prepare_cached(crate::sql!(
        "INSERT INTO contact (fi, {co.ty}, {co.de}, {co.du}, {co.ti}, {co.pr}, {co.op}, {co.at},
                              {co.am}, {co.do}, {co.dd}, {co.st})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    )?)?
    .execute(params![
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

/// A Promise contact as payments see it (amounts in cents).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromiseRow {
    pub id: i64,
    /// Promised amount (`co.am`, blank read as 0).
    pub amount: i64,
    /// Amount paid so far (`co.pa`, blank read as 0).
    pub paid: i64,
    pub done: bool,
}

fn promise_row(r: &rusqlite::Row) -> rusqlite::Result<PromiseRow> {
    Ok(PromiseRow {
        id: r.get(0)?,
        amount: r.get(1)?,
        paid: r.get(2)?,
        done: r.get(3)?,
    })
}

/// The SELECT list and filter shared by the promise reads: Promise contacts of
/// debtor `?1`, the type compared case-insensitively.
macro_rules! promise_select {
    ($rest:literal) => {
        concat!(
            "SELECT id, COALESCE({co.am}, 0), COALESCE({co.pa}, 0), COALESCE({co.do}, 0)
             FROM contact WHERE fi = ?1 AND lower({co.ty}) = 'promise' ",
            $rest
        )
    };
}

/// A debtor's open (not done) promises, earliest due first, a promise without a due
/// date last.
pub fn open_promises(conn: &Db, fi: i64) -> Result<Vec<PromiseRow>> {
    static SQL: OnceLock<String> = OnceLock::new();
    let sql = cached(
        &SQL,
        promise_select!("AND COALESCE({co.do}, 0) = 0 ORDER BY {co.du} IS NULL, {co.du}, id"),
    )?;
    let rows = conn
        .prepare_cached(sql)?
        .query_map([fi], promise_row)?
        .collect::<std::result::Result<_, _>>()?;
    Ok(rows)
}

/// A debtor's promises with money paid, latest due first (a promise without a due
/// date first), leaving out those whose status is one of `excluded_statuses`.
pub fn paid_promises_latest_first(
    conn: &Db,
    fi: i64,
    excluded_statuses: [&str; 2],
) -> Result<Vec<PromiseRow>> {
    static SQL: OnceLock<String> = OnceLock::new();
    let sql = cached(
        &SQL,
        promise_select!(
            "AND COALESCE({co.pa}, 0) > 0 AND COALESCE({co.st}, '') NOT IN (?2, ?3)
             ORDER BY {co.du} IS NULL DESC, {co.du} DESC, id DESC"
        ),
    )?;
    let [a, b] = excluded_statuses;
    let rows = conn
        .prepare_cached(sql)?
        .query_map(params![fi, a, b], promise_row)?
        .collect::<std::result::Result<_, _>>()?;
    Ok(rows)
}

/// The due date and amount (cents, blank as 0) of a debtor's next open promise.
pub fn next_open_promise(conn: &Db, fi: i64) -> Result<Option<(Option<String>, i64)>> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT {co.du}, COALESCE({co.am}, 0) FROM contact
             WHERE fi = ?1 AND lower({co.ty}) = 'promise' AND COALESCE({co.do}, 0) = 0
             ORDER BY {co.du} IS NULL, {co.du}, id LIMIT 1"
        )?)?
        .query_row([fi], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Set a contact's Amount Paid (cents).
pub fn set_amount_paid(conn: &Db, id: i64, paid: i64) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE contact SET {co.pa} = ?2 WHERE id = ?1"
    )?)?
    .execute(params![id, paid])?;
    Ok(())
}

/// Open a contact again with a new Amount Paid: not done, no done date, In Progress.
pub fn reopen_contact(conn: &Db, id: i64, paid: i64) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE contact SET {co.pa} = ?2, {co.do} = 0, {co.dd} = NULL, {co.st} = 'In Progress'
         WHERE id = ?1"
    )?)?
    .execute(params![id, paid])?;
    Ok(())
}

/// A pending contact for `batch contacts`. Field order is the sort order: due date,
/// time, id — so sorting puts the oldest first (blank date and time sort first).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PendingContact {
    /// `YYYY-MM-DD`, or empty when blank.
    pub due: String,
    /// `HH:MM`, or empty when blank.
    pub time: String,
    pub id: i64,
    pub fi: i64,
    pub kind: String,
    pub description: String,
    /// Amount in cents.
    pub amount: Option<i64>,
    pub attachment: String,
}

/// Every pending (not done) contact of a debtor due on or before `through`, in no
/// particular order (blank text fields read as empty).
pub fn pending_contacts(conn: &Db, through: NaiveDate) -> Result<Vec<PendingContact>> {
    let rows = conn
        .prepare(crate::sql!(
            "SELECT COALESCE({co.du}, ''), COALESCE({co.ti}, ''), id, fi, COALESCE({co.ty}, ''),
                    COALESCE({co.de}, ''), {co.am}, COALESCE({co.at}, '')
             FROM contact WHERE COALESCE({co.do}, 0) = 0 AND fi IS NOT NULL AND {co.du} <= ?1"
        )?)?
        .query_map([through], |r| {
            Ok(PendingContact {
                due: r.get(0)?,
                time: r.get(1)?,
                id: r.get(2)?,
                fi: r.get(3)?,
                kind: r.get(4)?,
                description: r.get(5)?,
                amount: r.get(6)?,
                attachment: r.get(7)?,
            })
        })?
        .collect::<std::result::Result<_, _>>()?;
    Ok(rows)
}

/// Hand a debtor's pending contacts of operator `from` (blank matches blank) to `to`.
pub fn reassign_pending(conn: &Db, fi: i64, from: &str, to: &str) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE contact SET {co.op} = ?3
         WHERE fi = ?1 AND COALESCE({co.do}, 0) = 0 AND COALESCE({co.op}, '') = ?2"
    )?)?
    .execute(params![fi, from, to])?;
    Ok(())
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
pub fn delete_pending(conn: &Db, fi: i64, which: PendingContacts) -> Result<usize> {
    let deleted = match which {
        PendingContacts::AllButMetro => conn
            .prepare_cached(crate::sql!(
                "DELETE FROM contact WHERE fi = ?1 AND COALESCE({co.do}, 0) = 0
                   AND COALESCE({co.ty}, '') <> 'Metro'"
            )?)?
            .execute([fi])?,
        PendingContacts::OfType(kind) => conn
            .prepare_cached(crate::sql!(
                "DELETE FROM contact WHERE fi = ?1 AND COALESCE({co.do}, 0) = 0 AND {co.ty} = ?2"
            )?)?
            .execute(params![fi, kind])?,
        PendingContacts::OfTypeAndDescription(kind, description) => conn
            .prepare_cached(crate::sql!(
                "DELETE FROM contact WHERE fi = ?1 AND COALESCE({co.do}, 0) = 0 AND {co.ty} = ?2
                   AND {co.de} = ?3"
            )?)?
            .execute(params![fi, kind, description])?,
    };
    Ok(deleted)
}

/// Close a contact on `date` with `status` (Completed, or a promise Broken): done, with
/// its done date. The one statement for "mark contact done"; the promise sweep runs it
/// once per broken promise, so its text is expanded once (`sql!`), never per call.
pub fn close_contact(conn: &Db, id: i64, date: NaiveDate, status: &str) -> Result<()> {
    // `id` is the store's own key, not a catalogue field.
    conn.prepare_cached(crate::sql!(
        "UPDATE contact SET {co.do} = 1, {co.dd} = ?2, {co.st} = ?3 WHERE id = ?1"
    )?)?
    .execute(params![id, date, status])?;
    Ok(())
}

/// How many open (not done) promises a debtor has.
pub fn count_open_promises(conn: &Db, fi: i64) -> Result<i64> {
    // `fi` is the store's own owner key on contact.
    Ok(conn
        .prepare_cached(crate::sql!(
            "SELECT COUNT(*) FROM contact
             WHERE fi = ?1 AND lower({co.ty}) = 'promise' AND COALESCE({co.do}, 0) = 0"
        )?)?
        .query_row([fi], |r| r.get(0))?)
}

/// Close every open promise of a debtor on `date` with `status` (an arrangement
/// replaced them); returns how many.
pub fn close_open_promises(conn: &Db, fi: i64, date: NaiveDate, status: &str) -> Result<usize> {
    Ok(conn
        .prepare_cached(crate::sql!(
            "UPDATE contact SET {co.do} = 1, {co.dd} = ?2, {co.st} = ?3
             WHERE fi = ?1 AND lower({co.ty}) = 'promise' AND COALESCE({co.do}, 0) = 0"
        )?)?
        .execute(params![fi, date, status])?)
}

/// Write an arrangement's Promise contact: `amount` cents due on `due`, nothing paid,
/// In Progress; returns its id.
pub fn insert_promise(
    conn: &Db,
    fi: i64,
    description: &str,
    due: NaiveDate,
    amount: i64,
) -> Result<i64> {
    conn.prepare_cached(crate::sql!(
        "INSERT INTO contact (fi, {co.ty}, {co.de}, {co.du}, {co.am}, {co.pa}, {co.do}, {co.st})
         VALUES (?1, 'Promise', ?2, ?3, ?4, 0, 0, 'In Progress')"
    )?)?
    .execute(params![fi, description, due, amount])?;
    Ok(conn.last_insert_rowid())
}

/// A pending Metro contact due on `due` (the one the next report completes). The
/// contact's owner key `fi` is the store's own column, not a catalogue field.
pub fn schedule_metro_contact(conn: &Db, fi: i64, due: NaiveDate, description: &str) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "INSERT INTO contact (fi, {co.ty}, {co.de}, {co.du}, {co.do}, {co.st})
         VALUES (?1, 'Metro', ?3, ?2, 0, 'In Progress')"
    )?)?
    .execute(params![fi, crate::dates::iso_date(due), description])?;
    Ok(())
}

/// A promise with an unpaid amount, as `recoup promises` lists it (cents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpaidPromise {
    pub fi: i64,
    pub id: i64,
    /// Due date as stored (`YYYY-MM-DD`), or none.
    pub due: Option<String>,
    /// Promised amount (blank read as 0).
    pub amount: i64,
    /// Amount paid so far (blank read as 0).
    pub paid: i64,
    /// Its status is `broken_status`.
    pub marked_broken: bool,
}

/// Every promise with an unpaid amount that is open or has status `broken_status`,
/// of one debtor or all, earliest due first (no due date last), then by debtor and id;
/// streamed to `f`.
pub fn for_each_unpaid_promise(
    conn: &Db,
    broken_status: &str,
    debtor: Option<i64>,
    mut f: impl FnMut(UnpaidPromise) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(crate::sql!(
        "SELECT fi, id, {co.du}, COALESCE({co.am}, 0), COALESCE({co.pa}, 0), COALESCE({co.st}, '') = ?1
         FROM contact
         WHERE lower({co.ty}) = 'promise' AND (COALESCE({co.do}, 0) = 0 OR {co.st} = ?1)
           AND COALESCE({co.am}, 0) > COALESCE({co.pa}, 0) AND (?2 IS NULL OR fi = ?2)
         ORDER BY {co.du} IS NULL, {co.du}, fi, id"
    )?)?;
    let mut rows = stmt.query(params![broken_status, debtor])?;
    while let Some(r) = rows.next()? {
        f(UnpaidPromise {
            fi: r.get(0)?,
            id: r.get(1)?,
            due: r.get(2)?,
            amount: r.get(3)?,
            paid: r.get(4)?,
            marked_broken: r.get(5)?,
        })?;
    }
    Ok(())
}

/// An open promise past the sweep's cutoff with an unpaid amount (cents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuePromise {
    pub fi: i64,
    pub id: i64,
    /// Due date as stored (`YYYY-MM-DD`).
    pub due: String,
    pub amount: i64,
    pub paid: i64,
}

/// The open promises due before `cutoff` with an unpaid amount, by debtor, due date
/// and id: what the sweep breaks. Read in full before the sweep closes any, since
/// closing one changes the index (done, du) this read walks.
pub fn promises_due_before(conn: &Db, cutoff: NaiveDate) -> Result<Vec<DuePromise>> {
    let rows = conn
        .prepare_cached(crate::sql!(
            "SELECT fi, id, {co.du}, COALESCE({co.am}, 0), COALESCE({co.pa}, 0) FROM contact
             WHERE {co.do} = 0 AND {co.du} < ?1 AND lower({co.ty}) = 'promise'
               AND COALESCE({co.am}, 0) > COALESCE({co.pa}, 0) AND fi IS NOT NULL
             ORDER BY fi, {co.du}, id"
        )?)?
        .query_map([crate::dates::iso_date(cutoff)], |r| {
            Ok(DuePromise {
                fi: r.get(0)?,
                id: r.get(1)?,
                due: r.get(2)?,
                amount: r.get(3)?,
                paid: r.get(4)?,
            })
        })?
        .collect::<std::result::Result<_, _>>()?;
    Ok(rows)
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

    fn ids(c: &Db) -> Vec<i64> {
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
    fn pending_contacts_due_by_date_sort_oldest_first() {
        let store = db();
        let c = store.conn();
        c.execute_batch(
            "UPDATE contact SET du = '2024-07-09', ti = '10:00' WHERE id = 1;
             UPDATE contact SET du = '2024-07-09', ti = '09:00', am = 500 WHERE id = 2;
             UPDATE contact SET du = '2024-07-11' WHERE id = 3;",
        )
        .unwrap();
        let mut due = pending_contacts(c, NaiveDate::from_ymd_opt(2024, 7, 10).unwrap()).unwrap();
        due.sort();
        let got: Vec<(i64, &str, Option<i64>)> = due
            .iter()
            .map(|p| (p.id, p.time.as_str(), p.amount))
            .collect();
        assert_eq!(got, vec![(2, "09:00", Some(500)), (1, "10:00", None)]);
    }

    #[test]
    fn reassign_pending_moves_only_open_contacts_of_the_old_operator() {
        let store = db();
        let c = store.conn();
        c.execute_batch("UPDATE contact SET op = 'OLD' WHERE id IN (1, 4); UPDATE contact SET op = 'X' WHERE id = 3;")
            .unwrap();
        reassign_pending(c, 1, "OLD", "NEW").unwrap();
        reassign_pending(c, 1, "", "BLANK").unwrap();
        let ops: Vec<String> = c
            .prepare("SELECT COALESCE(op, '') FROM contact ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(ops, vec!["NEW", "BLANK", "X", "OLD"]);
    }

    #[test]
    fn promises_in_payment_order() {
        let store = db();
        let c = store.conn();
        c.execute_batch(
            "INSERT INTO contact (id, fi, ty, du, am, pa, done) VALUES (10, 1, 'Promise', NULL, 100, 0, 0);
             INSERT INTO contact (id, fi, ty, du, am, pa, done) VALUES (11, 1, 'promise', '2024-08-01', 200, 50, 0);
             INSERT INTO contact (id, fi, ty, du, am, pa, done, st) VALUES (12, 1, 'Promise', '2024-07-01', 300, 300, 1, 'Completed');
             INSERT INTO contact (id, fi, ty, du, am, pa, done, st) VALUES (13, 1, 'Promise', '2024-09-01', 300, 10, 0, 'Broken');",
        )
        .unwrap();
        let open: Vec<i64> = open_promises(c, 1).unwrap().iter().map(|p| p.id).collect();
        assert_eq!(open, vec![11, 13, 10]);
        let paid = paid_promises_latest_first(c, 1, ["Broken", "Cancelled"]).unwrap();
        assert_eq!(
            paid,
            vec![
                PromiseRow {
                    id: 11,
                    amount: 200,
                    paid: 50,
                    done: false
                },
                PromiseRow {
                    id: 12,
                    amount: 300,
                    paid: 300,
                    done: true
                },
            ]
        );
        assert_eq!(
            next_open_promise(c, 1).unwrap(),
            Some((Some("2024-08-01".into()), 200))
        );
        reopen_contact(c, 12, 120).unwrap();
        set_amount_paid(c, 11, 200).unwrap();
        let row: (i64, i64, Option<String>, String) = c
            .query_row(
                "SELECT pa, done, dd, st FROM contact WHERE id = 12",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(row, (120, 0, None, "In Progress".into()));
        let open: Vec<(i64, i64)> = open_promises(c, 1)
            .unwrap()
            .iter()
            .map(|p| (p.id, p.paid))
            .collect();
        assert_eq!(open, vec![(12, 120), (11, 200), (13, 10), (10, 0)]);
    }

    #[test]
    fn set_attachment_sets_and_clears() {
        let store = db();
        let c = store.conn();
        set_attachment(c, 1, Some("x.pdf")).unwrap();
        set_attachment(c, 2, Some("y.pdf")).unwrap();
        set_attachment(c, 2, None).unwrap();
        let at: Vec<Option<String>> = c
            .prepare("SELECT at FROM contact WHERE id IN (1, 2) ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(at, vec![Some("x.pdf".into()), None]);
    }
}

/// Contact controls (S2:1671-1809): a control applies when its type matches and its
/// state is blank or the debtor's; it allows a contact when fewer than `max_times`
/// completed contacts of that type fall in the `period_days` days up to `today`,
/// counting `already` more made in the current run (letters written but not yet saved).
pub fn contact_allowed(
    conn: &Db,
    kind: super::source::CcKind,
    fi: i64,
    today: NaiveDate,
    already: i64,
) -> Result<bool> {
    use super::source::CcKind;
    // A debtor that cannot be read counts as one with no state.
    let state: Option<String> = conn
        .prepare_cached(crate::sql!(
            "SELECT {de.st} FROM debtor WHERE {de.fi} = ?1"
        )?)?
        .query_row([fi], |r| r.get(0))
        .unwrap_or(None);
    let state = state.unwrap_or_default();
    let mut stmt = conn.prepare_cached(
        "SELECT max_times, period_days FROM contact_control
         WHERE lower(type) = ?1 AND (state = '' OR upper(state) = upper(?2))",
    )?;
    let controls: Vec<(i64, i64)> = stmt
        .query_map(params![kind.type_name(), state], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<std::result::Result<_, _>>()?;
    // The contact types each kind counts; `fi` is the store's debtor key on contact.
    let count_sql = match kind {
        CcKind::Letter => crate::sql!(
            "SELECT count(*) FROM contact WHERE fi = ?1 AND {co.do} = 1 AND {co.dd} >= ?2 AND {co.dd} <= ?3
             AND lower(trim({co.ty})) IN ('letter', 'l')"
        )?,
        CcKind::Call => crate::sql!(
            "SELECT count(*) FROM contact WHERE fi = ?1 AND {co.do} = 1 AND {co.dd} >= ?2 AND {co.dd} <= ?3
             AND lower(trim({co.ty})) IN ('phone', 'call', 'p')"
        )?,
        CcKind::Email => crate::sql!(
            "SELECT count(*) FROM contact WHERE fi = ?1 AND {co.do} = 1 AND {co.dd} >= ?2 AND {co.dd} <= ?3
             AND lower(trim({co.ty})) IN ('email', 'e-mail', 'e')"
        )?,
        CcKind::Text => crate::sql!(
            "SELECT count(*) FROM contact WHERE fi = ?1 AND {co.do} = 1 AND {co.dd} >= ?2 AND {co.dd} <= ?3
             AND lower(trim({co.ty})) IN ('text', 'sms', 't')"
        )?,
    };
    for (max_times, period_days) in controls {
        let from = today - chrono::Days::new(period_days.max(1) as u64 - 1);
        let n: i64 = conn
            .prepare_cached(count_sql)?
            .query_row(params![fi, from.to_string(), today.to_string()], |r| {
                r.get(0)
            })?;
        if n + already >= max_times {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A Letter contact selected for a letter run.
#[derive(Debug, Clone)]
pub struct DueLetter {
    pub contact: i64,
    pub file_number: i64,
    pub description: String,
    pub due: String,
    /// The skip indicator of an earlier run: `0` debtor skipped, `1` cosigner skipped.
    pub skip_indicator: String,
}

/// Letter contacts not done and due in the range, or earlier and still carrying a
/// skip indicator (S2:5976-5978). `fi` is the store's debtor key on contact.
pub fn due_letters(conn: &Db, from: NaiveDate, to: NaiveDate) -> Result<Vec<DueLetter>> {
    let mut stmt = conn.prepare(crate::sql!(
        "SELECT id, fi, COALESCE({co.de}, ''), COALESCE({co.du}, ''), COALESCE({co.at}, '') FROM contact
         WHERE fi IS NOT NULL AND lower({co.ty}) = 'letter' AND COALESCE({co.do}, 0) = 0
           AND (({co.du} >= ?1 AND {co.du} <= ?2) OR ({co.du} < ?1 AND {co.at} IN ('0', '1')))"
    )?)?;
    let rows = stmt
        .query_map(params![from, to], |r| {
            Ok(DueLetter {
                contact: r.get(0)?,
                file_number: r.get(1)?,
                description: r.get(2)?,
                due: r.get(3)?,
                skip_indicator: r.get(4)?,
            })
        })?
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Leave a letter contact due for a retry: status In Progress, with the skip indicator
/// (`0` debtor skipped, `1` cosigner skipped, blank both) in its attachment field.
pub fn set_letter_retry(conn: &Db, id: i64, skip_indicator: &str) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "UPDATE contact SET {co.st} = 'In Progress', {co.at} = ?2 WHERE id = ?1"
    )?)?
    .execute(params![id, skip_indicator])?;
    Ok(())
}
