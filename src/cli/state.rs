//! Commands on stored state: `sync`, `status`, `report`, `approve`, `return`, `waive`,
//! `reschedule`, `history`. Each opens the store (DATABASE_URL, default
//! `sqlite://arshjul.db`), does one thing and prints the result in Swedish (or English).

use crate::calendar::Calendar;
use crate::clock::Clock;
use crate::definition::{Lang, load_dir};
use crate::store::{Filter, Row, Store, StoreError};
use crate::workflow::{Command as Cmd, Outcome, Report, State, Today, VIA_CLI};
use chrono::{Datelike, NaiveDate};
use chrono_tz::Europe::Stockholm;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// The database URL: DATABASE_URL, else `database.url` in the configuration, else the
/// embedded default `sqlite://arshjul.db`.
pub fn database_url() -> String {
    super::config().database_url.clone()
}

#[derive(Subcommand, Debug)]
pub enum StateCommand {
    /// Läs definitionerna och för in schemat i databasen (nya, flyttade, strukna kontrollpunkter).
    Sync {
        /// Katalogen med definitioner (standard: workflows/).
        dir: Option<PathBuf>,
    },
    /// Visa var kontrollpunkterna står: status, förfallodag, ansvarig.
    Status(StatusArgs),
    /// Rapportera en uppföljning: utfall, Uppföljning och Analys.
    Report {
        checkpoint: String,
        /// genomförd, "påbörjad men ej slutförd", "ej påbörjad" eller "ej genomförd".
        #[arg(long)]
        outcome: String,
        /// Uppföljning: vad som har gjorts.
        #[arg(long)]
        uppfoljning: String,
        /// Analys: vad det betyder ("-" om ingen).
        #[arg(long, default_value = "")]
        analys: String,
        /// Skäl (krävs för "ej påbörjad" och "ej genomförd").
        #[arg(long)]
        reason: Option<String>,
        /// Vem som rapporterar (namn eller e-post).
        #[arg(long = "as")]
        actor: String,
    },
    /// Godkänn en rapporterad kontrollpunkt.
    Approve {
        checkpoint: String,
        #[arg(long = "as")]
        actor: String,
    },
    /// Skicka tillbaka en rapport för komplettering.
    Return {
        checkpoint: String,
        #[arg(long)]
        reason: String,
        #[arg(long = "as")]
        actor: String,
    },
    /// Skriv av en kontrollpunkt (stäng den utan rapport) med ett skäl.
    Waive {
        checkpoint: String,
        #[arg(long)]
        reason: String,
        #[arg(long = "as")]
        actor: String,
    },
    /// Flytta en kontrollpunkts förfallodag.
    Reschedule {
        checkpoint: String,
        /// Nytt datum, t.ex. 2021-06-11.
        date: String,
        #[arg(long)]
        reason: String,
        /// Tillåt ett datum som passerat eller inte är en arbetsdag (men inte utanför planens period ± ett år).
        #[arg(long)]
        force: bool,
        #[arg(long = "as")]
        actor: String,
    },
    /// Visa en kontrollpunkts historik: varje händelse med tid, vem och varför.
    History {
        checkpoint: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    /// Bara försenade.
    #[arg(long)]
    pub overdue: bool,
    #[arg(long)]
    pub unit: Option<String>,
    #[arg(long)]
    pub role: Option<String>,
    #[arg(long)]
    pub organisation: Option<String>,
    /// Bara denna status (planerad, öppen, försenad, rapporterad, godkänd, missad, avskriven).
    #[arg(long)]
    pub state: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

fn say(lang: Lang, sv: &str, en: &str) -> String {
    if lang == Lang::Sv { sv.to_owned() } else { en.to_owned() }
}

fn fail(cmd: &str, msg: String) -> ExitCode {
    errln!("arshjul {cmd}: {msg}");
    ExitCode::FAILURE
}

fn store_err(lang: Lang, e: StoreError) -> String {
    e.get(lang).to_owned()
}

pub fn run(cmd: StateCommand, lang: Lang, clock: &dyn Clock) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail("", format!("{e}")),
    };
    rt.block_on(run_async(cmd, lang, clock))
}

