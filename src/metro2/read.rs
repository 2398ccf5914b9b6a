//! A tolerant streaming reader for character-format files.
//!
//! It accepts one record per line (LF or CRLF), files without line breaks
//! (records cut by their RDW), moov's LF-every-80-columns wrapping, and
//! BDW-blocked records. Memory stays flat: records are views into a reused
//! buffer. Nothing here panics on any input; what cannot be read comes back
//! as [`Item::Unreadable`] and reading goes on (in a file without line
//! breaks it resynchronises on the next RDW followed by a known identifier).
//! Packed (366) files are read record by record and handed on as their
//! character-format twins (`packed.rs`), so everything downstream is the same.

use std::io::Read;

use super::layout::SegKind;

const CHUNK: usize = 256 * 1024;
/// A line longer than this cannot be a Metro 2 record (RDW ≤ 9999).
const MAX_LINE: usize = 1024 * 1024;

/// An appended segment found in a data record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegSpan {
    pub kind: SegKind,
    /// Offset within the record bytes.
    pub start: usize,
    /// Blank or zero-filled after its identifier (fixed-length placeholder).
    pub placeholder: bool,
}

/// The three record types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    Header,
    Base,
    Trailer,
}

impl RecordKind {
    pub fn seg(self) -> SegKind {
        match self {
            RecordKind::Header => SegKind::Header,
            RecordKind::Base => SegKind::Base,
            RecordKind::Trailer => SegKind::Trailer,
        }
    }
}

#[derive(Debug)]
pub struct RecordView<'a> {
    /// Physical record number, 1-based (the header is 1).
    pub number: u64,
    /// Byte offset of the record (after any BDW) in the input, line breaks
    /// of wrapped files not counted.
    pub offset: u64,
    pub kind: RecordKind,
    /// The record from its RDW on, without BDW or line ending.
    pub bytes: &'a [u8],
    pub bdw: Option<&'a [u8]>,
    pub segments: &'a [SegSpan],
    /// Blanks after the last segment (fixed-length padding).
    pub padding: usize,
    /// Read from a packed file: its binary descriptor words (`bytes` is the
    /// character-format twin, its RDW that record's length).
    pub packed: Option<PackedWords>,
}

/// The binary descriptor words of a packed record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackedWords {
    pub bdw: Option<usize>,
    pub rdw: usize,
}

impl<'a> RecordView<'a> {
    /// The base, header or trailer part (at most 426 bytes).
    pub fn main(&self) -> &'a [u8] {
        &self.bytes[..self.bytes.len().min(426)]
    }
    /// Owned copies: the main record, then every appended segment in file order.
    pub fn to_segments(&self) -> Vec<super::segment::Segment> {
        let mut v = vec![super::segment::Segment::from_bytes(
            self.kind.seg(),
            self.main(),
        )];
        v.extend(
            self.segments
                .iter()
                .map(|s| super::segment::Segment::from_bytes(s.kind, self.segment(s))),
        );
        v
    }

    pub fn segment(&self, s: &SegSpan) -> &'a [u8] {
        let end = (s.start + s.kind.len()).min(self.bytes.len());
        &self.bytes[s.start.min(end)..end]
    }
}

#[derive(Debug)]
pub enum Item<'a> {
    Record(RecordView<'a>),
    /// A line or stretch of bytes that is not a record.
    Unreadable {
        number: u64,
        offset: u64,
        len: u64,
        reason: String,
    },
    /// Binary data that no packed descriptor word frames (or binary descriptor
    /// words in a character-format file): reported once, reading stops.
    Packed {
        offset: u64,
        reason: String,
    },
    /// The input could not be read (I/O error); reading stops.
    Io(std::io::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Undecided,
    Lines,
    Continuous,
    Packed,
}

pub struct Reader<R: Read> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Input offset of `buf[0]`.
    base_offset: u64,
    eof: bool,
    done: bool,
    mode: Mode,
    strip_newlines: bool,
    bdw: Option<bool>,
    number: u64,
    segs: Vec<SegSpan>,
    /// The character-format twin of the current packed record.
    conv: Vec<u8>,
}

fn digits(b: &[u8]) -> Option<usize> {
    if b.len() != 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        b.iter()
            .fold(0usize, |n, &d| n * 10 + usize::from(d - b'0')),
    )
}

