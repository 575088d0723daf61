//! The tamper-evident history (issue 10, items 1 and 3), on both engines: events altered,
//! deleted, inserted and swapped directly with SQL (the append-only triggers dropped, as an
//! attacker with database access would) are each named by `arshjul audit verify` (the real
//! binary), which exits 3; an untouched store exits 0; a consistent rewrite of events and
//! heads is caught by an exported anchor; a store from before the chain verifies after the
//! upgrade; and any sequence of commands replayed from the stored events gives the stored
//! projection (the state machine is the only writer).

use crate::support::{PLAN, TempDir, arshjul_env, on_both_engines, workflow};
use arshjul::calendar::DateRange;
use arshjul::definition::load_dir;
use arshjul::schedule::{Checkpoint, expand};
use arshjul::store::chain::{Fields, event_hash, hex, parse_hex};
use arshjul::store::{Filter, Store};
use arshjul::workflow::{Command, EventKind, Outcome, Report, SYSTEM, Status, Today};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use sqlx::Row as _;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 3, day, 7, 30, 0).unwrap()
}

fn today(date: NaiveDate) -> Today {
    Today { date, target_is_working_day: true, window: None }
}

fn window() -> DateRange {
    DateRange::new(d(2021, 1, 1), d(2021, 12, 31)).unwrap()
}

fn schedule(plan: &str) -> Vec<Checkpoint> {
    let t = workflow(plan);
    expand(&load_dir(t.path()).expect("valid"), window())
}

fn report(text: &str) -> Report {
    Report { outcome: Outcome::Genomford, reason: None, uppfoljning: text.to_owned(), analys: "-".into(), links: Vec::new() }
}

/// `arshjul audit ARGS` against `url`.
fn audit(url: &str, args: &[&str]) -> crate::support::Output {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    let out = arshjul_env(&all, &[("DATABASE_URL", url)]);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out
}

/// Runs SQL as someone with direct access to the database.
async fn sql(url: &str, statements: &[String]) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.expect("connect");
    for s in statements {
        sqlx::raw_sql(sqlx::AssertSqlSafe(s.clone())).execute(&pool).await.unwrap_or_else(|e| panic!("{s}: {e}"));
    }
    pool.close().await;
}

/// Drops the append-only triggers, as an attacker would.
fn drop_triggers(url: &str) -> Vec<String> {
    if url.starts_with("sqlite:") {
        vec!["DROP TRIGGER events_no_update".into(), "DROP TRIGGER events_no_delete".into()]
    } else {
        vec!["DROP TRIGGER events_append_only ON events".into()]
    }
}

async fn seq_of(url: &str, checkpoint: &str, ordinal: i64) -> i64 {
    let pool = sqlx::AnyPool::connect(url).await.expect("connect");
    let seq: i64 = sqlx::query("SELECT seq FROM events WHERE checkpoint = $1 AND ordinal = $2")
        .bind(checkpoint.to_owned())
        .bind(ordinal)
        .fetch_one(&pool)
        .await
        .expect("event")
        .get(0);
    pool.close().await;
    seq
}

/// A store with five checkpoints of three events each (created, opened, reported).
async fn store_with_history(url: &str) -> (Store, Vec<String>) {
    let store = Store::open(url).await.expect("open");
    store.sync(&schedule(PLAN), window(), at(1)).await.unwrap();
    let mut ids: Vec<String> = store.status(&Filter::default()).await.unwrap().into_iter().map(|r| r.id).collect();
    ids.sort();
    assert!(ids.len() >= 5, "{ids:?}");
    ids.truncate(5);
    assert_eq!(store.act_system(&ids, &Command::Open, at(2), today(d(2021, 3, 2))).await.unwrap(), 5);
    for (i, id) in ids.iter().enumerate() {
        store
            .act(id, &Command::Report(report(&format!("Uppföljning nummer {i}"))), "rektor", at(3), today(d(2021, 3, 3)))
            .await
            .unwrap()
            .unwrap();
    }
    (store, ids)
}

