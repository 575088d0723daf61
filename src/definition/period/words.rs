//! The Swedish words the period language understands: month names, term words, ordinals.

/// Month number for a Swedish month name or abbreviation ("maj", "aug", "sept.").
pub fn month(word: &str) -> Option<u32> {
    let m = match word {
        "januari" | "jan" => 1,
        "februari" | "feb" | "febr" => 2,
        "mars" | "mar" => 3,
        "april" | "apr" => 4,
        "maj" => 5,
        "juni" | "jun" => 6,
        "juli" | "jul" => 7,
        "augusti" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "oktober" | "okt" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    };
    Some(m)
}

/// Swedish month name, for messages.
pub fn month_name(m: u32) -> &'static str {
    const NAMES: [&str; 12] =
        ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"];
    NAMES.get(m.wrapping_sub(1) as usize).copied().unwrap_or("?")
}

/// Whether a word names the spring term (`Some(true)`) or the autumn term (`Some(false)`).
pub fn term(word: &str) -> Option<bool> {
    match word {
        "vt" | "vår" | "våren" | "vårtermin" | "vårterminen" => Some(true),
        "ht" | "höst" | "hösten" | "hösttermin" | "höstterminen" => Some(false),
        _ => None,
    }
}

/// Week words: "vecka 10", "v. 44", "v44", "veckan", "w10".
pub fn is_week(word: &str) -> bool {
    matches!(word, "vecka" | "veckan" | "v" | "w" | "week")
}

pub fn is_quarter(word: &str) -> bool {
    matches!(word, "q" | "kvartal" | "kv")
}

pub fn is_school_year(word: &str) -> bool {
    matches!(word, "läsår" | "läsåret" | "lå")
}

/// Words that add nothing to the period they introduce: "under 2020", "senast 31 maj",
/// "från ht 2020", "t.o.m. vt 2022", "år 2020", "perioden", and the hedges ("ca").
pub fn is_filler(word: &str) -> bool {
    matches!(word, "under" | "år" | "året" | "senast" | "från" | "fr" | "om" | "perioden" | "helåret" | "fr.o.m" | "fro.m" | "i")
        || is_hedge(word)
}

/// Hedges before a time, accepted and ignored: "ca maj 2021", "cirka vecka 10", "omkring 15/3".
/// The schedule needs a date; the plan's wording stays in its text.
pub fn is_hedge(word: &str) -> bool {
    matches!(word, "ca" | "c:a" | "cirka" | "omkring" | "ungefär")
}

/// Ordinal words that start "första kvartalet", "andra halvåret".
pub fn is_ordinal_word(word: &str) -> bool {
    matches!(word, "första" | "andra" | "tredje" | "fjärde" | "femte" | "sjätte" | "sista")
}

/// Words that separate the two ends of a range besides dashes.
pub fn is_range_word(word: &str) -> bool {
    matches!(word, "till" | "tom" | "t.o.m")
}

/// Number for a Swedish ordinal or cardinal word ("sjätte", "fjärde", "annan", "två").
pub fn ordinal(word: &str) -> Option<u32> {
    let n = match word {
        "första" | "en" | "ett" => 1,
        "andra" | "annan" | "två" => 2,
        "tredje" | "tre" => 3,
        "fjärde" | "fyra" => 4,
        "femte" | "fem" => 5,
        "sjätte" | "sex" => 6,
        "sjunde" | "sju" => 7,
        "åttonde" | "åtta" => 8,
        "nionde" | "nio" => 9,
        "tionde" | "tio" => 10,
        "elfte" | "elva" => 11,
        "tolfte" | "tolv" => 12,
        _ => return None,
    };
    Some(n)
}

/// A numeric ordinal as written in Swedish: "6:e", "6e", "2:a", "3:dje", "6".
pub fn numeric_ordinal(word: &str) -> Option<u32> {
    let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() > 3 {
        return None;
    }
    let rest = word[digits.len()..].trim_start_matches(':');
    matches!(rest, "" | "e" | "a" | "te" | "de" | "dje" | "nde").then(|| digits.parse().ok()).flatten()
}
