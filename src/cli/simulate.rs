//! `arshjul simulate --from DATE --to DATE --dry-run [--format json]`: the real engine over
//! virtual time, on a throw-away in-memory store (or `--database URL`), printing every email
//! it would send. A quality strategist rehearses a whole school year in seconds. The same
//! configuration as `run`: send time, sender (Message-ID domain), people directory.

use crate::definition::Lang;
use crate::engine::{DryRun, Engine};
use crate::msg::Msg;
use crate::remind::subject::subject;
use crate::store::Store;
use chrono::{NaiveDate, TimeZone};
use chrono_tz::Europe::Stockholm;
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Katalogen med definitioner (standard: workflows/).
    pub dir: Option<PathBuf>,
    /// Första dagen, t.ex. 2020-08-17.
    #[arg(long)]
    pub from: String,
    /// Sista dagen, t.ex. 2021-06-18.
    #[arg(long)]
    pub to: String,
    /// Skicka ingenting; skriv ut varje e-post som skulle ha skickats. Utan den skickas
    /// e-posten på riktigt genom ARSHJUL_SMTP_URL (t.ex. till en testbrevlåda).
    #[arg(long)]
    pub dry_run: bool,
    /// Personkatalog (standard: ARSHJUL_PEOPLE eller config/people.csv, om den finns).
    #[arg(long)]
    pub people: Option<PathBuf>,
    /// Databas att simulera i (standard: en tillfällig i minnet; produktionsdatabasen rörs inte).
    #[arg(long)]
    pub database: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

fn fail(lang: Lang, msg: impl Into<Msg>) -> ExitCode {
    super::fail("simulate", lang, msg)
}

fn date(s: &str, lang: Lang) -> Result<NaiveDate, ExitCode> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        fail(
            lang,
            Msg::new(format!("`{s}` är inget datum: skriv t.ex. `2020-08-17`."), format!("`{s}` is not a date: write e.g. `2020-08-17`.")),
        )
    })
}

pub fn run(args: SimulateArgs, lang: Lang) -> ExitCode {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return ExitCode::FAILURE };
    rt.block_on(run_async(args, lang))
}