fn is_ident_at(rec: &[u8]) -> Option<RecordKind> {
    if rec.get(4).is_none_or(|&b| b != b'H' && b != b'T') {
        return None; // most records are base records
    }
    if rec.get(4..10) == Some(b"HEADER") {
        Some(RecordKind::Header)
    } else if rec.get(4..11) == Some(b"TRAILER") {
        Some(RecordKind::Trailer)
    } else {
        None
    }
}

/// Could a record (RDW …) start here? Used when resynchronising.
fn looks_like_record(b: &[u8]) -> bool {
    let Some(rdw) = b.get(0..4).and_then(digits) else {
        return false;
    };
    if is_ident_at(b).is_some() {
        return true;
    }
    // A base segment: RDW ≥ 426, processing indicator and time stamp digits.
    (426..=9999).contains(&rdw) && b.len() >= 19 && b[4..19].iter().all(u8::is_ascii_digit)
}

/// Does this record start with a BDW? (`HEADER`/`TRAILER` at 9, or a base
/// whose two leading words follow the IBM rule BDW = RDW + 4.)
fn has_bdw(rec: &[u8], file_bdw: Option<bool>) -> bool {
    if is_ident_at(rec).is_some() {
        return false;
    }
    if rec.get(4..).map(is_ident_at).is_some_and(|k| k.is_some()) {
        return true;
    }
    match file_bdw {
        Some(b) => b && rec.len() >= 8 && rec[..8].iter().all(u8::is_ascii_digit),
        None => {
            let (Some(b), Some(r)) = (
                rec.get(0..4).and_then(digits),
                rec.get(4..8).and_then(digits),
            ) else {
                return false;
            };
            b == r + 4
        }
    }
}

/// Binary input: control bytes among the first descriptor words.
pub fn looks_packed(head: &[u8]) -> bool {
    let n = head.len().min(8);
    head[..n]
        .iter()
        .any(|&b| b < 0x20 && b != b'\r' && b != b'\n' && b != b'\t')
}

/// CFPB's rule: after the 2-byte identifier, no letter and no digit other
/// than 0 ⇒ an empty (placeholder) slot of a fixed-length file.
pub fn is_placeholder(seg: &[u8]) -> bool {
    let body = seg.get(2..).unwrap_or(&[]);
    !body
        .iter()
        .any(|&b| b.is_ascii_alphabetic() || (b'1'..=b'9').contains(&b))
}

/// Split a data record into its appended segments; `Err` = unreadable.
pub fn split_segments(rec: &[u8], segs: &mut Vec<SegSpan>) -> Result<usize, String> {
    segs.clear();
    if rec.len() < 426 {
        return Err(format!(
            "{} bytes is shorter than a base segment (426)",
            rec.len()
        ));
    }
    let mut off = 426;
    while off < rec.len() {
        let rest = &rec[off..];
        if rest.iter().all(|&b| b == b' ') {
            return Ok(rest.len());
        }
        let id = &rest[..rest.len().min(2)];
        let Some(kind) = SegKind::from_segment_id(id) else {
            return Err(format!(
                "unknown segment identifier '{}' at position {}",
                super::segment::field_text(id),
                off + 1
            ));
        };
        if rest.len() < kind.len() {
            return Err(format!(
                "{} segment at position {} has {} of its {} bytes",
                kind.name(),
                off + 1,
                rest.len(),
                kind.len()
            ));
        }
        let placeholder = is_placeholder(&rest[..kind.len()]);
        segs.push(SegSpan {
            kind,
            start: off,
            placeholder,
        });
        off += kind.len();
    }
    Ok(0)
}

impl<R: Read> Reader<R> {
    pub fn new(src: R) -> Self {
        Reader {
            src,
            buf: Vec::with_capacity(CHUNK * 2),
            pos: 0,
            end: 0,
            base_offset: 0,
            eof: false,
            done: false,
            mode: Mode::Undecided,
            strip_newlines: false,
            bdw: None,
            number: 0,
            segs: Vec::new(),
            conv: Vec::new(),
        }
    }

