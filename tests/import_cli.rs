//! End-to-end tests of `recoup import` / `recoup export` on the shipped maps and fixtures.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

use recoup::catalog::{self, Form, Value};
use recoup::store::{read_record, Store};

use common::root;

fn recoup(db: &Path) -> Command {
    common::recoup_home(db, "2024-07-31")
}

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/import").join(name)
}

use common::seeded_office as seeded;

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
    assert_eq!(s["created"]["address"], 3, "auto-created address records");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM address WHERE fi = 1000 AND ad = '12 Elm St, Apt 4' AND ok = 1"
        ),
        1
    );
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
    assert!(s["created"].get("address").is_none(), "not twice");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM debtor"), 3);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM trans"), 4);
    // 3 imported note lines + the NEW plan's note on each new account (client 1001's
    // new-account plan runs once, after the first import)
    assert_eq!(count(&db, "SELECT COUNT(*) FROM note"), 6);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM note WHERE te LIKE '%collection plan started'"
        ),
        3
    );
    assert_eq!(get(&debtor(&db, 1000), "de.ow"), "15075.00");
}

fn placed(dir: &Path, db: &Path) {
    let file = copy_to(dir, "placement.csv");
    import_json(db, "placement-csv", &file, &[]);
}

#[test]
fn payment_file_spec_example() {
    let (dir, db) = seeded();
    placed(dir.path(), &db);
    let file = copy_to(dir.path(), "payments.csv");
    let s = import_json(&db, "payments", &file, &[]);
    assert_eq!(s["read"], 5);
    assert_eq!(s["created"]["transaction"], 3);
    assert_eq!(s["skipped"]["transaction: debtor not found"], 1);
    assert_eq!(s["rejected"], 1);
    assert_eq!(s["accumulators"][0]["name"], "Payments");
    assert_eq!(s["accumulators"][0]["count"], 3);
    assert_eq!(s["accumulators"][0]["total"], "1000.00");
    // P → 101, R → 105 with its negative amount; the debtor is recalculated.
    let store = Store::open(&db).unwrap();
    let types: Vec<(String, i64, String)> = store
        .conn()
        .prepare("SELECT ty, tu, py FROM trans WHERE ext_id IS NOT NULL ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(
        types,
        [
            ("101".to_string(), 50000, "2024-07-01".to_string()),
            ("105".into(), -50000, "2024-07-03".into()),
            ("101".into(), 100000, "2024-07-05".into())
        ]
    );
    let d = debtor(&db, 1001);
    assert_eq!(get(&d, "de.pa"), "1000.00");
    assert_eq!(get(&d, "de.ow"), "3310.55");
    let rejects = std::fs::read_to_string(dir.path().join("payments.csv.rejects.csv")).unwrap();
    assert!(
        rejects.contains("5,skipped: transaction: debtor not found,"),
        "{rejects}"
    );
    assert!(
        rejects.contains("6,transaction without a type (tr.ty),"),
        "{rejects}"
    );
    // Re-run: duplicate transaction ids are skipped, nothing posted twice.
    let s = import_json(&db, "payments", &file, &[]);
    assert_eq!(s["skipped"]["transaction found (skip_if_found)"], 3);
    assert!(s["created"].get("transaction").is_none());
    assert_eq!(get(&debtor(&db, 1001), "de.ow"), "3310.55");
}

#[test]
fn fixed_length_with_footer_and_overpunch() {
    let (dir, db) = seeded();
    let file = copy_to(dir.path(), "placement-fixed.txt");
    let s = import_json(&db, "placement-fixed", &file, &[]);
    assert_eq!(s["read"], 3, "the trailer is not a record");
    assert_eq!(s["created"]["debtor"], 3);
    assert_eq!(s["accumulators"][0]["total"], "1895.50");
    let d = debtor(&db, 1000);
    assert_eq!(get(&d, "de.na"), "SMITH, ALICE");
    assert_eq!(get(&d, "de.ci"), "Sacramento");
    assert_eq!(get(&d, "de.opr"), "1250.00");
    assert_eq!(get(&d, "de.dob"), "1970-02-03");
    assert_eq!(get(&d, "de.cn"), "1002");
    assert_eq!(get(&d, "de.rpl"), "PTD", "client settings applied");
    assert_eq!(get(&debtor(&db, 1001), "de.ci"), "West Sacramento");
    assert_eq!(get(&debtor(&db, 1002), "de.opr"), "600.00");
    assert_eq!(get(&debtor(&db, 1002), "de.ss"), "");
}

