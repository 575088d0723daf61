//! The forms beyond seasons, months, weeks and years: ordinal quarters and halves ("första
//! kvartalet 2021", "1:a halvåret -22", "Q1 2021", "H2 2022"), named days ("julafton",
//! "midsommarafton 2022"), working days next to a day ("första arbetsdagen efter
//! nyårsdagen 2022"), school breaks ("jullovet 2021"), numeric day and month ("15/3 2022",
//! "15.3.2022"), ISO months and week dates ("2022-03", "2022-W10-3").

use super::lex::{Fail, Tok, fail};
use super::parse::{Cur, check_year, day_month, single, week};
use super::{Period, PeriodWarning, WorkingDayRule, named, words};
use chrono::{NaiveDate, Weekday};

/// One of the forms of this module at the cursor, or `Ok(None)` (nothing consumed) when the
/// text is none of them.
pub(super) fn try_form(c: &mut Cur, default_year: Option<i32>) -> Result<Option<Period>, Fail> {
    let Some(first) = c.peek() else { return Ok(None) };
    let at = first.at;
    match &first.tok {
        Tok::Num { value, digits: 4 } => iso(c, *value, at),
        Tok::Num { value, digits: 1 | 2 } if matches!(c.t.get(c.i + 1).map(|t| &t.tok), Some(Tok::Slash | Tok::Dot)) => {
            numeric_date(c, *value, at, default_year).map(Some)
        }
        Tok::Ord(n) => {
            c.i += 1;
            ordinal_part(c, *n, at, default_year).map(Some)
        }
        Tok::Word(w) => {
            let w = w.clone();
            if let Some((day, n)) = named::lookup(&c.words_ahead()) {
                c.i += n;
                return Ok(Some(match c.year()?.or(default_year) {
                    Some(y) => Period::Date(day.date(y).ok_or_else(|| {
                        fail(
                            at,
                            format!("{} {y} finns inte i kalendern.", day.name()),
                            format!("{} {y} is not in the calendar.", day.name()),
                        )
                    })?),
                    None => Period::Named(day),
                }));
            }
            let next = c.t.get(c.i + 1).and_then(super::lex::word);
            if matches!(w.as_str(), "första" | "sista") && next.is_some_and(|n| matches!(n, "arbetsdagen" | "arbetsdag")) {
                c.i += 2;
                return working_day(c, w == "första", at, default_year).map(Some);
            }
            if words::is_ordinal_word(&w)
                && w != "sista"
                && let Some(n) = words::ordinal(&w)
            {
                c.i += 1;
                return ordinal_part(c, n, at, default_year).map(Some);
            }
            if w == "sista" && next.is_some_and(|n| is_quarter_word(n) || is_half_word(n)) {
                c.i += 1;
                return ordinal_part(c, LAST, at, default_year).map(Some);
            }
            if is_quarter_word(&w) || is_half_word(&w) || w == "h" {
                c.i += 1;
                let half = !is_quarter_word(&w);
                let n = if half { c.num("halvår", "half-year")? } else { c.num("kvartal", "quarter")? };
                return part(c, half, n, at, default_year).map(Some);
            }
            if let Some(name) = named::school_break(&w) {
                c.i += 1;
                let year = c.year()?.or(default_year);
                return Ok(Some(Period::Break { name, year }));
            }
            Ok(None)
        }
        _ => Ok(None),
    }
}

fn is_quarter_word(w: &str) -> bool {
    words::is_quarter(w) || w == "kvartalet"
}

fn is_half_word(w: &str) -> bool {
    matches!(w, "halvår" | "halvåret" | "halvårets")
}

/// "sista kvartalet": the last one.
const LAST: u32 = u32::MAX;

