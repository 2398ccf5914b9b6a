//! Letters: the letter-service file (Ontario and CSV, line by line), NCOA segments,
//! skips and retries, cosigners, in-house printing and NCOA import (docs/plans-and-letters.md).

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use recoup::catalog::{by_code, Value};
use recoup::store::{self, Store};

const NCOA_LETTER: &str = "+++\nname = \"Notice\"\nstart_on = \"debtor\"\nletter_number = \"2000\"\nncoa = true\n+++\n@de.fi<\n@de.tr no total\n@tr.ty< @tr.tu<\n@de.tr\nBalance @de.ow\n";
const PLAIN_LETTER: &str = "+++\nname = \"Reminder\"\nstart_on = \"debtor\"\nletter_number = \"3000\"\n+++\n\"@de.na<\",\"@de.ac<\"\n";
const IN_HOUSE: &str =
    "+++\nname = \"Dunning\"\nstart_on = \"debtor\"\n+++\nDear @de.na<,\nYou owe @de.ow.\n";

struct Fx {
    dir: tempfile::TempDir,
    db: PathBuf,
}

use common::day;

/// A debtor: name, address OK, mode, its due letter, cosigners (name, class, address OK).
type Account<'a> = (
    &'a str,
    bool,
    &'a str,
    &'a str,
    &'a [(&'a str, &'a str, bool)],
);

/// Debtors 1.. with one due letter each.
fn fixture(accounts: &[Account]) -> Fx {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("reports")).unwrap();
    for (f, t) in [
        ("notice", NCOA_LETTER),
        ("reminder", PLAIN_LETTER),
        ("dunning", IN_HOUSE),
    ] {
        std::fs::write(dir.path().join(format!("reports/{f}.rpt")), t).unwrap();
    }
    let db = dir.path().join("t.db");
    let mut store = Store::open(&db).unwrap();
    recoup::setup::apply_str(
        store.conn_mut(),
        Path::new("s.toml"),
        "[company]\nname = \"Summit\"\naddress = \"100 Main St\"\ncity = \"Sacramento\"\nstate = \"CA\"\nzip = \"95814\"\nfirst_file_number = 1\n\
         [letter_service]\nformat = \"ontario\"\nrestrict_to_cosigners = true\n\
         [[contact_control]]\ntype = \"letter\"\nmax_times = 1\nperiod_days = 7\n\
         [[client]]\nnumber = 1\nname = \"Acme\"\nrate = \"30\"\n",
    )
    .unwrap();
    let f = |c: &str| by_code(c).unwrap();
    for (i, (name, ok, mode, letter, cos)) in accounts.iter().enumerate() {
        let fi = store::create_debtor(
            store.conn(),
            1,
            &[
                (f("de.na"), Value::Text(name.to_string())),
                (f("de.ac"), Value::Text(format!("A{}", i + 1))),
                (f("de.ad"), Value::Text(format!("{} Elm St", i + 1))),
                (f("de.ci"), Value::Text("Fresno".into())),
                (f("de.st"), Value::Text("CA".into())),
                (f("de.zi"), Value::Text("93721".into())),
                (f("de.ok"), Value::Flag(*ok)),
                (f("de.mo"), Value::Text(mode.to_string())),
            ],
            day("2024-07-01"),
            true,
        )
        .unwrap();
        common::place_principal(store.conn(), fi, 10000, day("2024-07-01"));
        store.conn().execute("INSERT INTO contact (fi, ty, de, du, done, st) VALUES (?1, 'Letter', ?2, '2024-07-10', 0, 'In Progress')", rusqlite::params![fi, letter]).unwrap();
        for (cname, class, cok) in cos.iter() {
            store
                .conn()
                .execute(
                    "INSERT INTO cosigner (fi, cl, na, ad, ci, st, zi, ok, sm) VALUES (?1, ?2, ?3, '9 Oak Rd', 'Davis', 'CA', '95616', ?4, 0)",
                    rusqlite::params![fi, class, cname, cok],
                )
                .unwrap();
        }
    }
    Fx { dir, db }
}

