//! Issue 11's delivery path against the loopback SMTP server: SMTP PIPELINING (RFC 2920)
//! — the envelope in one write, every reply checked, a refused recipient and a 4xx on DATA
//! mid-pipeline — and the send pipeline, where one slow connection holds up only its own
//! message while the others deliver the rest.

use crate::smtp_server::SmtpServer;
use crate::support::on_both_engines;
use arshjul::definition::{Lang, Model};
use arshjul::engine::{Engine, Settings};
use arshjul::mail::{Mailer, Outgoing, SmtpConfig, SmtpSender, Timeouts};
use arshjul::remind::Digest;
use arshjul::store::Store;
use chrono::{TimeZone, Utc};
use lettre::Message;
use std::collections::BTreeMap;
use std::sync::Arc;

fn message(to: &str) -> Outgoing {
    let m = Message::builder()
        .from("arshjul <arshjul@testkommun.se>".parse().unwrap())
        .to(to.parse().unwrap())
        .subject("Påminnelse")
        .body(String::from("Hej!\r\n.en rad med punkt\r\n"))
        .unwrap();
    Outgoing::from(&m)
}

fn mailer(server: &SmtpServer) -> Mailer {
    Mailer::new(&SmtpConfig::parse(&server.url()).unwrap()).unwrap()
}

fn recipients(server: &SmtpServer) -> Vec<String> {
    server.received().iter().map(|r| r.to.join(",")).collect()
}

#[tokio::test]
async fn the_envelope_goes_in_one_write_and_every_reply_is_checked() {
    let server = SmtpServer::start();
    let m = mailer(&server);
    m.send(&message("a@testkommun.se")).await.unwrap();
    m.send(&message("b@testkommun.se")).await.unwrap();
    assert_eq!(server.pipelined(), 2, "MAIL FROM, RCPT TO and DATA came in one write");

    // A refused recipient mid-pipeline: permanent, with the server's own reply; the DATA
    // reply behind it was read and the connection reset, so the next message goes through.
    server.reject_rcpt("borta@testkommun.se");
    let e = m.send(&message("borta@testkommun.se")).await.unwrap_err();
    assert!(e.is_permanent() && e.message.sv.contains("550") && e.message.sv.contains("mailbox unavailable"), "{e}");
    m.send(&message("c@testkommun.se")).await.unwrap();

    // A 4xx to DATA: transient (retried later), and the connection goes on.
    server.fail_next_data_command(1);
    let e = m.send(&message("d@testkommun.se")).await.unwrap_err();
    assert!(!e.is_permanent() && e.message.sv.contains("451"), "{e}");
    m.send(&message("d@testkommun.se")).await.unwrap();

    // A 4xx after the message itself: transient as well.
    server.fail_next_data(1);
    let e = m.send(&message("e@testkommun.se")).await.unwrap_err();
    assert!(!e.is_permanent() && e.message.sv.contains("451"), "{e}");

    assert_eq!(recipients(&server), ["a@testkommun.se", "b@testkommun.se", "c@testkommun.se", "d@testkommun.se"]);
    assert_eq!(server.pipelined(), 7, "every envelope pipelined");
    assert_eq!(server.connections(), 1, "one kept connection through every refusal");
    let got = &server.received()[0].data;
    assert!(got.contains("\r\n..en rad med punkt\r\n") || got.contains("\r\n.en rad med punkt\r\n"), "{got:?}");
}

#[tokio::test]
async fn without_pipelining_the_commands_go_one_at_a_time() {
    let server = SmtpServer::start();
    server.no_pipelining();
    let m = mailer(&server);
    m.send(&message("a@testkommun.se")).await.unwrap();
    server.reject_rcpt("borta@testkommun.se");
    let e = m.send(&message("borta@testkommun.se")).await.unwrap_err();
    assert!(e.is_permanent() && e.message.sv.contains("550"), "{e}");
    m.send(&message("b@testkommun.se")).await.unwrap();
    assert_eq!(recipients(&server), ["a@testkommun.se", "b@testkommun.se"]);
    assert_eq!(server.pipelined(), 0, "a server that does not offer PIPELINING gets one command at a time");
    assert_eq!(server.connections(), 1);
}

/// Monday 24 May 2021, 07:30 Stockholm: a working day after the send time.
fn digest(i: usize) -> Digest {
    crate::support::digest(
        &format!("Rektor {i}"),
        &format!("rektor{i:03}@testkommun.se"),
        &format!("testkommun/plan-2021/matematik/uppfoljning-{i}"),
    )
}

const MAILS: usize = 40;