async fn tampering_is_named_and_an_untouched_store_verifies(url: &str) {
    let (store, ids) = store_with_history(url).await;
    store.close().await;
    let clean = audit(url, &["verify"]);
    assert_eq!(clean.code, 0, "{}\n{}", clean.stdout, clean.stderr);
    assert!(clean.stdout.contains("Historiken är intakt"), "{}", clean.stdout);

    let [a, b, c, dd, e] = [&ids[0], &ids[1], &ids[2], &ids[3], &ids[4]];
    let (d2, d3) = (seq_of(url, dd, 2).await, seq_of(url, dd, 3).await);
    let mut attack = drop_triggers(url);
    attack.extend([
        // Altered: the report's text rewritten.
        format!("UPDATE events SET data = replace(data, 'Uppföljning nummer 0', 'Allt gick bra') WHERE checkpoint = '{a}' AND ordinal = 3"),
        // Deleted: the opening of B.
        format!("DELETE FROM events WHERE checkpoint = '{b}' AND ordinal = 2"),
        // Inserted: a copy of C's second event, under another name.
        format!(
            "INSERT INTO events (checkpoint, at, actor, reason, kind, data, ordinal, hash) \
             SELECT checkpoint, at, 'mallory', reason, kind, data, ordinal, hash FROM events WHERE checkpoint = '{c}' AND ordinal = 2"
        ),
        // Swapped: D's second and third events trade places.
        format!("UPDATE events SET seq = -1 WHERE seq = {d2}"),
        format!("UPDATE events SET seq = {d2} WHERE seq = {d3}"),
        format!("UPDATE events SET seq = {d3} WHERE seq = -1"),
        // Deleted: E's last event.
        format!("DELETE FROM events WHERE checkpoint = '{e}' AND ordinal = 3"),
    ]);
    sql(url, &attack).await;

    let out = audit(url, &["verify", "--format", "json"]);
    assert_eq!(out.code, 3, "{}\n{}", out.stdout, out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["intact"], false);
    let mut found: Vec<(String, i64, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["checkpoint"].as_str().unwrap().to_owned(), f["ordinal"].as_i64().unwrap(), f["problem"].as_str().unwrap().to_owned()))
        .collect();
    found.sort();
    let mut want = vec![
        (a.clone(), 3, "altered".to_owned()),
        (b.clone(), 2, "deleted".to_owned()),
        (c.clone(), 2, "inserted".to_owned()),
        (dd.clone(), 2, "reordered".to_owned()),
        (e.clone(), 3, "deleted".to_owned()),
    ];
    want.sort();
    assert_eq!(found, want, "{}", out.stdout);

    // The text names each, in Swedish (and English on request).
    let text = audit(url, &["verify"]);
    assert_eq!(text.code, 3);
    for (id, word) in [(a, "ändrad"), (b, "raderad"), (c, "tillagd"), (dd, "omordnad"), (e, "raderad")] {
        assert!(text.stdout.lines().any(|l| l.starts_with(id.as_str()) && l.contains(word)), "{id} {word}:\n{}", text.stdout);
    }
    assert!(text.stdout.contains("Historiken är INTE intakt: 5 avvikelse(r)"), "{}", text.stdout);
    let en = audit(url, &["verify", "--lang", "en"]);
    assert!(en.stdout.contains("event 2 is stored after event 3"), "{}", en.stdout);
    // No anchor is given out for a tampered history.
    let anchor = audit(url, &["anchor"]);
    assert_eq!(anchor.code, 3, "{}", anchor.stdout);
}

