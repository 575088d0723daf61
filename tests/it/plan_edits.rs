//! Editing a plan never silently drops what was recorded (issue 8, item 3). Moving a
//! recurring checkpoint's `during` re-labels every occurrence; the stored occurrences keep
//! their ids (a reschedule with an event), a reported one keeps its report; removing the
//! checkpoint keeps the reported one as "no longer in the plan"; checkpoints that arrive
//! already past are listed and not mailed. Through the binary, on both engines.

use crate::support::{ORG, TempDir, WHEEL, arshjul_env, on_both_engines};
use arshjul::definition::load_dir;
use arshjul::engine::{DryRun, Engine, Settings};
use arshjul::schedule::{expand, sync_window};
use arshjul::store::{Filter, Store};
use arshjul::workflow::{Command, EventKind, Outcome, Report, State, Today};
use chrono::{NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use std::sync::Arc;

const NOW: &str = "2021-10-20T08:00:00Z";

fn plan(checkpoints: &str) -> String {
    format!(
        "plan:\n  id: plan-2021\n  name: Plan 2021\n  period: 2021\ninitiatives:\n  - id: matematik\n    name: Matematiklyftet\n    owner: forvaltningschef\n    checkpoints:\n{checkpoints}"
    )
}

fn traffar(during: &str) -> String {
    format!("      - {{ id: traffar, name: Kompetensutveckling, every: var 4:e vecka, during: {during} }}\n")
}

const UTVARDERING: &str = "      - { id: utvardering, name: Utvärdering, when: 15 december 2021 }\n";

fn workflows(plan_text: &str) -> TempDir {
    let t = TempDir::new();
    t.write("wf/testkommun/organisation.yaml", ORG);
    t.write("wf/testkommun/arshjul.yaml", WHEEL);
    t.write("wf/testkommun/plan.yaml", plan_text);
    t.write("people.csv", "organisation,role,unit,name,email\ntestkommun,forvaltningschef,,Cecilia Chef,cecilia@testkommun.se\n");
    t
}

fn cli(t: &TempDir, db: &str, args: &[&str]) -> crate::support::Output {
    let people = t.path().join("people.csv").display().to_string();
    let out = arshjul_env(args, &[("DATABASE_URL", db), ("ARSHJUL_NOW", NOW), ("ARSHJUL_PEOPLE", &people)]);
    assert_eq!(out.code, 0, "arshjul {args:?}: {}\n{}", out.stdout, out.stderr);
    out
}

fn sync(t: &TempDir, db: &str) -> String {
    let dir = t.path().join("wf").display().to_string();
    cli(t, db, &["sync", &dir]).stdout
}

fn status(t: &TempDir, db: &str, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["status", "--format", "json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&cli(t, db, &args).stdout).expect("status JSON")
}

fn row<'a>(rows: &'a [serde_json::Value], id: &str) -> &'a serde_json::Value {
    rows.iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("{id} in {rows:#?}"))
}

const W38: &str = "testkommun/plan-2021/matematik/traffar/2021w38";

