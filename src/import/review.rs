//! `--review`: ask before updating an existing debtor (S2:5487-5497).

use std::io::{BufRead, Read, Write};

use crate::Result;

pub enum ReviewAnswer {
    Yes,
    No,
    Cancel,
}

/// `--review`: "Update Debtor? (Yes/No/All/Cancel)" per record (S2:5487-5497).
pub struct Review {
    on: bool,
    input: Box<dyn BufRead>,
    /// Where the question goes; the command line gives the standard error.
    prompt: Box<dyn Write>,
}

impl Review {
    pub fn off() -> Review {
        Review {
            on: false,
            input: Box::new(std::io::empty()),
            prompt: Box::new(std::io::sink()),
        }
    }
    /// Ask on `prompt`, read the answers from `answers` (the command line gives the
    /// standard error and the standard input).
    pub fn asking(answers: impl Read + 'static, prompt: impl Write + 'static) -> Review {
        Review {
            on: true,
            input: Box::new(std::io::BufReader::new(answers)),
            prompt: Box::new(prompt),
        }
    }
    pub(crate) fn active(&self) -> bool {
        self.on
    }
    /// `ssns`: the record's SSN values, masked in the record shown.
    pub(crate) fn ask(&mut self, line: u64, raw: &str, ssns: &[&str]) -> Result<ReviewAnswer> {
        let shown = masked_record(raw, ssns);
        loop {
            // A prompt that cannot be shown must not stop the import: the answer decides.
            let _ = write!(
                self.prompt,
                "line {line}: {shown}\nUpdate Debtor? (Yes/No/All/Cancel) "
            );
            let _ = self.prompt.flush();
            let mut answer = String::new();
            if self.input.read_line(&mut answer)? == 0 {
                return Ok(ReviewAnswer::Cancel);
            }
            match answer.trim().to_ascii_lowercase().as_str() {
                "y" | "yes" => return Ok(ReviewAnswer::Yes),
                "n" | "no" => return Ok(ReviewAnswer::No),
                "a" | "all" => {
                    self.on = false;
                    return Ok(ReviewAnswer::Yes);
                }
                "c" | "cancel" => return Ok(ReviewAnswer::Cancel),
                _ => continue,
            }
        }
    }
}

/// The record as the reviewer sees it, every SSN masked like every other display
/// (`***-**-1234`, README "Using it" PII): the record's own SSN values wherever they appear in
/// it, then anything written like an SSN (`123-45-6789`, `123 45 6789`) in case the
/// source wrote it differently from the stored value. A bare run of nine digits is
/// masked only when it is the record's SSN: it may be the account number the
/// reviewer needs to see.
pub(crate) fn masked_record(raw: &str, ssns: &[&str]) -> String {
    let mut shown = raw.to_string();
    for ssn in ssns {
        let digits: String = ssn.chars().filter(char::is_ascii_digit).collect();
        if digits.len() < 4 {
            continue;
        }
        let mask = crate::pii::mask_ssn(&digits);
        shown = shown.replace(ssn.trim(), &mask);
        // The source may write a full SSN as bare digits whatever the stored form.
        if digits.len() == 9 {
            shown = shown.replace(&digits, &mask);
        }
    }
    crate::pii::mask_ssn_shapes(&shown)
}

#[cfg(test)]
mod tests {
    use super::masked_record;

    #[test]
    fn ssns_are_masked_in_the_record_shown() {
        assert_eq!(
            masked_record("A-1,Doe,123-45-6789,100.00", &[]),
            "A-1,Doe,***-**-6789,100.00"
        );
        assert_eq!(
            masked_record("A-1,Doe,123 45 6789", &[]),
            "A-1,Doe,***-**-6789"
        );
        assert_eq!(masked_record("A-1|123456789|", &[]), "A-1|123456789|");
        assert_eq!(
            masked_record("A-1|123456789|", &["123-45-6789"]),
            "A-1|***-**-6789|"
        );
        // a phone number or a longer account number is not an SSN
        assert_eq!(
            masked_record("9165550101,1234567890", &[]),
            "9165550101,1234567890"
        );
        // the record's own SSN, even run together with other digits (fixed width)
        assert_eq!(
            masked_record("0001123456789000150000", &["123456789"]),
            "0001***-**-6789000150000"
        );
    }
}
