//! `recoup demo`: the main job in one command (SPEC §10). It grows with every
//! capability; today it builds a fresh database, applies the shipped setup, places
//! accounts for the setup's clients, posts a month of transactions and prints the
//! balances.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::catalog::{self, Value};
use crate::money::{from_cents, Ledger, NewTransaction};
use crate::store::{self, Store};
use crate::{setup, Env, Error, Result};

/// The demo's pinned date, so its outputs are reproducible (SPEC §10).
pub const DEMO_TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2024, 7, 31) {
    Some(d) => d,
    None => panic!("bad demo date"),
};

/// The demo's pinned time of day (note stamps, contact times).
pub const DEMO_TIME: chrono::NaiveTime = match chrono::NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => panic!("bad demo time"),
};

/// A sample account: client, acct, name, address, city, state, zip, ssn, dob,
/// original principal, original interest, delinquency date.
type Account = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const ACCOUNTS: &[Account] = &[
    (
        1001,
        "AC-10001",
        "Doe, John A",
        "12 Elm St",
        "Sacramento",
        "CA",
        "95814",
        "123-45-6789",
        "1980-04-12",
        "1250.00",
        "75.00",
        "2023-11-02",
    ),
    (
        1001,
        "AC-10002",
        "Martinez, Elena",
        "88 Oak Ave",
        "Fresno",
        "CA",
        "93721",
        "234-56-7890",
        "1975-09-30",
        "4310.55",
        "0",
        "2023-08-15",
    ),
    (
        1001,
        "AC-10003",
        "Nguyen, Bao",
        "4 Pine Ct Apt 2",
        "Reno",
        "NV",
        "89501",
        "",
        "1990-01-05",
        "620.00",
        "0",
        "2024-01-20",
    ),
    (
        1001,
        "AC-10004",
        "Smith Plumbing LLC",
        "900 Industrial Way",
        "Stockton",
        "CA",
        "95202",
        "",
        "",
        "15000.00",
        "1200.00",
        "2023-06-30",
    ),
    (
        1002,
        "VM-7781",
        "Johnson, Mary K",
        "301 Cedar Rd",
        "Davis",
        "CA",
        "95616",
        "345-67-8901",
        "1962-12-01",
        "8000.00",
        "0",
        "2023-03-14",
    ),
    (
        1002,
        "VM-7782",
        "Cote, Rene",
        "17 Birch Ln",
        "Portland",
        "OR",
        "97201",
        "456-78-9012",
        "1988-07-22",
        "8600.00",
        "0",
        "2022-10-01",
    ),
    (
        1002,
        "VM-7783",
        "O'Brien, Patrick Jr",
        "55 Maple Dr",
        "Elk Grove",
        "CA",
        "95624",
        "567-89-0123",
        "1971-03-03",
        "320.00",
        "0",
        "2024-02-11",
    ),
    (
        1003,
        "CS-550012",
        "Williams, Tasha",
        "1200 River Rd",
        "West Sacramento",
        "CA",
        "95691",
        "678-90-1234",
        "1985-05-17",
        "2140.00",
        "310.00",
        "2023-12-01",
    ),
    (
        1003,
        "CS-550013",
        "Brown, Kevin",
        "7 Lakeview Ter",
        "Folsom",
        "CA",
        "95630",
        "789-01-2345",
        "1993-11-09",
        "760.25",
        "0",
        "2024-03-05",
    ),
];

/// July's transactions: acct, type, to us, direct, payment date.
const JULY: &[(&str, &str, &str, &str, &str)] = &[
    ("AC-10001", "101", "200.00", "0", "2024-07-03"),
    ("AC-10001", "101", "150.00", "0", "2024-07-19"),
    ("AC-10002", "109", "500.00", "0", "2024-07-08"),
    ("AC-10002", "105", "-500.00", "0", "2024-07-12"),
    ("AC-10002", "301", "", "0", "2024-07-12"),
    ("AC-10003", "101", "620.00", "0", "2024-07-15"),
    ("AC-10004", "111", "0", "2500.00", "2024-07-10"),
    ("AC-10004", "351", "-35.00", "0", "2024-07-20"),
    // The seed's Paid To Date example (S2:4328-4393): commission 125, 250, 225, 400, 325.
    ("VM-7781", "101", "500.00", "0", "2024-07-02"),
    ("VM-7781", "101", "1000.00", "0", "2024-07-09"),
    ("VM-7781", "101", "1000.00", "0", "2024-07-16"),
    ("VM-7781", "101", "2000.00", "0", "2024-07-23"),
    ("VM-7781", "101", "2000.00", "0", "2024-07-30"),
    ("VM-7782", "110", "1000.00", "0", "2024-07-05"),
    ("VM-7782", "110", "2000.00", "0", "2024-07-22"),
    ("VM-7782", "501", "150.00", "0", "2024-07-25"),
    ("VM-7783", "102", "40.00", "0", "2024-07-09"),
    ("CS-550012", "107", "300.00", "0", "2024-07-11"),
    ("CS-550012", "111", "0", "250.00", "2024-07-26"),
    ("CS-550013", "106", "", "0", "2024-07-18"),
    ("CS-550013", "101", "100.00", "0", "2024-07-18"),
];

