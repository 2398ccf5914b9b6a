//! The `recoup transfer` commands: run, then print the summary (or `--json`).

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::CliEnv;
use crate::store::Store;
use crate::Result;

/// `recoup transfer export --out DIR [--client N]…`
pub fn export_cmd(env: &CliEnv, dir: &Path, clients: &[i64]) -> Result<()> {
    let store = Store::open_existing(&env.db)?;
    let n = crate::transfer::export(store.conn(), dir, clients)?;
    let report = n.report(dir);
    if env.json {
        crate::outln!("{}", super::json_line(&report)?)?;
    } else {
        crate::out!("{report}")?;
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
        crate::outln!("{}", super::json_line(&r)?)?;
    } else {
        crate::out!("{r}")?;
    }
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
