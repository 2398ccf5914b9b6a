//! Month-end: client statements (Net, Gross, Combined), client payments against
//! what clients owe, and the daily cash report (docs/money.md; S2:426-739).

pub mod cash;
pub mod generate;
pub mod print;
pub mod remit;

pub use generate::{client_payment, generate, StatementSummary};
pub use remit::Remit;

/// Cents as `--json` shows amounts: a string with two decimals (`"123.45"`).
fn cents_as_amount<S: serde::Serializer>(c: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{:.2}", crate::money::from_cents(*c)))
}

/// A date as `--json` shows it: `YYYY-MM-DD`.
fn iso_date<S: serde::Serializer>(d: &chrono::NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&d.format("%Y-%m-%d"))
}
