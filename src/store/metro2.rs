//! Metro 2 history: what was reported to the bureaus, and the reads a Metro 2 file is
//! built from.