/// After an ordinal ("första", "2:a", "sista" = [`LAST`]): "kvartalet"/"halvåret" and a year.
fn ordinal_part(c: &mut Cur, n: u32, at: usize, default_year: Option<i32>) -> Result<Period, Fail> {
    match c.word() {
        // "1:a maj 2021": a day of a month.
        Some(w) if n != LAST && words::month(w).is_some() => {
            let m = words::month(w).unwrap_or(1);
            c.i += 1;
            let y = c.year()?.or(default_year);
            day_month(n, m, y, at)
        }
        Some(w) if is_quarter_word(w) => {
            c.i += 1;
            part(c, false, if n == LAST { 4 } else { n }, at, default_year)
        }
        Some(w) if is_half_word(w) => {
            c.i += 1;
            part(c, true, if n == LAST { 2 } else { n }, at, default_year)
        }
        _ => {
            let suffix = if n == 1 || n == 2 { "a" } else { "e" };
            let (sv, en) = if (1..=4).contains(&n) {
                (format!("`{n}:{suffix} kvartalet 2021` eller `{n} maj 2021`"), format!("`{n}:{suffix} kvartalet 2021` or `{n} maj 2021`"))
            } else {
                (format!("`{} maj 2021`", n.clamp(1, 31)), format!("`{} maj 2021`", n.clamp(1, 31)))
            };
            let mut f = fail(
                c.at(),
                format!("efter ett ordningstal väntas `kvartalet`, `halvåret` eller en månad: skriv t.ex. {sv}."),
                format!("an ordinal must be followed by `kvartalet`, `halvåret` or a month: write e.g. {en}."),
            );
            // "första–tredje kvartalet 2021": the left end takes the right end's word.
            f.need_word = c.peek().is_none();
            Err(f)
        }
    }
}

/// Quarter or half `n` of a year (from the text or `default_year`).
fn part(c: &mut Cur, half: bool, n: u32, at: usize, default_year: Option<i32>) -> Result<Period, Fail> {
    let (count, sv, en) = if half { (2, "halvår", "half-year") } else { (4, "kvartal", "quarter") };
    if !(1..=count).contains(&n) {
        let (ex_sv, ex_en) = if half {
            ("`andra halvåret 2021` eller `H2 2021`", "`andra halvåret 2021` (second half) or `H2 2021`")
        } else {
            ("`fjärde kvartalet 2021` eller `Q4 2021`", "`fjärde kvartalet 2021` (fourth quarter) or `Q4 2021`")
        };
        return Err(fail(
            at,
            format!("{sv} {n} finns inte: ett år har {count} {sv}. Skriv t.ex. {ex_sv}."),
            format!("{en} {n} does not exist: a year has {count} {en}s. Write e.g. {ex_en}."),
        ));
    }
    let what = if half { format!("H{n}") } else { format!("Q{n}") };
    let ord = ["första", "andra", "tredje", "fjärde"].get(n as usize - 1).copied().unwrap_or("första");
    let example = format!("{ord} {} 2021", if half { "halvåret" } else { "kvartalet" });
    let year = c.need_year(&what, default_year, &example)?;
    Ok(if half { Period::Half { year, half: n } } else { Period::Quarter { year, quarter: n } })
}

/// "första arbetsdagen efter X", "sista arbetsdagen före X", "… i X" (after the two words).
fn working_day(c: &mut Cur, first: bool, at: usize, default_year: Option<i32>) -> Result<Period, Fail> {
    let rule = match (first, c.word()) {
        (true, Some("efter")) => WorkingDayRule::FirstAfter,
        (false, Some("före" | "innan" | "för")) => WorkingDayRule::LastBefore,
        (true, Some("i" | "av" | "under")) => WorkingDayRule::FirstIn,
        (false, Some("i" | "av" | "under")) => WorkingDayRule::LastIn,
        _ => {
            let (sv, en) = if first {
                (
                    "`första arbetsdagen efter nyårsdagen 2022` eller `första arbetsdagen i augusti 2022`",
                    "`första arbetsdagen efter nyårsdagen 2022` (after) or `första arbetsdagen i augusti 2022` (in)",
                )
            } else {
                (
                    "`sista arbetsdagen före julafton 2022` eller `sista arbetsdagen i maj 2022`",
                    "`sista arbetsdagen före julafton 2022` (before) or `sista arbetsdagen i maj 2022` (in)",
                )
            };
            return Err(fail(
                c.at(),
                format!(
                    "`{} arbetsdagen` behöver `{}` eller `i` och en dag eller period: skriv t.ex. {sv}.",
                    if first { "första" } else { "sista" },
                    if first { "efter" } else { "före" }
                ),
                format!(
                    "`{} arbetsdagen` needs `{}` or `i` and a day or period: write e.g. {en}.",
                    if first { "första" } else { "sista" },
                    if first { "efter" } else { "före" }
                ),
            ));
        }
    };
    c.i += 1;
    if c.peek().is_none() {
        return Err(fail(
            c.at(),
            "här saknas dagen eller perioden: skriv t.ex. `första arbetsdagen efter nyårsdagen 2022`.".into(),
            "the day or period is missing here: write e.g. `första arbetsdagen efter nyårsdagen 2022`.".into(),
        ));
    }
    let base = single(&c.t[c.i..], default_year, c.end_at, c.warn)?;
    if matches!(base, Period::WorkingDay { .. }) {
        return Err(fail(
            at,
            "en arbetsdag intill en annan arbetsdag: skriv dagen själv, t.ex. `första arbetsdagen efter 2022-01-03`.".into(),
            "a working day next to a working day: write the day itself, e.g. `första arbetsdagen efter 2022-01-03`.".into(),
        ));
    }
    c.i = c.t.len();
    Ok(Period::WorkingDay { rule, base: Box::new(base) })
}

