//! Posting a transaction (S2:2101-2106): the record is created with its commission
//! and tax, the debtor is recalculated, then the type's contact plan runs (the plan
//! engine hooks in through `Posted::plan`).

use std::collections::HashMap;
use std::rc::Rc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::limits;
use super::rate_plan::{effective_rate, load_plan, Commission, PlanInputs, RatePlan};
use super::recalc::Totals;
use super::reversal;
use super::types::{load_type, FinType, TransType};
use super::{from_cents, round_cents, to_cents};
use crate::store::debtors::PostingTerms;
use crate::store::transactions::{insert_transactions, NewTransRow};
use crate::store::Db;
use crate::{bail, Error, Result};

/// A transaction to post. Amounts are decimals; blanks take the type's defaults.
#[derive(Debug, Clone, Default)]
pub struct NewTransaction {
    pub file_number: i64,
    pub type_code: String,
    pub to_us: Option<Decimal>,
    pub direct: Option<Decimal>,
    pub payment_date: Option<NaiveDate>,
    pub posted_date: Option<NaiveDate>,
    pub description: Option<String>,
    pub external_id: Option<String>,
    pub operator: Option<String>,
    /// The payment a reversal reverses (its transaction number).
    pub reverses: Option<i64>,
    /// A commission amount given by hand (or by an import map) is used as-is.
    pub commission: Option<Decimal>,
    pub commission_rate: Option<Decimal>,
    pub tax_rate: Option<Decimal>,
    pub tax_exempt: Option<bool>,
    pub omit_statement: Option<bool>,
    pub omit_cash: Option<bool>,
    /// Payment breakdown (S2:2074-2077): the parts of a payment that pay principal,
    /// interest and fees; the debtor's rate levels 1–3 apply to them (S2:641-661).
    pub breakdown_principal: Option<Decimal>,
    pub breakdown_interest: Option<Decimal>,
    pub breakdown_fees: Option<Decimal>,
}

/// What posting produced.
#[derive(Debug, Clone)]
pub struct Posted {
    pub id: i64,
    pub commission: Decimal,
    pub commission_rate: Option<Decimal>,
    pub tax: Decimal,
    pub totals: Totals,
    /// The transaction type's contact plan, for the plan engine to run.
    pub plan: Option<String>,
}

impl Posted {
    /// What `recoup post` says of this posting to `debtor`.
    pub fn report(&self, debtor: i64) -> PostReport {
        PostReport {
            transaction: self.id,
            debtor,
            commission: format!("{:.2}", self.commission),
            commission_rate: self.commission_rate.map(|r| r.normalize().to_string()),
            tax: format!("{:.2}", self.tax),
            owing: format!("{:.2}", crate::amount::from_cents(self.totals.owing())),
        }
    }
}

/// One posting as `recoup post` reports it: `--json` is its serialisation, the line its
/// `Display`. Amounts are two-decimal text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PostReport {
    pub transaction: i64,
    pub debtor: i64,
    pub commission: String,
    pub commission_rate: Option<String>,
    pub tax: String,
    pub owing: String,
}

impl std::fmt::Display for PostReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "posted transaction {} to debtor {}: commission {}, tax {}, owing {}",
            self.transaction, self.debtor, self.commission, self.tax, self.owing
        )
    }
}

/// A transaction record just written, before the debtor's totals are updated.
struct Recorded {
    id: i64,
    commission: Decimal,
    commission_rate: Option<Decimal>,
    tax: Decimal,
    plan: Option<String>,
    code: String,
    fin: FinType,
    /// To Us + Direct, cents.
    amount: i64,
    payment_date: NaiveDate,
}

/// A transaction worked out by [`Ledger::work_out`], not yet written.
struct Prepared {
    ty: Rc<TransType>,
    to_us: Decimal,
    direct: Decimal,
    /// To Us + Direct.
    amount: Decimal,
    payment_date: NaiveDate,
    posted_date: NaiveDate,
    commission: Option<Commission>,
    /// The commission amount (zero without one).
    cm: Decimal,
    tax_rate: Option<Decimal>,
    tax: Decimal,
    reverses: Option<i64>,
    description: Option<String>,
}

/// The amounts and rates a request gives, each within its bounds (money::limits):
/// refused with exit 3 naming the field.
fn check_limits(req: &NewTransaction) -> Result<()> {
    let amounts = [
        ("To Us", req.to_us),
        ("Direct", req.direct),
        ("commission", req.commission),
        ("principal breakdown", req.breakdown_principal),
        ("interest breakdown", req.breakdown_interest),
        ("fees breakdown", req.breakdown_fees),
    ];
    for (name, d) in amounts {
        if let Some(d) = d {
            limits::check_amount(d).map_err(|m| Error::validation(format!("{name}: {m}")))?;
        }
    }
    for (name, r) in [
        ("commission rate", req.commission_rate),
        ("tax rate", req.tax_rate),
    ] {
        if let Some(r) = r {
            limits::check_rate(r).map_err(|m| Error::validation(format!("{name}: {m}")))?;
        }
    }
    Ok(())
}

