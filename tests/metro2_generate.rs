//! `recoup metro2 generate` against databases built through the library: which
//! accounts are reported, statuses across months with --mark-done, exclusions,
//! cosigners, K1 sources, the header, validation and round trips.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::NaiveDate;
use recoup::catalog::{self, Form, Value};
use recoup::metro2::layout::{base, header, k1, SegKind};
use recoup::metro2::read::{Item, Reader, RecordKind};
use recoup::metro2::{LineEnding, Segment, Writer};
use recoup::money::{Ledger, NewTransaction};
use recoup::store::{self, Store};
use rust_decimal::Decimal;
use serde_json::Value as Json;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

const COMPANY: &str = r#"
[company]
name = "Summit Recovery Services"
address = "100 Main St"
city = "Sacramento"
state = "CA"
zip = "95814"
phone = "916-555-0199"
first_file_number = 100
"#;

/// A credit-bureau section; `extra` adds or overrides keys.
fn cbr(extra: &str) -> String {
    format!(
        r#"
[credit_bureau]
equifax_id = "EQ12345678"
experian_id = "EX123"
transunion_id = "TU12345678"
identification_number = "SUMMIT01"
line_ending = "crlf"
{extra}
"#
    )
}

const CLIENTS: &str = r#"
[[client]]
number = 1
name = "Acme Bank N.A."
type = "12"
report_to_bureaus = true
send_client_detail = true

[[client]]
number = 2
name = "Never Reports Inc"
type = "12"
report_to_bureaus = false
send_client_detail = true

[[client]]
number = 3
name = "Valley Medical Group"
type = "02"
report_to_bureaus = true
send_client_detail = true

[[client]]
number = 4
name = "Picky Lender"
type = "12"
report_to_bureaus = true
send_client_detail = true
min_balance = "2000.00"

[[client]]
number = 5
name = "Debt Buyer LLC"
type = "12"
report_to_bureaus = true
send_client_detail = true
original_creditor_in_user = 1

[[client]]
number = 6
name = "Second Buyer LLC"
type = "12"
report_to_bureaus = true
send_client_detail = true
original_creditor_in_user = 2

[[client]]
number = 7
name = "No Detail Co"
type = "12"
report_to_bureaus = true
send_client_detail = false
"#;

struct Db {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    path: PathBuf,
}

fn new_db(setup: &str) -> Db {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut store = Store::open(&path).unwrap();
    recoup::setup::apply_str(store.conn_mut(), Path::new("setup.toml"), setup).unwrap();
    Db {
        dir: dir.path().to_path_buf(),
        _dir: dir,
        path,
    }
}

fn standard(extra_cbr: &str) -> Db {
    new_db(&format!("{COMPANY}{}{CLIENTS}", cbr(extra_cbr)))
}

fn fields(values: &[(&str, Value)]) -> Vec<(&'static catalog::FieldDef, Value)> {
    values
        .iter()
        .map(|(c, v)| (catalog::by_code(c).unwrap(), v.clone()))
        .collect()
}

/// A debtor listed 2024-01-10 with a principal, a full identity and a DOFD;
/// `over` replaces or adds fields (Value::Null removes one).
fn debtor(db: &Db, client: i64, principal: &str, over: &[(&str, Value)]) -> i64 {
    let store = Store::open(&db.path).unwrap();
    let conn = store.conn();
    let mut values = vec![
        ("de.na", text("Doe, Jane Q")),
        ("de.ad", text("12 Elm St Apt #4")),
        ("de.ci", text("Sacramento")),
        ("de.st", text("CA")),
        ("de.zi", text("95814")),
        ("de.ss", text("123-45-6789")),
        ("de.dob", Value::Date(date("1980-04-12"))),
        ("de.dq", Value::Date(date("2023-01-15"))),
    ];
    for (code, v) in over {
        values.retain(|(c, _)| c != code);
        values.push((code, v.clone()));
    }
    let fi =
        store::create_debtor(conn, client, &fields(&values), date("2024-01-10"), false).unwrap();
    post(conn, fi, "196", &format!("-{principal}"), "2024-01-10");
    fi
}

