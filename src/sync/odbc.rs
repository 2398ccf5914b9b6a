//! The ODBC side of sync (cargo feature `odbc`): the store runs the statements
//! (`store::odbc_target`); this names a failure by its pair, table, operation and
//! debtor, never showing the password.

use super::SyncAction;
use crate::store::odbc_target::{self, TargetFailure, TargetStatement, TargetStep};
use crate::{Error, Result};

fn scrub(message: &str, password: Option<&str>) -> String {
    match password {
        Some(p) if !p.is_empty() => message.replace(p, "********"),
        _ => message.to_string(),
    }
}

fn failure(a: &SyncAction, what: &str, e: impl std::fmt::Display) -> Error {
    Error::runtime(format!(
        "ODBC sync pair '{}' table '{}' ({} debtor {}): {what}: {}",
        a.pair.name,
        a.pair.table,
        a.op.name(),
        a.file_number,
        scrub(&e.to_string(), a.pair.password.as_deref())
    ))
}

/// What a failed step is called in the message.
fn step_words(step: TargetStep) -> &'static str {
    match step {
        TargetStep::Connect => "cannot connect",
        TargetStep::Prepare => "cannot prepare the statement",
        TargetStep::Execute => "the statement failed",
        TargetStep::RowCount => "row count",
        TargetStep::NoRow => "key not found",
    }
}

pub fn execute(actions: &[SyncAction], ran: &mut dyn FnMut(usize) -> Result<()>) -> Result<usize> {
    let statements: Vec<TargetStatement<'_>> = actions
        .iter()
        .map(|a| TargetStatement {
            connection_string: &a.pair.connection_string,
            op: a.op,
            sql: &a.sql,
            params: a
                .params
                .iter()
                .map(|(ty, v, _)| (*ty, v.as_deref()))
                .collect(),
        })
        .collect();
    let fail = |f: TargetFailure<'_>| {
        let a = &actions[f.index];
        match f.step {
            TargetStep::NoRow => {
                // The key binds last on UPDATE and alone on DELETE.
                let key = a
                    .params
                    .last()
                    .and_then(|(_, v, _)| v.clone())
                    .unwrap_or_default();
                failure(
                    a,
                    step_words(f.step),
                    format!("no row with {} = '{key}'", a.pair.columns[0].name),
                )
            }
            step => failure(a, step_words(step), f.detail),
        }
    };
    odbc_target::execute(&statements, ran, &fail)
}
