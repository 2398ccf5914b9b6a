//! One record or segment as bytes, with typed accessors driven by the layout
//! tables. Writing refuses a value that does not fit instead of truncating it
//! (moov silently keeps the leftmost digits, moov-io/metro2's descriptor words and encodings).

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use super::layout::{Field, Kind, SegKind};

/// A value refused by the writer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub segment: &'static str,
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.segment, self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub kind: SegKind,
    pub bytes: Vec<u8>,
}

impl Segment {
    /// A segment with every field empty: alphanumeric blank, numbers and
    /// dates zero, the identifier set, the RDW zero until written.
    pub fn blank(kind: SegKind) -> Segment {
        // Built once per kind, then copied: the builder makes millions.
        static TEMPLATES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
        let t = TEMPLATES.get_or_init(|| SegKind::ALL.iter().map(|k| blank_bytes(*k)).collect());
        let i = SegKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        Segment {
            kind,
            bytes: t[i].clone(),
        }
    }

    /// Wrap bytes read from a file (padded with blanks or cut to the layout length).
    pub fn from_bytes(kind: SegKind, raw: &[u8]) -> Segment {
        let mut bytes = raw[..raw.len().min(kind.len())].to_vec();
        bytes.resize(kind.len(), b' ');
        Segment { kind, bytes }
    }

    pub fn get(&self, f: &Field) -> &[u8] {
        &self.bytes[f.range()]
    }

    /// The field as text without trailing blanks (lossy for non-ASCII).
    pub fn text(&self, f: &Field) -> String {
        field_text(self.get(f))
    }

    fn err(&self, f: &Field, message: String) -> FieldError {
        FieldError {
            segment: self.kind.name(),
            field: f.name,
            message,
        }
    }

    /// Alphanumeric: left-aligned, blank-filled. Must be printable ASCII and fit.
    pub fn put_alpha(&mut self, f: &Field, value: &str) -> Result<(), FieldError> {
        let v = value.as_bytes();
        if let Some(b) = v.iter().find(|b| !(0x20..0x7f).contains(*b)) {
            return Err(self.err(f, format!("character 0x{b:02x} is not printable ASCII")));
        }
        if v.len() > usize::from(f.len) {
            return Err(self.err(
                f,
                format!(
                    "'{}' is {} characters, the field holds {}",
                    value,
                    v.len(),
                    f.len
                ),
            ));
        }
        let dst = &mut self.bytes[f.range()];
        dst.fill(b' ');
        dst[..v.len()].copy_from_slice(v);
        Ok(())
    }

    /// Numeric: right-aligned, zero-filled; refused when it has more digits than the field.
    pub fn put_num(&mut self, f: &Field, value: u64) -> Result<(), FieldError> {
        let dst = &mut self.bytes[f.range()];
        let mut v = value;
        for b in dst.iter_mut().rev() {
            *b = b'0' + (v % 10) as u8;
            v /= 10;
        }
        if v != 0 {
            let len = f.len;
            return Err(self.err(f, format!("{value} does not fit in {len} digits")));
        }
        Ok(())
    }

    /// Numeric given as digits (SSN, phone): refused unless all digits and fitting.
    pub fn put_digits(&mut self, f: &Field, digits: &str) -> Result<(), FieldError> {
        let v = digits.as_bytes();
        if !v.iter().all(u8::is_ascii_digit) {
            return Err(self.err(f, "not all digits".to_string()));
        }
        if v.len() > usize::from(f.len) {
            let len = f.len;
            return Err(self.err(f, format!("{} digits do not fit in {len}", v.len())));
        }
        let dst = &mut self.bytes[f.range()];
        let pad = dst.len() - v.len();
        dst[..pad].fill(b'0');
        dst[pad..].copy_from_slice(v);
        Ok(())
    }

    /// `MMDDYYYY`, or zeros when absent.
    pub fn put_date(&mut self, f: &Field, date: Option<NaiveDate>) -> Result<(), FieldError> {
        let dst = &mut self.bytes[f.range()];
        match date {
            None => dst.fill(b'0'),
            Some(d) => {
                if !(0..=9999).contains(&d.year()) || dst.len() != 8 {
                    return Err(self.err(f, format!("{d} cannot be written as MMDDYYYY")));
                }
                write_digits(&mut dst[0..2], d.month());
                write_digits(&mut dst[2..4], d.day());
                write_digits(&mut dst[4..8], d.year() as u32);
            }
        }
        Ok(())
    }

    /// `MMDDYYYYHHMMSS`.
    pub fn put_stamp(&mut self, f: &Field, at: NaiveDateTime) -> Result<(), FieldError> {
        if f.len != 14 || !(0..=9999).contains(&at.year()) {
            return Err(self.err(f, format!("{at} cannot be written as a time stamp")));
        }
        let dst = &mut self.bytes[f.range()];
        write_digits(&mut dst[0..2], at.month());
        write_digits(&mut dst[2..4], at.day());
        write_digits(&mut dst[4..8], at.year() as u32);
        write_digits(&mut dst[8..10], at.hour());
        write_digits(&mut dst[10..12], at.minute());
        write_digits(&mut dst[12..14], at.second());
        Ok(())
    }

