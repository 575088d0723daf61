//! The period parser: tokens → [`Period`]. Panic-free for any input; every error carries the
//! character offset where the problem starts and a fix in Swedish. The forms beyond seasons,
//! months, weeks and years (named days, working days, ordinal quarters, numeric dates) are
//! in [`super::forms`], ranges in [`super::range`].

use super::lex::{EXAMPLES_EN, EXAMPLES_SV, Fail, Tok, Token, fail, show, word};
use super::{Period, PeriodWarning, forms, named, words};
use crate::calendar::{MAX_YEAR, MIN_YEAR, Term};
use crate::definition::diag::did_you_mean;
use chrono::{Datelike, NaiveDate};

const KNOWN_WORDS: &[&str] = &[
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
    "vt",
    "ht",
    "våren",
    "hösten",
    "vårterminen",
    "höstterminen",
    "vecka",
    "kvartal",
    "kvartalet",
    "halvåret",
    "läsåret",
    "under",
    "slutet",
    "sista",
    "första",
    "arbetsdagen",
    "till",
    "julafton",
    "nyårsafton",
    "midsommarafton",
    "påskafton",
    "valborgsmässoafton",
    "nationaldagen",
    "nyårsdagen",
    "juldagen",
    "jullovet",
    "sommarlovet",
    "höstlovet",
    "sportlovet",
    "påsklovet",
];

pub(super) fn check_year(year: i32, at: usize) -> Result<i32, Fail> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(year)
    } else {
        Err(fail(
            at,
            format!("året {year} ligger utanför kalendern ({MIN_YEAR}–{MAX_YEAR}). Skriv ett år med fyra siffror, t.ex. `2021`."),
            format!("the year {year} is outside the calendar ({MIN_YEAR}–{MAX_YEAR}). Write a four-digit year, e.g. `2021`."),
        ))
    }
}

/// Cursor over a token slice, collecting warnings.
pub(super) struct Cur<'a, 'w> {
    pub t: &'a [Token],
    pub i: usize,
    /// Offset to report when the input ends early.
    pub end_at: usize,
    pub warn: &'w mut Vec<PeriodWarning>,
}

impl<'a> Cur<'a, '_> {
    pub fn peek(&self) -> Option<&'a Token> {
        self.t.get(self.i)
    }
    pub fn peek_tok(&self) -> Option<&'a Tok> {
        self.peek().map(|t| &t.tok)
    }
    pub fn at(&self) -> usize {
        self.peek().map_or(self.end_at, |t| t.at)
    }
    pub fn word(&self) -> Option<&'a str> {
        self.peek().and_then(word)
    }
    /// The words from the cursor on (`None` for a non-word).
    pub fn words_ahead(&self) -> Vec<Option<&'a str>> {
        self.t[self.i.min(self.t.len())..].iter().take(3).map(word).collect()
    }

    /// An optional year: "2021", "21", "-21", "- 2021".
    pub fn year(&mut self) -> Result<Option<i32>, Fail> {
        let save = self.i;
        if matches!(self.peek_tok(), Some(Tok::Dash)) {
            self.i += 1;
        }
        match self.peek().map(|t| (&t.tok, t.at)) {
            Some((Tok::Num { value, digits: 4 }, at)) => {
                self.i += 1;
                check_year(*value as i32, at).map(Some)
            }
            Some((Tok::Num { value, digits: 2 }, _)) => {
                self.i += 1;
                Ok(Some(2000 + *value as i32))
            }
            _ => {
                self.i = save;
                Ok(None)
            }
        }
    }

    /// An optional year written without a dash: "2021", "21".
    pub fn plain_year(&mut self) -> Result<Option<i32>, Fail> {
        if matches!(self.peek_tok(), Some(Tok::Dash)) { Ok(None) } else { self.year() }
    }

    /// A year that must be there, else a `need_year` failure naming `what`.
    pub fn need_year(&mut self, what: &str, default: Option<i32>, example: &str) -> Result<i32, Fail> {
        if let Some(y) = self.year()? {
            return Ok(y);
        }
        if let Some(y) = default {
            return Ok(y);
        }
        let mut f = fail(
            self.at(),
            format!("`{what}` saknar år: skriv t.ex. `{example}`."),
            format!("`{what}` has no year: write e.g. `{example}`."),
        );
        f.need_year = true;
        Err(f)
    }

    pub fn done(&self) -> Result<(), Fail> {
        match self.peek() {
            None => Ok(()),
            Some(t) => Err(fail(
                t.at,
                format!(
                    "oväntat `{}` efter tidsangivelsen. Ta bort det, eller skriv ett intervall med `–`, t.ex. `ht 2020 – vt 2022`.",
                    show(&t.tok)
                ),
                format!("unexpected `{}` after the period. Remove it, or write a range with `–`, e.g. `ht 2020 – vt 2022`.", show(&t.tok)),
            )),
        }
    }

    pub fn num(&mut self, what_sv: &str, what_en: &str) -> Result<u32, Fail> {
        match self.peek_tok() {
            Some(Tok::Num { value, .. }) => {
                self.i += 1;
                Ok(*value)
            }
            _ => Err(fail(
                self.at(),
                format!("här saknas ett {what_sv}, t.ex. `vecka 10` eller `Q1 2021`."),
                format!("a {what_en} is missing here, e.g. `vecka 10` or `Q1 2021`."),
            )),
        }
    }
}

