//! Queueing the day's digests when some people already have theirs (another daemon queued
//! them first): those keep the digest they have, the rest are queued, and the ledger of
//! what was reminded holds exactly what went into the queued digests — on both engines.

use crate::support::on_both_engines;
use arshjul::remind::Digest;
use arshjul::store::Store;
use std::collections::HashSet;

/// Person `i`'s digest for Monday 24 May 2021 with one item, checkpoint `cp`.
fn digest(i: usize, cp: &str) -> Digest {
    crate::support::digest(&format!("Rektor {i}"), &format!("rektor{i:04}@testkommun.se"), &format!("testkommun/plan-2021/{cp}"))
}

const PEOPLE: usize = 450;

async fn people_who_have_the_days_digest_keep_it(url: &str) {
    let store = Store::open(url).await.unwrap();
    // The other daemon's: every seventh person (in every chunk of 200), item "a-i".
    let first: Vec<Digest> = (0..PEOPLE).step_by(7).map(|i| digest(i, &format!("a-{i}"))).collect();
    assert_eq!(store.enqueue(&first, "testkommun.se").await.unwrap(), first.len());
    // This daemon's: everyone, item "b-i", in an order of its own.
    let mine: Vec<Digest> = (0..PEOPLE).rev().map(|i| digest(i, &format!("b-{i}"))).collect();
    let mut progress = Vec::new();
    let queued = store.enqueue_with(&mine, "testkommun.se", |n| progress.push(n)).await.unwrap();
    assert_eq!(queued, PEOPLE - first.len());
    assert_eq!(progress.last(), Some(&queued), "the running count after each chunk ends at the total");
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");

    // One row per person, the first daemon's where it was first.
    let rows = store.outbox().await.unwrap();
    assert_eq!(rows.len(), PEOPLE);
    assert_eq!(rows.iter().map(|r| r.recipient.clone()).collect::<HashSet<_>>().len(), PEOPLE);

    // The ledger: "a-i" for the first daemon's people, "b-i" for the rest, never both.
    let ids: Vec<String> =
        (0..PEOPLE).flat_map(|i| [format!("testkommun/plan-2021/a-{i}"), format!("testkommun/plan-2021/b-{i}")]).collect();
    let reminded: HashSet<String> = store.reminded(&ids).await.unwrap().into_iter().map(|(cp, _, _)| cp).collect();
    for i in 0..PEOPLE {
        let (a, b) = (format!("testkommun/plan-2021/a-{i}"), format!("testkommun/plan-2021/b-{i}"));
        if i % 7 == 0 {
            assert!(reminded.contains(&a) && !reminded.contains(&b), "person {i}: the first daemon's digest only");
        } else {
            assert!(!reminded.contains(&a) && reminded.contains(&b), "person {i}: this daemon's digest");
        }
    }
    // Queueing the same again changes nothing.
    assert_eq!(store.enqueue(&mine, "testkommun.se").await.unwrap(), 0);
    assert_eq!(store.outbox().await.unwrap().len(), PEOPLE);
    store.close().await;
}

on_both_engines!(people_who_have_the_days_digest_keep_it);