impl Fx {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        let mut c = Command::cargo_bin("recoup").unwrap();
        c.arg("--db")
            .arg(&self.db)
            .arg("--home")
            .arg(self.dir.path())
            .args(["--today", "2024-07-12", "--quiet"])
            .args(args);
        c.env("RECOUP_TIME", "09:00:00");
        c.output().unwrap()
    }
    fn service(&self, extra: &[&str]) -> (String, serde_json::Value) {
        let out = self.dir.path().join("ls.txt");
        let mut args = vec![
            "--json",
            "letters",
            "service",
            "--from",
            "2024-07-01",
            "--to",
            "2024-07-31",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = self.cmd(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (
            std::fs::read_to_string(out).unwrap(),
            serde_json::from_slice(&o.stdout).unwrap(),
        )
    }
    fn contacts(&self) -> Vec<(i64, bool, String, Option<String>)> {
        let c = rusqlite::Connection::open(&self.db).unwrap();
        let mut s = c
            .prepare("SELECT fi, done, st, at FROM contact WHERE ty = 'Letter' ORDER BY fi")
            .unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(|x| x.unwrap())
            .collect()
    }
}

#[test]
fn ontario_file_line_by_line() {
    let fx = fixture(&[
        ("Able, Ann", true, "A", "Notice", &[]),
        ("Baker, Bob", false, "A", "Notice", &[]),
    ]);
    let (text, j) = fx.service(&[]);
    let expected = [
        "Summit",
        "100 Main St",
        "Sacramento CA 95814",
        "/def/",
        "*** End Of Header ***",
        "",
        "2000,",
        "Able, Ann,",
        "1 Elm St,",
        ",",
        "Fresno CA 93721,",
        "1,",
        "{196 -$100.00\r\n},",
        "Balance $100.00",
        "",
        "#K#02^D2^,",
        "2000,",
        "Baker, Bob,",
        "2 Elm St,",
        ",",
        "Fresno CA 93721,",
        "2,",
        "{196 -$100.00\r\n},",
        "Balance $100.00",
        "",
        "0002 X - end",
        "",
    ];
    assert_eq!(text, expected.join("\r\n"));
    assert_eq!(j["letters"]["2000"], 2);
    // without --mark-done nothing changed
    assert!(fx.contacts().iter().all(|c| !c.1));
    // with --k03 the good address gets its segment too
    let (text, _) = fx.service(&["--k03"]);
    assert!(
        text.contains("\r\n\r\n#K#03^D1^,\r\n2000,\r\nAble, Ann,"),
        "{text}"
    );
}

#[test]
fn csv_file_line_by_line() {
    let fx = fixture(&[
        ("Able, Ann", true, "A", "Reminder", &[]),
        ("Baker, Bob", false, "A", "Notice", &[]),
    ]);
    let (text, j) = fx.service(&["--format", "csv", "--print-unverified", "--k03"]);
    // each body line is one column; the Reminder's line `"@de.na<","@de.ac<"` writes its
    // own quotes, so it is one value holding quotes and a comma, quoted by the csv crate
    assert_eq!(
        text,
        "D2,COA,2000,2,196 -$100.00,Balance $100.00\r\nD1,OK,3000,\"\"\"Able, Ann\"\",\"\"A1\"\"\"\r\n"
    );
    assert_eq!(j["warnings"], 1, "--k03 does not apply to CSV");
}

/// Read a letter-service CSV back with the csv crate, row by row, field by field.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn csv_values_with_commas_quotes_and_loops_read_back_field_by_field() {
    let fx = fixture(&[
        ("Smith, Jr., John", true, "A", "Statement", &[]),
        ("O\"Neil, Pat", true, "A", "Statement", &[]),
    ]);
    // one item per line, as the shipped letter-service letter; a loop of two lines
    std::fs::write(
        fx.dir.path().join("reports/statement.rpt"),
        "+++\nname = \"Statement\"\nstart_on = \"debtor\"\nletter_number = \"4000\"\n+++\n@de.na<\n@de.tr no total\n@tr.ty< @tr.tu<\n@de.tr\n@de.ow\n",
    )
    .unwrap();
    let conn = rusqlite::Connection::open(&fx.db).unwrap();
    // a second principal line for debtor 1 (the loop has two lines) and $15,075.00 owing
    common::place_principal(&conn, 1, 1_497_500, common::day("2024-07-02"));
    drop(conn);
    let (text, j) = fx.service(&["--format", "csv"]);
    assert_eq!(j["letters"]["4000"], 2);
    let rows = read_csv(&text);
    assert_eq!(
        rows,
        vec![
            vec![
                "D1",
                "OK",
                "4000",
                "Smith, Jr., John",
                "196 -$100.00\r\n196 -$14,975.00",
                "$15,075.00"
            ],
            vec![
                "D2",
                "OK",
                "4000",
                "O\"Neil, Pat",
                "196 -$100.00",
                "$100.00"
            ],
        ]
    );
    assert!(
        text.ends_with("\"$15,075.00\"\r\nD2,OK,4000,\"O\"\"Neil, Pat\",196 -$100.00,$100.00\r\n"),
        "{text}"
    );
}

