//! The store owns the SQL (docs/architecture.md, "The store owns the SQL"). Outside
//! `src/store/` no library file names the SQLite crate, calls a statement method or holds
//! a string literal that reads as SQL, so no catalogue column is spelled in SQL anywhere
//! else, and a second backend is a second implementation of the store's functions.
//!
//! The test reads `src/**/*.rs` outside `src/store/`, takes every string literal outside
//! comments and fails on each one that looks like SQL, naming the catalogue columns it
//! spells; it fails too on `rusqlite` and on the connection's statement methods.

use std::path::{Path, PathBuf};

use recoup::catalog::FIELDS;

/// Files outside the store that may hold SQL, each with its reason. Keep it short.
const EXEMPT: &[(&str, &str)] = &[(
    "report/sql_check.rs",
    "reads a report's own `@SQL` text to refuse writes; its literals are SQL words",
)];

/// Literals that hold SQL words but are not SQL: messages naming a plan's event kinds,
/// and a hostile sync pair file whose table name the pair loader must refuse.
const NOT_SQL: &[&str] = &[
    "an odbc event needs description INSERT, UPDATE or DELETE",
    "is not INSERT, UPDATE or DELETE",
    "Table=t; DROP TABLE x",
];

/// Method calls that only a database connection or statement makes here.
const STATEMENT_METHODS: &[&str] = &[
    ".execute(",
    ".execute_batch(",
    ".prepare(",
    ".prepare_cached(",
    ".query_row(",
    ".query_map(",
    ".query_and_then(",
    ".last_insert_rowid(",
    ".transaction(",
    ".unchecked_transaction(",
];

/// Upper-case words that start or shape an SQL statement; a literal holding one of them
/// as a whole word, or a `?N` placeholder, reads as SQL.
const SQL_WORDS: &[&str] = &[
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "CREATE",
    "DROP",
    "ALTER",
    "PRAGMA",
    "WHERE",
    "JOIN",
    "ORDER BY",
    "GROUP BY",
    "COALESCE",
    "VALUES",
    "IS NULL",
    "IS NOT NULL",
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

/// The files to check, as paths relative to `src/` with `/` separators.
fn library_files() -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(src())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&p).unwrap();
            (rel, text)
        })
        .filter(|(rel, _)| !rel.starts_with("store/"))
        .filter(|(rel, _)| !EXEMPT.iter().any(|(f, _)| f == rel))
        .collect()
}

/// What a scan of Rust source keeps: the code outside comments and literals, and each
/// string literal with the line it starts on.
struct Scanned {
    code: String,
    literals: Vec<(usize, String)>,
}

/// Split Rust source into code and string literals, dropping comments. Handles `//`,
/// nested `/* */`, `"…"` with escapes, `b"…"`, raw strings `r#"…"#` and char literals
/// (a `'` that opens a lifetime is left as code).
fn scan(text: &str) -> Scanned {
    let b: Vec<char> = text.chars().collect();
    let mut code = String::new();
    let mut literals = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == '/' && b.get(i + 1) == Some(&'/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && b.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == '\n' {
                        line += 1;
                        code.push('\n');
                    }
                    i += 1;
                }
            }
        } else if c == 'r'
            && (b.get(i + 1) == Some(&'"') || b.get(i + 1) == Some(&'#'))
            && (i == 0 || !(b[i - 1].is_alphanumeric() || b[i - 1] == '_'))
        {
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                code.push(c);
                i += 1;
                continue;
            }
            let start_line = line;
            let mut lit = String::new();
            j += 1;
            while j < b.len() {
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                if b[j] == '\n' {
                    line += 1;
                }
                lit.push(b[j]);
                j += 1;
            }
            literals.push((start_line, lit));
            code.push_str("\"\"");
            i = j;
        } else if c == '"' {
            let start_line = line;
            let mut lit = String::new();
            let mut j = i + 1;
            while j < b.len() && b[j] != '"' {
                if b[j] == '\\' {
                    lit.push(b[j]);
                    j += 1;
                }
                if j < b.len() {
                    if b[j] == '\n' {
                        line += 1;
                    }
                    lit.push(b[j]);
                }
                j += 1;
            }
            literals.push((start_line, lit));
            code.push_str("\"\"");
            i = j + 1;
        } else if c == '\'' {
            // '\n', '\'', 'x' are char literals; 'a in `&'a str` is a lifetime.
            if b.get(i + 1) == Some(&'\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
                code.push_str("' '");
            } else if b.get(i + 2) == Some(&'\'') {
                i += 3;
                code.push_str("' '");
            } else {
                code.push(c);
                i += 1;
            }
        } else {
            if c == '\n' {
                line += 1;
            }
            code.push(c);
            i += 1;
        }
    }
    Scanned { code, literals }
}

