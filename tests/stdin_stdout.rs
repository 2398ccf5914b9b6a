//! `-` is standard input for every input file and standard output for every
//! single-file `--out`, driven through pipes as a script would.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn recoup(db: &Path) -> Command {
    let mut c = common::recoup_at(db, "2024-07-31");
    c.arg("--home").arg(root()).env("RECOUP_TIME", "15:30:00");
    c
}

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

fn placement() -> Vec<u8> {
    std::fs::read(root().join("fixtures/import/placement.csv")).unwrap()
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn show_debtor(db: &Path, fi: i64) -> serde_json::Value {
    json_of(
        &recoup(db)
            .args(["--json", "show", "debtor", &fi.to_string()])
            .output()
            .unwrap(),
    )
}

#[test]
fn import_reads_standard_input() {
    let (dir, from_file) = seeded();
    let file = dir.path().join("placement.csv");
    std::fs::write(&file, placement()).unwrap();
    let by_file = json_of(
        &recoup(&from_file)
            .args(["--json", "import", "placement-csv"])
            .arg(&file)
            .output()
            .unwrap(),
    );

    let (dir2, from_pipe) = seeded();
    let by_pipe = json_of(
        &recoup(&from_pipe)
            .current_dir(dir2.path())
            .args(["--json", "import", "placement-csv", "-"])
            .write_stdin(placement())
            .output()
            .unwrap(),
    );
    assert_eq!(by_pipe["read"], by_file["read"]);
    assert_eq!(by_pipe["created"], by_file["created"]);
    assert_eq!(by_pipe["rejected"], by_file["rejected"]);
    assert!(by_pipe["read"].as_u64().unwrap() > 0);
    // The same accounts, field by field.
    for fi in [1000, 1001] {
        assert_eq!(show_debtor(&from_pipe, fi), show_debtor(&from_file, fi));
    }
    // The fixture has rejects; those of a piped file go to stdin.rejects.csv in
    // the current directory.
    assert_eq!(by_pipe["rejected"], 2);
    assert_eq!(by_pipe["file"], "<stdin>");
    assert_eq!(
        std::fs::read_to_string(dir2.path().join("stdin.rejects.csv")).unwrap(),
        std::fs::read_to_string(dir.path().join("placement.csv.rejects.csv")).unwrap()
    );
}

#[test]
fn review_cannot_read_its_answers_and_the_file_from_one_pipe() {
    let (_dir, db) = seeded();
    recoup(&db)
        .args(["import", "placement-csv", "-", "--review"])
        .write_stdin(placement())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--review"));
}

#[test]
fn ncoa_import_reads_standard_input() {
    let (_dir, db) = seeded();
    recoup(&db)
        .args(["import", "placement-csv", "-"])
        .write_stdin(placement())
        .assert()
        .success();
    recoup(&db)
        .args(["ncoa", "import", "-"])
        .write_stdin("id,address,address1,city,state,zip\nD1000,77 New Rd,Apt 4,Reno,NV,89501\n")
        .assert()
        .success();
    let d = show_debtor(&db, 1000);
    assert_eq!(d["de.ad"], "77 New Rd");
    assert_eq!(d["de.ci"], "Reno");
}
