//! The validator: every finding, with the physical record number, segment,
//! field, position within the segment, value (SSNs masked), rule and
//! severity. It never stops at the first problem (moov's users' top
//! complaint, moov-io/metro2's users' requests).

use std::io::Read;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

mod base_facts;
mod collection;
mod cross_field;

use base_facts::BaseFacts;

use super::codes;
use super::layout::{base, header, j1, j2, k2, k3, l1, trailer, Field, Kind, Req, SegKind};
use super::read::{Item, Reader, RecordKind, RecordView};
use super::rules::{self as r, Profile, Rule, Severity};
use super::segment::{classify_date, field_text, parse_num, DateField};
use super::write::Totals;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    pub record: u64,
    pub segment: &'static str,
    pub field: &'static str,
    pub position: u32,
    pub value: String,
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
}

/// `segment field @position: severity message [rule] value '…'` (the record number is
/// left to the caller, who knows how the file is named).
impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} @{}: {} {} [{}] value '{}'",
            self.segment,
            self.field,
            self.position,
            self.severity.as_str(),
            self.message,
            self.rule,
            self.value
        )
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub header: u64,
    pub base: u64,
    #[serde(rename = "J1")]
    pub j1: u64,
    #[serde(rename = "J2")]
    pub j2: u64,
    #[serde(rename = "K1")]
    pub k1: u64,
    #[serde(rename = "K2")]
    pub k2: u64,
    #[serde(rename = "K3")]
    pub k3: u64,
    #[serde(rename = "K4")]
    pub k4: u64,
    #[serde(rename = "L1")]
    pub l1: u64,
    #[serde(rename = "N1")]
    pub n1: u64,
    pub trailer: u64,
    pub unreadable: u64,
    pub errors: u64,
    pub warnings: u64,
}

/// Findings kept in full; past this many only their count per rule is kept, so
/// memory stays flat on a file with millions of findings (a corrupt or
/// mis-aligned file easily has ten per record).
pub const MAX_FINDINGS: usize = 10_000;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub counts: Counts,
    /// The first [`MAX_FINDINGS`] findings, in file order.
    pub findings: Vec<Finding>,
    /// Findings past the first [`MAX_FINDINGS`], counted per rule id (empty when
    /// every finding is listed). `counts.errors`/`warnings` include them.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub omitted: std::collections::BTreeMap<&'static str, u64>,
    /// The input could not be read to the end (a runtime failure, exit 1). Shared
    /// so the report stays `Clone`; kept as an error for the chain.
    #[serde(skip)]
    pub io_error: Option<std::sync::Arc<std::io::Error>>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.counts.errors > 0
    }

    /// The report as text, each finding prefixed with the file's name (`-` for stdin
    /// is the caller's choice of label); `--json` is the report's serialisation.
    pub fn text<'a>(&'a self, label: &'a str) -> ReportText<'a> {
        ReportText {
            label,
            report: self,
        }
    }
}

/// [`Report::text`]: the findings, the note on findings not listed, the record counts.
pub struct ReportText<'a> {
    pub label: &'a str,
    pub report: &'a Report,
}

impl std::fmt::Display for ReportText<'_> {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let r = self.report;
        for f in &r.findings {
            writeln!(out, "{}: record {} {f}", self.label, f.record)?;
        }
        if !r.omitted.is_empty() {
            let more: u64 = r.omitted.values().sum();
            let per_rule: Vec<String> = r.omitted.iter().map(|(k, v)| format!("{k} {v}")).collect();
            writeln!(
                out,
                "{}: {more} more finding(s) not listed (only the first {} are): {}",
                self.label,
                MAX_FINDINGS,
                per_rule.join(", ")
            )?;
        }
        let c = &r.counts;
        writeln!(out, "{:<12} {:>10}", "record", "count")?;
        for (k, v) in [
            ("header", c.header),
            ("base", c.base),
            ("J1", c.j1),
            ("J2", c.j2),
            ("K1", c.k1),
            ("K2", c.k2),
            ("K3", c.k3),
            ("K4", c.k4),
            ("L1", c.l1),
            ("N1", c.n1),
            ("trailer", c.trailer),
            ("unreadable", c.unreadable),
            ("errors", c.errors),
            ("warnings", c.warnings),
        ] {
            writeln!(out, "{k:<12} {v:>10}")?;
        }
        Ok(())
    }
}

