//! Payment arrangements and promises end to end (docs/money.md): `arrangement add`, payments
//! by `post` keeping promises, `promises` listing and `--sweep`, report codes.

mod common;

use std::path::{Path, PathBuf};

use common::{day, place_principal, recoup_at};
use rusqlite::Connection;
use serde_json::Value;

struct Fx {
    _dir: tempfile::TempDir,
    db: PathBuf,
    home: PathBuf,
}

const SETUP: &str = r#"
[company]
name = "Summit Recovery Services"

[[client]]
number = 1
name = "Acme"
rate = "0"

[promises]
grace_days = 10
late_fee = "15.00"
broken_plan = "BRK"
"#;

/// A database with client 1 and debtor 1 owing 1,250.00 (placed 2024-07-01).
fn fixture(principal_cents: i64) -> Fx {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let home = dir.path().to_path_buf();
    std::fs::write(home.join("setup.toml"), SETUP).unwrap();
    std::fs::create_dir_all(home.join("plans")).unwrap();
    std::fs::write(
        home.join("plans/BRK.toml"),
        "code = \"BRK\"\ndescription = \"Broken promise\"\n[[event]]\ntype = \"status\"\ndescription = \"BRK\"\nschedule = \"immediately\"\n",
    )
    .unwrap();
    recoup_at(&db, "2024-07-20")
        .arg("setup")
        .arg("apply")
        .arg(home.join("setup.toml"))
        .assert()
        .success();
    let conn = Connection::open(&db).unwrap();
    conn.execute(
        "INSERT INTO debtor (fi, cn, na, st) VALUES (1, 1, 'Doe, Jane', 'CA')",
        [],
    )
    .unwrap();
    place_principal(&conn, 1, principal_cents, day("2024-07-01"));
    Fx {
        _dir: dir,
        db,
        home,
    }
}

fn run(fx: &Fx, today: &str, args: &[&str]) -> std::process::Output {
    let mut c = recoup_at(&fx.db, today);
    c.arg("--home").arg(&fx.home).args(args);
    c.output().unwrap()
}

