//! Applying parsed records to the database (docs/import-maps.md): keys, create/update, sub-records,
//! transaction posting through the money engine.
//!
//! One import is one database transaction. Each input record is first *resolved*
//! (every lookup, every check that can reject it) without writing, then *written*;
//! so a rejected record leaves no trace and no savepoint per row is needed.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use chrono::NaiveDate;

use super::known_keys::KnownKeys;
use super::map::{Map, RecordKind, TypeWhen};
use super::pipeline::{Ctx, KeyField, Part};
use super::review::{Review, ReviewAnswer};
use super::summary::{Accumulator, Rejects, Summary};
use crate::catalog::{FieldDef, FieldType, Form, Value};
use crate::money::{limits, reversal, round_cents, Ledger, NewTransaction};
use crate::setup::owners;
use crate::store::import_cache::{Cond, SqlValue, Statements};
use crate::store::notes::{NoteMatch, NoteOwner};
use crate::store::{self, value_to_sql, Db};
use crate::{Error, ErrorKind, Result};

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

    /// Resolve every part of a record without writing: the actions and skips, or
    /// the reason the whole record is rejected.
    fn resolve_record<'p>(
        &mut self,
        parts: &'p [Part],
    ) -> Result<std::result::Result<Plan<'p>, String>> {
        // Clients first, then debtors, then sub-records (they need the debtor).
        let order = |p: &Part| match p.kind {
            RecordKind::Client => 0,
            RecordKind::Debtor => 1,
            _ => 2,
        };
        let mut sorted: Vec<&Part> = parts.iter().collect();
        sorted.sort_by_key(|p| order(p));

        let mut plan = Plan {
            actions: Vec::new(),
            skips: Vec::new(),
        };
        let mut debtor = DebtorOutcome::default();
        for part in sorted {
            let res = match part.kind {
                RecordKind::Client => self.resolve_client(part).map(|r| r.map(|a| vec![a])),
                RecordKind::Debtor => self.resolve_debtor_part(part, &mut debtor, &mut plan.skips),
                _ => self.resolve_sub(
                    part,
                    debtor.target,
                    debtor.part_seen,
                    debtor.skipped_not_found || debtor.skip_subs,
                ),
            }?;
            match res {
                Ok(mut a) => plan.actions.append(&mut a),
                Err(Resolved::Skip(reason, log)) => plan.skips.push((reason, log)),
                Err(Resolved::Reject(reason)) => return Ok(Err(reason)),
            }
        }
        Ok(Ok(plan))
    }

    /// A debtor part: its action, or a skip — which also decides where the
    /// record's sub-records go.
    fn resolve_debtor_part<'p>(
        &mut self,
        part: &'p Part,
        debtor: &mut DebtorOutcome,
        skips: &mut Vec<(String, bool)>,
    ) -> Result<std::result::Result<Vec<Action<'p>>, Resolved>> {
        debtor.part_seen = true;
        match self.resolve_debtor(part)? {
            Ok(a) => {
                if let Action::Debtor { existing, .. } = &a {
                    debtor.target = match existing {
                        Some(fi) => DebtorTarget::Existing(*fi),
                        None => DebtorTarget::New,
                    };
                }
                Ok(Ok(vec![a]))
            }
            Err(Resolved::Skip(reason, log)) => {
                // skip_if_found still lets sub-records attach to the found debtor,
                // unless skip_subrecords_if_not_found is also set (S2:5380-5383).
                if let Some(fi) = reason
                    .strip_prefix("found:")
                    .and_then(|s| s.parse::<i64>().ok())
                {
                    if !part.skip_subrecords_if_not_found() {
                        debtor.target = DebtorTarget::Existing(fi);
                    } else {
                        debtor.skip_subs = true;
                    }
                    skips.push(("debtor found (skip_if_found)".into(), log));
                } else {
                    debtor.skipped_not_found = true;
                    debtor.skip_subs = part.skip_subrecords_if_not_found();
                    skips.push((reason, log));
                }
                Ok(Ok(Vec::new()))
            }
            Err(r) => Ok(Err(r)),
        }
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

    /// Write a resolved record: clients, then debtors, then sub-records, which a
    /// new debtor of the same record gives its file number.
    fn write_actions(&mut self, actions: &[Action<'_>], line: u64) -> Result<()> {
        let mut new_fi = None;
        for a in actions {
            match a {
                Action::Client {
                    part,
                    existing,
                    number,
                } => {
                    self.write_client(part, *existing, *number)?;
                    if let Some(owner) = owner_value(part) {
                        if !store::client_exists(self.conn, owner)? {
                            self.pending_owners.push((line, *number, owner));
                        }
                    }
                }
                Action::Debtor {
                    part,
                    existing,
                    client,
                } => {
                    let fi = self.write_debtor(part, *existing, *client)?;
                    if existing.is_none() {
                        new_fi = Some(fi);
                    }
                }
                Action::Sub {
                    part,
                    owner,
                    existing,
                    trans_type,
                } => {
                    let owner = sub_owner(*owner, new_fi)?;
                    self.write_sub(part, owner, *existing, trans_type.as_deref())?;
                }
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

    // ---- resolving (no writes) ----

    fn lookup(
        &self,
        form: Form,
        keys: &[&KeyField],
        scope: &[(&'static str, SqlValue)],
    ) -> Result<Lookup> {
        let mut conds: Vec<(&'static str, Cond)> = Vec::with_capacity(scope.len() + keys.len());
        let mut args: Vec<SqlValue> = Vec::with_capacity(scope.len() + keys.len());
        for (col, v) in scope {
            conds.push((col, Cond::Eq));
            args.push(v.clone());
        }
        let mut partial = false;
        for k in keys {
            let f = k.field;
            let v = value_to_sql(f, &k.value);
            if matches!(v, SqlValue::Null) {
                // A blank key identifies nothing: it never matches the records that
                // happen to be blank there too (a transaction without an id).
                return Ok(Lookup::NotFound);
            }
            // Owner keys compare with the column of the same name (de.cn ↔ cn).
            let key_col = f.column;
            match (f.ty, v) {
                (FieldType::TextAn, SqlValue::Text(t)) => {
                    if k.exact {
                        conds.push((key_col, Cond::NoCase));
                        args.push(SqlValue::Text(t.trim().to_string()));
                    } else {
                        partial = true;
                        let esc = t
                            .trim()
                            .replace('\\', "\\\\")
                            .replace('%', "\\%")
                            .replace('_', "\\_");
                        conds.push((key_col, Cond::Like));
                        args.push(SqlValue::Text(format!("{esc}%")));
                    }
                }
                (FieldType::TextN, SqlValue::Text(t)) if is_integer_key(f) => {
                    // Integer key columns (fi, cn, nu): numeric keys are always exact.
                    match t.trim().parse::<i64>() {
                        Ok(n) => {
                            conds.push((key_col, Cond::Eq));
                            args.push(SqlValue::Integer(n));
                        }
                        Err(_) => return Ok(Lookup::NotFound),
                    }
                }
                (_, v) => {
                    conds.push((key_col, Cond::Eq));
                    args.push(v);
                }
            }
        }
        let found = self.sql.lookup(form, partial, conds, args)?;
        Ok(match found.len() {
            0 => Lookup::NotFound,
            1 => Lookup::Found(found[0]),
            _ => Lookup::Ambiguous,
        })
    }

    fn resolve_client<'p>(
        &mut self,
        part: &'p Part,
    ) -> Result<std::result::Result<Action<'p>, Resolved>> {
        let nu_field = field("cl.nu");
        let number = part
            .values
            .iter()
            .find(|a| Some(a.field) == nu_field)
            .and_then(|a| a.value.plain().trim().parse::<i64>().ok());
        // Client numbers are the table's key: without other keys, cl.nu finds the client.
        let implicit;
        let keys: Vec<&KeyField> = if part.keys.is_empty() {
            match (number, nu_field) {
                (Some(n), Some(f)) => {
                    implicit = KeyField {
                        field: f,
                        value: Value::Text(n.to_string()),
                        exact: true,
                        inhibit_autocreate: false,
                        skip_subrecords_if_not_found: false,
                        skip_if_found: false,
                        log_skipped: false,
                    };
                    vec![&implicit]
                }
                _ => Vec::new(),
            }
        } else {
            part.keys.iter().collect()
        };
        let found = if keys.is_empty() {
            Lookup::NotFound
        } else {
            self.lookup(Form::Client, &keys, &[])?
        };
        let target = match found {
            Lookup::Found(nu) => Some(nu),
            _ => number,
        };
        if let (Some(client), Some(owner)) = (target, owner_value(part)) {
            match owners::check_owner(self.conn, client, owner)? {
                // An owner not on file may come later in the file: `finish` decides.
                Ok(()) | Err(owners::OwnerProblem::Unknown) => {}
                Err(problem) => return Ok(Err(Resolved::Reject(problem.describe(client, owner)))),
            }
        }
        Ok(match found {
            Lookup::Found(_) if part.skip_if_found() => Err(Resolved::Skip(
                "client found (skip_if_found)".into(),
                part.log_skipped(),
            )),
            Lookup::Found(nu) => Ok(Action::Client {
                part,
                existing: Some(nu),
                number: nu,
            }),
            Lookup::NotFound if part.inhibit_autocreate() => Err(Resolved::Skip(
                "client not found (inhibit_autocreate)".into(),
                part.log_skipped(),
            )),
            Lookup::NotFound => match number {
                Some(n) => Ok(Action::Client {
                    part,
                    existing: None,
                    number: n,
                }),
                None => Err(Resolved::Reject(
                    "a new client needs a client number (cl.nu)".into(),
                )),
            },
            Lookup::Ambiguous => Err(Resolved::Reject(format!(
                "ambiguous key: several clients match {}",
                describe(&keys)
            ))),
        })
    }

    fn debtor_client(&self, part: &Part) -> Option<i64> {
        self.option_client().or_else(|| {
            let cn = field("de.cn")?;
            part.values
                .iter()
                .find(|a| a.field == cn)
                .and_then(|a| a.value.plain().trim().parse().ok())
                .or_else(|| {
                    // de.cn as a key, or cl.nu as the owner key of a debtor record.
                    part.keys
                        .iter()
                        .chain(&part.owner_keys)
                        .find(|k| k.field == cn || super::is_code(k.field, "cl.nu"))
                        .and_then(|k| k.value.plain().trim().parse().ok())
                })
        })
    }

    fn resolve_debtor<'p>(
        &mut self,
        part: &'p Part,
    ) -> Result<std::result::Result<Action<'p>, Resolved>> {
        let client = self.debtor_client(part);
        let keys: Vec<&KeyField> = part.keys.iter().collect();
        let found = if keys.is_empty() {
            Lookup::NotFound
        } else {
            let by_file_number = keys.iter().any(|k| k.field.field == "fi");
            let scope: Vec<(&'static str, SqlValue)> = match client {
                // The client joins the key (S2:5359-5383), except for a file number,
                // which is unique on its own.
                Some(c) if !by_file_number => vec![(code_col("de.cn")?, SqlValue::Integer(c))],
                _ => Vec::new(),
            };
            match (client, &keys[..]) {
                (Some(c), [k]) if !by_file_number && !self.key_may_exist(c, k)? => Lookup::NotFound,
                _ => self.lookup(Form::Debtor, &keys, &scope)?,
            }
        };
        let log = part.log_skipped();
        Ok(match found {
            Lookup::Found(fi) if part.skip_if_found() => {
                Err(Resolved::Skip(format!("found:{fi}"), log))
            }
            Lookup::Found(fi) => Ok(Action::Debtor {
                part,
                existing: Some(fi),
                client: client.unwrap_or_default(),
            }),
            Lookup::NotFound if part.inhibit_autocreate() => Err(Resolved::Skip(
                "debtor not found (inhibit_autocreate)".into(),
                log,
            )),
            Lookup::NotFound => match client {
                None => Err(Resolved::Reject(
                    "no client for a new debtor (name the import's client, set [options] client or map de.cn)"
                        .into(),
                )),
                Some(c) if self.client_info(c)?.is_none() => {
                    Err(Resolved::Reject(format!("unknown client {c}")))
                }
                Some(c) => Ok(Action::Debtor {
                    part,
                    existing: None,
                    client: c,
                }),
            },
            Lookup::Ambiguous => Err(Resolved::Reject(format!(
                "ambiguous key: several debtors match {}",
                describe(&keys)
            ))),
        })
    }

    /// False when no debtor of `client` can match this single exact text key (the
    /// [`KnownKeys`] set says so); true when it may, or when the set is not in use.
    fn key_may_exist(&mut self, client: i64, key: &KeyField) -> Result<bool> {
        let (FieldType::TextAn, true, Value::Text(t)) = (key.field.ty, key.exact, &key.value)
        else {
            return Ok(true);
        };
        // The set holds debtor columns only.
        if key.field.form != Form::Debtor {
            return Ok(true);
        }
        if let Known::Undecided = self.known {
            self.known = match KnownKeys::load(self.conn, client, key.field)? {
                Some(k) => Known::On(k),
                None => Known::Off,
            };
        }
        Ok(match &self.known {
            Known::On(k) if k.covers(client, key.field.column) => k.may_exist(t.trim()),
            _ => true,
        })
    }

    fn resolve_sub<'p>(
        &mut self,
        part: &'p Part,
        target: DebtorTarget,
        debtor_part_seen: bool,
        skip_subs: bool,
    ) -> Result<std::result::Result<Vec<Action<'p>>, Resolved>> {
        let owner = match self.sub_owner(part, target, debtor_part_seen, skip_subs)? {
            Ok(owner) => owner,
            Err(resolved) => return Ok(Err(resolved)),
        };
        let existing = match self.existing_sub(part, owner)? {
            Ok(existing) => existing,
            Err(resolved) => return Ok(Err(resolved)),
        };
        let trans_type = match self.sub_trans_type(part, owner, existing)? {
            Ok(trans_type) => trans_type,
            Err(resolved) => return Ok(Err(resolved)),
        };
        Ok(Ok(vec![Action::Sub {
            part,
            owner,
            existing,
            trans_type,
        }]))
    }

    /// Who owns a sub-record: a client named by its keys (or the import's client), a
    /// debtor found by the record's owner keys, or the debtor of the same record.
    fn sub_owner(
        &mut self,
        part: &Part,
        target: DebtorTarget,
        debtor_part_seen: bool,
        skip_subs: bool,
    ) -> Result<std::result::Result<Owner, Resolved>> {
        if part.kind.owner() == Some(Form::Client) {
            self.client_owner(part)
        } else if !part.owner_keys.is_empty() {
            self.debtor_owner_by_keys(part)
        } else {
            Ok(debtor_owner_of_record(
                part,
                target,
                debtor_part_seen || skip_subs,
            ))
        }
    }

    fn client_owner(&mut self, part: &Part) -> Result<std::result::Result<Owner, Resolved>> {
        let nu = part
            .owner_keys
            .iter()
            .find_map(|k| k.value.plain().trim().parse::<i64>().ok())
            .or(self.option_client());
        Ok(match nu {
            Some(n) if self.client_info(n)?.is_some() => Ok(Owner::Client(n)),
            Some(n) => Err(Resolved::Reject(format!("unknown client {n}"))),
            None => Err(Resolved::Reject(format!(
                "no client for this {} record (map cl.nu with key = true or name the import's client)",
                part.kind.name()
            ))),
        })
    }

    fn debtor_owner_by_keys(
        &mut self,
        part: &Part,
    ) -> Result<std::result::Result<Owner, Resolved>> {
        let kind = part.kind;
        let keys: Vec<&KeyField> = part
            .owner_keys
            .iter()
            .filter(|k| k.field.form == Form::Debtor)
            .collect();
        let by_file_number = keys.iter().any(|k| k.field.field == "fi");
        let client = part
            .owner_keys
            .iter()
            .find(|k| k.field.form == Form::Client)
            .and_then(|k| k.value.plain().trim().parse::<i64>().ok())
            .or(self.option_client());
        let scope: Vec<(&'static str, SqlValue)> = match client {
            Some(c) if !by_file_number => vec![(code_col("de.cn")?, SqlValue::Integer(c))],
            _ => Vec::new(),
        };
        Ok(match self.lookup(Form::Debtor, &keys, &scope)? {
            Lookup::Found(fi) => Ok(Owner::Debtor(DebtorTarget::Existing(fi))),
            Lookup::NotFound
                if part.owner_inhibit_autocreate() || part.skip_subrecords_if_not_found() =>
            {
                Err(Resolved::Skip(
                    format!("{}: debtor not found", kind.name()),
                    part.log_skipped(),
                ))
            }
            Lookup::NotFound => Err(Resolved::Reject(format!(
                "no debtor matches {}",
                describe(&keys)
            ))),
            Lookup::Ambiguous => Err(Resolved::Reject(format!(
                "ambiguous key: several debtors match {}",
                describe(&keys)
            ))),
        })
    }

    /// The sub-record's own keys, looked up within its owner: the record it updates, if
    /// any.
    fn existing_sub(
        &mut self,
        part: &Part,
        owner: Owner,
    ) -> Result<std::result::Result<Option<i64>, Resolved>> {
        let kind = part.kind;
        if part.keys.is_empty() {
            return Ok(Ok(None));
        }
        let mut existing = None;
        let scope = match owner {
            Owner::Debtor(DebtorTarget::Existing(fi)) => Some((code_col("de.fi")?, fi)),
            Owner::Client(n) => Some((code_col("de.cn")?, n)),
            _ => None,
        };
        if let Some((col, id)) = scope {
            let keys: Vec<&KeyField> = part.keys.iter().collect();
            match self.lookup(kind.form(), &keys, &[(col, SqlValue::Integer(id))])? {
                Lookup::Found(_) if part.skip_if_found() => {
                    return Ok(Err(Resolved::Skip(
                        format!("{} found (skip_if_found)", kind.name()),
                        part.log_skipped(),
                    )))
                }
                Lookup::Found(id) => existing = Some(id),
                Lookup::NotFound => {}
                Lookup::Ambiguous => {
                    return Ok(Err(Resolved::Reject(format!(
                        "ambiguous key: several {} records match {}",
                        kind.name(),
                        describe(&keys)
                    ))))
                }
            }
        }
        if existing.is_none() && part.inhibit_autocreate() {
            return Ok(Err(Resolved::Skip(
                format!("{} not found (inhibit_autocreate)", kind.name()),
                part.log_skipped(),
            )));
        }
        Ok(Ok(existing))
    }

    /// A new transaction's type (a payment record defaults to 101), known to the ledger,
    /// with its amount and reversal checked against the account it posts to.
    fn sub_trans_type(
        &mut self,
        part: &Part,
        owner: Owner,
        existing: Option<i64>,
    ) -> Result<std::result::Result<Option<String>, Resolved>> {
        if part.kind.form() != Form::Transaction || existing.is_some() {
            return Ok(Ok(None));
        }
        let ty = part
            .get("tr.ty")
            .map(Value::plain)
            .filter(|t| !t.trim().is_empty())
            .or_else(|| (part.kind == RecordKind::Payment).then(|| "101".to_string()));
        let Some(t) = ty else {
            return Ok(Err(Resolved::Reject(
                "transaction without a type (tr.ty)".into(),
            )));
        };
        if self.ledger.trans_type(self.conn, &t).is_err() {
            return Ok(Err(Resolved::Reject(format!(
                "unknown transaction type '{t}'"
            ))));
        }
        let fi = match owner {
            Owner::Debtor(DebtorTarget::Existing(fi)) => Some(fi),
            // The account this record creates gets the next file number.
            Owner::Debtor(DebtorTarget::New) => Some(self.next_fi),
            _ => None,
        };
        if let Some(fi) = fi {
            if let Err(reason) = self.check_posting(part, fi, &t)? {
                return Ok(Err(Resolved::Reject(reason)));
            }
        }
        Ok(Ok(Some(t)))
    }

    /// A transaction's amount (To Us + Direct) within the ceiling and, for a
    /// reversal, the reversal rules (money::reversal): a record that breaks them is
    /// rejected with the reason instead of failing the import at the write.
    fn check_posting(
        &mut self,
        part: &Part,
        fi: i64,
        type_code: &str,
    ) -> Result<std::result::Result<(), String>> {
        let ty = self.ledger.trans_type(self.conn, type_code)?;
        let dec = |c: &str| {
            part.get(c)
                .filter(|v| !v.is_null())
                .and_then(Value::as_decimal)
        };
        let to_us = dec("tr.tu").or(ty.fixed_to_us).unwrap_or_default();
        let amount = round_cents(to_us) + round_cents(dec("tr.di").unwrap_or_default());
        if let Err(m) = limits::check_amount(amount) {
            return Ok(Err(format!("To Us + Direct: {m}")));
        }
        let reverses = part
            .get("tr.rv")
            .map(Value::plain)
            .and_then(|s| s.trim().parse().ok());
        let date = part
            .get("tr.py")
            .and_then(Value::as_date)
            .unwrap_or(self.ctx.today);
        match reversal::check(self.conn, fi, &ty, amount, reverses, date) {
            Ok(_) => Ok(Ok(())),
            Err(e) if e.kind == ErrorKind::Validation => Ok(Err(e.to_string())),
            Err(e) => Err(e),
        }
    }

    // ---- writing ----

    fn bump(map: &mut BTreeMap<String, u64>, kind: &str) {
        *map.entry(kind.to_string()).or_default() += 1;
    }

    /// UPDATE one record's mapped fields; `preserve` fields only where blank (S2:5303).
    fn update(
        &mut self,
        form: Form,
        rowid: i64,
        values: &[&super::pipeline::Assign],
    ) -> Result<()> {
        if values.is_empty() {
            return Ok(());
        }
        if let (Form::Debtor, Known::On(k)) = (form, &mut self.known) {
            // The set stays a superset of the stored keys: a rewritten key column adds
            // its new value; a debtor moved to another client turns the set off.
            if values.iter().any(|a| super::is_code(a.field, "de.cn")) {
                self.known = Known::Off;
            } else {
                let column = k.column();
                let mut full = false;
                for a in values.iter().filter(|a| a.field.column == column) {
                    if let Value::Text(t) = &a.value {
                        full |= !k.add(t);
                    }
                }
                if full {
                    self.known = Known::Off;
                }
            }
        }
        let cols = values
            .iter()
            .map(|a| (a.field.column, a.preserve))
            .collect();
        let args = values.iter().map(|a| value_to_sql(a.field, &a.value));
        self.sql.update(form, rowid, cols, args)
    }

    fn write_client(&mut self, part: &Part, existing: Option<i64>, number: i64) -> Result<()> {
        let values: Vec<&super::pipeline::Assign> = part
            .values
            .iter()
            .filter(|a| a.field.field != "nu")
            .collect();
        match existing {
            Some(nu) => {
                self.update(Form::Client, nu, &without_search_terms(part, &values))?;
                Self::bump(&mut self.summary.updated, "client");
            }
            None => {
                let vals: Vec<(&FieldDef, Value)> =
                    values.iter().map(|a| (a.field, a.value.clone())).collect();
                store::create_client(self.conn, number, &vals)?;
                Self::bump(&mut self.summary.created, "client");
            }
        }
        self.clients.remove(&number);
        Ok(())
    }

    fn write_debtor(&mut self, part: &Part, existing: Option<i64>, client: i64) -> Result<i64> {
        let own: Vec<&super::pipeline::Assign> = part
            .values
            .iter()
            .filter(|a| !a.field.computed && !matches!(a.field.field, "fi" | "cn"))
            .collect();
        let fi = match existing {
            Some(fi) => {
                self.update_debtor(part, &own, fi)?;
                fi
            }
            None => self.insert_debtor(part, &own, client)?,
        };
        if self.map.options.auto_create_contact_records {
            self.auto_contact_records(fi, part)?;
        }
        self.touch(fi);
        Ok(fi)
    }

    /// A debtor on file: its mapped fields are updated; the computed ones (the
    /// opening amounts) are write-once, so a re-import never posts twice (docs/import-maps.md).
    fn update_debtor(
        &mut self,
        part: &Part,
        own: &[&super::pipeline::Assign],
        fi: i64,
    ) -> Result<()> {
        self.update(Form::Debtor, fi, &without_search_terms(part, own))?;
        for a in part.values.iter().filter(|a| a.field.computed) {
            if !a.value.is_null() {
                self.skip(&format!("{} on an existing debtor", a.field.code()));
            }
        }
        Self::bump(&mut self.summary.updated, "debtor");
        Ok(())
    }

    /// A new debtor: the next file number, its columns, and its opening
    /// transactions posted with it.
    fn insert_debtor(
        &mut self,
        part: &Part,
        own: &[&super::pipeline::Assign],
        client: i64,
    ) -> Result<i64> {
        let fi = self.next_fi;
        self.next_fi += 1;
        let (mut cols, mut args) = self.new_debtor_columns(own, fi, client)?;
        let opening = self.opening_transactions(part, fi);
        self.note_known_key(client, &cols, &args);
        if opening.is_empty() {
            self.sql.insert(Form::Debtor, &cols, args)?;
        } else {
            // The account is written once, with the totals of its opening
            // transactions (import speed).
            let sql = &self.sql;
            let judgment = own
                .iter()
                .find(|a| super::is_code(a.field, "de.jd"))
                .and_then(|a| a.value.as_date());
            self.ledger
                .post_opening(self.conn, fi, &opening, judgment, |totals| {
                    if let Some(t) = totals {
                        cols.extend(crate::store::debtors::DebtorTotals::columns()?);
                        args.extend(t.stored().values());
                    }
                    sql.insert(Form::Debtor, &cols, args).map(|_| ())
                })?;
            self.summary.posted += opening.len() as u64;
            for _ in &opening {
                Self::bump(&mut self.summary.created, "transaction");
            }
        }
        Self::bump(&mut self.summary.created, "debtor");
        Ok(fi)
    }

    /// The columns and values of a new debtor: file number, client, batch, the
    /// defaults the map does not set, the client's settings, the new-account
    /// plan, then the mapped values.
    fn new_debtor_columns(
        &mut self,
        own: &[&super::pipeline::Assign],
        fi: i64,
        client: i64,
    ) -> Result<(Vec<&'static str>, Vec<SqlValue>)> {
        let mut cols: Vec<&'static str> = Vec::with_capacity(own.len() + 32);
        let mut args: Vec<SqlValue> = Vec::with_capacity(own.len() + 32);
        let mapped = |code: &str| own.iter().any(|a| super::is_code(a.field, code));
        let push = |cols: &mut Vec<&str>, args: &mut Vec<SqlValue>, code: &str, v: SqlValue| {
            cols.push(code_col(code)?);
            args.push(v);
            Ok::<(), Error>(())
        };
        push(&mut cols, &mut args, "de.fi", SqlValue::Integer(fi))?;
        push(&mut cols, &mut args, "de.cn", SqlValue::Integer(client))?;
        let batch = SqlValue::Text(self.batch.to_string());
        push(&mut cols, &mut args, "de.ib", batch)?;
        // New debtors: mode A, listed today (docs/import-maps.md).
        if !mapped("de.mo") {
            push(&mut cols, &mut args, "de.mo", SqlValue::Text("A".into()))?;
        }
        if !mapped("de.li") {
            let today = SqlValue::Text(crate::dates::iso_date(self.ctx.today));
            push(&mut cols, &mut args, "de.li", today)?;
        }
        if !mapped("de.ok") {
            push(&mut cols, &mut args, "de.ok", SqlValue::Integer(0))?;
        }
        let info = self.client_info(client)?;
        if self.map.options.apply_client_settings {
            if let Some(info) = &info {
                for (f, v) in &info.settings {
                    if !own.iter().any(|a| a.field == *f) && !matches!(v, SqlValue::Null) {
                        cols.push(f.column);
                        args.push(v.clone());
                    }
                }
            }
        }
        // The new-account plan: the map's, else the client's (S2:716-728).
        if !mapped("de.rp") {
            let plan = self
                .map
                .options
                .new_account_plan
                .clone()
                .or_else(|| info.as_ref().and_then(|i| i.plan.clone()));
            if let Some(p) = plan {
                push(&mut cols, &mut args, "de.rp", SqlValue::Text(p))?;
            }
        }
        for a in own {
            cols.push(a.field.column);
            args.push(value_to_sql(a.field, &a.value));
        }
        Ok((cols, args))
    }

    /// Original principal / interest post 196 / 197 (S2:5068-5075).
    fn opening_transactions(&self, part: &Part, fi: i64) -> Vec<NewTransaction> {
        let mut opening = Vec::new();
        if !self.map.options.include_transaction_posting {
            return opening;
        }
        let li = part.get("de.li").and_then(Value::as_date);
        for (code, ty) in [("de.opr", "196"), ("de.oi", "197")] {
            let amount = part.get(code).and_then(Value::as_decimal);
            if let Some(d) = amount.filter(|d| !d.is_zero()) {
                opening.push(NewTransaction {
                    file_number: fi,
                    type_code: ty.into(),
                    to_us: Some(-d),
                    payment_date: Some(li.unwrap_or(self.ctx.today)),
                    posted_date: Some(self.ctx.today),
                    ..Default::default()
                });
            }
        }
        opening
    }

    /// Add the new debtor's account key to the known-keys set; once the set is
    /// full it can no longer answer, so the import stops using it.
    fn note_known_key(&mut self, client: i64, cols: &[&str], args: &[SqlValue]) {
        if let Known::On(k) = &mut self.known {
            let key = cols.iter().zip(args).find(|(c, _)| k.covers(client, c));
            if let Some((_, SqlValue::Text(v))) = key {
                if !k.add(v) {
                    self.known = Known::Off;
                }
            }
        }
    }

    /// Phone, email and address sub-records from the debtor's fields ("Auto-Create
    /// Phone, Email, and Address Records", S2:5223-5224), each only when not on file.
    /// The email and address tables are not catalogue forms (store migration 2).
    fn auto_contact_records(&mut self, fi: i64, part: &Part) -> Result<()> {
        for (code, ty) in [("de.hp", "Home"), ("de.wp", "Work"), ("de.cp", "Cell")] {
            let Some(num) = part
                .get(code)
                .map(Value::plain)
                .filter(|s| !s.trim().is_empty())
            else {
                continue;
            };
            if store::debtors::debtor_has_phone(self.conn, fi, &num)? {
                continue;
            }
            store::debtors::add_debtor_phone(self.conn, fi, &num, ty)?;
            Self::bump(&mut self.summary.created, "phone");
        }
        if let Some(em) = part
            .get("de.em")
            .map(Value::plain)
            .filter(|s| !s.trim().is_empty())
        {
            if !store::debtors::debtor_has_email(self.conn, fi, &em)? {
                store::debtors::add_debtor_email(self.conn, fi, &em)?;
                Self::bump(&mut self.summary.created, "email");
            }
        }
        let line = |c: &str| {
            part.get(c)
                .map(Value::plain)
                .filter(|s| !s.trim().is_empty())
        };
        let addr = store::debtors::AddressLines {
            line1: line("de.ad"),
            line2: line("de.a1"),
            city: line("de.ci"),
            state: line("de.st"),
            zip: line("de.zi"),
            country: line("de.cy"),
        };
        if addr.line1.is_some() && !store::debtors::debtor_has_address(self.conn, fi, &addr)? {
            let ok = part.get("de.ok").is_some_and(|v| *v == Value::Flag(true));
            store::debtors::add_debtor_address(self.conn, fi, &addr, ok)?;
            Self::bump(&mut self.summary.created, "address");
        }
        Ok(())
    }

    fn write_sub(
        &mut self,
        part: &Part,
        owner: Owner,
        existing: Option<i64>,
        ty: Option<&str>,
    ) -> Result<()> {
        let form = part.kind.form();
        let kind_name = part.kind.name();
        let (owner_col, owner_id, fi) = match owner {
            Owner::Debtor(DebtorTarget::Existing(fi)) => (code_col("de.fi")?, fi, Some(fi)),
            Owner::Client(n) => (code_col("de.cn")?, n, None),
            _ => return Err(Error::runtime("internal: sub-record without an owner")),
        };
        let own: Vec<&super::pipeline::Assign> = part.values.iter().collect();
        if let Some(id) = existing {
            self.update(form, id, &without_search_terms(part, &own))?;
            Self::bump(&mut self.summary.updated, kind_name);
            if let (Form::Transaction, Some(fi)) = (form, fi) {
                crate::money::recalculate(self.conn, fi)?;
            }
            return Ok(());
        }
        if form == Form::Transaction {
            let Some(fi) = fi else {
                return Err(Error::runtime("internal: transaction without a debtor"));
            };
            return self.post_sub_transaction(part, fi, ty.unwrap_or("101"), &own);
        }
        let mut cols: Vec<&str> = vec![owner_col];
        let mut args: Vec<SqlValue> = vec![SqlValue::Integer(owner_id)];
        let mut values: Vec<(&'static FieldDef, Value)> =
            own.iter().map(|a| (a.field, a.value.clone())).collect();
        if form == Form::Note {
            let note_owner = match fi {
                Some(fi) => NoteOwner::Debtor(fi),
                None => NoteOwner::Client(owner_id),
            };
            if self.note_line_on_file(note_owner, &mut values)? {
                self.skip("duplicate note line");
                return Ok(());
            }
        }
        for (f, v) in &values {
            cols.push(f.column);
            args.push(value_to_sql(f, v));
        }
        self.sql.insert(form, &cols, args)?;
        Self::bump(&mut self.summary.created, kind_name);
        Ok(())
    }

    /// Post a transaction record through the ledger (commission, tax, totals), then
    /// what posting does not take, and the promises a payment pays.
    fn post_sub_transaction(
        &mut self,
        part: &Part,
        fi: i64,
        ty: &str,
        own: &[&super::pipeline::Assign],
    ) -> Result<()> {
        let kind_name = part.kind.name();
        let get = |c: &str| part.get(c).filter(|v| !v.is_null());
        let dec = |c: &str| get(c).and_then(Value::as_decimal);
        let text = |c: &str| get(c).map(Value::plain);
        let flag = |c: &str| match get(c) {
            Some(Value::Flag(b)) => Some(*b),
            _ => None,
        };
        // "after": the type's settings are applied after the map's fields, so its
        // omit flags win; "before": the map's fields win (S2:5093-5094).
        let after = self.map.options.transaction_type == TypeWhen::After;
        let req = NewTransaction {
            file_number: fi,
            type_code: ty.to_string(),
            to_us: dec("tr.tu"),
            direct: dec("tr.di"),
            payment_date: get("tr.py").and_then(Value::as_date),
            posted_date: get("tr.pd").and_then(Value::as_date),
            description: text("tr.de"),
            external_id: text("tr.id"),
            operator: text("tr.op"),
            reverses: text("tr.rv").and_then(|s| s.parse().ok()),
            commission: dec("tr.cm"),
            commission_rate: dec("tr.cr"),
            tax_rate: dec("tr.tr"),
            tax_exempt: flag("tr.te"),
            omit_statement: if after { None } else { flag("tr.os") },
            omit_cash: if after { None } else { flag("tr.oc") },
            breakdown_principal: dec("tr.bpr"),
            breakdown_interest: dec("tr.bin"),
            breakdown_fees: dec("tr.bfe"),
        };
        let posted = self.ledger.post(self.conn, &req)?;
        // "Manage Promises: if you are importing payments" (S2:5221)
        if self.map.options.manage_promises {
            let ty = self.ledger.trans_type(self.conn, &req.type_code)?;
            if ty.fin_type == crate::money::FinType::Payment {
                let amount = crate::money::to_cents(
                    req.to_us.unwrap_or_default() + req.direct.unwrap_or_default(),
                );
                let date = req.payment_date.unwrap_or(self.ctx.today);
                crate::plans::promises::apply_payment(self.conn, fi, amount, date)?;
            }
        }
        // Fields posting does not take (sales, user fields): written afterwards.
        let rest: Vec<&super::pipeline::Assign> = own
            .iter()
            .copied()
            .filter(|a| a.field.field == "sa")
            .collect();
        self.update(Form::Transaction, posted.id, &rest)?;
        self.summary.posted += 1;
        Self::bump(&mut self.summary.created, kind_name);
        self.touch(fi);
        Ok(())
    }

    /// Whether a note line identical to this one is on file, so a re-run of the same
    /// file adds nothing. The stamp's time of day is the time of the run (`@t`), not part
    /// of the note: a re-run later the same day matches too (the date still counts).
    fn note_line_on_file(
        &mut self,
        note_owner: NoteOwner,
        values: &mut Vec<(&'static FieldDef, Value)>,
    ) -> Result<bool> {
        let time_at = note_stamp(values);
        let mut matches = Vec::with_capacity(values.len());
        let (te, tm) = (field("no.te"), field("no.tm"));
        for (f, v) in values.iter() {
            let stamped = time_at.filter(|_| Some(*f) == te);
            if time_at.is_some() && Some(*f) == tm {
                continue;
            }
            if let Some(at) = stamped {
                // Characters 1..=at, then what follows the 5-character HH:MM.
                let text: Vec<char> = v.plain().chars().collect();
                let kept: String = text[..at].iter().chain(&text[at + 5..]).collect();
                matches.push(NoteMatch::WithoutTime { field: f, at, kept });
            } else {
                matches.push(NoteMatch::Is(f, value_to_sql(f, v)));
            }
        }
        store::notes::note_line_exists(self.conn, note_owner, matches)
    }

    /// Note a debtor for the end-of-import recalculation: only one that was on file
    /// before (its stored totals may predate this import).
    fn touch(&mut self, fi: i64) {
        if self.map.options.recalculate && fi < self.first_new_fi {
            self.touched.push(fi);
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

/// A sub-record's owner once its record's debtor is written: a new debtor's
/// file number is known only then.
fn sub_owner(owner: Owner, new_fi: Option<i64>) -> Result<Owner> {
    Ok(match owner {
        Owner::Debtor(DebtorTarget::New) => match new_fi {
            Some(fi) => Owner::Debtor(DebtorTarget::Existing(fi)),
            None => {
                return Err(Error::runtime(
                    "internal: sub-record without its new debtor",
                ))
            }
        },
        other => other,
    })
}

/// `no.te` holding a proper stamp `MM/DD/YYYY HH:MM …` fills `no.dt` / `no.tm` when the
/// map does not set them (S2:5030-5047). Returns where the stamp's `HH:MM` starts in
/// `no.te` (in characters), when there is one.
fn note_stamp(values: &mut Vec<(&'static FieldDef, Value)>) -> Option<usize> {
    let (te, dt, tm) = (field("no.te")?, field("no.dt")?, field("no.tm")?);
    let text = values
        .iter()
        .find(|(f, _)| *f == te)
        .map(|(_, v)| v.plain())?;
    let mut words = text.split_whitespace();
    let (d, t) = (words.next()?, words.next()?);
    let date = NaiveDate::parse_from_str(d, "%m/%d/%Y").ok()?;
    if t.len() != 5
        || chrono::NaiveTime::parse_from_str(t, "%H:%M").is_err()
        || !text.contains(" : ") && !text.contains(':')
    {
        return None;
    }
    // `t` is a slice of `text`: its byte offset, counted in characters.
    let t_at = t.as_ptr() as usize - text.as_ptr() as usize;
    let time_at = text[..t_at].chars().count();
    if !values.iter().any(|(f, _)| *f == dt) {
        values.push((dt, Value::Date(date)));
    }
    if !values.iter().any(|(f, _)| *f == tm) {
        values.push((tm, Value::Text(t.to_string())));
    }
    Some(time_at)
}

/// On an update, a non-exact text key is a search term ("doe" found "Doe, John"), not
/// data: it is not written over the value it matched.
fn without_search_terms<'a>(
    part: &Part,
    values: &[&'a super::pipeline::Assign],
) -> Vec<&'a super::pipeline::Assign> {
    values
        .iter()
        .copied()
        .filter(|a| {
            !part
                .keys
                .iter()
                .any(|k| k.field == a.field && !k.exact && a.field.ty == FieldType::TextAn)
        })
        .collect()
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

/// The owner of a sub-record without owner keys: the debtor of the same import record.
/// With none, the record is skipped when the debtor part was read but not found (or
/// sub-records are skipped), otherwise rejected.
fn debtor_owner_of_record(
    part: &Part,
    target: DebtorTarget,
    skip_without_debtor: bool,
) -> std::result::Result<Owner, Resolved> {
    match target {
        DebtorTarget::None if skip_without_debtor => Err(Resolved::Skip(
            format!("{}: debtor not found", part.kind.name()),
            part.log_skipped(),
        )),
        DebtorTarget::None => Err(Resolved::Reject(format!(
            "no debtor for this {} record (map de.fi or de.ac with key = true)",
            part.kind.name()
        ))),
        t => Ok(Owner::Debtor(t)),
    }
}

fn describe(keys: &[&KeyField]) -> String {
    keys.iter()
        .map(|k| format!("{} '{}'", k.field.code(), k.value.plain()))
        .collect::<Vec<_>>()
        .join(" and ")
}

fn is_integer_key(f: &FieldDef) -> bool {
    matches!(
        (f.form, f.field),
        (Form::Debtor, "fi") | (Form::Debtor, "cn") | (Form::Client, "nu")
    )
}
