//! The authorisation matrix through HTTP: every role of a test organisation (and a
//! signed-out visitor, and a signed-in address not in the directory) × every page and
//! action (the calendar feed page and creating a feed link included), against a table
//! written here. Refused POSTs store nothing; a rektor opening or
//! acting on another school's checkpoint gets exactly the answer an unknown id gets.

use crate::support::{PLAN, on_both_engines};
use crate::web_support::{Client, Resp, Web};
use arshjul::clock::Clock;
use arshjul::store::Row;
use arshjul::web::checkpoint_path;
use arshjul::workflow::{Command, Outcome, Report, Today};

/// The test organisation with a mid-level role between the rektorer and the chef, a
/// read-only revisor and an administrator.
pub const ORG: &str = "organisation:
  id: testkommun
  name: Testkommunens barn- och utbildningsförvaltning
  units:
    - { id: norrskolan, name: Norrskolan, kind: grundskola }
    - { id: soderskolan, name: Söderskolan, kind: grundskola }
  roles:
    forvaltningschef: { name: Förvaltningschef }
    grundskolechef: { name: Grundskolechef, reports_to: forvaltningschef }
    rektor: { name: Rektor, per_unit: ja, reports_to: grundskolechef }
    revisor: { name: Revisor, read_only: ja, reports_to: forvaltningschef }
    administrator: { name: Administratör, reports_to: forvaltningschef }
";

pub const PEOPLE: &str = "organisation,role,unit,name,email
testkommun,forvaltningschef,,Cecilia Chef,cecilia@testkommun.se
testkommun,grundskolechef,,Gustav Grundskolechef,gustav@testkommun.se
testkommun,rektor,norrskolan,Rita Rektor,rita@testkommun.se
testkommun,rektor,soderskolan,Sune Rektor,sune@testkommun.se
testkommun,revisor,,Rut Revisor,rut@testkommun.se
testkommun,administrator,,Ada Admin,ada@testkommun.se
";

/// The people in the matrix: (label, email to sign in as; `None` for a visitor).
const WHO: [(&str, Option<&str>); 8] = [
    ("förvaltningschef", Some("cecilia@testkommun.se")),
    ("grundskolechef", Some("gustav@testkommun.se")),
    ("rektor A", Some("rita@testkommun.se")),
    ("rektor B", Some("sune@testkommun.se")),
    ("revisor", Some("rut@testkommun.se")),
    ("administratör", Some("ada@testkommun.se")),
    ("utloggad", None),
    ("inte i katalogen", Some("okand@testkommun.se")),
];

/// The pages, in the order of the table's first ten columns (`A`, `B`: the schools'
/// checkpoints).
const PAGES: [&str; 10] = [
    "/",
    "/overview",
    "/overview/kontrollpunkter.csv",
    "/overview/antal.csv",
    "/overview/rutnat.csv",
    "/overview/arshjul.svg",
    "A",
    "B",
    "/admin/people",
    "/calendar",
];

const ACTIONS: [&str; 5] = ["report", "approve", "return", "waive", "reschedule"];

/// Expected status per person (rows as [`WHO`]): the pages as [`PAGES`]; then the five
/// [`ACTIONS`] on A's checkpoint, the five on B's; then POST /admin/people; then POST
/// /calendar (a feed link of one's own checkpoints).
type Expected = ([u16; 10], [u16; 5], [u16; 5], u16, u16);

#[rustfmt::skip]
const EXPECTED: [Expected; 8] = [
    //  /    ov   csv  csv  csv  svg  A    B    admin cal   report approve return waive resched (A) | (B)       | POST admin | POST cal
    ([200, 200, 200, 200, 200, 200, 200, 200, 404, 200], [403, 200, 200, 200, 200], [403, 200, 200, 200, 200], 404, 200), // förvaltningschef
    ([200, 200, 200, 200, 200, 200, 200, 200, 404, 200], [403, 200, 200, 200, 200], [403, 200, 200, 200, 200], 404, 200), // grundskolechef
    ([200, 303, 303, 303, 303, 303, 200, 404, 404, 200], [200, 403, 403, 403, 403], [404, 404, 404, 404, 404], 404, 200), // rektor A
    ([200, 303, 303, 303, 303, 303, 404, 200, 404, 200], [404, 404, 404, 404, 404], [200, 403, 403, 403, 403], 404, 200), // rektor B
    ([200, 200, 200, 200, 200, 200, 200, 200, 404, 200], [403, 403, 403, 403, 403], [403, 403, 403, 403, 403], 404, 200), // revisor
    ([200, 200, 200, 200, 200, 200, 200, 200, 200, 200], [403, 403, 403, 200, 200], [403, 403, 403, 200, 200], 200, 200), // administratör
    ([200, 303, 303, 303, 303, 303, 303, 303, 303, 303], [403, 403, 403, 403, 403], [403, 403, 403, 403, 403], 403, 403), // utloggad
    ([200, 303, 303, 303, 303, 303, 303, 303, 303, 303], [403, 403, 403, 403, 403], [403, 403, 403, 403, 403], 403, 403), // inte i katalogen
];

