//! The examples in README.md and docs/definitions.md are real: they pass `arshjul check`
//! and expand, so the documentation cannot drift from the loader.

use crate::support::{TempDir, arshjul, plan_json};

fn yaml_blocks(markdown: &str) -> Vec<String> {
    markdown.split("```yaml\n").skip(1).filter_map(|b| b.split("```").next()).map(|b| b.replace("[…]", "[x]").replace('…', "x")).collect()
}

#[test]
fn the_format_reference_examples_pass_check_and_expand() {
    let doc = include_str!("../../docs/definitions.md");
    let blocks = yaml_blocks(doc);
    assert_eq!(blocks.len(), 3, "docs/definitions.md has the organisation, wheel and plan examples");
    let t = TempDir::new();
    for (name, text) in ["organisation.yaml", "arshjul.yaml", "plan.yaml"].iter().zip(&blocks) {
        t.write(&format!("exempel/{name}"), text);
    }
    let out = arshjul(&["check", &t.path().to_string_lossy()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let cps = plan_json(t.path(), &[]);
    // The example's one-off evaluation "when: maj 2020" is due on the last working day of
    // May 2020: Friday 29 May (30–31 May are a weekend).
    let eval = cps.iter().find(|c| c["id"] == "halmstad/likvardig-skola-2019-2020/office-365/utvardering").expect("the evaluation");
    assert_eq!(eval["date"], "2020-05-29");
}

#[test]
fn the_readme_tour_passes_check() {
    let readme = include_str!("../../README.md");
    let blocks = yaml_blocks(readme);
    assert_eq!(blocks.len(), 1);
    let t = TempDir::new();
    // The tour is one block with three files, each introduced by a `# workflows/…` comment.
    for file in blocks[0].split("\n# ").map(|f| f.trim_start_matches("# ")) {
        let (head, body) = file.split_once('\n').expect("a file comment line");
        let path = head.split_whitespace().next().expect("a path").trim_start_matches("workflows/");
        t.write(path, body);
    }
    let out = arshjul(&["check", &t.path().to_string_lossy()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// The rows of the markdown table in docs/definitions.md whose header starts with `header`.
fn table_rows<'a>(doc: &'a str, header: &str) -> Vec<Vec<&'a str>> {
    let at = doc.find(header).unwrap_or_else(|| panic!("no table `{header}` in docs/definitions.md"));
    doc[at..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.trim().trim_matches('|').split(" | ").map(|c| c.trim().trim_matches('`')).collect())
        .collect()
}

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|_| panic!("bad date {s} in the table"))
}

/// Every time expression in the docs' table goes through the real loader and schedule: dated
/// ones as a one-off `when:` (due on the day, rolled to a working day, or on the period's last
/// working day), yearless ones as a wheel's `due:` (here in 2021). The unit tests in
/// `definition::period` check the table's dates and labels exactly; this checks that the
/// loader takes every documented form.
#[test]
fn the_time_expression_table_passes_check_and_expands() {
    let doc = include_str!("../../docs/definitions.md");
    let rows = table_rows(doc, "| Uttryck | Betyder |");
    assert!(rows.len() >= 60, "the table lost rows");
    let (mut plan, mut wheel) = (String::new(), String::new());
    let mut want = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let [expr, _, from, to, _] = row[..] else { panic!("row {row:?}") };
        let yearless = arshjul::definition::period::parse_period(expr).unwrap_or_else(|e| panic!("`{expr}`: {}", e.sv)).is_yearless();
        let id = format!("t{i}");
        let text = expr.replace('"', "\\\"");
        if yearless {
            wheel.push_str(&format!("    - {{ id: {id}, name: \"{text}\", kind: annat, due: \"{text}\", owner: forvaltningschef }}\n"));
            want.push((format!("testkommun/arshjul/{id}/2021"), expr, from, to));
        } else {
            plan.push_str(&format!("      - {{ id: {id}, name: \"{text}\", when: \"{text}\" }}\n"));
            want.push((format!("testkommun/tabell/tider/{id}"), expr, from, to));
        }
    }
    let t = TempDir::new();
    t.write("testkommun/organisation.yaml", crate::support::ORG);
    t.write("testkommun/arshjul.yaml", format!("wheel:\n  name: Årshjul\n  checkpoints:\n{wheel}"));
    t.write(
        "testkommun/plan.yaml",
        format!(
            "plan:\n  id: tabell\n  name: Tabellen\n  period: 2018–2024\ninitiatives:\n  - id: tider\n    name: Tidsangivelser\n    owner: forvaltningschef\n    checkpoints:\n{plan}"
        ),
    );
    let out = arshjul(&["check", &t.path().to_string_lossy()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let cps = plan_json(t.path(), &[]);
    for (id, expr, from, to) in want {
        let cp = cps.iter().find(|c| c["id"] == id.as_str()).unwrap_or_else(|| panic!("`{expr}`: no checkpoint {id}"));
        let due = date(cp["date"].as_str().expect("a date"));
        let (from, to) = (date(from), date(to));
        // A single day may be rolled back from a weekend or holiday (julafton → 23 December).
        let earliest = if from == to { from - chrono::Duration::days(4) } else { from };
        assert!(earliest <= due && due <= to, "`{expr}`: due {due}, want within {from} – {to}");
    }
}
