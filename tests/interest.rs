//! Interest accrual, judgments and the percent-of types through the binary (docs/money.md,
//! docs/money.md "Interest and judgments"). Each expected figure is worked by hand in
//! the comment above it.

mod common;

use std::path::{Path, PathBuf};

use recoup::catalog::{by_code, Value};
use recoup::store::{self, Store};
use rust_decimal_macros::dec;
use serde_json::Value as Json;

use common::{day, place_principal, recoup_at};

/// A database with the shipped setup; returns its path (kept alive by the tempdir).
fn database(dir: &Path) -> PathBuf {
    let path = dir.join("t.db");
    let mut store = Store::open(&path).unwrap();
    recoup::setup::apply_str(
        store.conn_mut(),
        Path::new("setup.toml"),
        recoup::setup::SHIPPED_SETUP,
    )
    .unwrap();
    path
}

/// A debtor of client 1001 with the given catalogue fields, owing `principal_cents`
/// of original principal dated `placed`.
fn debtor(db: &Path, fields: &[(&str, Value)], principal_cents: i64, placed: &str) -> i64 {
    let store = Store::open(db).unwrap();
    let values: Vec<_> = fields
        .iter()
        .map(|(code, v)| (by_code(code).unwrap(), v.clone()))
        .collect();
    let fi = store::create_debtor(store.conn(), 1001, &values, day(placed), true).unwrap();
    place_principal(store.conn(), fi, principal_cents, day(placed));
    fi
}

fn simple_10_percent_from_jan_1() -> Vec<(&'static str, Value)> {
    vec![
        ("de.na", Value::Text("Doe, Jane".into())),
        ("de.ity", Value::Text("simple".into())),
        ("de.irt", Value::Percent(dec!(10))),
        ("de.ifd", Value::Date(day("2024-01-01"))),
    ]
}

fn json_of(out: &[u8]) -> Json {
    serde_json::from_slice(out).unwrap()
}

fn accrue_json(db: &Path, through: &str, extra: &[&str]) -> Json {
    let out = recoup_at(db, "2024-12-31")
        .args(["--json", "interest", "accrue", "--through", through])
        .args(extra)
        .assert()
        .success();
    json_of(&out.get_output().stdout)
}

fn show(db: &Path, fi: i64) -> Json {
    let out = recoup_at(db, "2024-12-31")
        .args(["--json", "show", "debtor", &fi.to_string()])
        .assert()
        .success();
    json_of(&out.get_output().stdout)
}

#[test]
fn spec_example_posts_49_86_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let fi = debtor(&db, &simple_10_percent_from_jan_1(), 100_000, "2023-12-01");
    // docs/money.md: 1,000.00 simple at 10 % from 2024-01-01 through 2024-07-01 = 182 days;
    // 1000 × 0.10 × 182 / 365 = 49.8630… → 49.86, posted as 499 Total Accrued Interest.
    let run = accrue_json(&db, "2024-07-01", &[]);
    assert_eq!(run["count"], 1);
    assert_eq!(run["total"], "49.86");
    let line = &run["posted"][0];
    assert_eq!(line["file"], fi);
    assert_eq!(line["type"], "499");
    assert_eq!(line["days"], 182);
    assert_eq!(line["from"], "2024-01-01");
    assert_eq!(line["amount"], "49.86");
    let d = show(&db, fi);
    assert_eq!(d["de.in"], "49.86");
    assert_eq!(d["de.ow"], "1049.86");
    // Running it again for the same date posts nothing more.
    let again = accrue_json(&db, "2024-07-01", &[]);
    assert_eq!(again["count"], 0);
    assert_eq!(again["skipped"]["already_accrued"], 1);
    assert_eq!(show(&db, fi)["de.ow"], "1049.86");
}

#[test]
fn two_runs_post_what_one_run_posts() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let fi = debtor(&db, &simple_10_percent_from_jan_1(), 100_000, "2023-12-01");
    // Through 2024-03-15: Jan 2–31 30 + Feb 29 + Mar 15 = 74 days;
    // 1000 × 0.1 × 74/365 = 20.2739… → 20.27.
    let first = accrue_json(&db, "2024-03-15", &["--debtor", &fi.to_string()]);
    assert_eq!(first["posted"][0]["amount"], "20.27");
    // Then through 2024-07-01: round(49.8630…) − round(20.2739…) = 49.86 − 20.27 = 29.59,
    // so the two together are the 49.86 of one run (108 days from 2024-03-15).
    let second = accrue_json(&db, "2024-07-01", &[]);
    assert_eq!(second["posted"][0]["amount"], "29.59");
    assert_eq!(second["posted"][0]["days"], 108);
    assert_eq!(second["posted"][0]["from"], "2024-03-15");
    assert_eq!(show(&db, fi)["de.in"], "49.86");
}

