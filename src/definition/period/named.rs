//! Named days ("julafton", "midsommarafton", "nationaldagen", "första maj") and the words
//! that look like one but are ambiguous ("midsommar", "påsk", "jul").

use crate::calendar::easter_sunday;
use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// A day with a name, the same every year or computed from the year (Easter, midsommar).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamedDay {
    Nyarsdagen,
    Trettondedag,
    Langfredagen,
    Paskafton,
    Paskdagen,
    AnnandagPask,
    Valborg,
    ForstaMaj,
    Himmelsfard,
    Pingstdagen,
    Nationaldagen,
    Midsommarafton,
    Midsommardagen,
    AllaHelgon,
    Julafton,
    Juldagen,
    AnnandagJul,
    Nyarsafton,
}

/// (words, day, label). Longer phrases first so "annandag jul" wins over nothing.
const NAMES: &[(&[&str], NamedDay, &str)] = &[
    (&["nyårsdagen"], NamedDay::Nyarsdagen, "nyarsdagen"),
    (&["nyårsdag"], NamedDay::Nyarsdagen, "nyarsdagen"),
    (&["trettondedag", "jul"], NamedDay::Trettondedag, "trettondedag-jul"),
    (&["trettondedagen"], NamedDay::Trettondedag, "trettondedag-jul"),
    (&["trettondagen"], NamedDay::Trettondedag, "trettondedag-jul"),
    (&["långfredagen"], NamedDay::Langfredagen, "langfredagen"),
    (&["långfredag"], NamedDay::Langfredagen, "langfredagen"),
    (&["påskafton"], NamedDay::Paskafton, "paskafton"),
    (&["påskdagen"], NamedDay::Paskdagen, "paskdagen"),
    (&["annandag", "påsk"], NamedDay::AnnandagPask, "annandag-pask"),
    (&["annandagpåsk"], NamedDay::AnnandagPask, "annandag-pask"),
    (&["valborgsmässoafton"], NamedDay::Valborg, "valborg"),
    (&["valborg"], NamedDay::Valborg, "valborg"),
    (&["första", "maj"], NamedDay::ForstaMaj, "forsta-maj"),
    (&["kristi", "himmelsfärdsdag"], NamedDay::Himmelsfard, "kristi-himmelsfardsdag"),
    (&["kristi", "himmelfärdsdag"], NamedDay::Himmelsfard, "kristi-himmelsfardsdag"),
    (&["himmelsfärdsdagen"], NamedDay::Himmelsfard, "kristi-himmelsfardsdag"),
    (&["pingstdagen"], NamedDay::Pingstdagen, "pingstdagen"),
    (&["nationaldagen"], NamedDay::Nationaldagen, "nationaldagen"),
    (&["sveriges", "nationaldag"], NamedDay::Nationaldagen, "nationaldagen"),
    (&["midsommarafton"], NamedDay::Midsommarafton, "midsommarafton"),
    (&["midsommardagen"], NamedDay::Midsommardagen, "midsommardagen"),
    (&["alla", "helgons", "dag"], NamedDay::AllaHelgon, "alla-helgons-dag"),
    (&["julafton"], NamedDay::Julafton, "julafton"),
    (&["juldagen"], NamedDay::Juldagen, "juldagen"),
    (&["annandag", "jul"], NamedDay::AnnandagJul, "annandag-jul"),
    (&["annandagjul"], NamedDay::AnnandagJul, "annandag-jul"),
    (&["nyårsafton"], NamedDay::Nyarsafton, "nyarsafton"),
];

/// The named day spelled by the words at the start of `ws`, and how many words it took.
pub fn lookup(ws: &[Option<&str>]) -> Option<(NamedDay, usize)> {
    NAMES.iter().find_map(|(names, day, _)| {
        let n = names.len();
        (ws.len() >= n && ws[..n].iter().zip(names.iter()).all(|(w, name)| *w == Some(*name))).then_some((*day, n))
    })
}

