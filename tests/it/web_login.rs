//! Signing in by a link by email: the same answer for unknown addresses, the mail through
//! the outbox and the real SMTP path, single use, 15 minutes, rate limits, CSRF.

use crate::smtp_server::SmtpServer;
use crate::support::{PLAN, on_both_engines};
use crate::web_support::{Client, Web, links, mail_text};
use chrono::Duration;

/// Asks for a sign-in link for `email`; the response.
async fn ask(c: &mut Client, email: &str) -> crate::web_support::Resp {
    let csrf = c.get("/login").await.csrf();
    c.post("/login", &[("csrf", &csrf), ("email", email)]).await
}

/// The sign-in links mailed so far to `email`.
fn mailed(w: &Web, server: &SmtpServer, email: &str) -> Vec<String> {
    let mut out = Vec::new();
    for m in server.received().iter().filter(|m| m.to.iter().any(|t| t == email)) {
        out.extend(links(&mail_text(&m.data), &w.state.base_url, "login"));
    }
    out.dedup();
    out
}

async fn a_link_by_email_signs_in_once(url: &str) {
    let w = Web::start(url, PLAN).await;
    let server = SmtpServer::start();
    let mut c = w.client();
    let known = ask(&mut c, "Cecilia@Testkommun.se").await;
    let unknown = ask(&mut w.client(), "nobody@testkommun.se").await;
    assert_eq!((known.status, unknown.status), (200, 200));
    assert_eq!(known.body, unknown.body, "no way to tell a known address from an unknown one");
    let queued: Vec<_> = w.store.outbox().await.unwrap().into_iter().filter(|r| r.key.starts_with("login|")).collect();
    assert_eq!(queued.len(), 1, "only the known address gets a mail");
    assert_eq!(queued[0].recipient, "cecilia@testkommun.se");
    w.tick(&server).await;
    let sent = mailed(&w, &server, "cecilia@testkommun.se");
    assert_eq!(sent.len(), 1, "one link, in both parts");
    // Opening it (a mail scanner does) only shows a button.
    let mut b = w.client();
    let confirm = b.get(&sent[0]).await;
    assert_eq!(confirm.status, 200);
    assert!(!b.cookies.contains_key("arshjul_session"));
    let csrf = confirm.csrf();
    let signed = b.post(&sent[0], &[("csrf", &csrf)]).await;
    assert_eq!((signed.status, signed.header("location")), (303, Some("/")));
    let home = b.get("/").await;
    assert!(
        home.body.contains("Mina enheter") && home.body.contains("Cecilia Chef") && home.body.contains("href=\"/overview\""),
        "{}",
        home.body
    );
    assert_eq!(b.get("/overview").await.status, 200);
    // Used once: a second use is refused, also from another browser.
    let mut again = w.client();
    let csrf2 = again.get(&sent[0]).await.csrf();
    let replay = again.post(&sent[0], &[("csrf", &csrf2)]).await;
    assert_eq!(replay.status, 403);
    assert!(replay.body.contains("Länken gäller inte längre") && !again.cookies.contains_key("arshjul_session"));
    // Without the form's token nothing is used up.
    ask(&mut c, "cecilia@testkommun.se").await;
    w.tick(&server).await;
    let second = mailed(&w, &server, "cecilia@testkommun.se").pop().unwrap();
    let mut d = w.client();
    d.get(&second).await;
    assert_eq!(d.post(&second, &[("csrf", "fel")]).await.status, 403);
    // Fifteen minutes later it has expired.
    w.clock.advance(Duration::minutes(16));
    let csrf3 = d.get(&second).await.csrf();
    assert_eq!(d.post(&second, &[("csrf", &csrf3)]).await.status, 403);
    // A forged sign-in link is unknown.
    assert_eq!(d.get(&format!("{second}x")).await.status, 404);
}

async fn sign_in_requests_are_rate_limited_the_same_for_every_address(url: &str) {
    let w = Web::start(url, PLAN).await;
    for email in ["rita@testkommun.se", "nobody@testkommun.se"] {
        let mut c = w.client();
        for _ in 0..3 {
            assert_eq!(ask(&mut c, email).await.status, 200);
        }
        let limited = ask(&mut c, email).await;
        assert_eq!(limited.status, 429, "{email}");
        assert!(limited.body.contains("För många försök"));
    }
    let rows = w.store.outbox().await.unwrap().into_iter().filter(|r| r.key.starts_with("login|")).count();
    assert_eq!(rows, 3, "three mails for the known address, none for the unknown one, none over the limit");
    // After the window, again.
    w.clock.advance(Duration::minutes(15));
    assert_eq!(ask(&mut w.client(), "rita@testkommun.se").await.status, 200);
    // A request without the form's token is refused and queues nothing.
    assert_eq!(w.client().post("/login", &[("email", "sune@testkommun.se")]).await.status, 403);
    let sune = w.store.outbox().await.unwrap().into_iter().filter(|r| r.recipient == "sune@testkommun.se").count();
    assert_eq!(sune, 0);
}

on_both_engines!(a_link_by_email_signs_in_once, sign_in_requests_are_rate_limited_the_same_for_every_address);
