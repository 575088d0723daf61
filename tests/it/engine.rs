//! The engine over virtual days on the real store (both engines), with the dry-run sender:
//! when reminders go out, to whom, once only, as one digest per person per day, catch-up
//! after downtime, vacancies and escalation. (Delivery over real SMTP: `mail.rs`.)

use crate::support::{PLAN, workflow};
use arshjul::calendar::DateRange;
use arshjul::definition::load_dir;
use arshjul::engine::{Delivery, DryRun, Engine, Sender, Settings};
use arshjul::remind::Digest;
use arshjul::remind::people;
use arshjul::schedule::expand;
use arshjul::store::Store;
use arshjul::workflow::State;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::sync::Arc;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// 07:30 Stockholm summer time on `day`.
fn morning(day: NaiveDate) -> DateTime<Utc> {
    chrono_tz::Europe::Stockholm.from_local_datetime(&day.and_hms_opt(7, 30, 0).unwrap()).single().unwrap().with_timezone(&Utc)
}

const PEOPLE: &str = "organisation,role,unit,name,email
testkommun,forvaltningschef,,Cecilia Chef,cecilia@testkommun.se
testkommun,rektor,norrskolan,Rita Rektor,rita@testkommun.se
";

async fn engine(url: &str) -> Engine {
    let t = workflow(PLAN);
    let model = load_dir(t.path()).unwrap();
    let store = Store::open(url).await.unwrap();
    let window = DateRange::new(d(2021, 1, 1), d(2021, 12, 31)).unwrap();
    store.sync(&expand(&model, window), window, morning(d(2021, 1, 4))).await.unwrap();
    store.replace_people(&people::parse(PEOPLE, &model).unwrap()).await.unwrap();
    Engine { store, model: Arc::new(model), settings: Settings::default() }
}

/// Runs the engine each morning from `from` to `to`; returns (day, recipient, checkpoint ids).
async fn run_days(e: &Engine, from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, String, Vec<String>)> {
    let sender = DryRun::default();
    let mut day = from;
    while day <= to {
        e.tick(morning(day), &sender).await.unwrap();
        day = day.succ_opt().unwrap();
    }
    let sent = sender.sent.lock().unwrap();
    sent.iter()
        .map(|(dg, _)| (dg.day, dg.to.email.clone(), dg.items.iter().map(|i| format!("{}@{}", i.checkpoint, i.step.key())).collect()))
        .collect()
}

const EVAL: &str = "testkommun/plan-2021/matematik/utvardering";

async fn reminders_follow_the_policy_once_each(url: &str) {
    let e = engine(url).await;
    let mails = run_days(&e, d(2021, 4, 26), d(2021, 6, 30)).await;
    let eval: Vec<(NaiveDate, &str, &str)> = mails
        .iter()
        .flat_map(|(day, to, ids)| {
            ids.iter().filter(|i| i.starts_with(EVAL)).map(move |i| (*day, to.as_str(), i.rsplit('@').next().unwrap()))
        })
        .collect();
    // Due Monday 31 May 2021 (förvaltningschef owns it): 28 days before = Mon 3 May;
    // 7 days before = Mon 24 May; the day; 7 days late = Mon 7 June; 14 days late = Mon 14
    // June, escalated (förvaltningschef has no superior: the owner still gets it); 21, 28 days.
    assert_eq!(
        eval,
        vec![
            (d(2021, 5, 3), "cecilia@testkommun.se", "before-28"),
            (d(2021, 5, 24), "cecilia@testkommun.se", "before-7"),
            (d(2021, 5, 31), "cecilia@testkommun.se", "due"),
            (d(2021, 6, 7), "cecilia@testkommun.se", "overdue-7"),
            (d(2021, 6, 14), "cecilia@testkommun.se", "escalated-14"),
            (d(2021, 6, 21), "cecilia@testkommun.se", "overdue-21"),
            (d(2021, 6, 28), "cecilia@testkommun.se", "overdue-28"),
        ]
    );
    // At most one email per person per day.
    let mut keys: Vec<(NaiveDate, &str)> = mails.iter().map(|(d, to, _)| (*d, to.as_str())).collect();
    let n = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), n);
    // Never on a weekend or holiday (6 June 2021 is a Sunday; 25 June midsommarafton).
    let cal = arshjul::calendar::Calendar::default();
    assert!(mails.iter().all(|(day, _, _)| cal.is_working_day(*day)));
    e.store.close().await;
}

