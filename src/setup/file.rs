//! The shape of `setup.toml`. Every struct denies unknown keys, so a typo is an
//! error naming its line rather than a setting silently ignored.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::error::Place;
use crate::money::{limits, to_cents};
use crate::store::{types, Db};
use crate::tomlutil::{config_error_at, Dec};
use crate::Result;

/// A commission or tax rate: a decimal from 0 to 100 (percent). Out of range is an
/// error at the value's line and column (money::limits).
#[derive(Debug, Clone, Copy)]
pub struct Rate(pub rust_decimal::Decimal);

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Rate, D::Error> {
        let Dec(x) = Dec::deserialize(d)?;
        limits::check_rate(x).map_err(serde::de::Error::custom)?;
        Ok(Rate(x))
    }
}

/// An amount within the ceiling (money::limits), else an error at its line and column.
#[derive(Debug, Clone, Copy)]
pub struct Amount(pub rust_decimal::Decimal);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Amount, D::Error> {
        let Dec(x) = Dec::deserialize(d)?;
        limits::check_amount(x).map_err(serde::de::Error::custom)?;
        Ok(Amount(x))
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SetupFile {
    pub company: Option<Company>,
    pub credit_bureau: Option<CreditBureau>,
    pub letter_service: Option<LetterService>,
    pub scheduling: Option<Scheduling>,
    pub holiday: Option<Vec<Holiday>>,
    pub status: Option<Vec<Status>>,
    pub pick_list: Option<Vec<PickList>>,
    pub client: Option<Vec<ClientEntry>>,
    pub client_defaults: Option<BTreeMap<String, Spanned<toml::Value>>>,
    pub contact_control: Option<Vec<ContactControl>>,
    pub rate_plan: Option<Vec<RatePlan>>,
    pub transaction_type: Option<Vec<TransactionType>>,
    /// Statute of limitations rules (docs/money.md, S2:1835-1866).
    pub statute: Option<Vec<crate::sol::StatuteRule>>,
    pub time_barred: Option<crate::sol::TimeBarredSettings>,
    /// Promises: grace days, late fee, plan for broken promises (docs/money.md).
    pub promises: Option<crate::arrangements::PromiseSettings>,
    /// The order a payment pays interest, fees and principal (docs/money.md).
    pub interest: Option<crate::setup::interest::InterestSettings>,
}

/// Company Details (S2:21-259).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    pub name: Option<String>,
    pub address: Option<String>,
    pub address2: Option<String>,
    pub address3: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub phone: Option<String>,
    pub representative: Option<String>,
    pub email: Option<String>,
    /// Percent; seeds every new client's tax rate (S2:217-221).
    pub tax_rate: Option<Rate>,
    pub first_file_number: Option<i64>,
    /// S2:249-250
    #[serde(default)]
    pub dont_calculate_tax: bool,
}

fn default_line_ending() -> String {
    "crlf".into()
}

/// Credit Bureau Setup (S2:5589-5631).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditBureau {
    #[serde(default)]
    pub credit_grantor: bool,
    #[serde(default)]
    pub equifax_id: String,
    #[serde(default)]
    pub experian_id: String,
    #[serde(default)]
    pub transunion_id: String,
    #[serde(default)]
    pub innovis_id: String,
    #[serde(default)]
    pub identification_number: String,
    #[serde(default = "yes")]
    pub medical_rules: bool,
    #[serde(default)]
    pub auto_activate: bool,
    #[serde(default)]
    pub delay_days: i64,
    pub min_balance: Option<Amount>,
    #[serde(default = "default_line_ending")]
    pub line_ending: String,
}

fn yes() -> bool {
    true
}

impl CreditBureau {
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("credit_grantor", self.credit_grantor.to_string()),
            ("equifax_id", self.equifax_id.clone()),
            ("experian_id", self.experian_id.clone()),
            ("transunion_id", self.transunion_id.clone()),
            ("innovis_id", self.innovis_id.clone()),
            ("identification_number", self.identification_number.clone()),
            ("medical_rules", self.medical_rules.to_string()),
            ("auto_activate", self.auto_activate.to_string()),
            ("delay_days", self.delay_days.to_string()),
            (
                "min_balance",
                self.min_balance
                    .map_or("0.00".into(), |d| format!("{:.2}", d.0)),
            ),
            ("line_ending", self.line_ending.clone()),
        ]
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterService {
    #[serde(default = "ontario")]
    pub format: String,
    #[serde(default)]
    pub k03: bool,
    #[serde(default = "yes")]
    pub restrict_to_cosigners: bool,
}

fn ontario() -> String {
    "ontario".into()
}

impl LetterService {
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("format", self.format.clone()),
            ("k03", self.k03.to_string()),
            (
                "restrict_to_cosigners",
                self.restrict_to_cosigners.to_string(),
            ),
        ]
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheduling {
    #[serde(default)]
    pub schedule_on_weekends: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    #[serde(deserialize_with = "de_date")]
    pub date: Spanned<NaiveDate>,
    #[serde(default)]
    pub description: String,
}

fn de_date<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Spanned<NaiveDate>, D::Error> {
    let s: Spanned<String> = Spanned::deserialize(d)?;
    let span = s.span();
    let date = crate::dates::parse_iso(s.get_ref()).ok_or_else(|| {
        serde::de::Error::custom(format!("'{}' is not a date (YYYY-MM-DD)", s.get_ref()))
    })?;
    Ok(Spanned::new(span, date))
}

