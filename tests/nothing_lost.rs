//! "Nothing lost on the way out": amounts in words, refused contact-control codes,
//! statement numbers kept on --replace, in-house letters and Address OK, the CSV
//! letter-service file read back field by field.

mod common;

use std::path::Path;

use predicates::prelude::*;

/// A database with one client and one debtor owing $14,620.50.
fn report_db(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("r.db");
    let store = recoup::store::Store::open(&db).expect("db");
    store
        .conn()
        .execute_batch(
            "INSERT INTO client (nu, na) VALUES (1001, 'Acme Bank');
             INSERT INTO debtor (fi, cn, na, ow, pr, mo) VALUES (1, 1001, 'Smith, John', 1462050, 1500000, 'A');",
        )
        .expect("data");
    db
}

#[test]
fn amount_in_words_writes_the_cents_as_a_cheque_does() {
    let dir = tempfile::tempdir().unwrap();
    let db = report_db(dir.path());
    let rpt = dir.path().join("words.rpt");
    std::fs::write(
        &rpt,
        "+++\nstart_on = \"debtor\"\n+++\n@de.ow<t>|@de.pr<t>\n",
    )
    .unwrap();
    common::recoup_at(&db, "2024-07-31")
        .args(["report", "run"])
        .arg(&rpt)
        .assert()
        .success()
        .stdout("Fourteen Thousand Six Hundred Twenty and 50/100|Fifteen Thousand and 00/100\n");
}

#[test]
fn contact_control_codes_without_settings_are_refused_not_printed() {
    let dir = tempfile::tempdir().unwrap();
    let db = report_db(dir.path());
    for code in ["CCSMS", "CCTZCALL", "CCVALDATE", "CCATTEMPTS", "CCRPCS"] {
        let rpt = dir.path().join("cc.rpt");
        std::fs::write(&rpt, format!("@de\n@varX = @{code}\nok @varX\n@de\n")).unwrap();
        for verb in ["check", "run"] {
            common::recoup_at(&db, "2024-07-31")
                .args(["report", verb])
                .arg(&rpt)
                .assert()
                .code(2)
                .stdout(predicate::str::contains(code).not())
                .stderr(predicate::str::contains(format!(
                    "cc.rpt:2:9: @{code} is not supported"
                )));
        }
    }
}

/// The demonstration database (its July statements are generated).
fn demo_db(dir: &Path) -> std::path::PathBuf {
    assert_cmd::Command::cargo_bin("recoup")
        .unwrap()
        .current_dir(dir)
        .env_remove("RECOUP_TODAY")
        .env_remove("RECOUP_DB")
        .args(["--quiet", "demo", "--out", "d"])
        .assert()
        .success();
    dir.join("d/recoup.db")
}

fn statements_of(db: &Path) -> Vec<(i64, i64, String)> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut s = c
        .prepare("SELECT nu, cl, fr FROM statement ORDER BY nu")
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|x| x.unwrap())
        .collect()
}

#[test]
fn replaced_statements_keep_their_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let before = statements_of(&db);
    assert!(before.len() >= 2, "{before:?}");
    common::recoup_at(&db, "2024-08-01")
        .args([
            "statements",
            "generate",
            "--from",
            "2024-07-01",
            "--to",
            "2024-07-31",
        ])
        .arg("--replace")
        .assert()
        .success();
    assert_eq!(statements_of(&db), before);
}

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A database with the shipped setup and the placement fixture imported once.
fn placed_db(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let db = dir.join("t.db");
    let file = dir.join("placement.csv");
    std::fs::copy(root().join("fixtures/import/placement.csv"), &file).unwrap();
    common::recoup_at(&db, "2024-07-31")
        .args(["setup", "apply"])
        .arg(root().join("setup.toml"))
        .assert()
        .success();
    common::recoup_at(&db, "2024-07-31")
        .arg("--home")
        .arg(root())
        .args(["import", "placement-csv"])
        .arg(&file)
        .assert()
        .success();
    (db, file)
}

#[test]
fn import_review_prompt_masks_the_ssn() {
    let dir = tempfile::tempdir().unwrap();
    let (db, file) = placed_db(dir.path());
    let out = common::recoup_at(&db, "2024-07-31")
        .arg("--home")
        .arg(root())
        .args(["import", "placement-csv"])
        .arg(&file)
        .arg("--review")
        .write_stdin("n\nn\nc\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let prompt = String::from_utf8_lossy(&out.stderr);
    assert!(
        prompt.contains("Update Debtor? (Yes/No/All/Cancel)"),
        "{prompt}"
    );
    assert!(
        prompt.contains("line 2: AC-10001,Doe,John,") && prompt.contains(",***-**-6789,"),
        "{prompt}"
    );
    assert!(
        !prompt.contains("123-45-6789") && !prompt.contains("234-56-7890"),
        "{prompt}"
    );
}

/// The names in a directory, sorted (temporary files included: they start with `.`).
fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[cfg(unix)]
#[test]
fn metro2_generate_through_a_link_writes_the_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("real.txt"), "old").unwrap();
    std::os::unix::fs::symlink("real.txt", out.join("link.txt")).unwrap();
    common::recoup_at(&db, "2024-08-01")
        .args(["metro2", "generate", "--out"])
        .arg(out.join("link.txt"))
        .assert()
        .success();
    let link = std::fs::symlink_metadata(out.join("link.txt")).unwrap();
    assert!(link.file_type().is_symlink(), "the link stays a link");
    let written = std::fs::read_to_string(out.join("real.txt")).unwrap();
    assert!(
        written.len() > 426 && written.contains("HEADER"),
        "{written}"
    );
    assert_eq!(
        names_in(&out),
        ["link.txt", "real.txt"],
        "no temporary file left"
    );
}

