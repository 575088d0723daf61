//! Swedish public holidays under lag (1989:253) om allmänna helgdagar, with the historic
//! changes that matter for 1900–2200, plus the de-facto days off (midsommarafton, julafton,
//! nyårsafton).
//!
//! History encoded here:
//! - Första maj is a holiday from 1939.
//! - Jungfru Marie bebådelsedag (25 March) was a weekday holiday up to and including 1953;
//!   afterwards it is celebrated on a Sunday and is no longer a day off.
//! - Midsommardagen was 24 June and alla helgons dag 1 November until 1952; from 1953 they
//!   are the Saturday 20–26 June and the Saturday 31 October–6 November.
//! - Annandag pingst was a holiday until 2004; Sveriges nationaldag (6 June) from 2005.
//!
//! [`is_holiday`] answers in O(1) from a bitset built once for [`MIN_YEAR`]..=[`MAX_YEAR`].

use super::{Holiday, HolidayKind, MAX_YEAR, MIN_YEAR};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::sync::OnceLock;

/// Easter Sunday of `year` (Gregorian computus, the anonymous "Meeus/Jones/Butcher" form).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or(NaiveDate::MIN)
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

/// The first Saturday on or after `from`.
fn saturday_from(from: NaiveDate) -> NaiveDate {
    let ahead = (Weekday::Sat.num_days_from_monday() + 7 - from.weekday().num_days_from_monday()) % 7;
    from + Duration::days(ahead as i64)
}

/// All non-working days of `year` other than plain weekends, sorted by date.
pub fn holidays(year: i32) -> Vec<Holiday> {
    let legal = |date, name, name_en| Holiday { date, name, name_en, kind: HolidayKind::Legal };
    let de_facto = |date, name, name_en| Holiday { date, name, name_en, kind: HolidayKind::DeFacto };
    let easter = easter_sunday(year);
    let mut out = vec![
        legal(ymd(year, 1, 1), "nyårsdagen", "New Year's Day"),
        legal(ymd(year, 1, 6), "trettondedag jul", "Epiphany"),
        legal(easter - Duration::days(2), "långfredagen", "Good Friday"),
        de_facto(easter - Duration::days(1), "påskafton", "Easter Eve"),
        legal(easter, "påskdagen", "Easter Sunday"),
        legal(easter + Duration::days(1), "annandag påsk", "Easter Monday"),
        legal(easter + Duration::days(39), "Kristi himmelsfärdsdag", "Ascension Day"),
        legal(easter + Duration::days(49), "pingstdagen", "Whit Sunday"),
        legal(ymd(year, 12, 25), "juldagen", "Christmas Day"),
        legal(ymd(year, 12, 26), "annandag jul", "Boxing Day"),
        de_facto(ymd(year, 12, 24), "julafton", "Christmas Eve"),
        de_facto(ymd(year, 12, 31), "nyårsafton", "New Year's Eve"),
    ];
    if year <= 1953 {
        out.push(legal(ymd(year, 3, 25), "Jungfru Marie bebådelsedag", "Annunciation Day"));
    }
    if year >= 1939 {
        out.push(legal(ymd(year, 5, 1), "första maj", "May Day"));
    }
    if year <= 2004 {
        out.push(legal(easter + Duration::days(50), "annandag pingst", "Whit Monday"));
    } else {
        out.push(legal(ymd(year, 6, 6), "Sveriges nationaldag", "National Day of Sweden"));
    }
    let (midsummer, all_saints) = if year >= 1953 {
        (saturday_from(ymd(year, 6, 20)), saturday_from(ymd(year, 10, 31)))
    } else {
        (ymd(year, 6, 24), ymd(year, 11, 1))
    };
    out.push(de_facto(midsummer - Duration::days(1), "midsommarafton", "Midsummer Eve"));
    out.push(legal(midsummer, "midsommardagen", "Midsummer Day"));
    out.push(legal(all_saints, "alla helgons dag", "All Saints' Day"));
    out.sort_by_key(|h| (h.date, h.kind == HolidayKind::DeFacto));
    // Two names on one day (e.g. påskafton never collides, but nationaldagen can be
    // pingstdagen): keep the first, legal one.
    out.dedup_by_key(|h| h.date);
    out
}

fn day_index(d: NaiveDate) -> Option<usize> {
    let first = ymd(MIN_YEAR, 1, 1);
    (MIN_YEAR..=MAX_YEAR).contains(&d.year()).then(|| (d - first).num_days() as usize)
}

