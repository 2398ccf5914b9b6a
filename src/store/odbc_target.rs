//! The other database the store writes to: an agency's table reached through ODBC
//! (ODBC Sync, docs/sync-and-transfer.md). A sync pair names the table and its columns;
//! here its INSERT, UPDATE and DELETE are built, every value a bound parameter, and with
//! the cargo feature `odbc` (odbc-api over unixODBC) run. The pair loader has already
//! refused any table or column name that is not a plain identifier, since names go into
//! the SQL text.

/// What a sync statement does to the debtor's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Insert,
    Update,
    Delete,
}

impl Op {
    /// A plan event's description or a command's argument, any case.
    pub fn parse(s: &str) -> Option<Op> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "INSERT" => Op::Insert,
            "UPDATE" => Op::Update,
            "DELETE" => Op::Delete,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Op::Insert => "INSERT",
            Op::Update => "UPDATE",
            Op::Delete => "DELETE",
        }
    }
}

/// A target column's ODBC type, as the pair file names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OdbcType {
    Char,
    Date,
    Decimal,
    Numeric,
}

impl OdbcType {
    pub fn parse(s: &str) -> Option<OdbcType> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "CHAR" => OdbcType::Char,
            "TYPE_DATE" => OdbcType::Date,
            "DECIMAL" => OdbcType::Decimal,
            "NUMERIC" => OdbcType::Numeric,
            _ => return None,
        })
    }
}

/// The SQL of an operation on `table`, whose `columns` are named key first, with `?`
/// markers; and which column each marker binds, in order.
pub fn statement_sql(table: &str, columns: &[&str], op: Op) -> (String, Vec<usize>) {
    let key = columns.first().copied().unwrap_or_default();
    match op {
        Op::Insert => {
            let marks = vec!["?"; columns.len()].join(", ");
            (
                format!(
                    "INSERT INTO {table} ({}) VALUES ({marks})",
                    columns.join(", ")
                ),
                (0..columns.len()).collect(),
            )
        }
        Op::Update => {
            let sets: Vec<String> = columns.iter().skip(1).map(|c| format!("{c} = ?")).collect();
            let mut order: Vec<usize> = (1..columns.len()).collect();
            order.push(0);
            (
                format!("UPDATE {table} SET {} WHERE {key} = ?", sets.join(", ")),
                order,
            )
        }
        Op::Delete => (format!("DELETE FROM {table} WHERE {key} = ?"), vec![0]),
    }
}

/// One statement for the target: the connection it goes through, what it does, its
/// SQL (from [`statement_sql`]) and its values in marker order (`None` is SQL NULL).
pub struct TargetStatement<'a> {
    pub connection_string: &'a str,
    pub op: Op,
    pub sql: &'a str,
    pub params: Vec<(OdbcType, Option<&'a str>)>,
}

/// The step at which a statement failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetStep {
    Connect,
    Prepare,
    Execute,
    RowCount,
    /// An UPDATE or DELETE that found no row with the key.
    NoRow,
}

/// Why the statement at `index` did not run: its step and the driver's words.
pub struct TargetFailure<'e> {
    pub index: usize,
    pub step: TargetStep,
    pub detail: &'e dyn std::fmt::Display,
}

#[cfg(feature = "odbc")]
pub use run::execute;

#[cfg(feature = "odbc")]
mod run {
    use chrono::Datelike;
    use odbc_api::parameter::InputParameter;
    use odbc_api::{ConnectionOptions, Environment, IntoParameter};

    use super::{OdbcType, Op, TargetFailure, TargetStatement, TargetStep};
    use crate::{Error, Result};

    /// A value as a bound parameter of its ODBC type. DECIMAL and NUMERIC go as their
    /// exact decimal text (drivers convert), dates as SQL DATE structures.
    fn parameter(ty: OdbcType, value: Option<&str>) -> Box<dyn InputParameter> {
        let text = value.map(str::to_string);
        match (ty, value) {
            (OdbcType::Date, Some(s)) => match crate::dates::parse_iso(s) {
                Some(d) => Box::new(odbc_api::sys::Date {
                    year: d.year() as i16,
                    month: d.month() as u16,
                    day: d.day() as u16,
                }),
                None => Box::new(text.into_parameter()),
            },
            (OdbcType::Date, None) => Box::new(None::<odbc_api::sys::Date>.into_parameter()),
            _ => Box::new(text.into_parameter()),
        }
    }

    /// Run the statements in order, one connection for each run of statements with the
    /// same connection string; stop at the first failure, which `fail` words. `ran` is
    /// told the index of each statement that succeeded. Returns how many ran.
    pub fn execute(
        statements: &[TargetStatement<'_>],
        ran: &mut dyn FnMut(usize) -> Result<()>,
        fail: &dyn Fn(TargetFailure<'_>) -> Error,
    ) -> Result<usize> {
        let failure = |index, step, detail: &dyn std::fmt::Display| {
            fail(TargetFailure {
                index,
                step,
                detail,
            })
        };
        let env = Environment::new()
            .map_err(|e| Error::runtime(format!("ODBC: cannot start the driver manager: {e}")))?;
        let mut done = 0;
        let mut i = 0;
        while i < statements.len() {
            let first = &statements[i];
            let conn = env
                .connect_with_connection_string(
                    first.connection_string,
                    ConnectionOptions::default(),
                )
                .map_err(|e| failure(i, TargetStep::Connect, &e))?;
            while i < statements.len() && statements[i].connection_string == first.connection_string
            {
                let s = &statements[i];
                let params: Vec<Box<dyn InputParameter>> =
                    s.params.iter().map(|(ty, v)| parameter(*ty, *v)).collect();
                let mut prepared = conn
                    .prepare(s.sql)
                    .map_err(|e| failure(i, TargetStep::Prepare, &e))?;
                prepared
                    .execute(&params[..])
                    .map_err(|e| failure(i, TargetStep::Execute, &e))?;
                let rows = prepared
                    .row_count()
                    .map_err(|e| failure(i, TargetStep::RowCount, &e))?;
                if matches!(s.op, Op::Update | Op::Delete) && rows == Some(0) {
                    return Err(failure(i, TargetStep::NoRow, &"no row"));
                }
                ran(i)?;
                done += 1;
                i += 1;
            }
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_bind_every_value_key_last_on_update() {
        let columns = ["FileNo", "Name", "Owing", "Listed"];
        assert_eq!(
            statement_sql("accounts", &columns, Op::Insert),
            (
                "INSERT INTO accounts (FileNo, Name, Owing, Listed) VALUES (?, ?, ?, ?)".into(),
                vec![0, 1, 2, 3]
            )
        );
        assert_eq!(
            statement_sql("accounts", &columns, Op::Update),
            (
                "UPDATE accounts SET Name = ?, Owing = ?, Listed = ? WHERE FileNo = ?".into(),
                vec![1, 2, 3, 0]
            )
        );
        assert_eq!(
            statement_sql("accounts", &columns, Op::Delete),
            ("DELETE FROM accounts WHERE FileNo = ?".into(), vec![0])
        );
    }

    #[test]
    fn operations_and_types_read_in_any_case() {
        assert_eq!(Op::parse(" update "), Some(Op::Update));
        assert_eq!(Op::parse("upsert"), None);
        assert_eq!(OdbcType::parse("type_date"), Some(OdbcType::Date));
        assert_eq!(OdbcType::parse("VARCHAR"), None);
    }
}
