//! One test per validation rule: a clean collection record (built by the
//! builder) does not trigger the rule; the same record with one change does.

use chrono::NaiveDate;
use recoup::metro2::build::{build_records, AccountInput, BuildOptions, ClientInput};
use recoup::metro2::layout::{base, k2, k3, l1, SegKind};
use recoup::metro2::validate::{check_record, validate};
use recoup::metro2::{LineEnding, Profile, Segment, Writer};
use rust_decimal_macros::dec;

const CRRG: Profile = Profile::Crrg;
const COLL: Profile = Profile::Collection;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn clean() -> Vec<Segment> {
    let a = AccountInput {
        file_number: 77,
        name: "Doe, Jane".into(),
        address1: "1 Main St".into(),
        city: "Davis".into(),
        state: "CA".into(),
        zip: "95616".into(),
        ssn: "123456789".into(),
        listed: Some(d(2024, 1, 2)),
        delinquency: Some(d(2023, 5, 1)),
        original_principal: dec!(900),
        owing: dec!(800),
        client: ClientInput {
            name: "Acme".into(),
            classification: "01".into(),
            send_client_detail: true,
            reports_to_bureaus: true,
            ..ClientInput::default()
        },
        ..AccountInput::default()
    };
    let o = BuildOptions {
        as_of: d(2024, 6, 30),
        now: d(2024, 7, 1).and_hms_opt(8, 0, 0).unwrap(),
        identification_number: "AGENCY01".into(),
        medical_rules: true,
    };
    build_records(&a, &o).unwrap().segments
}

fn ids(segs: &[Segment], p: Profile) -> Vec<&'static str> {
    check_record(segs, p, 2, None)
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

fn fires(segs: &[Segment], p: Profile, rule: &str) -> bool {
    ids(segs, p).contains(&rule)
}

fn set(segs: &mut [Segment], f: &recoup::metro2::layout::Field, v: &str) {
    segs[0].put_alpha(f, v).unwrap();
}

fn seg(kind: SegKind, fields: &[(&recoup::metro2::layout::Field, &str)]) -> Segment {
    let mut s = Segment::blank(kind);
    for (f, v) in fields {
        s.put_alpha(f, v).unwrap();
    }
    s
}

macro_rules! case {
    ($name:ident, $rule:literal, $profile:expr, |$s:ident| $body:block) => {
        #[test]
        fn $name() {
            let c = clean();
            assert!(!fires(&c, $profile, $rule), "the clean record has {}: {:?}", $rule, ids(&c, $profile));
            let mut $s = c.clone();
            $body
            assert!(fires(&$s, $profile, $rule), "{} did not fire: {:?}", $rule, ids(&$s, $profile));
        }
    };
}

#[test]
fn the_clean_record_has_no_errors_or_warnings_in_either_profile() {
    for p in [CRRG, COLL] {
        assert_eq!(ids(&clean(), p), Vec::<&str>::new());
    }
}

// Field rules.
case!(f001_required, "F001", CRRG, |s| {
    set(&mut s, &base::SURNAME, "");
});
case!(f002_numeric, "F002", CRRG, |s| {
    set(&mut s, &base::CURRENT_BALANCE, "12A");
});
case!(f003_date, "F003", CRRG, |s| {
    set(&mut s, &base::DATE_OPENED, "02302024");
});
case!(f004_charset, "F004", CRRG, |s| {
    s[0].bytes[240] = 0xC3;
});
case!(f005_code, "F005", CRRG, |s| {
    set(&mut s, &base::ECOA_CODE, "4");
});
case!(f006_lower_case, "F006", CRRG, |s| {
    set(&mut s, &base::CITY, "Davis");
});
case!(f008_identification, "F008", CRRG, |s| {
    set(&mut s, &base::IDENTIFICATION_NUMBER, "99999999");
});
case!(f009_ssn, "F009", CRRG, |s| {
    set(&mut s, &base::SSN, "666123456");
});
case!(f010_zip, "F010", CRRG, |s| {
    set(&mut s, &base::ZIP, "");
});
case!(f011_state, "F011", CRRG, |s| {
    set(&mut s, &base::STATE, "XX");
});
case!(f013_name_chars, "F013", CRRG, |s| {
    set(&mut s, &base::SURNAME, "DOE*");
});

