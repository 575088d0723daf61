//! The period parser: characters → tokens → [`Period`]. Panic-free for any input; every
//! error carries the character offset where the problem starts and a fix in Swedish.

use super::words;
use super::{Period, PeriodError};
use crate::calendar::{MAX_YEAR, MIN_YEAR, Term};
use crate::definition::diag::did_you_mean;
use chrono::{Datelike, NaiveDate};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String),
    Num { value: u32, digits: usize },
    Dash,
    Slash,
    Date(NaiveDate),
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    at: usize,
}

/// A parse failure; `need_year` marks "this would be fine with a year" (used by ranges such
/// as "maj–juni 2021" where the left end takes the right end's year).
#[derive(Debug)]
struct Fail {
    err: PeriodError,
    need_year: bool,
}

fn fail(at: usize, sv: String, en: String) -> Fail {
    Fail { err: PeriodError { offset: at, sv, en }, need_year: false }
}

const EXAMPLES_SV: &str =
    "Skriv t.ex. `vt 2021`, `ht-20–vt-22`, `maj 2021`, `vecka 10 2021`, `30 april`, `läsåret 2020/2021`, `2020–2024` eller `2021-05-31`.";
const EXAMPLES_EN: &str =
    "Write e.g. `vt 2021`, `ht-20–vt-22`, `maj 2021`, `vecka 10 2021`, `30 april`, `läsåret 2020/2021`, `2020–2024` or `2021-05-31`.";

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
    "läsåret",
    "under",
    "slutet",
    "sista",
    "till",
];

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '‐' | '‑' | '−')
}

/// Splits the text into tokens. ISO dates ("2021-05-31") become one token, checked here.
fn tokenize(s: &str) -> Result<Vec<Token>, Fail> {
    // Lowercase char by char so that offsets stay character offsets into the original.
    let chars: Vec<char> = s.chars().map(|c| c.to_lowercase().next().unwrap_or(c)).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i;
        if c.is_whitespace() || matches!(c, ',' | '.' | '\'' | '’' | '´') {
            i += 1;
        } else if c.is_ascii_digit() {
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let digits: String = chars[at..i].iter().collect();
            // ISO date: dddd-dd-dd
            let tail: String = chars[i..chars.len().min(i + 6)].iter().collect();
            if digits.len() == 4 && tail.len() == 6 && is_iso_tail(&tail) && !chars.get(i + 6).is_some_and(char::is_ascii_digit) {
                let text = format!("{digits}{tail}");
                i += 6;
                match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                    Ok(d) => out.push(Token { tok: Tok::Date(d), at }),
                    Err(_) => {
                        return Err(fail(
                            at,
                            format!("datumet `{text}` finns inte. Kontrollera månad (01–12) och dag (månaden kan ha färre dagar)."),
                            format!("the date `{text}` does not exist. Check the month (01–12) and the day (the month may be shorter)."),
                        ));
                    }
                }
                continue;
            }
            if digits.len() > 4 {
                return Err(fail(
                    at,
                    format!("talet `{digits}` är för långt för ett år eller en dag. {EXAMPLES_SV}"),
                    format!("the number `{digits}` is too long for a year or a day. {EXAMPLES_EN}"),
                ));
            }
            let value = digits.parse().unwrap_or(0);
            out.push(Token { tok: Tok::Num { value, digits: digits.len() }, at });
        } else if c.is_alphabetic() {
            // Letters, with inner dots kept: "t.o.m", "fr.o.m".
            while i < chars.len() && (chars[i].is_alphabetic() || (chars[i] == '.' && chars.get(i + 1).is_some_and(|n| n.is_alphabetic())))
            {
                i += 1;
            }
            let word: String = chars[at..i].iter().collect();
            out.push(Token { tok: Tok::Word(word), at });
        } else if is_dash(c) {
            out.push(Token { tok: Tok::Dash, at });
            i += 1;
        } else if c == '/' {
            out.push(Token { tok: Tok::Slash, at });
            i += 1;
        } else {
            return Err(fail(
                at,
                format!("oväntat tecken `{c}` i tidsangivelsen. {EXAMPLES_SV}"),
                format!("unexpected character `{c}` in the period. {EXAMPLES_EN}"),
            ));
        }
    }
    Ok(out)
}

fn is_iso_tail(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 6
        && b[0] == b'-'
        && b[1].is_ascii_digit()
        && b[2].is_ascii_digit()
        && b[3] == b'-'
        && b[4].is_ascii_digit()
        && b[5].is_ascii_digit()
}

fn word(t: &Token) -> Option<&str> {
    match &t.tok {
        Tok::Word(w) => Some(w),
        _ => None,
    }
}

fn check_year(year: i32, at: usize) -> Result<i32, Fail> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(year)
    } else {
        Err(fail(
            at,
            format!("året {year} ligger utanför kalendern ({MIN_YEAR}–{MAX_YEAR})."),
            format!("the year {year} is outside the calendar ({MIN_YEAR}–{MAX_YEAR})."),
        ))
    }
}

