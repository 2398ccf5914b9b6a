//! `transfer import`: read both files completely, check them against each other and
//! the receiving database, then write everything in one transaction. Every problem
//! is found before the first write, so a refused transfer leaves nothing behind.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use serde::Serialize;

use super::file::{self, ClientRow, ContactRow, NoteRow, PaymentRow, Transfers};
use super::{NOTES_FILE, TRANSFERS_FILE};
use crate::catalog::{Form, Value};
use crate::error::Place;
use crate::store::{self, clients, transactions, Db, FieldValues, Store};
use crate::{bail, Error, Remedy, Result};

/// What an import did: `--json` is its serialisation (renumbered clients keyed by the
/// file's number as a string), the text its `Display`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TransferResult {
    /// Client numbers of the file that were already taken here → their new numbers.
    pub renumbered: BTreeMap<i64, i64>,
    pub clients: usize,
    pub contacts: usize,
    pub notes: usize,
    pub payments: usize,
}

impl fmt::Display for TransferResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (from, to) in &self.renumbered {
            writeln!(f, "client {from} renumbered {to}")?;
        }
        writeln!(f, "clients created: {}", self.clients)?;
        writeln!(f, "client contacts loaded: {}", self.contacts)?;
        writeln!(f, "client notes loaded: {}", self.notes)?;
        writeln!(f, "client payments loaded: {}", self.payments)
    }
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// Load a transfer directory. Duplicate client numbers — twice in the file, or
/// already in this database — are refused (exit 3, naming them); with `renumber`
/// the ones already here get free numbers. Anything unreadable and nothing is written.
pub fn import(store: &mut Store, dir: &Path, renumber: bool) -> Result<TransferResult> {
    let transfers_path = dir.join(TRANSFERS_FILE);
    let notes_path = dir.join(NOTES_FILE);
    let transfers_label = transfers_path.display().to_string();
    let mut t = file::read_transfers(&transfers_label, &read(&transfers_path)?)?;
    let mut notes = if notes_path.is_file() {
        file::read_notes(&notes_path.display().to_string(), &read(&notes_path)?)?
    } else {
        Vec::new()
    };
    refuse_repeated_clients(&transfers_label, &t.clients)?;

    let existing = existing_clients(store.conn())?;
    let mapping = free_numbers(&t.clients, &existing, renumber)?;
    renumber_all(&mut t, &mut notes, &mapping);

    let mut known: BTreeSet<i64> = existing;
    known.extend(t.clients.iter().map(|c| c.number));
    check_owners(&transfers_label, &t, &notes_path, &notes, &known)?;

    let tx = store.begin()?;
    for c in &t.clients {
        store::create_client(&tx, c.number, &c.values)?;
    }
    refuse_bad_owners(&tx, &transfers_label, &t.clients)?;
    for c in &t.contacts {
        insert_contact(&tx, c)?;
    }
    for n in &notes {
        insert_note(&tx, n)?;
    }
    for p in &t.payments {
        insert_payment(&tx, p)?;
    }
    tx.commit()?;
    Ok(TransferResult {
        renumbered: mapping,
        clients: t.clients.len(),
        contacts: t.contacts.len(),
        notes: notes.len(),
        payments: t.payments.len(),
    })
}

/// Owned-by must name a client on file and never loop (docs/limits.md). Checked
/// once every client of the file is written, since a sub-client may come before its
/// owner; the transaction is dropped, so nothing is imported.
fn refuse_bad_owners(conn: &Db, label: &str, clients: &[ClientRow]) -> Result<()> {
    let ob = crate::catalog::by_code("cl.ob");
    for c in clients {
        let owner = c
            .values
            .iter()
            .find(|(f, _)| Some(*f) == ob)
            .and_then(|(_, v)| crate::setup::owners::parse_owner(&v.plain()));
        if let Some(owner) = owner {
            if let Err(problem) = crate::setup::owners::check_owner(conn, c.number, owner)? {
                bail!(
                    validation,
                    "{label}:{}: cl.ob: {}; nothing imported",
                    c.line,
                    problem.describe(c.number, owner)
                );
            }
        }
    }
    Ok(())
}

/// Two CLIENT rows with one number: which one should win is not ours to guess.
fn refuse_repeated_clients(label: &str, clients: &[ClientRow]) -> Result<()> {
    let mut lines: BTreeMap<i64, Vec<u64>> = BTreeMap::new();
    for c in clients {
        lines.entry(c.number).or_default().push(c.line);
    }
    let repeated: Vec<String> = lines
        .iter()
        .filter(|(_, l)| l.len() > 1)
        .map(|(n, l)| {
            let l: Vec<String> = l.iter().map(u64::to_string).collect();
            format!("{n} (lines {})", l.join(", "))
        })
        .collect();
    if repeated.is_empty() {
        return Ok(());
    }
    bail!(
        validation,
        "{label}: duplicate CLIENT rows, nothing imported: {}",
        repeated.join("; ")
    )
}