pub(super) fn last_day(year: i32, month: u32) -> NaiveDate {
    let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt()).unwrap_or_default()
}

pub(super) fn day_month(day: u32, month: u32, year: Option<i32>, at: usize) -> Result<Period, Fail> {
    let max_any = if month == 2 { 29 } else { last_day(2021, month).day() };
    let name = words::month_name(month);
    if day == 0 || day > max_any {
        let last = last_day(2021, month).day();
        return Err(fail(
            at,
            format!(
                "{day} {name} finns inte: {name} har {last} dagar{}. Skriv t.ex. `{last} {name}` eller `sista {name}`.",
                if month == 2 { " (29 under skottår)" } else { "" }
            ),
            format!(
                "{day} {name} does not exist: {name} has {last} days{}. Write e.g. `{last} {name}` or `sista {name}`.",
                if month == 2 { " (29 in leap years)" } else { "" }
            ),
        ));
    }
    match year {
        Some(y) => NaiveDate::from_ymd_opt(y, month, day).map(Period::Date).ok_or_else(|| {
            fail(
                at,
                format!("{day} {name} {y} finns inte: {y} är inget skottår. Skriv `sista februari {y}` eller `28 februari {y}`."),
                format!("{day} {name} {y} does not exist: {y} is not a leap year. Write `sista februari {y}` or `28 februari {y}`."),
            )
        }),
        None if month == 2 && day == 29 => Err(fail(
            at,
            "29 februari finns bara under skottår. Skriv `sista februari` för månadens sista dag.".into(),
            "29 February exists only in leap years. Write `sista februari` for the last day of the month.".into(),
        )),
        None => Ok(Period::DayMonth { day, month }),
    }
}

pub(super) fn week(year: Option<i32>, week: u32, at: usize) -> Result<Period, Fail> {
    if !(1..=53).contains(&week) {
        return Err(fail(
            at,
            format!("vecka {week} finns inte: veckor är 1–53. Skriv t.ex. `vecka 52`."),
            format!("week {week} does not exist: weeks are 1–53. Write e.g. `vecka 52`."),
        ));
    }
    if let Some(y) = year
        && NaiveDate::from_isoywd_opt(y, week, chrono::Weekday::Mon).is_none()
    {
        return Err(fail(
            at,
            format!("{y} har bara 52 veckor; vecka {week} finns inte. Skriv `vecka 52 {y}` eller `vecka 1 {}`.", y + 1),
            format!("{y} has only 52 weeks; week {week} does not exist. Write `vecka 52 {y}` or `vecka 1 {}`.", y + 1),
        ));
    }
    Ok(Period::Week { year, week })
}

