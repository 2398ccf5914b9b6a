//! `recoup statements generate`: one statement per client per period (docs/money.md).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::store::Db;
use chrono::{Duration, NaiveDate};

use super::remit::{settle, PeriodSums, Remit};
use crate::money::limits::{add_to_total, sub_from_total, MAX_AMOUNT_CENTS};
use crate::store::statements::{self as store, NewStatement, StatementLine as Line};
use crate::{bail, Error, Remedy, Result};

/// One generated statement, amounts in cents; `--json` shows amounts as two-decimal
/// strings and the remit method by its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementSummary {
    pub client: i64,
    pub statement: i64,
    #[serde(serialize_with = "super::iso_date")]
    pub date: NaiveDate,
    #[serde(serialize_with = "remit_code")]
    pub remit: Remit,
    pub lines: usize,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub to_us: i64,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub direct: i64,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub commission: i64,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub tax: i64,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub fees: i64,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub balance_forward: i64,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub check: i64,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub due_from_client: i64,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub aged_30: i64,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub aged_60: i64,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub aged_90: i64,
}

fn remit_code<S: serde::Serializer>(r: &Remit, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(r.code())
}

/// The statements one `statements generate` made, for its output: `--json` is
/// `{"statements": [...]}`; the text is a table, or a sentence when there are none.
#[derive(Debug, Serialize)]
pub struct Generated<'a> {
    pub statements: &'a [StatementSummary],
    #[serde(skip)]
    pub from: NaiveDate,
    #[serde(skip)]
    pub to: NaiveDate,
}

impl fmt::Display for Generated<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.statements.is_empty() {
            return writeln!(
                f,
                "no statements: no client has lines or a balance forward for {} to {}",
                self.from, self.to
            );
        }
        let m = |c: i64| format!("{:.2}", crate::money::from_cents(c));
        writeln!(
            f,
            "{:>6} {:>6} {:<10} {:>1} {:>5} {:>12} {:>12} {:>11} {:>9} {:>9} {:>11} {:>12} {:>12}",
            "stmt",
            "client",
            "date",
            "R",
            "lines",
            "to us",
            "direct",
            "commission",
            "tax",
            "fees",
            "bal fwd",
            "cheque",
            "due"
        )?;
        for s in self.statements {
            writeln!(
                f,
                "{:>6} {:>6} {:<10} {:>1} {:>5} {:>12} {:>12} {:>11} {:>9} {:>9} {:>11} {:>12} {:>12}",
                s.statement,
                s.client,
                s.date.format("%Y-%m-%d"),
                s.remit.code(),
                s.lines,
                m(s.to_us),
                m(s.direct),
                m(s.commission),
                m(s.tax),
                m(s.fees),
                m(s.balance_forward),
                m(s.check),
                m(s.due_from_client)
            )?;
        }
        Ok(())
    }
}

/// Each client's top owner: sub-clients roll up to the client that owns them
/// (S2:376-382), through any number of levels.
pub fn top_owners(conn: &Db) -> Result<BTreeMap<i64, i64>> {
    let mut owner_of = BTreeMap::new();
    for (nu, ob) in store::client_owned_by(conn)? {
        let ob = ob
            .and_then(|s| s.trim().parse::<i64>().ok())
            .filter(|o| *o != nu);
        owner_of.insert(nu, ob);
    }
    let mut top = BTreeMap::new();
    for &nu in owner_of.keys() {
        let mut cur = nu;
        let mut steps = 0;
        while let Some(Some(next)) = owner_of.get(&cur) {
            if !owner_of.contains_key(next) {
                break; // owner not in the database: the last known client is the top
            }
            cur = *next;
            steps += 1;
            if steps > owner_of.len() {
                bail!(
                    config,
                    "client {nu}: its owned-by chain loops back on itself"
                );
            }
        }
        top.insert(nu, cur);
    }
    Ok(top)
}

/// Open amount (charge less allocations) of each earlier statement of `owner`, oldest first.
fn open_statements(conn: &Db, owner: i64) -> Result<Vec<(i64, NaiveDate, i64)>> {
    store::open_charges(conn, owner)
}

/// What a client (its top owner) owes now.
pub fn client_balance(conn: &Db, owner: i64) -> Result<i64> {
    sum_open(&open_statements(conn, owner)?)
}

/// The open amounts added with a check (money::limits).
fn sum_open(opens: &[(i64, NaiveDate, i64)]) -> Result<i64> {
    opens
        .iter()
        .try_fold(0, |total, (_, _, open)| add_to_total(total, *open))
}

