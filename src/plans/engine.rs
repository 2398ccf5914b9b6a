//! The contact plan engine (S2:1237-1329; docs/plans-and-letters.md): deletes pending contacts, works
//! out each event's date and time, then processes the events in the ten groups of
//! S2:1291-1329, each group in plan order.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;

use super::model::{parse_plan, Condition, Event, EventType, Plan};
use super::schedule::{contact_date, contact_time};
use crate::catalog::{FieldType, Form};
use crate::dates::Calendar;
use crate::money::{Ledger, NewTransaction};
use crate::store::contacts::{self, NewContact, PendingContacts};
use crate::store::debtors::debtor_status_operator;
use crate::store::{self, settings, Db};
use crate::{bail, Env, Error, Result};

/// Shipped plans, used when the home directory has no file of that code.
const SHIPPED: &[(&str, &str)] = &[
    ("NEW", include_str!("../../plans/NEW.toml")),
    ("CLO", include_str!("../../plans/CLO.toml")),
    ("PIF", include_str!("../../plans/PIF.toml")),
    ("L1", include_str!("../../plans/L1.toml")),
];

/// What a command's plan runs did, for its summary. The JSON keys are the `--json`
/// ones; the text is the indented lines under [`PlanReport`]'s title.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PlanSummary {
    /// Plan runs by plan code.
    pub runs: BTreeMap<String, usize>,
    /// Events carried out now, by contact type.
    pub executed: BTreeMap<String, usize>,
    /// Contacts scheduled for people or for later, by contact type.
    pub scheduled: BTreeMap<String, usize>,
    /// Events whose schedule_if did not hold; `--json` nests it by reason, leaving
    /// room for other reasons to skip.
    #[serde(rename = "skipped", serialize_with = "by_schedule_if")]
    pub skipped_by_condition: usize,
    pub deleted_contacts: usize,
}

fn by_schedule_if<S: serde::Serializer>(n: &usize, s: S) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(1))?;
    m.serialize_entry("schedule_if", n)?;
    m.end()
}

impl fmt::Display for PlanSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (plan, n) in &self.runs {
            writeln!(f, "  plan {plan:<8} ran {n} time(s)")?;
        }
        for (ty, n) in &self.executed {
            writeln!(f, "  done now   {ty:<12} {n}")?;
        }
        for (ty, n) in &self.scheduled {
            writeln!(f, "  scheduled  {ty:<12} {n}")?;
        }
        if self.skipped_by_condition > 0 {
            writeln!(f, "  skipped by schedule_if: {}", self.skipped_by_condition)?;
        }
        if self.deleted_contacts > 0 {
            writeln!(f, "  pending contacts deleted: {}", self.deleted_contacts)?;
        }
        Ok(())
    }
}

/// A plan command's summary: how many debtors it worked on, then what the plans did.
/// The title names the command's work (`plan NEW`, `automatic contacts processed`).
#[derive(Debug, Serialize)]
pub struct PlanReport<'a> {
    #[serde(skip)]
    pub title: &'a str,
    pub debtors: usize,
    #[serde(flatten)]
    pub summary: &'a PlanSummary,
}

impl fmt::Display for PlanReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {} debtor(s)", self.title, self.debtors)?;
        write!(f, "{}", self.summary)
    }
}

/// Runs plans for one command: caches plans, runs each plan at most once per debtor
/// (so status plans cannot loop), and posts transactions through one ledger.
pub struct PlanRunner {
    home: PathBuf,
    today: NaiveDate,
    now: NaiveTime,
    calendar: Calendar,
    plans: HashMap<String, Plan>,
    ran: HashSet<(i64, String)>,
    ledger: Ledger,
    /// Set while processing automatic contacts previously scheduled (S3:59).
    batch_mode: bool,
    pub summary: PlanSummary,
    /// ODBC events due now: (debtor, pair, operation). They run after the local
    /// database commit (docs/plans-and-letters.md), through `crate::sync::run_pending`.
    pub pending_odbc: Vec<crate::sync::PendingOdbc>,
}

