//! Client records: typed reads and writes of the client table and its owners.
