//! Ranges: "ht-20–vt-22", "maj–juni 2021", "3 maj–7 juni 2022", "vecka 10–12 2022",
//! "första–tredje kvartalet 2021". The whole text is tried as one period first, then split at
//! each dash or range word; a left end without a year takes the right end's.

use super::lex::{Fail, Tok, Token, fail, tokenize, word};
use super::parse::single;
use super::{Period, PeriodError, PeriodWarning, words};
use crate::calendar::Calendar;
use chrono::{Datelike, NaiveDate};

/// The year a period names, if it names one (for "maj–juni 2021").
fn year_of(p: &Period) -> Option<i32> {
    match p {
        Period::Date(d) => Some(d.year()),
        Period::Month { year, .. } | Period::Quarter { year, .. } | Period::Half { year, .. } => Some(*year),
        Period::Week { year, .. } | Period::Break { year, .. } => *year,
        Period::Term(t) => Some(t.year),
        Period::Year(y) => Some(*y),
        Period::SchoolYear(y) => Some(*y),
        Period::EndOf(p) | Period::WorkingDay { base: p, .. } => year_of(p),
        Period::Range(a, _) => year_of(a),
        Period::DayMonth { .. } | Period::LastDayOfMonth { .. } | Period::Named(_) => None,
    }
}

fn is_separator(t: &Token) -> bool {
    matches!(t.tok, Tok::Dash) || word(t).is_some_and(words::is_range_word)
}

/// "1–15 maj 2021": a bare day on the left takes the right end's month (and year).
fn bare_day(left: &[Token], right: &Period) -> Option<Period> {
    let [Token { tok: Tok::Num { value, digits: 1 | 2 }, .. }] = left else { return None };
    match right {
        Period::Date(d) => NaiveDate::from_ymd_opt(d.year(), d.month(), *value).map(Period::Date),
        Period::DayMonth { month, .. } => (*value >= 1 && *value <= 28).then_some(Period::DayMonth { day: *value, month: *month }),
        _ => None,
    }
}

/// "första–tredje kvartalet 2021": a lone ordinal on the left takes the right end's
/// "kvartalet" or "halvåret" (and year).
fn lone_ordinal(left: &[Token], right: &Period, end_at: usize) -> Option<Result<Period, Fail>> {
    let (word, year) = match right {
        Period::Quarter { year, .. } => ("kvartalet", *year),
        Period::Half { year, .. } => ("halvåret", *year),
        _ => return None,
    };
    let mut with_word = left.to_vec();
    with_word.push(Token { tok: Tok::Word(word.into()), at: end_at });
    Some(single(&with_word, Some(year), end_at, &mut Vec::new()))
}

/// "vecka 10–12 2022", "v 10-12": a bare week number on the right of a week. `Ok(None)` when
/// the left is not a week or the right not a bare number.
fn week_range_right(left: &[Token], right: &[Token], end_at: usize, warn: &mut Vec<PeriodWarning>) -> Result<Option<Period>, Fail> {
    let starts_with_week = left.iter().find(|t| !word(t).is_some_and(words::is_filler)).and_then(word).is_some_and(words::is_week);
    let Some(Token { tok: Tok::Num { value: to, digits: 1 | 2 }, at }) = right.first() else { return Ok(None) };
    if !starts_with_week {
        return Ok(None);
    }
    let from = left.iter().find_map(|t| match t.tok {
        Tok::Num { value, .. } => Some(value),
        _ => None,
    });
    if let Some(from) = from
        && *to < from
        && right.len() == 1
    {
        return Err(fail(
            *at,
            format!(
                "`vecka {from}–{to}` slutar innan den börjar. Skriv `vecka {from} 20{to:02}` för vecka {from} år 20{to:02}, eller `vecka {to}–{from}` för veckorna {to} till {from}."
            ),
            format!(
                "`vecka {from}–{to}` ends before it starts. Write `vecka {from} 20{to:02}` for week {from} of 20{to:02}, or `vecka {to}–{from}` for weeks {to} to {from}."
            ),
        ));
    }
    let mut with_word = vec![Token { tok: Tok::Word("vecka".into()), at: *at }];
    with_word.extend_from_slice(right);
    single(&with_word, None, end_at, warn).map(Some)
}

