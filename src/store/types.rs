//! Transaction types, rate plans and tax settings: the tables setup writes and posting reads.
