//! Contact plan runs: the debtors a plan runs over and the state it keeps.
