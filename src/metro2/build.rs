//! The collection-agency mapping (docs/metro2.md; S2:5536-5776; CRRG, collection-agency reporting; docs/metro2.md):
//! a plain [`AccountInput`] becomes a base segment, J1/J2 for reportable
//! cosigners and K1 for the original creditor. The database query that fills
//! the struct lives with the `generate` command; nothing here touches SQL.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::layout::{base, header, j1, j2, k1, Field, SegKind};
use super::segment::{FieldError, Segment};
use super::text::{clean_address, digits, generation_code, split_name, to_ascii_upper, truncate};

/// One debtor as the builder needs it. Every field is a plain Rust value;
/// blanks are empty strings, absent dates `None`. The catalogue code the
/// lead fills each field from is given beside it.
#[derive(Debug, Clone, Default)]
pub struct AccountInput {
    /// `de.fi`: the Consumer Account Number (S2:5666-5669). Must never change.
    pub file_number: i64,
    /// `de.na`: "Last, First Middle"; no comma = a business name (ECOA W).
    pub name: String,
    /// `de.ge`: Jr, Sr, II–IX.
    pub generation: String,
    /// `de.ad`: first address line.
    pub address1: String,
    /// `de.a1`: second address line.
    pub address2: String,
    /// `de.ci`: truncated to 20 with a warning (S2:5693-5695).
    pub city: String,
    /// `de.st`: two-letter state or province code.
    pub state: String,
    /// `de.zi`: 5 or 9 digits (or a Canadian postal code); blank is reported with a warning.
    pub zip: String,
    /// `de.cy`: blank, "US", "USA", "United States" → `US`; otherwise a two-letter code.
    pub country: String,
    /// `de.ss`: any punctuation; blank when unknown (never 0- or 9-filled by us).
    pub ssn: String,
    /// `de.dob`.
    pub dob: Option<NaiveDate>,
    /// `de.hp`: the last 10 digits are reported.
    pub phone: String,
    /// `de.li`: Date Opened (the date placed with the agency).
    pub listed: Option<NaiveDate>,
    /// `de.dq`: Date of First Delinquency.
    pub delinquency: Option<NaiveDate>,
    /// `de.ch`: DOFD when `delinquency` is blank.
    pub charged: Option<NaiveDate>,
    /// `de.cld`: date the account was closed (used for DA). A closure after the
    /// as-of date is not reported (the account was open then).
    pub closed: Option<NaiveDate>,
    /// Date of Last Payment as of the as-of date, reversed payments left out
    /// (`generate` computes it from the transactions; `de.lpd` when there are none);
    /// also the date paid for status 62. A date after the as-of date is ignored.
    pub last_payment: Option<NaiveDate>,
    /// `de.opr`: Highest Credit / original amount.
    pub original_principal: Decimal,
    /// `de.ow` as of the as-of date (`generate` adds back what later transactions
    /// took off): Current Balance and Amount Past Due while open.
    pub owing: Decimal,
    /// Sum of the payments dated in the as-of month: Actual Payment Amount.
    pub paid_in_month: Decimal,
    /// `de.mo`: `C` = closed.
    pub mode: String,
    /// `de.cbs`: overrides the computed status when set (93, 62, DA, DF).
    pub status_override: String,
    /// `de.ecoa`: default `1` (`W` for a business name).
    pub ecoa: String,
    /// `de.cbd`: start-reporting date; not reported before it.
    pub start_reporting: Option<NaiveDate>,
    /// Credit-grantor mode only (`[credit_bureau] credit_grantor`, S2:5566-5570): the
    /// date the account's Metro contact was scheduled. It is reported as the date of
    /// occurrence (DOFD) when the status is 13 or 61-68 (of ours: 62). `None` — always
    /// for a collection agency — reports the delinquency date whatever the status.
    pub grantor_occurrence: Option<NaiveDate>,
    /// What was reported in earlier months (the report history).
    pub history: History,
    pub client: ClientInput,
    /// `cs.*` rows of this debtor, in their stored order.
    pub cosigners: Vec<CosignerInput>,
}

