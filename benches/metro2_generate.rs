//! `metro2 generate` from a database of 1,000,000 reportable debtors (1 in 7 with
//! a reported cosigner, 1 in 10 paid, 1 in 5 with a payment in the as-of month),
//! created with a direct insert. Prints the seconds (wall and CPU) and the peak
//! resident memory of the generate phase. Run: `cargo bench --bench metro2_generate`
//! (ACCOUNTS=N to change the count; MARK_DONE=1 also times a --mark-done run).

use std::path::Path;
use std::time::Instant;

use chrono::NaiveDate;
use recoup::catalog;
use recoup::env::measure::{cpu_seconds, peak_rss_mb};
use recoup::metro2::generate::{generate, GenerateOptions};
use recoup::store::Store;
use recoup::Env;
use rusqlite::params;

/// Reset the peak-RSS mark so the next phase is measured alone (Linux).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn c(code: &str) -> &'static str {
    catalog::by_code(code).expect("catalogue field").column
}

const SETUP: &str = r#"
[company]
name = "Summit Recovery Services"
address = "100 Main St"
city = "Sacramento"
state = "CA"
zip = "95814"
phone = "916-555-0199"

[credit_bureau]
equifax_id = "EQ12345678"
experian_id = "EX123"
transunion_id = "TU12345678"
identification_number = "SUMMIT01"
auto_activate = true

[[client]]
number = 1
name = "Acme Bank N.A."
type = "12"
report_to_bureaus = true
send_client_detail = true
"#;

fn populate(store: &mut Store, n: i64) {
    recoup::setup::apply_str(store.conn_mut(), Path::new("setup.toml"), SETUP).expect("setup");
    let tx = store.conn_mut().transaction().expect("tx");
    {
        let dsql = format!(
            "INSERT INTO debtor (fi, cn, {na}, {ad}, {ci}, {st}, {zi}, {ss}, {dob}, {hp}, {li}, {dq},
                                 {opr}, {ow}, {lpd}, {mo}, {cbr}, {cbd})
             VALUES (?1, 1, ?2, '12 Elm St Apt #4', 'Sacramento', 'CA', '95814', ?3, '1980-03-01',
                     '916-555-0100', '2024-01-15', '2023-02-01', ?4, ?5, ?6, 'A', 1, '2024-01-15')",
            na = c("de.na"),
            ad = c("de.ad"),
            ci = c("de.ci"),
            st = c("de.st"),
            zi = c("de.zi"),
            ss = c("de.ss"),
            dob = c("de.dob"),
            hp = c("de.hp"),
            li = c("de.li"),
            dq = c("de.dq"),
            opr = c("de.opr"),
            ow = c("de.ow"),
            lpd = c("de.lpd"),
            mo = c("de.mo"),
            cbr = c("de.cbr"),
            cbd = c("de.cbd"),
        );
        let csql = format!(
            "INSERT INTO cosigner (fi, {na}, {ss}, {sm}, {cbr}) VALUES (?1, 'Doe, John', '587-65-4321', 1, 1)",
            na = c("cs.na"),
            ss = c("cs.ss"),
            sm = c("cs.sm"),
            cbr = c("cs.cbr"),
        );
        let tsql = format!(
            "INSERT INTO trans (fi, {ty}, {py}, {pd}, {tu}, {ft}) VALUES (?1, '101', '2024-06-10', '2024-06-10', ?2, 'payment')",
            ty = c("tr.ty"),
            py = c("tr.py"),
            pd = c("tr.pd"),
            tu = c("tr.tu"),
            ft = c("tr.ft"),
        );
        let mut d = tx.prepare(&dsql).expect("debtor insert");
        let mut cs = tx.prepare(&csql).expect("cosigner insert");
        let mut t = tx.prepare(&tsql).expect("trans insert");
        let surnames = ["Smith", "Côté", "O'Brien", "Van-Deusen", "Nguyen", "García"];
        let firsts = ["Ann", "José", "Marie Ève", "John Q", "Li"];
        for i in 0..n {
            let fi = 1000 + i;
            let name = format!(
                "{}, {}",
                surnames[(i % 6) as usize],
                firsts[(i % 5) as usize]
            );
            let ssn = format!("{:03}-{:02}-{:04}", 100 + i % 500, 1 + i % 98, 1 + i % 9998);
            let opr = 50_000 + i % 900_000;
            let owing = if i % 10 == 0 { 0 } else { 40_000 + i % 700_000 };
            d.execute(params![fi, name, ssn, opr, owing, "2024-06-10"])
                .expect("debtor");
            if i % 7 == 0 {
                cs.execute([fi]).expect("cosigner");
            }
            if i % 5 == 0 {
                t.execute(params![fi, 2_500 + i % 10_000]).expect("trans");
            }
        }
    }
    tx.commit().expect("commit");
}

fn main() {
    let n: i64 = std::env::var("ACCOUNTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("bench.db");
    let mut store = Store::open(&db).expect("open");
    let t = Instant::now();
    populate(&mut store, n);
    println!(
        "populate: {n} debtors in {:.2} s",
        t.elapsed().as_secs_f64()
    );

    let day = NaiveDate::from_ymd_opt(2024, 6, 30).expect("date");
    let env = Env::for_db(&db, day);
    let out = dir.path().join("metro2.txt");
    let mut opts = GenerateOptions {
        out: out.clone(),
        ..GenerateOptions::default()
    };
    reset_peak();
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let mut warnings = std::io::sink();
    let s = generate(store.conn_mut(), &env, &opts, &mut warnings).expect("generate");
    let wall = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(&out).map_or(0, |m| m.len()) as f64 / 1e6;
    println!(
        "generate: {} reported ({} base, {} J1, {} K1), {} excluded in {wall:.2} s ({:.2} s CPU) = {:.0} debtors/s, file {size:.1} MB, peak RSS {:.1} MB",
        s.reported,
        s.counts.base,
        s.counts.j1,
        s.counts.k1,
        s.excluded.values().sum::<u64>(),
        cpu_seconds() - cpu,
        n as f64 / wall,
        peak_rss_mb()
    );
    if std::env::var("MARK_DONE").is_ok_and(|v| v == "1") {
        opts.mark_done = true;
        reset_peak();
        let (t, cpu) = (Instant::now(), cpu_seconds());
        let s = generate(store.conn_mut(), &env, &opts, &mut warnings).expect("mark done");
        println!(
            "generate --mark-done: {} marked in {:.2} s ({:.2} s CPU), peak RSS {:.1} MB",
            s.marked_done,
            t.elapsed().as_secs_f64(),
            cpu_seconds() - cpu,
            peak_rss_mb()
        );
    }
}