#[test]
fn compound_interest_compounds_at_month_end_and_posts_402() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let fi = debtor(
        &db,
        &[
            ("de.ity", Value::Text("compound".into())),
            ("de.irt", Value::Percent(dec!(12))),
            ("de.ifd", Value::Date(day("2024-01-31"))),
        ],
        100_000,
        "2024-01-01",
    );
    // 1,000.00 at 12 % from 2024-01-31 through 2024-03-31.
    // Feb (29 days): 1000 × 0.12 × 29/365 = 9.534246…, compounded on Feb 29.
    // Mar (31 days): 1009.534246… × 0.12 × 31/365 = 10.288951…
    // Total 19.823198… → 19.82 (simple would be 1000 × 0.12 × 60/365 = 19.73).
    let run = accrue_json(&db, "2024-03-31", &[]);
    assert_eq!(run["posted"][0]["type"], "402");
    assert_eq!(run["posted"][0]["amount"], "19.82");
    assert_eq!(show(&db, fi)["de.in"], "19.82");
}

/// 1,000.00 at 36.5 % simple from 2024-01-01 (1.00 a day), 109.00 paid on Jan 11.
fn paid_109_on_jan_11(db: &Path) {
    let fi = debtor(
        db,
        &[
            ("de.ity", Value::Text("simple".into())),
            ("de.irt", Value::Percent(dec!(36.5))),
            ("de.ifd", Value::Date(day("2024-01-01"))),
        ],
        100_000,
        "2024-01-01",
    );
    recoup_at(db, "2024-01-11")
        .args(["post", "--debtor", &fi.to_string(), "--type", "101"])
        .args(["--to-us", "109.00", "--date", "2024-01-11"])
        .assert()
        .success();
}

#[test]
fn payments_pay_accrued_interest_before_principal() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    paid_109_on_jan_11(&db);
    // 36.5 % on 1,000 is 1.00 a day. Jan 2–10: 9.00 accrued. The 109.00 paid on Jan 11
    // pays the 9.00 interest, then 100.00 principal: Jan 11–20 on 900 = 10 × 0.90 = 9.00.
    // Total 18.00 (20.00 if the payment did not reduce the interest-bearing principal).
    let run = accrue_json(&db, "2024-01-20", &[]);
    assert_eq!(run["posted"][0]["amount"], "18.00");
}

#[test]
fn a_judgment_leaves_out_earlier_transactions_and_accrues_at_its_rate() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let fi = debtor(
        &db,
        &[
            ("de.ity", Value::Text("simple".into())),
            ("de.irt", Value::Percent(dec!(10))),
            ("de.jrt", Value::Percent(dec!(5))),
            ("de.ifd", Value::Date(day("2023-06-01"))),
        ],
        100_000,
        "2023-06-01",
    );
    let post = |ty: &str, amount: &str, date: &str| {
        recoup_at(&db, "2024-01-02")
            .args(["post", "--debtor", &fi.to_string(), "--type", ty])
            .args(["--to-us", amount, "--date", date])
            .assert()
            .success();
    };
    post("101", "200.00", "2023-09-01");
    // Before the judgment: 1,000.00 principal less 200.00 paid.
    assert_eq!(show(&db, fi)["de.ow"], "800.00");
    // The judgment date is set (as an import update or a plan would), then the judgment
    // principal and interest are posted on it.
    {
        let store = Store::open(&db).unwrap();
        recoup::money::update_debtor_fields(
            store.conn(),
            fi,
            &[(by_code("de.jd").unwrap(), Value::Date(day("2024-01-01")))],
        )
        .unwrap();
    }
    post("194", "-1500.00", "2024-01-01");
    post("195", "-300.00", "2024-01-01");
    // A payment dated before the judgment, posted late, is left out too.
    post("101", "50.00", "2023-12-15");
    // S2:2194-2196: only the judgment's transactions count: 1,500 + 300 = 1,800.
    let d = show(&db, fi);
    assert_eq!(d["de.pr"], "1500.00");
    assert_eq!(d["de.in"], "300.00");
    assert_eq!(d["de.pa"], "0.00");
    assert_eq!(d["de.ow"], "1800.00");
    // A full recalculation agrees with what posting stored.
    let store = Store::open(&db).unwrap();
    let stored = recoup::money::recalc::stored_totals(store.conn(), fi).unwrap();
    assert_eq!(
        recoup::money::recalc::totals(store.conn(), fi).unwrap(),
        stored
    );
    drop(store);
    // Interest runs from the judgment date at the judgment rate, on the judgment
    // principal: 2024-01-02 … 2024-12-31 = 365 days; 1500 × 0.05 × 365/365 = 75.00,
    // posted as 495 Additional Judgement Interest.
    let run = accrue_json(&db, "2024-12-31", &[]);
    assert_eq!(run["posted"][0]["type"], "495");
    assert_eq!(run["posted"][0]["from"], "2024-01-01");
    assert_eq!(run["posted"][0]["amount"], "75.00");
}