#[test]
fn in_house_letters_skip_addresses_not_ok() {
    let fx = fixture(&[
        ("Able, Ann", true, "A", "Dunning", &[]),
        ("Baker, Bob", false, "A", "Dunning", &[]),
    ]);
    let txt = fx.dir.path().join("letters.txt");
    let o = fx.cmd(&[
        "--json",
        "letters",
        "print",
        "--from",
        "2024-07-01",
        "--to",
        "2024-07-31",
        "--mark-done",
        "--out",
        txt.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["printed"]["Dunning"], 1);
    assert_eq!(j["skipped"]["address not OK"], 1);
    let text = std::fs::read_to_string(&txt).unwrap();
    assert!(
        text.contains("Dear Able, Ann,") && !text.contains("Baker"),
        "{text}"
    );
    // the skipped letter stays due for the next run, once the address is fixed
    let c = fx.contacts();
    assert!(c[0].1 && !c[1].1, "{c:?}");
}

#[test]
fn unverified_addresses_are_skipped_and_retried_for_that_person_only() {
    let fx = fixture(&[
        (
            "Able, Ann",
            false,
            "A",
            "Reminder",
            &[
                ("Cole, Cy", "Cosigner", true),
                ("Boss Inc", "Employer", true),
            ],
        ),
        ("Dunn, Di", true, "C", "Reminder", &[]),
        (
            "Eve, Em",
            true,
            "A",
            "Reminder",
            &[("Fox, Fay", "Cosigner", false)],
        ),
    ]);
    let (text, j) = fx.service(&["--cosigners", "--mark-done"]);
    // debtor 1 skipped (address not OK, no NCOA); its cosigner written; the employer never
    // (restrict to cosigners); debtor 2 closed; debtor 3 written, its cosigner skipped
    let ids: Vec<&str> = text.lines().filter(|l| l.starts_with("3000")).collect();
    assert_eq!(ids.len(), 2, "{text}");
    assert!(text.contains("Cole, Cy,") && text.contains("Eve, Em,") && !text.contains("Boss Inc"));
    assert_eq!(j["debtors_skipped"]["address not OK"], 1);
    assert_eq!(j["debtors_skipped"]["closed account"], 1);
    assert_eq!(j["cosigners_skipped"]["address not OK"], 1);
    let c = fx.contacts();
    assert_eq!(
        c[0],
        (1, false, "In Progress".into(), Some("0".into())),
        "debtor skipped"
    );
    assert!(!c[1].1, "closed: left alone");
    assert_eq!(
        c[2],
        (3, false, "In Progress".into(), Some("1".into())),
        "cosigner skipped"
    );
    // the addresses are fixed; the next run (dates later, the skip indicator selects the
    // contacts) writes only to the people skipped
    let conn = rusqlite::Connection::open(&fx.db).unwrap();
    conn.execute("UPDATE debtor SET ok = 1 WHERE fi = 1", [])
        .unwrap();
    conn.execute("UPDATE cosigner SET ok = 1 WHERE fi = 3", [])
        .unwrap();
    conn.execute("DELETE FROM contact_control", []).unwrap();
    let out = fx.dir.path().join("ls2.txt");
    let o = fx.cmd(&[
        "letters",
        "service",
        "--from",
        "2024-08-01",
        "--to",
        "2024-08-31",
        "--cosigners",
        "--mark-done",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let text = std::fs::read_to_string(out).unwrap();
    // name lines of the address blocks: only the two people skipped last time
    let names: Vec<&str> = text
        .split("\r\n")
        .filter(|l| l.ends_with(',') && l.contains(", ") && !l.starts_with('"'))
        .collect();
    assert_eq!(
        names,
        vec!["Able, Ann,", "Fox, Fay,"],
        "never twice to the same person: {text}"
    );
    assert!(text.ends_with("0002 X - end\r\n"));
    let c = fx.contacts();
    assert!(c[0].1 && c[2].1, "completed now");
}

#[test]
fn contact_controls_count_letters_of_the_same_run() {
    let fx = fixture(&[("Able, Ann", true, "A", "Reminder", &[])]);
    let conn = rusqlite::Connection::open(&fx.db).unwrap();
    // a second due letter for the same debtor: the control allows one a week
    conn.execute("INSERT INTO contact (fi, ty, de, du, done) VALUES (1, 'Letter', 'Notice', '2024-07-11', 0)", []).unwrap();
    let (text, j) = fx.service(&["--mark-done"]);
    assert_eq!(j["total"], 1, "{text}");
    assert_eq!(j["debtors_skipped"]["contact controls"], 1);
    // and a letter completed 3 days ago blocks the next run
    let (_, j) = fx.service(&[]);
    assert_eq!(j["total"], 0);
}

#[test]
fn in_house_letters_print_to_pdf() {
    let fx = fixture(&[
        ("Able, Ann", true, "A", "Dunning", &[]),
        ("Baker, Bob", true, "A", "Dunning", &[]),
        ("Cole, Cy", true, "C", "Dunning", &[]),
    ]);
    let pdf = fx.dir.path().join("letters.pdf");
    let o = fx.cmd(&[
        "--json",
        "letters",
        "print",
        "--from",
        "2024-07-01",
        "--to",
        "2024-07-31",
        "--mark-done",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["printed"]["Dunning"], 2);
    assert_eq!(j["skipped"]["closed account"], 1);
    if let Ok(out) = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
    {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Dear Able, Ann,") && text.contains("Dear Baker, Bob,"),
            "{text}"
        );
        assert_eq!(text.matches('\u{c}').count(), 2, "one page per letter");
    }
    let c = fx.contacts();
    assert!(c[0].1 && c[1].1 && !c[2].1);
}

#[test]
fn ncoa_import_updates_addresses_with_a_note() {
    let fx = fixture(&[(
        "Able, Ann",
        false,
        "A",
        "Notice",
        &[("Cole, Cy", "Cosigner", false)],
    )]);
    let file = fx.dir.path().join("back.coa");
    std::fs::write(&file, "id,address,address1,city,state,zip\r\nD1,77 New Rd,Apt 4,Reno,NV,89501\r\nC1,5 Side St,,Elko,NV,89801\r\nX9,bad,,,,\r\nD99,1 Nowhere,,A,B,1\r\n").unwrap();
    let o = fx.cmd(&["--json", "ncoa", "import", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (
            j["debtors_updated"].as_u64(),
            j["cosigners_updated"].as_u64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(j["rejected"][0]["line"], 4);
    assert_eq!(j["skipped"]["unknown file number"], 1);
    let conn = rusqlite::Connection::open(&fx.db).unwrap();
    let (ad, a1, ci, ok): (String, String, String, bool) = conn
        .query_row("SELECT ad, a1, ci, ok FROM debtor WHERE fi = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap();
    assert_eq!(
        (ad.as_str(), a1.as_str(), ci.as_str(), ok),
        ("77 New Rd", "Apt 4", "Reno", true)
    );
    let note: String = conn
        .query_row(
            "SELECT te FROM note WHERE fi = 1 ORDER BY id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        note.starts_with("07/12/2024 09:00")
            && note.contains("NCOA: debtor address changed to 77 New Rd"),
        "{note}"
    );
    let cok: bool = conn
        .query_row("SELECT ok FROM cosigner WHERE fi = 1", [], |r| r.get(0))
        .unwrap();
    assert!(cok);
}
