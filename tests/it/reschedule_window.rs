//! `reschedule --force` stays within a sane window (issue 8, item 6), through the binary on
//! both engines: the plan's period ± 1 year, a wheel-only checkpoint's due date ± 2 years, and
//! the due date ± 2 years when the definitions cannot be read. A forced move to a past date
//! inside the window is still accepted.

use crate::support::{Output, PLAN, TempDir, arshjul_env, workflow};

const EVAL: &str = "testkommun/plan-2021/matematik/utvardering";
const WHEEL_ONLY: &str = "testkommun/arshjul/delarsrapport-1/2021";
const NOW: &str = "2021-06-10T08:00:00Z";

struct Env {
    url: String,
    defs: TempDir,
}

impl Env {
    fn run_in(&self, workflows: &str, lang: &str, args: &[&str]) -> Output {
        let people = self.defs.path().join("people.csv").to_string_lossy().into_owned();
        let env = [
            ("DATABASE_URL", self.url.as_str()),
            ("ARSHJUL_NOW", NOW),
            ("ARSHJUL_WORKFLOWS", workflows),
            ("ARSHJUL_LANG", lang),
            ("ARSHJUL_PEOPLE", &people),
        ];
        let out = arshjul_env(args, &env);
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        out
    }

    fn reschedule(&self, id: &str, to: &str) -> Output {
        let defs = self.defs.path().to_string_lossy().into_owned();
        self.run_in(&defs, "sv", &["reschedule", id, to, "--reason", "Test", "--force", "--as", "chef"])
    }
}

fn refused(out: &Output, needles: &[&str]) {
    assert_eq!(out.code, 1, "accepted: {}{}", out.stdout, out.stderr);
    for n in needles {
        assert!(out.stderr.contains(n), "no `{n}` in {}", out.stderr);
    }
}

fn accepted(out: &Output) {
    assert_eq!(out.code, 0, "refused: {}", out.stderr);
}

async fn force_stays_within_the_window(url: &str) {
    let e = Env { url: url.to_owned(), defs: workflow(PLAN) };
    let defs = e.defs.path().to_string_lossy().into_owned();
    accepted(&e.run_in(&defs, "sv", &["sync", &defs]));

    // The plan's period is 2021: the window is 2020-01-01 – 2022-12-31.
    let window =
        "utanför det tillåtna fönstret 2020-01-01 – 2022-12-31 (planens period 2021-01-01 – 2021-12-31 med ett år åt vardera hållet)";
    refused(&e.reschedule(EVAL, "0001-01-01"), &[window, "inte heller `--force`"]);
    refused(&e.reschedule(EVAL, "9999-12-30"), &[window]);
    refused(&e.reschedule(EVAL, "2023-01-02"), &[window]);
    let en = e.run_in(&defs, "en", &["reschedule", EVAL, "9999-12-30", "--reason", "Test", "--force", "--as", "chef"]);
    refused(&en, &["lies outside the allowed window 2020-01-01 – 2022-12-31 (the plan's period 2021-01-01 – 2021-12-31 widened"]);
    // Nothing was written by the refusals.
    let hist = e.run_in(&defs, "sv", &["history", EVAL]);
    assert_eq!(hist.stdout.lines().count(), 1, "{}", hist.stdout);

    // --force still allows a past date, and a Saturday at the window's edge.
    accepted(&e.reschedule(EVAL, "2020-03-02"));
    accepted(&e.reschedule(EVAL, "2022-12-31"));

    // Wheel-only (no plan): due 2021-05-14, so 2019-05-14 – 2023-05-14.
    refused(
        &e.reschedule(WHEEL_ONLY, "2023-05-15"),
        &["2019-05-14 – 2023-05-14", "förfallodagen 2021-05-14 ± 2 år", "inte hör till någon plan"],
    );
    accepted(&e.reschedule(WHEEL_ONLY, "2019-05-14"));
    // The window follows the definitions' date, not the one just moved to (no walking away).
    refused(&e.reschedule(WHEEL_ONLY, "2019-05-13"), &["2019-05-14 – 2023-05-14"]);

    // Definitions that cannot be read: the definitions' due date (31 May 2021) ± 2 years.
    let missing = e.defs.path().join("finns-inte").to_string_lossy().into_owned();
    let out = e.run_in(&missing, "sv", &["reschedule", EVAL, "2023-06-01", "--reason", "Test", "--force", "--as", "chef"]);
    refused(&out, &["2019-05-31 – 2023-05-31", "planens period inte kunde läsas"]);
    accepted(&e.run_in(&missing, "sv", &["reschedule", EVAL, "2023-05-31", "--reason", "Test", "--force", "--as", "chef"]));
}

crate::support::on_both_engines!(force_stays_within_the_window);
