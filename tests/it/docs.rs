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
