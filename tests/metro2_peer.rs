//! `metro2 validate` against the peer's (moov-io/metro2) test expectations and
//! the files in fixtures/metro2/recoup/: payment history characters, portfolio
//! type L, dates after the Date of Account Information, packed files, and a file
//! with a very large number of findings.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/metro2")
        .join(rel)
}

fn ours(name: &str) -> PathBuf {
    fixture(&format!("recoup/{name}"))
}

fn moov(name: &str) -> PathBuf {
    fixture(&format!("moov-io-metro2/test/testdata/{name}"))
}

fn validate_json(path: &Path, profile: &str) -> (i32, Value) {
    let out = Command::cargo_bin("recoup")
        .unwrap()
        .args(["--json", "metro2", "validate", "--profile", profile])
        .arg(path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    (out.status.code().unwrap_or(-1), v)
}

/// (rule, field, severity, value) of every error finding.
fn errors(v: &Value) -> Vec<(String, String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["field"].as_str().unwrap().to_string(),
                f["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_unchanged_moov_record_has_no_errors() {
    // The fixtures below are this file with one field changed.
    let (code, v) = validate_json(&moov("unpacked_fixed_request.dat"), "crrg");
    assert_eq!(code, 0, "{v}");
}

#[test]
fn a_payment_history_of_z_and_blanks_is_an_error() {
    let (code, v) = validate_json(&ours("php_z_then_blanks.txt"), "crrg");
    assert_eq!(code, 3);
    assert_eq!(
        errors(&v),
        [(
            "F005".to_string(),
            "payment_history_profile".to_string(),
            "Z".to_string()
        )]
    );
}

#[test]
fn a_payment_history_ending_in_a_blank_is_an_error() {
    let (code, v) = validate_json(&ours("php_trailing_blank.txt"), "crrg");
    assert_eq!(code, 3);
    assert_eq!(
        errors(&v),
        [(
            "F005".to_string(),
            "payment_history_profile".to_string(),
            "B".repeat(23)
        )]
    );
}

#[test]
fn portfolio_type_l_is_not_a_crrg_portfolio() {
    let (code, v) = validate_json(&ours("portfolio_l.txt"), "crrg");
    assert_eq!(code, 3);
    assert_eq!(
        errors(&v),
        [(
            "F005".to_string(),
            "portfolio_type".to_string(),
            "L".to_string()
        )]
    );
}

#[test]
fn date_closed_and_last_payment_after_the_date_of_account_information_are_errors() {
    // DOAI 07/01/2002; Date Closed and Date of Last Payment 08/02/2002.
    let (code, v) = validate_json(&ours("dates_after_doai.txt"), "crrg");
    assert_eq!(code, 3);
    assert_eq!(
        errors(&v),
        [
            (
                "X024".to_string(),
                "date_closed".to_string(),
                "08022002".to_string()
            ),
            (
                "X024".to_string(),
                "date_of_last_payment".to_string(),
                "08022002".to_string()
            )
        ]
    );
}