/// Debtor status codes (S2:967-1038).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Status {
    pub code: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub priority: i64,
    pub plan: Option<String>,
    #[serde(default)]
    pub listing_reversal: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickList {
    pub field: Spanned<String>,
    pub entries: Vec<PickEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickEntry {
    pub key: String,
    pub text: Option<String>,
}

/// A `[[client]]` table: keys are checked against `CLIENT_KEYS` with their spans.
pub type ClientEntry = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

/// Contact controls (S2:1671-1809).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactControl {
    pub r#type: Spanned<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub country: String,
    pub max_times: i64,
    pub period_days: i64,
}

/// Commission rate plans (S2:4146-4527).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatePlan {
    pub code: String,
    pub kind: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub brackets: Vec<Bracket>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bracket {
    pub upto: Amount,
    pub rate: Rate,
    pub min: Option<Amount>,
    pub max: Option<Amount>,
}

/// Transaction-type overrides: a stock code changes only the keys given; a new
/// code needs `description` and `financial_type`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransactionType {
    pub code: Spanned<String>,
    pub description: Option<String>,
    pub financial_type: Option<Spanned<String>>,
    pub omit_from_statement: Option<bool>,
    pub omit_from_cash: Option<bool>,
    pub no_commission: Option<bool>,
    pub no_tax: Option<bool>,
    pub commission_rate: Option<Rate>,
    pub tax_rate: Option<Rate>,
    pub to_us: Option<Amount>,
    pub commission: Option<Amount>,
    pub fee_due_agency: Option<bool>,
    pub copy_description: Option<bool>,
    pub plan: Option<String>,
}

const FIN_TYPES: [&str; 8] = [
    "payment",
    "principal",
    "interest",
    "fee",
    "legal",
    "adjustment",
    "internal",
    "client_fee",
];

impl TransactionType {
    pub fn apply(&self, conn: &Db) -> Result<()> {
        let dec = |d: &Option<Rate>| d.map(|d| d.0.normalize().to_string());
        types::upsert_trans_type(
            conn,
            &types::TransTypeOverride {
                code: self.code.get_ref().trim().to_string(),
                description: self.description.clone(),
                fin_type: self.financial_type.as_ref().map(|f| f.get_ref().clone()),
                omit_statement: self.omit_from_statement,
                omit_cash: self.omit_from_cash,
                no_commission: self.no_commission,
                no_tax: self.no_tax,
                commission_rate: dec(&self.commission_rate),
                tax_rate: dec(&self.tax_rate),
                fixed_to_us: self.to_us.map(|d| to_cents(d.0)),
                fixed_commission: self.commission.map(|d| to_cents(d.0)),
                fee_due_agency: self.fee_due_agency,
                copy_description: self.copy_description,
                plan: self.plan.clone(),
            },
        )
    }
}

impl SetupFile {
    /// Checks serde cannot make: code lists and lengths, with positions.
    pub fn check(&self, path: &Path, src: &str) -> Result<()> {
        let err = |at: usize, m: String| Err(config_error_at(path, src, at, m));
        for c in self.contact_control.iter().flatten() {
            if !matches!(
                c.r#type.get_ref().as_str(),
                "letter" | "phone" | "text" | "email"
            ) {
                return err(
                    c.r#type.span().start,
                    format!(
                        "contact_control type '{}' is not letter, phone, text or email",
                        c.r#type.get_ref()
                    ),
                );
            }
        }
        for c in self.client.iter().flatten() {
            super::client_values(c, path, src)?;
        }
        for p in self.rate_plan.iter().flatten() {
            if !super::rate_plan_kind_ok(p.kind.get_ref()) {
                return err(
                    p.kind.span().start,
                    format!(
                        "rate_plan kind '{}' is not one of {}",
                        p.kind.get_ref(),
                        crate::money::PlanKind::NAMES.join(", ")
                    ),
                );
            }
        }
        for t in self.transaction_type.iter().flatten() {
            if t.code.get_ref().trim().is_empty() || t.code.get_ref().trim().chars().count() > 4 {
                return err(
                    t.code.span().start,
                    "transaction type codes have 1 to 4 characters (S2:1909)".into(),
                );
            }
            if let Some(f) = &t.financial_type {
                if !FIN_TYPES.contains(&f.get_ref().as_str()) {
                    return err(
                        f.span().start,
                        format!(
                            "financial_type '{}' is not one of {}",
                            f.get_ref(),
                            FIN_TYPES.join(", ")
                        ),
                    );
                }
            }
        }
        if let Some(cb) = &self.credit_bureau {
            if !matches!(cb.line_ending.as_str(), "crlf" | "lf" | "none") {
                return Err(crate::Error::config(
                    "credit_bureau line_ending must be crlf, lf or none",
                )
                .at(Place::file(path.display()))
                .with_input(&cb.line_ending));
            }
        }
        if let Some(ls) = &self.letter_service {
            if !matches!(ls.format.as_str(), "ontario" | "csv") {
                return Err(
                    crate::Error::config("letter_service format must be ontario or csv")
                        .at(Place::file(path.display()))
                        .with_input(&ls.format),
                );
            }
        }
        crate::sol::check_rules(
            self.statute.as_deref().unwrap_or_default(),
            self.time_barred.as_ref(),
            path,
            src,
        )?;
        if let Some(p) = &self.promises {
            p.check(path, src)?;
        }
        if let Some(i) = &self.interest {
            i.check(path, src)?;
        }
        for s in self.status.iter().flatten() {
            if s.code.is_empty() || s.code.chars().count() > 4 {
                return Err(crate::Error::config(format!(
                    "status code '{}' must have 1 to 4 characters (S2:987)",
                    s.code
                ))
                .at(Place::file(path.display()))
                .with_input(&s.code));
            }
        }
        Ok(())
    }
}
