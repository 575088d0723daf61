//! The rendered views: grid, wheel, page; hostile text escaped everywhere; a preview file.

use super::fixture::{model, rows, today};
use super::names::Names;
use super::*;

/// A small XML well-formedness check: balanced tags, quoted attributes without `<`, no
/// duplicate attributes, only the five named entities or character references, one root.
fn well_formed(xml: &str) -> Result<(), String> {
    let body = xml.strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>").unwrap_or(xml).trim();
    let entities = |s: &str| -> Result<(), String> {
        for (i, _) in s.match_indices('&') {
            let rest = &s[i + 1..];
            let end = rest.find(';').ok_or(format!("bare & in {s:?}"))?;
            let name = &rest[..end];
            let ok = ["amp", "lt", "gt", "quot", "apos"].contains(&name)
                || name.strip_prefix('#').is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
            if !ok {
                return Err(format!("entity &{name};"));
            }
        }
        Ok(())
    };
    let mut stack: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut rest = body;
    while let Some(lt) = rest.find('<') {
        entities(&rest[..lt])?;
        if stack.is_empty() && !rest[..lt].trim().is_empty() {
            return Err("text outside the root".into());
        }
        let gt = rest[lt..].find('>').ok_or("unclosed tag")? + lt;
        let tag = &rest[lt + 1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            if stack.pop() != Some(name.trim()) {
                return Err(format!("</{name}> closes the wrong element"));
            }
            continue;
        }
        let empty = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, mut attrs) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '-') {
            return Err(format!("bad tag name {name:?}"));
        }
        let mut seen = Vec::new();
        loop {
            attrs = attrs.trim_start();
            if attrs.is_empty() {
                break;
            }
            let eq = attrs.find("=\"").ok_or(format!("unquoted attribute in <{name} {attrs}"))?;
            let key = &attrs[..eq];
            let close = attrs[eq + 2..].find('"').ok_or("unterminated attribute")? + eq + 2;
            let value = &attrs[eq + 2..close];
            if value.contains('<') || seen.contains(&key) {
                return Err(format!("attribute {key}={value:?}"));
            }
            entities(value)?;
            seen.push(key);
            attrs = &attrs[close + 1..];
        }
        if stack.is_empty() {
            roots += 1;
        }
        if !empty {
            stack.push(name);
        }
    }
    if !stack.is_empty() || roots != 1 || !rest.trim().is_empty() {
        return Err(format!("unclosed {stack:?}, {roots} roots"));
    }
    Ok(())
}

fn filter() -> Filter {
    Filter::new(today())
}

fn page(rows: &[crate::store::Row], m: &crate::definition::Model, lang: Lang) -> String {
    let f = filter();
    let d = Downloads::under("/oversikt");
    let vacancies =
        vec![crate::remind::recipients::Vacancy { organisation: "hoor".into(), role: "rektor".into(), unit: Some("ringsjo".into()) }];
    let input = OverviewInput {
        rows,
        model: m,
        organisations: &[],
        failed: &[],
        vacancies: &vacancies,
        filter: &f,
        notes: &[],
        today: today(),
        lang,
        downloads: &d,
        limits: Limits::default(),
    };
    page_body(&input).into_string()
}

#[test]
fn grid_has_a_row_per_unit_and_the_school_years_wheel_occasions() {
    let m = model();
    let rows = rows(&m);
    let names = Names::new(&m);
    let hoor = names.org("hoor").unwrap();
    let g = grid::build(&rows, &names, hoor, 2020, &filter());
    let units: Vec<Option<&str>> = g.rows.iter().map(|r| r.unit.as_deref()).collect();
    assert_eq!(units, [None, Some("satofta"), Some("ringsjo"), Some("tjornarp")], "the organiser's roll-up first, then each school");
    let cols: Vec<(&str, String)> = g.columns.iter().map(|c| (c.wheel.as_str(), c.date.to_string())).collect();
    assert_eq!(cols, [("resultatanalys-vt", "2020-09-18".to_string()), ("resultatanalys-ht", "2021-02-12".to_string())]);
    for r in &g.rows {
        assert_eq!(r.cells.len(), 2);
        assert!(r.cells.iter().all(Option::is_some), "every school has both");
    }
    // Halmstad's wheel is at organisation level only: one organiser row with cells, units empty.
    let halmstad = names.org("halmstad").unwrap();
    let g = grid::build(&rows, &names, halmstad, 2020, &filter());
    assert_eq!(g.rows[0].unit, None);
    assert_eq!(g.rows.len(), 1 + halmstad.units.len());
    let dates: Vec<_> = g.columns.iter().map(|c| c.date).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "date order");
    let names_in_order: Vec<&str> = g.columns.iter().map(|c| c.wheel.as_str()).collect();
    assert_eq!(names_in_order, ["delarsrapport-2", "lagesbedomning", "verksamhetsberattelse", "delarsrapport-1"]);
    assert!(g.rows[1..].iter().all(|r| r.cells.iter().all(Option::is_none)));
    // A cell's state is its most urgent one; counts add up.
    let c = g.rows[0].cells[0].as_ref().unwrap();
    assert!(c.total > 1 && c.approved < c.total);
    // The unit filter keeps one unit.
    let f = Filter { unit: Some("ringsjo".into()), ..filter() };
    assert_eq!(grid::build(&rows, &names, hoor, 2020, &f).rows.len(), 1);
    // Another läsår has other columns (dates in 2021/22).
    let g = grid::build(&super::fixture::rows_between(&m, "2021-07-01", "2022-06-30", today()), &names, hoor, 2021, &filter());
    assert!(g.columns.iter().all(|c| c.date >= fixture::date("2021-07-01")), "{:?}", g.columns);
}

