//! `recoup demo`: the main job in one command (README). It grows with every
//! capability; today it builds a fresh database, applies the shipped setup, places
//! accounts for the setup's clients, posts a month of transactions and prints the
//! balances.

use std::io::Write;
use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::catalog::Value;
use crate::money::accrual::{accrue, AccrualRun};
use crate::money::{from_cents, Ledger, NewTransaction};
use crate::store::{self, Store};
use crate::{setup, Env, Error, Result};

/// One line of the demo's narrative to the writer the command line hands over (its
/// standard output), flushed as it goes so the story keeps pace with the commits
/// reported on the standard error.
macro_rules! say {
    ($w:expr) => { say_fmt($w, format_args!("\n")) };
    ($w:expr, $($arg:tt)*) => { say_fmt($w, format_args!("{}\n", format_args!($($arg)*))) };
}

fn say_fmt(w: &mut dyn Write, args: std::fmt::Arguments<'_>) -> Result<()> {
    w.write_fmt(args)
        .and_then(|()| w.flush())
        .map_err(|e| Error::runtime(format!("standard output: {e}")))
}

/// The demo's pinned date, so its outputs are reproducible (README).
pub const DEMO_TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2024, 7, 31) {
    Some(d) => d,
    None => panic!("bad demo date"),
};

/// The demo's pinned time of day (note stamps, contact times).
pub const DEMO_TIME: chrono::NaiveTime = match chrono::NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => panic!("bad demo time"),
};

/// The shipped placement and payment files, and the maps that read them.
const PLACEMENT_MAP: &str = include_str!("../maps/placement-csv.toml");
const PAYMENT_MAP: &str = include_str!("../maps/payments.toml");
const PLACEMENTS: &[(i64, &str, &str)] = &[
    (1001, "acme.csv", include_str!("../fixtures/demo/acme.csv")),
    (
        1002,
        "valley.csv",
        include_str!("../fixtures/demo/valley.csv"),
    ),
    (
        1003,
        "cards.csv",
        include_str!("../fixtures/demo/cards.csv"),
    ),
];
const PAYMENTS: &[(i64, &str, &str)] = &[
    (
        1001,
        "payments-acme.csv",
        include_str!("../fixtures/demo/payments-acme.csv"),
    ),
    (
        1002,
        "payments-valley.csv",
        include_str!("../fixtures/demo/payments-valley.csv"),
    ),
    (
        1003,
        "payments-cards.csv",
        include_str!("../fixtures/demo/payments-cards.csv"),
    ),
];

/// Transactions a collector posts by hand in July: acct, type, to us, direct, date.
const BY_HAND: &[(&str, &str, &str, &str, &str)] = &[
    ("AC-10002", "301", "", "0", "2024-07-12"), // NSF charge due agency, -$25
    ("AC-10004", "111", "0", "2500.00", "2024-07-10"), // paid direct to the client
    ("AC-10004", "351", "-35.00", "0", "2024-07-20"),
    ("VM-7782", "501", "150.00", "0", "2024-07-25"), // adjustment by client
    ("CS-550012", "111", "0", "250.00", "2024-07-26"),
    ("CS-550013", "106", "", "0", "2024-07-18"), // payment of agency NSF fee
];

fn d(s: &str) -> Option<NaiveDate> {
    crate::dates::parse_iso(s)
}

fn money(s: &str) -> Option<Decimal> {
    if s.is_empty() {
        None
    } else {
        s.parse().ok()
    }
}

