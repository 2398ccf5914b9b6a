//! The `[[statute]]` rules and the `[time_barred]` section of `setup.toml`: parsed with
//! their positions, kept in the `setting` table (section `statute`, one row per state),
//! printed back by `setup show`.

use std::collections::HashMap;
use std::path::Path;

use chrono::{Days, Months, NaiveDate};
use serde::Deserialize;
use toml::Spanned;

use crate::store::{settings, Db};
use crate::tomlutil::config_error_at;
use crate::Result;

const RULES_SECTION: &str = "statute";
pub(super) const SETTINGS_SECTION: &str = "time_barred";

/// "The options are Days, Weeks, Months, or Years" (S2:1849-1850).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    Days,
    Weeks,
    Months,
    Years,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Days => "days",
            Unit::Weeks => "weeks",
            Unit::Months => "months",
            Unit::Years => "years",
        }
    }

    fn parse(s: &str) -> Option<Unit> {
        [Unit::Days, Unit::Weeks, Unit::Months, Unit::Years]
            .into_iter()
            .find(|u| u.name() == s)
    }

    /// `n` units after `date`. Months and years keep the day of the month and clamp it
    /// to the month's length (2020-02-29 + 4 years = 2024-02-29; 2021-02-28 stays the
    /// 28th; 2020-02-29 + 1 year = 2021-02-28): a period never runs into the next month.
    /// None past the calendar's end.
    pub fn add(self, date: NaiveDate, n: u32) -> Option<NaiveDate> {
        match self {
            Unit::Days => date.checked_add_days(Days::new(n.into())),
            Unit::Weeks => date.checked_add_days(Days::new(u64::from(n) * 7)),
            Unit::Months => date.checked_add_months(Months::new(n)),
            Unit::Years => date.checked_add_months(Months::new(n.checked_mul(12)?)),
        }
    }
}

/// One `[[statute]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatuteRule {
    /// The debtor state it applies to; blank = every state without its own rule.
    pub state: Option<Spanned<String>>,
    pub periods: Spanned<u32>,
    pub unit: Unit,
    pub judgment_periods: Option<Spanned<u32>>,
    pub judgment_unit: Option<Unit>,
    #[serde(default)]
    pub exclude_payment_date: bool,
}

/// `[time_barred]`: what other commands do with time-barred accounts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeBarredSettings {
    /// `metro2 generate`: "warn" (report them, one warning each) or "exclude".
    #[serde(default = "warn")]
    pub metro2: Spanned<String>,
}

fn warn() -> Spanned<String> {
    Spanned::new(0..0, "warn".to_string())
}

/// A rule in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub periods: u32,
    pub unit: Unit,
    pub judgment_periods: Option<u32>,
    pub judgment_unit: Option<Unit>,
    pub exclude_payment_date: bool,
}

impl Rule {
    pub fn judgment_pair(&self) -> Option<(u32, Unit)> {
        Some((self.judgment_periods?, self.judgment_unit?))
    }

    /// The stored form: `4 years; 10 years; exclude_payment_date=false`.
    fn to_setting(&self) -> String {
        let judgment = match self.judgment_pair() {
            Some((n, u)) => format!("{n} {}", u.name()),
            None => "-".to_string(),
        };
        format!(
            "{} {}; {judgment}; exclude_payment_date={}",
            self.periods,
            self.unit.name(),
            self.exclude_payment_date
        )
    }

    fn from_setting(s: &str) -> Option<Rule> {
        let mut parts = s.split(';').map(str::trim);
        let pair = |p: &str| -> Option<(u32, Unit)> {
            let (n, u) = p.split_once(' ')?;
            Some((n.parse().ok()?, Unit::parse(u)?))
        };
        let (periods, unit) = pair(parts.next()?)?;
        let judgment = parts.next()?;
        let judgment = if judgment == "-" {
            None
        } else {
            Some(pair(judgment)?)
        };
        let exclude = parts.next()? == "exclude_payment_date=true";
        Some(Rule {
            periods,
            unit,
            judgment_periods: judgment.map(|j| j.0),
            judgment_unit: judgment.map(|j| j.1),
            exclude_payment_date: exclude,
        })
    }
}

