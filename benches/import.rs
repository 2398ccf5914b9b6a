//! Import throughput on generated data (docs/architecture.md: benchmarks print figures, they
//! are never timed assertions).
//!
//! Generates a 1,000,000-row, 15-column placement CSV (and the same data as a
//! fixed-length file), then measures:
//! - parsing the CSV through a 15-field map (sources + field pipeline), rows/s;
//! - the same for the fixed-length file;
//! - `sqlite3`'s own `.import` of the CSV into a bare table (the CLI), rows/s;
//! - a full `recoup import` of the CSV into a fresh database with transaction
//!   posting (196/197 per new debtor), rows/s;
//! - peak memory (VmHWM from /proc/self/status).
//!
//! Run: `cargo bench --bench import` (`IMPORT_N=200000` for a shorter run,
//! `IMPORT_APPLY_N` to bound the database part).

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use chrono::{NaiveDate, NaiveTime};
use recoup::env::measure::peak_rss_mb;
use recoup::import::pipeline::{Ctx, Outcome, Pipeline};
use recoup::import::{import_into, ImportJob, ImportOptions, Review};
use recoup::import::{Map, RawRecord, Source};
use recoup::store::Store;

/// The allocator of the `recoup` binary, so the figures are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CSV_MAP: &str = r#"
name = "bench placement"
format = "csv"
first_line_labels = true
[options]
client = 1001
apply_client_settings = true
include_transaction_posting = true
recalculate = false
[[record]]
type = "debtor"
[[record.field]]
field = "de.ac"
source = "@A"
key = true
exact = true
[[record.field]]
field = "de.na"
source = "@B"
[[record.field]]
field = "de.na"
source = "@C"
append = true
prepend_comma = true
add_space = true
[[record.field]]
field = "de.ad"
source = "@D"
[[record.field]]
field = "de.a1"
source = "@E"
[[record.field]]
field = "de.ci"
source = "@F"
[[record.field]]
field = "de.st"
source = "@G"
[[record.field]]
field = "de.zi"
source = "@H"
[[record.field]]
field = "de.hp"
source = "@I"
strip = ["non_numeric"]
[[record.field]]
field = "de.ss"
source = "@J"
[[record.field]]
field = "de.dob"
source = "@K"
[[record.field]]
field = "de.opr"
source = "@L"
[[record.field]]
field = "de.oi"
source = "@M"
[[record.field]]
field = "de.dq"
source = "@N"
[[record.field]]
field = "de.u1"
source = "@O"
"#;

/// Column widths of the fixed-length copy.
const WIDTHS: [usize; 15] = [15, 20, 15, 30, 10, 20, 2, 10, 14, 11, 10, 12, 10, 10, 12];

fn fixed_map() -> String {
    let codes = [
        "de.ac", "de.na", "de.u2", "de.ad", "de.a1", "de.ci", "de.st", "de.zi", "de.hp", "de.ss",
        "de.dob", "de.opr", "de.oi", "de.dq", "de.u1",
    ];
    let mut s = String::from(
        "format = \"fixed\"\n[options]\ninclude_transaction_posting = true\n[[record]]\ntype = \"debtor\"\n",
    );
    let mut off = 0;
    for (c, w) in codes.iter().zip(WIDTHS) {
        s.push_str(&format!(
            "[[record.field]]\nfield = \"{c}\"\noffset = {off}\nlength = {w}\n"
        ));
        off += w;
    }
    s
}

/// A small deterministic generator (no rand dependency).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() as usize) % xs.len()]
    }
}

