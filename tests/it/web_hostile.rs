//! Hostile and bad input on the pages: CSRF, XSS, oversized bodies, another school's
//! checkpoint by URL, bad report forms — and the security headers on every response.

use crate::support::{PLAN, WHEEL, on_both_engines};
use crate::web_support::{Client, PEOPLE, Web};
use arshjul::store::{Filter, Row};
use arshjul::web::checkpoint_path;

/// A client signed in as `email` (a session as the sign-in link starts it).
async fn signed_in(w: &Web, email: &str) -> Client {
    let cookie = arshjul::web::session::start(&w.state, email).await.unwrap();
    let pair = cookie.to_str().unwrap().split(';').next().unwrap().to_owned();
    let (k, v) = pair.split_once('=').unwrap();
    let mut c = w.client();
    c.cookies.insert(k.into(), v.into());
    c
}

async fn pending(w: &Web, unit: &str) -> Row {
    let f = Filter { unit: Some(unit.into()), role: Some("rektor".into()), ..Filter::default() };
    w.store.status(&f).await.unwrap().into_iter().find(|r| r.state.is_pending()).expect("a pending rektor checkpoint")
}

fn report_path(r: &Row) -> String {
    format!("{}/report", checkpoint_path(&r.id))
}

const GOOD: [(&str, &str); 3] = [("outcome", "genomförd"), ("uppfoljning", "Gjort."), ("analys", "-")];

async fn csrf_missing_or_wrong_is_refused_and_nothing_stored(url: &str) {
    let w = Web::start(url, PLAN).await;
    let mut c = signed_in(&w, "rita@testkommun.se").await;
    let r = pending(&w, "norrskolan").await;
    let events = w.history(&r.id).await.len();
    assert_eq!(c.post(&report_path(&r), &GOOD).await.status, 403);
    let mut wrong = vec![("csrf", "AAAA")];
    wrong.extend(GOOD);
    assert_eq!(c.post(&report_path(&r), &wrong).await.status, 403);
    // Another session's token is wrong too.
    let other = signed_in(&w, "rita@testkommun.se").await.get("/").await.csrf();
    let mut theirs = vec![("csrf", other.as_str())];
    theirs.extend(GOOD);
    assert_eq!(c.post(&report_path(&r), &theirs).await.status, 403);
    assert_eq!(c.post("/logout", &[]).await.status, 403, "signing out needs the token too");
    assert_eq!(w.history(&r.id).await.len(), events, "nothing stored");
    // With it, it is stored.
    let csrf = c.get(&report_path(&r)).await.csrf();
    let mut ok = vec![("csrf", csrf.as_str())];
    ok.extend(GOOD);
    assert_eq!(c.post(&report_path(&r), &ok).await.status, 200);
    assert_eq!(w.history(&r.id).await.len(), events + 1);
}

async fn xss_payloads_come_back_escaped(url: &str) {
    const X: &str = "<script>alert(1)</script>";
    let wheel = WHEEL.replace("name: Dialogmöte vt", "name: \"Dialogmöte <script>alert(1)</script>\"");
    let people = PEOPLE.replace("Rita Rektor", "Rita <img src=x onerror=alert(1)>");
    let w = Web::start_with(url, PLAN, Some(&wheel), &people).await;
    let mut c = signed_in(&w, "rita@testkommun.se").await;
    let r = pending(&w, "norrskolan").await;
    assert!(r.title.contains(X), "the payload reached the store: {}", r.title);
    let csrf = c.get(&report_path(&r)).await.csrf();
    let evil = "\"><script>alert(2)</script>";
    let sent = c.post(&report_path(&r), &[("csrf", &csrf), ("outcome", "genomförd"), ("uppfoljning", evil), ("analys", evil)]).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    for page in [sent, c.get("/").await, c.get(&checkpoint_path(&r.id)).await, c.get(&report_path(&r)).await] {
        assert!(!page.body.contains("<script>") && !page.body.contains("<img src=x"), "unescaped: {}", page.body);
        assert!(page.body.contains("&lt;script&gt;alert(") || page.body.contains("&lt;img src=x"), "{}", page.body);
    }
    // A bad form shows the typed payload escaped as well.
    let r2 = w.store.status(&Filter { unit: Some("norrskolan".into()), ..Filter::default() }).await.unwrap();
    let r2 = r2.into_iter().find(|x| x.state.is_pending() && x.owner_role == "rektor").unwrap();
    let csrf = c.get(&report_path(&r2)).await.csrf();
    let bad = c.post(&report_path(&r2), &[("csrf", &csrf), ("outcome", evil), ("uppfoljning", evil)]).await;
    assert_eq!(bad.status, 422);
    assert!(!bad.body.contains("<script>alert(2)") && bad.body.contains("&lt;script&gt;alert(2)"), "{}", bad.body);
}

