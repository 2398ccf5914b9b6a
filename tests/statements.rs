//! Month-end statements on hand-computed cases (docs/money.md; S2:476-520).

mod common;

use recoup::catalog::{by_code, Value};
use recoup::money::{Ledger, NewTransaction};
use recoup::statements::{client_payment, generate, Remit};
use recoup::store::{self, Store};
use rust_decimal::Decimal;

use common::day;

fn store_with(setup_extra: &str) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let base = "[company]\nname = \"T\"\ntax_rate = \"0\"\n";
    recoup::setup::apply_str(
        store.conn_mut(),
        std::path::Path::new("t.toml"),
        &format!("{base}{setup_extra}"),
    )
    .unwrap();
    store
}

fn debtor(store: &Store, client: i64, name: &str, principal: i64) -> i64 {
    let na = by_code("de.na").unwrap();
    let ac = by_code("de.ac").unwrap();
    let fi = store::create_debtor(
        store.conn(),
        client,
        &[
            (na, Value::Text(name.into())),
            (ac, Value::Text(format!("A-{name}"))),
        ],
        day("2024-06-01"),
        true,
    )
    .unwrap();
    post(store, fi, "196", -principal, 0, "2024-06-01");
    fi
}

fn post(
    store: &Store,
    fi: i64,
    code: &str,
    to_us: i64,
    direct: i64,
    date: &str,
) -> recoup::money::Posted {
    try_post(store, fi, code, to_us, direct, date).unwrap()
}

fn try_post(
    store: &Store,
    fi: i64,
    code: &str,
    to_us: i64,
    direct: i64,
    date: &str,
) -> recoup::Result<recoup::money::Posted> {
    Ledger::new(day(date)).post(
        store.conn(),
        &NewTransaction {
            file_number: fi,
            type_code: code.into(),
            to_us: Some(Decimal::new(to_us, 2)),
            direct: Some(Decimal::new(direct, 2)),
            payment_date: Some(day(date)),
            ..Default::default()
        },
    )
}

const JULY: (&str, &str) = ("2024-07-01", "2024-07-31");

fn july(store: &Store) -> Vec<recoup::statements::StatementSummary> {
    generate(store.conn(), day(JULY.0), day(JULY.1), None, false).unwrap()
}

#[test]
fn net_statement_with_reversal_direct_and_client_fee() {
    let store = store_with("[[client]]\nnumber = 1\nname = \"Net Co\"\nrate = \"30\"\ntax_rate = \"10\"\nremit = \"N\"\n");
    let a = debtor(&store, 1, "Able", 500_000);
    post(&store, a, "101", 100_000, 0, "2024-07-05"); // cm 300, tax 30
    post(&store, a, "105", -20_000, 0, "2024-07-10"); // cm -60, tax -6
    post(&store, a, "111", 0, 50_000, "2024-07-12"); // direct: cm 150, tax 15
    post(&store, a, "397", -2_500, 0, "2024-07-13"); // client fee 25 billed
    post(&store, a, "351", -1_000, 0, "2024-07-14"); // debtor fee: omitted from statements
    post(&store, a, "101", 10_000, 0, "2024-08-02"); // next period
    let s = &july(&store)[0];
    assert_eq!(s.remit, Remit::Net);
    assert_eq!(s.lines, 4);
    assert_eq!((s.to_us, s.direct), (80_000, 50_000));
    assert_eq!((s.commission, s.tax, s.fees), (39_000, 3_900, 2_500));
    // cheque = 800 − (390 + 25 + 39) = 346
    assert_eq!((s.check, s.due_from_client), (34_600, 0));
    assert_eq!(s.date, day("2024-08-01"));
    // the lines carry return = To Us + Direct − commission
    let rt: Vec<i64> = store
        .conn()
        .prepare("SELECT rt FROM invoice_line WHERE st = ?1 ORDER BY id")
        .unwrap()
        .query_map([s.statement], |r| r.get(0))
        .unwrap()
        .map(|x| x.unwrap())
        .collect();
    assert_eq!(
        rt,
        vec![100_000 - 30_000, -20_000 + 6_000, 50_000 - 15_000, -2_500]
    );
}