/// The engine, store and sender of the slow-connection tests: `MAILS` due rows, four
/// connections, at most `window` rows leased at once.
async fn slow_setup(url: &str, server: &SmtpServer, window: i64) -> (Arc<Engine>, SmtpSender) {
    let store = Store::open(url).await.unwrap();
    let digests: Vec<Digest> = (0..MAILS).map(digest).collect();
    assert_eq!(store.enqueue(&digests, "testkommun.se").await.unwrap(), MAILS);
    let settings =
        Settings { domain: "testkommun.se".into(), owner: "slow-test".into(), concurrency: 4, batch: window, ..Settings::default() };
    let timeouts = Timeouts { connections: 4, ..Timeouts::default() };
    let mailer = Mailer::with_timeouts(&SmtpConfig::parse(&server.url()).unwrap(), timeouts).unwrap();
    let sender = SmtpSender {
        mailer,
        from: "arshjul <arshjul@testkommun.se>".parse().unwrap(),
        domain: "testkommun.se".into(),
        lang: Lang::Sv,
        links: None,
    };
    (Arc::new(Engine { store, model: Arc::new(Model::default()), settings }), sender)
}

/// Monday 24 May 2021, 08:00 Stockholm.
fn monday_morning() -> chrono::DateTime<Utc> {
    chrono_tz::Europe::Stockholm.with_ymd_and_hms(2021, 5, 24, 8, 0, 0).unwrap().with_timezone(&Utc)
}

/// Waits (polling: the server's blocking wait would stop this test's runtime, and the tick
/// with it) until `done` holds or the tick has ended; returns whether `done` held.
async fn until<F: AsyncFnMut() -> bool>(tick: &tokio::task::JoinHandle<impl Sized>, mut done: F) -> bool {
    for _ in 0..crate::support::polls(20) {
        if done().await {
            return true;
        }
        if tick.is_finished() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    done().await
}

/// One connection's reply to a DATA is held back (a slow server connection); the pipeline
/// keeps claiming and the other connections deliver every other message meanwhile. (With
/// claims that waited for all their sends, at most one claim's worth got through.) Then
/// the held one is let go: every message once, every row marked sent.
async fn one_slow_connection_holds_up_only_its_own_message(url: &str) {
    let server = SmtpServer::start();
    let (engine, sender) = slow_setup(url, &server, 8).await;
    server.hold_one();
    let e = engine.clone();
    let tick = tokio::spawn(async move { e.tick(monday_morning(), &sender).await });
    // Every message arrives while the one reply is still held.
    until(&tick, async || server.received().len() >= MAILS).await;
    assert_eq!(server.received().len(), MAILS, "the other connections delivered everything else meanwhile");
    assert!(!tick.is_finished(), "the held send is still in flight");
    let rows = engine.store.outbox().await.unwrap();
    let held: Vec<_> = rows.iter().filter(|r| r.status != "sent").collect();
    assert!(!held.is_empty() && held.len() <= 8, "only the held one and what the window of 8 holds wait: {held:#?}");
    server.let_go();
    let report = tick.await.unwrap().unwrap();
    assert_eq!(report.sent.len(), MAILS);
    assert_eq!((report.retried, report.failed, report.repeated), (0, 0, 0));
    let rows = engine.store.outbox().await.unwrap();
    assert!(rows.iter().all(|r| r.status == "sent" && r.attempts == 1 && r.repeats == 0), "{rows:#?}");
    let mut arrivals: BTreeMap<String, usize> = BTreeMap::new();
    for r in server.received() {
        *arrivals.entry(r.to.join(",")).or_default() += 1;
    }
    assert_eq!(arrivals.len(), MAILS);
    assert!(arrivals.values().all(|&n| n == 1), "each message once: {arrivals:#?}");
    assert!(server.pipelined() >= MAILS, "the pipeline's sends were pipelined too");
}

/// With the window the daemon really uses on this engine (wider than the 40 rows here), a
/// delivered row is recorded as sent while a slow send is still in flight — not kept
/// leased until enough other sends finish to fill a mark batch, where its lease could run
/// out and another daemon send it again.
async fn a_delivered_row_is_marked_sent_while_a_slow_send_is_in_flight(url: &str) {
    let server = SmtpServer::start();
    let window = arshjul::engine::lease_window(4, arshjul::store::Engine::of_url(url).unwrap());
    let (engine, sender) = slow_setup(url, &server, window).await;
    server.hold_one();
    let e = engine.clone();
    let tick = tokio::spawn(async move { e.tick(monday_morning(), &sender).await });
    let marked =
        until(&tick, async || engine.store.outbox().await.unwrap().iter().filter(|r| r.status == "sent").count() >= MAILS - 1).await;
    assert!(!tick.is_finished(), "the held send is still in flight");
    let rows = engine.store.outbox().await.unwrap();
    let waiting: Vec<_> = rows.iter().filter(|r| r.status != "sent").collect();
    assert!(marked && waiting.len() == 1, "every delivered row marked, only the held one waits: {waiting:#?}");
    assert_eq!(server.received().len(), MAILS, "the held message too reached the server, its reply held");
    server.let_go();
    let report = tick.await.unwrap().unwrap();
    assert_eq!((report.sent.len(), report.repeated), (MAILS, 0));
    assert!(engine.store.outbox().await.unwrap().iter().all(|r| r.status == "sent" && r.attempts == 1));
}

on_both_engines!(one_slow_connection_holds_up_only_its_own_message, a_delivered_row_is_marked_sent_while_a_slow_send_is_in_flight);
