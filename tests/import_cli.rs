//! End-to-end tests of `recoup import` / `recoup export` on the shipped maps and fixtures.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

use recoup::catalog::{self, Form, Value};
use recoup::store::{read_record, Store};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn recoup(db: &Path) -> Command {
    let mut c = Command::cargo_bin("recoup").unwrap();
    c.arg("--db")
        .arg(db)
        .arg("--today")
        .arg("2024-07-31")
        .arg("--quiet")
        .arg("--home")
        .arg(root());
    c.env_remove("RECOUP_DB")
        .env_remove("RECOUP_TODAY")
        .env_remove("RECOUP_HOME")
        .env("RECOUP_TIME", "15:30:00");
    c
}

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/import").join(name)
}

/// A fresh database with the shipped setup (clients 1001-1003).
fn seeded() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    recoup(&db)
        .args(["setup", "apply"])
        .arg(root().join("setup.toml"))
        .assert()
        .success();
    (dir, db)
}

fn import_json(db: &Path, map: &str, file: &Path, extra: &[&str]) -> serde_json::Value {
    let out = recoup(db)
        .arg("--json")
        .args(["import", map])
        .arg(file)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn debtor(db: &Path, fi: i64) -> Vec<(&'static catalog::FieldDef, Value)> {
    let store = Store::open(db).unwrap();
    read_record(store.conn(), Form::Debtor, fi)
        .unwrap()
        .unwrap()
}

fn get(rec: &[(&'static catalog::FieldDef, Value)], code: &str) -> String {
    let f = catalog::by_code(code).unwrap();
    rec.iter().find(|(g, _)| *g == f).unwrap().1.plain()
}

fn count(db: &Path, sql: &str) -> i64 {
    let store = Store::open(db).unwrap();
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn copy_to(dir: &Path, name: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::copy(fixture(name), &p).unwrap();
    p
}

#[test]
fn csv_placement_end_to_end_and_rerun() {
    let (dir, db) = seeded();
    let file = copy_to(dir.path(), "placement.csv");
    let s = import_json(&db, "placement-csv", &file, &[]);
    assert_eq!(s["read"], 5);
    assert_eq!(s["created"]["debtor"], 3);
    assert_eq!(s["created"]["note"], 3);
    assert_eq!(s["rejected"], 2);
    assert_eq!(s["batch"], 1);
    assert_eq!(s["accumulators"][0]["name"], "Principal");
    assert_eq!(s["accumulators"][0]["total"], "19930.55");

    // First file number from setup (1000), mode A, listed today, client settings.
    let d = debtor(&db, 1000);
    assert_eq!(get(&d, "de.ac"), "AC-10001");
    assert_eq!(get(&d, "de.na"), "Doe, John");
    assert_eq!(get(&d, "de.ct"), "Doe, John");
    assert_eq!(get(&d, "de.ad"), "12 Elm St, Apt 4");
    assert_eq!(get(&d, "de.st"), "CA");
    assert_eq!(get(&d, "de.hp"), "9165550101");
    assert_eq!(get(&d, "de.mo"), "A");
    assert_eq!(get(&d, "de.li"), "2024-07-31");
    assert_eq!(get(&d, "de.op"), "JDS");
    assert_eq!(get(&d, "de.rt"), "30");
    assert_eq!(get(&d, "de.ib"), "1");
    assert_eq!(get(&d, "de.opr"), "15000.00");
    assert_eq!(get(&d, "de.oi"), "75.00");
    assert_eq!(get(&d, "de.ow"), "15075.00");
    assert_eq!(get(&d, "de.dob"), "1980-04-12");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM trans WHERE fi = 1000"), 2);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM phone WHERE fi = 1000"), 1);
    let note: String = Store::open(&db)
        .unwrap()
        .conn()
        .query_row("SELECT te FROM note WHERE fi = 1002", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        note,
        "07/31/2024 15:30 NEW IMP : Skip trace needed\nno phone on file"
    );

    // Rejects file: header, line numbers counted from 1 including the label line.
    let rejects = std::fs::read_to_string(dir.path().join("placement.csv.rejects.csv")).unwrap();
    let mut lines = rejects.lines();
    assert_eq!(lines.next(), Some("line,reason,raw"));
    let r1 = lines.next().unwrap();
    assert!(r1.starts_with("5,de.na: condition must_be_filled"), "{r1}");
    let r2 = lines.next().unwrap();
    assert!(
        r2.starts_with("6,de.dob: '13/45/1982' is not a date"),
        "{r2}"
    );

    // Idempotent: the same file again updates, never duplicates or re-posts.
    let s = import_json(&db, "placement-csv", &file, &[]);
    assert_eq!(s["batch"], 2);
    assert_eq!(s["updated"]["debtor"], 3);
    assert!(s["created"].get("debtor").is_none());
    assert_eq!(s["skipped"]["de.opr on an existing debtor"], 3);
    assert_eq!(s["skipped"]["duplicate note line"], 3);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM debtor"), 3);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM trans"), 4);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM note"), 3);
    assert_eq!(get(&debtor(&db, 1000), "de.ow"), "15075.00");
}
