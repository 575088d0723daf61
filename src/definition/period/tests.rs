//! Table-driven tests: the tables in docs/definitions.md are the specification, so the docs
//! cannot drift from the parser.

use super::*;
use proptest::prelude::*;

const DOC: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/definitions.md"));

fn cells(line: &str) -> Vec<&str> {
    line.trim().trim_matches('|').split(" | ").map(str::trim).collect()
}

fn unquote(s: &str) -> &str {
    s.trim_matches('`')
}

/// Rows of the markdown table whose header starts with `header`.
fn table(header: &str) -> Vec<Vec<&'static str>> {
    let start = DOC.find("<!-- BEGIN PERIOD TABLE").expect("period table markers in docs/definitions.md");
    let section = &DOC[start..];
    let at = section.find(header).unwrap_or_else(|| panic!("no table `{header}`"));
    section[at..].lines().skip(2).take_while(|l| l.starts_with('|')).map(cells).collect()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|_| panic!("bad date {s} in table"))
}

#[test]
fn every_documented_expression_resolves_as_documented() {
    let cal = Calendar::default();
    let rows = table("| Uttryck | Betyder |");
    assert!(rows.len() >= 60, "the table lost rows: {}", rows.len());
    for row in rows {
        let [expr, _, from, to, label] = row[..] else { panic!("row {row:?} has {} cells", row.len()) };
        let expr = unquote(expr);
        let p = parse_period(expr).unwrap_or_else(|e| panic!("`{expr}`: {}", e.sv));
        let r = p.resolve(&cal, p.is_yearless().then_some(2021)).unwrap_or_else(|e| panic!("`{expr}`: {}", e.sv));
        assert_eq!((r.start, r.end), (date(from), date(to)), "`{expr}`");
        assert_eq!(p.label(), unquote(label), "`{expr}`");
    }
}

#[test]
fn every_documented_error_is_given() {
    let cal = Calendar::default();
    let rows = table("| Uttryck | Felet");
    assert!(rows.len() >= 30, "the error table lost rows");
    for row in rows {
        let [expr, msg] = row[..] else { panic!("row {row:?}") };
        let expr = unquote(expr);
        let err = match parse_period(expr) {
            Err(e) => e,
            Ok(p) => p.resolve(&cal, Some(2021)).expect_err(expr),
        };
        assert!(err.sv.contains(msg), "`{expr}`: got `{}`, want it to contain `{msg}`", err.sv);
        assert!(!err.en.is_empty());
    }
}

#[test]
fn every_documented_warning_is_given() {
    let cal = Calendar::default();
    let rows = table("| Uttryck | Från | Till | Varningen");
    assert!(!rows.is_empty());
    for row in rows {
        let [expr, from, to, msg] = row[..] else { panic!("row {row:?}") };
        let expr = unquote(expr);
        let (p, warnings) = parse_period_with_warnings(expr).unwrap_or_else(|e| panic!("`{expr}`: {}", e.sv));
        let r = p.resolve(&cal, None).unwrap_or_else(|e| panic!("`{expr}`: {}", e.sv));
        assert_eq!((r.start, r.end), (date(from), date(to)), "`{expr}`");
        assert!(warnings.iter().any(|w| w.sv.starts_with(msg) && !w.en.is_empty()), "`{expr}`: got {warnings:?}, want `{msg}`");
    }
}

#[test]
fn error_offsets_point_at_the_problem() {
    assert_eq!(parse_period("vecka 10 2021 extra").unwrap_err().offset, 14);
    assert_eq!(parse_period("ht 2020 – vt 1850").unwrap_err().offset, 13);
    assert_eq!(parse_period("maj").unwrap_err().offset, 3);
}

#[test]
fn yearless_expressions_need_a_year_to_resolve() {
    let cal = Calendar::default();
    let p = parse_period("30 april").unwrap();
    assert!(p.is_yearless());
    assert!(p.resolve(&cal, None).is_err());
    assert_eq!(
        parse_period("v. 53").unwrap().resolve(&cal, Some(2021)).unwrap_err().sv,
        "2021 har ingen vecka 53 (bara 52 veckor). Skriv `vecka 52` eller `vecka 1`."
    );
    assert!(!parse_period("vt 2021").unwrap().is_yearless());
}

