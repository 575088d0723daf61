//! Issue 10 item 2 on the web pages, on both engines: a checkpoint the engine has closed as
//! missed is listed on the rektor's page under its own heading, shown as `missad` on its
//! page and in the overview, and still offers the report form; the report is stored as
//! late after missed.

use crate::smtp_server::SmtpServer;
use crate::support::{PLAN, on_both_engines};
use crate::web_support::{PEOPLE, Web, local};
use arshjul::web::checkpoint_path;
use arshjul::workflow::{EventKind, Late, State};

const WHEEL: &str = "wheel:
  name: Årshjul
  checkpoints:
    - { id: dialogmote-vt, name: Dialogmöte vt, kind: dialogmöte, due: vecka 12, owner: forvaltningschef, per_unit: rektor, reminders: { missed_after: 5 arbetsdagar } }
";

const ID: &str = "testkommun/arshjul/dialogmote-vt/norrskolan/2021";

async fn a_missed_checkpoint_on_the_pages_and_reported_late(url: &str) {
    let w = Web::start_with(url, PLAN, Some(WHEEL), PEOPLE).await;
    let server = SmtpServer::start();
    w.clock.set(local(2021, 4, 12, 7, 30));
    w.tick(&server).await;
    assert_eq!(w.store.checkpoint(ID).await.unwrap().unwrap().state, State::Missed);

    let mut rita = w.signed_in("rita@testkommun.se").await;
    let home = rita.get("/").await;
    let path = checkpoint_path(ID);
    // The wheel's 2020 occurrence and the plan's follow-up bound to it are missed too.
    let missed = home.body.split("Missade — kan rapporteras i efterhand (3)</h2>").nth(1).unwrap_or_else(|| panic!("{}", home.body));
    assert!(missed.split("</section>").next().unwrap().contains(&path), "{}", home.body);
    let page = rita.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(">missad<") && page.body.contains(&format!("{path}/report")), "{}", page.body);
    let form = rita.get(&format!("{path}/report")).await;
    assert!(form.body.contains("Uppföljningsfönstret har stängt och kontrollpunkten är missad"), "{}", form.body);

    let mut chef = w.signed_in("cecilia@testkommun.se").await;
    let overview = chef.get("/overview").await;
    assert_eq!(overview.status, 200);
    assert!(overview.body.contains("missad"), "{}", overview.body);

    let csrf = form.csrf();
    let fields =
        [("csrf", csrf.as_str()), ("outcome", "genomförd"), ("uppfoljning", "Mötet hölls i april."), ("analys", "-"), ("links", "")];
    let done = rita.post(&format!("{path}/report"), &fields).await;
    assert!(done.status == 200 || done.status == 303, "{} {}", done.status, done.body);
    let row = w.store.checkpoint(ID).await.unwrap().unwrap();
    assert_eq!(row.state, State::Reported);
    let history = w.store.history(ID).await.unwrap();
    assert!(history.iter().any(|e| e.kind == EventKind::Missed));
    let late = history.iter().find_map(|e| match &e.kind {
        EventKind::Reported { late, .. } => *late,
        _ => None,
    });
    assert!(matches!(late, Some(Late { after_missed: true, working_days }) if working_days > 5), "{late:?}");
    let page = rita.get(&path).await;
    assert!(page.body.contains("i efterhand efter att ha missats"), "{}", page.body);
}

on_both_engines!(a_missed_checkpoint_on_the_pages_and_reported_late);