/// A wheel with one per-unit checkpoint for every (person, action): each cell acts on a
/// checkpoint of its own, so an allowed action never changes what the next cell meets.
fn wheel() -> String {
    let mut w = String::from("wheel:\n  name: Årshjul\n  checkpoints:\n");
    for p in 0..WHO.len() {
        for a in 0..ACTIONS.len() {
            w.push_str(&format!(
                "    - {{ id: p{p}a{a}, name: Punkt {p} {a}, kind: dialogmöte, due: 15 maj, owner: forvaltningschef, per_unit: rektor }}\n"
            ));
        }
    }
    w
}

pub async fn start(url: &str) -> Web {
    Web::start_org(url, Some(ORG), PLAN, Some(&wheel()), PEOPLE).await
}

/// The checkpoint `id` (a wheel checkpoint's id) at `unit`.
pub async fn cell(w: &Web, id: &str, unit: &str) -> Row {
    let f = arshjul::store::Filter { unit: Some(unit.into()), ..Default::default() };
    let rows = w.store.status(&f).await.unwrap();
    rows.into_iter().find(|r| r.id.split('/').any(|s| s == id)).unwrap_or_else(|| panic!("no {id} at {unit}"))
}

fn today(w: &Web) -> Today {
    Today { date: w.state.today(), target_is_working_day: true, window: None }
}

/// Reports `row` as its rektor, directly in the store (so it can be approved or returned).
async fn reported(w: &Web, row: &Row, rektor: &str) {
    let r = Report { outcome: Outcome::Genomford, reason: None, uppfoljning: "Gjort.".into(), analys: "-".into(), links: vec![] };
    w.store.act(&row.id, &Command::Report(r), rektor, w.clock.now(), today(w)).await.unwrap().unwrap();
}

fn fields(action: &str) -> Vec<(&'static str, &'static str)> {
    match action {
        "report" => vec![("outcome", "genomförd"), ("uppfoljning", "Gjort."), ("analys", "-")],
        "return" => vec![("reason", "Komplettera med siffror.")],
        "waive" => vec![("reason", "Insatsen är avslutad.")],
        "reschedule" => vec![("date", "2021-05-19"), ("reason", "Krock med nämndmöte.")],
        _ => vec![],
    }
}

async fn client(w: &Web, email: Option<&str>) -> Client {
    match email {
        Some(e) => w.signed_in(e).await,
        None => w.client(),
    }
}

async fn every_role_by_every_page_and_action(url: &str) {
    let w = start(url).await;
    let people_before = w.store.people().await.unwrap();
    for (p, ((who, email), (pages, on_a, on_b, admin_post, calendar_post))) in WHO.iter().zip(EXPECTED).enumerate() {
        let mut c = client(&w, *email).await;
        let (a, b) = (cell(&w, &format!("p{p}a0"), "norrskolan").await, cell(&w, &format!("p{p}a0"), "soderskolan").await);
        for (page, want) in PAGES.iter().zip(pages) {
            let path = match *page {
                "A" => checkpoint_path(&a.id),
                "B" => checkpoint_path(&b.id),
                x => x.to_owned(),
            };
            let got = c.get(&path).await;
            assert_eq!(got.status, want, "{who}: GET {page}");
            if want == 303 {
                let to = got.header("location").unwrap_or_default();
                assert_eq!(to, if email.is_some_and(|e| !e.starts_with("okand")) { "/" } else { "/login" }, "{who}: GET {page}");
            }
        }
        let csrf = c.get("/").await.csrf();
        for (unit, wants, rektor) in [("norrskolan", on_a, "rita@testkommun.se"), ("soderskolan", on_b, "sune@testkommun.se")] {
            for (a_i, (action, want)) in ACTIONS.iter().zip(wants).enumerate() {
                let row = cell(&w, &format!("p{p}a{a_i}"), unit).await;
                if matches!(*action, "approve" | "return") {
                    reported(&w, &row, rektor).await;
                }
                let before = w.history(&row.id).await.len();
                let mut f = vec![("csrf", csrf.as_str())];
                f.extend(fields(action));
                let path = format!("{}/{action}", checkpoint_path(&row.id));
                let got = c.post(&path, &f).await;
                assert_eq!(got.status, want, "{who}: POST {action} at {unit}: {}", got.body);
                let after = w.history(&row.id).await;
                if want == 200 {
                    assert_eq!(after.len(), before + 1, "{who}: {action} at {unit} stored one event");
                    assert_eq!(after.last().map(|e| e.0.as_str()), *email, "{who}: the signed-in person is the actor");
                } else {
                    assert_eq!(after.len(), before, "{who}: a refused {action} at {unit} stores nothing");
                }
                if want == 404 {
                    // Exactly what an unknown id gets.
                    let unknown = c.post(&format!("{}/{action}", checkpoint_path("testkommun/finns/inte")), &f).await;
                    assert_eq!((unknown.status, &unknown.body), (404, &got.body), "{who}: {action} at {unit}");
                }
            }
        }
        let got = c.post("/admin/people", &[("csrf", &csrf), ("csv", PEOPLE)]).await;
        assert_eq!(got.status, admin_post, "{who}: POST /admin/people");
        assert_eq!(w.store.people().await.unwrap(), people_before, "{who}: the directory is the same");
        let links_before = w.store.feed_links(None).await.unwrap().len();
        let got = c.post("/calendar", &[("csrf", &csrf), ("scope", "person")]).await;
        assert_eq!(got.status, calendar_post, "{who}: POST /calendar");
        let created = usize::from(calendar_post == 200);
        assert_eq!(w.store.feed_links(None).await.unwrap().len(), links_before + created, "{who}: a link stored only when allowed");
    }
}