async fn run_async(args: SimulateArgs, lang: Lang) -> ExitCode {
    let (from, to) = match (date(&args.from, lang), date(&args.to, lang)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    if to < from {
        return fail(
            lang,
            Msg::new(
                format!("--to ({to}) ligger före --from ({from}); byt plats på dem."),
                format!("--to ({to}) is before --from ({from}); swap them."),
            ),
        );
    }
    let cfg = super::config();
    let smtp = match (args.dry_run, &cfg.smtp) {
        (true, _) => None,
        (false, Some(smtp)) => match crate::mail::Mailer::new(smtp) {
            Ok(m) => Some(m),
            Err(e) => return fail(lang, e.prefixed("ARSHJUL_SMTP_URL: ")),
        },
        (false, None) => {
            return fail(
                lang,
                Msg::new(
                    "ange `--dry-run` (skriv ut e-posten) eller en SMTP-server att skicka till i ARSHJUL_SMTP_URL (t.ex. en testbrevlåda).",
                    "give `--dry-run` (print the email) or an SMTP server to send to in ARSHJUL_SMTP_URL (e.g. a test mailbox).",
                ),
            );
        }
    };
    let dir = args.dir.clone().unwrap_or_else(super::default_dir);
    let people_file = args.people.clone().unwrap_or_else(|| cfg.people.clone());
    let loaded = match crate::engine::source::load(&dir, &people_file, lang) {
        Ok(l) => l,
        Err(e) => {
            super::print_load_error(&e, lang);
            return ExitCode::FAILURE;
        }
    };
    super::print_warnings(&loaded.model.warnings, lang);
    let url = args.database.clone().unwrap_or_else(|| "sqlite::memory:".into());
    let store = match Store::open(&url).await {
        Ok(s) => s,
        Err(e) => return fail(lang, e),
    };
    let settings = super::settings(cfg, lang);
    let start = Stockholm.from_local_datetime(&from.and_time(chrono::NaiveTime::MIN)).earliest().map(|t| t.to_utc()).unwrap_or_default();
    // The same sync as `arshjul sync` and the daemon, on `from`: what was due before the
    // rehearsal starts exists but is not mailed as late; the window reaches past `to`.
    let window = crate::engine::source::window(&loaded.model, from, Some(to));
    if let Err(e) = crate::engine::source::store(&store, &loaded, window, start).await {
        return fail(lang, e);
    }
    let model = loaded.model;
    let engine = Engine { store, model: Arc::new(model), settings };
    let sent = match smtp {
        None => days(&engine, &DryRun::default(), from, to, args.format, lang).await,
        Some(mailer) => {
            let sender =
                crate::mail::SmtpSender { mailer, from: cfg.mail_from.clone(), domain: engine.settings.domain.clone(), lang, links: None };
            days(&engine, &sender, from, to, args.format, lang).await
        }
    };
    let sent = match sent {
        Ok(s) => s,
        Err(e) => return fail(lang, e),
    };
    let printed = sent.len();
    let people: std::collections::BTreeSet<&str> = sent.iter().map(|d| d.to.email.as_str()).collect();
    let days = (to - from).num_days() + 1;
    errln!(
        "{}",
        if lang == Lang::Sv {
            format!("{printed} e-post till {} personer under {days} dagar ({from} – {to}).", people.len())
        } else {
            format!("{printed} emails to {} people over {days} days ({from} – {to}).", people.len())
        }
    );
    engine.store.close().await;
    ExitCode::SUCCESS
}

/// Ticks at the send time of each day from `from` to `to`, printing each email as it goes;
/// returns them all.
async fn days(
    engine: &Engine,
    sender: &impl crate::engine::Sender,
    from: NaiveDate,
    to: NaiveDate,
    format: Format,
    lang: Lang,
) -> Result<Vec<crate::remind::Digest>, crate::store::StoreError> {
    let mut all = Vec::new();
    let mut day = from;
    while day <= to {
        let now = crate::calendar::recurrence::local_to_instant(day.and_time(engine.settings.send_time), Stockholm);
        let mut report = engine.tick(now, sender).await?;
        // Sends complete in any order; print them in a stable one.
        report.sent.sort_by(|a, b| a.to.email.cmp(&b.to.email));
        for d in &report.sent {
            print_email(d, &engine.settings.domain, format, lang);
        }
        if report.retried + report.failed > 0 {
            let (n, again) = (report.retried + report.failed, report.retried);
            let msg = Msg::new(
                format!("{day}: {n} e-post kunde inte skickas ({again} försöks igen)."),
                format!("{day}: {n} email(s) could not be sent ({again} will be retried)."),
            );
            errln!("{}", msg.get(lang));
        }
        all.extend(report.sent);
        day = day.succ_opt().unwrap_or(NaiveDate::MAX);
    }
    Ok(all)
}

fn print_email(d: &crate::remind::Digest, domain: &str, format: Format, lang: Lang) {
    let at = d.send_at.with_timezone(&Stockholm);
    match format {
        Format::Json => {
            let v = serde_json::json!({
                "to": d.to.email,
                "subject": subject(d, lang),
                "sent_at": at.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
                "checkpoints": d.items.iter().map(|i| i.checkpoint.clone()).collect::<Vec<_>>(),
                "message_id": d.message_id(domain),
            });
            outln!("{v}");
        }
        Format::Text => {
            outln!("{} → {} <{}>: {}", at.format("%Y-%m-%d %H:%M"), d.to.name, d.to.email, subject(d, lang));
            for i in &d.items {
                let behalf =
                    i.on_behalf_of.as_deref().map(|b| if lang == Lang::Sv { format!(" [för {b}]") } else { format!(" [for {b}]") });
                let behalf = behalf.unwrap_or_default();
                outln!("    {} {:<14} {}{behalf}", i.due, i.step.key(), i.checkpoint);
            }
        }
    }
}
