//! The command-line habits of the Unix tools agencies script with: help on every
//! argument, exit codes in the top-level help, completions, man pages, a
//! version that names the database schema.

mod common;

use assert_cmd::Command;
use predicates::prelude::*;

fn recoup() -> Command {
    let mut c = Command::cargo_bin("recoup").unwrap();
    c.env_remove("RECOUP_DB")
        .env_remove("RECOUP_TODAY")
        .env_remove("RECOUP_HOME");
    c
}

#[test]
fn version_names_the_schema_it_creates() {
    let expected = format!(
        "recoup {} (database schema {})\n",
        env!("CARGO_PKG_VERSION"),
        recoup::store::SCHEMA_VERSION
    );
    recoup()
        .arg("--version")
        .assert()
        .success()
        .stdout(expected);
}

#[test]
fn top_level_help_lists_the_exit_codes() {
    recoup()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Exit status:"))
        .stdout(predicate::str::contains("3  the data failed validation"))
        .stdout(predicate::str::contains("1  runtime failure"))
        .stdout(predicate::str::contains("2  bad argument"));
}

#[test]
fn import_help_describes_map_file_and_client() {
    let out = recoup().args(["import", "--help"]).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for (arg, words) in [
        ("<MAP>", "import map"),
        ("<FILE>", "file to read"),
        ("--client <CLIENT>", "Client the records belong to"),
    ] {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(arg))
            .unwrap_or_else(|| panic!("{arg} not in help:\n{text}"));
        assert!(line.contains(words), "{arg}: {line}");
    }
    assert!(text.contains("Examples:\n  recoup import "), "{text}");
}

#[test]
fn completions_generate_for_every_shell() {
    for (shell, marker) in [
        ("bash", "_recoup()"),
        ("zsh", "#compdef recoup"),
        ("fish", "complete -c recoup"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = recoup().args(["completions", shell]).assert().success();
        let script = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        assert!(script.contains(marker), "{shell}: no {marker}");
        // The subcommands are completed too.
        assert!(script.contains("metro2"), "{shell}: no metro2");
    }
    recoup().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn man_pages_generate_one_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    recoup().args(["man", "--out"]).arg(&out).assert().success();
    for page in [
        "recoup.1",
        "recoup-import.1",
        "recoup-metro2.1",
        "recoup-metro2-generate.1",
        "recoup-statements-print.1",
    ] {
        let text =
            std::fs::read_to_string(out.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{page}");
    }
    let import = std::fs::read_to_string(out.join("recoup-import.1")).unwrap();
    assert!(import.contains("recoup\\-import"), "{import}");
    assert!(import.contains("Client the records belong to"));
    // Nothing half-written is left beside the pages.
    let partial = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            !e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".1")
        })
        .count();
    assert_eq!(partial, 0);
}

fn home_recoup(db: &std::path::Path) -> Command {
    common::recoup_home(db, "2024-07-31")
}

#[test]
fn an_unknown_name_suggests_the_closest_known_one() {
    let (dir, db) = common::seeded_office();
    let file = dir.path().join("x.csv");
    std::fs::write(&file, "a\n").unwrap();
    // A mistyped map, report and plan name.
    home_recoup(&db)
        .args(["import", "placemnt-csv"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no such map: did you mean placement-csv?",
        ));
    home_recoup(&db)
        .args(["report", "run", "debtor-listin"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean debtor-listing?"));
    home_recoup(&db)
        .args(["plan", "run", "NEWW"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean NEW?"));
    // A mistyped field code in --where, in a map and in a report.
    home_recoup(&db)
        .args(["export", "placement-csv", "--out"])
        .arg(dir.path().join("o.csv"))
        .args(["--where", "(@de.nam = x)"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown field code 'de.nam': did you mean de.na?",
        ));
    let map = dir.path().join("m.toml");
    std::fs::write(
        &map,
        "format = \"csv\"\n\n[[record]]\ntype = \"debtor\"\n\n  [[record.field]]\n  field = \"de.nam\"\n  source = \"@A 1\"\n",
    )
    .unwrap();
    let out = home_recoup(&db)
        .arg("import")
        .arg(&map)
        .arg(&file)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("unknown field code 'de.nam': did you mean de.na?"),
        "{err}"
    );
    let rpt = dir.path().join("r.rpt");
    std::fs::write(&rpt, "@de.nam\n").unwrap();
    home_recoup(&db)
        .args(["report", "check"])
        .arg(&rpt)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean de.na?"));
    // And a mistyped command.
    recoup()
        .arg("improt")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("'import'"));
}
