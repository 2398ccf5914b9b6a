//! Column names come from the catalogue. A store statement is written with field codes in
//! braces, `UPDATE debtor SET {de.ow} = ?2 WHERE {de.fi} = ?1`, and expanded once: each
//! `{form.field}` becomes that field's column, and a code the catalogue does not know is
//! an error naming it, never a guessed column (docs/architecture.md, "The store owns the
//! SQL"). Tables of the store's own (settings, types, Metro 2 history) are spelled as
//! they are: the catalogue does not describe them.

use std::sync::OnceLock;

use crate::catalog;
use crate::{Error, Result};

/// The column of a field code (`co.do` → `done`); an unknown code is an error.
pub fn column(code: &str) -> Result<&'static str> {
    catalog::by_code(code).map(|f| f.column).ok_or_else(|| {
        Error::runtime(format!(
            "store: unknown field code '{code}'{}",
            catalog::did_you_mean(code)
        ))
    })
}

/// Expand every `{form.field}` of a statement template into its catalogue column.
/// Braces that do not hold a field code are an error too, so a typo cannot slip through
/// as literal text.
pub fn expand(template: &str) -> Result<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| {
            Error::runtime(format!("store: unclosed '{{' in statement: {template}"))
        })?;
        out.push_str(column(&after[..close])?);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Expand a template once and keep it for the life of the process (see [`sql!`]).
pub fn cached(cell: &'static OnceLock<String>, template: &str) -> Result<&'static str> {
    if let Some(sql) = cell.get() {
        return Ok(sql);
    }
    let sql = expand(template)?;
    Ok(cell.get_or_init(|| sql))
}

/// A statement template with `{form.field}` codes, expanded on first use and kept:
/// `conn.prepare_cached(sql!("SELECT {de.ow} FROM debtor WHERE {de.fi} = ?1")?)`.
#[macro_export]
macro_rules! sql {
    ($template:literal) => {{
        static SQL: ::std::sync::OnceLock<String> = ::std::sync::OnceLock::new();
        $crate::store::sql::cached(&SQL, $template)
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_become_catalogue_columns() {
        assert_eq!(
            expand("UPDATE contact SET {co.do} = 1 WHERE id = ?1").unwrap(),
            "UPDATE contact SET done = 1 WHERE id = ?1"
        );
        assert_eq!(
            crate::sql!("SELECT {de.ow} FROM debtor WHERE {de.fi} = ?1").unwrap(),
            "SELECT ow FROM debtor WHERE fi = ?1"
        );
    }

    #[test]
    fn an_unknown_code_is_an_error_never_a_guess() {
        let e = expand("SELECT {de.owx} FROM debtor").unwrap_err();
        assert!(e.to_string().contains("unknown field code 'de.owx'"), "{e}");
        assert!(expand("SELECT {nonsense} FROM debtor").is_err());
        assert!(expand("SELECT {de.ow FROM debtor").is_err());
    }

    /// Every `{form.field}` code a store statement names is in the catalogue: a renamed
    /// or removed field fails here, not the first time its statement runs (at month-end).
    #[test]
    fn every_code_the_store_names_resolves() {
        // sql.rs itself is left out: its tests name unknown codes on purpose.
        let sources = [
            include_str!("budget.rs"),
            include_str!("busy.rs"),
            include_str!("clients.rs"),
            include_str!("contacts.rs"),
            include_str!("debtors.rs"),
            include_str!("import_cache.rs"),
            include_str!("metro2.rs"),
            include_str!("mod.rs"),
            include_str!("notes.rs"),
            include_str!("plans.rs"),
            include_str!("records.rs"),
            include_str!("report_source.rs"),
            include_str!("schema.rs"),
            include_str!("settings.rs"),
            include_str!("source.rs"),
            include_str!("statements.rs"),
            include_str!("stock.rs"),
            include_str!("transactions.rs"),
            include_str!("types.rs"),
        ];
        let mut found = 0;
        for source in sources {
            let mut rest = source;
            while let Some(open) = rest.find('{') {
                rest = &rest[open + 1..];
                let Some(close) = rest.find('}') else { break };
                let inner = &rest[..close];
                let is_code = inner.split_once('.').is_some_and(|(form, field)| {
                    form.len() == 2
                        && form.chars().all(|c| c.is_ascii_lowercase())
                        && !field.is_empty()
                        && field.chars().all(|c| c.is_ascii_alphanumeric())
                });
                if is_code {
                    found += 1;
                    assert!(column(inner).is_ok(), "unknown code {inner}");
                }
            }
        }
        assert!(found > 300, "found only {found} codes");
    }
}
