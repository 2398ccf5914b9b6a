//! Where output lines go. The evaluator paginates when the sink asks for it (PDF); the
//! text sink streams lines as they come (flat memory, printer codes dropped).

use std::io::Write;

use crate::Result;

/// A style toggle at a byte position of the line (`@!` bold, `@%` underline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Bold,
    Underline,
}

/// One output line: its text and where the style toggles fall.
#[derive(Debug, Default, Clone)]
pub struct LineBuf {
    pub text: String,
    pub marks: Vec<(usize, Mark)>,
}

impl LineBuf {
    pub fn clear(&mut self) {
        self.text.clear();
        self.marks.clear();
    }
}

pub trait Sink {
    fn line(&mut self, line: &LineBuf) -> Result<()>;
    /// Start a new page (only called when [`Sink::page_length`] is `Some`).
    fn page_break(&mut self) -> Result<()> {
        Ok(())
    }
    /// Lines per page when this sink paginates (headers, footers, `@f`, `@P`).
    fn page_length(&self) -> Option<u32> {
        None
    }
    /// A record loop starts / ends (the Ontario letter format wraps loop output in `{ }`).
    fn loop_open(&mut self, _code: &str) -> Result<()> {
        Ok(())
    }
    fn loop_close(&mut self, _code: &str) -> Result<()> {
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        Ok(())
    }
}

/// UTF-8 text with `\n` line ends, not paginated.
pub struct TextSink<W: Write> {
    out: std::io::BufWriter<W>,
    pub lines: u64,
}

impl<W: Write> TextSink<W> {
    pub fn new(w: W) -> Self {
        TextSink {
            out: std::io::BufWriter::with_capacity(1 << 16, w),
            lines: 0,
        }
    }
}

impl<W: Write> Sink for TextSink<W> {
    fn line(&mut self, line: &LineBuf) -> Result<()> {
        self.lines += 1;
        self.out.write_all(line.text.as_bytes())?;
        self.out.write_all(b"\n")?;
        Ok(())
    }
    fn finish(&mut self) -> Result<()> {
        self.out.flush()?;
        Ok(())
    }
}

/// Lines collected in memory (tests, letters that post-process a body).
#[derive(Default)]
pub struct LinesSink {
    pub lines: Vec<String>,
}

impl Sink for LinesSink {
    fn line(&mut self, line: &LineBuf) -> Result<()> {
        self.lines.push(line.text.clone());
        Ok(())
    }
}