struct Due<'e> {
    event: &'e Event,
    date: NaiveDate,
    time: Option<NaiveTime>,
}

impl PlanRunner {
    pub fn new(conn: &Db, env: &Env) -> Result<PlanRunner> {
        let holidays: HashSet<NaiveDate> = store::types::holidays(conn)?
            .into_iter()
            .map(|h| h.date)
            .collect();
        let schedule_on_weekends =
            settings::get_bool(conn, "scheduling", "schedule_on_weekends")?.unwrap_or(false);
        Ok(PlanRunner {
            home: env.home.clone(),
            today: env.today,
            now: env.now,
            calendar: Calendar {
                holidays,
                schedule_on_weekends,
            },
            plans: HashMap::new(),
            ran: HashSet::new(),
            ledger: Ledger::new(env.today),
            batch_mode: false,
            summary: PlanSummary::default(),
            pending_odbc: Vec::new(),
        })
    }

    /// Load a plan by code: `HOME/plans/CODE.toml`, else a shipped plan.
    pub fn plan(&mut self, code: &str) -> Result<Plan> {
        let code = code.trim();
        if let Some(p) = self.plans.get(code) {
            return Ok(p.clone());
        }
        if let Some(problem) = super::code::code_problem(code) {
            bail!(config, "contact plan: {problem}");
        }
        let path = self.home.join("plans").join(format!("{code}.toml"));
        let plan = if path.is_file() {
            let src = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            parse_plan(&path, &src)?
        } else if let Some((_, src)) = SHIPPED.iter().find(|(c, _)| c.eq_ignore_ascii_case(code)) {
            parse_plan(&PathBuf::from(format!("plans/{code}.toml (shipped)")), src)?
        } else {
            let mut known = crate::suggest::names_in(&self.home.join("plans"), "toml");
            known.extend(SHIPPED.iter().map(|(c, _)| c.to_string()));
            bail!(
                config,
                "no contact plan '{code}' ({} not found){}",
                path.display(),
                crate::suggest::did_you_mean(code, known.iter().map(String::as_str))
            )
        };
        self.plans.insert(code.to_string(), plan.clone());
        Ok(plan)
    }

    /// Run a plan on one debtor, counting from `reference`.
    pub fn run(&mut self, conn: &Db, fi: i64, code: &str, reference: NaiveDate) -> Result<()> {
        if code.trim().is_empty() || !self.ran.insert((fi, code.trim().to_string())) {
            return Ok(());
        }
        let plan = self.plan(code)?;
        if store::debtor_client(conn, fi)?.is_none() {
            bail!(runtime, "debtor {fi} does not exist");
        }
        *self.summary.runs.entry(plan.code.clone()).or_default() += 1;
        self.delete_pending(conn, fi, &plan)?;

        let mut due = Vec::new();
        for e in &plan.events {
            if let Some(c) = &e.schedule_if {
                if !condition_holds(conn, fi, c, reference)? {
                    self.summary.skipped_by_condition += 1;
                    continue;
                }
            }
            let date = contact_date(e.schedule, reference, &self.calendar);
            due.push(Due {
                event: e,
                date,
                time: contact_time(e.time, e.delay_minutes, self.now),
            });
        }
        let today = |d: &Due| d.date <= reference;
        let mut queued: Vec<String> = Vec::new();
        use EventType::*;
        // 1. Plans (zero delay) run now; their changes take effect first.
        self.carry_out_group(conn, fi, &due, reference, &[Plan], None, &mut queued)?;
        // 2. Activate.
        self.carry_out_group(conn, fi, &due, reference, &[Activate], None, &mut queued)?;
        // 3. Notes: the status before this plan's changes, the operator it assigns.
        let (status, operator) = debtor_status_operator(conn, fi)?;
        let new_operator = due
            .iter()
            .filter(|d| d.event.kind == Operator && today(d))
            .map(|d| operator_of(d.event))
            .next_back()
            .unwrap_or(operator);
        let stamp = Some((status.as_str(), new_operator.as_str()));
        self.carry_out_group(conn, fi, &due, reference, &[Note], stamp, &mut queued)?;
        // 4. Status, sales, commission rate, rate plan.
        let changes = [Status, Sales, Rate, RatePlan];
        self.carry_out_group(conn, fi, &due, reference, &changes, None, &mut queued)?;
        // 5. Promises are contacts with an amount.
        let mut promised = false;
        for d in due.iter().filter(|d| d.event.kind == Promise) {
            self.contact(conn, fi, d, &d.event.description, false)?;
            promised = true;
        }
        if promised {
            crate::plans::promises::refresh(conn, fi)?; // de.npd, de.arr
        }
        // 6. Operator assignments; 7. transactions; ODBC events due now run on the spot
        // (S0), after the local commit.
        for kinds in [[Operator], [Transaction], [Odbc]] {
            self.carry_out_group(conn, fi, &due, reference, &kinds, None, &mut queued)?;
        }
        // 9. Everything else is scheduled: people's work, and automatic events due later.
        for d in due.iter() {
            let scheduled = match d.event.kind {
                Letter | Phone | Review | Other | Email => true,
                Promise => false, // group 5
                _ => !today(d),
            };
            if scheduled {
                self.contact(conn, fi, d, &event_value(d.event)?, false)?;
            }
        }
        // 10. Close last, after any financial changes.
        self.carry_out_group(conn, fi, &due, reference, &[Close], None, &mut queued)?;
        for plan in queued {
            self.run(conn, fi, &plan, reference)?;
        }
        Ok(())
    }

