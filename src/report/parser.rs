//! Lines → tree: loops, `@if` blocks, declarations and assignments (lines that print
//! nothing), and content lines. Unbalanced blocks are reported with both positions.

use std::collections::HashSet;

use super::ast::*;
use super::lexer::{field_ref, loop_kind, Diag, Lexer};

enum Frame {
    Loop(LoopNode),
    If {
        node: IfNode,
        cond: Option<Cond>,
        body: Vec<Node>,
        in_else: bool,
    },
}

impl Frame {
    fn span(&self) -> Span {
        match self {
            Frame::Loop(l) => l.span,
            Frame::If { node, .. } => node.span,
        }
    }
    fn body(&mut self) -> &mut Vec<Node> {
        match self {
            Frame::Loop(l) => &mut l.body,
            Frame::If { body, .. } => body,
        }
    }
}

struct Parser<'d> {
    diags: &'d mut Vec<Diag>,
    slots: &'d mut usize,
    stack: Vec<Frame>,
    root: Vec<Node>,
    arrays: HashSet<String>,
}

/// Parse a body (or a header/footer) whose first line is file line `first_line`.
pub fn parse_body(
    text: &str,
    first_line: u32,
    diags: &mut Vec<Diag>,
    slots: &mut usize,
) -> Vec<Node> {
    let mut p = Parser {
        diags,
        slots,
        stack: Vec::new(),
        root: Vec::new(),
        arrays: HashSet::new(),
    };
    // A final line end does not start another (empty) line.
    let text = text.strip_suffix('\n').unwrap_or(text);
    for (n, raw) in (first_line..).zip(text.split('\n')) {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        p.line(raw, n);
    }
    while let Some(f) = p.stack.pop() {
        let (what, span) = match &f {
            Frame::Loop(l) => (format!("loop '@{}'", l.code), l.span),
            Frame::If { node, .. } => ("'@if'".to_string(), node.span),
        };
        p.diags.push(Diag {
            span,
            message: format!("{what} is never closed"),
            warning: false,
        });
        p.close(f);
    }
    p.root
}

