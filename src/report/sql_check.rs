//! `@SQL( … )` reads, never writes (docs/report-language.md): a write statement is refused when the
//! report is checked, before anything runs. The run also opens the query read-only
//! (`src/store/report_source.rs`); this check names the place earlier.

/// Words that begin a statement that changes the database or the connection.
const WRITE_WORDS: &[&str] = &[
    "insert",
    "update",
    "delete",
    "replace",
    "upsert",
    "drop",
    "create",
    "alter",
    "attach",
    "detach",
    "pragma",
    "vacuum",
    "reindex",
    "analyze",
    "begin",
    "commit",
    "end",
    "rollback",
    "savepoint",
    "release",
];

/// The first problem in a query: (byte offset in `q`, message). `None` = a read.
pub fn write_in_query(q: &str) -> Option<(usize, String)> {
    let words = words(q);
    let Some(&(first_at, first)) = words.first() else {
        return Some((0, "@SQL( ) holds no query".into()));
    };
    let lead = first.to_ascii_lowercase();
    if lead != "select" && lead != "with" && lead != "values" {
        return Some((
            first_at,
            format!("@SQL: '{first}' is not a query; only SELECT (or WITH … SELECT) reads"),
        ));
    }
    for (i, &(at, w)) in words.iter().enumerate() {
        let lw = w.to_ascii_lowercase();
        if lw == ";" {
            if i + 1 < words.len() {
                return Some((at, "@SQL: one query only (text after ';')".into()));
            }
            continue;
        }
        // `replace(x, y, z)` is the string function, not REPLACE INTO.
        let is_call = q[at + w.len()..].trim_start().starts_with('(');
        if WRITE_WORDS.contains(&lw.as_str()) && !(lw == "replace" && is_call) {
            // `END` closes a CASE expression; only a write keyword elsewhere counts.
            if lw == "end" {
                continue;
            }
            return Some((
                at,
                format!("@SQL: '{w}' writes to the database; @SQL only reads"),
            ));
        }
    }
    None
}

/// Bare words and `;` of a query, with their byte offsets; quoted text and comments
/// are skipped.
fn words(q: &str) -> Vec<(usize, &str)> {
    let b = q.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\'' | b'"' | b'`' => {
                i += 1;
                while i < b.len() && b[i] != c {
                    i += 1;
                }
                i += 1;
            }
            b'[' => {
                while i < b.len() && b[i] != b']' {
                    i += 1;
                }
                i += 1;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b';' => {
                out.push((i, ";"));
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let s = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80)
                {
                    i += 1;
                }
                out.push((s, &q[s..i]));
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pass_and_writes_are_named_where_they_stand() {
        assert_eq!(write_in_query("select count(*) from de"), None);
        assert_eq!(
            write_in_query(
                "WITH t AS (SELECT replace(na, 'a', 'b') AS x FROM de) SELECT CASE WHEN x = 'delete' THEN 1 END FROM t;"
            ),
            None
        );
        let (at, msg) = write_in_query("DELETE FROM debtor").unwrap();
        assert_eq!(at, 0);
        assert!(msg.contains("'DELETE' is not a query"), "{msg}");
        let q = "WITH x AS (SELECT 1) DELETE FROM debtor";
        let (at, msg) = write_in_query(q).unwrap();
        assert_eq!(&q[at..at + 6], "DELETE");
        assert!(msg.contains("writes to the database"), "{msg}");
        let q = "select 1; drop table debtor";
        assert_eq!(write_in_query(q).unwrap().0, 8);
        assert_eq!(write_in_query("select 1 -- drop\n").map(|p| p.0), None);
        assert!(write_in_query("   ").is_some());
    }
}