    /// Carry out the events of `kinds` due by the reference date, in plan order, each
    /// kept as a completed contact. A sub-plan (group 1) runs at once; the plans of new
    /// statuses and posted transactions are queued for after this plan.
    #[allow(clippy::too_many_arguments)]
    fn carry_out_group(
        &mut self,
        conn: &Db,
        fi: i64,
        due: &[Due],
        reference: NaiveDate,
        kinds: &[EventType],
        note_as: Option<(&str, &str)>,
        queued: &mut Vec<String>,
    ) -> Result<()> {
        for d in due
            .iter()
            .filter(|d| kinds.contains(&d.event.kind) && d.date <= reference)
        {
            let value = event_value(d.event)?;
            // An ODBC statement runs after the commit: its contact stays pending until
            // the statement has succeeded (`sync::run_pending` completes it), so a
            // failed one is retried by `batch contacts`.
            let contact = if d.event.kind == EventType::Odbc {
                self.insert_contact(conn, fi, d, &value, false)?
            } else {
                self.contact(conn, fi, d, &value, true)?
            };
            let e = d.event;
            if let Some(plan) = self.carry_out(
                conn,
                fi,
                contact,
                e.kind,
                &value,
                e.amount,
                &e.attachment,
                note_as,
            )? {
                if e.kind == EventType::Plan {
                    self.run(conn, fi, &plan, reference)?;
                } else {
                    queued.push(plan);
                }
            }
        }
        Ok(())
    }

    /// Carry out one automatic event now: from a plan, or a contact `batch contacts`
    /// reaches. `value` is what the contact's description holds (the new status, the
    /// type code, the sub-plan, the operator, INSERT/UPDATE/DELETE); notes are stamped
    /// with `note_as` (status, operator) or the debtor's own. Returns a plan to run next.
    #[allow(clippy::too_many_arguments)]
    fn carry_out(
        &mut self,
        conn: &Db,
        fi: i64,
        contact: i64,
        kind: EventType,
        value: &str,
        amount: Option<rust_decimal::Decimal>,
        attachment: &str,
        note_as: Option<(&str, &str)>,
    ) -> Result<Option<String>> {
        use EventType::*;
        match kind {
            Activate => store::debtors::activate_debtor(conn, fi)?,
            Close => store::debtors::close_debtor(conn, fi, self.today)?,
            Note => {
                let (status, operator) = match note_as {
                    Some((s, o)) => (s.to_string(), o.to_string()),
                    None => debtor_status_operator(conn, fi)?,
                };
                write_note(conn, fi, self.today, self.now, &status, &operator, value)?;
            }
            Status | Sales | Rate | RatePlan => return self.apply_change(conn, fi, kind, value),
            Operator => set_operator(conn, fi, value)?,
            Transaction => return self.post(conn, fi, value, amount),
            Plan => return Ok(Some(value.to_string())),
            Odbc => {
                let Some(op) = crate::sync::Op::parse(value) else {
                    bail!(
                        config,
                        "ODBC event for debtor {fi}: '{value}' is not INSERT, UPDATE or DELETE"
                    )
                };
                self.pending_odbc.push(crate::sync::PendingOdbc {
                    contact: Some(contact),
                    file_number: fi,
                    pair: attachment.trim().to_string(),
                    op,
                });
            }
            Letter | Phone | Review | Promise | Other | Email => {}
        }
        Ok(None)
    }

