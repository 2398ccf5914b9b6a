//! Client transfer between two offices' databases (S1; docs/sync-and-transfer.md).

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn office(dir: &Path, name: &str, setup: &str) -> PathBuf {
    let db = dir.join(format!("{name}.db"));
    let toml = dir.join(format!("{name}.toml"));
    std::fs::write(&toml, setup).unwrap();
    cmd(&db, &["setup", "apply", toml.to_str().unwrap()])
        .assert()
        .success();
    db
}

fn cmd(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::cargo_bin("recoup").unwrap();
    c.arg("--db")
        .arg(db)
        .args(["--today", "2024-08-01", "--quiet"])
        .args(args);
    c.env("RECOUP_TIME", "10:00:00");
    c
}

/// A row of `clienttransfers.csv` filling the named columns of the file's header.
fn transfer_row(file: &str, cells: &[(&str, &str)]) -> String {
    let header: Vec<&str> = file.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = header
        .iter()
        .map(|h| cells.iter().find(|(c, _)| c == h).map_or("", |(_, v)| *v))
        .collect();
    row.join(",")
}

fn rows(db: &Path, sql: &str) -> Vec<String> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut s = c.prepare(sql).unwrap();
    s.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect()
}

const SENDER: &str = "[[client]]\nnumber = 10\nname = \"Harbor Credit Union\"\nrate = \"25\"\ncontact = \"Sam Ito\"\n\
[[client]]\nnumber = 11\nname = \"Harbor CU, Auto Loans\"\nrate = \"27.5\"\nremit = \"G\"\nowned_by = 10\n\
[[client]]\nnumber = 12\nname = \"Not Sent\"\n";

fn sender(dir: &Path) -> PathBuf {
    let db = office(dir, "sender", SENDER);
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch(
        "INSERT INTO note (cn, te, dt, tm) VALUES (10, 'Signed agency agreement', '2024-07-15', '09:05');
         INSERT INTO note (cn, te, dt, tm) VALUES (11, 'Wants weekly remittance, \"net\"', '2024-07-16', '14:20');
         INSERT INTO note (cn, te, dt, tm) VALUES (12, 'stays here', '2024-07-16', '14:21');
         INSERT INTO contact (cn, ty, de, du, op, st, done) VALUES (10, 'Review', 'Quarterly review', '2024-09-30', 'JDS', 'In Progress', 0);
         INSERT INTO client_payment (cn, date, amount) VALUES (11, '2024-07-20', 12550);
         INSERT INTO client_payment (cn, date, amount) VALUES (12, '2024-07-21', 100);",
    )
    .unwrap();
    db
}

