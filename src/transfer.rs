//! Client transfer between offices (S1; SPEC §9): `transfer export` writes
//! `clienttransfers.csv` (clients and their client contacts, through the shipped
//! "Client Transfers" map run backwards, then the clients' payments as
//! `PAYMENT,client,MM/DD/YYYY,amount` rows) and `clientnotes.csv` (through the shipped
//! "Export Client Notes" report); `transfer import` loads both into another database
//! in one transaction. Duplicate client numbers — the gap S1:9-11 warns about — are
//! found before anything is written: refused, or with `--renumber` mapped to free
//! numbers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rusqlite::Connection;

use crate::import::pipeline::Ctx;
use crate::import::{self, ImportOptions, Review, Summary};
use crate::report::{LinesSink, RunOptions};
use crate::store::Store;
use crate::{bail, Env, Error, Result};

pub const TRANSFERS_FILE: &str = "clienttransfers.csv";
pub const NOTES_FILE: &str = "clientnotes.csv";

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::output::write_file(path, bytes)
}

/// Export the selected clients (all when none) into `dir`. Returns (rows, notes).
pub fn export(env: &Env, conn: &Connection, dir: &Path, clients: &[i64]) -> Result<(u64, usize)> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    for c in clients {
        if !crate::store::client_exists(conn, *c)? {
            bail!(runtime, "no client with number {c}");
        }
    }
    let (map, _) = import::load_map(env, "client-transfers")?;
    let mut out = Vec::new();
    let mut rows = 0;
    if clients.is_empty() {
        rows += import::export::export_to(conn, &map, None, &mut out)?;
    } else {
        for c in clients {
            let filter = import::export::Filter::parse(&format!("(@cl.nu = {c})"))?;
            rows += import::export::export_to(conn, &map, Some(&filter), &mut out)?;
        }
    }
    // Client payments (S1:5) ride in the same file as PAYMENT rows: client, date, amount.
    out.extend(payment_rows(conn, clients)?);
    write(&dir.join(TRANSFERS_FILE), &out)?;

    // Client notes through the shipped report, keeping the selected clients' rows.
    let report = crate::report::cli::load(env, "export-client-notes")?;
    let src = crate::report::sqlite::SqliteSource::new(conn);
    let mut sink = LinesSink::default();
    let mut opts = RunOptions::new(env.today);
    opts.now = env.now;
    crate::report::run(&report, &src, &mut sink, &opts)?;
    let wanted: BTreeSet<String> = clients.iter().map(|c| c.to_string()).collect();
    let mut notes = 0;
    let mut text = String::new();
    for (i, line) in sink.lines.iter().enumerate() {
        let first = line.split(',').next().unwrap_or("").trim();
        if i == 0 || wanted.is_empty() || wanted.contains(first) {
            if i > 0 {
                notes += 1;
            }
            text.push_str(line);
            text.push('\n');
        }
    }
    write(&dir.join(NOTES_FILE), text.as_bytes())?;
    Ok((rows, notes))
}

/// `PAYMENT,client,MM/DD/YYYY,amount` rows for the selected clients' payments.
fn payment_rows(conn: &Connection, clients: &[i64]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut stmt =
        conn.prepare("SELECT cn, date, amount FROM client_payment ORDER BY cn, date, id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let cn: i64 = r.get(0)?;
        if !clients.is_empty() && !clients.contains(&cn) {
            continue;
        }
        let date: String = r.get(1)?;
        let date = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .map(|d| d.format("%m/%d/%Y").to_string())
            .unwrap_or(date);
        let amount = format!("{:.2}", crate::money::from_cents(r.get(2)?));
        w.write_record(["PAYMENT", &cn.to_string(), &date, &amount])
            .map_err(|e| Error::runtime(e.to_string()))?;
    }
    w.into_inner().map_err(|e| Error::runtime(e.to_string()))
}

/// Client numbers a transfer file names, as written: CLIENT rows (column B), and the
/// owned-by column of CLIENT rows (M) that refer to another client in the file.
fn file_clients(transfers: &[csv::StringRecord]) -> BTreeSet<i64> {
    transfers
        .iter()
        .filter(|r| {
            r.get(0)
                .is_some_and(|k| k.trim().eq_ignore_ascii_case("CLIENT"))
        })
        .filter_map(|r| r.get(1).and_then(|n| n.trim().parse().ok()))
        .collect()
}

