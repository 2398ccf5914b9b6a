//! Plans over 100,000 debtors and a letter-service run over 100,000 due letters,
//! on generated data. Run: `cargo bench --bench plans_letters` (N=… to change the size).

use std::path::Path;
use std::time::Instant;

use chrono::{NaiveDate, NaiveTime};
use recoup::catalog::{by_code, Value};
use recoup::env::measure::peak_rss_mb;
use recoup::plans::PlanRunner;
use recoup::store::{self, Store};
use recoup::Env;

fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let today = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
    let mut env = Env::for_db(dir.path().join("b.db"), today);
    env.home = dir.path().to_path_buf();
    env.now = NaiveTime::from_hms_opt(9, 0, 0).expect("time");
    let mut store = Store::open(&env.db).expect("open");
    recoup::setup::apply_str(
        store.conn_mut(),
        Path::new("setup.toml"),
        recoup::setup::SHIPPED_SETUP,
    )
    .expect("setup");
    let f = |c: &str| by_code(c).expect("code");
    let tx = store.conn_mut().transaction().expect("tx");
    for i in 0..n {
        store::create_debtor(
            &tx,
            1001,
            &[
                (f("de.na"), Value::Text(format!("Debtor, Number {i}"))),
                (f("de.ad"), Value::Text(format!("{i} Main St"))),
                (f("de.ci"), Value::Text("Fresno".into())),
                (f("de.st"), Value::Text("CA".into())),
                (f("de.zi"), Value::Text("93721".into())),
                (f("de.ok"), Value::Flag(i % 10 != 0)),
            ],
            today,
            true,
        )
        .expect("debtor");
    }
    tx.commit().expect("commit");
    // Contact controls would (rightly) hold back letters; the benchmark measures the run.
    store
        .conn()
        .execute("DELETE FROM contact_control", [])
        .expect("controls");

    let t = Instant::now();
    let tx = store.conn_mut().transaction().expect("tx");
    let mut runner = PlanRunner::new(&tx, &env).expect("runner");
    let fis: Vec<i64> = tx
        .prepare("SELECT fi FROM debtor")
        .expect("q")
        .query_map([], |r| r.get(0))
        .expect("q")
        .map(|r| r.expect("fi"))
        .collect();
    for fi in &fis {
        runner.run(&tx, *fi, "NEW", today).expect("plan");
    }
    tx.commit().expect("commit");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "plans: NEW on {} debtors in {secs:.2} s = {:.0} debtors/s; peak memory {:.0} MB",
        fis.len(),
        fis.len() as f64 / secs,
        peak_rss_mb()
    );

    let t = Instant::now();
    let tx = store.conn_mut().transaction().expect("tx");
    let opts = recoup::letters::service::ServiceOptions {
        from: today,
        to: today,
        format: recoup::letters::service::Format::Ontario,
        k03: false,
        print_unverified: false,
        cosigners: false,
        mark_done: true,
    };
    let (bytes, summary) = recoup::letters::service::run(&env, &tx, &opts).expect("service");
    tx.commit().expect("commit");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "letter service: {} letters ({} MB) in {secs:.2} s = {:.0} letters/s; peak memory {:.0} MB",
        summary.total(),
        bytes.len() / 1_000_000,
        summary.total() as f64 / secs,
        peak_rss_mb()
    );
}