#[test]
fn gross_statement_bills_commission_and_reversals_only_when_asked() {
    for bill_negative in [true, false] {
        let store = store_with(&format!(
            "[[client]]\nnumber = 2\nname = \"Gross Co\"\nrate = \"25\"\nremit = \"G\"\nbill_negative_to_us = {bill_negative}\n"
        ));
        let a = debtor(&store, 2, "Baker", 500_000);
        post(&store, a, "101", 40_000, 0, "2024-07-02"); // cm 100
        post(&store, a, "105", -10_000, 0, "2024-07-03"); // cm -25
        post(&store, a, "111", 0, 20_000, "2024-07-04"); // direct, cm 50
        let s = &july(&store)[0];
        if bill_negative {
            assert_eq!(s.check, 30_000);
            assert_eq!(s.due_from_client, 10_000 - 2_500 + 5_000);
        } else {
            // the reversal is not recovered from the client, nor its commission credited
            assert_eq!(s.check, 40_000);
            assert_eq!(s.due_from_client, 10_000 + 5_000);
        }
    }
}

#[test]
fn combined_statement_nets_to_us_and_bills_direct() {
    let store =
        store_with("[[client]]\nnumber = 3\nname = \"Comb Co\"\nrate = \"20\"\nremit = \"C\"\n");
    let a = debtor(&store, 3, "Carter", 500_000);
    post(&store, a, "101", 50_000, 0, "2024-07-02"); // cm 100
    post(&store, a, "111", 0, 30_000, "2024-07-04"); // cm 60 billed
    let s = &july(&store)[0];
    assert_eq!((s.check, s.due_from_client), (40_000, 6_000));
}

#[test]
fn sub_clients_roll_up_to_their_owner() {
    let store = store_with(
        "[[client]]\nnumber = 10\nname = \"Owner\"\nrate = \"30\"\n[[client]]\nnumber = 11\nname = \"Sub\"\nrate = \"40\"\nowned_by = 10\n[[client]]\nnumber = 12\nname = \"Subsub\"\nrate = \"50\"\nowned_by = 11\n",
    );
    for (c, name) in [(10, "Ann"), (11, "Ben"), (12, "Cy")] {
        let fi = debtor(&store, c, name, 100_000);
        post(&store, fi, "101", 10_000, 0, "2024-07-09");
    }
    let list = july(&store);
    assert_eq!(list.len(), 1, "one statement for the whole family");
    assert_eq!(list[0].client, 10);
    assert_eq!(list[0].lines, 3);
    assert_eq!(list[0].commission, 3_000 + 4_000 + 5_000);
    // generating for a sub-client by number is refused with the owner named
    let err = generate(
        store.conn(),
        day("2024-08-01"),
        day("2024-08-31"),
        Some(12),
        false,
    )
    .unwrap_err();
    assert!(
        err.message.contains("owned by client 10"),
        "{}",
        err.message
    );
}