fn is_state_field(seg: SegKind, f: &Field) -> bool {
    use super::layout::n1;
    match seg {
        SegKind::Base => f.start == base::STATE.start,
        SegKind::J2 => f.start == j2::STATE.start,
        SegKind::N1 => f.start == n1::STATE.start,
        _ => false,
    }
}

fn is_ssn_field(f: &Field) -> bool {
    f.name == base::SSN.name
}

/// Validates a stream of reader items; `finish` compares the trailer.
pub struct Validator {
    profile: Profile,
    report: Report,
    totals: Totals,
    header_seen: bool,
    data_seen: bool,
    trailer: Option<(u64, Vec<u8>)>,
    after_trailer_reported: bool,
    created: Option<NaiveDate>,
    records: u64,
    last_was_trailer: bool,
    /// An S001 (packed input) or S003 (no header) was reported: flags, because
    /// the finding itself may be past [`MAX_FINDINGS`].
    packed_reported: bool,
    no_header_reported: bool,
}

impl Validator {
    pub fn new(profile: Profile) -> Self {
        Validator {
            profile,
            report: Report::default(),
            totals: Totals::default(),
            header_seen: false,
            data_seen: false,
            trailer: None,
            after_trailer_reported: false,
            created: None,
            records: 0,
            last_was_trailer: false,
            packed_reported: false,
            no_header_reported: false,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        rule: Rule,
        record: u64,
        segment: &'static str,
        field: &'static str,
        position: u32,
        value: String,
        message: String,
    ) {
        match rule.severity {
            Severity::Error => self.report.counts.errors += 1,
            Severity::Warning => self.report.counts.warnings += 1,
            Severity::Info => {}
        }
        if rule.id == r::S001_PACKED.id {
            self.packed_reported = true;
        } else if rule.id == r::S003_NO_HEADER.id {
            self.no_header_reported = true;
        }
        if self.report.findings.len() >= MAX_FINDINGS {
            *self.report.omitted.entry(rule.id).or_default() += 1;
            return;
        }
        self.report.findings.push(Finding {
            record,
            segment,
            field,
            position,
            value,
            rule: rule.id,
            severity: rule.severity,
            message,
        });
    }

    /// A finding about one field of one segment.
    fn at(
        &mut self,
        rule: Rule,
        record: u64,
        seg: SegKind,
        f: &Field,
        raw: &[u8],
        message: String,
    ) {
        let text = field_text(raw);
        let value = if is_ssn_field(f) {
            crate::pii::mask_ssn(&text)
        } else {
            text
        };
        self.push(
            rule,
            record,
            seg.name(),
            f.name,
            u32::from(f.start),
            value,
            message,
        );
    }

    pub fn item(&mut self, item: &Item<'_>) {
        match item {
            Item::Record(rec) => self.record(rec),
            Item::Unreadable {
                number,
                offset,
                len,
                reason,
            } => {
                self.records += 1;
                self.report.counts.unreadable += 1;
                self.last_was_trailer = false;
                self.push(
                    r::S002_UNREADABLE,
                    *number,
                    "record",
                    "record",
                    1,
                    String::new(),
                    format!("byte offset {offset}, {len} bytes: {reason}"),
                );
            }
            Item::Packed { offset, reason } => self.push(
                r::S001_PACKED,
                self.records + 1,
                "record",
                "record",
                1,
                String::new(),
                format!("byte offset {offset}: {reason}"),
            ),
            Item::Io(e) => {
                // The reader keeps its error; a copy with the same kind and text goes on.
                let copy = std::io::Error::new(e.kind(), e.to_string());
                self.report.io_error = Some(std::sync::Arc::new(copy));
            }
        }
    }

    fn record(&mut self, rec: &RecordView<'_>) {
        self.records += 1;
        let n = rec.number;
        if self.trailer.is_some() && !self.after_trailer_reported {
            self.after_trailer_reported = true;
            self.push(
                r::S007_ORDER,
                n,
                rec.kind.seg().name(),
                "record",
                1,
                String::new(),
                "a record after the trailer".into(),
            );
        }
        if n == 1 && rec.kind != RecordKind::Header {
            self.push(
                r::S003_NO_HEADER,
                n,
                rec.kind.seg().name(),
                "record",
                1,
                String::new(),
                "the first record is not a header".into(),
            );
        }
        self.check_rdw(rec);
        self.last_was_trailer = rec.kind == RecordKind::Trailer;
        match rec.kind {
            RecordKind::Header => {
                self.report.counts.header += 1;
                if self.header_seen || self.data_seen {
                    self.push(
                        r::S007_ORDER,
                        n,
                        "header",
                        "record",
                        1,
                        String::new(),
                        "a header that is not the first record".into(),
                    );
                }
                self.header_seen = true;
                self.check_fixed_length(rec);
                let h = rec.main();
                self.fields(n, SegKind::Header, h);
                if let DateField::Valid(d) = classify_date(get(h, &header::DATE_CREATED)) {
                    self.created = Some(d);
                }
                if [
                    header::INNOVIS_ID,
                    header::EQUIFAX_ID,
                    header::EXPERIAN_ID,
                    header::TRANSUNION_ID,
                ]
                .iter()
                .all(|f| blank(get(h, f)))
                {
                    self.push(
                        r::F012_PROGRAM_ID,
                        n,
                        "header",
                        header::EQUIFAX_ID.name,
                        23,
                        String::new(),
                        "no Innovis, Equifax, Experian or TransUnion program identifier".into(),
                    );
                }
            }
            RecordKind::Trailer => {
                self.report.counts.trailer += 1;
                if self.trailer.is_some() {
                    self.push(
                        r::S007_ORDER,
                        n,
                        "trailer",
                        "record",
                        1,
                        String::new(),
                        "a second trailer".into(),
                    );
                } else {
                    let mut t = rec.main().to_vec();
                    t.resize(426, b' ');
                    self.trailer = Some((n, t));
                }
                self.check_fixed_length(rec);
                self.fields(n, SegKind::Trailer, rec.main());
            }
            RecordKind::Base => {
                self.report.counts.base += 1;
                self.data_seen = true;
                self.base_record(rec);
            }
        }
    }

    fn check_rdw(&mut self, rec: &RecordView<'_>) {
        let seg = rec.kind.seg();
        let raw = &rec.bytes[..4.min(rec.bytes.len())];
        match parse_num(raw) {
            None => self.at(
                r::S005_RDW,
                rec.number,
                seg,
                &base::RDW,
                raw,
                "the RDW is not 4 digits".into(),
            ),
            Some(v) => {
                let len = rec.bytes.len() as u64;
                // Header and trailer may legitimately be padded short of
                // their RDW only in broken files; a difference is reported.
                if v != len {
                    self.at(
                        r::S005_RDW,
                        rec.number,
                        seg,
                        &base::RDW,
                        raw,
                        format!("RDW {v} but the record is {len} bytes"),
                    );
                }
                if let Some(p) = rec.packed {
                    if let Some(b) = p.bdw.filter(|b| *b != p.rdw + 4) {
                        self.push(
                            r::S010_BDW,
                            rec.number,
                            seg.name(),
                            "block_descriptor_word",
                            0,
                            b.to_string(),
                            format!("packed BDW should be {} (record length + 4)", p.rdw + 4),
                        );
                    }
                }
                if let Some(bdw) = rec.bdw {
                    match parse_num(bdw) {
                        Some(b) if b == len + 4 => {}
                        _ => self.push(
                            r::S010_BDW,
                            rec.number,
                            seg.name(),
                            "block_descriptor_word",
                            0,
                            field_text(bdw),
                            format!("BDW should be {} (record length + 4)", len + 4),
                        ),
                    }
                }
            }
        }
    }

    fn check_fixed_length(&mut self, rec: &RecordView<'_>) {
        let len = rec.bytes.len();
        let seg = rec.kind.seg();
        if len < 426 {
            self.push(
                r::S006_LENGTH,
                rec.number,
                seg.name(),
                "record",
                len as u32 + 1,
                String::new(),
                format!("{} is {len} bytes, shorter than 426", seg.name()),
            );
        } else if rec.bytes[426..].iter().any(|&b| b != b' ') {
            self.push(
                r::S006_LENGTH,
                rec.number,
                seg.name(),
                "record",
                427,
                String::new(),
                format!("{} has data past position 426", seg.name()),
            );
        }
    }

    /// Table-driven checks of every field of one segment.
    fn fields(&mut self, n: u64, seg: SegKind, bytes: &[u8]) {
        // Printable upper-case ASCII throughout? (A vectorised fold.)
        let clean = bytes.iter().fold(true, |a, &b| {
            a & (0x20..0x7f).contains(&b) & !b.is_ascii_lowercase()
        });
        for f in seg.table() {
            let Some(raw) = bytes.get(f.range()) else {
                continue; // short header/trailer: reported once as S006
            };
            match f.kind {
                Kind::Rdw | Kind::Ident | Kind::Reserved => {}
                Kind::Alpha => {
                    // One pass: non-printable byte, any lower case, all blank
                    // (the byte checks are skipped when the whole segment is clean).
                    let mut bad = None;
                    let mut lower = false;
                    let all_blank = raw.iter().all(|&b| b == b' ');
                    if !clean {
                        for &b in raw {
                            if !(0x20..0x7f).contains(&b) {
                                bad = Some(b);
                                break;
                            }
                            lower |= b.is_ascii_lowercase();
                        }
                    }
                    if let Some(b) = bad {
                        self.at(
                            r::F004_CHARSET,
                            n,
                            seg,
                            f,
                            raw,
                            format!("byte 0x{b:02x} is not printable ASCII"),
                        );
                        continue;
                    }
                    if all_blank {
                        if f.req == Req::Required {
                            if f.name == base::ZIP.name {
                                self.at(r::F010_ZIP, n, seg, f, raw, "ZIP code is blank".into());
                            } else {
                                self.at(
                                    r::F001_REQUIRED,
                                    n,
                                    seg,
                                    f,
                                    raw,
                                    format!("{} is required", f.name),
                                );
                            }
                        }
                        continue;
                    }
                    if lower {
                        self.at(
                            r::F006_LOWER_CASE,
                            n,
                            seg,
                            f,
                            raw,
                            "lower-case letters".into(),
                        );
                    }
                    if seg == SegKind::Base
                        && f.start == base::IDENTIFICATION_NUMBER.start
                        && (raw.iter().all(|&b| b == b'0' || b == b' ')
                            || raw.iter().all(|&b| b == b'9' || b == b' '))
                    {
                        self.at(
                            r::F008_IDENTIFICATION,
                            n,
                            seg,
                            f,
                            raw,
                            "identification number all zeros or nines".into(),
                        );
                    }
                    if let Some(list) = codes::list(seg, f) {
                        let v = trim_end(raw);
                        if !codes::has(list, v) {
                            self.at(
                                r::F005_CODE,
                                n,
                                seg,
                                f,
                                raw,
                                format!("'{}' is not a valid {}", field_text(raw), f.name),
                            );
                        }
                    } else if seg == SegKind::Base && f.start == base::PAYMENT_HISTORY_PROFILE.start
                    {
                        if let Some(c) = codes::php_bad_char(raw) {
                            self.at(
                                r::F005_CODE,
                                n,
                                seg,
                                f,
                                raw,
                                format!(
                                    "'{}' is not a payment history code (0-6, B, D, E, G, H, J, K, L; B where unused)",
                                    c as char
                                ),
                            );
                        }
                    } else if seg == SegKind::Base && f.start == base::TERMS_DURATION.start {
                        if !codes::terms_ok(trim_end(raw)) {
                            self.at(
                                r::F005_CODE,
                                n,
                                seg,
                                f,
                                raw,
                                "terms duration is LOC, REV or a number of months".into(),
                            );
                        }
                    } else if is_state_field(seg, f) && !codes::has(codes::STATES, raw) {
                        self.at(
                            r::F011_STATE,
                            n,
                            seg,
                            f,
                            raw,
                            format!("'{}' is not a state or province code", field_text(raw)),
                        );
                    }
                }
                Kind::Numeric => match parse_num(raw) {
                    None => self.at(r::F002_NUMERIC, n, seg, f, raw, "not all digits".into()),
                    Some(v) => {
                        if v == 0 && f.req == Req::Required {
                            self.at(
                                r::F001_REQUIRED,
                                n,
                                seg,
                                f,
                                raw,
                                format!("{} is required", f.name),
                            );
                        } else if let Some(list) = codes::list(seg, f) {
                            if v != 0 && !codes::has(list, raw) {
                                self.at(
                                    r::F005_CODE,
                                    n,
                                    seg,
                                    f,
                                    raw,
                                    format!("'{}' is not a valid {}", field_text(raw), f.name),
                                );
                            }
                        }
                    }
                },
                Kind::Date => match classify_date(raw) {
                    DateField::Invalid => self.at(
                        r::F003_DATE,
                        n,
                        seg,
                        f,
                        raw,
                        "not a valid MMDDYYYY date".into(),
                    ),
                    DateField::Empty => {
                        if f.req == Req::Required {
                            self.at(
                                r::F001_REQUIRED,
                                n,
                                seg,
                                f,
                                raw,
                                format!("{} is required", f.name),
                            );
                        }
                    }
                    DateField::Valid(d) => {
                        if let Some(c) = self.created {
                            if d > c && seg != SegKind::Header {
                                self.at(
                                    r::F007_FUTURE_DATE,
                                    n,
                                    seg,
                                    f,
                                    raw,
                                    format!("{d} is after the file's Date Created {c}"),
                                );
                            }
                        }
                    }
                },
                Kind::Stamp => {
                    let ok = raw.iter().all(u8::is_ascii_digit)
                        && (raw.iter().all(|&b| b == b'0')
                            || (matches!(classify_date(&raw[..8]), DateField::Valid(_))
                                && parse_num(&raw[8..10]).is_some_and(|h| h < 24)
                                && parse_num(&raw[10..12]).is_some_and(|m| m < 60)
                                && parse_num(&raw[12..14]).is_some_and(|s| s < 60)));
                    if !ok && !blank(raw) {
                        self.at(
                            r::F003_DATE,
                            n,
                            seg,
                            f,
                            raw,
                            "not a valid MMDDYYYYHHMMSS time stamp".into(),
                        );
                    }
                }
            }
        }
    }

    fn base_record(&mut self, rec: &RecordView<'_>) {
        let n = rec.number;
        let b = rec.main();
        self.fields(n, SegKind::Base, b);
        // Segments: placeholders, order, repeats, per-segment fields.
        let mut last_rank = 0usize;
        let mut seen = [0u8; 8];
        let mut order_reported = false;
        for s in rec.segments {
            if s.placeholder {
                self.push(
                    r::S011_PLACEHOLDER,
                    n,
                    s.kind.name(),
                    "segment_identifier",
                    1,
                    String::new(),
                    format!(
                        "empty {} segment at record position {} ignored",
                        s.kind.name(),
                        s.start + 1
                    ),
                );
                continue;
            }
            let rank = SegKind::APPENDED
                .iter()
                .position(|k| *k == s.kind)
                .unwrap_or(0);
            if rank < last_rank && !order_reported {
                order_reported = true;
                self.push(
                    r::S008_SEGMENT_ORDER,
                    n,
                    s.kind.name(),
                    "segment_identifier",
                    1,
                    s.kind.name().into(),
                    format!("{} after a later segment type", s.kind.name()),
                );
            }
            last_rank = last_rank.max(rank);
            seen[rank] = seen[rank].saturating_add(1);
            if seen[rank] == 2
                && matches!(
                    s.kind,
                    SegKind::K1 | SegKind::K2 | SegKind::K3 | SegKind::K4 | SegKind::L1
                )
            {
                self.push(
                    r::S009_REPEATED_SEGMENT,
                    n,
                    s.kind.name(),
                    "segment_identifier",
                    1,
                    s.kind.name().into(),
                    format!("more than one {} segment", s.kind.name()),
                );
            }
            match s.kind {
                SegKind::J1 => self.report.counts.j1 += 1,
                SegKind::J2 => self.report.counts.j2 += 1,
                SegKind::K1 => self.report.counts.k1 += 1,
                SegKind::K2 => self.report.counts.k2 += 1,
                SegKind::K3 => self.report.counts.k3 += 1,
                SegKind::K4 => self.report.counts.k4 += 1,
                SegKind::L1 => self.report.counts.l1 += 1,
                SegKind::N1 => self.report.counts.n1 += 1,
                _ => {}
            }
            let bytes = rec.segment(s);
            self.fields(n, s.kind, bytes);
            self.segment_rules(n, s.kind, bytes, b);
        }
        self.totals.add(
            b,
            rec.segments
                .iter()
                .filter(|s| !s.placeholder)
                .map(|s| (s.kind, rec.segment(s))),
        );
        let facts = BaseFacts::read(rec);
        let collection = self.profile == Profile::Collection;
        self.cross_field(rec, &facts, collection);
        if collection {
            self.collection(rec, &facts);
        }
    }

    fn segment_rules(&mut self, n: u64, kind: SegKind, s: &[u8], b: &[u8]) {
        match kind {
            SegKind::J1 | SegKind::J2 => {
                let (ssn, dob, ecoa, surname) = if kind == SegKind::J1 {
                    (j1::SSN, j1::DATE_OF_BIRTH, j1::ECOA_CODE, j1::SURNAME)
                } else {
                    (j2::SSN, j2::DATE_OF_BIRTH, j2::ECOA_CODE, j2::SURNAME)
                };
                self.ssn_dob(n, kind, s, &ssn, &dob, &ecoa);
                self.name_chars(n, kind, s, &surname);
                if self.profile == Profile::Collection && get(s, &ecoa) == b"3" {
                    self.at(
                        r::C014_AUTHORIZED_USER,
                        n,
                        kind,
                        &ecoa,
                        get(s, &ecoa),
                        "an authorized user is not liable for the debt".into(),
                    );
                }
            }
            SegKind::K2 => {
                let ind = get(s, &k2::PURCHASED_INDICATOR);
                let name_blank = blank(get(s, &k2::PURCHASED_NAME));
                if (matches!(ind, b"1" | b"2") && name_blank) || (ind == b"9" && !name_blank) {
                    self.at(
                        r::X021_K2,
                        n,
                        kind,
                        &k2::PURCHASED_NAME,
                        get(s, &k2::PURCHASED_NAME),
                        format!(
                            "indicator {} {}",
                            field_text(ind),
                            if name_blank {
                                "needs a name"
                            } else {
                                "must have a blank name"
                            }
                        ),
                    );
                }
            }
            SegKind::K3
                if get(s, &k3::AGENCY_IDENTIFIER) == b"00"
                    && !blank(get(s, &k3::ACCOUNT_NUMBER)) =>
            {
                self.at(
                    r::X022_K3,
                    n,
                    kind,
                    &k3::ACCOUNT_NUMBER,
                    get(s, &k3::ACCOUNT_NUMBER),
                    "agency 00 (none) with an agency account number".into(),
                );
            }
            SegKind::L1 => {
                let ind = get(s, &l1::CHANGE_INDICATOR);
                let acct = get(s, &l1::NEW_ACCOUNT_NUMBER);
                let id = get(s, &l1::NEW_IDENTIFICATION_NUMBER);
                let problem = match ind {
                    b"1" if blank(acct) => Some((
                        l1::NEW_ACCOUNT_NUMBER,
                        "indicator 1 needs a new account number",
                    )),
                    b"1" if !blank(id) => Some((
                        l1::NEW_IDENTIFICATION_NUMBER,
                        "indicator 1 changes only the account number",
                    )),
                    b"2" if blank(id) => Some((
                        l1::NEW_IDENTIFICATION_NUMBER,
                        "indicator 2 needs a new identification number",
                    )),
                    b"2" if !blank(acct) => Some((
                        l1::NEW_ACCOUNT_NUMBER,
                        "indicator 2 changes only the identification number",
                    )),
                    b"3" if blank(acct) || blank(id) => {
                        Some((l1::NEW_ACCOUNT_NUMBER, "indicator 3 needs both new numbers"))
                    }
                    _ if !blank(acct)
                        && trim_end(acct) == trim_end(get(b, &base::CONSUMER_ACCOUNT_NUMBER)) =>
                    {
                        Some((
                            l1::NEW_ACCOUNT_NUMBER,
                            "the new account number equals the current one",
                        ))
                    }
                    _ => None,
                };
                if let Some((f, msg)) = problem {
                    self.at(r::X020_L1, n, kind, &f, get(s, &f), msg.into());
                }
            }
            _ => {}
        }
    }

    fn ssn_dob(&mut self, n: u64, kind: SegKind, s: &[u8], ssn: &Field, dob: &Field, ecoa: &Field) {
        let ssn_raw = get(s, ssn);
        let has_ssn = matches!(parse_num(ssn_raw), Some(v) if v > 0 && v < 999_999_999);
        let has_dob = matches!(classify_date(get(s, dob)), DateField::Valid(_));
        if !has_ssn && !has_dob && !matches!(get(s, ecoa), b"W" | b"Z") {
            self.at(
                r::X002_SSN_OR_DOB,
                n,
                kind,
                ssn,
                ssn_raw,
                "neither SSN nor date of birth".into(),
            );
        }
        if has_ssn && !plausible_ssn(ssn_raw) {
            self.at(r::F009_SSN, n, kind, ssn, ssn_raw, "implausible SSN".into());
        }
    }

    fn name_chars(&mut self, n: u64, kind: SegKind, s: &[u8], f: &Field) {
        let raw = get(s, f);
        if raw
            .iter()
            .any(|&c| !(c.is_ascii_alphanumeric() || c == b' ' || c == b'-' || c == b'\''))
            && raw.iter().all(|&c| (0x20..0x7f).contains(&c))
        {
            self.at(
                r::F013_NAME_CHARS,
                n,
                kind,
                f,
                raw,
                "names hold letters, blanks, hyphens and apostrophes only".into(),
            );
        }
    }

    /// End of input: missing header/trailer, trailer totals.
    pub fn finish(mut self) -> Report {
        if self.records == 0
            || (!self.header_seen
                && self.report.counts.base == 0
                && self.report.counts.unreadable > 0)
        {
            if !self.packed_reported {
                self.push(
                    r::S003_NO_HEADER,
                    1,
                    "header",
                    "record",
                    1,
                    String::new(),
                    "no header record".into(),
                );
            }
        } else if !self.header_seen && !self.no_header_reported {
            self.push(
                r::S003_NO_HEADER,
                1,
                "header",
                "record",
                1,
                String::new(),
                "no header record".into(),
            );
        }
        match self.trailer.take() {
            None => {
                if !self.packed_reported {
                    self.push(
                        r::S004_NO_TRAILER,
                        self.records.max(1),
                        "trailer",
                        "record",
                        1,
                        String::new(),
                        "no trailer record".into(),
                    );
                }
            }
            Some((n, t)) => {
                if !self.last_was_trailer && !self.after_trailer_reported {
                    self.push(
                        r::S004_NO_TRAILER,
                        self.records,
                        "trailer",
                        "record",
                        1,
                        String::new(),
                        "the trailer is not the last record".into(),
                    );
                }
                for (f, want) in self.totals.expected() {
                    let raw = get(&t, &f);
                    let Some(have) = parse_num(raw) else {
                        continue; // already an F002 finding
                    };
                    // Block count is "if applicable" (CRRG via moov): 0 = not reported.
                    if have != want && !(f == trailer::BLOCK_COUNT && have == 0) {
                        self.at(
                            r::T001_TOTAL,
                            n,
                            SegKind::Trailer,
                            &f,
                            raw,
                            format!("file has {have}, the records give {want}"),
                        );
                    }
                }
            }
        }
        self.report
    }
}

fn parse_date_field(raw: &[u8]) -> Option<NaiveDate> {
    match classify_date(raw) {
        DateField::Valid(d) => Some(d),
        _ => None,
    }
}

fn add_years(d: NaiveDate, years: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year() + years, d.month(), d.day())
        .or_else(|| NaiveDate::from_ymd_opt(d.year() + years, d.month(), 28))
        .unwrap_or(d)
}

