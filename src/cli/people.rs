//! `arshjul people import FILE.csv [DIR]` and `arshjul people list`: the directory of who
//! holds which role, checked against the definitions line by line.

use crate::definition::{Lang, load_dir};
use crate::remind::people;
use crate::store::Store;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum PeopleCommand {
    /// Läs in personkatalogen (organisation,role,unit,name,email) och ersätt den gamla.
    Import {
        file: PathBuf,
        /// Katalogen med definitioner (standard: workflows/).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Visa personkatalogen och vakanta roller.
    List,
}

pub fn run(cmd: PeopleCommand, lang: Lang) -> ExitCode {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return ExitCode::FAILURE };
    rt.block_on(run_async(cmd, lang))
}

fn pick(lang: Lang, sv: String, en: String) -> String {
    if lang == Lang::Sv { sv } else { en }
}

async fn run_async(cmd: PeopleCommand, lang: Lang) -> ExitCode {
    let dir = match &cmd {
        PeopleCommand::Import { dir, .. } => dir.clone(),
        PeopleCommand::List => None,
    }
    .unwrap_or_else(super::default_dir);
    let model = match load_dir(&dir) {
        Ok(m) => m,
        Err(diags) => {
            super::print_diagnostics(&diags, lang);
            return ExitCode::FAILURE;
        }
    };
    let holders = match &cmd {
        PeopleCommand::Import { file, .. } => {
            let text = match std::fs::read(file) {
                Ok(b) => match String::from_utf8(b) {
                    Ok(t) => t,
                    Err(_) => {
                        errln!(
                            "{}:1: {}",
                            file.display(),
                            pick(
                                lang,
                                "filen är inte UTF-8. Spara den som UTF-8 (CSV UTF-8 i Excel).".into(),
                                "the file is not UTF-8.".into()
                            )
                        );
                        return ExitCode::FAILURE;
                    }
                },
                Err(e) => {
                    errln!("{}: {}", file.display(), pick(lang, format!("kan inte läsa filen: {e}"), format!("cannot read the file: {e}")));
                    return ExitCode::FAILURE;
                }
            };
            match people::parse(&text, &model) {
                Ok(h) => Some(h),
                Err(errors) => {
                    for e in &errors {
                        errln!("{}:{}: {}", file.display(), e.line, e.msg.get(lang));
                    }
                    errln!(
                        "{}",
                        pick(
                            lang,
                            format!("{} fel; ingenting har lästs in.", errors.len()),
                            format!("{} error(s); nothing was imported.", errors.len())
                        )
                    );
                    return ExitCode::FAILURE;
                }
            }
        }
        PeopleCommand::List => None,
    };
    let store = match Store::open_command(&super::state::database_url()).await {
        Ok(s) => s,
        Err(e) => {
            errln!("arshjul people: {}", e.get(lang));
            return ExitCode::FAILURE;
        }
    };
    let code = match holders {
        Some(h) => match store.replace_people(&h).await {
            Ok(n) => {
                outln!("{}", pick(lang, format!("{n} personer inlästa."), format!("{n} people imported.")));
                ExitCode::SUCCESS
            }
            Err(e) => {
                errln!("arshjul people: {}", e.get(lang));
                ExitCode::FAILURE
            }
        },
        None => match store.people().await {
            Ok(dir_rows) => {
                for h in &dir_rows {
                    outln!(
                        "{:<12} {:<24} {:<16} {} <{}>",
                        h.organisation,
                        h.role,
                        h.unit.as_deref().unwrap_or("–"),
                        h.person.name,
                        h.person.email
                    );
                }
                for o in &model.organisations {
                    for v in crate::remind::recipients::vacancies(&crate::remind::recipients::Directory::new(&dir_rows), o) {
                        let unit = v.unit.map(|u| format!(" ({u})")).unwrap_or_default();
                        outln!(
                            "{}",
                            pick(
                                lang,
                                format!("VAKANT: {} {}{unit}", v.organisation, v.role),
                                format!("VACANT: {} {}{unit}", v.organisation, v.role)
                            )
                        );
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                errln!("arshjul people: {}", e.get(lang));
                ExitCode::FAILURE
            }
        },
    };
    store.close().await;
    code
}
