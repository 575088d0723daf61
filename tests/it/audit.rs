//! `arshjul audit` ("did the follow-up happen?"): the figures against a count made here from
//! what the test recorded — on time, late, waived, missed, never — on both engines; the
//! annual report marks what is missing and escapes hostile text; bad filters are refused
//! with exit 2 and change nothing.

use crate::support::{PLAN, TempDir, arshjul_env, on_both_engines, sqlite_url, workflow};
use arshjul::audit::{self, Summary, Verdict};
use arshjul::calendar::{Calendar, DateRange};
use arshjul::definition::{Lang, load_dir};
use arshjul::store::Store;
use arshjul::store::overview::OverviewQuery;
use arshjul::workflow::{Command, Outcome, Report, State, Today};
use chrono::{Duration, NaiveDate, TimeZone, Utc};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn today(date: NaiveDate) -> Today {
    Today { date, target_is_working_day: true, window: None }
}

/// 09:00 UTC on `day` (10:00 or 11:00 in Stockholm: the same date).
fn at(day: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(9, 0, 0).unwrap())
}

fn report(text: &str) -> Report {
    Report { outcome: Outcome::Genomford, reason: None, uppfoljning: text.into(), analys: "-".into(), links: vec![] }
}

/// What the test did to a checkpoint.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Did {
    OnTime,
    Late,
    Waived,
    Missed,
    Nothing,
}

