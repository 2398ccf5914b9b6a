//! Fuzz the sources and the field pipeline: arbitrary bytes through a CSV, a
//! delimited, a fixed-length and a multi-line map never panic, and every record
//! carries a line number that never goes backwards.
#![no_main]

use chrono::{NaiveDate, NaiveTime};
use libfuzzer_sys::fuzz_target;
use recoup::import::pipeline::{Ctx, Pipeline};
use recoup::import::{Map, RawRecord, Source};

const MAPS: [&str; 4] = [
    "format = \"csv\"\nfirst_line_labels = true\n[[record]]\ntype = \"debtor\"\n[[record.field]]\nfield = \"de.ac\"\nkey = true\n[[record.field]]\nfield = \"de.opr\"\nsource = \"@B\"\n[[record.field]]\nfield = \"de.dob\"\nsource = \"@C\"\n[[record.field]]\nfield = \"de.na\"\nsource = \"@D\"\nscan = \"%*[^,], %s\"\n[options]\ninclude_transaction_posting = true\n",
    "format = \"delimited\"\nfield_delimiter = \"x7C;\"\nrecord_delimiter = \"x0Dx0A~\"\nencoding = \"windows-1252\"\nlast_line_footer = true\n[[record]]\ntype = \"transaction\"\n[[record.field]]\nfield = \"de.fi\"\nkey = true\n[[record.field]]\nfield = \"tr.tu\"\ntrailing_overpunch = true\nmultiply = \"0.01\"\n",
    "format = \"fixed\"\nencoding = \"shift_jis\"\n[[record]]\ntype = \"debtor\"\n[[record.field]]\nfield = \"de.na\"\noffset = 2\nlength = 5\ncase = \"capitalize\"\n[[record.field]]\nfield = \"de.cbr\"\noffset = 7\nlength = 1\n",
    "format = \"fixed\"\n[[record]]\ntype = \"debtor\"\nidentifier = \"RECORD\"\n[[record.field]]\nfield = \"de.ac\"\noffset = 7\nlength = 6\n[[record.field]]\nfield = \"de.na\"\nline = 1\nlength = 20\n",
];

fuzz_target!(|data: &[u8]| {
    let ctx = Ctx {
        today: NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
        now: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
        client: Some(1),
    };
    for m in MAPS {
        let map = Map::parse("fuzz", m).expect("fuzz maps parse");
        let mut src = Source::new(&map, data);
        let mut pipeline = Pipeline::new(&map);
        let mut rec = RawRecord::default();
        let mut last = 0;
        while let Ok(true) = src.next_record(&mut rec) {
            assert!(rec.line >= last);
            last = rec.line;
            let _ = pipeline.process(&rec, &ctx);
        }
    }
});
