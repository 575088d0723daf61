//! Many actions at once (SQLite: one writer commits what is queued together,
//! `store::group_commit`; PostgreSQL: side by side under row locks): each is judged by the
//! state machine and answered on its own; a refusal takes nothing back from the others; an
//! action that fails in the database fails alone.

use crate::support::{PLAN, on_both_engines};
use crate::web_support::Web;
use arshjul::store::Filter;
use arshjul::workflow::{Command, Outcome, Report, Today};
use futures_util::future::join_all;

fn report() -> Command {
    Command::Report(Report { outcome: Outcome::ALL[0], reason: None, uppfoljning: "Gjort.".into(), analys: "-".into(), links: Vec::new() })
}

async fn concurrent_actions_are_each_judged_and_answered(url: &str) {
    let w = Web::start(url, PLAN).await;
    let now = w.state.now();
    let today = Today { date: w.state.today(), target_is_working_day: true, window: None };
    let rows = w.store.status(&Filter::default()).await.unwrap();
    let open: Vec<String> = rows.iter().filter(|r| r.state.is_pending()).map(|r| r.id.clone()).take(30).collect();
    assert!(open.len() >= 10, "{} pending checkpoints", open.len());
    // One action fails in the database: a real trigger refuses its event.
    let bad = open[0].clone();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let ddl: Vec<String> = if url.starts_with("sqlite") {
        vec![format!("CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.checkpoint = '{bad}' BEGIN SELECT RAISE(ABORT, 'boom'); END")]
    } else {
        vec![
            "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$".into(),
            format!("CREATE TRIGGER boom BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.checkpoint = '{bad}') EXECUTE FUNCTION boom()"),
        ]
    };
    for sql in ddl {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let before: Vec<usize> = join_all(open.iter().map(|id| w.store.history(id))).await.into_iter().map(|h| h.unwrap().len()).collect();
    // All at once: reports on every pending checkpoint (the bad one among them), an approval
    // of something not reported (refused), an unknown checkpoint (refused).
    let mut jobs: Vec<(String, Command)> = open.iter().map(|id| (id.clone(), report())).collect();
    jobs.insert(3, (open[5].clone(), Command::Approve));
    jobs.insert(7, ("testkommun/finns-inte".into(), report()));
    let approve_first = w.store.history(&open[5]).await.unwrap().len();
    let answers = join_all(jobs.iter().map(|(id, cmd)| w.store.act(id, cmd, "rita@testkommun.se", now, today))).await;
    for ((id, cmd), answer) in jobs.iter().zip(&answers) {
        match (id.as_str(), cmd) {
            (i, _) if i == bad => assert!(answer.is_err(), "the failing action fails: {answer:?}"),
            ("testkommun/finns-inte", _) => assert!(matches!(answer, Ok(Err(_))), "unknown: refused: {answer:?}"),
            (_, Command::Approve) => {
                // Judged on the state it met: refused if the report came after it, accepted after it.
                assert!(answer.is_ok(), "{answer:?}");
            }
            _ => assert!(matches!(answer, Ok(Ok(_))), "{id}: {answer:?}"),
        }
    }
    // Every report is stored with its actor, the failing one is not, nothing else is.
    for (i, id) in open.iter().enumerate() {
        let h = w.store.history(id).await.unwrap();
        let approved = usize::from(i == 5 && matches!(answers[3], Ok(Ok(_))));
        let want = if *id == bad { before[i] } else { before[i] + 1 + approved };
        assert_eq!(h.len(), want, "{id}: {h:?}");
        if *id != bad {
            assert_eq!(h[before[i]].actor, "rita@testkommun.se");
        }
    }
    assert_eq!(approve_first, before[5]);
    let bad_row = w.store.checkpoint(&bad).await.unwrap().unwrap();
    assert!(bad_row.report.is_none() && bad_row.state.is_pending(), "{bad_row:?}");
    // A second burst without the failing one (SQLite: one transaction for all): every
    // report replaces the last, each answered, each stored once.
    let rest = &open[6..];
    let lens: Vec<usize> = join_all(rest.iter().map(|id| w.store.history(id))).await.into_iter().map(|h| h.unwrap().len()).collect();
    let cmd = report();
    let answers = join_all(rest.iter().map(|id| w.store.act(id, &cmd, "sune@testkommun.se", now, today))).await;
    assert!(answers.iter().all(|a| matches!(a, Ok(Ok(_)))), "{answers:?}");
    for (id, n) in rest.iter().zip(lens) {
        let h = w.store.history(id).await.unwrap();
        assert_eq!((h.len(), h[n].actor.as_str()), (n + 1, "sune@testkommun.se"), "{id}");
    }
}

on_both_engines!(concurrent_actions_are_each_judged_and_answered);
