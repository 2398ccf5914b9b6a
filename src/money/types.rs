//! Transaction types as the money engine sees them (S2:1874-2106).

use rusqlite::{Connection, OptionalExtension};
use rust_decimal::Decimal;

use super::from_cents;
use crate::Result;

/// The Financial Type decides how a transaction is processed (S2:1890-1897).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinType {
    /// Group title (100, 200, …): nothing may be posted to it (S2:1893-1897).
    Header,
    Payment,
    Principal,
    Interest,
    Fee,
    Legal,
    Adjustment,
    /// 600 series: no effect on owing, commission or return (S2:3203-3208).
    Internal,
    /// 397: billed to the client, never in the debtor's balance (S2:627-633).
    ClientFee,
}

impl FinType {
    pub fn parse(s: &str) -> Option<FinType> {
        Some(match s {
            "header" => FinType::Header,
            "payment" => FinType::Payment,
            "principal" => FinType::Principal,
            "interest" => FinType::Interest,
            "fee" => FinType::Fee,
            "legal" => FinType::Legal,
            "adjustment" => FinType::Adjustment,
            "internal" => FinType::Internal,
            "client_fee" => FinType::ClientFee,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FinType::Header => "header",
            FinType::Payment => "payment",
            FinType::Principal => "principal",
            FinType::Interest => "interest",
            FinType::Fee => "fee",
            FinType::Legal => "legal",
            FinType::Adjustment => "adjustment",
            FinType::Internal => "internal",
            FinType::ClientFee => "client_fee",
        }
    }
}

#[derive(Debug, Clone)]
pub struct TransType {
    pub code: String,
    pub description: String,
    pub fin_type: FinType,
    pub omit_statement: bool,
    pub omit_cash: bool,
    pub no_commission: bool,
    pub no_tax: bool,
    pub commission_rate: Option<Decimal>,
    pub tax_rate: Option<Decimal>,
    pub fixed_to_us: Option<Decimal>,
    pub fixed_commission: Option<Decimal>,
    pub fee_due_agency: bool,
    pub copy_description: bool,
    pub plan: Option<String>,
}

pub fn load_type(conn: &Connection, code: &str) -> Result<Option<TransType>> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, description, fin_type, omit_statement, omit_cash, no_commission, no_tax,
                commission_rate, tax_rate, fixed_to_us, fixed_commission, fee_due_agency,
                copy_description, plan
         FROM trans_type WHERE code = ?1",
    )?;
    let row = stmt
        .query_row([code.trim()], |r| {
            let dec = |s: Option<String>| s.and_then(|s| s.parse::<Decimal>().ok());
            Ok(TransType {
                code: r.get(0)?,
                description: r.get(1)?,
                fin_type: FinType::parse(&r.get::<_, String>(2)?).unwrap_or(FinType::Internal),
                omit_statement: r.get(3)?,
                omit_cash: r.get(4)?,
                no_commission: r.get(5)?,
                no_tax: r.get(6)?,
                commission_rate: dec(r.get(7)?),
                tax_rate: dec(r.get(8)?),
                fixed_to_us: r.get::<_, Option<i64>>(9)?.map(from_cents),
                fixed_commission: r.get::<_, Option<i64>>(10)?.map(from_cents),
                fee_due_agency: r.get(11)?,
                copy_description: r.get(12)?,
                plan: r.get::<_, Option<String>>(13)?.filter(|p| !p.is_empty()),
            })
        })
        .optional()?;
    Ok(row)
}
