//! Every file recoup writes goes through [`OutputFile`]: the bytes go to a temporary
//! file in the target's directory, which is synced and then renamed over the target,
//! so a killed or failing run leaves the old file (or none) under the final name,
//! never a half-written one. An `--out` that is a symbolic link writes the link's
//! target and the link stays; a FIFO, a device (`/dev/null`) or the standard output
//! (`/dev/stdout`) is written directly, as there is nothing to rename.
//!
//! Printing to the terminal is the command line's: `cli::stdio`.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Error, Result};

/// Symbolic links followed before giving up (the kernel's own limit is 40).
const MAX_LINKS: usize = 40;

/// Paths that name the process's standard output: written through it, so a
/// redirection `> file` or `>> file` keeps its offset and its file.
const STDOUT_PATHS: [&str; 4] = ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"];

enum Inner {
    /// A temporary file, renamed over `target` by [`OutputFile::commit`].
    Temp {
        file: BufWriter<File>,
        tmp: PathBuf,
    },
    /// A FIFO or device, written in place.
    Direct(BufWriter<File>),
    Stdout(io::Stdout),
}

/// A file being written; nothing is visible under its name until [`Self::commit`].
pub struct OutputFile {
    /// The path as the user gave it (messages name it).
    shown: PathBuf,
    /// The file renamed over: the path with its symbolic links resolved.
    target: PathBuf,
    inner: Option<Inner>,
}

impl OutputFile {
    /// Start writing `path`.
    pub fn create(path: &Path) -> Result<OutputFile> {
        let io_err = |e: io::Error| Error::io(path, e);
        if is_stdout(path) {
            return Ok(OutputFile {
                shown: PathBuf::from("standard output"),
                target: path.to_path_buf(),
                inner: Some(Inner::Stdout(io::stdout())),
            });
        }
        let target = resolve_links(path).map_err(io_err)?;
        let existing = match std::fs::metadata(&target) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err(e)),
        };
        let inner = match &existing {
            Some(m) if m.is_dir() => {
                return Err(Error::io(path, "is a directory, not a file"));
            }
            Some(m) if !m.is_file() => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(&target)
                    .map_err(io_err)?;
                Inner::Direct(BufWriter::new(file))
            }
            _ => {
                let (file, tmp) = create_temp(&target).map_err(io_err)?;
                if let Some(m) = &existing {
                    // The replaced file keeps its permissions (a 0600 export stays 0600).
                    let _ = file.set_permissions(m.permissions());
                }
                Inner::Temp {
                    file: BufWriter::with_capacity(1 << 16, file),
                    tmp,
                }
            }
        };
        Ok(OutputFile {
            shown: path.to_path_buf(),
            target,
            inner: Some(inner),
        })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// Flush, sync and put the file in place under its name.
    pub fn commit(mut self) -> Result<()> {
        let io_err = |e: io::Error| Error::io(&self.shown, e);
        match self.inner.take() {
            Some(Inner::Temp { file, tmp }) => {
                let done = file
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .and_then(|f| f.sync_all())
                    .and_then(|()| std::fs::rename(&tmp, &self.target));
                if let Err(e) = done {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(io_err(e));
                }
                sync_dir(&self.target);
                Ok(())
            }
            Some(Inner::Direct(mut w)) => w.flush().map_err(io_err),
            Some(Inner::Stdout(mut s)) => s.flush().map_err(io_err),
            None => Ok(()),
        }
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self.inner.as_mut() {
            Some(Inner::Temp { file, .. }) => file,
            Some(Inner::Direct(w)) => w,
            Some(Inner::Stdout(s)) => s,
            None => unreachable!("an OutputFile is not written after commit"),
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer().write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer().write_all(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.writer().flush()
    }
}

impl Drop for OutputFile {
    /// Not committed (an error, a panic): the temporary file goes, the target stays.
    fn drop(&mut self) {
        if let Some(Inner::Temp { tmp, .. }) = self.inner.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Write `bytes` to `path` through an [`OutputFile`].
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut out = OutputFile::create(path)?;
    out.write_all(bytes).map_err(|e| Error::io(path, e))?;
    out.commit()
}

/// Follow symbolic links to the file they name (which may not exist yet).
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            Ok(_) => return Ok(p),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(p),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// A new, hidden file beside `target` (same directory, so the rename is atomic).
fn create_temp(target: &Path) -> io::Result<(File, PathBuf)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::other("names no file"))?
        .to_string_lossy();
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((f, tmp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Make the rename itself durable; a failure here loses nothing already written.
fn sync_dir(target: &Path) {
    #[cfg(unix)]
    if let Some(dir) = target.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

/// True when `path` names the standard output (`-`, `/dev/stdout`).
pub fn is_stdout(path: &Path) -> bool {
    STDOUT_PATHS.iter().any(|p| path == Path::new(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn nothing_under_the_name_until_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old\n").unwrap();
        let mut out = OutputFile::create(&path).unwrap();
        out.write_all(b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(entries(dir.path()), ["out.csv"], "no temporary file left");
    }

    #[test]
    fn dropped_without_commit_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.pdf");
        {
            let mut out = OutputFile::create(&path).unwrap();
            out.write_all(b"half").unwrap();
        }
        assert!(!path.exists());
        assert!(entries(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_writes_its_target_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink("real.txt", &link).unwrap();
        write_file(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        // a dangling link creates its target
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink("made.txt", &dangling).unwrap();
        write_file(&dangling, b"made").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("made.txt")).unwrap(),
            "made"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_written_directly() {
        write_file(Path::new("/dev/null"), b"gone").unwrap();
        assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
    }

    #[test]
    fn a_directory_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let e = write_file(dir.path(), b"x").unwrap_err();
        assert!(e.message.contains("is a directory"), "{e}");
        assert_eq!(e.exit_code(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.csv");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_file(&path, b"new").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
