//! Diagnostics: located, bilingual (Swedish first) messages about a user's files.
//!
//! Validation never stops at the first problem; it collects every [`Diagnostic`] and the
//! caller prints them all, sorted by file and position. A diagnostic is an error (the
//! definition does not load) or a warning (it loads, but a reader could take something
//! another way, e.g. `jul` read as July).

use std::fmt;
use std::path::PathBuf;

/// Which language to show users.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
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

/// Whether a diagnostic stops the definition from loading.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    #[default]
    Error,
    /// Understood, but worth a look: says which reading was taken and how to write the other.
    Warning,
}

/// One problem in the user's files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub pos: Pos,
    pub severity: Severity,
    /// Swedish text: what is wrong and how to fix it.
    pub sv: String,
    /// English text.
    pub en: String,
}

impl Diagnostic {
    /// An error.
    pub fn new(file: impl Into<PathBuf>, pos: Pos, sv: impl Into<String>, en: impl Into<String>) -> Self {
        Self { file: file.into(), pos, severity: Severity::Error, sv: sv.into(), en: en.into() }
    }

    /// A warning: the definition still loads.
    pub fn warning(file: impl Into<PathBuf>, pos: Pos, sv: impl Into<String>, en: impl Into<String>) -> Self {
        Self { severity: Severity::Warning, ..Self::new(file, pos, sv, en) }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }

    /// `file:line:col: message` (`file:line:col: varning: message` for a warning), the form
    /// editors and CI logs understand.
    pub fn render(&self, lang: Lang) -> String {
        let tag = match (self.severity, lang) {
            (Severity::Error, _) => "",
            (Severity::Warning, Lang::Sv) => "varning: ",
            (Severity::Warning, Lang::En) => "warning: ",
        };
        format!("{}:{}:{}: {tag}{}", self.file.display(), self.pos.line, self.pos.col, self.message(lang))
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
        assert!(d.is_error());
    }

    #[test]
    fn warnings_are_tagged_and_not_errors() {
        let w = Diagnostic::warning("w/a.yaml", Pos { line: 3, col: 7 }, "`jul` tolkas som juli", "`jul` is read as July");
        assert!(!w.is_error());
        assert_eq!(w.render(Lang::Sv), "w/a.yaml:3:7: varning: `jul` tolkas som juli");
        assert_eq!(w.render(Lang::En), "w/a.yaml:3:7: warning: `jul` is read as July");
    }
}
