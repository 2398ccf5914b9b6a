//! The top-level modules of the library form layers: a module may use only the modules
//! below it, so no cycle between modules can come back unnoticed. The test reads
//! `src/**/*.rs`, collects every `crate::MODULE` reference (including `use crate::{…}`
//! groups and the crate-root re-exports `Error`, `Result`, `Env` and the exported
//! macros) per top-level module, and checks each against [`LAYERS`].
//!
//! The command line (`src/cli/`) is the top layer: it may use every library module, and
//! no library module may use it (docs/architecture.md, "Command line | library").

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first: each module may use only the modules listed before it.
const LAYERS: &[&str] = &[
    // foundations: no knowledge of debtors, fields or the database (errors mask the
    // offending input they keep, so PII masking sits below them)
    "pii",
    "error",
    "env",
    "suggest",
    "dates",
    "amount",
    "output",
    "progress",
    "tomlutil",
    // the field catalogue, the store (every SQL statement), then money (posting and
    // totals, through the store)
    "catalog",
    "store",
    "money",
    // rules and services on top of the store
    "sol",
    "sync",
    "report",
    "plans",
    "arrangements",
    "setup",
    "import",
    "letters",
    "metro2",
    "statements",
    "transfer",
    "demo",
    // the command line: arguments, printing, progress bars, prompts, `--json`
    "cli",
];

/// Known exceptions, each with its reason. Keep this list short; never add a pair
/// that makes a cycle without saying why it cannot be broken yet.
const ALLOWED_UPWARD: &[(&str, &str, &str)] = &[];

/// Crate-root names that stand for a module (`pub use` in lib.rs, `#[macro_export]`).
const ROOT_NAMES: &[(&str, &str)] = &[
    ("Error", "error"),
    ("ErrorKind", "error"),
    ("Remedy", "error"),
    ("Result", "error"),
    ("bail", "error"),
    ("Env", "env"),
    ("out", "cli"),
    ("outln", "cli"),
    ("summaryln", "cli"),
    ("sql", "store"),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to (`src/money/post.rs` → `money`).
fn top_module(path: &Path) -> String {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The text without `//` comments (doc comments name modules in prose).
fn code_only(text: &str) -> String {
    text.lines()
        .map(|l| l.split_once("//").map_or(l, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first names of every path after `crate::`: `crate::money::x` gives `money`,
/// `crate::{bail, store::Store}` gives `bail` and `store`.
fn crate_names(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            names.extend(group_heads(group));
        } else {
            names.push(ident_at(rest).to_string());
        }
    }
    names
}

/// The names that start each path of a `{…}` group, up to its closing brace.
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 1;
    let mut expect_head = true;
    let mut i = 0;
    let bytes = group.as_bytes();
    while i < bytes.len() && depth > 0 {
        let c = bytes[i] as char;
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 1 => expect_head = true,
            c if (c.is_ascii_alphabetic() || c == '_') && depth == 1 && expect_head => {
                let name = ident_at(&group[i..]);
                heads.push(name.to_string());
                expect_head = false;
                i += name.len();
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    heads
}

/// Which top-level modules each top-level module uses (itself left out).
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .map(|p| top_module(p))
        .filter(|m| m != "lib" && m != "main")
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &files {
        let from = top_module(path);
        if from == "lib" || from == "main" {
            continue;
        }
        let uses = graph.entry(from.clone()).or_default();
        let text = std::fs::read_to_string(path).unwrap();
        for name in crate_names(&code_only(&text)) {
            let to = ROOT_NAMES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, m)| m.to_string())
                .unwrap_or(name);
            if modules.contains(&to) && to != from {
                uses.insert(to);
            }
        }
    }
    graph
}

#[test]
fn every_module_is_placed_in_the_layers() {
    let graph = module_graph();
    let placed: BTreeSet<&str> = LAYERS.iter().copied().collect();
    assert_eq!(placed.len(), LAYERS.len(), "a module is listed twice");
    let found: BTreeSet<&str> = graph.keys().map(String::as_str).collect();
    let unplaced: Vec<_> = found.difference(&placed).collect();
    let gone: Vec<_> = placed.difference(&found).collect();
    assert!(
        unplaced.is_empty(),
        "place these modules in LAYERS (tests/layering.rs): {unplaced:?}"
    );
    assert!(
        gone.is_empty(),
        "LAYERS lists modules that are gone: {gone:?}"
    );
}

#[test]
fn modules_use_only_the_layers_below_them() {
    let graph = module_graph();
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut upward = Vec::new();
    for (from, uses) in &graph {
        let Some(from_rank) = rank(from) else {
            continue; // reported by every_module_is_placed_in_the_layers
        };
        for to in uses {
            let allowed = ALLOWED_UPWARD.iter().any(|(a, b, _)| a == from && b == to);
            if rank(to).is_some_and(|r| r > from_rank) && !allowed {
                upward.push(format!("{from} -> {to}"));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "these uses go up the layers (and may close a cycle): {upward:?}"
    );
}

#[test]
fn the_scanner_sees_paths_and_groups() {
    let code =
        "use crate::{bail, store::{self, Store}, Env};\nlet x = crate::money::round_cents(y);";
    assert_eq!(crate_names(code), vec!["bail", "store", "Env", "money"]);
    assert_eq!(code_only("a // crate::money"), "a ");
}
