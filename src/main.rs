//! The `recoup` binary: argument parsing only; every command is a library call.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{Local, NaiveDate, NaiveTime};
use clap::{Args, Parser, Subcommand};
use recoup::{Env, Error};

/// mimalloc: the import reads on one thread and writes on another, and glibc's
/// allocator spent a sixth of an import's instructions on the records' small
/// strings moving between them (measured with callgrind).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "recoup",
    version,
    about = "Collection-agency toolchain: imports, reports, Metro 2, letters, statements"
)]
struct Cli {
    /// SQLite database (created on first use with the full schema)
    #[arg(long, global = true, env = "RECOUP_DB", default_value = "recoup.db")]
    db: PathBuf,
    /// Directory holding maps/, reports/, plans/ and odbcsync/
    #[arg(long, global = true, env = "RECOUP_HOME", default_value = ".")]
    home: PathBuf,
    /// Replace the clock's date everywhere (YYYY-MM-DD)
    #[arg(long, global = true, env = "RECOUP_TODAY", value_parser = parse_date)]
    today: Option<NaiveDate>,
    /// No progress bars
    #[arg(long, global = true)]
    quiet: bool,
    /// Print summaries as one JSON object
    #[arg(long, global = true)]
    json: bool,
    /// Log each ODBC sync statement with its values (never the password)
    #[arg(long = "odbc-log", global = true)]
    odbc_log: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the field catalogue (all forms, or one form code such as `de`)
    Fields { form: Option<String> },
    /// Load or print the settings of setup.toml
    #[command(subcommand)]
    Setup(SetupCmd),
    /// Post a transaction to a debtor
    Post(PostArgs),
    /// Print every catalogue field of one record
    #[command(subcommand)]
    Show(ShowCmd),
    /// Interest: post the interest accrued on accounts with an interest type
    #[command(subcommand)]
    Interest(InterestCmd),
    /// Find debtors by the client's account number
    Find {
        #[arg(long)]
        acct: String,
        #[arg(long)]
        client: Option<i64>,
    },
    /// Month-end client statements
    #[command(subcommand)]
    Statements(StatementsCmd),
    /// Record a client's payment against what it owes (oldest statement first)
    ClientPayment {
        #[arg(long)]
        client: i64,
        #[arg(long)]
        amount: String,
        #[arg(long, value_parser = parse_date)]
        date: Option<NaiveDate>,
    },
    /// The daily cash report: transactions posted in a range, totals by type, the bank deposit
    CashReport {
        #[arg(long, value_parser = parse_date)]
        from: NaiveDate,
        #[arg(long, value_parser = parse_date)]
        to: NaiveDate,
        #[arg(long)]
        client: Option<i64>,
    },
    /// Contact plans
    #[command(subcommand)]
    Plan(PlanCmd),
    /// Batch processing
    #[command(subcommand)]
    Batch(BatchCmd),
    /// Letters: in-house batch printing and the letter-service file
    #[command(subcommand)]
    Letters(LettersCmd),
    /// NCOA returns
    #[command(subcommand)]
    Ncoa(NcoaCmd),
    /// Client transfer between offices (clients, client contacts, client notes)
    #[command(subcommand)]
    Transfer(TransferCmd),
    /// ODBC Sync by hand: INSERT, UPDATE or DELETE debtors' rows through a sync pair
    Sync {
        /// The pair: odbcsync/NAME.csv and odbcsync/NAME.ini
        name: String,
        #[arg(long, value_parser = ["insert", "update", "delete"])]
        op: String,
        #[arg(long = "debtor")]
        debtors: Vec<i64>,
        #[arg(long)]
        client: Option<i64>,
        /// Only debtors meeting the condition
        #[arg(long = "where")]
        filter: Option<String>,
    },
    /// Metro 2 credit-bureau files: generate, validate, print
    #[command(subcommand)]
    Metro2(Metro2Cmd),
    /// Import a file through an import map (maps/NAME.toml or a path)
    Import {
        map: String,
        file: PathBuf,
        #[arg(long)]
        client: Option<i64>,
        /// Do everything but commit
        #[arg(long)]
        dry_run: bool,
        /// Commit nothing and exit 3 if any record is rejected
        #[arg(long)]
        strict: bool,
        /// Rejects file (default <FILE>.rejects.csv)
        #[arg(long)]
        rejects: Option<PathBuf>,
        /// Ask "Update Debtor? (Yes/No/All/Cancel)" per existing debtor
        #[arg(long)]
        review: bool,
    },
    /// Run an import map in the export direction
    Export {
        map: String,
        #[arg(long)]
        out: PathBuf,
        /// Selection, e.g. "(@de.sta = NEW)"
        #[arg(long = "where")]
        filter: Option<String>,
    },
    /// Build a demonstration database and run the month's work on it
    Demo {
        #[arg(long, default_value = "demo")]
        out: PathBuf,
    },
    /// Run or check a report (reports/NAME.rpt)
    #[command(subcommand)]
    Report(ReportCmd),
}

