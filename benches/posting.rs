//! Posting throughput: 1,000,000 transactions with commission, tax and debtor
//! recalculation, in one database transaction, on generated data.
//! Run: `cargo bench --bench posting` (prints transactions/s and peak memory).

use std::time::Instant;

use chrono::NaiveDate;
use recoup::catalog::{by_code, Value};
use recoup::env::measure::peak_rss_mb;
use recoup::money::{Ledger, NewTransaction};
use recoup::store::{self, Store};
use rust_decimal::Decimal;

fn main() {
    let total: usize = std::env::var("POSTING_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let per_debtor = 10;
    let debtors = total / per_debtor;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("bench.db");
    let mut store = Store::open(&db).expect("open");
    recoup::setup::apply_str(
        store.conn_mut(),
        std::path::Path::new("setup.toml"),
        recoup::setup::SHIPPED_SETUP,
    )
    .expect("setup");
    let today = NaiveDate::from_ymd_opt(2024, 7, 31).expect("date");
    let na = by_code("de.na").expect("de.na");
    let tx = store.conn_mut().transaction().expect("tx");
    let mut ledger = Ledger::new(today);
    let start = Instant::now();
    let mut posted = 0usize;
    for i in 0..debtors {
        let client = [1001, 1002, 1003][i % 3];
        let fi = store::create_debtor(
            &tx,
            client,
            &[(na, Value::Text(format!("Debtor, Number {i}")))],
            today,
            true,
        )
        .expect("debtor");
        ledger
            .post(
                &tx,
                &NewTransaction {
                    file_number: fi,
                    type_code: "196".into(),
                    to_us: Some(Decimal::new(-500_000, 2)),
                    ..Default::default()
                },
            )
            .expect("196");
        posted += 1;
        for k in 1..per_debtor {
            let code = if k % 9 == 0 { "105" } else { "101" };
            let amount = if code == "105" {
                Decimal::new(-1_000, 2)
            } else {
                Decimal::new(1_000 + (k as i64) * 137, 2)
            };
            ledger
                .post(
                    &tx,
                    &NewTransaction {
                        file_number: fi,
                        type_code: code.into(),
                        to_us: Some(amount),
                        payment_date: NaiveDate::from_ymd_opt(2024, 7, k as u32),
                        ..Default::default()
                    },
                )
                .expect("post");
            posted += 1;
        }
    }
    tx.commit().expect("commit");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "posting: {posted} transactions ({debtors} debtors) in {secs:.2} s = {:.0} transactions/s; peak memory {:.0} MB",
        posted as f64 / secs,
        peak_rss_mb()
    );
}
