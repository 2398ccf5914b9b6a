//! Reversals: a payment-type transaction with a negative amount takes back (part of) an
//! earlier payment — "reversals (negative payments)" (Collect! help, Client Settings —
//! Remit Type, S2:500), 105 Returned NSF Check (S2:1920).
//!
//! The rules (docs/money.md "Reversals"): a reversal reverses one payment of the same
//! debtor — the one named (`post --reverses ID`, an import's `tr.rv`), else the
//! debtor's most recent positive payment dated on or before it that still has enough
//! left un-reversed. It never takes back more than is left un-reversed of that
//! payment, so a payment is never reversed twice over. Only a payment type reverses,
//! only a payment is reversed, and a reversal is negative. Each refusal is exit 3.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::types::{FinType, TransType};
use super::{from_cents, to_cents};
use crate::store::transactions::{self, PaymentRow as Payment};
use crate::store::Db;
use crate::{bail, Error, Remedy, Result};

/// Payment types that are only ever reversals, so a positive amount is refused:
/// 105 Returned NSF Check (S2:1920; docs/money.md "posted negative").
pub const REVERSAL_ONLY_TYPES: &[&str] = &["105"];

/// The payment a reversal reverses, with the rates the reversal takes back at.
#[derive(Debug, Clone, PartialEq)]
pub struct Reversed {
    pub id: i64,
    /// The payment's effective commission rate, percent.
    pub commission_rate: Decimal,
    pub tax_rate: Option<Decimal>,
}

/// Check a posting against the reversal rules. `amount` is To Us + Direct. Returns the
/// payment reversed, or `None` when the posting is not a reversal.
pub fn check(
    conn: &Db,
    debtor: i64,
    ty: &TransType,
    amount: Decimal,
    reverses: Option<i64>,
    on: NaiveDate,
) -> Result<Option<Reversed>> {
    let reversal_only = REVERSAL_ONLY_TYPES.contains(&ty.code.as_str());
    if let Some(id) = reverses {
        if ty.fin_type != FinType::Payment {
            bail!(
                validation,
                "type {} is a {} type: only a payment type reverses a payment (transaction {id})",
                ty.code,
                ty.fin_type.as_str()
            );
        }
    }
    if amount >= Decimal::ZERO && (reverses.is_some() || reversal_only) {
        bail!(
            validation,
            "a reversal is posted with a negative amount; {} of type {} is not",
            amount,
            ty.code
        );
    }
    if ty.fin_type != FinType::Payment || amount >= Decimal::ZERO {
        return Ok(None);
    }
    let wanted = -to_cents(amount);
    let payment = match reverses {
        Some(id) => named_payment(conn, debtor, id, wanted)?,
        None => latest_payment(conn, debtor, ty, wanted, on)?,
    };
    let rate = if payment.amount == 0 {
        Decimal::ZERO
    } else {
        from_cents(payment.commission) * Decimal::ONE_HUNDRED / from_cents(payment.amount)
    };
    Ok(Some(Reversed {
        id: payment.id,
        commission_rate: rate,
        tax_rate: payment
            .tax_rate
            .and_then(|s| s.trim().parse::<Decimal>().ok()),
    }))
}

/// The payment named by a reversal, checked: same debtor, a positive payment, enough
/// left un-reversed.
fn named_payment(conn: &Db, debtor: i64, id: i64, wanted: i64) -> Result<Payment> {
    let Some(p) = transactions::payment(conn, id)? else {
        bail!(
            validation,
            "transaction {id} does not exist: nothing to reverse"
        )
    };
    if p.file_number != debtor {
        bail!(
            validation,
            "transaction {id} belongs to debtor {}, not debtor {debtor}: a reversal reverses a payment of its own debtor",
            p.file_number
        );
    }
    if p.fin_type != FinType::Payment.as_str() || p.amount <= 0 {
        bail!(
            validation,
            "transaction {id} (type {}, {}) is not a payment: only a payment can be reversed",
            p.type_code,
            from_cents(p.amount)
        );
    }
    let left = p.amount - transactions::reversed_so_far(conn, debtor, id)?;
    if wanted > left {
        if left == 0 {
            bail!(
                validation,
                "payment {id} of {} is already fully reversed",
                from_cents(p.amount)
            );
        }
        bail!(
            validation,
            "a reversal of {} is more than the {} left un-reversed of payment {id} ({})",
            from_cents(wanted),
            from_cents(left),
            from_cents(p.amount)
        );
    }
    Ok(p)
}

/// The debtor's most recent positive payment dated on or before `on` with at least
/// `wanted` left un-reversed (docs/money.md). A reversal whose type calculates commission
/// looks first among payments whose types calculate it too: an NSF cheque does not
/// reverse a fixed-commission payment such as 106.
fn latest_payment(
    conn: &Db,
    debtor: i64,
    ty: &TransType,
    wanted: i64,
    on: NaiveDate,
) -> Result<Payment> {
    let found =
        transactions::latest_reversible_payment(conn, debtor, on, wanted, ty.no_commission)?;
    match found {
        Some(p) => Ok(p),
        None => Err(Error::validation(format!(
            "debtor {debtor} has no payment dated on or before {on} with {} left un-reversed; a reversal needs one",
            from_cents(wanted)
        ))
        .with_remedy(Remedy::NameReversedPayment)),
    }
}
