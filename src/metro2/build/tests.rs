//! Builder tests: the collection-agency mapping of docs/metro2.md.

use super::*;
use crate::metro2::layout::{header, j2, k1};
use crate::metro2::rules::{Profile, Severity};
use crate::metro2::validate::check_record;
use crate::metro2::write::{LineEnding, Writer};
use rust_decimal_macros::dec;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn opts() -> BuildOptions {
    BuildOptions {
        as_of: d(2024, 6, 30),
        now: d(2024, 7, 1).and_hms_opt(9, 30, 5).unwrap(),
        identification_number: "SUMMIT01".into(),
        medical_rules: true,
    }
}

fn account() -> AccountInput {
    AccountInput {
        file_number: 1042,
        name: "Côté, Marie Ève".into(),
        generation: "Jr.".into(),
        address1: "12 Elm St Apt #4".into(),
        city: "Sacramento".into(),
        state: "ca".into(),
        zip: "95814-1234".into(),
        ssn: "123-45-6789".into(),
        dob: Some(d(1980, 3, 1)),
        phone: "+1 (916) 555-0100".into(),
        listed: Some(d(2024, 1, 15)),
        delinquency: Some(d(2023, 9, 1)),
        charged: Some(d(2023, 11, 1)),
        last_payment: Some(d(2024, 6, 10)),
        original_principal: dec!(1500.75),
        owing: dec!(1200.99),
        paid_in_month: dec!(50.50),
        client: ClientInput {
            name: "Acme Bank N.A.".into(),
            classification: "12".into(),
            send_client_detail: true,
            reports_to_bureaus: true,
            ..ClientInput::default()
        },
        ..AccountInput::default()
    }
}

fn build(a: &AccountInput) -> Built {
    build_records(a, &opts()).unwrap()
}

fn errors(b: &Built) -> Vec<String> {
    check_record(&b.segments, Profile::Collection, 2, Some(d(2024, 7, 1)))
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{} {} {}", f.rule, f.field, f.message))
        .collect()
}

#[test]
fn open_collection_maps_every_field() {
    let b = build(&account());
    assert_eq!(b.status, Status::Open93);
    let s = &b.segments[0];
    let t = |f: &Field| s.text(f);
    assert_eq!(t(&base::PROCESSING_INDICATOR), "1");
    assert_eq!(t(&base::TIME_STAMP), "07012024093005");
    assert_eq!(t(&base::CORRECTION_INDICATOR), "0");
    assert_eq!(t(&base::IDENTIFICATION_NUMBER), "SUMMIT01");
    assert_eq!(t(&base::CONSUMER_ACCOUNT_NUMBER), "1042");
    assert_eq!(t(&base::PORTFOLIO_TYPE), "O");
    assert_eq!(t(&base::ACCOUNT_TYPE), "48");
    assert_eq!(t(&base::DATE_OPENED), "01152024");
    assert_eq!(t(&base::CREDIT_LIMIT), "000000000");
    assert_eq!(s.num(&base::HIGHEST_CREDIT), Some(1500));
    assert_eq!(t(&base::TERMS_DURATION), "001");
    assert_eq!(t(&base::TERMS_FREQUENCY), "");
    assert_eq!(s.num(&base::SCHEDULED_MONTHLY_PAYMENT), Some(0));
    assert_eq!(s.num(&base::ACTUAL_PAYMENT), Some(50));
    assert_eq!(t(&base::ACCOUNT_STATUS), "93");
    assert_eq!(t(&base::PAYMENT_RATING), "");
    assert_eq!(t(&base::PAYMENT_HISTORY_PROFILE), "B".repeat(24));
    // Cents dropped, never overstating the debt.
    assert_eq!(s.num(&base::CURRENT_BALANCE), Some(1200));
    assert_eq!(s.num(&base::AMOUNT_PAST_DUE), Some(1200));
    assert_eq!(s.num(&base::ORIGINAL_CHARGE_OFF), Some(0));
    assert_eq!(
        s.date(&base::DATE_ACCOUNT_INFORMATION),
        Some(d(2024, 6, 30))
    );
    assert_eq!(s.date(&base::DATE_FIRST_DELINQUENCY), Some(d(2023, 9, 1)));
    assert_eq!(s.date(&base::DATE_CLOSED), None);
    assert_eq!(s.date(&base::DATE_LAST_PAYMENT), Some(d(2024, 6, 10)));
    assert_eq!(t(&base::SURNAME), "COTE");
    assert_eq!(t(&base::FIRST_NAME), "MARIE");
    assert_eq!(t(&base::MIDDLE_NAME), "EVE");
    assert_eq!(t(&base::GENERATION_CODE), "J");
    assert_eq!(t(&base::SSN), "123456789");
    assert_eq!(t(&base::TELEPHONE), "9165550100");
    assert_eq!(t(&base::ECOA_CODE), "1");
    assert_eq!(t(&base::COUNTRY_CODE), "US");
    assert_eq!(t(&base::ADDRESS1), "12 ELM ST APT 4");
    assert_eq!(t(&base::CITY), "SACRAMENTO");
    assert_eq!(t(&base::STATE), "CA");
    assert_eq!(t(&base::ZIP), "958141234");
    assert_eq!(t(&base::SPECIAL_COMMENT), "");
    assert_eq!(t(&base::COMPLIANCE_CONDITION), "");
    // K1 = the client, classification cl.ty.
    assert_eq!(b.segments.len(), 2);
    assert_eq!(
        b.segments[1].text(&k1::ORIGINAL_CREDITOR_NAME),
        "ACME BANK N.A."
    );
    assert_eq!(b.segments[1].text(&k1::CREDITOR_CLASSIFICATION), "12");
    assert!(b.warnings.is_empty(), "{:?}", b.warnings);
    assert_eq!(errors(&b), Vec::<String>::new());
}

