//! Applying parsed records to the database (docs/import-maps.md): keys, create/update, sub-records,
//! transaction posting through the money engine.
//!
//! One import is one database transaction. Each input record is first *resolved*
//! (every lookup, every check that can reject it) without writing, then *written*;
//! so a rejected record leaves no trace and no savepoint per row is needed.
//! Resolving lives in `resolve.rs`, writing in `write.rs`; this file holds the
//! [`Applier`] itself, the per-record sequence ([`Applier::apply`]) and the end of the
//! import ([`Applier::finish`]).

use std::collections::HashMap;
use std::rc::Rc;

use super::known_keys::KnownKeys;
use super::map::Map;
use super::pipeline::{Ctx, Part};
use super::review::{Review, ReviewAnswer};
use super::summary::{Accumulator, Rejects, Summary};
use crate::catalog::FieldDef;
use crate::money::{limits, Ledger};
use crate::setup::owners;
use crate::store::import_cache::{SqlValue, Statements};
use crate::store::{self, Db};
use crate::{Error, Result};

mod resolve;
mod write;

fn code_col(code: &str) -> Result<&'static str> {
    // Every column name comes from the catalogue (docs/architecture.md); an unknown
    // code is an error, never a guessed column.
    known_field(code).map(|f| f.column)
}

fn known_field(code: &str) -> Result<&'static FieldDef> {
    field(code).ok_or_else(|| Error::runtime(format!("internal: unknown field code '{code}'")))
}

fn field(code: &str) -> Option<&'static FieldDef> {
    super::field_by_code(code)
}

/// Client settings copied to new debtors with `apply_client_settings` (S2:5209-5226).
const CLIENT_SETTINGS: &[(&str, &str)] = &[
    ("cl.op", "de.op"),
    ("cl.sa", "de.sa"),
    ("cl.rt", "de.rt"),
    ("cl.r2", "de.r2"),
    ("cl.r3", "de.r3"),
    ("cl.r4", "de.r4"),
    ("cl.rpl", "de.rpl"),
    ("cl.tx", "de.tx"),
    ("cl.te", "de.te"),
];

#[derive(Debug, Clone)]
struct ClientInfo {
    settings: Vec<(&'static FieldDef, SqlValue)>,
    plan: Option<String>,
}

/// Where a resolved debtor part goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DebtorTarget {
    Existing(i64),
    New,
    None,
}

enum Action<'p> {
    Client {
        part: &'p Part,
        existing: Option<i64>,
        number: i64,
    },
    Debtor {
        part: &'p Part,
        existing: Option<i64>,
        client: i64,
    },
    Sub {
        part: &'p Part,
        owner: Owner,
        existing: Option<i64>,
        trans_type: Option<String>,
    },
}

#[derive(Debug, Clone, Copy)]
enum Owner {
    Debtor(DebtorTarget),
    Client(i64),
}

enum Resolved {
    Skip(String, bool),
    Reject(String),
}

enum Lookup {
    Found(i64),
    NotFound,
    Ambiguous,
}

/// Applies records to one open transaction.
pub struct Applier<'c> {
    conn: &'c Db,
    sql: Statements<'c>,
    map: &'c Map,
    ctx: Ctx,
    batch: i64,
    ledger: Ledger,
    next_fi: i64,
    clients: HashMap<i64, Option<Rc<ClientInfo>>>,
    pub summary: Summary,
    /// Debtors on file before this import that it wrote to (`recalculate`).
    touched: Vec<i64>,
    /// The first file number this import gives out: debtors from here on were
    /// created by it, and every posting to them kept their totals exact, so
    /// `recalculate` passes them by.
    first_new_fi: i64,
    /// Account keys already on file, to skip lookups that cannot match.
    known: Known,
    /// Clients written with an owner not on file then: (line, client, owner).
    pending_owners: Vec<(u64, i64, i64)>,
}

