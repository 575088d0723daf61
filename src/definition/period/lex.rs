//! Characters → tokens. ISO dates ("2021-05-31") become one token, checked here; numeric
//! ordinals ("1:a", "6:e") one token; a dot between digits ("15.3.2022") is kept, any other
//! dot is a space.

use super::PeriodError;
use chrono::NaiveDate;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tok {
    Word(String),
    Num {
        value: u32,
        digits: usize,
    },
    /// "1:a", "2:a", "3:e", "4e": a numeric ordinal.
    Ord(u32),
    Dash,
    Slash,
    /// A dot between two numbers: "15.3.2022".
    Dot,
    Date(NaiveDate),
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub tok: Tok,
    /// Character offset of the token's first character.
    pub at: usize,
}

/// A parse failure; `need_year` marks "this would be fine with a year" (used by ranges such
/// as "maj–juni 2021" where the left end takes the right end's year), `need_word` "a lone
/// ordinal" ("första–tredje kvartalet 2021": the left end takes the right end's word).
#[derive(Debug)]
pub(super) struct Fail {
    pub err: PeriodError,
    pub need_year: bool,
    pub need_word: bool,
}

pub(super) fn fail(at: usize, sv: String, en: String) -> Fail {
    Fail { err: PeriodError { offset: at, sv, en }, need_year: false, need_word: false }
}

pub(super) const EXAMPLES_SV: &str =
    "Skriv t.ex. `vt 2021`, `ht-20–vt-22`, `maj 2021`, `vecka 10 2021`, `30 april`, `läsåret 2020/2021`, `2020–2024` eller `2021-05-31`.";
pub(super) const EXAMPLES_EN: &str =
    "Write e.g. `vt 2021`, `ht-20–vt-22`, `maj 2021`, `vecka 10 2021`, `30 april`, `läsåret 2020/2021`, `2020–2024` or `2021-05-31`.";

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '‐' | '‑' | '−')
}

/// Endings of a numeric ordinal: "1:a", "3:e", "3:dje", "6e".
fn is_ordinal_suffix(s: &str) -> bool {
    matches!(s, "a" | "e" | "te" | "de" | "dje" | "nde")
}

/// Splits the text into tokens.
pub(super) fn tokenize(s: &str) -> Result<Vec<Token>, Fail> {
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
                            format!(
                                "datumet `{text}` finns inte. Kontrollera månad (01–12) och dag (månaden kan ha färre dagar), t.ex. `{digits}-02-28`."
                            ),
                            format!(
                                "the date `{text}` does not exist. Check the month (01–12) and the day (the month may be shorter), e.g. `{digits}-02-28`."
                            ),
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
            // A numeric ordinal: "1:a", "3:e", "6e" (letters right after the digits).
            let colon = usize::from(chars.get(i) == Some(&':'));
            let letters: String = chars[(i + colon).min(chars.len())..].iter().take_while(|c| c.is_alphabetic()).collect();
            if digits.len() <= 2 && is_ordinal_suffix(&letters) {
                i += colon + letters.chars().count();
                out.push(Token { tok: Tok::Ord(value), at });
                continue;
            }
            out.push(Token { tok: Tok::Num { value, digits: digits.len() }, at });
            // "15.3.2022": a dot between digits separates day, month and year.
            if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                out.push(Token { tok: Tok::Dot, at: i });
                i += 1;
            }
        } else if c.is_alphabetic() {
            // Letters, with inner dots and colons kept: "t.o.m", "fr.o.m", "c:a".
            while i < chars.len()
                && (chars[i].is_alphabetic() || (matches!(chars[i], '.' | ':') && chars.get(i + 1).is_some_and(|n| n.is_alphabetic())))
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

pub(super) fn word(t: &Token) -> Option<&str> {
    match &t.tok {
        Tok::Word(w) => Some(w),
        _ => None,
    }
}

/// How a token is shown in messages.
pub(super) fn show(t: &Tok) -> String {
    match t {
        Tok::Word(w) => w.clone(),
        Tok::Num { value, digits } => format!("{value:0digits$}"),
        Tok::Ord(n) => format!("{n}:e"),
        Tok::Dash => "–".into(),
        Tok::Slash => "/".into(),
        Tok::Dot => ".".into(),
        Tok::Date(d) => d.to_string(),
    }
}
