//! Builder tests.
