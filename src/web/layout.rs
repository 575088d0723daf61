//! The shared page: `<html lang="sv">`, a skip link, a header with the site name and the
//! navigation (with a sign-out button when signed in), `<main>`, a footer. One stylesheet
//! (`/static/app.css`, embedded in the binary); no inline style or script (the CSP forbids
//! them). Colours meet WCAG 2.1 AA contrast; focus is always visible; the layout works
//! from 375 px wide.

use super::access::Viewer;
use super::t;
use crate::definition::Lang;
use axum::http::header;
use axum::response::IntoResponse;
use maud::{DOCTYPE, Markup, html};

/// The stylesheet, embedded.
pub const CSS: &str = include_str!("static/app.css");

/// The pages' stylesheet and the overview's, as one file.
static STYLESHEET: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| [CSS, super::overview::CSS, crate::audit::REPORT_CSS].concat());

pub async fn stylesheet() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLESHEET.as_str())
}

/// A whole page titled `title` around `body` (which should start with its `h1`).
pub fn page(title: &str, viewer: Option<&Viewer>, lang: Lang, body: Markup) -> Markup {
    let tag = match lang {
        Lang::Sv => "sv",
        Lang::En => "en",
    };
    html! {
        (DOCTYPE)
        html lang=(tag) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — " (t(lang, "Årshjulet", "Annual cycle")) }
                link rel="stylesheet" href="/static/app.css";
            }
            body {
                a class="skip" href="#main" { (t(lang, "Hoppa till innehållet", "Skip to content")) }
                header class="site" {
                    a class="brand" href="/" { (t(lang, "Årshjulet", "Annual cycle")) }
                    @if let Some(v) = viewer {
                        nav aria-label=(t(lang, "Huvudmeny", "Main menu")) {
                            ul {
                                li { a href="/" { (t(lang, "Mina enheter", "My units")) } }
                                li { a href="/overview" { (t(lang, "Översikt", "Overview")) } }
                                li { a href="/audit" { (t(lang, "Uppföljning", "Follow-up")) } }
                                li { a href="/calendar" { (t(lang, "Kalender", "Calendar")) } }
                                @if v.admin { li { a href="/admin/people" { (t(lang, "Personer", "People")) } } }
                            }
                        }
                        form class="signout" method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(v.csrf);
                            span class="who" { (v.name) }
                            button type="submit" { (t(lang, "Logga ut", "Sign out")) }
                        }
                    }
                }
                main id="main" tabindex="-1" { (body) }
                footer class="site" { p { "arshjul" } }
            }
        }
    }
}
