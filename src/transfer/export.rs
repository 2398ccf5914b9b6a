//! `transfer export`: the selected clients (all when none) with their client
//! contacts, client payments and client notes, read field by field through the
//! catalogue so nothing the client record holds is left behind.

use std::path::Path;

use rusqlite::Connection;

use super::file::{self, ClientRow, ContactRow, NoteRow, PaymentRow, Transfers};
use super::{write_atomically, NOTES_FILE, TRANSFERS_FILE};
use crate::catalog::{Form, Value};
use crate::store;
use crate::{bail, Error, Result};

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportCounts {
    pub clients: usize,
    pub contacts: usize,
    pub payments: usize,
    pub notes: usize,
}

/// Export the selected clients (all when none) into `dir`.
pub fn export(conn: &Connection, dir: &Path, clients: &[i64]) -> Result<ExportCounts> {
    let numbers = selected_clients(conn, clients)?;
    let mut t = Transfers::default();
    let mut notes = Vec::new();
    for &n in &numbers {
        let values = store::read_record(conn, Form::Client, n)?
            .ok_or_else(|| Error::runtime(format!("no client with number {n}")))?;
        t.clients.push(ClientRow {
            line: 0,
            number: n,
            values: values
                .into_iter()
                .filter(|(f, _)| f.field != "nu")
                .collect(),
        });
    }
    for &n in &numbers {
        t.contacts.extend(client_contacts(conn, n)?);
        t.payments.extend(client_payments(conn, n)?);
        notes.extend(client_notes(conn, n)?);
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    write_atomically(&dir.join(TRANSFERS_FILE), &file::write_transfers(&t)?)?;
    write_atomically(&dir.join(NOTES_FILE), &file::write_notes(&notes)?)?;
    Ok(ExportCounts {
        clients: t.clients.len(),
        contacts: t.contacts.len(),
        payments: t.payments.len(),
        notes: notes.len(),
    })
}

/// The named clients in ascending order, each once, or every client.
fn selected_clients(conn: &Connection, clients: &[i64]) -> Result<Vec<i64>> {
    if clients.is_empty() {
        let mut stmt = conn.prepare("SELECT nu FROM client ORDER BY nu")?;
        let all = stmt.query_map([], |r| r.get(0))?;
        return Ok(all.collect::<rusqlite::Result<_>>()?);
    }
    let mut wanted: Vec<i64> = clients.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    for &c in &wanted {
        if !store::client_exists(conn, c)? {
            bail!(runtime, "no client with number {c}");
        }
    }
    Ok(wanted)
}

fn ids(conn: &Connection, sql: &str, client: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([client], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The client's own contacts (not those of its debtors), in the order written.
fn client_contacts(conn: &Connection, client: i64) -> Result<Vec<ContactRow>> {
    let mut out = Vec::new();
    for id in ids(
        conn,
        "SELECT id FROM contact WHERE cn = ?1 AND fi IS NULL ORDER BY id",
        client,
    )? {
        if let Some(values) = store::read_record(conn, Form::Contact, id)? {
            out.push(ContactRow {
                line: 0,
                client,
                values,
            });
        }
    }
    Ok(out)
}

fn client_notes(conn: &Connection, client: i64) -> Result<Vec<NoteRow>> {
    let mut out = Vec::new();
    for id in ids(
        conn,
        "SELECT id FROM note WHERE cn = ?1 AND fi IS NULL ORDER BY id",
        client,
    )? {
        let Some(values) = store::read_record(conn, Form::Note, id)? else {
            continue;
        };
        let get = |field: &str| {
            values
                .iter()
                .find(|(f, _)| f.field == field)
                .map(|(_, v)| v.clone())
                .unwrap_or(Value::Null)
        };
        out.push(NoteRow {
            line: 0,
            client,
            date: get("dt").as_date(),
            time: get("tm").plain(),
            text: get("te").plain(),
        });
    }
    Ok(out)
}

fn client_payments(conn: &Connection, client: i64) -> Result<Vec<PaymentRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT date, amount, COALESCE(note, '') FROM client_payment WHERE cn = ?1 ORDER BY date, id",
    )?;
    let mut rows = stmt.query([client])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let date: String = r.get(0)?;
        let date = crate::dates::parse_iso(&date).ok_or_else(|| {
            Error::runtime(format!(
                "client {client} has a payment dated '{date}', not a date"
            ))
        })?;
        out.push(PaymentRow {
            line: 0,
            client,
            date,
            cents: r.get(1)?,
            note: r.get(2)?,
        });
    }
    Ok(out)
}
