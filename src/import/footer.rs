//! The map's footer line (`last_line_footer = true`; Collect! help, Import Options —
//! "Last Line Contains Footer", S2:5218): what `recoup export` writes as the last
//! line and what `recoup import` takes as the footer.
//!
//! The product only says the last line is not a record. recoup lets the map describe
//! the line as a template, `[footer] text = "TRAILER {count:06}"`: static text plus
//! `{count}` (records written) and `{NAME}` (the total of accumulator NAME), each
//! optionally `:0N` (zero-padded to N characters) or `:N` (space-padded, right
//! aligned). The import recognises the footer by the template's static text before
//! the first placeholder; a last line without it is a missing footer (exit 3). A map
//! without `[footer]` uses `TRAILER {count}`.

use rust_decimal::Decimal;

/// The footer of a map with `last_line_footer = true`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footer {
    pub text: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Value {
        name: String,
        width: Option<usize>,
        zeros: bool,
    },
}

/// What the footer's placeholders stand for when it is written.
pub struct FooterValues<'a> {
    pub count: u64,
    /// Accumulator names and totals, in the map's order.
    pub totals: &'a [(String, Decimal)],
}

pub const DEFAULT_FOOTER: &str = "TRAILER {count}";

impl Footer {
    /// Parse a template; `names` are the map's accumulator names. The error says what is
    /// wrong (the caller adds the place).
    pub fn parse(text: &str, names: &[String]) -> Result<Footer, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| format!("footer '{text}': '{{' without '}}'"))?;
            let inner = &after[..close];
            let (name, fmt) = match inner.split_once(':') {
                Some((n, f)) => (n.trim(), Some(f.trim())),
                None => (inner.trim(), None),
            };
            if name != "count" && !names.iter().any(|n| n == name) {
                return Err(format!(
                    "footer '{text}': unknown value '{{{name}}}' (count{})",
                    names.iter().map(|n| format!(", {n}")).collect::<String>()
                ));
            }
            let (width, zeros) = match fmt {
                None => (None, false),
                Some(f) => {
                    let zeros = f.starts_with('0');
                    let w = f.parse::<usize>().ok().filter(|w| (1..=64).contains(w));
                    match w {
                        Some(w) => (Some(w), zeros),
                        None => {
                            return Err(format!(
                                "footer '{text}': width '{f}' in '{{{inner}}}' must be 1 to 64 (e.g. {{count:06}})"
                            ))
                        }
                    }
                }
            };
            parts.push(Part::Value {
                name: name.to_string(),
                width,
                zeros,
            });
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        if parts.is_empty() {
            return Err("the footer text may not be empty".into());
        }
        Ok(Footer {
            text: text.to_string(),
            parts,
        })
    }

    /// The static text that starts every footer line (may be empty: then any last line
    /// is taken for the footer, as the product does).
    pub fn prefix(&self) -> &str {
        match self.parts.first() {
            Some(Part::Text(t)) => t,
            _ => "",
        }
    }

    /// Is this line (trailing blanks ignored) the footer?
    pub fn matches(&self, line: &str) -> bool {
        let p = self.prefix().trim_end();
        line.starts_with(p)
    }

    pub fn render(&self, v: &FooterValues) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Value { name, width, zeros } => {
                    let value = if name == "count" {
                        v.count.to_string()
                    } else {
                        let total = v
                            .totals
                            .iter()
                            .find(|(n, _)| n == name)
                            .map_or(Decimal::ZERO, |(_, t)| *t);
                        format!("{:.2}", total)
                    };
                    out.push_str(&pad(&value, *width, *zeros));
                }
            }
        }
        out
    }
}

fn pad(v: &str, width: Option<usize>, zeros: bool) -> String {
    let Some(w) = width else {
        return v.to_string();
    };
    let n = v.chars().count();
    if n >= w {
        return v.to_string();
    }
    if zeros {
        let (sign, digits) = match v.strip_prefix('-') {
            Some(d) => ("-", d),
            None => ("", v),
        };
        format!("{sign}{}{digits}", "0".repeat(w - n))
    } else {
        format!("{}{v}", " ".repeat(w - n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_count_and_totals() {
        let names = vec!["Principal".to_string()];
        let f = Footer::parse("TRAILER {count:06} {Principal:012}", &names).unwrap();
        assert_eq!(f.prefix(), "TRAILER ");
        let totals = vec![("Principal".to_string(), Decimal::new(189550, 2))];
        let line = f.render(&FooterValues {
            count: 3,
            totals: &totals,
        });
        assert_eq!(line, "TRAILER 000003 000001895.50");
        assert!(f.matches("TRAILER 000003"));
        assert!(!f.matches("MED-0003    GARCIA, LUIS"));
        let f = Footer::parse(DEFAULT_FOOTER, &[]).unwrap();
        assert_eq!(
            f.render(&FooterValues {
                count: 12,
                totals: &[]
            }),
            "TRAILER 12"
        );
        assert_eq!(
            Footer::parse("T{count:5}", &[])
                .unwrap()
                .render(&FooterValues {
                    count: 7,
                    totals: &[]
                }),
            "T    7"
        );
    }

    #[test]
    fn bad_templates() {
        assert!(Footer::parse("T {Fees}", &[])
            .unwrap_err()
            .contains("unknown value"));
        assert!(Footer::parse("T {count", &[])
            .unwrap_err()
            .contains("without"));
        assert!(Footer::parse("T {count:x}", &[])
            .unwrap_err()
            .contains("width"));
        assert!(Footer::parse("", &[]).is_err());
    }
}