    /// Delete pending contacts (S2:1249-1258): all of them, or those of the types (and
    /// descriptions) the events name. Metro contacts are never deleted; a delete-all
    /// plan run by `batch contacts` leaves pending contacts alone (S3:59).
    fn delete_pending(&mut self, conn: &Db, fi: i64, plan: &Plan) -> Result<()> {
        if plan.delete_all_pending {
            if !self.batch_mode {
                self.summary.deleted_contacts +=
                    contacts::delete_pending(conn, fi, PendingContacts::AllButMetro)?;
            }
            return Ok(());
        }
        for e in plan.events.iter().filter(|e| e.delete_same_type) {
            let which = if e.same_description_only {
                PendingContacts::OfTypeAndDescription(e.kind.name(), &e.description)
            } else {
                PendingContacts::OfType(e.kind.name())
            };
            self.summary.deleted_contacts += contacts::delete_pending(conn, fi, which)?;
        }
        Ok(())
    }

    /// Write the contact of an event: scheduled (`done` false, counted as scheduled)
    /// or carried out now and kept as a completed contact, the account's history
    /// (counted as executed).
    fn contact(
        &mut self,
        conn: &Db,
        fi: i64,
        d: &Due,
        description: &str,
        done: bool,
    ) -> Result<i64> {
        let id = self.insert_contact(conn, fi, d, description, done)?;
        let counts = if done {
            &mut self.summary.executed
        } else {
            &mut self.summary.scheduled
        };
        *counts.entry(d.event.kind.name().to_string()).or_default() += 1;
        Ok(id)
    }

    /// Write an event's contact record, without counting it; returns its id.
    fn insert_contact(
        &mut self,
        conn: &Db,
        fi: i64,
        d: &Due,
        description: &str,
        done: bool,
    ) -> Result<i64> {
        let op = if d.event.operator.trim().is_empty() || d.event.kind == EventType::Operator {
            debtor_status_operator(conn, fi)?.1
        } else {
            d.event.operator.clone()
        };
        contacts::insert_contact(
            conn,
            &NewContact {
                fi,
                kind: d.event.kind.name(),
                description,
                due: d.date,
                time: d.time.map(|t| t.format("%H:%M").to_string()),
                priority: d.event.priority.to_string(),
                operator: &op,
                attachment: &d.event.attachment,
                amount: d.event.amount.map(crate::money::to_cents),
                done_on: done.then_some(self.today),
            },
        )
    }

    /// Status, sales, rate and rate-plan changes. Returns the new status's plan.
    fn apply_change(
        &mut self,
        conn: &Db,
        fi: i64,
        kind: EventType,
        value: &str,
    ) -> Result<Option<String>> {
        let value = value.trim();
        match kind {
            EventType::Status => {
                store::debtors::set_debtor_status(conn, fi, value)?;
                let plan = store::plans::status_plan(conn, value)?;
                return Ok(plan.filter(|p| !p.trim().is_empty()));
            }
            EventType::Sales => store::debtors::set_debtor_sales(conn, fi, value)?,
            EventType::Rate => {
                // The description is the percent, "with no percent sign" (S2:1579-1580).
                let Some(rate) = crate::money::parse_amount(value.trim_end_matches('%')) else {
                    bail!(config, "rate event: '{value}' is not a percent");
                };
                store::debtors::set_debtor_rate(conn, fi, rate)?;
            }
            EventType::RatePlan => store::debtors::set_debtor_rate_plan(conn, fi, value)?,
            _ => {}
        }
        Ok(None)
    }

