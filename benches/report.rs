//! Report-writer throughput: a debtor listing over 1,000,000 debtors streamed to text,
//! from a generator source (interpreter + formatting only) and from SQLite (the real
//! path), then PDF pages/s. Prints lines/s, MB/s and peak memory.
//! Run: `cargo bench --bench report` (REPORT_N=… to change the debtor count).

use std::io::Write;
use std::rc::Rc;
use std::time::Instant;

use chrono::NaiveDate;
use recoup::catalog::{Form, Value};
use recoup::env::measure::{cpu_seconds, peak_rss_mb};
use recoup::report::ast::CcKind;
use recoup::report::lexer::field_ref;
use recoup::report::pdf::PdfSink;
use recoup::report::source::{Query, Visit};
use recoup::report::{run, DataSource, Record, Report, RunOptions, TextSink};
use recoup::store::report_source::SqliteSource;
use recoup::store::Store;
use rust_decimal::Decimal;

const LISTING: &str = "+++
name = \"Debtor Listing\"
page_length = 66
header = \"Debtor Listing  page @P\"
+++
File     Name                           ST         Owing
@de
@de.fi<8> @de.na<30> @PV(@de.st)<2> @de.ow<13.2>
@de
";

fn name(i: usize) -> String {
    const FIRST: [&str; 8] = [
        "John", "Mary", "Bao", "Elena", "Rene", "Tasha", "Kevin", "Ana",
    ];
    const LAST: [&str; 8] = [
        "Smith", "Nguyen", "Martinez", "Cote", "Brown", "Doe", "Young", "Lee",
    ];
    format!("{}, {} {}", LAST[i % 8], FIRST[(i / 8) % 8], i)
}

fn owing(i: usize) -> Decimal {
    Decimal::new(((i * 7919) % 5_000_000) as i64, 2)
}

/// Debtors made on the fly, one record at a time (like a streaming database cursor).
struct Generated {
    n: usize,
}

impl DataSource for Generated {
    fn each(&self, q: &Query, visit: &mut Visit) -> recoup::Result<()> {
        if q.form != Form::Debtor {
            return Ok(());
        }
        let slot = |c: &str| field_ref(c).map(|f| f.idx).unwrap_or(0);
        let (fi, na, st, ow) = (slot("de.fi"), slot("de.na"), slot("de.st"), slot("de.ow"));
        for i in 0..self.n {
            let mut rec = Record {
                form: Form::Debtor,
                id: i as i64 + 1,
                owner: Some((Form::Client, 1001)),
                values: vec![Value::Null; ow.max(na).max(st).max(fi) + 1],
            };
            rec.values[fi] = Value::Text((i + 1).to_string());
            rec.values[na] = Value::Text(name(i));
            rec.values[st] = Value::Text(if i % 3 == 0 { "CA" } else { "NV" }.into());
            rec.values[ow] = Value::Money(owing(i));
            if !visit(Rc::new(rec))? {
                break;
            }
        }
        Ok(())
    }
    fn get(&self, _: Form, _: i64, _: &[usize]) -> recoup::Result<Option<Rc<Record>>> {
        Ok(None)
    }
    fn pick_list(&self, _: &recoup::catalog::FieldDef) -> recoup::Result<Vec<(String, String)>> {
        Ok(vec![])
    }
    fn contact_ok(&self, _: CcKind, _: &Record, _: NaiveDate) -> recoup::Result<bool> {
        Ok(true)
    }
    fn sql(&self, _: &str) -> recoup::Result<Vec<Vec<Value>>> {
        Ok(vec![])
    }
}

/// Counts bytes and throws them away.
struct Count(u64);
impl Write for Count {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len() as u64;
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn text_run(label: &str, rep: &Report, src: &dyn DataSource, opts: &RunOptions) {
    let mut bytes = Count(0);
    let (t, c) = (Instant::now(), cpu_seconds());
    let stats = {
        let mut sink = TextSink::new(&mut bytes);
        run(rep, src, &mut sink, opts).expect("run")
    };
    let s = t.elapsed().as_secs_f64();
    let cpu = (cpu_seconds() - c).max(0.01);
    println!(
        "{label}: {} lines in {s:.2}s ({cpu:.2}s CPU) = {:.2} M lines/s ({:.2} M lines per CPU second), {:.1} MB/s, peak RSS {:.1} MB",
        stats.lines,
        stats.lines as f64 / s / 1e6,
        stats.lines as f64 / cpu / 1e6,
        bytes.0 as f64 / s / 1e6,
        peak_rss_mb()
    );
}

fn main() {
    let n: usize = std::env::var("REPORT_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let rep = Report::parse(LISTING, "bench.rpt");
    let opts = RunOptions::new(NaiveDate::from_ymd_opt(2024, 7, 31).expect("date"));
    println!("peak RSS at start {:.1} MB", peak_rss_mb());

    text_run("text, generated source", &rep, &Generated { n }, &opts);

    // SQLite: build the database first (not timed as report work).
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("bench.db");
    let mut store = Store::open(&db).expect("open");
    let t = Instant::now();
    {
        let tx = store.conn_mut().transaction().expect("tx");
        tx.execute("INSERT INTO client (nu, na) VALUES (1001, 'Acme')", [])
            .expect("client");
        {
            let mut st = tx
                .prepare("INSERT INTO debtor (fi, cn, na, st, ow) VALUES (?1, 1001, ?2, ?3, ?4)")
                .expect("prepare");
            for i in 0..n {
                st.execute(rusqlite::params![
                    i as i64 + 1,
                    name(i),
                    if i % 3 == 0 { "CA" } else { "NV" },
                    recoup::money::to_cents(owing(i))
                ])
                .expect("insert");
            }
        }
        tx.execute(
            "INSERT INTO pick_list (field, ord, key, text) VALUES ('de.st', 0, 'CA', 'California')",
            [],
        )
        .expect("pick");
        tx.commit().expect("commit");
    }
    println!(
        "(built {n} debtors in SQLite in {:.1}s)",
        t.elapsed().as_secs_f64()
    );
    let src = SqliteSource::new(store.conn());
    text_run("text, SQLite source", &rep, &src, &opts);

    // PDF: fewer records, pages/s.
    let pdf_n = (n / 10).max(1);
    let gen = Generated { n: pdf_n };
    let mut bytes = Count(0);
    let (t, c) = (Instant::now(), cpu_seconds());
    let stats = {
        let mut sink = PdfSink::new(&mut bytes, "bench", rep.front.page_length);
        run(&rep, &gen, &mut sink, &opts).expect("pdf")
    };
    let s = t.elapsed().as_secs_f64();
    let cpu = (cpu_seconds() - c).max(0.01);
    println!(
        "pdf, generated source: {} lines, {} pages in {s:.2}s ({cpu:.2}s CPU) = {:.0} pages/s ({:.0} per CPU second), {:.1} MB written, peak RSS {:.1} MB",
        stats.lines,
        stats.pages,
        stats.pages as f64 / s,
        stats.pages as f64 / cpu,
        bytes.0 as f64 / 1e6,
        peak_rss_mb()
    );
}
