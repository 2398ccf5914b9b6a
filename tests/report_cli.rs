//! `recoup report run` / `recoup report check` end to end on a small database.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn recoup(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("recoup").expect("binary");
    c.current_dir(dir)
        .env_remove("RECOUP_DB")
        .env_remove("RECOUP_HOME")
        .env_remove("RECOUP_TODAY")
        .env("RECOUP_TIME", "09:30:00")
        .args(["--db", "r.db", "--today", "2024-07-31", "--quiet"]);
    c
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = recoup::store::Store::open(&dir.path().join("r.db")).expect("db");
    store
        .conn()
        .execute_batch(
            "INSERT INTO client (nu, na) VALUES (1001, 'Acme Bank');
             INSERT INTO client (nu, na) VALUES (1002, 'Beta Credit');
             INSERT INTO debtor (fi, cn, na, ow, pr, st, hp, mo) VALUES (1, 1001, 'Smith, John', 1462050, 1500000, 'CA', '916-555-0101', 'A');
             INSERT INTO debtor (fi, cn, na, ow, pr, st, hp, mo) VALUES (2, 1001, 'Adams, Mary', 0, 50000, 'OR', '', 'A');
             INSERT INTO debtor (fi, cn, na, ow, pr, st, hp, mo) VALUES (3, 1002, 'Young, Bob', 25025, 25025, 'CA', '916-555-0103', 'A');
             INSERT INTO note (cn, te, dt) VALUES (1001, 'Prefers email', '2024-07-01');
             INSERT INTO note (cn, te, dt) VALUES (1001, 'Said \"no calls\"', '2024-07-02');
             INSERT INTO contact_control (type, max_times, period_days) VALUES ('phone', 1, 7);
             INSERT INTO contact (fi, ty, done, dd) VALUES (3, 'Phone', 1, '2024-07-30');",
        )
        .expect("data");
    std::fs::create_dir(dir.path().join("reports")).expect("mkdir");
    for f in
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("reports")).expect("reports")
    {
        let f = f.expect("entry").path();
        std::fs::copy(
            &f,
            dir.path()
                .join("reports")
                .join(f.file_name().expect("name")),
        )
        .expect("copy");
    }
    dir
}

#[test]
fn shipped_reports_check_clean() {
    let dir = setup();
    for f in std::fs::read_dir(dir.path().join("reports")).expect("dir") {
        let name = f.expect("entry").path();
        let stem = name
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        recoup(dir.path())
            .args(["report", "check", &stem])
            .assert()
            .success()
            .stdout(predicate::str::contains("ok (0 warning(s))"));
    }
}

