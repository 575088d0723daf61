//! The link in a reminder (`/k/<token>`): the real daemon tick mails it through the loopback
//! SMTP server; opening it shows the report form; submitting stores the report with the
//! person as actor. Forged, expired, other-checkpoint and signed-out replays are refused
//! and store nothing.

use crate::smtp_server::SmtpServer;
use crate::support::{PLAN, on_both_engines};
use crate::web_support::{Web, links, mail_text};
use arshjul::store::{Filter, Row};
use arshjul::web::token::{Claims, Purpose};
use arshjul::workflow::State;
use chrono::Duration;

/// The reminder mailed to `email` on the reminder day, and the report links in it.
async fn reminder(w: &Web, server: &SmtpServer, email: &str) -> (String, Vec<String>) {
    w.tick(server).await;
    let mail = server.received().into_iter().find(|m| m.to.iter().any(|t| t == email)).expect("a reminder to the rektor");
    let text = mail_text(&mail.data);
    let found = links(&text, &w.state.base_url, "k");
    (text, found)
}

async fn rows(w: &Web, unit: &str) -> Vec<Row> {
    w.store.status(&Filter { unit: Some(unit.into()), role: Some("rektor".into()), ..Filter::default() }).await.unwrap()
}

async fn reported(w: &Web) -> Vec<Row> {
    w.store.status(&Filter { states: vec![State::Reported], ..Filter::default() }).await.unwrap()
}

const REPORT: &[(&str, &str)] = &[
    ("outcome", "genomförd"),
    ("uppfoljning", "Dialogmötet hölls den 24 mars."),
    ("analys", "Bra uppslutning."),
    ("links", "https://intra.kommun.se/protokoll.pdf"),
];

fn with_csrf<'a>(csrf: &'a str, fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![("csrf", csrf)];
    v.extend_from_slice(fields);
    v
}

async fn the_reminder_link_opens_the_form_and_stores_the_report_as_the_person(url: &str) {
    let w = Web::start(url, PLAN).await;
    let server = SmtpServer::start();
    let (text, found) = reminder(&w, &server, "rita@testkommun.se").await;
    assert!(!found.is_empty(), "a /k/ link per checkpoint: {text}");
    assert!(!text.contains("arshjul report"), "the link replaces the command line: {text}");
    // Both parts carry the link (text, then the HTML's href).
    assert!(found.len() >= 2 && found.len() % 2 == 0, "{found:?}");
    let mut c = w.client();
    let form = c.get(&found[0]).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Rapportera: Dialogmöte vt") && form.body.contains("Norrskolan"), "{}", form.body);
    assert!(!c.cookies.contains_key("arshjul_session"), "opening the link (as a mail scanner does) signs nobody in");
    assert!(reported(&w).await.is_empty());
    let csrf = form.csrf();
    let done = c.post(&found[0], &with_csrf(&csrf, REPORT)).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Tack — rapporten är sparad") && done.body.contains("Dialogmötet hölls den 24 mars."), "{}", done.body);
    let r = reported(&w).await;
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].unit.as_deref(), Some("norrskolan"));
    let report = r[0].report.clone().unwrap();
    assert_eq!(report.links, vec!["https://intra.kommun.se/protokoll.pdf".to_owned()]);
    assert_eq!(w.history(&r[0].id).await.last().unwrap(), &("rita@testkommun.se".to_owned(), "reported".to_owned()));
    // Submitting signed the browser in: her page lists it as reported.
    assert!(c.cookies.contains_key("arshjul_session"));
    let home = c.get("/").await;
    assert!(home.body.contains("Mina enheter") && home.body.contains("Rapporterade, väntar på godkännande (1)"), "{}", home.body);
}

