//! Running a parsed report over a [`DataSource`] into a [`Sink`].
//!
//! One tree-walking pass: the body is small and the records are many, so the work per
//! record is a walk of a few nodes writing into one reused line buffer.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;

use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;

use super::ast::*;
use super::format::{self, spaces, Val};
use super::front::StartOn;
use super::sink::{LineBuf, Mark, Sink};
use super::source::{DataSource, Query, Record};
use super::values::{arith, coerce, compare};
use super::Report;
use crate::catalog::{FieldType, Form, Value};
use crate::{Error, Result};

/// How one run is started.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub today: NaiveDate,
    pub now: NaiveTime,
    /// Start records by key (`--debtor`, `--client`); empty = all of the start form.
    pub ids: Vec<i64>,
    /// `--where`: a condition the start records must meet.
    pub filter: Option<Cond>,
    /// `--var name=value`, applied before each start record.
    pub vars: Vec<(String, String)>,
}

impl RunOptions {
    pub fn new(today: NaiveDate) -> Self {
        RunOptions {
            today,
            now: NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default(),
            ids: vec![],
            filter: None,
            vars: vec![],
        }
    }
}

/// What a run did.
#[derive(Debug, Default, Clone, Copy)]
pub struct RunStats {
    pub start_records: u64,
    pub lines: u64,
    pub pages: u32,
}

impl RunStats {
    /// What `recoup report run --out FILE` says of the file it wrote.
    pub fn report(&self, out: &std::path::Path, pdf: bool, warnings: usize) -> RunReport {
        RunReport {
            out: out.display().to_string(),
            format: if pdf { "pdf" } else { "text" },
            start_records: self.start_records,
            lines: self.lines,
            pages: self.pages,
            warnings,
        }
    }
}

/// A report run into a file: `--json` is its serialisation, the line its `Display`
/// (pages only for a PDF).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunReport {
    pub out: String,
    pub format: &'static str,
    pub start_records: u64,
    pub lines: u64,
    pub pages: u32,
    pub warnings: usize,
}

impl std::fmt::Display for RunReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.format == "pdf" {
            write!(
                f,
                "{}: {} lines on {} page(s), {} warning(s)",
                self.out, self.lines, self.pages, self.warnings
            )
        } else {
            write!(
                f,
                "{}: {} lines, {} warning(s)",
                self.out, self.lines, self.warnings
            )
        }
    }
}

struct Var {
    ty: VarType,
    dims: Vec<usize>,
    cells: Vec<Val>,
}

struct Frame {
    form: Form,
    count: u64,
    /// A currency field was printed inside this loop (else no total line).
    summed: bool,
    sums: Vec<Decimal>,
    totalled: bool,
}

struct Pick {
    text_of: HashMap<String, String>,
    key_of: HashMap<String, String>,
}

struct Pager {
    length: u32,
    row: u32,
    page: u32,
    footer_h: u32,
    pending: bool,
}

fn fx(f: Form) -> usize {
    f as usize
}

pub struct Eval<'a> {
    rep: &'a Report,
    src: &'a dyn DataSource,
    sink: &'a mut dyn Sink,
    today: NaiveDate,
    now: NaiveTime,
    cur: [Option<Rc<Record>>; 10],
    auto: [Option<Rc<Record>>; 10],
    need: [Rc<[usize]>; 10],
    picks: Vec<Vec<Option<Rc<Pick>>>>,
    vars: HashMap<String, Var>,
    frames: Vec<Frame>,
    line: LineBuf,
    pager: Option<Pager>,
    in_hf: bool,
    break_after: bool,
    start: Option<Rc<Record>>,
    /// Variables set with `--var`: their declarations keep the given value.
    given: std::collections::HashSet<String>,
    stats: RunStats,
}

fn rt(span: Span, origin: &str, msg: impl std::fmt::Display) -> Error {
    Error::runtime(msg.to_string()).at(span.place(origin))
}

