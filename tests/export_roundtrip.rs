//! "Nothing lost on the way out": every shipped map, and a map holding every
//! importable debtor field, run backwards and forwards again. Export, import the
//! export into a fresh database, export again: the two files are byte for byte the
//! same, and the records the map writes are equal field by field in both databases.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use recoup::catalog::{self, FieldType, Form, Value};
use recoup::import::map::{Direction, Map, Source};
use recoup::store::{read_record, FieldValues, Store};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn recoup(db: &Path) -> Command {
    let mut c = common::recoup_at(db, "2024-07-31");
    c.arg("--home").arg(root()).env("RECOUP_TIME", "15:30:00");
    c
}

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/import").join(name)
}

/// A fresh database with the shipped setup (clients 1001-1003).
fn seeded(dir: &Path, name: &str) -> PathBuf {
    let db = dir.join(name);
    recoup(&db)
        .args(["setup", "apply"])
        .arg(root().join("setup.toml"))
        .assert()
        .success();
    db
}

fn import(db: &Path, map: &str, file: &Path) -> serde_json::Value {
    // Rejects go beside the database, never beside a shipped fixture.
    let rejects = db.with_file_name(format!(
        "{}.rejects.csv",
        file.file_name().unwrap().to_string_lossy()
    ));
    let out = recoup(db)
        .arg("--json")
        .args(["import", map])
        .arg(file)
        .arg("--rejects")
        .arg(rejects)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "import {map} {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn export(db: &Path, map: &str, out: &Path) -> (Vec<u8>, String) {
    let run = recoup(db)
        .args(["export", map, "--out"])
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr).to_string();
    assert!(run.status.success(), "export {map}: {stderr}");
    (std::fs::read(out).unwrap(), stderr)
}

/// Every record of a form, in rowid order.
fn records(db: &Path, form: Form) -> Vec<FieldValues> {
    let store = Store::open(db).unwrap();
    let conn = store.conn();
    let sql = format!("SELECT rowid FROM {} ORDER BY rowid", form.table());
    let mut stmt = conn.prepare(&sql).unwrap();
    let ids: Vec<i64> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    ids.iter()
        .map(|&id| read_record(conn, form, id).unwrap().unwrap())
        .collect()
}

/// The forms whose records a map writes (a definition made of static specs only
/// writes nothing).
fn written_forms(map_path: &Path) -> Vec<Form> {
    let map = Map::load_for(map_path, Direction::Export).unwrap();
    let mut forms = Vec::new();
    for def in &map.records {
        let writes = def.fields.iter().any(|s| {
            s.field.is_some() && !matches!(s.source, Source::Static | Source::StaticAdvance)
        });
        if writes && !forms.contains(&def.kind.form()) {
            forms.push(def.kind.form());
        }
    }
    forms
}

/// Export from a database loaded by `setup` (base imports, then the map's own file),
/// import the export into a fresh database prepared the same way, export again.
fn round_trip(map: &str, map_path: &Path, base: &[(&str, PathBuf)], data: &Path) -> String {
    let dir = tempfile::tempdir().unwrap();
    let a = seeded(dir.path(), "a.db");
    for (m, f) in base {
        import(&a, m, f);
    }
    import(&a, map, data);
    let first = dir.path().join("first.out");
    let (bytes1, warnings) = export(&a, map, &first);

    let b = seeded(dir.path(), "b.db");
    for (m, f) in base {
        import(&b, m, f);
    }
    let s = import(&b, map, &first);
    assert_eq!(
        s["rejected"], 0,
        "{map}: the export imports without rejects: {s}"
    );
    let second = dir.path().join("second.out");
    let (bytes2, _) = export(&b, map, &second);
    assert!(
        bytes1 == bytes2,
        "{map}: the second export differs:\n{}\n---\n{}",
        String::from_utf8_lossy(&bytes1),
        String::from_utf8_lossy(&bytes2)
    );
    for form in written_forms(map_path) {
        let (ra, rb) = (records(&a, form), records(&b, form));
        assert_eq!(ra.len(), rb.len(), "{map}: {} records", form.name());
        for (x, y) in ra.iter().zip(&rb) {
            for ((f, vx), (_, vy)) in x.iter().zip(y) {
                // A flag never set (NULL, e.g. a client from setup.toml) is No: the
                // import reads a blank flag as No and the export writes it as N.
                let no = |v: &Value| match (f.ty, v) {
                    (FieldType::Flag, Value::Null) => Value::Flag(false),
                    _ => v.clone(),
                };
                assert_eq!(no(vx), no(vy), "{map}: {} differs", f.code());
            }
        }
    }
    warnings
}

