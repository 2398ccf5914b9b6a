//! Sources: bytes → records, each with the physical line it starts on (counted
//! here, not by the csv crate, whose line numbers are off by one on CR LF input:
//! seen with the csv crate 1.4).
//!
//! One reader handles CSV and other delimited files (quoted fields, embedded
//! newlines, `xHH` delimiters) and fixed-length files (one line per record, or
//! multi-line records that start at an identifier line). Buffers are reused from
//! record to record, so the hot loop allocates nothing.
//!
//! Problems with one record (a ragged row, an unterminated quote, bytes that are not
//! valid in the declared encoding) do not stop the file: the record carries a
//! `problem` and the importer rejects it, naming the line.

use std::borrow::Cow;
use std::io::Read;
use std::ops::Range;

use encoding_rs::Encoding;

use super::map::{Delim, Format, Map};
use crate::error::Place;
use crate::{Error, Result};

/// One input record.
#[derive(Debug, Default)]
pub struct RawRecord {
    /// 1-based physical line the record starts on (a label line counts).
    pub line: u64,
    /// The record's bytes as read (no terminator), for the rejects file.
    pub raw: Vec<u8>,
    /// Decoded text; `cols` index into it (columns, or lines for fixed length).
    pub text: String,
    pub cols: Vec<Range<usize>>,
    /// Why the record cannot be read (the importer rejects it).
    pub problem: Option<String>,
    /// A quoted field that spans lines: the line its quote opened on and how many
    /// lines it took in (a reject says so: a stray quote swallows the lines after it).
    pub quote_span: Option<(u64, u64)>,
    data: Vec<u8>,
    data_cols: Vec<Range<usize>>,
}

impl RawRecord {
    pub fn len(&self) -> usize {
        self.cols.len()
    }
    pub fn is_empty(&self) -> bool {
        self.cols.is_empty()
    }
    /// Column (delimited) or line (fixed) `i`.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.cols.get(i).and_then(|r| self.text.get(r.clone()))
    }
    pub fn raw_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.raw)
    }
    fn clear(&mut self) {
        self.raw.clear();
        self.cols.clear();
        self.data.clear();
        self.data_cols.clear();
        self.problem = None;
        self.quote_span = None;
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Plain,
    FieldDelim,
    RecordDelim,
    Quote,
}

/// Which byte sequences end a record.
#[derive(Clone)]
struct RecordEnds {
    /// CR LF (always accepted unless custom delimiters exclude it).
    crlf: bool,
    /// Bare LF.
    lf: bool,
    /// Other single bytes.
    bytes: [bool; 256],
}

impl RecordEnds {
    /// Length of the record terminator starting at `b[i]`, `Some(0)` if none, `None`
    /// when more input is needed to decide (a CR at the end of the buffer).
    #[inline]
    fn at(&self, b: &[u8], i: usize, eof: bool) -> Option<usize> {
        let c = b[i];
        if c == b'\r' && self.crlf {
            match b.get(i + 1) {
                Some(b'\n') => return Some(2),
                None if !eof => return None,
                _ => {}
            }
        }
        if c == b'\n' && self.lf {
            return Some(1);
        }
        Some(usize::from(self.bytes[c as usize]))
    }
}

enum Step {
    /// A record: bytes consumed including the terminator, content length.
    Record {
        consumed: usize,
        content: usize,
    },
    NeedMore,
    /// EOF inside a quoted field.
    Unterminated,
}

/// How the next record is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Delimited,
    Fixed,
}

pub struct Source<R: Read> {
    rdr: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    kind: Kind,
    classes: [Class; 256],
    crlf_field_delim: bool,
    ends: RecordEnds,
    encoding: &'static Encoding,
    /// The declared encoding when the input was transcoded to UTF-8 at the start
    /// (UTF-16): its malformed sequences became [`MALFORMED`] bytes.
    transcoded_from: Option<&'static Encoding>,
    /// Physical line of the next unread byte.
    line: u64,
    began: bool,
    labels_pending: bool,
    pub labels: Vec<String>,
    /// The label line as read (to explain a file that yields no record).
    labels_raw: Vec<u8>,
    footer: bool,
    /// What the footer line starts with (the map's `[footer]`, `footer.rs`).
    footer_def: Option<super::footer::Footer>,
    /// Held back one record so the last one can be recognised as the footer.
    held: Option<RawRecord>,
    pub footer_record: Option<RawRecord>,
    check_ragged: bool,
    expected_cols: Option<usize>,
    /// Multi-line fixed records: identifiers (and their offsets) that start a record.
    identifiers: Vec<(String, usize)>,
    pending_line: Option<RawRecord>,
    spare: RawRecord,
    /// Records delivered (not counting labels and footer).
    pub records: u64,
    /// Bytes consumed so far (for progress bars).
    pub bytes_read: u64,
}