async fn run_async(cmd: StateCommand, lang: Lang, clock: &dyn Clock) -> ExitCode {
    let now = clock.now();
    let today_date = clock.today(Stockholm);
    let name = match &cmd {
        StateCommand::Sync { .. } => "sync",
        StateCommand::Status(_) => "status",
        StateCommand::Report { .. } => "report",
        StateCommand::Approve { .. } => "approve",
        StateCommand::Return { .. } => "return",
        StateCommand::Waive { .. } => "waive",
        StateCommand::Reschedule { .. } => "reschedule",
        StateCommand::History { .. } => "history",
    };
    // Validate the input before touching the database.
    let action = match &cmd {
        StateCommand::Report { checkpoint, outcome, uppfoljning, analys, reason, actor } => {
            let outcome = match Outcome::parse(outcome) {
                Ok(o) => o,
                Err((sv, en)) => return fail(name, say(lang, &sv, &en)),
            };
            let r = Report { outcome, reason: reason.clone(), uppfoljning: uppfoljning.clone(), analys: analys.clone(), links: Vec::new() };
            Some((checkpoint.clone(), Cmd::Report(r), actor.clone(), None))
        }
        StateCommand::Approve { checkpoint, actor } => Some((checkpoint.clone(), Cmd::Approve, actor.clone(), None)),
        StateCommand::Return { checkpoint, reason, actor } => {
            Some((checkpoint.clone(), Cmd::Return { reason: reason.clone() }, actor.clone(), None))
        }
        StateCommand::Waive { checkpoint, reason, actor } => {
            Some((checkpoint.clone(), Cmd::Waive { reason: reason.clone() }, actor.clone(), None))
        }
        StateCommand::Reschedule { checkpoint, date, reason, force, actor } => {
            let Ok(to) = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d") else {
                return fail(
                    name,
                    say(
                        lang,
                        &format!("`{date}` är inget datum: skriv t.ex. `2021-06-11`."),
                        &format!("`{date}` is not a date: write e.g. `2021-06-11`."),
                    ),
                );
            };
            Some((checkpoint.clone(), Cmd::Reschedule { to, reason: reason.clone(), force: *force }, actor.clone(), Some(to)))
        }
        _ => None,
    };
    if let Some((_, _, actor, _)) = &action
        && actor.trim().is_empty()
    {
        return fail(name, say(lang, "ange vem du är med `--as`.", "say who you are with `--as`."));
    }
    let store = match Store::open_command(&database_url()).await {
        Ok(s) => s,
        Err(e) => return fail(name, store_err(lang, e)),
    };
    let code = match cmd {
        StateCommand::Sync { dir } => sync(&store, dir, lang, now, today_date).await,
        StateCommand::Status(args) => status(&store, args, lang, today_date).await,
        StateCommand::History { checkpoint, format } => history(&store, &checkpoint, format, lang).await,
        _ => {
            let Some((id, c, actor, target)) = action else { return ExitCode::FAILURE };
            let cal = store_calendar();
            let window = match target {
                Some(_) => store.reschedule_window(&id, today_date, load_dir(&super::default_dir()).ok().as_ref()).await,
                None => None,
            };
            let today = Today { date: today_date, target_is_working_day: target.is_none_or(|d| cal.is_working_day(d)), window };
            // `--as` is an administrator entering it on someone's behalf: recorded as such.
            match store.act_via(&id, &c, &actor, Some(VIA_CLI), now, today).await {
                Err(e) => fail(name, store_err(lang, e)),
                Ok(Err(refusal)) => fail(name, refusal.get(lang).to_owned()),
                Ok(Ok(acted)) => {
                    let st = acted.status.state;
                    outln!("{id}: {}", if lang == Lang::Sv { st.sv() } else { st.en() });
                    ExitCode::SUCCESS
                }
            }
        }
    };
    store.close().await;
    code
}

/// Holidays and weekends are the same for every organisation.
fn store_calendar() -> Calendar {
    Calendar::default()
}

async fn sync(store: &Store, dir: Option<PathBuf>, lang: Lang, now: chrono::DateTime<chrono::Utc>, today: NaiveDate) -> ExitCode {
    let dir = dir.unwrap_or_else(super::default_dir);
    // The people directory in config/ (if any) is checked with the definitions: a bad file
    // stops the sync.
    let loaded = match crate::engine::source::load(&dir, &super::config().people, lang) {
        Ok(l) => l,
        Err(e) => {
            super::print_load_error(&e, lang);
            return ExitCode::FAILURE;
        }
    };
    super::print_warnings(&loaded.model.warnings, lang);
    let window = crate::engine::source::window(&loaded.model, today, None);
    match crate::engine::source::store(store, &loaded, window, now).await {
        Ok(r) => {
            out!("{}", sync_summary(&r, window, lang));
            ExitCode::SUCCESS
        }
        Err(e) => fail("sync", store_err(lang, e)),
    }
}