/// Every field a set of nodes reads.
pub fn walk_fields(nodes: &[Node], f: &mut dyn FnMut(FieldRef)) {
    fn op(o: &Operand, f: &mut dyn FnMut(FieldRef)) {
        match o {
            Operand::Field(r) | Operand::Pv(r) => f(*r),
            Operand::Pt(r, a) => {
                f(*r);
                op(a, f)
            }
            Operand::Expr(e) => expr(e, f),
            _ => {}
        }
    }
    fn expr(e: &Expr, f: &mut dyn FnMut(FieldRef)) {
        match e {
            Expr::Field(r) => f(*r),
            Expr::Neg(a) => expr(a, f),
            Expr::Bin(a, _, b) => {
                expr(a, f);
                expr(b, f)
            }
            _ => {}
        }
    }
    fn cond(c: &Cond, f: &mut dyn FnMut(FieldRef)) {
        match c {
            Cond::And(v) | Cond::Or(v) => v.iter().for_each(|c| cond(c, f)),
            Cond::Cmp {
                lhs, rhs, upper, ..
            } => {
                op(lhs, f);
                op(rhs, f);
                if let Some(u) = upper {
                    op(u, f)
                }
            }
            Cond::Truthy(o, _) => op(o, f),
        }
    }
    fn items(v: &[Item], f: &mut dyn FnMut(FieldRef)) {
        for i in v {
            if let Item::Value { op: o, .. } = i {
                op(o, f)
            }
        }
    }
    fn rhs(r: &Rhs, f: &mut dyn FnMut(FieldRef)) {
        match r {
            Rhs::Value(o) => op(o, f),
            Rhs::Template(v) => items(v, f),
            Rhs::Sql(_) => {}
        }
    }
    for n in nodes {
        match n {
            Node::Line { items: v, .. } => items(v, f),
            Node::Loop(l) => {
                l.wheres.iter().for_each(|c| cond(c, f));
                l.order.iter().for_each(|k| f(k.field));
                walk_fields(&l.body, f);
            }
            Node::If(i) => {
                for (c, b) in &i.branches {
                    cond(c, f);
                    walk_fields(b, f);
                }
                if let Some(b) = &i.otherwise {
                    walk_fields(b, f)
                }
            }
            Node::Declare { init, .. } => {
                if let Some(r) = init {
                    rhs(r, f)
                }
            }
            Node::Assign { rhs: r, .. } => rhs(r, f),
        }
    }
}

/// A report run's conditions read its current records (`record`), the pick lists it
/// loaded, its variables and what only a run has.
impl super::cond::Scope for Eval<'_> {
    fn today(&self) -> NaiveDate {
        self.today
    }
    fn stored(&mut self, f: &FieldRef, span: Span) -> Result<Val> {
        let rec = self.record(f.def.form, span)?;
        Ok(Val::from_value(rec.get(f.idx), f.def.ty))
    }
    fn pick_key(&self, f: &FieldRef, text: &str) -> Option<String> {
        let p = self.picks[fx(f.def.form)][f.idx].as_ref()?;
        p.key_of.get(&text.to_lowercase()).cloned()
    }
    fn pick_text(&self, f: &FieldRef, key: &str) -> Option<String> {
        let p = self.picks[fx(f.def.form)][f.idx].as_ref()?;
        p.text_of.get(key).cloned()
    }
    fn var(&mut self, v: &VarRef) -> Result<Val> {
        self.var_value(v)
    }
    fn special(&mut self, op: &Operand, span: Span) -> Result<Val> {
        self.run_only(op, span)
    }
    fn error(&self, span: Span, msg: &str) -> Error {
        self.err(span, msg)
    }
}

/// Order of catalogue values for `orderby` (blanks first).
fn cmp_values(a: &Value, b: &Value, ty: FieldType) -> Ordering {
    compare(&Val::from_value(a, ty), &Val::from_value(b, ty)).unwrap_or(Ordering::Equal)
}

