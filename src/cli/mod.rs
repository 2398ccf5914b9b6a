//! The command line: arguments (clap), printing, progress bars, prompts and `--json`.
//! Everything below `src/cli/` is library code that takes inputs and returns values
//! (docs/architecture.md, "Command line | library"); `src/main.rs` only hands over here.
//! One file per command group.

pub mod arrangements;
pub mod completions;
pub mod import;
pub mod input;
pub mod letters;
pub mod metro2;
pub mod money;
pub mod plans;
pub mod report;
pub mod setup;
pub mod sol;
pub mod statements;
pub mod stdio;
pub mod transfer;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::LazyLock;

use chrono::{Local, NaiveDate, NaiveTime};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::{Env, Error};

use self::arrangements::ArrangementCmd;
use self::letters::{LettersCmd, NcoaCmd};
use self::metro2::Metro2Cmd;
use self::money::{InterestCmd, PostArgs};
use self::plans::{BatchCmd, PlanCmd};
use self::report::ReportCmd;
use self::setup::{SetupCmd, ShowCmd};
use self::sol::SolCmd;
use self::statements::StatementsCmd;
use self::transfer::TransferCmd;

#[derive(Parser)]
#[command(
    name = "recoup",
    version,
    about = "Collection-agency toolchain: imports, reports, Metro 2, letters, statements",
    after_help = EXIT_CODES_HELP
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
    #[command(after_help = "Examples:\n  recoup fields\n  recoup fields de --json")]
    Fields {
        /// Form code: de (debtor), cl (client), tr (transaction), co (contact), …
        form: Option<String>,
    },
    /// Load or print the settings of setup.toml
    #[command(subcommand)]
    Setup(SetupCmd),
    /// Post a transaction to a debtor
    #[command(
        after_help = "Examples:\n  recoup post --debtor 1000 --type 101 --to-us 250.00 --date 2024-07-15\n  recoup post --debtor 1000 --type 105 --to-us -250.00 --reverses 17"
    )]
    Post(PostArgs),
    /// Print every catalogue field of one record
    #[command(subcommand)]
    Show(ShowCmd),
    /// Interest: post the interest accrued on accounts with an interest type
    #[command(subcommand)]
    Interest(InterestCmd),
    /// Find debtors by the client's account number
    #[command(after_help = "Example:\n  recoup find --acct AC-10001 --client 1001")]
    Find {
        /// The client's account number (exact after trimming, any case)
        #[arg(long)]
        acct: String,
        /// Only this client's debtors
        #[arg(long)]
        client: Option<i64>,
    },
    /// Month-end client statements
    #[command(subcommand)]
    Statements(StatementsCmd),
    /// Record a client's payment against what it owes (oldest statement first)
    #[command(
        after_help = "Example:\n  recoup client-payment --client 1002 --amount 500.00 --date 2024-08-05"
    )]
    ClientPayment {
        /// Client number
        #[arg(long)]
        client: i64,
        /// Amount received, e.g. 500.00
        #[arg(long)]
        amount: String,
        /// Date received (default today)
        #[arg(long, value_parser = parse_date)]
        date: Option<NaiveDate>,
    },
    /// The daily cash report: transactions posted in a range, totals by type, the bank deposit
    #[command(after_help = "Example:\n  recoup cash-report --from 2024-07-01 --to 2024-07-31")]
    CashReport {
        /// First posted date (YYYY-MM-DD)
        #[arg(long, value_parser = parse_date)]
        from: NaiveDate,
        /// Last posted date (YYYY-MM-DD)
        #[arg(long, value_parser = parse_date)]
        to: NaiveDate,
        /// Only this client's debtors
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
    #[command(
        after_help = "Example:\n  recoup sync dialer --op insert --debtor 1000   (needs the odbc feature)"
    )]
    Sync {
        /// The pair: odbcsync/NAME.csv and odbcsync/NAME.ini
        name: String,
        /// The statement to run for each debtor
        #[arg(long, value_parser = ["insert", "update", "delete"])]
        op: String,
        /// These debtors (file numbers; repeatable)
        #[arg(long = "debtor")]
        debtors: Vec<i64>,
        /// Only this client's debtors
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
    #[command(
        after_help = "Examples:\n  recoup import placement-csv placement.csv --client 1001\n  recoup import maps/payments.toml payments.txt --dry-run"
    )]
    Import {
        /// The import map: a name looked up as maps/NAME.toml, or a path
        map: String,
        /// The file to read
        file: PathBuf,
        /// Client the records belong to (overrides the map's options.client)
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
    #[command(
        after_help = "Example:\n  recoup export placement-csv --out out.csv --where \"(@de.sta = NEW)\""
    )]
    Export {
        /// The map: a name looked up as maps/NAME.toml, or a path
        map: String,
        /// The file to write
        #[arg(long)]
        out: PathBuf,
        /// Selection, e.g. "(@de.sta = NEW)"
        #[arg(long = "where")]
        filter: Option<String>,
    },
    /// Build a demonstration database and run the month's work on it
    #[command(after_help = "Example:\n  recoup demo --out /tmp/demo")]
    Demo {
        /// Directory for the database and every output file
        #[arg(long, default_value = "demo")]
        out: PathBuf,
    },
    /// Run or check a report (reports/NAME.rpt)
    #[command(subcommand)]
    Report(ReportCmd),
    /// Print a shell completion script to standard output
    #[command(after_help = "Example:\n  recoup completions bash > /etc/bash_completion.d/recoup")]
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
    /// Write a man page per command (recoup.1, recoup-import.1, …) into a directory
    #[command(after_help = "Example:\n  recoup man --out /usr/local/share/man/man1")]
    Man {
        /// Directory for the pages (created if missing)
        #[arg(long)]
        out: PathBuf,
    },
    /// Payment arrangements: a down payment and a schedule of promised payments
    #[command(subcommand)]
    Arrangement(ArrangementCmd),
    /// List promises (open, late, broken); --sweep marks the broken ones
    #[command(
        after_help = "Examples:\n  recoup promises --broken --as-of 2024-09-15\n  recoup promises --sweep --as-of 2024-09-15"
    )]
    Promises {
        /// Only broken promises
        #[arg(long)]
        broken: bool,
        /// The date promises are judged on (default today)
        #[arg(long = "as-of", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// Only this debtor's promises
        #[arg(long)]
        debtor: Option<i64>,
        /// Mark broken promises, post the late fee, run the broken-promise plan
        #[arg(long)]
        sweep: bool,
    },
    /// Statute of limitations
    #[command(subcommand)]
    Sol(SolCmd),
}