fn read_rows(
    path: &Path,
    has_headers: bool,
) -> Result<(Option<csv::StringRecord>, Vec<csv::StringRecord>)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(has_headers)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = if has_headers {
        Some(rdr.headers().map_err(|e| Error::io(path, e))?.clone())
    } else {
        None
    };
    let mut rows = Vec::new();
    for r in rdr.records() {
        rows.push(r.map_err(|e| Error::validation(format!("{}: {e}", path.display())))?);
    }
    Ok((header, rows))
}

fn renumbered(
    rec: &csv::StringRecord,
    cols: &[usize],
    map: &BTreeMap<i64, i64>,
) -> csv::StringRecord {
    let mut out = csv::StringRecord::new();
    for (i, f) in rec.iter().enumerate() {
        let new = if cols.contains(&i) {
            f.trim()
                .parse::<i64>()
                .ok()
                .and_then(|n| map.get(&n))
                .map(|n| n.to_string())
        } else {
            None
        };
        out.push_field(new.as_deref().unwrap_or(f));
    }
    out
}

fn to_csv(header: Option<&csv::StringRecord>, rows: &[csv::StringRecord]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let io = |e: csv::Error| Error::runtime(e.to_string());
    if let Some(h) = header {
        w.write_record(h).map_err(io)?;
    }
    for r in rows {
        w.write_record(r).map_err(io)?;
    }
    w.into_inner().map_err(|e| Error::runtime(e.to_string()))
}

/// What an import did.
#[derive(Debug)]
pub struct TransferResult {
    pub renumbered: BTreeMap<i64, i64>,
    pub transfers: Summary,
    pub notes: Option<Summary>,
    /// Client payments loaded.
    pub payments: usize,
}

/// Load a transfer directory. Duplicate client numbers are refused (exit 3, listing
/// them) unless `renumber`; any rejected record rolls the whole transfer back.
pub fn import(env: &Env, store: &mut Store, dir: &Path, renumber: bool) -> Result<TransferResult> {
    let transfers_path = dir.join(TRANSFERS_FILE);
    let notes_path = dir.join(NOTES_FILE);
    let (_, mut transfers) = read_rows(&transfers_path, false)?;
    let notes = if notes_path.is_file() {
        Some(read_rows(&notes_path, true)?)
    } else {
        None
    };

    let incoming = file_clients(&transfers);
    let conn = store.conn();
    let mut existing = BTreeSet::new();
    {
        let mut stmt = conn.prepare("SELECT nu FROM client")?;
        for n in stmt.query_map([], |r| r.get::<_, i64>(0))? {
            existing.insert(n?);
        }
    }
    let duplicates: Vec<i64> = incoming.intersection(&existing).copied().collect();
    let mut mapping = BTreeMap::new();
    if !duplicates.is_empty() {
        if !renumber {
            let list: Vec<String> = duplicates.iter().map(|n| n.to_string()).collect();
            bail!(validation, "duplicate client numbers, nothing imported: {} (use --renumber to give them the next free numbers)", list.join(", "));
        }
        let first_free = existing
            .iter()
            .chain(incoming.iter())
            .max()
            .copied()
            .unwrap_or(0)
            + 1;
        for (d, n) in duplicates.iter().zip(first_free..) {
            mapping.insert(*d, n);
        }
    }
    // CLIENT: number (B) and owned-by (M); CONTACT: number (B); notes: client (A).
    let mut notes = notes;
    if !mapping.is_empty() {
        transfers = transfers
            .iter()
            .map(|r| {
                let kind = r.get(0).unwrap_or("").trim().to_ascii_uppercase();
                let cols: &[usize] = if kind == "CLIENT" { &[1, 12] } else { &[1] };
                renumbered(r, cols, &mapping)
            })
            .collect();
        if let Some((_, rows)) = &mut notes {
            *rows = rows.iter().map(|r| renumbered(r, &[0], &mapping)).collect();
        }
    }
    let is_payment = |r: &csv::StringRecord| {
        r.get(0)
            .is_some_and(|k| k.trim().eq_ignore_ascii_case("PAYMENT"))
    };
    let mut payments = Vec::new();
    for (i, r) in transfers.iter().enumerate().filter(|(_, r)| is_payment(r)) {
        let line = i + 1;
        let bad = |what: &str| {
            Error::validation(format!(
                "{}:{line}: PAYMENT row: {what}, nothing imported",
                transfers_path.display()
            ))
        };
        let client: i64 = r
            .get(1)
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| bad("no client number"))?;
        let date = r
            .get(2)
            .and_then(|v| chrono::NaiveDate::parse_from_str(v.trim(), "%m/%d/%Y").ok())
            .ok_or_else(|| bad("the date is not MM/DD/YYYY"))?;
        let amount = r
            .get(3)
            .and_then(crate::money::parse_amount)
            .ok_or_else(|| bad("the amount is not a number"))?;
        let cents = crate::money::limits::amount_cents(amount).map_err(|m| bad(&m))?;
        payments.push((client, date, cents));
    }
    transfers.retain(|r| !is_payment(r));
    let transfers_bytes = to_csv(None, &transfers)?;
    let notes_bytes = match &notes {
        Some((h, rows)) => Some(to_csv(h.as_ref(), rows)?),
        None => None,
    };

    let conn = store.conn_mut();
    let tx = conn.transaction()?;
    let opts = ImportOptions {
        strict: true,
        ..Default::default()
    };
    let ctx = Ctx {
        today: env.today,
        now: env.now,
        client: None,
    };
    let run = |map_name: &str, bytes: &[u8], label: &Path| -> Result<Summary> {
        let (map, map_label) = import::load_map(env, map_name)?;
        let mut rejects = label.as_os_str().to_owned();
        rejects.push(".rejects.csv");
        let s = import::run::import_in(
            &tx,
            &map,
            &map_label,
            bytes,
            &label.display().to_string(),
            ctx,
            &opts,
            PathBuf::from(rejects),
            &mut Review::off(),
            None,
            Instant::now(),
        )?;
        if s.rejected > 0 {
            return Err(Error::validation(format!(
                "{}: {} record(s) rejected, nothing imported{}",
                label.display(),
                s.rejected,
                s.rejects_file
                    .as_deref()
                    .map(|f| format!("; see {f}"))
                    .unwrap_or_default()
            )));
        }
        Ok(s)
    };
    let mut transfers_summary = run("client-transfers", &transfers_bytes, &transfers_path)?;
    let mut notes_summary = match &notes_bytes {
        Some(b) => Some(run("client-notes", b, &notes_path)?),
        None => None,
    };
    for (client, date, amount) in &payments {
        if !crate::store::client_exists(&tx, *client)? {
            bail!(validation, "{}: a PAYMENT names client {client}, which is not in the transfer nor this database; nothing imported", transfers_path.display());
        }
        tx.execute(
            "INSERT INTO client_payment (cn, date, amount, note) VALUES (?1, ?2, ?3, 'transferred')",
            rusqlite::params![client, date, amount],
        )?;
    }
    tx.commit()?;
    transfers_summary.committed = true;
    if let Some(n) = &mut notes_summary {
        n.committed = true;
    }
    Ok(TransferResult {
        renumbered: mapping,
        transfers: transfers_summary,
        notes: notes_summary,
        payments: payments.len(),
    })
}