    /// Post a transaction event; returns the type's plan to run afterwards.
    fn post(
        &mut self,
        conn: &Db,
        fi: i64,
        type_code: &str,
        amount: Option<rust_decimal::Decimal>,
    ) -> Result<Option<String>> {
        let posted = self.ledger.post(
            conn,
            &NewTransaction {
                file_number: fi,
                type_code: type_code.trim().to_string(),
                to_us: amount,
                payment_date: Some(self.today),
                ..Default::default()
            },
        )?;
        Ok(posted.plan)
    }

    /// `recoup batch contacts`: carry out the automatic contacts due on or before
    /// `through` (status, close, activate, notes, transactions, operator, sales, rates,
    /// plans), oldest first, and mark them done.
    pub fn process_due(&mut self, conn: &Db, through: NaiveDate) -> Result<usize> {
        self.batch_mode = true;
        let mut items = contacts::pending_contacts(conn, through)?;
        items.sort();
        let mut done = 0;
        for item in items {
            let (id, fi) = (item.id, item.fi);
            let Some(kind) = EventType::from_contact_type(&item.kind) else {
                continue;
            };
            if !kind.is_automatic() {
                continue;
            }
            if !contacts::contact_is_pending(conn, id)? {
                continue; // deleted or completed by a plan run earlier in this batch
            }
            let amount = item.amount.map(crate::money::from_cents);
            let queued = self.carry_out(
                conn,
                fi,
                id,
                kind,
                &item.description,
                amount,
                &item.attachment,
                None,
            )?;
            if kind == EventType::Odbc {
                continue; // completed by `sync::run_pending` once the statement has run
            }
            contacts::mark_contact_done(conn, id, self.today)?;
            *self
                .summary
                .executed
                .entry(kind.name().to_string())
                .or_default() += 1;
            done += 1;
            if let Some(plan) = queued {
                self.run(conn, fi, &plan, self.today)?;
            }
        }
        self.batch_mode = false;
        Ok(done)
    }
}

/// An ODBC event's operation is its description (S0).
fn odbc_op(e: &Event) -> Result<crate::sync::Op> {
    crate::sync::Op::parse(&e.description).ok_or_else(|| {
        Error::config(format!(
            "odbc event: description '{}' is not INSERT, UPDATE or DELETE",
            e.description
        ))
    })
}

/// The value an event acts with, as a contact keeps it in its description.
fn event_value(e: &Event) -> Result<String> {
    Ok(match e.kind {
        EventType::Transaction => e.type_code.trim().to_string(),
        EventType::Plan => plan_code_of(e),
        EventType::Operator => operator_of(e),
        EventType::Odbc => odbc_op(e)?.name().to_string(),
        _ => e.description.clone(),
    })
}

fn plan_code_of(e: &Event) -> String {
    if e.type_code.trim().is_empty() {
        e.description.trim().to_string()
    } else {
        e.type_code.trim().to_string()
    }
}

fn operator_of(e: &Event) -> String {
    if e.operator.trim().is_empty() {
        e.description.trim().to_string()
    } else {
        e.operator.trim().to_string()
    }
}

/// A new operator also takes the In Progress contacts of the previous one (S2:1622-1624).
fn set_operator(conn: &Db, fi: i64, operator: &str) -> Result<()> {
    let (_, previous) = debtor_status_operator(conn, fi)?;
    store::debtors::set_debtor_operator(conn, fi, operator)?;
    contacts::reassign_pending(conn, fi, &previous, operator)
}

