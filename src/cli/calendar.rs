//! `arshjul calendar YEAR [--organisation ID [DIR]] [--format json]`: one year's holidays,
//! terms and breaks, by default or as an organisation's definitions configure them.

use crate::calendar::{Calendar, MAX_YEAR, MIN_YEAR, report::CalendarReport};
use crate::definition::{Lang, load_dir};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct CalendarArgs {
    /// Året, t.ex. 2021.
    pub year: i32,
    /// Visa kalendern som denna organisation (id) kör på, med dess terminer och lov.
    #[arg(long)]
    pub organisation: Option<String>,
    /// Katalogen med definitioner när --organisation anges (standard: workflows/).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = CalendarFormat::Text)]
    pub format: CalendarFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CalendarFormat {
    Text,
    Json,
}

fn fail(lang: Lang, sv: String, en: String) -> ExitCode {
    errln!("arshjul calendar: {}", if lang == Lang::Sv { sv } else { en });
    ExitCode::from(2)
}

pub fn run(args: CalendarArgs, lang: Lang) -> ExitCode {
    let year = args.year;
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return fail(
            lang,
            format!("året {year} ligger utanför kalendern: välj ett år {MIN_YEAR}–{MAX_YEAR}."),
            format!("the year {year} is outside the calendar: choose a year {MIN_YEAR}–{MAX_YEAR}."),
        );
    }
    let cal = match &args.organisation {
        None => Calendar::default(),
        Some(id) => {
            let dir = args.dir.unwrap_or_else(super::default_dir);
            let model = match load_dir(&dir) {
                Ok(m) => m,
                Err(diags) => {
                    super::print_diagnostics(&diags, lang);
                    return ExitCode::FAILURE;
                }
            };
            match model.organisations.iter().find(|o| &*o.id == id.as_str()) {
                Some(o) => Calendar::new(o.calendar.clone()),
                None => {
                    let known: Vec<&str> = model.organisations.iter().map(|o| &*o.id).collect();
                    return fail(
                        lang,
                        format!("okänd organisation `{id}` i {}. Kända: {}.", dir.display(), known.join(", ")),
                        format!("unknown organisation `{id}` in {}. Known: {}.", dir.display(), known.join(", ")),
                    );
                }
            }
        }
    };
    let report = CalendarReport::new(&cal, year);
    match args.format {
        CalendarFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(s) => outln!("{s}"),
            Err(e) => return fail(lang, format!("kunde inte skriva JSON: {e}"), format!("could not write JSON: {e}")),
        },
        CalendarFormat::Text => out!("{}", report.text(lang == Lang::En)),
    }
    ExitCode::SUCCESS
}