/// The rules in force: one per state (matched trimmed and case-insensitively, as
/// the state is typed on the debtor) and the rule for all other states.
#[derive(Debug, Clone, Default)]
pub struct Statute {
    by_state: HashMap<String, Rule>,
    other_states: Option<Rule>,
}

fn state_key(s: &str) -> String {
    s.trim().to_uppercase()
}

impl Statute {
    pub fn load(conn: &Db) -> Result<Statute> {
        let mut statute = Statute::default();
        for (state, value) in settings::section(conn, RULES_SECTION)? {
            let Some(rule) = Rule::from_setting(&value) else {
                continue;
            };
            statute.insert(&state, rule);
        }
        Ok(statute)
    }

    pub fn insert(&mut self, state: &str, rule: Rule) {
        if state.trim().is_empty() {
            self.other_states = Some(rule);
        } else {
            self.by_state.insert(state_key(state), rule);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_state.is_empty() && self.other_states.is_none()
    }

    pub fn rule_for(&self, state: &str) -> Option<&Rule> {
        self.by_state
            .get(&state_key(state))
            .or(self.other_states.as_ref())
    }
}

impl StatuteRule {
    pub fn state(&self) -> &str {
        self.state.as_ref().map_or("", |s| s.get_ref().trim())
    }

    /// Where an error about the rule points: its state, else its periods.
    fn at(&self) -> usize {
        self.state
            .as_ref()
            .map_or(self.periods.span().start, |s| s.span().start)
    }