/// The account's earlier reports.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// The account has been reported at least once before this run.
    pub reported_before: bool,
    /// One date (any day) in each earlier month it was reported at 93 or 62.
    pub months_at_93_or_62: Vec<NaiveDate>,
}

/// The debtor's client, as far as Metro 2 needs it.
#[derive(Debug, Clone, Default)]
pub struct ClientInput {
    /// `cl.na`: the original creditor (K1) unless `original_creditor_in_user` says otherwise.
    pub name: String,
    /// `cl.ty`: creditor classification 01–15 (02 = medical).
    pub classification: String,
    /// `cl.ou`: 1 or 2 = the original creditor is in the debtor's user 1 / user 2
    /// (purchased debt: account type 0C, S2:561-566); 0 = the client is.
    pub original_creditor_in_user: u8,
    /// `de.u1`.
    pub debtor_user1: String,
    /// `de.u2`.
    pub debtor_user2: String,
    /// `cl.sd`: send client detail (the K1 segment).
    pub send_client_detail: bool,
    /// `cl.rb`: the client permits reporting.
    pub reports_to_bureaus: bool,
}

/// A cosigner or other related party (`cs.*`).
#[derive(Debug, Clone, Default)]
pub struct CosignerInput {
    /// `cs.na`: "Last, First Middle".
    pub name: String,
    /// `cs.ge`.
    pub generation: String,
    /// `cs.ad`, `cs.a1`, `cs.ci`, `cs.st`, `cs.zi`, `cs.cy` (used for J2).
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
    /// `cs.ss`, `cs.dob`, `cs.hp`.
    pub ssn: String,
    pub dob: Option<NaiveDate>,
    pub phone: String,
    /// `cs.sm`: lives at the debtor's address → J1, else J2.
    pub same_address: bool,
    /// `cs.cl`: the party's class; attorneys, employers and references are never reported.
    pub class: String,
    /// `cs.ecoa`: default `2`.
    pub ecoa: String,
    /// `cs.cbr`: this party is reported.
    pub report: bool,
}

/// Run-wide values.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// `--as-of`: DOAI of open accounts, the month of the Actual Payment.
    pub as_of: NaiveDate,
    /// Today and `RECOUP_TIME`: the base Time Stamp.
    pub now: NaiveDateTime,
    /// `[credit_bureau] identification_number` (base positions 21-40).
    pub identification_number: String,
    /// `[credit_bureau] medical_rules`.
    pub medical_rules: bool,
}

/// The status reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Open93,
    Paid62,
    DeleteDA,
    FraudDF,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Open93 => "93",
            Status::Paid62 => "62",
            Status::DeleteDA => "DA",
            Status::FraudDF => "DF",
        }
    }
}

/// Why an account is not reported (docs/metro2.md). `key()` is its summary key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exclusion {
    /// Neither SSN nor DOB (S2:5710-5711).
    NoSsnOrDob,
    /// Start-reporting date after the as-of date.
    NotStarted(NaiveDate),
    /// The client does not report (`cl.rb` off).
    ClientNotReporting,
    /// Medical-debt rules (original amount under $500, DOFD under a year, paid and never reported).
    Medical(String),
    /// Closed (or deleted) before it was ever reported: nothing to delete.
    NeverReported,
    /// A value that cannot be reported (negative, too large, bad code).
    Invalid(String),
}

impl Exclusion {
    pub fn key(&self) -> &'static str {
        match self {
            Exclusion::NoSsnOrDob => "no_ssn_or_dob",
            Exclusion::NotStarted(_) => "not_started",
            Exclusion::ClientNotReporting => "client_not_reporting",
            Exclusion::Medical(_) => "medical_rules",
            Exclusion::NeverReported => "closed_never_reported",
            Exclusion::Invalid(_) => "invalid",
        }
    }
}