// Cross-field rules.
case!(x001_rating_on_93, "X001", CRRG, |s| {
    set(&mut s, &base::PAYMENT_RATING, "1");
});
case!(x001_rating_missing_on_13, "X001", CRRG, |s| {
    set(&mut s, &base::ACCOUNT_STATUS, "13");
});
case!(x002_ssn_or_dob, "X002", CRRG, |s| {
    set(&mut s, &base::SSN, "000000000");
});
case!(x003_paid_with_past_due, "X003", CRRG, |s| {
    set(&mut s, &base::ACCOUNT_STATUS, "61");
});
case!(x004_delinquent_no_past_due, "X004", CRRG, |s| {
    set(&mut s, &base::AMOUNT_PAST_DUE, "000000000");
});
case!(x005_paid_with_balance, "X005", CRRG, |s| {
    set(&mut s, &base::ACCOUNT_STATUS, "62");
});
case!(x006_delinquent_no_balance, "X006", CRRG, |s| {
    set(&mut s, &base::CURRENT_BALANCE, "000000000");
    set(&mut s, &base::AMOUNT_PAST_DUE, "000000000");
});
case!(x007_past_due_over_balance, "X007", CRRG, |s| {
    set(&mut s, &base::AMOUNT_PAST_DUE, "000000900");
});
case!(x008_charge_off, "X008", CRRG, |s| {
    set(&mut s, &base::ORIGINAL_CHARGE_OFF, "000000100");
});
case!(x009_no_date_closed, "X009", CRRG, |s| {
    set(&mut s, &base::ACCOUNT_STATUS, "62");
    set(&mut s, &base::CURRENT_BALANCE, "000000000");
});
case!(x010_date_closed_open, "X010", CRRG, |s| {
    set(&mut s, &base::DATE_CLOSED, "06012024");
});
case!(x011_no_dofd, "X011", CRRG, |s| {
    set(&mut s, &base::DATE_FIRST_DELINQUENCY, "00000000");
});
case!(x012_dofd_current, "X012", CRRG, |s| {
    set(&mut s, &base::ACCOUNT_STATUS, "11");
});
case!(x013_obsolete, "X013", CRRG, |s| {
    set(&mut s, &base::DATE_ACCOUNT_INFORMATION, "05022030");
});
case!(x014_scheduled_payment, "X014", CRRG, |s| {
    set(&mut s, &base::ACCOUNT_STATUS, "62");
    set(&mut s, &base::SCHEDULED_MONTHLY_PAYMENT, "000000010");
});
case!(x015_credit_limit_on_48, "X015", CRRG, |s| {
    set(&mut s, &base::CREDIT_LIMIT, "000000100");
});
case!(x015_highest_credit_zero, "X015", CRRG, |s| {
    set(&mut s, &base::HIGHEST_CREDIT, "000000000");
});
case!(x016_terms_portfolio, "X016", CRRG, |s| {
    set(&mut s, &base::TERMS_DURATION, "LOC");
});
case!(x017_portfolio_c_type, "X017", CRRG, |s| {
    set(&mut s, &base::PORTFOLIO_TYPE, "C");
    set(&mut s, &base::TERMS_DURATION, "LOC");
});
case!(x018_ah_without_k2, "X018", CRRG, |s| {
    set(&mut s, &base::SPECIAL_COMMENT, "AH");
});
case!(x019_settled_status, "X019", CRRG, |s| {
    set(&mut s, &base::SPECIAL_COMMENT, "AU");
});
case!(x020_l1, "X020", CRRG, |s| {
    s.push(seg(SegKind::L1, &[(&l1::CHANGE_INDICATOR, "1")]));
});
case!(x021_k2, "X021", CRRG, |s| {
    s.insert(2, seg(SegKind::K2, &[(&k2::PURCHASED_INDICATOR, "1")]));
});
case!(x022_k3, "X022", CRRG, |s| {
    s.push(seg(
        SegKind::K3,
        &[
            (&k3::AGENCY_IDENTIFIER, "00"),
            (&k3::ACCOUNT_NUMBER, "FNMA1"),
        ],
    ));
});
case!(x023_dofd_after_doai, "X023", CRRG, |s| {
    set(&mut s, &base::DATE_FIRST_DELINQUENCY, "07012024");
});

