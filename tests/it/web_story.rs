//! Issue 9's story in a real headless Chromium: the daemon's tick mails a reminder to the
//! loopback SMTP server; the rektor opens the link out of that mail, first forgets the
//! reason an outcome needs (a Swedish message by the field, the form kept), then reports —
//! by keyboard only; the förvaltningschef signs in by a link by email, finds the report in
//! the overview and approves it; the history shows both. axe-core finds no WCAG 2.1 AA
//! violation on any page, and every page is photographed at desktop and phone widths.

use crate::browser::axe::{axe, describe};
use crate::browser::page::Page;
use crate::smtp_server::SmtpServer;
use crate::support::{PLAN, TempDir, sqlite_url};
use crate::web_support::{Web, links, mail_text};
use arshjul::web::checkpoint_path;
use fantoccini::key::Key;

/// No accessibility violations on the page as it is now; screenshots at both widths.
async fn check(page: &Page, name: &str) {
    let v = axe(page).await;
    assert!(v.is_empty(), "{name}: {}", describe(&v));
    page.screenshots(name).await;
}

/// The newest mail to `email` and the links in it under `/{prefix}/`.
fn newest_links(w: &Web, server: &SmtpServer, email: &str, prefix: &str) -> Vec<String> {
    let mail = server.received().into_iter().rev().find(|m| m.to.iter().any(|t| t == email)).expect("a mail");
    links(&mail_text(&mail.data), &w.state.base_url, prefix)
}

#[tokio::test]
async fn a_rektor_reports_from_the_email_and_the_chef_approves_in_the_overview() {
    let t = TempDir::new();
    let w = Web::start(&sqlite_url(&t), PLAN).await;
    let server = SmtpServer::start();
    w.tick(&server).await;
    let link = newest_links(&w, &server, "rita@testkommun.se", "k").into_iter().next().expect("a report link in Rita's reminder");
    let base = w.state.base_url.clone();
    let full = |p: &str| if p.starts_with("http") { p.to_owned() } else { format!("{base}{p}") };

    // The rektor: one click from the mail to the form.
    let rektor = Page::open().await;
    rektor.goto(&full(&link)).await;
    assert!(rektor.text("h1").await.starts_with("Rapportera"), "{}", rektor.body_text().await);
    check(&rektor, "rapport-formular").await;
    // An outcome that needs a reason, without one: refused by the field, kept as typed.
    rektor.fill("Utfall", "ej genomförd").await;
    rektor.fill("Uppföljning", "Mötet ställdes in.").await;
    rektor.fill("Analys", "-").await;
    rektor.click_button("Spara rapporten").await;
    rektor.wait_for("#reason-error").await;
    assert!(rektor.text("#reason-error").await.contains("skäl"), "{}", rektor.body_text().await);
    assert_eq!(rektor.value("Uppföljning").await, "Mötet ställdes in.");
    check(&rektor, "rapport-fel").await;
    // Keyboard only: the outcome, then Tab through the texts to the button, Enter.
    rektor.fill("Utfall", "genomförd").await;
    rektor.focus("Skäl").await;
    rektor.press(Key::Tab).await;
    assert!(rektor.focused().await.contains("Mötet ställdes in."), "Tab goes from Skäl to Uppföljning: {}", rektor.focused().await);
    rektor.fill("Uppföljning", "Dialogmötet hölls den 24 mars med hela ledningsgruppen.").await;
    rektor.focus("Länkar till bilagor").await;
    rektor.press(Key::Tab).await;
    assert!(rektor.focused().await.contains("Spara rapporten"), "{}", rektor.focused().await);
    rektor.press(Key::Enter).await;
    rektor.wait_for_text("Tack").await;
    assert!(rektor.body_text().await.contains("Dialogmötet hölls den 24 mars"));
    check(&rektor, "rapport-sparad").await;
    rektor.close().await;

    // The chef signs in by a link by email (sent by the next tick through the outbox).
    let chef = Page::open().await;
    chef.goto(&full("/")).await;
    check(&chef, "logga-in").await;
    chef.fill("E-postadress", "cecilia@testkommun.se").await;
    chef.click_button("Skicka inloggningslänk").await;
    chef.wait_for_text("Kolla din e-post").await;
    w.tick(&server).await;
    let sign_in = newest_links(&w, &server, "cecilia@testkommun.se", "login").into_iter().next().expect("a sign-in link");
    chef.goto(&full(&sign_in)).await;
    check(&chef, "logga-in-bekrafta").await;
    chef.click_button("Logga in").await;
    chef.wait_for_text("Mina enheter").await;
    check(&chef, "mina-enheter-chef").await;

    // The overview shows the report waiting for approval.
    chef.goto(&full("/overview")).await;
    let overview = chef.body_text().await;
    assert!(overview.contains("rapporterad") && overview.contains("Norrskolan"), "{overview}");
    check(&chef, "oversikt").await;
    let reported =
        w.store.status(&arshjul::store::Filter { states: vec![arshjul::workflow::State::Reported], ..Default::default() }).await.unwrap();
    assert_eq!(reported.len(), 1, "{reported:?}");
    let id = &reported[0].id;
    chef.goto(&full(&checkpoint_path(id))).await;
    check(&chef, "kontrollpunkt").await;
    chef.click_button("Godkänn").await;
    chef.wait_for_text("godkänd").await;
    check(&chef, "kontrollpunkt-godkand").await;
    chef.close().await;

    let history = w.history(id).await;
    assert!(history.contains(&("rita@testkommun.se".into(), "reported".into())), "{history:?}");
    assert!(history.contains(&("cecilia@testkommun.se".into(), "approved".into())), "{history:?}");
}

