//! Writing a character-format file: one record per line by default, the RDW
//! computed from the record's segments, and the trailer totals recomputed
//! from what was written (never copied from the caller).

use std::io::Write;

use super::layout::{base, j1, j2, k1, k2, k4, l1, n1, trailer, Field, SegKind};
use super::segment::{parse_num, FieldError, Segment};

/// What follows every record, the trailer included (setup `line_ending`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineEnding {
    #[default]
    Crlf,
    Lf,
    None,
}

impl LineEnding {
    pub fn parse(s: &str) -> Option<LineEnding> {
        match s.trim().to_ascii_lowercase().as_str() {
            "crlf" => Some(LineEnding::Crlf),
            "lf" => Some(LineEnding::Lf),
            "none" | "" => Some(LineEnding::None),
            _ => None,
        }
    }
    pub fn bytes(self) -> &'static [u8] {
        match self {
            LineEnding::Crlf => b"\r\n",
            LineEnding::Lf => b"\n",
            LineEnding::None => b"",
        }
    }
}

/// Why writing failed.
#[derive(Debug)]
pub enum WriteError {
    Io(std::io::Error),
    Field(FieldError),
    /// A record whose segments do not form a valid record (e.g. no base first).
    Shape(String),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Io(e) => write!(f, "{e}"),
            WriteError::Field(e) => write!(f, "{e}"),
            WriteError::Shape(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for WriteError {}

impl From<std::io::Error> for WriteError {
    fn from(e: std::io::Error) -> Self {
        WriteError::Io(e)
    }
}

impl From<FieldError> for WriteError {
    fn from(e: FieldError) -> Self {
        WriteError::Field(e)
    }
}

/// Trailer totals, accumulated record by record (moov's list, moov-io/metro2's validation rules,
/// with its K3 and K2-indicator bugs fixed). Placeholder segments are not
/// counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub base: u64,
    pub records: u64,
    pub status: [u64; STATUS_SLOTS.len()],
    pub j1: u64,
    pub j2: u64,
    pub ecoa_z: u64,
    pub n1: u64,
    pub k1: u64,
    pub k2: u64,
    pub k3: u64,
    pub k4: u64,
    pub l1: u64,
    pub ssn: [u64; 3],
    pub dob: [u64; 3],
    pub phones: u64,
}

/// Account statuses with a trailer counter, and the counter's field.
pub const STATUS_SLOTS: [(&[u8; 2], Field); 23] = [
    (b"DF", trailer::STATUS_DF),
    (b"DA", trailer::STATUS_DA),
    (b"05", trailer::STATUS_05),
    (b"11", trailer::STATUS_11),
    (b"13", trailer::STATUS_13),
    (b"61", trailer::STATUS_61),
    (b"62", trailer::STATUS_62),
    (b"63", trailer::STATUS_63),
    (b"64", trailer::STATUS_64),
    (b"65", trailer::STATUS_65),
    (b"71", trailer::STATUS_71),
    (b"78", trailer::STATUS_78),
    (b"80", trailer::STATUS_80),
    (b"82", trailer::STATUS_82),
    (b"83", trailer::STATUS_83),
    (b"84", trailer::STATUS_84),
    (b"88", trailer::STATUS_88),
    (b"89", trailer::STATUS_89),
    (b"93", trailer::STATUS_93),
    (b"94", trailer::STATUS_94),
    (b"95", trailer::STATUS_95),
    (b"96", trailer::STATUS_96),
    (b"97", trailer::STATUS_97),
];

fn has_ssn(raw: &[u8]) -> bool {
    matches!(parse_num(raw), Some(n) if n > 0 && n < 999_999_999)
}

fn has_date(raw: &[u8]) -> bool {
    raw.iter().any(|&b| b != b'0' && b != b' ') && !raw.iter().all(|&b| b == b'9')
}

fn has_phone(raw: &[u8]) -> bool {
    matches!(parse_num(raw), Some(n) if n > 0)
}

fn get<'a>(bytes: &'a [u8], f: &Field) -> &'a [u8] {
    bytes.get(f.range()).unwrap_or(&[])
}

