//! PDF output through printpdf 0.12's declarative API: one `Vec<Op>` per page, built-in
//! Courier (the product's editor is a fixed 10-cpi Courier grid), bold and underline
//! toggles, `page_length` lines per page.

use printpdf::{
    BuiltinFont, Color, Line, LinePoint, Mm, Op, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, Pt, Rgb, TextItem,
};

use super::sink::{LineBuf, Mark, Sink};
use crate::Result;

/// US Letter.
const PAGE_W: f32 = 612.0;
const PAGE_H: f32 = 792.0;
const MARGIN: f32 = 36.0;
/// Courier glyphs are 0.6 em wide.
const CHAR_W: f32 = 0.6;

pub struct PdfSink<W: std::io::Write> {
    out: Option<W>,
    title: String,
    page_length: u32,
    font_size: f32,
    line_h: f32,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    row: u32,
    bold: bool,
    underline: bool,
}

impl<W: std::io::Write> PdfSink<W> {
    pub fn new(out: W, title: &str, page_length: u32) -> Self {
        let page_length = page_length.max(1);
        let line_h = ((PAGE_H - 2.0 * MARGIN) / page_length as f32).min(14.0);
        PdfSink {
            out: Some(out),
            title: title.to_string(),
            page_length,
            font_size: (line_h / 1.2).min(10.0),
            line_h,
            pages: Vec::new(),
            ops: Vec::new(),
            row: 0,
            bold: false,
            underline: false,
        }
    }

    fn text_run(&mut self, text: &str, col: usize, y: f32) {
        if text.is_empty() {
            return;
        }
        let cw = self.font_size * CHAR_W;
        let x = MARGIN + col as f32 * cw;
        let font = if self.bold {
            BuiltinFont::CourierBold
        } else {
            BuiltinFont::Courier
        };
        self.ops.extend([
            Op::StartTextSection,
            Op::SetTextCursor {
                pos: Point { x: Pt(x), y: Pt(y) },
            },
            Op::SetFont {
                font: PdfFontHandle::Builtin(font),
                size: Pt(self.font_size),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_string())],
            },
            Op::EndTextSection,
        ]);
        if self.underline && !text.trim().is_empty() {
            let w = text.chars().count() as f32 * cw;
            let uy = y - self.font_size * 0.15;
            self.ops.extend([
                Op::SetOutlineColor {
                    col: Color::Rgb(Rgb {
                        r: 0.0,
                        g: 0.0,
                        b: 0.0,
                        icc_profile: None,
                    }),
                },
                Op::SetOutlineThickness { pt: Pt(0.5) },
                Op::DrawLine {
                    line: Line {
                        points: vec![
                            LinePoint {
                                p: Point {
                                    x: Pt(x),
                                    y: Pt(uy),
                                },
                                bezier: false,
                            },
                            LinePoint {
                                p: Point {
                                    x: Pt(x + w),
                                    y: Pt(uy),
                                },
                                bezier: false,
                            },
                        ],
                        is_closed: false,
                    },
                },
            ]);
        }
    }
}

impl<W: std::io::Write> Sink for PdfSink<W> {
    fn page_length(&self) -> Option<u32> {
        Some(self.page_length)
    }

    fn line(&mut self, line: &LineBuf) -> Result<()> {
        let y = PAGE_H - MARGIN - self.font_size - self.row as f32 * self.line_h;
        let mut start = 0;
        let mut col = 0;
        let mut marks = line.marks.iter().peekable();
        loop {
            let end = marks
                .peek()
                .map(|(p, _)| (*p).min(line.text.len()))
                .unwrap_or(line.text.len());
            let piece = line.text.get(start..end).unwrap_or("");
            self.text_run(piece, col, y);
            col += piece.chars().count();
            start = end;
            match marks.next() {
                Some((_, Mark::Bold)) => self.bold = !self.bold,
                Some((_, Mark::Underline)) => self.underline = !self.underline,
                None => break,
            }
        }
        // A line of toggles only takes no room.
        if !line.text.is_empty() || line.marks.is_empty() {
            self.row += 1;
        }
        Ok(())
    }

    fn page_break(&mut self) -> Result<()> {
        self.pages.push(std::mem::take(&mut self.ops));
        self.row = 0;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        self.pages.push(std::mem::take(&mut self.ops));
        let pages: Vec<PdfPage> = std::mem::take(&mut self.pages)
            .into_iter()
            .map(|ops| PdfPage::new(Mm::from(Pt(PAGE_W)), Mm::from(Pt(PAGE_H)), ops))
            .collect();
        let mut doc = PdfDocument::new(&self.title);
        let bytes = doc
            .with_pages(pages)
            .save(&PdfSaveOptions::default(), &mut Vec::new());
        if let Some(mut out) = self.out.take() {
            out.write_all(&bytes)?;
            out.flush()?;
        }
        Ok(())
    }
}
