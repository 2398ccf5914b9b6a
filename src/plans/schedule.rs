//! Contact dates and times (S2:1266-1285; docs/plans-and-letters.md): delay days, day of month, next
//! month same day, weekends and holidays, timeless time and delay minutes.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};

use crate::dates::{clamp_day, days_in_month, next_month, Calendar};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    Immediately,
    DelayDays(i64),
    /// Day of month (1-31); 0 means the 1st (S2:1272-1273).
    DayOfMonth(u32),
    NextMonthSameDay,
}

/// The contact date of an event counted from `reference` (today or `--start-date`).
pub fn contact_date(schedule: Schedule, reference: NaiveDate, cal: &Calendar) -> NaiveDate {
    let date = match schedule {
        // "immediately" is never moved.
        Schedule::Immediately => return reference,
        Schedule::DelayDays(n) => reference + Duration::days(n),
        Schedule::DayOfMonth(day) => {
            let day = if day == 0 { 1 } else { day };
            // A day still ahead in this month (or today) → this month; else next month.
            if reference.day() <= day.min(days_in_month(reference.year(), reference.month())) {
                clamp_day(reference.year(), reference.month(), day)
            } else {
                let (y, m) = next_month(reference);
                clamp_day(y, m, day)
            }
        }
        Schedule::NextMonthSameDay => {
            let (y, m) = next_month(reference);
            clamp_day(y, m, reference.day())
        }
    };
    if date > reference {
        cal.next_open(date)
    } else {
        date
    }
}

/// The contact time: a timeless time as given, else now + delay minutes, else none.
pub fn contact_time(
    timeless: Option<NaiveTime>,
    delay_minutes: i64,
    now: NaiveTime,
) -> Option<NaiveTime> {
    if let Some(t) = timeless {
        return Some(t);
    }
    if delay_minutes > 0 {
        return Some(
            now.overflowing_add_signed(Duration::minutes(delay_minutes))
                .0,
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        crate::dates::parse_iso(s).unwrap()
    }

    fn cal() -> Calendar {
        Calendar {
            holidays: [d("2024-07-04"), d("2024-12-25")].into_iter().collect(),
            schedule_on_weekends: false,
        }
    }

    #[test]
    fn delay_days_skip_weekends_and_holidays() {
        // Wed 2024-07-03 + 1 = Thu 07-04 holiday → Fri 07-05
        assert_eq!(
            contact_date(Schedule::DelayDays(1), d("2024-07-03"), &cal()),
            d("2024-07-05")
        );
        // Fri 2024-07-05 + 1 = Sat → Mon 07-08
        assert_eq!(
            contact_date(Schedule::DelayDays(1), d("2024-07-05"), &cal()),
            d("2024-07-08")
        );
        // Tue 12-24 + 1 = Christmas (Wed) → Thu 12-26
        assert_eq!(
            contact_date(Schedule::DelayDays(1), d("2024-12-24"), &cal()),
            d("2024-12-26")
        );
        // immediately is never moved, even on a Saturday or a holiday
        assert_eq!(
            contact_date(Schedule::Immediately, d("2024-07-06"), &cal()),
            d("2024-07-06")
        );
        assert_eq!(
            contact_date(Schedule::Immediately, d("2024-07-04"), &cal()),
            d("2024-07-04")
        );
        // with weekends allowed nothing moves
        let open = Calendar {
            schedule_on_weekends: true,
            ..cal()
        };
        assert_eq!(
            contact_date(Schedule::DelayDays(1), d("2024-07-05"), &open),
            d("2024-07-06")
        );
    }

    #[test]
    fn day_of_month() {
        // today is the 10th: the 15th is still ahead → this month
        assert_eq!(
            contact_date(Schedule::DayOfMonth(15), d("2024-04-10"), &cal()),
            d("2024-04-15")
        );
        // the day itself counts as this month and is not moved
        assert_eq!(
            contact_date(Schedule::DayOfMonth(10), d("2024-04-10"), &cal()),
            d("2024-04-10")
        );
        // past it → next month
        assert_eq!(
            contact_date(Schedule::DayOfMonth(5), d("2024-04-10"), &cal()),
            d("2024-05-06")
        ); // 05-05 is a Sunday
           // the 31st in a 30-day month is its last day
        assert_eq!(
            contact_date(Schedule::DayOfMonth(31), d("2024-04-10"), &cal()),
            d("2024-04-30")
        );
        // the 31st asked on the 31st of January: this month (today)
        assert_eq!(
            contact_date(Schedule::DayOfMonth(31), d("2024-01-31"), &cal()),
            d("2024-01-31")
        );
        // the 30th asked on Jan 31: next month, clamped to Feb 29 (leap year, a Thursday)
        assert_eq!(
            contact_date(Schedule::DayOfMonth(30), d("2024-01-31"), &cal()),
            d("2024-02-29")
        );
        // and Feb 28 in 2023 (a Tuesday)
        assert_eq!(
            contact_date(Schedule::DayOfMonth(30), d("2023-01-31"), &cal()),
            d("2023-02-28")
        );
        // no day given → the 1st
        assert_eq!(
            contact_date(Schedule::DayOfMonth(0), d("2024-04-10"), &cal()),
            d("2024-05-01")
        );
        // December rolls into January
        assert_eq!(
            contact_date(Schedule::DayOfMonth(2), d("2024-12-20"), &cal()),
            d("2025-01-02")
        );
    }

    #[test]
    fn next_month_same_day() {
        assert_eq!(
            contact_date(Schedule::NextMonthSameDay, d("2024-10-20"), &cal()),
            d("2024-11-20")
        );
        assert_eq!(
            contact_date(Schedule::NextMonthSameDay, d("2024-01-31"), &cal()),
            d("2024-02-29")
        );
        assert_eq!(
            contact_date(Schedule::NextMonthSameDay, d("2023-01-31"), &cal()),
            d("2023-02-28")
        );
        // Nov 4 2024 → Dec 4 (Wednesday); Dec 25 → Jan 25 2025 is a Saturday → Jan 27
        assert_eq!(
            contact_date(Schedule::NextMonthSameDay, d("2024-12-25"), &cal()),
            d("2025-01-27")
        );
    }

    #[test]
    fn times() {
        let now = NaiveTime::from_hms_opt(9, 50, 0).unwrap();
        let six = NaiveTime::from_hms_opt(18, 0, 0);
        assert_eq!(contact_time(six, 15, now), six);
        assert_eq!(
            contact_time(None, 15, now),
            NaiveTime::from_hms_opt(10, 5, 0)
        );
        assert_eq!(contact_time(None, 0, now), None);
    }
}
