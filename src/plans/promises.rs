//! Promises (Collect! help, "Delinquency Date For Credit Grantor", S2:5583-5585): a
//! Promise contact is "only satisfied when the full Amount has been paid", and the
//! product "can manage payments, underpayments and overpayments".
//!
//! Each payment — posted with `recoup post`, or imported with "Manage Promises"
//! (S2:5221) — pays the debtor's open promises, the earliest due first: what it pays
//! goes into the promise's Amount Paid (`co.pa`); a promise paid in full is completed
//! on the payment date; a partial payment leaves the rest open; what is left over pays
//! the next one. A reversal (a negative payment) takes the money back from the latest
//! promises it paid and reopens them. Broken and cancelled promises take no payments.
//! After each change the debtor's `de.npd` (next promise due) and `de.arr` (open
//! arrangement amount) are brought up to date by [`refresh`].

use chrono::NaiveDate;

use crate::store::{contacts, debtors, Db};
use crate::Result;

/// Contact status of a promise the sweep found broken (docs/money.md).
pub const BROKEN: &str = "Broken";
/// Contact status of a promise an arrangement replaced.
pub const CANCELLED: &str = "Cancelled";

/// Apply a payment (cents; negative = a reversal) to the debtor's promises; returns how
/// many promises were completed (or, for a reversal, reopened).
pub fn apply_payment(conn: &Db, fi: i64, amount: i64, date: NaiveDate) -> Result<usize> {
    let changed = match amount {
        0 => return Ok(0),
        a if a > 0 => pay_open_promises(conn, fi, a, date)?,
        a => take_back(conn, fi, a.saturating_neg())?,
    };
    refresh(conn, fi)?;
    Ok(changed)
}

/// The open promises, earliest due first (a promise without a due date last).
fn pay_open_promises(conn: &Db, fi: i64, amount: i64, date: NaiveDate) -> Result<usize> {
    let mut left = amount;
    let mut completed = 0;
    for promise in contacts::open_promises(conn, fi)? {
        if left <= 0 {
            break;
        }
        let part = left.min((promise.amount - promise.paid).max(0));
        left -= part;
        let paid = promise.paid + part;
        contacts::set_amount_paid(conn, promise.id, paid)?;
        if paid >= promise.amount {
            contacts::mark_contact_done(conn, promise.id, date)?;
            completed += 1;
        }
    }
    Ok(completed)
}

/// A reversal: the latest promises paid give the money back and are open again.
fn take_back(conn: &Db, fi: i64, amount: i64) -> Result<usize> {
    let mut left = amount;
    let mut reopened = 0;
    for promise in contacts::paid_promises_latest_first(conn, fi, [BROKEN, CANCELLED])? {
        if left <= 0 {
            break;
        }
        let part = left.min(promise.paid);
        left -= part;
        contacts::reopen_contact(conn, promise.id, promise.paid - part)?;
        reopened += usize::from(promise.done);
    }
    Ok(reopened)
}

/// Bring `de.npd` and `de.arr` up to date: the next open promise's due date, and the
/// amount per period while any promise is open (kept from the arrangement; for
/// promises made otherwise, the next promise's amount); both blank when none is open.
pub fn refresh(conn: &Db, fi: i64) -> Result<()> {
    match contacts::next_open_promise(conn, fi)? {
        None => debtors::clear_next_promise(conn, fi),
        Some((due, amount)) => debtors::set_next_promise(conn, fi, due.as_deref(), amount),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Form, Value};
    use crate::store::{self, Store};

    fn day(s: &str) -> NaiveDate {
        crate::dates::parse_iso(s).unwrap()
    }

    /// One field of a stored record, by field name (`am`).
    fn field(c: &Db, form: Form, key: i64, name: &str) -> Value {
        store::read_record(c, form, key)
            .unwrap()
            .unwrap()
            .into_iter()
            .find(|(f, _)| f.field == name)
            .unwrap()
            .1
    }

    fn cents(v: Value) -> Option<i64> {
        v.as_decimal().map(crate::money::to_cents)
    }

    /// (promised, paid, done) of the promises, earliest due first.
    fn promises(c: &Db, ids: [i64; 2]) -> Vec<(i64, i64, bool)> {
        ids.iter()
            .map(|&id| {
                (
                    cents(field(c, Form::Contact, id, "am")).unwrap(),
                    cents(field(c, Form::Contact, id, "pa")).unwrap_or(0),
                    matches!(field(c, Form::Contact, id, "do"), Value::Flag(true)),
                )
            })
            .collect()
    }

    fn npd_arr(c: &Db) -> (Option<String>, Option<i64>) {
        (
            field(c, Form::Debtor, 1, "npd")
                .as_date()
                .map(crate::dates::iso_date),
            cents(field(c, Form::Debtor, 1, "arr")),
        )
    }

    /// Debtor 1 with two 50.00 promises, due July 10 and August 10; their ids.
    fn db() -> (Store, [i64; 2]) {
        let store = Store::open_in_memory().unwrap();
        let c = store.conn();
        store::create_client(c, 1, &[]).unwrap();
        let fi = store::create_debtor(c, 1, &[], day("2024-07-01"), false).unwrap();
        assert_eq!(fi, 1);
        let ids = ["2024-07-10", "2024-08-10"]
            .map(|due| contacts::insert_promise(c, fi, "", day(due), 5000).unwrap());
        (store, ids)
    }

    #[test]
    fn payments_satisfy_promises_in_full_only() {
        let (store, ids) = db();
        let c = store.conn();
        let d = day("2024-07-09");
        // 30.00 does not satisfy the first 50.00 promise: 20.00 still promised
        assert_eq!(apply_payment(c, 1, 3000, d).unwrap(), 0);
        assert_eq!(
            promises(c, ids),
            vec![(5000, 3000, false), (5000, 0, false)]
        );
        // 45.00 completes it (20.00) and carries 25.00 to the next
        assert_eq!(apply_payment(c, 1, 4500, d).unwrap(), 1);
        assert_eq!(
            promises(c, ids),
            vec![(5000, 5000, true), (5000, 2500, false)]
        );
        assert_eq!(npd_arr(c), (Some("2024-08-10".into()), Some(5000)));
        // 80.00 completes the second (25.00); 55.00 is left over with nothing promised
        assert_eq!(apply_payment(c, 1, 8000, d).unwrap(), 1);
        assert_eq!(npd_arr(c), (None, None));
    }

    #[test]
    fn a_reversal_reopens_the_latest_promises_paid() {
        let (store, ids) = db();
        let c = store.conn();
        let d = day("2024-07-09");
        // 75.00 = 50.00 (first, completed) + 25.00 on the second
        apply_payment(c, 1, 7500, d).unwrap();
        // reversing 40.00: 25.00 back from the second, 15.00 from the first (reopened)
        assert_eq!(apply_payment(c, 1, -4000, d).unwrap(), 1);
        assert_eq!(
            promises(c, ids),
            vec![(5000, 3500, false), (5000, 0, false)]
        );
        assert_eq!(npd_arr(c), (Some("2024-07-10".into()), Some(5000)));
        assert!(field(c, Form::Contact, ids[0], "dd").is_null());
    }

    #[test]
    fn broken_promises_take_no_payment() {
        let (store, ids) = db();
        let c = store.conn();
        contacts::close_contact(c, ids[0], day("2024-07-11"), BROKEN).unwrap();
        apply_payment(c, 1, 5000, day("2024-08-01")).unwrap();
        assert_eq!(promises(c, ids), vec![(5000, 0, true), (5000, 5000, true)]);
    }
}
