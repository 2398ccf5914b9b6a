//! The `recoup` binary: argument parsing only; every command is a library call.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{Local, NaiveDate, NaiveTime};
use clap::{Args, Parser, Subcommand};
use recoup::{Env, Error};

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
    /// Find debtors by the client's account number
    Find {
        #[arg(long)]
        acct: String,
        #[arg(long)]
        client: Option<i64>,
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
            },
        ),
        Command::Show(ShowCmd::Debtor { file_number }) => c::show_debtor(&env, file_number),
        Command::Show(ShowCmd::Client { number }) => c::show_client(&env, number),
        Command::Find { acct, client } => c::find(&env, &acct, client),
        Command::Demo { out } => {
            let mut env = env;
            if cli.today.is_none() {
                env.today = recoup::demo::DEMO_TODAY;
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
