//! `recoup sol check`: printing for the statute-of-limitations commands.

use chrono::NaiveDate;
use clap::Subcommand;

use super::{parse_date, CliEnv};
use crate::store::Store;
use crate::Result;

/// `recoup sol check [--as-of DATE] [--within DAYS]`: refresh every `de.tbd`, then list
/// the accounts time-barred on the date (and those that will be within DAYS). Exit 0
/// whatever it finds: the list is information, not a failure.
pub fn check_cmd(env: &CliEnv, as_of: Option<NaiveDate>, within: Option<u32>) -> Result<()> {
    let as_of = as_of.unwrap_or(env.today);
    let mut store = Store::open_existing(&env.db)?;
    let tx = store.begin()?;
    let rows = crate::sol::check(&tx, as_of, within)?;
    tx.commit()?;
    let check = crate::sol::SolCheck::new(as_of, within, rows);
    if env.json {
        crate::outln!("{}", super::json_line(&check)?)
    } else {
        crate::out!("{check}")
    }
}

#[derive(Subcommand)]
pub enum SolCmd {
    /// List accounts time-barred on a date (and those soon to be, with --within)
    #[command(after_help = "Example:\n  recoup sol check --as-of 2024-07-31 --within 90 --json")]
    Check {
        /// The date accounts are judged on (default today)
        #[arg(long = "as-of", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// Also accounts that become time-barred within this many days
        #[arg(long)]
        within: Option<u32>,
    },
}
