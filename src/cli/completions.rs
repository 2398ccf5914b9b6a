//! `recoup completions SHELL` and `recoup man --out DIR`: generated from the clap
//! definitions of the whole command line.

use std::path::Path;

use crate::{Error, Result};

/// The completion script for `shell`, on the standard output.
pub fn script(shell: clap_complete::Shell, cmd: &mut clap::Command) -> Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(shell, cmd, "recoup", &mut script);
    write_stdout(&script)
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    crate::output::write_file(Path::new("-"), bytes)
}

/// One page for the program and one per command, named as `man` expects
/// (`recoup-metro2-generate.1`).
pub fn man_pages(dir: &Path, mut cmd: clap::Command) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    cmd.build();
    write_man_pages(dir, &cmd, "recoup")
}

fn write_man_pages(dir: &Path, cmd: &clap::Command, name: &str) -> Result<()> {
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone().name(name.to_string()))
        .render(&mut page)
        .map_err(|e| Error::io(dir, e))?;
    crate::output::write_file(&dir.join(format!("{name}.1")), &page)?;
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        write_man_pages(dir, sub, &format!("{name}-{}", sub.get_name()))?;
    }
    Ok(())
}