impl Totals {
    /// Count one data record: the base bytes and its (non-placeholder) segments.
    pub fn add<'a>(
        &mut self,
        base_bytes: &[u8],
        segments: impl IntoIterator<Item = (SegKind, &'a [u8])>,
    ) {
        self.base += 1;
        self.records += 1;
        let status = get(base_bytes, &base::ACCOUNT_STATUS);
        if let Some(i) = STATUS_SLOTS
            .iter()
            .position(|(c, _)| status.len() == 2 && c[0] == status[0] && c[1] == status[1])
        {
            self.status[i] += 1;
        }
        if get(base_bytes, &base::ECOA_CODE) == b"Z" {
            self.ecoa_z += 1;
        }
        if has_ssn(get(base_bytes, &base::SSN)) {
            self.ssn[0] += 1;
        }
        if has_date(get(base_bytes, &base::DATE_OF_BIRTH)) {
            self.dob[0] += 1;
        }
        if has_phone(get(base_bytes, &base::TELEPHONE)) {
            self.phones += 1;
        }
        for (kind, s) in segments {
            if super::read::is_placeholder(s) {
                continue;
            }
            match kind {
                SegKind::J1 | SegKind::J2 => {
                    let (slot, ssn, dob, phone, ecoa) = if kind == SegKind::J1 {
                        self.j1 += 1;
                        (1, j1::SSN, j1::DATE_OF_BIRTH, j1::TELEPHONE, j1::ECOA_CODE)
                    } else {
                        self.j2 += 1;
                        (2, j2::SSN, j2::DATE_OF_BIRTH, j2::TELEPHONE, j2::ECOA_CODE)
                    };
                    if has_ssn(get(s, &ssn)) {
                        self.ssn[slot] += 1;
                    }
                    if has_date(get(s, &dob)) {
                        self.dob[slot] += 1;
                    }
                    if has_phone(get(s, &phone)) {
                        self.phones += 1;
                    }
                    if get(s, &ecoa) == b"Z" {
                        self.ecoa_z += 1;
                    }
                }
                SegKind::K1 => {
                    if get(s, &k1::ORIGINAL_CREDITOR_NAME)
                        .iter()
                        .any(|&b| b != b' ')
                    {
                        self.k1 += 1;
                    }
                }
                SegKind::K2 => {
                    if matches!(get(s, &k2::PURCHASED_INDICATOR), b"1" | b"2" | b"9") {
                        self.k2 += 1;
                    }
                }
                SegKind::K3 => self.k3 += 1,
                SegKind::K4 => {
                    if matches!(get(s, &k4::SPECIALIZED_PAYMENT_INDICATOR), b"01" | b"02") {
                        self.k4 += 1;
                    }
                }
                SegKind::L1 => {
                    if matches!(get(s, &l1::CHANGE_INDICATOR), b"1" | b"2" | b"3") {
                        self.l1 += 1;
                    }
                }
                SegKind::N1 => {
                    if get(s, &n1::EMPLOYER_NAME).iter().any(|&b| b != b' ') {
                        self.n1 += 1;
                    }
                }
                SegKind::Header | SegKind::Base | SegKind::Trailer => {}
            }
        }
    }

    /// Every trailer field with its expected value (block count = header +
    /// data records + trailer).
    pub fn expected(&self) -> Vec<(Field, u64)> {
        let mut v = vec![
            (trailer::TOTAL_BASE, self.base),
            (trailer::J1_COUNT, self.j1),
            (trailer::J2_COUNT, self.j2),
            (trailer::BLOCK_COUNT, self.records + 2),
            (trailer::ECOA_Z, self.ecoa_z),
            (trailer::EMPLOYMENT_SEGMENTS, self.n1),
            (trailer::ORIGINAL_CREDITOR_SEGMENTS, self.k1),
            (trailer::PURCHASED_SOLD_SEGMENTS, self.k2),
            (trailer::MORTGAGE_SEGMENTS, self.k3),
            (trailer::PAYMENT_INFORMATION_SEGMENTS, self.k4),
            (trailer::CHANGE_SEGMENTS, self.l1),
            (trailer::SSN_ALL, self.ssn.iter().sum()),
            (trailer::SSN_BASE, self.ssn[0]),
            (trailer::SSN_J1, self.ssn[1]),
            (trailer::SSN_J2, self.ssn[2]),
            (trailer::DOB_ALL, self.dob.iter().sum()),
            (trailer::DOB_BASE, self.dob[0]),
            (trailer::DOB_J1, self.dob[1]),
            (trailer::DOB_J2, self.dob[2]),
            (trailer::PHONES_ALL, self.phones),
        ];
        for (i, (_, f)) in STATUS_SLOTS.iter().enumerate() {
            v.push((*f, self.status[i]));
        }
        v
    }

    /// The trailer record for these totals.
    pub fn trailer(&self) -> Result<Segment, FieldError> {
        let mut t = Segment::blank(SegKind::Trailer);
        t.put_num(&trailer::RDW, 426)?;
        for (f, n) in self.expected() {
            t.put_num(&f, n)?;
        }
        Ok(t)
    }
}