/// Words that name a feast but not one day: the days to write instead (the first is the
/// one used in the example of the message).
pub fn ambiguous(word: &str) -> Option<&'static [&'static str]> {
    Some(match word {
        "midsommar" | "midsommarhelgen" => &["midsommarafton", "midsommardagen"],
        "påsk" | "påsken" | "påskhelgen" => &["påskafton", "påskdagen", "annandag påsk", "långfredagen", "påsklovet"],
        "nyår" | "nyåret" => &["nyårsafton", "nyårsdagen"],
        "julen" | "julhelgen" => &["julafton", "juldagen", "jullovet"],
        "pingst" | "pingsten" => &["pingstdagen"],
        "trettondag" => &["trettondedag jul"],
        "himmelsfärd" | "kristi" => &["kristi himmelsfärdsdag"],
        _ => return None,
    })
}

/// The first Saturday on or after `from`.
fn saturday_from(from: NaiveDate) -> NaiveDate {
    let ahead = (Weekday::Sat.num_days_from_monday() + 7 - from.weekday().num_days_from_monday()) % 7;
    from + Duration::days(i64::from(ahead))
}

/// Midsommardagen of `year`.
fn midsummer(year: i32) -> Option<NaiveDate> {
    let d = NaiveDate::from_ymd_opt(year, 6, if year < 1953 { 24 } else { 20 })?;
    Some(if year < 1953 { d } else { saturday_from(d) })
}

impl NamedDay {
    /// The date in `year`, as the calendar's holidays have it (midsommardagen on the Saturday
    /// 20–26 June and alla helgons dag on the Saturday 31 October–6 November from 1953, on
    /// 24 June and 1 November before).
    pub fn date(self, year: i32) -> Option<NaiveDate> {
        let ymd = |m, d| NaiveDate::from_ymd_opt(year, m, d);
        let easter = || (-3_000..=3_000).contains(&year).then(|| easter_sunday(year));
        Some(match self {
            NamedDay::Nyarsdagen => ymd(1, 1)?,
            NamedDay::Trettondedag => ymd(1, 6)?,
            NamedDay::Langfredagen => easter()? - Duration::days(2),
            NamedDay::Paskafton => easter()? - Duration::days(1),
            NamedDay::Paskdagen => easter()?,
            NamedDay::AnnandagPask => easter()? + Duration::days(1),
            NamedDay::Valborg => ymd(4, 30)?,
            NamedDay::ForstaMaj => ymd(5, 1)?,
            NamedDay::Himmelsfard => easter()? + Duration::days(39),
            NamedDay::Pingstdagen => easter()? + Duration::days(49),
            NamedDay::Nationaldagen => ymd(6, 6)?,
            NamedDay::Midsommarafton => midsummer(year)? - Duration::days(1),
            NamedDay::Midsommardagen => midsummer(year)?,
            NamedDay::AllaHelgon if year < 1953 => ymd(11, 1)?,
            NamedDay::AllaHelgon => saturday_from(ymd(10, 31)?),
            NamedDay::Julafton => ymd(12, 24)?,
            NamedDay::Juldagen => ymd(12, 25)?,
            NamedDay::AnnandagJul => ymd(12, 26)?,
            NamedDay::Nyarsafton => ymd(12, 31)?,
        })
    }

    /// A stable ASCII label: "julafton", "midsommarafton", "annandag-pask".
    pub fn label(self) -> &'static str {
        NAMES.iter().find(|(_, d, _)| *d == self).map_or("dag", |(_, _, l)| l)
    }

    /// The Swedish name, for messages.
    pub fn name(self) -> String {
        NAMES.iter().find(|(_, d, _)| *d == self).map_or_else(String::new, |(ws, _, _)| ws.join(" "))
    }
}

/// School breaks written as periods: "jullovet 2021", "sommarlovet", "höstlov". The break's
/// name as the calendar knows it ("jullov"), if `word` names one.
pub fn school_break(word: &str) -> Option<String> {
    let stem = word.strip_suffix("lovet").or_else(|| word.strip_suffix("lov"))?;
    (!stem.is_empty() && stem.chars().all(char::is_alphabetic)).then(|| format!("{stem}lov"))
}
