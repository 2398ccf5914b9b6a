//! "Scan For": C `scanf` over one field with a single stored conversion
//! (Collect! help, How To Use Scanf, S2:5320-5321).
//!
//! Grammar `% [*] [width] [h|l|L] type`; whitespace in the pattern matches any run of
//! input whitespace (including none); other characters must match exactly; `*`
//! suppresses storing. The stored result is the text the one non-suppressed
//! conversion consumed (so `%d` on "007" keeps "007" for a Text N field).

#[derive(Debug, Clone, PartialEq, Eq)]
enum Conv {
    /// `%s`: a run of non-whitespace, after skipping whitespace.
    Word,
    /// `%c` (width chars, default 1), no whitespace skipping.
    Chars,
    /// `%[set]` / `%[^set]`.
    Set { negated: bool, set: Vec<char> },
    /// `%d %i %u`: optional sign and decimal digits.
    Int,
    /// `%o`
    Octal,
    /// `%x`
    Hex,
    /// `%e %f %g`: a decimal number with optional exponent.
    Float,
    /// `%n`: stores nothing here (count of chars), consumes nothing.
    Count,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Space,
    Lit(char),
    Conv {
        store: bool,
        width: Option<usize>,
        conv: Conv,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    items: Vec<Item>,
}

impl Scan {
    /// Compile a pattern; the error says what is wrong (the caller adds the place).
    pub fn compile(pattern: &str) -> Result<Scan, String> {
        let mut items = Vec::new();
        let mut chars = pattern.chars().peekable();
        let mut stored = 0;
        while let Some(c) = chars.next() {
            if c.is_whitespace() {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                items.push(Item::Space);
                continue;
            }
            if c != '%' {
                items.push(Item::Lit(c));
                continue;
            }
            if chars.peek() == Some(&'%') {
                chars.next();
                items.push(Item::Lit('%'));
                continue;
            }
            let store = if chars.peek() == Some(&'*') {
                chars.next();
                false
            } else {
                true
            };
            let mut width = None;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                chars.next();
                let w = width
                    .unwrap_or(0usize)
                    .saturating_mul(10)
                    .saturating_add(d as usize);
                width = Some(w);
            }
            if width == Some(0) {
                return Err("a scan width must be at least 1".into());
            }
            while matches!(chars.peek(), Some('h' | 'l' | 'L')) {
                chars.next();
            }
            let conv = match chars.next() {
                Some('s') => Conv::Word,
                Some('c') => Conv::Chars,
                Some('d' | 'i' | 'u') => Conv::Int,
                Some('o') => Conv::Octal,
                Some('x' | 'X') => Conv::Hex,
                Some('e' | 'E' | 'f' | 'g' | 'G') => Conv::Float,
                Some('n') => Conv::Count,
                Some('[') => {
                    let mut set = Vec::new();
                    let negated = chars.peek() == Some(&'^');
                    if negated {
                        chars.next();
                    }
                    // `]` right after `[` or `[^` is a member, as in C.
                    if chars.peek() == Some(&']') {
                        set.push(']');
                        chars.next();
                    }
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == ']' {
                            closed = true;
                            break;
                        }
                        set.push(c);
                    }
                    if !closed {
                        return Err("unclosed '[' in scan pattern".into());
                    }
                    Conv::Set {
                        negated,
                        set: expand_ranges(&set),
                    }
                }
                Some(other) => return Err(format!("unknown scan conversion '%{other}'")),
                None => return Err("scan pattern ends after '%'".into()),
            };
            let store = store && conv != Conv::Count;
            if store {
                stored += 1;
            }
            items.push(Item::Conv { store, width, conv });
        }
        if stored != 1 {
            return Err(format!(
                "a scan pattern stores exactly one conversion (this one stores {stored}); use %* to skip"
            ));
        }
        Ok(Scan { items })
    }

    /// Backwards (export): the text this pattern reads `value` from, when the pattern
    /// is literal text around its one conversion (`D%d` writes `D1400`). None when it
    /// skips text or whitespace, which cannot be rebuilt, or when the rebuilt text does
    /// not read back as `value`.
    pub fn reverse(&self, value: &str) -> Option<String> {
        let mut out = String::new();
        for item in &self.items {
            match item {
                Item::Lit(c) => out.push(*c),
                Item::Conv { store: true, .. } => out.push_str(value),
                Item::Conv {
                    conv: Conv::Count, ..
                } => {}
                Item::Space | Item::Conv { .. } => return None,
            }
        }
        (self.apply(&out) == value).then_some(out)
    }

    /// Run the pattern; the stored conversion's text, or "" when the input does not
    /// reach it (scanf stops at the first mismatch).
    pub fn apply<'t>(&self, input: &'t str) -> &'t str {
        let mut pos = 0;
        for item in &self.items {
            let rest = &input[pos..];
            match item {
                Item::Space => {
                    pos += rest.len() - rest.trim_start().len();
                }
                Item::Lit(c) => {
                    if rest.starts_with(*c) {
                        pos += c.len_utf8();
                    } else {
                        return "";
                    }
                }
                Item::Conv { store, width, conv } => {
                    if !matches!(conv, Conv::Chars | Conv::Set { .. } | Conv::Count) {
                        pos += rest.len() - rest.trim_start().len();
                    }
                    let rest = &input[pos..];
                    let len = match_conv(conv, *width, rest);
                    if len == 0 && *conv != Conv::Count {
                        return "";
                    }
                    if *store {
                        return &rest[..len];
                    }
                    pos += len;
                }
            }
        }
        ""
    }
}

