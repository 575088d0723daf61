//! Signing in by a link by email, and signing out.
//!
//! `POST /login` gives the same answer whether or not the address is in the directory (no
//! enumeration); it is rate-limited per address and per client address. For a known
//! address a random nonce is stored (hashed, 15 minutes, single use) and a sign-in mail is
//! queued in the outbox carrying only the nonce; the daemon signs the link
//! (`/login/<token>`) when it composes the mail. `GET /login/<token>` (what a mail scanner
//! fetches) only shows a button; `POST` uses the nonce up and starts a session.
//!
//! With an OpenID provider configured the page also offers "Logga in med organisationens
//! konto" (`super::oidc`), which ends in the same [`super::session::start`].

use super::access::Viewer;
use super::layout::page;
use super::session::{Fields, MaybeSigned, Pre};
use super::token::{Invalid, Purpose, b64_encode, random, sha256_hex};
use super::{AppState, WebError, t};
use crate::remind::{Digest, Person};
use axum::Form;
use axum::extract::{ConnectInfo, Path, State as AxState};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use maud::{Markup, html};
use std::net::SocketAddr;

/// How long a sign-in link is valid.
pub const LOGIN_MINUTES: i64 = 15;

/// The sign-in page (also what `/` shows to a visitor who is not signed in).
pub fn login_page(s: &AppState, pre: &Pre, email: &str, error: Option<&str>) -> Response {
    let lang = s.lang;
    let title = t(lang, "Logga in", "Sign in");
    let body = html! {
        h1 { (title) }
        p { (t(lang, "Skriv din e-postadress i jobbet, så skickar vi en länk som loggar in dig.",
               "Enter your work email address and we will send you a link that signs you in.")) }
        form class="stack" method="post" action="/login" {
            input type="hidden" name="csrf" value=(pre.token(s));
            div class="field" {
                label for="email" { (t(lang, "E-postadress", "Email address")) }
                input type="email" id="email" name="email" autocomplete="email" required value=(email)
                    aria-invalid=(if error.is_some() { "true" } else { "false" }) aria-describedby=[error.map(|_| "email-error")];
                @if let Some(e) = error { p class="error" id="email-error" { (e) } }
            }
            div { button type="submit" { (t(lang, "Skicka inloggningslänk", "Send sign-in link")) } }
        }
        @if s.oidc.is_some() {
            p { (t(lang, "Eller logga in med det konto du använder i jobbet:", "Or sign in with the account you use at work:")) }
            p { a class="button" href="/login/oidc" { (t(lang, "Logga in med organisationens konto", "Sign in with your organisation account")) } }
        }
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    (status, pre.headers(s), page(title, None, lang, body)).into_response()
}

/// `GET /login`.
pub async fn form(AxState(s): AxState<AppState>, MaybeSigned(signed): MaybeSigned, pre: Pre) -> Response {
    if signed.is_some() {
        return Redirect::to("/").into_response();
    }
    login_page(&s, &pre, "", None)
}

fn sent_page(s: &AppState) -> Markup {
    let title = t(s.lang, "Kolla din e-post", "Check your email");
    page(
        title,
        None,
        s.lang,
        html! {
            h1 { (title) }
            p role="status" { (t(s.lang,
                "Om adressen finns i personkatalogen har vi skickat en inloggningslänk dit. Länken gäller i 15 minuter och bara en gång.",
                "If the address is in the people directory, we have sent a sign-in link to it. The link is valid for 15 minutes and once.")) }
        },
    )
}

/// `POST /login`.
pub async fn request(
    AxState(s): AxState<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    pre: Pre,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    if !pre.ok(&s, f.get("csrf")) {
        return Err(WebError::Forbidden(s.lang));
    }
    let email = f.get("email").trim().to_lowercase();
    if email.len() > 254 || !email.contains('@') || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Ok(login_page(
            &s,
            &pre,
            f.get("email"),
            Some(t(s.lang, "Skriv en e-postadress, t.ex. namn@kommun.se.", "Enter an email address.")),
        ));
    }
    let now = s.now();
    if !s.limits.login_ip.allow(&peer.ip().to_string(), now) || !s.limits.login_address.allow(&email, now) {
        return Err(WebError::TooMany(s.lang));
    }
    let people = s.store.person(&email).await.map_err(WebError::store(s.lang))?;
    if let Some(v) = Viewer::build(&email, &people, &s.model()) {
        let nonce = random::<32>().map(|b| b64_encode(&b)).ok_or(WebError::Forbidden(s.lang))?;
        let hash = sha256_hex(&nonce);
        s.store.create_login_token(&hash, &v.email, now + Duration::minutes(LOGIN_MINUTES)).await.map_err(WebError::store(s.lang))?;
        let digest = Digest {
            to: Person { name: v.name.clone(), email: v.email.clone() },
            day: s.today(),
            send_at: now,
            items: vec![],
            login: Some(nonce),
        };
        let message_id = format!("<arshjul.login.{}@{}>", &hash[..24], s.mail_domain);
        s.store.enqueue_single(&format!("login|{hash}"), &digest, &message_id).await.map_err(WebError::store(s.lang))?;
        s.mail_queued();
    }
    Ok(sent_page(&s).into_response())
}

