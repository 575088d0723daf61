//! Argument parsing and wiring for the `arshjul` binary. No domain logic lives here: each
//! command loads, calls the library and prints.

/// Like `println!`, but a closed pipe (`arshjul plan | head`) ends the output quietly
/// instead of panicking.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

/// Like `errln!`, but a closed or broken stderr (a log pipe whose reader died) loses the
/// line instead of panicking.
macro_rules! errln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($t)*);
    }};
}

/// Like `print!`, with the same care for closed pipes.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($t)*);
    }};
}

mod audit;
mod audit_verify;
mod calendar;
mod check;
mod daemon;
mod ical;
mod outbox;
mod output;
mod people;
mod plan;
mod report_document;

pub use report_document::history_anchor;
mod serve;
mod simulate;
mod state;

use crate::clock::{Clock, SystemClock};
use crate::definition::{Diagnostic, Lang};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// arshjul — håller huvudmannens årshjul för systematiskt kvalitetsarbete.
#[derive(Parser, Debug)]
#[command(name = "arshjul", version, about = "arshjul — håller huvudmannens årshjul för systematiskt kvalitetsarbete (SKA)")]
pub struct Cli {
    /// Språk för meddelanden: sv (standard) eller en. Även miljövariabeln ARSHJUL_LANG.
    #[arg(long, global = true, env = "ARSHJUL_LANG")]
    pub lang: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Kontrollera definitionsfilerna; visar alla fel med fil:rad:kolumn.
    Check {
        /// Katalogen med definitioner (standard: workflows/ eller ARSHJUL_WORKFLOWS).
        dir: Option<PathBuf>,
    },
    /// Visa schemat: alla kontrollpunkter sorterade efter datum.
    Plan(plan::PlanArgs),
    /// Skriv en syntetisk uppsättning definitioner (för prestandamätning), t.ex. hela landet.
    Generate {
        /// Katalogen att skriva till.
        dir: PathBuf,
        #[arg(long, default_value_t = 290)]
        orgs: usize,
        #[arg(long, default_value_t = 30)]
        units: usize,
        #[arg(long, default_value_t = 20)]
        initiatives: usize,
    },
    /// Visa ett års kalender: helgdagar, terminer och lov.
    Calendar(calendar::CalendarArgs),
    #[command(flatten)]
    State(state::StateCommand),
    /// Kör daemonen: håller kontrollpunkternas status och skickar påminnelser (SIGHUP läser om, SIGTERM avslutar).
    Run(daemon::RunArgs),
    /// Visa webbsidorna (utan daemonen): rapportformulär, inloggning, översikt. Skickar ingen e-post själv.
    Serve(serve::ServeArgs),
    /// Visa utkorgen: varje e-post, om den är skickad, väntar, misslyckades eller upprepades.
    Outbox(outbox::OutboxArgs),
    /// Öva: kör motorn över virtuell tid och skriv ut varje e-post som skulle skickas.
    Simulate(simulate::SimulateArgs),
    /// Personkatalogen: vem som innehar vilken roll (per enhet).
    #[command(subcommand)]
    People(people::PeopleCommand),
    /// Revision: blev uppföljningen av? En rad per utlovad uppföljning (rapporterad när och av
    /// vem, hur många arbetsdagar sent, godkänd, avskriven, missad) och andelar per plan, enhet, roll.
    Audit(audit::AuditArgs),
    /// Årsrapporten "Uppföljning av utvecklingsplan" för en plan, ur det som rapporterats (HTML eller DOCX).
    ReportDocument(report_document::ReportDocumentArgs),
    /// Skriv en kalender (iCalendar, RFC 5545) med en persons, en rolls eller en enhets kontrollpunkter.
    Ical(ical::IcalArgs),
    /// Kalenderlänkarna (de hemliga adresserna /ical/….ics): skapa åt en person, lista, återkalla.
    #[command(subcommand, name = "ical-link")]
    IcalLink(ical::LinkCommand),
}

static CONFIG: std::sync::OnceLock<crate::config::Config> = std::sync::OnceLock::new();

/// The configuration (file + environment), read once at start.
pub fn config() -> &'static crate::config::Config {
    CONFIG.get_or_init(|| crate::config::Config::from_env().unwrap_or_default())
}

/// The workflows directory when none is given (`definitions.dir`, ARSHJUL_WORKFLOWS).
pub fn default_dir() -> PathBuf {
    config().workflows.clone()
}

pub fn main() -> ExitCode {
    // Before any store opens (SQLite takes its configuration once).
    crate::store::no_memory_statistics();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    // `--lang` (or ARSHJUL_LANG) picks the language of a configuration error: the file's
    // own `ui.lang` is part of what failed.
    let lang = cli.lang.as_deref().map(Lang::from_tag).unwrap_or_default();
    match crate::config::Config::from_env() {
        Ok(c) => {
            let _ = CONFIG.set(c);
        }
        Err(msg) => {
            errln!("arshjul: {}", msg.get(lang));
            return ExitCode::from(2);
        }
    }
    // ARSHJUL_NOW fixes the clock (rehearsals and tests): `2021-05-20T07:30:00Z`. The daemon
    // starts its clock there and lets it run.
    match std::env::var("ARSHJUL_NOW") {
        Ok(t) => match chrono::DateTime::parse_from_rfc3339(t.trim()) {
            Ok(at) if matches!(cli.command, Command::Run(_) | Command::Serve(_)) => {
                run(cli, Arc::new(crate::clock::ShiftedClock::starting_at(at.with_timezone(&chrono::Utc))))
            }
            Ok(at) => run(cli, Arc::new(crate::clock::ManualClock::new(at.with_timezone(&chrono::Utc)))),
            Err(e) => {
                let lang = cli.lang.as_deref().map_or(config().lang, Lang::from_tag);
                let msg = crate::msg::Msg::new(
                    format!("ARSHJUL_NOW=`{t}` är ingen tidpunkt ({e}); skriv t.ex. `2021-05-20T07:30:00Z`."),
                    format!("ARSHJUL_NOW=`{t}` is not an instant ({e}); write e.g. `2021-05-20T07:30:00Z`."),
                );
                errln!("arshjul: {}", msg.get(lang));
                ExitCode::from(2)
            }
        },
        Err(_) => run(cli, Arc::new(SystemClock)),
    }
}

