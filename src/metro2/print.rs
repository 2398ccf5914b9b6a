//! `recoup metro2 print`: a file field by field (SSNs masked).

use std::io::{Read, Write};

use serde_json::{json, Map, Value};

use super::layout::{Field, Kind, SegKind};
use super::read::{Item, Reader, RecordView};
use super::segment::field_text;

/// The fields of a segment as printed: reserved fields left out, SSNs masked.
fn shown_fields(
    kind: SegKind,
    bytes: &[u8],
) -> impl Iterator<Item = (&'static Field, String)> + '_ {
    kind.table()
        .iter()
        .filter(|f| f.kind != Kind::Reserved)
        .map(move |f| {
            let text = bytes.get(f.range()).map(field_text).unwrap_or_default();
            let shown = if f.name == "social_security_number" {
                crate::pii::mask_ssn(&text)
            } else {
                text
            };
            (f, shown)
        })
}

fn fields_json(kind: SegKind, bytes: &[u8]) -> Value {
    let m: Map<String, Value> = shown_fields(kind, bytes)
        .map(|(f, v)| (f.name.to_string(), Value::String(v)))
        .collect();
    Value::Object(m)
}

fn record_json(rec: &RecordView<'_>) -> Value {
    let kind = rec.kind.seg();
    let segments: Vec<Value> = rec
        .segments
        .iter()
        .map(|s| {
            json!({
                "segment": s.kind.name(),
                "position": s.start + 1,
                "placeholder": s.placeholder,
                "fields": fields_json(s.kind, rec.segment(s)),
            })
        })
        .collect();
    json!({
        "record": rec.number,
        "type": kind.name(),
        "length": rec.bytes.len(),
        "fields": fields_json(kind, rec.main()),
        "segments": segments,
    })
}

fn write_fields(out: &mut dyn Write, kind: SegKind, bytes: &[u8]) -> std::io::Result<()> {
    for (f, v) in shown_fields(kind, bytes) {
        writeln!(
            out,
            "  {:>4}-{:<4} {:<45} {}",
            f.start,
            f.start + f.len - 1,
            f.name,
            v
        )?;
    }
    Ok(())
}

/// Print every record of `src`; `json` prints one JSON array.
pub fn print<R: Read>(src: R, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let mut reader = Reader::new(src);
    let mut all = Vec::new();
    while let Some(item) = reader.next() {
        match item {
            Item::Record(rec) => {
                if json {
                    all.push(record_json(&rec));
                } else {
                    writeln!(
                        out,
                        "record {} {} ({} bytes)",
                        rec.number,
                        rec.kind.seg().name(),
                        rec.bytes.len()
                    )?;
                    write_fields(out, rec.kind.seg(), rec.main())?;
                    for s in rec.segments {
                        let note = if s.placeholder { " (placeholder)" } else { "" };
                        writeln!(out, " segment {} at {}{note}", s.kind.name(), s.start + 1)?;
                        write_fields(out, s.kind, rec.segment(s))?;
                    }
                }
            }
            Item::Unreadable {
                number,
                offset,
                len,
                reason,
            } => {
                if json {
                    all.push(json!({"record": number, "type": "unreadable", "offset": offset, "length": len, "reason": reason}));
                } else {
                    writeln!(
                        out,
                        "record {number} unreadable (byte offset {offset}, {len} bytes): {reason}"
                    )?;
                }
            }
            Item::Packed { offset, reason } => {
                let msg = format!("unreadable binary input at byte offset {offset}: {reason}");
                if json {
                    all.push(json!({"type": "packed", "offset": offset, "reason": msg}));
                } else {
                    writeln!(out, "{msg}")?;
                }
            }
            Item::Io(e) => return Err(e),
        }
    }
    if json {
        serde_json::to_writer_pretty(&mut *out, &all)?;
        writeln!(out)?;
    }
    Ok(())
}
