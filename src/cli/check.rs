//! `arshjul check [DIR]`: validate every definition file and report all problems. Warnings
//! alone do not fail the check (exit 0).

use crate::definition::{Lang, load_dir};
use std::path::Path;
use std::process::ExitCode;

pub fn run(dir: &Path, lang: Lang) -> ExitCode {
    match load_dir(dir) {
        Ok(model) => {
            let plans: usize = model.organisations.iter().map(|o| o.plans.len()).sum();
            let inits: usize = model.organisations.iter().flat_map(|o| &o.plans).map(|p| p.initiatives.len()).sum();
            let orgs = model.organisations.len();
            super::print_warnings(&model.warnings, lang);
            let w = model.warnings.len();
            match (lang, w) {
                (Lang::Sv, 0) => outln!("{}: {orgs} organisation(er), {plans} plan(er), {inits} insatser — inga fel.", dir.display()),
                (Lang::Sv, w) => {
                    outln!("{}: {orgs} organisation(er), {plans} plan(er), {inits} insatser — inga fel, {w} varning(ar).", dir.display())
                }
                (Lang::En, 0) => outln!("{}: {orgs} organisation(s), {plans} plan(s), {inits} initiatives — no errors.", dir.display()),
                (Lang::En, w) => {
                    outln!("{}: {orgs} organisation(s), {plans} plan(s), {inits} initiatives — no errors, {w} warning(s).", dir.display())
                }
            }
            ExitCode::SUCCESS
        }
        Err(diags) => {
            super::print_diagnostics(&diags, lang);
            ExitCode::FAILURE
        }
    }
}
