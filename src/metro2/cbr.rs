//! Credit-bureau settings and activation for reporting (docs/metro2.md "Which debtors";
//! S2:567-590, 5548-5555). An account is activated by hand, by import, or — when
//! setup's `auto_activate` is on — automatically for clients that report (`cl.rb`).
//! Activation sets `de.cbr`, the start-reporting date `de.cbd` (listed + the client's
//! `cl.dd`, else setup's `delay_days`) and tests the minimum balance once (the client's
//! `cl.mb`, else setup's `min_balance`): an account under it is recorded as excluded
//! and never reported.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use crate::store::{self, settings, Db};
use crate::Result;

/// The `[credit_bureau]` section of setup as generate needs it.
#[derive(Debug, Clone, Default)]
pub struct CbrSetup {
    pub equifax_id: String,
    pub experian_id: String,
    pub transunion_id: String,
    pub innovis_id: String,
    pub identification_number: String,
    pub medical_rules: bool,
    pub line_ending: String,
    pub credit_grantor: bool,
    pub delay_days: i64,
    pub min_balance: Decimal,
    pub auto_activate: bool,
}

impl CbrSetup {
    pub fn load(conn: &Db) -> Result<CbrSetup> {
        const S: &str = "credit_bureau";
        let text =
            |k: &str| -> Result<String> { Ok(settings::get(conn, S, k)?.unwrap_or_default()) };
        Ok(CbrSetup {
            equifax_id: text("equifax_id")?,
            experian_id: text("experian_id")?,
            transunion_id: text("transunion_id")?,
            innovis_id: text("innovis_id")?,
            identification_number: text("identification_number")?,
            medical_rules: settings::get_bool(conn, S, "medical_rules")?.unwrap_or(true),
            line_ending: settings::get(conn, S, "line_ending")?.unwrap_or_else(|| "crlf".into()),
            credit_grantor: settings::get_bool(conn, S, "credit_grantor")?.unwrap_or(false),
            delay_days: settings::get_i64(conn, S, "delay_days")?.unwrap_or(0),
            min_balance: settings::get_decimal(conn, S, "min_balance")?.unwrap_or_default(),
            auto_activate: settings::get_bool(conn, S, "auto_activate")?.unwrap_or(false),
        })
    }
}

/// What activating one account decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activation {
    /// `de.cbd`: listed (else today) + delay days.
    pub start: NaiveDate,
    /// Set when the balance at activation was under the minimum: never reported.
    pub under_minimum: Option<String>,
}

/// The client's reporting settings that activation reads (`cl.dd`, `cl.mb`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientDelay {
    pub delay_days: Option<i64>,
    pub min_balance: Option<Decimal>,
}

/// Decide an activation (pure): the start date and the one-time minimum test.
/// The balance tested is the owing at activation (S2:582-585: "the values at the time
/// the account is activated for reporting").
pub fn plan_activation(
    listed: Option<NaiveDate>,
    today: NaiveDate,
    owing: Decimal,
    client: ClientDelay,
    setup: &CbrSetup,
) -> Activation {
    let delay = client.delay_days.unwrap_or(setup.delay_days).max(0) as u64;
    let from = listed.unwrap_or(today);
    let start = from.checked_add_days(Days::new(delay)).unwrap_or(from);
    let min = client.min_balance.unwrap_or(setup.min_balance);
    let under_minimum = (owing < min)
        .then(|| format!("owing {owing:.2} at activation was under the minimum balance {min:.2}"));
    Activation {
        start,
        under_minimum,
    }
}

/// Write an activation: `de.cbr` on (off when under the minimum), `de.cbd`, the
/// activation record, and the first Metro contact due on the start date (S2:5548-5550).
pub fn record_activation(conn: &Db, fi: i64, today: NaiveDate, a: &Activation) -> Result<()> {
    store::metro2::record_activation(conn, fi, today, a.start, a.under_minimum.as_deref())?;
    if a.under_minimum.is_none() {
        schedule_metro_contact(conn, fi, a.start)?;
    }
    Ok(())
}

