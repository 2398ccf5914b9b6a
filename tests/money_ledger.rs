//! The money engine against a real database: commission sources, reversals, tax
//! levels and recalculation (docs/money.md).

mod common;

use chrono::NaiveDate;
use recoup::catalog::{by_code, Value};
use recoup::money::{Ledger, NewTransaction};
use recoup::store::{self, Store};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use common::day;

/// A request of `code` for `amount` To Us, paid on `date`.
fn request(fi: i64, code: &str, amount: Decimal, date: &str) -> NewTransaction {
    NewTransaction {
        file_number: fi,
        type_code: code.into(),
        to_us: Some(amount),
        payment_date: Some(day(date)),
        ..Default::default()
    }
}

/// A store with the shipped setup and one debtor of `client` owing `principal`.
fn fixture(client: i64, principal: Decimal) -> (Store, Ledger, i64) {
    let mut store = Store::open_in_memory().unwrap();
    recoup::setup::apply_str(
        store.conn_mut(),
        std::path::Path::new("setup.toml"),
        recoup::setup::SHIPPED_SETUP,
    )
    .unwrap();
    let na = by_code("de.na").unwrap();
    let fi = store::create_debtor(
        store.conn(),
        client,
        &[(na, Value::Text("Doe, Jane".into()))],
        day("2024-01-10"),
        true,
    )
    .unwrap();
    let mut ledger = Ledger::new(day("2024-07-31"));
    ledger
        .post(
            store.conn(),
            &NewTransaction {
                file_number: fi,
                type_code: "196".into(),
                to_us: Some(-principal),
                payment_date: Some(day("2024-01-10")),
                ..Default::default()
            },
        )
        .unwrap();
    (store, ledger, fi)
}

fn pay(
    ledger: &mut Ledger,
    store: &Store,
    fi: i64,
    code: &str,
    amount: Decimal,
    date: &str,
) -> recoup::money::Posted {
    ledger
        .post(
            store.conn(),
            &NewTransaction {
                file_number: fi,
                type_code: code.into(),
                to_us: Some(amount),
                payment_date: Some(day(date)),
                ..Default::default()
            },
        )
        .unwrap()
}

#[test]
fn client_settings_are_copied_to_new_debtors() {
    let (store, _, fi) = fixture(1001, dec!(100));
    let rec = store::read_record(store.conn(), recoup::catalog::Form::Debtor, fi)
        .unwrap()
        .unwrap();
    let get = |c: &str| rec.iter().find(|(f, _)| f.code() == c).unwrap().1.plain();
    assert_eq!(get("de.op"), "JDS");
    assert_eq!(get("de.sa"), "HSE");
    assert_eq!(get("de.rt"), "30");
    assert_eq!(get("de.mo"), "A");
    assert_eq!(get("de.li"), "2024-01-10");
    assert_eq!(get("de.ct"), "Doe, Jane"); // name fills contact (S2:5397-5398)
    assert_eq!(fi, 1000); // first_file_number
}

#[test]
fn flat_rate_commission_and_nsf_reversal() {
    let (store, mut ledger, fi) = fixture(1001, dec!(1000));
    let p = pay(&mut ledger, &store, fi, "101", dec!(200), "2024-07-03");
    assert_eq!((p.commission, p.tax), (dec!(60.00), dec!(0)));
    assert_eq!(p.totals.owing(), 80_000);
    // 105 reverses at the rate of the payment it reverses, and the balance goes back up.
    let r = pay(&mut ledger, &store, fi, "105", dec!(-200), "2024-07-08");
    assert_eq!(r.commission, dec!(-60.00));
    assert_eq!(r.totals.owing(), 100_000);
    assert_eq!(r.totals.last_payment_amount, Some(20_000));
    let rv: Option<i64> = store
        .conn()
        .query_row(
            "SELECT CAST(rv AS INTEGER) FROM trans WHERE id = ?1",
            [r.id],
            |x| x.get(0),
        )
        .unwrap();
    assert_eq!(rv, Some(p.id));
}