/// Allocate `amount` to the open statements oldest first; returns what was left.
fn allocate(
    conn: &Db,
    opens: &[(i64, NaiveDate, i64)],
    mut amount: i64,
    by_statement: Option<i64>,
    by_payment: Option<i64>,
) -> Result<i64> {
    for (nu, _, open) in opens {
        if amount <= 0 {
            break;
        }
        let take = amount.min(*open);
        store::allocate(conn, *nu, by_statement, by_payment, take)?;
        amount -= take;
    }
    Ok(amount)
}

/// Split an amount between the To Us and Direct parts of a line in proportion.
fn direct_share(amount: i64, tu: i64, di: i64) -> i64 {
    if di == 0 {
        0
    } else if tu == 0 {
        amount
    } else {
        let total = (tu + di) as i128;
        if total == 0 {
            0
        } else {
            ((amount as i128 * di as i128 * 2 + total) / (total * 2)) as i64
        }
    }
}

/// The period's sums, each added with a check: a total beyond the ceiling is an
/// error, never a wrap (money::limits). Within it, the remit formulas combine a few
/// totals far inside `i64`.
fn sums_of(lines: &[Line]) -> Result<PeriodSums> {
    let mut s = PeriodSums::default();
    for l in lines {
        let amount = add_to_total(l.tu, l.di)?;
        if l.client_fee {
            // 397: "a 'due Agency' charge billed to your Client" (S2:627-633)
            s.fees = sub_from_total(s.fees, amount)?;
            continue;
        }
        s.to_us = add_to_total(s.to_us, l.tu)?;
        s.direct = add_to_total(s.direct, l.di)?;
        let cm_direct = direct_share(l.cm, l.tu, l.di);
        let tx_direct = direct_share(l.tx, l.tu, l.di);
        s.commission_direct = add_to_total(s.commission_direct, cm_direct)?;
        s.commission_to_us = add_to_total(s.commission_to_us, sub_from_total(l.cm, cm_direct)?)?;
        s.tax_direct = add_to_total(s.tax_direct, tx_direct)?;
        s.tax_to_us = add_to_total(s.tax_to_us, sub_from_total(l.tx, tx_direct)?)?;
        if l.tu < 0 {
            s.to_us_negative = add_to_total(s.to_us_negative, l.tu)?;
            s.commission_negative = add_to_total(s.commission_negative, l.cm)?;
            s.tax_negative = add_to_total(s.tax_negative, l.tx)?;
        }
    }
    Ok(s)
}

/// Delete a statement so its period can be generated again (`--replace`).
fn remove_statement(conn: &Db, owner: i64, nu: i64, to: NaiveDate) -> Result<()> {
    if let Some(later) = store::later_statement(conn, owner, to, nu)? {
        bail!(runtime, "client {owner}: statement {nu} cannot be replaced because a later statement ({later}) exists");
    }
    if store::payments_applied_to(conn, nu)? > 0 {
        bail!(runtime, "client {owner}: statement {nu} cannot be replaced because a client payment was applied to it");
    }
    store::delete_statement(conn, nu)
}

/// Generate the statements of a period. Statements are dated the day after `to`.
pub fn generate(
    conn: &Db,
    from: NaiveDate,
    to: NaiveDate,
    client: Option<i64>,
    replace: bool,
) -> Result<Vec<StatementSummary>> {
    if to < from {
        bail!(
            config,
            "the period ends on {to}, before it starts on {from}"
        );
    }
    let tops = top_owners(conn)?;
    let period = Period {
        from,
        to,
        date: to + Duration::days(1),
    };
    let mut out = Vec::new();
    for owner in statement_owners(&tops, client)? {
        if let Some(summary) = generate_for_owner(conn, &tops, owner, &period, replace)? {
            out.push(summary);
        }
    }
    Ok(out)
}

/// The period a run covers and the date its statements carry.
struct Period {
    from: NaiveDate,
    to: NaiveDate,
    date: NaiveDate,
}

/// The clients that get a statement: the one asked for (which must be a top
/// owner), else every top owner, in number order.
fn statement_owners(tops: &BTreeMap<i64, i64>, client: Option<i64>) -> Result<Vec<i64>> {
    Ok(match client {
        Some(c) => match tops.get(&c) {
            None => bail!(runtime, "no client with number {c}"),
            Some(&top) if top != c => {
                bail!(runtime, "client {c} is owned by client {top}: its transactions are on {top}'s statement (S2:376-382)")
            }
            Some(&top) => vec![top],
        },
        None => {
            let mut v: Vec<i64> = tops.values().copied().collect();
            v.sort_unstable();
            v.dedup();
            v
        }
    })
}