impl std::fmt::Display for Exclusion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Exclusion::NoSsnOrDob => f.write_str("neither SSN nor date of birth"),
            Exclusion::NotStarted(d) => {
                write!(f, "start-reporting date {d} is after the as-of date")
            }
            Exclusion::ClientNotReporting => f.write_str("the client is not permitted to report"),
            Exclusion::Medical(m) => write!(f, "medical-debt rules: {m}"),
            Exclusion::NeverReported => f.write_str("closed before it was ever reported"),
            Exclusion::Invalid(m) => f.write_str(m),
        }
    }
}

impl From<FieldError> for Exclusion {
    fn from(e: FieldError) -> Self {
        Exclusion::Invalid(e.to_string())
    }
}

/// What `build_records` made: the record (base first) and its warnings.
#[derive(Debug, Clone)]
pub struct Built {
    pub segments: Vec<Segment>,
    pub status: Status,
    pub warnings: Vec<String>,
}

/// Whole dollars, cents dropped (never overstating a debt); negative is an error.
pub fn whole_dollars(amount: Decimal, what: &str) -> Result<u64, Exclusion> {
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(Exclusion::Invalid(format!("{what} {amount} is negative")));
    }
    amount
        .trunc()
        .to_u64()
        .ok_or_else(|| Exclusion::Invalid(format!("{what} {amount} is not a whole-dollar amount")))
}

fn country_code(s: &str) -> Result<String, String> {
    let c = to_ascii_upper(s.trim());
    Ok(match c.as_str() {
        "" | "US" | "USA" | "U.S." | "U.S.A." | "UNITED STATES" | "UNITED STATES OF AMERICA" => {
            "US".into()
        }
        "CANADA" | "CAN" => "CA".into(),
        _ if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic()) => c,
        _ => return Err(format!("country '{s}' is not a two-letter code")),
    })
}