    /// Make at least `want` bytes available from `pos` (fewer only at EOF).
    fn fill(&mut self, want: usize) -> std::io::Result<()> {
        while self.end - self.pos < want && !self.eof {
            if self.pos > 0 {
                self.buf.copy_within(self.pos..self.end, 0);
                self.base_offset += self.pos as u64;
                self.end -= self.pos;
                self.pos = 0;
            }
            let need = self.end + CHUNK.max(want);
            if self.buf.len() < need {
                self.buf.resize(need, 0);
            }
            let n = loop {
                match self.src.read(&mut self.buf[self.end..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if n == 0 {
                self.eof = true;
            } else if self.strip_newlines {
                let new = &mut self.buf[self.end..self.end + n];
                let mut w = 0;
                for r in 0..new.len() {
                    let b = new[r];
                    if b != b'\n' && b != b'\r' {
                        new[w] = b;
                        w += 1;
                    }
                }
                self.end += w;
            } else {
                self.end += n;
            }
        }
        Ok(())
    }

    fn decide_mode(&mut self) -> std::io::Result<()> {
        self.fill(64 * 1024)?;
        let head = &self.buf[self.pos..self.end];
        if looks_packed(head) {
            self.mode = Mode::Packed;
            return Ok(());
        }
        match memchr::memchr(b'\n', head) {
            None => self.mode = Mode::Continuous,
            Some(first) => {
                let line = head[..first].strip_suffix(b"\r").unwrap_or(&head[..first]);
                let word = line.get(0..4).and_then(digits).unwrap_or(0);
                let rest = &head[first + 1..];
                let second = memchr::memchr(b'\n', rest)
                    .map(|i| rest[..i].strip_suffix(b"\r").unwrap_or(&rest[..i]).len());
                // Wrapped: the BDW alone on the first line, or a first line
                // shorter than its descriptor word followed by a line of the
                // same width. (A short header followed by data lines is not.)
                let wrapped = (line.len() == 4 && word > 4)
                    || (line.len() < 426 && word > line.len() && second == Some(line.len()));
                if wrapped {
                    // A first line shorter than its own descriptor word says:
                    // hard-wrapped (moov's fixtures wrap at 80 or 100 columns,
                    // or put the BDW alone on a line). Strip the line breaks
                    // and cut records by their RDW.
                    self.mode = Mode::Continuous;
                    self.strip_newlines = true;
                    let data = self.buf[self.pos..self.end].to_vec();
                    let kept: Vec<u8> = data
                        .into_iter()
                        .filter(|&b| b != b'\n' && b != b'\r')
                        .collect();
                    self.buf[self.pos..self.pos + kept.len()].copy_from_slice(&kept);
                    self.end = self.pos + kept.len();
                } else {
                    self.mode = Mode::Lines;
                }
            }
        }
        Ok(())
    }

    /// The next record or problem; `None` at the end of input.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Option<Item<'_>> {
        if self.done {
            return None;
        }
        if self.mode == Mode::Undecided {
            match self.decide_mode() {
                Ok(()) => {}
                Err(e) => {
                    self.done = true;
                    return Some(Item::Io(e));
                }
            }
        }
        let r = match self.mode {
            Mode::Lines => self.next_line(),
            Mode::Packed => self.next_packed(),
            _ => self.next_cut(),
        };
        match r {
            Ok(Some(step)) => Some(self.finish_step(step)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Item::Io(e))
            }
        }
    }

    fn finish_step(&mut self, step: Step) -> Item<'_> {
        self.number += 1;
        let number = self.number;
        match step {
            Step::Bad {
                offset,
                len,
                reason,
            } => Item::Unreadable {
                number,
                offset,
                len,
                reason,
            },
            Step::Packed { offset, reason } => {
                self.done = true;
                Item::Packed { offset, reason }
            }
            Step::Converted {
                kind,
                offset,
                words,
                padding,
            } => Item::Record(RecordView {
                number,
                offset,
                kind,
                bytes: &self.conv,
                bdw: None,
                segments: &self.segs,
                padding,
                packed: Some(words),
            }),
            Step::Rec {
                start,
                end,
                bdw_len,
                kind,
                padding,
            } => {
                let all = &self.buf[start..end];
                let bytes = &all[bdw_len..];
                if kind == RecordKind::Header {
                    self.bdw = Some(bdw_len > 0);
                }
                Item::Record(RecordView {
                    number,
                    offset: self.base_offset + (start + bdw_len) as u64,
                    kind,
                    bytes,
                    bdw: (bdw_len > 0).then(|| &all[..bdw_len]),
                    segments: &self.segs,
                    padding,
                    packed: None,
                })
            }
        }
    }

