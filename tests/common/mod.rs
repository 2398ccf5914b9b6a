//! Helpers shared by the integration tests (each test crate uses a few of them).
#![allow(dead_code)]

use std::path::Path;

use assert_cmd::Command;
use chrono::NaiveDate;
use rusqlite::Connection;

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// `recoup --db DB --today TODAY --quiet`, with the recoup environment variables
/// cleared so the test sees only what it passes.
pub fn recoup_at(db: &Path, today: &str) -> Command {
    let mut c = Command::cargo_bin("recoup").unwrap();
    c.arg("--db").arg(db).args(["--today", today, "--quiet"]);
    c.env_remove("RECOUP_DB")
        .env_remove("RECOUP_TODAY")
        .env_remove("RECOUP_HOME");
    c
}

/// Post debtor `fi`'s original principal (a 196 of `cents`) on `on`.
pub fn place_principal(conn: &Connection, fi: i64, cents: i64, on: NaiveDate) {
    recoup::money::Ledger::new(on)
        .post(
            conn,
            &recoup::money::NewTransaction {
                file_number: fi,
                type_code: "196".into(),
                to_us: Some(rust_decimal::Decimal::new(-cents, 2)),
                ..Default::default()
            },
        )
        .unwrap();
}

/// The repository: `--home` for the shipped maps, reports and plans.
pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `recoup_at` with `--home` the repository and the time of day pinned (note
/// stamps and Metro 2 time stamps then repeat run to run).
pub fn recoup_home(db: &Path, today: &str) -> Command {
    let mut c = recoup_at(db, today);
    c.arg("--home").arg(root()).env("RECOUP_TIME", "15:30:00");
    c
}

/// A fresh database with the shipped setup (clients 1001-1003), as of 2024-07-31.
pub fn seeded_office() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    recoup_home(&db, "2024-07-31")
        .args(["setup", "apply"])
        .arg(root().join("setup.toml"))
        .assert()
        .success();
    (dir, db)
}
