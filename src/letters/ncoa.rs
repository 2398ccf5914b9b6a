//! `recoup ncoa import FILE`: a returned NCOA file (CSV `id,address,address1,city,
//! state,zip`, id `D1400` / `C1400`, S2:5937-5947) updates the debtor's or the
//! cosigner's address, sets Address OK and writes a note line on the debtor.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::plans::write_note;
use crate::store::debtors::{self, VerifiedAddress};
use crate::store::Db;
use crate::{Env, Result};

/// What `ncoa import` did: `--json` is its serialisation (rejected lines as
/// `{"line", "reason"}`), the text its `Display`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NcoaSummary {
    pub debtors_updated: usize,
    pub cosigners_updated: usize,
    /// line, reason
    #[serde(serialize_with = "lines_and_reasons")]
    pub rejected: Vec<(usize, String)>,
    pub skipped: BTreeMap<String, usize>,
}

fn lines_and_reasons<S: serde::Serializer>(
    rejected: &[(usize, String)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Rejected<'a> {
        line: usize,
        reason: &'a str,
    }
    s.collect_seq(rejected.iter().map(|(line, reason)| Rejected {
        line: *line,
        reason,
    }))
}

impl fmt::Display for NcoaSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "NCOA: {} debtor and {} cosigner addresses updated, {} rejected",
            self.debtors_updated,
            self.cosigners_updated,
            self.rejected.len()
        )?;
        for (why, c) in &self.skipped {
            writeln!(f, "  skipped: {why:<30} {c}")?;
        }
        Ok(())
    }
}

/// Apply an NCOA file. Bad lines are rejected with their line number; the others apply.
pub fn import(env: &Env, conn: &Db, bytes: &[u8]) -> Result<NcoaSummary> {
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
        let old = debtors::address_city_status(conn, fi)?;
        let Some((old_address, old_city, status)) = old else {
            *summary
                .skipped
                .entry("unknown file number".into())
                .or_default() += 1;
            continue;
        };
        let new = (&rec[1], &rec[2], &rec[3], &rec[4], &rec[5]);
        let verified = VerifiedAddress {
            address: new.0,
            address1: new.1,
            city: new.2,
            state: new.3,
            zip: new.4,
        };
        let who = if kind == 'D' {
            debtors::set_verified_address(conn, fi, &verified)?;
            summary.debtors_updated += 1;
            "debtor".to_string()
        } else {
            // The first cosigner of the account: the C id names the account, not the person.
            let Some((cid, name)) = debtors::first_cosigner(conn, fi)? else {
                *summary
                    .skipped
                    .entry("no cosigner on the account".into())
                    .or_default() += 1;
                continue;
            };
            debtors::set_cosigner_verified_address(conn, cid, &verified)?;
            summary.cosigners_updated += 1;
            format!("cosigner {name}")
        };
        let operator = debtors::debtor_status_operator(conn, fi)?.1;
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

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn json_keys_in_order_rejected_as_objects_and_display_is_the_line_and_skips() {
        let s = NcoaSummary {
            debtors_updated: 2,
            cosigners_updated: 1,
            rejected: vec![(4, "no such debtor".into())],
            skipped: BTreeMap::from([("same address".to_string(), 3)]),
        };
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"debtors_updated":2,"cosigners_updated":1,"rejected":[{"line":4,"reason":"no such debtor"}],"skipped":{"same address":3}}"#
        );
        assert_eq!(
            s.to_string(),
            format!(
                "NCOA: 2 debtor and 1 cosigner addresses updated, 1 rejected\n  skipped: {:<30} 3\n",
                "same address"
            )
        );
    }
}
