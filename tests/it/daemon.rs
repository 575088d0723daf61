//! The daemon loop itself (`engine::daemon::run`), in process, over virtual time (a
//! `ManualClock` the loop sleeps through), with the real store on both engines and the
//! real SMTP sender talking to the loopback server. No sleeps: the clock jumps.

use crate::mail::header;
use crate::smtp_server::{Received, SmtpServer};
use crate::support::{PLAN, TempDir, workflow};
use arshjul::clock::{Clock, ManualClock};
use arshjul::definition::{Lang, Model};
use arshjul::engine::daemon::{self, Control, RunStats, Sources};
use arshjul::engine::{Engine, Settings};
use arshjul::mail::{Mailer, SmtpConfig, SmtpSender};
use arshjul::store::Store;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

const PEOPLE: &str = "organisation,role,unit,name,email
testkommun,forvaltningschef,,Cecilia Chef,cecilia@testkommun.se
testkommun,rektor,norrskolan,Rita Rektor,rita@testkommun.se
testkommun,rektor,soderskolan,Sune Rektor,sune@testkommun.se
";

fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Stockholm.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap().with_timezone(&Utc)
}

struct Rig {
    dir: TempDir,
    store: Store,
    model: Arc<Model>,
    clock: ManualClock,
    server: SmtpServer,
    send_time: NaiveTime,
}

impl Rig {
    async fn new(url: &str, start: DateTime<Utc>) -> Rig {
        Rig::with_plan(url, start, PLAN).await
    }

    async fn with_plan(url: &str, start: DateTime<Utc>, plan: &str) -> Rig {
        let dir = workflow(plan);
        dir.write("people.csv", PEOPLE);
        let store = Store::open(url).await.unwrap();
        let clock = ManualClock::new(start);
        let mut rig = Rig {
            dir,
            store,
            model: Arc::default(),
            clock,
            server: SmtpServer::start(),
            send_time: NaiveTime::from_hms_opt(7, 30, 0).unwrap(),
        };
        assert!(rig.reload().await, "the test definitions load");
        rig
    }

    fn sources(&self) -> Sources {
        Sources { dir: self.dir.path().to_path_buf(), people: self.dir.path().join("people.csv") }
    }

    fn engine(&self) -> Engine {
        let settings = Settings { send_time: self.send_time, domain: "testkommun.se".into(), owner: "test".into(), ..Settings::default() };
        Engine { store: self.store.clone(), model: self.model.clone(), settings }
    }

    async fn reload(&mut self) -> bool {
        let mut e = self.engine();
        let ok = daemon::reload(&mut e, &self.sources(), &self.clock).await;
        self.model = e.model;
        ok
    }

    fn sender(&self) -> SmtpSender {
        let mailer = Mailer::new(&SmtpConfig::parse(&self.server.url()).unwrap()).unwrap();
        SmtpSender {
            mailer,
            from: "arshjul <arshjul@testkommun.se>".parse().unwrap(),
            domain: "testkommun.se".into(),
            lang: Lang::Sv,
            links: None,
        }
    }

    /// Runs the real daemon loop until the virtual clock reaches `until`; `reloads` queues
    /// that many reload requests (like SIGHUP) before it starts.
    async fn run_until(&self, until: DateTime<Utc>, reloads: usize) -> RunStats {
        let (mut control, reload, _stop) = Control::new();
        control.until = Some(until);
        for _ in 0..reloads {
            reload.try_send(()).unwrap();
        }
        daemon::run(self.engine(), self.sender(), &self.clock, self.sources(), control).await
    }
}

/// (recipient, Message-ID, Date header as an instant) of each message.
fn sent(got: &[Received]) -> Vec<(String, String, DateTime<Utc>)> {
    got.iter()
        .map(|r| {
            let date = DateTime::parse_from_rfc2822(&header(&r.data, "Date")).unwrap().with_timezone(&Utc);
            (r.to.join(","), header(&r.data, "Message-ID"), date)
        })
        .collect()
}

/// Messages per (recipient, local day).
fn per_person_day(got: &[(String, String, DateTime<Utc>)]) -> BTreeMap<(String, NaiveDate), usize> {
    let mut m = BTreeMap::new();
    for (to, _, at) in got {
        *m.entry((to.clone(), at.with_timezone(&Stockholm).date_naive())).or_default() += 1;
    }
    m
}

/// The test plan with a follow-up due on Friday 5 November 2021, after the autumn change.
fn dst_plan() -> String {
    format!("{PLAN}      - {{ id: novemberrapport, name: Novemberrapport, when: 2021-11-05 }}\n")
}