/// Signs `email` in through the sign-in page and the link the next tick mails.
async fn sign_in(w: &Web, server: &SmtpServer, page: &Page, email: &str) {
    let base = &w.state.base_url;
    page.goto(&format!("{base}/login")).await;
    page.fill("E-postadress", email).await;
    page.click_button("Skicka inloggningslänk").await;
    page.wait_for_text("Kolla din e-post").await;
    w.tick(server).await;
    // The newest mail with a sign-in link (the same tick may also mail the person reminders).
    let link = server
        .received()
        .into_iter()
        .rev()
        .filter(|m| m.to.iter().any(|t| t == email))
        .find_map(|m| links(&mail_text(&m.data), &w.state.base_url, "login").into_iter().next())
        .expect("a sign-in link");
    page.goto(&format!("{base}{link}")).await;
    page.click_button("Logga in").await;
    page.wait_for_text("Mina enheter").await;
}

/// The pages the story does not pass through: the administrator's people page, the
/// calendar page (a feed link made and revoked), a pending checkpoint with its waive and
/// reschedule forms, an expired link, an unknown page.
#[tokio::test]
async fn every_other_page_passes_axe_at_both_widths() {
    use crate::web_matrix::{ORG, PEOPLE};
    let t = TempDir::new();
    let w = Web::start_org(&sqlite_url(&t), Some(ORG), PLAN, None, PEOPLE).await;
    let server = SmtpServer::start();
    w.tick(&server).await;
    let link = newest_links(&w, &server, "rita@testkommun.se", "k").into_iter().next().expect("a report link");
    let base = w.state.base_url.clone();

    let admin = Page::open().await;
    sign_in(&w, &server, &admin, "ada@testkommun.se").await;
    check(&admin, "mina-enheter-admin").await;
    admin.goto(&format!("{base}/admin/people")).await;
    assert!(admin.body_text().await.contains("Rita Rektor"));
    check(&admin, "personer").await;
    // The calendar page, from the navigation: a unit's feed link, shown once, then revoked.
    admin.click_link("Kalender").await;
    admin.wait_for_text("Skapa en kalenderlänk").await;
    check(&admin, "kalender").await;
    admin.fill("Vad kalendern visar", "Enhet: Norrskolan").await;
    admin.click_button("Skapa länk").await;
    admin.wait_for_text("Ny kalenderlänk").await;
    let feed = admin.value("Adress att prenumerera på").await;
    assert!(feed.starts_with(&format!("{base}/ical/")) && feed.ends_with(".ics"), "{feed}");
    check(&admin, "kalender-ny-lank").await;
    admin.click_button("Återkalla Enhet: Norrskolan").await;
    admin.wait_for_text("Länken är återkallad").await;
    check(&admin, "kalender-aterkallad").await;
    let pending = w.store.status(&arshjul::store::Filter::default()).await.unwrap();
    let open = pending.iter().find(|r| r.state.is_pending() && r.unit.is_some()).expect("a pending checkpoint");
    admin.goto(&format!("{base}{}", checkpoint_path(&open.id))).await;
    let body = admin.body_text().await;
    assert!(body.contains("Skriv av") || body.contains("skriv av"), "the waive form: {body}");
    check(&admin, "kontrollpunkt-formular").await;
    admin.goto(&format!("{base}/finns-inte")).await;
    check(&admin, "finns-inte").await;
    admin.close().await;

    // 31 days later the reminder's link has expired: a page with a button for a new one.
    w.clock.advance(chrono::Duration::days(31));
    let rektor = Page::open().await;
    rektor.goto(&format!("{base}{link}")).await;
    rektor.wait_for_text("Länken har gått ut").await;
    check(&rektor, "lank-utgangen").await;
    rektor.close().await;
}

