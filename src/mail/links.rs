//! The links a mail carries: per checkpoint, `{base_url}/k/{token}` (the report form,
//! signed in for that person and checkpoint, valid [`REPORT_LINK_DAYS`] days from the
//! mail's day); in a sign-in mail, `{base_url}/login/{token}`. Signed at composition with
//! the key kept in the store, so the outbox holds no usable link.

use crate::web::token::{Claims, Key, Purpose, REPORT_LINK_DAYS};
use chrono::{Duration, NaiveDate};

/// The public base URL and the signing key.
#[derive(Clone, Debug)]
pub struct Links {
    /// `https://arshjul.kommun.se` (no trailing slash needed).
    pub base_url: String,
    pub key: Key,
}

impl Links {
    pub fn new(base_url: &str, key: Key) -> Links {
        Links { base_url: base_url.trim_end_matches('/').to_owned(), key }
    }

    /// The report link for `email` and `checkpoint` in a mail of `day`.
    pub fn report(&self, email: &str, checkpoint: &str, day: NaiveDate) -> String {
        let claims = Claims {
            purpose: Purpose::Report,
            email: email.to_owned(),
            subject: checkpoint.to_owned(),
            expires: day + Duration::days(REPORT_LINK_DAYS),
        };
        format!("{}/k/{}", self.base_url, self.key.sign(&claims))
    }

    /// The sign-in link for `email` with the stored `nonce` (its own 15-minute expiry is
    /// kept with the nonce; the signature allows one more day for the clock's day to turn).
    pub fn login(&self, email: &str, nonce: &str, day: NaiveDate) -> String {
        let claims =
            Claims { purpose: Purpose::Login, email: email.to_owned(), subject: nonce.to_owned(), expires: day + Duration::days(1) };
        format!("{}/login/{}", self.base_url, self.key.sign(&claims))
    }
}