#[test]
fn state_cells_carry_their_word() {
    let m = model();
    let rows = rows(&m);
    let html = page(&rows, &m, Lang::Sv);
    let mut cells = 0;
    for (at, _) in html.match_indices("<td class=\"st st-") {
        let cell = &html[at..at + html[at..].find("</td>").unwrap()];
        let s = state::ALL.into_iter().find(|s| cell.starts_with(&format!("<td class=\"{}\">", state::class(*s)))).unwrap();
        assert!(cell.contains(&format!(">{}<", state::label(s, Lang::Sv))), "{cell}");
        cells += 1;
    }
    assert!(cells > 10, "{cells} grid cells");
    // Every badge says its state.
    for s in state::ALL {
        let badge = format!("<span class=\"{}\">{}</span>", state::class(s), state::label(s, Lang::Sv));
        if rows.iter().any(|r| r.state == s) {
            assert!(html.contains(&badge), "{badge}");
        }
    }
    let en = page(&rows, &m, Lang::En);
    assert!(en.contains(">overdue</") && en.contains("Overview") && !en.contains("Översikt"));
}

#[test]
fn the_page_has_problems_counts_table_and_links() {
    let m = model();
    let rows = rows(&m);
    let html = page(&rows, &m, Lang::Sv);
    let order: Vec<usize> = ["ov-problems", "ov-counts", "ov-grid", "ov-wheel-s", "ov-checkpoints", "ov-downloads"]
        .iter()
        .map(|c| html.find(&format!("class=\"{c}\"")).unwrap_or_else(|| panic!("{c}")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "problems first: {order:?}");
    assert!(html.contains("Rektor vid Ringsjöskolan (hoor) – påminnelserna går till Sektorsledningen"));
    assert!(html.contains("försenade kontrollpunkter"));
    assert!(html.contains("<form method=\"get\""));
    assert!(!html.contains("style=") && !html.contains("<script"), "CSP: no inline style or script");
    let shown = rows.iter().filter(|r| r.due.is_some()).take(1).count();
    assert!(shown > 0 && html.contains("href=\"/checkpoint/"));
    assert!(html.contains("href=\"/oversikt/kontrollpunkter.csv?period=2020%2F21\""));
    assert!(html.contains("Visar 100 av"), "the table is capped");
    assert!(html.len() < 400_000, "{} bytes", html.len());
}

#[test]
fn hostile_text_is_escaped_in_html_svg_and_csv() {
    let xss = "<script>alert(1)</script>\"'&";
    let mut m = model();
    m.organisations[1].units[0].name = xss.into();
    m.organisations[1].name = xss.into();
    let mut rows = rows(&m);
    let hoor: Vec<usize> = rows.iter().enumerate().filter(|(_, r)| r.organisation == "hoor" && r.due.is_some()).map(|(i, _)| i).collect();
    for i in &hoor {
        rows[*i].title = xss.into();
    }
    let html = page(&rows, &m, Lang::Sv);
    assert!(!html.contains("<script>alert"), "HTML");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let f = Filter { organisation: Some("hoor".into()), ..filter() };
    let svg = wheel_svg(&rows, &m, &f, today(), Lang::Sv, "https://skola.example").unwrap();
    assert!(!svg.contains("<script") && svg.contains("&lt;script&gt;"), "SVG");
    well_formed(&svg).unwrap();
    let csv = checkpoints_csv(&rows, &m, &f, today(), Lang::Sv);
    assert!(csv.contains(&format!("\"{}\"", xss.replace('"', "\"\""))), "CSV quotes it");
}

#[test]
fn the_wheel_is_well_formed_svg_and_every_dot_links_to_its_checkpoint() {
    let m = model();
    let rows = rows(&m);
    let names = Names::new(&m);
    for org in ["timra", "hoor", "halmstad"] {
        for start in [WheelStart::August, WheelStart::January] {
            let f = Filter { organisation: Some(org.into()), wheel_start: start, ..filter() };
            let svg = wheel_svg(&rows, &m, &f, today(), Lang::Sv, "").unwrap();
            well_formed(&svg).unwrap_or_else(|e| panic!("{org} {start:?}: {e}"));
            assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\"") && svg.contains("viewBox="));
            let spec = wheel::Spec::for_filter(names.org(org).unwrap(), &f, today(), Lang::Sv);
            let drawn: Vec<_> =
                rows.iter().filter(|r| r.organisation == org && r.due.is_some_and(|d| spec.from <= d && d <= spec.to())).collect();
            assert!(!drawn.is_empty());
            assert_eq!(svg.matches("<a href=").count(), drawn.len(), "{org}: one link per checkpoint");
            for r in drawn {
                assert!(svg.contains(&format!("<a href=\"{0}\" xlink:href=\"{0}\">", checkpoint_href(&r.id))), "{}", r.id);
            }
            let ht = if start == WheelStart::August { ">ht 2020<" } else { ">ht 2021<" };
            assert!(svg.contains(">sep<") && svg.contains(">höstlov ") && svg.contains(ht), "months, breaks, terms");
            let inline = wheel::markup(&rows, &names, &spec).into_string();
            let end = inline.find("</svg>").unwrap() + 6;
            well_formed(&inline[..end]).unwrap();
            assert!(!inline.contains("<?xml"));
        }
    }
    // Links in a download carry the public address.
    let f = Filter { organisation: Some("hoor".into()), ..filter() };
    assert!(
        wheel_svg(&rows, &m, &f, today(), Lang::Sv, "https://a.example/").unwrap().contains("href=\"https://a.example/checkpoint/hoor/")
    );
}

