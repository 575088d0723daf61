use super::*;
use crate::definition::Lang;
use crate::store::{Promised, Recorded, Row};
use crate::workflow::{Outcome, Report};
use chrono::{TimeZone, Utc};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn row(id: &str, due: &str, state: State, report: Option<Outcome>) -> Row {
    Row {
        id: id.into(),
        organisation: "k".into(),
        plan: Some("p".into()),
        initiative: Some("i".into()),
        title: "=HYPERLINK(\"http://x\")".into(),
        kind: "uppföljning".into(),
        owner_role: "rektor".into(),
        unit: Some("skola".into()),
        parent: None,
        due: Some(d(due)),
        state,
        rescheduled: false,
        school_break: None,
        report: report.map(|o| Report { outcome: o, reason: None, uppfoljning: "U".into(), analys: "A".into(), links: vec![] }),
        in_plan: true,
        added_past_due: false,
    }
}

fn ev(kind: &str, at: &str, actor: &str, reason: Option<&str>) -> Recorded {
    let t = chrono::DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&Utc);
    Recorded { at: t, actor: actor.into(), reason: reason.map(str::to_owned), kind: kind.into() }
}

#[test]
fn verdicts_and_working_days_late_follow_the_definitions() {
    let model = Model::default();
    let today = d("2021-06-30");
    let p = vec![
        // Due Fri 2021-04-30; reported Mon 3 May 23:30 UTC = Tue 4 May in Stockholm: working
        // days after the due date up to 4 May: Mon 3, Tue 4 (1 May is a Saturday and red).
        Promised {
            row: row("a", "2021-04-30", State::Approved, Some(Outcome::Genomford)),
            events: vec![ev("reported", "2021-05-03T22:30:00Z", "rita", None), ev("approved", "2021-05-10T08:00:00Z", "cecilia", None)],
        },
        // Reported on the due date itself, late evening UTC still the same Stockholm day.
        Promised {
            row: row("b", "2021-05-12", State::Reported, Some(Outcome::EjPaborjad)),
            events: vec![ev("reported", "2021-05-12T21:00:00Z", "sune", None)],
        },
        Promised {
            row: row("c", "2021-05-12", State::Waived, None),
            events: vec![ev("waived", "2021-05-20T08:00:00Z", "ada", Some("Insatsen avslutad"))],
        },
        Promised { row: row("d", "2021-06-01", State::Missed, None), events: vec![ev("missed", "2021-06-15T08:00:00Z", "arshjul", None)] },
        Promised { row: row("e", "2021-06-28", State::Overdue, None), events: vec![] },
        Promised { row: row("f", "2021-08-20", State::Planned, None), events: vec![] },
        // Missed, then reported late: late, and marked missed.
        Promised {
            row: row("g", "2021-06-01", State::Reported, Some(Outcome::Genomford)),
            events: vec![ev("missed", "2021-06-15T08:00:00Z", "arshjul", None), ev("reported", "2021-06-16T08:00:00Z", "rita", None)],
        },
    ];
    let rows = rows(&p, &model, &[], today);
    let v: Vec<Verdict> = rows.iter().map(|r| r.verdict).collect();
    use Verdict::*;
    assert_eq!(v, [Late, OnTime, Waived, Missed, Overdue, Pending, Late]);
    assert_eq!(rows[0].reported_on, Some(d("2021-05-04")));
    assert_eq!(rows[0].late_working_days, Some(2));
    assert_eq!((rows[0].approved_by.as_deref(), rows[0].approved_on), (Some("cecilia"), Some(d("2021-05-10"))));
    assert_eq!(rows[1].late_working_days, None);
    assert_eq!((rows[2].waived_by.as_deref(), rows[2].waived_reason.as_deref()), (Some("ada"), Some("Insatsen avslutad")));
    // After Tue 1 June up to Wed 30 June: 2–4, 7–11, 14–18, 21–24, 28–30 = 3 + 5 + 5 + 4 + 3
    // = 20 (midsommarafton, Fri 25 June, is not a working day; 6 June is a Sunday in 2021).
    assert_eq!(rows[3].late_working_days, Some(20));
    assert_eq!(rows[4].late_working_days, Some(2));
    assert!(rows[6].missed && rows[6].verdict == Late);
    let s = Summary::of(&rows, Lang::Sv);
    let t = s.total();
    assert_eq!((t.total, t.on_time, t.late, t.waived, t.missed, t.overdue, t.pending), (7, 1, 2, 1, 1, 1, 1));
    assert_eq!(t.share(t.late), Some(2.0 / 5.0));
    // Formula injection is defused in CSV.
    let csv = render::csv(&rows, Lang::Sv);
    assert!(csv.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","), "{csv}");
    assert!(!csv.contains(",=HYPERLINK"));
    let _ = Utc.with_ymd_and_hms(2021, 1, 1, 0, 0, 0);
}
