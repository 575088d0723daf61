//! Filters, counts, CSV and links, on rows from the real definitions.

use super::counts::{Tally, count};
use super::filter::{Period, WheelStart, decode, parse};
use super::fixture::{date, model, rows, today};
use super::names::Names;
use super::*;
use crate::calendar::Term;
use crate::workflow::State;

#[test]
fn filters_round_trip() {
    let m = model();
    let f = Filter {
        organisation: Some("hoor".into()),
        period: Period::Term(Term::vt(2021)),
        plan: Some("atgardsplan-2020-2022".into()),
        unit: Some("satofta".into()),
        role: Some("rektor".into()),
        states: vec![State::Overdue, State::Reported],
        wheel_start: WheelStart::January,
    };
    let (back, notes) = parse(&f.to_query(), &m, today());
    assert_eq!(back, f);
    assert!(notes.is_empty(), "{notes:?}");
    // Every period form survives the trip; the default is today's läsår.
    for p in [Period::All, Period::SchoolYear(2020), Period::Term(Term::ht(2020))] {
        let g = Filter { period: p, ..Filter::new(today()) };
        assert_eq!(parse(&g.to_query(), &m, today()).0, g);
    }
    assert_eq!(parse("", &m, today()).0.period, Period::SchoolYear(2020));
}

#[test]
fn junk_is_ignored_with_a_note_and_never_panics() {
    let m = model();
    let (f, notes) = parse(
        "plan=nope&unit=%3Cscript%3E&state=overdue,bogus&period=ht99999&start=mars&role=rektor&utm_source=x&%ZZ=%&&=&state=",
        &m,
        today(),
    );
    assert_eq!(f.plan, None);
    assert_eq!(f.unit, None);
    assert_eq!(f.states, vec![State::Overdue], "the good state is kept");
    assert_eq!(f.role.as_deref(), Some("rektor"));
    assert_eq!(f.period, Period::SchoolYear(2020), "a bad period keeps the default");
    let params: Vec<&str> = notes.iter().map(|n| n.param.as_str()).collect();
    assert_eq!(params, ["plan", "unit", "state", "period", "start"]);
    assert_eq!(notes[1].value, "<script>");
    // Anything at all parses.
    for q in ["%", "%%%", "a=%e4", "period=2020/", "period=/21", "state=%FF%FE", "=====", "period=-2147483648/x", &"x=y&".repeat(500)] {
        let _ = parse(q, &m, today());
    }
    assert_eq!(decode("%C3%A5%2Fa+b%2"), "å/a b%2");
}

#[test]
fn periods_cover_school_years_and_terms() {
    assert_eq!(Period::parse("2020/21"), Some(Period::SchoolYear(2020)));
    assert_eq!(Period::parse("2020/2021"), Some(Period::SchoolYear(2020)));
    assert_eq!(Period::parse("2020/22"), None);
    assert_eq!(Period::parse("ht 2020"), Some(Period::Term(Term::ht(2020))));
    let r = Period::SchoolYear(2020).range().unwrap();
    assert_eq!((r.start, r.end), (date("2020-07-01"), date("2021-06-30")));
    let vt = Period::Term(Term::vt(2021)).range().unwrap();
    assert_eq!((vt.start, vt.end), (date("2021-01-01"), date("2021-06-30")));
    assert_eq!(Period::Term(Term::vt(2021)).school_year(today()), 2020);
    assert_eq!(filter::school_year_of(date("2021-06-30")), 2020);
    assert_eq!(filter::school_year_of(date("2021-07-01")), 2021);
}

#[test]
fn counts_add_up_every_way() {
    let m = model();
    let rows = rows(&m);
    let c = count(&rows, &Names::new(&m), Lang::Sv);
    assert_eq!(c.total.total, rows.len());
    let parts = |t: &Tally| t.approved + t.reported + t.upcoming + t.overdue + t.missed + t.waived;
    assert_eq!(parts(&c.total), c.total.total);
    for table in [&c.by_plan, &c.by_unit, &c.by_role] {
        let mut sum = Tally::default();
        for l in table.iter() {
            assert_eq!(parts(&l.tally), l.tally.total, "{}", l.name);
            for (a, b) in [(&mut sum.approved, l.tally.approved), (&mut sum.overdue, l.tally.overdue), (&mut sum.total, l.tally.total)] {
                *a += b;
            }
        }
        assert_eq!((sum.approved, sum.overdue, sum.total), (c.total.approved, c.total.overdue, c.total.total));
    }
    // Done is approved only: reported is counted apart.
    let approved = rows.iter().filter(|r| r.state == State::Approved).count();
    let reported = rows.iter().filter(|r| r.state == State::Reported).count();
    assert!(approved > 0 && reported > 0);
    assert_eq!((c.total.approved, c.total.reported), (approved, reported));
    // Names from the model, organisation level apart, no plan last.
    assert!(c.by_unit.iter().any(|l| l.name.starts_with("Sätoftaskolan")));
    assert!(c.by_unit.iter().any(|l| l.key == "hoor/-"));
    assert_eq!(c.by_plan.last().unwrap().key, "-");
    assert!(c.by_role.iter().any(|l| l.name.starts_with("Rektor")));
}

