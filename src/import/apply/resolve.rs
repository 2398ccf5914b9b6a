//! Resolving a record (docs/import-maps.md): every lookup and every check that can
//! reject it, with no write. What it decides is a [`Plan`] of actions for `write.rs`.

use super::{
    code_col, field, owner_value, Action, Applier, DebtorOutcome, DebtorTarget, Known, Lookup,
    Owner, Plan, Resolved,
};
use crate::catalog::{FieldDef, FieldType, Form, Value};
use crate::import::known_keys::KnownKeys;
use crate::import::map::RecordKind;
use crate::import::pipeline::{KeyField, Part};
use crate::money::{limits, reversal, round_cents};
use crate::setup::owners;
use crate::store::import_cache::{Cond, SqlValue};
use crate::store::value_to_sql;
use crate::{ErrorKind, Result};

impl<'c> Applier<'c> {
    /// Resolve every part of a record without writing: the actions and skips, or
    /// the reason the whole record is rejected.
    pub(super) fn resolve_record<'p>(
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
                        .find(|k| k.field == cn || crate::import::is_code(k.field, "cl.nu"))
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