/// Across both DST changes of 2021 the loop sends every digest once, at 07:30 local time
/// on the working days (CET before 28 March, CEST after; and back on 31 October), and
/// sleeps between: it ticks at the send times only and otherwise just looks at the files.
async fn a_term_through_both_dst_changes_over_smtp(url: &str) {
    let rig = Rig::with_plan(url, local(2021, 3, 22, 0, 0), &dst_plan()).await;
    let spring = rig.run_until(local(2021, 4, 8, 0, 0), 0).await;
    let n_spring = rig.server.received().len();
    rig.clock.set(local(2021, 10, 25, 0, 0));
    let autumn = rig.run_until(local(2021, 11, 9, 0, 0), 0).await;
    let got = sent(&rig.server.received());
    assert!(n_spring >= 3 && got.len() > n_spring, "reminders went out in both weeks: {got:#?}");
    assert_eq!((spring.sent + autumn.sent) as usize, got.len());
    let ids: BTreeSet<&String> = got.iter().map(|(_, id, _)| id).collect();
    assert_eq!(ids.len(), got.len(), "each Message-ID once");
    assert!(per_person_day(&got).values().all(|&n| n == 1), "at most one email per person and day");
    let cal = arshjul::calendar::Calendar::default();
    for (to, id, at) in &got {
        let l = at.with_timezone(&Stockholm);
        assert_eq!(l.time(), NaiveTime::from_hms_opt(7, 30, 0).unwrap(), "{to} {id} at {l}");
        assert!(cal.is_working_day(l.date_naive()), "{l}");
        // 06:30 UTC in winter time, 05:30 UTC in summer time.
        let summer = (local(2021, 3, 28, 3, 0)..local(2021, 10, 31, 3, 0)).contains(at);
        assert_eq!(at.format("%H:%M").to_string(), if summer { "05:30" } else { "06:30" }, "{at}");
    }
    let days: BTreeSet<NaiveDate> = got.iter().map(|g| g.2.with_timezone(&Stockholm).date_naive()).collect();
    let d = |m, day| NaiveDate::from_ymd_opt(2021, m, day).unwrap();
    // Each side of both changes: 26 March (CET), 6 April (CEST), 29 October (CEST),
    // 5 November (CET).
    for day in [d(3, 26), d(4, 6), d(10, 29), d(11, 5)] {
        assert!(days.contains(&day), "{day} in {days:?}");
    }
    // Sent when the Date header says: the loop woke exactly at the send time.
    for row in rig.store.outbox().await.unwrap() {
        assert_eq!(row.status, "sent");
        let date = got.iter().find(|(_, id, _)| *id == row.message_id).map(|g| g.2);
        assert_eq!(row.sent_at, date, "{row:?}");
    }
    // No busy polling. Spring, 22 March – 7 April: a tick at start and at 07:30 on the 11
    // working days (långfredag 2 April and annandag påsk 5 April are holidays); between
    // them only the five-minute look at the files.
    assert_eq!(spring.ticks, 12, "{spring:?}");
    assert!(spring.wakeups <= 17 * 24 * 12 + spring.ticks, "{spring:?}");
    // Autumn, 25 October – 8 November: 11 working days (alla helgons dag is a Saturday).
    assert_eq!(autumn.ticks, 12, "{autumn:?}");
    rig.store.close().await;
}

/// A send time inside the hour that does not exist on 28 March and happens twice on
/// 31 October: the loop passes through both nights without a send twice or a send lost,
/// and sends the working days at 02:30 local time in the right offset.
async fn a_send_time_in_the_dst_hours(url: &str) {
    let mut rig = Rig::with_plan(url, local(2021, 3, 25, 0, 0), &dst_plan()).await;
    rig.send_time = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
    rig.run_until(local(2021, 4, 8, 0, 0), 0).await;
    rig.clock.set(local(2021, 10, 28, 0, 0));
    rig.run_until(local(2021, 11, 9, 0, 0), 0).await;
    let got = sent(&rig.server.received());
    let days: BTreeSet<NaiveDate> = got.iter().map(|g| g.2.with_timezone(&Stockholm).date_naive()).collect();
    let d = |m, day| NaiveDate::from_ymd_opt(2021, m, day).unwrap();
    for day in [d(3, 26), d(4, 6), d(10, 29), d(11, 5)] {
        assert!(days.contains(&day), "{day} in {days:?}");
    }
    assert!(per_person_day(&got).values().all(|&n| n == 1));
    for (_, _, at) in &got {
        assert_eq!(at.with_timezone(&Stockholm).format("%H:%M").to_string(), "02:30", "{at}");
    }
    rig.store.close().await;
}

