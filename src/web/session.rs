//! Sessions and CSRF. A session is a random 32-byte id in the `arshjul_session` cookie
//! (HttpOnly, SameSite=Lax, Path=/, Secure behind https); the store keeps only its SHA-256,
//! with the person's email, when it began (absolute timeout [`ABSOLUTE`]) and when it was
//! last used (idle timeout [`IDLE`]). Signing out deletes the row, so the cookie is dead.
//!
//! Every POST form carries a CSRF token derived from the key: for a signed-in person
//! `HMAC(key, "csrf" + session hash)`; before signing in (the sign-in and link forms)
//! `HMAC(key, "pre" + a random value in the `arshjul_pre` cookie)`. A POST without the right
//! one is refused before anything is read or stored.

use super::access::Viewer;
use super::token::{b64_decode, b64_encode, random, sha256_hex};
use super::{AppState, WebError};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use chrono::Duration;

pub const COOKIE: &str = "arshjul_session";
pub const PRE_COOKIE: &str = "arshjul_pre";
/// A session unused this long is over.
pub const IDLE: Duration = Duration::hours(8);
/// A session is over this long after it began, used or not.
pub const ABSOLUTE: Duration = Duration::days(7);

/// The value of cookie `name` in the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 200)
}

fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let s = format!("{name}={value}; HttpOnly; SameSite=Lax; Path=/; Max-Age={max_age}{}", if secure { "; Secure" } else { "" });
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A form token bound to `binding`.
pub fn form_token(state: &AppState, binding: &str) -> String {
    b64_encode(&state.key.mac(binding.as_bytes()))
}

fn form_token_ok(state: &AppState, binding: &str, given: &str) -> bool {
    b64_decode(given.trim()).is_some_and(|tag| state.key.verify_mac(binding.as_bytes(), &tag))
}

/// Removes what can no longer sign anyone in: sessions past [`IDLE`] or [`ABSOLUTE`] at
/// `now`, sign-in links used or expired. Run when the pages start and at the daemon's ticks.
pub async fn purge(
    store: &crate::store::Store,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<crate::store::Purged, crate::store::StoreError> {
    store.purge_sign_ins(now - IDLE, now - ABSOLUTE, now).await
}

/// Starts a session for `email`: the `Set-Cookie` header to send.
pub async fn start(state: &AppState, email: &str) -> Result<HeaderValue, WebError> {
    let raw = random::<32>().map(|b| b64_encode(&b)).ok_or(WebError::Forbidden(state.lang))?;
    state.store.create_session(&sha256_hex(&raw), email, state.now()).await.map_err(WebError::store(state.lang))?;
    Ok(set_cookie(COOKIE, &raw, ABSOLUTE.num_seconds(), state.secure()))
}

/// Ends the session: deletes it and clears the cookie.
pub async fn end(state: &AppState, signed: &Signed) -> Result<HeaderValue, WebError> {
    state.store.delete_session(&signed.id_hash).await.map_err(WebError::store(state.lang))?;
    Ok(set_cookie(COOKIE, "", 0, state.secure()))
}

/// The signed-in person, with the session's CSRF token in `viewer.csrf`.
#[derive(Clone, Debug)]
pub struct Signed {
    pub viewer: Viewer,
    id_hash: String,
    /// The store's change counter, read with the session (before anything else the request
    /// reads): what cached pages are keyed by.
    pub generation: i64,
}

impl Signed {
    /// Whether `given` is this session's CSRF token.
    pub fn csrf_ok(&self, state: &AppState, given: &str) -> bool {
        form_token_ok(state, &format!("csrf\n{}", self.id_hash), given)
    }
}

/// The signed-in person, if any (an unknown, expired or ended session is none).
#[derive(Clone, Debug)]
pub struct MaybeSigned(pub Option<Signed>);

impl FromRequestParts<AppState> for MaybeSigned {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let Some(raw) = cookie(&parts.headers, COOKIE) else { return Ok(MaybeSigned(None)) };
        let err = WebError::store(state.lang);
        let id_hash = sha256_hex(&raw);
        // One query: the session, its person's roles and the store's change counter.
        let Some(s) = state.store.session_with_person(&id_hash).await.map_err(err)? else { return Ok(MaybeSigned(None)) };
        let now = state.now();
        let (session, generation) = (&s.session, s.generation);
        if now - session.last_seen > IDLE || now - session.created_at > ABSOLUTE {
            state.store.delete_session(&id_hash).await.map_err(WebError::store(state.lang))?;
            return Ok(MaybeSigned(None));
        }
        let Some(mut viewer) = Viewer::build(&session.email, &s.holds, &state.model()) else { return Ok(MaybeSigned(None)) };
        viewer.csrf = form_token(state, &format!("csrf\n{id_hash}"));
        if now - session.last_seen > Duration::minutes(1) {
            state.store.touch_session(&id_hash, now).await.map_err(WebError::store(state.lang))?;
        }
        Ok(MaybeSigned(Some(Signed { viewer, id_hash, generation })))
    }
}

/// The pre-session CSRF binding: the `arshjul_pre` cookie's value, or a new one (then
/// the response must set it: [`Pre::set_cookie`]).
#[derive(Clone, Debug)]
pub struct Pre {
    value: String,
    fresh: bool,
}

impl Pre {
    /// The token for the forms on this page.
    pub fn token(&self, state: &AppState) -> String {
        form_token(state, &format!("pre\n{}", self.value))
    }

    /// Whether `given` matches the cookie the browser sent (a new cookie never does).
    pub fn ok(&self, state: &AppState, given: &str) -> bool {
        !self.fresh && form_token_ok(state, &format!("pre\n{}", self.value), given)
    }

    /// The headers to send with a page that carries [`Pre::token`].
    pub fn headers(&self, state: &AppState) -> HeaderMap {
        let mut h = HeaderMap::new();
        if self.fresh {
            h.insert(header::SET_COOKIE, set_cookie(PRE_COOKIE, &self.value, 86_400, state.secure()));
        }
        h
    }
}

impl FromRequestParts<AppState> for Pre {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        if let Some(value) = cookie(&parts.headers, PRE_COOKIE) {
            return Ok(Pre { value, fresh: false });
        }
        let value = random::<16>().map(|b| b64_encode(&b)).ok_or(WebError::Forbidden(state.lang))?;
        Ok(Pre { value, fresh: true })
    }
}

/// A submitted form, as name/value pairs (never rejected for a missing field).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("x_arshjul_session=no; arshjul_session=abc; other=1"));
        assert_eq!(cookie(&h, COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, PRE_COOKIE), None);
        let v = set_cookie(COOKIE, "abc", 10, true);
        assert_eq!(v.to_str().unwrap(), "arshjul_session=abc; HttpOnly; SameSite=Lax; Path=/; Max-Age=10; Secure");
    }
}
