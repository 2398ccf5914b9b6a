//! The command line lives in one place: only `src/cli/` and `src/main.rs` print, draw
//! progress bars or read the standard input (docs/architecture.md, "One package, a
//! library and a binary"). Library code returns values, writes bulk output to a writer
//! or path it is given, and reports progress through `recoup::progress::Progress`.

use std::path::{Path, PathBuf};

/// What only the command line may do: print (the std macros, the crate's own
/// `outln!`/`out!`/`summaryln!` and the `output` functions behind them, the standard
/// streams themselves), read the standard input, draw an indicatif bar.
const CLI_ONLY: &[&str] = &[
    "println!",
    "print!",
    "eprintln!",
    "eprint!",
    "outln!",
    "out!",
    "summaryln!",
    "std::io::stdin",
    "io::stdin",
    "io::stdout()",
    "io::stderr()",
    "output::stdout_fmt",
    "output::stderr_fmt",
    "output::summary_fmt",
    "output::committed",
    "indicatif::",
];

/// Library files that may still name some of [`CLI_ONLY`], each with its reason.
const ALLOWED: &[(&str, &[&str], &str)] = &[(
    "output.rs",
    &["io::stdout()"],
    "writes an output path of `-` (`--out -`) to the standard output",
)];

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

/// The code without `//` comments: doc comments mention the macros in prose.
fn code_only(text: &str) -> String {
    text.lines()
        .map(|l| l.split_once("//").map_or(l, |(code, _)| code))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The lines where `pattern` occurs as a whole name: `print!` inside `eprint!` and
/// `out!` inside `layout!` do not count.
fn occurs(code: &str, pattern: &str) -> Vec<usize> {
    code.match_indices(pattern)
        .filter(|(at, _)| {
            let before = code[..*at].chars().next_back();
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .map(|(at, _)| code[..at].lines().count().max(1))
        .collect()
}

fn library_offences() -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "main.rs" || rel.starts_with("cli/") {
            continue;
        }
        let code = code_only(&std::fs::read_to_string(&path).unwrap());
        for pattern in CLI_ONLY {
            let allowed = ALLOWED
                .iter()
                .any(|(file, what, _)| *file == rel && what.contains(pattern));
            if allowed {
                continue;
            }
            for line in occurs(&code, pattern) {
                found.push(format!("src/{rel}:{line}: {pattern}"));
            }
        }
    }
    found
}

#[test]
fn only_the_command_line_prints_prompts_or_draws() {
    let found = library_offences();
    assert!(
        found.is_empty(),
        "command-line work in library code (move it to src/cli/):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scanner_tells_names_apart() {
    assert_eq!(occurs("layout!(X)", "out!"), Vec::<usize>::new());
    assert_eq!(occurs("eprint!(\"a\")", "print!"), Vec::<usize>::new());
    assert_eq!(occurs("x\n  print!(\"a\")", "print!"), vec![2]);
    assert_eq!(occurs("crate::outln!()", "outln!"), vec![1]);
    assert_eq!(code_only("let a = 1; // println!"), "let a = 1; ");
}
