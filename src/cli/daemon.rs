//! `arshjul run [DIR]`: the daemon. Checks at start that the database and the SMTP server
//! answer (saying which one does not, and how to fix it), loads and syncs the definitions,
//! then keeps every checkpoint's state and sends the reminders until SIGTERM/SIGINT.
//! SIGHUP (or a changed file) reloads; a bad file keeps the old definitions running.

use crate::clock::Clock;
use crate::definition::Lang;
use crate::engine::daemon::{self, Control, Sources, log};
use crate::engine::{Engine, Settings, default_owner};
use crate::mail::{Mailer, SmtpConfig, SmtpSender, Timeouts};
use crate::store::Store;
use clap::Args;
use lettre::message::Mailbox;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Katalogen med definitioner (standard: workflows/ eller ARSHJUL_WORKFLOWS).
    pub dir: Option<PathBuf>,
}

fn fail(lang: Lang, sv: String, en: String) -> ExitCode {
    eprintln!("arshjul run: {}", if lang == Lang::Sv { sv } else { en });
    ExitCode::from(2)
}

/// Everything the daemon needs from the configuration, checked before anything starts.
struct Setup {
    smtp: SmtpConfig,
    from: Mailbox,
    settings: Settings,
}

fn setup(lang: Lang) -> Result<Setup, ExitCode> {
    let cfg = super::config();
    let Some(url) = cfg.smtp_url.as_deref() else {
        return Err(fail(
            lang,
            "ingen SMTP-server är inställd. Sätt ARSHJUL_SMTP_URL (t.ex. smtp://smtp.kommun.se:587) eller `smtp.url` i config/arshjul.toml. Vill du bara se vad som skulle skickas: `arshjul simulate --dry-run`.".into(),
            "no SMTP server is configured. Set ARSHJUL_SMTP_URL (e.g. smtp://smtp.example.org:587) or `smtp.url` in config/arshjul.toml.".into(),
        ));
    };
    let smtp = SmtpConfig::parse(url).map_err(|e| fail(lang, format!("ARSHJUL_SMTP_URL: {e}"), format!("ARSHJUL_SMTP_URL: {e}")))?;
    let from: Mailbox = cfg.mail_from.parse().map_err(|_| {
        fail(
            lang,
            format!("avsändaren `{}` är ingen e-postadress: skriv t.ex. `arshjul <arshjul@kommun.se>` (ARSHJUL_MAIL_FROM).", cfg.mail_from),
            format!("the sender `{}` is not an email address (ARSHJUL_MAIL_FROM).", cfg.mail_from),
        )
    })?;
    let send_time = cfg.send_time().map_err(|e| fail(lang, e.clone(), e))?;
    let settings = Settings {
        send_time,
        domain: from.email.domain().to_owned(),
        owner: if cfg.instance.trim().is_empty() { default_owner() } else { cfg.instance.trim().to_owned() },
        lease_secs: cfg.lease_secs.max(1),
        concurrency: cfg.concurrency.clamp(1, 64),
        // Claim a little more than can be sent at once: the work is shared between daemons
        // and a crash strands few rows.
        batch: 2 * cfg.concurrency.clamp(1, 64) as i64,
        ..Settings::default()
    };
    Ok(Setup { smtp, from, settings })
}

pub fn run(args: RunArgs, lang: Lang, clock: &dyn Clock) -> ExitCode {
    let setup = match setup(lang) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() else {
        return ExitCode::FAILURE;
    };
    rt.block_on(run_async(args, lang, clock, setup))
}

async fn run_async(args: RunArgs, lang: Lang, clock: &dyn Clock, setup: Setup) -> ExitCode {
    let cfg = super::config();
    let timeouts = Timeouts { connections: setup.settings.concurrency as u32, ..Timeouts::default() };
    let mailer = match Mailer::with_timeouts(&setup.smtp, timeouts) {
        Ok(m) => m,
        Err(e) => return fail(lang, e.clone(), e),
    };
    if let Err(e) = mailer.check().await {
        return fail(lang, e.clone(), e);
    }
    // The database second: a start that fails on the mail server creates nothing.
    let store = match Store::open(&cfg.database_url).await {
        Ok(s) => s,
        Err(e) => return fail(lang, e.sv, e.en),
    };
    let sources = Sources { dir: args.dir.unwrap_or_else(super::default_dir), people: cfg.people.clone() };
    let settings = setup.settings;
    match store.recover(&settings.owner).await {
        Ok(0) => {}
        Ok(n) => log(
            "warn",
            "utskick som avbröts vid förra körningen tas upp igen (kan nå mottagaren två gånger; räknas som upprepade)",
            &[("count", n.to_string())],
        ),
        Err(e) => return fail(lang, e.sv, e.en),
    }
    let sender = SmtpSender { mailer, from: setup.from, domain: settings.domain.clone(), lang };
    let stopping = settings.stopping.clone();
    let mut engine = Engine { store: store.clone(), model: Arc::new(crate::definition::Model::default()), settings };
    if !daemon::reload(&mut engine, &sources, clock).await {
        return fail(
            lang,
            format!("definitionerna i {} kunde inte läsas in (se felen ovan); rätta dem och starta igen.", sources.dir.display()),
            format!("the definitions in {} could not be loaded (see above); fix them and start again.", sources.dir.display()),
        );
    }
    let (control, reload, stop) = Control::new();
    if let Err(e) = signals(reload, stop, stopping) {
        return fail(lang, format!("kan inte lyssna på signaler: {e}"), format!("cannot listen for signals: {e}"));
    }
    daemon::run(engine, sender, clock, sources, control).await;
    store.close().await;
    ExitCode::SUCCESS
}

/// SIGHUP → reload; SIGTERM/SIGINT → stop (in-flight sends finish, the rest is released).
fn signals(
    reload: tokio::sync::mpsc::Sender<()>,
    stop: tokio::sync::watch::Sender<bool>,
    stopping: Arc<std::sync::atomic::AtomicBool>,
) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hup = signal(SignalKind::hangup())?;
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = hup.recv() => { let _ = reload.try_send(()); }
                _ = term.recv() => break,
                _ = int.recv() => break,
            }
        }
        stopping.store(true, Ordering::SeqCst);
        let _ = stop.send(true);
    });
    Ok(())
}
