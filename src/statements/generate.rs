//! `recoup statements generate`: one statement per client per period (docs/money.md).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use rusqlite::{params, Connection, OptionalExtension};

use super::remit::{settle, PeriodSums, Remit};
use crate::money::limits::{add_to_total, sub_from_total, MAX_AMOUNT_CENTS};
use crate::store::next_number;
use crate::{bail, Result};

/// One generated statement, amounts in cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementSummary {
    pub client: i64,
    pub statement: i64,
    pub date: NaiveDate,
    pub remit: Remit,
    pub lines: usize,
    pub to_us: i64,
    pub direct: i64,
    pub commission: i64,
    pub tax: i64,
    pub fees: i64,
    pub balance_forward: i64,
    pub check: i64,
    pub due_from_client: i64,
    pub aged_30: i64,
    pub aged_60: i64,
    pub aged_90: i64,
}

/// Each client's top owner: sub-clients roll up to the client that owns them
/// (S2:376-382), through any number of levels.
pub fn top_owners(conn: &Connection) -> Result<BTreeMap<i64, i64>> {
    let mut owner_of = BTreeMap::new();
    let mut stmt = conn.prepare("SELECT nu, ob FROM client")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let nu: i64 = r.get(0)?;
        let ob: Option<String> = r.get(1)?;
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
fn open_statements(conn: &Connection, owner: i64) -> Result<Vec<(i64, NaiveDate, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.nu, s.dt, s.charge - COALESCE((SELECT SUM(amount) FROM allocation a WHERE a.target = s.nu), 0)
         FROM statement s WHERE s.cl = ?1",
    )?;
    let mut rows = stmt.query([owner])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let open: i64 = r.get(2)?;
        if open > 0 {
            let dt: String = r.get(1)?;
            out.push((
                r.get(0)?,
                crate::dates::parse_iso(&dt).unwrap_or(NaiveDate::MIN),
                open,
            ));
        }
    }
    out.sort_by_key(|(nu, dt, _)| (*dt, *nu));
    Ok(out)
}

/// What a client (its top owner) owes now.
pub fn client_balance(conn: &Connection, owner: i64) -> Result<i64> {
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
    conn: &Connection,
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
        conn.prepare_cached("INSERT INTO allocation (target, by_statement, by_payment, amount) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![nu, by_statement, by_payment, take])?;
        amount -= take;
    }
    Ok(amount)
}

