//! Diagnostics: located, bilingual (Swedish first) messages about a user's files.
//!
//! Validation never stops at the first problem; it collects every [`Diagnostic`] and the
//! caller prints them all, sorted by file and position.

use std::fmt;
use std::path::PathBuf;

/// Which language to show users.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Sv,
    En,
}

impl Lang {
    /// From `ARSHJUL_LANG`/`LANG`-style values: anything starting with `en` is English.
    pub fn from_tag(tag: &str) -> Self {
        if tag.trim().to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Sv }
    }
}

/// A position in a file (1-based line and column, in characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// One problem in the user's files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub pos: Pos,
    /// Swedish text: what is wrong and how to fix it.
    pub sv: String,
    /// English text.
    pub en: String,
}

impl Diagnostic {
    pub fn new(file: impl Into<PathBuf>, pos: Pos, sv: impl Into<String>, en: impl Into<String>) -> Self {
        Self { file: file.into(), pos, sv: sv.into(), en: en.into() }
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }

    /// `file:line:col: message`, the form editors and CI logs understand.
    pub fn render(&self, lang: Lang) -> String {
        format!("{}:{}:{}: {}", self.file.display(), self.pos.line, self.pos.col, self.message(lang))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::Sv))
    }
}

/// The nearest candidate to `wrong` among `candidates`, if one is close enough to be a
/// plausible misspelling ("menade du …?").
pub fn suggest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_l = wrong.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&wrong_l, &c.to_lowercase());
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// " Menade du `x`?" / " Did you mean `x`?" or empty strings.
pub fn did_you_mean<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> (String, String) {
    match suggest(wrong, candidates) {
        Some(c) => (format!(" Menade du `{c}`?"), format!(" Did you mean `{c}`?")),
        None => (String::new(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_role_names_only() {
        let roles = ["rektor", "forvaltningschef", "skolomradeschef"];
        assert_eq!(suggest("rektr", roles), Some("rektor"));
        assert_eq!(suggest("forvaltnigschef", roles), Some("forvaltningschef"));
        assert_eq!(suggest("kock", roles), None);
    }

    #[test]
    fn renders_file_line_col() {
        let d = Diagnostic::new("w/a.yaml", Pos { line: 3, col: 7 }, "fel", "error");
        assert_eq!(d.render(Lang::Sv), "w/a.yaml:3:7: fel");
        assert_eq!(d.render(Lang::En), "w/a.yaml:3:7: error");
    }
}
