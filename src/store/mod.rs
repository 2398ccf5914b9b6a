//! The SQLite store: opening and migrating the database, typed reads and writes of
//! catalogue records, settings, numbering. Readers of files never touch the store;
//! the store never parses files (docs/architecture.md).

pub mod budget;
pub(crate) mod busy;
pub mod clients;
pub mod contacts;
pub mod debtors;
pub mod import_cache;
pub mod metro2;
pub mod notes;
pub mod odbc_target;
pub mod plans;
mod records;
pub mod report_source;
mod schema;
pub mod settings;
pub mod source;
pub mod sql;
pub mod statements;
mod stock;
pub mod transactions;
pub mod types;

pub use busy::busy_timeout;
pub use records::{
    client_exists, create_client, create_debtor, debtor_client, find_debtors_by_acct, read_record,
    update_fields, value_from_sql, value_to_sql, FieldValues,
};
pub use schema::{sql_type, SCHEMA_VERSION};
pub use stock::STOCK_TYPES;

use std::path::Path;

use rusqlite::Connection;

use crate::{Error, Result};

/// The connection every store function takes. Code outside `src/store/` names this type,
/// never the SQLite crate's, so a second backend changes what `Db` is and implements the
/// store's functions without touching the capabilities (docs/architecture.md).
pub type Db = Connection;

/// A write transaction: begun with [`Store::begin`], passed on as `&Db` (it derefs to
/// one) and ended with `commit()`; dropped uncommitted, it rolls back.
pub type Tx<'a> = rusqlite::Transaction<'a>;

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        // Busy past the timeout: say who holds the database, not SQLite's bare words.
        let message = if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
            busy::locked_message()
        } else {
            format!("database: {e}")
        };
        Error::runtime(message).with_source(e)
    }
}

pub struct Store {
    conn: Connection,
}

impl Store {
    /// Open (creating if needed) and migrate the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(|e| {
            Error::runtime(format!("{}: cannot open database: {e}", path.display()))
        })?;
        Self::init(conn).map_err(|e| e.context(path.display()))
    }

    /// Open an existing database without creating one (exit 1 naming the path if absent).
    pub fn open_existing(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(Error::runtime(format!(
                "{}: no such database (create one with `recoup setup apply setup.toml`)",
                path.display()
            )));
        }
        Self::open(path)
    }

    /// A private in-memory database with the full schema (tests, dry runs).
    pub fn open_in_memory() -> Result<Store> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Store> {
        // First, so every later statement (the pragmas and migrations too) waits for
        // another recoup command's write instead of failing at once (docs/store.md).
        conn.busy_timeout(busy_timeout()?)?;
        // A deferred transaction that reads first and writes later cannot wait: in WAL
        // mode its upgrade fails with "database is locked" at once, busy timeout or not.
        // Every write transaction takes the write lock when it begins (docs/limits.md).
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        // Queries run under a time budget only where one is set (`@SQL`).
        budget::install(&mut conn)?;
        // 16 KB pages for a new database (an existing one keeps its own): bulk writes
        // of wide debtor rows measured 20–30% faster than with 4 KB (docs/store.md).
        conn.execute_batch(
            "PRAGMA page_size = 16384;
             PRAGMA foreign_keys = ON;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;",
        )?;
        // The default cache of 16 statements is smaller than one posting's working set;
        // evictions showed up as SQL parsing in profiles.
        conn.set_prepared_statement_cache_capacity(256);
        // Query-planner stability: the bundled SQLite (STAT4) otherwise re-prepares a
        // cached statement whenever a new bound value might change its plan
        // (docs/store.md).
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        schema::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Begin a write transaction (IMMEDIATE: it takes the write lock at once).
    pub fn begin(&mut self) -> Result<Tx<'_>> {
        begin(&mut self.conn)
    }
}

/// Begin a write transaction on a connection held as `&mut Db`.
pub fn begin(conn: &mut Db) -> Result<Tx<'_>> {
    Ok(conn.transaction()?)
}