fn post(conn: &rusqlite::Connection, fi: i64, code: &str, to_us: &str, day: &str) {
    Ledger::new(date(day))
        .post(
            conn,
            &NewTransaction {
                file_number: fi,
                type_code: code.into(),
                to_us: Some(to_us.parse::<Decimal>().unwrap()),
                payment_date: Some(date(day)),
                ..Default::default()
            },
        )
        .unwrap();
}

fn pay(db: &Db, fi: i64, amount: &str, day: &str) {
    let store = Store::open(&db.path).unwrap();
    post(store.conn(), fi, "101", amount, day);
}

fn set(db: &Db, form: Form, key: i64, values: &[(&str, Value)]) {
    let store = Store::open(&db.path).unwrap();
    store::update_fields(store.conn(), form, key, &fields(values)).unwrap();
}

fn cosigner(db: &Db, fi: i64, values: &[(&str, Value)]) {
    let store = Store::open(&db.path).unwrap();
    store
        .conn()
        .execute("INSERT INTO cosigner (fi) VALUES (?1)", [fi])
        .unwrap();
    let id = store.conn().last_insert_rowid();
    store::update_fields(store.conn(), Form::Cosigner, id, &fields(values)).unwrap();
}

fn recoup(db: &Db, today: &str) -> Command {
    let mut c = common::recoup_at(&db.path, today);
    c.env("RECOUP_TIME", "09:30:00");
    c
}

struct Run {
    summary: Json,
    stderr: String,
    records: Vec<(RecordKind, Vec<Segment>)>,
    bytes: Vec<u8>,
}

/// `generate --json` for the as-of date (today = as-of), asserting success.
fn generate(db: &Db, as_of: &str, extra: &[&str]) -> Run {
    generate_on(db, as_of, as_of, extra)
}

