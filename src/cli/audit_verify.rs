//! `arshjul audit verify [--anchor SEQ:HEX] [--format text|json]` and `arshjul audit anchor`:
//! the tamper-evident history ([`crate::store::chain`]). `verify` walks every checkpoint's
//! chain and names every altered, deleted, reordered or inserted event; `anchor` prints the
//! store-wide anchor to export (the annual report prints it) and check against later.
//!
//! Exit codes: 0 intact; 3 tampering found (or the store does not match the anchor);
//! 2 could not verify (bad arguments, database unreachable, missing, or from a newer arshjul —
//! nothing is changed then).

use crate::definition::Lang;
use crate::store::chain::Anchor;
use crate::store::verify::Problem;
use crate::store::{Audit, Store};
use clap::{Args, Subcommand, ValueEnum};
use std::process::ExitCode;

/// `arshjul audit …`. (The audit table of issue 10 item 4 joins this group as its default.)
#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Granska att historiken är orörd: varje ändrad, raderad, omordnad eller tillagd händelse namnges.
    Verify(VerifyArgs),
    /// Skriv ut databasens förankring (en hash över alla kontrollpunkters kedjor) att spara utanför databasen.
    Anchor,
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// En tidigare exporterad förankring (`SEQ:HEX` från `arshjul audit anchor`): granska även
    /// att händelserna t.o.m. SEQ är desamma som då.
    #[arg(long)]
    pub anchor: Option<String>,
    #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
    pub format: VerifyFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    Text,
    Json,
}

/// Tampering found: distinct from refusals (2).
const TAMPERED: u8 = 3;

pub fn run(cmd: AuditCommand, lang: Lang) -> ExitCode {
    let name = match cmd {
        AuditCommand::Verify(_) => "audit verify",
        AuditCommand::Anchor => "audit anchor",
    };
    let against = match &cmd {
        AuditCommand::Verify(VerifyArgs { anchor: Some(a), .. }) => match Anchor::parse(a) {
            Some(a) => Some(a),
            None => {
                return super::fail(
                    name,
                    lang,
                    crate::msg::Msg::new(
                        format!(
                            "`--anchor {a}` är ingen förankring: skriv den som `arshjul audit anchor` skrev ut, `SEQ:HEX` (ett tal, kolon, 64 hexsiffror)."
                        ),
                        format!(
                            "`--anchor {a}` is not an anchor: give it as `arshjul audit anchor` printed it, `SEQ:HEX` (a number, a colon, 64 hex digits)."
                        ),
                    ),
                );
            }
        },
        _ => None,
    };
    let url = super::config().database_url.clone();
    if let Some(path) = sqlite_file(&url)
        && !std::path::Path::new(path).exists()
    {
        // Opening would create an empty database, which would verify.
        return super::fail(
            name,
            lang,
            crate::msg::Msg::new(
                format!(
                    "databasen `{path}` finns inte; ange den att granska med DATABASE_URL (eller `database.url` i config/arshjul.toml)."
                ),
                format!(
                    "the database `{path}` does not exist; name the one to verify with DATABASE_URL (or `database.url` in config/arshjul.toml)."
                ),
            ),
        );
    }
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return ExitCode::FAILURE };
    rt.block_on(async {
        let store = match Store::open_command(&url).await {
            Ok(s) => s,
            Err(e) => return super::fail(name, lang, e),
        };
        let audit = match store.verify_chain(against).await {
            Ok(a) => a,
            Err(e) => return super::fail(name, lang, e),
        };
        store.close().await;
        match cmd {
            AuditCommand::Anchor if audit.intact() => {
                outln!("{}", audit.anchor);
                let note = match lang {
                    Lang::Sv => format!(
                        "{} händelser i {} kontrollpunkter, kedjorna hela. Spara raden ovan utanför databasen; granska senare med `arshjul audit verify --anchor {}`.",
                        audit.events, audit.checkpoints, audit.anchor
                    ),
                    Lang::En => format!(
                        "{} events in {} checkpoints, chains intact. Keep the line above outside the database; check later with `arshjul audit verify --anchor {}`.",
                        audit.events, audit.checkpoints, audit.anchor
                    ),
                };
                errln!("{note}");
                ExitCode::SUCCESS
            }
            AuditCommand::Anchor => {
                print_text(&audit, lang);
                errln!(
                    "{}",
                    say(lang, "Ingen förankring skrivs ut för en historik som inte är intakt.", "No anchor is printed for a history that is not intact.")
                );
                ExitCode::from(TAMPERED)
            }
            AuditCommand::Verify(args) => {
                match args.format {
                    VerifyFormat::Text => print_text(&audit, lang),
                    VerifyFormat::Json => outln!("{}", serde_json::to_string_pretty(&json(&audit)).unwrap_or_default()),
                }
                if audit.intact() { ExitCode::SUCCESS } else { ExitCode::from(TAMPERED) }
            }
        }
    })
}