/// One client's statement for the period, or `None` when it has neither lines
/// nor a balance forward.
fn generate_for_owner(
    conn: &Db,
    tops: &BTreeMap<i64, i64>,
    owner: i64,
    period: &Period,
    replace: bool,
) -> Result<Option<StatementSummary>> {
    let replaced = clear_overlapping_statement(conn, owner, period, replace)?;
    let family: Vec<i64> = tops
        .iter()
        .filter(|(_, t)| **t == owner)
        .map(|(c, _)| *c)
        .collect();
    let settings = StatementSettings::read(conn, owner)?;
    let mut lines = period_lines(conn, &family, period)?;
    sort_lines(&mut lines, settings.sort_by_account_number);
    let opens = open_statements(conn, owner)?;
    let balance_forward = sum_open(&opens)?;
    if lines.is_empty() && balance_forward == 0 {
        return Ok(None); // "issued for a client with lines or a balance forward"
    }
    let sums = sums_of(&lines).map_err(|e| e.context(format!("client {owner}")))?;
    let remit = settings.remit;
    let outcome = settle(remit, &sums, balance_forward, settings.bill_negative);
    let nu = match replaced {
        Some(nu) => nu,
        None => store::next_statement_number(conn)?,
    };
    store::insert_statement(
        conn,
        &NewStatement {
            nu,
            client: owner,
            date: period.date,
            from: period.from,
            to: period.to,
            remit: remit.code(),
            to_us: sums.to_us,
            direct: sums.direct,
            commission: sums.commission(),
            tax: sums.tax(),
            fees: sums.fees,
            balance_forward,
            cheque: outcome.cheque,
            due_from_client: outcome.due_from_client,
            charge: outcome.new_charge,
        },
    )?;
    insert_statement_lines(conn, nu, &lines)?;
    allocate(conn, &opens, outcome.recovered_from_balance, Some(nu), None)?;
    let aging = age_open_statements(conn, owner, period.date)?;
    store::set_statement_aging(conn, nu, aging.days_30, aging.days_60, aging.days_90)?;
    Ok(Some(StatementSummary {
        client: owner,
        statement: nu,
        date: period.date,
        remit,
        lines: lines.len(),
        to_us: sums.to_us,
        direct: sums.direct,
        commission: sums.commission(),
        tax: sums.tax(),
        fees: sums.fees,
        balance_forward,
        check: outcome.cheque,
        due_from_client: outcome.due_from_client,
        aged_30: aging.days_30,
        aged_60: aging.days_60,
        aged_90: aging.days_90,
    }))
}

/// A statement of the client that already covers part of the period is an error,
/// or with `--replace` is removed. A replaced statement gets its number back
/// (docs/month-end.md, "Numbering and replacing"): the client's papers and the
/// cheque register keep pointing at it.
fn clear_overlapping_statement(
    conn: &Db,
    owner: i64,
    period: &Period,
    replace: bool,
) -> Result<Option<i64>> {
    let (from, to) = (period.from, period.to);
    let existing = store::overlapping_statement(conn, owner, from, to)?;
    if let Some(nu) = existing {
        if !replace {
            return Err(Error::runtime(format!(
                "client {owner}: statement {nu} already covers part of {from} to {to}"
            ))
            .with_remedy(Remedy::ReplaceStatements));
        }
        remove_statement(conn, owner, nu, to)?;
    }
    Ok(existing)
}

/// The client's statement settings (`cl.rm`, `cl.bn`, `cl.so`).
struct StatementSettings {
    remit: Remit,
    bill_negative: bool,
    /// Accounts in account-number order rather than by name (S2:734-739).
    sort_by_account_number: bool,
}

impl StatementSettings {
    fn read(conn: &Db, owner: i64) -> Result<StatementSettings> {
        let (remit, bill_negative, sort_by_account_number) =
            store::client_statement_settings(conn, owner)?;
        Ok(StatementSettings {
            remit: Remit::parse(&remit),
            bill_negative,
            sort_by_account_number,
        })
    }
}

/// The period's transactions of the client's family not yet on a statement.
fn period_lines(conn: &Db, family: &[i64], period: &Period) -> Result<Vec<Line>> {
    let mut lines = Vec::new();
    for member in family {
        lines.extend(store::statement_lines_for_client(
            conn,
            *member,
            period.from,
            period.to,
        )?);
    }
    Ok(lines)
}

/// The client's debtor sort order decides the order of accounts (S2:734-739):
/// by name or account number (case-insensitive), then file, date, transaction.
fn sort_lines(lines: &mut [Line], by_account_number: bool) {
    let key = |l: &Line| {
        if by_account_number {
            l.acct.to_lowercase()
        } else {
            l.name.to_lowercase()
        }
    };
    lines.sort_by(|a, b| (key(a), a.fi, &a.pd, a.trans).cmp(&(key(b), b.fi, &b.pd, b.trans)));
}

