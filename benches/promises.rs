//! A promise sweep over 1,000,000 promises (250,000 debtors with four monthly promises
//! each, one kept), on generated data: half the promises are broken on the sweep date
//! and each gets a 320 late fee posted. Also times the `promises --broken` listing.
//! Run: `cargo bench --bench promises` (PROMISES=… to change the size).

use std::path::Path;
use std::time::Instant;

use chrono::{NaiveDate, NaiveTime};
use recoup::env::measure::peak_rss_mb;
use recoup::store::Store;
use recoup::Env;

const PER_DEBTOR: i64 = 4;

fn main() {
    let total: i64 = std::env::var("PROMISES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let debtors = total / PER_DEBTOR;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut env = Env::for_db(
        dir.path().join("p.db"),
        NaiveDate::from_ymd_opt(2024, 8, 15).expect("date"),
    );
    env.now = NaiveTime::from_hms_opt(9, 0, 0).expect("time");
    let mut store = Store::open(&env.db).expect("open");
    recoup::setup::apply_str(
        store.conn_mut(),
        Path::new("s.toml"),
        "[company]\nname = \"Bench\"\n\n[[client]]\nnumber = 1\nname = \"Client\"\n\n[promises]\ngrace_days = 10\nlate_fee = \"15.00\"\n",
    )
    .expect("setup");
    // Generated directly: each debtor owes 400.00 (its totals stored as posting would
    // leave them) and promised 100.00 on 06-01, 07-01, 08-01 and 09-01; the first kept.
    let t = Instant::now();
    {
        let tx = store.conn_mut().transaction().expect("tx");
        {
            let mut de = tx
                .prepare(
                    "INSERT INTO debtor (fi, cn, na, mo, pr, ow, opr, npd, arr)
                     VALUES (?1, 1, ?2, 'A', 40000, 40000, 40000, '2024-07-01', 10000)",
                )
                .expect("prep");
            let mut co = tx
                .prepare(
                    "INSERT INTO contact (fi, ty, de, du, am, pa, done, dd, st)
                     VALUES (?1, 'Promise', 'Arrangement payment', ?2, 10000, ?3, ?4, ?5, ?6)",
                )
                .expect("prep");
            for fi in 1..=debtors {
                de.execute(rusqlite::params![fi, format!("Debtor, No {fi}")])
                    .expect("debtor");
                for k in 0..PER_DEBTOR {
                    let due = format!("2024-{:02}-01", 6 + k);
                    let kept = k == 0;
                    co.execute(rusqlite::params![
                        fi,
                        due,
                        if kept { 10000 } else { 0 },
                        kept,
                        kept.then_some("2024-06-01"),
                        if kept { "Completed" } else { "In Progress" }
                    ])
                    .expect("promise");
                }
            }
        }
        tx.commit().expect("commit");
    }
    println!(
        "generated {debtors} debtors, {total} promises in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let rows =
        recoup::arrangements::sweep::list(store.conn(), env.today, true, None).expect("list");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "promises --broken: {} rows in {secs:.2} s = {:.0} rows/s; peak memory {:.0} MB",
        rows.len(),
        rows.len() as f64 / secs,
        peak_rss_mb()
    );
    drop(rows);

    let t = Instant::now();
    let tx = store.conn_mut().transaction().expect("tx");
    let (summary, _) =
        recoup::arrangements::sweep::sweep(&tx, &env, env.today, false).expect("sweep");
    tx.commit().expect("commit");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "promises --sweep: {total} promises, {} broken, {} late fees ({}) in {secs:.2} s = {:.0} promises/s, {:.0} broken/s; peak memory {:.0} MB",
        summary.broken,
        summary.late_fees,
        summary.late_fee_total,
        total as f64 / secs,
        summary.broken as f64 / secs,
        peak_rss_mb()
    );
}