/// Posts transactions, caching transaction types and rate plans for the run.
pub struct Ledger {
    types: HashMap<String, Rc<TransType>>,
    plans: HashMap<String, Option<RatePlan>>,
    today: NaiveDate,
}

impl Ledger {
    pub fn new(today: NaiveDate) -> Ledger {
        Ledger {
            types: HashMap::new(),
            plans: HashMap::new(),
            today,
        }
    }

    pub fn trans_type(&mut self, conn: &Db, code: &str) -> Result<Rc<TransType>> {
        let code = code.trim();
        if let Some(t) = self.types.get(code) {
            return Ok(Rc::clone(t));
        }
        let Some(t) = load_type(conn, code)? else {
            bail!(runtime, "unknown transaction type '{code}'")
        };
        let t = Rc::new(t);
        self.types.insert(code.to_string(), Rc::clone(&t));
        Ok(t)
    }

    fn rate_plan(&mut self, conn: &Db, code: &str) -> Result<Option<RatePlan>> {
        if !self.plans.contains_key(code) {
            let plan = load_plan(conn, code)?;
            self.plans.insert(code.to_string(), plan);
        }
        Ok(self.plans.get(code).cloned().flatten())
    }

    /// Post one transaction and recalculate its debtor.
    /// The debtor's new totals are worked out before anything is written, so a refusal
    /// (a total beyond the ceiling) leaves the database as it was.
    pub fn post(&mut self, conn: &Db, req: &NewTransaction) -> Result<Posted> {
        let prepared = self.work_out(conn, req)?;
        let Some(mut totals) = super::recalc::stored_totals_of(conn, req.file_number)? else {
            bail!(runtime, "debtor {} does not exist", req.file_number)
        };
        // A transaction dated before the debtor's judgment date is kept but left
        // out of the totals (S2:2194-2196; docs/money.md "Interest and judgments").
        let judgment = super::judgment::judgment_date(conn, req.file_number)?;
        if !super::judgment::excluded(judgment, Some(prepared.payment_date)) {
            totals.add(
                &prepared.ty.code,
                prepared.ty.fin_type,
                to_cents(prepared.amount),
                Some(prepared.payment_date),
            )?;
        }
        let r = Self::write(conn, req, prepared)?;
        super::recalc::store_totals(conn, req.file_number, &totals)?;
        Ok(Posted {
            id: r.id,
            commission: r.commission,
            commission_rate: r.commission_rate,
            tax: r.tax,
            totals,
            plan: r.plan,
        })
    }

    /// Post several transactions of one debtor that carry no commission (original
    /// principal and interest of a new account) and write its totals once: the import's
    /// hot path. A request that could carry a commission goes through [`Ledger::post`].
    pub fn post_uncommissioned(
        &mut self,
        conn: &Db,
        fi: i64,
        reqs: &[NewTransaction],
    ) -> Result<Totals> {
        let mut totals = None;
        let mut added = Vec::new();
        for req in reqs {
            let ty = self.trans_type(conn, &req.type_code)?;
            if Self::commission_possible(req, &ty) {
                totals = Some(self.post(conn, req)?.totals);
                continue;
            }
            added.push(self.record(conn, req)?);
        }
        if added.is_empty() {
            return match totals {
                Some(t) => Ok(t),
                None => super::recalc::stored_totals(conn, fi),
            };
        }
        let mut t = super::recalc::stored_totals(conn, fi)?;
        let jd = super::judgment::judgment_date(conn, fi)?;
        for r in &added {
            if super::judgment::excluded(jd, Some(r.payment_date)) {
                continue;
            }
            t.add(&r.code, r.fin, r.amount, Some(r.payment_date))?;
        }
        super::recalc::store_totals(conn, fi, &t)?;
        Ok(t)
    }

