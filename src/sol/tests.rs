//! Worked examples of the statute-of-limitations rule (docs/money.md), checkable by hand.

use super::*;
use crate::catalog::Value;
use crate::store::transactions::NewTransRow;
use crate::store::Store;

fn d(s: &str) -> NaiveDate {
    crate::dates::parse_iso(s).unwrap()
}

fn rules() -> Statute {
    let mut s = Statute::default();
    s.insert(
        "CA",
        rules::Rule {
            periods: 4,
            unit: Unit::Years,
            judgment_periods: Some(10),
            judgment_unit: Some(Unit::Years),
            exclude_payment_date: false,
        },
    );
    s.insert(
        "TX",
        rules::Rule {
            periods: 48,
            unit: Unit::Months,
            judgment_periods: None,
            judgment_unit: None,
            exclude_payment_date: true,
        },
    );
    s
}

fn dates(state: &str, itd: Option<&str>, jd: Option<&str>, paid: Option<&str>) -> DebtorDates {
    DebtorDates {
        state: state.into(),
        itemization: itd.map(d),
        judgment: jd.map(d),
        last_payment: paid.map(d),
    }
}

#[test]
fn itemization_date_plus_the_period() {
    // CA: 2020-03-15 + 4 years = 2024-03-15
    let t = time_barred_date(&rules(), &dates("CA", Some("2020-03-15"), None, None));
    assert_eq!(t, Some(d("2024-03-15")));
}

#[test]
fn a_later_payment_restarts_the_period_an_earlier_one_does_not() {
    // paid 2021-06-30, after the itemization date: 2021-06-30 + 4 years = 2025-06-30
    let t = time_barred_date(
        &rules(),
        &dates("CA", Some("2020-03-15"), None, Some("2021-06-30")),
    );
    assert_eq!(t, Some(d("2025-06-30")));
    // paid before the itemization date: the itemization date starts it
    let t = time_barred_date(
        &rules(),
        &dates("CA", Some("2020-03-15"), None, Some("2019-01-01")),
    );
    assert_eq!(t, Some(d("2024-03-15")));
}

#[test]
fn exclude_payment_date_keeps_the_date_static() {
    // TX: 48 months from 2020-03-15 whatever was paid since = 2024-03-15
    let t = time_barred_date(
        &rules(),
        &dates("TX", Some("2020-03-15"), None, Some("2023-01-01")),
    );
    assert_eq!(t, Some(d("2024-03-15")));
}

#[test]
fn a_judgment_date_uses_the_judgment_pair() {
    // CA judgment 2022-05-01 + 10 years = 2032-05-01, payments and itemization aside
    let t = time_barred_date(
        &rules(),
        &dates(
            "CA",
            Some("2020-03-15"),
            Some("2022-05-01"),
            Some("2023-01-01"),
        ),
    );
    assert_eq!(t, Some(d("2032-05-01")));
    // no itemization date needed with a judgment
    let t = time_barred_date(&rules(), &dates("CA", None, Some("2022-05-01"), None));
    assert_eq!(t, Some(d("2032-05-01")));
    // TX has no judgment pair: the ordinary rule applies
    let t = time_barred_date(
        &rules(),
        &dates("TX", Some("2020-03-15"), Some("2022-05-01"), None),
    );
    assert_eq!(t, Some(d("2024-03-15")));
}

#[test]
fn blank_without_itemization_date_or_rule() {
    assert_eq!(
        time_barred_date(&rules(), &dates("CA", None, None, Some("2021-01-01"))),
        None
    );
    // no rule for NY and no rule for all other states
    assert_eq!(
        time_barred_date(&rules(), &dates("NY", Some("2020-03-15"), None, None)),
        None
    );
}

fn field(code: &str) -> &'static crate::catalog::FieldDef {
    crate::catalog::by_code(code).unwrap()
}

/// A debtor of client 1 with a state and an itemization date; returns its file number.
fn debtor(c: &Db, state: &str, itd: &str) -> i64 {
    crate::store::create_debtor(
        c,
        1,
        &[
            (field("de.st"), Value::Text(state.into())),
            (field("de.itd"), Value::Date(d(itd))),
        ],
        d("2024-01-01"),
        false,
    )
    .unwrap()
}

