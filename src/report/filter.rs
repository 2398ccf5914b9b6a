//! `--where`: one filter language for every command that selects records (report run,
//! export, plan run, sync). It is the report language's condition (Collect! help,
//! Report Writer — conditional printing; docs/report-language.md, Conditions): parsed
//! by the report lexer, evaluated by `cond.rs`. A report run evaluates it over its
//! start record; the other commands over the records of one row — a record and the
//! records that own it (a transaction, its debtor and the debtor's client).

use std::collections::HashMap;

use crate::store::Db;
use chrono::NaiveDate;

use super::ast::{Cond, Expr, FieldRef, Node, Operand, Span, VarRef};
use super::cond::{self, Scope};
use super::format::Val;
use super::lexer::field_ref;
use super::source::DataSource;
use crate::catalog::{FieldDef, Form, Value};
use crate::store::report_source::SqliteSource;
use crate::store::FieldValues;
use crate::{Error, Result};

/// A parsed `--where` condition.
#[derive(Debug, Clone)]
pub struct Filter {
    cond: Cond,
}

impl Filter {
    /// Parse with the report language's condition parser: `@de.sta = NEW`,
    /// `(@de.sta = NEW) and (@de.ow > 100)`, `or`, nesting (at most 256 levels),
    /// ranges `a .. b`. A field code written without its `@` is refused (it would
    /// compare the code's own text and select nothing).
    pub fn parse(text: &str) -> Result<Filter> {
        let cond = super::parse_condition(text)?;
        let mut bare = None;
        visit(&cond, &mut |op, span| {
            if let Operand::Lit(t) = op {
                if bare.is_none() && field_ref(t.trim()).is_some() {
                    bare = Some((t.trim().to_string(), span));
                }
            }
        });
        if let Some((code, span)) = bare {
            return Err(Error::config(format!(
                "condition '{text}': column {}: '{code}' is a field code; write @{code}",
                span.col
            )));
        }
        Ok(Filter { cond })
    }

    pub fn cond(&self) -> &Cond {
        &self.cond
    }

    pub fn into_cond(self) -> Cond {
        self.cond
    }

    /// Every catalogue field the condition reads, once each, in order of appearance.
    pub fn fields(&self) -> Vec<&'static FieldDef> {
        let mut out: Vec<&'static FieldDef> = Vec::new();
        let node = Node::If(Box::new(super::ast::IfNode {
            branches: vec![(self.cond.clone(), vec![])],
            otherwise: None,
            span: Span::default(),
        }));
        super::eval::walk_fields(std::slice::from_ref(&node), &mut |f| {
            if !out.iter().any(|g| std::ptr::eq(*g, f.def)) {
                out.push(f.def);
            }
        });
        out
    }

    /// The first field the condition reads that is outside `readable` (the forms of
    /// the records each tested row holds), to be refused naming it.
    pub fn unreadable(&self, readable: &[Form]) -> Option<&'static FieldDef> {
        self.fields()
            .into_iter()
            .find(|f| !readable.contains(&f.form))
    }

    /// Ready to test stored records: refuses what only a report run has (variables,
    /// `@N`, `@P`, `@PT`, contact controls, `@t`) and loads the pick lists of the
    /// fields read, so a pick-list field matches its key or its text as in a report.
    /// Without `today` (a caller with no date) date codes are refused.
    pub fn for_records(&self, conn: &Db, today: Option<NaiveDate>) -> Result<Matcher<'_>> {
        let mut refused = None;
        let mut dated = None;
        visit(&self.cond, &mut |op, span| {
            if refused.is_none() && !record_operand(op) {
                refused = Some(span);
            }
            if dated.is_none() && has_date_code(op) {
                dated = Some(span);
            }
        });
        if let (None, Some(span)) = (today, dated) {
            return Err(Error::config(format!(
                "condition: column {}: date codes need today's date here",
                span.col
            )));
        }
        if let Some(span) = refused {
            return Err(Error::config(format!(
                "condition: column {}: only fields, values, date codes (@d, @m-1 …) and @( … ) \
                 can be used here; variables, @N, @P, @PT, @t and contact controls need a report",
                span.col
            )));
        }
        let src = SqliteSource::new(conn);
        let mut picks = Vec::new();
        for f in self.fields() {
            let list = src.pick_list(f)?;
            if !list.is_empty() {
                picks.push(Pick {
                    field: f,
                    key_of: list
                        .iter()
                        .map(|(k, t)| (t.to_lowercase(), k.clone()))
                        .collect(),
                    text_of: list.into_iter().collect(),
                });
            }
        }
        Ok(Matcher {
            cond: &self.cond,
            picks,
            today: today.unwrap_or_default(),
        })
    }
}

/// Can this operand be read from stored records alone?
fn record_operand(op: &Operand) -> bool {
    match op {
        Operand::Field(_) | Operand::Pv(_) | Operand::Lit(_) => true,
        Operand::Date(dc) => dc.unit != super::ast::DateUnit::Time,
        Operand::Expr(e) => !expr_has_var(e),
        Operand::Var(_) | Operand::Counter | Operand::PageNo | Operand::Pt(..) | Operand::Cc(_) => {
            false
        }
    }
}

