//! The import's SQL statements, prepared once per import and found again by their
//! shape (table, columns, conditions). Building the SQL text of every row and hashing
//! it in rusqlite's statement cache took a tenth of an import's time; a shape is a
//! few column names, and the text is built only the first time.
//!
//! The import names columns by the catalogue's `FieldDef.column` (a map writes any
//! catalogue field), so this cache stays specialised: it builds INSERT, UPDATE and
//! lookup statements from those columns. Also here: the import's batch record and the
//! connection settings of its one long transaction.

use std::cell::RefCell;

use chrono::NaiveDate;

use rusqlite::Statement;

use super::Db;
use crate::catalog::Form;
use crate::Result;

/// A value bound to an import statement (a catalogue value goes through
/// [`super::value_to_sql`]); the import holds rows of these between resolving and
/// writing a record.
pub use rusqlite::types::Value as SqlValue;

/// How a lookup condition compares its column with the bound value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cond {
    /// `col = ?`
    Eq,
    /// `col = ? COLLATE NOCASE` (exact text keys).
    NoCase,
    /// `col LIKE ? ESCAPE '\'` (first-partial text keys).
    Like,
}

#[derive(Debug, PartialEq, Eq)]
enum Shape {
    Insert(Form, Vec<&'static str>),
    /// Columns with their `preserve` flag.
    Update(Form, Vec<(&'static str, bool)>),
    /// `partial`: the first match (MIN(rowid)) instead of up to two matches.
    Lookup(Form, bool, Vec<(&'static str, Cond)>),
}

impl Shape {
    fn sql(&self) -> String {
        match self {
            Shape::Insert(form, cols) => {
                let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
                format!(
                    "INSERT INTO {} ({}) VALUES ({})",
                    form.table(),
                    cols.join(", "),
                    marks.join(", ")
                )
            }
            Shape::Update(form, cols) => {
                // ?1 is the rowid; the values follow in column order.
                let sets: Vec<String> = cols
                    .iter()
                    .enumerate()
                    .map(|(i, (col, preserve))| {
                        let n = i + 2;
                        if *preserve {
                            // `preserve` writes only where the stored value is blank (S2:5303).
                            format!(
                                "{col} = CASE WHEN {col} IS NULL OR {col} = '' THEN ?{n} ELSE {col} END"
                            )
                        } else {
                            format!("{col} = ?{n}")
                        }
                    })
                    .collect();
                format!(
                    "UPDATE {} SET {} WHERE rowid = ?1",
                    form.table(),
                    sets.join(", ")
                )
            }
            Shape::Lookup(form, partial, conds) => {
                let mut sql = String::from(" WHERE 1 = 1");
                for (i, (col, cond)) in conds.iter().enumerate() {
                    let n = i + 1;
                    sql.push_str(&match cond {
                        Cond::Eq => format!(" AND {col} = ?{n}"),
                        Cond::NoCase => format!(" AND {col} = ?{n} COLLATE NOCASE"),
                        Cond::Like => format!(" AND {col} LIKE ?{n} ESCAPE '\\'"),
                    });
                }
                // No ORDER BY rowid: SQLite would walk the table in rowid order instead
                // of using the key's index. The first partial match is MIN(rowid)
                // (S2:5367-5369).
                if *partial {
                    format!("SELECT MIN(rowid) FROM {}{sql}", form.table())
                } else {
                    format!("SELECT rowid FROM {}{sql} LIMIT 2", form.table())
                }
            }
        }
    }
}

/// Prepared statements of one import, by shape.
/// An import uses a handful of shapes, so they are found by a linear search, the
/// most recently used first (cheaper than hashing the column names of every row).
pub struct Statements<'c> {
    conn: &'c Db,
    cache: RefCell<Vec<(Shape, Statement<'c>)>>,
}

impl<'c> Statements<'c> {
    pub fn new(conn: &'c Db) -> Statements<'c> {
        Statements {
            conn,
            cache: RefCell::new(Vec::new()),
        }
    }

    fn with<T>(
        &self,
        matches: impl Fn(&Shape) -> bool,
        shape: impl FnOnce() -> Shape,
        run: impl FnOnce(&mut Statement<'c>) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let mut cache = self.cache.borrow_mut();
        match cache.iter().position(|(s, _)| matches(s)) {
            Some(0) => {}
            Some(i) => {
                let hit = cache.remove(i);
                cache.insert(0, hit);
            }
            None => {
                let shape = shape();
                let stmt = self.conn.prepare(&shape.sql())?;
                cache.insert(0, (shape, stmt));
            }
        }
        Ok(run(&mut cache[0].1)?)
    }

    /// INSERT one row; returns its rowid.
    pub fn insert(
        &self,
        form: Form,
        cols: &[&'static str],
        args: impl IntoIterator<Item = SqlValue>,
    ) -> Result<i64> {
        self.with(
            |s| matches!(s, Shape::Insert(f, c) if *f == form && same_columns(c, cols)),
            || Shape::Insert(form, cols.to_vec()),
            |s| s.execute(rusqlite::params_from_iter(args)),
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// UPDATE one row's columns (`(column, preserve)`) with `args` in the same order.
    pub fn update(
        &self,
        form: Form,
        rowid: i64,
        cols: Vec<(&'static str, bool)>,
        args: impl IntoIterator<Item = SqlValue>,
    ) -> Result<()> {
        self.with(
            |s| matches!(s, Shape::Update(f, c) if *f == form && *c == cols),
            || Shape::Update(form, cols.clone()),
            |s| {
                s.execute(rusqlite::params_from_iter(
                    std::iter::once(SqlValue::Integer(rowid)).chain(args),
                ))
            },
        )?;
        Ok(())
    }

    /// The rowids matching every condition: up to two (ambiguity shows), or with
    /// `partial` the first match only.
    pub fn lookup(
        &self,
        form: Form,
        partial: bool,
        conds: Vec<(&'static str, Cond)>,
        args: Vec<SqlValue>,
    ) -> Result<Vec<i64>> {
        self.with(
            |s| matches!(s, Shape::Lookup(f, p, c) if *f == form && *p == partial && *c == conds),
            || Shape::Lookup(form, partial, conds.clone()),
            |s| {
                let mut rows = s.query(rusqlite::params_from_iter(args))?;
                let mut found = Vec::new();
                while let Some(r) = rows.next()? {
                    if let Some(id) = r.get::<_, Option<i64>>(0)? {
                        found.push(id);
                    }
                }
                Ok(found)
            },
        )
    }
}

/// Column lists are the same `&'static str`s row after row: pointers first.
fn same_columns(a: &[&'static str], b: &[&'static str]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| std::ptr::eq(*x, *y) || x == y)
}

/// Settings for the one long transaction of an import on this connection.
pub fn tune_for_import(conn: &Db, cache_kb: u32) -> Result<()> {
    // Query-planner stability: with STAT4 (bundled SQLite) and the partial indexes,
    // SQLite would otherwise re-prepare the lookup and posting statements on every
    // new bound value — measured as 40% of an import's time.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    // A bigger page cache: fewer spills of dirty pages into the WAL before the commit.
    conn.execute_batch(&format!("PRAGMA cache_size = -{cache_kb}"))?;
    Ok(())
}

/// Record a new import batch (the next batch number) and return its number.
pub fn new_import_batch(conn: &Db, map: &str, file: &str, run_date: NaiveDate) -> Result<i64> {
    let batch = super::next_number(conn, "import_batch", "nu", 1)?;
    conn.execute(
        "INSERT INTO import_batch (nu, map, file, run_date) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![batch, map, file, run_date.format("%Y-%m-%d").to_string()],
    )?;
    Ok(batch)
}

/// Store a committed batch's summary (JSON text) with its batch record.
pub fn set_import_batch_summary(conn: &Db, batch: i64, summary: &str) -> Result<()> {
    conn.execute(
        "UPDATE import_batch SET summary = ?2 WHERE nu = ?1",
        rusqlite::params![batch, summary],
    )?;
    Ok(())
}