/// `recoup transfer export --out DIR [--client N]…`
pub fn export_cmd(env: &Env, dir: &Path, clients: &[i64]) -> Result<()> {
    let store = Store::open_existing(&env.db)?;
    let (rows, notes) = export(env, store.conn(), dir, clients)?;
    if env.json {
        println!(
            "{}",
            serde_json::json!({"dir": dir.display().to_string(), "transfer_rows": rows, "notes": notes})
        );
    } else {
        println!(
            "{}: {rows} client/contact row(s)",
            dir.join(TRANSFERS_FILE).display()
        );
        println!("{}: {notes} note line(s)", dir.join(NOTES_FILE).display());
    }
    Ok(())
}

/// `recoup transfer import DIR [--renumber]`
pub fn import_cmd(env: &Env, dir: &Path, renumber: bool) -> Result<()> {
    let mut store = Store::open(&env.db)?;
    let r = import(env, &mut store, dir, renumber)?;
    if env.json {
        let map: BTreeMap<String, i64> = r
            .renumbered
            .iter()
            .map(|(a, b)| (a.to_string(), *b))
            .collect();
        println!(
            "{}",
            serde_json::json!({"renumbered": map, "transfers": r.transfers.to_json(), "notes": r.notes.as_ref().map(|n| n.to_json()), "payments": r.payments})
        );
        return Ok(());
    }
    for (from, to) in &r.renumbered {
        println!("client {from} renumbered {to}");
    }
    print!("{}", r.transfers.render());
    if let Some(n) = &r.notes {
        print!("{}", n.render());
    }
    println!("client payments loaded: {}", r.payments);
    Ok(())
}
