//! How long-running library work tells its caller how far it got. The library only
//! reports; the command line decides whether and how to draw (an indicatif bar on a
//! terminal, nothing under `--quiet`), so no library module draws on the terminal.

/// Progress through work measured in units (an import counts input bytes).
pub trait Progress {
    /// The size of the whole work, once known (an import's input size in bytes; 0 when
    /// the input cannot say, such as a pipe).
    fn start(&self, _total: u64) {}
    /// `done` more units were finished since the last call.
    fn advance(&self, done: u64);
}
