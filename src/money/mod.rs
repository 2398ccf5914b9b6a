//! Money: exact decimal amounts, transaction types, posting, recalculation,
//! commission and tax (docs/money.md, How To Setup Collect!, Transaction Types).

pub mod accrual;
pub mod interest;
pub mod judgment;
pub mod limits;
pub mod post;
pub mod rate_plan;
pub mod recalc;
pub mod reversal;
pub mod types;

pub use post::{Ledger, NewTransaction, Posted};
pub use rate_plan::{Bracket, Commission, PlanKind, RatePlan};
pub use recalc::{recalculate, update_debtor_fields, Totals};
pub use types::{FinType, TransType};
// Amounts live below the catalogue (which formats money) and the store (which keeps
// cents); money re-exports them as part of its own vocabulary.
pub use crate::amount::{from_cents, parse_amount, round_cents, to_cents};
