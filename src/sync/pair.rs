//! ODBC Sync pair files (S0; docs/sync-and-transfer.md): `odbcsync/NAME.csv` maps external columns to
//! printable codes with an ODBC type (first data row = the key), `odbcsync/NAME.ini`
//! holds the data source and table. Both are re-read on every use (S0:43).

use std::path::{Path, PathBuf};

use crate::catalog::{self, FieldDef, Form};
pub use crate::store::odbc_target::{OdbcType, Op};
use crate::{Error, Result};

#[derive(Debug, Clone)]
pub struct Column {
    /// External column name, case-sensitive (S0:38).
    pub name: String,
    pub field: &'static FieldDef,
    pub ty: OdbcType,
}

#[derive(Debug, Clone)]
pub struct Pair {
    pub name: String,
    /// A full connection string, or built from DSN/UID/PWD.
    pub connection_string: String,
    /// The password, kept to scrub it from messages.
    pub password: Option<String>,
    pub table: String,
    /// The key column first.
    pub columns: Vec<Column>,
}

/// An external identifier must be a plain name: it goes into SQL text, so anything
/// else is refused rather than quoted.
fn check_identifier(path: &Path, line: usize, what: &str, name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        && !name.starts_with('.')
        && !name.ends_with('.');
    if ok {
        Ok(())
    } else {
        Err(Error::config(format!(
            "{}:{line}: {what} '{name}' must be letters, digits, '_' (and '.' for schema.table)",
            path.display()
        )))
    }
}

pub fn pair_paths(home: &Path, name: &str) -> (PathBuf, PathBuf) {
    let dir = home.join("odbcsync");
    (
        dir.join(format!("{name}.csv")),
        dir.join(format!("{name}.ini")),
    )
}

/// Read and check a pair by name from `HOME/odbcsync/`.
pub fn load_pair(home: &Path, name: &str) -> Result<Pair> {
    if name.is_empty() || name.contains(['/', '\\']) || name.contains("..") {
        return Err(Error::config(format!(
            "ODBC sync pair '{name}': not a plain name"
        )));
    }
    let (csv_path, ini_path) = pair_paths(home, name);
    let csv_text = std::fs::read_to_string(&csv_path).map_err(|e| {
        Error::config(format!(
            "ODBC sync pair '{name}': {}: {e}",
            csv_path.display()
        ))
    })?;
    let ini_text = std::fs::read_to_string(&ini_path).map_err(|e| {
        Error::config(format!(
            "ODBC sync pair '{name}': {}: {e}",
            ini_path.display()
        ))
    })?;
    let columns = parse_csv(&csv_path, &csv_text)?;
    let (connection_string, password, table) = parse_ini(&ini_path, &ini_text)?;
    Ok(Pair {
        name: name.to_string(),
        connection_string,
        password,
        table,
        columns,
    })
}

fn parse_csv(path: &Path, text: &str) -> Result<Vec<Column>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut columns = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2; // after the header row
        let rec = rec.map_err(|e| Error::config(format!("{}:{line}: {e}", path.display())))?;
        if rec.iter().all(|f| f.is_empty()) {
            continue;
        }
        if rec.len() != 3 {
            return Err(Error::config(format!("{}:{line}: expected 3 fields (ODBC field name, printable code, ODBC type), found {}", path.display(), rec.len())));
        }
        check_identifier(path, line, "ODBC field name", &rec[0])?;
        let field = catalog::by_code(&rec[1]).ok_or_else(|| {
            Error::config(format!(
                "{}:{line}: unknown field code '{}'{}",
                path.display(),
                &rec[1],
                catalog::did_you_mean(&rec[1])
            ))
        })?;
        if !matches!(field.form, Form::Debtor | Form::Client | Form::Company) {
            return Err(Error::config(format!(
                "{}:{line}: {} is not a debtor, client or company field",
                path.display(),
                field.code()
            )));
        }
        let ty = OdbcType::parse(&rec[2]).ok_or_else(|| {
            Error::config(format!(
                "{}:{line}: ODBC type '{}' is not CHAR, TYPE_DATE, DECIMAL or NUMERIC (S0)",
                path.display(),
                &rec[2]
            ))
        })?;
        columns.push(Column {
            name: rec[0].to_string(),
            field,
            ty,
        });
    }
    if columns.is_empty() {
        return Err(Error::config(format!(
            "{}: no columns (a header row, then one row per column; the first is the key)",
            path.display()
        )));
    }
    Ok(columns)
}

