//! Input files named on the command line, where `-` is standard input (the habit
//! of the Unix tools agencies script with: `gunzip -c placement.gz | recoup import
//! placement-csv -`).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::{Error, Result};

// Only the command line names standard input: the library takes readers.

/// True when `path` is `-`, standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// How messages name the input: the path, or `<stdin>`.
pub fn label(path: &Path) -> String {
    if is_stdin(path) {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// An opened input and its size when known (a file's length; unknown for a pipe),
/// which progress bars use.
pub struct Input {
    pub reader: Box<dyn Read + Send>,
    pub size: Option<u64>,
}

/// Open a file, or standard input for `-`.
pub fn open(path: &Path) -> Result<Input> {
    if is_stdin(path) {
        return Ok(Input {
            reader: Box::new(std::io::stdin()),
            size: None,
        });
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let size = file.metadata().ok().map(|m| m.len());
    Ok(Input {
        reader: Box::new(file),
        size,
    })
}

/// The whole input, from a file or standard input.
pub fn read_all(path: &Path) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    open(path)?
        .reader
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(Path::new(&label(path)), e))?;
    Ok(bytes)
}