async fn status(store: &Store, args: StatusArgs, lang: Lang, today: NaiveDate) -> ExitCode {
    let mut states = Vec::new();
    if let Some(s) = &args.state {
        match State::parse(s.trim()) {
            Some(st) => states.push(st),
            None => {
                return fail(
                    "status",
                    say(
                        lang,
                        &format!(
                            "okänd status `{s}`: välj planerad, öppen, försenad, rapporterad, godkänd, missad, avskriven eller struken."
                        ),
                        &format!("unknown state `{s}`: choose planned, open, overdue, reported, approved, missed, waived or cancelled."),
                    ),
                );
            }
        }
    }
    let filter = Filter {
        organisation: args.organisation,
        unit: args.unit,
        role: args.role,
        include_cancelled: states.contains(&State::Cancelled),
        states,
        due_by: None,
    };
    let mut rows = match store.status(&filter).await {
        Ok(r) => r,
        Err(e) => return fail("status", store_err(lang, e)),
    };
    if args.overdue {
        rows.retain(|r| r.state == State::Overdue || (r.state.is_pending() && r.due.is_some_and(|d| d < today)));
    }
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into())),
        Format::Table => {
            out!("{}", status_table(&rows, lang, today));
            out!("{}", vacancy_lines(store, lang).await);
            let failed = store.outbox().await.map(|rows| rows.iter().filter(|r| r.status == "failed").count()).unwrap_or(0);
            if failed > 0 {
                outln!(
                    "{}",
                    say(
                        lang,
                        &format!("{failed} e-post kunde inte skickas — se `arshjul outbox --status failed`."),
                        &format!("{failed} email(s) could not be sent — see `arshjul outbox --status failed`."),
                    )
                );
            }
        }
    }
    ExitCode::SUCCESS
}

/// Roles nobody holds (their reminders go to the superior), from the definitions and the
/// people directory. Silent when the definitions cannot be read.
async fn vacancy_lines(store: &Store, lang: Lang) -> String {
    let Ok(model) = load_dir(&super::default_dir()) else { return String::new() };
    let Ok(people) = store.people().await else { return String::new() };
    let mut out = String::new();
    for o in &model.organisations {
        for v in crate::remind::recipients::vacancies(&crate::remind::recipients::Directory::new(&people), o) {
            let role = o.role(&v.role).map_or(v.role.clone(), |r| r.name.clone());
            let unit = v.unit.as_deref().and_then(|u| o.unit(u)).map(|u| format!(", {}", u.name)).unwrap_or_default();
            out.push_str(&say(
                lang,
                &format!("Vakant: {role}{unit} ({}) — påminnelser går till överordnad.\n", o.name),
                &format!("Vacant: {role}{unit} ({}) — reminders go to the superior.\n", o.name),
            ));
        }
    }
    out
}

/// How many ids a sync summary lists per kind.
const LISTED: usize = 20;

/// What a sync did, with the checkpoints that need a person's eye listed by id: those kept
/// out of the plan with what was recorded on them, and those created already past due.
fn sync_summary(r: &crate::store::SyncReport, window: crate::calendar::DateRange, lang: Lang) -> String {
    use std::fmt::Write;
    let mut out = say(
        lang,
        &format!(
            "synkat {window}: {} nya, {} flyttade, {} strukna, {} tillbaka, {} uppdaterade, {} oförändrade.\n",
            r.created, r.rescheduled, r.cancelled, r.restored, r.updated, r.unchanged
        ),
        &format!(
            "synced {window}: {} new, {} moved, {} cancelled, {} restored, {} updated, {} unchanged.\n",
            r.created, r.rescheduled, r.cancelled, r.restored, r.updated, r.unchanged
        ),
    );
    if r.reidentified > 0 {
        let _ = writeln!(
            out,
            "{}",
            say(
                lang,
                &format!(
                    "{} återkommande kontrollpunkter behöll sina id:n när perioden ändrades (flyttade, med historik).",
                    r.reidentified
                ),
                &format!("{} recurring checkpoints kept their ids when their period changed (moved, with history).", r.reidentified),
            )
        );
    }
    let mut list = |ids: &[String], sv: &str, en: &str| {
        if !ids.is_empty() {
            let _ = writeln!(out, "{}", say(lang, sv, en));
            // A first sync of old plans can find hundreds: the first ones, and how to see all.
            for id in ids.iter().take(LISTED) {
                let _ = writeln!(out, "  {id}");
            }
            if ids.len() > LISTED {
                let more = ids.len() - LISTED;
                let _ = writeln!(
                    out,
                    "{}",
                    say(
                        lang,
                        &format!("  … och {more} till (`arshjul status` visar alla)"),
                        &format!("  … and {more} more (`arshjul status` shows them all)")
                    )
                );
            }
        }
    };
    list(
        &r.left_plan,
        "Finns inte längre i planen men har rapport, godkännande eller avskrivning — behålls som de står:",
        "No longer in the plan but reported, approved or waived — kept as they stand:",
    );
    list(
        &r.past_on_arrival,
        "Nya kontrollpunkter vars datum redan har passerat — påminns inte; rapportera, skriv av eller flytta dem:",
        "New checkpoints already past their date — not reminded; report, waive or reschedule them:",
    );
    out
}

