//! The overview's cache (`web::page_cache`) never shows a page older than the store: a
//! report through the pages, a command-line act and a sync (other processes), a failed
//! email and a changed people directory each change the next overview; with no change in
//! between, the page comes from the cache. Also: expired sessions and used or expired
//! sign-in links are purged (by the injected clock).

use crate::support::{PLAN, arshjul_env, on_both_engines};
use crate::web_support::{PEOPLE, Web};
use arshjul::store::Store;
use arshjul::workflow::State;
use chrono::Duration;

/// How often `needle` occurs in `hay`.
fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// Runs the real binary against the rig's database and files at the rig's time.
fn cli(w: &Web, url: &str, args: &[&str]) {
    let dir = w.dir().to_string_lossy().into_owned();
    let people = w.dir().join("people.csv").to_string_lossy().into_owned();
    let now = arshjul::clock::Clock::now(&*w.clock).to_rfc3339();
    let out = arshjul_env(args, &[("DATABASE_URL", url), ("ARSHJUL_WORKFLOWS", &dir), ("ARSHJUL_PEOPLE", &people), ("ARSHJUL_NOW", &now)]);
    assert_eq!(out.code, 0, "arshjul {args:?}: {}{}", out.stdout, out.stderr);
}

async fn the_overview_is_never_older_than_the_store(url: &str) {
    let w = Web::start(url, PLAN).await;
    let mut chef = w.signed_in("cecilia@testkommun.se").await;
    let first = chef.get("/overview").await;
    assert_eq!(first.status, 200);
    // Nothing changed: the same page, from the cache.
    let again = chef.get("/overview").await;
    assert_eq!(again.body, first.body);
    assert_eq!((w.state.pages.stats().renders, w.state.pages.stats().hits), (1, 1));
    // The downloads are cached views of their own.
    let csv = chef.get("/overview/kontrollpunkter.csv").await;
    assert_eq!(csv.status, 200);
    assert_eq!(chef.get("/overview/kontrollpunkter.csv").await.body, csv.body);

    // 1. A report through the pages (a rektor, another session).
    let rows = w.store.status(&arshjul::store::Filter::default()).await.unwrap();
    let mine = rows
        .iter()
        .find(|r| {
            let this_year = r.due.is_some_and(|d| {
                d >= chrono::NaiveDate::from_ymd_opt(2020, 7, 1).unwrap() && d <= chrono::NaiveDate::from_ymd_opt(2021, 6, 30).unwrap()
            });
            r.unit.as_deref() == Some("norrskolan") && this_year && matches!(r.state, State::Open | State::Overdue | State::Planned)
        })
        .expect("a checkpoint of Rita's this läsår (the overview's default)");
    let mut rita = w.signed_in("rita@testkommun.se").await;
    let path = format!("{}/report", arshjul::web::checkpoint_path(&mine.id));
    let csrf = rita.get(&path).await.csrf();
    let saved = rita
        .post(&path, &[("csrf", &csrf), ("outcome", "genomförd"), ("reason", ""), ("uppfoljning", "Gjort"), ("analys", "-"), ("links", "")])
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let reported = chef.get("/overview").await;
    assert!(
        count(&reported.body, "rapport väntar på godkännande") == 1 && count(&first.body, "rapport väntar på godkännande") == 0,
        "the report shows at once:\n{}",
        reported.body
    );
    let csv2 = chef.get("/overview/kontrollpunkter.csv").await;
    assert!(count(&csv2.body, "rapporterad") > count(&csv.body, "rapporterad"), "{}", csv2.body);

    // 2. An act on the command line (another process).
    let before = chef.get("/overview").await.body;
    assert_eq!(before, reported.body);
    cli(
        &w,
        url,
        &["waive", "testkommun/plan-2021/matematik/utvardering", "--reason", "Avslutad i förtid", "--as", "cecilia@testkommun.se"],
    );
    let waived = chef.get("/overview").await.body;
    assert!(count(&waived, "avskriven") > count(&before, "avskriven"), "the waiver shows at once:\n{waived}");

    // 3. A sync on the command line (another process): a new checkpoint in the plan.
    let plan = PLAN.replace(
        "      - { id: utvardering, name: Utvärdering, when: maj 2021 }\n",
        "      - { id: utvardering, name: Utvärdering, when: maj 2021 }\n      - { id: halvtid, name: Halvtidsavstämning, when: april 2021 }\n",
    );
    assert_ne!(plan, PLAN);
    std::fs::write(w.dir().join("testkommun/plan.yaml"), plan).unwrap();
    let dir = w.dir().to_string_lossy().into_owned();
    cli(&w, url, &["sync", &dir]);
    let synced = chef.get("/overview").await.body;
    assert!(synced.contains("Halvtidsavstämning") && !waived.contains("Halvtidsavstämning"), "the sync shows at once:\n{synced}");

    // 4. An email that failed for good, marked by another process's store.
    let mut visitor = w.client();
    let csrf = visitor.get("/login").await.csrf();
    assert_eq!(visitor.post("/login", &[("csrf", &csrf), ("email", "sune@testkommun.se")]).await.status, 200);
    let quiet = chef.get("/overview").await.body;
    assert_eq!(quiet, synced, "a mail queued is no change to the overview");
    let other = Store::open(url).await.unwrap();
    let claim = other.claim_pending("other-process", w.state.now(), 10, 60, &mut Default::default()).await.unwrap();
    let key = claim.ready.iter().find(|c| c.key.starts_with("login|")).map(|c| c.key.clone()).expect("the sign-in mail");
    other.mark_failed(&key, "other-process", "550 no such user", None).await.unwrap();
    let failed = chef.get("/overview").await.body;
    assert!(
        failed.contains("kunde inte skickas") && failed.contains("sune@testkommun.se") && !quiet.contains("kunde inte skickas"),
        "the failed email shows at once:\n{failed}"
    );

    // 5. The people directory changed (another process): Rita left, her role is vacant.
    let without_rita = PEOPLE.replace("testkommun,rektor,norrskolan,Rita Rektor,rita@testkommun.se\n", "");
    assert_ne!(without_rita, PEOPLE);
    let people = arshjul::remind::people::parse(&without_rita, &w.state.model()).unwrap();
    other.replace_people(&people).await.unwrap();
    let vacant = chef.get("/overview").await.body;
    assert!(vacant.contains("vakant roll") && !failed.contains("vakant roll"), "the vacancy shows at once:\n{vacant}");
    // And with nothing changed since, it is served from the cache again.
    let hits = w.state.pages.stats().hits;
    assert_eq!(chef.get("/overview").await.body, vacant);
    assert_eq!(w.state.pages.stats().hits, hits + 1);
}