/// A range whose left end took the right end's year must not end before it starts: "nov–feb
/// 2022" could be November 2021 or 2022, so the year is asked for on both ends.
fn in_order(s: &str, left: &[Token], sep: &Token, l: &Period, r: &Period) -> Result<Period, Fail> {
    let (Some(y), None) = (year_of(r), left.iter().find(|t| matches!(t.tok, Tok::Num { digits: 2 | 4, .. } | Tok::Date(_)))) else {
        return Ok(l.clone());
    };
    if l.is_yearless() || year_of(l) != Some(y) {
        return Ok(l.clone());
    }
    let cal = Calendar::default();
    let (Ok(a), Ok(b)) = (l.resolve(&cal, None), r.resolve(&cal, None)) else { return Ok(l.clone()) };
    if a.start <= b.end {
        return Ok(l.clone());
    }
    let chars: Vec<char> = s.chars().collect();
    let text = |from: usize, to: usize| {
        chars.get(from..to.min(chars.len())).map_or(String::new(), |c| c.iter().collect::<String>().trim().to_owned())
    };
    let (lt, rt) = (text(left.first().map_or(0, |t| t.at), sep.at), text(sep.at + 1, chars.len()));
    // The other reading: the left end in the named year, the right end in the next.
    let short = format!("{:02}", y.rem_euclid(100));
    let next = if let Some(head) = rt.strip_suffix(&y.to_string()) {
        Some(format!("{head}{}", y + 1))
    } else {
        rt.strip_suffix(&short).map(|head| format!("{head}{:02}", (y + 1).rem_euclid(100)))
    };
    let (or_sv, or_en) =
        next.map_or((String::new(), String::new()), |n| (format!(" eller `{lt} {y} – {n}`"), format!(" or `{lt} {y} – {n}`")));
    Err(fail(
        left.first().map_or(0, |t| t.at),
        format!("`{lt}–{rt}` slutar innan den börjar. Skriv året på båda ändarna: `{lt} {} – {rt}`{or_sv}.", y - 1),
        format!("`{lt}–{rt}` ends before it starts. Write the year on both ends: `{lt} {} – {rt}`{or_en}.", y - 1),
    ))
}

/// Longer texts are refused before parsing (bounds the work and the recursion).
const MAX_LEN: usize = 120;

/// Parses a period or date expression (see the module docs of [`super`]).
pub fn parse_period(s: &str) -> Result<Period, PeriodError> {
    parse_period_with_warnings(s).map(|(p, _)| p)
}

/// Parses a period or date expression, with the warnings about what a reader could take
/// another way ("jul": July, not Christmas).
pub fn parse_period_with_warnings(s: &str) -> Result<(Period, Vec<PeriodWarning>), PeriodError> {
    let end_at = s.chars().count();
    if end_at > MAX_LEN {
        return Err(PeriodError {
            offset: MAX_LEN,
            sv: format!("tidsangivelsen är längre än {MAX_LEN} tecken. Skriv en kort period som `ht-20–vt-22`."),
            en: format!("the period is longer than {MAX_LEN} characters. Write a short period such as `ht-20–vt-22`."),
        });
    }
    let tokens = tokenize(s).map_err(|f| f.err)?;
    let mut warn = Vec::new();
    let whole = match single(&tokens, None, end_at, &mut warn) {
        Ok(p) => return Ok((p, warn)),
        Err(f) => f,
    };
    let mut first_sep_err: Option<Fail> = None;
    for (i, sep) in tokens.iter().enumerate() {
        if !is_separator(sep) || i == 0 || i + 1 == tokens.len() {
            continue;
        }
        let hyphen = matches!(s.chars().nth(sep.at), Some('-'));
        let (left, right) = (&tokens[..i], &tokens[i + 1..]);
        let mut warn = Vec::new();
        let r = match single(right, None, end_at, &mut warn) {
            // "2021-W53" is not the year 2021 to week 53 of every year: a yearless right end
            // cannot follow a dated left end.
            Ok(r) if r.is_yearless() && single(left, None, sep.at, &mut Vec::new()).is_ok_and(|l| !l.is_yearless()) => continue,
            Ok(r) => r,
            Err(e) => match week_range_right(left, right, end_at, {
                warn.clear();
                &mut warn
            }) {
                Ok(Some(r)) => r,
                Ok(None) => {
                    if !matches!(sep.tok, Tok::Dash) || !hyphen {
                        first_sep_err.get_or_insert(e);
                    }
                    continue;
                }
                Err(e) => {
                    first_sep_err = Some(e);
                    continue;
                }
            },
        };
        let mut lwarn = Vec::new();
        let l = match single(left, None, sep.at, &mut lwarn) {
            // "3 maj–7 juni 2022", "vecka 10–12 2022": a yearless left end takes the right end's year.
            Ok(l) if l.is_yearless() && !r.is_yearless() => match year_of(&r) {
                Some(y) => {
                    lwarn.clear();
                    single(left, Some(y), sep.at, &mut lwarn)
                }
                None => Ok(l),
            },
            Ok(l) => Ok(l),
            Err(e) if e.need_year && year_of(&r).is_some() => {
                lwarn.clear();
                single(left, year_of(&r), sep.at, &mut lwarn)
            }
            Err(e) if e.need_word => lone_ordinal(left, &r, sep.at).unwrap_or(Err(e)),
            Err(e) => bare_day(left, &r).ok_or(e),
        };
        let l = l.and_then(|l| in_order(s, left, sep, &l, &r));
        match l {
            Ok(l) => {
                lwarn.append(&mut warn);
                return Ok((Period::Range(Box::new(l), Box::new(r)), lwarn));
            }
            Err(e) => {
                if !hyphen {
                    first_sep_err.get_or_insert(e);
                }
            }
        }
    }
    Err(first_sep_err.unwrap_or(whole).err)
}
