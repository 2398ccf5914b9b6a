//! Judgments: once a judgment date is set, the judgment "will factor in all previous
//! transactions", so transactions with a payment date before it are left out of the
//! debtor's financial calculations (Collect! help, Transaction Types — "Judgment
//! Principal Sample", S2:2194-2196; docs/money.md). Recalculation, posting and interest all
//! use [`excluded`], so they agree.

use chrono::NaiveDate;

use crate::store::Db;
use crate::Result;

/// The debtor's judgment date (`de.jd`), if set and readable.
pub fn judgment_date(conn: &Db, file_number: i64) -> Result<Option<NaiveDate>> {
    crate::store::debtors::judgment_date(conn, file_number)
}

/// Whether a transaction paid on `payment_date` is left out under judgment date `jd`.
pub fn excluded(jd: Option<NaiveDate>, payment_date: Option<NaiveDate>) -> bool {
    matches!((jd, payment_date), (Some(j), Some(p)) if p < j)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<NaiveDate> {
        crate::dates::parse_iso(s)
    }

    #[test]
    fn only_transactions_before_the_judgment_date_are_left_out() {
        assert!(excluded(d("2024-03-01"), d("2024-02-29")));
        assert!(!excluded(d("2024-03-01"), d("2024-03-01"))); // on the date: counted
        assert!(!excluded(None, d("2020-01-01")));
        assert!(!excluded(d("2024-03-01"), None));
    }
}