    /// Classify one record's bytes (BDW included) found at `start..end`.
    fn classify(&mut self, start: usize, end: usize) -> Step {
        let offset = self.base_offset + start as u64;
        let all = &self.buf[start..end];
        // A branch-free fold the compiler vectorises (this runs on every byte).
        if all
            .iter()
            .fold(false, |acc, &b| acc | (b < 0x20) | (b == 0x7f))
        {
            if self.number == 0 && looks_packed(all) {
                return Step::Packed {
                    offset,
                    reason: PACKED_AMONG_CHARACTERS.into(),
                };
            }
            return Step::Bad {
                offset,
                len: all.len() as u64,
                reason: "binary (control) bytes in a character-format record".into(),
            };
        }
        let bdw_len = if has_bdw(all, self.bdw) { 4 } else { 0 };
        let rec = &all[bdw_len..];
        match is_ident_at(rec) {
            Some(kind) => {
                self.segs.clear();
                Step::Rec {
                    start,
                    end,
                    bdw_len,
                    kind,
                    padding: 0,
                }
            }
            None => match split_segments(rec, &mut self.segs) {
                Ok(padding) => Step::Rec {
                    start,
                    end,
                    bdw_len,
                    kind: RecordKind::Base,
                    padding,
                },
                Err(reason) => Step::Bad {
                    offset,
                    len: all.len() as u64,
                    reason,
                },
            },
        }
    }

    fn next_line(&mut self) -> std::io::Result<Option<Step>> {
        loop {
            // Find the end of the line, reading more as needed.
            let mut scanned = 0;
            let nl = loop {
                if let Some(i) = memchr::memchr(b'\n', &self.buf[self.pos + scanned..self.end]) {
                    break Some(self.pos + scanned + i);
                }
                scanned = self.end - self.pos;
                if self.eof {
                    break None;
                }
                if scanned > MAX_LINE {
                    // Skip the rest of an absurdly long line.
                    let offset = self.base_offset + self.pos as u64;
                    let mut len = scanned as u64;
                    self.pos = self.end;
                    loop {
                        self.fill(1)?;
                        if self.pos >= self.end {
                            break;
                        }
                        match memchr::memchr(b'\n', &self.buf[self.pos..self.end]) {
                            Some(i) => {
                                len += i as u64;
                                self.pos += i + 1;
                                break;
                            }
                            None => {
                                len += (self.end - self.pos) as u64;
                                self.pos = self.end;
                            }
                        }
                    }
                    return Ok(Some(Step::Bad {
                        offset,
                        len,
                        reason: format!("a line of {len} bytes is not a record"),
                    }));
                }
                self.fill(scanned + CHUNK)?;
            };
            let start = self.pos;
            let (mut end, next) = match nl {
                Some(i) => (i, i + 1),
                None => (self.end, self.end),
            };
            if start == end && nl.is_none() {
                return Ok(None);
            }
            if end > start && self.buf[end - 1] == b'\r' {
                end -= 1;
            }
            self.pos = next;
            if self.buf[start..end]
                .iter()
                .all(|&b| b == b' ' || b == b'\r')
            {
                continue; // blank line
            }
            return Ok(Some(self.classify(start, end)));
        }
    }

    fn next_cut(&mut self) -> std::io::Result<Option<Step>> {
        // Stray line breaks or a final Ctrl-Z between records are not data.
        loop {
            self.fill(1)?;
            if self.pos >= self.end {
                return Ok(None);
            }
            match self.buf[self.pos] {
                b'\r' | b'\n' | 0x1a => self.pos += 1,
                _ => break,
            }
        }
        self.fill(32)?;
        let offset = self.base_offset + self.pos as u64;
        if self.number == 0 && looks_packed(&self.buf[self.pos..self.end]) {
            return Ok(Some(Step::Packed {
                offset,
                reason: PACKED_AMONG_CHARACTERS.into(),
            }));
        }
        // Try a record here; otherwise skip byte by byte to the next RDW
        // followed by a known identifier, and report the skipped stretch once.
        let mut skipped: u64 = 0;
        loop {
            if let Some(step) = self.record_here()? {
                if skipped == 0 {
                    return Ok(Some(step));
                }
                // The record is read again by the next call. (A fill inside
                // record_here may have moved the buffer: find it from the end.)
                let len = match step {
                    Step::Rec { start, end, .. } => end - start,
                    _ => 0,
                };
                self.pos -= len;
                break;
            }
            self.pos += 1;
            skipped += 1;
            self.fill(32)?;
            if self.pos >= self.end {
                break;
            }
        }
        Ok(Some(Step::Bad {
            offset,
            len: skipped,
            reason: format!(
                "{skipped} bytes that are not a record (no RDW followed by a known identifier)"
            ),
        }))
    }

