//! `recoup metro2 generate`: the Metro 2 file from the database (docs/metro2.md).
//!
//! One pass over the debtors in file-number order (a merge with their reported
//! cosigners), each mapped by `build::build_records`, checked with the collection
//! profile and written; the trailer is recomputed by the writer. Lookups that would
//! be one query per debtor (clients, the month's payments, the report history) are
//! loaded once into maps. The file is written beside `--out` and renamed into place
//! only when it is accepted. The database changes only with `--mark-done`.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufWriter, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use super::build::{
    build_header, build_records, AccountInput, BuildOptions, Bureau, ClientInput, CosignerInput,
    HeaderInput, Status,
};
use super::cbr::{plan_activation, record_activation, Activation, CbrSetup, ClientDelay};
use super::segment::Segment;
use super::validate::{check_record, validate, Finding};
use super::{LineEnding, Profile, Severity, Writer};
use crate::catalog::Form;
use crate::dates::iso_date;
use crate::money::from_cents;
use crate::store::metro2::{ReportableCosigner, ReportableDebtor};
use crate::store::{self, Db};
use crate::{Env, Error, Remedy, Result};

/// The command's switches.
#[derive(Debug, Clone, Default)]
pub struct GenerateOptions {
    pub out: PathBuf,
    /// Default: today.
    pub as_of: Option<NaiveDate>,
    /// Keep only this bureau's program identifier in the header.
    pub bureau: Option<Bureau>,
    /// No line ending after the records (overrides setup's `line_ending`).
    pub no_newline: bool,
    /// Record the report history, complete and forward the Metro contacts.
    pub mark_done: bool,
    /// Write the file even when the header fails validation.
    pub force: bool,
    /// Keep every excluded account in the summary, not only the first of each reason
    /// (the command line sets it for `--json`).
    pub list_all_exclusions: bool,
}

/// Records written, by segment.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SegmentCounts {
    pub header: u64,
    pub base: u64,
    #[serde(rename = "J1")]
    pub j1: u64,
    #[serde(rename = "J2")]
    pub j2: u64,
    #[serde(rename = "K1")]
    pub k1: u64,
    pub trailer: u64,
}

/// What a run did (the `--json` summary).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub out: String,
    pub as_of: String,
    pub counts: SegmentCounts,
    pub reported: u64,
    /// Accounts reported, by status code.
    pub statuses: BTreeMap<String, u64>,
    /// Accounts not reported, by reason (a stderr warning per reason).
    pub excluded: BTreeMap<String, u64>,
    /// The accounts not reported, in file-number order: every one with `--json`,
    /// else only the first [`EXCLUSIONS_NAMED`] of each reason (a run can exclude
    /// hundreds of thousands).
    pub exclusions: Vec<ExcludedAccount>,
    /// Keep every excluded account in `exclusions` (set for `--json`).
    #[serde(skip)]
    pub list_all_exclusions: bool,
    /// Accounts whose final 62/DA/DF was reported before: no longer reported.
    pub finished: u64,
    /// Accounts activated by this run (auto_activate); kept only with --mark-done.
    pub activated: u64,
    /// Accounts recorded in the report history (--mark-done).
    pub marked_done: u64,
    /// Time-barred accounts reported, each with a warning (docs/money.md).
    pub time_barred: u64,
}

/// One account not reported, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExcludedAccount {
    pub file: i64,
    /// The summary key (`no_ssn_or_dob`, `under_minimum`, `validation`, …).
    pub reason: String,
    pub message: String,
}

/// File numbers named per reason in the stderr warning.
pub const EXCLUSIONS_NAMED: usize = 5;

