//! Reading what the engine runs on: the definitions and the people directory, checked
//! together. Either both are good or the caller gets every problem, located, and keeps
//! what it had.

use crate::definition::{Lang, Model, load_dir};
use crate::remind::people;
use crate::remind::recipients::Holder;
use std::path::Path;

/// The checked definitions and, when the file exists, the people directory.
pub struct Loaded {
    pub model: Model,
    pub people: Option<Vec<Holder>>,
}

/// Loads `dir` and the people file `people_file` (skipped when it does not exist). Errors
/// come back rendered, one line each (`file:line:col: …` / `file:line: …`).
pub fn load(dir: &Path, people_file: &Path, lang: Lang) -> Result<Loaded, Vec<String>> {
    let model = load_dir(dir).map_err(|diags| diags.iter().map(|d| d.render(lang)).collect::<Vec<_>>())?;
    if !people_file.exists() {
        return Ok(Loaded { model, people: None });
    }
    let text = match std::fs::read(people_file).map(String::from_utf8) {
        Ok(Ok(t)) => t,
        Ok(Err(_)) => {
            return Err(vec![format!(
                "{}:1: {}",
                people_file.display(),
                match lang {
                    Lang::Sv => "filen är inte UTF-8. Spara den som UTF-8 (CSV UTF-8 i Excel).",
                    Lang::En => "the file is not UTF-8. Save it as UTF-8.",
                }
            )]);
        }
        Err(e) => return Err(vec![format!("{}: {e}", people_file.display())]),
    };
    match people::parse(&text, &model) {
        Ok(h) => Ok(Loaded { model, people: Some(h) }),
        Err(errs) => Err(errs
            .iter()
            .map(|e| format!("{}:{}: {}", people_file.display(), e.line, if lang == Lang::Sv { &e.sv } else { &e.en }))
            .collect()),
    }
}
