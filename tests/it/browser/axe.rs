//! Accessibility checks with axe-core inside the page: [`axe`] injects `axe.min.js` and runs
//! the WCAG 2.1 A and AA rules, returning each violation with the elements it found.
//!
//! `axe.min.js` is not in the repository: `.ci/run` (or `.ci/run deps`) fetches it from the
//! npm registry into `target/browser-deps/`. The harness looks for it at `ARSHJUL_AXE_JS`, then
//! at `target/browser-deps/axe.min.js` beside `Cargo.toml`, then in the cargo target directory's
//! `browser-deps/`; a test that needs it fails saying so when it is in none of them.
//! WebDriver scripts are not subject to the page's Content-Security-Policy, so this works on
//! pages that forbid inline and injected scripts.

use std::fmt;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Value, json};

use super::Page;

/// The axe rule tags run: WCAG 2.0 and 2.1, levels A and AA.
pub const WCAG21_AA: &[&str] = &["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// One failed axe rule and where it failed.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// The rule, e.g. `label`, `color-contrast`, `html-has-lang`.
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: Option<String>,
    /// What the rule wants, in one line.
    pub help: String,
    pub help_url: String,
    pub nodes: Vec<ViolationNode>,
}

/// One element that breaks a rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ViolationNode {
    /// CSS selectors to the element (a nested list inside frames or shadow roots).
    pub target: Vec<Value>,
    /// The element's opening HTML.
    pub html: String,
    /// What to fix, as axe says it.
    pub failure_summary: Option<String>,
}

impl ViolationNode {
    /// The selectors of [`ViolationNode::target`] joined, e.g. `#namn`.
    pub fn selector(&self) -> String {
        self.target
            .iter()
            .map(|t| match t {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} ({}): {} <{}>", self.id, self.impact.as_deref().unwrap_or("?"), self.help, self.help_url)?;
        for n in &self.nodes {
            writeln!(f, "  at {}: {}", n.selector(), n.html)?;
            if let Some(s) = &n.failure_summary {
                for line in s.lines() {
                    writeln!(f, "    {line}")?;
                }
            }
        }
        Ok(())
    }
}

/// All violations, one after another, for an assertion message.
pub fn describe(violations: &[Violation]) -> String {
    violations.iter().map(ToString::to_string).collect()
}

/// Where `axe.min.js` was looked for, in order.
pub fn axe_js_candidates() -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Some(p) = std::env::var_os("ARSHJUL_AXE_JS") {
        paths.push(PathBuf::from(p));
    }
    paths.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-deps/axe.min.js"));
    let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    if let Some(target) = tmp.parent() {
        paths.push(target.join("browser-deps/axe.min.js"));
    }
    paths
}

/// The source of `axe.min.js`, read once; panics with how to get it when it is missing.
pub fn axe_source() -> &'static str {
    static SOURCE: OnceLock<Result<String, String>> = OnceLock::new();
    let found = SOURCE.get_or_init(|| {
        let candidates = axe_js_candidates();
        for p in &candidates {
            if let Ok(s) = std::fs::read_to_string(p) {
                return Ok(s);
            }
        }
        let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
        Err(format!(
            "axe.min.js (axe-core) not found; looked at: {}. Run `.ci/run deps` to fetch it from the npm \
             registry, or point ARSHJUL_AXE_JS at an axe.min.js.",
            looked.join(", ")
        ))
    });
    match found {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

/// Runs axe-core's WCAG 2.1 A/AA rules ([`WCAG21_AA`]) on the page as it is now and returns
/// the violations (empty when it passes).
pub async fn axe(page: &Page) -> Vec<Violation> {
    let client = page.client();
    // Injected once per document: a second check of the same page reuses it.
    let present = client.execute("return typeof window.axe === 'object'", vec![]).await.expect("check for axe");
    if present != Value::Bool(true) {
        client.execute(axe_source(), vec![]).await.unwrap_or_else(|e| panic!("inject axe.min.js: {e}"));
    }
    const RUN: &str = "const [tags, done] = arguments;
        axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
           .then(r => done(JSON.stringify({ violations: r.violations })),
                 e => done(JSON.stringify({ error: String(e && e.stack || e) })));";
    let out = client.execute_async(RUN, vec![json!(WCAG21_AA)]).await.unwrap_or_else(|e| panic!("run axe: {e}"));
    let text = out.as_str().unwrap_or_else(|| panic!("axe returned {out}"));
    let v: Value = serde_json::from_str(text).expect("axe's JSON");
    if let Some(e) = v.get("error") {
        panic!("axe failed in the page: {e}");
    }
    serde_json::from_value(v["violations"].clone()).unwrap_or_else(|e| panic!("read axe's violations: {e}\n{text}"))
}