async fn oversized_bodies_are_refused(url: &str) {
    let w = Web::start(url, PLAN).await;
    let mut c = signed_in(&w, "rita@testkommun.se").await;
    let r = pending(&w, "norrskolan").await;
    let csrf = c.get(&report_path(&r)).await.csrf();
    let big = "x".repeat(70 * 1024);
    let resp = c.post(&report_path(&r), &[("csrf", &csrf), ("outcome", "genomförd"), ("uppfoljning", &big), ("analys", "-")]).await;
    assert_eq!(resp.status, 413);
    assert!(resp.body.contains("större än 64 kB"), "{}", resp.body);
    assert!(w.store.checkpoint(&r.id).await.unwrap().unwrap().report.is_none());
}

async fn a_rektor_gets_404_for_another_schools_checkpoint(url: &str) {
    let w = Web::start(url, PLAN).await;
    let mut rita = signed_in(&w, "rita@testkommun.se").await;
    let (mine, theirs) = (pending(&w, "norrskolan").await, pending(&w, "soderskolan").await);
    assert_eq!(rita.get(&checkpoint_path(&mine.id)).await.status, 200);
    let unknown = rita.get(&checkpoint_path("testkommun/finns/inte")).await;
    let other = rita.get(&checkpoint_path(&theirs.id)).await;
    assert_eq!((other.status, unknown.status), (404, 404));
    assert_eq!(other.body, unknown.body, "nothing tells a hidden checkpoint from an unknown one");
    assert!(!other.body.contains("Söderskolan"));
    assert_eq!(rita.get(&report_path(&theirs)).await.status, 404);
    let csrf = rita.get("/").await.csrf();
    let mut f = vec![("csrf", csrf.as_str())];
    f.extend(GOOD);
    assert_eq!(rita.post(&report_path(&theirs), &f).await.status, 404);
    assert_eq!(rita.post(&format!("{}/approve", checkpoint_path(&theirs.id)), &[("csrf", &csrf)]).await.status, 404);
    assert!(w.store.checkpoint(&theirs.id).await.unwrap().unwrap().report.is_none());
    // The unencoded id (slashes as path segments) is no route.
    assert_eq!(rita.get(&format!("/checkpoint/{}", mine.id)).await.status, 404);
    // The förvaltningschef sees both; a visitor is sent to sign in.
    let mut chef = signed_in(&w, "cecilia@testkommun.se").await;
    assert_eq!(chef.get(&checkpoint_path(&theirs.id)).await.status, 200);
    assert_eq!(w.client().get(&checkpoint_path(&mine.id)).await.header("location"), Some("/login"));
}