const CHUNK: usize = 1 << 20;

impl<R: Read> Source<R> {
    pub fn new(map: &Map, rdr: R) -> Source<R> {
        let kind = if map.format == Format::Fixed {
            Kind::Fixed
        } else {
            Kind::Delimited
        };
        let mut classes = [Class::Plain; 256];
        let mut crlf_field_delim = false;
        if kind == Kind::Delimited {
            classes[b'"' as usize] = Class::Quote;
            for d in &map.field_delimiters {
                match d {
                    Delim::Byte(b) => classes[*b as usize] = Class::FieldDelim,
                    Delim::CrLf => crlf_field_delim = true,
                }
            }
        }
        let mut ends = RecordEnds {
            crlf: true,
            lf: !map.crlf_line_endings,
            bytes: [false; 256],
        };
        if let Some(rd) = &map.record_delimiters {
            ends.crlf = false;
            ends.lf = false;
            for d in rd {
                match d {
                    Delim::CrLf => ends.crlf = true,
                    Delim::Byte(b'\n') => ends.lf = true,
                    Delim::Byte(b) => ends.bytes[*b as usize] = true,
                }
            }
        }
        if ends.crlf {
            classes[b'\r' as usize] = Class::RecordDelim;
        }
        if ends.lf {
            classes[b'\n' as usize] = Class::RecordDelim;
        }
        for (b, on) in ends.bytes.iter().enumerate() {
            if *on {
                classes[b] = Class::RecordDelim;
            }
        }
        if crlf_field_delim {
            classes[b'\r' as usize] = Class::RecordDelim;
        }
        let mut identifiers = Vec::new();
        if kind == Kind::Fixed && map.records.iter().any(|r| r.is_multi_line()) {
            for r in &map.records {
                if let Some(id) = &r.identifier {
                    identifiers.push((id.clone(), r.identifier_offset));
                }
            }
        }
        Source {
            rdr,
            buf: vec![0; CHUNK],
            start: 0,
            end: 0,
            eof: false,
            kind,
            classes,
            crlf_field_delim,
            ends,
            encoding: map.encoding,
            transcoded_from: None,
            line: 1,
            began: false,
            labels_pending: map.first_line_labels,
            labels: Vec::new(),
            labels_raw: Vec::new(),
            footer: map.last_line_footer,
            footer_def: map.footer.clone(),
            held: None,
            footer_record: None,
            check_ragged: kind == Kind::Delimited
                && map.records.iter().all(|r| r.identifier.is_none()),
            expected_cols: None,
            identifiers,
            pending_line: None,
            spare: RawRecord::default(),
            records: 0,
            bytes_read: 0,
        }
    }

