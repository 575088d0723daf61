//! Calendar feed links through HTTP on both engines: a signed-in person creates a link on
//! `/calendar`, a calendar program (no cookies) fetches `/ical/<secret>.ics`; only the
//! creator's checkpoints are in it; a revoked or forged secret gets exactly the 404 of an
//! unknown page; creating needs the CSRF token and one of the person's own choices;
//! nobody revokes another's link.

use crate::ical::read_ics;
use crate::support::{PLAN, TempDir, on_both_engines};
use crate::web_support::{Client, Resp, Web};
use arshjul::store::Filter;

/// The secret path (`/ical/….ics`) shown once on the page after creating a link.
fn feed_path(page: &Resp, base: &str) -> String {
    let start = page.body.find(&format!("{base}/ical/")).unwrap_or_else(|| panic!("no feed URL in {}", page.body));
    let rest = &page.body[start + base.len()..];
    rest[..rest.find(".ics").expect(".ics") + 4].to_owned()
}

async fn create(w: &Web, c: &mut Client, scope: &str) -> String {
    let csrf = c.get("/calendar").await.csrf();
    let page = c.post("/calendar", &[("csrf", &csrf), ("scope", scope)]).await;
    assert_eq!(page.status, 200, "{}", page.body);
    feed_path(&page, &w.state.base_url)
}

/// The UIDs in a feed's text.
fn uids(body: &str) -> Vec<String> {
    body.split("\r\n").filter_map(|l| l.strip_prefix("UID:")).map(str::to_owned).collect()
}

async fn a_feed_link_serves_the_creators_checkpoints_until_revoked(url: &str) {
    let w = Web::start(url, PLAN).await;
    let mut rita = w.signed_in("rita@testkommun.se").await;
    let page = rita.get("/calendar").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Mina kontrollpunkter") && page.body.contains("Du har inga kalenderlänkar."), "{}", page.body);
    let path = create(&w, &mut rita, "person").await;

    // The calendar program has no session.
    let mut program = w.client();
    let feed = program.get(&path).await;
    assert_eq!(feed.status, 200, "{}", feed.body);
    assert_eq!(feed.header("content-type"), Some("text/calendar; charset=utf-8"));
    let got = uids(&feed.body);
    let f = Filter { unit: Some("norrskolan".into()), role: Some("rektor".into()), include_cancelled: true, ..Filter::default() };
    let mut want: Vec<String> =
        w.store.status(&f).await.unwrap().into_iter().filter(|r| r.due.is_some()).map(|r| format!("{}@arshjul", r.id)).collect();
    want.sort();
    let mut sorted = got.clone();
    sorted.sort();
    assert!(!want.is_empty());
    assert_eq!(sorted, want, "exactly Rita's checkpoints");
    assert!(!feed.body.contains("soderskolan") && !feed.body.contains("Söderskolan"), "no other school's checkpoints");
    // Read back by the independent parser.
    let t = TempDir::new();
    let file = t.write("rita.ics", &feed.body);
    assert_eq!(read_ics(&file)["events"].as_array().unwrap().len(), want.len());

    // Listed with the time it was fetched; another person cannot revoke it.
    let links = w.store.feed_links(Some("rita@testkommun.se")).await.unwrap();
    assert_eq!(links.len(), 1);
    assert!(links[0].last_used_at.is_some());
    let mut sune = w.signed_in("sune@testkommun.se").await;
    let csrf = sune.get("/calendar").await.csrf();
    let theirs = sune.post(&format!("/calendar/{}/revoke", links[0].id), &[("csrf", &csrf)]).await;
    assert_eq!(theirs.status, 404);
    assert_eq!(program.get(&path).await.status, 200, "still live");

    // Revoking needs the CSRF token; then the link is dead, answered as an unknown page.
    let no_token = rita.post(&format!("/calendar/{}/revoke", links[0].id), &[("csrf", "x")]).await;
    assert_eq!(no_token.status, 403);
    assert_eq!(program.get(&path).await.status, 200, "still live");
    let csrf = rita.get("/calendar").await.csrf();
    let done = rita.post(&format!("/calendar/{}/revoke", links[0].id), &[("csrf", &csrf)]).await;
    assert_eq!(done.status, 200);
    assert!(done.body.contains("återkallad") && done.body.contains("Du har inga kalenderlänkar."), "{}", done.body);
    let unknown = program.get("/finns-inte").await;
    let revoked = program.get(&path).await;
    assert_eq!((revoked.status, &revoked.body), (404, &unknown.body));
    assert!(w.store.feed_links(Some("rita@testkommun.se")).await.unwrap().is_empty());
}

async fn forged_secrets_and_foreign_scopes_get_nothing(url: &str) {
    let w = Web::start(url, PLAN).await;
    let mut sune = w.signed_in("sune@testkommun.se").await;
    let path = create(&w, &mut sune, "role:testkommun:rektor").await;
    let mut program = w.client();
    let unknown = program.get("/finns-inte").await;

    // The role's feed as Sune sees it: his school's rektor checkpoints, not Rita's.
    let feed = program.get(&path).await;
    assert_eq!(feed.status, 200);
    let got = uids(&feed.body);
    assert!(!got.is_empty() && got.iter().all(|u| u.contains("/soderskolan/")), "{got:?}");

    // Forged: another secret of the same shape, the same one altered, none, no `.ics`.
    let secret = &path["/ical/".len()..path.len() - 4];
    let mut altered: Vec<char> = secret.chars().collect();
    altered[0] = if altered[0] == 'A' { 'B' } else { 'A' };
    let altered: String = altered.into_iter().collect();
    for p in [format!("/ical/{}.ics", "A".repeat(43)), format!("/ical/{altered}.ics"), "/ical/.ics".into(), format!("/ical/{secret}")] {
        let r = program.get(&p).await;
        assert_eq!((r.status, &r.body), (404, &unknown.body), "{p}");
    }
    // Not among Sune's choices (Rita's school), or without the token: nothing stored.
    let csrf = sune.get("/calendar").await.csrf();
    assert_eq!(sune.post("/calendar", &[("csrf", &csrf), ("scope", "unit:testkommun:norrskolan")]).await.status, 404);
    assert_eq!(sune.post("/calendar", &[("csrf", "nope"), ("scope", "person")]).await.status, 403);
    assert_eq!(w.client().post("/calendar", &[("csrf", &csrf), ("scope", "person")]).await.status, 403);
    assert_eq!(w.store.feed_links(None).await.unwrap().len(), 1);

    // Sune leaves the directory: his link serves nothing any more.
    let rest: Vec<_> = w.store.people().await.unwrap().into_iter().filter(|h| h.person.email != "sune@testkommun.se").collect();
    w.store.replace_people(&rest).await.unwrap();
    let r = program.get(&path).await;
    assert_eq!((r.status, &r.body), (404, &unknown.body));
}

on_both_engines!(a_feed_link_serves_the_creators_checkpoints_until_revoked, forged_secrets_and_foreign_scopes_get_nothing);
