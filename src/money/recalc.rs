//! Debtor recalculation: the computed financial fields from the transactions
//! (docs/store.md "Computed debtor fields"; How To Setup Collect!, Transaction Types).

use chrono::NaiveDate;

use super::limits::{add_to_total, sub_from_total, MAX_TOTAL_CENTS};
use super::types::FinType;
use crate::store::debtors::DebtorTotals;
use crate::store::Db;
use crate::Result;

/// The computed debtor totals, in cents, as displayed: `pr in fe lg` positive,
/// `aj` negative (S2:3149-3150), `ow = pr + in + fe + lg + aj − pa`. Owing is not a
/// field here, so it can never disagree with its parts; the store's `DebtorTotals` is
/// the stored shape, which keeps Owing as a column for reports and is written through
/// [`Totals::stored`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub principal: i64,
    pub interest: i64,
    pub fees: i64,
    pub legal: i64,
    pub adjustments: i64,
    pub paid: i64,
    pub original_principal: i64,
    pub original_interest: i64,
    pub last_payment_date: Option<NaiveDate>,
    pub last_payment_amount: Option<i64>,
}

impl Totals {
    /// Owing. Every component is kept within the total ceiling by [`Totals::add`], so
    /// this sum of six of them cannot overflow (money::limits); a hand-edited database
    /// beyond it gives a saturated figure here and a refusal at the next posting.
    pub fn owing(&self) -> i64 {
        let wide = self.principal as i128
            + self.interest as i128
            + self.fees as i128
            + self.legal as i128
            + self.adjustments as i128
            - self.paid as i128;
        wide.clamp(i64::MIN as i128, i64::MAX as i128) as i64
    }

    /// Add one transaction. `amount` = To Us + Direct as posted: charges negative
    /// (S2:5084-5085), payments and adjustments positive (S2:2563-2565). A total
    /// beyond the ceiling is refused (exit 3) and leaves the totals as they were.
    pub fn add(
        &mut self,
        code: &str,
        fin: FinType,
        amount: i64,
        payment_date: Option<NaiveDate>,
    ) -> Result<()> {
        let mut next = self.clone();
        next.add_to_components(code, fin, amount, payment_date)?;
        if next.owing().unsigned_abs() > MAX_TOTAL_CENTS as u64 {
            return Err(crate::Error::validation(format!(
                "the debtor's owing would exceed {}",
                super::from_cents(MAX_TOTAL_CENTS)
            )));
        }
        *self = next;
        Ok(())
    }

    fn add_to_components(
        &mut self,
        code: &str,
        fin: FinType,
        amount: i64,
        payment_date: Option<NaiveDate>,
    ) -> Result<()> {
        match fin {
            FinType::Principal => {
                self.principal = sub_from_total(self.principal, amount)?;
                if code == "196" {
                    // several 196s are summed (S2:2142-2144)
                    self.original_principal = sub_from_total(self.original_principal, amount)?;
                }
            }
            FinType::Interest => {
                self.interest = sub_from_total(self.interest, amount)?;
                // Only the first 197 sets Original Interest (S2:2386-2388).
                if code == "197" && self.original_interest == 0 && amount != 0 {
                    self.original_interest = sub_from_total(0, amount)?;
                }
            }
            FinType::Fee => self.fees = sub_from_total(self.fees, amount)?,
            FinType::Legal => self.legal = sub_from_total(self.legal, amount)?,
            FinType::Adjustment => self.adjustments = sub_from_total(self.adjustments, amount)?,
            FinType::Payment => {
                self.paid = add_to_total(self.paid, amount)?;
                if amount > 0 && payment_date >= self.last_payment_date {
                    self.last_payment_date = payment_date;
                    self.last_payment_amount = Some(amount);
                }
            }
            // 397 and the 600 series never touch the debtor (S2:631, 3203-3208).
            FinType::Internal | FinType::ClientFee | FinType::Header => {}
        }
        Ok(())
    }
}

/// Totals of one debtor from its transactions, in posting order.
pub fn totals(conn: &Db, file_number: i64) -> Result<Totals> {
    let mut totals = Totals::default();
    crate::store::transactions::for_each_counted_transaction(conn, file_number, |t| {
        let fin = FinType::parse(&t.fin_type).unwrap_or(FinType::Internal);
        totals
            .add(&t.type_code, fin, t.amount, t.payment_date)
            .map_err(|e| e.context(format!("debtor {file_number}")))
    })?;
    Ok(totals)
}

/// Recalculate one debtor from all its transactions and store its computed fields.
pub fn recalculate(conn: &Db, file_number: i64) -> Result<Totals> {
    let t = totals(conn, file_number)?;
    store_totals(conn, file_number, &t)?;
    Ok(t)
}

/// Write fields of one debtor; a new judgment date recalculates its totals, since it
/// changes which transactions count (docs/money.md, judgments).
pub fn update_debtor_fields(
    conn: &Db,
    file_number: i64,
    values: &[(&crate::catalog::FieldDef, crate::catalog::Value)],
) -> Result<()> {
    crate::store::update_fields(conn, crate::catalog::Form::Debtor, file_number, values)?;
    if values.iter().any(|(f, _)| f.code() == "de.jd") {
        recalculate(conn, file_number)?;
    }
    Ok(())
}

/// The computed fields as stored on the debtor.
pub fn stored_totals(conn: &Db, file_number: i64) -> Result<Totals> {
    match stored_totals_of(conn, file_number)? {
        Some(t) => Ok(t),
        None => Err(crate::Error::runtime(format!(
            "debtor {file_number} does not exist"
        ))),
    }
}