impl Summary {
    /// One warning line per exclusion reason: the count, the first file numbers and
    /// the first account's message (`--json` lists every account).
    pub fn exclusion_warnings(&self) -> Vec<String> {
        self.excluded
            .iter()
            .map(|(key, n)| {
                let named: Vec<&ExcludedAccount> = self
                    .exclusions
                    .iter()
                    .filter(|e| e.reason == *key)
                    .take(EXCLUSIONS_NAMED)
                    .collect();
                let mut files = named
                    .iter()
                    .map(|e| e.file.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                if *n > named.len() as u64 {
                    files.push_str(&format!(" and {} more", *n - named.len() as u64));
                }
                let example = named
                    .first()
                    .map(|e| format!("; file {}: {}", e.file, e.message))
                    .unwrap_or_default();
                format!("warning: {n} account(s) not reported ({key}): files {files}{example}")
            })
            .collect()
    }
}

/// A client as the run needs it.
struct ClientRow {
    input: ClientInput,
    delay: ClientDelay,
}

/// An account's earlier reports (as-of dates before this run's).
#[derive(Default)]
struct Past {
    months: Vec<NaiveDate>,
    final_reported: bool,
}

fn company_text(rec: &store::FieldValues, field: &str) -> String {
    rec.iter()
        .find(|(f, _)| f.field == field)
        .map(|(_, v)| v.plain())
        .unwrap_or_default()
}

fn load_clients(conn: &Db) -> Result<ByFile<ClientRow>> {
    let mut out = ByFile::default();
    for c in store::metro2::metro2_clients(conn)? {
        let input = ClientInput {
            name: c.name,
            classification: c.classification,
            original_creditor_in_user: c.original_creditor_in_user.trim().parse().unwrap_or(0),
            reports_to_bureaus: c.reports_to_bureaus,
            send_client_detail: c.send_client_detail,
            ..ClientInput::default()
        };
        let delay = ClientDelay {
            delay_days: c.delay_days.trim().parse().ok(),
            min_balance: c.min_balance.map(from_cents),
        };
        out.insert(c.number, ClientRow { input, delay });
    }
    Ok(out)
}

/// An account's money as of the as-of date, from its transactions (docs/metro2.md: the
/// file reports the month, not the day it is made).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct AsOfMoney {
    /// What the transactions dated after the as-of date took off the owing (their
    /// To Us + Direct: payments positive, charges negative); added back to `de.ow`.
    after: Decimal,
    /// Payments dated from the 1st of the as-of month through the as-of date.
    paid_in_month: Decimal,
    /// The latest payment dated on or before the as-of date.
    last_payment: Option<NaiveDate>,
    /// The account has payment transactions at all (else `de.lpd`, e.g. imported, stands).
    has_payments: bool,
}

/// [`AsOfMoney`] per debtor, sorted by file number. A payment that was reversed
/// (105 / NSF: a negative payment whose `tr.rv` names it) and its reversal count
/// nowhere — not in the Actual Payment, not as the Date of Last Payment, and not
/// in the balance — whatever their dates: the money never arrived. Transactions
/// without a payment date are taken as before the as-of date.
fn load_as_of_money(conn: &Db, as_of: NaiveDate) -> Result<Vec<(i64, AsOfMoney)>> {
    let first = as_of.with_day(1).unwrap_or(as_of);
    let mut out = Vec::new();
    store::metro2::for_each_as_of_money(conn, first, as_of, |fi, m| {
        out.push((
            fi,
            AsOfMoney {
                after: from_cents(m.after),
                paid_in_month: from_cents(m.paid_in_month),
                last_payment: m.last_payment,
                has_payments: m.has_payments,
            },
        ));
    })?;
    Ok(out)
}

/// Put the account back as it stood on the as-of date: the owing before later
/// transactions, the month's payments and the last payment up to that date.
/// `None` when the owing overflows (a corrupt amount; the account is excluded).
fn apply_as_of(a: &mut AccountInput, money: Option<&AsOfMoney>, as_of: NaiveDate) -> Option<()> {
    let m = money.copied().unwrap_or_default();
    a.owing = a.owing.checked_add(m.after)?;
    // A reversal of an earlier month's payment makes no negative Actual Payment.
    a.paid_in_month = m.paid_in_month.max(Decimal::ZERO);
    if m.has_payments {
        a.last_payment = m.last_payment;
    }
    a.last_payment = a.last_payment.filter(|d| *d <= as_of);
    Some(())
}