/// One period (no range), with an optional year to use where the text has none.
pub(super) fn single(t: &[Token], default_year: Option<i32>, end_at: usize, warn: &mut Vec<PeriodWarning>) -> Result<Period, Fail> {
    let mut c = Cur { t, i: 0, end_at, warn };
    while c.word().is_some_and(words::is_filler) {
        c.i += 1;
    }
    let Some(first) = c.peek() else {
        return Err(fail(end_at, format!("tidsangivelsen är tom. {EXAMPLES_SV}"), format!("the period is empty. {EXAMPLES_EN}")));
    };
    let at = first.at;
    if let Some(p) = forms::try_form(&mut c, default_year)? {
        c.done()?;
        return Ok(p);
    }
    let p = match &first.tok {
        Tok::Date(d) => {
            c.i += 1;
            Period::Date(*d)
        }
        Tok::Num { value, digits: 4 } => {
            c.i += 1;
            let y = check_year(*value as i32, at)?;
            match c.peek_tok() {
                Some(Tok::Slash) => {
                    c.i += 1;
                    school_year(&mut c, y, at)?
                }
                _ => Period::Year(y),
            }
        }
        Tok::Num { value, .. } => {
            c.i += 1;
            let Some(m) = c.word().and_then(words::month) else {
                return Err(fail(
                    at,
                    format!(
                        "`{value}` ensamt är ingen tidsangivelse. Skriv en dag med månad (`{value} april`), ett år med fyra siffror (`2021`) eller ett datum (`2021-04-30`)."
                    ),
                    format!(
                        "`{value}` alone is not a period. Write a day with a month (`{value} april`), a four-digit year (`2021`) or a date (`2021-04-30`)."
                    ),
                ));
            };
            month_word_warning(&mut c);
            c.i += 1;
            let y = c.year()?.or(default_year);
            day_month(*value, m, y, at)?
        }
        Tok::Word(w) => {
            let w = w.as_str();
            if let Some(m) = words::month(w) {
                month_word_warning(&mut c);
                c.i += 1;
                let y = c.need_year(w, default_year, &format!("{} 2021", words::month_name(m)))?;
                Period::Month { year: y, month: m }
            } else if let Some(spring) = words::term(w) {
                c.i += 1;
                let y = c.need_year(w, default_year, &format!("{w} 2021"))?;
                Period::Term(if spring { Term::vt(y) } else { Term::ht(y) })
            } else if words::is_week(w) {
                c.i += 1;
                let n = c.num("veckonummer", "week number")?;
                // "vecka 10-12" is a range of weeks, not week 10 of 2012; "vecka 10 -21" (space
                // before the dash, none after) is week 10 of 2021, like "ht -21".
                let y = if year_dash(&c) { c.year()? } else { c.plain_year()? }.or(default_year);
                week(y, n, at)?
            } else if words::is_school_year(w) {
                c.i += 1;
                let y = c.year()?.ok_or_else(|| {
                    fail(
                        c.at(),
                        "läsåret saknar år: skriv t.ex. `läsåret 2020/2021`.".into(),
                        "the school year has no year: write e.g. `läsåret 2020/2021`.".into(),
                    )
                })?;
                if matches!(c.peek_tok(), Some(Tok::Slash | Tok::Dash)) {
                    c.i += 1;
                    school_year(&mut c, y, at)?
                } else {
                    Period::SchoolYear(y)
                }
            } else if w == "sista" || w == "slutet" || w == "slut" {
                c.i += 1;
                if c.word().is_some_and(|x| x == "av" || x == "på") {
                    c.i += 1;
                }
                match c.word().and_then(words::month) {
                    Some(m) if c.t.len() == c.i + 1 && default_year.is_none() => {
                        c.i += 1;
                        Period::LastDayOfMonth { month: m }
                    }
                    Some(m) if w == "sista" => {
                        c.i += 1;
                        let y = c.need_year(&format!("sista {}", words::month_name(m)), default_year, "sista februari 2021")?;
                        Period::Date(last_day(y, m))
                    }
                    _ => {
                        let inner = single(&c.t[c.i..], default_year, end_at, c.warn)?;
                        c.i = c.t.len();
                        Period::EndOf(Box::new(inner))
                    }
                }
            } else if let Some(instead) = named::ambiguous(w) {
                let (sv, en) = (alternatives(instead, "eller"), alternatives(instead, "or"));
                let ex = instead.first().copied().unwrap_or("julafton");
                return Err(fail(
                    at,
                    format!("`{w}` är inte en enda dag. Skriv {sv}, med år för ett visst år (t.ex. `{ex} 2022`)."),
                    format!("`{w}` is not a single day. Write {en}, with a year for a particular year (e.g. `{ex} 2022`)."),
                ));
            } else {
                let (dsv, den) = did_you_mean(w, KNOWN_WORDS.iter().copied().filter(|k| *k != w));
                return Err(fail(
                    at,
                    format!("okänt ord `{w}` i tidsangivelsen.{dsv} {EXAMPLES_SV}"),
                    format!("unknown word `{w}` in the period.{den} {EXAMPLES_EN}"),
                ));
            }
        }
        Tok::Dash | Tok::Slash | Tok::Dot => {
            return Err(fail(
                at,
                format!("tidsangivelsen börjar med `{}`. {EXAMPLES_SV}", show(&first.tok)),
                format!("the period starts with `{}`. {EXAMPLES_EN}", show(&first.tok)),
            ));
        }
        Tok::Ord(n) => {
            return Err(fail(
                at,
                format!("`{n}:e` står ensamt. Skriv t.ex. `{n}:a kvartalet 2021` eller `{n} maj 2021`."),
                format!("`{n}:e` stands alone. Write e.g. `{n}:a kvartalet 2021` or `{n} maj 2021`."),
            ));
        }
    };
    c.done()?;
    Ok(p)
}

