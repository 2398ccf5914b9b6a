//! The account numbers a client's debtors already have, held in memory for one
//! import, so that a placement of new accounts does not ask the database about
//! every one of them: a key that is not in the set cannot match, and its lookup is
//! skipped. A key that is in the set is still looked up in the database (that
//! finds the file number and notices ambiguity), so the set only has to be a
//! superset of what is stored: it is loaded once and grows with each account the
//! import creates.
//!
//! The set holds a 64-bit hash of each folded key, not the key: 1 M accounts take
//! about 18 MB. Two keys with the same hash only cost a database lookup.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use crate::catalog::FieldDef;
use crate::store::{self, Db};
use crate::Result;

/// The set's size limit (about 75 MB): above it the set is not built, or the import
/// stops using it, and every key is looked up in the database (peak memory stays
/// bounded whatever the file size).
pub const MAX_KEYS: usize = 4_000_000;

/// Exact text keys of one column among one client's debtors, folded as SQLite's
/// NOCASE folds them (ASCII letters only).
pub struct KnownKeys {
    client: i64,
    column: &'static str,
    keys: HashSet<u64, BuildHasherDefault<AlreadyHashed>>,
}

impl KnownKeys {
    /// Load the keys of `key`'s column for `client`, or `None` when the client has
    /// more accounts than the set holds.
    pub fn load(conn: &Db, client: i64, key: &'static FieldDef) -> Result<Option<KnownKeys>> {
        let mut known = KnownKeys {
            client,
            column: key.column,
            keys: HashSet::default(),
        };
        let complete = store::debtors::for_each_debtor_key(conn, client, key, |k| known.add(k))?;
        Ok(complete.then_some(known))
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

    /// A debtor of the client was written with this value in the column. False when
    /// the set is full: it can no longer answer, the caller stops using it.
    pub fn add(&mut self, value: &str) -> bool {
        self.keys.insert(fold(value));
        self.keys.len() <= MAX_KEYS
    }
}

/// The hash of the key as SQLite's NOCASE compares it (ASCII letters folded).
fn fold(s: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for b in s.bytes() {
        h.write_u8(b.to_ascii_lowercase());
    }
    s.len().hash(&mut h);
    h.finish()
}

/// The set's keys are hashes already: used as they are.
#[derive(Default)]
pub struct AlreadyHashed(u64);

impl Hasher for AlreadyHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{by_code, Form, Value};
    use crate::store::import_cache::{Cond, SqlValue, Statements};
    use crate::store::Store;

    #[test]
    fn folds_like_nocase() {
        let store = Store::open_in_memory().unwrap();
        let conn = store.conn();
        let ac = by_code("de.ac").unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        store::create_client(conn, 1, &[]).unwrap();
        store::create_client(conn, 2, &[]).unwrap();
        for (client, acct) in [
            (1, Some("Abc-1")),
            (1, Some("ÉCOLE")),
            (2, Some("other")),
            (1, None),
        ] {
            let values: Vec<(&FieldDef, Value)> = acct
                .map(|a| (ac, Value::Text(a.into())))
                .into_iter()
                .collect();
            store::create_debtor(conn, client, &values, today, false).unwrap();
        }
        let mut k = KnownKeys::load(conn, 1, ac).unwrap().unwrap();
        assert!(k.covers(1, "ac") && !k.covers(2, "ac") && !k.covers(1, "na"));
        // Each answer agrees with the import's own lookup (`ac = ? COLLATE NOCASE`).
        let cn = by_code("de.cn").unwrap().column;
        let sql = Statements::new(conn);
        for (key, expect) in [
            ("ABC-1", true),
            ("abc-1", true),
            ("école", false),
            ("ÉCOLE", true),
            ("other", false),
        ] {
            let found = sql
                .lookup(
                    Form::Debtor,
                    false,
                    vec![(cn, Cond::Eq), (ac.column, Cond::NoCase)],
                    vec![SqlValue::Integer(1), SqlValue::Text(key.into())],
                )
                .unwrap();
            assert_eq!(!found.is_empty(), expect, "{key}");
            assert_eq!(k.may_exist(key), expect, "{key}");
        }
        assert!(k.add("New-2"));
        assert!(k.may_exist("NEW-2"));
    }
}
