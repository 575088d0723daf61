//! Waive and reschedule on the checkpoint page, the people administration page, and the
//! command line's `--as` shown as such in the page's history.

use crate::support::on_both_engines;
use crate::web_matrix::{PEOPLE, cell, start};
use crate::web_support::Web;
use arshjul::clock::Clock;
use arshjul::web::checkpoint_path;
use arshjul::workflow::{Command, State, Today, VIA_CLI};
use chrono::NaiveDate;

fn post(row: &arshjul::store::Row, action: &str) -> String {
    format!("{}/{action}", checkpoint_path(&row.id))
}

async fn waive_and_reschedule_need_a_reason_and_a_good_date(url: &str) {
    let w = start(url).await;
    let row = cell(&w, "p0a0", "norrskolan").await;
    let mut rita = w.signed_in("rita@testkommun.se").await;
    let page = rita.get(&checkpoint_path(&row.id)).await;
    assert!(!page.body.contains("Skriv av") && !page.body.contains("Flytta datumet"), "the rektor gets no such forms");
    let mut chef = w.signed_in("cecilia@testkommun.se").await;
    let page = chef.get(&checkpoint_path(&row.id)).await;
    assert!(page.body.contains("Skriv av") && page.body.contains("Flytta datumet"), "{}", page.body);
    assert!(page.body.contains("<label for=\"reschedule-date\">") && page.body.contains("<label for=\"waive-reason\">"));
    assert!(!page.body.contains("Tillåt passerat datum"), "the checkbox is the administrator's");
    let csrf = page.csrf();
    let events = w.history(&row.id).await.len();

    let got = chef.post(&post(&row, "waive"), &[("csrf", &csrf), ("reason", "  ")]).await;
    assert_eq!(got.status, 422);
    assert!(got.body.contains("Skriv varför kontrollpunkten skrivs av."), "{}", got.body);
    assert!(got.body.contains("aria-describedby=\"waive-reason-hint waive-reason-error\"") && got.body.contains("aria-invalid=\"true\""));

    let cases: [(&str, &str, &str); 5] = [
        ("2021-03-01", "Passerat.", "2021-03-01 har redan passerat"),
        ("2021-05-22", "En lördag.", "2021-05-22 är ingen arbetsdag"),
        ("i morgon", "Inget datum.", "Skriv ett datum som ÅÅÅÅ-MM-DD"),
        ("2030-01-15", "För långt bort.", "ligger utanför det tillåtna fönstret"),
        ("2021-05-19", "", "Skriv varför datumet flyttas."),
    ];
    for (date, reason, message) in cases {
        // A chef's "force" is ignored: only an administrator may allow a past date.
        let got = chef.post(&post(&row, "reschedule"), &[("csrf", &csrf), ("date", date), ("reason", reason), ("force", "ja")]).await;
        assert_eq!(got.status, 422, "{date}");
        assert!(got.body.contains(message), "{message}: {}", got.body);
        assert!(got.body.contains(&format!("value=\"{date}\"")), "the date as typed");
        if !reason.is_empty() {
            assert!(got.body.contains(reason), "the reason as typed");
        }
        assert!(!got.body.contains("kryssa i"), "a chef is not told of the administrator's checkbox");
    }
    assert_eq!(w.history(&row.id).await.len(), events, "nothing stored");

    let got = chef.post(&post(&row, "reschedule"), &[("csrf", &csrf), ("date", "2021-05-19"), ("reason", "Krock med nämndmöte.")]).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert!(got.body.contains("Datumet är flyttat."));
    let moved = w.store.checkpoint(&row.id).await.unwrap().unwrap();
    assert_eq!(moved.due, NaiveDate::from_ymd_opt(2021, 5, 19));
    let got = chef.post(&post(&row, "waive"), &[("csrf", &csrf), ("reason", "Insatsen är avslutad.")]).await;
    assert!(got.body.contains("Kontrollpunkten är avskriven."), "{}", got.body);
    assert!(!got.body.contains("Flytta datumet"), "a waived checkpoint offers no more forms");
    let waived = w.store.checkpoint(&row.id).await.unwrap().unwrap();
    assert_eq!(waived.state, State::Waived);
    let hist = w.store.history(&row.id).await.unwrap();
    let last: Vec<_> = hist.iter().rev().take(2).map(|e| (e.actor.as_str(), e.reason.as_deref())).collect();
    assert_eq!(last, [("cecilia@testkommun.se", Some("Insatsen är avslutad.")), ("cecilia@testkommun.se", Some("Krock med nämndmöte."))]);
    // Waiving again is refused by the state machine, by the field, nothing stored.
    let got = chef.post(&post(&row, "waive"), &[("csrf", &csrf), ("reason", "Igen.")]).await;
    assert_eq!(got.status, 422);
    assert_eq!(w.history(&row.id).await.len(), events + 2);
}

