//! Interest accrual over 1,000,000 debtors (docs/money.md): `interest accrue` over every
//! account with an interest type, on generated data.
//! Run: `cargo bench --bench interest` (DEBTORS=… to change the size).

use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use recoup::env::measure::peak_rss_mb;
use recoup::money::accrual::accrue;
use recoup::money::Ledger;
use recoup::store::Store;

fn main() {
    let debtors: i64 = std::env::var("DEBTORS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("i.db")).expect("open");
    recoup::setup::apply_str(
        store.conn_mut(),
        Path::new("s.toml"),
        "[company]\nname = \"Bench\"\n",
    )
    .expect("setup");
    // Generated directly (posting speed is measured by benches/posting.rs): simple and
    // compound accounts, an original principal each, a later principal on every fifth
    // and a payment on every third, so the engine walks a principal history.
    let t = Instant::now();
    {
        let tx = store.conn_mut().transaction().expect("tx");
        {
            tx.execute(
                "INSERT INTO client (nu, na, rt) VALUES (1, 'Bench', '30')",
                [],
            )
            .expect("client");
            let mut de = tx
                .prepare(
                    "INSERT INTO debtor (fi, cn, na, mo, ity, irt, ifd, pr, ow, opr)
                     VALUES (?1, 1, ?2, 'A', ?3, ?4, '2024-01-01', ?5, ?5, ?5)",
                )
                .expect("prep");
            let mut tr = tx
                .prepare(
                    "INSERT INTO trans (fi, ty, py, pd, tu, di, cm, tx, os, oc, ft)
                     VALUES (?1, ?2, ?3, ?3, ?4, 0, 0, 0, 1, 1, ?5)",
                )
                .expect("prep");
            for fi in 1..=debtors {
                let kind = if fi % 2 == 0 { "simple" } else { "compound" };
                let rate = ["8", "10", "12.5", "18"][(fi % 4) as usize];
                let principal = 50_000 + (fi % 1_000) * 1_000;
                de.execute(rusqlite::params![
                    fi,
                    format!("Debtor, No {fi}"),
                    kind,
                    rate,
                    principal
                ])
                .expect("debtor");
                tr.execute(rusqlite::params![
                    fi,
                    "196",
                    "2023-12-01",
                    -principal,
                    "principal"
                ])
                .expect("trans");
                if fi % 5 == 0 {
                    tr.execute(rusqlite::params![
                        fi,
                        "160",
                        "2024-03-01",
                        -5_320,
                        "principal"
                    ])
                    .expect("trans");
                }
                if fi % 3 == 0 {
                    tr.execute(rusqlite::params![
                        fi,
                        "101",
                        "2024-04-15",
                        10_000,
                        "payment"
                    ])
                    .expect("trans");
                }
            }
        }
        tx.commit().expect("commit");
    }
    println!(
        "generated {debtors} debtors with interest in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let through = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
    let t = Instant::now();
    let tx = store.conn_mut().transaction().expect("tx");
    let mut ledger = Ledger::new(through);
    let order = recoup::money::interest::DEFAULT_PAYMENT_ORDER;
    let run = accrue(&tx, &mut ledger, through, &[], order, |_| {}).expect("accrue");
    tx.commit().expect("commit");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "interest accrue: {} debtors posted, total {:.2}, in {secs:.2} s = {:.0} debtors/s; peak memory {:.0} MB",
        run.posted,
        run.total,
        run.posted as f64 / secs,
        peak_rss_mb()
    );
    assert_eq!(run.posted as i64, debtors, "every generated debtor accrues");
}