#[test]
fn percent_types_take_their_amount_from_the_debtor() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let fi = debtor(&db, &simple_10_percent_from_jan_1(), 100_000, "2023-12-01");
    let post = |ty: &str, percent: &str, date: &str| {
        let out = recoup_at(&db, date)
            .args(["--json", "post", "--debtor", &fi.to_string(), "--type", ty])
            .args(["--percent", percent, "--date", date])
            .assert()
            .success();
        json_of(&out.get_output().stdout)
    };
    // 161 at −100 % on 2024-07-01 capitalizes the 49.86 accrued (SPEC example):
    // principal 1,049.86, no interest left to accrue through that date.
    post("161", "-100", "2024-07-01");
    let d = show(&db, fi);
    assert_eq!(d["de.pr"], "1049.86");
    assert_eq!(d["de.in"], "0.00");
    let run = accrue_json(&db, "2024-07-01", &[]);
    assert_eq!(run["count"], 0);
    // 163 at −10 % of principal: −104.986 → −104.99 To Us, principal 1,154.85.
    post("163", "-10", "2024-07-02");
    assert_eq!(show(&db, fi)["de.pr"], "1154.85");
    // 162 at −5 % of owing 1,154.85: −57.7425 → −57.74, owing 1,212.59.
    let p = post("162", "-5", "2024-07-03");
    assert_eq!(p["owing"], "1212.59");
    // Accrual from 2024-07-01 follows the principal history:
    // Jul 2: 1 day on 1,154.85; Jul 3–10: 8 days on 1,212.59 (162 raised principal too).
    // 1154.85 × 0.1/365 = 0.316397…; 1212.59 × 0.1 × 8/365 = 2.657731…; 2.974128… in all.
    // Posted as the difference of rounded totals from 2024-01-01:
    // round(49.863013… + 2.974128…) − round(49.863013…) = 52.84 − 49.86 = 2.98.
    let run = accrue_json(&db, "2024-07-10", &[]);
    assert_eq!(run["posted"][0]["amount"], "2.98");
}

#[test]
fn percent_on_an_ordinary_type_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let fi = debtor(&db, &simple_10_percent_from_jan_1(), 100_000, "2023-12-01");
    recoup_at(&db, "2024-07-01")
        .args(["post", "--debtor", &fi.to_string(), "--type", "101"])
        .args(["--percent", "10"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a percent-of type"));
}

#[test]
fn bad_terms_are_warned_and_skipped_and_an_unknown_debtor_fails() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let bad = debtor(
        &db,
        &[
            ("de.ity", Value::Text("daily".into())),
            ("de.irt", Value::Percent(dec!(10))),
            ("de.ifd", Value::Date(day("2024-01-01"))),
        ],
        100_000,
        "2023-12-01",
    );
    let good = debtor(&db, &simple_10_percent_from_jan_1(), 100_000, "2023-12-01");
    let out = recoup_at(&db, "2024-12-31")
        .args(["--json", "interest", "accrue", "--through", "2024-07-01"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains(&format!("warning: debtor {bad}: de.ity 'daily'")),
        "{stderr}"
    );
    let run = json_of(&out.get_output().stdout);
    assert_eq!(run["skipped"]["bad_terms"], 1);
    assert_eq!(run["warnings"], 1);
    assert_eq!(run["posted"][0]["file"], good);
    recoup_at(&db, "2024-12-31")
        .args([
            "interest",
            "accrue",
            "--through",
            "2024-07-01",
            "--debtor",
            "999",
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("debtor 999 does not exist"));
}

#[test]
fn the_table_names_each_accrual() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let fi = debtor(&db, &simple_10_percent_from_jan_1(), 100_000, "2023-12-01");
    recoup_at(&db, "2024-12-31")
        .args(["interest", "accrue", "--through", "2024-07-01"])
        .assert()
        .success()
        .stdout(predicates::str::contains(format!(
            "{fi:>8}  499   simple         10  2024-01-01  2024-07-01    182         49.86"
        )))
        .stdout(predicates::str::contains(
            "interest through 2024-07-01: 1 posted, total 49.86",
        ));
}

#[test]
fn an_import_that_sets_the_judgment_date_recalculates_the_account() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let fi = debtor(
        &db,
        &[("de.ac", Value::Text("J-1".into()))],
        100_000,
        "2023-06-01",
    );
    assert_eq!(show(&db, fi)["de.ow"], "1000.00");
    let map = dir.path().join("judgments.toml");
    std::fs::write(
        &map,
        "format = \"csv\"\n[options]\nclient = 1001\n[[record]]\ntype = \"debtor\"\n\
         [[record.field]]\nfield = \"de.ac\"\nkey = true\nexact = true\n\
         [[record.field]]\nfield = \"de.jd\"\n",
    )
    .unwrap();
    let input = dir.path().join("judgments.csv");
    std::fs::write(&input, "J-1,2024-01-01\n").unwrap();
    recoup_at(&db, "2024-01-02")
        .args(["import", map.to_str().unwrap(), input.to_str().unwrap()])
        .assert()
        .success();
    // The 1,000.00 original principal of 2023-06-01 predates the judgment: left out.
    let d = show(&db, fi);
    assert_eq!(d["de.jd"], "2024-01-01");
    assert_eq!(d["de.pr"], "0.00");
    assert_eq!(d["de.ow"], "0.00");
}