fn load_history(conn: &Db, as_of: NaiveDate) -> Result<Vec<(i64, Past)>> {
    let mut out: Vec<(i64, Past)> = Vec::new();
    store::metro2::for_each_report_before(conn, as_of, |fi, date, status| {
        if out.last().is_none_or(|(f, _)| *f != fi) {
            out.push((fi, Past::default()));
        }
        let Some((_, p)) = out.last_mut() else {
            return;
        };
        if let Some(d) = date {
            if matches!(status, "93" | "62") {
                p.months.push(d);
            }
        }
        if matches!(status, "62" | "DA" | "DF") {
            p.final_reported = true;
        }
    })?;
    Ok(out)
}

/// Accounts that failed the minimum test at activation and are still switched off.
fn load_under_minimum(conn: &Db) -> Result<Vec<(i64, String)>> {
    store::metro2::excluded_under_minimum(conn)
}

/// Client numbers hashed as they are (SipHash showed in profiles of the 1M-debtor run).
#[derive(Default, Clone, Copy)]
struct FileNumberHasher(u64);

impl std::hash::Hasher for FileNumberHasher {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }
    fn write_i64(&mut self, n: i64) {
        self.0 = n as u64;
    }
}

type ByFile<V> = HashMap<i64, V, std::hash::BuildHasherDefault<FileNumberHasher>>;

/// Credit-grantor mode: the due date of each account's pending Metro contact.
fn load_metro_contacts(conn: &Db) -> Result<Vec<(i64, NaiveDate)>> {
    store::metro2::pending_metro_contacts(conn)
}

/// Fill an account from the store's row: its text buffers are swapped, not copied
/// (the row gets the account's old buffers to refill for the next debtor).
fn fill_debtor(d: &mut ReportableDebtor, a: &mut AccountInput) {
    use std::mem::swap;
    a.file_number = d.file_number;
    swap(&mut a.name, &mut d.name);
    swap(&mut a.generation, &mut d.generation);
    swap(&mut a.address1, &mut d.address1);
    swap(&mut a.address2, &mut d.address2);
    swap(&mut a.city, &mut d.city);
    swap(&mut a.state, &mut d.state);
    swap(&mut a.zip, &mut d.zip);
    swap(&mut a.country, &mut d.country);
    swap(&mut a.ssn, &mut d.ssn);
    a.dob = d.dob;
    swap(&mut a.phone, &mut d.phone);
    a.listed = d.listed;
    a.delinquency = d.delinquency;
    a.charged = d.charged;
    a.closed = d.closed;
    a.last_payment = d.last_payment;
    a.original_principal = from_cents(d.original_principal);
    a.owing = from_cents(d.owing);
    swap(&mut a.mode, &mut d.mode);
    swap(&mut a.status_override, &mut d.status_override);
    swap(&mut a.ecoa, &mut d.ecoa);
    a.start_reporting = d.start_reporting;
    swap(&mut a.client.debtor_user1, &mut d.user1);
    swap(&mut a.client.debtor_user2, &mut d.user2);
}

fn cosigner_input(c: ReportableCosigner) -> CosignerInput {
    CosignerInput {
        name: c.name,
        generation: c.generation,
        address1: c.address1,
        address2: c.address2,
        city: c.city,
        state: c.state,
        zip: c.zip,
        country: c.country,
        ssn: c.ssn,
        dob: c.dob,
        phone: c.phone,
        same_address: c.same_address,
        class: c.class,
        ecoa: c.ecoa,
        report: true,
    }
}

/// The header findings (file-level): the header written alone with an empty
/// trailer and validated with the collection profile.
fn header_findings(header: &Segment) -> Result<Vec<Finding>> {
    let mut w = Writer::new(Vec::new(), LineEnding::Lf);
    let shape = |e: super::write::WriteError| Error::validation(format!("header: {e}"));
    w.header(header).map_err(shape)?;
    let bytes = w.finish().map_err(shape)?;
    let report = validate(&bytes[..], Profile::Collection);
    Ok(report
        .findings
        .into_iter()
        .filter(|f| f.record == 1 && f.severity != Severity::Info)
        .collect())
}

/// The next reporting period's date: a month later (month end stays month end).
fn next_period(as_of: NaiveDate) -> NaiveDate {
    let month_end = as_of.succ_opt().is_none_or(|n| n.month() != as_of.month());
    let next = as_of.checked_add_months(Months::new(1)).unwrap_or(as_of);
    if month_end {
        let first_after = next
            .with_day(1)
            .and_then(|d| d.checked_add_months(Months::new(1)));
        first_after.and_then(|d| d.pred_opt()).unwrap_or(next)
    } else {
        next
    }
}

