//! Month-end: client statements (Net, Gross, Combined), client payments against
//! what clients owe, and the daily cash report (docs/money.md; S2:426-739).

pub mod cash;
pub mod generate;
pub mod print;
pub mod remit;

pub use generate::{client_payment, generate, StatementSummary};
pub use remit::Remit;
