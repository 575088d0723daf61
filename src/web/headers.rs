//! On every response: the security headers (a CSP without inline script or style,
//! no framing, nosniff, no referrer — the token URLs must not leak), `no-store` on pages,
//! and the request body limit (a body over [`BODY_LIMIT`] gets 413 before any handler).

use super::layout::page;
use super::{AppState, t};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::html;

/// The largest request body accepted (forms are small; a report's texts fit easily).
pub const BODY_LIMIT: usize = 64 * 1024;

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

pub async fn secure(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    let is_static = req.uri().path().starts_with("/static/");
    let mut res = if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        too_large(&s)
    } else {
        let res = next.run(req).await;
        // The form extractor's own 413 (a chunked body over the limit) gets the same page.
        if res.status() == StatusCode::PAYLOAD_TOO_LARGE { too_large(&s) } else { res }
    };
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let cache = if is_static { "public, max-age=3600" } else { "no-store" };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

fn too_large(s: &AppState) -> Response {
    let title = t(s.lang, "För mycket text", "Too much text");
    let body = html! {
        h1 { (title) }
        p { (t(s.lang, "Det som skickades var större än 64 kB och har inte sparats. Korta texten och försök igen.",
               "What was sent was larger than 64 kB and was not saved. Shorten the text and try again.")) }
    };
    let mut res = (StatusCode::PAYLOAD_TOO_LARGE, page(title, None, s.lang, body)).into_response();
    // The client may still be sending: do not keep the connection for it.
    res.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    res
}
