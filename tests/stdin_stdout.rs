//! `-` is standard input for every input file and standard output for every
//! single-file `--out`, driven through pipes as a script would.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

use common::root;

fn recoup(db: &Path) -> Command {
    common::recoup_home(db, "2024-07-31")
}

use common::seeded_office as seeded;

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

/// The demo office (placed, worked and reported), as of the demo's month end.
fn demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let mut c = Command::cargo_bin("recoup").unwrap();
    c.env_remove("RECOUP_DB")
        .env_remove("RECOUP_TODAY")
        .env_remove("RECOUP_HOME")
        .args(["--quiet", "demo", "--out"])
        .arg(&out)
        .assert()
        .success();
    let db = out.join("recoup.db");
    (dir, db)
}

fn at(db: &Path) -> Command {
    let mut c = common::recoup_at(db, "2024-08-05");
    // A pinned time of day: the Metro 2 time stamp must not differ between two runs.
    c.arg("--home").arg(root()).env("RECOUP_TIME", "15:30:00");
    c
}

/// Run `args` once with `--out FILE` and once with `--out -`: stdout carries the
/// same bytes as the file and nothing else; the summary went to stderr.
fn same_on_stdout(db: &Path, dir: &Path, args: &[&str], summary: &str) -> Vec<u8> {
    let file = dir.join("file.out");
    let by_file = at(db).args(args).arg("--out").arg(&file).output().unwrap();
    assert!(
        by_file.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&by_file.stderr)
    );
    assert!(
        String::from_utf8_lossy(&by_file.stdout).contains(summary),
        "{args:?}: the summary goes to stdout when the data does not"
    );
    let piped = at(db).args(args).args(["--out", "-"]).output().unwrap();
    assert!(
        piped.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&piped.stderr)
    );
    let written = std::fs::read(&file).unwrap();
    assert!(!written.is_empty(), "{args:?}: something to compare");
    assert!(
        piped.stdout == written,
        "{args:?}: stdout is the file, byte for byte"
    );
    assert!(
        String::from_utf8_lossy(&piped.stderr).contains(summary),
        "{args:?}: summary on stderr: {}",
        String::from_utf8_lossy(&piped.stderr)
    );
    assert!(!dir.join("-").exists(), "no file named '-'");
    piped.stdout
}

#[test]
fn single_file_outputs_go_to_standard_output_with_the_summary_on_stderr() {
    let (dir, db) = demo();
    same_on_stdout(&db, dir.path(), &["export", "placement-csv"], "exported");
    same_on_stdout(
        &db,
        dir.path(),
        &["report", "run", "debtor-listing", "--format", "text"],
        "lines",
    );
    same_on_stdout(
        &db,
        dir.path(),
        &[
            "letters",
            "service",
            "--from",
            "2024-07-01",
            "--to",
            "2024-08-31",
        ],
        "letters written",
    );
    let pdf = same_on_stdout(
        &db,
        dir.path(),
        &[
            "letters",
            "print",
            "--from",
            "2024-07-01",
            "--to",
            "2024-08-31",
        ],
        "letters printed",
    );
    assert!(pdf.starts_with(b"%PDF"));
    let metro2 = same_on_stdout(
        &db,
        dir.path(),
        // --quiet (as every test runs) leaves out the text summary, not the JSON one.
        &["--json", "metro2", "generate", "--as-of", "2024-07-31"],
        "\"as_of\":\"2024-07-31\"",
    );

    // The piped Metro 2 file validates and prints from standard input as from a file.
    let file = dir.path().join("m2.txt");
    std::fs::write(&file, &metro2).unwrap();
    let from_file = at(&db)
        .args(["--json", "metro2", "validate"])
        .arg(&file)
        .output()
        .unwrap();
    let from_pipe = at(&db)
        .args(["--json", "metro2", "validate", "-"])
        .write_stdin(metro2.clone())
        .output()
        .unwrap();
    assert!(
        from_pipe.status.success(),
        "{}",
        String::from_utf8_lossy(&from_pipe.stderr)
    );
    assert_eq!(json_of(&from_pipe), json_of(&from_file));
    assert!(json_of(&from_pipe)["counts"]["base"].as_u64().unwrap() > 0);
    let printed_file = at(&db)
        .args(["metro2", "print"])
        .arg(&file)
        .output()
        .unwrap();
    let printed_pipe = at(&db)
        .args(["metro2", "print", "-"])
        .write_stdin(metro2)
        .output()
        .unwrap();
    assert!(printed_pipe.status.success());
    assert_eq!(printed_pipe.stdout, printed_file.stdout);
    // A bad file on stdin is named as such.
    at(&db)
        .args(["metro2", "validate", "-"])
        .write_stdin("not a metro 2 file\n")
        .assert()
        .code(3)
        .stdout(predicate::str::contains("<stdin>"));
}
