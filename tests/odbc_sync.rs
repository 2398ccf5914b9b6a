//! ODBC Sync against a real ODBC target: unixODBC with the SQLite3 driver
//! (Debian `unixodbc` + `libsqliteodbc`, installed by `.ci/run`). Run with
//! `cargo test --features odbc --test odbc_sync`.

#![cfg(feature = "odbc")]

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

struct Office {
    dir: tempfile::TempDir,
    db: PathBuf,
    external: PathBuf,
}

fn office(ini_extra: &str) -> Office {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("recoup.db");
    let external = dir.path().join("dialer.sqlite");
    let ext = rusqlite::Connection::open(&external).unwrap();
    ext.execute_batch("CREATE TABLE accounts (FileNo INTEGER PRIMARY KEY, Name TEXT, Owing NUMERIC, Listed DATE, SSN TEXT)").unwrap();
    std::fs::create_dir_all(dir.path().join("odbcsync")).unwrap();
    std::fs::write(
        dir.path().join("odbcsync/dialer.csv"),
        "ODBC Field Name,Collect! Field Code,ODBC Data Type\nFileNo,de.fi,NUMERIC\nName,de.na,CHAR\nOwing,de.ow,DECIMAL\nListed,de.li,TYPE_DATE\nSSN,de.ss,CHAR\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("odbcsync/dialer.ini"),
        format!("[odbcsync]\nConnectionString=Driver={{SQLite3}};Database={};\nUID=sync\nPWD=TopSecret99\nTable=accounts\n{ini_extra}", external.display()),
    )
    .unwrap();
    // a database with two debtors, through the library
    let store = recoup::store::Store::open(&db).unwrap();
    recoup::setup::apply_str(
        &mut rusqlite::Connection::open(&db).unwrap(),
        Path::new("s.toml"),
        "[[client]]\nnumber = 1\nname = \"C\"\nrate = \"30\"\n",
    )
    .unwrap();
    let f = |c: &str| recoup::catalog::by_code(c).unwrap();
    use recoup::catalog::Value::Text;
    let day = chrono::NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
    for name in ["Doe, John", "O'Neil, Ann"] {
        let fi = recoup::store::create_debtor(
            store.conn(),
            1,
            &[
                (f("de.na"), Text(name.into())),
                (f("de.ss"), Text("123-45-6789".into())),
            ],
            day,
            true,
        )
        .unwrap();
        common::place_principal(store.conn(), fi, 123456, day);
    }
    Office { dir, db, external }
}

impl Office {
    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("recoup").unwrap();
        c.arg("--db")
            .arg(&self.db)
            .arg("--home")
            .arg(self.dir.path())
            .args(["--today", "2024-07-31", "--quiet"]);
        c
    }
    fn rows(&self) -> Vec<(i64, String, String, String)> {
        let c = rusqlite::Connection::open(&self.external).unwrap();
        let mut s = c
            .prepare(
                "SELECT FileNo, Name, CAST(Owing AS TEXT), Listed FROM accounts ORDER BY FileNo",
            )
            .unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(|x| x.unwrap())
            .collect()
    }
}

