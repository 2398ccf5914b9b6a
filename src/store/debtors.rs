//! Debtor records: typed reads and writes of the debtor table beyond the generic
//! record functions in `records.rs` (totals, statuses, addresses, as-of reads).