fn generate(n: usize, csv: &Path, fixed: &Path) -> std::io::Result<()> {
    let last = [
        "SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "O'BRIEN", "NGUYEN",
        "LOPEZ",
    ];
    let first = [
        "JAMES", "MARY", "ROBERT", "PATRICIA", "JOHN", "JENNIFER", "MARIA", "LUIS",
    ];
    let streets = [
        "MAIN ST", "OAK AVE", "PINE RD", "MAPLE DR", "CEDAR LN", "ELM CT",
    ];
    let cities = [
        ("HOUSTON", "TX"),
        ("PHOENIX", "AZ"),
        ("DENVER", "CO"),
        ("BOSTON", "MA"),
        ("SAN ANTONIO", "TX"),
    ];
    let mut c = std::io::BufWriter::new(std::fs::File::create(csv)?);
    let mut f = std::io::BufWriter::new(std::fs::File::create(fixed)?);
    writeln!(c, "account,last,first,address,address2,city,state,zip,phone,ssn,dob,principal,interest,delinquent,user1\r")?;
    let mut r = Lcg(42);
    for i in 0..n {
        let (city, st) = cities[(r.next() as usize) % cities.len()];
        let cols = [
            format!("C{}-{:09}", 100 + r.next() % 900, i + 1_000_000),
            r.pick(&last).to_string(),
            r.pick(&first).to_string(),
            format!("{} {}", 1 + r.next() % 99999, r.pick(&streets)),
            if r.next().is_multiple_of(7) {
                format!("APT {}", r.next() % 999)
            } else {
                String::new()
            },
            city.to_string(),
            st.to_string(),
            format!("{:05}", r.next() % 99999),
            format!(
                "({}) {}-{:04}",
                201 + r.next() % 700,
                200 + r.next() % 800,
                r.next() % 10000
            ),
            format!(
                "{:03}-{:02}-{:04}",
                1 + r.next() % 899,
                1 + r.next() % 99,
                r.next() % 10000
            ),
            format!(
                "{:02}/{:02}/{}",
                1 + r.next() % 12,
                1 + r.next() % 28,
                1940 + r.next() % 60
            ),
            format!("{}.{:02}", 25 + r.next() % 25000, r.next() % 100),
            format!("{}.{:02}", r.next() % 500, r.next() % 100),
            format!(
                "{:02}/{:02}/{}",
                1 + r.next() % 12,
                1 + r.next() % 28,
                2018 + r.next() % 6
            ),
            format!("REF{}", r.next() % 1_000_000),
        ];
        let line: Vec<String> = cols
            .iter()
            .map(|v| {
                if v.contains(',') {
                    format!("\"{v}\"")
                } else {
                    v.clone()
                }
            })
            .collect();
        write!(c, "{}\r\n", line.join(","))?;
        for (v, w) in cols.iter().zip(WIDTHS) {
            write!(f, "{:<w$.w$}", v, w = w)?;
        }
        f.write_all(b"\r\n")?;
    }
    c.flush()?;
    f.flush()
}

fn ctx() -> Ctx {
    Ctx {
        today: NaiveDate::from_ymd_opt(2024, 7, 31).expect("date"),
        now: NaiveTime::from_hms_opt(12, 0, 0).expect("time"),
        client: Some(1001),
    }
}

/// Parse a file through a map; (records, rejected, seconds).
fn parse(map: &Map, path: &Path) -> (u64, u64, f64) {
    let t = Instant::now();
    let file = std::fs::File::open(path).expect("open");
    let mut src = Source::new(map, std::io::BufReader::with_capacity(1 << 16, file));
    let mut p = Pipeline::new(map);
    let mut rec = RawRecord::default();
    let (mut n, mut bad) = (0, 0);
    let ctx = ctx();
    while src.next_record(&mut rec).expect("read") {
        n += 1;
        if let Outcome::Rejected(r) = p.process(&rec, &ctx) {
            if bad == 0 {
                eprintln!("first reject (line {}): {r}", rec.line);
            }
            bad += 1;
        }
    }
    (n, bad, t.elapsed().as_secs_f64())
}

fn main() {
    let n: usize = std::env::var("IMPORT_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let apply_n: usize = std::env::var("IMPORT_APPLY_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(n);
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("placement.csv");
    let fixed = dir.path().join("placement.txt");
    let t = Instant::now();
    generate(n, &csv, &fixed).expect("generate");
    let mb = std::fs::metadata(&csv).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    println!(
        "generated {n} rows x 15 columns ({mb:.0} MB CSV) in {:.1}s",
        t.elapsed().as_secs_f64()
    );

    let map = Map::parse("bench.toml", CSV_MAP).expect("map");
    let t = Instant::now();
    let mut src = Source::new(
        &map,
        std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(&csv).expect("open")),
    );
    let mut rec = RawRecord::default();
    let mut rows = 0u64;
    while src.next_record(&mut rec).expect("read") {
        rows += 1;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "recoup read CSV records only:      {rows} rows, {secs:.2}s, {:.0} rows/s, {:.0} MB/s",
        rows as f64 / secs,
        mb / secs
    );
    let (rows, bad, secs) = parse(&map, &csv);
    println!(
        "recoup parse CSV (15-field map):   {rows} rows, {bad} rejected, {secs:.2}s, {:.0} rows/s, {:.0} MB/s",
        rows as f64 / secs,
        mb / secs
    );
    let fmap = Map::parse("bench-fixed.toml", &fixed_map()).expect("fixed map");
    let (rows, bad, secs) = parse(&fmap, &fixed);
    println!(
        "recoup parse fixed length:         {rows} rows, {bad} rejected, {secs:.2}s, {:.0} rows/s",
        rows as f64 / secs
    );
    println!("peak memory after parsing: {:.0} MB", peak_rss_mb());

    // sqlite3's own .import into a bare table, side by side.
    let sdb = dir.path().join("sqlite3.db");
    let t = Instant::now();
    let status = std::process::Command::new("sqlite3")
        .arg(&sdb)
        .args(["-cmd", ".mode csv"])
        .arg(format!(".import {} placement", csv.display()))
        .status();
    match status {
        Ok(s) if s.success() => {
            let secs = t.elapsed().as_secs_f64();
            println!(
                "sqlite3 .import (bare table):      {n} rows, {secs:.2}s, {:.0} rows/s",
                n as f64 / secs
            );
        }
        other => println!("sqlite3 .import: not run ({other:?})"),
    }

    // Full import with transaction posting into a fresh database.
    let apply_csv = if apply_n < n {
        let p = dir.path().join("apply.csv");
        let text = std::fs::read_to_string(&csv).expect("read");
        let head: Vec<&str> = text.split_inclusive('\n').take(apply_n + 1).collect();
        std::fs::write(&p, head.concat()).expect("write");
        p
    } else {
        csv.clone()
    };
    let db = dir.path().join("recoup.db");
    let mut store = shipped_store(&db);
    // IMPORT_NO_POSTING=1 measures the debtor writes alone.
    let map = if std::env::var("IMPORT_NO_POSTING").is_ok() {
        let src = CSV_MAP
            .replace(
                "include_transaction_posting = true",
                "include_transaction_posting = false",
            )
            .replace("field = \"de.opr\"", "field = \"de.u3\"")
            .replace("field = \"de.oi\"", "field = \"de.u4\"");
        Map::parse("bench.toml", &src).expect("map")
    } else {
        map
    };
    let t = Instant::now();
    let file = std::fs::File::open(&apply_csv).expect("open");
    let job = ImportJob {
        map: &map,
        map_label: "bench.toml",
        label: "placement.csv",
        ctx: ctx(),
        opts: &ImportOptions::default(),
        rejects_path: dir.path().join("rejects.csv"),
        review: &mut Review::off(),
        progress: None,
    };
    let summary = import_into(
        store.conn_mut(),
        std::io::BufReader::with_capacity(1 << 16, file),
        job,
    )
    .expect("import");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "recoup import + 196/197 posting:   {} rows, {} debtors, {} transactions, {secs:.2}s, {:.0} rows/s",
        summary.read,
        summary.created.get("debtor").copied().unwrap_or(0),
        summary.posted,
        summary.read as f64 / secs
    );
    println!("peak memory (VmHWM): {:.0} MB", peak_rss_mb());
    sql_floor(dir.path(), &apply_csv);
}