#[test]
fn terms_follow_the_organisations_calendar() {
    let vt = DateRange { start: NaiveDate::from_ymd_opt(2021, 1, 7).unwrap(), end: NaiveDate::from_ymd_opt(2021, 6, 11).unwrap() };
    let cal = Calendar::new(crate::calendar::CalendarConfig { term_overrides: vec![(Term::vt(2021), vt)], ..Default::default() });
    assert_eq!(parse_period("vt 2021").unwrap().resolve(&cal, None).unwrap(), vt);
}

#[test]
fn recurrences() {
    let cases = [
        ("var 6:e vecka", Recurrence::Weeks(6)),
        ("ca var 6:e vecka", Recurrence::Weeks(6)),
        ("c:a var 6:e vecka", Recurrence::Weeks(6)),
        ("omkring varannan vecka", Recurrence::Weeks(2)),
        ("var sjätte vecka", Recurrence::Weeks(6)),
        ("i regel var fjärde vecka", Recurrence::Weeks(4)),
        ("var 4:e vecka", Recurrence::Weeks(4)),
        ("varannan vecka", Recurrence::Weeks(2)),
        ("varje vecka", Recurrence::Weeks(1)),
        ("veckovis", Recurrence::Weeks(1)),
        ("varje månad", Recurrence::Months(1)),
        ("en gång per månad", Recurrence::Months(1)),
        ("varannan månad", Recurrence::Months(2)),
        ("kvartalsvis", Recurrence::Months(3)),
        ("varje kvartal", Recurrence::Months(3)),
        ("varje termin", Recurrence::Terms),
        ("terminsvis", Recurrence::Terms),
        ("årligen", Recurrence::Years(1)),
        ("vartannat år", Recurrence::Years(2)),
        ("fortlöpande", Recurrence::Continuous),
        ("Löpande", Recurrence::Continuous),
    ];
    for (s, want) in cases {
        assert_eq!(parse_recurrence(s), Ok(want), "{s}");
    }
    let e = parse_recurrence("var 0:e vecka").unwrap_err();
    assert!(e.sv.contains("noll"), "{}", e.sv);
    assert!(parse_recurrence("ibland").unwrap_err().sv.contains("var 6:e vecka"));
}

#[test]
fn durations() {
    for (s, d) in
        [("14d", 14), ("14 d", 14), ("3 dagar", 3), ("1 dag", 1), ("2w", 14), ("2 veckor", 14), ("1 vecka", 7), ("0", 0), ("samma dag", 0)]
    {
        assert_eq!(parse_days(s), Ok(d), "{s}");
    }
    for s in ["", "två veckor", "14 timmar", "-3d", "99999d"] {
        assert!(parse_days(s).is_err(), "{s}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_any_text(s in "\\PC{0,60}") {
        let cal = Calendar::default();
        if let Ok(p) = parse_period(&s) {
            let _ = p.resolve(&cal, Some(2021));
            let _ = p.label();
        } else if let Err(e) = parse_period(&s) {
            prop_assert!(e.offset <= s.chars().count());
        }
        let _ = parse_recurrence(&s);
        let _ = parse_days(&s);
    }

    #[test]
    fn never_panics_on_period_like_text(s in "(vt|ht|v\\.|vecka|Q|läsåret|slutet av|sista|maj|30|2021|-|–|/| |[0-9]{1,5}){0,8}") {
        let cal = Calendar::default();
        if let Ok(p) = parse_period(&s) {
            let _ = p.resolve(&cal, Some(2024));
            prop_assert!(p.label().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "label {}", p.label());
        }
    }

    #[test]
    fn terms_round_trip(year in 1900i32..=2200, spring: bool) {
        let text = format!("{} {year}", if spring { "vt" } else { "ht" });
        let p = parse_period(&text).unwrap();
        let r = p.resolve(&Calendar::default(), None).unwrap();
        prop_assert!(r.start < r.end);
        prop_assert_eq!(p.label(), text.replace(' ', ""));
    }

    #[test]
    fn iso_dates_round_trip(days in 0i64..110_000) {
        let d = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
        let p = parse_period(&d.to_string()).unwrap();
        prop_assert_eq!(p, Period::Date(d));
    }
}