#[test]
fn cancelled_rows_are_not_counted() {
    let mut t = Tally::default();
    for s in state::ALL {
        t.add(s);
    }
    assert_eq!(t.total, 7);
    assert_eq!(t.done_percent(), Some(17), "1 approved of 6 not waived");
    assert_eq!(Tally::default().done_percent(), None);
}

#[test]
fn csv_is_rfc4180_excel_and_injection_safe() {
    assert_eq!(csv::field("plain"), "plain");
    assert_eq!(csv::field("a,b"), "\"a,b\"");
    assert_eq!(csv::field("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv::field("two\nlines"), "\"two\nlines\"");
    assert_eq!(csv::field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    for bad in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
        assert!(csv::field(bad).trim_start_matches('"').starts_with('\''), "{bad:?}");
    }
    let m = model();
    let mut rows = rows(&m);
    rows[0].title = "=cmd|' /C calc'!A0, \"quoted\"".into();
    let out = checkpoints_csv(&rows, &m, &Filter { period: Period::All, ..Filter::new(today()) }, today(), Lang::Sv);
    assert!(out.starts_with("\u{FEFF}Id,Organisation,Plan,Insats,Kontrollpunkt"), "{}", &out[..80]);
    assert!(out.contains("\"'=cmd|' /C calc'!A0, \"\"quoted\"\"\""));
    assert!(out.ends_with("\r\n") && !out.replace("\r\n", "").contains('\n'));
    assert_eq!(out.matches("\r\n").count(), rows.len() + 1, "header and one line per row");
    assert!(out.contains(",2020-09-15,"), "ISO dates");
    let en = checkpoints_csv(&rows, &m, &Filter::new(today()), today(), Lang::En);
    assert!(en.starts_with("\u{FEFF}Id,Organisation,Plan,Initiative,Checkpoint"));
}

#[test]
fn counts_csv_has_every_line() {
    let m = model();
    let rows = rows(&m);
    let f = Filter::new(today());
    let c = count(&rows, &Names::new(&m), Lang::Sv);
    let out = counts_csv(&rows, &m, &f, Lang::Sv);
    assert!(out.starts_with("\u{FEFF}Indelning,Id,Namn,Klara (godkända),\"Rapporterade, ej godkända\",Kommande,"), "{out}");
    assert_eq!(out.matches("\r\n").count(), 1 + c.by_plan.len() + c.by_unit.len() + c.by_role.len());
}

#[test]
fn checkpoint_links_keep_slashes_and_encode_the_rest() {
    assert_eq!(checkpoint_href("hoor/arshjul/resultatanalys-ht/satofta/2021"), "/checkpoint/hoor/arshjul/resultatanalys-ht/satofta/2021");
    assert_eq!(checkpoint_href("a b/\"><script>/å?#"), "/checkpoint/a%20b/%22%3E%3Cscript%3E/%C3%A5%3F%23");
}

#[test]
fn days_late_only_while_waiting_for_a_report() {
    let m = model();
    let rows = rows(&m);
    let overdue = rows.iter().find(|r| r.state == State::Overdue).unwrap();
    assert_eq!(days_late(overdue, today()), Some((today() - overdue.due.unwrap()).num_days()));
    assert!(days_late(overdue, today()).unwrap() > 0);
    let approved = rows.iter().find(|r| r.state == State::Approved).unwrap();
    assert_eq!(days_late(approved, today()), None);
    let planned = rows.iter().find(|r| r.state == State::Planned).unwrap();
    assert_eq!(days_late(planned, today()), None);
}

#[test]
fn the_store_query_reads_what_the_filter_passes() {
    let f = Filter { plan: Some("p".into()), states: vec![State::Missed], period: Period::Term(Term::ht(2020)), ..Filter::new(today()) };
    let q = f.store_query();
    assert_eq!((q.plan.as_deref(), q.states.as_slice()), (Some("p"), [State::Missed].as_slice()));
    assert_eq!((q.from, q.to), (Some(date("2020-07-01")), Some(date("2020-12-31"))));
    let all = Filter { period: Period::All, ..Filter::new(today()) }.store_query();
    assert_eq!((all.from, all.to), (None, None));
}
