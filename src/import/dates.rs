//! Import date options (S2:5015-5029, Collect! help, Import: date options): the order of day,
//! month and year, the separator, 2- or 4-digit years and leading zeros, globally
//! and per field.

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOrder {
    Mdy,
    Ymd,
    Dmy,
    /// Year, then the day of the year (1-366).
    Yj,
    /// The day of the current year (1-366).
    J,
    /// Day, three-letter month, year: `01-JAN-2024`.
    DMonY,
}

impl DateOrder {
    pub fn parse(s: &str) -> Option<DateOrder> {
        Some(match s.to_ascii_uppercase().as_str() {
            "MDY" | "MMDDYY" | "MMDDYYYY" => DateOrder::Mdy,
            "YMD" | "YYMMDD" | "YYYYMMDD" => DateOrder::Ymd,
            "DMY" | "DDMMYY" | "DDMMYYYY" => DateOrder::Dmy,
            "YJ" | "YYYYDDD" | "YYDDD" => DateOrder::Yj,
            "J" | "DDD" => DateOrder::J,
            "DMONY" | "DDMONYYYY" | "DD-MON-YYYY" => DateOrder::DMonY,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateOptions {
    pub order: DateOrder,
    /// Empty for none.
    pub separator: String,
    pub year_digits: u8,
    pub leading_zeros: bool,
}

impl Default for DateOptions {
    /// docs/import-maps.md defaults: MDY, "/", 4, leading zeros.
    fn default() -> Self {
        DateOptions {
            order: DateOrder::Mdy,
            separator: "/".into(),
            year_digits: 4,
            leading_zeros: true,
        }
    }
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// A two-digit year lands within [today − 90 years, today + 10 years] (docs/import-maps.md; chrono's
/// `%y` would put "45" in 2045, wrong for a date of birth).
fn full_year(yy: i32, today: NaiveDate) -> i32 {
    let ty = today.year();
    let mut y = (ty / 100) * 100 + yy;
    while y > ty + 10 {
        y -= 100;
    }
    while y < ty - 90 {
        y += 100;
    }
    y
}

fn num(s: &str) -> Option<i32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn year_of(s: &str, today: NaiveDate) -> Option<i32> {
    match s.len() {
        1 | 2 => Some(full_year(num(s)?, today)),
        4 => num(s),
        _ => None,
    }
}

fn ordinal(year: i32, day: &str) -> Option<NaiveDate> {
    let d = num(day)?;
    NaiveDate::from_yo_opt(year, u32::try_from(d).ok()?)
}

fn month_of(s: &str) -> Option<u32> {
    if let Some(n) = num(s) {
        return u32::try_from(n).ok();
    }
    let up = s.to_ascii_uppercase();
    MONTHS
        .iter()
        .position(|m| up.starts_with(m))
        .map(|i| i as u32 + 1)
}

impl DateOptions {
    /// Read a date as these options describe it. Lenient where the product is (help
    /// §4.6: MDY accepts `04/09/2001`, `04/09/01` and `04092001`): separated parts may
    /// drop leading zeros and carry 2 or 4 year digits; unseparated text is split by
    /// its length. `None` when the text is not such a date.
    pub fn parse(&self, text: &str, today: NaiveDate) -> Option<NaiveDate> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        match self.order {
            DateOrder::J => return ordinal(today.year(), t),
            DateOrder::Yj => {
                let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
                if digits.len() != t.chars().filter(|c| c.is_alphanumeric()).count() {
                    return None;
                }
                let (y, d) = match digits.len() {
                    7 => (&digits[..4], &digits[4..]),
                    5 => (&digits[..2], &digits[2..]),
                    _ => {
                        let (y, d) = split_sep(t, &self.separator)
                            .and_then(|p| (p.len() == 2).then(|| (p[0], p[1])))?;
                        return ordinal(year_of(y, today)?, d);
                    }
                };
                return ordinal(year_of(y, today)?, d);
            }
            _ => {}
        }
        let parts: [&str; 3] = match split3(t, &self.separator) {
            Some(p) => p,
            None => self.split_fixed(t)?,
        };
        let (d, m, y) = match self.order {
            DateOrder::Mdy => (parts[1], parts[0], parts[2]),
            DateOrder::Ymd => (parts[2], parts[1], parts[0]),
            DateOrder::Dmy | DateOrder::DMonY => (parts[0], parts[1], parts[2]),
            DateOrder::Yj | DateOrder::J => return None,
        };
        let month = if self.order == DateOrder::DMonY {
            month_of(m)?
        } else {
            u32::try_from(num(m)?).ok()?
        };
        let day = u32::try_from(num(d)?).ok()?;
        if d.len() > 2 || m.len() > 3 {
            return None;
        }
        NaiveDate::from_ymd_opt(year_of(y, today)?, month, day)
    }

    /// Split unseparated text (`04092001`, `040901`, `01JAN2024`) by position.
    fn split_fixed<'t>(&self, t: &'t str) -> Option<[&'t str; 3]> {
        if !t.is_ascii() {
            return None;
        }
        let n = t.len();
        let mon = if self.order == DateOrder::DMonY { 3 } else { 2 };
        let year_len = match n.checked_sub(2 + mon)? {
            2 => 2,
            4 => 4,
            _ => return None,
        };
        Some(match self.order {
            DateOrder::Ymd => [
                &t[..year_len],
                &t[year_len..year_len + 2],
                &t[year_len + 2..],
            ],
            _ => [&t[..2], &t[2..2 + mon], &t[2 + mon..]],
        })
    }

    /// Write a date as these options describe it (export direction).
    pub fn format(&self, d: NaiveDate) -> String {
        let y = if self.year_digits == 2 {
            format!("{:02}", d.year().rem_euclid(100))
        } else {
            format!("{:04}", d.year())
        };
        let two = |n: u32| {
            if self.leading_zeros {
                format!("{n:02}")
            } else {
                n.to_string()
            }
        };
        let s = &self.separator;
        match self.order {
            DateOrder::Mdy => format!("{}{s}{}{s}{y}", two(d.month()), two(d.day())),
            DateOrder::Ymd => format!("{y}{s}{}{s}{}", two(d.month()), two(d.day())),
            DateOrder::Dmy => format!("{}{s}{}{s}{y}", two(d.day()), two(d.month())),
            DateOrder::DMonY => format!("{}{s}{}{s}{y}", two(d.day()), MONTHS[d.month0() as usize]),
            DateOrder::Yj => format!("{y}{s}{:03}", d.ordinal()),
            DateOrder::J => format!("{:03}", d.ordinal()),
        }
    }
}

/// Exactly three separated parts (no allocation: this runs for every date field).
fn split3<'t>(t: &'t str, sep: &str) -> Option<[&'t str; 3]> {
    let found = if !sep.is_empty() && t.contains(sep) {
        Some((sep, false))
    } else {
        ["/", "-", ".", " "]
            .into_iter()
            .find(|s| t.contains(s))
            .map(|s| (s, true))
    };
    let (s, skip_empty) = found?;
    let mut out = [""; 3];
    let mut n = 0;
    for p in t.split(s).map(str::trim) {
        if skip_empty && p.is_empty() {
            continue;
        }
        if n == 3 {
            return None;
        }
        out[n] = p;
        n += 1;
    }
    (n == 3).then_some(out)
}

fn split_sep<'t>(t: &'t str, sep: &str) -> Option<Vec<&'t str>> {
    if !sep.is_empty() && t.contains(sep) {
        return Some(t.split(sep).map(str::trim).collect());
    }
    // Tolerate the usual separators even when the map names another one.
    for s in ["/", "-", ".", " "] {
        if t.contains(s) {
            return Some(t.split(s).filter(|p| !p.is_empty()).collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn opts(order: DateOrder, sep: &str, yd: u8) -> DateOptions {
        DateOptions {
            order,
            separator: sep.into(),
            year_digits: yd,
            leading_zeros: true,
        }
    }

    #[test]
    fn help_examples_april_9_2001() {
        let today = d(2024, 6, 1);
        let mdy = DateOptions::default();
        for t in ["04/09/2001", "04/09/01", "04092001", "4/9/2001", "040901"] {
            assert_eq!(mdy.parse(t, today), Some(d(2001, 4, 9)), "{t}");
        }
        let ymd = opts(DateOrder::Ymd, "/", 4);
        for t in ["2001/04/09", "01/04/09", "20010409"] {
            assert_eq!(ymd.parse(t, today), Some(d(2001, 4, 9)), "{t}");
        }
        let dmy = opts(DateOrder::Dmy, "-", 4);
        assert_eq!(dmy.parse("09-04-2001", today), Some(d(2001, 4, 9)));
    }

    #[test]
    fn two_digit_year_window() {
        let today = d(2024, 6, 1);
        let mdy = opts(DateOrder::Mdy, "/", 2);
        // 45 is a birth year, not 2045: window [1934, 2034].
        assert_eq!(mdy.parse("01/02/45", today), Some(d(1945, 1, 2)));
        assert_eq!(mdy.parse("01/02/34", today), Some(d(2034, 1, 2)));
        assert_eq!(mdy.parse("01/02/35", today), Some(d(1935, 1, 2)));
        assert_eq!(mdy.parse("01/02/24", today), Some(d(2024, 1, 2)));
    }

    #[test]
    fn julian_and_month_names() {
        let today = d(2024, 6, 1);
        assert_eq!(
            opts(DateOrder::Yj, "", 4).parse("2024060", today),
            Some(d(2024, 2, 29))
        );
        assert_eq!(
            opts(DateOrder::Yj, "", 2).parse("01099", today),
            Some(d(2001, 4, 9))
        );
        assert_eq!(
            opts(DateOrder::J, "", 4).parse("32", today),
            Some(d(2024, 2, 1))
        );
        let dmon = opts(DateOrder::DMonY, "-", 4);
        assert_eq!(dmon.parse("01-JAN-2024", today), Some(d(2024, 1, 1)));
        assert_eq!(dmon.parse("9-apr-01", today), Some(d(2001, 4, 9)));
        assert_eq!(dmon.parse("09APR2001", today), Some(d(2001, 4, 9)));
        assert_eq!(dmon.format(d(2001, 4, 9)), "09-APR-2001");
    }

    #[test]
    fn rejects_nonsense() {
        let today = d(2024, 6, 1);
        let mdy = DateOptions::default();
        for t in [
            "13/01/2001",
            "02/30/2001",
            "abc",
            "1/2",
            "123456789",
            "٣/٣/٢٠٢٠",
        ] {
            assert_eq!(mdy.parse(t, today), None, "{t}");
        }
    }

    #[test]
    fn format_round_trips() {
        let today = d(2024, 6, 1);
        for o in [
            opts(DateOrder::Mdy, "/", 4),
            opts(DateOrder::Ymd, "", 4),
            opts(DateOrder::Dmy, ".", 2),
            opts(DateOrder::Yj, "", 4),
        ] {
            let date = d(1999, 12, 31);
            assert_eq!(o.parse(&o.format(date), today), Some(date), "{o:?}");
        }
    }
}
