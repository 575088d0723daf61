//! What a refused or failed request gets: a page in the pages' language with the right
//! status, never internal details (those go to the log).

use super::layout::page;
use super::{AppState, t};
use crate::definition::Lang;
use crate::store::StoreError;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;

/// Why a request was not served.
#[derive(Debug)]
pub enum WebError {
    /// Unknown, or not the viewer's to see: the same answer for both.
    NotFound(Lang),
    /// A form without the right CSRF token, or an action the viewer may not take.
    Forbidden(Lang),
    /// Too many requests of a kind (sign-in links).
    TooMany(Lang),
    /// The store failed; logged, not shown.
    Store(Lang, StoreError),
}

impl WebError {
    pub fn store(lang: Lang) -> impl FnOnce(StoreError) -> WebError {
        move |e| WebError::Store(lang, e)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, lang, title, text) = match &self {
            WebError::NotFound(l) => (
                StatusCode::NOT_FOUND,
                *l,
                t(*l, "Sidan finns inte", "Page not found"),
                t(
                    *l,
                    "Sidan finns inte, eller så är den inte din att se. Kontrollera adressen.",
                    "The page does not exist, or it is not yours to see.",
                ),
            ),
            WebError::Forbidden(l) => (
                StatusCode::FORBIDDEN,
                *l,
                t(*l, "Inte tillåtet", "Not allowed"),
                t(
                    *l,
                    "Det gick inte att genomföra, och ingenting har sparats. Ladda om sidan och försök igen.",
                    "That could not be done, and nothing was saved. Reload the page and try again.",
                ),
            ),
            WebError::TooMany(l) => (
                StatusCode::TOO_MANY_REQUESTS,
                *l,
                t(*l, "För många försök", "Too many attempts"),
                t(*l, "Du har försökt för många gånger. Vänta en stund och försök igen.", "Too many attempts. Wait a while and try again."),
            ),
            WebError::Store(l, e) => {
                crate::engine::daemon::log(
                    "error",
                    "webbsidan kunde inte läsa eller skriva databasen",
                    &[("error", e.get(Lang::Sv).to_owned())],
                );
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    *l,
                    t(*l, "Något gick fel", "Something went wrong"),
                    t(*l, "Något gick fel hos oss. Försök igen om en stund.", "Something went wrong on our side. Try again in a while."),
                )
            }
        };
        (
            status,
            page(
                title,
                None,
                lang,
                html! { h1 { (title) } p { (text) } p { a href="/" { (t(lang, "Till startsidan", "To the start page")) } } },
            ),
        )
            .into_response()
    }
}

/// Any path without a route.
pub async fn not_found(State(s): State<AppState>) -> WebError {
    WebError::NotFound(s.lang)
}
