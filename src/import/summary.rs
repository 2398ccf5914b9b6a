//! What one import did: the summary (table or JSON, docs/import-maps.md) and the rejects file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::{Error, Result};

/// Command-line choices for one import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// `--client`: overrides the map's `[options] client`.
    pub client: Option<i64>,
    pub dry_run: bool,
    pub strict: bool,
    /// `--rejects FILE` (default `<input>.rejects.csv`).
    pub rejects: Option<PathBuf>,
    pub review: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Accumulator {
    pub name: String,
    pub count: u64,
    #[serde(serialize_with = "two_decimals")]
    pub total: Decimal,
}

/// What one import did (docs/import-maps.md summary): `--json` is its serialisation,
/// the table its `Display`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub map: String,
    pub file: String,
    pub batch: i64,
    pub read: u64,
    pub created: BTreeMap<String, u64>,
    pub updated: BTreeMap<String, u64>,
    pub skipped: BTreeMap<String, u64>,
    pub rejected: u64,
    pub posted: u64,
    pub accumulators: Vec<Accumulator>,
    pub warnings: u64,
    #[serde(serialize_with = "whole_u64")]
    pub elapsed_ms: u128,
    pub committed: bool,
    pub dry_run: bool,
    pub cancelled: bool,
    pub rejects_file: Option<String>,
    /// New-account plans run after the commit, by plan code (debtors).
    pub plans: BTreeMap<String, u64>,
}

impl Summary {
    /// The summary as JSON, as `--json` prints it and the import batch row keeps it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

fn two_decimals<S: serde::Serializer>(d: &Decimal, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&format!("{d:.2}"))
}

fn whole_u64<S: serde::Serializer>(n: &u128, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(*n).unwrap_or(u64::MAX))
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        let line = |s: &mut String, k: &str, v: String| s.push_str(&format!("{k:<28} {v}\n"));
        line(&mut s, "Import batch", self.batch.to_string());
        line(&mut s, "Map", self.map.clone());
        line(&mut s, "File", self.file.clone());
        line(&mut s, "Records read", self.read.to_string());
        for (k, v) in &self.created {
            line(&mut s, &format!("Created {k}"), v.to_string());
        }
        for (k, v) in &self.updated {
            line(&mut s, &format!("Updated {k}"), v.to_string());
        }
        line(&mut s, "Transactions posted", self.posted.to_string());
        for (k, v) in &self.plans {
            line(
                &mut s,
                &format!("New-account plan {k}"),
                format!("{v} debtor(s)"),
            );
        }
        for (k, v) in &self.skipped {
            line(&mut s, &format!("Skipped: {k}"), v.to_string());
        }
        line(&mut s, "Rejected", self.rejected.to_string());
        for a in &self.accumulators {
            line(
                &mut s,
                &format!("Accumulator {}", a.name),
                format!("count {}  total {:.2}", a.count, a.total),
            );
        }
        if self.warnings > 0 {
            line(&mut s, "Warnings", self.warnings.to_string());
        }
        if let Some(r) = &self.rejects_file {
            line(&mut s, "Rejects file", r.clone());
        }
        line(&mut s, "Elapsed", format!("{} ms", self.elapsed_ms));
        line(
            &mut s,
            "Result",
            if self.dry_run {
                "dry run: nothing committed".into()
            } else if self.committed {
                if self.cancelled {
                    "cancelled: accepted records committed".into()
                } else {
                    "committed".into()
                }
            } else {
                "nothing committed".into()
            },
        );
        f.write_str(&s)
    }
}

/// The rejects file, created only when there is something to write (docs/import-maps.md),
/// through [`OutputFile`](crate::output::OutputFile): it appears complete or not at all.
pub struct Rejects {
    path: PathBuf,
    writer: Option<csv::Writer<crate::output::OutputFile>>,
}

impl Rejects {
    pub fn new(path: PathBuf) -> Rejects {
        Rejects { path, writer: None }
    }
    pub fn write(&mut self, line: u64, reason: &str, raw: &str) -> Result<()> {
        if self.writer.is_none() {
            let mut w = csv::Writer::from_writer(crate::output::OutputFile::create(&self.path)?);
            w.write_record(["line", "reason", "raw"])
                .map_err(|e| Error::io(&self.path, e))?;
            self.writer = Some(w);
        }
        // README "Using it" (PII): the rejects file is read by people, so SSN-shaped text is
        // masked like every other display; `line` still points at the full record
        // in the input file.
        let reason = crate::pii::mask_ssn_shapes(reason);
        let raw = crate::pii::mask_ssn_shapes(raw);
        if let Some(w) = self.writer.as_mut() {
            w.write_record([line.to_string().as_str(), &reason, &raw])
                .map_err(|e| Error::io(&self.path, e))?;
        }
        Ok(())
    }
    pub fn finish(&mut self) -> Result<Option<String>> {
        match self.writer.take() {
            Some(w) => {
                w.into_inner()
                    .map_err(|e| Error::io(&self.path, e.into_error()))?
                    .commit()?;
                Ok(Some(self.path.display().to_string()))
            }
            None => Ok(None),
        }
    }
}

impl Drop for Rejects {
    /// An import that stops on an error still leaves the rejects found so far, as a
    /// whole file (the error itself is what the user sees).
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn json_keeps_the_documented_keys_in_order_and_display_is_the_table() {
        let s = Summary {
            map: "m".into(),
            batch: 7,
            accumulators: vec![Accumulator {
                name: "Principal".into(),
                count: 2,
                total: Decimal::new(15, 1),
            }],
            elapsed_ms: 12,
            committed: true,
            ..Summary::default()
        };
        let json = s.to_json();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "map",
                "file",
                "batch",
                "read",
                "created",
                "updated",
                "skipped",
                "rejected",
                "posted",
                "accumulators",
                "warnings",
                "elapsed_ms",
                "committed",
                "dry_run",
                "cancelled",
                "rejects_file",
                "plans"
            ]
        );
        assert_eq!(json["accumulators"][0]["total"], "1.50");
        assert_eq!(json["elapsed_ms"], 12);
        let table = s.to_string();
        assert!(
            table.starts_with("Import batch                 7\n"),
            "{table}"
        );
        assert!(
            table.ends_with("Result                       committed\n"),
            "{table}"
        );
    }
}
