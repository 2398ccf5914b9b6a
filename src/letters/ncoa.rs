//! `recoup ncoa import FILE`: a returned NCOA file (CSV `id,address,address1,city,
//! state,zip`, id `D1400` / `C1400`, S2:5937-5947) updates the debtor's or the
//! cosigner's address, sets Address OK and writes a note line on the debtor.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension};

use crate::plans::write_note;
use crate::{Env, Result};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NcoaSummary {
    pub debtors_updated: usize,
    pub cosigners_updated: usize,
    /// line, reason
    pub rejected: Vec<(usize, String)>,
    pub skipped: BTreeMap<String, usize>,
}

/// Apply an NCOA file. Bad lines are rejected with their line number; the others apply.
pub fn import(env: &Env, conn: &Connection, bytes: &[u8]) -> Result<NcoaSummary> {
    let text = String::from_utf8_lossy(bytes);
    let mut summary = NcoaSummary::default();
    // CRLF is normalised first: the csv crate's line numbers are off by one on CRLF input.
    let text = text.replace("\r\n", "\n");
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    for (i, result) in rdr.records().enumerate() {
        let rec = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                summary.rejected.push((line, e.to_string()));
                continue;
            }
        };
        let line = rec.position().map_or(i + 1, |p| p.line() as usize);
        if i == 0 && rec.get(0).is_some_and(|h| h.eq_ignore_ascii_case("id")) {
            continue; // header row
        }
        if rec.len() != 6 {
            summary.rejected.push((
                line,
                format!(
                    "expected 6 fields (id,address,address1,city,state,zip), found {}",
                    rec.len()
                ),
            ));
            continue;
        }
        let id = rec[0].to_ascii_uppercase();
        let (kind, fi) = match (
            id.chars().next(),
            id.get(1..).and_then(|n| n.parse::<i64>().ok()),
        ) {
            (Some(k @ ('D' | 'C')), Some(fi)) => (k, fi),
            _ => {
                summary.rejected.push((
                    line,
                    format!("id '{}' is not D<file number> or C<file number>", &rec[0]),
                ));
                continue;
            }
        };
        let old: Option<(String, String, String)> = conn
            .query_row("SELECT COALESCE(ad, ''), COALESCE(ci, ''), COALESCE(sta, '') FROM debtor WHERE fi = ?1", [fi], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((old_address, old_city, status)) = old else {
            *summary
                .skipped
                .entry("unknown file number".into())
                .or_default() += 1;
            continue;
        };
        let new = (&rec[1], &rec[2], &rec[3], &rec[4], &rec[5]);
        let who = if kind == 'D' {
            conn.execute(
                "UPDATE debtor SET ad = ?2, a1 = NULLIF(?3, ''), ci = ?4, st = ?5, zi = ?6, ok = 1 WHERE fi = ?1",
                params![fi, new.0, new.1, new.2, new.3, new.4],
            )?;
            summary.debtors_updated += 1;
            "debtor".to_string()
        } else {
            // The first cosigner of the account: the C id names the account, not the person.
            let row: Option<(i64, String)> = conn
                .query_row(
                    "SELECT id, COALESCE(na, '') FROM cosigner WHERE fi = ?1 ORDER BY id LIMIT 1",
                    [fi],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((cid, name)) = row else {
                *summary
                    .skipped
                    .entry("no cosigner on the account".into())
                    .or_default() += 1;
                continue;
            };
            conn.execute(
                "UPDATE cosigner SET ad = ?2, a1 = NULLIF(?3, ''), ci = ?4, st = ?5, zi = ?6, ok = 1, sm = 0 WHERE id = ?1",
                params![cid, new.0, new.1, new.2, new.3, new.4],
            )?;
            summary.cosigners_updated += 1;
            format!("cosigner {name}")
        };
        let operator: String = conn.query_row(
            "SELECT COALESCE(op, '') FROM debtor WHERE fi = ?1",
            [fi],
            |r| r.get(0),
        )?;
        let from = if kind == 'D' {
            format!(" (was {old_address}, {old_city})")
        } else {
            String::new()
        };
        write_note(
            conn,
            fi,
            env.today,
            env.now,
            &status,
            &operator,
            &format!(
                "NCOA: {who} address changed to {}, {} {} {}{from}",
                new.0, new.2, new.3, new.4
            ),
        )?;
    }
    Ok(summary)
}