async fn downtime_gives_one_catch_up_digest_per_person(url: &str) {
    let e = engine(url).await;
    // The daemon was down from April until 1 July: one morning, one digest per person.
    let mails = run_days(&e, d(2021, 7, 1), d(2021, 7, 1)).await;
    let people: Vec<&str> = mails.iter().map(|(_, to, _)| to.as_str()).collect();
    assert_eq!(people, ["cecilia@testkommun.se", "rita@testkommun.se"], "{mails:#?}");
    let cecilia = &mails[0].2;
    assert!(cecilia.contains(&format!("{EVAL}@overdue-28")), "{cecilia:?}");
    // Overdue checkpoints are flagged in the store.
    let rows = e.store.status(&arshjul::store::Filter::default()).await.unwrap();
    assert_eq!(rows.iter().find(|r| r.id == EVAL).map(|r| r.state), Some(arshjul::workflow::State::Overdue));
    // The next morning nothing is repeated (a checkpoint may have reached its next step:
    // the May report, due 14 May, is 49 days late on 2 July).
    let first: Vec<&String> = mails.iter().flat_map(|(_, _, ids)| ids).collect();
    let next = run_days(&e, d(2021, 7, 2), d(2021, 7, 2)).await;
    let next: Vec<&String> = next.iter().flat_map(|(_, _, ids)| ids).collect();
    assert!(next.iter().all(|i| !first.contains(i)), "{next:?}");
    assert!(next.iter().all(|i| i.ends_with("@overdue-49")), "{next:?}");
    e.store.close().await;
}

async fn a_vacant_rektor_passes_to_the_superior_with_the_vacancy_named(url: &str) {
    let e = engine(url).await;
    // Söderskolan has no rektor in the directory: its dialogue meeting (week 12, due Friday
    // 26 March 2021) goes to the förvaltningschef, naming the vacancy.
    let sender = DryRun::default();
    e.tick(morning(d(2021, 3, 19)), &sender).await.unwrap();
    let sent = sender.sent.lock().unwrap().clone();
    let item = sent
        .iter()
        .flat_map(|(dg, _)| dg.items.iter().map(move |i| (dg.to.email.as_str(), i)))
        .find(|(_, i)| i.checkpoint == "testkommun/arshjul/dialogmote-vt/soderskolan/2021")
        .expect("the vacant school's reminder");
    assert_eq!(item.0, "cecilia@testkommun.se");
    assert_eq!(item.1.on_behalf_of.as_deref(), Some("Rektor (Söderskolan)"));
    e.store.close().await;
}

/// A sender that notes, at each send, the state the store holds for each item.
struct NotingStates<'a> {
    store: &'a Store,
    inner: DryRun,
    seen: std::sync::Mutex<Vec<(String, State)>>,
}

impl Sender for NotingStates<'_> {
    async fn deliver(&self, digest: &Digest, message_id: &str) -> Delivery {
        for i in &digest.items {
            let row = self.store.checkpoint(&i.checkpoint).await.unwrap().unwrap();
            self.seen.lock().unwrap().push((i.checkpoint.clone(), row.state));
        }
        self.inner.deliver(digest, message_id).await
    }
}

/// The morning a checkpoint's reminders start, its reminder goes out first and the
/// checkpoint is opened after, in the same tick (no email waits for the openings). A daemon
/// asked to stop sends nothing more and leaves the opening to the next tick, which does both.
async fn the_days_checkpoints_are_opened_after_its_reminders_are_sent(url: &str) {
    let e = engine(url).await;
    // Monday 3 May 2021: the evaluation (due 31 May) gets its first reminder, 28 days ahead.
    let day = d(2021, 5, 3);
    run_days(&e, d(2021, 4, 26), d(2021, 4, 30)).await;
    let state = |id: &'static str| {
        let store = &e.store;
        async move { store.checkpoint(id).await.unwrap().unwrap().state }
    };
    assert_eq!(state(EVAL).await, State::Planned);

    e.settings.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
    let quiet = DryRun::default();
    let stopped = e.tick(morning(day), &quiet).await.unwrap();
    assert_eq!((stopped.sent.len(), stopped.opened), (0, 0), "{stopped:?}");
    assert!(quiet.sent.lock().unwrap().is_empty());
    assert_eq!(state(EVAL).await, State::Planned, "a stopping daemon leaves the opening to the next tick");

    e.settings.stopping.store(false, std::sync::atomic::Ordering::SeqCst);
    let sender = NotingStates { store: &e.store, inner: DryRun::default(), seen: Default::default() };
    let report = e.tick(morning(day), &sender).await.unwrap();
    let seen = sender.seen.lock().unwrap().clone();
    assert!(seen.contains(&(EVAL.to_owned(), State::Planned)), "reminded before it was opened: {seen:?}");
    assert!(report.opened >= 1 && !report.sent.is_empty(), "{report:?}");
    assert_eq!(state(EVAL).await, State::Open, "opened in the same tick");
    e.store.close().await;
}

crate::support::on_both_engines!(
    the_days_checkpoints_are_opened_after_its_reminders_are_sent,
    reminders_follow_the_policy_once_each,
    downtime_gives_one_catch_up_digest_per_person,
    a_vacant_rektor_passes_to_the_superior_with_the_vacancy_named,
);
