//! Record and segment layouts: ONE `const` table per record type drives
//! reading, writing, printing and validation (moov-io/metro2's field layouts, moov's
//! `specifications.go`, cross-checked against CFPB's `fields.py`).
//!
//! Positions are 1-based and inclusive of the 4-byte RDW (header, base,
//! trailer) or the 2-byte segment identifier (J1…N1). Each field also has a
//! `pub const` handle in a module named after its table, so code that sets a
//! field names it (`base::CURRENT_BALANCE`) instead of spelling a position.

/// How a field is encoded in the character (426) format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Record Descriptor Word: 4 ASCII digits, the physical record length.
    Rdw,
    /// A constant identifier (`HEADER`, `TRAILER`, `J1`…).
    Ident,
    /// Alphanumeric: left-aligned, blank-filled.
    Alpha,
    /// Numeric: right-aligned, zero-filled, digits only.
    Numeric,
    /// `MMDDYYYY`, all zeros when absent.
    Date,
    /// `MMDDYYYYHHMMSS`, all zeros when absent.
    Stamp,
    /// Reserved: written blank, not checked.
    Reserved,
}

/// Whether a field must be present (CRRG "required", "if applicable", optional).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Req {
    Required,
    Applicable,
    Optional,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// snake_case field name, used in findings, `print` and JSON.
    pub name: &'static str,
    /// 1-based first position within the record or segment.
    pub start: u16,
    pub len: u16,
    pub kind: Kind,
    pub req: Req,
}

impl Field {
    /// Byte range within the segment (0-based, end exclusive).
    pub const fn range(&self) -> std::ops::Range<usize> {
        (self.start as usize - 1)..(self.start as usize - 1 + self.len as usize)
    }
}

