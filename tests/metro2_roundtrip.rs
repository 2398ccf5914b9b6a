//! Property: whatever the writer accepts, the reader gives back byte for
//! byte, with any line ending, and the recomputed trailer validates.

use chrono::NaiveDate;
use proptest::prelude::*;
use recoup::metro2::layout::{Kind, SegKind};
use recoup::metro2::read::{Item, Reader};
use recoup::metro2::validate::validate;
use recoup::metro2::{LineEnding, Profile, Segment, Writer};

#[derive(Debug, Clone)]
enum Val {
    Text(String),
    Num(u64),
    Date(Option<NaiveDate>),
}

fn field_values(kind: SegKind) -> impl Strategy<Value = Vec<Val>> {
    let strategies: Vec<BoxedStrategy<Val>> = kind
        .table()
        .iter()
        .map(|f| match f.kind {
            // The writer refuses any other Payment History Profile character (CRRG field 18).
            Kind::Alpha if kind == SegKind::Base && f.name == "payment_history_profile" => {
                proptest::string::string_regex("[0-6BDEGHJKL]{24}")
                    .unwrap()
                    .prop_map(Val::Text)
                    .boxed()
            }
            Kind::Alpha => {
                let max = usize::from(f.len);
                proptest::string::string_regex(&format!(
                    "([A-Z0-9'/.,&-][A-Z0-9 '/.,&-]{{0,{}}})?",
                    max - 1
                ))
                .unwrap()
                .prop_map(|s| Val::Text(s.trim_end().to_string()))
                .boxed()
            }
            Kind::Numeric => {
                let max = 10u64.pow(u32::from(f.len)) - 1;
                (0..=max).prop_map(Val::Num).boxed()
            }
            Kind::Date => proptest::option::of((1900i32..2100, 1u32..=12, 1u32..=28))
                .prop_map(|o| Val::Date(o.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))))
                .boxed(),
            _ => Just(Val::Num(0)).boxed(),
        })
        .collect();
    strategies
}

fn build(kind: SegKind, vals: &[Val]) -> Segment {
    let mut s = Segment::blank(kind);
    for (f, v) in kind.table().iter().zip(vals) {
        match (f.kind, v) {
            (Kind::Alpha, Val::Text(t)) => s.put_alpha(f, t).unwrap(),
            (Kind::Numeric, Val::Num(n)) => s.put_num(f, *n).unwrap(),
            (Kind::Date, Val::Date(d)) => s.put_date(f, *d).unwrap(),
            _ => {}
        }
    }
    s
}

fn record() -> impl Strategy<Value = Vec<Segment>> {
    let appended = proptest::sample::subsequence(SegKind::APPENDED.to_vec(), 0..=4);
    (field_values(SegKind::Base), appended).prop_flat_map(|(bv, kinds)| {
        let segs: Vec<_> = kinds
            .iter()
            .map(|k| {
                field_values(*k).prop_map({
                    let k = *k;
                    move |v| build(k, &v)
                })
            })
            .collect();
        segs.prop_map(move |mut s| {
            let mut all = vec![build(SegKind::Base, &bv)];
            all.append(&mut s);
            all
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn write_then_read_gives_the_same_segments(
        recs in proptest::collection::vec(record(), 1..5),
        header_vals in field_values(SegKind::Header),
        ending in prop_oneof![Just(LineEnding::Crlf), Just(LineEnding::Lf), Just(LineEnding::None)],
    ) {
        let header = build(SegKind::Header, &header_vals);
        let mut w = Writer::new(Vec::new(), ending);
        w.header(&header).unwrap();
        for r in &recs {
            w.record(r).unwrap();
        }
        let bytes = w.finish().unwrap();
        let mut reader = Reader::new(&bytes[..]);
        let mut got = Vec::new();
        while let Some(item) = reader.next() {
            match item {
                Item::Record(rec) => got.push(rec.to_segments()),
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
        prop_assert_eq!(got.len(), recs.len() + 2);
        // The header comes back with its RDW filled in.
        prop_assert_eq!(&got[0][0].bytes[4..], &header.bytes[4..]);
        for (g, want) in got[1..=recs.len()].iter().zip(&recs) {
            prop_assert_eq!(g.len(), want.len());
            prop_assert_eq!(&g[0].bytes[4..], &want[0].bytes[4..]);
            for (a, b) in g[1..].iter().zip(&want[1..]) {
                prop_assert_eq!(a, b);
            }
        }
        // Whatever the content, the trailer the writer computed is what the
        // validator recomputes.
        let rep = validate(&bytes[..], Profile::Crrg);
        prop_assert!(!rep.findings.iter().any(|f| f.rule == "T001" || f.rule == "S002" || f.rule == "S005"), "{:?}", rep.findings.iter().filter(|f| f.severity == recoup::metro2::Severity::Error).take(5).collect::<Vec<_>>());
    }

    #[test]
    fn the_reader_and_validator_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let _ = validate(&bytes[..], Profile::Collection);
    }

    /// The packed reader (as the fuzz target metro2_packed drives it): random
    /// bytes after a packed descriptor word, and moov's packed file damaged.
    #[test]
    fn the_packed_reader_never_panics(
        tail in proptest::collection::vec(any::<u8>(), 0..3000),
        cuts in proptest::collection::vec((0usize..1744, any::<u8>()), 0..8),
    ) {
        let mut input = vec![0x01, 0x72, 0x00, 0x00, 0x01, 0x6e, 0x00, 0x00];
        input.extend_from_slice(&tail);
        let rep = validate(&input[..], Profile::Crrg);
        prop_assert!(rep.counts.errors > 0 || rep.counts.header == 1);
        let mut bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/metro2/moov-io-metro2/test/testdata/packed_file.dat"
        ))
        .unwrap();
        for (at, b) in cuts {
            if at < bytes.len() {
                if b % 3 == 0 { bytes.remove(at); } else { bytes[at] = b; }
            }
        }
        let _ = validate(&bytes[..], Profile::Collection);
        let mut sink = Vec::new();
        let _ = recoup::metro2::print::print(&bytes[..], true, &mut sink);
    }

    #[test]
    fn damaged_files_never_panic(
        recs in proptest::collection::vec(record(), 1..3),
        cuts in proptest::collection::vec((0usize..4000, any::<u8>()), 0..8),
        ending in prop_oneof![Just(LineEnding::Lf), Just(LineEnding::None)],
    ) {
        let mut w = Writer::new(Vec::new(), ending);
        w.header(&Segment::blank(SegKind::Header)).unwrap();
        for r in &recs {
            w.record(r).unwrap();
        }
        let mut bytes = w.finish().unwrap();
        for (at, b) in cuts {
            if at < bytes.len() {
                if b % 3 == 0 { bytes.remove(at); } else { bytes[at] = b; }
            }
        }
        let rep = validate(&bytes[..], Profile::Collection);
        prop_assert!(rep.counts.errors as usize <= rep.findings.len());
    }
}
