//! The stock transaction types (S2:1915-1968), the reserved codes (S2:1979-2001),
//! and the per-type flags of How To Setup Collect!, Transaction Types. Where the seeds leave a flag
//! open ("?" there) the choice is the one an agency expects, noted as `// chosen`.
//! `docs/money.md` explains the choices for operations staff.

use rusqlite::{params, Connection};

use crate::Result;

/// One stock type. Amounts are cents.
pub struct StockType {
    pub code: &'static str,
    pub description: &'static str,
    pub fin_type: &'static str,
    pub reserved: bool,
    pub omit_statement: bool,
    pub omit_cash: bool,
    pub no_commission: bool,
    pub no_tax: bool,
    pub commission_rate: Option<&'static str>,
    pub fixed_to_us: Option<i64>,
    pub fixed_commission: Option<i64>,
    pub fee_due_agency: bool,
}

const fn t(code: &'static str, description: &'static str, fin_type: &'static str) -> StockType {
    StockType {
        code,
        description,
        fin_type,
        reserved: false,
        omit_statement: true,
        omit_cash: true,
        no_commission: true,
        no_tax: true,
        commission_rate: None,
        fixed_to_us: None,
        fixed_commission: None,
        fee_due_agency: false,
    }
}

/// A payment on the statement and the daily cash report, with commission and tax
/// at the account's rates (101, S2:2525-2565).
const fn pay(code: &'static str, description: &'static str) -> StockType {
    StockType {
        omit_statement: false,
        omit_cash: false,
        no_commission: false,
        no_tax: false,
        ..t(code, description, "payment")
    }
}

const fn reserved(mut s: StockType) -> StockType {
    s.reserved = true;
    s
}

const fn header(code: &'static str, description: &'static str) -> StockType {
    reserved(t(code, description, "header"))
}

pub static STOCK_TYPES: &[StockType] = &[
    header("100", "PAYMENTS AND SYSTEM"),
    pay("101", "Check Payment"),        // S2:2525-2565
    pay("102", "Cash Payment"),         // chosen: as 101
    pay("103", "Payment Out of Court"), // chosen: as 101
    pay("104", "Money Order Payment"),  // chosen: as 101
    pay("105", "Returned NSF Check"),   // docs/money.md: a Payment type; posted negative
    StockType {
        // S2:2803-2862: fixed $25 To Agency and Commission, used as-is
        omit_statement: true,
        no_commission: true,
        no_tax: true,
        fixed_to_us: Some(2500),
        fixed_commission: Some(2500),
        ..pay("106", "Payment of Agency NSF Fee")
    },
    pay("107", "Check Payment Taken By Phone"), // S2:2566-2607
    pay("108", "Debtor Over Payment"),          // chosen: as 101
    pay("109", "Credit Card Payment"),          // chosen: as 101
    pay("110", "ACH Payment"),                  // chosen: as 101
    pay("111", "Direct Payment to Client"),     // chosen: as 101 (amount in Direct)
    StockType {
        // S2:2700-2731: the agency keeps 100% of it; not on the statement
        omit_statement: true,
        commission_rate: Some("100"),
        ..pay("120", "Attorney Fee Payment")
    },
    StockType {
        // S2:2732-2766: a negative Commission Amount records an advance from the client
        omit_cash: true,
        ..pay("121", "Legal Fee Advance Received")
    },
    StockType {
        // S2:2767-2802: "Leave the Commission Amount field empty so that the entire
        // amount is reimbursed to your client" — a 0% type rate does that.
        omit_cash: true,
        commission_rate: Some("0"),
        ..pay("122", "Court Cost Payment")
    },
    pay("150", "Down Payment"),                      // S2:2608-2653
    pay("151", "Payment Plan Payment"),              // S2:2654-2699
    t("160", "Monthly Billing Amount", "principal"), // S2:2304-2341
    t("193", "Payment Plan Initial Discount", "adjustment"), // S2:3161-3186
    reserved(t("194", "Judgment Principal", "principal")), // S2:2182-2230
    reserved(t("195", "Judgment Interest", "interest")), // S2:2422-2465
    reserved(t("196", "Original Principal", "principal")), // S2:2136-2181
    reserved(t("197", "Original Interest", "interest")), // S2:2379-2421
    // The percent-of principal types, S2:2231-2378: 161 of the accrued interest,
    // 162 of owing, 163 of principal (money::accrual::percent_amount).
    t("161", "Add Current Accrued Interest", "principal"),
    t("162", "Add Percent of Owing", "principal"),
    t("163", "Add Percent of Principal", "principal"),
    header("200", "LEGAL FEES"),
    t("201", "Court Cost Charge", "legal"),    // S2:2863-2898
    t("202", "Attorney Fees Charge", "legal"), // chosen: as 201
    StockType {
        // S2:2899-2935: a positive Commission Amount charges the fee to the client,
        // "included in the client's month end statement".
        omit_statement: false,
        fee_due_agency: true,
        ..t("205", "Legal Fee Advance Request", "legal")
    },
    reserved(t("294", "Judgement Legal Costs", "legal")),
    header("300", "FEES"),
    StockType {
        fixed_to_us: Some(-2500), // S2:3055-3112: -$25 To Agency
        ..t("301", "NSF Charge Due Agency", "fee")
    },
    t("302", "Closing Fee", "fee"),
    t("303", "Locate Fee", "fee"),
    t("305", "ACH Convenience Fee Reversal", "fee"), // S2:2995-3054
    t("307", "ACH Convenience Fee", "fee"),
    t("309", "Credit Card Convenience Fee", "fee"),
    t("310", "Service Charge", "fee"),
    t("320", "Payment Plan Late Fee", "fee"),
    t("340", "Daily Storage Fee", "fee"),
    t("350", "Payment Plan Service Charge", "fee"), // S2:3113-3138
    t("351", "Late Fee", "fee"),                    // S2:2936-2966
    reserved(t("394", "Judgement Court Costs", "fee")),
    StockType {
        // S2:627-633: a 'due Agency' charge billed to the client; never in the
        // debtor's balance (docs/store.md). Not cash received, so omitted from daily cash.
        omit_statement: false,
        fee_due_agency: true,
        ..reserved(t("397", "Client Fee", "client_fee"))
    },
    reserved(t("398", "Debtor Fee", "fee")), // S2:634-637: in the debtor's Fees
    reserved(t("399", "Collection Fee", "fee")), // S2:2967-2994
    header("400", "INTEREST"),
    t("401", "Interest Adjustment", "interest"), // S2:2466-2491
    t("402", "Accrued Compound Interest", "interest"),
    t("495", "Additional Judgement Interest", "interest"),
    reserved(t("499", "Total Accrued Interest", "interest")), // S2:2492-2524
    header("500", "ADJUSTMENTS"),
    t("501", "Adjustment by Client", "adjustment"), // S2:3139-3160
    t("502", "Adjustment by Court Order", "adjustment"),
    t("503", "Adjust Judgement Principal", "adjustment"),
    reserved(t("599", "Adjustment through Upgrade", "adjustment")),
    header("600", "INTERNAL EXPENSES"),
    t("601", "Agency Internal Expenditure", "internal"), // S2:3187-3231
    reserved(t("1081", "Original Fees, Prior to Assignment", "fee")), // S2:1993-1997
    reserved(t("1082", "Original Legal, Prior to Assignment", "legal")),
    reserved(t("1083", "Original Misc, Prior to Assignment", "fee")),
    reserved(t("1084", "Original Other, Prior to Assignment", "fee")),
    reserved(t(
        "1085",
        "Original Paid to Client, Prior to Assignment",
        "payment",
    )),
];