    /// Post the opening transactions (original principal and interest) of an account
    /// being created in this database transaction. `create` writes the debtor: when
    /// no request can carry a commission it gets the totals they produce, so the
    /// account is written once with them and the transactions follow (no read-back,
    /// no UPDATE: the import's hot path). Otherwise `create` gets `None` and the
    /// requests are posted after it through [`Ledger::post_uncommissioned`]. A test
    /// holds both paths equal to posting one by one. `judgment` is the judgment date
    /// the new account is placed with: what predates it stays out of the totals.
    pub fn post_opening(
        &mut self,
        conn: &Db,
        fi: i64,
        reqs: &[NewTransaction],
        judgment: Option<chrono::NaiveDate>,
        create: impl FnOnce(Option<&Totals>) -> Result<()>,
    ) -> Result<()> {
        let mut prepared = Vec::with_capacity(reqs.len());
        for req in reqs {
            let ty = self.trans_type(conn, &req.type_code)?;
            if Self::commission_possible(req, &ty) {
                create(None)?;
                self.post_uncommissioned(conn, fi, reqs)?;
                return Ok(());
            }
            // No commission: preparing reads nothing of the debtor, which does not exist yet.
            prepared.push(self.work_out(conn, req)?);
        }
        let mut totals = Totals::default();
        for p in &prepared {
            if super::judgment::excluded(judgment, Some(p.payment_date)) {
                continue;
            }
            totals.add(
                &p.ty.code,
                p.ty.fin_type,
                to_cents(p.amount),
                Some(p.payment_date),
            )?;
        }
        create(Some(&totals))?;
        Self::write_rows(conn, reqs, &prepared)
    }

    fn commission_possible(req: &NewTransaction, ty: &TransType) -> bool {
        req.commission.is_some()
            || ty.fixed_commission.is_some()
            || (!ty.no_commission && ty.fin_type == FinType::Payment)
    }

    /// Create the transaction record with its commission and tax; the caller updates
    /// the debtor's totals.
    fn record(&mut self, conn: &Db, req: &NewTransaction) -> Result<Recorded> {
        let prepared = self.work_out(conn, req)?;
        Self::write(conn, req, prepared)
    }

    /// Work out a transaction — type, amounts, commission, tax — without writing it.
    fn work_out(&mut self, conn: &Db, req: &NewTransaction) -> Result<Prepared> {
        let ty = self.trans_type(conn, &req.type_code)?;
        if ty.fin_type == FinType::Header {
            bail!(
                runtime,
                "transaction type {} is a group title; nothing can be posted to it",
                ty.code
            );
        }
        // The debtor's rates and dates matter only when a commission can arise; original
        // principal and the other non-payment types skip the read (import speed).
        let terms = if Self::commission_possible(req, &ty) {
            match crate::store::debtors::posting_terms(conn, req.file_number)? {
                Some(t) => t,
                None => bail!(runtime, "debtor {} does not exist", req.file_number),
            }
        } else {
            PostingTerms::default()
        };
        check_limits(req)?;
        let to_us = round_cents(req.to_us.or(ty.fixed_to_us).unwrap_or_default());
        let direct = round_cents(req.direct.unwrap_or_default());
        let amount = to_us + direct;
        limits::check_amount(amount).map_err(Error::validation)?;
        let payment_date = req.payment_date.unwrap_or(self.today);
        let posted_date = req.posted_date.unwrap_or(payment_date);
        let reversed = reversal::check(
            conn,
            req.file_number,
            &ty,
            amount,
            req.reverses,
            payment_date,
        )?;

        // Commission (S2:2097-2100, 4146-4527; docs/money.md).
        let commission: Option<Commission> = if let Some(cm) = req.commission {
            let cm = round_cents(cm);
            Some(Commission {
                amount: cm,
                rate: effective_rate(cm, amount),
            })
        } else if let Some(cm) = ty.fixed_commission {
            // 'Use dollar amounts': "not ... overridden by any commission rate" (S2:2803-2862)
            Some(Commission {
                amount: cm,
                rate: effective_rate(cm, amount),
            })
        } else if ty.no_commission || ty.fin_type != FinType::Payment {
            None
        } else if let Some(r) = &reversed {
            // A reversal reverses commission at the rate of the payment it reverses.
            Some(Commission::at_rate(amount, r.commission_rate))
        } else if let Some(rate) = req.commission_rate.or(ty.commission_rate) {
            Some(Commission::at_rate(amount, rate))
        } else if let Some(plan) = match &terms.rate_plan {
            Some(code) => self.rate_plan(conn, code)?,
            None => None,
        } {
            // A plan overrides flat rates, even a flat rate of 0 (docs/money.md).
            Some(plan.commission(&PlanInputs {
                payment: amount,
                payment_date: Some(payment_date),
                listed: terms.listed,
                charged: terms.charged,
                delinquent: terms.delinquent,
                list_amount: from_cents(terms.list_amount),
                paid_to_date: from_cents(terms.paid),
                owing_before: from_cents(terms.owing),
            }))
        } else {
            Some(self.flat_commission(req, amount, &terms.rates))
        };

        // Tax on the rounded commission, from the most specific level that sets it.
        let exempt = req
            .tax_exempt
            .or(terms.tax_exempt)
            .or(terms.client_tax_exempt)
            .unwrap_or(false);
        let tax_rate = if ty.no_tax || exempt {
            None
        } else {
            req.tax_rate
                .or(reversed.as_ref().and_then(|r| r.tax_rate))
                .or(ty.tax_rate)
                .or(terms.tax_rate)
                .or(terms.client_tax_rate)
        };
        let cm = commission.map_or(Decimal::ZERO, |c| c.amount);
        let tax = match tax_rate {
            Some(r) if commission.is_some() => round_cents(cm * r / Decimal::ONE_HUNDRED),
            _ => Decimal::ZERO,
        };

        let description = req
            .description
            .clone()
            .or_else(|| ty.copy_description.then(|| ty.description.clone()));
        Ok(Prepared {
            ty,
            to_us,
            direct,
            amount,
            payment_date,
            posted_date,
            commission,
            cm,
            tax_rate,
            tax,
            reverses: reversed.map(|r| r.id),
            description,
        })
    }

