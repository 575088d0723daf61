//! `arshjul check [DIR]`: validate every definition file and report all problems.

use crate::definition::{Lang, load_dir};
use std::path::Path;
use std::process::ExitCode;

pub fn run(dir: &Path, lang: Lang) -> ExitCode {
    match load_dir(dir) {
        Ok(model) => {
            let plans: usize = model.organisations.iter().map(|o| o.plans.len()).sum();
            let inits: usize = model.organisations.iter().flat_map(|o| &o.plans).map(|p| p.initiatives.len()).sum();
            let orgs = model.organisations.len();
            match lang {
                Lang::Sv => outln!("{}: {orgs} organisation(er), {plans} plan(er), {inits} insatser — inga fel.", dir.display()),
                Lang::En => outln!("{}: {orgs} organisation(s), {plans} plan(s), {inits} initiatives — no errors.", dir.display()),
            }
            ExitCode::SUCCESS
        }
        Err(diags) => {
            super::print_diagnostics(&diags, lang);
            ExitCode::FAILURE
        }
    }
}
