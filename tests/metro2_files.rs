//! Metro 2 against the anchor files (fixtures/metro2, copied from moov-io/metro2
//! and cfpb/Metro2): byte-exact round trips, negative files, CFPB counts.

use std::path::PathBuf;

use assert_cmd::Command;
use recoup::metro2::layout::{base, k1, SegKind};
use recoup::metro2::read::{Item, Reader, RecordKind};
use recoup::metro2::{validate, LineEnding, Profile, Segment, Writer};
use serde_json::Value;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/metro2")
        .join(rel)
}

fn moov(name: &str) -> PathBuf {
    fixture(&format!("moov-io-metro2/test/testdata/{name}"))
}

fn cfpb(name: &str) -> PathBuf {
    fixture(&format!("cfpb-Metro2/sample_files/{name}"))
}

struct Rec {
    kind: RecordKind,
    segments: Vec<Segment>,
    padding: usize,
}

fn read_all(bytes: &[u8]) -> (Vec<Rec>, usize) {
    let mut r = Reader::new(bytes);
    let mut out = Vec::new();
    let mut bad = 0;
    while let Some(item) = r.next() {
        match item {
            Item::Record(rec) => out.push(Rec {
                kind: rec.kind,
                segments: rec.to_segments(),
                padding: match rec.kind {
                    RecordKind::Base => rec.padding,
                    _ => rec.bytes.len().saturating_sub(426),
                },
            }),
            _ => bad += 1,
        }
    }
    (out, bad)
}

/// Write what was read: header and records as read, the trailer recomputed.
fn rewrite(recs: &[Rec], ending: LineEnding) -> Vec<u8> {
    let mut w = Writer::new(Vec::new(), ending);
    for r in recs {
        match r.kind {
            RecordKind::Header => w.header_padded(&r.segments[0], r.padding).unwrap(),
            RecordKind::Base => w.record_padded(&r.segments, r.padding).unwrap(),
            RecordKind::Trailer => {}
        }
    }
    w.finish().unwrap()
}

fn validate_json(path: &PathBuf, profile: &str) -> (i32, Value) {
    let out = Command::cargo_bin("recoup")
        .unwrap()
        .args(["--json", "metro2", "validate", "--profile", profile])
        .arg(path)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("internal failure"),
        "{stderr}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    (code, v)
}

fn rules(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn unpacked_fixed_file_round_trips_byte_for_byte() {
    let golden = std::fs::read(moov("unpacked_fixed_file.dat")).unwrap();
    let (recs, bad) = read_all(&golden);
    assert_eq!(bad, 0);
    assert_eq!(recs.len(), 3);
    // Decoded values (moov-io/metro2's test data).
    let b = &recs[1].segments[0];
    assert_eq!(b.text(&base::IDENTIFICATION_NUMBER), "6666666");
    assert_eq!(b.text(&base::CONSUMER_ACCOUNT_NUMBER), "553723456");
    assert_eq!(b.num(&base::HIGHEST_CREDIT), Some(2438));
    assert_eq!(b.text(&base::ACCOUNT_STATUS), "62");
    assert_eq!(b.text(&base::SURNAME), "SMITH-JONES");
    assert_eq!(b.text(&base::ZIP), "72654");
    let kinds: Vec<SegKind> = recs[1].segments.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            SegKind::Base,
            SegKind::J1,
            SegKind::J2,
            SegKind::K3,
            SegKind::L1,
            SegKind::N1
        ]
    );
    assert_eq!(recs[1].padding, 34);
    assert_eq!(recs[0].padding, 44);
    // Written back with the trailer recomputed: identical bytes.
    assert_eq!(rewrite(&recs, LineEnding::None), golden);
}

#[test]
fn unpacked_fixed_request_round_trips_with_lf() {
    let golden = std::fs::read(moov("unpacked_fixed_request.dat")).unwrap();
    let (recs, bad) = read_all(&golden);
    assert_eq!((recs.len(), bad), (3, 0));
    // moov puts LF between records; recoup's line ending follows every
    // record, the trailer included (docs/metro2.md): one more LF at the end.
    let mut want = golden.clone();
    want.push(b'\n');
    assert_eq!(rewrite(&recs, LineEnding::Lf), want);
    // CRLF: same records, CR before every LF.
    let crlf = rewrite(&recs, LineEnding::Crlf);
    assert_eq!(crlf.len(), want.len() + 3);
    let (again, bad) = read_all(&crlf);
    assert_eq!((again.len(), bad), (3, 0));
}

#[test]
fn base_segment_with_bdw_round_trips_after_unwrapping() {
    let raw = std::fs::read(moov("base_segment.dat")).unwrap();
    let unwrapped: Vec<u8> = raw
        .iter()
        .copied()
        .filter(|&b| b != b'\n' && b != b'\r')
        .collect();
    assert_eq!(&unwrapped[..8], b"12681264");
    for input in [&raw, &unwrapped] {
        let (recs, bad) = read_all(input);
        assert_eq!((recs.len(), bad), (1, 0));
        let kinds: Vec<&str> = recs[0].segments.iter().map(|s| s.kind.name()).collect();
        assert_eq!(
            kinds,
            ["base", "J1", "J2", "J2", "K1", "K2", "K3", "K4", "L1", "N1"]
        );
        assert_eq!(
            recs[0].segments[4].text(&k1::ORIGINAL_CREDITOR_NAME),
            "WETCOSAT INDUSTRIES LTD."
        );
        let mut w = Writer::new(Vec::new(), LineEnding::None).with_bdw();
        w.record(&recs[0].segments).unwrap();
        assert_eq!(w.into_inner().unwrap(), unwrapped);
    }
}

