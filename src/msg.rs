//! One message in both languages: what a user reads, Swedish first, English available.
//!
//! Errors on the way to the user (configuration, mail, the people file, the command line)
//! carry a [`Msg`]; the caller picks the language once, where it prints.

use crate::definition::Lang;
use std::fmt;

/// A message in Swedish and English.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Msg {
    pub sv: String,
    pub en: String,
}

impl Msg {
    pub fn new(sv: impl Into<String>, en: impl Into<String>) -> Self {
        Self { sv: sv.into(), en: en.into() }
    }

    /// The same text in both languages (a name, a path, a library's own words).
    pub fn both(text: impl Into<String>) -> Self {
        let text = text.into();
        Self { sv: text.clone(), en: text }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }

    /// `prefix` (the same in both languages, e.g. `ARSHJUL_SMTP_URL: `) before the text.
    pub fn prefixed(self, prefix: &str) -> Self {
        Self { sv: format!("{prefix}{}", self.sv), en: format!("{prefix}{}", self.en) }
    }

    /// Both languages in one line, Swedish first, for a place that has no language of its
    /// own (a log line, a stored failure reason).
    pub fn bilingual(&self) -> String {
        if self.sv == self.en { self.sv.clone() } else { format!("{} / {}", self.sv, self.en) }
    }
}

/// Swedish, the default language.
impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sv)
    }
}

impl std::error::Error for Msg {}

impl From<crate::store::StoreError> for Msg {
    fn from(e: crate::store::StoreError) -> Self {
        e.msg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_language_and_keeps_both() {
        let m = Msg::new("porten saknas", "the port is missing").prefixed("ARSHJUL_SMTP_URL: ");
        assert_eq!(m.get(Lang::Sv), "ARSHJUL_SMTP_URL: porten saknas");
        assert_eq!(m.get(Lang::En), "ARSHJUL_SMTP_URL: the port is missing");
        assert_eq!(m.to_string(), m.sv);
        assert_eq!(Msg::both("x").bilingual(), "x");
        assert_eq!(Msg::new("a", "b").bilingual(), "a / b");
    }
}