#[test]
fn multi_line_fixed_windows_1252() {
    let (dir, db) = seeded();
    let file = copy_to(dir.path(), "placement-multiline.txt");
    let s = import_json(&db, "placement-multiline", &file, &[]);
    assert_eq!(s["read"], 2);
    assert_eq!(s["created"]["debtor"], 2);
    assert_eq!(s["created"]["phone"], 1);
    let d = debtor(&db, 1000);
    assert_eq!(get(&d, "de.ac"), "A-20001");
    assert_eq!(get(&d, "de.na"), "Côté, Mélanie");
    assert_eq!(get(&d, "de.zi"), "95814");
    assert_eq!(get(&d, "de.cp"), "9165550201");
    assert_eq!(get(&debtor(&db, 1001), "de.na"), "O'Neil, Sean");
}

#[test]
fn client_transfers_and_notes() {
    let (dir, db) = seeded();
    let file = copy_to(dir.path(), "clienttransfers.csv");
    let s = import_json(&db, "client-transfers", &file, &[]);
    assert_eq!(s["created"]["client"], 2);
    assert_eq!(s["created"]["client_contact"], 1);
    let store = Store::open(&db).unwrap();
    let c = read_record(store.conn(), Form::Client, 2041)
        .unwrap()
        .unwrap();
    assert_eq!(get(&c, "cl.na"), "Harbor CU, Auto Loans");
    assert_eq!(get(&c, "cl.ob"), "2040");
    assert_eq!(get(&c, "cl.rt"), "27.5");
    drop(store);
    let notes = copy_to(dir.path(), "clientnotes.csv");
    let s = import_json(&db, "client-notes", &notes, &[]);
    assert_eq!(s["created"]["client_note"], 3);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM note WHERE cn = 2040"), 2);
    // Again: clients updated, nothing duplicated.
    let s = import_json(&db, "client-transfers", &file, &[]);
    assert_eq!(s["updated"]["client"], 2);
    assert_eq!(s["updated"]["client_contact"], 1);
    import_json(&db, "client-notes", &notes, &[]);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM note"), 3);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM contact"), 1);

    // Export direction: the transfer file round-trips into another database.
    let out = dir.path().join("out.csv");
    recoup(&db)
        .args(["export", "client-transfers", "--out"])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("CLIENT,2041,\"Harbor CU, Auto Loans\",,,1 Harbor Way,,Oakland,CA,94607,,,,,,,,01,2040,,G,N,27.5,"),
        "{text}"
    );
    assert!(
        text.contains(",Review,Quarterly review,2024-09-30,,,JDS,,,N,,In Progress,"),
        "{text}"
    );
    let (_d2, db2) = seeded();
    let s = import_json(&db2, "client-transfers", &out, &[]);
    assert_eq!(s["created"]["client"], 2);
    assert_eq!(
        s["updated"]["client"], 3,
        "setup's clients are in both databases"
    );
    assert_eq!(s["rejected"], 0);
}

