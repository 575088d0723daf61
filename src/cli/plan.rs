//! `arshjul plan`: the schedule, filtered and sorted by date, as a table, JSON or CSV.

use super::output;
use crate::calendar::{Calendar, DateRange};
use crate::clock::Clock;
use crate::definition::{Lang, Model, load_dir, period};
use crate::schedule::{self, Checkpoint};
use chrono::{Datelike, NaiveDate};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// Katalogen med definitioner (standard: workflows/ eller ARSHJUL_WORKFLOWS).
    pub dir: Option<PathBuf>,
    /// Från och med: ett datum (2021-01-01) eller en period (`ht 2020` = dess början).
    #[arg(long)]
    pub from: Option<String>,
    /// Till och med: ett datum eller en period (`vt 2021` = dess slut).
    #[arg(long)]
    pub to: Option<String>,
    /// Bara denna plan (id).
    #[arg(long)]
    pub plan: Option<String>,
    /// Bara denna insats (id).
    #[arg(long)]
    pub initiative: Option<String>,
    /// Bara kontrollpunkter som denna roll ansvarar för (id).
    #[arg(long)]
    pub role: Option<String>,
    /// Bara denna enhet (id).
    #[arg(long)]
    pub unit: Option<String>,
    /// Bara denna organisation (id).
    #[arg(long)]
    pub organisation: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

fn bound(text: &str, end: bool, lang: Lang) -> Result<NaiveDate, String> {
    let cal = Calendar::default();
    let p = period::parse_period(text).map_err(|e| match lang {
        Lang::Sv => e.sv,
        Lang::En => e.en,
    })?;
    let r = p.resolve(&cal, None).map_err(|e| match lang {
        Lang::Sv => e.sv,
        Lang::En => e.en,
    })?;
    Ok(if end { r.end } else { r.start })
}

/// The window: as given, else the span of the (selected organisation's) plans, else the
/// current year.
fn window(args: &PlanArgs, model: &Model, lang: Lang, clock: &dyn Clock) -> Result<DateRange, String> {
    let span = model
        .organisations
        .iter()
        .filter(|o| args.organisation.as_deref().is_none_or(|id| *o.id == *id))
        .flat_map(|o| &o.plans)
        .filter(|p| args.plan.as_deref().is_none_or(|id| *p.id == *id))
        .map(|p| p.period)
        .reduce(|a, b| DateRange { start: a.start.min(b.start), end: a.end.max(b.end) });
    let span = span.unwrap_or_else(|| {
        let y = clock.today(chrono_tz::Europe::Stockholm).year();
        DateRange::year(y).unwrap_or(DateRange { start: NaiveDate::MIN, end: NaiveDate::MAX })
    });
    let from = args.from.as_deref().map(|t| bound(t, false, lang)).transpose()?.unwrap_or(span.start);
    let to = args.to.as_deref().map(|t| bound(t, true, lang)).transpose()?.unwrap_or(span.end);
    DateRange::new(from, to).ok_or_else(|| match lang {
        Lang::Sv => format!("--to ({to}) ligger före --from ({from}); byt plats på dem."),
        Lang::En => format!("--to ({to}) is before --from ({from}); swap them."),
    })
}

fn keep(args: &PlanArgs, c: &Checkpoint) -> bool {
    let eq = |want: &Option<String>, have: Option<&str>| want.as_deref().is_none_or(|w| have == Some(w));
    eq(&args.plan, c.plan.as_deref())
        && eq(&args.initiative, c.initiative.as_deref())
        && eq(&args.role, Some(&c.owner_role))
        && eq(&args.unit, c.unit.as_deref())
        && eq(&args.organisation, Some(&c.organisation))
}

pub fn run(args: PlanArgs, lang: Lang, clock: &dyn Clock) -> ExitCode {
    let dir = args.dir.clone().unwrap_or_else(super::default_dir);
    let model = match load_dir(&dir) {
        Ok(m) => {
            super::print_warnings(&m.warnings, lang);
            m
        }
        Err(diags) => {
            super::print_diagnostics(&diags, lang);
            return ExitCode::FAILURE;
        }
    };
    let window = match window(&args, &model, lang, clock) {
        Ok(w) => w,
        Err(msg) => {
            errln!("arshjul plan: {msg}");
            return ExitCode::from(2);
        }
    };
    let mut cps = schedule::expand(&model, window);
    cps.retain(|c| keep(&args, c));
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&cps).unwrap_or_else(|_| "[]".into()),
        Format::Csv => output::csv(&cps),
        Format::Table => output::table(&model, &cps, lang),
    };
    outln!("{text}");
    ExitCode::SUCCESS
}