/// The exit statuses every command shares (README "Using it").
const EXIT_CODES_HELP: &str = "\
Exit status:
  0  success
  1  runtime failure (I/O, database)
  2  bad argument or configuration file (map, report, plan, setup)
  3  the data failed validation (rejected records, Metro 2 errors, refused postings)

Example:
  recoup demo && recoup --db demo/recoup.db report run debtor-listing";

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, String> {
    crate::dates::parse_iso(s).ok_or_else(|| format!("'{s}' is not a date (YYYY-MM-DD)"))
}

/// What every command gets: the library's [`Env`] and the output switches, which
/// only the command line reads.
pub struct CliEnv {
    pub env: Env,
    /// `--quiet`: no progress bars, and `metro2 generate` prints no summary.
    pub quiet: bool,
    /// `--json`: summaries as one JSON object.
    pub json: bool,
}

impl CliEnv {
    /// True when a progress bar may be drawn (stderr is a terminal and not `--quiet`).
    pub fn show_progress(&self) -> bool {
        use std::io::IsTerminal;
        !self.quiet && std::io::stderr().is_terminal()
    }
}

/// A command hands its environment straight to the library.
impl std::ops::Deref for CliEnv {
    type Target = Env;
    fn deref(&self) -> &Env {
        &self.env
    }
}

impl std::ops::DerefMut for CliEnv {
    fn deref_mut(&mut self) -> &mut Env {
        &mut self.env
    }
}

fn env_of(cli: &Cli) -> Result<CliEnv, Error> {
    let now = match std::env::var("RECOUP_TIME") {
        Ok(t) => NaiveTime::parse_from_str(&t, "%H:%M:%S")
            .map_err(|_| Error::config(format!("RECOUP_TIME '{t}' is not HH:MM:SS")))?,
        Err(_) => Local::now().time(),
    };
    Ok(CliEnv {
        env: Env {
            db: cli.db.clone(),
            home: cli.home.clone(),
            today: cli.today.unwrap_or_else(|| Local::now().date_naive()),
            now,
            odbc_log: cli.odbc_log.clone(),
        },
        quiet: cli.quiet,
        json: cli.json,
    })
}

/// `--version` names the schema version too: an IT person checks it before
/// pointing a new build at an office's database (an older one is migrated, a
/// newer one refused).
static VERSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} (database schema {})",
        env!("CARGO_PKG_VERSION"),
        crate::store::SCHEMA_VERSION
    )
});

fn cli_command() -> clap::Command {
    Cli::command().version(VERSION.as_str())
}