fn zip_code(s: &str) -> String {
    to_ascii_upper(s)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// 9 digits, not all zeros or nines; otherwise none.
fn ssn_digits(s: &str) -> Option<String> {
    let d = digits(s);
    (d.len() == 9 && d != "000000000" && d != "999999999").then_some(d)
}

fn phone_digits(s: &str) -> String {
    let d = digits(s);
    d[d.len().saturating_sub(10)..].to_string()
}

/// Put text cut to the field with a warning (names, addresses, city, K1 name).
fn put_cut(
    seg: &mut Segment,
    f: &Field,
    value: &str,
    what: &str,
    warnings: &mut Vec<String>,
) -> Result<(), FieldError> {
    if value.len() <= usize::from(f.len) {
        return seg.put_alpha(f, value);
    }
    let (v, cut) = truncate(value, usize::from(f.len));
    if cut {
        warnings.push(format!(
            "{what} '{value}' truncated to {} characters: '{v}'",
            f.len
        ));
    }
    seg.put_alpha(f, &v)
}

fn history_profile(h: &History, as_of: NaiveDate) -> String {
    let month_index = |d: NaiveDate| d.year() * 12 + d.month0() as i32;
    let now = month_index(as_of);
    (1..=24)
        .map(|k| {
            if h.months_at_93_or_62
                .iter()
                .any(|d| month_index(*d) == now - k)
            {
                'G'
            } else {
                'B'
            }
        })
        .collect()
}

fn non_liable_class(class: &str) -> bool {
    let c = class.trim().to_ascii_lowercase();
    [
        "attorney",
        "employer",
        "reference",
        "landlord",
        "relative",
        "friend",
        "neighbor",
        "neighbour",
    ]
    .iter()
    .any(|k| c.starts_with(k))
}

/// Map one account to its Metro 2 record (base, J1/J2…, K1).
pub fn build_records(a: &AccountInput, o: &BuildOptions) -> Result<Built, Exclusion> {
    let mut w = Vec::new();
    reporting_allowed(a, o)?;
    let ssn = ssn_digits(&a.ssn);
    if ssn.is_none() && !a.ssn.trim().is_empty() {
        w.push("SSN is not 9 digits (or is 0/9-filled); not reported".to_string());
    }
    if ssn.is_none() && a.dob.is_none() {
        return Err(Exclusion::NoSsnOrDob); // S2:5710-5711
    }
    let amounts = Amounts::of(a)?;
    let dofd = a.delinquency.or(a.charged);
    let status = account_status(a, o, &amounts, dofd)?;

    let mut b = Segment::blank(SegKind::Base);
    put_account_fields(&mut b, a, o, &amounts, status, dofd)?;
    put_consumer_fields(&mut b, a, ssn.as_deref(), &mut w)?;

    let mut segments = vec![b];
    segments.extend(associated_segments(&a.cosigners, &mut w)?);
    if a.client.send_client_detail {
        segments.push(original_creditor_segment(&a.client, &mut w)?);
    }
    Ok(Built {
        segments,
        status,
        warnings: w,
    })
}

/// The client permits reporting and the account's start-reporting date has come.
fn reporting_allowed(a: &AccountInput, o: &BuildOptions) -> Result<(), Exclusion> {
    if !a.client.reports_to_bureaus {
        return Err(Exclusion::ClientNotReporting);
    }
    match a.start_reporting {
        Some(start) if start > o.as_of => Err(Exclusion::NotStarted(start)),
        _ => Ok(()),
    }
}

/// The account's amounts in whole dollars.
struct Amounts {
    /// `de.opr`: Highest Credit.
    original: u64,
    /// What is owed, as a decimal (a credit balance counts as nothing owed).
    owing: Decimal,
    /// `owing` in whole dollars: Current Balance and Amount Past Due while open.
    balance: u64,
    /// Actual Payment Amount.
    paid_in_month: u64,
}

impl Amounts {
    fn of(a: &AccountInput) -> Result<Amounts, Exclusion> {
        let original = whole_dollars(a.original_principal, "original principal")?;
        let owing = if a.owing.is_sign_negative() {
            Decimal::ZERO
        } else {
            a.owing
        };
        Ok(Amounts {
            original,
            owing,
            balance: whole_dollars(owing, "owing")?,
            paid_in_month: whole_dollars(a.paid_in_month, "payments this month")?,
        })
    }
}

/// The record reports the account as of the as-of date (docs/metro2.md): a closure
/// after it is not part of it.
fn closed_as_of(a: &AccountInput, o: &BuildOptions) -> bool {
    a.mode.trim().eq_ignore_ascii_case("C") && a.closed.is_none_or(|d| d <= o.as_of)
}

/// The status reported, or why the account is left out: the computed or
/// overridden status, then the medical-debt rules, then a deletion of an
/// account never reported (nothing to delete).
fn account_status(
    a: &AccountInput,
    o: &BuildOptions,
    amounts: &Amounts,
    dofd: Option<NaiveDate>,
) -> Result<Status, Exclusion> {
    let mut status = computed_or_override_status(a, o, amounts.owing)?;
    let medical = o.medical_rules && a.client.classification.trim().trim_start_matches('0') == "2";
    if medical {
        status = medical_status(a, o, amounts.original, dofd, status)?;
    }
    if matches!(status, Status::DeleteDA | Status::FraudDF) && !a.history.reported_before {
        return Err(Exclusion::NeverReported);
    }
    Ok(status)
}

/// Status: override, else 93 while owing, 62 once paid, DA when closed unpaid.
fn computed_or_override_status(
    a: &AccountInput,
    o: &BuildOptions,
    owing: Decimal,
) -> Result<Status, Exclusion> {
    Ok(
        match a.status_override.trim().to_ascii_uppercase().as_str() {
            "" if owing <= Decimal::ZERO => Status::Paid62,
            "" if closed_as_of(a, o) => Status::DeleteDA,
            "" => Status::Open93,
            "93" => Status::Open93,
            "62" => Status::Paid62,
            "DA" => Status::DeleteDA,
            "DF" => Status::FraudDF,
            other => {
                return Err(Exclusion::Invalid(format!(
                    "status override '{other}' is not 93, 62, DA or DF"
                )))
            }
        },
    )
}

/// Medical debt (creditor classification 02, `[credit_bureau] medical_rules`):
/// not under $500, not within a year of the DOFD, and a paid one is deleted
/// (DA) rather than reported paid.
fn medical_status(
    a: &AccountInput,
    o: &BuildOptions,
    original: u64,
    dofd: Option<NaiveDate>,
    status: Status,
) -> Result<Status, Exclusion> {
    if original < 500 {
        return Err(Exclusion::Medical(format!(
            "original amount ${original} is under $500"
        )));
    }
    match dofd {
        Some(d) if (o.as_of - d).num_days() >= 365 => {}
        Some(d) => {
            return Err(Exclusion::Medical(format!(
                "DOFD {d} is less than a year before {}",
                o.as_of
            )))
        }
        None => return Err(Exclusion::Medical("no DOFD".into())),
    }
    if status != Status::Paid62 {
        return Ok(status);
    }
    if !a.history.reported_before {
        return Err(Exclusion::Medical("paid and never reported".into()));
    }
    Ok(Status::DeleteDA)
}

/// The base segment's account fields: who reports it, its type, amounts,
/// status, history and dates.
fn put_account_fields(
    b: &mut Segment,
    a: &AccountInput,
    o: &BuildOptions,
    amounts: &Amounts,
    status: Status,
    dofd: Option<NaiveDate>,
) -> Result<(), Exclusion> {
    b.put_digits(&base::PROCESSING_INDICATOR, "1")?;
    b.put_stamp(&base::TIME_STAMP, o.now)?;
    b.put_alpha(&base::CORRECTION_INDICATOR, "0")?;
    b.put_alpha(
        &base::IDENTIFICATION_NUMBER,
        &to_ascii_upper(o.identification_number.trim()),
    )?;
    b.put_alpha(&base::CONSUMER_ACCOUNT_NUMBER, &a.file_number.to_string())?;
    b.put_alpha(&base::PORTFOLIO_TYPE, "O")?;
    let purchased = matches!(a.client.original_creditor_in_user, 1 | 2);
    b.put_alpha(&base::ACCOUNT_TYPE, if purchased { "0C" } else { "48" })?;
    b.put_date(&base::DATE_OPENED, a.listed)?;
    b.put_num(&base::CREDIT_LIMIT, 0)?;
    b.put_num(&base::HIGHEST_CREDIT, amounts.original)?;
    b.put_alpha(&base::TERMS_DURATION, "001")?;
    b.put_num(&base::SCHEDULED_MONTHLY_PAYMENT, 0)?;
    b.put_num(&base::ACTUAL_PAYMENT, amounts.paid_in_month)?;
    b.put_alpha(&base::ACCOUNT_STATUS, status.code())?;
    b.put_alpha(
        &base::PAYMENT_HISTORY_PROFILE,
        &history_profile(&a.history, o.as_of),
    )?;
    // A payment dated after the as-of date is not part of the record (docs/metro2.md).
    let last_payment = a.last_payment.filter(|d| *d <= o.as_of);
    let (cur, past_due, doai, date_closed) = match status {
        Status::Open93 => (amounts.balance, amounts.balance, o.as_of, None),
        // A paid account: the date paid is its last payment date (docs/metro2.md).
        Status::Paid62 => {
            let paid = last_payment.unwrap_or(o.as_of);
            (0, 0, paid, Some(paid))
        }
        Status::DeleteDA | Status::FraudDF => {
            let closed = Some(a.closed.unwrap_or(o.as_of));
            (amounts.balance, amounts.balance, o.as_of, closed)
        }
    };
    b.put_num(&base::CURRENT_BALANCE, cur)?;
    b.put_num(&base::AMOUNT_PAST_DUE, past_due)?;
    b.put_num(&base::ORIGINAL_CHARGE_OFF, 0)?;
    b.put_date(&base::DATE_ACCOUNT_INFORMATION, Some(doai))?;
    // S2:5566-5570: a credit grantor reports the contact's date for 13/61-68.
    let occurrence = match status {
        Status::Paid62 => a.grantor_occurrence.or(dofd),
        _ => dofd,
    };
    b.put_date(&base::DATE_FIRST_DELINQUENCY, occurrence)?;
    b.put_date(&base::DATE_CLOSED, date_closed)?;
    b.put_date(&base::DATE_LAST_PAYMENT, last_payment)?;
    Ok(())
}

/// The base segment's consumer fields: name, generation, SSN, birth date,
/// phone, ECOA code and address.
fn put_consumer_fields(
    b: &mut Segment,
    a: &AccountInput,
    ssn: Option<&str>,
    w: &mut Vec<String>,
) -> Result<(), Exclusion> {
    let name = split_name(&a.name);
    if name.surname.is_empty() {
        return Err(Exclusion::Invalid("the debtor has no name".into()));
    }
    put_cut(b, &base::SURNAME, &name.surname, "surname", w)?;
    put_cut(b, &base::FIRST_NAME, &name.first, "first name", w)?;
    put_cut(b, &base::MIDDLE_NAME, &name.middle, "middle name", w)?;
    match generation_code(&a.generation) {
        Ok(g) => b.put_alpha(&base::GENERATION_CODE, g)?,
        Err(m) => w.push(format!("{m}; not reported")),
    }
    if let Some(s) = ssn {
        b.put_digits(&base::SSN, s)?;
    }
    b.put_date(&base::DATE_OF_BIRTH, a.dob)?;
    b.put_digits(&base::TELEPHONE, &phone_digits(&a.phone))?;
    b.put_alpha(&base::ECOA_CODE, &ecoa_code(&a.ecoa, name.business, "1"))?;
    b.put_alpha(
        &base::COUNTRY_CODE,
        &country_code(&a.country).map_err(Exclusion::Invalid)?,
    )?;
    let address1 = clean_address(&a.address1);
    put_cut(b, &base::ADDRESS1, &address1, "address", w)?;
    let address2 = clean_address(&a.address2);
    put_cut(b, &base::ADDRESS2, &address2, "address line 2", w)?;
    put_cut(b, &base::CITY, &clean_address(&a.city), "city", w)?;
    b.put_alpha(&base::STATE, &to_ascii_upper(a.state.trim()))?;
    let zip = zip_code(&a.zip);
    if zip.is_empty() {
        w.push("no ZIP code; reported anyway".into()); // S2:5687-5689
    }
    b.put_alpha(&base::ZIP, &zip)?;
    Ok(())
}

/// The ECOA code as given, else W for a business name, else `default`
/// (1 for the debtor, 2 for a cosigner).
fn ecoa_code(given: &str, business: bool, default: &str) -> String {
    match given.trim().to_ascii_uppercase().as_str() {
        "" if business => "W".to_string(),
        "" => default.to_string(),
        e => e.to_string(),
    }
}

/// The J1 (same address as the debtor) and J2 (own address) segments of the
/// reportable cosigners: every J1 first, then every J2, each in stored order.
fn associated_segments(
    cosigners: &[CosignerInput],
    w: &mut Vec<String>,
) -> Result<Vec<Segment>, Exclusion> {
    let mut j1s = Vec::new();
    let mut j2s = Vec::new();
    for (i, c) in cosigners.iter().enumerate() {
        match cosigner_segment(i + 1, c, w)? {
            Some(s) if s.kind == SegKind::J1 => j1s.push(s),
            Some(s) => j2s.push(s),
            None => {}
        }
    }
    j1s.extend(j2s);
    Ok(j1s)
}

/// The fields J1 and J2 share, at each segment's own positions.
struct AssociateFields {
    surname: Field,
    first_name: Field,
    middle_name: Field,
    generation: Field,
    ssn: Field,
    dob: Field,
    phone: Field,
    ecoa: Field,
}

const J1_FIELDS: AssociateFields = AssociateFields {
    surname: j1::SURNAME,
    first_name: j1::FIRST_NAME,
    middle_name: j1::MIDDLE_NAME,
    generation: j1::GENERATION_CODE,
    ssn: j1::SSN,
    dob: j1::DATE_OF_BIRTH,
    phone: j1::TELEPHONE,
    ecoa: j1::ECOA_CODE,
};

const J2_FIELDS: AssociateFields = AssociateFields {
    surname: j2::SURNAME,
    first_name: j2::FIRST_NAME,
    middle_name: j2::MIDDLE_NAME,
    generation: j2::GENERATION_CODE,
    ssn: j2::SSN,
    dob: j2::DATE_OF_BIRTH,
    phone: j2::TELEPHONE,
    ecoa: j2::ECOA_CODE,
};

/// Cosigner number `number` (1-based) as a J1 or J2 segment, or `None` with a
/// warning when it is not reported (not liable, no SSN or DOB, no name).
fn cosigner_segment(
    number: usize,
    c: &CosignerInput,
    w: &mut Vec<String>,
) -> Result<Option<Segment>, Exclusion> {
    if !c.report {
        return Ok(None);
    }
    if non_liable_class(&c.class) {
        w.push(format!(
            "cosigner {number} ({}) is not a liable party; not reported",
            c.class.trim()
        ));
        return Ok(None);
    }
    let ssn = ssn_digits(&c.ssn);
    if ssn.is_none() && c.dob.is_none() {
        w.push(format!(
            "cosigner {number} has neither SSN nor DOB; not reported"
        ));
        return Ok(None);
    }
    let (kind, f) = if c.same_address {
        (SegKind::J1, &J1_FIELDS)
    } else {
        (SegKind::J2, &J2_FIELDS)
    };
    let mut s = Segment::blank(kind);
    let n = split_name(&c.name);
    if n.surname.is_empty() {
        w.push(format!("cosigner {number} has no name; not reported"));
        return Ok(None);
    }
    put_cut(&mut s, &f.surname, &n.surname, "cosigner surname", w)?;
    put_cut(&mut s, &f.first_name, &n.first, "cosigner first name", w)?;
    put_cut(&mut s, &f.middle_name, &n.middle, "cosigner middle name", w)?;
    match generation_code(&c.generation) {
        Ok(g) => s.put_alpha(&f.generation, g)?,
        Err(m) => w.push(format!("cosigner {number}: {m}; not reported")),
    }
    if let Some(d) = &ssn {
        s.put_digits(&f.ssn, d)?;
    }
    s.put_date(&f.dob, c.dob)?;
    s.put_digits(&f.phone, &phone_digits(&c.phone))?;
    s.put_alpha(&f.ecoa, &ecoa_code(&c.ecoa, n.business, "2"))?;
    if kind == SegKind::J2 {
        put_cosigner_address(&mut s, c, w)?;
    }
    Ok(Some(s))
}

/// A J2 cosigner's own address.
fn put_cosigner_address(
    s: &mut Segment,
    c: &CosignerInput,
    w: &mut Vec<String>,
) -> Result<(), Exclusion> {
    s.put_alpha(
        &j2::COUNTRY_CODE,
        &country_code(&c.country).map_err(Exclusion::Invalid)?,
    )?;
    let address1 = clean_address(&c.address1);
    put_cut(s, &j2::ADDRESS1, &address1, "cosigner address", w)?;
    let address2 = clean_address(&c.address2);
    put_cut(s, &j2::ADDRESS2, &address2, "cosigner address line 2", w)?;
    put_cut(s, &j2::CITY, &clean_address(&c.city), "cosigner city", w)?;
    s.put_alpha(&j2::STATE, &to_ascii_upper(c.state.trim()))?;
    s.put_alpha(&j2::ZIP, &zip_code(&c.zip))?;
    Ok(())
}

/// The K1 segment: the original creditor — the client, or for purchased debt
/// the name kept in the debtor's user field — and its classification 01–15.
fn original_creditor_segment(
    client: &ClientInput,
    w: &mut Vec<String>,
) -> Result<Segment, Exclusion> {
    let creditor = match client.original_creditor_in_user {
        1 => &client.debtor_user1,
        2 => &client.debtor_user2,
        _ => &client.name,
    };
    let creditor = clean_address(creditor);
    if creditor.is_empty() {
        return Err(Exclusion::Invalid(
            "no original creditor name for the K1 segment".into(),
        ));
    }
    let class = digits(&client.classification);
    let class_n: u64 = class.parse().unwrap_or(0);
    if !(1..=15).contains(&class_n) {
        return Err(Exclusion::Invalid(format!(
            "client type '{}' is not a creditor classification 01-15",
            client.classification.trim()
        )));
    }
    let mut k = Segment::blank(SegKind::K1);
    let name_field = &k1::ORIGINAL_CREDITOR_NAME;
    put_cut(&mut k, name_field, &creditor, "original creditor", w)?;
    k.put_num(&k1::CREDITOR_CLASSIFICATION, class_n)?;
    Ok(k)
}

/// The header's inputs: company details and credit-bureau setup.
#[derive(Debug, Clone, Default)]
pub struct HeaderInput {
    /// `[company] name`.
    pub reporter_name: String,
    /// `[company] address`, `address2`, `city`, `state`, `zip`: joined into the 96-byte reporter address.
    pub address: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    /// `[company] phone`: its last 10 digits (S2:111-140).
    pub phone: String,
    /// `[credit_bureau]` program identifiers.
    pub equifax_id: String,
    pub experian_id: String,
    pub transunion_id: String,
    pub innovis_id: String,
    /// `--bureau`: keep only that bureau's identifier.
    pub bureau: Option<Bureau>,
    /// `--as-of`: Activity Date.
    pub activity_date: NaiveDate,
    /// Today: Date Created.
    pub date_created: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bureau {
    Equifax,
    Experian,
    TransUnion,
}

impl Bureau {
    pub fn parse(s: &str) -> Option<Bureau> {
        match s.to_ascii_lowercase().as_str() {
            "equifax" => Some(Bureau::Equifax),
            "experian" => Some(Bureau::Experian),
            "transunion" => Some(Bureau::TransUnion),
            _ => None,
        }
    }
}

/// The header record. Over-long values are refused (the identifiers come
/// from the bureaus and must not be cut); the name and address are cut with
/// a warning.
pub fn build_header(h: &HeaderInput) -> Result<(Segment, Vec<String>), FieldError> {
    let mut w = Vec::new();
    let mut s = Segment::blank(SegKind::Header);
    s.put_num(&header::RDW, 426)?;
    let keep = |b: Bureau| h.bureau.is_none() || h.bureau == Some(b);
    s.put_alpha(
        &header::INNOVIS_ID,
        &if h.bureau.is_none() {
            to_ascii_upper(h.innovis_id.trim())
        } else {
            String::new()
        },
    )?;
    s.put_alpha(
        &header::EQUIFAX_ID,
        &if keep(Bureau::Equifax) {
            to_ascii_upper(h.equifax_id.trim())
        } else {
            String::new()
        },
    )?;
    s.put_alpha(
        &header::EXPERIAN_ID,
        &if keep(Bureau::Experian) {
            to_ascii_upper(h.experian_id.trim())
        } else {
            String::new()
        },
    )?;
    s.put_alpha(
        &header::TRANSUNION_ID,
        &if keep(Bureau::TransUnion) {
            to_ascii_upper(h.transunion_id.trim())
        } else {
            String::new()
        },
    )?;
    s.put_date(&header::ACTIVITY_DATE, Some(h.activity_date))?;
    s.put_date(&header::DATE_CREATED, Some(h.date_created))?;
    put_cut(
        &mut s,
        &header::REPORTER_NAME,
        &clean_address(&h.reporter_name),
        "reporter name",
        &mut w,
    )?;
    let address = [&h.address, &h.address2, &h.city, &h.state, &h.zip]
        .iter()
        .map(|p| clean_address(p))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    put_cut(
        &mut s,
        &header::REPORTER_ADDRESS,
        &address,
        "reporter address",
        &mut w,
    )?;
    s.put_digits(&header::REPORTER_PHONE, &phone_digits(&h.phone))?;
    s.put_alpha(&header::SOFTWARE_VENDOR, "RECOUP")?;
    let version: String = env!("CARGO_PKG_VERSION").chars().take(5).collect();
    s.put_alpha(&header::SOFTWARE_VERSION, &version)?;
    Ok((s, w))
}

#[cfg(test)]
mod tests;