/// Another school's checkpoint by URL answers byte for byte as an unknown id does, on
/// every path under it; the school's name and the title appear nowhere.
async fn another_schools_checkpoint_is_an_unknown_id(url: &str) {
    let w = start(url).await;
    let theirs = cell(&w, "p0a0", "soderskolan").await;
    let mut rita = w.signed_in("rita@testkommun.se").await;
    let unknown = "testkommun/arshjul/finns-inte";
    let same = |x: &Resp, y: &Resp| x.status == y.status && x.body == y.body;
    let (a, b) = (rita.get(&checkpoint_path(&theirs.id)).await, rita.get(&checkpoint_path(unknown)).await);
    assert!(same(&a, &b) && a.status == 404, "{} / {}", a.status, b.status);
    assert!(!a.body.contains("Söderskolan") && !a.body.contains(&theirs.title));
    let (a, b) = (
        rita.get(&format!("{}/report", checkpoint_path(&theirs.id))).await,
        rita.get(&format!("{}/report", checkpoint_path(unknown))).await,
    );
    assert!(same(&a, &b) && a.status == 404);
    // Not among her lists either.
    let home = rita.get("/").await;
    assert!(!home.body.contains(&checkpoint_path(&theirs.id)), "{}", home.body);
}

/// The audit pages (issue 10) per role: `/audit` and its downloads for everyone signed in
/// (each sees what `can_see` allows), the annual report only for those who get the overview;
/// an unknown plan is a 404.
const AUDIT_PAGES: [&str; 6] = [
    "/audit",
    "/audit.csv",
    "/audit.xlsx",
    "/plans/plan-2021/report?org=testkommun",
    "/plans/plan-2021/report.docx?org=testkommun",
    "/plans/finns-inte/report",
];

#[rustfmt::skip]
const AUDIT_EXPECTED: [[u16; 6]; 8] = [
    [200, 200, 200, 200, 200, 404], // förvaltningschef
    [200, 200, 200, 200, 200, 404], // grundskolechef
    [200, 200, 200, 303, 303, 303], // rektor A
    [200, 200, 200, 303, 303, 303], // rektor B
    [200, 200, 200, 200, 200, 404], // revisor
    [200, 200, 200, 200, 200, 404], // administratör
    [303, 303, 303, 303, 303, 303], // utloggad
    [303, 303, 303, 303, 303, 303], // inte i katalogen
];

async fn audit_pages_by_role(url: &str) {
    let w = start(url).await;
    for ((who, email), want) in WHO.iter().zip(AUDIT_EXPECTED) {
        let mut c = client(&w, *email).await;
        for (page, want) in AUDIT_PAGES.iter().zip(want) {
            let got = c.get(page).await;
            assert_eq!(got.status, want, "{who}: GET {page}");
        }
    }
    // A rektor's rows are their school's only; the chef's are both schools'.
    let mut rita = w.signed_in("rita@testkommun.se").await;
    let csv = rita.get("/audit.csv").await.body;
    assert!(csv.contains("Norrskolan") && !csv.contains("Söderskolan"), "{csv}");
    let mut cecilia = w.signed_in("cecilia@testkommun.se").await;
    let csv = cecilia.get("/audit.csv").await.body;
    assert!(csv.contains("Norrskolan") && csv.contains("Söderskolan"));
    assert!(csv.starts_with("\u{FEFF}Organisation,Plan,Insats,Kontrollpunkt"), "{}", &csv[..80]);
    // Filters the viewer's organisation does not have are named and ignored, not obeyed.
    let page = cecilia.get("/audit?unit=%3Cscript%3E").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("`&lt;script&gt;` finns inte och ignorerades.") && !page.body.contains("<script>"), "{}", page.body);
    let xlsx = cecilia.get("/audit.xlsx").await;
    assert_eq!(xlsx.header("content-type"), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
}

on_both_engines!(every_role_by_every_page_and_action, another_schools_checkpoint_is_an_unknown_id, audit_pages_by_role);
