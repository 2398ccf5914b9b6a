//! Contact plans (docs/plans-and-letters.md; S2:1130-1670, S3): plan files, the scheduling rules and
//! the engine that runs them, and the batch that processes automatic contacts.

pub mod code;
pub mod engine;
pub mod model;
pub mod promises;
pub mod schedule;

pub use engine::{write_note, PlanRunner, PlanSummary};
pub use model::{parse_plan, EventType, Plan};
