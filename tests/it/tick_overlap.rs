//! The morning tick queues the day's digests in chunks while it sends the first ones, and
//! opens the day's checkpoints meanwhile (issue 11). Whatever the interleaving, one tick
//! delivers every digest it queued — each once, none left for a later tick — and opens
//! every checkpoint once, on both engines.

use crate::support::on_both_engines;
use arshjul::calendar::DateRange;
use arshjul::definition::load_sources;
use arshjul::engine::{DryRun, Engine, Settings};
use arshjul::remind::people;
use arshjul::schedule::expand;
use arshjul::store::{Filter, Store};
use arshjul::workflow::State;
use chrono::{NaiveDate, TimeZone, Utc};
use std::collections::HashSet;
use std::sync::Arc;

/// Schools of one organisation: more than four queueing chunks (200 digests each).
const SCHOOLS: usize = 850;

/// An organisation of [`SCHOOLS`] schools whose wheel has one follow-up per school due on
/// Friday 14 May 2021 (the förvaltningschef's, per unit to each rektor), and its people.
fn definitions() -> (Vec<(std::path::PathBuf, Vec<u8>)>, String) {
    let mut csv = String::from("organisation,role,unit,name,email\nk,forvaltningschef,,Chef,chef@testkommun.se\n");
    let mut org = String::from(
        "organisation:\n  id: k\n  name: Testkommun\n  roles:\n    forvaltningschef: { name: Förvaltningschef }\n    rektor: { name: Rektor, per_unit: ja, reports_to: forvaltningschef }\n  units:\n",
    );
    for u in 0..SCHOOLS {
        org.push_str(&format!("    - {{ id: u{u}, name: Skola {u}, kind: grundskola }}\n"));
        csv.push_str(&format!("k,rektor,u{u},Rektor {u},rektor{u}@testkommun.se\n"));
    }
    let wheel = "wheel:\n  name: Årshjul\n  checkpoints:\n    - { id: c, name: Uppföljning, kind: annat, due: 14 maj, owner: forvaltningschef, per_unit: rektor }\n";
    (vec![("t/k/organisation.yaml".into(), org.into_bytes()), ("t/k/arshjul.yaml".into(), wheel.as_bytes().to_vec())], csv)
}

async fn one_tick_sends_everything_it_queues(url: &str) {
    let (files, csv) = definitions();
    let (model, diags) = load_sources(files);
    assert!(diags.is_empty(), "{diags:?}");
    let store = Store::open(url).await.unwrap();
    let window = DateRange::new(NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2021, 12, 31).unwrap()).unwrap();
    store.sync(&expand(&model, window), window, Utc.with_ymd_and_hms(2021, 1, 4, 6, 0, 0).unwrap()).await.unwrap();
    store.replace_people(&people::parse(&csv, &model).unwrap()).await.unwrap();
    let planned = store.status(&Filter::default()).await.unwrap();
    assert_eq!(planned.len(), SCHOOLS + 1);
    assert!(planned.iter().all(|r| r.state == State::Planned));

    // A small window, so that the claimer catches up with the queueing and must wait for it.
    let settings =
        Settings { domain: "testkommun.se".into(), owner: "overlap-test".into(), concurrency: 2, batch: 8, ..Settings::default() };
    let engine = Engine { store, model: Arc::new(model), settings };
    let sender = DryRun::default();
    // Friday 14 May 2021, 07:45 in Stockholm: the due day, after the send time.
    let now = Utc.with_ymd_and_hms(2021, 5, 14, 5, 45, 0).unwrap();
    let report = engine.tick(now, &sender).await.unwrap();

    assert_eq!(report.opened, SCHOOLS + 1, "every checkpoint opened");
    assert_eq!(report.queued, SCHOOLS + 1, "one digest per rektor and one for the chef");
    let sent = sender.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), report.queued, "everything queued was sent in the same tick");
    let people: HashSet<&str> = sent.iter().map(|(d, _)| d.to.email.as_str()).collect();
    assert_eq!(people.len(), sent.len(), "nobody twice");
    let rows = engine.store.outbox().await.unwrap();
    assert_eq!(rows.len(), SCHOOLS + 1);
    assert!(rows.iter().all(|r| r.status == "sent" && r.attempts == 1 && r.repeats == 0), "every row sent at the first attempt");
    let after = engine.store.status(&Filter::default()).await.unwrap();
    assert!(after.iter().all(|r| r.state == State::Open), "every checkpoint open");

    // The next tick the same morning has nothing left to do.
    let again = engine.tick(now + chrono::Duration::minutes(1), &sender).await.unwrap();
    assert_eq!((again.opened, again.queued, again.sent.len()), (0, 0, 0));
    assert_eq!(sender.sent.lock().unwrap().len(), SCHOOLS + 1);
    engine.store.close().await;
}

on_both_engines!(one_tick_sends_everything_it_queues);