/// `generate --json` run on `today` for an earlier (or the same) as-of date.
fn generate_on(db: &Db, today: &str, as_of: &str, extra: &[&str]) -> Run {
    let out = db.dir.join(format!("m2-{as_of}.txt"));
    let a = recoup(db, today)
        .arg("--json")
        .args(["metro2", "generate", "--out"])
        .arg(&out)
        .args(["--as-of", as_of])
        .args(extra)
        .assert()
        .success();
    let o = a.get_output();
    let bytes = std::fs::read(&out).unwrap();
    Run {
        summary: serde_json::from_slice(&o.stdout).unwrap(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        records: read(&bytes),
        bytes,
    }
}

fn read(bytes: &[u8]) -> Vec<(RecordKind, Vec<Segment>)> {
    let mut r = Reader::new(bytes);
    let mut out = Vec::new();
    while let Some(item) = r.next() {
        match item {
            Item::Record(rec) => out.push((rec.kind, rec.to_segments())),
            _ => panic!("unreadable stretch in a generated file"),
        }
    }
    out
}

impl Run {
    /// The base record (with its segments) of a file number.
    fn account(&self, fi: i64) -> Option<&Vec<Segment>> {
        self.records.iter().find_map(|(k, s)| {
            (*k == RecordKind::Base && s[0].text(&base::CONSUMER_ACCOUNT_NUMBER) == fi.to_string())
                .then_some(s)
        })
    }
    fn status(&self, fi: i64) -> Option<String> {
        self.account(fi).map(|s| s[0].text(&base::ACCOUNT_STATUS))
    }
    fn bases(&self) -> usize {
        self.records
            .iter()
            .filter(|(k, _)| *k == RecordKind::Base)
            .count()
    }
    fn excluded(&self, key: &str) -> u64 {
        self.summary["excluded"][key].as_u64().unwrap_or(0)
    }
}

fn query_i64(db: &Db, sql: &str) -> i64 {
    let store = Store::open(&db.path).unwrap();
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn statuses_across_months_with_mark_done() {
    let db = standard("auto_activate = true");
    let paid = debtor(&db, 1, "1000.00", &[]);
    let closed = debtor(&db, 1, "700.00", &[]);
    let never = debtor(&db, 1, "600.00", &[("de.mo", text("C"))]);
    let open = debtor(&db, 1, "900.00", &[]);

    let june = generate(&db, "2024-06-30", &["--mark-done"]);
    assert_eq!(june.status(paid).as_deref(), Some("93"));
    assert_eq!(june.status(closed).as_deref(), Some("93"));
    assert_eq!(june.status(never), None, "DA before any report is not sent");
    assert_eq!(june.excluded("closed_never_reported"), 1);
    assert!(june.stderr.contains(&format!(
        "warning: 1 account(s) not reported (closed_never_reported): files {never}; file {never}: closed before it was ever reported"
    )));
    let first = &june.account(open).unwrap()[0];
    assert_eq!(first.text(&base::PAYMENT_HISTORY_PROFILE), "B".repeat(24));
    assert_eq!(first.text(&base::CURRENT_BALANCE), "000000900");
    assert_eq!(june.summary["marked_done"], 3);

    pay(&db, paid, "1000.00", "2024-07-10");
    set(
        &db,
        Form::Debtor,
        closed,
        &[
            ("de.mo", text("C")),
            ("de.cld", Value::Date(date("2024-07-20"))),
        ],
    );
    let july = generate(&db, "2024-07-31", &["--mark-done"]);
    let p = &july.account(paid).unwrap()[0];
    assert_eq!(p.text(&base::ACCOUNT_STATUS), "62");
    assert_eq!(p.text(&base::CURRENT_BALANCE), "000000000");
    assert_eq!(p.text(&base::ACTUAL_PAYMENT), "000001000");
    assert_eq!(p.text(&base::DATE_ACCOUNT_INFORMATION), "07102024");
    assert_eq!(p.text(&base::DATE_CLOSED), "07102024");
    assert_eq!(
        p.text(&base::PAYMENT_HISTORY_PROFILE),
        format!("G{}", "B".repeat(23)),
        "June was reported at 93"
    );
    let c = &july.account(closed).unwrap()[0];
    assert_eq!(c.text(&base::ACCOUNT_STATUS), "DA");
    assert_eq!(c.text(&base::DATE_CLOSED), "07202024");
    assert_eq!(july.status(open).as_deref(), Some("93"));
    // the final statuses get no next Metro contact; the open account does
    let pending = |fi: i64| {
        query_i64(
            &db,
            &format!("SELECT COUNT(*) FROM contact WHERE fi = {fi} AND ty = 'Metro' AND done = 0"),
        )
    };
    assert_eq!(pending(paid), 0);
    assert_eq!(pending(closed), 0);
    assert_eq!(pending(open), 1);
    assert_eq!(
        query_i64(
            &db,
            &format!("SELECT COUNT(*) FROM contact WHERE fi = {open} AND ty = 'Metro' AND done = 0 AND du = '2024-08-31'"),
        ),
        1
    );

    let aug = generate(&db, "2024-08-31", &["--mark-done"]);
    assert_eq!(
        aug.status(paid),
        None,
        "62 reported with --mark-done is final"
    );
    assert_eq!(
        aug.status(closed),
        None,
        "DA reported with --mark-done is final"
    );
    assert_eq!(aug.summary["finished"], 2);
    let o = &aug.account(open).unwrap()[0];
    assert_eq!(
        o.text(&base::PAYMENT_HISTORY_PROFILE),
        format!("GG{}", "B".repeat(22))
    );
    assert_eq!(
        query_i64(&db, "SELECT COUNT(*) FROM metro2_report"),
        3 + 3 + 1
    );
    // a re-run of the same month replaces its history rows
    generate(&db, "2024-08-31", &["--mark-done"]);
    assert_eq!(query_i64(&db, "SELECT COUNT(*) FROM metro2_report"), 7);
    assert_eq!(pending(open), 1, "no second contact for the same period");
    assert_eq!(
        query_i64(
            &db,
            &format!(
                "SELECT COUNT(*) FROM contact WHERE fi = {open} AND ty = 'Metro' AND done = 1"
            ),
        ),
        3,
        "the activation contact, July's and August's"
    );
}

#[test]
fn exclusions_are_logged_and_counted() {
    let db = standard("auto_activate = true\nmin_balance = \"50.00\"");
    let no_id = debtor(
        &db,
        1,
        "800.00",
        &[("de.ss", Value::Null), ("de.dob", Value::Null)],
    );
    let later = debtor(
        &db,
        1,
        "800.00",
        &[
            ("de.cbr", Value::Flag(true)),
            ("de.cbd", Value::Date(date("2024-09-01"))),
        ],
    );
    let forbidden = debtor(&db, 2, "800.00", &[("de.cbr", Value::Flag(true))]);
    let small = debtor(&db, 1, "30.00", &[]);
    let medical = debtor(&db, 3, "300.00", &[]);
    let good = debtor(&db, 1, "800.00", &[]);
    let ignored = debtor(&db, 2, "800.00", &[]);
    let picky = debtor(&db, 4, "1500.00", &[]);
    let no_k1 = debtor(&db, 7, "800.00", &[]);
    // switched on by hand/import without a start date: activated, minimum tested
    let by_hand = debtor(&db, 1, "20.00", &[("de.cbr", Value::Flag(true))]);

    let run = generate(&db, "2024-07-31", &["--mark-done"]);
    assert_eq!(run.bases(), 1);
    assert!(run.account(good).is_some());
    for (key, n) in [
        ("no_ssn_or_dob", 1),
        ("not_started", 1),
        ("client_not_reporting", 1),
        ("under_minimum", 3),
        ("medical_rules", 1),
        ("validation", 1),
    ] {
        assert_eq!(run.excluded(key), n, "{key}: {}", run.summary);
    }
    // One line per reason: the count, the file numbers, the first one's reason.
    let line = |key: &str| {
        run.stderr
            .lines()
            .find(|l| l.contains(&format!("not reported ({key}): ")))
            .unwrap_or_else(|| panic!("no line for {key}: {}", run.stderr))
            .to_string()
    };
    assert_eq!(
        line("under_minimum"),
        format!(
            "warning: 3 account(s) not reported (under_minimum): files {small}, {picky}, {by_hand}; file {small}: {}",
            run.summary["exclusions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["file"] == small)
                .unwrap()["message"]
                .as_str()
                .unwrap()
        )
    );
    for (key, fi) in [
        ("no_ssn_or_dob", no_id),
        ("not_started", later),
        ("client_not_reporting", forbidden),
        ("medical_rules", medical),
        ("validation", no_k1),
    ] {
        assert!(
            line(key).starts_with(&format!(
                "warning: 1 account(s) not reported ({key}): files {fi}; file {fi}: "
            )),
            "{}",
            line(key)
        );
    }
    assert_eq!(run.stderr.matches("not reported (").count(), 6);
    // --json lists every excluded account with its reason.
    let listed: Vec<(i64, String)> = run.summary["exclusions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_i64().unwrap(),
                e["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(listed.len(), 8);
    assert!(listed.contains(&(picky, "under_minimum".to_string())));
    assert!(!run.stderr.contains(&format!("file {ignored}")));
    assert!(
        run.stderr.contains("C004"),
        "K1 missing is the reason: {}",
        run.stderr
    );
    assert!(run
        .stderr
        .contains(&format!("file {medical}: medical-debt rules")));

    // the minimum is tested once, at activation: a later balance does not matter
    {
        let store = Store::open(&db.path).unwrap();
        post(store.conn(), small, "196", "-500.00", "2024-08-02");
    }
    let aug = generate(&db, "2024-08-31", &[]);
    assert!(aug.account(small).is_none());
    assert_eq!(aug.excluded("under_minimum"), 3);
    assert_eq!(
        query_i64(&db, &format!("SELECT COUNT(*) FROM debtor WHERE fi = {by_hand} AND cbr = 0 AND cbd = '2024-01-10'")),
        1
    );
    // medical rules off: the small medical account is reported
    let db2 = standard("auto_activate = true\nmedical_rules = false");
    let m = debtor(&db2, 3, "300.00", &[]);
    let run2 = generate(&db2, "2024-07-31", &[]);
    assert_eq!(run2.status(m).as_deref(), Some("93"));
}

#[test]
fn start_date_is_listed_plus_delay_days() {
    let db = standard("auto_activate = true\ndelay_days = 30");
    let fi = debtor(&db, 1, "800.00", &[]); // listed 2024-01-10
                                            // Nothing to report yet: exit 3 and no file, but the activation is recorded.
    let early = db.dir.join("early.txt");
    let out = recoup(&db, "2024-02-08")
        .args(["metro2", "generate", "--mark-done", "--out"])
        .arg(&early)
        .args(["--as-of", "2024-02-08"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "warning: 1 account(s) not reported (not_started): files {fi}; file {fi}: start-reporting date 2024-02-09 is after the as-of date"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("nothing to report"), "{stderr}");
    assert!(!early.exists());
    assert_eq!(
        query_i64(
            &db,
            &format!(
                "SELECT COUNT(*) FROM debtor WHERE fi = {fi} AND cbr = 1 AND cbd = '2024-02-09'"
            )
        ),
        1
    );
    let on = generate(&db, "2024-02-29", &[]);
    assert_eq!(on.status(fi).as_deref(), Some("93"));
}

#[test]
fn cosigners_j1_j2_and_k1_sources() {
    let db = standard("auto_activate = true");
    let fi = debtor(&db, 1, "800.00", &[]);
    cosigner(
        &db,
        fi,
        &[
            ("cs.na", text("Doe, John")),
            ("cs.ss", text("587-65-4321")),
            ("cs.sm", Value::Flag(true)),
            ("cs.cbr", Value::Flag(true)),
        ],
    );
    cosigner(
        &db,
        fi,
        &[
            ("cs.na", text("Roe, Richard")),
            ("cs.dob", Value::Date(date("1970-01-01"))),
            ("cs.sm", Value::Flag(false)),
            ("cs.cbr", Value::Flag(true)),
            ("cs.ad", text("9 Oak Ave")),
            ("cs.ci", text("Davis")),
            ("cs.st", text("CA")),
            ("cs.zi", text("95616")),
        ],
    );
    cosigner(
        &db,
        fi,
        &[
            ("cs.na", text("Quiet, Party")),
            ("cs.ss", text("587-65-1111")),
            ("cs.sm", Value::Flag(true)),
        ],
    );
    let alone = debtor(&db, 1, "800.00", &[]);
    let bought1 = debtor(
        &db,
        5,
        "800.00",
        &[
            ("de.u1", text("Original Bank One")),
            ("de.u2", text("Other")),
        ],
    );
    let bought2 = debtor(
        &db,
        6,
        "800.00",
        &[
            ("de.u1", text("Other")),
            ("de.u2", text("Original Bank Two")),
        ],
    );

    let run = generate(&db, "2024-07-31", &[]);
    let kinds: Vec<SegKind> = run.account(fi).unwrap().iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [SegKind::Base, SegKind::J1, SegKind::J2, SegKind::K1]
    );
    assert_eq!(run.account(alone).unwrap().len(), 2, "base + K1");
    assert_eq!(run.summary["counts"]["J1"], 1);
    assert_eq!(run.summary["counts"]["J2"], 1);
    assert_eq!(run.summary["counts"]["K1"], 4);

    let k1_of = |fi: i64| {
        let segs = run.account(fi).unwrap();
        let k = segs.iter().find(|s| s.kind == SegKind::K1).unwrap();
        (
            k.text(&k1::ORIGINAL_CREDITOR_NAME),
            segs[0].text(&base::ACCOUNT_TYPE),
        )
    };
    assert_eq!(k1_of(fi), ("ACME BANK N.A.".into(), "48".into()));
    assert_eq!(k1_of(bought1), ("ORIGINAL BANK ONE".into(), "0C".into()));
    assert_eq!(k1_of(bought2), ("ORIGINAL BANK TWO".into(), "0C".into()));
}

#[test]
fn the_file_validates_round_trips_and_bureau_blanks_the_others() {
    let db = standard("auto_activate = true");
    let fi = debtor(&db, 1, "800.00", &[]);
    pay(&db, fi, "125.50", "2024-07-03");
    debtor(&db, 3, "900.00", &[]);
    let run = generate(&db, "2024-07-31", &["--bureau", "experian"]);
    let h = &run.records[0].1[0];
    assert_eq!(h.text(&header::EXPERIAN_ID), "EX123");
    assert_eq!(h.text(&header::EQUIFAX_ID), "");
    assert_eq!(h.text(&header::TRANSUNION_ID), "");
    assert_eq!(h.text(&header::ACTIVITY_DATE), "07312024");
    assert_eq!(h.text(&header::REPORTER_NAME), "SUMMIT RECOVERY SERVICES");
    let b = &run.account(fi).unwrap()[0];
    assert_eq!(b.text(&base::ACTUAL_PAYMENT), "000000125", "cents dropped");
    assert_eq!(b.text(&base::TIME_STAMP), "07312024093000");
    assert_eq!(b.text(&base::ADDRESS1), "12 ELM ST APT 4");

    let out = db.dir.join("m2-2024-07-31.txt");
    recoup(&db, "2024-07-31")
        .args(["metro2", "validate", "--profile", "collection"])
        .arg(&out)
        .assert()
        .code(0);
    // reading and writing the records again gives the same bytes (CRLF, trailer recomputed)
    assert!(run.bytes.ends_with(b"\r\n"));
    let mut w = Writer::new(Vec::new(), LineEnding::Crlf);
    for (kind, segs) in &run.records {
        match kind {
            RecordKind::Header => w.header(&segs[0]).unwrap(),
            RecordKind::Base => w.record(segs).unwrap(),
            RecordKind::Trailer => {}
        }
    }
    assert_eq!(w.finish().unwrap(), run.bytes);

    let flat = generate(&db, "2024-07-31", &["--no-newline"]);
    assert!(!flat.bytes.contains(&b'\n'));
    assert_eq!(flat.records.len(), run.records.len());
}

/// Every row of every table, as text.
fn snapshot(db: &Db) -> Vec<String> {
    let store = Store::open(&db.path).unwrap();
    let conn = store.conn();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|t| t.unwrap())
        .collect();
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {t}")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            let cells: Vec<String> = (0..n)
                .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                .collect();
            out.push(format!("{t}: {}", cells.join("|")));
        }
    }
    out
}

#[test]
fn no_database_change_without_mark_done() {
    let db = standard("auto_activate = true");
    let fi = debtor(&db, 1, "800.00", &[]);
    debtor(
        &db,
        1,
        "20.00",
        &[("de.ss", Value::Null), ("de.dob", Value::Null)],
    );
    let before = snapshot(&db);
    let run = generate(&db, "2024-07-31", &[]);
    assert_eq!(run.status(fi).as_deref(), Some("93"));
    assert_eq!(run.summary["activated"], 2);
    assert_eq!(
        snapshot(&db),
        before,
        "generate without --mark-done changed the database"
    );
    generate(&db, "2024-07-31", &["--mark-done"]);
    assert_ne!(snapshot(&db), before);
    assert_eq!(
        query_i64(&db, "SELECT COUNT(*) FROM debtor WHERE cbr = 1"),
        2
    );
}

#[test]
fn header_errors_refuse_the_file_unless_forced() {
    let db = new_db(&format!(
        "[company]\ncity = \"Sacramento\"\n{}{CLIENTS}",
        cbr("auto_activate = true")
    ));
    debtor(&db, 1, "800.00", &[]);
    let out = db.dir.join("refused.txt");
    let a = recoup(&db, "2024-07-31")
        .args(["metro2", "generate", "--out"])
        .arg(&out)
        .assert()
        .code(3);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(
        err.contains("reporter_name") && err.contains("F001"),
        "{err}"
    );
    // The library names the way out; the command line words it with its option.
    assert!(err.ends_with("\n(--force writes it anyway)\n"), "{err}");
    assert!(!out.exists());
    assert!(!db.dir.join("refused.txt.partial").exists());
    recoup(&db, "2024-07-31")
        .args(["metro2", "generate", "--force", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(read(&std::fs::read(&out).unwrap()).len(), 3);
}

#[test]
fn credit_grantor_reports_the_contact_date_for_paid_accounts() {
    let db = standard("auto_activate = true\ncredit_grantor = true\ndelay_days = 5");
    let paid = debtor(&db, 1, "500.00", &[]);
    let open = debtor(&db, 1, "500.00", &[]);
    {
        let store = Store::open(&db.path).unwrap();
        recoup::metro2::cbr::auto_activate(store.conn(), date("2024-01-12")).unwrap();
    }
    pay(&db, paid, "500.00", "2024-07-08");
    let run = generate(&db, "2024-07-31", &[]);
    let p = &run.account(paid).unwrap()[0];
    assert_eq!(p.text(&base::ACCOUNT_STATUS), "62");
    // S2:5566-5570: the Metro contact was scheduled for the start date (listed + 5)
    assert_eq!(p.text(&base::DATE_FIRST_DELINQUENCY), "01152024");
    let o = &run.account(open).unwrap()[0];
    assert_eq!(o.text(&base::DATE_FIRST_DELINQUENCY), "01152023");

    let db2 = standard("auto_activate = true");
    let paid2 = debtor(&db2, 1, "500.00", &[]);
    pay(&db2, paid2, "500.00", "2024-07-08");
    let run2 = generate(&db2, "2024-07-31", &[]);
    assert_eq!(
        run2.account(paid2).unwrap()[0].text(&base::DATE_FIRST_DELINQUENCY),
        "01152023"
    );
}

#[test]
fn demo_writes_a_valid_metro2_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = Command::cargo_bin("recoup")
        .unwrap()
        .current_dir(dir.path())
        .env_remove("RECOUP_TODAY")
        .args(["demo", "--out", "d"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(stdout.contains("metro2.txt"), "{stdout}");
    let file = dir.path().join("d/metro2.txt");
    let recs = read(&std::fs::read(&file).unwrap());
    assert!(recs.iter().filter(|(k, _)| *k == RecordKind::Base).count() >= 4);
    Command::cargo_bin("recoup")
        .unwrap()
        .args(["metro2", "validate", "--profile", "collection"])
        .arg(&file)
        .assert()
        .code(0);
}

#[test]
fn a_file_made_after_month_end_reports_the_month() {
    let db = standard("auto_activate = true");
    let paid_later = debtor(&db, 1, "1000.00", &[]);
    let closed_later = debtor(&db, 1, "700.00", &[]);
    let bounced = debtor(&db, 1, "900.00", &[]);
    let bounced_in_month = debtor(&db, 1, "800.00", &[]);
    // June is reported, so a DA could be sent for an account closed since.
    generate(&db, "2024-06-30", &["--mark-done"]);

    // paid in full on August 3rd, after the as-of date
    pay(&db, paid_later, "1000.00", "2024-08-03");
    // closed on August 2nd
    set(
        &db,
        Form::Debtor,
        closed_later,
        &[
            ("de.mo", text("C")),
            ("de.cld", Value::Date(date("2024-08-02"))),
        ],
    );
    // $50 in June; $300 on July 20th that came back NSF on August 2nd
    pay(&db, bounced, "50.00", "2024-06-10");
    pay(&db, bounced, "300.00", "2024-07-20");
    {
        let store = Store::open(&db.path).unwrap();
        post(store.conn(), bounced, "105", "-300.00", "2024-08-02");
    }
    // $100 in June reversed on July 5th, $200 on July 10th reversed on July 20th,
    // $50 on July 25th: the month's Actual Payment is the $50.
    pay(&db, bounced_in_month, "100.00", "2024-06-15");
    {
        let store = Store::open(&db.path).unwrap();
        post(
            store.conn(),
            bounced_in_month,
            "105",
            "-100.00",
            "2024-07-05",
        );
    }
    pay(&db, bounced_in_month, "200.00", "2024-07-10");
    {
        let store = Store::open(&db.path).unwrap();
        post(
            store.conn(),
            bounced_in_month,
            "105",
            "-200.00",
            "2024-07-20",
        );
    }
    pay(&db, bounced_in_month, "50.00", "2024-07-25");

    let july = generate_on(&db, "2024-08-05", "2024-07-31", &[]);
    let field = |fi: i64, f: &recoup::metro2::layout::Field| july.account(fi).unwrap()[0].text(f);

    assert_eq!(field(paid_later, &base::ACCOUNT_STATUS), "93");
    assert_eq!(field(paid_later, &base::CURRENT_BALANCE), "000001000");
    assert_eq!(field(paid_later, &base::AMOUNT_PAST_DUE), "000001000");
    assert_eq!(field(paid_later, &base::ACTUAL_PAYMENT), "000000000");
    assert_eq!(field(paid_later, &base::DATE_LAST_PAYMENT), "00000000");
    assert_eq!(field(paid_later, &base::DATE_CLOSED), "00000000");
    assert_eq!(
        field(paid_later, &base::DATE_ACCOUNT_INFORMATION),
        "07312024"
    );

    assert_eq!(field(closed_later, &base::ACCOUNT_STATUS), "93");
    assert_eq!(field(closed_later, &base::DATE_CLOSED), "00000000");
    assert_eq!(field(closed_later, &base::CURRENT_BALANCE), "000000700");

    assert_eq!(field(bounced, &base::ACCOUNT_STATUS), "93");
    assert_eq!(field(bounced, &base::ACTUAL_PAYMENT), "000000000");
    assert_eq!(field(bounced, &base::DATE_LAST_PAYMENT), "06102024");
    assert_eq!(field(bounced, &base::CURRENT_BALANCE), "000000850");

    assert_eq!(field(bounced_in_month, &base::ACTUAL_PAYMENT), "000000050");
    assert_eq!(
        field(bounced_in_month, &base::DATE_LAST_PAYMENT),
        "07252024"
    );
    assert_eq!(field(bounced_in_month, &base::CURRENT_BALANCE), "000000750");

    // The file its own validator accepts (no date after the DOAI, X024).
    let out = db.dir.join("m2-2024-07-31.txt");
    Command::cargo_bin("recoup")
        .unwrap()
        .args(["metro2", "validate", "--profile", "collection"])
        .arg(&out)
        .assert()
        .success();

    // August itself: the payment, the closure and the reversal are reported.
    let aug = generate_on(&db, "2024-08-31", "2024-08-31", &[]);
    assert_eq!(aug.status(paid_later).as_deref(), Some("62"));
    assert_eq!(
        aug.account(paid_later).unwrap()[0].text(&base::DATE_CLOSED),
        "08032024"
    );
    assert_eq!(aug.status(closed_later).as_deref(), Some("DA"));
    assert_eq!(
        aug.account(closed_later).unwrap()[0].text(&base::DATE_CLOSED),
        "08022024"
    );
}

#[test]
fn many_exclusions_make_one_line_per_reason_and_nothing_to_report_writes_no_file() {
    let db = standard("auto_activate = true");
    let no_id: Vec<i64> = (0..8)
        .map(|_| {
            debtor(
                &db,
                1,
                "800.00",
                &[("de.ss", Value::Null), ("de.dob", Value::Null)],
            )
        })
        .collect();
    // Nothing to report: exit 3, no file, the reasons on stderr.
    let out_path = db.dir.join("none.txt");
    let out = recoup(&db, "2024-07-31")
        .args(["metro2", "generate", "--out"])
        .arg(&out_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(!out_path.exists());
    assert!(!db.dir.join("none.txt.partial").exists());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let want = format!(
        "warning: 8 account(s) not reported (no_ssn_or_dob): files {}, {}, {}, {}, {} and 3 more; file {}: neither SSN nor date of birth",
        no_id[0], no_id[1], no_id[2], no_id[3], no_id[4], no_id[0]
    );
    assert!(stderr.lines().any(|l| l == want), "{stderr}");
    assert!(
        stderr.contains(
            "nothing to report (8 account(s) excluded, 0 finished earlier); no file written"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.matches("not reported").count(), 1, "{stderr}");

    // One account to report: the file is written, --json lists all eight.
    let good = debtor(&db, 1, "800.00", &[]);
    let run = generate(&db, "2024-07-31", &[]);
    assert_eq!(run.bases(), 1);
    assert!(run.account(good).is_some());
    let files: Vec<i64> = run.summary["exclusions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_i64().unwrap())
        .collect();
    assert_eq!(files, no_id);
    assert!(run
        .stderr
        .contains("8 account(s) not reported (no_ssn_or_dob)"));
}
