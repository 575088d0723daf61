//! A restart on unchanged files does not sync again (issue 11: start-up in seconds with
//! 100 k people stored); any change to a definition or the people file, or a window that
//! reaches further, does. Both engines, through `engine::source`, the daemon's own path.

use crate::support::{PLAN, workflow};
use arshjul::definition::Lang;
use arshjul::engine::source;
use arshjul::store::Store;
use chrono::{NaiveDate, TimeZone, Utc};

const PEOPLE: &str = "organisation,role,unit,name,email
testkommun,forvaltningschef,,Cecilia Chef,cecilia@testkommun.se
";

async fn a_restart_on_unchanged_files_syncs_nothing_and_every_change_is_synced(url: &str) {
    let t = workflow(PLAN);
    t.write("people.csv", PEOPLE);
    let people = t.path().join("people.csv");
    // The definitions live beside the people file here; the daemon's layout has them apart.
    let defs = t.path().join("testkommun");
    let dir = t.path().join("defs");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::rename(&defs, dir.join("testkommun")).unwrap();
    let store = Store::open(url).await.unwrap();
    let now = Utc.with_ymd_and_hms(2021, 1, 4, 6, 30, 0).unwrap();
    let today = NaiveDate::from_ymd_opt(2021, 1, 4).unwrap();
    let load = || source::load(&dir, &people, Lang::Sv).unwrap_or_else(|_| panic!("the files load"));

    let first = load();
    let window = source::window(&first.model, today, None);
    let report = source::store_if_changed(&store, &first, window, now).await.unwrap().expect("a first start syncs");
    assert!(report.created > 0, "{report:?}");

    // The same files again, the same day: nothing read or written.
    assert!(source::store_if_changed(&store, &load(), window, now).await.unwrap().is_none());

    // A new person in the people file: synced, and the person is stored.
    t.write("people.csv", format!("{PEOPLE}testkommun,rektor,norrskolan,Rita Rektor,rita@testkommun.se\n"));
    let second = load();
    assert_ne!(second.fingerprint, first.fingerprint);
    assert!(source::store_if_changed(&store, &second, window, now).await.unwrap().is_some());
    assert!(store.people().await.unwrap().iter().any(|h| h.person.email == "rita@testkommun.se"));
    assert!(source::store_if_changed(&store, &load(), window, now).await.unwrap().is_none());

    // A later day's window reaches further: synced.
    let later = source::window(&second.model, today + chrono::Duration::days(1), None);
    assert!(later.end > window.end);
    assert!(source::store_if_changed(&store, &load(), later, now).await.unwrap().is_some());

    // A changed definition (a checkpoint moved to June): synced, and the row follows.
    let plan = dir.join("testkommun/plan.yaml");
    let text = std::fs::read_to_string(&plan).unwrap();
    assert!(text.contains("maj 2021"));
    std::fs::write(&plan, text.replace("maj 2021", "juni 2021")).unwrap();
    let moved = source::store_if_changed(&store, &load(), later, now).await.unwrap().expect("a changed plan syncs");
    assert_eq!(moved.rescheduled, 1, "{moved:?}");
}

crate::support::on_both_engines!(a_restart_on_unchanged_files_syncs_nothing_and_every_change_is_synced);
