//! The daily cash report: every transaction posted in a range and not omitted from
//! the daily cash report, totals by type, and the bank deposit (the To Us total).

use std::fmt;

use crate::store::Db;
use chrono::NaiveDate;
use serde::Serialize;

use crate::money::limits::add_to_total;
use crate::store::statements::cash_report_rows;
use crate::Result;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CashLine {
    pub posted: String,
    #[serde(rename = "file")]
    pub file_number: i64,
    pub client: i64,
    pub name: String,
    #[serde(rename = "type")]
    pub type_code: String,
    pub description: String,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub to_us: i64,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub direct: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeTotal {
    #[serde(rename = "type")]
    pub type_code: String,
    pub description: String,
    pub count: usize,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub to_us: i64,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub direct: i64,
}

/// The daily cash report of a period: `--json` is its serialisation (amounts as
/// two-decimal strings), the printed report its `Display`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CashReport {
    #[serde(serialize_with = "super::iso_date")]
    pub from: NaiveDate,
    #[serde(serialize_with = "super::iso_date")]
    pub to: NaiveDate,
    pub lines: Vec<CashLine>,
    pub by_type: Vec<TypeTotal>,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub to_us: i64,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub direct: i64,
    /// What goes to the bank: the To Us total (S2:2547-2548, 3035-3037).
    #[serde(serialize_with = "super::cents_as_amount")]
    pub deposit: i64,
}

impl fmt::Display for CashReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = |c: i64| format!("{:.2}", crate::money::from_cents(c));
        writeln!(f, "Daily cash report {} to {}", self.from, self.to)?;
        writeln!(f)?;
        writeln!(
            f,
            "{:<10} {:>6} {:>6} {:<24} {:<4} {:>12} {:>12}",
            "posted", "file", "client", "name", "type", "to us", "direct"
        )?;
        for l in &self.lines {
            let name: String = l.name.chars().take(24).collect();
            writeln!(
                f,
                "{:<10} {:>6} {:>6} {:<24} {:<4} {:>12} {:>12}",
                l.posted,
                l.file_number,
                l.client,
                name,
                l.type_code,
                m(l.to_us),
                m(l.direct)
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{:<4} {:<32} {:>5} {:>12} {:>12}",
            "type", "description", "count", "to us", "direct"
        )?;
        for t in &self.by_type {
            writeln!(
                f,
                "{:<4} {:<32} {:>5} {:>12} {:>12}",
                t.type_code,
                t.description,
                t.count,
                m(t.to_us),
                m(t.direct)
            )?;
        }
        writeln!(
            f,
            "{:<4} {:<32} {:>5} {:>12} {:>12}",
            "",
            "total",
            self.lines.len(),
            m(self.to_us),
            m(self.direct)
        )?;
        writeln!(f)?;
        writeln!(f, "bank deposit: {}", m(self.deposit))
    }
}

pub fn cash_report(
    conn: &Db,
    from: NaiveDate,
    to: NaiveDate,
    client: Option<i64>,
) -> Result<CashReport> {
    let mut report = CashReport {
        from,
        to,
        lines: Vec::new(),
        by_type: Vec::new(),
        to_us: 0,
        direct: 0,
        deposit: 0,
    };
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

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn json_keys_in_order_amounts_as_strings_and_display_is_the_report() {
        let d = |day| NaiveDate::from_ymd_opt(2024, 7, day).unwrap();
        let r = CashReport {
            from: d(1),
            to: d(31),
            lines: vec![CashLine {
                posted: "2024-07-02".into(),
                file_number: 1000,
                client: 7,
                name: "Doe".into(),
                type_code: "101".into(),
                description: "Payment".into(),
                to_us: 12345,
                direct: 0,
            }],
            by_type: vec![TypeTotal {
                type_code: "101".into(),
                description: "Payment".into(),
                count: 1,
                to_us: 12345,
                direct: 0,
            }],
            to_us: 12345,
            direct: 0,
            deposit: 12345,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            concat!(
                r#"{"from":"2024-07-01","to":"2024-07-31","#,
                r#""lines":[{"posted":"2024-07-02","file":1000,"client":7,"name":"Doe","type":"101","description":"Payment","to_us":"123.45","direct":"0.00"}],"#,
                r#""by_type":[{"type":"101","description":"Payment","count":1,"to_us":"123.45","direct":"0.00"}],"#,
                r#""to_us":"123.45","direct":"0.00","deposit":"123.45"}"#
            )
        );
        let text = r.to_string();
        assert!(
            text.starts_with("Daily cash report 2024-07-01 to 2024-07-31\n\nposted "),
            "{text}"
        );
        assert!(
            text.contains("\n2024-07-02   1000      7 Doe                      101        123.45         0.00\n"),
            "{text}"
        );
        assert!(text.ends_with("\n\nbank deposit: 123.45\n"), "{text}");
    }
}