#[test]
fn ncoa_and_dialer() {
    let (dir, db) = seeded();
    placed(dir.path(), &db);
    let file = copy_to(dir.path(), "ncoa.csv");
    let s = import_json(&db, "ncoa-return", &file, &[]);
    assert_eq!(s["updated"]["debtor"], 1);
    assert_eq!(s["skipped"]["debtor not found (inhibit_autocreate)"], 2);
    let d = debtor(&db, 1000);
    assert_eq!(get(&d, "de.ad"), "77 New Rd");
    assert_eq!(get(&d, "de.a1"), "", "a mapped blank overwrites");
    assert_eq!(get(&d, "de.ok"), "1");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM note WHERE te LIKE '%NCOA%'"),
        1
    );

    let file = copy_to(dir.path(), "dialer.csv");
    let s = import_json(&db, "dialer-results", &file, &[]);
    assert_eq!(s["created"]["contact"], 2);
    assert_eq!(s["created"]["note"], 2);
    assert_eq!(s["skipped"]["contact: debtor not found"], 1);
    let store = Store::open(&db).unwrap();
    let (te, dt, tm): (String, String, String) = store
        .conn()
        .query_row(
            "SELECT te, dt, tm FROM note WHERE fi = 1001 AND te LIKE '%Dialer%'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(te, "07/30/2024 10:17 DLR : Dialer call, result 3");
    assert_eq!((dt.as_str(), tm.as_str()), ("2024-07-30", "10:17"));
    let done: i64 = store
        .conn()
        .query_row("SELECT done FROM contact WHERE fi = 1000", [], |r| r.get(0))
        .unwrap();
    assert_eq!(done, 1);
}

#[test]
fn strict_and_dry_run_commit_nothing() {
    let (dir, db) = seeded();
    let file = copy_to(dir.path(), "placement.csv");
    let out = recoup(&db)
        .args(["import", "placement-csv"])
        .arg(&file)
        .arg("--strict")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 record(s) rejected"));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM debtor"), 0);
    let custom = dir.path().join("my-rejects.csv");
    let s = import_json(
        &db,
        "placement-csv",
        &file,
        &["--dry-run", "--rejects", custom.to_str().unwrap()],
    );
    assert_eq!(s["created"]["debtor"], 3);
    assert_eq!(s["rejects_file"], custom.display().to_string());
    assert_eq!(std::fs::read_to_string(&custom).unwrap().lines().count(), 3);
    assert_eq!(s["committed"], false);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM debtor"), 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM import_batch"), 0);
}

#[test]
fn bad_map_is_exit_2_naming_the_place() {
    let (dir, db) = seeded();
    let map = dir.path().join("bad.toml");
    std::fs::write(
        &map,
        "format = \"csv\"\n[[record]]\ntype = \"debtor\"\n  [[record.field]]\n  field = \"de.zz\"\n",
    )
    .unwrap();
    let out = recoup(&db)
        .arg("import")
        .arg(&map)
        .arg(fixture("placement.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:5:11: unknown field code 'de.zz'"),
        "{err}"
    );
}

