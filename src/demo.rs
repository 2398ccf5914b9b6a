//! `recoup demo`: the main job in one command (SPEC §10).

use std::path::Path;

use chrono::NaiveDate;

use crate::{bail, Env, Result};

/// The demo's pinned date, so its outputs are reproducible (SPEC §10).
pub const DEMO_TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2024, 7, 31) {
    Some(d) => d,
    None => panic!("bad demo date"),
};

pub fn run(_env: &Env, _out: &Path) -> Result<()> {
    bail!(runtime, "demo: not built yet")
}
