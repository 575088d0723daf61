//! Tests of the browser harness itself (not of arshjul's pages): a tiny axum app served by the
//! test — a form with labelled fields posting to a second page, and a page with an unlabelled
//! input — under the kind of Content-Security-Policy the product sends.

use std::net::SocketAddr;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use super::{DESKTOP, Key, PHONE, Page, axe, describe, page::png_size};

/// No inline script, no framing: what issue 9 asks of the real pages.
const CSP: &str = "default-src 'self'; frame-ancestors 'none'";

fn layout(title: &str, body: Markup) -> impl IntoResponse {
    let page = html! {
        (DOCTYPE)
        html lang="sv" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
            }
            body { main { (body) } }
        }
    };
    ([(header::CONTENT_SECURITY_POLICY, CSP)], page)
}

async fn form() -> impl IntoResponse {
    layout(
        "Rapportera",
        html! {
            h1 { "Rapportera uppföljningen" }
            form method="post" action="/skickat" {
                p { label for="namn" { "Namn" } br; input id="namn" name="namn" type="text" autocomplete="name"; }
                p { label for="analys" { "Analys" } br; textarea id="analys" name="analys" rows="3" {} }
                p { button type="submit" { "Skicka" } }
            }
        },
    )
}

#[derive(Deserialize)]
struct Sent {
    namn: String,
    analys: String,
}

async fn sent(axum::Form(f): axum::Form<Sent>) -> impl IntoResponse {
    layout(
        "Skickat",
        html! {
            h1 { "Tack, " (f.namn) }
            p #analys { "Analys: " (f.analys) }
            p { a href="/" { "Tillbaka" } }
        },
    )
}

async fn unlabelled() -> impl IntoResponse {
    layout(
        "Utan etikett",
        html! {
            h1 { "Ett fält utan etikett" }
            form method="post" action="/skickat" {
                input #namnlos name="namn" type="text";
                button type="submit" { "Skicka" }
            }
        },
    )
}

/// Serves the app on a free loopback port for the rest of the test; returns its base URL.
async fn serve() -> String {
    let app = Router::new().route("/", get(form)).route("/skickat", axum::routing::post(sent)).route("/utan-etikett", get(unlabelled));
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("bind");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve the test app") });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_form_filled_by_label_and_name_posts_to_the_next_page() {
    let base = serve().await;
    let page = Page::open().await;
    page.goto(&format!("{base}/")).await;
    assert_eq!(page.title().await, "Rapportera");
    page.fill("Namn", "Ada <b>Lovelace</b>").await; // by label
    page.fill("analys", "Alla mål nådda").await; // by name
    assert_eq!(page.value("Namn").await, "Ada <b>Lovelace</b>");
    page.click_button("Skicka").await;
    page.wait_for_text("Tack,").await;
    assert_eq!(page.path().await, "/skickat");
    // maud escaped the markup: it is shown as text, not made bold.
    assert_eq!(page.text("h1").await, "Tack, Ada <b>Lovelace</b>");
    assert_eq!(page.text("#analys").await, "Analys: Alla mål nådda");
    page.click_link("Tillbaka").await;
    page.wait_for("form[action='/skickat']").await;
    assert_eq!(page.path().await, "/");
}

#[tokio::test]
async fn screenshots_are_pngs_at_desktop_and_phone_size() {
    let base = serve().await;
    let page = Page::open().await;
    page.goto(&format!("{base}/")).await;
    page.fill("Namn", "Ada").await;
    let [desktop, phone] = page.screenshots("harness-form").await;
    for (path, size) in [(&desktop, DESKTOP), (&phone, PHONE)] {
        let png = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        assert_eq!(png_size(&png), Some(size), "{}", path.display());
        assert!(path.starts_with(super::screenshot_dir()), "{}", path.display());
    }
    // The window is back at desktop size afterwards, and the form still holds what was typed.
    let v = page.client().execute("return window.innerWidth", vec![]).await.expect("width");
    assert_eq!(v.as_u64(), Some(u64::from(DESKTOP.0)));
    assert_eq!(page.value("Namn").await, "Ada");
}