fn has_date_code(op: &Operand) -> bool {
    fn in_expr(e: &Expr) -> bool {
        match e {
            Expr::Date(_) => true,
            Expr::Neg(a) => in_expr(a),
            Expr::Bin(a, _, b) => in_expr(a) || in_expr(b),
            Expr::Num(_) | Expr::Field(_) | Expr::Var(_) => false,
        }
    }
    match op {
        Operand::Date(_) => true,
        Operand::Expr(e) => in_expr(e),
        _ => false,
    }
}

fn expr_has_var(e: &Expr) -> bool {
    match e {
        Expr::Var(_) => true,
        Expr::Neg(a) => expr_has_var(a),
        Expr::Bin(a, _, b) => expr_has_var(a) || expr_has_var(b),
        Expr::Num(_) | Expr::Field(_) | Expr::Date(_) => false,
    }
}

/// Each operand of each comparison, with the comparison's place.
fn visit(c: &Cond, f: &mut dyn FnMut(&Operand, Span)) {
    match c {
        Cond::And(v) | Cond::Or(v) => v.iter().for_each(|c| visit(c, f)),
        Cond::Truthy(o, span) => f(o, *span),
        Cond::Cmp {
            lhs,
            rhs,
            upper,
            span,
            ..
        } => {
            f(lhs, *span);
            f(rhs, *span);
            if let Some(u) = upper {
                f(u, *span);
            }
        }
    }
}

/// A `--where` ready to test rows of stored records.
pub struct Matcher<'f> {
    cond: &'f Cond,
    /// Pick lists of the fields read (as a report run keeps them, `eval.rs`).
    picks: Vec<Pick>,
    today: NaiveDate,
}

struct Pick {
    field: &'static FieldDef,
    /// Lower-cased text → key.
    key_of: HashMap<String, String>,
    /// Key → text.
    text_of: HashMap<String, String>,
}

impl Matcher<'_> {
    fn pick(&self, f: &FieldRef) -> Option<&Pick> {
        self.picks.iter().find(|p| std::ptr::eq(p.field, f.def))
    }
}

impl Matcher<'_> {
    /// Does the row meet the condition? `recs` are the row's records, the record
    /// itself first, then its owners; a field is read from the first that has it.
    pub fn accepts(&self, recs: &[&FieldValues]) -> Result<bool> {
        cond::holds(&mut RowScope { m: self, recs }, self.cond)
    }
}

struct RowScope<'m, 'r> {
    m: &'m Matcher<'m>,
    recs: &'r [&'r FieldValues],
}

impl Scope for RowScope<'_, '_> {
    fn today(&self) -> NaiveDate {
        self.m.today
    }
    fn stored(&mut self, f: &FieldRef, _span: Span) -> Result<Val> {
        let v = self
            .recs
            .iter()
            .find_map(|vals| vals.iter().find(|(g, _)| *g == f.def).map(|(_, v)| v))
            .unwrap_or(&Value::Null);
        Ok(Val::from_value(v, f.def.ty))
    }
    fn pick_key(&self, f: &FieldRef, text: &str) -> Option<String> {
        self.m.pick(f)?.key_of.get(&text.to_lowercase()).cloned()
    }
    fn pick_text(&self, f: &FieldRef, key: &str) -> Option<String> {
        self.m.pick(f)?.text_of.get(key).cloned()
    }
    fn var(&mut self, v: &VarRef) -> Result<Val> {
        Err(self.error(v.span, "variables need a report"))
    }
    fn special(&mut self, _op: &Operand, span: Span) -> Result<Val> {
        Err(self.error(span, "this code needs a report"))
    }
    fn error(&self, span: Span, msg: &str) -> Error {
        Error::runtime(format!("condition: column {}: {msg}", span.col))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_report_condition_and_lists_its_fields() {
        let f = Filter::parse("(@de.sta = NEW) or ((@de.ow > 100) and (@cl.nu = 1 .. 3))").unwrap();
        let codes: Vec<String> = f.fields().iter().map(|f| f.code()).collect();
        assert_eq!(codes, ["de.sta", "de.ow", "cl.nu"]);
        assert!(matches!(f.cond(), Cond::Or(v) if v.len() == 2));
        assert_eq!(f.unreadable(&[Form::Debtor, Form::Client]), None);
        let f = Filter::parse("@de.sta = NEW and @tr.ty = 101").unwrap();
        assert_eq!(
            f.unreadable(&[Form::Debtor, Form::Client])
                .map(|f| f.code()),
            Some("tr.ty".to_string())
        );
    }

    #[test]
    fn refuses_a_field_code_without_its_at_sign() {
        let e = Filter::parse("(@de.ac = 1) and (de.sta = NEW)").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            e.message,
            "condition '(@de.ac = 1) and (de.sta = NEW)': column 19: 'de.sta' is a field code; write @de.sta"
        );
        let e = Filter::parse("(@de.zz = 1)").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.message.contains("unknown field code 'de.zz'"),
            "{}",
            e.message
        );
    }
}