    /// The field as an unsigned number; `None` unless all digits.
    pub fn num(&self, f: &Field) -> Option<u64> {
        parse_num(self.get(f))
    }

    /// The field as a date; `None` when zero, blank or invalid.
    pub fn date(&self, f: &Field) -> Option<NaiveDate> {
        parse_date(self.get(f))
    }
}

fn blank_bytes(kind: SegKind) -> Vec<u8> {
    let mut bytes = vec![b' '; kind.len()];
    for f in kind.table() {
        let r = f.range();
        match f.kind {
            Kind::Rdw | Kind::Numeric | Kind::Date | Kind::Stamp => bytes[r].fill(b'0'),
            Kind::Ident => {
                if let Some(id) = kind.ident() {
                    bytes[r].copy_from_slice(id);
                }
            }
            Kind::Alpha | Kind::Reserved => {}
        }
    }
    bytes
}

fn write_digits(dst: &mut [u8], mut v: u32) {
    for b in dst.iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// Text of a field without trailing blanks; non-ASCII bytes shown as `?`.
pub fn field_text(raw: &[u8]) -> String {
    let end = raw.iter().rposition(|&b| b != b' ').map_or(0, |p| p + 1);
    raw[..end]
        .iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '?'
            }
        })
        .collect()
}

pub fn parse_num(raw: &[u8]) -> Option<u64> {
    if raw.is_empty() || raw.len() > 19 {
        return None;
    }
    let mut v = 0u64;
    for &b in raw {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(b - b'0');
    }
    Some(v)
}

/// Outcome of reading a date field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateField {
    /// All zeros or all blanks.
    Empty,
    Valid(NaiveDate),
    Invalid,
}

pub fn classify_date(raw: &[u8]) -> DateField {
    if raw.iter().all(|&b| b == b'0') || raw.iter().all(|&b| b == b' ') {
        return DateField::Empty;
    }
    if raw.len() < 8 {
        return DateField::Invalid;
    }
    let (Some(m), Some(d), Some(y)) = (
        parse_num(&raw[0..2]),
        parse_num(&raw[2..4]),
        parse_num(&raw[4..8]),
    ) else {
        return DateField::Invalid;
    };
    match NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32) {
        Some(date) => DateField::Valid(date),
        None => DateField::Invalid,
    }
}

pub fn parse_date(raw: &[u8]) -> Option<NaiveDate> {
    match classify_date(raw) {
        DateField::Valid(d) => Some(d),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metro2::layout::{base, k1};

    #[test]
    fn blank_segment_has_identifier_and_zeros() {
        let s = Segment::blank(SegKind::K1);
        assert_eq!(&s.bytes[..2], b"K1");
        assert_eq!(s.get(&k1::CREDITOR_CLASSIFICATION), b"00");
        let b = Segment::blank(SegKind::Base);
        assert_eq!(b.get(&base::CURRENT_BALANCE), b"000000000");
        assert_eq!(b.get(&base::SURNAME), &[b' '; 25][..]);
    }

    #[test]
    fn writer_refuses_what_does_not_fit() {
        let mut s = Segment::blank(SegKind::Base);
        assert!(s.put_num(&base::CURRENT_BALANCE, 999_999_999).is_ok());
        assert_eq!(s.get(&base::CURRENT_BALANCE), b"999999999");
        let e = s
            .put_num(&base::CURRENT_BALANCE, 1_000_000_000)
            .unwrap_err();
        assert_eq!(e.field, "current_balance");
        assert!(s.put_alpha(&base::STATE, "CAL").is_err());
        assert!(s.put_alpha(&base::CITY, "CÔTE").is_err());
        s.put_alpha(&base::STATE, "CA").unwrap();
        assert_eq!(s.get(&base::STATE), b"CA");
        s.put_alpha(&base::SURNAME, "DOE").unwrap();
        assert_eq!(s.text(&base::SURNAME), "DOE");
        assert!(s.put_digits(&base::SSN, "12345678a").is_err());
        assert!(s.put_digits(&base::TELEPHONE, "15551234567").is_err());
        s.put_digits(&base::TELEPHONE, "5551234").unwrap();
        assert_eq!(s.get(&base::TELEPHONE), b"0005551234");
    }

    #[test]
    fn dates_round_trip_and_invalid_dates_are_seen() {
        let mut s = Segment::blank(SegKind::Base);
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        s.put_date(&base::DATE_OPENED, Some(d)).unwrap();
        assert_eq!(s.get(&base::DATE_OPENED), b"02292024");
        assert_eq!(s.date(&base::DATE_OPENED), Some(d));
        assert_eq!(classify_date(b"02302024"), DateField::Invalid);
        assert_eq!(classify_date(b"00000000"), DateField::Empty);
        assert_eq!(classify_date(b"        "), DateField::Empty);
        assert_eq!(classify_date(b"1A012024"), DateField::Invalid);
    }
}