fn d(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn money(s: &str) -> Option<Decimal> {
    if s.is_empty() {
        None
    } else {
        s.parse().ok()
    }
}

fn field(code: &str) -> Result<&'static catalog::FieldDef> {
    catalog::by_code(code).ok_or_else(|| Error::runtime(format!("catalogue lacks {code}")))
}

pub fn run(env: &Env, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::runtime(format!("{}: {e}", out.display())))?;
    let db = out.join("recoup.db");
    for suffix in ["", "-wal", "-shm"] {
        let p = out.join(format!("recoup.db{suffix}"));
        if p.exists() {
            std::fs::remove_file(&p)
                .map_err(|e| Error::runtime(format!("{}: {e}", p.display())))?;
        }
    }
    let mut store = Store::open(&db)?;
    setup::apply_str(
        store.conn_mut(),
        Path::new("setup.toml (shipped)"),
        setup::SHIPPED_SETUP,
    )?;

    let tx = store.conn_mut().transaction()?;
    let mut ledger = Ledger::new(env.today);
    let listed = d("2024-06-28");
    let mut files = Vec::new();
    for a in ACCOUNTS {
        let mut values = vec![
            (field("de.ac")?, Value::Text(a.1.into())),
            (field("de.na")?, Value::Text(a.2.into())),
            (field("de.ad")?, Value::Text(a.3.into())),
            (field("de.ci")?, Value::Text(a.4.into())),
            (field("de.st")?, Value::Text(a.5.into())),
            (field("de.zi")?, Value::Text(a.6.into())),
            (field("de.ok")?, Value::Flag(true)),
        ];
        if !a.7.is_empty() {
            values.push((field("de.ss")?, Value::Text(a.7.into())));
        }
        if let Some(dob) = d(a.8) {
            values.push((field("de.dob")?, Value::Date(dob)));
        }
        if let Some(dq) = d(a.11) {
            values.push((field("de.dq")?, Value::Date(dq)));
        }
        let fi = store::create_debtor(&tx, a.0, &values, listed.unwrap_or(env.today), true)?;
        // Original principal and interest arrive as 196/197 with negative To Us (S2:5068-5075).
        for (code, amount) in [("196", a.9), ("197", a.10)] {
            let amount: Decimal = amount.parse().unwrap_or_default();
            if !amount.is_zero() {
                ledger.post(
                    &tx,
                    &NewTransaction {
                        file_number: fi,
                        type_code: code.into(),
                        to_us: Some(-amount),
                        payment_date: listed,
                        ..Default::default()
                    },
                )?;
            }
        }
        files.push((a.1, fi));
    }
    // Accounts of reporting clients are activated for the bureaus at placement
    // (setup auto_activate; SPEC §5): start date, one-time minimum test, Metro contact.
    crate::metro2::cbr::auto_activate(&tx, env.today)?;
    // New accounts run their client's new-account plan (S2:716-733).
    let mut runner = crate::plans::PlanRunner::new(&tx, env)?;
    for (_, fi) in &files {
        let plan: Option<String> = tx.query_row(
            "SELECT c.np FROM client c JOIN debtor d ON d.cn = c.nu WHERE d.fi = ?1",
            [fi],
            |r| r.get(0),
        )?;
        if let Some(plan) = plan.filter(|p| !p.trim().is_empty()) {
            runner.run(&tx, *fi, &plan, listed.unwrap_or(env.today))?;
        }
    }
    let mut commission = Decimal::ZERO;
    let mut tax = Decimal::ZERO;
    for (acct, code, to_us, direct, date) in JULY {
        let fi = files
            .iter()
            .find(|(a, _)| a == acct)
            .map(|(_, f)| *f)
            .ok_or_else(|| Error::runtime(format!("demo data: unknown acct {acct}")))?;
        let posted = ledger.post(
            &tx,
            &NewTransaction {
                file_number: fi,
                type_code: (*code).into(),
                to_us: money(to_us),
                direct: money(direct),
                payment_date: d(date),
                ..Default::default()
            },
        )?;
        commission += posted.commission;
        tax += posted.tax;
    }
    tx.commit()?;

    println!("recoup demo — {} (today {})", db.display(), env.today);
    println!();
    println!(
        "{:>5} {:>5} {:<22} {:>10} {:>8} {:>7} {:>10} {:>10}",
        "file", "clnt", "name", "principal", "interest", "fees", "paid", "owing"
    );
    print_balances(store.conn())?;
    println!();
    println!(
        "July: {} transactions posted, commission {commission:.2}, tax {tax:.2}",
        JULY.len()
    );

    // Month-end: one statement per client for July, dated August 1.
    let (from, to) = (
        d("2024-07-01").unwrap_or(env.today),
        d("2024-07-31").unwrap_or(env.today),
    );
    let tx = store.conn_mut().transaction()?;
    let statements = crate::statements::generate(&tx, from, to, None, false)?;
    tx.commit()?;
    println!();
    println!(
        "{:>5} {:>6} {:<5} {:>10} {:>10} {:>10}",
        "stmt", "client", "remit", "to us", "cheque", "due"
    );
    for s in &statements {
        println!(
            "{:>5} {:>6} {:<5} {:>10} {:>10} {:>10}",
            s.statement,
            s.client,
            s.remit.code(),
            from_cents(s.to_us),
            from_cents(s.check),
            from_cents(s.due_from_client)
        );
    }
    // The statements as PDF and text, and the cheque register.
    let stmt_dir = out.join("statements");
    let sel = crate::statements::print::Selection::Period(from, to);
    let mut files = crate::statements::print::print(
        env,
        store.conn(),
        &sel,
        &stmt_dir,
        crate::statements::print::PrintFormat::Pdf,
    )?;
    files.extend(crate::statements::print::print(
        env,
        store.conn(),
        &sel,
        &stmt_dir,
        crate::statements::print::PrintFormat::Text,
    )?);
    files.sort();
    files.dedup();
    println!();
    println!("statements:");
    for f in &files {
        println!("  {}", f.display());
    }
    metro2_file(&mut store, env, out)?;
    println!();
    println!("database: {}", db.display());
    Ok(())
}

