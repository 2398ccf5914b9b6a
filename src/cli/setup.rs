//! `recoup fields`, `recoup setup apply|show`, `recoup show debtor|client` and
//! `recoup find`.

use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::CliEnv;
use crate::catalog::{Form, Value};
use crate::store::{self, FieldValues, Store};
use crate::{bail, setup, Result};

/// `recoup fields [FORM]`: the catalogue, one field per line.
pub fn fields(env: &CliEnv, form: Option<&str>) -> Result<()> {
    let forms: Vec<Form> = match form {
        None => Form::ALL.to_vec(),
        Some(code) => match Form::from_code(code.trim_start_matches('@')) {
            Some(f) => vec![f],
            None => bail!(
                config,
                "unknown form '{code}' (forms: {})",
                Form::ALL.map(|f| f.code()).join(", ")
            ),
        },
    };
    if env.json {
        let list: Vec<_> = forms
            .iter()
            .flat_map(|f| f.fields())
            .map(|f| {
                serde_json::json!({
                    "code": f.code(), "name": f.name, "type": f.ty.label(),
                    "width": f.width, "computed": f.computed,
                })
            })
            .collect();
        crate::outln!("{}", serde_json::json!({ "fields": list }))?;
        return Ok(());
    }
    crate::outln!(
        "{:<8} {:<32} {:<9} {:>5}  computed",
        "code",
        "name",
        "type",
        "width"
    )?;
    for form in forms {
        for f in form.fields() {
            crate::outln!(
                "{:<8} {:<32} {:<9} {:>5}  {}",
                f.code(),
                f.name,
                f.ty.label(),
                f.width,
                if f.computed { "yes" } else { "no" }
            )?;
        }
    }
    Ok(())
}

/// `recoup setup apply FILE`
pub fn setup_apply(env: &CliEnv, file: &Path) -> Result<()> {
    // Parse first, so a bad file never creates an empty database.
    setup::parse(file)?;
    let mut store = Store::open(&env.db)?;
    let applied = setup::apply(store.conn_mut(), file)?;
    crate::cli::stdio::committed(format_args!("setup {}", file.display()));
    let report = setup::Applied {
        file: file.display().to_string(),
        applied,
    };
    if env.json {
        crate::outln!("{}", super::json_line(&report)?)?;
    } else {
        crate::outln!("{report}")?;
    }
    Ok(())
}

/// `recoup setup show`
pub fn setup_show(env: &CliEnv) -> Result<()> {
    let store = Store::open_existing(&env.db)?;
    if env.json {
        crate::outln!("{}", setup::show::to_json(store.conn())?)?;
    } else {
        crate::out!("{}", setup::render(store.conn())?)?;
    }
    Ok(())
}

fn record_json(values: &FieldValues) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    for (f, v) in values {
        let j = match v {
            _ if v.is_null() => serde_json::Value::Null,
            Value::Flag(b) => serde_json::Value::Bool(*b),
            other => serde_json::Value::String(other.plain()),
        };
        map.insert(f.code(), j);
    }
    serde_json::Value::Object(map)
}

fn print_record(env: &CliEnv, values: &FieldValues) -> Result<()> {
    if env.json {
        return crate::outln!("{}", record_json(values));
    }
    for (f, v) in values {
        let text = match v {
            _ if v.is_null() => String::new(),
            Value::Flag(b) => if *b { "Yes" } else { "No" }.to_string(),
            _ if f.field == "ss" => crate::pii::mask_ssn(&v.plain()),
            other => other.plain(),
        };
        crate::outln!("{:<8} {:<32} {}", f.code(), f.name, text)?;
    }
    Ok(())
}

/// `recoup show debtor FILE_NUMBER`
pub fn show_debtor(env: &CliEnv, file_number: i64) -> Result<()> {
    let store = Store::open_existing(&env.db)?;
    match store::read_record(store.conn(), Form::Debtor, file_number)? {
        Some(values) => print_record(env, &values),
        None => bail!(runtime, "no debtor with file number {file_number}"),
    }
}

/// `recoup show client NUMBER`
pub fn show_client(env: &CliEnv, number: i64) -> Result<()> {
    let store = Store::open_existing(&env.db)?;
    match store::read_record(store.conn(), Form::Client, number)? {
        Some(values) => print_record(env, &values),
        None => bail!(runtime, "no client with number {number}"),
    }
}

/// `recoup find --acct ACCT [--client N]`: file numbers, bare, ascending.
pub fn find(env: &CliEnv, acct: &str, client: Option<i64>) -> Result<()> {
    let store = Store::open_existing(&env.db)?;
    let found = store::find_debtors_by_acct(store.conn(), acct, client)?;
    if found.is_empty() {
        match client {
            Some(c) => bail!(
                runtime,
                "no debtor of client {c} has acct '{}'",
                acct.trim()
            ),
            None => bail!(runtime, "no debtor has acct '{}'", acct.trim()),
        }
    }
    for fi in found {
        crate::outln!("{fi}")?;
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum SetupCmd {
    /// Load setup.toml into the database (each section present replaces that section)
    #[command(after_help = "Example:\n  recoup setup apply setup.toml")]
    Apply {
        /// The settings file
        file: PathBuf,
    },
    /// Print the settings in force
    #[command(after_help = "Example:\n  recoup setup show > setup-in-force.toml")]
    Show,
}

#[derive(Subcommand)]
pub enum ShowCmd {
    /// Every field of one debtor
    #[command(after_help = "Example:\n  recoup show debtor 1000 --json")]
    Debtor {
        /// The debtor's file number
        file_number: i64,
    },
    /// Every field of one client
    #[command(after_help = "Example:\n  recoup show client 1001")]
    Client {
        /// The client number
        number: i64,
    },
}
