//! Writing a resolved record: clients, debtors with their opening transactions and
//! automatic contacts, sub-records posted through the money engine. Nothing here can
//! reject the record; resolving (`resolve.rs`) has already decided.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::{code_col, field, owner_value, Action, Applier, DebtorTarget, Known, Owner};
use crate::catalog::{FieldDef, FieldType, Form, Value};
use crate::import::map::TypeWhen;
use crate::import::pipeline::Part;
use crate::money::NewTransaction;
use crate::store::import_cache::SqlValue;
use crate::store::notes::{NoteMatch, NoteOwner};
use crate::store::{self, value_to_sql};
use crate::{Error, Result};

impl<'c> Applier<'c> {
    /// Write a resolved record: clients, then debtors, then sub-records, which a
    /// new debtor of the same record gives its file number.
    pub(super) fn write_actions(&mut self, actions: &[Action<'_>], line: u64) -> Result<()> {
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

    fn bump(map: &mut BTreeMap<String, u64>, kind: &str) {
        *map.entry(kind.to_string()).or_default() += 1;
    }

    /// UPDATE one record's mapped fields; `preserve` fields only where blank (S2:5303).
    fn update(
        &mut self,
        form: Form,
        rowid: i64,
        values: &[&crate::import::pipeline::Assign],
    ) -> Result<()> {
        if values.is_empty() {
            return Ok(());
        }
        if let (Form::Debtor, Known::On(k)) = (form, &mut self.known) {
            // The set stays a superset of the stored keys: a rewritten key column adds
            // its new value; a debtor moved to another client turns the set off.
            if values
                .iter()
                .any(|a| crate::import::is_code(a.field, "de.cn"))
            {
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
        let values: Vec<&crate::import::pipeline::Assign> = part
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
        let own: Vec<&crate::import::pipeline::Assign> = part
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
        own: &[&crate::import::pipeline::Assign],
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
        own: &[&crate::import::pipeline::Assign],
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
                .find(|a| crate::import::is_code(a.field, "de.jd"))
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
        own: &[&crate::import::pipeline::Assign],
        fi: i64,
        client: i64,
    ) -> Result<(Vec<&'static str>, Vec<SqlValue>)> {
        let mut cols: Vec<&'static str> = Vec::with_capacity(own.len() + 32);
        let mut args: Vec<SqlValue> = Vec::with_capacity(own.len() + 32);
        let mapped = |code: &str| own.iter().any(|a| crate::import::is_code(a.field, code));
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
        let own: Vec<&crate::import::pipeline::Assign> = part.values.iter().collect();
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
        own: &[&crate::import::pipeline::Assign],
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
        let rest: Vec<&crate::import::pipeline::Assign> = own
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
    values: &[&'a crate::import::pipeline::Assign],
) -> Vec<&'a crate::import::pipeline::Assign> {
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