async fn audit_figures_match_a_count_of_what_was_recorded(url: &str) {
    let dir = workflow(PLAN);
    let model = load_dir(dir.path()).unwrap();
    let window = DateRange::new(d("2021-01-01"), d("2021-12-31")).unwrap();
    let store = Store::open(url).await.unwrap();
    store.sync(&arshjul::schedule::expand(&model, window), window, at(d("2021-01-04"))).await.unwrap();
    let mut rows = store.status(&arshjul::store::Filter::default()).await.unwrap();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    assert!(rows.len() >= 6, "{}", rows.len());
    let audit_day = d("2021-09-30");
    let plan = [Did::OnTime, Did::Late, Did::Waived, Did::Missed, Did::Nothing];
    let mut did = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let due = r.due.unwrap();
        let what = plan[i % plan.len()];
        match what {
            Did::OnTime => {
                store
                    .act(&r.id, &Command::Report(report("<script>alert(1)</script> Gjort i tid.")), "rita", at(due), today(due))
                    .await
                    .unwrap()
                    .unwrap();
                if i % 2 == 0 {
                    store.act(&r.id, &Command::Approve, "cecilia", at(due + Duration::days(3)), today(due)).await.unwrap().unwrap();
                }
            }
            Did::Late => {
                let when = due + Duration::days(10);
                store
                    .act(&r.id, &Command::Report(report("<script>alert(1)</script>")), "sune", at(when), today(when))
                    .await
                    .unwrap()
                    .unwrap();
            }
            Did::Waived => {
                let cmd = Command::Waive { reason: "Insatsen avslutad & ersatt".into() };
                store.act(&r.id, &cmd, "ada", at(due - Duration::days(1)), today(due)).await.unwrap().unwrap();
            }
            Did::Missed => {
                let later = due + Duration::days(1);
                store.act(&r.id, &Command::MarkOverdue, "arshjul", at(later), today(later)).await.unwrap().unwrap();
                store
                    .act(&r.id, &Command::MarkMissed { reason: None }, "arshjul", at(later + Duration::days(30)), today(later))
                    .await
                    .unwrap()
                    .unwrap();
            }
            Did::Nothing => {}
        }
        did.push((r.id.clone(), due, what));
    }

    // The count made here.
    let cal = Calendar::default();
    let working_days = |from: NaiveDate, to: NaiveDate| {
        (1..=(to - from).num_days()).filter(|n| cal.is_working_day(from + Duration::days(*n))).count() as u32
    };
    let expect = |due: NaiveDate, what: Did| match what {
        Did::OnTime => (Verdict::OnTime, None),
        Did::Late => (Verdict::Late, Some(working_days(due, due + Duration::days(10)))),
        Did::Waived => (Verdict::Waived, None),
        Did::Missed => (Verdict::Missed, Some(working_days(due, audit_day))),
        Did::Nothing if due < audit_day => (Verdict::Overdue, Some(working_days(due, audit_day))),
        Did::Nothing => (Verdict::Pending, None),
    };

    let promised = store.audit_rows(&OverviewQuery::default()).await.unwrap();
    let got = audit::rows(&promised, &model, &[], audit_day);
    assert_eq!(got.len(), did.len());
    for (id, due, what) in &did {
        let r = got.iter().find(|r| r.checkpoint == *id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!((r.verdict, r.late_working_days), expect(*due, *what), "{id} ({what:?}, due {due})");
        match what {
            Did::OnTime => assert_eq!((r.reported_on, r.reported_by.as_deref()), (Some(*due), Some("rita")), "{id}"),
            Did::Waived => {
                assert_eq!((r.waived_by.as_deref(), r.waived_reason.as_deref()), (Some("ada"), Some("Insatsen avslutad & ersatt")), "{id}")
            }
            Did::Missed => assert!(r.missed && r.state == State::Missed, "{id}"),
            _ => {}
        }
        if r.approved_by.is_some() {
            assert_eq!((r.approved_by.as_deref(), r.approved_on), (Some("cecilia"), Some(*due + Duration::days(3))), "{id}");
        }
    }

    // The summary per plan, unit and role against the same count.
    let summary = Summary::of(&got, Lang::Sv);
    let count = |keep: &dyn Fn(&str) -> bool, v: Verdict| did.iter().filter(|(id, due, w)| keep(id) && expect(*due, *w).0 == v).count();
    let all = |_: &str| true;
    let t = summary.total();
    assert_eq!(
        [t.on_time, t.late, t.waived, t.missed, t.overdue, t.pending],
        [Verdict::OnTime, Verdict::Late, Verdict::Waived, Verdict::Missed, Verdict::Overdue, Verdict::Pending].map(|v| count(&all, v))
    );
    assert!(t.on_time > 0 && t.late > 0 && t.waived > 0 && t.missed > 0 && t.overdue > 0, "{t:?}");
    let plan_rows = |id: &str| id.starts_with("testkommun/plan-2021/");
    let g = summary.groups.iter().find(|g| g.key.as_deref() == Some("testkommun/plan-2021")).expect("a plan line");
    assert_eq!(g.counts.late, count(&plan_rows, Verdict::Late));
    assert_eq!(g.counts.total, did.iter().filter(|(id, ..)| plan_rows(id)).count());
    let norr = |id: &str| got.iter().any(|r| r.checkpoint == id && r.unit.as_deref() == Some("norrskolan"));
    let g = summary.groups.iter().find(|g| g.key.as_deref() == Some("testkommun/norrskolan")).expect("a unit line");
    assert_eq!((g.counts.on_time, g.counts.missed), (count(&norr, Verdict::OnTime), count(&norr, Verdict::Missed)));
    let rektor = |id: &str| got.iter().any(|r| r.checkpoint == id && r.owner_role == "rektor");
    let g = summary.groups.iter().find(|g| g.key.as_deref() == Some("testkommun/rektor")).expect("a role line");
    assert_eq!((g.counts.waived, g.counts.total), (count(&rektor, Verdict::Waived), did.iter().filter(|(id, ..)| rektor(id)).count()));
    assert_eq!(g.counts.share(g.counts.waived), Some(g.counts.waived as f64 / g.counts.settled() as f64));

    // Filters run in the database: one unit, one role, a date range.
    let q = OverviewQuery { unit: Some("soderskolan".into()), to: Some(d("2021-04-30")), ..Default::default() };
    let some = store.audit_rows(&q).await.unwrap();
    assert!(!some.is_empty());
    assert!(some.iter().all(|p| p.row.unit.as_deref() == Some("soderskolan") && p.row.due.unwrap() <= d("2021-04-30")));
    assert_eq!(some.len(), got.iter().filter(|r| r.unit.as_deref() == Some("soderskolan") && r.due.unwrap() <= d("2021-04-30")).count());

    // The annual report: what is missing is said, hostile text is escaped.
    let org = &model.organisations[0];
    let plan = &org.plans[0];
    let scope = audit::Scope { from: plan.period.start, to: plan.period.end, label: "2021".into() };
    let doc = audit::Document::build(org, plan, &got, scope, audit_day, Some("sha256:abc".into()));
    let html = doc.html();
    assert!(html.contains("Uppföljning av utvecklingsplan: Plan 2021"), "{html}");
    assert!(!html.contains("<script>alert(1)</script>"), "{html}");
    let plan_reported = got.iter().any(|r| plan_rows(&r.checkpoint) && matches!(r.verdict, Verdict::OnTime | Verdict::Late));
    assert_eq!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), plan_reported, "{html}");
    assert!(html.contains("Historikens ankare: ") && html.contains("sha256:abc"));
    let plan_verdicts: Vec<Verdict> = got.iter().filter(|r| plan_rows(&r.checkpoint)).map(|r| r.verdict).collect();
    if plan_verdicts.contains(&Verdict::Missed) {
        assert!(html.contains("Missad — ingen rapport"), "{html}");
    }
    if plan_verdicts.contains(&Verdict::Waived) {
        assert!(html.contains("Avskriven") && html.contains("Insatsen avslutad &amp; ersatt"), "{html}");
    }
    assert_eq!(doc.counts.total, plan_verdicts.len());
}

