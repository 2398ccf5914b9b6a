//! The import's SQL statements, prepared once per import and found again by their
//! shape (table, columns, conditions). Building the SQL text of every row and hashing
//! it in rusqlite's statement cache took a tenth of an import's time; a shape is a
//! few column names, and the text is built only the first time.

use std::cell::RefCell;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, Statement};

use crate::catalog::Form;
use crate::Result;

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
    conn: &'c Connection,
    cache: RefCell<Vec<(Shape, Statement<'c>)>>,
}

impl<'c> Statements<'c> {
    pub fn new(conn: &'c Connection) -> Statements<'c> {
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
