//! Statute of limitations end to end (docs/money.md): `[[statute]]` rules in setup, the
//! computed `de.tbd` through imports, postings, `show`, `--where`, `sol check` and
//! `metro2 generate`.

mod common;

use std::path::{Path, PathBuf};

use common::recoup_at;
use recoup::catalog::{self, Value};
use recoup::store::{self, Store};
use rusqlite::Connection;
use serde_json::Value as Json;

const SETUP: &str = r#"[company]
name = "Summit Recovery Services"
address = "100 Main St"
city = "Sacramento"
state = "CA"
zip = "95814"
phone = "916-555-0199"

[credit_bureau]
equifax_id = "EQ12345678"
experian_id = "EX123"
transunion_id = "TU12345678"
identification_number = "SUMMIT01"
auto_activate = true

[[client]]
number = 1
name = "Acme Bank N.A."
type = "12"
report_to_bureaus = true
send_client_detail = true

[[statute]]
state = "CA"
periods = 4
unit = "years"
judgment_periods = 10
judgment_unit = "years"
exclude_payment_date = false

[[statute]]
state = ""
periods = 6
unit = "years"
exclude_payment_date = true
"#;

/// Debtors: account, name, state, itemization date, judgment date.
const MAP: &str = r#"name = "placements with dates"
format = "csv"
first_line_labels = true

[dates]
order = "MDY"
separator = "/"
year_digits = 4

[options]
client = 1

[[record]]
type = "debtor"

  [[record.field]]
  field = "de.ac"
  source = "@A"
  key = true

  [[record.field]]
  field = "de.na"
  source = "@B"

  [[record.field]]
  field = "de.st"
  source = "@C"

  [[record.field]]
  field = "de.itd"
  source = "@D"

  [[record.field]]
  field = "de.jd"
  source = "@E"
"#;

// CA 4 years from itemization, 10 from a judgment; every other state 6 years, static.
// A-1 CA itemized 2020-03-15 → 2024-03-15
// A-2 CA itemized 2020-03-15, judgment 2022-05-01 → 2032-05-01
// A-3 NV itemized 2018-07-01 → 2024-07-01
// A-4 CA no itemization date → blank
const PLACEMENT: &str = "Account,Name,State,Itemized,Judgment
A-1,Doe Jane,CA,03/15/2020,
A-2,Roe Rick,CA,03/15/2020,05/01/2022
A-3,Poe Pat,NV,07/01/2018,
A-4,Loe Lee,CA,,
";

struct Fx {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    db: PathBuf,
}

fn fixture() -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    let db = d.join("r.db");
    std::fs::write(d.join("setup.toml"), SETUP).unwrap();
    std::fs::write(d.join("dates.toml"), MAP).unwrap();
    std::fs::write(d.join("placement.csv"), PLACEMENT).unwrap();
    recoup_at(&db, "2024-04-01")
        .arg("setup")
        .arg("apply")
        .arg(d.join("setup.toml"))
        .assert()
        .success();
    recoup_at(&db, "2024-04-01")
        .arg("import")
        .arg(d.join("dates.toml"))
        .arg(d.join("placement.csv"))
        .assert()
        .success();
    Fx {
        _dir: dir,
        dir: d,
        db,
    }
}