/// Imports a map needs first (the debtors a payment file finds), as (map, file).
type Base<'a> = Vec<(&'a str, PathBuf)>;

fn shipped(name: &str) -> PathBuf {
    root().join("maps").join(format!("{name}.toml"))
}

#[test]
fn every_shipped_map_round_trips() {
    let placement = ("placement-csv", fixture("placement.csv"));
    let transfers = ("client-transfers", fixture("clienttransfers.csv"));
    let cases: Vec<(&str, Base, &str)> = vec![
        ("placement-csv", vec![], "placement.csv"),
        ("placement-fixed", vec![], "placement-fixed.txt"),
        ("placement-multiline", vec![], "placement-multiline.txt"),
        ("payments", vec![placement.clone()], "payments.csv"),
        ("client-transfers", vec![], "clienttransfers.csv"),
        ("client-notes", vec![transfers], "clientnotes.csv"),
        ("ncoa-return", vec![placement.clone()], "ncoa.csv"),
        ("dialer-results", vec![placement], "dialer.csv"),
    ];
    // Every map in maps/ is covered.
    let mut names: Vec<String> = std::fs::read_dir(root().join("maps"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
        .collect();
    names.sort();
    let mut covered: Vec<String> = cases.iter().map(|c| c.0.to_string()).collect();
    covered.sort();
    assert_eq!(names, covered);
    for (map, base, data) in &cases {
        round_trip(map, &shipped(map), base, &fixture(data));
    }
}

/// A value of the field's type that fits its width.
fn sample(f: &catalog::FieldDef, row: usize) -> String {
    let w = f.width as usize;
    // Codes that name setup records: a plan to run, a rate plan.
    match f.code().as_str() {
        "de.rp" => return "NEW".into(),
        "de.rpl" => return "PTD".into(),
        _ => {}
    }
    match f.ty {
        FieldType::TextAn => {
            let s = format!("{}{}", f.field.to_uppercase(), row);
            s.chars().take(w).collect()
        }
        FieldType::TextN => format!("{}", 3 + row).chars().take(w).collect(),
        FieldType::Currency => format!("{}.{:02}", 100 + row * 7, row * 13 % 100),
        FieldType::Percent => format!("{}.5", 10 + row),
        FieldType::Date => format!("0{}/1{}/19{}", 1 + row, row, 70 + row),
        FieldType::Flag => if row.is_multiple_of(2) { "Y" } else { "N" }.to_string(),
    }
}

#[test]
fn a_map_with_every_importable_debtor_field_round_trips() {
    // Computed fields are written by recalculation, except the write-once original
    // principal and interest, which a posting map imports; the file number is
    // assigned by recoup and the client comes from the map's options.
    let fields: Vec<&catalog::FieldDef> = Form::Debtor
        .fields()
        .filter(|f| !f.computed || matches!(f.field, "opr" | "oi"))
        .filter(|f| !matches!(f.field, "fi" | "cn"))
        .collect();
    let mut map = String::from(
        "name = \"Every debtor field\"\nformat = \"csv\"\nfirst_line_labels = true\n\
         [options]\nclient = 1001\ninclude_transaction_posting = true\n",
    );
    map.push_str("[[record]]\ntype = \"debtor\"\n");
    for f in &fields {
        map.push_str(&format!("[[record.field]]\nfield = \"{}\"\n", f.code()));
        if f.field == "ac" {
            map.push_str("key = true\nexact = true\n");
        }
        if f.field == "na" {
            // The name from two columns, "Last, First" (S2:5384-5398).
            map.push_str(
                "[[record.field]]\nfield = \"de.na\"\nappend = true\nprepend_comma = true\nadd_space = true\n",
            );
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let map_path = dir.path().join("every-debtor-field.toml");
    std::fs::write(&map_path, &map).unwrap();
    let mut wtr = csv::Writer::from_path(dir.path().join("every.csv")).unwrap();
    let columns = |row: Option<usize>| -> Vec<String> {
        let mut cols = Vec::new();
        for f in &fields {
            cols.push(row.map_or(f.name.to_string(), |r| sample(f, r)));
            if f.field == "na" {
                cols.push(row.map_or("First name".to_string(), |r| format!("First{r}")));
            }
        }
        cols
    };
    wtr.write_record(columns(None)).unwrap();
    for row in 0..3 {
        wtr.write_record(columns(Some(row))).unwrap();
    }
    wtr.flush().unwrap();
    drop(wtr);
    let map_arg = map_path.to_string_lossy().to_string();
    round_trip(&map_arg, &map_path, &[], &dir.path().join("every.csv"));
}

/// Options that cannot run backwards are said once per field on stderr.
#[test]
fn options_that_cannot_run_backwards_warn_once() {
    let warnings = round_trip(
        "placement-csv",
        &shipped("placement-csv"),
        &[],
        &fixture("placement.csv"),
    );
    for field in ["de.st: case", "de.hp: strip", "de.ss: strip"] {
        assert_eq!(
            warnings
                .matches(&format!("warning: {field} cannot run backwards"))
                .count(),
            1,
            "{warnings}"
        );
    }
}

fn count(db: &Path, sql: &str) -> i64 {
    let store = Store::open(db).unwrap();
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

/// A transaction map reads its debtor's fields without `key = true`, and `--where`
/// selects the transactions; a debtor map reads computed fields. The same maps are
/// still refused by the import, naming the line.
#[test]
fn export_maps_read_owner_and_computed_fields() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path(), "t.db");
    import(&db, "placement-csv", &fixture("placement.csv"));
    import(&db, "payments", &fixture("payments.csv"));
    let trans = dir.path().join("trans.toml");
    std::fs::write(
        &trans,
        "format = \"csv\"\n[[record]]\ntype = \"transaction\"\n\
         [[record.field]]\nfield = \"de.ac\"\n[[record.field]]\nfield = \"de.na\"\n\
         [[record.field]]\nfield = \"tr.ty\"\n[[record.field]]\nfield = \"tr.tu\"\n",
    )
    .unwrap();
    let out = dir.path().join("t.csv");
    recoup(&db)
        .args(["export"])
        .arg(&trans)
        .arg("--out")
        .arg(&out)
        .args(["--where", "(@tr.ty = 101)"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "AC-10001,\"Doe, John\",101,500.00\r\nAC-10002,\"Martinez, Elena\",101,1000.00\r\n"
    );
    let run = recoup(&db)
        .arg("import")
        .arg(&trans)
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("trans.toml:5:") && stderr.contains("add key = true"),
        "{stderr}"
    );

    let owing = dir.path().join("owing.toml");
    std::fs::write(
        &owing,
        "format = \"csv\"\n[[record]]\ntype = \"debtor\"\n\
         [[record.field]]\nfield = \"de.ac\"\n[[record.field]]\nfield = \"de.ow\"\n\
         [[record.field]]\nfield = \"de.opr\"\n[[record.field]]\nfield = \"de.pa\"\n",
    )
    .unwrap();
    recoup(&db)
        .arg("export")
        .arg(&owing)
        .arg("--out")
        .arg(&out)
        .args(["--where", "(@de.ac = AC-10002)"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "AC-10002,3310.55,4310.55,1000.00\r\n"
    );
    let run = recoup(&db)
        .arg("import")
        .arg(&owing)
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("owing.toml:7:"));

    // A --where field the map's record type cannot read is a bad argument.
    let run = recoup(&db)
        .arg("export")
        .arg(&owing)
        .arg("--out")
        .arg(&out)
        .args(["--where", "(@tr.ty = 101)"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("a debtor record cannot read tr.ty"),
        "{stderr}"
    );
}

/// `must_equal` translates back, dates follow the map (2-digit years), the file is in
/// the map's encoding and ends with the map's footer; the import agrees on the footer
/// and refuses a file without it.
#[test]
fn translations_dates_encoding_and_footer() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path(), "t.db");
    import(&db, "placement-csv", &fixture("placement.csv"));
    import(
        &db,
        "placement-multiline",
        &fixture("placement-multiline.txt"),
    );
    let map = dir.path().join("states.toml");
    std::fs::write(
        &map,
        "format = \"csv\"\nencoding = \"windows-1252\"\nlast_line_footer = true\n\
         [footer]\ntext = \"END {count:03} {Principal}\"\n\
         [dates]\norder = \"YMD\"\nseparator = \"-\"\nyear_digits = 2\n\
         [options]\nclient = 1001\ninclude_transaction_posting = true\n\
         [[record]]\ntype = \"debtor\"\n\
         [[record.field]]\nfield = \"de.ac\"\nkey = true\nexact = true\n\
         [[record.field]]\nfield = \"de.na\"\n\
         [[record.field]]\nfield = \"de.st\"\ncondition = \"must_equal\"\ndefault = \"California\"\nfill = \"CA\"\nfail_cancels_field_only = true\n\
         [[record.field]]\nfield = \"de.dob\"\n\
         [[record.field]]\nfield = \"de.opr\"\naccumulator = \"Principal\"\n",
    )
    .unwrap();
    let out = dir.path().join("states.csv");
    let run = recoup(&db)
        .arg("export")
        .arg(&map)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(
            "de.st holds a value no must_equal spec writes; written blank (1; the first: 'NV')"
        ),
        "{stderr}"
    );
    let bytes = std::fs::read(&out).unwrap();
    let expected: &[u8] = b"AC-10001,\"Doe, John\",California,80-04-12,15000.00\r\n\
AC-10002,\"Martinez, Elena\",California,75-09-30,4310.55\r\n\
AC-10003,\"Nguyen, Bao\",,90-01-05,620.00\r\n\
A-20001,\"C\xf4t\xe9, M\xe9lanie\",California,,\r\n\
A-20002,\"O'Neil, Sean\",California,,\r\n\
END 005 19930.55\r\n";
    assert_eq!(
        String::from_utf8_lossy(&bytes),
        String::from_utf8_lossy(expected)
    );
    assert_eq!(bytes, expected);

    // Back in: the footer is not an account; CA, the date and the name come back.
    let db2 = seeded(dir.path(), "t2.db");
    let s = import(&db2, &map.to_string_lossy(), &out);
    assert_eq!(s["created"]["debtor"], 5, "{s}");
    let store = Store::open(&db2).unwrap();
    let d = read_record(store.conn(), Form::Debtor, 1000)
        .unwrap()
        .unwrap();
    let get = |code: &str| {
        let f = catalog::by_code(code).unwrap();
        d.iter().find(|(g, _)| *g == f).unwrap().1.plain()
    };
    assert_eq!(get("de.st"), "CA");
    assert_eq!(get("de.dob"), "1980-04-12");
    let d = read_record(store.conn(), Form::Debtor, 1003)
        .unwrap()
        .unwrap();
    assert!(d
        .iter()
        .any(|(f, v)| f.code() == "de.na" && v.plain() == "Côté, Mélanie"));
    drop(store);

    // Without its footer line the file is refused whole: exit 3, nothing committed.
    let cut = dir.path().join("cut.csv");
    let end = bytes.windows(5).position(|w| w == b"END 0").unwrap();
    std::fs::write(&cut, &bytes[..end]).unwrap();
    let db3 = seeded(dir.path(), "t3.db");
    let run = recoup(&db3)
        .arg("import")
        .arg(&map)
        .arg(&cut)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("line 5: last_line_footer is set but the last line is not a footer (it does not start with 'END')"),
        "{stderr}"
    );
    assert_eq!(count(&db3, "SELECT COUNT(*) FROM debtor"), 0);
}

/// A map whose record definitions share each row (a debtor and its note) writes
/// them back into one row, with as many columns as the label line.
#[test]
fn shared_rows_match_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let db = seeded(dir.path(), "t.db");
    import(&db, "placement-csv", &fixture("placement.csv"));
    let out = dir.path().join("p.csv");
    export(&db, "placement-csv", &out);
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&out)
        .unwrap();
    let width = rdr.headers().unwrap().len();
    assert_eq!(width, 15);
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 3, "one row per debtor, its note beside it");
    assert!(rows.iter().all(|r| r.len() == width));
    assert_eq!(&rows[0][1], "Doe");
    assert_eq!(&rows[0][2], "John");
    assert_eq!(&rows[0][14], "Placed by Acme");
}
