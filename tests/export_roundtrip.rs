//! "Nothing lost on the way out": every shipped map, and a map holding every
//! importable debtor field, run backwards and forwards again. Export, import the
//! export into a fresh database, export again: the two files are byte for byte the
//! same, and the records the map writes are equal field by field in both databases.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use recoup::catalog::{self, FieldType, Form};
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
    let out = recoup(db)
        .arg("--json")
        .args(["import", map])
        .arg(file)
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
        let writes = def
            .fields
            .iter()
            .any(|s| s.field.is_some() && !matches!(s.source, Source::Static | Source::StaticAdvance));
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
    assert_eq!(s["rejected"], 0, "{map}: the export imports without rejects: {s}");
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
                assert_eq!(vx, vy, "{map}: {} differs", f.code());
            }
        }
    }
    warnings
}

fn shipped(name: &str) -> PathBuf {
    root().join("maps").join(format!("{name}.toml"))
}

#[test]
fn every_shipped_map_round_trips() {
    let placement = ("placement-csv", fixture("placement.csv"));
    let transfers = ("client-transfers", fixture("clienttransfers.csv"));
    let cases: Vec<(&str, Vec<(&str, PathBuf)>, &str)> = vec![
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
        FieldType::Flag => if row % 2 == 0 { "Y" } else { "N" }.to_string(),
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
    }
    let dir = tempfile::tempdir().unwrap();
    let map_path = dir.path().join("every-debtor-field.toml");
    std::fs::write(&map_path, &map).unwrap();
    let mut wtr = csv::Writer::from_path(dir.path().join("every.csv")).unwrap();
    wtr.write_record(fields.iter().map(|f| f.name)).unwrap();
    for row in 0..3 {
        wtr.write_record(fields.iter().map(|f| sample(f, row))).unwrap();
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
            warnings.matches(&format!("warning: {field} cannot run backwards")).count(),
            1,
            "{warnings}"
        );
    }
}
