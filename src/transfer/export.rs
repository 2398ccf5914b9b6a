//! `transfer export`: the selected clients (all when none) with their client
//! contacts, client payments and client notes, read field by field through the
//! catalogue so nothing the client record holds is left behind.

use std::fmt;
use std::path::Path;

use serde::Serialize;

use super::file::{self, ClientRow, ContactRow, NoteRow, PaymentRow, Transfers};
use super::{write_atomically, NOTES_FILE, TRANSFERS_FILE};
use crate::catalog::{Form, Value};
use crate::store::{self, clients, transactions, Db};
use crate::{bail, Error, Result};

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExportCounts {
    pub clients: usize,
    pub contacts: usize,
    pub payments: usize,
    pub notes: usize,
}

/// An export's output: the directory, then the counts (`transfer_rows` is every row of
/// the transfers file); the text names each file written.
#[derive(Debug, Serialize)]
pub struct ExportReport<'a> {
    #[serde(serialize_with = "path_text")]
    pub dir: &'a Path,
    pub transfer_rows: usize,
    #[serde(flatten)]
    pub counts: ExportCounts,
}

impl ExportCounts {
    pub fn report(self, dir: &Path) -> ExportReport<'_> {
        ExportReport {
            dir,
            transfer_rows: self.clients + self.contacts + self.payments,
            counts: self,
        }
    }
}

fn path_text<S: serde::Serializer>(p: &&Path, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(&p.display())
}

impl fmt::Display for ExportReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = &self.counts;
        writeln!(
            f,
            "{}: {} client(s), {} contact(s), {} payment(s)",
            self.dir.join(TRANSFERS_FILE).display(),
            n.clients,
            n.contacts,
            n.payments
        )?;
        writeln!(
            f,
            "{}: {} note line(s)",
            self.dir.join(NOTES_FILE).display(),
            n.notes
        )
    }
}

/// Export the selected clients (all when none) into `dir`.
pub fn export(conn: &Db, dir: &Path, clients: &[i64]) -> Result<ExportCounts> {
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
fn selected_clients(conn: &Db, clients: &[i64]) -> Result<Vec<i64>> {
    if clients.is_empty() {
        return clients::client_numbers(conn);
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

/// The client's own contacts (not those of its debtors), in the order written.
fn client_contacts(conn: &Db, client: i64) -> Result<Vec<ContactRow>> {
    let mut out = Vec::new();
    for id in clients::client_record_ids(conn, Form::Contact, client)? {
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

fn client_notes(conn: &Db, client: i64) -> Result<Vec<NoteRow>> {
    let mut out = Vec::new();
    for id in clients::client_record_ids(conn, Form::Note, client)? {
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

fn client_payments(conn: &Db, client: i64) -> Result<Vec<PaymentRow>> {
    Ok(transactions::client_payments(conn, client)?
        .into_iter()
        .map(|p| PaymentRow {
            line: 0,
            client,
            date: p.date,
            cents: p.cents,
            note: p.note,
        })
        .collect())
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn report_json_keys_in_order_and_display_names_both_files() {
        let n = ExportCounts {
            clients: 2,
            contacts: 3,
            payments: 4,
            notes: 5,
        };
        let r = n.report(Path::new("xfer"));
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"dir":"xfer","transfer_rows":9,"clients":2,"contacts":3,"payments":4,"notes":5}"#
        );
        assert_eq!(
            r.to_string(),
            format!(
                "{}: 2 client(s), 3 contact(s), 4 payment(s)\n{}: 5 note line(s)\n",
                Path::new("xfer").join(TRANSFERS_FILE).display(),
                Path::new("xfer").join(NOTES_FILE).display()
            )
        );
    }
}
