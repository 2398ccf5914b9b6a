//! Cross-field rules of the Base Segment (X0xx): what one field says about
//! another — status against amounts and dates, portfolio against terms,
//! special comment against status and segments. They run in a fixed order so
//! that a record's findings always come out the same way.

use super::base_facts::BaseFacts;
use super::{add_years, blank, get, trim_end, Validator};
use crate::metro2::codes;
use crate::metro2::layout::{base, k2, SegKind};
use crate::metro2::read::RecordView;
use crate::metro2::rules as r;
use crate::metro2::segment::{field_text, parse_num};

impl Validator {
    /// Every cross-field rule for one data record. `collection` relaxes the
    /// rules a collection account is exempt from (it has its own C0xx rules).
    pub(super) fn cross_field(
        &mut self,
        rec: &RecordView<'_>,
        facts: &BaseFacts<'_>,
        collection: bool,
    ) {
        let (n, b, bk) = (facts.number, facts.bytes, SegKind::Base);
        self.payment_rating_for_status(facts);
        self.ssn_dob(n, bk, b, &base::SSN, &base::DATE_OF_BIRTH, &base::ECOA_CODE);
        self.name_chars(n, bk, b, &base::SURNAME);
        self.name_chars(n, bk, b, &base::FIRST_NAME);
        self.amounts_for_status(facts);
        self.date_closed_for_status(facts);
        self.delinquency_dates(facts, collection);
        self.nothing_after_doai(facts);
        self.scheduled_payment_for_status(facts);
        self.collection_type_amounts(facts, collection);
        self.terms_for_portfolio(facts, collection);
        self.special_comment(rec, facts);
    }

    /// X001 (moov): payment rating only for the statuses that take one.
    fn payment_rating_for_status(&mut self, facts: &BaseFacts<'_>) {
        let rating = facts.raw(&base::PAYMENT_RATING);
        let needs_rating = facts.status_in(codes::RATED_STATUSES);
        let message = if needs_rating && !matches!(rating, [b'0'..=b'6'] | b"G" | b"L") {
            "needs a payment rating"
        } else if !needs_rating && !blank(rating) {
            "takes no payment rating"
        } else {
            return;
        };
        let message = format!("status {} {message}", facts.status_text());
        self.base_finding(
            r::X001_PAYMENT_RATING,
            facts,
            &base::PAYMENT_RATING,
            message,
        );
    }

    /// X003–X008: balance, amount past due and charge-off against the status.
    fn amounts_for_status(&mut self, facts: &BaseFacts<'_>) {
        let (balance, apd) = (facts.balance, facts.past_due);
        let status = facts.status_text();
        if facts.status_in(codes::NO_PAST_DUE_STATUSES) && apd > 0 {
            let message = format!("status {status} with an amount past due");
            self.base_finding(
                r::X003_PAID_WITH_PAST_DUE,
                facts,
                &base::AMOUNT_PAST_DUE,
                message,
            );
        }
        if facts.status_in(codes::DELINQUENT_STATUSES) && apd == 0 {
            let message = format!("status {status} with no amount past due");
            let rule = r::X004_DELINQUENT_NO_PAST_DUE;
            self.base_finding(rule, facts, &base::AMOUNT_PAST_DUE, message);
        }
        if facts.status_in(codes::PAID_STATUSES) && balance > 0 {
            let message = format!("status {status} with a balance");
            self.base_finding(
                r::X005_PAID_WITH_BALANCE,
                facts,
                &base::CURRENT_BALANCE,
                message,
            );
        }
        if facts.status_in(codes::DELINQUENT_STATUSES) && balance == 0 {
            let message = format!("status {status} with a zero balance");
            let rule = r::X006_DELINQUENT_NO_BALANCE;
            self.base_finding(rule, facts, &base::CURRENT_BALANCE, message);
        }
        if apd > balance {
            let message = format!("amount past due {apd} exceeds the balance {balance}");
            let rule = r::X007_PAST_DUE_OVER_BALANCE;
            self.base_finding(rule, facts, &base::AMOUNT_PAST_DUE, message);
        }
        let charge_off = facts.num(&base::ORIGINAL_CHARGE_OFF);
        if (facts.status_in(codes::NO_CHARGE_OFF_STATUSES) && charge_off > 0)
            || (facts.status_in(codes::CHARGED_OFF_STATUSES) && charge_off == 0)
        {
            let message = format!("status {status} with original charge-off {charge_off}");
            self.base_finding(
                r::X008_CHARGE_OFF,
                facts,
                &base::ORIGINAL_CHARGE_OFF,
                message,
            );
        }
    }

