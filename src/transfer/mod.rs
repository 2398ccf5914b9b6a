//! Client transfer between offices (S1; SPEC §9). `transfer export` writes
//! `clienttransfers.csv` (every client field of the catalogue, the clients' contacts
//! and payments) and `clientnotes.csv` (their notes); `transfer import` loads both
//! into another database in one transaction. Duplicate client numbers — the gap
//! S1:9-11 warns about — are found before anything is written: refused, or with
//! `--renumber` mapped to free numbers. The file layout is in `file`.

mod cli;
mod export;
pub mod file;
mod load;

use std::path::Path;

use crate::{Error, Result};

pub use cli::{export_cmd, import_cmd};
pub use export::{export, ExportCounts};
pub use load::{import, TransferResult};

pub const TRANSFERS_FILE: &str = "clienttransfers.csv";
pub const NOTES_FILE: &str = "clientnotes.csv";

/// Write `bytes` to `path` through a temporary file in the same directory and a
/// rename, so a reader never sees half a transfer file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}