/// The statement's lines, each transaction marked as invoiced on statement `nu`.
fn insert_statement_lines(conn: &Db, nu: i64, lines: &[Line]) -> Result<()> {
    // What each line returns to the client: To Us plus Direct, less commission.
    let returns = lines
        .iter()
        .map(|l| sub_from_total(add_to_total(l.tu, l.di)?, l.cm))
        .collect::<Result<Vec<i64>>>()?;
    store::insert_invoice_lines(conn, nu, lines.iter().zip(returns))
}

/// What is still open from earlier statements, by age on the statement date.
struct Aging {
    days_30: i64,
    days_60: i64,
    days_90: i64,
}

/// 30/60/90 aging of what is still open from earlier statements (S2:760-772).
fn age_open_statements(conn: &Db, owner: i64, date: NaiveDate) -> Result<Aging> {
    let mut aging = Aging {
        days_30: 0,
        days_60: 0,
        days_90: 0,
    };
    for (_, dt, open) in open_statements(conn, owner)? {
        let bucket = match (date - dt).num_days() {
            i64::MIN..=29 => continue,
            30..=59 => &mut aging.days_30,
            60..=89 => &mut aging.days_60,
            _ => &mut aging.days_90,
        };
        *bucket = add_to_total(*bucket, open)?;
    }
    Ok(aging)
}

/// A client payment as `recoup client-payment` reports it: `--json` is its
/// serialisation, the line its `Display`; amounts in cents, shown with two decimals.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClientPaymentReport {
    pub payment: i64,
    pub client: i64,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub amount: i64,
    #[serde(serialize_with = "super::cents_as_amount")]
    pub still_owed: i64,
}

impl std::fmt::Display for ClientPaymentReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "client payment {} of {:.2} recorded for client {}; still owed {:.2}",
            self.payment,
            crate::money::from_cents(self.amount),
            self.client,
            crate::money::from_cents(self.still_owed)
        )
    }
}

/// `recoup client-payment`: a client's payment against what it owes, oldest first.
/// A payment larger than the balance is refused rather than left unapplied.
pub fn client_payment(conn: &Db, client: i64, amount: i64, date: NaiveDate) -> Result<(i64, i64)> {
    let tops = top_owners(conn)?;
    let Some(&owner) = tops.get(&client) else {
        bail!(runtime, "no client with number {client}")
    };
    if amount <= 0 {
        bail!(config, "a client payment must be more than 0.00");
    }
    if amount > MAX_AMOUNT_CENTS {
        bail!(
            validation,
            "a client payment of {} is beyond the ceiling of {} per amount",
            crate::money::from_cents(amount),
            crate::money::from_cents(MAX_AMOUNT_CENTS)
        );
    }
    let owed = client_balance(conn, owner)?;
    if amount > owed {
        bail!(
            runtime,
            "client {owner} owes {}; a payment of {} is more than that",
            crate::money::from_cents(owed),
            crate::money::from_cents(amount)
        );
    }
    let id = store::insert_client_payment(conn, owner, date, amount)?;
    let opens = open_statements(conn, owner)?;
    allocate(conn, &opens, amount, None, Some(id))?;
    Ok((id, owed - amount))
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn json_keys_in_order_amounts_as_strings_and_display_is_the_table() {
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
        let s = StatementSummary {
            client: 7,
            statement: 3,
            date: d(8, 1),
            remit: Remit::Gross,
            lines: 2,
            to_us: 12345,
            direct: 0,
            commission: 100,
            tax: 13,
            fees: 0,
            balance_forward: -5,
            check: 12232,
            due_from_client: 0,
            aged_30: 0,
            aged_60: 0,
            aged_90: 0,
        };
        let list = [s];
        let g = Generated {
            statements: &list,
            from: d(7, 1),
            to: d(7, 31),
        };
        assert_eq!(
            serde_json::to_string(&g).unwrap(),
            concat!(
                r#"{"statements":[{"client":7,"statement":3,"date":"2024-08-01","remit":"G","lines":2,"#,
                r#""to_us":"123.45","direct":"0.00","commission":"1.00","tax":"0.13","fees":"0.00","#,
                r#""balance_forward":"-0.05","check":"122.32","due_from_client":"0.00","#,
                r#""aged_30":"0.00","aged_60":"0.00","aged_90":"0.00"}]}"#
            )
        );
        let text = g.to_string();
        assert!(
            text.starts_with("  stmt client date       R lines "),
            "{text}"
        );
        assert!(
            text.ends_with("\n     3      7 2024-08-01 G     2       123.45         0.00        1.00      0.13      0.00       -0.05       122.32         0.00\n"),
            "{text}"
        );
        let none = Generated {
            statements: &[],
            from: d(7, 1),
            to: d(7, 31),
        };
        assert_eq!(
            none.to_string(),
            "no statements: no client has lines or a balance forward for 2024-07-01 to 2024-07-31\n"
        );
    }
}