#[test]
fn the_wheel_starts_where_asked() {
    let m = model();
    let names = Names::new(&m);
    let org = names.org("hoor").unwrap();
    let aug = wheel::Spec::for_filter(org, &filter(), today(), Lang::Sv);
    assert_eq!((aug.from, aug.to()), (fixture::date("2020-08-01"), fixture::date("2021-07-31")));
    let jan = wheel::Spec::for_filter(org, &Filter { wheel_start: WheelStart::January, ..filter() }, today(), Lang::Sv);
    assert_eq!((jan.from, jan.to()), (fixture::date("2021-01-01"), fixture::date("2021-12-31")));
}

#[test]
fn many_checkpoints_merge_into_one_dot_per_ring_and_date() {
    let m = model();
    let base = rows(&m);
    let mut many = Vec::new();
    while many.len() <= wheel::MAX_DOTS {
        many.extend(base.iter().filter(|r| r.organisation == "halmstad").cloned());
    }
    let f = Filter { organisation: Some("halmstad".into()), ..filter() };
    let svg = wheel_svg(&many, &m, &f, today(), Lang::Sv, "").unwrap();
    well_formed(&svg).unwrap();
    assert_eq!(svg.matches("<a href=").count(), 0);
    assert!(svg.contains("kontrollpunkter</title>") && svg.len() < 100_000, "{}", svg.len());
}

/// Writes /tmp/overview.html (stylesheet inlined, for this preview only) from the real
/// definitions. Run: `cargo test --lib web::overview::tests_views::preview -- --ignored`.
#[test]
#[ignore]
fn preview() {
    let m = model();
    let rows = rows(&m);
    let f = Filter { organisation: std::env::var("ORG").ok(), ..filter() };
    let d = Downloads::under("/oversikt");
    let failed = vec![crate::store::OutboxRow {
        key: "k".into(),
        recipient: "rektor.satofta@hoor.se".into(),
        day: today(),
        status: "failed".into(),
        attempts: 1,
        message_id: "m".into(),
        last_error: Some("550 5.1.1 okänd mottagare".into()),
        sent_at: None,
        repeats: 0,
        lease_owner: None,
    }];
    let vacancies =
        vec![crate::remind::recipients::Vacancy { organisation: "hoor".into(), role: "rektor".into(), unit: Some("ringsjo".into()) }];
    let input = OverviewInput {
        rows: &rows,
        model: &m,
        organisations: &[],
        failed: &failed,
        vacancies: &vacancies,
        filter: &f,
        notes: &[Note { param: "plan".into(), value: "okänd".into() }],
        today: today(),
        lang: Lang::Sv,
        downloads: &d,
        limits: Limits::default(),
    };
    let body = page_body(&input).into_string();
    let html = format!(
        "<!doctype html><html lang=\"sv\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Översikt</title><style>body{{font-family:system-ui,sans-serif;margin:1rem;color:#1b2733}}{CSS}</style></head><body><main>{body}</main></body></html>"
    );
    std::fs::write("/tmp/overview.html", html).unwrap();
    std::fs::write(
        "/tmp/arshjul.svg",
        wheel_svg(&rows, &m, &Filter { organisation: Some("halmstad".into()), ..filter() }, today(), Lang::Sv, "").unwrap(),
    )
    .unwrap();
}