/// The run's bookkeeping for `--mark-done`.
#[derive(Default)]
struct Done {
    activations: Vec<(i64, Activation)>,
    reported: Vec<(i64, Status)>,
}

/// Set-based: the reported accounts go to a temporary table, then one statement each
/// records the history, completes the Metro contacts and forwards them (one statement
/// per account took 12 s for 1M accounts).
fn mark_done(conn: &Db, as_of: NaiveDate, today: NaiveDate, done: &Done) -> Result<u64> {
    for (fi, a) in &done.activations {
        record_activation(conn, *fi, today, a)?;
    }
    store::metro2::record_reported(
        conn,
        as_of,
        today,
        next_period(as_of),
        super::cbr::METRO_DESCRIPTION,
        done.reported
            .iter()
            .map(|(fi, status)| (*fi, status.code())),
    )?;
    Ok(done.reported.len() as u64)
}

/// The Metro 2 file from the database. Warnings (`warning: file N: reason`) go to
/// `warn`. The database changes only with `mark_done` (in one transaction, after
/// the file is in place).
pub fn generate(
    conn: &mut Db,
    env: &Env,
    opts: &GenerateOptions,
    warn: &mut (dyn Write + Send),
) -> Result<Summary> {
    let setup = CbrSetup::load(conn)?;
    let as_of = opts.as_of.unwrap_or(env.today);
    let today = env.today;
    let ending = if opts.no_newline {
        LineEnding::None
    } else {
        LineEnding::parse(&setup.line_ending).ok_or_else(|| {
            Error::config(format!(
                "[credit_bureau] line_ending '{}' must be crlf, lf or none",
                setup.line_ending
            ))
        })?
    };
    let company = store::read_record(conn, Form::Company, 1)?.unwrap_or_default();
    let (header, header_warnings) = build_header(&HeaderInput {
        reporter_name: company_text(&company, "na"),
        address: company_text(&company, "ad"),
        address2: company_text(&company, "a1"),
        city: company_text(&company, "ci"),
        state: company_text(&company, "st"),
        zip: company_text(&company, "zi"),
        phone: company_text(&company, "ph"),
        equifax_id: setup.equifax_id.clone(),
        experian_id: setup.experian_id.clone(),
        transunion_id: setup.transunion_id.clone(),
        innovis_id: setup.innovis_id.clone(),
        bureau: opts.bureau,
        activity_date: as_of,
        date_created: today,
    })
    .map_err(|e| Error::validation(format!("header: {e}")))?;
    for m in header_warnings {
        writeln!(warn, "warning: header: {m}")?;
    }
    let findings = header_findings(&header)?;
    let header_errors: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    if !header_errors.is_empty() && !opts.force {
        let list: Vec<String> = findings
            .iter()
            .map(|f| format!("  record 1 {}", f))
            .collect();
        return Err(Error::validation(format!(
            "{}: refused: the header fails validation ({} error(s)):\n{}",
            opts.out.display(),
            header_errors.len(),
            list.join("\n")
        ))
        .with_remedy(Remedy::WriteAnyway));
    }
    for f in &findings {
        writeln!(warn, "warning: header: {}", f)?;
    }

    let clients = load_clients(conn)?;
    let money = load_as_of_money(conn, as_of)?;
    let history = load_history(conn, as_of)?;
    let under_minimum = load_under_minimum(conn)?;
    let grantor_dates = if setup.credit_grantor {
        load_metro_contacts(conn)?
    } else {
        Vec::new()
    };
    let time_barred = crate::sol::Metro2Check::load(conn, as_of)?;
    let options = BuildOptions {
        as_of,
        now: today.and_time(env.now),
        identification_number: setup.identification_number.clone(),
        medical_rules: setup.medical_rules,
    };

    // A temporary file renamed over --out (a link writes its target): crate::output.
    let mut file = crate::output::OutputFile::create(&opts.out)?;
    let result = write_records(
        conn,
        &header,
        &mut file,
        ending,
        &Lookups {
            setup: &setup,
            clients: &clients,
            money: &money,
            history: &history,
            under_minimum: &under_minimum,
            grantor_dates: &grantor_dates,
            list_all_exclusions: opts.list_all_exclusions,
            time_barred: &time_barred,
        },
        &options,
        warn,
    );
    let (mut summary, done) = result?;
    for line in summary.exclusion_warnings() {
        writeln!(warn, "{line}")?;
    }
    // A file without a base record fails the bureaus' checks (and our own: the
    // trailer's Total Base Records is required); sending none is what is meant.
    if summary.reported == 0 {
        // Not committed: the temporary file goes, nothing appears under --out.
        drop(file);
        // Activations of this run are still recorded: the client's minimum is
        // tested once, at activation (S2:580-590), not again at the next run.
        if opts.mark_done {
            let tx = store::begin(conn)?;
            mark_done(&tx, as_of, today, &done)?;
            tx.commit()?;
        }
        let excluded: u64 = summary.excluded.values().sum();
        return Err(Error::validation(format!(
            "{}: nothing to report ({excluded} account(s) excluded, {} finished earlier); no file written",
            opts.out.display(),
            summary.finished
        )));
    }
    file.commit()?;
    summary.out = opts.out.display().to_string();
    summary.as_of = iso_date(as_of);
    summary.activated = done
        .activations
        .iter()
        .filter(|(_, a)| a.under_minimum.is_none())
        .count() as u64;
    if opts.mark_done {
        let tx = store::begin(conn)?;
        summary.marked_done = mark_done(&tx, as_of, today, &done)?;
        tx.commit()?;
    }
    Ok(summary)
}