/// The description of the Metro contacts recoup schedules.
pub const METRO_DESCRIPTION: &str = "Credit bureau report";

/// A pending Metro contact due on `due` (the one the next report completes).
pub fn schedule_metro_contact(conn: &Db, fi: i64, due: NaiveDate) -> Result<()> {
    store::contacts::schedule_metro_contact(conn, fi, due, METRO_DESCRIPTION)
}

/// Activate one debtor now, whatever its client's settings (by hand, by import).
/// Returns None when the debtor does not exist.
pub fn activate_debtor(conn: &Db, fi: i64, today: NaiveDate) -> Result<Option<Activation>> {
    activate_with(conn, fi, today, &CbrSetup::load(conn)?)
}

fn activate_with(
    conn: &Db,
    fi: i64,
    today: NaiveDate,
    setup: &CbrSetup,
) -> Result<Option<Activation>> {
    let Some(row) = store::metro2::activation_inputs(conn, fi)? else {
        return Ok(None);
    };
    let a = plan_activation(
        row.listed,
        today,
        crate::money::from_cents(row.owing),
        ClientDelay {
            delay_days: row.delay_days.and_then(|d| d.trim().parse().ok()),
            min_balance: row.min_balance.map(crate::money::from_cents),
        },
        setup,
    );
    record_activation(conn, fi, today, &a)?;
    Ok(Some(a))
}

/// Auto-activation (setup `auto_activate`): every debtor of a reporting client whose
/// `de.cbr` is still blank. Returns (activated, under the minimum). Does nothing when
/// `auto_activate` is off.
pub fn auto_activate(conn: &Db, today: NaiveDate) -> Result<(u64, u64)> {
    let setup = CbrSetup::load(conn)?;
    if !setup.auto_activate {
        return Ok((0, 0));
    }
    let files = store::metro2::never_activated_of_reporting_clients(conn)?;
    let (mut on, mut under) = (0, 0);
    for fi in files {
        match activate_with(conn, fi, today, &setup)? {
            Some(a) if a.under_minimum.is_some() => under += 1,
            Some(_) => on += 1,
            None => {}
        }
    }
    Ok((on, under))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_iso_exact;

    fn d(s: &str) -> NaiveDate {
        parse_iso_exact(s).unwrap()
    }

    #[test]
    fn start_is_listed_plus_client_delay_else_setup_delay() {
        let setup = CbrSetup {
            delay_days: 30,
            ..CbrSetup::default()
        };
        let today = d("2024-07-31");
        let a = plan_activation(
            Some(d("2024-06-01")),
            today,
            Decimal::ONE,
            ClientDelay::default(),
            &setup,
        );
        assert_eq!(a.start, d("2024-07-01"));
        let a = plan_activation(
            Some(d("2024-06-01")),
            today,
            Decimal::ONE,
            ClientDelay {
                delay_days: Some(5),
                ..ClientDelay::default()
            },
            &setup,
        );
        assert_eq!(a.start, d("2024-06-06"));
        let a = plan_activation(None, today, Decimal::ONE, ClientDelay::default(), &setup);
        assert_eq!(a.start, d("2024-08-30"));
    }

    #[test]
    fn minimum_from_client_else_setup() {
        let setup = CbrSetup {
            min_balance: Decimal::new(5000, 2),
            ..CbrSetup::default()
        };
        let today = d("2024-07-31");
        let under = plan_activation(
            None,
            today,
            Decimal::new(4999, 2),
            ClientDelay::default(),
            &setup,
        );
        assert!(under.under_minimum.is_some());
        let ok = plan_activation(
            None,
            today,
            Decimal::new(5000, 2),
            ClientDelay::default(),
            &setup,
        );
        assert!(ok.under_minimum.is_none());
        let client = ClientDelay {
            min_balance: Some(Decimal::ZERO),
            ..ClientDelay::default()
        };
        assert!(plan_activation(None, today, Decimal::ONE, client, &setup)
            .under_minimum
            .is_none());
    }
}