/// A note line stamped `DATE TIME STATUS OPERATOR : TEXT` (S2:5030-5032).
pub fn write_note(
    conn: &Db,
    fi: i64,
    date: NaiveDate,
    time: NaiveTime,
    status: &str,
    operator: &str,
    text: &str,
) -> Result<()> {
    let stamp = format!(
        "{} {} {} {} : {}",
        date.format("%m/%d/%Y"),
        time.format("%H:%M"),
        status,
        operator,
        text
    );
    store::notes::insert_note(conn, fi, &stamp, date, time)
}

/// `schedule_if`: compare a debtor (or its client's) field with a value. Pick-list
/// fields compare on the key and also accept the text (docs/store.md). A date field may be
/// compared with `today` (or `@d`, as in reports): the date the plan's events count
/// from, so `de.tbd <= today` picks accounts already time-barred (docs/money.md).
fn condition_holds(conn: &Db, fi: i64, c: &Condition, reference: NaiveDate) -> Result<bool> {
    let key = match c.field.form {
        Form::Debtor => fi,
        Form::Client => store::debtor_client(conn, fi)?.unwrap_or_default(),
        _ => bail!(
            config,
            "schedule_if: {} is not a debtor or client field",
            c.field.code()
        ),
    };
    let Some(record) = store::read_record(conn, c.field.form, key)? else {
        return Ok(false);
    };
    let Some((_, value)) = record.iter().find(|(f, _)| f.field == c.field.field) else {
        return Ok(false);
    };
    let mut wanted = c.value.trim().to_string();
    if let Some(k) = settings::pick_list_key(conn, &c.field.code(), &wanted)? {
        wanted = k;
    }
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match c.field.ty {
        FieldType::Currency | FieldType::Percent => {
            match (value.as_decimal(), crate::money::parse_amount(&wanted)) {
                (Some(a), Some(b)) => Some(a.cmp(&b)),
                (None, Some(b)) => Some(rust_decimal::Decimal::ZERO.cmp(&b)),
                _ => None,
            }
        }
        FieldType::Date => match (
            value.as_date(),
            if wanted.eq_ignore_ascii_case("today") || wanted.eq_ignore_ascii_case("@d") {
                Some(reference)
            } else {
                crate::dates::parse_iso(&wanted)
            },
        ) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => None,
        },
        FieldType::Flag => {
            let a = matches!(value, crate::catalog::Value::Flag(true));
            let b = matches!(
                wanted.to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "y" | "x"
            );
            Some(a.cmp(&b))
        }
        FieldType::TextN => match (value.plain().parse::<i64>(), wanted.parse::<i64>()) {
            (Ok(a), Ok(b)) => Some(a.cmp(&b)),
            _ => Some(value.plain().cmp(&wanted)),
        },
        FieldType::TextAn => Some(
            value
                .plain()
                .trim()
                .to_lowercase()
                .cmp(&wanted.to_lowercase()),
        ),
    };
    let Some(ord) = ord else { return Ok(false) };
    Ok(match c.op.as_str() {
        "=" => ord == Ordering::Equal,
        "<>" => ord != Ordering::Equal,
        "<" => ord == Ordering::Less,
        ">" => ord == Ordering::Greater,
        "<=" => ord != Ordering::Greater,
        ">=" => ord != Ordering::Less,
        _ => false,
    })
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn plan_report_json_keys_in_order_and_display_is_the_title_and_lines() {
        let s = PlanSummary {
            runs: BTreeMap::from([("NEW".to_string(), 2)]),
            executed: BTreeMap::from([("Letter".to_string(), 1)]),
            scheduled: BTreeMap::new(),
            skipped_by_condition: 3,
            deleted_contacts: 0,
        };
        let r = PlanReport {
            title: "plan NEW",
            debtors: 2,
            summary: &s,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"debtors":2,"runs":{"NEW":2},"executed":{"Letter":1},"scheduled":{},"skipped":{"schedule_if":3},"deleted_contacts":0}"#
        );
        assert_eq!(
            r.to_string(),
            "plan NEW: 2 debtor(s)\n  plan NEW      ran 2 time(s)\n  done now   Letter       1\n  skipped by schedule_if: 3\n"
        );
    }
}