#[test]
fn dofd_falls_back_to_the_charged_date() {
    let mut a = account();
    a.delinquency = None;
    assert_eq!(
        build(&a).segments[0].date(&base::DATE_FIRST_DELINQUENCY),
        Some(d(2023, 11, 1))
    );
}

#[test]
fn paid_account_reports_62_with_the_date_paid() {
    let mut a = account();
    a.owing = dec!(0);
    a.history.reported_before = true;
    let b = build(&a);
    let s = &b.segments[0];
    assert_eq!(s.text(&base::ACCOUNT_STATUS), "62");
    assert_eq!(s.num(&base::CURRENT_BALANCE), Some(0));
    assert_eq!(s.num(&base::AMOUNT_PAST_DUE), Some(0));
    assert_eq!(
        s.date(&base::DATE_ACCOUNT_INFORMATION),
        Some(d(2024, 6, 10))
    );
    assert_eq!(s.date(&base::DATE_CLOSED), Some(d(2024, 6, 10)));
    assert_eq!(errors(&b), Vec::<String>::new());
    // A credit balance is reported as paid with balance 0, never negative.
    a.owing = dec!(-25.00);
    assert_eq!(build(&a).segments[0].num(&base::CURRENT_BALANCE), Some(0));
}

#[test]
fn closed_unpaid_reports_da_only_if_reported_before() {
    let mut a = account();
    a.mode = "C".into();
    a.closed = Some(d(2024, 6, 20));
    assert_eq!(
        build_records(&a, &opts()).unwrap_err(),
        Exclusion::NeverReported
    );
    a.history.reported_before = true;
    let b = build(&a);
    assert_eq!(b.status, Status::DeleteDA);
    assert_eq!(b.segments[0].text(&base::ACCOUNT_STATUS), "DA");
    assert_eq!(b.segments[0].date(&base::DATE_CLOSED), Some(d(2024, 6, 20)));
    assert_eq!(errors(&b), Vec::<String>::new());
}