/// The audit page and the annual report (issue 10): axe-clean at both widths, for the chef
/// (with a report, a waiver and an overdue checkpoint in the rows) and for a rektor (their
/// school's rows only).
#[tokio::test]
async fn the_audit_page_and_the_annual_report_pass_axe_at_both_widths() {
    use crate::web_matrix::{ORG, PEOPLE};
    use arshjul::workflow::{Command, Outcome, Report, Today};
    let t = TempDir::new();
    let w = Web::start_org(&sqlite_url(&t), Some(ORG), PLAN, None, PEOPLE).await;
    let server = SmtpServer::start();
    let rows = w.store.status(&arshjul::store::Filter::default()).await.unwrap();
    let today = Today { date: w.state.today(), target_is_working_day: true, window: None };
    let now = w.state.now();
    let mut reported = None;
    for (i, r) in rows.iter().filter(|r| r.plan.is_some()).enumerate().take(3) {
        let cmd = match i {
            0 => Command::Report(Report {
                outcome: Outcome::PaborjadEjSlutford,
                reason: None,
                uppfoljning: "Alla lärare har gått utbildningen.\nUppföljning sker i maj.".into(),
                analys: "Vi ser <b>tydlig</b> effekt.".into(),
                links: vec![],
            }),
            1 => Command::Waive { reason: "Ersatt av en ny insats".into() },
            _ => continue,
        };
        w.store.act(&r.id, &cmd, "rita@testkommun.se", now, today).await.unwrap().unwrap();
        if i == 0 {
            reported = Some(r.title.clone());
        }
    }
    let base = w.state.base_url.clone();
    let chef = Page::open().await;
    sign_in(&w, &server, &chef, "cecilia@testkommun.se").await;
    chef.goto(&format!("{base}/audit")).await;
    chef.wait_for_text("Uppföljning: blev det gjort?").await;
    let body = chef.body_text().await;
    assert!(body.contains("Sammanfattning") && body.contains("avskriven"), "{body}");
    check(&chef, "uppfoljning").await;
    chef.goto(&format!("{base}/plans/plan-2021/report?org=testkommun")).await;
    chef.wait_for_text("Uppföljning av utvecklingsplan: Plan 2021").await;
    let body = chef.body_text().await;
    assert!(body.contains("Vi ser <b>tydlig</b> effekt.") && body.contains("Påbörjad men ej slutförd"), "{body}");
    assert!(reported.is_some_and(|r| body.contains(&r)), "{body}");
    check(&chef, "arsrapport").await;
    chef.close().await;

    let rektor = Page::open().await;
    sign_in(&w, &server, &rektor, "sune@testkommun.se").await;
    rektor.goto(&format!("{base}/audit")).await;
    rektor.wait_for_text("Uppföljning: blev det gjort?").await;
    let body = rektor.body_text().await;
    assert!(body.contains("Söderskolan") && !body.contains("Norrskolan ("), "{body}");
    check(&rektor, "uppfoljning-rektor").await;
    rektor.close().await;
}