impl Parser<'_> {
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some(f) => f.body().push(node),
            None => self.root.push(node),
        }
    }

    fn err(&mut self, span: Span, msg: impl Into<String>) {
        self.diags.push(Diag {
            span,
            message: msg.into(),
            warning: false,
        });
    }

    /// Finish a frame and attach it to its parent.
    fn close(&mut self, f: Frame) {
        match f {
            Frame::Loop(mut l) => {
                l.total = direct_template(&l.body)
                    .cloned()
                    .or_else(|| nested_template(&l.body));
                self.push(Node::Loop(Box::new(l)));
            }
            Frame::If {
                mut node,
                cond,
                body,
                in_else,
            } => {
                if in_else {
                    node.otherwise = Some(body);
                } else if let Some(c) = cond {
                    node.branches.push((c, body));
                }
                self.push(Node::If(Box::new(node)));
            }
        }
    }

    fn line(&mut self, raw: &str, n: u32) {
        let t = raw.trim_start();
        if t.starts_with("//") {
            return;
        }
        let indent = raw.len() - t.len();
        if t.starts_with('@') && self.control_line(raw, indent, n) {
            return;
        }
        let mut lx = Lexer::new(raw, n, self.diags, self.slots);
        let items = lx.items();
        self.push(Node::Line {
            items,
            span: Span { line: n, col: 1 },
        });
    }

    /// Loop markers, `@if` family, declarations and assignments. False = a content line.
    fn control_line(&mut self, raw: &str, indent: usize, n: u32) -> bool {
        let at = indent;
        let span = Span {
            line: n,
            col: raw[..at].chars().count() as u32 + 1,
        };
        let mut lx = Lexer::new(raw, n, self.diags, self.slots);
        lx.pos = at + 1;
        let w = lx.word_at(lx.pos).to_string();
        let lw = w.to_ascii_lowercase();
        match lw.as_str() {
            "if" | "elseif" => {
                lx.pos += w.len();
                let cond = lx.cond();
                lx.skip_ws();
                if cond.is_ok() && !lx.at_end() {
                    let s = lx.span();
                    lx.error(s, "unexpected text after the condition");
                }
                let cond = cond.unwrap_or(Cond::And(vec![]));
                if lw == "if" {
                    self.stack.push(Frame::If {
                        node: IfNode {
                            branches: vec![],
                            otherwise: None,
                            span,
                        },
                        cond: Some(cond),
                        body: vec![],
                        in_else: false,
                    });
                } else {
                    match self.stack.last_mut() {
                        Some(Frame::If {
                            node,
                            cond: c,
                            body,
                            in_else,
                        }) if !*in_else => {
                            if let Some(prev) = c.take() {
                                node.branches.push((prev, std::mem::take(body)));
                            }
                            *c = Some(cond);
                        }
                        Some(Frame::If { .. }) => self.err(span, "'@elseif' after '@else'"),
                        _ => self.err(span, "'@elseif' without '@if'"),
                    }
                }
                return true;
            }
            "else" | "endif" => {
                lx.pos += w.len();
                lx.skip_ws();
                if !lx.at_end() {
                    let s = lx.span();
                    lx.error(s, format!("unexpected text after '@{w}'"));
                }
                let top_is_if = matches!(self.stack.last(), Some(Frame::If { .. }));
                if !top_is_if {
                    match self.stack.last() {
                        Some(Frame::Loop(l)) => {
                            let msg = format!(
                                "'@{w}' inside loop '@{}' opened at {} (close the loop first)",
                                l.code, l.span
                            );
                            self.err(span, msg)
                        }
                        _ => self.err(span, format!("'@{w}' without '@if'")),
                    }
                    return true;
                }
                if lw == "else" {
                    if let Some(Frame::If {
                        node,
                        cond,
                        body,
                        in_else,
                    }) = self.stack.last_mut()
                    {
                        if *in_else {
                            self.diags.push(Diag {
                                span,
                                message: "second '@else' in one '@if'".into(),
                                warning: false,
                            });
                        } else if let Some(prev) = cond.take() {
                            node.branches.push((prev, std::mem::take(body)));
                            *in_else = true;
                        }
                    }
                } else if let Some(f) = self.stack.pop() {
                    self.close(f);
                }
                return true;
            }
            "firstkey" | "bestkey" => {
                // Index hints for the product's database engine; SQLite plans its own.
                return raw[at + 1 + w.len()..].trim().is_empty();
            }
            _ => {}
        }
        if (lw.starts_with("var") && lw.len() > 3) || (lw.starts_with("tvar") && lw.len() > 4) {
            return self.var_line(raw, at, n);
        }
        // Loop marker: `@de`, `@cl.de`, … alone or with loop options.
        let mut code = lw.clone();
        let mut end = at + 1 + w.len();
        if raw[end..].starts_with('.') {
            let f = lx.word_at(end + 1);
            if f.is_empty() {
                return false;
            }
            code = format!("{lw}.{}", f.to_ascii_lowercase());
            end += 1 + f.len();
        } else if w.len() != 2 {
            return false;
        }
        let Some(kind) = loop_kind(&code) else {
            return false;
        };
        let rest = &raw[end..];
        if rest.trim().is_empty() {
            if let Some(pos) = self
                .stack
                .iter()
                .rposition(|f| matches!(f, Frame::Loop(l) if l.code == code))
            {
                while self.stack.len() > pos + 1 {
                    if let Some(f) = self.stack.pop() {
                        let what = match &f {
                            Frame::Loop(l) => format!("loop '@{}'", l.code),
                            Frame::If { .. } => "'@if'".to_string(),
                        };
                        let msg = format!(
                            "{what} opened at {} is not closed before '@{code}' closes",
                            f.span()
                        );
                        self.err(span, msg);
                        self.close(f);
                    }
                }
                if let Some(f) = self.stack.pop() {
                    self.close(f);
                }
                return true;
            }
        } else if !rest.starts_with([' ', '\t']) {
            return false;
        }
        let mut lx = Lexer::new(raw, n, self.diags, self.slots);
        lx.pos = end;
        let mut node = LoopNode {
            code,
            kind,
            no_total: false,
            wheres: vec![],
            max: None,
            order: vec![],
            body: vec![],
            total: None,
            span,
        };
        loop_options(&mut lx, &mut node);
        self.stack.push(Frame::Loop(node));
        true
    }

    /// `@varX$ = 0.00`, `@varA[5][2]`, `@tvarN += 1`.
    fn var_line(&mut self, raw: &str, at: usize, n: u32) -> bool {
        let span = Span {
            line: n,
            col: raw[..at].chars().count() as u32 + 1,
        };
        let mut lx = Lexer::new(raw, n, self.diags, self.slots);
        lx.pos = at + 1;
        let name = lx.word_at(lx.pos).to_string();
        lx.pos += name.len();
        let ty = lx.peek().and_then(VarType::from_symbol);
        if ty.is_some() {
            lx.bump();
        }
        // Indices: `[5][2]` or `[@varI]`.
        let mut index = Vec::new();
        while lx.peek() == Some('[') {
            let Some(close) = lx.rest().find(']') else {
                return false;
            };
            let inner = lx.rest()[1..close].trim().trim_start_matches('@');
            if let Ok(k) = inner.parse::<usize>() {
                index.push(Index::Lit(k));
            } else if inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !inner.is_empty()
            {
                index.push(Index::Var(inner.to_ascii_lowercase()));
            } else {
                return false;
            }
            lx.pos += close + 1;
        }
        lx.skip_ws();
        let rest = lx.rest();
        let (op, len) = if rest.starts_with("+=") {
            (AssignOp::Add, 2)
        } else if rest.starts_with("-=") {
            (AssignOp::Sub, 2)
        } else if rest.starts_with("*=") {
            (AssignOp::Mul, 2)
        } else if rest.starts_with("/=") {
            (AssignOp::Div, 2)
        } else if rest.starts_with('=') {
            (AssignOp::Set, 1)
        } else if rest.is_empty() && (ty.is_some() || !index.is_empty()) {
            let var = VarRef {
                key: name.to_ascii_lowercase(),
                index: vec![],
                span,
            };
            let dims = lit_dims(&index);
            if dims.is_none() {
                self.err(span, "array dimensions must be numbers: @varA[5][2]");
            }
            let dims = dims.unwrap_or_default();
            if !dims.is_empty() {
                self.arrays.insert(var.key.clone());
            }
            self.push(Node::Declare {
                var,
                ty: ty.unwrap_or(VarType::Auto),
                dims,
                init: None,
            });
            return true;
        } else {
            return false;
        };
        lx.pos += len;
        lx.skip_ws();
        let rhs = rhs(&mut lx);
        let key = name.to_ascii_lowercase();
        let declares_array = !index.is_empty() && !self.arrays.contains(&key);
        if declares_array || (ty.is_some() && index.is_empty() && op == AssignOp::Set) {
            let dims = if declares_array {
                match lit_dims(&index) {
                    Some(d) => d,
                    None => {
                        self.err(
                            span,
                            format!("array '@{name}' is used before it is declared"),
                        );
                        return true;
                    }
                }
            } else {
                vec![]
            };
            if !dims.is_empty() {
                self.arrays.insert(key.clone());
            }
            self.push(Node::Declare {
                var: VarRef {
                    key,
                    index: vec![],
                    span,
                },
                ty: ty.unwrap_or(VarType::Auto),
                dims,
                init: Some(rhs),
            });
        } else {
            self.push(Node::Assign {
                var: VarRef { key, index, span },
                op,
                rhs,
                ty,
            });
        }
        true
    }
}