#[test]
fn status_override_wins_and_must_be_a_collection_status() {
    let mut a = account();
    a.status_override = "df".into();
    a.history.reported_before = true;
    assert_eq!(build(&a).segments[0].text(&base::ACCOUNT_STATUS), "DF");
    a.status_override = "11".into();
    assert!(matches!(
        build_records(&a, &opts()),
        Err(Exclusion::Invalid(_))
    ));
}

#[test]
fn purchased_debt_is_0c_with_the_creditor_from_user_fields() {
    let mut a = account();
    a.client.original_creditor_in_user = 2;
    a.client.debtor_user2 = "First Card Services".into();
    let b = build(&a);
    assert_eq!(b.segments[0].text(&base::ACCOUNT_TYPE), "0C");
    assert_eq!(
        b.segments[1].text(&k1::ORIGINAL_CREDITOR_NAME),
        "FIRST CARD SERVICES"
    );
    a.client.send_client_detail = false;
    assert_eq!(build(&a).segments.len(), 1);
}

#[test]
fn business_names_go_to_surname_with_ecoa_w() {
    let mut a = account();
    a.name = "Widgets & Co. LLC".into();
    let s = &build(&a).segments[0];
    assert_eq!(s.text(&base::SURNAME), "WIDGETS CO LLC");
    assert_eq!(s.text(&base::FIRST_NAME), "");
    assert_eq!(s.text(&base::ECOA_CODE), "W");
    a.ecoa = "2".into();
    assert_eq!(build(&a).segments[0].text(&base::ECOA_CODE), "2");
}

#[test]
fn generation_codes_map() {
    for (g, want) in [
        ("Sr", "S"),
        ("II", "2"),
        ("iii", "3"),
        ("IX", "9"),
        ("", ""),
    ] {
        let mut a = account();
        a.generation = g.into();
        assert_eq!(
            build(&a).segments[0].text(&base::GENERATION_CODE),
            want,
            "{g}"
        );
    }
    let mut a = account();
    a.generation = "Esquire".into();
    let b = build(&a);
    assert_eq!(b.segments[0].text(&base::GENERATION_CODE), "");
    assert!(b.warnings.iter().any(|w| w.contains("generation")));
}

#[test]
fn long_city_and_names_are_truncated_with_a_warning() {
    let mut a = account();
    a.city = "Rancho Santa Margarita Heights".into();
    a.name = "Wolfeschlegelsteinhausenbergerdorff, Hubert".into();
    let b = build(&a);
    assert_eq!(b.segments[0].text(&base::CITY), "RANCHO SANTA MARGARI");
    assert_eq!(b.segments[0].text(&base::SURNAME).len(), 25);
    assert!(b.warnings.iter().any(|w| w.starts_with("city")));
    assert!(b.warnings.iter().any(|w| w.starts_with("surname")));
}

#[test]
fn missing_zip_is_reported_with_a_warning() {
    let mut a = account();
    a.zip = String::new();
    let b = build(&a);
    assert!(b.warnings.iter().any(|w| w.contains("ZIP")));
    let f = check_record(&b.segments, Profile::Collection, 2, None);
    assert!(f
        .iter()
        .any(|f| f.rule == "F010" && f.severity == Severity::Warning));
}

#[test]
fn amounts_that_do_not_fit_or_are_negative_are_refused() {
    let mut a = account();
    a.original_principal = dec!(-1);
    assert!(
        matches!(build_records(&a, &opts()), Err(Exclusion::Invalid(m)) if m.contains("negative"))
    );
    let mut a = account();
    a.owing = dec!(1000000000.00);
    assert!(
        matches!(build_records(&a, &opts()), Err(Exclusion::Invalid(m)) if m.contains("current_balance"))
    );
    let mut a = account();
    a.state = "California".into();
    assert!(matches!(
        build_records(&a, &opts()),
        Err(Exclusion::Invalid(_))
    ));
}

