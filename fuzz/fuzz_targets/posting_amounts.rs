//! Fuzz amount parsing and posting arithmetic: any text read as an amount, then
//! checked against the ceiling and added to a debtor's totals, never panics; an
//! amount within the ceiling converts to cents exactly, and a refused addition
//! leaves the totals as they were.
#![no_main]

use libfuzzer_sys::fuzz_target;
use recoup::money::limits::{add_to_total, check_amount, MAX_TOTAL_CENTS};
use recoup::money::{parse_amount, to_cents, FinType, Totals};

const TYPES: [(&str, FinType); 6] = [
    ("101", FinType::Payment),
    ("105", FinType::Payment),
    ("196", FinType::Principal),
    ("197", FinType::Interest),
    ("351", FinType::Fee),
    ("501", FinType::Adjustment),
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut totals = Totals::default();
    let mut sum = 0i64;
    for (i, piece) in text.split('|').enumerate() {
        let Some(d) = parse_amount(piece) else { continue };
        if check_amount(d).is_err() {
            continue;
        }
        let cents = to_cents(d);
        assert_eq!(recoup::money::from_cents(cents), recoup::money::round_cents(d));
        let (code, fin) = TYPES[i % TYPES.len()];
        let before = totals.clone();
        if totals.add(code, fin, cents, None).is_err() {
            assert_eq!(totals, before);
        }
        assert!(totals.owing().unsigned_abs() <= 6 * MAX_TOTAL_CENTS as u64);
        if let Ok(s) = add_to_total(sum, cents) {
            sum = s;
        }
    }
});
