//! The Base Segment values that the cross-field and collection rules compare,
//! read once per record so that each rule is a small function of them.

use chrono::NaiveDate;

use super::{get, parse_date_field, Validator};
use crate::metro2::codes;
use crate::metro2::layout::{base, Field, SegKind};
use crate::metro2::read::RecordView;
use crate::metro2::rules::Rule;
use crate::metro2::segment::{field_text, parse_num};

pub(super) struct BaseFacts<'a> {
    /// Physical record number, carried by every finding.
    pub number: u64,
    /// The Base Segment (the first 426 bytes of the record).
    pub bytes: &'a [u8],
    pub status: &'a [u8],
    /// Whole dollars; a field that is not a number counts as 0 (its own
    /// finding comes from the field checks).
    pub balance: u64,
    pub past_due: u64,
    pub dofd: Option<NaiveDate>,
    pub doai: Option<NaiveDate>,
    pub closed: Option<NaiveDate>,
}

impl<'a> BaseFacts<'a> {
    pub fn read(rec: &RecordView<'a>) -> Self {
        let bytes = rec.main();
        let date = |f: &Field| parse_date_field(get(bytes, f));
        let num = |f: &Field| parse_num(get(bytes, f)).unwrap_or(0);
        BaseFacts {
            number: rec.number,
            bytes,
            status: get(bytes, &base::ACCOUNT_STATUS),
            balance: num(&base::CURRENT_BALANCE),
            past_due: num(&base::AMOUNT_PAST_DUE),
            dofd: date(&base::DATE_FIRST_DELINQUENCY),
            doai: date(&base::DATE_ACCOUNT_INFORMATION),
            closed: date(&base::DATE_CLOSED),
        }
    }

    pub fn raw(&self, f: &Field) -> &'a [u8] {
        get(self.bytes, f)
    }

    pub fn num(&self, f: &Field) -> u64 {
        parse_num(self.raw(f)).unwrap_or(0)
    }

    pub fn status_in(&self, list: &[&[u8]]) -> bool {
        codes::has(list, self.status)
    }

    pub fn status_text(&self) -> String {
        field_text(self.status)
    }
}

impl Validator {
    /// A finding about field `f` of the Base Segment, quoting its value.
    pub(super) fn base_finding(
        &mut self,
        rule: Rule,
        facts: &BaseFacts<'_>,
        f: &Field,
        message: String,
    ) {
        self.at(rule, facts.number, SegKind::Base, f, facts.raw(f), message);
    }
}
