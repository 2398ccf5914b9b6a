//! Scanning one body line: text, `@` codes, modifiers, arithmetic and conditions.
//!
//! After `@` the longest known code wins (`@de.na` before `@d`); a known form with an
//! unknown field is an error; any other unknown `@word` stays text and is warned about
//! (docs/report-language.md). Every item carries the line:column it starts at.

use rust_decimal::Decimal;

use super::ast::*;
use crate::catalog::{self, FieldType, Form};

/// A problem found while parsing: errors make `report check` fail, warnings do not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    pub span: Span,
    pub message: String,
    pub warning: bool,
}

/// Relation loops (docs/store.md): code → (form iterated, parent form).
pub const RELATIONS: &[(&str, Form, Form)] = &[
    ("cl.de", Form::Debtor, Form::Client),
    ("de.tr", Form::Transaction, Form::Debtor),
    ("de.co", Form::Contact, Form::Debtor),
    ("de.con", Form::Contact, Form::Debtor),
    ("de.no", Form::Note, Form::Debtor),
    ("cl.no", Form::Note, Form::Client),
    ("de.cs", Form::Cosigner, Form::Debtor),
    ("de.ph", Form::Phone, Form::Debtor),
    ("de.cl", Form::Client, Form::Debtor),
    ("st.il", Form::InvoiceLine, Form::Statement),
];

/// A loop code (`de`, `cl.de`, …) → what it iterates.
pub fn loop_kind(code: &str) -> Option<LoopKind> {
    let code = code.to_ascii_lowercase();
    if let Some((_, form, parent)) = RELATIONS.iter().find(|(c, ..)| *c == code) {
        return Some(LoopKind {
            form: *form,
            parent: Some(*parent),
        });
    }
    if code.contains('.') {
        return None;
    }
    Form::from_code(&code).map(|form| LoopKind { form, parent: None })
}

/// Resolve `form.field` to a catalogue field with its record slot.
pub fn field_ref(code: &str) -> Option<FieldRef> {
    let def = catalog::by_code(code)?;
    let idx = def
        .form
        .fields()
        .position(|f| std::ptr::eq(f, def))
        .unwrap_or(0);
    Some(FieldRef { def, idx })
}

/// The error of a parse step whose problem is already recorded as a [`Diag`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reported;

pub struct Lexer<'a, 'd> {
    pub src: &'a str,
    pub pos: usize,
    pub line: u32,
    /// Column of byte 0 of `src` (1 unless `src` is a slice of a longer line).
    pub col0: u32,
    pub diags: &'d mut Vec<Diag>,
    /// Next free currency slot (loop totals).
    pub slots: &'d mut usize,
    /// Open parentheses, minus signs and operators above the current point of a
    /// condition or expression (bounded by [`MAX_NESTING`]).
    depth: usize,
}