/// Month-end credit reporting: July's Metro 2 file, validated, contacts marked done.
fn metro2_file(store: &mut Store, env: &Env, out: &Path) -> Result<()> {
    use crate::metro2::generate::{generate, print_summary, GenerateOptions};
    let path = out.join("metro2.txt");
    let opts = GenerateOptions {
        out: path.clone(),
        as_of: d("2024-07-31"),
        mark_done: true,
        ..GenerateOptions::default()
    };
    let mut warnings = Vec::new();
    let summary = generate(store.conn_mut(), env, &opts, &mut warnings)?;
    println!();
    let mut stdout = std::io::stdout();
    print_summary(&mut stdout, &summary)?;
    for line in String::from_utf8_lossy(&warnings).lines() {
        println!("  {line}");
    }
    let file = std::fs::File::open(&path)
        .map_err(|e| Error::runtime(format!("{}: {e}", path.display())))?;
    let report = crate::metro2::validate::validate(
        std::io::BufReader::new(file),
        crate::metro2::Profile::Collection,
    );
    println!(
        "  validate --profile collection: {} error(s), {} warning(s)",
        report.counts.errors, report.counts.warnings
    );
    if report.has_errors() {
        return Err(Error::validation(format!(
            "{}: the demo's Metro 2 file fails validation",
            path.display()
        )));
    }
    Ok(())
}

/// The balances table: one line per debtor.
fn print_balances(conn: &rusqlite::Connection) -> Result<()> {
    let mut stmt =
        conn.prepare("SELECT fi, cn, na, pr, intr, fe, pa, ow FROM debtor ORDER BY fi")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let name: String = r.get(2)?;
        println!(
            "{:>5} {:>5} {:<22} {:>10} {:>8} {:>7} {:>10} {:>10}",
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            name.chars().take(22).collect::<String>(),
            from_cents(r.get(3)?),
            from_cents(r.get(4)?),
            from_cents(r.get(5)?),
            from_cents(r.get(6)?),
            from_cents(r.get(7)?),
        );
    }
    Ok(())
}
