//! Metro 2 (CDIA 426-character format): layout tables, reader, writer,
//! validator, printer and the collection-agency mapping (docs/metro2.md).
//!
//! ```text
//! layout  — one const table per record type; drives everything below
//! segment — a record/segment as bytes with typed put/get (refuses, never truncates)
//! write   — records → file, RDW computed, trailer totals recomputed
//! read    — tolerant streaming reader (lines, no breaks, 80-column wrap, BDW)
//! validate, rules, codes — every finding with record/segment/field/position/rule
//! build, text — AccountInput → base/J1/J2/K1; header from company details
//! cbr, generate — activation for reporting; the file from the database
//! ```

pub mod build;
pub mod cbr;
pub mod codes;
pub mod generate;
pub mod layout;
pub mod packed;
pub mod print;
pub mod read;
pub mod rules;
pub mod segment;
pub mod text;
pub mod validate;
pub mod write;

pub use layout::SegKind;
pub use rules::{Profile, Severity};
pub use segment::Segment;
pub use validate::{Finding, Report};
pub use write::{LineEnding, Writer};