#[test]
fn exclusion_reasons() {
    let mut a = account();
    a.ssn = String::new();
    a.dob = None;
    assert_eq!(
        build_records(&a, &opts()).unwrap_err(),
        Exclusion::NoSsnOrDob
    );
    a.dob = Some(d(1970, 1, 1));
    assert!(build_records(&a, &opts()).is_ok());
    let mut a = account();
    a.start_reporting = Some(d(2024, 7, 1));
    assert_eq!(
        build_records(&a, &opts()).unwrap_err(),
        Exclusion::NotStarted(d(2024, 7, 1))
    );
    a.start_reporting = Some(d(2024, 6, 30));
    assert!(build_records(&a, &opts()).is_ok());
    let mut a = account();
    a.client.reports_to_bureaus = false;
    assert_eq!(
        build_records(&a, &opts()).unwrap_err().key(),
        "client_not_reporting"
    );
}

#[test]
fn medical_rules() {
    let mut a = account();
    a.client.classification = "02".into();
    a.delinquency = Some(d(2023, 1, 1));
    a.original_principal = dec!(499.99);
    assert!(matches!(
        build_records(&a, &opts()),
        Err(Exclusion::Medical(_))
    ));
    a.original_principal = dec!(500.00);
    assert!(build_records(&a, &opts()).is_ok());
    // DOFD under a year before the as-of date.
    a.delinquency = Some(d(2023, 7, 2));
    assert!(matches!(
        build_records(&a, &opts()),
        Err(Exclusion::Medical(_))
    ));
    a.delinquency = Some(d(2023, 7, 1));
    assert!(build_records(&a, &opts()).is_ok());
    // Paid: DA if reported before, else not at all.
    a.owing = dec!(0);
    assert!(matches!(
        build_records(&a, &opts()),
        Err(Exclusion::Medical(_))
    ));
    a.history.reported_before = true;
    assert_eq!(build(&a).status, Status::DeleteDA);
    // Switched off in setup: a small medical debt is reported like any other.
    let mut o = opts();
    o.medical_rules = false;
    a.original_principal = dec!(100);
    assert_eq!(build_records(&a, &o).unwrap().status, Status::Paid62);
}

#[test]
fn payment_history_profile_marks_months_reported_at_93_or_62() {
    let mut a = account();
    a.history.reported_before = true;
    a.history.months_at_93_or_62 = vec![d(2024, 5, 31), d(2024, 4, 30), d(2024, 2, 29)];
    let php = build(&a).segments[0].text(&base::PAYMENT_HISTORY_PROFILE);
    assert_eq!(php, format!("GGBG{}", "B".repeat(20)));
}

#[test]
fn cosigners_go_to_j1_or_j2() {
    let mut a = account();
    a.cosigners = vec![
        CosignerInput {
            name: "Doe, John".into(),
            ssn: "987654321".into(),
            same_address: true,
            report: true,
            ..CosignerInput::default()
        },
        CosignerInput {
            name: "Roe, Jane Q".into(),
            dob: Some(d(1975, 5, 5)),
            address1: "9 Oak Ave #2".into(),
            city: "Davis".into(),
            state: "CA".into(),
            zip: "95616".into(),
            ecoa: "5".into(),
            report: true,
            ..CosignerInput::default()
        },
        CosignerInput {
            name: "Lawyer, Larry".into(),
            ssn: "111223333".into(),
            class: "Attorney".into(),
            report: true,
            ..CosignerInput::default()
        },
        CosignerInput {
            name: "Quiet, Quinn".into(),
            ssn: "111223334".into(),
            report: false,
            ..CosignerInput::default()
        },
    ];
    let b = build(&a);
    let kinds: Vec<SegKind> = b.segments.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [SegKind::Base, SegKind::J1, SegKind::J2, SegKind::K1]
    );
    assert_eq!(b.segments[1].text(&j1::SURNAME), "DOE");
    assert_eq!(b.segments[1].text(&j1::ECOA_CODE), "2");
    assert_eq!(b.segments[2].text(&j2::ECOA_CODE), "5");
    assert_eq!(b.segments[2].text(&j2::ADDRESS1), "9 OAK AVE 2");
    assert_eq!(b.segments[2].text(&j2::COUNTRY_CODE), "US");
    assert!(b.warnings.iter().any(|w| w.contains("Attorney")));
    assert_eq!(errors(&b), Vec::<String>::new());
}

