//! Fuzz the import-map parser: any text either parses or is a configuration error
//! naming a place; it never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = recoup::import::Map::parse("fuzz.toml", text) {
            assert!(e.to_string().starts_with("fuzz.toml"));
        }
    }
});
