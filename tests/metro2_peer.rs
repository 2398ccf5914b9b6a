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

/// The php_z fixture with its data record repeated `n` times and a trailer that
/// does not match (one more error).
fn many_records(n: usize) -> tempfile::NamedTempFile {
    let text = std::fs::read(ours("php_z_then_blanks.txt")).unwrap();
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    let mut out = Vec::with_capacity(lines[1].len() * (n + 2));
    out.extend_from_slice(lines[0]);
    out.push(b'\n');
    for _ in 0..n {
        out.extend_from_slice(lines[1]);
        out.push(b'\n');
    }
    out.extend_from_slice(lines[2]);
    out.push(b'\n');
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), out).unwrap();
    f
}

#[test]
fn past_ten_thousand_findings_only_counts_per_rule_are_kept() {
    let f = many_records(3_000);
    let (code, v) = validate_json(f.path(), "crrg");
    assert_eq!(code, 3);
    let listed = v["findings"].as_array().unwrap().len();
    assert_eq!(listed, 10_000);
    // One F005 per record, each counted whether listed or not.
    let omitted = &v["omitted"];
    let listed_f005 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "F005")
        .count() as u64;
    assert_eq!(listed_f005 + omitted["F005"].as_u64().unwrap(), 3_000);
    let omitted_total: u64 = omitted
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    let (errors, warnings) = (
        v["counts"]["errors"].as_u64().unwrap(),
        v["counts"]["warnings"].as_u64().unwrap(),
    );
    // Every finding here is an error or a warning (no info): listed + omitted = all.
    assert_eq!(listed as u64 + omitted_total, errors + warnings);
    // 3,000 F005 and the trailer totals (T001) that no longer match.
    assert!(errors > 3_000, "{errors}");
    assert_eq!(v["counts"]["base"].as_u64(), Some(3_000));

    // The text report says how many more there are, per rule.
    let out = Command::cargo_bin("recoup")
        .unwrap()
        .args(["metro2", "validate"])
        .arg(f.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8_lossy(&out.stdout);
    let more = text
        .lines()
        .find(|l| l.contains("more finding(s) not listed"))
        .expect("a line for the findings not listed");
    assert!(
        more.contains(&format!(
            "{omitted_total} more finding(s) not listed (only the first 10000 are): "
        )) && more.contains(&format!("F005 {}", omitted["F005"])),
        "{more}"
    );
    assert_eq!(
        text.lines().filter(|l| l.contains(" record ")).count(),
        10_000
    );
}

/// (record, segment, field, rule, value) of every finding.
fn all_findings(v: &Value) -> Vec<(u64, String, String, String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["record"].as_u64().unwrap(),
                f["segment"].as_str().unwrap().to_string(),
                f["field"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn moovs_packed_file_validates_like_its_character_twin() {
    let (code, packed) = validate_json(&moov("packed_file.dat"), "crrg");
    assert_eq!(code, 0, "{packed}");
    let c = &packed["counts"];
    for (k, n) in [
        ("header", 1),
        ("base", 1),
        ("J1", 1),
        ("J2", 1),
        ("K1", 1),
        ("K2", 1),
        ("K3", 1),
        ("K4", 1),
        ("L1", 1),
        ("N1", 1),
        ("trailer", 1),
        ("unreadable", 0),
        ("errors", 0),
    ] {
        assert_eq!(c[k].as_u64(), Some(n), "{k}");
    }
    // The same account as unpacked_fixed_file.dat, which has no K1, K2 or K4:
    // every other finding is the same, field for field.
    let (_, chars) = validate_json(&moov("unpacked_fixed_file.dat"), "crrg");
    let shared: Vec<_> = all_findings(&packed)
        .into_iter()
        .filter(|f| !["K1", "K2", "K4"].contains(&f.1.as_str()))
        .collect();
    assert_eq!(shared, all_findings(&chars));
    assert!(all_findings(&packed)
        .iter()
        .any(|f| f.1 == "K2" && f.3 == "F006"));
}

#[test]
fn print_decodes_the_packed_numbers_and_dates() {
    let out = Command::cargo_bin("recoup")
        .unwrap()
        .args(["--json", "metro2", "print"])
        .arg(moov("packed_file.dat"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let base = &v[1]["fields"];
    for (field, want) in [
        ("time_stamp", "01012020011122"),
        ("consumer_account_number", "553723456"),
        ("portfolio_type", "M"),
        ("date_opened", "11222019"),
        ("highest_credit", "000002438"),
        ("actual_payment_amount", "000000100"),
        ("current_balance", "000002233"),
        ("date_of_account_information", "09202002"),
        ("date_of_first_delinquency", "07192001"),
        ("date_closed", "08022002"),
        ("date_of_birth", "03181972"),
        ("telephone_number", "5175555555"),
        ("social_security_number", "***-**-8759"),
    ] {
        assert_eq!(base[field], want, "{field}");
    }
    assert_eq!(v[1]["segments"][2]["segment"], "K1");
    assert_eq!(
        v[2]["fields"]["total_base_records"], "000000001",
        "the trailer's packed totals"
    );
    assert_eq!(v[0]["fields"]["reporter_name"], "YOUR BUSINESS NAME HERE");
}

#[test]
fn a_packed_file_cut_short_is_reported_not_panicked_on() {
    let bytes = std::fs::read(moov("packed_file.dat")).unwrap();
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), &bytes[..1000]).unwrap();
    let (code, v) = validate_json(f.path(), "crrg");
    assert_eq!(code, 3);
    let f = &v["findings"].as_array().unwrap()[0];
    assert_eq!(f["rule"], "S001");
    assert_eq!(
        f["message"],
        "byte offset 370: a packed record of 1004 bytes is cut short by the end of the file; the remaining 630 bytes are not read"
    );
    assert_eq!(v["counts"]["header"].as_u64(), Some(1));
}
