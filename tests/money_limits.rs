//! Rates and owned-by refused where they are written: `setup apply`, imports and
//! client transfer (issue "Hostile and unlucky input"; docs/limits.md "Money").

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::assert::Assert;
use predicates::prelude::*;

fn recoup(db: &Path) -> assert_cmd::Command {
    common::recoup_at(db, "2024-07-31")
}

fn setup_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("setup.toml")
}

/// A fresh database with the shipped setup (clients 1001, 1002, 2040).
fn seeded() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    recoup(&db)
        .args(["setup", "apply"])
        .arg(setup_file())
        .assert()
        .success();
    (dir, db)
}

fn apply(dir: &Path, db: &Path, text: &str) -> Assert {
    let f = dir.join("part.toml");
    std::fs::write(&f, text).unwrap();
    recoup(db).args(["setup", "apply"]).arg(&f).assert()
}

fn owner_of(db: &Path, client: i64) -> Option<String> {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT ob FROM client WHERE nu = ?1", [client], |r| {
            r.get(0)
        })
        .unwrap_or(None)
}

#[test]
fn setup_refuses_rates_outside_0_to_100_at_their_line_and_column() {
    let (dir, db) = seeded();
    let cases = [
        ("[[client]]\nnumber = 1001\nrate = \"150\"\n", "part.toml:3:8", "rate 150"),
        ("[[client]]\nnumber = 1001\ntax_rate = -1\n", "part.toml:3:12", "rate -1"),
        ("[company]\ntax_rate = \"100.5\"\n", "part.toml:2:12", "outside 0 to 100"),
        (
            "[[rate_plan]]\ncode = \"X\"\nkind = \"payment_amount\"\nbrackets = [ { upto = \"10\", rate = \"101\" } ]\n",
            "part.toml:4:",
            "rate 101",
        ),
        (
            "[[transaction_type]]\ncode = \"101\"\ncommission_rate = \"-5\"\n",
            "part.toml:3:",
            "outside 0 to 100",
        ),
        (
            "[[transaction_type]]\ncode = \"106\"\nto_us = \"1000000000000\"\n",
            "part.toml:3:",
            "ceiling",
        ),
    ];
    for (text, at, what) in cases {
        apply(dir.path(), &db, text)
            .code(2)
            .stderr(predicate::str::contains(at).and(predicate::str::contains(what)));
    }
    // 0 and 100 are rates
    apply(
        dir.path(),
        &db,
        "[[client]]\nnumber = 1001\nrate = \"100\"\ntax_rate = 0\n",
    )
    .success();
}

#[test]
fn setup_refuses_owned_by_loops_and_unknown_owners() {
    let (dir, db) = seeded();
    apply(
        dir.path(),
        &db,
        "[[client]]\nnumber = 1001\nowned_by = 1001\n",
    )
    .code(2)
    .stderr(predicate::str::contains(
        "part.toml:3:12: owned_by: client 1001 cannot be owned by itself",
    ));
    apply(dir.path(), &db, "[[client]]\nnumber = 1001\nowned_by = 1002\n\n[[client]]\nnumber = 1002\nowned_by = 1001\n")
        .code(2)
        .stderr(predicate::str::contains("part.toml:3:12").and(predicate::str::contains("makes a loop: 1001 → 1002 → 1001")));
    apply(
        dir.path(),
        &db,
        "[[client]]\nnumber = 1001\nowned_by = \"4242\"\n",
    )
    .code(2)
    .stderr(predicate::str::contains("4242, which is not a client"));
    assert_eq!(owner_of(&db, 1001), None, "nothing applied");
    // an owner later in the same file is fine
    apply(dir.path(), &db, "[[client]]\nnumber = 1001\nowned_by = 3000\n\n[[client]]\nnumber = 3000\nname = \"Parent\"\n").success();
    assert_eq!(owner_of(&db, 1001).as_deref(), Some("3000"));
    // and statements still know whose statement each client is on
    recoup(&db)
        .args([
            "statements",
            "generate",
            "--from",
            "2024-07-01",
            "--to",
            "2024-07-31",
        ])
        .assert()
        .success();
}