/// The file of a `sqlite://` URL (not in-memory).
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.contains(":memory:")).then_some(path)
}

fn say(lang: Lang, sv: &str, en: &str) -> String {
    if lang == Lang::Sv { sv.to_owned() } else { en.to_owned() }
}

fn problem_name(p: Problem, lang: Lang) -> &'static str {
    match (p, lang) {
        (Problem::Altered, Lang::Sv) => "ändrad",
        (Problem::Deleted, Lang::Sv) => "raderad",
        (Problem::Reordered, Lang::Sv) => "omordnad",
        (Problem::Inserted, Lang::Sv) => "tillagd",
        (Problem::Head, Lang::Sv) => "huvud ändrat",
        (Problem::Altered, Lang::En) => "altered",
        (Problem::Deleted, Lang::En) => "deleted",
        (Problem::Reordered, Lang::En) => "reordered",
        (Problem::Inserted, Lang::En) => "inserted",
        (Problem::Head, Lang::En) => "head altered",
    }
}

fn print_text(a: &Audit, lang: Lang) {
    for f in &a.findings {
        let seq = f.seq.map_or_else(String::new, |s| format!(" seq {s}"));
        outln!("{}{seq}: {}: {}", f.checkpoint, problem_name(f.problem, lang), f.msg.get(lang));
    }
    match (a.anchor_matches, lang) {
        (Some(true), Lang::Sv) => {
            outln!("Förankringen {} stämmer: händelserna t.o.m. seq {} är desamma som när den togs.", a.anchor, a.anchor.seq)
        }
        (Some(true), Lang::En) => {
            outln!("The anchor {} matches: the events up to seq {} are the same as when it was taken.", a.anchor, a.anchor.seq)
        }
        (Some(false), Lang::Sv) => outln!(
            "Förankringen stämmer INTE: databasen ger {} för händelserna t.o.m. seq {}. Historiken fram till dess har skrivits om (händelser och kedjor), eller förankringen hör till en annan databas.",
            a.anchor,
            a.anchor.seq
        ),
        (Some(false), Lang::En) => outln!(
            "The anchor does NOT match: the database gives {} for the events up to seq {}. The history up to then was rewritten (events and chains), or the anchor belongs to another database.",
            a.anchor,
            a.anchor.seq
        ),
        (None, _) => {}
    }
    let n = a.findings.len();
    match (a.intact(), lang) {
        (true, Lang::Sv) => outln!(
            "Historiken är intakt: {} händelser i {} kontrollpunkter, inga ändrade, raderade, omordnade eller tillagda. Förankring: {}",
            a.events,
            a.checkpoints,
            a.anchor
        ),
        (true, Lang::En) => outln!(
            "The history is intact: {} events in {} checkpoints, none altered, deleted, reordered or inserted. Anchor: {}",
            a.events,
            a.checkpoints,
            a.anchor
        ),
        (false, Lang::Sv) => {
            outln!("Historiken är INTE intakt: {n} avvikelse(r) bland {} händelser i {} kontrollpunkter.", a.events, a.checkpoints)
        }
        (false, Lang::En) => {
            outln!("The history is NOT intact: {n} finding(s) among {} events in {} checkpoints.", a.events, a.checkpoints)
        }
    }
}

fn json(a: &Audit) -> serde_json::Value {
    serde_json::json!({
        "intact": a.intact(),
        "events": a.events,
        "checkpoints": a.checkpoints,
        "anchor": a.anchor.to_string(),
        "anchor_matches": a.anchor_matches,
        "findings": a.findings.iter().map(|f| serde_json::json!({
            "checkpoint": f.checkpoint,
            "seq": f.seq,
            "ordinal": f.ordinal,
            "problem": f.problem,
            "sv": f.msg.sv,
            "en": f.msg.en,
        })).collect::<Vec<_>>(),
    })
}
