//! Command implementations called by the binary.

use std::path::Path;

use chrono::NaiveDate;

use crate::catalog::{self, Form};
use crate::{bail, Env, Result};

/// `recoup fields [FORM]`: the catalogue, one field per line.
pub fn fields(env: &Env, form: Option<&str>) -> Result<()> {
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
        println!("{}", serde_json::json!({ "fields": list }));
        return Ok(());
    }
    println!(
        "{:<8} {:<32} {:<9} {:>5}  computed",
        "code", "name", "type", "width"
    );
    for form in forms {
        for f in form.fields() {
            println!(
                "{:<8} {:<32} {:<9} {:>5}  {}",
                f.code(),
                f.name,
                f.ty.label(),
                f.width,
                if f.computed { "yes" } else { "no" }
            );
        }
    }
    let _ = catalog::FIELDS.len();
    Ok(())
}

pub struct PostRequest {
    pub debtor: i64,
    pub type_code: String,
    pub to_us: Option<String>,
    pub direct: Option<String>,
    pub date: Option<NaiveDate>,
    pub posted: Option<NaiveDate>,
    pub reverses: Option<i64>,
    pub description: Option<String>,
    pub external_id: Option<String>,
}

pub fn setup_apply(_env: &Env, _file: &Path) -> Result<()> {
    bail!(runtime, "setup apply: not built yet")
}
pub fn setup_show(_env: &Env) -> Result<()> {
    bail!(runtime, "setup show: not built yet")
}
pub fn post(_env: &Env, _req: &PostRequest) -> Result<()> {
    bail!(runtime, "post: not built yet")
}
pub fn show_debtor(_env: &Env, _n: i64) -> Result<()> {
    bail!(runtime, "show: not built yet")
}
pub fn show_client(_env: &Env, _n: i64) -> Result<()> {
    bail!(runtime, "show: not built yet")
}
pub fn find(_env: &Env, _acct: &str, _client: Option<i64>) -> Result<()> {
    bail!(runtime, "find: not built yet")
}
