//! The contact plan engine on a real database (docs/plans-and-letters.md; S2:1237-1329, S3:59).

mod common;

use std::path::Path;

use chrono::NaiveTime;
use recoup::catalog::{by_code, Value};
use recoup::plans::PlanRunner;
use recoup::store::{self, Store};
use recoup::Env;

use common::day;

struct Fixture {
    _dir: tempfile::TempDir,
    env: Env,
    store: Store,
    fi: i64,
}

fn fixture(plans: &[(&str, &str)]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("plans")).unwrap();
    for (code, text) in plans {
        std::fs::write(dir.path().join("plans").join(format!("{code}.toml")), text).unwrap();
    }
    let mut env = Env::for_db(dir.path().join("t.db"), day("2024-07-03")); // a Wednesday
    env.home = dir.path().to_path_buf();
    env.now = NaiveTime::from_hms_opt(10, 30, 0).unwrap();
    let mut store = Store::open(&env.db).unwrap();
    recoup::setup::apply_str(
        store.conn_mut(),
        Path::new("t.toml"),
        "[[holiday]]\ndate = \"2024-07-04\"\ndescription = \"Independence Day\"\n\
         [[status]]\ncode = \"OLD\"\n[[status]]\ncode = \"ACT\"\nplan = \"ACTP\"\n[[status]]\ncode = \"LOOP\"\nplan = \"LOOPP\"\n\
         [[pick_list]]\nfield = \"de.st\"\nentries = [ { key = \"NY\", text = \"New York\" } ]\n\
         [[client]]\nnumber = 1\nname = \"C\"\nrate = \"30\"\noperator = \"OLDOP\"\n",
    )
    .unwrap();
    let f = |c: &str| by_code(c).unwrap();
    let fi = store::create_debtor(
        store.conn(),
        1,
        &[
            (f("de.na"), Value::Text("Doe, Jo".into())),
            (f("de.sta"), Value::Text("OLD".into())),
            (f("de.st"), Value::Text("NY".into())),
        ],
        day("2024-07-01"),
        true,
    )
    .unwrap();
    common::place_principal(store.conn(), fi, 50000, day("2024-07-01"));
    Fixture {
        _dir: dir,
        env,
        store,
        fi,
    }
}

fn debtor(store: &Store, fi: i64, cols: &str) -> Vec<String> {
    let sql = format!("SELECT {cols} FROM debtor WHERE fi = ?1");
    store
        .conn()
        .query_row(&sql, [fi], |r| {
            let n = r.as_ref().column_count();
            (0..n)
                .map(|i| r.get::<_, Option<String>>(i).map(|v| v.unwrap_or_default()))
                .collect()
        })
        .unwrap()
}

fn contacts(store: &Store, fi: i64) -> Vec<(String, String, String, bool)> {
    let mut stmt = store
        .conn()
        .prepare("SELECT ty, de, du, done FROM contact WHERE fi = ?1 ORDER BY id")
        .unwrap();
    stmt.query_map([fi], |r| {
        Ok((
            r.get(0)?,
            r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            r.get(2)?,
            r.get(3)?,
        ))
    })
    .unwrap()
    .map(|x| x.unwrap())
    .collect()
}

