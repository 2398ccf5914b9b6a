//! Import maps (docs/import-maps.md): map model and checks, sources (delimited, fixed,
//! multi-line), the field pipeline, applying records to the database, and the
//! export direction.
//!
//! Data flows one way: `source` turns bytes into records, `pipeline` turns a record
//! into typed field assignments (independent of the database), `apply` writes them.

pub mod apply;
pub mod dates;
pub mod map;
pub mod pipeline;
pub mod review;
pub mod run;
pub mod scan;
pub mod source;
pub mod summary;
mod toml_read;

pub use map::Map;
pub use source::{RawRecord, Source};
pub mod backwards;
pub mod export;
pub mod footer;
mod known_keys;

pub use review::Review;
pub use run::{import_into, load_map, resolve_map, ImportJob, EMBEDDED_MAPS};
pub use summary::{ImportOptions, Summary};

/// Catalogue lookup by printable code, memoised: the apply step asks for the same
/// few codes on every record, and `catalog::by_code` is a linear scan.
pub(crate) fn field_by_code(code: &str) -> Option<&'static crate::catalog::FieldDef> {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static CODES: OnceLock<HashMap<String, &'static crate::catalog::FieldDef>> = OnceLock::new();
    let codes = CODES.get_or_init(|| {
        crate::catalog::FIELDS
            .iter()
            .map(|f| (f.code(), f))
            .collect()
    });
    match codes.get(code) {
        Some(f) => Some(*f),
        None => crate::catalog::by_code(code),
    }
}

/// True when `f` is the field with printable code `code` (no allocation).
pub(crate) fn is_code(f: &crate::catalog::FieldDef, code: &str) -> bool {
    // Asked for every value of every record: compare lengths first, no splitting.
    let form = f.form.code();
    code.len() == form.len() + 1 + f.field.len()
        && code.as_bytes()[form.len()] == b'.'
        && code.ends_with(f.field)
        && code.starts_with(form)
}