fn expand_ranges(set: &[char]) -> Vec<char> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < set.len() {
        if i + 2 < set.len() && set[i + 1] == '-' && set[i] <= set[i + 2] {
            let (a, b) = (set[i] as u32, set[i + 2] as u32);
            // Cap silly ranges so a pattern cannot ask for a million members.
            for c in (a..=b.min(a + 4096)).filter_map(char::from_u32) {
                out.push(c);
            }
            i += 3;
        } else {
            out.push(set[i]);
            i += 1;
        }
    }
    out
}

/// Byte length of the longest prefix of `s` the conversion accepts (at most `width` chars).
fn match_conv(conv: &Conv, width: Option<usize>, s: &str) -> usize {
    let max = width.unwrap_or(usize::MAX);
    let take = |pred: &dyn Fn(usize, char) -> bool| -> usize {
        let mut len = 0;
        for (n, (i, c)) in s.char_indices().enumerate() {
            if n >= max || !pred(n, c) {
                return i;
            }
            len = i + c.len_utf8();
        }
        len
    };
    match conv {
        Conv::Word => take(&|_, c| !c.is_whitespace()),
        Conv::Chars => {
            let want = width.unwrap_or(1);
            let len = take(&|_, _| true);
            if s[..len].chars().count() == want {
                len
            } else {
                0
            }
        }
        Conv::Set { negated, set } => take(&|_, c| set.contains(&c) != *negated),
        Conv::Int | Conv::Octal | Conv::Hex => {
            let digit = |c: char| match conv {
                Conv::Octal => c.is_digit(8),
                Conv::Hex => c.is_ascii_hexdigit(),
                _ => c.is_ascii_digit(),
            };
            let len = take(&|n, c| digit(c) || (n == 0 && (c == '-' || c == '+')));
            if s[..len].chars().any(digit) {
                len
            } else {
                0
            }
        }
        Conv::Float => {
            let mut seen_point = false;
            let mut seen_e = false;
            let mut prev = ' ';
            let len = {
                let mut len = 0;
                for (n, (i, c)) in s.char_indices().enumerate() {
                    let ok = n < max
                        && (c.is_ascii_digit()
                            || ((c == '-' || c == '+') && (n == 0 || prev == 'e' || prev == 'E'))
                            || (c == '.' && !seen_point && !seen_e)
                            || ((c == 'e' || c == 'E') && !seen_e && n > 0));
                    if !ok {
                        len = i;
                        break;
                    }
                    seen_point |= c == '.';
                    seen_e |= c == 'e' || c == 'E';
                    prev = c;
                    len = i + c.len_utf8();
                }
                len
            };
            if s[..len].chars().any(|c| c.is_ascii_digit()) {
                len
            } else {
                0
            }
        }
        Conv::Count => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(p: &str, s: &str) -> String {
        Scan::compile(p).unwrap().apply(s).to_string()
    }

    #[test]
    fn common_patterns() {
        assert_eq!(scan("%s", "  John Smith"), "John");
        assert_eq!(scan("%*s %s", "John Smith"), "Smith");
        assert_eq!(scan("%5c", "ABCDEFG"), "ABCDE");
        assert_eq!(scan("%[^,]", "Doe, John"), "Doe");
        assert_eq!(scan("%*[^,], %s", "Doe, John"), "John");
        assert_eq!(scan("%*[^,],%[^\n]", "Doe, John Q"), " John Q");
        assert_eq!(scan("%d", "  007 days"), "007");
        assert_eq!(scan("ACCT-%s", "ACCT-12345"), "12345");
        assert_eq!(scan("%[0-9]", "123abc"), "123");
        assert_eq!(scan("%3d", "12345"), "123");
        assert_eq!(scan("%f", "-12.50USD"), "-12.50");
    }

    #[test]
    fn mismatch_gives_blank() {
        assert_eq!(scan("ACCT-%s", "ID-12345"), "");
        assert_eq!(scan("%d", "abc"), "");
        assert_eq!(scan("%*s %s", "one"), "");
    }

    #[test]
    fn exactly_one_stored_conversion() {
        assert!(Scan::compile("%s %s").is_err());
        assert!(Scan::compile("%*s").is_err());
        assert!(Scan::compile("abc").is_err());
        assert!(Scan::compile("%[abc").is_err());
        assert!(Scan::compile("%q").is_err());
        assert!(Scan::compile("%").is_err());
        assert!(Scan::compile("%0s").is_err());
    }

    #[test]
    fn literal_patterns_run_backwards() {
        let s = Scan::compile("D%d").unwrap();
        assert_eq!(s.reverse("1400").as_deref(), Some("D1400"));
        assert_eq!(s.reverse("14 00"), None, "would not read back");
        assert_eq!(Scan::compile("%*s %s").unwrap().reverse("x"), None);
        assert_eq!(
            Scan::compile("%[^,]").unwrap().reverse("ab").as_deref(),
            Some("ab")
        );
    }
}
