//! The account numbers a client's debtors already have, held in memory for one
//! import, so that a placement of new accounts does not ask the database about
//! every one of them: a key that is not in the set cannot match, and its lookup is
//! skipped. A key that is in the set is still looked up in the database (that
//! finds the file number and notices ambiguity), so the set only has to be a
//! superset of what is stored: it is loaded once and grows with each account the
//! import creates.

use std::collections::HashSet;

use rusqlite::Connection;

use crate::Result;

/// Above this many accounts for one client, the set is not built (memory); every
/// key is looked up in the database as before.
const MAX_KEYS: i64 = 5_000_000;

/// Exact text keys of one column among one client's debtors, folded as SQLite's
/// NOCASE folds them (ASCII letters only).
pub struct KnownKeys {
    client: i64,
    column: &'static str,
    keys: HashSet<String>,
}

impl KnownKeys {
    /// Load the keys of `column` for `client`, or `None` when the client has too many
    /// accounts to hold.
    pub fn load(conn: &Connection, client: i64, column: &'static str) -> Result<Option<KnownKeys>> {
        let count: i64 = conn
            .prepare_cached("SELECT COUNT(*) FROM debtor WHERE cn = ?1")?
            .query_row([client], |r| r.get(0))?;
        if count > MAX_KEYS {
            return Ok(None);
        }
        // `column` comes from the catalogue, never from input.
        let mut stmt = conn.prepare(&format!(
            "SELECT {column} FROM debtor WHERE cn = ?1 AND {column} IS NOT NULL"
        ))?;
        let mut rows = stmt.query([client])?;
        let mut keys = HashSet::with_capacity(count as usize);
        while let Some(r) = rows.next()? {
            if let rusqlite::types::ValueRef::Text(t) = r.get_ref(0)? {
                keys.insert(fold(&String::from_utf8_lossy(t)));
            }
        }
        Ok(Some(KnownKeys {
            client,
            column,
            keys,
        }))
    }

    pub fn column(&self) -> &'static str {
        self.column
    }

    pub fn covers(&self, client: i64, column: &str) -> bool {
        self.client == client && self.column == column
    }

    /// False when no debtor of the client can have this key (`col = key COLLATE NOCASE`).
    pub fn may_exist(&self, key: &str) -> bool {
        self.keys.contains(&fold(key))
    }

    /// A debtor of the client was written with this value in the column.
    pub fn add(&mut self, value: &str) {
        self.keys.insert(fold(value));
    }
}

fn fold(s: &str) -> String {
    s.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_like_nocase() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE debtor (cn INTEGER, ac TEXT);
             INSERT INTO debtor VALUES (1, 'Abc-1'), (1, 'ÉCOLE'), (2, 'other'), (1, NULL);",
        )
        .unwrap();
        let mut k = KnownKeys::load(&conn, 1, "ac").unwrap().unwrap();
        assert!(k.covers(1, "ac") && !k.covers(2, "ac") && !k.covers(1, "na"));
        // Each answer agrees with SQLite's own comparison.
        for (key, expect) in [
            ("ABC-1", true),
            ("abc-1", true),
            ("école", false),
            ("ÉCOLE", true),
            ("other", false),
        ] {
            let sql: bool = conn
                .query_row(
                    "SELECT EXISTS(SELECT 1 FROM debtor WHERE cn = 1 AND ac = ?1 COLLATE NOCASE)",
                    [key],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(sql, expect, "{key}");
            assert_eq!(k.may_exist(key), expect, "{key}");
        }
        k.add("New-2");
        assert!(k.may_exist("NEW-2"));
    }
}