/// Cursor over a token slice.
struct Cur<'a> {
    t: &'a [Token],
    i: usize,
    /// Offset to report when the input ends early.
    end_at: usize,
}

impl<'a> Cur<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.t.get(self.i)
    }
    fn at(&self) -> usize {
        self.peek().map_or(self.end_at, |t| t.at)
    }
    fn word(&self) -> Option<&'a str> {
        self.peek().and_then(word)
    }

    /// An optional year: "2021", "21", "-21", "- 2021".
    fn year(&mut self) -> Result<Option<i32>, Fail> {
        let save = self.i;
        if matches!(self.peek().map(|t| &t.tok), Some(Tok::Dash)) {
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

    /// A year that must be there, else a `need_year` failure naming `what`.
    fn need_year(&mut self, what: &str, default: Option<i32>, example: &str) -> Result<i32, Fail> {
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

    fn done(&self) -> Result<(), Fail> {
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
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Word(w) => w.clone(),
        Tok::Num { value, digits } => format!("{value:0digits$}"),
        Tok::Dash => "–".into(),
        Tok::Slash => "/".into(),
        Tok::Date(d) => d.to_string(),
    }
}

fn last_day(year: i32, month: u32) -> NaiveDate {
    let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt()).unwrap_or_default()
}

fn day_month(day: u32, month: u32, year: Option<i32>, at: usize) -> Result<Period, Fail> {
    let max_any = if month == 2 { 29 } else { last_day(2021, month).day() };
    let name = words::month_name(month);
    if day == 0 || day > max_any {
        return Err(fail(
            at,
            format!(
                "{day} {name} finns inte: {name} har {} dagar{}.",
                last_day(2021, month).day(),
                if month == 2 { " (29 under skottår)" } else { "" }
            ),
            format!(
                "{day} {name} does not exist: {name} has {} days{}.",
                last_day(2021, month).day(),
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

fn week(year: Option<i32>, week: u32, at: usize) -> Result<Period, Fail> {
    if !(1..=53).contains(&week) {
        return Err(fail(at, format!("vecka {week} finns inte: veckor är 1–53."), format!("week {week} does not exist: weeks are 1–53.")));
    }
    if let Some(y) = year
        && NaiveDate::from_isoywd_opt(y, week, chrono::Weekday::Mon).is_none()
    {
        return Err(fail(
            at,
            format!("{y} har bara 52 veckor; vecka {week} finns inte."),
            format!("{y} has only 52 weeks; week {week} does not exist."),
        ));
    }
    Ok(Period::Week { year, week })
}

/// One period (no range), with an optional year to use where the text has none.
fn single(t: &[Token], default_year: Option<i32>, end_at: usize) -> Result<Period, Fail> {
    let mut c = Cur { t, i: 0, end_at };
    while c.word().is_some_and(words::is_filler) {
        c.i += 1;
    }
    let Some(first) = c.peek() else {
        return Err(fail(end_at, format!("tidsangivelsen är tom. {EXAMPLES_SV}"), format!("the period is empty. {EXAMPLES_EN}")));
    };
    let at = first.at;
    let p = match &first.tok {
        Tok::Date(d) => {
            c.i += 1;
            Period::Date(*d)
        }
        Tok::Num { value, digits: 4 } => {
            c.i += 1;
            let y = check_year(*value as i32, at)?;
            match c.peek().map(|t| &t.tok) {
                Some(Tok::Slash) => {
                    c.i += 1;
                    school_year(&mut c, y, at)?
                }
                Some(Tok::Dash) if c.t.get(c.i + 1).and_then(word) == Some("w") => {
                    c.i += 2;
                    let n = num(&mut c, "veckonummer", "week number")?;
                    week(Some(y), n, at)?
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
                        "`{value}` ensamt är ingen tidsangivelse. Skriv en dag med månad (`30 april`), ett år med fyra siffror (`2021`) eller ett datum (`2021-04-30`)."
                    ),
                    format!(
                        "`{value}` alone is not a period. Write a day with a month (`30 april`), a four-digit year (`2021`) or a date (`2021-04-30`)."
                    ),
                ));
            };
            c.i += 1;
            let y = c.year()?.or(default_year);
            day_month(*value, m, y, at)?
        }
        Tok::Word(w) => {
            c.i += 1;
            let w = w.as_str();
            if let Some(m) = words::month(w) {
                let y = c.need_year(w, default_year, &format!("{w} 2021"))?;
                Period::Month { year: y, month: m }
            } else if let Some(spring) = words::term(w) {
                let y = c.need_year(w, default_year, &format!("{w} 2021"))?;
                Period::Term(if spring { Term::vt(y) } else { Term::ht(y) })
            } else if words::is_week(w) {
                let n = num(&mut c, "veckonummer", "week number")?;
                let y = c.year()?.or(default_year);
                week(y, n, at)?
            } else if words::is_quarter(w) {
                let q = num(&mut c, "kvartal", "quarter")?;
                if !(1..=4).contains(&q) {
                    return Err(fail(
                        at,
                        format!("kvartal {q} finns inte: kvartal är 1–4."),
                        format!("quarter {q} does not exist: quarters are 1–4."),
                    ));
                }
                let y = c.need_year(&format!("Q{q}"), default_year, &format!("Q{q} 2021"))?;
                Period::Quarter { year: y, quarter: q }
            } else if words::is_school_year(w) {
                let y = c.year()?.ok_or_else(|| {
                    fail(
                        c.at(),
                        "läsåret saknar år: skriv t.ex. `läsåret 2020/2021`.".into(),
                        "the school year has no year: write e.g. `läsåret 2020/2021`.".into(),
                    )
                })?;
                if matches!(c.peek().map(|t| &t.tok), Some(Tok::Slash | Tok::Dash)) {
                    c.i += 1;
                    school_year(&mut c, y, at)?
                } else {
                    Period::SchoolYear(y)
                }
            } else if w == "sista" || w == "slutet" || w == "slut" {
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
                        let inner = single(&c.t[c.i..], default_year, end_at)?;
                        c.i = c.t.len();
                        Period::EndOf(Box::new(inner))
                    }
                }
            } else {
                let (dsv, den) = did_you_mean(w, KNOWN_WORDS.iter().copied());
                return Err(fail(
                    at,
                    format!("okänt ord `{w}` i tidsangivelsen.{dsv} {EXAMPLES_SV}"),
                    format!("unknown word `{w}` in the period.{den} {EXAMPLES_EN}"),
                ));
            }
        }
        Tok::Dash | Tok::Slash => {
            return Err(fail(
                at,
                format!("tidsangivelsen börjar med `{}`. {EXAMPLES_SV}", show(&first.tok)),
                format!("the period starts with `{}`. {EXAMPLES_EN}", show(&first.tok)),
            ));
        }
    };
    c.done()?;
    Ok(p)
}

fn num(c: &mut Cur, what_sv: &str, what_en: &str) -> Result<u32, Fail> {
    match c.peek().map(|t| &t.tok) {
        Some(Tok::Num { value, .. }) => {
            c.i += 1;
            Ok(*value)
        }
        _ => Err(fail(
            c.at(),
            format!("här saknas ett {what_sv}, t.ex. `vecka 10` eller `Q1 2021`."),
            format!("a {what_en} is missing here, e.g. `vecka 10` or `Q1 2021`."),
        )),
    }
}

/// The second year of "2020/2021" or "2020/21"; must follow the first.
fn school_year(c: &mut Cur, first: i32, at: usize) -> Result<Period, Fail> {
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

/// The year a period names, if it names one (for "maj–juni 2021").
fn year_of(p: &Period) -> Option<i32> {
    match p {
        Period::Date(d) => Some(d.year()),
        Period::Month { year, .. } | Period::Quarter { year, .. } => Some(*year),
        Period::Week { year, .. } => *year,
        Period::Term(t) => Some(t.year),
        Period::Year(y) => Some(*y),
        Period::SchoolYear(y) => Some(*y),
        Period::EndOf(p) => year_of(p),
        Period::Range(a, _) => year_of(a),
        Period::DayMonth { .. } | Period::LastDayOfMonth { .. } => None,
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

/// Longer texts are refused before parsing (bounds the work and the recursion).
const MAX_LEN: usize = 120;

/// Parses a period or date expression (see the module docs of [`super`]).
pub fn parse_period(s: &str) -> Result<Period, PeriodError> {
    let end_at = s.chars().count();
    if end_at > MAX_LEN {
        return Err(PeriodError {
            offset: MAX_LEN,
            sv: format!("tidsangivelsen är längre än {MAX_LEN} tecken. Skriv en kort period som `ht-20–vt-22`."),
            en: format!("the period is longer than {MAX_LEN} characters. Write a short period such as `ht-20–vt-22`."),
        });
    }
    let tokens = tokenize(s).map_err(|f| f.err)?;
    let whole = match single(&tokens, None, end_at) {
        Ok(p) => return Ok(p),
        Err(f) => f,
    };
    let mut first_sep_err: Option<Fail> = None;
    for (i, sep) in tokens.iter().enumerate() {
        if !is_separator(sep) || i == 0 || i + 1 == tokens.len() {
            continue;
        }
        let (left, right) = (&tokens[..i], &tokens[i + 1..]);
        let r = match single(right, None, end_at) {
            Ok(r) => r,
            Err(e) => {
                if !matches!(sep.tok, Tok::Dash) || !matches!(s.chars().nth(sep.at), Some('-')) {
                    first_sep_err.get_or_insert(e);
                }
                continue;
            }
        };
        let l = match single(left, None, sep.at) {
            Ok(l) => Ok(l),
            Err(e) if e.need_year && year_of(&r).is_some() => single(left, year_of(&r), sep.at),
            Err(e) => bare_day(left, &r).ok_or(e),
        };
        match l {
            Ok(l) => return Ok(Period::Range(Box::new(l), Box::new(r))),
            Err(e) => {
                if !matches!(s.chars().nth(sep.at), Some('-')) {
                    first_sep_err.get_or_insert(e);
                }
            }
        }
    }
    Err(first_sep_err.unwrap_or(whole).err)
}
