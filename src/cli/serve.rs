//! `arshjul serve [DIR]`: the web pages alone, on `web.listen` (ARSHJUL_WEB_LISTEN). Sends no
//! mail itself: the sign-in mails and fresh report links it queues go into the outbox and
//! the daemon (`arshjul run`, which also serves the pages) sends them. SIGHUP re-reads the
//! definitions; SIGTERM/SIGINT stop (open requests finish).

use crate::clock::Clock;
use crate::definition::Lang;
use crate::engine::SharedModel;
use crate::engine::daemon::log;
use crate::msg::Msg;
use crate::store::Store;
use crate::web::{AppState, serve};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, RwLock};
use tokio::sync::watch;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Katalogen med definitioner (standard: workflows/ eller ARSHJUL_WORKFLOWS).
    pub dir: Option<PathBuf>,
}

fn fail(lang: Lang, msg: impl Into<Msg>) -> ExitCode {
    super::fail("serve", lang, msg)
}

/// Binds `web.listen` and serves the pages until `stop` turns true; the task ends when
/// the server has stopped.
pub async fn start(
    store: &Store,
    model: SharedModel,
    clock: Arc<dyn Clock>,
    lang: Lang,
    wake: Option<Arc<tokio::sync::Notify>>,
    mut stop: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<()>, Msg> {
    let cfg = super::config();
    crate::engine::daemon::purge_sign_ins(store, clock.now()).await;
    let mut state = AppState::new(store.clone(), model, &cfg.base_url, clock, lang).await.map_err(Msg::from)?;
    state.mail_domain = cfg.mail_domain().to_owned();
    state.mail_wake = wake;
    state.oidc = cfg.oidc.clone().map(|c| Arc::new(crate::web::oidc::Oidc::new(c)));
    let listener = tokio::net::TcpListener::bind(cfg.web_listen).await.map_err(|e| {
        Msg::new(
            format!("kan inte lyssna på {} ({e}). Välj en annan adress med ARSHJUL_WEB_LISTEN eller `web.listen`.", cfg.web_listen),
            format!("cannot listen on {} ({e}). Choose another address with ARSHJUL_WEB_LISTEN or `web.listen`.", cfg.web_listen),
        )
    })?;
    log("info", "webbsidorna är uppe", &[("listen", cfg.web_listen.to_string()), ("base_url", cfg.base_url.clone())]);
    Ok(tokio::spawn(async move {
        let shutdown = async move {
            let _ = stop.wait_for(|s| *s).await;
        };
        if let Err(e) = serve(listener, state, shutdown).await {
            log("error", "webbservern stannade", &[("error", e.to_string())]);
        }
    }))
}

pub fn run(args: ServeArgs, lang: Lang, clock: Arc<dyn Clock>) -> ExitCode {
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() else {
        return ExitCode::FAILURE;
    };
    rt.block_on(async move {
        let cfg = super::config();
        let dir = args.dir.unwrap_or_else(super::default_dir);
        let model = match crate::definition::load_dir(&dir) {
            Ok(m) => m,
            Err(d) => {
                super::print_diagnostics(&d, lang);
                return ExitCode::from(2);
            }
        };
        let store = match Store::open_server(&cfg.database_url).await {
            Ok(s) => s,
            Err(e) => return fail(lang, e),
        };
        let shared: SharedModel = Arc::new(RwLock::new(Arc::new(model)));
        let (stop_tx, stop_rx) = watch::channel(false);
        let web = match start(&store, shared.clone(), clock, lang, None, stop_rx).await {
            Ok(w) => w,
            Err(m) => return fail(lang, m),
        };
        if let Err(e) = signals(dir, shared, stop_tx) {
            return fail(lang, Msg::new(format!("kan inte lyssna på signaler: {e}"), format!("cannot listen for signals: {e}")));
        }
        let _ = web.await;
        store.close().await;
        ExitCode::SUCCESS
    })
}

/// SIGHUP → re-read the definitions (a bad file keeps the old ones); SIGTERM/SIGINT → stop.
fn signals(dir: PathBuf, model: SharedModel, stop: watch::Sender<bool>) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hup = signal(SignalKind::hangup())?;
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = hup.recv() => match crate::definition::load_dir(&dir) {
                    Ok(m) => *model.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(m),
                    Err(d) => log("error", "fel i definitionerna; de gamla gäller", &[("errors", d.len().to_string())]),
                },
                _ = term.recv() => break,
                _ = int.recv() => break,
            }
        }
        let _ = stop.send(true);
    });
    Ok(())
}
