//! The packed (366-byte) layout as moov-io/metro2 reads and writes it
//! (moov-io/metro2's packed layout and descriptor words): binary descriptor words (a
//! 2-byte big-endian length and two zero bytes), and in the header, base and
//! trailer the wide numbers and dates in binary — a number is 5 bytes big-endian
//! (the telephone 6), a date `0x00`, the MMDDYYYY value in 3 bytes big-endian and
//! `0x73`, a time stamp `0x00`, 6 bytes and `0x73`, all zero bytes when empty.
//! Appended segments (J1…N1) stay in the character format. recoup reads packed
//! files by turning each record into its character-format twin, so validation
//! and printing are exactly those of the 426 format; it never writes them.
//!
//! The CRRG describes packed fields as IBM packed decimal (`0MMDDYYYYs`, "s is
//! the sign"); moov took the `s` literally. Files from other software in true
//! packed decimal read as malformed dates and numbers here (findings F002/F003).

use super::layout::{Field, Kind, SegKind};

/// Length of the header, base and trailer in the packed format.
pub const PACKED_LEN: usize = 366;

/// Bytes a character-format field takes in the packed format.
pub fn packed_len(kind: SegKind, f: &Field) -> usize {
    match (kind, f.kind) {
        (_, Kind::Rdw) => 4,
        (SegKind::Header, Kind::Reserved) => 86,
        (SegKind::Trailer, Kind::Reserved) if f.len == 9 => 5,
        (SegKind::Trailer, Kind::Reserved) => 135,
        (SegKind::Base | SegKind::Trailer, Kind::Numeric) if f.len == 9 => 5,
        (SegKind::Base, Kind::Numeric) if f.len == 10 => 6,
        (SegKind::Base, Kind::Date) => 5,
        (SegKind::Base, Kind::Stamp) => 8,
        _ => usize::from(f.len),
    }
}

/// A packed descriptor word: the length, if the two low bytes are zero.
pub fn descriptor(b: &[u8]) -> Option<usize> {
    match b {
        [hi, lo, 0, 0, ..] => Some(usize::from(*hi) << 8 | usize::from(*lo)),
        _ => None,
    }
}

fn big_endian(b: &[u8]) -> u64 {
    b.iter().fold(0u64, |n, &d| n << 8 | u64::from(d))
}

/// `value` as `width` digits, or `?`s when it does not fit (never cut).
fn put_digits(out: &mut Vec<u8>, value: u64, width: usize) {
    let text = format!("{value:0width$}");
    if text.len() == width {
        out.extend_from_slice(text.as_bytes());
    } else {
        out.extend(std::iter::repeat_n(b'?', width));
    }
}

/// A packed date or time stamp: `0x00`, the value, `0x73`; all zeros = empty.
fn put_packed_date(out: &mut Vec<u8>, raw: &[u8], width: usize) {
    if raw.iter().all(|&b| b == 0) {
        out.extend(std::iter::repeat_n(b'0', width));
        return;
    }
    match raw {
        [0, value @ .., 0x73] => put_digits(out, big_endian(value), width),
        _ => out.extend(std::iter::repeat_n(b'?', width)),
    }
}

/// The character-format twin of one packed header, base or trailer record (its
/// RDW on; appended segments copied as they are). The RDW written is the
/// character record's length. `Err` when the record is shorter than 366 bytes.
pub fn to_character(kind: SegKind, packed: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    out.clear();
    if packed.len() < PACKED_LEN {
        return Err(format!(
            "a packed {} of {} bytes is shorter than {PACKED_LEN}",
            kind.name(),
            packed.len()
        ));
    }
    let mut at = 0;
    for f in kind.table() {
        let n = packed_len(kind, f);
        let raw = &packed[at..at + n];
        at += n;
        let width = usize::from(f.len);
        match f.kind {
            Kind::Rdw => out.extend_from_slice(b"0000"),
            Kind::Reserved if n != width => out.extend(std::iter::repeat_n(b' ', width)),
            Kind::Numeric if n != width => put_digits(out, big_endian(raw), width),
            Kind::Date | Kind::Stamp if n != width => put_packed_date(out, raw, width),
            _ => out.extend_from_slice(raw),
        }
    }
    out.extend_from_slice(&packed[at..]);
    let len = out.len().min(9999);
    out[..4].copy_from_slice(format!("{len:04}").as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_base_and_trailer_pack_into_366_bytes() {
        for kind in [SegKind::Header, SegKind::Base, SegKind::Trailer] {
            let sum: usize = kind.table().iter().map(|f| packed_len(kind, f)).sum();
            assert_eq!(sum, PACKED_LEN, "{}", kind.name());
        }
    }

    #[test]
    fn numbers_dates_and_stamps_unpack_to_their_character_form() {
        let mut out = Vec::new();
        put_packed_date(&mut out, &[0x00, 0xab, 0x3c, 0x03, 0x73], 8);
        assert_eq!(out, b"11222019");
        out.clear();
        put_packed_date(&mut out, &[0; 5], 8);
        assert_eq!(out, b"00000000");
        out.clear();
        put_packed_date(&mut out, &[0x01, 0xab, 0x3c, 0x03, 0x73], 8);
        assert_eq!(out, b"????????");
        out.clear();
        put_packed_date(
            &mut out,
            &[0x00, 0x00, 0xeb, 0xa1, 0x17, 0xe0, 0x72, 0x73],
            14,
        );
        assert_eq!(out, b"01012020011122");
        out.clear();
        put_digits(&mut out, big_endian(&[0x00, 0x00, 0x00, 0x09, 0x86]), 9);
        assert_eq!(out, b"000002438");
        out.clear();
        put_digits(&mut out, big_endian(&[0xff; 5]), 9);
        assert_eq!(out, b"?????????");
        assert_eq!(descriptor(&[0x01, 0x6e, 0, 0]), Some(366));
        assert_eq!(descriptor(&[0x01, 0x6e, 0, 1]), None);
    }

    #[test]
    fn a_short_record_is_refused_without_panicking() {
        let mut out = Vec::new();
        assert!(to_character(SegKind::Base, &[0u8; 100], &mut out).is_err());
    }
}