#[test]
fn x018_is_satisfied_by_a_k2_sold_to_name() {
    let mut s = clean();
    set(&mut s, &base::SPECIAL_COMMENT, "AH");
    s.insert(
        2,
        seg(
            SegKind::K2,
            &[
                (&k2::PURCHASED_INDICATOR, "2"),
                (&k2::PURCHASED_NAME, "BUYER LLC"),
            ],
        ),
    );
    assert!(!fires(&s, CRRG, "X018"));
}

// Collection-agency profile.
case!(c001_portfolio, "C001", COLL, |s| {
    set(&mut s, &base::PORTFOLIO_TYPE, "I");
});
case!(c002_account_type, "C002", COLL, |s| {
    set(&mut s, &base::ACCOUNT_TYPE, "00");
});
case!(c003_status, "C003", COLL, |s| {
    set(&mut s, &base::ACCOUNT_STATUS, "71");
});
case!(c004_k1, "C004", COLL, |s| {
    s.pop();
});
case!(c005_credit_limit, "C005", COLL, |s| {
    set(&mut s, &base::CREDIT_LIMIT, "000000100");
});
case!(c006_highest_credit, "C006", COLL, |s| {
    set(&mut s, &base::HIGHEST_CREDIT, "000000000");
});
case!(c007_scheduled_payment, "C007", COLL, |s| {
    set(&mut s, &base::SCHEDULED_MONTHLY_PAYMENT, "000000010");
});
case!(c008_terms, "C008", COLL, |s| {
    set(&mut s, &base::TERMS_DURATION, "012");
});
case!(c009_dofd, "C009", COLL, |s| {
    set(&mut s, &base::DATE_FIRST_DELINQUENCY, "00000000");
});
case!(c010_obsolete, "C010", COLL, |s| {
    set(&mut s, &base::DATE_ACCOUNT_INFORMATION, "05012030");
});
case!(c011_open_collection, "C011", COLL, |s| {
    set(&mut s, &base::DATE_CLOSED, "06012024");
});
case!(c012_paid_collection, "C012", COLL, |s| {
    set(&mut s, &base::ACCOUNT_STATUS, "62");
});
case!(c013_charge_off, "C013", COLL, |s| {
    set(&mut s, &base::ORIGINAL_CHARGE_OFF, "000000001");
});
case!(c014_authorized_user, "C014", COLL, |s| {
    let mut j = seg(
        SegKind::J1,
        &[
            (&recoup::metro2::layout::j1::SURNAME, "DOE"),
            (&recoup::metro2::layout::j1::ECOA_CODE, "3"),
        ],
    );
    j.put_digits(&recoup::metro2::layout::j1::SSN, "123456780")
        .unwrap();
    s.insert(1, j);
});
case!(c015_payment_history, "C015", COLL, |s| {
    set(
        &mut s,
        &base::PAYMENT_HISTORY_PROFILE,
        "1BBBBBBBBBBBBBBBBBBBBBBB",
    );
});
case!(c016_medical, "C016", COLL, |s| {
    let k = s.len() - 1;
    s[k].put_num(&recoup::metro2::layout::k1::CREDITOR_CLASSIFICATION, 2)
        .unwrap();
    set(&mut s, &base::HIGHEST_CREDIT, "000000499");
});