fn home(db: &Path) -> assert_cmd::Command {
    let mut c = recoup(db);
    c.arg("--home").arg(env!("CARGO_MANIFEST_DIR"));
    c
}

fn clients(db: &Path) -> Vec<i64> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT nu FROM client ORDER BY nu").unwrap();
    let v = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    v
}

/// A transfer file in this build's layout (`recoup::transfer::file::header`), each
/// row given as (column, value) pairs; the other columns blank.
fn transfer_rows(rows: &[&[(&str, &str)]]) -> String {
    let header = recoup::transfer::file::header();
    let mut out = header.join(",") + "\n";
    for row in rows {
        let mut cells = vec![String::new(); header.len()];
        for (name, value) in row.iter() {
            let i = header.iter().position(|h| h == name).unwrap();
            cells[i] = value.to_string();
        }
        out += &(cells.join(",") + "\n");
    }
    out
}

fn client_row<'a>(
    nu: &'a str,
    name: &'a str,
    rate: &'a str,
    owner: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("record", "CLIENT"),
        ("cl.nu", nu),
        ("cl.na", name),
        ("cl.rt", rate),
        ("cl.ob", owner),
    ]
}

/// `recoup import client-transfers FILE`: the file's rows as CLIENT records.
fn import_clients(dir: &Path, db: &Path, rows: &str) -> (Assert, String) {
    let f = dir.join("clients.csv");
    std::fs::write(&f, rows).unwrap();
    let a = home(db)
        .args(["import", "client-transfers"])
        .arg(&f)
        .assert();
    let rejects = std::fs::read_to_string(dir.join("clients.csv.rejects.csv")).unwrap_or_default();
    (a, rejects)
}

#[test]
fn an_import_rejects_rates_outside_0_to_100_and_owned_by_loops() {
    let (dir, db) = seeded();
    let (_, rejects) = import_clients(
        dir.path(),
        &db,
        &transfer_rows(&[
            &client_row("3001", "Too Dear", "150", ""),
            &client_row("3002", "Own Parent", "25", "3002"),
            &client_row("3003", "Fine", "25", "1001"),
            &client_row("1001", "Acme", "30", "3003"),
        ]),
    );
    assert!(
        rejects.contains("2,cl.rt: rate 150 is outside 0 to 100 %"),
        "{rejects}"
    );
    assert!(
        rejects.contains("3,client 3002 cannot be owned by itself"),
        "{rejects}"
    );
    assert!(
        rejects.contains("5,client 1001 owned by client 3003 makes a loop: 1001 → 3003 → 1001"),
        "{rejects}"
    );
    assert!(clients(&db).contains(&3003));
    assert!(!clients(&db).contains(&3001) && !clients(&db).contains(&3002));
    assert_eq!(owner_of(&db, 1001), None);
}

#[test]
fn an_import_may_name_an_owner_further_on_but_not_one_that_never_comes() {
    let (dir, db) = seeded();
    let (a, _) = import_clients(
        dir.path(),
        &db,
        &transfer_rows(&[
            &client_row("3011", "Child", "25", "3012"),
            &client_row("3012", "Parent", "25", ""),
        ]),
    );
    a.success();
    assert_eq!(owner_of(&db, 3011).as_deref(), Some("3012"));
    let (a, _) = import_clients(
        dir.path(),
        &db,
        &transfer_rows(&[
            &client_row("3021", "Fine", "25", ""),
            &client_row("3022", "Orphan", "25", "4242"),
        ]),
    );
    a.code(3).stderr(predicate::str::contains(
        "clients.csv: line 3: client 3022 is owned by client 4242, which is not a client; nothing imported",
    ));
    assert!(!clients(&db).contains(&3021), "nothing imported");
}