struct Lookups<'a> {
    setup: &'a CbrSetup,
    clients: &'a ByFile<ClientRow>,
    /// These sorted by file number, read with `seek` as the debtors go by.
    money: &'a [(i64, AsOfMoney)],
    history: &'a [(i64, Past)],
    under_minimum: &'a [(i64, String)],
    grantor_dates: &'a [(i64, NaiveDate)],
    /// `--json`: keep every excluded account for the summary.
    list_all_exclusions: bool,
    time_barred: &'a crate::sol::Metro2Check,
}

/// Count an account not reported; keep it for the warning (or the JSON list).
fn exclude(summary: &mut Summary, fi: i64, key: &str, reason: &str) {
    let n = summary.excluded.entry(key.to_string()).or_default();
    *n += 1;
    if summary.list_all_exclusions || *n <= EXCLUSIONS_NAMED as u64 {
        summary.exclusions.push(ExcludedAccount {
            file: fi,
            reason: key.to_string(),
            message: reason.to_string(),
        });
    }
}

/// The entry for `fi` in a list sorted by file number, moving `pos` forward only
/// (the debtors come in file-number order: sequential reads, no hashing).
fn seek<'a, T>(items: &'a [(i64, T)], pos: &mut usize, fi: i64) -> Option<&'a T> {
    while items.get(*pos).is_some_and(|(k, _)| *k < fi) {
        *pos += 1;
    }
    items.get(*pos).filter(|(k, _)| *k == fi).map(|(_, v)| v)
}

/// What the reading thread hands the writing thread, in file-number order.
enum Job {
    Account(Box<AccountInput>),
    Excluded {
        fi: i64,
        key: &'static str,
        reason: String,
    },
}

/// Jobs per batch sent between the threads.
const BATCH: usize = 256;

/// Read the debtors (this thread) and build, check and write their records (a
/// second thread): on the 1M-debtor benchmark the two halves cost about the same.
/// Every warning is written by the second thread, so stderr keeps file-number order.
fn write_records(
    conn: &Db,
    header: &Segment,
    file: &mut crate::output::OutputFile,
    ending: LineEnding,
    l: &Lookups<'_>,
    options: &BuildOptions,
    warn: &mut (dyn Write + Send),
) -> Result<(Summary, Done)> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Job>>(8);
    let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<Job>>();
    std::thread::scope(|scope| {
        let list_all = l.list_all_exclusions;
        let barred = l.time_barred;
        let worker = scope.spawn(move || {
            consume(
                rx, back_tx, header, file, ending, options, list_all, barred, warn,
            )
        });
        let read = produce(conn, l, options, &tx, &back_rx);
        drop(tx);
        let written = worker
            .join()
            .map_err(|_| Error::runtime("metro2 writer thread failed"))?;
        let (mut done, finished) = read?;
        let (mut summary, reported) = written?;
        summary.finished = finished;
        done.reported = reported;
        Ok((summary, done))
    })
}

