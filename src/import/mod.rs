//! Import maps (SPEC §3): map model and checks, sources (delimited, fixed,
//! multi-line), the field pipeline, applying records to the database, and the
//! export direction.
//!
//! Data flows one way: `source` turns bytes into records, `pipeline` turns a record
//! into typed field assignments (independent of the database), `apply` writes them.

pub mod dates;
pub mod map;
pub mod pipeline;
pub mod scan;
pub mod source;
mod toml_read;

pub use map::Map;
pub use source::{RawRecord, Source};