#[derive(Subcommand)]
enum ReportCmd {
    /// Run a report to text or PDF
    Run {
        /// A report file, or a name looked up as reports/NAME.rpt
        report: String,
        /// Start on these debtors (file numbers)
        #[arg(long = "debtor")]
        debtors: Vec<i64>,
        /// Start on these clients (client numbers)
        #[arg(long = "client")]
        clients: Vec<i64>,
        /// Start only on records meeting this condition (`@de.sta = ACT`)
        #[arg(long = "where")]
        filter: Option<String>,
        #[arg(long)]
        out: Option<PathBuf>,
        /// text | pdf (default: from --out's extension, else text)
        #[arg(long)]
        format: Option<String>,
        /// Set a variable: --var Name=value sets @varName
        #[arg(long = "var")]
        vars: Vec<String>,
    },
    /// Parse and type-check a report; every problem with line:column (exit 2)
    Check { report: String },
}

#[derive(Subcommand)]
enum SetupCmd {
    /// Load setup.toml into the database (each section present replaces that section)
    Apply { file: PathBuf },
    /// Print the settings in force
    Show,
}

#[derive(Subcommand)]
enum StatementsCmd {
    /// One statement per client for the period, dated the day after --to
    Generate {
        #[arg(long, value_parser = parse_date)]
        from: NaiveDate,
        #[arg(long, value_parser = parse_date)]
        to: NaiveDate,
        #[arg(long)]
        client: Option<i64>,
        /// Generate a period again (refused when a later statement exists)
        #[arg(long)]
        replace: bool,
    },
    /// Print statements through their report bodies, one file per statement, plus cheques.csv
    Print {
        #[arg(long, value_parser = parse_date, requires = "to", conflicts_with = "statement")]
        from: Option<NaiveDate>,
        #[arg(long, value_parser = parse_date, requires = "from")]
        to: Option<NaiveDate>,
        #[arg(long)]
        statement: Option<i64>,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = "pdf", value_parser = ["pdf", "text", "csv"])]
        format: String,
    },
}

#[derive(Subcommand)]
enum PlanCmd {
    /// Run a contact plan on debtors (all of them unless selected)
    Run {
        code: String,
        #[arg(long = "debtor")]
        debtors: Vec<i64>,
        #[arg(long)]
        client: Option<i64>,
        /// Only debtors meeting the condition, e.g. "(@de.sta = NEW) and (@de.ow > 100)"
        #[arg(long = "where")]
        filter: Option<String>,
        /// Reference date the events count from (default today)
        #[arg(long = "start-date", value_parser = parse_date)]
        start_date: Option<NaiveDate>,
    },
}

#[derive(Subcommand)]
enum InterestCmd {
    /// Post the interest accrued through DATE (one 400-series transaction per debtor)
    Accrue {
        #[arg(long, value_parser = parse_date)]
        through: NaiveDate,
        /// Only these debtors (default: every debtor with an interest type)
        #[arg(long = "debtor")]
        debtors: Vec<i64>,
    },
}

#[derive(Subcommand)]
enum BatchCmd {
    /// Process automatic contacts previously scheduled, due on or before --through
    Contacts {
        #[arg(long, value_parser = parse_date)]
        through: Option<NaiveDate>,
    },
}

#[derive(Subcommand)]
enum LettersCmd {
    /// Write the due letters to a letter-service file for the mail house
    Service {
        #[arg(long, value_parser = parse_date)]
        from: NaiveDate,
        #[arg(long, value_parser = parse_date)]
        to: NaiveDate,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_parser = ["ontario", "csv"])]
        format: Option<String>,
        /// Precede good addresses with #K#03 and the id too
        #[arg(long)]
        k03: bool,
        /// Write letters to unverified addresses without NCOA instead of skipping them
        #[arg(long = "print-unverified")]
        print_unverified: bool,
        /// Each reportable cosigner gets its own letter
        #[arg(long)]
        cosigners: bool,
        /// Complete the contacts written (skipped ones stay In Progress with 0/1)
        #[arg(long = "mark-done")]
        mark_done: bool,
        #[arg(long)]
        summary: Option<PathBuf>,
    },
    /// Print the due letters in-house into one PDF (or .txt)
    Print {
        #[arg(long, value_parser = parse_date)]
        from: NaiveDate,
        #[arg(long, value_parser = parse_date)]
        to: NaiveDate,
        #[arg(long)]
        out: PathBuf,
        #[arg(long = "mark-done")]
        mark_done: bool,
    },
}

