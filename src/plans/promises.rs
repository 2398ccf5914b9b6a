//! Promises (S2:5583-5585): a Promise contact is "only satisfied when the full Amount
//! has been paid". An import with "Manage Promises" (S2:5221) applies each payment to
//! the debtor's pending promises, the earliest due first: a promise covered in full is
//! completed on the payment date; a partly covered one stays pending with the amount
//! still promised in its Amount.

use chrono::NaiveDate;
use rusqlite::{params, Connection};

use crate::Result;

/// Apply a payment (cents) to the debtor's pending promises; returns how many were
/// completed.
pub fn apply_payment(conn: &Connection, fi: i64, amount: i64, date: NaiveDate) -> Result<usize> {
    if amount <= 0 {
        return Ok(0);
    }
    let mut pending: Vec<(String, i64, i64)> = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT COALESCE(du, ''), id, COALESCE(am, 0) FROM contact
             WHERE fi = ?1 AND lower(ty) = 'promise' AND COALESCE(done, 0) = 0",
        )?;
        let mut rows = stmt.query([fi])?;
        while let Some(r) = rows.next()? {
            pending.push((r.get(0)?, r.get(1)?, r.get(2)?));
        }
    }
    pending.sort();
    let mut left = amount;
    let mut completed = 0;
    for (_, id, owed) in pending {
        if left <= 0 {
            break;
        }
        if left >= owed {
            left -= owed;
            conn.prepare_cached(
                "UPDATE contact SET done = 1, dd = ?2, st = 'Completed' WHERE id = ?1",
            )?
            .execute(params![id, date])?;
            completed += 1;
        } else {
            conn.prepare_cached("UPDATE contact SET am = ?2 WHERE id = ?1")?
                .execute(params![id, owed - left])?;
            left = 0;
        }
    }
    Ok(completed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn payments_satisfy_promises_in_full_only() {
        let store = Store::open_in_memory().unwrap();
        let c = store.conn();
        c.execute_batch(
            "INSERT INTO client (nu) VALUES (1);
             INSERT INTO debtor (fi, cn) VALUES (1, 1);
             INSERT INTO contact (fi, ty, du, am, done) VALUES (1, 'Promise', '2024-07-10', 5000, 0);
             INSERT INTO contact (fi, ty, du, am, done) VALUES (1, 'Promise', '2024-08-10', 5000, 0);",
        )
        .unwrap();
        let d = NaiveDate::from_ymd_opt(2024, 7, 9).unwrap();
        // 30.00 does not satisfy the first 50.00 promise: 20.00 still promised
        assert_eq!(apply_payment(c, 1, 3000, d).unwrap(), 0);
        // 45.00 completes it (20.00) and leaves 25.00 on the next
        assert_eq!(apply_payment(c, 1, 4500, d).unwrap(), 1);
        let rows: Vec<(i64, bool)> = c
            .prepare("SELECT am, done FROM contact ORDER BY du")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|x| x.unwrap())
            .collect();
        assert_eq!(rows, vec![(2000, true), (2500, false)]);
        assert_eq!(apply_payment(c, 1, -100, d).unwrap(), 0);
    }
}