fn existing_clients(conn: &Db) -> Result<BTreeSet<i64>> {
    Ok(clients::client_numbers(conn)?.into_iter().collect())
}

/// Clients of the file already in this database: refused, or with `renumber`
/// mapped to numbers above every number in the database and the file.
fn free_numbers(
    clients: &[ClientRow],
    existing: &BTreeSet<i64>,
    renumber: bool,
) -> Result<BTreeMap<i64, i64>> {
    let incoming: BTreeSet<i64> = clients.iter().map(|c| c.number).collect();
    let duplicates: Vec<i64> = incoming.intersection(existing).copied().collect();
    if duplicates.is_empty() {
        return Ok(BTreeMap::new());
    }
    if !renumber {
        let list: Vec<String> = duplicates.iter().map(i64::to_string).collect();
        return Err(Error::validation(format!(
            "duplicate client numbers, nothing imported: {}",
            list.join(", ")
        ))
        .with_remedy(Remedy::Renumber));
    }
    let highest = existing.iter().chain(&incoming).max().copied().unwrap_or(0);
    let mut mapping = BTreeMap::new();
    for (i, d) in duplicates.iter().enumerate() {
        let new = (i as i64)
            .checked_add(highest)
            .and_then(|n| n.checked_add(1))
            .ok_or_else(|| Error::validation("no free client number left to renumber to"))?;
        mapping.insert(*d, new);
    }
    Ok(mapping)
}

/// Apply the renumbering to everything that names a client of the file: client
/// numbers, owned-by, contacts, payments and notes.
fn renumber_all(t: &mut Transfers, notes: &mut [NoteRow], mapping: &BTreeMap<i64, i64>) {
    if mapping.is_empty() {
        return;
    }
    let new = |n: &mut i64| {
        if let Some(m) = mapping.get(n) {
            *n = *m;
        }
    };
    for c in &mut t.clients {
        new(&mut c.number);
        for (f, v) in &mut c.values {
            if f.field == "ob" {
                if let Some(Some(m)) = v
                    .as_str()
                    .map(|s| s.trim().parse().ok().and_then(|n: i64| mapping.get(&n)))
                {
                    *v = Value::Text(m.to_string());
                }
            }
        }
    }
    t.contacts.iter_mut().for_each(|c| new(&mut c.client));
    t.payments.iter_mut().for_each(|p| new(&mut p.client));
    notes.iter_mut().for_each(|n| new(&mut n.client));
}

/// Contacts, payments and notes must name a client of the file or of this database.
fn check_owners(
    label: &str,
    t: &Transfers,
    notes_path: &Path,
    notes: &[NoteRow],
    known: &BTreeSet<i64>,
) -> Result<()> {
    let rows = t
        .contacts
        .iter()
        .map(|c| (label.to_string(), c.line, c.client, "CONTACT"))
        .chain(
            t.payments
                .iter()
                .map(|p| (label.to_string(), p.line, p.client, "PAYMENT")),
        )
        .chain(
            notes
                .iter()
                .map(|n| (notes_path.display().to_string(), n.line, n.client, "note")),
        );
    for (file, line, client, what) in rows {
        if !known.contains(&client) {
            return Err(Error::validation(format!("a {what} row names client {client}, which is neither in the transfer nor in this database; nothing imported")).at(Place::line(file, line)));
        }
    }
    Ok(())
}

fn insert_contact(conn: &Db, c: &ContactRow) -> Result<()> {
    clients::insert_client_row(conn, Form::Contact, c.client, &c.values)
}

fn insert_note(conn: &Db, n: &NoteRow) -> Result<()> {
    let field = crate::catalog::field;
    let values: FieldValues = vec![
        (field("no.te")?, Value::Text(n.text.clone())),
        (field("no.dt")?, n.date.map_or(Value::Null, Value::Date)),
        (field("no.tm")?, Value::Text(n.time.clone())),
    ];
    clients::insert_client_row(conn, Form::Note, n.client, &values)
}

/// Transferred payments arrive unallocated: the receiving office has none of the
/// statements they paid.
fn insert_payment(conn: &Db, p: &PaymentRow) -> Result<()> {
    transactions::insert_client_payment(conn, p.client, p.date, p.cents, &p.note)
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn json_keys_in_order_and_display_lists_renumbering_and_counts() {
        let r = TransferResult {
            renumbered: BTreeMap::from([(1001, 1005)]),
            clients: 2,
            contacts: 3,
            notes: 4,
            payments: 5,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"renumbered":{"1001":1005},"clients":2,"contacts":3,"notes":4,"payments":5}"#
        );
        assert_eq!(
            r.to_string(),
            "client 1001 renumbered 1005\nclients created: 2\nclient contacts loaded: 3\nclient notes loaded: 4\nclient payments loaded: 5\n"
        );
    }
}
