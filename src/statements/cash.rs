//! The daily cash report: every transaction posted in a range and not omitted from
//! the daily cash report, totals by type, and the bank deposit (the To Us total).

use chrono::NaiveDate;
use rusqlite::{params, Connection};

use crate::money::limits::add_to_total;
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
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    client: Option<i64>,
) -> Result<CashReport> {
    let mut stmt = conn.prepare(
        "SELECT t.pd, t.fi, d.cn, COALESCE(d.na, ''), t.ty, COALESCE(t.de, ''), COALESCE(t.tu, 0), COALESCE(t.di, 0),
                COALESCE((SELECT description FROM trans_type WHERE code = t.ty), '')
         FROM trans t JOIN debtor d ON d.fi = t.fi
         WHERE t.pd >= ?1 AND t.pd <= ?2 AND COALESCE(t.oc, 0) = 0 AND (?3 IS NULL OR d.cn = ?3)",
    )?;
    let mut rows = stmt.query(params![from, to, client])?;
    let mut report = CashReport::default();
    let mut types: std::collections::BTreeMap<(i64, String), TypeTotal> = Default::default();
    let mut keyed = Vec::new();
    while let Some(r) = rows.next()? {
        let line = CashLine {
            posted: r.get(0)?,
            file_number: r.get(1)?,
            client: r.get(2)?,
            name: r.get(3)?,
            type_code: r.get(4)?,
            description: r.get(5)?,
            to_us: r.get(6)?,
            direct: r.get(7)?,
        };
        let type_desc: String = r.get(8)?;
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