fn has_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let boundary = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        boundary(before) && boundary(after)
    })
}

fn has_placeholder(text: &str) -> bool {
    text.match_indices('?')
        .any(|(at, _)| text[at + 1..].starts_with(|c: char| c.is_ascii_digit()))
}

/// Whether a string literal reads as SQL.
fn reads_as_sql(literal: &str) -> bool {
    if NOT_SQL.iter().any(|m| literal.contains(m)) {
        return false;
    }
    SQL_WORDS.iter().any(|w| has_word(literal, w)) || has_placeholder(literal)
}

/// The catalogue columns a piece of SQL spells (as whole words).
fn catalogue_columns(sql: &str) -> Vec<&'static str> {
    let mut cols: Vec<&'static str> = FIELDS
        .iter()
        .map(|f| f.column)
        .filter(|c| has_word(sql, c))
        .collect();
    cols.sort_unstable();
    cols.dedup();
    cols
}

/// Every place in one file that speaks SQL, as `src/FILE:LINE: what`.
fn findings(rel: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let scanned = scan(text);
    for (line, lit) in &scanned.literals {
        if reads_as_sql(lit) {
            let cols = catalogue_columns(lit);
            let spelled = if cols.is_empty() {
                String::new()
            } else {
                format!(" (catalogue columns: {})", cols.join(", "))
            };
            found.push(format!(
                "src/{rel}:{line}: SQL outside the store{spelled}: {:?}",
                lit.trim()
            ));
        }
    }
    for (n, code_line) in scanned.code.lines().enumerate() {
        for m in STATEMENT_METHODS {
            if code_line.contains(m) {
                found.push(format!(
                    "src/{rel}:{}: `{}` outside the store",
                    n + 1,
                    m.trim_end_matches('(')
                ));
            }
        }
        if has_word(code_line, "rusqlite") {
            found.push(format!(
                "src/{rel}:{}: names the SQLite crate outside the store",
                n + 1
            ));
        }
    }
    found
}

#[test]
fn no_sql_outside_the_store() {
    let found: Vec<String> = library_files()
        .iter()
        .flat_map(|(rel, text)| findings(rel, text))
        .collect();
    assert!(
        found.is_empty(),
        "{} places outside src/store/ speak SQL; move them behind a typed store \
         function (docs/architecture.md):\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn the_scan_finds_sql_in_literals_and_skips_comments() {
    let text = "// SELECT na FROM debtor\nlet q = \"UPDATE debtor SET ow = ?2 WHERE fi = ?1\";\n\
                let r = r#\"SELECT \"x\" FROM t\"#; let c = '\"'; fn f<'a>(s: &'a str) {}\n";
    let s = scan(text);
    let sql: Vec<_> = s.literals.iter().filter(|(_, l)| reads_as_sql(l)).collect();
    assert_eq!(sql.len(), 2, "{:?}", s.literals);
    assert_eq!(sql[0].0, 2);
    assert_eq!(catalogue_columns(&sql[0].1), vec!["fi", "ow"]);
    assert!(!s.code.contains("SELECT"));
    assert!(!reads_as_sql("Where is the file? 2 lines"));
    assert!(reads_as_sql("fi = ?1"));
}
