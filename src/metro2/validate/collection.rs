//! The collection profile's rules (C0xx): what a collection agency or debt
//! buyer reports differs from a creditor — portfolio O, type 48/0C/77, status
//! 93/62/DA/DF, a K1 original creditor, no credit limit or scheduled payment.
//! They run in a fixed order so that a record's findings always come out the
//! same way.

use super::add_years;
use super::base_facts::BaseFacts;
use super::{get, Validator};
use crate::metro2::codes;
use crate::metro2::layout::{base, k1, SegKind};
use crate::metro2::read::RecordView;
use crate::metro2::rules as r;

impl Validator {
    pub(super) fn collection(&mut self, rec: &RecordView<'_>, facts: &BaseFacts<'_>) {
        self.collection_account_codes(facts);
        let original_creditor = original_creditor_segment(rec);
        if original_creditor.is_none() {
            self.push(
                r::C004_K1,
                facts.number,
                "base",
                "record",
                1,
                String::new(),
                "no K1 (original creditor) segment".into(),
            );
        }
        self.collection_terms(facts);
        self.collection_delinquency_dates(facts);
        self.collection_open_or_paid(facts);
        if facts.num(&base::ORIGINAL_CHARGE_OFF) != 0 {
            let message = "original charge-off must be 0".into();
            self.base_finding(
                r::C013_CHARGE_OFF,
                facts,
                &base::ORIGINAL_CHARGE_OFF,
                message,
            );
        }
        self.collection_history(facts);
        if let Some(k1_segment) = original_creditor {
            self.small_or_paid_medical(facts, k1_segment);
        }
    }

    /// C001–C003: portfolio O, a collection account type, a collector's status.
    fn collection_account_codes(&mut self, facts: &BaseFacts<'_>) {
        if facts.raw(&base::PORTFOLIO_TYPE) != b"O" {
            let message = "a collection account is portfolio O".into();
            self.base_finding(r::C001_PORTFOLIO, facts, &base::PORTFOLIO_TYPE, message);
        }
        if !codes::has(
            codes::COLLECTION_ACCOUNT_TYPES,
            facts.raw(&base::ACCOUNT_TYPE),
        ) {
            let message = "a collection account is type 48, 0C or 77".into();
            self.base_finding(r::C002_ACCOUNT_TYPE, facts, &base::ACCOUNT_TYPE, message);
        }
        if !facts.status_in(codes::COLLECTION_STATUSES) {
            let message = "collectors report 93, 62, DA or DF only".into();
            self.base_finding(r::C003_STATUS, facts, &base::ACCOUNT_STATUS, message);
        }
    }

    /// C005–C008: a collection is not a line of credit or an instalment loan:
    /// no credit limit, no scheduled payment, terms 001, and the original
    /// amount placed (unless the record deletes the account).
    fn collection_terms(&mut self, facts: &BaseFacts<'_>) {
        if facts.num(&base::CREDIT_LIMIT) != 0 {
            let message = "credit limit must be 0".into();
            self.base_finding(r::C005_CREDIT_LIMIT, facts, &base::CREDIT_LIMIT, message);
        }
        let deleting = facts.status_in(codes::DELETION_STATUSES);
        if facts.num(&base::HIGHEST_CREDIT) == 0 && !deleting {
            let message = "the original amount placed is required".into();
            self.base_finding(
                r::C006_HIGHEST_CREDIT,
                facts,
                &base::HIGHEST_CREDIT,
                message,
            );
        }
        let payment = &base::SCHEDULED_MONTHLY_PAYMENT;
        if facts.num(payment) != 0 {
            let message = "scheduled monthly payment must be 0".into();
            self.base_finding(r::C007_SCHEDULED_PAYMENT, facts, payment, message);
        }
        if facts.raw(&base::TERMS_DURATION) != b"001" {
            let message = "terms duration must be 001".into();
            self.base_finding(r::C008_TERMS, facts, &base::TERMS_DURATION, message);
        }
    }

    /// C009–C010: a Date of First Delinquency, and not more than 7 years before
    /// the Date of Account Information (the account is obsolete then).
    fn collection_delinquency_dates(&mut self, facts: &BaseFacts<'_>) {
        if facts.dofd.is_none() && !facts.status_in(codes::DELETION_STATUSES) {
            let message = "the date of first delinquency is required".into();
            self.base_finding(r::C009_DOFD, facts, &base::DATE_FIRST_DELINQUENCY, message);
        }
        if let (Some(f), Some(a)) = (facts.dofd, facts.doai) {
            if a >= add_years(f, 7) {
                let message = format!("the account became obsolete 7 years after its DOFD {f}");
                let doai_field = &base::DATE_ACCOUNT_INFORMATION;
                self.base_finding(r::C010_OBSOLETE, facts, doai_field, message);
            }
        }
    }

    /// C011–C012: an open collection (93) owes, is past due and is not closed;
    /// a paid one (62) owes nothing and is closed. The finding names the first
    /// field that disagrees.
    fn collection_open_or_paid(&mut self, facts: &BaseFacts<'_>) {
        let (balance, apd, closed) = (facts.balance, facts.past_due, facts.closed);
        if facts.status == b"93" && (balance == 0 || apd == 0 || closed.is_some()) {
            let f = if balance == 0 {
                base::CURRENT_BALANCE
            } else if apd == 0 {
                base::AMOUNT_PAST_DUE
            } else {
                base::DATE_CLOSED
            };
            let message = "an open collection (93) owes, is past due and is not closed".into();
            self.base_finding(r::C011_OPEN_COLLECTION, facts, &f, message);
        }
        if facts.status == b"62" && (balance != 0 || apd != 0 || closed.is_none()) {
            let f = if balance != 0 {
                base::CURRENT_BALANCE
            } else if apd != 0 {
                base::AMOUNT_PAST_DUE
            } else {
                base::DATE_CLOSED
            };
            let message = "a paid collection (62) has no balance and a date closed".into();
            self.base_finding(r::C012_PAID_COLLECTION, facts, &f, message);
        }
    }

    /// C015: a collection's history holds only B (no history) and G
    /// (collection) months, and starts with one of them.
    fn collection_history(&mut self, facts: &BaseFacts<'_>) {
        let php = facts.raw(&base::PAYMENT_HISTORY_PROFILE);
        if php
            .iter()
            .any(|c| !codes::COLLECTION_HISTORY_CHARS.contains(c))
            || !matches!(php.first(), Some(b'B' | b'G'))
        {
            let message =
                "a collection's history is B (no history) and G (collection) months".into();
            let rule = r::C015_PAYMENT_HISTORY;
            self.base_finding(rule, facts, &base::PAYMENT_HISTORY_PROFILE, message);
        }
    }

    /// C016: the bureaus do not report medical collections (creditor class 02)
    /// under $500 or paid.
    fn small_or_paid_medical(&mut self, facts: &BaseFacts<'_>, k1_segment: &[u8]) {
        let medical = get(k1_segment, &k1::CREDITOR_CLASSIFICATION) == b"02";
        if medical && (facts.num(&base::HIGHEST_CREDIT) < 500 || facts.status == b"62") {
            let message =
                "medical collections under $500 or paid are not reported by the bureaus".into();
            self.base_finding(r::C016_MEDICAL, facts, &base::HIGHEST_CREDIT, message);
        }
    }
}

/// The record's first real K1 (original creditor) segment.
fn original_creditor_segment<'a>(rec: &RecordView<'a>) -> Option<&'a [u8]> {
    rec.segments
        .iter()
        .find(|s| s.kind == SegKind::K1 && !s.placeholder)
        .map(|s| rec.segment(s))
}
