//! `arshjul check`: every kind of bad input gets a located Swedish error and a non-zero
//! exit; nothing panics.

use crate::support::{ORG, PLAN, TempDir, WHEEL, arshjul, workflow};

/// Runs `check` on `dir` and returns (exit code, stderr).
fn check(dir: &TempDir) -> (i32, String) {
    let out = arshjul(&["check", &dir.path().to_string_lossy()]);
    assert!(!out.stderr.contains("panicked"), "panic: {}", out.stderr);
    (out.code, out.stderr)
}

/// The one diagnostic line about `file` at `line`, or a failure listing what there was.
fn line_for<'a>(stderr: &'a str, file: &str, line: u32) -> &'a str {
    let needle = format!("{file}:{line}:");
    stderr.lines().find(|l| l.contains(&needle)).unwrap_or_else(|| panic!("no diagnostic at {needle} in:\n{stderr}"))
}

#[test]
fn valid_definitions_pass() {
    let t = workflow(PLAN);
    let out = arshjul(&["check", &t.path().to_string_lossy()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("1 organisation(er), 1 plan(er), 1 insatser — inga fel"), "{}", out.stdout);
}

#[test]
fn yaml_syntax_error_is_located() {
    let t = workflow("plan:\n  id: p\n  name: [oavslutad\n  period: 2021\n");
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    let l = line_for(&err, "plan.yaml", 4);
    assert!(l.contains("YAML-syntaxfel"), "{l}");
}

#[test]
fn unknown_key_lists_valid_keys_and_suggests() {
    let t = workflow(&PLAN.replace("    owner: forvaltningschef", "    ownr: forvaltningschef"));
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    let l = line_for(&err, "plan.yaml", 9);
    assert!(l.contains("okänd nyckel `ownr`"), "{l}");
    assert!(l.contains("Menade du `owner`?"), "{l}");
    assert!(l.contains("Giltiga nycklar: id, number, name"), "{l}");
    // The now missing owner is reported too, in the same run.
    assert!(err.contains("saknar `owner`"), "{err}");
}

#[test]
fn misspelled_role_gets_did_you_mean() {
    let t = workflow(&PLAN.replace("owner: forvaltningschef", "owner: forvaltnigschef"));
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    let l = line_for(&err, "plan.yaml", 9);
    assert!(l.contains("okänd roll eller grupp `forvaltnigschef`"), "{l}");
    assert!(l.contains("Menade du `forvaltningschef`?"), "{l}");
    assert!(l.starts_with(&format!("{}", t.path().join("testkommun/plan.yaml").display())), "{l}");
}

#[test]
fn unknown_wheel_checkpoint_unit_and_goal_are_all_reported() {
    let plan = "plan:
  id: plan-2021
  name: Plan 2021
  period: 2021
  follow_up: { wheel: [delarsrapport-2] }
goals:
  - { id: undervisning, name: Undervisning }
initiatives:
  - id: matematik
    name: Matematiklyftet
    goal: undervisnig
    owner: forvaltningschef
    checkpoints:
      - { id: u, name: U, when: maj 2021, per_unit: rektor, units: [norrskolan, sodreskolan] }
";
    let t = workflow(plan);
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    assert!(line_for(&err, "plan.yaml", 5).contains("Menade du `delarsrapport-1`?"), "{err}");
    assert!(line_for(&err, "plan.yaml", 11).contains("okänd mål `undervisnig`. Menade du `undervisning`?"), "{err}");
    assert!(line_for(&err, "plan.yaml", 14).contains("okänd enhet `sodreskolan`. Menade du `soderskolan`?"), "{err}");
    assert!(err.contains("3 fel i 1 fil(er)"), "{err}");
}

#[test]
fn impossible_date_is_refused() {
    let t = workflow(PLAN);
    t.write("testkommun/arshjul.yaml", WHEEL.replace("due: 15 maj", "due: 30 februari"));
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    let l = line_for(&err, "arshjul.yaml", 5);
    assert!(l.contains("februari"), "{l}");
}

#[test]
fn reversed_range_is_refused() {
    let t = workflow(&PLAN.replace("period: 2021", "period: vt 2022 – ht 2020"));
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    line_for(&err, "plan.yaml", 4);
}

#[test]
fn yearly_rule_without_a_day_is_refused() {
    let t = workflow(&PLAN.replace("when: maj 2021", "every: årligen"));
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    assert!(line_for(&err, "plan.yaml", 11).contains("behöver en dag varje år"), "{err}");
}

#[test]
fn cron_that_never_fires_is_refused() {
    let t = workflow(&PLAN.replace("when: maj 2021", "cron: \"0 8 30 2 *\""));
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    line_for(&err, "plan.yaml", 11);
}

#[test]
fn duplicate_ids_are_refused() {
    let plan = format!("{PLAN}  - id: matematik\n    name: Igen\n    owner: forvaltningschef\n");
    let t = workflow(&plan);
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    assert!(line_for(&err, "plan.yaml", 12).contains("insatsen `matematik` finns redan (rad 7)"), "{err}");
}

#[test]
fn per_unit_checkpoint_without_units_is_refused() {
    let t = workflow(PLAN);
    let org: String = ORG.lines().filter(|l| !l.contains("skolan") && !l.starts_with("  units")).map(|l| format!("{l}\n")).collect();
    t.write("testkommun/organisation.yaml", org);
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    assert!(line_for(&err, "arshjul.yaml", 4).contains("organisationen har inga enheter"), "{err}");
}

#[test]
fn file_that_is_not_utf8_is_refused_with_its_line() {
    let t = workflow(PLAN);
    let mut bytes = PLAN.as_bytes().to_vec();
    bytes.extend_from_slice(b"# Utv\xe4rdering\n"); // Latin-1 'ä'
    t.write("testkommun/plan.yaml", bytes);
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    assert!(line_for(&err, "plan.yaml", 12).contains("inte UTF-8"), "{err}");
}

#[test]
fn english_messages_are_available() {
    let t = workflow(&PLAN.replace("owner: forvaltningschef", "owner: rektr"));
    let out = arshjul(&["--lang", "en", "check", &t.path().to_string_lossy()]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("unknown role or group `rektr`. Did you mean `rektor`?"), "{}", out.stderr);
}

#[test]
fn missing_directory_is_explained() {
    let out = arshjul(&["check", "/nonexistent/arshjul-workflows"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("kan inte läsa katalogen"), "{}", out.stderr);
}

#[test]
fn the_shipped_workflows_pass() {
    let out = arshjul(&["check", "workflows"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn checkpoint_outside_the_plan_period_is_refused() {
    let t = workflow(&PLAN.replace("when: maj 2021", "when: maj 2022"));
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    assert!(line_for(&err, "plan.yaml", 11).contains("ligger utanför planens period (2021-01-01 – 2021-12-31)"), "{err}");
}

#[test]
fn recurring_group_without_a_period_is_refused() {
    // Without `during`, a group meets over its organisation's plans; with no plan either,
    // there is no period to schedule the meetings in.
    let t = TempDir::new();
    t.write("testkommun/arshjul.yaml", WHEEL);
    let org =
        format!("{ORG}  groups:\n    styr: {{ name: Styrgrupp, kind: styrgrupp, convenor: forvaltningschef, meets: var fjärde vecka }}\n");
    t.write("testkommun/organisation.yaml", org);
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    assert!(line_for(&err, "organisation.yaml", 11).contains("det finns ingen period: ange `during:`"), "{err}");
}

/// Issue 8.7: a key written twice is named, at the second one, without library text.
#[test]
fn a_duplicate_key_is_named_at_its_place() {
    let t = workflow("plan:\n  id: p\n  name: P\n  name: Q\n  period: 2021\n");
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    let l = line_for(&err, "plan.yaml", 4);
    assert!(l.contains("nyckeln `name` står två gånger i samma avsnitt; ta bort den ena"), "{l}");
    assert!(!l.contains("DuplicateKeyPolicy") && !l.contains("syntaxfel"), "{l}");
    let en = crate::support::arshjul_env(&["check", &t.path().to_string_lossy()], &[("ARSHJUL_LANG", "en")]);
    assert!(en.stderr.contains("the key `name` is written twice in the same section"), "{}", en.stderr);
}

/// Issue 8.7: a file beyond the parser's limits says so (with file:line:col), instead of
/// a syntax error about indentation.
#[test]
fn a_file_beyond_the_limits_says_too_large_or_too_deep() {
    let big = format!("plan:\n  id: p\n  name: P\n  x: [{}]\n", "1,".repeat(260_000));
    let t = workflow(&big);
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    let l = line_for(&err, "plan.yaml", 4);
    assert!(l.contains("filen är för stor: mer än 250000 noder"), "{l}");
    assert!(!l.contains("syntaxfel") && !l.contains("indrag"), "{l}");

    let deep = format!("plan:\n  id: p\n  x: {}{}\n", "[".repeat(100), "]".repeat(100));
    let t = workflow(&deep);
    let (code, err) = check(&t);
    assert_eq!(code, 1);
    let l = line_for(&err, "plan.yaml", 3);
    assert!(l.contains("filen är för djup: mer än 64 nivåer"), "{l}");
}

/// A reader that went away (`arshjul check … 2>&1 | head -1` after the first line, a log
/// pipe whose collector died): the errors are lost, the exit code still says "errors" and
/// nothing panics.
#[test]
fn a_closed_stderr_does_not_turn_errors_into_a_panic() {
    let t = workflow("plan:\n  id: p\n  name: [oavslutad\n  period: 2021\n");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_arshjul"))
        .args(["check", &t.path().to_string_lossy()])
        .env_remove("ARSHJUL_LANG")
        .env_remove("ARSHJUL_CONFIG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run arshjul");
    // Close the only reader before the child writes: its writes fail with EPIPE.
    drop(child.stderr.take());
    let status = child.wait().expect("wait for arshjul");
    assert_eq!(status.code(), Some(1), "errors in the files give 1, a panic 101: {status:?}");
}