fn plausible_ssn(raw: &[u8]) -> bool {
    if raw.len() != 9 {
        return false;
    }
    let (Some(area), Some(group), Some(serial)) = (
        parse_num(&raw[0..3]),
        parse_num(&raw[3..5]),
        parse_num(&raw[5..9]),
    ) else {
        return false;
    };
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

fn get<'a>(bytes: &'a [u8], f: &Field) -> &'a [u8] {
    bytes.get(f.range()).unwrap_or(&[])
}

fn blank(raw: &[u8]) -> bool {
    raw.iter().all(|&b| b == b' ')
}

fn trim_end(raw: &[u8]) -> &[u8] {
    let end = raw.iter().rposition(|&b| b != b' ').map_or(0, |p| p + 1);
    &raw[..end]
}

/// Validate one data record made by the builder (no header/trailer
/// checks): `generate` uses it to keep a debtor whose own records fail out
/// of the file. `number` is the record number the findings carry;
/// `created` the file's Date Created (for the future-date check).
pub fn check_record(
    segments: &[super::segment::Segment],
    profile: Profile,
    number: u64,
    created: Option<NaiveDate>,
) -> Vec<Finding> {
    let mut bytes: Vec<u8> = Vec::with_capacity(segments.iter().map(|s| s.bytes.len()).sum());
    for s in segments {
        bytes.extend_from_slice(&s.bytes);
    }
    let len = bytes.len();
    if len >= 4 {
        let rdw = format!("{:04}", len.min(9999));
        bytes[..4].copy_from_slice(rdw.as_bytes());
    }
    let mut v = Validator::new(profile);
    v.created = created;
    let mut spans = Vec::new();
    match super::read::split_segments(&bytes, &mut spans) {
        Ok(padding) => {
            let view = RecordView {
                number,
                offset: 0,
                kind: RecordKind::Base,
                bytes: &bytes,
                bdw: None,
                segments: &spans,
                padding,
                packed: None,
            };
            v.base_record(&view);
        }
        Err(reason) => v.push(
            r::S002_UNREADABLE,
            number,
            "base",
            "record",
            1,
            String::new(),
            reason,
        ),
    }
    v.report.findings
}

