//! Issue 10 item 2: an unreported checkpoint becomes *missad* by an event when its
//! follow-up window closes. The daemon loop over virtual time (a `ManualClock`, no sleeps)
//! with the real store on both engines and real SMTP on loopback: open → overdue → missed,
//! one notice to the superior (also across a restart), no more reminders to the owner; then
//! a late report is accepted, marked late, and approvable.

use crate::mail::{header, text_part};
use crate::smtp_server::{Received, SmtpServer};
use crate::support::{ORG, TempDir};
use arshjul::clock::ManualClock;
use arshjul::definition::{Lang, Model};
use arshjul::engine::daemon::{self, Control, Sources};
use arshjul::engine::{Engine, Settings};
use arshjul::mail::{Mailer, SmtpConfig, SmtpSender};
use arshjul::store::Store;
use arshjul::workflow::{Command, EventKind, Late, Outcome, Report, SYSTEM, State, Today};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Stockholm;
use std::sync::Arc;

const PEOPLE: &str = "organisation,role,unit,name,email
testkommun,forvaltningschef,,Cecilia Chef,cecilia@testkommun.se
testkommun,rektor,norrskolan,Rita Rektor,rita@testkommun.se
testkommun,rektor,soderskolan,Sune Rektor,sune@testkommun.se
";

/// One follow-up, due Friday 12 March 2021, per unit for Norrskolan's rektor, missed ten
/// working days after its due date. No wheel: nothing else is reminded.
const PLAN: &str = "plan:
  id: plan-2021
  name: Plan 2021
  period: 2021
initiatives:
  - id: lasning
    name: Läslyftet
    owner: forvaltningschef
    checkpoints:
      - id: lagesrapport
        name: Lägesrapport
        when: 2021-03-12
        per_unit: rektor
        units: [norrskolan]
        reminders: { missed_after: 10 arbetsdagar }
";

const UNIT_CP: &str = "testkommun/plan-2021/lasning/lagesrapport/norrskolan";