fn status_table(rows: &[Row], lang: Lang, today: NaiveDate) -> String {
    use std::fmt::Write;
    if rows.is_empty() {
        return say(lang, "Inga kontrollpunkter. (Har du kört `arshjul sync`?)\n", "No checkpoints. (Did you run `arshjul sync`?)\n");
    }
    let mut out = String::new();
    let (h1, h2, h3, h4, h5) = if lang == Lang::Sv {
        ("Förfaller", "Status", "Ansvarig", "Enhet", "Kontrollpunkt")
    } else {
        ("Due", "State", "Owner", "Unit", "Checkpoint")
    };
    let _ = writeln!(out, "{h1:<12} {h2:<22} {h3:<22} {h4:<18} {h5}");
    for r in rows {
        let due = r.due.map_or_else(|| say(lang, "fortlöpande", "continuous"), |d| d.to_string());
        let mut st = if lang == Lang::Sv { r.state.sv().to_owned() } else { r.state.en().to_owned() };
        if let Some(d) = r.due
            && r.state.is_pending()
            && d < today
        {
            let days = (today - d).num_days();
            st = say(lang, &format!("försenad {days} d"), &format!("overdue {days} d"));
        }
        if r.rescheduled {
            st.push('*');
        }
        let mut title = r.title.clone();
        if !r.in_plan {
            title.push_str(&say(lang, " (ej längre i planen)", " (no longer in the plan)"));
        } else if r.added_past_due && r.state.is_pending() {
            title.push_str(&say(lang, " (tillagd i efterhand, påminns inte)", " (added after its date, not reminded)"));
        }
        let _ = writeln!(out, "{due:<12} {st:<22} {:<22} {:<18} {title}", r.owner_role, r.unit.as_deref().unwrap_or("–"));
        let _ = writeln!(out, "{:<12} {:<22} {:<22} {:<18} {}", "", "", "", "", r.id);
    }
    let pending = rows.iter().filter(|r| r.state.is_pending()).count();
    let late = rows.iter().filter(|r| r.state.is_pending() && r.due.is_some_and(|d| d < today)).count();
    let missed = rows.iter().filter(|r| r.state == State::Missed).count();
    let _ = writeln!(
        out,
        "\n{}",
        say(
            lang,
            &format!(
                "{} kontrollpunkter, {pending} väntar på rapport, {late} försenade, {missed} missade. * = flyttad. I dag {today} (v{}).",
                rows.len(),
                today.iso_week().week()
            ),
            &format!(
                "{} checkpoints, {pending} awaiting a report, {late} overdue, {missed} missed. * = rescheduled. Today {today}.",
                rows.len()
            ),
        )
    );
    out
}

async fn history(store: &Store, id: &str, format: Format, lang: Lang) -> ExitCode {
    let events = match store.history(id).await {
        Ok(e) => e,
        Err(e) => return fail("history", store_err(lang, e)),
    };
    if events.is_empty() {
        return fail(
            "history",
            say(lang, &format!("ingen historik för `{id}`: okänd kontrollpunkt?"), &format!("no history for `{id}`: unknown checkpoint?")),
        );
    }
    match format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&events).unwrap_or_else(|_| "[]".into())),
        Format::Table => {
            for e in &events {
                let kind = serde_json::to_value(&e.kind)
                    .ok()
                    .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
                    .unwrap_or_default();
                let detail = match &e.kind {
                    crate::workflow::EventKind::Rescheduled { from, to } => {
                        format!(" {} → {}", from.map_or("–".into(), |d| d.to_string()), to.map_or("–".into(), |d| d.to_string()))
                    }
                    crate::workflow::EventKind::Reported { report, late } => {
                        let late = late.map(|l| format!(" ({})", l.describe().get(lang))).unwrap_or_default();
                        format!(" {}{late}", if lang == Lang::Sv { report.outcome.sv() } else { report.outcome.en() })
                    }
                    crate::workflow::EventKind::Created { due } => {
                        format!(" {}", due.map_or_else(|| say(lang, "fortlöpande", "continuous"), |d| d.to_string()))
                    }
                    _ => String::new(),
                };
                let reason = e.reason.as_deref().map(|r| format!(" — {r}")).unwrap_or_default();
                let actor = match e.via.as_deref() {
                    Some(VIA_CLI) => format!("{} {}", e.actor, say(lang, "(via kommandoraden)", "(via the command line)")),
                    _ => e.actor.clone(),
                };
                outln!("{}  {:<14} {:<24}{detail}{reason}", e.at.format("%Y-%m-%d %H:%M UTC"), kind, actor);
            }
        }
    }
    ExitCode::SUCCESS
}
