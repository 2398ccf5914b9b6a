//! What a condition means: the one evaluator of the report language's conditions
//! (`@if`, loop `where`, and every `--where`: report run, export, plan run, sync).
//!
//! A report run evaluates conditions over its current records (`eval.rs`); a
//! `--where` filter over the records of one exported row or one debtor
//! (`filter.rs`). Both answer through [`holds`], so a condition compares the same way
//! wherever it is written (Collect! help, Report Writer — conditional printing:
//! numbers numerically, dates as dates, text without regard to case).

use std::cmp::Ordering;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::ast::{BinOp, CmpOp, Cond, DateUnit, Expr, FieldRef, Operand, Span, VarRef};
use super::format::Val;
use super::values::{arith, cmp_ci, compare, date_code};
use crate::catalog::FieldType;
use crate::{Error, Result};

/// What a condition reads: the current records' fields and their pick lists, and what
/// only a report run has (variables, counters, contact controls).
pub trait Scope {
    /// The date `@d`, `@m`, … count from.
    fn today(&self) -> NaiveDate;
    /// A field's stored value (for a pick-list field, the key).
    fn stored(&mut self, f: &FieldRef, span: Span) -> Result<Val>;
    /// The key of the pick-list entry of `f` whose text is `text` (any case).
    fn pick_key(&self, f: &FieldRef, text: &str) -> Option<String>;
    /// The text of the pick-list entry of `f` whose key is `key`.
    fn pick_text(&self, f: &FieldRef, key: &str) -> Option<String>;
    /// `@varX`, `@tvarX`.
    fn var(&mut self, v: &VarRef) -> Result<Val>;
    /// `@N`, `@P`, `@PT(…)`, `@CC…OK` and `@t`.
    fn special(&mut self, op: &Operand, span: Span) -> Result<Val>;
    /// An evaluation error at `span`.
    fn error(&self, span: Span, msg: &str) -> Error;
}

/// Does the condition hold?
pub fn holds<S: Scope + ?Sized>(s: &mut S, c: &Cond) -> Result<bool> {
    match c {
        Cond::And(v) => {
            for c in v {
                if !holds(s, c)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Cond::Or(v) => {
            for c in v {
                if holds(s, c)? {
                    return Ok(true);
                }
            }
            Ok(v.is_empty())
        }
        Cond::Truthy(o, span) => Ok(!value(s, o, *span)?.is_blank()),
        Cond::Cmp {
            lhs,
            op,
            rhs,
            upper,
            span,
        } => {
            // Pick-list fields compare by stored key; the text is accepted too.
            let (a, pick) = match lhs {
                Operand::Field(f) => (s.stored(f, *span)?, Some(f)),
                _ => (value(s, lhs, *span)?, None),
            };
            let b = value(s, rhs, *span)?;
            let b = to_key(s, pick, b);
            match upper {
                None => Ok(compared(&a, *op, &b)),
                Some(u) => {
                    let u = value(s, u, *span)?;
                    let u = to_key(s, pick, u);
                    let inside = in_range(&a, &b, &u);
                    Ok(if *op == CmpOp::Ne { !inside } else { inside })
                }
            }
        }
    }
}

/// A text compared with a pick-list field: its key when it is one of the list's texts.
fn to_key<S: Scope + ?Sized>(s: &S, pick: Option<&FieldRef>, v: Val) -> Val {
    match (pick, v) {
        (Some(f), Val::Text(t)) => match s.pick_key(f, &t) {
            Some(k) => Val::Text(k),
            None => Val::Text(t),
        },
        (_, v) => v,
    }
}

/// `a op b`; values that cannot be compared (a date with a number) are only unequal.
fn compared(a: &Val, op: CmpOp, b: &Val) -> bool {
    match (op, compare(a, b)) {
        (CmpOp::Ne, None) => true,
        (_, None) => false,
        (CmpOp::Eq, Some(o)) => o == Ordering::Equal,
        (CmpOp::Ne, Some(o)) => o != Ordering::Equal,
        (CmpOp::Lt, Some(o)) => o == Ordering::Less,
        (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
        (CmpOp::Le, Some(o)) => o != Ordering::Greater,
        (CmpOp::Ge, Some(o)) => o != Ordering::Less,
    }
}

/// `a = lo .. hi`, both ends included.
fn in_range(a: &Val, lo: &Val, hi: &Val) -> bool {
    let lo_ok = compare(a, lo).is_some_and(|o| o != Ordering::Less);
    // Text ranges include every value starting with the upper bound
    // (`A .. M` includes "Miller").
    let hi_cmp = match (a, hi) {
        (Val::Text(s), Val::Text(t))
            if compare(a, hi).is_some_and(|o| o == Ordering::Greater)
                && s.trim().parse::<Decimal>().is_err() =>
        {
            let n = t.trim().chars().count();
            let prefix: String = s.trim().chars().take(n).collect();
            Some(cmp_ci(&prefix, t.trim()))
        }
        _ => compare(a, hi),
    };
    lo_ok && hi_cmp.is_some_and(|o| o != Ordering::Greater)
}

/// The value of an operand.
pub fn value<S: Scope + ?Sized>(s: &mut S, op: &Operand, span: Span) -> Result<Val> {
    Ok(match op {
        Operand::Field(f) => {
            let v = s.stored(f, span)?;
            if let Val::Text(k) = &v {
                if let Some(t) = s.pick_text(f, k) {
                    return Ok(Val::Text(t));
                }
            }
            v
        }
        Operand::Pv(f) => s.stored(f, span)?,
        Operand::Var(v) => s.var(v)?,
        Operand::Expr(e) => expr(s, e, span)?,
        Operand::Date(dc) if dc.unit != DateUnit::Time => match date_code(*dc, s.today()) {
            Some(d) => Val::Date(d),
            None => return Err(s.error(span, "date arithmetic out of range")),
        },
        Operand::Lit(text) => Val::Text(text.clone()),
        Operand::Date(_)
        | Operand::Counter
        | Operand::PageNo
        | Operand::Pt(..)
        | Operand::Cc(_) => s.special(op, span)?,
    })
}

/// `@( … )` arithmetic.
pub fn expr<S: Scope + ?Sized>(s: &mut S, e: &Expr, span: Span) -> Result<Val> {
    Ok(match e {
        Expr::Num(d) => Val::Num(*d),
        Expr::Field(f) => match s.stored(f, span)? {
            Val::Text(t) if f.def.ty == FieldType::TextN => {
                Val::Num(t.trim().parse().unwrap_or_default())
            }
            v => v,
        },
        Expr::Var(v) => s.var(v)?,
        Expr::Date(dc) => match date_code(*dc, s.today()) {
            Some(d) => Val::Date(d),
            None => return Err(s.error(span, "date arithmetic out of range")),
        },
        Expr::Neg(a) => {
            let v = expr(s, a, span)?;
            arith(Val::Num(Decimal::ZERO), BinOp::Sub, v).map_err(|m| s.error(span, &m))?
        }
        Expr::Bin(a, op, b) => {
            let x = expr(s, a, span)?;
            let y = expr(s, b, span)?;
            arith(x, *op, y).map_err(|m| s.error(span, &m))?
        }
    })
}
