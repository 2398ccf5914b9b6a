//! recoup: a command-line toolchain for collection agencies.
//!
//! The binary (`src/main.rs`) only parses arguments; everything happens here.
//! Data flows one way (DESIGN.md): sources → maps → store; store → reports,
//! Metro 2, letters and statements.

pub mod catalog;
pub mod env;
pub mod error;
pub mod money;

pub use env::Env;
pub use error::{Error, ErrorKind, Result};
pub mod commands;
pub mod demo;
pub mod setup;
pub mod store;
pub mod tomlutil;
pub mod report;