fn json_ok(fx: &Fx, today: &str, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run(fx, today, &all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn show(fx: &Fx) -> Value {
    json_ok(fx, "2024-07-20", &["show", "debtor", "1"])
}

fn trans(db: &Path) -> Vec<(String, i64)> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT ty, tu FROM trans WHERE ty <> '196' ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect()
}

fn promises(db: &Path) -> Vec<(String, i64, i64, bool, String)> {
    let conn = Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT du, am, COALESCE(pa, 0), done, st FROM contact WHERE ty = 'Promise' ORDER BY du, id")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .map(|r| r.unwrap())
    .collect()
}

#[test]
fn an_arrangement_posts_down_payment_charge_and_discount_and_schedules_the_balance() {
    let fx = fixture(125_000);
    // 1,250.00 − 250.00 down + 25.00 service charge − 50.00 discount = 975.00 owing;
    // 100.00 a month from 2024-08-01: 9 × 100.00 + 75.00, the last on 2025-05-01.
    let j = json_ok(
        &fx,
        "2024-07-20",
        &[
            "arrangement",
            "add",
            "--debtor",
            "1",
            "--amount",
            "100.00",
            "--every",
            "month",
            "--first",
            "2024-08-01",
            "--until-paid",
            "--down",
            "250.00",
            "--service-charge",
            "25.00",
            "--discount",
            "50.00",
        ],
    );
    assert_eq!(j["owing"], "975.00");
    let p = j["promises"].as_array().unwrap();
    assert_eq!(p.len(), 10);
    assert_eq!(p[0]["due"], "2024-08-01");
    assert_eq!(p[0]["amount"], "100.00");
    assert_eq!(p[9]["due"], "2025-05-01");
    assert_eq!(p[9]["amount"], "75.00");
    // 150 positive (a payment), 350 negative (a fee), 193 positive (an adjustment)
    assert_eq!(
        trans(&fx.db),
        vec![
            ("150".to_string(), 25_000),
            ("350".to_string(), -2_500),
            ("193".to_string(), 5_000)
        ]
    );
    let d = show(&fx);
    assert_eq!(d["de.ow"], "975.00");
    assert_eq!(d["de.fe"], "25.00");
    assert_eq!(d["de.aj"], "-50.00");
    assert_eq!(d["de.pa"], "250.00");
    assert_eq!(d["de.arr"], "100.00");
    assert_eq!(d["de.npd"], "2024-08-01");
}

#[test]
fn a_count_makes_the_last_promise_take_the_rest() {
    let fx = fixture(60_000);
    // 600.00 in 4 weekly promises of 100.00: 3 × 100.00 + 300.00
    let j = json_ok(
        &fx,
        "2024-07-20",
        &[
            "arrangement",
            "add",
            "--debtor",
            "1",
            "--amount",
            "100",
            "--every",
            "week",
            "--first",
            "2024-07-26",
            "--count",
            "4",
        ],
    );
    let got: Vec<(String, String)> = j["promises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["due"].as_str().unwrap().to_string(),
                p["amount"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("2024-07-26".into(), "100.00".into()),
            ("2024-08-02".into(), "100.00".into()),
            ("2024-08-09".into(), "100.00".into()),
            ("2024-08-16".into(), "300.00".into()),
        ]
    );
}

#[test]
fn posted_payments_keep_promises_partly_and_carry_overpayments() {
    let fx = fixture(30_000);
    // 300.00 at 100.00 a month: promises on 08-01, 09-01, 10-01
    json_ok(
        &fx,
        "2024-07-20",
        &[
            "arrangement",
            "add",
            "--debtor",
            "1",
            "--amount",
            "100",
            "--every",
            "month",
            "--first",
            "2024-08-01",
        ],
    );
    let pay = |amount: &str, date: &str| {
        let out = run(
            &fx,
            date,
            &[
                "post", "--debtor", "1", "--type", "101", "--to-us", amount, "--date", date,
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // 60.00 leaves 40.00 of the first promise open
    pay("60.00", "2024-08-01");
    assert_eq!(
        promises(&fx.db)[0],
        (
            "2024-08-01".into(),
            10_000,
            6_000,
            false,
            "In Progress".into()
        )
    );
    // 90.00: 40.00 keeps the first, 50.00 goes to the second
    pay("90.00", "2024-08-20");
    let p = promises(&fx.db);
    assert_eq!(
        p[0],
        (
            "2024-08-01".into(),
            10_000,
            10_000,
            true,
            "Completed".into()
        )
    );
    assert_eq!(
        p[1],
        (
            "2024-09-01".into(),
            10_000,
            5_000,
            false,
            "In Progress".into()
        )
    );
    assert_eq!(show(&fx)["de.npd"], "2024-09-01");
    // the listing on 2024-09-05: the second is late (within 10 grace days), the third open
    let j = json_ok(&fx, "2024-09-05", &["promises"]);
    assert_eq!(j["count"], 2);
    let rows = j["promises"].as_array().unwrap();
    assert_eq!(rows[0]["due"], "2024-09-01");
    assert_eq!(rows[0]["paid"], "50.00");
    assert_eq!(rows[0]["unpaid"], "50.00");
    assert_eq!(rows[0]["status"], "late");
    assert_eq!(rows[1]["status"], "open");
    // an NSF reversal of the 90.00 reopens the first promise
    let out = run(
        &fx,
        "2024-08-25",
        &[
            "post",
            "--debtor",
            "1",
            "--type",
            "101",
            "--to-us",
            "-90.00",
            "--date",
            "2024-08-25",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let p = promises(&fx.db);
    assert_eq!(
        p[0],
        (
            "2024-08-01".into(),
            10_000,
            6_000,
            false,
            "In Progress".into()
        )
    );
    assert_eq!(p[1].2, 0);
    assert_eq!(show(&fx)["de.npd"], "2024-08-01");
}

#[test]
fn the_sweep_breaks_overdue_promises_posts_late_fees_and_runs_the_plan() {
    let fx = fixture(30_000);
    json_ok(
        &fx,
        "2024-07-20",
        &[
            "arrangement",
            "add",
            "--debtor",
            "1",
            "--amount",
            "100",
            "--every",
            "month",
            "--first",
            "2024-08-01",
        ],
    );
    // due 2024-08-01 + 10 grace days: on 2024-08-11 still late, nothing broken
    let j = json_ok(&fx, "2024-08-11", &["promises", "--sweep"]);
    assert_eq!(j["broken"], 0);
    assert!(
        json_ok(&fx, "2024-08-11", &["promises", "--broken"])["promises"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // on 2024-08-12 it is broken: listed with --broken before the sweep marks it
    let j = json_ok(&fx, "2024-08-12", &["promises", "--broken"]);
    assert_eq!(j["count"], 1);
    assert_eq!(j["promises"][0]["due"], "2024-08-01");
    let j = json_ok(
        &fx,
        "2024-08-30",
        &["promises", "--sweep", "--as-of", "2024-08-12"],
    );
    assert_eq!(j["broken"], 1);
    assert_eq!(j["late_fees"], 1);
    assert_eq!(j["late_fee_total"], "15.00");
    assert_eq!(j["plans"]["BRK"], 1);
    assert_eq!(trans(&fx.db), vec![("320".to_string(), -1_500)]);
    let d = show(&fx);
    assert_eq!(d["de.ow"], "315.00", "300.00 + 15.00 late fee");
    assert_eq!(d["de.sta"], "BRK");
    assert_eq!(d["de.npd"], "2024-09-01");
    assert_eq!(promises(&fx.db)[0].4, "Broken");
    // a second sweep finds nothing more; the broken promise takes no payment
    assert_eq!(
        json_ok(
            &fx,
            "2024-08-30",
            &["promises", "--sweep", "--as-of", "2024-08-12"]
        )["broken"],
        0
    );
    let out = run(
        &fx,
        "2024-08-30",
        &[
            "post",
            "--debtor",
            "1",
            "--type",
            "101",
            "--to-us",
            "100",
            "--date",
            "2024-08-30",
        ],
    );
    assert!(out.status.success());
    let p = promises(&fx.db);
    assert_eq!(
        (p[0].2, p[1].2),
        (0, 10_000),
        "the payment kept the September promise"
    );
    let j = json_ok(&fx, "2024-08-30", &["promises", "--broken"]);
    assert_eq!(j["count"], 1);
}

#[test]
fn a_second_arrangement_is_refused_unless_it_replaces_the_first() {
    let fx = fixture(30_000);
    let add = |extra: &[&str]| {
        let mut args = vec![
            "arrangement",
            "add",
            "--debtor",
            "1",
            "--amount",
            "150",
            "--every",
            "month",
            "--first",
            "2024-08-01",
        ];
        args.extend_from_slice(extra);
        run(&fx, "2024-07-20", &args)
    };
    assert!(add(&[]).status.success());
    let out = add(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .ends_with("debtor 1 has 2 open promise(s); --replace cancels them\n"));
    let out = add(&["--replace", "--json"]);
    assert!(out.status.success());
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["cancelled"], 2);
    let sts: Vec<String> = promises(&fx.db).into_iter().map(|p| p.4).collect();
    assert_eq!(sts.iter().filter(|s| *s == "Cancelled").count(), 2);
    assert_eq!(sts.iter().filter(|s| *s == "In Progress").count(), 2);
}

#[test]
fn bad_arguments_exit_2_and_an_unknown_debtor_exit_1() {
    let fx = fixture(30_000);
    let base = [
        "arrangement",
        "add",
        "--every",
        "month",
        "--first",
        "2024-08-01",
    ];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        run(&fx, "2024-07-20", &a)
    };
    assert_eq!(
        with(&["--debtor", "1", "--amount", "0"]).status.code(),
        Some(2)
    );
    assert_eq!(
        with(&["--debtor", "1", "--amount", "abc"]).status.code(),
        Some(2)
    );
    assert_eq!(
        with(&["--debtor", "1", "--amount", "10", "--down", "-5"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        with(&[
            "--debtor",
            "1",
            "--amount",
            "10",
            "--count",
            "3",
            "--until-paid"
        ])
        .status
        .code(),
        Some(2)
    );
    let out = with(&["--debtor", "99", "--amount", "10"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("debtor 99 does not exist"));
    assert!(promises(&fx.db).is_empty(), "nothing written");
}

#[test]
fn a_letter_can_print_the_schedule() {
    let fx = fixture(30_000);
    json_ok(
        &fx,
        "2024-07-20",
        &[
            "arrangement",
            "add",
            "--debtor",
            "1",
            "--amount",
            "120",
            "--every",
            "month",
            "--first",
            "2024-08-15",
        ],
    );
    let rpt = fx.home.join("schedule.rpt");
    std::fs::write(
        &rpt,
        "+++\nstart_on = \"debtor\"\n+++\n@de.na pays @de.arr a month; next @de.npd\n@de.co no total where (@co.ty = Promise) orderby @co.du\n@co.du @co.am\n@de.co\n",
    )
    .unwrap();
    let out = run(
        &fx,
        "2024-07-20",
        &["report", "run", rpt.to_str().unwrap(), "--debtor", "1"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // 300.00 at 120.00: 120.00, 120.00, 60.00
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    assert_eq!(lines[0], "Doe, Jane pays $120.00 a month; next 08/15/2024");
    assert_eq!(
        lines[1..4],
        [
            "08/15/2024 $120.00",
            "09/15/2024 $120.00",
            "10/15/2024 $60.00"
        ]
    );
}

#[test]
fn setup_show_prints_the_promise_settings_back() {
    let fx = fixture(10_000);
    let out = run(&fx, "2024-07-20", &["setup", "show"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("[promises]\nbroken_plan = \"BRK\"\ngrace_days = 10\nlate_fee = \"15.00\"\n"),
        "{text}"
    );
}

#[test]
fn a_plan_promise_sets_the_next_promise_due_date() {
    let fx = fixture(30_000);
    std::fs::write(
        fx.home.join("plans/PTP.toml"),
        "code = \"PTP\"\ndescription = \"Promise to pay\"\n[[event]]\ntype = \"promise\"\ndescription = \"Promised by phone\"\nschedule = \"delay_days\"\ndays = 7\namount = \"80.00\"\n",
    )
    .unwrap();
    let out = run(&fx, "2024-07-22", &["plan", "run", "PTP", "--debtor", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // 2024-07-22 + 7 days = 2024-07-29, a Monday
    let d = show(&fx);
    assert_eq!(d["de.npd"], "2024-07-29");
    assert_eq!(d["de.arr"], "80.00");
}