    /// X009–X010: a paid account is closed; a delinquent or current one is not
    /// (unless the consumer closed it, compliance condition XA).
    fn date_closed_for_status(&mut self, facts: &BaseFacts<'_>) {
        if facts.status_in(codes::PAID_STATUSES) && facts.closed.is_none() {
            let message = format!("status {} without a date closed", facts.status_text());
            self.base_finding(r::X009_NO_DATE_CLOSED, facts, &base::DATE_CLOSED, message);
        }
        let open = facts.status_in(codes::DELINQUENT_STATUSES) || facts.status == b"11";
        if open && facts.closed.is_some() && facts.raw(&base::COMPLIANCE_CONDITION) != b"XA" {
            let message = format!("status {} with a date closed", facts.status_text());
            self.base_finding(r::X010_DATE_CLOSED_OPEN, facts, &base::DATE_CLOSED, message);
        }
    }

    /// X011–X013 and X023: the Date of First Delinquency against the status and
    /// the Date of Account Information.
    fn delinquency_dates(&mut self, facts: &BaseFacts<'_>, collection: bool) {
        let dofd_field = &base::DATE_FIRST_DELINQUENCY;
        if !collection && facts.status_in(codes::DOFD_STATUSES) && facts.dofd.is_none() {
            let message = format!(
                "status {} without a date of first delinquency",
                facts.status_text()
            );
            self.base_finding(r::X011_NO_DOFD, facts, dofd_field, message);
        }
        if facts.status == b"11" && facts.dofd.is_some() {
            let message = "a current account with a date of first delinquency".into();
            self.base_finding(r::X012_DOFD_CURRENT, facts, dofd_field, message);
        }
        let (Some(f), Some(a)) = (facts.dofd, facts.doai) else {
            return;
        };
        if !collection && a > add_years(f, 7) {
            let message = format!("more than 7 years after the DOFD {f}");
            let doai_field = &base::DATE_ACCOUNT_INFORMATION;
            self.base_finding(r::X013_OBSOLETE, facts, doai_field, message);
        }
        if f > a {
            let message = format!("after the date of account information {a}");
            self.base_finding(r::X023_DOFD_AFTER_DOAI, facts, dofd_field, message);
        }
    }

    /// X024: the record reports the account as of its Date of Account
    /// Information: a closure or payment after that date cannot be part of it.
    fn nothing_after_doai(&mut self, facts: &BaseFacts<'_>) {
        let Some(a) = facts.doai else {
            return;
        };
        let last_payment = super::parse_date_field(facts.raw(&base::DATE_LAST_PAYMENT));
        for (f, d) in [
            (base::DATE_CLOSED, facts.closed),
            (base::DATE_LAST_PAYMENT, last_payment),
        ] {
            if let Some(d) = d.filter(|d| *d > a) {
                let message = format!("{d} is after the date of account information {a}");
                self.base_finding(r::X024_AFTER_DOAI, facts, &f, message);
            }
        }
    }

    /// X014: a paid or charged-off account has no scheduled payment.
    fn scheduled_payment_for_status(&mut self, facts: &BaseFacts<'_>) {
        let payment = &base::SCHEDULED_MONTHLY_PAYMENT;
        if facts.status_in(codes::NO_SCHEDULED_PAYMENT_STATUSES) && facts.num(payment) > 0 {
            let message = format!("status {} with a scheduled payment", facts.status_text());
            self.base_finding(r::X014_SCHEDULED_PAYMENT, facts, payment, message);
        }
    }