/// How deep conditions and expressions may nest. Parsing and evaluating recurse, so
/// without a bound 5,000 nested parentheses overflow the stack; a real report needs
/// a handful of levels (docs/limits.md).
pub const MAX_NESTING: usize = 256;

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl<'a, 'd> Lexer<'a, 'd> {
    pub fn new(src: &'a str, line: u32, diags: &'d mut Vec<Diag>, slots: &'d mut usize) -> Self {
        Lexer {
            src,
            pos: 0,
            line,
            col0: 1,
            diags,
            slots,
            depth: 0,
        }
    }

    /// One level deeper at `at`; past [`MAX_NESTING`] an error naming the place.
    fn enter(&mut self, at: Span) -> Result<(), Reported> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            self.error(
                at,
                format!(
                    "nested more than {MAX_NESTING} levels deep (parentheses, signs or operators)"
                ),
            );
            return Err(Reported);
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    pub fn span_at(&self, pos: usize) -> Span {
        let pos = pos.min(self.src.len());
        Span {
            line: self.line,
            col: self.col0 + self.src[..pos].chars().count() as u32,
        }
    }
    pub fn span(&self) -> Span {
        self.span_at(self.pos)
    }
    pub fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }
    pub fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }
    fn peek2(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }
    pub fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }
    pub fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }
    pub fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
    }
    pub fn at_end(&self) -> bool {
        self.pos >= self.src.len()
    }
    pub fn error(&mut self, span: Span, message: impl Into<String>) {
        self.diags.push(Diag {
            span,
            message: message.into(),
            warning: false,
        });
    }
    fn warn(&mut self, span: Span, message: impl Into<String>) {
        self.diags.push(Diag {
            span,
            message: message.into(),
            warning: true,
        });
    }
    /// A word of letters, digits and `_` starting at the cursor (not consumed).
    pub fn word_at(&self, pos: usize) -> &'a str {
        let s = &self.src[pos.min(self.src.len())..];
        let end = s.find(|c: char| !is_word(c)).unwrap_or(s.len());
        &s[..end]
    }
    /// Case-insensitive keyword at the cursor followed by a non-word character.
    pub fn keyword(&mut self, kw: &str) -> bool {
        let w = self.word_at(self.pos);
        if w.eq_ignore_ascii_case(kw) {
            self.pos += w.len();
            true
        } else {
            false
        }
    }

    /// Body text up to the end of the line.
    pub fn items(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        let mut text = String::new();
        while let Some(c) = self.peek() {
            match c {
                '@' => {
                    if let Some(item) = self.at_item() {
                        if !text.is_empty() {
                            items.push(Item::Text(std::mem::take(&mut text)));
                        }
                        match item {
                            Item::Text(t) => text.push_str(&t),
                            other => items.push(other),
                        }
                    }
                }
                '%' if self.peek2() == Some('%') => {
                    self.pos += 2;
                    text.push('%');
                }
                _ => {
                    self.bump();
                    text.push(c);
                }
            }
        }
        if !text.is_empty() {
            items.push(Item::Text(text));
        }
        items
    }

    /// One `@` construct in body text (cursor on `@`). `Text` for literal output.
    fn at_item(&mut self) -> Option<Item> {
        let start = self.pos;
        let span = self.span();
        self.pos += 1;
        match self.peek() {
            Some('@') => {
                self.pos += 1;
                return Some(Item::Text("@".into()));
            }
            Some('!') => {
                self.pos += 1;
                return Some(Item::Bold);
            }
            Some('%') => {
                self.pos += 1;
                return Some(Item::Underline);
            }
            _ => {}
        }
        let w = self.word_at(self.pos);
        match w {
            "f" | "F" => {
                self.pos += 1;
                return Some(Item::NewPage);
            }
            // Font size and orientation printer codes: no meaning in text or our PDF.
            "D" | "A" | "H" | "L" => {
                self.pos += 1;
                return None;
            }
            _ => {}
        }
        if w.eq_ignore_ascii_case("sql") && self.src[self.pos + w.len()..].starts_with('(') {
            self.error(
                span,
                "@SQL(...) is only allowed on the right of an assignment",
            );
            self.pos = self.src.len();
            return None;
        }
        let lw = w.to_ascii_lowercase();
        if matches!(
            lw.as_str(),
            "if" | "elseif" | "else" | "endif" | "firstkey" | "bestkey"
        ) {
            self.error(
                span,
                format!("'@{w}' must stand at the start of its own line"),
            );
            self.pos += w.len();
            return None;
        }
        match self.operand_at(start) {
            Ok(Some(op)) => {
                let m = self.modifier(&op);
                let slot = match &op {
                    Operand::Field(f) if f.def.ty == FieldType::Currency => {
                        *self.slots += 1;
                        Some(*self.slots - 1)
                    }
                    _ => None,
                };
                Some(Item::Value { op, m, slot, span })
            }
            Ok(None) => {
                // Unknown @word: printed as written (`mail@example.com`).
                let w = self.word_at(self.pos);
                if !w.is_empty() {
                    self.warn(span, format!("unknown code '@{w}' is printed as text"));
                }
                self.pos += w.len();
                Some(Item::Text(self.src[start..self.pos].to_string()))
            }
            Err(Reported) => None,
        }
    }

    /// After `@` (cursor just past it): a value-producing code. `Ok(None)` = not a code
    /// (cursor unchanged); `Err` = a reported error (cursor moved past the bad code).
    pub fn operand_at(&mut self, at: usize) -> Result<Option<Operand>, Reported> {
        let span = self.span_at(at);
        if self.peek() == Some('(') {
            self.pos += 1;
            self.enter(span)?;
            let e = self.expr()?;
            self.leave();
            self.skip_ws();
            if !self.eat(')') {
                self.error(self.span(), "expected ')' to close @( … )");
                return Err(Reported);
            }
            return Ok(Some(Operand::Expr(e)));
        }
        let w = self.word_at(self.pos);
        if w.is_empty() {
            return Ok(None);
        }
        let after = self.pos + w.len();
        // form.field — the longest known code wins.
        if self.src[after..].starts_with('.') {
            let f = self.word_at(after + 1);
            if !f.is_empty() && Form::from_code(w).is_some() {
                {
                    let code = format!("{w}.{f}");
                    self.pos = after + 1 + f.len();
                    if let Some(fr) = field_ref(&code) {
                        return Ok(Some(Operand::Field(fr)));
                    }
                    if loop_kind(&code).is_some() {
                        self.error(
                            span,
                            format!("loop code '@{code}' must stand on its own line"),
                        );
                    } else {
                        self.error(
                            span,
                            format!(
                                "unknown field code '{code}'{}",
                                crate::catalog::did_you_mean(&code)
                            ),
                        );
                    }
                    return Err(Reported);
                }
            }
        }
        let lw = w.to_ascii_lowercase();
        if (lw.starts_with("tvar") && lw.len() > 4) || (lw.starts_with("var") && lw.len() > 3) {
            self.pos = after;
            let v = self.var_tail(w, span)?;
            return Ok(Some(Operand::Var(v)));
        }
        if Form::from_code(w).is_some() && w.len() == 2 {
            self.pos = after;
            self.error(span, format!("loop code '@{w}' must stand on its own line"));
            return Err(Reported);
        }
        match w {
            "N" => {
                self.pos = after;
                return Ok(Some(Operand::Counter));
            }
            "P" => {
                self.pos = after;
                return Ok(Some(Operand::PageNo));
            }
            "d" | "w" | "m" | "y" | "t" => {
                self.pos = after;
                return Ok(Some(Operand::Date(self.date_tail(w))));
            }
            _ => {}
        }
        let cc = match lw.as_str() {
            "ccletterok" => Some(CcKind::Letter),
            "cccallok" => Some(CcKind::Call),
            "ccemailok" => Some(CcKind::Email),
            "cctextok" => Some(CcKind::Text),
            _ => None,
        };
        if let Some(k) = cc {
            self.pos = after;
            return Ok(Some(Operand::Cc(k)));
        }
        if let Some(why) = unsupported_contact_control(&lw) {
            // Refused rather than printed as text: a compliance check that silently
            // prints its own name would let a dialer list or a text batch through.
            self.pos = after;
            self.error(span, format!("@{w} is not supported: {why}"));
            return Err(Reported);
        }
        if (lw == "pv" || lw == "pt") && self.src[after..].starts_with('(') {
            self.pos = after + 1;
            self.skip_ws();
            let fspan = self.span();
            self.eat('@');
            let code = self.code_word();
            let Some(fr) = field_ref(&code) else {
                self.error(fspan, format!("@{w} needs a field code, found '{code}'"));
                self.skip_past(')');
                return Err(Reported);
            };
            self.skip_ws();
            let op = if lw == "pv" {
                Operand::Pv(fr)
            } else {
                if !self.eat(',') {
                    self.error(self.span(), "@PT needs two arguments: @PT(@de.st, CA)");
                    self.skip_past(')');
                    return Err(Reported);
                }
                self.skip_ws();
                let arg = self.operand(&[')'])?;
                Operand::Pt(fr, Box::new(arg))
            };
            self.skip_ws();
            if !self.eat(')') {
                self.error(self.span(), format!("expected ')' to close @{w}("));
                return Err(Reported);
            }
            return Ok(Some(op));
        }
        Ok(None)
    }

    fn skip_past(&mut self, c: char) {
        match self.rest().find(c) {
            Some(i) => self.pos += i + 1,
            None => self.pos = self.src.len(),
        }
    }

    /// `form.field` (letters, digits, one dot) at the cursor.
    fn code_word(&mut self) -> String {
        let w = self.word_at(self.pos).to_string();
        self.pos += w.len();
        if self.peek() == Some('.') {
            let f = self.word_at(self.pos + 1).to_string();
            if !f.is_empty() {
                self.pos += 1 + f.len();
                return format!("{w}.{f}");
            }
        }
        w
    }

    /// Indices after a variable name: `[1][2]`, `[@varI]`.
    fn var_tail(&mut self, name: &str, span: Span) -> Result<VarRef, Reported> {
        let mut index = Vec::new();
        while self.peek() == Some('[') {
            let ispan = self.span();
            let close = match self.rest().find(']') {
                Some(i) => self.pos + i,
                None => {
                    self.error(ispan, "expected ']'");
                    self.pos = self.src.len();
                    return Err(Reported);
                }
            };
            let inner = self.src[self.pos + 1..close].trim();
            let bare = inner.trim_start_matches('@');
            let lb = bare.to_ascii_lowercase();
            if let Ok(n) = inner.parse::<usize>() {
                index.push(Index::Lit(n));
            } else if (lb.starts_with("var") || lb.starts_with("tvar")) && bare.chars().all(is_word)
            {
                index.push(Index::Var(lb));
            } else {
                self.error(
                    ispan,
                    format!("bad array index '{inner}' (a number or a variable)"),
                );
                self.pos = close + 1;
                return Err(Reported);
            }
            self.pos = close + 1;
        }
        Ok(VarRef {
            key: name.to_ascii_lowercase(),
            index,
            span,
        })
    }

    /// `-1`, `+1-1`, `-1d` after a date code.
    fn date_tail(&mut self, w: &str) -> DateCode {
        let unit = match w {
            "d" => DateUnit::Day,
            "w" => DateUnit::Week,
            "m" => DateUnit::Month,
            "y" => DateUnit::Year,
            _ => DateUnit::Time,
        };
        let mut dc = DateCode {
            unit,
            units: 0,
            days: 0,
        };
        if unit == DateUnit::Time {
            return dc;
        }
        let mut terms = 0;
        while terms < 2 {
            let s = self.rest();
            let mut it = s.char_indices();
            let sign = match it.next() {
                Some((_, '+')) => 1,
                Some((_, '-')) => -1,
                _ => break,
            };
            let digits: String = s[1..].chars().take_while(|c| c.is_ascii_digit()).collect();
            if digits.is_empty() {
                break;
            }
            let n: i32 = digits.parse().unwrap_or(i32::MAX / 4).min(100_000) * sign;
            self.pos += 1 + digits.len();
            // A `d` suffix counts days; the second term is always days (S: "@m+1-1").
            if self.word_at(self.pos) == "d" {
                self.pos += 1;
                dc.days += n;
            } else if terms == 0 && unit != DateUnit::Day {
                dc.units += n;
            } else {
                dc.days += n;
            }
            terms += 1;
        }
        dc
    }

    /// The `<…>` suffix after a code, checked against what it modifies.
    fn modifier(&mut self, op: &Operand) -> Modifier {
        if self.peek() != Some('<') {
            return Modifier::None;
        }
        let span = self.span();
        let body_start = self.pos + 1;
        let s = &self.src[body_start..];
        let term = s
            .char_indices()
            .take(32)
            .find(|(_, c)| *c == '<' || *c == '>');
        let m = match term {
            None => {
                self.pos += 1;
                return Modifier::Natural;
            }
            Some((i, t)) => {
                let body = &s[..i];
                let parsed = if t == '>' {
                    parse_modifier(body)
                } else if !body.is_empty() && body.chars().all(|c| c.is_ascii_digit()) {
                    // Widths are bounded like every other modifier (a fuzzed `<22…2<`
                    // asked for gigabytes of padding).
                    body.parse()
                        .ok()
                        .filter(|w| *w <= 1000)
                        .map(|width| Modifier::Width {
                            width,
                            decimals: None,
                            left: true,
                            show_zero: false,
                        })
                } else {
                    None
                };
                match parsed {
                    Some(m) => {
                        self.pos = body_start + i + 1;
                        m
                    }
                    None if body.is_empty() && t == '<' => {
                        self.pos += 1;
                        return Modifier::Natural;
                    }
                    None if body.contains(char::is_whitespace)
                        || body.contains('@')
                        || body.contains('"')
                        || body.contains(',') && t == '<' =>
                    {
                        self.pos += 1;
                        return Modifier::Natural;
                    }
                    None => {
                        self.pos = body_start + i + 1;
                        self.error(span, format!("bad modifier '<{body}{t}'"));
                        return Modifier::None;
                    }
                }
            }
        };
        self.check_modifier(op, &m, span);
        m
    }

    fn check_modifier(&mut self, op: &Operand, m: &Modifier, span: Span) {
        let ty = match op {
            Operand::Field(f) => Some(f.def.ty),
            _ => None,
        };
        let numeric = matches!(
            ty,
            Some(FieldType::Currency | FieldType::Percent | FieldType::TextN)
        );
        match (ty, m) {
            (Some(t), Modifier::Date(_)) if t != FieldType::Date => {
                self.error(span, "a date pattern modifier needs a Date field")
            }
            (Some(t), m) if m.is_numeric_only() && !numeric => self.error(
                span,
                format!("modifier is for numbers; this field is {}", t.label()),
            ),
            (None, Modifier::Date(_)) if !matches!(op, Operand::Date(_) | Operand::Var(_)) => {
                self.error(span, "a date pattern modifier needs a date")
            }
            _ => {}
        }
    }

    /// An operand in a condition or `@PT` argument: an `@` code, a quoted string, or
    /// bare text up to a stop character, an operator, `..`, ` and ` / ` or `.
    pub fn operand(&mut self, stops: &[char]) -> Result<Operand, Reported> {
        self.skip_ws();
        let at = self.pos;
        if self.peek() == Some('@') {
            self.pos += 1;
            if let Some(op) = self.operand_at(at)? {
                return Ok(op);
            }
            let w = self.word_at(self.pos);
            self.error(self.span_at(at), format!("unknown code '@{w}'"));
            self.pos += w.len();
            return Err(Reported);
        }
        if self.peek() == Some('"') {
            self.pos += 1;
            let Some(end) = self.rest().find('"') else {
                self.error(self.span_at(at), "unterminated quoted value");
                self.pos = self.src.len();
                return Err(Reported);
            };
            let v = self.rest()[..end].to_string();
            self.pos += end + 1;
            return Ok(Operand::Lit(v));
        }
        let s = self.rest();
        let mut end = s.len();
        for (i, c) in s.char_indices() {
            if stops.contains(&c) || s[i..].starts_with("..") {
                end = i;
                break;
            }
            if c == ' ' {
                let tail = &s[i + 1..];
                let w = tail.split(|c: char| !is_word(c)).next().unwrap_or("");
                if (w.eq_ignore_ascii_case("and") || w.eq_ignore_ascii_case("or")) && i > 0 {
                    end = i;
                    break;
                }
            }
        }
        let v = s[..end].trim().to_string();
        self.pos += end;
        if v.is_empty() {
            self.error(self.span_at(at), "expected a value");
            return Err(Reported);
        }
        Ok(Operand::Lit(v))
    }

    /// `cond := and ('or' and)*`, `and := atom ('and' atom)*`.
    pub fn cond(&mut self) -> Result<Cond, Reported> {
        let mut ors = vec![self.cond_and()?];
        loop {
            self.skip_ws();
            if self.keyword("or") {
                ors.push(self.cond_and()?);
            } else {
                break;
            }
        }
        Ok(if ors.len() == 1 {
            ors.pop().unwrap_or(Cond::And(vec![]))
        } else {
            Cond::Or(ors)
        })
    }

    fn cond_and(&mut self) -> Result<Cond, Reported> {
        let mut ands = vec![self.cond_atom()?];
        loop {
            self.skip_ws();
            if self.keyword("and") {
                ands.push(self.cond_atom()?);
            } else {
                break;
            }
        }
        Ok(if ands.len() == 1 {
            ands.pop().unwrap_or(Cond::And(vec![]))
        } else {
            Cond::And(ands)
        })
    }

    fn cond_atom(&mut self) -> Result<Cond, Reported> {
        self.skip_ws();
        let span = self.span();
        if self.eat('(') {
            self.enter(span)?;
            let c = self.cond()?;
            self.leave();
            self.skip_ws();
            if !self.eat(')') {
                self.error(self.span(), "expected ')'");
                return Err(Reported);
            }
            return Ok(c);
        }
        let lhs = self.operand(&['=', '<', '>', ')', '('])?;
        self.skip_ws();
        let op = if self.rest().starts_with("<>") {
            self.pos += 2;
            CmpOp::Ne
        } else if self.rest().starts_with("<=") {
            self.pos += 2;
            CmpOp::Le
        } else if self.rest().starts_with(">=") {
            self.pos += 2;
            CmpOp::Ge
        } else if self.eat('=') {
            CmpOp::Eq
        } else if self.eat('<') {
            CmpOp::Lt
        } else if self.eat('>') {
            CmpOp::Gt
        } else {
            return Ok(Cond::Truthy(lhs, span));
        };
        let rhs = self.operand(&[')'])?;
        self.skip_ws();
        let upper = if self.rest().starts_with("..") {
            self.pos += 2;
            if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                self.error(span, "a range 'a .. b' needs '=' or '<>'");
            }
            Some(self.operand(&[')'])?)
        } else {
            None
        };
        for v in std::iter::once(&rhs).chain(upper.as_ref()) {
            self.check_literal(&lhs, v, span);
        }
        Ok(Cond::Cmp {
            lhs,
            op,
            rhs,
            upper,
            span,
        })
    }

    /// A literal compared with a typed field must read as that type (`report check`).
    fn check_literal(&mut self, lhs: &Operand, v: &Operand, span: Span) {
        let (Operand::Field(f), Operand::Lit(text)) = (lhs, v) else {
            return;
        };
        let t = text.trim();
        let ok = match f.def.ty {
            FieldType::Currency | FieldType::Percent => {
                crate::money::parse_amount(t).is_some() || t.is_empty()
            }
            FieldType::Date => parse_date_literal(t).is_some() || t.is_empty(),
            FieldType::Flag => matches!(
                t.to_ascii_lowercase().as_str(),
                "yes" | "no" | "y" | "n" | "1" | "0" | "true" | "false" | "x" | ""
            ),
            FieldType::TextAn | FieldType::TextN => true,
        };
        if !ok {
            self.error(
                span,
                format!(
                    "'{t}' cannot be compared with {} ({})",
                    f.def.code(),
                    f.def.ty.label()
                ),
            );
        }
    }

    /// Arithmetic inside `@( … )`.
    pub fn expr(&mut self) -> Result<Expr, Reported> {
        let base = self.depth;
        let mut lhs = self.term()?;
        loop {
            self.skip_ws();
            let op = match self.peek() {
                Some('+') => BinOp::Add,
                Some('-') => BinOp::Sub,
                _ => {
                    self.depth = base;
                    return Ok(lhs);
                }
            };
            // Each operator puts the terms so far one level deeper in the tree.
            let at = self.span();
            self.enter(at)?;
            self.pos += 1;
            let rhs = self.term()?;
            lhs = Expr::Bin(Box::new(lhs), op, Box::new(rhs));
        }
    }

    fn term(&mut self) -> Result<Expr, Reported> {
        let base = self.depth;
        let mut lhs = self.factor()?;
        loop {
            self.skip_ws();
            let op = match self.peek() {
                Some('*') => BinOp::Mul,
                Some('/') => BinOp::Div,
                _ => {
                    self.depth = base;
                    return Ok(lhs);
                }
            };
            let at = self.span();
            self.enter(at)?;
            self.pos += 1;
            let rhs = self.factor()?;
            lhs = Expr::Bin(Box::new(lhs), op, Box::new(rhs));
        }
    }

    fn factor(&mut self) -> Result<Expr, Reported> {
        self.skip_ws();
        let span = self.span();
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                self.enter(span)?;
                let e = self.expr()?;
                self.leave();
                self.skip_ws();
                if !self.eat(')') {
                    self.error(self.span(), "expected ')'");
                    return Err(Reported);
                }
                Ok(e)
            }
            Some('-') => {
                self.pos += 1;
                self.enter(span)?;
                let e = self.factor()?;
                self.leave();
                Ok(Expr::Neg(Box::new(e)))
            }
            Some(c) if c.is_ascii_digit() || c == '.' => {
                let s = self.rest();
                let end = s
                    .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                    .unwrap_or(s.len());
                let n = &s[..end];
                self.pos += end;
                match n.parse::<Decimal>() {
                    Ok(d) => Ok(Expr::Num(d)),
                    Err(_) => {
                        self.error(span, format!("bad number '{n}'"));
                        Err(Reported)
                    }
                }
            }
            Some(_) => {
                let at = self.eat('@');
                let w = self.word_at(self.pos).to_string();
                if w.is_empty() {
                    self.error(span, "expected a number, a field code or a variable");
                    return Err(Reported);
                }
                let lw = w.to_ascii_lowercase();
                if lw.starts_with("var") || lw.starts_with("tvar") {
                    self.pos += w.len();
                    return Ok(Expr::Var(self.var_tail(&w, span)?));
                }
                if at && matches!(w.as_str(), "d" | "w" | "m" | "y") {
                    self.pos += w.len();
                    return Ok(Expr::Date(self.date_tail(&w)));
                }
                let code = self.code_word();
                match field_ref(&code) {
                    Some(f) => Ok(Expr::Field(f)),
                    None => {
                        self.error(
                            span,
                            format!(
                                "unknown field code '{code}'{}",
                                crate::catalog::did_you_mean(&code)
                            ),
                        );
                        Err(Reported)
                    }
                }
            }
            None => {
                self.error(span, "expression ends too early");
                Err(Reported)
            }
        }
    }
}

