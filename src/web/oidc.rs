//! Signing in with the organisation's account: the OpenID Connect authorisation-code flow
//! with PKCE (S256) against the configured issuer (Entra ID:
//! `https://login.microsoftonline.com/<tenant>/v2.0`).
//!
//! - `GET /login/oidc`: reads the issuer's discovery document (cached an hour), sets the
//!   `arshjul_oidc` cookie and redirects to its `authorization_endpoint` with `state`,
//!   `nonce` and the PKCE challenge.
//! - `GET /login/oidc/callback?code&state`: checks `state` against the cookie, exchanges
//!   the code at the `token_endpoint` (with the PKCE verifier, and the client secret when
//!   configured), verifies the ID token ([`super::oidc_jwt`]: signature against the JWKS,
//!   cached and fetched again for an unknown `kid`; `iss`, `aud`, times by the injected
//!   clock, `nonce`), maps its address to the people directory and ends in
//!   [`super::session::start`] like the link by email. Any failure is a page that says what
//!   to do; nothing is stored.
//!
//! # Where state, nonce and verifier live
//!
//! In no table and no process memory: the cookie holds 32 random bytes, an expiry
//! ([`FLOW_MINUTES`]) and an HMAC over both with the app's key; `state`, `nonce` and the
//! PKCE verifier are HMACs of that seed with the key, so only this server can compute them
//! (the browser holds the seed, not the key). Chosen
//! over an in-memory map because it survives a restart, works with several daemons behind a
//! load balancer (they share the key in the store), and lets no unauthenticated visitor
//! grow memory. `SameSite=Lax` so the provider's top-level redirect back carries it;
//! `Path=/login/oidc`; cleared by the callback whatever its outcome. A replayed callback
//! finds no cookie (or, replayed with it, a code the provider has already used up).

use super::access::Viewer;
use super::layout::page;
use super::oidc_http;
use super::oidc_jwt::{self, Expect};
use super::session::{Fields, MaybeSigned};
use super::token::{b64_decode, b64_encode, random};
use super::{AppState, WebError, encode_segment, t};
use crate::config::OidcConfig;
use crate::engine::daemon::log;
use axum::extract::{Query, State as AxState};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, Utc};
use maud::html;
use serde_json::Value;
use tokio::sync::Mutex;

pub const COOKIE: &str = "arshjul_oidc";
/// How long a started sign-in may take at the provider.
pub const FLOW_MINUTES: i64 = 10;
/// How long the discovery document and the JWKS are kept.
const CACHE: Duration = Duration::hours(1);

/// The issuer's endpoints, from its discovery document.
#[derive(Clone, Debug)]
pub struct Endpoints {
    pub authorization: String,
    pub token: String,
    pub jwks_uri: String,
}

/// The configured provider, with what was fetched from it.
#[derive(Debug)]
pub struct Oidc {
    pub config: OidcConfig,
    endpoints: Mutex<Option<(Endpoints, DateTime<Utc>)>>,
    jwks: Mutex<Option<(Value, DateTime<Utc>)>>,
}

impl Oidc {
    pub fn new(config: OidcConfig) -> Oidc {
        Oidc { config, endpoints: Mutex::new(None), jwks: Mutex::new(None) }
    }

