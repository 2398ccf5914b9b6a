//! The TOML front matter between `+++` lines (docs/report-language.md).

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StartOn {
    Debtor,
    Client,
    Statement,
    #[default]
    Anywhere,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Front {
    pub name: String,
    pub start_on: StartOn,
    /// Letter-service template id (S2:5859); a report with one is a letter.
    pub letter_number: String,
    /// Letter-service NCOA check (S2:5860-5868).
    pub ncoa: bool,
    /// Printed at the top of pages after the first (PDF).
    pub header: String,
    /// Printed at the bottom of every page (PDF).
    pub footer: String,
    pub page_length: u32,
    /// Text output line ends: `lf` (default) or `crlf`.
    pub line_ending: LineEnding,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LineEnding {
    #[default]
    Lf,
    Crlf,
}

impl Default for Front {
    fn default() -> Self {
        Front {
            name: String::new(),
            start_on: StartOn::Anywhere,
            letter_number: String::new(),
            ncoa: false,
            header: String::new(),
            footer: String::new(),
            page_length: 66,
            line_ending: LineEnding::Lf,
        }
    }
}

/// The pieces of a report file: front matter text (with the file line it starts on),
/// and the body with its first line number.
pub struct Split<'a> {
    pub front: Option<(&'a str, u32)>,
    pub body: &'a str,
    pub body_line: u32,
}

/// Split `+++ … +++` from the body. A file without front matter is all body.
pub fn split(text: &str) -> Result<Split<'_>, (u32, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "+++" {
        return Ok(Split {
            front: None,
            body: text,
            body_line: 1,
        });
    }
    let mut pos = (first_end + 1).min(text.len());
    let front_start = pos;
    let mut line = 2u32;
    while pos < text.len() {
        let end = text[pos..]
            .find('\n')
            .map(|i| pos + i)
            .unwrap_or(text.len());
        if text[pos..end].trim_end() == "+++" {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                front: Some((&text[front_start..pos], 2)),
                body: &text[body_start..],
                body_line: line + 1,
            });
        }
        pos = end + 1;
        line += 1;
    }
    Err((1, "front matter opened with '+++' is never closed".into()))
}

/// Parse the front matter; errors carry the file line.
pub fn parse_front(src: &str, first_line: u32) -> Result<Front, (u32, u32, String)> {
    toml::from_str::<Front>(src).map_err(|e| {
        let (line, col) = match e.span() {
            Some(r) => {
                let before = &src[..r.start.min(src.len())];
                let line = before.matches('\n').count() as u32;
                let col = before
                    .rsplit('\n')
                    .next()
                    .map(|s| s.chars().count())
                    .unwrap_or(0);
                (first_line + line, col as u32 + 1)
            }
            None => (first_line, 1),
        };
        (line, col, e.message().to_string())
    })
}

/// The file line of a front-matter key (for errors inside `header` / `footer`).
pub fn key_line(src: &str, first_line: u32, key: &str) -> u32 {
    src.lines()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with(key) && l[key.len()..].trim_start().starts_with('=')
        })
        .map(|i| first_line + i as u32)
        .unwrap_or(first_line)
}
