//! Fuzz the Metro 2 reader and validator (both profiles) and the printer:
//! no input may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use recoup::metro2::{print, validate, Profile};

fuzz_target!(|data: &[u8]| {
    let report = validate::validate(data, Profile::Collection);
    // Findings past validate::MAX_FINDINGS are counted per rule, not listed.
    let omitted: u64 = report.omitted.values().sum();
    assert!(report.counts.errors <= report.findings.len() as u64 + omitted);
    let _ = validate::validate(data, Profile::Crrg);
    let mut sink = Vec::new();
    let _ = print::print(data, false, &mut sink);
});