/// Stock types added to this list after a database was created (161-163) are added
/// when it opens, like new catalogue columns; a type the database has is left as set up.
pub fn install_missing_transaction_types(conn: &Connection) -> Result<()> {
    let mut have = conn.prepare("SELECT code FROM trans_type")?;
    let have: std::collections::HashSet<String> = have
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let missing: Vec<&StockType> = STOCK_TYPES
        .iter()
        .filter(|s| !have.contains(s.code))
        .collect();
    if !missing.is_empty() {
        insert_types(conn, &missing)?;
    }
    Ok(())
}

pub fn install_transaction_types(conn: &Connection) -> Result<()> {
    insert_types(conn, &STOCK_TYPES.iter().collect::<Vec<_>>())
}

fn insert_types(conn: &Connection, types: &[&StockType]) -> Result<()> {
    let mut stmt = conn.prepare(
        "INSERT INTO trans_type (code, description, fin_type, reserved, omit_statement, omit_cash,
            no_commission, no_tax, commission_rate, fixed_to_us, fixed_commission, fee_due_agency)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for s in types {
        stmt.execute(params![
            s.code,
            s.description,
            s.fin_type,
            s.reserved,
            s.omit_statement,
            s.omit_cash,
            s.no_commission,
            s.no_tax,
            s.commission_rate,
            s.fixed_to_us,
            s.fixed_commission,
            s.fee_due_agency
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_without_the_percent_types_gets_them_and_keeps_its_own_settings() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let conn = store.conn();
        // As a database created before 161-163 were stock, with 160 set up its own way.
        conn.execute(
            "DELETE FROM trans_type WHERE code IN ('161', '162', '163')",
            [],
        )
        .unwrap();
        conn.execute(
            "UPDATE trans_type SET description = 'Ours' WHERE code = '160'",
            [],
        )
        .unwrap();
        install_missing_transaction_types(conn).unwrap();
        let got: Vec<(String, String)> = conn
            .prepare("SELECT code, fin_type FROM trans_type WHERE code IN ('161', '162', '163') ORDER BY code")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let principal = |c: &str| (c.to_string(), "principal".to_string());
        assert_eq!(
            got,
            vec![principal("161"), principal("162"), principal("163")]
        );
        let ours: String = conn
            .query_row(
                "SELECT description FROM trans_type WHERE code = '160'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(ours, "Ours");
    }
}
