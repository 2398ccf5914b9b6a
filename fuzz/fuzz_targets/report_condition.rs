//! Conditions and expressions nested to any depth (`--where`, `@if`, `@( … )`) parse
//! without overflowing the stack: past the bound (docs/limits.md) they are an error
//! naming the column, never an abort. The first byte picks the extra nesting.
#![no_main]

use libfuzzer_sys::fuzz_target;
use recoup::report::{parse_condition, Report};

fuzz_target!(|data: &[u8]| {
    let Some((&depth, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if text.contains('\n') {
        return;
    }
    // 0..=5100 levels: both sides of the 256 bound.
    let n = usize::from(depth) * 20;
    let cond = format!("{}{text}{}", "(".repeat(n), ")".repeat(n));
    let _ = parse_condition(&cond);
    let expr = format!("{}{text}{}", "-(".repeat(n), ")".repeat(n));
    let _ = Report::parse(
        &format!("@if {cond}\nx\n@endif\n@varA = @({expr})\n"),
        "fuzz.rpt",
    );
});
