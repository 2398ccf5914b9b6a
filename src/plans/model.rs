//! Plan files (`plans/CODE.toml`, docs/plans-and-letters.md), checked on load.

use std::path::Path;

use chrono::NaiveTime;
use serde::Deserialize;
use toml::Spanned;

use super::schedule::Schedule;
use crate::catalog;
use crate::tomlutil::{config_error_at, toml_error, Dec};
use crate::{Error, Result};

/// The event types of docs/plans-and-letters.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    Letter,
    Phone,
    Review,
    Promise,
    Other,
    Status,
    Close,
    Activate,
    Note,
    Operator,
    Sales,
    Rate,
    RatePlan,
    Plan,
    Transaction,
    Email,
    Odbc,
}

impl EventType {
    pub fn parse(s: &str) -> Option<EventType> {
        use EventType::*;
        Some(match s.to_ascii_lowercase().as_str() {
            "letter" => Letter,
            "phone" => Phone,
            "review" => Review,
            "promise" => Promise,
            "other" => Other,
            "status" => Status,
            "close" => Close,
            "activate" => Activate,
            "note" => Note,
            "operator" => Operator,
            "sales" => Sales,
            "rate" => Rate,
            "rate_plan" => RatePlan,
            "plan" => Plan,
            "transaction" => Transaction,
            "email" => Email,
            "odbc" => Odbc,
            _ => return None,
        })
    }