    /// The endpoints, fetched when not cached or older than [`CACHE`].
    async fn endpoints(&self, now: DateTime<Utc>) -> Result<Endpoints, String> {
        let mut cached = self.endpoints.lock().await;
        if let Some((e, at)) = cached.as_ref()
            && now - *at < CACHE
            && *at <= now
        {
            return Ok(e.clone());
        }
        let url = format!("{}/.well-known/openid-configuration", self.config.issuer);
        let doc = json(oidc_http::get(&url).await?, &url)?;
        let field = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| format!("{url}: no {k}"));
        // OpenID Connect Discovery §4.3: the document's issuer is the configured one.
        if field("issuer")?.trim_end_matches('/') != self.config.issuer {
            return Err(format!("{url}: issuer {:?} is not {:?}", field("issuer")?, self.config.issuer));
        }
        let e =
            Endpoints { authorization: field("authorization_endpoint")?, token: field("token_endpoint")?, jwks_uri: field("jwks_uri")? };
        *cached = Some((e.clone(), now));
        Ok(e)
    }

    /// The JWKS with a key for `id_token`: the cached one, or fetched anew when it is older
    /// than [`CACHE`] or lacks the token's key (the provider rotated its keys).
    async fn jwks(&self, e: &Endpoints, id_token: &str, now: DateTime<Utc>) -> Result<Value, String> {
        let mut cached = self.jwks.lock().await;
        if let Some((k, at)) = cached.as_ref()
            && now - *at < CACHE
            && *at <= now
            && oidc_jwt::has_key(id_token, k)
        {
            return Ok(k.clone());
        }
        let keys = json(oidc_http::get(&e.jwks_uri).await?, &e.jwks_uri)?;
        *cached = Some((keys.clone(), now));
        Ok(keys)
    }
}

fn json(r: oidc_http::Response, url: &str) -> Result<Value, String> {
    if r.status != 200 {
        return Err(format!("{url}: HTTP {}", r.status));
    }
    serde_json::from_slice(&r.body).map_err(|e| format!("{url}: not JSON: {e}"))
}

/// The flow's secrets, derived from the cookie's seed with the key.
struct Flow {
    state: String,
    nonce: String,
    verifier: String,
}

fn derive(s: &AppState, seed: &str) -> Flow {
    let d = |what: &str| b64_encode(&s.key.mac(format!("oidc-{what}\n{seed}").as_bytes()));
    Flow { state: d("state"), nonce: d("nonce"), verifier: d("verifier") }
}

fn cookie_value(s: &AppState, seed: &str, expires: i64) -> String {
    let tag = s.key.mac(format!("oidc-cookie\n{seed}\n{expires}").as_bytes());
    format!("{seed}.{expires}.{}", b64_encode(&tag))
}

/// The seed of a genuine, unexpired cookie.
fn read_cookie(s: &AppState, value: &str) -> Option<String> {
    let mut p = value.split('.');
    let (Some(seed), Some(expires), Some(tag), None) = (p.next(), p.next(), p.next(), p.next()) else { return None };
    let tag = b64_decode(tag)?;
    if !s.key.verify_mac(format!("oidc-cookie\n{seed}\n{expires}").as_bytes(), &tag) {
        return None;
    }
    (expires.parse::<i64>().ok()? >= s.now().timestamp()).then(|| seed.to_owned())
}