/// The demo from a fresh database to the month's files: placements, July's postings,
/// the account work, month-end statements, the letter-service file, the printed
/// statements and the Metro 2 file, narrated to `w`.
pub fn run(env: &Env, out: &Path, w: &mut dyn Write) -> Result<()> {
    let db = out.join("recoup.db");
    let mut store = fresh_database(out, &db)?;
    let created = place_accounts(env, &mut store)?;
    let mut posted = post_payment_files(env, &mut store)?;
    posted += post_by_hand(env, &mut store)?;
    let (arrangement, accrued) = collection_operations(env, &mut store)?;
    posted += (arrangement.transactions.len() + accrued.posted) as u64;
    let (from, to) = (
        d("2024-07-01").unwrap_or(env.today),
        d("2024-07-31").unwrap_or(env.today),
    );
    let (cm, tx_total) = store::transactions::commission_and_tax_posted_since(store.conn(), from)?;

    say!(w, "recoup demo — {} (today {})", db.display(), env.today)?;
    say!(w)?;
    say!(
        w,
        "{:>5} {:>5} {:<22} {:>10} {:>8} {:>7} {:>10} {:>10}",
        "file",
        "clnt",
        "name",
        "principal",
        "interest",
        "fees",
        "paid",
        "owing"
    )?;
    print_balances(w, store.conn())?;
    say!(w)?;
    say!(w,
        "{created} accounts placed; July: {posted} transactions posted, commission {:.2}, tax {:.2}",
        from_cents(cm),
        from_cents(tx_total)
    )?;
    print_collection_operations(w, &arrangement, &accrued)?;
    month_end_statements(w, &mut store, from, to)?;
    letter_service_file(w, env, &mut store, out)?;
    print_statements(w, env, &store, from, to, out)?;
    metro2_file(w, &mut store, env, out)?;
    say!(w)?;
    say!(w, "database: {}", db.display())?;
    Ok(())
}

/// A new database at `db` in `out` (an earlier demo's is removed) with the shipped setup.
fn fresh_database(out: &Path, db: &Path) -> Result<Store> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    for suffix in ["", "-wal", "-shm"] {
        let p = out.join(format!("recoup.db{suffix}"));
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
        }
    }
    let mut store = Store::open(db)?;
    setup::apply_str(
        store.conn_mut(),
        Path::new("setup.toml (shipped)"),
        setup::SHIPPED_SETUP,
    )?;
    Ok(store)
}

/// Placements arrive on June 28 through the CSV placement map; each new account runs
/// its client's new-account plan from that day. Returns the accounts created.
fn place_accounts(env: &Env, store: &mut Store) -> Result<u64> {
    let mut placed = env.clone();
    placed.today = d("2024-06-28").unwrap_or(env.today);
    let mut created = 0;
    for (client, name, text) in PLACEMENTS {
        created += import(
            &placed,
            store,
            PLACEMENT_MAP,
            "maps/placement-csv.toml",
            *client,
            name,
            text,
        )?
        .0;
    }
    // Accounts of reporting clients are activated for the bureaus at placement
    // (setup auto_activate; docs/metro2.md): start date, one-time minimum test, Metro contact.
    let tx = store.begin()?;
    crate::metro2::cbr::auto_activate(&tx, placed.today)?;
    tx.commit()?;
    Ok(created)
}

/// July's payments come in the client's payment files (P → 101, R → 105). Returns
/// the transactions posted.
fn post_payment_files(env: &Env, store: &mut Store) -> Result<u64> {
    let mut posted = 0;
    for (client, name, text) in PAYMENTS {
        posted += import(
            env,
            store,
            PAYMENT_MAP,
            "maps/payments.toml",
            *client,
            name,
            text,
        )?
        .1;
    }
    Ok(posted)
}

/// The transactions a collector posts by hand in July. Returns how many.
fn post_by_hand(env: &Env, store: &mut Store) -> Result<u64> {
    let tx = store.begin()?;
    let mut ledger = Ledger::new(env.today);
    let mut posted = 0;
    for (acct, code, to_us, direct, date) in BY_HAND {
        let fi = file_of(&tx, acct)?;
        ledger.post(
            &tx,
            &NewTransaction {
                file_number: fi,
                type_code: (*code).into(),
                to_us: money(to_us),
                direct: money(direct),
                payment_date: d(date),
                ..Default::default()
            },
        )?;
        posted += 1;
    }
    tx.commit()?;
    Ok(posted)
}

