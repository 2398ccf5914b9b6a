//! Hostile and unlucky import input: files that do not match their map, bytes that
//! are not text, re-runs, runaway quotes, codes that try to be paths, unknown clients.

mod common;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

use common::root;

fn recoup(db: &Path) -> Command {
    common::recoup_home(db, "2024-07-31")
}

use common::seeded_office as seeded;

fn count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

fn placement() -> String {
    std::fs::read_to_string(root().join("fixtures/import/placement.csv")).unwrap()
}

/// The shipped placement map with `extra` lines after `first_line_labels` (and the
/// `[options]` edits of `edit`).
fn placement_map(dir: &Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let text = std::fs::read_to_string(root().join("maps/placement-csv.toml")).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, edit(text)).unwrap();
    p
}

/// `recoup import MAP FILE` on `db`.
fn import(db: &Path, map: &Path, file: &Path) -> std::process::Output {
    recoup(db)
        .arg("import")
        .arg(map)
        .arg(file)
        .output()
        .unwrap()
}

/// The placement map with one more option line after `first_line_labels`.
fn with_option(dir: &Path, name: &str, line: &str) -> PathBuf {
    placement_map(dir, name, |t| {
        t.replace(
            "first_line_labels = true",
            &format!("first_line_labels = true\n{line}"),
        )
    })
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn unknown_client_is_exit_2_before_any_record_is_read() {
    let (dir, db) = seeded();
    let file = dir.path().join("p.csv");
    std::fs::write(&file, placement()).unwrap();
    let out = recoup(&db)
        .args(["import", "placement-csv"])
        .arg(&file)
        .args(["--client", "9999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the import's client: client 9999 is not on file"),
        "{}",
        stderr(&out)
    );
    let map = placement_map(dir.path(), "acme.toml", |t| {
        t.replace("client = 1001", "client = 4242")
    });
    let out = import(&db, &map, &file);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("acme.toml: [options] client: client 4242 is not on file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM import_batch"), 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM debtor"), 0);
    assert!(!dir.path().join("p.csv.rejects.csv").exists());
}

/// A small map: account, name and Run Plan from three columns, client 1001.
const PLAN_MAP: &str = "format = \"csv\"\n[options]\nclient = 1001\nNEWPLAN\n[[record]]\ntype = \"debtor\"\n[[record.field]]\nfield = \"de.ac\"\nsource = \"@A\"\nkey = true\nexact = true\n[[record.field]]\nfield = \"de.na\"\nsource = \"@B\"\n[[record.field]]\nfield = \"de.rp\"\nsource = \"@C\"\n";

#[test]
fn plan_codes_that_are_paths_are_refused() {
    let (dir, db) = seeded();
    // Data: the record naming a path is rejected, the others go in.
    let map = dir.path().join("plan.toml");
    std::fs::write(&map, PLAN_MAP.replace("NEWPLAN\n", "")).unwrap();
    let file = dir.path().join("p.csv");
    std::fs::write(&file, "A1,Doe,NEW\nA2,Roe,../x\nA3,Poe,/etc/x\nA4,Moe,\n").unwrap();
    let out = recoup(&db)
        .arg("--json")
        .arg("import")
        .arg(&map)
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["read"], 4);
    assert_eq!(s["rejected"], 2);
    assert_eq!(s["created"]["debtor"], 2);
    let rejects = std::fs::read_to_string(dir.path().join("p.csv.rejects.csv")).unwrap();
    assert!(
        rejects.contains("2,\"de.rp: '../x' is not a plan code"),
        "{rejects}"
    );
    assert!(
        rejects.contains("3,\"de.rp: '/etc/x' is not a plan code"),
        "{rejects}"
    );
    // Map: exit 2 naming the line of the key.
    for bad in ["../x", "/tmp/evil"] {
        std::fs::write(
            &map,
            PLAN_MAP.replace("NEWPLAN", &format!("new_account_plan = \"{bad}\"")),
        )
        .unwrap();
        let out = import(&db, &map, &file);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("plan.toml:4:")
                && stderr(&out).contains(&format!("'{bad}' is not a plan code")),
            "{}",
            stderr(&out)
        );
    }
    // A plan run by code refuses a path too.
    let out = recoup(&db)
        .args(["plan", "run", "../maps/placement-csv", "--debtor", "1000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not a plan code"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_rerun_later_the_same_day_adds_no_notes() {
    let (dir, db) = seeded();
    let file = dir.path().join("p.csv");
    std::fs::write(&file, placement()).unwrap();
    let imported_notes = || count(&db, "SELECT COUNT(*) FROM note WHERE te LIKE '%NEW IMP%'");
    recoup(&db)
        .args(["import", "placement-csv"])
        .arg(&file)
        .assert()
        .success();
    assert_eq!(imported_notes(), 3);
    let out = recoup(&db)
        .env("RECOUP_TIME", "17:45:10")
        .arg("--json")
        .args(["import", "placement-csv"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(s["created"].get("note").is_none(), "{s}");
    assert_eq!(s["skipped"]["duplicate note line"], 3);
    assert_eq!(imported_notes(), 3);
    // Another day is another note.
    let out = common::recoup_at(&db, "2024-08-01")
        .arg("--home")
        .arg(root())
        .env("RECOUP_TIME", "09:00:00")
        .args(["import", "placement-csv"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(imported_notes(), 6);
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

#[test]
fn a_file_that_yields_no_record_names_the_likely_cause() {
    let (dir, db) = seeded();
    let lf = dir.path().join("lf.csv");
    std::fs::write(&lf, placement()).unwrap();
    let crlf_map = with_option(dir.path(), "crlf.toml", "crlf_line_endings = true");
    let out = import(&db, &crlf_map, &lf);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("lf.csv: no record read: the whole file reads as one line")
            && stderr(&out)
                .contains("the file's lines end in LF alone but the map reads only CR LF"),
        "{}",
        stderr(&out)
    );
    let be = dir.path().join("be.csv");
    std::fs::write(&be, utf16(&placement(), true)).unwrap();
    let le_map = with_option(dir.path(), "le.toml", "encoding = \"utf-16le\"");
    let out = import(&db, &le_map, &be);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the file looks like UTF-16BE but the map declares UTF-16LE"),
        "{}",
        stderr(&out)
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM import_batch"), 0);
    // A file holding only its label line is an empty placement, not an error.
    let head = dir.path().join("head.csv");
    std::fs::write(
        &head,
        placement().lines().next().unwrap().to_string() + "\n",
    )
    .unwrap();
    recoup(&db)
        .args(["import", "placement-csv"])
        .arg(&head)
        .assert()
        .success();
}

#[test]
fn nul_bytes_and_lone_surrogates_reject_their_record() {
    let (dir, db) = seeded();
    let text = placement().replace("Placed by Acme", "Placed\0by Acme");
    let nul = dir.path().join("nul.csv");
    std::fs::write(&nul, text).unwrap();
    let out = recoup(&db)
        .arg("--json")
        .args(["import", "placement-csv"])
        .arg(&nul)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["rejected"], 3, "{s}");
    let rejects = std::fs::read_to_string(dir.path().join("nul.csv.rejects.csv")).unwrap();
    assert!(
        rejects.contains("2,\"NUL byte at character 132 of the record"),
        "{rejects}"
    );

    // UTF-16LE with a BOM; line 3 holds a lone surrogate instead of its last letter.
    let mut bytes = vec![0xFF, 0xFE];
    let text = placement();
    let cut = text.find("see letter").unwrap();
    bytes.extend(utf16(&text[..cut], false));
    bytes.extend(0xDC00u16.to_le_bytes());
    bytes.extend(utf16(&text[cut + 1..], false));
    let u16file = dir.path().join("u16.csv");
    std::fs::write(&u16file, bytes).unwrap();
    let map = with_option(dir.path(), "u16.toml", "encoding = \"utf-16le\"");
    let out = recoup(&db)
        .arg("--json")
        .arg("import")
        .arg(&map)
        .arg(&u16file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["rejected"], 3, "{s}");
    let rejects = std::fs::read_to_string(dir.path().join("u16.csv.rejects.csv")).unwrap();
    assert!(
        rejects.contains("3,bytes not valid in UTF-16LE at character 133 of the record"),
        "{rejects}"
    );
}

#[test]
fn a_runaway_quote_names_where_it_opened_and_the_lines_it_took_in() {
    let (dir, db) = seeded();
    let map = dir.path().join("plan.toml");
    std::fs::write(&map, PLAN_MAP.replace("NEWPLAN\n", "")).unwrap();
    let file = dir.path().join("q.csv");
    std::fs::write(
        &file,
        "A1,Doe,NEW\nA2,\"Roe,NEW\nA3,Poe,NEW\nA4,Moe\",NEW,X\nA5,Zoe,NEW\n",
    )
    .unwrap();
    let out = recoup(&db)
        .arg("--json")
        .arg("import")
        .arg(&map)
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (s["read"].as_i64(), s["rejected"].as_i64()),
        (Some(3), Some(1)),
        "{s}"
    );
    let rejects = std::fs::read_to_string(dir.path().join("q.csv.rejects.csv")).unwrap();
    assert!(
        rejects.contains(
            "2,\"ragged row: 4 columns where 3 were expected (a quoted field opened on line 2 and took in 3 lines, to line 4)\""
        ),
        "{rejects}"
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM debtor WHERE ac IN ('A1', 'A5')"),
        2
    );
}
