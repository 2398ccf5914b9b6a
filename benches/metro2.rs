//! Metro 2 throughput: build + write 1,000,000 accounts, then validate the
//! file. Prints records/s and MB/s and the peak resident memory after each
//! phase. Run: `cargo bench --bench metro2` (ACCOUNTS=N to change the count).

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::time::Instant;

use chrono::NaiveDate;
use recoup::env::measure::{cpu_seconds, peak_rss_mb};
use recoup::metro2::build::{
    build_header, build_records, AccountInput, BuildOptions, ClientInput, CosignerInput,
    HeaderInput,
};
use recoup::metro2::validate::validate;
use recoup::metro2::{LineEnding, Profile, Writer};
use rust_decimal::Decimal;

fn main() {
    let n: u64 = std::env::var("ACCOUNTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("metro2.txt");
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let opts = BuildOptions {
        as_of: d(2024, 6, 30),
        now: d(2024, 7, 1).and_hms_opt(9, 0, 0).unwrap(),
        identification_number: "SUMMIT01".into(),
        medical_rules: true,
    };
    let (header, _) = build_header(&HeaderInput {
        reporter_name: "Summit Recovery Services".into(),
        address: "100 Main St".into(),
        city: "Sacramento".into(),
        state: "CA".into(),
        zip: "95814".into(),
        phone: "916-555-0199".into(),
        equifax_id: "EQ12345678".into(),
        activity_date: opts.as_of,
        date_created: d(2024, 7, 1),
        ..HeaderInput::default()
    })
    .expect("header");
    let surnames = ["Smith", "Côté", "O'Brien", "Van-Deusen", "Nguyen", "García"];
    let firsts = ["Ann", "José", "Marie Ève", "John Q", "Li"];

    let (t, c) = (Instant::now(), cpu_seconds());
    let mut w = Writer::new(
        BufWriter::with_capacity(1 << 20, File::create(&path).expect("create")),
        LineEnding::Crlf,
    );
    w.header(&header).expect("write header");
    let mut a = AccountInput {
        address1: "12 Elm St Apt #4".into(),
        city: "Sacramento".into(),
        state: "CA".into(),
        zip: "95814".into(),
        dob: Some(d(1980, 3, 1)),
        phone: "916-555-0100".into(),
        listed: Some(d(2024, 1, 15)),
        delinquency: Some(d(2023, 2, 1)),
        last_payment: Some(d(2024, 6, 10)),
        client: ClientInput {
            name: "Acme Bank N.A.".into(),
            classification: "12".into(),
            send_client_detail: true,
            reports_to_bureaus: true,
            ..ClientInput::default()
        },
        ..AccountInput::default()
    };
    let cosigner = CosignerInput {
        name: "Doe, John".into(),
        ssn: "587-65-4321".into(),
        same_address: true,
        report: true,
        ..CosignerInput::default()
    };
    let mut excluded = 0u64;
    for i in 0..n {
        a.file_number = 1000 + i as i64;
        a.name = format!(
            "{}, {}",
            surnames[(i % 6) as usize],
            firsts[(i % 5) as usize]
        );
        a.ssn = format!("{:03}-{:02}-{:04}", 100 + i % 500, 1 + i % 98, 1 + i % 9998);
        a.original_principal = Decimal::new(50_000 + (i % 900_000) as i64, 2);
        a.owing = if i % 10 == 0 {
            Decimal::ZERO
        } else {
            Decimal::new(40_000 + (i % 700_000) as i64, 2)
        };
        a.history.reported_before = i % 10 == 0;
        a.cosigners.clear();
        if i % 7 == 0 {
            a.cosigners.push(cosigner.clone());
        }
        match build_records(&a, &opts) {
            Ok(b) => w.record(&b.segments).expect("write"),
            Err(_) => excluded += 1,
        }
    }
    w.finish().expect("finish");
    let gen = t.elapsed().as_secs_f64();
    let gen_cpu = cpu_seconds() - c;
    let size = std::fs::metadata(&path).expect("size").len() as f64 / 1e6;
    println!(
        "generate: {n} accounts ({excluded} excluded) in {gen:.2} s ({gen_cpu:.2} s CPU) = {:.0} records/s, {:.1} MB/s, file {size:.1} MB, peak RSS {:.1} MB",
        n as f64 / gen,
        size / gen,
        peak_rss_mb()
    );

    let (t, c) = (Instant::now(), cpu_seconds());
    let report = validate(
        BufReader::with_capacity(1 << 20, File::open(&path).expect("open")),
        Profile::Collection,
    );
    let val = t.elapsed().as_secs_f64();
    let val_cpu = cpu_seconds() - c;
    println!(
        "validate: {} records in {val:.2} s ({val_cpu:.2} s CPU) = {:.0} records/s, {:.1} MB/s ({:.1} MB/s per CPU second), {} errors, {} warnings, {} findings, peak RSS {:.1} MB",
        report.counts.base + 2,
        (report.counts.base + 2) as f64 / val,
        size / val,
        size / val_cpu.max(1e-9),
        report.counts.errors,
        report.counts.warnings,
        report.findings.len(),
        peak_rss_mb()
    );
    for f in report.findings.iter().take(5) {
        println!("  {f:?}");
    }
}