#[derive(Subcommand)]
enum TransferCmd {
    /// Write clienttransfers.csv and clientnotes.csv into --out
    Export {
        #[arg(long)]
        out: PathBuf,
        #[arg(long = "client")]
        clients: Vec<i64>,
    },
    /// Load a transfer directory; duplicate client numbers are refused unless --renumber
    Import {
        dir: PathBuf,
        #[arg(long)]
        renumber: bool,
    },
}

#[derive(Subcommand)]
enum NcoaCmd {
    /// Apply a returned NCOA file (id,address,address1,city,state,zip; id D1400 or C1400)
    Import {
        file: PathBuf,
        /// Read the file through this import map instead
        #[arg(long)]
        map: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum Metro2Cmd {
    /// Check a Metro 2 file; every finding is listed; exit 3 on any error
    Validate {
        file: PathBuf,
        /// crrg (default) or collection (adds the collection-agency rules)
        #[arg(long)]
        profile: Option<String>,
    },
    /// Dump a Metro 2 file field by field
    Print { file: PathBuf },
    /// Build the Metro 2 file of the accounts reported to the bureaus
    Generate {
        #[arg(long)]
        out: PathBuf,
        /// Activity Date and Date of Account Information of open accounts (default today)
        #[arg(long = "as-of", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// Keep only this bureau's program identifier in the header
        #[arg(long, value_parser = ["equifax", "experian", "transunion"])]
        bureau: Option<String>,
        /// No line ending after the records
        #[arg(long)]
        no_newline: bool,
        /// Record the report history and forward each Metro contact
        #[arg(long)]
        mark_done: bool,
        /// Write the file even when the header fails validation
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum ShowCmd {
    Debtor { file_number: i64 },
    Client { number: i64 },
}

#[derive(Args)]
struct PostArgs {
    #[arg(long)]
    debtor: i64,
    #[arg(long = "type")]
    type_code: String,
    #[arg(long = "to-us", allow_hyphen_values = true)]
    to_us: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    direct: Option<String>,
    /// Payment date (default today)
    #[arg(long, value_parser = parse_date)]
    date: Option<NaiveDate>,
    /// Posted date (default the payment date)
    #[arg(long, value_parser = parse_date)]
    posted: Option<NaiveDate>,
    /// The payment this reversal reverses (transaction number)
    #[arg(long)]
    reverses: Option<i64>,
    #[arg(long)]
    description: Option<String>,
    #[arg(long)]
    id: Option<String>,
    /// For the percent-of types (161, 162, 163, 499): To Us = PERCENT % of the debtor's
    /// figure, signed as typed (-35 adds 35 %)
    #[arg(long, allow_hyphen_values = true, conflicts_with = "to_us")]
    percent: Option<String>,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date (YYYY-MM-DD)"))
}

fn env_of(cli: &Cli) -> Result<Env, Error> {
    let now = match std::env::var("RECOUP_TIME") {
        Ok(t) => NaiveTime::parse_from_str(&t, "%H:%M:%S")
            .map_err(|_| Error::config(format!("RECOUP_TIME '{t}' is not HH:MM:SS")))?,
        Err(_) => Local::now().time(),
    };
    Ok(Env {
        db: cli.db.clone(),
        home: cli.home.clone(),
        today: cli.today.unwrap_or_else(|| Local::now().date_naive()),
        now,
        quiet: cli.quiet,
        json: cli.json,
        odbc_log: cli.odbc_log.clone(),
    })
}

fn run(cli: Cli) -> Result<(), Error> {
    let env = env_of(&cli)?;
    use recoup::commands as c;
    match cli.command {
        Command::Fields { form } => c::fields(&env, form.as_deref()),
        Command::Setup(SetupCmd::Apply { file }) => c::setup_apply(&env, &file),
        Command::Setup(SetupCmd::Show) => c::setup_show(&env),
        Command::Post(a) => c::post(
            &env,
            &c::PostRequest {
                debtor: a.debtor,
                type_code: a.type_code,
                to_us: a.to_us,
                direct: a.direct,
                date: a.date,
                posted: a.posted,
                reverses: a.reverses,
                description: a.description,
                external_id: a.id,
                percent: a.percent,
            },
        ),
        Command::Interest(InterestCmd::Accrue { through, debtors }) => {
            recoup::money::interest_cli::interest_accrue(&env, through, &debtors)
        }
        Command::Show(ShowCmd::Debtor { file_number }) => c::show_debtor(&env, file_number),
        Command::Show(ShowCmd::Client { number }) => c::show_client(&env, number),
        Command::Find { acct, client } => c::find(&env, &acct, client),
        Command::Statements(StatementsCmd::Generate {
            from,
            to,
            client,
            replace,
        }) => recoup::statements::cli::statements_generate(&env, from, to, client, replace),
        Command::Statements(StatementsCmd::Print {
            from,
            to,
            statement,
            out,
            format,
        }) => recoup::statements::cli::statements_print(&env, from, to, statement, &out, &format),
        Command::ClientPayment {
            client,
            amount,
            date,
        } => recoup::statements::cli::client_payment_cmd(&env, client, &amount, date),
        Command::CashReport { from, to, client } => {
            recoup::statements::cli::cash_report_cmd(&env, from, to, client)
        }
        Command::Letters(LettersCmd::Service {
            from,
            to,
            out,
            format,
            k03,
            print_unverified,
            cosigners,
            mark_done,
            summary,
        }) => recoup::letters::cli::service(
            &env,
            from,
            to,
            &out,
            format.as_deref(),
            k03,
            print_unverified,
            cosigners,
            mark_done,
            summary.as_deref(),
        ),
        Command::Letters(LettersCmd::Print {
            from,
            to,
            out,
            mark_done,
        }) => recoup::letters::cli::print(&env, from, to, &out, mark_done),
        Command::Transfer(TransferCmd::Export { out, clients }) => {
            recoup::transfer::export_cmd(&env, &out, &clients)
        }
        Command::Transfer(TransferCmd::Import { dir, renumber }) => {
            recoup::transfer::import_cmd(&env, &dir, renumber)
        }
        Command::Ncoa(NcoaCmd::Import { file, map }) => {
            recoup::letters::cli::ncoa_import(&env, &file, map.as_deref())
        }
        Command::Plan(PlanCmd::Run {
            code,
            debtors,
            client,
            filter,
            start_date,
        }) => recoup::plans::cli::plan_run(
            &env,
            &code,
            &debtors,
            client,
            filter.as_deref(),
            start_date,
        ),
        Command::Batch(BatchCmd::Contacts { through }) => {
            recoup::plans::cli::batch_contacts(&env, through)
        }
        Command::Sync {
            name,
            op,
            debtors,
            client,
            filter,
        } => recoup::plans::cli::sync_cmd(&env, &name, &op, &debtors, client, filter.as_deref()),
        Command::Metro2(Metro2Cmd::Validate { file, profile }) => {
            recoup::metro2::validate_command(&env, &file, profile.as_deref())
        }
        Command::Metro2(Metro2Cmd::Print { file }) => recoup::metro2::print_command(&env, &file),
        Command::Metro2(Metro2Cmd::Generate {
            out,
            as_of,
            bureau,
            no_newline,
            mark_done,
            force,
        }) => recoup::metro2::generate::generate_command(
            &env,
            &recoup::metro2::generate::GenerateOptions {
                out,
                as_of,
                bureau: bureau
                    .as_deref()
                    .and_then(recoup::metro2::build::Bureau::parse),
                no_newline,
                mark_done,
                force,
            },
        ),
        Command::Import {
            map,
            file,
            client,
            dry_run,
            strict,
            rejects,
            review,
        } => recoup::import::cli_import(
            &env,
            &map,
            &file,
            &recoup::import::ImportOptions {
                client,
                dry_run,
                strict,
                rejects,
                review,
            },
        ),
        Command::Export { map, out, filter } => {
            recoup::import::cli_export(&env, &map, &out, filter.as_deref())
        }
        Command::Demo { out } => {
            let mut env = env;
            if cli.today.is_none() {
                env.today = recoup::demo::DEMO_TODAY;
            }
            if std::env::var("RECOUP_TIME").is_err() {
                env.now = recoup::demo::DEMO_TIME;
            }
            recoup::demo::run(&env, &out)
        }
        Command::Report(ReportCmd::Check { report }) => recoup::report::cli::check(&env, &report),
        Command::Report(ReportCmd::Run {
            report,
            debtors,
            clients,
            filter,
            out,
            format,
            vars,
        }) => recoup::report::cli::run(
            &env,
            &recoup::report::cli::RunArgs {
                report,
                debtors,
                clients,
                filter,
                out,
                format,
                vars,
            },
        ),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // No panic reaches the user: report it as a runtime failure.
    std::panic::set_hook(Box::new(|info| {
        // A closed pipe (`recoup fields | head`) is not a failure.
        if info.to_string().contains("Broken pipe") {
            std::process::exit(0);
        }
        eprintln!("error: internal failure: {info}");
    }));
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
        Err(_) => ExitCode::from(1),
    }
}
