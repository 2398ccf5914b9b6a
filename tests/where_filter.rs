//! One filter language: every `--where` is the report language's condition
//! (docs/report-language.md, Conditions). `or` and nesting, which the export's old
//! hand-written filter refused, work on export and plan run; a field code written
//! without `@` and report-only codes are refused (exit 2).

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

use common::root;

fn recoup(db: &Path) -> Command {
    common::recoup_home(db, "2024-07-31")
}

/// The shipped setup and the placement fixture: AC-10001 (CA, 15,075.00),
/// AC-10002 (CA, 4,310.55), AC-10003 (NV, 620.00).
fn placed(dir: &Path) -> PathBuf {
    let db = dir.join("t.db");
    recoup(&db)
        .args(["setup", "apply"])
        .arg(root().join("setup.toml"))
        .assert()
        .success();
    recoup(&db)
        .args(["import", "placement-csv"])
        .arg(root().join("fixtures/import/placement.csv"))
        .assert()
        .success();
    db
}

/// A debtor map writing the account number and the balance.
fn owing_map(dir: &Path) -> PathBuf {
    let map = dir.join("owing.toml");
    std::fs::write(
        &map,
        "format = \"csv\"\n[[record]]\ntype = \"debtor\"\n\
         [[record.field]]\nfield = \"de.ac\"\n[[record.field]]\nfield = \"de.ow\"\n",
    )
    .unwrap();
    map
}

fn export_where(db: &Path, map: &Path, cond: &str) -> std::process::Output {
    let out = map.with_extension("csv");
    let run = recoup(db)
        .arg("export")
        .arg(map)
        .arg("--out")
        .arg(&out)
        .args(["--where", cond])
        .output()
        .unwrap();
    if run.status.success() {
        let mut run = run;
        run.stdout = std::fs::read(&out).unwrap();
        run
    } else {
        run
    }
}

#[test]
fn export_where_takes_or_and_nesting() {
    let dir = tempfile::tempdir().unwrap();
    let db = placed(dir.path());
    let map = owing_map(dir.path());
    let run = export_where(
        &db,
        &map,
        "(@de.ac = AC-10002) or ((@de.st = nv) and (@de.ow > 100))",
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        "AC-10002,4310.55\r\nAC-10003,620.00\r\n"
    );
    // The report form without parentheses, a range, and `<>` on a range.
    let run = export_where(&db, &map, "@de.ow = 600 .. 5000 and @de.ac <> AC-10003");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&run.stdout), "AC-10002,4310.55\r\n");
    // A date code counts from --today (2024-07-31): delinquent before June 2024.
    let run = export_where(&db, &map, "@de.dq < @m-1 and @de.dq >= 2023-11-01");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        "AC-10001,15075.00\r\nAC-10003,620.00\r\n"
    );
}

#[test]
fn export_where_refusals_are_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let db = placed(dir.path());
    let map = owing_map(dir.path());
    for (cond, says) in [
        (
            "(de.ac = AC-10002)",
            "column 2: 'de.ac' is a field code; write @de.ac",
        ),
        (
            "(@de.ac = x) or (@varX = 1)",
            "variables, @N, @P, @PT, @t and contact controls need a report",
        ),
        (
            "(@de.ac = x) or (@tr.ty = 101)",
            "a debtor record cannot read tr.ty",
        ),
        ("(@de.ow > lots)", "'lots' cannot be compared with de.ow"),
        ("(@de.ac = x", "expected ')'"),
    ] {
        let run = export_where(&db, &map, cond);
        assert_eq!(run.status.code(), Some(2), "{cond}");
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(err.contains(says), "{cond}: {err}");
    }
    // The report language's bound: 256 levels, named by column.
    let deep = "(".repeat(300) + "@de.ow > 1" + &")".repeat(300);
    let run = export_where(&db, &map, &deep);
    assert_eq!(run.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains("column 257: nested more than 256 levels deep"),
        "{err}"
    );
    let ok = "(".repeat(200) + "@de.ac = AC-10003" + &")".repeat(200);
    let run = export_where(&db, &map, &ok);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&run.stdout), "AC-10003,620.00\r\n");
}

#[test]
fn plan_run_where_takes_or_and_nesting() {
    let dir = tempfile::tempdir().unwrap();
    let db = placed(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let before: i64 = conn
        .query_row("SELECT max(id) FROM contact", [], |r| r.get(0))
        .unwrap_or(0);
    let run = recoup(&db)
        .args(["--json", "plan", "run", "NEW", "--where"])
        .arg("(@de.ac = AC-10001) or ((@de.st = NV) and (@cl.nu = 1001 .. 1003))")
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(j["debtors"], 2, "{j}");
    // The plan ran on exactly those two: only they have new contacts.
    let with_contacts: Vec<String> = conn
        .prepare(
            "SELECT DISTINCT d.ac FROM contact c JOIN debtor d ON d.fi = c.fi \
             WHERE c.id > ?1 ORDER BY d.ac",
        )
        .unwrap()
        .query_map([before], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(with_contacts, ["AC-10001", "AC-10003"]);
    // A field a debtor cannot read is a bad argument, naming it.
    let run = recoup(&db)
        .args(["plan", "run", "NEW", "--where", "(@tr.ty = 101)"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("a debtor record cannot read tr.ty"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}