/// The inside of `<…>` (without the brackets).
pub fn parse_modifier(body: &str) -> Option<Modifier> {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let num = |s: &str| s.parse::<usize>().ok().filter(|n| *n <= 1000);
    match body {
        "t" | "T" => return Some(Modifier::Words),
        "csv" | "CSV" => return Some(Modifier::Csv),
        "." => return Some(Modifier::Fraction(None)),
        "!" => return Some(Modifier::Whole(None)),
        _ => {}
    }
    if let Some(d) = body.strip_prefix('.') {
        return digits(d)
            .then(|| num(d))
            .flatten()
            .map(|n| Modifier::Fraction(Some(n)));
    }
    if let Some(d) = body.strip_prefix('!') {
        return digits(d)
            .then(|| num(d))
            .flatten()
            .map(|n| Modifier::Whole(Some(n)));
    }
    if digits(body) {
        let n = num(body)?;
        if body.len() >= 2 && body.starts_with('0') {
            return Some(Modifier::ZeroFill(n));
        }
        return Some(Modifier::Width {
            width: n,
            decimals: None,
            left: false,
            show_zero: false,
        });
    }
    if let Some((w, d)) = body.split_once('.') {
        if digits(w) && digits(d) {
            let width = num(w)?;
            let dec: u32 = d.parse().ok().filter(|d| *d <= 10)?;
            return Some(if dec == 0 {
                Modifier::Width {
                    width,
                    decimals: None,
                    left: false,
                    show_zero: true,
                }
            } else {
                Modifier::Width {
                    width,
                    decimals: Some(dec),
                    left: false,
                    show_zero: false,
                }
            });
        }
    }
    date_pattern(body).map(Modifier::Date)
}