    fn fill(&mut self) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let n = self.buf.len() * 2;
            self.buf.resize(n, 0);
        }
        loop {
            match self.rdr.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(reading_input(e)),
            }
        }
    }

    /// Sniff a byte-order mark once: it overrides the declared encoding (WHATWG rule).
    fn begin(&mut self) -> Result<()> {
        self.began = true;
        while self.end - self.start < 3 && self.fill()? {}
        let head = &self.buf[self.start..self.end];
        if let Some((enc, len)) = Encoding::for_bom(head) {
            self.start += len;
            self.encoding = enc;
        }
        if !self.encoding.is_ascii_compatible() {
            // UTF-16 and friends: transcode the rest to UTF-8 once, then read that.
            let mut all = self.buf[self.start..self.end].to_vec();
            self.rdr.read_to_end(&mut all).map_err(reading_input)?;
            self.buf = transcode_marking_malformed(self.encoding, &all);
            self.start = 0;
            self.end = self.buf.len();
            self.eof = true;
            self.transcoded_from = Some(self.encoding);
            self.encoding = encoding_rs::UTF_8;
        }
        Ok(())
    }

    /// The next data record, or `None` at the end. File-level problems (a missing
    /// footer) are errors; record-level ones ride on the record.
    pub fn next_record(&mut self, out: &mut RawRecord) -> Result<bool> {
        if !self.footer {
            return self.next_data(out);
        }
        if self.held.is_none() {
            let mut first = RawRecord::default();
            if !self.next_data(&mut first)? {
                return Err(Error::validation(
                    "last_line_footer is set but the file has no footer line",
                ));
            }
            self.held = Some(first);
        }
        let mut next = std::mem::take(&mut self.spare);
        if self.next_data(&mut next)? {
            if let Some(held) = self.held.as_mut() {
                std::mem::swap(held, &mut next);
            }
            std::mem::swap(out, &mut next);
            self.spare = next;
            Ok(true)
        } else {
            self.spare = next;
            if let Some(held) = &self.held {
                self.check_footer(held)?;
            }
            self.footer_record = self.held.take();
            self.records = self.records.saturating_sub(1);
            self.footer = false;
            self.held = None;
            Ok(false)
        }
    }

    /// The last record must be the map's footer: a file cut short (or written without
    /// one) would otherwise lose its last account silently.
    fn check_footer(&self, last: &RawRecord) -> Result<()> {
        let Some(def) = &self.footer_def else {
            return Ok(());
        };
        let (text, _) = self.encoding.decode_without_bom_handling(&last.raw);
        if def.matches(&text) {
            return Ok(());
        }
        let shown: String = text.chars().take(40).collect();
        // The file's name is the caller's: it adds it as context.
        Err(Error::validation(format!(
            "last_line_footer is set but the last line is not a footer (it does not start with '{}'): '{shown}'",
            def.prefix().trim_end()
        ))
        .at(Place::line_only(last.line))
        .with_input(&shown))
    }

    fn next_data(&mut self, out: &mut RawRecord) -> Result<bool> {
        loop {
            let got = if self.identifiers.is_empty() {
                self.next_physical(out)?
            } else {
                self.next_group(out)?
            };
            if !got {
                if self.records == 0 {
                    if let Some(cause) = self.why_no_record() {
                        return Err(Error::validation(format!(
                            "no record read: the whole file reads as one line (the label line); {cause}"
                        )));
                    }
                }
                return Ok(false);
            }
            if self.labels_pending {
                self.labels_pending = false;
                self.labels_raw = out.raw.clone();
                self.labels = (0..out.len())
                    .map(|i| out.get(i).unwrap_or("").trim().to_string())
                    .collect();
                if self.check_ragged {
                    self.expected_cols = Some(out.len());
                }
                continue;
            }
            if self.check_ragged && out.problem.is_none() {
                match self.expected_cols {
                    None => self.expected_cols = Some(out.len()),
                    Some(n) if n != out.len() => {
                        out.problem = Some(format!(
                            "ragged row: {} columns where {n} were expected",
                            out.len()
                        ))
                    }
                    _ => {}
                }
            }
            self.records += 1;
            return Ok(true);
        }
    }

    /// A file that yielded no record although it is not empty: its only record was
    /// the label line. The likely cause, when the label line shows one: line ends the
    /// map does not read as record ends, or UTF-16 in the other byte order.
    fn why_no_record(&self) -> Option<String> {
        let raw = &self.labels_raw;
        if let Some(enc) = self.transcoded_from {
            // "\n" in UTF-16 of the other byte order reads as U+0A00.
            let swapped = String::from_utf8_lossy(raw)
                .chars()
                .any(|c| matches!(c, '\u{0A00}' | '\u{0D00}'));
            if swapped {
                let other = if enc == encoding_rs::UTF_16LE {
                    "UTF-16BE"
                } else {
                    "UTF-16LE"
                };
                return Some(format!(
                    "the file looks like {other} but the map declares {} (encoding)",
                    enc.name()
                ));
            }
        }
        if memchr::memchr(b'\n', raw).is_some() && !self.ends.lf {
            let crlf = memchr::memmem::find(raw, b"\r\n").is_some();
            return Some(if crlf {
                "its lines end in line feeds the map's record_delimiter does not list".into()
            } else {
                "the file's lines end in LF alone but the map reads only CR LF as a record end (crlf_line_endings = true, or record_delimiter)".into()
            });
        }
        if memchr::memchr(b'\r', raw).is_some()
            && !self.ends.crlf
            && !self.ends.bytes[usize::from(b'\r')]
        {
            return Some(
                "its lines end in CR but the map's record_delimiter does not list it".into(),
            );
        }
        None
    }

    /// Fixed multi-line: an identifier line and the lines after it, up to the next
    /// identifier line (S2:4985-5002, 5244-5247).
    fn next_group(&mut self, out: &mut RawRecord) -> Result<bool> {
        let mut first = match self.pending_line.take() {
            Some(l) => l,
            None => {
                let mut l = RawRecord::default();
                if !self.next_physical(&mut l)? {
                    return Ok(false);
                }
                l
            }
        };
        if !self.is_identifier_line(&first) {
            std::mem::swap(out, &mut first);
            return Ok(true);
        }
        out.clear();
        out.text.clear();
        out.line = first.line;
        out.raw.extend_from_slice(&first.raw);
        out.cols.push(0..first.text.len());
        out.text.push_str(&first.text);
        out.problem = first.problem.take();
        loop {
            let mut l = RawRecord::default();
            if !self.next_physical(&mut l)? {
                break;
            }
            if self.is_identifier_line(&l) {
                self.pending_line = Some(l);
                break;
            }
            out.raw.push(b'\n');
            out.raw.extend_from_slice(&l.raw);
            let s = out.text.len();
            out.text.push_str(&l.text);
            out.cols.push(s..out.text.len());
            if out.problem.is_none() {
                out.problem = l.problem.take();
            }
        }
        Ok(true)
    }

    fn is_identifier_line(&self, l: &RawRecord) -> bool {
        let text = l.get(0).unwrap_or("");
        self.identifiers.iter().any(|(id, off)| {
            text.char_indices()
                .nth(*off)
                .is_some_and(|(i, _)| text[i..].starts_with(id.as_str()))
        })
    }

    /// One physical record (a delimited row or a fixed-length line), blank lines skipped.
    fn next_physical(&mut self, out: &mut RawRecord) -> Result<bool> {
        if !self.began {
            self.begin()?;
        }
        loop {
            out.clear();
            if self.start == self.end && !self.fill()? {
                return Ok(false);
            }
            let step = match self.kind {
                Kind::Delimited => self.step_delimited(out),
                Kind::Fixed => self.step_line(out),
            };
            match step {
                Step::NeedMore => {
                    if !self.fill()? {
                        // EOF reached: the parser will now see `eof` and finish.
                        self.eof = true;
                    }
                    continue;
                }
                Step::Unterminated => {
                    // Reject the record's first line only and carry on after it, so one
                    // stray quote does not swallow the rest of the file.
                    let b = &self.buf[self.start..self.end];
                    let nl = memchr::memchr(b'\n', b).map_or(b.len(), |p| p + 1);
                    let content = &b[..nl];
                    let content = content
                        .strip_suffix(b"\n")
                        .map(|c| c.strip_suffix(b"\r").unwrap_or(c))
                        .unwrap_or(content);
                    out.clear();
                    out.raw.extend_from_slice(content);
                    out.line = self.line;
                    out.text = String::from_utf8_lossy(content).into_owned();
                    out.cols.push(0..out.text.len());
                    out.problem = Some(format!(
                        "unterminated quoted field starting on line {}",
                        self.line
                    ));
                    self.start += nl;
                    self.bytes_read += nl as u64;
                    self.line += 1;
                    return Ok(true);
                }
                Step::Record { consumed, content } => {
                    let rec = &self.buf[self.start..self.start + content];
                    out.line = self.line;
                    if let Some((before, lines)) = out.quote_span {
                        out.quote_span = Some((self.line + before, lines));
                    }
                    let newlines = memchr::memchr_iter(b'\n', rec).count() as u64;
                    self.line += newlines + u64::from(consumed > content);
                    let blank = match self.kind {
                        Kind::Delimited => content == 0,
                        Kind::Fixed => rec.iter().all(|b| b.is_ascii_whitespace()),
                    };
                    if !blank {
                        out.raw.extend_from_slice(rec);
                    }
                    self.start += consumed;
                    self.bytes_read += consumed as u64;
                    if blank {
                        continue;
                    }
                    self.decode(out);
                    return Ok(true);
                }
            }
        }
    }

    fn step_line(&self, out: &mut RawRecord) -> Step {
        let b = &self.buf[self.start..self.end];
        let mut i = 0;
        while i < b.len() {
            if self.classes[b[i] as usize] == Class::RecordDelim {
                match self.ends.at(b, i, self.eof) {
                    None => return Step::NeedMore,
                    Some(0) => {}
                    Some(n) => {
                        out.data.extend_from_slice(&b[..i]);
                        out.data_cols.push(0..i);
                        return Step::Record {
                            consumed: i + n,
                            content: i,
                        };
                    }
                }
            }
            i += 1;
        }
        if !self.eof {
            return Step::NeedMore;
        }
        out.data.extend_from_slice(b);
        out.data_cols.push(0..b.len());
        Step::Record {
            consumed: b.len(),
            content: b.len(),
        }
    }

    fn step_delimited(&self, out: &mut RawRecord) -> Step {
        let b = &self.buf[self.start..self.end];
        let eof = self.eof;
        let n = b.len();
        let mut i = 0;
        loop {
            // Start of a field.
            let field_start = out.data.len();
            if i < n && self.classes[b[i] as usize] == Class::Quote {
                let opened = i;
                i += 1;
                loop {
                    let Some(p) = memchr::memchr(b'"', &b[i..]) else {
                        return if eof {
                            Step::Unterminated
                        } else {
                            Step::NeedMore
                        };
                    };
                    out.data.extend_from_slice(&b[i..i + p]);
                    i += p + 1;
                    if i >= n && !eof {
                        return Step::NeedMore;
                    }
                    if i < n && b[i] == b'"' {
                        out.data.push(b'"');
                        i += 1;
                        continue;
                    }
                    break;
                }
                if out.quote_span.is_none() {
                    let inside = memchr::memchr_iter(b'\n', &b[opened..i]).count() as u64;
                    if inside > 0 {
                        // Relative for now: lines before the quote within the record.
                        let before = memchr::memchr_iter(b'\n', &b[..opened]).count() as u64;
                        out.quote_span = Some((before, inside + 1));
                    }
                }
            }
            // Unquoted text (or what follows a closing quote, kept literally).
            loop {
                let run = i;
                while i < n && matches!(self.classes[b[i] as usize], Class::Plain | Class::Quote) {
                    i += 1;
                }
                out.data.extend_from_slice(&b[run..i]);
                if i >= n {
                    if !eof {
                        return Step::NeedMore;
                    }
                    out.data_cols.push(field_start..out.data.len());
                    return Step::Record {
                        consumed: n,
                        content: n,
                    };
                }
                if self.classes[b[i] as usize] == Class::FieldDelim {
                    out.data_cols.push(field_start..out.data.len());
                    i += 1;
                    break;
                }
                if self.crlf_field_delim && b[i] == b'\r' {
                    match b.get(i + 1) {
                        Some(b'\n') => {
                            out.data_cols.push(field_start..out.data.len());
                            i += 2;
                            break;
                        }
                        None if !eof => return Step::NeedMore,
                        _ => {}
                    }
                }
                match self.ends.at(b, i, eof) {
                    None => return Step::NeedMore,
                    Some(0) => {
                        // A lone CR that ends nothing here: plain text.
                        out.data.push(b[i]);
                        i += 1;
                    }
                    Some(len) => {
                        out.data_cols.push(field_start..out.data.len());
                        return Step::Record {
                            consumed: i + len,
                            content: i,
                        };
                    }
                }
            }
        }
    }

    /// Decode `data` into `text` per the map's encoding; invalid bytes are a problem.
    fn decode(&self, out: &mut RawRecord) {
        self.decode_text(out);
        // A NUL is never text: a binary file, or UTF-16 read as a single-byte encoding.
        if out.problem.is_none() && memchr::memchr(0, out.text.as_bytes()).is_some() {
            out.problem = Some(format!(
                "NUL byte at character {} of the record (binary data, or a UTF-16 file read as {}?)",
                char_position(&out.raw, 0),
                self.transcoded_from.unwrap_or(self.encoding).name()
            ));
        }
    }

    fn decode_text(&self, out: &mut RawRecord) {
        if self.encoding == encoding_rs::UTF_8 {
            // Move the bytes into the String and back next time: no copy, no allocation.
            let data = std::mem::take(&mut out.data);
            let old_text = std::mem::take(&mut out.text);
            match String::from_utf8(data) {
                Ok(s) => {
                    out.text = s;
                    out.data = old_text.into_bytes();
                    out.data.clear();
                    std::mem::swap(&mut out.cols, &mut out.data_cols);
                    out.data_cols.clear();
                }
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    let bytes = e.into_bytes();
                    out.text = String::from_utf8_lossy(&bytes).into_owned();
                    out.problem = Some(match self.transcoded_from {
                        Some(enc) if bytes.get(at) == Some(&MALFORMED) => format!(
                            "bytes not valid in {} at character {} of the record (a lone surrogate or a cut-off character)",
                            enc.name(),
                            char_position(&out.raw, MALFORMED)
                        ),
                        _ => format!(
                            "invalid UTF-8 (byte {:#04x} at position {} of the record)",
                            bytes.get(at).copied().unwrap_or(0),
                            at + 1
                        ),
                    });
                    // Lossy text shifts offsets; keep one column so the record is still shown.
                    out.cols.clear();
                    out.cols.push(0..out.text.len());
                    out.data = bytes;
                    out.data.clear();
                    out.data_cols.clear();
                }
            }
            return;
        }
        out.text.clear();
        out.cols.clear();
        for (n, r) in out.data_cols.iter().enumerate() {
            let bytes = &out.data[r.clone()];
            let s = out.text.len();
            match self
                .encoding
                .decode_without_bom_handling_and_without_replacement(bytes)
            {
                Some(t) => out.text.push_str(&t),
                None => {
                    if out.problem.is_none() {
                        out.problem = Some(format!(
                            "bytes not valid in {} in {} {}",
                            self.encoding.name(),
                            if self.kind == Kind::Fixed {
                                "line"
                            } else {
                                "column"
                            },
                            n + 1
                        ));
                    }
                    out.text.push_str(&String::from_utf8_lossy(bytes));
                }
            }
            out.cols.push(s..out.text.len());
        }
    }
}