#[test]
fn collection_rules_do_not_run_in_the_crrg_profile() {
    let mut s = clean();
    set(&mut s, &base::PORTFOLIO_TYPE, "I");
    s.pop();
    assert!(!ids(&s, CRRG).iter().any(|r| r.starts_with('C')));
}

// Structure and trailer, on whole files.

fn file(records: &[Vec<Segment>]) -> Vec<u8> {
    let mut h = Segment::blank(SegKind::Header);
    use recoup::metro2::layout::header;
    h.put_alpha(&header::EQUIFAX_ID, "EQ1").unwrap();
    h.put_date(&header::ACTIVITY_DATE, Some(d(2024, 6, 30)))
        .unwrap();
    h.put_date(&header::DATE_CREATED, Some(d(2024, 7, 1)))
        .unwrap();
    h.put_alpha(&header::REPORTER_NAME, "AGENCY").unwrap();
    h.put_alpha(&header::REPORTER_ADDRESS, "1 MAIN ST").unwrap();
    let mut w = Writer::new(Vec::new(), LineEnding::Lf);
    w.header(&h).unwrap();
    for r in records {
        w.record(r).unwrap();
    }
    w.finish().unwrap()
}

fn file_rules(bytes: &[u8]) -> Vec<&'static str> {
    validate(bytes, CRRG)
        .findings
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

#[test]
fn a_written_file_is_clean() {
    assert_eq!(file_rules(&file(&[clean(), clean()])), Vec::<&str>::new());
}

#[test]
fn s008_segment_order() {
    let mut r = clean();
    let k1 = r.pop().unwrap();
    let mut j = Segment::blank(SegKind::J1);
    j.put_alpha(&recoup::metro2::layout::j1::SURNAME, "DOE")
        .unwrap();
    j.put_alpha(&recoup::metro2::layout::j1::ECOA_CODE, "2")
        .unwrap();
    j.put_digits(&recoup::metro2::layout::j1::SSN, "123456780")
        .unwrap();
    r.push(k1);
    r.push(j);
    assert!(file_rules(&file(&[r])).contains(&"S008"));
}

#[test]
fn s009_repeated_k1() {
    let mut r = clean();
    let k = r[1].clone();
    r.push(k);
    assert!(file_rules(&file(&[r])).contains(&"S009"));
}

#[test]
fn s011_placeholder_segment_is_info_only() {
    let mut r = clean();
    r.insert(1, Segment::blank(SegKind::J2));
    let rep = validate(&file(&[r])[..], CRRG);
    let f: Vec<_> = rep.findings.iter().map(|f| (f.rule, f.severity)).collect();
    assert_eq!(f, [("S011", recoup::metro2::Severity::Info)]);
    assert_eq!(rep.counts.j2, 0);
    assert_eq!(rep.counts.errors + rep.counts.warnings, 0);
}

#[test]
fn t001_trailer_total_differs() {
    let mut bytes = file(&[clean()]);
    let t = bytes.len() - 427; // trailer start (426 + LF)
    bytes[t + 19] = b'5'; // total base records 000000005
    let rep = validate(&bytes[..], CRRG);
    let f = rep
        .findings
        .iter()
        .find(|f| f.rule == "T001")
        .expect("T001");
    assert_eq!(
        (f.record, f.field, f.position),
        (3, "total_base_records", 12)
    );
    assert_eq!(f.value, "000000005");
}

#[test]
fn s004_s007_missing_trailer_and_second_header() {
    let bytes = file(&[clean()]);
    let no_trailer = &bytes[..bytes.len() - 427];
    assert!(file_rules(no_trailer).contains(&"S004"));
    let header = &bytes[..427];
    let mut two = header.to_vec();
    two.extend_from_slice(&bytes);
    assert!(file_rules(&two).contains(&"S007"));
}