#[tokio::test]
async fn axe_passes_the_clean_form() {
    let base = serve().await;
    let page = Page::open().await;
    page.goto(&format!("{base}/")).await;
    let violations = axe(&page).await;
    assert!(violations.is_empty(), "{}", describe(&violations));
}

#[tokio::test]
async fn axe_finds_the_input_without_a_label() {
    let base = serve().await;
    let page = Page::open().await;
    page.goto(&format!("{base}/utan-etikett")).await;
    let violations = axe(&page).await;
    let label =
        violations.iter().find(|v| v.id == "label").unwrap_or_else(|| panic!("no `label` violation in:\n{}", describe(&violations)));
    assert_eq!(label.nodes.len(), 1, "{label}");
    assert_eq!(label.nodes[0].selector(), "#namnlos", "{label}");
    assert!(label.to_string().contains("#namnlos"), "the message names the element: {label}");
}

#[tokio::test]
async fn a_form_can_be_submitted_with_the_keyboard_alone() {
    let base = serve().await;
    let page = Page::open().await;
    page.goto(&format!("{base}/")).await;
    page.focus("Namn").await;
    assert_eq!(page.focused().await, "input \"namn\"");
    page.type_keys("Grace").await;
    page.press(Key::Tab).await;
    assert_eq!(page.focused().await, "textarea \"analys\"");
    page.type_keys("Med tangentbordet").await;
    page.press(Key::Tab).await;
    assert_eq!(page.focused().await, "button \"Skicka\"");
    page.press(Key::Enter).await;
    page.wait_for_text("Tack, Grace").await;
    assert_eq!(page.path().await, "/skickat");
    assert_eq!(page.text("#analys").await, "Analys: Med tangentbordet");
}

#[tokio::test]
async fn a_wait_sees_what_the_page_adds_later() {
    let base = serve().await;
    let page = Page::open().await;
    page.goto(&format!("{base}/")).await;
    // The page itself adds a paragraph a little later (its own timer, not the test's).
    const LATER: &str = "setTimeout(() => {
            const p = document.createElement('p');
            p.id = 'senare';
            p.textContent = 'Kom senare';
            document.querySelector('main').append(p);
        }, 1000)";
    page.client().execute(LATER, vec![]).await.expect("schedule the change");
    assert!(page.client().find(fantoccini::Locator::Css("#senare")).await.is_err(), "not there yet");
    assert_eq!(page.wait_for("#senare").await.text().await.expect("text"), "Kom senare");
    page.wait_for_text("Kom senare").await;
}

#[tokio::test]
async fn a_wait_for_what_never_comes_gives_up_and_says_what_it_waited_for() {
    let base = serve().await;
    let page = Page::open().await;
    page.goto(&format!("{base}/")).await;
    page.set_max_polls(20);
    let waited = tokio::spawn(async move {
        page.wait_for("#finns-inte").await;
    })
    .await;
    let panic = waited.expect_err("the wait must give up");
    let msg = panic.into_panic();
    let msg = msg.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("waited 20 polls") && msg.contains("#finns-inte") && msg.contains("Rapportera uppföljningen"), "{msg}");
}

#[tokio::test]
async fn a_test_that_panics_leaves_no_browser_behind() {
    let base = serve().await;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let failed = tokio::spawn(async move {
        let page = Page::open().await;
        page.goto(&format!("{base}/")).await;
        let _ = tx.send((page.pids(), page.profile()));
        panic!("a failing browser test");
    })
    .await;
    assert!(failed.is_err(), "the task panicked");
    let ((driver, browser), profile) = rx.await.expect("the page opened");
    let browser = browser.expect("chromedriver reports Chromium's pid");
    for pid in [driver, browser] {
        // Gone, or a zombie waiting for a parent that does not reap (PID 1 in some containers).
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok().and_then(|s| {
            let after = s.rsplit_once(") ")?.1.to_string();
            after.chars().next()
        });
        assert!(matches!(state, None | Some('Z') | Some('X')), "process {pid} still runs (state {state:?})");
    }
    assert!(!profile.exists(), "{} was not removed", profile.display());
}
