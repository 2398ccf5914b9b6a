//! Code lists for the fields that have one (moov's `constants.go` plus the
//! CRRG lists moov lacks: ECOA, compliance condition, generation, state).
//! Values are compared with trailing blanks removed; a blank field is
//! handled by the required/optional rules, not here.

use super::layout::{base, j1, j2, k1, k2, k3, k4, l1, Field, SegKind};

type List = &'static [&'static [u8]];

const PORTFOLIO: List = &[b"C", b"I", b"M", b"O", b"R"];
const ACCOUNT_TYPE: List = &[
    b"00", b"01", b"02", b"03", b"04", b"05", b"06", b"07", b"08", b"0A", b"0C", b"0F", b"0G",
    b"10", b"11", b"12", b"13", b"15", b"17", b"18", b"19", b"20", b"25", b"26", b"29", b"2A",
    b"2C", b"37", b"3A", b"43", b"47", b"48", b"4D", b"50", b"5A", b"5B", b"65", b"66", b"67",
    b"68", b"69", b"6A", b"6B", b"6D", b"70", b"71", b"72", b"73", b"74", b"75", b"77", b"7A",
    b"7B", b"89", b"8A", b"8B", b"90", b"91", b"92", b"93", b"95", b"9A", b"9B",
];
const TERMS_FREQUENCY: List = &[
    b"D", b"P", b"W", b"B", b"E", b"M", b"L", b"Q", b"T", b"S", b"Y",
];
pub const ACCOUNT_STATUS: List = &[
    b"DF", b"DA", b"05", b"11", b"13", b"61", b"62", b"63", b"64", b"65", b"71", b"78", b"80",
    b"82", b"83", b"84", b"88", b"89", b"93", b"94", b"95", b"96", b"97",
];
const PAYMENT_RATING: List = &[b"0", b"1", b"2", b"3", b"4", b"5", b"6", b"G", b"L"];
const SPECIAL_COMMENT: List = &[
    b"B", b"C", b"H", b"I", b"M", b"O", b"S", b"V", b"AB", b"AC", b"AH", b"AI", b"AM", b"AN",
    b"AO", b"AP", b"AS", b"AT", b"AU", b"AV", b"AW", b"AX", b"AZ", b"BA", b"BB", b"BC", b"BD",
    b"BE", b"BF", b"BG", b"BH", b"BI", b"BJ", b"BK", b"BL", b"BN", b"BO", b"BP", b"BS", b"BT",
    b"CH", b"CI", b"CJ", b"CK", b"CL", b"CM", b"CN", b"CO", b"CP", b"CS", b"DE",
];
const COMPLIANCE: List = &[
    b"XA", b"XB", b"XC", b"XD", b"XE", b"XF", b"XG", b"XH", b"XJ", b"XR",
];
const INTEREST_TYPE: List = &[b"F", b"V"];
const GENERATION: List = &[b"J", b"S", b"2", b"3", b"4", b"5", b"6", b"7", b"8", b"9"];
/// Codes 0, 4 and 6 are obsolete since September 2003 (CRRG via moov).
pub const ECOA: List = &[b"1", b"2", b"3", b"5", b"7", b"T", b"W", b"X", b"Z"];
const ADDRESS_INDICATOR: List = &[b"C", b"Y", b"N", b"M", b"S", b"B", b"U", b"D", b"P"];
const RESIDENCE: List = &[b"O", b"R"];
const CORRECTION: List = &[b"0", b"1"];
pub const STATES: List = &[
    b"AL", b"AK", b"AZ", b"AR", b"CA", b"CO", b"CT", b"DE", b"DC", b"FL", b"GA", b"HI", b"ID",
    b"IL", b"IN", b"IA", b"KS", b"KY", b"LA", b"ME", b"MD", b"MA", b"MI", b"MN", b"MS", b"MO",
    b"MT", b"NE", b"NV", b"NH", b"NJ", b"NM", b"NY", b"NC", b"ND", b"OH", b"OK", b"OR", b"PA",
    b"RI", b"SC", b"SD", b"TN", b"TX", b"UT", b"VT", b"VA", b"WA", b"WV", b"WI", b"WY", b"AS",
    b"GU", b"MP", b"PR", b"VI", b"FM", b"MH", b"PW", b"AA", b"AE", b"AP", b"AB", b"BC", b"MB",
    b"NB", b"NL", b"NS", b"NT", b"NU", b"ON", b"PE", b"QC", b"SK", b"YT",
];
/// Numeric codes are compared as written (zero-filled).
const CREDITOR_CLASS: List = &[
    b"01", b"02", b"03", b"04", b"05", b"06", b"07", b"08", b"09", b"10", b"11", b"12", b"13",
    b"14", b"15",
];
const K2_INDICATOR: List = &[b"1", b"2", b"9"];
const K3_AGENCY: List = &[b"00", b"01", b"02"];
const K4_INDICATOR: List = &[b"01", b"02"];
const L1_INDICATOR: List = &[b"1", b"2", b"3"];