async fn expired_sessions_and_used_sign_in_links_are_purged(url: &str) {
    let w = Web::start(url, PLAN).await;
    let t0 = w.state.now();
    let store = &w.store;
    // Sessions: one used now and then, one left idle, one past the absolute limit.
    let mut active = w.signed_in("cecilia@testkommun.se").await;
    let mut idle = w.signed_in("rita@testkommun.se").await;
    store.create_session("old", "sune@testkommun.se", t0 - Duration::days(8)).await.unwrap();
    store.touch_session("old", t0 - Duration::minutes(5)).await.unwrap();
    // Sign-in links: fresh, used, expired.
    store.create_login_token("fresh", "cecilia@testkommun.se", t0 + Duration::hours(10)).await.unwrap();
    store.create_login_token("used", "cecilia@testkommun.se", t0 + Duration::hours(9)).await.unwrap();
    assert!(store.use_login_token("used", t0).await.unwrap().is_some());
    store.create_login_token("expired", "cecilia@testkommun.se", t0 + Duration::minutes(15)).await.unwrap();
    // Seven hours on, the active session is used again; the idle one is not.
    w.clock.advance(Duration::hours(7));
    assert_eq!(active.get("/").await.status, 200);
    w.clock.advance(Duration::hours(2));
    let purged = arshjul::web::session::purge(store, w.state.now()).await.unwrap();
    assert_eq!((purged.sessions, purged.login_tokens), (2, 2), "{purged:?}");
    assert!(store.session("old").await.unwrap().is_none());
    assert!(store.use_login_token("fresh", w.state.now()).await.unwrap().is_some(), "the unexpired link is kept");
    assert_eq!(active.get("/overview").await.status, 200, "the session in use is kept");
    assert_eq!(idle.get("/overview").await.status, 303, "the idle one is gone");
    // Nothing more to purge.
    let again = arshjul::web::session::purge(store, w.state.now()).await.unwrap();
    assert_eq!((again.sessions, again.login_tokens), (0, 1), "the link just used goes too");
}

on_both_engines!(the_overview_is_never_older_than_the_store, expired_sessions_and_used_sign_in_links_are_purged);
