//! Fuzz the client transfer readers: arbitrary bytes as `clienttransfers.csv` and
//! as `clientnotes.csv` never panic; whatever reads back writes out and reads back
//! to the same records.
#![no_main]

use libfuzzer_sys::fuzz_target;
use recoup::transfer::file;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = file::read_transfers("fuzz.csv", data) {
        let bytes = file::write_transfers(&t).expect("a read transfer writes");
        let again = file::read_transfers("fuzz.csv", &bytes).expect("a written transfer reads");
        assert_eq!(again.clients.len(), t.clients.len());
        assert_eq!(again.contacts.len(), t.contacts.len());
        assert_eq!(again.payments.len(), t.payments.len());
    }
    if let Ok(notes) = file::read_notes("fuzz.csv", data) {
        let bytes = file::write_notes(&notes).expect("read notes write");
        let again = file::read_notes("fuzz.csv", &bytes).expect("written notes read");
        assert_eq!(again.len(), notes.len());
    }
});