#[test]
fn header_from_company_details() {
    let h = HeaderInput {
        reporter_name: "Summit Recovery Services".into(),
        address: "100 Main St".into(),
        address2: "Suite #300".into(),
        city: "Sacramento".into(),
        state: "CA".into(),
        zip: "95814".into(),
        phone: "916-555-0199".into(),
        equifax_id: "EQ12345678".into(),
        experian_id: "EX123".into(),
        transunion_id: "TU12345678".into(),
        innovis_id: String::new(),
        bureau: None,
        activity_date: d(2024, 6, 30),
        date_created: d(2024, 7, 1),
    };
    let (s, w) = build_header(&h).unwrap();
    assert!(w.is_empty());
    assert_eq!(&s.bytes[..10], b"0426HEADER");
    assert_eq!(s.text(&header::EQUIFAX_ID), "EQ12345678");
    assert_eq!(s.text(&header::EXPERIAN_ID), "EX123");
    assert_eq!(s.text(&header::ACTIVITY_DATE), "06302024");
    assert_eq!(s.text(&header::DATE_CREATED), "07012024");
    assert_eq!(s.text(&header::REPORTER_NAME), "SUMMIT RECOVERY SERVICES");
    assert_eq!(
        s.text(&header::REPORTER_ADDRESS),
        "100 MAIN ST SUITE 300 SACRAMENTO CA 95814"
    );
    assert_eq!(s.text(&header::REPORTER_PHONE), "9165550199");
    let (s, _) = build_header(&HeaderInput {
        bureau: Some(Bureau::Experian),
        ..h.clone()
    })
    .unwrap();
    assert_eq!(s.text(&header::EQUIFAX_ID), "");
    assert_eq!(s.text(&header::TRANSUNION_ID), "");
    assert_eq!(s.text(&header::EXPERIAN_ID), "EX123");
    // A bureau identifier that does not fit is refused, not cut.
    assert!(build_header(&HeaderInput {
        experian_id: "EX1234".into(),
        ..h
    })
    .is_err());
}

#[test]
fn a_built_file_validates_clean_with_recomputed_totals() {
    let h = HeaderInput {
        reporter_name: "Summit".into(),
        address: "100 Main St".into(),
        equifax_id: "EQ1".into(),
        activity_date: d(2024, 6, 30),
        date_created: d(2024, 7, 1),
        ..HeaderInput::default()
    };
    let mut w = Writer::new(Vec::new(), LineEnding::Crlf);
    w.header(&build_header(&h).unwrap().0).unwrap();
    let mut paid = account();
    paid.owing = dec!(0);
    paid.file_number = 1043;
    for a in [account(), paid] {
        w.record(&build(&a).segments).unwrap();
    }
    let bytes = w.finish().unwrap();
    assert!(bytes.ends_with(b"\r\n"));
    assert_eq!(bytes.len(), (426 + 2) + (460 + 2) * 2 + (426 + 2));
    let r = crate::metro2::validate::validate(&bytes[..], Profile::Collection);
    let errs: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(
        (
            r.counts.base,
            r.counts.k1,
            r.counts.header,
            r.counts.trailer
        ),
        (2, 2, 1, 1)
    );
    let t = &bytes[bytes.len() - 428..];
    assert_eq!(&t[4..11], b"TRAILER");
    assert_eq!(&t[11..20], b"000000002"); // base records
    assert_eq!(&t[56..65], b"000000004"); // block count: every record in the file
    assert_eq!(&t[110..119], b"000000001"); // status 62
    assert_eq!(&t[218..227], b"000000001"); // status 93
}