/// The reading half: which debtors, activation, history, the month's payments.
/// Returns the activations and the count of finished accounts.
fn produce(
    conn: &Db,
    l: &Lookups<'_>,
    options: &BuildOptions,
    tx: &std::sync::mpsc::SyncSender<Vec<Job>>,
    back: &std::sync::mpsc::Receiver<Vec<Job>>,
) -> Result<(Done, u64)> {
    let mut done = Done::default();
    let mut finished = 0u64;
    let mut spare: Vec<Box<AccountInput>> = Vec::new();
    let mut batch: Vec<Job> = Vec::with_capacity(BATCH);
    let mut writer_gone = false;
    // A closed channel means the writer stopped with an error; it reports it.
    let send = |batch: &mut Vec<Job>| -> bool {
        tx.send(std::mem::replace(batch, Vec::with_capacity(BATCH)))
            .is_ok()
    };

    // Switched off after a failed minimum test: logged every run (docs/metro2.md).
    for (fi, reason) in l.under_minimum {
        batch.push(Job::Excluded {
            fi: *fi,
            key: "under_minimum",
            reason: reason.clone(),
        });
    }
    let mut last_client: Option<(i64, &ClientRow)> = None;
    let mut at = (0usize, 0usize, 0usize); // positions in payments, history, grantor dates
    store::metro2::for_each_reportable_debtor(conn, |row, cosigners| {
        let fi = row.file_number;
        let cn = row.client;
        // Inputs come back from the writer to be refilled (no allocation per debtor).
        while let Ok(used) = back.try_recv() {
            spare.extend(used.into_iter().filter_map(|j| match j {
                Job::Account(a) => Some(a),
                Job::Excluded { .. } => None,
            }));
        }
        let mut a = spare.pop().unwrap_or_default();
        // This debtor's reported cosigners (the store merges them in file-number order).
        a.cosigners.clear();
        a.cosigners.extend(cosigners.drain(..).map(cosigner_input));
        // Debtors of one client usually come together: look the client up on a change only.
        let client = match last_client {
            Some((n, c)) if n == cn => c,
            _ => {
                let Some(c) = l.clients.get(&cn) else {
                    spare.push(a);
                    return Ok(ControlFlow::Continue(()));
                };
                last_client = Some((cn, c));
                c
            }
        };
        let cl = &client.input;
        a.client.name.clone_from(&cl.name);
        a.client.classification.clone_from(&cl.classification);
        a.client.original_creditor_in_user = cl.original_creditor_in_user;
        a.client.send_client_detail = cl.send_client_detail;
        a.client.reports_to_bureaus = cl.reports_to_bureaus;
        fill_debtor(row, &mut a);
        // Activation (docs/metro2.md): auto-activation of a blank `de.cbr` for reporting
        // clients, and the missing start date of an account switched on by hand or by
        // import. In memory here; written by --mark-done.
        let activate = match row.report {
            Some(true) => a.start_reporting.is_none(),
            None if l.setup.auto_activate && cl.reports_to_bureaus => true,
            Some(false) | None => {
                spare.push(a);
                return Ok(ControlFlow::Continue(()));
            }
        };
        if activate {
            let act = plan_activation(a.listed, options.now.date(), a.owing, client.delay, l.setup);
            a.start_reporting = Some(act.start);
            let under = act.under_minimum.clone();
            done.activations.push((fi, act));
            if let Some(reason) = under {
                spare.push(a);
                batch.push(Job::Excluded {
                    fi,
                    key: "under_minimum",
                    reason,
                });
                return Ok(ControlFlow::Continue(()));
            }
        }
        let past = seek(l.history, &mut at.1, fi);
        if past.is_some_and(|p| p.final_reported) {
            finished += 1;
            spare.push(a);
            return Ok(ControlFlow::Continue(()));
        }
        a.history.reported_before = past.is_some();
        a.history.months_at_93_or_62.clear();
        if let Some(p) = past {
            a.history.months_at_93_or_62.extend_from_slice(&p.months);
        }
        if apply_as_of(&mut a, seek(l.money, &mut at.0, fi), options.as_of).is_none() {
            spare.push(a);
            batch.push(Job::Excluded {
                fi,
                key: "invalid",
                reason: "the owing as of the as-of date does not fit a money amount".into(),
            });
            return Ok(ControlFlow::Continue(()));
        }
        a.grantor_occurrence = if l.setup.credit_grantor {
            Some(
                seek(l.grantor_dates, &mut at.2, fi)
                    .copied()
                    .unwrap_or(options.as_of),
            )
        } else {
            None
        };
        if let Some(reason) = l.time_barred.exclusion(fi) {
            spare.push(a);
            batch.push(Job::Excluded {
                fi,
                key: "time_barred",
                reason,
            });
            return Ok(ControlFlow::Continue(()));
        }
        batch.push(Job::Account(a));
        if batch.len() >= BATCH && !send(&mut batch) {
            writer_gone = true;
            return Ok(ControlFlow::Break(()));
        }
        Ok(ControlFlow::Continue(()))
    })?;
    if !writer_gone && !batch.is_empty() {
        send(&mut batch);
    }
    Ok((done, finished))
}