/// Engine settings from the configuration: the same for `run` and `simulate` (send time,
/// Message-ID domain, lease, concurrency, and `lang`: the configured language, or `--lang`).
pub fn settings(cfg: &crate::config::Config, lang: Lang) -> crate::engine::Settings {
    crate::engine::Settings {
        send_time: cfg.send_time,
        domain: cfg.mail_domain().to_owned(),
        owner: if cfg.instance.is_empty() { crate::engine::default_owner() } else { cfg.instance.clone() },
        lease_secs: cfg.lease_secs,
        concurrency: cfg.concurrency,
        batch: crate::engine::lease_window(
            cfg.concurrency,
            crate::store::Engine::of_url(&cfg.database_url).unwrap_or(crate::store::Engine::Sqlite),
        ),
        lang,
        ..crate::engine::Settings::default()
    }
}

/// A command's refusal to start or go on: `arshjul {cmd}: …` on stderr in `lang`, exit 2.
pub(crate) fn fail(cmd: &str, lang: Lang, msg: impl Into<crate::msg::Msg>) -> ExitCode {
    errln!("arshjul {cmd}: {}", msg.into().get(lang));
    ExitCode::from(2)
}

/// Runs a parsed command line with the given clock.
pub fn run(cli: Cli, shared: Arc<dyn Clock>) -> ExitCode {
    let lang = cli.lang.as_deref().map_or(config().lang, Lang::from_tag);
    let clock = &*shared;
    match cli.command {
        Command::Check { dir } => check::run(&dir.unwrap_or_else(default_dir), lang),
        Command::Plan(args) => plan::run(args, lang, clock),
        Command::Calendar(args) => calendar::run(args, lang),
        Command::State(cmd) => state::run(cmd, lang, clock),
        Command::People(cmd) => people::run(cmd, lang),
        Command::Simulate(args) => simulate::run(args, lang),
        Command::Run(args) => daemon::run(args, lang, shared.clone()),
        Command::Serve(args) => serve::run(args, lang, shared.clone()),
        Command::Outbox(args) => outbox::run(args, lang),
        Command::Audit(args) => audit::run(args, lang, clock),
        Command::ReportDocument(args) => report_document::run(args, lang, clock),
        Command::Ical(args) => ical::run(args, lang, clock),
        Command::IcalLink(cmd) => ical::run_link(cmd, lang, clock),
        Command::Generate { dir, orgs, units, initiatives } => generate(&dir, crate::synth::Size { orgs, units, initiatives }),
    }
}

fn generate(dir: &std::path::Path, size: crate::synth::Size) -> ExitCode {
    for (path, bytes) in crate::synth::files(&dir.to_string_lossy(), size) {
        let res = path.parent().map(std::fs::create_dir_all).unwrap_or(Ok(())).and_then(|_| std::fs::write(&path, bytes));
        if let Err(e) = res {
            errln!("arshjul generate: kan inte skriva {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    outln!("{}: {} organisationer × {} enheter × {} insatser skrivna.", dir.display(), size.orgs, size.units, size.initiatives);
    ExitCode::SUCCESS
}

/// Prints why the definitions or the people file could not be loaded.
pub fn print_load_error(err: &crate::engine::source::LoadError, lang: Lang) {
    match err {
        crate::engine::source::LoadError::Definitions(d) => print_diagnostics(d, lang),
        crate::engine::source::LoadError::People(lines) => lines.iter().for_each(|l| errln!("{l}")),
    }
}

/// Prints diagnostics (errors and warnings) to stderr with a summary line that counts
/// them separately.
pub fn print_diagnostics(diags: &[Diagnostic], lang: Lang) {
    print_warnings(diags, lang);
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    let files = {
        let mut f: Vec<_> = errors.iter().map(|d| &d.file).collect();
        f.dedup();
        f.len()
    };
    let warnings = diags.len() - errors.len();
    match (lang, warnings) {
        (Lang::Sv, 0) => errln!("{} fel i {files} fil(er). Rätta felen och kör `arshjul check` igen.", errors.len()),
        (Lang::Sv, w) => errln!("{} fel i {files} fil(er) och {w} varning(ar). Rätta felen och kör `arshjul check` igen.", errors.len()),
        (Lang::En, 0) => errln!("{} error(s) in {files} file(s). Fix them and run `arshjul check` again.", errors.len()),
        (Lang::En, w) => {
            errln!("{} error(s) in {files} file(s) and {w} warning(s). Fix the errors and run `arshjul check` again.", errors.len())
        }
    }
}

/// Prints each diagnostic to stderr, one `file:line:col: …` line each (no summary): the
/// warnings of a model that loaded.
pub fn print_warnings(diags: &[Diagnostic], lang: Lang) {
    for d in diags {
        errln!("{}", d.render(lang));
    }
}