async fn moving_a_period_keeps_ids_and_the_report(db: &str) {
    let t = workflows(&plan(&traffar("2021-08-23 – 2021-12-10")));
    sync(&t, db);
    let before: Vec<String> =
        status(&t, db, &[]).iter().filter(|r| r["id"].as_str().unwrap().contains("/traffar/")).map(|r| r["id"].to_string()).collect();
    assert_eq!(before.len(), 4, "{before:?}");
    cli(&t, db, &["report", W38, "--outcome", "genomförd", "--uppfoljning", "Träff hållen", "--analys", "-", "--as", "chef@testkommun.se"]);

    // One week later: every occurrence gets another label (2021w39 …).
    t.write("wf/testkommun/plan.yaml", plan(&traffar("2021-08-30 – 2021-12-17")));
    let out = sync(&t, db);
    assert!(out.contains("4 flyttade") && out.contains("0 strukna") && out.contains("0 nya"), "{out}");
    assert!(out.contains("4 återkommande kontrollpunkter behöll sina id:n"), "{out}");
    let rows = status(&t, db, &[]);
    let after: Vec<String> = rows.iter().filter(|r| r["id"].as_str().unwrap().contains("/traffar/")).map(|r| r["id"].to_string()).collect();
    assert_eq!(after, before, "the same ids");
    let w38 = row(&rows, W38);
    assert_eq!(w38["state"], "reported");
    assert_eq!(w38["due"], "2021-09-27");
    assert_eq!(w38["report"]["uppfoljning"], "Träff hållen");
    let store = Store::open(db).await.unwrap();
    let history = store.history(W38).await.unwrap();
    assert!(
        history
            .iter()
            .any(|e| matches!(e.kind, EventKind::Rescheduled { .. }) && e.reason.as_deref() == Some("perioden ändrad i definitionerna"))
    );
    // The past occurrences that moved are not "new and long overdue".
    assert!(!out.contains("redan har passerat"), "{out}");
    // Stable from here: the next sync changes nothing.
    let again = sync(&t, db);
    assert!(again.contains("0 nya, 0 flyttade, 0 strukna, 0 tillbaka, 0 uppdaterade,"), "{again}");

    // The checkpoint leaves the plan: the reported one is kept and listed, the rest cancelled.
    t.write("wf/testkommun/plan.yaml", plan(UTVARDERING));
    let out = sync(&t, db);
    assert!(out.contains("3 strukna") && out.contains("Finns inte längre i planen") && out.contains(W38), "{out}");
    let rows = status(&t, db, &[]);
    let w38 = row(&rows, W38);
    assert_eq!((w38["state"].as_str(), w38["in_plan"].as_bool()), (Some("reported"), Some(false)));
    assert_eq!(w38["report"]["uppfoljning"], "Träff hållen");
    let table = cli(&t, db, &["status"]).stdout;
    assert!(table.contains("(ej längre i planen)"), "{table}");
    // It comes back: restored into the plan, still reported.
    t.write("wf/testkommun/plan.yaml", plan(&(traffar("2021-08-30 – 2021-12-17") + UTVARDERING)));
    let out = sync(&t, db);
    assert!(out.contains("4 tillbaka"), "{out}");
    let w38 = status(&t, db, &[]).into_iter().find(|r| r["id"] == W38).unwrap();
    assert_eq!((w38["state"].as_str(), w38["in_plan"].as_bool()), (Some("reported"), Some(true)));
    store.close().await;
}

/// A checkpoint added to the plan with a date already past is listed by sync and shown by
/// status, and the engine does not mail it as overdue; one rescheduled ahead is reminded.
async fn checkpoints_arriving_past_due_are_listed_not_mailed(db: &str) {
    let t = workflows(&plan(UTVARDERING));
    sync(&t, db);
    t.write(
        "wf/testkommun/plan.yaml",
        plan(&format!("{UTVARDERING}      - {{ id: kartlaggning, name: Kartläggning, when: 15 september 2021 }}\n")),
    );
    let out = sync(&t, db);
    let late = "testkommun/plan-2021/matematik/kartlaggning";
    assert!(out.contains("redan har passerat") && out.contains(late), "{out}");
    let rows = status(&t, db, &[]);
    assert_eq!(row(&rows, late)["added_past_due"], true);

    let store = Store::open(db).await.unwrap();
    let model = Arc::new(load_dir(&t.path().join("wf")).unwrap());
    let engine = Engine { store: store.clone(), model, settings: Settings::default() };
    let dry = DryRun::default();
    // The next morning, 07:30 local: the overdue transition happens, but no reminder.
    let morning = Utc.with_ymd_and_hms(2021, 10, 21, 5, 30, 0).unwrap();
    engine.tick(morning, &dry).await.unwrap();
    let mailed =
        |dry: &DryRun| dry.sent.lock().unwrap().iter().flat_map(|(d, _)| d.items.iter().map(|i| i.checkpoint.clone())).collect::<Vec<_>>();
    assert!(!mailed(&dry).contains(&late.to_owned()), "{:?}", mailed(&dry));
    let row = store.status(&Filter::default()).await.unwrap().into_iter().find(|r| r.id == late).unwrap();
    assert_eq!(row.state, State::Overdue, "it is shown as overdue, honestly");
    // Moved ahead by a person: reminded as any other.
    let today = Today { date: NaiveDate::from_ymd_opt(2021, 10, 21).unwrap(), target_is_working_day: true, window: None };
    let cmd = Command::Reschedule { to: NaiveDate::from_ymd_opt(2021, 10, 29).unwrap(), reason: "görs nu".into(), force: false };
    store.act(late, &cmd, "chef@testkommun.se", morning, today).await.unwrap().unwrap();
    let dry = DryRun::default();
    engine.tick(Utc.with_ymd_and_hms(2021, 10, 22, 5, 30, 0).unwrap(), &dry).await.unwrap();
    assert!(mailed(&dry).contains(&late.to_owned()), "{:?}", mailed(&dry));
    store.close().await;
}

