//! Transaction types as the money engine sees them (S2:1874-2106).

use rust_decimal::Decimal;

use super::from_cents;
use crate::store::Db;
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

pub fn load_type(conn: &Db, code: &str) -> Result<Option<TransType>> {
    let Some(r) = crate::store::types::trans_type(conn, code)? else {
        return Ok(None);
    };
    let dec = |s: Option<String>| s.and_then(|s| s.parse::<Decimal>().ok());
    Ok(Some(TransType {
        code: r.code,
        description: r.description,
        fin_type: FinType::parse(&r.fin_type).unwrap_or(FinType::Internal),
        omit_statement: r.omit_statement,
        omit_cash: r.omit_cash,
        no_commission: r.no_commission,
        no_tax: r.no_tax,
        commission_rate: dec(r.commission_rate),
        tax_rate: dec(r.tax_rate),
        fixed_to_us: r.fixed_to_us.map(from_cents),
        fixed_commission: r.fixed_commission.map(from_cents),
        fee_due_agency: r.fee_due_agency,
        copy_description: r.copy_description,
        plan: r.plan.filter(|p| !p.is_empty()),
    }))
}