/// The SMTP server is down at the send time: every digest waits with backoff (1, 2, 4 …
/// minutes) and nothing is lost; when the server is back, everything goes out, once.
async fn smtp_down_then_up_delivers_everything(url: &str) {
    let mut rig = Rig::new(url, local(2021, 5, 21, 7, 0)).await;
    rig.server.stop();
    // 07:30 and the retries after it, while the server is down.
    rig.run_until(local(2021, 5, 21, 7, 36), 0).await;
    let rows = rig.store.outbox().await.unwrap();
    assert!(!rows.is_empty(), "something was due on 21 May");
    for r in &rows {
        assert_eq!(r.status, "pending", "{r:?}");
        assert!(r.attempts >= 3, "tried at 07:30, 07:31 and 07:33: {r:?}");
        assert!(r.last_error.as_deref().is_some_and(|e| e.contains("SMTP-servern")), "{r:?}");
    }
    // The backoff grows: the next try is more than a minute away now.
    let next = rig.store.next_attempt().await.unwrap().unwrap();
    assert!(next > rig.clock.now() && next <= rig.clock.now() + Duration::hours(1), "{next}");
    assert!(rig.server.received().is_empty());
    rig.server.restart();
    rig.run_until(local(2021, 5, 21, 9, 0), 0).await;
    let got = sent(&rig.server.received());
    assert_eq!(got.len(), rows.len(), "every waiting digest, once");
    let after = rig.store.outbox().await.unwrap();
    assert!(after.iter().all(|r| r.status == "sent" && r.repeats == 0), "{after:#?}");
    rig.store.close().await;
}

/// A month with the daemon down: on the first morning back there is one catch-up digest
/// per person, not one per missed day or step, and the missed checkpoints are overdue.
async fn thirty_days_down_gives_one_digest_per_person(url: &str) {
    let rig = Rig::new(url, local(2021, 3, 1, 0, 0)).await;
    rig.run_until(local(2021, 3, 10, 0, 0), 0).await;
    let before = rig.server.received().len();
    // Down from 10 March to 9 April (30 days): the clock simply moves on.
    rig.clock.set(local(2021, 4, 9, 0, 0));
    rig.run_until(local(2021, 4, 10, 0, 0), 0).await;
    let got = sent(&rig.server.received()[before..]);
    let people: Vec<&str> = got.iter().map(|(to, _, _)| to.as_str()).collect();
    let unique: BTreeSet<&str> = people.iter().copied().collect();
    assert_eq!(people.len(), unique.len(), "one digest per person: {people:?}");
    assert!(unique.contains("cecilia@testkommun.se") && unique.contains("rita@testkommun.se"), "{people:?}");
    let overdue = rig.store.status(&arshjul::store::Filter::default()).await.unwrap();
    let late: Vec<&str> = overdue.iter().filter(|r| r.state == arshjul::workflow::State::Overdue).map(|r| r.id.as_str()).collect();
    assert!(late.contains(&"testkommun/arshjul/dialogmote-vt/norrskolan/2021"), "{late:?}");
    rig.store.close().await;
}

/// The rektor of Norrskolan leaves (struck from the directory, then SIGHUP): her school's
/// reminders go to the förvaltningschef, naming the vacancy. A broken file on a later
/// reload is refused and the daemon keeps running on what it had.
async fn a_rektor_who_leaves_and_a_bad_reload(url: &str) {
    let rig = Rig::new(url, local(2021, 3, 1, 0, 0)).await;
    rig.dir.write("people.csv", PEOPLE.replace("testkommun,rektor,norrskolan,Rita Rektor,rita@testkommun.se\n", ""));
    let stats = rig.run_until(local(2021, 3, 27, 0, 0), 1).await;
    assert_eq!((stats.reloads, stats.refused_reloads), (1, 0));
    let got = rig.server.received();
    assert!(got.iter().all(|r| !r.to.contains(&"rita@testkommun.se".to_owned())), "rita has left");
    let to_chef: Vec<&Received> = got.iter().filter(|r| r.to == ["cecilia@testkommun.se"]).collect();
    assert!(
        to_chef.iter().any(|r| crate::mail::text_part(&r.data).contains("Du får detta eftersom rollen Rektor (Norrskolan) är vakant.")),
        "the vacancy is named to the superior"
    );
    // A definition file broken mid-run: refused, the old model keeps sending.
    rig.dir.write("testkommun/plan.yaml", "plan: [");
    let before = rig.server.received().len();
    let stats = rig.run_until(local(2021, 5, 31, 0, 0), 1).await;
    assert_eq!((stats.reloads, stats.refused_reloads), (0, 1));
    assert!(rig.server.received().len() > before, "still sending on the old definitions");
    rig.store.close().await;
}

crate::support::on_both_engines!(
    a_term_through_both_dst_changes_over_smtp,
    a_send_time_in_the_dst_hours,
    smtp_down_then_up_delivers_everything,
    thirty_days_down_gives_one_digest_per_person,
    a_rektor_who_leaves_and_a_bad_reload,
);
