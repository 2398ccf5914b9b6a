//! The daily cash report: every transaction posted in a range and not omitted from
//! the daily cash report, totals by type, and the bank deposit (the To Us total).

use crate::store::Db;
use chrono::NaiveDate;

use crate::money::limits::add_to_total;
use crate::store::statements::cash_report_rows;
use crate::Result;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashLine {
    pub posted: String,
    pub file_number: i64,
    pub client: i64,
    pub name: String,
    pub type_code: String,
    pub description: String,
    pub to_us: i64,
    pub direct: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeTotal {
    pub type_code: String,
    pub description: String,
    pub count: usize,
    pub to_us: i64,
    pub direct: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CashReport {
    pub lines: Vec<CashLine>,
    pub by_type: Vec<TypeTotal>,
    pub to_us: i64,
    pub direct: i64,
    /// What goes to the bank: the To Us total (S2:2547-2548, 3035-3037).
    pub deposit: i64,
}

pub fn cash_report(
    conn: &Db,
    from: NaiveDate,
    to: NaiveDate,
    client: Option<i64>,
) -> Result<CashReport> {
    let mut report = CashReport::default();
    let mut types: std::collections::BTreeMap<(i64, String), TypeTotal> = Default::default();
    let mut keyed = Vec::new();
    for r in cash_report_rows(conn, from, to, client)? {
        let line = CashLine {
            posted: r.posted,
            file_number: r.file_number,
            client: r.client,
            name: r.name,
            type_code: r.type_code,
            description: r.description,
            to_us: r.to_us,
            direct: r.direct,
        };
        let type_desc = r.type_description;
        let numeric = line.type_code.parse::<i64>().unwrap_or(i64::MAX);
        let t = types
            .entry((numeric, line.type_code.clone()))
            .or_insert_with(|| TypeTotal {
                type_code: line.type_code.clone(),
                description: type_desc,
                count: 0,
                to_us: 0,
                direct: 0,
            });
        t.count += 1;
        // Checked: a total beyond the ceiling is an error, never a wrap (money::limits).
        t.to_us = add_to_total(t.to_us, line.to_us)?;
        t.direct = add_to_total(t.direct, line.direct)?;
        report.to_us = add_to_total(report.to_us, line.to_us)?;
        report.direct = add_to_total(report.direct, line.direct)?;
        keyed.push(line);
    }
    keyed.sort_by(|a, b| (&a.posted, a.file_number).cmp(&(&b.posted, b.file_number)));
    report.lines = keyed;
    report.by_type = types.into_values().collect();
    report.deposit = report.to_us;
    Ok(report)
}