#[test]
fn listing_by_client_with_totals() {
    let dir = setup();
    let out = recoup(dir.path())
        .args(["report", "run", "debtor-listing", "--client", "1001"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Acme Bank (client 1001)");
    assert!(lines[2].starts_with("       2 Adams, Mary"), "{text}");
    assert!(
        lines[3].starts_with("       1 Smith, John") && lines[3].ends_with("  $14,620.50"),
        "{text}"
    );
    assert!(
        lines[4].trim_start().starts_with("$15,500.00") && lines[4].ends_with("  $14,620.50"),
        "{text}"
    );
    assert!(!text.contains("Young"));
}

#[test]
fn client_notes_csv_and_dialer_list() {
    let dir = setup();
    recoup(dir.path())
        .args([
            "report",
            "run",
            "export-client-notes",
            "--out",
            "clientnotes.csv",
        ])
        .assert()
        .success();
    let csv = std::fs::read_to_string(dir.path().join("clientnotes.csv")).expect("csv");
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[1][0], "1001");
    assert_eq!(&rows[0][1], "07/01/2024"); // the client-notes map reads MDY
    assert_eq!(&rows[0][3], "Prefers email");
    assert_eq!(&rows[1][3], "Said \"no calls\"");
    recoup(dir.path())
        .args(["report", "run", "dialer-call-list"])
        .assert()
        .success()
        // debtor 3 was called yesterday (1 per 7 days); debtor 2 has no phone
        .stdout("file,name,phone,state,owing\n1,\"Smith, John\",916-555-0101,CA,14620.50\n");
}

#[test]
fn check_reports_every_error_with_position() {
    let dir = setup();
    std::fs::write(
        dir.path().join("bad.rpt"),
        "+++\nname = \"Bad\"\n+++\n@de\nName @de.zz and @de.ow<1x>\n@if (@de.ow > 1)\n@de\nmail@example.com\n",
    )
    .expect("write");
    recoup(dir.path())
        .args(["report", "check", "bad.rpt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: bad.rpt:5:6: unknown field code 'de.zz'",
        ))
        .stderr(predicate::str::contains(
            "error: bad.rpt:5:23: bad modifier '<1x>'",
        ))
        .stderr(predicate::str::contains(
            "error: bad.rpt:7:1: '@if' opened at 6:1 is not closed before '@de' closes",
        ))
        .stderr(predicate::str::contains(
            "warning: bad.rpt:8:5: unknown code '@example' is printed as text",
        ));
    recoup(dir.path())
        .args(["report", "run", "bad.rpt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.rpt:5:6: unknown field code 'de.zz'",
        ));
    recoup(dir.path())
        .args(["report", "run", "nosuch"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "reports/nosuch.rpt: no such report",
        ));
}

#[test]
fn runtime_error_is_a_message_not_a_panic() {
    let dir = setup();
    std::fs::write(dir.path().join("div.rpt"), "@de\n@varX = @(de.ow/0)\n@de\n").expect("write");
    recoup(dir.path())
        .args(["report", "run", "div.rpt"])
        .assert()
        .code(1)
        .stderr("error: div.rpt:2:1: division by zero\n");
}

#[test]
fn where_var_and_pdf() {
    let dir = setup();
    std::fs::write(
        dir.path().join("w.rpt"),
        "+++\nstart_on = \"debtor\"\n+++\n@varGreeting @de.na< @de.ow<\n",
    )
    .expect("write");
    recoup(dir.path())
        .args([
            "report",
            "run",
            "w.rpt",
            "--where",
            "@de.st = CA and @de.ow > 1000",
            "--var",
            "Greeting=Hello",
        ])
        .assert()
        .success()
        .stdout("Hello Smith, John $14,620.50\n");
    recoup(dir.path())
        .args(["report", "run", "debtor-listing", "--out", "l.pdf"])
        .assert()
        .success()
        .stdout(predicate::str::contains("l.pdf:").and(predicate::str::contains("page(s)")));
    let pdf = dir.path().join("l.pdf");
    assert!(std::fs::read(&pdf).expect("pdf").starts_with(b"%PDF"));
    match std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
    {
        Ok(o) => {
            let t = String::from_utf8_lossy(&o.stdout);
            assert!(t.contains("Beta Credit") && t.contains("$14,620.50"), "{t}");
        }
        Err(_) => eprintln!("pdftotext not installed: skipping the PDF text check"),
    }
}

#[test]
fn deep_nesting_is_exit_2_naming_line_and_column_not_a_crash() {
    let dir = setup();
    let deep = "(".repeat(5000) + "@de.ow > 1" + &")".repeat(5000);
    std::fs::write(
        dir.path().join("deep.rpt"),
        format!("@de\n@if {deep}\n@de.na\n@endif\n@de\n"),
    )
    .expect("write");
    // The 257th '(' opens at column 5 + 256.
    recoup(dir.path())
        .args(["report", "check", "deep.rpt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: deep.rpt:2:261: nested more than 256 levels deep",
        ));
    let minus = "-".repeat(5000);
    let plus = "1+".repeat(100_000);
    std::fs::write(
        dir.path().join("expr.rpt"),
        format!("@de\n@varA = @({minus}1)\n@varB = @({plus}1)\n@de\n"),
    )
    .expect("write");
    recoup(dir.path())
        .args(["report", "check", "expr.rpt"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("expr.rpt:2:").and(predicate::str::contains("expr.rpt:3:")),
        )
        .stderr(predicate::str::contains("nested more than 256 levels deep"));
    recoup(dir.path())
        .args(["report", "run", "deep.rpt"])
        .assert()
        .code(2);
    // --where: the same bound, naming the column.
    std::fs::write(
        dir.path().join("w.rpt"),
        "+++\nstart_on = \"debtor\"\n+++\n@de.na\n",
    )
    .expect("write");
    recoup(dir.path())
        .args(["report", "run", "w.rpt", "--where", &deep])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "column 257: nested more than 256 levels deep",
        ));
    // Within the bound, deep nesting still works.
    let ok = "(".repeat(200) + "@de.ow > 10000" + &")".repeat(200);
    recoup(dir.path())
        .args(["report", "run", "w.rpt", "--where", &ok])
        .assert()
        .success()
        .stdout("Smith, John\n");
}

#[test]
fn sql_that_never_ends_stops_at_its_budget_with_exit_3() {
    let dir = setup();
    std::fs::write(
        dir.path().join("endless.rpt"),
        "@de\n@varN = @SQL(WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r)\n@de\n",
    )
    .expect("write");
    let started = std::time::Instant::now();
    recoup(dir.path())
        .env("RECOUP_SQL_BUDGET", "0.5")
        .args(["report", "run", "endless.rpt"])
        .timeout(std::time::Duration::from_secs(30))
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "endless.rpt:2:1: @SQL: the query ran longer than its budget of 0.5 s",
        ));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    recoup(dir.path())
        .env("RECOUP_SQL_BUDGET", "later")
        .args(["report", "run", "endless.rpt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("RECOUP_SQL_BUDGET 'later'"));
}

#[test]
fn check_refuses_a_write_in_sql_at_its_column() {
    let dir = setup();
    std::fs::write(
        dir.path().join("write.rpt"),
        "@varN = @SQL(select 1)\n@varM = @SQL( WITH x AS (SELECT 1) DELETE FROM debtor)\n",
    )
    .expect("write");
    recoup(dir.path())
        .args(["report", "check", "write.rpt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: write.rpt:2:36: @SQL: 'DELETE' writes to the database; @SQL only reads",
        ))
        .stderr(predicate::str::contains("write.rpt:1:").not());
    let debtors = || -> i64 {
        rusqlite::Connection::open(dir.path().join("r.db"))
            .expect("db")
            .query_row("SELECT COUNT(*) FROM debtor", [], |r| r.get(0))
            .expect("count")
    };
    recoup(dir.path())
        .args(["report", "run", "write.rpt"])
        .assert()
        .code(2);
    assert_eq!(debtors(), 3);
}