    /// X015: a collection account type has no credit limit and (outside the
    /// collection profile, which has C006) an original amount.
    fn collection_type_amounts(&mut self, facts: &BaseFacts<'_>, collection: bool) {
        let acct_type = facts.raw(&base::ACCOUNT_TYPE);
        if !codes::has(codes::COLLECTION_ACCOUNT_TYPES, acct_type) {
            return;
        }
        let acct_type = field_text(acct_type);
        if facts.num(&base::CREDIT_LIMIT) > 0 {
            let message = format!("account type {acct_type} has no credit limit");
            self.base_finding(
                r::X015_FIXED_TYPE_AMOUNTS,
                facts,
                &base::CREDIT_LIMIT,
                message,
            );
        }
        if facts.num(&base::HIGHEST_CREDIT) == 0 && !collection {
            let message = format!("account type {acct_type} needs the original amount");
            self.base_finding(
                r::X015_FIXED_TYPE_AMOUNTS,
                facts,
                &base::HIGHEST_CREDIT,
                message,
            );
        }
    }

    /// X016–X017: Terms Duration and Account Type against the Portfolio Type.
    fn terms_for_portfolio(&mut self, facts: &BaseFacts<'_>, collection: bool) {
        let portfolio = facts.raw(&base::PORTFOLIO_TYPE);
        let terms = facts.raw(&base::TERMS_DURATION);
        let terms_ok = match portfolio {
            b"C" => terms == b"LOC",
            b"O" => terms == b"001",
            b"R" => terms == b"REV",
            b"I" => parse_num(trim_end(terms)).is_some_and(|v| v > 0),
            _ => true,
        };
        if !(terms_ok || (collection && portfolio == b"O")) {
            let message = format!(
                "terms '{}' for portfolio {}",
                field_text(terms),
                field_text(portfolio)
            );
            self.base_finding(
                r::X016_TERMS_PORTFOLIO,
                facts,
                &base::TERMS_DURATION,
                message,
            );
        }
        let acct_type = facts.raw(&base::ACCOUNT_TYPE);
        if portfolio == b"C" && !codes::has(codes::LINE_OF_CREDIT_ACCOUNT_TYPES, acct_type) {
            let message = "portfolio C (line of credit) with this account type".into();
            self.base_finding(
                r::X017_PORTFOLIO_C_TYPE,
                facts,
                &base::ACCOUNT_TYPE,
                message,
            );
        }
    }

    /// X018–X019: a Special Comment that the rest of the record must bear out.
    fn special_comment(&mut self, rec: &RecordView<'_>, facts: &BaseFacts<'_>) {
        let comment = trim_end(facts.raw(&base::SPECIAL_COMMENT));
        if comment == b"AH" && !sold_to_named(rec) {
            let message = "AH (purchased by another company) needs a K2 'sold to' name".into();
            self.base_finding(
                r::X018_AH_WITHOUT_K2,
                facts,
                &base::SPECIAL_COMMENT,
                message,
            );
        }
        if codes::has(codes::SETTLED_COMMENTS, comment) && !facts.status_in(codes::SETTLED_STATUSES)
        {
            let message = format!(
                "comment {} with status {}",
                field_text(comment),
                facts.status_text()
            );
            self.base_finding(
                r::X019_SETTLED_STATUS,
                facts,
                &base::SPECIAL_COMMENT,
                message,
            );
        }
    }
}

/// Does the record carry a K2 segment saying to whom the account was sold?
fn sold_to_named(rec: &RecordView<'_>) -> bool {
    rec.segments.iter().any(|s| {
        let seg = rec.segment(s);
        s.kind == SegKind::K2
            && !s.placeholder
            && get(seg, &k2::PURCHASED_INDICATOR) == b"2"
            && !blank(get(seg, &k2::PURCHASED_NAME))
    })
}
