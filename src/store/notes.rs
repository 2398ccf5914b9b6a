//! Note lines (Collect! help, Notes — S2:5030-5058): the typed write the contact plan
//! engine uses. Column names come from the catalogue; `fi` is the store's debtor key.

use chrono::{NaiveDate, NaiveTime};
use rusqlite::params;

use super::Db;
use crate::catalog;
use crate::{Error, Result};

/// Append one note line to a debtor; `text` is stored as given (callers stamp it).
pub fn insert_note(conn: &Db, fi: i64, text: &str, date: NaiveDate, time: NaiveTime) -> Result<()> {
    conn.prepare_cached(crate::sql!(
        "INSERT INTO note (fi, {no.te}, {no.dt}, {no.tm}) VALUES (?1, ?2, ?3, ?4)"
    )?)?
    .execute(params![fi, text, date, time.format("%H:%M").to_string()])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn insert_note_writes_text_date_and_minutes() {
        let store = Store::open_in_memory().unwrap();
        let c = store.conn();
        c.execute_batch(
            "INSERT INTO client (nu) VALUES (1); INSERT INTO debtor (fi, cn) VALUES (7, 1);",
        )
        .unwrap();
        let date = NaiveDate::from_ymd_opt(2024, 7, 10).unwrap();
        let time = NaiveTime::from_hms_opt(9, 5, 59).unwrap();
        insert_note(c, 7, "called", date, time).unwrap();
        let row: (i64, String, String, String) = c
            .query_row("SELECT fi, te, dt, tm FROM note", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap();
        assert_eq!(
            row,
            (7, "called".into(), "2024-07-10".into(), "09:05".into())
        );
    }
}

/// Who a note line belongs to: a debtor (file number) or a client's own notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteOwner {
    Debtor(i64),
    Client(i64),
}

/// One field a note line on file must hold for [`note_line_exists`].
#[derive(Debug, Clone, PartialEq)]
pub enum NoteMatch {
    /// The field holds this value (NULL matches NULL).
    Is(
        &'static catalog::FieldDef,
        crate::store::import_cache::SqlValue,
    ),
    /// The field's text, with the five characters after the first `at` cut out (a
    /// stamp's `HH:MM`), is `kept`.
    WithoutTime {
        field: &'static catalog::FieldDef,
        at: usize,
        kept: String,
    },
}

/// Whether an owner has a note line holding every one of `matches`.
pub fn note_line_exists(conn: &Db, owner: NoteOwner, matches: Vec<NoteMatch>) -> Result<bool> {
    // `fi` and `cn` are the note table's owner keys (store schema), not note fields.
    let (owner_col, owner_id) = match owner {
        NoteOwner::Debtor(fi) => ("fi", fi),
        NoteOwner::Client(cn) => ("cn", cn),
    };
    let mut sql = format!("SELECT 1 FROM note WHERE {owner_col} = ?1");
    let mut args = Vec::with_capacity(matches.len() + 1);
    args.push(crate::store::import_cache::SqlValue::Integer(owner_id));
    for m in matches {
        match m {
            NoteMatch::Is(f, v) => {
                let c = note_field_column(f)?;
                args.push(v);
                sql.push_str(&format!(" AND {c} IS ?{}", args.len()));
            }
            NoteMatch::WithoutTime { field, at, kept } => {
                let c = note_field_column(field)?;
                args.push(crate::store::import_cache::SqlValue::Text(kept));
                sql.push_str(&format!(
                    " AND substr({c}, 1, {at}) || substr({c}, {from}) IS ?{n}",
                    from = at + 6,
                    n = args.len()
                ));
            }
        }
    }
    Ok(conn
        .prepare_cached(&sql)?
        .exists(rusqlite::params_from_iter(args))?)
}

/// A note field's column; a field of another form is an error.
fn note_field_column(f: &catalog::FieldDef) -> Result<&'static str> {
    if f.form != catalog::Form::Note {
        return Err(Error::runtime(format!(
            "note store: {} is not a note field",
            f.code()
        )));
    }
    Ok(f.column)
}