/// Streams records to `out`; `finish` appends the recomputed trailer.
pub struct Writer<W: Write> {
    out: W,
    ending: LineEnding,
    totals: Totals,
    wrote_header: bool,
    bdw: bool,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W, ending: LineEnding) -> Self {
        Writer {
            out,
            ending,
            totals: Totals::default(),
            wrote_header: false,
            bdw: false,
        }
    }

    /// Put a Block Descriptor Word (RDW + 4) before every record: variable
    /// blocking with one record per block, as moov writes it.
    pub fn with_bdw(mut self) -> Self {
        self.bdw = true;
        self
    }

    pub fn header(&mut self, header: &Segment) -> Result<(), WriteError> {
        if header.kind != SegKind::Header || self.wrote_header {
            return Err(WriteError::Shape(
                "the header must be written once, first".into(),
            ));
        }
        self.wrote_header = true;
        self.emit(std::slice::from_ref(header), 0)
    }

    /// A header followed by `padding` blanks (fixed-length files pad the
    /// header to the data records' length).
    pub fn header_padded(&mut self, header: &Segment, padding: usize) -> Result<(), WriteError> {
        if header.kind != SegKind::Header || self.wrote_header {
            return Err(WriteError::Shape(
                "the header must be written once, first".into(),
            ));
        }
        self.wrote_header = true;
        self.emit(std::slice::from_ref(header), padding)
    }

    /// One data record: a base segment followed by its appended segments.
    pub fn record(&mut self, segments: &[Segment]) -> Result<(), WriteError> {
        self.record_padded(segments, 0)
    }

    /// A data record followed by `padding` blanks (fixed-length records).
    pub fn record_padded(
        &mut self,
        segments: &[Segment],
        padding: usize,
    ) -> Result<(), WriteError> {
        let Some((first, rest)) = segments.split_first() else {
            return Err(WriteError::Shape("an empty record".into()));
        };
        if first.kind != SegKind::Base || rest.iter().any(|s| !SegKind::APPENDED.contains(&s.kind))
        {
            return Err(WriteError::Shape(
                "a data record is a base segment followed by J1…N1 segments".into(),
            ));
        }
        refuse_bad_payment_history(first)?;
        self.totals.add(
            &first.bytes,
            rest.iter().map(|s| (s.kind, s.bytes.as_slice())),
        );
        self.emit(segments, padding)
    }

    fn emit(&mut self, segments: &[Segment], padding: usize) -> Result<(), WriteError> {
        let len: usize = segments.iter().map(|s| s.bytes.len()).sum::<usize>() + padding;
        if len > 9995 {
            return Err(WriteError::Shape(format!(
                "a record of {len} bytes exceeds the 4-digit RDW"
            )));
        }
        if self.bdw {
            self.out.write_all(&digits4(len + 4))?;
        }
        self.out.write_all(&digits4(len))?;
        let mut first = true;
        for s in segments {
            if first {
                self.out.write_all(&s.bytes[4..])?;
                first = false;
            } else {
                self.out.write_all(&s.bytes)?;
            }
        }
        const BLANKS: [u8; 64] = [b' '; 64];
        let mut left = padding;
        while left > 0 {
            let n = left.min(BLANKS.len());
            self.out.write_all(&BLANKS[..n])?;
            left -= n;
        }
        self.out.write_all(self.ending.bytes())?;
        Ok(())
    }

    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    /// Write the trailer (totals recomputed) and hand back the output.
    pub fn finish(mut self) -> Result<W, WriteError> {
        if !self.wrote_header {
            return Err(WriteError::Shape("no header was written".into()));
        }
        let t = self.totals.trailer()?;
        self.emit(std::slice::from_ref(&t), 0)?;
        self.out.flush()?;
        Ok(self.out)
    }

    /// Hand back the output without a trailer (single records, tests).
    pub fn into_inner(mut self) -> Result<W, WriteError> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The writer never emits a Payment History Profile the CRRG does not allow
/// (Base Segment field 18: 0-6, B, D, E, G, H, J, K, L; `B` where unused).
fn refuse_bad_payment_history(base_segment: &Segment) -> Result<(), FieldError> {
    let php = base_segment.get(&base::PAYMENT_HISTORY_PROFILE);
    match super::codes::php_bad_char(php) {
        None => Ok(()),
        Some(c) => Err(FieldError {
            segment: SegKind::Base.name(),
            field: base::PAYMENT_HISTORY_PROFILE.name,
            message: format!(
                "'{}' is not a payment history code (0-6, B, D, E, G, H, J, K, L; B where unused)",
                c as char
            ),
        }),
    }
}

fn digits4(mut n: usize) -> [u8; 4] {
    let mut d = [b'0'; 4];
    for b in d.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base_with_history(php: &str) -> Segment {
        let mut b = Segment::blank(SegKind::Base);
        b.put_alpha(&base::PAYMENT_HISTORY_PROFILE, php).unwrap();
        b
    }

    #[test]
    fn refuses_a_payment_history_the_crrg_does_not_allow() {
        for php in [
            format!("Z{}", " ".repeat(23)),
            format!("{} ", "B".repeat(23)),
        ] {
            let mut w = Writer::new(Vec::new(), LineEnding::Lf);
            let e = w.record(&[base_with_history(&php)]).unwrap_err();
            assert!(
                e.to_string().starts_with("base payment_history_profile: '"),
                "{e}"
            );
            assert!(w.into_inner().unwrap().is_empty(), "nothing written");
        }
        let mut w = Writer::new(Vec::new(), LineEnding::Lf);
        w.record(&[base_with_history("GGBBBBBBBBBBBBBBBBBBBBB0")])
            .unwrap();
    }
}
