use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn default_terms_follow_the_week_rules() {
    let cal = Calendar::default();
    assert_eq!(cal.term(Term::vt(2021)), DateRange { start: d(2021, 1, 11), end: d(2021, 6, 18) });
    // ht ends on the last Friday before julafton: 24 Dec 2021 is a Friday.
    assert_eq!(cal.term(Term::ht(2021)), DateRange { start: d(2021, 8, 23), end: d(2021, 12, 17) });
    assert_eq!(cal.term(Term::ht(2022)).end, d(2022, 12, 23));
    assert_eq!(cal.term(Term::ht(2019)).end, d(2019, 12, 20));
    assert_eq!(cal.school_year(2020), DateRange { start: d(2020, 8, 17), end: d(2021, 6, 18) });
}

#[test]
fn term_overrides_win() {
    let r = DateRange { start: d(2021, 1, 7), end: d(2021, 6, 11) };
    let cal = Calendar::new(CalendarConfig { term_overrides: vec![(Term::vt(2021), r)], ..CalendarConfig::default() });
    assert_eq!(cal.term(Term::vt(2021)), r);
    assert_eq!(cal.term_of(d(2021, 1, 7)), Some(Term::vt(2021)));
    assert_eq!(cal.term_of(d(2021, 6, 14)), None);
}

#[test]
fn breaks_of_2021() {
    let cal = Calendar::default();
    let got: Vec<(String, NaiveDate, NaiveDate)> = cal.breaks(2021).into_iter().map(|b| (b.name, b.range.start, b.range.end)).collect();
    assert_eq!(
        got,
        vec![
            ("sportlov".into(), d(2021, 3, 1), d(2021, 3, 7)),
            ("påsklov".into(), d(2021, 4, 5), d(2021, 4, 11)),
            ("sommarlov".into(), d(2021, 6, 19), d(2021, 8, 22)),
            ("höstlov".into(), d(2021, 11, 1), d(2021, 11, 7)),
            ("jullov".into(), d(2021, 12, 18), d(2022, 1, 9)),
        ]
    );
    assert_eq!(cal.break_at(d(2021, 11, 3)), Some("höstlov"));
    assert_eq!(cal.break_at(d(2022, 1, 3)), Some("jullov"));
    assert_eq!(cal.break_at(d(2021, 7, 1)), Some("sommarlov"));
    assert_eq!(cal.break_at(d(2021, 10, 29)), None);
}

#[test]
fn every_day_agrees_with_breaks_listing() {
    let cal = Calendar::default();
    for year in [2020, 2021, 2026] {
        let listed: Vec<SchoolBreak> = [year - 1, year].iter().flat_map(|y| cal.breaks(*y)).collect();
        let mut day = d(year, 1, 1);
        while day.year() == year {
            let want = listed.iter().find(|b| b.range.contains(day)).map(|b| b.name.as_str());
            assert_eq!(cal.break_at(day), want, "{day}");
            day = day.succ_opt().unwrap();
        }
    }
}

#[test]
fn working_days_and_roll() {
    let cal = Calendar::default();
    assert!(!cal.is_working_day(d(2021, 6, 25)), "midsommarafton");
    assert!(!cal.is_working_day(d(2021, 5, 13)), "Kristi himmelsfärd");
    assert!(cal.is_working_day(d(2021, 5, 14)));
    // Sunday 30 May 2021 rolls back to Friday 28 May.
    assert_eq!(cal.roll(d(2021, 5, 30), RollRule::PreviousWorkingDay), d(2021, 5, 28));
    // Saturday 5 June 2021 → Monday 7 June (6 June is a Sunday, no extra day off).
    assert_eq!(cal.roll(d(2021, 6, 5), RollRule::NextWorkingDay), d(2021, 6, 7));
    // Julafton 2021 (Friday) → Thursday 23 December.
    assert_eq!(cal.roll(d(2021, 12, 24), RollRule::PreviousWorkingDay), d(2021, 12, 23));
    assert_eq!(cal.roll(d(2021, 12, 25), RollRule::None), d(2021, 12, 25));
    assert_eq!(cal.last_working_day_in(DateRange { start: d(2021, 5, 1), end: d(2021, 5, 31) }), Some(d(2021, 5, 31)));
    assert_eq!(cal.last_working_day_in(DateRange { start: d(2021, 12, 24), end: d(2021, 12, 26) }), None);
}

#[test]
fn roll_within_turns_back_at_the_edge_of_the_span() {
    let cal = Calendar::default();
    let span = |a, b| DateRange { start: a, end: b };
    let plan = span(d(2021, 1, 1), d(2023, 12, 31));
    // Nyårsdagen 2021 (Friday) would roll back to 2020-12-31 (nyårsafton) → 30 December,
    // outside the plan: it rolls forward over the weekend to Monday 4 January instead.
    assert_eq!(cal.roll(d(2021, 1, 1), RollRule::PreviousWorkingDay), d(2020, 12, 30));
    assert_eq!(cal.roll_within(d(2021, 1, 1), RollRule::PreviousWorkingDay, plan), Some(d(2021, 1, 4)));
    // Inside the span the rule is unchanged.
    assert_eq!(cal.roll_within(d(2021, 5, 30), RollRule::PreviousWorkingDay, plan), Some(d(2021, 5, 28)));
    assert_eq!(cal.roll_within(d(2021, 6, 5), RollRule::NextWorkingDay, plan), Some(d(2021, 6, 7)));
    // Sunday 31 December 2023 with `next` would leave the plan: back to Friday 29 December.
    assert_eq!(cal.roll_within(d(2023, 12, 31), RollRule::NextWorkingDay, plan), Some(d(2023, 12, 29)));
    // No working day inside (Saturday–Sunday 1–2 January 2022), or outside the span: none.
    let weekend = span(d(2022, 1, 1), d(2022, 1, 2));
    assert_eq!(cal.roll_within(d(2022, 1, 1), RollRule::PreviousWorkingDay, weekend), None);
    assert_eq!(cal.roll_within(d(2020, 12, 30), RollRule::PreviousWorkingDay, plan), None);
    assert_eq!(cal.roll_within(d(2022, 1, 1), RollRule::None, weekend), Some(d(2022, 1, 1)));
    // At the ends of the calendar's dates nothing overflows.
    let all = span(NaiveDate::MIN, NaiveDate::MAX);
    assert!(cal.roll_within(NaiveDate::MIN, RollRule::PreviousWorkingDay, all).is_some());
    assert!(cal.roll_within(NaiveDate::MAX, RollRule::NextWorkingDay, all).is_some());
}

#[test]
fn report_counts_working_days() {
    let r = report::CalendarReport::new(&Calendar::default(), 2021);
    // 2021: 261 weekdays; holidays on weekdays: 1 Jan, 6 Jan, 2 Apr, 5 Apr, 13 May,
    // 25 Jun, 24 Dec, 31 Dec → 253.
    assert_eq!(r.working_days, 253);
    assert_eq!(r.holidays.len(), 17);
    assert!(r.text(false).contains("2021-06-25 fre  midsommarafton"));
}