    /// A whole, well-formed record at `pos` (consumed), or `None` (nothing consumed).
    fn record_here(&mut self) -> std::io::Result<Option<Step>> {
        self.fill(32)?;
        let head = &self.buf[self.pos..self.end];
        let bdw_len = if has_bdw(head, self.bdw) { 4 } else { 0 };
        let Some(rec) = head.get(bdw_len..) else {
            return Ok(None);
        };
        let Some(rdw) = rec.get(0..4).and_then(digits) else {
            return Ok(None);
        };
        if rdw < 426 || !looks_like_record(rec) {
            return Ok(None);
        }
        let total = bdw_len + rdw;
        self.fill(total)?;
        if self.end - self.pos < total {
            return Ok(None);
        }
        let start = self.pos;
        let step = self.classify(start, start + total);
        if matches!(step, Step::Rec { .. }) {
            self.pos = start + total;
            Ok(Some(step))
        } else {
            Ok(None)
        }
    }
}

impl<R: Read> Reader<R> {
    /// The next packed record: an optional BDW, then the RDW and the record
    /// (moov puts a BDW before the header and each base, none before the trailer).
    fn next_packed(&mut self) -> std::io::Result<Option<Step>> {
        self.fill(16)?;
        if self.pos >= self.end {
            return Ok(None);
        }
        let offset = self.base_offset + self.pos as u64;
        let head = &self.buf[self.pos..self.end];
        let first = super::packed::descriptor(head);
        let second = head.get(4..).and_then(super::packed::descriptor);
        let (bdw, rec_at) = match (first, second) {
            (Some(b), Some(r)) if b == r + 4 || head.get(4..).and_then(is_ident_at).is_some() => {
                (Some(b), 4)
            }
            _ => (None, 0),
        };
        let Some(rdw) = (if bdw.is_some() { second } else { first }).filter(|&n| n > 8) else {
            return self.packed_garbage(offset, "no packed descriptor word (length, 0, 0)");
        };
        let total = rec_at + rdw;
        self.fill(total)?;
        if self.end - self.pos < total {
            return self.packed_garbage(
                offset,
                &format!("a packed record of {rdw} bytes is cut short by the end of the file"),
            );
        }
        let start = self.pos;
        self.pos += total;
        let rec = &self.buf[start + rec_at..start + total];
        let kind = is_ident_at(rec).unwrap_or(RecordKind::Base);
        let bad = |reason: String| Step::Bad {
            offset,
            len: total as u64,
            reason,
        };
        if let Err(reason) = super::packed::to_character(kind.seg(), rec, &mut self.conv) {
            return Ok(Some(bad(reason)));
        }
        let padding = if kind == RecordKind::Base {
            match split_segments(&self.conv, &mut self.segs) {
                Ok(p) => p,
                Err(reason) => return Ok(Some(bad(reason))),
            }
        } else {
            self.segs.clear();
            0
        };
        Ok(Some(Step::Converted {
            kind,
            offset: offset + rec_at as u64,
            words: PackedWords { bdw, rdw },
            padding,
        }))
    }

    /// Unframed packed bytes: the rest of the input, reported once.
    fn packed_garbage(&mut self, offset: u64, why: &str) -> std::io::Result<Option<Step>> {
        let mut len = 0u64;
        loop {
            len += (self.end - self.pos) as u64;
            self.pos = self.end;
            self.fill(1)?;
            if self.pos >= self.end {
                break;
            }
        }
        Ok(Some(Step::Packed {
            offset,
            reason: format!("{why}; the remaining {len} bytes are not read"),
        }))
    }
}

enum Step {
    Rec {
        start: usize,
        end: usize,
        bdw_len: usize,
        kind: RecordKind,
        padding: usize,
    },
    Bad {
        offset: u64,
        len: u64,
        reason: String,
    },
    Packed {
        offset: u64,
        reason: String,
    },
    /// A packed record, its character-format twin in `Reader::conv`.
    Converted {
        kind: RecordKind,
        offset: u64,
        words: PackedWords,
        padding: usize,
    },
}

const PACKED_AMONG_CHARACTERS: &str = "binary descriptor words in a character-format file";
