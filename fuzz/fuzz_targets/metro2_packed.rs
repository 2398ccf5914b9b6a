//! Fuzz the packed (366) reader: the input follows a packed descriptor word so
//! the reader takes the packed path; the record converter runs on it directly
//! for each record type. No input may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use recoup::metro2::layout::SegKind;
use recoup::metro2::{packed, print, validate, Profile};

fuzz_target!(|data: &[u8]| {
    let mut input = vec![0x01, 0x72, 0x00, 0x00, 0x01, 0x6e, 0x00, 0x00];
    input.extend_from_slice(data);
    let report = validate::validate(&input[..], Profile::Crrg);
    let omitted: u64 = report.omitted.values().sum();
    assert!(report.counts.errors <= report.findings.len() as u64 + omitted);
    let mut sink = Vec::new();
    let _ = print::print(&input[..], false, &mut sink);
    let mut out = Vec::new();
    for kind in [SegKind::Header, SegKind::Base, SegKind::Trailer] {
        if packed::to_character(kind, data, &mut out).is_ok() {
            assert_eq!(out.len(), data.len() + 60);
        }
    }
});