struct Line {
    trans: i64,
    fi: i64,
    name: String,
    acct: String,
    ty: String,
    description: Option<String>,
    py: Option<String>,
    pd: String,
    tu: i64,
    di: i64,
    cm: i64,
    tx: i64,
    client_fee: bool,
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
fn remove_statement(conn: &Connection, owner: i64, nu: i64, to: NaiveDate) -> Result<()> {
    let later: Option<i64> = conn
        .prepare_cached("SELECT nu FROM statement WHERE cl = ?1 AND pto > ?2 AND nu <> ?3 LIMIT 1")?
        .query_row(params![owner, to, nu], |r| r.get(0))
        .optional()?;
    if let Some(later) = later {
        bail!(runtime, "client {owner}: statement {nu} cannot be replaced because a later statement ({later}) exists");
    }
    let paid: i64 = conn.query_row(
        "SELECT COUNT(*) FROM allocation WHERE target = ?1 AND by_payment IS NOT NULL",
        [nu],
        |r| r.get(0),
    )?;
    if paid > 0 {
        bail!(runtime, "client {owner}: statement {nu} cannot be replaced because a client payment was applied to it");
    }
    conn.execute("UPDATE trans SET iv = NULL WHERE iv = ?1", [nu.to_string()])?;
    conn.execute("DELETE FROM invoice_line WHERE st = ?1", [nu])?;
    conn.execute(
        "DELETE FROM allocation WHERE by_statement = ?1 OR target = ?1",
        [nu],
    )?;
    conn.execute("DELETE FROM statement WHERE nu = ?1", [nu])?;
    Ok(())
}

/// Generate the statements of a period. Statements are dated the day after `to`.
pub fn generate(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    client: Option<i64>,
    replace: bool,
) -> Result<Vec<StatementSummary>> {
    if to < from {
        bail!(config, "--to {to} is before --from {from}");
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
    conn: &Connection,
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
        None => next_number(conn, "statement", "nu", 1)?,
    };
    conn.prepare_cached(
        "INSERT INTO statement (nu, cl, dt, fr, pto, rm, tu, di, cm, tx, fe, bf, ck, du, charge)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        nu,
        owner,
        period.date,
        period.from,
        period.to,
        remit.code(),
        sums.to_us,
        sums.direct,
        sums.commission(),
        sums.tax(),
        sums.fees,
        balance_forward,
        outcome.cheque,
        outcome.due_from_client,
        outcome.new_charge
    ])?;
    insert_statement_lines(conn, nu, &lines)?;
    allocate(conn, &opens, outcome.recovered_from_balance, Some(nu), None)?;
    let aging = age_open_statements(conn, owner, period.date)?;
    conn.execute(
        "UPDATE statement SET a30 = ?2, a60 = ?3, a90 = ?4 WHERE nu = ?1",
        params![nu, aging.days_30, aging.days_60, aging.days_90],
    )?;
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
    conn: &Connection,
    owner: i64,
    period: &Period,
    replace: bool,
) -> Result<Option<i64>> {
    let (from, to) = (period.from, period.to);
    let existing: Option<i64> = conn
        .prepare_cached(
            "SELECT nu FROM statement WHERE cl = ?1 AND fr <= ?3 AND pto >= ?2 LIMIT 1",
        )?
        .query_row(params![owner, from, to], |r| r.get(0))
        .optional()?;
    if let Some(nu) = existing {
        if !replace {
            bail!(runtime, "client {owner}: statement {nu} already covers part of {from} to {to}; use --replace to generate it again");
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
    fn read(conn: &Connection, owner: i64) -> Result<StatementSettings> {
        let (remit, bill_negative, sort_by_account_number): (String, bool, bool) = conn.query_row(
            "SELECT COALESCE(rm, 'N'), COALESCE(bn, 0), COALESCE(so, 'N') = 'A' FROM client WHERE nu = ?1",
            [owner],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(StatementSettings {
            remit: Remit::parse(&remit),
            bill_negative,
            sort_by_account_number,
        })
    }
}

/// The period's transactions of the client's family not yet on a statement.
fn period_lines(conn: &Connection, family: &[i64], period: &Period) -> Result<Vec<Line>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, t.fi, COALESCE(d.na, ''), COALESCE(d.ac, ''), t.ty, t.de, t.py, t.pd,
                COALESCE(t.tu, 0), COALESCE(t.di, 0), COALESCE(t.cm, 0), COALESCE(t.tx, 0),
                COALESCE(t.ft, '') = 'client_fee'
         FROM trans t JOIN debtor d ON d.fi = t.fi
         WHERE d.cn = ?1 AND t.pd >= ?2 AND t.pd <= ?3 AND COALESCE(t.os, 0) = 0 AND t.iv IS NULL",
    )?;
    let mut lines = Vec::new();
    for member in family {
        let mut rows = stmt.query(params![member, period.from, period.to])?;
        while let Some(r) = rows.next()? {
            lines.push(Line {
                trans: r.get(0)?,
                fi: r.get(1)?,
                name: r.get(2)?,
                acct: r.get(3)?,
                ty: r.get(4)?,
                description: r.get(5)?,
                py: r.get(6)?,
                pd: r.get(7)?,
                tu: r.get(8)?,
                di: r.get(9)?,
                cm: r.get(10)?,
                tx: r.get(11)?,
                client_fee: r.get(12)?,
            });
        }
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
fn insert_statement_lines(conn: &Connection, nu: i64, lines: &[Line]) -> Result<()> {
    let mut ins = conn.prepare_cached(
        "INSERT INTO invoice_line (st, trans, fi, na, ac, dt, su, ty, py, pd, tu, di, cm, tx, rt)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?;
    let mut mark = conn.prepare_cached("UPDATE trans SET iv = ?2 WHERE id = ?1")?;
    for l in lines {
        let ret = sub_from_total(add_to_total(l.tu, l.di)?, l.cm)?;
        ins.execute(params![
            nu,
            l.trans,
            l.fi.to_string(),
            l.name,
            l.acct,
            l.pd,
            l.description,
            l.ty,
            l.py,
            l.pd,
            l.tu,
            l.di,
            l.cm,
            l.tx,
            ret
        ])?;
        mark.execute(params![l.trans, nu.to_string()])?;
    }
    Ok(())
}

/// What is still open from earlier statements, by age on the statement date.
struct Aging {
    days_30: i64,
    days_60: i64,
    days_90: i64,
}

/// 30/60/90 aging of what is still open from earlier statements (S2:760-772).
fn age_open_statements(conn: &Connection, owner: i64, date: NaiveDate) -> Result<Aging> {
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

/// `recoup client-payment`: a client's payment against what it owes, oldest first.
/// A payment larger than the balance is refused rather than left unapplied.
pub fn client_payment(
    conn: &Connection,
    client: i64,
    amount: i64,
    date: NaiveDate,
) -> Result<(i64, i64)> {
    let tops = top_owners(conn)?;
    let Some(&owner) = tops.get(&client) else {
        bail!(runtime, "no client with number {client}")
    };
    if amount <= 0 {
        bail!(config, "--amount must be positive");
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
    conn.execute(
        "INSERT INTO client_payment (cn, date, amount) VALUES (?1, ?2, ?3)",
        params![owner, date, amount],
    )?;
    let id = conn.last_insert_rowid();
    let opens = open_statements(conn, owner)?;
    allocate(conn, &opens, amount, None, Some(id))?;
    Ok((id, owed - amount))
}
