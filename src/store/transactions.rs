//! Transactions: posting rows, reversals, and the reads totals and reports are built from.