on_both_engines!(audit_figures_match_a_count_of_what_was_recorded);

#[test]
fn unknown_filters_are_refused_with_suggestions_exit_2_and_nothing_changes() {
    let dir = workflow(PLAN);
    let t = TempDir::new();
    let url = sqlite_url(&t);
    let people = t.write("people.csv", "organisation,role,unit,name,email\n").display().to_string();
    let env = [("DATABASE_URL", url.as_str()), ("ARSHJUL_NOW", "2021-03-01T08:00:00Z"), ("ARSHJUL_PEOPLE", people.as_str())];
    let d = dir.path().to_string_lossy().into_owned();
    let sync = arshjul_env(&["sync", &d], &env);
    assert_eq!(sync.code, 0, "{}", sync.stderr);
    let db = t.path().join("arshjul.db");
    let before = std::fs::read(&db).unwrap();
    for (args, says) in [
        (vec!["audit", "--plan", "plan-2012"], "okänd plan `plan-2012` (`--plan`). Menade du `plan-2021`?"),
        (vec!["audit", "--unit", "norskolan"], "okänd enhet `norskolan` (`--unit`). Menade du någon av `norrskolan`"),
        (vec!["audit", "--role", "rektorn"], "okänd roll `rektorn` (`--role`). Menade du `rektor`?"),
        (vec!["audit", "--organisation", "testkomun"], "Menade du `testkommun`?"),
        (vec!["audit", "--from", "hösten 20x1"], "--from `hösten 20x1`"),
        (vec!["audit", "--from", "2021-06-01", "--to", "2021-01-01"], "ligger före --from"),
        (vec!["report-document", "--plan", "plan-2012", "--dir", &d], "okänd plan `plan-2012` (`--plan`). Menade du `plan-2021`?"),
    ] {
        let out = arshjul_env(&args, &env);
        assert_eq!(out.code, 2, "{args:?}: {}{}", out.stdout, out.stderr);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
    }
    let en = arshjul_env(&["--lang", "en", "audit", "--plan", "plan-2012"], &env);
    assert!(en.stderr.contains("unknown plan `plan-2012` (`--plan`). Did you mean `plan-2021`?"), "{}", en.stderr);
    assert_eq!(std::fs::read(&db).unwrap(), before, "the database is unchanged");
    // And a known plan prints the table with Swedish headers.
    let ok = arshjul_env(&["audit", "--plan", "plan-2021", "--dir", &d], &env);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stdout.starts_with("Förfaller") && ok.stdout.contains("Sammanfattning"), "{}", ok.stdout);
}