#[test]
fn an_account_placed_with_a_judgment_counts_only_the_judgment() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let map = dir.path().join("placed.toml");
    std::fs::write(
        &map,
        "format = \"csv\"\n[options]\nclient = 1001\ninclude_transaction_posting = true\n\
         [[record]]\ntype = \"debtor\"\n\
         [[record.field]]\nfield = \"de.ac\"\n\
         [[record.field]]\nfield = \"de.jd\"\n\
         [[record.field]]\nfield = \"de.opr\"\n",
    )
    .unwrap();
    let input = dir.path().join("placed.csv");
    std::fs::write(&input, "J-2,2024-01-01,1000.00\n").unwrap();
    recoup_at(&db, "2023-12-01")
        .args(["import", map.to_str().unwrap(), input.to_str().unwrap()])
        .assert()
        .success();
    // The original principal is posted as a 196 dated the import day, 2023-12-01, which
    // is before the 2024-01-01 judgment: left out (S2:2194-2196), so nothing is owed
    // until the judgment principal is posted.
    let fi: i64 = Store::open(&db)
        .unwrap()
        .conn()
        .query_row("SELECT fi FROM debtor WHERE ac = 'J-2'", [], |r| r.get(0))
        .unwrap();
    let d = show(&db, fi);
    assert_eq!(d["de.opr"], "0.00");
    assert_eq!(d["de.jd"], "2024-01-01");
    assert_eq!(d["de.pr"], "0.00");
    assert_eq!(d["de.ow"], "0.00");
}

#[test]
fn the_setup_declares_what_a_payment_pays_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path());
    let part = dir.path().join("interest.toml");
    std::fs::write(
        &part,
        "[interest]\npayment_order = [\"principal\", \"interest\", \"fees\"]\n",
    )
    .unwrap();
    recoup_at(&db, "2024-01-01")
        .args(["setup", "apply"])
        .arg(&part)
        .assert()
        .success();
    paid_109_on_jan_11(&db);
    // Principal first: the 109.00 of Jan 11 leaves 891.00 bearing interest.
    // Jan 2–10: 9 × 1.00 = 9.00; Jan 11–20: 10 × 0.891 = 8.91. Total 17.91 (18.00 with
    // the default order, interest first).
    let run = accrue_json(&db, "2024-01-20", &[]);
    assert_eq!(run["posted"][0]["amount"], "17.91");
    // setup show prints the order back, and it applies again.
    let shown = recoup_at(&db, "2024-01-20")
        .args(["setup", "show"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("[interest]\npayment_order = [\"principal\", \"interest\", \"fees\"]\n"),
        "{text}"
    );
    // An order that does not name each balance once is exit 2 at its line and column.
    std::fs::write(
        &part,
        "[interest]\npayment_order = [\"interest\", \"interest\", \"fees\"]\n",
    )
    .unwrap();
    recoup_at(&db, "2024-01-20")
        .args(["setup", "apply"])
        .arg(&part)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("interest.toml:2:17"))
        .stderr(predicates::str::contains("once each"));
}
