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