macro_rules! layout {
    ($(#[$m:meta])* $table:ident, $module:ident {
        $( $konst:ident = $name:literal, $start:literal, $len:literal, $kind:ident, $req:ident; )*
    }) => {
        $(#[$m])*
        #[allow(missing_docs)]
        pub mod $module {
            use super::{Field, Kind, Req};
            $( pub const $konst: Field = Field {
                name: $name, start: $start, len: $len, kind: Kind::$kind, req: Req::$req,
            }; )*
        }
        $(#[$m])*
        pub const $table: &[Field] = &[ $( $module::$konst ),* ];
    };
}

layout!(
    /// Header record (426).
    HEADER, header {
    RDW = "record_descriptor_word", 1, 4, Rdw, Required;
    RECORD_IDENTIFIER = "record_identifier", 5, 6, Ident, Required;
    CYCLE_IDENTIFIER = "cycle_identifier", 11, 2, Alpha, Applicable;
    INNOVIS_ID = "innovis_program_identifier", 13, 10, Alpha, Applicable;
    EQUIFAX_ID = "equifax_program_identifier", 23, 10, Alpha, Applicable;
    EXPERIAN_ID = "experian_program_identifier", 33, 5, Alpha, Applicable;
    TRANSUNION_ID = "transunion_program_identifier", 38, 10, Alpha, Applicable;
    ACTIVITY_DATE = "activity_date", 48, 8, Date, Required;
    DATE_CREATED = "date_created", 56, 8, Date, Required;
    PROGRAM_DATE = "program_date", 64, 8, Date, Optional;
    PROGRAM_REVISION_DATE = "program_revision_date", 72, 8, Date, Optional;
    REPORTER_NAME = "reporter_name", 80, 40, Alpha, Required;
    REPORTER_ADDRESS = "reporter_address", 120, 96, Alpha, Required;
    REPORTER_PHONE = "reporter_telephone_number", 216, 10, Numeric, Optional;
    SOFTWARE_VENDOR = "software_vendor_name", 226, 40, Alpha, Applicable;
    SOFTWARE_VERSION = "software_version_number", 266, 5, Alpha, Applicable;
    PRBC_ID = "prbc_program_identifier", 271, 10, Alpha, Applicable;
    RESERVED = "reserved", 281, 146, Reserved, Optional;
});

layout!(
    /// Base segment (426).
    BASE, base {
    RDW = "record_descriptor_word", 1, 4, Rdw, Required;
    PROCESSING_INDICATOR = "processing_indicator", 5, 1, Numeric, Optional;
    TIME_STAMP = "time_stamp", 6, 14, Stamp, Optional;
    CORRECTION_INDICATOR = "correction_indicator", 20, 1, Alpha, Optional;
    IDENTIFICATION_NUMBER = "identification_number", 21, 20, Alpha, Required;
    CYCLE_IDENTIFIER = "cycle_identifier", 41, 2, Alpha, Applicable;
    CONSUMER_ACCOUNT_NUMBER = "consumer_account_number", 43, 30, Alpha, Required;
    PORTFOLIO_TYPE = "portfolio_type", 73, 1, Alpha, Required;
    ACCOUNT_TYPE = "account_type", 74, 2, Alpha, Required;
    DATE_OPENED = "date_opened", 76, 8, Date, Required;
    CREDIT_LIMIT = "credit_limit", 84, 9, Numeric, Applicable;
    HIGHEST_CREDIT = "highest_credit", 93, 9, Numeric, Optional;
    TERMS_DURATION = "terms_duration", 102, 3, Alpha, Required;
    TERMS_FREQUENCY = "terms_frequency", 105, 1, Alpha, Applicable;
    SCHEDULED_MONTHLY_PAYMENT = "scheduled_monthly_payment_amount", 106, 9, Numeric, Applicable;
    ACTUAL_PAYMENT = "actual_payment_amount", 115, 9, Numeric, Applicable;
    ACCOUNT_STATUS = "account_status", 124, 2, Alpha, Required;
    PAYMENT_RATING = "payment_rating", 126, 1, Alpha, Applicable;
    PAYMENT_HISTORY_PROFILE = "payment_history_profile", 127, 24, Alpha, Required;
    SPECIAL_COMMENT = "special_comment", 151, 2, Alpha, Applicable;
    COMPLIANCE_CONDITION = "compliance_condition_code", 153, 2, Alpha, Applicable;
    CURRENT_BALANCE = "current_balance", 155, 9, Numeric, Applicable;
    AMOUNT_PAST_DUE = "amount_past_due", 164, 9, Numeric, Applicable;
    ORIGINAL_CHARGE_OFF = "original_charge_off_amount", 173, 9, Numeric, Applicable;
    DATE_ACCOUNT_INFORMATION = "date_of_account_information", 182, 8, Date, Required;
    DATE_FIRST_DELINQUENCY = "date_of_first_delinquency", 190, 8, Date, Applicable;
    DATE_CLOSED = "date_closed", 198, 8, Date, Applicable;
    DATE_LAST_PAYMENT = "date_of_last_payment", 206, 8, Date, Applicable;
    INTEREST_TYPE = "interest_type_indicator", 214, 1, Alpha, Optional;
    RESERVED2 = "reserved", 215, 17, Reserved, Optional;
    SURNAME = "surname", 232, 25, Alpha, Required;
    FIRST_NAME = "first_name", 257, 20, Alpha, Required;
    MIDDLE_NAME = "middle_name", 277, 20, Alpha, Applicable;
    GENERATION_CODE = "generation_code", 297, 1, Alpha, Applicable;
    SSN = "social_security_number", 298, 9, Numeric, Optional;
    DATE_OF_BIRTH = "date_of_birth", 307, 8, Date, Optional;
    TELEPHONE = "telephone_number", 315, 10, Numeric, Optional;
    ECOA_CODE = "ecoa_code", 325, 1, Alpha, Required;
    CONSUMER_INFORMATION_INDICATOR = "consumer_information_indicator", 326, 2, Alpha, Applicable;
    COUNTRY_CODE = "country_code", 328, 2, Alpha, Optional;
    ADDRESS1 = "first_line_of_address", 330, 32, Alpha, Required;
    ADDRESS2 = "second_line_of_address", 362, 32, Alpha, Applicable;
    CITY = "city", 394, 20, Alpha, Required;
    STATE = "state", 414, 2, Alpha, Required;
    ZIP = "postal_zip_code", 416, 9, Alpha, Required;
    ADDRESS_INDICATOR = "address_indicator", 425, 1, Alpha, Optional;
    RESIDENCE_CODE = "residence_code", 426, 1, Alpha, Optional;
});

layout!(
    /// J1 segment: associated consumer at the same address (100).
    J1, j1 {
    SEGMENT_IDENTIFIER = "segment_identifier", 1, 2, Ident, Required;
    RESERVED1 = "reserved", 3, 1, Reserved, Optional;
    SURNAME = "surname", 4, 25, Alpha, Required;
    FIRST_NAME = "first_name", 29, 20, Alpha, Required;
    MIDDLE_NAME = "middle_name", 49, 20, Alpha, Applicable;
    GENERATION_CODE = "generation_code", 69, 1, Alpha, Applicable;
    SSN = "social_security_number", 70, 9, Numeric, Optional;
    DATE_OF_BIRTH = "date_of_birth", 79, 8, Date, Optional;
    TELEPHONE = "telephone_number", 87, 10, Numeric, Optional;
    ECOA_CODE = "ecoa_code", 97, 1, Alpha, Required;
    CONSUMER_INFORMATION_INDICATOR = "consumer_information_indicator", 98, 2, Alpha, Applicable;
    RESERVED2 = "reserved", 100, 1, Reserved, Optional;
});

layout!(
    /// J2 segment: associated consumer at a different address (200).
    J2, j2 {
    SEGMENT_IDENTIFIER = "segment_identifier", 1, 2, Ident, Required;
    RESERVED1 = "reserved", 3, 1, Reserved, Optional;
    SURNAME = "surname", 4, 25, Alpha, Required;
    FIRST_NAME = "first_name", 29, 20, Alpha, Optional;
    MIDDLE_NAME = "middle_name", 49, 20, Alpha, Applicable;
    GENERATION_CODE = "generation_code", 69, 1, Alpha, Applicable;
    SSN = "social_security_number", 70, 9, Numeric, Optional;
    DATE_OF_BIRTH = "date_of_birth", 79, 8, Date, Optional;
    TELEPHONE = "telephone_number", 87, 10, Numeric, Optional;
    ECOA_CODE = "ecoa_code", 97, 1, Alpha, Required;
    CONSUMER_INFORMATION_INDICATOR = "consumer_information_indicator", 98, 2, Alpha, Applicable;
    COUNTRY_CODE = "country_code", 100, 2, Alpha, Optional;
    ADDRESS1 = "first_line_of_address", 102, 32, Alpha, Required;
    ADDRESS2 = "second_line_of_address", 134, 32, Alpha, Applicable;
    CITY = "city", 166, 20, Alpha, Required;
    STATE = "state", 186, 2, Alpha, Required;
    ZIP = "postal_zip_code", 188, 9, Alpha, Required;
    ADDRESS_INDICATOR = "address_indicator", 197, 1, Alpha, Optional;
    RESIDENCE_CODE = "residence_code", 198, 1, Alpha, Optional;
    RESERVED2 = "reserved", 199, 2, Reserved, Optional;
});

layout!(
    /// K1 segment: original creditor (34).
    K1, k1 {
    SEGMENT_IDENTIFIER = "segment_identifier", 1, 2, Ident, Required;
    ORIGINAL_CREDITOR_NAME = "original_creditor_name", 3, 30, Alpha, Required;
    CREDITOR_CLASSIFICATION = "creditor_classification", 33, 2, Numeric, Required;
});

layout!(
    /// K2 segment: purchased from / sold to (34).
    K2, k2 {
    SEGMENT_IDENTIFIER = "segment_identifier", 1, 2, Ident, Required;
    PURCHASED_INDICATOR = "purchased_sold_indicator", 3, 1, Numeric, Required;
    PURCHASED_NAME = "purchased_from_sold_to_name", 4, 30, Alpha, Applicable;
    RESERVED = "reserved", 34, 1, Reserved, Optional;
});

layout!(
    /// K3 segment: mortgage information (40).
    K3, k3 {
    SEGMENT_IDENTIFIER = "segment_identifier", 1, 2, Ident, Required;
    AGENCY_IDENTIFIER = "agency_identifier", 3, 2, Numeric, Applicable;
    ACCOUNT_NUMBER = "account_number", 5, 18, Alpha, Applicable;
    MORTGAGE_ID = "mortgage_identification_number", 23, 18, Alpha, Optional;
});

layout!(
    /// K4 segment: specialized payment information (30).
    K4, k4 {
    SEGMENT_IDENTIFIER = "segment_identifier", 1, 2, Ident, Required;
    SPECIALIZED_PAYMENT_INDICATOR = "specialized_payment_indicator", 3, 2, Numeric, Required;
    DEFERRED_PAYMENT_START = "deferred_payment_start_date", 5, 8, Date, Applicable;
    BALLOON_PAYMENT_DUE = "balloon_payment_due_date", 13, 8, Date, Applicable;
    BALLOON_PAYMENT_AMOUNT = "balloon_payment_amount", 21, 9, Numeric, Applicable;
    RESERVED = "reserved", 30, 1, Reserved, Optional;
});

layout!(
    /// L1 segment: account number / identification number change (54).
    L1, l1 {
    SEGMENT_IDENTIFIER = "segment_identifier", 1, 2, Ident, Required;
    CHANGE_INDICATOR = "change_indicator", 3, 1, Numeric, Required;
    NEW_ACCOUNT_NUMBER = "new_consumer_account_number", 4, 30, Alpha, Applicable;
    NEW_IDENTIFICATION_NUMBER = "new_identification_number", 34, 20, Alpha, Applicable;
    RESERVED = "reserved", 54, 1, Reserved, Optional;
});

layout!(
    /// N1 segment: employment (146).
    N1, n1 {
    SEGMENT_IDENTIFIER = "segment_identifier", 1, 2, Ident, Required;
    EMPLOYER_NAME = "employer_name", 3, 30, Alpha, Required;
    ADDRESS1 = "first_line_of_employer_address", 33, 32, Alpha, Optional;
    ADDRESS2 = "second_line_of_employer_address", 65, 32, Alpha, Optional;
    CITY = "employer_city", 97, 20, Alpha, Optional;
    STATE = "employer_state", 117, 2, Alpha, Optional;
    ZIP = "employer_postal_zip_code", 119, 9, Alpha, Optional;
    OCCUPATION = "occupation", 128, 18, Alpha, Applicable;
    RESERVED = "reserved", 146, 1, Reserved, Optional;
});

layout!(
    /// Trailer record (426).
    TRAILER, trailer {
    RDW = "record_descriptor_word", 1, 4, Rdw, Required;
    RECORD_IDENTIFIER = "record_identifier", 5, 7, Ident, Required;
    TOTAL_BASE = "total_base_records", 12, 9, Numeric, Required;
    RESERVED1 = "reserved", 21, 9, Reserved, Optional;
    STATUS_DF = "total_status_code_df", 30, 9, Numeric, Optional;
    J1_COUNT = "total_consumer_segments_j1", 39, 9, Numeric, Applicable;
    J2_COUNT = "total_consumer_segments_j2", 48, 9, Numeric, Applicable;
    BLOCK_COUNT = "block_count", 57, 9, Numeric, Applicable;
    STATUS_DA = "total_status_code_da", 66, 9, Numeric, Optional;
    STATUS_05 = "total_status_code_05", 75, 9, Numeric, Optional;
    STATUS_11 = "total_status_code_11", 84, 9, Numeric, Optional;
    STATUS_13 = "total_status_code_13", 93, 9, Numeric, Optional;
    STATUS_61 = "total_status_code_61", 102, 9, Numeric, Optional;
    STATUS_62 = "total_status_code_62", 111, 9, Numeric, Optional;
    STATUS_63 = "total_status_code_63", 120, 9, Numeric, Optional;
    STATUS_64 = "total_status_code_64", 129, 9, Numeric, Optional;
    STATUS_65 = "total_status_code_65", 138, 9, Numeric, Optional;
    STATUS_71 = "total_status_code_71", 147, 9, Numeric, Optional;
    STATUS_78 = "total_status_code_78", 156, 9, Numeric, Optional;
    STATUS_80 = "total_status_code_80", 165, 9, Numeric, Optional;
    STATUS_82 = "total_status_code_82", 174, 9, Numeric, Optional;
    STATUS_83 = "total_status_code_83", 183, 9, Numeric, Optional;
    STATUS_84 = "total_status_code_84", 192, 9, Numeric, Optional;
    STATUS_88 = "total_status_code_88", 201, 9, Numeric, Optional;
    STATUS_89 = "total_status_code_89", 210, 9, Numeric, Optional;
    STATUS_93 = "total_status_code_93", 219, 9, Numeric, Optional;
    STATUS_94 = "total_status_code_94", 228, 9, Numeric, Optional;
    STATUS_95 = "total_status_code_95", 237, 9, Numeric, Optional;
    STATUS_96 = "total_status_code_96", 246, 9, Numeric, Optional;
    STATUS_97 = "total_status_code_97", 255, 9, Numeric, Optional;
    ECOA_Z = "total_ecoa_code_z", 264, 9, Numeric, Optional;
    EMPLOYMENT_SEGMENTS = "total_employment_segments", 273, 9, Numeric, Optional;
    ORIGINAL_CREDITOR_SEGMENTS = "total_original_creditor_segments", 282, 9, Numeric, Optional;
    PURCHASED_SOLD_SEGMENTS = "total_purchased_from_sold_to_segments", 291, 9, Numeric, Optional;
    MORTGAGE_SEGMENTS = "total_mortgage_information_segments", 300, 9, Numeric, Optional;
    PAYMENT_INFORMATION_SEGMENTS = "total_specialized_payment_information_segments", 309, 9, Numeric, Optional;
    CHANGE_SEGMENTS = "total_change_segments", 318, 9, Numeric, Optional;
    SSN_ALL = "total_ssns_all_segments", 327, 9, Numeric, Optional;
    SSN_BASE = "total_ssns_base_segments", 336, 9, Numeric, Optional;
    SSN_J1 = "total_ssns_j1_segments", 345, 9, Numeric, Optional;
    SSN_J2 = "total_ssns_j2_segments", 354, 9, Numeric, Optional;
    DOB_ALL = "total_dates_of_birth_all_segments", 363, 9, Numeric, Optional;
    DOB_BASE = "total_dates_of_birth_base_segments", 372, 9, Numeric, Optional;
    DOB_J1 = "total_dates_of_birth_j1_segments", 381, 9, Numeric, Optional;
    DOB_J2 = "total_dates_of_birth_j2_segments", 390, 9, Numeric, Optional;
    PHONES_ALL = "total_telephone_numbers_all_segments", 399, 9, Numeric, Optional;
    RESERVED2 = "reserved", 408, 19, Reserved, Optional;
});

/// Every record and segment type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SegKind {
    Header,
    Base,
    J1,
    J2,
    K1,
    K2,
    K3,
    K4,
    L1,
    N1,
    Trailer,
}

impl SegKind {
    pub const ALL: [SegKind; 11] = [
        SegKind::Header,
        SegKind::Base,
        SegKind::J1,
        SegKind::J2,
        SegKind::K1,
        SegKind::K2,
        SegKind::K3,
        SegKind::K4,
        SegKind::L1,
        SegKind::N1,
        SegKind::Trailer,
    ];

    /// The appended segments, in the CRRG's order.
    pub const APPENDED: [SegKind; 8] = [
        SegKind::J1,
        SegKind::J2,
        SegKind::K1,
        SegKind::K2,
        SegKind::K3,
        SegKind::K4,
        SegKind::L1,
        SegKind::N1,
    ];

    pub const fn table(self) -> &'static [Field] {
        match self {
            SegKind::Header => HEADER,
            SegKind::Base => BASE,
            SegKind::J1 => J1,
            SegKind::J2 => J2,
            SegKind::K1 => K1,
            SegKind::K2 => K2,
            SegKind::K3 => K3,
            SegKind::K4 => K4,
            SegKind::L1 => L1,
            SegKind::N1 => N1,
            SegKind::Trailer => TRAILER,
        }
    }

    /// Length in the character format.
    #[allow(clippy::len_without_is_empty)] // a record type is never empty
    pub const fn len(self) -> usize {
        match self {
            SegKind::Header | SegKind::Base | SegKind::Trailer => 426,
            SegKind::J1 => 100,
            SegKind::J2 => 200,
            SegKind::K1 | SegKind::K2 => 34,
            SegKind::K3 => 40,
            SegKind::K4 => 30,
            SegKind::L1 => 54,
            SegKind::N1 => 146,
        }
    }

    /// The name used in findings, counts and `print` (docs/metro2.md JSON keys).
    pub const fn name(self) -> &'static str {
        match self {
            SegKind::Header => "header",
            SegKind::Base => "base",
            SegKind::J1 => "J1",
            SegKind::J2 => "J2",
            SegKind::K1 => "K1",
            SegKind::K2 => "K2",
            SegKind::K3 => "K3",
            SegKind::K4 => "K4",
            SegKind::L1 => "L1",
            SegKind::N1 => "N1",
            SegKind::Trailer => "trailer",
        }
    }

    /// The literal written in the identifier field, if the type has one.
    pub const fn ident(self) -> Option<&'static [u8]> {
        match self {
            SegKind::Header => Some(b"HEADER"),
            SegKind::Trailer => Some(b"TRAILER"),
            SegKind::Base => None,
            SegKind::J1 => Some(b"J1"),
            SegKind::J2 => Some(b"J2"),
            SegKind::K1 => Some(b"K1"),
            SegKind::K2 => Some(b"K2"),
            SegKind::K3 => Some(b"K3"),
            SegKind::K4 => Some(b"K4"),
            SegKind::L1 => Some(b"L1"),
            SegKind::N1 => Some(b"N1"),
        }
    }

    /// An appended segment from its 2-byte identifier.
    pub fn from_segment_id(id: &[u8]) -> Option<SegKind> {
        match id {
            b"J1" => Some(SegKind::J1),
            b"J2" => Some(SegKind::J2),
            b"K1" => Some(SegKind::K1),
            b"K2" => Some(SegKind::K2),
            b"K3" => Some(SegKind::K3),
            b"K4" => Some(SegKind::K4),
            b"L1" => Some(SegKind::L1),
            b"N1" => Some(SegKind::N1),
            _ => None,
        }
    }

    pub fn field(self, name: &str) -> Option<&'static Field> {
        self.table().iter().find(|f| f.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_gap_free_and_sums_to_its_length() {
        for kind in SegKind::ALL {
            let table = kind.table();
            let mut next = 1u16;
            for f in table {
                assert_eq!(f.start, next, "{} {}: gap or overlap", kind.name(), f.name);
                assert!(f.len > 0);
                next += f.len;
            }
            assert_eq!(usize::from(next - 1), kind.len(), "{} length", kind.name());
            let sum: usize = table.iter().map(|f| usize::from(f.len)).sum();
            assert_eq!(sum, kind.len());
        }
    }

    #[test]
    fn identifiers_sit_in_ident_fields_of_their_length() {
        for kind in SegKind::ALL {
            if let Some(id) = kind.ident() {
                let f = kind.table().iter().find(|f| f.kind == Kind::Ident).unwrap();
                assert_eq!(usize::from(f.len), id.len(), "{}", kind.name());
            }
        }
        assert_eq!(SegKind::from_segment_id(b"K4"), Some(SegKind::K4));
        assert_eq!(SegKind::from_segment_id(b"ZZ"), None);
    }

    #[test]
    fn field_names_are_unique_within_a_table_except_reserved() {
        for kind in SegKind::ALL {
            let t = kind.table();
            for (i, a) in t.iter().enumerate() {
                for b in &t[i + 1..] {
                    assert!(
                        a.name != b.name || a.kind == Kind::Reserved,
                        "{} {}",
                        kind.name(),
                        a.name
                    );
                }
            }
        }
    }
}