on_both_engines!(moving_a_period_keeps_ids_and_the_report, checkpoints_arriving_past_due_are_listed_not_mailed);

/// Syncs `during` (in days from 2021-08-23, length in days) of a 3-weekly rule at `now`.
async fn sync_rule(store: &Store, t: &TempDir, start: i64, len: i64) -> Vec<arshjul::schedule::Checkpoint> {
    let base = NaiveDate::from_ymd_opt(2021, 8, 23).unwrap();
    let (from, to) = (base + chrono::Duration::days(start), base + chrono::Duration::days(start + len));
    t.write(
        "wf/testkommun/plan.yaml",
        plan(&format!("      - {{ id: traffar, name: Träff, every: var 3:e vecka, during: {from} – {to} }}\n")),
    );
    let model = load_dir(&t.path().join("wf")).unwrap();
    let today = NaiveDate::from_ymd_opt(2021, 10, 20).unwrap();
    let window = sync_window(&model, today);
    let cps = expand(&model, window);
    store.sync(&cps, window, Utc.with_ymd_and_hms(2021, 10, 20, 8, 0, 0).unwrap()).await.unwrap();
    cps
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    /// Any edit of a recurring rule's period keeps every reported occurrence's report
    /// reachable by its id, with the report intact and never cancelled.
    #[test]
    fn any_period_edit_keeps_every_report_reachable(
        start in -30i64..30, len in 40i64..100, start2 in -30i64..30, len2 in 20i64..100, picks in proptest::collection::vec(any::<bool>(), 8)
    ) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let t = workflows(&plan(UTVARDERING));
            let store = Store::open(&crate::support::sqlite_url(&t)).await.unwrap();
            let cps = sync_rule(&store, &t, start, len).await;
            let now = Utc.with_ymd_and_hms(2021, 10, 20, 8, 0, 0).unwrap();
            let today = Today { date: NaiveDate::from_ymd_opt(2021, 10, 20).unwrap(), target_is_working_day: true, window: None };
            let mut reported = Vec::new();
            for (c, pick) in cps.iter().filter(|c| c.id.contains("/traffar/")).zip(&picks) {
                if *pick {
                    let r = Report { outcome: Outcome::Genomford, reason: None, uppfoljning: format!("om {}", c.id), analys: "-".into(), links: Vec::new() };
                    store.act(&c.id, &Command::Report(r), "chef", now, today).await.unwrap().unwrap();
                    reported.push(c.id.clone());
                }
            }
            let again = sync_rule(&store, &t, start2, len2).await;
            let count = |cps: &[arshjul::schedule::Checkpoint]| cps.iter().filter(|c| c.id.contains("/traffar/")).count();
            // A shift of up to four weeks that keeps the number of occurrences pairs every
            // occurrence with its twin: the reported ones stay in the plan.
            let pure_shift = count(&cps) == count(&again) && (start2 - start).abs() <= 28;
            let rows = store.status(&Filter { include_cancelled: true, ..Filter::default() }).await.unwrap();
            for id in &reported {
                let row = rows.iter().find(|r| &r.id == id).expect("reachable by id");
                assert_eq!(row.state, State::Reported, "{id}: {row:?}");
                assert_eq!(row.report.as_ref().map(|r| r.uppfoljning.clone()), Some(format!("om {id}")));
                if pure_shift {
                    assert!(row.in_plan, "{id} paired with its shifted twin: {row:?}");
                }
            }
            store.close().await;
        });
    }
}