fn notes(store: &Store, fi: i64) -> Vec<String> {
    let mut stmt = store
        .conn()
        .prepare("SELECT te FROM note WHERE fi = ?1 ORDER BY id")
        .unwrap();
    stmt.query_map([fi], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect()
}

/// Events listed against the group order still run in the ten groups of S2:1291-1329.
#[test]
fn events_run_in_the_ten_processing_groups() {
    let main = r#"
code = "MAIN"
[[event]]
type = "close"
[[event]]
type = "transaction"
type_code = "101"
amount = "50.00"
[[event]]
type = "operator"
description = "NEWOP"
[[event]]
type = "note"
description = "worked"
[[event]]
type = "status"
description = "ACT"
[[event]]
type = "letter"
description = "Collection Letter"
[[event]]
type = "activate"
[[event]]
type = "plan"
type_code = "SUB"
"#;
    let sub = "code = \"SUB\"\n[[event]]\ntype = \"status\"\ndescription = \"SUBST\"\n";
    let actp = "code = \"ACTP\"\n[[event]]\ntype = \"note\"\ndescription = \"status plan ran\"\n";
    let mut fx = fixture(&[("MAIN", main), ("SUB", sub), ("ACTP", actp)]);
    let tx = fx.store.conn_mut().transaction().unwrap();
    let mut runner = PlanRunner::new(&tx, &fx.env).unwrap();
    runner.run(&tx, fx.fi, "MAIN", fx.env.today).unwrap();
    tx.commit().unwrap();
    // the note carries the status the sub-plan set (group 1 before 3) and the operator
    // the plan assigns (group 6), not the one before
    let n = notes(&fx.store, fx.fi);
    assert_eq!(n[0], "07/03/2024 10:30 SUBST NEWOP : worked");
    // the status event's own plan ran after the plan
    assert_eq!(n[1], "07/03/2024 10:30 ACT NEWOP : status plan ran");
    // close ran last (group 10) after the transaction (group 7) was posted
    assert_eq!(
        debtor(&fx.store, fx.fi, "mo, sta, op, CAST(pa AS TEXT), cld"),
        vec!["C", "ACT", "NEWOP", "5000", "2024-07-03"]
    );
    // completed contacts record the order of groups; the letter is left to do
    let order: Vec<String> = contacts(&fx.store, fx.fi)
        .iter()
        .map(|c| c.0.clone())
        .collect();
    assert_eq!(
        order,
        [
            "Plan",
            "Status",
            "Activate",
            "Note",
            "Status",
            "Operator",
            "Transaction",
            "Letter",
            "Close",
            "Note"
        ]
    );
    assert!(contacts(&fx.store, fx.fi)
        .iter()
        .any(|c| c.0 == "Letter" && !c.3));
}

#[test]
fn scheduling_deletes_and_conditions() {
    let plan = r#"
code = "P"
delete_all_pending = false
[[event]]
type = "phone"
description = "Home"
schedule = "delay_days"
days = 1
delete_same_type = true
[[event]]
type = "review"
description = "Keep"
schedule = "day_of_month"
days = 31
delete_same_type = true
same_description_only = true
[[event]]
type = "operator"
description = "NYOP"
schedule_if = { field = "de.st", op = "=", value = "New York" }
[[event]]
type = "sales"
description = "NOPE"
schedule_if = { field = "de.ow", op = ">", value = "1000" }
[[event]]
type = "status"
description = "ACT"
schedule = "next_month_same_day"
"#;
    let mut fx = fixture(&[("P", plan), ("ACTP", "code = \"ACTP\"\n")]);
    let c = fx.store.conn();
    for (ty, de) in [
        ("Phone", "Work"),
        ("Review", "Keep"),
        ("Review", "Other"),
        ("Metro", "Metro"),
    ] {
        c.execute(
            "INSERT INTO contact (fi, ty, de, du, done) VALUES (?1, ?2, ?3, '2024-07-02', 0)",
            rusqlite::params![fx.fi, ty, de],
        )
        .unwrap();
    }
    let tx = fx.store.conn_mut().transaction().unwrap();
    let mut runner = PlanRunner::new(&tx, &fx.env).unwrap();
    runner.run(&tx, fx.fi, "P", fx.env.today).unwrap();
    tx.commit().unwrap();
    let all = contacts(&fx.store, fx.fi);
    let pending: Vec<(String, String, String)> = all
        .iter()
        .filter(|c| !c.3)
        .map(|c| (c.0.clone(), c.1.clone(), c.2.clone()))
        .collect();
    // same type deleted (Phone Work); same type and description (Review Keep) deleted;
    // Review Other and Metro kept
    assert!(pending.contains(&("Review".into(), "Other".into(), "2024-07-02".into())));
    assert!(pending.contains(&("Metro".into(), "Metro".into(), "2024-07-02".into())));
    assert!(!pending.iter().any(|p| p.1 == "Work"));
    // Wed 07-03 + 1 = Thu 07-04, a holiday → Fri 07-05
    assert!(pending.contains(&("Phone".into(), "Home".into(), "2024-07-05".into())));
    assert!(pending.contains(&("Review".into(), "Keep".into(), "2024-07-31".into())));
    // the status change is due next month: scheduled, not done (08-03 is a Saturday → 08-05)
    assert!(pending.contains(&("Status".into(), "ACT".into(), "2024-08-05".into())));
    // schedule_if on the pick-list text held; the owing condition did not
    assert_eq!(
        debtor(&fx.store, fx.fi, "op, COALESCE(sa, ''), sta"),
        vec!["NYOP", "", "OLD"]
    );
    assert_eq!(runner.summary.skipped_by_condition, 1);

    // batch contacts on 08-05 carries out the status change and its plan
    let mut env = fx.env.clone();
    env.today = day("2024-08-05");
    let tx = fx.store.conn_mut().transaction().unwrap();
    let mut batch = PlanRunner::new(&tx, &env).unwrap();
    let done = batch.process_due(&tx, day("2024-08-05")).unwrap();
    tx.commit().unwrap();
    assert_eq!(
        done, 1,
        "only the automatic contact; phones and reviews are people's work"
    );
    assert_eq!(debtor(&fx.store, fx.fi, "sta"), vec!["ACT"]);
    assert_eq!(batch.summary.runs.get("ACTP"), Some(&1));
}

#[test]
fn a_status_plan_loop_runs_each_plan_once_and_batch_keeps_pending_contacts() {
    let loopp = "code = \"LOOPP\"\ndelete_all_pending = true\n[[event]]\ntype = \"status\"\ndescription = \"LOOP\"\n[[event]]\ntype = \"note\"\ndescription = \"looped\"\n";
    let mut fx = fixture(&[("LOOPP", loopp)]);
    fx.store.conn().execute("INSERT INTO contact (fi, ty, de, du, done) VALUES (?1, 'Status', 'LOOP', '2024-07-03', 0)", [fx.fi]).unwrap();
    fx.store.conn().execute("INSERT INTO contact (fi, ty, de, du, done) VALUES (?1, 'Phone', 'Home', '2024-07-09', 0)", [fx.fi]).unwrap();
    let tx = fx.store.conn_mut().transaction().unwrap();
    let mut batch = PlanRunner::new(&tx, &fx.env).unwrap();
    batch.process_due(&tx, fx.env.today).unwrap();
    tx.commit().unwrap();
    // LOOP's plan sets LOOP again: it ran once, not forever
    assert_eq!(notes(&fx.store, fx.fi).len(), 1);
    // run from the batch, the delete-all plan left the pending phone call alone (S3:59)
    assert!(contacts(&fx.store, fx.fi)
        .iter()
        .any(|c| c.0 == "Phone" && !c.3));
    // run directly, it deletes it
    let tx = fx.store.conn_mut().transaction().unwrap();
    let mut runner = PlanRunner::new(&tx, &fx.env).unwrap();
    runner.run(&tx, fx.fi, "LOOPP", fx.env.today).unwrap();
    tx.commit().unwrap();
    assert!(!contacts(&fx.store, fx.fi)
        .iter()
        .any(|c| c.0 == "Phone" && !c.3));
}

#[test]
fn plan_files_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("X.toml");
    for (text, needle) in [
        ("code = \"X\"\n[[event]]\ntype = \"metro\"\n", "3:8"),
        ("code = \"X\"\n[[event]]\ntype = \"odbc\"\nattachment = \"PAIR\"\n", "without ODBC"),
        ("code = \"X\"\n[[event]]\ntype = \"letter\"\nschedul = \"immediately\"\n", "4:1"),
        ("code = \"X\"\n[[event]]\ntype = \"note\"\nschedule_if = { field = \"de.zz\", value = \"1\" }\n", "unknown field code"),
        ("code = \"X\"\n[[event]]\ntype = \"transaction\"\n", "type_code"),
    ] {
        std::fs::write(&p, text).unwrap();
        let err = recoup::plans::parse_plan(&p, text).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    }
}

