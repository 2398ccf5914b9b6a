//! What the report language's run-time values mean, wherever they meet: how two values
//! compare (conditions, `orderby`), how they add and subtract (expressions), how a date
//! code counts from today, and how a value becomes a variable's declared type. The
//! report run (`eval.rs`) and the condition evaluator (`cond.rs`) both use these.

use std::cmp::Ordering;

use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::Decimal;

use super::ast::{parse_date_literal, BinOp, DateCode, DateUnit, VarType};
use super::format::Val;

/// `@d @w @m @y` with arithmetic (Collect! help, Report Writer: dates and times).
pub fn date_code(dc: DateCode, today: NaiveDate) -> Option<NaiveDate> {
    let base = match dc.unit {
        DateUnit::Day => today.checked_add_signed(chrono::Duration::days(dc.units as i64))?,
        DateUnit::Week => {
            // Weeks start on Sunday.
            let sunday = today - Days::new(today.weekday().num_days_from_sunday() as u64);
            sunday.checked_add_signed(chrono::Duration::weeks(dc.units as i64))?
        }
        DateUnit::Month => {
            let first = today.with_day(1)?;
            if dc.units >= 0 {
                first.checked_add_months(Months::new(dc.units as u32))?
            } else {
                first.checked_sub_months(Months::new(dc.units.unsigned_abs()))?
            }
        }
        DateUnit::Year => {
            let first = NaiveDate::from_ymd_opt(today.year(), 1, 1)?;
            first.with_year(first.year().checked_add(dc.units)?)?
        }
        DateUnit::Time => today,
    };
    base.checked_add_signed(chrono::Duration::days(dc.days as i64))
}

fn truthy_text(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "1" | "true" | "x" => Some(true),
        "no" | "n" | "0" | "false" | "" => Some(false),
        _ => None,
    }
}

/// Compare two run-time values the way conditions do: numbers numerically, dates as
/// dates, flags as Yes/No, text case-insensitively (numeric text numerically).
pub fn compare(a: &Val, b: &Val) -> Option<Ordering> {
    match (a, b) {
        (Val::Money(x) | Val::Pct(x) | Val::Num(x), _) => Some(x.cmp(&b.decimal()?)),
        (_, Val::Money(_) | Val::Pct(_) | Val::Num(_)) => compare(b, a).map(Ordering::reverse),
        (Val::Date(x), Val::Date(y)) => Some(x.cmp(y)),
        (Val::Date(x), Val::Text(s)) => Some(x.cmp(&parse_date_literal(s)?)),
        (Val::Text(_) | Val::Null, Val::Date(_)) => compare(b, a).map(Ordering::reverse),
        (Val::Date(_), Val::Null) => Some(Ordering::Greater),
        (Val::Flag(x), _) => {
            let y = match b {
                Val::Flag(y) => *y,
                Val::Text(s) => truthy_text(s)?,
                Val::Null => false,
                _ => return None,
            };
            Some(x.cmp(&y))
        }
        (_, Val::Flag(_)) => compare(b, a).map(Ordering::reverse),
        _ => {
            let sa = text_of(a);
            let sb = text_of(b);
            let num = |s: &str| {
                let t = s.trim();
                if !t.is_empty()
                    && t.chars()
                        .all(|c| c.is_ascii_digit() || c == '.' || c == '-')
                {
                    t.parse::<Decimal>().ok()
                } else {
                    None
                }
            };
            if let (Some(x), Some(y)) = (num(sa), num(sb)) {
                return Some(x.cmp(&y));
            }
            Some(cmp_ci(sa, sb))
        }
    }
}

fn text_of(v: &Val) -> &str {
    match v {
        Val::Text(s) => s.trim(),
        _ => "",
    }
}

pub(crate) fn cmp_ci(a: &str, b: &str) -> Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

/// Arithmetic on run-time values: money stays money, dates move by days.
pub fn arith(a: Val, op: BinOp, b: Val) -> std::result::Result<Val, String> {
    use rust_decimal::prelude::ToPrimitive;
    match (&a, &b) {
        (Val::Date(d), _) if !matches!(b, Val::Date(_)) => {
            let n = b
                .decimal()
                .and_then(|n| n.trunc().to_i64())
                .ok_or("a date moves by a number of days")?;
            let n = match op {
                BinOp::Add => n,
                BinOp::Sub => -n,
                _ => return Err("dates can only be added to or subtracted from".into()),
            };
            return d
                .checked_add_signed(chrono::Duration::days(n))
                .map(Val::Date)
                .ok_or_else(|| "date arithmetic out of range".into());
        }
        (Val::Date(x), Val::Date(y)) if op == BinOp::Sub => {
            return Ok(Val::Num(Decimal::from((*x - *y).num_days())));
        }
        (_, Val::Date(_)) | (Val::Date(_), _) => return Err("dates can only be subtracted".into()),
        _ => {}
    }
    let x = a
        .decimal()
        .ok_or_else(|| format!("'{}' is not a number", a.natural()))?;
    let y = b
        .decimal()
        .ok_or_else(|| format!("'{}' is not a number", b.natural()))?;
    let money = matches!(a, Val::Money(_)) || matches!(b, Val::Money(_));
    let r = match op {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mul => x.checked_mul(y),
        BinOp::Div => {
            if y.is_zero() {
                return Err("division by zero".into());
            }
            x.checked_div(y)
        }
    }
    .ok_or("arithmetic overflow")?;
    let money =
        money && !(op == BinOp::Div && matches!(b, Val::Money(_)) && matches!(a, Val::Money(_)));
    Ok(if money { Val::Money(r) } else { Val::Num(r) })
}

/// Convert a value to a variable's declared type.
pub fn coerce(v: Val, ty: VarType) -> std::result::Result<Val, String> {
    let num = |v: &Val| {
        v.decimal()
            .ok_or_else(|| format!("'{}' is not a number", v.natural()))
    };
    Ok(match ty {
        VarType::Auto => v,
        VarType::Int => Val::Num(num(&v)?.trunc()),
        VarType::Float => Val::Num(num(&v)?),
        VarType::Money => Val::Money(num(&v)?),
        VarType::Date => match v {
            Val::Date(_) | Val::Null => v,
            Val::Text(s) if s.trim().is_empty() => Val::Null,
            Val::Text(s) => {
                Val::Date(parse_date_literal(&s).ok_or_else(|| format!("'{s}' is not a date"))?)
            }
            other => return Err(format!("'{}' is not a date", other.natural())),
        },
        VarType::Str => match v {
            Val::Text(_) => v,
            Val::Null => Val::Text(String::new()),
            other => Val::Text(other.natural()),
        },
    })
}