    /// The contact type written to `co.ty`.
    pub fn name(self) -> &'static str {
        use EventType::*;
        match self {
            Letter => "Letter",
            Phone => "Phone",
            Review => "Review",
            Promise => "Promise",
            Other => "Other",
            Status => "Status",
            Close => "Close",
            Activate => "Activate",
            Note => "Note",
            Operator => "Operator",
            Sales => "Sales",
            Rate => "Rate",
            RatePlan => "RatePlan",
            Plan => "Plan",
            Transaction => "Transaction",
            Email => "Email",
            Odbc => "ODBC",
        }
    }

    pub fn from_contact_type(s: &str) -> Option<EventType> {
        if s.eq_ignore_ascii_case("rateplan") {
            return Some(EventType::RatePlan);
        }
        EventType::parse(s)
    }

    /// Automatic events: carried out by the engine (now, or by `batch contacts` when
    /// scheduled later). The others (letters, phone calls, reviews, promises, emails)
    /// are work for people and stay as contacts.
    pub fn is_automatic(self) -> bool {
        use EventType::*;
        matches!(
            self,
            Status
                | Close
                | Activate
                | Note
                | Operator
                | Sales
                | Rate
                | RatePlan
                | Plan
                | Transaction
                | Odbc
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub field: &'static catalog::FieldDef,
    pub op: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct Event {
    pub kind: EventType,
    pub description: String,
    pub schedule: Schedule,
    pub time: Option<NaiveTime>,
    pub delay_minutes: i64,
    pub priority: i64,
    pub operator: String,
    pub delete_same_type: bool,
    pub same_description_only: bool,
    pub schedule_if: Option<Condition>,
    pub attachment: String,
    pub amount: Option<rust_decimal::Decimal>,
    pub type_code: String,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub code: String,
    pub description: String,
    pub delete_all_pending: bool,
    pub events: Vec<Event>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    code: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    delete_all_pending: bool,
    #[serde(default)]
    event: Vec<EventFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventFile {
    r#type: Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    schedule: Option<Spanned<String>>,
    #[serde(default)]
    days: i64,
    time: Option<Spanned<String>>,
    #[serde(default)]
    delay_minutes: i64,
    #[serde(default)]
    priority: i64,
    #[serde(default)]
    operator: String,
    #[serde(default)]
    delete_same_type: bool,
    #[serde(default)]
    same_description_only: bool,
    schedule_if: Option<Spanned<ConditionFile>>,
    #[serde(default)]
    attachment: String,
    amount: Option<Dec>,
    #[serde(default)]
    type_code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConditionFile {
    field: String,
    #[serde(default = "eq")]
    op: String,
    value: toml::Value,
}

fn eq() -> String {
    "=".into()
}

/// Parse and check a plan; `path` names it in errors (exit 2 with line:column).
pub fn parse_plan(path: &Path, src: &str) -> Result<Plan> {
    let f: PlanFile = toml::from_str(src).map_err(|e| toml_error(path, src, &e))?;
    let at = |sp: std::ops::Range<usize>, msg: String| config_error_at(path, src, sp.start, msg);
    let mut events = Vec::new();
    for e in f.event {
        let ty = e.r#type.get_ref();
        if ty.eq_ignore_ascii_case("metro") {
            // "Metro contacts should never be created in a contact plan" (S2:1319-1321)
            return Err(at(e.r#type.span(), "a metro event cannot be part of a contact plan (S2:1319-1321); Metro contacts are written when a Metro 2 file is generated and marked done".into()));
        }
        let Some(kind) = EventType::parse(ty) else {
            return Err(at(e.r#type.span(), format!("unknown event type '{ty}'")));
        };
        if kind == EventType::Odbc {
            if !crate::sync::AVAILABLE {
                return Err(at(e.r#type.span(), "this recoup was built without ODBC (cargo feature `odbc`); an odbc event cannot run".into()));
            }
            if crate::sync::Op::parse(&e.description).is_none() || e.attachment.trim().is_empty() {
                return Err(at(e.r#type.span(), "an odbc event needs description INSERT, UPDATE or DELETE and the sync pair's name in attachment (S0)".into()));
            }
        }
        let schedule = match e
            .schedule
            .as_ref()
            .map(|s| s.get_ref().as_str())
            .unwrap_or("immediately")
        {
            "immediately" => Schedule::Immediately,
            "delay_days" => Schedule::DelayDays(e.days),
            "day_of_month" => {
                if !(0..=31).contains(&e.days) {
                    return Err(Error::config(format!(
                        "{}: day_of_month needs days between 1 and 31",
                        path.display()
                    )));
                }
                Schedule::DayOfMonth(e.days as u32)
            }
            "next_month_same_day" => Schedule::NextMonthSameDay,
            other => {
                let span = e.schedule.as_ref().map_or(0..0, |s| s.span());
                return Err(at(span, format!("unknown schedule '{other}' (immediately, delay_days, day_of_month, next_month_same_day)")));
            }
        };
        let time = match &e.time {
            None => None,
            Some(t) if t.get_ref().is_empty() => None,
            Some(t) => Some(
                NaiveTime::parse_from_str(t.get_ref(), "%H:%M")
                    .map_err(|_| at(t.span(), format!("time '{}' is not HH:MM", t.get_ref())))?,
            ),
        };
        let schedule_if = match &e.schedule_if {
            None => None,
            Some(c) => {
                let cf = c.get_ref();
                let field = catalog::by_code(&cf.field).ok_or_else(|| {
                    at(
                        c.span(),
                        format!(
                            "schedule_if: unknown field code '{}'{}",
                            cf.field,
                            catalog::did_you_mean(&cf.field)
                        ),
                    )
                })?;
                if !matches!(cf.op.as_str(), "=" | "<>" | "<" | ">" | "<=" | ">=") {
                    return Err(at(
                        c.span(),
                        format!("schedule_if: unknown operator '{}'", cf.op),
                    ));
                }
                let value = match &cf.value {
                    toml::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Some(Condition {
                    field,
                    op: cf.op.clone(),
                    value,
                })
            }
        };
        if matches!(kind, EventType::Transaction) && e.type_code.trim().is_empty() {
            return Err(at(
                e.r#type.span(),
                "a transaction event needs type_code".into(),
            ));
        }
        if matches!(kind, EventType::Plan)
            && e.type_code.trim().is_empty()
            && e.description.trim().is_empty()
        {
            return Err(at(
                e.r#type.span(),
                "a plan event needs the sub-plan's code in type_code".into(),
            ));
        }
        events.push(Event {
            kind,
            description: e.description,
            schedule,
            time,
            delay_minutes: e.delay_minutes,
            priority: e.priority,
            operator: e.operator,
            delete_same_type: e.delete_same_type,
            same_description_only: e.same_description_only,
            schedule_if,
            attachment: e.attachment,
            amount: e.amount.map(|d| d.0),
            type_code: e.type_code,
        });
    }
    Ok(Plan {
        code: f.code,
        description: f.description,
        delete_all_pending: f.delete_all_pending,
        events,
    })
}
