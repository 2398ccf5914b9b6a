//! The ODBC side of sync (cargo feature `odbc`): odbc-api over unixODBC.

use chrono::{Datelike, NaiveDate};
use odbc_api::parameter::InputParameter;
use odbc_api::{ConnectionOptions, Environment, IntoParameter};

use super::{OdbcType, Op, SyncAction};
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

/// A value as a bound parameter of its ODBC type. DECIMAL and NUMERIC go as their
/// exact decimal text (drivers convert), dates as SQL DATE structures.
fn parameter(ty: OdbcType, value: &Option<String>) -> Box<dyn InputParameter> {
    match (ty, value) {
        (OdbcType::Date, Some(s)) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Box::new(odbc_api::sys::Date {
                year: d.year() as i16,
                month: d.month() as u16,
                day: d.day() as u16,
            }),
            Err(_) => Box::new(Some(s.clone()).into_parameter()),
        },
        (OdbcType::Date, None) => Box::new(None::<odbc_api::sys::Date>.into_parameter()),
        (_, v) => Box::new(v.clone().into_parameter()),
    }
}

pub fn execute(actions: &[SyncAction], ran: &mut dyn FnMut(usize) -> Result<()>) -> Result<usize> {
    let env = Environment::new()
        .map_err(|e| Error::runtime(format!("ODBC: cannot start the driver manager: {e}")))?;
    let mut done = 0;
    // One connection per pair, in the order the pairs are first used.
    let mut i = 0;
    while i < actions.len() {
        let first = &actions[i];
        let conn = env
            .connect_with_connection_string(
                &first.pair.connection_string,
                ConnectionOptions::default(),
            )
            .map_err(|e| failure(first, "cannot connect", e))?;
        while i < actions.len() && actions[i].pair.name == first.pair.name {
            let a = &actions[i];
            let params: Vec<Box<dyn InputParameter>> = a
                .params
                .iter()
                .map(|(ty, v, _)| parameter(*ty, v))
                .collect();
            let mut prepared = conn
                .prepare(&a.sql)
                .map_err(|e| failure(a, "cannot prepare the statement", e))?;
            prepared
                .execute(&params[..])
                .map_err(|e| failure(a, "the statement failed", e))?;
            let rows = prepared
                .row_count()
                .map_err(|e| failure(a, "row count", e))?;
            if matches!(a.op, Op::Update | Op::Delete) && rows == Some(0) {
                let key = a
                    .params
                    .last()
                    .and_then(|(_, v, _)| v.clone())
                    .unwrap_or_default();
                return Err(failure(
                    a,
                    "key not found",
                    format!("no row with {} = '{key}'", a.pair.columns[0].name),
                ));
            }
            ran(i)?;
            done += 1;
            i += 1;
        }
    }
    Ok(done)
}