async fn bad_reports_get_messages_by_the_fields_and_store_nothing(url: &str) {
    let w = Web::start(url, PLAN).await;
    let mut c = signed_in(&w, "rita@testkommun.se").await;
    let r = pending(&w, "norrskolan").await;
    let path = report_path(&r);
    let csrf = c.get(&path).await.csrf();
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[("outcome", "ej påbörjad"), ("uppfoljning", "Inget gjort ännu, skrivet så här."), ("analys", "-")],
            "Det här utfallet kräver ett skäl",
        ),
        (&[("outcome", "genomförd"), ("uppfoljning", "   "), ("analys", "-")], "Skriv vad som har gjorts"),
        (&[("outcome", "klar"), ("uppfoljning", "Gjort."), ("analys", "-")], "Välj ett av utfallen i listan."),
        (
            &[("outcome", "genomförd"), ("uppfoljning", "Gjort."), ("analys", "-"), ("links", "javascript:alert(1)")],
            "en webbadress per rad",
        ),
    ];
    for (fields, message) in cases {
        let mut f = vec![("csrf", csrf.as_str())];
        f.extend_from_slice(fields);
        let resp = c.post(&path, &f).await;
        assert_eq!(resp.status, 422, "{message}");
        assert!(resp.body.contains(message), "{message}: {}", resp.body);
        assert!(resp.body.contains("aria-invalid=\"true\""));
        if fields[1].1.len() > 5 {
            assert!(resp.body.contains(fields[1].1), "the form keeps what was typed");
        }
    }
    assert!(w.store.checkpoint(&r.id).await.unwrap().unwrap().report.is_none());
    // Reported, then approved by the superior: no further report.
    let mut f = vec![("csrf", csrf.as_str())];
    f.extend(GOOD);
    assert_eq!(c.post(&path, &f).await.status, 200);
    let mut chef = signed_in(&w, "cecilia@testkommun.se").await;
    let page = chef.get(&checkpoint_path(&r.id)).await;
    assert!(page.body.contains("Godkänn"), "{}", page.body);
    let ccsrf = page.csrf();
    let ret = chef.post(&format!("{}/return", checkpoint_path(&r.id)), &[("csrf", &ccsrf), ("reason", "")]).await;
    assert_eq!(ret.status, 422);
    assert!(ret.body.contains("Skriv vad som behöver kompletteras."));
    let approved = chef.post(&format!("{}/approve", checkpoint_path(&r.id)), &[("csrf", &ccsrf)]).await;
    assert!(approved.body.contains("Rapporten är godkänd."), "{}", approved.body);
    let again = c.post(&path, &f).await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("redan godkänd"), "{}", again.body);
    let who: Vec<(String, String)> = w.history(&r.id).await.into_iter().rev().take(2).collect();
    assert_eq!(who, vec![("cecilia@testkommun.se".into(), "approved".into()), ("rita@testkommun.se".into(), "reported".into())]);
    // The rektor cannot approve her own report.
    assert_eq!(c.post(&format!("{}/approve", checkpoint_path(&r.id)), &[("csrf", &csrf)]).await.status, 403);
}

async fn every_response_carries_the_security_headers(url: &str) {
    let w = Web::start(url, PLAN).await;
    let r = pending(&w, "norrskolan").await;
    let mut signed = signed_in(&w, "rita@testkommun.se").await;
    let mut anon = w.client();
    let mut responses = Vec::new();
    for p in ["/", "/login", "/static/app.css", "/finns-inte", "/k/forged.token", "/login/x.y"] {
        responses.push((p.to_owned(), anon.get(p).await));
    }
    for p in ["/".to_owned(), checkpoint_path(&r.id), report_path(&r)] {
        let resp = signed.get(&p).await;
        assert_eq!(resp.status, 200, "{p}");
        responses.push((p, resp));
    }
    // The overview and its downloads are the chef's; a rektor is sent to her own page.
    assert_eq!(signed.get("/overview").await.status, 303);
    let mut chef = signed_in(&w, "cecilia@testkommun.se").await;
    for p in ["/overview", "/overview/kontrollpunkter.csv", "/overview/arshjul.svg"] {
        let resp = chef.get(p).await;
        assert_eq!(resp.status, 200, "{p}");
        responses.push((p.to_owned(), resp));
    }
    responses.push(("POST /login".into(), anon.post("/login", &[]).await));
    for (p, resp) in &responses {
        let csp = resp.header("content-security-policy").unwrap_or_else(|| panic!("{p}: no CSP"));
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{p}");
        assert_eq!(resp.header("x-content-type-options"), Some("nosniff"), "{p}");
        assert_eq!(resp.header("referrer-policy"), Some("no-referrer"), "{p}");
        let cache = resp.header("cache-control").unwrap_or_default();
        assert!(if p.starts_with("/static") { cache.contains("max-age") } else { cache == "no-store" }, "{p}: {cache}");
        assert!(!resp.body.contains("style=\"") && !resp.body.contains("<script"), "{p}: no inline style or script");
    }
    let html = &responses[1].1.body;
    assert!(html.contains("<html lang=\"sv\">") && html.contains("<main id=\"main\"") && html.contains("<label for=\"email\">"), "{html}");
    for (_, resp) in responses.iter().filter(|(_, r)| r.header("set-cookie").is_some()) {
        let c = resp.header("set-cookie").unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/"), "{c}");
    }
}

on_both_engines!(
    csrf_missing_or_wrong_is_refused_and_nothing_stored,
    xss_payloads_come_back_escaped,
    oversized_bodies_are_refused,
    a_rektor_gets_404_for_another_schools_checkpoint,
    bad_reports_get_messages_by_the_fields_and_store_nothing,
    every_response_carries_the_security_headers,
);