fn lit_dims(index: &[Index]) -> Option<Vec<usize>> {
    index
        .iter()
        .map(|i| match i {
            Index::Lit(n) if *n > 0 && *n <= 100_000 => Some(*n),
            _ => None,
        })
        .collect()
}

/// The right of `=`: `@SQL(…)`, a quoted literal, one code, bare text, or a template.
fn rhs(lx: &mut Lexer) -> Rhs {
    let rest = lx.rest().trim_end();
    if rest
        .get(..5)
        .is_some_and(|h| h.eq_ignore_ascii_case("@sql("))
    {
        let inner = rest.get(5..).and_then(|r| r.strip_suffix(')'));
        match inner {
            Some(q) => {
                let start = lx.pos + 5 + (q.len() - q.trim_start().len());
                if let Some((at, msg)) = super::sql_check::write_in_query(q.trim()) {
                    let s = lx.span_at(start + at);
                    lx.error(s, msg);
                }
                return Rhs::Sql(q.trim().to_string());
            }
            None => {
                let s = lx.span();
                lx.error(s, "@SQL( … ) is not closed at the end of the line");
                return Rhs::Sql(String::new());
            }
        }
    }
    if rest.len() >= 2 && rest.starts_with('"') && rest.ends_with('"') {
        return Rhs::Value(Operand::Lit(rest[1..rest.len() - 1].to_string()));
    }
    if !rest.contains('@') {
        return Rhs::Value(Operand::Lit(rest.trim().to_string()));
    }
    if rest.starts_with('@') {
        let save = lx.pos;
        let ndiags = lx.diags.len();
        lx.pos += 1;
        if let Ok(Some(op)) = lx.operand_at(save) {
            if lx.rest().trim().is_empty() {
                return Rhs::Value(op);
            }
        }
        lx.diags.truncate(ndiags);
        lx.pos = save;
    }
    Rhs::Template(lx.items())
}

