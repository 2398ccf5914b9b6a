//! The `[promises]` section of `setup.toml`: when a promise is broken and what
//! breaking it does (docs/money.md). Kept in the `setting` table, section `promises`.

use std::path::Path;

use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use crate::store::{settings, Db};
use crate::tomlutil::{config_error_at, Dec};
use crate::Result;

const SECTION: &str = "promises";
/// Days after its due date an unpaid promise is still only late (docs/money.md).
pub const DEFAULT_GRACE_DAYS: u32 = 10;

/// `[promises]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromiseSettings {
    pub grace_days: Option<u32>,
    /// Posted as a 320 Payment Plan Late Fee for each promise the sweep breaks.
    pub late_fee: Option<Spanned<Dec>>,
    /// Contact plan run once per debtor whose promises the sweep breaks.
    pub broken_plan: Option<String>,
}

/// The settings in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromiseConfig {
    pub grace_days: u32,
    pub late_fee: Option<Decimal>,
    pub broken_plan: Option<String>,
}

impl PromiseConfig {
    pub fn load(conn: &Db) -> Result<PromiseConfig> {
        let grace_days = settings::get(conn, SECTION, "grace_days")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_GRACE_DAYS);
        let late_fee = settings::get_decimal(conn, SECTION, "late_fee")?.filter(|d| !d.is_zero());
        let broken_plan = settings::get(conn, SECTION, "broken_plan")?
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty());
        Ok(PromiseConfig {
            grace_days,
            late_fee,
            broken_plan,
        })
    }
}

impl PromiseSettings {
    /// A late fee is an amount of money: not negative, whole cents.
    pub fn check(&self, path: &Path, src: &str) -> Result<()> {
        if let Some(fee) = &self.late_fee {
            let d = fee.get_ref().0;
            if d < Decimal::ZERO || d.round_dp(2) != d {
                return Err(config_error_at(
                    path,
                    src,
                    fee.span().start,
                    format!("[promises] late_fee {d} must be a non-negative amount in cents"),
                ));
            }
        }
        Ok(())
    }

    /// `setup apply`: the section replaces the one in force.
    pub fn apply(&self, conn: &Db) -> Result<()> {
        settings::clear_section(conn, SECTION)?;
        settings::set(
            conn,
            SECTION,
            "grace_days",
            &self.grace_days.unwrap_or(DEFAULT_GRACE_DAYS).to_string(),
        )?;
        if let Some(fee) = &self.late_fee {
            settings::set(
                conn,
                SECTION,
                "late_fee",
                &format!("{:.2}", fee.get_ref().0),
            )?;
        }
        if let Some(plan) = self.broken_plan.as_deref().map(str::trim) {
            if !plan.is_empty() {
                settings::set(conn, SECTION, "broken_plan", plan)?;
            }
        }
        Ok(())
    }
}

/// `setup show`: the section as setup.toml text (applies again), empty when unset.
pub fn render(conn: &Db) -> Result<String> {
    let pairs = settings::section(conn, SECTION)?;
    if pairs.is_empty() {
        return Ok(String::new());
    }
    let mut s = String::from("\n[promises]\n");
    for (k, v) in pairs {
        if k == "grace_days" {
            s.push_str(&format!("{k} = {v}\n"));
        } else {
            s.push_str(&format!("{k} = {}\n", toml::Value::String(v)));
        }
    }
    Ok(s)
}

/// `setup show --json`.
pub fn to_json(conn: &Db) -> Result<serde_json::Value> {
    Ok(serde_json::Value::Object(
        settings::section(conn, SECTION)?
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect(),
    ))
}