/// 1-based character position of the first `byte` in a record as read (delimiters
/// and quotes counted, as the rejects file shows it).
fn char_position(raw: &[u8], byte: u8) -> usize {
    let p = memchr::memchr(byte, raw).unwrap_or(raw.len());
    String::from_utf8_lossy(&raw[..p]).chars().count() + 1
}

/// Stands for a malformed sequence of a transcoded input: 0xFF never occurs in
/// UTF-8, so the record holding it fails to decode and is rejected, naming the place.
const MALFORMED: u8 = 0xFF;

/// The whole input in UTF-8, each malformed sequence (a UTF-16 lone surrogate, an odd
/// final byte) replaced by [`MALFORMED`] instead of U+FFFD, so it is not lost.
fn transcode_marking_malformed(enc: &'static Encoding, bytes: &[u8]) -> Vec<u8> {
    use encoding_rs::DecoderResult;
    let mut decoder = enc.new_decoder_without_bom_handling();
    let mut out = vec![0u8; bytes.len().saturating_mul(3) / 2 + 16];
    let mut written = 0;
    let mut src = bytes;
    loop {
        let (result, read, w) =
            decoder.decode_to_utf8_without_replacement(src, &mut out[written..], true);
        written += w;
        src = &src[read..];
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => out.resize(out.len() * 2 + 16, 0),
            DecoderResult::Malformed(_, _) => {
                if written == out.len() {
                    out.resize(out.len() * 2 + 16, 0);
                }
                out[written] = MALFORMED;
                written += 1;
            }
        }
    }
    out.truncate(written);
    out
}

