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
}

impl Review {
    pub fn off() -> Review {
        Review {
            on: false,
            input: Box::new(std::io::empty()),
        }
    }
    pub fn stdin() -> Review {
        Review {
            on: true,
            input: Box::new(std::io::BufReader::new(std::io::stdin())),
        }
    }
    pub fn from_reader(r: impl Read + 'static) -> Review {
        Review {
            on: true,
            input: Box::new(std::io::BufReader::new(r)),
        }
    }
    pub(crate) fn active(&self) -> bool {
        self.on
    }
    pub(crate) fn ask(&mut self, line: u64, raw: &str) -> Result<ReviewAnswer> {
        loop {
            eprint!("line {line}: {raw}\nUpdate Debtor? (Yes/No/All/Cancel) ");
            let _ = std::io::stderr().flush();
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