#[test]
fn insert_update_delete_by_hand_with_a_log() {
    let o = office("");
    let log = o.dir.path().join("odbc.log");
    o.cmd()
        .arg("--odbc-log")
        .arg(&log)
        .args([
            "sync", "dialer", "--op", "insert", "--debtor", "1", "--debtor", "2",
        ])
        .assert()
        .success();
    assert_eq!(
        o.rows(),
        vec![
            (1, "Doe, John".into(), "1234.56".into(), "2024-07-01".into()),
            (
                2,
                "O'Neil, Ann".into(),
                "1234.56".into(),
                "2024-07-01".into()
            )
        ]
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains(
            "INSERT INTO accounts (FileNo, Name, Owing, Listed, SSN) VALUES (?, ?, ?, ?, ?)"
        ),
        "{text}"
    );
    assert!(text.contains("'O''Neil, Ann'") && text.contains("***-**-6789"));
    assert!(!text.contains("TopSecret99") && !text.contains("123-45-6789"));
    // a payment changes the balance; UPDATE keys on the first row of the CSV
    o.cmd()
        .args([
            "post", "--debtor", "1", "--type", "101", "--to-us", "234.56",
        ])
        .assert()
        .success();
    o.cmd()
        .args(["sync", "dialer", "--op", "update", "--debtor", "1"])
        .assert()
        .success();
    assert_eq!(o.rows()[0].2, "1000");
    o.cmd()
        .args(["sync", "dialer", "--op", "delete", "--client", "1"])
        .assert()
        .success();
    assert!(o.rows().is_empty());
    // updating a row that is not there fails, naming the pair, table and key
    o.cmd()
        .args(["sync", "dialer", "--op", "update", "--debtor", "2"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("pair 'dialer' table 'accounts'")
                .and(predicate::str::contains("key not found")),
        );
}

#[test]
fn a_plan_event_syncs_after_the_commit() {
    let o = office("");
    std::fs::create_dir_all(o.dir.path().join("plans")).unwrap();
    std::fs::write(
        o.dir.path().join("plans/DIAL.toml"),
        "code = \"DIAL\"\n[[event]]\ntype = \"status\"\ndescription = \"DIA\"\n[[event]]\ntype = \"odbc\"\ndescription = \"INSERT\"\nattachment = \"dialer\"\n",
    )
    .unwrap();
    o.cmd()
        .args(["plan", "run", "DIAL", "--debtor", "2"])
        .assert()
        .success();
    assert_eq!(o.rows().len(), 1);
    assert_eq!(o.rows()[0].0, 2);
    // the ODBC contact is recorded as done
    let c = rusqlite::Connection::open(&o.db).unwrap();
    let (ty, de, done): (String, String, bool) = c
        .query_row(
            "SELECT ty, de, done FROM contact WHERE ty = 'ODBC'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((ty.as_str(), de.as_str(), done), ("ODBC", "INSERT", true));
    // inserting the same key again fails the plan with the driver's message
    o.cmd()
        .args(["plan", "run", "DIAL", "--debtor", "2"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("dialer").and(predicate::str::contains("UNIQUE")));
}

#[test]
fn every_failure_is_a_clear_error() {
    // no such driver
    let o = office("");
    let ini = o.dir.path().join("odbcsync/dialer.ini");
    let text = std::fs::read_to_string(&ini)
        .unwrap()
        .replace("{SQLite3}", "{NoSuchDriver}");
    std::fs::write(&ini, text).unwrap();
    o.cmd()
        .args(["sync", "dialer", "--op", "insert", "--debtor", "1"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("cannot connect")
                .and(predicate::str::contains("TopSecret99").not()),
        );
    // a DSN that is not configured
    let o = office("");
    let ini = o.dir.path().join("odbcsync/dialer.ini");
    std::fs::write(
        &ini,
        "[odbcsync]\nDSN=nosuchdsn\nUID=sync\nPWD=TopSecret99\nTable=accounts\n",
    )
    .unwrap();
    o.cmd()
        .args(["sync", "dialer", "--op", "insert", "--debtor", "1"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("pair 'dialer' table 'accounts'")
                .and(predicate::str::contains("cannot connect"))
                .and(predicate::str::contains("TopSecret99").not()),
        );
    // a missing table
    let o = office("");
    let ini = o.dir.path().join("odbcsync/dialer.ini");
    std::fs::write(
        &ini,
        std::fs::read_to_string(&ini)
            .unwrap()
            .replace("Table=accounts", "Table=nosuch"),
    )
    .unwrap();
    o.cmd()
        .args(["sync", "dialer", "--op", "insert", "--debtor", "1"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("table 'nosuch'")
                .and(predicate::str::contains("no such table")),
        );
    // a missing column
    let o = office("");
    let csv = o.dir.path().join("odbcsync/dialer.csv");
    std::fs::write(
        &csv,
        std::fs::read_to_string(&csv)
            .unwrap()
            .replace("SSN,de.ss", "Social,de.ss"),
    )
    .unwrap();
    o.cmd()
        .args(["sync", "dialer", "--op", "insert", "--debtor", "1"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Social"));
    // a missing pair is a configuration error
    o.cmd()
        .args(["sync", "nopair", "--op", "insert", "--debtor", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nopair.csv"));
    // values are parameters: a name full of quotes and SQL goes in as text
    let o = office("");
    let c = rusqlite::Connection::open(&o.db).unwrap();
    c.execute(
        "UPDATE debtor SET na = 'x''); DROP TABLE accounts; --' WHERE fi = 1",
        [],
    )
    .unwrap();
    o.cmd()
        .args(["sync", "dialer", "--op", "insert", "--debtor", "1"])
        .assert()
        .success();
    assert_eq!(o.rows()[0].1, "x'); DROP TABLE accounts; --");
}

#[test]
fn a_connection_string_without_its_last_semicolon_still_reaches_the_database() {
    let o = office("");
    let ini = o.dir.path().join("odbcsync/dialer.ini");
    for cs in [
        format!("Driver={{SQLite3}};Database={}", o.external.display()),
        format!("Driver={{SQLite3}};Database={}; ", o.external.display()),
    ] {
        std::fs::write(
            &ini,
            format!(
                "[odbcsync]\nConnectionString={cs}\nUID=sync\nPWD=TopSecret99\nTable=accounts\n"
            ),
        )
        .unwrap();
        o.cmd()
            .args(["sync", "dialer", "--op", "insert", "--debtor", "1"])
            .assert()
            .success();
        assert_eq!(o.rows().len(), 1, "{cs}");
        o.cmd()
            .args(["sync", "dialer", "--op", "delete", "--debtor", "1"])
            .assert()
            .success();
        assert!(o.rows().is_empty());
    }
    // nothing was written beside the target under a glued-on name
    let stray: Vec<_> = std::fs::read_dir(o.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("UID"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn a_failed_plan_statement_stays_pending_and_batch_contacts_retries_it() {
    let o = office("");
    std::fs::create_dir_all(o.dir.path().join("plans")).unwrap();
    std::fs::write(
        o.dir.path().join("plans/DIAL.toml"),
        "code = \"DIAL\"\n[[event]]\ntype = \"odbc\"\ndescription = \"INSERT\"\nattachment = \"dialer\"\n",
    )
    .unwrap();
    let odbc_contacts = || -> Vec<(bool, String)> {
        let c = rusqlite::Connection::open(&o.db).unwrap();
        let mut s = c
            .prepare("SELECT COALESCE(done, 0), st FROM contact WHERE ty = 'ODBC' ORDER BY id")
            .unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|x| x.unwrap())
            .collect()
    };
    let run = |args: &[&str]| o.cmd().arg("--json").args(args).output().unwrap();
    let executed = |out: &std::process::Output| -> serde_json::Value {
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["executed"]["ODBC"]
            .clone()
    };
    let ok = run(&["plan", "run", "DIAL", "--debtor", "2"]);
    assert!(ok.status.success());
    assert_eq!(executed(&ok), 1);
    assert_eq!(odbc_contacts(), vec![(true, "Completed".to_string())]);

    // the same key again: the driver refuses, the plan fails, the contact stays pending
    let failed = run(&["plan", "run", "DIAL", "--debtor", "2"]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("UNIQUE"));
    assert!(executed(&failed).is_null(), "not reported done");
    assert_eq!(
        odbc_contacts(),
        vec![
            (true, "Completed".to_string()),
            (false, "In Progress".to_string())
        ]
    );

    // once the cause is gone, batch contacts runs it again and completes it
    rusqlite::Connection::open(&o.external)
        .unwrap()
        .execute("DELETE FROM accounts", [])
        .unwrap();
    let retried = run(&["batch", "contacts"]);
    assert!(
        retried.status.success(),
        "{}",
        String::from_utf8_lossy(&retried.stderr)
    );
    assert_eq!(executed(&retried), 1);
    assert_eq!(o.rows().len(), 1);
    assert_eq!(
        odbc_contacts(),
        vec![
            (true, "Completed".to_string()),
            (true, "Completed".to_string())
        ]
    );
}
