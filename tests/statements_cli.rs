//! Month-end commands through the binary, on the demo database.

mod common;

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
    common::recoup_at(db, "2024-08-01")
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
        .stderr(predicate::str::ends_with(
            "already covers part of 2024-07-01 to 2024-07-31; use --replace to generate it again\n",
        ));
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
    // July's payments (1,370.00) and Smith Plumbing's 250.00 arrangement down payment
    // (type 150, commissioned at 30 %: 75.00, returning 175.00).
    assert_eq!(acme["to_us"], "1620.00");
    assert_eq!(acme["commission"], "1333.75");
    assert_eq!(acme["check"], "286.25");
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
    // 10,935.00 of July's payments plus the 250.00 arrangement down payment.
    assert_eq!(j["deposit"], "11185.00");
    assert_eq!(j["direct"], "2750.00");
    let t101 = j["by_type"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "101")
        .unwrap();
    assert_eq!(t101["count"], 14); // every P row of the payment files
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

fn pdftotext(path: &std::path::Path) -> Option<String> {
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(path)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn print_pdf_text_csv_and_cheques() {
    let (dir, db) = demo_db();
    let out = dir.path().join("print");
    recoup(&db)
        .args([
            "statements",
            "print",
            "--from",
            "2024-07-01",
            "--to",
            "2024-07-31",
            "--format",
            "text",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let net = std::fs::read_to_string(out.join("1001-1.txt")).unwrap();
    assert!(net.contains("Remittance: Net"));
    assert!(
        net.contains("Cheque enclosed                        $286.25"),
        "{net}"
    );
    // The account on an arrangement and the account bearing interest (docs/money.md):
    // 500.00 a month from August 1; Doe's 75.00 placed interest plus 17.69 accrued.
    assert!(
        net.contains("  1003 Smith Plumbing LLC   AC-10004        $500.00 08/01/24    $1,200.00   $13,510.00"),
        "{net}"
    );
    assert!(
        net.contains(
            "  1000 Doe, John A          AC-10001                       $92.69      $992.69"
        ),
        "{net}"
    );
    // accounts in the client's debtor sort order: by name for 1001 (Brown before Doe)
    assert!(net.find("Brown, Kevin").unwrap() < net.find("Doe, John A").unwrap());
    let gross = std::fs::read_to_string(out.join("1002-2.txt")).unwrap();
    assert!(
        gross.contains("Remittance: Gross")
            && gross.contains("Due from client                      $2,182.55"),
        "{gross}"
    );
    // by acct for 1002: VM-7781 (Johnson) before VM-7782 (Cote)
    assert!(gross.find("Johnson, Mary K").unwrap() < gross.find("Cote, Rene").unwrap());
    let cheques = std::fs::read_to_string(out.join("cheques.csv")).unwrap();
    assert_eq!(cheques, "statement,client,payee,date,amount\n1,1001,Acme Bank N.A.,2024-08-01,286.25\n2,1002,Valley Medical Group,2024-08-01,9540.00\n");
    // CSV of lines, in invoice-line order
    recoup(&db)
        .args([
            "statements",
            "print",
            "--statement",
            "2",
            "--format",
            "csv",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("1002-2.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next().unwrap(), "file,name,acct,date,summary,type,payment_date,posted_date,to_us,direct,commission,tax,return");
    assert_eq!(lines.next().unwrap(), "1004,\"Johnson, Mary K\",VM-7781,2024-07-02,Check Payment,101,2024-07-02,2024-07-02,500.00,0.00,125.00,9.06,375.00");
    assert_eq!(csv.lines().count(), 9);
    // the demo's PDFs carry the same figures as text
    let pdf = dir.path().join("d/statements/1002-2.pdf");
    assert!(pdf.exists());
    match pdftotext(&pdf) {
        Some(text) => {
            assert!(text.contains("STATEMENT 2"), "{text}");
            assert!(text.contains("$2,182.55") && text.contains("Valley Medical Group"));
        }
        None => eprintln!("pdftotext not installed: PDF text not checked"),
    }
    recoup(&db)
        .args(["statements", "print", "--statement", "99", "--out"])
        .arg(&out)
        .assert()
        .code(1);
}