/// `no total`, `where (…)`, `max = n`, `orderby @de.na asc, @de.ow desc`.
fn loop_options(lx: &mut Lexer, node: &mut LoopNode) {
    loop {
        lx.skip_ws();
        if lx.at_end() {
            return;
        }
        let span = lx.span();
        if lx.keyword("no") {
            lx.skip_ws();
            if !lx.keyword("total") {
                lx.error(span, "expected 'no total'");
                return;
            }
            node.no_total = true;
        } else if lx.keyword("where") {
            lx.skip_ws();
            if lx.peek() != Some('(') {
                lx.error(lx.span(), "expected '(' after where");
                return;
            }
            match lx.cond() {
                Ok(c) => node.wheres.push(c),
                Err(_) => return,
            }
        } else if lx.keyword("max") {
            lx.skip_ws();
            lx.eat('=');
            lx.skip_ws();
            let w = lx.word_at(lx.pos).to_string();
            match w.parse::<usize>() {
                Ok(n) => node.max = Some(n),
                Err(_) => {
                    lx.error(lx.span(), "expected a number after 'max ='");
                    return;
                }
            }
            lx.pos += w.len();
        } else if lx.keyword("orderby") {
            loop {
                lx.skip_ws();
                let fspan = lx.span();
                lx.eat('@');
                let w = lx.word_at(lx.pos).to_string();
                lx.pos += w.len();
                let mut code = w.clone();
                if lx.peek() == Some('.') {
                    let f = lx.word_at(lx.pos + 1).to_string();
                    lx.pos += 1 + f.len();
                    code = format!("{w}.{f}");
                }
                let Some(field) = field_ref(&code) else {
                    lx.error(
                        fspan,
                        format!(
                            "unknown field code '{code}' in orderby{}",
                            crate::catalog::did_you_mean(&code)
                        ),
                    );
                    return;
                };
                lx.skip_ws();
                let desc = if lx.keyword("desc") {
                    true
                } else {
                    lx.keyword("asc");
                    false
                };
                node.order.push(OrderKey { field, desc });
                lx.skip_ws();
                if !lx.eat(',') {
                    break;
                }
            }
            lx.skip_ws();
            if !lx.at_end() {
                lx.error(lx.span(), "orderby must come last on the loop line");
                return;
            }
        } else {
            let w = lx.word_at(lx.pos).to_string();
            lx.error(
                span,
                format!(
                    "unexpected '{}' on the loop line (no total, where, max, orderby)",
                    if w.is_empty() {
                        lx.rest().chars().take(1).collect()
                    } else {
                        w
                    }
                ),
            );
            return;
        }
    }
}

fn has_slot(items: &[Item]) -> bool {
    items
        .iter()
        .any(|i| matches!(i, Item::Value { slot: Some(_), .. }))
}

/// The last line of a loop body (not inside a nested loop) that prints a currency field.
fn direct_template(nodes: &[Node]) -> Option<&Vec<Item>> {
    for n in nodes.iter().rev() {
        match n {
            Node::Line { items, .. } if has_slot(items) => return Some(items),
            Node::If(f) => {
                let bodies = f
                    .otherwise
                    .iter()
                    .chain(f.branches.iter().rev().map(|(_, b)| b));
                for b in bodies {
                    if let Some(t) = direct_template(b) {
                        return Some(t);
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// Otherwise the last such line of an inner loop, totalled or not (its sums roll up).
fn nested_template(nodes: &[Node]) -> Option<Vec<Item>> {
    for n in nodes.iter().rev() {
        match n {
            Node::Loop(l) => {
                if let Some(t) = direct_template(&l.body)
                    .cloned()
                    .or_else(|| nested_template(&l.body))
                {
                    return Some(t);
                }
            }
            Node::If(f) => {
                let bodies = f
                    .otherwise
                    .iter()
                    .chain(f.branches.iter().rev().map(|(_, b)| b));
                for b in bodies {
                    if let Some(t) = nested_template(b) {
                        return Some(t);
                    }
                }
            }
            _ => {}
        }
    }
    None
}