async fn an_administrator_may_force_a_holiday_but_not_leave_the_window(url: &str) {
    let w = start(url).await;
    let row = cell(&w, "p1a0", "soderskolan").await;
    let mut ada = w.signed_in("ada@testkommun.se").await;
    let page = ada.get(&checkpoint_path(&row.id)).await;
    assert!(page.body.contains("Tillåt passerat datum eller helgdag"), "{}", page.body);
    assert!(page.body.contains("<label for=\"reschedule-force\">"));
    let csrf = page.csrf();
    let events = w.history(&row.id).await.len();
    let got = ada.post(&post(&row, "reschedule"), &[("csrf", &csrf), ("date", "2021-05-22"), ("reason", "Lördagsmöte.")]).await;
    assert_eq!(got.status, 422);
    assert!(got.body.contains("kryssa i ”Tillåt passerat datum eller helgdag”"), "{}", got.body);
    let force = [("csrf", csrf.as_str()), ("date", "2030-01-15"), ("reason", "För långt."), ("force", "ja")];
    let got = ada.post(&post(&row, "reschedule"), &force).await;
    assert_eq!(got.status, 422);
    assert!(got.body.contains("utanför det tillåtna fönstret"), "{}", got.body);
    assert!(got.body.contains("checked"), "the checkbox as ticked");
    assert_eq!(w.history(&row.id).await.len(), events);
    let force = [("csrf", csrf.as_str()), ("date", "2021-05-22"), ("reason", "Lördagsmöte."), ("force", "ja")];
    let got = ada.post(&post(&row, "reschedule"), &force).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(w.store.checkpoint(&row.id).await.unwrap().unwrap().due, NaiveDate::from_ymd_opt(2021, 5, 22));
    assert_eq!(w.history(&row.id).await.last().unwrap().0, "ada@testkommun.se");
}

async fn the_command_lines_as_is_shown_as_such(url: &str) {
    let w = start(url).await;
    let row = cell(&w, "p0a0", "norrskolan").await;
    let today = Today { date: w.state.today(), target_is_working_day: true, window: None };
    let cmd = Command::Waive { reason: "Skrivs av från terminalen.".into() };
    w.store.act_via(&row.id, &cmd, "cecilia@testkommun.se", Some(VIA_CLI), w.clock.now(), today).await.unwrap().unwrap();
    let hist = w.store.history(&row.id).await.unwrap();
    assert_eq!(hist.last().and_then(|e| e.via.as_deref()), Some(VIA_CLI));
    assert!(hist.iter().rev().skip(1).all(|e| e.via.is_none()), "only that event");
    let page = w.signed_in("cecilia@testkommun.se").await.get(&checkpoint_path(&row.id)).await;
    assert_eq!(page.body.matches("(via kommandoraden)").count(), 1, "{}", page.body);
    assert!(page.body.contains("cecilia@testkommun.se <span class=\"muted\">(via kommandoraden)</span>"), "{}", page.body);
}