/// The next number of a global sequence: the highest so far + 1 (README "Using it").
pub fn next_number(conn: &Connection, table: &str, column: &str, first: i64) -> Result<i64> {
    let max: Option<i64> =
        conn.query_row(&format!("SELECT MAX({column}) FROM {table}"), [], |r| {
            r.get(0)
        })?;
    Ok(max.map_or(first, |m| (m + 1).max(first)))
}

/// The next debtor file number, starting at `[company] first_file_number`.
pub fn next_file_number(conn: &Connection) -> Result<i64> {
    let first = settings::get_i64(conn, "company", "first_file_number")?.unwrap_or(1);
    next_number(conn, "debtor", "fi", first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Form;

    #[test]
    fn every_catalogue_field_has_a_column() {
        let store = Store::open_in_memory().unwrap();
        for form in Form::ALL {
            let cols: Vec<String> = store
                .conn()
                .prepare(&format!("PRAGMA table_info({})", form.table()))
                .unwrap()
                .query_map([], |r| r.get::<_, String>(1))
                .unwrap()
                .map(|c| c.unwrap())
                .collect();
            for f in form.fields() {
                assert!(
                    cols.contains(&f.column.to_string()),
                    "{} has no column",
                    f.code()
                );
            }
        }
    }

    #[test]
    fn stock_types_installed() {
        let store = Store::open_in_memory().unwrap();
        let n: i64 = store
            .conn()
            .query_row("SELECT COUNT(*) FROM trans_type", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n as usize, STOCK_TYPES.len());
        let ft: String = store
            .conn()
            .query_row(
                "SELECT fin_type FROM trans_type WHERE code='196'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(ft, "principal");
    }

    #[test]
    fn newer_database_is_refused_and_older_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .unwrap();
        }
        let err = Store::open(&path)
            .err()
            .expect("newer schema must be refused");
        assert!(err.message.contains("newer"), "{}", err.message);

        let path2 = dir.path().join("old.db");
        Connection::open(&path2).unwrap(); // version 0: empty
        let store = Store::open(&path2).unwrap();
        let v: i64 = store
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
    }

    #[test]
    fn a_version_1_database_keeps_its_data_and_is_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            let tx = conn.transaction().unwrap();
            schema::migrate_to(&tx, 1).unwrap();
            tx.execute("INSERT INTO client (nu, na) VALUES (7, 'Kept')", [])
                .unwrap();
            tx.commit().unwrap();
            let v: i64 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(v, 1);
            assert!(
                conn.prepare("SELECT * FROM email").is_err(),
                "no email table at version 1"
            );
        }
        let store = Store::open(&path).unwrap();
        let v: i64 = store
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        let name: String = store
            .conn()
            .query_row("SELECT na FROM client WHERE nu = 7", [], |r| r.get(0))
            .unwrap();
        assert_eq!(name, "Kept");
        store
            .conn()
            .execute(
                "INSERT INTO email (cn, address) VALUES (7, 'a@b.example')",
                [],
            )
            .unwrap();
        assert!(store
            .conn()
            .prepare("SELECT target, amount FROM allocation")
            .is_ok());
    }

    #[test]
    fn zip_keeps_leading_zero_and_money_is_integer() {
        let store = Store::open_in_memory().unwrap();
        let c = store.conn();
        c.execute("INSERT INTO client (nu, na) VALUES (1, 'X')", [])
            .unwrap();
        c.execute(
            "INSERT INTO debtor (fi, cn, zi, ow) VALUES (1, 1, '02110', 12345)",
            [],
        )
        .unwrap();
        let (zip, ty): (String, String) = c
            .query_row("SELECT zi, typeof(ow) FROM debtor", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(zip, "02110");
        assert_eq!(ty, "integer");
        // STRICT: a REAL in a money column is refused
        assert!(c.execute("UPDATE debtor SET ow = 1.5", []).is_err());
    }
}