/// A transaction already on a statement is on no other (docs/month-end.md): here a
/// client billed on its own for July becomes a sub-client, and its owner's July
/// statement leaves the lines billed already.
#[test]
fn a_transaction_on_a_statement_is_never_billed_again() {
    let clients = "[[client]]\nnumber = 20\nname = \"Owner\"\nrate = \"30\"\n[[client]]\nnumber = 21\nname = \"Later sub\"\nrate = \"40\"\n";
    let mut store = store_with(clients);
    let owner = debtor(&store, 20, "Ada", 100_000);
    let sub = debtor(&store, 21, "Bo", 100_000);
    post(&store, owner, "101", 10_000, 0, "2024-07-09");
    post(&store, sub, "101", 20_000, 0, "2024-07-10");
    let sub_statement = generate(store.conn(), day(JULY.0), day(JULY.1), Some(21), false).unwrap();
    assert_eq!(sub_statement[0].lines, 1);
    recoup::setup::apply_str(
        store.conn_mut(),
        std::path::Path::new("t.toml"),
        &format!("{clients}owned_by = 20\n"),
    )
    .unwrap();
    // A payment of the sub-client's posted in July after its statement.
    post(&store, sub, "105", -5_000, 0, "2024-07-15");
    let owner_statement =
        generate(store.conn(), day(JULY.0), day(JULY.1), Some(20), false).unwrap();
    assert_eq!(
        owner_statement[0].lines, 2,
        "the owner's line and the sub-client's unbilled one"
    );
    assert_eq!(owner_statement[0].to_us, 10_000 - 5_000);
    // Each payment names the statement it is on (`tr.iv`).
    let on_statement = |fi: i64| -> String {
        store
            .conn()
            .query_row(
                "SELECT iv FROM trans WHERE fi = ?1 AND ty = '101'",
                [fi],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(on_statement(sub), sub_statement[0].statement.to_string());
    assert_eq!(
        on_statement(owner),
        owner_statement[0].statement.to_string()
    );
}

#[test]
fn balance_forward_carries_and_ages_and_client_payments_pay_oldest_first() {
    let store =
        store_with("[[client]]\nnumber = 5\nname = \"Bill Co\"\nrate = \"30\"\nremit = \"G\"\n");
    let a = debtor(&store, 5, "Dunn", 900_000);
    // May: direct payment only → client owes 150 commission
    post(&store, a, "111", 0, 50_000, "2024-05-10");
    let may = generate(
        store.conn(),
        day("2024-05-01"),
        day("2024-05-31"),
        None,
        false,
    )
    .unwrap();
    assert_eq!(may[0].due_from_client, 15_000);
    // June: nothing posted; the balance forward alone issues a statement
    let june = generate(
        store.conn(),
        day("2024-06-01"),
        day("2024-06-30"),
        None,
        false,
    )
    .unwrap();
    assert_eq!(
        (
            june[0].lines,
            june[0].balance_forward,
            june[0].due_from_client
        ),
        (0, 15_000, 15_000)
    );
    assert_eq!(
        june[0].aged_30, 15_000,
        "May's charge is 31 days old on July 1"
    );
    // July: another direct payment, 90 commission more; May's charge is now 62 days old
    post(&store, a, "111", 0, 30_000, "2024-07-10");
    let s = &july(&store)[0];
    assert_eq!((s.balance_forward, s.due_from_client), (15_000, 24_000));
    assert_eq!((s.aged_30, s.aged_60, s.aged_90), (0, 15_000, 0));
    // a client payment of 200 pays May's 150 first, then 50 of July's 90
    let (_, left) = client_payment(store.conn(), 5, 20_000, day("2024-08-05")).unwrap();
    assert_eq!(left, 4_000);
    assert!(
        client_payment(store.conn(), 5, 5_000, day("2024-08-06")).is_err(),
        "more than owed"
    );
    // August under Gross: the 40 left carries forward, not aged yet (from August 1)
    let aug = generate(
        store.conn(),
        day("2024-08-01"),
        day("2024-08-31"),
        None,
        false,
    )
    .unwrap();
    assert_eq!(
        (aug[0].balance_forward, aug[0].aged_30, aug[0].aged_60),
        (4_000, 4_000, 0)
    );
}

#[test]
fn net_to_us_pays_down_the_balance_forward() {
    let store =
        store_with("[[client]]\nnumber = 6\nname = \"Net Bal\"\nrate = \"30\"\nremit = \"N\"\n");
    let a = debtor(&store, 6, "Ellis", 900_000);
    post(&store, a, "111", 0, 50_000, "2024-06-10"); // June: owes 150
    let june = generate(
        store.conn(),
        day("2024-06-01"),
        day("2024-06-30"),
        None,
        false,
    )
    .unwrap();
    assert_eq!((june[0].check, june[0].due_from_client), (0, 15_000));
    post(&store, a, "101", 100_000, 0, "2024-07-10"); // July: 1000 in, 300 commission
    let s = &july(&store)[0];
    // 1000 − (300 + 150) = 550
    assert_eq!(
        (s.balance_forward, s.check, s.due_from_client),
        (15_000, 55_000, 0)
    );
    assert_eq!(
        recoup::statements::generate::client_balance(store.conn(), 6).unwrap(),
        0
    );
}

#[test]
fn regenerating_is_refused_unless_replace_and_never_before_a_later_statement() {
    let store = store_with("[[client]]\nnumber = 7\nname = \"R\"\nrate = \"30\"\n");
    let a = debtor(&store, 7, "Frost", 900_000);
    post(&store, a, "101", 10_000, 0, "2024-07-10");
    let first = july(&store);
    let err = generate(store.conn(), day(JULY.0), day(JULY.1), None, false).unwrap_err();
    // The library names the way out; the command line says it as `--replace`.
    assert!(
        err.message.contains("already covers part of"),
        "{}",
        err.message
    );
    assert!(!err.message.contains("--"), "{}", err.message);
    assert_eq!(err.remedy, Some(recoup::Remedy::ReplaceStatements));
    // a transaction posted late into July is picked up by the replacement
    post(&store, a, "101", 5_000, 0, "2024-07-20");
    let again = generate(store.conn(), day(JULY.0), day(JULY.1), None, true).unwrap();
    assert_eq!(again[0].lines, 2);
    assert_eq!(again[0].to_us, 15_000);
    // the replacement takes the number it replaces (the highest so far + 1 again)
    assert_eq!(first[0].statement, again[0].statement);
    // each transaction is on exactly one statement
    let n: i64 = store
        .conn()
        .query_row("SELECT COUNT(*) FROM invoice_line", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
    post(&store, a, "101", 5_000, 0, "2024-08-20");
    generate(
        store.conn(),
        day("2024-08-01"),
        day("2024-08-31"),
        None,
        false,
    )
    .unwrap();
    let err = generate(store.conn(), day(JULY.0), day(JULY.1), None, true).unwrap_err();
    assert!(err.message.contains("later statement"), "{}", err.message);
}

mod totals {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// Statement totals equal the sum of their lines to the cent, whatever is posted.
        #[test]
        fn statement_totals_equal_the_sum_of_lines(
            remit in prop_oneof![Just("N"), Just("G"), Just("C")],
            ops in proptest::collection::vec((0usize..6, -30_000i64..90_000, 1u32..31), 1..30)
        ) {
            let store = store_with(&format!("[[client]]\nnumber = 9\nname = \"P\"\nrate = \"33.3\"\ntax_rate = \"7.5\"\nremit = \"{remit}\"\nbill_negative_to_us = true\n"));
            let a = debtor(&store, 9, "Gale", 10_000_000);
            post(&store, a, "101", 12_345, 0, "2024-07-01"); // at least one line
            let codes = ["101", "105", "111", "397", "110", "106"];
            for (c, cents, d) in ops {
                let code = codes[c];
                let (tu, di) = match code { "111" => (0, cents.abs()), "105" => (-cents.abs(), 0), "397" => (-cents.abs() / 10, 0), _ => (cents.abs(), 0) };
                let posted = try_post(&store, a, code, tu, di, &format!("2024-07-{d:02}"));
                // A reversal beyond what is left un-reversed is refused (exit 3).
                if let Err(e) = posted {
                    prop_assert_eq!(e.exit_code(), 3, "{}", e.message);
                }
            }
            let s = &july(&store)[0];
            let (tu, di, cm, tx): (i64, i64, i64, i64) = store.conn().query_row(
                "SELECT SUM(CASE WHEN ty = '397' THEN 0 ELSE tu END), SUM(CASE WHEN ty = '397' THEN 0 ELSE di END), SUM(cm), SUM(tx) FROM invoice_line WHERE st = ?1",
                [s.statement], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap();
            prop_assert_eq!((s.to_us, s.direct, s.commission, s.tax), (tu, di, cm, tx));
            let fees: i64 = store.conn().query_row("SELECT -COALESCE(SUM(tu + di), 0) FROM invoice_line WHERE st = ?1 AND ty = '397'", [s.statement], |r| r.get(0)).unwrap();
            prop_assert_eq!(s.fees, fees);
            // and the outcome follows the remit formula from those sums
            match remit {
                "N" => {
                    let x = tu - (cm + fees + tx);
                    prop_assert_eq!((s.check, s.due_from_client), (x.max(0), (-x).max(0)));
                }
                "G" => prop_assert_eq!((s.check, s.due_from_client), (tu.max(0), cm + tx + fees + (-tu).max(0))),
                _ => prop_assert!(s.check >= 0 && s.due_from_client >= 0),
            }
        }
    }
}