#[test]
fn review_cancel_commits_accepted_so_far() {
    let (dir, db) = seeded();
    placed(dir.path(), &db);
    let file = copy_to(dir.path(), "placement.csv");
    // Yes to the first existing debtor, No to the second, Cancel at the third.
    let out = recoup(&db)
        .arg("--json")
        .args(["import", "placement-csv"])
        .arg(&file)
        .arg("--review")
        .write_stdin("y\nn\nc\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["updated"]["debtor"], 1);
    assert_eq!(s["skipped"]["declined in review"], 1);
    assert_eq!(s["cancelled"], true);
    assert_eq!(s["committed"], true);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Update Debtor? (Yes/No/All/Cancel)"));
}

#[test]
fn killed_import_leaves_database_unchanged() {
    let (dir, db) = seeded();
    placed(dir.path(), &db);
    let before = count(&db, "SELECT COUNT(*) FROM debtor");
    // A big placement so the import is still running when it is killed.
    let big = dir.path().join("big.csv");
    let mut text = String::from("Account,Last,First,Address,Address2,City,State,Zip,Phone,SSN,DOB,Principal,Interest,Delinquent,Note\n");
    for i in 0..200_000 {
        text.push_str(&format!(
            "K-{i:07},Last{i},First,1 Main St,,Sacramento,CA,95814,,,01/01/1980,100.00,,01/01/2024,n\n"
        ));
    }
    std::fs::write(&big, text).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("recoup"))
        .arg("--db")
        .arg(&db)
        .args(["--today", "2024-07-31", "--quiet", "--home"])
        .arg(root())
        .args(["import", "placement-csv"])
        .arg(&big)
        .env_remove("RECOUP_DB")
        .env("RECOUP_IMPORT_CACHE_KB", "512")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import has written into the WAL (mid-transaction), then kill it.
    let wal = db.with_extension("db-wal");
    let started = std::time::Instant::now();
    loop {
        let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        if size > 2 << 20 || started.elapsed().as_secs() > 60 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let wal_size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert!(wal_size > 0, "the import had not written anything yet");
    let finished_early = child.try_wait().unwrap().is_some();
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        !finished_early && !status.success(),
        "the import was not killed midway"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM debtor"), before);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM import_batch"), 1);
    let ok: String = Store::open(&db)
        .unwrap()
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn export_runs_maps_backwards() {
    let (dir, db) = seeded();
    placed(dir.path(), &db);
    let file = copy_to(dir.path(), "payments.csv");
    import_json(&db, "payments", &file, &[]);
    // Payments map backwards: 101 → P, 105 → R, amounts with two places, dates per
    // the map's date options (MDY, 2-digit years), the debtor's acct on each row.
    let out = dir.path().join("pay-out.csv");
    let run = recoup(&db)
        .args(["export", "payments", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success());
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "Account,,Transaction id,P or R,Amount,Payment date"
    );
    assert!(
        lines.contains(&"AC-10001,,T-1001,P,500.00,07/01/24"),
        "{text}"
    );
    assert!(
        lines.contains(&"AC-10001,,T-1002,R,-500.00,07/03/24"),
        "{text}"
    );
    // The 196/197 placement transactions have no P/R code: the import would reject
    // them (no type), so they are not written, and the export says so once per type.
    assert!(!text.contains("-15000.00"), "{text}");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("warning: transaction records not exported: tr.ty holds a value no must_equal spec writes (4; the first: debtor 1000, '196')"),
        "{stderr}"
    );
    // ... and the file imports back: every row is a duplicate, none is rejected.
    let s = import_json(&db, "payments", &out, &[]);
    assert_eq!(s["skipped"]["transaction found (skip_if_found)"], 3);
    assert_eq!(s["rejected"], 0);

    // A debtor map with --where, fixed length: padded, numbers zero-filled.
    let out = dir.path().join("fixed.txt");
    recoup(&db)
        .args(["export", "placement-fixed", "--out"])
        .arg(&out)
        .args(["--where", "(@de.ac = AC-10002)"])
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[1], "TRAILER 000001", "the map's [footer]");
    let l = lines[0];
    assert_eq!(&l[0..12], "AC-10002    ");
    assert_eq!(&l[12..42], "Martinez, Elena               ");
    assert_eq!(
        &l[104..114],
        "000043105E",
        "cents (÷ multiply 0.01), trailing overpunch"
    );
    assert_eq!(&l[114..122], "19750930");
    assert!(text.ends_with("\r\n"));
}

#[test]
fn cosigner_phone_and_contact_from_one_row() {
    let (dir, db) = seeded();
    let map = dir.path().join("multi.toml");
    std::fs::write(
        &map,
        r#"
format = "csv"
[options]
client = 1003
apply_client_settings = true
[[record]]
type = "debtor"
  [[record.field]]
  field = "de.ac"
  key = true
  exact = true
  [[record.field]]
  field = "de.na"
[[record]]
type = "cosigner"
  [[record.field]]
  field = "cs.na"
  source = "@C"
  key = true
  exact = true
  [[record.field]]
  field = "cs.cl"
  source = "@ "
  fill = "Cosigner"
[[record]]
type = "phone"
  [[record.field]]
  field = "ph.nu"
  source = "@D"
  strip = ["non_numeric"]
  key = true
  exact = true
  [[record.field]]
  field = "ph.ty"
  source = "@ "
  fill = "Cell"
  [[record.field]]
  field = "ph.ac"
  source = "@ "
  fill = "Y"
"#,
    )
    .unwrap();
    let input = dir.path().join("multi.csv");
    std::fs::write(&input, "Z-1,\"Doe, Jane\",\"Doe, Jim\",(916) 555-0001\nz-1 ,\"Doe, Jane\",\"Doe, Jim\",916-555-0001\n").unwrap();
    let s = import_json(&db, map.to_str().unwrap(), &input, &[]);
    assert_eq!(s["created"]["debtor"], 1);
    assert_eq!(
        s["updated"]["debtor"], 1,
        "exact key: trimmed, case-insensitive"
    );
    assert_eq!(s["created"]["cosigner"], 1);
    assert_eq!(s["updated"]["cosigner"], 1);
    assert_eq!(s["created"]["phone"], 1);
    assert_eq!(s["updated"]["phone"], 1);
    let d = debtor(&db, 1000);
    assert_eq!(get(&d, "de.sa"), "HSE", "client settings");
    assert_eq!(get(&d, "de.te"), "1");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM cosigner WHERE fi = 1000 AND cl = 'Cosigner'"
        ),
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM phone WHERE fi = 1000 AND nu = '9165550001' AND ac = 1"
        ),
        1
    );
}

