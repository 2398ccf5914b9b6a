//! The `recoup transfer` commands: run, then print the summary (or `--json`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::CliEnv;
use crate::store::Store;
use crate::transfer::{NOTES_FILE, TRANSFERS_FILE};
use crate::Result;

/// `recoup transfer export --out DIR [--client N]…`
pub fn export_cmd(env: &CliEnv, dir: &Path, clients: &[i64]) -> Result<()> {
    let store = Store::open_existing(&env.db)?;
    let n = crate::transfer::export(store.conn(), dir, clients)?;
    if env.json {
        crate::outln!(
            "{}",
            serde_json::json!({
                "dir": dir.display().to_string(),
                "transfer_rows": n.clients + n.contacts + n.payments,
                "clients": n.clients,
                "contacts": n.contacts,
                "payments": n.payments,
                "notes": n.notes,
            })
        )?;
    } else {
        crate::outln!(
            "{}: {} client(s), {} contact(s), {} payment(s)",
            dir.join(TRANSFERS_FILE).display(),
            n.clients,
            n.contacts,
            n.payments
        )?;
        crate::outln!(
            "{}: {} note line(s)",
            dir.join(NOTES_FILE).display(),
            n.notes
        )?;
    }
    Ok(())
}

/// `recoup transfer import DIR [--renumber]`
pub fn import_cmd(env: &CliEnv, dir: &Path, renumber: bool) -> Result<()> {
    let mut store = Store::open(&env.db)?;
    let r = crate::transfer::import(&mut store, dir, renumber)?;
    crate::cli::stdio::committed(format_args!(
        "transfer import of {} client(s) from {}",
        r.clients,
        dir.display()
    ));
    if env.json {
        let map: BTreeMap<String, i64> = r
            .renumbered
            .iter()
            .map(|(a, b)| (a.to_string(), *b))
            .collect();
        crate::outln!(
            "{}",
            serde_json::json!({
                "renumbered": map,
                "clients": r.clients,
                "contacts": r.contacts,
                "notes": r.notes,
                "payments": r.payments,
            })
        )?;
        return Ok(());
    }
    for (from, to) in &r.renumbered {
        crate::outln!("client {from} renumbered {to}")?;
    }
    crate::outln!("clients created: {}", r.clients)?;
    crate::outln!("client contacts loaded: {}", r.contacts)?;
    crate::outln!("client notes loaded: {}", r.notes)?;
    crate::outln!("client payments loaded: {}", r.payments)?;
    Ok(())
}

#[derive(Subcommand)]
pub enum TransferCmd {
    /// Write clienttransfers.csv and clientnotes.csv into --out
    #[command(after_help = "Example:\n  recoup transfer export --out xfer/ --client 1001")]
    Export {
        /// Directory for the transfer files
        #[arg(long)]
        out: PathBuf,
        /// Only these clients (repeatable; default all)
        #[arg(long = "client")]
        clients: Vec<i64>,
    },
    /// Load a transfer directory; duplicate client numbers are refused unless --renumber
    #[command(after_help = "Example:\n  recoup transfer import xfer/ --renumber")]
    Import {
        /// Directory written by `transfer export`
        dir: PathBuf,
        /// Give clients whose number is taken the next free number
        #[arg(long)]
        renumber: bool,
    },
}
