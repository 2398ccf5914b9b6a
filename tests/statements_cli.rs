//! Month-end commands through the binary, on the demo database.

use assert_cmd::Command;
use predicates::prelude::*;

fn demo_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Command::cargo_bin("recoup").unwrap();
    c.current_dir(dir.path())
        .env_remove("RECOUP_TODAY")
        .args(["demo", "--out", "d"])
        .assert()
        .success();
    let db = dir.path().join("d/recoup.db");
    (dir, db)
}

fn recoup(db: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("recoup").unwrap();
    c.arg("--db")
        .arg(db)
        .args(["--today", "2024-08-01", "--quiet"]);
    c
}

#[test]
fn generate_json_cash_report_and_refusals() {
    let (_dir, db) = demo_db();
    // the demo already generated July; a second run is refused, --replace redoes it
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
        .code(1)
        .stderr(predicate::str::contains("--replace"));
    let out = recoup(&db)
        .args([
            "--json",
            "statements",
            "generate",
            "--from",
            "2024-07-01",
            "--to",
            "2024-07-31",
            "--replace",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = j["statements"].as_array().unwrap();
    let acme = list.iter().find(|s| s["client"] == 1001).unwrap();
    assert_eq!(acme["date"], "2024-08-01");
    assert_eq!(acme["remit"], "N");
    assert_eq!(acme["to_us"], "1370.00");
    assert_eq!(acme["commission"], "1258.75");
    assert_eq!(acme["check"], "111.25");
    assert_eq!(acme["due_from_client"], "0.00");
    let valley = list.iter().find(|s| s["client"] == 1002).unwrap();
    assert_eq!(valley["remit"], "G");
    assert_eq!(valley["check"], "9540.00");
    assert!(
        list.iter().all(|s| s["client"] != 1003),
        "1003 rolls up to 1001"
    );

    let out = recoup(&db)
        .args([
            "--json",
            "cash-report",
            "--from",
            "2024-07-01",
            "--to",
            "2024-07-31",
        ])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["deposit"], "10935.00");
    assert_eq!(j["direct"], "2750.00");
    let t101 = j["by_type"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "101")
        .unwrap();
    assert_eq!(t101["count"], 9);
    // 196 and 301 are omitted from the daily cash report
    assert!(j["by_type"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["type"] != "196" && t["type"] != "301"));

    // Valley owes its commission and tax; a payment pays it down, a larger one is refused
    recoup(&db)
        .args(["client-payment", "--client", "1002", "--amount", "100.00"])
        .assert()
        .success()
        .stdout(predicate::str::contains("still owed 2082.55"));
    recoup(&db)
        .args(["client-payment", "--client", "1002", "--amount", "5000"])
        .assert()
        .code(1);
    recoup(&db)
        .args(["client-payment", "--client", "1002", "--amount", "ten"])
        .assert()
        .code(2);
}