async fn forged_other_and_expired_links_are_refused_and_store_nothing(url: &str) {
    let w = Web::start(url, PLAN).await;
    let server = SmtpServer::start();
    let (_, found) = reminder(&w, &server, "rita@testkommun.se").await;
    let good = found[0].clone();
    let mut c = w.client();
    let csrf = c.get(&good).await.csrf();
    // A changed byte in the signature or the payload.
    let mut forged = good.clone().into_bytes();
    let last = forged.len() - 2;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    assert_eq!(c.get(&forged).await.status, 404);
    assert_eq!(c.post(&forged, &with_csrf(&csrf, REPORT)).await.status, 404);
    // A genuine token for a checkpoint of another school, and her signature on its payload.
    let other = rows(&w, "soderskolan").await.into_iter().find(|r| r.state.is_pending()).unwrap();
    let claims = Claims {
        purpose: Purpose::Report,
        email: "rita@testkommun.se".into(),
        subject: other.id.clone(),
        expires: w.state.today() + Duration::days(30),
    };
    let theirs = format!("/k/{}", w.state.key.sign(&claims));
    assert_eq!(c.get(&theirs).await.status, 404, "a rektor's link never opens another school's checkpoint");
    assert_eq!(c.post(&theirs, &with_csrf(&csrf, REPORT)).await.status, 404);
    let (payload, _) = theirs.rsplit_once('.').unwrap();
    let (_, tag) = good.rsplit_once('.').unwrap();
    assert_eq!(c.get(&format!("{payload}.{tag}")).await.status, 404);
    // A login token is not a report token.
    let login = w.state.key.sign(&Claims { purpose: Purpose::Login, ..claims.clone() });
    assert_eq!(c.get(&format!("/k/{login}")).await.status, 404);
    // Thirty-one days later the genuine link has expired: a page with a button.
    w.clock.advance(Duration::days(31));
    let expired = c.get(&good).await;
    assert_eq!(expired.status, 410);
    assert!(expired.body.contains("Länken har gått ut") && expired.body.contains("Skicka en ny länk"), "{}", expired.body);
    assert_eq!(c.post(&good, &with_csrf(&csrf, REPORT)).await.status, 410);
    assert!(reported(&w).await.is_empty(), "nothing was stored by any refused request");
    // The button queues a fresh link through the outbox; it works.
    let resend = c.post(&format!("{good}/ny"), &[("csrf", &expired.csrf())]).await;
    assert_eq!(resend.status, 200, "{}", resend.body);
    assert!(resend.body.contains("En ny länk är på väg"));
    assert!(w.store.outbox().await.unwrap().iter().any(|r| r.key.starts_with("link|rita@testkommun.se|")));
    let before = server.received().len();
    w.tick(&server).await;
    let fresh = server.received()[before..].iter().find(|m| m.data.contains("<arshjul.link.")).cloned().expect("the fresh link");
    assert_eq!(fresh.to, vec!["rita@testkommun.se".to_owned()]);
    let fresh = links(&mail_text(&fresh.data), &w.state.base_url, "k");
    assert_eq!(fresh.len(), 2, "one checkpoint, in the text and the HTML part");
    assert_eq!(c.get(&fresh[0]).await.status, 200);
    // A resend without the form's token does nothing.
    assert_eq!(w.client().post(&format!("{good}/ny"), &[]).await.status, 403);
}

async fn a_signed_out_session_cannot_be_replayed(url: &str) {
    let w = Web::start(url, PLAN).await;
    let server = SmtpServer::start();
    let (_, found) = reminder(&w, &server, "rita@testkommun.se").await;
    let mut c = w.client();
    let csrf = c.get(&found[0]).await.csrf();
    assert_eq!(c.post(&found[0], &with_csrf(&csrf, REPORT)).await.status, 200);
    let home = c.get("/").await;
    let session_csrf = home.csrf();
    let stolen = c.clone();
    let out = c.post("/logout", &[("csrf", &session_csrf)]).await;
    assert_eq!((out.status, out.header("location")), (303, Some("/login")));
    assert!(!c.cookies.contains_key("arshjul_session"), "the cookie is cleared");
    // The old cookie is dead server-side.
    let mut replay = stolen;
    let page = replay.get("/").await;
    assert!(page.body.contains("Skicka inloggningslänk") && !page.body.contains("Mina enheter"), "{}", page.body);
    let mine = rows(&w, "norrskolan").await.into_iter().find(|r| r.state.is_pending()).unwrap();
    let events = w.history(&mine.id).await.len();
    let path = format!("{}/report", arshjul::web::checkpoint_path(&mine.id));
    assert_eq!(replay.post(&path, &with_csrf(&session_csrf, REPORT)).await.status, 403);
    assert_eq!(w.history(&mine.id).await.len(), events, "nothing stored");
}

on_both_engines!(
    the_reminder_link_opens_the_form_and_stores_the_report_as_the_person,
    forged_other_and_expired_links_are_refused_and_store_nothing,
    a_signed_out_session_cannot_be_replayed,
);
