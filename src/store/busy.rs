//! Two recoup commands at once (docs/store.md): the second writer waits for the first
//! instead of failing, up to the busy timeout (docs/limits.md).

use std::time::Duration;

use crate::{Error, Result};

/// How long a command waits for another one's write lock when `RECOUP_BUSY_TIMEOUT`
/// does not say: long enough for a large import to finish.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// The busy timeout: `RECOUP_BUSY_TIMEOUT` (seconds, decimals allowed), else 60 s.
pub fn busy_timeout() -> Result<Duration> {
    match std::env::var("RECOUP_BUSY_TIMEOUT") {
        Ok(v) => parse_seconds(&v).ok_or_else(|| {
            Error::config(format!(
                "RECOUP_BUSY_TIMEOUT '{v}' is not a number of seconds (e.g. 60 or 0.5)"
            ))
        }),
        Err(_) => Ok(DEFAULT_BUSY_TIMEOUT),
    }
}

/// A non-negative number of seconds, decimals allowed (`"0.25"`), at most a day.
pub fn parse_seconds(text: &str) -> Option<Duration> {
    let d: rust_decimal::Decimal = text.trim().parse().ok()?;
    if d.is_sign_negative() || d > rust_decimal::Decimal::from(86_400) {
        return None;
    }
    let ms = (d * rust_decimal::Decimal::from(1000)).trunc();
    u64::try_from(ms).ok().map(Duration::from_millis)
}

/// The message for SQLite's "database is locked" once the busy timeout has run out.
pub fn locked_message() -> String {
    let waited = busy_timeout().unwrap_or(DEFAULT_BUSY_TIMEOUT);
    format!(
        "database: another recoup command holds the database (waited {:.1} s); try again when it has finished, or raise RECOUP_BUSY_TIMEOUT",
        waited.as_secs_f64()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_parse_with_decimals_and_refuse_nonsense() {
        assert_eq!(parse_seconds("0.25"), Some(Duration::from_millis(250)));
        assert_eq!(parse_seconds(" 60 "), Some(Duration::from_secs(60)));
        assert_eq!(parse_seconds("-1"), None);
        assert_eq!(parse_seconds("abc"), None);
        assert_eq!(parse_seconds("100000"), None);
    }
}