fn parse_ini(path: &Path, text: &str) -> Result<(String, Option<String>, String)> {
    let mut in_section = false;
    let (mut conn, mut dsn, mut uid, mut pwd, mut table) = (None, None, None, None, None);
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            in_section = line.eq_ignore_ascii_case("[odbcsync]");
            continue;
        }
        if !in_section {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(Error::config(format!(
                "{}:{}: expected KEY=value",
                path.display(),
                i + 1
            )));
        };
        let v = v.trim().to_string();
        match k.trim().to_ascii_lowercase().as_str() {
            "connectionstring" => conn = Some(v),
            "dsn" => dsn = Some(v),
            "uid" => uid = Some(v),
            "pwd" => pwd = Some(v),
            "table" => {
                check_identifier(path, i + 1, "Table", &v)?;
                table = Some(v)
            }
            other => {
                return Err(Error::config(format!(
                    "{}:{}: unknown key '{other}' (ConnectionString, DSN, UID, PWD, Table)",
                    path.display(),
                    i + 1
                )))
            }
        }
    }
    let table = table
        .ok_or_else(|| Error::config(format!("{}: [odbcsync] needs Table=", path.display())))?;
    let mut attrs = match (conn, dsn) {
        (Some(c), _) => super::connstr::parse(&c)
            .map_err(|m| Error::config(format!("{}: ConnectionString: {m}", path.display())))?,
        (None, Some(d)) => vec![super::connstr::Attribute {
            key: "DSN".into(),
            value: super::connstr::quote(&d),
        }],
        (None, None) => {
            return Err(Error::config(format!(
                "{}: [odbcsync] needs ConnectionString= or DSN=",
                path.display()
            )))
        }
    };
    // Parsed and rebuilt, never concatenated: a ConnectionString without its
    // trailing ';' must not swallow UID= into the last value.
    if let Some(u) = &uid {
        super::connstr::set(&mut attrs, "UID", super::connstr::quote(u));
    }
    if let Some(p) = &pwd {
        super::connstr::set(&mut attrs, "PWD", super::connstr::quote(p));
    }
    Ok((super::connstr::build(&attrs), pwd, table))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_pair(dir: &Path, csv: &str, ini: &str) {
        std::fs::create_dir_all(dir.join("odbcsync")).unwrap();
        std::fs::write(dir.join("odbcsync/P.csv"), csv).unwrap();
        std::fs::write(dir.join("odbcsync/P.ini"), ini).unwrap();
    }

    #[test]
    fn pair_files_give_the_connection_and_the_columns_key_first() {
        let dir = tempfile::tempdir().unwrap();
        write_pair(
            dir.path(),
            "ODBC Field,Code,Type\nFileNo,de.fi,NUMERIC\nName,de.na,CHAR\nOwing,de.ow,DECIMAL\nListed,de.li,TYPE_DATE\n",
            "[odbcsync]\nDSN=dialer\nUID=sync\nPWD=s3cret\nTable=accounts\n",
        );
        let p = load_pair(dir.path(), "P").unwrap();
        assert_eq!(p.connection_string, "DSN=dialer;UID=sync;PWD=s3cret;");
        assert_eq!(p.columns[0].name, "FileNo");
        assert_eq!(p.columns[3].ty, OdbcType::Date);
    }

    #[test]
    fn bad_pair_files_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        write_pair(
            dir.path(),
            "h,h,h\nFileNo,de.fi,NUMERIC\nName,de.zz,CHAR\n",
            "[odbcsync]\nDSN=x\nTable=t\n",
        );
        assert!(load_pair(dir.path(), "P")
            .unwrap_err()
            .message
            .contains("P.csv:3: unknown field code 'de.zz'"));
        write_pair(
            dir.path(),
            "h,h,h\nFile No;--,de.fi,NUMERIC\n",
            "[odbcsync]\nDSN=x\nTable=t\n",
        );
        assert!(load_pair(dir.path(), "P")
            .unwrap_err()
            .message
            .contains("P.csv:2"));
        write_pair(
            dir.path(),
            "h,h,h\nFileNo,de.fi,BLOB\n",
            "[odbcsync]\nDSN=x\nTable=t\n",
        );
        assert!(load_pair(dir.path(), "P")
            .unwrap_err()
            .message
            .contains("BLOB"));
        write_pair(
            dir.path(),
            "h,h,h\nFileNo,de.fi,NUMERIC\n",
            "[odbcsync]\nDSN=x\nTable=t; DROP TABLE x\n",
        );
        assert!(load_pair(dir.path(), "P")
            .unwrap_err()
            .message
            .contains("P.ini:3"));
        assert!(load_pair(dir.path(), "../P").is_err());
        assert!(load_pair(dir.path(), "missing")
            .unwrap_err()
            .message
            .contains("missing.csv"));
    }
}
