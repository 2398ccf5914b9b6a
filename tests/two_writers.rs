//! Two recoup commands at once (docs/store.md): a second writer waits for the first and
//! then succeeds; past the busy timeout it says another command holds the database.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped setup and one debtor (file number 1000, client 1001).
fn seeded() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    common::recoup_at(&db, "2024-07-31")
        .args(["setup", "apply"])
        .arg(root().join("setup.toml"))
        .assert()
        .success();
    let store = recoup::store::Store::open(&db).unwrap();
    let na = recoup::catalog::by_code("de.na").unwrap();
    let fi = recoup::store::create_debtor(
        store.conn(),
        1001,
        &[(na, recoup::catalog::Value::Text("Doe, John".into()))],
        common::day("2024-07-01"),
        true,
    )
    .unwrap();
    assert_eq!(fi, 1000);
    (dir, db)
}

/// Another process's write transaction on `db`, held for `hold`, then committed.
fn hold_write_lock(db: &Path, hold: Duration) -> std::thread::JoinHandle<()> {
    let conn = Connection::open(db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE; UPDATE setting SET value = value WHERE 0;")
        .unwrap();
    std::thread::spawn(move || {
        std::thread::sleep(hold);
        conn.execute_batch("COMMIT").unwrap();
    })
}

fn post(db: &Path) -> assert_cmd::Command {
    let mut c = common::recoup_at(db, "2024-07-31");
    c.args([
        "post", "--debtor", "1000", "--type", "101", "--to-us", "25.00",
    ]);
    c
}

fn payments(db: &Path) -> i64 {
    Connection::open(db)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM trans WHERE ty = '101'", [], |r| {
            r.get(0)
        })
        .unwrap()
}

#[test]
fn post_waits_for_another_writer_and_succeeds() {
    let (_dir, db) = seeded();
    let holder = hold_write_lock(&db, Duration::from_millis(1200));
    let out = post(&db)
        .env_remove("RECOUP_BUSY_TIMEOUT")
        .output()
        .unwrap();
    holder.join().unwrap();
    assert!(
        out.status.success(),
        "post failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(payments(&db), 1);
}

#[test]
fn import_waits_for_another_writer_and_succeeds() {
    let (dir, db) = seeded();
    let file = dir.path().join("placement.csv");
    std::fs::copy(root().join("fixtures/import/placement.csv"), &file).unwrap();
    let holder = hold_write_lock(&db, Duration::from_millis(1200));
    let out = common::recoup_at(&db, "2024-07-31")
        .arg("--home")
        .arg(root())
        .args(["import", "placement-csv"])
        .arg(&file)
        .env_remove("RECOUP_BUSY_TIMEOUT")
        .output()
        .unwrap();
    holder.join().unwrap();
    assert!(
        out.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let debtors: i64 = Connection::open(&db)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM debtor", [], |r| r.get(0))
        .unwrap();
    assert_eq!(debtors, 4);
}

#[test]
fn past_the_busy_timeout_the_message_names_another_command() {
    let (_dir, db) = seeded();
    let holder = hold_write_lock(&db, Duration::from_millis(2500));
    let out = post(&db)
        .env("RECOUP_BUSY_TIMEOUT", "0.3")
        .output()
        .unwrap();
    holder.join().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("another recoup command holds the database"),
        "{err}"
    );
    assert_eq!(payments(&db), 0, "nothing posted");
}

#[test]
fn a_bad_busy_timeout_is_a_configuration_error() {
    let (_dir, db) = seeded();
    let out = post(&db)
        .env("RECOUP_BUSY_TIMEOUT", "soon")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RECOUP_BUSY_TIMEOUT 'soon'"));
}