/// Whether this import uses a [`KnownKeys`] set: decided at the first debtor lookup
/// by one exact text key within a client; dropped if the import rewrites that column.
enum Known {
    Undecided,
    Off,
    On(KnownKeys),
}

impl<'c> Applier<'c> {
    pub fn new(conn: &'c Db, map: &'c Map, ctx: Ctx, batch: i64) -> Result<Applier<'c>> {
        let next_fi = store::next_file_number(conn)?;
        Ok(Applier {
            conn,
            sql: Statements::new(conn),
            map,
            ctx,
            batch,
            ledger: Ledger::new(ctx.today),
            next_fi,
            first_new_fi: next_fi,
            clients: HashMap::new(),
            summary: Summary {
                batch,
                accumulators: map
                    .accumulators
                    .iter()
                    .map(|n| Accumulator {
                        name: n.clone(),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            },
            touched: Vec::new(),
            known: Known::Undecided,
            pending_owners: Vec::new(),
        })
    }

    pub(crate) fn skip(&mut self, reason: &str) {
        *self.summary.skipped.entry(reason.to_string()).or_default() += 1;
    }

    fn client_info(&mut self, nu: i64) -> Result<Option<Rc<ClientInfo>>> {
        if let Some(c) = self.clients.get(&nu) {
            return Ok(c.clone());
        }
        // The client's settings new debtors copy, then its new-account plan.
        let fields = CLIENT_SETTINGS
            .iter()
            .map(|(c, _)| *c)
            .chain(["cl.np"])
            .map(known_field)
            .collect::<Result<Vec<_>>>()?;
        let row = store::clients::client_values(self.conn, nu, &fields)?.map(|mut values| {
            let plan = match values.pop() {
                Some(SqlValue::Text(p)) => Some(p),
                _ => None,
            };
            let settings = CLIENT_SETTINGS
                .iter()
                .zip(values)
                .filter_map(|((_, de), v)| field(de).map(|f| (f, v)))
                .collect();
            Rc::new(ClientInfo {
                settings,
                plan: plan.filter(|p| !p.trim().is_empty()),
            })
        });
        self.clients.insert(nu, row.clone());
        Ok(row)
    }

    /// The client of this import for debtor lookups: `--client`, else the map's.
    fn option_client(&self) -> Option<i64> {
        self.ctx.client
    }

    /// Apply one parsed input record (a reject goes to `rejects`). `Ok(false)`: the
    /// reviewer chose Cancel, stop here and keep what was accepted.
    pub fn apply(
        &mut self,
        parts: &[Part],
        line: u64,
        raw: &[u8],
        rejects: &mut Rejects,
        review: &mut Review,
    ) -> Result<bool> {
        // Amounts within the ceiling and rates within 0-100 % (money::limits), before
        // anything else looks at them.
        if let Some(reason) = parts.iter().find_map(out_of_bounds) {
            self.reject(line, raw, &reason, rejects)?;
            return Ok(true);
        }
        let plan = match self.resolve_record(parts)? {
            Ok(plan) => plan,
            Err(reason) => {
                self.reject(line, raw, &reason, rejects)?;
                return Ok(true);
            }
        };
        match review_update(parts, &plan.actions, line, raw, review)? {
            ReviewAnswer::Yes => {}
            ReviewAnswer::No => {
                self.skip("declined in review");
                return Ok(true);
            }
            ReviewAnswer::Cancel => return Ok(false),
        }
        self.record_skips(&plan.skips, line, raw, rejects)?;
        self.write_actions(&plan.actions, line)?;
        self.count_accumulators(&plan.actions);
        Ok(true)
    }

    /// Count a rejected record and write it to the rejects file.
    fn reject(&mut self, line: u64, raw: &[u8], reason: &str, rejects: &mut Rejects) -> Result<()> {
        self.summary.rejected += 1;
        rejects.write(line, reason, &String::from_utf8_lossy(raw))
    }

    /// Count each skip; those the map asks to log go to the rejects file too.
    fn record_skips(
        &mut self,
        skips: &[(String, bool)],
        line: u64,
        raw: &[u8],
        rejects: &mut Rejects,
    ) -> Result<()> {
        for (reason, log) in skips {
            self.skip(reason);
            if *log {
                rejects.write(
                    line,
                    &format!("skipped: {reason}"),
                    &String::from_utf8_lossy(raw),
                )?;
            }
        }
        Ok(())
    }

    /// Accumulators count what was imported (S2:5176; help §4.7).
    fn count_accumulators(&mut self, actions: &[Action<'_>]) {
        for a in actions {
            let part = match a {
                Action::Client { part, .. }
                | Action::Debtor { part, .. }
                | Action::Sub { part, .. } => part,
            };
            for (i, amount) in &part.accumulators {
                if let Some(acc) = self.summary.accumulators.get_mut(*i) {
                    acc.count += 1;
                    acc.total += amount.unwrap_or_default();
                }
            }
        }
    }

    /// End of the import: recalculate the debtors it touched (`recalculate`).
    pub fn finish(&mut self) -> Result<()> {
        // Owners named before they were written must exist by the end (setup::owners).
        for (line, client, owner) in std::mem::take(&mut self.pending_owners) {
            if !store::client_exists(self.conn, owner)? {
                return Err(Error::validation(format!(
                    "line {line}: {}; nothing imported",
                    owners::OwnerProblem::Unknown.describe(client, owner)
                )));
            }
        }
        if self.map.options.recalculate {
            self.touched.sort_unstable();
            self.touched.dedup();
            for fi in std::mem::take(&mut self.touched) {
                crate::money::recalculate(self.conn, fi)?;
            }
        }
        Ok(())
    }
}

/// What resolving a record decided: the writes to make, and the skips to count
/// (`true`: also logged to the rejects file).
struct Plan<'p> {
    actions: Vec<Action<'p>>,
    skips: Vec<(String, bool)>,
}

/// What became of a record's debtor part; its sub-records follow it.
struct DebtorOutcome {
    target: DebtorTarget,
    part_seen: bool,
    skipped_not_found: bool,
    skip_subs: bool,
}

impl Default for DebtorOutcome {
    fn default() -> Self {
        DebtorOutcome {
            target: DebtorTarget::None,
            part_seen: false,
            skipped_not_found: false,
            skip_subs: false,
        }
    }
}

/// Review: ask before updating an existing debtor (S2:5487-5497). `Yes` when
/// review is off or the record updates no debtor on file.
fn review_update(
    parts: &[Part],
    actions: &[Action<'_>],
    line: u64,
    raw: &[u8],
    review: &mut Review,
) -> Result<ReviewAnswer> {
    let updates_debtor = actions.iter().any(|a| {
        matches!(
            a,
            Action::Debtor {
                existing: Some(_),
                ..
            }
        )
    });
    if !review.active() || !updates_debtor {
        return Ok(ReviewAnswer::Yes);
    }
    let ssns: Vec<String> = parts
        .iter()
        .flat_map(|p| &p.values)
        .filter(|a| a.field.field == "ss" && !a.value.is_null())
        .map(|a| a.value.plain())
        .collect();
    let ssns: Vec<&str> = ssns.iter().map(String::as_str).collect();
    review.ask(line, &String::from_utf8_lossy(raw), &ssns)
}

/// The first amount beyond the ceiling or rate outside 0-100 % of a record part.
fn out_of_bounds(part: &Part) -> Option<String> {
    part.values
        .iter()
        .find_map(|a| limits::check_value(a.field, &a.value).err())
}

/// A client part's owned-by (`cl.ob`) as a client number.
fn owner_value(part: &Part) -> Option<i64> {
    part.get("cl.ob")
        .and_then(|v| owners::parse_owner(&v.plain()))
}