    fn rule(&self) -> Rule {
        Rule {
            periods: *self.periods.get_ref(),
            unit: self.unit,
            judgment_periods: self.judgment_periods.as_ref().map(|p| *p.get_ref()),
            judgment_unit: self.judgment_unit,
            exclude_payment_date: self.exclude_payment_date,
        }
    }
}

/// Checks serde cannot make, with positions: one rule per state, at least one period,
/// the judgment pair complete or absent.
pub fn check_rules(
    rules: &[StatuteRule],
    time_barred: Option<&TimeBarredSettings>,
    path: &Path,
    src: &str,
) -> Result<()> {
    let err = |at: usize, m: String| Err(config_error_at(path, src, at, m));
    let mut seen: HashMap<String, ()> = HashMap::new();
    for r in rules {
        if seen.insert(state_key(r.state()), ()).is_some() {
            let which = if r.state().is_empty() {
                "all other states".to_string()
            } else {
                format!("state '{}'", r.state())
            };
            return err(r.at(), format!("a second [[statute]] rule for {which}"));
        }
        if *r.periods.get_ref() == 0 {
            return err(
                r.periods.span().start,
                "statute periods must be at least 1".into(),
            );
        }
        match (&r.judgment_periods, r.judgment_unit) {
            (Some(p), None) => {
                return err(
                    p.span().start,
                    "judgment_periods needs a judgment_unit (days, weeks, months or years)".into(),
                )
            }
            (None, Some(_)) => {
                return err(
                    r.periods.span().start,
                    "judgment_unit needs judgment_periods".into(),
                )
            }
            (Some(p), Some(_)) if *p.get_ref() == 0 => {
                return err(p.span().start, "judgment_periods must be at least 1".into())
            }
            _ => {}
        }
    }
    if let Some(t) = time_barred {
        if !matches!(t.metro2.get_ref().as_str(), "warn" | "exclude") {
            return err(
                t.metro2.span().start,
                format!(
                    "[time_barred] metro2 '{}' must be warn or exclude",
                    t.metro2.get_ref()
                ),
            );
        }
    }
    Ok(())
}

/// `setup apply`: the `[[statute]]` rules replace those in force.
pub fn apply_rules(conn: &Db, rules: &[StatuteRule]) -> Result<()> {
    settings::clear_section(conn, RULES_SECTION)?;
    for r in rules {
        settings::set(conn, RULES_SECTION, r.state(), &r.rule().to_setting())?;
    }
    Ok(())
}

/// `setup apply`: the `[time_barred]` section replaces the one in force.
pub fn apply_settings(conn: &Db, t: &TimeBarredSettings) -> Result<()> {
    settings::clear_section(conn, SETTINGS_SECTION)?;
    settings::set(conn, SETTINGS_SECTION, "metro2", t.metro2.get_ref())
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `setup show`: the rules and settings in force as setup.toml text (applies again).
pub fn render(conn: &Db) -> Result<String> {
    let mut s = String::new();
    let pairs = settings::section(conn, SETTINGS_SECTION)?;
    if !pairs.is_empty() {
        s.push_str("\n[time_barred]\n");
        for (k, v) in pairs {
            s.push_str(&format!("{k} = {}\n", quoted(&v)));
        }
    }
    for (state, value) in settings::section(conn, RULES_SECTION)? {
        let Some(rule) = Rule::from_setting(&value) else {
            continue;
        };
        s.push_str(&format!(
            "\n[[statute]]\nstate = {}\nperiods = {}\nunit = {}\n",
            quoted(&state),
            rule.periods,
            quoted(rule.unit.name())
        ));
        if let Some((n, u)) = rule.judgment_pair() {
            s.push_str(&format!(
                "judgment_periods = {n}\njudgment_unit = {}\n",
                quoted(u.name())
            ));
        }
        s.push_str(&format!(
            "exclude_payment_date = {}\n",
            rule.exclude_payment_date
        ));
    }
    Ok(s)
}

/// `setup show --json`: the rules as objects.
pub fn to_json(conn: &Db) -> Result<serde_json::Value> {
    let mut list = Vec::new();
    for (state, value) in settings::section(conn, RULES_SECTION)? {
        let Some(r) = Rule::from_setting(&value) else {
            continue;
        };
        list.push(serde_json::json!({
            "state": state,
            "periods": r.periods,
            "unit": r.unit.name(),
            "judgment_periods": r.judgment_periods,
            "judgment_unit": r.judgment_unit.map(Unit::name),
            "exclude_payment_date": r.exclude_payment_date,
        }));
    }
    Ok(serde_json::Value::Array(list))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::dates::parse_iso(s).unwrap()
    }

    #[test]
    fn units_add_and_clamp_to_month_end() {
        assert_eq!(Unit::Days.add(d("2024-01-01"), 30), Some(d("2024-01-31")));
        assert_eq!(Unit::Weeks.add(d("2024-01-01"), 2), Some(d("2024-01-15")));
        // Jan 31 + 1 month: February has 29 days in 2024
        assert_eq!(Unit::Months.add(d("2024-01-31"), 1), Some(d("2024-02-29")));
        assert_eq!(Unit::Years.add(d("2020-02-29"), 4), Some(d("2024-02-29")));
        assert_eq!(Unit::Years.add(d("2020-02-29"), 1), Some(d("2021-02-28")));
        assert_eq!(Unit::Years.add(d("2020-01-01"), u32::MAX), None);
    }

    #[test]
    fn stored_form_round_trips() {
        let r = Rule {
            periods: 4,
            unit: Unit::Years,
            judgment_periods: Some(10),
            judgment_unit: Some(Unit::Years),
            exclude_payment_date: true,
        };
        assert_eq!(
            r.to_setting(),
            "4 years; 10 years; exclude_payment_date=true"
        );
        assert_eq!(Rule::from_setting(&r.to_setting()), Some(r));
        let plain = Rule {
            periods: 90,
            unit: Unit::Days,
            judgment_periods: None,
            judgment_unit: None,
            exclude_payment_date: false,
        };
        assert_eq!(Rule::from_setting(&plain.to_setting()), Some(plain));
        assert_eq!(Rule::from_setting("4 fortnights; -; x"), None);
    }

    #[test]
    fn a_state_rule_wins_over_the_rule_for_other_states() {
        let rule = |n| Rule {
            periods: n,
            unit: Unit::Years,
            judgment_periods: None,
            judgment_unit: None,
            exclude_payment_date: false,
        };
        let mut s = Statute::default();
        assert!(s.rule_for("CA").is_none());
        s.insert("", rule(6));
        s.insert(" ca ", rule(4));
        assert_eq!(s.rule_for("CA").unwrap().periods, 4);
        assert_eq!(s.rule_for("ca").unwrap().periods, 4);
        assert_eq!(s.rule_for("NY").unwrap().periods, 6);
        assert_eq!(s.rule_for("").unwrap().periods, 6);
    }
}