/// True when token `i` starts right where token `i - 1` ends (no space): "2022-03".
fn adjacent(c: &Cur, i: usize, len_before: usize) -> bool {
    match (c.t.get(i.wrapping_sub(1)), c.t.get(i)) {
        (Some(a), Some(b)) => a.at + len_before == b.at,
        _ => false,
    }
}

/// After a four-digit year: "2022-03", "2022-W10", "2022-W10-3"; "2021.05.31" is refused.
fn iso(c: &mut Cur, year: u32, at: usize) -> Result<Option<Period>, Fail> {
    let i = c.i;
    let tok = |k: usize| c.t.get(i + k).map(|t| &t.tok);
    match (tok(1), tok(2)) {
        (Some(Tok::Dash), Some(Tok::Word(w))) if w == "w" => {
            let y = check_year(year as i32, at)?;
            c.i += 3;
            let n = c.num("veckonummer", "week number")?;
            let wk = week(Some(y), n, at)?;
            // "2022-W10-3": ISO weekday 1 (Monday) … 7 (Sunday).
            if matches!(c.peek_tok(), Some(Tok::Dash))
                && let Some(Tok::Num { value: d, digits: 1 }) = c.t.get(c.i + 1).map(|t| &t.tok)
            {
                let d_at = c.t.get(c.i + 1).map_or(at, |t| t.at);
                c.i += 2;
                const DAYS: [Weekday; 7] =
                    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];
                let day = d.checked_sub(1).and_then(|i| DAYS.get(i as usize)).copied().ok_or_else(|| {
                    fail(
                        d_at,
                        format!("veckodag {d} finns inte: 1 är måndag och 7 söndag. Skriv t.ex. `{y}-W{n:02}-1`."),
                        format!("weekday {d} does not exist: 1 is Monday and 7 Sunday. Write e.g. `{y}-W{n:02}-1`."),
                    )
                })?;
                return Ok(NaiveDate::from_isoywd_opt(y, n, day).map(Period::Date).or(Some(wk)));
            }
            Ok(Some(wk))
        }
        (Some(Tok::Dash), Some(Tok::Num { value: m, digits: 1 | 2 })) if adjacent(c, i + 1, 4) && adjacent(c, i + 2, 1) => {
            let y = check_year(year as i32, at)?;
            if !(1..=12).contains(m) {
                let m2 = *m;
                return Err(fail(
                    at,
                    format!(
                        "`{y}-{m2:02}`: månad {m2} finns inte. Skriv `{y}-03` för en månad (mars {y}), `{y}–20{m2:02}` för flera år eller `läsåret {y}/{}` för ett läsår.",
                        y + 1
                    ),
                    format!(
                        "`{y}-{m2:02}`: month {m2} does not exist. Write `{y}-03` for a month (March {y}), `{y}–20{m2:02}` for years or `läsåret {y}/{}` for a school year.",
                        y + 1
                    ),
                ));
            }
            c.i += 3;
            if matches!(c.peek_tok(), Some(Tok::Dash)) && matches!(c.t.get(c.i + 1).map(|t| &t.tok), Some(Tok::Num { digits: 1 | 2, .. })) {
                return Err(fail(
                    at,
                    format!("skriv datum med två siffror för månad och dag, t.ex. `{y}-{m:02}-05`."),
                    format!("write dates with two digits for the month and the day, e.g. `{y}-{m:02}-05`."),
                ));
            }
            // "2011-12" could be meant as the years 2011–2012.
            if *m == (y + 1).rem_euclid(100) as u32 {
                c.warn.push(PeriodWarning {
                    offset: at,
                    sv: format!("`{y}-{m:02}` tolkas som {} {y}. Menar du åren, skriv `{y}–{}`.", words::month_name(*m), y + 1),
                    en: format!("`{y}-{m:02}` is read as {} {y} (a month). For the years, write `{y}–{}`.", words::month_name(*m), y + 1),
                });
            }
            Ok(Some(Period::Month { year: y, month: *m }))
        }
        (Some(Tok::Slash), Some(Tok::Num { digits: 1 | 2, .. })) if matches!(tok(3), Some(Tok::Slash | Tok::Dash)) => Err(fail(
            at,
            format!("skriv datum som `{year}-03-15` (år-månad-dag med bindestreck), `15/3 {year}` eller `15 mars {year}`."),
            format!("write dates as `{year}-03-15` (year-month-day with dashes), `15/3 {year}` or `15 mars {year}`."),
        )),
        (Some(Tok::Dot), _) => Err(fail(
            at,
            format!("skriv datum som `{year}-05-31` (år-månad-dag med bindestreck) eller `31 maj {year}`."),
            format!("write dates as `{year}-05-31` (year-month-day with dashes) or `31 maj {year}`."),
        )),
        _ => Ok(None),
    }
}

