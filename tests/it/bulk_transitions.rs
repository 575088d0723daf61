//! The engine's bulk transitions (`Store::act_system`, issue 11: one UPDATE per chunk of
//! changed rows), on both engines, over more checkpoints than one chunk: a row changed
//! between the tick's read and its write is left — exactly those rows, and the next tick
//! takes them —, two ticks at once move each checkpoint once, and the history stays intact.

use crate::support::{PLAN, on_both_engines, workflow};
use arshjul::calendar::DateRange;
use arshjul::definition::load_dir;
use arshjul::schedule::{Checkpoint, expand};
use arshjul::store::{Filter, Store};
use arshjul::workflow::{Command, EventKind, State, Today};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::collections::HashSet;

/// More than two chunks of `act_system` (400 per transaction).
const MANY: usize = 1_000;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 3, day, 7, 30, 0).unwrap()
}

fn today(day: u32) -> Today {
    Today { date: d(2021, 3, day), target_is_working_day: true, window: None }
}

fn window() -> DateRange {
    DateRange::new(d(2021, 1, 1), d(2021, 12, 31)).unwrap()
}

/// A store with [`MANY`] planned checkpoints (the test plan's, copied under new ids).
async fn many(url: &str) -> (Store, Vec<String>) {
    let t = workflow(PLAN);
    let base = expand(&load_dir(t.path()).expect("valid"), window());
    assert!(!base.is_empty());
    let cps: Vec<Checkpoint> = (0..MANY)
        .map(|i| {
            let mut c = base[i % base.len()].clone();
            c.id = format!("bulk/{i:04}");
            c.parent = None;
            c
        })
        .collect();
    let store = Store::open(url).await.expect("open");
    store.sync(&cps, window(), at(1)).await.unwrap();
    let ids: Vec<String> = cps.into_iter().map(|c| c.id).collect();
    (store, ids)
}

/// How many `opened` events each checkpoint has, and its stored state.
async fn opened_and_state(store: &Store, ids: &[String]) -> Vec<(String, usize, State)> {
    let rows = store.status(&Filter::default()).await.unwrap();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let opened = store.history(id).await.unwrap().iter().filter(|e| e.kind == EventKind::Opened).count();
        let state = rows.iter().find(|r| &r.id == id).map(|r| r.state).unwrap_or_else(|| panic!("{id} not stored"));
        out.push((id.clone(), opened, state));
    }
    out
}

async fn a_bulk_transition_leaves_exactly_the_rows_changed_under_it(url: &str) {
    let (store, ids) = many(url).await;
    // Spread over every chunk, the first and last rows of a chunk among them.
    let stale: HashSet<String> =
        ids.iter().enumerate().filter(|(i, _)| i % 7 == 0 || i % 400 == 0 || i % 400 == 399).map(|(_, id)| id.clone()).collect();
    assert!(stale.len() > 100 && stale.contains(&ids[399]) && stale.contains(&ids[400]));

    let moved = store.act_system_with_stale_reads(&ids, &Command::Open, at(2), today(2), &stale).await.unwrap();
    assert_eq!(moved, ids.len() - stale.len());
    for (id, opened, state) in opened_and_state(&store, &ids).await {
        if stale.contains(&id) {
            assert_eq!((opened, state), (0, State::Planned), "{id} was changed under the tick: not written");
        } else {
            assert_eq!((opened, state), (1, State::Open), "{id}");
        }
    }

    // The next tick takes the rest, and nothing twice.
    assert_eq!(store.act_system(&ids, &Command::Open, at(3), today(3)).await.unwrap(), stale.len());
    assert_eq!(store.act_system(&ids, &Command::Open, at(4), today(4)).await.unwrap(), 0);
    for (id, opened, state) in opened_and_state(&store, &ids).await {
        assert_eq!((opened, state), (1, State::Open), "{id}");
    }
    let audit = store.verify_chain(None).await.unwrap();
    assert!(audit.intact(), "{:?}", audit.findings);
    store.close().await;
}

async fn two_ticks_at_once_move_each_checkpoint_once(url: &str) {
    let (store, ids) = many(url).await;
    // A second daemon on the same database, going through the ids from the other end.
    let other = Store::open(url).await.expect("open");
    let backwards: Vec<String> = ids.iter().rev().cloned().collect();
    let (a, b) = tokio::join!(
        store.act_system(&ids, &Command::Open, at(2), today(2)),
        other.act_system(&backwards, &Command::Open, at(2), today(2))
    );
    assert_eq!(a.unwrap() + b.unwrap(), ids.len());
    for (id, opened, state) in opened_and_state(&store, &ids).await {
        assert_eq!((opened, state), (1, State::Open), "{id}");
    }
    let audit = store.verify_chain(None).await.unwrap();
    assert!(audit.intact(), "{:?}", audit.findings);
    other.close().await;
    store.close().await;
}

on_both_engines!(a_bulk_transition_leaves_exactly_the_rows_changed_under_it, two_ticks_at_once_move_each_checkpoint_once);