#[test]
fn single_segment_files_match_the_layout_lengths() {
    for (name, kind) in [
        ("j1_segment.dat", SegKind::J1),
        ("j2_segment.dat", SegKind::J2),
        ("k1_segment.dat", SegKind::K1),
        ("k2_segment.dat", SegKind::K2),
        ("k3_segment.dat", SegKind::K3),
        ("k4_segment.dat", SegKind::K4),
        ("l1_segment.dat", SegKind::L1),
        ("n1_segment.dat", SegKind::N1),
    ] {
        let raw = std::fs::read(moov(name)).unwrap();
        // j2_segment.dat carries one trailing blank after its 200 bytes.
        let (body, rest) = raw.split_at(kind.len());
        assert!(rest.iter().all(|&b| b == b' ' || b == b'\n'), "{name}");
        assert_eq!(SegKind::from_segment_id(&body[..2]), Some(kind));
        let s = Segment::from_bytes(kind, body);
        assert_eq!(s.bytes, body);
    }
}

#[test]
fn moov_valid_files_have_no_errors() {
    for name in ["unpacked_fixed_file.dat", "unpacked_fixed_request.dat"] {
        let (code, v) = validate_json(&moov(name), "crrg");
        assert_eq!(code, 0, "{name}: {v}");
        let c = &v["counts"];
        assert_eq!(
            (
                c["header"].as_u64(),
                c["base"].as_u64(),
                c["trailer"].as_u64()
            ),
            (Some(1), Some(1), Some(1))
        );
        assert_eq!(
            (
                c["J1"].as_u64(),
                c["J2"].as_u64(),
                c["K3"].as_u64(),
                c["L1"].as_u64(),
                c["N1"].as_u64()
            ),
            (Some(1), Some(1), Some(1), Some(1), Some(1))
        );
        assert_eq!(c["errors"].as_u64(), Some(0));
        // No trailer total differs: moov's trailer matches our recomputation.
        assert!(!rules(&v).contains(&"T001".to_string()));
        // But the collection profile rejects this M/48 record.
        let (code, v) = validate_json(&moov(name), "collection");
        assert_eq!(code, 3);
        let r = rules(&v);
        assert!(
            r.contains(&"C001".to_string()) && r.contains(&"C004".to_string()),
            "{r:?}"
        );
    }
}

#[test]
fn moov_negative_and_crasher_files_exit_3_without_panic() {
    // (file, a rule that must be among the findings)
    let cases = [
        ("crashers/095fc33da8989029f8de95581227c9408d15eed6", "S001"),
        ("crashers/0a80c2ffa71f7b3655f5f50f3e72ff28e4ef092f", "S002"),
        ("crashers/10c935414cdc13f9358b71f97c819e455cc01ace", "S001"),
        ("crashers/616e90a06df85c12530b6d9f48b83562b3ff9fe8", "S001"),
        // Packed single records read, but a file needs a header and a trailer.
        ("packed_base_segment.dat", "S003"),
        ("packed_header_record.dat", "S004"),
        ("packed_trailer_record.dat", "S003"),
        // BDW 426 before an RDW of 1000, a record 4 bytes short of its RDW.
        ("unpacked_variable_file.dat", "S005"),
        ("header_record.dat", "S004"),
        ("trailer_record.dat", "S003"),
        ("base_segment.dat", "S003"),
        ("j2_segment.dat", "S002"),
    ];
    for (name, rule) in cases {
        let (code, v) = validate_json(&moov(name), "crrg");
        assert_eq!(code, 3, "{name}");
        assert!(
            rules(&v).contains(&rule.to_string()),
            "{name}: {:?}",
            rules(&v)
        );
        assert!(v["counts"]["errors"].as_u64().unwrap() > 0);
    }
    // The variable file's data is still read: 1 header, 1 base, 1 trailer.
    let (_, v) = validate_json(&moov("unpacked_variable_file.dat"), "crrg");
    assert_eq!(v["counts"]["base"].as_u64(), Some(1));
    assert_eq!(v["counts"]["N1"].as_u64(), Some(1));
}

#[test]
fn a_garbage_stretch_without_line_breaks_is_reported_once() {
    let (_, v) = validate_json(
        &moov("crashers/0a80c2ffa71f7b3655f5f50f3e72ff28e4ef092f"),
        "crrg",
    );
    assert_eq!(v["counts"]["unreadable"].as_u64(), Some(1));
    assert_eq!(rules(&v).iter().filter(|r| *r == "S002").count(), 1);
}

