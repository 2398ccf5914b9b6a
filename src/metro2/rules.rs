//! The validator's rule table: id, profile, severity, meaning. `docs/metro2.md`
//! prints the same table; a unit test keeps the two in step.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Which rule set runs: the CRRG checks alone, or those plus the
/// collection-agency rules (CRRG, collection-agency reporting; docs/metro2.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    #[default]
    Crrg,
    Collection,
}

impl Profile {
    pub fn parse(s: &str) -> Option<Profile> {
        match s {
            "crrg" => Some(Profile::Crrg),
            "collection" => Some(Profile::Collection),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    /// `None`: every profile.
    pub profile: Option<Profile>,
    pub severity: Severity,
    pub meaning: &'static str,
}

macro_rules! rules {
    ($( $konst:ident = $id:literal, $profile:ident, $sev:ident, $meaning:literal; )*) => {
        $( pub const $konst: Rule = Rule {
            id: $id, profile: rules!(@p $profile), severity: Severity::$sev, meaning: $meaning,
        }; )*
        /// Every rule, in documentation order.
        pub const RULES: &[Rule] = &[ $( $konst ),* ];
    };
    (@p all) => { None };
    (@p collection) => { Some(Profile::Collection) };
}

rules! {
    // Structure (moov-io/metro2's descriptor words and encodings).
    S001_PACKED = "S001", all, Error, "binary input that no packed (366) descriptor word frames, or binary descriptor words in a character-format file; the rest is not read";
    S002_UNREADABLE = "S002", all, Error, "a line or stretch of bytes that is not a record (too short, unknown segment identifier, truncated segment, binary bytes)";
    S003_NO_HEADER = "S003", all, Error, "the file does not start with a header record";
    S004_NO_TRAILER = "S004", all, Error, "the file does not end with a trailer record";
    S005_RDW = "S005", all, Error, "the Record Descriptor Word is not 4 digits or differs from the record's length";
    S006_LENGTH = "S006", all, Error, "a header or trailer is shorter than 426 bytes, or has data past position 426";
    S007_ORDER = "S007", all, Error, "a second header, a header after data, a second trailer, or a record after the trailer";
    S008_SEGMENT_ORDER = "S008", all, Warning, "appended segments out of the CRRG order J1, J2, K1, K2, K3, K4, L1, N1";
    S009_REPEATED_SEGMENT = "S009", all, Error, "more than one K1, K2, K3, K4 or L1 segment in a record";
    S010_BDW = "S010", all, Warning, "Block Descriptor Word is not the record length + 4";
    S011_PLACEHOLDER = "S011", all, Info, "blank or zero-filled placeholder segment, ignored";
    // Fields (layout tables; moov-io/metro2's validation rules).
    F001_REQUIRED = "F001", all, Error, "required field is blank or zero";
    F002_NUMERIC = "F002", all, Error, "numeric field holds something other than digits";
    F003_DATE = "F003", all, Error, "date or time stamp is not a valid MMDDYYYY[HHMMSS]";
    F004_CHARSET = "F004", all, Error, "alphanumeric field holds a non-printable or non-ASCII byte";
    F005_CODE = "F005", all, Error, "value is not in the field's code list";
    F006_LOWER_CASE = "F006", all, Warning, "alphanumeric field holds lower-case letters (the CRRG asks for upper case)";
    F007_FUTURE_DATE = "F007", all, Warning, "date later than the header's Date Created";
    F008_IDENTIFICATION = "F008", all, Error, "Identification Number is all zeros or all nines";
    F009_SSN = "F009", all, Warning, "SSN is not plausible (area 000, 666 or 9xx, group 00 or serial 0000)";
    F010_ZIP = "F010", all, Warning, "postal/ZIP code blank (reported anyway, S2:5687-5689)";
    F011_STATE = "F011", all, Warning, "state is not a US or Canadian postal code";
    F012_PROGRAM_ID = "F012", all, Warning, "header carries no bureau program identifier";
    F013_NAME_CHARS = "F013", all, Warning, "name holds characters other than letters, digits, blank, hyphen and apostrophe";
    // Cross-field (moov-io/metro2's validation rules and cfpb/Metro2's cross-field catalogue).
    X001_PAYMENT_RATING = "X001", all, Error, "Payment Rating must be 0-6, G or L for statuses 05, 13, 65, 88, 89, 94, 95 and blank otherwise";
    X002_SSN_OR_DOB = "X002", all, Error, "consumer has neither SSN nor date of birth (ECOA W and Z exempt)";
    X003_PAID_WITH_PAST_DUE = "X003", all, Warning, "status 05, 11, 13 or 61-65 with Amount Past Due > 0";
    X004_DELINQUENT_NO_PAST_DUE = "X004", all, Warning, "status 71, 78, 80, 82-84, 93 or 97 with Amount Past Due 0";
    X005_PAID_WITH_BALANCE = "X005", all, Warning, "status 05, 13 or 61-65 with Current Balance > 0";
    X006_DELINQUENT_NO_BALANCE = "X006", all, Warning, "status 71, 78, 80, 82-84, 93 or 97 with Current Balance 0";
    X007_PAST_DUE_OVER_BALANCE = "X007", all, Warning, "Amount Past Due greater than Current Balance";
    X008_CHARGE_OFF = "X008", all, Warning, "Original Charge-off Amount > 0 for a status that has none, or 0 for status 64/97";
    X009_NO_DATE_CLOSED = "X009", all, Warning, "status 05, 13 or 61-65 without Date Closed";
    X010_DATE_CLOSED_OPEN = "X010", all, Warning, "status 11, 71, 78, 80, 82-84, 93 or 97 with a Date Closed (unless CCC XA)";
    X011_NO_DOFD = "X011", all, Warning, "status 61-65, 71-84, 88, 89 or 93-97 without Date of First Delinquency";
    X012_DOFD_CURRENT = "X012", all, Warning, "status 11 (current) with a Date of First Delinquency";
    X013_OBSOLETE = "X013", all, Warning, "Date of Account Information more than 7 years after the Date of First Delinquency";
    X014_SCHEDULED_PAYMENT = "X014", all, Warning, "status 05, 13, 61-65 or 97 with Scheduled Monthly Payment > 0";
    X015_FIXED_TYPE_AMOUNTS = "X015", all, Warning, "account type 0C, 48 or 77 with a Credit Limit, or with Highest Credit 0";
    X016_TERMS_PORTFOLIO = "X016", all, Warning, "Terms Duration does not suit the portfolio (C: LOC, O: 001, R: REV, I: months > 0)";
    X017_PORTFOLIO_C_TYPE = "X017", all, Warning, "portfolio C with an account type other than 15, 43, 47, 89, 7A, 9B";
    X018_AH_WITHOUT_K2 = "X018", all, Warning, "special comment AH without a K2 segment 'sold to' (indicator 2) with a name";
    X019_SETTLED_STATUS = "X019", all, Warning, "special comment AU, AX, BP or C with a status other than 13 or 61-65";
    X020_L1 = "X020", all, Error, "L1 change indicator inconsistent with the new account number / identification number";
    X021_K2 = "X021", all, Error, "K2 indicator 1/2 without a name, or indicator 9 with one";
    X022_K3 = "X022", all, Error, "K3 agency identifier 00 with an account number";
    X023_DOFD_AFTER_DOAI = "X023", all, Warning, "Date of First Delinquency later than the Date of Account Information";
    X024_AFTER_DOAI = "X024", all, Error, "Date Closed or Date of Last Payment later than the Date of Account Information (the record reports the account as of that date)";
    // Collection-agency profile (CRRG, collection-agency reporting; docs/metro2.md; docs/metro2.md).
    C001_PORTFOLIO = "C001", collection, Error, "portfolio type must be O";
    C002_ACCOUNT_TYPE = "C002", collection, Error, "account type must be 48, 0C or 77";
    C003_STATUS = "C003", collection, Error, "account status must be 93, 62, DA or DF";
    C004_K1 = "C004", collection, Error, "a K1 (original creditor) segment is required";
    C005_CREDIT_LIMIT = "C005", collection, Error, "Credit Limit must be 0";
    C006_HIGHEST_CREDIT = "C006", collection, Error, "Highest Credit (original amount) must be > 0";
    C007_SCHEDULED_PAYMENT = "C007", collection, Error, "Scheduled Monthly Payment must be 0";
    C008_TERMS = "C008", collection, Error, "Terms Duration must be 001";
    C009_DOFD = "C009", collection, Error, "Date of First Delinquency is required";
    C010_OBSOLETE = "C010", collection, Error, "Date of Account Information is 7 years or more after the DOFD (past FCRA obsolescence)";
    C011_OPEN_COLLECTION = "C011", collection, Error, "status 93 needs Current Balance > 0, Amount Past Due > 0 and no Date Closed";
    C012_PAID_COLLECTION = "C012", collection, Error, "status 62 needs Current Balance 0, Amount Past Due 0 and a Date Closed";
    C013_CHARGE_OFF = "C013", collection, Error, "Original Charge-off Amount must be 0";
    C014_AUTHORIZED_USER = "C014", collection, Warning, "associated consumer with ECOA 3 (authorized user) is not liable for a collection";
    C015_PAYMENT_HISTORY = "C015", collection, Warning, "Payment History Profile holds codes other than B, G, D or blank, or does not start with B or G";
    C016_MEDICAL = "C016", collection, Warning, "medical collection (K1 class 02) under $500 or paid (bureaus suppress these)";
    // Trailer totals.
    T001_TOTAL = "T001", all, Error, "trailer total differs from the total recomputed from the records";
}

pub fn by_id(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique() {
        for (i, a) in RULES.iter().enumerate() {
            assert!(RULES[i + 1..].iter().all(|b| b.id != a.id), "{}", a.id);
        }
    }

    #[test]
    fn docs_list_every_rule() {
        let docs = include_str!("../../docs/metro2.md");
        for r in RULES {
            let row = format!("| {} |", r.id);
            assert!(docs.contains(&row), "docs/metro2.md lacks rule {}", r.id);
        }
    }
}
