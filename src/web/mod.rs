//! The web pages (issue 9): a rektor reports from the reminder's link, people sign in by a
//! link by email, each sees what their roles allow. Server-rendered HTML (maud, escaped by
//! default), no JavaScript, one embedded stylesheet.
//!
//! # Layout
//!
//! - [`AppState`], [`router`], [`serve`]: here.
//! - [`headers`]: security headers and the body limit on every response.
//! - [`layout`]: the shared page (`layout::page`), the stylesheet.
//! - [`access`]: who sees and does what (pure).
//! - [`token`]: signed links (HMAC-SHA256), base64url, hashes (pure).
//! - [`session`]: sessions in the store, the cookie, CSRF tokens, the signed-in extractor.
//! - `login`, `link`, `report`, `checkpoint`, `home`, `people` (`/admin/people`),
//!   `audit_page` (`/audit`, `/plans/{plan}/report`): one file per page or flow.
//! - [`feeds`]: calendar feeds at secret, revocable `/ical/<secret>.ics` URLs, and the
//!   `/calendar` page where they are made and revoked.
//! - [`page_cache`]: rendered overview views, keyed by the store's change counter.
//! - [`oidc`]: sign-in with the organisation's account (OpenID Connect); [`oidc_jwt`] verifies
//!   its ID tokens, `oidc_http` is its HTTP(S) client.
//!
//! Must not decide transitions: every change goes through `Store::act` (the state machine).

pub mod access;
mod audit_page;
mod checkpoint;
mod error;
pub mod feeds;
pub mod headers;
mod home;
pub mod layout;
mod link;
mod login;
pub mod oidc;
mod oidc_http;
pub mod oidc_jwt;
pub mod overview;
mod overview_page;
pub mod page_cache;
mod people;
mod ratelimit;
mod report;
pub mod session;
pub mod token;

use crate::clock::Clock;
use crate::definition::{Lang, Model};
use crate::store::{Store, StoreError};
use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

pub use crate::engine::SharedModel;
pub use error::WebError;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// The loaded definitions; the daemon's reload replaces the inner `Arc`.
    pub model: SharedModel,
    /// The public URL, for links in emails (no trailing slash).
    pub base_url: String,
    /// The links' HMAC key (kept in the store, see [`link_key`]).
    pub key: token::Key,
    pub clock: Arc<dyn Clock>,
    /// The language of the pages (Swedish unless configured otherwise).
    pub lang: Lang,
    /// The right-hand side of Message-IDs of the mails the pages queue.
    pub mail_domain: String,
    /// Told when a mail was queued, so a daemon in the same process sends it at once.
    pub mail_wake: Option<Arc<tokio::sync::Notify>>,
    /// Sign-in with the organisation's OpenID provider, when configured.
    pub oidc: Option<Arc<oidc::Oidc>>,
    /// Rendered overview views, keyed by the store's change counter.
    pub pages: Arc<page_cache::PageCache>,
    limits: Arc<ratelimit::Limits>,
}

impl AppState {
    /// The state over `store` (the key is read from it, or created at first start).
    pub async fn new(store: Store, model: SharedModel, base_url: &str, clock: Arc<dyn Clock>, lang: Lang) -> Result<AppState, StoreError> {
        let key = link_key(&store, clock.now()).await?;
        Ok(AppState {
            store,
            model,
            base_url: base_url.trim_end_matches('/').to_owned(),
            key,
            clock,
            lang,
            mail_domain: "arshjul.local".into(),
            mail_wake: None,
            oidc: None,
            pages: Arc::default(),
            limits: Arc::default(),
        })
    }

    /// The definitions as loaded now.
    pub fn model(&self) -> Arc<Model> {
        self.model.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today in Europe/Stockholm.
    pub fn today(&self) -> NaiveDate {
        self.clock.today(chrono_tz::Europe::Stockholm)
    }

    /// Cookies are `Secure` when the public URL is https.
    pub fn secure(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// The signer of the links in mails.
    pub fn links(&self) -> crate::mail::Links {
        crate::mail::Links::new(&self.base_url, self.key.clone())
    }

    fn mail_queued(&self) {
        if let Some(w) = &self.mail_wake {
            w.notify_one();
        }
    }
}

/// The links' HMAC key, generated at first start and kept in the store (`secrets`).
pub async fn link_key(store: &Store, now: DateTime<Utc>) -> Result<token::Key, StoreError> {
    let refuse = || {
        StoreError::new("kan inte skapa en nyckel för länkar: systemet saknar slumpkälla.", "cannot create a link key: no random source.")
    };
    let fresh = token::Key::generate().ok_or_else(refuse)?;
    let stored = store.secret("link_hmac_key", || fresh, now).await?;
    token::Key::from_stored(&stored).ok_or_else(|| {
        StoreError::new(
            "den sparade nyckeln för länkar (tabellen secrets) går inte att läsa.",
            "the stored link key (table secrets) cannot be read.",
        )
    })
}

/// `/checkpoint/{id}` with the id percent-encoded into one path segment (ids contain `/`).
pub fn checkpoint_path(id: &str) -> String {
    format!("/checkpoint/{}", encode_segment(id))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The text in the pages' language.
pub(crate) fn t(lang: Lang, sv: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Sv => sv,
        Lang::En => en,
    }
}

/// Every route, with the security headers and the body limit.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(home::home))
        .route("/static/app.css", get(layout::stylesheet))
        .route("/login", get(login::form).post(login::request))
        .route("/login/oidc", get(oidc::start))
        .route("/login/oidc/callback", get(oidc::callback))
        .route("/login/{token}", get(login::confirm).post(login::sign_in))
        .route("/logout", post(login::logout))
        .route("/k/{token}", get(link::open).post(link::submit))
        .route("/k/{token}/ny", post(link::resend))
        .route("/checkpoint/{id}", get(checkpoint::show))
        .route("/checkpoint/{id}/report", get(report::form).post(report::submit))
        .route("/checkpoint/{id}/approve", post(checkpoint::approve))
        .route("/checkpoint/{id}/return", post(checkpoint::send_back))
        .route("/checkpoint/{id}/waive", post(checkpoint::waive))
        .route("/checkpoint/{id}/reschedule", post(checkpoint::reschedule))
        .route(people::PATH, get(people::show).post(people::import))
        .merge(overview_page::routes())
        .merge(audit_page::routes())
        .merge(feeds::routes())
        .fallback(error::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(headers::BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(state.clone(), headers::secure))
        .with_state(state)
}

/// Serves `router(state)` on `listener` until `shutdown` completes (open requests finish).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_become_one_path_segment() {
        assert_eq!(super::checkpoint_path("k/plan-2021/matte/utv ärdering"), "/checkpoint/k%2Fplan-2021%2Fmatte%2Futv%20%C3%A4rdering");
    }
}