/// The code list of a field, if it has one. State codes are a warning
/// (F011) and checked separately.
pub fn list(seg: SegKind, f: &Field) -> Option<List> {
    // Positions are unique within a table, so the start identifies the field.
    let same = |g: &Field| g.start == f.start;
    match seg {
        SegKind::Base => Some(match () {
            _ if same(&base::PORTFOLIO_TYPE) => PORTFOLIO,
            _ if same(&base::ACCOUNT_TYPE) => ACCOUNT_TYPE,
            _ if same(&base::TERMS_FREQUENCY) => TERMS_FREQUENCY,
            _ if same(&base::ACCOUNT_STATUS) => ACCOUNT_STATUS,
            _ if same(&base::PAYMENT_RATING) => PAYMENT_RATING,
            _ if same(&base::SPECIAL_COMMENT) => SPECIAL_COMMENT,
            _ if same(&base::COMPLIANCE_CONDITION) => COMPLIANCE,
            _ if same(&base::INTEREST_TYPE) => INTEREST_TYPE,
            _ if same(&base::GENERATION_CODE) => GENERATION,
            _ if same(&base::ECOA_CODE) => ECOA,
            _ if same(&base::ADDRESS_INDICATOR) => ADDRESS_INDICATOR,
            _ if same(&base::RESIDENCE_CODE) => RESIDENCE,
            _ if same(&base::CORRECTION_INDICATOR) => CORRECTION,
            _ => return None,
        }),
        SegKind::J1 => Some(match () {
            _ if same(&j1::GENERATION_CODE) => GENERATION,
            _ if same(&j1::ECOA_CODE) => ECOA,
            _ => return None,
        }),
        SegKind::J2 => Some(match () {
            _ if same(&j2::GENERATION_CODE) => GENERATION,
            _ if same(&j2::ECOA_CODE) => ECOA,
            _ if same(&j2::ADDRESS_INDICATOR) => ADDRESS_INDICATOR,
            _ if same(&j2::RESIDENCE_CODE) => RESIDENCE,
            _ => return None,
        }),
        SegKind::K1 if same(&k1::CREDITOR_CLASSIFICATION) => Some(CREDITOR_CLASS),
        SegKind::K2 if same(&k2::PURCHASED_INDICATOR) => Some(K2_INDICATOR),
        SegKind::K3 if same(&k3::AGENCY_IDENTIFIER) => Some(K3_AGENCY),
        SegKind::K4 if same(&k4::SPECIALIZED_PAYMENT_INDICATOR) => Some(K4_INDICATOR),
        SegKind::L1 if same(&l1::CHANGE_INDICATOR) => Some(L1_INDICATOR),
        _ => None,
    }
}

/// Is `v` one of `list`? (First byte compared before the slice: these run
/// for every field of every record.)
pub fn has(list: &[&[u8]], v: &[u8]) -> bool {
    list.iter().any(|c| c.first() == v.first() && *c == v)
}

/// Payment History Profile characters: the CRRG allows only 0-6, B, D, E, G, H, J,
/// K and L in each of the 24 positions and asks for `B` in unused positions
/// (CRRG, Base Segment field 18, as quoted by moov-io/metro2 and the Elixir
/// `Metro2.Rules`). moov once accepted `Z` (Canadian "too new to rate", its PR #155)
/// and blanks; both are refused here, as moov's own test suite now does.
pub fn php_char_ok(c: u8) -> bool {
    matches!(
        c,
        b'0'..=b'6' | b'B' | b'D' | b'E' | b'G' | b'H' | b'J' | b'K' | b'L'
    )
}