fn local(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Stockholm.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap().with_timezone(&Utc)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

struct Rig {
    dir: TempDir,
    url: String,
    model: Arc<Model>,
    clock: ManualClock,
    server: SmtpServer,
}

impl Rig {
    fn sources(&self) -> Sources {
        Sources { dir: self.dir.path().to_path_buf(), people: self.dir.path().join("people.csv") }
    }

    /// A fresh store connection each time: a restarted daemon.
    async fn engine(&self) -> Engine {
        let settings = Settings { domain: "testkommun.se".into(), owner: "test".into(), ..Settings::default() };
        Engine { store: Store::open(&self.url).await.unwrap(), model: self.model.clone(), settings }
    }

    fn sender(&self) -> SmtpSender {
        SmtpSender {
            mailer: Mailer::new(&SmtpConfig::parse(&self.server.url()).unwrap()).unwrap(),
            from: "arshjul <arshjul@testkommun.se>".parse().unwrap(),
            domain: "testkommun.se".into(),
            lang: Lang::Sv,
            links: None,
        }
    }

    async fn run_until(&self, until: DateTime<Utc>) {
        let (mut control, _reload, _stop) = Control::new();
        control.until = Some(until);
        let engine = self.engine().await;
        daemon::run(engine, self.sender(), &self.clock, self.sources(), control).await;
    }
}

/// (recipient, local day, decoded text) of each message.
fn mails(got: &[Received]) -> Vec<(String, NaiveDate, String)> {
    got.iter()
        .map(|r| {
            let at = DateTime::parse_from_rfc2822(&header(&r.data, "Date")).unwrap().with_timezone(&Stockholm).date_naive();
            (r.to.join(","), at, text_part(&r.data))
        })
        .collect()
}

async fn open_overdue_missed_one_notice_then_a_late_report(url: &str) {
    let dir = TempDir::new();
    dir.write("testkommun/organisation.yaml", ORG);
    dir.write("testkommun/plan.yaml", PLAN);
    dir.write("people.csv", PEOPLE);
    let mut rig =
        Rig { dir, url: url.to_owned(), model: Arc::default(), clock: ManualClock::new(local(2021, 2, 1, 0)), server: SmtpServer::start() };
    let mut e = rig.engine().await;
    assert!(daemon::reload(&mut e, &rig.sources(), &rig.clock).await, "the definitions load");
    rig.model = e.model;
    let store = Store::open(url).await.unwrap();

    // Through the due date and the first week overdue: open, then overdue.
    rig.run_until(local(2021, 3, 20, 0)).await;
    assert_eq!(store.checkpoint(UNIT_CP).await.unwrap().unwrap().state, State::Overdue);
    // Ten whole working days after Friday 12 March are 15–19 and 22–26 March: still overdue
    // on Friday 26th, missed on Monday 29 March.
    rig.run_until(local(2021, 3, 28, 0)).await;
    assert_eq!(store.checkpoint(UNIT_CP).await.unwrap().unwrap().state, State::Overdue);
    rig.run_until(local(2021, 3, 29, 12)).await;
    assert_eq!(store.checkpoint(UNIT_CP).await.unwrap().unwrap().state, State::Missed);
    let history = store.history(UNIT_CP).await.unwrap();
    let missed: Vec<_> = history.iter().filter(|e| e.kind == EventKind::Missed).collect();
    assert_eq!(missed.len(), 1, "{history:#?}");
    assert_eq!(missed[0].actor, SYSTEM);
    assert_eq!(missed[0].at.with_timezone(&Stockholm).date_naive(), day(2021, 3, 29));
    let kinds: Vec<&str> = history
        .iter()
        .map(|e| match e.kind {
            EventKind::Created { .. } => "created",
            EventKind::Opened => "opened",
            EventKind::BecameOverdue => "overdue",
            EventKind::Missed => "missed",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["created", "opened", "overdue", "missed"]);

    // A restarted daemon (new connections) runs on for five weeks: nothing more.
    rig.run_until(local(2021, 5, 3, 0)).await;
    let got = mails(&rig.server.received());
    let about = |t: &str| t.contains(UNIT_CP);
    let to_rita: Vec<NaiveDate> = got.iter().filter(|(to, _, t)| to == "rita@testkommun.se" && about(t)).map(|(_, d, _)| *d).collect();
    assert!(!to_rita.is_empty(), "the owner was reminded before");
    assert!(to_rita.iter().all(|d| *d < day(2021, 3, 29)), "no reminder to the owner once missed: {to_rita:?}");
    let notices: Vec<&(String, NaiveDate, String)> = got.iter().filter(|(_, _, t)| about(t) && t.contains("missad:")).collect();
    assert_eq!(notices.len(), 1, "one notice: {notices:#?}");
    let (to, on, text) = notices[0];
    assert_eq!((to.as_str(), *on), ("cecilia@testkommun.se", day(2021, 3, 29)));
    assert!(text.contains("Uppföljningsfönstret har stängt") && text.contains("Rektor (Norrskolan)"), "{text}");
    // The escalation before it went to the superior too, as before.
    assert!(got.iter().any(|(to, d, t)| to == "cecilia@testkommun.se" && *d == day(2021, 3, 26) && about(t) && t.contains("eskalerad")));

    // `arshjul status` lists it as missad and counts it.
    let status =
        crate::support::arshjul_env(&["status", "--state", "missad"], &[("DATABASE_URL", url), ("ARSHJUL_NOW", "2021-04-19T08:00:00Z")]);
    assert_eq!(status.code, 0, "{}", status.stderr);
    assert!(status.stdout.contains(UNIT_CP) && status.stdout.contains("missad"), "{}", status.stdout);
    assert!(status.stdout.contains(", 2 missade."), "the unit's and the organisation's: {}", status.stdout);

    // Reported late, on Tuesday 20 April: still accepted, marked late, approvable.
    let report = Report { outcome: Outcome::Genomford, reason: None, uppfoljning: "Gjort.".into(), analys: "-".into(), links: vec![] };
    let today = Today { date: day(2021, 4, 20), target_is_working_day: true, window: None };
    let acted = store.act(UNIT_CP, &Command::Report(report), "rita@testkommun.se", local(2021, 4, 20, 9), today).await.unwrap().unwrap();
    // Working days after 12 March by hand: 15–19, 22–26, 29–31 March, 1 April (14),
    // långfredag 2 April and annandag påsk 5 April are red, 6–9 (18), 12–16 (23), 19, 20 (25).
    assert_eq!(
        acted.event,
        EventKind::Reported { report: acted.status.report.clone().unwrap(), late: Some(Late { working_days: 25, after_missed: true }) }
    );
    assert_eq!(acted.status.state, State::Reported);
    let approve = Today { date: day(2021, 4, 21), ..today };
    let approved = store.act(UNIT_CP, &Command::Approve, "cecilia@testkommun.se", local(2021, 4, 21, 9), approve).await.unwrap().unwrap();
    assert_eq!(approved.status.state, State::Approved);
    let history = store.history(UNIT_CP).await.unwrap();
    let missed_at = history.iter().position(|e| e.kind == EventKind::Missed).expect("the missed event stays");
    let reported_at =
        history.iter().position(|e| matches!(e.kind, EventKind::Reported { late: Some(Late { after_missed: true, .. }), .. }));
    assert!(reported_at.is_some_and(|r| r > missed_at), "the audit reads: reported late after missed");
    // `arshjul history` says so.
    let out = crate::support::arshjul_env(&["history", UNIT_CP], &[("DATABASE_URL", url)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("missed") && out.stdout.contains("sent, 25 arbetsdagar efter förfallodagen, i efterhand efter att ha missats"),
        "{}",
        out.stdout
    );
}

/// `missed_after` and `missed_grace` in the definitions: good values reach the schedule's
/// policy; bad ones get a located Swedish error (English with `--lang en`) that says how to
/// write it, and `check` fails.
#[test]
fn missed_after_in_the_definitions() {
    let wheel = "wheel:
  name: Årshjul
  reminders: { missed_grace: 30 arbetsdagar }
  checkpoints:
    - { id: delarsrapport-1, name: Delårsrapport 1, kind: delårsrapport, due: 15 maj, owner: forvaltningschef, reminders: { missed_after: nästa tillfälle } }
";
    let plan = |value: &str| {
        format!(
            "plan:
  id: plan-2021
  name: Plan 2021
  period: 2021
initiatives:
  - id: lasning
    name: Läslyftet
    owner: forvaltningschef
    checkpoints:
      - id: lagesrapport
        name: Lägesrapport
        when: 2021-03-12
        reminders:
          missed_after: {value}
"
        )
    };
    let dir = |value: &str| {
        let t = TempDir::new();
        t.write("testkommun/organisation.yaml", ORG);
        t.write("testkommun/arshjul.yaml", wheel);
        t.write("testkommun/plan.yaml", plan(value));
        t
    };
    let good = dir("15 arbetsdagar");
    let cps = crate::support::plan_json(good.path(), &["--from", "2021-01-01", "--to", "2021-12-31"]);
    let policy = |id: &str| cps.iter().find(|c| c["id"] == id).map(|c| c["reminders"].clone()).unwrap();
    assert_eq!(policy("testkommun/plan-2021/lasning/lagesrapport")["missed_after"], serde_json::json!({ "working_days": 15 }));
    let wheel_policy = policy("testkommun/arshjul/delarsrapport-1/2021");
    assert_eq!((wheel_policy["missed_after"].as_str(), wheel_policy["missed_grace"].as_u64()), (Some("next_occurrence"), Some(30)));
    assert_eq!(crate::support::arshjul(&["check", &good.path().to_string_lossy()]).code, 0);
    for v in ["aldrig", "1 arbetsdag", "260 arbetsdagar", "next occurrence"] {
        let out = crate::support::arshjul(&["check", &dir(v).path().to_string_lossy()]);
        assert_eq!(out.code, 0, "{v}: {}", out.stderr);
    }

    for (value, says) in [
        ("14 dagar", "räknas i arbetsdagar, inte i dagar eller veckor: skriv t.ex. `20 arbetsdagar`"),
        ("snart", "okänt värde `snart` för missed_after. Skriv `nästa tillfälle`"),
        ("0 arbetsdagar", "skulle göra kontrollpunkten missad redan på förfallodagen"),
        ("400 arbetsdagar", "är mer än ett år (260 arbetsdagar)"),
    ] {
        let t = dir(value);
        let out = crate::support::arshjul(&["check", &t.path().to_string_lossy()]);
        assert_eq!(out.code, 1, "{value}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        let needle = format!("{}:14:", t.path().join("testkommun/plan.yaml").display());
        let line = out.stderr.lines().find(|l| l.contains(&needle)).unwrap_or_else(|| panic!("no error at {needle}:\n{}", out.stderr));
        assert!(line.contains(says), "{value}: {line}");
        let en = crate::support::arshjul(&["--lang", "en", "check", &t.path().to_string_lossy()]);
        assert!(en.stderr.contains("missed_after") && en.stderr.contains("working day"), "{}", en.stderr);
    }
    let t = dir("2 veckor");
    t.write("testkommun/arshjul.yaml", wheel.replace("30 arbetsdagar", "en månad"));
    let out = crate::support::arshjul(&["check", &t.path().to_string_lossy()]);
    let needle = format!("{}:3:", t.path().join("testkommun/arshjul.yaml").display());
    assert!(out.stderr.lines().any(|l| l.contains(&needle) && l.contains("okänt värde `en månad` för missed_grace")), "{}", out.stderr);
}

/// A missed checkpoint whose date the definitions move later is open again (the stored row
/// and the replayed history agree), is missed again when its new window closes, and its
/// superior is not told a second time.
async fn the_definitions_moving_a_missed_checkpoint_reopen_it(url: &str) {
    use arshjul::engine::{DryRun, source};
    let dir = TempDir::new();
    dir.write("testkommun/organisation.yaml", ORG);
    dir.write("testkommun/plan.yaml", PLAN);
    dir.write("people.csv", PEOPLE);
    let store = Store::open(url).await.unwrap();
    use chrono::Datelike;
    let sync = |on: NaiveDate| {
        let (dir, store) = (&dir, &store);
        async move {
            let loaded = source::load(dir.path(), &dir.path().join("people.csv"), Lang::Sv).unwrap_or_else(|_| panic!("loads"));
            let window = source::window(&loaded.model, on, None);
            source::store(store, &loaded, window, local(on.year(), on.month(), on.day(), 6)).await.unwrap();
            Arc::new(loaded.model)
        }
    };
    let model = sync(day(2021, 3, 1)).await;
    let engine = Engine { store: store.clone(), model, settings: Settings::default() };
    let sender = DryRun::default();
    for d in [day(2021, 3, 15), day(2021, 3, 29)] {
        engine.tick(local(d.year(), d.month(), d.day(), 8), &sender).await.unwrap();
    }
    assert_eq!(store.checkpoint(UNIT_CP).await.unwrap().unwrap().state, State::Missed);
    dir.write("testkommun/plan.yaml", PLAN.replace("2021-03-12", "2021-04-16"));
    let model = sync(day(2021, 3, 30)).await;
    let row = store.checkpoint(UNIT_CP).await.unwrap().unwrap();
    assert_eq!((row.state, row.due), (State::Open, Some(day(2021, 4, 16))));
    let kinds: Vec<EventKind> = store.history(UNIT_CP).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(arshjul::workflow::Status::replay(&kinds).map(|s| s.state), Some(State::Open), "the row is the replay of its events");
    // Ten working days after 16 April: missed again on 3 May (1 May is a Saturday).
    let engine = Engine { model, ..engine };
    for d in [day(2021, 4, 19), day(2021, 4, 30), day(2021, 5, 3), day(2021, 5, 4)] {
        engine.tick(local(d.year(), d.month(), d.day(), 8), &sender).await.unwrap();
    }
    assert_eq!(store.checkpoint(UNIT_CP).await.unwrap().unwrap().state, State::Missed);
    let notices = sender
        .sent
        .lock()
        .unwrap()
        .iter()
        .flat_map(|(d, _)| d.items.clone())
        .filter(|i| i.checkpoint == UNIT_CP && i.step == arshjul::remind::Step::Missed)
        .count();
    assert_eq!(notices, 1, "the superior is told once");
}

/// The later occurrences of many series are read in one pass, of a few by id ranges: both
/// give the same rows (bytewise prefixes, a unit's series apart from its organisation's).
async fn series_are_read_alike_by_ranges_and_by_one_pass(url: &str) {
    use arshjul::engine::source;
    let units: String = (1..=30).map(|i| format!("    - {{ id: skola{i:02}, name: Skola {i}, kind: grundskola }}\n")).collect();
    let org = ORG.replace(
        "    - { id: norrskolan, name: Norrskolan, kind: grundskola }\n    - { id: soderskolan, name: Söderskolan, kind: grundskola }\n",
        &units,
    );
    let plan = "plan:
  id: plan-2021
  name: Plan 2021
  period: 2021
initiatives:
  - id: lasning
    name: Läslyftet
    owner: forvaltningschef
    checkpoints:
      - { id: traffar, name: Träffar, every: var 6:e vecka, during: 2021, per_unit: rektor }
";
    let dir = TempDir::new();
    dir.write("testkommun/organisation.yaml", org);
    dir.write("testkommun/plan.yaml", plan);
    let loaded = source::load(dir.path(), &dir.path().join("none.csv"), Lang::Sv).unwrap_or_else(|_| panic!("loads"));
    let store = Store::open(url).await.unwrap();
    let window = source::window(&loaded.model, day(2021, 1, 4), None);
    source::store(&store, &loaded, window, local(2021, 1, 4, 6)).await.unwrap();
    let mut series: Vec<String> = (1..=30).map(|i| format!("testkommun/plan-2021/lasning/traffar/skola{i:02}")).collect();
    series.push("testkommun/plan-2021/lasning/traffar".into());
    let all: Vec<&str> = series.iter().map(String::as_str).collect();
    let after = day(2021, 3, 1);
    let mut one_pass = store.series_rows(&all, after).await.unwrap();
    let mut ranges = Vec::new();
    for s in &all {
        ranges.extend(store.series_rows(&[s], after).await.unwrap());
    }
    let key = |o: &arshjul::store::Occurrence| (o.id.clone(), o.due);
    one_pass.sort_by_key(key);
    ranges.sort_by_key(key);
    assert!(one_pass.len() > 30 * 5, "{}", one_pass.len());
    assert!(one_pass.iter().all(|o| o.due > after));
    // The organisation's series' range holds its units' rows too; the one pass keeps only
    // direct children, so compare what `engine::missed` keeps from each.
    let direct = |v: &[arshjul::store::Occurrence]| -> Vec<(String, NaiveDate)> {
        v.iter()
            .filter(|o| arshjul::engine::missed::series_of(&o.id, o.label.as_deref()).is_some_and(|s| all.contains(&s)))
            .map(key)
            .collect()
    };
    let (a, mut b) = (direct(&one_pass), direct(&ranges));
    b.dedup();
    assert_eq!(a, b);
}

crate::support::on_both_engines!(
    open_overdue_missed_one_notice_then_a_late_report,
    the_definitions_moving_a_missed_checkpoint_reopen_it,
    series_are_read_alike_by_ranges_and_by_one_pass
);
