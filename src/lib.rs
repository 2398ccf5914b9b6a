//! recoup: a command-line toolchain for collection agencies.
//!
//! The binary (`src/main.rs`) hands over to [`cli`], which parses arguments and prints;
//! every other module is library code that returns values.
//! Data flows one way (docs/architecture.md): sources → maps → store; store → reports,
//! Metro 2, letters and statements.

pub mod amount;
pub mod arrangements;
pub mod catalog;
pub mod cli;
pub mod dates;
pub mod demo;
pub mod env;
pub mod error;
pub mod import;
pub mod letters;
pub mod metro2;
pub mod money;
pub mod output;
pub mod pii;
pub mod plans;
pub mod progress;
pub mod report;
pub mod setup;
pub mod sol;
pub mod statements;
pub mod store;
pub mod suggest;
pub mod sync;
pub mod tomlutil;
pub mod transfer;

pub use env::Env;
pub use error::{Error, ErrorKind, Remedy, Result};
