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