#[test]
fn round_trip_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let a = sender(dir.path());
    let out = dir.path().join("xfer");
    cmd(
        &a,
        &[
            "transfer",
            "export",
            "--out",
            out.to_str().unwrap(),
            "--client",
            "10",
            "--client",
            "11",
        ],
    )
    .assert()
    .success();
    let b = office(
        dir.path(),
        "receiver",
        "[[client]]\nnumber = 20\nname = \"Local Client\"\n",
    );
    cmd(&b, &["transfer", "import", out.to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(
        rows(
            &b,
            "SELECT nu || ' ' || na || ' ' || COALESCE(ob, '') FROM client ORDER BY nu"
        ),
        vec![
            "10 Harbor Credit Union ",
            "11 Harbor CU, Auto Loans 10",
            "20 Local Client "
        ]
    );
    assert_eq!(
        rows(&b, "SELECT rt FROM client WHERE nu = 11"),
        vec!["27.5"]
    );
    assert_eq!(
        rows(
            &b,
            "SELECT cn || ' ' || dt || ' ' || tm || ' ' || te FROM note ORDER BY cn"
        ),
        vec![
            "10 2024-07-15 09:05 Signed agency agreement",
            "11 2024-07-16 14:20 Wants weekly remittance, \"net\""
        ]
    );
    assert_eq!(
        rows(&b, "SELECT cn || ' ' || de || ' ' || du FROM contact"),
        vec!["10 Quarterly review 2024-09-30"]
    );
}

#[test]
fn duplicates_are_refused_or_renumbered_and_nothing_is_half_imported() {
    let dir = tempfile::tempdir().unwrap();
    let a = sender(dir.path());
    let out = dir.path().join("xfer");
    cmd(&a, &["transfer", "export", "--out", out.to_str().unwrap()])
        .assert()
        .success();
    let b = office(dir.path(), "receiver", "[[client]]\nnumber = 11\nname = \"Already Here\"\n[[client]]\nnumber = 30\nname = \"Other\"\n");
    // refused, naming the duplicates; nothing written
    let o = cmd(&b, &["transfer", "import", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).ends_with(
        "duplicate client numbers, nothing imported: 11 \
         (use --renumber to give them the next free numbers)\n"
    ));
    assert_eq!(
        rows(&b, "SELECT na FROM client ORDER BY nu"),
        vec!["Already Here", "Other"]
    );
    // --renumber maps 11 to the next free number (31), and everything that named it
    let o = cmd(
        &b,
        &[
            "--json",
            "transfer",
            "import",
            out.to_str().unwrap(),
            "--renumber",
        ],
    )
    .output()
    .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["renumbered"]["11"], 31);
    assert_eq!(
        rows(&b, "SELECT nu || ' ' || na FROM client ORDER BY nu"),
        vec![
            "10 Harbor Credit Union",
            "11 Already Here",
            "12 Not Sent",
            "30 Other",
            "31 Harbor CU, Auto Loans"
        ]
    );
    assert_eq!(
        rows(&b, "SELECT COALESCE(ob, '') FROM client WHERE nu = 31"),
        vec!["10"]
    );
    assert_eq!(
        rows(&b, "SELECT te FROM note WHERE cn = 31"),
        vec!["Wants weekly remittance, \"net\""]
    );
    assert!(rows(&b, "SELECT te FROM note WHERE cn = 11").is_empty());
    assert_eq!(
        rows(
            &b,
            "SELECT cn || ' ' || amount FROM client_payment ORDER BY cn"
        ),
        vec!["12 100", "31 12550"]
    );

    // a bad payment row: nothing imported
    let c0 = office(dir.path(), "fourth", "[company]\nname = \"D\"\n");
    let xfer = out.join("clienttransfers.csv");
    let good = std::fs::read_to_string(&xfer).unwrap();
    let bad = transfer_row(
        &good,
        &[
            ("record", "PAYMENT"),
            ("cl.nu", "10"),
            ("payment.date", "2024-31-31"),
            ("payment.amount", "5.00"),
        ],
    );
    std::fs::write(&xfer, format!("{good}{bad}\n")).unwrap();
    let o = cmd(&c0, &["transfer", "import", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    let lines = good.lines().count() + 1;
    assert!(String::from_utf8_lossy(&o.stderr).contains(&format!(
        "clienttransfers.csv:{lines}: payment.date: '2024-31-31' is not a date (YYYY-MM-DD)"
    )));
    assert!(rows(&c0, "SELECT na FROM client").is_empty());
    std::fs::write(&xfer, good).unwrap();

    // a bad line in the notes file: the clients file is not imported either
    let c = office(dir.path(), "third", "[company]\nname = \"C\"\n");
    let notes = out.join("clientnotes.csv");
    let mut text = std::fs::read_to_string(&notes).unwrap();
    text.push_str("10,13/45/2024,09:00,a date that does not exist\n");
    std::fs::write(&notes, text).unwrap();
    let o = cmd(&c, &["transfer", "import", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        rows(&c, "SELECT na FROM client").is_empty(),
        "nothing half-imported"
    );
}

/// A value of the field's type that fits its width, for filling blank fields.
fn sample(f: &recoup::catalog::FieldDef) -> rusqlite::types::Value {
    use recoup::catalog::FieldType;
    use rusqlite::types::Value as V;
    let text = |full: &str| V::Text(full.chars().take(f.width as usize).collect());
    match (f.code().as_str(), f.ty) {
        ("cl.ob", _) => V::Text("1001".into()),
        ("cl.np", _) => V::Text("NEW".into()),
        (_, FieldType::TextAn) => text("Smith, \"Jr.\"\nline two"),
        (_, FieldType::TextN) => text("12"),
        (_, FieldType::Currency) => V::Integer(12_345),
        (_, FieldType::Percent) => V::Text("12.5".into()),
        (_, FieldType::Date) => V::Text("2023-03-04".into()),
        (_, FieldType::Flag) => V::Integer(1),
    }
}

fn show_client(db: &Path, n: i64) -> serde_json::Value {
    let o = cmd(db, &["--json", "show", "client", &n.to_string()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

const CONTACT_COLUMNS: &str = "cn || '|' || COALESCE(ty,'') || '|' || COALESCE(de,'') || '|' || COALESCE(du,'') || '|' || COALESCE(ti,'') || '|' || COALESCE(pr,'') || '|' || COALESCE(op,'') || '|' || COALESCE(at,'') || '|' || COALESCE(am,'') || '|' || COALESCE(done,'') || '|' || COALESCE(dd,'') || '|' || COALESCE(st,'') || '|' || COALESCE(cr,'')";

#[test]
fn every_client_field_note_contact_and_payment_of_the_demo_office_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    cmd(
        &dir.path().join("unused.db"),
        &["demo", "--out", demo.to_str().unwrap()],
    )
    .assert()
    .success();
    let a = demo.join("recoup.db");
    let c = rusqlite::Connection::open(&a).unwrap();
    // A working office: the demo's clients have debtors and transactions.
    assert_ne!(
        rows(&a, "SELECT CAST(COUNT(*) AS TEXT) FROM debtor"),
        vec!["0"]
    );
    // Client 1002 gets a value in every field the demo left blank: the transfer must
    // carry each one (D.B.A., tax rate, sort order, rate plan, bill-negative, …).
    for f in recoup::catalog::Form::Client.fields() {
        c.execute(
            &format!(
                "UPDATE client SET {0} = ?1 WHERE nu = 1002 AND {0} IS NULL",
                f.column
            ),
            [sample(f)],
        )
        .unwrap();
    }
    c.execute_batch(
        "INSERT INTO note (cn, te, dt, tm) VALUES (1001, 'Signed, \"as is\"\nsecond line', '2024-07-15', '09:05');
         INSERT INTO note (cn, te, dt, tm) VALUES (1003, 'Weekly remit', '2024-07-16', '14:20');
         INSERT INTO note (cn, te, dt, tm) VALUES (1001, 'No date', NULL, NULL);
         INSERT INTO contact (cn, ty, de, du, ti, pr, op, at, am, done, dd, st, cr)
           VALUES (1002, 'Review', 'Quarterly, \"formal\"', '2024-09-30', '10:30', '2', 'JDS', 'agreement.pdf', 5000, 1, '2024-07-01', 'Completed', '12');
         INSERT INTO contact (cn, ty, de, st, done) VALUES (1001, 'Call', 'Renewal', 'In Progress', 0);
         INSERT INTO client_payment (cn, date, amount, note) VALUES (1002, '2024-07-20', 12550, 'cheque 881, \"late\"');
         INSERT INTO client_payment (cn, date, amount) VALUES (1001, '2024-07-21', -100);",
    )
    .unwrap();
    let clients: Vec<i64> = rows(&a, "SELECT CAST(nu AS TEXT) FROM client ORDER BY nu")
        .iter()
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(clients, vec![1001, 1002, 1003]);

    let out = dir.path().join("xfer");
    cmd(&a, &["transfer", "export", "--out", out.to_str().unwrap()])
        .assert()
        .success();
    let b = dir.path().join("empty.db");
    let o = cmd(&b, &["--json", "transfer", "import", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let filled = show_client(&a, 1002);
    for f in recoup::catalog::Form::Client.fields() {
        assert!(!filled[f.code()].is_null(), "{} left blank", f.code());
    }
    for n in clients {
        assert_eq!(show_client(&b, n), show_client(&a, n), "client {n}");
    }
    let notes = "SELECT cn || '|' || COALESCE(dt, '') || '|' || COALESCE(tm, '') || '|' || te FROM note WHERE fi IS NULL ORDER BY cn, id";
    assert_eq!(rows(&b, notes), rows(&a, notes));
    assert_eq!(rows(&b, notes).len(), 3);
    let contacts =
        format!("SELECT {CONTACT_COLUMNS} FROM contact WHERE fi IS NULL ORDER BY cn, id");
    assert_eq!(rows(&b, &contacts), rows(&a, &contacts));
    assert_eq!(rows(&b, &contacts).len(), 2);
    // The shipped "Client Transfers" map reads the same file (S1's receiving office).
    let m = dir.path().join("by-map.db");
    let xfer = out.join("clienttransfers.csv");
    let o = cmd(
        &m,
        &[
            "import",
            "client-transfers",
            xfer.to_str().unwrap(),
            "--strict",
        ],
    )
    .output()
    .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A map reads a blank flag as No (docs/import-maps.md), where the transfer keeps it blank.
    let blank_flags_as_no = |mut j: serde_json::Value| {
        for f in recoup::catalog::Form::Client.fields() {
            if f.ty == recoup::catalog::FieldType::Flag && j[f.code()].is_null() {
                j[f.code()] = serde_json::Value::Bool(false);
            }
        }
        j
    };
    for n in [1001, 1002, 1003] {
        assert_eq!(
            show_client(&m, n),
            blank_flags_as_no(show_client(&a, n)),
            "client {n} by map"
        );
    }
    assert_eq!(rows(&m, &contacts), rows(&a, &contacts));
    let payments = "SELECT cn || '|' || date || '|' || amount || '|' || COALESCE(note, '') FROM client_payment ORDER BY cn, id";
    assert_eq!(
        rows(&b, payments),
        vec![
            "1001|2024-07-21|-100|",
            "1002|2024-07-20|12550|cheque 881, \"late\""
        ]
    );
}

#[test]
fn a_client_twice_in_one_file_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let a = sender(dir.path());
    let out = dir.path().join("xfer");
    cmd(&a, &["transfer", "export", "--out", out.to_str().unwrap()])
        .assert()
        .success();
    let xfer = out.join("clienttransfers.csv");
    let good = std::fs::read_to_string(&xfer).unwrap();
    let again = transfer_row(
        &good,
        &[("record", "CLIENT"), ("cl.nu", "11"), ("cl.na", "Copy")],
    );
    std::fs::write(&xfer, format!("{good}{again}\n")).unwrap();
    let b = office(dir.path(), "receiver", "[company]\nname = \"B\"\n");
    let o = cmd(
        &b,
        &["transfer", "import", out.to_str().unwrap(), "--renumber"],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(3));
    let line = good.lines().count() + 1;
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "clienttransfers.csv: duplicate CLIENT rows, nothing imported: 11 (lines 3, {line})"
        )),
        "{err}"
    );
    assert!(rows(&b, "SELECT na FROM client").is_empty());
}