#[test]
fn transfer_maps_are_embedded() {
    // From a directory without maps/: the client-transfer maps still work.
    let (dir, db) = seeded();
    let file = copy_to(dir.path(), "clienttransfers.csv");
    let out = Command::cargo_bin("recoup")
        .unwrap()
        .current_dir(dir.path())
        .arg("--db")
        .arg(&db)
        .args(["--quiet", "--json", "import", "client-transfers"])
        .arg(&file)
        .env_remove("RECOUP_HOME")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["created"]["client"], 2);
    assert_eq!(s["map"], "<embedded>/maps/client-transfers.toml");
}

#[test]
fn transaction_type_before_and_after() {
    // 196 is omitted from client statements by its type; the map says "not omitted".
    // "after": the type's settings are applied after the map's fields and win;
    // "before": the map's fields win (S2:5093-5094).
    let (dir, db) = seeded();
    placed(dir.path(), &db);
    let input = dir.path().join("charges.csv");
    std::fs::write(&input, "AC-10001,25.00\n").unwrap();
    for (when, expect) in [("after", 1), ("before", 0)] {
        let map = dir.path().join(format!("{when}.toml"));
        std::fs::write(
            &map,
            format!(
                "format = \"csv\"\n[options]\nclient = 1001\ntransaction_type = \"{when}\"\n\
                 [[record]]\ntype = \"transaction\"\n\
                 [[record.field]]\nfield = \"de.ac\"\nkey = true\nexact = true\n\
                 [[record.field]]\nfield = \"tr.tu\"\nmultiply = \"-1.0\"\n\
                 [[record.field]]\nfield = \"tr.ty\"\nsource = \"@ \"\nfill = \"196\"\n\
                 [[record.field]]\nfield = \"tr.os\"\nsource = \"@ \"\nfill = \"N\"\n\
                 [[record.field]]\nfield = \"tr.de\"\nsource = \"@ \"\nfill = \"Added {when}\"\n"
            ),
        )
        .unwrap();
        let s = import_json(&db, map.to_str().unwrap(), &input, &[]);
        assert_eq!(s["created"]["transaction"], 1);
        let store = Store::open(&db).unwrap();
        let (os, tu, de): (i64, i64, String) = store
            .conn()
            .query_row(
                "SELECT os, tu, de FROM trans WHERE de = ?1",
                [format!("Added {when}")],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((os, tu), (expect, -2500), "{when}: {de}");
    }
}

#[test]
fn key_matching_rules() {
    let (dir, db) = seeded();
    placed(dir.path(), &db);
    // A second debtor with the same acct under the same client makes the exact key
    // ambiguous; a name prefix (non-exact) takes the lowest file number.
    let dup = dir.path().join("dup.csv");
    std::fs::write(&dup, "AC-10001,Doe,Jack\n").unwrap();
    let map = dir.path().join("add.toml");
    std::fs::write(
        &map,
        "format = \"csv\"\n[options]\nclient = 1001\n[[record]]\ntype = \"debtor\"\n\
         [[record.field]]\nfield = \"de.ac\"\n\
         [[record.field]]\nfield = \"de.na\"\n\
         [[record.field]]\nfield = \"de.na\"\nappend = true\nprepend_comma = true\nadd_space = true\n",
    )
    .unwrap();
    let s = import_json(&db, map.to_str().unwrap(), &dup, &[]);
    assert_eq!(s["created"]["debtor"], 1, "no key: always a new debtor");

    let input = dir.path().join("upd.csv");
    std::fs::write(&input, "AC-10001,X1\ndoe,X2\nMart,X3\n").unwrap();
    let exact = dir.path().join("exact.toml");
    std::fs::write(
        &exact,
        "format = \"csv\"\n[options]\nclient = 1001\n[[record]]\ntype = \"debtor\"\n\
         [[record.field]]\nfield = \"de.ac\"\nkey = true\nexact = true\ninhibit_autocreate = true\n\
         [[record.field]]\nfield = \"de.u1\"\n",
    )
    .unwrap();
    let s = import_json(&db, exact.to_str().unwrap(), &input, &[]);
    assert_eq!(s["rejected"], 1);
    assert_eq!(s["skipped"]["debtor not found (inhibit_autocreate)"], 2);
    let rejects = std::fs::read_to_string(dir.path().join("upd.csv.rejects.csv")).unwrap();
    assert!(
        rejects.contains("1,ambiguous key: several debtors match de.ac 'AC-10001'"),
        "{rejects}"
    );

    let partial = dir.path().join("partial.toml");
    std::fs::write(
        &partial,
        "format = \"csv\"\n[options]\nclient = 1001\n[[record]]\ntype = \"debtor\"\n\
         [[record.field]]\nfield = \"de.na\"\nsource = \"@A\"\nkey = true\ninhibit_autocreate = true\n\
         [[record.field]]\nfield = \"de.u1\"\nsource = \"@B\"\n",
    )
    .unwrap();
    std::fs::write(&input, "doe,P1\nMart,P2\nZed,P3\n").unwrap();
    let s = import_json(&db, partial.to_str().unwrap(), &input, &[]);
    assert_eq!(s["updated"]["debtor"], 2);
    assert_eq!(
        get(&debtor(&db, 1000), "de.u1"),
        "P1",
        "first prefix match: lowest file number"
    );
    assert_eq!(get(&debtor(&db, 1003), "de.u1"), "");
    assert_eq!(get(&debtor(&db, 1001), "de.u1"), "P2");
    // A partial key is a search term: it does not overwrite the name it matched.
    assert_eq!(get(&debtor(&db, 1000), "de.na"), "Doe, John");

    // An unknown client is a configuration error before any record is read (exit 2):
    // tests/import_hostile.rs covers it.
    recoup(&db)
        .args(["import", "placement-csv"])
        .arg(fixture("placement.csv"))
        .args(["--client", "4242", "--rejects"])
        .arg(dir.path().join("r.csv"))
        .assert()
        .code(2);
    assert!(!dir.path().join("r.csv").exists());
}

/// Exact account keys match case-insensitively against accounts already on file and
/// against accounts created earlier in the same file (the in-memory key set must
/// agree with the database lookup in both cases).
#[test]
fn exact_keys_find_existing_and_same_file_accounts_in_any_case() {
    let (dir, db) = seeded();
    placed(dir.path(), &db);
    let before = count(&db, "SELECT COUNT(*) FROM debtor");
    let map = dir.path().join("exact-create.toml");
    std::fs::write(
        &map,
        "format = \"csv\"\n[options]\nclient = 1001\n[[record]]\ntype = \"debtor\"\n\
         [[record.field]]\nfield = \"de.ac\"\nkey = true\nexact = true\n\
         [[record.field]]\nfield = \"de.u1\"\n",
    )
    .unwrap();
    let input = dir.path().join("cases.csv");
    std::fs::write(
        &input,
        "ac-10002,U1\nNew-9,U2\nNEW-9,U3\nnew-9,U4\nAC-10003,U5\n",
    )
    .unwrap();
    let s = import_json(&db, map.to_str().unwrap(), &input, &[]);
    assert_eq!(s["created"]["debtor"], 1, "{s}");
    assert_eq!(s["updated"]["debtor"], 4, "{s}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM debtor"), before + 1);
    let u1 = |ac: &str| -> String {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row(
                "SELECT u1 FROM debtor WHERE ac = ?1 COLLATE NOCASE",
                [ac],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(u1("AC-10002"), "U1");
    assert_eq!(u1("new-9"), "U4");
    assert_eq!(u1("ac-10003"), "U5");
    // Running it again creates nothing more.
    let s = import_json(&db, map.to_str().unwrap(), &input, &[]);
    assert_eq!(s["created"].get("debtor"), None, "{s}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM debtor"), before + 1);
}

/// `recalculate` recalculates the debtors on file that the import wrote to (their
/// stored totals may be stale); the accounts it creates come out exact without it.
#[test]
fn recalculate_fixes_touched_debtors_and_new_ones_are_exact() {
    let (dir, db) = seeded();
    placed(dir.path(), &db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let fi: i64 = conn
        .query_row("SELECT fi FROM debtor WHERE ac = 'AC-10002'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let (pr, ow): (i64, i64) = conn
        .query_row("SELECT pr, ow FROM debtor WHERE fi = ?1", [fi], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    conn.execute("UPDATE debtor SET pr = 1, ow = 1 WHERE fi = ?1", [fi])
        .unwrap();
    let map = dir.path().join("touch.toml");
    std::fs::write(
        &map,
        "format = \"csv\"\n[options]\nclient = 1001\ninclude_transaction_posting = true\n\
         [[record]]\ntype = \"debtor\"\n\
         [[record.field]]\nfield = \"de.ac\"\nsource = \"@A\"\nkey = true\nexact = true\n\
         [[record.field]]\nfield = \"de.opr\"\nsource = \"@B\"\n\
         [[record]]\ntype = \"payment\"\n\
         [[record.field]]\nfield = \"tr.tu\"\nsource = \"@C\"\n",
    )
    .unwrap();
    let input = dir.path().join("touch.csv");
    std::fs::write(&input, "AC-10002,,\nNEW-77,500.00,25.00\n").unwrap();
    let s = import_json(&db, map.to_str().unwrap(), &input, &[]);
    assert_eq!(s["updated"]["debtor"], 1, "{s}");
    assert_eq!(s["created"]["debtor"], 1, "{s}");
    let totals = |fi: i64| -> (i64, i64, i64) {
        conn.query_row("SELECT pr, pa, ow FROM debtor WHERE fi = ?1", [fi], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap()
    };
    let fixed = totals(fi);
    assert_eq!((fixed.0, fixed.2), (pr, ow), "stale totals recalculated");
    let new_fi: i64 = conn
        .query_row("SELECT fi FROM debtor WHERE ac = 'NEW-77'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let stored = totals(new_fi);
    assert_eq!(
        stored,
        (50_000, 2_500, 47_500),
        "opening 500.00, paid 25.00"
    );
    recoup::money::recalculate(&conn, new_fi).unwrap();
    assert_eq!(
        totals(new_fi),
        stored,
        "already exact without recalculation"
    );
}

/// An error from the source (read on the import's reading thread) ends the import
/// with a clear message and exit 3, and commits nothing, not even the batch record.
#[test]
fn a_source_error_ends_the_import_and_commits_nothing() {
    let (dir, db) = seeded();
    placed(dir.path(), &db);
    let (debtors, batches) = (
        count(&db, "SELECT COUNT(*) FROM debtor"),
        count(&db, "SELECT COUNT(*) FROM import_batch"),
    );
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let out = recoup(&db)
        .args(["import", "placement-fixed"])
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("has no footer line"), "{stderr}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM debtor"), debtors);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM import_batch"), batches);
}

/// README "Using it" (PII): the rejects file is read by people; an SSN in a rejected record's
/// raw text is masked like every other display, the line number still points at it.
#[test]
fn rejects_file_masks_ssns() {
    let (dir, db) = seeded();
    let file = copy_to(dir.path(), "placement.csv");
    import_json(&db, "placement-csv", &file, &[]);
    let rejects = std::fs::read_to_string(dir.path().join("placement.csv.rejects.csv")).unwrap();
    let line6 = rejects.lines().find(|l| l.starts_with("6,")).unwrap();
    assert!(!rejects.contains("345-67-8901"), "{rejects}");
    assert!(
        line6.contains(",916.555.0105,***-**-8901,13/45/1982,"),
        "{line6}"
    );
}