fn counts(path: &PathBuf) -> Value {
    validate_json(path, "crrg").1["counts"].clone()
}

#[test]
fn cfpb_samples_read_with_the_counts_of_cfpbs_parser_tests() {
    let c = counts(&cfpb("m2_file_small.txt"));
    let got: Vec<u64> = [
        "base",
        "J1",
        "J2",
        "K1",
        "K2",
        "K3",
        "K4",
        "L1",
        "N1",
        "unreadable",
    ]
    .iter()
    .map(|k| c[k].as_u64().unwrap())
    .collect();
    assert_eq!(got, [3, 2, 1, 1, 1, 0, 0, 1, 0, 0]);

    let c = counts(&cfpb("m2_file_small_with_error.txt"));
    assert_eq!(
        (
            c["unreadable"].as_u64(),
            c["base"].as_u64(),
            c["K1"].as_u64(),
            c["K2"].as_u64()
        ),
        (Some(1), Some(2), Some(1), Some(1))
    );

    // Blank/zero-filled placeholder segments are ignored, with an info finding each.
    let (_, v) = validate_json(&cfpb("m2_extra_extra_segments.txt"), "crrg");
    let c = &v["counts"];
    assert_eq!(c["base"].as_u64(), Some(3));
    for k in ["J1", "J2", "K1", "K2", "K3", "K4", "L1", "N1"] {
        assert_eq!(c[k].as_u64(), Some(0), "{k}");
    }
    let infos = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "info")
        .count();
    assert!(infos >= 3);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "info")
        .all(|f| f["rule"] == "S011"));

    // No header: reported, the data still read.
    let (code, v) = validate_json(&cfpb("m2_file_small_no_header.txt"), "crrg");
    assert_eq!(code, 3);
    assert!(rules(&v).contains(&"S003".to_string()));
    assert_eq!(v["counts"]["base"].as_u64(), Some(3));

    // The corrupted header still reads as a header but its fields are misaligned.
    let (code, v) = validate_json(&cfpb("m2_file_bad_header.txt"), "crrg");
    assert_eq!(code, 3);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["segment"] == "header" && f["severity"] == "error"));

    // Month files: two accounts each, the second with a J1.
    for m in ["jan", "feb", "mar"] {
        let c = counts(&cfpb(&format!("test_previous_records/{m}-2018.txt")));
        assert_eq!(
            (c["header"].as_u64(), c["base"].as_u64(), c["J1"].as_u64()),
            (Some(1), Some(2), Some(1)),
            "{m}"
        );
    }
}

#[test]
fn every_fixture_validates_without_panicking_in_the_library() {
    let mut stack = vec![fixture("")];
    let mut n = 0;
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let bytes = std::fs::read(&p).unwrap();
                let r = validate::validate(&bytes[..], Profile::Collection);
                for f in &r.findings {
                    assert!(!f.rule.is_empty());
                    // A real SSN (a digit other than 0, not all 9s) is masked.
                    let v = &f.value;
                    let real = v.chars().any(|c| c.is_ascii_digit() && c != '0')
                        && !v.chars().all(|c| c == '9');
                    if f.field == "social_security_number" && real {
                        assert!(
                            f.value.starts_with("***-**-"),
                            "{}: {}",
                            p.display(),
                            f.value
                        );
                    }
                }
                n += 1;
            }
        }
    }
    assert!(n > 30);
}

#[test]
fn print_dumps_fields_and_masks_ssns() {
    let out = Command::cargo_bin("recoup")
        .unwrap()
        .args(["metro2", "print"])
        .arg(moov("unpacked_fixed_file.dat"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("record 2 base (1000 bytes)"));
    assert!(text.contains("SMITH-JONES"));
    assert!(text.contains("***-**-8759"));
    assert!(!text.contains("159328759"));
    let out = Command::cargo_bin("recoup")
        .unwrap()
        .args(["--json", "metro2", "print"])
        .arg(moov("unpacked_fixed_file.dat"))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[1]["fields"]["surname"], "SMITH-JONES");
    assert_eq!(v[1]["segments"][0]["segment"], "J1");
    assert_eq!(v[2]["fields"]["total_base_records"], "000000001");
}

#[test]
fn exit_codes_and_text_report() {
    let bin = || Command::cargo_bin("recoup").unwrap();
    // A valid file: exit 0, one line per finding then the count table.
    let out = bin()
        .args(["metro2", "validate"])
        .arg(moov("unpacked_fixed_file.dat"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("record 2 base current_balance @155: warning status 62 with a balance [X005] value '000002233'"), "{text}");
    assert!(text
        .lines()
        .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["base", "1"]));
    // Errors: exit 3 with a summary on stderr.
    let out = bin()
        .args(["metro2", "validate"])
        .arg(moov("crashers/10c935414cdc13f9358b71f97c819e455cc01ace"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 error(s)"));
    // A bad profile is a usage error; a missing file a runtime failure.
    let out = bin()
        .args(["metro2", "validate", "--profile", "strict"])
        .arg(moov("unpacked_fixed_file.dat"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin()
        .args(["metro2", "validate", "no-such-file.dat"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-file.dat"));
}