fn run(cli: Cli) -> Result<(), Error> {
    let env = env_of(&cli)?;
    match cli.command {
        Command::Completions { shell } => completions::script(shell, &mut cli_command()),
        Command::Man { out } => completions::man_pages(&out, cli_command()),
        Command::Fields { form } => setup::fields(&env, form.as_deref()),
        Command::Setup(SetupCmd::Apply { file }) => setup::setup_apply(&env, &file),
        Command::Setup(SetupCmd::Show) => setup::setup_show(&env),
        Command::Post(a) => money::post(
            &env,
            &money::PostRequest {
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
            money::interest_accrue(&env, through, &debtors)
        }
        Command::Show(ShowCmd::Debtor { file_number }) => setup::show_debtor(&env, file_number),
        Command::Show(ShowCmd::Client { number }) => setup::show_client(&env, number),
        Command::Find { acct, client } => setup::find(&env, &acct, client),
        Command::Statements(StatementsCmd::Generate {
            from,
            to,
            client,
            replace,
        }) => statements::statements_generate(&env, from, to, client, replace),
        Command::Statements(StatementsCmd::Print {
            from,
            to,
            statement,
            out,
            format,
        }) => statements::statements_print(&env, from, to, statement, &out, &format),
        Command::ClientPayment {
            client,
            amount,
            date,
        } => statements::client_payment_cmd(&env, client, &amount, date),
        Command::CashReport { from, to, client } => {
            statements::cash_report_cmd(&env, from, to, client)
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
        }) => letters::service(
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
        }) => letters::print(&env, from, to, &out, mark_done),
        Command::Transfer(TransferCmd::Export { out, clients }) => {
            transfer::export_cmd(&env, &out, &clients)
        }
        Command::Transfer(TransferCmd::Import { dir, renumber }) => {
            transfer::import_cmd(&env, &dir, renumber)
        }
        Command::Ncoa(NcoaCmd::Import { file, map }) => {
            letters::ncoa_import(&env, &file, map.as_deref())
        }
        Command::Plan(PlanCmd::Run {
            code,
            debtors,
            client,
            filter,
            start_date,
        }) => plans::plan_run(&env, &code, &debtors, client, filter.as_deref(), start_date),
        Command::Batch(BatchCmd::Contacts { through }) => plans::batch_contacts(&env, through),
        Command::Sync {
            name,
            op,
            debtors,
            client,
            filter,
        } => plans::sync_cmd(&env, &name, &op, &debtors, client, filter.as_deref()),
        Command::Metro2(Metro2Cmd::Validate { file, profile }) => {
            metro2::validate(&env, &file, profile.as_deref())
        }
        Command::Metro2(Metro2Cmd::Print { file }) => metro2::print(&env, &file),
        Command::Metro2(Metro2Cmd::Generate {
            out,
            as_of,
            bureau,
            no_newline,
            mark_done,
            force,
        }) => metro2::generate_command(
            &env,
            &crate::metro2::generate::GenerateOptions {
                out,
                as_of,
                bureau: bureau
                    .as_deref()
                    .and_then(crate::metro2::build::Bureau::parse),
                no_newline,
                mark_done,
                force,
                list_all_exclusions: env.json,
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
        } => import::import(
            &env,
            &map,
            &file,
            &crate::import::ImportOptions {
                client,
                dry_run,
                strict,
                rejects,
                review,
            },
        ),
        Command::Export { map, out, filter } => import::export(&env, &map, &out, filter.as_deref()),
        Command::Demo { out } => {
            let mut env = env;
            if cli.today.is_none() {
                env.today = crate::demo::DEMO_TODAY;
            }
            if std::env::var("RECOUP_TIME").is_err() {
                env.now = crate::demo::DEMO_TIME;
            }
            crate::demo::run(&env, &out, &mut std::io::stdout())
        }
        Command::Report(ReportCmd::Check { report }) => report::check(&env, &report),
        Command::Arrangement(ArrangementCmd::Add {
            debtor,
            amount,
            every,
            first,
            count,
            until_paid,
            down,
            service_charge,
            discount,
            replace,
        }) => arrangements::add_cmd(
            &env,
            &arrangements::AddArgs {
                debtor,
                amount,
                every,
                first,
                count,
                until_paid,
                down,
                service_charge,
                discount,
                replace,
            },
        ),
        Command::Promises {
            broken,
            as_of,
            debtor,
            sweep,
        } => arrangements::promises_cmd(&env, as_of, broken, debtor, sweep),
        Command::Sol(SolCmd::Check { as_of, within }) => sol::check_cmd(&env, as_of, within),
        Command::Report(ReportCmd::Run {
            report,
            debtors,
            clients,
            filter,
            out,
            format,
            vars,
        }) => report::run(
            &env,
            &report::RunArgs {
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

/// The whole program after the allocator: parse, run, print the error, exit status.
pub fn main() -> ExitCode {
    let parsed = cli_command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
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
            // Not eprintln!: a failed stderr must not turn the exit status into a panic's.
            let remedy = e.remedy.map(remedy).unwrap_or_default();
            crate::cli::stdio::stderr_fmt(format_args!("error: {e}{remedy}\n"));
            ExitCode::from(e.exit_code() as u8)
        }
        Err(_) => ExitCode::from(1),
    }
}

/// A summary as the one line `--json` prints (its `Serialize` keys, in order).
pub fn json_line<T: serde::Serialize>(v: &T) -> crate::Result<String> {
    serde_json::to_string(v).map_err(|e| Error::runtime(format!("JSON summary: {e}")))
}

/// A `--where` condition; a parse error names the option.
pub fn parse_where(text: &str) -> crate::Result<crate::report::filter::Filter> {
    crate::report::filter::Filter::parse(text).map_err(|e| e.context("--where"))
}

/// What the user can do about a refusal, in this command line's options; the library
/// names the remedy, never the flag (docs/architecture.md).
pub fn remedy(r: crate::Remedy) -> &'static str {
    use crate::Remedy::*;
    match r {
        ReplaceStatements => "; use --replace to generate it again",
        ReplacePromises => "; --replace cancels them",
        WriteAnyway => "\n(--force writes it anyway)",
        Renumber => " (use --renumber to give them the next free numbers)",
        NameReversedPayment => " (name it with --reverses)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Library files that may name an option, each with its reason.
    const MAY_NAME_OPTIONS: &[(&str, &str)] = &[(
        "demo.rs",
        "the demo's story shows the commands it stands for, options included",
    )];

    fn library_sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                if !p.ends_with("cli") {
                    library_sources(&p, out);
                }
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                out.push((p.display().to_string(), text));
            }
        }
    }

    /// Library messages never name a command-line option: the library says what is
    /// wrong in its own words, and the command line names its options (a refusal's way
    /// out is a `Remedy` it words; docs/architecture.md).
    #[test]
    fn library_code_names_no_command_line_option() {
        let mut longs = std::collections::BTreeSet::new();
        for (_, cmd) in commands() {
            for a in cmd.get_arguments() {
                if let Some(l) = a.get_long() {
                    longs.insert(format!("--{l}"));
                }
            }
        }
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        library_sources(&src, &mut files);
        let mut found = Vec::new();
        for (path, text) in files {
            if MAY_NAME_OPTIONS.iter().any(|(f, _)| path.ends_with(f)) || path.ends_with("main.rs")
            {
                continue;
            }
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for (n, line) in code.lines().enumerate() {
                let line = line.split("//").next().unwrap_or("");
                for long in &longs {
                    let named = line.match_indices(long.as_str()).any(|(at, _)| {
                        let after = line[at + long.len()..].chars().next();
                        !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
                    });
                    if named && line.contains('"') {
                        found.push(format!("{path}:{}: {long}", n + 1));
                    }
                }
            }
        }
        assert!(
            found.is_empty(),
            "library code names options:\n{}",
            found.join("\n")
        );
    }

    /// Every command of the tree with its path (`recoup import`), depth first.
    fn commands() -> Vec<(String, clap::Command)> {
        fn walk(cmd: &clap::Command, path: String, out: &mut Vec<(String, clap::Command)>) {
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                walk(sub, format!("{path} {}", sub.get_name()), out);
            }
            out.push((path, cmd.clone()));
        }
        let mut cmd = cli_command();
        cmd.build();
        let mut out = Vec::new();
        walk(&cmd, "recoup".into(), &mut out);
        out
    }

    /// Every command, argument and flag says what it is for in `--help`.
    #[test]
    fn every_argument_and_command_has_help() {
        let mut missing = Vec::new();
        for (path, cmd) in commands() {
            if cmd.get_about().is_none() {
                missing.push(format!("{path} (command)"));
            }
            for arg in cmd.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin && arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
        }
        assert!(missing.is_empty(), "no help for: {missing:#?}");
    }

    /// Each leaf command ends its help with an example.
    #[test]
    fn every_command_has_an_example() {
        let missing: Vec<String> = commands()
            .into_iter()
            .filter(|(_, cmd)| cmd.get_subcommands().all(|s| s.get_name() == "help"))
            .filter(|(_, cmd)| {
                let foot = cmd
                    .get_after_help()
                    .map(|h| h.to_string())
                    .unwrap_or_default();
                !foot.contains("recoup ")
            })
            .map(|(path, _)| path)
            .collect();
        assert!(missing.is_empty(), "no example for: {missing:#?}");
    }
}