/// "15/3", "15/3 2022", "15/3-2022", "15.3.2022", "15.3.": day first, as in Swedish.
fn numeric_date(c: &mut Cur, day: u32, at: usize, default_year: Option<i32>) -> Result<Period, Fail> {
    let slash = matches!(c.t.get(c.i + 1).map(|t| &t.tok), Some(Tok::Slash));
    let sep = if slash { '/' } else { '.' };
    c.i += 2;
    let Some(Tok::Num { value: month, digits: md }) = c.peek_tok() else {
        return Err(fail(
            c.at(),
            format!("`{day}{sep}` saknar månad: skriv dag{sep}månad, t.ex. `15{sep}3 2022`, eller `15 mars 2022`."),
            format!("`{day}{sep}` has no month: write day{sep}month, e.g. `15{sep}3 2022`, or `15 mars 2022`."),
        ));
    };
    let (month, md) = (*month, *md);
    c.i += 1;
    if md == 4 {
        let name = words::month_name(day);
        return Err(fail(
            at,
            if (1..=12).contains(&day) {
                format!("`{day}{sep}{month}`: skriv månad och år som `{name} {month}` eller `{month}-{day:02}`.")
            } else {
                format!("`{day}{sep}{month}` är inget datum. Skriv dag{sep}månad år, t.ex. `15{sep}3 {month}`, eller `15 mars {month}`.")
            },
            if (1..=12).contains(&day) {
                format!("`{day}{sep}{month}`: write a month and year as `{name} {month}` or `{month}-{day:02}`.")
            } else {
                format!("`{day}{sep}{month}` is not a date. Write day{sep}month year, e.g. `15{sep}3 {month}`, or `15 mars {month}`.")
            },
        ));
    }
    if !(1..=12).contains(&month) {
        let (sv, en) = if (1..=12).contains(&day) && (13..=31).contains(&month) {
            let name = words::month_name(day);
            (
                format!("`{day}{sep}{month}`: dagen skrivs först. Skriv `{month}{sep}{day}` eller `{month} {name}`."),
                format!("`{day}{sep}{month}`: the day comes first in Swedish dates. Write `{month}{sep}{day}` or `{month} {name}`."),
            )
        } else if slash && month == day + 1 {
            (
                format!(
                    "`{day}/{month}` är inget datum (månad {month} finns inte). Menar du läsåret, skriv `läsåret 20{day:02}/20{month:02}`."
                ),
                format!(
                    "`{day}/{month}` is not a date (there is no month {month}). For the school year write `läsåret 20{day:02}/20{month:02}`."
                ),
            )
        } else {
            (
                format!("`{day}{sep}{month}`: månad {month} finns inte. Skriv dag{sep}månad, t.ex. `15{sep}3 2022`, eller `15 mars 2022`."),
                format!("`{day}{sep}{month}`: month {month} does not exist. Write day{sep}month, e.g. `15{sep}3 2022`, or `15 mars 2022`."),
            )
        };
        return Err(fail(at, sv, en));
    }
    // The year: "15/3 2022", "15/3-2022", "15.3.2022", "15/3/2022", "15/3 -22".
    let year = if matches!(c.peek_tok(), Some(Tok::Slash | Tok::Dot))
        && matches!(c.t.get(c.i + 1).map(|t| &t.tok), Some(Tok::Num { digits: 2 | 4, .. }))
    {
        c.i += 1;
        c.year()?
    } else {
        c.year()?
    };
    day_month(day, month, year.or(default_year), at)
}