/// A new database at `db` with the shipped setup.
fn shipped_store(db: &Path) -> Store {
    let mut store = Store::open(db).expect("store");
    recoup::setup::apply_str(
        store.conn_mut(),
        Path::new("setup.toml"),
        recoup::setup::SHIPPED_SETUP,
    )
    .expect("setup");
    store
}

/// The same rows written by SQLite alone: `sqlite3` loads the CSV into a bare table,
/// then one `INSERT … SELECT` per table writes the debtors and their 196/197
/// transactions into the recoup schema, with its indexes and foreign keys, in one
/// transaction, with the same 64 MB page cache the import asks for. No parsing, no
/// per-row statements: what the database costs by itself for this file.
fn sql_floor(dir: &Path, csv: &Path) {
    let db = dir.join("floor.db");
    drop(shipped_store(&db));
    let _ = std::process::Command::new("sqlite3")
        .arg(&db)
        .args(["-cmd", ".mode csv"])
        .arg(format!(".import {} placement", csv.display()))
        .status();
    let cents = |c: &str| format!("CAST(ROUND({c} * 100) AS INTEGER)");
    let script = format!(
        "PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; BEGIN;
         INSERT INTO debtor (fi, cn, ac, na, ct, ad, a1, ci, st, zi, hp, ss, dob, mo, li, ok, ib, dq, u1,
                             opr, oi, pr, intr, ow)
           SELECT 1000 + rowid, 1001, account, last || ', ' || first, last || ', ' || first, address,
                  address2, city, state, zip, phone, ssn, dob, 'A', '2024-07-31', 0, '1', delinquent, user1,
                  {p}, {i}, {p}, {i}, {p} + {i} FROM placement;
         INSERT INTO trans (fi, ty, py, pd, tu, di, cm, tx, os, oc, ft)
           SELECT 1000 + rowid, '196', '2024-07-31', '2024-07-31', -{p}, 0, 0, 0, 0, 0, 'principal' FROM placement;
         INSERT INTO trans (fi, ty, py, pd, tu, di, cm, tx, os, oc, ft)
           SELECT 1000 + rowid, '197', '2024-07-31', '2024-07-31', -{i}, 0, 0, 0, 0, 0, 'interest'
           FROM placement WHERE {i} <> 0;
         COMMIT;",
        p = cents("principal"),
        i = cents("interest"),
    );
    let t = Instant::now();
    let out = std::process::Command::new("sqlite3")
        .arg(&db)
        .arg(&script)
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let secs = t.elapsed().as_secs_f64();
            let rows: u64 = std::process::Command::new("sqlite3")
                .arg(&db)
                .arg("SELECT COUNT(*) FROM debtor")
                .output()
                .ok()
                .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
                .unwrap_or(0);
            println!(
                "SQLite alone, same rows (INSERT…SELECT into the recoup schema): {rows} debtors, {secs:.2}s, {:.0} rows/s",
                rows as f64 / secs
            );
        }
        other => println!("SQL floor: not run ({other:?})"),
    }
}