/// The first character of a Payment History Profile that the CRRG does not allow.
pub fn php_bad_char(php: &[u8]) -> Option<u8> {
    php.iter().copied().find(|&c| !php_char_ok(c))
}

/// Terms Duration: LOC, REV, or a number of months right-justified.
pub fn terms_ok(raw: &[u8]) -> bool {
    raw == b"LOC" || raw == b"REV" || (!raw.is_empty() && raw.iter().all(u8::is_ascii_digit))
}

// Code groups of the cross-field and collection rules (`validate`): which
// Account Status, Account Type and Special Comment codes a rule applies to.
// Status meanings are those of the CRRG Account Status list (Base Segment
// field 17A), as moov-io/metro2 applies them; see docs/metro2.md for each rule.

/// Paid, closed or transferred: nothing owed and a Date Closed expected
/// (05 transferred, 13 paid/closed, 61–65 paid in full).
pub const PAID_STATUSES: List = &[b"05", b"13", b"61", b"62", b"63", b"64", b"65"];
/// Past due (71–84), assigned to collections (93) or charged off unpaid (97):
/// an amount past due and a balance expected.
pub const DELINQUENT_STATUSES: List = &[b"71", b"78", b"80", b"82", b"83", b"84", b"93", b"97"];
/// The statuses that take a Payment Rating (rule X001).
pub const RATED_STATUSES: List = &[b"05", b"13", b"65", b"88", b"89", b"94", b"95"];
/// Current or paid: no amount past due (rule X003).
pub const NO_PAST_DUE_STATUSES: List = &[b"05", b"11", b"13", b"61", b"62", b"63", b"64", b"65"];
/// The statuses that carry no Original Charge-off Amount (rule X008).
pub const NO_CHARGE_OFF_STATUSES: List = &[
    b"05", b"11", b"13", b"61", b"62", b"63", b"65", b"71", b"78", b"80", b"82", b"83", b"84",
    b"89", b"93",
];
/// Charged off, paid (64) or not (97): an Original Charge-off Amount is required (rule X008).
pub const CHARGED_OFF_STATUSES: List = &[b"64", b"97"];
/// The statuses that need a Date of First Delinquency (rule X011).
pub const DOFD_STATUSES: List = &[
    b"61", b"62", b"63", b"64", b"65", b"71", b"78", b"80", b"82", b"83", b"84", b"88", b"89",
    b"93", b"94", b"95", b"96", b"97",
];
/// The statuses that carry no Scheduled Monthly Payment (rule X014).
pub const NO_SCHEDULED_PAYMENT_STATUSES: List =
    &[b"05", b"13", b"61", b"62", b"63", b"64", b"65", b"97"];
/// The statuses a settled-for-less comment may accompany (rule X019).
pub const SETTLED_STATUSES: List = &[b"13", b"61", b"62", b"63", b"64", b"65"];
/// The statuses a collector reports (rule C003): 93 open, 62 paid, DA/DF delete.
pub const COLLECTION_STATUSES: List = &[b"93", b"62", b"DA", b"DF"];
/// Delete the account (DA) or delete it as fraud (DF): the record carries no
/// amounts or dates that the deletion makes moot (rules C006, C009).
pub const DELETION_STATUSES: List = &[b"DA", b"DF"];
/// Collection account types: 0C debt buyer, 48 collection agency/attorney,
/// 77 returned check. No credit limit, an original amount (rules X015, C002).
pub const COLLECTION_ACCOUNT_TYPES: List = &[b"0C", b"48", b"77"];
/// The account types a portfolio C (line of credit) account may have (rule X017).
pub const LINE_OF_CREDIT_ACCOUNT_TYPES: List = &[b"15", b"43", b"47", b"89", b"7A", b"9B"];
/// Special Comments that say the account was settled for less (rule X019).
pub const SETTLED_COMMENTS: List = &[b"AU", b"AX", b"BP", b"C"];
/// Payment History Profile characters of a collection account (rule C015):
/// B no history, G collection, D no data this month, and blank.
pub const COLLECTION_HISTORY_CHARS: &[u8] = b"BGD ";