fn db() -> Store {
    let store = Store::open_in_memory().unwrap();
    let c = store.conn();
    crate::store::create_client(c, 1, &[]).unwrap();
    assert_eq!(debtor(c, "CA", "2020-03-15"), 1);
    assert_eq!(debtor(c, "NY", "2020-03-15"), 2);
    settings::set(
        c,
        "statute",
        "CA",
        "4 years; 10 years; exclude_payment_date=false",
    )
    .unwrap();
    store
}

/// Post a payment row as given (no totals): returns its transaction number.
fn pay(c: &Db, py: &str, cents: i64, rv: Option<i64>) -> i64 {
    crate::store::transactions::insert_transactions(
        c,
        [NewTransRow {
            file_number: 1,
            type_code: "101",
            description: None,
            payment_date: d(py),
            posted_date: d(py),
            to_us: cents,
            direct: 0,
            commission_rate: None,
            commission: 0,
            tax_rate: None,
            tax: 0,
            tax_exempt: None,
            omit_statement: false,
            omit_cash: false,
            external_id: None,
            operator: None,
            reverses: rv,
            breakdown_principal: None,
            breakdown_interest: None,
            breakdown_fees: None,
            fin_type: "payment",
        }],
    )
    .unwrap()
}

#[test]
fn refresh_follows_payments_and_full_reversals() {
    let store = db();
    let c = store.conn();
    assert_eq!(refresh_all(c).unwrap(), 1, "only debtor 1 has a rule");
    assert_eq!(stored_tbd(c, 1).unwrap(), Some(d("2024-03-15")));
    assert_eq!(stored_tbd(c, 2).unwrap(), None);
    // a payment of 100.00 on 2021-06-30 moves it to 2025-06-30
    let paid = pay(c, "2021-06-30", 10000, None);
    refresh_debtor(c, 1).unwrap();
    assert_eq!(stored_tbd(c, 1).unwrap(), Some(d("2025-06-30")));
    // reversing 40.00 of it leaves 60.00 received: still a payment
    pay(c, "2021-07-10", -4000, Some(paid));
    refresh_debtor(c, 1).unwrap();
    assert_eq!(stored_tbd(c, 1).unwrap(), Some(d("2025-06-30")));
    // reversing the other 60.00 leaves nothing: back to the itemization date
    pay(c, "2021-07-11", -6000, Some(paid));
    refresh_debtor(c, 1).unwrap();
    assert_eq!(stored_tbd(c, 1).unwrap(), Some(d("2024-03-15")));
    // nothing changed: nothing written
    assert_eq!(refresh_all(c).unwrap(), 0);
}

#[test]
fn check_lists_barred_and_soon_barred_accounts() {
    let store = db();
    let c = store.conn();
    assert_eq!(debtor(c, "ca", "2020-05-01"), 3);
    // debtor 1 barred from 2024-03-15, debtor 3 from 2024-05-01
    let rows = check(c, d("2024-04-01"), None).unwrap();
    assert_eq!(
        rows,
        vec![SolRow {
            file: 1,
            tbd: "2024-03-15".into(),
            state: "CA".into(),
            barred: true
        }]
    );
    // 2024-04-01 + 30 days = 2024-05-01: debtor 3 is within
    let rows = check(c, d("2024-04-01"), Some(30)).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[1].file, rows[1].barred), (3, false));
    // 29 days reach 2024-04-30 only
    assert_eq!(check(c, d("2024-04-01"), Some(29)).unwrap().len(), 1);
    assert_eq!(
        barred_accounts(c, d("2024-05-01")).unwrap(),
        vec![(1, d("2024-03-15")), (3, d("2024-05-01"))]
    );
}

#[test]
fn removing_the_rules_blanks_the_dates() {
    let store = db();
    let c = store.conn();
    refresh_all(c).unwrap();
    settings::clear_section(c, "statute").unwrap();
    assert_eq!(refresh_all(c).unwrap(), 1);
    assert_eq!(stored_tbd(c, 1).unwrap(), None);
}