async fn a_consistent_rewrite_is_caught_by_the_anchor(url: &str) {
    let (store, ids) = store_with_history(url).await;
    let exported = audit(url, &["anchor"]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let anchor = exported.stdout.trim().to_owned();
    // Later events do not disturb the anchor of what was before.
    store.act(&ids[0], &Command::Approve, "chef", at(4), today(d(2021, 3, 4))).await.unwrap().unwrap();
    store.close().await;
    let later = audit(url, &["verify", "--anchor", &anchor]);
    assert_eq!(later.code, 0, "{}", later.stdout);
    assert!(later.stdout.contains("stämmer"), "{}", later.stdout);

    // A DBA rewrites B's report and recomputes its hash and the head, consistently.
    let b = &ids[1];
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let prev: String =
        sqlx::query("SELECT hash FROM events WHERE checkpoint = $1 AND ordinal = 2").bind(b.clone()).fetch_one(&pool).await.unwrap().get(0);
    let r = sqlx::query("SELECT at, actor, reason, kind, data FROM events WHERE checkpoint = $1 AND ordinal = 3")
        .bind(b.clone())
        .fetch_one(&pool)
        .await
        .unwrap();
    let (ev_at, actor, reason, kind, data): (String, String, Option<String>, String, String) =
        (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
    pool.close().await;
    let forged = data.replace("Uppföljning nummer 1", "Allt gick bra");
    assert_ne!(forged, data);
    let f = Fields { checkpoint: b, ordinal: 3, at: &ev_at, actor: &actor, reason: reason.as_deref(), kind: &kind, data: &forged };
    let hash = hex(&event_hash(&f, &parse_hex(&prev).unwrap()));
    let mut attack = drop_triggers(url);
    attack.push(format!(
        "UPDATE events SET data = '{}', hash = '{hash}' WHERE checkpoint = '{b}' AND ordinal = 3",
        forged.replace('\'', "''")
    ));
    attack.push(format!("UPDATE checkpoints SET chain_head = '{hash}' WHERE id = '{b}'"));
    sql(url, &attack).await;

    let chain_only = audit(url, &["verify"]);
    assert_eq!(chain_only.code, 0, "the rewrite is consistent, the chain alone cannot tell: {}", chain_only.stdout);
    let checked = audit(url, &["verify", "--anchor", &anchor]);
    assert_eq!(checked.code, 3, "{}", checked.stdout);
    assert!(checked.stdout.contains("Förankringen stämmer INTE"), "{}", checked.stdout);
    let bad = audit(url, &["verify", "--anchor", "inte-en-förankring"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("är ingen förankring"), "{}", bad.stderr);
}

/// The schema as arshjul 5 left it, with two checkpoints and their events written the old
/// way (no chain).
async fn a_store_from_before_the_chain_verifies(url: &str) {
    let sqlite = url.starts_with("sqlite:");
    let files: [&str; 5] = if sqlite {
        [
            include_str!("../../migrations/sqlite/0001_init.sql"),
            include_str!("../../migrations/sqlite/0002_outbox_repeats.sql"),
            include_str!("../../migrations/sqlite/0003_identity.sql"),
            include_str!("../../migrations/sqlite/0004_web.sql"),
            include_str!("../../migrations/sqlite/0005_overview_index.sql"),
        ]
    } else {
        [
            include_str!("../../migrations/postgres/0001_init.sql"),
            include_str!("../../migrations/postgres/0002_outbox_repeats.sql"),
            include_str!("../../migrations/postgres/0003_identity.sql"),
            include_str!("../../migrations/postgres/0004_web.sql"),
            include_str!("../../migrations/postgres/0005_overview_index.sql"),
        ]
    };
    let url = if sqlite { format!("{url}?mode=rwc") } else { url.to_owned() };
    let mut old: Vec<String> = files.iter().map(|s| (*s).to_owned()).collect();
    old.push("INSERT INTO arshjul_meta (key, value) VALUES ('schema_version', '5')".into());
    for id in ["k/p/i/a", "k/p/i/b"] {
        old.push(format!(
            "INSERT INTO checkpoints (id, organisation, kind, title, owner_role, due, defined_due, state, policy, updated_at) \
             VALUES ('{id}', 'k', 'uppföljning', 'Uppföljning', 'rektor', '2021-05-31', '2021-05-31', 'planned', '{{}}', '2021-01-04T07:30:00Z')"
        ));
    }
    let event = |id: &str, day: u32, kind: &str, data: &str| {
        format!(
            "INSERT INTO events (checkpoint, at, actor, reason, kind, data) VALUES ('{id}', '2021-0{day}-04T07:30:00Z', 'arshjul', NULL, '{kind}', '{data}')"
        )
    };
    old.push(event("k/p/i/a", 1, "created", r#"{"type":"created","due":"2021-05-31"}"#));
    old.push(event("k/p/i/b", 1, "created", r#"{"type":"created","due":"2021-05-31"}"#));
    old.push(event("k/p/i/a", 2, "opened", r#"{"type":"opened"}"#));
    old.push("UPDATE checkpoints SET state = 'open', version = 1 WHERE id = 'k/p/i/a'".into());
    sql(&url, &old).await;

    // The upgrade links the old events; the store verifies, and goes on from there.
    let store = Store::open(&url).await.expect("upgrade to the chain");
    store.act("k/p/i/a", &Command::Report(report("Gjort.")), "rektor", at(5), today(d(2021, 3, 5))).await.unwrap().unwrap();
    store.close().await;
    let out = audit(&url, &["verify", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!((v["events"].as_u64(), v["checkpoints"].as_u64()), (Some(4), Some(2)), "{v}");
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let heads: Vec<(String, i64)> = sqlx::query("SELECT id, chain_count FROM checkpoints ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    pool.close().await;
    assert_eq!(heads, vec![("k/p/i/a".to_owned(), 3), ("k/p/i/b".to_owned(), 1)]);

    // An old event altered after the upgrade is named.
    let mut attack = drop_triggers(&url);
    attack.push("UPDATE events SET at = '2021-02-05T07:30:00Z' WHERE checkpoint = 'k/p/i/a' AND ordinal = 2".into());
    sql(&url, &attack).await;
    let out = audit(&url, &["verify"]);
    assert_eq!(out.code, 3, "{}", out.stdout);
    assert!(out.stdout.contains("k/p/i/a seq") && out.stdout.contains("händelse 2"), "{}", out.stdout);
}

async fn a_newer_database_is_refused_and_left_alone(url: &str) {
    Store::open(url).await.expect("open").close().await;
    sql(url, &["UPDATE arshjul_meta SET value = '99' WHERE key = 'schema_version'".into()]).await;
    let out = audit(url, &["verify"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("nyare version av arshjul") && out.stderr.contains("databasen har inte ändrats"), "{}", out.stderr);
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let v: String = sqlx::query("SELECT value FROM arshjul_meta WHERE key = 'schema_version'").fetch_one(&pool).await.unwrap().get(0);
    pool.close().await;
    assert_eq!(v, "99");
}

on_both_engines!(
    tampering_is_named_and_an_untouched_store_verifies,
    a_consistent_rewrite_is_caught_by_the_anchor,
    a_store_from_before_the_chain_verifies,
    a_newer_database_is_refused_and_left_alone,
);

#[test]
fn a_missing_database_file_is_refused_not_created() {
    let t = TempDir::new();
    let url = crate::support::sqlite_url(&t);
    let out = audit(&url, &["verify"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("finns inte"), "{}", out.stderr);
    assert!(!t.path().join("arshjul.db").exists());
}

// ---- replay = projection -------------------------------------------------------------

/// The plan's variants a sync may bring: as written, the evaluation moved, the evaluation
/// gone, an extra checkpoint.
fn variant(v: u8) -> String {
    match v % 4 {
        0 => PLAN.to_owned(),
        1 => PLAN.replace("when: maj 2021", "when: juni 2021"),
        2 => PLAN.replace(
            "      - { id: utvardering, name: Utvärdering, when: maj 2021 }\n",
            "      - { id: halvtid, name: Halvtid, when: mars 2021 }\n",
        ),
        _ => format!("{PLAN}      - {{ id: extra, name: Extra, when: september 2021 }}\n"),
    }
}

#[derive(Clone, Debug)]
enum Step {
    Sync(u8),
    Act(usize, u8),
    System(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![(0u8..4).prop_map(Step::Sync), (0usize..8, 0u8..7).prop_map(|(i, k)| Step::Act(i, k)), (0u8..3).prop_map(Step::System),]
}

async fn replay_gives_the_projection(url: &str, steps: &[Step]) {
    let store = Store::open(url).await.expect("open");
    let schedules: Vec<Vec<Checkpoint>> = (0..4).map(|v| schedule(&variant(v))).collect();
    store.sync(&schedules[0], window(), at(1)).await.unwrap();
    for (n, s) in steps.iter().enumerate() {
        let now = at(2 + n as u32 % 27);
        let date = d(2021, 3, 2 + n as u32 % 27);
        let mut ids: Vec<String> =
            store.status(&Filter { include_cancelled: true, ..Filter::default() }).await.unwrap().into_iter().map(|r| r.id).collect();
        ids.sort();
        match s {
            Step::Sync(v) => {
                store.sync(&schedules[usize::from(*v)], window(), now).await.unwrap();
            }
            Step::Act(i, k) => {
                let id = &ids[i % ids.len()];
                let cmd = match k {
                    0 => Command::Report(report("Gjort.")),
                    1 => Command::Approve,
                    2 => Command::Return { reason: "Analysen saknas.".into() },
                    3 => Command::Waive { reason: "Utgår.".into() },
                    4 => Command::Reschedule { to: d(2021, 6, 1 + u32::from(*k) + *i as u32), reason: "Flyttad.".into(), force: true },
                    5 => Command::MarkMissed { reason: None },
                    _ => Command::MarkOverdue,
                };
                // A refusal is fine (and changes nothing); a store error is not.
                let _ = store.act(id, &cmd, "rektor", now, today(date)).await.unwrap();
            }
            Step::System(k) => {
                let cmd = [Command::Open, Command::MarkOverdue, Command::MarkMissed { reason: None }][usize::from(*k)].clone();
                store.act_system(&ids, &cmd, now, today(date)).await.unwrap();
            }
        }
    }
    for row in store.status(&Filter { include_cancelled: true, ..Filter::default() }).await.unwrap() {
        let kinds: Vec<EventKind> = store.history(&row.id).await.unwrap().into_iter().map(|e| e.kind).collect();
        let replayed = Status::replay(&kinds).unwrap_or_else(|| panic!("{} has no events", row.id));
        assert_eq!(
            (replayed.state, replayed.due, replayed.report.clone(), replayed.rescheduled, replayed.in_plan),
            (row.state, row.due, row.report.clone(), row.rescheduled, row.in_plan),
            "{}: {kinds:?}",
            row.id
        );
        assert!(store.history(&row.id).await.unwrap().iter().all(|e| e.actor == SYSTEM || e.actor == "rektor"));
    }
    let audit = store.verify_chain(None).await.unwrap();
    assert!(audit.intact(), "{:?}", audit.findings);
    store.close().await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    /// Any sequence of people's acts, system transitions and syncs (that create, cancel,
    /// restore and move), replayed from the stored events, gives the stored standing.
    #[test]
    fn sqlite_replaying_the_events_gives_the_stored_projection(steps in proptest::collection::vec(step(), 1..14)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let t = TempDir::new();
        rt.block_on(replay_gives_the_projection(&crate::support::sqlite_url(&t), &steps));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]
    #[test]
    fn postgres_replaying_the_events_gives_the_stored_projection(steps in proptest::collection::vec(step(), 1..14)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async { replay_gives_the_projection(&crate::store::fresh_postgres().await, &steps).await });
    }
}
