//! Month-end for 1,000 clients and 1,000,000 transactions: statement generation (and
//! text printing of every statement), on generated data.
//! Run: `cargo bench --bench month_end` (CLIENTS=…, TRANS=… to change the size).

use std::path::Path;
use std::time::Instant;

use chrono::{NaiveDate, NaiveTime};
use recoup::env::measure::peak_rss_mb;
use recoup::store::Store;
use recoup::Env;

fn main() {
    let clients: i64 = std::env::var("CLIENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000);
    let total: i64 = std::env::var("TRANS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let per_debtor = 10;
    let debtors = total / per_debtor;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut env = Env::for_db(
        dir.path().join("m.db"),
        NaiveDate::from_ymd_opt(2024, 8, 1).expect("date"),
    );
    env.now = NaiveTime::from_hms_opt(9, 0, 0).expect("time");
    let mut store = Store::open(&env.db).expect("open");
    recoup::setup::apply_str(
        store.conn_mut(),
        Path::new("s.toml"),
        "[company]\nname = \"Bench\"\n",
    )
    .expect("setup");
    // Generated directly (posting speed is measured by benches/posting.rs): clients of
    // all three remit types, payments, reversals, direct payments and client fees.
    let t = Instant::now();
    {
        let tx = store.conn_mut().transaction().expect("tx");
        {
            let mut cl = tx
                .prepare("INSERT INTO client (nu, na, rm, rt, bn) VALUES (?1, ?2, ?3, '30', 1)")
                .expect("prep");
            for c in 1..=clients {
                let remit = ["N", "G", "C"][(c % 3) as usize];
                cl.execute(rusqlite::params![c, format!("Client {c}"), remit])
                    .expect("client");
            }
            let mut de = tx
                .prepare("INSERT INTO debtor (fi, cn, na, ac, mo) VALUES (?1, ?2, ?3, ?4, 'A')")
                .expect("prep");
            let mut tr = tx
                .prepare(
                    "INSERT INTO trans (fi, ty, de, py, pd, tu, di, cm, tx, os, oc, ft)
                     VALUES (?1, ?2, 'generated', ?3, ?3, ?4, ?5, ?6, 0, 0, 0, ?7)",
                )
                .expect("prep");
            for fi in 1..=debtors {
                let client = 1 + fi % clients;
                de.execute(rusqlite::params![
                    fi,
                    client,
                    format!("Debtor, No {fi}"),
                    format!("A{fi:08}")
                ])
                .expect("debtor");
                for k in 0..per_debtor {
                    let day = 1 + (k * 3) % 28;
                    let date = format!("2024-07-{day:02}");
                    let (ty, tu, di, ft) = match k {
                        0 => ("105", -2_000, 0, "payment"),
                        1 => ("111", 0, 5_000, "payment"),
                        2 => ("397", -1_500, 0, "client_fee"),
                        _ => ("101", 1_000 + k * 100, 0, "payment"),
                    };
                    let cm = (tu + di) * 30 / 100;
                    tr.execute(rusqlite::params![
                        fi,
                        ty,
                        date,
                        tu,
                        di,
                        if ft == "payment" { cm } else { 0 },
                        ft
                    ])
                    .expect("trans");
                }
            }
        }
        tx.commit().expect("commit");
    }
    println!(
        "generated {clients} clients, {debtors} debtors, {total} transactions in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let tx = store.conn_mut().transaction().expect("tx");
    let from = NaiveDate::from_ymd_opt(2024, 7, 1).expect("date");
    let to = NaiveDate::from_ymd_opt(2024, 7, 31).expect("date");
    let list = recoup::statements::generate(&tx, from, to, None, false).expect("generate");
    tx.commit().expect("commit");
    let secs = t.elapsed().as_secs_f64();
    let lines: usize = list.iter().map(|s| s.lines).sum();
    println!(
        "statements generate: {} statements, {lines} lines in {secs:.2} s = {:.0} lines/s; peak memory {:.0} MB",
        list.len(),
        lines as f64 / secs,
        peak_rss_mb()
    );

    let t = Instant::now();
    let out = dir.path().join("print");
    let files = recoup::statements::print::print(
        &env,
        store.conn(),
        &recoup::statements::print::Selection::Period(from, to),
        &out,
        recoup::statements::print::PrintFormat::Text,
    )
    .expect("print");
    println!(
        "statements print (text): {} files in {:.2} s; peak memory {:.0} MB",
        files.len(),
        t.elapsed().as_secs_f64(),
        peak_rss_mb()
    );
}