#[test]
fn a_failing_statements_print_leaves_no_file_under_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    // a statement body that fails after its first line
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join("reports")).unwrap();
    std::fs::write(
        home.join("reports/statement.rpt"),
        "+++\nname = \"Statement\"\nstart_on = \"statement\"\n+++\nStatement @st.nu\n@varX = @(1/0)\n",
    )
    .unwrap();
    let out = dir.path().join("printed");
    for format in ["pdf", "text"] {
        common::recoup_at(&db, "2024-08-01")
            .arg("--home")
            .arg(&home)
            .args([
                "statements",
                "print",
                "--from",
                "2024-07-01",
                "--to",
                "2024-07-31",
            ])
            .args(["--format", format, "--out"])
            .arg(&out)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("division by zero"));
        assert_eq!(names_in(&out), Vec::<String>::new(), "{format}");
    }
}

#[cfg(unix)]
#[test]
fn report_out_to_a_device_is_written_directly() {
    let dir = tempfile::tempdir().unwrap();
    let db = report_db(dir.path());
    let rpt = dir.path().join("one.rpt");
    std::fs::write(&rpt, "+++\nstart_on = \"debtor\"\n+++\n@de.na<\n").unwrap();
    common::recoup_at(&db, "2024-07-31")
        .args(["report", "run"])
        .arg(&rpt)
        .args(["--out", "/dev/null"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("/dev/null: 1 lines"));
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
    // --out /dev/stdout goes through the process's own standard output
    common::recoup_at(&db, "2024-07-31")
        .args(["report", "run"])
        .arg(&rpt)
        .args(["--out", "/dev/stdout"])
        .assert()
        .success()
        // The data alone on stdout; the summary on stderr, so a pipe carries data only.
        .stdout("Smith, John\n")
        .stderr(predicate::str::starts_with("/dev/stdout: 1 lines"));
}

/// Run recoup with its standard output on /dev/full.
#[cfg(target_os = "linux")]
fn to_dev_full(db: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("recoup"))
        .arg("--db")
        .arg(db)
        .args(["--today", "2024-08-01", "--quiet"])
        .args(args)
        .env_remove("RECOUP_DB")
        .env_remove("RECOUP_HOME")
        .env_remove("RECOUP_TODAY")
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_stdout_is_an_error_after_saying_what_was_committed() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_db(dir.path());
    let count = || -> i64 {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM trans", [], |r| r.get(0))
            .unwrap()
    };
    let before = count();
    let o = to_dev_full(
        &db,
        &[
            "post", "--debtor", "1000", "--type", "101", "--to-us", "10.00",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let id = before + 1;
    assert!(
        err.starts_with("committed: transaction ") && err.contains(" posted to debtor 1000\n"),
        "{err}"
    );
    assert!(
        err.ends_with("error: standard output: No space left on device (os error 28)\n"),
        "{err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("internal failure"),
        "{err}"
    );
    assert_eq!(count(), id, "posted once");
    // a command that commits nothing fails the same way, with nothing claimed
    let o = to_dev_full(&db, &["fields", "de"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "error: standard output: No space left on device (os error 28)\n"
    );
    // and so do the other writing commands
    let o = to_dev_full(
        &db,
        &["client-payment", "--client", "1002", "--amount", "1.00"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.starts_with("committed: client payment "), "{err}");
    let o = to_dev_full(
        &db,
        &[
            "statements",
            "generate",
            "--from",
            "2024-08-01",
            "--to",
            "2024-08-31",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("committed: 2 statement(s) for 2024-08-01 to 2024-08-31\n"),
        "{err}"
    );
    // Metro 2 report history, an arrangement and an interest accrual say so too.
    let out = dir.path().join("aug.txt");
    let o = to_dev_full(
        &db,
        &[
            "--json",
            "metro2",
            "generate",
            "--as-of",
            "2024-08-31",
            "--mark-done",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("committed: Metro 2 report history of 4 account(s) as of 2024-08-31\n")
            && err.ends_with("error: standard output: No space left on device (os error 28)\n"),
        "{err}"
    );
    let o = to_dev_full(
        &db,
        &[
            "arrangement",
            "add",
            "--debtor",
            "1001",
            "--amount",
            "100.00",
            "--every",
            "month",
            "--first",
            "2024-09-01",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("committed: arrangement for debtor 1001: "),
        "{err}"
    );
    let o = to_dev_full(&db, &["interest", "accrue", "--through", "2024-08-31"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("committed: interest through 2024-08-31: 1 posted\n"),
        "{err}"
    );
}
