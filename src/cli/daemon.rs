//! `arshjul run [DIR]`: the daemon. Checks at start that the database and the SMTP server
//! answer (saying which one does not, and how to fix it), loads and syncs the definitions,
//! then keeps every checkpoint's state and sends the reminders until SIGTERM/SIGINT.
//! SIGHUP (or a changed file) reloads; a bad file keeps the old definitions running.

use crate::clock::Clock;
use crate::definition::Lang;
use crate::engine::daemon::{self, Control, Sources, log};
use crate::engine::{Engine, Settings};
use crate::mail::{Mailer, SmtpConfig, SmtpSender, Timeouts};
use crate::msg::Msg;
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

fn fail(lang: Lang, msg: impl Into<Msg>) -> ExitCode {
    super::fail("run", lang, msg)
}

/// Everything the daemon needs from the configuration, checked before anything starts.
struct Setup {
    smtp: SmtpConfig,
    from: Mailbox,
    settings: Settings,
}

fn setup(lang: Lang) -> Result<Setup, ExitCode> {
    let cfg = super::config();
    let Some(smtp) = cfg.smtp.clone() else {
        return Err(fail(
            lang,
            Msg::new(
                "ingen SMTP-server är inställd. Sätt ARSHJUL_SMTP_URL (t.ex. smtp://smtp.kommun.se:587) eller `smtp.url` i config/arshjul.toml. Vill du bara se vad som skulle skickas: `arshjul simulate --dry-run`.",
                "no SMTP server is configured. Set ARSHJUL_SMTP_URL (e.g. smtp://smtp.example.org:587) or `smtp.url` in config/arshjul.toml. To see what would be sent: `arshjul simulate --dry-run`.",
            ),
        ));
    };
    Ok(Setup { smtp, from: cfg.mail_from.clone(), settings: super::settings(cfg, lang) })
}

pub fn run(args: RunArgs, lang: Lang, clock: Arc<dyn Clock>) -> ExitCode {
    let setup = match setup(lang) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() else {
        return ExitCode::FAILURE;
    };
    // On a worker thread rather than this one: the worker that receives a socket's or the
    // database's wake-up runs the daemon's future itself, instead of waking this thread for
    // every reply (a context switch each: ~10 % of the morning tick's CPU, BENCHMARKS.md).
    rt.block_on(async move { tokio::spawn(run_async(args, lang, clock, setup)).await.unwrap_or(ExitCode::FAILURE) })
}

async fn run_async(args: RunArgs, lang: Lang, shared: Arc<dyn Clock>, setup: Setup) -> ExitCode {
    let clock = &*shared;
    let cfg = super::config();
    // Signals first: a SIGTERM during the start (systemd stopping a daemon that is still
    // syncing, a test that is done) then stops it cleanly once started, instead of killing
    // it mid-write by the signal's default action.
    let (control, reload, stop) = Control::new();
    if let Err(e) = signals(reload, stop, setup.settings.stopping.clone()) {
        return fail(lang, Msg::new(format!("kan inte lyssna på signaler: {e}"), format!("cannot listen for signals: {e}")));
    }
    let timeouts = Timeouts { connections: setup.settings.concurrency as u32, ..Timeouts::default() };
    let mailer = match Mailer::with_timeouts(&setup.smtp, timeouts) {
        Ok(m) => m,
        Err(e) => return fail(lang, e),
    };
    if let Err(e) = mailer.check().await {
        return fail(lang, e);
    }
    // The database second: a start that fails on the mail server creates nothing.
    let store = match Store::open_server(&cfg.database_url).await {
        Ok(s) => s,
        Err(e) => return fail(lang, e),
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
        Err(e) => return fail(lang, e),
    }
    // The report links in every mail are signed with the key the web pages check them with.
    let key = match crate::web::link_key(&store, clock.now()).await {
        Ok(k) => k,
        Err(e) => return fail(lang, e),
    };
    let links = crate::mail::Links::new(&cfg.base_url, key);
    let sender = SmtpSender { mailer, from: setup.from, domain: settings.domain.clone(), lang, links: Some(links) };
    let mut engine = Engine { store: store.clone(), model: Arc::new(crate::definition::Model::default()), settings };
    match daemon::reload_outcome(&mut engine, &sources, clock).await {
        daemon::Reload::Replaced => {}
        daemon::Reload::BadFiles => {
            return fail(
                lang,
                Msg::new(
                    format!("definitionerna i {} innehåller fel (se ovan); rätta dem och starta igen.", sources.dir.display()),
                    format!("the definitions in {} have errors (see above); fix them and start again.", sources.dir.display()),
                ),
            );
        }
        // The files are fine: it is the database (a full disk, a database that went away).
        daemon::Reload::StoreFailed(e) => {
            return fail(
                lang,
                Msg::new(
                    format!(
                        "definitionerna är rätt men kunde inte sparas i databasen: {}. Kontrollera att disken inte är full och att databasen går att skriva till, och starta igen.",
                        e.get(Lang::Sv)
                    ),
                    format!(
                        "the definitions are fine but could not be saved to the database: {}. Check that the disk is not full and the database is writable, and start again.",
                        e.get(Lang::En)
                    ),
                ),
            );
        }
    }
    // The web pages beside the loop: they read the model the loop's reloads publish, and
    // wake the loop when they queue a sign-in mail. They stop with it.
    let shared_model: crate::engine::SharedModel = Arc::new(std::sync::RwLock::new(engine.model.clone()));
    engine.settings.publish = Some(shared_model.clone());
    let web = match super::serve::start(&store, shared_model, shared.clone(), lang, Some(control.wake.clone()), control.stop.clone()).await
    {
        Ok(w) => w,
        Err(m) => return fail(lang, m),
    };
    daemon::run(engine, sender, clock, sources, control).await;
    let _ = web.await;
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