    /// Write a prepared transaction record; the caller updates the debtor's totals.
    fn write(conn: &Db, req: &NewTransaction, p: Prepared) -> Result<Recorded> {
        let id = insert_transactions(conn, [Self::row(req, &p)])?;
        let ty = &p.ty;
        Ok(Recorded {
            id,
            commission: p.cm,
            commission_rate: p.commission.map(|c| c.rate),
            tax: p.tax,
            plan: ty.plan.clone(),
            code: ty.code.clone(),
            fin: ty.fin_type,
            amount: to_cents(p.amount),
            payment_date: p.payment_date,
        })
    }

    /// Write prepared transaction records.
    fn write_rows(conn: &Db, reqs: &[NewTransaction], prepared: &[Prepared]) -> Result<()> {
        insert_transactions(
            conn,
            reqs.iter().zip(prepared).map(|(req, p)| Self::row(req, p)),
        )?;
        Ok(())
    }

    /// One transaction row as the store writes it.
    fn row<'a>(req: &'a NewTransaction, p: &'a Prepared) -> NewTransRow<'a> {
        let ty = &p.ty;
        NewTransRow {
            file_number: req.file_number,
            type_code: &ty.code,
            description: p.description.as_deref(),
            payment_date: p.payment_date,
            posted_date: p.posted_date,
            to_us: to_cents(p.to_us),
            direct: to_cents(p.direct),
            commission_rate: p.commission.map(|c| c.rate.normalize().to_string()),
            commission: to_cents(p.cm),
            tax_rate: p.tax_rate.map(|r| r.normalize().to_string()),
            tax: to_cents(p.tax),
            tax_exempt: req.tax_exempt,
            omit_statement: req.omit_statement.unwrap_or(ty.omit_statement),
            omit_cash: req.omit_cash.unwrap_or(ty.omit_cash),
            external_id: req.external_id.as_deref(),
            operator: req.operator.as_deref(),
            reverses: p.reverses,
            breakdown_principal: req.breakdown_principal.map(to_cents),
            breakdown_interest: req.breakdown_interest.map(to_cents),
            breakdown_fees: req.breakdown_fees.map(to_cents),
            fin_type: ty.fin_type.as_str(),
        }
    }

    /// Flat rates: level 1 on the whole payment, or — when the payment carries a
    /// breakdown — level 1 on principal, 2 on interest, 3 on fees and level 1 on any
    /// remainder (S2:641-661). A level that is not set falls back to level 1.
    fn flat_commission(
        &self,
        req: &NewTransaction,
        amount: Decimal,
        rates: &[Option<Decimal>; 4],
    ) -> Commission {
        let r1 = rates[0].unwrap_or_default();
        let parts = [
            req.breakdown_principal,
            req.breakdown_interest,
            req.breakdown_fees,
        ];
        if parts.iter().all(Option::is_none) {
            return Commission::at_rate(amount, r1);
        }
        let mut rest = amount;
        let mut total = Decimal::ZERO;
        for (i, part) in parts.iter().enumerate() {
            if let Some(p) = part {
                total += p * rates[i].unwrap_or(r1) / Decimal::ONE_HUNDRED;
                rest -= p;
            }
        }
        total += rest * r1 / Decimal::ONE_HUNDRED;
        let amount_cm = round_cents(total);
        Commission {
            amount: amount_cm,
            rate: effective_rate(amount_cm, amount),
        }
    }
}
