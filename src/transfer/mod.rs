//! Client transfer between offices (S1; docs/sync-and-transfer.md). `transfer export` writes
//! `clienttransfers.csv` (every client field of the catalogue, the clients' contacts
//! and payments) and `clientnotes.csv` (their notes); `transfer import` loads both
//! into another database in one transaction. Duplicate client numbers — the gap
//! S1:9-11 warns about — are found before anything is written: refused, or with
//! `--renumber` mapped to free numbers. The file layout is in `file`.

mod export;
pub mod file;
mod load;

use std::path::Path;

use crate::Result;

pub use export::{export, ExportCounts, ExportReport};
pub use load::{import, TransferResult};

pub const TRANSFERS_FILE: &str = "clienttransfers.csv";
pub const NOTES_FILE: &str = "clientnotes.csv";

/// Write `bytes` to `path` through a temporary file and a rename (`crate::output`),
/// so a reader never sees half a transfer file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::output::write_file(path, bytes)
}