fn used_up(s: &AppState) -> Response {
    let title = t(s.lang, "Länken gäller inte längre", "The link is no longer valid");
    let body = html! {
        h1 { (title) }
        p { (t(s.lang, "Inloggningslänken är redan använd eller har gått ut (den gäller i 15 minuter).",
               "The sign-in link has been used or has expired (it is valid for 15 minutes).")) }
        p { a href="/login" { (t(s.lang, "Begär en ny länk", "Ask for a new link")) } }
    };
    (StatusCode::FORBIDDEN, page(title, None, s.lang, body)).into_response()
}

/// `GET /login/<token>`: a button, nothing used up.
pub async fn confirm(AxState(s): AxState<AppState>, pre: Pre, Path(token): Path<String>) -> Result<Response, WebError> {
    let c = match s.key.verify(&token, Purpose::Login, s.today()) {
        Ok(c) => c,
        Err(Invalid::Expired(_)) => return Ok(used_up(&s)),
        Err(Invalid::Forged) => return Err(WebError::NotFound(s.lang)),
    };
    let title = t(s.lang, "Logga in", "Sign in");
    let body = html! {
        h1 { (title) }
        p { (t(s.lang, "Logga in som", "Sign in as")) " " strong { (c.email) } }
        form method="post" action=(format!("/login/{token}")) {
            input type="hidden" name="csrf" value=(pre.token(&s));
            button type="submit" { (title) }
        }
    };
    Ok((pre.headers(&s), page(title, None, s.lang, body)).into_response())
}

/// `POST /login/<token>`: uses the link up and starts a session.
pub async fn sign_in(
    AxState(s): AxState<AppState>,
    pre: Pre,
    Path(token): Path<String>,
    Form(f): Form<Fields>,
) -> Result<Response, WebError> {
    let c = match s.key.verify(&token, Purpose::Login, s.today()) {
        Ok(c) => c,
        Err(Invalid::Expired(_)) => return Ok(used_up(&s)),
        Err(Invalid::Forged) => return Err(WebError::NotFound(s.lang)),
    };
    if !pre.ok(&s, f.get("csrf")) {
        return Err(WebError::Forbidden(s.lang));
    }
    let Some(email) = s.store.use_login_token(&sha256_hex(&c.subject), s.now()).await.map_err(WebError::store(s.lang))? else {
        return Ok(used_up(&s));
    };
    if !email.eq_ignore_ascii_case(&c.email) {
        return Ok(used_up(&s));
    }
    let cookie = super::session::start(&s, &email).await?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}

/// `POST /logout`.
pub async fn logout(AxState(s): AxState<AppState>, MaybeSigned(signed): MaybeSigned, Form(f): Form<Fields>) -> Result<Response, WebError> {
    let Some(signed) = signed else { return Ok(Redirect::to("/login").into_response()) };
    if !signed.csrf_ok(&s, f.get("csrf")) {
        return Err(WebError::Forbidden(s.lang));
    }
    let cookie = super::session::end(&s, &signed).await?;
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}