/// The writing half: build, check with the collection profile, write; the trailer.
/// Returns the summary (without `finished`) and the accounts reported.
#[allow(clippy::too_many_arguments)]
fn consume(
    rx: std::sync::mpsc::Receiver<Vec<Job>>,
    back: std::sync::mpsc::Sender<Vec<Job>>,
    header: &Segment,
    file: &mut crate::output::OutputFile,
    ending: LineEnding,
    options: &BuildOptions,
    list_all_exclusions: bool,
    time_barred: &crate::sol::Metro2Check,
    warn: &mut (dyn Write + Send),
) -> Result<(Summary, Vec<(i64, Status)>)> {
    let io = |e: super::write::WriteError| Error::runtime(e.to_string());
    let mut w = Writer::new(BufWriter::with_capacity(1 << 20, file), ending);
    w.header(header).map_err(io)?;
    let mut summary = Summary {
        list_all_exclusions,
        ..Summary::default()
    };
    summary.counts.header = 1;
    let mut reported = Vec::new();
    let mut record_number: u64 = 1; // the header
    for batch in rx {
        for job in &batch {
            let a = match job {
                Job::Account(a) => a,
                Job::Excluded { fi, key, reason } => {
                    exclude(&mut summary, *fi, key, reason);
                    continue;
                }
            };
            let fi = a.file_number;
            let built = match build_records(a, options) {
                Ok(b) => b,
                Err(e) => {
                    exclude(&mut summary, fi, e.key(), &e.to_string());
                    continue;
                }
            };
            for m in &built.warnings {
                writeln!(warn, "warning: file {fi}: {m}")?;
            }
            let findings = check_record(
                &built.segments,
                Profile::Collection,
                record_number + 1,
                Some(options.now.date()),
            );
            let errors: Vec<String> = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| f.to_string())
                .collect();
            if !errors.is_empty() {
                let reason = format!("fails validation: {}", errors.join("; "));
                exclude(&mut summary, fi, "validation", &reason);
                continue;
            }
            w.record(&built.segments).map_err(io)?;
            record_number += 1;
            summary.reported += 1;
            summary.counts.base += 1;
            for s in &built.segments[1..] {
                match s.kind {
                    super::SegKind::J1 => summary.counts.j1 += 1,
                    super::SegKind::J2 => summary.counts.j2 += 1,
                    super::SegKind::K1 => summary.counts.k1 += 1,
                    _ => {}
                }
            }
            *summary
                .statuses
                .entry(built.status.code().to_string())
                .or_default() += 1;
            reported.push((fi, built.status));
            if let Some(m) = time_barred.warning(fi) {
                writeln!(warn, "warning: file {fi}: {m}")?;
                summary.time_barred += 1;
            }
        }
        let _ = back.send(batch); // the reader may have finished
    }
    // The trailer's totals must fit their fields: a file-level error, never cut.
    w.finish().map_err(|e| match e {
        super::write::WriteError::Field(f) => {
            Error::validation(format!("trailer: {f}; the file is refused"))
        }
        other => Error::runtime(other.to_string()),
    })?;
    summary.counts.trailer = 1;
    Ok((summary, reported))
}

