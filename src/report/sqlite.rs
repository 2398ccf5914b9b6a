//! The report data source over the store moved behind the store
//! ([`crate::store::report_source`]); this path keeps naming it for the callers that
//! still do.

pub use crate::store::report_source::SqliteSource;