/// Month-end: one statement per client for the period, dated the day after.
fn month_end_statements(
    w: &mut dyn Write,
    store: &mut Store,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<()> {
    let tx = store.begin()?;
    let statements = crate::statements::generate(&tx, from, to, None, false)?;
    tx.commit()?;
    say!(w)?;
    say!(
        w,
        "{:>5} {:>6} {:<5} {:>10} {:>10} {:>10}",
        "stmt",
        "client",
        "remit",
        "to us",
        "cheque",
        "due"
    )?;
    for s in &statements {
        say!(
            w,
            "{:>5} {:>6} {:<5} {:>10} {:>10} {:>10}",
            s.statement,
            s.client,
            s.remit.code(),
            from_cents(s.to_us),
            from_cents(s.check),
            from_cents(s.due_from_client)
        )?;
    }
    Ok(())
}

/// The mail house's letter-service file for the letters the NEW plan scheduled.
fn letter_service_file(w: &mut dyn Write, env: &Env, store: &mut Store, out: &Path) -> Result<()> {
    let tx = store.begin()?;
    let ls_opts = crate::letters::service::ServiceOptions {
        from: d("2024-06-01").unwrap_or(env.today),
        to: env.today,
        format: crate::letters::service::Format::Ontario,
        k03: false,
        print_unverified: false,
        cosigners: true,
        mark_done: true,
    };
    let (bytes, ls) = crate::letters::service::run(env, &tx, &ls_opts)?;
    let ls_path = out.join("letters-service.txt");
    crate::output::write_file(&ls_path, &bytes)?;
    tx.commit()?;
    say!(w)?;
    say!(
        w,
        "letter service: {} letter(s) to {}",
        ls.total(),
        ls_path.display()
    )
}

/// The period's statements as PDF and text, and the cheque register.
fn print_statements(
    w: &mut dyn Write,
    env: &Env,
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
    out: &Path,
) -> Result<()> {
    use crate::statements::print::{print, PrintFormat, Selection};
    let stmt_dir = out.join("statements");
    let sel = Selection::Period(from, to);
    let mut files = print(env, store.conn(), &sel, &stmt_dir, PrintFormat::Pdf)?;
    files.extend(print(
        env,
        store.conn(),
        &sel,
        &stmt_dir,
        PrintFormat::Text,
    )?);
    files.sort();
    files.dedup();
    say!(w)?;
    say!(w, "statements:")?;
    for f in &files {
        say!(w, "  {}", f.display())?;
    }
    Ok(())
}

/// The file number of the demo's account `acct`.
fn file_of(conn: &store::Db, acct: &str) -> Result<i64> {
    store::find_debtors_by_acct(conn, acct, None)?
        .first()
        .copied()
        .ok_or_else(|| Error::runtime(format!("demo data: unknown acct {acct}")))
}

/// The debtor on an arrangement and the debtor bearing interest.
const ARRANGEMENT_ACCT: &str = "AC-10004";
const INTEREST_ACCT: &str = "AC-10001";

/// The account-level money an agency works every day (docs/money.md): on July 1
/// Smith Plumbing agrees to pay 500.00 a month from August with 250.00 down and a
/// 25.00 service charge; John Doe's balance bears 18 % simple interest from
/// placement, accrued through month end on the principal his payments leave. Both
/// appear on Acme's July statement.
fn collection_operations(
    env: &Env,
    store: &mut Store,
) -> Result<(crate::arrangements::Arrangement, AccrualRun)> {
    let tx = store.begin()?;
    let mut on_july_1 = env.clone();
    on_july_1.today = d("2024-07-01").unwrap_or(env.today);
    let arrangement = crate::arrangements::add(
        &tx,
        &on_july_1,
        &crate::arrangements::Request {
            debtor: file_of(&tx, ARRANGEMENT_ACCT)?,
            amount: Decimal::new(50000, 2),
            every: crate::arrangements::Every::Month,
            first: d("2024-08-01").unwrap_or(env.today),
            count: None,
            down: Some(Decimal::new(25000, 2)),
            service_charge: Some(Decimal::new(2500, 2)),
            discount: None,
            replace: false,
        },
    )?;
    let doe = file_of(&tx, INTEREST_ACCT)?;
    let field = |code: &str| {
        crate::catalog::by_code(code)
            .ok_or_else(|| Error::runtime(format!("catalogue has no {code}")))
    };
    crate::money::update_debtor_fields(
        &tx,
        doe,
        &[
            (field("de.ity")?, Value::Text("simple".into())),
            (field("de.irt")?, Value::Percent(Decimal::new(18, 0))),
            (
                field("de.ifd")?,
                Value::Date(d("2024-06-28").unwrap_or(env.today)),
            ),
        ],
    )?;
    let mut ledger = Ledger::new(env.today);
    let order = crate::setup::interest::payment_order(&tx)?;
    let accrued = accrue(&tx, &mut ledger, env.today, &[doe], order, |_| {})?;
    tx.commit()?;
    Ok((arrangement, accrued))
}

fn print_collection_operations(
    w: &mut dyn Write,
    arrangement: &crate::arrangements::Arrangement,
    accrued: &AccrualRun,
) -> Result<()> {
    let promises = &arrangement.promises;
    if let (Some(first), Some(last)) = (promises.first(), promises.last()) {
        say!(w,
            "arrangement: file {} ({ARRANGEMENT_ACCT}) {} a {} from {}: {} promise(s) to {}; down {}, service charge {}",
            arrangement.debtor,
            arrangement.amount,
            arrangement.every,
            first.due,
            promises.len(),
            last.due,
            arrangement.down,
            arrangement.service_charge
        )?;
    }
    say!(
        w,
        "interest: {INTEREST_ACCT} at 18 % simple from 2024-06-28: {} posting(s), {:.2}",
        accrued.posted,
        accrued.total
    )?;
    Ok(())
}

/// Month-end credit reporting: July's Metro 2 file, validated, contacts marked done.
fn metro2_file(w: &mut dyn Write, store: &mut Store, env: &Env, out: &Path) -> Result<()> {
    use crate::metro2::generate::{generate, GenerateOptions};
    let path = out.join("metro2.txt");
    let opts = GenerateOptions {
        out: path.clone(),
        as_of: d("2024-07-31"),
        mark_done: true,
        ..GenerateOptions::default()
    };
    let mut warnings = Vec::new();
    let summary = generate(store.conn_mut(), env, &opts, &mut warnings)?;
    say!(w)?;
    write!(w, "{summary}")?;
    for line in String::from_utf8_lossy(&warnings).lines() {
        say!(w, "  {line}")?;
    }
    let file = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
    let report = crate::metro2::validate::validate(
        std::io::BufReader::new(file),
        crate::metro2::Profile::Collection,
    );
    say!(
        w,
        "  validate --profile collection: {} error(s), {} warning(s)",
        report.counts.errors,
        report.counts.warnings
    )?;
    if report.has_errors() {
        return Err(Error::validation(format!(
            "{}: the demo's Metro 2 file fails validation",
            path.display()
        )));
    }
    Ok(())
}

/// The balances table: one line per debtor.
fn print_balances(w: &mut dyn Write, conn: &store::Db) -> Result<()> {
    store::debtors::for_each_debtor_balance(conn, |b| {
        say!(
            w,
            "{:>5} {:>5} {:<22} {:>10} {:>8} {:>7} {:>10} {:>10}",
            b.fi,
            b.client,
            b.name.chars().take(22).collect::<String>(),
            from_cents(b.principal),
            from_cents(b.interest),
            from_cents(b.fees),
            from_cents(b.paid),
            from_cents(b.owing),
        )
    })
}

/// Import one embedded file through an embedded map; returns the debtors created and
/// the transactions posted. The new-account plans run after the commit.
fn import(
    env: &Env,
    store: &mut Store,
    map_text: &str,
    map_label: &str,
    client: i64,
    name: &str,
    text: &str,
) -> Result<(u64, u64)> {
    let map = crate::import::Map::parse(map_label, map_text)?;
    let ctx = crate::import::pipeline::Ctx {
        today: env.today,
        now: env.now,
        client: Some(client),
    };
    let opts = crate::import::ImportOptions {
        client: Some(client),
        ..Default::default()
    };
    let mut review = crate::import::Review::off();
    let label = format!("fixtures/demo/{name}");
    let rejects = std::env::temp_dir().join(format!("recoup-demo-{name}.rejects.csv"));
    let job = crate::import::ImportJob {
        map: &map,
        map_label,
        label: &label,
        ctx,
        opts: &opts,
        rejects_path: rejects,
        review: &mut review,
        progress: None,
    };
    let mut summary = crate::import::import_into(store.conn_mut(), text.as_bytes(), job)?;
    if summary.rejected > 0 {
        return Err(Error::runtime(format!(
            "demo data: {label}: {} record(s) rejected",
            summary.rejected
        )));
    }
    crate::import::run::run_new_account_plans(env, store.conn_mut(), &mut summary)?;
    Ok((
        summary.created.get("debtor").copied().unwrap_or(0),
        summary.posted,
    ))
}
