//! Personal data shown to people: the one rule for masking a Social Security number.
//!
//! README "Using it" (PII): an SSN never appears unmasked in text a person or a log sees —
//! `show debtor`, Metro 2 findings and `metro2 print`, the import review prompt, the
//! rejects file, the ODBC log. Every one of them masks through this module, so the
//! rule is the same everywhere:
//!
//! - a value with at least four digits shows as `***-**-` and its last four digits
//!   (`123-45-6789`, `123456789` → `***-**-6789`);
//! - a value with fewer than four digits (malformed: a typo, a fragment) shows as
//!   `***` — too little to be useful, and it may still be part of a real number;
//! - a placeholder that holds no SSN — blank, or digits all `0` or all `9` (Metro 2
//!   zero- or nine-fills an unknown SSN, Collect! help, Credit Bureau Reporting —
//!   Metro 2 fields) — is shown as it is: there is nothing to hide, and a reader
//!   checking a Metro 2 file needs to see which fill was used.

/// An SSN as it may be shown (rules in the module documentation).
pub fn mask_ssn(raw: &str) -> String {
    if is_placeholder(raw) {
        return raw.to_string();
    }
    let digits: Vec<char> = raw.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return "***".to_string();
    }
    let last: String = digits[digits.len() - 4..].iter().collect();
    format!("***-**-{last}")
}

/// Blank, or separators around digits that are all `0` or all `9`.
fn is_placeholder(raw: &str) -> bool {
    let is_separator = |c: char| c == ' ' || c == '-';
    let digits: Vec<char> = raw.chars().filter(|c| !is_separator(*c)).collect();
    digits.iter().all(|c| *c == '0') || digits.iter().all(|c| *c == '9')
}

/// `text` with every SSN-shaped run (`ddd-dd-dddd` or `ddd dd dddd`, not touching
/// other digits) masked. For free text whose fields are unknown — a raw input
/// record, a reason: a bare run of nine digits is left alone, since it may just as
/// well be an account number the reader needs.
pub fn mask_ssn_shapes(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts_clean = i == 0 || !chars[i - 1].is_ascii_digit();
        match ssn_shape_len(&chars[i..]) {
            Some(n) if starts_clean && !chars.get(i + n).is_some_and(char::is_ascii_digit) => {
                let digits: String = chars[i..i + n].iter().collect();
                out.push_str(&mask_ssn(&digits));
                i += n;
            }
            _ => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// The length of an SSN shape at the start of `c`: 3, 2 and 4 digits, the groups
/// separated by the same `-` or space.
fn ssn_shape_len(c: &[char]) -> Option<usize> {
    let digits = |from: usize, n: usize| {
        c.len() >= from + n && c[from..from + n].iter().all(char::is_ascii_digit)
    };
    let sep = *c.get(3)?;
    let shaped = (sep == '-' || sep == ' ')
        && digits(0, 3)
        && digits(4, 2)
        && c.get(6) == Some(&sep)
        && digits(7, 4);
    shaped.then_some(11)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ssn_shows_its_last_four_digits_only() {
        assert_eq!(mask_ssn("123-45-6789"), "***-**-6789");
        assert_eq!(mask_ssn("123456789"), "***-**-6789");
        assert_eq!(mask_ssn(" 123 45 6789 "), "***-**-6789");
        assert_eq!(mask_ssn("45-6789"), "***-**-6789");
    }

    #[test]
    fn a_malformed_ssn_hides_everything() {
        assert_eq!(mask_ssn("123"), "***");
        assert_eq!(mask_ssn("12"), "***");
        assert_eq!(mask_ssn("N/A"), "***");
    }

    #[test]
    fn a_placeholder_is_shown_as_it_is() {
        assert_eq!(mask_ssn(""), "");
        assert_eq!(mask_ssn("         "), "         ");
        assert_eq!(mask_ssn("000000000"), "000000000");
        assert_eq!(mask_ssn("999999999"), "999999999");
        assert_eq!(mask_ssn("000-00-0000"), "000-00-0000");
    }

    #[test]
    fn ssn_shapes_are_masked_in_free_text() {
        assert_eq!(
            mask_ssn_shapes("A-1,Doe,123-45-6789,100.00"),
            "A-1,Doe,***-**-6789,100.00"
        );
        assert_eq!(mask_ssn_shapes("x 123 45 6789"), "x ***-**-6789");
        // a bare nine-digit run, a phone number, a longer number: not SSN-shaped
        assert_eq!(mask_ssn_shapes("A-1|123456789|"), "A-1|123456789|");
        assert_eq!(mask_ssn_shapes("916-555-0101"), "916-555-0101");
        assert_eq!(mask_ssn_shapes("1123-45-67890"), "1123-45-67890");
    }
}