/// The computed fields as stored on the debtor, `None` without such a debtor.
pub fn stored_totals_of(conn: &Db, file_number: i64) -> Result<Option<Totals>> {
    Ok(crate::store::debtors::stored_totals(conn, file_number)?.map(|t| Totals::from(&t)))
}

/// Add one newly posted transaction to the stored totals. Posting always appends, so
/// this equals a full recalculation (a test holds the two together) at a fraction
/// of the cost for accounts with long histories.
pub fn add_posted(
    conn: &Db,
    file_number: i64,
    code: &str,
    fin: FinType,
    amount: i64,
    payment_date: Option<NaiveDate>,
) -> Result<Totals> {
    let mut t = stored_totals(conn, file_number)?;
    if super::judgment::excluded(
        super::judgment::judgment_date(conn, file_number)?,
        payment_date,
    ) {
        return Ok(t);
    }
    t.add(code, fin, amount, payment_date)?;
    store_totals(conn, file_number, &t)?;
    Ok(t)
}

pub fn store_totals(conn: &Db, file_number: i64, t: &Totals) -> Result<()> {
    crate::store::debtors::store_totals(conn, file_number, &t.stored())
}

impl Totals {
    /// The totals as the store keeps them on the debtor, Owing included.
    pub fn stored(&self) -> DebtorTotals {
        DebtorTotals {
            principal: self.principal,
            interest: self.interest,
            fees: self.fees,
            legal: self.legal,
            adjustments: self.adjustments,
            paid: self.paid,
            owing: self.owing(),
            original_principal: self.original_principal,
            original_interest: self.original_interest,
            last_payment_date: self.last_payment_date,
            last_payment_amount: self.last_payment_amount,
        }
    }
}

/// Stored totals as money sees them; Owing is worked out, not read.
impl From<&DebtorTotals> for Totals {
    fn from(t: &DebtorTotals) -> Totals {
        Totals {
            principal: t.principal,
            interest: t.interest,
            fees: t.fees,
            legal: t.legal,
            adjustments: t.adjustments,
            paid: t.paid,
            original_principal: t.original_principal,
            original_interest: t.original_interest,
            last_payment_date: t.last_payment_date,
            last_payment_amount: t.last_payment_amount,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<NaiveDate> {
        crate::dates::parse_iso(s)
    }

    #[test]
    fn sign_rules() {
        let mut t = Totals::default();
        t.add("196", FinType::Principal, -100_000, d("2024-01-01"))
            .unwrap(); // adds $1,000 principal
        t.add("196", FinType::Principal, -50_000, d("2024-01-01"))
            .unwrap(); // several 196s summed
        t.add("160", FinType::Principal, -5_320, d("2024-01-02"))
            .unwrap(); // principal, not original
        t.add("197", FinType::Interest, -2_000, d("2024-01-01"))
            .unwrap(); // first 197 → original interest
        t.add("197", FinType::Interest, -999, d("2024-01-01"))
            .unwrap(); // later 197 ignored for oi
        t.add("351", FinType::Fee, -2_500, None).unwrap();
        t.add("201", FinType::Legal, -10_000, None).unwrap();
        t.add("201", FinType::Legal, 1_000, None).unwrap(); // positive reduces legal
        t.add("501", FinType::Adjustment, 3_000, None).unwrap(); // shown negative, reduces owing
        t.add("101", FinType::Payment, 20_000, d("2024-02-01"))
            .unwrap();
        t.add("101", FinType::Payment, 5_000, d("2024-01-15"))
            .unwrap(); // earlier date: not last
        t.add("105", FinType::Payment, -5_000, d("2024-02-05"))
            .unwrap(); // reversal: not a last payment
        t.add("397", FinType::ClientFee, -1_500, None).unwrap(); // never the debtor's
        t.add("601", FinType::Internal, -7_000, None).unwrap();
        assert_eq!(t.principal, 155_320);
        assert_eq!(t.original_principal, 150_000);
        assert_eq!(t.interest, 2_999);
        assert_eq!(t.original_interest, 2_000);
        assert_eq!(t.fees, 2_500);
        assert_eq!(t.legal, 9_000);
        assert_eq!(t.adjustments, -3_000);
        assert_eq!(t.paid, 20_000);
        assert_eq!(t.owing(), 155_320 + 2_999 + 2_500 + 9_000 - 3_000 - 20_000);
        assert_eq!(t.last_payment_date, d("2024-02-01"));
        assert_eq!(t.last_payment_amount, Some(20_000));
    }

    #[test]
    fn a_total_beyond_the_ceiling_is_refused_and_leaves_the_totals_alone() {
        let mut t = Totals::default();
        let max = crate::money::limits::MAX_AMOUNT_CENTS;
        // a thousand amounts at the ceiling fit; the total ceiling is 1,000 × 100
        for _ in 0..1000 {
            t.add("196", FinType::Principal, -max, None).unwrap();
        }
        let before = t.clone();
        let err = t.add("196", FinType::Principal, -max, None).unwrap_err();
        assert_eq!(err.exit_code(), 3);
        assert_eq!(t, before);
        assert!(t.add("101", FinType::Payment, i64::MAX, None).is_err());
        assert!(t.add("101", FinType::Payment, i64::MIN, None).is_err());
        assert_eq!(t, before);
    }
}