#[test]
fn s005_rdw_mismatch_names_the_record() {
    let mut bytes = file(&[clean(), clean()]);
    let second = 427 + 461; // header + LF, first record + LF
    bytes[second..second + 4].copy_from_slice(b"0461");
    let rep = validate(&bytes[..], CRRG);
    let f = rep
        .findings
        .iter()
        .find(|f| f.rule == "S005")
        .expect("S005");
    assert_eq!((f.record, f.segment, f.position), (3, "base", 1));
}

#[test]
fn unreadable_line_is_counted_and_reading_goes_on() {
    let bytes = file(&[clean(), clean(), clean()]);
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let short = &lines[2][..300];
    lines[2] = short;
    let joined = lines.join(&b'\n');
    let rep = validate(&joined[..], CRRG);
    assert_eq!((rep.counts.unreadable, rep.counts.base), (1, 2));
    let f = rep.findings.iter().find(|f| f.rule == "S002").unwrap();
    assert_eq!(f.record, 3);
    // The trailer still counts 3 base records: T001 on total_base_records.
    assert!(rep
        .findings
        .iter()
        .any(|f| f.rule == "T001" && f.field == "total_base_records"));
}

#[test]
fn no_line_breaks_resynchronise_on_the_next_record() {
    let mut w = Writer::new(Vec::new(), LineEnding::None);
    let recs = [clean(), clean(), clean()];
    let mut h = Segment::blank(SegKind::Header);
    h.put_alpha(&recoup::metro2::layout::header::EQUIFAX_ID, "EQ1")
        .unwrap();
    w.header(&h).unwrap();
    for r in &recs {
        w.record(r).unwrap();
    }
    let mut bytes = w.finish().unwrap();
    // Damage the second record's RDW: it cannot be cut, so the reader skips to
    // the third record and reports the skipped bytes once.
    let second = 426 + 460; // header, first base (426 + K1 34)
    bytes[second..second + 4].copy_from_slice(b"ABCD");
    let rep = validate(&bytes[..], CRRG);
    assert_eq!(
        (rep.counts.unreadable, rep.counts.base, rep.counts.trailer),
        (1, 2, 1)
    );
    let f = rep.findings.iter().find(|f| f.rule == "S002").unwrap();
    assert!(f.message.contains("460 bytes"), "{}", f.message);
}

#[test]
fn ssns_are_masked_in_findings() {
    let mut s = clean();
    set(&mut s, &base::SSN, "666123456");
    let f = check_record(&s, CRRG, 2, None)
        .into_iter()
        .find(|f| f.rule == "F009")
        .unwrap();
    assert_eq!(f.value, "***-**-3456");
    assert_eq!(f.position, 298);
}

#[test]
fn a_short_header_line_does_not_make_the_file_look_wrapped() {
    let bytes = file(&[clean(), clean()]);
    // Cut the header line to 407 bytes (like CFPB's truncated trailers).
    let mut cut = bytes[..407].to_vec();
    cut.extend_from_slice(&bytes[426..]);
    let rep = validate(&cut[..], CRRG);
    assert_eq!(
        (
            rep.counts.header,
            rep.counts.base,
            rep.counts.trailer,
            rep.counts.unreadable
        ),
        (1, 2, 1, 0)
    );
    assert!(rep
        .findings
        .iter()
        .any(|f| f.rule == "S006" && f.record == 1));
}

/// One masking rule for every display (src/pii.rs): a malformed SSN with fewer than
/// four digits hides everything rather than showing what digits it has.
#[test]
fn a_malformed_ssn_is_masked_whole_in_findings() {
    let mut s = clean();
    set(&mut s, &base::SSN, "12X");
    let found = check_record(&s, CRRG, 2, None);
    let on_ssn: Vec<_> = found.iter().filter(|f| f.position == 298).collect();
    assert!(!on_ssn.is_empty(), "{found:?}");
    for f in on_ssn {
        assert_eq!(f.value, "***", "{f:?}");
    }
}