#[test]
fn reversal_of_a_plan_payment_uses_its_effective_rate_and_lowers_paid_to_date() {
    // Client 1002 has the PTD plan and a 7.25% tax rate.
    let (store, mut ledger, fi) = fixture(1002, dec!(9000));
    pay(&mut ledger, &store, fi, "101", dec!(1500), "2024-07-01"); // 375.00 @25
    let p = pay(&mut ledger, &store, fi, "101", dec!(1000), "2024-07-02"); // 500@25 + 500@20 = 225 (22.5%)
    assert_eq!(p.commission, dec!(225.00));
    assert_eq!(p.tax, dec!(16.31)); // 7.25% of 225.00 = 16.3125
    let r = ledger
        .post(
            store.conn(),
            &NewTransaction {
                file_number: fi,
                type_code: "105".into(),
                to_us: Some(dec!(-1000)),
                payment_date: Some(day("2024-07-05")),
                reverses: Some(p.id),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(r.commission, dec!(-225.00));
    assert_eq!(r.tax, dec!(-16.31));
    // Paid to date is back at 1500: the next 1000 is split the same way again.
    let again = pay(&mut ledger, &store, fi, "101", dec!(1000), "2024-07-06");
    assert_eq!(again.commission, dec!(225.00));
}

#[test]
fn type_rate_fixed_amounts_and_no_commission_types() {
    let (store, mut ledger, fi) = fixture(1001, dec!(500));
    // 120 keeps 100% (S2:2700-2731)
    assert_eq!(
        pay(&mut ledger, &store, fi, "120", dec!(40), "2024-07-01").commission,
        dec!(40.00)
    );
    // 106: fixed $25 To Agency and $25 commission (S2:2803-2862)
    let p = ledger
        .post(
            store.conn(),
            &NewTransaction {
                file_number: fi,
                type_code: "106".into(),
                payment_date: Some(day("2024-07-02")),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(p.commission, dec!(25.00));
    let (tu, os): (i64, bool) = store
        .conn()
        .query_row("SELECT tu, os FROM trans WHERE id = ?1", [p.id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((tu, os), (2500, true));
    // fees and principal carry no commission
    let f = pay(&mut ledger, &store, fi, "351", dec!(-25), "2024-07-03");
    assert_eq!(f.commission, dec!(0));
    assert_eq!(f.totals.fees, 2500);
    // a header cannot be posted to
    assert!(ledger
        .post(
            store.conn(),
            &NewTransaction {
                file_number: fi,
                type_code: "100".into(),
                to_us: Some(dec!(1)),
                ..Default::default()
            }
        )
        .is_err());
    // an unknown type is an error
    assert!(ledger
        .post(
            store.conn(),
            &NewTransaction {
                file_number: fi,
                type_code: "999".into(),
                to_us: Some(dec!(1)),
                ..Default::default()
            }
        )
        .is_err());
}

#[test]
fn plan_overrides_a_flat_rate_of_zero_and_tax_exemption_levels() {
    let (store, mut ledger, fi) = fixture(1002, dec!(5000));
    store
        .conn()
        .execute("UPDATE debtor SET rt = '0' WHERE fi = ?1", [fi])
        .unwrap();
    let p = pay(&mut ledger, &store, fi, "101", dec!(100), "2024-07-01");
    assert_eq!(p.commission, dec!(25.00)); // PTD first bracket, not the 0 flat rate
                                           // the debtor's exemption overrides the client's tax rate
    store
        .conn()
        .execute("UPDATE debtor SET te = 1 WHERE fi = ?1", [fi])
        .unwrap();
    let p = pay(&mut ledger, &store, fi, "101", dec!(100), "2024-07-02");
    assert_eq!(p.tax, dec!(0));
    // a transaction-level rate beats them all
    store
        .conn()
        .execute("UPDATE debtor SET te = 0, tx = '5' WHERE fi = ?1", [fi])
        .unwrap();
    let p = ledger
        .post(
            store.conn(),
            &NewTransaction {
                file_number: fi,
                type_code: "101".into(),
                to_us: Some(dec!(100)),
                tax_rate: Some(dec!(10)),
                payment_date: Some(day("2024-07-03")),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(p.tax, dec!(2.50)); // 10% of 25.00
    let p = pay(&mut ledger, &store, fi, "101", dec!(100), "2024-07-04");
    assert_eq!(p.tax, dec!(1.25)); // debtor's 5%
}

#[test]
fn rate_levels_apply_to_a_payment_breakdown() {
    let (store, mut ledger, fi) = fixture(1001, dec!(1000));
    store
        .conn()
        .execute(
            "UPDATE debtor SET rt = '25', r2 = '100', r3 = '0' WHERE fi = ?1",
            [fi],
        )
        .unwrap();
    let p = ledger
        .post(
            store.conn(),
            &NewTransaction {
                file_number: fi,
                type_code: "101".into(),
                to_us: Some(dec!(300)),
                breakdown_principal: Some(dec!(200)),
                breakdown_interest: Some(dec!(50)),
                breakdown_fees: Some(dec!(50)),
                payment_date: Some(day("2024-07-01")),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(p.commission, dec!(100.00)); // 200×25% + 50×100% + 50×0%
}

#[test]
fn direct_payments_reduce_owing_and_client_fees_do_not() {
    let (store, mut ledger, fi) = fixture(1001, dec!(1000));
    let p = ledger
        .post(
            store.conn(),
            &NewTransaction {
                file_number: fi,
                type_code: "111".into(),
                direct: Some(dec!(400)),
                payment_date: Some(day("2024-07-01")),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(p.commission, dec!(120.00)); // commission is earned on Direct too
    assert_eq!(p.totals.owing(), 60_000);
    let f = pay(&mut ledger, &store, fi, "397", dec!(-15), "2024-07-02");
    assert_eq!(f.totals.owing(), 60_000);
}

mod incremental {
    use super::*;
    use proptest::prelude::*;

    const CODES: [&str; 12] = [
        "101", "105", "196", "197", "351", "201", "501", "397", "601", "111", "106", "120",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// The totals kept up to date at each posting equal a full recalculation.
        #[test]
        fn stored_totals_equal_a_full_recalculation(
            ops in proptest::collection::vec((0usize..CODES.len(), -50_000i64..50_000, 1u32..28), 1..25)
        ) {
            let (store, mut ledger, fi) = fixture(1002, dec!(3000));
            for (c, cents, dayn) in ops {
                let code = CODES[c];
                let amount = Decimal::new(cents, 2);
                let (to_us, direct) = if code == "111" { (None, Some(amount)) } else { (Some(amount), None) };
                let posted = ledger.post(store.conn(), &NewTransaction {
                    file_number: fi, type_code: code.into(), to_us, direct,
                    payment_date: NaiveDate::from_ymd_opt(2024, 7, dayn), ..Default::default()
                });
                // A negative payment with nothing left to reverse is refused (exit 3).
                if let Err(e) = posted {
                    prop_assert_eq!(e.exit_code(), 3, "{}", e.message);
                }
            }
            let kept = recoup::money::recalc::stored_totals(store.conn(), fi).unwrap();
            let full = recoup::money::recalculate(store.conn(), fi).unwrap();
            prop_assert_eq!(kept, full);
        }
    }
}

#[test]
fn a_reversal_skips_fixed_commission_payments() {
    let (store, mut ledger, fi) = fixture(1001, dec!(1000));
    pay(&mut ledger, &store, fi, "101", dec!(100), "2024-07-01"); // 30%
    ledger
        .post(
            store.conn(),
            &NewTransaction {
                file_number: fi,
                type_code: "106".into(),
                payment_date: Some(day("2024-07-02")),
                ..Default::default()
            },
        )
        .unwrap();
    let r = pay(&mut ledger, &store, fi, "105", dec!(-100), "2024-07-03");
    assert_eq!(r.commission, dec!(-30.00));
}

#[test]
fn posting_to_a_missing_debtor_is_a_clear_error_for_every_type() {
    let (store, mut ledger, _) = fixture(1001, dec!(100));
    for code in ["101", "196", "351"] {
        let err = ledger
            .post(
                store.conn(),
                &NewTransaction {
                    file_number: 4242,
                    type_code: code.into(),
                    to_us: Some(dec!(-1)),
                    ..Default::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.message, "debtor 4242 does not exist", "{code}");
    }
}

#[test]
fn uncommissioned_batch_equals_separate_postings() {
    let (store, mut ledger, fi) = fixture(1002, dec!(100));
    let reqs = |fi: i64| {
        vec![
            request(fi, "196", dec!(-1234.56), "2024-05-01"),
            request(fi, "197", dec!(-78.90), "2024-05-01"),
            // a payment in the batch goes through the ordinary path (commission applies)
            request(fi, "101", dec!(100), "2024-05-02"),
        ]
    };
    let batch = ledger
        .post_uncommissioned(store.conn(), fi, &reqs(fi))
        .unwrap();
    let na = by_code("de.na").unwrap();
    let other = store::create_debtor(
        store.conn(),
        1002,
        &[(na, Value::Text("Roe, R".into()))],
        day("2024-01-10"),
        true,
    )
    .unwrap();
    ledger
        .post(
            store.conn(),
            &NewTransaction {
                file_number: other,
                type_code: "196".into(),
                to_us: Some(dec!(-100)),
                payment_date: Some(day("2024-01-10")),
                ..Default::default()
            },
        )
        .unwrap();
    let mut last = None;
    for r in reqs(other) {
        last = Some(ledger.post(store.conn(), &r).unwrap().totals);
    }
    assert_eq!(batch, last.unwrap());
    assert_eq!(batch, recoup::money::recalculate(store.conn(), fi).unwrap());
    let cm: i64 = store
        .conn()
        .query_row("SELECT SUM(cm) FROM trans WHERE fi = ?1", [fi], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        cm, 2500,
        "the payment still earned its commission (PTD 25%)"
    );
}

/// The columns of a transaction a posting decides (everything but id and debtor).
const TRANS_COLS: &str =
    "ty, de, py, pd, tu, di, cr, cm, trt, tx, te, os, oc, ext_id, op, rv, bpr, bin, bfe, ft";

fn trans_rows(store: &Store, fi: i64) -> Vec<Vec<rusqlite::types::Value>> {
    let mut stmt = store
        .conn()
        .prepare(&format!(
            "SELECT {TRANS_COLS} FROM trans WHERE fi = ?1 ORDER BY id"
        ))
        .unwrap();
    let rows = stmt
        .query_map([fi], |r| {
            (0..20)
                .map(|i| r.get(i))
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .unwrap();
    rows.collect::<rusqlite::Result<_>>().unwrap()
}

/// A new account created through `post_opening`: its stored totals and its
/// transaction rows equal creating it bare and posting the same requests one by one,
/// on the fast path (no commission possible: totals written in the account's INSERT)
/// and on the fallback (a payment among the requests).
#[test]
fn opening_postings_equal_posting_one_by_one() {
    let (store, mut ledger, _) = fixture(1001, dec!(100));
    let opening = |fi: i64, with_payment: bool| {
        let mut v = vec![
            NewTransaction {
                file_number: fi,
                type_code: "196".into(),
                to_us: Some(dec!(-1234.565)),
                payment_date: Some(day("2024-05-01")),
                posted_date: Some(day("2024-07-31")),
                ..Default::default()
            },
            request(fi, "197", dec!(-78.90), "2024-05-01"),
            request(fi, "197", dec!(-5), "2024-05-03"),
        ];
        if with_payment {
            v.push(request(fi, "101", dec!(100), "2024-05-02"));
        }
        v
    };
    let create = |fi: i64, totals: Option<&recoup::money::Totals>| -> recoup::Result<()> {
        let mut cols = vec!["fi", "cn", "na"];
        let mut args: Vec<rusqlite::types::Value> = vec![
            fi.into(),
            1001i64.into(),
            rusqlite::types::Value::Text("New, Account".into()),
        ];
        if let Some(t) = totals {
            cols.extend(recoup::store::debtors::DebtorTotals::columns()?);
            args.extend(t.stored().values());
        }
        let marks: Vec<String> = (1..=args.len()).map(|i| format!("?{i}")).collect();
        store.conn().execute(
            &format!(
                "INSERT INTO debtor ({}) VALUES ({})",
                cols.join(", "),
                marks.join(", ")
            ),
            rusqlite::params_from_iter(args),
        )?;
        Ok(())
    };
    let stored = |fi: i64| {
        let cols = recoup::store::debtors::DebtorTotals::columns()
            .unwrap()
            .join(", ");
        store
            .conn()
            .query_row(
                &format!("SELECT {cols} FROM debtor WHERE fi = ?1"),
                [fi],
                |r| {
                    (0..11)
                        .map(|i| r.get(i))
                        .collect::<rusqlite::Result<Vec<rusqlite::types::Value>>>()
                },
            )
            .unwrap()
    };
    for (with_payment, base) in [(false, 9000), (true, 9100)] {
        let (fast, slow) = (base, base + 1);
        let mut called_with = None;
        ledger
            .post_opening(
                store.conn(),
                fast,
                &opening(fast, with_payment),
                None,
                |t| {
                    called_with = Some(t.is_some());
                    create(fast, t)
                },
            )
            .unwrap();
        assert_eq!(
            called_with,
            Some(!with_payment),
            "fast path only without commission"
        );
        create(slow, None).unwrap();
        for r in opening(slow, with_payment) {
            ledger.post(store.conn(), &r).unwrap();
        }
        assert_eq!(stored(fast), stored(slow), "payment: {with_payment}");
        assert_eq!(trans_rows(&store, fast), trans_rows(&store, slow));
        assert_eq!(trans_rows(&store, fast).len(), 3 + with_payment as usize);
        // And both equal a full recalculation from the transactions.
        recoup::money::recalculate(store.conn(), fast).unwrap();
        assert_eq!(stored(fast), stored(slow));
    }
}

/// End to end: `recoup post` against limits and the reversal rules (issue "Hostile and
/// unlucky input"; docs/money.md "Limits", "Reversals").
mod post_cli {
    use super::*;
    use predicates::prelude::*;
    use std::path::{Path, PathBuf};

    /// A database with the shipped setup and debtor 1000 of client 1001 (30%) owing
    /// 1,000.00; a 200.00 payment on 2024-07-03 is transaction `payment`.
    pub(super) fn ledger_db() -> (tempfile::TempDir, PathBuf, i64) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        let (store, mut ledger, fi) = fixture(1001, dec!(1000));
        assert_eq!(fi, 1000);
        let p = pay(&mut ledger, &store, fi, "101", dec!(200), "2024-07-03");
        store
            .conn()
            .execute("VACUUM INTO ?1", [db.to_str().unwrap()])
            .unwrap();
        (dir, db, p.id)
    }

    fn post(db: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
        common::recoup_at(db, "2024-07-31")
            .args(["post", "--debtor", "1000", "--date", "2024-07-10"])
            .args(args)
            .assert()
    }

    fn owing(db: &Path) -> String {
        let out = common::recoup_at(db, "2024-07-31")
            .args(["--json", "show", "debtor", "1000"])
            .output()
            .unwrap();
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        j["de.ow"].as_str().unwrap().to_string()
    }

    #[test]
    fn an_amount_beyond_the_ceiling_is_refused_with_exit_3() {
        let (_dir, db, _) = ledger_db();
        for amount in [
            "99999999999999999999999",
            "1000000000000.00",
            "-1000000000000",
        ] {
            post(&db, &["--type", "101", "--to-us", amount])
                .code(3)
                .stderr(predicate::str::contains("ceiling"));
        }
        post(
            &db,
            &[
                "--type",
                "351",
                "--to-us",
                "1",
                "--direct",
                "-999999999999.995",
            ],
        )
        .code(3);
        assert_eq!(owing(&db), "800.00", "nothing was posted");
        // the ceiling itself is accepted
        post(&db, &["--type", "351", "--to-us", "-999999999999.99"]).success();
        assert_eq!(owing(&db), "1000000000799.99");
    }

    #[test]
    fn a_reversal_larger_than_its_payment_is_refused() {
        let (_dir, db, payment) = ledger_db();
        let id = payment.to_string();
        post(
            &db,
            &["--type", "105", "--to-us", "-900", "--reverses", &id],
        )
        .code(3)
        .stderr(predicate::str::contains(
            "more than the 200.00 left un-reversed",
        ));
        // without naming it: no payment has 900.00 left
        post(&db, &["--type", "105", "--to-us", "-900"])
            .code(3)
            .stderr(predicate::str::contains("no payment"))
            .stderr(predicate::str::ends_with(
                "a reversal needs one (name it with --reverses)\n",
            ));
        assert_eq!(owing(&db), "800.00");
    }

    #[test]
    fn a_payment_is_never_reversed_twice() {
        let (_dir, db, payment) = ledger_db();
        let id = payment.to_string();
        post(
            &db,
            &["--type", "105", "--to-us", "-150", "--reverses", &id],
        )
        .success()
        .stdout(predicate::str::contains("commission -45.00"));
        post(&db, &["--type", "105", "--to-us", "-50", "--reverses", &id]).success();
        assert_eq!(owing(&db), "1000.00");
        post(
            &db,
            &["--type", "105", "--to-us", "-200", "--reverses", &id],
        )
        .code(3)
        .stderr(predicate::str::contains("already fully reversed"));
        post(&db, &["--type", "105", "--to-us", "-0.01"])
            .code(3)
            .stderr(predicate::str::contains("no payment"));
        assert_eq!(owing(&db), "1000.00");
    }

    #[test]
    fn only_a_negative_payment_type_reverses_only_a_payment_of_its_own_debtor() {
        let (_dir, db, payment) = ledger_db();
        let principal: i64 = rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT id FROM trans WHERE ty = '196'", [], |r| r.get(0))
            .unwrap();
        // reversing the 196
        post(
            &db,
            &[
                "--type",
                "105",
                "--to-us",
                "-100",
                "--reverses",
                &principal.to_string(),
            ],
        )
        .code(3)
        .stderr(predicate::str::contains("is not a payment"));
        // a positive reversal, with or without naming the payment
        post(
            &db,
            &[
                "--type",
                "105",
                "--to-us",
                "100",
                "--reverses",
                &payment.to_string(),
            ],
        )
        .code(3)
        .stderr(predicate::str::contains("negative amount"));
        post(&db, &["--type", "105", "--to-us", "100"])
            .code(3)
            .stderr(predicate::str::contains("negative amount"));
        // a fee type does not reverse
        post(
            &db,
            &[
                "--type",
                "351",
                "--to-us",
                "-10",
                "--reverses",
                &payment.to_string(),
            ],
        )
        .code(3)
        .stderr(predicate::str::contains("only a payment type reverses"));
        // another debtor's payment, and one that does not exist
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "INSERT INTO debtor (fi, cn, na) VALUES (1001, 1001, 'Roe, Richard')",
            [],
        )
        .unwrap();
        drop(conn);
        common::recoup_at(&db, "2024-07-31")
            .args([
                "post", "--debtor", "1001", "--type", "105", "--to-us", "-100",
            ])
            .args(["--reverses", &payment.to_string()])
            .assert()
            .code(3)
            .stderr(predicate::str::contains("belongs to debtor 1000"));
        post(
            &db,
            &["--type", "105", "--to-us", "-100", "--reverses", "99999"],
        )
        .code(3)
        .stderr(predicate::str::contains("does not exist"));
        assert_eq!(owing(&db), "800.00");
    }
}

/// End to end: totals of statements and the cash report are checked sums.
mod totals_cli {
    use super::common;
    use super::post_cli::ledger_db;
    use predicates::prelude::*;

    /// Two rows written behind the engine's back (an old database, a bad sync) whose
    /// sum does not fit: the reports refuse with exit 3 instead of printing garbage.
    #[test]
    fn cash_report_and_statements_refuse_a_total_that_does_not_fit() {
        let (_dir, db, _) = ledger_db();
        let conn = rusqlite::Connection::open(&db).unwrap();
        for _ in 0..2 {
            conn.execute(
                "INSERT INTO trans (fi, ty, py, pd, tu, di, cm, tx, os, oc, ft)
                 VALUES (1000, '101', '2024-07-20', '2024-07-20', 6000000000000000000, 0, 0, 0, 0, 0, 'payment')",
                [],
            )
            .unwrap();
        }
        drop(conn);
        let run = |args: &[&str]| {
            common::recoup_at(&db, "2024-07-31")
                .args(args)
                .args(["--from", "2024-07-01", "--to", "2024-07-31"])
                .assert()
        };
        run(&["cash-report"])
            .code(3)
            .stderr(predicate::str::contains("a total would exceed"));
        run(&["statements", "generate"])
            .code(3)
            .stderr(predicate::str::contains(
                "client 1001: a total would exceed",
            ));
    }

    #[test]
    fn a_client_payment_beyond_the_ceiling_is_refused() {
        let (_dir, db, _) = ledger_db();
        common::recoup_at(&db, "2024-07-31")
            .args([
                "client-payment",
                "--client",
                "1001",
                "--amount",
                "99999999999999999999",
            ])
            .assert()
            .code(3)
            .stderr(predicate::str::contains("ceiling"));
    }
}

mod ledger_property {
    use super::*;
    use proptest::prelude::*;
    use recoup::money::limits::MAX_AMOUNT_CENTS;

    /// One step: a payment, a reversal (of a payment named by its index among those
    /// posted, or of none named), a charge, or a client payment.
    #[derive(Debug, Clone)]
    enum Op {
        Pay(i64),
        Reverse(Option<usize>, i64),
        Charge(i64),
        ClientPayment(i64),
    }

    /// Amounts from a cent to beyond the ceiling: the edges matter most.
    fn cents() -> impl Strategy<Value = i64> {
        prop_oneof![
            1i64..100_000,
            Just(MAX_AMOUNT_CENTS),
            Just(MAX_AMOUNT_CENTS + 1),
            (MAX_AMOUNT_CENTS / 2)..=MAX_AMOUNT_CENTS,
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            cents().prop_map(Op::Pay),
            (proptest::option::of(0usize..8), cents()).prop_map(|(i, c)| Op::Reverse(i, c)),
            cents().prop_map(Op::Charge),
            cents().prop_map(Op::ClientPayment),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]
        /// Whatever is posted or refused, the debtor's stored totals equal a full
        /// recalculation, every refusal is exit 3 and changes nothing, and no payment
        /// is ever reversed beyond its amount.
        #[test]
        fn totals_stay_equal_to_a_recalculation_and_never_overflow(
            ops in proptest::collection::vec(op(), 1..40)
        ) {
            let (store, mut ledger, fi) = fixture(1001, dec!(1000));
            let conn = store.conn();
            // A principal a few amounts short of the total ceiling (an old balance
            // carried in), so that charges reach the ceiling within a few steps.
            let near = recoup::money::limits::MAX_TOTAL_CENTS - 3 * MAX_AMOUNT_CENTS;
            conn.execute(
                "INSERT INTO trans (fi, ty, py, pd, tu, di, cm, tx, os, oc, ft)
                 VALUES (?1, '160', '2024-06-30', '2024-06-30', ?2, 0, 0, 0, 1, 1, 'principal')",
                rusqlite::params![fi, -near],
            ).unwrap();
            recoup::money::recalculate(conn, fi).unwrap();
            let mut payments: Vec<i64> = Vec::new();
            for (n, op) in ops.into_iter().enumerate() {
                let date = NaiveDate::from_ymd_opt(2024, 7, 1 + (n as u32 % 28));
                let before = recoup::money::recalc::stored_totals(conn, fi).unwrap();
                let (code, cents, reverses) = match op {
                    Op::Pay(c) => ("101", c, None),
                    Op::Reverse(i, c) => ("105", -c, i.and_then(|i| payments.get(i).copied())),
                    Op::Charge(c) => ("351", -c, None),
                    Op::ClientPayment(c) => {
                        let r = recoup::statements::generate::client_payment(conn, 1001, c, day("2024-07-31"));
                        if let Err(e) = r {
                            prop_assert!(e.exit_code() != 0);
                        }
                        continue;
                    }
                };
                let posted = ledger.post(conn, &NewTransaction {
                    file_number: fi, type_code: code.into(), to_us: Some(Decimal::new(cents, 2)),
                    payment_date: date, reverses, ..Default::default()
                });
                match posted {
                    Ok(p) if code == "101" => payments.push(p.id),
                    Ok(_) => {}
                    Err(e) => {
                        prop_assert_eq!(e.exit_code(), 3, "{}", e.message);
                        let after = recoup::money::recalc::stored_totals(conn, fi).unwrap();
                        prop_assert_eq!(&after, &before, "a refusal changes nothing");
                    }
                }
                let kept = recoup::money::recalc::stored_totals(conn, fi).unwrap();
                let full = recoup::money::recalc::totals(conn, fi).unwrap();
                prop_assert_eq!(&kept, &full);
                prop_assert!(kept.owing().unsigned_abs() <= recoup::money::limits::MAX_TOTAL_CENTS as u64);
            }
            // No payment is reversed beyond its amount.
            let over: i64 = conn.query_row(
                "SELECT COUNT(*) FROM trans p WHERE p.ty = '101' AND p.tu + (SELECT COALESCE(SUM(r.tu), 0) FROM trans r WHERE r.rv = p.id) < 0",
                [], |r| r.get(0)).unwrap();
            prop_assert_eq!(over, 0);
        }
    }
}