fn set_cookie(s: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let v = format!(
        "{COOKIE}={value}; HttpOnly; SameSite=Lax; Path=/login/oidc; Max-Age={max_age}{}",
        if s.secure() { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn redirect_uri(s: &AppState) -> String {
    format!("{}/login/oidc/callback", s.base_url)
}

/// A query string from pairs, every value percent-encoded.
fn query(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", encode_segment(v))).collect::<Vec<_>>().join("&")
}

/// Why a sign-in failed, as the page shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    /// No cookie, an expired or forged one, or a `state` that does not match it.
    Stale,
    /// The provider sent an `error` (the person cancelled, or was refused there).
    Provider,
    /// The provider could not be reached or answered nonsense.
    Unreachable,
    /// The token exchange was refused (a used or expired code).
    Exchange,
    /// The ID token did not verify.
    Token,
    /// No usable, verified address in the token.
    NoAddress,
}

fn failed(s: &AppState, why: Failure, detail: &str) -> Response {
    log("warn", "inloggning med organisationens konto misslyckades", &[("why", format!("{why:?}")), ("detail", detail.to_owned())]);
    let lang = s.lang;
    let (status, sv, en) = match why {
        Failure::Stale => (
            StatusCode::BAD_REQUEST,
            "Inloggningen gick inte att slutföra: den tog längre tid än 10 minuter, startades i en annan webbläsare eller har redan använts. Börja om från inloggningssidan.",
            "The sign-in could not be completed: it took longer than 10 minutes, was started in another browser or has already been used. Start again from the sign-in page.",
        ),
        Failure::Provider => (
            StatusCode::FORBIDDEN,
            "Inloggningen avbröts hos organisationens inloggningstjänst. Försök igen, eller logga in med en länk per e-post.",
            "The sign-in was cancelled at the organisation's sign-in service. Try again, or sign in with a link by email.",
        ),
        Failure::Unreachable => (
            StatusCode::BAD_GATEWAY,
            "Organisationens inloggningstjänst svarar inte just nu. Försök igen om en stund, eller logga in med en länk per e-post.",
            "The organisation's sign-in service does not answer right now. Try again in a while, or sign in with a link by email.",
        ),
        Failure::Exchange | Failure::Token => (
            StatusCode::FORBIDDEN,
            "Inloggningen kunde inte bekräftas, och du har inte loggats in. Börja om från inloggningssidan. Händer det igen, kontakta den som sköter årshjulet.",
            "The sign-in could not be confirmed, and you have not been signed in. Start again from the sign-in page. If it happens again, contact whoever runs the annual cycle.",
        ),
        Failure::NoAddress => (
            StatusCode::FORBIDDEN,
            "Organisationens konto gav ingen bekräftad e-postadress, så vi vet inte vem du är här. Logga in med en länk per e-post i stället.",
            "The organisation account gave no verified email address, so we cannot tell who you are here. Sign in with a link by email instead.",
        ),
    };
    let title = t(lang, "Inloggningen misslyckades", "Sign-in failed");
    let body = html! {
        h1 { (title) }
        p { (t(lang, sv, en)) }
        p { a href="/login" { (t(lang, "Till inloggningssidan", "To the sign-in page")) } }
    };
    (status, [(header::SET_COOKIE, set_cookie(s, "", 0))], page(title, None, lang, body)).into_response()
}

/// `GET /login/oidc`.
pub async fn start(AxState(s): AxState<AppState>, MaybeSigned(signed): MaybeSigned) -> Result<Response, WebError> {
    let Some(oidc) = s.oidc.clone() else { return Err(WebError::NotFound(s.lang)) };
    if signed.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let now = s.now();
    let endpoints = match oidc.endpoints(now).await {
        Ok(e) => e,
        Err(e) => return Ok(failed(&s, Failure::Unreachable, &e)),
    };
    let seed = random::<32>().map(|b| b64_encode(&b)).ok_or(WebError::Forbidden(s.lang))?;
    let flow = derive(&s, &seed);
    let challenge = b64_encode(ring::digest::digest(&ring::digest::SHA256, flow.verifier.as_bytes()).as_ref());
    let sep = if endpoints.authorization.contains('?') { '&' } else { '?' };
    let location = format!(
        "{}{sep}{}",
        endpoints.authorization,
        query(&[
            ("response_type", "code"),
            ("client_id", &oidc.config.client_id),
            ("redirect_uri", &redirect_uri(&s)),
            ("scope", "openid email profile"),
            ("state", &flow.state),
            ("nonce", &flow.nonce),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
    );
    let expires = (now + Duration::minutes(FLOW_MINUTES)).timestamp();
    let cookie = set_cookie(&s, &cookie_value(&s, &seed, expires), FLOW_MINUTES * 60);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&location)).into_response())
}

/// `GET /login/oidc/callback`.
pub async fn callback(
    AxState(s): AxState<AppState>,
    headers: axum::http::HeaderMap,
    Query(q): Query<Fields>,
) -> Result<Response, WebError> {
    let Some(oidc) = s.oidc.clone() else { return Err(WebError::NotFound(s.lang)) };
    let Some(seed) = super::session::cookie(&headers, COOKIE).and_then(|c| read_cookie(&s, &c)) else {
        return Ok(failed(&s, Failure::Stale, "no valid flow cookie"));
    };
    let flow = derive(&s, &seed);
    let state_ok = b64_decode(q.get("state")).is_some_and(|tag| s.key.verify_mac(format!("oidc-state\n{seed}").as_bytes(), &tag));
    if !state_ok {
        return Ok(failed(&s, Failure::Stale, "state does not match the cookie"));
    }
    // RFC 9207: a provider that names itself in the response must be ours (mix-up defence).
    if !q.get("iss").is_empty() && q.get("iss").trim_end_matches('/') != oidc.config.issuer {
        return Ok(failed(&s, Failure::Token, "the response's iss is another issuer"));
    }
    if !q.get("error").is_empty() {
        let detail: String = format!("{}: {}", q.get("error"), q.get("error_description")).chars().take(300).collect();
        return Ok(failed(&s, Failure::Provider, &detail));
    }
    let code = q.get("code");
    if code.is_empty() {
        return Ok(failed(&s, Failure::Provider, "no code"));
    }
    let endpoints = match oidc.endpoints(s.now()).await {
        Ok(e) => e,
        Err(e) => return Ok(failed(&s, Failure::Unreachable, &e)),
    };
    let redirect = redirect_uri(&s);
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect.as_str()),
        ("client_id", oidc.config.client_id.as_str()),
        ("code_verifier", flow.verifier.as_str()),
    ];
    if let Some(secret) = &oidc.config.client_secret {
        form.push(("client_secret", secret));
    }
    let answer = match oidc_http::post_form(&endpoints.token, query(&form)).await {
        Ok(r) => r,
        Err(e) => return Ok(failed(&s, Failure::Unreachable, &e)),
    };
    if answer.status != 200 {
        let detail: String = String::from_utf8_lossy(&answer.body).chars().take(300).collect();
        return Ok(failed(&s, Failure::Exchange, &format!("HTTP {}: {detail}", answer.status)));
    }
    let tokens: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    let Some(id_token) = tokens.get("id_token").and_then(Value::as_str) else {
        return Ok(failed(&s, Failure::Exchange, "no id_token in the token response"));
    };
    let jwks = match oidc.jwks(&endpoints, id_token, s.now()).await {
        Ok(k) => k,
        Err(e) => return Ok(failed(&s, Failure::Unreachable, &e)),
    };
    let expect = Expect { issuer: &oidc.config.issuer, client_id: &oidc.config.client_id, nonce: &flow.nonce, now: s.now() };
    let claims = match oidc_jwt::verify(id_token, &jwks, &expect) {
        Ok(c) => c,
        Err(e) => return Ok(failed(&s, Failure::Token, &e.to_string())),
    };
    let email = match oidc_jwt::email(&claims) {
        Ok(e) => e,
        Err(e) => return Ok(failed(&s, Failure::NoAddress, &e.to_string())),
    };
    let people = s.store.person(&email).await.map_err(WebError::store(s.lang))?;
    let Some(v) = Viewer::build(&email, &people, &s.model()) else { return Ok(unknown(&s, &email)) };
    let session = super::session::start(&s, &v.email).await?;
    let mut resp = Redirect::to("/").into_response();
    let h = resp.headers_mut();
    h.append(header::SET_COOKIE, session);
    h.append(header::SET_COOKIE, set_cookie(&s, "", 0));
    Ok(resp)
}

/// A verified address that is not in the people directory.
fn unknown(s: &AppState, email: &str) -> Response {
    let lang = s.lang;
    let title = t(lang, "Du finns inte i personkatalogen", "You are not in the people directory");
    let body = html! {
        h1 { (title) }
        p {
            (t(lang, "Din adress", "Your address")) " " strong { (email) } " "
            (t(lang, "finns inte i personkatalogen, så du har inte loggats in. Be den som sköter årshjulet att lägga till dig, eller logga in med den adress som står där.",
                     "is not in the people directory, so you have not been signed in. Ask whoever runs the annual cycle to add you, or sign in with the address listed there."))
        }
        p { a href="/login" { (t(lang, "Till inloggningssidan", "To the sign-in page")) } }
    };
    (StatusCode::FORBIDDEN, [(header::SET_COOKIE, set_cookie(s, "", 0))], page(title, None, lang, body)).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            super::query(&[("scope", "openid email profile"), ("redirect_uri", "http://a:1/x?y")]),
            "scope=openid%20email%20profile&redirect_uri=http%3A%2F%2Fa%3A1%2Fx%3Fy"
        );
    }
}