fn bitset() -> &'static [u64] {
    static BITS: OnceLock<Vec<u64>> = OnceLock::new();
    BITS.get_or_init(|| {
        let days = (ymd(MAX_YEAR, 12, 31) - ymd(MIN_YEAR, 1, 1)).num_days() as usize + 1;
        let mut bits = vec![0u64; days.div_ceil(64)];
        for year in MIN_YEAR..=MAX_YEAR {
            for h in holidays(year) {
                if let Some(i) = day_index(h.date) {
                    bits[i / 64] |= 1 << (i % 64);
                }
            }
        }
        bits
    })
}

/// True when `d` is a legal or de-facto holiday. O(1) within 1900–2200; computed outside.
pub fn is_holiday(d: NaiveDate) -> bool {
    match day_index(d) {
        Some(i) => bitset()[i / 64] & (1 << (i % 64)) != 0,
        None => holidays(d.year()).iter().any(|h| h.date == d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(year: i32) -> Vec<(String, &'static str)> {
        holidays(year).into_iter().map(|h| (h.date.format("%m-%d").to_string(), h.name)).collect()
    }

    #[test]
    fn easter_matches_known_dates() {
        for (y, m, d) in [
            (1900, 4, 15),
            (1943, 4, 25),
            (1961, 4, 2),
            (2000, 4, 23),
            (2019, 4, 21),
            (2021, 4, 4),
            (2024, 3, 31),
            (2038, 4, 25),
            (2200, 4, 6),
        ] {
            assert_eq!(easter_sunday(y), ymd(y, m, d), "easter {y}");
        }
    }

    #[test]
    fn holidays_2021_are_the_official_list() {
        let got = names(2021);
        let want = [
            ("01-01", "nyårsdagen"),
            ("01-06", "trettondedag jul"),
            ("04-02", "långfredagen"),
            ("04-03", "påskafton"),
            ("04-04", "påskdagen"),
            ("04-05", "annandag påsk"),
            ("05-01", "första maj"),
            ("05-13", "Kristi himmelsfärdsdag"),
            ("05-23", "pingstdagen"),
            ("06-06", "Sveriges nationaldag"),
            ("06-25", "midsommarafton"),
            ("06-26", "midsommardagen"),
            ("11-06", "alla helgons dag"),
            ("12-24", "julafton"),
            ("12-25", "juldagen"),
            ("12-26", "annandag jul"),
            ("12-31", "nyårsafton"),
        ];
        assert_eq!(got, want.iter().map(|(d, n)| (d.to_string(), *n)).collect::<Vec<_>>());
    }

    #[test]
    fn history_is_respected() {
        let n2004 = names(2004);
        assert!(n2004.iter().any(|(_, n)| *n == "annandag pingst"));
        assert!(!n2004.iter().any(|(_, n)| *n == "Sveriges nationaldag"));
        let n1950 = names(1950);
        assert!(n1950.contains(&("06-24".into(), "midsommardagen")));
        assert!(n1950.contains(&("11-01".into(), "alla helgons dag")));
        assert!(n1950.contains(&("03-25".into(), "Jungfru Marie bebådelsedag")));
        assert!(!names(1938).iter().any(|(_, n)| *n == "första maj"));
        assert!(!names(1960).iter().any(|(_, n)| *n == "Jungfru Marie bebådelsedag"));
    }

    #[test]
    fn bitset_agrees_with_the_list_every_year() {
        for year in [MIN_YEAR, 1953, 2004, 2005, 2026, MAX_YEAR] {
            let list = holidays(year);
            let mut d = ymd(year, 1, 1);
            while d.year() == year {
                assert_eq!(is_holiday(d), list.iter().any(|h| h.date == d), "{d}");
                d += Duration::days(1);
            }
        }
        // Outside the bitset the answer is computed.
        assert!(is_holiday(ymd(2300, 12, 25)));
        assert!(!is_holiday(ymd(2300, 12, 27)));
    }

    #[test]
    fn midsummer_is_always_a_friday_and_saturday_from_1953() {
        for year in 1953..=2200 {
            let h = holidays(year);
            let eve = h.iter().find(|h| h.name == "midsommarafton").map(|h| h.date);
            let day = h.iter().find(|h| h.name == "midsommardagen").map(|h| h.date);
            assert_eq!(eve.map(|d| d.weekday()), Some(Weekday::Fri), "{year}");
            assert_eq!(day.map(|d| d.weekday()), Some(Weekday::Sat), "{year}");
            let day = day.unwrap_or(NaiveDate::MIN);
            assert!((20..=26).contains(&day.day()) && day.month() == 6, "{year}");
        }
    }
}
