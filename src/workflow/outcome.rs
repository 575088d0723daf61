//! The outcome vocabulary of a follow-up report, as in the organisers' own reports (seed 003):
//! genomförd, påbörjad men ej slutförd, ej påbörjad (with reason), ej genomförd (with reason).

use serde::{Deserialize, Serialize};

/// What a follow-up report says about the initiative.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Genomford,
    PaborjadEjSlutford,
    EjPaborjad,
    EjGenomford,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [Outcome::Genomford, Outcome::PaborjadEjSlutford, Outcome::EjPaborjad, Outcome::EjGenomford];

    /// The Swedish term as users write and read it.
    pub fn sv(self) -> &'static str {
        match self {
            Outcome::Genomford => "genomförd",
            Outcome::PaborjadEjSlutford => "påbörjad men ej slutförd",
            Outcome::EjPaborjad => "ej påbörjad",
            Outcome::EjGenomford => "ej genomförd",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Outcome::Genomford => "completed",
            Outcome::PaborjadEjSlutford => "started but not finished",
            Outcome::EjPaborjad => "not started",
            Outcome::EjGenomford => "not carried out",
        }
    }

    /// Whether the report must say why (ej påbörjad, ej genomförd).
    pub fn needs_reason(self) -> bool {
        matches!(self, Outcome::EjPaborjad | Outcome::EjGenomford)
    }

    /// Parses what a user types: the Swedish term, with or without å/ä/ö, with hyphens or
    /// underscores, or the English term.
    pub fn parse(s: &str) -> Result<Outcome, (String, String)> {
        let norm: String = s
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| match c {
                'å' | 'ä' => 'a',
                'ö' => 'o',
                '-' | '_' => ' ',
                c => c,
            })
            .collect();
        let norm = norm.split_whitespace().collect::<Vec<_>>().join(" ");
        let found = match norm.as_str() {
            "genomford" | "completed" | "done" => Outcome::Genomford,
            "paborjad men ej slutford" | "paborjad" | "started" | "started but not finished" => Outcome::PaborjadEjSlutford,
            "ej paborjad" | "inte paborjad" | "not started" => Outcome::EjPaborjad,
            "ej genomford" | "inte genomford" | "not carried out" => Outcome::EjGenomford,
            _ => {
                let list_sv: Vec<String> = Outcome::ALL.iter().map(|o| format!("`{}`", o.sv())).collect();
                let list_en: Vec<String> = Outcome::ALL.iter().map(|o| format!("`{}` ({})", o.sv(), o.en())).collect();
                return Err((
                    format!("okänt utfall `{s}`. Välj ett av {}.", list_sv.join(", ")),
                    format!("unknown outcome `{s}`. Choose one of {}.", list_en.join(", ")),
                ));
            }
        };
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_vocabulary_as_users_type_it() {
        assert_eq!(Outcome::parse("genomförd"), Ok(Outcome::Genomford));
        assert_eq!(Outcome::parse("Påbörjad men ej slutförd"), Ok(Outcome::PaborjadEjSlutford));
        assert_eq!(Outcome::parse("ej-paborjad"), Ok(Outcome::EjPaborjad));
        assert_eq!(Outcome::parse("ej_genomford"), Ok(Outcome::EjGenomford));
        assert_eq!(Outcome::parse("not started"), Ok(Outcome::EjPaborjad));
        let (sv, _) = Outcome::parse("klar").unwrap_err();
        assert!(sv.contains("`genomförd`, `påbörjad men ej slutförd`, `ej påbörjad`, `ej genomförd`"), "{sv}");
        assert!(Outcome::EjGenomford.needs_reason() && !Outcome::Genomford.needs_reason());
    }
}