/// "`a`, `b` eller `c`".
fn alternatives(xs: &[&str], or: &str) -> String {
    let quoted: Vec<String> = xs.iter().map(|x| format!("`{x}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} {or} {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// A dash at the cursor written as a year's prefix: a space before it, none after ("10 -21").
fn year_dash(c: &Cur) -> bool {
    let (Some(prev), Some(dash), Some(next)) = (c.t.get(c.i.wrapping_sub(1)), c.t.get(c.i), c.t.get(c.i + 1)) else { return false };
    let prev_len = match prev.tok {
        Tok::Num { digits, .. } => digits,
        _ => return false,
    };
    matches!(dash.tok, Tok::Dash) && dash.at > prev.at + prev_len && next.at == dash.at + 1
}

/// "jul" is read as the month July; say so, and how to write Christmas.
fn month_word_warning(c: &mut Cur) {
    let Some(t) = c.peek() else { return };
    if word(t) == Some("jul") {
        c.warn.push(PeriodWarning {
            offset: t.at,
            sv: "`jul` tolkas som månaden juli. Skriv `juli` för att slippa varningen; menar du julen, skriv `julafton` (24 december) eller `jullovet`."
                .into(),
            en: "`jul` is read as the month of July. Write `juli` to avoid this warning; for Christmas write `julafton` (24 December) or `jullovet`."
                .into(),
        });
    }
}

/// The second year of "2020/2021" or "2020/21"; must follow the first.
pub(super) fn school_year(c: &mut Cur, first: i32, at: usize) -> Result<Period, Fail> {
    let second = c.year()?;
    match second {
        Some(s) if s == first + 1 => Ok(Period::SchoolYear(first)),
        Some(s) => Err(fail(
            at,
            format!("läsåret {first}/{s} är inte två år i följd. Skriv `läsåret {first}/{}`.", first + 1),
            format!("the school year {first}/{s} is not two consecutive years. Write `läsåret {first}/{}`.", first + 1),
        )),
        None => Err(fail(
            c.at(),
            format!("läsåret saknar sitt andra år: skriv `läsåret {first}/{}`.", first + 1),
            format!("the school year lacks its second year: write `läsåret {first}/{}`.", first + 1),
        )),
    }
}