async fn the_directory_page_imports_all_or_nothing(url: &str) {
    let people = PEOPLE.replace("testkommun,grundskolechef,,Gustav Grundskolechef,gustav@testkommun.se\n", "");
    let w = Web::start_org(url, Some(crate::web_matrix::ORG), crate::support::PLAN, None, &people).await;
    let mut ada = w.signed_in("ada@testkommun.se").await;
    let page = ada.get("/admin/people").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<td>rita@testkommun.se</td>") && page.body.contains("<td>Sune Rektor</td>"), "{}", page.body);
    assert!(page.body.contains("Grundskolechef (Testkommunens"), "the vacancy is listed: {}", page.body);
    assert!(page.body.contains("<label for=\"csv\">") && page.body.contains("organisation,role,unit,name,email\n"));
    let csrf = page.csrf();
    let before = w.store.people().await.unwrap();

    let bad = "organisation,role,unit,name,email\n\
               testkommun,forvaltningschef,,Cecilia Chef,cecilia@testkommun.se\n\
               testkommun,rektr,norrskolan,Rita Rektor,rita@testkommun.se\n\
               annankommun,rektor,norrskolan,Anna,anna@annan.se\n\
               testkommun,administrator,,Ada Admin,ada@testkommun.se\n\
               testkommun,rektor,,Sune,sune@testkommun.se\n";
    let got = ada.post("/admin/people", &[("csrf", &csrf), ("csv", bad)]).await;
    assert_eq!(got.status, 422);
    for m in [
        "Rad 3: okänd roll `rektr`",
        "Rad 4: du administrerar inte organisationen `annankommun`",
        "Rad 6: rollen `rektor` innehas per enhet",
    ] {
        assert!(got.body.contains(m), "{m}: {}", got.body);
    }
    assert!(got.body.contains("3 fel; ingenting har lästs in."), "{}", got.body);
    assert!(got.body.contains("aria-describedby=\"csv-hint csv-errors\"") && got.body.contains("Anna,anna@annan.se"), "kept as typed");
    assert_eq!(w.store.people().await.unwrap(), before, "nothing imported");

    let good = "organisation;roll;enhet;namn;e-post\n\
                testkommun;forvaltningschef;;Cecilia Chef;cecilia@testkommun.se\n\
                testkommun;rektor;norrskolan;Rita Rektor;rita@testkommun.se\n\
                testkommun;rektor;soderskolan;<b>Sara</b> Ny;sara@testkommun.se\n\
                testkommun;administrator;;Ada Admin;ada@testkommun.se\n";
    let got = ada.post("/admin/people", &[("csrf", &csrf), ("csv", good)]).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert!(
        got.body.contains("Tillagda (1)")
            && got.body.contains("&lt;b&gt;Sara&lt;/b&gt; Ny &lt;sara@testkommun.se&gt; — Rektor, Söderskolan")
    );
    assert!(got.body.contains("Borttagna (2)") && got.body.contains("Sune Rektor &lt;sune@testkommun.se&gt;"), "{}", got.body);
    assert!(got.body.contains("Rut Revisor &lt;rut@testkommun.se&gt; — Revisor"));
    assert!(!got.body.contains("<b>Sara"), "escaped");
    let after: Vec<String> = w.store.people().await.unwrap().into_iter().map(|h| h.person.email).collect();
    assert_eq!(after.len(), 4);
    assert!(after.contains(&"sara@testkommun.se".to_owned()) && !after.contains(&"sune@testkommun.se".to_owned()));
    // Sune is no longer anyone: his checkpoint sends him to sign in; Sara sees it.
    let b = cell(&w, "dialogmote-vt", "soderskolan").await;
    assert_eq!(w.signed_in("sune@testkommun.se").await.get(&checkpoint_path(&b.id)).await.status, 303);
    assert_eq!(w.signed_in("sara@testkommun.se").await.get(&checkpoint_path(&b.id)).await.status, 200);
}

on_both_engines!(
    waive_and_reschedule_need_a_reason_and_a_good_date,
    an_administrator_may_force_a_holiday_but_not_leave_the_window,
    the_command_lines_as_is_shown_as_such,
    the_directory_page_imports_all_or_nothing,
);