/// Read and validate a whole stream.
pub fn validate<R: Read>(src: R, profile: Profile) -> Report {
    let mut reader = Reader::new(src);
    let mut v = Validator::new(profile);
    while let Some(item) = reader.next() {
        v.item(&item);
    }
    v.finish()
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn report_json_keys_in_order_and_text_is_findings_then_counts() {
        let mut r = Report::default();
        r.counts.base = 2;
        r.counts.errors = 1;
        r.findings.push(Finding {
            record: 3,
            segment: "base",
            field: "Account Status",
            position: 105,
            value: "99".into(),
            rule: "B17",
            severity: Severity::Error,
            message: "not a status".into(),
        });
        let json = serde_json::to_value(&r).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["counts", "findings"]);
        assert_eq!(json["counts"]["J1"], 0);
        let text = r.text("m2.txt").to_string();
        assert!(
            text.starts_with("m2.txt: record 3 base Account Status @105: error not a status [B17] value '99'\nrecord            count\nheader                0\nbase                  2\n"),
            "{text}"
        );
        assert!(
            text.ends_with("errors                1\nwarnings              0\n"),
            "{text}"
        );
        r.omitted.insert("B17", 4);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["omitted"]["B17"], 4);
        assert!(r.text("-").to_string().contains(&format!(
            "\n-: 4 more finding(s) not listed (only the first {MAX_FINDINGS} are): B17 4\n"
        )));
    }
}