fn fi(fx: &Fx, acct: &str) -> i64 {
    let out = recoup_at(&fx.db, "2024-04-01")
        .args(["find", "--acct", acct])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

fn tbd(fx: &Fx, acct: &str) -> Json {
    let out = recoup_at(&fx.db, "2024-04-01")
        .args(["--json", "show", "debtor", &fi(fx, acct).to_string()])
        .output()
        .unwrap();
    let j: Json = serde_json::from_slice(&out.stdout).unwrap();
    j["de.tbd"].clone()
}

fn json(fx: &Fx, today: &str, args: &[&str]) -> Json {
    let out = recoup_at(&fx.db, today)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn imported_dates_give_each_debtor_its_time_barred_date() {
    let fx = fixture();
    assert_eq!(tbd(&fx, "A-1"), "2024-03-15");
    assert_eq!(tbd(&fx, "A-2"), "2032-05-01");
    assert_eq!(tbd(&fx, "A-3"), "2024-07-01");
    assert_eq!(tbd(&fx, "A-4"), Json::Null);
}

#[test]
fn payments_move_the_date_unless_the_rule_is_static_and_reversals_move_it_back() {
    let fx = fixture();
    let post = |acct: &str, amount: &str, date: &str| {
        recoup_at(&fx.db, date)
            .args([
                "post",
                "--debtor",
                &fi(&fx, acct).to_string(),
                "--type",
                "101",
            ])
            .args(["--to-us", amount, "--date", date])
            .assert()
            .success();
    };
    // CA: a payment on 2023-01-10 restarts the 4 years: 2027-01-10
    post("A-1", "50.00", "2023-01-10");
    assert_eq!(tbd(&fx, "A-1"), "2027-01-10");
    // its NSF reversal: the payment no longer counts
    post("A-1", "-50.00", "2023-01-20");
    assert_eq!(tbd(&fx, "A-1"), "2024-03-15");
    // NV falls under the blank rule, exclude_payment_date: static
    post("A-3", "50.00", "2023-01-10");
    assert_eq!(tbd(&fx, "A-3"), "2024-07-01");
}

#[test]
fn sol_check_lists_barred_and_soon_barred_accounts() {
    let fx = fixture();
    let j = json(&fx, "2024-04-01", &["sol", "check"]);
    assert_eq!(j["barred"], 1);
    assert_eq!(
        j["accounts"],
        serde_json::json!([{"file": fi(&fx, "A-1"), "tbd": "2024-03-15", "state": "CA", "barred": true}])
    );
    // 2024-04-01 + 91 days = 2024-07-01: A-3 is within, not yet barred
    let j = json(&fx, "2024-04-01", &["sol", "check", "--within", "91"]);
    let rows = j["accounts"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1]["file"], fi(&fx, "A-3"));
    assert_eq!(rows[1]["barred"], false);
    assert_eq!(
        json(&fx, "2024-04-01", &["sol", "check", "--within", "90"])["accounts"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // as of 2024-07-01 both are barred
    let j = json(
        &fx,
        "2024-04-01",
        &["sol", "check", "--as-of", "2024-07-01"],
    );
    assert_eq!(j["barred"], 2);
    // the text form, exit 0
    let out = recoup_at(&fx.db, "2024-04-01")
        .args(["sol", "check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 time-barred on 2024-04-01"));
}

#[test]
fn reports_and_where_read_the_time_barred_date() {
    let fx = fixture();
    let rpt = fx.dir.join("tbd.rpt");
    std::fs::write(&rpt, "+++\nstart_on = \"debtor\"\n+++\n@de.ac @de.tbd\n").unwrap();
    let out = recoup_at(&fx.db, "2024-04-01")
        .args(["report", "run"])
        .arg(&rpt)
        .args(["--where", "@de.tbd and @de.tbd <= 2024-12-31"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    assert_eq!(lines, ["A-1 03/15/2024", "A-3 07/01/2024"]);
    // time-barred today (2024-04-01): the date code @d
    let out = recoup_at(&fx.db, "2024-04-01")
        .args(["report", "run"])
        .arg(&rpt)
        .args(["--where", "@de.tbd and @de.tbd <= @d"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end(),
        "A-1 03/15/2024"
    );
}

#[test]
fn setup_show_prints_the_rules_back_and_they_apply_again() {
    let fx = fixture();
    let out = recoup_at(&fx.db, "2024-04-01")
        .args(["setup", "show"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.contains("[[statute]]\nstate = \"\"\nperiods = 6\nunit = \"years\"\nexclude_payment_date = true\n"),
        "{text}"
    );
    assert!(text.contains("[[statute]]\nstate = \"CA\"\nperiods = 4\nunit = \"years\"\njudgment_periods = 10\njudgment_unit = \"years\"\nexclude_payment_date = false\n"), "{text}");
    // applied to a fresh database, the printed setup gives the same rules back
    let again = fx.dir.join("again.toml");
    std::fs::write(&again, &text).unwrap();
    let db2 = fx.dir.join("two.db");
    recoup_at(&db2, "2024-04-01")
        .args(["setup", "apply"])
        .arg(&again)
        .assert()
        .success();
    let out = recoup_at(&db2, "2024-04-01")
        .args(["setup", "show"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), text);
}

#[test]
fn a_bad_unit_is_refused_with_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let setup = dir.path().join("setup.toml");
    // line 4, column 8: the value of `unit`
    std::fs::write(
        &setup,
        "[[statute]]\nstate = \"CA\"\nperiods = 4\nunit = \"fortnights\"\n",
    )
    .unwrap();
    let out = recoup_at(&dir.path().join("r.db"), "2024-04-01")
        .args(["setup", "apply"])
        .arg(&setup)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("setup.toml:4:8:"), "{err}");
    assert!(err.contains("fortnights"), "{err}");
    // a second rule for the same state
    std::fs::write(
        &setup,
        "[[statute]]\nstate = \"CA\"\nperiods = 4\nunit = \"years\"\n\n[[statute]]\nstate = \"ca\"\nperiods = 3\nunit = \"years\"\n",
    )
    .unwrap();
    let out = recoup_at(&dir.path().join("r.db"), "2024-04-01")
        .args(["setup", "apply"])
        .arg(&setup)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("setup.toml:7:9: a second [[statute]] rule for state 'ca'"),
        "{err}"
    );
}

/// A reportable debtor (full identity, delinquency date, principal) of client 1.
fn reportable(db: &Path, itd: &str) -> i64 {
    let store = Store::open(db).unwrap();
    let conn = store.conn();
    let d = |s: &str| Value::Date(common::day(s));
    let t = |s: &str| Value::Text(s.into());
    let values: Vec<(&'static catalog::FieldDef, Value)> = [
        ("de.na", t("Doe, Jane Q")),
        ("de.ad", t("12 Elm St")),
        ("de.ci", t("Sacramento")),
        ("de.st", t("CA")),
        ("de.zi", t("95814")),
        ("de.ss", t("123-45-6789")),
        ("de.dob", d("1980-04-12")),
        ("de.dq", d("2019-01-15")),
        ("de.itd", d(itd)),
    ]
    .into_iter()
    .map(|(c, v)| (catalog::by_code(c).unwrap(), v))
    .collect();
    let fi = store::create_debtor(conn, 1, &values, common::day("2024-01-10"), false).unwrap();
    common::place_principal(conn, fi, 90_000, common::day("2024-01-10"));
    recoup::sol::refresh_debtor(conn, fi).unwrap();
    fi
}

fn generate(fx: &Fx, extra_setup: Option<&str>) -> (Json, String, Connection) {
    if let Some(s) = extra_setup {
        let p = fx.dir.join("extra.toml");
        std::fs::write(&p, s).unwrap();
        recoup_at(&fx.db, "2024-07-31")
            .args(["setup", "apply"])
            .arg(&p)
            .assert()
            .success();
    }
    let out = recoup_at(&fx.db, "2024-07-31")
        .env("RECOUP_TIME", "09:30:00")
        .args(["--json", "metro2", "generate", "--out"])
        .arg(fx.dir.join("m2.txt"))
        .args(["--as-of", "2024-07-31"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).to_string(),
        Connection::open(&fx.db).unwrap(),
    )
}

#[test]
fn metro2_generate_warns_for_time_barred_accounts_or_leaves_them_out() {
    let fx = fixture();
    // the imported debtors lack what Metro 2 needs; only these two are reported
    Connection::open(&fx.db)
        .unwrap()
        .execute("UPDATE debtor SET cbr = 0", [])
        .unwrap();
    let barred = reportable(&fx.db, "2019-06-01"); // CA: 2023-06-01
    let fresh = reportable(&fx.db, "2023-06-01"); // CA: 2027-06-01
    let (j, stderr, _) = generate(&fx, None);
    assert_eq!(j["reported"], 2);
    assert_eq!(j["time_barred"], 1);
    assert!(
        stderr.contains(&format!(
            "warning: file {barred}: reported though time-barred since 2023-06-01"
        )),
        "{stderr}"
    );
    assert!(
        !stderr.contains(&format!("warning: file {fresh}:")),
        "{stderr}"
    );
    // [time_barred] metro2 = "exclude" leaves it out, counted with the exclusions
    let (j, stderr, _) = generate(&fx, Some("[time_barred]\nmetro2 = \"exclude\"\n"));
    assert_eq!(j["reported"], 1);
    assert_eq!(j["excluded"]["time_barred"], 1);
    // Exclusions are one line per reason (docs/metro2.md).
    assert!(
        stderr.contains(&format!(
            "warning: 1 account(s) not reported (time_barred): files {barred}; file {barred}: time-barred since 2023-06-01"
        )),
        "{stderr}"
    );
}

#[test]
fn a_plan_tests_the_time_barred_date_against_today() {
    let fx = fixture();
    std::fs::create_dir_all(fx.dir.join("plans")).unwrap();
    // A note on accounts already time-barred on the day the plan counts from.
    std::fs::write(
        fx.dir.join("plans/SOL.toml"),
        "code = \"SOL\"\n\n[[event]]\ntype = \"note\"\ndescription = \"Time-barred: no legal action\"\nschedule = \"immediately\"\nschedule_if = { field = \"de.tbd\", op = \"<=\", value = \"today\" }\n",
    )
    .unwrap();
    let noted = |start: &str| -> Vec<String> {
        recoup_at(&fx.db, "2024-04-01")
            .arg("--home")
            .arg(&fx.dir)
            .args(["plan", "run", "SOL", "--start-date", start])
            .assert()
            .success();
        let conn = Connection::open(&fx.db).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT d.ac FROM note n JOIN debtor d ON d.fi = n.fi
                 WHERE n.te LIKE '%Time-barred%' ORDER BY d.ac",
            )
            .unwrap();
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        conn.execute("DELETE FROM note WHERE te LIKE '%Time-barred%'", [])
            .unwrap();
        rows
    };
    // A-1 is time-barred from 2024-03-15, A-3 from 2024-07-01.
    assert_eq!(noted("2024-04-01"), ["A-1"]);
    assert_eq!(noted("2024-07-01"), ["A-1", "A-3"]);
}
