//! Posting a transaction (S2:2101-2106): the record is created with its commission
//! and tax, the debtor is recalculated, then the type's contact plan runs (the plan
//! engine hooks in through `Posted::plan`).

use std::collections::HashMap;
use std::rc::Rc;

use chrono::NaiveDate;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension};
use rust_decimal::Decimal;

use super::limits;
use super::rate_plan::{effective_rate, load_plan, Commission, PlanInputs, RatePlan};
use super::recalc::Totals;
use super::reversal;
use super::types::{load_type, FinType, TransType};
use super::{from_cents, round_cents, to_cents};
use crate::dates::iso_date;
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

/// One transaction row; the values come from `Ledger::row_values`, in this order.
/// One row per statement: a multi-row INSERT needs a statement journal (measured
/// slower on the import).
const TRANS_INSERT: &str =
    "INSERT INTO trans (fi, ty, de, py, pd, tu, di, cr, cm, trt, tx, te, os, oc,
                                               ext_id, op, rv, bpr, bin, bfe, ft)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20, ?21)";

/// A transaction worked out by [`Ledger::prepare`], not yet written.
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

/// The debtor fields commission and tax depend on.
#[derive(Default)]
struct DebtorTerms {
    rates: [Option<Decimal>; 4],
    rate_plan: Option<String>,
    tax_rate: Option<Decimal>,
    tax_exempt: Option<bool>,
    client_tax_rate: Option<Decimal>,
    client_tax_exempt: Option<bool>,
    listed: Option<NaiveDate>,
    charged: Option<NaiveDate>,
    delinquent: Option<NaiveDate>,
    list_amount: i64,
    paid: i64,
    owing: i64,
}

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| crate::dates::parse_iso(&s))
}

fn dec(s: Option<String>) -> Option<Decimal> {
    s.and_then(|s| s.trim().parse().ok())
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

    pub fn trans_type(&mut self, conn: &Connection, code: &str) -> Result<Rc<TransType>> {
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

    fn rate_plan(&mut self, conn: &Connection, code: &str) -> Result<Option<RatePlan>> {
        if !self.plans.contains_key(code) {
            let plan = load_plan(conn, code)?;
            self.plans.insert(code.to_string(), plan);
        }
        Ok(self.plans.get(code).cloned().flatten())
    }

    fn terms(conn: &Connection, fi: i64) -> Result<Option<DebtorTerms>> {
        Ok(conn
            .prepare_cached(
                "SELECT d.rt, d.r2, d.r3, d.r4, d.rpl, d.tx, d.te,
                        (SELECT tx FROM client WHERE nu = d.cn), (SELECT te FROM client WHERE nu = d.cn),
                        d.li, d.ch, d.dq,
                        COALESCE(d.opr, 0) + COALESCE(d.oi, 0), COALESCE(d.pa, 0), COALESCE(d.ow, 0)
                 FROM debtor d WHERE d.fi = ?1",
            )?
            .query_row([fi], |r| {
                Ok(DebtorTerms {
                    rates: [
                        dec(r.get(0)?),
                        dec(r.get(1)?),
                        dec(r.get(2)?),
                        dec(r.get(3)?),
                    ],
                    rate_plan: r
                        .get::<_, Option<String>>(4)?
                        .filter(|s| !s.trim().is_empty()),
                    tax_rate: dec(r.get(5)?),
                    tax_exempt: r.get(6)?,
                    client_tax_rate: dec(r.get(7)?),
                    client_tax_exempt: r.get(8)?,
                    listed: date(r.get(9)?),
                    charged: date(r.get(10)?),
                    delinquent: date(r.get(11)?),
                    list_amount: r.get(12)?,
                    paid: r.get(13)?,
                    owing: r.get(14)?,
                })
            })
            .optional()?)
    }

    /// Post one transaction and recalculate its debtor.
    /// The debtor's new totals are worked out before anything is written, so a refusal
    /// (a total beyond the ceiling) leaves the database as it was.
    pub fn post(&mut self, conn: &Connection, req: &NewTransaction) -> Result<Posted> {
        let prepared = self.prepare(conn, req)?;
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
        conn: &Connection,
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
        conn: &Connection,
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
            prepared.push(self.prepare(conn, req)?);
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
    fn record(&mut self, conn: &Connection, req: &NewTransaction) -> Result<Recorded> {
        let prepared = self.prepare(conn, req)?;
        Self::write(conn, req, prepared)
    }

    /// Work out a transaction — type, amounts, commission, tax — without writing it.
    fn prepare(&mut self, conn: &Connection, req: &NewTransaction) -> Result<Prepared> {
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
            match Self::terms(conn, req.file_number)? {
                Some(t) => t,
                None => bail!(runtime, "debtor {} does not exist", req.file_number),
            }
        } else {
            DebtorTerms::default()
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
    fn write(conn: &Connection, req: &NewTransaction, p: Prepared) -> Result<Recorded> {
        Self::write_rows(conn, std::slice::from_ref(req), std::slice::from_ref(&p))?;
        let ty = &p.ty;
        Ok(Recorded {
            id: conn.last_insert_rowid(),
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
    fn write_rows(conn: &Connection, reqs: &[NewTransaction], prepared: &[Prepared]) -> Result<()> {
        let mut stmt = conn.prepare_cached(TRANS_INSERT)?;
        for (req, p) in reqs.iter().zip(prepared) {
            stmt.execute(rusqlite::params_from_iter(Self::row_values(req, p)))
                .map_err(|e| match e {
                    rusqlite::Error::SqliteFailure(f, _)
                        if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                    {
                        crate::Error::runtime(format!("debtor {} does not exist", req.file_number))
                    }
                    e => e.into(),
                })?;
        }
        Ok(())
    }

    /// One transaction row, in [`TRANS_INSERT`] order.
    fn row_values(req: &NewTransaction, p: &Prepared) -> [SqlValue; 21] {
        let ty = &p.ty;
        let text = |s: Option<&String>| s.map_or(SqlValue::Null, |s| SqlValue::Text(s.clone()));
        let int = |v: Option<i64>| v.map_or(SqlValue::Null, SqlValue::Integer);
        let flag = |b: bool| SqlValue::Integer(b as i64);
        [
            SqlValue::Integer(req.file_number),
            SqlValue::Text(ty.code.clone()),
            text(p.description.as_ref()),
            SqlValue::Text(iso_date(p.payment_date)),
            SqlValue::Text(iso_date(p.posted_date)),
            SqlValue::Integer(to_cents(p.to_us)),
            SqlValue::Integer(to_cents(p.direct)),
            p.commission.map_or(SqlValue::Null, |c| {
                SqlValue::Text(c.rate.normalize().to_string())
            }),
            SqlValue::Integer(to_cents(p.cm)),
            p.tax_rate.map_or(SqlValue::Null, |r| {
                SqlValue::Text(r.normalize().to_string())
            }),
            SqlValue::Integer(to_cents(p.tax)),
            req.tax_exempt.map_or(SqlValue::Null, flag),
            flag(req.omit_statement.unwrap_or(ty.omit_statement)),
            flag(req.omit_cash.unwrap_or(ty.omit_cash)),
            text(req.external_id.as_ref()),
            text(req.operator.as_ref()),
            int(p.reverses),
            int(req.breakdown_principal.map(to_cents)),
            int(req.breakdown_interest.map(to_cents)),
            int(req.breakdown_fees.map(to_cents)),
            SqlValue::Text(ty.fin_type.as_str().to_string()),
        ]
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