/// The input stopped being readable (exit 1); the I/O error stays as the source.
fn reading_input(e: std::io::Error) -> Error {
    Error::runtime(format!("reading input: {e}")).with_source(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(head: &str) -> Map {
        let src =
            format!("{head}\n[[record]]\ntype = \"debtor\"\n[[record.field]]\nfield = \"de.na\"\n");
        Map::parse("t", &src).unwrap()
    }

    fn rows(head: &str, input: &[u8]) -> Vec<(u64, Vec<String>, Option<String>)> {
        let m = map(head);
        let mut src = Source::new(&m, input);
        let mut rec = RawRecord::default();
        let mut out = Vec::new();
        while src.next_record(&mut rec).unwrap() {
            let cols = (0..rec.len())
                .map(|i| rec.get(i).unwrap().to_string())
                .collect();
            out.push((rec.line, cols, rec.problem.clone()));
        }
        out
    }

    #[test]
    fn a_missing_footer_names_the_line_and_keeps_the_input_masked() {
        let m = map("last_line_footer = true");
        let mut src = Source::new(&m, &b"a\nSMITH 123-45-6789\n"[..]);
        let mut rec = RawRecord::default();
        let e = loop {
            match src.next_record(&mut rec) {
                Ok(true) => continue,
                Ok(false) => panic!("the missing footer is not reported"),
                Err(e) => break e,
            }
        };
        assert_eq!(e.kind, crate::error::ErrorKind::Validation);
        assert_eq!(e.place, Some(Place::line_only(2)));
        assert_eq!(e.input.as_deref(), Some("SMITH ***-**-6789"));
        assert!(
            e.to_string().starts_with("line 2: last_line_footer is set"),
            "{e}"
        );
    }

    #[test]
    fn crlf_line_numbers_and_quotes() {
        let input = b"Name,Address,Balance\r\n\"Doe, John\",\"123 Main\",\"15,000.00\"\r\n\"Smith\",\"a\r\nb\",1\r\nLast,x,2\r\n";
        let r = rows("first_line_labels = true", input);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].0, 2);
        assert_eq!(r[0].1, ["Doe, John", "123 Main", "15,000.00"]);
        assert_eq!(r[1].0, 3);
        assert_eq!(r[1].1[1], "a\r\nb");
        assert_eq!(r[2].0, 5, "line after an embedded newline");
    }

    #[test]
    fn lf_and_no_final_newline_and_blank_lines() {
        let r = rows("", b"a,b\n\nc,d");
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[1].0, r[1].1.clone()),
            (3, vec!["c".to_string(), "d".into()])
        );
    }

    #[test]
    fn ragged_and_unterminated_become_problems() {
        let r = rows("", b"a,b\nc\n\"open,d\ne,f\n");
        assert_eq!(r.len(), 4);
        assert!(r[1].2.as_deref().unwrap().contains("ragged"));
        assert_eq!(r[2].0, 3);
        assert!(r[2]
            .2
            .as_deref()
            .unwrap()
            .contains("unterminated quoted field starting on line 3"));
        assert_eq!(r[3].0, 4);
        assert_eq!(r[3].1, ["e", "f"]);
        assert!(r[3].2.is_none());
    }

    #[test]
    fn doubled_quotes_and_stray_quote() {
        let r = rows("", b"\"say \"\"hi\"\"\",BAD\"QUOTE\n");
        assert_eq!(r[0].1, ["say \"hi\"", "BAD\"QUOTE"]);
    }

    #[test]
    fn hex_delimiters_and_record_delimiter() {
        let r = rows(
            "format = \"delimited\"\nfield_delimiter = \"x7C\"\nrecord_delimiter = \"~\"",
            b"a|b~c|d~",
        );
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].1, ["c", "d"]);
        assert_eq!(r[1].0, 2);
        let r = rows(
            "format = \"delimited\"\nfield_delimiter = \"x09;\"",
            b"a\tb;c\n",
        );
        assert_eq!(r[0].1, ["a", "b", "c"]);
    }

    #[test]
    fn crlf_line_endings_keep_bare_lf_as_data() {
        let r = rows("crlf_line_endings = true", b"a,line1\nline2\r\nb,c\r\n");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].1[1], "line1\nline2");
        assert_eq!(r[1].0, 3);
    }

    #[test]
    fn encodings() {
        let r = rows("encoding = \"windows-1252\"", b"C\xf4t\xe9,\x93q\x94\n");
        assert_eq!(r[0].1, ["Côté", "\u{201c}q\u{201d}"]);
        let r = rows("", b"ok,1\nbad\xff,2\nok2,3\n");
        assert!(r[0].2.is_none());
        assert!(r[1].2.as_deref().unwrap().contains("invalid UTF-8"));
        assert_eq!(r[2].1, ["ok2", "3"]);
        let r = rows("encoding = \"shift_jis\"", b"a,\x82\xa0\nb,\x82\n");
        assert_eq!(r[0].1[1], "あ");
        assert!(r[1].2.as_deref().unwrap().contains("Shift_JIS"));
        // UTF-16LE with a BOM.
        let mut u16 = vec![0xff, 0xfe];
        for c in "x,y\r\nz,w\r\n".encode_utf16() {
            u16.extend_from_slice(&c.to_le_bytes());
        }
        let r = rows("encoding = \"utf-16le\"", &u16);
        assert_eq!(r[1].1, ["z", "w"]);
        assert_eq!(r[1].0, 2);
        // A UTF-8 BOM is dropped.
        let r = rows("", b"\xef\xbb\xbfa,b\n");
        assert_eq!(r[0].1, ["a", "b"]);
    }

    #[test]
    fn nul_bytes_and_lone_surrogates_reject_the_record_only() {
        let r = rows("", b"a,1\nb\0c,2\nd,3\n");
        assert!(r[0].2.is_none());
        assert_eq!(
            r[1].2.as_deref(),
            Some("NUL byte at character 2 of the record (binary data, or a UTF-16 file read as UTF-8?)")
        );
        assert_eq!(r[2].1, ["d", "3"]);
        assert!(r[2].2.is_none());
        // UTF-16LE: a lone high surrogate (0xD800) in line 2, then a good line.
        let mut u16 = vec![0xff, 0xfe];
        for c in "x,y\r\nz,".encode_utf16() {
            u16.extend_from_slice(&c.to_le_bytes());
        }
        u16.extend_from_slice(&0xD800u16.to_le_bytes());
        for c in "w\r\nok,1\r\n".encode_utf16() {
            u16.extend_from_slice(&c.to_le_bytes());
        }
        let r = rows("encoding = \"utf-16le\"", &u16);
        assert_eq!(r.len(), 3);
        assert!(r[0].2.is_none());
        assert_eq!(r[1].0, 2);
        assert_eq!(
            r[1].2.as_deref(),
            Some("bytes not valid in UTF-16LE at character 3 of the record (a lone surrogate or a cut-off character)")
        );
        assert_eq!(r[2].1, ["ok", "1"]);
        assert!(r[2].2.is_none());
    }

    #[test]
    fn footer() {
        let r = rows("last_line_footer = true", b"a,1\nb,2\nTRAILER,2\n");
        assert_eq!(r.len(), 2);
        let m = map("last_line_footer = true\nfirst_line_labels = true");
        let mut s = Source::new(&m, &b"h,h\n"[..]);
        let mut rec = RawRecord::default();
        assert!(s
            .next_record(&mut rec)
            .unwrap_err()
            .message
            .contains("no footer"));
    }

    #[test]
    fn small_reads_across_chunk_edges() {
        // A reader that hands out one byte at a time exercises every NeedMore path.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.0.is_empty() || buf.is_empty() {
                    return Ok(0);
                }
                buf[0] = self.0[0];
                self.0 = &self.0[1..];
                Ok(1)
            }
        }
        let input = b"\"a\"\"b\",\"c\r\nd\"\r\ne,f\r\n";
        let m = map("");
        let mut s = Source::new(&m, Trickle(input));
        let mut rec = RawRecord::default();
        let mut got = Vec::new();
        while s.next_record(&mut rec).unwrap() {
            got.push((
                rec.line,
                rec.get(0).unwrap().to_string(),
                rec.get(1).unwrap().to_string(),
            ));
        }
        assert_eq!(
            got,
            [
                (1, "a\"b".to_string(), "c\r\nd".to_string()),
                (3, "e".into(), "f".into())
            ]
        );
    }

    proptest::proptest! {
        /// Any bytes: no panic, line numbers never go backwards, and for input with
        /// no quotes every line with content is exactly one record on its own line.
        #[test]
        fn any_bytes_read_safely(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            for head in ["", "format = \"delimited\"\nfield_delimiter = \"x7C;\"\nrecord_delimiter = \"x0Dx0A~\"", "format = \"fixed\"", "encoding = \"shift_jis\"\nlast_line_footer = true"] {
                let m = map(head);
                let mut src = Source::new(&m, &data[..]);
                let mut rec = RawRecord::default();
                let mut last = 0;
                while let Ok(true) = src.next_record(&mut rec) {
                    proptest::prop_assert!(rec.line >= last.max(1));
                    last = rec.line;
                }
            }
        }

        #[test]
        fn plain_lines_keep_their_numbers(lines in proptest::collection::vec("[a-z0-9 ,]{0,12}", 1..30), crlf in proptest::prelude::any::<bool>()) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let text: String = lines.iter().map(|l| format!("{l}{eol}")).collect();
            let got = rows("", text.as_bytes());
            let want: Vec<u64> = lines
                .iter()
                .enumerate()
                .filter(|(_, l)| !l.is_empty())
                .map(|(i, _)| i as u64 + 1)
                .collect();
            let got_lines: Vec<u64> = got.iter().map(|r| r.0).collect();
            proptest::prop_assert_eq!(got_lines, want);
        }
    }

    /// A file whose last line is an account, not the footer, is an error naming the
    /// line: taking it for the footer would lose the account (exit 3 in the command).
    #[test]
    fn last_line_that_is_not_the_footer_is_an_error() {
        let m = map("last_line_footer = true\n[footer]\ntext = \"TRL{count:04}\"");
        let mut s = Source::new(&m, &b"a,1\nb,2\n"[..]);
        let mut rec = RawRecord::default();
        assert!(s.next_record(&mut rec).unwrap());
        let e = s.next_record(&mut rec).unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert!(e.to_string().contains("line 2:"), "{e}");
        assert!(e.message.contains("does not start with 'TRL'"), "{e}");
        let r = rows(
            "last_line_footer = true\n[footer]\ntext = \"TRL{count:04}\"",
            b"a,1\nb,2\nTRL0002\n",
        );
        assert_eq!(r.len(), 2);
        // Without [footer] the footer is `TRAILER {count}`.
        let m = map("last_line_footer = true");
        let mut s = Source::new(&m, &b"a,1\nb,2\n"[..]);
        assert!(s.next_record(&mut rec).unwrap());
        assert!(s.next_record(&mut rec).is_err());
    }
}
