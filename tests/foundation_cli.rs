//! End-to-end tests of the foundation commands through the binary.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn recoup(db: &Path) -> Command {
    common::recoup_at(db, "2024-07-31")
}

fn setup_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("setup.toml")
}

/// A database from the shipped setup plus two debtors (created through the library,
/// as an import would).
fn seeded() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    recoup(&db)
        .args(["setup", "apply"])
        .arg(setup_file())
        .assert()
        .success();
    let store = recoup::store::Store::open(&db).unwrap();
    let f = |c: &str| recoup::catalog::by_code(c).unwrap();
    use recoup::catalog::Value::*;
    let today = chrono::NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
    for (acct, name) in [("AC-1", "Doe, John"), ("ac-2 ", "Roe, Mary")] {
        let fi = recoup::store::create_debtor(
            store.conn(),
            1001,
            &[
                (f("de.ac"), Text(acct.into())),
                (f("de.na"), Text(name.into())),
                (f("de.zi"), Text("02110".into())),
                (f("de.ss"), Text("123-45-6789".into())),
            ],
            today,
            true,
        )
        .unwrap();
        common::place_principal(store.conn(), fi, 100000, today);
    }
    (dir, db)
}

#[test]
fn setup_apply_is_strict_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[company]\nname = \"X\"\n\n[credit_bureau]\nline_ending = \"crlf\"\nbogus = 1\n",
    )
    .unwrap();
    recoup(&db)
        .args(["setup", "apply"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml:6:1").and(predicate::str::contains("bogus")));
    std::fs::write(&bad, "[company]\nfirst_file_number = \"ten\"\n").unwrap();
    recoup(&db)
        .args(["setup", "apply"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml:2:"));
    std::fs::write(
        &bad,
        "[[rate_plan]]\ncode = \"X\"\nkind = \"weekly\"\nbrackets = []\n",
    )
    .unwrap();
    recoup(&db)
        .args(["setup", "apply"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml:3:8"));
    assert!(
        !db.exists(),
        "a refused setup file must not create a database"
    );
}

#[test]
fn setup_show_round_trips_and_sections_replace() {
    let (dir, db) = seeded();
    let shown = recoup(&db).args(["setup", "show"]).output().unwrap();
    assert!(shown.status.success());
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(text.contains("name = \"Summit Recovery Services\""));
    assert!(text.contains("code = \"PTD\""));
    // the shown text applies cleanly to a new database and shows the same again
    let again = dir.path().join("shown.toml");
    std::fs::write(&again, &text).unwrap();
    let db2 = dir.path().join("t2.db");
    recoup(&db2)
        .args(["setup", "apply"])
        .arg(&again)
        .assert()
        .success();
    let text2 = String::from_utf8(
        recoup(&db2)
            .args(["setup", "show"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(text, text2);
    // a section present replaces that section; absent sections are kept
    let part = dir.path().join("part.toml");
    std::fs::write(
        &part,
        "[[holiday]]\ndate = \"2025-12-25\"\ndescription = \"Christmas Day\"\n",
    )
    .unwrap();
    recoup(&db)
        .args(["setup", "apply"])
        .arg(&part)
        .assert()
        .success();
    let text3 =
        String::from_utf8(recoup(&db).args(["setup", "show"]).output().unwrap().stdout).unwrap();
    assert!(text3.contains("2025-12-25") && !text3.contains("2024-07-04"));
    assert!(text3.contains("code = \"PTD\""), "rate plans kept");
    // --json: the same settings as one object
    let out = recoup(&db)
        .args(["--json", "setup", "show"])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["company"]["cd.na"], "Summit Recovery Services");
    assert_eq!(j["credit_bureau"]["identification_number"], "SUMMIT01");
    assert_eq!(j["holidays"][0][0], "2025-12-25");
}

#[test]
fn post_show_and_find() {
    let (_dir, db) = seeded();
    recoup(&db)
        .args([
            "post",
            "--debtor",
            "1000",
            "--type",
            "101",
            "--to-us",
            "250.00",
            "--date",
            "2024-07-15",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("commission 75.00")
                .and(predicate::str::contains("owing 750.00")),
        );
    recoup(&db)
        .args([
            "post",
            "--debtor",
            "1000",
            "--type",
            "105",
            "--to-us",
            "-250.00",
            "--date",
            "2024-07-20",
        ])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("commission -75.00")
                .and(predicate::str::contains("owing 1000.00")),
        );
    let out = recoup(&db)
        .args(["--json", "show", "debtor", "1000"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["de.ow"], "1000.00");
    assert_eq!(j["de.pa"], "0.00");
    assert_eq!(j["de.opr"], "1000.00");
    assert_eq!(j["de.lpd"], "2024-07-15");
    assert_eq!(j["de.lpa"], "250.00");
    assert_eq!(j["de.zi"], "02110");
    assert_eq!(j["de.rt"], "30");
    assert_eq!(j["de.ok"], false);
    assert_eq!(j["de.dob"], serde_json::Value::Null);
    // text form: code, name, value; SSN masked
    recoup(&db)
        .args(["show", "debtor", "1000"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("***-**-6789")
                .and(predicate::str::contains("123-45-6789").not()),
        )
        .stdout(predicate::str::is_match(r"de\.ow +Owing +1000\.00").unwrap());
    recoup(&db)
        .args(["show", "client", "1001"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Acme Bank N.A."));
    // find: exact after trimming, case-insensitive, ascending, bare
    recoup(&db)
        .args(["find", "--acct", " AC-2"])
        .assert()
        .success()
        .stdout("1001\n");
    recoup(&db)
        .args(["find", "--acct", "ac-1", "--client", "1001"])
        .assert()
        .success()
        .stdout("1000\n");
    recoup(&db)
        .args(["find", "--acct", "AC-1", "--client", "1002"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("error: "));
    recoup(&db).args(["find", "--acct", "AC"]).assert().code(1);
    recoup(&db)
        .args(["show", "debtor", "42"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("42"));
}

#[test]
fn post_errors_are_clear() {
    let (_dir, db) = seeded();
    recoup(&db)
        .args([
            "post", "--debtor", "1000", "--type", "101", "--to-us", "12a",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--to-us"));
    recoup(&db)
        .args(["post", "--debtor", "1000", "--type", "999", "--to-us", "1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown transaction type"));
    recoup(&db)
        .args(["post", "--debtor", "7", "--type", "101", "--to-us", "1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("debtor 7"));
    recoup(&db)
        .args([
            "post",
            "--debtor",
            "1000",
            "--type",
            "101",
            "--to-us",
            "1",
            "--date",
            "2024-02-30",
        ])
        .assert()
        .code(2);
    // nothing was posted by the failures
    let out = recoup(&db)
        .args(["--json", "show", "debtor", "1000"])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["de.pa"], "0.00");
}

#[test]
fn missing_database_and_fields() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.db");
    recoup(&db)
        .args(["show", "debtor", "1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no such database"));
    recoup(&db)
        .args(["fields", "de"])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"de\.ow +Owing +Currency +15 +yes").unwrap());
    recoup(&db).args(["fields", "zz"]).assert().code(2);
    recoup(&db)
        .args(["--json", "fields"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"code\":\"tr.ty\""));
}

#[test]
fn demo_runs_from_any_directory_and_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        let mut c = Command::cargo_bin("recoup").unwrap();
        c.current_dir(dir.path())
            .env_remove("RECOUP_TODAY")
            .args(["demo", "--out", "d"]);
        c.output().unwrap()
    };
    let a = run();
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let b = run();
    assert_eq!(a.stdout, b.stdout);
    let text = String::from_utf8(a.stdout).unwrap();
    assert!(text.contains("today 2024-07-31"));
    // the Paid To Date debtor's five payments earned 125+250+225+400+325
    let db = dir.path().join("d/recoup.db");
    let conn = rusqlite::Connection::open(db).unwrap();
    let cm: i64 = conn
        .query_row(
            "SELECT SUM(cm) FROM trans WHERE fi = 1004 AND ty = '101'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(cm, 132_500);
}
