//! Dates: the one home for the date helpers every part of recoup shares — the stored
//! `YYYY-MM-DD` form, month arithmetic, and the business calendar (weekends and
//! holidays). Date *options* of import maps (orders, separators, two-digit years) stay
//! with the import (`import::dates`): they describe input files, not the calendar.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// [`iso_date`] for `#[serde(serialize_with)]`: summaries show dates as stored.
pub fn serialize_iso<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&iso_date(*d))
}

/// `YYYY-MM-DD`, as dates are stored. chrono's `format` interprets its pattern on
/// every call; imports and postings write two or three dates per row.
pub fn iso_date(d: NaiveDate) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    if !(0..=9999).contains(&y) {
        return d.format("%Y-%m-%d").to_string();
    }
    let y = y as u32;
    let digits = [
        y / 1000,
        y / 100 % 10,
        y / 10 % 10,
        y % 10,
        m / 10,
        m % 10,
        day / 10,
        day % 10,
    ];
    let mut s = String::with_capacity(10);
    for (i, n) in digits.iter().enumerate() {
        if i == 4 || i == 6 {
            s.push('-');
        }
        s.push(char::from(b'0' + *n as u8));
    }
    s
}

/// A stored date (`YYYY-MM-DD`, as [`iso_date`] writes it), or `None`.
pub fn parse_iso(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Exactly `YYYY-MM-DD` (ten characters), anything else is no date: a faster, stricter
/// [`parse_iso`] for columns recoup wrote itself (Metro 2 generation reads many rows).
pub fn parse_iso_exact(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(n(0..4)? as i32, n(5..7)?, n(8..10)?)
}

/// The number of days in `month` of `year` (28 if the month is out of range).
pub fn days_in_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map_or(28, |d| d.day())
}

/// `day` of the given month, clamped to its last day (the 31st of February is the 28th
/// or 29th).
pub fn clamp_day(year: i32, month: u32, day: u32) -> NaiveDate {
    let d = day.clamp(1, days_in_month(year, month));
    NaiveDate::from_ymd_opt(year, month, d).unwrap_or(NaiveDate::MIN)
}

/// The year and month after `d`'s.
pub fn next_month(d: NaiveDate) -> (i32, u32) {
    if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    }
}

/// The last day of `d`'s month.
pub fn month_end(d: NaiveDate) -> NaiveDate {
    let (y, m) = next_month(d);
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|first| first.pred_opt())
        .unwrap_or(d)
}

/// The business calendar: which days a computed contact date may fall on.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    pub holidays: HashSet<NaiveDate>,
    pub schedule_on_weekends: bool,
}

impl Calendar {
    /// Saturdays, Sundays and holidays are not business days unless setup schedules on
    /// weekends (S2:1274-1279, 1810-1834). With weekends allowed every day is allowed.
    pub fn is_open(&self, d: NaiveDate) -> bool {
        if self.schedule_on_weekends {
            return true;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }

    /// The first open day on or after `d`.
    pub fn next_open(&self, mut d: NaiveDate) -> NaiveDate {
        // A year of consecutive closed days is a setup error; stop rather than loop.
        for _ in 0..366 {
            if self.is_open(d) {
                return d;
            }
            d += Duration::days(1);
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_date_matches_chrono() {
        for (y, m, d) in [
            (2024, 2, 29),
            (1999, 12, 31),
            (1, 1, 1),
            (9999, 9, 9),
            (-5, 3, 4),
            (10000, 1, 1),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).expect("date");
            assert_eq!(iso_date(date), date.format("%Y-%m-%d").to_string());
        }
    }

    #[test]
    fn month_arithmetic() {
        let d = |s: &str| parse_iso(s).unwrap();
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2023, 2), 28);
        assert_eq!(days_in_month(2024, 12), 31);
        assert_eq!(clamp_day(2024, 2, 31), d("2024-02-29"));
        assert_eq!(next_month(d("2024-12-15")), (2025, 1));
        assert_eq!(month_end(d("2024-02-10")), d("2024-02-29"));
        assert_eq!(month_end(d("2024-12-31")), d("2024-12-31"));
        assert_eq!(parse_iso("2024-13-01"), None);
    }

    #[test]
    fn parse_iso_exact_takes_only_iso_dates() {
        assert_eq!(
            parse_iso_exact("2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
        assert_eq!(parse_iso_exact("2023-02-29"), None);
        assert_eq!(parse_iso_exact("2024/02/01"), None);
        assert_eq!(parse_iso_exact("24-02-01"), None);
        assert_eq!(parse_iso_exact("2024-0a-01"), None);
    }
}
