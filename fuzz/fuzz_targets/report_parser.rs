//! Any text parses without panicking, and a report that parses cleanly runs over an
//! in-memory source without panicking (errors are fine, panics are not).
#![no_main]

use libfuzzer_sys::fuzz_target;
use recoup::catalog::{FieldType, Form, Value};
use recoup::report::{run, LinesSink, MemorySource, Record, Report, RunOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let rep = Report::parse(text, "fuzz.rpt");
    if rep.errors().next().is_some() {
        return;
    }
    let mut src = MemorySource::new();
    src.insert(Record::new(Form::Company, 1).with("na", "Co"));
    src.insert(Record::new(Form::Client, 1).with("na", "Client"));
    src.insert(
        Record::new(Form::Debtor, 1)
            .owned_by(Form::Client, 1)
            .with("na", "Debtor")
            .with(
                "ow",
                Value::from_plain(FieldType::Currency, "123.45").unwrap_or(Value::Null),
            ),
    );
    let Some(today) = recoup::report::ast::parse_date_literal("2024-03-15") else {
        return;
    };
    let mut sink = LinesSink::default();
    let _ = run(&rep, &src, &mut sink, &RunOptions::new(today));
});
