//! Recurrence phrases ("var 6:e vecka", "varannan månad", "årligen", "fortlöpande") and
//! durations ("14d", "2 veckor").

use super::words;
use super::{PeriodError, Recurrence};

fn err(s: &str) -> PeriodError {
    PeriodError {
        offset: 0,
        sv: format!(
            "okänt intervall `{s}`. Skriv t.ex. `var 6:e vecka`, `var fjärde vecka`, `varannan vecka`, `varje månad`, `kvartalsvis`, `varje termin`, `årligen` eller `fortlöpande`."
        ),
        en: format!(
            "unknown recurrence `{s}`. Write e.g. `var 6:e vecka` (every 6th week), `varannan vecka`, `varje månad`, `kvartalsvis`, `varje termin`, `årligen` or `fortlöpande`."
        ),
    }
}

/// The unit word of a recurrence: vecka, månad, år, termin, kvartal, halvår.
fn unit(word: &str, n: u32) -> Option<Recurrence> {
    Some(match word {
        "vecka" | "veckan" | "veckor" => Recurrence::Weeks(n),
        "månad" | "månaden" | "månader" => Recurrence::Months(n),
        "kvartal" | "kvartalet" => Recurrence::Months(3 * n),
        "halvår" | "halvåret" => Recurrence::Months(6 * n),
        "år" | "året" => Recurrence::Years(n),
        "termin" | "terminen" if n == 1 => Recurrence::Terms,
        _ => return None,
    })
}

/// Parses a recurrence phrase. Hedges such as "ca", "ungefär", "i regel" are accepted and
/// ignored: the schedule needs a rule, the plan's wording stays in its text.
pub fn parse_recurrence(s: &str) -> Result<Recurrence, PeriodError> {
    let lower = s.trim().to_lowercase();
    let ws: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .filter(|w| !matches!(*w, "ca" | "ca." | "c:a" | "cirka" | "ungefär" | "omkring" | "i" | "regel" | "normalt" | "minst"))
        .collect();
    let one = |r| Ok(r);
    match ws.as_slice() {
        ["fortlöpande" | "löpande" | "kontinuerligt" | "fortlöpande." | "löpande."] => one(Recurrence::Continuous),
        ["årligen" | "årsvis" | "årlig"] => one(Recurrence::Years(1)),
        ["veckovis"] => one(Recurrence::Weeks(1)),
        ["månadsvis"] => one(Recurrence::Months(1)),
        ["kvartalsvis"] => one(Recurrence::Months(3)),
        ["halvårsvis"] => one(Recurrence::Months(6)),
        ["terminsvis"] => one(Recurrence::Terms),
        ["varje" | "per" | "varenda", u] => unit(u, 1).map_or_else(|| Err(err(s)), one),
        ["en" | "1", "gång", "per" | "om" | "i" | "varje", u] => unit(u, 1).map_or_else(|| Err(err(s)), one),
        ["varannan" | "vartannat", u] => unit(u, 2).map_or_else(|| Err(err(s)), one),
        ["var" | "vart" | "varje", n, u] => {
            let n = words::ordinal(n).or_else(|| words::numeric_ordinal(n)).ok_or_else(|| err(s))?;
            if n == 0 {
                return Err(PeriodError {
                    offset: 0,
                    sv: format!("intervallet `{s}` är noll: skriv minst `var 1:a vecka`."),
                    en: format!("the recurrence `{s}` is zero: write at least every 1st week."),
                });
            }
            unit(u, n).map_or_else(|| Err(err(s)), one)
        }
        _ => Err(err(s)),
    }
}

/// Parses a duration in days: "14d", "14 dagar", "1 dag", "2w", "2 v", "2 veckor", "0".
pub fn parse_days(s: &str) -> Result<u32, PeriodError> {
    let t = s.trim().to_lowercase();
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    let rest = t[digits.len()..].trim();
    let bad = || PeriodError {
        offset: 0,
        sv: format!("okänd tidslängd `{s}`. Skriv t.ex. `14d`, `3 dagar`, `2 veckor` eller `2w`."),
        en: format!("unknown duration `{s}`. Write e.g. `14d`, `3 dagar`, `2 veckor` or `2w`."),
    };
    if digits.is_empty() || digits.len() > 4 {
        return if matches!(t.as_str(), "samma dag" | "på dagen") { Ok(0) } else { Err(bad()) };
    }
    let n: u32 = digits.parse().map_err(|_| bad())?;
    let factor = match rest {
        "" | "d" | "dag" | "dagar" | "dygn" | "days" | "day" => 1,
        "w" | "v" | "vecka" | "veckor" | "weeks" | "week" => 7,
        _ => return Err(bad()),
    };
    Ok(n * factor)
}