#[test]
fn plan_run_and_batch_through_the_binary() {
    use assert_cmd::Command;
    let fx = fixture(&[("ACTP", "code = \"ACTP\"\n")]);
    let run = |args: &[&str]| {
        let mut c = Command::cargo_bin("recoup").unwrap();
        c.arg("--db")
            .arg(&fx.env.db)
            .arg("--home")
            .arg(&fx.env.home)
            .args(["--today", "2024-07-03", "--quiet"])
            .args(args);
        c.env("RECOUP_TIME", "08:15:00");
        c.output().unwrap()
    };
    // the shipped NEW plan (embedded) on every debtor of client 1, counting from July 1
    let out = run(&[
        "--json",
        "plan",
        "run",
        "NEW",
        "--client",
        "1",
        "--start-date",
        "2024-07-01",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["runs"]["NEW"], 1);
    assert_eq!(j["scheduled"]["Letter"], 3);
    let due: Vec<(String, String)> = fx
        .store
        .conn()
        .prepare("SELECT ty, du FROM contact WHERE done = 0 ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    // July 1 + 10 = Jul 11 (Thu); + 30 = Jul 31 (Wed); + 60 = Aug 30 (Fri)
    assert_eq!(
        due,
        vec![
            ("Letter".into(), "2024-07-01".into()),
            ("Phone".into(), "2024-07-11".into()),
            ("Letter".into(), "2024-07-31".into()),
            ("Letter".into(), "2024-08-30".into())
        ]
    );
    let note: String = fx
        .store
        .conn()
        .query_row("SELECT te FROM note", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        note,
        "07/03/2024 08:15 OLD OLDOP : New account: collection plan started"
    );
    // --where selects on catalogue fields (here nobody: the debtor's status is NEW now)
    let out = run(&["--json", "plan", "run", "L1", "--where", "(@de.sta = OLD)"]);
    assert_eq!(out.status.code(), Some(1), "no debtor selected");
    let out = run(&[
        "--json",
        "plan",
        "run",
        "L1",
        "--where",
        "(@de.sta = NEW) and (@de.ow >= 500)",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["debtors"], 1);
    let out = run(&["plan", "run", "L1", "--where", "(@de.zz = 1)"]);
    assert_eq!(out.status.code(), Some(2));
    // an unknown plan is a configuration error
    let out = run(&["plan", "run", "NOPE"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["batch", "contacts", "--through", "2024-07-31"]);
    assert!(out.status.success());
}

#[cfg(not(feature = "odbc"))]
#[test]
fn without_the_odbc_feature_sync_is_refused() {
    use assert_cmd::Command;
    let fx = fixture(&[]);
    let mut c = Command::cargo_bin("recoup").unwrap();
    c.arg("--db")
        .arg(&fx.env.db)
        .args(["sync", "dialer", "--op", "insert", "--debtor", "1"]);
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("built without ODBC"));
}

#[test]
fn an_import_runs_the_new_account_plan_of_new_debtors_only() {
    use assert_cmd::Command;
    let fx = fixture(&[]);
    let conn = rusqlite::Connection::open(&fx.env.db).unwrap();
    conn.execute("UPDATE client SET np = 'NEW' WHERE nu = 1", [])
        .unwrap();
    let csv = fx.env.home.join("p.csv");
    std::fs::write(&csv, "Account,Last,First,Address,Address2,City,State,Zip,Phone,SSN,DOB,Principal,Interest,Delinquent,Note\nZ-1,Roe,Ann,1 A St,,Davis,CA,95616,,,01/01/1980,100.00,,01/01/2024,\n").unwrap();
    let map = Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/placement-csv.toml");
    let run = || {
        let mut c = Command::cargo_bin("recoup").unwrap();
        c.arg("--db")
            .arg(&fx.env.db)
            .args(["--today", "2024-07-03", "--quiet", "--json", "import"])
            .arg(&map)
            .arg(&csv)
            .args(["--client", "1"]);
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let j = run();
    assert_eq!(j["plans"]["NEW"], 1);
    let letters: i64 = conn.query_row("SELECT COUNT(*) FROM contact c JOIN debtor d ON d.fi = c.fi WHERE d.ac = 'Z-1' AND c.ty = 'Letter'", [], |r| r.get(0)).unwrap();
    assert_eq!(letters, 3);
    // a re-import updates the account: no plan runs again
    let j = run();
    assert!(j["plans"].as_object().unwrap().is_empty());
}

#[test]
fn an_import_with_manage_promises_completes_a_promise_paid_in_full() {
    use assert_cmd::Command;
    let fx = fixture(&[]);
    let conn = rusqlite::Connection::open(&fx.env.db).unwrap();
    conn.execute("UPDATE debtor SET ac = 'P-1' WHERE fi = ?1", [fx.fi])
        .unwrap();
    conn.execute("INSERT INTO contact (fi, ty, de, du, am, done, st) VALUES (?1, 'Promise', 'Pay 75', '2024-07-05', 7500, 0, 'In Progress')", [fx.fi]).unwrap();
    let map_text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/payments.toml"))
            .unwrap()
            .replace("[options]\n", "[options]\nmanage_promises = true\n");
    let map = fx.env.home.join("pay.toml");
    std::fs::write(&map, map_text).unwrap();
    let file = fx.env.home.join("pay.csv");
    std::fs::write(&file, "Account,Name,Transaction,Code,Amount,Date\nP-1,Doe,T-1,P,50.00,07/04/24\nP-1,Doe,T-2,P,25.00,07/05/24\n").unwrap();
    let mut c = Command::cargo_bin("recoup").unwrap();
    c.arg("--db")
        .arg(&fx.env.db)
        .args(["--today", "2024-07-06", "--quiet", "import"])
        .arg(&map)
        .arg(&file)
        .args(["--client", "1"]);
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (done, dd): (bool, String) = conn
        .query_row(
            "SELECT done, dd FROM contact WHERE ty = 'Promise'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(done);
    assert_eq!(dd, "2024-07-05", "satisfied by the second payment");
}