#[test]
fn an_import_rejects_amounts_beyond_the_ceiling_and_bad_reversals() {
    let (dir, db) = seeded();
    // debtor AC-10001 of client 1001 with 1,000.00 owing
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "INSERT INTO debtor (fi, cn, na, ac) VALUES (1000, 1001, 'Doe', 'AC-10001')",
        [],
    )
    .unwrap();
    drop(conn);
    let f = dir.path().join("payments.csv");
    std::fs::write(
        &f,
        "Account,Name,Transaction,Code,Amount,Date\n\
         AC-10001,Doe,T-1,P,200.00,07/01/24\n\
         AC-10001,Doe,T-2,P,99999999999999999999,07/02/24\n\
         AC-10001,Doe,T-3,R,(900.00),07/03/24\n\
         AC-10001,Doe,T-4,R,(200.00),07/04/24\n\
         AC-10001,Doe,T-5,R,(200.00),07/05/24\n\
         AC-10001,Doe,T-6,R,50.00,07/06/24\n",
    )
    .unwrap();
    home(&db)
        .args(["import", "payments"])
        .arg(&f)
        .assert()
        .success();
    let rejects = std::fs::read_to_string(dir.path().join("payments.csv.rejects.csv")).unwrap();
    assert!(
        rejects.contains("3,tr.tu: amount 99999999999999999999 is beyond the ceiling"),
        "{rejects}"
    );
    assert!(rejects.contains("4,debtor 1000 has no payment dated on or before 2024-07-03 with 900.00 left un-reversed"), "{rejects}");
    assert!(rejects.contains("6,debtor 1000 has no payment dated on or before 2024-07-05 with 200.00 left un-reversed"), "{rejects}");
    assert!(
        rejects.contains("7,a reversal is posted with a negative amount"),
        "{rejects}"
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let posted: Vec<String> = conn
        .prepare("SELECT ext_id FROM trans ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(posted, ["T-1", "T-4"]);
}

#[test]
fn a_transfer_refuses_bad_rates_loops_and_payments_beyond_the_ceiling() {
    let (dir, db) = seeded();
    let transfer = |rows: &[&[(&str, &str)]]| {
        let t = dir.path().join("t");
        std::fs::create_dir_all(&t).unwrap();
        std::fs::write(t.join("clienttransfers.csv"), transfer_rows(rows)).unwrap();
        home(&db).args(["transfer", "import"]).arg(&t).assert()
    };
    transfer(&[&client_row("3001", "Too Dear", "150", "")])
        .code(3)
        .stderr(predicate::str::contains(
            "clienttransfers.csv:2: cl.rt (Commission Rate): rate 150 is outside 0 to 100 %",
        ));
    transfer(&[
        &client_row("3001", "A", "25", "3002"),
        &client_row("3002", "B", "25", "3001"),
    ])
        .code(3)
        .stderr(predicate::str::contains(
            "clienttransfers.csv:2: cl.ob: client 3001 owned by client 3002 makes a loop: 3001 → 3002 → 3001; nothing imported",
        ));
    transfer(&[
        &client_row("3001", "A", "25", ""),
        &[
            ("record", "PAYMENT"),
            ("cl.nu", "3001"),
            ("payment.date", "2024-07-01"),
            ("payment.amount", "1000000000000.00"),
        ],
    ])
    .code(3)
    .stderr(predicate::str::contains(
        "clienttransfers.csv:3: payment.amount: amount 1000000000000.00 is beyond the ceiling",
    ));
    assert!(!clients(&db).contains(&3001), "nothing imported");
    // an owner after the clients it owns is fine
    transfer(&[
        &client_row("3001", "A", "25", "3002"),
        &client_row("3002", "B", "25", ""),
    ])
    .success();
    assert_eq!(owner_of(&db, 3001).as_deref(), Some("3002"));
}