impl<'a> Eval<'a> {
    pub fn new(
        rep: &'a Report,
        src: &'a dyn DataSource,
        sink: &'a mut dyn Sink,
        opts: &RunOptions,
    ) -> Result<Eval<'a>> {
        let mut need: [Vec<usize>; 10] = Default::default();
        let mut add = |f: FieldRef| {
            let v = &mut need[fx(f.def.form)];
            if !v.contains(&f.idx) {
                v.push(f.idx)
            }
        };
        walk_fields(&rep.body, &mut add);
        walk_fields(&rep.header, &mut add);
        walk_fields(&rep.footer, &mut add);
        if let Some(c) = &opts.filter {
            walk_fields(
                &[Node::If(Box::new(IfNode {
                    branches: vec![(c.clone(), vec![])],
                    otherwise: None,
                    span: Span::default(),
                }))],
                &mut add,
            );
        }
        let mut picks: Vec<Vec<Option<Rc<Pick>>>> = Form::ALL
            .iter()
            .map(|f| vec![None; f.fields().count()])
            .collect();
        for form in Form::ALL {
            for &idx in &need[fx(form)] {
                let Some(def) = form.fields().nth(idx) else {
                    continue;
                };
                let list = src.pick_list(def)?;
                if !list.is_empty() {
                    let pick = Pick {
                        key_of: list
                            .iter()
                            .map(|(k, t)| (t.to_lowercase(), k.clone()))
                            .collect(),
                        text_of: list.into_iter().collect(),
                    };
                    picks[fx(form)][idx] = Some(Rc::new(pick));
                }
            }
        }
        let pager = sink.page_length().map(|length| Pager {
            length: length.max(1),
            row: 0,
            page: 1,
            footer_h: rep
                .footer
                .iter()
                .filter(|n| matches!(n, Node::Line { .. }))
                .count() as u32,
            pending: false,
        });
        Ok(Eval {
            rep,
            src,
            sink,
            today: opts.today,
            now: opts.now,
            cur: Default::default(),
            auto: Default::default(),
            need: need.map(Rc::from),
            picks,
            vars: HashMap::new(),
            frames: Vec::new(),
            line: LineBuf::default(),
            pager,
            in_hf: false,
            break_after: false,
            start: None,
            given: std::collections::HashSet::new(),
            stats: RunStats::default(),
        })
    }

    fn err(&self, span: Span, msg: impl std::fmt::Display) -> Error {
        rt(span, &self.rep.origin, msg)
    }

    /// Run the report: once, or once per start record (docs/report-language.md `start_on`).
    pub fn run(mut self, opts: &RunOptions) -> Result<RunStats> {
        let form = match self.rep.front.start_on {
            StartOn::Anywhere => None,
            StartOn::Debtor => Some(Form::Debtor),
            StartOn::Client => Some(Form::Client),
            StartOn::Statement => Some(Form::Statement),
        };
        match form {
            None => {
                if !opts.ids.is_empty() {
                    crate::bail!(
                        config,
                        "{}: this report starts 'anywhere'; it takes no record numbers",
                        self.rep.origin
                    );
                }
                self.run_once(None, opts)?
            }
            Some(form) if !opts.ids.is_empty() => {
                let need = self.need[fx(form)].clone();
                for id in &opts.ids {
                    let Some(rec) = self.src.get(form, *id, &need)? else {
                        crate::bail!(runtime, "{} {id} not found", form.name().to_lowercase());
                    };
                    if self.start_ok(&rec, opts)? {
                        self.run_once(Some(rec), opts)?;
                    }
                }
            }
            Some(form) => {
                let need = self.need[fx(form)].clone();
                let src = self.src;
                src.each(
                    &Query {
                        form,
                        parent: None,
                        need: &need,
                    },
                    &mut |rec| {
                        if self.start_ok(&rec, opts)? {
                            self.run_once(Some(rec), opts)?;
                        }
                        Ok(true)
                    },
                )?;
            }
        }
        if let Some(p) = &self.pager {
            if !p.pending {
                self.end_page(true)?;
            }
        }
        self.sink.finish()?;
        if let Some(p) = &self.pager {
            self.stats.pages = p.page - p.pending as u32;
        }
        Ok(self.stats)
    }

    fn start_ok(&mut self, rec: &Rc<Record>, opts: &RunOptions) -> Result<bool> {
        let Some(c) = &opts.filter else {
            return Ok(true);
        };
        self.cur = Default::default();
        self.cur[fx(rec.form)] = Some(rec.clone());
        self.cond(c)
    }

    fn run_once(&mut self, rec: Option<Rc<Record>>, opts: &RunOptions) -> Result<()> {
        self.stats.start_records += 1;
        // Ordinary variables start afresh for each start record; @tvar ones persist.
        self.vars.retain(|k, _| k.starts_with("tvar"));
        for (name, value) in &opts.vars {
            let key = name.trim_start_matches('@').to_ascii_lowercase();
            let key = if key.starts_with("var") || key.starts_with("tvar") {
                key
            } else {
                format!("var{key}")
            };
            if key.starts_with("var") || !self.vars.contains_key(&key) {
                self.given.insert(key.clone());
                self.vars.insert(
                    key,
                    Var {
                        ty: VarType::Auto,
                        dims: vec![],
                        cells: vec![Val::Text(value.clone())],
                    },
                );
            }
        }
        self.cur = Default::default();
        self.auto = Default::default();
        if let Some(r) = &rec {
            self.cur[fx(r.form)] = Some(r.clone());
        }
        self.start = rec;
        let body = &self.rep.body;
        self.exec(body)
    }

    fn exec(&mut self, nodes: &'a [Node]) -> Result<()> {
        for n in nodes {
            match n {
                Node::Line { items, span } => self.exec_line(items, *span)?,
                Node::Loop(l) => self.run_loop(l)?,
                Node::If(i) => {
                    let mut done = false;
                    for (c, body) in &i.branches {
                        if self.cond(c)? {
                            self.exec(body)?;
                            done = true;
                            break;
                        }
                    }
                    if !done {
                        if let Some(b) = &i.otherwise {
                            self.exec(b)?;
                        }
                    }
                }
                Node::Declare {
                    var,
                    ty,
                    dims,
                    init,
                } => self.declare(var, *ty, dims, init.as_ref())?,
                Node::Assign { var, op, rhs, ty } => self.assign(var, *op, rhs, *ty)?,
            }
        }
        Ok(())
    }

    fn exec_line(&mut self, items: &'a [Item], span: Span) -> Result<()> {
        self.line.clear();
        let silent = self.render(items, None, span)?;
        self.emit(silent)
    }

    /// Write a line's items into `self.line`. `totals` = render as a loop's total line.
    /// Returns true when the line holds nothing but printer codes (prints no line).
    fn render(
        &mut self,
        items: &'a [Item],
        totals: Option<&[Decimal]>,
        _span: Span,
    ) -> Result<bool> {
        let mut only_codes = true;
        for it in items {
            match it {
                Item::Text(t) => {
                    if !t.trim().is_empty() {
                        only_codes = false;
                    }
                    self.line.text.push_str(t)
                }
                Item::Bold => self.line.marks.push((self.line.text.len(), Mark::Bold)),
                Item::Underline => self
                    .line
                    .marks
                    .push((self.line.text.len(), Mark::Underline)),
                Item::NewPage => {
                    if totals.is_none() {
                        self.break_after = true;
                    }
                }
                Item::Value { op, m, slot, span } => {
                    only_codes = false;
                    if let Some(sums) = totals {
                        match slot {
                            Some(s) => {
                                let d = sums.get(*s).copied().unwrap_or_default();
                                format::write_val(&mut self.line.text, &Val::Money(d), m, true)
                            }
                            None => spaces(&mut self.line.text, m.width().unwrap_or(0)),
                        }
                        continue;
                    }
                    match op {
                        Operand::Field(f) => {
                            let rec = self.record(f.def.form, *span)?;
                            let v = rec.get(f.idx);
                            if let (Some(s), Some(d)) = (slot, v.as_decimal()) {
                                for fr in self.frames.iter_mut().filter(|f| f.totalled) {
                                    if let Some(x) = fr.sums.get_mut(*s) {
                                        *x += d;
                                        fr.summed = true;
                                    }
                                }
                            }
                            if let (Some(p), Value::Text(k)) =
                                (&self.picks[fx(f.def.form)][f.idx], v)
                            {
                                if let Some(t) = p.text_of.get(k) {
                                    format::write_val(
                                        &mut self.line.text,
                                        &Val::Text(t.clone()),
                                        m,
                                        false,
                                    );
                                    continue;
                                }
                            }
                            format::write_field(&mut self.line.text, v, f.def.ty, m);
                        }
                        // The stored key, printed without copying it.
                        Operand::Pv(f) => {
                            let rec = self.record(f.def.form, *span)?;
                            format::write_field(&mut self.line.text, rec.get(f.idx), f.def.ty, m);
                        }
                        Operand::PageNo if self.pager.is_none() => {}
                        _ => {
                            let v = self.value(op, *span)?;
                            let right = !matches!(v, Val::Text(_));
                            format::write_val(&mut self.line.text, &v, m, right);
                        }
                    }
                }
            }
        }
        Ok(only_codes
            && self.line.text.trim().is_empty()
            && items.iter().any(|i| !matches!(i, Item::Text(_))))
    }

    fn emit(&mut self, silent: bool) -> Result<()> {
        if silent {
            // Only printer codes: their effect carries on, no line is printed.
            self.line.text.clear();
            if self.pager.is_some() && !self.line.marks.is_empty() {
                self.sink.line(&LineBuf {
                    text: String::new(),
                    marks: std::mem::take(&mut self.line.marks),
                })?;
                // A zero-height line: the PDF sink applies the toggles only.
            }
            let pending = self.pager.as_ref().is_some_and(|p| p.pending);
            if std::mem::take(&mut self.break_after)
                && !pending
                && self.pager.is_some()
                && !self.in_hf
            {
                self.end_page(false)?;
            }
            return Ok(());
        }
        if self.pager.is_none() {
            self.stats.lines += 1;
            self.break_after = false;
            return self.sink.line(&self.line);
        }
        if self.in_hf {
            self.stats.lines += 1;
            self.sink.line(&self.line)?;
            if let Some(p) = &mut self.pager {
                p.row += 1;
            }
            return Ok(());
        }
        if self.pager.as_ref().is_some_and(|p| p.pending) {
            self.sink.page_break()?;
            if let Some(p) = &mut self.pager {
                p.pending = false;
            }
            let saved = std::mem::take(&mut self.line);
            self.in_hf = true;
            let header = &self.rep.header;
            let r = self.exec(header);
            self.in_hf = false;
            self.line = saved;
            r?;
        }
        self.stats.lines += 1;
        self.sink.line(&self.line)?;
        let full = match &mut self.pager {
            Some(p) => {
                p.row += 1;
                p.row >= p.length.saturating_sub(p.footer_h).max(1)
            }
            None => false,
        };
        if full || std::mem::take(&mut self.break_after) {
            self.break_after = false;
            self.end_page(false)?;
        }
        Ok(())
    }

    /// Close the current page: blank lines down to the footer, the footer, then (unless
    /// `last`) a page break that takes effect when the next line arrives.
    fn end_page(&mut self, last: bool) -> Result<()> {
        let (length, footer_h) = match &self.pager {
            Some(p) => (p.length, p.footer_h),
            None => return Ok(()),
        };
        if !self.rep.footer.is_empty() {
            let blank = LineBuf::default();
            while self
                .pager
                .as_ref()
                .is_some_and(|p| p.row < length.saturating_sub(footer_h))
            {
                self.sink.line(&blank)?;
                if let Some(p) = &mut self.pager {
                    p.row += 1;
                }
            }
            let saved = std::mem::take(&mut self.line);
            self.in_hf = true;
            let footer = &self.rep.footer;
            let r = self.exec(footer);
            self.in_hf = false;
            self.line = saved;
            r?;
        }
        if !last {
            if let Some(p) = &mut self.pager {
                p.page += 1;
                p.row = 0;
                p.pending = true;
            }
        }
        Ok(())
    }

    /// The current record of a form: the innermost loop's, the start record, or the one
    /// a current record belongs to (a debtor's client, the company).
    fn record(&mut self, form: Form, span: Span) -> Result<Rc<Record>> {
        if let Some(r) = &self.cur[fx(form)] {
            return Ok(r.clone());
        }
        const CHILDREN: [Form; 9] = [
            Form::InvoiceLine,
            Form::Transaction,
            Form::Contact,
            Form::Note,
            Form::Phone,
            Form::Cosigner,
            Form::Debtor,
            Form::Statement,
            Form::Client,
        ];
        let mut want = if form == Form::Company {
            Some((None, 1))
        } else {
            None
        };
        if want.is_none() {
            for f in CHILDREN {
                if let Some(r) = &self.cur[fx(f)] {
                    if let Some((of, oid)) = r.owner {
                        if of == form {
                            want = Some((Some((f, r.id)), oid));
                            break;
                        }
                    }
                }
            }
        }
        let Some((via, id)) = want else {
            return Err(self.err(
                span,
                format!(
                    "no current {} record here (use it inside a '@{}' loop or start the report on it)",
                    form.name(),
                    form.code()
                ),
            ));
        };
        if let Some(r) = &self.auto[fx(form)] {
            if r.id == id {
                return Ok(r.clone());
            }
        }
        let need = self.need[fx(form)].clone();
        match self.src.get(form, id, &need)? {
            Some(r) => {
                self.auto[fx(form)] = Some(r.clone());
                Ok(r)
            }
            None => Err(self.err(
                span,
                match via {
                    Some((vf, vid)) => format!(
                        "{} {vid}: its {} {id} does not exist",
                        vf.name().to_lowercase(),
                        form.name().to_lowercase()
                    ),
                    None => format!("{} record {id} does not exist", form.name()),
                },
            )),
        }
    }

    fn run_loop(&mut self, l: &'a LoopNode) -> Result<()> {
        let form = l.kind.form;
        let parent = match l.kind.parent {
            Some(pf) => Some(self.record(pf, l.span)?),
            None => None,
        };
        // A plain loop over the start form iterates the start record only.
        let fixed = match (&self.start, l.kind.parent) {
            (Some(s), None) if s.form == form && !self.frames.iter().any(|f| f.form == form) => {
                Some(s.clone())
            }
            _ => None,
        };
        let sums = if l.no_total { 0 } else { self.rep.slots };
        self.frames.push(Frame {
            form,
            count: 0,
            summed: false,
            sums: vec![Decimal::ZERO; sums],
            totalled: !l.no_total,
        });
        self.sink.loop_open(&l.code)?;
        let prev = self.cur[fx(form)].take();
        let need = self.need[fx(form)].clone();
        let result = if let Some(rec) = fixed {
            self.loop_record(l, rec).map(|_| ())
        } else if l.order.is_empty() {
            let src = self.src;
            src.each(
                &Query {
                    form,
                    parent: parent.as_deref(),
                    need: &need,
                },
                &mut |rec| self.loop_record(l, rec),
            )
        } else {
            let mut recs = Vec::new();
            let src = self.src;
            let r = src.each(
                &Query {
                    form,
                    parent: parent.as_deref(),
                    need: &need,
                },
                &mut |rec| {
                    self.cur[fx(form)] = Some(rec.clone());
                    if self.wheres(l)? {
                        recs.push(rec);
                    }
                    Ok(true)
                },
            );
            r.and_then(|_| {
                recs.sort_by(|a, b| {
                    for k in &l.order {
                        let o = cmp_values(a.get(k.field.idx), b.get(k.field.idx), k.field.def.ty);
                        let o = if k.desc { o.reverse() } else { o };
                        if o != Ordering::Equal {
                            return o;
                        }
                    }
                    a.id.cmp(&b.id)
                });
                for rec in recs {
                    self.cur[fx(form)] = Some(rec);
                    if !self.loop_body(l)? {
                        break;
                    }
                }
                Ok(())
            })
        };
        self.cur[fx(form)] = prev;
        let frame = self.frames.pop();
        result?;
        if let (Some(fr), Some(total)) = (frame, &l.total) {
            if fr.totalled && fr.summed {
                self.line.clear();
                let silent = self.render(total, Some(&fr.sums), l.span)?;
                self.emit(silent)?;
            }
        }
        self.sink.loop_close(&l.code)
    }

    /// One candidate record of a loop: filter, count, run the body. False = stop.
    fn loop_record(&mut self, l: &'a LoopNode, rec: Rc<Record>) -> Result<bool> {
        self.cur[fx(l.kind.form)] = Some(rec);
        if !self.wheres(l)? {
            return Ok(true);
        }
        self.loop_body(l)
    }

    fn loop_body(&mut self, l: &'a LoopNode) -> Result<bool> {
        let count = match self.frames.last_mut() {
            Some(f) => {
                f.count += 1;
                f.count
            }
            None => 0,
        };
        self.exec(&l.body)?;
        Ok(l.max.is_none_or(|m| (count as usize) < m))
    }

    fn wheres(&mut self, l: &'a LoopNode) -> Result<bool> {
        for c in &l.wheres {
            if !self.cond(c)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Does a condition hold over the current records (`cond.rs`: the one evaluator)?
    pub fn cond(&mut self, c: &Cond) -> Result<bool> {
        super::cond::holds(self, c)
    }

    /// The value of an operand.
    pub fn value(&mut self, op: &Operand, span: Span) -> Result<Val> {
        super::cond::value(self, op, span)
    }

    /// What only a report run has: `@t`, `@N`, `@P`, `@PT(…)`, `@CC…OK`.
    fn run_only(&mut self, op: &Operand, span: Span) -> Result<Val> {
        Ok(match op {
            Operand::Date(_) => Val::Text(self.now.format("%H:%M:%S").to_string()),
            Operand::Counter => Val::Num(Decimal::from(
                self.frames
                    .last()
                    .map(|f| f.count)
                    .unwrap_or(self.stats.start_records),
            )),
            Operand::PageNo => match &self.pager {
                Some(p) => Val::Num(Decimal::from(p.page)),
                None => Val::Null,
            },
            Operand::Pt(f, arg) => {
                let key = self.value(arg, span)?.natural();
                let text = self.pick_text(f, &key)?;
                Val::Text(text.unwrap_or(key))
            }
            Operand::Cc(kind) => {
                let rec = self.record(Form::Debtor, span)?;
                let ok = self.src.contact_ok(*kind, &rec, self.today)?;
                Val::Num(Decimal::from(ok as i32))
            }
            _ => return Err(self.err(span, "not a run-time code")),
        })
    }

    fn pick_text(&mut self, f: &FieldRef, key: &str) -> Result<Option<String>> {
        if let Some(p) = &self.picks[fx(f.def.form)][f.idx] {
            return Ok(p.text_of.get(key).cloned());
        }
        // @PT on a field the report does not print: ask the source.
        Ok(self
            .src
            .pick_list(f.def)?
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, t)| t))
    }

    fn var_index(&mut self, v: &VarRef, var_dims: &[usize]) -> Result<usize> {
        if v.index.is_empty() {
            return Ok(0);
        }
        if v.index.len() != var_dims.len() {
            return Err(self.err(
                v.span,
                format!(
                    "'@{}' has {} dimension(s), {} index(es) given",
                    v.key,
                    var_dims.len(),
                    v.index.len()
                ),
            ));
        }
        let mut flat = 0usize;
        for (i, ix) in v.index.iter().enumerate() {
            let n = match ix {
                Index::Lit(n) => *n,
                Index::Var(k) => {
                    let val = self.var_value(&VarRef {
                        key: k.clone(),
                        index: vec![],
                        span: v.span,
                    })?;
                    use rust_decimal::prelude::ToPrimitive;
                    val.decimal().and_then(|d| d.to_usize()).unwrap_or(0)
                }
            };
            if n == 0 || n > var_dims[i] {
                return Err(self.err(
                    v.span,
                    format!("index {n} is outside '@{}' (1..{})", v.key, var_dims[i]),
                ));
            }
            flat = flat * var_dims[i] + (n - 1);
        }
        Ok(flat)
    }

    fn var_value(&mut self, v: &VarRef) -> Result<Val> {
        let dims = match self.vars.get(&v.key) {
            Some(var) => var.dims.clone(),
            None => return Ok(Val::Null),
        };
        if dims.is_empty() && !v.index.is_empty() {
            return Err(self.err(v.span, format!("'@{}' is not an array", v.key)));
        }
        let i = self.var_index(v, &dims)?;
        Ok(self
            .vars
            .get(&v.key)
            .and_then(|var| var.cells.get(i).cloned())
            .unwrap_or_default())
    }

    fn rhs(&mut self, r: &'a Rhs, span: Span) -> Result<Val> {
        match r {
            Rhs::Value(o) => self.value(o, span),
            Rhs::Template(items) => {
                let saved = std::mem::take(&mut self.line);
                // Template text is not printed: currency in it does not count in totals.
                let frames = std::mem::take(&mut self.frames);
                let r = self.render(items, None, span);
                self.frames = frames;
                let text = std::mem::replace(&mut self.line, saved).text;
                r?;
                Ok(Val::Text(text))
            }
            Rhs::Sql(_) => Ok(Val::Null),
        }
    }

    fn declare(
        &mut self,
        var: &VarRef,
        ty: VarType,
        dims: &[usize],
        init: Option<&'a Rhs>,
    ) -> Result<()> {
        if var.is_static() && self.vars.contains_key(&var.key) {
            return Ok(());
        }
        // `--var Name=value` wins over the report's own initial value (typed as declared).
        if dims.is_empty() && self.given.contains(&var.key) {
            if let Some(v) = self.vars.get_mut(&var.key) {
                if v.dims.is_empty() {
                    if let Some(c) = v.cells.first_mut() {
                        let cur = std::mem::take(c);
                        *c = coerce(cur, ty).map_err(|m| rt(var.span, &self.rep.origin, m))?;
                        v.ty = ty;
                        return Ok(());
                    }
                }
            }
        }
        let n: usize = dims
            .iter()
            .try_fold(1usize, |acc, d| acc.checked_mul(*d))
            .unwrap_or(usize::MAX)
            .max(1);
        if n > 1_000_000 {
            return Err(self.err(var.span, "array too large (at most 1,000,000 cells)"));
        }
        if let Some(Rhs::Sql(q)) = init {
            return self.sql_into(var, q);
        }
        let v = match init {
            Some(r) => self.rhs(r, var.span)?,
            None => Val::Null,
        };
        let v = coerce(v, ty).map_err(|m| self.err(var.span, m))?;
        self.vars.insert(
            var.key.clone(),
            Var {
                ty,
                dims: dims.to_vec(),
                cells: vec![v; n],
            },
        );
        Ok(())
    }

    fn sql_into(&mut self, var: &VarRef, q: &str) -> Result<()> {
        let rows = self
            .src
            .sql(q)
            // The place is added; the kind stays (a query over its budget is exit 3).
            .map_err(|e| {
                let kind = e.kind;
                let mut err = self.err(var.span, format!("@SQL: {e}")).with_source(e);
                err.kind = kind;
                err
            })?;
        let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
        let mut cells = Vec::with_capacity(rows.len() * cols);
        for r in &rows {
            for c in 0..cols {
                cells.push(match r.get(c) {
                    Some(v) => Val::from_value(v, FieldType::TextAn),
                    None => Val::Null,
                });
            }
        }
        self.vars.insert(
            var.key.clone(),
            Var {
                ty: VarType::Auto,
                dims: vec![rows.len(), cols],
                cells,
            },
        );
        Ok(())
    }

    fn assign(
        &mut self,
        var: &VarRef,
        op: AssignOp,
        r: &'a Rhs,
        ty: Option<VarType>,
    ) -> Result<()> {
        if let Rhs::Sql(q) = r {
            return self.sql_into(var, q);
        }
        let value = self.rhs(r, var.span)?;
        if !self.vars.contains_key(&var.key) {
            if !var.index.is_empty() {
                return Err(self.err(var.span, format!("array '@{}' is not declared", var.key)));
            }
            self.vars.insert(
                var.key.clone(),
                Var {
                    ty: ty.unwrap_or(VarType::Auto),
                    dims: vec![],
                    cells: vec![Val::Null],
                },
            );
        }
        let dims = self
            .vars
            .get(&var.key)
            .map(|v| v.dims.clone())
            .unwrap_or_default();
        if dims.is_empty() && !var.index.is_empty() {
            return Err(self.err(var.span, format!("'@{}' is not an array", var.key)));
        }
        let i = self.var_index(var, &dims)?;
        let (vty, old) = match self.vars.get(&var.key) {
            Some(v) => (
                ty.unwrap_or(v.ty),
                v.cells.get(i).cloned().unwrap_or_default(),
            ),
            None => return Ok(()),
        };
        let new = match op {
            AssignOp::Set => value,
            AssignOp::Add
                if vty == VarType::Str
                    || matches!((&old, vty), (Val::Text(_), VarType::Auto) if old.decimal().is_none()) =>
            {
                Val::Text(format!("{}{}", old.natural(), value.natural()))
            }
            AssignOp::Add => arith(old, BinOp::Add, value).map_err(|m| self.err(var.span, m))?,
            AssignOp::Sub => arith(old, BinOp::Sub, value).map_err(|m| self.err(var.span, m))?,
            AssignOp::Mul => arith(old, BinOp::Mul, value).map_err(|m| self.err(var.span, m))?,
            AssignOp::Div => arith(old, BinOp::Div, value).map_err(|m| self.err(var.span, m))?,
        };
        let new = coerce(new, vty).map_err(|m| self.err(var.span, m))?;
        if let Some(v) = self.vars.get_mut(&var.key) {
            v.ty = vty;
            if let Some(c) = v.cells.get_mut(i) {
                *c = new;
            }
        }
        Ok(())
    }
}