/// `MM/DD/YYYY` → `%m/%d/%Y`. Runs: YYYY YY MMMM MMM MM DD; other letters refused.
pub fn date_pattern(body: &str) -> Option<String> {
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::new();
    let mut any = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let u = c.to_ascii_uppercase();
        if matches!(u, 'Y' | 'M' | 'D') {
            let mut n = 1;
            while i + n < chars.len() && chars[i + n].to_ascii_uppercase() == u {
                n += 1;
            }
            out.push_str(match (u, n) {
                ('Y', 4) => "%Y",
                ('Y', 2) => "%y",
                ('M', 2) => "%m",
                ('M', 3) => "%b",
                ('M', 4) => "%B",
                ('D', 2) => "%d",
                _ => return None,
            });
            any = true;
            i += n;
        } else if c.is_ascii_alphanumeric() || c == '%' || c == '<' || c == '>' {
            return None;
        } else {
            out.push(c);
            i += 1;
        }
    }
    any.then_some(out)
}

/// The contact-control commands of the Collect! help ("Contact Controls", Contact
/// Controls In The Report Writer, S2:1794-1809) that need settings recoup's contact
/// controls do not hold (`[[contact_control]]` has type, state, max_times and
/// period_days only). `None` for any other word.
fn unsupported_contact_control(lower: &str) -> Option<&'static str> {
    Some(match lower {
        "ccsms" => "contact controls have no SMS Reauth setting",
        "cctzcall" => "contact controls have no Legal Calling Times",
        "ccvaldate" => "contact controls have no Model Validation period",
        "ccattempts" => "contact controls have no Call Attempt Types",
        "ccrpcs" => "contact controls have no Call RPC Types",
        _ => return None,
    })
}