/// The text summary (also printed by the demo); `--json` is the serialisation.
impl std::fmt::Display for Summary {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self;
        let c = &s.counts;
        writeln!(out, "metro2: {} (as of {})", s.out, s.as_of)?;
        writeln!(
            out,
            "  records: header {}, base {}, J1 {}, J2 {}, K1 {}, trailer {}",
            c.header, c.base, c.j1, c.j2, c.k1, c.trailer
        )?;
        let statuses: Vec<String> = s.statuses.iter().map(|(k, v)| format!("{k} {v}")).collect();
        writeln!(
            out,
            "  reported {}{}",
            s.reported,
            if statuses.is_empty() {
                String::new()
            } else {
                format!(" ({})", statuses.join(", "))
            }
        )?;
        let total: u64 = s.excluded.values().sum();
        let reasons: Vec<String> = s.excluded.iter().map(|(k, v)| format!("{k} {v}")).collect();
        writeln!(
            out,
            "  excluded {total}{}",
            if reasons.is_empty() {
                String::new()
            } else {
                format!(" ({})", reasons.join(", "))
            }
        )?;
        if s.finished > 0 {
            writeln!(
                out,
                "  finished earlier (final status reported): {}",
                s.finished
            )?;
        }
        if s.time_barred > 0 {
            writeln!(out, "  time-barred (warned): {}", s.time_barred)?;
        }
        if s.activated > 0 {
            writeln!(out, "  activated: {}", s.activated)?;
        }
        if s.marked_done > 0 {
            writeln!(out, "  marked done: {}", s.marked_done)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod summary_tests {
    use super::*;

    #[test]
    fn json_keys_in_order_and_display_is_the_summary_lines() {
        let mut s = Summary {
            out: "m2.txt".into(),
            as_of: "2024-07-31".into(),
            reported: 2,
            statuses: BTreeMap::from([("11".to_string(), 2)]),
            excluded: BTreeMap::from([("under_minimum".to_string(), 1)]),
            marked_done: 2,
            ..Summary::default()
        };
        s.counts.header = 1;
        s.counts.base = 2;
        s.counts.trailer = 1;
        let json = serde_json::to_value(&s).unwrap();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "out",
                "as_of",
                "counts",
                "reported",
                "statuses",
                "excluded",
                "exclusions",
                "finished",
                "activated",
                "marked_done",
                "time_barred"
            ]
        );
        assert_eq!(
            s.to_string(),
            concat!(
                "metro2: m2.txt (as of 2024-07-31)\n",
                "  records: header 1, base 2, J1 0, J2 0, K1 0, trailer 1\n",
                "  reported 2 (11 2)\n",
                "  excluded 1 (under_minimum 1)\n",
                "  marked done: 2\n"
            )
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seek_walks_forward_through_a_sorted_list() {
        let items = [(2, 'a'), (5, 'b'), (9, 'c')];
        let mut pos = 0;
        assert_eq!(seek(&items, &mut pos, 1), None);
        assert_eq!(seek(&items, &mut pos, 2), Some(&'a'));
        assert_eq!(seek(&items, &mut pos, 3), None);
        assert_eq!(seek(&items, &mut pos, 5), Some(&'b'));
        assert_eq!(seek(&items, &mut pos, 9), Some(&'c'));
        assert_eq!(seek(&items, &mut pos, 10), None);
        assert_eq!(pos, 3);
    }

    #[test]
    fn next_period_keeps_month_ends() {
        let d = |s| crate::dates::parse_iso_exact(s).unwrap();
        assert_eq!(next_period(d("2024-07-31")), d("2024-08-31"));
        assert_eq!(next_period(d("2024-06-30")), d("2024-07-31"));
        assert_eq!(next_period(d("2024-01-31")), d("2024-02-29"));
        assert_eq!(next_period(d("2024-07-15")), d("2024-08-15"));
        assert_eq!(next_period(d("2024-12-31")), d("2025-01-31"));
    }
}
